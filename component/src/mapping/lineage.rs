//! Lineage from a table to what other OpenMetadata connectors catalog of the same account: the
//! Kinesis data streams it streams its changes to (topics of the messaging service that
//! OpenMetadata's Kinesis connector made, named by stream) and the S3 buckets it was exported to
//! (containers of the storage service that its S3 connector made, named by bucket). The
//! configuration names each service; without it there is no edge.

use super::description::code_span;
use crate::catalog::{KinesisDestination, LineageEdge, LineageEntity};
use crate::dynamodb::model::ExportOutput;
use crate::fqn;

/// Edges per table at most, of each kind.
pub const MAX_EDGES: usize = 8;

/// An edge to each stream the table's changes go to (not one that is off or failed).
pub fn kinesis(service: &str, destinations: &[KinesisDestination]) -> Vec<LineageEdge> {
    let mut edges: Vec<LineageEdge> = Vec::new();
    for d in destinations {
        if matches!(
            d.status.as_deref(),
            Some("DISABLED" | "DISABLING" | "ENABLE_FAILED")
        ) {
            continue;
        }
        let Some(stream) = stream_name(&d.stream_arn) else {
            continue;
        };
        push(
            &mut edges,
            LineageEntity::Topic,
            service,
            stream,
            format!(
                "DynamoDB copies the table's item changes to this Kinesis data stream ({}).",
                code_span(&d.stream_arn)
            ),
        );
    }
    edges
}

/// An edge to each bucket the table was exported to.
pub fn s3(service: &str, exports: &[ExportOutput]) -> Vec<LineageEdge> {
    let mut edges: Vec<LineageEdge> = Vec::new();
    for e in exports {
        let location = match e.prefix.as_deref().filter(|p| !p.is_empty()) {
            Some(prefix) => format!("s3://{}/{prefix}", e.bucket),
            None => format!("s3://{}", e.bucket),
        };
        push(
            &mut edges,
            LineageEntity::Container,
            service,
            &e.bucket,
            format!(
                "The table is exported to this S3 bucket (ExportTableToPointInTime, {}).",
                code_span(&location)
            ),
        );
    }
    edges
}

fn push(
    edges: &mut Vec<LineageEdge>,
    entity_type: LineageEntity,
    service: &str,
    name: &str,
    description: String,
) {
    let Ok(fully_qualified_name) = fqn::build(&[service, name]) else {
        return;
    };
    if edges.len() < MAX_EDGES
        && edges
            .iter()
            .all(|e| e.fully_qualified_name != fully_qualified_name)
    {
        edges.push(LineageEdge {
            entity_type,
            fully_qualified_name,
            description,
        });
    }
}

/// `orders` of `arn:aws:kinesis:us-east-1:123456789012:stream/orders`.
fn stream_name(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_word, _partition, service) = (parts.next()?, parts.next()?, parts.next()?);
    let resource = parts.nth(2)?;
    let name = resource.strip_prefix("stream/")?;
    (arn_word == "arn" && service == "kinesis" && !name.is_empty() && !name.contains('/'))
        .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destination(arn: &str, status: &str) -> KinesisDestination {
        KinesisDestination {
            stream_arn: arn.into(),
            status: Some(status.into()),
            precision: None,
        }
    }

    #[test]
    fn an_active_stream_is_an_edge_to_its_topic() {
        let edges = kinesis(
            "kinesis_prod",
            &[
                destination(
                    "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes",
                    "ACTIVE",
                ),
                destination("arn:aws:kinesis:us-east-1:1:stream/old", "DISABLED"),
                destination("arn:aws:kinesis:us-east-1:1:stream/failed", "ENABLE_FAILED"),
                destination("arn:aws:sqs:us-east-1:1:queue", "ACTIVE"),
                destination("arn:aws-cn:kinesis:cn-north-1:1:stream/a.b", "ENABLING"),
            ],
        );
        let fqns: Vec<&str> = edges
            .iter()
            .map(|e| e.fully_qualified_name.as_str())
            .collect();
        assert_eq!(
            fqns,
            ["kinesis_prod.orders-changes", "kinesis_prod.\"a.b\""]
        );
        assert_eq!(edges[0].entity_type, LineageEntity::Topic);
        assert!(edges[0].description.contains("stream/orders-changes`"));
    }

    #[test]
    fn exports_are_one_edge_per_bucket() {
        let export = |bucket: &str, prefix: Option<&str>| ExportOutput {
            bucket: bucket.into(),
            prefix: prefix.map(String::from),
        };
        let edges = s3(
            "s3 prod",
            &[
                export("exports", Some("ddb/orders")),
                export("exports", Some("ddb/orders-2")),
                export("archive", None),
            ],
        );
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0].fully_qualified_name, "s3 prod.exports");
        assert_eq!(edges[0].entity_type, LineageEntity::Container);
        assert!(edges[0].description.contains("`s3://exports/ddb/orders`"));
        assert_eq!(edges[1].fully_qualified_name, "s3 prod.archive");
    }

    #[test]
    fn edges_are_bounded() {
        let many: Vec<ExportOutput> = (0..50)
            .map(|i| ExportOutput {
                bucket: format!("b{i}"),
                prefix: None,
            })
            .collect();
        assert_eq!(s3("s", &many).len(), MAX_EDGES);
    }
}
