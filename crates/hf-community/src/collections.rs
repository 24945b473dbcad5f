//! Collections (protocol §9.3): the Python client's `list_collections`, `get_collection`,
//! `create_collection`, `update_collection_metadata`, `delete_collection`,
//! `add_collection_item`, `update_collection_item` and `delete_collection_item`.
//!
//! A collection is named by its slug, `namespace/title-slug-<24 hex id>`, as the Hub makes it;
//! the id part is permanent (a slug made before a rename keeps working).

use futures_util::{Stream, StreamExt};
use hf_http::{HubClient, Method, impl_into_future};
use hf_types::routes::Route;
use hf_types::timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::users::listing;
use crate::{Error, Result};

/// What a collection item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CollectionItemType {
    /// A model repo.
    Model,
    /// A dataset repo.
    Dataset,
    /// A Space.
    Space,
    /// A paper (arXiv id).
    Paper,
    /// Another collection.
    Collection,
    /// A kind this client does not know yet.
    #[serde(other)]
    Other,
}

impl CollectionItemType {
    /// The wire name (`model`, `dataset`, `space`, `paper`, `collection`).
    pub fn as_str(self) -> &'static str {
        match self {
            CollectionItemType::Model => "model",
            CollectionItemType::Dataset => "dataset",
            CollectionItemType::Space => "space",
            CollectionItemType::Paper => "paper",
            CollectionItemType::Collection => "collection",
            CollectionItemType::Other => "other",
        }
    }
}

impl std::str::FromStr for CollectionItemType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "model" => Ok(CollectionItemType::Model),
            "dataset" => Ok(CollectionItemType::Dataset),
            "space" => Ok(CollectionItemType::Space),
            "paper" => Ok(CollectionItemType::Paper),
            "collection" => Ok(CollectionItemType::Collection),
            other => Err(Error::InvalidArgument(format!(
                "{other:?} is not a collection item type (model, dataset, space, paper, collection)"
            ))),
        }
    }
}

/// The owner of a collection (an object on the wire; a plain name is accepted too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "OwnerWire")]
#[non_exhaustive]
pub struct CollectionOwner {
    /// User or organization name.
    pub name: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// `user` or `org`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub owner_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OwnerWire {
    Name(String),
    #[serde(rename_all = "camelCase")]
    Object {
        name: String,
        #[serde(default)]
        fullname: Option<String>,
        #[serde(default)]
        avatar_url: Option<String>,
        #[serde(rename = "type", default)]
        owner_type: Option<String>,
    },
}

impl From<OwnerWire> for CollectionOwner {
    fn from(w: OwnerWire) -> Self {
        match w {
            OwnerWire::Name(name) => CollectionOwner {
                name,
                fullname: None,
                avatar_url: None,
                owner_type: None,
            },
            OwnerWire::Object {
                name,
                fullname,
                avatar_url,
                owner_type,
            } => CollectionOwner {
                name,
                fullname,
                avatar_url,
                owner_type,
            },
        }
    }
}

/// One item of a collection (the Python client's `CollectionItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ItemWire")]
#[non_exhaustive]
pub struct CollectionItem {
    /// The item's id in the collection: what [`UpdateCollectionItem`] and
    /// [`DeleteCollectionItem`] take.
    pub item_object_id: String,
    /// The repo id, paper id, or for a collection its slug.
    pub item_id: String,
    /// What the item is.
    pub item_type: CollectionItemType,
    /// 0-based position in the collection.
    pub position: u64,
    /// The note, as plain text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct ItemWire {
    #[serde(rename = "_id")]
    object_id: String,
    id: String,
    #[serde(rename = "type")]
    item_type: CollectionItemType,
    position: u64,
    #[serde(default)]
    note: Option<Value>,
    #[serde(default)]
    slug: Option<String>,
}

impl From<ItemWire> for CollectionItem {
    fn from(w: ItemWire) -> Self {
        CollectionItem {
            item_object_id: w.object_id,
            // Collections are named by their slug, as the Python client reports them.
            item_id: w.slug.unwrap_or(w.id),
            item_type: w.item_type,
            position: w.position,
            note: w.note.and_then(|n| match n {
                Value::String(s) => Some(s),
                other => other.get("text").and_then(Value::as_str).map(str::to_owned),
            }),
        }
    }
}

