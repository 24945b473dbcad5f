//! The HTTP API: one module per area, composed here.
//!
//! Routes match on the raw (still percent-encoded) path, so a `%2F` inside a revision or a tree path stays
//! in one segment; axum's `Path` extractor then decodes each captured segment.

pub mod card;
mod context;
// Inference Endpoints (issue 13).
pub mod endpoints;
// Discussions, pull requests, likes, access requests (issue 10).
mod access_requests;
mod body;
mod discussions;
pub mod error;
pub mod files;
pub mod lfs;
mod likes;
pub mod repos;
pub mod resolve;
// Spaces (issue 12).
pub mod spaces;
pub mod upload;
pub mod users;
// Collections, webhooks, papers (issue 11).
mod collections;
mod papers;
mod webhooks;

// Issue 15: LFS file listing and permanent deletion, card validation, expand values.
mod expand;
mod lfs_files;
mod validate;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use hf_types::RepoType;
use http::{HeaderMap, Method, Uri};

use crate::auth::{AuthConfig, Caller};
use crate::fault::FaultInjector;
use crate::storage::{RepoLookup, RepoRecord, Store};
use context::RepoRoutes;
use error::{HubError, HubResult};

/// Largest request body accepted by API routes (LFS transfers set their own limits).
pub const MAX_API_BODY: usize = 64 * 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The storage.
    pub store: Store,
    /// Users, tokens, organizations.
    pub auth: Arc<AuthConfig>,
    /// Configured faults.
    pub faults: Arc<FaultInjector>,
    /// Base URL used when a request carries no `Host` header (e.g. `http://127.0.0.1:PORT`), or the configured
    /// public URL, which then always wins.
    pub base_url: Arc<str>,
    /// True when `base_url` was configured explicitly (it then overrides the `Host` header).
    pub base_url_fixed: bool,
    /// Key signing CDN-like download URLs.
    pub signing_key: Arc<[u8; 32]>,
    /// How long a signed CDN-like URL stays valid.
    pub cdn_ttl: std::time::Duration,
    /// Base URL of an external static file server serving `/cdn/lfs/{sha256}` (the benchmark's
    /// nginx); `None`: the hub's own CDN route.
    pub cdn_base_url: Option<Arc<str>>,
    /// LFS objects of at least this size get a multipart upload with parts of this size.
    pub multipart_chunk_size: u64,
    /// Durations of the simulated Inference Endpoints transitions (issue 13).
    pub endpoint_delays: endpoints::EndpointDelays,
    /// Where repo and discussion events go (webhook delivery, issue 11): `webhooks::emit`.
    pub(crate) events: crate::webhooks::delivery::EventBus,
    /// Bounds the commits in flight and the bytes they hold (issue 16 item 9).
    pub(crate) commit_gate: Arc<upload::CommitGate>,
}

/// How a handler means to use a repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Metadata reads (info, tree, refs, commits).
    Read,
    /// Content reads (downloads, auth-check): gated repos need access.
    Content,
    /// Changes (commits, refs, settings): write token on an owned namespace.
    Write,
}

impl AppState {
    /// The absolute base URL clients reach this server at, without trailing `/`.
    pub fn public_base(&self, headers: &HeaderMap) -> String {
        if !self.base_url_fixed
            && let Some(host) = headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
            && !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        {
            return format!("http://{host}");
        }
        self.base_url.to_string()
    }

    /// The caller of a request (401 for unknown tokens).
    pub fn caller(&self, headers: &HeaderMap) -> HubResult<Caller> {
        self.auth.authenticate(headers)
    }

