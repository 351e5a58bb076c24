#!/usr/bin/env bash
# Checks the Airflow example, examples/airflow/dags/ddb_catalog_tenants.py, on a distributed
# Airflow 3.3.2 on this machine: the CeleryExecutor with a Redis broker and a PostgreSQL metadata
# database, the api-server, the scheduler, the dag-processor and two Celery workers as separate
# processes (concurrency 1 and 2); every service is started here on loopback and stopped at the
# end, pass or fail (scripts/airflow-celery-lib.sh). The DAG run is triggered with `airflow dags
# trigger` (not `dags test`) for four tenants against DynamoDB Local: two from the Variable
# ddb_catalog_tenants (acme, good; unreachable, an endpoint nothing listens on; typo, an invalid
# workflow) and one from a directory of workflow files (globex.yaml, good). Then, in the
# PostgreSQL database:
#   * every task instance's state and try_number: acme and globex succeeded on their first try,
#     unreachable and typo failed after retries=1 (their first try in task_instance_history,
#     the second started at least retry_delay after it ended), `summary` failed naming them;
#   * the XComs: the good tenants' run reports, the failed ones' reasons, the summary's totals;
# and in the task logs (one file per try): each tenant's summary or its reason; and nowhere --
# task logs, service logs, the output files, and every table of the database (`pg_dump
# --data-only`) -- any of the tenants' secrets. Both workers ran tasks. It also validates the
# Kubernetes variant: examples/kubernetes/*.yaml against the Kubernetes JSON schemas
# (kubernetes-validate) and examples/airflow/dags/ddb_catalog_tenants_k8s.py with `mypy --strict`
# and an import by Airflow's DagBag (no cluster: nothing runs on Kubernetes).
#
#   bash scripts/test-airflow-celery.sh                        # needs dist/ddb_catalog-*.whl
#   bash scripts/test-airflow-celery.sh --refresh-constraints  # re-resolve the extra pins first
#
# Installs, idempotently: Debian's postgresql and redis-server, Airflow's venv
# (scripts/test-airflow.sh --install-only) and the providers (examples/airflow/constraints-celery-3.11.txt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

refresh=false
case "${1:-}" in
  --refresh-constraints) refresh=true ;;
  "") ;;
  -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
  *) echo "test-airflow-celery.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

log() { printf '[test-airflow-celery] %s\n' "$*" >&2; }
fail() { printf '[test-airflow-celery] FAILED: %s\n' "$*" >&2; exit 1; }
started=$(date +%s)

