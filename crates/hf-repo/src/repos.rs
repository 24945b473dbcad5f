//! Repositories and the account: create, delete, move, settings, info, existence checks,
//! auth check, `whoami` (protocol §2.1–2.8, §9.6).
//!
//! Each operation is one owned request builder; `.await` sends it.

use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::Duration;

use hf_http::{
    HubClient, Method, RedirectPolicy, RepoRequest, RepoTarget, RequestBuilder, RevisionRequest,
    TargetRequest,
};
use hf_types::{
    DatasetInfo, Gated, ModelInfo, RepoId, RepoInfo, RepoPath, RepoType, RepoUrl, Revision, Route,
    SpaceInfo, SpaceStorage,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::{BoxFuture, Error, Result};

/// The message of the 409 the Hub answers when two creations race (the client retries).
const CREATE_IN_PROGRESS: &str = "Cannot create repo: another conflicting operation is in progress";

/// `{"name": ..., "organization": ...|null}` plus `type` unless a model (the Hub's default, and
/// what the Python client sends): the body of create/delete.
fn name_body(target: &RepoTarget) -> Map<String, Value> {
    let repo_id = target.repo_id();
    let mut body = Map::new();
    body.insert("name".into(), json!(repo_id.name()));
    body.insert("organization".into(), json!(repo_id.namespace()));
    if target.repo_type() != RepoType::Model {
        body.insert("type".into(), json!(target.repo_type().as_str()));
    }
    body
}

/// Reads a repo URL sent by the Hub; `https://huggingface.co` is rewritten to the endpoint, as
/// the Python client does.
fn parse_repo_url(client: &HubClient, url: &str) -> Result<RepoUrl> {
    let endpoint = client.endpoint_base();
    let url = match url.strip_prefix("https://huggingface.co") {
        Some(rest) if endpoint != "https://huggingface.co" => format!("{endpoint}{rest}"),
        _ => url.to_owned(),
    };
    RepoUrl::parse(&url, endpoint).map_err(|e| Error::protocol("repo URL", e.to_string()))
}

/// The URL of a repo as the client builds it when the Hub did not send one.
fn local_repo_url(target: &RepoTarget) -> RepoUrl {
    RepoUrl::new(
        target.client().endpoint_base(),
        target.repo_type(),
        target.repo_id().clone(),
    )
}

// ---------------------------------------------------------------------------------------------
// create_repo

/// The SDK of a Space: `gradio`, `streamlit`, `docker` or `static`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpaceSdk {
    /// Gradio app.
    Gradio,
    /// Streamlit app.
    Streamlit,
    /// Any Docker image.
    Docker,
    /// Static HTML.
    Static,
}

impl SpaceSdk {
    /// All SDKs.
    pub const ALL: [SpaceSdk; 4] = [
        SpaceSdk::Gradio,
        SpaceSdk::Streamlit,
        SpaceSdk::Docker,
        SpaceSdk::Static,
    ];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceSdk::Gradio => "gradio",
            SpaceSdk::Streamlit => "streamlit",
            SpaceSdk::Docker => "docker",
            SpaceSdk::Static => "static",
        }
    }
}

impl AsRef<str> for SpaceSdk {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for SpaceSdk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SpaceSdk {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        SpaceSdk::ALL
            .into_iter()
            .find(|sdk| sdk.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "invalid space_sdk {s:?}: expected gradio, streamlit, docker or static"
                ))
            })
    }
}

/// A Space secret or variable given at creation: `{key, value, description?}`.
///
/// `Debug` does not show the value (secrets are sent this way).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct SpaceKeyValue {
    /// Environment variable name.
    pub key: String,
    /// Its value.
    pub value: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SpaceKeyValue {
    /// `key=value` without description.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        SpaceKeyValue {
            key: key.into(),
            value: value.into(),
            description: None,
        }
    }

    /// Adds a description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl fmt::Debug for SpaceKeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpaceKeyValue")
            .field("key", &self.key)
            .field("value", &"<redacted>")
            .field("description", &self.description)
            .finish()
    }
}

