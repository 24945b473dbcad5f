//! Listings of models, datasets and Spaces end to end against hf-local-hub (protocol §2.6,
//! pagination §1.6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hf_repo::prelude::*;
use std::collections::BTreeSet;

use common::{ALICE, BOB, Clients, File, Hub};
use futures_util::{StreamExt, TryStreamExt};
use hf_http::HubClient;
use hf_repo::Error;
use hf_repo::listing::{ListDatasets, ListModels, ListSpaces, SortKey};
use hf_repo::repos::UpdateRepoSettings;
use hf_types::{Gated, RepoType};
use serde_json::Value;

fn ids<T>(items: &[T], id: fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_owned()).collect()
}

fn model_ids(items: &[hf_types::ModelInfo]) -> Vec<String> {
    ids(items, |m| m.id.as_str())
}

fn set(items: Vec<String>) -> BTreeSet<String> {
    items.into_iter().collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Ids of a raw `GET {path}` answer (first page only), with `client`.
async fn raw_ids(client: &HubClient, path_and_query: &str) -> (Vec<String>, Option<String>) {
    let response = client
        .get(client.url(path_and_query).unwrap())
        .await
        .unwrap();
    let link = response.header_str("link").map(str::to_owned);
    let items: Vec<Value> = response.json().await.unwrap();
    (
        items
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect(),
        link,
    )
}

fn invalid_argument(e: Error) {
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
}

/// A hub with a few models of alice, acme and bob; one private, one with a card.
async fn seeded() -> Hub {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "alpha-one", false)
        .await;
    hub.create(RepoType::Model, "alice", "alpha-two", false)
        .await;
    hub.create(RepoType::Model, "acme", "alpha-three", false)
        .await;
    hub.create(RepoType::Model, "bob", "beta", false).await;
    hub.create(RepoType::Model, "alice", "alpha-secret", true)
        .await;
    hub.commit_to(
        RepoType::Model,
        "acme/carded",
        "main",
        vec![File::Regular(
            "README.md",
            b"---\nlibrary_name: transformers\nlanguage: en\nlicense: mit\ntags:\n- dataset:squad\n- text-classification\nco2_eq_emissions: 12.5\n---\n# Card\n"
                .to_vec(),
        )],
    )
    .await;
    hub
}

#[tokio::test]
async fn search_author_and_visibility() {
    let hub = seeded().await;
    let anonymous = hub.client_with(None);
    let alice = hub.client();

    let found = ListModels::new(anonymous.clone())
        .search("alpha")
        .await
        .unwrap();
    assert_eq!(
        set(model_ids(&found)),
        names(&["alice/alpha-one", "alice/alpha-two", "acme/alpha-three"])
    );
    // The same as a raw request shows.
    let (raw, _) = raw_ids(&anonymous, "api/models?search=alpha").await;
    assert_eq!(set(raw), set(model_ids(&found)));

    // Private repos are listed for their owner only.
    let mine = ListModels::new(alice.clone())
        .search("alpha")
        .author("alice")
        .await
        .unwrap();
    assert_eq!(
        set(model_ids(&mine)),
        names(&["alice/alpha-one", "alice/alpha-two", "alice/alpha-secret"])
    );
    let bobs_view = ListModels::new(hub.client_with(Some(BOB)))
        .author("alice")
        .await
        .unwrap();
    assert!(!model_ids(&bobs_view).contains(&"alice/alpha-secret".to_owned()));

    // Repeated searches must all match; model_name is a search.
    let both = ListModels::new(alice.clone())
        .search("alpha")
        .model_name("two")
        .await
        .unwrap();
    assert_eq!(model_ids(&both), ["alice/alpha-two"]);

    let acme = ListModels::new(alice).author("acme").await.unwrap();
    assert_eq!(
        set(model_ids(&acme)),
        names(&["acme/alpha-three", "acme/carded"])
    );
    // Listings without `full` do not say which files a repo has.
    assert!(acme.iter().all(|m| m.siblings.is_none()));
}

