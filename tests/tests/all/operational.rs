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
    let dir = tempfile::tempdir().unwrap();
    let workflow = Workflow::new("ops", &moto.endpoint(), key);
    let path = workflow.write(dir.path(), "workflow.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    // A listing page, then per table: DescribeTable, ListTagsOfResource, and the five reads.
    assert!(
        run.stderr.contains("Requests: 15 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Warnings: 0"), "{}", run.stderr);
    let entities = run.entities();
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
    let path = off.write(dir.path(), "off.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Requests: 5 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert!(!description(&run.entities(), "ops_orders").contains("### Operations and access"));
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
        host::register_secret(&om.token());
        let mut workflow = Workflow::new("ops_rest", &moto.endpoint(), key);
        workflow.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
        workflow.workflow_config = format!(
            "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
            om.host_port(),
            om.token()
        );
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
