//! A table's resource-based policy (GetResourcePolicy), summarised: who may read, write,
//! describe or manage it, and whether anyone at all may. The document itself never leaves this
//! module: not in the entities, a warning or a log (its conditions and ARNs can say more about
//! an account than its owner would publish).

use crate::catalog::{AccessGrant, AccessLevel, PolicyEffect, ResourcePolicy};
use serde_json::Value;

/// Statements summarised at most (a policy holds up to 20 KB, so a few dozen).
const MAX_GRANTS: usize = 50;
/// Principals named per statement at most.
const MAX_PRINCIPALS: usize = 20;
/// The longest principal kept, in characters (an IAM ARN is at most 2,048).
const MAX_PRINCIPAL_CHARS: usize = 256;

/// DynamoDB's table actions by what they amount to. Wildcards in a policy (`dynamodb:Get*`)
/// are matched against these; an action not listed here counts as managing the table.
const ACTIONS: &[(&str, AccessLevel)] = &[
    ("BatchGetItem", AccessLevel::Read),
    ("ConditionCheckItem", AccessLevel::Read),
    ("GetItem", AccessLevel::Read),
    ("Query", AccessLevel::Read),
    ("Scan", AccessLevel::Read),
    ("PartiQLSelect", AccessLevel::Read),
    ("ExportTableToPointInTime", AccessLevel::Read),
    ("GetRecords", AccessLevel::Read),
    ("GetShardIterator", AccessLevel::Read),
    ("BatchWriteItem", AccessLevel::Write),
    ("DeleteItem", AccessLevel::Write),
    ("PutItem", AccessLevel::Write),
    ("UpdateItem", AccessLevel::Write),
    ("PartiQLDelete", AccessLevel::Write),
    ("PartiQLInsert", AccessLevel::Write),
    ("PartiQLUpdate", AccessLevel::Write),
    ("ImportTable", AccessLevel::Write),
    ("RestoreTableFromBackup", AccessLevel::Write),
    ("RestoreTableToPointInTime", AccessLevel::Write),
    ("DescribeTable", AccessLevel::Describe),
    ("DescribeTimeToLive", AccessLevel::Describe),
    ("DescribeContinuousBackups", AccessLevel::Describe),
    ("DescribeContributorInsights", AccessLevel::Describe),
    ("DescribeKinesisStreamingDestination", AccessLevel::Describe),
    ("DescribeStream", AccessLevel::Describe),
    ("DescribeExport", AccessLevel::Describe),
    ("DescribeImport", AccessLevel::Describe),
    ("DescribeBackup", AccessLevel::Describe),
    ("GetResourcePolicy", AccessLevel::Describe),
    ("ListTagsOfResource", AccessLevel::Describe),
    ("ListStreams", AccessLevel::Describe),
    ("ListBackups", AccessLevel::Describe),
    ("ListExports", AccessLevel::Describe),
    ("CreateBackup", AccessLevel::Manage),
    ("DeleteBackup", AccessLevel::Manage),
    ("DeleteTable", AccessLevel::Manage),
    ("UpdateTable", AccessLevel::Manage),
    ("UpdateTimeToLive", AccessLevel::Manage),
    ("UpdateContinuousBackups", AccessLevel::Manage),
    ("UpdateContributorInsights", AccessLevel::Manage),
    ("EnableKinesisStreamingDestination", AccessLevel::Manage),
    ("DisableKinesisStreamingDestination", AccessLevel::Manage),
    ("UpdateKinesisStreamingDestination", AccessLevel::Manage),
    ("TagResource", AccessLevel::Manage),
    ("UntagResource", AccessLevel::Manage),
    ("PutResourcePolicy", AccessLevel::Manage),
    ("DeleteResourcePolicy", AccessLevel::Manage),
];

const ALL_LEVELS: [AccessLevel; 4] = [
    AccessLevel::Read,
    AccessLevel::Write,
    AccessLevel::Describe,
    AccessLevel::Manage,
];

