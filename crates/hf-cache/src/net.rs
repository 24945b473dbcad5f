//! The few HTTP exchanges downloads need, as `hf-http` requests.
//!
//! Error mapping, redirects, pagination and timeouts are hf-http's; this module only chooses,
//! per exchange, the options the download protocol asks for (protocol §4.2–4.3).

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use hf_http::{ErrorContext, HubClient, RedirectPolicy};
use http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use url::Url;

use crate::Error;
use crate::transfer::Fetch;

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
    let base = Url::parse(base).ok()?;
    base.join(location).ok().map(String::from)
}

/// A response body as a stream of data chunks.
pub(crate) type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, hf_http::Error>> + Send>>;

/// Status, headers and body of a successful (< 400) response.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub final_url: String,
    pub body: BodyStream,
}

fn parse_url(url: &str) -> Result<Url, Error> {
    Url::parse(url).map_err(|e| Error::InvalidUrl {
        url: hf_http::redact_url(url),
        reason: e.to_string(),
    })
}

async fn send(request: hf_http::RequestBuilder) -> Result<Answer, Error> {
    let response = request.send().await?;
    Ok(Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        final_url: response.url().to_string(),
        body: Box::pin(response.into_stream()),
    })
}

/// `HEAD` a resolve URL: only relative redirects are followed (protocol §4.2).
///
/// Not retried (as the 1.x Python client): when the Hub cannot be reached the download
/// falls back to the cache at once instead of after ~25 s of backoff.
pub(crate) async fn head(
    client: &HubClient,
    url: &str,
    timeout: Option<Duration>,
    context: &ErrorContext,
) -> Result<Answer, Error> {
    let mut request = client
        .request(Method::HEAD, parse_url(url)?)
        .context(context.clone())
        .header("accept-encoding", "identity")
        .follow_redirects(RedirectPolicy::RelativeOnly)
        .retry(false);
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    send(request).await
}

/// `GET` the content of `fetch` from `offset` (a `Range` request when > 0), following redirects.
pub(crate) async fn get(
    client: &HubClient,
    fetch: &Fetch<'_>,
    offset: u64,
) -> Result<Answer, Error> {
    get_range(
        client,
        fetch.url,
        offset,
        None,
        fetch.no_auth,
        fetch.read_timeout,
        &fetch.context,
    )
    .await
}

/// `GET` bytes `[offset, end)` (`end` `None`: to the end of the file), following redirects; a
/// `Range` header whenever the request is not for the whole file.
pub(crate) async fn get_range(
    client: &HubClient,
    url: &str,
    offset: u64,
    end: Option<u64>,
    no_auth: bool,
    read_timeout: Option<Duration>,
    context: &ErrorContext,
) -> Result<Answer, Error> {
    // Retried by the caller, which resumes from the bytes already written (no nested retries).
    let mut request = client
        .get(parse_url(url)?)
        .context(context.clone())
        .header("accept-encoding", "identity")
        .follow_redirects(RedirectPolicy::All)
        .retry(false);
    match end {
        Some(end) => {
            request = request.header(
                "range",
                &format!("bytes={offset}-{}", end.saturating_sub(1)),
            )
        }
        None if offset > 0 => request = request.header("range", &format!("bytes={offset}-")),
        None => {}
    }
    if no_auth {
        request = request.no_auth();
    }
    if let Some(timeout) = read_timeout {
        request = request.timeout(timeout).read_timeout(timeout);
    }
    send(request).await
}

/// `GET` a JSON document; `retry` lets the client's policy retry it.
pub(crate) async fn get_json<T: DeserializeOwned>(
    client: &HubClient,
    url: &str,
    retry: bool,
    context: &ErrorContext,
) -> Result<T, Error> {
    let response = client
        .get(parse_url(url)?)
        .context(context.clone())
        .retry(retry)
        .send()
        .await?;
    response.json().await
}

/// All items of a paginated JSON array endpoint (hf-http follows the `Link` header).
pub(crate) async fn get_all_pages<T: DeserializeOwned + Send + 'static>(
    client: &HubClient,
    url: &str,
    context: &ErrorContext,
) -> Result<Vec<T>, Error> {
    let pages = client.paginate::<T>(client.get(parse_url(url)?).context(context.clone()));
    pages.try_collect().await
}
