//! Paths of files inside a repository.

use std::str::FromStr;

/// Why a string is not a safe path inside a repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path in repo {input:?}: {reason}")]
pub struct InvalidRepoPath {
    input: String,
    reason: &'static str,
}

impl InvalidRepoPath {
    /// The rejected input.
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// A relative, `/`-separated path of a file or folder inside a repository.
///
/// It can never point outside the repository or the cache folder that mirrors
/// it: absolute paths, `.` and `..` segments, empty segments, backslashes and
/// NUL are refused. A leading `./` or `/` is dropped, as the Python client does
/// for `path_in_repo`.
///
/// ```
/// # use hf_types::RepoPath;
/// let p: RepoPath = "./sub/model.safetensors".parse()?;
/// assert_eq!(p.as_str(), "sub/model.safetensors");
/// assert!("../etc/passwd".parse::<RepoPath>().is_err());
/// assert!("a\\b".parse::<RepoPath>().is_err());
/// # Ok::<(), hf_types::InvalidRepoPath>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(String);

impl RepoPath {
    /// The path as a string, without leading `/` or `./`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path's segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The last segment (the file name).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// Checks a path received from a server or a user without copying it.
    pub fn validate(input: &str) -> Result<&str, InvalidRepoPath> {
        let fail = |reason| {
            Err(InvalidRepoPath {
                input: input.to_owned(),
                reason,
            })
        };
        let trimmed = input
            .strip_prefix("./")
            .or_else(|| input.strip_prefix('/'))
            .unwrap_or(input);
        if trimmed.is_empty() {
            return fail("empty");
        }
        if trimmed.contains('\0') {
            return fail("contains NUL");
        }
        if trimmed.contains('\\') {
            return fail("contains a backslash");
        }
        if trimmed.starts_with('/') {
            return fail("absolute path");
        }
        if trimmed.len() >= 2 && trimmed.as_bytes()[1] == b':' {
            return fail("looks like a drive path");
        }
        for segment in trimmed.split('/') {
            match segment {
                "" => return fail("empty path segment"),
                "." | ".." => return fail("'.' and '..' segments are not allowed"),
                _ => {}
            }
        }
        Ok(trimmed)
    }
}

impl FromStr for RepoPath {
    type Err = InvalidRepoPath;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        RepoPath::validate(input).map(|p| RepoPath(p.to_owned()))
    }
}

crate::string_type_impls!(RepoPath);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(RepoPath::from_str("a/b.txt").unwrap().as_str(), "a/b.txt");
        assert_eq!(RepoPath::from_str("/a").unwrap().as_str(), "a");
        assert_eq!(RepoPath::from_str("./a").unwrap().as_str(), "a");
        assert_eq!(
            RepoPath::from_str(".gitattributes").unwrap().as_str(),
            ".gitattributes"
        );
        assert_eq!(RepoPath::from_str("a/..b/c").unwrap().file_name(), "c");
    }

    #[test]
    fn refuses_escapes() {
        for bad in [
            "", "/", "..", "../x", "a/../b", "a/./b", "a//b", "a/", "//a", "a\\b", "C:x", "a\0b",
            "./",
        ] {
            assert!(RepoPath::from_str(bad).is_err(), "accepted {bad:?}");
        }
    }
}
