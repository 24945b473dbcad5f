//! Likes (protocol §9.2): like and unlike a repo, the repos a user likes, the users who like a
//! repo.

use futures_util::{Stream, TryStreamExt};
use hf_http::{HubClient, Method, RepoTarget, impl_into_future, impl_repo_request};
use hf_types::{AccountType, LikedRepo, RepoId, Route, User, UserLikes, WhoAmI};

use crate::{Error, Result};

/// Likes a repo (liking twice is not an error): `POST /api/{type}/{repo}/like`. The Python
/// client 0.36 has no `like` (the Hub may refuse it to scripts); `unlike` is [`Unlike`].
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::likes::Like;
/// Like::new(client, "openai-community/gpt2".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct Like {
    target: RepoTarget,
}

impl_repo_request!(Like);

impl Like {
    /// Likes the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        Like {
            target: RepoTarget::new(client, repo_id),
        }
    }

    async fn run(self) -> Result<()> {
        let route = self.target.routes().like();
        self.target.route(Method::POST, &route).await?;
        Ok(())
    }
}

impl_into_future!(Like => (), run);

/// Removes the caller's like of a repo: the Python client's `unlike`
/// (`DELETE /api/{type}/{repo}/like`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::likes::Unlike;
/// Unlike::new(client, "openai-community/gpt2".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct Unlike {
    target: RepoTarget,
}

impl_repo_request!(Unlike);

impl Unlike {
    /// Unlikes the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        Unlike {
            target: RepoTarget::new(client, repo_id),
        }
    }

    async fn run(self) -> Result<()> {
        let route = self.target.routes().like();
        self.target
            .route(Method::DELETE, &route)
            .idempotent(true)
            .await?;
        Ok(())
    }
}

impl_into_future!(Unlike => (), run);

/// The repos a user likes, by type: the Python client's `list_liked_repos`
/// (`GET /api/users/{user}/likes`, every page). Without [`user`](Self::user), the caller
/// (`whoami`; a token that is not a user's is refused).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::likes::ListLikedRepos;
/// let likes = ListLikedRepos::new(client).user("julien-c").await?;
/// println!("{} likes, {} models", likes.total, likes.models.len());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ListLikedRepos {
    client: HubClient,
    user: Option<String>,
}

impl ListLikedRepos {
    /// The caller's likes.
    pub fn new(client: HubClient) -> Self {
        ListLikedRepos { client, user: None }
    }

    /// This user's likes instead.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    async fn run(self) -> Result<UserLikes> {
        let user = match self.user {
            Some(user) if !user.trim().is_empty() => user,
            Some(_) => {
                return Err(Error::InvalidArgument(
                    "a user name must not be empty".into(),
                ));
            }
            None => {
                let me: WhoAmI = self
                    .client
                    .route(Method::GET, &Route::whoami())
                    .await?
                    .json()
                    .await?;
                if me
                    .account_type
                    .as_ref()
                    .is_some_and(|t| *t != AccountType::User)
                {
                    return Err(Error::InvalidArgument(format!(
                        "cannot list the likes of {:?}: the token is not a user's; name a user",
                        me.name
                    )));
                }
                me.name
            }
        };
        let request = self.client.route(Method::GET, &Route::user_likes(&user));
        let likes: Vec<LikedRepo> = self
            .client
            .paginate::<LikedRepo>(request)
            .try_collect()
            .await?;
        Ok(UserLikes::from_likes(user, &likes))
    }
}

impl_into_future!(ListLikedRepos => UserLikes, run);

/// The users who like a repo: the Python client's `list_repo_likers`
/// (`GET /api/{type}/{repo}/likers`, following `Link`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::likes::ListRepoLikers;
/// for user in ListRepoLikers::new(client, "openai-community/gpt2".parse()?).await? {
///     println!("{}", user.username);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListRepoLikers {
    target: RepoTarget,
}

impl_repo_request!(ListRepoLikers);

impl ListRepoLikers {
    /// The likers of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoLikers {
            target: RepoTarget::new(client, repo_id),
        }
    }

    /// The users, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<User>> + Send + 'static {
        let request = self
            .target
            .route(Method::GET, &self.target.routes().likers());
        // Boxed: the stream owns its state, but its type names the client borrow.
        let stream: std::pin::Pin<Box<dyn Stream<Item = Result<User>> + Send + 'static>> =
            Box::pin(self.target.client().paginate::<User>(request));
        stream
    }
}

impl_into_future!(ListRepoLikers => Vec<User>, collect);
