//! What a table's operators know and its catalog usually does not: point-in-time recovery
//! (DescribeContinuousBackups), who may use it (GetResourcePolicy, summarised), where its changes
//! go (DescribeKinesisStreamingDestination) and whether its hot keys are watched
//! (DescribeContributorInsights). Each read lands in the table's details, and together they make
//! one section of its description, written once all were read. The section holds nothing that
//! moves while the table does not change (not the restore window), so the `sourceHash` holds.

use super::description::{code, escape};
use crate::catalog::{
    AccessLevel, ContinuousBackups, ContributorInsights, DynamoDbTable, KinesisDestination,
    PolicyEffect, SourceDetails, Table,
};
use crate::dynamodb::model::{
    ContinuousBackupsOutput, ContributorInsightsOutput, KinesisDestinationOutput,
    ResourcePolicyOutput,
};
use crate::time;
use std::fmt::Write;

/// Kinesis destinations kept at most (DynamoDB allows two per table).
const MAX_DESTINATIONS: usize = 8;

fn details(table: &mut Table) -> Option<&mut DynamoDbTable> {
    match &mut table.details {
        Some(SourceDetails::DynamoDb(d)) => Some(d),
        None => None,
    }
}

pub fn apply_backups(table: &mut Table, out: ContinuousBackupsOutput) {
    if let Some(d) = details(table) {
        let on = out.point_in_time_recovery == "ENABLED";
        d.continuous_backups = Some(ContinuousBackups {
            point_in_time_recovery: out.point_in_time_recovery,
            recovery_period_days: out
                .recovery_period_days
                .filter(|days| on && (1.0..=35.0).contains(days))
                .map(|days| days as u32),
            earliest_restorable: out
                .earliest_restorable
                .filter(|_| on)
                .and_then(time::rfc3339_from_epoch_seconds),
            latest_restorable: out
                .latest_restorable
                .filter(|_| on)
                .and_then(time::rfc3339_from_epoch_seconds),
        });
    }
}

/// `None`: the table has no policy.
pub fn apply_policy(table: &mut Table, out: Option<ResourcePolicyOutput>) {
    if let Some(d) = details(table) {
        d.resource_policy = Some(match out {
            Some(p) => super::policy::summarise(&p.policy, p.revision_id),
            None => Default::default(),
        });
    }
}

pub fn apply_kinesis(table: &mut Table, out: Vec<KinesisDestinationOutput>) {
    if let Some(d) = details(table) {
        d.kinesis_destinations = Some(
            out.into_iter()
                .take(MAX_DESTINATIONS)
                .map(|k| KinesisDestination {
                    stream_arn: k.stream_arn,
                    status: k.status,
                    precision: k.precision,
                })
                .collect(),
        );
    }
}

pub fn apply_insights(table: &mut Table, out: ContributorInsightsOutput) {
    if let Some(d) = details(table) {
        d.contributor_insights = Some(ContributorInsights {
            status: out.status,
            mode: out.mode,
        });
    }
}

