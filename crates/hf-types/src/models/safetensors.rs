//! Safetensors metadata: headers, parameter counts (protocol §3.9) and the
//! `safetensors` summary of model info.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::open_enum::open_enum;

/// Largest header the client accepts, in bytes (the Python client's limit).
pub const SAFETENSORS_MAX_HEADER_LENGTH: u64 = 25_000_000;

/// The wire key of the optional string map in a safetensors header.
const METADATA_KEY: &str = "__metadata__";

open_enum! {
    /// Element type of a tensor. Unknown types are kept as [`DType::Other`].
    pub enum DType {
        /// 64-bit float.
        F64 => "F64",
        /// 32-bit float.
        F32 => "F32",
        /// 16-bit float.
        F16 => "F16",
        /// bfloat16.
        BF16 => "BF16",
        /// 8-bit float, e4m3.
        F8E4M3 => "F8_E4M3",
        /// 8-bit float, e5m2.
        F8E5M2 => "F8_E5M2",
        /// 64-bit signed integer.
        I64 => "I64",
        /// 32-bit signed integer.
        I32 => "I32",
        /// 16-bit signed integer.
        I16 => "I16",
        /// 8-bit signed integer.
        I8 => "I8",
        /// 64-bit unsigned integer.
        U64 => "U64",
        /// 32-bit unsigned integer.
        U32 => "U32",
        /// 16-bit unsigned integer.
        U16 => "U16",
        /// 8-bit unsigned integer.
        U8 => "U8",
        /// Boolean.
        Bool => "BOOL",
    }
}

/// Why a safetensors header cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SafetensorsParseError {
    /// Fewer than 8 bytes where the header length should be.
    #[error("safetensors file is too short: {0} bytes, need at least 8 for the header length")]
    TooShort(usize),
    /// The declared header length exceeds [`SAFETENSORS_MAX_HEADER_LENGTH`].
    #[error("safetensors header is too big: {0} bytes (maximum {SAFETENSORS_MAX_HEADER_LENGTH})")]
    HeaderTooBig(u64),
    /// The header is not the expected JSON.
    #[error("invalid safetensors header JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Reads the header length from the first 8 bytes of a safetensors file
/// (little-endian `u64`), refusing lengths above [`SAFETENSORS_MAX_HEADER_LENGTH`].
pub fn safetensors_header_length(prefix: &[u8]) -> Result<u64, SafetensorsParseError> {
    let bytes: [u8; 8] = prefix
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or(SafetensorsParseError::TooShort(prefix.len()))?;
    let length = u64::from_le_bytes(bytes);
    if length > SAFETENSORS_MAX_HEADER_LENGTH {
        return Err(SafetensorsParseError::HeaderTooBig(length));
    }
    Ok(length)
}

/// One tensor of a safetensors header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TensorInfo {
    /// Element type.
    pub dtype: DType,
    /// Shape; empty for a scalar.
    pub shape: Vec<u64>,
    /// `[begin, end)` byte offsets of the data, relative to the end of the header.
    pub data_offsets: (u64, u64),
}

impl TensorInfo {
    /// Number of parameters: the product of the shape (1 for a scalar).
    ///
    /// Saturates at `u64::MAX` rather than overflowing on a hostile header.
    pub fn parameter_count(&self) -> u64 {
        self.shape
            .iter()
            .fold(1u64, |acc, &d| acc.saturating_mul(d))
    }
}

/// Adds `from`'s counts into `into`, by dtype.
fn add_counts(into: &mut BTreeMap<DType, u64>, dtype: &DType, count: u64) {
    let slot = into.entry(dtype.clone()).or_insert(0);
    *slot = slot.saturating_add(count);
}

