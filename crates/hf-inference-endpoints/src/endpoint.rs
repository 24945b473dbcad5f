//! [`InferenceEndpoint`]: one endpoint as last seen, with the Python object's methods.

use crate::EndpointRequest;
use std::time::{Duration, Instant};

use hf_http::{HubClient, Method, Url};
use hf_types::Route;
use hf_types::inference_endpoint::{
    EndpointCompute, EndpointModel, EndpointProvider, InferenceEndpointInfo,
    InferenceEndpointStatus, InferenceEndpointType,
};
use serde_json::Value;
use time::OffsetDateTime;

use crate::{EndpointChanges, Error, Result};

/// An Inference Endpoint as last fetched, and the client to act on it: Python's
/// `InferenceEndpoint`. Methods that talk to the API update this value in place with the
/// answer, as Python mutates the object.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_inference_endpoints::Result<()> {
/// use std::time::Duration;
/// use hf_inference_endpoints::{EndpointRequest, GetInferenceEndpoint};
/// let mut endpoint = GetInferenceEndpoint::new(client, "my-ep").namespace("acme").await?;
/// endpoint.pause().await?;
/// endpoint.resume(true).await?;
/// endpoint.wait(Some(Duration::from_secs(600)), Duration::from_secs(5)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct InferenceEndpoint {
    client: HubClient,
    namespace: String,
    info: InferenceEndpointInfo,
    raw: Value,
}

impl InferenceEndpoint {
    /// Reads an endpoint object of the API (`raw`) found in `namespace`; a missing required
    /// field is an [`Error::Protocol`].
    pub fn from_raw(client: HubClient, namespace: impl Into<String>, raw: Value) -> Result<Self> {
        let info = parse(&raw)?;
        Ok(InferenceEndpoint {
            client,
            namespace: namespace.into(),
            info,
            raw,
        })
    }

    /// The name, unique in its namespace.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The namespace (user or organization) it belongs to.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The state (`running`, `paused`, ...).
    pub fn status(&self) -> &InferenceEndpointStatus {
        &self.info.status.state
    }

    /// Where it serves requests; set only while running.
    pub fn url(&self) -> Option<&str> {
        self.info.status.url.as_deref()
    }

    /// The route answering 200 when ready (default `/health`).
    pub fn health_route(&self) -> &str {
        self.info.health_route.as_deref().unwrap_or("/health")
    }

    /// The model repository deployed.
    pub fn repository(&self) -> &str {
        &self.info.model.repository
    }

    /// The framework.
    pub fn framework(&self) -> Option<&str> {
        self.info.model.framework.as_deref()
    }

    /// The revision deployed.
    pub fn revision(&self) -> Option<&str> {
        self.info.model.revision.as_deref()
    }

    /// The task served.
    pub fn task(&self) -> Option<&str> {
        self.info.model.task.as_deref()
    }

    /// Who may call it.
    pub fn endpoint_type(&self) -> &InferenceEndpointType {
        &self.info.endpoint_type
    }

    /// Creation time.
    pub fn created_at(&self) -> OffsetDateTime {
        self.info.status.created_at
    }

    /// Time of the last change.
    pub fn updated_at(&self) -> OffsetDateTime {
        self.info.status.updated_at
    }

    /// The model part (repository, framework, revision, task, image, env).
    pub fn model(&self) -> &EndpointModel {
        &self.info.model
    }

    /// Hardware and scaling.
    pub fn compute(&self) -> &EndpointCompute {
        &self.info.compute
    }

    /// Cloud vendor and region.
    pub fn provider(&self) -> &EndpointProvider {
        &self.info.provider
    }

    /// Every typed field.
    pub fn info(&self) -> &InferenceEndpointInfo {
        &self.info
    }

    /// The API's answer as received, unknown fields included (Python's `raw`).
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The API's answer, owned.
    pub fn into_raw(self) -> Value {
        self.raw
    }

    /// Replaces the state with a newer answer of the API.
    fn replace(&mut self, newer: InferenceEndpoint) {
        self.info = newer.info;
        self.raw = newer.raw;
    }

    /// Fetches the latest state (Python's `fetch`).
    pub async fn fetch(&mut self) -> Result<&mut Self> {
        let newer = crate::GetInferenceEndpoint::new(self.client.clone(), self.name())
            .namespace(self.namespace.clone())
            .await?;
        self.replace(newer);
        Ok(self)
    }

