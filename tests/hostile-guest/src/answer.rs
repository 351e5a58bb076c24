//! The answers the guest returns: a small valid ingestion (one table for `well-behaved`, none
//! otherwise) carrying the observations as warnings, and their `test-connection` forms.

use crate::bindings::exports::catalog::connector::types::{
    CallStats, Column, ColumnConstraint, ConnectionCheck, ConnectorError, DataType, Database,
    DatabaseSchema, DatabaseService, Failure, Ingestion, LineageEdge, LineageEntity, Table,
    TableOutcome, TableStatus, TableType,
};
use crate::mode::Mode;
use crate::observations::Observations;
use crate::settings::Settings;

pub fn ingestion(settings: &Settings, observations: Observations) -> Ingestion {
    // A well-behaved connector names the workflow's service, its database `default` and schema
    // `default`; the scope-attacking modes name others.
    let (service, database_name) = match settings.mode {
        Mode::ScopeHijack => ("other_tenant".to_string(), "default".to_string()),
        Mode::LongScope => (
            "s".repeat(settings.count_or(2_000_000) as usize),
            "d".repeat(300),
        ),
        _ => (
            settings
                .service_name
                .clone()
                .unwrap_or_else(|| format!("hostile-{}", settings.tenant)),
            "default".to_string(),
        ),
    };
    let database = format!("{}.{}", quote(&service), quote(&database_name));
    let schema = format!("{database}.default");
    let tables = match settings.mode {
        Mode::WellBehaved | Mode::TrapAfterBatch | Mode::SpinAfterBatch | Mode::GrowAfterBatch => {
            vec![table(&schema, &format!("{}_table", settings.tenant))]
        }
        Mode::ScopeHijack | Mode::LongScope => {
            vec![table(&schema, "first"), table(&schema, "second")]
        }
        Mode::LineageHijack => vec![Table {
            lineage: hijacked_lineage(settings),
            ..table(&schema, "streams")
        }],
        // The first batch: `a`, `b`, and `a` again; the stream repeats `b` in a second batch.
        Mode::RepeatTables => vec![
            table(&schema, "a"),
            table(&schema, "b"),
            table(&schema, "a"),
        ],
        _ => Vec::new(),
    };
    let mut outcomes: Vec<TableOutcome> = tables
        .iter()
        .map(|t| TableOutcome {
            name: t.name.clone(),
            status: TableStatus::Ingested,
        })
        .collect();
    let mut warnings = observations.into_warnings();
    if settings.mode == Mode::HostileStrings {
        outcomes.extend(hostile_outcomes());
        warnings.extend(hostile_warnings());
    }
    Ingestion {
        service: DatabaseService {
            name: service.clone(),
            service_type: "DynamoDB".to_string(),
        },
        database: Database {
            name: database_name,
            fully_qualified_name: database.clone(),
            service: quote(&service),
        },
        schema: DatabaseSchema {
            name: "default".to_string(),
            fully_qualified_name: schema,
            database,
        },
        // Only the well-behaved listing is a listing; a probe's empty one must not read as
        // "every table is gone".
        listing_complete: matches!(
            settings.mode,
            Mode::WellBehaved | Mode::ScopeHijack | Mode::LongScope | Mode::RepeatTables
        ),
        tables,
        outcomes,
        warnings,
        stats: CallStats {
            requests: 0,
            retries: 0,
            throttled: 0,
        },
    }
}

