//! A response body as the guest reads it: bounded in size, timed out when it stalls, and
//! holding the run's request permit until it is finished or dropped.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};
use wasmtime_wasi_http::Error;

pub struct GuardedBody {
    inner: Incoming,
    read: u64,
    limit: u64,
    between_bytes: Duration,
    stall: Pin<Box<Sleep>>,
    _permit: OwnedSemaphorePermit,
}

impl GuardedBody {
    pub fn new(
        inner: Incoming,
        limit: u64,
        between_bytes: Duration,
        permit: OwnedSemaphorePermit,
    ) -> Self {
        GuardedBody {
            inner,
            read: 0,
            limit,
            between_bytes,
            stall: Box::pin(tokio::time::sleep(between_bytes)),
            _permit: permit,
        }
    }
}

impl Body for GuardedBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.read += data.len() as u64;
                    if this.read > this.limit {
                        return Poll::Ready(Some(Err(Error::HttpResponseBodySize(Some(
                            this.read,
                        )))));
                    }
                }
                let next = Instant::now() + this.between_bytes;
                this.stall.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(if e.is_incomplete_message() {
                Error::HttpResponseIncomplete
            } else if e.is_timeout() {
                Error::ConnectionReadTimeout
            } else {
                Error::ConnectionTerminated
            }))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.stall.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
