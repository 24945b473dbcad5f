//! Web URLs of repositories, as the Hub returns them (`url`, `commitUrl`, ...).

use std::fmt;

use crate::repo_id::{RepoId, RepoType};

/// Why a URL does not name a repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a repo URL {input:?}: {reason}")]
pub struct InvalidRepoUrl {
    input: String,
    reason: String,
}

/// A repository's web URL: `{endpoint}/{prefix}{repo_id}`.
///
/// ```
/// # use hf_types::{RepoUrl, RepoType};
/// let url = RepoUrl::parse("https://huggingface.co/datasets/acme/data", "https://huggingface.co")?;
/// assert_eq!(url.repo_type(), RepoType::Dataset);
/// assert_eq!(url.repo_id().as_str(), "acme/data");
/// assert_eq!(url.to_string(), "https://huggingface.co/datasets/acme/data");
/// # Ok::<(), hf_types::InvalidRepoUrl>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoUrl {
    endpoint: String,
    repo_type: RepoType,
    repo_id: RepoId,
}

impl RepoUrl {
    /// Builds the URL of `repo_id` on `endpoint` (a trailing `/` is dropped).
    pub fn new(endpoint: &str, repo_type: RepoType, repo_id: RepoId) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            repo_type,
            repo_id,
        }
    }

    /// Parses a URL returned by a server, as the Python client does (protocol §1.2).
    ///
    /// The endpoint's own prefix is removed when present, otherwise the scheme and
    /// host; three path segments mean `type/namespace/name`; two segments whose first
    /// is `models`, `datasets` or `spaces` mean a canonical repo of that type;
    /// otherwise two segments are a model's `namespace/name`. `hf://` is accepted.
    pub fn parse(url: &str, endpoint: &str) -> Result<Self, InvalidRepoUrl> {
        let fail = |reason: String| InvalidRepoUrl {
            input: url.to_owned(),
            reason,
        };
        let endpoint = endpoint.trim_end_matches('/');
        let path = if let Some(rest) = url.strip_prefix(endpoint) {
            rest
        } else if let Some(rest) = url.strip_prefix("hf://") {
            rest
        } else {
            let after_scheme = url
                .split_once("://")
                .map(|(_, rest)| rest)
                .ok_or_else(|| fail("no scheme".to_owned()))?;
            after_scheme.find('/').map_or("", |i| &after_scheme[i..])
        };
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let type_of = |s: &str| -> Option<RepoType> {
            match s {
                "models" => Some(RepoType::Model),
                "datasets" => Some(RepoType::Dataset),
                "spaces" => Some(RepoType::Space),
                _ => None,
            }
        };
        let (repo_type, id) = match segments.as_slice() {
            [t, ns, name] => (
                type_of(t).ok_or_else(|| fail(format!("unknown repo type segment {t:?}")))?,
                format!("{ns}/{name}"),
            ),
            [t, name] if type_of(t).is_some() => {
                (type_of(t).unwrap_or_default(), (*name).to_owned())
            }
            [ns, name] => (RepoType::Model, format!("{ns}/{name}")),
            [name] => (RepoType::Model, (*name).to_owned()),
            _ => return Err(fail("expected [type/]namespace/name".to_owned())),
        };
        let repo_id = id
            .parse()
            .map_err(|e: crate::InvalidRepoId| fail(e.to_string()))?;
        let base = url
            .strip_suffix(path)
            .filter(|b| !b.is_empty())
            .unwrap_or(endpoint);
        Ok(Self::new(base, repo_type, repo_id))
    }

    /// The endpoint part, e.g. `https://huggingface.co`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The repository's type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The repository's id.
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}{}",
            self.endpoint,
            self.repo_type.url_prefix(),
            self.repo_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const E: &str = "https://huggingface.co";

    #[test]
    fn parses_the_shapes() {
        let u = RepoUrl::parse("https://huggingface.co/spaces/user/app", E).unwrap();
        assert_eq!(
            (u.repo_type(), u.repo_id().as_str()),
            (RepoType::Space, "user/app")
        );
        let u = RepoUrl::parse("https://huggingface.co/user/model", E).unwrap();
        assert_eq!(
            (u.repo_type(), u.repo_id().as_str()),
            (RepoType::Model, "user/model")
        );
        let u = RepoUrl::parse("https://huggingface.co/datasets/squad", E).unwrap();
        assert_eq!(
            (u.repo_type(), u.repo_id().as_str()),
            (RepoType::Dataset, "squad")
        );
        let u = RepoUrl::parse(
            "http://127.0.0.1:8080/datasets/a/b",
            "http://127.0.0.1:8080",
        )
        .unwrap();
        assert_eq!(u.to_string(), "http://127.0.0.1:8080/datasets/a/b");
        let u = RepoUrl::parse("http://other:1/a/b", E).unwrap();
        assert_eq!(u.endpoint(), "http://other:1");
    }

    #[test]
    fn refuses_garbage() {
        assert!(RepoUrl::parse("https://huggingface.co/things/a/b", E).is_err());
        assert!(RepoUrl::parse("https://huggingface.co/a/b/c/d", E).is_err());
        assert!(RepoUrl::parse("no-scheme", "https://x").is_err());
    }
}
