//! One request builder per operation of the Endpoints API (protocol §8); `.await` sends it.

use std::collections::BTreeMap;

use hf_http::{HubClient, Method, impl_into_future};
use hf_types::{AccountType, Route};
use serde_json::{Map, Value, json};

use crate::changes::wrap_create_image;
use crate::{
    EndpointChanges, Error, Hardware, InferenceEndpoint, InferenceEndpointType, Result,
    resolve_namespace, whoami,
};

/// The requests about one endpoint (get, create, update, delete, pause, resume, scale to zero)
/// share their namespace option through this trait: `use hf_inference_endpoints::EndpointRequest`
/// (also in `hf_api::prelude`).
pub trait EndpointRequest: Sized {
    /// Where the request keeps its namespace.
    #[doc(hidden)]
    fn namespace_slot(&mut self) -> &mut Option<String>;

    /// In this namespace (a user or an organization) instead of the token's user.
    fn namespace(mut self, namespace: impl Into<String>) -> Self {
        *self.namespace_slot() = Some(namespace.into());
        self
    }
}

/// Implements [`EndpointRequest`] for builders holding an `endpoint: EndpointRef` field.
macro_rules! impl_endpoint_request {
    ($($builder:ty),+ $(,)?) => {$(
        impl EndpointRequest for $builder {
            fn namespace_slot(&mut self) -> &mut Option<String> {
                &mut self.endpoint.namespace
            }
        }
    )+};
}

impl_endpoint_request!(
    GetInferenceEndpoint,
    CreateInferenceEndpoint,
    UpdateInferenceEndpoint,
    DeleteInferenceEndpoint,
    PauseInferenceEndpoint,
    ResumeInferenceEndpoint,
    ScaleToZeroInferenceEndpoint,
);

/// An endpoint named by a builder: its name and, when given, its namespace.
#[derive(Debug, Clone)]
struct EndpointRef {
    client: HubClient,
    name: String,
    namespace: Option<String>,
}

impl EndpointRef {
    fn new(client: HubClient, name: impl Into<String>) -> Self {
        EndpointRef {
            client,
            name: name.into(),
            namespace: None,
        }
    }

    /// Sends `method` to the route `pick` chooses and reads the endpoint it answers.
    async fn call(
        self,
        method: Method,
        operation: &'static str,
        pick: fn(&hf_types::EndpointRoutes<'_>, &str) -> Route,
        body: Option<Value>,
    ) -> Result<InferenceEndpoint> {
        check_name(&self.name)?;
        let namespace = resolve_namespace(&self.client, self.namespace, operation).await?;
        let route = pick(&Route::inference_endpoints(&namespace), &self.name);
        let raw = InferenceEndpoint::request(&self.client, method, &route, body.as_ref()).await?;
        InferenceEndpoint::from_raw(self.client, namespace, raw)
    }
}

/// Refuses an empty name before sending (it would address the namespace's listing).
fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::InvalidArgument(
            "the Inference Endpoint name is empty".to_owned(),
        ));
    }
    Ok(())
}

/// Gets one endpoint: Python's `get_inference_endpoint`
/// (`GET /endpoint/{namespace}/{name}`).
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetInferenceEndpoint {
    endpoint: EndpointRef,
}

impl GetInferenceEndpoint {
    /// The endpoint `name` of the token's user.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        GetInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
        }
    }

    async fn send(self) -> Result<InferenceEndpoint> {
        self.endpoint
            .call(
                Method::GET,
                "get_inference_endpoint",
                |r, n| r.endpoint(n),
                None,
            )
            .await
    }
}
impl_into_future!(GetInferenceEndpoint => InferenceEndpoint, send);

/// Deletes an endpoint, irreversibly: Python's `delete_inference_endpoint`
/// (`DELETE /endpoint/{namespace}/{name}`).
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteInferenceEndpoint {
    endpoint: EndpointRef,
}

