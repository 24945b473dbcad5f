//! Users and organizations (protocol §9.6): the Python client's `get_user_overview`,
//! `get_organization_overview`, `list_user_followers`, `list_user_following` and
//! `list_organization_members`. Listings are streams of [`User`] that follow the `Link` header;
//! `.await` collects them.

use std::pin::Pin;

use futures_util::Stream;
use hf_http::{HubClient, Method, RequestBuilder, impl_into_future};
use hf_types::routes::Route;
use hf_types::{Organization, User};

use crate::{Error, Result};

/// A boxed stream of results, owning its state.
pub(crate) type Listing<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send + 'static>>;

/// Streams the paginated listing started by `start` (or its error).
pub(crate) fn listing<T>(client: &HubClient, start: Result<RequestBuilder>) -> Listing<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    match start {
        Ok(request) => Box::pin(client.paginate::<T>(request)),
        Err(error) => Box::pin(futures_util::stream::once(async { Err(error) })),
    }
}

/// Refuses, before sending, a user or organization name that cannot be one (empty, with a `/`,
/// longer than 96 characters).
pub(crate) fn check_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.contains('/') || name.len() > 96 {
        return Err(Error::InvalidArgument(format!(
            "{name:?} is not a valid {what} name"
        )));
    }
    Ok(())
}

/// A user's profile: the Python client's `get_user_overview`
/// (`GET /api/users/{username}/overview`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::users::GetUserOverview;
/// let user = GetUserOverview::new(client, "julien-c").await?;
/// println!("{} follows {:?}", user.username, user.num_following);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetUserOverview {
    client: HubClient,
    username: String,
}

impl GetUserOverview {
    /// Asks about `username`.
    pub fn new(client: HubClient, username: impl Into<String>) -> Self {
        GetUserOverview {
            client,
            username: username.into(),
        }
    }

    async fn send(self) -> Result<User> {
        check_name("user", &self.username)?;
        let route = Route::user_overview(&self.username);
        self.client.route(Method::GET, &route).await?.json().await
    }
}
impl_into_future!(GetUserOverview => User, send);

/// An organization's profile: the Python client's `get_organization_overview`
/// (`GET /api/organizations/{org}/overview`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::users::GetOrganizationOverview;
/// let org = GetOrganizationOverview::new(client, "huggingface").await?;
/// println!("{} has {:?} members", org.name, org.num_users);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetOrganizationOverview {
    client: HubClient,
    organization: String,
}

impl GetOrganizationOverview {
    /// Asks about `organization`.
    pub fn new(client: HubClient, organization: impl Into<String>) -> Self {
        GetOrganizationOverview {
            client,
            organization: organization.into(),
        }
    }

    async fn send(self) -> Result<Organization> {
        check_name("organization", &self.organization)?;
        let route = Route::organization_overview(&self.organization);
        self.client.route(Method::GET, &route).await?.json().await
    }
}
impl_into_future!(GetOrganizationOverview => Organization, send);

/// Which list of users a [`ListUsers`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserList {
    Followers,
    Following,
    Members,
}

/// A listing of users: followers or followed accounts of a user
/// ([`followers`](Self::followers), [`following`](Self::following): the Python client's
/// `list_user_followers`, `list_user_following`) or the members of an organization
/// ([`members`](Self::members): `list_organization_members`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use futures_util::TryStreamExt;
/// use hf_community::users::ListUsers;
/// let followers = ListUsers::followers(client.clone(), "julien-c").await?;
/// let mut members = ListUsers::members(client, "huggingface").into_stream();
/// while let Some(user) = members.try_next().await? {
///     println!("{}", user.username);
/// }
/// # let _ = followers; Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListUsers {
    client: HubClient,
    name: String,
    list: UserList,
}

impl ListUsers {
    /// The followers of the user `username`.
    pub fn followers(client: HubClient, username: impl Into<String>) -> Self {
        ListUsers {
            client,
            name: username.into(),
            list: UserList::Followers,
        }
    }

    /// The accounts the user `username` follows.
    pub fn following(client: HubClient, username: impl Into<String>) -> Self {
        ListUsers {
            client,
            name: username.into(),
            list: UserList::Following,
        }
    }

    /// The members of the organization `organization`.
    pub fn members(client: HubClient, organization: impl Into<String>) -> Self {
        ListUsers {
            client,
            name: organization.into(),
            list: UserList::Members,
        }
    }

    /// The users, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<User>> + Send + 'static {
        let (what, route) = match self.list {
            UserList::Followers => ("user", Route::user_followers(&self.name)),
            UserList::Following => ("user", Route::user_following(&self.name)),
            UserList::Members => ("organization", Route::organization_members(&self.name)),
        };
        let start = check_name(what, &self.name).map(|()| self.client.route(Method::GET, &route));
        listing(&self.client, start)
    }
}
impl_into_future!(ListUsers => Vec<User>, collect);
