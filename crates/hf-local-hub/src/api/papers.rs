//! Papers (protocol §9.7): `GET /api/papers/search?q=` (substring of title or summary,
//! case-insensitive) and `GET /api/papers/{id}`. Papers are seeded (`--papers FILE`, the
//! seeding API); the API only reads them.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use http::{StatusCode, Uri};
use serde_json::{Value, json};

use super::error::{HubError, HubResult};
use super::{AppState, QueryPairs};
use crate::storage::documents::Table;

/// Longest search query accepted.
const MAX_QUERY: usize = 256;
/// Most hits answered by a search.
const MAX_HITS: usize = 100;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/papers/search", get(search))
        .route("/api/papers/{id}", get(paper))
}

/// A search hit as the Hub shapes it: the paper under `paper`, daily-papers fields on top.
fn hit(paper: &Value) -> Value {
    json!({
        "paper": paper,
        "title": paper["title"],
        "publishedAt": paper.get("submittedOnDailyAt").unwrap_or(&paper["publishedAt"]),
        "numComments": paper.get("numComments").cloned().unwrap_or(json!(0)),
        "submittedBy": paper.get("submittedOnDailyBy").cloned().unwrap_or(Value::Null),
    })
}

async fn search(State(state): State<AppState>, uri: Uri) -> HubResult<Json<Value>> {
    let q = QueryPairs::parse(uri.query());
    let query = q.get("q").unwrap_or("").to_lowercase();
    if query.len() > MAX_QUERY {
        return Err(HubError::bad_request("query too long"));
    }
    let papers = state.store.doc_list(Table::Papers, None).await?;
    let hits: Vec<Value> = papers
        .iter()
        .map(|(_, p)| p)
        .filter(|p| {
            query.is_empty()
                || ["title", "summary"].iter().any(|k| {
                    p[*k]
                        .as_str()
                        .is_some_and(|t| t.to_lowercase().contains(&query))
                })
        })
        .take(MAX_HITS)
        .map(hit)
        .collect();
    Ok(Json(Value::Array(hits)))
}

async fn paper(State(state): State<AppState>, Path(id): Path<String>) -> HubResult<Json<Value>> {
    if id.is_empty() || id.len() > 64 {
        return Err(HubError::bad_request("invalid paper id"));
    }
    match state.store.doc_get(Table::Papers, id.clone()).await? {
        Some((_, paper)) => Ok(Json(paper)),
        None => Err(HubError::new(
            StatusCode::NOT_FOUND,
            format!("Paper {id} not found"),
        )),
    }
}
