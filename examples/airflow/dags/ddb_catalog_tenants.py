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

Environment of the scheduler and workers (optional): ``DDB_CATALOG_TASK_RETRIES`` (default 1,
five minutes apart), ``DDB_CATALOG_MAX_ACTIVE_TENANTS`` (tenants run at once per DAG run,
default 16). See docs/python.md for how it scales out (CeleryExecutor, KubernetesExecutor).
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime, timedelta
from typing import Any, Dict, List

from airflow.sdk import Connection, Variable, dag, task

DAG_ID = "ddb_catalog_tenants"
TENANTS_VARIABLE = "ddb_catalog_tenants"
SINK_VARIABLE = "ddb_catalog_sink"
DEFAULT_SINK = {"type": "metadata-rest", "conn_id": "openmetadata"}

log = logging.getLogger("ddb_catalog.airflow")


def _tenants() -> List[Dict[str, Any]]:
    tenants = Variable.get(TENANTS_VARIABLE, deserialize_json=True)
    if not isinstance(tenants, list) or not tenants:
        raise ValueError(f"Variable {TENANTS_VARIABLE} must be a non-empty JSON list of tenants")
    names = set()
    for index, tenant in enumerate(tenants):
        if not isinstance(tenant, dict) or not tenant.get("name") or not tenant.get("aws_conn_id"):
            raise ValueError(
                f"Variable {TENANTS_VARIABLE}[{index}] needs at least `name` and `aws_conn_id`"
            )
        if tenant["name"] in names:
            raise ValueError(f"Variable {TENANTS_VARIABLE}: tenant `{tenant['name']}` is listed twice")
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


@dag(
    dag_id=DAG_ID,
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["openmetadata", "dynamodb", "ddb-catalog"],
    default_args={
        "retries": int(os.environ.get("DDB_CATALOG_TASK_RETRIES", "1")),
        "retry_delay": timedelta(minutes=5),
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

        workflow = workflow_for(tenant)
        log.info("tenant %s: running its DynamoDB workflow with %s", tenant["name"], ddb_catalog.binary_path())
        # The connector's log, then the summary, line by line into the task log. A failed run
        # or an invalid workflow raises ddb_catalog.WorkflowError, which fails the task.
        result = ddb_catalog.run(workflow, echo=log.info)
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
        }

    ingest.expand(tenant=tenants())


ddb_catalog_tenants()
