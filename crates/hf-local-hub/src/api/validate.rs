//! `POST /api/validate-yaml` (issue 15): checks a card's YAML metadata as the Hub does, for the two
//! callers the Python client has:
//! - `create_commit` with a README.md sends JSON (`{"content", "repoType"}`) and reads the answer as JSON
//!   before its status: 200 `{"errors": [], "warnings": [...]}` or 400 `{"errors": [{"message"}], ...}`;
//! - `RepoCard.validate()` sends a form (`repoType=...&content=...`) with `Accept: text/plain` and raises
//!   `ValueError(response.text)` on a 400: the answer is then the messages as text, one per line.
//!
//! Besides the YAML syntax ([`super::upload::check_front_matter`]) the metadata must follow the schema of
//! the repo type, for the keys this hub knows ([`schema_errors`]); a card without metadata is valid but
//! warned about.

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::card::front_matter;
use super::upload::check_front_matter;

/// Largest card accepted (the route's body limit is the API's; a card is far smaller).
const MAX_CARD: usize = 1024 * 1024;

/// `POST /api/validate-yaml`.
pub(crate) async fn validate_yaml(headers: HeaderMap, body: Bytes) -> Response {
    let text_answer = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/plain") && !a.contains("application/json"));
    let (errors, warnings) = match parse_request(&headers, &body) {
        Ok((content, repo_type)) => validate(&content, &repo_type),
        Err(message) => (vec![message], Vec::new()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    if text_answer {
        let lines = if errors.is_empty() {
            &warnings
        } else {
            &errors
        };
        let mut resp = (status, lines.join("\n")).into_response();
        if let Some(first) = errors.first() {
            // An error answer carries X-Error-Message like the Hub's (and stays text, not rewritten
            // as JSON by the error middleware).
            let cleaned: String = first
                .chars()
                .take(200)
                .map(|c| {
                    if c.is_ascii() && !c.is_ascii_control() {
                        c
                    } else {
                        ' '
                    }
                })
                .collect();
            if let Ok(value) = http::HeaderValue::from_str(&cleaned) {
                resp.headers_mut().insert("x-error-message", value);
            }
        }
        return resp;
    }
    let list =
        |v: Vec<String>| -> Vec<Value> { v.into_iter().map(|m| json!({"message": m})).collect() };
    (
        status,
        axum::Json(json!({"errors": list(errors), "warnings": list(warnings)})),
    )
        .into_response()
}

/// The card's text and repo type from a JSON or form-encoded body.
fn parse_request(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), String> {
    if body.len() > MAX_CARD {
        return Err(format!("the card is larger than {MAX_CARD} bytes"));
    }
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let (content, repo_type) = if form {
        let mut content = None;
        let mut repo_type = None;
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "content" => content = Some(v.into_owned()),
                "repoType" => repo_type = Some(v.into_owned()),
                _ => {}
            }
        }
        (content, repo_type)
    } else {
        let v: Value = serde_json::from_slice(body).map_err(|_| {
            "invalid request: expected a JSON or form body with `content`".to_owned()
        })?;
        (
            v.get("content").and_then(Value::as_str).map(str::to_owned),
            v.get("repoType").and_then(Value::as_str).map(str::to_owned),
        )
    };
    let content = content.ok_or_else(|| "invalid request: missing `content`".to_owned())?;
    let repo_type = repo_type.unwrap_or_else(|| "model".to_owned());
    if !matches!(repo_type.as_str(), "model" | "dataset" | "space") {
        let shown: String = repo_type.chars().take(40).collect();
        return Err(format!(
            "invalid repoType {shown:?}: expected model, dataset or space"
        ));
    }
    Ok((content, repo_type))
}

/// Errors and warnings of a card of `repo_type`.
fn validate(content: &str, repo_type: &str) -> (Vec<String>, Vec<String>) {
    let syntax = check_front_matter(content);
    if !syntax.is_empty() {
        return (syntax, Vec::new());
    }
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    match front_matter(content) {
        Some(card) => (schema_errors(&card, repo_type), Vec::new()),
        None => {
            let page = match repo_type {
                "dataset" => "datasets-cards",
                "space" => "spaces-config-reference",
                _ => "model-cards#model-card-metadata",
            };
            (
                Vec::new(),
                vec![format!(
                    "Empty or missing yaml metadata in repo card (https://huggingface.co/docs/hub/{page})"
                )],
            )
        }
    }
}

fn is_string_or_strings(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Array(items) => items.iter().all(Value::is_string),
        _ => false,
    }
}

