use super::*;
use crate::catalog::{Batch, SamplingLimit, TableStatus};
use crate::testing::{FakeDynamoDb, Scripted};
use crate::transport::{TransportError, TransportErrorKind};
use futures_executor::block_on;
use serde_json::json;
use std::time::Duration;

fn settings(extra: &[(&str, &str)]) -> Settings {
    let mut pairs = vec![
        ("serviceName", "svc"),
        ("awsConfig.awsRegion", "us-east-1"),
        ("awsConfig.awsAccessKeyId", "AKID"),
        ("awsConfig.awsSecretAccessKey", "secret"),
        ("awsConfig.endPointURL", "http://127.0.0.1:8000"),
        ("sourceConfig.includeTags", "false"),
        // Request counts below are pages and describes; the tests of the extra reads turn
        // them on.
        ("connectionOptions.readTimeToLive", "false"),
        ("connectionOptions.readBackups", "false"),
        ("connectionOptions.readResourcePolicy", "false"),
        ("connectionOptions.readKinesisDestinations", "false"),
        ("connectionOptions.readContributorInsights", "false"),
    ];
    pairs.extend_from_slice(extra);
    Settings::from_pairs(pairs).unwrap()
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("t{i:04}")).collect()
}

fn statuses(ingestion: &Ingestion) -> Vec<(&str, &TableStatus)> {
    ingestion
        .outcomes
        .iter()
        .map(|o| (o.name.as_str(), &o.status))
        .collect()
}

fn throttle() -> Scripted {
    Scripted::Status(
        400,
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "Rate exceeded"}),
    )
}

#[test]
fn pagination_lists_every_page_and_keeps_listing_order() {
    let fake = FakeDynamoDb::new().tables(names(250));
    let ingestion = block_on(ingest(&settings(&[]), &fake)).unwrap();
    assert_eq!(fake.calls("ListTables"), 3);
    let starts: Vec<Option<&str>> = fake
        .requests
        .borrow()
        .iter()
        .filter(|(op, _)| op == "ListTables")
        .map(|(_, body)| body["ExclusiveStartTableName"].as_str().map(|_| "set"))
        .collect();
    assert_eq!(starts, [None, Some("set"), Some("set")]);
    assert_eq!(fake.calls("DescribeTable"), 250);
    let listed: Vec<&str> = ingestion.outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(listed, names(250));
    let tables: Vec<&str> = ingestion.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(tables, names(250));
    assert_eq!(ingestion.stats.requests, 253);
}

#[test]
fn pages_continue_from_the_last_name() {
    let fake = FakeDynamoDb::new().tables(names(150));
    block_on(ingest(&settings(&[]), &fake)).unwrap();
    let second = fake
        .requests
        .borrow()
        .iter()
        .filter(|(op, _)| op == "ListTables")
        .nth(1)
        .map(|(_, body)| body.clone())
        .unwrap();
    assert_eq!(
        second,
        json!({"Limit": 100, "ExclusiveStartTableName": "t0099"})
    );
}

#[test]
fn describes_run_concurrently_within_the_bound() {
    let fake = FakeDynamoDb::new().tables(names(40));
    block_on(ingest(
        &settings(&[("connectionOptions.describeConcurrency", "8")]),
        &fake,
    ))
    .unwrap();
    assert_eq!(fake.max_in_flight.get(), 8);
}

#[test]
fn filtered_tables_are_never_described() {
    let fake = FakeDynamoDb::new()
        .table("orders")
        .table("tmp_a")
        .table("tmp_b");
    let ingestion = block_on(ingest(
        &settings(&[("sourceConfig.tableFilterPattern.excludes", r#"["^tmp_"]"#)]),
        &fake,
    ))
    .unwrap();
    assert_eq!(fake.calls("DescribeTable"), 1);
    assert_eq!(
        statuses(&ingestion),
        [
            ("orders", &TableStatus::Ingested),
            (
                "tmp_a",
                &TableStatus::Filtered("matched tableFilterPattern.excludes `^tmp_`".into())
            ),
            (
                "tmp_b",
                &TableStatus::Filtered("matched tableFilterPattern.excludes `^tmp_`".into())
            ),
        ]
    );
}

#[test]
fn throttles_and_resets_are_retried_with_backoff() {
    let fake = FakeDynamoDb::new()
        .table("orders")
        .script("DescribeTable", throttle())
        .script(
            "DescribeTable",
            Scripted::Transport(TransportError::new(
                TransportErrorKind::ConnectionReset,
                "reset",
            )),
        )
        .script("DescribeTable", Scripted::Status(500, json!({})));
    let ingestion = block_on(ingest(&settings(&[]), &fake)).unwrap();
    assert_eq!(statuses(&ingestion), [("orders", &TableStatus::Ingested)]);
    assert_eq!(fake.calls("DescribeTable"), 4);
    assert_eq!(ingestion.stats.retries, 3);
    assert_eq!(ingestion.stats.throttled, 1);
    let slept = fake.slept.borrow();
    assert_eq!(slept.len(), 3);
    // random = u64::MAX / 2 with full jitter; throttling backs off from a larger base
    assert!(slept[0] > Duration::ZERO);
}

#[test]
fn a_table_that_keeps_failing_is_reported_by_name_and_the_run_goes_on() {
    let fake = FakeDynamoDb::new().table("a").table("b").script_times(
        "DescribeTable",
        3,
        Scripted::Status(
            500,
            json!({"__type": "x#InternalServerError", "message": "boom"}),
        ),
    );
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.maxAttempts", "3"),
            ("connectionOptions.describeConcurrency", "1"),
        ]),
        &fake,
    ))
    .unwrap();
    let [
        (name, TableStatus::Failed(failure)),
        ("b", TableStatus::Ingested),
    ] = statuses(&ingestion)[..]
    else {
        panic!("{:?}", ingestion.outcomes)
    };
    assert_eq!(name, "a");
    assert_eq!(failure.operation, "DescribeTable");
    assert_eq!(failure.http_status, Some(500));
    assert_eq!(failure.code, "InternalServerError");
    assert_eq!(failure.message, "boom");
    assert_eq!(failure.attempts, 3);
}

