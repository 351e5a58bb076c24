//! What the connector puts on the wire, byte for byte: every DynamoDB and STS request carries
//! `Content-Length` and is never chunked, as botocore sends them (some AWS front-ends and
//! corporate proxies refuse chunked bodies; local servers accept them, which is why only the
//! bytes tell). And the temporary credentials STS hands back never reach an output.

use e2e::host;
use e2e::wire::WireRecorder;
use e2e::workflow::Workflow;

#[test]
fn every_request_carries_content_length_and_is_never_chunked() {
    let recorder = WireRecorder::start();
    for secret in WireRecorder::TEMPORARY.iter().skip(1) {
        host::register_secret(secret);
    }
    let dir = tempfile::tempdir().unwrap();
    let workflow = Workflow::new("wire", &recorder.endpoint(), "AKIDWIRE").connection(&format!(
        "      connectionOptions:\n        stsEndpointURL: {}\n",
        recorder.endpoint()
    ));
    let mut yaml = workflow.yaml();
    yaml = yaml.replace(
        "        endPointURL:",
        "        assumeRoleArn: arn:aws:iam::123456789012:role/wire\n        endPointURL:",
    );
    let path = dir.path().join("workflow.yaml");
    std::fs::write(&path, yaml).unwrap();
    let run = host::run(&["test-connection", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 0, "{}{}", run.stdout, run.stderr);
    let requests = recorder.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let (sts, list) = (&requests[0], &requests[1]);
    assert!(sts.head.starts_with("POST / HTTP/1.1\r\n"), "{}", sts.head);
    assert!(
        String::from_utf8_lossy(&sts.body).starts_with("Action=AssumeRole&"),
        "{sts:?}"
    );
    assert_eq!(
        list.header("x-amz-target"),
        Some("DynamoDB_20120810.ListTables")
    );
    for request in [sts, list] {
        assert_eq!(
            request.header("content-length"),
            Some(request.body.len().to_string().as_str()),
            "{}",
            request.head
        );
        assert_eq!(
            request.header("transfer-encoding"),
            None,
            "{}",
            request.head
        );
        assert!(!request.body.is_empty());
    }
    // The DynamoDB call is signed with the temporary credentials, which appear nowhere else.
    let authorization = list.header("authorization").unwrap();
    assert!(
        authorization.contains(&format!("Credential={}/", WireRecorder::TEMPORARY[0])),
        "{authorization}"
    );
    assert_eq!(
        list.header("x-amz-security-token"),
        Some(WireRecorder::TEMPORARY[2])
    );
}
