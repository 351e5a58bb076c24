//! OpenMetadata's other two workflows over a DynamoDB service, from their own YAML, into the
//! stand-in at every server version: the profiler (`type: Profiler`, processor
//! `orm-profiler`) stores profiles on the tables the metadata workflow made, the
//! auto-classification (`type: AutoClassification`, 1.6+; the 1.3 profiler's
//! `processPiiSensitive` before it) adds PII tags to their columns with one JSON Patch, and
//! neither creates or rewrites anything else. The YAMLs are checked against each version's
//! pipeline schema, as OpenMetadata's docs give them.

use super::sampling::{column, tags};
use e2e::admin::Admin;
use e2e::host;
use e2e::openmetadata::{OpenMetadata, SERVER_VERSIONS};
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::{Value, json};
use std::sync::OnceLock;

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

const KEY: &str = "AKIDPROFILER";
const ITEMS: u32 = 40;
const TABLE: &str = "profiled.default.default.people";

fn seed(admin: &Admin) {
    admin.create_table("people", &[("id", "S", "HASH")]);
    for i in 0..ITEMS {
        let email = format!("zq.profiled.{i:03}@example.org");
        host::register_secret(&email);
        admin.put_item(
            "people",
            json!({
                "id": {"S": format!("p{i:03}")},
                "contact": {"S": email},
                "note": {"S": format!("day {i}")},
                "score": {"N": i.to_string()},
            }),
        );
    }
}

/// The pipeline's `sourceConfig.config` against the version's own schema (1.6+; 1.3's set
/// holds no pipeline schema but the metadata one).
fn assert_valid_pipeline(version: &str, schema: &str, config: &Value) {
    if version == SERVER_VERSIONS[0] {
        return;
    }
    let dir = match version {
        "2.0.7" => "openmetadata-2.0/generated".to_string(),
        v => format!("openmetadata-{}", &v[..3]),
    };
    let path = e2e::workspace_root()
        .join("tests/schemas")
        .join(dir)
        .join(format!("{schema}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let validator = e2e::schema::compile_as(
        schema,
        &serde_json::from_str(&text).unwrap(),
        jsonschema::Draft::Draft7,
    );
    e2e::schema::check(schema, &validator, config).unwrap_or_else(|e| panic!("{version}: {e}"));
}

fn run(workflow: &Workflow, extra: &str) -> host::Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workflow.yaml");
    std::fs::write(&path, format!("{}{extra}", workflow.yaml())).unwrap();
    host::run(&["ingest", "-c", path.to_str().unwrap()])
}

fn base(om: &OpenMetadata) -> Workflow {
    let mut workflow = Workflow::new("profiled", &server().endpoint(), KEY)
        .without_tags()
        .into_openmetadata(om);
    workflow.source_config.clear();
    workflow
}

fn writes(om: &OpenMetadata) -> Vec<String> {
    om.calls()
        .iter()
        .filter(|c| c.method != "GET")
        .map(|c| format!("{} {}", c.method, c.path))
        .collect()
}

