//! Signatures checked for real: moto recomputes every request's SigV4 signature with botocore.
//! A correctly signed run succeeds; a wrong secret fails with the server's reason, and no
//! secret shows in any output.

use e2e::admin::Admin;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use e2e::{host, schema};

/// Creates an IAM user allowed `dynamodb:*` through moto's IAM API (unauthenticated until
/// auth is switched on) and returns its access key id and secret.
fn iam_user(server: &Server) -> (String, String) {
    iam_user_allowed(server, "catalog", &["dynamodb:*"])
}

/// An IAM user `name` allowed only `actions`; its access key id and secret.
fn iam_user_allowed(server: &Server, name: &str, actions: &[&str]) -> (String, String) {
    let admin = Admin::new(&server.endpoint(), "AKIDBOOTSTRAP");
    let iam = |params: &[(&str, &str)]| {
        let mut all = params.to_vec();
        all.push(("Version", "2010-05-08"));
        admin
            .query("iam", &all)
            .unwrap_or_else(|e| panic!("IAM {params:?}: {} {}", e.status, e.body))
    };
    iam(&[("Action", "CreateUser"), ("UserName", name)]);
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{},"Resource":"*"}}]}}"#,
        serde_json::json!(actions)
    );
    iam(&[
        ("Action", "PutUserPolicy"),
        ("UserName", name),
        ("PolicyName", "dynamodb"),
        ("PolicyDocument", &policy),
    ]);
    let xml = iam(&[("Action", "CreateAccessKey"), ("UserName", name)]);
    let field = |name: &str| {
        dynamodb_connector::aws::error::xml_element(&xml, name)
            .unwrap_or_else(|| panic!("no {name} in {xml}"))
    };
    (field("AccessKeyId"), field("SecretAccessKey"))
}

fn enable_auth(server: &Server) {
    let response = ureq::post(format!("{}/moto-api/reset-auth", server.endpoint()))
        .header("content-type", "text/plain")
        .send("0")
        .expect("moto reset-auth");
    assert_eq!(response.status(), 200);
}

