//! Per-attempt timeouts: until the response headers, and between two body chunks.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tower::{Layer, Service};

use crate::error::redact_url;
use crate::{Error, HubRequest, HubResponse, RequestOptions, ResponseBody, TimeoutPhase};

/// Fails an attempt with [`Error::Timeout`] when the response headers take longer than the
/// request timeout, and the response body when no chunk arrives within the read-idle timeout.
/// [`RequestOptions::timeout`] / [`RequestOptions::read_timeout`] override the layer's values.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeoutLayer {
    request: Option<Duration>,
    read_idle: Option<Duration>,
}

impl TimeoutLayer {
    /// `None` means no limit.
    pub fn new(request: Option<Duration>, read_idle: Option<Duration>) -> Self {
        TimeoutLayer { request, read_idle }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = TimeoutService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TimeoutService {
            inner,
            request: self.request,
            read_idle: self.read_idle,
        }
    }
}

/// The service of [`TimeoutLayer`].
#[derive(Clone, Debug)]
pub struct TimeoutService<S> {
    inner: S,
    request: Option<Duration>,
    read_idle: Option<Duration>,
}

impl<S> Service<HubRequest> for TimeoutService<S>
where
    S: Service<HubRequest, Response = HubResponse, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = HubResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HubResponse, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HubRequest) -> Self::Future {
        let options = RequestOptions::of(&request);
        let limit = options.timeout.or(self.request);
        let idle = options.read_timeout.or(self.read_idle);
        let url = redact_url(&request.uri().to_string());
        let future = self.inner.call(request);
        Box::pin(async move {
            let response =
                match limit {
                    Some(after) => tokio::time::timeout(after, future).await.map_err(|_| {
                        Error::Timeout {
                            phase: TimeoutPhase::Request,
                            after,
                            url: url.clone(),
                        }
                    })??,
                    None => future.await?,
                };
            Ok(match idle {
                Some(idle) => {
                    response.map(|body| ResponseBody::new(IdleTimeoutBody::new(body, idle, url)))
                }
                None => response,
            })
        })
    }
}

/// A body that fails with [`Error::Timeout`] (phase [`TimeoutPhase::ReadIdle`]) when no chunk
/// arrives for `idle`.
pub struct IdleTimeoutBody {
    inner: ResponseBody,
    idle: Duration,
    sleep: Pin<Box<Sleep>>,
    /// Whether the consumer is already waiting: the clock runs only while it waits, so a caller
    /// that holds the response a while before reading is not blamed on the server.
    waiting: bool,
    url: String,
}

impl IdleTimeoutBody {
    /// Wraps `inner`; `url` is only used in the error.
    pub fn new(inner: ResponseBody, idle: Duration, url: String) -> Self {
        IdleTimeoutBody {
            inner,
            idle,
            sleep: Box::pin(tokio::time::sleep(idle)),
            waiting: false,
            url,
        }
    }
}

impl http_body::Body for IdleTimeoutBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        if !this.waiting {
            this.waiting = true;
            this.sleep.as_mut().reset(Instant::now() + this.idle);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                Poll::Ready(frame)
            }
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::Timeout {
                    phase: TimeoutPhase::ReadIdle,
                    after: this.idle,
                    url: this.url.clone(),
                }))),
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

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::Body;

    #[tokio::test(start_paused = true)]
    async fn request_timeout_fires() {
        let svc = tower::service_fn(|_req: HubRequest| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, Error>(HubResponse::new(ResponseBody::empty()))
        });
        let svc = TimeoutLayer::new(Some(Duration::from_secs(1)), None).layer(svc);
        let req = http::Request::builder()
            .uri("http://h/x")
            .body(Body::empty())
            .unwrap();
        let err = svc.oneshot(req).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Timeout {
                    phase: TimeoutPhase::Request,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn idle_body_times_out() {
        let stalled = http_body_util::StreamBody::new(futures_util::stream::pending::<
            Result<Frame<Bytes>, Error>,
        >());
        let body = IdleTimeoutBody::new(
            ResponseBody::new(stalled),
            Duration::from_secs(2),
            "http://h/".into(),
        );
        let err = body.collect().await.unwrap_err();
        assert!(matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::ReadIdle,
                ..
            }
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_clock_starts_when_the_consumer_waits() {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, Error>>(1);
        let stream = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        let body = IdleTimeoutBody::new(
            ResponseBody::new(http_body_util::StreamBody::new(stream)),
            Duration::from_secs(2),
            "http://h/".into(),
        );
        // The caller holds the response longer than the idle limit before reading.
        tokio::time::sleep(Duration::from_secs(10)).await;
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let chunk = Frame::data(Bytes::from_static(b"late but in time"));
            tx.send(Ok(chunk)).await.unwrap();
        });
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes, "late but in time");
    }
}
