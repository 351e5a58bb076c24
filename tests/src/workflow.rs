//! Workflow YAML for tests, in the shape of OpenMetadata's DynamoDB docs.

use std::path::{Path, PathBuf};

/// The `connectionOptions` keys of the per-table reads beyond DescribeTable and tags.
pub const OPERATIONAL_READS: [&str; 5] = [
    "readTimeToLive",
    "readBackups",
    "readResourcePolicy",
    "readKinesisDestinations",
    "readContributorInsights",
];

#[derive(Debug, Clone)]
pub struct Workflow {
    pub service: String,
    pub endpoint: String,
    pub access_key_id: String,
    pub secret: String,
    pub region: String,
    /// Extra lines under `serviceConnection.config` (indented by the caller to 6 spaces).
    pub connection_extra: String,
    /// Lines under `sourceConfig.config` (6 spaces).
    pub source_config: String,
    /// The `sink:` block, or empty for none.
    pub sink: String,
    /// Extra lines under `workflowConfig:` (2 spaces).
    pub workflow_config: String,
    /// Which of the per-table reads beyond DescribeTable and tags the connector makes
    /// ([`OPERATIONAL_READS`]); the others are set to `false`.
    pub operational_reads: Vec<&'static str>,
}

impl Workflow {
    pub fn new(service: &str, endpoint: &str, access_key_id: &str) -> Workflow {
        Workflow {
            service: service.into(),
            endpoint: endpoint.into(),
            access_key_id: access_key_id.into(),
            secret: crate::admin::SECRET.into(),
            region: "us-east-1".into(),
            connection_extra: String::new(),
            source_config: "      type: DatabaseMetadata\n".into(),
            sink: String::new(),
            workflow_config: "  loggerLevel: INFO\n".into(),
            operational_reads: OPERATIONAL_READS.to_vec(),
        }
    }

    pub fn file_sink(mut self, path: &Path) -> Workflow {
        self.sink = format!(
            "sink:\n  type: file\n  config:\n    filename: {}\n",
            path.display()
        );
        self
    }

    /// Adds lines under `sourceConfig.config` (6 spaces).
    pub fn source_config(mut self, lines: &str) -> Workflow {
        self.source_config.push_str(lines);
        self
    }

    /// `includeTags: false` and every `connectionOptions.read*: false`: no ListTagsOfResource
    /// and no operational read, so that request counts are pages and describes, whatever the
    /// server.
    pub fn without_tags(mut self) -> Workflow {
        self.source_config.push_str("      includeTags: false\n");
        self.operational_reads.clear();
        self
    }

    /// Only these of [`OPERATIONAL_READS`] on (e.g. `["readTimeToLive"]`), so that request
    /// counts do not depend on which calls a server lacks.
    pub fn only_reads(mut self, reads: &[&'static str]) -> Workflow {
        assert!(reads.iter().all(|r| OPERATIONAL_READS.contains(r)));
        self.operational_reads = reads.to_vec();
        self
    }

    /// `serviceConnection.config`'s extra lines, with each `connectionOptions.read*: false` put
    /// into its `connectionOptions` when the operational reads are off.
    fn connection_lines(&self) -> String {
        if self.operational_reads.len() == OPERATIONAL_READS.len() {
            return self.connection_extra.clone();
        }
        let off = OPERATIONAL_READS
            .iter()
            .filter(|key| !self.operational_reads.contains(key))
            .map(|key| format!("        {key}: false\n"))
            .collect::<String>();
        let off = off.as_str();
        match self.connection_extra.find("      connectionOptions:\n") {
            Some(at) => {
                let insert = at + "      connectionOptions:\n".len();
                let mut lines = self.connection_extra.clone();
                lines.insert_str(insert, off);
                lines
            }
            None => format!("{}      connectionOptions:\n{off}", self.connection_extra),
        }
    }

    /// The `metadata-rest` sink into `om` (its token registered as a secret the tests look
    /// for in every output).
    pub fn into_openmetadata(mut self, om: &crate::openmetadata::OpenMetadata) -> Workflow {
        crate::host::register_secret(&om.token());
        self.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
        self.workflow_config = format!(
            "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
            om.host_port(),
            om.token()
        );
        self
    }

    pub fn connection(mut self, lines: &str) -> Workflow {
        self.connection_extra = lines.to_string();
        self
    }

    pub fn yaml(&self) -> String {
        format!(
            "source:\n  type: dynamodb\n  serviceName: {service}\n  serviceConnection:\n    config:\n      type: DynamoDB\n      awsConfig:\n        awsAccessKeyId: {key}\n        awsSecretAccessKey: {secret}\n        awsRegion: {region}\n        endPointURL: {endpoint}\n{extra}  sourceConfig:\n    config:\n{source}{sink}workflowConfig:\n{wc}",
            service = self.service,
            key = self.access_key_id,
            secret = self.secret,
            region = self.region,
            endpoint = self.endpoint,
            extra = self.connection_lines(),
            source = self.source_config,
            sink = self.sink,
            wc = self.workflow_config,
        )
    }

    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.yaml()).expect("write workflow");
        path
    }
}

/// The `wasi:config/store` keys of a DynamoDB workflow as `ddb-catalog` hands them to the
/// connector (read through the connector's own manifest), and the secret values among them:
/// for tests that build a run request themselves.
pub fn keys(yaml: &str) -> (Vec<(String, String)>, Vec<String>) {
    use ddb_catalog::config_keys::{bind, secret_values};
    let manifest = dynamodb_manifest();
    let loaded = ddb_catalog::workflow::Workflow::parse(yaml).expect("a valid workflow");
    let bound = bind(&loaded, manifest).expect("a workflow of the DynamoDB connector");
    let secrets = secret_values(&bound.pairs, manifest);
    (bound.pairs, secrets)
}

/// The DynamoDB connector's manifest, asked once from the built component.
fn dynamodb_manifest() -> &'static ddb_catalog::connector::Manifest {
    static MANIFEST: std::sync::OnceLock<ddb_catalog::connector::Manifest> =
        std::sync::OnceLock::new();
    MANIFEST.get_or_init(|| {
        // A thread of its own: the caller may be inside a runtime already.
        std::thread::spawn(|| {
            let cache = crate::hostile::target_dir().with_file_name("e2e-compile-cache");
            let runtime = ddb_catalog::runtime::Runtime::new(
                &crate::host::component(),
                Some(&cache),
                ddb_catalog::runtime::limits::Limits::default(),
                None,
            )
            .expect("the connector fits the host");
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(runtime.manifest())
                .expect("the connector's manifest")
                .as_ref()
                .clone()
        })
        .join()
        .expect("the manifest thread")
    })
}
