//! Listings of models, datasets and Spaces (protocol §2.6), as streams following the `Link`
//! header (§1.6).
//!
//! `.into_stream()` yields the items lazily, one page at a time; `.await` collects them.
//! [`limit`](ListModels::limit) caps both the page size asked for and the items yielded.

use std::future::ready;
use std::pin::Pin;

use futures_util::{Stream, StreamExt, TryStreamExt};
use hf_http::{HubClient, Method};
use hf_types::routes::py_bool;
use hf_types::{DatasetInfo, ModelInfo, RepoType, Route, SpaceInfo};
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// The key to sort a listing by. The Python spellings (`last_modified`, `trending_score`,
/// `created_at`) and the Hub's (`lastModified`, ...) both convert with `From<&str>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// Date of the last commit (`lastModified`).
    LastModified,
    /// Trending score (`trendingScore`).
    TrendingScore,
    /// Creation date (`createdAt`).
    CreatedAt,
    /// Downloads over the last 30 days.
    Downloads,
    /// Likes.
    Likes,
    /// Another key, sent as is.
    Other(String),
}

impl SortKey {
    /// The value sent as `sort`.
    pub fn as_str(&self) -> &str {
        match self {
            SortKey::LastModified => "lastModified",
            SortKey::TrendingScore => "trendingScore",
            SortKey::CreatedAt => "createdAt",
            SortKey::Downloads => "downloads",
            SortKey::Likes => "likes",
            SortKey::Other(other) => other,
        }
    }
}

impl From<&str> for SortKey {
    fn from(value: &str) -> Self {
        match value {
            "last_modified" | "lastModified" => SortKey::LastModified,
            "trending_score" | "trendingScore" => SortKey::TrendingScore,
            "created_at" | "createdAt" => SortKey::CreatedAt,
            "downloads" => SortKey::Downloads,
            "likes" => SortKey::Likes,
            other => SortKey::Other(other.to_owned()),
        }
    }
}

/// The parameters every listing shares, and the query they make (set through
/// [`ListingRequest`]).
#[derive(Debug, Clone)]
pub struct ListParams {
    client: HubClient,
    filter: Vec<String>,
    author: Option<String>,
    search: Vec<String>,
    sort: Option<SortKey>,
    direction: Option<i32>,
    limit: Option<usize>,
    full: bool,
    expand: Vec<String>,
    /// Type-specific parameters, in the order set.
    extra: Vec<(&'static str, String)>,
    /// Set when `expand` may not be combined with the type-specific extras (their names).
    expand_conflicts: Vec<&'static str>,
}

impl ListParams {
    fn new(client: HubClient) -> Self {
        ListParams {
            client,
            filter: Vec::new(),
            author: None,
            search: Vec::new(),
            sort: None,
            direction: None,
            limit: None,
            full: false,
            expand: Vec::new(),
            extra: Vec::new(),
            expand_conflicts: Vec::new(),
        }
    }

    fn flag(&mut self, key: &'static str, on: bool) {
        self.extra.retain(|(k, _)| *k != key);
        if on {
            self.extra.push((key, py_bool(true).to_owned()));
        }
    }

    fn set(&mut self, key: &'static str, value: String) {
        self.extra.retain(|(k, _)| *k != key);
        self.extra.push((key, value));
    }

    fn query(&self) -> Result<Vec<(&str, String)>> {
        let has = |key: &str| self.extra.iter().any(|(k, _)| *k == key);
        if !self.expand.is_empty() && (self.full || self.expand_conflicts.iter().any(|k| has(k))) {
            return Err(Error::InvalidArgument(
                "expand cannot be combined with full, card_data or fetch_config".into(),
            ));
        }
        let mut query: Vec<(&str, String)> = Vec::new();
        query.extend(self.filter.iter().map(|f| ("filter", f.clone())));
        if let Some(author) = &self.author {
            query.push(("author", author.clone()));
        }
        query.extend(self.search.iter().map(|s| ("search", s.clone())));
        if let Some(sort) = &self.sort {
            query.push(("sort", sort.as_str().to_owned()));
        }
        if let Some(direction) = self.direction {
            query.push(("direction", direction.to_string()));
        }
        if let Some(limit) = self.limit {
            query.push(("limit", limit.to_string()));
        }
        if self.full {
            query.push(("full", py_bool(true).to_owned()));
        }
        query.extend(self.extra.iter().map(|(k, v)| (*k, v.clone())));
        query.extend(self.expand.iter().map(|e| ("expand", e.clone())));
        Ok(query)
    }