/// Creates a repo: the Python client's `create_repo` (`POST /api/repos/create`). Resolves to
/// the repo's URL.
///
/// A repo id without namespace is created under the caller's own name. With
/// [`exist_ok`](Self::exist_ok), an existing repo is not an error. A Space needs
/// [`space_sdk`](Self::space_sdk) (refused before sending otherwise); the `space_*` settings
/// are ignored for other repo types, as in Python.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::{CreateRepo, SpaceSdk};
/// use hf_types::RepoType;
///
/// let url = CreateRepo::new(client.clone(), "alice/tiny".parse()?).private(true).exist_ok(true).await?;
/// let app = CreateRepo::new(client, "alice/demo".parse()?)
///     .repo_type(RepoType::Space)
///     .space_sdk(SpaceSdk::Gradio)
///     .await?;
/// println!("{url} {app}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateRepo {
    target: RepoTarget,
    private: Option<bool>,
    exist_ok: bool,
    resource_group_id: Option<String>,
    space_sdk: Option<String>,
    space_hardware: Option<String>,
    space_storage: Option<SpaceStorage>,
    space_sleep_time: Option<i64>,
    space_secrets: Option<Vec<SpaceKeyValue>>,
    space_variables: Option<Vec<SpaceKeyValue>>,
}

impl CreateRepo {
    /// Creates the model repo `repo_id` (`name` alone: under the caller's namespace).
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        CreateRepo {
            target: RepoTarget::new(client, repo_id),
            private: None,
            exist_ok: false,
            resource_group_id: None,
            space_sdk: None,
            space_hardware: None,
            space_storage: None,
            space_sleep_time: None,
            space_secrets: None,
            space_variables: None,
        }
    }

    /// Private or public (default: the namespace's default, public unless the org says otherwise).
    /// Ignored when the repo exists.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Succeed when the repo already exists (409), or when the namespace is not writable but
    /// the repo exists and is readable (403).
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    /// Enterprise resource group to create the repo in.
    pub fn resource_group_id(mut self, id: impl Into<String>) -> Self {
        self.resource_group_id = Some(id.into());
        self
    }

    /// The SDK of a Space (required for Spaces): a [`SpaceSdk`] or its name.
    pub fn space_sdk(mut self, sdk: impl AsRef<str>) -> Self {
        self.space_sdk = Some(sdk.as_ref().to_owned());
        self
    }

    /// Requested Space hardware, e.g. `cpu-basic`, `t4-small` (protocol §7.3).
    pub fn space_hardware(mut self, hardware: impl Into<String>) -> Self {
        self.space_hardware = Some(hardware.into());
        self
    }

    /// Persistent storage tier of a Space.
    pub fn space_storage(mut self, storage: SpaceStorage) -> Self {
        self.space_storage = Some(storage);
        self
    }

    /// Seconds of inactivity before a Space sleeps (`-1`: never).
    pub fn space_sleep_time(mut self, seconds: i64) -> Self {
        self.space_sleep_time = Some(seconds);
        self
    }

    /// Secrets of a Space.
    pub fn space_secrets(mut self, secrets: impl IntoIterator<Item = SpaceKeyValue>) -> Self {
        self.space_secrets = Some(secrets.into_iter().collect());
        self
    }

    /// Public environment variables of a Space.
    pub fn space_variables(mut self, variables: impl IntoIterator<Item = SpaceKeyValue>) -> Self {
        self.space_variables = Some(variables.into_iter().collect());
        self
    }

    fn body(&self) -> Result<Map<String, Value>> {
        let mut body = name_body(&self.target);
        if let Some(private) = self.private {
            body.insert("private".into(), json!(private));
        }
        let space_args = [
            ("hardware", self.space_hardware.as_ref().map(|h| json!(h))),
            (
                "storageTier",
                self.space_storage.as_ref().map(|s| json!(s.as_str())),
            ),
            ("sleepTimeSeconds", self.space_sleep_time.map(|s| json!(s))),
            ("secrets", self.space_secrets.as_ref().map(|s| json!(s))),
            ("variables", self.space_variables.as_ref().map(|v| json!(v))),
        ];
        if self.target.repo_type() == RepoType::Space {
            let sdk: SpaceSdk = self
                .space_sdk
                .as_deref()
                .ok_or_else(|| {
                    Error::InvalidArgument(
                        "a Space needs space_sdk: gradio, streamlit, docker or static".into(),
                    )
                })?
                .parse()?;
            body.insert("sdk".into(), json!(sdk.as_str()));
            for (key, value) in space_args {
                if let Some(value) = value {
                    body.insert(key.into(), value);
                }
            }
        } else {
            if self.space_sdk.is_some() {
                tracing::warn!("ignoring space_sdk because the repo type is not space");
            }
            let ignored: Vec<&str> = space_args
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| *k)
                .collect();
            if !ignored.is_empty() {
                tracing::warn!(
                    "ignoring the Space settings {} because the repo type is not space",
                    ignored.join(", ")
                );
            }
        }
        if let Some(id) = &self.resource_group_id {
            body.insert("resourceGroupId".into(), json!(id));
        }
        Ok(body)
    }

    async fn send(self) -> Result<RepoUrl> {
        let body = self.body()?;
        let client = self.target.client();
        // A POST is not retried by the transport; this 409 means nothing was created, so it
        // is retried here, under the client's retry policy (backoff, limits, budget).
        let mut retries = client.retry_policy().retries();
        let result = loop {
            let result = self
                .target
                .route(Method::POST, &Route::create_repo())
                .json(&body)
                .send()
                .await;
            match &result {
                Err(Error::Conflict(e))
                    if e.server_message()
                        .is_some_and(|m| m.contains(CREATE_IN_PROGRESS)) =>
                {
                    if retries.wait(None).await.is_none() {
                        break result;
                    }
                }
                _ => break result,
            }
        };
        match result {
            Ok(response) => {
                let answer: Value = response.json().await?;
                match answer.get("url").and_then(Value::as_str) {
                    Some(url) => parse_repo_url(client, url),
                    None => Ok(local_repo_url(&self.target)),
                }
            }
            Err(hf_http::Error::Conflict(e)) if self.exist_ok => {
                match e
                    .body_json::<Value>()
                    .as_ref()
                    .and_then(|b| b.get("url"))
                    .and_then(Value::as_str)
                {
                    Some(url) => parse_repo_url(client, url),
                    None => Ok(local_repo_url(&self.target)),
                }
            }
            Err(hf_http::Error::Forbidden(e)) if self.exist_ok => {
                // No right to create in the namespace, but the repo may exist already.
                match RepoInfoRequest::<RepoInfo>::from_target(self.target.clone())
                    .send()
                    .await
                {
                    Ok(_) => Ok(local_repo_url(&self.target)),
                    Err(_) => Err(hf_http::Error::Forbidden(e)),
                }
            }
            Err(e) => Err(e),
        }
    }
}
into_future!(CreateRepo => RepoUrl, send);
hf_http::impl_repo_request!(CreateRepo);

