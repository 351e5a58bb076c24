//! What a connector declares about itself (the contract's `manifest`), checked before the host
//! believes any of it: the workflows it runs, OpenMetadata's service type of what it returns,
//! its step's name, the credentials it needs the host to find, and where in the workflow YAML
//! each of its keys lives. A tenant's component may be written to attack the host, so the
//! declaration is bounded, its text is plain, and its keys may read only the source's own part
//! of the workflow: never the OpenMetadata server's token or the sink.

use crate::runtime::bindings::types as wit;
use crate::sanitize;

/// Keys a connector may declare, and YAML paths (aliases included) per key.
pub const MAX_KEYS: usize = 512;
pub const MAX_ALIASES: usize = 4;
pub const MAX_OPEN_MAPS: usize = 16;
pub const MAX_PIPELINE_TYPES: usize = 8;
/// Classifications a connector may declare, tags per classification, and the longest
/// description of either.
pub const MAX_CLASSIFICATIONS: usize = 8;
pub const MAX_DECLARED_TAGS: usize = 32;
pub const MAX_DESCRIPTION_CHARS: usize = 1024;
/// The classification the host owns: OpenMetadata's own, which no connector may redefine.
const RESERVED_CLASSIFICATIONS: &[&str] = &["PII", "Tier", "Certification"];
const MAX_NAME_CHARS: usize = 256;
const MAX_WORD_CHARS: usize = 64;

/// The parts of the workflow a connector's keys may read: the source's configuration and the
/// processor's (a profiler's per-table samples), never the sink's or the server's.
const READABLE_PATHS: &[&str] = &["source.serviceName", "workflowConfig.loggerLevel"];
const READABLE_PREFIXES: &[&str] = &[
    "source.serviceConnection.config.",
    "source.sourceConfig.config.",
    "processor.config.",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    None,
    Aws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    List,
    /// A mapping or list, as JSON text.
    Document,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub yaml_path: String,
    pub yaml_aliases: Vec<String>,
    pub shape: Shape,
    pub secret: bool,
    pub stored: bool,
    /// Its value names an OpenMetadata service the connector's lineage may reach.
    pub lineage_service: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMap {
    pub prefix: String,
    pub yaml_path: String,
}

/// A classification of the connector's own, and its tags: `(name, description)` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub name: String,
    pub description: String,
    pub tags: Vec<(String, String)>,
}

/// A connector's manifest, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub source_type: String,
    pub service_type: String,
    pub pipeline_types: Vec<String>,
    pub step_name: String,
    pub credentials: Credentials,
    pub keys: Vec<Key>,
    pub open_maps: Vec<OpenMap>,
    pub classifications: Vec<Classification>,
}