    /// The items of the listing of `repo_type`s, stopping after `limit`.
    fn stream<T>(self, repo_type: RepoType) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let start = self.query().map(|query| {
            let route = Route::list_repos(repo_type);
            self.client.route(Method::GET, &route).query(&query)
        });
        // Boxed: the stream owns its state, but its type names the client borrow.
        let pages: Pin<Box<dyn Stream<Item = Result<T>> + Send + 'static>> = match start {
            Ok(request) => Box::pin(self.client.paginate::<T>(request).map_err(Error::from)),
            Err(e) => Box::pin(futures_util::stream::once(ready(Err(e)))),
        };
        pages.take(self.limit.unwrap_or(usize::MAX))
    }
}

/// Pushes `{key}:{value}` unless the value already has that prefix (the Python client's
/// dataset filters).
fn prefixed(key: &str, value: String) -> String {
    if value.starts_with(&format!("{key}:")) {
        value
    } else {
        format!("{key}:{value}")
    }
}

/// The filters every listing (`list_models`, `list_datasets`, `list_spaces`) shares, defined
/// once here: bring it into scope with the prelude (`use hf_repo::prelude::*`).
pub trait ListingRequest: Sized {
    /// The builder's shared parameters.
    fn params_mut(&mut self) -> &mut ListParams;

    /// Keep only repos with this tag (repeatable: all must match), e.g. `pytorch`,
    /// `license:mit`.
    #[must_use]
    fn filter(mut self, tag: impl Into<String>) -> Self {
        self.params_mut().filter.push(tag.into());
        self
    }

    /// [`filter`](Self::filter) for each of these tags.
    #[must_use]
    fn filters<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.params_mut()
            .filter
            .extend(tags.into_iter().map(Into::into));
        self
    }

    /// Only repos of this user or organization.
    #[must_use]
    fn author(mut self, author: impl Into<String>) -> Self {
        self.params_mut().author = Some(author.into());
        self
    }

    /// Only repos whose id contains this text (repeatable: all must match).
    #[must_use]
    fn search(mut self, text: impl Into<String>) -> Self {
        self.params_mut().search.push(text.into());
        self
    }

    /// Sort by this key (`"last_modified"`, `"created_at"`, `"downloads"`, a [`SortKey`]...).
    #[must_use]
    fn sort(mut self, key: impl Into<SortKey>) -> Self {
        self.params_mut().sort = Some(key.into());
        self
    }

    /// Sort direction: `-1` descending, anything else ascending.
    #[must_use]
    fn direction(mut self, direction: i32) -> Self {
        self.params_mut().direction = Some(direction);
        self
    }

    /// At most this many items (also the page size asked for).
    #[must_use]
    fn limit(mut self, limit: usize) -> Self {
        self.params_mut().limit = Some(limit);
        self
    }

    /// Full info objects (siblings, sha, last modified, card data...).
    #[must_use]
    fn full(mut self, full: bool) -> Self {
        self.params_mut().full = full;
        self
    }

    /// Return only `_id`, `id` and these properties of each repo (not with `full`).
    #[must_use]
    fn expand<S: Into<String>>(mut self, properties: impl IntoIterator<Item = S>) -> Self {
        self.params_mut().expand = properties.into_iter().map(Into::into).collect();
        self
    }
}

