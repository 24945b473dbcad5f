//! Discussions and pull requests (protocol §9.1): list, read, open, comment, edit, hide, rename,
//! close/reopen, merge.
//!
//! One request builder per operation; `.await` sends it. The listing also offers
//! `.into_stream()`, which follows the Hub's page numbers (`p=0,1,...` while `start + len < count`).

use futures_util::Stream;
use hf_http::{HubClient, Method, RepoTarget, impl_into_future, impl_repo_request};
use hf_types::{
    Discussion, DiscussionComment, DiscussionEvent, DiscussionStatusChange, DiscussionTitleChange,
    DiscussionWithDetails, RepoId,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{Error, Result};

/// Longest title the Hub accepts (characters).
pub const MAX_TITLE: usize = 200;

/// Refuses discussion number 0 before sending (numbers start at 1).
fn check_num(num: u64) -> Result<()> {
    if num == 0 {
        return Err(Error::InvalidArgument(
            "invalid discussion number 0: numbers start at 1".into(),
        ));
    }
    Ok(())
}

/// A title: trimmed, not empty, at most [`MAX_TITLE`] characters.
fn check_title(title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::InvalidArgument("a title must not be empty".into()));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(Error::InvalidArgument(format!(
            "a title is at most {MAX_TITLE} characters"
        )));
    }
    Ok(title.to_owned())
}

/// A comment: not blank.
fn check_comment(what: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::InvalidArgument(format!("{what} must not be empty")));
    }
    Ok(())
}

/// Reads the event under `key` of a change's answer as a `T` (its typed variant).
fn event_of<T>(answer: &Value, key: &str, pick: fn(DiscussionEvent) -> Option<T>) -> Result<T> {
    let event = answer
        .get(key)
        .cloned()
        .ok_or_else(|| Error::protocol("discussion change", format!("no `{key}` in the answer")))?;
    let event = DiscussionEvent::from_value(event)
        .map_err(|e| Error::protocol("discussion event", e.to_string()))?;
    let kind = event.info().event_type.clone();
    pick(event).ok_or_else(|| {
        Error::protocol(
            "discussion event",
            format!("`{key}` is an unexpected `{kind}` event"),
        )
    })
}

fn as_comment(event: DiscussionEvent) -> Option<DiscussionComment> {
    match event {
        DiscussionEvent::Comment(c) => Some(c),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

/// Which discussions a listing returns by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscussionType {
    /// Discussions and pull requests.
    All,
    /// Discussions only.
    Discussion,
    /// Pull requests only.
    PullRequest,
}

impl DiscussionType {
    /// The wire value (`all`, `discussion`, `pull_request`).
    pub fn as_str(self) -> &'static str {
        match self {
            DiscussionType::All => "all",
            DiscussionType::Discussion => "discussion",
            DiscussionType::PullRequest => "pull_request",
        }
    }
}

impl std::str::FromStr for DiscussionType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "all" => Ok(DiscussionType::All),
            "discussion" => Ok(DiscussionType::Discussion),
            "pull_request" => Ok(DiscussionType::PullRequest),
            other => Err(Error::InvalidArgument(format!(
                "invalid discussion type {other:?}: expected all, discussion or pull_request"
            ))),
        }
    }
}

/// Which discussions a listing returns by status (`open` includes drafts, `closed` merged pull
/// requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscussionStatusFilter {
    /// Every status.
    All,
    /// Open and draft.
    Open,
    /// Closed and merged.
    Closed,
}

impl DiscussionStatusFilter {
    /// The wire value (`all`, `open`, `closed`).
    pub fn as_str(self) -> &'static str {
        match self {
            DiscussionStatusFilter::All => "all",
            DiscussionStatusFilter::Open => "open",
            DiscussionStatusFilter::Closed => "closed",
        }
    }
}

impl std::str::FromStr for DiscussionStatusFilter {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "all" => Ok(DiscussionStatusFilter::All),
            "open" => Ok(DiscussionStatusFilter::Open),
            "closed" => Ok(DiscussionStatusFilter::Closed),
            other => Err(Error::InvalidArgument(format!(
                "invalid discussion status {other:?}: expected all, open or closed"
            ))),
        }
    }
}