impl DeleteInferenceEndpoint {
    /// The endpoint `name` of the token's user.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        DeleteInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
        }
    }

    async fn send(self) -> Result<()> {
        let EndpointRef {
            client,
            name,
            namespace,
        } = self.endpoint;
        check_name(&name)?;
        let namespace = resolve_namespace(&client, namespace, "delete_inference_endpoint").await?;
        let route = Route::inference_endpoints(&namespace).endpoint(&name);
        let url = client.inference_endpoints_url(&route)?;
        // The answer's body is not used (Python ignores it too).
        client.delete(url).send().await?;
        Ok(())
    }
}
impl_into_future!(DeleteInferenceEndpoint => (), send);

/// Pauses an endpoint: Python's `pause_inference_endpoint`
/// (`POST /endpoint/{namespace}/{name}/pause`).
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct PauseInferenceEndpoint {
    endpoint: EndpointRef,
}

impl PauseInferenceEndpoint {
    /// The endpoint `name` of the token's user.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        PauseInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
        }
    }

    async fn send(self) -> Result<InferenceEndpoint> {
        self.endpoint
            .call(
                Method::POST,
                "pause_inference_endpoint",
                |r, n| r.pause(n),
                None,
            )
            .await
    }
}
impl_into_future!(PauseInferenceEndpoint => InferenceEndpoint, send);

/// Scales an endpoint to zero: Python's `scale_to_zero_inference_endpoint`
/// (`POST /endpoint/{namespace}/{name}/scale-to-zero`).
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ScaleToZeroInferenceEndpoint {
    endpoint: EndpointRef,
}

impl ScaleToZeroInferenceEndpoint {
    /// The endpoint `name` of the token's user.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        ScaleToZeroInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
        }
    }

    async fn send(self) -> Result<InferenceEndpoint> {
        self.endpoint
            .call(
                Method::POST,
                "scale_to_zero_inference_endpoint",
                |r, n| r.scale_to_zero(n),
                None,
            )
            .await
    }
}
impl_into_future!(ScaleToZeroInferenceEndpoint => InferenceEndpoint, send);

/// Resumes a paused or scaled-to-zero endpoint: Python's `resume_inference_endpoint`
/// (`POST /endpoint/{namespace}/{name}/resume`). By default (`running_ok(true)`, as in
/// Python) the API's 400 "already running" is not an error: the endpoint is fetched instead.
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ResumeInferenceEndpoint {
    endpoint: EndpointRef,
    running_ok: bool,
}

impl ResumeInferenceEndpoint {
    /// The endpoint `name` of the token's user.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        ResumeInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
            running_ok: true,
        }
    }

    /// `false`: an endpoint already running is an error (default `true`).
    pub fn running_ok(mut self, running_ok: bool) -> Self {
        self.running_ok = running_ok;
        self
    }

    async fn send(self) -> Result<InferenceEndpoint> {
        let EndpointRef {
            client,
            name,
            namespace,
        } = self.endpoint;
        // Resolved once: the fallback `get` must not ask `whoami` again.
        let namespace = resolve_namespace(&client, namespace, "resume_inference_endpoint").await?;
        let resume = EndpointRef {
            client: client.clone(),
            name: name.clone(),
            namespace: Some(namespace.clone()),
        };
        match resume
            .call(
                Method::POST,
                "resume_inference_endpoint",
                |r, n| r.resume(n),
                None,
            )
            .await
        {
            Err(Error::BadRequest(error))
                if self.running_ok
                    && String::from_utf8_lossy(error.body()).contains("already running") =>
            {
                GetInferenceEndpoint::new(client, name)
                    .namespace(namespace)
                    .await
            }
            other => other,
        }
    }
}
impl_into_future!(ResumeInferenceEndpoint => InferenceEndpoint, send);

/// Changes an endpoint, sending only the given fields: Python's `update_inference_endpoint`
/// (`PUT /endpoint/{namespace}/{name}`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_inference_endpoints::Result<()> {
/// use hf_inference_endpoints::UpdateInferenceEndpoint;
/// let endpoint = UpdateInferenceEndpoint::new(client, "my-ep").min_replica(0).max_replica(4).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UpdateInferenceEndpoint {
    endpoint: EndpointRef,
    changes: EndpointChanges,
}

