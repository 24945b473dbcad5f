//! A repo bound once: [`HfApi::repo`], [`HfApi::model`], [`HfApi::dataset`] and [`HfApi::space`]
//! return a [`RepoHandle`] whose operations need neither the repo id nor its type again.

use std::path::PathBuf;

use hf_http::TargetRequest;
use hf_repo::commit::{
    CommitOperation, CreateCommit, DeleteFile, DeleteFiles, DeleteFolder, UploadFile, UploadFolder,
};
use hf_repo::refs::{
    CreateBranch, CreateTag, DeleteRef, GetPathsInfo, ListRepoCommits, ListRepoFiles, ListRepoRefs,
    ListRepoTree, SuperSquashHistory,
};
use hf_repo::repos::{
    AuthCheck, DeleteRepo, FileExists, MoveRepo, RepoExists, RepoInfoRequest, RevisionExists,
    UpdateRepoSettings,
};
use hf_repo::safetensors::{GetSafetensorsMetadata, ParseSafetensorsFileMetadata};
use hf_types::{RepoId, RepoInfo, RepoPath, RepoType, Revision};

use crate::HfApi;

/// One repo of the Hub, bound once (id, type, and optionally a revision): the same operations
/// as [`HfApi`], without repeating them on every call.
///
/// ```no_run
/// # use hf_api::prelude::*;
/// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
/// let squad = api.dataset("rajpurkar/squad".parse()?).revision("main".parse()?);
/// let files = squad.list_repo_files().await?;
/// let info = squad.repo_info().await?;
/// # #[cfg(feature = "cache")]
/// let readme = squad.hf_hub_download("README.md").await?;
/// # let _ = (files, info);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RepoHandle {
    api: HfApi,
    repo_id: RepoId,
    repo_type: RepoType,
    revision: Option<Revision>,
}

impl HfApi {
    /// A handle on the repo `repo_id` of type `repo_type`.
    pub fn repo(&self, repo_id: RepoId, repo_type: RepoType) -> RepoHandle {
        RepoHandle {
            api: self.clone(),
            repo_id,
            repo_type,
            revision: None,
        }
    }

    /// A handle on the model `repo_id`.
    pub fn model(&self, repo_id: RepoId) -> RepoHandle {
        self.repo(repo_id, RepoType::Model)
    }

    /// A handle on the dataset `repo_id`.
    pub fn dataset(&self, repo_id: RepoId) -> RepoHandle {
        self.repo(repo_id, RepoType::Dataset)
    }

    /// A handle on the Space `repo_id`.
    pub fn space(&self, repo_id: RepoId) -> RepoHandle {
        self.repo(repo_id, RepoType::Space)
    }
}

