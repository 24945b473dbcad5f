//! The values of a new endpoint's hardware ([`Hardware`]) and of an update
//! ([`EndpointChanges`]), turned into the nested JSON bodies the Python client sends.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// Keys that mark an image object as already wrapped (`constants.INFERENCE_ENDPOINT_IMAGE_KEYS`):
/// any other custom image is sent as `{"custom": image}`.
const IMAGE_KEYS: [&str; 7] = [
    "custom",
    "huggingface",
    "huggingfaceNeuron",
    "llamacpp",
    "tei",
    "tgi",
    "tgiNeuron",
];

/// Where and on what a new endpoint runs: the five required hardware arguments of Python's
/// `create_inference_endpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hardware {
    /// Cloud vendor (`aws`, `gcp`, `azure`).
    pub vendor: String,
    /// Cloud region (`us-east-1`).
    pub region: String,
    /// `cpu`, `gpu`, `neuron`.
    pub accelerator: String,
    /// Instance type (`intel-icl`, `nvidia-a10g`).
    pub instance_type: String,
    /// Instance size (`x1`, `x2`, ...).
    pub instance_size: String,
}

impl Hardware {
    /// Vendor, region, accelerator, instance type and size, in the order of the Endpoints UI.
    pub fn new(
        vendor: impl Into<String>,
        region: impl Into<String>,
        accelerator: impl Into<String>,
        instance_type: impl Into<String>,
        instance_size: impl Into<String>,
    ) -> Self {
        Hardware {
            vendor: vendor.into(),
            region: region.into(),
            accelerator: accelerator.into(),
            instance_type: instance_type.into(),
            instance_size: instance_size.into(),
        }
    }
}

/// A custom image as the create call sends it: as is when already wrapped, else in `custom`.
pub(crate) fn wrap_create_image(image: Value) -> Value {
    let wrapped = image
        .as_object()
        .and_then(|o| o.keys().next())
        .is_some_and(|k| IMAGE_KEYS.contains(&k.as_str()));
    if wrapped {
        image
    } else {
        json!({ "custom": image })
    }
}

/// The fields an update changes; unset fields are not sent (Python's
/// `update_inference_endpoint`: "only the given fields"). Build with the setters:
///
/// ```
/// let changes = hf_inference_endpoints::EndpointChanges::new().min_replica(0).max_replica(2);
/// assert!(!changes.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct EndpointChanges {
    accelerator: Option<String>,
    instance_size: Option<String>,
    instance_type: Option<String>,
    min_replica: Option<u32>,
    max_replica: Option<u32>,
    scale_to_zero_timeout: Option<u32>,
    repository: Option<String>,
    framework: Option<String>,
    revision: Option<String>,
    task: Option<String>,
    custom_image: Option<Value>,
    env: Option<BTreeMap<String, String>>,
    secrets: Option<BTreeMap<String, String>>,
    domain: Option<String>,
    path: Option<String>,
    cache_http_responses: Option<bool>,
    tags: Option<Vec<String>>,
}

impl EndpointChanges {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// New accelerator (`cpu`, `gpu`, ...).
    pub fn accelerator(mut self, value: impl Into<String>) -> Self {
        self.accelerator = Some(value.into());
        self
    }

    /// New instance size (`x4`).
    pub fn instance_size(mut self, value: impl Into<String>) -> Self {
        self.instance_size = Some(value.into());
        self
    }

    /// New instance type (`intel-icl`).
    pub fn instance_type(mut self, value: impl Into<String>) -> Self {
        self.instance_type = Some(value.into());
        self
    }

    /// New minimum number of replicas.
    pub fn min_replica(mut self, value: u32) -> Self {
        self.min_replica = Some(value);
        self
    }

    /// New maximum number of replicas.
    pub fn max_replica(mut self, value: u32) -> Self {
        self.max_replica = Some(value);
        self
    }

    /// New idle time, in minutes, before scaling to zero.
    pub fn scale_to_zero_timeout(mut self, minutes: u32) -> Self {
        self.scale_to_zero_timeout = Some(minutes);
        self
    }

    /// New model repository.
    pub fn repository(mut self, value: impl Into<String>) -> Self {
        self.repository = Some(value.into());
        self
    }

    /// New framework.
    pub fn framework(mut self, value: impl Into<String>) -> Self {
        self.framework = Some(value.into());
        self
    }

