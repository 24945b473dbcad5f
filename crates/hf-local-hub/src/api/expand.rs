//! The properties `expand` may name in repo info and listings (issue 15): the Python client's
//! `ExpandModelProperty_T`, `ExpandDatasetProperty_T` and `ExpandSpaceProperty_T` (0.36.2), which the
//! Hub checks. The hub keeps its own copy (it shares no wire knowledge with the client crates);
//! `tests/python/test_fidelity.py` compares it with the Python client's.

use hf_types::RepoType;

use super::error::{HubError, HubResult};

/// Valid `expand` values for models.
const MODEL: &[&str] = &[
    "author",
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "mask_token",
    "model-index",
    "pipeline_tag",
    "private",
    "resourceGroup",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "transformersInfo",
    "trendingScore",
    "usedStorage",
    "widgetData",
    "xetEnabled",
];

/// Valid `expand` values for datasets.
const DATASET: &[&str] = &[
    "author",
    "cardData",
    "citation",
    "createdAt",
    "description",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "lastModified",
    "likes",
    "paperswithcode_id",
    "private",
    "resourceGroup",
    "sha",
    "siblings",
    "tags",
    "trendingScore",
    "usedStorage",
    "xetEnabled",
];

/// Valid `expand` values for Spaces.
const SPACE: &[&str] = &[
    "author",
    "cardData",
    "createdAt",
    "datasets",
    "disabled",
    "lastModified",
    "likes",
    "models",
    "private",
    "resourceGroup",
    "runtime",
    "sdk",
    "sha",
    "siblings",
    "subdomain",
    "tags",
    "trendingScore",
    "usedStorage",
    "xetEnabled",
];

/// An `expand` value the Hub does not know is a 400 listing the valid ones.
pub(crate) fn check_expand(repo_type: RepoType, expand: &[String]) -> HubResult<()> {
    let valid = match repo_type {
        RepoType::Model => MODEL,
        RepoType::Dataset => DATASET,
        RepoType::Space => SPACE,
    };
    match expand.iter().find(|e| !valid.contains(&e.as_str())) {
        None => Ok(()),
        Some(bad) => {
            let shown: String = bad.chars().take(100).collect();
            Err(HubError::bad_request(format!(
                "\"expand\" must be one of: {} (got {shown:?})",
                valid.join(", ")
            )))
        }
    }
}
