# Sourced by scripts/test-airflow-celery.sh and scripts/bench-airflow-celery.sh (not run on its
# own): installs and runs a distributed Airflow 3 on this machine, every service on a free
# loopback port in a scratch directory and stopped by `celery_stop` (the callers' EXIT trap):
#
#   PostgreSQL (Debian's `postgresql`)  the metadata database, its own data directory, run as
#                                       the `postgres` user when we are root (it refuses root)
#   Redis (Debian's `redis-server`)     the Celery broker, no persistence
#   airflow api-server                  the UI/REST API and the Task Execution API the workers use
#   airflow scheduler, dag-processor
#   airflow celery worker × 2           two processes (Celery hostnames w1@, w2@), each with its
#                                       own --concurrency and its own log server port
#
# Airflow is .tools/airflow-venv (scripts/test-airflow.sh --install-only) plus the Celery,
# Postgres and cncf.kubernetes providers, redis, psycopg2 and kubernetes-validate, pinned by
# examples/airflow/constraints-celery-3.11.txt on top of constraints-3.11.txt.
#
# The callers set `root` and `work` (a scratch directory) and define `log` and `fail`.

celery_venv="$root/.tools/airflow-venv"
celery_pids=()          # process-group leaders started here, stopped in reverse order
celery_pg_bin=""
celery_pg_data=""

celery_free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

celery_wait_port() {  # PORT SECONDS NAME
  python3 - "$1" "$2" <<'PY' || fail "$3 did not listen on 127.0.0.1:$1 within $2 s (its log: $work/logs/)"
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.3)
sys.exit(1)
PY
}

