//! `Response`: status, headers, final URL and a streamed body.

use std::fmt;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, TryStreamExt};
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyDataStream, BodyExt};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::redact_url;
use crate::{Error, HubResponse, ResponseBody};

/// A response, any status. The body is read once, by one of the consuming methods.
pub struct Response {
    inner: HubResponse,
    url: Url,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.inner.status())
            .field("url", &redact_url(self.url.as_str()))
            .finish_non_exhaustive()
    }
}

impl Response {
    /// Wraps a stack response; `url` is where it came from.
    pub fn new(inner: HubResponse, url: Url) -> Self {
        Response { inner, url }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// A header as text, when present and valid.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.inner.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// The final URL, after redirects.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `X-Request-Id`, else `X-Amzn-Trace-Id`, else `X-Amz-Cf-Id`.
    pub fn request_id(&self) -> Option<&str> {
        self.header_str("x-request-id")
            .or_else(|| self.header_str("x-amzn-trace-id"))
            .or_else(|| self.header_str("x-amz-cf-id"))
    }

    /// `Content-Length`, when sent.
    pub fn content_length(&self) -> Option<u64> {
        self.header_str("content-length")
            .and_then(|v| v.trim().parse().ok())
    }

    /// The whole body in memory. For small bodies (API answers), not files.
    pub async fn bytes(self) -> Result<Bytes, Error> {
        Ok(self.inner.into_body().collect().await?.to_bytes())
    }

    /// At most `limit` bytes of the body; the rest is not read.
    pub async fn bytes_limited(self, limit: usize) -> Result<Bytes, Error> {
        let mut stream = self.into_stream();
        let mut out = BytesMut::new();
        while out.len() < limit {
            match stream.try_next().await? {
                Some(chunk) => out.extend_from_slice(&chunk[..chunk.len().min(limit - out.len())]),
                None => break,
            }
        }
        Ok(out.freeze())
    }

    /// The body as text (invalid UTF-8 is replaced).
    pub async fn text(self) -> Result<String, Error> {
        let bytes = self.bytes().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The body parsed as JSON.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let url = redact_url(self.url.as_str());
        let bytes = self.bytes().await?;
        serde_json::from_slice(&bytes).map_err(|err| Error::Decode {
            url,
            source: Box::new(err),
        })
    }

    /// The body as a stream of chunks, each subject to the read-idle timeout.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send + 'static {
        BodyDataStream::new(self.inner.into_body())
    }

    /// The body as an `http_body::Body`.
    pub fn into_body(self) -> ResponseBody {
        self.inner.into_body()
    }

    /// The underlying `http::Response`.
    pub fn into_http(self) -> HubResponse {
        self.inner
    }
}
