//! The repo an operation is about, held once by every request builder of the domain crates, and
//! the two traits that give those builders their `repo_type()` and `revision()` setters.

use hf_types::{RepoId, RepoRoutes, RepoType, Revision, Route};
use http::Method;
use url::Url;

use crate::{Error, ErrorContext, HubClient, RequestBuilder};

/// The repo an operation acts on: the client, the repo id, its type (a model unless set) and
/// the revision (the default branch unless set).
///
/// Every request builder that concerns one repo holds one; the setters of
/// [`RepoRequest`] and [`RevisionRequest`] change it. Requests built through it carry its
/// [`ErrorContext`], so an HTTP error names the repo, revision and file it was about.
///
/// ```
/// use hf_http::{HubClient, RepoTarget};
/// use hf_types::RepoType;
///
/// # fn demo() -> Result<(), hf_http::Error> {
/// let client = HubClient::builder().endpoint("http://127.0.0.1:1").build()?;
/// let mut target = RepoTarget::new(client, "alice/data".parse()?);
/// target.set_repo_type(RepoType::Dataset);
/// assert_eq!(target.revision_or_main().as_str(), "main");
/// # Ok(()) }
/// # demo().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct RepoTarget {
    client: HubClient,
    repo_id: RepoId,
    repo_type: RepoType,
    revision: Option<Revision>,
}

impl RepoTarget {
    /// `repo_id`, a model, at its default branch.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        RepoTarget {
            client,
            repo_id,
            repo_type: RepoType::Model,
            revision: None,
        }
    }

    /// The client requests are sent with.
    pub fn client(&self) -> &HubClient {
        &self.client
    }

    /// The repo.
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }

    /// Its type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The revision, when one was set.
    pub fn revision(&self) -> Option<&Revision> {
        self.revision.as_ref()
    }

    /// The revision, or `main` when none was set (the default of every operation that reads
    /// a revision).
    pub fn revision_or_main(&self) -> Revision {
        self.revision.clone().unwrap_or_else(Revision::main)
    }

    /// Sets the repo type.
    pub fn set_repo_type(&mut self, repo_type: RepoType) {
        self.repo_type = repo_type;
    }

    /// Sets the revision.
    pub fn set_revision(&mut self, revision: Revision) {
        self.revision = Some(revision);
    }

    /// Replaces the client (e.g. one with a per-call token).
    pub fn set_client(&mut self, client: HubClient) {
        self.client = client;
    }

    /// The same target with this repo type.
    pub fn with_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// The same target at this revision.
    pub fn with_revision(mut self, revision: Revision) -> Self {
        self.revision = Some(revision);
        self
    }

    /// The same target with another client.
    pub fn with_client(mut self, client: HubClient) -> Self {
        self.client = client;
        self
    }

    /// What requests of this target are about: repo, type and the revision if one was set.
    pub fn context(&self) -> ErrorContext {
        let context = ErrorContext::repo(self.repo_id.clone(), self.repo_type);
        match &self.revision {
            Some(revision) => context.with_revision(revision),
            None => context,
        }
    }

    /// `path` (relative, already encoded) joined to the client's endpoint.
    pub fn url(&self, path: &str) -> Result<Url, Error> {
        self.client.url(path)
    }

    /// The routes of this repo (`routes().tree(..)`, `routes().resolve(..)`, ...).
    pub fn routes(&self) -> RepoRoutes<'_> {
        Route::repo(self.repo_type, &self.repo_id)
    }

    /// A request of `method` to `route`, with this target's context.
    pub fn route(&self, method: Method, route: &Route) -> RequestBuilder {
        self.client.route(method, route).context(self.context())
    }

    /// A request to `url` that carries this target's [`ErrorContext`].
    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.client.request(method, url).context(self.context())
    }

    /// A GET of `url` with this target's context.
    pub fn get(&self, url: Url) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A HEAD of `url` with this target's context.
    pub fn head(&self, url: Url) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// A POST to `url` with this target's context.
    pub fn post(&self, url: Url) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A PUT to `url` with this target's context.
    pub fn put(&self, url: Url) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A DELETE of `url` with this target's context.
    pub fn delete(&self, url: Url) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }
}

/// A request builder that holds a [`RepoTarget`]: the base of [`RepoRequest`] and
/// [`RevisionRequest`], whose setters are defined once on top of it.
pub trait TargetRequest: Sized {
    /// The builder's target.
    fn target_mut(&mut self) -> &mut RepoTarget;
}

/// A request builder about one repo of any type: its `repo_type()` setter, defined once here.
///
/// Implemented by every builder that holds a [`RepoTarget`] and lets the caller choose the
/// repo type; bring it into scope with the crate's prelude (`use hf_api::prelude::*`).
pub trait RepoRequest: TargetRequest {
    /// The repo type (default: model).
    #[must_use]
    fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.target_mut().set_repo_type(repo_type);
        self
    }
}

/// A request builder about one revision of a repo: its `revision()` setter, defined once here.
pub trait RevisionRequest: TargetRequest {
    /// The branch, tag or commit (default: the default branch, `main`).
    #[must_use]
    fn revision(mut self, revision: Revision) -> Self {
        self.target_mut().set_revision(revision);
        self
    }
}

/// `impl IntoFuture for $ty`: `.await` resolves `self.$method()` (an `async fn` returning
/// `Result<$out, E>`), or, with `collect`, gathers every item of `self.into_stream()`. The one
/// way request builders of every hf-api crate implement `IntoFuture`.
#[macro_export]
macro_rules! impl_into_future {
    ($ty:ty => $out:ty, collect) => {
        impl ::std::future::IntoFuture for $ty {
            type Output = ::std::result::Result<$out, $crate::Error>;
            type IntoFuture = $crate::BoxFuture<$out>;

            fn into_future(self) -> Self::IntoFuture {
                $crate::collect_stream(self.into_stream())
            }
        }
    };
    ($ty:ty => $out:ty, $method:ident) => {
        impl ::std::future::IntoFuture for $ty {
            type Output = ::std::result::Result<$out, $crate::Error>;
            type IntoFuture = $crate::BoxFuture<$out>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.$method())
            }
        }
    };
}

/// The target traits for a builder whose [`RepoTarget`] is in its field `target`:
/// `impl_repo_request!(Ty)` gives `repo_type()`, `(Ty, revision)` gives `repo_type()` and
/// `revision()`, `(Ty, revision_only)` only `revision()` (a builder whose type is fixed).
#[macro_export]
macro_rules! impl_repo_request {
    (@target $ty:ty) => {
        impl $crate::TargetRequest for $ty {
            fn target_mut(&mut self) -> &mut $crate::RepoTarget {
                &mut self.target
            }
        }
    };
    ($ty:ty) => {
        $crate::impl_repo_request!(@target $ty);
        impl $crate::RepoRequest for $ty {}
    };
    ($ty:ty, revision) => {
        $crate::impl_repo_request!($ty);
        impl $crate::RevisionRequest for $ty {}
    };
    ($ty:ty, revision_only) => {
        $crate::impl_repo_request!(@target $ty);
        impl $crate::RevisionRequest for $ty {}
    };
}

/// Gathers every item of a listing stream: what `.await` on a listing builder does.
pub fn collect_stream<T, S>(stream: S) -> crate::BoxFuture<Vec<T>>
where
    T: Send + 'static,
    S: futures_util::Stream<Item = Result<T, Error>> + Send + 'static,
{
    Box::pin(futures_util::TryStreamExt::try_collect(stream))
}
