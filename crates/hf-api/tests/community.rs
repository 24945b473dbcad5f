//! Discussions and pull requests, likes and gated access requests through the facade, end to
//! end against hf-local-hub (issue 10): every operation, every permission rule, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hf_api::HfApi;
use hf_api::community::discussions::{DiscussionStatusFilter, DiscussionType, NewDiscussionStatus};
use hf_api::prelude::*;
use hf_api::types::{
    AccessRequestStatus, DiscussionEvent, DiscussionStatus, Gated, RepoType, Revision,
};
use hf_local_hub::fixture::{ALICE, ALICE_READ, BOB, File, TestHub};

fn api(hub: &TestHub, token: Option<&str>) -> HfApi {
    let client = HfApi::client_builder()
        .endpoint(hub.endpoint())
        .token(token)
        .build()
        .unwrap();
    HfApi::from_client(client).with_cache_dir(std::env::temp_dir().join("hf-i10-unused-cache"))
}

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn status_of(e: &Error) -> u16 {
    e.status().map_or(0, |s| s.as_u16())
}

#[tokio::test]
async fn discussions_comments_status_rename_and_permissions() {
    let hub = TestHub::start().await;
    hub.commit("talk", vec![File::Regular("a.txt", "a\n".into())])
        .await;
    let (alice, bob) = (api(&hub, Some(ALICE)), api(&hub, Some(BOB)));
    let repo = id("alice/talk");

    // Bob opens a discussion on alice's public repo; the description is the first comment.
    let d = bob
        .create_discussion(repo.clone(), "  Question  ")
        .description("How do I use it?")
        .await
        .unwrap();
    assert_eq!(d.discussion.num, 1);
    assert_eq!(d.discussion.title, "Question");
    assert_eq!(d.discussion.author_name(), "bob");
    assert_eq!(d.discussion.status, DiscussionStatus::Open);
    assert!(!d.discussion.is_pull_request);
    assert!(d.changes.is_none());
    let first = match &d.events[0] {
        DiscussionEvent::Comment(c) => c.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(first.content, "How do I use it?");

    // Anyone with a token comments; the comment's author edits it; alice (a writer) too.
    let c = alice
        .comment_discussion(repo.clone(), 1, "Like this")
        .await
        .unwrap();
    assert_eq!(c.info.author_name(), "alice");
    let edited = bob
        .edit_discussion_comment(repo.clone(), 1, first.info.id.to_uppercase(), "How?")
        .await
        .unwrap();
    assert!(edited.edited);
    assert_eq!(edited.content, "How?");
    assert_eq!(edited.number_of_edits, 1);
    // Bob cannot edit alice's comment nor hide anything.
    let e = bob
        .edit_discussion_comment(repo.clone(), 1, c.info.id.clone(), "x")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");
    let e = bob
        .hide_discussion_comment(repo.clone(), 1, c.info.id.clone())
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");
    let hidden = alice
        .hide_discussion_comment(repo.clone(), 1, first.info.id.clone())
        .await
        .unwrap();
    assert!(hidden.hidden);

    // The author renames and closes; reopening needs the author or a writer.
    let t = bob
        .rename_discussion(repo.clone(), 1, "Usage question")
        .await
        .unwrap();
    assert_eq!(
        (t.old_title.as_str(), t.new_title.as_str()),
        ("Question", "Usage question")
    );
    let s = bob
        .change_discussion_status(repo.clone(), 1, NewDiscussionStatus::Closed)
        .comment("Solved")
        .await
        .unwrap();
    assert_eq!(s.new_status, DiscussionStatus::Closed);
    let e = bob
        .change_discussion_status(repo.clone(), 1, NewDiscussionStatus::Closed)
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 400, "closing a closed discussion: {e}");
    alice
        .change_discussion_status(repo.clone(), 1, NewDiscussionStatus::Open)
        .await
        .unwrap();

    // A third party (alice's read token is still alice; use a discussion by alice and bob acting).
    let d2 = alice
        .create_discussion(repo.clone(), "Roadmap")
        .await
        .unwrap();
    assert_eq!(d2.discussion.num, 2);
    let e = bob
        .rename_discussion(repo.clone(), 2, "Mine now")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");
    let e = bob
        .change_discussion_status(repo.clone(), 2, NewDiscussionStatus::Closed)
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");

    // Every event is recorded with its author, in order.
    let details = alice.get_discussion_details(repo.clone(), 1).await.unwrap();
    let kinds: Vec<&str> = details
        .events
        .iter()
        .map(|e| e.info().event_type.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "comment",
            "comment",
            "title-change",
            "comment",
            "status-change",
            "status-change"
        ]
    );
    assert_eq!(details.discussion.num_comments, Some(3));

    // Listing with filters.
    let all = alice.get_repo_discussions(repo.clone()).await.unwrap();
    assert_eq!(
        all.iter().map(|d| d.num).collect::<Vec<_>>(),
        [2, 1],
        "newest first"
    );
    let by_bob = alice
        .get_repo_discussions(repo.clone())
        .author("bob")
        .await
        .unwrap();
    assert_eq!(by_bob.len(), 1);
    let prs = alice
        .get_repo_discussions(repo.clone())
        .discussion_type(DiscussionType::PullRequest)
        .await
        .unwrap();
    assert!(prs.is_empty());

    // Bad input: unknown number, empty comment, number 0, read-only token, anonymous.
    let e = alice
        .get_discussion_details(repo.clone(), 99)
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404, "{e}");
    let e = alice
        .comment_discussion(repo.clone(), 99, "hello")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404, "{e}");
    let e = alice
        .comment_discussion(repo.clone(), 1, "   ")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = alice
        .get_discussion_details(repo.clone(), 0)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = alice
        .create_discussion(repo.clone(), "x".repeat(201))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = api(&hub, Some(ALICE_READ))
        .comment_discussion(repo.clone(), 1, "hi")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");
    let e = api(&hub, None)
        .create_discussion(repo.clone(), "anon")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 401, "{e}");
    // The server refuses an empty comment too (a client that skips the check).
    let raw = reqwest_like_post(
        &hub,
        "api/models/alice/talk/discussions/1/comment",
        r#"{"comment": "  "}"#,
    )
    .await;
    assert_eq!(raw, 400);
    hub.shutdown().await;
}

