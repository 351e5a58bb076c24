//! The table description OpenMetadata shows: a readable Markdown summary of what DescribeTable
//! says. It holds nothing that changes between two reads of an unchanged table, so that the
//! request's `sourceHash` stays the same.

use super::Keys;
use crate::catalog::{Column, DynamoDbTable, IndexKind};
use crate::catalog::{SamplingLimit, SamplingReport};
use std::fmt::Write;

pub fn markdown(keys: &Keys, columns: &[Column], d: &DynamoDbTable) -> String {
    let type_of = |name: &str| {
        columns
            .iter()
            .find(|c| c.name == name && c.parent.is_none())
            .map_or("unknown", |c| c.data_type.display_name())
    };
    let mut out = format!(
        "DynamoDB table with partition key {} ({})",
        code(&keys.partition),
        type_of(&keys.partition)
    );
    if let Some(sort) = &keys.sort {
        let _ = write!(out, " and sort key {} ({})", code(sort), type_of(sort));
    }
    out.push_str(".\n\n| Property | Value |\n|---|---|\n");
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "| {name} | {value} |");
    };
    if let Some(status) = &d.status {
        row("Status", status.clone());
    }
    row(
        "Capacity",
        match (&d.throughput, d.billing_mode.as_str()) {
            (_, "PAY_PER_REQUEST") => match d.on_demand_limits {
                Some(limits) => format!(
                    "On-demand (PAY_PER_REQUEST), at most {} read / {} write request units per second",
                    limits
                        .max_read_request_units
                        .map_or("unlimited".into(), thousands),
                    limits
                        .max_write_request_units
                        .map_or("unlimited".into(), thousands)
                ),
                None => "On-demand (PAY_PER_REQUEST)".to_string(),
            },
            (Some(t), _) => format!(
                "Provisioned: {} read / {} write capacity units",
                t.read_capacity_units, t.write_capacity_units
            ),
            (None, mode) => escape(mode),
        },
    );
    if let Some(items) = d.item_count {
        row("Items", thousands(items));
    }
    if let Some(size) = d.size_bytes {
        row("Size", bytes(size));
    }
    if let Some(class) = &d.table_class {
        row("Table class", escape(class));
    }
    if let Some(warm) = &d.warm_throughput {
        row(
            "Warm throughput",
            format!(
                "{} read / {} write units per second",
                thousands(warm.read_units_per_second),
                thousands(warm.write_units_per_second)
            ),
        );
    }
    row(
        "Stream",
        match &d.stream {
            Some(s) if s.enabled => s
                .view_type
                .as_deref()
                .map_or_else(|| "Enabled".to_string(), |v| format!("Enabled ({v})")),
            _ => "Disabled".to_string(),
        },
    );
    row(
        "Encryption",
        match &d.encryption {
            Some(e) if e.sse_type.as_deref() == Some("KMS") => match &e.kms_key_arn {
                Some(arn) => format!("AWS KMS key {}", code(arn)),
                None => "AWS KMS key".to_string(),
            },
            Some(e) if e.status != "ENABLED" => format!("Server-side encryption {}", e.status),
            _ => "AWS owned key (default)".to_string(),
        },
    );
    row(
        "Deletion protection",
        if d.deletion_protection {
            "Enabled"
        } else {
            "Disabled"
        }
        .to_string(),
    );
    if let Some(created) = &d.creation_date_time {
        row("Created", created.clone());
    }
    if !d.replicas.is_empty() {
        let replicas: Vec<String> = d
            .replicas
            .iter()
            .map(|r| {
                let about: Vec<&str> = [r.status.as_deref(), r.table_class.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                if about.is_empty() {
                    escape(&r.region)
                } else {
                    format!("{} ({})", escape(&r.region), escape(&about.join(", ")))
                }
            })
            .collect();
        row("Replicas (global table)", replicas.join(", "));
    }
    if let Some(arn) = &d.table_arn {
        row("ARN", code(arn));
    }
    if d.item_count.is_some() || d.size_bytes.is_some() {
        out.push_str(
            "\nItem count and size are DynamoDB's estimates, refreshed about every six hours.\n",
        );
    }
    if !d.indexes.is_empty() {
        out.push_str(
            "\n### Secondary indexes\n\n\
             | Index | Kind | Partition key | Sort key | Projection | Items | Size |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for index in &d.indexes {
            let projection = if index.non_key_attributes.is_empty() {
                escape(&index.projection_type)
            } else {
                format!(
                    "{} ({})",
                    escape(&index.projection_type),
                    index
                        .non_key_attributes
                        .iter()
                        .map(|a| code(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                code(&index.name),
                match index.kind {
                    IndexKind::Global => "Global",
                    IndexKind::Local => "Local",
                },
                code(&index.partition_key),
                index.sort_key.as_deref().map(code).unwrap_or_default(),
                projection,
                index.item_count.map(thousands).unwrap_or_default(),
                index.size_bytes.map(bytes).unwrap_or_default(),
            );
        }
    }
    out
}

/// An inline code span that survives any name inside a table cell.
/// `text` as Markdown code, whatever backticks or pipes it holds.
pub fn code_span(text: &str) -> String {
    code(text)
}

pub(super) fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

pub(super) fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

pub(super) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{} {}", one_decimal(value), UNITS[unit])
}

/// `x` with one decimal, rounded (`3.45` → `3.5`), written without the float formatting
/// machinery (which would weigh more in the component than all of this file).
pub fn one_decimal(x: f64) -> String {
    let tenths = (x.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A paragraph saying how a table's items were sampled and which limits applied.
pub fn sampling_paragraph(report: &SamplingReport) -> String {
    let limits: Vec<&str> = report
        .limits
        .iter()
        .map(|l| match l {
            SamplingLimit::SampleSize => "the sample size",
            SamplingLimit::ReadCapacity => "the read capacity cap",
            SamplingLimit::ReadRate => "the read rate (waits between pages)",
            SamplingLimit::Converged => "no new attribute in the last items",
            SamplingLimit::PageLimit => "the page limit",
            SamplingLimit::ColumnCap => "the column cap",
            SamplingLimit::Time => "the time per table",
        })
        .collect();
    format!(
        "\n\nSampled {} items from {} of {} parallel-scan segments ({} Scan requests, {} read capacity units){}.",
        thousands(u64::from(report.items)),
        report.segments_read,
        report.total_segments,
        report.scan_requests,
        one_decimal(report.consumed_capacity),
        if limits.is_empty() {
            ": the whole table".to_string()
        } else {
            format!("; stopped by {}", limits.join(", "))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{
        DataType, OnDemandLimits, Replica, SecondaryIndex, StreamSettings, WarmThroughput,
    };

    fn column(name: &str, data_type: DataType) -> Column {
        Column::new(name, data_type, data_type.display_name(), 1)
    }

    fn details() -> DynamoDbTable {
        DynamoDbTable {
            table_arn: Some("arn:aws:dynamodb:us-east-1:1:table/t".into()),
            table_id: None,
            status: Some("ACTIVE".into()),
            creation_date_time: Some("2024-03-01T12:00:00.000Z".into()),
            billing_mode: "PAY_PER_REQUEST".into(),
            throughput: None,
            indexes: vec![SecondaryIndex {
                name: "by|pipe".into(),
                kind: IndexKind::Global,
                partition_key: "g".into(),
                sort_key: None,
                projection_type: "INCLUDE".into(),
                non_key_attributes: vec!["a".into()],
                status: None,
                item_count: Some(1234567),
                size_bytes: Some(5 * 1024 * 1024),
                throughput: None,
            }],
            stream: Some(StreamSettings {
                enabled: true,
                view_type: Some("NEW_IMAGE".into()),
                arn: None,
            }),
            encryption: None,
            table_class: Some("STANDARD".into()),
            deletion_protection: true,
            item_count: Some(1234567),
            size_bytes: Some(2048),
            replicas: vec![
                Replica {
                    region: "us-east-1".into(),
                    status: Some("ACTIVE".into()),
                    table_class: None,
                },
                Replica {
                    region: "eu-west-1".into(),
                    status: Some("CREATING".into()),
                    table_class: Some("STANDARD_INFREQUENT_ACCESS".into()),
                },
            ],
            on_demand_limits: Some(OnDemandLimits {
                max_read_request_units: Some(4000),
                max_write_request_units: None,
            }),
            warm_throughput: Some(WarmThroughput {
                read_units_per_second: 12000,
                write_units_per_second: 4000,
                status: Some("ACTIVE".into()),
            }),
            ..DynamoDbTable::default()
        }
    }

    #[test]
    fn summary_reads_well() {
        let keys = Keys {
            partition: "pk".into(),
            sort: Some("sk".into()),
        };
        let md = markdown(
            &keys,
            &[
                column("pk", DataType::String),
                column("sk", DataType::Number),
            ],
            &details(),
        );
        assert!(md.starts_with(
            "DynamoDB table with partition key `pk` (string) and sort key `sk` (number).\n"
        ));
        assert!(md.contains(
            "| Capacity | On-demand (PAY_PER_REQUEST), at most 4,000 read / unlimited write request units per second |"
        ));
        assert!(md.contains("| Warm throughput | 12,000 read / 4,000 write units per second |"));
        assert!(md.contains(
            "| Replicas (global table) | us-east-1 (ACTIVE), eu-west-1 (CREATING, STANDARD_INFREQUENT_ACCESS) |"
        ));
        assert!(md.contains("| Items | 1,234,567 |"));
        assert!(md.contains("| Size | 2.0 KiB |"));
        assert!(md.contains("| Stream | Enabled (NEW_IMAGE) |"));
        assert!(md.contains("| Encryption | AWS owned key (default) |"));
        assert!(md.contains("| Deletion protection | Enabled |"));
        assert!(
            md.contains("| `by\\|pipe` | Global | `g` |  | INCLUDE (`a`) | 1,234,567 | 5.0 MiB |")
        );
    }

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
