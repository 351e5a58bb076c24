//! The usual AWS credential chain, resolved by the host when the workflow's `awsConfig` has no
//! keys (the component never reads the environment or files): `profileName` from the shared
//! files when the YAML names one, else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
//! `AWS_SESSION_TOKEN`, else the shared files' profile `AWS_PROFILE` (or `default`). The shared
//! files are `AWS_SHARED_CREDENTIALS_FILE` (`~/.aws/credentials`) and `AWS_CONFIG_FILE`
//! (`~/.aws/config`), the credentials file winning for a profile in both. A profile with
//! `role_arn` and `source_profile` becomes the source profile's keys plus a role to assume.

use crate::secret::Secret;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The keys of OpenMetadata's `awsCredentials.json` that this provider reads and sets, as a
/// connector declaring the AWS provider names them.
pub const ACCESS_KEY_ID: &str = "awsConfig.awsAccessKeyId";
pub const SECRET_ACCESS_KEY: &str = "awsConfig.awsSecretAccessKey";
pub const SESSION_TOKEN: &str = "awsConfig.awsSessionToken";
pub const ASSUME_ROLE_ARN: &str = "awsConfig.assumeRoleArn";

/// Where OpenMetadata's connection schemas keep `awsCredentials.json`. The provider reads the
/// workflow there itself, never through key names a component chose.
pub const YAML_PATH: &str = "source.serviceConnection.config.awsConfig";

/// What the workflow says of its credentials.
#[derive(Debug, Clone, Default)]
pub struct AwsCredentials {
    pub aws_access_key_id: Option<String>,
    pub aws_secret_access_key: Option<Secret>,
    pub profile_name: Option<String>,
}

impl AwsCredentials {
    /// The workflow's `awsConfig`, or `None` when it has none (the provider then gives nothing).
    pub fn from_workflow(document: &serde_yaml::Value) -> Option<AwsCredentials> {
        let aws = YAML_PATH
            .split('.')
            .try_fold(document, |node, part| node.as_mapping()?.get(part))?
            .as_mapping()?;
        let text = |key: &str| {
            aws.get(key)
                .and_then(|v| v.as_str())
                .filter(|v| !v.trim().is_empty())
                .map(String::from)
        };
        Some(AwsCredentials {
            aws_access_key_id: text("awsAccessKeyId"),
            aws_secret_access_key: text("awsSecretAccessKey").map(Secret::new),
            profile_name: text("profileName"),
        })
    }
}

/// What the provider added to a run's keys.
#[derive(Debug, Clone)]
pub struct Provided {
    pub source: Source,
    /// The secret key and session token it added: secret whatever the manifest says.
    pub secrets: Vec<String>,
}

/// Adds the chain's credentials to a run's keys when the workflow has an `awsConfig` without
/// keys; says where they came from. A workflow without `awsConfig` gets nothing from the host.
pub fn provide(
    pairs: &mut Vec<(String, String)>,
    document: &serde_yaml::Value,
    env: &dyn Environment,
) -> Result<Option<Provided>, String> {
    let Some(aws) = AwsCredentials::from_workflow(document) else {
        return Ok(None);
    };
    let Some(resolved) = resolve(&aws, env)? else {
        return Ok(None);
    };
    let mut put = |key: &str, value: String| {
        pairs.retain(|(k, _)| k != key);
        pairs.push((key.to_string(), value));
    };
    let c = resolved.credentials;
    let mut secrets = vec![c.secret_access_key.expose().to_string()];
    put(ACCESS_KEY_ID, c.access_key_id);
    put(SECRET_ACCESS_KEY, c.secret_access_key.expose().to_string());
    // A token of the workflow's belongs to no key of the chain's.
    pairs.retain(|(k, _)| k != SESSION_TOKEN);
    if let Some(token) = c.session_token {
        secrets.push(token.expose().to_string());
        pairs.push((SESSION_TOKEN.to_string(), token.expose().to_string()));
    }
    if let Some(role) = resolved.role_arn
        && !pairs.iter().any(|(k, _)| k == ASSUME_ROLE_ARN)
    {
        pairs.push((ASSUME_ROLE_ARN.to_string(), role));
    }
    Ok(Some(Provided {
        source: resolved.source,
        secrets,
    }))
}

