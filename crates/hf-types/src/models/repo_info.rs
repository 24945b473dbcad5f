//! Repo info and listing items (protocol §2.5, §2.6).
//!
//! Every field but `id` is optional: listings return a reduced set, `expand`
//! returns only `_id`, `id` and the listed properties. Keys this version does not
//! model are kept in `extra` (the Python client keeps them too), so printing an
//! info object shows everything the server sent.

use std::fmt;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::{
    CardData, InvalidRepoId, RepoId, RepoSibling, RepoType, SafetensorsInfo, SpaceRuntime,
};

/// Access gating of a repo: `false`, `"auto"` or `"manual"` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Gated {
    /// Not gated (`false`).
    Off,
    /// Access requests are approved automatically.
    Auto,
    /// Access requests are reviewed by the owners.
    Manual,
    /// A value this version does not know, kept verbatim (`true` reads as `"true"`).
    Other(String),
}

impl Gated {
    /// True unless [`Gated::Off`].
    pub fn is_gated(&self) -> bool {
        !matches!(self, Gated::Off)
    }
}

impl Serialize for Gated {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Gated::Off => serializer.serialize_bool(false),
            Gated::Auto => serializer.serialize_str("auto"),
            Gated::Manual => serializer.serialize_str("manual"),
            Gated::Other(other) => serializer.serialize_str(other),
        }
    }
}

impl<'de> Deserialize<'de> for Gated {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct GatedVisitor;
        impl Visitor<'_> for GatedVisitor {
            type Value = Gated;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("false, \"auto\" or \"manual\"")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Gated, E> {
                Ok(if v {
                    Gated::Other("true".to_owned())
                } else {
                    Gated::Off
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Gated, E> {
                Ok(match v {
                    "auto" => Gated::Auto,
                    "manual" => Gated::Manual,
                    other => Gated::Other(other.to_owned()),
                })
            }
        }
        deserializer.deserialize_any(GatedVisitor)
    }
}

/// `transformersInfo` of a model: which auto class and processor load it.
///
/// The wire keys are snake_case here, unlike the info objects around it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransformersInfo {
    /// Auto class, e.g. `AutoModelForCausalLM`.
    pub auto_model: String,
    /// Custom class for remote code, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_class: Option<String>,
    /// Pipeline tag, e.g. `text-generation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_tag: Option<String>,
    /// Processor class, e.g. `AutoTokenizer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor: Option<String>,
}

/// How one inference provider serves a model (`inferenceProviderMapping`).
///
/// The wire has an object keyed by provider in repo info and a list with a
/// `provider` field in listings; both read into a list, in the server's order
/// (the caller's provider preference), and it is written back as a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InferenceProviderMapping {
    /// Provider name, e.g. `together`.
    #[serde(default)]
    pub provider: String,
    /// The model's id on the provider's side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// `live`, `staging` or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Task served, e.g. `conversational`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Adapter kind (e.g. `lora`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
    /// Path of the adapter weights, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter_weights_path: Option<String>,
    /// `single-model` or `tag-filter`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub mapping_type: Option<String>,
}

/// Reads `inferenceProviderMapping` in either wire shape, keeping the order.
fn provider_mapping<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<InferenceProviderMapping>>, D::Error> {
    struct MappingVisitor;
    impl<'de> Visitor<'de> for MappingVisitor {
        type Value = Option<Vec<InferenceProviderMapping>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of provider mappings or an object keyed by provider")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(Some(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((provider, mut item)) =
                map.next_entry::<String, InferenceProviderMapping>()?
            {
                item.provider = provider;
                out.push(item);
            }
            Ok(Some(out))
        }
    }
    deserializer.deserialize_any(MappingVisitor)
}

/// The fields every info object has, whatever the repo type: flattened into
/// [`ModelInfo`], [`DatasetInfo`] and [`SpaceInfo`], which dereference to it, so
/// `info.sha` reads the same on all three.
///
/// `id` is kept as the server's string rather than a [`RepoId`]: the Hub is the
/// authority on the ids it returns, and legacy repos predate today's naming rules,
/// so one odd id must not fail a whole listing page. [`RepoInfoCommon::repo_id`]
/// parses it when a typed id is needed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoInfoCommon {
    /// Object id (24 hex).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// Repo id, `namespace/name` (the only field always present).
    pub id: String,
    /// Owner namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Commit id of the requested revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// Creation date (never before `2022-03-02T23:29:04.000Z`).
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// Date of the last commit.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified: Option<OffsetDateTime>,
    /// Private repo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Disabled repo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Gating mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<Gated>,
    /// Likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    /// Tags, including those the Hub computes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Trending score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trending_score: Option<f64>,
    /// Card metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_data: Option<CardData>,
    /// Files of the repo; `None` when the answer did not list them (not "empty").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siblings: Option<Vec<RepoSibling>>,
    /// Stored with Xet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xet_enabled: Option<bool>,
    /// Bytes used by all revisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_storage: Option<u64>,
}