/// A raw POST with alice's token, returning the status (to check the server's own validation).
async fn reqwest_like_post(hub: &TestHub, path: &str, body: &str) -> u16 {
    let client = HfApi::client_builder()
        .endpoint(hub.endpoint())
        .token(Some(ALICE))
        .build()
        .unwrap();
    let url = client.url(path).unwrap();
    match client
        .post(url)
        .body(body.to_owned().into(), "application/json")
        .await
    {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.status().map_or(0, |s| s.as_u16()),
    }
}

#[tokio::test]
async fn private_repo_discussions_are_invisible() {
    let hub = TestHub::start().await;
    hub.create(RepoType::Model, "alice", "secret", true).await;
    let (alice, bob) = (api(&hub, Some(ALICE)), api(&hub, Some(BOB)));
    let repo = id("alice/secret");
    alice
        .create_discussion(repo.clone(), "Internal")
        .await
        .unwrap();
    for e in [
        bob.comment_discussion(repo.clone(), 1, "peek")
            .await
            .unwrap_err(),
        bob.get_discussion_details(repo.clone(), 1)
            .await
            .unwrap_err(),
        bob.get_repo_discussions(repo.clone()).await.unwrap_err(),
        bob.create_discussion(repo.clone(), "hi").await.unwrap_err(),
    ] {
        assert!(matches!(e, Error::RepoNotFound(_)), "{e}");
    }
    hub.shutdown().await;
}

