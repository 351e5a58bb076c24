"""Catalog every tenant's DynamoDB tables in OpenMetadata: one Airflow task per tenant.

Each task runs the tenant's OpenMetadata DynamoDB workflow with ``ddb_catalog.run`` (the
``ddb-catalog`` wheel, installed on the workers: ``pip install ddb_catalog-*.whl``), each in its
own sandbox. The connector's log and the run's summary go to the task's log; a run that fails
(or a workflow that is invalid) fails its task, and only its task. Airflow 3 (Task SDK).

Nothing secret is in this file. Everything comes from Airflow's Variables and Connections (set
in the UI, ``airflow variables/connections``, ``AIRFLOW_VAR_*`` / ``AIRFLOW_CONN_*`` environment
variables, or a secrets backend):

``ddb_catalog_tenants`` (Variable, JSON): the tenants, a list of objects:
    ``name``            the OpenMetadata service name (``source.serviceName``), unique
    ``aws_conn_id``     the tenant's AWS Connection (below)
    ``databaseName``    optional, OpenMetadata's database name (default ``default``)
    ``sourceConfig``    optional, more of ``source.sourceConfig.config`` (``tableFilterPattern``,
                        ``markDeletedTables``, ``includeTags``, ...)
    ``connectionOptions`` optional, e.g. ``{"sampleSize": "100"}``

``ddb_catalog_workflows_dir`` (Variable, optional): a directory of OpenMetadata workflow files
    (``*.yaml``, ``*.yml``, ``*.json``) on the workers, one tenant per file, named by the file's
    stem; the file is run as it is (its own source, credentials and sink). The directory and the
    Variable ``ddb_catalog_tenants`` may be used together; at least one must give a tenant.

one Connection per tenant, type ``aws`` (as the Amazon provider's AWS connection):
    login               the access key id (leave login and password empty to use the worker's
                        own credentials: instance profile, IRSA, AWS_* variables)
    password            the secret access key
    extra               ``region_name`` (required), ``endpoint_url`` (a VPC or local endpoint),
                        ``aws_session_token``, ``role_arn`` (assumed with STS AssumeRole),
                        ``profile_name``

``ddb_catalog_sink`` (Variable, JSON, optional): where the entities go.
    ``{"type": "metadata-rest", "conn_id": "openmetadata"}`` (the default): an OpenMetadata
        server; the Connection's host is the API URL (``http://openmetadata:8585/api``) and its
        password the ingestion bot's JWT token;
    ``{"type": "file", "directory": "/data/ddb-catalog"}``: ``<directory>/<tenant>.json``.

Each tenant's task returns its numbers and its run report (``ddb-catalog --report``) as its XCom;
a failed tenant's task pushes the reason (and the report, when the run got that far) as its
XCom ``failure`` before it fails. The task ``summary`` runs once every tenant is done, reads
those XComs, logs one line per tenant, returns the totals, and fails the DAG run when a tenant
failed.

Environment of the DAG processor and workers (optional): ``DDB_CATALOG_TASK_RETRIES`` (default
1), ``DDB_CATALOG_TASK_RETRY_DELAY`` (seconds between tries, default 300),
``DDB_CATALOG_MAX_ACTIVE_TENANTS`` (tenants run at once per DAG run, default 16),
``DDB_CATALOG_SCHEDULE`` (default ``@daily``; empty: triggered runs only). See docs/python.md
for how it scales out (CeleryExecutor, KubernetesExecutor) and docs/airflow-scale.md for the
measured figures.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional

from airflow.sdk import Connection, Variable, dag, get_current_context, task

DAG_ID = "ddb_catalog_tenants"
TENANTS_VARIABLE = "ddb_catalog_tenants"
WORKFLOWS_DIR_VARIABLE = "ddb_catalog_workflows_dir"
WORKFLOW_SUFFIXES = (".yaml", ".yml", ".json")
SINK_VARIABLE = "ddb_catalog_sink"
DEFAULT_SINK = {"type": "metadata-rest", "conn_id": "openmetadata"}

log = logging.getLogger("ddb_catalog.airflow")


def _tenants() -> List[Dict[str, Any]]:
    listed = Variable.get(TENANTS_VARIABLE, default=None, deserialize_json=True)
    directory = Variable.get(WORKFLOWS_DIR_VARIABLE, default=None)
    if listed is None and not directory:
        raise ValueError(f"set the Variable {TENANTS_VARIABLE} or {WORKFLOWS_DIR_VARIABLE} (or both)")
    tenants: List[Dict[str, Any]] = []
    if listed is not None:
        if not isinstance(listed, list):
            raise ValueError(f"Variable {TENANTS_VARIABLE} must be a JSON list of tenants")
        for index, tenant in enumerate(listed):
            if not isinstance(tenant, dict) or not tenant.get("name") or not tenant.get("aws_conn_id"):
                raise ValueError(
                    f"Variable {TENANTS_VARIABLE}[{index}] needs at least `name` and `aws_conn_id`"
                )
            tenants.append(tenant)
    if directory:
        # Only the path goes into the XCom: the file (and any credential in it) stays on disk.
        folder = Path(directory)
        if not folder.is_dir():
            raise ValueError(f"Variable {WORKFLOWS_DIR_VARIABLE}: {directory} is not a directory")
        for path in sorted(folder.iterdir()):
            if path.suffix in WORKFLOW_SUFFIXES and path.is_file():
                tenants.append({"name": path.stem, "workflow_file": str(path)})
    if not tenants:
        raise ValueError(f"no tenants: {TENANTS_VARIABLE} is empty and {directory or 'no directory'} has no workflow")
    names = set()
    for tenant in tenants:
        if tenant["name"] in names:
            raise ValueError(f"tenant `{tenant['name']}` is listed twice")
        names.add(tenant["name"])
    return tenants


def _aws_config(conn_id: str) -> Dict[str, Any]:
    """OpenMetadata's ``awsConfig`` from an Airflow AWS Connection."""
    conn = Connection.get(conn_id)
    extra = conn.extra_dejson
    region = extra.get("region_name")
    if not region:
        raise ValueError(f"Connection {conn_id} has no `region_name` in its extra")
    aws: Dict[str, Any] = {"awsRegion": region}
    if conn.login:
        aws["awsAccessKeyId"] = conn.login
    if conn.password:
        aws["awsSecretAccessKey"] = conn.password
    for extra_key, key in (
        ("aws_session_token", "awsSessionToken"),
        ("endpoint_url", "endPointURL"),
        ("role_arn", "assumeRoleArn"),
        ("profile_name", "profileName"),
    ):
        if extra.get(extra_key):
            aws[key] = extra[extra_key]
    return aws


