//! A small JSON client for OpenMetadata's REST API: the bot's JWT as a bearer token, the
//! workflow's `extraHeaders`, TLS as `verifySSL` says (`validate` with `sslConfig.certificatePath`
//! or the public roots, `ignore` without checking the certificate), and retries with backoff
//! on 429 and 5xx (honouring `Retry-After`). At most [`CALLS_IN_FLIGHT`] requests are on the
//! wire at once, however many tasks share the client.

use crate::secret::Secret;
use crate::workflow::{OpenMetadataConnection, VerifySsl};
use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const ATTEMPTS: u32 = 5;
/// Requests one client has on the wire at once: enough to hide a remote server's latency
/// (10,000 tables and their profiles at 20 ms per call take about 13 s), few enough not to
/// crowd a shared OpenMetadata server.
pub const CALLS_IN_FLIGHT: usize = 32;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

pub struct OpenMetadataClient {
    base: String,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    headers: HeaderMap,
    in_flight: tokio::sync::Semaphore,
}

/// An answer other than 2xx, after retries.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

const JSON_PATCH: &str = "application/json-patch+json";

/// The most of an answer the client holds: what a server (or whatever answers at its address)
/// sends beyond it is not read, and the call fails without a retry.
pub const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// An answer over [`MAX_RESPONSE_BYTES`].
#[derive(Debug)]
struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the answer is larger than {} MiB",
            MAX_RESPONSE_BYTES >> 20
        )
    }
}

impl std::error::Error for TooLarge {}

impl OpenMetadataClient {
    pub fn new(server: &OpenMetadataConnection) -> Result<Self> {
        let base = server.host_port.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(anyhow!(
                "`openMetadataServerConfig.hostPort` `{base}` must start with http:// or https://"
            ));
        }
        let tls = tls_config(server)?;
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(security) = &server.security_config {
            headers.insert(http::header::AUTHORIZATION, bearer(&security.jwt_token)?);
        }
        for (name, value) in server.extra_headers.iter().flatten() {
            let name = HeaderName::try_from(name.as_str())
                .map_err(|_| anyhow!("`extraHeaders.{name}` is not a header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| anyhow!("`extraHeaders.{name}` has a value a header cannot carry"))?;
            headers.insert(name, value);
        }
        Ok(OpenMetadataClient {
            base,
            client,
            headers,
            in_flight: tokio::sync::Semaphore::new(CALLS_IN_FLIGHT),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.send(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Value, ApiError> {
        self.send(Method::DELETE, path, None).await
    }

    /// A JSON Patch (RFC 6902), sent as `application/json-patch+json` as OpenMetadata's
    /// PATCH endpoints require.
    pub async fn patch(&self, path: &str, operations: &Value) -> Result<Value, ApiError> {
        self.send_as(Method::PATCH, path, Some(operations), Some(JSON_PATCH))
            .await
    }

    /// A `DELETE` with a JSON body (2.0's `deleteStale`).
    pub async fn delete_with(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(Method::DELETE, path, Some(body)).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        self.send_as(method, path, body, None).await
    }

    async fn send_as(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        content_type: Option<&'static str>,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.base);
        let bytes = Bytes::from(body.map(|b| b.to_string()).unwrap_or_default());
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = http::Request::builder()
                .method(method.clone())
                .uri(&url)
                .body(Full::new(bytes.clone()))
                .map_err(|e| ApiError {
                    status: 0,
                    message: format!("invalid request {url}: {e}"),
                })?;
            *request.headers_mut() = self.headers.clone();
            if let Some(content_type) = content_type {
                request.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type),
                );
            }
            let outcome = {
                // Never closed, so acquiring cannot fail.
                let _permit = self.in_flight.acquire().await;
                tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(request)).await
            };
            let (retry, error, wait) = match outcome {
                Err(_) => (
                    true,
                    ApiError {
                        status: 0,
                        message: format!("{method} {url}: no answer within {REQUEST_TIMEOUT:?}"),
                    },
                    None,
                ),
                Ok(Err(e)) => (
                    e.downcast_ref::<TooLarge>().is_none(),
                    ApiError {
                        status: 0,
                        message: format!("{method} {url}: {e:#}"),
                    },
                    None,
                ),
                Ok(Ok((status, headers, text))) => {
                    if status.is_success() {
                        return Ok(if text.trim().is_empty() {
                            Value::Null
                        } else {
                            serde_json::from_str(&text).map_err(|e| ApiError {
                                status: status.as_u16(),
                                message: format!("{method} {url}: the answer is not JSON: {e}"),
                            })?
                        });
                    }
                    let retryable = status == StatusCode::TOO_MANY_REQUESTS
                        || matches!(status.as_u16(), 500 | 502 | 503 | 504);
                    let wait = headers
                        .get(http::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
                    (
                        retryable,
                        ApiError {
                            status: status.as_u16(),
                            message: server_message(&text),
                        },
                        wait,
                    )
                }
            };
            if !retry || attempt >= ATTEMPTS {
                return Err(error);
            }
            let backoff = wait.unwrap_or(Duration::from_millis(200 << attempt.min(6)));
            tokio::time::sleep(backoff).await;
        }
    }

    async fn exchange(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(StatusCode, HeaderMap, String)> {
        let response = self.client.request(request).await?;
        let (parts, body) = response.into_parts();
        let body = http_body_util::Limited::new(body, MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| match e.downcast::<http_body_util::LengthLimitError>() {
                Ok(_) => anyhow::Error::new(TooLarge),
                Err(e) => anyhow!("{e}"),
            })?
            .to_bytes();
        Ok((
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&body).into_owned(),
        ))
    }
}

/// OpenMetadata answers errors as `{"code": .., "message": ".."}`.
fn server_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| text.chars().take(500).collect())
}

fn bearer(token: &Secret) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| anyhow!("`securityConfig.jwtToken` has characters a header cannot carry"))?;
    value.set_sensitive(true);
    Ok(value)
}

fn tls_config(server: &OpenMetadataConnection) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("TLS setup")?;
    let config = match server.verify_ssl.unwrap_or(VerifySsl::NoSsl) {
        VerifySsl::Ignore => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth(),
        VerifySsl::Validate | VerifySsl::NoSsl => {
            let mut roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.into(),
            };
            if let Some(path) = server
                .ssl_config
                .as_ref()
                .and_then(|c| c.certificate_path.as_deref())
                .filter(|_| server.verify_ssl == Some(VerifySsl::Validate))
            {
                let certificates: Vec<CertificateDer> = CertificateDer::pem_file_iter(path)
                    .and_then(|certs| certs.collect())
                    .map_err(|e| anyhow!("`sslConfig.certificatePath` {path}: {e}"))?;
                if certificates.is_empty() {
                    return Err(anyhow!(
                        "`sslConfig.certificatePath` {path} holds no certificate"
                    ));
                }
                for certificate in certificates {
                    roots
                        .add(certificate)
                        .map_err(|e| anyhow!("`sslConfig.certificatePath` {path}: {e}"))?;
                }
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
    };
    Ok(config)
}

/// `verifySSL: ignore`: any certificate is accepted, but the handshake's signatures are still
/// checked, so the connection is at least encrypted to whoever answered.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