    /// New model revision (commit).
    pub fn revision(mut self, value: impl Into<String>) -> Self {
        self.revision = Some(value.into());
        self
    }

    /// New task.
    pub fn task(mut self, value: impl Into<String>) -> Self {
        self.task = Some(value.into());
        self
    }

    /// New custom image (always sent wrapped in `custom`, as Python does on update).
    pub fn custom_image(mut self, image: Value) -> Self {
        self.custom_image = Some(image);
        self
    }

    /// New environment variables (replace the old ones).
    pub fn env(mut self, env: BTreeMap<String, String>) -> Self {
        self.env = Some(env);
        self
    }

    /// New secrets (replace the old ones).
    pub fn secrets(mut self, secrets: BTreeMap<String, String>) -> Self {
        self.secrets = Some(secrets);
        self
    }

    /// New custom domain.
    pub fn domain(mut self, value: impl Into<String>) -> Self {
        self.domain = Some(value.into());
        self
    }

    /// New custom path (starts with `/`).
    pub fn path(mut self, value: impl Into<String>) -> Self {
        self.path = Some(value.into());
        self
    }

    /// Whether to cache HTTP responses.
    pub fn cache_http_responses(mut self, value: bool) -> Self {
        self.cache_http_responses = Some(value);
        self
    }

    /// New tags (replace the old ones).
    pub fn tags(mut self, tags: Vec<String>) -> Self {
        self.tags = Some(tags);
        self
    }

    /// The PUT body: only the given fields, in the Python client's nesting.
    pub(crate) fn body(&self) -> Value {
        fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
            if let Some(value) = value {
                map.insert(key.to_owned(), value);
            }
        }
        let text = |v: &Option<String>| v.clone().map(Value::String);
        let mut scaling = Map::new();
        put(
            &mut scaling,
            "maxReplica",
            self.max_replica.map(Value::from),
        );
        put(
            &mut scaling,
            "minReplica",
            self.min_replica.map(Value::from),
        );
        put(
            &mut scaling,
            "scaleToZeroTimeout",
            self.scale_to_zero_timeout.map(Value::from),
        );
        let mut compute = Map::new();
        put(&mut compute, "accelerator", text(&self.accelerator));
        put(&mut compute, "instanceSize", text(&self.instance_size));
        put(&mut compute, "instanceType", text(&self.instance_type));
        if !scaling.is_empty() {
            compute.insert("scaling".into(), Value::Object(scaling));
        }
        let mut model = Map::new();
        put(&mut model, "repository", text(&self.repository));
        put(&mut model, "framework", text(&self.framework));
        put(&mut model, "revision", text(&self.revision));
        put(&mut model, "task", text(&self.task));
        put(
            &mut model,
            "image",
            self.custom_image.clone().map(|i| json!({ "custom": i })),
        );
        put(&mut model, "env", self.env.as_ref().map(|e| json!(e)));
        put(
            &mut model,
            "secrets",
            self.secrets.as_ref().map(|s| json!(s)),
        );
        let mut route = Map::new();
        put(&mut route, "domain", text(&self.domain));
        put(&mut route, "path", text(&self.path));
        let mut body = Map::new();
        for (key, part) in [("compute", compute), ("model", model), ("route", route)] {
            if !part.is_empty() {
                body.insert(key.into(), Value::Object(part));
            }
        }
        put(
            &mut body,
            "cacheHttpResponses",
            self.cache_http_responses.map(Value::Bool),
        );
        put(&mut body, "tags", self.tags.as_ref().map(|t| json!(t)));
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_body_has_only_the_given_fields() {
        let body = EndpointChanges::new()
            .max_replica(3)
            .custom_image(json!({"url": "img"}))
            .path("/x")
            .body();
        assert_eq!(
            body,
            json!({"compute": {"scaling": {"maxReplica": 3}},
                   "model": {"image": {"custom": {"url": "img"}}},
                   "route": {"path": "/x"}})
        );
        assert_eq!(EndpointChanges::new().body(), json!({}));
    }

    #[test]
    fn create_images_are_wrapped_unless_already_wrapped() {
        assert_eq!(
            wrap_create_image(json!({"url": "x"})),
            json!({"custom": {"url": "x"}})
        );
        assert_eq!(wrap_create_image(json!({"tgi": {}})), json!({"tgi": {}}));
    }
}
