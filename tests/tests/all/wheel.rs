//! The Python wheel (`dist/ddb_catalog-<version>-py3-none-<tags>.whl`, which
//! `scripts/release.sh` builds from the static host and the stamped component; docs/python.md):
//! installed with pip into a fresh venv without an index, it puts a working `ddb-catalog` on the
//! venv's PATH, which ingests from DynamoDB Local with the component found next to the bundled
//! executable, and its Python API (`ddb_catalog.run`) runs workflows given as a dict, a path and
//! a YAML string, and raises `WorkflowError` for an invalid workflow and for a failed run
//! (`python/tests/check_api.py`).

use e2e::admin::{self, Admin};
use e2e::host;
use e2e::servers::{Kind, Server, free_port};
use e2e::workflow::Workflow;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const KEY: &str = "AKIDWHEEL";
/// The host's version, which is the workspace's and so the wheel's.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The wheel in dist/, refused when it is missing or older than what it is made of.
fn wheel() -> PathBuf {
    let root = e2e::workspace_root();
    let dist = root.join("dist");
    let prefix = format!("ddb_catalog-{VERSION}-py3-none-");
    let wheels: Vec<PathBuf> = std::fs::read_dir(&dist)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        wheels.len() == 1,
        "expected one {}*.whl, found {wheels:?}: build it with `bash scripts/release.sh` \
         (or, with dist/ddb-catalog and dist/dynamodb_connector.wasm already built, \
         `python3 python/build_wheel.py`)",
        dist.join(&prefix).display()
    );
    let wheel = wheels.into_iter().next().unwrap();
    host::refuse_stale(
        &wheel,
        &[
            "python/ddb_catalog",
            "python/build_wheel.py",
            "python/pyproject.toml",
            "python/README.md",
            "dist/ddb-catalog",
            "dist/dynamodb_connector.wasm",
            "host",
            "component",
            "wit",
            "Cargo.lock",
        ],
        "`bash scripts/release.sh`",
    );
    wheel
}

