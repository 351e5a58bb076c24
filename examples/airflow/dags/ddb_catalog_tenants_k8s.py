"""Catalog every tenant's DynamoDB tables in OpenMetadata: one Kubernetes pod per tenant.

The ``KubernetesPodOperator`` variant of ``ddb_catalog_tenants.py``: the workers run no
ingestion themselves; each tenant is a pod of the ``FROM scratch`` image that
``scripts/release.sh --image`` builds (``/ddb-catalog/ddb-catalog`` as its entrypoint, user
65532), so the Airflow image needs no wheel, only ``apache-airflow-providers-cncf-kubernetes``.

Nothing secret is in this file or in Airflow. Each tenant's OpenMetadata workflow (credentials
and sink included) is a Kubernetes Secret ``ddb-catalog-<tenant>`` in the namespace, with the key
``workflow.yaml``, mounted read-only at ``/work``:

    kubectl -n ddb-catalog create secret generic ddb-catalog-acme --from-file=workflow.yaml=acme.yaml

``ddb_catalog_k8s_tenants`` (Variable, JSON): the tenants' names, a list of DNS labels
(``["acme", "globex"]``); one mapped task (one pod) per name.

Each pod runs ``ddb-catalog ingest -c /work/workflow.yaml --report /airflow/xcom/return.json``:
the summary is the task's log, the exit status (0, 1 a failed run, 2 an invalid workflow) the
task's, and the run report the task's XCom (the operator's xcom sidecar reads it). Requests and
limits follow the figures of docs/airflow-scale.md. Environment of the DAG processor (optional):
``DDB_CATALOG_IMAGE``, ``DDB_CATALOG_NAMESPACE`` (default ``ddb-catalog``),
``DDB_CATALOG_TASK_RETRIES`` (default 1), ``DDB_CATALOG_TASK_RETRY_DELAY`` (seconds, default 300),
``DDB_CATALOG_MAX_ACTIVE_TENANTS`` (default 16). Checked here by importing it and building a
tenant's pod offline (scripts/test-airflow-celery.sh); no cluster ran it.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from typing import Any, Dict, List

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import Variable, dag, task
from kubernetes.client import models as k8s  # type: ignore[import-untyped]

DAG_ID = "ddb_catalog_tenants_k8s"
TENANTS_VARIABLE = "ddb_catalog_k8s_tenants"
IMAGE = os.environ.get("DDB_CATALOG_IMAGE", "registry.example.com/ddb-catalog:0.1.0")
NAMESPACE = os.environ.get("DDB_CATALOG_NAMESPACE", "ddb-catalog")
SECRET_PREFIX = "ddb-catalog-"
# The host bounds a run's memory at --memory-mb plus 64 MiB of its own (README, "The sandbox"):
# the limit is that sum, the request what a 1,000-table run was measured to use, with room.
MEMORY_MB = 256
RESOURCES = {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": f"{MEMORY_MB + 128}Mi"}}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def pod_template(tenant: str) -> Dict[str, Any]:
    """The tenant's pod beyond what the operator sets: its Secret at /work, a writable /tmp."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": {"app.kubernetes.io/name": "ddb-catalog", "ddb-catalog/tenant": tenant}},
        "spec": {
            "containers": [
                {
                    "name": "base",
                    "volumeMounts": [
                        {"name": "workflow", "mountPath": "/work", "readOnly": True},
                        {"name": "tmp", "mountPath": "/tmp"},
                    ],
                }
            ],
            "volumes": [
                {"name": "workflow", "secret": {"secretName": SECRET_PREFIX + tenant, "defaultMode": 0o440}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
            ],
        },
    }


def tenant_kwargs(tenant: str) -> Dict[str, Any]:
    """What differs from one tenant's task to the next (JSON, as mapped arguments must be)."""
    if not DNS_LABEL.match(tenant) or len(SECRET_PREFIX + tenant) > 63:
        raise ValueError(f"tenant {tenant!r}: a lower-case DNS label of at most {63 - len(SECRET_PREFIX)} characters")
    return {"name": SECRET_PREFIX + tenant, "labels": {"ddb-catalog/tenant": tenant}, "pod_template_dict": pod_template(tenant)}


def operator_kwargs() -> Dict[str, Any]:
    """What every tenant's task shares."""
    return {
        "namespace": NAMESPACE,
        "image": IMAGE,
        "arguments": ["ingest", "-c", "/work/workflow.yaml", "--memory-mb", str(MEMORY_MB),
                      "--report", "/airflow/xcom/return.json"],
        "env_vars": {"DDB_CATALOG_CACHE_DIR": "/tmp/ddb-catalog-cache"},
        "container_resources": k8s.V1ResourceRequirements(**RESOURCES),
        # fsGroup: the kubelet gives the Secret's files (mode 0440) to the pod's group.
        "security_context": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532,
                             "seccompProfile": {"type": "RuntimeDefault"}},
        "container_security_context": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                       "capabilities": {"drop": ["ALL"]}},
        "automount_service_account_token": False,
        "active_deadline_seconds": 1900,  # the host's own --timeout is 1800 s
        "do_xcom_push": True,  # the run report is the task's XCom
        "get_logs": True,
        "on_finish_action": "delete_pod",
    }


@dag(
    dag_id=DAG_ID,
    schedule=os.environ.get("DDB_CATALOG_SCHEDULE", "@daily") or None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["openmetadata", "dynamodb", "ddb-catalog", "kubernetes"],
    default_args={
        "retries": int(os.environ.get("DDB_CATALOG_TASK_RETRIES", "1")),
        "retry_delay": timedelta(seconds=float(os.environ.get("DDB_CATALOG_TASK_RETRY_DELAY", "300"))),
    },
    doc_md=__doc__,
)
def ddb_catalog_tenants_k8s() -> None:
    @task
    def tenants() -> List[Dict[str, Any]]:
        """The tenants (Variable ``ddb_catalog_k8s_tenants``), each as its pod's arguments."""
        names = Variable.get(TENANTS_VARIABLE, deserialize_json=True)
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError(f"Variable {TENANTS_VARIABLE} must be a non-empty JSON list of tenant names")
        if len(set(names)) != len(names):
            raise ValueError(f"Variable {TENANTS_VARIABLE} lists a tenant twice")
        return [tenant_kwargs(name) for name in names]

    KubernetesPodOperator.partial(
        task_id="ingest",
        max_active_tis_per_dagrun=int(os.environ.get("DDB_CATALOG_MAX_ACTIVE_TENANTS", "16")),
        **operator_kwargs(),
    ).expand_kwargs(tenants())


ddb_catalog_tenants_k8s()
