//! The entities the stand-in holds, kept as OpenMetadata keeps them: one per type and FQN,
//! created by a PUT or POST of a create request (or a row of a bulk PUT), versioned (0.1, then
//! +0.1 for each change of content), soft-deleted and restored, hard-deleted; the order they
//! were created in; and the table profiles received.

use super::entity_type::EntityType;
use super::error::ApiError;
use super::{fqn, ids};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// The user that the ingestion bot's token stands for.
pub(crate) const UPDATED_BY: &str = "ingestion-bot";

/// Fields the server sets; all others are the content whose change makes a new version.
const SERVER_FIELDS: &[&str] = &["id", "version", "updatedAt", "updatedBy", "href", "deleted"];

/// OpenMetadata's `include` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Include {
    NonDeleted,
    Deleted,
    All,
}

impl Include {
    pub fn parse(text: &str) -> Option<Include> {
        match text {
            "non-deleted" => Some(Include::NonDeleted),
            "deleted" => Some(Include::Deleted),
            "all" => Some(Include::All),
            _ => None,
        }
    }

    pub fn admits(self, entity: &Value) -> bool {
        let deleted = is_deleted(entity);
        match self {
            Include::NonDeleted => !deleted,
            Include::Deleted => deleted,
            Include::All => true,
        }
    }
}

pub(crate) fn is_deleted(entity: &Value) -> bool {
    entity["deleted"] == true
}

/// The latest table and column profiles of a table (by timestamp; a tie goes to the later).
#[derive(Debug, Default)]
struct LatestProfile {
    table: Option<Value>,
    columns: BTreeMap<String, Value>,
}

#[derive(Debug)]
pub(crate) struct Store {
    /// `http(s)://127.0.0.1:<port>/api`, the base of every `href`.
    base_url: String,
    entities: BTreeMap<EntityType, BTreeMap<String, Value>>,
    ids: HashMap<String, (EntityType, String)>,
    latest_profiles: HashMap<String, LatestProfile>,
    /// Every profile request accepted: (table FQN, body).
    profile_history: Vec<(String, Value)>,
    /// Each entity created, in order (a hard-deleted one created again comes again): shows
    /// that containers were stored before what they contain.
    created: Vec<(EntityType, String)>,
    /// Entities of other services (topics, containers) by (type, FQN): the tests seed them
    /// as other connectors would have made them.
    others: BTreeMap<(String, String), Value>,
    /// Lineage edges, one per (from id, to id): `LineageRepository.addLineage` upserts the
    /// relationship, so adding an edge again changes nothing but its details.
    lineage: BTreeMap<(String, String), Value>,
}

impl Store {
    pub fn new(base_url: &str) -> Store {
        Store {
            base_url: base_url.to_string(),
            entities: EntityType::ALL
                .into_iter()
                .map(|kind| (kind, BTreeMap::new()))
                .collect(),
            ids: HashMap::new(),
            latest_profiles: HashMap::new(),
            profile_history: Vec::new(),
            created: Vec::new(),
            others: BTreeMap::new(),
            lineage: BTreeMap::new(),
        }
    }

    /// Adds an entity of another service (`topic`, `container`) under `fqn`; returns its id.
    pub fn add_other(&mut self, kind: &str, fqn: &str) -> String {
        let id = ids::uuid_v4();
        let name = fqn.rsplit('.').next().unwrap_or(fqn).trim_matches('"');
        self.others.insert(
            (kind.to_string(), fqn.to_string()),
            serde_json::json!({"id": id, "name": name, "fullyQualifiedName": fqn}),
        );
        id
    }

    pub fn other(&self, kind: &str, fqn: &str) -> Option<&Value> {
        self.others.get(&(kind.to_string(), fqn.to_string()))
    }

    /// Adds an edge (a schema-valid `EntitiesEdge`): both ends must exist, as the server's
    /// `EntityRepository.get` of each reference requires (404 otherwise).
    pub fn add_lineage(&mut self, edge: &Value) -> Result<(), ApiError> {
        let mut ids_of = Vec::new();
        for end in ["fromEntity", "toEntity"] {
            let kind = edge[end]["type"].as_str().unwrap_or_default();
            let id = edge[end]["id"].as_str().unwrap_or_default();
            let known = match self.ids.get(id) {
                Some((entity_type, _)) => entity_type.name() == kind,
                None => self
                    .others
                    .iter()
                    .any(|((k, _), e)| k == kind && e["id"] == id),
            };
            if !known {
                return Err(ApiError::not_found_named(kind, id));
            }
            ids_of.push(id.to_string());
        }
        self.lineage
            .insert((ids_of[0].clone(), ids_of[1].clone()), edge.clone());
        Ok(())
    }

