//! Repo card metadata (`cardData`: the README's YAML front matter, as JSON).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The metadata block of a model, dataset or Space card.
///
/// An open map, since cards hold whatever their authors write; typed accessors
/// read the common keys and tolerate the shapes found in the wild (a string where
/// a list is expected and vice versa).
///
/// ```
/// use hf_types::CardData;
///
/// let card: CardData = serde_json::from_str(r#"{"license": "mit", "language": "en", "tags": ["a", "b"]}"#)?;
/// assert_eq!(card.license(), Some("mit"));
/// assert_eq!(card.languages(), vec!["en"]);
/// assert_eq!(card.tags(), vec!["a", "b"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardData(Map<String, Value>);

impl CardData {
    /// An empty card.
    pub fn new() -> Self {
        Self::default()
    }

    /// The raw value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Sets `key`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.0.insert(key.into(), value)
    }

    /// The whole map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The whole map, owned.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// True when the card has no metadata.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A string value (`None` if absent or not a string).
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// A value that may be one string or a list of strings; non-strings are skipped.
    pub fn get_str_list(&self, key: &str) -> Vec<&str> {
        match self.0.get(key) {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// `license`, e.g. `mit`, `apache-2.0`, `other`.
    pub fn license(&self) -> Option<&str> {
        self.get_str("license")
    }

    /// `license_name` (for `license: other`).
    pub fn license_name(&self) -> Option<&str> {
        self.get_str("license_name")
    }

    /// `language`: one or more language codes.
    pub fn languages(&self) -> Vec<&str> {
        self.get_str_list("language")
    }

    /// `tags` written by the author (the Hub adds more in the repo's `tags`).
    pub fn tags(&self) -> Vec<&str> {
        self.get_str_list("tags")
    }

    /// `datasets` the model was trained on, or a Space uses.
    pub fn datasets(&self) -> Vec<&str> {
        self.get_str_list("datasets")
    }

    /// `base_model`: one or more parent model ids.
    pub fn base_models(&self) -> Vec<&str> {
        self.get_str_list("base_model")
    }

    /// `library_name`, e.g. `transformers`.
    pub fn library_name(&self) -> Option<&str> {
        self.get_str("library_name")
    }

    /// `pipeline_tag`, e.g. `text-generation`.
    pub fn pipeline_tag(&self) -> Option<&str> {
        self.get_str("pipeline_tag")
    }

    /// `pretty_name` (datasets).
    pub fn pretty_name(&self) -> Option<&str> {
        self.get_str("pretty_name")
    }

    /// `sdk` (Spaces): `gradio`, `streamlit`, `docker`, `static`.
    pub fn sdk(&self) -> Option<&str> {
        self.get_str("sdk")
    }

    /// `model-index` (evaluation results), raw.
    pub fn model_index(&self) -> Option<&Value> {
        self.get("model-index")
    }
}

impl From<Map<String, Value>> for CardData {
    fn from(value: Map<String, Value>) -> Self {
        CardData(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_tolerate_shapes() {
        let card: CardData = serde_json::from_str(
            r#"{"license": "other", "license_name": "custom", "language": ["en", "fr", 3],
                "tags": "single", "base_model": "meta/llama", "datasets": null,
                "library_name": "peft", "pipeline_tag": "text-generation",
                "model-index": [{"name": "m"}], "co2_eq_emissions": {"emissions": 1.5}}"#,
        )
        .unwrap();
        assert_eq!(card.license(), Some("other"));
        assert_eq!(card.license_name(), Some("custom"));
        assert_eq!(card.languages(), vec!["en", "fr"]);
        assert_eq!(card.tags(), vec!["single"]);
        assert_eq!(card.base_models(), vec!["meta/llama"]);
        assert!(card.datasets().is_empty());
        assert_eq!(card.library_name(), Some("peft"));
        assert_eq!(card.pipeline_tag(), Some("text-generation"));
        assert_eq!(card.model_index().unwrap()[0]["name"], "m");
        assert_eq!(card.get("co2_eq_emissions").unwrap()["emissions"], 1.5);
        assert_eq!(card.pretty_name(), None);
        assert_eq!(card.sdk(), None);
    }

    #[test]
    fn license_of_wrong_type_is_none_and_round_trip_is_exact() {
        let json = r#"{"license":["mit"],"x":{"y":[1,2]}}"#;
        let card: CardData = serde_json::from_str(json).unwrap();
        assert_eq!(card.license(), None);
        assert_eq!(serde_json::to_string(&card).unwrap(), json);
        let mut card = CardData::new();
        assert!(card.is_empty());
        card.insert("license", "mit".into());
        assert_eq!(card.as_map().len(), 1);
        assert_eq!(card.into_map()["license"], "mit");
    }
}