    /// Loads a repo and checks `access`; a moved repo answers GET/HEAD with a relative redirect.
    pub async fn load_repo(
        &self,
        caller: &Caller,
        method: &Method,
        uri: &Uri,
        repo_type: RepoType,
        full_id: &str,
        access: Access,
    ) -> HubResult<RepoRecord> {
        let authenticated = caller.user().is_some();
        let repo = match self.store.lookup_repo(repo_type, full_id).await? {
            RepoLookup::Found(r) => r,
            RepoLookup::Moved(new_id) if (method == Method::GET || method == Method::HEAD) => {
                // The redirect names the new id: only for a caller who may see that repo.
                let visible = match self.store.lookup_repo(repo_type, &new_id).await? {
                    RepoLookup::Found(target) => self.auth.can_read(caller, &target),
                    _ => false,
                };
                if !visible {
                    return Err(HubError::repo_not_found(authenticated));
                }
                return Err(moved(uri, full_id, &new_id));
            }
            _ => return Err(HubError::repo_not_found(authenticated)),
        };
        if !self.auth.can_read(caller, &repo) {
            return Err(HubError::repo_not_found(authenticated));
        }
        match access {
            Access::Read => {}
            Access::Content => {
                let owner = caller
                    .user()
                    .is_some_and(|u| self.auth.owns_namespace(u, &repo.namespace));
                // Issue 10: an accepted access request opens a gated repo's content.
                let accepted = match caller.user() {
                    Some(user) if repo.gated.is_some() && !owner => self
                        .store
                        .access_request(&repo, user)
                        .await?
                        .is_some_and(|r| r.status == "accepted"),
                    _ => false,
                };
                if repo.gated.is_some() && !owner && !accepted {
                    // Issue 15: the Hub's wording, which clients match on.
                    let (kind, id) = (repo.repo_type.as_str(), repo.full_id());
                    let (status, message) = if authenticated {
                        (
                            http::StatusCode::FORBIDDEN,
                            format!(
                                "Access to {kind} {id} is restricted and you are not in the authorized list. \
                                 Visit {}/{}{id} to ask for access.",
                                self.base_url,
                                repo.repo_type.url_prefix()
                            ),
                        )
                    } else {
                        (
                            http::StatusCode::UNAUTHORIZED,
                            format!(
                                "Access to {kind} {id} is restricted. You must have access to it and be \
                                 authenticated to access it. Please log in."
                            ),
                        )
                    };
                    return Err(HubError::new(status, message).with_code("GatedRepo"));
                }
            }
            Access::Write => {
                self.auth.require_write(caller, &repo.namespace)?;
            }
        }
        Ok(repo)
    }

    /// Resolves a revision of `repo` to a commit id, or `RevisionNotFound`.
    pub async fn resolve_rev(&self, repo: &RepoRecord, rev: &str) -> HubResult<String> {
        self.store
            .resolve_revision(repo, rev)
            .await?
            .ok_or_else(|| HubError::revision_not_found(rev))
    }
}

/// A relative redirect from the old repo id to the new one, keeping the rest of the URL.
fn moved(uri: &Uri, old_id: &str, new_id: &str) -> HubError {
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let needle = format!("/{old_id}").to_ascii_lowercase();
    // Ids are case-insensitive: the request may spell the old id in any case (ASCII lowering keeps offsets).
    let location = match path_and_query.to_ascii_lowercase().find(&needle) {
        Some(i) => format!(
            "{}/{new_id}{}",
            &path_and_query[..i],
            &path_and_query[i + needle.len()..]
        ),
        None => path_and_query.to_owned(),
    };
    HubError::new(
        http::StatusCode::TEMPORARY_REDIRECT,
        format!("Repository moved to {new_id}"),
    )
    .with_header(http::header::LOCATION, location)
}

/// Parses the `{t}` segment of `/api/{t}/...` (`models`, `datasets`, `spaces`).
pub fn api_repo_type(segment: &str) -> HubResult<RepoType> {
    match segment {
        "models" => Ok(RepoType::Model),
        "datasets" => Ok(RepoType::Dataset),
        "spaces" => Ok(RepoType::Space),
        other => Err(HubError::new(
            http::StatusCode::NOT_FOUND,
            format!("hf-local-hub: unknown repo type segment {other:?}"),
        )),
    }
}