    /// Waits until the endpoint runs and its health route answers 200, fetching it every
    /// `refresh_every` (Python's `wait`). Fails at once on `failed` / `updateFailed`
    /// ([`Error::InferenceEndpointFailed`]) and after `timeout` with the last status
    /// ([`Error::InferenceEndpointTimeout`]); `None` waits forever. The health route is
    /// called with the token, whatever its host, as Python does.
    pub async fn wait(
        &mut self,
        timeout: Option<Duration>,
        refresh_every: Duration,
    ) -> Result<&mut Self> {
        if refresh_every.is_zero() {
            return Err(Error::InvalidArgument(
                "refresh_every must be positive".to_owned(),
            ));
        }
        let start = Instant::now();
        loop {
            match self.status() {
                InferenceEndpointStatus::Failed | InferenceEndpointStatus::UpdateFailed => {
                    return Err(Error::InferenceEndpointFailed {
                        name: self.full_name(),
                        status: self.status().to_string(),
                        message: self.info.status.message.clone(),
                    });
                }
                InferenceEndpointStatus::Running if self.healthy().await? => return Ok(self),
                _ => {}
            }
            if let Some(timeout) = timeout
                && start.elapsed() >= timeout
            {
                return Err(Error::InferenceEndpointTimeout {
                    name: self.full_name(),
                    status: self.status().to_string(),
                    after: start.elapsed(),
                });
            }
            tracing::info!(
                endpoint = %self.full_name(),
                status = %self.status(),
                "Inference Endpoint not ready yet; waiting {refresh_every:?}"
            );
            let pause = match timeout {
                // Do not oversleep the deadline by a whole period.
                Some(timeout) => refresh_every.min(timeout.saturating_sub(start.elapsed())),
                None => refresh_every,
            };
            tokio::time::sleep(pause.max(Duration::from_millis(1))).await;
            self.fetch().await?;
        }
    }

    /// `namespace/name`, for messages.
    fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name())
    }

    /// Whether `{url}/{healthRoute}` answers 200; false without a URL.
    async fn healthy(&self) -> Result<bool> {
        let Some(url) = self.url() else {
            return Ok(false);
        };
        let raw = format!(
            "{}/{}",
            url.trim_end_matches('/'),
            self.health_route().trim_start_matches('/')
        );
        let url = Url::parse(&raw).map_err(|err| Error::Protocol {
            context: format!("Inference Endpoint {}", self.full_name()),
            what: format!("unusable url {raw:?}: {err}"),
        })?;
        let response = self
            .client
            .get(url)
            .send_token_to_any_host()
            .send_raw()
            .await?;
        Ok(response.status() == hf_http::StatusCode::OK)
    }

    /// Applies `changes` (Python's `update`); the endpoint then goes through `updating`.
    pub async fn update(&mut self, changes: EndpointChanges) -> Result<&mut Self> {
        let newer = crate::UpdateInferenceEndpoint::new(self.client.clone(), self.name())
            .namespace(self.namespace.clone())
            .changes(changes)
            .await?;
        self.replace(newer);
        Ok(self)
    }

    /// Pauses it (Python's `pause`): no charge, resumed only by [`resume`](Self::resume).
    pub async fn pause(&mut self) -> Result<&mut Self> {
        let newer = crate::PauseInferenceEndpoint::new(self.client.clone(), self.name())
            .namespace(self.namespace.clone())
            .await?;
        self.replace(newer);
        Ok(self)
    }

    /// Resumes it (Python's `resume`); with `running_ok`, an endpoint already running is not an
    /// error.
    pub async fn resume(&mut self, running_ok: bool) -> Result<&mut Self> {
        let newer = crate::ResumeInferenceEndpoint::new(self.client.clone(), self.name())
            .namespace(self.namespace.clone())
            .running_ok(running_ok)
            .await?;
        self.replace(newer);
        Ok(self)
    }

    /// Scales it to zero (Python's `scale_to_zero`): the next request wakes it up.
    pub async fn scale_to_zero(&mut self) -> Result<&mut Self> {
        let newer = crate::ScaleToZeroInferenceEndpoint::new(self.client.clone(), self.name())
            .namespace(self.namespace.clone())
            .await?;
        self.replace(newer);
        Ok(self)
    }

    /// Deletes it, irreversibly (Python's `delete`).
    pub async fn delete(self) -> Result<()> {
        crate::DeleteInferenceEndpoint::new(self.client.clone(), self.name())
            .namespace(self.namespace.clone())
            .await
    }

    /// The API's answer to a request on `route` (relative to the Endpoints base).
    pub(crate) async fn request(
        client: &HubClient,
        method: Method,
        route: &Route,
        body: Option<&Value>,
    ) -> Result<Value> {
        let url = client.inference_endpoints_url(route)?;
        let mut request = client.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await?.json().await
    }
}

/// The typed view of an endpoint object.
fn parse(raw: &Value) -> Result<InferenceEndpointInfo> {
    serde_json::from_value(raw.clone()).map_err(|err| Error::Protocol {
        context: "an Inference Endpoint".to_owned(),
        what: err.to_string(),
    })
}
