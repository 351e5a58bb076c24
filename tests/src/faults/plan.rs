//! What the proxy does to which request: rules per DynamoDB operation and table, each with a
//! rate and the faults to pick from, drawn from a seeded generator.
//!
//! A draw depends only on the seed, the rule, the operation, the table and how many requests
//! for that operation and table came before: never on how concurrent requests interleave, so
//! a plan injects the same faults into the same calls on every run.

use std::time::Duration;

/// Messages DynamoDB sends with its errors (from its error-handling documentation).
const THROTTLING_MESSAGE: &str = "Rate of requests exceeds the allowed throughput.";
const PROVISIONED_THROUGHPUT_MESSAGE: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
const REQUEST_LIMIT_MESSAGE: &str = "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase";
const INTERNAL_SERVER_ERROR_MESSAGE: &str =
    "The server encountered an internal error trying to fulfill the request.";
const SERVICE_UNAVAILABLE_MESSAGE: &str =
    "DynamoDB is currently unavailable. (This should be a temporary state.)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 `ThrottlingException`.
    Throttling,
    /// HTTP 400 `ProvisionedThroughputExceededException`.
    ProvisionedThroughputExceeded,
    /// HTTP 400 `RequestLimitExceeded`.
    RequestLimitExceeded,
    /// HTTP 500 `InternalServerError`.
    InternalServerError,
    /// HTTP 503 `ServiceUnavailable`.
    ServiceUnavailable,
    /// Any DynamoDB error: `code` without its namespace, e.g. `AccessDeniedException`.
    ServiceError {
        status: u16,
        code: String,
        message: String,
    },
    /// The request is read, then the connection is reset (RST) without an answer.
    ConnectionReset,
    /// The real answer, after this delay before its head.
    SlowHead(Duration),
    /// The real answer, its body written one byte at a time with this delay between bytes.
    SlowBody(Duration),
    /// The real answer's head (its full `Content-Length`), half its body, then the connection
    /// is closed.
    TruncatedBody,
    /// HTTP 200 with the real answer cut in half: a well-framed body that is not JSON.
    MalformedJson,
    /// HTTP 200 with a JSON body of this many bytes.
    HugeBody(usize),
    /// This status and body instead of the real answer, e.g. JSON with the wrong types.
    Answer { status: u16, body: String },
    /// Bytes that are not HTTP at all instead of an answer, then the connection is closed.
    NotHttp,
}

impl Fault {
    /// An error DynamoDB answers with HTTP 400, e.g. `AccessDeniedException`.
    pub fn client_error(code: &str, message: &str) -> Fault {
        Fault::ServiceError {
            status: 400,
            code: code.to_string(),
            message: message.to_string(),
        }
    }

    /// A DescribeTable answer whose `KeySchema` is a string.
    pub fn wrongly_typed() -> Fault {
        Fault::Answer {
            status: 200,
            body: r#"{"Table":{"KeySchema":"many"}}"#.to_string(),
        }
    }

    /// A well-formed DescribeTable answer for `table` (string key `id`) whose statistics are
    /// not counts: a negative `ItemCount`, a `TableSizeBytes` beyond 64 bits, and a string
    /// for a capacity.
    pub fn bad_statistics(table: &str) -> Fault {
        Fault::Answer {
            status: 200,
            body: serde_json::json!({"Table": {
                "TableName": table,
                "TableStatus": "ACTIVE",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "ItemCount": -7,
                "TableSizeBytes": 1e30,
                "ProvisionedThroughput": {"ReadCapacityUnits": "five", "WriteCapacityUnits": 5}
            }})
            .to_string(),
        }
    }

    /// The transient faults a busy DynamoDB produces: the three throttles, 500, 503, and a
    /// reset connection.
    pub fn transient_mix() -> Vec<Fault> {
        vec![
            Fault::Throttling,
            Fault::ProvisionedThroughputExceeded,
            Fault::RequestLimitExceeded,
            Fault::InternalServerError,
            Fault::ServiceUnavailable,
            Fault::ConnectionReset,
        ]
    }

