//! Commits and uploads under their Python names: `create_commit`, `preupload_lfs_files`,
//! `upload_file`, `upload_folder`, `delete_file`, `delete_files`, `delete_folder`.

use std::path::PathBuf;

use bytes::Bytes;
use hf_repo::commit::{
    CommitOperation, CommitOperationAdd, CreateCommit, DeleteFile, DeleteFiles, DeleteFolder,
    PreuploadLfsFiles, UploadFile, UploadFolder,
};
use hf_types::{RepoId, RepoPath};

use crate::HfApi;

impl HfApi {
    /// `create_commit`: one commit of additions, deletions and copies; resolves to its
    /// [`CommitInfo`](hf_types::CommitInfo).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::repo::commit::{CommitOperationAdd, CommitOperationDelete};
    /// let ops = vec![
    ///     CommitOperationAdd::from_path("model.safetensors", "out/model.safetensors")?.into(),
    ///     CommitOperationDelete::new("old.bin")?.into(),
    /// ];
    /// let info = api.create_commit("alice/tiny".parse()?, ops, "Epoch 3").create_pr(true).await?;
    /// println!("{:?}", info.pr_url);
    /// # Ok(()) }
    /// ```
    pub fn create_commit(
        &self,
        repo_id: RepoId,
        operations: Vec<CommitOperation>,
        commit_message: impl Into<String>,
    ) -> CreateCommit {
        CreateCommit::new(self.client.clone(), repo_id, operations, commit_message)
    }

    /// `preupload_lfs_files`: uploads the LFS contents of additions now, to commit them later.
    pub fn preupload_lfs_files(
        &self,
        repo_id: RepoId,
        additions: Vec<CommitOperationAdd>,
    ) -> PreuploadLfsFiles {
        PreuploadLfsFiles::new(self.client.clone(), repo_id, additions)
    }

    /// `upload_file` from a local path.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.upload_file("alice/tiny".parse()?, "out/config.json", "config.json".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_file(
        &self,
        repo_id: RepoId,
        local_path: impl Into<PathBuf>,
        path_in_repo: RepoPath,
    ) -> UploadFile {
        UploadFile::new(self.client.clone(), repo_id, local_path, path_in_repo)
    }

    /// `upload_file` with content in memory.
    pub fn upload_bytes(
        &self,
        repo_id: RepoId,
        content: impl Into<Bytes>,
        path_in_repo: RepoPath,
    ) -> UploadFile {
        UploadFile::from_bytes(self.client.clone(), repo_id, content, path_in_repo)
    }

    /// `upload_folder`: a local folder (filtered by patterns) in one commit.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.upload_folder("alice/tiny".parse()?, "out/").ignore_patterns(["*.tmp"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_folder(&self, repo_id: RepoId, folder: impl Into<PathBuf>) -> UploadFolder {
        UploadFolder::new(self.client.clone(), repo_id, folder)
    }

    /// `delete_file`.
    pub fn delete_file(&self, repo_id: RepoId, path_in_repo: RepoPath) -> DeleteFile {
        DeleteFile::new(self.client.clone(), repo_id, path_in_repo)
    }

    /// `delete_files`: paths, folders (ending with `/`) and globs.
    pub fn delete_files<I, S>(&self, repo_id: RepoId, patterns: I) -> DeleteFiles
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        DeleteFiles::new(self.client.clone(), repo_id, patterns)
    }

    /// `delete_folder`.
    pub fn delete_folder(&self, repo_id: RepoId, path_in_repo: RepoPath) -> DeleteFolder {
        DeleteFolder::new(self.client.clone(), repo_id, path_in_repo)
    }
}
