//! The DynamoDB calls the connector makes, each signed and retried by [`Caller`].

use super::json_path;
use super::model::{DescribeTableOutput, ListTablesOutput, ListTagsOutput, TableDescription, Tag};
use super::operations::{self, Operation};
use crate::aws::call::{CallError, Caller};
use crate::catalog::CallStats;
use crate::endpoint::Endpoint;
use crate::transport::Transport;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One Scan page: the items (in DynamoDB's typed JSON), where to continue, and the read
/// capacity it consumed (when the server reports it).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage {
    pub items: Vec<Value>,
    pub next: Option<Value>,
    pub consumed: Option<f64>,
}

pub struct DynamoDb<'t, T> {
    caller: Caller<'t, T>,
    endpoint: Endpoint,
}

/// Pages of tags read per table at most (50 tags a table is DynamoDB's limit; a page holds 10+).
const MAX_TAG_PAGES: usize = 20;

impl<'t, T: Transport> DynamoDb<'t, T> {
    pub fn new(caller: Caller<'t, T>, endpoint: Endpoint) -> Self {
        DynamoDb { caller, endpoint }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn stats(&self) -> CallStats {
        self.caller.stats()
    }

    pub fn transport(&self) -> &'t T {
        self.caller.transport()
    }

    pub async fn list_tables_page(
        &self,
        exclusive_start: Option<&str>,
    ) -> Result<ListTablesOutput, CallError> {
        self.call(
            Operation::ListTables,
            operations::list_tables(exclusive_start),
        )
        .await
    }

    pub async fn describe_table(&self, table: &str) -> Result<TableDescription, CallError> {
        let out: DescribeTableOutput = self
            .call(Operation::DescribeTable, operations::describe_table(table))
            .await?;
        Ok(out.table)
    }

    /// All tags of a resource, following `NextToken`.
    pub async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, CallError> {
        let mut tags = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_TAG_PAGES {
            let page: ListTagsOutput = self
                .call(
                    Operation::ListTagsOfResource,
                    operations::list_tags_of_resource(arn, next.as_deref()),
                )
                .await?;
            tags.extend(page.tags);
            match page.next_token {
                Some(token) if Some(&token) != next.as_ref() => next = Some(token),
                _ => return Ok(tags),
            }
        }
        Ok(tags)
    }

    /// One page of a parallel scan.
    pub async fn scan_page(
        &self,
        table: &str,
        limit: u32,
        exclusive_start_key: Option<&Value>,
        segment: u32,
        total_segments: u32,
    ) -> Result<ScanPage, CallError> {
        let mut out: Value = self
            .call(
                Operation::Scan,
                operations::scan(table, limit, exclusive_start_key, segment, total_segments),
            )
            .await?;
        let items = match out.get_mut("Items").map(Value::take) {
            Some(Value::Array(items)) => items,
            None | Some(Value::Null) => Vec::new(),
            Some(_) => {
                return Err(CallError::invalid_response(
                    Operation::Scan.name(),
                    "`Items` is not a list",
                ));
            }
        };
        let next = out
            .get_mut("LastEvaluatedKey")
            .map(Value::take)
            .filter(|k| !k.is_null());
        let consumed = out["ConsumedCapacity"]["CapacityUnits"]
            .as_f64()
            .filter(|c| c.is_finite() && *c >= 0.0);
        Ok(ScanPage {
            items,
            next,
            consumed,
        })
    }

    async fn call<O: DeserializeOwned>(
        &self,
        operation: Operation,
        body: Value,
    ) -> Result<O, CallError> {
        let name = operation.name();
        let response = self
            .caller
            .call(name, || {
                operations::request(&self.endpoint, operation, &body)
            })
            .await?;
        let body = response.body();
        serde_json::from_slice(body).map_err(|e| {
            // Name the field when the JSON is well-formed but a value has the wrong type.
            let at = if e.is_data() {
                json_path::at(body, e.line(), e.column())
                    .map(|path| format!(" at `{path}`"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            CallError::invalid_response(
                name,
                format!("the {name} response cannot be read{at}: {e}"),
            )
        })
    }
}