impl RepoInfoCommon {
    /// Common fields with only the id set, the rest unknown.
    pub fn new(id: impl Into<String>) -> Self {
        RepoInfoCommon {
            id: id.into(),
            ..RepoInfoCommon::default()
        }
    }

    /// The id parsed as a [`RepoId`]; fails only for ids the Hub itself
    /// would no longer accept (see the type's documentation).
    pub fn repo_id(&self) -> Result<RepoId, InvalidRepoId> {
        self.id.parse()
    }

    /// The file names in `siblings`, if the answer listed them.
    pub fn file_names(&self) -> Option<Vec<&str>> {
        self.siblings
            .as_ref()
            .map(|s| s.iter().map(|f| f.rfilename.as_str()).collect())
    }
}

/// `Deref`/`DerefMut` to the common part and a constructor from an id.
macro_rules! common_part {
    ($ty:ident) => {
        impl std::ops::Deref for $ty {
            type Target = RepoInfoCommon;
            fn deref(&self) -> &RepoInfoCommon {
                &self.common
            }
        }

        impl std::ops::DerefMut for $ty {
            fn deref_mut(&mut self) -> &mut RepoInfoCommon {
                &mut self.common
            }
        }

        impl From<RepoInfoCommon> for $ty {
            fn from(common: RepoInfoCommon) -> Self {
                $ty {
                    common,
                    ..$ty::default()
                }
            }
        }
    };
}

/// Information about a model (`GET /api/models/{repo_id}` and `/api/models` items).
///
/// The fields every repo type has are in [`RepoInfoCommon`], reached through `Deref`
/// (`info.sha`, `info.repo_id()`); the model-only ones are here.
///
/// ```
/// use hf_types::ModelInfo;
///
/// let info: ModelInfo = serde_json::from_str(
///     r#"{"_id": "621ffdc036468d709f174338", "id": "openai-community/gpt2", "xetEnabled": false}"#,
/// )?;
/// assert_eq!(info.repo_id()?.name(), "gpt2");
/// assert_eq!(info.xet_enabled, Some(false));
/// assert!(info.siblings.is_none()); // not asked for: unknown, not empty
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelInfo {
    /// The fields every repo type has.
    #[serde(flatten)]
    pub common: RepoInfoCommon,
    /// Downloads over the last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    /// Downloads since creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads_all_time: Option<u64>,
    /// Library, e.g. `transformers`.
    #[serde(
        rename = "library_name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub library_name: Option<String>,
    /// Task, e.g. `text-generation`.
    #[serde(
        rename = "pipeline_tag",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pipeline_tag: Option<String>,
    /// Mask token of fill-mask models.
    #[serde(
        rename = "mask_token",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mask_token: Option<String>,
    /// Widget examples (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_data: Option<Value>,
    /// Evaluation results (raw `model-index`).
    #[serde(
        rename = "model-index",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub model_index: Option<Value>,
    /// Model configuration (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
    /// Transformers loading info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformers_info: Option<TransformersInfo>,
    /// Spaces using the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spaces: Option<Vec<String>>,
    /// Parameter counts from the safetensors weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safetensors: Option<SafetensorsInfo>,
    /// Security scan status (raw; `securityStatus=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_repo_status: Option<Value>,
    /// GGUF details (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gguf: Option<Value>,
    /// `warm` when served by at least one inference provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<String>,
    /// Inference providers serving the model.
    #[serde(
        default,
        deserialize_with = "provider_mapping",
        skip_serializing_if = "Option::is_none"
    )]
    pub inference_provider_mapping: Option<Vec<InferenceProviderMapping>>,
    /// Keys not modelled above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
common_part!(ModelInfo);

/// Information about a dataset (`GET /api/datasets/{repo_id}` and `/api/datasets` items).
///
/// The fields every repo type has are in [`RepoInfoCommon`], reached through `Deref`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DatasetInfo {
    /// The fields every repo type has.
    #[serde(flatten)]
    pub common: RepoInfoCommon,
    /// Downloads over the last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    /// Downloads since creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads_all_time: Option<u64>,
    /// Papers with Code id.
    #[serde(
        rename = "paperswithcode_id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub paperswithcode_id: Option<String>,
    /// Citation (BibTeX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Keys not modelled above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
common_part!(DatasetInfo);

/// Information about a Space (`GET /api/spaces/{repo_id}` and `/api/spaces` items).
///
/// The fields every repo type has are in [`RepoInfoCommon`], reached through `Deref`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceInfo {
    /// The fields every repo type has.
    #[serde(flatten)]
    pub common: RepoInfoCommon,
    /// Host URL of the running app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Subdomain of the running app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// SDK: `gradio`, `streamlit`, `docker`, `static`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    /// Runtime state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<SpaceRuntime>,
    /// Models used by the Space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<String>>,
    /// Datasets used by the Space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasets: Option<Vec<String>>,
    /// Keys not modelled above, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