/// The parsed header of one safetensors file.
///
/// On the wire each tensor is a top-level key next to the optional
/// `__metadata__` string map; serialisation writes the same shape.
///
/// ```
/// use hf_types::{DType, SafetensorsFileMetadata};
///
/// let header = br#"{"__metadata__": {"format": "pt"},
///   "wte": {"dtype": "F32", "shape": [50257, 768], "data_offsets": [0, 154389504]},
///   "ln.bias": {"dtype": "F16", "shape": [768], "data_offsets": [154389504, 154391040]}}"#;
/// let meta = SafetensorsFileMetadata::from_header_json(header)?;
/// assert_eq!(meta.metadata["format"], "pt");
/// assert_eq!(meta.parameter_count()[&DType::F32], 50257 * 768);
/// assert_eq!(meta.total_parameters(), 50257 * 768 + 768);
/// # Ok::<(), hf_types::SafetensorsParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SafetensorsFileMetadata {
    /// Free-form metadata (`__metadata__`); empty when absent.
    pub metadata: BTreeMap<String, String>,
    /// Tensors by name.
    pub tensors: BTreeMap<String, TensorInfo>,
}

impl SafetensorsFileMetadata {
    /// Parses header bytes (what follows the 8-byte length). Invalid UTF-8 is
    /// replaced rather than refused, as the Python client ignores it.
    pub fn from_header_json(bytes: &[u8]) -> Result<Self, SafetensorsParseError> {
        let text = String::from_utf8_lossy(bytes);
        Ok(serde_json::from_str(&text)?)
    }

    /// Parameters per dtype, summed over the tensors.
    pub fn parameter_count(&self) -> BTreeMap<DType, u64> {
        let mut counts = BTreeMap::new();
        for tensor in self.tensors.values() {
            add_counts(&mut counts, &tensor.dtype, tensor.parameter_count());
        }
        counts
    }

    /// All parameters of the file.
    pub fn total_parameters(&self) -> u64 {
        self.tensors
            .values()
            .fold(0u64, |acc, t| acc.saturating_add(t.parameter_count()))
    }
}

impl Serialize for SafetensorsFileMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let has_metadata = !self.metadata.is_empty();
        let mut map =
            serializer.serialize_map(Some(self.tensors.len() + usize::from(has_metadata)))?;
        if has_metadata {
            map.serialize_entry(METADATA_KEY, &self.metadata)?;
        }
        for (name, tensor) in &self.tensors {
            map.serialize_entry(name, tensor)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SafetensorsFileMetadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeaderVisitor;

        impl<'de> Visitor<'de> for HeaderVisitor {
            type Value = SafetensorsFileMetadata;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a safetensors header object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut out = SafetensorsFileMetadata::default();
                while let Some(key) = access.next_key::<String>()? {
                    if key == METADATA_KEY {
                        out.metadata = access
                            .next_value::<Option<BTreeMap<String, String>>>()?
                            .unwrap_or_default();
                    } else {
                        let tensor = access.next_value::<TensorInfo>().map_err(|e| {
                            serde::de::Error::custom(format!("tensor {key:?}: {e}"))
                        })?;
                        out.tensors.insert(key, tensor);
                    }
                }
                Ok(out)
            }
        }

        deserializer.deserialize_map(HeaderVisitor)
    }
}

/// The content of `model.safetensors.index.json` in a sharded repo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SafetensorsIndex {
    /// Free-form metadata (e.g. `total_size`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Tensor name to the file holding it.
    pub weight_map: BTreeMap<String, String>,
}

impl SafetensorsIndex {
    /// The distinct shard files, sorted.
    pub fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self.weight_map.values().map(String::as_str).collect();
        files.sort_unstable();
        files.dedup();
        files
    }
}

/// Safetensors metadata of a whole repo (`get_safetensors_metadata`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SafetensorsRepoMetadata {
    /// The index's `metadata` (sharded repos only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// True when the weights come from an index and several files.
    pub sharded: bool,
    /// Tensor name to file name.
    pub weight_map: BTreeMap<String, String>,
    /// Each file's header, by file name.
    pub files_metadata: BTreeMap<String, SafetensorsFileMetadata>,
}

