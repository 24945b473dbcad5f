//! Repository ids and types.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest allowed name (and namespace) part of a repo id, as on the Hub.
const MAX_PART_LEN: usize = 96;

/// Why a string is not a valid repo id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid repo id {input:?}: {reason}")]
pub struct InvalidRepoId {
    input: String,
    reason: &'static str,
}

impl InvalidRepoId {
    fn new(input: &str, reason: &'static str) -> Self {
        Self {
            input: input.to_owned(),
            reason,
        }
    }

    /// The rejected input.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Which rule it broke.
    pub fn reason(&self) -> &str {
        self.reason
    }
}

/// A repository id: `name` (a legacy canonical repo) or `namespace/name`.
///
/// Validated as the Hub and the Python client do: at most one `/`; each part made
/// of ASCII letters, digits, `_`, `-` and `.`, starting and ending with a letter,
/// digit or `_`, at most 96 characters; no `--` or `..`; not ending in `.git`.
///
/// ```
/// # use hf_types::RepoId;
/// let id = RepoId::new("acme", "tiny-model")?;
/// assert_eq!(id.to_string(), "acme/tiny-model");
/// assert_eq!(id.name(), "tiny-model");
/// assert!("acme/bad..name".parse::<RepoId>().is_err());
/// # Ok::<(), hf_types::InvalidRepoId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoId {
    full: String,
    /// Byte index of the `/`, if there is a namespace.
    slash: Option<usize>,
}

impl RepoId {
    /// Builds `namespace/name`, validating both parts.
    pub fn new(namespace: &str, name: &str) -> Result<Self, InvalidRepoId> {
        format!("{namespace}/{name}").parse()
    }

    /// The namespace (user or organization), if any.
    pub fn namespace(&self) -> Option<&str> {
        self.slash.map(|i| &self.full[..i])
    }

    /// The repository name (the part after the `/`).
    pub fn name(&self) -> &str {
        match self.slash {
            Some(i) => &self.full[i + 1..],
            None => &self.full,
        }
    }

    /// The id as written: `namespace/name` or `name`.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The folder name the cache uses for this repo, e.g. `models--acme--tiny`.
    pub fn cache_folder_name(&self, repo_type: RepoType) -> String {
        format!(
            "{}--{}",
            repo_type.cache_prefix(),
            self.full.replace('/', "--")
        )
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn check_part(input: &str, part: &str) -> Result<(), InvalidRepoId> {
    if part.is_empty() {
        return Err(InvalidRepoId::new(input, "empty namespace or name"));
    }
    if part.len() > MAX_PART_LEN {
        return Err(InvalidRepoId::new(
            input,
            "a part is longer than 96 characters",
        ));
    }
    if let Some(bad) = part
        .chars()
        .find(|&c| !(is_word(c) || c == '-' || c == '.'))
    {
        return Err(InvalidRepoId::new(
            input,
            if bad.is_whitespace() {
                "contains white space"
            } else {
                "only letters, digits, '_', '-' and '.' are allowed"
            },
        ));
    }
    let starts_ok = part.chars().next().is_some_and(is_word);
    let ends_ok = part.chars().next_back().is_some_and(is_word);
    if !starts_ok || !ends_ok {
        return Err(InvalidRepoId::new(
            input,
            "a part must start and end with a letter, digit or '_'",
        ));
    }
    Ok(())
}

impl FromStr for RepoId {
    type Err = InvalidRepoId;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.matches('/').count() > 1 {
            return Err(InvalidRepoId::new(
                input,
                "expected 'name' or 'namespace/name' (at most one '/')",
            ));
        }
        if input.contains("--") || input.contains("..") {
            return Err(InvalidRepoId::new(input, "'--' and '..' are forbidden"));
        }
        if input.ends_with(".git") {
            return Err(InvalidRepoId::new(input, "cannot end with '.git'"));
        }
        let slash = input.find('/');
        match slash {
            Some(i) => {
                check_part(input, &input[..i])?;
                check_part(input, &input[i + 1..])?;
            }
            None => check_part(input, input)?,
        }
        Ok(Self {
            full: input.to_owned(),
            slash,
        })
    }
}

crate::string_type_impls!(RepoId);

/// The kind of a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum RepoType {
    /// A model repository (the default).
    #[default]
    Model,
    /// A dataset repository.
    Dataset,
    /// A Space (an application).
    Space,
}

