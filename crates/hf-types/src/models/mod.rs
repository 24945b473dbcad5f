//! Serde models of what the Hub returns.
//!
//! Conventions, shared by every model here:
//! * Rust field names, renamed to the wire's spelling by `rename_all = "camelCase"`;
//!   an explicit `rename` marks the odd key that is not (`pipeline_tag`,
//!   `library_name`, `model-index`, `_id`, `type`, `oid`);
//! * the fields every repo type shares live once, in [`RepoInfoCommon`](crate::RepoInfoCommon), flattened
//!   into the three info objects;
//! * response structs are `#[non_exhaustive]`: the Hub adds fields, and so may we;
//! * every field the Hub may omit is an `Option`, and `None` is not written back,
//!   so a reduced answer (listing, `expand`) reads and prints faithfully;
//! * unknown keys are ignored (info objects keep them in `extra`), so a new field
//!   on the server never breaks a client;
//! * timestamps are [`time::OffsetDateTime`] through [`crate::timestamp`];
//! * open sets of strings (stages, dtypes, roles) are enums with an `Other` variant.

mod card;
mod commit;
// Inference Endpoints (issue 13).
pub mod inference_endpoint;
// Discussions, pull requests, likes, access requests (issue 10).
mod discussions;
// LFS file listing, expand values (issue 15).
mod expand;
mod lfs_files;
mod open_enum;
mod refs;
mod repo_info;
mod safetensors;
mod sibling;
mod space;
pub mod timestamp;
mod tree;
mod user;

pub use card::CardData;
pub use commit::{CommitInfo, CommitResponse, InvalidCommitResponse};
// Discussions, pull requests, likes, access requests (issue 10).
pub use discussions::{
    AccessRequest, AccessRequestStatus, ConflictingFiles, Discussion, DiscussionComment,
    DiscussionCommit, DiscussionEvent, DiscussionRepo, DiscussionStatus, DiscussionStatusChange,
    DiscussionTitleChange, DiscussionUser, DiscussionWithDetails, EventInfo, LikedRepo, OtherEvent,
    PullRequestChanges, UserLikes,
};
pub use refs::{CommitAuthor, FormattedCommit, GitCommitInfo, GitRefInfo, GitRefs};
pub use repo_info::{
    DatasetInfo, Gated, InferenceProviderMapping, ModelInfo, RepoInfo, RepoInfoCommon, SpaceInfo,
    TransformersInfo,
};
pub use safetensors::{
    DType, SAFETENSORS_MAX_HEADER_LENGTH, SafetensorsFileMetadata, SafetensorsIndex,
    SafetensorsInfo, SafetensorsParseError, SafetensorsRepoMetadata, TensorInfo,
    safetensors_header_length,
};
pub use sibling::{RepoSibling, SiblingLfsInfo};
pub use space::{
    SpaceHardware, SpaceRuntime, SpaceSecret, SpaceStage, SpaceStorage, SpaceVariable,
};
// LFS file listing, expand values (issue 15).
pub use expand::{
    EXPAND_DATASET_PROPERTIES, EXPAND_MODEL_PROPERTIES, EXPAND_SPACE_PROPERTIES, expand_properties,
};
pub use lfs_files::LfsFileInfo;
pub use timestamp::InvalidTimestamp;
pub use tree::{
    BlobLfsInfo, BlobSecurityInfo, LastCommitInfo, RepoFile, RepoFolder, RepoTreeEntry,
};
pub use user::{
    AccessTokenInfo, AccountType, AuthInfo, Organization, TokenRole, User, WhoAmI, WhoAmIOrg,
};