work=$(mktemp -d)
ddb_pid=""
# shellcheck source=scripts/airflow-celery-lib.sh
source "$root/scripts/airflow-celery-lib.sh"
cleanup() {
  celery_stop
  if [ -n "$ddb_pid" ]; then kill "$ddb_pid" 2>/dev/null || true; wait "$ddb_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

bash scripts/setup.sh
celery_copy_wheel

t0=$(date +%s)
celery_install "$refresh"
install_seconds=$(( $(date +%s) - t0 ))
"$celery_venv/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps --force-reinstall "$celery_wheel"

log "Kubernetes variant: the manifests against the Kubernetes schemas, the DAG with mypy --strict and Airflow's DagBag"
"$celery_venv/bin/kubernetes-validate" --strict examples/kubernetes/*.yaml >&2 \
  || fail "examples/kubernetes/ does not validate"
(cd python && "$celery_venv/bin/mypy" --strict --cache-dir "$work/mypy-cache" ../examples/airflow/dags/ddb_catalog_tenants_k8s.py) >&2
# The DAG's pod for one tenant, built offline by the operator itself (a kubeconfig naming no
# reachable cluster: the operator reads it and connects nowhere), must validate too, and ask for
# the same resources as the manifests.
cat >"$work/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
YAML
KUBECONFIG="$work/kubeconfig" AIRFLOW_HOME="$work/k8s-airflow" AIRFLOW__CORE__LOAD_EXAMPLES=False \
  "$celery_venv/bin/python" - "$root" >"$work/k8s-check.log" 2>&1 <<'PY' || { cat "$work/k8s-check.log" >&2; fail "the Kubernetes DAG"; }
import importlib.util, sys
from pathlib import Path
import kubernetes_validate, yaml
from airflow.dag_processing.dagbag import DagBag
from kubernetes.client import ApiClient

root = Path(sys.argv[1])
path = root / "examples/airflow/dags/ddb_catalog_tenants_k8s.py"
bag = DagBag(dag_folder=str(path))
assert not bag.import_errors, bag.import_errors
dag = bag.dags["ddb_catalog_tenants_k8s"]
ingest = dag.get_task("ingest")
assert ingest.operator_class.__name__ == "KubernetesPodOperator", ingest.operator_class
assert sorted(dag.task_ids) == ["ingest", "tenants"], dag.task_ids

spec = importlib.util.spec_from_file_location("k8s_dag", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
operator = module.KubernetesPodOperator(task_id="ingest", **module.operator_kwargs(), **module.tenant_kwargs("acme"))
pod = ApiClient().sanitize_for_serialization(operator.build_pod_request_obj())
kubernetes_validate.validate(pod, "1.37.0", strict=True)
base = next(c for c in pod["spec"]["containers"] if c["name"] == "base")
assert base["args"][:3] == ["ingest", "-c", "/work/workflow.yaml"] and "/airflow/xcom/return.json" in base["args"], base["args"]
assert {"name": "workflow", "secret": {"secretName": "ddb-catalog-acme", "defaultMode": 0o440}} in pod["spec"]["volumes"], pod["spec"]["volumes"]
assert pod["spec"]["securityContext"]["runAsNonRoot"] is True and pod["spec"]["securityContext"]["fsGroup"] == 65532
for manifest in ("job.yaml", "cronjob.yaml"):
    doc = yaml.safe_load((root / "examples/kubernetes" / manifest).read_text())
    template = doc["spec"]["template"] if doc["kind"] == "Job" else doc["spec"]["jobTemplate"]["spec"]["template"]
    container = template["spec"]["containers"][0]
    assert container["resources"] == base["resources"], (manifest, container["resources"], base["resources"])
    assert container["args"][:5] == base["args"][:5], (manifest, container["args"])
    assert any(v.get("secret") for v in template["spec"]["volumes"]), manifest
try:
    module.tenant_kwargs("Not_A_Label")
    raise AssertionError("a tenant name that is not a DNS label was accepted")
except ValueError:
    pass
print("[test-airflow-celery] ok: ddb_catalog_tenants_k8s imports (tasks tenants, ingest: KubernetesPodOperator); "
      "its pod for a tenant validates and asks for the manifests' resources", file=sys.stderr)
PY
cat "$work/k8s-check.log" | grep '^\[test-airflow-celery\]' >&2 || true
# The schema check is not vacuous: a misspelled field is refused.
sed 's/backoffLimit:/backofLimit:/' examples/kubernetes/job.yaml >"$work/misspelled-job.yaml"
if "$celery_venv/bin/kubernetes-validate" --strict --quiet "$work/misspelled-job.yaml" >/dev/null 2>&1; then
  fail "kubernetes-validate accepted a misspelled field"
fi

port=$(celery_free_port)
closed_port=$(celery_free_port)   # nothing listens there: the unreachable tenant's endpoint
log "starting DynamoDB Local on 127.0.0.1:$port"
(cd .tools/node/node_modules/amplify-dynamodb-simulator/emulator \
  && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory \
    -disableTelemetry -port "$port") >"$work/dynamodb.log" 2>&1 &
ddb_pid=$!

# Secrets made for this run; none may appear in a log, a file or the database.
acme_secret=$(python3 -c 'import secrets; print("acme-" + secrets.token_hex(16))')
globex_secret=$(python3 -c 'import secrets; print("globex-" + secrets.token_hex(16))')
other_secret=$(python3 -c 'import secrets; print("other-" + secrets.token_hex(16))')
endpoint="http://127.0.0.1:$port"

# globex is a workflow file (its secret in the file, mode 0600, on the workers' disk only).
mkdir -p "$work/out" "$work/workflows"
cat >"$work/workflows/globex.yaml" <<YAML
source:
  type: dynamodb
  serviceName: globex
  serviceConnection:
    config:
      type: DynamoDB
      awsConfig:
        awsAccessKeyId: AKIDGLOBEX
        awsSecretAccessKey: $globex_secret
        awsRegion: us-east-1
        endPointURL: $endpoint
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: file
  config:
    filename: $work/out/globex.json
workflowConfig:
  loggerLevel: INFO
YAML
chmod 600 "$work/workflows/globex.yaml"

# The other tenants' credentials: Connections from the environment of every Airflow process
# (as a secrets backend gives them), so none is stored in the database.
conn() {
  python3 -c 'import json, sys; print(json.dumps({"conn_type": "aws", "login": sys.argv[1], "password": sys.argv[2], "extra": {"region_name": "us-east-1", "endpoint_url": sys.argv[3]}}))' "$@"
}
export AIRFLOW_CONN_DDB_ACME="$(conn AKIDACME "$acme_secret" "$endpoint")"
export AIRFLOW_CONN_DDB_UNREACHABLE="$(conn AKIDGONE "$other_secret" "http://127.0.0.1:$closed_port")"
export AIRFLOW_CONN_DDB_TYPO="$(conn AKIDACME "$other_secret" "$endpoint")"
export DDB_CATALOG_TASK_RETRIES=1
export DDB_CATALOG_TASK_RETRY_DELAY=3
export DDB_CATALOG_SCHEDULE=""
export DDB_CATALOG_CACHE_DIR="$work/ddb-catalog-cache"
celery_start 1 2   # while DynamoDB Local starts
celery_wait_port "$port" 60 "DynamoDB Local"
"$root/.tools/venv/bin/python" scripts/seed_airflow_tenants.py "$endpoint" "$acme_secret" "$globex_secret"

"$celery_venv/bin/airflow" variables set ddb_catalog_tenants '[
  {"name": "acme", "aws_conn_id": "ddb_acme", "databaseName": "acme",
   "sourceConfig": {"tableFilterPattern": {"excludes": ["^tmp_"]}}},
  {"name": "unreachable", "aws_conn_id": "ddb_unreachable"},
  {"name": "typo", "aws_conn_id": "ddb_typo", "sourceConfig": {"includeTagz": false}}
]' >/dev/null
"$celery_venv/bin/airflow" variables set ddb_catalog_workflows_dir "$work/workflows" >/dev/null
"$celery_venv/bin/airflow" variables set ddb_catalog_sink "{\"type\": \"file\", \"directory\": \"$work/out\"}" >/dev/null

celery_wait_dag ddb_catalog_tenants 120
run_id="celery-test-$(date +%s)"
log "airflow dags trigger ddb_catalog_tenants --run-id $run_id"
t0=$(date +%s)
"$celery_venv/bin/airflow" dags trigger ddb_catalog_tenants --run-id "$run_id" >"$work/logs/trigger.log" 2>&1 \
  || { cat "$work/logs/trigger.log" >&2; fail "airflow dags trigger"; }
state=$(celery_wait_run ddb_catalog_tenants "$run_id" 240)
run_seconds=$(( $(date +%s) - t0 ))
log "DAG run $run_id ended $state in ${run_seconds} s (two tenants fail on purpose)"

"$celery_pg_bin/pg_dump" -h 127.0.0.1 -p "$celery_pg_port" -U airflow --data-only airflow >"$work/dump.sql"

"$celery_venv/bin/python" - "$work" "$run_id" "$state" "$celery_pg_port" "$acme_secret" "$globex_secret" "$other_secret" <<'PY' \
  || { tail -30 "$work/logs/scheduler.log" >&2; fail "see above"; }
import json, re, sys
from pathlib import Path
import psycopg2

work, run_id, state, pg_port = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
secrets = sys.argv[5:]
errors = []
def check(ok, message):
    if not ok:
        errors.append(message)

db = psycopg2.connect(host="127.0.0.1", port=pg_port, user="airflow", dbname="airflow")
cur = db.cursor()
def rows(sql, *args):
    cur.execute(sql, args)
    return cur.fetchall()

check(state == "failed", f"the DAG run is {state}, not failed (two tenants fail)")
tis = {(t, m): (s, n, rmi, start, end) for t, m, s, n, rmi, start, end in rows(
    "select task_id, map_index, state, try_number, rendered_map_index, start_date, end_date"
    " from task_instance where dag_id = 'ddb_catalog_tenants' and run_id = %s", run_id)}
# Map index i is tenant i of the list: the Variable's tenants, then the directory's files.
names = {0: "acme", 1: "unreachable", 2: "typo", 3: "globex"}
expected = {("tenants", -1): ("success", 1), ("summary", -1): ("failed", 1),
            ("ingest", 0): ("success", 1), ("ingest", 1): ("failed", 2),
            ("ingest", 2): ("failed", 2), ("ingest", 3): ("success", 1)}
check(set(tis) == set(expected), f"task instances {sorted(tis)}")
for key, (want_state, want_try) in expected.items():
    got = tis.get(key)
    check(got is not None and got[:2] == (want_state, want_try),
          f"{key[0]}[{key[1]}] is {got[:2] if got else None}, not {(want_state, want_try)}")
    if key[0] == "ingest" and got:
        check(got[2] == names[key[1]], f"ingest[{key[1]}] is labelled {got[2]}, not {names[key[1]]}")
# Retries: the first try of each failed tenant is in the history, and the second
# try started no sooner than retry_delay (3 s) after it ended.
history = {(m, n): (s, end) for m, n, s, end in rows(
    "select map_index, try_number, state, end_date from task_instance_history"
    " where dag_id = 'ddb_catalog_tenants' and run_id = %s and task_id = 'ingest'", run_id)}
check(set(history) == {(1, 1), (2, 1)}, f"task_instance_history holds {sorted(history)}, not the first tries of 1 and 2")
for m in (1, 2):
    first = history.get((m, 1))
    second = tis.get(("ingest", m))
    # Airflow 3.3 archives the first try as `failed` (`up_for_retry` in older releases).
    check(first is not None and first[0] in ("failed", "up_for_retry"), f"ingest[{m}] try 1 is {first and first[0]} in the history")
    if first and second and first[1] and second[3]:
        gap = (second[3] - first[1]).total_seconds()
        check(gap >= 3, f"ingest[{m}] retried {gap:.1f} s after its first try, before retry_delay (3 s)")

# XComs, read back through Airflow's serialisation (JSON in the xcom table).
xcoms = {(t, m, k): v for t, m, k, v in rows(
    "select task_id, map_index, key, value from xcom where dag_id = 'ddb_catalog_tenants' and run_id = %s", run_id)}
def xcom(task, index, key):
    value = xcoms.get((task, index, key))
    return json.loads(value) if isinstance(value, str) else value
for index, name, tables in ((0, "acme", 2), (3, "globex", 2)):
    value = xcom("ingest", index, "return_value") or {}
    check(value.get("tenant") == name and value.get("ingested") == tables,
          f"ingest[{index}]'s XCom is {str(value)[:200]}")
    report = value.get("report") or {}
    runs = report.get("runs") or [{}]
    check(report.get("reportVersion") == 1 and runs[0].get("service") == name
          and runs[0].get("tables", {}).get("ingested") == tables,
          f"ingest[{index}]'s XCom has no run report of {name}")
failure = xcom("ingest", 1, "failure") or {}
check("cannot reach the endpoint" in str(failure.get("reason")), f"unreachable's XCom failure is {failure}")
failure = xcom("ingest", 2, "failure") or {}
check("includeTagz" in str(failure.get("reason")) and failure.get("exit_code") == 2, f"typo's XCom failure is {failure}")
totals = xcom("summary", -1, "totals") or {}
check(totals.get("succeeded") == ["acme", "globex"] and totals.get("failed") == ["typo", "unreachable"]
      and totals.get("reports_read") == 2 and totals.get("tables_ingested") == 4,
      f"the summary's totals are {totals}")

# Task logs, one file per try.
logs = work / "airflow" / "logs" / "dag_id=ddb_catalog_tenants" / f"run_id={run_id}"
def task_log(task, index, attempt):
    folder = logs / f"task_id={task}" / (f"map_index={index}" if index >= 0 else "")
    path = folder / f"attempt={attempt}.log"
    return path.read_text(errors="replace") if path.is_file() else ""
acme, globex = task_log("ingest", 0, 1), task_log("ingest", 3, 1)
check("Workflow DynamoDB Summary (acme):" in acme and "Tables listed: 3 (ingested 2, filtered 1, failed 0)" in acme,
      "acme's summary is not in its task log")
check("Workflow DynamoDB Summary (globex):" in globex and "Tables listed: 2 (ingested 2, filtered 0, failed 0)" in globex,
      "globex's summary is not in its task log")
for attempt in (1, 2):
    check("cannot reach the endpoint" in task_log("ingest", 1, attempt), f"unreachable's try {attempt} log has no reason")
    check(re.search(r"includeTagz.{0,80}unknown field", task_log("ingest", 2, attempt)),
          f"typo's try {attempt} log does not name the key")
summary = task_log("summary", -1, 1)
check("2 of 4 tenants failed: typo, unreachable" in summary, "the summary's log does not name the failed tenants")
check("summary: acme: success" in summary and "run report read" in summary, "the summary's log has not read acme's report")

def tables(name):
    path = work / "out" / f"{name}.json"
    return sorted(e["name"] for e in json.loads(path.read_text()) if "columns" in e) if path.is_file() else None
check(tables("acme") == ["customers", "orders"], f"out/acme.json holds {tables('acme')}")
check(tables("globex") == ["invoices", "shipments"], f"out/globex.json holds {tables('globex')}")

# Two workers, each with its own concurrency (Celery's banner), both ran tasks (a line per task received).
for worker, concurrency in (("worker1", 1), ("worker2", 2)):
    text = (work / "logs" / f"{worker}.log").read_text(errors="replace")
    check(f".> concurrency: {concurrency} (prefork)" in text, f"{worker} does not run with concurrency {concurrency}")
received = {w: (work / "logs" / f"{w}.log").read_text(errors="replace").count("received") for w in ("worker1", "worker2")}
check(all(received.values()), f"tasks received per worker: {received}")

# No secret anywhere: every table of the database, every log, every output file.
files = [work / "dump.sql", *sorted((work / "logs").glob("*.log")), *sorted((work / "out").glob("*")),
         *sorted(p for p in (work / "airflow").rglob("*") if p.is_file())]
check(len(files) > 10, f"only {len(files)} files to search for secrets")
dump = (work / "dump.sql").read_text(errors="replace")
check("COPY public.task_instance" in dump and "COPY public.xcom" in dump, "the dump lacks the task_instance or xcom table")
for path in files:
    content = path.read_text(errors="replace")
    for secret in secrets:
        check(secret not in content, f"a secret appears in {path.relative_to(work)}")

if errors:
    print("\n".join("  " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print(f"[test-airflow-celery] ok: in PostgreSQL, acme and globex succeeded on try 1, unreachable and typo "
      f"failed on try 2 after retry_delay, the summary read 2 run reports and 2 reasons; reasons in the "
      f"task logs; tasks received per worker {received}; no secret in {len(files)} files and the database dump",
      file=sys.stderr)
PY

# Every service stops: each process group started is gone, and so is PostgreSQL (the trap stops
# them the same way on failure).
started_groups=("${celery_pids[@]}")
celery_stop
for group in "${started_groups[@]}"; do
  if pgrep -g "$group" >/dev/null; then fail "process group $group still runs after the stop"; fi
done
[ ! -f "$work/pg/data/postmaster.pid" ] || fail "PostgreSQL still runs after the stop"
log "ok: every service stopped (${#started_groups[@]} process groups and PostgreSQL)"
log "passed in $(( $(date +%s) - started )) s (installs ${install_seconds} s, DAG run ${run_seconds} s)"
