//! The few HTTP exchanges downloads need, over the `hf-http` stack.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use hf_http::{
    Body, FinalUrl, HubClient, RedirectPolicy, RequestOptions, ResponseBody, ServerError,
};
use http::{HeaderMap, Method, Request};
use http_body::Body as _;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::Error;

/// The endpoint as a string without trailing `/`.
pub(crate) fn endpoint(client: &HubClient) -> String {
    client.endpoint().as_str().trim_end_matches('/').to_owned()
}

pub(crate) fn is_offline(client: &HubClient) -> bool {
    client.is_offline()
}

pub(crate) fn etag_timeout(client: &HubClient) -> Duration {
    client.etag_timeout()
}

pub(crate) fn download_timeout(client: &HubClient) -> Duration {
    client.download_timeout()
}

/// Resolves `location` against `base` (a relative `Location` header).
pub(crate) fn join_url(base: &str, location: &str) -> Option<String> {
    let base = url::Url::parse(base).ok()?;
    base.join(location).ok().map(String::from)
}

/// Status, headers and body of a successful (< 400) response.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub final_url: String,
    pub body: BodyStream,
}

/// A response body as a stream of data chunks.
pub(crate) struct BodyStream(ResponseBody);

impl Stream for BodyStream {
    type Item = Result<Bytes, hf_http::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match Pin::new(&mut self.0).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => Poll::Ready(Some(Ok(data))),
                    Err(_trailers) => continue,
                },
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}

impl BodyStream {
    async fn collect(mut self, limit: usize, url: &str) -> Result<Bytes, Error> {
        use futures_util::StreamExt;
        let mut out = Vec::new();
        while let Some(chunk) = self.next().await {
            out.extend_from_slice(&chunk?);
            if out.len() > limit {
                return Err(Error::Http(hf_http::Error::Decode {
                    url: hf_http::redact_url(url),
                    source: format!("response larger than {limit} bytes").into(),
                }));
            }
        }
        Ok(out.into())
    }
}

/// Sends one request through the client's stack; a status >= 400 becomes the mapped error.
async fn send(
    client: &HubClient,
    method: Method,
    url: &str,
    headers: &[(&str, String)],
    options: RequestOptions,
) -> Result<Answer, Error> {
    let mut builder = Request::builder().method(method.clone()).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    let mut request = builder.body(Body::empty()).map_err(|e| {
        Error::Http(hf_http::Error::InvalidUrl {
            url: hf_http::redact_url(url),
            reason: e.to_string(),
        })
    })?;
    request.extensions_mut().insert(options);
    let response = client.service().oneshot(request).await?;
    let final_url = response
        .extensions()
        .get::<FinalUrl>()
        .map(|f| f.0.to_string())
        .unwrap_or_else(|| url.to_owned());
    let (parts, body) = response.into_parts();
    let body = BodyStream(body);
    if parts.status.as_u16() >= 400 {
        let range = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("range"))
            .map(|(_, v)| v.clone());
        let text = body.collect(64 * 1024, url).await.unwrap_or_default();
        let server = ServerError::new(method, &final_url, parts.status, parts.headers, text)
            .with_requested_range(range);
        return Err(Error::Http(hf_http::Error::from_server_error(server)));
    }
    Ok(Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        final_url,
        body,
    })
}

fn options(
    redirect: RedirectPolicy,
    timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    no_auth: bool,
) -> RequestOptions {
    let mut o = RequestOptions::default();
    o.redirect = redirect;
    o.timeout = timeout;
    o.read_timeout = read_timeout;
    o.no_auth = no_auth;
    o
}

/// `HEAD` a resolve URL: only relative redirects are followed (protocol §4.2).
///
/// Not retried (as the 1.x Python client): when the Hub cannot be reached the download
/// falls back to the cache at once instead of after ~25 s of backoff.
pub(crate) async fn head(
    client: &HubClient,
    url: &str,
    timeout: Option<Duration>,
) -> Result<Answer, Error> {
    let mut opts = options(RedirectPolicy::RelativeOnly, timeout, None, false);
    opts.no_retry = true;
    send(
        client,
        Method::HEAD,
        url,
        &[("accept-encoding", "identity".to_owned())],
        opts,
    )
    .await
}

/// `GET` content from `offset` (a `Range` request when > 0), following redirects.
pub(crate) async fn get(
    client: &HubClient,
    url: &str,
    offset: u64,
    no_auth: bool,
    read_timeout: Option<Duration>,
) -> Result<Answer, Error> {
    let mut headers = vec![("accept-encoding", "identity".to_owned())];
    if offset > 0 {
        headers.push(("range", format!("bytes={offset}-")));
    }
    // Retried by the caller, which resumes from the bytes already written (no nested retries).
    let mut opts = options(RedirectPolicy::All, read_timeout, read_timeout, no_auth);
    opts.no_retry = true;
    send(client, Method::GET, url, &headers, opts).await
}

/// `GET` a JSON document (at most 256 MiB); `retry` lets the client's policy retry it.
pub(crate) async fn get_json<T: DeserializeOwned>(
    client: &HubClient,
    url: &str,
    retry: bool,
) -> Result<(T, HeaderMap), Error> {
    let mut opts = RequestOptions::default();
    opts.no_retry = !retry;
    let answer = send(client, Method::GET, url, &[], opts).await?;
    let headers = answer.headers;
    let bytes = answer.body.collect(256 << 20, url).await?;
    let value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Http(hf_http::Error::Decode {
            url: hf_http::redact_url(url),
            source: Box::new(e),
        })
    })?;
    Ok((value, headers))
}

/// The `rel="next"` URL of a `Link` header.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all("link") {
        let Ok(text) = value.to_str() else { continue };
        for part in text.split(',') {
            let mut pieces = part.split(';');
            let target = pieces.next()?.trim();
            if pieces.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            }) {
                return Some(
                    target
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned(),
                );
            }
        }
    }
    None
}

/// All pages of a paginated JSON array endpoint.
pub(crate) async fn get_all_pages<T: DeserializeOwned>(
    client: &HubClient,
    url: &str,
) -> Result<Vec<T>, Error> {
    let mut out = Vec::new();
    let mut next = Some(url.to_owned());
    let mut pages = 0;
    while let Some(u) = next.take() {
        // The first page is not retried (fast fallback to the cache); later pages are.
        let (page, headers): (Vec<T>, _) = get_json(client, &u, pages > 0).await?;
        out.extend(page);
        pages += 1;
        // A server that loops its `next` links cannot keep us busy forever.
        if pages > 100_000 {
            break;
        }
        next = next_link(&headers);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            "<http://x/a?cursor=1>; rel=\"next\"".parse().unwrap(),
        );
        assert_eq!(next_link(&h).as_deref(), Some("http://x/a?cursor=1"));
        assert_eq!(next_link(&HeaderMap::new()), None);
    }
}
