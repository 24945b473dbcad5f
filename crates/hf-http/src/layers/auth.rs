//! `authorization: Bearer <token>`, only for requests to the endpoint's host and port (and the
//! Inference Endpoints API's).

use std::task::{Context, Poll};

use http::{Request, Uri, header::AUTHORIZATION};
use tower::{Layer, Service};
use url::Url;

use crate::{RequestOptions, Token};

/// Adds the bearer token to requests whose host and port are the endpoint's, unless the request
/// opted out ([`RequestOptions::no_auth`]) or already carries an `authorization` header.
///
/// It sits *outside* the redirect layer: a redirect hop to another host never passes through it,
/// so the token cannot be re-added there.
#[derive(Clone, Debug)]
pub struct AuthLayer {
    token: Option<Token>,
    endpoints: Vec<Url>,
}

impl AuthLayer {
    /// `token` for requests to `endpoint`'s host and port.
    pub fn new(token: Option<Token>, endpoint: Url) -> Self {
        AuthLayer {
            token,
            endpoints: vec![endpoint],
        }
    }

    /// Also sends the token to `endpoint`'s host and port (the Inference Endpoints API lives on
    /// its own host and takes the same token).
    pub fn also_for(mut self, endpoint: Url) -> Self {
        self.endpoints.push(endpoint);
        self
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            token: self.token.clone(),
            endpoints: self.endpoints.clone(),
        }
    }
}

/// The service of [`AuthLayer`].
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    token: Option<Token>,
    endpoints: Vec<Url>,
}

fn default_port(scheme: Option<&str>) -> Option<u16> {
    match scheme {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    }
}

/// True when `uri` has the same host (case-insensitive) and effective port as `url`.
pub fn same_origin(uri: &Uri, url: &Url) -> bool {
    let (Some(a), Some(b)) = (uri.host(), url.host_str()) else {
        return false;
    };
    let port_a = uri.port_u16().or_else(|| default_port(uri.scheme_str()));
    a.trim_matches(['[', ']'])
        .eq_ignore_ascii_case(b.trim_matches(['[', ']']))
        && port_a == url.port_or_known_default()
}

impl<S, B> Service<Request<B>> for AuthService<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let options = request.extensions().get::<RequestOptions>();
        let opted_out = options.is_some_and(|o| o.no_auth);
        let any_host = options.is_some_and(|o| o.auth_any_host);
        let token = options
            .and_then(|o| o.token.clone())
            .or_else(|| self.token.clone());
        if let Some(token) = &token
            && !opted_out
            && !request.headers().contains_key(AUTHORIZATION)
            && (any_host
                || self
                    .endpoints
                    .iter()
                    .any(|endpoint| same_origin(request.uri(), endpoint)))
            && let Some(value) = token.bearer_header()
        {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http::HeaderValue;
    use tower::ServiceExt;

    use super::*;

    async fn auth_for(uri: &str, options: Option<RequestOptions>) -> Option<HeaderValue> {
        let svc = tower::service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(req.headers().get(AUTHORIZATION).cloned())
        });
        let endpoint = Url::parse("https://hub.example").unwrap();
        let svc = AuthLayer::new(Some(Token::from("hf_t")), endpoint).layer(svc);
        let mut req = Request::builder().uri(uri).body(()).unwrap();
        if let Some(options) = options {
            req.extensions_mut().insert(options);
        }
        svc.oneshot(req).await.unwrap()
    }

    #[tokio::test]
    async fn only_same_host_and_port() {
        let header = auth_for("https://hub.example/api/models", None)
            .await
            .unwrap();
        assert_eq!(header, "Bearer hf_t");
        assert!(header.is_sensitive());
        assert!(auth_for("https://HUB.example:443/x", None).await.is_some());
        assert!(auth_for("https://cdn.example/x", None).await.is_none());
        assert!(auth_for("https://hub.example:8443/x", None).await.is_none());
        assert!(auth_for("http://hub.example/x", None).await.is_none());
        let no_auth = RequestOptions {
            no_auth: true,
            ..Default::default()
        };
        assert!(
            auth_for("https://hub.example/x", Some(no_auth))
                .await
                .is_none()
        );
        // Opting in sends it to another host (an Inference Endpoint's health route)...
        let any_host = RequestOptions {
            auth_any_host: true,
            ..Default::default()
        };
        assert!(
            auth_for("https://cdn.example/x", Some(any_host))
                .await
                .is_some()
        );
        // ...but never with no_auth.
        let both = RequestOptions {
            auth_any_host: true,
            no_auth: true,
            ..Default::default()
        };
        assert!(
            auth_for("https://cdn.example/x", Some(both))
                .await
                .is_none()
        );
    }

    #[tokio::test]
    async fn also_for_adds_the_inference_endpoints_origin() {
        let svc = tower::service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(req.headers().get(AUTHORIZATION).cloned())
        });
        let svc = AuthLayer::new(
            Some(Token::from("hf_t")),
            Url::parse("https://hub.example").unwrap(),
        )
        .also_for(Url::parse("https://api.endpoints.example/v2").unwrap())
        .layer(svc);
        for (uri, sent) in [
            ("https://api.endpoints.example/v2/endpoint/alice", true),
            ("https://hub.example/api/whoami-v2", true),
            ("https://other.example/v2/endpoint/alice", false),
        ] {
            let req = Request::builder().uri(uri).body(()).unwrap();
            let header = svc.clone().oneshot(req).await.unwrap();
            assert_eq!(header.is_some(), sent, "{uri}");
        }
    }
}