/// A collection (the Python client's `Collection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Collection {
    /// `namespace/title-slug-<id>`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Owner.
    pub owner: CollectionOwner,
    /// Items, in order (listings show the first four only).
    pub items: Vec<CollectionItem>,
    /// Last change.
    #[serde(with = "timestamp")]
    pub last_updated: OffsetDateTime,
    /// Rank on the owner's page; listings do not send it (the Python client numbers them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// Visible to the owner's namespace only.
    pub private: bool,
    /// Color theme.
    pub theme: String,
    /// Upvotes.
    #[serde(default)]
    pub upvotes: u64,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Collection {
    /// The collection's web page under `endpoint` (`{endpoint}/collections/{slug}`).
    pub fn url(&self, endpoint: &str) -> String {
        format!(
            "{}/collections/{}",
            endpoint.trim_end_matches('/'),
            self.slug
        )
    }
}

/// The caller's name (the default namespace), from `whoami`.
pub(crate) async fn caller_name(client: &HubClient, operation: &'static str) -> Result<String> {
    if !client.token_present() {
        return Err(Error::MissingToken { operation });
    }
    let me: hf_types::WhoAmI = client
        .route(Method::GET, &Route::whoami())
        .await?
        .json()
        .await?;
    Ok(me.name)
}

/// Refuses, before sending, a slug that cannot be one.
fn check_slug(slug: &str) -> Result<()> {
    match slug.split_once('/') {
        Some((ns, rest))
            if !ns.is_empty() && !rest.is_empty() && !rest.contains('/') && slug.len() <= 256 =>
        {
            Ok(())
        }
        _ => Err(Error::InvalidArgument(format!(
            "{slug:?} is not a collection slug (namespace/title-<id>)"
        ))),
    }
}

/// How [`ListCollections`] sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CollectionSort {
    /// Most recently changed first.
    LastModified,
    /// Trending first.
    Trending,
    /// Most upvoted first.
    Upvotes,
}

impl CollectionSort {
    fn as_str(self) -> &'static str {
        match self {
            CollectionSort::LastModified => "lastModified",
            CollectionSort::Trending => "trending",
            CollectionSort::Upvotes => "upvotes",
        }
    }
}

/// Lists collections: the Python client's `list_collections` (`GET /api/collections`). The
/// collections carry their first four items only and no `position`; get one with
/// [`GetCollection`] for all of it.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::{CollectionSort, ListCollections};
/// let found = ListCollections::new(client)
///     .owner("TheBloke")
///     .item("models/teknium/OpenHermes-2.5-Mistral-7B")
///     .sort(CollectionSort::Upvotes)
///     .limit(10)
///     .await?;
/// # let _ = found; Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListCollections {
    client: HubClient,
    owners: Vec<String>,
    items: Vec<String>,
    sort: Option<CollectionSort>,
    limit: Option<usize>,
}

impl ListCollections {
    /// Every collection the caller can see.
    pub fn new(client: HubClient) -> Self {
        ListCollections {
            client,
            owners: Vec::new(),
            items: Vec::new(),
            sort: None,
            limit: None,
        }
    }

    /// Only collections of this user or organization (repeatable: any of them).
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owners.push(owner.into());
        self
    }

    /// Only collections holding this item, written `{type}s/{id}` (`models/gpt2`,
    /// `papers/2311.12983`; repeatable: all of them).
    pub fn item(mut self, item: impl Into<String>) -> Self {
        self.items.push(item.into());
        self
    }

    /// The order.
    pub fn sort(mut self, sort: CollectionSort) -> Self {
        self.sort = Some(sort);
        self
    }

    /// At most `limit` collections.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The collections, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<Collection>> + Send + 'static {
        let route = Route::collections()
            .with_all("owner", self.owners)
            .with_all("item", self.items)
            .with_opt("sort", self.sort.map(CollectionSort::as_str))
            .with_opt("limit", self.limit.map(|l| l.to_string()));
        let start = Ok(self.client.route(Method::GET, &route));
        listing(&self.client, start).take(self.limit.unwrap_or(usize::MAX))
    }
}
impl_into_future!(ListCollections => Vec<Collection>, collect);