impl Manifest {
    /// The guest's declaration, or what is wrong with it.
    pub fn check(m: wit::ConnectorManifest) -> Result<Manifest, String> {
        word("source-type", &m.source_type, |c| {
            c.is_ascii_alphanumeric() || c == '-' || c == '_'
        })?;
        word("service-type", &m.service_type, |c| {
            c.is_ascii_alphanumeric()
        })?;
        if m.pipeline_types.is_empty() || m.pipeline_types.len() > MAX_PIPELINE_TYPES {
            return Err(format!(
                "declares {} pipeline types; 1 to {MAX_PIPELINE_TYPES} are allowed",
                m.pipeline_types.len()
            ));
        }
        for t in &m.pipeline_types {
            word("pipeline type", t, |c| c.is_ascii_alphanumeric())?;
        }
        word("step-name", &m.step_name, |c| {
            c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')
        })?;
        at_most("declares", m.keys.len(), MAX_KEYS, "configuration keys")?;
        at_most("declares", m.open_maps.len(), MAX_OPEN_MAPS, "open maps")?;
        let mut keys: Vec<Key> = Vec::with_capacity(m.keys.len());
        for k in m.keys {
            key_name(&k.name)?;
            if keys.iter().any(|seen| seen.name == k.name) {
                return Err(format!("declares the key `{}` twice", k.name));
            }
            at_most(
                &format!("key `{}` has", k.name),
                k.yaml_aliases.len(),
                MAX_ALIASES,
                "aliases",
            )?;
            readable(&k.name, &k.yaml_path)?;
            for alias in &k.yaml_aliases {
                readable(&k.name, alias)?;
            }
            let paths = || std::iter::once(&k.yaml_path).chain(&k.yaml_aliases);
            if k.secret
                && paths().any(|p| NEVER_SECRET.contains(&p.as_str()) || p.ends_with(".type"))
            {
                // Masking `INFO` or a service's name everywhere would garble every output.
                return Err(format!(
                    "key `{}` is marked secret, but its value names the run (a name, a type, a log level)",
                    k.name
                ));
            }
            // A credential is secret whatever the manifest says: it must not reach a log or
            // OpenMetadata's stored connection because a component forgot to say so.
            let secret = k.secret || paths().any(|p| looks_like_a_credential(p));
            keys.push(Key {
                name: k.name,
                yaml_path: k.yaml_path,
                yaml_aliases: k.yaml_aliases,
                shape: match k.shape {
                    wit::ValueShape::Scalar => Shape::Scalar,
                    wit::ValueShape::List => Shape::List,
                    wit::ValueShape::Document => Shape::Document,
                },
                secret,
                stored: k.stored && !secret,
                lineage_service: k.lineage_service && !secret,
            });
        }
        let mut open_maps = Vec::with_capacity(m.open_maps.len());
        for o in m.open_maps {
            key_name(o.prefix.trim_end_matches('.'))?;
            if !o.prefix.ends_with('.') {
                return Err(format!(
                    "open map prefix `{}` does not end with `.`",
                    sanitize::name(&o.prefix)
                ));
            }
            readable(&o.prefix, &o.yaml_path)?;
            open_maps.push(OpenMap {
                prefix: o.prefix,
                yaml_path: o.yaml_path,
            });
        }
        // A path read twice would make one YAML value two keys, or hide which one a key is.
        let mut paths: Vec<&str> = keys
            .iter()
            .flat_map(|k| std::iter::once(&k.yaml_path).chain(&k.yaml_aliases))
            .map(String::as_str)
            .collect();
        paths.sort_unstable();
        if let Some(pair) = paths.windows(2).find(|p| p[0] == p[1]) {
            return Err(format!(
                "two keys read the same YAML path `{}`",
                sanitize::name(pair[0])
            ));
        }
        let classifications = classifications(m.classifications)?;
        Ok(Manifest {
            source_type: m.source_type,
            service_type: m.service_type,
            pipeline_types: m.pipeline_types,
            step_name: m.step_name,
            credentials: match m.credentials {
                wit::CredentialProvider::None => Credentials::None,
                wit::CredentialProvider::Aws => Credentials::Aws,
            },
            keys,
            open_maps,
            classifications,
        })
    }

    /// The declared classification named `name`, if any.
    pub fn classification(&self, name: &str) -> Option<&Classification> {
        self.classifications.iter().find(|c| c.name == name)
    }

    /// The key read from `path`, directly or through an alias (then `true`).
    pub fn key_at(&self, path: &str) -> Option<(&Key, bool)> {
        self.keys.iter().find_map(|k| {
            if k.yaml_path == path {
                Some((k, false))
            } else if k.yaml_aliases.iter().any(|a| a == path) {
                Some((k, true))
            } else {
                None
            }
        })
    }

    pub fn is_secret(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k.secret && k.name == key)
    }
}

/// Paths whose values name the run: never secret.
const NEVER_SECRET: &[&str] = &["source.serviceName", "workflowConfig.loggerLevel"];

/// Whether a YAML field holds a credential, by the names OpenMetadata's connection schemas give
/// their `password`-format fields (`awsSecretAccessKey`, `password`, `token`, `privateKey`, ...).
pub fn looks_like_a_credential(path: &str) -> bool {
    let field = path.rsplit('.').next().unwrap_or(path).to_ascii_lowercase();
    [
        "secret",
        "password",
        "token",
        "privatekey",
        "apikey",
        "credential",
    ]
    .iter()
    .any(|word| field.contains(word))
}

