//! `RequestBuilder`: one owned, `#[must_use]` request; `.await` sends it.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_TYPE, RANGE};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use tower::ServiceExt;
use url::Url;

use crate::error::{MAX_ERROR_BODY, redact_url};
use crate::{
    Body, Error, ErrorContext, FinalUrl, HubClient, RedirectPolicy, RequestOptions, Response,
    ServerError, Token,
};

/// A request being prepared. Owned (no lifetimes), so it can be stored, moved and spawned.
///
/// `.send().await` (or just `.await`) maps statuses >= 400 to [`Error`]; `.send_raw()` returns
/// any status as is.
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RequestBuilder {
    client: HubClient,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Body,
    options: RequestOptions,
    context: ErrorContext,
    error: Option<Error>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &redact_url(self.url.as_str()))
            .field("body", &self.body)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    pub(crate) fn new(client: HubClient, method: Method, url: Url) -> Self {
        let headers = client.default_headers().clone();
        let mut options = RequestOptions::default();
        match client.auth_override() {
            None => {}
            Some(Some(token)) => options.token = Some(token.clone()),
            Some(None) => options.no_auth = true,
        }
        RequestBuilder {
            client,
            method,
            url,
            headers,
            body: Body::empty(),
            options,
            context: ErrorContext::default(),
            error: None,
        }
    }

    /// A request that fails with `error` when sent (a URL that could not be built).
    pub(crate) fn failed(client: HubClient, method: Method, error: Error) -> Self {
        let url = client.endpoint().clone();
        let mut request = RequestBuilder::new(client, method, url);
        request.fail(error);
        request
    }

    /// Records what this request is about (repo, revision, path): an HTTP error it fails with
    /// carries it ([`Error::context`]).
    pub fn context(mut self, context: ErrorContext) -> Self {
        self.context = context;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL, query included.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The client this request will be sent with.
    pub fn client(&self) -> &HubClient {
        &self.client
    }

    /// Appends query parameters (`k=v&k=v2` for repeated keys). Values are sent as given:
    /// render booleans and lists yourself.
    pub fn query<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> Self {
        self.query_pairs(pairs.iter().map(|(k, v)| (k, v)))
    }

    /// Appends query parameters from an iterator.
    pub fn query_pairs<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut pairs = pairs.into_iter().peekable();
        if pairs.peek().is_some() {
            let mut query = self.url.query_pairs_mut();
            for (k, v) in pairs {
                query.append_pair(k.as_ref(), v.as_ref());
            }
        }
        self
    }

    /// Sets a header (replacing one of the same name). Invalid names or values fail at send.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: fmt::Display,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: fmt::Display,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            (Err(err), _) => self.fail(Error::Config(format!("invalid header name: {err}"))),
            (_, Err(err)) => self.fail(Error::Config(format!("invalid header value: {err}"))),
        }
        self
    }

    /// Sets several headers.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in headers {
            if let Some(name) = name {
                self.headers.insert(name, value);
            }
        }
        self
    }

    /// Sends this token instead of the client's, to whatever host the URL names (it is still
    /// dropped on a redirect to another host).
    pub fn bearer_token(mut self, token: &Token) -> Self {
        match token.bearer_header() {
            Some(value) => {
                self.headers.insert(AUTHORIZATION, value);
            }
            None => self.fail(Error::Config(
                "the token holds characters not allowed in a header".to_owned(),
            )),
        }
        self
    }

    /// A JSON body (`content-type: application/json`).
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.body(Body::from(bytes), "application/json"),
            Err(err) => {
                self.fail(Error::Encode {
                    what: "the JSON body",
                    source: Box::new(err),
                });
                self
            }
        }
    }

    /// A newline-delimited JSON body (`content-type: application/x-ndjson`), one value per line.
    pub fn ndjson<'a, T: Serialize + 'a>(
        mut self,
        values: impl IntoIterator<Item = &'a T>,
    ) -> Self {
        let mut bytes = Vec::new();
        for value in values {
            if let Err(err) = serde_json::to_writer(&mut bytes, value) {
                self.fail(Error::Encode {
                    what: "an NDJSON line",
                    source: Box::new(err),
                });
                return self;
            }
            bytes.push(b'\n');
        }
        self.body(Body::from(bytes), "application/x-ndjson")
    }

    /// A form body (`content-type: application/x-www-form-urlencoded`).
    pub fn form<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> Self {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            form.append_pair(k.as_ref(), v.as_ref());
        }
        self.body(
            Body::from(form.finish()),
            "application/x-www-form-urlencoded",
        )
    }

    /// Any body with its content type.
    pub fn body(mut self, body: Body, content_type: &str) -> Self {
        match HeaderValue::try_from(content_type) {
            Ok(value) => {
                self.headers.insert(CONTENT_TYPE, value);
            }
            Err(_) => self.fail(Error::Config(format!(
                "invalid content type {content_type:?}"
            ))),
        }
        self.body = body;
        self
    }

    /// A body without setting a content type.
    pub fn raw_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sends the client's token even to a host other than the endpoints' (see
    /// [`RequestOptions::auth_any_host`]): only for a URL the Hub handed out for that purpose.
    pub fn send_token_to_any_host(mut self) -> Self {
        self.options.auth_any_host = true;
        self
    }

    /// Never send the client's token with this request (pre-signed URLs).
    pub fn no_auth(mut self) -> Self {
        self.options.no_auth = true;
        self
    }

    /// Declares whether the request may be repeated, overriding what the method implies (e.g.
    /// `true` for a POST that only reads).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.options.idempotent = Some(idempotent);
        self
    }

    /// `false` disables retries for this request.
    pub fn retry(mut self, retry: bool) -> Self {
        self.options.no_retry = !retry;
        self
    }

    /// Time allowed per attempt until the response headers arrive.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Time allowed between two chunks of the response body.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.options.read_timeout = Some(timeout);
        self
    }

    /// Redirect handling (default [`RedirectPolicy::SameHost`]).
    pub fn follow_redirects(mut self, policy: RedirectPolicy) -> Self {
        self.options.redirect = policy;
        self
    }

    /// A copy for another send, unless the body is a stream.
    pub fn try_clone(&self) -> Option<RequestBuilder> {
        if self.error.is_some() {
            return None;
        }
        Some(RequestBuilder {
            client: self.client.clone(),
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.try_clone()?,
            options: self.options.clone(),
            context: self.context.clone(),
            error: None,
        })
    }

    /// The same request (headers, options) to another URL, without body: for follow-up pages.
    pub(crate) fn with_url(&self, url: Url) -> RequestBuilder {
        RequestBuilder {
            client: self.client.clone(),
            method: self.method.clone(),
            url,
            headers: self.headers.clone(),
            body: Body::empty(),
            options: self.options.clone(),
            context: self.context.clone(),
            error: None,
        }
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// The `http::Request` this builder describes, with its [`RequestOptions`] extension.
    pub fn build(self) -> Result<(HubClient, http::Request<Body>), Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let uri = self
            .url
            .as_str()
            .parse::<http::Uri>()
            .map_err(|err| Error::InvalidUrl {
                url: redact_url(self.url.as_str()),
                reason: err.to_string(),
            })?;
        let mut request = http::Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = self.headers;
        request.extensions_mut().insert(self.options);
        Ok((self.client, request))
    }

    /// Sends the request and returns the response whatever its status.
    pub async fn send_raw(self) -> Result<Response, Error> {
        let url = self.url.clone();
        let (client, request) = self.build()?;
        let response = client.service().oneshot(request).await?;
        let final_url = response
            .extensions()
            .get::<FinalUrl>()
            .map(|f| f.0.clone())
            .unwrap_or(url);
        Ok(Response::new(response, final_url))
    }

    /// Sends the request; a status >= 400 becomes the matching [`Error`] (body read, at most 64 KiB).
    pub async fn send(self) -> Result<Response, Error> {
        let method = self.method.clone();
        let context = self.context.clone();
        let range = self
            .headers
            .get(RANGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let response = self.send_raw().await?;
        if response.status().as_u16() < 400 {
            return Ok(response);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let url = response.url().to_string();
        // The error body is context only: a failure to read it must not hide the status.
        let body = response
            .bytes_limited(MAX_ERROR_BODY)
            .await
            .unwrap_or_default();
        let error = ServerError::new(method, &url, status, headers, body)
            .with_requested_range(range)
            .with_context(context);
        Err(Error::from_server_error(error))
    }
}

impl IntoFuture for RequestBuilder {
    type Output = Result<Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Response, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
