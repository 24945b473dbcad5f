//! Discussions and pull requests, likes and gated-repo access requests (protocol §9.1, §9.2, §9.5).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::open_enum::open_enum;
use crate::RepoType;

open_enum! {
    /// Status of a discussion or pull request. Unknown values are kept as
    /// [`DiscussionStatus::Other`].
    pub enum DiscussionStatus {
        /// Open.
        Open => "open",
        /// Closed without merging.
        Closed => "closed",
        /// A merged pull request.
        Merged => "merged",
        /// A draft pull request (opened empty, not published yet).
        Draft => "draft",
    }
}

open_enum! {
    /// Status of an access request to a gated repo. Unknown values are kept as
    /// [`AccessRequestStatus::Other`].
    pub enum AccessRequestStatus {
        /// Waiting for an admin.
        Pending => "pending",
        /// Access given.
        Accepted => "accepted",
        /// Access refused.
        Rejected => "rejected",
    }
}

/// A user as discussions name them (`{"name", "fullname", "avatarUrl", "type", "isPro"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionUser {
    /// User name.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// The repo a discussion belongs to (`{"name": "ns/name", "type": "model"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscussionRepo {
    /// `namespace/name`.
    pub name: String,
    /// `model`, `dataset` or `space`.
    #[serde(rename = "type")]
    pub repo_type: String,
}

/// The author's name, or `deleted` when the Hub sent none (the Python client's rule).
fn name_or_deleted(author: Option<&DiscussionUser>) -> &str {
    author.map_or("deleted", |a| a.name.as_str())
}

/// A discussion or pull request as listed (`GET /api/{type}/{repo}/discussions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Discussion {
    /// Number, shared by the discussions and pull requests of a repo.
    pub num: u64,
    /// Title.
    pub title: String,
    /// Status.
    pub status: DiscussionStatus,
    /// A pull request rather than a discussion.
    pub is_pull_request: bool,
    /// Creation time.
    #[serde(with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
    /// Author (`None`: a deleted account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<DiscussionUser>,
    /// The repo.
    pub repo: DiscussionRepo,
    /// Number of comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_comments: Option<u64>,
    /// Pinned by the repo's owners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

impl Discussion {
    /// The author's user name (`deleted` for a deleted account).
    pub fn author_name(&self) -> &str {
        name_or_deleted(self.author.as_ref())
    }

    /// The repo's type (a model when the Hub sent an unknown one).
    pub fn repo_type(&self) -> RepoType {
        self.repo.repo_type.parse().unwrap_or(RepoType::Model)
    }

    /// `refs/pr/{num}` for a pull request: the revision that commits to it.
    pub fn git_reference(&self) -> Option<String> {
        self.is_pull_request
            .then(|| format!("refs/pr/{}", self.num))
    }

    /// The discussion's web page on `endpoint` (`{endpoint}/{prefix}{repo}/discussions/{num}`).
    pub fn url(&self, endpoint: &str) -> String {
        format!(
            "{}/{}{}/discussions/{}",
            endpoint.trim_end_matches('/'),
            self.repo_type().url_prefix(),
            self.repo.name,
            self.num
        )
    }
}

/// The paths a pull request conflicts on: a list, or `true` when the Hub only knows there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConflictingFiles {
    /// These paths conflict.
    Paths(Vec<String>),
    /// `true`: some paths conflict; `false`: none.
    Any(bool),
}

impl ConflictingFiles {
    /// Whether anything conflicts.
    pub fn any(&self) -> bool {
        match self {
            ConflictingFiles::Paths(paths) => !paths.is_empty(),
            ConflictingFiles::Any(any) => *any,
        }
    }
}

/// What a pull request changes: its target and, once merged, the merge commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PullRequestChanges {
    /// The ref it merges into (`refs/heads/main`).
    pub base: String,
    /// The merge commit, once merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit_id: Option<String>,
}

