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
/// It can never point outside the repository: absolute paths, `.` and `..`
/// segments, empty segments, drive paths and NUL are refused. A leading `./` or
/// `/` is dropped, as the Python client does for `path_in_repo`.
///
/// A backslash is an ordinary character, as on the Hub (which stores
/// `folder/..\..\file` but refuses a path starting with `..\`, refused here
/// too). On Windows a backslash separates folders, so before such a path
/// becomes a local file [`RepoPath::check_local`] must accept it.
///
/// ```
/// # use hf_types::RepoPath;
/// let p: RepoPath = "./sub/model.safetensors".parse()?;
/// assert_eq!(p.as_str(), "sub/model.safetensors");
/// assert!("../etc/passwd".parse::<RepoPath>().is_err());
/// let odd: RepoPath = "a\\b".parse()?;
/// assert!(odd.check_local().is_ok());
/// let escaping: RepoPath = "a/..\\..\\b".parse()?;
/// assert!(escaping.check_local().is_err());
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
        if trimmed.starts_with("..\\") {
            // The Hub refuses these (422): on Windows they leave the repository.
            return fail("starts with '..\\'");
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

    /// Checks that the path stays inside the folder it is written under on every OS: with `\` read as a
    /// separator too (as Windows does), no segment is `..` and the path does not start with `\`.
    ///
    /// The same rule applies on every OS, so a repo downloads the same way everywhere; the Python client
    /// refuses these paths on Windows only. Ordinary backslashes inside names pass.
    pub fn check_local(&self) -> Result<(), InvalidRepoPath> {
        let escapes = self.0.starts_with('\\') || self.0.split(['/', '\\']).any(|s| s == "..");
        if escapes {
            return Err(InvalidRepoPath {
                input: self.0.clone(),
                reason: "with '\\' read as a folder separator (as on Windows) it leaves the target folder; \
                         it cannot be written to disk safely (exclude it with ignore patterns)",
            });
        }
        Ok(())
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
            "", "/", "..", "../x", "a/../b", "a/./b", "a//b", "a/", "//a", "..\\x", "C:x", "a\0b",
            "./",
        ] {
            assert!(RepoPath::from_str(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn backslashes_are_ordinary_but_never_escape_locally() {
        for ok in ["a\\b", "folder/..\\..\\..\\file", "x\\..", "a\\.\\b", "\\x"] {
            assert_eq!(RepoPath::from_str(ok).unwrap().as_str(), ok);
        }
        for local_ok in ["a\\b", "a\\.\\b", "dir/x\\y.txt", "a..\\b"] {
            let p = RepoPath::from_str(local_ok).unwrap();
            assert!(p.check_local().is_ok(), "{local_ok:?}");
        }
        for escaping in [
            "folder/..\\..\\..\\file",
            "x\\..",
            "a/..\\b",
            "\\x",
            "a\\..\\b",
        ] {
            let p = RepoPath::from_str(escaping).unwrap();
            let e = p.check_local().unwrap_err();
            assert_eq!(e.input(), escaping);
            assert!(e.to_string().contains("separator"), "{e}");
        }
    }
}
