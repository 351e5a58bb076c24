#!/usr/bin/env bash
# Checks the Airflow example, examples/airflow/dags/ddb_catalog_tenants.py, with the released
# wheel: `airflow dags test` runs one task per tenant against DynamoDB Local, with a SQLite
# metadata database in a scratch AIRFLOW_HOME and no other service (no scheduler, no API server,
# no executor). Tenants and credentials come from AIRFLOW_VAR_* and AIRFLOW_CONN_* variables,
# as a deployment's secrets backend would give them. It checks that
#   * the two good tenants' tasks succeed and their files hold exactly their own tables (one
#     table filtered out by the tenant's pattern),
#   * each task's log holds its tenant's summary,
#   * the tenant whose endpoint is unreachable fails its task (and the DAG run), with the reason,
#   * the tenant whose workflow is invalid fails its task, naming the key,
#   * no secret appears in the log or the files,
#   * the task `summary` reads every tenant's XCom (the run report, or the failure's reason) and
#     fails the DAG run because two tenants failed,
#   * the package, this check's Python and the DAG pass `mypy --strict` (with Airflow's types).
#
#   bash scripts/test-airflow.sh                        # needs dist/ddb_catalog-*.whl (scripts/release.sh)
#   bash scripts/test-airflow.sh --refresh-constraints  # re-resolve the pins (newest 3.3.x), then test
#   bash scripts/test-airflow.sh --install-only         # only install the venv (scripts/test-airflow-celery.sh)
#
# Installs, idempotently: what scripts/setup.sh installs (DynamoDB Local, boto3 to seed it) and
# Airflow into its own venv, .tools/airflow-venv, pinned by examples/airflow/constraints-3.11.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

airflow_version=3.3.2
mypy_version=2.4.1
venv="$root/.tools/airflow-venv"
refresh=false
install_only=false
case "${1:-}" in
  --refresh-constraints) refresh=true ;;
  --install-only) install_only=true ;;
  "") ;;
  -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
  *) echo "test-airflow.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

log() { printf '[test-airflow] %s\n' "$*" >&2; }
fail() { printf '[test-airflow] FAILED: %s\n' "$*" >&2; exit 1; }
started=$(date +%s)

bash scripts/setup.sh

