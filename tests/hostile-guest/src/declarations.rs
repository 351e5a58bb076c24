//! What the guest declares to a host before a run: its manifest and the destinations of its
//! configuration. Both are hostile in their own way.

use crate::bindings::exports::catalog::connector::types::{
    ConfigKey, ConnectorError, ConnectorManifest, CredentialProvider, Destination, OpenMap,
    ValueShape,
};
use crate::mode::Mode;
use crate::settings::{Settings, invalid};

const CONNECTION: &str = "source.serviceConnection.config";

/// A manifest that passes for the DynamoDB connector's, so that the tests' DynamoDB-shaped
/// workflows run this guest: its `hostile.*` keys come under `connectionOptions`. Built with
/// the `steal-manifest` feature, it also tries to steal the OpenMetadata bot's JWT: the key
/// `stolen` reads `workflowConfig.openMetadataServerConfig.securityConfig.jwtToken`, and not
/// even as a secret. A host must refuse that manifest: a key may read only the source's own
/// configuration (`source.serviceName`, `source.serviceConnection.config.*`,
/// `source.sourceConfig.config.*`, `workflowConfig.loggerLevel`).
pub fn manifest() -> ConnectorManifest {
    let mut keys = vec![
        key("serviceName", "source.serviceName"),
        key("type", &format!("{CONNECTION}.type")),
        ConfigKey {
            stored: true,
            ..key("databaseName", &format!("{CONNECTION}.databaseName"))
        },
        key("loggerLevel", "workflowConfig.loggerLevel"),
        // The one service its lineage edges may reach (`lineage-hijack` reaches for others).
        ConfigKey {
            lineage_service: true,
            ..key(
                "connectionOptions.lineageService",
                &format!("{CONNECTION}.connectionOptions.lineageService"),
            )
        },
    ];
    for (name, secret) in [
        ("awsAccessKeyId", false),
        ("awsSecretAccessKey", true),
        ("awsSessionToken", true),
        ("awsRegion", false),
        ("endPointURL", false),
        ("profileName", false),
        ("assumeRoleArn", false),
    ] {
        // Stored as the DynamoDB connector's are, so that its service passes OpenMetadata's
        // schema of a DynamoDB connection (`awsConfig` is required there).
        keys.push(ConfigKey {
            secret,
            stored: !secret,
            ..key(
                &format!("awsConfig.{name}"),
                &format!("{CONNECTION}.awsConfig.{name}"),
            )
        });
    }
    for name in [
        "type",
        "includeTables",
        "includeViews",
        "includeTags",
        "markDeletedTables",
        "useFqnForFiltering",
    ] {
        keys.push(key(
            &format!("sourceConfig.{name}"),
            &format!("source.sourceConfig.config.{name}"),
        ));
    }
    if cfg!(feature = "steal-manifest") {
        keys.push(key(
            "stolen",
            "workflowConfig.openMetadataServerConfig.securityConfig.jwtToken",
        ));
    }
    ConnectorManifest {
        source_type: "dynamodb".to_string(),
        service_type: "DynamoDB".to_string(),
        pipeline_types: vec!["DatabaseMetadata".to_string()],
        step_name: "Hostile".to_string(),
        credentials: CredentialProvider::Aws,
        keys,
        open_maps: vec![OpenMap {
            prefix: "connectionOptions.".to_string(),
            yaml_path: format!("{CONNECTION}.connectionOptions"),
        }],
        classifications: Vec::new(),
    }
}

/// A scalar key that is not secret.
fn key(name: &str, yaml_path: &str) -> ConfigKey {
    ConfigKey {
        name: name.to_string(),
        yaml_path: yaml_path.to_string(),
        yaml_aliases: Vec::new(),
        shape: ValueShape::Scalar,
        secret: false,
        stored: false,
        lineage_service: false,
    }
}

/// `many-destinations`: `hostile.count` of them (default 1,000,000); `bad-destinations`: five a
/// host must refuse; any other mode: the one of `hostile.endpoint`, else the workflow's
/// `awsConfig.endPointURL`, or none.
pub fn destinations(settings: &Settings) -> Result<Vec<Destination>, ConnectorError> {
    match settings.mode {
        Mode::ManyDestinations => Ok(many(settings.count_or(1_000_000))),
        Mode::BadDestinations => Ok(bad()),
        _ => match settings
            .endpoint
            .as_ref()
            .or(settings.endpoint_url.as_ref())
        {
            None => Ok(Vec::new()),
            Some(url) => parse(url)
                .map(|d| vec![d])
                .ok_or_else(|| invalid("hostile.endpoint", format!("`{url}` is not a URL"))),
        },
    }
}

/// `https://d<i>.example.com:443`, `count` times. The whole list is built: what the host lifts
/// of it is the host's to bound.
fn many(count: u64) -> Vec<Destination> {
    (0..count)
        .map(|i| destination("https", &format!("d{i}.example.com"), 443))
        .collect()
}

/// Destinations a host must refuse, one reason each.
fn bad() -> Vec<Destination> {
    // Four labels of 63 characters and one of 44, with their dots: 300 characters.
    let long_host = [63, 63, 63, 63, 44].map(|n| "a".repeat(n)).join(".");
    vec![
        destination("ftp", "files.example.com", 21),
        destination("https", "evil\n\u{1b}[31mhost", 443),
        destination("https", "zero.example.com", 0),
        destination("https", "", 443),
        destination("https", &long_host, 443),
    ]
}

fn destination(scheme: &str, host: &str, port: u16) -> Destination {
    Destination {
        scheme: scheme.to_string(),
        host: host.to_string(),
        port,
        purpose: "the hostile guest's endpoint".to_string(),
    }
}

/// `scheme://host[:port][/path]`, the port by default 80 for `http` and 443 for `https`; an
/// IPv6 host in brackets loses them. Any scheme passes: refusing it is the host's part.
fn parse(url: &str) -> Option<Destination> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => match scheme {
            "http" => 80,
            "https" => 443,
            _ => return None,
        },
    };
    Some(destination(scheme, host, port))
}
