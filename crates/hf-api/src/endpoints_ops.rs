//! Inference Endpoints under their Python names: `create_inference_endpoint`,
//! `get_inference_endpoint`, `list_inference_endpoints`, `update_inference_endpoint`,
//! `delete_inference_endpoint`, `pause_inference_endpoint`, `resume_inference_endpoint`,
//! `scale_to_zero_inference_endpoint`. The Endpoints API's base URL is the client's
//! (`HubClientBuilder::inference_endpoints_endpoint`, `HF_INFERENCE_ENDPOINTS_ENDPOINT`).

use hf_inference_endpoints::{
    CreateInferenceEndpoint, DeleteInferenceEndpoint, GetInferenceEndpoint, Hardware,
    ListInferenceEndpoints, PauseInferenceEndpoint, ResumeInferenceEndpoint,
    ScaleToZeroInferenceEndpoint, UpdateInferenceEndpoint,
};

use crate::HfApi;

impl HfApi {
    /// `create_inference_endpoint`: deploys `repository` with `framework` on `hardware`;
    /// resolves to the new [`InferenceEndpoint`](hf_inference_endpoints::InferenceEndpoint)
    /// (in the token's user namespace unless `.namespace(..)`).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use std::time::Duration;
    /// use hf_api::endpoints::Hardware;
    /// let hardware = Hardware::new("aws", "us-east-1", "cpu", "intel-icl", "x2");
    /// let mut endpoint = api
    ///     .create_inference_endpoint("my-ep", "openai-community/gpt2", "pytorch", hardware)
    ///     .task("text-generation")
    ///     .await?;
    /// endpoint.wait(Some(Duration::from_secs(600)), Duration::from_secs(5)).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_inference_endpoint(
        &self,
        name: impl Into<String>,
        repository: impl Into<String>,
        framework: impl Into<String>,
        hardware: Hardware,
    ) -> CreateInferenceEndpoint {
        CreateInferenceEndpoint::new(self.client.clone(), name, repository, framework, hardware)
    }

    /// `get_inference_endpoint`: one endpoint.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::prelude::*;
    /// let endpoint = api.get_inference_endpoint("my-ep").namespace("acme").await?;
    /// println!("{} {:?}", endpoint.status(), endpoint.url());
    /// # Ok(()) }
    /// ```
    pub fn get_inference_endpoint(&self, name: impl Into<String>) -> GetInferenceEndpoint {
        GetInferenceEndpoint::new(self.client.clone(), name)
    }

    /// `list_inference_endpoints`: the user's endpoints, another namespace's with
    /// `.namespace(..)`, or every namespace of the user with `.namespace("*")`.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// for endpoint in api.list_inference_endpoints().namespace("*").await? {
    ///     println!("{}/{} {}", endpoint.namespace(), endpoint.name(), endpoint.status());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_inference_endpoints(&self) -> ListInferenceEndpoints {
        ListInferenceEndpoints::new(self.client.clone())
    }

    /// `update_inference_endpoint`: changes only the fields given to the builder.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// api.update_inference_endpoint("my-ep").min_replica(0).max_replica(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_inference_endpoint(&self, name: impl Into<String>) -> UpdateInferenceEndpoint {
        UpdateInferenceEndpoint::new(self.client.clone(), name)
    }

    /// `delete_inference_endpoint`: deletes an endpoint, irreversibly.
    pub fn delete_inference_endpoint(&self, name: impl Into<String>) -> DeleteInferenceEndpoint {
        DeleteInferenceEndpoint::new(self.client.clone(), name)
    }

    /// `pause_inference_endpoint`: stops it until resumed by hand.
    pub fn pause_inference_endpoint(&self, name: impl Into<String>) -> PauseInferenceEndpoint {
        PauseInferenceEndpoint::new(self.client.clone(), name)
    }

    /// `resume_inference_endpoint`: restarts a paused or scaled-to-zero endpoint
    /// (`.running_ok(false)` to fail when it already runs).
    pub fn resume_inference_endpoint(&self, name: impl Into<String>) -> ResumeInferenceEndpoint {
        ResumeInferenceEndpoint::new(self.client.clone(), name)
    }

    /// `scale_to_zero_inference_endpoint`: no replica until the next request.
    pub fn scale_to_zero_inference_endpoint(
        &self,
        name: impl Into<String>,
    ) -> ScaleToZeroInferenceEndpoint {
        ScaleToZeroInferenceEndpoint::new(self.client.clone(), name)
    }
}
