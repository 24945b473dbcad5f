//! The operations a commit is made of (protocol §6.1): add, delete, copy.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hf_types::{RepoPath, Revision};
use tokio::io::AsyncRead;

use crate::{Error, Result};

/// An async reader that a commit reads once (see [`CommitOperationAdd::from_reader`]).
pub(crate) type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

/// Where the content of an addition comes from.
#[derive(Clone)]
pub(crate) enum AddSource {
    /// A local file, read when the commit runs (streamed, never held whole in memory).
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Bytes),
    /// A reader, copied once to a temporary file while it is hashed.
    Reader(Arc<Mutex<Option<BoxReader>>>),
}

impl fmt::Debug for AddSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            AddSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            AddSource::Reader(_) => f.write_str("Reader"),
        }
    }
}

/// Adds or replaces a file: `CommitOperationAdd` of the Python client.
///
/// ```
/// use hf_repo::commit::CommitOperationAdd;
///
/// let config = CommitOperationAdd::from_bytes("config.json", br#"{"a": 1}"#.to_vec())?;
/// let weights = CommitOperationAdd::from_path("weights/model.safetensors", "/tmp/model.safetensors")?;
/// assert_eq!(weights.path_in_repo(), "weights/model.safetensors");
/// # let _ = config;
/// # Ok::<(), hf_repo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CommitOperationAdd {
    pub(crate) path_in_repo: String,
    pub(crate) source: AddSource,
    /// Set by `preupload_lfs_files`: the content is in LFS storage already.
    pub(crate) preuploaded: Option<Arc<Preuploaded>>,
}

/// What an earlier step learnt about an addition: `preupload_lfs_files` after uploading an LFS
/// content, or `upload_large_folder` from its saved state (then the addition may be regular).
/// A commit with it neither asks for the upload mode nor uploads the content again.
#[derive(Debug)]
pub(crate) struct Preuploaded {
    pub sha256: String,
    pub size: u64,
    /// `false`: a regular file (its content goes in the commit).
    pub lfs: bool,
    /// The id of the file at that path when the mode was asked for.
    pub remote_oid: Option<String>,
}

impl CommitOperationAdd {
    /// The content of the local file at `local_path` (read when the commit runs).
    pub fn from_path(path_in_repo: &str, local_path: impl Into<PathBuf>) -> Result<Self> {
        Ok(CommitOperationAdd {
            path_in_repo: normalize_path_in_repo(path_in_repo)?,
            source: AddSource::Path(local_path.into()),
            preuploaded: None,
        })
    }

    /// These bytes.
    pub fn from_bytes(path_in_repo: &str, content: impl Into<Bytes>) -> Result<Self> {
        Ok(CommitOperationAdd {
            path_in_repo: normalize_path_in_repo(path_in_repo)?,
            source: AddSource::Bytes(content.into()),
            preuploaded: None,
        })
    }

    /// Everything `reader` yields. The commit reads it once, into a temporary file that it
    /// hashes on the way (the upload needs the SHA-256 before it sends any byte); a second
    /// commit with the same operation fails.
    pub fn from_reader(
        path_in_repo: &str,
        reader: impl AsyncRead + Send + Unpin + 'static,
    ) -> Result<Self> {
        Ok(CommitOperationAdd {
            path_in_repo: normalize_path_in_repo(path_in_repo)?,
            source: AddSource::Reader(Arc::new(Mutex::new(Some(Box::new(reader))))),
            preuploaded: None,
        })
    }

    /// The normalized destination path.
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }

    /// Whether `preupload_lfs_files` already uploaded this file's content to LFS storage (a
    /// commit with this operation then neither hashes nor uploads it again).
    pub fn is_uploaded(&self) -> bool {
        self.preuploaded.as_ref().is_some_and(|p| p.lfs)
    }

    /// The addition of a local file whose hash and upload mode an earlier step saved (and, for
    /// LFS, whose content it uploaded): the commit sends it without asking or hashing again.
    pub(crate) fn known(
        path_in_repo: &str,
        local_path: impl Into<PathBuf>,
        known: Preuploaded,
    ) -> Result<Self> {
        let mut op = CommitOperationAdd::from_path(path_in_repo, local_path)?;
        op.preuploaded = Some(Arc::new(known));
        Ok(op)
    }
}

/// Deletes a file or a folder: `CommitOperationDelete` of the Python client.
///
/// ```
/// use hf_repo::commit::CommitOperationDelete;
///
/// let file = CommitOperationDelete::new("old.bin")?; // a file
/// let folder = CommitOperationDelete::new("checkpoints/")?; // a trailing `/`: a folder
/// assert!(!file.is_folder() && folder.is_folder());
/// # Ok::<(), hf_repo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOperationDelete {
    pub(crate) path_in_repo: String,
    pub(crate) is_folder: bool,
}

