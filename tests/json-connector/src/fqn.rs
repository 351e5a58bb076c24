//! Fully qualified names as OpenMetadata builds them: parts joined with `.`, a part that
//! contains a `.` wrapped in double quotes (`svc.default.default."orders.v2"`). A name with a
//! `"` inside cannot be quoted, and is refused where it is read.

use crate::bindings::exports::catalog::connector::types::{
    Database, DatabaseSchema, DatabaseService, RunScope,
};
use crate::schema::SERVICE_TYPE;

/// The database's and the schema's name.
pub const DEFAULT: &str = "default";

/// One FQN part, quoted if it contains a `.`.
pub fn quote(name: &str) -> String {
    if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

/// The service `service`, its database `default` and schema `default`.
pub fn scope(service: &str) -> RunScope {
    let service_fqn = quote(service);
    let database_fqn = format!("{service_fqn}.{DEFAULT}");
    let schema_fqn = format!("{database_fqn}.{DEFAULT}");
    RunScope {
        service: DatabaseService {
            name: service.to_string(),
            service_type: SERVICE_TYPE.to_string(),
        },
        database: Database {
            name: DEFAULT.to_string(),
            fully_qualified_name: database_fqn.clone(),
            service: service_fqn,
        },
        schema: DatabaseSchema {
            name: DEFAULT.to_string(),
            fully_qualified_name: schema_fqn,
            database: database_fqn,
        },
    }
}

/// A table's FQN in the schema `schema_fqn`.
pub fn table(schema_fqn: &str, name: &str) -> String {
    format!("{schema_fqn}.{}", quote(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_with_a_dot_are_quoted() {
        assert_eq!(quote("orders"), "orders");
        assert_eq!(quote("orders.v2"), "\"orders.v2\"");
        assert_eq!(quote(".x."), "\".x.\"");
    }

    #[test]
    fn the_scope_is_the_service_and_its_default_database_and_schema() {
        let scope = scope("docs");
        assert_eq!(scope.service.name, "docs");
        assert_eq!(scope.service.service_type, "CustomDatabase");
        assert_eq!(scope.database.name, "default");
        assert_eq!(scope.database.fully_qualified_name, "docs.default");
        assert_eq!(scope.database.service, "docs");
        assert_eq!(scope.schema.fully_qualified_name, "docs.default.default");
        assert_eq!(scope.schema.database, "docs.default");
        assert_eq!(
            table(&scope.schema.fully_qualified_name, "orders"),
            "docs.default.default.orders"
        );
    }

    #[test]
    fn a_dotted_service_and_table_are_quoted_everywhere() {
        let scope = scope("json.docs");
        assert_eq!(scope.service.name, "json.docs");
        assert_eq!(scope.database.service, "\"json.docs\"");
        assert_eq!(scope.database.fully_qualified_name, "\"json.docs\".default");
        assert_eq!(
            table(&scope.schema.fully_qualified_name, "orders.v2"),
            "\"json.docs\".default.default.\"orders.v2\""
        );
    }
}