/// A discussion with its events, and for a pull request its target, conflicts and diff
/// (`GET /api/{type}/{repo}/discussions/{num}?diff=1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionWithDetails {
    /// The fields of the listing.
    #[serde(flatten)]
    pub discussion: Discussion,
    /// Events, oldest first.
    #[serde(default)]
    pub events: Vec<DiscussionEvent>,
    /// Pull requests: target and merge commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<PullRequestChanges>,
    /// Pull requests: the paths that conflict with the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_with_conflicts: Option<ConflictingFiles>,
    /// Pull requests: the unified diff, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl DiscussionWithDetails {
    /// Pull requests: the ref they merge into (`refs/heads/main`).
    pub fn target_branch(&self) -> Option<&str> {
        self.changes.as_ref().map(|c| c.base.as_str())
    }

    /// Merged pull requests: the merge commit.
    pub fn merge_commit_oid(&self) -> Option<&str> {
        self.changes.as_ref()?.merge_commit_id.as_deref()
    }

    /// Pull requests: the conflicting paths (empty when none, or when the Hub sent only `true`).
    pub fn conflicting_files(&self) -> &[String] {
        match &self.files_with_conflicts {
            Some(ConflictingFiles::Paths(paths)) => paths,
            _ => &[],
        }
    }
}

/// What every event has: id, type, time, author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventInfo {
    /// The event's id (the `comment_id` of comment operations).
    pub id: String,
    /// `comment`, `status-change`, `title-change`, `commit`, or a type this version does not know.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When.
    #[serde(with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
    /// Who (`None`: a deleted account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<DiscussionUser>,
}

impl EventInfo {
    /// The author's user name (`deleted` for a deleted account).
    pub fn author_name(&self) -> &str {
        name_or_deleted(self.author.as_ref())
    }
}

/// A comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionComment {
    /// Id, type, time, author.
    #[serde(flatten)]
    pub info: EventInfo,
    /// Its current text (markdown).
    pub content: String,
    /// Its current text rendered as HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<String>,
    /// Edited since posted.
    pub edited: bool,
    /// Hidden by a maintainer.
    pub hidden: bool,
    /// Time of the last edit.
    #[serde(
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_edited_at: Option<OffsetDateTime>,
    /// Number of earlier versions.
    pub number_of_edits: usize,
}

/// A status change (`open`, `closed`, `merged`, ...): a merge is the change to `merged`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionStatusChange {
    /// Id, type, time, author.
    #[serde(flatten)]
    pub info: EventInfo,
    /// The new status.
    pub new_status: DiscussionStatus,
}

/// A commit pushed to a pull request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionCommit {
    /// Id, type, time, author.
    #[serde(flatten)]
    pub info: EventInfo,
    /// The commit's title.
    pub summary: String,
    /// The commit id.
    pub oid: String,
}

/// A rename.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionTitleChange {
    /// Id, type, time, author.
    #[serde(flatten)]
    pub info: EventInfo,
    /// The title before.
    pub old_title: String,
    /// The title after.
    pub new_title: String,
}

/// An event of a type this version does not know (or whose data it cannot read), kept whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OtherEvent {
    /// Id, type, time, author.
    #[serde(flatten)]
    pub info: EventInfo,
    /// The event's `data`, verbatim.
    pub data: Value,
}

/// One event of a discussion: typed for the known types, [`DiscussionEvent::Other`] for the
/// rest (forward compatible: a new event type never breaks reading a discussion).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum DiscussionEvent {
    /// `comment`.
    Comment(DiscussionComment),
    /// `status-change`.
    StatusChange(DiscussionStatusChange),
    /// `title-change`.
    TitleChange(DiscussionTitleChange),
    /// `commit`.
    Commit(DiscussionCommit),
    /// Any other type.
    Other(OtherEvent),
}

impl DiscussionEvent {
    /// Id, type, time, author.
    pub fn info(&self) -> &EventInfo {
        match self {
            DiscussionEvent::Comment(e) => &e.info,
            DiscussionEvent::StatusChange(e) => &e.info,
            DiscussionEvent::TitleChange(e) => &e.info,
            DiscussionEvent::Commit(e) => &e.info,
            DiscussionEvent::Other(e) => &e.info,
        }
    }

