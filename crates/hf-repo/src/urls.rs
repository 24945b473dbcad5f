//! URLs of the repo API (protocol §1.2, §1.3).

use hf_http::{HubClient, RepoTarget, Url};
use hf_types::{RepoId, RepoType, Revision, encode_path};

use crate::Result;

/// `{endpoint}/api/{models|datasets|spaces}/{namespace}/{name}{tail}` of the target's repo;
/// `tail` is empty or starts with `/` and is already encoded.
pub(crate) fn target_api(target: &RepoTarget, tail: &str) -> Result<Url> {
    target.url(&format!(
        "api/{}/{}{}",
        target.repo_type().api_segment(),
        target.repo_id().as_str(),
        tail
    ))
}

/// `/{segment}/{revision}` with the revision encoded as one segment, plus `/{path}` encoded
/// per segment when `path` is not empty.
pub(crate) fn rev_tail(segment: &str, revision: &Revision, path: &str) -> String {
    let path = path.trim_matches('/');
    if path.is_empty() {
        format!("/{segment}/{}", revision.url_encoded())
    } else {
        format!(
            "/{segment}/{}/{}",
            revision.url_encoded(),
            encode_path(path)
        )
    }
}

/// The endpoint without its trailing slash, as URLs shown to users are built from it.
pub(crate) fn endpoint(client: &HubClient) -> String {
    client.endpoint().as_str().trim_end_matches('/').to_string()
}

/// `{endpoint}/{prefix}{repo_id}`: the repo's web URL (`datasets/`, `spaces/` or nothing).
pub(crate) fn target_web_url(target: &RepoTarget) -> String {
    format!(
        "{}/{}{}",
        endpoint(target.client()),
        target.repo_type().url_prefix(),
        target.repo_id().as_str()
    )
}

/// `{endpoint}/api/{models|datasets|spaces}/{namespace}/{name}{tail}`; `tail` is empty or starts
/// with `/` and is already encoded.
pub(crate) fn api_repo(
    client: &HubClient,
    repo_type: RepoType,
    repo_id: &RepoId,
    tail: &str,
) -> Result<Url> {
    Ok(client.url(&format!(
        "api/{}/{}{}",
        repo_type.api_segment(),
        repo_id.as_str(),
        tail
    ))?)
}

/// `{endpoint}/{prefix}{repo_id}`: the repo's web URL (`datasets/`, `spaces/` or nothing).
pub(crate) fn repo_web_url(client: &HubClient, repo_type: RepoType, repo_id: &RepoId) -> String {
    format!(
        "{}/{}{}",
        endpoint(client),
        repo_type.url_prefix(),
        repo_id.as_str()
    )
}
