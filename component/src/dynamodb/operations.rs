//! Building DynamoDB requests: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>` and
//! a JSON body.

use crate::endpoint::Endpoint;
use crate::transport::Request;
use serde_json::{Value, json};

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "DynamoDB_20120810";

/// ListTables returns at most 100 names a page.
pub const LIST_TABLES_PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    ListTables,
    DescribeTable,
    ListTagsOfResource,
    DescribeTimeToLive,
    DescribeContinuousBackups,
    GetResourcePolicy,
    DescribeKinesisStreamingDestination,
    DescribeContributorInsights,
    ListExports,
    DescribeExport,
    Scan,
    BatchGetItem,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::ListTables => "ListTables",
            Operation::DescribeTable => "DescribeTable",
            Operation::ListTagsOfResource => "ListTagsOfResource",
            Operation::DescribeTimeToLive => "DescribeTimeToLive",
            Operation::DescribeContinuousBackups => "DescribeContinuousBackups",
            Operation::GetResourcePolicy => "GetResourcePolicy",
            Operation::DescribeKinesisStreamingDestination => "DescribeKinesisStreamingDestination",
            Operation::DescribeContributorInsights => "DescribeContributorInsights",
            Operation::ListExports => "ListExports",
            Operation::DescribeExport => "DescribeExport",
            Operation::Scan => "Scan",
            Operation::BatchGetItem => "BatchGetItem",
        }
    }
}

pub fn request(endpoint: &Endpoint, operation: Operation, body: &Value) -> Request {
    http::Request::builder()
        .method("POST")
        .uri(endpoint.uri().clone())
        .header("content-type", CONTENT_TYPE)
        .header(
            "x-amz-target",
            format!("{TARGET_PREFIX}.{}", operation.name()),
        )
        .body(body.to_string().into_bytes())
        .expect("method, endpoint URI and header values are valid by construction")
}

pub fn list_tables(exclusive_start: Option<&str>) -> Value {
    let mut body = json!({ "Limit": LIST_TABLES_PAGE_SIZE });
    if let Some(start) = exclusive_start {
        body["ExclusiveStartTableName"] = Value::from(start);
    }
    body
}

pub fn describe_table(table: &str) -> Value {
    json!({ "TableName": table })
}

/// The body of the calls that name only the table: DescribeTimeToLive,
/// DescribeContinuousBackups, DescribeKinesisStreamingDestination, DescribeContributorInsights.
pub fn table_name(table: &str) -> Value {
    json!({ "TableName": table })
}

pub fn get_resource_policy(arn: &str) -> Value {
    json!({ "ResourceArn": arn })
}

/// The first page of a table's exports.
pub fn list_exports(table_arn: &str, max_results: u32) -> Value {
    json!({ "TableArn": table_arn, "MaxResults": max_results })
}

pub fn describe_export(export_arn: &str) -> Value {
    json!({ "ExportArn": export_arn })
}

pub fn list_tags_of_resource(arn: &str, next_token: Option<&str>) -> Value {
    let mut body = json!({ "ResourceArn": arn });
    if let Some(token) = next_token {
        body["NextToken"] = Value::from(token);
    }
    body
}

/// One page of a parallel scan (`segment` of `total_segments`), counting the read capacity it
/// consumes.
/// BatchGetItem of `keys` (at most 100) of one table, eventually consistent, with the capacity
/// it consumes.
pub fn batch_get_item(table: &str, keys: &[Value]) -> Value {
    json!({
        "RequestItems": { table: { "Keys": keys } },
        "ReturnConsumedCapacity": "TOTAL",
    })
}

pub fn scan(
    table: &str,
    limit: u32,
    exclusive_start_key: Option<&Value>,
    segment: u32,
    total_segments: u32,
) -> Value {
    let mut body = json!({
        "TableName": table,
        "Limit": limit,
        "Segment": segment,
        "TotalSegments": total_segments,
        "ReturnConsumedCapacity": "TOTAL",
    });
    if let Some(key) = exclusive_start_key {
        body["ExclusiveStartKey"] = key.clone();
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_tables_request_follows_the_json_protocol() {
        let endpoint =
            crate::endpoint::dynamodb("us-east-1", Some("http://127.0.0.1:8000")).unwrap();
        let req = request(
            &endpoint,
            Operation::ListTables,
            &list_tables(Some("orders")),
        );
        assert_eq!(req.method(), "POST");
        assert_eq!(req.uri(), "http://127.0.0.1:8000/");
        assert_eq!(
            req.headers()["x-amz-target"],
            "DynamoDB_20120810.ListTables"
        );
        assert_eq!(req.headers()["content-type"], "application/x-amz-json-1.0");
        let body: Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            json!({"Limit": 100, "ExclusiveStartTableName": "orders"})
        );
    }

    #[test]
    fn first_page_has_no_start() {
        assert_eq!(list_tables(None), json!({"Limit": 100}));
    }

    #[test]
    fn describe_and_tags_bodies() {
        assert_eq!(describe_table("a.b"), json!({"TableName": "a.b"}));
        assert_eq!(
            list_tags_of_resource("arn:x", Some("t")),
            json!({"ResourceArn": "arn:x", "NextToken": "t"})
        );
        assert_eq!(
            scan("t", 10, Some(&json!({"pk": {"S": "a"}})), 3, 16),
            json!({"TableName": "t", "Limit": 10, "ExclusiveStartKey": {"pk": {"S": "a"}},
                   "Segment": 3, "TotalSegments": 16, "ReturnConsumedCapacity": "TOTAL"})
        );
    }
}