#[test]
fn the_profiler_and_auto_classification_write_only_what_they_own_at_every_version() {
    let admin = Admin::new(&server().endpoint(), KEY);
    seed(&admin);
    for version in SERVER_VERSIONS {
        let om = OpenMetadata::builder().version(version).start();
        let v2 = version.starts_with('2');
        // 2.0: dynamic tiers (40 items reach the 30 threshold: 50 %); 1.x: 20 rows for the
        // pipeline, and 10 for `people` in the processor's tableConfig, which wins.
        let profiler_json = if v2 {
            json!({"type": "Profiler", "profileSampleConfig": {"sampleConfigType": "DYNAMIC",
                   "config": {"thresholds": [
                       {"rowCountThreshold": 30, "profileSample": 50, "profileSampleType": "PERCENTAGE"},
                       {"rowCountThreshold": 100000, "profileSample": 5, "profileSampleType": "ROWS"}]}},
                   "metrics": ["valuesCount", "nullCount", "rowCount", "min", "max"]})
        } else {
            json!({"type": "Profiler", "profileSample": 20, "profileSampleType": "ROWS"})
        };
        let profiler_config = if v2 {
            "      type: Profiler\n      profileSampleConfig:\n        sampleConfigType: DYNAMIC\n        config:\n          thresholds:\n            - {rowCountThreshold: 30, profileSample: 50, profileSampleType: PERCENTAGE}\n            - {rowCountThreshold: 100000, profileSample: 5, profileSampleType: ROWS}\n      metrics: [valuesCount, nullCount, rowCount, min, max]\n"
        } else {
            "      type: Profiler\n      profileSample: 20\n      profileSampleType: ROWS\n"
        };
        let table_sample = if v2 {
            ""
        } else {
            "        profileSample: 10\n        profileSampleType: ROWS\n"
        };
        let processor = format!(
            "processor:\n  type: orm-profiler\n  config:\n    tableConfig:\n      - fullyQualifiedName: profiled.default.default.people\n{table_sample}        columnConfig:\n          excludeColumns: [note]\n"
        );
        let processor = processor.as_str();
        let profiler = base(&om).source_config(profiler_config);
        assert_valid_pipeline(version, "databaseServiceProfilerPipeline", &profiler_json);

        // Before the metadata workflow: the service is not there, nothing is created.
        let early = run(&profiler, processor);
        assert_eq!(early.code(), 1, "{version}: {}", early.stderr);
        assert!(
            early.stderr.contains("run the metadata workflow first"),
            "{}",
            early.stderr
        );
        assert!(writes(&om).is_empty(), "{version}: {:?}", writes(&om));

        // The metadata workflow, sampling the attributes as columns (no PII tags).
        let metadata = base(&om)
            .source_config("      type: DatabaseMetadata\n      includeTags: false\n")
            .connection(
                "      connectionOptions:\n        sampleSize: 100\n        classifyPii: false\n",
            );
        let made = run(&metadata, "");
        assert_eq!(made.code(), 0, "{version}: {}", made.stderr);
        let first = version == SERVER_VERSIONS[0];
        if first {
            // A table the metadata workflow has not seen yet: a warning, not a failure.
            admin.create_table("late", &[("id", "S", "HASH")]);
        }
        let before = om.table(TABLE).unwrap();
        let profiles_before = om.profiles(TABLE).len();
        om.reset_calls();

        // The profiler: one profile, nothing else written.
        let profiled = run(
            &profiler,
            &format!("{processor}ingestionPipelineFQN: profiled.people_profiler\n"),
        );
        assert_eq!(profiled.code(), 0, "{version}: {}", profiled.stderr);
        let expected = if first {
            "Profiles: 1 stored; 1 tables not in OpenMetadata; 0 sampled attributes not columns in OpenMetadata"
        } else {
            "Profiles: 2 stored; 0 tables not in OpenMetadata; 0 sampled attributes not columns in OpenMetadata"
        };
        assert!(
            profiled.stderr.contains(expected),
            "{version}: {}",
            profiled.stderr
        );
        if first {
            assert!(
                profiled
                    .stderr
                    .contains("late: not in OpenMetadata (run the metadata workflow first)"),
                "{}",
                profiled.stderr
            );
        }
        let table_writes: Vec<String> = writes(&om)
            .into_iter()
            .filter(|w| !w.contains("ingestionPipelines"))
            .collect();
        let id = before["id"].as_str().unwrap();
        assert!(
            table_writes.contains(&format!("PUT /api/v1/tables/{id}/tableProfile")),
            "{version}: {table_writes:?}"
        );
        assert!(
            table_writes
                .iter()
                .all(|w| w.starts_with("PUT /api/v1/tables/") && w.ends_with("/tableProfile")),
            "{version}: only profiles: {table_writes:?}"
        );
        assert_eq!(table_writes.len(), if first { 1 } else { 2 }, "{version}");
        assert_eq!(
            om.table(TABLE).unwrap(),
            before,
            "{version}: the table is untouched"
        );
        let profiles = om.profiles(TABLE);
        assert_eq!(profiles.len(), profiles_before + 1, "{version}");
        let sent = profiles.last().unwrap();
        let columns = sent["columnProfile"].as_array().unwrap();
        let names: Vec<&str> = columns
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"note"), "{version}: excluded: {names:?}");
        assert!(
            names.contains(&"contact") && names.contains(&"id"),
            "{names:?}"
        );
        let id_profile = columns.iter().find(|c| c["name"] == "id").unwrap();
        // 50 % of DynamoDB's ItemCount (40), or the table's own 10 rows.
        let sampled = if v2 { 20.0 } else { 10.0 };
        assert_eq!(
            id_profile["valuesCount"], sampled,
            "{version}: {id_profile}"
        );
        if v2 {
            // Only the metrics asked for (and the fields that are not metrics).
            assert!(id_profile.get("distinctCount").is_none(), "{id_profile}");
            assert!(sent["tableProfile"].get("columnCount").is_none(), "{sent}");
        } else {
            assert!(id_profile.get("distinctCount").is_some(), "{id_profile}");
        }
        assert_eq!(sent["tableProfile"]["rowCount"], 40.0, "{version}: {sent}");
        let pipeline = om.ingestion_pipeline("profiled.people_profiler").unwrap();
        assert_eq!(pipeline["pipelineType"], "profiler", "{version}");
        assert_eq!(pipeline["sourceConfig"]["config"]["type"], "Profiler");
        let statuses = om.pipeline_statuses("profiled.people_profiler");
        assert_eq!(
            statuses.last().unwrap()["pipelineState"],
            "success",
            "{version}"
        );

        // Auto-classification (the 1.3 profiler's `processPiiSensitive` before 1.6): one
        // PATCH that tags `contact`; description, columns and the rest stay.
        let classification_json = json!({"type": "AutoClassification", "storeSampleData": false,
            "enableAutoClassification": true, "confidence": 80, "sampleDataCount": 50});
        let classification_config = if version == SERVER_VERSIONS[0] {
            "      type: Profiler\n      processPiiSensitive: true\n      confidence: 80\n      computeMetrics: false\n"
        } else {
            "      type: AutoClassification\n      storeSampleData: false\n      enableAutoClassification: true\n      confidence: 80\n      sampleDataCount: 50\n"
        };
        assert_valid_pipeline(
            version,
            "databaseServiceAutoClassificationPipeline",
            &classification_json,
        );
        let classifier = base(&om).source_config(classification_config);
        let processor = "processor:\n  type: orm-profiler\n  config: {}\n";
        let pipeline_fqn = if first {
            String::new()
        } else {
            "ingestionPipelineFQN: profiled.people_pii\n".to_string()
        };
        om.reset_calls();
        let profiles_before = om.profiles(TABLE).len();
        let classified = run(&classifier, &format!("{processor}{pipeline_fqn}"));
        assert_eq!(classified.code(), 0, "{version}: {}", classified.stderr);
        assert!(
            classified
                .stderr
                .contains("PII: 1 columns tagged in 1 tables"),
            "{version}: {}",
            classified.stderr
        );
        let patches: Vec<String> = writes(&om)
            .into_iter()
            .filter(|w| w.starts_with("PATCH"))
            .collect();
        assert_eq!(patches, [format!("PATCH /api/v1/tables/{id}")], "{version}");
        // Every other write: OpenMetadata's PII classification and its two tags when the
        // server lacks them (the metadata run did not classify), and the pipeline's status.
        for call in om.calls().iter().filter(|c| c.method != "GET") {
            let allowed = match call.path.as_str() {
                "/api/v1/classifications" => call.body.as_ref().unwrap()["name"] == "PII",
                "/api/v1/tags" => {
                    let body = call.body.as_ref().unwrap();
                    body["classification"] == "PII"
                        && ["Sensitive", "NonSensitive"].contains(&body["name"].as_str().unwrap())
                }
                path => {
                    path.starts_with("/api/v1/services/ingestionPipelines")
                        || call.method == "PATCH"
                }
            };
            assert!(allowed, "{version}: {} {}", call.method, call.path);
        }
        // `computeMetrics: false` (1.3) and auto-classification store no profile.
        assert_eq!(om.profiles(TABLE).len(), profiles_before, "{version}");
        if !first {
            let pipeline = om.ingestion_pipeline("profiled.people_pii").unwrap();
            assert_eq!(pipeline["pipelineType"], "autoClassification", "{version}");
        }
        let after = om.table(TABLE).unwrap();
        // Automated and Suggested, as OpenMetadata's auto-classification labels them.
        assert_eq!(
            tags(column(&after, "contact")),
            ["PII.Sensitive"],
            "{version}"
        );
        assert_eq!(after["description"], before["description"], "{version}");
        assert_eq!(
            after["columns"].as_array().unwrap().len(),
            before["columns"].as_array().unwrap().len()
        );
        assert!(
            column(&after, "note")
                .get("tags")
                .is_none_or(|t| t == &json!([]))
        );

        // Again: the column has its PII tag, so nothing is sent.
        om.reset_calls();
        let again = run(&classifier, processor);
        assert_eq!(again.code(), 0, "{version}: {}", again.stderr);
        assert!(
            again.stderr.contains("PII: 0 columns tagged in 0 tables"),
            "{version}: {}",
            again.stderr
        );
        assert!(
            !writes(&om).iter().any(|w| w.starts_with("PATCH")),
            "{version}: {:?}",
            writes(&om)
        );
        // Only the tables whose tags in OpenMetadata pass `classificationFilterPattern`.
        let filtered = base(&om).source_config(&format!(
            "{classification_config}      classificationFilterPattern:\n        includes: ['^tier1']\n"
        ));
        let left_out = run(&filtered, processor);
        assert_eq!(left_out.code(), 0, "{version}: {}", left_out.stderr);
        assert!(
            left_out
                .stderr
                .contains("classificationFilterPattern: 1 tables left out by their tags"),
            "{version}: {}",
            left_out.stderr
        );
        assert!(
            om.schema_violations().is_empty(),
            "{version}: {:?}",
            om.schema_violations()
        );
        for output in [&profiled.stderr, &profiled.stdout, &classified.stderr] {
            host::assert_no_secrets(version, output);
        }
    }
}