/// The summary of `document`; a document that is not a policy is a note, never an error that
/// would carry its text.
pub fn summarise(document: &str, revision_id: Option<String>) -> ResourcePolicy {
    let mut summary = ResourcePolicy {
        attached: true,
        revision_id,
        ..ResourcePolicy::default()
    };
    let statements = match serde_json::from_str::<Value>(document) {
        Ok(Value::Object(mut policy)) => match policy.remove("Statement") {
            Some(Value::Array(list)) => list,
            Some(one @ Value::Object(_)) => vec![one],
            _ => Vec::new(),
        },
        _ => {
            summary.note = Some("the policy is not a JSON object; not summarised".into());
            return summary;
        }
    };
    let mut unread = 0;
    for statement in &statements {
        match grant(statement) {
            Some(g) if summary.grants.len() < MAX_GRANTS => {
                summary.public |= g.effect == PolicyEffect::Allow
                    && !g.conditional
                    && g.principals.iter().any(|p| p == "anyone");
                summary.grants.push(g);
            }
            Some(_) => {
                summary.note = Some(format!(
                    "{} statements; the first {MAX_GRANTS} are summarised",
                    statements.len()
                ));
            }
            None => unread += 1,
        }
    }
    if unread > 0 && summary.note.is_none() {
        summary.note = Some(format!(
            "{unread} statement{} not summarised (no effect, principal or action that applies to DynamoDB)",
            if unread == 1 { "" } else { "s" }
        ));
    }
    summary
}

fn grant(statement: &Value) -> Option<AccessGrant> {
    let effect = match statement.get("Effect")?.as_str()? {
        "Allow" => PolicyEffect::Allow,
        "Deny" => PolicyEffect::Deny,
        _ => return None,
    };
    let mut principals = match (statement.get("Principal"), statement.get("NotPrincipal")) {
        (Some(p), _) => principals(p),
        (None, Some(p)) => {
            let except = principals(p);
            if except.is_empty() {
                return None;
            }
            vec![format!("anyone except {}", except.join(", "))]
        }
        (None, None) => return None,
    };
    principals.truncate(MAX_PRINCIPALS);
    let access = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => levels(&strings(a)),
        (None, Some(a)) => {
            let excluded = strings(a);
            // The levels with at least one action the statement does not exclude.
            let kept: Vec<AccessLevel> = ALL_LEVELS
                .into_iter()
                .filter(|level| {
                    ACTIONS.iter().any(|(action, l)| {
                        l == level && !excluded.iter().any(|p| matches_action(p, action))
                    })
                })
                .collect();
            kept
        }
        (None, None) => Vec::new(),
    };
    if principals.is_empty() || access.is_empty() {
        return None;
    }
    Some(AccessGrant {
        effect,
        principals,
        access,
        conditional: statement
            .get("Condition")
            .is_some_and(|c| c.as_object().is_some_and(|c| !c.is_empty())),
    })
}

/// `"*"`, `{"AWS": …}`, `{"Service": …}`, `{"Federated": …}` as readable names.
fn principals(value: &Value) -> Vec<String> {
    if value.as_str() == Some("*") {
        return vec!["anyone".into()];
    }
    let Some(kinds) = value.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (kind, names) in kinds {
        for name in strings(names) {
            let readable = match kind.as_str() {
                _ if name == "*" => "anyone".to_string(),
                "AWS" => aws_principal(&name),
                "Service" => format!("service {name}"),
                "Federated" => format!("federated {name}"),
                "CanonicalUser" => "an S3 canonical user".to_string(),
                _ => continue,
            };
            let readable: String = readable.chars().take(MAX_PRINCIPAL_CHARS).collect();
            if !out.contains(&readable) {
                out.push(readable);
            }
        }
    }
    out
}

