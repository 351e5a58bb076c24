//! The DynamoDB calls the connector makes, each signed and retried by [`Caller`].

use super::model::{DescribeTableOutput, ListTablesOutput, ListTagsOutput, TableDescription, Tag};
use super::operations::{self, Operation};
use super::read::{self, Object};
use crate::aws::call::{CallError, Caller};
use crate::catalog::CallStats;
use crate::endpoint::Endpoint;
use crate::transport::Transport;
use serde_json::Value;

/// One Scan page: the items (in DynamoDB's typed JSON), where to continue, and the read
/// capacity it consumed (when the server reports it).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage {
    pub items: Vec<Value>,
    pub next: Option<Value>,
    pub consumed: Option<f64>,
}

/// What one BatchGetItem returned for a table.
pub struct BatchGet {
    pub items: Vec<Value>,
    /// Keys DynamoDB left for another call.
    pub unprocessed: Vec<Value>,
    pub consumed: f64,
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
            ListTablesOutput::read,
        )
        .await
    }

    pub async fn describe_table(&self, table: &str) -> Result<TableDescription, CallError> {
        let out = self
            .call(
                Operation::DescribeTable,
                operations::describe_table(table),
                DescribeTableOutput::read,
            )
            .await?;
        Ok(out.table)
    }

    /// All tags of a resource, following `NextToken`.
    pub async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, CallError> {
        let mut tags = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_TAG_PAGES {
            let page = self
                .call(
                    Operation::ListTagsOfResource,
                    operations::list_tags_of_resource(arn, next.as_deref()),
                    ListTagsOutput::read,
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
        let mut out = self
            .call_value(
                Operation::Scan,
                operations::scan(table, limit, exclusive_start_key, segment, total_segments),
            )
            .await?;
        if !out.is_object() {
            return Err(CallError::invalid_response(
                Operation::Scan.name(),
                format!(
                    "the Scan response cannot be read: expected an object, found {}",
                    read::describe(&out)
                ),
            ));
        }
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

    /// Makes the call and reads its answer with `read`: fields of the wrong types make an
    /// invalid response that names the field.
    async fn call<O>(
        &self,
        operation: Operation,
        body: Value,
        read: impl FnOnce(&Object) -> read::Result<O>,
    ) -> Result<O, CallError> {
        let value = self.call_value(operation, body).await?;
        parse(operation, &value, read)
    }

    /// Makes the call; its answer must be JSON. The per-table reads use it as it is, one
    /// future for all of them, and read the answer with [`parse`]: a typed call each would
    /// be one more async state machine each in the component.
    pub async fn call_value(&self, operation: Operation, body: Value) -> Result<Value, CallError> {
        let name = operation.name();
        let response = self
            .caller
            .call(name, || {
                operations::request(&self.endpoint, operation, &body)
            })
            .await?;
        serde_json::from_slice(response.body()).map_err(|e| {
            CallError::invalid_response(name, format!("the {name} response cannot be read: {e}"))
        })
    }
}

/// A BatchGetItem answer for `table` (made with [`DynamoDb::call_value`]: a typed call of
/// its own would be one more async state machine in the component).
pub fn read_batch_get(table: &str, mut out: Value) -> Result<BatchGet, CallError> {
    let name = Operation::BatchGetItem.name();
    let list = |value: Option<Value>, what: &str| match value {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(CallError::invalid_response(
            name,
            format!("`{what}` is not a list"),
        )),
    };
    let items = list(
        out.get_mut("Responses")
            .and_then(|r| r.get_mut(table))
            .map(Value::take),
        "Responses",
    )?;
    let unprocessed = list(
        out.get_mut("UnprocessedKeys")
            .and_then(|u| u.get_mut(table))
            .and_then(|t| t.get_mut("Keys"))
            .map(Value::take),
        "UnprocessedKeys",
    )?;
    let consumed = out["ConsumedCapacity"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["CapacityUnits"].as_f64())
        .filter(|c| c.is_finite() && *c >= 0.0)
        .sum();
    Ok(BatchGet {
        items,
        unprocessed,
        consumed,
    })
}

/// Reads an answer with `read`: a field of the wrong type is an invalid response that names it.
pub fn parse<O>(
    operation: Operation,
    value: &Value,
    read: impl FnOnce(&Object) -> read::Result<O>,
) -> Result<O, CallError> {
    Object::root(value).and_then(|o| read(&o)).map_err(|e| {
        let name = operation.name();
        let separator = if e.path.is_empty() { ": " } else { " " };
        CallError::invalid_response(
            name,
            format!("the {name} response cannot be read{separator}{e}"),
        )
    })
}
