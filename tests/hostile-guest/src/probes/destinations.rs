//! HTTP to destinations off the allowlist. Each probe reports the host's answer; the first,
//! to the allowed destination itself, shows that the others fail because they are refused.

use crate::http::{self, Request, fetch};
use crate::observations::Observations;
use crate::settings::Settings;
use wasip2::http::types::Scheme;

const METADATA: &str = "169.254.169.254";
const METADATA_PATH: &str = "/latest/meta-data/";

pub fn probe(settings: &Settings, seen: &mut Observations) {
    let Some(allowed) = &settings.allowed else {
        seen.record("setup", "no hostile.allowed");
        return;
    };
    let port = allowed.port;
    seen.record("allowed", fetch(Request::get(allowed, "/", "allowed")));

    let attempts: [(&str, Scheme, String); 9] = [
        ("metadata-service", Scheme::Http, METADATA.to_string()),
        (
            "metadata-service-https",
            Scheme::Https,
            METADATA.to_string(),
        ),
        (
            "allowed-port-other-scheme",
            http::scheme(!allowed.https),
            allowed.authority.clone(),
        ),
        (
            "allowed-host-other-port",
            http::scheme(allowed.https),
            format!("{}:{}", allowed.host, port.wrapping_add(1)),
        ),
        ("localhost-alias", Scheme::Http, format!("localhost:{port}")),
        ("decimal-ip", Scheme::Http, format!("2130706433:{port}")),
        ("ipv6-loopback", Scheme::Http, format!("[::1]:{port}")),
        (
            "userinfo-then-metadata",
            Scheme::Http,
            format!("{}@{METADATA}", allowed.authority),
        ),
        (
            "other-scheme",
            Scheme::Other("gopher".to_string()),
            allowed.authority.clone(),
        ),
    ];
    for (probe, scheme, authority) in attempts {
        let request = Request {
            scheme,
            authority: &authority,
            path: METADATA_PATH,
            headers: http::probe_headers(probe),
        };
        seen.record(probe, fetch(request));
    }

    if let Some(forbidden) = &settings.forbidden {
        seen.record(
            "other-loopback-port",
            fetch(Request::get(
                forbidden,
                METADATA_PATH,
                "other-loopback-port",
            )),
        );
        // The host part is the allowed destination; the userinfo names the forbidden one.
        let authority = format!("{}@{}", forbidden.authority, allowed.authority);
        let request = Request {
            scheme: http::scheme(allowed.https),
            authority: &authority,
            path: METADATA_PATH,
            headers: http::probe_headers("forbidden-userinfo-then-allowed"),
        };
        seen.record("forbidden-userinfo-then-allowed", fetch(request));
    }
}
