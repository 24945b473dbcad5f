//! File metadata from `HEAD /resolve` (protocol §4.2) and the resolve URL (§4.1).

use std::time::Duration;

use hf_http::{ErrorContext, HubClient};
use hf_types::{RepoId, RepoPath, RepoType, Revision, Route};

use crate::Error;
use crate::net;
use crate::trees::validate_etag;

/// What a `HEAD` on the resolve URL tells about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HfFileMetadata {
    /// The commit the revision resolved to (`X-Repo-Commit`).
    pub commit: String,
    /// The normalised ETag (`X-Linked-Etag`, else `ETag`, without `W/` and quotes).
    pub etag: String,
    /// Size in bytes (`X-Linked-Size`, else `Content-Length`).
    pub size: u64,
    /// Where to GET the content (the `Location`, else the resolve URL).
    pub location: String,
}

/// `{endpoint}/{prefix}{repo_id}/resolve/{revision}/{path}`, encoded as in protocol §1.3.
///
/// ```
/// use hf_types::{RepoType, Revision};
/// let url = hf_cache::hf_hub_url(
///     "https://huggingface.co",
///     &"datasets-org/data".parse()?,
///     RepoType::Dataset,
///     &Revision::pull_request(3),
///     &"train/part 0.parquet".parse()?,
/// );
/// assert_eq!(url, "https://huggingface.co/datasets/datasets-org/data/resolve/refs%2Fpr%2F3/train/part%200.parquet");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hf_hub_url(
    endpoint: &str,
    repo_id: &RepoId,
    repo_type: RepoType,
    revision: &Revision,
    path: &RepoPath,
) -> String {
    Route::repo(repo_type, repo_id)
        .resolve(revision, path.as_str())
        .url(endpoint)
}

/// Removes a leading `W/` and surrounding double quotes.
pub(crate) fn normalize_etag(raw: &str) -> String {
    let s = raw.trim();
    let s = s.strip_prefix("W/").unwrap_or(s);
    s.trim_matches('"').to_owned()
}

/// True for a 40-hex lowercase commit id.
pub(crate) fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `HEAD`s the resolve URL of a file (following only relative redirects) and reads its
/// commit, ETag, size and download location. A header the download needs is missing
/// or unsafe → [`Error::Protocol`] naming the URL.
pub async fn get_hf_file_metadata(
    client: &HubClient,
    url: &str,
    timeout: Option<Duration>,
) -> Result<HfFileMetadata, Error> {
    file_metadata(client, url, timeout, &ErrorContext::default()).await
}

/// [`get_hf_file_metadata`] of a request about `context` (repo, revision, file), which its
/// HTTP errors carry.
pub(crate) async fn file_metadata(
    client: &HubClient,
    url: &str,
    timeout: Option<Duration>,
    context: &ErrorContext,
) -> Result<HfFileMetadata, Error> {
    let head = net::head(client, url, timeout, context).await?;
    let bad = |what: &str| Error::protocol(url, what);
    let h = |name: &str| {
        head.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let commit = h("x-repo-commit").ok_or_else(|| bad("no X-Repo-Commit header"))?;
    // The commit names a snapshot folder: it must be a plain commit id.
    if !is_commit(&commit) {
        return Err(bad("X-Repo-Commit is not a 40-hex commit id"));
    }
    let etag = h("x-linked-etag")
        .or_else(|| h("etag"))
        .map(|e| normalize_etag(&e))
        .ok_or_else(|| bad("no ETag header"))?;
    validate_etag(&etag).map_err(|e| bad(&e))?;
    let size = h("x-linked-size")
        .or_else(|| h("content-length"))
        .ok_or_else(|| bad("no size header (X-Linked-Size or Content-Length)"))?
        .trim()
        .parse::<u64>()
        .map_err(|_| bad("size header is not a number"))?;
    let location = match h("location") {
        Some(loc) => net::join_url(&head.final_url, &loc).unwrap_or(loc),
        None => head.final_url.clone(),
    };
    Ok(HfFileMetadata {
        commit,
        etag,
        size,
        location,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_normalisation() {
        assert_eq!(normalize_etag("W/\"abc\""), "abc");
        assert_eq!(normalize_etag("\"abc\""), "abc");
        assert_eq!(normalize_etag("abc"), "abc");
    }

    #[test]
    fn resolve_urls() {
        let u = hf_hub_url(
            "http://127.0.0.1:1/",
            &"gpt2".parse().unwrap(),
            RepoType::Model,
            &Revision::main(),
            &"a b/c+d.txt".parse().unwrap(),
        );
        assert_eq!(u, "http://127.0.0.1:1/gpt2/resolve/main/a%20b/c%2Bd.txt");
    }
}