// ---------------------------------------------------------------------------------------------
// delete_repo, move_repo

/// Deletes a repo, irreversibly: the Python client's `delete_repo` (`DELETE /api/repos/delete`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::DeleteRepo;
/// DeleteRepo::new(client, "alice/old".parse()?).missing_ok(true).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteRepo {
    target: RepoTarget,
    missing_ok: bool,
}

impl DeleteRepo {
    /// Deletes the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        DeleteRepo {
            target: RepoTarget::new(client, repo_id),
            missing_ok: false,
        }
    }

    /// Succeed when the repo does not exist (or is not visible).
    pub fn missing_ok(mut self, missing_ok: bool) -> Self {
        self.missing_ok = missing_ok;
        self
    }

    async fn send(self) -> Result<()> {
        let body = name_body(&self.target);
        let request = self.target.route(Method::DELETE, &Route::delete_repo());
        match request.json(&body).send().await {
            Ok(_) => Ok(()),
            Err(Error::RepoNotFound(_)) if self.missing_ok => Ok(()),
            Err(e) => Err(e),
        }
    }
}
into_future!(DeleteRepo => (), send);
hf_http::impl_repo_request!(DeleteRepo);

/// Moves or renames a repo: the Python client's `move_repo` (`POST /api/repos/move`).
/// Resolves to the repo's new URL. Both ids need a namespace.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::MoveRepo;
/// let url = MoveRepo::new(client, "alice/tiny".parse()?, "acme/tiny".parse()?).await?;
/// println!("{url}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct MoveRepo {
    target: RepoTarget,
    to_id: RepoId,
}

impl MoveRepo {
    /// Moves the model repo `from_id` to `to_id`.
    pub fn new(client: HubClient, from_id: RepoId, to_id: RepoId) -> Self {
        MoveRepo {
            target: RepoTarget::new(client, from_id),
            to_id,
        }
    }

