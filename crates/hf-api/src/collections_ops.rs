//! Collections, webhooks, users and organizations, papers under their Python names:
//! `list_collections`, `get_collection`, `create_collection`, `update_collection_metadata`,
//! `delete_collection`, `add_collection_item`, `update_collection_item`,
//! `delete_collection_item`; `list_webhooks`, `get_webhook`, `create_webhook`,
//! `update_webhook`, `enable_webhook`, `disable_webhook`, `delete_webhook`;
//! `get_user_overview`, `get_organization_overview`, `list_user_followers`,
//! `list_user_following`, `list_organization_members`; `list_papers`, `paper_info`.

use hf_community::collections::{
    AddCollectionItem, CollectionItemType, CreateCollection, DeleteCollection,
    DeleteCollectionItem, GetCollection, ListCollections, UpdateCollectionItem,
    UpdateCollectionMetadata,
};
use hf_community::papers::{GetPaperInfo, ListPapers};
use hf_community::users::{GetOrganizationOverview, GetUserOverview, ListUsers};
use hf_community::webhooks::{
    CreateWebhook, GetWebhook, ListWebhooks, UpdateWebhook, WebhookAction, WebhookWatchedItem,
};

use crate::HfApi;

impl HfApi {
    /// `list_collections`: collections the caller can see, filtered by owner, item, sort and
    /// limit (a stream with `.into_stream()`, collected by `.await`).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let mine = api.list_collections().owner("alice").limit(10).await?;
    /// # let _ = mine; Ok(()) }
    /// ```
    pub fn list_collections(&self) -> ListCollections {
        ListCollections::new(self.client.clone())
    }

    /// `get_collection`: one collection with all its items.
    pub fn get_collection(&self, slug: impl Into<String>) -> GetCollection {
        GetCollection::new(self.client.clone(), slug)
    }

    /// `create_collection`: a new collection (namespace, description, private, exists_ok as
    /// setters).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::community::collections::CollectionItemType;
    /// let c = api.create_collection("My models").private(true).exists_ok(true).await?;
    /// api.add_collection_item(&c.slug, "alice/tiny", CollectionItemType::Model).note("fast").await?;
    /// # Ok(()) }
    /// ```
    pub fn create_collection(&self, title: impl Into<String>) -> CreateCollection {
        CreateCollection::new(self.client.clone(), title)
    }

    /// `update_collection_metadata`: title, description, position, private, theme.
    pub fn update_collection_metadata(&self, slug: impl Into<String>) -> UpdateCollectionMetadata {
        UpdateCollectionMetadata::new(self.client.clone(), slug)
    }

    /// `delete_collection` (`.missing_ok(true)` ignores a missing one).
    pub fn delete_collection(&self, slug: impl Into<String>) -> DeleteCollection {
        DeleteCollection::new(self.client.clone(), slug)
    }

    /// `add_collection_item`: a model, dataset, Space, paper or collection (note, exists_ok as
    /// setters).
    pub fn add_collection_item(
        &self,
        slug: impl Into<String>,
        item_id: impl Into<String>,
        item_type: CollectionItemType,
    ) -> AddCollectionItem {
        AddCollectionItem::new(self.client.clone(), slug, item_id, item_type)
    }

    /// `update_collection_item`: note, position.
    pub fn update_collection_item(
        &self,
        slug: impl Into<String>,
        item_object_id: impl Into<String>,
    ) -> UpdateCollectionItem {
        UpdateCollectionItem::new(self.client.clone(), slug, item_object_id)
    }

    /// `delete_collection_item` (`.missing_ok(true)` ignores a missing one).
    pub fn delete_collection_item(
        &self,
        slug: impl Into<String>,
        item_object_id: impl Into<String>,
    ) -> DeleteCollectionItem {
        DeleteCollectionItem::new(self.client.clone(), slug, item_object_id)
    }

    /// `list_webhooks`: the caller's webhooks.
    pub fn list_webhooks(&self) -> ListWebhooks {
        ListWebhooks::new(self.client.clone())
    }

    /// `get_webhook`.
    pub fn get_webhook(&self, webhook_id: impl Into<String>) -> GetWebhook {
        GetWebhook::new(self.client.clone(), webhook_id)
    }

    /// `create_webhook`: POSTs the events of `watched` to `url` (domains, secret as setters).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::community::webhooks::{WatchedType, WebhookWatchedItem};
    /// let hook = api
    ///     .create_webhook("https://example.com/hook", vec![WebhookWatchedItem::new(WatchedType::User, "alice")])
    ///     .secret("s3cret")
    ///     .await?;
    /// api.disable_webhook(&hook.id).await?;
    /// # Ok(()) }
    /// ```
    pub fn create_webhook(
        &self,
        url: impl Into<String>,
        watched: Vec<WebhookWatchedItem>,
    ) -> CreateWebhook {
        CreateWebhook::new(self.client.clone(), url, watched)
    }

    /// `update_webhook`: url, watched, domains, secret as setters (unset ones are kept).
    pub fn update_webhook(&self, webhook_id: impl Into<String>) -> UpdateWebhook {
        UpdateWebhook::new(self.client.clone(), webhook_id)
    }

    /// `enable_webhook`: resolves to the webhook.
    pub fn enable_webhook(&self, webhook_id: impl Into<String>) -> WebhookAction {
        WebhookAction::enable(self.client.clone(), webhook_id)
    }

    /// `disable_webhook`: resolves to the webhook.
    pub fn disable_webhook(&self, webhook_id: impl Into<String>) -> WebhookAction {
        WebhookAction::disable(self.client.clone(), webhook_id)
    }

    /// `delete_webhook`: resolves to `None`.
    pub fn delete_webhook(&self, webhook_id: impl Into<String>) -> WebhookAction {
        WebhookAction::delete(self.client.clone(), webhook_id)
    }

    /// `get_user_overview`.
    pub fn get_user_overview(&self, username: impl Into<String>) -> GetUserOverview {
        GetUserOverview::new(self.client.clone(), username)
    }

    /// `get_organization_overview`.
    pub fn get_organization_overview(
        &self,
        organization: impl Into<String>,
    ) -> GetOrganizationOverview {
        GetOrganizationOverview::new(self.client.clone(), organization)
    }

    /// `list_user_followers`: a stream of users.
    pub fn list_user_followers(&self, username: impl Into<String>) -> ListUsers {
        ListUsers::followers(self.client.clone(), username)
    }

    /// `list_user_following`: a stream of users.
    pub fn list_user_following(&self, username: impl Into<String>) -> ListUsers {
        ListUsers::following(self.client.clone(), username)
    }

    /// `list_organization_members`: a stream of users.
    pub fn list_organization_members(&self, organization: impl Into<String>) -> ListUsers {
        ListUsers::members(self.client.clone(), organization)
    }

    /// `list_papers`: a search (`.query(...)`), not paginated.
    pub fn list_papers(&self) -> ListPapers {
        ListPapers::new(self.client.clone())
    }

    /// `paper_info`: one paper by arXiv id.
    pub fn paper_info(&self, id: impl Into<String>) -> GetPaperInfo {
        GetPaperInfo::new(self.client.clone(), id)
    }
}