# Copies the wheel under test out of dist/ (which may be rebuilt while a run goes on) into
# $work/wheel and sets `celery_wheel` to the copy.
celery_copy_wheel() {
  local wheels
  shopt -s nullglob
  wheels=(dist/ddb_catalog-*-py3-none-*.whl)
  shopt -u nullglob
  [ ${#wheels[@]} -eq 1 ] || fail "expected one dist/ddb_catalog-*.whl, found ${#wheels[@]}: run \`bash scripts/release.sh\`"
  mkdir -p "$work/wheel"
  cp "${wheels[0]}" "$work/wheel/"
  celery_wheel="$work/wheel/$(basename "${wheels[0]}")"
}

# Installs what is missing, idempotently. REFRESH=true re-resolves the extra pins.
celery_install() {
  local refresh="${1:-false}" py_minor constraints extra want t0
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
    log "installing postgresql and redis-server (Debian)"
    t0=$(date +%s)
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null
    log "apt packages installed in $(( $(date +%s) - t0 )) s"
  fi
  celery_pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  bash "$root/scripts/test-airflow.sh" --install-only
  py_minor=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  constraints="$root/examples/airflow/constraints-$py_minor.txt"
  extra="$root/examples/airflow/constraints-celery-$py_minor.txt"
  local packages=(apache-airflow==3.3.2 apache-airflow-providers-celery apache-airflow-providers-postgres
    apache-airflow-providers-cncf-kubernetes psycopg2-binary redis kubernetes-validate)
  if [ "$refresh" = true ]; then
    log "re-resolving $extra"
    "$celery_venv/bin/pip" freeze --disable-pip-version-check >"$work/freeze-before.txt"
    "$celery_venv/bin/pip" install --quiet --disable-pip-version-check -c "$constraints" "${packages[@]}"
    {
      echo "# Pins for scripts/test-airflow-celery.sh, on top of constraints-$py_minor.txt: the Celery, Postgres and"
      echo "# cncf.kubernetes providers, the Redis and PostgreSQL clients and kubernetes-validate, with what"
      echo "# they pulled in, as \`pip freeze\` listed it on Python $py_minor (what constraints-$py_minor.txt does not"
      echo "# already pin). Regenerate with scripts/test-airflow-celery.sh --refresh-constraints."
      "$celery_venv/bin/pip" freeze --disable-pip-version-check | grep -v -i '^ddb.catalog' \
        | grep -v -x -F -f "$work/freeze-before.txt"
    } >"$extra"
  fi
  [ -f "$extra" ] || fail "no pins $extra: run with --refresh-constraints"
  want="extra pins=$(cat "$constraints" "$extra" | sha256sum | cut -c1-16)"
  if [ "$(cat "$celery_venv/.installed-celery" 2>/dev/null)" != "$want" ]; then
    log "installing the Celery, Postgres and cncf.kubernetes providers into $celery_venv"
    t0=$(date +%s)
    "$celery_venv/bin/pip" install --quiet --disable-pip-version-check -c "$constraints" -c "$extra" "${packages[@]}"
    echo "$want" >"$celery_venv/.installed-celery"
    log "providers installed in $(( $(date +%s) - t0 )) s"
  fi
}

# Runs a command in the background in its own process group, output to $work/logs/NAME.log.
celery_spawn() {  # NAME COMMAND...
  local name="$1"; shift
  setsid "$@" >"$work/logs/$name.log" 2>&1 &
  celery_pids+=("$!")
  eval "celery_pid_$name=$!"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts everything. Exports AIRFLOW_* for the callers' `airflow` commands.
celery_start() {  # CONCURRENCY_W1 CONCURRENCY_W2 [MAX_DB_CONNECTIONS]
  local c1="$1" c2="$2" max_conn="${3:-100}"
  mkdir -p "$work/logs"
  chmod 755 "$work"
  celery_pg_port=$(celery_free_port)
  celery_redis_port=$(celery_free_port)
  celery_api_port=$(celery_free_port)

  log "starting PostgreSQL on 127.0.0.1:$celery_pg_port"
  celery_pg_data="$work/pg/data"
  mkdir -p "$work/pg"
  [ "$(id -u)" != 0 ] || chown postgres "$work/pg"
  as_postgres "$celery_pg_bin/initdb" -D "$celery_pg_data" -U airflow -A trust -E UTF8 >"$work/logs/initdb.log" 2>&1 \
    || { cat "$work/logs/initdb.log" >&2; fail "initdb"; }
  as_postgres "$celery_pg_bin/pg_ctl" -D "$celery_pg_data" -l "$work/pg/postgres.log" -w -t 60 \
    -o "-p $celery_pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=$max_conn -c fsync=off" start >/dev/null \
    || { cat "$work/pg/postgres.log" >&2; fail "PostgreSQL did not start"; }
  as_postgres "$celery_pg_bin/createdb" -h 127.0.0.1 -p "$celery_pg_port" -U airflow airflow

  log "starting Redis on 127.0.0.1:$celery_redis_port"
  mkdir -p "$work/redis"
  celery_spawn redis redis-server --bind 127.0.0.1 --port "$celery_redis_port" --save '' --appendonly no --dir "$work/redis"
  celery_wait_port "$celery_redis_port" 30 Redis

  export AIRFLOW_HOME="$work/airflow"
  mkdir -p "$AIRFLOW_HOME"
  export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  export AIRFLOW__CORE__DAGS_FOLDER="$root/examples/airflow/dags"
  export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
  export AIRFLOW__CORE__FERNET_KEY="$("$celery_venv/bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$celery_api_port/execution/"
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True
  export AIRFLOW__API__HOST=127.0.0.1
  export AIRFLOW__API__PORT="$celery_api_port"
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$celery_api_port"
  export AIRFLOW__API_AUTH__JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://airflow@127.0.0.1:$celery_pg_port/airflow"
  export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$celery_redis_port/0"
  export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql+psycopg2://airflow@127.0.0.1:$celery_pg_port/airflow"
  export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
  export AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT=600
  export PYTHONWARNINGS=ignore

  log "airflow db migrate (PostgreSQL)"
  "$celery_venv/bin/airflow" db migrate >"$work/logs/migrate.log" 2>&1 \
    || { tail -50 "$work/logs/migrate.log" >&2; fail "airflow db migrate"; }

  log "starting the api-server (127.0.0.1:$celery_api_port), the scheduler, the dag-processor and two Celery workers (concurrency $c1 and $c2)"
  celery_spawn api_server "$celery_venv/bin/airflow" api-server --host 127.0.0.1 --port "$celery_api_port" --workers 1
  celery_spawn scheduler "$celery_venv/bin/airflow" scheduler
  celery_spawn dag_processor "$celery_venv/bin/airflow" dag-processor
  AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$(celery_free_port) celery_spawn worker1 \
    "$celery_venv/bin/airflow" celery worker --celery-hostname 'w1@%h' --concurrency "$c1" --pid "$work/worker1.pid"
  AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$(celery_free_port) celery_spawn worker2 \
    "$celery_venv/bin/airflow" celery worker --celery-hostname 'w2@%h' --concurrency "$c2" --pid "$work/worker2.pid"
  celery_wait_port "$celery_api_port" 180 "the api-server"
  local deadline=$(( $(date +%s) + 180 ))
  until grep -q 'w1@.* ready' "$work/logs/worker1.log" 2>/dev/null && grep -q 'w2@.* ready' "$work/logs/worker2.log" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || { tail -30 "$work/logs/worker1.log" "$work/logs/worker2.log" >&2; fail "the Celery workers are not ready"; }
    for name in scheduler dag_processor worker1 worker2; do
      local pid_var="celery_pid_$name"
      kill -0 "${!pid_var}" 2>/dev/null || { tail -40 "$work/logs/$name.log" >&2; fail "airflow $name exited"; }
    done
    sleep 1
  done
}

celery_psql() {  # SQL: prints rows, fields separated by |
  psql -h 127.0.0.1 -p "$celery_pg_port" -U airflow -d airflow -At -c "$1"
}

celery_wait_dag() {  # DAG_ID SECONDS: until the DAG processor has serialised the DAG
  local deadline=$(( $(date +%s) + $2 ))
  until [ "$(celery_psql "select count(*) from serialized_dag where dag_id = '$1'" 2>/dev/null)" = 1 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { tail -40 "$work/logs/dag_processor.log" >&2; fail "the DAG $1 was not parsed within $2 s"; }
    sleep 1
  done
}

celery_wait_run() {  # DAG_ID RUN_ID SECONDS: until the run has ended; prints its state
  local deadline=$(( $(date +%s) + $3 )) state=""
  while :; do
    state=$(celery_psql "select state from dag_run where dag_id = '$1' and run_id = '$2'" 2>/dev/null || true)
    case "$state" in success|failed) echo "$state"; return 0 ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || { tail -40 "$work/logs/scheduler.log" >&2; fail "the DAG run $2 did not end within $3 s (state: ${state:-none})"; }
    sleep 1
  done
}

# Stops what celery_start started, newest first: SIGTERM to each process group, SIGKILL after
# 30 s; then PostgreSQL. Safe to call twice and after a partial start.
celery_stop() {
  local i pid
  for (( i=${#celery_pids[@]}-1; i>=0; i-- )); do
    pid="${celery_pids[$i]}"
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for (( i=${#celery_pids[@]}-1; i>=0; i-- )); do
    pid="${celery_pids[$i]}"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  celery_pids=()
  if [ -n "$celery_pg_data" ] && [ -f "$celery_pg_data/postmaster.pid" ]; then
    as_postgres "$celery_pg_bin/pg_ctl" -D "$celery_pg_data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  celery_pg_data=""
}
