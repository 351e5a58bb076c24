//! A tenant's log: the component's stdout and stderr, split into lines, stripped of control
//! characters and of the tenant's secrets, bounded in size, and optionally echoed live to the
//! host's stderr. The host adds its own lines (denied requests, limits hit) to the same log.

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

struct Inner {
    /// Prefix for echoed lines (`[tenant] `), empty for a single run.
    prefix: String,
    echo: bool,
    secrets: Vec<String>,
    partial: Vec<u8>,
    lines: Vec<String>,
    bytes: usize,
    capacity: usize,
    dropped: usize,
}

/// Longest line kept; the rest of a longer line is cut.
const MAX_LINE: usize = 4096;

impl TenantLog {
    pub fn new(prefix: String, echo: bool, capacity: usize, secrets: Vec<String>) -> Self {
        TenantLog {
            inner: Arc::new(Mutex::new(Inner {
                prefix,
                echo,
                secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect(),
                partial: Vec::new(),
                lines: Vec::new(),
                bytes: 0,
                capacity,
                dropped: 0,
            })),
        }
    }

    /// A line from the host about this tenant.
    pub fn host(&self, level: &str, message: &str) {
        self.lock().push_line(format!("{level} [host] {message}"));
    }

    /// The lines kept so far, with a final note when some were dropped.
    pub fn lines(&self) -> Vec<String> {
        let mut inner = self.lock();
        inner.flush_partial();
        let mut lines = inner.lines.clone();
        if inner.dropped > 0 {
            lines.push(format!(
                "WARN [host] {} more log lines dropped: the log is limited to {} bytes",
                inner.dropped, inner.capacity
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
                inner.push_raw(&line);
            } else if inner.partial.len() < MAX_LINE {
                inner.partial.push(byte);
            }
        }
    }
}

impl Inner {
    fn flush_partial(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.push_raw(&line);
        }
    }

    fn push_raw(&mut self, raw: &[u8]) {
        let text: String = String::from_utf8_lossy(raw)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.push_line(text);
    }

    fn push_line(&mut self, mut line: String) {
        for secret in &self.secrets {
            if line.contains(secret.as_str()) {
                line = line.replace(secret.as_str(), "****");
            }
        }
        if self.echo {
            eprintln!("{}{line}", self.prefix);
        }
        if self.bytes + line.len() > self.capacity {
            self.dropped += 1;
            return;
        }
        self.bytes += line.len();
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

    #[test]
    fn lines_are_split_cleaned_and_redacted() {
        let log = TenantLog::new(String::new(), false, 1024, vec!["hunter22".into()]);
        log.write_bytes(b"INFO one\nWARN two \x1b[31mred\x1b[0m\nDEBUG key=hunter22 ");
        log.write_bytes(b"end");
        assert_eq!(
            log.lines(),
            vec!["INFO one", "WARN two  [31mred [0m", "DEBUG key=**** end"]
        );
    }

    #[test]
    fn the_log_is_bounded() {
        let log = TenantLog::new(String::new(), false, 10, vec![]);
        log.write_bytes(b"12345\n67890\nabcdef\n");
        let lines = log.lines();
        assert_eq!(lines[..2], ["12345", "67890"]);
        assert!(lines[2].contains("1 more log lines dropped"));
    }
}
