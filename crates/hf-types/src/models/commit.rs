//! The result of a commit (protocol §6.5).

use serde::{Deserialize, Serialize};

use crate::{RepoUrl, Revision};

/// The Hub's answer to `POST /api/{type}/{repo_id}/commit/{rev}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CommitResponse {
    /// `true` on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// Id of the new commit (40 hex).
    pub commit_oid: String,
    /// Web URL of the new commit: `{repo url}/commit/{oid}`.
    pub commit_url: String,
    /// Output of server-side hooks, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_output: Option<String>,
    /// URL of the pull request opened by `create_pr=1`: `.../discussions/{num}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request_url: Option<String>,
}

/// Why a commit answer cannot be turned into a [`CommitInfo`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCommitResponse {
    /// `commitUrl` does not look like `{repo url}/commit/{oid}`.
    #[error("unexpected commit URL from the Hub {url:?}: {reason}")]
    CommitUrl {
        /// The URL received.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `pullRequestUrl` does not end with `/discussions/{number}`.
    #[error("unexpected response from the Hub, expected a pull request URL but got {0:?}")]
    PullRequestUrl(String),
}

/// A commit just created, as the client reports it (built from [`CommitResponse`]).
///
/// ```
/// use hf_types::{CommitInfo, CommitResponse, RepoType};
///
/// let response: CommitResponse = serde_json::from_str(r#"{"success": true,
///   "commitOid": "403adf5c8b48aecc6b4e5d3bfc402587153a707a",
///   "commitUrl": "https://huggingface.co/acme/tiny/commit/403adf5c8b48aecc6b4e5d3bfc402587153a707a",
///   "pullRequestUrl": "https://huggingface.co/acme/tiny/discussions/3"}"#)?;
/// let info = CommitInfo::from_response(response, "Add weights", "", "https://huggingface.co")?;
/// assert_eq!(info.pr_num, Some(3));
/// assert_eq!(info.pr_revision.as_ref().map(|r| r.as_str()), Some("refs/pr/3"));
/// assert_eq!(info.repo_url.repo_type(), RepoType::Model);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CommitInfo {
    /// Web URL of the commit.
    pub commit_url: String,
    /// Summary (first line) of the commit.
    pub commit_message: String,
    /// Description of the commit (may be empty).
    pub commit_description: String,
    /// Commit id (40 hex).
    pub oid: String,
    /// URL of the pull request created, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_url: Option<String>,
    /// Revision of that pull request, `refs/pr/{num}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_revision: Option<Revision>,
    /// Number of that pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_num: Option<u64>,
    /// The repository, parsed from `commit_url`.
    #[serde(with = "repo_url_parts")]
    pub repo_url: RepoUrl,
}

impl CommitInfo {
    /// Builds the report from a commit URL and an optional PR URL, as the Python
    /// client does: the repo URL is what precedes `/commit/` in `commit_url`; the PR
    /// number is the trailing `/discussions/{num}` of `pr_url`.
    pub fn new(
        commit_url: impl Into<String>,
        commit_message: impl Into<String>,
        commit_description: impl Into<String>,
        oid: impl Into<String>,
        pr_url: Option<String>,
        endpoint: &str,
    ) -> Result<Self, InvalidCommitResponse> {
        let commit_url = commit_url.into();
        let repo_part = commit_url
            .split("/commit/")
            .next()
            .filter(|_| commit_url.contains("/commit/"))
            .ok_or_else(|| InvalidCommitResponse::CommitUrl {
                url: commit_url.clone(),
                reason: "no '/commit/' in it".to_owned(),
            })?;
        let repo_url =
            RepoUrl::parse(repo_part, endpoint).map_err(|e| InvalidCommitResponse::CommitUrl {
                url: commit_url.clone(),
                reason: e.to_string(),
            })?;
        let pr_num = pr_url.as_deref().map(pr_number).transpose()?;
        Ok(CommitInfo {
            commit_url,
            commit_message: commit_message.into(),
            commit_description: commit_description.into(),
            oid: oid.into(),
            pr_url,
            pr_revision: pr_num.map(Revision::pull_request),
            pr_num,
            repo_url,
        })
    }

    /// Builds the report from the Hub's answer and the message that was sent.
    pub fn from_response(
        response: CommitResponse,
        commit_message: impl Into<String>,
        commit_description: impl Into<String>,
        endpoint: &str,
    ) -> Result<Self, InvalidCommitResponse> {
        CommitInfo::new(
            response.commit_url,
            commit_message,
            commit_description,
            response.commit_oid,
            response.pull_request_url,
            endpoint,
        )
    }
}

/// The `{num}` of a URL ending with `/discussions/{num}`.
fn pr_number(url: &str) -> Result<u64, InvalidCommitResponse> {
    let fail = || InvalidCommitResponse::PullRequestUrl(url.to_owned());
    let (_, num) = url.rsplit_once("/discussions/").ok_or_else(fail)?;
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail());
    }
    num.parse().map_err(|_| fail())
}