/// A command with no AWS settings, no component override and no pip configuration from the
/// environment, the venv first on PATH (not activated: as a scheduler's worker runs it).
fn command(program: &Path, venv: &Path, cache: &Path) -> Command {
    let mut command = Command::new(program);
    let path = format!(
        "{}:{}",
        venv.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    command
        .env("PATH", path)
        .env("DDB_CATALOG_CACHE_DIR", cache)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env_remove("PYTHONPATH")
        .env_remove("VIRTUAL_ENV")
        .env_remove("DDB_CATALOG_COMPONENT")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .stdin(Stdio::null());
    command
}

fn text(output: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    host::assert_no_secrets("stdout", &stdout);
    host::assert_no_secrets("stderr", &stderr);
    (stdout, stderr)
}

fn succeed(what: &str, command: &mut Command) -> (String, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    (stdout, stderr)
}

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_its_cli_and_python_api_run_workflows() {
    host::register_secret(admin::SECRET);
    let wheel = wheel();
    let name = wheel.file_name().unwrap().to_str().unwrap().to_string();
    // One wheel for glibc and musl distributions: the host is static (build_wheel.py says why).
    assert!(
        name.ends_with(
            "-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64.whl"
        ),
        "{name}"
    );

    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let cache = dir.path().join("cache");
    let output = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .expect("python3 (scripts/setup.sh installs what `python3 -m venv` needs)");
    assert!(
        output.status.success(),
        "`python3 -m venv` failed: {}\n(on Debian: apt-get install python3-venv; scripts/setup.sh does)",
        String::from_utf8_lossy(&output.stderr)
    );
    // No index: everything the package needs is in the wheel.
    succeed(
        "pip install --no-index",
        command(&venv.join("bin/python"), &venv, &cache)
            .args(["-m", "pip", "install", "--no-index", "--no-cache-dir"])
            .arg(&wheel),
    );

    // The command on PATH, by name; the bundled files are the release's bytes.
    let (stdout, _) = succeed(
        "ddb-catalog --help",
        command(Path::new("ddb-catalog"), &venv, &cache).arg("--help"),
    );
    assert!(stdout.contains("Usage: ddb-catalog"), "{stdout}");
    let (stdout, _) = succeed(
        "ddb-catalog --version",
        command(Path::new("ddb-catalog"), &venv, &cache).arg("--version"),
    );
    assert_eq!(stdout.trim(), format!("ddb-catalog {VERSION}"));
    let (stdout, _) = succeed(
        "python -m ddb_catalog --version",
        command(&venv.join("bin/python"), &venv, &cache).args(["-m", "ddb_catalog", "--version"]),
    );
    assert_eq!(stdout.trim(), format!("ddb-catalog {VERSION}"));
    let (stdout, _) = succeed(
        "ddb_catalog.binary_path()",
        command(&venv.join("bin/python"), &venv, &cache).args([
            "-c",
            "import ddb_catalog; print(ddb_catalog.binary_path()); print(ddb_catalog.component_path())",
        ]),
    );
    let paths: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
    assert_eq!(paths.len(), 2, "{stdout}");
    let (binary, component) = (&paths[0], &paths[1]);
    assert!(binary.starts_with(&venv), "{}", binary.display());
    assert_eq!(binary.parent(), component.parent());
    let dist = e2e::workspace_root().join("dist");
    assert!(
        std::fs::read(binary).unwrap() == std::fs::read(dist.join("ddb-catalog")).unwrap(),
        "the installed executable is not dist/ddb-catalog"
    );
    assert!(
        std::fs::read(component).unwrap()
            == std::fs::read(dist.join("dynamodb_connector.wasm")).unwrap(),
        "the installed component is not dist/dynamodb_connector.wasm"
    );

    // An ingestion with the installed command: the component next to the executable is found
    // without a flag.
    let server = Server::start(Kind::DynamoDbLocal);
    let admin = Admin::new(&server.endpoint(), KEY);
    for table in ["alpha_orders", "beta_events", "tmp_scratch"] {
        admin.create_table(table, &[("id", "S", "HASH")]);
    }
    let sink = dir.path().join("cli.json");
    let workflow = Workflow::new("wheel_cli", &server.endpoint(), KEY)
        .file_sink(&sink)
        .source_config("      tableFilterPattern:\n        excludes:\n          - ^tmp_scratch$\n")
        .write(dir.path(), "workflow.yaml");
    let (_, stderr) = succeed(
        "ddb-catalog ingest",
        command(Path::new("ddb-catalog"), &venv, &cache)
            .args(["ingest", "-c"])
            .arg(&workflow),
    );
    assert!(
        stderr.contains(&format!("Component: {} sha256:", component.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("Tables listed: 3 (ingested 2, filtered 1, failed 0)"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("Workflow finished successfully\n"),
        "{stderr}"
    );
    let mut tables: Vec<String> = host::read_entities(&sink)
        .iter()
        .filter(|e| e.get("columns").is_some())
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    tables.sort();
    assert_eq!(tables, ["alpha_orders", "beta_events"]);

    // The Python API, run by the venv's Python: success from a dict, a path and a YAML string;
    // WorkflowError for an invalid workflow and for a failed run. The script says which check
    // failed.
    let scratch = dir.path().join("tmp");
    let out = dir.path().join("api");
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let script = e2e::workspace_root().join("python/tests/check_api.py");
    let (stdout, _) = succeed(
        "python/tests/check_api.py",
        command(&venv.join("bin/python"), &venv, &cache)
            .arg(&script)
            .args(["--endpoint", &server.endpoint(), "--access-key-id", KEY])
            .args(["--ingested", "alpha_orders,beta_events"])
            .args(["--filtered", "tmp_scratch"])
            .arg("--out")
            .arg(&out)
            .args([
                "--unreachable",
                &format!("http://127.0.0.1:{}", free_port()),
            ])
            .env("TMPDIR", &scratch)
            .env("DDB_TEST_SECRET", admin::SECRET)
            // The package as installed, not the source tree next to the script.
            .current_dir(dir.path()),
    );
    for check in [
        "ok: the summary parser reads every section",
        "ok: a dict ran (2 tables), through a 0600 file in a 0700 directory, removed after",
        "ok: the result is read from the host's run report",
        "ok: a str ran",
        "ok: a PosixPath ran",
        "ok: a YAML string ran",
        "ok: invalid workflow -> WorkflowError",
        "ok: failed run -> WorkflowError: workflow wheel_down finished with failures",
        "ok: raise_on_failure=False returns the failed result",
    ] {
        assert!(stdout.contains(check), "`{check}` missing from:\n{stdout}");
    }
    // What the runs wrote (the sinks' entities) holds no secret; the workflow file the script
    // wrote holds one, by design, and is not an output.
    for file in std::fs::read_dir(&out).unwrap().flatten() {
        if file.path().extension().is_some_and(|e| e == "json") {
            host::read_output(&file.path());
        }
    }
}

/// The wheel is reproducible: built twice from the same `dist/` with the same
/// `SOURCE_DATE_EPOCH`, it is the same bytes (docs/python.md, "How it is built"); another epoch
/// gives other bytes, so the comparison sees the dates.
#[test]
fn the_wheel_built_twice_is_byte_identical() {
    let root = e2e::workspace_root();
    let build = |epoch: &str| -> Vec<u8> {
        let out = tempfile::tempdir().unwrap();
        let output = Command::new("python3")
            .arg(root.join("python/build_wheel.py"))
            .arg("--dist")
            .arg(root.join("dist"))
            .arg("--out")
            .arg(out.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .expect("run python3 build_wheel.py");
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stderr}");
        std::fs::read(stdout.trim()).unwrap()
    };
    let first = build("1700000000");
    assert_eq!(first, build("1700000000"), "two builds differ");
    assert_ne!(
        first,
        build("1800000000"),
        "the epoch did not reach the entries"
    );
}
