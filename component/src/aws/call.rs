//! One AWS call: sign, send, classify the answer, retry what is worth retrying.

use super::error::{ErrorClass, ServiceError};
use super::retry::RetryPolicy;
use super::signing::Signer;
use crate::catalog::{CallStats, Failure};
use crate::error::ConnectorError;
use crate::transport::{Request, Response, Transport, TransportError, TransportErrorKind};
use std::cell::Cell;

#[derive(Debug, Clone, PartialEq)]
pub enum CallErrorKind {
    /// The service answered with an error.
    Service(ServiceError),
    /// No answer.
    Transport(TransportError),
    /// The answer is not what the protocol says.
    InvalidResponse(String),
    /// The request could not be signed.
    Signing(String),
}

/// A call that failed for good, after `attempts` tries.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub operation: &'static str,
    pub kind: CallErrorKind,
    pub attempts: u32,
}

impl CallError {
    pub fn invalid_response(operation: &'static str, message: impl Into<String>) -> Self {
        CallError {
            operation,
            kind: CallErrorKind::InvalidResponse(message.into()),
            attempts: 1,
        }
    }

    pub fn class(&self) -> Option<ErrorClass> {
        match &self.kind {
            CallErrorKind::Service(e) => Some(e.class()),
            _ => None,
        }
    }

    /// Whether the error says the credentials themselves are refused.
    pub fn is_credentials_error(&self) -> bool {
        self.class() == Some(ErrorClass::Credentials)
    }

    pub fn service_code(&self) -> Option<&str> {
        match &self.kind {
            CallErrorKind::Service(e) => Some(&e.code),
            _ => None,
        }
    }

    pub fn failure(&self) -> Failure {
        let (http_status, code, message) = match &self.kind {
            CallErrorKind::Service(e) => (Some(e.status), e.code.clone(), e.message.clone()),
            CallErrorKind::Transport(e) => (None, e.kind.code().to_string(), e.message.clone()),
            CallErrorKind::InvalidResponse(m) => (None, "InvalidResponse".to_string(), m.clone()),
            CallErrorKind::Signing(m) => (None, "SigningError".to_string(), m.clone()),
        };
        Failure {
            operation: self.operation.to_string(),
            http_status,
            code,
            message,
            attempts: self.attempts,
        }
    }

    /// The run-stopping error this becomes when the call was essential (e.g. ListTables).
    pub fn into_connector_error(self) -> ConnectorError {
        let failure = self.failure();
        match &self.kind {
            CallErrorKind::Service(e) => match e.class() {
                ErrorClass::Credentials | ErrorClass::AccessDenied => {
                    ConnectorError::AccessDenied(failure)
                }
                _ => ConnectorError::Service(failure),
            },
            // Reached, but the exchange broke: the service's failure, not a missing endpoint.
            CallErrorKind::Transport(e)
                if matches!(
                    e.kind,
                    TransportErrorKind::ConnectionReset
                        | TransportErrorKind::ResponseTooLarge
                        | TransportErrorKind::Protocol
                ) =>
            {
                ConnectorError::Service(failure)
            }
            CallErrorKind::Transport(_) => ConnectorError::Unreachable(failure),
            CallErrorKind::InvalidResponse(_) => ConnectorError::InvalidResponse(failure),
            CallErrorKind::Signing(_) => ConnectorError::Service(failure),
        }
    }
}

/// Sends signed requests through a transport with retries, counting what it does.
pub struct Caller<'t, T> {
    transport: &'t T,
    signer: Signer,
    policy: RetryPolicy,
    stats: Cell<CallStats>,
}

impl<'t, T: Transport> Caller<'t, T> {
    pub fn new(transport: &'t T, signer: Signer, policy: RetryPolicy) -> Self {
        Caller {
            transport,
            signer,
            policy,
            stats: Cell::new(CallStats::default()),
        }
    }

    pub fn stats(&self) -> CallStats {
        self.stats.get()
    }

    pub fn transport(&self) -> &'t T {
        self.transport
    }

    /// Sends the request `build` makes (anew for each attempt) until it succeeds, fails for
    /// good, or runs out of attempts. Only 2xx answers are `Ok`.
    pub async fn call(
        &self,
        operation: &'static str,
        build: impl Fn() -> Request,
    ) -> Result<Response, CallError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = build();
            if let Err(message) = self.signer.sign(&mut request, self.transport.now()) {
                return Err(CallError {
                    operation,
                    kind: CallErrorKind::Signing(message),
                    attempts: attempt,
                });
            }
            self.count(|s| s.requests += 1);
            let (kind, retry_class) = match self.transport.send(request).await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let error = ServiceError::parse(
                        response.status().as_u16(),
                        response.headers(),
                        response.body(),
                    );
                    let class = error.class();
                    (CallErrorKind::Service(error), Some(class))
                }
                Err(error) => {
                    let class = error.kind.is_transient().then_some(ErrorClass::Transient);
                    (CallErrorKind::Transport(error), class)
                }
            };
            let throttled = retry_class == Some(ErrorClass::Throttling);
            if throttled {
                self.count(|s| s.throttled += 1);
            }
            let retryable = matches!(
                retry_class,
                Some(ErrorClass::Throttling | ErrorClass::Transient)
            );
            if !retryable || attempt >= self.policy.max_attempts {
                return Err(CallError {
                    operation,
                    kind,
                    attempts: attempt,
                });
            }
            self.count(|s| s.retries += 1);
            let delay = self
                .policy
                .backoff(attempt - 1, throttled, self.transport.random());
            crate::debug!(
                "{operation}: attempt {attempt} failed ({}); retrying in {} ms",
                describe(&kind),
                delay.as_millis()
            );
            self.transport.sleep(delay).await;
        }
    }

    fn count(&self, update: impl FnOnce(&mut CallStats)) {
        let mut stats = self.stats.get();
        update(&mut stats);
        self.stats.set(stats);
    }
}

fn describe(kind: &CallErrorKind) -> String {
    match kind {
        CallErrorKind::Service(e) => format!("HTTP {} {}", e.status, e.code),
        CallErrorKind::Transport(e) => e.kind.code().to_string(),
        CallErrorKind::InvalidResponse(m) | CallErrorKind::Signing(m) => m.clone(),
    }
}
