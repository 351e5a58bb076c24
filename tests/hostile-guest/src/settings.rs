//! The guest's configuration, from `wasi:config/store`: `hostile.mode`, `hostile.tenant` (a
//! marker the guest writes to its log and returns), `hostile.allowed` and `hostile.forbidden`
//! (`http://host:port` of a destination on the run's allowlist and of one that is not),
//! `hostile.count` (how much of something, per mode), and `hostile.endpoint` (the destination
//! `destinations` declares, `scheme://host[:port]`). Run by the CLI from an OpenMetadata
//! workflow, the same keys come under `connectionOptions` (`connectionOptions.hostile.mode`).

use crate::bindings::exports::catalog::connector::types::{ConfigProblem, ConnectorError};
use crate::bindings::wasi::config::store;
use crate::mode::Mode;

pub struct Settings {
    pub mode: Mode,
    pub tenant: String,
    pub allowed: Option<Target>,
    pub forbidden: Option<Target>,
    pub count: Option<u64>,
    /// `hostile.endpoint`, as given: the one destination `destinations` declares.
    pub endpoint: Option<String>,
    /// The workflow's `awsConfig.endPointURL`: declared when `hostile.endpoint` is not given.
    pub endpoint_url: Option<String>,
    /// The workflow's `serviceName` (when the run comes from a workflow), the scope a
    /// well-behaved connector names.
    pub service_name: Option<String>,
    /// `connectionOptions.lineageService`: the service its lineage edges may reach.
    pub lineage_service: Option<String>,
    /// Every key the guest can see, with its value.
    pub visible: Vec<(String, String)>,
}

/// An HTTP destination given as `http://host:port`.
#[derive(Debug, Clone)]
pub struct Target {
    pub https: bool,
    /// `host:port`, as the URL wrote it.
    pub authority: String,
    pub host: String,
    pub port: u16,
}

impl Settings {
    pub fn read() -> Result<Settings, ConnectorError> {
        let visible = store::get_all().map_err(|e| {
            invalid(
                "*",
                match e {
                    store::Error::Upstream(m) | store::Error::Io(m) => m,
                },
            )
        })?;
        let get = |key: &str| {
            let through_workflow = format!("connectionOptions.{key}");
            visible
                .iter()
                .find(|(k, _)| *k == key || *k == through_workflow)
                .map(|(_, v)| v.clone())
        };
        let mode_name = get("hostile.mode").unwrap_or_default();
        let mode = Mode::parse(&mode_name)
            .ok_or_else(|| invalid("hostile.mode", format!("unknown mode `{mode_name}`")))?;
        let target = |key: &str| {
            get(key)
                .map(|url| Target::parse(&url).ok_or_else(|| invalid(key, format!("`{url}`"))))
                .transpose()
        };
        let count = get("hostile.count")
            .map(|n| {
                n.parse()
                    .map_err(|_| invalid("hostile.count", format!("`{n}` is not a count")))
            })
            .transpose()?;
        Ok(Settings {
            mode,
            tenant: get("hostile.tenant").unwrap_or_default(),
            allowed: target("hostile.allowed")?,
            forbidden: target("hostile.forbidden")?,
            count,
            endpoint: get("hostile.endpoint"),
            endpoint_url: visible
                .iter()
                .find(|(k, _)| k == "awsConfig.endPointURL")
                .map(|(_, v)| v.clone()),
            service_name: get("serviceName").filter(|s| !s.is_empty()),
            lineage_service: get("connectionOptions.lineageService").filter(|s| !s.is_empty()),
            visible,
        })
    }

    pub fn count_or(&self, default: u64) -> u64 {
        self.count.unwrap_or(default)
    }
}

impl Target {
    fn parse(url: &str) -> Option<Target> {
        let (https, rest) = match url.split_once("://")? {
            ("http", rest) => (false, rest),
            ("https", rest) => (true, rest),
            _ => return None,
        };
        let authority = rest.trim_end_matches('/').to_string();
        let (host, port) = authority.rsplit_once(':')?;
        Some(Target {
            https,
            host: host.to_string(),
            port: port.parse().ok()?,
            authority,
        })
    }
}

pub fn invalid(key: &str, message: impl Into<String>) -> ConnectorError {
    ConnectorError::InvalidConfig(ConfigProblem {
        key: key.to_string(),
        message: message.into(),
    })
}
