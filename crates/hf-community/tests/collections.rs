//! Collections end to end against the local hub: every operation, slugs, positions, private
//! visibility and who may change what.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ALICE, ALICE_READ, BOB, File, Hub, client};
use futures_util::TryStreamExt;
use hf_community::collections::{
    AddCollectionItem, CollectionItemType, CreateCollection, DeleteCollection,
    DeleteCollectionItem, GetCollection, ListCollections, UpdateCollectionItem,
    UpdateCollectionMetadata,
};
use hf_http::StatusCode;
use hf_types::RepoType;
use serde_json::json;

#[tokio::test]
async fn create_fill_reorder_and_delete() {
    let hub = Hub::start_with(|b| {
        b.papers([json!({"id": "2311.12983", "title": "GAIA", "summary": "A benchmark"})])
    })
    .await;
    hub.commit("tiny", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    hub.create(RepoType::Dataset, "alice", "data", false).await;
    let alice = client(&hub, Some(ALICE));

    let c = CreateCollection::new(alice.clone(), "My Models!")
        .description("Shortlist")
        .await
        .unwrap();
    let (prefix, id) = c.slug.rsplit_once('-').unwrap();
    assert_eq!(prefix, "alice/my-models");
    assert_eq!(id.len(), 24);
    assert_eq!(c.owner.name, "alice");
    assert_eq!(c.position, Some(0));
    assert_eq!(c.description.as_deref(), Some("Shortlist"));
    assert!(!c.private);

    let slug = c.slug.clone();
    let add = |id: &str, t| AddCollectionItem::new(alice.clone(), slug.clone(), id.to_owned(), t);
    add("alice/tiny", CollectionItemType::Model)
        .note("first")
        .await
        .unwrap();
    add("alice/data", CollectionItemType::Dataset)
        .await
        .unwrap();
    add("2311.12983", CollectionItemType::Paper).await.unwrap();
    let nested = CreateCollection::new(alice.clone(), "Nested")
        .await
        .unwrap();
    let full = add(&nested.slug, CollectionItemType::Collection)
        .await
        .unwrap();
    let ids: Vec<_> = full.items.iter().map(|i| i.item_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "alice/tiny",
            "alice/data",
            "2311.12983",
            nested.slug.as_str()
        ]
    );
    assert_eq!(full.items[0].note.as_deref(), Some("first"));
    assert!(
        full.items
            .iter()
            .enumerate()
            .all(|(i, it)| it.position == i as u64)
    );

    // Duplicates: 409, or the collection with exists_ok; missing items: 404.
    let dup = add("alice/tiny", CollectionItemType::Model)
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(StatusCode::CONFLICT));
    add("alice/tiny", CollectionItemType::Model)
        .exists_ok(true)
        .await
        .unwrap();
    let missing = add("alice/nope", CollectionItemType::Model)
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(StatusCode::NOT_FOUND));
    let missing = add("9999.99999", CollectionItemType::Paper)
        .await
        .unwrap_err();
    assert_eq!(missing.status(), Some(StatusCode::NOT_FOUND));

    // Move the paper first: the others shift.
    let paper = full.items[2].item_object_id.clone();
    UpdateCollectionItem::new(alice.clone(), &slug, &paper)
        .position(0)
        .note("read me")
        .await
        .unwrap();
    let c = GetCollection::new(alice.clone(), &slug).await.unwrap();
    let ids: Vec<_> = c
        .items
        .iter()
        .map(|i| (i.item_id.as_str(), i.position))
        .collect();
    assert_eq!(
        ids[..3],
        [("2311.12983", 0), ("alice/tiny", 1), ("alice/data", 2)]
    );
    assert_eq!(c.items[0].note.as_deref(), Some("read me"));

    DeleteCollectionItem::new(alice.clone(), &slug, &paper)
        .await
        .unwrap();
    let gone = DeleteCollectionItem::new(alice.clone(), &slug, &paper)
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(StatusCode::NOT_FOUND));
    DeleteCollectionItem::new(alice.clone(), &slug, &paper)
        .missing_ok(true)
        .await
        .unwrap();
    let c = GetCollection::new(alice.clone(), &slug).await.unwrap();
    assert_eq!(c.items.len(), 3);
    assert_eq!(c.items[0].position, 0);

    // Metadata: a new title changes the slug; the old slug still resolves.
    let renamed = UpdateCollectionMetadata::new(alice.clone(), &slug)
        .title("Best models")
        .theme("green")
        .private(true)
        .position(3)
        .await
        .unwrap();
    assert!(renamed.slug.starts_with("alice/best-models-"));
    assert_eq!(renamed.theme, "green");
    assert!(renamed.private);
    assert_eq!(
        GetCollection::new(alice.clone(), &slug)
            .await
            .unwrap()
            .title,
        "Best models"
    );
    let bad = UpdateCollectionMetadata::new(alice.clone(), &slug)
        .theme("rainbow")
        .await
        .unwrap_err();
    assert_eq!(bad.status(), Some(StatusCode::BAD_REQUEST));

    // exists_ok on a duplicate title answers the existing collection.
    let again = CreateCollection::new(alice.clone(), "Best models")
        .exists_ok(true)
        .await
        .unwrap();
    assert_eq!(again.slug, renamed.slug);
    let dup = CreateCollection::new(alice.clone(), "Best models")
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(StatusCode::CONFLICT));

    DeleteCollection::new(alice.clone(), &renamed.slug)
        .await
        .unwrap();
    let gone = GetCollection::new(alice.clone(), &renamed.slug)
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(StatusCode::NOT_FOUND));
    DeleteCollection::new(alice.clone(), &renamed.slug)
        .missing_ok(true)
        .await
        .unwrap();
}

