//! Papers (protocol §9.7): the Python client's `list_papers` and `paper_info`.

use hf_http::{HubClient, Method, impl_into_future};
use hf_types::routes::Route;
use hf_types::{User, timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::{Error, Result};

/// A paper on the Hub, read from either shape the Hub sends: a paper object
/// (`GET /api/papers/{id}`) or a search hit (the paper under `paper`, the daily-papers fields
/// on top), mapped as the Python client's `PaperInfo` does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaperInfo {
    /// The arXiv id (`2407.21783`).
    pub id: String,
    /// Author names.
    pub authors: Option<Vec<String>>,
    /// When the paper was published.
    #[serde(with = "timestamp::option")]
    pub published_at: Option<OffsetDateTime>,
    /// Title.
    pub title: Option<String>,
    /// Abstract.
    pub summary: Option<String>,
    /// Upvotes on the Hub.
    pub upvotes: Option<u64>,
    /// The paper's discussion on the Hub.
    pub discussion_id: Option<String>,
    /// Where the paper comes from (`source`).
    pub source: Option<String>,
    /// Comments on the Hub (0 when not sent).
    pub comments: u64,
    /// When it appeared in Daily Papers.
    #[serde(with = "timestamp::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// Who submitted it to Daily Papers.
    pub submitted_by: Option<User>,
}

fn take(obj: &mut serde_json::Map<String, Value>, key: &str) -> Option<Value> {
    obj.remove(key).filter(|v| !v.is_null())
}

fn date(v: Option<Value>) -> std::result::Result<Option<OffsetDateTime>, String> {
    match v {
        Some(Value::String(s)) => timestamp::parse(&s).map(Some).map_err(|e| e.to_string()),
        Some(other) => Err(format!("expected a date, got {other}")),
        None => Ok(None),
    }
}

impl<'de> Deserialize<'de> for PaperInfo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let Value::Object(mut top) = Value::deserialize(d)? else {
            return Err(D::Error::custom("a paper must be a JSON object"));
        };
        let mut paper = match take(&mut top, "paper") {
            Some(Value::Object(p)) => p,
            _ => serde_json::Map::new(),
        };
        // Each field from the nested paper first, then the top level (the Python mapping).
        let mut pick = |key: &str| take(&mut paper, key).or_else(|| take(&mut top, key));
        let id = match pick("id") {
            Some(Value::String(id)) => id,
            _ => return Err(D::Error::custom("a paper needs an \"id\"")),
        };
        let authors = pick("authors").and_then(|a| {
            a.as_array().map(|list| {
                list.iter()
                    .filter_map(|a| a.get("name").and_then(Value::as_str).or(a.as_str()))
                    .map(str::to_owned)
                    .collect()
            })
        });
        let published_at = date(pick("publishedAt")).map_err(D::Error::custom)?;
        let summary = pick("summary").and_then(|v| v.as_str().map(str::to_owned));
        let upvotes = pick("upvotes").and_then(|v| v.as_u64());
        let discussion_id = pick("discussionId").and_then(|v| v.as_str().map(str::to_owned));
        let title = take(&mut top, "title").and_then(|v| v.as_str().map(str::to_owned));
        let source = take(&mut top, "source").and_then(|v| v.as_str().map(str::to_owned));
        let comments = take(&mut top, "numComments")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let submitted_at =
            date(take(&mut top, "publishedAt").or_else(|| take(&mut top, "submittedOnDailyAt")))
                .map_err(D::Error::custom)?;
        let submitted_by = take(&mut top, "submittedBy")
            .or_else(|| take(&mut top, "submittedOnDailyBy"))
            .map(serde_json::from_value::<User>)
            .transpose()
            .map_err(D::Error::custom)?;
        Ok(PaperInfo {
            id,
            authors,
            published_at,
            title,
            summary,
            upvotes,
            discussion_id,
            source,
            comments,
            submitted_at,
            submitted_by,
        })
    }
}

/// Searches papers: the Python client's `list_papers` (`GET /api/papers/search?q=`, not
/// paginated). Without a query the Hub answers its own selection.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::papers::ListPapers;
/// for paper in ListPapers::new(client).query("llama").await? {
///     println!("{} {:?}", paper.id, paper.title);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ListPapers {
    client: HubClient,
    query: String,
}

impl ListPapers {
    /// Every paper the Hub lists without a query.
    pub fn new(client: HubClient) -> Self {
        ListPapers {
            client,
            query: String::new(),
        }
    }

    /// Only papers matching `query` (title and abstract).
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    async fn send(self) -> Result<Vec<PaperInfo>> {
        let route = Route::papers_search(&self.query);
        self.client.route(Method::GET, &route).await?.json().await
    }
}
impl_into_future!(ListPapers => Vec<PaperInfo>, send);

/// One paper: the Python client's `paper_info` (`GET /api/papers/{id}`, sent without a token
/// as the Python client does). An unknown id is a 404 error.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::papers::GetPaperInfo;
/// let paper = GetPaperInfo::new(client, "2407.21783").await?;
/// println!("{:?}", paper.title);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetPaperInfo {
    client: HubClient,
    id: String,
}

impl GetPaperInfo {
    /// Asks about the paper `id` (an arXiv id).
    pub fn new(client: HubClient, id: impl Into<String>) -> Self {
        GetPaperInfo {
            client,
            id: id.into(),
        }
    }

    async fn send(self) -> Result<PaperInfo> {
        if self.id.is_empty() || self.id.len() > 64 || self.id.contains('/') {
            return Err(Error::InvalidArgument(format!(
                "{:?} is not a paper id",
                self.id
            )));
        }
        let route = Route::paper(&self.id);
        self.client
            .route(Method::GET, &route)
            .no_auth()
            .await?
            .json()
            .await
    }
}
impl_into_future!(GetPaperInfo => PaperInfo, send);