#[test]
fn a_client_error_is_not_retried() {
    let fake = FakeDynamoDb::new().table("gone").script(
        "DescribeTable",
        Scripted::Status(
            400,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"}),
        ),
    );
    let ingestion = block_on(ingest(&settings(&[]), &fake)).unwrap();
    assert_eq!(fake.calls("DescribeTable"), 1);
    assert!(
        matches!(&ingestion.outcomes[0].status, TableStatus::Failed(f) if f.code == "ResourceNotFoundException")
    );
}

#[test]
fn refused_credentials_stop_the_run() {
    let fake = FakeDynamoDb::new().table("a").script(
        "ListTables",
        Scripted::Status(
            400,
            json!({"__type": "com.amazon.coral.service#UnrecognizedClientException", "message": "The security token included in the request is invalid."}),
        ),
    );
    let err = block_on(ingest(&settings(&[]), &fake)).unwrap_err();
    let ConnectorError::AccessDenied(failure) = err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.code, "UnrecognizedClientException");
    assert_eq!(fake.calls("DescribeTable"), 0);

    let fake = FakeDynamoDb::new().table("a").table("b").script(
        "DescribeTable",
        Scripted::Status(
            400,
            json!({"__type": "com.amazon.coral.service#ExpiredTokenException", "message": "The security token included in the request is expired"}),
        ),
    );
    let err = block_on(ingest(&settings(&[]), &fake)).unwrap_err();
    assert!(matches!(err, ConnectorError::AccessDenied(f) if f.code == "ExpiredTokenException"));
}

#[test]
fn an_unusable_description_fails_only_its_table() {
    let fake = FakeDynamoDb::new()
        .table("a")
        .table("b")
        .script(
            "DescribeTable",
            Scripted::Raw("{\"Table\": {\"TableStatus\": 7}}"),
        )
        .script("DescribeTable", Scripted::Raw("not json"));
    let ingestion = block_on(ingest(
        &settings(&[("connectionOptions.describeConcurrency", "1")]),
        &fake,
    ))
    .unwrap();
    for outcome in &ingestion.outcomes {
        let TableStatus::Failed(failure) = &outcome.status else {
            panic!("{outcome:?}")
        };
        assert_eq!(failure.code, "InvalidResponse");
        assert!(
            failure
                .message
                .contains("DescribeTable response cannot be read"),
            "{failure:?}"
        );
    }
}