/// Lists the discussions and pull requests of a repo, newest first: the Python client's
/// `get_repo_discussions` (`GET /api/{type}/{repo}/discussions?p=...`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use futures_util::TryStreamExt;
/// use hf_community::discussions::{DiscussionType, GetRepoDiscussions};
/// let mut prs = std::pin::pin!(GetRepoDiscussions::new(client, "openai-community/gpt2".parse()?)
///     .discussion_type(DiscussionType::PullRequest)
///     .into_stream());
/// while let Some(pr) = prs.try_next().await? {
///     println!("#{} {} ({})", pr.num, pr.title, pr.status);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct GetRepoDiscussions {
    target: RepoTarget,
    author: Option<String>,
    discussion_type: Option<DiscussionType>,
    discussion_status: Option<DiscussionStatusFilter>,
}

impl_repo_request!(GetRepoDiscussions);

#[derive(Deserialize)]
struct DiscussionPage {
    discussions: Vec<Discussion>,
    count: u64,
    start: u64,
}

impl GetRepoDiscussions {
    /// Every discussion and pull request of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        GetRepoDiscussions {
            target: RepoTarget::new(client, repo_id),
            author: None,
            discussion_type: None,
            discussion_status: None,
        }
    }

    /// Only those opened by this user.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = Some(author.into());
        self
    }

    /// Only discussions, or only pull requests.
    pub fn discussion_type(mut self, discussion_type: DiscussionType) -> Self {
        self.discussion_type = Some(discussion_type);
        self
    }

    /// Only open ones, or only closed ones.
    pub fn discussion_status(mut self, status: DiscussionStatusFilter) -> Self {
        self.discussion_status = Some(status);
        self
    }

    async fn page(&self, page: u64) -> Result<DiscussionPage> {
        let route = self
            .target
            .routes()
            .discussions()
            .with_opt("type", self.discussion_type.map(DiscussionType::as_str))
            .with_opt(
                "status",
                self.discussion_status.map(DiscussionStatusFilter::as_str),
            )
            .with_opt("author", self.author.clone())
            .with("p", page.to_string());
        let page: DiscussionPage = self.target.route(Method::GET, &route).await?.json().await?;
        Ok(page)
    }

    /// The discussions, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<Discussion>> + Send + 'static {
        // State: the next page number, or None once the last page was read.
        let pages = futures_util::stream::try_unfold(Some(0u64), move |next| {
            let this = self.clone();
            async move {
                let Some(page) = next else {
                    return Ok(None);
                };
                let answer = this.page(page).await?;
                let read = answer.start + answer.discussions.len() as u64;
                // An empty page ends the listing even if `count` says more (no endless loop).
                let more = read < answer.count && !answer.discussions.is_empty();
                Ok::<_, Error>(Some((answer.discussions, more.then_some(page + 1))))
            }
        });
        futures_util::TryStreamExt::try_flatten(futures_util::TryStreamExt::map_ok(
            pages,
            |items| futures_util::stream::iter(items.into_iter().map(Ok)),
        ))
    }
}

impl_into_future!(GetRepoDiscussions => Vec<Discussion>, collect);

// ---------------------------------------------------------------------------------------------
// Details and creation
// ---------------------------------------------------------------------------------------------

/// A discussion or pull request with its events, target branch, conflicts and diff: the Python
/// client's `get_discussion_details` (`GET /api/{type}/{repo}/discussions/{num}?diff=1`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::GetDiscussionDetails;
/// let pr = GetDiscussionDetails::new(client, "alice/tiny".parse()?, 3).await?;
/// println!("{} -> {:?}", pr.discussion.title, pr.target_branch());
/// println!("{}", pr.diff.as_deref().unwrap_or_default());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetDiscussionDetails {
    target: RepoTarget,
    num: u64,
}

impl_repo_request!(GetDiscussionDetails);

