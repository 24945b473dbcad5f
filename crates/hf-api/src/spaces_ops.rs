//! Spaces under their Python names (issue 12): `get_space_runtime`, `request_space_hardware`,
//! `set_space_sleep_time`, `pause_space`, `restart_space`, `request_space_storage`,
//! `delete_space_storage`, `add_space_secret`, `delete_space_secret`, `get_space_secrets`,
//! `get_space_variables`, `add_space_variable`, `delete_space_variable`, `duplicate_space`,
//! `wait_for_space`; the repo-scoped ones also on [`RepoHandle`] (`api.space(id)`).

use hf_spaces::duplicate::DuplicateSpace;
use hf_spaces::env::{
    AddSpaceSecret, AddSpaceVariable, DeleteSpaceSecret, DeleteSpaceVariable, GetSpaceSecrets,
    GetSpaceVariables,
};
use hf_spaces::runtime::{
    DeleteSpaceStorage, GetSpaceRuntime, PauseSpace, RequestSpaceHardware, RequestSpaceStorage,
    RestartSpace, SetSpaceSleepTime,
};
use hf_spaces::wait::WaitForSpace;
use hf_types::{RepoId, SpaceHardware, SpaceStorage};

use crate::{HfApi, RepoHandle};

impl HfApi {
    /// `get_space_runtime`: the stage, hardware, storage and sleep time of a Space.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let runtime = api.get_space_runtime("alice/demo".parse()?).await?;
    /// println!("{} on {:?}", runtime.stage(), runtime.hardware());
    /// # Ok(()) }
    /// ```
    pub fn get_space_runtime(&self, repo_id: RepoId) -> GetSpaceRuntime {
        GetSpaceRuntime::new(self.client.clone(), repo_id)
    }

    /// `request_space_hardware` (`.sleep_time(s)` as in Python).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::types::SpaceHardware;
    /// api.request_space_hardware("alice/demo".parse()?, SpaceHardware::T4Small).sleep_time(600).await?;
    /// # Ok(()) }
    /// ```
    pub fn request_space_hardware(
        &self,
        repo_id: RepoId,
        hardware: impl Into<SpaceHardware>,
    ) -> RequestSpaceHardware {
        RequestSpaceHardware::new(self.client.clone(), repo_id, hardware)
    }

    /// `set_space_sleep_time` (`-1`: never sleep).
    pub fn set_space_sleep_time(&self, repo_id: RepoId, seconds: i64) -> SetSpaceSleepTime {
        SetSpaceSleepTime::new(self.client.clone(), repo_id, seconds)
    }

    /// `pause_space`: paused until restarted.
    pub fn pause_space(&self, repo_id: RepoId) -> PauseSpace {
        PauseSpace::new(self.client.clone(), repo_id)
    }

    /// `restart_space` (`.factory_reboot(true)` as in Python).
    pub fn restart_space(&self, repo_id: RepoId) -> RestartSpace {
        RestartSpace::new(self.client.clone(), repo_id)
    }

    /// `request_space_storage`.
    pub fn request_space_storage(
        &self,
        repo_id: RepoId,
        storage: SpaceStorage,
    ) -> RequestSpaceStorage {
        RequestSpaceStorage::new(self.client.clone(), repo_id, storage)
    }

    /// `delete_space_storage`.
    pub fn delete_space_storage(&self, repo_id: RepoId) -> DeleteSpaceStorage {
        DeleteSpaceStorage::new(self.client.clone(), repo_id)
    }