impl SafetensorsRepoMetadata {
    /// Metadata of a repo with a single `model.safetensors`.
    pub fn single(filename: &str, file: SafetensorsFileMetadata) -> Self {
        let weight_map = file
            .tensors
            .keys()
            .map(|name| (name.clone(), filename.to_owned()))
            .collect();
        SafetensorsRepoMetadata {
            metadata: None,
            sharded: false,
            weight_map,
            files_metadata: BTreeMap::from([(filename.to_owned(), file)]),
        }
    }

    /// Metadata of a sharded repo from its index and each shard's header.
    pub fn sharded(
        index: SafetensorsIndex,
        files_metadata: BTreeMap<String, SafetensorsFileMetadata>,
    ) -> Self {
        SafetensorsRepoMetadata {
            metadata: index.metadata,
            sharded: true,
            weight_map: index.weight_map,
            files_metadata,
        }
    }

    /// Parameters per dtype, summed over all files.
    pub fn parameter_count(&self) -> BTreeMap<DType, u64> {
        let mut counts = BTreeMap::new();
        for file in self.files_metadata.values() {
            for (dtype, count) in file.parameter_count() {
                add_counts(&mut counts, &dtype, count);
            }
        }
        counts
    }

    /// All parameters of the repo.
    pub fn total_parameters(&self) -> u64 {
        self.files_metadata
            .values()
            .fold(0u64, |acc, f| acc.saturating_add(f.total_parameters()))
    }
}