    async fn send(self) -> Result<RepoUrl> {
        for id in [self.target.repo_id(), &self.to_id] {
            if id.namespace().is_none() {
                return Err(Error::InvalidArgument(format!(
                    "invalid repo id {id}: moving needs namespace/name"
                )));
            }
        }

        let body = json!({
            "fromRepo": self.target.repo_id().as_str(),
            "toRepo": self.to_id.as_str(),
            "type": self.target.repo_type().as_str(),
        });
        self.target
            .route(Method::POST, &Route::move_repo())
            .json(&body)
            .send()
            .await?;
        let mut moved = self.target;
        moved = RepoTarget::new(moved.client().clone(), self.to_id).with_type(moved.repo_type());

        Ok(local_repo_url(&moved))
    }
}
into_future!(MoveRepo => RepoUrl, send);
hf_http::impl_repo_request!(MoveRepo);

// ---------------------------------------------------------------------------------------------
// update_repo_settings

/// Changes a repo's visibility, gating or storage: the Python client's `update_repo_settings`
/// (`PUT /api/{type}/{repo_id}/settings`). At least one setting is needed.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::UpdateRepoSettings;
/// use hf_types::Gated;
/// UpdateRepoSettings::new(client, "alice/tiny".parse()?).private(true).gated(Gated::Manual).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UpdateRepoSettings {
    target: RepoTarget,
    private: Option<bool>,
    gated: Option<Gated>,
    xet_enabled: Option<bool>,
}

impl UpdateRepoSettings {
    /// Settings of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        UpdateRepoSettings {
            target: RepoTarget::new(client, repo_id),
            private: None,
            gated: None,
            xet_enabled: None,
        }
    }

    /// Make the repo private or public.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Gate access: [`Gated::Auto`], [`Gated::Manual`] or [`Gated::Off`] (sent as `false`).
    pub fn gated(mut self, gated: Gated) -> Self {
        self.gated = Some(gated);
        self
    }

    /// Store the repo with Xet.
    pub fn xet_enabled(mut self, enabled: bool) -> Self {
        self.xet_enabled = Some(enabled);
        self
    }

    async fn send(self) -> Result<()> {
        let mut body = Map::new();
        if let Some(gated) = &self.gated {
            if let Gated::Other(other) = gated {
                return Err(Error::InvalidArgument(format!(
                    "invalid gated value {other:?}: expected auto, manual or off"
                )));
            }
            body.insert("gated".into(), json!(gated));
        }
        if let Some(private) = self.private {
            body.insert("private".into(), json!(private));
        }
        if let Some(xet) = self.xet_enabled {
            body.insert("xetEnabled".into(), json!(xet));
        }
        if body.is_empty() {
            return Err(Error::InvalidArgument(
                "at least one setting must be updated".into(),
            ));
        }
        let route = self.target.routes().settings();
        self.target
            .route(Method::PUT, &route)
            .json(&body)
            .send()
            .await?;
        Ok(())
    }
}
into_future!(UpdateRepoSettings => (), send);
hf_http::impl_repo_request!(UpdateRepoSettings);

// ---------------------------------------------------------------------------------------------
// repo_info, model_info, dataset_info, space_info

mod sealed {
    pub trait Sealed {}
    impl Sealed for hf_types::RepoInfo {}
    impl Sealed for hf_types::ModelInfo {}
    impl Sealed for hf_types::DatasetInfo {}
    impl Sealed for hf_types::SpaceInfo {}
}

/// What a [`RepoInfoRequest`] resolves to: [`RepoInfo`] (any type), [`ModelInfo`],
/// [`DatasetInfo`] or [`SpaceInfo`]. Sealed.
pub trait InfoKind: sealed::Sealed + Send + Sized + 'static {
    /// The repo type asked for by default.
    const REPO_TYPE: RepoType;

    /// Reads the Hub's answer for a repo of type `repo_type`.
    fn decode(repo_type: RepoType, bytes: &[u8]) -> serde_json::Result<Self>;
}

impl InfoKind for RepoInfo {
    const REPO_TYPE: RepoType = RepoType::Model;
    fn decode(repo_type: RepoType, bytes: &[u8]) -> serde_json::Result<Self> {
        RepoInfo::from_slice(repo_type, bytes)
    }
}