shopt -s nullglob
wheels=(dist/ddb_catalog-*-py3-none-*.whl)
shopt -u nullglob
[ ${#wheels[@]} -eq 1 ] || fail "expected one dist/ddb_catalog-*.whl, found ${#wheels[@]}: run \`bash scripts/release.sh\`"
wheel="$root/${wheels[0]}"

py_minor=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
constraints="$root/examples/airflow/constraints-$py_minor.txt"
pins=()
if [ "$refresh" = false ]; then
  [ -f "$constraints" ] || fail "no pins for Python $py_minor ($constraints): run with --refresh-constraints"
  pins=(-c "$constraints")
fi
want="apache-airflow==$airflow_version mypy==$mypy_version python=$py_minor pins=$( [ "$refresh" = true ] && echo refreshed || sha256sum "$constraints" | cut -c1-16)"
install_seconds=0
if [ "$refresh" = true ] || [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  log "installing apache-airflow $airflow_version into $venv"
  t0=$(date +%s)
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" \
    "apache-airflow==$airflow_version" "mypy==$mypy_version"
  install_seconds=$(( $(date +%s) - t0 ))
  if [ "$refresh" = true ]; then
    {
      echo "# Pins for scripts/test-airflow.sh: apache-airflow $airflow_version and mypy $mypy_version, with"
      echo "# everything they pulled in, as \`pip freeze\` listed it on Python $py_minor (Airflow's own"
      echo "# constraints-$airflow_version/constraints-$py_minor.txt plays this role upstream). Regenerate with"
      echo "# scripts/test-airflow.sh --refresh-constraints."
      "$venv/bin/pip" freeze --disable-pip-version-check | grep -v -i '^ddb.catalog'
    } > "$constraints"
    want="apache-airflow==$airflow_version mypy==$mypy_version python=$py_minor pins=$(sha256sum "$constraints" | cut -c1-16)"
  fi
  echo "$want" > "$venv/.installed"
  log "Airflow installed in ${install_seconds} s"
fi
[ "$install_only" = false ] || exit 0
# The wheel under test, every time (no index: it needs nothing else).
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps --force-reinstall "$wheel"

work=$(mktemp -d)
ddb_pid=""
cleanup() {
  if [ -n "$ddb_pid" ]; then kill "$ddb_pid" 2>/dev/null || true; wait "$ddb_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

log "mypy --strict: python/ddb_catalog, python/build_wheel.py, python/tests, the DAG"
# The Kubernetes variant of the DAG needs the cncf.kubernetes provider: scripts/test-airflow-celery.sh checks it.
(cd python && "$venv/bin/mypy" --strict --cache-dir "$work/mypy-cache" \
  ddb_catalog build_wheel.py tests ../examples/airflow/dags/ddb_catalog_tenants.py) >&2

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
closed_port=$(free_port)   # nothing listens there: the unreachable tenant's endpoint
log "starting DynamoDB Local on 127.0.0.1:$port"
(cd .tools/node/node_modules/amplify-dynamodb-simulator/emulator \
  && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory \
    -disableTelemetry -port "$port") >"$work/dynamodb.log" 2>&1 &
ddb_pid=$!
python3 - "$port" <<'PY' || { cat "$work/dynamodb.log" >&2; fail "DynamoDB Local did not start"; }
import socket, sys, time
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY

# Secrets made for this run; none may appear in a log or a file.
acme_secret=$(python3 -c 'import secrets; print("acme-" + secrets.token_hex(16))')
globex_secret=$(python3 -c 'import secrets; print("globex-" + secrets.token_hex(16))')
other_secret=$(python3 -c 'import secrets; print("other-" + secrets.token_hex(16))')
endpoint="http://127.0.0.1:$port"

# Two tenants, two namespaces: DynamoDB Local keeps one per access key id.
"$root/.tools/venv/bin/python" scripts/seed_airflow_tenants.py "$endpoint" "$acme_secret" "$globex_secret"

export AIRFLOW_HOME="$work/airflow"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$root/examples/airflow/dags"
export DDB_CATALOG_TASK_RETRIES=0
export DDB_CATALOG_CACHE_DIR="$work/ddb-catalog-cache"
mkdir -p "$AIRFLOW_HOME" "$work/out"
conn() {  # an Airflow AWS connection as JSON: login, password, extra
  python3 -c 'import json, sys; print(json.dumps({"conn_type": "aws", "login": sys.argv[1], "password": sys.argv[2], "extra": {"region_name": "us-east-1", "endpoint_url": sys.argv[3]}}))' "$@"
}
export AIRFLOW_CONN_DDB_ACME="$(conn AKIDACME "$acme_secret" "$endpoint")"
export AIRFLOW_CONN_DDB_GLOBEX="$(conn AKIDGLOBEX "$globex_secret" "$endpoint")"
export AIRFLOW_CONN_DDB_UNREACHABLE="$(conn AKIDGONE "$other_secret" "http://127.0.0.1:$closed_port")"
export AIRFLOW_CONN_DDB_TYPO="$(conn AKIDACME "$other_secret" "$endpoint")"
export AIRFLOW_VAR_DDB_CATALOG_TENANTS='[
  {"name": "acme", "aws_conn_id": "ddb_acme", "databaseName": "acme",
   "sourceConfig": {"tableFilterPattern": {"excludes": ["^tmp_"]}}},
  {"name": "globex", "aws_conn_id": "ddb_globex"},
  {"name": "unreachable", "aws_conn_id": "ddb_unreachable"},
  {"name": "typo", "aws_conn_id": "ddb_typo", "sourceConfig": {"includeTagz": false}}
]'
export AIRFLOW_VAR_DDB_CATALOG_SINK="{\"type\": \"file\", \"directory\": \"$work/out\"}"

log "airflow db migrate (SQLite in $AIRFLOW_HOME)"
"$venv/bin/airflow" db migrate >"$work/migrate.log" 2>&1 || { tail -50 "$work/migrate.log" >&2; fail "airflow db migrate"; }

log "airflow dags test ddb_catalog_tenants"
t0=$(date +%s)
set +e
"$venv/bin/airflow" dags test ddb_catalog_tenants >"$work/dags-test.log" 2>&1
dags_status=$?
set -e
dags_seconds=$(( $(date +%s) - t0 ))
log "dags test finished in ${dags_seconds} s with exit status $dags_status (two tenants fail on purpose)"

export PYTHONWARNINGS=ignore   # keep the CLI's JSON alone on stdout
run_id=$("$venv/bin/airflow" dags list-runs ddb_catalog_tenants -o json 2>/dev/null \
  | python3 -c 'import json, sys; runs = [l for l in sys.stdin if l.startswith("[")]; print(json.loads(runs[-1])[0]["run_id"] if runs else "")')
[ -n "$run_id" ] || { tail -80 "$work/dags-test.log" >&2; fail "airflow dags test made no DAG run"; }
"$venv/bin/airflow" tasks states-for-dag-run ddb_catalog_tenants "$run_id" -o json 2>/dev/null \
  | grep '^\[' >"$work/states.json" || true

python3 - "$work" "$dags_status" "$acme_secret" "$globex_secret" "$other_secret" <<'PY' || { echo "--- last lines of airflow dags test:" >&2; tail -120 "$work/dags-test.log" >&2; fail "see above"; }
import json, re, sys
from pathlib import Path

work, dags_status, secrets = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
tenants = ["acme", "globex", "unreachable", "typo"]
errors = []
def check(ok, message):
    if not ok:
        errors.append(message)

log_text = (work / "dags-test.log").read_text(errors="replace")
check(dags_status != 0, f"airflow dags test exited {dags_status}, though two tenants must fail")
check("DagRun failed" in log_text or "state:failed" in log_text or dags_status != 0, "the DAG run did not fail")

# Task states: mapped task instance N is tenant N of the Variable.
states = {}
text = (work / "states.json").read_text().strip()
for row in (json.loads(text) if text else []):
    states[(row["task_id"], row["map_index"])] = row["state"]
expected = {("tenants", ""): "success", ("ingest", "0"): "success", ("ingest", "1"): "success",
            ("ingest", "2"): "failed", ("ingest", "3"): "failed", ("summary", ""): "failed"}
for key, state in expected.items():
    check(states.get(key) == state, f"task {key[0]}[{key[1]}] is {states.get(key)}, not {state}")
check(len(states) == len(expected), f"unexpected task instances: {sorted(states)}")

# Each task's log (between the [DAG TEST] start and end of its map index) holds its summary.
def section(index):
    start = log_text.find(f"[DAG TEST] starting task_id=ingest map_index={index} ")
    end = log_text.find(f"[DAG TEST] end task task_id=ingest map_index={index} ", start)
    return log_text[start:end] if start >= 0 and end > start else ""
acme, globex, unreachable, typo = (section(i) for i in range(4))
check("Workflow DynamoDB Summary (acme):" in acme, "acme's summary is not in its task log")
check("Tables listed: 3 (ingested 2, filtered 1, failed 0)" in acme, "acme's counts are not in its task log")
check("tmp_scratch  matched tableFilterPattern.excludes `^tmp_`" in acme, "acme's filtered table is not in its log")
check("Workflow finished successfully" in acme, "acme's task log does not say it finished successfully")
check("tenant acme: success; 2 tables ingested, 1 filtered, 0 failed, 0 warnings" in acme, "acme's result line")
check("Workflow DynamoDB Summary (globex):" in globex and "Tables listed: 2 (ingested 2, filtered 0, failed 0)" in globex,
      "globex's summary is not in its task log")
check("Workflow DynamoDB Summary (unreachable):" in unreachable, "the unreachable tenant's summary is not in its log")
check("Workflow finished with failures" in unreachable, "the unreachable tenant's log does not say it failed")
check(re.search(r"WorkflowError: workflow unreachable finished with failures: stopped: cannot reach the endpoint", unreachable),
      "the unreachable tenant's task did not fail with WorkflowError and the reason")
check(re.search(r"WorkflowError: invalid workflow: `source\.sourceConfig\.config\.includeTagz`: unknown field .*did you mean `includeTags`", typo),
      "the invalid workflow's task did not fail with WorkflowError naming the key")

# The summary read each tenant's XCom: the good ones' run reports, the failed ones' reasons.
check(re.search(r"summary: acme: success, 2 tables ingested, 0 failed, [0-9.]+ s, run report read", log_text),
      "the summary did not read acme's run report")
check(re.search(r"summary: globex: success, 2 tables ingested, 0 failed, [0-9.]+ s, run report read", log_text),
      "the summary did not read globex's run report")
check("summary: unreachable: failed: workflow unreachable finished with failures: stopped: cannot reach the endpoint" in log_text,
      "the summary did not read the unreachable tenant's reason")
check("summary: typo: failed: invalid workflow: `source.sourceConfig.config.includeTagz`" in log_text,
      "the summary did not read the invalid workflow's reason")
check("2 of 4 tenants failed: typo, unreachable" in log_text, "the summary task did not fail naming the failed tenants")

# Each good tenant's file holds its own tables, and only those.
def tables(name):
    path = work / "out" / f"{name}.json"
    if not path.is_file():
        return None
    return sorted(e["name"] for e in json.loads(path.read_text()) if "columns" in e)
check(tables("acme") == ["customers", "orders"], f"out/acme.json holds {tables('acme')}")
check(tables("globex") == ["invoices", "shipments"], f"out/globex.json holds {tables('globex')}")
check(tables("typo") is None, "the invalid workflow wrote a file")

for path in [work / "dags-test.log", *sorted((work / "out").glob("*.json"))]:
    content = path.read_text(errors="replace")
    for secret in secrets:
        check(secret not in content, f"a secret appears in {path.name}")

if errors:
    print("\n".join("  " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print("[test-airflow] ok: acme and globex succeeded with their tables; unreachable and typo failed "
      "their tasks with the reason; summaries in the task logs; no secret in the logs or files", file=sys.stderr)
PY

log "passed in $(( $(date +%s) - started )) s (Airflow install ${install_seconds} s, dags test ${dags_seconds} s)"