#[test]
fn a_listing_that_repeats_itself_is_an_error_not_a_loop() {
    let fake = FakeDynamoDb::new()
        .script(
            "ListTables",
            Scripted::Raw(r#"{"TableNames":["a"],"LastEvaluatedTableName":"a"}"#),
        )
        .script(
            "ListTables",
            Scripted::Raw(r#"{"TableNames":["a"],"LastEvaluatedTableName":"a"}"#),
        );
    let err = block_on(ingest(&settings(&[]), &fake)).unwrap_err();
    assert!(
        matches!(&err, ConnectorError::InvalidResponse(f)
            if f.message.contains("page 2 returned LastEvaluatedTableName `a`, a position the listing has already been at")),
        "{err:?}"
    );
}

/// Pulls a stream to its end: every batch, then the run's error if it stopped.
fn drain(mut stream: IngestStream<'_>, max_tables: usize) -> (Vec<Batch>, Option<ConnectorError>) {
    let mut batches = Vec::new();
    loop {
        match block_on(stream.next_batch(max_tables, usize::MAX)) {
            Ok(Some(batch)) => batches.push(batch),
            Ok(None) => return (batches, None),
            Err(e) => return (batches, Some(e)),
        }
    }
}

fn names_in(batches: &[Batch]) -> Vec<String> {
    let mut names: Vec<String> = batches
        .iter()
        .flat_map(|b| b.outcomes.iter().map(|o| o.name.clone()))
        .collect();
    names.sort();
    names
}

#[test]
fn a_pagination_cycle_over_three_pages_stops_and_keeps_what_it_listed() {
    let page = |names: &str, last: &str| {
        Scripted::Raw(Box::leak(
            format!(r#"{{"TableNames":[{names}],"LastEvaluatedTableName":"{last}"}}"#)
                .into_boxed_str(),
        ))
    };
    let fake = FakeDynamoDb::new()
        .tables(["a", "b", "c", "d", "e", "f"].map(String::from))
        .script("ListTables", page(r#""a","b""#, "b"))
        .script("ListTables", page(r#""c","d""#, "d"))
        .script("ListTables", page(r#""e","f""#, "f"))
        // back to the first page's position
        .script("ListTables", page(r#""a","b""#, "b"));
    let stream = start(settings(&[]), &fake).unwrap();
    let (batches, error) = drain(stream, 100);
    assert_eq!(names_in(&batches), ["a", "b", "c", "d", "e", "f"]);
    assert!(batches.iter().all(|b| !b.progress.listing_complete));
    let Some(ConnectorError::InvalidResponse(failure)) = error else {
        panic!("{error:?}")
    };
    assert!(
        failure
            .message
            .contains("page 4 returned LastEvaluatedTableName `b`")
            && failure.message.contains("stopped after 6 tables"),
        "{failure:?}"
    );
    assert_eq!(fake.calls("ListTables"), 4);
}

#[test]
fn a_page_that_brings_no_new_name_stops_the_listing() {
    let fake = FakeDynamoDb::new()
        .tables(["a", "b"].map(String::from))
        .script(
            "ListTables",
            Scripted::Raw(r#"{"TableNames":["a","b"],"LastEvaluatedTableName":"b"}"#),
        )
        .script(
            "ListTables",
            Scripted::Raw(r#"{"TableNames":["b","a"],"LastEvaluatedTableName":"zz"}"#),
        );
    let (batches, error) = drain(start(settings(&[]), &fake).unwrap(), 100);
    assert_eq!(names_in(&batches), ["a", "b"]);
    assert!(
        matches!(&error, Some(ConnectorError::InvalidResponse(f)) if f.message.contains("page 2 (after `b`) brought no table name not already listed")),
        "{error:?}"
    );
}

#[test]
fn a_stream_hands_over_bounded_batches_and_holds_a_bounded_window() {
    let fake = FakeDynamoDb::new().tables(names(2000));
    let mut stream = start(settings(&[]), &fake).unwrap();
    let first = block_on(stream.next_batch(10, usize::MAX))
        .unwrap()
        .unwrap();
    assert_eq!(first.outcomes.len(), 10);
    assert_eq!(first.tables.len(), 10);
    // The run waits for the host once its window is full: it has described no more than the
    // window, the batch handed over, and the calls in flight.
    let described = fake.calls("DescribeTable");
    assert!(
        described <= WINDOW + 10 + 16,
        "{described} tables described before the host pulled more"
    );
    assert!(first.progress.listed >= 10);
    let (rest, error) = drain(stream, 100);
    assert!(error.is_none(), "{error:?}");
    assert!(rest.iter().all(|b| b.outcomes.len() <= 100));
    let total: usize = rest.iter().map(|b| b.outcomes.len()).sum::<usize>() + 10;
    assert_eq!(total, 2000);
    let last = rest.last().unwrap().progress;
    assert_eq!(last.listed, 2000);
    assert!(last.listing_complete);
    assert_eq!(last.stats.requests as usize, 20 + 2000);
}

#[test]
fn refused_credentials_mid_run_come_after_the_finished_tables() {
    let fake = FakeDynamoDb::new()
        .tables(names(3))
        .script(
            "DescribeTable",
            Scripted::Status(
                200,
                json!({"Table": {"TableName": "t0000",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}}),
            ),
        )
        .script(
            "DescribeTable",
            Scripted::Status(
                400,
                json!({"__type": "com.amazonaws.dynamodb.v20120810#UnrecognizedClientException",
                       "message": "The security token included in the request is invalid."}),
            ),
        );
    let stream = start(
        settings(&[("connectionOptions.describeConcurrency", "1")]),
        &fake,
    )
    .unwrap();
    let (batches, error) = drain(stream, 100);
    assert_eq!(names_in(&batches), ["t0000"]);
    assert!(
        matches!(error, Some(ConnectorError::AccessDenied(_))),
        "{error:?}"
    );
}

#[test]
fn bad_statistics_drop_the_statistic_with_a_warning_and_keep_the_table() {
    let fake = FakeDynamoDb::new().table("a").script(
        "DescribeTable",
        Scripted::Raw(
            r#"{"Table":{"TableName":"a","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
            "ItemCount":-3,"TableSizeBytes":"lots"}}"#,
        ),
    );
    let ingestion = block_on(ingest(&settings(&[]), &fake)).unwrap();
    assert_eq!(ingestion.tables.len(), 1);
    let profile = ingestion.tables[0].profile.as_ref().unwrap();
    assert_eq!((profile.row_count, profile.size_bytes), (None, None));
    let messages: Vec<&str> = ingestion
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "DescribeTable's ItemCount -3 is negative; the statistic is left out",
            "DescribeTable's TableSizeBytes \"lots\" is not a number; the statistic is left out",
        ]
    );
    assert!(
        ingestion
            .warnings
            .iter()
            .all(|w| w.table.as_deref() == Some("a"))
    );
}

#[test]
fn duplicate_names_across_pages_get_one_outcome() {
    let fake = FakeDynamoDb::new()
        .table("a")
        .table("b")
        .script(
            "ListTables",
            Scripted::Raw(r#"{"TableNames":["a","b"],"LastEvaluatedTableName":"b"}"#),
        )
        .script("ListTables", Scripted::Raw(r#"{"TableNames":["b","a"]}"#));
    let ingestion = block_on(ingest(&settings(&[]), &fake)).unwrap();
    let listed: Vec<&str> = ingestion.outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(listed, ["a", "b"]);
}

#[test]
fn schema_filter_excluding_default_lists_nothing() {
    let fake = FakeDynamoDb::new().table("a");
    let ingestion = block_on(ingest(
        &settings(&[(
            "sourceConfig.schemaFilterPattern.excludes",
            r#"["^default$"]"#,
        )]),
        &fake,
    ))
    .unwrap();
    assert!(ingestion.outcomes.is_empty());
    assert!(!ingestion.listing_complete);
    assert_eq!(fake.calls("ListTables"), 0);
    assert_eq!(ingestion.warnings.len(), 1);
    assert!(ingestion.warnings[0].message.contains("schema `default`"));
}

#[test]
fn entities_carry_openmetadata_fqns() {
    let fake = FakeDynamoDb::new().table("orders.v2");
    let ingestion = block_on(ingest(&settings(&[("databaseName", "shop.eu")]), &fake)).unwrap();
    assert_eq!(ingestion.database.fully_qualified_name, "svc.\"shop.eu\"");
    assert_eq!(ingestion.database.service, "svc");
    assert_eq!(
        ingestion.schema.fully_qualified_name,
        "svc.\"shop.eu\".default"
    );
    assert_eq!(
        ingestion.tables[0].fully_qualified_name,
        "svc.\"shop.eu\".default.\"orders.v2\""
    );
}

#[test]
fn a_dotted_service_name_is_quoted_where_it_is_referenced() {
    let fake = FakeDynamoDb::new().table("t");
    let mut s = settings(&[]);
    s.service_name = "dynamo.prod".into();
    let ingestion = block_on(ingest(&s, &fake)).unwrap();
    assert_eq!(ingestion.service.name, "dynamo.prod");
    assert_eq!(ingestion.database.service, "\"dynamo.prod\"");
    assert_eq!(
        ingestion.database.fully_qualified_name,
        "\"dynamo.prod\".default"
    );
}

#[test]
fn an_assumed_role_signs_every_dynamodb_call() {
    let fake = FakeDynamoDb::new().table("t");
    let ingestion = block_on(ingest(
        &settings(&[
            (
                "awsConfig.assumeRoleArn",
                "arn:aws:iam::123456789012:role/reader",
            ),
            ("awsConfig.assumeRoleSourceIdentity", "catalog bot"),
        ]),
        &fake,
    ))
    .unwrap();
    assert_eq!(ingestion.tables.len(), 1);
    let requests = fake.requests.borrow();
    let (first_op, form) = &requests[0];
    assert_eq!(first_op, "AssumeRole");
    let form = form.as_str().unwrap();
    assert!(
        form.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Freader"),
        "{form}"
    );
    assert!(
        form.contains("RoleSessionName=OpenMetadataSession"),
        "{form}"
    );
    assert!(form.contains("SourceIdentity=catalog%20bot"), "{form}");
    let auth = fake.authorizations.borrow();
    assert!(
        auth[0].contains("Credential=AKID/"),
        "STS is called with the base key"
    );
    assert!(auth[0].contains("/sts/aws4_request"));
    for later in &auth[1..] {
        assert!(later.contains("Credential=ASIATEMPORARY/"), "{later}");
        assert!(later.contains("x-amz-security-token"), "{later}");
    }
}

#[test]
fn a_refused_role_is_an_access_error() {
    let fake = FakeDynamoDb::new().table("t").script(
        "AssumeRole",
        Scripted::Status(
            403,
            json!("<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>"),
        ),
    );
    let err = block_on(ingest(
        &settings(&[("awsConfig.assumeRoleArn", "arn:aws:iam::1:role/r")]),
        &fake,
    ))
    .unwrap_err();
    let ConnectorError::AccessDenied(failure) = err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.operation, "AssumeRole");
    assert_eq!(failure.code, "AccessDenied");
    assert_eq!(fake.calls("ListTables"), 0);
}

#[test]
fn tags_become_labels() {
    let fake = FakeDynamoDb::new().table("orders").tagged(
        "orders",
        &[("env", "prod"), ("aws:cloudformation:stack-name", "s")],
    );
    let ingestion = block_on(ingest(
        &settings(&[("sourceConfig.includeTags", "true")]),
        &fake,
    ))
    .unwrap();
    let labels: Vec<&str> = ingestion.tables[0]
        .tags
        .iter()
        .map(|t| t.tag_fqn.as_str())
        .collect();
    assert_eq!(labels, ["env.prod"]);
    assert!(ingestion.warnings.is_empty());
}

#[test]
fn an_endpoint_without_tags_is_asked_once_and_tables_are_still_ingested() {
    let fake = FakeDynamoDb::new().tables(names(3)).script(
        "ListTagsOfResource",
        Scripted::Status(
            400,
            json!({"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException", "message": "Tagging is not currently supported in DynamoDB Local."}),
        ),
    );
    let ingestion = block_on(ingest(
        &settings(&[
            ("sourceConfig.includeTags", "true"),
            ("connectionOptions.describeConcurrency", "1"),
        ]),
        &fake,
    ))
    .unwrap();
    assert_eq!(fake.calls("ListTagsOfResource"), 1);
    assert_eq!(ingestion.tables.len(), 3);
    assert!(ingestion.warnings.is_empty(), "{:?}", ingestion.warnings);
}

#[test]
fn denied_tags_are_one_warning_for_the_run() {
    let fake = FakeDynamoDb::new().tables(names(3)).script_times(
        "ListTagsOfResource",
        3,
        Scripted::Status(
                400,
                json!({"__type": "com.amazon.coral.service#AccessDeniedException", "message": "not authorized to perform: dynamodb:ListTagsOfResource"}),
            ),
    );
    let ingestion = block_on(ingest(
        &settings(&[
            ("sourceConfig.includeTags", "true"),
            ("connectionOptions.describeConcurrency", "1"),
        ]),
        &fake,
    ))
    .unwrap();
    assert_eq!(ingestion.tables.len(), 3);
    assert_eq!(fake.calls("ListTagsOfResource"), 1);
    assert_eq!(ingestion.warnings.len(), 1);
    assert!(ingestion.warnings[0].message.contains("includeTags: false"));
}

#[test]
fn a_tables_time_to_live_is_read_once_per_table_and_can_be_turned_off() {
    let fake = FakeDynamoDb::new()
        .tables(names(2))
        .with_ttl("t0000", "expires_at");
    let on = [("connectionOptions.readTimeToLive", "true")];
    let ingestion = block_on(ingest(&settings(&on), &fake)).unwrap();
    assert_eq!(fake.calls("DescribeTimeToLive"), 2);
    let t0 = ingestion.tables.iter().find(|t| t.name == "t0000").unwrap();
    assert!(t0.columns.iter().any(|c| c.name == "expires_at"), "{t0:?}");
    let t1 = ingestion.tables.iter().find(|t| t.name == "t0001").unwrap();
    assert!(!t1.columns.iter().any(|c| c.name == "expires_at"));
    let off = FakeDynamoDb::new()
        .tables(names(2))
        .with_ttl("t0000", "expires_at");
    block_on(ingest(
        &settings(&[("connectionOptions.readTimeToLive", "false")]),
        &off,
    ))
    .unwrap();
    assert_eq!(off.calls("DescribeTimeToLive"), 0);
}

#[test]
fn a_denied_time_to_live_is_one_warning_naming_the_action() {
    let fake = FakeDynamoDb::new().tables(names(3)).script_times(
        "DescribeTimeToLive",
        3,
        Scripted::Status(
            400,
            json!({"__type": "com.amazon.coral.service#AccessDeniedException", "message": "not authorized to perform: dynamodb:DescribeTimeToLive"}),
        ),
    );
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.describeConcurrency", "1"),
            ("connectionOptions.readTimeToLive", "true"),
        ]),
        &fake,
    ))
    .unwrap();
    assert_eq!(ingestion.tables.len(), 3);
    assert_eq!(fake.calls("DescribeTimeToLive"), 1);
    assert_eq!(ingestion.warnings.len(), 1);
    assert!(
        ingestion.warnings[0].message.contains(
            "grant dynamodb:DescribeTimeToLive or set connectionOptions.readTimeToLive: false"
        ),
        "{:?}",
        ingestion.warnings
    );
}

const OPERATIONAL: [(&str, &str); 4] = [
    ("connectionOptions.readBackups", "DescribeContinuousBackups"),
    ("connectionOptions.readResourcePolicy", "GetResourcePolicy"),
    (
        "connectionOptions.readKinesisDestinations",
        "DescribeKinesisStreamingDestination",
    ),
    (
        "connectionOptions.readContributorInsights",
        "DescribeContributorInsights",
    ),
];

fn dynamodb_details(table: &crate::catalog::Table) -> &crate::catalog::DynamoDbTable {
    match &table.details {
        Some(crate::catalog::SourceDetails::DynamoDb(d)) => d,
        None => panic!("{} has no details", table.name),
    }
}

#[test]
fn the_operational_reads_are_one_call_each_per_table_and_land_in_details_and_description() {
    let arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes";
    let fake = FakeDynamoDb::new()
        .tables(names(2))
        .with_answer(
            "DescribeContinuousBackups",
            "t0000",
            json!({"ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED",
                "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED",
                    "RecoveryPeriodInDays": 7, "EarliestRestorableDateTime": 1.7e9,
                    "LatestRestorableDateTime": 1.7e9}}}),
        )
        .with_answer(
            "GetResourcePolicy",
            "t0000",
            json!({"Policy": "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"111122223333\"}, \"Action\": \"dynamodb:Query\"}}", "RevisionId": "9"}),
        )
        .with_answer(
            "DescribeKinesisStreamingDestination",
            "t0000",
            json!({"TableName": "t0000", "KinesisDataStreamDestinations": [
                {"StreamArn": arn, "DestinationStatus": "ACTIVE",
                 "ApproximateCreationDateTimePrecision": "MICROSECOND"}]}),
        )
        .with_answer(
            "DescribeContributorInsights",
            "t0000",
            json!({"TableName": "t0000", "ContributorInsightsStatus": "ENABLED",
                   "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}),
        );
    let on: Vec<(&str, &str)> = OPERATIONAL.iter().map(|(key, _)| (*key, "true")).collect();
    let ingestion = block_on(ingest(&settings(&on), &fake)).unwrap();
    for (_, operation) in OPERATIONAL {
        assert_eq!(fake.calls(operation), 2, "{operation}");
    }
    assert!(ingestion.warnings.is_empty(), "{:?}", ingestion.warnings);
    let t0 = ingestion.tables.iter().find(|t| t.name == "t0000").unwrap();
    let d = dynamodb_details(t0);
    assert_eq!(
        d.continuous_backups.as_ref().unwrap().recovery_period_days,
        Some(7)
    );
    assert_eq!(
        d.resource_policy.as_ref().unwrap().grants[0].principals,
        ["account 111122223333"]
    );
    assert_eq!(d.kinesis_destinations.as_ref().unwrap()[0].stream_arn, arn);
    assert_eq!(d.contributor_insights.as_ref().unwrap().status, "ENABLED");
    let description = t0.description.as_deref().unwrap();
    assert!(
        description.contains("| Point-in-time recovery | Enabled (7-day recovery period) |"),
        "{description}"
    );
    assert!(description.contains("| Resource-based policy | account 111122223333 may read |"));
    assert!(description.contains(&format!("| Kinesis data streams | `{arn}` (ACTIVE) |")));
    assert!(
        description.contains("| Contributor Insights | Enabled (ACCESSED_AND_THROTTLED_KEYS) |")
    );
    // The other table: everything off or absent, said as such.
    let t1 = ingestion.tables.iter().find(|t| t.name == "t0001").unwrap();
    let d = dynamodb_details(t1);
    assert!(!d.resource_policy.as_ref().unwrap().attached);
    assert_eq!(d.kinesis_destinations.as_deref(), Some(&[][..]));
    let description = t1.description.as_deref().unwrap();
    assert!(description.contains("| Point-in-time recovery | Disabled |"));
    assert!(description.contains("| Resource-based policy | None |"));
}

#[test]
fn each_operational_read_can_be_turned_off_alone() {
    for (key, operation) in OPERATIONAL {
        let fake = FakeDynamoDb::new().tables(names(2));
        let mut pairs: Vec<(&str, &str)> =
            OPERATIONAL.iter().map(|(key, _)| (*key, "true")).collect();
        pairs.retain(|(k, _)| *k != key);
        pairs.push((key, "false"));
        block_on(ingest(&settings(&pairs), &fake)).unwrap();
        for (_, other) in OPERATIONAL {
            let expected = if other == operation { 0 } else { 2 };
            assert_eq!(fake.calls(other), expected, "{key} off: {other}");
        }
    }
}

#[test]
fn a_denied_or_unsupported_operational_read_is_one_warning_or_note_for_the_run() {
    for (key, operation) in OPERATIONAL {
        let denied = FakeDynamoDb::new().tables(names(3)).script_times(
            operation,
            3,
            Scripted::Status(
                400,
                json!({"__type": "com.amazon.coral.service#AccessDeniedException",
                       "message": format!("not authorized to perform: dynamodb:{operation}")}),
            ),
        );
        let pairs = [
            ("connectionOptions.describeConcurrency", "1"),
            (key, "true"),
        ];
        let ingestion = block_on(ingest(&settings(&pairs), &denied)).unwrap();
        assert_eq!(ingestion.tables.len(), 3);
        assert_eq!(denied.calls(operation), 1, "{operation}");
        assert_eq!(ingestion.warnings.len(), 1, "{:?}", ingestion.warnings);
        let message = &ingestion.warnings[0].message;
        assert!(
            message.contains(&format!("grant dynamodb:{operation} or set {key}: false")),
            "{message}"
        );
        let unsupported = FakeDynamoDb::new().tables(names(3)).script_times(
            operation,
            3,
            Scripted::Status(
                400,
                json!({"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException"}),
            ),
        );
        let ingestion = block_on(ingest(&settings(&pairs), &unsupported)).unwrap();
        assert_eq!(unsupported.calls(operation), 1, "{operation}");
        assert!(ingestion.warnings.is_empty(), "{:?}", ingestion.warnings);
    }
}

#[test]
fn named_services_make_lineage_edges_to_streams_and_export_buckets() {
    let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes";
    let arn = |t: &str| format!("arn:aws:dynamodb:us-east-1:000000000000:table/{t}");
    let export = |n: u32| format!("{}/export/0{n}", arn("t0000"));
    let fake = FakeDynamoDb::new()
        .tables(names(2))
        .with_answer(
            "DescribeKinesisStreamingDestination",
            "t0000",
            json!({"TableName": "t0000", "KinesisDataStreamDestinations": [
                {"StreamArn": stream, "DestinationStatus": "ACTIVE"}]}),
        )
        .with_answer(
            "ListExports",
            &arn("t0000"),
            json!({"ExportSummaries": [
                {"ExportArn": export(1), "ExportStatus": "COMPLETED"},
                {"ExportArn": export(2), "ExportStatus": "FAILED"}]}),
        )
        .with_answer(
            "DescribeExport",
            &export(1),
            json!({"ExportDescription": {"ExportArn": export(1), "S3Bucket": "exports",
                   "S3Prefix": "ddb/orders", "ExportStatus": "COMPLETED"}}),
        );
    let on = [
        ("connectionOptions.readKinesisDestinations", "true"),
        ("connectionOptions.kinesisMessagingService", "kinesis_prod"),
        ("connectionOptions.s3StorageService", "s3_prod"),
    ];
    let ingestion = block_on(ingest(&settings(&on), &fake)).unwrap();
    assert!(ingestion.warnings.is_empty(), "{:?}", ingestion.warnings);
    // One listing per table; a description for the export that did not fail.
    assert_eq!(fake.calls("ListExports"), 2);
    assert_eq!(fake.calls("DescribeExport"), 1);
    let t0 = ingestion.tables.iter().find(|t| t.name == "t0000").unwrap();
    let edges: Vec<(&str, crate::catalog::LineageEntity)> = t0
        .lineage
        .iter()
        .map(|e| (e.fully_qualified_name.as_str(), e.entity_type))
        .collect();
    assert_eq!(
        edges,
        [
            (
                "kinesis_prod.orders-changes",
                crate::catalog::LineageEntity::Topic
            ),
            ("s3_prod.exports", crate::catalog::LineageEntity::Container),
        ]
    );
    let t1 = ingestion.tables.iter().find(|t| t.name == "t0001").unwrap();
    assert!(t1.lineage.is_empty());

    // No service named: no edge, and no export is listed.
    let quiet = FakeDynamoDb::new().tables(names(2));
    let ingestion = block_on(ingest(
        &settings(&[("connectionOptions.readKinesisDestinations", "true")]),
        &quiet,
    ))
    .unwrap();
    assert_eq!(quiet.calls("ListExports"), 0);
    assert!(ingestion.tables.iter().all(|t| t.lineage.is_empty()));
}

#[test]
fn denied_exports_are_one_warning_naming_both_actions() {
    let fake = FakeDynamoDb::new().tables(names(3)).script_times(
        "ListExports",
        3,
        Scripted::Status(
            400,
            json!({"__type": "com.amazon.coral.service#AccessDeniedException",
                   "message": "not authorized to perform: dynamodb:ListExports"}),
        ),
    );
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.describeConcurrency", "1"),
            ("connectionOptions.s3StorageService", "s3_prod"),
        ]),
        &fake,
    ))
    .unwrap();
    assert_eq!(ingestion.tables.len(), 3);
    assert_eq!(fake.calls("ListExports"), 1);
    assert_eq!(ingestion.warnings.len(), 1);
    assert!(
        ingestion.warnings[0].message.contains(
            "grant dynamodb:ListExports and dynamodb:DescribeExport or remove connectionOptions.s3StorageService"
        ),
        "{:?}",
        ingestion.warnings
    );
}

#[test]
fn chosen_items_are_read_first_into_the_sample_and_their_capacity_counts() {
    let mut all = items(30);
    all[25]["only_here"] = json!({"S": "rare"});
    let fake = FakeDynamoDb::new()
        .table("t")
        .items("t", all)
        .script_times(
            "BatchGetItem",
            1,
            Scripted::Status(
                200,
                json!({"Responses": {"t": []},
                       "UnprocessedKeys": {"t": {"Keys": [{"id": {"S": "25"}}, {"id": {"S": "404"}}]}},
                       "ConsumedCapacity": [{"TableName": "t", "CapacityUnits": 0.0}]}),
            ),
        );
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "5"),
            ("connectionOptions.sampleSegments", "1"),
            (
                "connectionOptions.includeTableItems",
                r#"{"t": [{"id": {"S": "25"}}, {"id": {"S": "404"}}]}"#,
            ),
        ]),
        &fake,
    ))
    .unwrap();
    // Unprocessed keys asked again, as the SDKs advise.
    assert_eq!(fake.calls("BatchGetItem"), 2);
    let table = &ingestion.tables[0];
    assert!(
        table.columns.iter().any(|c| c.name == "only_here"),
        "{:?}",
        table.columns
    );
    let sampling = table.sampling.as_ref().unwrap();
    assert_eq!(sampling.items, 5, "1 chosen, then 4 scanned");
    // 0.5 for the chosen item, 2.0 for the 4 scanned.
    assert_eq!(sampling.consumed_capacity, 2.5);
    assert_eq!(ingestion.warnings.len(), 1, "{:?}", ingestion.warnings);
    assert!(
        ingestion.warnings[0]
            .message
            .contains("1 of the 2 items includeTableItems names were not found"),
        "{:?}",
        ingestion.warnings
    );
    // Denied: one warning naming the action and the key; the scan still samples.
    let denied = FakeDynamoDb::new()
        .table("t")
        .items("t", items(30))
        .script_times(
            "BatchGetItem",
            1,
            Scripted::Status(
                400,
                json!({"__type": "com.amazon.coral.service#AccessDeniedException",
                       "message": "not authorized to perform: dynamodb:BatchGetItem"}),
            ),
        );
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "5"),
            (
                "connectionOptions.includeTableItems",
                r#"{"t": [{"id": {"S": "3"}}]}"#,
            ),
        ]),
        &denied,
    ))
    .unwrap();
    assert!(
        ingestion.warnings[0]
            .message
            .contains("grant dynamodb:BatchGetItem or remove connectionOptions.includeTableItems"),
        "{:?}",
        ingestion.warnings
    );
    assert_eq!(ingestion.tables[0].sampling.as_ref().unwrap().items, 5);
    // A chosen item the scan reaches too is counted once.
    let twice = FakeDynamoDb::new().table("t").items("t", items(30));
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "5"),
            ("connectionOptions.sampleSegments", "1"),
            (
                "connectionOptions.includeTableItems",
                r#"{"t": [{"id": {"S": "2"}}]}"#,
            ),
        ]),
        &twice,
    ))
    .unwrap();
    let table = &ingestion.tables[0];
    let id = table.columns.iter().find(|c| c.name == "id").unwrap();
    let profile = id.profile.as_ref().unwrap();
    assert_eq!((profile.values_count, profile.distinct_count), (5, Some(5)));
    // Named items alone turn sampling on for their table.
    let only = FakeDynamoDb::new().table("t").items("t", items(30));
    let ingestion = block_on(ingest(
        &settings(&[(
            "connectionOptions.includeTableItems",
            r#"{"t": [{"id": {"S": "3"}}]}"#,
        )]),
        &only,
    ))
    .unwrap();
    assert_eq!(ingestion.tables[0].sampling.as_ref().unwrap().items, 1);
}