    /// Every lineage edge: (from id, to id, the edge as last sent).
    pub fn lineage(&self) -> Vec<(String, String, Value)> {
        self.lineage
            .iter()
            .map(|((from, to), edge)| (from.clone(), to.clone(), edge.clone()))
            .collect()
    }

    /// Creates or updates the entity a (schema-valid) create request describes; returns it and
    /// whether it was created.
    pub fn upsert(
        &mut self,
        kind: EntityType,
        request: &Value,
        now: u64,
    ) -> Result<(Value, bool), ApiError> {
        let content = self.content_from(kind, request)?;
        let fqn = content["fullyQualifiedName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (id, version, created) = match self.entities[&kind].get(&fqn) {
            None => (ids::uuid_v4(), 1, true),
            Some(old) => {
                if !is_deleted(old) && content_of(old) == content {
                    return Ok((old.clone(), false));
                }
                let id = old["id"].as_str().unwrap_or_default().to_string();
                (id, version_tenths(old) + 1, false)
            }
        };
        let entity = self.stamped(kind, &id, content, version, now, false);
        if created {
            self.created.push((kind, fqn.clone()));
        }
        self.ids.insert(id, (kind, fqn.clone()));
        self.entities_mut(kind).insert(fqn, entity.clone());
        Ok((entity, created))
    }

    /// The FQN a create request gives its entity; its container must exist and be live.
    pub fn fqn_for(&self, kind: EntityType, request: &Value) -> Result<String, ApiError> {
        let name = request["name"].as_str().unwrap_or_default();
        match self.container(kind, request)? {
            Some((_, c)) => fqn::add(c["fullyQualifiedName"].as_str().unwrap_or_default(), name),
            None => fqn::quote_name(name),
        }
        .map_err(ApiError::bad_request)
    }

    /// Each entity created so far, in order, with its type.
    pub fn creation_order(&self) -> &[(EntityType, String)] {
        &self.created
    }

    /// Whether an entity (deleted or not) of this type has the FQN a create request gives it.
    pub fn exists(&self, kind: EntityType, request: &Value) -> Result<bool, ApiError> {
        let content = self.content_from(kind, request)?;
        let fqn = content["fullyQualifiedName"].as_str().unwrap_or_default();
        Ok(self.entities[&kind].contains_key(fqn))
    }

    pub fn by_fqn(&self, kind: EntityType, fqn: &str) -> Option<&Value> {
        let fqn = fqn::normalize(fqn).ok()?;
        self.entities[&kind].get(&fqn)
    }

    pub fn by_id(&self, id: &str) -> Option<(EntityType, &Value)> {
        let (kind, fqn) = self.ids.get(id)?;
        Some((*kind, &self.entities[kind][fqn]))
    }

    /// A live (not deleted) entity, or OpenMetadata's 404 for it.
    fn live(&self, kind: EntityType, fqn: &str) -> Result<&Value, ApiError> {
        self.by_fqn(kind, fqn)
            .filter(|e| !is_deleted(e))
            .ok_or_else(|| ApiError::not_found(kind, fqn))
    }

    /// All entities of a type in FQN order, deleted ones too.
    pub fn all(&self, kind: EntityType) -> impl Iterator<Item = &Value> {
        self.entities[&kind].values()
    }

    /// The entities of a type under every ancestor FQN given, that `include` admits, in FQN
    /// order.
    pub fn list(&self, kind: EntityType, ancestors: &[String], include: Include) -> Vec<&Value> {
        let prefixes: Vec<String> = ancestors.iter().map(|a| format!("{a}.")).collect();
        self.entities[&kind]
            .iter()
            .filter(|(fqn, entity)| {
                include.admits(entity) && prefixes.iter().all(|p| fqn.starts_with(p.as_str()))
            })
            .map(|(_, entity)| entity)
            .collect()
    }