impl GetDiscussionDetails {
    /// Discussion `num` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, num: u64) -> Self {
        GetDiscussionDetails {
            target: RepoTarget::new(client, repo_id),
            num,
        }
    }

    async fn run(self) -> Result<DiscussionWithDetails> {
        check_num(self.num)?;
        let route = self.target.routes().discussion(self.num).with("diff", "1");
        let details = self.target.route(Method::GET, &route).await?.json().await?;
        Ok(details)
    }
}

impl_into_future!(GetDiscussionDetails => DiscussionWithDetails, run);

/// Opens a discussion or a pull request, then reads it back: the Python client's
/// `create_discussion` and `create_pull_request` (`POST /api/{type}/{repo}/discussions`).
///
/// A blank description becomes the Python client's default text. A pull request opened this way
/// is a draft whose ref `refs/pr/{num}` starts at the head of the default branch: commit to it
/// with `revision = refs/pr/{num}`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::CreateDiscussion;
/// let pr = CreateDiscussion::new(client, "alice/tiny".parse()?, "Add weights")
///     .description("Converted to safetensors")
///     .pull_request(true)
///     .await?;
/// println!("{:?}", pr.discussion.git_reference());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateDiscussion {
    target: RepoTarget,
    title: String,
    description: Option<String>,
    pull_request: bool,
}

impl_repo_request!(CreateDiscussion);

impl CreateDiscussion {
    /// A discussion titled `title` on the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, title: impl Into<String>) -> Self {
        CreateDiscussion {
            target: RepoTarget::new(client, repo_id),
            title: title.into(),
            description: None,
            pull_request: false,
        }
    }

    /// Its first comment (markdown).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// `true`: a pull request rather than a discussion.
    pub fn pull_request(mut self, pull_request: bool) -> Self {
        self.pull_request = pull_request;
        self
    }

    async fn run(self) -> Result<DiscussionWithDetails> {
        let title = check_title(&self.title)?;
        let description = match self.description.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => d.to_owned(),
            _ => format!(
                "{} opened with the [huggingface_hub Python library](https://huggingface.co/docs/huggingface_hub)",
                if self.pull_request {
                    "Pull Request"
                } else {
                    "Discussion"
                }
            ),
        };
        let route = self.target.routes().discussions();
        let answer: Value = self
            .target
            .route(Method::POST, &route)
            .json(&json!({"title": title, "description": description, "pullRequest": self.pull_request}))
            .await?
            .json()
            .await?;
        let num = answer
            .get("num")
            .and_then(Value::as_u64)
            .ok_or_else(|| Error::protocol("create discussion", "no `num` in the answer"))?;
        GetDiscussionDetails {
            target: self.target,
            num,
        }
        .run()
        .await
    }
}

impl_into_future!(CreateDiscussion => DiscussionWithDetails, run);

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

/// `POST /api/{type}/{repo}/discussions/{num}/{resource}` with `body`; the answer as JSON
/// (`{}` when it has none).
async fn post_change(
    target: &RepoTarget,
    route: &hf_types::Route,
    body: Option<&Value>,
) -> Result<Value> {
    let mut request = target.route(Method::POST, route);
    if let Some(body) = body {
        request = request.json(body);
    }
    let bytes = request.await?.bytes().await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::protocol("discussion change", e.to_string()))
}

/// Comments on a discussion or pull request: the Python client's `comment_discussion`
/// (`POST .../discussions/{num}/comment` `{"comment"}`). Resolves to the new comment.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::CommentDiscussion;
/// let comment = CommentDiscussion::new(client, "alice/tiny".parse()?, 3, "Thanks!").await?;
/// println!("{}", comment.info.id);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CommentDiscussion {
    target: RepoTarget,
    num: u64,
    comment: String,
}

impl_repo_request!(CommentDiscussion);