/// `impl ListingRequest` for a builder whose [`ListParams`] are in its field `params`.
macro_rules! impl_listing_request {
    ($builder:ty) => {
        impl ListingRequest for $builder {
            fn params_mut(&mut self) -> &mut ListParams {
                &mut self.params
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// list_models

/// Lists models: the Python client's `list_models` (`GET /api/models`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use futures_util::TryStreamExt;
/// use hf_repo::listing::ListModels;
///
/// let top = ListModels::new(client.clone()).search("bert").sort("downloads").limit(10).await?;
/// let mut all = std::pin::pin!(ListModels::new(client).author("acme").into_stream());
/// while let Some(model) = all.try_next().await? {
///     println!("{}", model.id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListModels {
    params: ListParams,
    emissions: Option<(Option<f64>, Option<f64>)>,
}

impl_listing_request!(ListModels);
into_future!(ListModels => Vec<ModelInfo>, collect);

impl ListModels {
    /// Lists every model visible to the client's token.
    pub fn new(client: HubClient) -> Self {
        ListModels::from_params(ListParams::new(client))
    }

    fn from_params(mut params: ListParams) -> Self {
        params.expand_conflicts = vec!["cardData", "config"];
        ListModels {
            params,
            emissions: None,
        }
    }

    /// Only models whose card says they use this library (a tag filter, e.g. `transformers`).
    pub fn library(self, library: impl Into<String>) -> Self {
        self.filter(library)
    }

    /// Only models in this language (a tag filter, e.g. `en`).
    pub fn language(self, language: impl Into<String>) -> Self {
        self.filter(language)
    }

    /// Only models for this task (a tag filter, e.g. `text-classification`).
    pub fn task(self, task: impl Into<String>) -> Self {
        self.filter(task)
    }

    /// Only models with this tag (same as [`filter`](Self::filter)).
    pub fn tags(self, tag: impl Into<String>) -> Self {
        self.filter(tag)
    }

    /// Only models trained on this dataset (the tag `dataset:{id}`; repeatable).
    pub fn trained_dataset(self, dataset: impl Into<String>) -> Self {
        self.filter(prefixed("dataset", dataset.into()))
    }

    /// Only models whose id contains this text (same as [`search`](Self::search)).
    pub fn model_name(self, name: impl Into<String>) -> Self {
        self.search(name)
    }

    /// Only models supported by this app, e.g. `ollama`, `vllm` (repeatable).
    pub fn apps(mut self, app: impl Into<String>) -> Self {
        self.params.extra.push(("apps", app.into()));
        self
    }

    /// Only gated (`true`) or only non-gated (`false`) models.
    pub fn gated(mut self, gated: bool) -> Self {
        self.params.set("gated", py_bool(gated).into());
        self
    }

    /// `"warm"`: only models served by at least one inference provider.
    pub fn inference(mut self, inference: impl Into<String>) -> Self {
        self.params.set("inference", inference.into());
        self
    }

    /// Only models served by this provider (`all`: by any; repeatable).
    pub fn inference_provider(mut self, provider: impl Into<String>) -> Self {
        self.params
            .extra
            .push(("inference_provider", provider.into()));
        self
    }

    /// Only models with this pipeline tag, e.g. `summarization`.
    pub fn pipeline_tag(mut self, tag: impl Into<String>) -> Self {
        self.params.set("pipeline_tag", tag.into());
        self
    }

    /// Include each model's card data (`cardData=True`).
    pub fn card_data(mut self, yes: bool) -> Self {
        self.params.flag("cardData", yes);
        self
    }

    /// Include each model's `config` (`config=True`).
    pub fn fetch_config(mut self, yes: bool) -> Self {
        self.params.flag("config", yes);
        self
    }

    /// Keep only models whose card declares CO₂ emissions (grams) within these bounds
    /// (`None`: unbounded), checked client-side after `limit`; needs [`card_data`](Self::card_data).
    pub fn emissions_thresholds(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.emissions = Some((min, max));
        self
    }

    /// The models, fetched page by page as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<ModelInfo>> + Send + 'static {
        let check = match self.emissions {
            Some((None, None)) => Err(Error::InvalidArgument(
                "emissions_thresholds needs a minimum or a maximum".into(),
            )),
            Some(_) if !self.params.extra.iter().any(|(k, _)| *k == "cardData") => Err(
                Error::InvalidArgument("emissions_thresholds needs card_data(true)".into()),
            ),
            _ => Ok(()),
        };
        let emissions = self.emissions;
        let items = match check {
            Ok(()) => self
                .params
                .stream::<ModelInfo>(RepoType::Model)
                .left_stream(),
            Err(e) => futures_util::stream::once(ready(Err(e))).right_stream(),
        };
        items.try_filter(move |model| {
            ready(emissions.is_none_or(|(min, max)| emission_within(model, min, max)))
        })
    }
}

/// The Python client's `_is_emission_within_threshold`: the first number in
/// `cardData.co2_eq_emissions` (or its `emissions` key) within `[min, max]`.
fn emission_within(model: &ModelInfo, min: Option<f64>, max: Option<f64>) -> bool {
    let Some(value) = model
        .card_data
        .as_ref()
        .and_then(|c| c.get("co2_eq_emissions"))
    else {
        return false;
    };
    let value = match value {
        serde_json::Value::Object(o) => o.get("emissions").cloned().unwrap_or_default(),
        other => other.clone(),
    };
    let text = match &value {
        serde_json::Value::Null | serde_json::Value::Bool(false) => return false,
        serde_json::Value::String(s) if s.is_empty() => return false,
        serde_json::Value::Number(n) if n.as_f64() == Some(0.0) => return false,
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let Some(number) = first_number(&text) else {
        return false;
    };
    min.unwrap_or(-1.0) <= number && number <= max.unwrap_or(f64::INFINITY)
}

/// The first `\d+\.\d+|\d+` in `text`.
fn first_number(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let int_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let mut end = int_end;
    if let Some(frac) = rest[int_end..].strip_prefix('.') {
        let frac_len = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        if frac_len > 0 {
            end = int_end + 1 + frac_len;
        }
    }
    rest[..end].parse().ok()
}

// ---------------------------------------------------------------------------------------------
// list_datasets

/// Lists datasets: the Python client's `list_datasets` (`GET /api/datasets`).
///
/// The typed filters add `{key}:{value}` tags (`language:en`, `task_categories:...`), as the
/// Python client does.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::listing::ListDatasets;
/// let english = ListDatasets::new(client).language("en").task_categories("text-classification").await?;
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListDatasets {
    params: ListParams,
}

impl_listing_request!(ListDatasets);
into_future!(ListDatasets => Vec<DatasetInfo>, collect);

impl ListDatasets {
    /// Lists every dataset visible to the client's token.
    pub fn new(client: HubClient) -> Self {
        ListDatasets {
            params: ListParams::new(client),
        }
    }

    /// Only datasets tagged `benchmark:{value}` (official benchmark, e.g. `raft`; repeatable).
    pub fn benchmark(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("benchmark", value.into()))
    }

    /// Only datasets tagged `language_creators:{value}` (how the language data was created, e.g. `crowdsourced`; repeatable).
    pub fn language_creators(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("language_creators", value.into()))
    }

    /// Only datasets tagged `language:{value}` (language code, e.g. `en`; repeatable).
    pub fn language(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("language", value.into()))
    }

    /// Only datasets tagged `multilinguality:{value}` (e.g. `multilingual`; repeatable).
    pub fn multilinguality(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("multilinguality", value.into()))
    }

    /// Only datasets tagged `size_categories:{value}` (e.g. `100K<n<1M`; repeatable).
    pub fn size_categories(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("size_categories", value.into()))
    }

    /// Only datasets tagged `task_categories:{value}` (e.g. `text-classification`; repeatable).
    pub fn task_categories(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("task_categories", value.into()))
    }

    /// Only datasets tagged `task_ids:{value}` (e.g. `natural-language-inference`; repeatable).
    pub fn task_ids(self, value: impl Into<String>) -> Self {
        self.filter(prefixed("task_ids", value.into()))
    }

    /// Only datasets with this tag (same as [`filter`](Self::filter)).
    pub fn tags(self, tag: impl Into<String>) -> Self {
        self.filter(tag)
    }

    /// Only datasets whose id contains this text (same as [`search`](Self::search)).
    pub fn dataset_name(self, name: impl Into<String>) -> Self {
        self.search(name)
    }

    /// Only gated (`true`) or only non-gated (`false`) datasets.
    pub fn gated(mut self, gated: bool) -> Self {
        self.params.set("gated", py_bool(gated).into());
        self
    }

    /// The datasets, fetched page by page as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<DatasetInfo>> + Send + 'static {
        self.params.stream(RepoType::Dataset)
    }
}

