//! Redirect following: bounded, loop-checked, and credential-stripping on cross-host hops.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION, PROXY_AUTHORIZATION,
    TRANSFER_ENCODING,
};
use http::{Method, StatusCode, Uri};
use tower::{Layer, Service, ServiceExt};
use url::Url;

use crate::error::redact_url;
use crate::{
    Body, Error, FinalUrl, HubRequest, HubResponse, RedirectPolicy, RequestOptions, TransportKind,
};

/// Follows 301/302/303/307/308 as [`RequestOptions::redirect`] allows, at most `max_hops` times.
///
/// 303 (and 301/302 after a POST) becomes a body-less GET; 307/308 resend the same method and
/// body, which must be replayable (otherwise the 3xx is returned as is). A hop to another host
/// or port drops `authorization`, `cookie` and `proxy-authorization`. Every response carries a
/// [`FinalUrl`] extension.
#[derive(Clone, Copy, Debug)]
pub struct RedirectLayer {
    max_hops: usize,
}

impl RedirectLayer {
    /// Follows at most `max_hops` redirects per request.
    pub fn new(max_hops: usize) -> Self {
        RedirectLayer { max_hops }
    }
}

impl Default for RedirectLayer {
    fn default() -> Self {
        RedirectLayer::new(10)
    }
}

impl<S> Layer<S> for RedirectLayer {
    type Service = RedirectService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RedirectService {
            inner,
            max_hops: self.max_hops,
        }
    }
}

/// The service of [`RedirectLayer`].
#[derive(Clone, Debug)]
pub struct RedirectService<S> {
    inner: S,
    max_hops: usize,
}

fn redirect_error(url: &Url, message: String) -> Error {
    Error::Transport {
        kind: TransportKind::Redirect,
        url: redact_url(url.as_str()),
        source: message.into(),
    }
}

fn to_uri(url: &Url) -> Result<Uri, Error> {
    url.as_str()
        .parse::<Uri>()
        .map_err(|err| Error::InvalidUrl {
            url: redact_url(url.as_str()),
            reason: err.to_string(),
        })
}