#[tokio::test]
async fn listing_filters_and_private_visibility() {
    let hub = Hub::start().await;
    hub.commit("tiny", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    let alice = client(&hub, Some(ALICE));
    let bob = client(&hub, Some(BOB));
    let public = CreateCollection::new(alice.clone(), "Public")
        .await
        .unwrap();
    let secret = CreateCollection::new(alice.clone(), "Secret")
        .private(true)
        .await
        .unwrap();
    let org = CreateCollection::new(alice.clone(), "Team")
        .namespace("acme")
        .private(true)
        .await
        .unwrap();
    assert_eq!(org.owner.owner_type.as_deref(), Some("org"));
    CreateCollection::new(bob.clone(), "Bobs").await.unwrap();
    AddCollectionItem::new(
        alice.clone(),
        &public.slug,
        "alice/tiny",
        CollectionItemType::Model,
    )
    .await
    .unwrap();

    let titles = |list: Vec<hf_community::collections::Collection>| {
        let mut t: Vec<String> = list.into_iter().map(|c| c.title).collect();
        t.sort();
        t
    };
    let mine = ListCollections::new(alice.clone())
        .owner("alice")
        .await
        .unwrap();
    assert!(
        mine.iter().all(|c| c.position.is_none()),
        "listings carry no position"
    );
    assert_eq!(titles(mine), ["Public", "Secret"]);
    assert_eq!(
        titles(ListCollections::new(alice.clone()).await.unwrap()),
        ["Bobs", "Public", "Secret", "Team"]
    );
    // Bob sees public collections only, and cannot read a private one.
    assert_eq!(
        titles(ListCollections::new(bob.clone()).await.unwrap()),
        ["Bobs", "Public"]
    );
    for slug in [&secret.slug, &org.slug] {
        let err = GetCollection::new(bob.clone(), slug).await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    }
    let anon = ListCollections::new(client(&hub, None)).await.unwrap();
    assert_eq!(titles(anon), ["Bobs", "Public"]);
    let with_item = ListCollections::new(bob.clone())
        .item("models/alice/tiny")
        .await
        .unwrap();
    assert_eq!(titles(with_item), ["Public"]);
    let limited: Vec<_> = ListCollections::new(alice.clone())
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
}

#[tokio::test]
async fn only_the_namespace_may_change_a_collection() {
    let hub = Hub::start().await;
    hub.commit("tiny", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    let alice = client(&hub, Some(ALICE));
    let bob = client(&hub, Some(BOB));
    let c = CreateCollection::new(alice.clone(), "Mine").await.unwrap();
    let c = AddCollectionItem::new(
        alice.clone(),
        &c.slug,
        "alice/tiny",
        CollectionItemType::Model,
    )
    .await
    .unwrap();
    let item = c.items[0].item_object_id.clone();
    let errors = [
        UpdateCollectionMetadata::new(bob.clone(), &c.slug)
            .title("Stolen")
            .await
            .unwrap_err(),
        AddCollectionItem::new(
            bob.clone(),
            &c.slug,
            "alice/tiny",
            CollectionItemType::Model,
        )
        .exists_ok(true)
        .await
        .unwrap_err(),
        UpdateCollectionItem::new(bob.clone(), &c.slug, &item)
            .note("x")
            .await
            .unwrap_err(),
        DeleteCollectionItem::new(bob.clone(), &c.slug, &item)
            .await
            .unwrap_err(),
        DeleteCollection::new(bob.clone(), &c.slug)
            .await
            .unwrap_err(),
        DeleteCollection::new(client(&hub, Some(ALICE_READ)), &c.slug)
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert_eq!(err.status(), Some(StatusCode::FORBIDDEN), "{err}");
    }
    let err = CreateCollection::new(bob.clone(), "In acme")
        .namespace("acme")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
    let err = CreateCollection::new(client(&hub, None), "Anon")
        .await
        .unwrap_err();
    assert!(matches!(err, hf_http::Error::MissingToken { .. }), "{err}");
    // Bad input, before sending or from the hub.
    let err = CreateCollection::new(alice.clone(), " ").await.unwrap_err();
    assert!(matches!(err, hf_http::Error::InvalidArgument(_)), "{err}");
    let err = GetCollection::new(alice.clone(), "no-slash")
        .await
        .unwrap_err();
    assert!(matches!(err, hf_http::Error::InvalidArgument(_)), "{err}");
    let err = CreateCollection::new(alice.clone(), "x".repeat(500))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    let err = GetCollection::new(alice.clone(), "alice/unknown-0123456789abcdef01234567")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(
        GetCollection::new(alice, &c.slug).await.unwrap().title,
        "Mine"
    );
}
