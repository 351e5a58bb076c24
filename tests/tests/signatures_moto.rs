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
    let admin = Admin::new(&server.endpoint(), "AKIDBOOTSTRAP");
    let iam = |params: &[(&str, &str)]| {
        let mut all = params.to_vec();
        all.push(("Version", "2010-05-08"));
        admin
            .query("iam", &all)
            .unwrap_or_else(|e| panic!("IAM {params:?}: {} {}", e.status, e.body))
    };
    iam(&[("Action", "CreateUser"), ("UserName", "catalog")]);
    iam(&[
        ("Action", "PutUserPolicy"),
        ("UserName", "catalog"),
        ("PolicyName", "dynamodb"),
        (
            "PolicyDocument",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#,
        ),
    ]);
    let xml = iam(&[("Action", "CreateAccessKey"), ("UserName", "catalog")]);
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
