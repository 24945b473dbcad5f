//! Git refs and commit history (protocol §3.3, §3.4).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{InvalidRevision, Revision};

/// One git ref: a branch, tag, convert ref or pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRefInfo {
    /// Short name, e.g. `main`, `v1.0`, `parquet`, `1`.
    pub name: String,
    /// Full ref, e.g. `refs/heads/main`, `refs/pr/1`.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// Commit the ref points to (40 hex).
    pub target_commit: String,
}

impl GitRefInfo {
    /// The full ref as a [`Revision`] usable in URLs (e.g. `refs/pr/1`).
    pub fn revision(&self) -> Result<Revision, InvalidRevision> {
        self.git_ref.parse()
    }
}

/// All refs of a repo (`GET /api/{type}/{repo_id}/refs`).
///
/// `branches`, `converts` and `tags` are always present on the wire (possibly
/// empty); `pull_requests` only when `include_prs=1` was sent, so `None` means
/// "not asked", not "none".
///
/// ```
/// use hf_types::GitRefs;
///
/// let refs: GitRefs = serde_json::from_str(r#"{"branches": [{"name": "main", "ref": "refs/heads/main",
///     "targetCommit": "607a30d783dfa663caf39e06633721c8d4cfcd7e"}], "converts": [], "tags": []}"#)?;
/// assert_eq!(refs.branches[0].name, "main");
/// assert!(refs.pull_requests.is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRefs {
    /// Branches (`refs/heads/*`).
    pub branches: Vec<GitRefInfo>,
    /// Hub-internal conversion refs (`refs/convert/*`).
    pub converts: Vec<GitRefInfo>,
    /// Tags (`refs/tags/*`).
    pub tags: Vec<GitRefInfo>,
    /// Pull request refs (`refs/pr/*`), only when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<Vec<GitRefInfo>>,
}

/// An author of a commit in a history listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommitAuthor {
    /// Username (`system` for the Hub's own commits).
    pub user: String,
    /// Avatar URL, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// HTML renderings of a commit's title and message (`expand[]=formatted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FormattedCommit {
    /// Title as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Message as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One entry of a commit history listing (newest first).
///
/// ```
/// use hf_types::GitCommitInfo;
///
/// let c: GitCommitInfo = serde_json::from_str(r#"{"id": "9b865efde13a30c13e0a33e536cf3e4a5a9d71d8",
///   "title": "initial commit", "message": "", "authors": [{"user": "system"}],
///   "date": "2019-02-18T10:36:15.000Z"}"#)?;
/// assert_eq!(c.author_names(), vec!["system"]);
/// assert_eq!(c.formatted_title(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GitCommitInfo {
    /// Commit id (40 hex).
    #[serde(rename = "id")]
    pub commit_id: String,
    /// Authors.
    pub authors: Vec<CommitAuthor>,
    /// Commit date.
    #[serde(rename = "date", with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
    /// Summary (first line).
    pub title: String,
    /// The rest of the message (may be empty).
    pub message: String,
    /// HTML renderings, only with `expand[]=formatted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<FormattedCommit>,
}

impl GitCommitInfo {
    /// The authors' usernames.
    pub fn author_names(&self) -> Vec<&str> {
        self.authors.iter().map(|a| a.user.as_str()).collect()
    }

    /// The title as HTML, when requested.
    pub fn formatted_title(&self) -> Option<&str> {
        self.formatted.as_ref()?.title.as_deref()
    }

    /// The message as HTML, when requested.
    pub fn formatted_message(&self) -> Option<&str> {
        self.formatted.as_ref()?.message.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "607a30d783dfa663caf39e06633721c8d4cfcd7e";

    #[test]
    fn refs_with_prs() {
        let json = format!(
            r#"{{"branches": [{{"name": "main", "ref": "refs/heads/main", "targetCommit": "{SHA}"}}],
                "converts": [{{"name": "parquet", "ref": "refs/convert/parquet", "targetCommit": "{SHA}"}}],
                "tags": [{{"name": "v1.0", "ref": "refs/tags/v1.0", "targetCommit": "{SHA}"}}],
                "pullRequests": [{{"name": "1", "ref": "refs/pr/1", "targetCommit": "{SHA}"}}]}}"#
        );
        let refs: GitRefs = serde_json::from_str(&json).unwrap();
        assert_eq!(refs.branches[0].git_ref, "refs/heads/main");
        assert_eq!(refs.converts[0].name, "parquet");
        assert_eq!(refs.tags[0].target_commit, SHA);
        let prs = refs.pull_requests.as_ref().unwrap();
        assert_eq!(prs[0].revision().unwrap(), Revision::pull_request(1));
        let back = serde_json::to_value(&refs).unwrap();
        assert_eq!(back["pullRequests"][0]["ref"], "refs/pr/1");
        assert_eq!(back["branches"][0]["targetCommit"], SHA);
    }

    #[test]
    fn refs_without_prs_and_with_empty_lists() {
        let refs: GitRefs = serde_json::from_str(
            r#"{"branches": [], "converts": [], "tags": [], "somethingNew": 1}"#,
        )
        .unwrap();
        assert!(refs.branches.is_empty() && refs.converts.is_empty() && refs.tags.is_empty());
        assert!(refs.pull_requests.is_none());
        assert!(
            serde_json::to_value(&refs)
                .unwrap()
                .get("pullRequests")
                .is_none()
        );
        // Required lists: a body without them is not a refs answer.
        assert!(serde_json::from_str::<GitRefs>(r#"{"branches": []}"#).is_err());
    }

    #[test]
    fn commits_with_and_without_formatted() {
        let json = r#"[
          {"id": "9b865efde13a30c13e0a33e536cf3e4a5a9d71d8", "title": "initial commit", "message": "",
           "authors": [{"user": "system", "avatar": "https://example.com/a.png"}],
           "date": "2019-02-18T10:36:15.000Z",
           "formatted": {"title": "initial commit", "message": ""}},
          {"id": "1111111111111111111111111111111111111111", "title": "Add model", "message": "Epoch 3\n",
           "authors": [{"user": "alice"}, {"user": "bob"}], "date": "2024-02-19T10:57:45.123456Z", "extra": {}}
        ]"#;
        let commits: Vec<GitCommitInfo> = serde_json::from_str(json).unwrap();
        let first = &commits[0];
        assert_eq!(first.commit_id, "9b865efde13a30c13e0a33e536cf3e4a5a9d71d8");
        assert_eq!(first.author_names(), vec!["system"]);
        assert_eq!(
            first.authors[0].avatar.as_deref(),
            Some("https://example.com/a.png")
        );
        assert_eq!(first.created_at.unix_timestamp(), 1_550_486_175);
        assert_eq!(first.formatted_title(), Some("initial commit"));
        assert_eq!(first.formatted_message(), Some(""));
        let second = &commits[1];
        assert_eq!(second.author_names(), vec!["alice", "bob"]);
        assert_eq!(second.message, "Epoch 3\n");
        assert_eq!(second.created_at.microsecond(), 123_456);
        assert_eq!(second.formatted_title(), None);
        let back = serde_json::to_value(second).unwrap();
        assert_eq!(back["date"], "2024-02-19T10:57:45.123Z");
        assert!(back.get("formatted").is_none());
    }
}
