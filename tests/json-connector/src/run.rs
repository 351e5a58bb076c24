//! One run over a fetched document: every table of it gets its outcome up front (filtered,
//! failed, or ingested with its entity), then they are handed over in order, in batches, or
//! all at once. The listing is the document, so it is complete from the start, and the run
//! made one request.

use crate::bindings::exports::catalog::connector::types::{
    Batch, CallStats, Failure, Ingestion, Progress, RunScope, Table, TableOutcome, TableStatus,
};
use crate::document::Document;
use crate::filter::TableFilter;
use crate::{fqn, mapping};
use std::collections::{HashMap, VecDeque};

/// One table of the document, finished.
struct Finished {
    /// The entity, for an ingested table.
    table: Option<Table>,
    outcome: TableOutcome,
}

pub struct Run {
    scope: RunScope,
    pending: VecDeque<Finished>,
    /// Tables in the document.
    listed: u64,
    /// Whether a batch was handed over (a document without tables still hands over one, empty,
    /// to say that its listing is complete).
    handed_over: bool,
}

/// How many tables were ingested, filtered and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ingested: usize,
    pub filtered: usize,
    pub failed: usize,
}

impl Run {
    /// The run of `document` for the service `service`, its tables profiled at `now_ms`.
    pub fn new(service: &str, filter: &TableFilter, document: Document, now_ms: u64) -> Run {
        let scope = fqn::scope(service);
        let mut occurrences: HashMap<String, usize> = HashMap::new();
        for t in &document.tables {
            *occurrences.entry(t.name.clone()).or_default() += 1;
        }
        let listed = document.tables.len() as u64;
        let pending = document
            .tables
            .iter()
            .map(|entry| {
                let times = occurrences.get(&entry.name).copied().unwrap_or(1);
                let status = if entry.name.is_empty() {
                    Err("the table has no name".to_string())
                } else if let Some(reason) = filter.reason(&entry.name) {
                    Ok(Err(reason))
                } else if times > 1 {
                    Err(format!(
                        "the document lists {times} tables named {:?}",
                        entry.name
                    ))
                } else {
                    mapping::table(entry, &scope.schema.fully_qualified_name, now_ms).map(Ok)
                };
                let (table, status) = match status {
                    Ok(Ok(table)) => (Some(table), TableStatus::Ingested),
                    Ok(Err(reason)) => (None, TableStatus::Filtered(reason)),
                    Err(why) => (None, TableStatus::Failed(invalid_table(why))),
                };
                Finished {
                    table,
                    outcome: TableOutcome {
                        name: entry.name.clone(),
                        status,
                    },
                }
            })
            .collect();
        Run {
            scope,
            pending,
            listed,
            handed_over: false,
        }
    }

    pub fn scope(&self) -> RunScope {
        self.scope.clone()
    }

    /// The outcomes not handed over yet, counted.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for f in &self.pending {
            match f.outcome.status {
                TableStatus::Ingested => counts.ingested += 1,
                TableStatus::Filtered(_) => counts.filtered += 1,
                TableStatus::Failed(_) => counts.failed += 1,
            }
        }
        counts
    }

    /// The next at most `max_tables` outcomes (at least one, whatever the host asks) with their
    /// tables; `None` once all were handed over.
    pub fn next_batch(&mut self, max_tables: u32) -> Option<Batch> {
        if self.pending.is_empty() && self.handed_over {
            return None;
        }
        self.handed_over = true;
        let take = (max_tables.max(1) as usize).min(self.pending.len());
        let mut tables = Vec::new();
        let mut outcomes = Vec::with_capacity(take);
        for finished in self.pending.drain(..take) {
            tables.extend(finished.table);
            outcomes.push(finished.outcome);
        }
        Some(Batch {
            tables,
            outcomes,
            warnings: Vec::new(),
            progress: self.progress(),
        })
    }

    /// Everything at once.
    pub fn into_ingestion(self) -> Ingestion {
        let mut tables = Vec::new();
        let mut outcomes = Vec::with_capacity(self.pending.len());
        for finished in self.pending {
            tables.extend(finished.table);
            outcomes.push(finished.outcome);
        }
        Ingestion {
            service: self.scope.service,
            database: self.scope.database,
            schema: self.scope.schema,
            tables,
            outcomes,
            listing_complete: true,
            warnings: Vec::new(),
            stats: stats(),
        }
    }

    fn progress(&self) -> Progress {
        Progress {
            listed: self.listed,
            listing_complete: true,
            stats: stats(),
        }
    }
}

