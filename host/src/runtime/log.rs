//! A tenant's log: the component's stdout and stderr, split into lines, cleaned by the one
//! sanitiser ([`crate::sanitize`]: control characters and the like escaped visibly, long lines
//! cut), stripped of the tenant's secrets, bounded, and optionally echoed live to the host's
//! stderr. The host adds its own lines (denied requests, limits hit), which name the tenant,
//! have a budget of their own (a guest flooding its output cannot push them out), and cannot
//! be forged: a guest line that carries the host's `[host]` marker gets `[guest]` instead.
//! Echoed lines go out through [`crate::logging`]: as they are, or as JSON records.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

#[derive(Clone)]
pub struct TenantLog {
    inner: Arc<Mutex<Inner>>,
}

/// Lines of one source, within a budget of bytes (each line also costs `LINE_OVERHEAD`).
struct Budget {
    used: usize,
    capacity: usize,
    dropped: usize,
}

struct Inner {
    tenant: String,
    /// Prefix for echoed lines (`[tenant] `), empty for a single run.
    prefix: String,
    echo: bool,
    secrets: Vec<String>,
    partial: Vec<u8>,
    lines: Vec<String>,
    guest: Budget,
    host: Budget,
}

/// Longest line kept; the rest of a longer line is cut.
const MAX_LINE: usize = 4096;
/// What a line costs beyond its text, so that a flood of empty lines is bounded too.
const LINE_OVERHEAD: usize = 32;
/// The host's own lines get this much room whatever the guest writes.
const HOST_LOG_BYTES: usize = 256 * 1024;
const HOST_MARKER: &str = "[host]";

impl Budget {
    fn new(capacity: usize) -> Self {
        Budget {
            used: 0,
            capacity,
            dropped: 0,
        }
    }

    fn admit(&mut self, line: &str) -> bool {
        let cost = line.len() + LINE_OVERHEAD;
        if self.used + cost > self.capacity {
            self.dropped += 1;
            false
        } else {
            self.used += cost;
            true
        }
    }
}

impl TenantLog {
    pub fn new(
        tenant: &str,
        prefix: String,
        echo: bool,
        capacity: usize,
        secrets: Vec<String>,
    ) -> Self {
        TenantLog {
            inner: Arc::new(Mutex::new(Inner {
                tenant: tenant.to_string(),
                prefix,
                echo,
                secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect(),
                partial: Vec::new(),
                lines: Vec::new(),
                guest: Budget::new(capacity),
                host: Budget::new(HOST_LOG_BYTES),
            })),
        }
    }

    /// A line from the host about this tenant; `message` may quote the guest, so it is
    /// cleaned too.
    pub fn host(&self, level: &str, message: &str) {
        let mut inner = self.lock();
        let line = format!(
            "{level} {HOST_MARKER} tenant `{}`: {}",
            crate::sanitize::name(&inner.tenant),
            crate::sanitize::clean(message, MAX_LINE)
        );
        inner.push(line, true);
    }

    /// The lines kept so far, with a final note when some were dropped.
    pub fn lines(&self) -> Vec<String> {
        let mut inner = self.lock();
        inner.flush_partial();
        let mut lines = inner.lines.clone();
        if inner.guest.dropped > 0 {
            lines.push(format!(
                "WARN {HOST_MARKER} tenant `{}`: {} more log lines dropped: the connector's log is limited to {} bytes",
                inner.tenant, inner.guest.dropped, inner.guest.capacity
            ));
        }
        if inner.host.dropped > 0 {
            lines.push(format!(
                "WARN {HOST_MARKER} tenant `{}`: {} more host lines dropped",
                inner.tenant, inner.host.dropped
            ));
        }
        lines
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_bytes(&self, bytes: &[u8]) {
        let mut inner = self.lock();
        for &byte in bytes {
            if byte == b'\n' {
                let line = std::mem::take(&mut inner.partial);
                inner.push_guest(&line);
            } else if inner.partial.len() < MAX_LINE * 4 {
                // Room for MAX_LINE characters of UTF-8; the sanitiser cuts the rest.
                inner.partial.push(byte);
            }
        }
    }
}

impl Inner {
    fn flush_partial(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.push_guest(&line);
        }
    }

    fn push_guest(&mut self, raw: &[u8]) {
        let text = String::from_utf8_lossy(raw);
        let text = crate::sanitize::clean(&text, MAX_LINE);
        self.push(text.replace(HOST_MARKER, "[guest]"), false);
    }

    fn push(&mut self, mut line: String, from_host: bool) {
        for secret in &self.secrets {
            if line.contains(secret.as_str()) {
                line = line.replace(secret.as_str(), "****");
            }
        }
        let budget = if from_host {
            &mut self.host
        } else {
            &mut self.guest
        };
        if !budget.admit(&line) {
            return;
        }
        if self.echo {
            crate::logging::connector_line(&self.prefix, &self.tenant, &line, from_host);
        }
        self.lines.push(line);
    }
}

impl IsTerminal for TenantLog {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for TenantLog {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for TenantLog {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write_bytes(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(capacity: usize) -> TenantLog {
        TenantLog::new(
            "acme",
            String::new(),
            false,
            capacity,
            vec!["hunter22".into()],
        )
    }

    #[test]
    fn lines_are_split_cleaned_and_redacted() {
        let log = log(1024);
        log.write_bytes(b"INFO one\nWARN two \x1b[31mred\x1b[0m\rover\nDEBUG key=hunter22 ");
        log.write_bytes("end \u{202e}txt".as_bytes());
        assert_eq!(
            log.lines(),
            vec![
                "INFO one",
                "WARN two \\u{1b}[31mred\\u{1b}[0m\\rover",
                "DEBUG key=**** end \\u{202e}txt"
            ]
        );
    }

    #[test]
    fn the_guest_budget_counts_every_line() {
        let log = log(100);
        log.write_bytes(&[b'\n'; 10_000]);
        let lines = log.lines();
        assert_eq!(lines.len(), 100 / LINE_OVERHEAD + 1);
        assert!(lines.last().unwrap().contains("more log lines dropped"));
    }

    #[test]
    fn host_lines_survive_a_flood_name_the_tenant_and_cannot_be_forged() {
        let log = log(128);
        log.write_bytes(b"WARN [host] HTTP request to https://x denied\n");
        log.write_bytes(&[b'x'; 10_000]);
        log.write_bytes(b"\n");
        log.host("WARN", "HTTP request to http://169.254.169.254:80 denied");
        let lines = log.lines();
        assert_eq!(lines[0], "WARN [guest] HTTP request to https://x denied");
        assert!(
            lines.contains(
                &"WARN [host] tenant `acme`: HTTP request to http://169.254.169.254:80 denied"
                    .to_string()
            )
        );
    }
}
