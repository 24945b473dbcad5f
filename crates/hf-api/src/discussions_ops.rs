//! Discussions and pull requests, likes and gated-repo access requests under their Python
//! names: `get_repo_discussions`, `get_discussion_details`, `create_discussion`,
//! `create_pull_request`, `comment_discussion`, `edit_discussion_comment`,
//! `hide_discussion_comment`, `rename_discussion`, `change_discussion_status`,
//! `merge_pull_request`, `like`, `unlike`, `list_liked_repos`, `list_repo_likers`,
//! `list_pending_access_requests`, `list_accepted_access_requests`,
//! `list_rejected_access_requests`, `accept_access_request`, `reject_access_request`,
//! `cancel_access_request`, `grant_access`, and the user's `request_access`.
//!
//! Each returns the request builder of [`hf_community`]; `.repo_type(...)` (from the prelude)
//! chooses a dataset or Space.

use hf_community::access_requests::{
    GrantAccess, HandleAccessRequest, ListAccessRequests, RequestAccess,
};
use hf_community::discussions::{
    ChangeDiscussionStatus, CommentDiscussion, CreateDiscussion, EditDiscussionComment,
    GetDiscussionDetails, GetRepoDiscussions, HideDiscussionComment, MergePullRequest,
    NewDiscussionStatus, RenameDiscussion,
};
use hf_community::likes::{Like, ListLikedRepos, ListRepoLikers, Unlike};
use hf_types::RepoId;

use crate::{HfApi, RepoHandle};

impl HfApi {
    /// `get_repo_discussions`: the discussions and pull requests of a repo, newest first
    /// (filters `.author`, `.discussion_type`, `.discussion_status`; `.into_stream()` pages).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// use hf_api::community::discussions::DiscussionType;
    /// let prs = api
    ///     .get_repo_discussions("alice/tiny".parse()?)
    ///     .discussion_type(DiscussionType::PullRequest)
    ///     .await?;
    /// # let _ = prs; Ok(()) }
    /// ```
    pub fn get_repo_discussions(&self, repo_id: RepoId) -> GetRepoDiscussions {
        GetRepoDiscussions::new(self.client.clone(), repo_id)
    }

    /// `get_discussion_details`: a discussion with its events, and for a pull request its
    /// target branch, conflicting files, merge commit and diff.
    pub fn get_discussion_details(&self, repo_id: RepoId, num: u64) -> GetDiscussionDetails {
        GetDiscussionDetails::new(self.client.clone(), repo_id, num)
    }

    /// `create_discussion`: opens a discussion (`.description`, `.pull_request(true)`).
    pub fn create_discussion(&self, repo_id: RepoId, title: impl Into<String>) -> CreateDiscussion {
        CreateDiscussion::new(self.client.clone(), repo_id, title)
    }