impl CommentDiscussion {
    /// Comments `comment` (markdown, not blank) on discussion `num` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, num: u64, comment: impl Into<String>) -> Self {
        CommentDiscussion {
            target: RepoTarget::new(client, repo_id),
            num,
            comment: comment.into(),
        }
    }

    async fn run(self) -> Result<DiscussionComment> {
        check_num(self.num)?;
        check_comment("a comment", &self.comment)?;
        let route = self.target.routes().discussion_comment(self.num);
        let answer = post_change(
            &self.target,
            &route,
            Some(&json!({"comment": self.comment})),
        )
        .await?;
        event_of(&answer, "newMessage", as_comment)
    }
}

impl_into_future!(CommentDiscussion => DiscussionComment, run);

/// Replaces the text of a comment: the Python client's `edit_discussion_comment`
/// (`POST .../discussions/{num}/comment/{id}/edit` `{"content"}`). Resolves to the comment.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::EditDiscussionComment;
/// EditDiscussionComment::new(client, "alice/tiny".parse()?, 3, "659e0001", "Fixed typo").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct EditDiscussionComment {
    target: RepoTarget,
    num: u64,
    comment_id: String,
    new_content: String,
}

impl_repo_request!(EditDiscussionComment);

impl EditDiscussionComment {
    /// Sets the text of comment `comment_id` (its event id) of discussion `num`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        num: u64,
        comment_id: impl Into<String>,
        new_content: impl Into<String>,
    ) -> Self {
        EditDiscussionComment {
            target: RepoTarget::new(client, repo_id),
            num,
            comment_id: comment_id.into(),
            new_content: new_content.into(),
        }
    }

    async fn run(self) -> Result<DiscussionComment> {
        check_num(self.num)?;
        check_comment("a comment", &self.new_content)?;
        check_comment("a comment id", &self.comment_id)?;
        let route = self
            .target
            .routes()
            .discussion_comment_edit(self.num, &self.comment_id.to_lowercase());
        let answer = post_change(
            &self.target,
            &route,
            Some(&json!({"content": self.new_content})),
        )
        .await?;
        event_of(&answer, "updatedComment", as_comment)
    }
}

impl_into_future!(EditDiscussionComment => DiscussionComment, run);

/// Hides a comment (repo writers only; cannot be undone): the Python client's
/// `hide_discussion_comment` (`POST .../discussions/{num}/comment/{id}/hide`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::HideDiscussionComment;
/// let hidden = HideDiscussionComment::new(client, "alice/tiny".parse()?, 3, "659e0001").await?;
/// assert!(hidden.hidden);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct HideDiscussionComment {
    target: RepoTarget,
    num: u64,
    comment_id: String,
}

impl_repo_request!(HideDiscussionComment);

impl HideDiscussionComment {
    /// Hides comment `comment_id` of discussion `num`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        num: u64,
        comment_id: impl Into<String>,
    ) -> Self {
        HideDiscussionComment {
            target: RepoTarget::new(client, repo_id),
            num,
            comment_id: comment_id.into(),
        }
    }

    async fn run(self) -> Result<DiscussionComment> {
        check_num(self.num)?;
        check_comment("a comment id", &self.comment_id)?;
        let route = self
            .target
            .routes()
            .discussion_comment_hide(self.num, &self.comment_id.to_lowercase());
        let answer = post_change(&self.target, &route, None).await?;
        event_of(&answer, "updatedComment", as_comment)
    }
}

impl_into_future!(HideDiscussionComment => DiscussionComment, run);

/// Renames a discussion or pull request: the Python client's `rename_discussion`
/// (`POST .../discussions/{num}/title` `{"title"}`). Resolves to the title change.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::RenameDiscussion;
/// let change = RenameDiscussion::new(client, "alice/tiny".parse()?, 3, "Better title").await?;
/// println!("{} -> {}", change.old_title, change.new_title);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RenameDiscussion {
    target: RepoTarget,
    num: u64,
    new_title: String,
}

impl_repo_request!(RenameDiscussion);

