//! Opening connections for a run's HTTP client: resolve the destination once, keep only the
//! addresses the allowlist permits, connect to one of those (never resolving again, so a DNS
//! answer cannot change between the check and the connection), and speak TLS for `https`.

use super::destination::{Allowlist, Destination};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// Turns a host name into addresses. The system's resolver in production; tests inject their
/// own to put the sandbox's address checks in front of any answer.
pub trait Resolver: Send + Sync {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>>;
}

/// The operating system's resolver (`getaddrinfo`, through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host, port)).await?.collect()) })
    }
}

#[derive(Clone)]
pub struct GuardedConnector {
    allowlist: Arc<Allowlist>,
    resolver: Arc<dyn Resolver>,
    tls: Arc<rustls::ClientConfig>,
    connect_timeout: Duration,
}

#[derive(Debug)]
pub enum ConnectError {
    /// The destination or every address it resolves to is refused.
    Denied(String),
    Dns(String),
    Refused(io::Error),
    Timeout,
    Tls(io::Error),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Denied(why) => write!(f, "refused by the sandbox: {why}"),
            ConnectError::Dns(why) => write!(f, "DNS lookup failed: {why}"),
            ConnectError::Refused(e) => write!(f, "connection failed: {e}"),
            ConnectError::Timeout => f.write_str("timed out connecting"),
            ConnectError::Tls(e) => write!(f, "TLS handshake failed: {e}"),
        }
    }
}

impl std::error::Error for ConnectError {}

impl GuardedConnector {
    pub fn new(
        allowlist: Arc<Allowlist>,
        resolver: Arc<dyn Resolver>,
        connect_timeout: Duration,
    ) -> Self {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        GuardedConnector {
            allowlist,
            resolver,
            tls: Arc::new(tls),
            connect_timeout,
        }
    }

    async fn connect(self, uri: http::Uri) -> Result<Conn, ConnectError> {
        let destination = Destination::from_uri(&uri)
            .filter(|d| self.allowlist.allows(d))
            .ok_or_else(|| ConnectError::Denied(format!("{uri} is not on the allowlist")))?;
        let candidates: Vec<SocketAddr> = match destination.ip_literal() {
            Some(ip) => vec![SocketAddr::new(ip, destination.port)],
            None => tokio::time::timeout(
                self.connect_timeout,
                self.resolver
                    .resolve(destination.host.as_str(), destination.port),
            )
            .await
            .map_err(|_| ConnectError::Dns(format!("timed out resolving {}", destination.host)))?
            .map_err(|e| ConnectError::Dns(format!("{}: {e}", destination.host)))?,
        };
        let mut refusals = Vec::new();
        let allowed: Vec<SocketAddr> = candidates
            .into_iter()
            .filter(|a| match self.allowlist.may_connect(&destination, a.ip()) {
                Ok(()) => true,
                Err(why) => {
                    refusals.push(why);
                    false
                }
            })
            .collect();
        if allowed.is_empty() {
            return Err(ConnectError::Denied(if refusals.is_empty() {
                format!("{} has no address", destination.host)
            } else {
                refusals.join("; ")
            }));
        }
        let tcp = self.connect_any(&allowed).await?;
        let _ = tcp.set_nodelay(true);
        if !destination.https {
            return Ok(Conn::new(Stream::Plain(tcp)));
        }
        let name = ServerName::try_from(destination.host.clone())
            .map_err(|e| ConnectError::Tls(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
        let tls = tokio::time::timeout(
            self.connect_timeout,
            tokio_rustls::TlsConnector::from(self.tls.clone()).connect(name, tcp),
        )
        .await
        .map_err(|_| ConnectError::Timeout)?
        .map_err(ConnectError::Tls)?;
        Ok(Conn::new(Stream::Tls(Box::new(tls))))
    }

    async fn connect_any(&self, addresses: &[SocketAddr]) -> Result<TcpStream, ConnectError> {
        let mut last = ConnectError::Timeout;
        for address in addresses {
            match tokio::time::timeout(self.connect_timeout, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(e)) => last = ConnectError::Refused(e),
                Err(_) => last = ConnectError::Timeout,
            }
        }
        Err(last)
    }
}

impl tower_service::Service<http::Uri> for GuardedConnector {
    type Response = Conn;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, ConnectError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        Box::pin(self.clone().connect(uri))
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// A connection as hyper's client wants it.
pub struct Conn {
    io: TokioIo<Stream>,
}

impl Conn {
    fn new(stream: Stream) -> Self {
        Conn {
            io: TokioIo::new(stream),
        }
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