/// One collection with all its items: the Python client's `get_collection`
/// (`GET /api/collections/{slug}`). A missing or hidden collection is a 404 error.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::GetCollection;
/// let c = GetCollection::new(client, "TheBloke/recent-models-64f9a55bb3115b4f513ec026").await?;
/// println!("{}: {} items", c.title, c.items.len());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetCollection {
    client: HubClient,
    slug: String,
}

impl GetCollection {
    /// Asks for the collection `slug`.
    pub fn new(client: HubClient, slug: impl Into<String>) -> Self {
        GetCollection {
            client,
            slug: slug.into(),
        }
    }

    async fn send(self) -> Result<Collection> {
        check_slug(&self.slug)?;
        let route = Route::collection(&self.slug);
        self.client.route(Method::GET, &route).await?.json().await
    }
}
impl_into_future!(GetCollection => Collection, send);

/// Creates a collection: the Python client's `create_collection` (`POST /api/collections`).
/// The namespace defaults to the caller's; with [`exists_ok`](Self::exists_ok) a collection of
/// the same title answers the existing one.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::CreateCollection;
/// let c = CreateCollection::new(client, "My models")
///     .namespace("acme")
///     .description("Shortlist")
///     .private(true)
///     .exists_ok(true)
///     .await?;
/// println!("{}", c.slug);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateCollection {
    client: HubClient,
    title: String,
    namespace: Option<String>,
    description: Option<String>,
    private: bool,
    exists_ok: bool,
}

impl CreateCollection {
    /// A public collection titled `title` in the caller's namespace.
    pub fn new(client: HubClient, title: impl Into<String>) -> Self {
        CreateCollection {
            client,
            title: title.into(),
            namespace: None,
            description: None,
            private: false,
            exists_ok: false,
        }
    }

    /// Create it in this user or organization namespace.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Its description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// `true`: visible to the namespace's members only.
    pub fn private(mut self, private: bool) -> Self {
        self.private = private;
        self
    }

    /// `true`: when the Hub refuses a duplicate (409), answer the existing collection.
    pub fn exists_ok(mut self, exists_ok: bool) -> Self {
        self.exists_ok = exists_ok;
        self
    }

    async fn send(self) -> Result<Collection> {
        if self.title.trim().is_empty() {
            return Err(Error::InvalidArgument(
                "a collection needs a non-empty title".into(),
            ));
        }
        let namespace = match self.namespace {
            Some(ns) => ns,
            None => caller_name(&self.client, "create_collection").await?,
        };
        let mut body =
            json!({"title": self.title, "namespace": namespace, "private": self.private});
        if let Some(d) = &self.description {
            body["description"] = json!(d);
        }
        let request = self
            .client
            .route(Method::POST, &Route::collections())
            .json(&body);
        match request.send().await {
            Ok(response) => response.json().await,
            Err(Error::Conflict(e)) if self.exists_ok => {
                let slug = e
                    .body_json::<Value>()
                    .and_then(|b| b.get("slug").and_then(Value::as_str).map(str::to_owned))
                    .ok_or_else(|| Error::Protocol {
                        context: "create_collection".into(),
                        what: "a 409 answer without the existing collection's slug".into(),
                    })?;
                GetCollection::new(self.client, slug).await
            }
            Err(e) => Err(e),
        }
    }
}
impl_into_future!(CreateCollection => Collection, send);

/// Changes a collection's title, description, position, visibility or theme: the Python
/// client's `update_collection_metadata` (`PATCH /api/collections/{slug}`). Resolves to the
/// updated collection (its slug changes with its title).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::UpdateCollectionMetadata;
/// let c = UpdateCollectionMetadata::new(client, "alice/my-models-65a1b2c3d4e5f60718293a4b")
///     .title("Best models")
///     .theme("green")
///     .await?;
/// # let _ = c; Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UpdateCollectionMetadata {
    client: HubClient,
    slug: String,
    fields: Map<String, Value>,
}