    /// Soft-deletes (a new version with `deleted: true`) or hard-deletes (gone) an entity and,
    /// with `recursive`, everything in it; returns the entity as deleted.
    pub fn delete(
        &mut self,
        kind: EntityType,
        fqn: &str,
        recursive: bool,
        hard: bool,
        now: u64,
    ) -> Result<Value, ApiError> {
        let prefix = format!("{fqn}.");
        let contained: Vec<(EntityType, String)> = kind
            .descendants()
            .iter()
            .flat_map(|&d| {
                self.entities[&d]
                    .iter()
                    .filter(|(k, e)| k.starts_with(&prefix) && (hard || !is_deleted(e)))
                    .map(move |(k, _)| (d, k.clone()))
            })
            .collect();
        if !recursive && !contained.is_empty() {
            return Err(ApiError::bad_request(format!(
                "{} is not empty",
                kind.name()
            )));
        }
        let mut deleted = None;
        for (k, f) in std::iter::once((kind, fqn.to_string())).chain(contained) {
            let entity = if hard {
                let entity = self.entities_mut(k).remove(&f).expect("listed above");
                self.ids.remove(entity["id"].as_str().unwrap_or_default());
                self.latest_profiles.remove(&f);
                entity
            } else {
                let old = self.entities[&k][&f].clone();
                let id = old["id"].as_str().unwrap_or_default().to_string();
                let entity = self.stamped(
                    k,
                    &id,
                    content_of(&old),
                    version_tenths(&old) + 1,
                    now,
                    true,
                );
                self.entities_mut(k).insert(f, entity.clone());
                entity
            };
            deleted.get_or_insert(entity);
        }
        Ok(deleted.expect("the entity itself"))
    }

    /// Applies a JSON Patch to a live entity ([`super::patch`]): what the server owns is kept,
    /// tag labels must name live tags, one tag per mutually exclusive classification. Returns
    /// the entity, its version raised when something changed.
    pub fn patch(
        &mut self,
        kind: EntityType,
        id: &str,
        operations: &Value,
        now: u64,
    ) -> Result<Value, ApiError> {
        let (_, old) = self
            .by_id(id)
            .filter(|(k, e)| *k == kind && !is_deleted(e))
            .ok_or_else(|| ApiError::not_found(kind, id))?;
        let old = old.clone();
        let mut patched = super::patch::apply(&old, operations)?;
        for field in SERVER_FIELDS.iter().chain(&[
            "name",
            "fullyQualifiedName",
            "service",
            "database",
            "databaseSchema",
        ]) {
            match old.get(*field) {
                Some(value) => patched[*field] = value.clone(),
                None => {
                    if let Some(object) = patched.as_object_mut() {
                        object.remove(*field);
                    }
                }
            }
        }
        self.check_tag_labels(&patched)?;
        let exclusive = |classification: &str| {
            self.by_fqn(EntityType::Classification, classification)
                .is_some_and(|c| c["mutuallyExclusive"] == true)
        };
        if let Some((a, b)) = super::patch::mutually_exclusive_pair(&patched, &exclusive) {
            return Err(ApiError::bad_request(format!(
                "Tag labels {a} and {b} are mutually exclusive and can't be assigned together"
            )));
        }
        let fqn = old["fullyQualifiedName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(columns) = patched.get_mut("columns") {
            set_column_fqns(columns, &fqn)?;
        }
        let content = content_of(&patched);
        if content == content_of(&old) {
            return Ok(old);
        }
        let entity = self.stamped(kind, id, content, version_tenths(&old) + 1, now, false);
        self.entities_mut(kind).insert(fqn, entity.clone());
        Ok(entity)
    }