impl RepoHandle {
    /// The same repo at this branch, tag or commit: every operation that reads or writes a
    /// revision uses it (default: the default branch).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.revision = Some(revision);
        self
    }

    /// The repo.
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }

    /// Its type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The bound revision, if any.
    pub fn bound_revision(&self) -> Option<&Revision> {
        self.revision.as_ref()
    }

    /// Sets the builder's target to this repo's type and revision.
    pub(crate) fn bind<B: TargetRequest>(&self, mut builder: B) -> B {
        let target = builder.target_mut();
        target.set_repo_type(self.repo_type);
        if let Some(revision) = &self.revision {
            target.set_revision(revision.clone());
        }
        builder
    }

    /// The facade this handle sends through (issue 10's repo-scoped operations use it).
    pub(crate) fn api(&self) -> &HfApi {
        &self.api
    }

    pub(crate) fn id(&self) -> RepoId {
        self.repo_id.clone()
    }

    /// `repo_info`.
    pub fn repo_info(&self) -> RepoInfoRequest<RepoInfo> {
        self.bind(self.api.repo_info(self.id()))
    }

    /// `repo_exists`.
    pub fn exists(&self) -> RepoExists {
        self.bind(self.api.repo_exists(self.id()))
    }

    /// `revision_exists` of `revision`.
    pub fn revision_exists(&self, revision: Revision) -> RevisionExists {
        let mut request = self.bind(self.api.revision_exists(self.id(), revision.clone()));
        request.target_mut().set_revision(revision);
        request
    }

    /// `file_exists`.
    pub fn file_exists(&self, filename: RepoPath) -> FileExists {
        self.bind(self.api.file_exists(self.id(), filename))
    }

    /// `auth_check`.
    pub fn auth_check(&self) -> AuthCheck {
        self.bind(self.api.auth_check(self.id()))
    }

    /// `delete_repo`.
    pub fn delete(&self) -> DeleteRepo {
        self.bind(self.api.delete_repo(self.id()))
    }

    /// `move_repo` to `to_id`.
    pub fn move_to(&self, to_id: RepoId) -> MoveRepo {
        self.bind(self.api.move_repo(self.id(), to_id))
    }

    /// `update_repo_settings`.
    pub fn update_settings(&self) -> UpdateRepoSettings {
        self.bind(self.api.update_repo_settings(self.id()))
    }

    /// `list_repo_tree`.
    pub fn list_repo_tree(&self) -> ListRepoTree {
        self.bind(self.api.list_repo_tree(self.id()))
    }

    /// `list_repo_files`.
    pub fn list_repo_files(&self) -> ListRepoFiles {
        self.bind(self.api.list_repo_files(self.id()))
    }

    /// `get_paths_info`.
    pub fn get_paths_info<P: AsRef<str>>(
        &self,
        paths: impl IntoIterator<Item = P>,
    ) -> GetPathsInfo {
        self.bind(self.api.get_paths_info(self.id(), paths))
    }

    /// `list_repo_refs`.
    pub fn list_repo_refs(&self) -> ListRepoRefs {
        self.bind(self.api.list_repo_refs(self.id()))
    }

    /// `list_repo_commits`.
    pub fn list_repo_commits(&self) -> ListRepoCommits {
        self.bind(self.api.list_repo_commits(self.id()))
    }

    /// `create_branch` (from the bound revision, if any).
    pub fn create_branch(&self, branch: Revision) -> CreateBranch {
        self.bind(self.api.create_branch(self.id(), branch))
    }

    /// `delete_branch`.
    pub fn delete_branch(&self, branch: Revision) -> DeleteRef {
        self.bind(self.api.delete_branch(self.id(), branch))
    }

    /// `create_tag` (on the bound revision, if any).
    pub fn create_tag(&self, tag: Revision) -> CreateTag {
        self.bind(self.api.create_tag(self.id(), tag))
    }

    /// `delete_tag`.
    pub fn delete_tag(&self, tag: Revision) -> DeleteRef {
        self.bind(self.api.delete_tag(self.id(), tag))
    }

    /// `super_squash_history`.
    pub fn super_squash_history(&self) -> SuperSquashHistory {
        self.bind(self.api.super_squash_history(self.id()))
    }

    /// `create_commit` (to the bound revision, if any).
    pub fn create_commit(
        &self,
        operations: Vec<CommitOperation>,
        commit_message: impl Into<String>,
    ) -> CreateCommit {
        self.bind(
            self.api
                .create_commit(self.id(), operations, commit_message),
        )
    }

    /// `upload_file` from a local path.
    pub fn upload_file(&self, path: impl Into<PathBuf>, path_in_repo: RepoPath) -> UploadFile {
        self.bind(self.api.upload_file(self.id(), path, path_in_repo))
    }

    /// `upload_folder`.
    pub fn upload_folder(&self, folder: impl Into<PathBuf>) -> UploadFolder {
        self.bind(self.api.upload_folder(self.id(), folder))
    }

    /// `delete_file`.
    pub fn delete_file(&self, path_in_repo: RepoPath) -> DeleteFile {
        self.bind(self.api.delete_file(self.id(), path_in_repo))
    }

    /// `delete_files` (paths, `folder/` or glob patterns).
    pub fn delete_files<I, S>(&self, patterns: I) -> DeleteFiles
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.bind(self.api.delete_files(self.id(), patterns))
    }

    /// `delete_folder`.
    pub fn delete_folder(&self, path_in_repo: RepoPath) -> DeleteFolder {
        self.bind(self.api.delete_folder(self.id(), path_in_repo))
    }

    /// `upload_large_folder` of a local folder into this repo (on the bound revision).
    pub fn upload_large_folder(
        &self,
        folder: impl Into<PathBuf>,
    ) -> hf_repo::large_folder::UploadLargeFolder {
        self.bind(self.api.upload_large_folder(self.id(), folder))
    }

    /// `CommitScheduler` of a local folder into this repo (on the bound revision).
    pub fn commit_scheduler(
        &self,
        folder: impl Into<PathBuf>,
    ) -> hf_repo::scheduler::StartCommitScheduler {
        self.bind(self.api.commit_scheduler(self.id(), folder))
    }

    /// `get_safetensors_metadata`.
    pub fn get_safetensors_metadata(&self) -> GetSafetensorsMetadata {
        self.bind(self.api.get_safetensors_metadata(self.id()))
    }

    /// `parse_safetensors_file_metadata`.
    pub fn parse_safetensors_file_metadata(
        &self,
        filename: RepoPath,
    ) -> ParseSafetensorsFileMetadata {
        self.bind(
            self.api
                .parse_safetensors_file_metadata(self.id(), filename),
        )
    }

    /// `hf_hub_download`: one file into the cache (or a `local_dir`).
    #[cfg(feature = "cache")]
    pub fn hf_hub_download(&self, filename: impl Into<String>) -> hf_cache::HubDownload {
        self.bind(self.api.hf_hub_download(self.id(), filename))
    }

    /// `snapshot_download`.
    #[cfg(feature = "cache")]
    pub fn snapshot_download(&self) -> hf_cache::SnapshotDownload {
        self.bind(self.api.snapshot_download(self.id()))
    }
}
