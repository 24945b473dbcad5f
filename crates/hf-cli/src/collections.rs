//! `hf collections ls|info|create|update|delete|add-item|update-item|delete-item`
//! (protocol §9.3).

use clap::{Args, Subcommand, ValueEnum};
use hf_community::collections::{
    AddCollectionItem, Collection, CollectionItemType, CollectionSort, CreateCollection,
    DeleteCollection, DeleteCollectionItem, GetCollection, ListCollections, UpdateCollectionItem,
    UpdateCollectionMetadata,
};
use hf_http::HubClient;

use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json_of, print_lines};
use crate::repo::Format;

/// Arguments of `hf collections`.
#[derive(Debug, Args)]
pub struct CollectionsArgs {
    #[command(subcommand)]
    command: CollectionsCommand,
}

/// The sort orders of `hf collections ls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Sort {
    /// Most recently changed first.
    #[value(name = "lastModified")]
    LastModified,
    /// Trending first.
    Trending,
    /// Most upvoted first.
    Upvotes,
}

/// Item types on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ItemType {
    /// A model.
    Model,
    /// A dataset.
    Dataset,
    /// A Space.
    Space,
    /// A paper.
    Paper,
    /// A collection.
    Collection,
}

#[derive(Debug, Subcommand)]
enum CollectionsCommand {
    /// List collections on the Hub.
    #[command(visible_alias = "list")]
    Ls {
        /// Filter by owner username or organization.
        #[arg(long)]
        owner: Option<String>,
        /// Filter collections containing a specific item (e.g. "models/gpt2", "papers/2311.12983").
        #[arg(long)]
        item: Option<String>,
        /// Sort results.
        #[arg(long, value_enum)]
        sort: Option<Sort>,
        /// At most this many collections.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show a collection and its items.
    Info {
        /// The collection slug (e.g. 'username/collection-slug-ID').
        collection_slug: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Create a new collection.
    Create {
        /// The title of the collection.
        title: String,
        /// The namespace (username or organization). Defaults to the authenticated user.
        #[arg(long)]
        namespace: Option<String>,
        /// A description for the collection.
        #[arg(long)]
        description: Option<String>,
        /// Create a private collection.
        #[arg(long)]
        private: bool,
        /// Do not fail if the collection already exists.
        #[arg(long)]
        exists_ok: bool,
    },
    /// Update a collection's metadata.
    Update {
        /// The collection slug.
        collection_slug: String,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// New position on the owner's page.
        #[arg(long)]
        position: Option<u64>,
        /// Make it private.
        #[arg(long, conflicts_with = "no_private")]
        private: bool,
        /// Make it public.
        #[arg(long)]
        no_private: bool,
        /// New theme (orange, blue, green, purple, pink, indigo).
        #[arg(long)]
        theme: Option<String>,
    },
    /// Delete a collection.
    Delete {
        /// The collection slug.
        collection_slug: String,
        /// Do not fail if the collection does not exist.
        #[arg(long)]
        missing_ok: bool,
    },
    /// Add an item to a collection.
    AddItem {
        /// The collection slug.
        collection_slug: String,
        /// The ID of the item (repo id, paper id or collection slug).
        item_id: String,
        /// The type of the item.
        #[arg(value_enum)]
        item_type: ItemType,
        /// A note about the item.
        #[arg(long)]
        note: Option<String>,
        /// Do not fail if the item is already in the collection.
        #[arg(long)]
        exists_ok: bool,
    },
    /// Update an item of a collection.
    UpdateItem {
        /// The collection slug.
        collection_slug: String,
        /// The item's id in the collection (shown by `hf collections info`).
        item_object_id: String,
        /// New note.
        #[arg(long)]
        note: Option<String>,
        /// New position (0-based).
        #[arg(long)]
        position: Option<u64>,
    },
    /// Remove an item from a collection.
    DeleteItem {
        /// The collection slug.
        collection_slug: String,
        /// The item's id in the collection.
        item_object_id: String,
        /// Do not fail if the item does not exist.
        #[arg(long)]
        missing_ok: bool,
    },
}

const OP: Op<'static> = Op::Community {
    noun: "collection",
    list: "hf collections ls",
};

fn item_type(t: ItemType) -> CollectionItemType {
    match t {
        ItemType::Model => CollectionItemType::Model,
        ItemType::Dataset => CollectionItemType::Dataset,
        ItemType::Space => CollectionItemType::Space,
        ItemType::Paper => CollectionItemType::Paper,
        ItemType::Collection => CollectionItemType::Collection,
    }
}

fn summary(c: &Collection) -> String {
    format!(
        "{}  {}{}  ({} items)",
        c.slug,
        c.title,
        if c.private { " [private]" } else { "" },
        c.items.len()
    )
}

fn details(c: &Collection) -> Result<(), Failure> {
    let mut lines = vec![summary(c)];
    if let Some(d) = &c.description {
        lines.push(d.clone());
    }
    for item in &c.items {
        lines.push(format!(
            "  {:>3}  {:<10}  {}  (item id {}){}",
            item.position,
            item.item_type.as_str(),
            item.item_id,
            item.item_object_id,
            item.note
                .as_deref()
                .map(|n| format!("  note: {n}"))
                .unwrap_or_default()
        ));
    }
    print_lines(lines)
}

/// Runs `hf collections ...`.
pub async fn run(client: HubClient, args: CollectionsArgs) -> Result<(), Failure> {
    let fail = |what: &str, e: &hf_http::Error| failure(what, OP, None, e);
    match args.command {
        CollectionsCommand::Ls {
            owner,
            item,
            sort,
            limit,
            format,
        } => {
            let mut request = ListCollections::new(client).limit(limit);
            if let Some(owner) = owner {
                request = request.owner(owner);
            }
            if let Some(item) = item {
                request = request.item(item);
            }
            if let Some(sort) = sort {
                request = request.sort(match sort {
                    Sort::LastModified => CollectionSort::LastModified,
                    Sort::Trending => CollectionSort::Trending,
                    Sort::Upvotes => CollectionSort::Upvotes,
                });
            }
            let list = request
                .await
                .map_err(|e| fail("cannot list collections", &e))?;
            match format {
                Format::Json => print_json_of(&list),
                Format::Table => print_lines(list.iter().map(summary)),
            }
        }
        CollectionsCommand::Info {
            collection_slug,
            format,
        } => {
            let c = GetCollection::new(client, &collection_slug)
                .await
                .map_err(|e| fail(&format!("cannot read the collection {collection_slug}"), &e))?;
            match format {
                Format::Json => print_json_of(&c),
                Format::Table => details(&c),
            }
        }
        CollectionsCommand::Create {
            title,
            namespace,
            description,
            private,
            exists_ok,
        } => {
            let mut request = CreateCollection::new(client.clone(), title)
                .private(private)
                .exists_ok(exists_ok);
            if let Some(ns) = namespace {
                request = request.namespace(ns);
            }
            if let Some(d) = description {
                request = request.description(d);
            }
            let c = request
                .await
                .map_err(|e| fail("cannot create the collection", &e))?;
            print_lines([
                format!("Collection created: {}", c.slug),
                c.url(client.endpoint_base()),
            ])
        }
        CollectionsCommand::Update {
            collection_slug,
            title,
            description,
            position,
            private,
            no_private,
            theme,
        } => {
            let mut request = UpdateCollectionMetadata::new(client, &collection_slug);
            if let Some(t) = title {
                request = request.title(t);
            }
            if let Some(d) = description {
                request = request.description(d);
            }
            if let Some(p) = position {
                request = request.position(p);
            }
            if private || no_private {
                request = request.private(private);
            }
            if let Some(t) = theme {
                request = request.theme(t);
            }
            let c = request.await.map_err(|e| {
                fail(
                    &format!("cannot update the collection {collection_slug}"),
                    &e,
                )
            })?;
            print_lines([format!("Collection updated: {}", c.slug)])
        }
        CollectionsCommand::Delete {
            collection_slug,
            missing_ok,
        } => {
            DeleteCollection::new(client, &collection_slug)
                .missing_ok(missing_ok)
                .await
                .map_err(|e| {
                    fail(
                        &format!("cannot delete the collection {collection_slug}"),
                        &e,
                    )
                })?;
            print_lines([format!("Collection deleted: {collection_slug}")])
        }
        CollectionsCommand::AddItem {
            collection_slug,
            item_id,
            item_type: kind,
            note,
            exists_ok,
        } => {
            let mut request =
                AddCollectionItem::new(client, &collection_slug, &item_id, item_type(kind))
                    .exists_ok(exists_ok);
            if let Some(n) = note {
                request = request.note(n);
            }
            let c = request.await.map_err(|e| {
                fail(
                    &format!("cannot add {item_id} to the collection {collection_slug}"),
                    &e,
                )
            })?;
            let added = c.items.iter().find(|i| i.item_id == item_id);
            print_lines([format!(
                "Item added to {}{}",
                c.slug,
                added
                    .map(|i| format!(" (item id {})", i.item_object_id))
                    .unwrap_or_default()
            )])
        }
        CollectionsCommand::UpdateItem {
            collection_slug,
            item_object_id,
            note,
            position,
        } => {
            let mut request = UpdateCollectionItem::new(client, &collection_slug, &item_object_id);
            if let Some(n) = note {
                request = request.note(n);
            }
            if let Some(p) = position {
                request = request.position(p);
            }
            request
                .await
                .map_err(|e| fail(&format!("cannot update the item {item_object_id}"), &e))?;
            print_lines([format!("Item {item_object_id} updated")])
        }
        CollectionsCommand::DeleteItem {
            collection_slug,
            item_object_id,
            missing_ok,
        } => {
            DeleteCollectionItem::new(client, &collection_slug, &item_object_id)
                .missing_ok(missing_ok)
                .await
                .map_err(|e| fail(&format!("cannot delete the item {item_object_id}"), &e))?;
            print_lines([format!("Item {item_object_id} deleted")])
        }
    }
}
