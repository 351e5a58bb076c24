#!/usr/bin/env bash
# Benchmark (not a test, never in CI, asserts no time): the example DAG on the distributed
# Airflow of scripts/test-airflow-celery.sh (CeleryExecutor, Redis, PostgreSQL, two Celery
# workers; scripts/airflow-celery-lib.sh) over many tenants, each its own dynalite (its own
# "account": its own ListTables, its own DescribeTable rate) seeded with 200 to 1,000 tables in
# the four shapes of scripts/bench_tables.py, each a workflow file in the DAG's workflows
# directory (file sink). It measures, per run (scripts/bench_airflow_celery.py):
#   * tenants per minute per worker slot (tenants / ingest window / slots) and each task's time,
#     split into ddb-catalog's own run (its report's durationSeconds) and Airflow's overhead;
#   * peak memory: each task's ddb-catalog peak RSS (getrusage, in the task's XCom) and each
#     worker's process tree sampled every 0.5 s (PSS, divided by its concurrency);
#   * CPU seconds by kind (Airflow, ddb-catalog, dynalite, PostgreSQL, Redis), PostgreSQL's client
#     backends at peak, the metadata database's size.
# docs/airflow-scale.md has the figures and the fleet computed from them.
#
#   bash scripts/bench-airflow-celery.sh                      # 24 tenants, workers of concurrency 2 and 2
#   bash scripts/bench-airflow-celery.sh --tenants 40 --concurrency 1,1
#   bash scripts/bench-airflow-celery.sh --min-tables 200 --max-tables 1000
#   bash scripts/bench-airflow-celery.sh --max-active 8     # tenants queued at once (default: the slots)
#
# Writes target/bench/airflow-celery-<tenants>x<c1>+<c2>.md and .json. Needs dist/ddb_catalog-*.whl.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tenants=24
concurrency=2,2
min_tables=200
max_tables=1000
max_active=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tenants) tenants="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --min-tables) min_tables="$2"; shift 2 ;;
    --max-tables) max_tables="$2"; shift 2 ;;
    --max-active) max_active="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "bench-airflow-celery.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
c1="${concurrency%,*}"
c2="${concurrency#*,}"

log() { printf '[bench-airflow-celery] %s\n' "$*" >&2; }
fail() { printf '[bench-airflow-celery] FAILED: %s\n' "$*" >&2; exit 1; }

work=$(mktemp -d)
dynalite_pids=()
sampler_pid=""
# shellcheck source=scripts/airflow-celery-lib.sh
source "$root/scripts/airflow-celery-lib.sh"
cleanup() {
  [ -z "$sampler_pid" ] || { touch "$work/stop-sampling"; wait "$sampler_pid" 2>/dev/null || true; }
  celery_stop
  local pid
  for pid in "${dynalite_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

bash scripts/setup.sh
celery_copy_wheel
celery_install false
"$celery_venv/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps --force-reinstall "$celery_wheel"

# Tenant i has min + (max - min) * i / (n - 1) tables, on its own dynalite.
log "starting $tenants dynalites and seeding them ($min_tables to $max_tables tables each)"
mkdir -p "$work/workflows" "$work/out"
declare -A counts=()
t0=$(date +%s)
for (( i=0; i<tenants; i++ )); do
  count=$(( min_tables + (max_tables - min_tables) * i / (tenants > 1 ? tenants - 1 : 1) ))
  name=$(printf 'tenant%03d' "$i")
  port=$(celery_free_port)
  node .tools/node/node_modules/dynalite/cli.js --host 127.0.0.1 --port "$port" --createTableMs 0 \
    >"$work/dynalite-$name.log" 2>&1 &
  dynalite_pids+=("$!")
  echo "http://127.0.0.1:$port $count" >>"$work/seeds.txt"
  counts[$name]=$count
  # The benchmark's workflow (scripts/bench_tables.py: no sampling, includeTags false, file sink).
  cat >"$work/workflows/$name.yaml" <<YAML
source:
  type: dynamodb
  serviceName: $name
  serviceConnection:
    config:
      type: DynamoDB
      awsConfig:
        awsAccessKeyId: AKIDDEMO
        awsSecretAccessKey: demo-secret
        awsRegion: us-east-1
        endPointURL: http://127.0.0.1:$port
      databaseName: demo
  sourceConfig:
    config:
      type: DatabaseMetadata
      markDeletedTables: true
      includeTables: true
      includeTags: false
sink:
  type: file
  config:
    filename: $work/out/$name.json
workflowConfig:
  loggerLevel: INFO
YAML
done
while read -r url count; do celery_wait_port "${url##*:}" 30 "dynalite at $url"; done <"$work/seeds.txt"
# Two tenants at a time: one dynalite (one core) each.
xargs -P 2 -n 2 .tools/venv/bin/python scripts/bench_tables.py <"$work/seeds.txt" 2>/dev/null \
  || fail "seeding the dynalites"
log "seeded in $(( $(date +%s) - t0 )) s"
tables_json=$(for name in "${!counts[@]}"; do printf '"%s": %s\n' "$name" "${counts[$name]}"; done | paste -sd, | sed 's/^/{/; s/$/}/')

export DDB_CATALOG_TASK_RETRIES=0
export DDB_CATALOG_SCHEDULE=""
export DDB_CATALOG_MAX_ACTIVE_TENANTS="${max_active:-$(( c1 + c2 ))}"
export DDB_CATALOG_CACHE_DIR="$work/ddb-catalog-cache"
export AIRFLOW__CORE__PARALLELISM=64
celery_start "$c1" "$c2" 300
"$celery_venv/bin/airflow" variables set ddb_catalog_workflows_dir "$work/workflows" >/dev/null
celery_wait_dag ddb_catalog_tenants 120
# Warm the compile cache once, as a worker that has run a tenant before has it.
"$celery_venv/bin/ddb-catalog" ingest -c "$work/workflows/tenant000.yaml" --cache-dir "$DDB_CATALOG_CACHE_DIR" \
  --output "$work/warm.json" >/dev/null 2>&1 || fail "warming the compile cache"

"$celery_venv/bin/python" scripts/bench_airflow_celery.py sample "$work/samples.json" "$work/stop-sampling" \
  "$$" "$celery_pg_data" "$celery_pid_worker1" "$celery_pid_worker2" &
sampler_pid=$!
run_id="bench-$(date +%s)"
log "airflow dags trigger ddb_catalog_tenants --run-id $run_id ($tenants tenants, workers of concurrency $c1 and $c2)"
"$celery_venv/bin/airflow" dags trigger ddb_catalog_tenants --run-id "$run_id" >"$work/logs/trigger.log" 2>&1 \
  || { cat "$work/logs/trigger.log" >&2; fail "airflow dags trigger"; }
state=$(celery_wait_run ddb_catalog_tenants "$run_id" 3600)
touch "$work/stop-sampling"
wait "$sampler_pid"
sampler_pid=""
log "DAG run ended $state"

mkdir -p target/bench
out="target/bench/airflow-celery-${tenants}x${c1}+${c2}${max_active:+-active$max_active}.md"
"$celery_venv/bin/python" scripts/bench_airflow_celery.py report "$work" "$run_id" "$celery_pg_port" \
  "$work/samples.json" "$c1" "$c2" "$tables_json" "$out"
log "written $out and ${out%.md}.json"