def _sink(tenant_name: str) -> Dict[str, Any]:
    """The workflow's ``sink`` and ``workflowConfig`` keys for the configured destination."""
    sink = Variable.get(SINK_VARIABLE, default=DEFAULT_SINK, deserialize_json=True)
    kind = sink.get("type")
    if kind == "file":
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", tenant_name)
        filename = os.path.join(sink["directory"], f"{safe}.json")
        return {"sink": {"type": "file", "config": {"filename": filename}}}
    if kind == "metadata-rest":
        conn = Connection.get(sink.get("conn_id", "openmetadata"))
        host_port = conn.host or ""
        if "://" not in host_port:
            scheme = conn.schema or "http"
            port = f":{conn.port}" if conn.port else ""
            host_port = f"{scheme}://{host_port}{port}/api"
        server: Dict[str, Any] = {"hostPort": host_port, "authProvider": "openmetadata"}
        if conn.password:
            server["securityConfig"] = {"jwtToken": conn.password}
        server.update(conn.extra_dejson)  # verifySSL, sslConfig, extraHeaders, ...
        return {
            "sink": {"type": "metadata-rest", "config": {}},
            "workflowConfig": {"openMetadataServerConfig": server},
        }
    raise ValueError(f"Variable {SINK_VARIABLE}: unknown sink type {kind!r} (metadata-rest or file)")


def workflow_for(tenant: Dict[str, Any]) -> Dict[str, Any]:
    """The tenant's OpenMetadata DynamoDB workflow, as OpenMetadata's YAML would parse."""
    connection: Dict[str, Any] = {"type": "DynamoDB", "awsConfig": _aws_config(tenant["aws_conn_id"])}
    if tenant.get("databaseName"):
        connection["databaseName"] = tenant["databaseName"]
    if tenant.get("connectionOptions"):
        connection["connectionOptions"] = tenant["connectionOptions"]
    destination = _sink(tenant["name"])
    return {
        "source": {
            "type": "dynamodb",
            "serviceName": tenant["name"],
            "serviceConnection": {"config": connection},
            "sourceConfig": {"config": {"type": "DatabaseMetadata", **tenant.get("sourceConfig", {})}},
        },
        "sink": destination["sink"],
        "workflowConfig": {"loggerLevel": "INFO", **destination.get("workflowConfig", {})},
    }


