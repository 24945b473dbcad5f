//! The hub's event bus and real webhook delivery (protocol §9.4).
//!
//! Handlers that change a repo call [`emit`] with a typed [`HubEvent`] once the change is stored.
//! `emit` never waits and never fails: it puts the event on a bounded queue (a full queue drops
//! the event with a warning, so a flood of commits cannot grow the hub's memory). A background
//! task ([`delivery`]) takes each event, finds the enabled webhooks that watch the repo, its
//! owner or its organization and subscribe to the event's domain, and POSTs the Hub's version 3
//! payload to each, with `X-Webhook-Secret` when the webhook has a secret, a timeout per attempt
//! and a few retries with exponential backoff.
//!
//! # Calling it
//!
//! ```text
//! // after the store accepted the change, with the repo record as it was before it:
//! webhooks::emit(&state, HubEvent::new(repo.clone(), EventKind::RefsUpdated { refs }));
//! // discussions (issue 10 wires these in its handlers):
//! webhooks::emit(&state, HubEvent::new(repo, EventKind::DiscussionCreated(discussion)));
//! webhooks::emit(&state, HubEvent::new(repo, EventKind::DiscussionComment(discussion, comment)));
//! webhooks::emit(&state, HubEvent::new(repo, EventKind::DiscussionStatus(discussion)));
//! webhooks::emit(&state, HubEvent::new(repo, EventKind::DiscussionMerged(discussion)));
//! ```

pub(crate) mod delivery;

use serde_json::{Value, json};

use crate::api::AppState;
use crate::api::users::object_id_for;
use crate::storage::RepoRecord;

/// One ref that moved: created (`old_sha` is `None`), deleted (`new_sha` is `None`) or updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UpdatedRef {
    /// The full ref (`refs/heads/main`, `refs/tags/v1`).
    pub(crate) name: String,
    /// The commit before.
    pub(crate) old_sha: Option<String>,
    /// The commit after.
    pub(crate) new_sha: Option<String>,
}

/// A discussion or pull request, as events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiscussionEvent {
    /// The discussion's object id.
    pub(crate) id: String,
    /// Its number in the repo.
    pub(crate) num: u64,
    /// Its title.
    pub(crate) title: String,
    /// Its author's user name.
    pub(crate) author: String,
    /// True for a pull request.
    pub(crate) is_pull_request: bool,
    /// `open`, `closed`, `merged` or `draft`.
    pub(crate) status: String,
    /// Pinned on the repo page.
    pub(crate) pinned: bool,
    /// Pull requests: the branch they merge into (`refs/heads/main`).
    pub(crate) base: Option<String>,
    /// Merged pull requests: the merge commit.
    pub(crate) merge_commit_id: Option<String>,
}

/// A comment of a discussion, as events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommentEvent {
    /// The comment's object id.
    pub(crate) id: String,
    /// Its author's user name.
    pub(crate) author: String,
    /// Its text (Markdown).
    pub(crate) content: String,
    /// Hidden by a moderator.
    pub(crate) hidden: bool,
}

/// What happened to a repo.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EventKind {
    /// The repo was created.
    RepoCreated,
    /// The repo was deleted.
    RepoDeleted,
    /// The repo was moved to `to` (`namespace/name`); the event's repo is the old record.
    RepoMoved {
        /// The new id.
        to: String,
    },
    /// The repo's settings changed (`private`, `gated`, ...): the new values.
    RepoSettings {
        /// The changed settings as sent by the client.
        updated: Value,
    },
    /// Commits, branches or tags moved.
    RefsUpdated {
        /// The refs that moved.
        refs: Vec<UpdatedRef>,
    },
    /// A discussion or pull request was opened.
    DiscussionCreated(DiscussionEvent),
    /// A comment was posted.
    DiscussionComment(DiscussionEvent, CommentEvent),
    /// A discussion was closed or reopened (its new status is in the discussion).
    DiscussionStatus(DiscussionEvent),
    /// A pull request was merged.
    DiscussionMerged(DiscussionEvent),
}