#[test]
fn signatures_are_verified_by_moto() {
    let server = Server::start(Kind::Moto);
    let (key_id, secret) = iam_user(&server);
    host::register_secret(&secret);
    let admin = Admin::with_secret(&server.endpoint(), &key_id, &secret);
    admin.create_table(
        "signed_orders",
        &[("id", "S", "HASH"), ("at", "N", "RANGE")],
    );
    enable_auth(&server);

    let dir = tempfile::tempdir().unwrap();
    let mut workflow = Workflow::new("moto", &server.endpoint(), &key_id);
    workflow.secret = secret.clone();
    let path = workflow.write(dir.path(), "good.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let entities = run.entities();
    for e in &entities {
        schema::validate(schema::kind_of(e), e).unwrap();
    }
    assert_eq!(entities[3]["name"], "signed_orders");

    // the same key with a wrong secret: moto's botocore check refuses the signature
    let wrong = "wrong-secret-0123456789";
    host::register_secret(wrong);
    workflow.secret = wrong.to_string();
    let path = workflow.write(dir.path(), "bad.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("access denied, check the credentials and the IAM policy: ListTables: SignatureDoesNotMatch"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Workflow finished with failures"));

    // an unknown key id is named as such
    workflow.access_key_id = "AKIDNOTAUSER0000".into();
    workflow.secret = secret.clone();
    let path = workflow.write(dir.path(), "unknown.yaml");
    let run = host::run(&["test-connection", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr.contains("InvalidClientTokenId"),
        "{}",
        run.stderr
    );
}

/// A user that may only assume a role, and a role that may use DynamoDB.
fn role_only_user(server: &Server) -> (String, String, String) {
    let admin = Admin::new(&server.endpoint(), "AKIDBOOTSTRAP");
    let iam = |params: &[(&str, &str)]| {
        let mut all = params.to_vec();
        all.push(("Version", "2010-05-08"));
        admin
            .query("iam", &all)
            .unwrap_or_else(|e| panic!("IAM {params:?}: {} {}", e.status, e.body))
    };
    let xml = iam(&[
        ("Action", "CreateRole"),
        ("RoleName", "catalog-reader"),
        (
            "AssumeRolePolicyDocument",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        ),
    ]);
    let role_arn = dynamodb_connector::aws::error::xml_element(&xml, "Arn").expect("role ARN");
    iam(&[
        ("Action", "PutRolePolicy"),
        ("RoleName", "catalog-reader"),
        ("PolicyName", "dynamodb"),
        (
            "PolicyDocument",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#,
        ),
    ]);
    iam(&[("Action", "CreateUser"), ("UserName", "assumer")]);
    iam(&[
        ("Action", "PutUserPolicy"),
        ("UserName", "assumer"),
        ("PolicyName", "assume"),
        (
            "PolicyDocument",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#,
        ),
    ]);
    let xml = iam(&[("Action", "CreateAccessKey"), ("UserName", "assumer")]);
    let field = |name: &str| dynamodb_connector::aws::error::xml_element(&xml, name).unwrap();
    (field("AccessKeyId"), field("SecretAccessKey"), role_arn)
}

#[test]
fn credentials_come_from_the_environment_a_profile_or_an_assumed_role() {
    let server = Server::start(Kind::Moto);
    let (key_id, secret) = iam_user(&server);
    let (assumer_id, assumer_secret, role_arn) = role_only_user(&server);
    host::register_secret(&secret);
    host::register_secret(&assumer_secret);
    Admin::with_secret(&server.endpoint(), &key_id, &secret)
        .create_table("creds_table", &[("id", "S", "HASH")]);
    enable_auth(&server);
    let dir = tempfile::tempdir().unwrap();
    let no_keys = |name: &str, extra_aws: &str, extra: &str| {
        let yaml = Workflow::new("moto", &server.endpoint(), "unused")
            .connection(extra)
            .yaml()
            .replace("        awsAccessKeyId: unused\n", "")
            .replace(
                &format!("        awsSecretAccessKey: {}\n", e2e::admin::SECRET),
                extra_aws,
            );
        let path = dir.path().join(name);
        std::fs::write(&path, yaml).unwrap();
        path
    };

    // from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    let path = no_keys("env.yaml", "", "");
    let run = host::run_with_env(
        &["ingest", "-c", path.to_str().unwrap(), "--output", "-"],
        &[
            ("AWS_ACCESS_KEY_ID", &key_id),
            ("AWS_SECRET_ACCESS_KEY", &secret),
        ],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(run.entities()[3]["name"], "creds_table");
    assert!(
        run.stderr.contains("AWS credentials from the environment"),
        "{}",
        run.stderr
    );

    // from a named profile in the shared credentials file
    let credentials = dir.path().join("credentials");
    std::fs::write(
        &credentials,
        format!("[catalog]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let path = no_keys("profile.yaml", "        profileName: catalog\n", "");
    let run = host::run_with_env(
        &["ingest", "-c", path.to_str().unwrap(), "--output", "-"],
        &[("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("AWS credentials from profile `catalog`"),
        "{}",
        run.stderr
    );

    // a user that may only assume the role: DynamoDB works only with the role's credentials
    let assume = format!(
        "        awsAccessKeyId: {assumer_id}\n        awsSecretAccessKey: {assumer_secret}\n        assumeRoleArn: {role_arn}\n        assumeRoleSessionName: catalog-e2e\n        assumeRoleSourceIdentity: catalog-bot\n"
    );
    let options = format!(
        "      connectionOptions:\n        stsEndpointURL: {}\n",
        server.endpoint()
    );
    let path = no_keys("assume.yaml", &assume, &options);
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(run.entities()[3]["name"], "creds_table");
    assert!(run.stderr.contains("assuming role"), "{}", run.stderr);

    // without the role, the same user is refused by DynamoDB
    let plain = format!(
        "        awsAccessKeyId: {assumer_id}\n        awsSecretAccessKey: {assumer_secret}\n"
    );
    let path = no_keys("plain.yaml", &plain, "");
    let run = host::run(&["test-connection", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("AccessDenied"), "{}", run.stderr);
}

/// What the identity may not do, as the README says: a detail it may not read (tags) is one
/// warning for the run and the tables are ingested; a table it may not describe fails with the
/// server's reason (exit 1); a listing it may not make stops the run (exit 1).
#[test]
fn what_the_identity_may_not_do_is_a_warning_or_a_clear_stop() {
    let server = Server::start(Kind::Moto);
    let (admin_id, admin_secret) = iam_user(&server);
    let admin = Admin::with_secret(&server.endpoint(), &admin_id, &admin_secret);
    for name in ["iam_a", "iam_b"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let users = [
        (
            "no_tags",
            vec!["dynamodb:ListTables", "dynamodb:DescribeTable"],
        ),
        ("no_describe", vec!["dynamodb:ListTables"]),
        ("no_list", vec!["dynamodb:DescribeTable"]),
    ]
    .map(|(name, actions)| (name, iam_user_allowed(&server, name, &actions)));
    enable_auth(&server);
    let dir = tempfile::tempdir().unwrap();
    let run_as = |name: &str, (key, secret): &(String, String)| {
        host::register_secret(secret);
        let mut workflow = Workflow::new("iam", &server.endpoint(), key);
        workflow.secret = secret.clone();
        let path = workflow.write(dir.path(), &format!("{name}.yaml"));
        host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"])
    };

    let run = run_as(users[0].0, &users[0].1);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    // In the order their describes finished, which no one promises.
    let mut tables: Vec<String> = run
        .entities()
        .iter()
        .filter(|e| e.get("columns").is_some())
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    tables.sort();
    assert_eq!(tables, ["iam_a", "iam_b"]);
    let tag_warnings = run
        .stderr
        .lines()
        .filter(|l| l.contains("ListTagsOfResource"))
        .count();
    assert!(tag_warnings >= 1, "{}", run.stderr);
    // One warning per read the identity may not make, for the run, naming the action: tags,
    // and each operational read.
    assert!(
        run.stderr.contains("Warnings: 6"),
        "one warning for tags and one per operational read:\n{}",
        run.stderr
    );
    for (action, key) in [
        ("DescribeTimeToLive", "readTimeToLive"),
        ("DescribeContinuousBackups", "readBackups"),
        ("GetResourcePolicy", "readResourcePolicy"),
        (
            "DescribeKinesisStreamingDestination",
            "readKinesisDestinations",
        ),
        ("DescribeContributorInsights", "readContributorInsights"),
    ] {
        let remedy = format!("grant dynamodb:{action} or set connectionOptions.{key}: false");
        assert!(run.stderr.contains(&remedy), "{remedy}:\n{}", run.stderr);
    }

    // Items named by key (BatchGetItem) and the sample they start (Scan): one warning each,
    // naming the action and what turns it off; the tables are still ingested.
    let (key, secret) = &users[0].1;
    let mut chosen = Workflow::new("iam", &server.endpoint(), key).connection(
        "      connectionOptions:\n        includeTableItems: '{\"iam_a\": [{\"id\": {\"S\": \"a1\"}}]}'\n",
    );
    chosen.secret = secret.clone();
    let path = chosen.write(dir.path(), "chosen.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.stderr.contains("Warnings: 8"), "{}", run.stderr);
    for remedy in [
        "grant dynamodb:BatchGetItem or remove connectionOptions.includeTableItems",
        "grant dynamodb:Scan or stop sampling (connectionOptions.sampleSize, includeTableItems)",
    ] {
        assert!(run.stderr.contains(remedy), "{remedy}:\n{}", run.stderr);
    }

    let run = run_as(users[1].0, &users[1].1);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(
        e2e::summary::table_counts(&run.stderr),
        [2, 0, 0, 2],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("iam_a  DescribeTable: AccessDenied: User: arn:aws:iam::123456789012:user/no_describe is not authorized to perform: dynamodb:DescribeTable (HTTP 403)"),
        "{}",
        run.stderr
    );

    let run = run_as(users[2].0, &users[2].1);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("access denied, check the credentials and the IAM policy: ListTables"),
        "{}",
        run.stderr
    );
}