    /// A short name for counting, e.g. `Throttling`, `AccessDeniedException`, `SlowHead`.
    pub fn name(&self) -> String {
        match self {
            Fault::Throttling => "Throttling".into(),
            Fault::ProvisionedThroughputExceeded => "ProvisionedThroughputExceeded".into(),
            Fault::RequestLimitExceeded => "RequestLimitExceeded".into(),
            Fault::InternalServerError => "InternalServerError".into(),
            Fault::ServiceUnavailable => "ServiceUnavailable".into(),
            Fault::ServiceError { code, .. } => code.clone(),
            Fault::ConnectionReset => "ConnectionReset".into(),
            Fault::SlowHead(_) => "SlowHead".into(),
            Fault::SlowBody(_) => "SlowBody".into(),
            Fault::TruncatedBody => "TruncatedBody".into(),
            Fault::MalformedJson => "MalformedJson".into(),
            Fault::HugeBody(_) => "HugeBody".into(),
            Fault::Answer { .. } => "Answer".into(),
            Fault::NotHttp => "NotHttp".into(),
        }
    }

    /// DynamoDB's answer for the error faults: status, code, message.
    pub fn error_answer(&self) -> Option<(u16, &str, &str)> {
        match self {
            Fault::Throttling => Some((400, "ThrottlingException", THROTTLING_MESSAGE)),
            Fault::ProvisionedThroughputExceeded => Some((
                400,
                "ProvisionedThroughputExceededException",
                PROVISIONED_THROUGHPUT_MESSAGE,
            )),
            Fault::RequestLimitExceeded => {
                Some((400, "RequestLimitExceeded", REQUEST_LIMIT_MESSAGE))
            }
            Fault::InternalServerError => {
                Some((500, "InternalServerError", INTERNAL_SERVER_ERROR_MESSAGE))
            }
            Fault::ServiceUnavailable => {
                Some((503, "ServiceUnavailable", SERVICE_UNAVAILABLE_MESSAGE))
            }
            Fault::ServiceError {
                status,
                code,
                message,
            } => Some((*status, code, message)),
            _ => None,
        }
    }

    /// Whether a client should count this answer as throttling.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self,
            Fault::Throttling | Fault::ProvisionedThroughputExceeded | Fault::RequestLimitExceeded
        )
    }
}

/// Which requests a rule applies to, how often, and with which faults.
#[derive(Debug, Clone)]
pub struct Rule {
    operation: Option<String>,
    table: Option<String>,
    rate: f64,
    faults: Vec<Fault>,
}

impl Rule {
    /// A rule for one operation, named as in `X-Amz-Target` after the dot (`DescribeTable`).
    /// It injects nothing until given faults with [`Rule::always`] or [`Rule::at_rate`].
    pub fn on(operation: &str) -> Rule {
        Rule {
            operation: Some(operation.to_string()),
            table: None,
            rate: 0.0,
            faults: Vec::new(),
        }
    }

    /// A rule for every operation.
    pub fn on_every_operation() -> Rule {
        Rule {
            operation: None,
            table: None,
            rate: 0.0,
            faults: Vec::new(),
        }
    }

    /// Only requests whose JSON body names this `TableName`.
    pub fn table(mut self, name: &str) -> Rule {
        self.table = Some(name.to_string());
        self
    }

    /// Every matching request gets this fault.
    pub fn always(mut self, fault: Fault) -> Rule {
        self.rate = 1.0;
        self.faults = vec![fault];
        self
    }

    /// A share `rate` (0 to 1) of the matching requests gets one of `faults`, each equally
    /// likely.
    pub fn at_rate(mut self, rate: f64, faults: impl IntoIterator<Item = Fault>) -> Rule {
        self.rate = rate.clamp(0.0, 1.0);
        self.faults = faults.into_iter().collect();
        self
    }

    fn matches(&self, operation: &str, table: Option<&str>) -> bool {
        self.operation.as_deref().is_none_or(|o| o == operation)
            && self.table.as_deref().is_none_or(|t| Some(t) == table)
    }
}