/// The description's section for what was read; empty when nothing was.
pub fn section(d: &DynamoDbTable) -> String {
    let mut rows = String::new();
    let mut row = |name: &str, value: String| {
        let _ = writeln!(rows, "| {name} | {value} |");
    };
    if let Some(b) = &d.continuous_backups {
        row(
            "Point-in-time recovery",
            match (b.point_in_time_recovery.as_str(), b.recovery_period_days) {
                ("ENABLED", Some(days)) => format!("Enabled ({days}-day recovery period)"),
                ("ENABLED", None) => "Enabled".to_string(),
                ("DISABLED", _) => "Disabled".to_string(),
                (other, _) => escape(other),
            },
        );
    }
    if let Some(p) = &d.resource_policy {
        row("Resource-based policy", policy_cell(p));
    }
    if let Some(destinations) = &d.kinesis_destinations {
        row(
            "Kinesis data streams",
            if destinations.is_empty() {
                "None".to_string()
            } else {
                destinations
                    .iter()
                    .map(|k| match &k.status {
                        Some(status) => format!("{} ({})", code(&k.stream_arn), escape(status)),
                        None => code(&k.stream_arn),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
    }
    if let Some(c) = &d.contributor_insights {
        row(
            "Contributor Insights",
            match &c.mode {
                Some(mode) if c.status == "ENABLED" => {
                    format!("Enabled ({})", escape(mode))
                }
                _ => sentence_case(&c.status),
            },
        );
    }
    if rows.is_empty() {
        return String::new();
    }
    format!("\n\n### Operations and access\n\n| Property | Value |\n|---|---|\n{rows}")
}

fn policy_cell(p: &crate::catalog::ResourcePolicy) -> String {
    if !p.attached {
        return "None".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    if p.public {
        parts.push("**Public**: anyone may use it without a condition".to_string());
    }
    for g in &p.grants {
        let verb = match g.effect {
            PolicyEffect::Allow => "may",
            PolicyEffect::Deny => "may not",
        };
        let access: Vec<&str> = g
            .access
            .iter()
            .map(|a| match a {
                AccessLevel::Read => "read",
                AccessLevel::Write => "write",
                AccessLevel::Describe => "describe",
                AccessLevel::Manage => "manage",
            })
            .collect();
        let who: Vec<String> = g
            .principals
            .iter()
            .map(|p| {
                if p.starts_with("arn:") {
                    code(p)
                } else {
                    escape(p)
                }
            })
            .collect();
        parts.push(format!(
            "{} {verb} {}{}",
            who.join(", "),
            access.join(", "),
            if g.conditional {
                " (with conditions)"
            } else {
                ""
            }
        ));
    }
    if let Some(note) = &p.note {
        parts.push(escape(note));
    }
    if parts.is_empty() {
        return "Attached; no statement applies to DynamoDB".to_string();
    }
    parts.join("; ")
}

/// `ENABLED` → `Enabled`.
fn sentence_case(status: &str) -> String {
    let lower = status.to_ascii_lowercase().replace('_', " ");
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "orders".into(),
            fully_qualified_name: "s.default.default.orders".into(),
            database_schema: "s.default.default".into(),
            table_type: crate::catalog::TableType::Regular,
            description: Some("Orders.\n".into()),
            columns: Vec::new(),
            table_constraints: Vec::new(),
            source_url: None,
            tags: Vec::new(),
            profile: None,
            details: Some(SourceDetails::DynamoDb(DynamoDbTable::default())),
            sampling: None,
            lineage: Vec::new(),
        }
    }

    fn dynamodb(t: &Table) -> &DynamoDbTable {
        match &t.details {
            Some(SourceDetails::DynamoDb(d)) => d,
            None => panic!("no details"),
        }
    }

    #[test]
    fn nothing_read_is_no_section() {
        assert_eq!(section(&DynamoDbTable::default()), "");
    }

    #[test]
    fn each_read_is_a_detail_and_a_row() {
        let mut t = table();
        apply_backups(
            &mut t,
            ContinuousBackupsOutput {
                status: "ENABLED".into(),
                point_in_time_recovery: "ENABLED".into(),
                recovery_period_days: Some(35.0),
                earliest_restorable: Some(1_700_000_000.5),
                latest_restorable: Some(1_700_086_400.0),
            },
        );
        apply_policy(
            &mut t,
            Some(ResourcePolicyOutput {
                policy: r#"{"Statement": [{"Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reader"},
                    "Action": ["dynamodb:GetItem", "dynamodb:Query"]}]}"#
                    .into(),
                revision_id: Some("1".into()),
            }),
        );
        apply_kinesis(
            &mut t,
            vec![KinesisDestinationOutput {
                stream_arn: "arn:aws:kinesis:us-east-1:1:stream/orders".into(),
                status: Some("ACTIVE".into()),
                status_description: None,
                precision: Some("MILLISECOND".into()),
            }],
        );
        apply_insights(
            &mut t,
            ContributorInsightsOutput {
                status: "ENABLED".into(),
                mode: Some("THROTTLED_KEYS".into()),
            },
        );
        let d = dynamodb(&t);
        let backups = d.continuous_backups.as_ref().unwrap();
        assert_eq!(
            backups.earliest_restorable.as_deref(),
            Some("2023-11-14T22:13:20.500Z")
        );
        assert_eq!(backups.recovery_period_days, Some(35));
        let md = section(d);
        assert!(md.starts_with("\n\n### Operations and access\n"), "{md}");
        assert!(md.contains("| Point-in-time recovery | Enabled (35-day recovery period) |"));
        assert!(md.contains(
            "| Resource-based policy | `arn:aws:iam::111122223333:role/Reader` may read |"
        ));
        assert!(md.contains(
            "| Kinesis data streams | `arn:aws:kinesis:us-east-1:1:stream/orders` (ACTIVE) |"
        ));
        assert!(md.contains("| Contributor Insights | Enabled (THROTTLED_KEYS) |"));
        // The restore window moves every second: not in the description.
        assert!(!md.contains("2023"));
    }

    #[test]
    fn absent_and_off_read_plainly() {
        let mut t = table();
        apply_backups(
            &mut t,
            ContinuousBackupsOutput {
                status: "ENABLED".into(),
                point_in_time_recovery: "DISABLED".into(),
                recovery_period_days: Some(35.0),
                earliest_restorable: Some(1.0),
                latest_restorable: None,
            },
        );
        apply_policy(&mut t, None);
        apply_kinesis(&mut t, Vec::new());
        apply_insights(
            &mut t,
            ContributorInsightsOutput {
                status: "DISABLED".into(),
                mode: None,
            },
        );
        let d = dynamodb(&t);
        assert_eq!(
            d.continuous_backups.as_ref().unwrap().earliest_restorable,
            None
        );
        assert!(!d.resource_policy.as_ref().unwrap().attached);
        let md = section(d);
        assert!(md.contains("| Point-in-time recovery | Disabled |"));
        assert!(md.contains("| Resource-based policy | None |"));
        assert!(md.contains("| Kinesis data streams | None |"));
        assert!(md.contains("| Contributor Insights | Disabled |"));
    }

    #[test]
    fn a_public_policy_says_so_first() {
        let mut t = table();
        apply_policy(
            &mut t,
            Some(ResourcePolicyOutput {
                policy: r#"{"Statement": {"Effect": "Allow", "Principal": "*",
                    "Action": "dynamodb:*"}}"#
                    .into(),
                revision_id: None,
            }),
        );
        let md = section(dynamodb(&t));
        assert!(md.contains(
            "| Resource-based policy | **Public**: anyone may use it without a condition; anyone may read, write, describe, manage |"
        ), "{md}");
    }
}