/// Schema errors of card metadata (a JSON object): the type of each known key. `null` values are
/// accepted everywhere (an empty key).
pub(crate) fn schema_errors(card: &Value, repo_type: &str) -> Vec<String> {
    let Some(map) = card.as_object() else {
        return vec!["metadata must be a YAML mapping".to_owned()];
    };
    let mut errors = Vec::new();
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        let problem = match (repo_type, key.as_str()) {
            (_, "license" | "tags" | "language") if !is_string_or_strings(value) => {
                Some("must be a string or an array of strings")
            }
            ("model", "datasets" | "base_model" | "metrics" | "license_name" | "license_link")
                if !is_string_or_strings(value) =>
            {
                Some("must be a string or an array of strings")
            }
            ("model", "pipeline_tag" | "library_name" | "thumbnail") if !value.is_string() => {
                Some("must be a string")
            }
            ("model", "model-index") => model_index_problem(value),
            ("model", "inference") if !(value.is_boolean() || value.is_object()) => {
                Some("must be a boolean or an object")
            }
            (
                "dataset",
                "task_categories"
                | "task_ids"
                | "size_categories"
                | "multilinguality"
                | "annotations_creators"
                | "language_creators"
                | "source_datasets",
            ) if !is_string_or_strings(value) => Some("must be a string or an array of strings"),
            ("dataset", "pretty_name") if !value.is_string() => Some("must be a string"),
            ("dataset", "configs") if !value.is_array() => Some("must be an array"),
            ("space", "pinned") if !value.is_boolean() => Some("must be a boolean"),
            ("space", "app_port") if !value.is_u64() => Some("must be a port number"),
            ("space", "emoji" | "app_file") if !value.is_string() => Some("must be a string"),
            ("space", "models" | "datasets") if !is_string_or_strings(value) => {
                Some("must be a string or an array of strings")
            }
            _ => None,
        };
        if let Some(problem) = problem {
            errors.push(format!("\"{key}\" {problem}"));
        }
    }
    errors
}

/// `model-index`: an array of objects, each with a `name` string and a `results` array.
fn model_index_problem(value: &Value) -> Option<&'static str> {
    let Some(items) = value.as_array() else {
        return Some("must be an array");
    };
    let ok = items.iter().all(|item| {
        item.get("name").is_some_and(Value::is_string)
            && item.get("results").is_some_and(Value::is_array)
    });
    (!ok).then_some("items must be objects with a \"name\" string and a \"results\" array")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_by_repo_type() {
        let ok = "---\nlicense: mit\ntags: [a]\nmodel-index:\n  - name: m\n    results: []\n---\n";
        assert_eq!(validate(ok, "model"), (vec![], vec![]));
        let (errors, _) = validate("---\nmodel-index: foo\n---\n", "model");
        assert_eq!(errors, vec!["\"model-index\" must be an array".to_owned()]);
        let (errors, _) = validate("---\nmodel-index:\n  - results: []\n---\n", "model");
        assert_eq!(errors.len(), 1);
        let (errors, _) = validate("---\nsdk: docker\npinned: 3\n---\n", "space");
        assert_eq!(errors, vec!["\"pinned\" must be a boolean".to_owned()]);
        // An unknown SDK is the Space's configuration error at runtime, not a refused card.
        assert_eq!(
            validate("---\nsdk: cobol\n---\n", "space"),
            (vec![], vec![])
        );
        // Keys of another repo type are not checked.
        assert_eq!(validate("---\npinned: 3\n---\n", "model"), (vec![], vec![]));
        let (errors, _) = validate("---\ntask_categories: 3\n---\n", "dataset");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            validate("---\nthumbnail:\n---\n", "model"),
            (vec![], vec![])
        );
    }

    #[test]
    fn missing_metadata_is_a_warning() {
        let (errors, warnings) = validate("# Title\n", "dataset");
        assert!(errors.is_empty());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("Empty or missing yaml metadata in repo card"));
    }

    #[test]
    fn form_and_json_bodies() {
        let mut form = HeaderMap::new();
        form.insert(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let (content, t) = parse_request(&form, b"repoType=dataset&content=%23+hi").unwrap();
        assert_eq!((content.as_str(), t.as_str()), ("# hi", "dataset"));
        let (content, t) = parse_request(&HeaderMap::new(), br#"{"content": "x"}"#).unwrap();
        assert_eq!((content.as_str(), t.as_str()), ("x", "model"));
        assert!(parse_request(&form, b"repoType=model").is_err());
        assert!(parse_request(&form, b"repoType=bucket&content=x").is_err());
        assert!(parse_request(&HeaderMap::new(), b"not json").is_err());
    }
}