#[tokio::test]
async fn tag_filters() {
    let hub = seeded().await;
    let client = hub.client();
    let one = |list: Vec<hf_types::ModelInfo>| model_ids(&list);

    assert_eq!(
        one(ListModels::new(client.clone())
            .filter("license:mit")
            .await
            .unwrap()),
        ["acme/carded"]
    );
    assert_eq!(
        one(ListModels::new(client.clone())
            .library("transformers")
            .language("en")
            .task("text-classification")
            .trained_dataset("squad")
            .await
            .unwrap()),
        ["acme/carded"]
    );
    assert_eq!(
        one(ListModels::new(client.clone())
            .filters(["dataset:squad", "en"])
            .tags("license:mit")
            .await
            .unwrap()),
        ["acme/carded"]
    );
    // All filters must match.
    assert!(
        ListModels::new(client.clone())
            .filter("license:mit")
            .filter("pytorch")
            .await
            .unwrap()
            .is_empty()
    );
    // Tags as the listing reports them.
    let listed = ListModels::new(client)
        .author("acme")
        .search("carded")
        .await
        .unwrap();
    let tags = listed[0].tags.clone().unwrap();
    assert!(tags.contains(&"license:mit".to_owned()) && tags.contains(&"dataset:squad".to_owned()));
    assert_eq!(listed[0].library_name.as_deref(), Some("transformers"));
}

#[tokio::test]
async fn sort_direction_and_limit() {
    let hub = Hub::start().await;
    let client = hub.client();
    for name in ["s1", "s2", "s3", "s4"] {
        hub.create(RepoType::Model, "alice", name, false).await;
    }
    // Touch s2 last: it becomes the most recently modified.
    hub.commit("s2", vec![File::Regular("x", b"x".to_vec())])
        .await;

    let ascending = ListModels::new(client.clone())
        .sort("created_at")
        .direction(1)
        .await
        .unwrap();
    assert_eq!(
        model_ids(&ascending),
        ["alice/s1", "alice/s2", "alice/s3", "alice/s4"]
    );
    let descending = ListModels::new(client.clone())
        .sort(SortKey::CreatedAt)
        .direction(-1)
        .await
        .unwrap();
    assert_eq!(
        model_ids(&descending),
        ["alice/s4", "alice/s3", "alice/s2", "alice/s1"]
    );
    let recent = ListModels::new(client.clone())
        .sort("last_modified")
        .direction(-1)
        .limit(1)
        .await
        .unwrap();
    assert_eq!(model_ids(&recent), ["alice/s2"]);

    let two = ListModels::new(client.clone())
        .sort("created_at")
        .direction(1)
        .limit(2)
        .await
        .unwrap();
    assert_eq!(model_ids(&two), ["alice/s1", "alice/s2"]);
    // The server would have more (a `next` link), but the stream stops at the limit.
    let (_, link) = raw_ids(&client, "api/models?limit=2").await;
    assert!(link.is_some());

    // A stream is lazy: take one item, drop the rest.
    let first: Vec<_> = ListModels::new(client)
        .sort("created_at")
        .direction(1)
        .into_stream()
        .take(1)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(model_ids(&first), ["alice/s1"]);
}

#[tokio::test]
async fn pagination_follows_link_across_pages() {
    // The hub's pages hold at most 1000 items (`limit` caps the page size too).
    const N: usize = 1005;
    let hub = Hub::start().await;
    for i in 0..N {
        hub.create(RepoType::Dataset, "acme", &format!("d{i:04}"), false)
            .await;
    }
    let client = hub.client();
    let (first_page, link) = raw_ids(&client, "api/datasets").await;
    assert_eq!(first_page.len(), 1000);
    assert!(link.is_some(), "the first page links to the next");

    let all = ListDatasets::new(client.clone()).await.unwrap();
    assert_eq!(all.len(), N);
    let unique: BTreeSet<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(unique.len(), N);
    assert!(unique.contains("acme/d0000") && unique.contains("acme/d1004"));

    // A limit above the page size: two pages, stopped at the limit.
    let limited = ListDatasets::new(client.clone()).limit(1002).await.unwrap();
    assert_eq!(limited.len(), 1002);
    let small = ListDatasets::new(client)
        .author("acme")
        .limit(3)
        .await
        .unwrap();
    assert_eq!(small.len(), 3);
}

