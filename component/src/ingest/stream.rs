//! A streamed ingestion: the run is a future that fills an [`Outbox`], and the host pulls what
//! is finished with [`IngestStream::next_batch`]. The run makes progress only while it is being
//! pulled, and never holds more than the outbox's window of finished tables.

use super::outbox::{Finished, Outbox};
use crate::catalog::{Batch, Progress, RunScope, Warning};
use crate::error::ConnectorError;
use crate::transport::Transport;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Finished tables the connector holds for the host at most.
pub const WINDOW: usize = 256;

type Run<'a> = Pin<Box<dyn Future<Output = Result<(), ConnectorError>> + 'a>>;
type Idle<'a> = Box<dyn Fn(&mut Context<'_>) -> Poll<()> + 'a>;

/// What one pull hands over.
pub struct Pulled {
    pub finished: Vec<Finished>,
    pub warnings: Vec<Warning>,
    pub progress: Progress,
}

pub struct IngestStream<'a> {
    scope: RunScope,
    outbox: Rc<Outbox>,
    run: Option<Run<'a>>,
    idle: Idle<'a>,
    /// Why the run stopped, handed over once everything finished before it has been.
    error: Option<ConnectorError>,
}

impl<'a> IngestStream<'a> {
    /// A stream over `run`, which fills `outbox`; `transport` says when nothing is ready.
    pub(super) fn new<T: Transport + 'a>(
        scope: RunScope,
        outbox: Rc<Outbox>,
        run: Run<'a>,
        transport: Rc<T>,
    ) -> IngestStream<'a> {
        IngestStream {
            scope,
            outbox,
            run: Some(run),
            idle: Box::new(move |cx| transport.poll_idle(cx)),
            error: None,
        }
    }

    pub fn scope(&self) -> &RunScope {
        &self.scope
    }

    /// The next batch: waits until a table is finished (or a warning raised), then returns what
    /// is ready, at most `max_tables` outcomes and `max_warnings` warnings. `None` when the run
    /// is over and everything has been handed over; the run's error comes after its last batch.
    pub async fn next_batch(
        &mut self,
        max_tables: usize,
        max_warnings: usize,
    ) -> Result<Option<Batch>, ConnectorError> {
        let Some(pulled) = self.pull(max_tables, max_warnings).await? else {
            return Ok(None);
        };
        let mut tables = Vec::new();
        let mut outcomes = Vec::with_capacity(pulled.finished.len());
        for item in pulled.finished {
            tables.extend(item.table);
            outcomes.push(item.outcome);
        }
        Ok(Some(Batch {
            tables,
            outcomes,
            warnings: pulled.warnings,
            progress: pulled.progress,
        }))
    }

    /// [`Self::next_batch`] with each table's position in the listing.
    pub async fn pull(
        &mut self,
        max_tables: usize,
        max_warnings: usize,
    ) -> Result<Option<Pulled>, ConnectorError> {
        let max_tables = max_tables.max(1);
        std::future::poll_fn(|cx| self.poll_ready(cx, max_tables)).await;
        let (finished, warnings) = self.outbox.take(max_tables, max_warnings);
        if finished.is_empty() && warnings.is_empty() {
            return match self.error.take() {
                Some(error) => Err(error),
                None => Ok(None),
            };
        }
        Ok(Some(Pulled {
            finished,
            warnings,
            progress: self.outbox.progress(),
        }))
    }

    /// Ready when there is something to hand over (or the run is over): a full batch at once,
    /// a partial one when nothing more is ready without waiting.
    fn poll_ready(&mut self, cx: &mut Context<'_>, max_tables: usize) -> Poll<()> {
        if let Some(run) = self.run.as_mut()
            && let Poll::Ready(result) = run.as_mut().poll(cx)
        {
            self.run = None;
            self.outbox.close_warnings();
            if let Err(error) = result {
                self.error = Some(error);
            }
        }
        let queued = self.outbox.finished_len();
        if self.run.is_none() || queued >= max_tables {
            return Poll::Ready(());
        }
        if queued > 0 || self.outbox.has_warnings() {
            return (self.idle)(cx);
        }
        Poll::Pending
    }
}