/// The whole behaviour of a proxy: a seed, an added latency, and rules, the first matching
/// rule deciding.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    seed: u64,
    latency: Duration,
    rules: Vec<Rule>,
}

impl Plan {
    /// A plan that injects nothing until given rules.
    pub fn seeded(seed: u64) -> Plan {
        Plan {
            seed,
            ..Plan::default()
        }
    }

    /// Every request waits this long before it is answered (or faulted), as a remote
    /// DynamoDB's round trip would.
    pub fn latency(mut self, latency: Duration) -> Plan {
        self.latency = latency;
        self
    }

    pub fn rule(mut self, rule: Rule) -> Plan {
        self.rules.push(rule);
        self
    }

    pub fn added_latency(&self) -> Duration {
        self.latency
    }

    /// The fault for the `nth` (from 0) request of `operation` on `table`, if any.
    pub fn decide(&self, operation: &str, table: Option<&str>, nth: u64) -> Option<Fault> {
        let (index, rule) = self
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(operation, table))?;
        if rule.faults.is_empty() {
            return None;
        }
        let draw = Draw::new(self.seed, index, operation, table, nth);
        let hit = rule.rate >= 1.0 || draw.unit() < rule.rate;
        hit.then(|| rule.faults[(draw.next() % rule.faults.len() as u64) as usize].clone())
    }
}

/// A random number from a request's identity: FNV-1a over the identity, then SplitMix64.
struct Draw(u64);

impl Draw {
    fn new(seed: u64, rule: usize, operation: &str, table: Option<&str>, nth: u64) -> Draw {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let identity = [
            &seed.to_le_bytes()[..],
            &(rule as u64).to_le_bytes(),
            operation.as_bytes(),
            &[0xff],
            table.unwrap_or("").as_bytes(),
            &[0xff, u8::from(table.is_some())],
            &nth.to_le_bytes(),
        ];
        for byte in identity.into_iter().flatten() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Draw(splitmix64(hash))
    }

    /// Uniform in [0, 1).
    fn unit(&self) -> f64 {
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn next(&self) -> u64 {
        splitmix64(self.0)
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mixed(seed: u64) -> Plan {
        Plan::seeded(seed).rule(Rule::on("DescribeTable").at_rate(0.3, Fault::transient_mix()))
    }

    fn decisions(plan: &Plan) -> Vec<Option<Fault>> {
        (0..200)
            .flat_map(|t| {
                let table = format!("t{t}");
                (0..3)
                    .map(|nth| plan.decide("DescribeTable", Some(&table), nth))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_same_seed_makes_the_same_decisions() {
        assert_eq!(decisions(&mixed(7)), decisions(&mixed(7)));
        assert_ne!(decisions(&mixed(7)), decisions(&mixed(8)));
    }

    #[test]
    fn the_rate_is_about_right_and_every_fault_is_drawn() {
        let all = decisions(&mixed(7));
        let hits: Vec<&Fault> = all.iter().flatten().collect();
        let share = hits.len() as f64 / all.len() as f64;
        assert!((0.25..0.35).contains(&share), "{share}");
        for fault in Fault::transient_mix() {
            assert!(hits.contains(&&fault), "{fault:?} never drawn");
        }
    }

    #[test]
    fn rules_match_operation_and_table_and_the_first_one_decides() {
        let plan = Plan::seeded(1)
            .rule(
                Rule::on("DescribeTable")
                    .table("a")
                    .always(Fault::TruncatedBody),
            )
            .rule(Rule::on("DescribeTable").always(Fault::InternalServerError))
            .rule(Rule::on_every_operation().always(Fault::ConnectionReset));
        assert_eq!(
            plan.decide("DescribeTable", Some("a"), 5),
            Some(Fault::TruncatedBody)
        );
        assert_eq!(
            plan.decide("DescribeTable", Some("b"), 0),
            Some(Fault::InternalServerError)
        );
        assert_eq!(
            plan.decide("ListTables", None, 0),
            Some(Fault::ConnectionReset)
        );
        assert_eq!(Plan::seeded(1).decide("ListTables", None, 0), None);
    }
}
