//! Shipping the connector, end to end: the real `ddb-catalog` stamps, signs and pushes the real
//! component to a real OCI registry (CNCF Distribution, `e2e::registry`), then runs it from
//! there by tag and by digest against DynamoDB Local; refuses what it must (unsigned, another
//! key, a pin the registry does not serve, bytes changed in the registry or after signing)
//! before compiling anything; runs a pinned component from its cache with the registry gone;
//! and the static Linux binary of `scripts/release.sh` runs the released component.

use e2e::admin::Admin;
use e2e::host::{self, Run};
use e2e::registry::{self, Registry};
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One DynamoDB Local for this file; each test works in its own namespace (access key id).
fn dynamodb() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

/// What `scripts/release.sh` makes, made here by the real binary: two key pairs and the
/// component stamped with this checkout's metadata.
struct Release {
    key: PathBuf,
    public: PathBuf,
    key_id: String,
    other_key: PathBuf,
    other_key_id: String,
    stamped: PathBuf,
    revision: String,
}

fn scratch_root() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| e2e::workspace_root().join("target"))
        .join("e2e-distribution")
}

fn release() -> &'static Release {
    static RELEASE: OnceLock<Release> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let dir = scratch_root();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let keygen = |name: &str| {
            let prefix = dir.join(name);
            let run = ddb(&["component", "keygen", "--out", path(&prefix)]);
            assert_eq!(run.code(), 0, "{}", run.stderr);
            let secret = prefix.with_extension("key");
            // The secret key must never be shown by any run.
            for line in std::fs::read_to_string(&secret).unwrap().lines() {
                if !line.starts_with("-----") {
                    host::register_secret(line);
                }
            }
            (
                secret,
                prefix.with_extension("pub"),
                run.stdout.trim().to_string(),
            )
        };
        let (key, public, key_id) = keygen("release");
        let (other_key, _, other_key_id) = keygen("other");
        assert_eq!(key_id.len(), 24, "{key_id}");
        assert_ne!(key_id, other_key_id);

        let stamped = dir.join("dynamodb_connector.wasm");
        let run = ddb(&[
            "component",
            "stamp",
            path(&host::component()),
            "-o",
            path(&stamped),
            "--source-url",
            "https://git.example.com/ddb-catalog",
        ]);
        assert_eq!(run.code(), 0, "{}", run.stderr);
        Release {
            key,
            public,
            key_id,
            other_key,
            other_key_id,
            stamped,
            revision: git_head(),
        }
    })
}

fn git_head() -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(e2e::workspace_root())
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git");
    assert!(output.status.success(), "git rev-parse HEAD failed");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Runs `ddb-catalog` with no Docker credentials unless given, and no proxy for loopback.
fn ddb(args: &[&str]) -> Run {
    run_with_docker_config(args, Path::new("/nonexistent/docker-config"))
}

fn run_with_docker_config(args: &[&str], docker_config: &Path) -> Run {
    host::run_with_env(
        args,
        &[
            ("DOCKER_CONFIG", path(docker_config)),
            ("NO_PROXY", "127.0.0.1,localhost"),
            ("no_proxy", "127.0.0.1,localhost"),
        ],
    )
}

/// Pushes `file` to `reference`, signed with `key` if given; returns the manifest digest.
fn push(file: &Path, reference: &str, key: Option<&Path>) -> String {
    let mut args = vec!["component", "push", path(file), reference];
    if let Some(key) = key {
        args.extend(["--sign-key", path(key)]);
    }
    let run = ddb(&args);
    assert_eq!(run.code(), 0, "push failed:\n{}", run.stderr);
    let digest = run.stdout.trim().to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "push prints the manifest digest, not {:?}",
        run.stdout
    );
    digest
}

/// A workflow against DynamoDB Local with one table, in `dir`.
fn workflow(dir: &Path, key: &str) -> PathBuf {
    let admin = Admin::new(&dynamodb().endpoint(), key);
    admin.create_table("shipped_orders", &[("order_id", "S", "HASH")]);
    Workflow::new("shipped", &dynamodb().endpoint(), key).write(dir, "workflow.yaml")
}

