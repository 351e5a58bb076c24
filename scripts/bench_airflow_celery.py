"""The measuring half of scripts/bench-airflow-celery.sh (run by Airflow's venv Python).

    bench_airflow_celery.py sample OUT.json STOPFILE SCRIPT_PID PG_DATA WORKER1_PID WORKER2_PID
        Every 0.5 s until STOPFILE exists: each Celery worker's process tree (the worker, its
        pool processes, the task processes they fork, the ddb-catalog each task runs), its RSS
        and PSS summed (PSS shares the pages a fork shares, so it adds up); each process's CPU
        time by kind; PostgreSQL's client backends; the machine's busy CPU. Every 0.1 s, each
        ddb-catalog process's VmHWM (its peak RSS so far). Only the benchmark's processes count:
        SCRIPT_PID's descendants and PostgreSQL's (PG_DATA/postmaster.pid). Writes the peaks.

    bench_airflow_celery.py report WORK RUN_ID PG_PORT SAMPLES.json C1 C2 TABLES_JSON OUT.md
        Reads the run's task instances and XComs from PostgreSQL and the samples, and writes
        the figures (Markdown) and OUT.json beside it.
"""
import json
import os
import sys
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def processes():
    """pid -> (ppid, comm, cpu ticks, cmdline head) for every process we may read; the ticks are
    its own and its waited-for children's (utime, stime, cutime, cstime)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read(200).replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(entry)] = (int(fields[1]), comm, sum(int(v) for v in fields[11:15]), cmdline)
    return table


def memory(pid):
    """(rss, pss) in bytes."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def tree(table, root):
    children = {}
    for pid, (ppid, *_rest) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
            todo.extend(children.get(pid, []))
    return out