impl CommitOperationDelete {
    /// A file, or a folder when `path_in_repo` ends with `/` (Python's `is_folder="auto"`).
    pub fn new(path_in_repo: &str) -> Result<Self> {
        let is_folder = path_in_repo.ends_with('/');
        let mut op = CommitOperationDelete::file(path_in_repo)?;
        op.is_folder = is_folder;
        Ok(op)
    }

    /// The file at `path_in_repo`.
    pub fn file(path_in_repo: &str) -> Result<Self> {
        Ok(CommitOperationDelete {
            path_in_repo: normalize_path_in_repo(path_in_repo.trim_end_matches('/'))?,
            is_folder: false,
        })
    }

    /// Everything under the folder `path_in_repo`.
    pub fn folder(path_in_repo: &str) -> Result<Self> {
        let mut op = CommitOperationDelete::file(path_in_repo)?;
        op.is_folder = true;
        Ok(op)
    }

    /// The normalized path (without a trailing `/`).
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }

    /// Whether a whole folder is deleted.
    pub fn is_folder(&self) -> bool {
        self.is_folder
    }
}

/// Copies a file of the same repo: `CommitOperationCopy` of the Python client. An LFS file is
/// copied by reference (no transfer); a regular file is downloaded and added again.
///
/// ```
/// use hf_repo::commit::CommitOperationCopy;
///
/// let copy = CommitOperationCopy::new("model.safetensors", "backup/model.safetensors")?
///     .src_revision("v1.0".parse()?);
/// # let _ = copy;
/// # Ok::<(), hf_repo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOperationCopy {
    pub(crate) src_path_in_repo: String,
    pub(crate) path_in_repo: String,
    pub(crate) src_revision: Option<Revision>,
}

impl CommitOperationCopy {
    /// Copies `src_path_in_repo` (at the commit's revision) to `path_in_repo`.
    pub fn new(src_path_in_repo: &str, path_in_repo: &str) -> Result<Self> {
        Ok(CommitOperationCopy {
            src_path_in_repo: normalize_path_in_repo(src_path_in_repo)?,
            path_in_repo: normalize_path_in_repo(path_in_repo)?,
            src_revision: None,
        })
    }

    /// Reads the source at this revision instead of the commit's.
    pub fn src_revision(mut self, revision: Revision) -> Self {
        self.src_revision = Some(revision);
        self
    }
}

/// One operation of a commit.
#[derive(Debug, Clone)]
pub enum CommitOperation {
    /// Add or replace a file.
    Add(CommitOperationAdd),
    /// Delete a file or folder.
    Delete(CommitOperationDelete),
    /// Copy a file of the repo.
    Copy(CommitOperationCopy),
}

impl CommitOperation {
    /// The destination path of the operation.
    pub fn path_in_repo(&self) -> &str {
        match self {
            CommitOperation::Add(op) => &op.path_in_repo,
            CommitOperation::Delete(op) => &op.path_in_repo,
            CommitOperation::Copy(op) => &op.path_in_repo,
        }
    }
}

impl From<CommitOperationAdd> for CommitOperation {
    fn from(op: CommitOperationAdd) -> Self {
        CommitOperation::Add(op)
    }
}

impl From<CommitOperationDelete> for CommitOperation {
    fn from(op: CommitOperationDelete) -> Self {
        CommitOperation::Delete(op)
    }
}

impl From<CommitOperationCopy> for CommitOperation {
    fn from(op: CommitOperationCopy) -> Self {
        CommitOperation::Copy(op)
    }
}

/// `path_in_repo` as the Hub stores it (protocol §6.1): a leading `/` or `./` is removed; `.`,
/// `..`, `../...`, empty paths, backslashes and `.git` or `.cache/huggingface` components are
/// refused.
pub(crate) fn normalize_path_in_repo(path: &str) -> Result<String> {
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else {
            break;
        }
    }
    let parsed: RepoPath = p.parse()?;
    let mut segments = parsed.segments().peekable();
    while let Some(segment) = segments.next() {
        if segment == ".git" || (segment == ".cache" && segments.peek() == Some(&"huggingface")) {
            return Err(Error::InvalidArgument(format!(
                "invalid path_in_repo {path:?}: it cannot contain a `.git` or `.cache/huggingface` folder"
            )));
        }
    }
    Ok(parsed.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_or_refused() {
        assert_eq!(normalize_path_in_repo("./a/b.txt").unwrap(), "a/b.txt");
        assert_eq!(normalize_path_in_repo("/a.txt").unwrap(), "a.txt");
        for bad in [
            "",
            ".",
            "..",
            "../a",
            "a/../b",
            "..\\b",
            ".git/config",
            "x/.cache/huggingface/y",
        ] {
            assert!(normalize_path_in_repo(bad).is_err(), "{bad:?} accepted");
        }
        assert!(CommitOperationDelete::new("ckpt/").unwrap().is_folder());
        assert_eq!(
            CommitOperationDelete::new("ckpt/").unwrap().path_in_repo(),
            "ckpt"
        );
    }
}
