//! The commit wrappers of protocol §6.7: `upload_file`, `upload_folder`, `delete_file`,
//! `delete_files`, `delete_folder`. They only build operation lists for [`run_commit`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use hf_http::{HubClient, RepoRequest, RevisionRequest, impl_into_future};
use hf_types::{CommitInfo, Patterns, RepoId, RepoPath, Revision, filter_path};

use super::create::{CommitMessage, Target, impl_commit_request, run_commit};
use super::operation::{CommitOperation, CommitOperationAdd, CommitOperationDelete};
use crate::{Error, Result};

/// The signature of default commit messages.
const BY: &str = "with hf-api";

/// Paths `upload_folder` never uploads, whatever the patterns (as the Python client).
const ALWAYS_IGNORED: [&str; 8] = [
    ".git",
    ".git/*",
    "*/.git",
    "**/.git/**",
    ".cache/huggingface",
    ".cache/huggingface/*",
    "*/.cache/huggingface",
    "**/.cache/huggingface/**",
];

/// What `upload_file` sends.
#[derive(Debug, Clone)]
enum FileContent {
    Path(PathBuf),
    Bytes(Bytes),
}

/// Uploads one file: the Python client's `upload_file`. Default message:
/// `Upload {path_in_repo} with hf-api`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::commit::UploadFile;
/// use hf_repo::prelude::*;
///
/// let info = UploadFile::new(client, "alice/tiny".parse()?, "out/config.json", "config.json".parse()?)
///     .commit_message("Update the config")
///     .await?;
/// println!("{}", info.oid);
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UploadFile {
    target: Target,
    message: CommitMessage,
    content: FileContent,
    path_in_repo: RepoPath,
}

impl_commit_request!(UploadFile, message);

impl UploadFile {
    /// Uploads the local file `local_path` to `path_in_repo` of the model repo `repo_id`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        local_path: impl Into<PathBuf>,
        path_in_repo: RepoPath,
    ) -> UploadFile {
        UploadFile {
            target: Target::new(client, repo_id),
            message: CommitMessage::default(),
            content: FileContent::Path(local_path.into()),
            path_in_repo,
        }
    }

    /// Uploads these bytes to `path_in_repo` of the model repo `repo_id`.
    pub fn from_bytes(
        client: HubClient,
        repo_id: RepoId,
        content: impl Into<Bytes>,
        path_in_repo: RepoPath,
    ) -> UploadFile {
        UploadFile {
            target: Target::new(client, repo_id),
            message: CommitMessage::default(),
            content: FileContent::Bytes(content.into()),
            path_in_repo,
        }
    }
}

impl UploadFile {
    async fn run(self) -> Result<CommitInfo> {
        let path = self.path_in_repo.as_str();
        let op = match self.content {
            FileContent::Path(local) => CommitOperationAdd::from_path(path, local)?,
            FileContent::Bytes(bytes) => CommitOperationAdd::from_bytes(path, bytes)?,
        };
        let mut message = self.message;
        message
            .summary
            .get_or_insert_with(|| format!("Upload {path} {BY}"));
        run_commit(&self.target, vec![op.into()], &message).await
    }
}

impl_into_future!(UploadFile => CommitInfo, run);

/// Uploads a local folder: the Python client's `upload_folder`. Files are added under
/// `path_in_repo` (default: the repo root) in sorted order; `allow_patterns` and
/// `ignore_patterns` filter them (globs over paths relative to the folder; `.git/` and
/// `.cache/huggingface/` are always skipped); `delete_patterns` delete the remote files under
/// `path_in_repo` that match and are not re-uploaded (never `.gitattributes`). Default message:
/// `Upload folder with hf-api`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::commit::UploadFolder;
///
/// UploadFolder::new(client, "alice/tiny".parse()?, "out/")
///     .path_in_repo("checkpoints/epoch-3")
///     .ignore_patterns(["*.tmp"])
///     .delete_patterns(["*.bin"])
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UploadFolder {
    target: Target,
    message: CommitMessage,
    folder: PathBuf,
    path_in_repo: String,
    allow: Patterns,
    ignore: Patterns,
    delete: Patterns,
}

impl_commit_request!(UploadFolder, message);

