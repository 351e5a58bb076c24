//! A table's time to live (DescribeTimeToLive): in its details, a line in its description, and
//! on the attribute it names, a description and the tag `DynamoDB.TimeToLive` (its column is
//! added when neither the keys nor the sample brought it: DynamoDB expires items only by a
//! number attribute).

use super::description::code_span;
use crate::catalog::{
    Column, DataType, LabelState, LabelType, SourceDetails, Table, TagLabel, TimeToLive,
};
use crate::dynamodb::model::TimeToLiveOutput;
use crate::manifest::{ClassificationDeclaration, TagDeclaration};

/// The connector's own classification (declared in its manifest), and its tag for the TTL
/// attribute.
pub const CLASSIFICATION: &str = "DynamoDB";
pub const TAG: &str = "TimeToLive";

pub fn classification() -> ClassificationDeclaration {
    ClassificationDeclaration {
        name: CLASSIFICATION.into(),
        description: "What DynamoDB itself does with a table's attributes, as the DynamoDB connector reads it.".into(),
        tags: vec![TagDeclaration {
            name: TAG.into(),
            description: "The table's time-to-live attribute: DynamoDB deletes an item soon after the epoch second it holds.".into(),
        }],
    }
}

fn label() -> TagLabel {
    TagLabel {
        classification: CLASSIFICATION.into(),
        tag: TAG.into(),
        tag_fqn: format!("{CLASSIFICATION}.{TAG}"),
        label_type: LabelType::Automated,
        state: LabelState::Confirmed,
    }
}

/// The longest column name OpenMetadata takes.
const MAX_NAME_CHARS: usize = 256;

pub fn apply(table: &mut Table, ttl: TimeToLiveOutput) {
    let on = matches!(ttl.status.as_str(), "ENABLED" | "ENABLING");
    let attribute = ttl.attribute_name.clone().filter(|a| !a.is_empty());
    if let Some(SourceDetails::DynamoDb(details)) = &mut table.details {
        details.time_to_live = Some(TimeToLive {
            status: ttl.status.clone(),
            attribute_name: attribute.clone(),
        });
    }
    let (true, Some(attribute)) = (on, attribute) else {
        return;
    };
    let status = ttl.status.to_ascii_lowercase();
    if let Some(description) = &mut table.description {
        description.push_str(&format!(
            "\nTime to live ({status}): an item expires after the epoch second in {}.\n",
            code_span(&attribute)
        ));
    }
    let note = format!(
        "Time to live ({status}): DynamoDB deletes the item soon after the epoch second this attribute holds."
    );
    let existing = table
        .columns
        .iter_mut()
        .find(|c| c.parent.is_none() && c.name == attribute);
    match existing {
        Some(column) => {
            column.description = Some(match column.description.take() {
                Some(d) => format!("{d} {note}"),
                None => note,
            });
            if !column.tags.iter().any(|t| t.tag_fqn == label().tag_fqn) {
                column.tags.push(label());
            }
        }
        None if usable_name(&attribute) => {
            let position = table.columns.iter().filter(|c| c.parent.is_none()).count() as u32 + 1;
            let mut column = Column::new(attribute, DataType::Number, "number", position);
            column.description = Some(note);
            column.tags.push(label());
            table.columns.push(column);
            if let Some(profile) = &mut table.profile {
                profile.column_count = position;
            }
        }
        // A name OpenMetadata would refuse: the table's description says it.
        None => {}
    }
}

fn usable_name(name: &str) -> bool {
    name.chars().count() <= MAX_NAME_CHARS && !name.contains("::") && !name.contains('"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DynamoDbTable, TableProfile};

    fn table() -> Table {
        Table {
            name: "sessions".into(),
            fully_qualified_name: "s.default.default.sessions".into(),
            database_schema: "s.default.default".into(),
            table_type: crate::catalog::TableType::Regular,
            description: Some("Sessions.\n".into()),
            columns: vec![Column::new("id", DataType::String, "string", 1)],
            table_constraints: Vec::new(),
            source_url: None,
            tags: Vec::new(),
            profile: Some(TableProfile {
                column_count: 1,
                ..TableProfile::default()
            }),
            details: Some(SourceDetails::DynamoDb(DynamoDbTable::default())),
            sampling: None,
            lineage: Vec::new(),
        }
    }

    fn ttl(status: &str, attribute: Option<&str>) -> TimeToLiveOutput {
        TimeToLiveOutput {
            status: status.into(),
            attribute_name: attribute.map(String::from),
        }
    }

    #[test]
    fn an_enabled_ttl_adds_its_attribute_as_a_number_column_with_a_description() {
        let mut t = table();
        apply(&mut t, ttl("ENABLED", Some("expires_at")));
        let column = &t.columns[1];
        assert_eq!(
            (
                column.name.as_str(),
                column.data_type,
                column.ordinal_position
            ),
            ("expires_at", DataType::Number, 2)
        );
        assert!(
            column
                .description
                .as_deref()
                .unwrap()
                .starts_with("Time to live (enabled)")
        );
        assert_eq!(t.profile.as_ref().unwrap().column_count, 2);
        assert_eq!(column.tags, [label()]);
        assert_eq!(column.tags[0].tag_fqn, "DynamoDB.TimeToLive");
        assert!(
            t.description
                .as_deref()
                .unwrap()
                .contains("an item expires after the epoch second in `expires_at`")
        );
        let Some(SourceDetails::DynamoDb(d)) = &t.details else {
            panic!()
        };
        assert_eq!(d.time_to_live.as_ref().unwrap().status, "ENABLED");
    }

    #[test]
    fn a_sampled_attribute_keeps_its_column_and_gains_the_note() {
        let mut t = table();
        let mut sampled = Column::new("ttl", DataType::Number, "number", 2);
        sampled.description = Some("Present in all 10 sampled values.".into());
        t.columns.push(sampled);
        apply(&mut t, ttl("ENABLING", Some("ttl")));
        assert_eq!(t.columns.len(), 2);
        assert!(
            t.columns[1]
                .description
                .as_deref()
                .unwrap()
                .starts_with("Present in all 10 sampled values. Time to live (enabling)")
        );
        assert_eq!(t.columns[1].tags, [label()]);
    }

    #[test]
    fn a_disabled_ttl_is_only_a_detail_and_a_bad_name_no_column() {
        let mut t = table();
        apply(&mut t, ttl("DISABLED", None));
        assert_eq!(t.columns.len(), 1);
        assert_eq!(t.description.as_deref(), Some("Sessions.\n"));
        let mut t = table();
        apply(&mut t, ttl("ENABLED", Some("a::b")));
        assert_eq!(t.columns.len(), 1);
        assert!(t.description.as_deref().unwrap().contains("`a::b`"));
    }
}