impl UpdateInferenceEndpoint {
    /// The endpoint `name` of the token's user, with no change yet.
    pub fn new(client: HubClient, name: impl Into<String>) -> Self {
        UpdateInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
            changes: EndpointChanges::new(),
        }
    }

    /// Replaces every change given so far by `changes`.
    pub fn changes(mut self, changes: EndpointChanges) -> Self {
        self.changes = changes;
        self
    }

    /// New accelerator.
    pub fn accelerator(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.accelerator(value);
        self
    }

    /// New instance size.
    pub fn instance_size(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.instance_size(value);
        self
    }

    /// New instance type.
    pub fn instance_type(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.instance_type(value);
        self
    }

    /// New minimum number of replicas.
    pub fn min_replica(mut self, value: u32) -> Self {
        self.changes = self.changes.min_replica(value);
        self
    }

    /// New maximum number of replicas.
    pub fn max_replica(mut self, value: u32) -> Self {
        self.changes = self.changes.max_replica(value);
        self
    }

    /// New idle time, in minutes, before scaling to zero.
    pub fn scale_to_zero_timeout(mut self, minutes: u32) -> Self {
        self.changes = self.changes.scale_to_zero_timeout(minutes);
        self
    }

    /// New model repository.
    pub fn repository(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.repository(value);
        self
    }

    /// New framework.
    pub fn framework(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.framework(value);
        self
    }

    /// New revision.
    pub fn revision(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.revision(value);
        self
    }

    /// New task.
    pub fn task(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.task(value);
        self
    }

    /// New custom image (sent as `{"custom": image}`).
    pub fn custom_image(mut self, image: Value) -> Self {
        self.changes = self.changes.custom_image(image);
        self
    }

    /// New environment variables.
    pub fn env(mut self, env: BTreeMap<String, String>) -> Self {
        self.changes = self.changes.env(env);
        self
    }

    /// New secrets.
    pub fn secrets(mut self, secrets: BTreeMap<String, String>) -> Self {
        self.changes = self.changes.secrets(secrets);
        self
    }

    /// New custom domain.
    pub fn domain(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.domain(value);
        self
    }

    /// New custom path.
    pub fn path(mut self, value: impl Into<String>) -> Self {
        self.changes = self.changes.path(value);
        self
    }

    /// Whether to cache HTTP responses.
    pub fn cache_http_responses(mut self, value: bool) -> Self {
        self.changes = self.changes.cache_http_responses(value);
        self
    }

    /// New tags.
    pub fn tags(mut self, tags: Vec<String>) -> Self {
        self.changes = self.changes.tags(tags);
        self
    }

    async fn send(self) -> Result<InferenceEndpoint> {
        let body = self.changes.body();
        self.endpoint
            .call(
                Method::PUT,
                "update_inference_endpoint",
                |r, n| r.endpoint(n),
                Some(body),
            )
            .await
    }
}
impl_into_future!(UpdateInferenceEndpoint => InferenceEndpoint, send);

/// Creates an endpoint: Python's `create_inference_endpoint` (`POST /endpoint/{namespace}`).
///
/// Required: the name, repository, framework and [`Hardware`]; defaults as in Python: one
/// replica (`min_replica(1)`, `max_replica(1)`), type `protected`, the Hugging Face image.
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateInferenceEndpoint {
    endpoint: EndpointRef,
    repository: String,
    framework: String,
    hardware: Hardware,
    account_id: Option<String>,
    min_replica: u32,
    max_replica: u32,
    scale_to_zero_timeout: Option<u32>,
    revision: Option<String>,
    task: Option<String>,
    custom_image: Option<Value>,
    env: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    endpoint_type: InferenceEndpointType,
    domain: Option<String>,
    path: Option<String>,
    cache_http_responses: Option<bool>,
    tags: Option<Vec<String>>,
}

