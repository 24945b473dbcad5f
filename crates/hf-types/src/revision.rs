//! Revisions: branches, tags, commit ids and special refs.

use std::str::FromStr;

use crate::encoding::encode_segment;

/// Longest accepted revision string (git itself has no hard limit; the Hub's refs are short).
const MAX_REVISION_LEN: usize = 255;

/// Why a string is not a usable revision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid revision {input:?}: {reason}")]
pub struct InvalidRevision {
    input: String,
    reason: &'static str,
}

impl InvalidRevision {
    /// The rejected input.
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// What a revision string denotes, as far as can be told without asking the Hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionKind<'a> {
    /// A full commit id (40 lowercase hex digits).
    Commit,
    /// A pull request ref `refs/pr/N`.
    PullRequest(u64),
    /// A conversion ref `refs/convert/NAME` (e.g. `parquet`).
    Convert(&'a str),
    /// A branch or a tag name (only the Hub knows which), or a short commit prefix.
    Named,
}

/// A revision: a branch, a tag, a commit id, `refs/pr/N` or `refs/convert/...`.
///
/// Parsing refuses only what can never name a ref (empty, control characters,
/// `..`, backslashes, leading, trailing or doubled `/`); whether the ref exists is
/// the Hub's answer.
///
/// ```
/// # use hf_types::{Revision, RevisionKind};
/// let pr: Revision = "refs/pr/12".parse()?;
/// assert_eq!(pr.kind(), RevisionKind::PullRequest(12));
/// assert_eq!(pr.url_encoded(), "refs%2Fpr%2F12");
/// assert_eq!(Revision::main().as_str(), "main");
/// # Ok::<(), hf_types::InvalidRevision>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Revision(String);

impl Revision {
    /// The default branch, `main`.
    pub fn main() -> Self {
        Revision("main".to_owned())
    }

    /// The pull request ref `refs/pr/{number}`.
    pub fn pull_request(number: u64) -> Self {
        Revision(format!("refs/pr/{number}"))
    }

    /// The revision as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The revision as one URL path segment (`/` becomes `%2F`), protocol §1.3.
    pub fn url_encoded(&self) -> String {
        encode_segment(&self.0)
    }

    /// What the string denotes.
    pub fn kind(&self) -> RevisionKind<'_> {
        if is_commit_hash(&self.0) {
            return RevisionKind::Commit;
        }
        if let Some(n) = self.0.strip_prefix("refs/pr/")
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && let Ok(number) = n.parse()
        {
            return RevisionKind::PullRequest(number);
        }
        if let Some(name) = self.0.strip_prefix("refs/convert/")
            && !name.is_empty()
        {
            return RevisionKind::Convert(name);
        }
        RevisionKind::Named
    }

    /// True for a full 40-hex commit id.
    pub fn is_commit(&self) -> bool {
        is_commit_hash(&self.0)
    }
}

/// True when `s` is a full commit id: exactly 40 lowercase hexadecimal digits.
pub(crate) fn is_commit_hash(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Default for Revision {
    fn default() -> Self {
        Revision::main()
    }
}

impl FromStr for Revision {
    type Err = InvalidRevision;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason| {
            Err(InvalidRevision {
                input: input.to_owned(),
                reason,
            })
        };
        if input.is_empty() {
            return fail("empty");
        }
        if input.len() > MAX_REVISION_LEN {
            return fail("longer than 255 bytes");
        }
        if input.chars().any(char::is_control) {
            return fail("contains a control character");
        }
        if input.contains("..") {
            return fail("'..' is not allowed");
        }
        if input.contains('\\') {
            return fail("backslashes are not allowed");
        }
        if input.starts_with('/') || input.ends_with('/') || input.contains("//") {
            return fail("leading, trailing or doubled '/'");
        }
        if input.ends_with(".lock") || input.ends_with('.') {
            return fail("cannot end with '.lock' or '.'");
        }
        Ok(Revision(input.to_owned()))
    }
}

crate::string_type_impls!(Revision);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let sha = "607a30d783dfa663caf39e06633721c8d4cfcd7e";
        assert_eq!(
            Revision::from_str(sha).unwrap().kind(),
            RevisionKind::Commit
        );
        assert_eq!(
            Revision::from_str(&sha.to_uppercase()).unwrap().kind(),
            RevisionKind::Named
        );
        assert_eq!(
            Revision::from_str("refs/pr/7").unwrap().kind(),
            RevisionKind::PullRequest(7)
        );
        assert_eq!(
            Revision::from_str("refs/pr/x").unwrap().kind(),
            RevisionKind::Named
        );
        assert_eq!(
            Revision::from_str("refs/convert/parquet").unwrap().kind(),
            RevisionKind::Convert("parquet")
        );
        assert_eq!(
            Revision::from_str("v1.0").unwrap().kind(),
            RevisionKind::Named
        );
        assert_eq!(
            Revision::from_str("607a30d").unwrap().kind(),
            RevisionKind::Named
        );
    }

    #[test]
    fn url_encoding() {
        let cases = [
            ("main", "main"),
            ("refs/pr/1", "refs%2Fpr%2F1"),
            ("v1.0", "v1.0"),
            ("my branch", "my%20branch"),
            ("feature/x+y", "feature%2Fx%2By"),
            ("refs/convert/parquet", "refs%2Fconvert%2Fparquet"),
            ("dev~1_a-b", "dev~1_a-b"),
        ];
        for (raw, encoded) in cases {
            assert_eq!(Revision::from_str(raw).unwrap().url_encoded(), encoded);
        }
    }

    #[test]
    fn invalid_revisions() {
        for bad in [
            "", "a..b", "/main", "main/", "a//b", "a\\b", "a\nb", "a\0b", "x.lock", "x.",
        ] {
            assert!(Revision::from_str(bad).is_err(), "accepted {bad:?}");
        }
        assert!(Revision::from_str(&"a".repeat(256)).is_err());
    }

    #[test]
    fn constructors() {
        assert_eq!(Revision::default().as_str(), "main");
        assert_eq!(Revision::pull_request(3).as_str(), "refs/pr/3");
        assert!(Revision::pull_request(3).kind() == RevisionKind::PullRequest(3));
    }
}
