//! A Space's runtime: read it, request hardware or storage, set the sleep time, pause and
//! restart (protocol §7.2). Each resolves to the [`SpaceRuntime`] the Hub answers.

use hf_http::{HubClient, Method, RepoTarget};
use hf_types::{RepoId, Route, SpaceHardware, SpaceRuntime, SpaceStorage};
use serde_json::{Value, json};

use crate::{Result, space_target, warn_free_sleep_time};

/// Sends `method` to `route` of the target's Space (with a JSON body if given) and reads the
/// runtime it answers.
async fn runtime_call(
    target: &RepoTarget,
    method: Method,
    route: Route,
    body: Option<Value>,
) -> Result<SpaceRuntime> {
    let mut request = target.route(method, &route);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await?.json().await
}

/// The runtime of a Space: the Python client's `get_space_runtime`
/// (`GET /api/spaces/{id}/runtime`). Readable by whoever can read the Space.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::GetSpaceRuntime;
/// let runtime = GetSpaceRuntime::new(client, "alice/demo".parse()?).await?;
/// println!("{} on {:?}", runtime.stage(), runtime.hardware());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetSpaceRuntime {
    target: RepoTarget,
}

impl GetSpaceRuntime {
    /// The runtime of the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        GetSpaceRuntime {
            target: space_target(client, repo_id),
        }
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let route = Route::space(self.target.repo_id()).runtime();
        runtime_call(&self.target, Method::GET, route, None).await
    }
}
hf_http::impl_into_future!(GetSpaceRuntime => SpaceRuntime, send);

/// Requests new hardware for a Space (it restarts on it): the Python client's
/// `request_space_hardware` (`POST /api/spaces/{id}/hardware`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::RequestSpaceHardware;
/// use hf_types::SpaceHardware;
/// let runtime = RequestSpaceHardware::new(client, "alice/demo".parse()?, SpaceHardware::T4Small)
///     .sleep_time(3600)
///     .await?;
/// println!("{:?}", runtime.requested_hardware());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RequestSpaceHardware {
    target: RepoTarget,
    hardware: SpaceHardware,
    sleep_time: Option<i64>,
}

impl RequestSpaceHardware {
    /// Requests `hardware` (a [`SpaceHardware`] or its name) for the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, hardware: impl Into<SpaceHardware>) -> Self {
        RequestSpaceHardware {
            target: space_target(client, repo_id),
            hardware: hardware.into(),
            sleep_time: None,
        }
    }

    /// Seconds of inactivity before the Space sleeps (`-1`: never); not configurable on the
    /// free `cpu-basic` hardware.
    pub fn sleep_time(mut self, seconds: i64) -> Self {
        self.sleep_time = Some(seconds);
        self
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let mut body = json!({"flavor": self.hardware.as_str()});
        if let Some(seconds) = self.sleep_time {
            warn_free_sleep_time(Some(self.hardware.as_str()));
            body["sleepTimeSeconds"] = json!(seconds);
        }
        let route = Route::space(self.target.repo_id()).hardware();
        runtime_call(&self.target, Method::POST, route, Some(body)).await
    }
}
hf_http::impl_into_future!(RequestSpaceHardware => SpaceRuntime, send);

/// Sets the sleep time of a Space: the Python client's `set_space_sleep_time`
/// (`POST /api/spaces/{id}/sleeptime`). `-1` means never sleep.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::SetSpaceSleepTime;
/// SetSpaceSleepTime::new(client, "alice/demo".parse()?, 600).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct SetSpaceSleepTime {
    target: RepoTarget,
    seconds: i64,
}

impl SetSpaceSleepTime {
    /// Sets the sleep time of the Space `repo_id` to `seconds`.
    pub fn new(client: HubClient, repo_id: RepoId, seconds: i64) -> Self {
        SetSpaceSleepTime {
            target: space_target(client, repo_id),
            seconds,
        }
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let route = Route::space(self.target.repo_id()).sleeptime();
        let body = json!({"seconds": self.seconds});
        let runtime = runtime_call(&self.target, Method::POST, route, Some(body)).await?;
        warn_free_sleep_time(runtime.requested_hardware().or(runtime.hardware()));
        Ok(runtime)
    }
}
hf_http::impl_into_future!(SetSpaceSleepTime => SpaceRuntime, send);

/// Pauses a Space until it is restarted: the Python client's `pause_space`
/// (`POST /api/spaces/{id}/pause`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::PauseSpace;
/// let runtime = PauseSpace::new(client, "alice/demo".parse()?).await?;
/// assert_eq!(runtime.stage(), &hf_types::SpaceStage::Paused);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct PauseSpace {
    target: RepoTarget,
}

impl PauseSpace {
    /// Pauses the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        PauseSpace {
            target: space_target(client, repo_id),
        }
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let route = Route::space(self.target.repo_id()).pause();
        runtime_call(&self.target, Method::POST, route, None).await
    }
}
hf_http::impl_into_future!(PauseSpace => SpaceRuntime, send);

/// Restarts a Space, also out of a pause: the Python client's `restart_space`
/// (`POST /api/spaces/{id}/restart`, `factory=true` for a rebuild without cache).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::RestartSpace;
/// RestartSpace::new(client, "alice/demo".parse()?).factory_reboot(true).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RestartSpace {
    target: RepoTarget,
    factory_reboot: bool,
}

impl RestartSpace {
    /// Restarts the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        RestartSpace {
            target: space_target(client, repo_id),
            factory_reboot: false,
        }
    }

    /// Rebuild from scratch, without the build cache.
    pub fn factory_reboot(mut self, yes: bool) -> Self {
        self.factory_reboot = yes;
        self
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let route = Route::space(self.target.repo_id()).restart(self.factory_reboot);
        runtime_call(&self.target, Method::POST, route, None).await
    }
}
hf_http::impl_into_future!(RestartSpace => SpaceRuntime, send);

/// Requests persistent storage for a Space: the Python client's `request_space_storage`
/// (`POST /api/spaces/{id}/storage`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::RequestSpaceStorage;
/// use hf_types::SpaceStorage;
/// RequestSpaceStorage::new(client, "alice/demo".parse()?, SpaceStorage::Small).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RequestSpaceStorage {
    target: RepoTarget,
    storage: SpaceStorage,
}

impl RequestSpaceStorage {
    /// Requests the tier `storage` for the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, storage: SpaceStorage) -> Self {
        RequestSpaceStorage {
            target: space_target(client, repo_id),
            storage,
        }
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let route = Route::space(self.target.repo_id()).storage();
        let body = json!({"tier": self.storage.as_str()});
        runtime_call(&self.target, Method::POST, route, Some(body)).await
    }
}
hf_http::impl_into_future!(RequestSpaceStorage => SpaceRuntime, send);

/// Deletes the persistent storage of a Space (its data is lost): the Python client's
/// `delete_space_storage` (`DELETE /api/spaces/{id}/storage`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::runtime::DeleteSpaceStorage;
/// DeleteSpaceStorage::new(client, "alice/demo".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteSpaceStorage {
    target: RepoTarget,
}

impl DeleteSpaceStorage {
    /// Deletes the storage of the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        DeleteSpaceStorage {
            target: space_target(client, repo_id),
        }
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let route = Route::space(self.target.repo_id()).storage();
        runtime_call(&self.target, Method::DELETE, route, None).await
    }
}
hf_http::impl_into_future!(DeleteSpaceStorage => SpaceRuntime, send);