/// `InfoKind` for a fixed-type info object.
macro_rules! fixed_info_kind {
    ($ty:ty, $repo_type:expr) => {
        impl InfoKind for $ty {
            const REPO_TYPE: RepoType = $repo_type;
            fn decode(_: RepoType, bytes: &[u8]) -> serde_json::Result<Self> {
                serde_json::from_slice(bytes)
            }
        }
    };
}
fixed_info_kind!(ModelInfo, RepoType::Model);
fixed_info_kind!(DatasetInfo, RepoType::Dataset);
fixed_info_kind!(SpaceInfo, RepoType::Space);

/// `model_info`: a [`RepoInfoRequest`] resolving to [`ModelInfo`].
pub type ModelInfoRequest = RepoInfoRequest<ModelInfo>;
/// `dataset_info`: a [`RepoInfoRequest`] resolving to [`DatasetInfo`].
pub type DatasetInfoRequest = RepoInfoRequest<DatasetInfo>;
/// `space_info`: a [`RepoInfoRequest`] resolving to [`SpaceInfo`].
pub type SpaceInfoRequest = RepoInfoRequest<SpaceInfo>;

/// The info of a repo: the Python client's `repo_info` (`T` = [`RepoInfo`], any type chosen
/// with [`repo_type`](Self::repo_type)), `model_info`, `dataset_info` and `space_info`
/// (`GET /api/{type}/{repo_id}[/revision/{rev}]`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::{ModelInfoRequest, RepoInfoRequest};
/// use hf_types::{RepoInfo, RepoType};
///
/// let model = ModelInfoRequest::new(client.clone(), "openai-community/gpt2".parse()?)
///     .files_metadata(true)
///     .await?;
/// println!("{:?} {:?}", model.sha, model.siblings);
/// let any = RepoInfoRequest::<RepoInfo>::new(client, "rajpurkar/squad".parse()?)
///     .repo_type(RepoType::Dataset)
///     .revision("main".parse()?)
///     .await?;
/// println!("{}", any.id());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
pub struct RepoInfoRequest<T> {
    target: RepoTarget,
    timeout: Option<Duration>,
    files_metadata: bool,
    security_status: bool,
    expand: Vec<String>,
    kind: PhantomData<fn() -> T>,
}

impl<T> Clone for RepoInfoRequest<T> {
    fn clone(&self) -> Self {
        RepoInfoRequest {
            target: self.target.clone(),
            timeout: self.timeout,
            files_metadata: self.files_metadata,
            security_status: self.security_status,
            expand: self.expand.clone(),
            kind: PhantomData,
        }
    }
}

impl<T> fmt::Debug for RepoInfoRequest<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RepoInfoRequest")
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .field("files_metadata", &self.files_metadata)
            .field("security_status", &self.security_status)
            .field("expand", &self.expand)
            .finish_non_exhaustive()
    }
}

impl<T: InfoKind> RepoInfoRequest<T> {
    /// The info of `repo_id` on its default branch.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        Self::from_target(RepoTarget::new(client, repo_id).with_type(T::REPO_TYPE))
    }

    /// The info of `target`'s repo (and revision, when it has one).
    pub(crate) fn from_target(target: RepoTarget) -> Self {
        RepoInfoRequest {
            target,
            timeout: None,
            files_metadata: false,
            security_status: false,
            expand: Vec::new(),
            kind: PhantomData,
        }
    }

    /// Time allowed for the answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// List each file's size, blob id and LFS details in `siblings` (`blobs=True`).
    pub fn files_metadata(mut self, yes: bool) -> Self {
        self.files_metadata = yes;
        self
    }

    /// Return only `_id`, `id` and these properties (e.g. `sha`, `siblings`, `xetEnabled`);
    /// not combinable with [`files_metadata`](Self::files_metadata).
    pub fn expand<S: Into<String>>(mut self, properties: impl IntoIterator<Item = S>) -> Self {
        self.expand = properties.into_iter().map(Into::into).collect();
        self
    }

    fn request(&self) -> Result<RequestBuilder> {
        if !self.expand.is_empty() && (self.files_metadata || self.security_status) {
            return Err(Error::InvalidArgument(
                "expand cannot be combined with files_metadata or security_status".into(),
            ));
        }
        // Without a revision, the default branch: `/api/{type}s/{id}` (no `/revision/`).
        let mut route = self
            .target
            .routes()
            .info(self.target.revision().map(Revision::as_str));
        if self.security_status {
            route = route.with_bool("securityStatus", true);
        }
        if self.files_metadata {
            route = route.with_bool("blobs", true);
        }
        route = route.with_all("expand", self.expand.iter().cloned());
        let mut request = self.target.route(Method::GET, &route);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        Ok(request)
    }

    async fn send(self) -> Result<T> {
        let response = self.request()?.send().await?;
        let url = response.url().to_string();
        let bytes = response.bytes().await?;
        T::decode(self.target.repo_type(), &bytes)
            .map_err(|e| Error::protocol(format!("repo info ({url})"), e.to_string()))
    }
}