#[tokio::test]
async fn pull_requests_commits_diff_merge_and_conflicts() {
    let hub = TestHub::start().await;
    hub.commit(
        "pr",
        vec![
            File::Regular("a.txt", "one\ntwo\nthree\n".into()),
            File::Regular("b.txt", "b\n".into()),
        ],
    )
    .await;
    let (alice, bob) = (api(&hub, Some(ALICE)), api(&hub, Some(BOB)));
    let repo = id("alice/pr");

    // Bob opens a PR by committing with create_pr: refs/pr/1, open, a commit event.
    let info = bob
        .upload_bytes(
            repo.clone(),
            b"one\nTWO\nthree\n".to_vec(),
            "a.txt".parse().unwrap(),
        )
        .commit_message("Shout two")
        .create_pr(true)
        .await
        .unwrap();
    assert_eq!(info.pr_num, Some(1));
    let pr = alice.get_discussion_details(repo.clone(), 1).await.unwrap();
    assert!(pr.discussion.is_pull_request);
    assert_eq!(pr.discussion.status, DiscussionStatus::Open);
    assert_eq!(pr.target_branch(), Some("refs/heads/main"));
    assert!(pr.conflicting_files().is_empty());
    assert!(pr.events.iter().any(
        |e| matches!(e, DiscussionEvent::Commit(c) if c.summary == "Shout two" && c.info.author_name() == "bob")
    ));
    let diff = pr.diff.clone().unwrap();
    assert!(diff.contains("diff --git a/a.txt b/a.txt"), "{diff}");
    assert!(diff.contains("-two\n+TWO\n"), "{diff}");

    // The author commits again to refs/pr/1 (he is no writer of the repo); others cannot.
    let pr_rev: Revision = "refs/pr/1".parse().unwrap();
    bob.upload_bytes(repo.clone(), b"new\n".to_vec(), "c.txt".parse().unwrap())
        .revision(pr_rev.clone())
        .await
        .unwrap();
    // A draft PR created empty, then filled by its author.
    let draft = bob
        .create_pull_request(repo.clone(), "Draft work")
        .await
        .unwrap();
    assert_eq!(draft.discussion.num, 2, "numbering shared with discussions");
    assert_eq!(draft.discussion.status, DiscussionStatus::Draft);
    assert_eq!(
        draft.discussion.git_reference().as_deref(),
        Some("refs/pr/2")
    );

    // Only writers merge.
    let e = bob.merge_pull_request(repo.clone(), 1).await.unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");
    alice
        .merge_pull_request(repo.clone(), 1)
        .comment("Thanks")
        .await
        .unwrap();
    let merged = alice.get_discussion_details(repo.clone(), 1).await.unwrap();
    assert_eq!(merged.discussion.status, DiscussionStatus::Merged);
    let merge_commit = merged.merge_commit_oid().unwrap().to_owned();
    let main = alice.list_repo_commits(repo.clone()).await.unwrap();
    assert_eq!(main[0].commit_id, merge_commit);
    let files = alice.list_repo_files(repo.clone()).await.unwrap();
    assert!(files.contains(&"c.txt".to_owned()), "{files:?}");
    assert!(
        merged
            .events
            .iter()
            .any(|e| matches!(e, DiscussionEvent::StatusChange(s) if s.new_status == DiscussionStatus::Merged))
    );

    // A merged PR takes no commits, cannot be merged or reopened again.
    let e = bob
        .upload_bytes(repo.clone(), b"late\n".to_vec(), "d.txt".parse().unwrap())
        .revision(pr_rev)
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");
    let e = alice.merge_pull_request(repo.clone(), 1).await.unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");
    let e = alice
        .change_discussion_status(repo.clone(), 1, NewDiscussionStatus::Open)
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");

    // Conflicts: PR 3 and main both change b.txt differently -> 409 naming the file.
    let pr3 = alice
        .upload_bytes(repo.clone(), b"pr\n".to_vec(), "b.txt".parse().unwrap())
        .create_pr(true)
        .await
        .unwrap();
    assert_eq!(pr3.pr_num, Some(3));
    alice
        .upload_bytes(repo.clone(), b"main\n".to_vec(), "b.txt".parse().unwrap())
        .await
        .unwrap();
    let details = alice.get_discussion_details(repo.clone(), 3).await.unwrap();
    assert_eq!(details.conflicting_files(), ["b.txt"]);
    let e = alice.merge_pull_request(repo.clone(), 3).await.unwrap_err();
    assert_eq!(status_of(&e), 409, "{e}");
    assert!(e.to_string().contains("b.txt"), "{e}");

    // A closed PR cannot be merged and takes no commits; a discussion cannot be merged.
    alice
        .change_discussion_status(repo.clone(), 3, NewDiscussionStatus::Closed)
        .await
        .unwrap();
    let e = alice.merge_pull_request(repo.clone(), 3).await.unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");
    let e = alice
        .upload_bytes(repo.clone(), b"x\n".to_vec(), "x.txt".parse().unwrap())
        .revision("refs/pr/3".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");
    alice
        .create_discussion(repo.clone(), "Just talk")
        .await
        .unwrap();
    let e = alice.merge_pull_request(repo.clone(), 4).await.unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");

    // Listing filters: open includes drafts, closed includes merged.
    let open: Vec<u64> = alice
        .get_repo_discussions(repo.clone())
        .discussion_status(DiscussionStatusFilter::Open)
        .await
        .unwrap()
        .iter()
        .map(|d| d.num)
        .collect();
    assert_eq!(open, [4, 2]);
    let closed_prs: Vec<u64> = alice
        .get_repo_discussions(repo.clone())
        .discussion_type(DiscussionType::PullRequest)
        .discussion_status(DiscussionStatusFilter::Closed)
        .await
        .unwrap()
        .iter()
        .map(|d| d.num)
        .collect();
    assert_eq!(closed_prs, [3, 1]);
    hub.shutdown().await;
}

#[tokio::test]
async fn listing_pages_and_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_owned();
    let hub = TestHub::start_with(|b| b.data_dir(data.clone())).await;
    hub.commit("many", vec![File::Regular("a.txt", "a".into())])
        .await;
    let alice = api(&hub, Some(ALICE));
    let repo = id("alice/many");
    for i in 0..53 {
        alice
            .create_discussion(repo.clone(), format!("D{i}"))
            .await
            .unwrap();
    }
    alice.like(repo.clone()).await.unwrap();
    let all = alice.get_repo_discussions(repo.clone()).await.unwrap();
    assert_eq!(all.len(), 53, "two pages of 50 followed");
    assert_eq!(all[0].num, 53);
    assert_eq!(all[52].num, 1);
    hub.shutdown().await;

    let hub = TestHub::start_with(|b| b.data_dir(data.clone())).await;
    let alice = api(&hub, Some(ALICE));
    let all = alice.get_repo_discussions(repo.clone()).await.unwrap();
    assert_eq!(all.len(), 53);
    let info = alice.model_info(repo.clone()).await.unwrap();
    assert_eq!(info.common.likes, Some(1));
    hub.shutdown().await;
}

