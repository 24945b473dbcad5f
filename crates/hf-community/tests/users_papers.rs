//! Users, organizations and papers end to end against the local hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ALICE, BOB, Hub, client};
use hf_community::papers::{GetPaperInfo, ListPapers};
use hf_community::users::{GetOrganizationOverview, GetUserOverview, ListUsers};
use hf_http::StatusCode;
use serde_json::json;

async fn hub() -> Hub {
    Hub::start_with(|b| {
        b.user("carol", "hf_carol")
            .org_member("acme", "bob", "read")
            .profile("alice", json!({"fullname": "Alice Liddell", "details": "Down the hole", "isPro": true}))
            .follow("bob", "alice")
            .follow("carol", "alice")
            .follow("alice", "carol")
            .papers([
                json!({"id": "2407.21783", "title": "The Llama 3 Herd of Models", "summary": "Foundation models",
                       "authors": [{"name": "A. Dubey"}], "publishedAt": "2024-07-31T17:54:27.000Z", "upvotes": 105,
                       "submittedOnDailyAt": "2024-08-01T00:53:05.000Z",
                       "submittedOnDailyBy": {"user": "akhaliq", "fullname": "AK", "type": "user"}, "numComments": 4}),
                json!({"id": "2311.12983", "title": "GAIA", "summary": "A benchmark for general AI assistants"}),
            ])
    })
    .await
}

#[tokio::test]
async fn overviews_followers_and_members() {
    let hub = hub().await;
    let bob = client(&hub, Some(BOB));
    let alice = GetUserOverview::new(bob.clone(), "alice").await.unwrap();
    assert_eq!(alice.username, "alice");
    assert_eq!(alice.fullname.as_deref(), Some("Alice Liddell"));
    assert_eq!(alice.is_pro, Some(true));
    assert_eq!(alice.num_followers, Some(2));
    assert_eq!(alice.num_following, Some(1));
    assert_eq!(alice.is_following, Some(true));
    assert_eq!(alice.orgs.unwrap()[0].name, "acme");

    let names =
        |users: Vec<hf_types::User>| users.into_iter().map(|u| u.username).collect::<Vec<_>>();
    assert_eq!(
        names(ListUsers::followers(bob.clone(), "alice").await.unwrap()),
        ["bob", "carol"]
    );
    assert_eq!(
        names(ListUsers::following(bob.clone(), "alice").await.unwrap()),
        ["carol"]
    );
    assert_eq!(
        names(ListUsers::members(bob.clone(), "acme").await.unwrap()),
        ["alice", "bob"]
    );

    let org = GetOrganizationOverview::new(bob.clone(), "acme")
        .await
        .unwrap();
    assert_eq!(org.name, "acme");
    assert_eq!(org.num_users, Some(2));

    for err in [
        GetUserOverview::new(bob.clone(), "nobody")
            .await
            .unwrap_err(),
        GetOrganizationOverview::new(bob.clone(), "nobody")
            .await
            .unwrap_err(),
        ListUsers::members(bob.clone(), "nobody").await.unwrap_err(),
    ] {
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND), "{err}");
    }
    let err = GetUserOverview::new(bob, "a/b").await.unwrap_err();
    assert!(matches!(err, hf_http::Error::InvalidArgument(_)), "{err}");
}

#[tokio::test]
async fn paper_search_and_info() {
    let hub = hub().await;
    let anon = client(&hub, None);
    let all = ListPapers::new(anon.clone()).await.unwrap();
    assert_eq!(all.len(), 2);
    let hits = ListPapers::new(anon.clone()).query("llama").await.unwrap();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.id, "2407.21783");
    assert_eq!(hit.title.as_deref(), Some("The Llama 3 Herd of Models"));
    assert_eq!(hit.authors.as_deref(), Some(&["A. Dubey".to_owned()][..]));
    assert_eq!(hit.comments, 4);
    assert_eq!(hit.submitted_by.as_ref().unwrap().username, "akhaliq");
    assert!(hit.submitted_at.is_some());
    // The summary matches too, case-insensitively.
    let hits = ListPapers::new(anon.clone())
        .query("ASSISTANTS")
        .await
        .unwrap();
    assert_eq!(hits[0].id, "2311.12983");
    assert!(
        ListPapers::new(anon.clone())
            .query("nothing like this")
            .await
            .unwrap()
            .is_empty()
    );

    let paper = GetPaperInfo::new(client(&hub, Some(ALICE)), "2407.21783")
        .await
        .unwrap();
    assert_eq!(paper.upvotes, Some(105));
    assert_eq!(paper.summary.as_deref(), Some("Foundation models"));
    let err = GetPaperInfo::new(anon.clone(), "0000.00000")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    let err = GetPaperInfo::new(anon, "a/b").await.unwrap_err();
    assert!(matches!(err, hf_http::Error::InvalidArgument(_)), "{err}");
}

#[tokio::test]
async fn seeding_api_and_restart() {
    let dir = std::env::temp_dir().join(format!("hf-community-users-{}", std::process::id()));
    let hub = Hub::start_with(|b| b.data_dir(&dir)).await;
    hub.seed().follow("alice", "bob").await.unwrap();
    hub.seed()
        .profile("bob", json!({"fullname": "Bob"}))
        .await
        .unwrap();
    hub.seed()
        .paper(json!({"id": "1234.5678", "title": "Seeded"}))
        .await
        .unwrap();
    assert!(hub.seed().paper(json!({"title": "no id"})).await.is_err());
    hub.shutdown().await;
    let hub = Hub::start_with(|b| b.data_dir(&dir)).await;
    let c = client(&hub, Some(ALICE));
    let bob = GetUserOverview::new(c.clone(), "bob").await.unwrap();
    assert_eq!(bob.fullname.as_deref(), Some("Bob"));
    assert_eq!(bob.num_followers, Some(1));
    assert_eq!(
        GetPaperInfo::new(c, "1234.5678")
            .await
            .unwrap()
            .title
            .as_deref(),
        Some("Seeded")
    );
    hub.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
