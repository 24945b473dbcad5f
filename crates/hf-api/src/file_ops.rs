//! Files, refs, history and safetensors metadata: the `HfApi` methods over
//! [`hf_repo::refs`] and [`hf_repo::safetensors`], under the Python client's names.

use hf_repo::refs::{
    CreateBranch, CreateTag, DeleteRef, GetPathsInfo, ListRepoCommits, ListRepoFiles, ListRepoRefs,
    ListRepoTree, SuperSquashHistory,
};
use hf_repo::safetensors::{GetSafetensorsMetadata, ParseSafetensorsFileMetadata};
use hf_types::{RepoId, RepoPath, Revision};

use crate::HfApi;

impl HfApi {
    /// `list_repo_tree`: the files and folders of a repo at a revision (root, a folder, or
    /// recursively), optionally with last commits; `.await` collects, `.into_stream()` streams.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let entries = api.list_repo_tree("openai-community/gpt2".parse()?).recursive(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_repo_tree(&self, repo_id: RepoId) -> ListRepoTree {
        ListRepoTree::new(self.client.clone(), repo_id)
    }

    /// `list_repo_files`: the paths of every file of a repo at a revision.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let files: Vec<String> = api.list_repo_files("openai-community/gpt2".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_repo_files(&self, repo_id: RepoId) -> ListRepoFiles {
        ListRepoFiles::new(self.client.clone(), repo_id)
    }

    /// `get_paths_info`: information about some paths (files or folders); missing paths are
    /// skipped.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let infos = api
    ///     .get_paths_info("openai-community/gpt2".parse()?, ["config.json", "onnx"])
    ///     .expand(true)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn get_paths_info<P: AsRef<str>>(
        &self,
        repo_id: RepoId,
        paths: impl IntoIterator<Item = P>,
    ) -> GetPathsInfo {
        GetPathsInfo::new(self.client.clone(), repo_id, paths)
    }

    /// `list_repo_refs`: branches, tags, convert refs and (optionally) pull request refs.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let refs = api.list_repo_refs("openai-community/gpt2".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_repo_refs(&self, repo_id: RepoId) -> ListRepoRefs {
        ListRepoRefs::new(self.client.clone(), repo_id)
    }

    /// `list_repo_commits`: the history of a revision, newest first.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let commits = api.list_repo_commits("openai-community/gpt2".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_repo_commits(&self, repo_id: RepoId) -> ListRepoCommits {
        ListRepoCommits::new(self.client.clone(), repo_id)
    }

    /// `create_branch`: a new branch at the default branch's head or at `.revision(...)`.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.create_branch("alice/my-model".parse()?, "dev".parse()?).exist_ok(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_branch(&self, repo_id: RepoId, branch: Revision) -> CreateBranch {
        CreateBranch::new(self.client.clone(), repo_id, branch)
    }

    /// `delete_branch`: deletes a branch.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.delete_branch("alice/my-model".parse()?, "dev".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_branch(&self, repo_id: RepoId, branch: Revision) -> DeleteRef {
        DeleteRef::branch(self.client.clone(), repo_id, branch)
    }

    /// `create_tag`: tags `main` or `.revision(...)`, annotated with `.tag_message(...)`.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.create_tag("alice/my-model".parse()?, "v1.0".parse()?).tag_message("First").await?;
    /// # Ok(()) }
    /// ```
    pub fn create_tag(&self, repo_id: RepoId, tag: Revision) -> CreateTag {
        CreateTag::new(self.client.clone(), repo_id, tag)
    }

    /// `delete_tag`: deletes a tag.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.delete_tag("alice/my-model".parse()?, "v1.0".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_tag(&self, repo_id: RepoId, tag: Revision) -> DeleteRef {
        DeleteRef::tag(self.client.clone(), repo_id, tag)
    }

    /// `super_squash_history`: replaces a branch's history (default `main`) by one commit;
    /// resolves to the new commit id when the Hub sends it.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.super_squash_history("alice/my-model".parse()?).branch("dev".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn super_squash_history(&self, repo_id: RepoId) -> SuperSquashHistory {
        SuperSquashHistory::new(self.client.clone(), repo_id)
    }

    /// `get_safetensors_metadata`: the headers of a repo's safetensors weights (single file
    /// or sharded), without downloading them.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let meta = api.get_safetensors_metadata("openai-community/gpt2".parse()?).await?;
    /// println!("{} parameters", meta.total_parameters());
    /// # Ok(()) }
    /// ```
    pub fn get_safetensors_metadata(&self, repo_id: RepoId) -> GetSafetensorsMetadata {
        GetSafetensorsMetadata::new(self.client.clone(), repo_id)
    }

    /// `parse_safetensors_file_metadata`: the header of one safetensors file, read with
    /// `Range` requests.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let meta = api
    ///     .parse_safetensors_file_metadata("openai-community/gpt2".parse()?, "model.safetensors".parse()?)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn parse_safetensors_file_metadata(
        &self,
        repo_id: RepoId,
        filename: RepoPath,
    ) -> ParseSafetensorsFileMetadata {
        ParseSafetensorsFileMetadata::new(self.client.clone(), repo_id, filename)
    }
}