    /// `create_pull_request`: opens a draft pull request whose ref `refs/pr/{num}` starts at
    /// the default branch; commit to it with `revision = refs/pr/{num}`.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let pr = api.create_pull_request("alice/tiny".parse()?, "Add weights").await?;
    /// let revision: Revision = pr.discussion.git_reference().unwrap_or_default().parse()?;
    /// api.upload_bytes("alice/tiny".parse()?, b"...".to_vec(), "weights.bin".parse()?)
    ///     .revision(revision)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create_pull_request(
        &self,
        repo_id: RepoId,
        title: impl Into<String>,
    ) -> CreateDiscussion {
        self.create_discussion(repo_id, title).pull_request(true)
    }

    /// `comment_discussion`: comments on a discussion or pull request.
    pub fn comment_discussion(
        &self,
        repo_id: RepoId,
        num: u64,
        comment: impl Into<String>,
    ) -> CommentDiscussion {
        CommentDiscussion::new(self.client.clone(), repo_id, num, comment)
    }

    /// `edit_discussion_comment`: replaces the text of a comment (its author or a writer).
    pub fn edit_discussion_comment(
        &self,
        repo_id: RepoId,
        num: u64,
        comment_id: impl Into<String>,
        new_content: impl Into<String>,
    ) -> EditDiscussionComment {
        EditDiscussionComment::new(self.client.clone(), repo_id, num, comment_id, new_content)
    }

    /// `hide_discussion_comment`: hides a comment (writers only; cannot be undone).
    pub fn hide_discussion_comment(
        &self,
        repo_id: RepoId,
        num: u64,
        comment_id: impl Into<String>,
    ) -> HideDiscussionComment {
        HideDiscussionComment::new(self.client.clone(), repo_id, num, comment_id)
    }

    /// `rename_discussion`: changes the title (its author or a writer).
    pub fn rename_discussion(
        &self,
        repo_id: RepoId,
        num: u64,
        new_title: impl Into<String>,
    ) -> RenameDiscussion {
        RenameDiscussion::new(self.client.clone(), repo_id, num, new_title)
    }

    /// `change_discussion_status`: closes or reopens (its author or a writer; `.comment`).
    pub fn change_discussion_status(
        &self,
        repo_id: RepoId,
        num: u64,
        new_status: NewDiscussionStatus,
    ) -> ChangeDiscussionStatus {
        ChangeDiscussionStatus::new(self.client.clone(), repo_id, num, new_status)
    }

    /// `merge_pull_request`: merges a pull request into its target (writers only; `.comment`).
    pub fn merge_pull_request(&self, repo_id: RepoId, num: u64) -> MergePullRequest {
        MergePullRequest::new(self.client.clone(), repo_id, num)
    }

    /// `like`: likes a repo.
    pub fn like(&self, repo_id: RepoId) -> Like {
        Like::new(self.client.clone(), repo_id)
    }

    /// `unlike`: removes the caller's like.
    pub fn unlike(&self, repo_id: RepoId) -> Unlike {
        Unlike::new(self.client.clone(), repo_id)
    }

    /// `list_liked_repos`: the repos a user (`.user`, default the caller) likes.
    pub fn list_liked_repos(&self) -> ListLikedRepos {
        ListLikedRepos::new(self.client.clone())
    }

    /// `list_repo_likers`: the users who like a repo.
    pub fn list_repo_likers(&self, repo_id: RepoId) -> ListRepoLikers {
        ListRepoLikers::new(self.client.clone(), repo_id)
    }

    /// `list_pending_access_requests` (repo admins).
    pub fn list_pending_access_requests(&self, repo_id: RepoId) -> ListAccessRequests {
        ListAccessRequests::pending(self.client.clone(), repo_id)
    }

    /// `list_accepted_access_requests` (repo admins).
    pub fn list_accepted_access_requests(&self, repo_id: RepoId) -> ListAccessRequests {
        ListAccessRequests::accepted(self.client.clone(), repo_id)
    }

    /// `list_rejected_access_requests` (repo admins).
    pub fn list_rejected_access_requests(&self, repo_id: RepoId) -> ListAccessRequests {
        ListAccessRequests::rejected(self.client.clone(), repo_id)
    }

    /// `accept_access_request`: gives `user` access (repo admins).
    pub fn accept_access_request(
        &self,
        repo_id: RepoId,
        user: impl Into<String>,
    ) -> HandleAccessRequest {
        HandleAccessRequest::accept(self.client.clone(), repo_id, user)
    }

    /// `reject_access_request`: refuses `user` (`.rejection_reason`; repo admins).
    pub fn reject_access_request(
        &self,
        repo_id: RepoId,
        user: impl Into<String>,
    ) -> HandleAccessRequest {
        HandleAccessRequest::reject(self.client.clone(), repo_id, user)
    }

    /// `cancel_access_request`: moves the request of `user` back to pending (repo admins).
    pub fn cancel_access_request(
        &self,
        repo_id: RepoId,
        user: impl Into<String>,
    ) -> HandleAccessRequest {
        HandleAccessRequest::cancel(self.client.clone(), repo_id, user)
    }

    /// `grant_access`: gives `user` access without a request (repo admins).
    pub fn grant_access(&self, repo_id: RepoId, user: impl Into<String>) -> GrantAccess {
        GrantAccess::new(self.client.clone(), repo_id, user)
    }

    /// The user's side of a gated repo: asks for access (`.field(name, value)` answers the
    /// gate's form); resolves to `accepted` or `pending`.
    pub fn request_access(&self, repo_id: RepoId) -> RequestAccess {
        RequestAccess::new(self.client.clone(), repo_id)
    }
}