/// The `Component:` line of a run.
fn component_line(run: &Run) -> &str {
    run.stderr
        .lines()
        .find(|l| l.starts_with("Component: "))
        .unwrap_or_else(|| panic!("no Component: line:\n{}", run.stderr))
}

/// The layer digest in a `Component: oci://… (layer sha256:…)` line.
fn layer_of(line: &str) -> String {
    let start = line.find("(layer ").expect("a layer") + "(layer ".len();
    line[start..line.len() - 1].to_string()
}

/// `sha256:<hex>` of `bytes`, by coreutils' `sha256sum` (not the host's own code).
fn sha256(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    format!("sha256:{}", text.split_whitespace().next().unwrap())
}

/// Compiled components in a compile cache.
fn compiled(cache: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
                .collect()
        })
        .unwrap_or_default()
}

/// A refusal: exit 1, the check that failed in the error, nothing compiled, nothing run.
fn assert_refused(run: &Run, message: &str, cache: &Path) {
    assert_eq!(run.code(), 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(message),
        "expected `{message}` in:\n{}",
        run.stderr
    );
    assert!(
        compiled(cache).is_empty(),
        "a refused component was compiled: {:?}",
        compiled(cache)
    );
    assert!(!run.stdout.contains("Connection OK"), "{}", run.stdout);
    assert!(
        !run.stderr.contains("Component: "),
        "a refused component was announced as running:\n{}",
        run.stderr
    );
}

fn test_connection(component: &str, workflow: &Path, cache: &Path, trust: &[&Path]) -> Run {
    let mut args = Vec::new();
    for key in trust {
        args.extend(["--trust-key", path(key)]);
    }
    args.extend([
        "--cache-dir",
        path(cache),
        "--component",
        component,
        "test-connection",
        "-c",
        path(workflow),
    ]);
    ddb(&args)
}

#[test]
fn a_signed_component_pushed_to_a_registry_runs_by_digest_and_by_tag_under_trust_key() {
    let release = release();
    let registry = Registry::start();
    let tagged = registry.reference("connectors/dynamodb:0.1.0");
    let manifest = push(&release.stamped, &tagged, Some(&release.key));
    let pinned = registry.reference(&format!("connectors/dynamodb@{manifest}"));

    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDSHIPPED");
    let run = test_connection(&pinned, &workflow, &cache, &[&release.public]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "Connection OK: ListTables answered at {}/ (region us-east-1): 1 table on the first page",
            dynamodb().endpoint()
        )),
        "{}",
        run.stdout
    );
    // The digest that ran: the manifest pinned, and the layer, which is the signed component
    // as the registry stores it.
    let line = component_line(&run);
    let layer = layer_of(line);
    assert_eq!(line, format!("Component: {pinned} (layer {layer})"));
    let stored = std::fs::read(registry.blob_path(&layer)).unwrap();
    assert_eq!(sha256(&stored), layer);
    let cached = cache
        .join("components/sha256")
        .join(layer.trim_start_matches("sha256:"));
    assert_eq!(std::fs::read(&cached).unwrap(), stored, "cached by digest");
    assert_eq!(compiled(&cache).len(), 1, "compiled once, into the cache");

    // By tag: the tag resolves to the same digest, and the summary says which ran.
    let run = ddb(&[
        "--trust-key",
        path(&release.public),
        "--cache-dir",
        path(&cache),
        "--component",
        &tagged,
        "ingest",
        "-c",
        path(&workflow),
        "--output",
        "-",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        component_line(&run),
        format!("Component: {tagged}@{manifest} (layer {layer})")
    );
    let entities = run.entities();
    assert!(
        entities.iter().any(|e| e["name"] == "shipped_orders"),
        "{entities:#?}"
    );
    assert_eq!(
        compiled(&cache).len(),
        1,
        "the same bytes are not compiled again"
    );

    // The environment variable takes a reference too.
    let run = host::run_with_env(
        &[
            "--cache-dir",
            path(&cache),
            "test-connection",
            "-c",
            path(&workflow),
        ],
        &[
            ("DDB_CATALOG_COMPONENT", pinned.as_str()),
            ("DOCKER_CONFIG", "/nonexistent/docker-config"),
            ("NO_PROXY", "127.0.0.1,localhost"),
        ],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        component_line(&run),
        format!("Component: {pinned} (layer {layer})")
    );
}