    /// Reads an event from its wire form (`{"id", "type", "createdAt", "author", "data"}`).
    pub fn from_value(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }

    fn typed(info: EventInfo, data: &Value) -> Option<Self> {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        Some(match info.event_type.as_str() {
            "comment" => {
                let latest = data.get("latest")?;
                DiscussionEvent::Comment(DiscussionComment {
                    content: text(latest.get("raw")?)?,
                    rendered: latest.get("html").and_then(text),
                    edited: data.get("edited")?.as_bool()?,
                    hidden: data.get("hidden")?.as_bool()?,
                    last_edited_at: latest
                        .get("updatedAt")
                        .and_then(Value::as_str)
                        .and_then(|t| crate::timestamp::parse(t).ok()),
                    number_of_edits: data
                        .get("history")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len),
                    info,
                })
            }
            "status-change" => DiscussionEvent::StatusChange(DiscussionStatusChange {
                new_status: DiscussionStatus::from(data.get("status")?.as_str()?),
                info,
            }),
            "commit" => DiscussionEvent::Commit(DiscussionCommit {
                summary: text(data.get("subject")?)?,
                oid: text(data.get("oid")?)?,
                info,
            }),
            "title-change" => DiscussionEvent::TitleChange(DiscussionTitleChange {
                old_title: text(data.get("from")?)?,
                new_title: text(data.get("to")?)?,
                info,
            }),
            _ => return None,
        })
    }
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(flatten)]
    info: EventInfo,
    #[serde(default)]
    data: Value,
}

impl<'de> Deserialize<'de> for DiscussionEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawEvent::deserialize(deserializer)?;
        Ok(
            DiscussionEvent::typed(raw.info.clone(), &raw.data).unwrap_or(DiscussionEvent::Other(
                OtherEvent {
                    info: raw.info,
                    data: raw.data,
                },
            )),
        )
    }
}

/// A like as `GET /api/users/{user}/likes` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LikedRepo {
    /// When.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// The repo liked.
    pub repo: DiscussionRepo,
}

/// The repos a user likes, by type: the Python client's `UserLikes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserLikes {
    /// The user.
    pub user: String,
    /// Number of likes.
    pub total: usize,
    /// Models liked.
    pub models: Vec<String>,
    /// Datasets liked.
    pub datasets: Vec<String>,
    /// Spaces liked.
    pub spaces: Vec<String>,
}

