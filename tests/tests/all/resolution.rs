//! The sandbox's check of what a destination name resolves to, with a resolver the test
//! controls (the host library takes an injected one): a public-looking name that resolves to
//! a private or link-local address is refused, and the refusal is not retried; a name with two
//! addresses, one forbidden, is reached at the allowed one only.

use ddb_catalog::runtime::bindings::types::ConnectorError;
use ddb_catalog::runtime::limits::Limits;
use ddb_catalog::runtime::outbound::{Allowlist, Destination, Resolver};
use ddb_catalog::runtime::{RunRequest, Runtime};
use e2e::wire::WireRecorder;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Answers every name with the same addresses.
struct Fixed(Vec<IpAddr>);

impl Resolver for Fixed {
    fn resolve<'a>(
        &'a self,
        _host: &'a str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        let addresses = self.0.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
        Box::pin(async move { Ok(addresses) })
    }
}

fn runtime(addresses: &[&str]) -> Runtime {
    runtime_with(addresses, Duration::from_secs(5))
}

fn runtime_with(addresses: &[&str], connect_timeout: Duration) -> Runtime {
    let limits = Limits {
        connect_timeout,
        ..Limits::default()
    };
    let cache = e2e::hostile::target_dir().with_file_name("e2e-compile-cache");
    Runtime::new(&e2e::host::component(), Some(&cache), limits, None)
        .expect("the connector fits the host")
        .with_resolver(Arc::new(Fixed(
            addresses.iter().map(|a| a.parse().unwrap()).collect(),
        )))
}

fn request(endpoint: &str, internal_names: bool) -> RunRequest {
    let yaml = e2e::workflow::Workflow::new("resolution", endpoint, "AKIDRESOLVE").yaml();
    let (config, secrets) = e2e::workflow::keys(&yaml);
    RunRequest {
        tenant: "resolution".to_string(),
        secrets,
        config,
        allowlist: Allowlist::new(vec![Destination::from_url(endpoint).unwrap()])
            .allowing_internal_names(internal_names),
        echo_log: None,
    }
}

#[tokio::test]
async fn a_public_looking_name_that_resolves_to_internal_addresses_is_refused_once() {
    for address in [
        "10.20.30.40",
        "169.254.169.254",
        "::ffff:192.168.1.1",
        "fe80::1",
    ] {
        let outcome = runtime(&[address])
            .test_connection(request("http://dynamodb.example.com:8000", false))
            .await;
        let Ok(Err(ConnectorError::Unreachable(failure))) = &outcome.answer else {
            panic!("{address}: {:?}\n{:#?}", outcome.answer, outcome.log)
        };
        assert_eq!(failure.code, "HttpRequestDenied", "{address}: {failure:?}");
        // A refusal is not worth another attempt.
        assert_eq!(failure.attempts, 1, "{address}: {failure:?}");
        assert!(
            outcome
                .log
                .iter()
                .any(|l| l.contains("HTTP connection refused: dynamodb.example.com resolves to")),
            "{address}: {:#?}",
            outcome.log
        );
    }
}

#[tokio::test]
async fn a_name_with_a_forbidden_and_an_allowed_address_is_reached_at_the_allowed_one() {
    let recorder = WireRecorder::start();
    let port = recorder.endpoint().rsplit(':').next().unwrap().to_string();
    // The metadata address first, with a connect timeout of an hour: trying it would hang
    // (nothing answers there), so the watchdog, not a measured time, tells that it was skipped.
    let outcome = tokio::time::timeout(
        Duration::from_secs(300),
        runtime_with(&["169.254.169.254", "127.0.0.1"], Duration::from_secs(3600))
            .test_connection(request(&format!("http://dynamodb.split.test:{port}"), true)),
    )
    .await
    .expect("the forbidden address was tried: the connection hung");
    assert!(
        matches!(&outcome.answer, Ok(Ok(_))),
        "{:?}\n{:#?}",
        outcome.answer,
        outcome.log
    );
    assert_eq!(recorder.requests().len(), 1);
    // Without internal names allowed, the loopback address is refused too.
    let outcome = runtime(&["169.254.169.254", "127.0.0.1"])
        .test_connection(request(
            &format!("http://dynamodb.split.test:{port}"),
            false,
        ))
        .await;
    assert!(
        matches!(&outcome.answer, Ok(Err(ConnectorError::Unreachable(f))) if f.code == "HttpRequestDenied"),
        "{:?}",
        outcome.answer
    );
    assert_eq!(recorder.requests().len(), 1);
}