#[test]
fn a_pinned_component_runs_from_the_cache_with_the_registry_gone() {
    let release = release();
    let mut registry = Registry::start();
    let manifest = push(
        &release.stamped,
        &registry.reference("offline/dynamodb:1"),
        Some(&release.key),
    );
    let pinned = registry.reference(&format!("offline/dynamodb@{manifest}"));
    let tagged = registry.reference("offline/dynamodb:1");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDOFFLINE");
    let first = test_connection(&pinned, &workflow, &cache, &[&release.public]);
    assert_eq!(first.code(), 0, "{}", first.stderr);

    registry.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", registry.port)).is_err());
    let offline = test_connection(&pinned, &workflow, &cache, &[&release.public]);
    assert_eq!(offline.code(), 0, "{}", offline.stderr);
    assert!(
        offline.stdout.contains("Connection OK"),
        "{}",
        offline.stdout
    );
    assert_eq!(component_line(&offline), component_line(&first));

    // A tag needs the registry to say what it is now.
    let by_tag = test_connection(&tagged, &workflow, &cache, &[&release.public]);
    assert_eq!(by_tag.code(), 1, "{}", by_tag.stderr);
    assert!(
        by_tag
            .stderr
            .contains(&format!("cannot get the manifest of {tagged}")),
        "{}",
        by_tag.stderr
    );

    // The cache is checked when it is read: a changed byte is refused, and the entry removed.
    let layer = layer_of(component_line(&first));
    let cached = cache
        .join("components/sha256")
        .join(layer.trim_start_matches("sha256:"));
    let mut bytes = std::fs::read(&cached).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&cached, &bytes).unwrap();
    let changed = test_connection(&pinned, &workflow, &cache, &[]);
    assert_eq!(changed.code(), 1, "{}", changed.stderr);
    assert!(
        changed.stderr.contains(&format!(
            "the cached component {} does not match its digest",
            cached.display()
        )),
        "{}",
        changed.stderr
    );
    assert!(!cached.exists(), "the changed entry is removed");
}

