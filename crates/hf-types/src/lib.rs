//! Core types of the Hugging Face Hub, shared by every crate of `hf-api`.
//!
//! This crate does no I/O: it names things (repositories, revisions, paths inside
//! a repository) and describes what the Hub returns (serde models). Parsing
//! validates exactly as the Hub and the Python client do, so a bad id is refused
//! before any request is sent.
//!
//! ```
//! use hf_types::{RepoId, RepoType, Revision};
//!
//! let id: RepoId = "openai-community/gpt2".parse()?;
//! assert_eq!(id.namespace(), Some("openai-community"));
//! assert_eq!(RepoType::Dataset.api_segment(), "datasets");
//!
//! let rev: Revision = "refs/pr/3".parse()?;
//! assert_eq!(rev.url_encoded(), "refs%2Fpr%2F3");
//! assert!("bad--id".parse::<RepoId>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// The conversions every validated string type shares: `TryFrom` strings (parsing through
/// `FromStr`), `Display`/`AsRef<str>`/serde as the string (deserializing validates).
macro_rules! string_type_impls {
    ($ty:ident) => {
        impl TryFrom<&str> for $ty {
            type Error = <$ty as std::str::FromStr>::Err;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl TryFrom<String> for $ty {
            type Error = <$ty as std::str::FromStr>::Err;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_type_impls;

mod encoding;
mod git;
mod models;
mod path;
mod patterns;
mod repo_id;
mod repo_url;
mod revision;
pub mod routes;

pub use encoding::{encode_path, encode_segment};
pub use git::git_blob_sha1;
pub use models::inference_endpoint;
pub use models::timestamp;
pub use models::{
    AccessTokenInfo, AccountType, AuthInfo, BlobLfsInfo, BlobSecurityInfo, CardData, CommitAuthor,
    CommitInfo, CommitResponse, DType, DatasetInfo, FormattedCommit, Gated, GitCommitInfo,
    GitRefInfo, GitRefs, InferenceProviderMapping, InvalidCommitResponse, InvalidTimestamp,
    LastCommitInfo, ModelInfo, Organization, RepoFile, RepoFolder, RepoInfo, RepoInfoCommon,
    RepoSibling, RepoTreeEntry, SAFETENSORS_MAX_HEADER_LENGTH, SafetensorsFileMetadata,
    SafetensorsIndex, SafetensorsInfo, SafetensorsParseError, SafetensorsRepoMetadata,
    SiblingLfsInfo, SpaceHardware, SpaceInfo, SpaceRuntime, SpaceSecret, SpaceStage, SpaceStorage,
    SpaceVariable, TensorInfo, TokenRole, TransformersInfo, User, WhoAmI, WhoAmIOrg,
    safetensors_header_length,
};
// Discussions, pull requests, likes, access requests (issue 10).
pub use models::{
    AccessRequest, AccessRequestStatus, ConflictingFiles, Discussion, DiscussionComment,
    DiscussionCommit, DiscussionEvent, DiscussionRepo, DiscussionStatus, DiscussionStatusChange,
    DiscussionTitleChange, DiscussionUser, DiscussionWithDetails, EventInfo, LikedRepo, OtherEvent,
    PullRequestChanges, UserLikes,
};
// LFS file listing, expand values (issue 15).
pub use models::{
    EXPAND_DATASET_PROPERTIES, EXPAND_MODEL_PROPERTIES, EXPAND_SPACE_PROPERTIES, LfsFileInfo,
    expand_properties,
};
pub use path::{InvalidRepoPath, RepoPath};
pub use patterns::{Patterns, filter_path};
pub use repo_id::{InvalidRepoId, InvalidRepoType, RepoId, RepoType};
pub use repo_url::{InvalidRepoUrl, RepoUrl};
pub use revision::{InvalidRevision, Revision, RevisionKind};
pub use routes::{EndpointRoutes, RepoRoutes, Route, SpaceRoutes};