fn same_host(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

impl<S> Service<HubRequest> for RedirectService<S>
where
    S: Service<HubRequest, Response = HubResponse, Error = Error> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = HubResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HubResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HubRequest) -> Self::Future {
        let inner = self.inner.clone();
        let max_hops = self.max_hops;
        Box::pin(async move {
            let policy = RequestOptions::of(&request).redirect;
            let mut url =
                Url::parse(&request.uri().to_string()).map_err(|err| Error::InvalidUrl {
                    url: redact_url(&request.uri().to_string()),
                    reason: err.to_string(),
                })?;
            let (mut parts, body) = request.into_parts();
            // Keep a copy of the body for 307/308 only when one can be made.
            let mut spare = body.try_clone();
            let mut current = Some(body);
            let mut visited = vec![url.clone()];
            loop {
                let body = current.take().unwrap_or_default();
                let mut response = inner
                    .clone()
                    .oneshot(HubRequest::from_parts(parts.clone(), body))
                    .await?;
                let status = response.status();
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let follow = policy != RedirectPolicy::None
                    && matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
                    && location.is_some();
                let Some(location) = location.filter(|_| follow) else {
                    response.extensions_mut().insert(FinalUrl(url));
                    return Ok(response);
                };
                let next = url.join(&location).map_err(|err| {
                    redirect_error(&url, format!("bad Location {location:?}: {err}"))
                })?;
                let relative = !location.contains("://") && !location.starts_with("//");
                let allowed = match policy {
                    RedirectPolicy::None => false,
                    RedirectPolicy::RelativeOnly => relative,
                    RedirectPolicy::SameHost => relative || same_host(&url, &next),
                    RedirectPolicy::All => matches!(next.scheme(), "http" | "https"),
                };
                let keeps_method = matches!(
                    status,
                    StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
                );
                let to_get = status == StatusCode::SEE_OTHER && parts.method != Method::HEAD
                    || matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
                        && parts.method == Method::POST;
                let next_body = if keeps_method {
                    match spare.as_ref().and_then(Body::try_clone) {
                        Some(body) => body,
                        None => {
                            response.extensions_mut().insert(FinalUrl(url));
                            return Ok(response);
                        }
                    }
                } else if to_get {
                    Body::empty()
                } else {
                    spare.as_ref().and_then(Body::try_clone).unwrap_or_default()
                };
                if !allowed {
                    response.extensions_mut().insert(FinalUrl(url));
                    return Ok(response);
                }
                if visited.len() > max_hops {
                    return Err(redirect_error(
                        &url,
                        format!("more than {max_hops} redirects"),
                    ));
                }
                if visited.contains(&next) {
                    return Err(redirect_error(&next, "redirect loop".to_owned()));
                }
                if to_get {
                    parts.method = Method::GET;
                    for name in [CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING] {
                        parts.headers.remove(name);
                    }
                    spare = None;
                }
                if !same_host(&url, &next) {
                    for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                        parts.headers.remove(name);
                    }
                }
                tracing::debug!(status = status.as_u16(), to = %redact_url(next.as_str()), "following redirect");
                parts.uri = to_uri(&next)?;
                url = next;
                visited.push(url.clone());
                current = Some(next_body);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::ResponseBody;

    type Seen = Arc<Mutex<Vec<(Method, String, bool)>>>;

    fn scripted(
        seen: Seen,
    ) -> impl Service<HubRequest, Response = HubResponse, Error = Error, Future: Send> + Clone + Send
    {
        tower::service_fn(move |req: HubRequest| {
            let seen = seen.clone();
            async move {
                let uri = req.uri().to_string();
                seen.lock().unwrap().push((
                    req.method().clone(),
                    uri.clone(),
                    req.headers().contains_key(AUTHORIZATION),
                ));
                let (status, location) = match req.uri().path() {
                    "/old" => (307, "/new"),
                    "/post" => (303, "/new"),
                    "/cdn" => (302, "https://cdn.example/blob"),
                    "/loop" => (302, "/loop2"),
                    "/loop2" => (302, "/loop"),
                    _ => (200, ""),
                };
                let mut response = HubResponse::new(ResponseBody::empty());
                *response.status_mut() = StatusCode::from_u16(status).unwrap();
                if !location.is_empty() {
                    response
                        .headers_mut()
                        .insert(LOCATION, location.parse().unwrap());
                }
                Ok(response)
            }
        })
    }

    fn request(method: Method, uri: &str, policy: RedirectPolicy) -> HubRequest {
        let mut req = http::Request::builder()
            .method(method)
            .uri(uri)
            .header(AUTHORIZATION, "Bearer t")
            .body(Body::from("payload"))
            .unwrap();
        req.extensions_mut().insert(RequestOptions {
            redirect: policy,
            ..Default::default()
        });
        req
    }

    #[tokio::test]
    async fn relative_followed_and_final_url_set() {
        let seen = Seen::default();
        let svc = RedirectLayer::default().layer(scripted(seen.clone()));
        let response = svc
            .oneshot(request(
                Method::GET,
                "https://hub.example/old",
                RedirectPolicy::SameHost,
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.extensions().get::<FinalUrl>().unwrap().0.as_str(),
            "https://hub.example/new"
        );
        assert_eq!(seen.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn see_other_becomes_get() {
        let seen = Seen::default();
        let svc = RedirectLayer::default().layer(scripted(seen.clone()));
        svc.oneshot(request(
            Method::POST,
            "https://hub.example/post",
            RedirectPolicy::SameHost,
        ))
        .await
        .unwrap();
        assert_eq!(seen.lock().unwrap()[1].0, Method::GET);
    }

    #[tokio::test]
    async fn cross_host_only_with_all_and_without_token() {
        let seen = Seen::default();
        let svc = RedirectLayer::default().layer(scripted(seen.clone()));
        let response = svc
            .clone()
            .oneshot(request(
                Method::GET,
                "https://hub.example/cdn",
                RedirectPolicy::SameHost,
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        let response = svc
            .oneshot(request(
                Method::GET,
                "https://hub.example/cdn",
                RedirectPolicy::All,
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.last().unwrap(),
            &(Method::GET, "https://cdn.example/blob".to_owned(), false)
        );
        assert!(seen[0].2 && seen[1].2);
    }

    #[tokio::test]
    async fn loops_and_none_policy() {
        let svc = RedirectLayer::default().layer(scripted(Seen::default()));
        let err = svc
            .clone()
            .oneshot(request(
                Method::GET,
                "https://hub.example/loop",
                RedirectPolicy::SameHost,
            ))
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Transport {
                kind: TransportKind::Redirect,
                ..
            }
        ));
        let response = svc
            .oneshot(request(
                Method::GET,
                "https://hub.example/old",
                RedirectPolicy::None,
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), 307);
    }
}