def ddb_catalog_hwm():
    """pid -> VmHWM (bytes) of every ddb-catalog process now running."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "ddb-catalog":
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"--help" in f.read():  # ddb_catalog.run asks `ingest --help` once per process
                    continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        out[int(entry)] = int(line.split()[1]) * 1024
        except OSError:
            continue
    return out


def busy():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def sample(out, stopfile, script_pid, pg_data, *worker_pids):
    workers = [int(p) for p in worker_pids]
    with open(os.path.join(pg_data, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    peaks = {f"worker{i + 1}": {"rss": 0, "pss": 0, "processes": 0} for i in range(len(workers))}
    # CPU within the window: for each process alive at the end, its ticks (with its finished
    # children's) since it was first seen, or since its birth when born during the window. A
    # finished process counts in its parent's. ddb-catalog runs are short: their own CPU is
    # also summed as last seen (a lower bound, already inside the workers' figure).
    first, last, kinds = {}, {}, {}
    ddb_cpu = {}
    first_sample = True
    ddb_hwm = {}  # pid -> its last VmHWM seen
    pg_backends_peak = 0
    busy0, total0 = busy()
    samples = 0
    while not os.path.exists(stopfile):
        table = processes()
        in_workers = set()
        for index, root in enumerate(workers):
            pids = tree(table, root)
            in_workers.update(pids)
            rss = pss = 0
            for pid in pids:
                r, p = memory(pid)
                rss, pss = rss + r, pss + p
            peak = peaks[f"worker{index + 1}"]
            if pss > peak["pss"]:
                peak.update(rss=rss, pss=pss, processes=len(pids))
        backends = 0
        postgres = set(tree(table, postmaster))
        scope = (set(tree(table, int(script_pid))) | postgres) - {os.getpid()}
        for pid, (_ppid, comm, ticks, cmdline) in table.items():
            if pid not in scope:
                continue
            if comm == "ddb-catalog":
                ddb_cpu[pid] = ticks
            if pid in in_workers:
                kind = "airflow workers"
            elif comm == "node":
                kind = "dynalite"
            elif pid in postgres:
                kind = "postgres"
                backends += cmdline.startswith("postgres: airflow")
            elif comm == "redis-server":
                kind = "redis"
            else:
                kind = "airflow services and the script"
            first.setdefault(pid, ticks if first_sample else 0)
            last[pid] = ticks
            kinds[pid] = kind
        first_sample = False
        alive = set(table)
        pg_backends_peak = max(pg_backends_peak, backends)
        samples += 1
        for _ in range(5):
            ddb_hwm.update(ddb_catalog_hwm())
            time.sleep(0.1)
    busy1, total1 = busy()
    cpu_by_kind = {}
    for pid in alive & set(last):
        cpu_by_kind[kinds[pid]] = cpu_by_kind.get(kinds[pid], 0) + (last[pid] - first[pid]) / TICK
    cpu_by_kind["of which ddb-catalog (lower bound)"] = sum(ddb_cpu.values()) / TICK
    Path(out).write_text(json.dumps({
        "workers": peaks,
        "ddb_catalog_vmhwm": sorted(ddb_hwm.values()),
        "pg_backends_peak": pg_backends_peak,
        "cpu_seconds_by_kind": {k: round(v, 1) for k, v in sorted(cpu_by_kind.items())},
        "machine_busy_fraction": round((busy1 - busy0) / max(1, total1 - total0), 3),
        "machine_busy_cpu_seconds": round((busy1 - busy0) / TICK, 1),
        "load_average_at_end": os.getloadavg(),
        "samples": samples,
    }, indent=1))


def report(work, run_id, pg_port, samples_path, c1, c2, tables_json, out_md):
    import psycopg2

    c1, c2 = int(c1), int(c2)
    slots = c1 + c2
    tables = json.loads(tables_json)  # tenant -> table count
    samples = json.loads(Path(samples_path).read_text())
    db = psycopg2.connect(host="127.0.0.1", port=int(pg_port), user="airflow", dbname="airflow")
    cur = db.cursor()
    cur.execute("select start_date, end_date, state from dag_run where dag_id = 'ddb_catalog_tenants' and run_id = %s", (run_id,))
    run_start, run_end, run_state = cur.fetchone()
    cur.execute(
        "select map_index, state, start_date, end_date, rendered_map_index, scheduled_dttm, queued_dttm from task_instance"
        " where dag_id = 'ddb_catalog_tenants' and run_id = %s and task_id = 'ingest' order by map_index", (run_id,))
    tis = cur.fetchall()
    cur.execute(
        "select map_index, value from xcom where dag_id = 'ddb_catalog_tenants' and run_id = %s"
        " and task_id = 'ingest' and key = 'return_value'", (run_id,))
    xcoms = {m: (json.loads(v) if isinstance(v, str) else v) for m, v in cur.fetchall()}
    cur.execute("select pg_database_size('airflow')")
    db_bytes = cur.fetchone()[0]
    xcom_bytes = sum(len(json.dumps(v)) for v in xcoms.values()) / max(1, len(xcoms))
    reports = sum(1 for v in xcoms.values() if isinstance(v, dict) and v.get("report"))
    requests = sum(((v.get("report") or {}).get("runs") or [{}])[0].get("requests", {}).get("requests", 0)
                   for v in xcoms.values() if isinstance(v, dict))

    failed = [t[4] for t in tis if t[1] != "success"]
    starts = [t[2] for t in tis if t[2]]
    ends = [t[3] for t in tis if t[3]]
    window = (max(ends) - min(starts)).total_seconds()
    durations = [(t[3] - t[2]).total_seconds() for t in tis if t[2] and t[3]]
    run_seconds = [x["elapsed_seconds"] for x in xcoms.values() if x.get("elapsed_seconds") is not None]
    rss = [b / 2**20 for b in samples["ddb_catalog_vmhwm"]]
    to_queued = [(t[6] - t[5]).total_seconds() for t in tis if t[5] and t[6]]
    to_running = [(t[2] - t[6]).total_seconds() for t in tis if t[6] and t[2]]
    ingested = sum(x.get("ingested", 0) for x in xcoms.values())
    n = len(tis)
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    tenants_per_min_per_slot = n / (window / 60) / slots
    pss_per_slot = {w: p["pss"] / 2**20 / c for (w, p), c in zip(sorted(samples["workers"].items()), (c1, c2))}
    cpu = samples["cpu_seconds_by_kind"]
    cpu_total = sum(v for k, v in cpu.items() if not k.startswith("of which"))
    figures = {
        "tenants": n, "failed": failed, "tables": sum(tables.values()), "tables_ingested": ingested,
        "tables_min": min(tables.values()), "tables_max": max(tables.values()),
        "slots": slots, "concurrency": [c1, c2],
        "max_active_tenants": int(os.environ.get("DDB_CATALOG_MAX_ACTIVE_TENANTS", slots)),
        "dag_run_seconds": (run_end - run_start).total_seconds(), "dag_run_state": run_state,
        "ingest_window_seconds": window,
        "tenants_per_minute_per_slot": tenants_per_min_per_slot,
        "task_seconds_mean": mean(durations), "task_seconds_max": max(durations),
        "ddb_catalog_seconds_mean": mean(run_seconds), "ddb_catalog_seconds_max": max(run_seconds) if run_seconds else None,
        "airflow_overhead_seconds_mean": mean(durations) - mean(run_seconds),
        "scheduled_to_queued_seconds_mean": mean(to_queued), "queued_to_running_seconds_mean": mean(to_running),
        "ddb_catalog_processes_sampled": len(rss),
        "ddb_catalog_peak_rss_mib_mean": mean(rss), "ddb_catalog_peak_rss_mib_max": max(rss) if rss else None,
        "worker_peak_pss_mib": {w: p["pss"] / 2**20 for w, p in samples["workers"].items()},
        "worker_peak_rss_mib": {w: p["rss"] / 2**20 for w, p in samples["workers"].items()},
        "worker_peak_pss_mib_per_slot": pss_per_slot,
        "cpu_seconds_by_kind": cpu, "cpu_seconds_per_tenant": cpu_total / n,
        "machine_busy_fraction": samples["machine_busy_fraction"],
        "pg_backends_peak": samples["pg_backends_peak"], "metadata_db_bytes": db_bytes,
        "ingest_xcom_bytes_mean": xcom_bytes, "dynamodb_requests": requests, "load_average_at_end": samples.get("load_average_at_end"),
    }
    Path(out_md).with_suffix(".json").write_text(json.dumps(figures, indent=1, default=str))
    lines = [
        f"# Airflow CeleryExecutor benchmark: {n} tenants, {slots} slots ({c1} + {c2}),"
        f" {figures['max_active_tenants']} tenants active at once",
        "",
        f"* tenants: {n} ({figures['tables_min']}-{figures['tables_max']} tables, {figures['tables']} in all; "
        f"{ingested} ingested); failed: {failed or 'none'}; DAG run {run_state} in {figures['dag_run_seconds']:.1f} s",
        f"* ingest window (first tenant's start to last one's end): {window:.1f} s",
        f"* **tenants per minute per slot: {tenants_per_min_per_slot:.2f}**",
        f"* task duration: mean {mean(durations):.2f} s, max {max(durations):.2f} s; of which ddb-catalog's run "
        f"(report's durationSeconds): mean {mean(run_seconds):.2f} s; Airflow's own per task: {figures['airflow_overhead_seconds_mean']:.2f} s",
        f"* waits per task: scheduled to queued {mean(to_queued):.2f} s, queued to running {mean(to_running):.2f} s (means)",
        f"* DynamoDB requests (run reports): {requests}, {requests / max(1, ingested):.2f} per table ingested",
        f"* ddb-catalog peak RSS (VmHWM sampled every 0.1 s, {len(rss)} of {n} runs seen): mean {mean(rss):.1f} MiB, max {max(rss) if rss else float('nan'):.1f} MiB",
        "* worker peak PSS per slot: " + ", ".join(f"{w} {v:.0f} MiB" for w, v in pss_per_slot.items())
        + " (tree: " + ", ".join(f"{w} {v:.0f} MiB PSS / {figures['worker_peak_rss_mib'][w]:.0f} MiB RSS"
                                  for w, v in figures["worker_peak_pss_mib"].items()) + ")",
        "* CPU seconds by kind (sampled at 0.5 s): " + ", ".join(f"{k} {v}" for k, v in cpu.items())
        + f"; per tenant {cpu_total / n:.2f} s; machine busy {samples['machine_busy_fraction'] * 100:.0f} % of its cores"
        + f" ({samples['machine_busy_cpu_seconds'] - cpu_total:.0f} CPU s of it not this benchmark's processes)",
        f"* PostgreSQL client backends at peak: {samples['pg_backends_peak']}; metadata database {db_bytes / 2**20:.1f} MiB;"
        f" a tenant's XCom (counts and run report; {reports} of {len(xcoms)} with a report) {xcom_bytes / 1024:.1f} KiB",
    ]
    Path(out_md).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    {"sample": sample, "report": report}[sys.argv[1]](*sys.argv[2:])