/// An event of the hub: a repo (as it was when the event happened) and what happened to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HubEvent {
    /// The repo concerned.
    pub(crate) repo: RepoRecord,
    /// What happened.
    pub(crate) kind: EventKind,
}

impl HubEvent {
    /// An event about `repo`.
    pub(crate) fn new(repo: RepoRecord, kind: EventKind) -> Self {
        HubEvent { repo, kind }
    }

    /// The webhook domain: `repo` or `discussion`.
    pub(crate) fn domain(&self) -> &'static str {
        match self.kind {
            EventKind::RepoCreated
            | EventKind::RepoDeleted
            | EventKind::RepoMoved { .. }
            | EventKind::RepoSettings { .. }
            | EventKind::RefsUpdated { .. } => "repo",
            _ => "discussion",
        }
    }

    /// `(event.action, event.scope)` of the payload.
    pub(crate) fn action_scope(&self) -> (&'static str, &'static str) {
        match self.kind {
            EventKind::RepoCreated => ("create", "repo"),
            EventKind::RepoDeleted => ("delete", "repo"),
            EventKind::RepoMoved { .. } => ("move", "repo"),
            EventKind::RepoSettings { .. } => ("update", "repo.config"),
            EventKind::RefsUpdated { .. } => ("update", "repo.content"),
            EventKind::DiscussionCreated(_) => ("create", "discussion"),
            EventKind::DiscussionComment(..) => ("create", "discussion.comment"),
            EventKind::DiscussionStatus(_) | EventKind::DiscussionMerged(_) => {
                ("update", "discussion")
            }
        }
    }

    /// The version 3 payload for the webhook `webhook_id`; `base` is the hub's public URL and
    /// `head_sha` the head of the repo's `main` when known.
    pub(crate) fn payload(&self, base: &str, webhook_id: &str, head_sha: Option<&str>) -> Value {
        let (action, scope) = self.action_scope();
        let repo = &self.repo;
        let full = repo.full_id();
        let prefix = repo.repo_type.url_prefix();
        let web = format!("{base}/{prefix}{full}");
        let api = format!("{base}/api/{}s/{full}", repo.repo_type.as_str());
        let mut repo_json = json!({
            "type": repo.repo_type.as_str(),
            "name": full,
            "id": repo.object_id,
            "private": repo.private,
            "url": {"web": web, "api": api},
            "owner": {"id": object_id_for(&repo.namespace)},
        });
        if let Some(head) = head_sha {
            repo_json["headSha"] = json!(head);
        }
        let mut payload = json!({
            "event": {"action": action, "scope": scope},
            "repo": repo_json,
            "webhook": {"id": webhook_id, "version": 3},
        });
        match &self.kind {
            EventKind::RepoMoved { to } => {
                let owner = to.split_once('/').map_or(to.as_str(), |(ns, _)| ns);
                payload["movedTo"] = json!({"name": to, "owner": {"id": object_id_for(owner)}});
            }
            EventKind::RepoSettings { updated } => payload["updatedConfig"] = updated.clone(),
            EventKind::RefsUpdated { refs } => {
                let refs: Vec<Value> = refs
                    .iter()
                    .map(|r| {
                        let mut v = json!({"ref": r.name});
                        if let Some(old) = &r.old_sha {
                            v["oldSha"] = json!(old);
                        }
                        if let Some(new) = &r.new_sha {
                            v["newSha"] = json!(new);
                        }
                        v
                    })
                    .collect();
                payload["updatedRefs"] = json!(refs);
            }
            EventKind::DiscussionCreated(d)
            | EventKind::DiscussionStatus(d)
            | EventKind::DiscussionMerged(d) => {
                payload["discussion"] = discussion_json(&web, &api, d)
            }
            EventKind::DiscussionComment(d, c) => {
                payload["discussion"] = discussion_json(&web, &api, d);
                payload["comment"] = json!({
                    "id": c.id,
                    "author": {"id": object_id_for(&c.author)},
                    "hidden": c.hidden,
                    "content": c.content,
                    "url": {"web": format!("{web}/discussions/{}#{}", d.num, c.id)},
                });
            }
            EventKind::RepoCreated | EventKind::RepoDeleted => {}
        }
        payload
    }
}