/// Keys found by the chain.
#[derive(Debug, Clone)]
pub struct ResolvedCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

/// Where the credentials came from, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Environment,
    Profile { name: String, file: PathBuf },
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub credentials: ResolvedCredentials,
    pub source: Source,
    /// A role the profile says to assume (`role_arn`), when the workflow names none.
    pub role_arn: Option<String>,
}

/// The process environment, made explicit so that tests need not change the real one.
pub trait Environment {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// `Ok(None)` when nothing anywhere gives credentials (the component then says so).
pub fn resolve(aws: &AwsCredentials, env: &dyn Environment) -> Result<Option<Resolved>, String> {
    let non_empty = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    if non_empty(&aws.aws_access_key_id)
        || aws
            .aws_secret_access_key
            .as_ref()
            .is_some_and(|s| !s.expose().is_empty())
    {
        return Ok(None);
    }
    if let Some(profile) = aws.profile_name.as_deref().filter(|p| !p.trim().is_empty()) {
        return match from_profile(profile, env)? {
            Some(resolved) => Ok(Some(resolved)),
            None => Err(format!(
                "AWS profile `{profile}` not found in the shared credentials or config file"
            )),
        };
    }
    if let (Some(id), Some(secret)) = (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    ) {
        return Ok(Some(Resolved {
            credentials: ResolvedCredentials {
                access_key_id: id,
                secret_access_key: Secret::new(secret),
                session_token: env.var("AWS_SESSION_TOKEN").map(Secret::new),
            },
            source: Source::Environment,
            role_arn: None,
        }));
    }
    let profile = env
        .var("AWS_PROFILE")
        .or_else(|| env.var("AWS_DEFAULT_PROFILE"))
        .unwrap_or_else(|| "default".to_string());
    from_profile(&profile, env)
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

fn from_profile(name: &str, env: &dyn Environment) -> Result<Option<Resolved>, String> {
    let home = env.var("HOME").map(PathBuf::from);
    let credentials_file = env
        .var("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/credentials")));
    let config_file = env
        .var("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/config")));
    let credentials = read_profiles(credentials_file.as_ref(), false)?;
    let config = read_profiles(config_file.as_ref(), true)?;
    let lookup = |profile: &str| -> Option<(BTreeMap<String, String>, PathBuf)> {
        let mut merged = BTreeMap::new();
        let mut file = None;
        if let Some(section) = config.get(profile) {
            merged.extend(section.clone());
            file = config_file.clone();
        }
        if let Some(section) = credentials.get(profile) {
            merged.extend(section.clone());
            file = credentials_file.clone();
        }
        file.map(|f| (merged, f))
    };
    let Some((section, file)) = lookup(name) else {
        return Ok(None);
    };
    for unsupported in [
        "credential_process",
        "sso_start_url",
        "sso_session",
        "web_identity_token_file",
    ] {
        if section.contains_key(unsupported) {
            return Err(format!(
                "AWS profile `{name}` uses `{unsupported}`, which this runner does not support; \
                 give the profile static keys, or use awsConfig.assumeRoleArn"
            ));
        }
    }
    if let Some(role_arn) = section.get("role_arn") {
        let source = section.get("source_profile").ok_or_else(|| {
            format!("AWS profile `{name}` has `role_arn` without `source_profile`")
        })?;
        let (base, base_file) = lookup(source)
            .ok_or_else(|| format!("AWS profile `{name}`: source profile `{source}` not found"))?;
        let credentials = static_keys(&base, source)?;
        return Ok(Some(Resolved {
            credentials,
            source: Source::Profile {
                name: source.clone(),
                file: base_file,
            },
            role_arn: Some(role_arn.clone()),
        }));
    }
    Ok(Some(Resolved {
        credentials: static_keys(&section, name)?,
        source: Source::Profile {
            name: name.to_string(),
            file,
        },
        role_arn: None,
    }))
}