fn word(what: &str, value: &str, allowed: impl Fn(char) -> bool) -> Result<(), String> {
    let chars = value.chars().count();
    if chars == 0 || chars > MAX_WORD_CHARS || !value.chars().all(allowed) {
        return Err(format!(
            "its {what} `{}` is not 1 to {MAX_WORD_CHARS} letters, digits or separators",
            sanitize::name(&value.chars().take(MAX_WORD_CHARS).collect::<String>())
        ));
    }
    Ok(())
}

fn classifications(
    declared: Vec<wit::ClassificationDeclaration>,
) -> Result<Vec<Classification>, String> {
    at_most(
        "declares",
        declared.len(),
        MAX_CLASSIFICATIONS,
        "classifications",
    )?;
    let tag_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_');
    let mut out: Vec<Classification> = Vec::with_capacity(declared.len());
    for c in declared {
        word("classification", &c.name, tag_word)?;
        if RESERVED_CLASSIFICATIONS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&c.name))
        {
            return Err(format!(
                "declares the classification `{}`, which is OpenMetadata's own",
                c.name
            ));
        }
        if out.iter().any(|seen| seen.name == c.name) {
            return Err(format!("declares the classification `{}` twice", c.name));
        }
        at_most(
            &format!("classification `{}` declares", c.name),
            c.tags.len(),
            MAX_DECLARED_TAGS,
            "tags",
        )?;
        description(&c.name, &c.description)?;
        let mut tags: Vec<(String, String)> = Vec::with_capacity(c.tags.len());
        for t in c.tags {
            word("tag", &t.name, tag_word)?;
            if tags.iter().any(|(seen, _)| *seen == t.name) {
                return Err(format!("declares the tag `{}.{}` twice", c.name, t.name));
            }
            description(&format!("{}.{}", c.name, t.name), &t.description)?;
            tags.push((t.name, t.description));
        }
        out.push(Classification {
            name: c.name,
            description: c.description,
            tags,
        });
    }
    Ok(out)
}

/// `<who> <count> <what>; at most <max> are allowed` when `count` is over `max`.
fn at_most(who: &str, count: usize, max: usize, what: &str) -> Result<(), String> {
    if count > max {
        return Err(format!("{who} {count} {what}; at most {max} are allowed"));
    }
    Ok(())
}

/// A description OpenMetadata will show: 1 to 1,024 characters, no control characters, no
/// invisible ones.
fn description(of: &str, text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars == 0
        || chars > MAX_DESCRIPTION_CHARS
        || sanitize::clean(text, MAX_DESCRIPTION_CHARS) != text
    {
        return Err(format!(
            "the description of `{of}` is not 1 to {MAX_DESCRIPTION_CHARS} printable characters"
        ));
    }
    Ok(())
}

/// A `wasi:config/store` key: printable ASCII without spaces, as the YAML's keys are.
fn key_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_CHARS || !name.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(format!(
            "the key `{}` is not 1 to {MAX_NAME_CHARS} printable characters",
            sanitize::name(&name.chars().take(MAX_NAME_CHARS).collect::<String>())
        ));
    }
    Ok(())
}

/// A path a key may read: the source's own part of the workflow, and its log level.
fn readable(key: &str, path: &str) -> Result<(), String> {
    let plain = path.len() <= 4 * MAX_NAME_CHARS
        && path
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_graphic()));
    let inside = READABLE_PATHS.contains(&path)
        || READABLE_PREFIXES
            .iter()
            .any(|p| path.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
    if !plain || !inside {
        return Err(format!(
            "key `{}` reads `{}`, outside the source's configuration (`source.serviceName`, \
             `source.serviceConnection.config.*`, `source.sourceConfig.config.*`, \
             `processor.config.*`, `workflowConfig.loggerLevel`)",
            sanitize::name(key),
            sanitize::name(&path.chars().take(4 * MAX_NAME_CHARS).collect::<String>())
        ));
    }
    Ok(())
}

