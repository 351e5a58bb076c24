use super::*;
use crate::catalog::TagLabel;
use serde_json::json;

fn key_column() -> Column {
    Column::new("id", DataType::String, "string", 1)
}

fn summary(columns: &[Column]) -> Vec<(String, DataType, String, Option<u32>, u32)> {
    columns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.data_type,
                c.data_type_display.clone(),
                c.parent,
                c.ordinal_position,
            )
        })
        .collect()
}

#[test]
fn every_dynamodb_type_maps_to_a_column() {
    let items = vec![json!({
        "id": {"S": "1"},
        "name": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "AQI="}, "ok": {"BOOL": true},
        "nothing": {"NULL": true}, "ss": {"SS": ["a"]}, "ns": {"NS": ["1"]}, "bs": {"BS": ["AQI="]},
        "list": {"L": [{"S": "x"}, {"S": "y"}]},
        "mixed_list": {"L": [{"S": "x"}, {"N": "1"}]},
        "address": {"M": {"city": {"S": "Lyon"}, "geo": {"M": {"lat": {"N": "45.7"}}}}}
    })];
    let inferred = infer(&items, &[key_column()]);
    use DataType::*;
    assert_eq!(
        summary(&inferred.columns),
        vec![
            ("address".into(), Map, "map".into(), None, 2),
            ("city".into(), String, "string".into(), Some(1), 1),
            ("geo".into(), Map, "map".into(), Some(1), 2),
            ("lat".into(), Number, "number".into(), Some(3), 1),
            ("b".into(), Binary, "binary".into(), None, 3),
            ("bs".into(), Set, "set<binary>".into(), None, 4),
            ("list".into(), Array, "array<string>".into(), None, 5),
            (
                "mixed_list".into(),
                Array,
                "array<union<number,string>>".into(),
                None,
                6
            ),
            ("n".into(), Number, "number".into(), None, 7),
            ("name".into(), String, "string".into(), None, 8),
            ("nothing".into(), Null, "null".into(), None, 9),
            ("ns".into(), Set, "set<number>".into(), None, 10),
            ("ok".into(), Boolean, "boolean".into(), None, 11),
            ("ss".into(), Set, "set<string>".into(), None, 12),
        ]
    );
    assert_eq!(inferred.columns[5].array_data_type, Some(DataType::Binary));
    assert_eq!(inferred.columns[6].array_data_type, Some(DataType::String));
}

#[test]
fn mixed_types_are_unions_and_sparse_attributes_are_kept() {
    let items = vec![
        json!({"id": {"S": "1"}, "v": {"S": "x"}, "maybe": {"N": "1"}}),
        json!({"id": {"S": "2"}, "v": {"N": "2"}, "maybe": {"NULL": true}}),
        json!({"id": {"S": "3"}, "v": {"S": "z"}}),
    ];
    let inferred = infer(&items, &[key_column()]);
    let maybe = &inferred.columns[0];
    assert_eq!(maybe.name, "maybe");
    assert_eq!(maybe.data_type, DataType::Number);
    assert_eq!(
        maybe.description.as_deref(),
        Some("Present in 2 of 3 sampled values. Sometimes NULL.")
    );
    let v = &inferred.columns[1];
    assert_eq!(v.data_type, DataType::Union);
    assert_eq!(v.data_type_display, "union<number,string>");
    assert_eq!(
        v.description.as_deref(),
        Some("Present in all 3 sampled values.")
    );
}

#[test]
fn lists_of_maps_get_children_and_indexes_continue_the_declared_columns() {
    let items =
        vec![json!({"lines": {"L": [{"M": {"sku": {"S": "A"}}}, {"M": {"qty": {"N": "2"}}}]}})];
    let declared = vec![key_column(), key_column()];
    let inferred = infer(&items, &declared);
    assert_eq!(inferred.columns[0].data_type_display, "array<map>");
    assert_eq!(inferred.columns[1].name, "qty");
    assert_eq!(inferred.columns[1].parent, Some(2));
    assert_eq!(
        inferred.columns[1].description.as_deref(),
        Some("Present in 1 of 2 sampled values.")
    );
}

#[test]
fn garbage_does_not_panic() {
    let items = vec![
        json!(42),
        json!({"a": 1}),
        json!({"b": {}}),
        json!({"c": {"L": [1, {"Q": 2}]}}),
    ];
    let inferred = infer(&items, &[]);
    assert_eq!(
        summary(&inferred.columns),
        vec![
            ("a".into(), DataType::Unknown, "unknown".into(), None, 1),
            ("b".into(), DataType::Unknown, "unknown".into(), None, 2),
            (
                "c".into(),
                DataType::Array,
                "array<unknown>".into(),
                None,
                3
            ),
        ]
    );
}

