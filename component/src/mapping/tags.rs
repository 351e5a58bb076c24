//! DynamoDB tags → OpenMetadata tag labels: each tag key is a classification, each value a tag
//! of it (`env=prod` → `env.prod`), as OpenMetadata maps database tags of other sources.

use crate::catalog::{LabelState, LabelType, TagLabel};
use crate::dynamodb::model::Tag;
use crate::fqn;

/// OpenMetadata's limit on a tag FQN.
const MAX_TAG_FQN_CHARS: usize = 128;

/// The labels, and a note for each tag that cannot be one. Keys under `aws:` are AWS's own
/// (CloudFormation stack ids and the like) and are left out without a note.
pub fn labels(tags: &[Tag]) -> (Vec<TagLabel>, Vec<String>) {
    let mut labels: Vec<TagLabel> = Vec::new();
    let mut notes = Vec::new();
    for tag in tags {
        if tag.key.starts_with("aws:") {
            continue;
        }
        let why_not = if tag.value.trim().is_empty() {
            Some("has an empty value".to_string())
        } else if tag.key.contains("::") || tag.value.contains("::") {
            Some("contains `::`".to_string())
        } else {
            None
        };
        if let Some(why) = why_not {
            notes.push(format!("tag `{}` {why}; not ingested", tag.key));
            continue;
        }
        let tag_fqn = match fqn::build(&[&tag.key, &tag.value]) {
            Ok(f) if f.chars().count() <= MAX_TAG_FQN_CHARS => f,
            Ok(_) => {
                notes.push(format!(
                    "tag `{}` is longer than OpenMetadata's {MAX_TAG_FQN_CHARS} characters; not ingested",
                    tag.key
                ));
                continue;
            }
            Err(e) => {
                notes.push(format!("tag `{}`: {e}; not ingested", tag.key));
                continue;
            }
        };
        if labels.iter().all(|l| l.tag_fqn != tag_fqn) {
            labels.push(TagLabel {
                classification: tag.key.clone(),
                tag: tag.value.clone(),
                tag_fqn,
                label_type: LabelType::Automated,
                state: LabelState::Confirmed,
            });
        }
    }
    (labels, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn keys_are_classifications_and_values_tags() {
        let (labels, notes) = labels(&[
            tag("env", "prod"),
            tag("team.name", "data"),
            tag("aws:cloudformation:stack-name", "x"),
        ]);
        assert!(notes.is_empty());
        assert_eq!(
            labels,
            vec![
                TagLabel {
                    classification: "env".into(),
                    tag: "prod".into(),
                    tag_fqn: "env.prod".into(),
                    label_type: LabelType::Automated,
                    state: LabelState::Confirmed,
                },
                TagLabel {
                    classification: "team.name".into(),
                    tag: "data".into(),
                    tag_fqn: "\"team.name\".data".into(),
                    label_type: LabelType::Automated,
                    state: LabelState::Confirmed,
                },
            ]
        );
    }

    #[test]
    fn unmappable_tags_are_noted() {
        let (labels, notes) = labels(&[tag("owner", ""), tag("k", &"v".repeat(200))]);
        assert!(labels.is_empty());
        assert_eq!(notes.len(), 2);
        assert!(notes[0].contains("empty value"));
        assert!(notes[1].contains("128"));
    }
}
