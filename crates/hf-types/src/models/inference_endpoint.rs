//! The Inference Endpoints API's endpoint object (protocol §8).
//!
//! The fields the Python client reads are typed; everything else stays in the raw JSON the
//! client keeps beside it. Values the API may extend (status, type) are open enums.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::open_enum::open_enum;

open_enum! {
    /// The state of an Inference Endpoint (`status.state`).
    pub enum InferenceEndpointStatus {
        /// Accepted, waiting for hardware.
        Pending => "pending",
        /// Hardware found, the model is loading.
        Initializing => "initializing",
        /// A change is being deployed.
        Updating => "updating",
        /// The last change could not be deployed.
        UpdateFailed => "updateFailed",
        /// Serving requests at its URL.
        Running => "running",
        /// Stopped by its owner; resumed only by hand.
        Paused => "paused",
        /// Could not be deployed.
        Failed => "failed",
        /// No replica; the next request wakes it up.
        ScaledToZero => "scaledToZero",
    }
}

open_enum! {
    /// Who may call an Inference Endpoint (`type`).
    pub enum InferenceEndpointType {
        /// Anyone, without a token.
        Public => "public",
        /// Anyone with a Hugging Face token.
        Protected => "protected",
        /// Only through a private link of the cloud provider.
        Private => "private",
    }
}

/// An Inference Endpoint as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InferenceEndpointInfo {
    /// The name, unique in its namespace.
    pub name: String,
    /// Who may call it.
    #[serde(rename = "type")]
    pub endpoint_type: InferenceEndpointType,
    /// The cloud account it is billed to, if not the namespace's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Cloud vendor and region.
    #[serde(default)]
    pub provider: EndpointProvider,
    /// Hardware and scaling.
    #[serde(default)]
    pub compute: EndpointCompute,
    /// The deployed model.
    pub model: EndpointModel,
    /// The route answering 200 once the endpoint is ready (`/health`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_route: Option<String>,
    /// State, URL and timestamps.
    pub status: EndpointStatus,
    /// Tags given at creation or update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Whether HTTP responses are cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_http_responses: Option<bool>,
    /// A custom domain and path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<EndpointRoute>,
}

/// Cloud vendor and region of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointProvider {
    /// `aws`, `gcp`, `azure`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `us-east-1`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Hardware and scaling of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointCompute {
    /// `cpu`, `gpu`, `neuron`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator: Option<String>,
    /// `intel-icl`, `nvidia-a10g`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// `x1`, `x2`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_size: Option<String>,
    /// Replica bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<EndpointScaling>,
}

/// Replica bounds of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointScaling {
    /// Fewest replicas (0 allows scaling to zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replica: Option<u32>,
    /// Most replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replica: Option<u32>,
    /// Minutes without requests before scaling to zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_to_zero_timeout: Option<u32>,
}

/// The model an endpoint serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointModel {
    /// The Hub repository (`namespace/name`).
    pub repository: String,
    /// `pytorch`, `custom`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// The commit deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The task served (`text-generation`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The container image (`{"huggingface": {}}`, `{"custom": {...}}`, ...), kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Value>,
    /// Environment variables of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
}

/// A custom domain and path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointRoute {
    /// The domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The path (starts with `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// State, URL and timestamps of an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointStatus {
    /// The state.
    pub state: InferenceEndpointStatus,
    /// Where it serves requests; set only while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A human-readable explanation of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Creation time.
    #[serde(with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
    /// Time of the last change.
    #[serde(with = "crate::timestamp")]
    pub updated_at: OffsetDateTime,
    /// Replicas ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replica: Option<u32>,
    /// Replicas wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_replica: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_protocol_example_and_keeps_unknown_values() {
        let raw = serde_json::json!({
            "name": "my-endpoint-name", "type": "protected", "accountId": null,
            "provider": {"vendor": "aws", "region": "us-east-1"},
            "compute": {"accelerator": "cpu", "instanceType": "intel-icl", "instanceSize": "x2",
                        "scaling": {"minReplica": 0, "maxReplica": 1}},
            "model": {"repository": "gpt2", "revision": "11c5a3d5811f50298f278a704980280950aedb10",
                      "task": "text-generation", "framework": "pytorch", "image": {"huggingface": {}}},
            "healthRoute": "/health",
            "status": {"createdAt": "2023-10-26T12:41:53.263078506Z",
                       "updatedAt": "2023-10-26T12:41:53.263Z", "state": "brandNew",
                       "message": "Endpoint is ready", "url": "https://x.cloud",
                       "readyReplica": 1, "targetReplica": 1}
        });
        let info: InferenceEndpointInfo = serde_json::from_value(raw).unwrap();
        assert_eq!(info.endpoint_type, InferenceEndpointType::Protected);
        assert_eq!(
            info.status.state,
            InferenceEndpointStatus::Other("brandNew".into())
        );
        assert_eq!(info.compute.scaling.unwrap().max_replica, Some(1));
        assert_eq!(info.model.framework.as_deref(), Some("pytorch"));
        assert_eq!(
            InferenceEndpointStatus::from("scaledToZero").as_str(),
            "scaledToZero"
        );
    }
}