fn static_keys(
    section: &BTreeMap<String, String>,
    name: &str,
) -> Result<ResolvedCredentials, String> {
    match (
        section.get("aws_access_key_id"),
        section.get("aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(ResolvedCredentials {
            access_key_id: id.clone(),
            secret_access_key: Secret::new(secret.clone()),
            session_token: section.get("aws_session_token").cloned().map(Secret::new),
        }),
        _ => Err(format!(
            "AWS profile `{name}` has no aws_access_key_id / aws_secret_access_key"
        )),
    }
}

/// Reads an AWS INI file: `[name]` sections (`[profile name]` in the config file), `key = value`
/// lines; indented lines (nested settings) and comments are skipped. A missing file is empty.
fn read_profiles(path: Option<&PathBuf>, config_style: bool) -> Result<Profiles, String> {
    let Some(path) = path else {
        return Ok(Profiles::new());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Profiles::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    Ok(parse_profiles(&text, config_style))
}

fn parse_profiles(text: &str, config_style: bool) -> Profiles {
    let mut profiles = Profiles::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let name = if config_style {
                match section.strip_prefix("profile ") {
                    Some(name) => Some(name.trim().to_string()),
                    None if section == "default" => Some("default".to_string()),
                    None => None,
                }
            } else {
                Some(section.to_string())
            };
            current = name;
            continue;
        }
        if let (Some(profile), Some((key, value))) = (&current, line.split_once('=')) {
            profiles
                .entry(profile.clone())
                .or_default()
                .insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    profiles
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<&'static str, String>);

    impl Environment for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    fn aws(profile: Option<&str>) -> AwsCredentials {
        AwsCredentials {
            profile_name: profile.map(String::from),
            ..AwsCredentials::default()
        }
    }

    #[test]
    fn the_provider_adds_keys_and_the_profiles_role_only_when_the_workflow_has_none() {
        let (_dir, env) = files();
        let yaml = |aws: &str| -> serde_yaml::Value {
            serde_yaml::from_str(&format!(
                "source:\n  serviceConnection:\n    config:\n      awsConfig: {aws}\n"
            ))
            .unwrap()
        };
        let get = |pairs: &[(String, String)], k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        // A profile that assumes a role; a token of the workflow's is dropped.
        let mut pairs = vec![(SESSION_TOKEN.to_string(), "stale".to_string())];
        let provided = provide(
            &mut pairs,
            &yaml("{profileName: reader, awsRegion: x}"),
            &FakeEnv(env.clone()),
        )
        .unwrap()
        .unwrap();
        assert!(matches!(provided.source, Source::Profile { ref name, .. } if name == "dev"));
        assert_eq!(provided.secrets, ["s-dev", "t-dev"]);
        assert_eq!(get(&pairs, ACCESS_KEY_ID).as_deref(), Some("AKIDDEV"));
        assert_eq!(get(&pairs, SESSION_TOKEN).as_deref(), Some("t-dev"));
        assert_eq!(
            get(&pairs, ASSUME_ROLE_ARN).as_deref(),
            Some("arn:aws:iam::123456789012:role/reader")
        );
        // The workflow's own keys, wherever a component reads them from: nothing added.
        let mut given = Vec::new();
        let keys = yaml("{awsAccessKeyId: AKIDYAML, awsSecretAccessKey: s, awsRegion: x}");
        assert!(
            provide(&mut given, &keys, &FakeEnv(env.clone()))
                .unwrap()
                .is_none()
        );
        assert!(given.is_empty());
        // No `awsConfig` at all: the host's credentials are not handed out.
        let none: serde_yaml::Value =
            serde_yaml::from_str("source:\n  serviceConnection:\n    config:\n      type: X\n")
                .unwrap();
        assert!(provide(&mut given, &none, &FakeEnv(env)).unwrap().is_none());
        assert!(given.is_empty());
    }

    fn files() -> (tempfile::TempDir, HashMap<&'static str, String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s-default\n\n\
             # comment\n[dev]\naws_access_key_id=AKIDDEV\naws_secret_access_key=s-dev\naws_session_token=t-dev\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("config"),
            "[default]\nregion = eu-west-1\n[profile ops]\naws_access_key_id = AKIDOPS\n\
             aws_secret_access_key = s-ops\ns3 =\n  max_concurrent_requests = 20\n\
             [profile reader]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = dev\n\
             [profile sso]\nsso_session = corp\n",
        )
        .unwrap();
        let mut env = HashMap::new();
        env.insert(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("credentials").display().to_string(),
        );
        env.insert(
            "AWS_CONFIG_FILE",
            dir.path().join("config").display().to_string(),
        );
        (dir, env)
    }

    fn key_of(resolved: Option<Resolved>) -> String {
        resolved.unwrap().credentials.access_key_id
    }

    #[test]
    fn workflow_keys_win() {
        let (_dir, env) = files();
        let mut a = aws(Some("dev"));
        a.aws_access_key_id = Some("AKIDYAML".into());
        a.aws_secret_access_key = Some(Secret::new("s"));
        assert!(resolve(&a, &FakeEnv(env)).unwrap().is_none());
    }

    #[test]
    fn environment_then_default_profile() {
        let (_dir, mut env) = files();
        assert_eq!(
            key_of(resolve(&aws(None), &FakeEnv(env.clone())).unwrap()),
            "AKIDDEFAULT"
        );
        env.insert("AWS_ACCESS_KEY_ID", "AKIDENV".into());
        env.insert("AWS_SECRET_ACCESS_KEY", "s-env".into());
        env.insert("AWS_SESSION_TOKEN", "t-env".into());
        let resolved = resolve(&aws(None), &FakeEnv(env)).unwrap().unwrap();
        assert_eq!(resolved.credentials.access_key_id, "AKIDENV");
        assert_eq!(
            resolved.credentials.session_token.unwrap().expose(),
            "t-env"
        );
        assert_eq!(resolved.source, Source::Environment);
    }

    #[test]
    fn a_named_profile_wins_over_the_environment() {
        let (_dir, mut env) = files();
        env.insert("AWS_ACCESS_KEY_ID", "AKIDENV".into());
        env.insert("AWS_SECRET_ACCESS_KEY", "s-env".into());
        let resolved = resolve(&aws(Some("dev")), &FakeEnv(env)).unwrap().unwrap();
        assert_eq!(resolved.credentials.access_key_id, "AKIDDEV");
        assert_eq!(
            resolved.credentials.session_token.unwrap().expose(),
            "t-dev"
        );
    }

    #[test]
    fn aws_profile_and_config_file_profiles() {
        let (_dir, mut env) = files();
        env.insert("AWS_PROFILE", "ops".into());
        assert_eq!(
            key_of(resolve(&aws(None), &FakeEnv(env)).unwrap()),
            "AKIDOPS"
        );
    }

    #[test]
    fn role_profiles_become_a_role_to_assume() {
        let (_dir, env) = files();
        let resolved = resolve(&aws(Some("reader")), &FakeEnv(env))
            .unwrap()
            .unwrap();
        assert_eq!(resolved.credentials.access_key_id, "AKIDDEV");
        assert_eq!(
            resolved.role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/reader")
        );
    }

    #[test]
    fn unsupported_and_missing_profiles_are_clear_errors() {
        let (_dir, env) = files();
        let err = resolve(&aws(Some("sso")), &FakeEnv(env.clone())).unwrap_err();
        assert!(err.contains("sso_session"), "{err}");
        let err = resolve(&aws(Some("nope")), &FakeEnv(env)).unwrap_err();
        assert!(err.contains("`nope` not found"), "{err}");
    }

    #[test]
    fn nothing_anywhere_is_none() {
        let env = HashMap::from([("HOME", "/nonexistent".to_string())]);
        assert!(resolve(&aws(None), &FakeEnv(env)).unwrap().is_none());
    }
}