    /// Records a CreateTableProfile (already schema-valid) for a live table; returns the table
    /// with its `profile` and its columns' profiles.
    pub fn add_profile(&mut self, table_id: &str, body: &Value) -> Result<Value, ApiError> {
        let table = self
            .by_id(table_id)
            .filter(|(kind, e)| *kind == EntityType::Table && !is_deleted(e))
            .map(|(_, e)| e.clone())
            .ok_or_else(|| ApiError::not_found(EntityType::Table, table_id))?;
        let column_profiles = body["columnProfile"].as_array().map(Vec::as_slice);
        for profile in column_profiles.unwrap_or_default() {
            let name = profile["name"].as_str().unwrap_or_default();
            if !column_paths(&table["columns"], "").contains(&name.to_string()) {
                return Err(ApiError::bad_request(format!("Invalid column name {name}")));
            }
        }
        let fqn = table["fullyQualifiedName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let latest = self.latest_profiles.entry(fqn.clone()).or_default();
        keep_latest(&mut latest.table, &body["tableProfile"]);
        for profile in column_profiles.unwrap_or_default() {
            let name = profile["name"].as_str().unwrap_or_default().to_string();
            let mut slot = latest.columns.remove(&name);
            keep_latest(&mut slot, profile);
            if let Some(kept) = slot {
                latest.columns.insert(name, kept);
            }
        }
        self.profile_history.push((fqn, body.clone()));
        Ok(self.with_profile(table))
    }

    /// Every profile request accepted for a table, in the order received.
    pub fn profile_history(&self, table_fqn: &str) -> Vec<Value> {
        let fqn = fqn::normalize(table_fqn).unwrap_or_default();
        self.profile_history
            .iter()
            .filter(|(f, _)| *f == fqn)
            .map(|(_, body)| body.clone())
            .collect()
    }

    /// An entity as a GET with `fields=` returns it: the fields only given on request left out
    /// unless asked for, and a table's profiles added if asked for.
    pub fn render(&self, kind: EntityType, entity: &Value, fields: &[String]) -> Value {
        let asked = |field: &str| fields.iter().any(|f| f == field);
        let mut entity = if kind == EntityType::Table && asked("profile") {
            self.with_profile(entity.clone())
        } else {
            entity.clone()
        };
        if let Some(object) = entity.as_object_mut() {
            object.retain(|field, _| {
                asked(field) || !kind.requested_only().contains(&field.as_str())
            });
        }
        if let Some(columns) = entity.get_mut("columns").filter(|_| !asked("tags")) {
            strip_column_tags(columns);
        }
        entity
    }

    fn with_profile(&self, mut table: Value) -> Value {
        let fqn = table["fullyQualifiedName"].as_str().unwrap_or_default();
        let Some(latest) = self.latest_profiles.get(fqn) else {
            return table;
        };
        if let Some(profile) = &latest.table {
            table["profile"] = profile.clone();
        }
        if let Some(columns) = table.get_mut("columns") {
            attach_column_profiles(columns, "", &latest.columns);
        }
        table
    }

    /// The entity's content, built from its create request: name, FQN, the request's fields,
    /// references to its containers, defaults.
    fn content_from(
        &self,
        kind: EntityType,
        request: &Value,
    ) -> Result<Map<String, Value>, ApiError> {
        let name = request["name"].as_str().unwrap_or_default();
        let container = self.container(kind, request)?;
        self.check_tag_labels(request)?;
        let fqn = match &container {
            Some((_, c)) => fqn::add(c["fullyQualifiedName"].as_str().unwrap_or_default(), name),
            None => fqn::quote_name(name),
        }
        .map_err(ApiError::bad_request)?;

        let mut content = Map::new();
        content.insert("name".into(), json!(name));
        content.insert("fullyQualifiedName".into(), json!(fqn));
        for (key, value) in request.as_object().into_iter().flatten() {
            if key != "name" {
                content.insert(key.clone(), value.clone());
            }
        }
        match (kind, container) {
            (EntityType::Database, Some((k, service))) => {
                content.insert("service".into(), self.reference(k, service));
                content.insert("serviceType".into(), service["serviceType"].clone());
            }
            (EntityType::DatabaseSchema, Some((k, database))) => {
                content.insert("database".into(), self.reference(k, database));
                content.insert("service".into(), database["service"].clone());
                content.insert("serviceType".into(), database["serviceType"].clone());
            }
            (EntityType::Table, Some((k, schema))) => {
                content.insert("databaseSchema".into(), self.reference(k, schema));
                content.insert("database".into(), schema["database"].clone());
                content.insert("service".into(), schema["service"].clone());
                content.insert("serviceType".into(), schema["serviceType"].clone());
            }
            (EntityType::Tag, Some((EntityType::Tag, parent))) => {
                content.insert("parent".into(), self.reference(EntityType::Tag, parent));
                content.insert("classification".into(), parent["classification"].clone());
            }
            (EntityType::Tag, Some((k, classification))) => {
                content.insert("classification".into(), self.reference(k, classification));
            }
            _ => {}
        }
        let defaults: &[(&str, Value)] = match kind {
            EntityType::Classification => &[
                ("provider", json!("user")),
                ("mutuallyExclusive", json!(false)),
                ("disabled", json!(false)),
            ],
            EntityType::Tag => &[
                ("provider", json!("user")),
                ("mutuallyExclusive", json!(false)),
                ("deprecated", json!(false)),
            ],
            _ => &[("tags", json!([]))],
        };
        for (key, value) in defaults {
            content.entry(*key).or_insert_with(|| value.clone());
        }
        if let Some(columns) = content.get_mut("columns") {
            set_column_fqns(columns, &fqn)?;
        }
        Ok(content)
    }

    /// The entity a create request names as its container, which must exist and be live.
    fn container(
        &self,
        kind: EntityType,
        request: &Value,
    ) -> Result<Option<(EntityType, &Value)>, ApiError> {
        if kind == EntityType::Tag {
            if let Some(parent) = request["parent"].as_str() {
                return Ok(Some((EntityType::Tag, self.live(EntityType::Tag, parent)?)));
            }
            return match request["classification"].as_str() {
                Some(name) => Ok(Some((
                    EntityType::Classification,
                    self.live(EntityType::Classification, name)?,
                ))),
                None => Err(ApiError::bad_request(
                    "A tag needs a classification or a parent",
                )),
            };
        }
        let Some((field, container)) = kind.container() else {
            return Ok(None);
        };
        let name = request[field].as_str().unwrap_or_default();
        Ok(Some((container, self.live(container, name)?)))
    }

    /// Every tag label of the request and of its columns names a live tag (a glossary term
    /// never exists here).
    fn check_tag_labels(&self, request: &Value) -> Result<(), ApiError> {
        for label in request["tags"].as_array().into_iter().flatten() {
            let tag = label["tagFQN"].as_str().unwrap_or_default();
            if label["source"] == "Glossary" {
                return Err(ApiError::not_found_named("glossaryTerm", tag));
            }
            self.live(EntityType::Tag, tag)?;
        }
        for column in request["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(request["children"].as_array().into_iter().flatten())
        {
            self.check_tag_labels(column)?;
        }
        Ok(())
    }

    fn reference(&self, kind: EntityType, entity: &Value) -> Value {
        json!({
            "id": entity["id"],
            "type": kind.name(),
            "name": entity["name"],
            "fullyQualifiedName": entity["fullyQualifiedName"],
            "deleted": entity["deleted"],
            "href": entity["href"],
        })
    }

    fn stamped(
        &self,
        kind: EntityType,
        id: &str,
        content: Map<String, Value>,
        version_tenths: u64,
        now: u64,
        deleted: bool,
    ) -> Value {
        let mut entity = Map::new();
        entity.insert("id".into(), json!(id));
        entity.extend(content);
        entity.insert("version".into(), json!(version_tenths as f64 / 10.0));
        entity.insert("updatedAt".into(), json!(now));
        entity.insert("updatedBy".into(), json!(UPDATED_BY));
        entity.insert(
            "href".into(),
            json!(format!("{}/v1/{}/{id}", self.base_url, kind.collection())),
        );
        entity.insert("deleted".into(), json!(deleted));
        Value::Object(entity)
    }

    fn entities_mut(&mut self, kind: EntityType) -> &mut BTreeMap<String, Value> {
        self.entities.get_mut(&kind).expect("every type has a map")
    }
}

fn content_of(entity: &Value) -> Map<String, Value> {
    let mut content = entity.as_object().cloned().unwrap_or_default();
    content.retain(|field, _| !SERVER_FIELDS.contains(&field.as_str()));
    content
}

/// The version in tenths (0.1 is 1), so that adding 0.1 stays exact.
fn version_tenths(entity: &Value) -> u64 {
    (entity["version"].as_f64().unwrap_or(0.1) * 10.0).round() as u64
}

fn set_column_fqns(columns: &mut Value, parent_fqn: &str) -> Result<(), ApiError> {
    for column in columns.as_array_mut().into_iter().flatten() {
        let name = column["name"].as_str().unwrap_or_default();
        let fqn = fqn::add(parent_fqn, name).map_err(ApiError::bad_request)?;
        if let Some(children) = column.get_mut("children") {
            set_column_fqns(children, &fqn)?;
        }
        column["fullyQualifiedName"] = json!(fqn);
    }
    Ok(())
}

/// Column names as a column profile names them: `parent.child` for nested columns.
fn column_paths(columns: &Value, prefix: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for column in columns.as_array().into_iter().flatten() {
        let path = format!("{prefix}{}", column["name"].as_str().unwrap_or_default());
        paths.extend(column_paths(&column["children"], &format!("{path}.")));
        paths.push(path);
    }
    paths
}

fn attach_column_profiles(columns: &mut Value, prefix: &str, profiles: &BTreeMap<String, Value>) {
    for column in columns.as_array_mut().into_iter().flatten() {
        let path = format!("{prefix}{}", column["name"].as_str().unwrap_or_default());
        if let Some(profile) = profiles.get(&path) {
            column["profile"] = profile.clone();
        }
        if let Some(children) = column.get_mut("children") {
            attach_column_profiles(children, &format!("{path}."), profiles);
        }
    }
}

fn strip_column_tags(columns: &mut Value) {
    for column in columns.as_array_mut().into_iter().flatten() {
        if let Some(object) = column.as_object_mut() {
            object.retain(|field, _| field != "tags");
            if let Some(children) = object.get_mut("children") {
                strip_column_tags(children);
            }
        }
    }
}

fn keep_latest(slot: &mut Option<Value>, profile: &Value) {
    let newer = slot
        .as_ref()
        .is_none_or(|kept| profile["timestamp"].as_i64() >= kept["timestamp"].as_i64());
    if newer {
        *slot = Some(profile.clone());
    }
}
