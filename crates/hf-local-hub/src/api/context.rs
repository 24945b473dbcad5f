//! The repo context of a request: which repo a route names, who calls, and the loaded repo once its access
//! is checked. Every route that concerns one repo takes one of these extractors, so the type, id, caller
//! and access checks (404 for hidden repos, gating, write rights, redirects of moved repos) are written
//! once:
//!
//! - [`Repo<A>`](Repo) loads the repo with the access level `A` ([`Read`], [`Content`], [`Write`]) before
//!   the handler runs: `async fn refs(repo: Repo<Read>, uri: Uri) -> HubResult<..>`.
//! - [`RepoRequest`] only names the repo and authenticates the caller; the handler calls
//!   [`RepoRequest::load`] when the access level depends on the request (e.g. `create_pr=1` needs read
//!   access only) or when a check of its own must answer first.
//!
//! The repo type comes from the route: the `{t}` segment of `/api/{t}/{ns}/{name}/...` (`models`,
//! `datasets`, `spaces`); routes addressed like the web pages (`/{ns}/{name}/...`, `/datasets/{ns}/...`,
//! `/spaces/{ns}/...`) are registered once per type with [`per_type`], which tells the extractor the type,
//! so one handler serves the three types. On git routes (`{name}.git/...`) the suffix is required and
//! dropped.

use std::marker::PhantomData;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use hf_types::RepoType;
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode, Uri};
use serde::Deserialize;
use tower::ServiceExt as _;

use super::error::{HubError, HubResult};
use super::{Access, AppState, api_repo_type};
use crate::auth::Caller;
use crate::storage::RepoRecord;

/// An access level as a type, for [`Repo`].
pub(crate) trait AccessLevel {
    /// The level checked.
    const ACCESS: Access;
}

/// Metadata reads: [`Access::Read`].
pub(crate) struct Read;
/// Content reads, refused on gated repos: [`Access::Content`].
pub(crate) struct Content;
/// Changes: [`Access::Write`].
pub(crate) struct Write;

impl AccessLevel for Read {
    const ACCESS: Access = Access::Read;
}
impl AccessLevel for Content {
    const ACCESS: Access = Access::Content;
}
impl AccessLevel for Write {
    const ACCESS: Access = Access::Write;
}

/// What a route registered by [`per_type`] says of its repo.
#[derive(Debug, Clone, Copy)]
struct RouteRepo {
    repo_type: RepoType,
    git: bool,
}

/// Registers `path` (starting `/{ns}/{name}`) for the three repo types: as is for models, under
/// `/datasets` and `/spaces` for the others. With `git`, `{name}` must end in `.git`.
///
/// Like [`RepoRoutes::repo_route`], each path is also registered for one-segment (canonical) ids.
pub(crate) fn per_type(
    router: Router<AppState>,
    path: &str,
    handler: MethodRouter<AppState>,
    git: bool,
) -> Router<AppState> {
    [RepoType::Model, RepoType::Dataset, RepoType::Space]
        .into_iter()
        .fold(router, |router, repo_type| {
            let route = RouteRepo { repo_type, git };
            router.repo_route(
                &format!("/{}{}", repo_type.url_prefix(), &path[1..]),
                handler.clone().layer(axum::Extension(route)),
            )
        })
}

/// The repo part of a route path with a two-segment id.
const TWO_SEGMENTS: &str = "{ns}/{name}";

/// Registration of repo routes for both forms of repo ids (issue 15 item 1).
///
/// The Hub serves canonical repos, whose id has no namespace (`gpt2`), on every route a `namespace/name` id
/// has, and clients put the id in the URL as is (`/api/models/gpt2/revision/main`). A path written with
/// `{ns}/{name}` is registered as given and once more with `{ns}` alone holding the whole id (the router
/// needs the same parameter name at the same position).
///
/// The two readings of a path can collide (`/api/models/a/tree/tree/main` is the tree of the repo `a/tree`
/// or the tree of `a` at the revision `tree`). The two-segment reading wins: most one-segment forms are
/// registered under [`ONE_SEGMENT_PREFIX`] and reached only when no route matched the path as sent
/// (see [`redispatch`]). Two kinds are registered directly, where the router's preference for literal
/// segments makes the one-segment reading win:
///
/// - a keyword right after the id (`/api/models/gpt2/refs`, `/api/spaces/demo/runtime`): otherwise the path
///   is the info of a repo `gpt2/refs`, which is what the route `/api/{t}/{ns}/{name}` would answer;
///   a repo whose name is such a keyword is then reached on its other routes only;
/// - the dataset and Space forms of the web-style routes (`/datasets/squad/resolve/main/x`): otherwise the
///   path is read as the model `datasets/squad`.
pub(crate) trait RepoRoutes {
    /// Registers `path` (containing `{ns}/{name}`) and its one-segment form.
    fn repo_route(self, path: &str, handler: MethodRouter<AppState>) -> Self;
}

/// Where one-segment forms that must not shadow a two-segment route are registered (never sent by clients).
pub(crate) const ONE_SEGMENT_PREFIX: &str = "/.one-segment-id";

/// The URI a request was sent with, kept while it is routed under [`ONE_SEGMENT_PREFIX`].
#[derive(Clone)]
pub(crate) struct SentUri(pub(crate) Uri);

impl RepoRoutes for Router<AppState> {
    fn repo_route(self, path: &str, handler: MethodRouter<AppState>) -> Self {
        let router = self.route(path, handler.clone());
        if !path.contains(TWO_SEGMENTS) {
            return router;
        }
        let one = path.replacen(TWO_SEGMENTS, "{ns}", 1);
        let after_id = one.split_once("{ns}").map_or("", |(_, rest)| rest);
        let direct = after_id.matches('/').count() <= 1
            || one.starts_with("/datasets/")
            || one.starts_with("/spaces/");
        if direct {
            router.route(&one, handler)
        } else {
            router.route(
                &format!("{ONE_SEGMENT_PREFIX}{one}"),
                handler.layer(axum::middleware::map_request(restore_sent_uri)),
            )
        }
    }
}