impl CreateInferenceEndpoint {
    /// An endpoint `name` serving `repository` with `framework` on `hardware`, in the token's
    /// user namespace.
    pub fn new(
        client: HubClient,
        name: impl Into<String>,
        repository: impl Into<String>,
        framework: impl Into<String>,
        hardware: Hardware,
    ) -> Self {
        CreateInferenceEndpoint {
            endpoint: EndpointRef::new(client, name),
            repository: repository.into(),
            framework: framework.into(),
            hardware,
            account_id: None,
            min_replica: 1,
            max_replica: 1,
            scale_to_zero_timeout: None,
            revision: None,
            task: None,
            custom_image: None,
            env: BTreeMap::new(),
            secrets: BTreeMap::new(),
            endpoint_type: InferenceEndpointType::Protected,
            domain: None,
            path: None,
            cache_http_responses: None,
            tags: None,
        }
    }

    /// The cloud account to bill.
    pub fn account_id(mut self, value: impl Into<String>) -> Self {
        self.account_id = Some(value.into());
        self
    }

    /// Fewest replicas (default 1; 0 allows scaling to zero).
    pub fn min_replica(mut self, value: u32) -> Self {
        self.min_replica = value;
        self
    }

    /// Most replicas (default 1).
    pub fn max_replica(mut self, value: u32) -> Self {
        self.max_replica = value;
        self
    }

    /// Idle minutes before scaling to zero.
    pub fn scale_to_zero_timeout(mut self, minutes: u32) -> Self {
        self.scale_to_zero_timeout = Some(minutes);
        self
    }

    /// The model revision (default: the head of `main`).
    pub fn revision(mut self, value: impl Into<String>) -> Self {
        self.revision = Some(value.into());
        self
    }

    /// The task to serve.
    pub fn task(mut self, value: impl Into<String>) -> Self {
        self.task = Some(value.into());
        self
    }

    /// A custom image; wrapped as `{"custom": image}` unless its first key already names an
    /// image kind (`tgi`, `tei`, `custom`, ...), as Python does.
    pub fn custom_image(mut self, image: Value) -> Self {
        self.custom_image = Some(image);
        self
    }

    /// Environment variables of the container.
    pub fn env(mut self, env: BTreeMap<String, String>) -> Self {
        self.env = env;
        self
    }

    /// Secret environment variables of the container (never sent back by the API).
    pub fn secrets(mut self, secrets: BTreeMap<String, String>) -> Self {
        self.secrets = secrets;
        self
    }

    /// Who may call it (default `protected`).
    pub fn endpoint_type(mut self, value: InferenceEndpointType) -> Self {
        self.endpoint_type = value;
        self
    }

    /// A custom domain.
    pub fn domain(mut self, value: impl Into<String>) -> Self {
        self.domain = Some(value.into());
        self
    }

    /// A custom path (starts with `/`).
    pub fn path(mut self, value: impl Into<String>) -> Self {
        self.path = Some(value.into());
        self
    }

    /// Whether to cache HTTP responses.
    pub fn cache_http_responses(mut self, value: bool) -> Self {
        self.cache_http_responses = Some(value);
        self
    }

    /// Tags.
    pub fn tags(mut self, tags: Vec<String>) -> Self {
        self.tags = Some(tags);
        self
    }

    /// The POST body, in the Python client's shape.
    fn body(&self) -> Value {
        let image = match &self.custom_image {
            Some(image) => wrap_create_image(image.clone()),
            None => json!({"huggingface": {}}),
        };
        let mut model = json!({
            "framework": self.framework,
            "repository": self.repository,
            "revision": self.revision,
            "task": self.task,
            "image": image,
        });
        if let Some(model) = model.as_object_mut() {
            if !self.env.is_empty() {
                model.insert("env".into(), json!(self.env));
            }
            if !self.secrets.is_empty() {
                model.insert("secrets".into(), json!(self.secrets));
            }
        }
        let mut body = json!({
            "accountId": self.account_id,
            "compute": {
                "accelerator": self.hardware.accelerator,
                "instanceSize": self.hardware.instance_size,
                "instanceType": self.hardware.instance_type,
                "scaling": {
                    "maxReplica": self.max_replica,
                    "minReplica": self.min_replica,
                    "scaleToZeroTimeout": self.scale_to_zero_timeout,
                },
            },
            "model": model,
            "name": self.endpoint.name,
            "provider": {"region": self.hardware.region, "vendor": self.hardware.vendor},
            "type": self.endpoint_type,
        });
        if let Some(body) = body.as_object_mut() {
            if self.domain.is_some() || self.path.is_some() {
                let mut route = Map::new();
                if let Some(domain) = &self.domain {
                    route.insert("domain".into(), json!(domain));
                }
                if let Some(path) = &self.path {
                    route.insert("path".into(), json!(path));
                }
                body.insert("route".into(), Value::Object(route));
            }
            if let Some(cache) = self.cache_http_responses {
                body.insert("cacheHttpResponses".into(), json!(cache));
            }
            if let Some(tags) = &self.tags {
                body.insert("tags".into(), json!(tags));
            }
        }
        body
    }

