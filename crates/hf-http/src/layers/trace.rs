//! One tracing span per logical request (covering its redirects and retries); never any header.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Request, Response};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::Error;
use crate::error::redact_url;

/// Opens an `hf_http.request` span with the method and the redacted URL.
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceLayer;

impl TraceLayer {
    /// The layer.
    pub fn new() -> Self {
        TraceLayer
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = TraceService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TraceService { inner }
    }
}

/// The service of [`TraceLayer`].
#[derive(Clone, Debug)]
pub struct TraceService<S> {
    inner: S,
}

impl<S, B, RB> Service<Request<B>> for TraceService<S>
where
    S: Service<Request<B>, Response = Response<RB>, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = Response<RB>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<RB>, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let span = tracing::debug_span!(
            "hf_http.request",
            method = %request.method(),
            url = %redact_url(&request.uri().to_string()),
        );
        let started = Instant::now();
        let future = self.inner.call(request);
        Box::pin(
            async move {
                let result = future.await;
                match &result {
                    Ok(response) => tracing::debug!(status = response.status().as_u16(), elapsed = ?started.elapsed(), "response"),
                    Err(error) => tracing::debug!(%error, elapsed = ?started.elapsed(), "request failed"),
                }
                result
            }
            .instrument(span),
        )
    }
}

#[cfg(test)]
mod tests {
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn passes_responses_and_errors_through() {
        let svc = tower::service_fn(|req: Request<()>| async move {
            if req.uri().path() == "/fail" {
                Err(Error::Offline {
                    url: req.uri().to_string(),
                })
            } else {
                Ok(Response::builder().status(204).body(()).unwrap())
            }
        });
        let svc = TraceLayer::new().layer(svc);
        let ok = Request::builder()
            .uri("https://h/ok?Signature=s")
            .body(())
            .unwrap();
        assert_eq!(svc.clone().oneshot(ok).await.unwrap().status(), 204);
        let fail = Request::builder().uri("https://h/fail").body(()).unwrap();
        assert!(svc.oneshot(fail).await.unwrap_err().is_offline());
    }
}