/// `RepoUrl` as `{url, endpoint, repo_type, repo_id}`: the URL for readers, the
/// parts so that reading back does not depend on guessing the endpoint.
mod repo_url_parts {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::{RepoId, RepoType, RepoUrl};

    #[derive(Serialize)]
    struct Out<'a> {
        url: String,
        endpoint: &'a str,
        repo_type: RepoType,
        repo_id: &'a RepoId,
    }

    #[derive(Deserialize)]
    struct In {
        endpoint: String,
        repo_type: RepoType,
        repo_id: RepoId,
    }

    pub(super) fn serialize<S: Serializer>(
        url: &RepoUrl,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Out {
            url: url.to_string(),
            endpoint: url.endpoint(),
            repo_type: url.repo_type(),
            repo_id: url.repo_id(),
        }
        .serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<RepoUrl, D::Error> {
        let parts = In::deserialize(deserializer)?;
        Ok(RepoUrl::new(
            &parts.endpoint,
            parts.repo_type,
            parts.repo_id,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RepoType;

    const E: &str = "https://huggingface.co";
    const OID: &str = "403adf5c8b48aecc6b4e5d3bfc402587153a707a";

    #[test]
    fn hub_response_without_pr() {
        let response: CommitResponse = serde_json::from_str(&format!(
            r#"{{"success": true, "commitOid": "{OID}",
                "commitUrl": "https://huggingface.co/spaces/user/tmp_test_space/commit/{OID}", "hookOutput": ""}}"#
        ))
        .unwrap();
        assert_eq!(response.success, Some(true));
        assert_eq!(response.hook_output.as_deref(), Some(""));
        assert!(response.pull_request_url.is_none());
        let info = CommitInfo::from_response(response, "Upload app.py", "", E).unwrap();
        assert_eq!(info.oid, OID);
        assert_eq!(info.commit_message, "Upload app.py");
        assert_eq!(info.repo_url.repo_type(), RepoType::Space);
        assert_eq!(info.repo_url.repo_id().as_str(), "user/tmp_test_space");
        assert_eq!(
            (
                info.pr_url.as_deref(),
                info.pr_num,
                info.pr_revision.as_ref()
            ),
            (None, None, None)
        );
    }

    #[test]
    fn with_pr_and_round_trip() {
        let info = CommitInfo::new(
            format!("{E}/datasets/acme/data/commit/{OID}"),
            "Add rows",
            "More data",
            OID,
            Some(format!("{E}/datasets/acme/data/discussions/12")),
            E,
        )
        .unwrap();
        assert_eq!(info.pr_num, Some(12));
        assert_eq!(info.pr_revision, Some(Revision::pull_request(12)));
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(
            json["repo_url"]["url"],
            "https://huggingface.co/datasets/acme/data"
        );
        assert_eq!(json["repo_url"]["repo_type"], "dataset");
        assert_eq!(json["pr_revision"], "refs/pr/12");
        assert_eq!(serde_json::from_value::<CommitInfo>(json).unwrap(), info);
    }

    #[test]
    fn endpoint_with_path_prefix() {
        let endpoint = "http://127.0.0.1:8080/hub";
        let info = CommitInfo::new(
            format!("{endpoint}/acme/m/commit/{OID}"),
            "m",
            "",
            OID,
            None,
            endpoint,
        )
        .unwrap();
        assert_eq!(
            info.repo_url.to_string(),
            "http://127.0.0.1:8080/hub/acme/m"
        );
        let back: CommitInfo =
            serde_json::from_str(&serde_json::to_string(&info).unwrap()).unwrap();
        assert_eq!(back.repo_url, info.repo_url);
    }

    #[test]
    fn bad_urls() {
        let err =
            CommitInfo::new(format!("{E}/acme/m/tree/main"), "m", "", OID, None, E).unwrap_err();
        assert!(
            matches!(err, InvalidCommitResponse::CommitUrl { .. }),
            "{err}"
        );
        for pr in [
            "https://huggingface.co/acme/m/discussions/",
            "https://huggingface.co/acme/m/discussions/3a",
            "https://huggingface.co/acme/m/pull/3",
        ] {
            let err = CommitInfo::new(
                format!("{E}/acme/m/commit/{OID}"),
                "m",
                "",
                OID,
                Some(pr.into()),
                E,
            )
            .unwrap_err();
            assert_eq!(err, InvalidCommitResponse::PullRequestUrl(pr.into()));
            assert!(err.to_string().contains(pr));
        }
    }

    #[test]
    fn missing_required_keys_fail() {
        assert!(
            serde_json::from_str::<CommitResponse>(r#"{"success": true, "commitOid": "x"}"#)
                .is_err()
        );
    }
}
