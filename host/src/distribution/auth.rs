//! Registry credentials from the Docker config file (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`), as `docker login` writes them: `auths.<registry>.auth` (base64 of
//! `user:password`), or `username` and `password`. Without an entry for the registry, access is
//! anonymous. Credential helpers (`credsStore`, `credHelpers`) are not run. A credential never
//! appears in a message.

use base64::Engine as _;
use oci_client::secrets::RegistryAuth;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// No `Debug`: it holds credentials.
#[derive(Default, Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The Docker config file this user's `docker login` writes.
fn config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
}

/// The credentials for `registry` (`HOST[:PORT]`), or anonymous access.
pub fn for_registry(registry: &str) -> Result<RegistryAuth, String> {
    let Some(path) = config_path() else {
        return Ok(RegistryAuth::Anonymous);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RegistryAuth::Anonymous),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    // The parser's message could quote the file: say only where it is wrong.
    let config: DockerConfig = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a Docker config file (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    from_config(&config, registry).map_err(|why| format!("{}: {why}", path.display()))
}

fn from_config(config: &DockerConfig, registry: &str) -> Result<RegistryAuth, String> {
    let wanted = normalize(registry);
    let Some((_, entry)) = config
        .auths
        .iter()
        .find(|(key, _)| normalize(key) == wanted)
    else {
        return Ok(RegistryAuth::Anonymous);
    };
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| format!("the `auth` of `{registry}` is not base64 of user:password"))?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| format!("the `auth` of `{registry}` is not base64 of user:password"))?;
        return Ok(RegistryAuth::Basic(user.to_string(), password.to_string()));
    }
    match (&entry.username, &entry.password) {
        (Some(user), Some(password)) => Ok(RegistryAuth::Basic(user.clone(), password.clone())),
        _ => Ok(RegistryAuth::Anonymous),
    }
}

/// A Docker config key or a registry, as `HOST[:PORT]` (`https://index.docker.io/v1/` and
/// `docker.io` are the same registry).
fn normalize(key: &str) -> String {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = key.split('/').next().unwrap_or(key).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> DockerConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn credentials_are_found_by_registry() {
        let c = config(
            r#"{"auths": {
                "registry.example.com:5000": {"auth": "YWxpY2U6czNjcjN0OndpdGg6Y29sb25z"},
                "https://index.docker.io/v1/": {"username": "bob", "password": "pw"},
                "other.example": {}
            }, "credsStore": "desktop"}"#,
        );
        assert_eq!(
            from_config(&c, "registry.example.com:5000").unwrap(),
            RegistryAuth::Basic("alice".into(), "s3cr3t:with:colons".into())
        );
        assert_eq!(
            from_config(&c, "docker.io").unwrap(),
            RegistryAuth::Basic("bob".into(), "pw".into())
        );
        assert_eq!(
            from_config(&c, "other.example").unwrap(),
            RegistryAuth::Anonymous
        );
        assert_eq!(
            from_config(&c, "registry.example.com").unwrap(),
            RegistryAuth::Anonymous
        );
    }

    #[test]
    fn a_malformed_entry_is_an_error_that_does_not_quote_it() {
        let c = config(r#"{"auths": {"r.example": {"auth": "bm90LWEtcGFpcg=="}}}"#);
        let error = from_config(&c, "r.example").unwrap_err();
        assert!(
            !error.contains("not-a-pair") && !error.contains("bm90"),
            "{error}"
        );
    }
}
