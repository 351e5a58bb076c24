//! The server's own ceiling: how many DescribeTable (or ListTagsOfResource) calls a plain load
//! generator (`wrk`, with a Lua script cycling over the same table names) gets answered per
//! second at the same number of requests in flight as the connector.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Ceiling {
    pub requests_per_second: f64,
    pub connections: usize,
    pub duration: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    DescribeTable,
    ListTagsOfResource,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::DescribeTable => "DescribeTable",
            Operation::ListTagsOfResource => "ListTagsOfResource",
        }
    }

    /// The Lua expression of a request body for the table named `name`.
    fn body(self) -> &'static str {
        match self {
            Operation::DescribeTable => r#"'{"TableName":"' .. name .. '"}'"#,
            Operation::ListTagsOfResource => {
                r#"'{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/' .. name .. '"}'"#
            }
        }
    }
}

/// Runs `wrk` against `endpoint` (`http://host:port`) with `connections` connections for
/// `duration`; panics if any answer is not a 200.
pub fn measure(
    operation: Operation,
    endpoint: &str,
    names: &[String],
    connections: usize,
    duration: Duration,
    work: &Path,
) -> Ceiling {
    let script = work.join(format!("{}.lua", operation.name()));
    std::fs::write(&script, lua_script(operation, names)).expect("write the wrk script");
    // One thread per core: the load generator must not be the bottleneck.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(connections);
    let output = Command::new("wrk")
        .arg(format!("--threads={threads}"))
        .arg(format!("--connections={connections}"))
        .arg(format!("--duration={}s", duration.as_secs().max(1)))
        .arg("--script")
        .arg(&script)
        .arg(format!("{endpoint}/"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run wrk ({e}): run scripts/bench-setup.sh"));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "wrk failed: {text}");
    assert!(
        !text.contains("Non-2xx"),
        "dynalite refused some {} calls:\n{text}",
        operation.name()
    );
    let requests_per_second = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"));
    Ceiling {
        requests_per_second,
        connections,
        duration,
    }
}

/// POSTs `operation` for each name in turn. dynalite does not verify signatures but wants a
/// well-formed SigV4 Authorization header and a date.
fn lua_script(operation: Operation, names: &[String]) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!(
        r#"local names = {{{names}}}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.{operation}"
wrk.headers["X-Amz-Date"] = "20261124T120000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261124/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"

request = function()
  i = i + 1
  local name = names[(i % #names) + 1]
  return wrk.format(nil, "/", nil, {body})
end
"#,
        names = list.join(","),
        operation = operation.name(),
        body = operation.body(),
    )
}