#[tokio::test]
async fn full_card_data_expand_and_emissions() {
    let hub = seeded().await;
    let client = hub.client();

    let full = ListModels::new(client.clone())
        .author("acme")
        .full(true)
        .await
        .unwrap();
    let carded = full.iter().find(|m| m.id == "acme/carded").unwrap();
    assert!(carded.sha.is_some());
    assert!(carded.file_names().unwrap().contains(&"README.md"));
    assert!(carded.card_data.is_some());

    let cards = ListModels::new(client.clone())
        .search("carded")
        .card_data(true)
        .await
        .unwrap();
    assert_eq!(cards[0].card_data.as_ref().unwrap().license(), Some("mit"));
    let configs = ListModels::new(client.clone())
        .search("carded")
        .fetch_config(true)
        .await
        .unwrap();
    assert_eq!(model_ids(&configs), ["acme/carded"]);

    let expanded = ListModels::new(client.clone())
        .search("carded")
        .expand(["sha", "private"])
        .await
        .unwrap();
    assert!(expanded[0].sha.is_some());
    assert_eq!(expanded[0].private, Some(false));
    assert!(expanded[0].tags.is_none() && expanded[0].card_data.is_none());

    invalid_argument(
        ListModels::new(client.clone())
            .expand(["sha"])
            .full(true)
            .await
            .unwrap_err(),
    );
    invalid_argument(
        ListModels::new(client.clone())
            .expand(["sha"])
            .card_data(true)
            .await
            .unwrap_err(),
    );
    invalid_argument(
        ListDatasets::new(client.clone())
            .expand(["sha"])
            .full(true)
            .await
            .unwrap_err(),
    );

    // Emissions are checked client-side on the card data.
    let within = ListModels::new(client.clone())
        .card_data(true)
        .emissions_thresholds(Some(10.0), Some(20.0))
        .await
        .unwrap();
    assert_eq!(model_ids(&within), ["acme/carded"]);
    let outside = ListModels::new(client.clone())
        .card_data(true)
        .emissions_thresholds(None, Some(5.0))
        .await
        .unwrap();
    assert!(outside.is_empty());
    invalid_argument(
        ListModels::new(client)
            .emissions_thresholds(Some(1.0), None)
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn gated_filter() {
    let hub = seeded().await;
    let client = hub.client();
    hub.create(RepoType::Dataset, "alice", "open-data", false)
        .await;
    hub.create(RepoType::Dataset, "alice", "gated-data", false)
        .await;
    UpdateRepoSettings::new(client.clone(), "alice/gated-data".parse().unwrap())
        .repo_type(RepoType::Dataset)
        .gated(Gated::Auto)
        .await
        .unwrap();
    UpdateRepoSettings::new(client.clone(), "alice/alpha-one".parse().unwrap())
        .gated(Gated::Manual)
        .await
        .unwrap();

    let gated = ListDatasets::new(client.clone()).gated(true).await.unwrap();
    assert_eq!(ids(&gated, |d| d.id.as_str()), ["alice/gated-data"]);
    assert_eq!(gated[0].gated, Some(Gated::Auto));
    let open = ListDatasets::new(client.clone())
        .gated(false)
        .await
        .unwrap();
    assert_eq!(ids(&open, |d| d.id.as_str()), ["alice/open-data"]);

    let gated = ListModels::new(client.clone()).gated(true).await.unwrap();
    assert_eq!(model_ids(&gated), ["alice/alpha-one"]);
    let open = ListModels::new(client)
        .gated(false)
        .author("alice")
        .await
        .unwrap();
    assert!(!model_ids(&open).contains(&"alice/alpha-one".to_owned()));
}

#[tokio::test]
async fn datasets_typed_filters() {
    let hub = Hub::start().await;
    let client = hub.client();
    hub.commit_to(
        RepoType::Dataset,
        "acme/reviews",
        "main",
        vec![File::Regular(
            "README.md",
            b"---\ntags:\n- language:en\n- task_categories:text-classification\n- size_categories:1K<n<10K\n- benchmark:raft\n- multilinguality:monolingual\n- language_creators:found\n- task_ids:sentiment-classification\n---\n"
                .to_vec(),
        )],
    )
    .await;
    hub.create(RepoType::Dataset, "acme", "other", false).await;

    let found = ListDatasets::new(client.clone())
        .language("en")
        .task_categories("task_categories:text-classification")
        .size_categories("1K<n<10K")
        .benchmark("raft")
        .multilinguality("monolingual")
        .language_creators("found")
        .task_ids("sentiment-classification")
        .await
        .unwrap();
    assert_eq!(ids(&found, |d| d.id.as_str()), ["acme/reviews"]);
    assert!(
        ListDatasets::new(client.clone())
            .language("fr")
            .await
            .unwrap()
            .is_empty()
    );
    let named = ListDatasets::new(client.clone())
        .dataset_name("oth")
        .author("acme")
        .await
        .unwrap();
    assert_eq!(ids(&named, |d| d.id.as_str()), ["acme/other"]);
    let tagged = ListDatasets::new(client)
        .tags("benchmark:raft")
        .full(true)
        .await
        .unwrap();
    assert!(tagged[0].siblings.is_some());
}

#[tokio::test]
async fn spaces_listing() {
    let hub = Hub::start().await;
    let client = hub.client();
    hub.create(RepoType::Space, "alice", "chat-app", false)
        .await;
    hub.create(RepoType::Space, "acme", "viewer", false).await;
    hub.create(RepoType::Model, "alice", "chat-model", false)
        .await;

    let all = ListSpaces::new(client.clone()).await.unwrap();
    assert_eq!(
        set(ids(&all, |s| s.id.as_str())),
        names(&["alice/chat-app", "acme/viewer"])
    );
    assert_eq!(all[0].sdk.as_deref(), Some("gradio"));
    let chat = ListSpaces::new(client.clone())
        .search("chat")
        .await
        .unwrap();
    assert_eq!(ids(&chat, |s| s.id.as_str()), ["alice/chat-app"]);
    let by_sdk = ListSpaces::new(client.clone())
        .filter("gradio")
        .author("acme")
        .limit(5)
        .await
        .unwrap();
    assert_eq!(ids(&by_sdk, |s| s.id.as_str()), ["acme/viewer"]);
    let full = ListSpaces::new(client.clone())
        .search("viewer")
        .full(true)
        .await
        .unwrap();
    assert!(full[0].file_names().unwrap().contains(&".gitattributes"));
    let expanded = ListSpaces::new(client)
        .search("viewer")
        .expand(["sdk"])
        .await
        .unwrap();
    assert_eq!(expanded[0].sdk.as_deref(), Some("gradio"));
    assert!(expanded[0].private.is_none());
}

#[tokio::test]
async fn bad_token_is_unauthorized() {
    let hub = seeded().await;
    let bad = hub.client_with(Some("hf_not_a_token"));
    for err in [
        ListModels::new(bad.clone()).await.unwrap_err(),
        ListDatasets::new(bad.clone()).await.unwrap_err(),
        ListSpaces::new(bad).await.unwrap_err(),
    ] {
        assert!(matches!(err, hf_http::Error::Unauthorized(_)), "{err:?}");
    }
    // The same lists work with a good token.
    assert!(
        !ListModels::new(hub.client_with(Some(ALICE)))
            .await
            .unwrap()
            .is_empty()
    );
}