fn scans(fake: &FakeDynamoDb) -> Vec<serde_json::Value> {
    fake.requests
        .borrow()
        .iter()
        .filter(|(op, _)| op == "Scan")
        .map(|(_, body)| body.clone())
        .collect()
}

fn items(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| json!({"id": {"S": i.to_string()}, "score": {"N": "1"}, "flag": {"BOOL": true}}))
        .collect()
}

#[test]
fn sampling_reads_segments_spread_across_the_key_space() {
    let fake = FakeDynamoDb::new().table("t").items("t", items(400));
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "40"),
            ("connectionOptions.sampleSegments", "8"),
            ("connectionOptions.sampleConvergenceItems", "0"),
        ]),
        &fake,
    ))
    .unwrap();
    let table = &ingestion.tables[0];
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["id", "flag", "score"]);
    let segments: Vec<u64> = scans(&fake)
        .iter()
        .map(|s| {
            assert_eq!(s["TotalSegments"], 8);
            assert_eq!(s["ReturnConsumedCapacity"], "TOTAL");
            s["Segment"].as_u64().unwrap()
        })
        .collect();
    // one page per segment, in an order spread across the key space
    assert_eq!(segments, [0, 4, 2, 6, 1, 5, 3, 7]);
    let report = table.sampling.as_ref().unwrap();
    assert_eq!(report.items, 40);
    assert_eq!((report.total_segments, report.segments_read), (8, 8));
    assert_eq!(report.consumed_capacity, 20.0);
    assert_eq!(report.limits, [SamplingLimit::SampleSize]);
    assert_eq!(table.profile.as_ref().unwrap().column_count, 3);
    // the key column got its coverage and profile from the sample
    let id = &table.columns[0];
    assert_eq!(id.profile.as_ref().unwrap().distinct_count, Some(40));
    assert!(
        table.description.as_deref().unwrap().contains(
            "Sampled 40 items from 8 of 8 parallel-scan segments (8 Scan requests, 20.0 read capacity units); stopped by the sample size."
        ),
        "{:?}",
        table.description
    );
}

