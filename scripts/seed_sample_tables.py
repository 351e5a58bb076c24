"""Creates a few sample tables in a local DynamoDB for the demo: several key shapes, a global
and a local secondary index, a stream, a dotted name, tags, and some items.

Usage: seed_sample_tables.py ENDPOINT
"""
import sys

import boto3

endpoint = sys.argv[1]
ddb = boto3.client(
    "dynamodb",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDDEMO",
    aws_secret_access_key="demo-secret",
)


def create(name, keys, extra_attrs=(), **kwargs):
    attrs = [{"AttributeName": n, "AttributeType": t} for n, t, _ in keys]
    attrs += [{"AttributeName": n, "AttributeType": t} for n, t in extra_attrs]
    if "ProvisionedThroughput" not in kwargs:
        kwargs["BillingMode"] = "PAY_PER_REQUEST"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": n, "KeyType": k} for n, _, k in keys],
        AttributeDefinitions=attrs,
        **kwargs,
    )


existing = set(ddb.list_tables()["TableNames"])
if "orders" not in existing:
    create(
        "orders",
        [("customer_id", "S", "HASH"), ("order_ts", "N", "RANGE")],
        [("status", "S")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "order_ts", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for i in range(5):
        ddb.put_item(
            TableName="orders",
            Item={
                "customer_id": {"S": f"c{i % 2}"},
                "order_ts": {"N": str(1700000000 + i)},
                "status": {"S": "shipped" if i % 2 else "open"},
                "total": {"N": f"{10 + i}.5"},
                "lines": {"L": [{"M": {"sku": {"S": "A1"}, "qty": {"N": "2"}}}]},
            },
        )
if "customers" not in existing:
    create(
        "customers",
        [("customer_id", "S", "HASH")],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
    )
    ddb.put_item(
        TableName="customers",
        Item={
            "customer_id": {"S": "c0"},
            "email": {"S": "ada@example.com"},
            "vip": {"BOOL": True},
            "address": {"M": {"city": {"S": "Lyon"}, "zip": {"S": "69001"}}},
        },
    )
if "sessions" not in existing:
    create(
        "sessions",
        [("session_id", "B", "HASH"), ("seq", "N", "RANGE")],
        [("user_id", "S")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_user",
                "KeySchema": [
                    {"AttributeName": "session_id", "KeyType": "HASH"},
                    {"AttributeName": "user_id", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
if "events.v2" not in existing:
    create("events.v2", [("event_id", "S", "HASH")])
if "tmp_scratch" not in existing:
    create("tmp_scratch", [("id", "N", "HASH")])

print(", ".join(sorted(ddb.list_tables()["TableNames"])))