def _dicts(pulled: Any) -> List[Dict[str, Any]]:
    """XComs pulled from every map index: a list, or one value when there is one."""
    values = pulled if isinstance(pulled, list) else [pulled]
    return [value for value in values if isinstance(value, dict)]


@dag(
    dag_id=DAG_ID,
    schedule=os.environ.get("DDB_CATALOG_SCHEDULE", "@daily") or None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["openmetadata", "dynamodb", "ddb-catalog"],
    default_args={
        "retries": int(os.environ.get("DDB_CATALOG_TASK_RETRIES", "1")),
        "retry_delay": timedelta(seconds=float(os.environ.get("DDB_CATALOG_TASK_RETRY_DELAY", "300"))),
    },
    doc_md=__doc__,
)
def ddb_catalog_tenants() -> None:
    @task
    def tenants() -> List[Dict[str, Any]]:
        """The tenants to catalog (Variable ``ddb_catalog_tenants``), checked."""
        return _tenants()

    @task(
        map_index_template="{{ task.op_kwargs['tenant']['name'] }}",
        max_active_tis_per_dagrun=int(os.environ.get("DDB_CATALOG_MAX_ACTIVE_TENANTS", "16")),
    )
    def ingest(tenant: Dict[str, Any]) -> Dict[str, Any]:
        """Runs one tenant's workflow; its failure fails this task only."""
        import ddb_catalog

        log.info("tenant %s: running its DynamoDB workflow with %s", tenant["name"], ddb_catalog.binary_path())
        # The connector's log, then the summary, line by line into the task log. A failed run
        # or an invalid workflow raises ddb_catalog.WorkflowError, which fails the task; its
        # reason (never a credential: the host prints none) is the XCom `failure` first.
        try:
            workflow: Any = tenant["workflow_file"] if "workflow_file" in tenant else workflow_for(tenant)
            result = ddb_catalog.run(workflow, echo=log.info)
        except ddb_catalog.WorkflowError as error:
            report = error.result.report if error.result is not None else None
            get_current_context()["ti"].xcom_push(
                "failure",
                {"tenant": tenant["name"], "reason": error.message.splitlines()[0],
                 "exit_code": error.exit_code, "report": report},
            )
            raise
        log.info(
            "tenant %s: %s; %d tables ingested, %d filtered, %d failed, %d warnings",
            result.service,
            result.status,
            result.tables_ingested,
            result.tables_filtered,
            result.tables_failed,
            result.warnings,
        )
        return {
            "tenant": result.service,
            "status": result.status,
            "ingested": result.tables_ingested,
            "filtered": result.tables_filtered,
            "failed": result.tables_failed,
            "warnings": result.warnings,
            "success_percent": result.success_percent,
            "elapsed_seconds": result.elapsed_seconds,
            "report": result.report,
        }

    @task(trigger_rule="all_done", retries=0)
    def summary() -> Dict[str, Any]:
        """Reads every tenant's XCom (report or failure) once all are done; fails if one failed."""
        ti = get_current_context()["ti"]
        listed = ti.xcom_pull(task_ids="tenants")
        if not isinstance(listed, list):
            raise RuntimeError("the task `tenants` left no list of tenants")
        done = {r["tenant"]: r for r in _dicts(ti.xcom_pull(task_ids="ingest"))}
        failed = {f["tenant"]: f for f in _dicts(ti.xcom_pull(task_ids="ingest", key="failure"))}
        for tenant in listed:
            name = tenant["name"]
            if name in done:
                r = done[name]
                log.info("summary: %s: %s, %d tables ingested, %d failed, %s s, run report %s",
                         name, r["status"], r["ingested"], r["failed"], r["elapsed_seconds"],
                         "read" if r.get("report") else "absent")
            else:
                reason: Optional[str] = failed.get(name, {}).get("reason")
                log.info("summary: %s: failed: %s", name, reason or "no result (see its task log)")
        totals = {
            "tenants": len(listed),
            "succeeded": sorted(done),
            "failed": sorted(t["name"] for t in listed if t["name"] not in done),
            "tables_ingested": sum(r["ingested"] for r in done.values()),
            "reports_read": sum(1 for r in done.values() if r.get("report")),
        }
        ti.xcom_push("totals", totals)
        if totals["failed"]:
            raise RuntimeError(
                f"{len(totals['failed'])} of {len(listed)} tenants failed: {', '.join(totals['failed'])}"
            )
        return totals

    ingest.expand(tenant=tenants()) >> summary()


ddb_catalog_tenants()