/// One GET, never retried.
fn stats() -> CallStats {
    CallStats {
        requests: 1,
        retries: 0,
        throttled: 0,
    }
}

fn invalid_table(why: String) -> Failure {
    Failure {
        operation: "GET".to_string(),
        http_status: None,
        code: "InvalidTable".to_string(),
        message: why,
        attempts: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document;

    const DOCUMENT: &[u8] = br#"{"tables": [
        {"name": "orders", "columns": [{"name": "id", "type": "number", "primaryKey": true}]},
        {"name": "tmp_orders"},
        {"name": ""},
        {"name": "dup"},
        {"name": "items.v2", "columns": [{"name": "a", "type": "string"}]},
        {"name": "dup"},
        {"name": "bad", "columns": [{"name": "", "type": "string"}]}
    ]}"#;

    fn run(excludes: &[&str]) -> Run {
        let filter = TableFilter::new(Vec::new(), excludes.iter().map(|s| s.to_string()).collect());
        Run::new("docs", &filter, document::parse(DOCUMENT).unwrap(), 42)
    }

    fn status(o: &TableOutcome) -> String {
        match &o.status {
            TableStatus::Ingested => "ingested".into(),
            TableStatus::Filtered(why) => format!("filtered: {why}"),
            TableStatus::Failed(f) => format!("failed {} {}: {}", f.operation, f.code, f.message),
        }
    }

    #[test]
    fn every_table_gets_one_outcome_in_document_order() {
        let ingestion = run(&["^tmp_"]).into_ingestion();
        let outcomes: Vec<(String, String)> = ingestion
            .outcomes
            .iter()
            .map(|o| (o.name.clone(), status(o)))
            .collect();
        let expected = [
            ("orders", "ingested"),
            (
                "tmp_orders",
                "filtered: tableFilterPattern: matches the exclude pattern \"^tmp_\"",
            ),
            ("", "failed GET InvalidTable: the table has no name"),
            (
                "dup",
                "failed GET InvalidTable: the document lists 2 tables named \"dup\"",
            ),
            ("items.v2", "ingested"),
            (
                "dup",
                "failed GET InvalidTable: the document lists 2 tables named \"dup\"",
            ),
            ("bad", "failed GET InvalidTable: column 1 has no name"),
        ];
        assert_eq!(
            outcomes,
            expected.map(|(n, s)| (n.to_string(), s.to_string()))
        );
        let fqns: Vec<&str> = ingestion
            .tables
            .iter()
            .map(|t| t.fully_qualified_name.as_str())
            .collect();
        assert_eq!(
            fqns,
            [
                "docs.default.default.orders",
                "docs.default.default.\"items.v2\""
            ]
        );
        assert!(ingestion.listing_complete);
        assert!(ingestion.warnings.is_empty());
        assert_eq!(ingestion.stats.requests, 1);
        assert_eq!(
            ingestion.schema.fully_qualified_name,
            "docs.default.default"
        );
    }

    #[test]
    fn batches_hold_at_most_max_tables_outcomes() {
        let mut run = run(&[]);
        assert_eq!(
            run.counts(),
            Counts {
                ingested: 3,
                filtered: 0,
                failed: 4
            }
        );
        let mut sizes = Vec::new();
        let mut tables = 0;
        while let Some(batch) = run.next_batch(3) {
            sizes.push(batch.outcomes.len());
            tables += batch.tables.len();
            assert!(batch.tables.len() <= batch.outcomes.len());
            assert_eq!(batch.progress.listed, 7);
            assert!(batch.progress.listing_complete);
            assert_eq!(batch.progress.stats.requests, 1);
            assert!(batch.warnings.is_empty());
        }
        assert_eq!(sizes, [3, 3, 1]);
        assert_eq!(tables, 3);
        assert!(run.next_batch(3).is_none());
    }

    #[test]
    fn max_tables_zero_still_moves_on() {
        let mut run = run(&[]);
        let first = run.next_batch(0).unwrap();
        assert_eq!(first.outcomes.len(), 1);
    }

    #[test]
    fn an_empty_document_hands_over_one_empty_batch() {
        let document = document::parse(br#"{"tables": []}"#).unwrap();
        let mut run = Run::new("docs", &TableFilter::default(), document, 0);
        let batch = run.next_batch(100).unwrap();
        assert!(batch.outcomes.is_empty() && batch.tables.is_empty());
        assert_eq!(batch.progress.listed, 0);
        assert!(batch.progress.listing_complete);
        assert!(run.next_batch(100).is_none());
        assert_eq!(run.scope().service.name, "docs");
    }
}
