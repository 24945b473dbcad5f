//! Hugging Face Inference Endpoints over [`hf_http`]: what the Python client's `HfApi` offers as
//! `create_inference_endpoint`, `get_inference_endpoint`, `list_inference_endpoints`,
//! `update_inference_endpoint`, `delete_inference_endpoint`, `pause_inference_endpoint`,
//! `resume_inference_endpoint` and `scale_to_zero_inference_endpoint` (protocol §8), and its
//! `InferenceEndpoint` object ([`InferenceEndpoint`]: `fetch`, `wait`, `update`, `pause`,
//! `resume`, `scale_to_zero`, `delete`).
//!
//! The Endpoints API has its own base URL, not the Hub's: the client's
//! [`inference_endpoints_endpoint`](hf_http::HubClient::inference_endpoints_endpoint), set by
//! [`HubClientBuilder::inference_endpoints_endpoint`](hf_http::HubClientBuilder::inference_endpoints_endpoint)
//! or the `HF_INFERENCE_ENDPOINTS_ENDPOINT` variable (ours; the Python client hard-codes
//! `https://api.endpoints.huggingface.cloud/v2`). A local hub serves the API at
//! `{hub}/api/inference-endpoints/v2`. The token goes to that base too.
//!
//! Every operation is one owned request builder (required arguments in `new`, options as
//! chained setters, `.await` sends it). Without [`namespace`](GetInferenceEndpoint::namespace),
//! the namespace is the token's user (`whoami`), as in Python. Errors are the shared
//! [`hf_http::Error`]; [`InferenceEndpoint::wait`] fails with
//! [`Error::InferenceEndpointFailed`] or [`Error::InferenceEndpointTimeout`].
//!
//! ```no_run
//! # async fn demo(client: hf_http::HubClient) -> hf_inference_endpoints::Result<()> {
//! use std::time::Duration;
//! use hf_inference_endpoints::{CreateInferenceEndpoint, Hardware};
//!
//! let hardware = Hardware::new("aws", "us-east-1", "cpu", "intel-icl", "x2");
//! let mut endpoint = CreateInferenceEndpoint::new(client, "my-ep", "openai-community/gpt2", "pytorch", hardware)
//!     .task("text-generation")
//!     .min_replica(0)
//!     .await?;
//! endpoint.wait(Some(Duration::from_secs(300)), Duration::from_secs(5)).await?;
//! println!("{} is {} at {:?}", endpoint.name(), endpoint.status(), endpoint.url());
//! # Ok(()) }
//! ```

mod changes;
mod endpoint;
mod requests;

pub use changes::{EndpointChanges, Hardware};
pub use endpoint::InferenceEndpoint;
pub use hf_http::{Error, ErrorContext, ErrorKind};
pub use hf_types::inference_endpoint::{
    EndpointCompute, EndpointModel, EndpointProvider, EndpointRoute, EndpointScaling,
    EndpointStatus, InferenceEndpointInfo, InferenceEndpointStatus, InferenceEndpointType,
};
pub use requests::{
    CreateInferenceEndpoint, DeleteInferenceEndpoint, EndpointRequest, GetInferenceEndpoint,
    ListInferenceEndpoints, PauseInferenceEndpoint, ResumeInferenceEndpoint,
    ScaleToZeroInferenceEndpoint, UpdateInferenceEndpoint,
};

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

use hf_http::{HubClient, Method};
use hf_types::{AccountType, Route, WhoAmI};

/// The caller's identity (`whoami`), needed for the default namespace and for listing every
/// namespace.
pub(crate) async fn whoami(client: &HubClient, operation: &'static str) -> Result<WhoAmI> {
    if !client.token_present() {
        return Err(Error::MissingToken { operation });
    }
    client
        .route(Method::GET, &Route::whoami())
        .send()
        .await?
        .json()
        .await
}

/// `namespace`, or the token's user as Python's `_get_namespace` does (an organization or app
/// token has no default namespace).
pub(crate) async fn resolve_namespace(
    client: &HubClient,
    namespace: Option<String>,
    operation: &'static str,
) -> Result<String> {
    if let Some(namespace) = namespace {
        return Ok(namespace);
    }
    let me = whoami(client, operation).await?;
    match me.account_type {
        Some(AccountType::User) | None => Ok(me.name),
        Some(_) => Err(Error::InvalidArgument(
            "cannot determine the default namespace: pass a namespace or use a user token"
                .to_owned(),
        )),
    }
}
