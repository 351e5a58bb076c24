//! What the connector is to a host, before any configuration (`manifest` in the contract): its
//! source and service types, its step's name, the credentials it needs the host to find, and
//! every key it reads with its place in the workflow YAML. It is derived from the same
//! declaration as the configuration schema ([`crate::config_schema::KEYS`]), so the two cannot
//! disagree. And the destinations a configuration implies (`destinations`), computed from the
//! settings with no request.

use crate::config_schema::{self, Kind};
use crate::endpoint::{self, Endpoint};
use crate::error::ConnectorError;
use crate::settings::{Settings, keys};

pub const SOURCE_TYPE: &str = "dynamodb";
pub const SERVICE_TYPE: &str = "DynamoDB";
pub const PIPELINE_TYPES: &[&str] = &["DatabaseMetadata", "Profiler", "AutoClassification"];
pub const STEP_NAME: &str = "DynamoDB";

/// The keys OpenMetadata keeps in the service's connection: fields of `dynamoDBConnection.json`
/// in every version from 1.3 (not `supportsProfiler`, 1.6, nor the default filters, 1.9), as its
/// own connector stores them. Never a secret.
const STORED: &[&str] = &[
    keys::REGION,
    keys::ACCESS_KEY_ID,
    keys::ENDPOINT_URL,
    keys::PROFILE_NAME,
    keys::ASSUME_ROLE_ARN,
    keys::ASSUME_ROLE_SESSION_NAME,
    keys::ASSUME_ROLE_SOURCE_IDENTITY,
    keys::DATABASE_NAME,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialProvider {
    None,
    /// AWS's default chain, for the `awsConfig.` keys.
    Aws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueShape {
    Scalar,
    List,
    Document,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigKey {
    pub name: String,
    pub yaml_path: String,
    pub yaml_aliases: Vec<String>,
    pub shape: ValueShape,
    pub secret: bool,
    pub stored: bool,
    pub lineage_service: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMap {
    pub prefix: String,
    pub yaml_path: String,
}

/// A classification of the connector's own, with its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassificationDeclaration {
    pub name: String,
    pub description: String,
    pub tags: Vec<TagDeclaration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDeclaration {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub source_type: String,
    pub service_type: String,
    pub pipeline_types: Vec<String>,
    pub step_name: String,
    pub credentials: CredentialProvider,
    pub keys: Vec<ConfigKey>,
    pub open_maps: Vec<OpenMap>,
    pub classifications: Vec<ClassificationDeclaration>,
}

pub fn manifest() -> Manifest {
    Manifest {
        source_type: SOURCE_TYPE.to_string(),
        service_type: SERVICE_TYPE.to_string(),
        pipeline_types: PIPELINE_TYPES.iter().map(|t| t.to_string()).collect(),
        step_name: STEP_NAME.to_string(),
        credentials: CredentialProvider::Aws,
        keys: config_schema::KEYS
            .iter()
            .map(|k| ConfigKey {
                name: k.name.to_string(),
                yaml_path: config_schema::yaml_path(k),
                yaml_aliases: k.yaml_aliases.iter().map(|a| a.to_string()).collect(),
                shape: match k.kind {
                    Kind::Patterns => ValueShape::List,
                    Kind::Document => ValueShape::Document,
                    _ => ValueShape::Scalar,
                },
                secret: k.secret,
                stored: STORED.contains(&k.name),
                lineage_service: k.lineage_service,
            })
            .collect(),
        open_maps: config_schema::OPEN_PREFIXES
            .iter()
            .map(|p| OpenMap {
                prefix: p.prefix.to_string(),
                yaml_path: p.yaml.to_string(),
            })
            .collect(),
        classifications: vec![crate::mapping::ttl::classification()],
    }
}

/// A destination a run may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub purpose: String,
}

impl Destination {
    fn of(endpoint: &Endpoint, purpose: &str) -> Destination {
        let uri = endpoint.uri();
        let https = uri.scheme_str() == Some("https");
        Destination {
            scheme: if https { "https" } else { "http" }.to_string(),
            host: endpoint
                .host()
                .trim_matches(|c| c == '[' || c == ']')
                .to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
            purpose: purpose.to_string(),
        }
    }
}

/// The DynamoDB endpoint, and STS when a role is assumed: where the settings send requests.
pub fn destinations(settings: &Settings) -> Result<Vec<Destination>, ConnectorError> {
    let aws = &settings.aws;
    let dynamodb = endpoint::dynamodb(&aws.region, aws.endpoint_url.as_deref())?;
    let mut out = vec![Destination::of(&dynamodb, "the DynamoDB endpoint")];
    if aws.assume_role.is_some() {
        let sts = endpoint::sts(&aws.region, aws.sts_endpoint_url.as_deref())?;
        out.push(Destination::of(&sts, "STS, to assume `assumeRoleArn`"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let mut all = vec![("serviceName", "s"), ("awsConfig.awsRegion", "eu-west-1")];
        all.extend_from_slice(pairs);
        Settings::from_pairs(all).unwrap()
    }

    #[test]
    fn the_regional_endpoint_and_sts_only_when_a_role_is_assumed() {
        let plain = destinations(&settings(&[])).unwrap();
        assert_eq!(
            plain,
            vec![Destination {
                scheme: "https".into(),
                host: "dynamodb.eu-west-1.amazonaws.com".into(),
                port: 443,
                purpose: "the DynamoDB endpoint".into(),
            }]
        );
        let role = destinations(&settings(&[(
            "awsConfig.assumeRoleArn",
            "arn:aws:iam::1:role/r",
        )]))
        .unwrap();
        assert_eq!(role[1].host, "sts.eu-west-1.amazonaws.com");
        let china =
            Settings::from_pairs([("serviceName", "s"), ("awsConfig.awsRegion", "cn-north-1")])
                .unwrap();
        assert_eq!(
            destinations(&china).unwrap()[0].host,
            "dynamodb.cn-north-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn configured_endpoints_keep_their_scheme_and_port() {
        let local = destinations(&settings(&[
            ("awsConfig.endPointURL", "http://LocalHost:8000"),
            ("awsConfig.assumeRoleArn", "arn:aws:iam::1:role/r"),
            ("connectionOptions.stsEndpointURL", "http://[::1]:5000"),
        ]))
        .unwrap();
        assert_eq!(
            (
                local[0].scheme.as_str(),
                local[0].host.as_str(),
                local[0].port
            ),
            ("http", "localhost", 8000)
        );
        assert_eq!((local[1].host.as_str(), local[1].port), ("::1", 5000));
    }

    #[test]
    fn a_bad_region_is_the_regions_error() {
        let error = destinations(&settings(&[])).map(|_| ()).and_then(|_| {
            let bad =
                Settings::from_pairs([("serviceName", "s"), ("awsConfig.awsRegion", "us east/1")])?;
            destinations(&bad).map(|_| ())
        });
        assert!(
            error
                .unwrap_err()
                .to_string()
                .contains("awsConfig.awsRegion"),
            "the region is named"
        );
    }

    #[test]
    fn the_manifest_declares_every_key_with_its_yaml_path_and_the_secrets() {
        let m = manifest();
        assert_eq!(m.credentials, CredentialProvider::Aws);
        let key = |name: &str| m.keys.iter().find(|k| k.name == name).unwrap();
        assert_eq!(
            key("awsConfig.awsRegion").yaml_path,
            "source.serviceConnection.config.awsConfig.awsRegion"
        );
        assert_eq!(
            key("connectionOptions.sampleSize").yaml_path,
            "source.serviceConnection.config.connectionOptions.sampleSize"
        );
        assert_eq!(
            key("databaseName").yaml_aliases,
            vec!["source.serviceConnection.config.database".to_string()]
        );
        assert_eq!(
            key("sourceConfig.tableFilterPattern.includes").shape,
            ValueShape::List
        );
        assert_eq!(
            key("sourceConfig.profileSampleConfig").shape,
            ValueShape::Document
        );
        let secrets: Vec<&str> = m
            .keys
            .iter()
            .filter(|k| k.secret)
            .map(|k| k.name.as_str())
            .collect();
        assert_eq!(
            secrets,
            ["awsConfig.awsSecretAccessKey", "awsConfig.awsSessionToken"]
        );
        for k in &m.keys {
            assert!(
                k.yaml_path == "source.serviceName"
                    || k.yaml_path == "workflowConfig.loggerLevel"
                    || k.yaml_path.starts_with("source.serviceConnection.config.")
                    || k.yaml_path.starts_with("source.sourceConfig.config.")
                    || k.yaml_path == "processor.config.tableConfig",
                "{} reads {}",
                k.name,
                k.yaml_path
            );
        }
    }
}
