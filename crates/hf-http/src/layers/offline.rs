//! Offline mode: every request fails with [`Error::Offline`] before any connection is made.

use std::task::{Context, Poll};

use futures_util::future::{Either, Ready, ready};
use http::Request;
use tower::{Layer, Service};

use crate::Error;
use crate::error::redact_url;

/// Refuses every request when enabled (`HF_HUB_OFFLINE`).
#[derive(Clone, Copy, Debug)]
pub struct OfflineLayer {
    offline: bool,
}

impl OfflineLayer {
    /// Refuses requests when `offline` is true; passes them through otherwise.
    pub fn new(offline: bool) -> Self {
        OfflineLayer { offline }
    }
}

impl<S> Layer<S> for OfflineLayer {
    type Service = OfflineService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        OfflineService {
            inner,
            offline: self.offline,
        }
    }
}

/// The service of [`OfflineLayer`].
#[derive(Clone, Debug)]
pub struct OfflineService<S> {
    inner: S,
    offline: bool,
}

impl<S, B> Service<Request<B>> for OfflineService<S>
where
    S: Service<Request<B>, Error = Error>,
{
    type Response = S::Response;
    type Error = Error;
    type Future = Either<Ready<Result<S::Response, Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.offline {
            Poll::Ready(Ok(()))
        } else {
            self.inner.poll_ready(cx)
        }
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if self.offline {
            Either::Left(ready(Err(Error::Offline {
                url: redact_url(&request.uri().to_string()),
            })))
        } else {
            Either::Right(self.inner.call(request))
        }
    }
}

#[cfg(test)]
mod tests {
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn refuses_without_calling_inner() {
        let svc = tower::service_fn(|_req: Request<()>| async {
            Err::<(), _>(Error::Config("inner service called".into()))
        });
        let svc = OfflineLayer::new(true).layer(svc);
        let req = Request::builder()
            .uri("https://hub.example/x")
            .body(())
            .unwrap();
        let err: Error = svc.oneshot(req).await.unwrap_err();
        assert!(err.is_offline());
    }
}