#[test]
fn a_pipelines_foreign_field_or_unknown_metric_is_refused_before_any_run() {
    let om = OpenMetadata::start();
    let profiler = base(&om).source_config("      type: Profiler\n      markDeletedTables: true\n");
    let refused = run(&profiler, "");
    assert_eq!(refused.code(), 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("source.sourceConfig.config.markDeletedTables"),
        "{}",
        refused.stderr
    );
    let metric = base(&om).source_config("      type: Profiler\n      metrics: [meen]\n");
    let refused = run(&metric, "");
    assert_eq!(refused.code(), 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("`meen` is not one of OpenMetadata's metrics"),
        "{}",
        refused.stderr
    );
    let thresholds = base(&om).source_config(
        "      type: Profiler\n      profileSampleConfig:\n        sampleConfigType: DYNAMIC\n        config:\n          thresholds:\n            - {rowCountThreshold: 0, profileSample: 10}\n",
    );
    // The connector reads the document: its refusal stops the run before any request.
    let refused = run(&thresholds, "");
    assert_eq!(refused.code(), 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("sourceConfig.profileSampleConfig")
            && refused.stderr.contains("rowCountThreshold"),
        "{}",
        refused.stderr
    );
    assert!(om.calls().is_empty());
}

#[test]
fn local_sinks_get_each_tables_profile_and_pii_tags_and_the_unhonoured_options_are_named() {
    // Its own server: the other test counts the tables it lists.
    let server = Server::start(Kind::DynamoDbLocal);
    let admin = Admin::new(&server.endpoint(), KEY);
    admin.create_table("local_people", &[("id", "S", "HASH")]);
    for i in 0..10 {
        let email = format!("zq.local.{i:03}@example.org");
        host::register_secret(&email);
        admin.put_item(
            "local_people",
            json!({"id": {"S": format!("l{i}")}, "contact": {"S": email}, "note": {"S": "n"}}),
        );
    }
    let workflow = Workflow::new("profiled", &server.endpoint(), KEY).source_config(
        "      processPiiSensitive: true\n      generateSampleData: true\n      classificationFilterPattern:\n        includes: [Tier1]\n      tableFilterPattern:\n        includes: ['^local_people$']\n",
    );
    let mut workflow = workflow;
    workflow.source_config = workflow
        .source_config
        .replace("DatabaseMetadata", "Profiler");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workflow.yaml");
    std::fs::write(
        &path,
        format!(
            "{}processor:\n  type: orm-profiler\n  config:\n    tableConfig:\n      - fullyQualifiedName: profiled.default.default.local_people\n        columnConfig:\n          includeColumns:\n            - columnName: contact\n              metrics: [valuesCount]\n",
            workflow.yaml()
        ),
    )
    .unwrap();
    let out = host::run(&["ingest", "-c", path.to_str().unwrap(), "-o", "-"]);
    assert_eq!(out.code(), 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("stores no sample data"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("`classificationFilterPattern` is not applied"),
        "{}",
        out.stderr
    );
    let records: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["table"], "profiled.default.default.local_people");
    // Only `contact`, with only the metric its `includeColumns` entry names.
    let columns = record["profile"]["columnProfile"].as_array().unwrap();
    assert_eq!(columns.len(), 1, "{columns:?}");
    let keys: Vec<&String> = columns[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["name", "timestamp", "valuesCount"]);
    assert_eq!(columns[0]["name"], "contact");
    assert_eq!(columns[0]["valuesCount"].as_f64(), Some(10.0));
    assert_eq!(record["columnTags"][0]["column"], "contact");
    assert_eq!(
        record["columnTags"][0]["tagLabel"]["tagFQN"],
        "PII.Sensitive"
    );
    host::assert_no_secrets("stdout", &out.stdout);
}
