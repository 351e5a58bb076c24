//! The operational reads (issue 20): point-in-time recovery and resource policies from moto's
//! own DynamoDB, Kinesis streaming destinations and Contributor Insights from the calls
//! `tests/servers/moto_with_extras.py` adds to it in botocore's shapes, the time to live's tag
//! described as the component declares it, into OpenMetadata's stand-in at every version.

use e2e::admin::Admin;
use e2e::host;
use e2e::openmetadata::{OpenMetadata, SERVER_VERSIONS};
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::{Value, json};

/// A condition value that must never leave the component: the policy is summarised, never
/// copied.
const POLICY_MARKER: &str = "o-policymarker42";
const STREAM_ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes";

/// `ops_orders` with every feature on, `ops_plain` with none.
fn seed(moto: &Server, key: &str) {
    let admin = Admin::new(&moto.endpoint(), key);
    for name in ["ops_orders", "ops_plain"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let arn = admin.describe("ops_orders")["TableArn"]
        .as_str()
        .unwrap()
        .to_string();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "analysts", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:role/Analyst"},
         "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DescribeTable"],
         "Resource": arn},
        {"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:Scan",
         "Resource": arn,
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": POLICY_MARKER}}}
    ]});
    let calls = [
        (
            "UpdateContinuousBackups",
            json!({"TableName": "ops_orders",
                   "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
        ),
        (
            "PutResourcePolicy",
            json!({"ResourceArn": arn, "Policy": policy.to_string()}),
        ),
        (
            "EnableKinesisStreamingDestination",
            json!({"TableName": "ops_orders", "StreamArn": STREAM_ARN}),
        ),
        (
            "UpdateContributorInsights",
            json!({"TableName": "ops_orders", "ContributorInsightsAction": "ENABLE"}),
        ),
        (
            "UpdateTimeToLive",
            json!({"TableName": "ops_orders",
                   "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires_at"}}),
        ),
    ];
    for (operation, body) in calls {
        admin
            .call(operation, &body)
            .unwrap_or_else(|e| panic!("{operation}: {} {}", e.status, e.body));
    }
}

