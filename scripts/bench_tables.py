"""The benchmark's tables on a local dynalite, for the scripts that measure builds
(scripts/bench_cpu.py, scripts/hot-code.py): COUNT tables named bench_00000, bench_00001, ...
in the four shapes of tests/benches/ingest/tables.rs (a hash key; hash and range keys; a global
secondary index; provisioned, with a local and a global secondary index), and a workflow for
them (examples/local-dynamodb.yaml without sampling, `includeTags: false`, a file sink).

As a module (any Python 3): `with served(root, count, work) as workflow: ...`.
As a script, run by the venv's Python that has boto3: bench_tables.py ENDPOINT COUNT seeds.
"""
import contextlib
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

PROVISIONED = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


@contextlib.contextmanager
def served(root, count, work, core=None):
    """Starts dynalite (on `core` alone when given), seeds `count` tables, writes the workflow
    into `work` and yields its path; stops dynalite on the way out."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dynalite = subprocess.Popen(
        ["node", os.path.join(root, ".tools/node/node_modules/dynalite/cli.js"),
         "--host", "127.0.0.1", "--port", str(port), "--createTableMs", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=None if core is None else lambda: os.sched_setaffinity(0, {core}),
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"dynalite did not start on port {port}")
        endpoint = f"http://127.0.0.1:{port}"
        subprocess.run([os.path.join(root, ".tools/venv/bin/python"), __file__, endpoint,
                        str(count)], check=True)
        yield write_workflow(root, endpoint, work)
    finally:
        dynalite.kill()
        dynalite.wait()


def write_workflow(root, endpoint, work):
    with open(os.path.join(root, "examples/local-dynamodb.yaml")) as f:
        text = f.read()
    text = text.replace("http://127.0.0.1:8000", endpoint)
    text = text.replace("target/demo/entities.json", os.path.join(work, "entities.json"))
    text = text.replace("markDeletedTables: true", "markDeletedTables: true\n      includeTags: false")
    lines = [line for line in text.splitlines()
             if not line.strip().startswith(("connectionOptions:", "sampleSize:", "# infer"))]
    workflow = os.path.join(work, "bench.yaml")
    with open(workflow, "w") as f:
        f.write("\n".join(lines) + "\n")
    return workflow


def definitions(*attributes):
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in attributes]


def keys(*names):
    return [{"AttributeName": name, "KeyType": kind} for name, kind in names]


def shape(index):
    if index % 4 == 0:
        return {
            "AttributeDefinitions": definitions(("id", "S")),
            "KeySchema": keys(("id", "HASH")),
            "BillingMode": "PAY_PER_REQUEST",
        }
    if index % 4 == 1:
        return {
            "AttributeDefinitions": definitions(("pk", "S"), ("sk", "N")),
            "KeySchema": keys(("pk", "HASH"), ("sk", "RANGE")),
            "BillingMode": "PAY_PER_REQUEST",
        }
    if index % 4 == 2:
        return {
            "AttributeDefinitions": definitions(("pk", "S"), ("sk", "S"), ("gsi_pk", "S")),
            "KeySchema": keys(("pk", "HASH"), ("sk", "RANGE")),
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [{
                "IndexName": "by_gsi_pk",
                "KeySchema": keys(("gsi_pk", "HASH")),
                "Projection": {"ProjectionType": "ALL"},
            }],
        }
    return {
        "AttributeDefinitions": definitions(
            ("tenant", "S"), ("created", "N"), ("status", "S"), ("owner", "S")),
        "KeySchema": keys(("tenant", "HASH"), ("created", "RANGE")),
        "ProvisionedThroughput": PROVISIONED,
        "LocalSecondaryIndexes": [{
            "IndexName": "by_status",
            "KeySchema": keys(("tenant", "HASH"), ("status", "RANGE")),
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by_owner",
            "KeySchema": keys(("owner", "HASH")),
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]},
            "ProvisionedThroughput": PROVISIONED,
        }],
    }


def seed(endpoint, count):
    import boto3  # the venv's; only the seeding needs it

    def create(index):
        boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDDEMO",
            aws_secret_access_key="demo-secret",
        ).create_table(TableName=f"bench_{index:05}", **shape(index))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(count)))
    print(f"{count} tables", file=sys.stderr)


if __name__ == "__main__":
    seed(sys.argv[1], int(sys.argv[2]))