/// Why a string is not a repo type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid repo type {0:?}: expected 'model', 'dataset' or 'space'")]
pub struct InvalidRepoType(pub String);

impl RepoType {
    /// All repo types.
    pub const ALL: [RepoType; 3] = [RepoType::Model, RepoType::Dataset, RepoType::Space];

    /// The singular name: `model`, `dataset`, `space` (the `repo_type` argument).
    pub fn as_str(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
            RepoType::Space => "space",
        }
    }

    /// The segment in REST paths: `models`, `datasets`, `spaces`.
    pub fn api_segment(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
            RepoType::Space => "spaces",
        }
    }

    /// The prefix of web, resolve and LFS URLs: empty, `datasets/`, `spaces/`.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
            RepoType::Space => "spaces/",
        }
    }

    /// The prefix of cache folder names: `models`, `datasets`, `spaces`.
    pub fn cache_prefix(self) -> &'static str {
        self.api_segment()
    }
}

impl FromStr for RepoType {
    type Err = InvalidRepoType;

    /// Accepts the singular (`model`) and the plural (`models`) forms.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "model" | "models" => Ok(RepoType::Model),
            "dataset" | "datasets" => Ok(RepoType::Dataset),
            "space" | "spaces" => Ok(RepoType::Space),
            other => Err(InvalidRepoType(other.to_owned())),
        }
    }
}

impl fmt::Display for RepoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RepoType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RepoType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids() {
        for ok in [
            "gpt2",
            "openai-community/gpt2",
            "a/b",
            "A_b/C.d",
            "user/model-v1.0",
            "_x/_y_",
            "org/123",
            "bert-base-uncased",
            "user/a.b.c",
            "user/Name_With_Underscores",
            &format!("ns/{}", "a".repeat(96)),
        ] {
            let id: RepoId = ok.parse().unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(id.as_str(), ok);
        }
    }

    #[test]
    fn invalid_ids() {
        for bad in [
            "",
            "/",
            "a/",
            "/b",
            "a/b/c",
            "a--b/c",
            "a/b--c",
            "a/b..c",
            "a/b.git",
            "a/-b",
            "a/b-",
            "a/.b",
            "a/b.",
            "-a/b",
            "a /b",
            "a/b c",
            "a/b\0",
            "a/é",
            "a/b?c",
            "a/b#c",
            "a/b%2Fc",
            "a\\b",
            &format!("ns/{}", "a".repeat(97)),
        ] {
            assert!(bad.parse::<RepoId>().is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn parts_and_cache_name() {
        let id: RepoId = "acme/tiny".parse().unwrap();
        assert_eq!(id.namespace(), Some("acme"));
        assert_eq!(id.name(), "tiny");
        assert_eq!(
            id.cache_folder_name(RepoType::Dataset),
            "datasets--acme--tiny"
        );
        let canonical: RepoId = "gpt2".parse().unwrap();
        assert_eq!(canonical.namespace(), None);
        assert_eq!(canonical.cache_folder_name(RepoType::Model), "models--gpt2");
    }

    #[test]
    fn error_names_the_input_and_rule() {
        let err = "a--b/c".parse::<RepoId>().unwrap_err();
        assert_eq!(err.input(), "a--b/c");
        assert!(err.to_string().contains("'--'"), "{err}");
    }

    #[test]
    fn repo_type_strings() {
        assert_eq!("dataset".parse::<RepoType>().unwrap(), RepoType::Dataset);
        assert_eq!("spaces".parse::<RepoType>().unwrap(), RepoType::Space);
        assert!("modle".parse::<RepoType>().is_err());
        assert_eq!(RepoType::Model.url_prefix(), "");
        assert_eq!(RepoType::Space.url_prefix(), "spaces/");
        assert_eq!(RepoType::Model.api_segment(), "models");
    }

    #[test]
    fn serde_round_trip() {
        let id: RepoId = serde_json::from_str("\"a/b\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"a/b\"");
        assert!(serde_json::from_str::<RepoId>("\"a//b\"").is_err());
        let t: RepoType = serde_json::from_str("\"space\"").unwrap();
        assert_eq!(t, RepoType::Space);
    }
}
