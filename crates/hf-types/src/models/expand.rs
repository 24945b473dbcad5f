//! The properties `expand` may name in repo info and listings (issue 15): the Python client's
//! `ExpandModelProperty_T`, `ExpandDatasetProperty_T` and `ExpandSpaceProperty_T` (0.36.2). The Hub
//! refuses any other value with a 400 that lists these; the client sends what it is given (as the
//! Python client does), so these lists are for callers choosing values.

use crate::RepoType;

/// Valid `expand` values for models.
pub const EXPAND_MODEL_PROPERTIES: &[&str] = &[
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
pub const EXPAND_DATASET_PROPERTIES: &[&str] = &[
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
pub const EXPAND_SPACE_PROPERTIES: &[&str] = &[
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

/// The valid `expand` values for `repo_type`.
pub fn expand_properties(repo_type: RepoType) -> &'static [&'static str] {
    match repo_type {
        RepoType::Model => EXPAND_MODEL_PROPERTIES,
        RepoType::Dataset => EXPAND_DATASET_PROPERTIES,
        RepoType::Space => EXPAND_SPACE_PROPERTIES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_distinct() {
        for t in [RepoType::Model, RepoType::Dataset, RepoType::Space] {
            let list = expand_properties(t);
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{t:?}");
        }
        assert!(EXPAND_MODEL_PROPERTIES.contains(&"safetensors"));
        assert!(!EXPAND_DATASET_PROPERTIES.contains(&"safetensors"));
        assert!(EXPAND_SPACE_PROPERTIES.contains(&"runtime"));
    }
}
