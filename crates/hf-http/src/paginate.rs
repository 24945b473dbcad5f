//! Listings as lazy streams following `Link: <url>; rel="next"` (protocol §1.6).

use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use futures_util::Stream;
use http::header::LINK;
use serde::de::DeserializeOwned;
use url::Url;

use crate::{Error, HubClient, RequestBuilder};

/// What a listing starts from: a prepared request or a plain URL (sent as GET).
pub trait IntoPageRequest {
    /// The first page's request.
    fn into_page_request(self, client: &HubClient) -> RequestBuilder;
}

impl IntoPageRequest for RequestBuilder {
    fn into_page_request(self, _client: &HubClient) -> RequestBuilder {
        self
    }
}

impl IntoPageRequest for Url {
    fn into_page_request(self, client: &HubClient) -> RequestBuilder {
        client.get(self)
    }
}

struct State<T> {
    next: Option<RequestBuilder>,
    items: VecDeque<T>,
    /// Hashes of the page URLs requested so far: a `next` link back to one of them is a loop
    /// (a hostile or broken server), which would otherwise never end.
    seen: HashSet<u64>,
}

/// Pages a listing follows at most (a million items at the Hub's usual page sizes).
const MAX_PAGES: usize = 100_000;

fn url_hash(url: &Url) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    url.as_str().hash(&mut hasher);
    hasher.finish()
}

impl HubClient {
    /// Streams the items of a paginated listing. Pages are fetched one at a time, only when the
    /// previous page's items are consumed; a `next` link is requested verbatim with the first
    /// request's headers (a relative link is resolved against the page's URL). Follow-up pages
    /// are GETs and so are retried on 429 and connection failures. The stream ends after the
    /// first error.
    pub fn paginate<T>(
        &self,
        start: impl IntoPageRequest,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let first = start.into_page_request(self);
        let state = State {
            next: Some(first),
            items: VecDeque::new(),
            seen: HashSet::new(),
        };
        futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.items.pop_front() {
                    return Some((Ok(item), state));
                }
                let request = state.next.take()?;
                if !state.seen.insert(url_hash(request.url())) || state.seen.len() > MAX_PAGES {
                    let what = if state.seen.len() > MAX_PAGES {
                        format!("more than {MAX_PAGES} pages")
                    } else {
                        "the `Link` header points back to a page already read".to_owned()
                    };
                    let url = crate::redact_url(request.url().as_str());
                    return Some((Err(Error::protocol(format!("listing {url}"), what)), state));
                }
                let template = request.with_url(request.url().clone());
                let response = match request.send().await {
                    Ok(response) => response,
                    Err(error) => return Some((Err(error), state)),
                };
                let next = next_link(response.headers(), response.url());
                match response.json::<Vec<T>>().await {
                    Ok(items) => {
                        state.items = items.into();
                        state.next = next.map(|url| template.with_url(url));
                    }
                    Err(error) => return Some((Err(error), state)),
                }
            }
        })
    }
}

/// The `rel="next"` target of the `Link` headers, resolved against `base`.
pub fn next_link(headers: &http::HeaderMap, base: &Url) -> Option<Url> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(parse_next)
        .and_then(|target| base.join(&target).ok())
}

fn parse_next(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        let after = &rest[end + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        let params = &after[..params_end];
        let is_next = params.split(';').any(|param| {
            let mut kv = param.splitn(2, '=');
            let key = kv.next().unwrap_or_default().trim();
            let val = kv.next().unwrap_or_default().trim().trim_matches('"');
            key.eq_ignore_ascii_case("rel")
                && val
                    .split_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.trim().to_owned());
        }
        rest = &after[params_end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_link_headers() {
        assert_eq!(
            parse_next(r#"<https://h/api/models?cursor=abc&limit=2>; rel="next""#).as_deref(),
            Some("https://h/api/models?cursor=abc&limit=2")
        );
        assert_eq!(
            parse_next(r#"<https://h/p1>; rel="prev", <https://h/p3>; rel=next"#).as_deref(),
            Some("https://h/p3")
        );
        assert_eq!(parse_next(r#"<https://h/x>; rel="xet-auth""#), None);
        assert_eq!(parse_next("garbage"), None);
        let mut headers = http::HeaderMap::new();
        headers.insert(
            LINK,
            r#"</api/models?cursor=2>; rel="next""#.parse().unwrap(),
        );
        let base = Url::parse("https://h/api/models?limit=1").unwrap();
        assert_eq!(
            next_link(&headers, &base).unwrap().as_str(),
            "https://h/api/models?cursor=2"
        );
    }
}
