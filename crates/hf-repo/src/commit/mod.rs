//! Commits and uploads (protocol §6): [`CreateCommit`] with [`CommitOperationAdd`],
//! [`CommitOperationDelete`] and [`CommitOperationCopy`]; [`PreuploadLfsFiles`]; and the
//! wrappers [`UploadFile`], [`UploadFolder`], [`DeleteFile`], [`DeleteFiles`], [`DeleteFolder`].
//!
//! The setters every commit-making builder shares come from traits: the repo type and branch
//! from [`RepoRequest`](crate::RepoRequest) and [`RevisionRequest`](crate::RevisionRequest),
//! `create_pr`, `num_threads` and `reporter` from [`UploadRequest`], the message from
//! [`CommitRequest`]; bring them into scope with `use hf_repo::prelude::*;`.
//!
//! The upload path reads each file once to hash it (SHA-256 for LFS files; the content and its
//! git blob id for regular files) and once more to send it, streaming, so memory stays flat
//! whatever the file size. Hashing and LFS transfers run concurrently (`num_threads`, default 5);
//! multipart parts go in parallel and each is retried on its own; objects the Hub already has
//! are skipped; the commit is sent only after every upload succeeded.

mod create;
mod lfs;
mod operation;
mod prepare;
mod progress;
mod wrappers;

pub use create::{
    CommitMessage, CommitRequest, CreateCommit, DEFAULT_NUM_THREADS, PreuploadLfsFiles,
    UploadOptions, UploadRequest,
};
pub use operation::{
    CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,
};
pub use progress::{NoUploadReporter, SharedUploadReporter, SkipReason, UploadReporter};
pub use wrappers::{DeleteFile, DeleteFiles, DeleteFolder, UploadFile, UploadFolder};

// The pieces `upload_large_folder` runs step by step.
pub(crate) use create::{Target, preupload, probe_all, run_commit, upload_lfs_object};
pub(crate) use operation::Preuploaded;
pub(crate) use prepare::{UploadMode, sha256_file};
pub(crate) use wrappers::list_local;