#[test]
fn sampling_honours_the_read_capacity_cap() {
    let fake = FakeDynamoDb::new().table("t").items("t", items(1000));
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "1000"),
            ("connectionOptions.sampleSegments", "4"),
            ("connectionOptions.sampleReadCapacityUnits", "30"),
            ("connectionOptions.sampleConvergenceItems", "0"),
        ]),
        &fake,
    ))
    .unwrap();
    let report = ingestion.tables[0].sampling.clone().unwrap();
    assert!(
        report.consumed_capacity <= 30.0,
        "{} RCU for a cap of 30",
        report.consumed_capacity
    );
    assert!(report.consumed_capacity >= 29.5, "{report:?}");
    assert_eq!(report.items, 60);
    assert!(
        report.limits.contains(&SamplingLimit::ReadCapacity),
        "{report:?}"
    );
}

#[test]
fn sampling_stops_when_items_bring_nothing_new_and_waits_on_provisioned_tables() {
    let fake = FakeDynamoDb::new()
        .table_described(
            "t",
            json!({"ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 1}}),
        )
        .items("t", items(1000));
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "1000"),
            ("connectionOptions.sampleSegments", "4"),
            ("connectionOptions.sampleConvergenceItems", "25"),
            ("connectionOptions.sampleScanRate", "0.5"),
        ]),
        &fake,
    ))
    .unwrap();
    let report = ingestion.tables[0].sampling.clone().unwrap();
    assert!(
        report.limits.contains(&SamplingLimit::Converged),
        "{report:?}"
    );
    assert!(
        report.limits.contains(&SamplingLimit::ReadRate),
        "{report:?}"
    );
    assert!(report.items < 1000, "{report:?}");
    // 0.5 × 10 RCU/s: each page waits what it consumed ÷ 5 RCU/s.
    let slept: f64 = fake.slept.borrow().iter().map(|d| d.as_secs_f64()).sum();
    assert!(
        (slept - report.consumed_capacity / 5.0).abs() < 1e-6,
        "{slept} {report:?}"
    );
}