impl<T> TargetRequest for RepoInfoRequest<T> {
    fn target_mut(&mut self) -> &mut RepoTarget {
        &mut self.target
    }
}

/// The type is the caller's choice only for [`RepoInfo`]; `model_info` & co. fix it.
impl RepoRequest for RepoInfoRequest<RepoInfo> {}

/// The info at a branch, tag or commit (`/revision/{rev}`) instead of the default branch.
impl<T> RevisionRequest for RepoInfoRequest<T> {}

impl RepoInfoRequest<ModelInfo> {
    /// Add the security scan status (`securityStatus=True`, models only).
    pub fn security_status(mut self, yes: bool) -> Self {
        self.security_status = yes;
        self
    }
}

impl<T: InfoKind> IntoFuture for RepoInfoRequest<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<T>;

    // Written out: the macro takes no generic parameters.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

// ---------------------------------------------------------------------------------------------
// repo_exists, revision_exists, file_exists

/// Whether a repo exists: the Python client's `repo_exists`. `true` for a gated repo too;
/// `false` when it is missing or not visible with the client's token.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::RepoExists;
/// assert!(RepoExists::new(client, "openai-community/gpt2".parse()?).await?);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RepoExists {
    target: RepoTarget,
}

impl RepoExists {
    /// Checks the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        RepoExists {
            target: RepoTarget::new(client, repo_id),
        }
    }

    async fn send(self) -> Result<bool> {
        match RepoInfoRequest::<RepoInfo>::from_target(self.target)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(Error::GatedRepo(_)) => Ok(true),
            Err(Error::RepoNotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
into_future!(RepoExists => bool, send);
hf_http::impl_repo_request!(RepoExists);

/// Whether a revision of a repo exists: the Python client's `revision_exists`. `false` when
/// the revision or the repo is missing.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::RevisionExists;
/// let yes = RevisionExists::new(client, "openai-community/gpt2".parse()?, "main".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RevisionExists {
    target: RepoTarget,
}

impl RevisionExists {
    /// Checks `revision` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, revision: Revision) -> Self {
        RevisionExists {
            target: RepoTarget::new(client, repo_id).with_revision(revision),
        }
    }

    async fn send(self) -> Result<bool> {
        match RepoInfoRequest::<RepoInfo>::from_target(self.target)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(Error::RevisionNotFound(_) | Error::RepoNotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
into_future!(RevisionExists => bool, send);
hf_http::impl_repo_request!(RevisionExists);

/// Whether a file exists in a repo: the Python client's `file_exists`, a `HEAD` on the
/// file's resolve URL (`{endpoint}/{prefix}{repo_id}/resolve/{rev}/{path}`). `false` when the
/// file, revision or repo is missing; a gated repo is an error
/// ([`hf_http::Error::GatedRepo`]).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::FileExists;
/// let yes = FileExists::new(client, "openai-community/gpt2".parse()?, "config.json".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct FileExists {
    target: RepoTarget,
    path: RepoPath,
}

impl FileExists {
    /// Checks `path` in the model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId, path: RepoPath) -> Self {
        FileExists {
            target: RepoTarget::new(client, repo_id),
            path,
        }
    }

    async fn send(self) -> Result<bool> {
        let route = self
            .target
            .routes()
            .resolve(self.target.revision_or_main(), self.path.as_str());
        let timeout = self.target.client().etag_timeout();
        let request = self
            .target
            .route(Method::HEAD, &route)
            .context(self.target.context().with_path(self.path.as_str()))
            .header("accept-encoding", "identity")
            .follow_redirects(RedirectPolicy::RelativeOnly)
            .timeout(timeout);
        match request.send().await {
            Ok(_) => Ok(true),
            Err(Error::RepoNotFound(_) | Error::EntryNotFound(_) | Error::RevisionNotFound(_)) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
into_future!(FileExists => bool, send);
hf_http::impl_repo_request!(FileExists, revision);

// ---------------------------------------------------------------------------------------------
// auth_check

/// Checks that the client's token can read a repo's content: the Python client's `auth_check`
/// (`GET /api/{type}/{repo_id}/auth-check`). Fails with [`hf_http::Error::RepoNotFound`] when
/// the repo is missing or private, [`hf_http::Error::GatedRepo`] when access is not granted.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::AuthCheck;
/// AuthCheck::new(client, "meta-llama/Llama-3.1-8B".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct AuthCheck {
    target: RepoTarget,
}

impl AuthCheck {
    /// Checks access to the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        AuthCheck {
            target: RepoTarget::new(client, repo_id),
        }
    }

    async fn send(self) -> Result<()> {
        let route = self.target.routes().auth_check();
        self.target.route(Method::GET, &route).send().await?;
        Ok(())
    }
}
into_future!(AuthCheck => (), send);
hf_http::impl_repo_request!(AuthCheck);

// ---------------------------------------------------------------------------------------------
// whoami, get_token_permission, get_full_repo_name

/// Who the client's token belongs to: the Python client's `whoami` (`GET /api/whoami-v2`).
/// Needs a token (refused before sending otherwise); an invalid one is
/// [`hf_http::Error::Unauthorized`].
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::WhoAmI;
/// let me = WhoAmI::new(client).await?;
/// println!("{} {:?}", me.name, me.token_role());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct WhoAmI {
    client: HubClient,
}