/// Gives a request routed under [`ONE_SEGMENT_PREFIX`] its URI back (path parameters are already captured),
/// so handlers see the URI the client sent (pagination links, redirects). Requests that did not come
/// through [`redispatch`] have no route there.
async fn restore_sent_uri(mut request: Request) -> Result<Request, HubError> {
    match request.extensions_mut().remove::<SentUri>() {
        Some(SentUri(uri)) => {
            *request.uri_mut() = uri;
            Ok(request)
        }
        None => Err(HubError::no_route(request.method(), request.uri().path())),
    }
}

/// The fallback of the outer router: a path no route matched is tried once more as a one-segment id,
/// routed under [`ONE_SEGMENT_PREFIX`] by `inner` (the same routes, whose own fallback is "no route").
pub(crate) async fn redispatch(inner: Router, mut request: Request) -> Response {
    let sent = request.uri().clone();
    let path_and_query = sent.path_and_query().map_or("/", |p| p.as_str());
    let Ok(rerouted) = format!("{ONE_SEGMENT_PREFIX}{path_and_query}").parse::<Uri>() else {
        return HubError::no_route(request.method(), sent.path()).into_response();
    };
    request.extensions_mut().insert(SentUri(sent));
    *request.uri_mut() = rerouted;
    match inner.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The repo segments of a route; other parameters are the handler's. A one-segment id is in `ns` alone.
#[derive(Deserialize)]
struct RepoSegments {
    t: Option<String>,
    ns: String,
    name: Option<String>,
}

/// Extractor: the repo a route names and the caller, not loaded yet.
pub(crate) struct RepoRequest {
    /// The hub's state.
    pub(crate) state: AppState,
    /// The repo type the route names.
    pub(crate) repo_type: RepoType,
    /// `namespace/name`, or `name` for a canonical repo.
    pub(crate) id: String,
    /// Who calls.
    pub(crate) caller: Caller,
    /// The request's headers (public base URL, author).
    pub(crate) headers: HeaderMap,
    method: Method,
    uri: Uri,
}

impl FromRequestParts<AppState> for RepoRequest {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> HubResult<Self> {
        let Path(segments) = Path::<RepoSegments>::from_request_parts(parts, state)
            .await
            .map_err(|e| HubError::bad_request(e.body_text()))?;
        let route = parts.extensions.get::<RouteRepo>().copied();
        let repo_type = match (&segments.t, route) {
            // `/api/{t}/{ns}` also matches paths that name no repo type: those have no route.
            (Some(t), _) => {
                api_repo_type(t).map_err(|_| HubError::no_route(&parts.method, parts.uri.path()))?
            }
            (None, Some(route)) => route.repo_type,
            (None, None) => RepoType::Model,
        };
        let id = match &segments.name {
            Some(name) => format!("{}/{name}", segments.ns),
            None => segments.ns,
        };
        let id = if route.is_some_and(|r| r.git) {
            id.strip_suffix(".git")
                .filter(|n| !n.is_empty() && !n.ends_with('/'))
                .ok_or_else(|| {
                    HubError::new(StatusCode::NOT_FOUND, "LFS routes end in {repo}.git")
                })?
                .to_owned()
        } else {
            id
        };
        let caller = state.caller(&parts.headers)?;
        Ok(RepoRequest {
            state: state.clone(),
            repo_type,
            id,
            caller,
            headers: parts.headers.clone(),
            method: parts.method.clone(),
            uri: parts.uri.clone(),
        })
    }
}

impl RepoRequest {
    /// Loads the repo and checks `access` (see [`AppState::load_repo`]).
    pub(crate) async fn load(self, access: Access) -> HubResult<RepoContext> {
        let repo = self
            .state
            .load_repo(
                &self.caller,
                &self.method,
                &self.uri,
                self.repo_type,
                &self.id,
                access,
            )
            .await?;
        Ok(RepoContext {
            state: self.state,
            repo,
            caller: self.caller,
            headers: self.headers,
        })
    }
}

/// A loaded repo whose access was checked, with the caller and what handlers use of the request.
pub(crate) struct RepoContext {
    /// The hub's state.
    pub(crate) state: AppState,
    /// The repo.
    pub(crate) repo: RepoRecord,
    /// Who calls.
    pub(crate) caller: Caller,
    /// The request's headers.
    pub(crate) headers: HeaderMap,
}

impl RepoContext {
    /// The user name recorded as a change's author (`system` for anonymous callers).
    pub(crate) fn author(&self) -> String {
        self.caller
            .user()
            .map_or_else(|| "system".to_owned(), str::to_owned)
    }

    /// The absolute base URL clients reach this server at.
    pub(crate) fn public_base(&self) -> String {
        self.state.public_base(&self.headers)
    }
}

/// Extractor: the repo loaded with the access level `A`.
pub(crate) struct Repo<A>(RepoContext, PhantomData<A>);

impl<A> Repo<A> {
    /// The loaded repo and its request.
    pub(crate) fn into_inner(self) -> RepoContext {
        self.0
    }
}

impl<A> std::ops::Deref for Repo<A> {
    type Target = RepoContext;

    fn deref(&self) -> &RepoContext {
        &self.0
    }
}

impl<A: AccessLevel + Send> FromRequestParts<AppState> for Repo<A> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> HubResult<Self> {
        let request = RepoRequest::from_request_parts(parts, state).await?;
        Ok(Repo(request.load(A::ACCESS).await?, PhantomData))
    }
}
