//! Resumable and scheduled uploads, logins and background operations under their Python names:
//! `upload_large_folder`, `CommitScheduler`, `run_as_future`, `login`, `logout`, `auth_switch`,
//! `get_token`, `get_stored_tokens`.

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::path::PathBuf;

use hf_http::{Settings, Token};
use hf_repo::auth::{Login, TokenStore};
use hf_repo::background::BackgroundTask;
use hf_repo::large_folder::UploadLargeFolder;
use hf_repo::scheduler::{CommitScheduler, StartCommitScheduler};
use hf_types::RepoId;

use crate::{Error, HfApi, Result};

impl HfApi {
    /// `upload_large_folder`: a folder too large for one commit, in many commits, resumable
    /// (state under `folder/.cache/huggingface/`, shared with the Python client).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.upload_large_folder("alice/big".parse()?, "data/")
    ///     .repo_type(RepoType::Dataset)
    ///     .num_workers(8)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_large_folder(
        &self,
        repo_id: RepoId,
        folder: impl Into<PathBuf>,
    ) -> UploadLargeFolder {
        UploadLargeFolder::new(self.client.clone(), repo_id, folder)
    }

    /// `CommitScheduler(repo_id=..., folder_path=...)`: `.await` starts pushing the folder every
    /// 5 minutes (see [`CommitScheduler`]).
    pub fn commit_scheduler(
        &self,
        repo_id: RepoId,
        folder: impl Into<PathBuf>,
    ) -> StartCommitScheduler {
        CommitScheduler::new(self.client.clone(), repo_id, folder)
    }

    /// `run_as_future`: starts any operation of this facade in the background now (inside a
    /// tokio runtime); the [`BackgroundTask`] is awaited for the result or cancelled.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let upload = api.run_as_future(api.upload_folder("alice/tiny".parse()?, "out/"));
    /// // ... keep training ...
    /// let commit = upload.await?;
    /// # let _ = commit; Ok(()) }
    /// ```
    pub fn run_as_future<F, T, E>(&self, operation: F) -> BackgroundTask<T>
    where
        F: IntoFuture<Output = std::result::Result<T, E>>,
        F::IntoFuture: Send + 'static,
        T: Send + 'static,
        Error: From<E>,
    {
        BackgroundTask::spawn(operation)
    }

    /// Where logins are kept: the store given to [`with_token_store`](Self::with_token_store),
    /// else the files the environment names (`HF_TOKEN_PATH`, `HF_HOME`), read now.
    pub fn token_store(&self) -> Result<TokenStore> {
        match &self.tokens {
            Some(store) => Ok(store.clone()),
            None => Ok(TokenStore::from_settings(&Settings::from_env()?)),
        }
    }

    /// Keeps logins in `store` instead of the files the environment names.
    pub fn with_token_store(mut self, store: TokenStore) -> Self {
        self.tokens = Some(store);
        self
    }

    /// `login(token, add_to_git_credential=False)`: checks the token with the Hub, then stores
    /// it under its name and makes it the active token.
    pub fn login(&self, token: impl Into<Token>) -> Result<Login> {
        Ok(Login::new(
            self.client.clone(),
            token.into(),
            self.token_store()?,
        ))
    }

    /// `logout(token_name)`: forgets one stored token, or every one with `None`.
    pub fn logout(&self, token_name: Option<&str>) -> Result<()> {
        self.token_store()?.logout(token_name)
    }

    /// `auth_switch(token_name)`: makes another stored token the active one.
    pub fn auth_switch(&self, token_name: &str) -> Result<()> {
        self.token_store()?.switch(token_name)
    }

    /// `get_stored_tokens`: every stored token by name.
    pub fn get_stored_tokens(&self) -> Result<BTreeMap<String, Token>> {
        self.token_store()?.stored_tokens()
    }

    /// `get_token`: `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, then the active token file (of the
    /// [`token_store`](Self::token_store) when one was given).
    pub fn get_token(&self) -> Result<Option<Token>> {
        match &self.tokens {
            Some(store) => store.active_token(),
            None => hf_repo::auth::get_token(&Settings::from_env()?),
        }
    }
}
