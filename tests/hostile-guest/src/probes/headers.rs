//! Header and request-line tricks: a forged `Host` (the allowlist must go by the request's
//! authority, never by a header), the other hop-by-hop headers a proxy would act on, header
//! injection, and paths or authorities that smuggle a second destination. Last, one request to
//! the allowed destination carrying every forged header the host accepted, so that a test
//! server can show what actually went out.

use crate::http::{self, Request, fetch};
use crate::observations::Observations;
use crate::settings::Settings;
use wasip2::http::types::{Fields, HeaderError, OutgoingRequest};

const METADATA: &str = "169.254.169.254";

/// Headers a guest must not set; the values aim at the metadata service.
const FORGED: [(&str, &str); 9] = [
    ("host", METADATA),
    ("HOST", METADATA),
    ("connection", "upgrade"),
    ("keep-alive", "timeout=600"),
    ("proxy-authorization", "Basic aG9zdGlsZTpndWVzdA=="),
    ("proxy-connection", "keep-alive"),
    ("transfer-encoding", "chunked"),
    ("upgrade", "h2c"),
    ("http2-settings", "AAMAAABkAARAAAAAAAIAAAAA"),
];

pub fn probe(settings: &Settings, seen: &mut Observations) {
    let Some(allowed) = &settings.allowed else {
        seen.record("setup", "no hostile.allowed");
        return;
    };

    let forged = http::probe_headers("forged-headers");
    for (name, value) in FORGED {
        let entry = [(name.to_string(), value.as_bytes().to_vec())];
        seen.record(
            &format!("header {name}"),
            outcome(Fields::from_list(&entry).map(drop)),
        );
        // Whatever the host accepts goes into the request sent below.
        let _ = forged.append(name, value.as_bytes());
    }
    let fields = Fields::new();
    seen.record(
        "append host",
        outcome(fields.append("host", METADATA.as_bytes())),
    );
    seen.record(
        "set host",
        outcome(fields.set("host", &[METADATA.as_bytes().to_vec()])),
    );
    let injected = [(
        "x-note".to_string(),
        format!("a\r\nHost: {METADATA}").into_bytes(),
    )];
    seen.record(
        "header value with CRLF",
        outcome(Fields::from_list(&injected).map(drop)),
    );

    let request = OutgoingRequest::new(Fields::new());
    for (probe, path) in [
        (
            "absolute-form path",
            format!("http://{METADATA}/latest/meta-data/"),
        ),
        (
            "path without slash",
            format!("{METADATA}/latest/meta-data/"),
        ),
    ] {
        seen.record(probe, setter(request.set_path_with_query(Some(&path))));
    }
    for (probe, authority) in [
        ("authority with path", format!("{}/x", allowed.authority)),
        (
            "authority with CRLF",
            format!("{}\r\nHost: {METADATA}", allowed.authority),
        ),
    ] {
        seen.record(probe, setter(request.set_authority(Some(&authority))));
    }

    let lying = http::probe_headers("content-length-without-body");
    let _ = lying.append("content-length", b"5");
    seen.record(
        "content-length without body",
        fetch(Request {
            scheme: http::scheme(allowed.https),
            authority: &allowed.authority,
            path: "/",
            headers: lying,
        }),
    );

    seen.record(
        "forged-headers",
        fetch(Request {
            scheme: http::scheme(allowed.https),
            authority: &allowed.authority,
            path: "/",
            headers: forged,
        }),
    );
}

fn outcome(result: Result<(), HeaderError>) -> String {
    match result {
        Ok(()) => "accepted".to_string(),
        Err(e) => format!("refused: {}", http::header_error_name(&e)),
    }
}

fn setter(result: Result<(), ()>) -> String {
    match result {
        Ok(()) => "accepted".to_string(),
        Err(()) => "refused".to_string(),
    }
}
