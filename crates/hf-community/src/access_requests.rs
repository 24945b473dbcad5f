//! Gated repos (protocol §9.5): the admins' side (list, accept, reject, cancel, grant) and the
//! user's side (ask for access).

use hf_http::{HubClient, Method, RepoTarget, impl_into_future, impl_repo_request};
use hf_types::{AccessRequest, AccessRequestStatus, RepoId};
use serde_json::{Value, json};

use crate::{Error, Result};

/// Longest rejection reason (characters), as the Python client documents.
pub const MAX_REJECTION_REASON: usize = 200;

fn check_user(user: &str) -> Result<()> {
    if user.trim().is_empty() {
        return Err(Error::InvalidArgument(
            "a user name must not be empty".into(),
        ));
    }
    Ok(())
}

/// The access requests of a gated repo in one status (repo admins only): the Python client's
/// `list_pending_access_requests`, `list_accepted_access_requests` and
/// `list_rejected_access_requests` (`GET /api/{type}/{repo}/user-access-request/{status}`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::access_requests::ListAccessRequests;
/// for request in ListAccessRequests::pending(client, "alice/gated".parse()?).await? {
///     println!("{} {:?}", request.username, request.fields);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ListAccessRequests {
    target: RepoTarget,
    status: AccessRequestStatus,
}

impl_repo_request!(ListAccessRequests);

impl ListAccessRequests {
    /// The requests of the model repo `repo_id` in `status`.
    pub fn new(client: HubClient, repo_id: RepoId, status: AccessRequestStatus) -> Self {
        ListAccessRequests {
            target: RepoTarget::new(client, repo_id),
            status,
        }
    }

    /// The pending requests.
    pub fn pending(client: HubClient, repo_id: RepoId) -> Self {
        ListAccessRequests::new(client, repo_id, AccessRequestStatus::Pending)
    }

    /// The accepted requests.
    pub fn accepted(client: HubClient, repo_id: RepoId) -> Self {
        ListAccessRequests::new(client, repo_id, AccessRequestStatus::Accepted)
    }

    /// The rejected requests.
    pub fn rejected(client: HubClient, repo_id: RepoId) -> Self {
        ListAccessRequests::new(client, repo_id, AccessRequestStatus::Rejected)
    }

    async fn run(self) -> Result<Vec<AccessRequest>> {
        if let AccessRequestStatus::Other(other) = &self.status {
            return Err(Error::InvalidArgument(format!(
                "invalid access request status {other:?}: expected pending, accepted or rejected"
            )));
        }
        let route = self.target.routes().access_requests(self.status.as_str());
        let requests = self.target.route(Method::GET, &route).await?.json().await?;
        Ok(requests)
    }
}

impl_into_future!(ListAccessRequests => Vec<AccessRequest>, run);

/// Moves a user's access request to another status (repo admins only): the Python client's
/// `accept_access_request`, `reject_access_request` (with an optional reason) and
/// `cancel_access_request` (back to pending) (`POST .../user-access-request/handle`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::access_requests::HandleAccessRequest;
/// let repo: hf_types::RepoId = "alice/gated".parse()?;
/// HandleAccessRequest::accept(client.clone(), repo.clone(), "bob").await?;
/// HandleAccessRequest::reject(client, repo, "eve").rejection_reason("No use case given").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct HandleAccessRequest {
    target: RepoTarget,
    user: String,
    status: AccessRequestStatus,
    rejection_reason: Option<String>,
}

impl_repo_request!(HandleAccessRequest);

