//! Repositories, listings and the account under their Python names: `create_repo`,
//! `delete_repo`, `move_repo`, `update_repo_settings`, `update_repo_visibility`, `repo_info`,
//! `model_info`, `dataset_info`, `space_info`, `repo_exists`, `revision_exists`,
//! `file_exists`, `auth_check`, `whoami`, `get_token_permission`, `get_full_repo_name`,
//! `list_models`, `list_datasets`, `list_spaces`.

use hf_repo::listing::{ListDatasets, ListModels, ListSpaces};
use hf_repo::repos::{
    AuthCheck, CreateRepo, DatasetInfoRequest, DeleteRepo, FileExists, GetFullRepoName,
    GetTokenPermission, ModelInfoRequest, MoveRepo, RepoExists, RepoInfoRequest, RevisionExists,
    SpaceInfoRequest, UpdateRepoSettings, WhoAmI,
};
use hf_types::{RepoId, RepoInfo, RepoPath, Revision};

use crate::HfApi;

impl HfApi {
    /// `create_repo`: creates a repo and resolves to its [`RepoUrl`](hf_types::RepoUrl).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::types::RepoType;
    /// let url = api.create_repo("alice/tiny".parse()?).private(true).exist_ok(true).await?;
    /// let space = api
    ///     .create_repo("alice/demo".parse()?)
    ///     .repo_type(RepoType::Space)
    ///     .space_sdk("gradio")
    ///     .await?;
    /// println!("{url} {space}");
    /// # Ok(()) }
    /// ```
    pub fn create_repo(&self, repo_id: RepoId) -> CreateRepo {
        CreateRepo::new(self.client.clone(), repo_id)
    }