impl UpdateCollectionMetadata {
    /// Changes nothing yet in the collection `slug`.
    pub fn new(client: HubClient, slug: impl Into<String>) -> Self {
        UpdateCollectionMetadata {
            client,
            slug: slug.into(),
            fields: Map::new(),
        }
    }

    /// New title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.fields.insert("title".into(), json!(title.into()));
        self
    }

    /// New description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.fields
            .insert("description".into(), json!(description.into()));
        self
    }

    /// New rank on the owner's page.
    pub fn position(mut self, position: u64) -> Self {
        self.fields.insert("position".into(), json!(position));
        self
    }

    /// New visibility.
    pub fn private(mut self, private: bool) -> Self {
        self.fields.insert("private".into(), json!(private));
        self
    }

    /// New theme (`orange`, `blue`, `green`, `purple`, `pink`, `indigo`).
    pub fn theme(mut self, theme: impl Into<String>) -> Self {
        self.fields.insert("theme".into(), json!(theme.into()));
        self
    }

    async fn send(self) -> Result<Collection> {
        check_slug(&self.slug)?;
        #[derive(Deserialize)]
        struct Wrapped {
            data: Collection,
        }
        let route = Route::collection(&self.slug);
        let request = self.client.route(Method::PATCH, &route).json(&self.fields);
        let wrapped: Wrapped = request.send().await?.json().await?;
        Ok(wrapped.data)
    }
}
impl_into_future!(UpdateCollectionMetadata => Collection, send);

/// Deletes a collection: the Python client's `delete_collection`
/// (`DELETE /api/collections/{slug}`); [`missing_ok`](Self::missing_ok) ignores a 404.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::DeleteCollection;
/// DeleteCollection::new(client, "alice/old-65a1b2c3d4e5f60718293a4b").missing_ok(true).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteCollection {
    client: HubClient,
    slug: String,
    missing_ok: bool,
}

impl DeleteCollection {
    /// Deletes the collection `slug`.
    pub fn new(client: HubClient, slug: impl Into<String>) -> Self {
        DeleteCollection {
            client,
            slug: slug.into(),
            missing_ok: false,
        }
    }

    /// `true`: a missing collection is not an error.
    pub fn missing_ok(mut self, missing_ok: bool) -> Self {
        self.missing_ok = missing_ok;
        self
    }

    async fn send(self) -> Result<()> {
        check_slug(&self.slug)?;
        let route = Route::collection(&self.slug);
        ignore_missing(
            self.client.route(Method::DELETE, &route).send().await,
            self.missing_ok,
        )
    }
}
impl_into_future!(DeleteCollection => (), send);

