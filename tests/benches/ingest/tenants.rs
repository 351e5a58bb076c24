//! Many tenants at once in one host process: each its own workflow file, its own credentials
//! and so its own namespace on DynamoDB Local (which keeps one database per access key), its
//! own tables and its own file sink; `ddb-catalog ingest -c DIR --parallel N` runs them all
//! together.

use crate::catalog::{Cache, Catalog, Run};
use crate::tables;
use e2e::workflow::Workflow;
use std::path::{Path, PathBuf};

pub struct Tenants {
    pub tables_each: usize,
    dir: PathBuf,
    workflows: Vec<PathBuf>,
}

impl Tenants {
    /// Seeds `count` namespaces of `tables_each` tables on `endpoint` and writes one workflow
    /// per tenant into `work/tenants-<count>/`.
    pub fn seed(endpoint: &str, count: usize, tables_each: usize, work: &Path) -> Tenants {
        let dir = work.join(format!("tenants-{count}"));
        let sinks = work.join(format!("tenants-{count}-entities"));
        for d in [&dir, &sinks] {
            let _ = std::fs::remove_dir_all(d);
            std::fs::create_dir_all(d).expect("a tenants directory");
        }
        let workflows = (0..count)
            .map(|tenant| {
                let key = access_key(tenant);
                let names = tables::names(&format!("t{tenant:02}"), tables_each);
                tables::create(endpoint, &key, &names, 4);
                Workflow::new(&format!("tenant_{tenant:02}"), endpoint, &key)
                    .without_tags()
                    .file_sink(&sinks.join(format!("tenant-{tenant:02}.json")))
                    .write(&dir, &format!("tenant-{tenant:02}.yaml"))
            })
            .collect();
        Tenants {
            tables_each,
            dir,
            workflows,
        }
    }

    pub fn count(&self) -> usize {
        self.workflows.len()
    }

    /// The first tenant alone: the baseline.
    pub fn run_one(&self, catalog: &Catalog) -> Result<Run, String> {
        let run = catalog.ingest(&self.workflows[..1], None, 1, Cache::Warm)?;
        self.check(run, 1)
    }

    /// Every tenant's workflow in one process, all at once; `pooling: false` maps each run's
    /// memory anew instead of taking a slot of the host's instance pool.
    pub fn run_all(&self, catalog: &Catalog, pooling: bool) -> Result<Run, String> {
        let count = self.count();
        let args: &[&str] = if pooling { &[] } else { &["--no-pooling"] };
        let run = catalog.ingest_with(
            std::slice::from_ref(&self.dir),
            None,
            count,
            Cache::Warm,
            args,
        )?;
        self.check(run, count)
    }

    fn check(&self, run: Run, tenants: usize) -> Result<Run, String> {
        if run.ingested == tenants * self.tables_each {
            Ok(run)
        } else {
            Err(format!(
                "{} tables ingested of {tenants} × {}",
                run.ingested, self.tables_each
            ))
        }
    }
}

fn access_key(tenant: usize) -> String {
    format!("AKIDTENANT{tenant:02}")
}