impl WhoAmI {
    /// Asks about the client's token.
    pub fn new(client: HubClient) -> Self {
        WhoAmI { client }
    }

    async fn send(self) -> Result<hf_types::WhoAmI> {
        if !self.client.token_present() {
            return Err(Error::MissingToken {
                operation: "whoami",
            });
        }
        let response = self.client.route(Method::GET, &Route::whoami()).await?;
        response.json().await
    }
}
into_future!(WhoAmI => hf_types::WhoAmI, send);

/// The role of the client's token, `read`, `write` or `fineGrained`: the Python client's
/// (deprecated) `get_token_permission`. `None` without a token, with an invalid one, or when
/// the Hub sends no role (OAuth tokens); transport failures are errors.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::GetTokenPermission;
/// if GetTokenPermission::new(client).await?.as_deref() == Some("write") {
///     println!("can push");
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetTokenPermission {
    client: HubClient,
}

impl GetTokenPermission {
    /// Asks about the client's token.
    pub fn new(client: HubClient) -> Self {
        GetTokenPermission { client }
    }

    async fn send(self) -> Result<Option<String>> {
        if !self.client.token_present() {
            return Ok(None);
        }
        match WhoAmI::new(self.client).send().await {
            Ok(me) => Ok(me.token_role().map(|r| r.as_str().to_owned())),
            // An invalid token (or any answer of the Hub's) means "no permission", as in Python.
            Err(e) if e.server_error().is_some() => Ok(None),
            Err(e) => Err(e),
        }
    }
}
into_future!(GetTokenPermission => Option<String>, send);

/// The full id of a repo named `name`: `{organization}/{name}`, or `{your name}/{name}` from
/// `whoami` when no organization is given: the Python client's `get_full_repo_name`. A name
/// that already has a namespace is returned as is (without a request).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::repos::GetFullRepoName;
/// let mine = GetFullRepoName::new(client.clone(), "tiny").await?; // "alice/tiny"
/// let team = GetFullRepoName::new(client, "tiny").organization("acme").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetFullRepoName {
    client: HubClient,
    name: String,
    organization: Option<String>,
}

impl GetFullRepoName {
    /// The full id of the repo `name`.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        GetFullRepoName {
            client,
            name: name.into(),
            organization: None,
        }
    }

    /// The namespace to use instead of the caller's name.
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    async fn send(self) -> Result<RepoId> {
        if let Some(org) = &self.organization {
            return Ok(RepoId::new(org, &self.name)?);
        }
        if self.name.contains('/') {
            return Ok(self.name.parse()?);
        }
        let me = WhoAmI::new(self.client).send().await?;
        Ok(RepoId::new(&me.name, &self.name)?)
    }
}
into_future!(GetFullRepoName => RepoId, send);
