//! The scope a workflow implies, and the check that a connector's run stays in it. The
//! workflow decides where a run writes, never the connector: the service is the workflow's
//! `serviceName`, the database its `databaseName` (or `default`), the schema `default`, and
//! every table sits in that schema. A connector that names anything else is refused before
//! anything is written, so that one tenant's connector cannot create or overwrite another's
//! service in OpenMetadata.

use crate::runtime::bindings::types::{RunScope, Table};
use crate::sanitize;
use crate::workflow::Workflow;

/// The database a workflow without `databaseName` catalogs, as OpenMetadata's connector names it.
pub const DEFAULT_DATABASE: &str = "default";
/// The one schema of a database whose source has no schemas, as OpenMetadata names it.
pub const SCHEMA: &str = "default";
/// OpenMetadata's `entityName`: 1 to 256 characters, no `::`.
const MAX_NAME_CHARS: usize = 256;

/// Names and FQNs of what a workflow's run may write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub service: String,
    /// The connector's service type (its manifest's).
    pub service_type: String,
    pub database: String,
    pub database_fqn: String,
    pub schema_fqn: String,
}

impl Scope {
    pub fn of(
        workflow: &Workflow,
        database_name: Option<&str>,
        service_type: &str,
    ) -> Result<Scope, String> {
        let service = workflow.service_name().to_string();
        let database = database_name
            .filter(|d| !d.trim().is_empty())
            .unwrap_or(DEFAULT_DATABASE)
            .to_string();
        check_name("service", &service)?;
        check_name("database", &database)?;
        let database_fqn = format!("{}.{}", quote(&service), quote(&database));
        let schema_fqn = format!("{database_fqn}.{}", quote(SCHEMA));
        Ok(Scope {
            service,
            service_type: service_type.to_string(),
            database,
            database_fqn,
            schema_fqn,
        })
    }

    /// Whether the connector's scope is this one; the error says what it named instead.
    pub fn check(&self, scope: &RunScope) -> Result<(), String> {
        let service_fqn = quote(&self.service);
        let expected = [
            (
                "service",
                scope.service.name.as_str(),
                self.service.as_str(),
            ),
            (
                "service type",
                &scope.service.service_type,
                &self.service_type,
            ),
            ("database", &scope.database.name, &self.database),
            ("database's service", &scope.database.service, &service_fqn),
            (
                "database's FQN",
                &scope.database.fully_qualified_name,
                &self.database_fqn,
            ),
            ("schema", &scope.schema.name, SCHEMA),
            (
                "schema's database",
                &scope.schema.database,
                &self.database_fqn,
            ),
            (
                "schema's FQN",
                &scope.schema.fully_qualified_name,
                &self.schema_fqn,
            ),
        ];
        for (what, named, expected) in expected {
            if named != expected {
                return Err(format!(
                    "the connector named {what} `{}` where the workflow implies `{}`: refused, nothing written",
                    sanitize::name(named),
                    sanitize::name(expected)
                ));
            }
        }
        Ok(())
    }

    /// Whether a table sits in this scope's schema under its own name.
    pub fn check_table(&self, table: &Table) -> Result<(), String> {
        if table.database_schema != self.schema_fqn {
            return Err(format!(
                "table `{}` claims schema `{}`, not this run's `{}`",
                sanitize::name(&table.name),
                sanitize::name(&table.database_schema),
                self.schema_fqn
            ));
        }
        let fqn = format!("{}.{}", self.schema_fqn, quote(&table.name));
        if table.fully_qualified_name != fqn {
            return Err(format!(
                "table `{}` claims the FQN `{}`, not `{fqn}`",
                sanitize::name(&table.name),
                sanitize::name(&table.fully_qualified_name)
            ));
        }
        Ok(())
    }
}

fn check_name(what: &str, name: &str) -> Result<(), String> {
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME_CHARS || name.contains("::") {
        return Err(format!(
            "the {what} name `{}` is not an OpenMetadata entity name (1 to {MAX_NAME_CHARS} characters, no `::`)",
            sanitize::name(name)
        ));
    }
    Ok(())
}

/// One FQN part as OpenMetadata quotes it (`fqn.quote_name`): a name holding a `.` is wrapped in
/// double quotes; one already wrapped keeps its quotes only when it needs them.
pub fn quote(name: &str) -> String {
    let bare = name
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| !inner.is_empty() && !inner.contains('"'))
        .unwrap_or(name);
    if bare.contains('.') {
        format!("\"{bare}\"")
    } else {
        bare.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::bindings::types::{Database, DatabaseSchema, DatabaseService};

    fn scope(service: &str, database: &str, schema: &str) -> RunScope {
        let database_fqn = format!("{}.{}", quote(service), quote(database));
        RunScope {
            service: DatabaseService {
                name: service.into(),
                service_type: "CustomDatabase".into(),
            },
            database: Database {
                name: database.into(),
                fully_qualified_name: database_fqn.clone(),
                service: quote(service),
            },
            schema: DatabaseSchema {
                name: schema.into(),
                fully_qualified_name: format!("{database_fqn}.{}", quote(schema)),
                database: database_fqn,
            },
        }
    }

    fn ours() -> Scope {
        Scope {
            service_type: "CustomDatabase".into(),
            service: "tenant_a".into(),
            database: "shop.eu".into(),
            database_fqn: "tenant_a.\"shop.eu\"".into(),
            schema_fqn: "tenant_a.\"shop.eu\".default".into(),
        }
    }

    #[test]
    fn another_service_type_is_refused() {
        let mut theirs = scope("tenant_a", "shop.eu", "default");
        theirs.service.service_type = "Mysql".into();
        let error = ours().check(&theirs).unwrap_err();
        assert!(error.contains("service type `Mysql`"), "{error}");
    }

    #[test]
    fn only_the_workflows_own_scope_passes() {
        assert_eq!(
            ours().check(&scope("tenant_a", "shop.eu", "default")),
            Ok(())
        );
        let hijack = ours()
            .check(&scope("other_tenant", "shop.eu", "default"))
            .unwrap_err();
        assert!(
            hijack.starts_with(
                "the connector named service `other_tenant` where the workflow implies `tenant_a`"
            ),
            "{hijack}"
        );
        assert!(
            ours()
                .check(&scope("tenant_a", "other", "default"))
                .is_err()
        );
        assert!(
            ours()
                .check(&scope("tenant_a", "shop.eu", "public"))
                .is_err()
        );
        let mut forged = scope("tenant_a", "shop.eu", "default");
        forged.database.service = "other_tenant".into();
        assert!(
            ours()
                .check(&forged)
                .unwrap_err()
                .contains("database's service")
        );
        let long = "x".repeat(2_000_000);
        let error = ours()
            .check(&scope(&long, "shop.eu", "default"))
            .unwrap_err();
        assert!(
            error.len() < 2_000,
            "the error repeats what it refuses: {} bytes",
            error.len()
        );
    }

    #[test]
    fn names_and_quoting_follow_openmetadata() {
        assert_eq!(quote("orders"), "orders");
        assert_eq!(quote("orders.v2"), "\"orders.v2\"");
        assert_eq!(quote("\"orders.v2\""), "\"orders.v2\"");
        assert_eq!(quote("\"orders\""), "orders");
        assert!(check_name("service", &"s".repeat(256)).is_ok());
        assert!(check_name("service", &"s".repeat(257)).is_err());
        assert!(check_name("service", "a::b").is_err());
        assert!(check_name("service", "").is_err());
    }
}