fn description(entities: &[Value], name: &str) -> String {
    entities
        .iter()
        .find(|e| e.get("columns").is_some() && e["name"] == name)
        .unwrap_or_else(|| panic!("no table {name}"))["description"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn each_operational_read_is_one_call_per_table_summarised_in_the_description() {
    let moto = Server::start(Kind::Moto);
    let key = "AKIDOPS";
    seed(&moto, key);
    let (run, entities) = host::ingest_to_stdout(&Workflow::new("ops", &moto.endpoint(), key));
    // A listing page, then per table: DescribeTable, ListTagsOfResource, and the five reads.
    assert!(
        run.stderr.contains("Requests: 15 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Warnings: 0"), "{}", run.stderr);
    let orders = description(&entities, "ops_orders");
    for row in [
        "| Point-in-time recovery | Enabled (35-day recovery period) |",
        "| Resource-based policy | `arn:aws:iam::111122223333:role/Analyst` may read, describe; anyone may read (with conditions) |",
        "| Kinesis data streams | `arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes` (ACTIVE) |",
        "| Contributor Insights | Enabled (ACCESSED_AND_THROTTLED_KEYS) |",
    ] {
        assert!(orders.contains(row), "{row}\n{orders}");
    }
    let plain = description(&entities, "ops_plain");
    for row in [
        "| Point-in-time recovery | Disabled |",
        "| Resource-based policy | None |",
        "| Kinesis data streams | None |",
        "| Contributor Insights | Disabled |",
    ] {
        assert!(plain.contains(row), "{row}\n{plain}");
    }
    for output in [&run.stdout, &run.stderr] {
        assert!(
            !output.contains(POLICY_MARKER),
            "the policy document leaked"
        );
    }

    // Each read off: none of its calls; all off: the listing, describes and tags only.
    let off = Workflow::new("ops", &moto.endpoint(), key).only_reads(&[]);
    let (run, entities) = host::ingest_to_stdout(&off);
    assert!(
        run.stderr.contains("Requests: 5 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert!(!description(&entities, "ops_orders").contains("### Operations and access"));
}

/// The time to live's column tag is the component's own classification, created with the words
/// its manifest declares (never as a DynamoDB tag key), and a rerun of the unchanged tables
/// sends none of them again: the new section keeps the `sourceHash` steady.
#[test]
fn the_time_to_live_tag_is_the_components_declared_classification_at_every_version() {
    let moto = Server::start(Kind::Moto);
    let key = "AKIDOPSREST";
    seed(&moto, key);
    for version in SERVER_VERSIONS {
        let om = OpenMetadata::builder().version(version).start();
        let workflow = Workflow::new("ops_rest", &moto.endpoint(), key).into_openmetadata(&om);
        let dir = tempfile::tempdir().unwrap();
        let path = workflow.write(dir.path(), "workflow.yaml");
        let run = host::run(&["ingest", "-c", path.to_str().unwrap()]);
        assert_eq!(run.code(), 0, "{version}: {}", run.stderr);
        assert!(
            om.schema_violations().is_empty(),
            "{version}: {:?}",
            om.schema_violations()
        );
        let classification = om
            .classification("DynamoDB")
            .unwrap_or_else(|| panic!("{version}: no DynamoDB classification"));
        assert_eq!(
            classification["description"],
            "What DynamoDB itself does with a table's attributes, as the DynamoDB connector reads it.",
            "{version}"
        );
        let tag = om.tag("DynamoDB.TimeToLive").expect("the TTL tag");
        assert!(
            tag["description"]
                .as_str()
                .unwrap()
                .starts_with("The table's time-to-live attribute"),
            "{version}: {tag}"
        );
        let orders = om.table("ops_rest.default.default.ops_orders").unwrap();
        let expires = orders["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "expires_at")
            .unwrap_or_else(|| panic!("{version}: no TTL column"));
        assert_eq!(expires["tags"][0]["tagFQN"], "DynamoDB.TimeToLive");
        assert!(
            orders["description"]
                .as_str()
                .unwrap()
                .contains("| Point-in-time recovery | Enabled (35-day recovery period) |")
        );

        let rerun = host::run(&["ingest", "-c", path.to_str().unwrap()]);
        assert_eq!(rerun.code(), 0, "{version}: {}", rerun.stderr);
        assert!(
            rerun
                .stderr
                .contains("Tables: 0 created, 0 updated, 2 unchanged"),
            "{version}: {}",
            rerun.stderr
        );
    }
}

/// Lineage into the services the workflow names: the table's Kinesis stream becomes an edge to
/// the messaging service's topic, its export to S3 an edge to the storage service's bucket;
/// a target OpenMetadata lacks is one warning; a rerun adds no edge; and edges are sent only to
/// the services the workflow names (the connector cannot name another).
#[test]
fn lineage_reaches_the_named_services_topics_and_buckets_once_at_every_version() {
    let moto = Server::start(Kind::Moto);
    let key = "AKIDLINEAGE";
    seed(&moto, key);
    let admin = Admin::new(&moto.endpoint(), key);
    admin
        .create_bucket("orders-exports")
        .expect("moto creates the bucket");
    let arn = admin.describe("ops_orders")["TableArn"]
        .as_str()
        .unwrap()
        .to_string();
    admin
        .call(
            "ExportTableToPointInTime",
            &json!({"TableArn": arn, "S3Bucket": "orders-exports", "S3Prefix": "ddb/orders",
                    "ExportFormat": "DYNAMODB_JSON"}),
        )
        .expect("moto exports the table");
    for version in SERVER_VERSIONS {
        let om = OpenMetadata::builder().version(version).start();
        let topic = om.add_other("topic", "kinesis_prod.orders-changes");
        let workflow = Workflow::new("lineage", &moto.endpoint(), key)
            .connection(
                "      connectionOptions:\n        kinesisMessagingService: kinesis_prod\n        s3StorageService: s3_prod\n",
            )
            .into_openmetadata(&om);
        let dir = tempfile::tempdir().unwrap();
        let path = workflow.write(dir.path(), "workflow.yaml");

        // The bucket's container is not in OpenMetadata yet: one warning, the topic's edge.
        let run = host::run(&["ingest", "-c", path.to_str().unwrap()]);
        assert_eq!(run.code(), 0, "{version}: {}", run.stderr);
        assert!(
            om.schema_violations().is_empty(),
            "{version}: {:?}",
            om.schema_violations()
        );
        assert!(
            run.stderr
                .contains("lineage to container `s3_prod.orders-exports` not added: OpenMetadata has no such container"),
            "{version}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("Lineage: 1 edges added; 1 targets not in OpenMetadata"),
            "{version}: {}",
            run.stderr
        );
        let table_id = om.table("lineage.default.default.ops_orders").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let edges = om.lineage();
        assert_eq!(edges.len(), 1, "{version}: {edges:?}");
        assert_eq!(
            (edges[0].0.as_str(), edges[0].1.as_str()),
            (table_id.as_str(), topic.as_str())
        );
        assert!(
            edges[0].2["description"]
                .as_str()
                .unwrap()
                .contains("stream/orders-changes`"),
            "{version}: {:?}",
            edges[0].2
        );

        // The file and stdout sinks: the edges are in the connector's records, with its
        // details.
        if version == SERVER_VERSIONS[0] {
            let (_, records) = host::ingest_records(&path);
            let orders = host::record_table(&records, "ops_orders");
            let fqns: Vec<&str> = orders["lineage"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["fully_qualified_name"].as_str().unwrap())
                .collect();
            assert_eq!(
                fqns,
                ["kinesis_prod.orders-changes", "s3_prod.orders-exports"]
            );
            // The variant `dynamodb` of `source-details`, as serde writes an enum.
            let details = &orders["details"]["Dynamodb"];
            assert_eq!(
                details["continuous_backups"]["point_in_time_recovery"], "ENABLED",
                "{details}"
            );
            assert!(
                !details["resource_policy"]
                    .to_string()
                    .contains(POLICY_MARKER)
            );
        }

        // The S3 connector has run since: the bucket's edge is added, the topic's is not
        // doubled.
        let bucket = om.add_other("container", "s3_prod.orders-exports");
        let rerun = host::run(&["ingest", "-c", path.to_str().unwrap()]);
        assert_eq!(rerun.code(), 0, "{version}: {}", rerun.stderr);
        assert!(
            rerun.stderr.contains("Warnings: 0"),
            "{version}: {}",
            rerun.stderr
        );
        let edges: Vec<(String, String)> = om
            .lineage()
            .into_iter()
            .map(|(from, to, _)| (from, to))
            .collect();
        assert_eq!(
            edges.len(),
            2,
            "{version}: one edge per pair, however often sent: {edges:?}"
        );
        assert!(
            edges.contains(&(table_id.clone(), bucket.clone())),
            "{version}"
        );
    }
}