    /// `add_space_secret` (`.description(..)` as in Python).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.add_space_secret("alice/demo".parse()?, "API_KEY", "sk-...").description("chat").await?;
    /// # Ok(()) }
    /// ```
    pub fn add_space_secret(
        &self,
        repo_id: RepoId,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> AddSpaceSecret {
        AddSpaceSecret::new(self.client.clone(), repo_id, key, value)
    }

    /// `delete_space_secret`.
    pub fn delete_space_secret(
        &self,
        repo_id: RepoId,
        key: impl Into<String>,
    ) -> DeleteSpaceSecret {
        DeleteSpaceSecret::new(self.client.clone(), repo_id, key)
    }

    /// `get_space_secrets`: keys and metadata, never values.
    pub fn get_space_secrets(&self, repo_id: RepoId) -> GetSpaceSecrets {
        GetSpaceSecrets::new(self.client.clone(), repo_id)
    }

    /// `get_space_variables`.
    pub fn get_space_variables(&self, repo_id: RepoId) -> GetSpaceVariables {
        GetSpaceVariables::new(self.client.clone(), repo_id)
    }

    /// `add_space_variable` (`.description(..)` as in Python); resolves to every variable.
    pub fn add_space_variable(
        &self,
        repo_id: RepoId,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> AddSpaceVariable {
        AddSpaceVariable::new(self.client.clone(), repo_id, key, value)
    }

    /// `delete_space_variable`; resolves to the variables left.
    pub fn delete_space_variable(
        &self,
        repo_id: RepoId,
        key: impl Into<String>,
    ) -> DeleteSpaceVariable {
        DeleteSpaceVariable::new(self.client.clone(), repo_id, key)
    }

    /// `duplicate_space` (`.to_id`, `.private`, `.hardware`, `.storage`, `.sleep_time`,
    /// `.secrets`, `.variables`, `.exist_ok` as in Python).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let url = api.duplicate_space("acme/demo".parse()?).to_id("my-demo".parse()?).await?;
    /// println!("{url}");
    /// # Ok(()) }
    /// ```
    pub fn duplicate_space(&self, from_id: RepoId) -> DuplicateSpace {
        DuplicateSpace::new(self.client.clone(), from_id)
    }

    /// `wait_for_space`: polls the runtime until a stage (default `RUNNING`); an error stage,
    /// another settled stage or the timeout fail with [`Error::SpaceNotReady`](crate::Error).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use std::time::Duration;
    /// api.wait_for_space("alice/demo".parse()?).timeout(Duration::from_secs(300)).await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_space(&self, repo_id: RepoId) -> WaitForSpace {
        WaitForSpace::new(self.client.clone(), repo_id)
    }
}

/// The Space operations of a handle (its repo is taken as a Space, whatever its type).
impl RepoHandle {
    fn space_call<T>(&self, f: impl FnOnce(&HfApi, RepoId) -> T) -> T {
        f(self.api(), self.repo_id().clone())
    }

    /// `get_space_runtime`.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let runtime = api.space("alice/demo".parse()?).get_space_runtime().await?;
    /// # Ok(()) }
    /// ```
    pub fn get_space_runtime(&self) -> GetSpaceRuntime {
        self.space_call(HfApi::get_space_runtime)
    }

    /// `request_space_hardware`.
    pub fn request_space_hardware(
        &self,
        hardware: impl Into<SpaceHardware>,
    ) -> RequestSpaceHardware {
        self.space_call(|api, id| api.request_space_hardware(id, hardware))
    }

    /// `set_space_sleep_time`.
    pub fn set_space_sleep_time(&self, seconds: i64) -> SetSpaceSleepTime {
        self.space_call(|api, id| api.set_space_sleep_time(id, seconds))
    }

    /// `pause_space`.
    pub fn pause_space(&self) -> PauseSpace {
        self.space_call(HfApi::pause_space)
    }

    /// `restart_space`.
    pub fn restart_space(&self) -> RestartSpace {
        self.space_call(HfApi::restart_space)
    }

    /// `request_space_storage`.
    pub fn request_space_storage(&self, storage: SpaceStorage) -> RequestSpaceStorage {
        self.space_call(|api, id| api.request_space_storage(id, storage))
    }

    /// `delete_space_storage`.
    pub fn delete_space_storage(&self) -> DeleteSpaceStorage {
        self.space_call(HfApi::delete_space_storage)
    }

    /// `add_space_secret`.
    pub fn add_space_secret(
        &self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> AddSpaceSecret {
        self.space_call(|api, id| api.add_space_secret(id, key, value))
    }

    /// `delete_space_secret`.
    pub fn delete_space_secret(&self, key: impl Into<String>) -> DeleteSpaceSecret {
        self.space_call(|api, id| api.delete_space_secret(id, key))
    }

    /// `get_space_secrets`.
    pub fn get_space_secrets(&self) -> GetSpaceSecrets {
        self.space_call(HfApi::get_space_secrets)
    }

    /// `get_space_variables`.
    pub fn get_space_variables(&self) -> GetSpaceVariables {
        self.space_call(HfApi::get_space_variables)
    }

    /// `add_space_variable`.
    pub fn add_space_variable(
        &self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> AddSpaceVariable {
        self.space_call(|api, id| api.add_space_variable(id, key, value))
    }

    /// `delete_space_variable`.
    pub fn delete_space_variable(&self, key: impl Into<String>) -> DeleteSpaceVariable {
        self.space_call(|api, id| api.delete_space_variable(id, key))
    }

    /// `duplicate_space` of this Space.
    pub fn duplicate_space(&self) -> DuplicateSpace {
        self.space_call(HfApi::duplicate_space)
    }

    /// `wait_for_space`.
    pub fn wait_for_space(&self) -> WaitForSpace {
        self.space_call(HfApi::wait_for_space)
    }
}