/// An account id, or an account's root ARN, reads as the account; other ARNs are kept.
fn aws_principal(name: &str) -> String {
    let account = name
        .strip_prefix("arn:aws:iam::")
        .or_else(|| name.strip_prefix("arn:aws-cn:iam::"))
        .or_else(|| name.strip_prefix("arn:aws-us-gov:iam::"))
        .and_then(|rest| rest.strip_suffix(":root"));
    match account {
        Some(id) => format!("account {id}"),
        None if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) => {
            format!("account {name}")
        }
        None => name.to_string(),
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// The levels the action patterns reach, in order.
fn levels(patterns: &[String]) -> Vec<AccessLevel> {
    let mut out: Vec<AccessLevel> = ALL_LEVELS
        .into_iter()
        .filter(|level| {
            ACTIONS
                .iter()
                .any(|(action, l)| l == level && patterns.iter().any(|p| matches_action(p, action)))
        })
        .collect();
    // A DynamoDB action this list does not know yet (a new API) still counts, as managing.
    let unknown = patterns.iter().any(|p| {
        dynamodb_part(p).is_some_and(|name| {
            !name.contains(['*', '?']) && !ACTIONS.iter().any(|(a, _)| a.eq_ignore_ascii_case(name))
        })
    });
    if unknown && !out.contains(&AccessLevel::Manage) {
        out.push(AccessLevel::Manage);
    }
    out
}

/// The action name of a `dynamodb:` pattern (`*` alone covers every service).
fn dynamodb_part(pattern: &str) -> Option<&str> {
    if pattern == "*" {
        return Some("*");
    }
    let (service, name) = pattern.split_once(':')?;
    service.eq_ignore_ascii_case("dynamodb").then_some(name)
}

/// IAM's action matching: case-insensitive, `*` any run of characters, `?` one.
fn matches_action(pattern: &str, action: &str) -> bool {
    let Some(name) = dynamodb_part(pattern) else {
        return false;
    };
    glob(
        &name.to_ascii_lowercase().into_bytes(),
        &action.to_ascii_lowercase().into_bytes(),
    )
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::*;

    #[test]
    fn a_policy_reads_as_who_may_do_what() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "readers", "Effect": "Allow",
             "Principal": {"AWS": ["arn:aws:iam::111122223333:role/Analyst", "444455556666"]},
             "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Describe*"],
             "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"},
             "Action": "dynamodb:*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}},
            {"Effect": "Deny", "Principal": "*", "NotAction": ["dynamodb:Get*", "dynamodb:Query",
             "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem",
             "dynamodb:PartiQLSelect", "dynamodb:ExportTableToPointInTime",
             "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
             "Resource": "*"}
        ]}"#;
        let s = summarise(policy, Some("17".into()));
        assert!(s.attached && !s.public && s.note.is_none());
        assert_eq!(s.revision_id.as_deref(), Some("17"));
        assert_eq!(
            s.grants[0],
            AccessGrant {
                effect: PolicyEffect::Allow,
                principals: vec![
                    "arn:aws:iam::111122223333:role/Analyst".into(),
                    "account 444455556666".into()
                ],
                access: vec![Read, Describe],
                conditional: false,
            }
        );
        assert_eq!(s.grants[1].principals, ["service glue.amazonaws.com"]);
        assert_eq!(s.grants[1].access, [Read, Write, Describe, Manage]);
        assert!(s.grants[1].conditional);
        // Everything but reading is denied to anyone (GetResourcePolicy is a Get* too).
        assert_eq!(s.grants[2].effect, PolicyEffect::Deny);
        assert_eq!(s.grants[2].principals, ["anyone"]);
        assert_eq!(s.grants[2].access, [Write, Describe, Manage]);
    }

    #[test]
    fn anyone_allowed_without_a_condition_is_public() {
        let s = summarise(
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "dynamodb:Scan"}}"#,
            None,
        );
        assert!(s.public);
        assert_eq!(s.grants[0].access, [Read]);
        let s = summarise(
            r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:Scan",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}}"#,
            None,
        );
        assert!(!s.public);
    }

    #[test]
    fn wildcards_case_and_unknown_actions() {
        assert!(matches_action("dynamodb:*Item", "PutItem"));
        assert!(matches_action("DynamoDB:getitem", "GetItem"));
        assert!(matches_action("*", "DeleteTable"));
        assert!(matches_action("dynamodb:Batch???Item", "BatchGetItem"));
        assert!(!matches_action("s3:*", "GetItem"));
        assert!(!matches_action("dynamodb:Get", "GetItem"));
        assert_eq!(levels(&["dynamodb:SomeFutureAction".into()]), [Manage]);
        assert_eq!(levels(&["s3:GetObject".into()]), Vec::<AccessLevel>::new());
    }

    #[test]
    fn what_cannot_be_summarised_is_a_note_without_the_document() {
        let s = summarise("not json {secret-ish}", None);
        assert!(s.grants.is_empty());
        let note = s.note.unwrap();
        assert!(!note.contains("secret"), "{note}");
        let s = summarise(
            r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"},
                {"Effect": "Allow", "Principal": {"AWS": "1"}, "Action": "dynamodb:Query"}]}"#,
            None,
        );
        assert_eq!(s.grants.len(), 1);
        assert!(!s.public);
        assert!(s.note.unwrap().starts_with("1 statement not summarised"));
    }

    #[test]
    fn a_long_policy_is_bounded() {
        let statements: Vec<String> = (0..80)
            .map(|i| {
                format!(
                    r#"{{"Effect": "Allow", "Principal": {{"AWS": [{}]}}, "Action": "dynamodb:Query"}}"#,
                    (0..30)
                        .map(|j| format!("\"arn:aws:iam::1:role/r{i}-{j}\""))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .collect();
        let s = summarise(
            &format!(r#"{{"Statement": [{}]}}"#, statements.join(",")),
            None,
        );
        assert_eq!(s.grants.len(), MAX_GRANTS);
        assert!(
            s.grants
                .iter()
                .all(|g| g.principals.len() == MAX_PRINCIPALS)
        );
        assert_eq!(
            s.note.as_deref(),
            Some("80 statements; the first 50 are summarised")
        );
    }
}
