"""Seeds the Airflow checks' two tenants into DynamoDB Local, each in its own namespace (DynamoDB
Local keeps one per access key id): acme's three tables and globex's two.

    python seed_airflow_tenants.py ENDPOINT ACME_SECRET GLOBEX_SECRET

Used by scripts/test-airflow.sh and scripts/test-airflow-celery.sh.
"""

import sys

import boto3

endpoint, acme_secret, globex_secret = sys.argv[1:]
for key, secret, tables in (
    ("AKIDACME", acme_secret, ["orders", "customers", "tmp_scratch"]),
    ("AKIDGLOBEX", globex_secret, ["shipments", "invoices"]),
):
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=key, aws_secret_access_key=secret)
    for table in tables:
        client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