impl UploadFolder {
    /// Uploads the local folder `folder` to the root of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, folder: impl Into<PathBuf>) -> UploadFolder {
        UploadFolder {
            target: Target::new(client, repo_id),
            message: CommitMessage::default(),
            folder: folder.into(),
            path_in_repo: String::new(),
            allow: Patterns::default(),
            ignore: Patterns::default(),
            delete: Patterns::default(),
        }
    }

    /// The folder of the repo to upload into (default: the root).
    pub fn path_in_repo(mut self, path: impl Into<String>) -> Self {
        self.path_in_repo = path.into();
        self
    }

    /// Upload only files matching one of these globs (default: all).
    pub fn allow_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.allow = Patterns::new(p);
        self
    }

    /// Skip files matching one of these globs.
    pub fn ignore_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.ignore = Patterns::new(p);
        self
    }

    /// Delete remote files under `path_in_repo` matching one of these globs (unless re-uploaded).
    pub fn delete_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.delete = Patterns::new(p);
        self
    }

    /// The operations of the commit: deletions first, then additions in path order.
    async fn operations(&self) -> Result<Vec<CommitOperation>> {
        let prefix = self.path_in_repo.trim_matches('/');
        let prefix = match prefix {
            "" | "." => String::new(),
            p => format!("{}/", super::operation::normalize_path_in_repo(p)?),
        };
        let folder = self.folder.clone();
        let (allow, ignore) = (self.allow.clone(), self.ignore.clone());
        let files = tokio::task::spawn_blocking(move || list_local(&folder, &allow, &ignore))
            .await
            .map_err(Error::task)??;
        let mut additions = Vec::with_capacity(files.len());
        for (relative, local) in files {
            additions.push(CommitOperationAdd::from_path(
                &format!("{prefix}{relative}"),
                local,
            )?);
        }
        let mut ops: Vec<CommitOperation> = Vec::new();
        if !self.delete.is_empty() {
            // With a PR the deletions are computed against `main`, as the Python client does.
            let revision = if self.target.options.create_pr {
                Revision::main()
            } else {
                self.target.revision()
            };
            let added: HashSet<&str> = additions.iter().map(|a| a.path_in_repo()).collect();
            let remote = list_remote(&self.target, &revision).await?;
            for path in remote {
                let Some(relative) = path.strip_prefix(&prefix) else {
                    continue;
                };
                if relative == ".gitattributes"
                    || path == ".gitattributes"
                    || !self.delete.any_match(relative)
                    || added.contains(path.as_str())
                {
                    continue;
                }
                ops.push(CommitOperationDelete::file(&path)?.into());
            }
        }
        ops.extend(additions.into_iter().map(CommitOperation::from));
        Ok(ops)
    }
}

impl UploadFolder {
    async fn run(self) -> Result<CommitInfo> {
        let ops = self.operations().await?;
        let mut message = self.message.clone();
        message
            .summary
            .get_or_insert_with(|| format!("Upload folder {BY}"));
        run_commit(&self.target, ops, &message).await
    }
}

impl_into_future!(UploadFolder => CommitInfo, run);

/// The files under `folder` (following symlinks), as (path relative to it with `/`, local
/// path), filtered by the patterns and sorted.
pub(crate) fn list_local(
    folder: &Path,
    allow: &Patterns,
    ignore: &Patterns,
) -> Result<Vec<(String, PathBuf)>> {
    let meta = std::fs::metadata(folder).map_err(|e| Error::io("open the folder", folder, e))?;
    if !meta.is_dir() {
        return Err(Error::io(
            "upload the folder",
            folder,
            std::io::Error::other("it is not a folder"),
        ));
    }
    let always = Patterns::new(ALWAYS_IGNORED);
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(folder).follow_links(true) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(folder).to_path_buf();
            Error::io("list the folder", path, e.into())
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(folder) else {
            continue;
        };
        let Some(relative) = relative.to_str() else {
            return Err(Error::io(
                "upload",
                entry.path(),
                std::io::Error::other("the file name is not valid UTF-8"),
            ));
        };
        let relative = relative.replace(std::path::MAIN_SEPARATOR, "/");
        if always.any_match(&relative) || !filter_path(&relative, allow, ignore) {
            continue;
        }
        files.push((relative, entry.into_path()));
    }
    files.sort();
    Ok(files)
}