/// The `safetensors` summary in model info: parameters per dtype and their total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SafetensorsInfo {
    /// Parameters per dtype.
    pub parameters: BTreeMap<DType, u64>,
    /// Total parameters.
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{
      "__metadata__": {"format": "pt"},
      "transformer.wte.weight": {"dtype": "F32", "shape": [50257, 768], "data_offsets": [0, 154389504]},
      "transformer.h.0.ln_1.bias": {"dtype": "F32", "shape": [768], "data_offsets": [154389504, 154392576]},
      "lm_head.scale": {"dtype": "BF16", "shape": [], "data_offsets": [154392576, 154392578]},
      "mask": {"dtype": "BOOL", "shape": [4, 0], "data_offsets": [154392578, 154392578]},
      "q": {"dtype": "F8_E4M3", "shape": [2, 3], "data_offsets": [154392578, 154392584]},
      "odd": {"dtype": "F4", "shape": [8], "data_offsets": [154392584, 154392588]}
    }"#;

    #[test]
    fn header_and_counts() {
        let meta = SafetensorsFileMetadata::from_header_json(HEADER.as_bytes()).unwrap();
        assert_eq!(meta.metadata.get("format").map(String::as_str), Some("pt"));
        assert_eq!(meta.tensors.len(), 6);
        let wte = &meta.tensors["transformer.wte.weight"];
        assert_eq!(wte.dtype, DType::F32);
        assert_eq!(wte.data_offsets, (0, 154_389_504));
        assert_eq!(meta.tensors["lm_head.scale"].parameter_count(), 1);
        assert_eq!(meta.tensors["mask"].parameter_count(), 0);
        let counts = meta.parameter_count();
        assert_eq!(counts[&DType::F32], 50257 * 768 + 768);
        assert_eq!(counts[&DType::BF16], 1);
        assert_eq!(counts[&DType::Bool], 0);
        assert_eq!(counts[&DType::F8E4M3], 6);
        assert_eq!(counts[&DType::Other("F4".into())], 8);
        assert_eq!(meta.total_parameters(), 50257 * 768 + 768 + 1 + 6 + 8);
    }

    #[test]
    fn header_round_trip_and_no_metadata() {
        let meta = SafetensorsFileMetadata::from_header_json(HEADER.as_bytes()).unwrap();
        let json = serde_json::to_value(&meta).unwrap();
        assert_eq!(json["__metadata__"]["format"], "pt");
        assert_eq!(json["odd"]["dtype"], "F4");
        assert_eq!(
            serde_json::from_value::<SafetensorsFileMetadata>(json).unwrap(),
            meta
        );

        let bare = SafetensorsFileMetadata::from_header_json(
            br#"{"w": {"dtype": "I64", "shape": [3], "data_offsets": [0, 24]}}"#,
        )
        .unwrap();
        assert!(bare.metadata.is_empty());
        assert!(
            serde_json::to_value(&bare)
                .unwrap()
                .get("__metadata__")
                .is_none()
        );
    }

    #[test]
    fn invalid_headers() {
        let err = SafetensorsFileMetadata::from_header_json(
            br#"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("tensor \"w\""), "{err}");
        assert!(err.to_string().contains("shape"), "{err}");
        assert!(SafetensorsFileMetadata::from_header_json(b"[1]").is_err());
        // Invalid UTF-8 inside a string is tolerated.
        let lossy =
            SafetensorsFileMetadata::from_header_json(b"{\"__metadata__\": {\"k\": \"a\xffb\"}}")
                .unwrap();
        assert!(lossy.metadata["k"].starts_with('a'));
    }

    #[test]
    fn header_length() {
        let mut prefix = 1234u64.to_le_bytes().to_vec();
        prefix.extend_from_slice(b"{}");
        assert_eq!(safetensors_header_length(&prefix).unwrap(), 1234);
        assert!(matches!(
            safetensors_header_length(&[1, 2, 3]),
            Err(SafetensorsParseError::TooShort(3))
        ));
        let big = (SAFETENSORS_MAX_HEADER_LENGTH + 1).to_le_bytes();
        let err = safetensors_header_length(&big).unwrap_err();
        assert!(err.to_string().contains("too big"), "{err}");
        assert!(safetensors_header_length(&SAFETENSORS_MAX_HEADER_LENGTH.to_le_bytes()).is_ok());
    }

    #[test]
    fn repo_metadata_sums_files() {
        let index: SafetensorsIndex = serde_json::from_str(
            r#"{"metadata": {"total_size": 40}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                "b": "model-00002-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}"#,
        )
        .unwrap();
        assert_eq!(
            index.files(),
            vec![
                "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors"
            ]
        );
        let one = SafetensorsFileMetadata::from_header_json(
            br#"{"a": {"dtype": "F16", "shape": [2, 5], "data_offsets": [0, 20]}}"#,
        )
        .unwrap();
        let two = SafetensorsFileMetadata::from_header_json(
            br#"{"b": {"dtype": "F16", "shape": [5], "data_offsets": [0, 10]},
                 "c": {"dtype": "I8", "shape": [10], "data_offsets": [10, 20]}}"#,
        )
        .unwrap();
        let repo = SafetensorsRepoMetadata::sharded(
            index,
            BTreeMap::from([
                ("model-00001-of-00002.safetensors".to_owned(), one.clone()),
                ("model-00002-of-00002.safetensors".to_owned(), two),
            ]),
        );
        assert!(repo.sharded);
        assert_eq!(repo.metadata.as_ref().unwrap()["total_size"], 40);
        let counts = repo.parameter_count();
        assert_eq!(counts[&DType::F16], 15);
        assert_eq!(counts[&DType::I8], 10);
        assert_eq!(repo.total_parameters(), 25);

        let single = SafetensorsRepoMetadata::single("model.safetensors", one);
        assert!(!single.sharded);
        assert_eq!(single.weight_map["a"], "model.safetensors");
        assert_eq!(single.total_parameters(), 10);
        let json = serde_json::to_string(&single).unwrap();
        assert_eq!(
            serde_json::from_str::<SafetensorsRepoMetadata>(&json).unwrap(),
            single
        );
    }

    #[test]
    fn model_info_summary() {
        let info: SafetensorsInfo = serde_json::from_str(
            r#"{"parameters": {"F32": 137022720, "I64": 1024}, "total": 137023744}"#,
        )
        .unwrap();
        assert_eq!(info.parameters[&DType::F32], 137_022_720);
        assert_eq!(info.parameters[&DType::I64], 1024);
        assert_eq!(info.total, 137_023_744);
        let back = serde_json::to_value(&info).unwrap();
        assert_eq!(back["parameters"]["F32"], 137_022_720);
    }
}