impl UserLikes {
    /// Sorts `likes` of `user` by repo type (unknown types are counted, not listed).
    pub fn from_likes(user: impl Into<String>, likes: &[LikedRepo]) -> Self {
        let of = |t: &str| -> Vec<String> {
            likes
                .iter()
                .filter(|l| l.repo.repo_type == t)
                .map(|l| l.repo.name.clone())
                .collect()
        };
        UserLikes {
            user: user.into(),
            total: likes.len(),
            models: of("model"),
            datasets: of("dataset"),
            spaces: of("space"),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessRequestWire {
    user: AccessRequestUser,
    status: AccessRequestStatus,
    #[serde(with = "crate::timestamp")]
    timestamp: OffsetDateTime,
    #[serde(default)]
    fields: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct AccessRequestUser {
    user: String,
    #[serde(default)]
    fullname: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// A user's request for access to a gated repo (`GET .../user-access-request/{status}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "AccessRequestWire")]
#[non_exhaustive]
pub struct AccessRequest {
    /// The user.
    pub username: String,
    /// Display name.
    pub fullname: Option<String>,
    /// Email (absent for access granted by an admin).
    pub email: Option<String>,
    /// Status.
    pub status: AccessRequestStatus,
    /// When it was made or last changed.
    #[serde(with = "crate::timestamp")]
    pub timestamp: OffsetDateTime,
    /// Answers to the gate's form, if it has fields.
    pub fields: Option<Map<String, Value>>,
}

impl From<AccessRequestWire> for AccessRequest {
    fn from(wire: AccessRequestWire) -> Self {
        AccessRequest {
            username: wire.user.user,
            fullname: wire.user.fullname,
            email: wire.user.email,
            status: wire.status,
            timestamp: wire.timestamp,
            fields: wire.fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_and_events_read_typed_and_unknown_kept() {
        let details: DiscussionWithDetails = serde_json::from_str(
            r#"{"num": 3, "title": "Add weights", "status": "open", "isPullRequest": true,
                "createdAt": "2024-01-10T08:00:00.000Z", "author": {"name": "alice"},
                "repo": {"name": "org/model", "type": "model"},
                "changes": {"base": "refs/heads/main", "mergeCommitId": null},
                "filesWithConflicts": ["a.txt"], "diff": "diff --git a/x b/x\n",
                "events": [
                  {"id": "e1", "type": "comment", "createdAt": "2024-01-10T08:00:00.000Z",
                   "author": {"name": "alice"},
                   "data": {"edited": true, "hidden": false, "history": [{}],
                            "latest": {"raw": "hi", "html": "<p>hi</p>", "updatedAt": "2024-01-11T08:00:00.000Z"}}},
                  {"id": "e2", "type": "commit", "createdAt": "2024-01-10T08:00:00.000Z",
                   "data": {"subject": "Upload", "oid": "1a2b"}},
                  {"id": "e3", "type": "title-change", "createdAt": "2024-01-10T08:00:00.000Z",
                   "data": {"from": "a", "to": "b"}},
                  {"id": "e4", "type": "status-change", "createdAt": "2024-01-10T08:00:00.000Z",
                   "data": {"status": "merged"}},
                  {"id": "e5", "type": "pinning", "createdAt": "2024-01-10T08:00:00.000Z",
                   "data": {"pinned": true}}]}"#,
        )
        .unwrap();
        assert_eq!(details.target_branch(), Some("refs/heads/main"));
        assert_eq!(details.conflicting_files(), ["a.txt"]);
        assert_eq!(
            details.discussion.git_reference().as_deref(),
            Some("refs/pr/3")
        );
        assert_eq!(
            details.discussion.url("http://h/"),
            "http://h/org/model/discussions/3"
        );
        match &details.events[0] {
            DiscussionEvent::Comment(c) => {
                assert_eq!(c.content, "hi");
                assert!(c.edited);
                assert_eq!(c.number_of_edits, 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&details.events[1], DiscussionEvent::Commit(c) if c.oid == "1a2b" && c.info.author_name() == "deleted")
        );
        assert!(
            matches!(&details.events[2], DiscussionEvent::TitleChange(t) if t.new_title == "b")
        );
        assert!(
            matches!(&details.events[3], DiscussionEvent::StatusChange(s) if s.new_status == DiscussionStatus::Merged)
        );
        assert!(
            matches!(&details.events[4], DiscussionEvent::Other(o) if o.info.event_type == "pinning" && o.data["pinned"] == true)
        );
        // Round trip through our own JSON keeps every event readable as typed.
        let json = serde_json::to_value(&details.events[4]).unwrap();
        assert_eq!(json["type"], "pinning");
    }

    #[test]
    fn access_requests_and_likes() {
        let r: AccessRequest = serde_json::from_str(
            r#"{"user": {"user": "bob", "fullname": "Bob"}, "status": "accepted",
                "timestamp": "2024-05-01T10:00:00.000Z", "fields": {"company": "ACME"}}"#,
        )
        .unwrap();
        assert_eq!(r.username, "bob");
        assert_eq!(r.email, None);
        assert_eq!(r.status, AccessRequestStatus::Accepted);
        let likes: Vec<LikedRepo> = serde_json::from_str(
            r#"[{"createdAt": "2024-05-01T10:00:00.000Z", "repo": {"name": "a/m", "type": "model"}},
                {"repo": {"name": "a/d", "type": "dataset"}}]"#,
        )
        .unwrap();
        let user = UserLikes::from_likes("alice", &likes);
        assert_eq!(user.total, 2);
        assert_eq!(user.models, ["a/m"]);
        assert_eq!(user.datasets, ["a/d"]);
    }
}