fn column<'a>(columns: &'a [Column], name: &str) -> &'a Column {
    columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn coverage_and_histograms_say_how_much_of_the_sample_had_what() {
    let items = vec![
        json!({"id": {"S": "a"}, "v": {"S": "x"}, "rare": {"N": "1"}}),
        json!({"id": {"S": "b"}, "v": {"N": "2"}}),
        json!({"id": {"S": "c"}, "v": {"S": "zz"}, "rare": {"NULL": true}}),
        json!({"id": {"S": "d"}, "v": {"S": "x"}}),
    ];
    let mut columns = vec![key_column()];
    let mut sampler = Sampler::new(Options::default());
    for item in &items {
        sampler.observe(item);
    }
    let inferred = sampler.finish(&mut columns);
    let v = column(&inferred.columns, "v");
    assert_eq!(v.data_type, DataType::Union);
    assert_eq!(v.data_type_display, "union<number,string>");
    let coverage = v.coverage.as_ref().unwrap();
    assert_eq!((coverage.sampled, coverage.present), (4, 4));
    let histogram: Vec<(&str, u32)> = coverage
        .types
        .iter()
        .map(|t| (t.type_name.as_str(), t.values))
        .collect();
    assert_eq!(histogram, [("string", 3), ("number", 1)]);
    let rare = column(&inferred.columns, "rare");
    let profile = rare.profile.as_ref().unwrap();
    // missing counts as null, as does NULL
    assert_eq!((profile.values_count, profile.null_count), (4, 3));
    assert_eq!((profile.min, profile.max), (Some(1.0), Some(1.0)));
    let v_profile = v.profile.as_ref().unwrap();
    assert_eq!(v_profile.distinct_count, Some(3));
    assert_eq!(v_profile.unique_count, Some(2));
    assert_eq!(
        (v_profile.min_length, v_profile.max_length),
        (Some(1), Some(2))
    );
    assert_eq!(v_profile.mean_length, Some(4.0 / 3.0));
    // the key column gets its coverage and profile too
    let id = &columns[0];
    assert_eq!(id.profile.as_ref().unwrap().distinct_count, Some(4));
    assert_eq!(id.coverage.as_ref().unwrap().present, 4);
}

#[test]
fn columns_do_not_depend_on_the_order_of_the_items() {
    let items = vec![
        json!({"a": {"S": "x"}, "m": {"M": {"p": {"N": "1"}}}}),
        json!({"a": {"N": "3"}, "z": {"L": [{"M": {"q": {"S": "y"}}}]}}),
        json!({"b": {"SS": ["u", "v"]}, "m": {"M": {"r": {"BOOL": true}}}}),
    ];
    let forward = infer(&items, &[]).columns;
    let mut reversed_items = items.clone();
    reversed_items.reverse();
    let reversed = infer(&reversed_items, &[]).columns;
    assert_eq!(forward, reversed);
}

#[test]
fn pii_in_values_is_labelled_suggested_and_keeps_no_min_or_max() {
    let items: Vec<Value> = (0..20)
        .map(|i| {
            json!({
                "contact": {"S": format!("person{i}@example.com")},
                "card": {"N": "4111111111111111"},
                "note": {"S": format!("note {i}")}
            })
        })
        .collect();
    let inferred = infer(&items, &[]);
    let contact = column(&inferred.columns, "contact");
    assert_eq!(
        contact.tags,
        vec![TagLabel {
            classification: "PII".into(),
            tag: "Sensitive".into(),
            tag_fqn: "PII.Sensitive".into(),
            label_type: LabelType::Automated,
            state: LabelState::Suggested,
        }]
    );
    assert!(
        contact
            .description
            .as_deref()
            .unwrap()
            .contains("PII: Sensitive (email address; recogniser value:email, confidence"),
        "{:?}",
        contact.description
    );
    let card = column(&inferred.columns, "card");
    assert_eq!(card.tags.len(), 1);
    let profile = card.profile.as_ref().unwrap();
    assert_eq!((profile.min, profile.max), (None, None));
    assert!(column(&inferred.columns, "note").tags.is_empty());
    // No sampled value in anything the sample produced.
    let text = format!("{:?}", inferred.columns);
    assert!(!text.contains("example.com") && !text.contains("4111111111111111"));
}

#[test]
fn pii_classification_can_be_turned_off_and_the_cap_applies() {
    let items = [json!({"email": {"S": "a@example.com"}, "x": {"S": "1"}, "y": {"S": "2"}})];
    let mut sampler = Sampler::new(Options {
        max_columns: 2,
        pii_threshold: None,
    });
    sampler.observe(&items[0]);
    let inferred = sampler.finish(&mut Vec::new());
    assert_eq!(inferred.columns.len(), 2);
    assert!(inferred.column_cap_reached);
    assert!(inferred.columns.iter().all(|c| c.tags.is_empty()));
    assert_eq!(
        inferred.notes,
        ["more than 2 attributes in the sample; the rest are not ingested"]
    );
}

#[test]
fn new_paths_are_noticed_and_counted_since() {
    let mut sampler = Sampler::new(Options::default());
    assert!(sampler.observe(&json!({"a": {"S": "1"}})));
    assert!(!sampler.observe(&json!({"a": {"S": "2"}})));
    assert!(!sampler.observe(&json!({"a": {"S": "3"}})));
    assert_eq!(sampler.since_new_path(), 2);
    assert!(sampler.observe(&json!({"a": {"M": {"b": {"N": "1"}}}})));
    assert_eq!(sampler.since_new_path(), 0);
    assert!(sampler.observe(&json!({"l": {"L": [{"M": {"c": {"S": "x"}}}]}})));
    assert_eq!(sampler.items(), 5);
}