    async fn send(self) -> Result<InferenceEndpoint> {
        if self.min_replica > self.max_replica {
            return Err(Error::InvalidArgument(format!(
                "min_replica ({}) must not exceed max_replica ({})",
                self.min_replica, self.max_replica
            )));
        }
        let body = self.body();
        self.endpoint
            .call(
                Method::POST,
                "create_inference_endpoint",
                |r, _| r.list(),
                Some(body),
            )
            .await
    }
}
impl_into_future!(CreateInferenceEndpoint => InferenceEndpoint, send);

/// Lists endpoints: Python's `list_inference_endpoints` (`GET /endpoint/{namespace}`). By
/// default the token's user's; [`all_namespaces`](Self::all_namespaces) (Python's
/// `namespace="*"`) adds every organization the user belongs to, skipping those that answer
/// 401 (no billing or no access).
#[must_use = "a listing does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ListInferenceEndpoints {
    client: HubClient,
    namespace: Option<String>,
    all: bool,
}

impl ListInferenceEndpoints {
    /// The endpoints of the token's user.
    pub fn new(client: HubClient) -> Self {
        ListInferenceEndpoints {
            client,
            namespace: None,
            all: false,
        }
    }

    /// The endpoints of this namespace instead; `"*"` is [`all_namespaces`](Self::all_namespaces).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        self.all = namespace == "*";
        self.namespace = (!self.all).then_some(namespace);
        self
    }

    /// The user's endpoints, then those of each of their organizations.
    pub fn all_namespaces(mut self) -> Self {
        self.all = true;
        self.namespace = None;
        self
    }

    async fn list_one(client: &HubClient, namespace: String) -> Result<Vec<InferenceEndpoint>> {
        let route = Route::inference_endpoints(&namespace).list();
        let answer = InferenceEndpoint::request(client, Method::GET, &route, None).await?;
        let items = match answer.get("items") {
            Some(Value::Array(items)) => items.clone(),
            _ => {
                return Err(Error::Protocol {
                    context: format!("the Inference Endpoints of {namespace}"),
                    what: "the answer has no `items` array".to_owned(),
                });
            }
        };
        items
            .into_iter()
            .map(|raw| InferenceEndpoint::from_raw(client.clone(), namespace.clone(), raw))
            .collect()
    }

    async fn send(self) -> Result<Vec<InferenceEndpoint>> {
        if !self.all {
            let namespace =
                resolve_namespace(&self.client, self.namespace, "list_inference_endpoints").await?;
            return Self::list_one(&self.client, namespace).await;
        }
        let me = whoami(&self.client, "list_inference_endpoints").await?;
        if me
            .account_type
            .as_ref()
            .is_some_and(|t| *t != AccountType::User)
        {
            return Err(Error::InvalidArgument(
                "listing every namespace needs a user token".to_owned(),
            ));
        }
        let mut endpoints = Self::list_one(&self.client, me.name.clone()).await?;
        for org in me.orgs.iter().flatten() {
            match Self::list_one(&self.client, org.name.clone()).await {
                Ok(more) => endpoints.extend(more),
                Err(Error::Unauthorized(_)) => {
                    tracing::debug!(org = %org.name, "cannot list its Inference Endpoints (401)");
                }
                Err(other) => return Err(other),
            }
        }
        Ok(endpoints)
    }
}
impl_into_future!(ListInferenceEndpoints => Vec<InferenceEndpoint>, send);