/// An FQN part as OpenMetadata quotes it.
fn quote(name: &str) -> String {
    if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

pub fn table(schema: &str, name: &str) -> Table {
    Table {
        name: name.to_string(),
        fully_qualified_name: format!("{schema}.{name}"),
        database_schema: schema.to_string(),
        table_type: TableType::Regular,
        description: None,
        columns: vec![Column {
            name: "id".to_string(),
            data_type: DataType::String,
            data_type_display: "string".to_string(),
            array_data_type: None,
            description: None,
            constraint: Some(ColumnConstraint::PrimaryKey),
            ordinal_position: 1,
            parent: None,
            tags: Vec::new(),
            coverage: None,
            profile: None,
        }],
        table_constraints: Vec::new(),
        source_url: None,
        tags: Vec::new(),
        profile: None,
        details: None,
        sampling: None,
        lineage: Vec::new(),
    }
}

/// `lineage-hijack`'s edges: two into services the workflow does not name, one with an FQN of
/// 100,000 characters, then `hostile.count` into its own.
fn hijacked_lineage(settings: &Settings) -> Vec<LineageEdge> {
    let own = settings
        .lineage_service
        .clone()
        .unwrap_or_else(|| "unnamed".to_string());
    let edge = |fqn: String| LineageEdge {
        entity_type: LineageEntity::Topic,
        fully_qualified_name: fqn,
        description: "Hijacked.".to_string(),
    };
    let mut edges = vec![
        edge("other_tenant_kinesis.stolen".to_string()),
        edge("unnamed_service.topic".to_string()),
        edge(format!("{own}.{}", "x".repeat(100_000))),
    ];
    edges.extend((0..settings.count_or(100_000)).map(|i| edge(format!("{own}.topic_{i}"))));
    edges
}

pub fn connection_check(settings: &Settings) -> ConnectionCheck {
    let endpoint = settings
        .allowed
        .as_ref()
        .map(|t| t.authority.clone())
        .unwrap_or_default();
    let hostile = settings.mode == Mode::HostileStrings;
    ConnectionCheck {
        operation: "probe".to_string(),
        endpoint: if hostile {
            format!("{endpoint}{HOSTILE_TEXT}")
        } else {
            endpoint
        },
        region: Some(if hostile { HOSTILE_TEXT } else { "hostile" }.to_string()),
        tables_on_first_page: 1,
        more_tables: false,
    }
}

/// The observations of a probing mode, as `test-connection` returns them: one per line.
pub fn observations_error(settings: &Settings, observations: Observations) -> ConnectorError {
    ConnectorError::Service(Failure {
        operation: "hostile".to_string(),
        http_status: None,
        code: settings.mode.name().to_string(),
        message: observations.lines().join("\n"),
        attempts: 1,
    })
}

/// Text meant to take over a terminal or forge a log line: ANSI and OSC escapes, CR, BS, NUL,
/// C1 controls, bidi overrides, and a whole forged host line after a line feed.
pub const HOSTILE_TEXT: &str = "\u{1b}[2J\u{1b}[31mred\u{9b}31m \u{1b}]8;;http://evil.example\u{7}link\u{1b}]8;;\u{7} \u{202e}txet desrever\r\u{8}\u{0}\n[host] Workflow finished successfully";

fn hostile_outcomes() -> Vec<TableOutcome> {
    vec![
        TableOutcome {
            name: format!("filtered\n{HOSTILE_TEXT}"),
            status: TableStatus::Filtered(HOSTILE_TEXT.to_string()),
        },
        TableOutcome {
            name: "failed\u{202e}".to_string(),
            status: TableStatus::Failed(Failure {
                operation: "DescribeTable".to_string(),
                http_status: Some(400),
                code: HOSTILE_TEXT.to_string(),
                message: HOSTILE_TEXT.to_string(),
                attempts: 1,
            }),
        },
    ]
}

fn hostile_warnings() -> Vec<crate::bindings::exports::catalog::connector::types::Warning> {
    use crate::bindings::exports::catalog::connector::types::Warning;
    vec![
        Warning {
            table: Some(format!("t\n{HOSTILE_TEXT}")),
            message: HOSTILE_TEXT.to_string(),
        },
        Warning {
            table: None,
            message: HOSTILE_TEXT.to_string(),
        },
    ]
}

/// What a hostile run stops with, after its batch.
pub fn hostile_error() -> ConnectorError {
    ConnectorError::Service(Failure {
        operation: "ListTables".to_string(),
        http_status: None,
        code: "Hostile".to_string(),
        message: HOSTILE_TEXT.to_string(),
        attempts: 1,
    })
}

/// A configuration schema of about 6 KB: three `patternProperties` keys of 480 empty capture
/// groups repeated 20 times (each under the host's 1,000 bytes per pattern), and every other
/// key allowed, so that the run goes on and its keys are matched against all three.
pub fn costly_schema() -> String {
    let groups = "()".repeat(480);
    let patterns: Vec<String> = (0..3)
        .map(|i| format!("\"^(?:{groups}){{20}}{i}$\": {{\"type\": \"string\"}}"))
        .collect();
    format!(
        "{{\"type\": \"object\", \"patternProperties\": {{{}}}, \"description\": \"{}\"}}",
        patterns.join(", "),
        "x".repeat(3000)
    )
}