/// Query pairs, keeping repeated keys.
#[derive(Debug, Default, Clone)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// Parses a query string.
    pub fn parse(query: Option<&str>) -> Self {
        QueryPairs(
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All values of `key` (also `key[]`).
    pub fn all(&self, key: &str) -> Vec<&str> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| *k == key || *k == bracketed)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean flag (case-insensitive `true`/`false`, `1`/`0`); 400 on anything else.
    pub fn flag(&self, key: &str) -> HubResult<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| HubError::bad_request(format!("invalid boolean for {key}: {v:?}"))),
        }
    }
}

/// Parses a boolean the way the Hub accepts them.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// The whole router.
pub fn router(state: AppState) -> Router {
    let repo = "/api/{t}/{ns}/{name}";
    let api = Router::new()
        .route("/api/whoami-v2", get(users::whoami))
        .route("/api/repos/create", post(repos::create))
        .route("/api/repos/delete", axum::routing::delete(repos::delete))
        .route("/api/repos/move", post(repos::move_repo))
        .route("/api/models", get(repos::list_models))
        .route("/api/datasets", get(repos::list_datasets))
        .route("/api/spaces", get(repos::list_spaces))
        .route("/api/models-tags-by-type", get(repos::tag_vocabulary))
        .route("/api/datasets-tags-by-type", get(repos::tag_vocabulary))
        .repo_route(repo, get(repos::info))
        .repo_route(&format!("{repo}/revision/{{rev}}"), get(repos::info_at))
        .repo_route(
            &format!("{repo}/settings"),
            axum::routing::put(repos::settings),
        )
        .repo_route(&format!("{repo}/auth-check"), get(repos::auth_check))
        .repo_route(&format!("{repo}/tree/{{rev}}"), get(files::tree_root))
        .repo_route(
            &format!("{repo}/tree/{{rev}}/{{*path}}"),
            get(files::tree_path),
        )
        .repo_route(
            &format!("{repo}/paths-info/{{rev}}"),
            post(files::paths_info),
        )
        .repo_route(&format!("{repo}/refs"), get(files::refs))
        .repo_route(&format!("{repo}/commits/{{rev}}"), get(files::commits))
        .repo_route(
            &format!("{repo}/branch/{{branch}}"),
            post(files::create_branch).delete(files::delete_branch),
        )
        .repo_route(
            &format!("{repo}/tag/{{tag}}"),
            post(files::create_tag).delete(files::delete_tag),
        )
        .repo_route(
            &format!("{repo}/super-squash/{{branch}}"),
            post(files::super_squash),
        )
        .layer(DefaultBodyLimit::max(MAX_API_BODY));
    let routes = Router::new()
        .merge(api)
        // Collections, webhooks, users and organizations, papers (issue 11).
        .merge(
            collections::router()
                .merge(webhooks::router())
                .merge(papers::router()),
        )
        .merge(users::router())
        .merge(resolve::router())
        .merge(upload::router())
        .merge(lfs::router())
        // LFS file listing and permanent deletion (issue 15).
        .merge(lfs_files::router())
        // Spaces (issue 12).
        .merge(spaces::router())
        // Inference Endpoints (issue 13).
        .merge(endpoints::router())
        // Discussions, pull requests, likes, access requests (issue 10).
        .merge(
            discussions::router()
                .merge(likes::router())
                .merge(access_requests::router()),
        );
    // Paths no route matches are tried once more as one-segment repo ids (issue 15 item 1), by the same
    // routes (see context::RepoRoutes); a path that matches neither way has no route.
    let inner = routes.clone().fallback(fallback).with_state(state.clone());
    routes
        .fallback(move |request: axum::extract::Request| context::redispatch(inner, request))
        .layer(axum::middleware::from_fn_with_state(
            state.faults.clone(),
            crate::fault::middleware,
        ))
        .layer(axum::middleware::from_fn(body::preread_small_body))
        .layer(axum::middleware::from_fn(error::request_id))
        .with_state(state)
}

async fn fallback(
    method: Method,
    uri: Uri,
    sent: Option<axum::Extension<context::SentUri>>,
) -> HubError {
    let path = sent.map_or_else(|| uri.path().to_owned(), |s| s.0.0.path().to_owned());
    HubError::no_route(&method, &path)
}
