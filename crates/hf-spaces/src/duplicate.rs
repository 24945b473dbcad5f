//! Duplicating a Space: the Python client's `duplicate_space`.

use hf_http::{HubClient, Method, RepoTarget};
use hf_repo::repos::{SpaceKeyValue, WhoAmI};
use hf_types::{RepoId, RepoUrl, Route, SpaceHardware, SpaceStorage};
use serde_json::{Map, Value, json};

use crate::{Error, Result, space_target, warn_free_sleep_time};

/// Copies a Space into a new one (files in one commit, settings as given or from the source):
/// the Python client's `duplicate_space` (`POST /api/spaces/{from_id}/duplicate`). Resolves to
/// the new Space's URL.
///
/// Without [`to_id`](Self::to_id) the copy keeps the source's name under the caller's
/// namespace; a `to_id` without namespace is put under the caller's namespace too (asked with
/// `whoami`). With [`exist_ok`](Self::exist_ok), an existing target is not an error.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::duplicate::DuplicateSpace;
/// use hf_spaces::SpaceKeyValue;
/// let url = DuplicateSpace::new(client, "multimodalart/dreambooth-training".parse()?)
///     .to_id("my-dreambooth".parse()?)
///     .private(true)
///     .variables([SpaceKeyValue::new("MODEL_ID", "gpt2")])
///     .await?;
/// println!("{url}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DuplicateSpace {
    target: RepoTarget,
    to_id: Option<RepoId>,
    private: Option<bool>,
    hardware: Option<SpaceHardware>,
    storage: Option<SpaceStorage>,
    sleep_time: Option<i64>,
    secrets: Option<Vec<SpaceKeyValue>>,
    variables: Option<Vec<SpaceKeyValue>>,
    exist_ok: bool,
}

impl DuplicateSpace {
    /// Duplicates the Space `from_id`.
    pub fn new(client: HubClient, from_id: RepoId) -> Self {
        DuplicateSpace {
            target: space_target(client, from_id),
            to_id: None,
            private: None,
            hardware: None,
            storage: None,
            sleep_time: None,
            secrets: None,
            variables: None,
            exist_ok: false,
        }
    }

    /// The new Space's id (`name` alone: under the caller's namespace).
    pub fn to_id(mut self, to_id: RepoId) -> Self {
        self.to_id = Some(to_id);
        self
    }

    /// Private or public (default: as the source).
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Hardware of the copy (default: the source's).
    pub fn hardware(mut self, hardware: impl Into<SpaceHardware>) -> Self {
        self.hardware = Some(hardware.into());
        self
    }

    /// Persistent storage tier of the copy.
    pub fn storage(mut self, storage: SpaceStorage) -> Self {
        self.storage = Some(storage);
        self
    }

    /// Sleep time of the copy in seconds (`-1`: never).
    pub fn sleep_time(mut self, seconds: i64) -> Self {
        self.sleep_time = Some(seconds);
        self
    }

    /// Secrets of the copy.
    pub fn secrets(mut self, secrets: impl IntoIterator<Item = SpaceKeyValue>) -> Self {
        self.secrets = Some(secrets.into_iter().collect());
        self
    }

    /// Variables of the copy (added to the source's).
    pub fn variables(mut self, variables: impl IntoIterator<Item = SpaceKeyValue>) -> Self {
        self.variables = Some(variables.into_iter().collect());
        self
    }

    /// Succeed when the target exists already (the Hub's 409).
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    async fn send(self) -> Result<RepoUrl> {
        let client = self.target.client().clone();
        let from = self.target.repo_id();
        let namespace = match self.to_id.as_ref().and_then(RepoId::namespace) {
            Some(namespace) => namespace.to_owned(),
            None => WhoAmI::new(client.clone()).await?.name,
        };
        let name = self.to_id.as_ref().map_or(from.name(), RepoId::name);
        let repository = RepoId::new(&namespace, name)?;
        let mut body = Map::new();
        body.insert("repository".into(), json!(repository.as_str()));
        let options = [
            ("private", self.private.map(|p| json!(p))),
            (
                "hardware",
                self.hardware.as_ref().map(|h| json!(h.as_str())),
            ),
            (
                "storageTier",
                self.storage.as_ref().map(|s| json!(s.as_str())),
            ),
            ("sleepTimeSeconds", self.sleep_time.map(|s| json!(s))),
            ("secrets", self.secrets.as_ref().map(|s| json!(s))),
            ("variables", self.variables.as_ref().map(|v| json!(v))),
        ];
        for (key, value) in options {
            if let Some(value) = value {
                body.insert(key.into(), value);
            }
        }
        if self.sleep_time.is_some() {
            warn_free_sleep_time(self.hardware.as_ref().map(SpaceHardware::as_str));
        }
        let route = Route::space(from).duplicate();
        let answer: Value = match self
            .target
            .route(Method::POST, &route)
            .json(&body)
            .send()
            .await
        {
            Ok(response) => response.json().await?,
            Err(Error::Conflict(e)) if self.exist_ok => e
                .body_json::<Value>()
                .ok_or_else(|| Error::protocol("duplicate_space", "a 409 without a JSON body"))?,
            Err(e) => return Err(e),
        };
        let url = answer
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("duplicate_space", "no url in the answer"))?;
        parse_repo_url(&client, url)
    }
}
hf_http::impl_into_future!(DuplicateSpace => RepoUrl, send);

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