    /// `delete_repo`: deletes a repo, irreversibly (`.missing_ok(true)` to ignore a missing one).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.delete_repo("alice/old".parse()?).missing_ok(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_repo(&self, repo_id: RepoId) -> DeleteRepo {
        DeleteRepo::new(self.client.clone(), repo_id)
    }

    /// `move_repo`: moves or renames a repo; resolves to its new URL.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.move_repo("alice/tiny".parse()?, "acme/tiny".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn move_repo(&self, from_id: RepoId, to_id: RepoId) -> MoveRepo {
        MoveRepo::new(self.client.clone(), from_id, to_id)
    }

    /// `update_repo_settings`: visibility (`.private`), gating (`.gated`) or Xet storage.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::types::Gated;
    /// api.update_repo_settings("alice/tiny".parse()?).gated(Gated::Auto).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_repo_settings(&self, repo_id: RepoId) -> UpdateRepoSettings {
        UpdateRepoSettings::new(self.client.clone(), repo_id)
    }

    /// `update_repo_visibility`: [`update_repo_settings`](Self::update_repo_settings) with only
    /// `private`.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.update_repo_visibility("alice/tiny".parse()?, false).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_repo_visibility(&self, repo_id: RepoId, private: bool) -> UpdateRepoSettings {
        UpdateRepoSettings::new(self.client.clone(), repo_id).private(private)
    }

    /// `repo_info`: the info of a repo of any type (`.repo_type(...)`, default model), as a
    /// [`RepoInfo`].
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::types::RepoType;
    /// let info = api.repo_info("rajpurkar/squad".parse()?).repo_type(RepoType::Dataset).await?;
    /// println!("{}", info.id());
    /// # Ok(()) }
    /// ```
    pub fn repo_info(&self, repo_id: RepoId) -> RepoInfoRequest<RepoInfo> {
        RepoInfoRequest::new(self.client.clone(), repo_id)
    }

    /// `model_info`: the [`ModelInfo`](hf_types::ModelInfo) of a model repo.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let info = api.model_info("openai-community/gpt2".parse()?).files_metadata(true).await?;
    /// println!("{:?}", info.sha);
    /// # Ok(()) }
    /// ```
    pub fn model_info(&self, repo_id: RepoId) -> ModelInfoRequest {
        ModelInfoRequest::new(self.client.clone(), repo_id)
    }

    /// `dataset_info`: the [`DatasetInfo`](hf_types::DatasetInfo) of a dataset repo.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let info = api.dataset_info("rajpurkar/squad".parse()?).revision("main".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn dataset_info(&self, repo_id: RepoId) -> DatasetInfoRequest {
        DatasetInfoRequest::new(self.client.clone(), repo_id)
    }

    /// `space_info`: the [`SpaceInfo`](hf_types::SpaceInfo) of a Space.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let info = api.space_info("alice/demo".parse()?).await?;
    /// println!("{:?}", info.sdk);
    /// # Ok(()) }
    /// ```
    pub fn space_info(&self, repo_id: RepoId) -> SpaceInfoRequest {
        SpaceInfoRequest::new(self.client.clone(), repo_id)
    }

    /// `repo_exists`: `true` when the repo exists (gated included), `false` when it is missing
    /// or not visible.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let yes = api.repo_exists("openai-community/gpt2".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn repo_exists(&self, repo_id: RepoId) -> RepoExists {
        RepoExists::new(self.client.clone(), repo_id)
    }

    /// `revision_exists`: `true` when the repo has this branch, tag or commit.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let yes = api.revision_exists("openai-community/gpt2".parse()?, "main".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn revision_exists(&self, repo_id: RepoId, revision: Revision) -> RevisionExists {
        RevisionExists::new(self.client.clone(), repo_id, revision)
    }

    /// `file_exists`: `true` when the file is in the repo at the revision (default `main`).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let yes = api.file_exists("openai-community/gpt2".parse()?, "config.json".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn file_exists(&self, repo_id: RepoId, filename: RepoPath) -> FileExists {
        FileExists::new(self.client.clone(), repo_id, filename)
    }

    /// `auth_check`: fails unless the token can read the repo's content (missing, private or
    /// gated without access).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.auth_check("meta-llama/Llama-3.1-8B".parse()?).await?;
    /// # Ok(()) }
    /// ```
    pub fn auth_check(&self, repo_id: RepoId) -> AuthCheck {
        AuthCheck::new(self.client.clone(), repo_id)
    }

    /// `whoami`: the user (name, organizations, token role) the token belongs to.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let me = api.whoami().await?;
    /// println!("{}", me.name);
    /// # Ok(()) }
    /// ```
    pub fn whoami(&self) -> WhoAmI {
        WhoAmI::new(self.client.clone())
    }

    /// `get_token_permission`: `read`, `write` or `fineGrained`; `None` without a valid token.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let role = api.get_token_permission().await?;
    /// # Ok(()) }
    /// ```
    pub fn get_token_permission(&self) -> GetTokenPermission {
        GetTokenPermission::new(self.client.clone())
    }

    /// `get_full_repo_name`: `{organization}/{name}`, or `{your name}/{name}` (from `whoami`)
    /// without organization.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let id = api.get_full_repo_name("tiny", Some("acme")).await?;
    /// assert_eq!(id.as_str(), "acme/tiny");
    /// # Ok(()) }
    /// ```
    pub fn get_full_repo_name(
        &self,
        model_name: impl Into<String>,
        organization: Option<&str>,
    ) -> GetFullRepoName {
        let request = GetFullRepoName::new(self.client.clone(), model_name);
        match organization {
            Some(org) => request.organization(org),
            None => request,
        }
    }

    /// `list_models`: models matching the filters, as a stream (`.into_stream()`) or
    /// collected (`.await`).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let models = api.list_models().author("acme").sort("last_modified").limit(5).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_models(&self) -> ListModels {
        ListModels::new(self.client.clone())
    }

    /// `list_datasets`: datasets matching the filters, as a stream or collected.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let datasets = api.list_datasets().language("en").limit(5).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_datasets(&self) -> ListDatasets {
        ListDatasets::new(self.client.clone())
    }

    /// `list_spaces`: Spaces matching the filters, as a stream or collected.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let spaces = api.list_spaces().search("chat").limit(5).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_spaces(&self) -> ListSpaces {
        ListSpaces::new(self.client.clone())
    }

    /// `get_model_tags`: every valid model tag, grouped by type (the Hub's JSON object).
    pub fn get_model_tags(&self) -> hf_repo::listing::GetTags {
        hf_repo::listing::GetTags::models(self.client.clone())
    }

    /// `get_dataset_tags`: every valid dataset tag, grouped by type (the Hub's JSON object).
    pub fn get_dataset_tags(&self) -> hf_repo::listing::GetTags {
        hf_repo::listing::GetTags::datasets(self.client.clone())
    }
}
