//! The entity types the stand-in serves, and what OpenMetadata 1.3 says about each: its REST
//! collection, its create request, its parent, and the fields a GET returns only on request
//! (with the renames of later versions: `owner` → `owners` in 1.6, `domain` → `domains` in 1.9).

use super::server_version::ServerVersion;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    DatabaseService,
    Database,
    DatabaseSchema,
    Table,
    Classification,
    Tag,
}

impl EntityType {
    pub const ALL: [EntityType; 6] = [
        EntityType::DatabaseService,
        EntityType::Database,
        EntityType::DatabaseSchema,
        EntityType::Table,
        EntityType::Classification,
        EntityType::Tag,
    ];

    /// The `type` of an EntityReference, and the word in "<type> instance for <x> not found".
    pub fn name(self) -> &'static str {
        match self {
            EntityType::DatabaseService => "databaseService",
            EntityType::Database => "database",
            EntityType::DatabaseSchema => "databaseSchema",
            EntityType::Table => "table",
            EntityType::Classification => "classification",
            EntityType::Tag => "tag",
        }
    }

    /// The collection under `/api/v1/`.
    pub fn collection(self) -> &'static str {
        match self {
            EntityType::DatabaseService => "services/databaseServices",
            EntityType::Database => "databases",
            EntityType::DatabaseSchema => "databaseSchemas",
            EntityType::Table => "tables",
            EntityType::Classification => "classifications",
            EntityType::Tag => "tags",
        }
    }

    /// The JSON Schema of the create request.
    pub fn request_schema(self) -> &'static str {
        match self {
            EntityType::DatabaseService => "createDatabaseService",
            EntityType::Database => "createDatabase",
            EntityType::DatabaseSchema => "createDatabaseSchema",
            EntityType::Table => "createTable",
            EntityType::Classification => "createClassification",
            EntityType::Tag => "createTag",
        }
    }

    /// The create request's field naming the container, and the container's type.
    pub fn container(self) -> Option<(&'static str, EntityType)> {
        match self {
            EntityType::Database => Some(("service", EntityType::DatabaseService)),
            EntityType::DatabaseSchema => Some(("database", EntityType::Database)),
            EntityType::Table => Some(("databaseSchema", EntityType::DatabaseSchema)),
            EntityType::Tag => Some(("classification", EntityType::Classification)),
            EntityType::DatabaseService | EntityType::Classification => None,
        }
    }

    /// The query parameters that filter a list by an ancestor's FQN.
    pub fn list_filters(self) -> &'static [&'static str] {
        match self {
            EntityType::Database => &["service"],
            EntityType::DatabaseSchema => &["database"],
            EntityType::Table => &["databaseSchema", "database"],
            EntityType::Tag => &["parent"],
            EntityType::DatabaseService | EntityType::Classification => &[],
        }
    }

    /// The names `fields=` accepts (OpenMetadata 1.3's resource `FIELDS`); any other is a 400.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            EntityType::DatabaseService => &[
                "pipelines",
                "owner",
                "tags",
                "domain",
                "dataProducts",
                "followers",
            ],
            EntityType::Database => &[
                "owner",
                "databaseSchemas",
                "usageSummary",
                "location",
                "tags",
                "extension",
                "domain",
                "sourceHash",
                "dataProducts",
                "followers",
            ],
            EntityType::DatabaseSchema => &[
                "owner",
                "tables",
                "usageSummary",
                "tags",
                "extension",
                "domain",
                "sourceHash",
                "dataProducts",
                "followers",
            ],
            EntityType::Table => &[
                "tableConstraints",
                "tablePartition",
                "usageSummary",
                "owner",
                "customMetrics",
                "columns",
                "tags",
                "followers",
                "joins",
                "schemaDefinition",
                "dataModel",
                "extension",
                "testSuite",
                "domain",
                "dataProducts",
                "lifeCycle",
                "sourceHash",
                "profile",
                "tableProfilerConfig",
            ],
            EntityType::Classification => &["termCount", "usageCount"],
            EntityType::Tag => &["children", "usageCount", "domain"],
        }
    }

    /// The names `fields=` accepts on a server of `version`: [`fields`](Self::fields) with
    /// `owner` and `domain` renamed as that version renamed them.
    pub fn fields_in(self, version: ServerVersion) -> Vec<&'static str> {
        self.fields()
            .iter()
            .map(|&field| match field {
                "owner" if version.has_owners() => "owners",
                "domain" if version.has_domains() => "domains",
                other => other,
            })
            .collect()
    }

    /// Stored fields that a GET (one entity or a list) leaves out unless `fields=` names them;
    /// a PUT's answer has them all. `sourceHash` is one, as in OpenMetadata 1.3's repositories
    /// (`setSourceHash(fields.contains("sourceHash") ? ... : null)`). `owners` is the name of
    /// `owner` from 1.6 on; an entity holds only one of the two.
    pub fn requested_only(self) -> &'static [&'static str] {
        match self {
            EntityType::Table => &[
                "tags",
                "tableConstraints",
                "tablePartition",
                "owner",
                "owners",
                "sourceHash",
            ],
            EntityType::Database | EntityType::DatabaseSchema => {
                &["tags", "owner", "owners", "sourceHash"]
            }
            EntityType::DatabaseService => &["tags", "owner", "owners"],
            EntityType::Classification | EntityType::Tag => &[],
        }
    }

    /// Whether a 2.x server has `PUT …/bulk` and `DELETE …/deleteStale` for this type: the
    /// 2.0 sink sends databases, schemas and tables in bulk (services through single PUTs).
    pub fn has_bulk_routes(self) -> bool {
        matches!(
            self,
            EntityType::Database | EntityType::DatabaseSchema | EntityType::Table
        )
    }

    /// The entity types that can be contained, directly or not, in this one.
    pub fn descendants(self) -> &'static [EntityType] {
        match self {
            EntityType::DatabaseService => &[
                EntityType::Database,
                EntityType::DatabaseSchema,
                EntityType::Table,
            ],
            EntityType::Database => &[EntityType::DatabaseSchema, EntityType::Table],
            EntityType::DatabaseSchema => &[EntityType::Table],
            EntityType::Classification | EntityType::Tag => &[EntityType::Tag],
            EntityType::Table => &[],
        }
    }

    /// Which type a `/api/v1/...` path is about, and the rest of the path after the collection.
    pub fn from_path(path: &str) -> Option<(EntityType, &str)> {
        EntityType::ALL.into_iter().find_map(|kind| {
            let rest = path.strip_prefix(kind.collection())?;
            (rest.is_empty() || rest.starts_with('/')).then_some((kind, rest))
        })
    }
}