common_part!(SpaceInfo);

/// The info of a repo of any type (`repo_info`).
///
/// The wire objects do not say their type, so read one with
/// [`RepoInfo::from_slice`] given the type that was asked for. Serialised as the
/// inner object plus a `"repoType"` key (`model`, `dataset`, `space`), which is
/// also what [`Deserialize`] expects, so printed JSON reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "repoType", rename_all = "lowercase")]
pub enum RepoInfo {
    /// A model.
    Model(ModelInfo),
    /// A dataset.
    Dataset(DatasetInfo),
    /// A Space.
    Space(SpaceInfo),
}

impl RepoInfo {
    /// Reads a Hub answer as the info of a repo of type `repo_type`.
    pub fn from_slice(repo_type: RepoType, bytes: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(match repo_type {
            RepoType::Model => RepoInfo::Model(serde_json::from_slice(bytes)?),
            RepoType::Dataset => RepoInfo::Dataset(serde_json::from_slice(bytes)?),
            RepoType::Space => RepoInfo::Space(serde_json::from_slice(bytes)?),
        })
    }

    /// The repo's type.
    pub fn repo_type(&self) -> RepoType {
        match self {
            RepoInfo::Model(_) => RepoType::Model,
            RepoInfo::Dataset(_) => RepoType::Dataset,
            RepoInfo::Space(_) => RepoType::Space,
        }
    }

    /// The fields every repo type has.
    pub fn common(&self) -> &RepoInfoCommon {
        match self {
            RepoInfo::Model(i) => &i.common,
            RepoInfo::Dataset(i) => &i.common,
            RepoInfo::Space(i) => &i.common,
        }
    }

    /// The repo id as sent.
    pub fn id(&self) -> &str {
        &self.common().id
    }

    /// The repo id, parsed.
    pub fn repo_id(&self) -> Result<RepoId, InvalidRepoId> {
        self.common().repo_id()
    }

    /// Commit id of the requested revision.
    pub fn sha(&self) -> Option<&str> {
        self.common().sha.as_deref()
    }

    /// Files of the repo, when listed.
    pub fn siblings(&self) -> Option<&[RepoSibling]> {
        self.common().siblings.as_deref()
    }

    /// Private repo.
    pub fn private(&self) -> Option<bool> {
        self.common().private
    }

    /// Gating mode.
    pub fn gated(&self) -> Option<&Gated> {
        self.common().gated.as_ref()
    }

    /// Date of the last commit.
    pub fn last_modified(&self) -> Option<OffsetDateTime> {
        self.common().last_modified
    }

    /// Card metadata.
    pub fn card_data(&self) -> Option<&CardData> {
        self.common().card_data.as_ref()
    }
}

impl From<ModelInfo> for RepoInfo {
    fn from(value: ModelInfo) -> Self {
        RepoInfo::Model(value)
    }
}

impl From<DatasetInfo> for RepoInfo {
    fn from(value: DatasetInfo) -> Self {
        RepoInfo::Dataset(value)
    }
}

impl From<SpaceInfo> for RepoInfo {
    fn from(value: SpaceInfo) -> Self {
        RepoInfo::Space(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gated_values() {
        let read = |s: &str| serde_json::from_str::<Gated>(s).unwrap();
        assert_eq!(read("false"), Gated::Off);
        assert_eq!(read(r#""auto""#), Gated::Auto);
        assert_eq!(read(r#""manual""#), Gated::Manual);
        assert_eq!(read("true"), Gated::Other("true".into()));
        assert_eq!(read(r#""invite""#), Gated::Other("invite".into()));
        assert!(!Gated::Off.is_gated() && Gated::Auto.is_gated());
        assert!(serde_json::from_str::<Gated>("1").is_err());
        for (value, wire) in [(Gated::Off, "false"), (Gated::Manual, r#""manual""#)] {
            assert_eq!(serde_json::to_string(&value).unwrap(), wire);
        }
    }

    #[test]
    fn provider_mapping_null_reads_as_none() {
        let info: ModelInfo =
            serde_json::from_str(r#"{"id": "a/b", "inferenceProviderMapping": null}"#).unwrap();
        assert_eq!(info.inference_provider_mapping, None);
        let info: ModelInfo =
            serde_json::from_str(r#"{"id": "a/b", "inferenceProviderMapping": {}}"#).unwrap();
        assert_eq!(info.inference_provider_mapping, Some(Vec::new()));
        assert!(
            serde_json::from_str::<ModelInfo>(r#"{"id": "a/b", "inferenceProviderMapping": 3}"#)
                .is_err()
        );
    }
}
