"""moto's server with the DynamoDB calls moto 5.2 lacks and no local server implements:
Kinesis streaming destinations (Enable/Describe/DisableKinesisStreamingDestination) and
Contributor Insights (Update/DescribeContributorInsights).

Their answers go through moto's own serializer, which writes each answer in the operation's
output shape from botocore's DynamoDB service model (members outside the shape are dropped), and
every request passes moto's SigV4 and IAM checks first, as moto's own calls do. State is kept on
moto's table objects, so that a missing table is moto's ResourceNotFoundException.

    python moto_with_extras.py -H 127.0.0.1 -p PORT     # the arguments of moto_server
"""

import sys
import time

from moto.core.responses import ActionResult
from moto.dynamodb.responses import DynamoHandler
from moto.server import main


def _table(handler: DynamoHandler):
    return handler.dynamodb_backend.get_table(handler.body["TableName"])


def enable_kinesis_streaming_destination(self: DynamoHandler) -> ActionResult:
    table = _table(self)
    precision = (self.body.get("EnableKinesisStreamingConfiguration") or {}).get(
        "ApproximateCreationDateTimePrecision", "MILLISECOND"
    )
    destinations = getattr(table, "kinesis_destinations", [])
    destinations = [d for d in destinations if d["StreamArn"] != self.body["StreamArn"]]
    destinations.append(
        {
            "StreamArn": self.body["StreamArn"],
            "DestinationStatus": "ACTIVE",
            "ApproximateCreationDateTimePrecision": precision,
        }
    )
    table.kinesis_destinations = destinations
    return ActionResult(
        {
            "TableName": table.name,
            "StreamArn": self.body["StreamArn"],
            "DestinationStatus": "ENABLING",
            "EnableKinesisStreamingConfiguration": {
                "ApproximateCreationDateTimePrecision": precision
            },
        }
    )


def disable_kinesis_streaming_destination(self: DynamoHandler) -> ActionResult:
    table = _table(self)
    for destination in getattr(table, "kinesis_destinations", []):
        if destination["StreamArn"] == self.body["StreamArn"]:
            destination["DestinationStatus"] = "DISABLED"
    return ActionResult(
        {
            "TableName": table.name,
            "StreamArn": self.body["StreamArn"],
            "DestinationStatus": "DISABLING",
        }
    )


def describe_kinesis_streaming_destination(self: DynamoHandler) -> ActionResult:
    table = _table(self)
    return ActionResult(
        {
            "TableName": table.name,
            "KinesisDataStreamDestinations": getattr(table, "kinesis_destinations", []),
        }
    )


def update_contributor_insights(self: DynamoHandler) -> ActionResult:
    table = _table(self)
    enable = self.body["ContributorInsightsAction"] == "ENABLE"
    mode = self.body.get("ContributorInsightsMode", "ACCESSED_AND_THROTTLED_KEYS")
    table.contributor_insights = {
        "ContributorInsightsStatus": "ENABLED" if enable else "DISABLED",
        "ContributorInsightsMode": mode,
        "LastUpdateDateTime": time.time(),
    }
    return ActionResult(
        {
            "TableName": table.name,
            "ContributorInsightsStatus": "ENABLING" if enable else "DISABLING",
            "ContributorInsightsMode": mode,
        }
    )


def describe_contributor_insights(self: DynamoHandler) -> ActionResult:
    table = _table(self)
    state = getattr(table, "contributor_insights", {"ContributorInsightsStatus": "DISABLED"})
    rules = []
    if state["ContributorInsightsStatus"] == "ENABLED":
        rules = [
            f"DynamoDBContributorInsights-PKC-{table.name}-1700000000000",
            f"DynamoDBContributorInsights-PKT-{table.name}-1700000000000",
        ]
    return ActionResult({"TableName": table.name, "ContributorInsightsRuleList": rules, **state})


for _call in (
    enable_kinesis_streaming_destination,
    disable_kinesis_streaming_destination,
    describe_kinesis_streaming_destination,
    update_contributor_insights,
    describe_contributor_insights,
):
    assert not hasattr(DynamoHandler, _call.__name__), f"moto now has {_call.__name__}"
    setattr(DynamoHandler, _call.__name__, _call)

if __name__ == "__main__":
    main(sys.argv[1:])