impl RenameDiscussion {
    /// Renames discussion `num` to `new_title`.
    pub fn new(client: HubClient, repo_id: RepoId, num: u64, new_title: impl Into<String>) -> Self {
        RenameDiscussion {
            target: RepoTarget::new(client, repo_id),
            num,
            new_title: new_title.into(),
        }
    }

    async fn run(self) -> Result<DiscussionTitleChange> {
        check_num(self.num)?;
        let title = check_title(&self.new_title)?;
        let route = self.target.routes().discussion_title(self.num);
        let answer = post_change(&self.target, &route, Some(&json!({"title": title}))).await?;
        event_of(&answer, "newTitle", |e| match e {
            DiscussionEvent::TitleChange(t) => Some(t),
            _ => None,
        })
    }
}

impl_into_future!(RenameDiscussion => DiscussionTitleChange, run);

/// The status a discussion can be given: open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NewDiscussionStatus {
    /// Reopen (or publish a draft pull request).
    Open,
    /// Close.
    Closed,
}

impl NewDiscussionStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            NewDiscussionStatus::Open => "open",
            NewDiscussionStatus::Closed => "closed",
        }
    }
}

impl std::str::FromStr for NewDiscussionStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "open" => Ok(NewDiscussionStatus::Open),
            "closed" => Ok(NewDiscussionStatus::Closed),
            other => Err(Error::InvalidArgument(format!(
                "invalid status {other:?}: expected open or closed"
            ))),
        }
    }
}

/// Closes or reopens a discussion or pull request, optionally with a comment: the Python
/// client's `change_discussion_status` (`POST .../discussions/{num}/status`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::{ChangeDiscussionStatus, NewDiscussionStatus};
/// ChangeDiscussionStatus::new(client, "alice/tiny".parse()?, 3, NewDiscussionStatus::Closed)
///     .comment("Superseded by #4")
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ChangeDiscussionStatus {
    target: RepoTarget,
    num: u64,
    new_status: NewDiscussionStatus,
    comment: Option<String>,
}

impl_repo_request!(ChangeDiscussionStatus);

impl ChangeDiscussionStatus {
    /// Gives discussion `num` the status `new_status`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        num: u64,
        new_status: NewDiscussionStatus,
    ) -> Self {
        ChangeDiscussionStatus {
            target: RepoTarget::new(client, repo_id),
            num,
            new_status,
            comment: None,
        }
    }

    /// A comment posted with the change (a blank one is not sent).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    async fn run(self) -> Result<DiscussionStatusChange> {
        check_num(self.num)?;
        let mut body = json!({"status": self.new_status.as_str()});
        if let Some(comment) = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            body["comment"] = json!(comment);
        }
        let route = self.target.routes().discussion_status(self.num);
        let answer = post_change(&self.target, &route, Some(&body)).await?;
        event_of(&answer, "newStatus", |e| match e {
            DiscussionEvent::StatusChange(s) => Some(s),
            _ => None,
        })
    }
}

impl_into_future!(ChangeDiscussionStatus => DiscussionStatusChange, run);

/// Merges a pull request into its target branch (repo writers only): the Python client's
/// `merge_pull_request` (`POST .../discussions/{num}/merge`). A pull request with conflicts, a
/// closed or merged one, or a discussion is refused by the Hub.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::discussions::MergePullRequest;
/// MergePullRequest::new(client, "alice/tiny".parse()?, 3).comment("LGTM").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct MergePullRequest {
    target: RepoTarget,
    num: u64,
    comment: Option<String>,
}

impl_repo_request!(MergePullRequest);

impl MergePullRequest {
    /// Merges pull request `num` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, num: u64) -> Self {
        MergePullRequest {
            target: RepoTarget::new(client, repo_id),
            num,
            comment: None,
        }
    }

    /// A comment posted with the merge (a blank one is not sent).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    async fn run(self) -> Result<()> {
        check_num(self.num)?;
        let body = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| json!({"comment": c}));
        let route = self.target.routes().discussion_merge(self.num);
        post_change(&self.target, &route, body.as_ref()).await?;
        Ok(())
    }
}

impl_into_future!(MergePullRequest => (), run);