/// `Ok` for a success, or for a 404 when `missing_ok`.
fn ignore_missing(answer: Result<hf_http::Response>, missing_ok: bool) -> Result<()> {
    match answer {
        Ok(_) => Ok(()),
        Err(e) if missing_ok && e.status() == Some(hf_http::StatusCode::NOT_FOUND) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Adds a model, dataset, Space, paper or collection to a collection: the Python client's
/// `add_collection_item` (`POST /api/collections/{slug}/items`). Resolves to the updated
/// collection. An item already there is a 409 error unless [`exists_ok`](Self::exists_ok);
/// an item that does not exist is a 404 error.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::{AddCollectionItem, CollectionItemType};
/// let c = AddCollectionItem::new(client, "alice/my-models-65a1b2c3d4e5f60718293a4b", "alice/tiny", CollectionItemType::Model)
///     .note("Small and fast")
///     .exists_ok(true)
///     .await?;
/// # let _ = c; Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct AddCollectionItem {
    client: HubClient,
    slug: String,
    item_id: String,
    item_type: CollectionItemType,
    note: Option<String>,
    exists_ok: bool,
}

impl AddCollectionItem {
    /// Adds `item_id` (a repo id, paper id or collection slug) of type `item_type`.
    pub fn new(
        client: HubClient,
        slug: impl Into<String>,
        item_id: impl Into<String>,
        item_type: CollectionItemType,
    ) -> Self {
        AddCollectionItem {
            client,
            slug: slug.into(),
            item_id: item_id.into(),
            item_type,
            note: None,
            exists_ok: false,
        }
    }

    /// A note shown with the item.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// `true`: an item already in the collection is not an error.
    pub fn exists_ok(mut self, exists_ok: bool) -> Self {
        self.exists_ok = exists_ok;
        self
    }

    async fn send(self) -> Result<Collection> {
        check_slug(&self.slug)?;
        if self.item_type == CollectionItemType::Other || self.item_id.is_empty() {
            return Err(Error::InvalidArgument(
                "a collection item needs an id and a known type".into(),
            ));
        }
        let mut body = json!({"item": {"id": self.item_id, "type": self.item_type.as_str()}});
        if let Some(note) = &self.note {
            body["note"] = json!(note);
        }
        let route = Route::collection_items(&self.slug);
        match self
            .client
            .route(Method::POST, &route)
            .json(&body)
            .send()
            .await
        {
            Ok(response) => response.json().await,
            Err(Error::Conflict(_)) if self.exists_ok => {
                GetCollection::new(self.client, self.slug).await
            }
            Err(e) => Err(e),
        }
    }
}
impl_into_future!(AddCollectionItem => Collection, send);

/// Changes an item's note or position: the Python client's `update_collection_item`
/// (`PATCH /api/collections/{slug}/items/{item_object_id}`). Moving an item shifts the others.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::UpdateCollectionItem;
/// UpdateCollectionItem::new(client, "alice/my-models-65a1b2c3d4e5f60718293a4b", "65a1b2c3d4e5f60718293a4c")
///     .note("Now the default")
///     .position(0)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UpdateCollectionItem {
    client: HubClient,
    slug: String,
    item_object_id: String,
    fields: Map<String, Value>,
}

impl UpdateCollectionItem {
    /// Changes nothing yet in the item `item_object_id` ([`CollectionItem::item_object_id`]).
    pub fn new(
        client: HubClient,
        slug: impl Into<String>,
        item_object_id: impl Into<String>,
    ) -> Self {
        UpdateCollectionItem {
            client,
            slug: slug.into(),
            item_object_id: item_object_id.into(),
            fields: Map::new(),
        }
    }

    /// New note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.fields.insert("note".into(), json!(note.into()));
        self
    }

    /// New 0-based position.
    pub fn position(mut self, position: u64) -> Self {
        self.fields.insert("position".into(), json!(position));
        self
    }

    async fn send(self) -> Result<()> {
        check_slug(&self.slug)?;
        let route = Route::collection_item(&self.slug, &self.item_object_id);
        self.client
            .route(Method::PATCH, &route)
            .json(&self.fields)
            .send()
            .await?;
        Ok(())
    }
}
impl_into_future!(UpdateCollectionItem => (), send);

/// Removes an item: the Python client's `delete_collection_item`
/// (`DELETE /api/collections/{slug}/items/{item_object_id}`); [`missing_ok`](Self::missing_ok)
/// ignores a 404.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::collections::DeleteCollectionItem;
/// DeleteCollectionItem::new(client, "alice/my-models-65a1b2c3d4e5f60718293a4b", "65a1b2c3d4e5f60718293a4c")
///     .missing_ok(true)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteCollectionItem {
    client: HubClient,
    slug: String,
    item_object_id: String,
    missing_ok: bool,
}

impl DeleteCollectionItem {
    /// Removes the item `item_object_id` ([`CollectionItem::item_object_id`]).
    pub fn new(
        client: HubClient,
        slug: impl Into<String>,
        item_object_id: impl Into<String>,
    ) -> Self {
        DeleteCollectionItem {
            client,
            slug: slug.into(),
            item_object_id: item_object_id.into(),
            missing_ok: false,
        }
    }

    /// `true`: a missing item is not an error.
    pub fn missing_ok(mut self, missing_ok: bool) -> Self {
        self.missing_ok = missing_ok;
        self
    }

    async fn send(self) -> Result<()> {
        check_slug(&self.slug)?;
        let route = Route::collection_item(&self.slug, &self.item_object_id);
        ignore_missing(
            self.client.route(Method::DELETE, &route).send().await,
            self.missing_ok,
        )
    }
}
impl_into_future!(DeleteCollectionItem => (), send);
