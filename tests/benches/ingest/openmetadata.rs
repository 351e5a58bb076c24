//! OpenMetadata's own DynamoDB connector (`metadata ingest`, from the venv that
//! `scripts/bench-setup.sh` installs) on the same tables, with the same source section and a
//! file sink. Its workflow still asks an OpenMetadata server a few things, which
//! [`OpenMetadataServer`] answers.

use crate::openmetadata_server::OpenMetadataServer;
use crate::process::{self, Cost};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct OpenMetadataConnector {
    metadata: PathBuf,
    pub version: String,
}

impl OpenMetadataConnector {
    /// The venv's `metadata` CLI, if it is installed.
    pub fn find(root: &Path) -> Option<OpenMetadataConnector> {
        let metadata = root.join(".tools/om-venv/bin/metadata");
        let output = Command::new(&metadata).arg("--version").output().ok()?;
        output.status.success().then(|| OpenMetadataConnector {
            metadata,
            version: String::from_utf8_lossy(&output.stdout).trim().to_string(),
        })
    }

    /// `metadata ingest -c <workflow>`; panics unless it wrote `tables` tables to its file sink.
    pub fn ingest(&self, workflow: &Path, sink_file: &Path, tables: usize, logs: &Path) -> Cost {
        let _ = std::fs::remove_file(sink_file);
        let mut command = Command::new(&self.metadata);
        command
            .arg("ingest")
            .arg("-c")
            .arg(workflow)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials",
            );
        let finished = process::run(command, logs);
        let written = std::fs::read_to_string(sink_file).unwrap_or_default();
        // The file sink writes one create request per record; tables are the ones with columns.
        let created = written.matches("\"tableType\"").count();
        if finished.code != 0 || created != tables {
            panic!(
                "metadata ingest exited {} with {created} of {tables} tables written:\n{}",
                finished.code,
                tail(&finished.stderr, 4000)
            );
        }
        finished.cost
    }
}

/// The `workflowConfig` lines that point a workflow at `server`.
pub fn workflow_config(server: &OpenMetadataServer) -> String {
    format!(
        "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
        server.host_port(),
        e2e::openmetadata::DEFAULT_TOKEN
    )
}

fn tail(text: &str, bytes: usize) -> &str {
    let mut start = text.len().saturating_sub(bytes);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
