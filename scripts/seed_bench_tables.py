"""Creates COUNT tables on a local DynamoDB as the benchmark does (tests/benches/ingest/tables.rs):
bench_00000, bench_00001, ... in four shapes (a hash key; hash and range keys; a global secondary
index; provisioned, with a local and a global secondary index).

Usage: seed_bench_tables.py ENDPOINT COUNT
"""
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

endpoint, count = sys.argv[1], int(sys.argv[2])
PROVISIONED = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def client():
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDDEMO",
        aws_secret_access_key="demo-secret",
    )


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


def create(index):
    client().create_table(TableName=f"bench_{index:05}", **shape(index))


with ThreadPoolExecutor(8) as pool:
    list(pool.map(create, range(count)))
print(f"{count} tables", file=sys.stderr)