impl HandleAccessRequest {
    /// Moves the request of `user` on the model repo `repo_id` to `status`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        user: impl Into<String>,
        status: AccessRequestStatus,
    ) -> Self {
        HandleAccessRequest {
            target: RepoTarget::new(client, repo_id),
            user: user.into(),
            status,
            rejection_reason: None,
        }
    }

    /// Accepts the request of `user`.
    pub fn accept(client: HubClient, repo_id: RepoId, user: impl Into<String>) -> Self {
        HandleAccessRequest::new(client, repo_id, user, AccessRequestStatus::Accepted)
    }

    /// Rejects the request of `user` (access is revoked).
    pub fn reject(client: HubClient, repo_id: RepoId, user: impl Into<String>) -> Self {
        HandleAccessRequest::new(client, repo_id, user, AccessRequestStatus::Rejected)
    }

    /// Moves the request of `user` back to pending (access is revoked).
    pub fn cancel(client: HubClient, repo_id: RepoId, user: impl Into<String>) -> Self {
        HandleAccessRequest::new(client, repo_id, user, AccessRequestStatus::Pending)
    }

    /// Why it is rejected (only with a rejection; at most 200 characters).
    pub fn rejection_reason(mut self, reason: impl Into<String>) -> Self {
        self.rejection_reason = Some(reason.into());
        self
    }

    async fn run(self) -> Result<()> {
        check_user(&self.user)?;
        if let AccessRequestStatus::Other(other) = &self.status {
            return Err(Error::InvalidArgument(format!(
                "invalid access request status {other:?}: expected pending, accepted or rejected"
            )));
        }
        let mut body = json!({"user": self.user, "status": self.status.as_str()});
        if let Some(reason) = self.rejection_reason {
            if self.status != AccessRequestStatus::Rejected {
                return Err(Error::InvalidArgument(
                    "a rejection reason can only be given when rejecting a request".into(),
                ));
            }
            if reason.chars().count() > MAX_REJECTION_REASON {
                return Err(Error::InvalidArgument(format!(
                    "a rejection reason is at most {MAX_REJECTION_REASON} characters"
                )));
            }
            body["rejectionReason"] = json!(reason);
        }
        let route = self.target.routes().access_request_handle();
        self.target.route(Method::POST, &route).json(&body).await?;
        Ok(())
    }
}

impl_into_future!(HandleAccessRequest => (), run);

/// Gives a user access to a gated repo without a request (repo admins only): the Python
/// client's `grant_access` (`POST .../user-access-request/grant`). Resolves to the Hub's answer.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::access_requests::GrantAccess;
/// GrantAccess::new(client, "alice/gated".parse()?, "bob").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GrantAccess {
    target: RepoTarget,
    user: String,
}

impl_repo_request!(GrantAccess);

impl GrantAccess {
    /// Grants `user` access to the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, user: impl Into<String>) -> Self {
        GrantAccess {
            target: RepoTarget::new(client, repo_id),
            user: user.into(),
        }
    }

    async fn run(self) -> Result<Value> {
        check_user(&self.user)?;
        let route = self.target.routes().access_request_grant();
        let response = self
            .target
            .route(Method::POST, &route)
            .json(&json!({"user": self.user}))
            .await?;
        let bytes = response.bytes().await?;
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

impl_into_future!(GrantAccess => Value, run);

/// Asks for access to a gated repo, answering the gate's form with `fields`: the Hub's web form
/// (`POST {prefix}{repo}/ask-access`, form-encoded; the Python client has no call for it).
/// Resolves to the request's status: `accepted` at once on an `auto` gate, `pending` on a
/// `manual` one until an admin decides.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::access_requests::RequestAccess;
/// let status = RequestAccess::new(client, "alice/gated".parse()?)
///     .field("company", "ACME")
///     .await?;
/// println!("{status}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct RequestAccess {
    target: RepoTarget,
    fields: Vec<(String, String)>,
}

impl_repo_request!(RequestAccess);

impl RequestAccess {
    /// Asks for access to the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        RequestAccess {
            target: RepoTarget::new(client, repo_id),
            fields: Vec::new(),
        }
    }

    /// An answer of the gate's form.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    async fn run(self) -> Result<AccessRequestStatus> {
        let route = self.target.routes().ask_access();
        let answer: Value = self
            .target
            .route(Method::POST, &route)
            .form(&self.fields)
            .await?
            .json()
            .await
            .unwrap_or(Value::Null);
        Ok(answer
            .get("status")
            .and_then(Value::as_str)
            .map_or(AccessRequestStatus::Pending, AccessRequestStatus::from))
    }
}

impl_into_future!(RequestAccess => AccessRequestStatus, run);