/// A failure as a person reads it: the call, the server's code and words, the HTTP status.
pub fn failure_text(f: &wit::Failure) -> String {
    let mut text = format!("{}: {}: {}", f.operation, f.code, f.message);
    if let Some(status) = f.http_status {
        text.push_str(&format!(" (HTTP {status}"));
        if f.attempts > 1 {
            text.push_str(&format!(", {} attempts", f.attempts));
        }
        text.push(')');
    } else if f.attempts > 1 {
        text.push_str(&format!(" ({} attempts)", f.attempts));
    }
    text
}

pub fn connector_error(error: &wit::ConnectorError) -> String {
    match error {
        wit::ConnectorError::InvalidConfig(p) => {
            format!("invalid configuration `{}`: {}", p.key, p.message)
        }
        wit::ConnectorError::AccessDenied(f) => format!(
            "access denied, check the credentials and the IAM policy: {}",
            failure_text(f)
        ),
        wit::ConnectorError::Unreachable(f) => {
            format!("cannot reach the endpoint: {}", failure_text(f))
        }
        wit::ConnectorError::Service(f) => format!("the service failed: {}", failure_text(f)),
        wit::ConnectorError::InvalidResponse(f) => {
            format!(
                "the service answered something unreadable: {}",
                failure_text(f)
            )
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn key(name: &str, path: &str) -> wit::ConfigKey {
        wit::ConfigKey {
            name: name.into(),
            yaml_path: path.into(),
            yaml_aliases: Vec::new(),
            shape: wit::ValueShape::Scalar,
            secret: false,
            stored: true,
            lineage_service: false,
        }
    }

    /// A manifest shaped like a connector's that reads OpenMetadata's `awsCredentials`, with
    /// a database name, an open map and filter lists: what the host's own tests read workflows
    /// with. (The e2e tests read them with the real components' manifests.)
    pub(crate) fn example() -> Manifest {
        let c = "source.serviceConnection.config";
        let s = "source.sourceConfig.config";
        let mut keys = vec![
            key("serviceName", "source.serviceName"),
            key("type", &format!("{c}.type")),
            key("awsConfig.awsRegion", &format!("{c}.awsConfig.awsRegion")),
            key(
                "awsConfig.awsAccessKeyId",
                &format!("{c}.awsConfig.awsAccessKeyId"),
            ),
            wit::ConfigKey {
                secret: true,
                ..key(
                    "awsConfig.awsSecretAccessKey",
                    &format!("{c}.awsConfig.awsSecretAccessKey"),
                )
            },
            wit::ConfigKey {
                secret: true,
                ..key(
                    "awsConfig.awsSessionToken",
                    &format!("{c}.awsConfig.awsSessionToken"),
                )
            },
            key(
                "awsConfig.endPointURL",
                &format!("{c}.awsConfig.endPointURL"),
            ),
            key(
                "awsConfig.profileName",
                &format!("{c}.awsConfig.profileName"),
            ),
            key(
                "awsConfig.assumeRoleArn",
                &format!("{c}.awsConfig.assumeRoleArn"),
            ),
            wit::ConfigKey {
                yaml_aliases: vec![format!("{c}.database")],
                ..key("databaseName", &format!("{c}.databaseName"))
            },
            key(
                "supportsMetadataExtraction",
                &format!("{c}.supportsMetadataExtraction"),
            ),
            key(
                "connectionOptions.sampleSize",
                &format!("{c}.connectionOptions.sampleSize"),
            ),
            key("sourceConfig.type", &format!("{s}.type")),
            key("sourceConfig.includeTags", &format!("{s}.includeTags")),
            key("loggerLevel", "workflowConfig.loggerLevel"),
        ];
        for list in ["tableFilterPattern.includes", "tableFilterPattern.excludes"] {
            keys.push(wit::ConfigKey {
                shape: wit::ValueShape::List,
                ..key(&format!("sourceConfig.{list}"), &format!("{s}.{list}"))
            });
        }
        Manifest::check(wit::ConnectorManifest {
            source_type: "example".into(),
            service_type: "CustomDatabase".into(),
            pipeline_types: vec!["DatabaseMetadata".into()],
            step_name: "Example".into(),
            credentials: wit::CredentialProvider::Aws,
            keys,
            open_maps: vec![
                wit::OpenMap {
                    prefix: "connectionOptions.".into(),
                    yaml_path: format!("{c}.connectionOptions"),
                },
                wit::OpenMap {
                    prefix: "connectionArguments.".into(),
                    yaml_path: format!("{c}.connectionArguments"),
                },
            ],
            classifications: Vec::new(),
        })
        .unwrap()
    }

    fn with_key(k: wit::ConfigKey) -> Result<Manifest, String> {
        Manifest::check(wit::ConnectorManifest {
            source_type: "x".into(),
            service_type: "CustomDatabase".into(),
            pipeline_types: vec!["DatabaseMetadata".into()],
            step_name: "X".into(),
            credentials: wit::CredentialProvider::None,
            keys: vec![k],
            open_maps: Vec::new(),
            classifications: Vec::new(),
        })
    }

    #[test]
    fn declared_classifications_are_bounded_plain_and_never_openmetadatas_own() {
        let declare = |name: &str, description: &str, tags: Vec<(&str, &str)>| {
            Manifest::check(wit::ConnectorManifest {
                classifications: vec![wit::ClassificationDeclaration {
                    name: name.into(),
                    description: description.into(),
                    tags: tags
                        .into_iter()
                        .map(|(n, d)| wit::TagDeclaration {
                            name: n.into(),
                            description: d.into(),
                        })
                        .collect(),
                }],
                ..base_manifest()
            })
        };
        let ok = declare("DynamoDB", "Roles.", vec![("TimeToLive", "Expiry.")]).unwrap();
        assert_eq!(
            ok.classification("DynamoDB").unwrap().tags,
            [("TimeToLive".to_string(), "Expiry.".to_string())]
        );
        for (name, description, tags, why) in [
            ("PII", "Mine now.", vec![], "OpenMetadata's own"),
            ("tier", "Mine now.", vec![], "OpenMetadata's own"),
            ("a.b", "Dotted.", vec![], "letters, digits"),
            ("X", "", vec![], "printable"),
            ("X", "bell\u{7}", vec![], "printable"),
            ("X", "Ok.", vec![("t", "Ok."), ("t", "Again.")], "twice"),
            ("X", "Ok.", vec![("t::u", "Ok.")], "letters, digits"),
        ] {
            let error = declare(name, description, tags).unwrap_err();
            assert!(error.contains(why), "{name}: {error}");
        }
        let long = "d".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert!(declare("X", &long, vec![]).is_err());
        let many: Vec<(String, String)> = (0..=MAX_DECLARED_TAGS)
            .map(|i| (format!("t{i}"), "Ok.".to_string()))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(n, d)| (n.as_str(), d.as_str())).collect();
        assert!(declare("X", "Ok.", many).unwrap_err().contains("at most"));
        let too_many = wit::ConnectorManifest {
            classifications: (0..=MAX_CLASSIFICATIONS)
                .map(|i| wit::ClassificationDeclaration {
                    name: format!("C{i}"),
                    description: "Ok.".into(),
                    tags: Vec::new(),
                })
                .collect(),
            ..base_manifest()
        };
        assert!(Manifest::check(too_many).unwrap_err().contains("at most"));
    }

    fn base_manifest() -> wit::ConnectorManifest {
        wit::ConnectorManifest {
            source_type: "x".into(),
            service_type: "CustomDatabase".into(),
            pipeline_types: vec!["DatabaseMetadata".into()],
            step_name: "X".into(),
            credentials: wit::CredentialProvider::None,
            keys: Vec::new(),
            open_maps: Vec::new(),
            classifications: Vec::new(),
        }
    }

    #[test]
    fn a_key_may_not_read_the_servers_token_or_the_sink() {
        for path in [
            "workflowConfig.openMetadataServerConfig.securityConfig.jwtToken",
            "sink.config.filename",
            "source.serviceConnection.config.",
            "source.serviceConnection",
            "source.serviceConnection.config..x",
            "source.serviceConnection.config.a\nb",
        ] {
            let error = with_key(key("k", path)).unwrap_err();
            assert!(
                error.contains("outside the source's configuration"),
                "{path}: {error}"
            );
        }
        let alias = wit::ConfigKey {
            yaml_aliases: vec!["workflowConfig.openMetadataServerConfig.hostPort".into()],
            ..key("k", "source.serviceConnection.config.k")
        };
        assert!(with_key(alias).is_err());
        assert!(with_key(key("k", "source.serviceConnection.config.k")).is_ok());
        assert!(with_key(key("k", "processor.config.tableConfig")).is_ok());
        assert!(with_key(key("k", "processor.type")).is_err());
    }

    #[test]
    fn names_and_types_are_plain_and_bounded() {
        let base = || wit::ConnectorManifest {
            source_type: "x".into(),
            service_type: "CustomDatabase".into(),
            pipeline_types: vec!["DatabaseMetadata".into()],
            step_name: "X".into(),
            credentials: wit::CredentialProvider::None,
            keys: Vec::new(),
            open_maps: Vec::new(),
            classifications: Vec::new(),
        };
        assert!(Manifest::check(base()).is_ok());
        for bad in [
            wit::ConnectorManifest {
                step_name: "\u{1b}[31mred".into(),
                ..base()
            },
            wit::ConnectorManifest {
                service_type: "Custom Database".into(),
                ..base()
            },
            wit::ConnectorManifest {
                source_type: "s".repeat(65),
                ..base()
            },
            wit::ConnectorManifest {
                pipeline_types: Vec::new(),
                ..base()
            },
            wit::ConnectorManifest {
                keys: (0..=MAX_KEYS)
                    .map(|i| {
                        key(
                            &format!("k{i}"),
                            &format!("source.sourceConfig.config.k{i}"),
                        )
                    })
                    .collect(),
                ..base()
            },
            wit::ConnectorManifest {
                keys: vec![
                    key("a", "source.sourceConfig.config.k"),
                    key("b", "source.sourceConfig.config.k"),
                ],
                ..base()
            },
        ] {
            let error = Manifest::check(bad).unwrap_err();
            assert!(!error.contains('\u{1b}'), "{error}");
        }
    }

    #[test]
    fn a_credential_is_secret_whatever_the_manifest_says_and_a_name_never_is() {
        let m = with_key(key(
            "awsConfig.awsSecretAccessKey",
            "source.serviceConnection.config.awsConfig.awsSecretAccessKey",
        ))
        .unwrap();
        assert!(m.is_secret("awsConfig.awsSecretAccessKey"));
        let aliased = wit::ConfigKey {
            yaml_aliases: vec!["source.serviceConnection.config.password".into()],
            ..key("pw", "source.serviceConnection.config.pw")
        };
        assert!(with_key(aliased).unwrap().is_secret("pw"));
        for path in [
            "source.serviceName",
            "workflowConfig.loggerLevel",
            "source.serviceConnection.config.type",
        ] {
            let error = with_key(wit::ConfigKey {
                secret: true,
                ..key("k", path)
            })
            .unwrap_err();
            assert!(error.contains("marked secret"), "{path}: {error}");
        }
    }

    #[test]
    fn the_example_reads_through_aliases_and_knows_its_secrets() {
        let m = example();
        let (key, alias) = m
            .key_at("source.serviceConnection.config.database")
            .unwrap();
        assert_eq!((key.name.as_str(), alias), ("databaseName", true));
        assert!(m.is_secret("awsConfig.awsSecretAccessKey"));
        assert!(!m.is_secret("awsConfig.awsRegion"));
    }
}