#[test]
fn sampling_stops_at_four_pages_per_segment() {
    // Pages of at most 5 items (as DynamoDB's 1 MB cap would cut large items): with 2 segments
    // the sample stops after max(4 × 2, 8) = 8 Scan requests.
    let mut fake = FakeDynamoDb::new().table("t").items("t", items(1000));
    fake.scan_page_items = Some(5);
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "1000"),
            ("connectionOptions.sampleSegments", "2"),
            ("connectionOptions.sampleConvergenceItems", "0"),
            ("connectionOptions.sampleReadCapacityUnits", "10000"),
        ]),
        &fake,
    ))
    .unwrap();
    let report = ingestion.tables[0].sampling.clone().unwrap();
    assert_eq!(scans(&fake).len(), 8, "{report:?}");
    assert_eq!(report.items, 40, "{report:?}");
    assert_eq!(report.limits, [SamplingLimit::PageLimit]);
    let description = ingestion.tables[0].description.clone().unwrap_or_default();
    assert!(description.contains("the page limit"), "{description}");
}

#[test]
fn sampling_stops_at_the_time_per_table() {
    // 1 RCU provisioned at a 0.01 scan rate: each page waits long on the (virtual) clock.
    let fake = FakeDynamoDb::new()
        .table_described(
            "t",
            json!({"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
        )
        .items("t", items(1000));
    let ingestion = block_on(ingest(
        &settings(&[
            ("connectionOptions.sampleSize", "1000"),
            ("connectionOptions.sampleConvergenceItems", "0"),
            ("connectionOptions.sampleScanRate", "0.01"),
            ("connectionOptions.sampleSecondsPerTable", "30"),
        ]),
        &fake,
    ))
    .unwrap();
    let report = ingestion.tables[0].sampling.clone().unwrap();
    assert!(report.limits.contains(&SamplingLimit::Time), "{report:?}");
    assert!(report.items < 1000, "{report:?}");
    let slept: std::time::Duration = fake.slept.borrow().iter().sum();
    assert!(slept.as_secs() >= 30, "{slept:?}");
    let description = ingestion.tables[0].description.clone().unwrap_or_default();
    assert!(description.contains("the time per table"), "{description}");
}

#[test]
fn a_small_table_is_sampled_whole() {
    let fake = FakeDynamoDb::new().table("t").items("t", items(5));
    let ingestion = block_on(ingest(
        &settings(&[("connectionOptions.sampleSize", "100")]),
        &fake,
    ))
    .unwrap();
    let report = ingestion.tables[0].sampling.clone().unwrap();
    assert_eq!(report.items, 5);
    assert!(report.limits.is_empty(), "{report:?}");
    assert!(
        ingestion.tables[0]
            .description
            .as_deref()
            .unwrap()
            .contains("; the whole table")
            || ingestion.tables[0]
                .description
                .as_deref()
                .unwrap()
                .contains(": the whole table"),
        "{:?}",
        ingestion.tables[0].description
    );
}

#[test]
fn include_tables_false_lists_nothing() {
    let fake = FakeDynamoDb::new().table("a");
    let ingestion = block_on(ingest(
        &settings(&[("sourceConfig.includeTables", "false")]),
        &fake,
    ))
    .unwrap();
    assert!(ingestion.outcomes.is_empty());
    assert!(!ingestion.listing_complete);
    assert_eq!(fake.calls("ListTables"), 0);
    assert!(ingestion.warnings.is_empty());
}

#[test]
fn a_database_filter_can_leave_the_database_out() {
    let fake = FakeDynamoDb::new().table("a");
    let ingestion = block_on(ingest(
        &settings(&[
            ("databaseName", "staging"),
            (
                "sourceConfig.databaseFilterPattern.includes",
                r#"["^prod"]"#,
            ),
        ]),
        &fake,
    ))
    .unwrap();
    assert!(ingestion.outcomes.is_empty());
    assert_eq!(fake.calls("ListTables"), 0);
    assert!(
        ingestion.warnings[0]
            .message
            .contains("database `staging` not matched by any databaseFilterPattern.includes"),
        "{:?}",
        ingestion.warnings
    );
}