#[tokio::test]
async fn likes_counted_and_listed() {
    let hub = TestHub::start().await;
    hub.commit("liked", vec![File::Regular("a.txt", "a".into())])
        .await;
    hub.create(RepoType::Dataset, "alice", "data", false).await;
    hub.create(RepoType::Model, "alice", "hidden", true).await;
    let (alice, bob) = (api(&hub, Some(ALICE)), api(&hub, Some(BOB)));
    let repo = id("alice/liked");
    alice.like(repo.clone()).await.unwrap();
    alice.like(repo.clone()).await.unwrap();
    bob.like(repo.clone()).await.unwrap();
    alice
        .like(id("alice/data"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    alice.like(id("alice/hidden")).await.unwrap();
    let info = alice.model_info(repo.clone()).await.unwrap();
    assert_eq!(info.common.likes, Some(2));
    let mut likers: Vec<String> = alice
        .list_repo_likers(repo.clone())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    likers.sort();
    assert_eq!(likers, ["alice", "bob"]);
    let mine = alice.list_liked_repos().await.unwrap();
    assert_eq!(mine.user, "alice");
    assert_eq!(mine.total, 3);
    assert_eq!(mine.datasets, ["alice/data"]);
    // Bob does not see alice's like of her private repo.
    let seen_by_bob = bob.list_liked_repos().user("alice").await.unwrap();
    assert_eq!(seen_by_bob.total, 2);
    assert!(!seen_by_bob.models.contains(&"alice/hidden".to_owned()));
    bob.unlike(repo.clone()).await.unwrap();
    bob.unlike(repo.clone()).await.unwrap();
    assert_eq!(
        alice.model_info(repo.clone()).await.unwrap().common.likes,
        Some(1)
    );
    // Bad input: anonymous like, unknown user, hidden repo.
    let e = api(&hub, None).like(repo.clone()).await.unwrap_err();
    assert_eq!(status_of(&e), 401, "{e}");
    let e = alice.list_liked_repos().user("nobody").await.unwrap_err();
    assert_eq!(status_of(&e), 404, "{e}");
    let e = bob.like(id("alice/hidden")).await.unwrap_err();
    assert!(matches!(e, Error::RepoNotFound(_)), "{e}");
    hub.shutdown().await;
}

#[tokio::test]
async fn gated_repos_and_access_requests() {
    let hub = TestHub::start().await;
    hub.commit("gated", vec![File::Regular("weights.txt", "secret".into())])
        .await;
    let (alice, bob) = (api(&hub, Some(ALICE)), api(&hub, Some(BOB)));
    let repo = id("alice/gated");
    alice
        .update_repo_settings(repo.clone())
        .gated(Gated::Manual)
        .await
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let bob_dl = bob.clone().with_cache_dir(cache.path());
    let e = bob_dl
        .hf_hub_download(repo.clone(), "weights.txt")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::GatedRepo(_)), "{e}");

    // Manual gate: pending until alice accepts.
    let status = bob
        .request_access(repo.clone())
        .field("company", "ACME")
        .await
        .unwrap();
    assert_eq!(status, AccessRequestStatus::Pending);
    let pending = alice
        .list_pending_access_requests(repo.clone())
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].username, "bob");
    assert_eq!(pending[0].fields.as_ref().unwrap()["company"], "ACME");
    assert!(
        bob_dl
            .hf_hub_download(repo.clone(), "weights.txt")
            .await
            .is_err()
    );
    // Only admins list and decide.
    let e = bob
        .list_pending_access_requests(repo.clone())
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");
    let e = bob
        .accept_access_request(repo.clone(), "bob")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 403, "{e}");

    alice
        .accept_access_request(repo.clone(), "bob")
        .await
        .unwrap();
    let path = bob_dl
        .hf_hub_download(repo.clone(), "weights.txt")
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "secret");
    let e = alice
        .accept_access_request(repo.clone(), "bob")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 400, "accepting twice: {e}");

    // Reject (with a reason) revokes; cancel moves back to pending; grant gives access.
    alice
        .reject_access_request(repo.clone(), "bob")
        .rejection_reason("No")
        .await
        .unwrap();
    let rejected = alice
        .list_rejected_access_requests(repo.clone())
        .await
        .unwrap();
    assert_eq!(rejected[0].username, "bob");
    let e = bob
        .with_token(Some(BOB))
        .with_cache_dir(tempfile::tempdir().unwrap().path())
        .hf_hub_download(repo.clone(), "weights.txt")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::GatedRepo(_)), "{e}");
    alice
        .cancel_access_request(repo.clone(), "bob")
        .await
        .unwrap();
    assert_eq!(
        alice
            .list_pending_access_requests(repo.clone())
            .await
            .unwrap()
            .len(),
        1
    );
    alice.grant_access(repo.clone(), "bob").await.unwrap();
    let accepted = alice
        .list_accepted_access_requests(repo.clone())
        .await
        .unwrap();
    assert_eq!(accepted[0].username, "bob");
    let e = alice.grant_access(repo.clone(), "bob").await.unwrap_err();
    assert_eq!(status_of(&e), 409, "{e}");

    // Bad input: reason without rejecting, unknown users, ungated repo.
    let e = alice
        .accept_access_request(repo.clone(), "bob")
        .rejection_reason("x")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = alice
        .accept_access_request(repo.clone(), "nobody")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404, "{e}");
    let e = alice
        .grant_access(repo.clone(), "nobody")
        .await
        .unwrap_err();
    assert_eq!(status_of(&e), 404, "{e}");
    hub.commit("open", vec![File::Regular("a.txt", "a".into())])
        .await;
    let e = bob.request_access(id("alice/open")).await.unwrap_err();
    assert_eq!(status_of(&e), 400, "{e}");

    // Auto gate: accepted at once.
    hub.commit("auto", vec![File::Regular("w.txt", "w".into())])
        .await;
    alice
        .update_repo_settings(id("alice/auto"))
        .gated(Gated::Auto)
        .await
        .unwrap();
    assert_eq!(
        bob.request_access(id("alice/auto")).await.unwrap(),
        AccessRequestStatus::Accepted
    );
    bob_dl
        .hf_hub_download(id("alice/auto"), "w.txt")
        .await
        .unwrap();
    hub.shutdown().await;
}