// ---------------------------------------------------------------------------------------------
// list_spaces

/// Lists Spaces: the Python client's `list_spaces` (`GET /api/spaces`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::prelude::*;
/// use hf_repo::listing::ListSpaces;
/// let demos = ListSpaces::new(client).models("openai-community/gpt2").limit(20).await?;
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListSpaces {
    params: ListParams,
}

impl_listing_request!(ListSpaces);
into_future!(ListSpaces => Vec<SpaceInfo>, collect);

impl ListSpaces {
    /// Lists every Space visible to the client's token.
    pub fn new(client: HubClient) -> Self {
        ListSpaces::from_params(ListParams::new(client))
    }

    fn from_params(params: ListParams) -> Self {
        ListSpaces { params }
    }

    /// Only Spaces that use this dataset (repeatable).
    pub fn datasets(mut self, dataset: impl Into<String>) -> Self {
        self.params.extra.push(("datasets", dataset.into()));
        self
    }

    /// Only Spaces that use this model (repeatable).
    pub fn models(mut self, model: impl Into<String>) -> Self {
        self.params.extra.push(("models", model.into()));
        self
    }

    /// Only Spaces that use some model or dataset (`linked=True`).
    pub fn linked(mut self, linked: bool) -> Self {
        self.params.flag("linked", linked);
        self
    }

