//! `user-agent`: `{library}/{version}; hf-api/{version}; rust/{version}; {extra...}; origin/{origin}`.

use std::task::{Context, Poll};

use http::{HeaderValue, Request, header::USER_AGENT};
use tower::{Layer, Service};

use crate::Error;

/// Composes the user-agent string (segments joined by `; `, duplicates removed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserAgent {
    library: Option<(String, String)>,
    extra: Vec<String>,
    origin: Option<String>,
    disable_telemetry: bool,
}

impl UserAgent {
    /// `hf-api/<version>; rust/<rustc version>`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts `{name}/{version}` first (the library built on top of this client).
    pub fn library(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.library = Some((name.into(), version.into()));
        self
    }

    /// Appends a segment verbatim (e.g. `file_type/config`).
    pub fn segment(mut self, segment: impl Into<String>) -> Self {
        self.extra.push(segment.into());
        self
    }

    /// Appends `origin/{origin}` last (`HF_HUB_USER_AGENT_ORIGIN`).
    pub fn origin(mut self, origin: Option<String>) -> Self {
        self.origin = origin;
        self
    }

    /// Leaves out the `rust/<version>` segment (`HF_HUB_DISABLE_TELEMETRY`).
    pub fn disable_telemetry(mut self, disable: bool) -> Self {
        self.disable_telemetry = disable;
        self
    }

    /// The user-agent string.
    pub fn render(&self) -> String {
        let mut segments: Vec<String> = Vec::new();
        if let Some((name, version)) = &self.library {
            segments.push(format!("{name}/{version}"));
        }
        segments.push(format!("hf-api/{}", env!("CARGO_PKG_VERSION")));
        if !self.disable_telemetry {
            segments.push(format!("rust/{}", env!("HF_HTTP_RUSTC_VERSION")));
        }
        segments.extend(self.extra.iter().cloned());
        if let Some(origin) = &self.origin {
            segments.push(format!("origin/{origin}"));
        }
        let mut unique: Vec<String> = Vec::with_capacity(segments.len());
        for segment in segments {
            let segment = segment.trim().to_owned();
            if !segment.is_empty() && !unique.contains(&segment) {
                unique.push(segment);
            }
        }
        unique.join("; ")
    }

    /// The string as a header value.
    pub fn header_value(&self) -> Result<HeaderValue, Error> {
        let rendered = self.render();
        HeaderValue::try_from(rendered.as_str()).map_err(|_| {
            Error::Config(format!(
                "user agent {rendered:?} is not a valid header value"
            ))
        })
    }
}

/// Sets `user-agent` on requests that do not already have one.
#[derive(Clone, Debug)]
pub struct UserAgentLayer {
    value: HeaderValue,
}

impl UserAgentLayer {
    /// Uses `value` as is.
    pub fn new(value: HeaderValue) -> Self {
        UserAgentLayer { value }
    }
}

impl<S> Layer<S> for UserAgentLayer {
    type Service = UserAgentService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        UserAgentService {
            inner,
            value: self.value.clone(),
        }
    }
}

/// The service of [`UserAgentLayer`].
#[derive(Clone, Debug)]
pub struct UserAgentService<S> {
    inner: S,
    value: HeaderValue,
}

impl<S, B> Service<Request<B>> for UserAgentService<S>
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
        if !request.headers().contains_key(USER_AGENT) {
            request.headers_mut().insert(USER_AGENT, self.value.clone());
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::ServiceExt;

    use super::*;

    #[test]
    fn format_order_and_dedup() {
        let rust = format!("rust/{}", env!("HF_HTTP_RUSTC_VERSION"));
        let me = format!("hf-api/{}", env!("CARGO_PKG_VERSION"));
        assert_eq!(UserAgent::new().render(), format!("{me}; {rust}"));
        let ua = UserAgent::new()
            .library("mylib", "1.2")
            .segment("file_type/config")
            .segment(" file_type/config ")
            .origin(Some("ci".into()));
        assert_eq!(
            ua.render(),
            format!("mylib/1.2; {me}; {rust}; file_type/config; origin/ci")
        );
        assert_eq!(UserAgent::new().disable_telemetry(true).render(), me);
        assert!(!env!("HF_HTTP_RUSTC_VERSION").is_empty());
    }

    #[tokio::test]
    async fn sets_header_unless_present() {
        let svc = tower::service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(req.headers().get(USER_AGENT).cloned())
        });
        let svc = UserAgentLayer::new(HeaderValue::from_static("ua/1")).layer(svc);
        let got = svc.clone().oneshot(Request::new(())).await.unwrap();
        assert_eq!(got, Some(HeaderValue::from_static("ua/1")));
        let req = Request::builder()
            .header(USER_AGENT, "mine")
            .body(())
            .unwrap();
        assert_eq!(
            svc.oneshot(req).await.unwrap(),
            Some(HeaderValue::from_static("mine"))
        );
    }
}
