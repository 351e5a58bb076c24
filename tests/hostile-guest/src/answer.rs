//! The answers the guest returns: a small valid ingestion (one table for `well-behaved`, none
//! otherwise) carrying the observations as warnings, and their `test-connection` forms.

use crate::bindings::exports::catalog::connector::types::{
    CallStats, Column, ColumnConstraint, ConnectionCheck, ConnectorError, ConstraintType, DataType,
    Database, DatabaseSchema, DatabaseService, Failure, Ingestion, Table, TableConstraint,
    TableOutcome, TableStatus, TableType,
};
use crate::mode::Mode;
use crate::observations::Observations;
use crate::settings::Settings;

pub fn ingestion(settings: &Settings, observations: Observations) -> Ingestion {
    let service = format!("hostile-{}", settings.tenant);
    let database = format!("{service}.default");
    let schema = format!("{database}.default");
    let tables = match settings.mode {
        Mode::WellBehaved | Mode::TrapAfterBatch => {
            vec![table(&schema, &format!("{}_table", settings.tenant))]
        }
        _ => Vec::new(),
    };
    let outcomes = tables
        .iter()
        .map(|t| TableOutcome {
            name: t.name.clone(),
            status: TableStatus::Ingested,
        })
        .collect();
    Ingestion {
        service: DatabaseService {
            name: service.clone(),
            service_type: "DynamoDB".to_string(),
        },
        database: Database {
            name: "default".to_string(),
            fully_qualified_name: database.clone(),
            service,
        },
        schema: DatabaseSchema {
            name: "default".to_string(),
            fully_qualified_name: schema,
            database,
        },
        // Only the well-behaved listing is a listing; a probe's empty one must not read as
        // "every table is gone".
        listing_complete: settings.mode == Mode::WellBehaved,
        tables,
        outcomes,
        warnings: observations.into_warnings(),
        stats: CallStats {
            requests: 0,
            retries: 0,
            throttled: 0,
        },
    }
}

fn table(schema: &str, name: &str) -> Table {
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
        table_constraints: vec![TableConstraint {
            constraint_type: ConstraintType::PrimaryKey,
            columns: vec!["id".to_string()],
        }],
        source_url: None,
        tags: Vec::new(),
        profile: None,
        details: None,
        sampling: None,
    }
}

pub fn connection_check(settings: &Settings) -> ConnectionCheck {
    ConnectionCheck {
        endpoint: settings
            .allowed
            .as_ref()
            .map(|t| t.authority.clone())
            .unwrap_or_default(),
        region: "hostile".to_string(),
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