/// The repo-scoped operations on a [`RepoHandle`] (repo id and type bound once).
impl RepoHandle {
    /// `get_repo_discussions`.
    pub fn get_repo_discussions(&self) -> GetRepoDiscussions {
        self.bind(self.api().get_repo_discussions(self.id()))
    }

    /// `get_discussion_details`.
    pub fn get_discussion_details(&self, num: u64) -> GetDiscussionDetails {
        self.bind(self.api().get_discussion_details(self.id(), num))
    }

    /// `create_discussion`.
    pub fn create_discussion(&self, title: impl Into<String>) -> CreateDiscussion {
        self.bind(self.api().create_discussion(self.id(), title))
    }

    /// `create_pull_request`.
    pub fn create_pull_request(&self, title: impl Into<String>) -> CreateDiscussion {
        self.bind(self.api().create_pull_request(self.id(), title))
    }

    /// `comment_discussion`.
    pub fn comment_discussion(&self, num: u64, comment: impl Into<String>) -> CommentDiscussion {
        self.bind(self.api().comment_discussion(self.id(), num, comment))
    }

    /// `edit_discussion_comment`.
    pub fn edit_discussion_comment(
        &self,
        num: u64,
        comment_id: impl Into<String>,
        new_content: impl Into<String>,
    ) -> EditDiscussionComment {
        self.bind(
            self.api()
                .edit_discussion_comment(self.id(), num, comment_id, new_content),
        )
    }

    /// `hide_discussion_comment`.
    pub fn hide_discussion_comment(
        &self,
        num: u64,
        comment_id: impl Into<String>,
    ) -> HideDiscussionComment {
        self.bind(
            self.api()
                .hide_discussion_comment(self.id(), num, comment_id),
        )
    }

    /// `rename_discussion`.
    pub fn rename_discussion(&self, num: u64, new_title: impl Into<String>) -> RenameDiscussion {
        self.bind(self.api().rename_discussion(self.id(), num, new_title))
    }

    /// `change_discussion_status`.
    pub fn change_discussion_status(
        &self,
        num: u64,
        new_status: NewDiscussionStatus,
    ) -> ChangeDiscussionStatus {
        self.bind(
            self.api()
                .change_discussion_status(self.id(), num, new_status),
        )
    }

    /// `merge_pull_request`.
    pub fn merge_pull_request(&self, num: u64) -> MergePullRequest {
        self.bind(self.api().merge_pull_request(self.id(), num))
    }

    /// `like`.
    pub fn like(&self) -> Like {
        self.bind(self.api().like(self.id()))
    }

    /// `unlike`.
    pub fn unlike(&self) -> Unlike {
        self.bind(self.api().unlike(self.id()))
    }

    /// `list_repo_likers`.
    pub fn list_repo_likers(&self) -> ListRepoLikers {
        self.bind(self.api().list_repo_likers(self.id()))
    }

    /// `list_pending_access_requests`.
    pub fn list_pending_access_requests(&self) -> ListAccessRequests {
        self.bind(self.api().list_pending_access_requests(self.id()))
    }

    /// `list_accepted_access_requests`.
    pub fn list_accepted_access_requests(&self) -> ListAccessRequests {
        self.bind(self.api().list_accepted_access_requests(self.id()))
    }

    /// `list_rejected_access_requests`.
    pub fn list_rejected_access_requests(&self) -> ListAccessRequests {
        self.bind(self.api().list_rejected_access_requests(self.id()))
    }

    /// `accept_access_request`.
    pub fn accept_access_request(&self, user: impl Into<String>) -> HandleAccessRequest {
        self.bind(self.api().accept_access_request(self.id(), user))
    }

    /// `reject_access_request`.
    pub fn reject_access_request(&self, user: impl Into<String>) -> HandleAccessRequest {
        self.bind(self.api().reject_access_request(self.id(), user))
    }

    /// `cancel_access_request`.
    pub fn cancel_access_request(&self, user: impl Into<String>) -> HandleAccessRequest {
        self.bind(self.api().cancel_access_request(self.id(), user))
    }

    /// `grant_access`.
    pub fn grant_access(&self, user: impl Into<String>) -> GrantAccess {
        self.bind(self.api().grant_access(self.id(), user))
    }

    /// Asks for access to this gated repo.
    pub fn request_access(&self) -> RequestAccess {
        self.bind(self.api().request_access(self.id()))
    }
}