fn discussion_json(web: &str, api: &str, d: &DiscussionEvent) -> Value {
    let mut v = json!({
        "id": d.id,
        "num": d.num,
        "author": {"id": object_id_for(&d.author)},
        "url": {
            "web": format!("{web}/discussions/{}", d.num),
            "api": format!("{api}/discussions/{}", d.num),
        },
        "title": d.title,
        "isPullRequest": d.is_pull_request,
        "status": d.status,
        "pinned": d.pinned,
    });
    if d.is_pull_request {
        let mut changes =
            json!({"base": d.base.clone().unwrap_or_else(|| "refs/heads/main".into())});
        if let Some(merge) = &d.merge_commit_id {
            changes["mergeCommitId"] = json!(merge);
        }
        v["changes"] = changes;
    }
    v
}

/// Hands `event` to the delivery task; never waits, never fails the caller's request (a full
/// queue drops the event with a warning).
pub(crate) fn emit(state: &AppState, event: HubEvent) {
    state.events.send(event);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn repo() -> RepoRecord {
        RepoRecord {
            pk: 1,
            repo_type: hf_types::RepoType::Model,
            namespace: "alice".into(),
            name: "tiny".into(),
            private: false,
            gated: None,
            created_ms: 0,
            last_modified_ms: 0,
            object_id: "65a1b2c3d4e5f60718293a4b".into(),
            sdk: None,
            extra: Value::Null,
        }
    }

    fn discussion() -> DiscussionEvent {
        DiscussionEvent {
            id: "d1".into(),
            num: 3,
            title: "Fix".into(),
            author: "bob".into(),
            is_pull_request: true,
            status: "merged".into(),
            pinned: false,
            base: None,
            merge_commit_id: Some("abc".into()),
        }
    }

    #[test]
    fn comment_payload_has_discussion_and_comment() {
        let comment = CommentEvent {
            id: "c1".into(),
            author: "bob".into(),
            content: "LGTM".into(),
            hidden: false,
        };
        let event = HubEvent::new(repo(), EventKind::DiscussionComment(discussion(), comment));
        assert_eq!(event.domain(), "discussion");
        let p = event.payload("http://hub", "w1", Some("head"));
        assert_eq!(
            p["event"],
            json!({"action": "create", "scope": "discussion.comment"})
        );
        assert_eq!(p["repo"]["name"], "alice/tiny");
        assert_eq!(p["repo"]["headSha"], "head");
        assert_eq!(p["discussion"]["num"], 3);
        assert_eq!(p["discussion"]["isPullRequest"], true);
        assert_eq!(p["discussion"]["changes"]["mergeCommitId"], "abc");
        assert_eq!(
            p["discussion"]["url"]["web"],
            "http://hub/alice/tiny/discussions/3"
        );
        assert_eq!(p["comment"]["content"], "LGTM");
        assert_eq!(p["comment"]["author"]["id"], object_id_for("bob"));
        assert_eq!(p["webhook"], json!({"id": "w1", "version": 3}));
    }

    #[test]
    fn scopes_of_every_kind() {
        let cases = [
            (EventKind::RepoCreated, "create", "repo"),
            (EventKind::RepoDeleted, "delete", "repo"),
            (
                EventKind::RepoMoved {
                    to: "acme/tiny".into(),
                },
                "move",
                "repo",
            ),
            (
                EventKind::RepoSettings { updated: json!({}) },
                "update",
                "repo.config",
            ),
            (
                EventKind::RefsUpdated { refs: vec![] },
                "update",
                "repo.content",
            ),
            (
                EventKind::DiscussionCreated(discussion()),
                "create",
                "discussion",
            ),
            (
                EventKind::DiscussionStatus(discussion()),
                "update",
                "discussion",
            ),
            (
                EventKind::DiscussionMerged(discussion()),
                "update",
                "discussion",
            ),
        ];
        for (kind, action, scope) in cases {
            let event = HubEvent::new(repo(), kind);
            assert_eq!(event.action_scope(), (action, scope));
        }
    }
}