    /// The Spaces, fetched page by page as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<SpaceInfo>> + Send + 'static {
        self.params.stream(RepoType::Space)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_number_as_python() {
        assert_eq!(first_number("about 12.5 g"), Some(12.5));
        // As Python's regex: the first number, even inside a word.
        assert_eq!(first_number("co2: 12.5 g"), Some(2.0));
        assert_eq!(first_number("40"), Some(40.0));
        assert_eq!(first_number("7. g"), Some(7.0));
        assert_eq!(first_number("none"), None);
    }

    #[test]
    fn sort_keys_map_python_names() {
        assert_eq!(SortKey::from("last_modified").as_str(), "lastModified");
        assert_eq!(SortKey::from("created_at").as_str(), "createdAt");
        assert_eq!(SortKey::from("trending_score").as_str(), "trendingScore");
        assert_eq!(SortKey::from("likes").as_str(), "likes");
        assert_eq!(SortKey::from("id").as_str(), "id");
    }

    /// The parameters hf-local-hub ignores are at least sent as the Python client sends them.
    #[test]
    fn queries_as_python_builds_them() {
        let client = HubClient::builder()
            .endpoint("http://127.0.0.1:9")
            .no_token()
            .build()
            .unwrap();
        let models = ListModels::new(client.clone())
            .apps("ollama")
            .apps("vllm")
            .inference("warm")
            .inference_provider("together")
            .pipeline_tag("summarization")
            .gated(false)
            .fetch_config(true)
            .trained_dataset("dataset:squad")
            .sort("trending_score")
            .direction(-1)
            .limit(7);
        let query = models.params.query().unwrap();
        let has = |k: &str, v: &str| query.iter().any(|(qk, qv)| *qk == k && qv == v);
        assert!(has("apps", "ollama") && has("apps", "vllm"));
        assert!(has("inference", "warm") && has("inference_provider", "together"));
        assert!(has("pipeline_tag", "summarization") && has("gated", "False"));
        assert!(has("config", "True") && has("filter", "dataset:squad"));
        assert!(has("sort", "trendingScore") && has("direction", "-1") && has("limit", "7"));

        let spaces = ListSpaces::new(client)
            .datasets("a/d")
            .models("a/m")
            .models("b/m")
            .linked(true)
            .linked(true);
        let query = spaces.params.query().unwrap();
        let count = |k: &str| query.iter().filter(|(qk, _)| *qk == k).count();
        assert_eq!(
            (count("datasets"), count("models"), count("linked")),
            (1, 2, 1)
        );
    }

    #[test]
    fn dataset_filters_are_prefixed_once() {
        assert_eq!(prefixed("language", "en".into()), "language:en");
        assert_eq!(prefixed("language", "language:en".into()), "language:en");
    }
}

/// The Hub's tag vocabulary for models or datasets, grouped by type (`{"pipeline_tag": [...],
/// "library": [...], ...}`): the Python client's `get_model_tags` and `get_dataset_tags`.
/// Resolves to the Hub's JSON object as is (its groups change over time).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// let tags = hf_repo::listing::GetTags::models(client).await?;
/// println!("{}", tags["pipeline_tag"]);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetTags {
    client: HubClient,
    route: Route,
}

impl GetTags {
    /// `get_model_tags`.
    pub fn models(client: HubClient) -> Self {
        GetTags {
            client,
            route: Route::models_tags_by_type(),
        }
    }

    /// `get_dataset_tags`.
    pub fn datasets(client: HubClient) -> Self {
        GetTags {
            client,
            route: Route::datasets_tags_by_type(),
        }
    }

    async fn send(self) -> Result<serde_json::Value> {
        let response = self
            .client
            .route(Method::GET, &self.route)
            .idempotent(true)
            .await?;
        let value: serde_json::Value = response.json().await?;
        if !value.is_object() {
            return Err(Error::protocol(
                "tags by type",
                "the answer is not a JSON object",
            ));
        }
        Ok(value)
    }
}

into_future!(GetTags => serde_json::Value, send);