#[test]
fn an_unsigned_component_is_refused_under_trust_key_before_compiling() {
    let release = release();
    let registry = Registry::start();
    let tagged = registry.reference("unsigned/dynamodb:1");
    let manifest = push(&release.stamped, &tagged, None);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDUNSIGNED");
    let pinned = registry.reference(&format!("unsigned/dynamodb@{manifest}"));
    for component in [tagged.as_str(), pinned.as_str(), path(&release.stamped)] {
        let run = test_connection(component, &workflow, &cache, &[&release.public]);
        assert_refused(&run, "the component is not signed", &cache);
    }
    for command in [
        vec!["ingest", "-c", path(&workflow)],
        vec!["component", "inspect", &pinned],
    ] {
        let mut args = vec![
            "--trust-key",
            path(&release.public),
            "--cache-dir",
            path(&cache),
            "--component",
            &pinned,
        ];
        args.extend(command);
        assert_refused(&ddb(&args), "the component is not signed", &cache);
    }
    // Without --trust-key it runs: signatures are opt-in.
    let run = test_connection(&pinned, &workflow, &cache, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
}

#[test]
fn a_component_signed_by_another_key_is_refused() {
    let release = release();
    let registry = Registry::start();
    let tagged = registry.reference("other/dynamodb:1");
    let manifest = push(&release.stamped, &tagged, Some(&release.other_key));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDOTHERKEY");
    let pinned = registry.reference(&format!("other/dynamodb@{manifest}"));
    let run = test_connection(&pinned, &workflow, &cache, &[&release.public]);
    assert_refused(
        &run,
        &format!(
            "the component is signed, but not by a trusted key (trusted: {}; signed by: {})",
            release.key_id, release.other_key_id
        ),
        &cache,
    );
    // Trusting both keys accepts it.
    let other_public = release.other_key.with_extension("pub");
    let run = test_connection(
        &pinned,
        &workflow,
        &cache,
        &[&release.public, &other_public],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
}

#[test]
fn a_pin_the_registry_does_not_serve_is_refused() {
    let release = release();
    let registry = Registry::start();
    let first = push(
        &release.stamped,
        &registry.reference("pins/dynamodb:1"),
        Some(&release.key),
    );
    let second = push(
        &release.stamped,
        &registry.reference("pins/dynamodb:2"),
        Some(&release.other_key),
    );
    assert_ne!(first, second);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDPINS");

    // A tag pinned to a digest it does not name (any more).
    let mismatched = registry.reference(&format!("pins/dynamodb:2@{first}"));
    let run = test_connection(&mismatched, &workflow, &cache, &[&release.public]);
    assert_refused(
        &run,
        &format!("the registry's tag `2` is {second}, not the pinned {first}"),
        &cache,
    );

    // A digest the registry does not have.
    let unknown = format!("sha256:{}", "0".repeat(64));
    let run = test_connection(
        &registry.reference(&format!("pins/dynamodb@{unknown}")),
        &workflow,
        &cache,
        &[&release.public],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("manifest unknown"), "{}", run.stderr);
    assert!(compiled(&cache).is_empty());

    // A registry that serves other bytes for the pinned manifest.
    let stored = registry.blob_path(&first);
    let text = std::fs::read_to_string(&stored).unwrap();
    let changed = text.replacen("\"schemaVersion\":2", "\"schemaVersion\":2 ", 1);
    assert_ne!(changed, text);
    std::fs::write(&stored, changed).unwrap();
    let run = test_connection(
        &registry.reference(&format!("pins/dynamodb@{first}")),
        &workflow,
        &cache,
        &[&release.public],
    );
    assert_refused(
        &run,
        &format!("the registry's manifest does not match its digest (expected {first}"),
        &cache,
    );
}

#[test]
fn a_layer_changed_in_the_registry_is_refused() {
    let release = release();
    let registry = Registry::start();
    let manifest = push(
        &release.stamped,
        &registry.reference("tampered/dynamodb:1"),
        Some(&release.key),
    );
    // The layer is the signed component.
    let signed_dir = tempfile::tempdir().unwrap();
    let signed = signed_dir.path().join("signed.wasm");
    let run = ddb(&[
        "component",
        "sign",
        path(&release.stamped),
        "--key",
        path(&release.key),
        "-o",
        path(&signed),
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let layer = sha256(&std::fs::read(&signed).unwrap());
    let blob = registry.blob_path(&layer);
    let mut bytes = std::fs::read(&blob).expect("the registry stores the signed component");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&blob, &bytes).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDTAMPERED");
    let pinned = registry.reference(&format!("tampered/dynamodb@{manifest}"));
    for trust in [vec![release.public.as_path()], vec![]] {
        let run = test_connection(&pinned, &workflow, &cache, &trust);
        assert_refused(
            &run,
            &format!("the layer's bytes do not match its digest {layer}"),
            &cache,
        );
        assert!(
            !cache
                .join("components/sha256")
                .join(layer.trim_start_matches("sha256:"))
                .exists(),
            "changed bytes are never stored"
        );
    }
}

#[test]
fn a_component_changed_after_signing_is_refused() {
    let release = release();
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signed.wasm");
    let run = ddb(&[
        "component",
        "sign",
        path(&release.stamped),
        "--key",
        path(&release.key),
        "-o",
        path(&signed),
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    // One bit of the stamped revision (text in a custom section: still a valid component).
    let mut bytes = std::fs::read(&signed).unwrap();
    let revision = release.revision.as_bytes();
    let at = bytes
        .windows(revision.len())
        .position(|w| w == revision)
        .expect("the revision is in the component");
    bytes[at] ^= 0x01;
    let changed = dir.path().join("changed.wasm");
    std::fs::write(&changed, &bytes).unwrap();

    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDCHANGED");
    let run = test_connection(path(&changed), &workflow, &cache, &[&release.public]);
    assert_refused(
        &run,
        "the component's signature does not match its bytes: it was changed after signing",
        &cache,
    );

    // Pushed as it is, the digests hold (they are of the changed bytes) and the signature
    // still does not.
    let registry = Registry::start();
    let manifest = push(&changed, &registry.reference("changed/dynamodb:1"), None);
    let run = test_connection(
        &registry.reference(&format!("changed/dynamodb@{manifest}")),
        &workflow,
        &cache,
        &[&release.public],
    );
    assert_refused(&run, "it was changed after signing", &cache);

    // The file as signed runs.
    let run = test_connection(path(&signed), &workflow, &cache, &[&release.public]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        component_line(&run),
        format!(
            "Component: {} {}",
            signed.display(),
            sha256(&std::fs::read(&signed).unwrap())
        )
    );
}

#[test]
fn inspect_shows_metadata_digest_signature_world_and_configuration_schema() {
    let release = release();
    let registry = Registry::start();
    let manifest = push(
        &release.stamped,
        &registry.reference("inspect/dynamodb:0.1.0"),
        Some(&release.key),
    );
    let pinned = registry.reference(&format!("inspect/dynamodb@{manifest}"));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let run = ddb(&[
        "--trust-key",
        path(&release.public),
        "--cache-dir",
        path(&cache),
        "component",
        "inspect",
        &pinned,
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let out = &run.stdout;
    let layer = layer_of(out.lines().next().unwrap());
    for expected in [
        format!("Component: {pinned} (layer {layer})"),
        format!("  digest: {layer} ("),
        format!("  manifest: {manifest}"),
        "  name         dynamodb-connector".to_string(),
        format!("  version      {}", env!("CARGO_PKG_VERSION")),
        "  description  OpenMetadata's DynamoDB metadata connector".to_string(),
        format!("  licenses     {}", env!("CARGO_PKG_LICENSE")),
        "  source       https://git.example.com/ddb-catalog".to_string(),
        format!("  revision     {}", release.revision),
        "  authors      ".to_string(),
        format!(
            "Signature: verified: signed by trusted key {}",
            release.key_id
        ),
        "    wasi:http/outgoing-handler@0.2.".to_string(),
        "    wasi:config/store@0.2.0-rc.1".to_string(),
        "  WIT:".to_string(),
        "    world root {".to_string(),
        "      export catalog:connector/source@0.6.0;".to_string(),
    ] {
        assert!(out.contains(&expected), "no `{expected}` in:\n{out}");
    }
    let exports = out
        .lines()
        .find(|l| l.starts_with("    catalog:connector/source@0.6.0: "))
        .unwrap_or_else(|| panic!("no source export in:\n{out}"));
    for function in [
        "test-connection",
        "ingest",
        "start-ingestion",
        "configuration-schema",
    ] {
        assert!(exports.contains(function), "{exports}");
    }
    // The configuration schema, pretty-printed and still JSON.
    let schema_text = out
        .split("Configuration schema:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no schema in:\n{out}"));
    let schema: Value = serde_json::from_str(schema_text)
        .unwrap_or_else(|e| panic!("the schema is not JSON ({e}):\n{schema_text}"));
    assert_eq!(schema["properties"]["serviceName"]["type"], "string");
    assert_eq!(
        schema["properties"]["awsConfig.awsSecretAccessKey"]["writeOnly"],
        true
    );
    assert!(
        schema["required"]
            .as_array()
            .is_some_and(|r| r.contains(&Value::from("serviceName"))),
        "{schema}"
    );
    assert_eq!(
        compiled(&cache).len(),
        1,
        "compiled to call configuration-schema"
    );

    // A file, without --trust-key: the signature is reported, not checked.
    let signed = dir.path().join("signed.wasm");
    let sign = run_signed(&release.stamped, &release.key, &signed);
    assert_eq!(sign.code(), 0, "{}", sign.stderr);
    let file = ddb(&[
        "--cache-dir",
        path(&cache),
        "component",
        "inspect",
        path(&signed),
    ]);
    assert_eq!(file.code(), 0, "{}", file.stderr);
    assert!(
        file.stdout.contains(&format!(
            "Signature: signed by key {} (1 signature; not verified",
            release.key_id
        )),
        "{}",
        file.stdout
    );
    let unsigned = ddb(&[
        "--cache-dir",
        path(&cache),
        "component",
        "inspect",
        path(&release.stamped),
    ]);
    assert!(
        unsigned.stdout.contains("Signature: none (not signed)"),
        "{}",
        unsigned.stdout
    );
    // Under a key that did not sign it, inspect refuses too.
    let other_public = release.other_key.with_extension("pub");
    let other_cache = dir.path().join("other-cache");
    let refused = ddb(&[
        "--trust-key",
        path(&other_public),
        "--cache-dir",
        path(&other_cache),
        "component",
        "inspect",
        &pinned,
    ]);
    assert_eq!(refused.code(), 1, "{}", refused.stdout);
    assert!(
        refused
            .stderr
            .contains("the component is signed, but not by a trusted key"),
        "{}",
        refused.stderr
    );
    assert!(compiled(&other_cache).is_empty());
}

fn run_signed(file: &Path, key: &Path, out: &Path) -> Run {
    ddb(&[
        "component",
        "sign",
        path(file),
        "--key",
        path(key),
        "-o",
        path(out),
    ])
}

#[test]
fn registry_credentials_come_from_the_docker_config_and_are_never_shown() {
    use base64::Engine as _;
    let release = release();
    let registry = Registry::start_with_auth();
    let reference = registry.reference("private/dynamodb:1");
    let anonymous = ddb(&["component", "push", path(&release.stamped), &reference]);
    assert_eq!(anonymous.code(), 1, "{}", anonymous.stderr);
    assert!(
        anonymous.stderr.contains("UNAUTHORIZED") || anonymous.stderr.contains("401"),
        "{}",
        anonymous.stderr
    );

    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        registry::USER,
        registry::PASSWORD
    ));
    host::register_secret(&auth);
    std::fs::write(
        docker.join("config.json"),
        serde_json::json!({"auths": {registry.host(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let pushed = run_with_docker_config(
        &[
            "component",
            "push",
            path(&release.stamped),
            &reference,
            "--sign-key",
            path(&release.key),
        ],
        &docker,
    );
    assert_eq!(pushed.code(), 0, "{}", pushed.stderr);
    let manifest = pushed.stdout.trim();

    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDPRIVATE");
    let pinned = registry.reference(&format!("private/dynamodb@{manifest}"));
    let args = [
        "--trust-key",
        path(&release.public),
        "--cache-dir",
        path(&cache),
        "--component",
        &pinned,
        "test-connection",
        "-c",
        path(&workflow),
    ];
    let ran = run_with_docker_config(&args, &docker);
    assert_eq!(ran.code(), 0, "{}", ran.stderr);
    // Without the credentials, a pull is refused by the registry.
    let other_cache = dir.path().join("other-cache");
    let denied = ddb(&[
        "--cache-dir",
        path(&other_cache),
        "--component",
        &pinned,
        "test-connection",
        "-c",
        path(&workflow),
    ]);
    assert_eq!(denied.code(), 1, "{}", denied.stderr);
}

/// This machine's address on its default route: not loopback.
fn non_loopback_address() -> std::net::IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    // TEST-NET-1: connecting a UDP socket sends nothing, it only picks the source address.
    socket
        .connect("192.0.2.1:9")
        .expect("this test needs a non-loopback address (a default route)");
    let ip = socket.local_addr().unwrap().ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "{ip}");
    ip
}

#[test]
fn plain_http_is_only_for_a_loopback_registry() {
    let release = release();
    // `localhost` is loopback: plain HTTP.
    let local = Registry::start();
    push(
        &release.stamped,
        &format!("oci://localhost:{}/names/dynamodb:1", local.port),
        None,
    );
    // The same plain-HTTP registry on this machine's other address is asked for HTTPS, which
    // it cannot speak: nothing is pushed, and nothing went to it as HTTP.
    let remote = Registry::start_on(non_loopback_address());
    let run = ddb(&[
        "component",
        "push",
        path(&release.stamped),
        &remote.reference("remote/dynamodb:1"),
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("https://{}/v2/", remote.host())),
        "{}",
        run.stderr
    );
    let log = std::fs::read_to_string(&remote.log).unwrap();
    assert!(
        !log.contains("/v2/remote/"),
        "the registry was spoken to in plain HTTP:\n{log}"
    );
}

/// A registry over HTTPS is verified against the system's certificate store: a certificate
/// signed by a CA the store lacks is refused, and the same push goes through once the CA is in
/// the store (`SSL_CERT_FILE`, where OpenSSL and rustls-native-certs read it from).
#[test]
fn a_tls_registry_is_verified_against_the_system_certificate_store() {
    let release = release();
    let registry = Registry::start_tls_on(non_loopback_address());
    let ca = registry.ca_certificate.clone().unwrap();
    let reference = registry.reference("tls/dynamodb:1");
    let args = ["component", "push", path(&release.stamped), &reference];

    let refused = ddb(&args);
    eprintln!(
        "REFUSEDLOG {}",
        std::fs::read_to_string(&registry.log).unwrap()
    );
    assert_eq!(refused.code(), 1, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains(&format!("https://{}/v2/", registry.host())),
        "{}",
        refused.stderr
    );

    let no_docker = Path::new("/nonexistent/docker-config");
    let trusted = host::run_with_env(
        &args,
        &[
            ("DOCKER_CONFIG", path(no_docker)),
            ("SSL_CERT_FILE", path(&ca)),
            ("NO_PROXY", "*"),
            ("no_proxy", "*"),
        ],
    );
    assert_eq!(trusted.code(), 0, "{}", trusted.stderr);
    assert!(
        trusted.stdout.trim().starts_with("sha256:"),
        "{}",
        trusted.stdout
    );
    let log = std::fs::read_to_string(&registry.log).unwrap();
    assert!(log.contains("/v2/tls/dynamodb/manifests/1"), "{log}");
}

#[test]
fn the_wit_package_decodes_to_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("catalog-connector@0.6.0.wasm");
    let wit = e2e::workspace_root().join("wit");
    let run = ddb(&[
        "component",
        "wit-package",
        "--wit",
        path(&wit),
        "--out",
        path(&out),
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "catalog:connector@0.6.0");
    let bytes = std::fs::read(&out).unwrap();
    // A binary WIT package is a component-model binary.
    assert_eq!(&bytes[..8], b"\0asm\x0d\x00\x01\x00");
    let (resolve, package) = ddb_catalog::distribution::wit::read_package(&bytes).unwrap();
    let name = &resolve.packages[package].name;
    assert_eq!(
        (name.namespace.as_str(), name.name.as_str()),
        ("catalog", "connector")
    );
    assert_eq!(
        name.version.as_ref().map(|v| v.to_string()).as_deref(),
        Some("0.6.0")
    );
    let source = resolve.packages[package].interfaces["source"];
    let functions = &resolve.interfaces[source].functions;
    for function in [
        "test-connection",
        "ingest",
        "start-ingestion",
        "configuration-schema",
    ] {
        assert!(functions.contains_key(function), "no {function}");
    }
    assert!(
        resolve.packages[package]
            .worlds
            .contains_key("metadata-source")
    );
}

// --- The static Linux binary (scripts/release.sh) ----------------------------------------

/// What rebuilds dist/.
const RELEASE: &str = "`bash scripts/release.sh` (scripts/test.sh does)";

/// Whether an ELF executable asks for a program interpreter (a dynamic loader).
fn has_interpreter(elf: &[u8]) -> bool {
    assert!(elf.len() > 64 && &elf[..4] == b"\x7fELF", "not an ELF file");
    assert_eq!(elf[4], 2, "not a 64-bit ELF");
    assert_eq!(elf[5], 1, "not little-endian");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (entry_size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let header = phoff + i * entry_size;
        u32::from_le_bytes(elf[header..header + 4].try_into().unwrap()) == 3 // PT_INTERP
    })
}

#[test]
fn the_static_linux_binary_runs_the_released_component() {
    let root = e2e::workspace_root();
    let dist = root.join("dist");
    let musl_target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("x86_64-unknown-linux-musl/release/ddb-catalog");
    let binary = [dist.join("ddb-catalog"), musl_target.clone()]
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "no static Linux binary at {} or {}: build it with `bash scripts/release.sh` \
                 (scripts/test.sh does before the tests)",
                dist.join("ddb-catalog").display(),
                musl_target.display()
            )
        });
    host::refuse_stale(&binary, &["host", "wit", "Cargo.lock"], RELEASE);

    // Static: no program interpreter, whatever the distribution's libc.
    let elf = std::fs::read(&binary).unwrap();
    assert!(
        !has_interpreter(&elf),
        "{} asks for a dynamic loader",
        binary.display()
    );
    let ldd = Command::new("ldd").arg(&binary).output().expect("ldd");
    let ldd_says = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        ldd_says.contains("statically linked") || ldd_says.contains("not a dynamic executable"),
        "ldd: {ldd_says}"
    );

    // The released pair: the component next to the binary is found without a flag.
    let in_dist = binary.starts_with(&dist);
    let component = if in_dist {
        let component = dist.join("dynamodb_connector.wasm");
        assert!(
            component.is_file(),
            "{} is missing: run `bash scripts/release.sh`",
            component.display()
        );
        host::refuse_stale(&component, &["component", "wit", "Cargo.lock"], RELEASE);
        component
    } else {
        host::component()
    };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let workflow = workflow(dir.path(), "AKIDSTATIC");
    let run_static = |args: &[&str]| {
        let mut command = Command::new(&binary);
        command
            .args(["--cache-dir", path(&cache)])
            .args(args)
            .env_remove("DDB_CATALOG_COMPONENT")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials",
            );
        if !in_dist {
            command.args(["--component", path(&component)]);
        }
        let output = command.output().expect("run the static binary");
        let run = Run {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        host::assert_no_secrets("stdout", &run.stdout);
        host::assert_no_secrets("stderr", &run.stderr);
        run
    };
    let check = run_static(&["test-connection", "-c", path(&workflow)]);
    assert_eq!(check.code(), 0, "{}", check.stderr);
    assert!(check.stdout.contains("Connection OK"), "{}", check.stdout);
    assert_eq!(
        component_line(&check),
        format!(
            "Component: {} {}",
            component.display(),
            sha256(&std::fs::read(&component).unwrap())
        )
    );
    let ingest = run_static(&["ingest", "-c", path(&workflow), "--output", "-"]);
    assert_eq!(ingest.code(), 0, "{}", ingest.stderr);
    let entities = ingest.entities();
    assert!(
        entities.iter().any(|e| e["name"] == "shipped_orders"),
        "{entities:#?}"
    );

    if in_dist {
        // The released component carries its metadata, and SHA256SUMS holds for every file.
        let inspect = run_static(&["component", "inspect"]);
        assert_eq!(inspect.code(), 0, "{}", inspect.stderr);
        assert!(
            inspect.stdout.contains("  revision     "),
            "the released component is stamped:\n{}",
            inspect.stdout
        );
        let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).expect("dist/SHA256SUMS");
        let mut listed = 0;
        for line in sums.lines() {
            let (sum, name) = line.split_once("  ").expect("`<sha256>  <file>` lines");
            let bytes = std::fs::read(dist.join(name)).unwrap();
            assert_eq!(format!("sha256:{sum}"), sha256(&bytes), "{name}");
            listed += 1;
        }
        for name in [
            "ddb-catalog",
            "dynamodb_connector.wasm",
            "catalog-connector@0.6.0.wasm",
        ] {
            assert!(
                sums.lines().any(|l| l.ends_with(&format!("  {name}"))),
                "{name} not in SHA256SUMS"
            );
        }
        assert!(listed >= 3);
    }
}
