//! Lineage from the run's tables into other services' entities (`PUT /v1/lineage`), after the
//! tables are written: each target is looked up by name once per run (a missing one is one
//! warning for the run, never a failed table), and each edge is sent once. OpenMetadata keeps one
//! edge per pair of entities (its `LineageRepository.addLineage` upserts the relationship), so a
//! rerun adds no duplicate.

use crate::bounded::Notes;
use crate::entities::Lineage;
use crate::openmetadata::client::OpenMetadataClient;
use crate::openmetadata::fqn::encode;
use crate::sanitize;
use serde_json::json;
use std::collections::HashMap;

/// Edges held before they are sent (the tables' writes are awaited first).
pub const FLUSH_AT: usize = 256;
/// Targets remembered per run; past it, a target is looked up again.
const MAX_TARGETS: usize = 10_000;

#[derive(Default)]
pub struct LineageWriter {
    /// (table name, edge) not yet sent.
    pending: Vec<(String, Lineage)>,
    /// The ids of the written tables that have edges pending, by name (`None`: not written).
    ids: HashMap<String, Option<String>>,
    /// (entity type, FQN) → its id, or `None` when the server has no such entity.
    targets: HashMap<(&'static str, String), Option<String>>,
    pub added: usize,
    pub missing: usize,
}

impl LineageWriter {
    pub fn hold(&mut self, table: &str, edges: &[Lineage]) {
        if edges.is_empty() {
            return;
        }
        self.ids.insert(table.to_string(), None);
        self.pending
            .extend(edges.iter().map(|e| (table.to_string(), e.clone())));
    }

    /// A table was written (with its id, when the server gave one).
    pub fn written(&mut self, table: &str, id: Option<&str>) {
        if let Some(slot) = self.ids.get_mut(table) {
            *slot = id.map(String::from);
        }
    }

    pub fn is_full(&self) -> bool {
        self.pending.len() >= FLUSH_AT
    }

    /// Sends what is held, once the tables' writes are done: the edges of a table that was not
    /// written (its failure is reported already) are dropped.
    pub async fn flush(&mut self, client: &OpenMetadataClient, warnings: &mut Notes) {
        let ids = std::mem::take(&mut self.ids);
        for (table, edge) in std::mem::take(&mut self.pending) {
            let Some(Some(table_id)) = ids.get(&table) else {
                continue;
            };
            let key = (edge.entity_type, edge.fully_qualified_name.clone());
            let target = match self.targets.get(&key) {
                Some(known) => known.clone(),
                None => {
                    let path = format!(
                        "/v1/{}s/name/{}",
                        edge.entity_type,
                        encode(&edge.fully_qualified_name)
                    );
                    let found = match client.get(&path).await {
                        Ok(entity) => entity["id"].as_str().map(String::from),
                        Err(e) if e.status == 404 => None,
                        Err(e) => {
                            warnings.push(&format!(
                                "lineage to {} `{}` not added: {e}",
                                edge.entity_type,
                                sanitize::name(&edge.fully_qualified_name)
                            ));
                            continue;
                        }
                    };
                    if found.is_none() {
                        self.missing += 1;
                        warnings.push(&format!(
                            "lineage to {} `{}` not added: OpenMetadata has no such {}; ingest its service first",
                            edge.entity_type,
                            sanitize::name(&edge.fully_qualified_name),
                            edge.entity_type
                        ));
                    }
                    if self.targets.len() < MAX_TARGETS {
                        self.targets.insert(key, found.clone());
                    }
                    found
                }
            };
            let Some(target_id) = target else {
                continue;
            };
            let body = json!({"edge": {
                "fromEntity": {"id": table_id, "type": "table"},
                "toEntity": {"id": target_id, "type": edge.entity_type},
                "description": edge.description,
            }});
            match client.put("/v1/lineage", &body).await {
                Ok(_) => self.added += 1,
                Err(e) => warnings.push(&format!(
                    "lineage from `{}` to {} `{}` not added: {e}",
                    sanitize::name(&table),
                    edge.entity_type,
                    sanitize::name(&edge.fully_qualified_name)
                )),
            }
        }
    }
}