/// Every file path of the repo at `revision`.
async fn list_remote(target: &Target, revision: &Revision) -> Result<Vec<String>> {
    crate::refs::ListRepoFiles::new(target.repo.client().clone(), target.repo.repo_id().clone())
        .repo_type(target.repo.repo_type())
        .revision(revision.clone())
        .await
}

/// Deletes one file: the Python client's `delete_file`. Default message:
/// `Delete {path_in_repo} with hf-api`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// hf_repo::commit::DeleteFile::new(client, "alice/tiny".parse()?, "old.bin".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a deletion does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteFile {
    target: Target,
    message: CommitMessage,
    path_in_repo: RepoPath,
    folder: bool,
}

impl_commit_request!(DeleteFile, message);

impl DeleteFile {
    /// Deletes the file `path_in_repo` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, path_in_repo: RepoPath) -> DeleteFile {
        DeleteFile {
            target: Target::new(client, repo_id),
            message: CommitMessage::default(),
            path_in_repo,
            folder: false,
        }
    }
}

impl DeleteFile {
    async fn run(self) -> Result<CommitInfo> {
        let path = self.path_in_repo.as_str();
        let (op, default) = if self.folder {
            (
                CommitOperationDelete::folder(path)?,
                format!("Delete folder {path} {BY}"),
            )
        } else {
            (
                CommitOperationDelete::file(path)?,
                format!("Delete {path} {BY}"),
            )
        };
        let mut message = self.message;
        message.summary.get_or_insert(default);
        run_commit(&self.target, vec![op.into()], &message).await
    }
}

impl_into_future!(DeleteFile => CommitInfo, run);

/// Deletes a folder and everything under it: the Python client's `delete_folder`. Default
/// message: `Delete folder {path_in_repo} with hf-api`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// hf_repo::commit::DeleteFolder::new(client, "alice/tiny".parse()?, "checkpoints".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a deletion does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteFolder {
    target: Target,
    message: CommitMessage,
    path_in_repo: RepoPath,
}

impl_commit_request!(DeleteFolder, message);

impl DeleteFolder {
    /// Deletes the folder `path_in_repo` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, path_in_repo: RepoPath) -> DeleteFolder {
        DeleteFolder {
            target: Target::new(client, repo_id),
            message: CommitMessage::default(),
            path_in_repo,
        }
    }
}

impl DeleteFolder {
    async fn run(self) -> Result<CommitInfo> {
        DeleteFile {
            target: self.target,
            message: self.message,
            path_in_repo: self.path_in_repo,
            folder: true,
        }
        .run()
        .await
    }
}

impl_into_future!(DeleteFolder => CommitInfo, run);

/// Deletes the files matching patterns: the Python client's `delete_files`. Each pattern is a
/// file path, a folder path ending with `/`, or a glob, matched against every file of the repo
/// (`.gitattributes` is never deleted). Default message: `Delete files {patterns} with hf-api`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// hf_repo::commit::DeleteFiles::new(client, "alice/tiny".parse()?, ["*.bin", "logs/"]).await?;
/// # Ok(()) }
/// ```
#[must_use = "a deletion does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteFiles {
    target: Target,
    message: CommitMessage,
    patterns: Vec<String>,
}

impl_commit_request!(DeleteFiles, message);

impl DeleteFiles {
    /// Deletes the files of the model repo `repo_id` matching `patterns`.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        client: HubClient,
        repo_id: RepoId,
        patterns: I,
    ) -> DeleteFiles {
        DeleteFiles {
            target: Target::new(client, repo_id),
            message: CommitMessage::default(),
            patterns: patterns.into_iter().map(Into::into).collect(),
        }
    }
}

impl DeleteFiles {
    async fn run(self) -> Result<CommitInfo> {
        if self.patterns.is_empty() {
            return Err(Error::InvalidArgument(
                "delete_files needs at least one path or pattern".into(),
            ));
        }
        let patterns = Patterns::new(self.patterns.iter().cloned());
        let mut ops = Vec::new();
        for path in list_remote(&self.target, &self.target.revision()).await? {
            if path != ".gitattributes" && patterns.any_match(&path) {
                ops.push(CommitOperationDelete::file(&path)?.into());
            }
        }
        let mut message = self.message;
        message
            .summary
            .get_or_insert_with(|| format!("Delete files {} {BY}", self.patterns.join(" ")));
        run_commit(&self.target, ops, &message).await
    }
}

impl_into_future!(DeleteFiles => CommitInfo, run);
