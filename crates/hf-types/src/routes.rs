//! Every Hub route the client requests, in one place (protocol §1.2, §1.3, Appendix A).
//!
//! A [`Route`] is a relative, already encoded path (no leading `/`) plus a typed
//! query; [`Route::url`] joins it to an endpoint. Nothing here does I/O, so each
//! route and each encoding rule is unit-tested without a server.
//!
//! Encoding rules, applied here and nowhere else:
//! * a repo id is written raw (`namespace/name`, or `name` for a legacy repo): it
//!   is validated by [`RepoId`] and needs no encoding;
//! * a revision (branch, tag, commit, `refs/pr/1`) is **one** segment:
//!   `refs/pr/1` → `refs%2Fpr%2F1`;
//! * a file path in a resolve URL is encoded per segment, `/` kept:
//!   `a b/c#d.txt` → `a%20b/c%23d.txt`; the path of a tree listing is one segment
//!   (`sub/dir` → `sub%2Fdir`), as the Python client sends it;
//! * any other name from a caller (user, organization, webhook or comment id) is one
//!   segment; a collection slug keeps its `/`;
//! * query values are form-encoded; booleans are rendered as Python does
//!   (`True`/`False`, see [`py_bool`]).
//!
//! ```
//! use hf_types::{RepoType, Revision, Route};
//!
//! let id = "alice/x".parse()?;
//! let route = Route::repo(RepoType::Model, &id)
//!     .tree(&Revision::pull_request(1), Some("a b"))
//!     .with_bool("recursive", true);
//! assert_eq!(route.path(), "api/models/alice/x/tree/refs%2Fpr%2F1/a%20b");
//! assert_eq!(
//!     route.url("https://huggingface.co/"),
//!     "https://huggingface.co/api/models/alice/x/tree/refs%2Fpr%2F1/a%20b?recursive=True"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{RepoId, RepoType, encode_path, encode_segment};

/// A boolean as Python's `str()` renders it in a query (`True` / `False`).
///
/// The Python client (0.36, `requests`) sends booleans this way and servers parse
/// them case-insensitively; sending the same spelling keeps requests identical.
///
/// ```
/// assert_eq!(hf_types::routes::py_bool(true), "True");
/// ```
pub fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The endpoint without its trailing slashes: the one place that trims it.
///
/// ```
/// assert_eq!(hf_types::routes::endpoint_base("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
/// ```
pub fn endpoint_base(endpoint: &str) -> &str {
    endpoint.trim_end_matches('/')
}

/// Characters `application/x-www-form-urlencoded` leaves as they are: alphanumerics and `*-._`.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// Form-encodes one query key or value as `reqwest`'s `.query()` does (space → `+`).
fn form_encode(value: &str, out: &mut String) {
    for chunk in utf8_percent_encode(value, FORM) {
        if chunk == "%20" {
            out.push('+');
        } else {
            out.push_str(chunk);
        }
    }
}

/// A Hub route: a relative, encoded path and its query parameters, in order.
///
/// Built by the constructors below (one per route), never by hand, so that the
/// encoding rules of the module documentation hold everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    path: String,
    query: Vec<(&'static str, String)>,
}

impl Route {
    /// A route from an encoded path; private so every path goes through a constructor.
    fn new(path: String) -> Self {
        Route {
            path,
            query: Vec::new(),
        }
    }

    /// A path under `api/`: `api/{tail}`.
    fn api(tail: impl AsRef<str>) -> Self {
        Route::new(format!("api/{}", tail.as_ref()))
    }

    /// The encoded path, relative (no leading `/`), without the query.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters in the order they were added; repeated keys are kept.
    ///
    /// Suitable for `reqwest::RequestBuilder::query`.
    pub fn query(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// Adds `key=value` (a repeated key adds another pair, as lists are sent).
    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    /// Adds `key=True` or `key=False` (see [`py_bool`]).
    pub fn with_bool(self, key: &'static str, value: bool) -> Self {
        self.with(key, py_bool(value))
    }

    /// Adds `key=value` when there is a value; `None` is omitted, as Python omits it.
    pub fn with_opt(self, key: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// Adds `key=v` for every value: lists are sent as repeated keys.
    pub fn with_all<V: Into<String>>(
        mut self,
        key: &'static str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.query
            .extend(values.into_iter().map(|value| (key, value.into())));
        self
    }

    /// The query form-encoded, without the `?`; empty when there is none.
    pub fn query_string(&self) -> String {
        let mut out = String::new();
        for (i, (key, value)) in self.query.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            form_encode(key, &mut out);
            out.push('=');
            form_encode(value, &mut out);
        }
        out
    }

    /// The path and, if any, `?` and the query: the part of the URL after the endpoint's `/`.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query_string())
        }
    }

    /// The full URL on `endpoint` (with or without a trailing `/`; it may carry a path
    /// prefix such as `http://host/hub`).
    pub fn url(&self, endpoint: &str) -> String {
        format!("{}/{}", endpoint_base(endpoint), self.path_and_query())
    }

    /// The routes of one repository.
    pub fn repo(repo_type: RepoType, repo_id: &RepoId) -> RepoRoutes<'_> {
        RepoRoutes { repo_type, repo_id }
    }

    /// The routes of one Space (`api/spaces/{id}/...`, protocol §7.2).
    pub fn space(repo_id: &RepoId) -> SpaceRoutes<'_> {
        SpaceRoutes { repo_id }
    }

    /// `api/whoami-v2`: the caller's identity (§9.6).
    pub fn whoami() -> Self {
        Route::api("whoami-v2")
    }

    /// `api/repos/create` (POST, §2.1).
    pub fn create_repo() -> Self {
        Route::api("repos/create")
    }

    /// `api/repos/delete` (DELETE, §2.2).
    pub fn delete_repo() -> Self {
        Route::api("repos/delete")
    }

    /// `api/repos/move` (POST, §2.3).
    pub fn move_repo() -> Self {
        Route::api("repos/move")
    }

    /// `api/models`, `api/datasets` or `api/spaces`: the paginated listings (§2.6).
    pub fn list_repos(repo_type: RepoType) -> Self {
        Route::api(repo_type.api_segment())
    }

    /// `api/validate-yaml` (POST): checks a README's metadata before a commit (§6.6).
    pub fn validate_yaml() -> Self {
        Route::api("validate-yaml")
    }

    // Issue 14: the tag vocabularies.
    /// `api/models-tags-by-type`: every valid model tag, by type (`get_model_tags`).
    pub fn models_tags_by_type() -> Self {
        Route::api("models-tags-by-type")
    }

    /// `api/datasets-tags-by-type`: every valid dataset tag, by type (`get_dataset_tags`).
    pub fn datasets_tags_by_type() -> Self {
        Route::api("datasets-tags-by-type")
    }

    /// `api/users/{user}/overview` (§9.6).
    pub fn user_overview(user: &str) -> Self {
        Route::api(format!("users/{}/overview", encode_segment(user)))
    }

    /// `api/users/{user}/likes`: the repos a user liked, paginated (§9.2).
    pub fn user_likes(user: &str) -> Self {
        Route::api(format!("users/{}/likes", encode_segment(user)))
    }

    /// `api/users/{user}/followers`, paginated (§9.6).
    pub fn user_followers(user: &str) -> Self {
        Route::api(format!("users/{}/followers", encode_segment(user)))
    }

    /// `api/users/{user}/following`, paginated (§9.6).
    pub fn user_following(user: &str) -> Self {
        Route::api(format!("users/{}/following", encode_segment(user)))
    }

    /// `api/organizations/{org}/overview` (§9.6).
    pub fn organization_overview(org: &str) -> Self {
        Route::api(format!("organizations/{}/overview", encode_segment(org)))
    }

    /// `api/organizations/{org}/members`, paginated (§9.6).
    pub fn organization_members(org: &str) -> Self {
        Route::api(format!("organizations/{}/members", encode_segment(org)))
    }

    /// `api/collections`: listing (GET, paginated) and creation (POST) (§9.3).
    pub fn collections() -> Self {
        Route::api("collections")
    }

    /// `api/collections/{slug}`: get, update (PATCH), delete (§9.3). The slug's `/` is kept.
    pub fn collection(slug: &str) -> Self {
        Route::api(format!("collections/{}", encode_path(slug)))
    }

    /// `api/collections/{slug}/items` (POST): adds an item (§9.3).
    pub fn collection_items(slug: &str) -> Self {
        Route::api(format!("collections/{}/items", encode_path(slug)))
    }

    /// `api/collections/{slug}/items/{item_object_id}`: update (PATCH), delete (§9.3).
    pub fn collection_item(slug: &str, item_object_id: &str) -> Self {
        Route::api(format!(
            "collections/{}/items/{}",
            encode_path(slug),
            encode_segment(item_object_id)
        ))
    }

    /// `api/settings/webhooks`: listing (GET) and creation (POST) (§9.4).
    pub fn webhooks() -> Self {
        Route::api("settings/webhooks")
    }

    /// `api/settings/webhooks/{id}`: get, update (POST), delete (§9.4).
    pub fn webhook(webhook_id: &str) -> Self {
        Route::api(format!("settings/webhooks/{}", encode_segment(webhook_id)))
    }

    /// `api/settings/webhooks/{id}/enable` (POST, §9.4).
    pub fn webhook_enable(webhook_id: &str) -> Self {
        Route::api(format!(
            "settings/webhooks/{}/enable",
            encode_segment(webhook_id)
        ))
    }

    /// `api/settings/webhooks/{id}/disable` (POST, §9.4).
    pub fn webhook_disable(webhook_id: &str) -> Self {
        Route::api(format!(
            "settings/webhooks/{}/disable",
            encode_segment(webhook_id)
        ))
    }

    /// `api/papers/search?q={query}`; `q` is omitted when the query is empty (§9.7).
    pub fn papers_search(query: &str) -> Self {
        Route::api("papers/search").with_opt("q", Some(query).filter(|q| !q.is_empty()))
    }

    /// The routes of the Inference Endpoints API in `namespace` (§8). They are relative to that
    /// API's own base (`https://api.endpoints.huggingface.cloud/v2`, or a local hub's
    /// `{hub}/api/inference-endpoints/v2`), never to the Hub endpoint.
    pub fn inference_endpoints(namespace: &str) -> EndpointRoutes<'_> {
        EndpointRoutes { namespace }
    }

    /// `api/papers/{arxiv_id}` (§9.7).
    pub fn paper(arxiv_id: &str) -> Self {
        Route::api(format!("papers/{}", encode_segment(arxiv_id)))
    }
}

/// The routes of the Inference Endpoints API in one namespace: [`Route::inference_endpoints`].
///
/// Paths are `endpoint/{namespace}[/{name}[/{action}]]`, namespace and name each one encoded
/// segment; join them to the Endpoints base, not to the Hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointRoutes<'a> {
    namespace: &'a str,
}

impl EndpointRoutes<'_> {
    /// `endpoint/{namespace}`: listing (GET) and creation (POST).
    pub fn list(&self) -> Route {
        Route::new(format!("endpoint/{}", encode_segment(self.namespace)))
    }

    /// `endpoint/{namespace}/{name}`: get, update (PUT), delete.
    pub fn endpoint(&self, name: &str) -> Route {
        Route::new(format!(
            "endpoint/{}/{}",
            encode_segment(self.namespace),
            encode_segment(name)
        ))
    }

    /// `endpoint/{namespace}/{name}/pause` (POST).
    pub fn pause(&self, name: &str) -> Route {
        self.action(name, "pause")
    }

    /// `endpoint/{namespace}/{name}/resume` (POST).
    pub fn resume(&self, name: &str) -> Route {
        self.action(name, "resume")
    }

    /// `endpoint/{namespace}/{name}/scale-to-zero` (POST).
    pub fn scale_to_zero(&self, name: &str) -> Route {
        self.action(name, "scale-to-zero")
    }

    fn action(&self, name: &str, action: &str) -> Route {
        let mut route = self.endpoint(name);
        route.path = format!("{}/{action}", route.path);
        route
    }
}

/// The routes of one repository: [`Route::repo`].
///
/// Revisions are taken as anything that reads as a string (a [`Revision`](crate::Revision),
/// a commit id) and are always encoded as one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoRoutes<'a> {
    repo_type: RepoType,
    repo_id: &'a RepoId,
}

impl RepoRoutes<'_> {
    /// `api/{type}/{id}{tail}`; `tail` is empty or an encoded `/...`.
    fn api(&self, tail: &str) -> Route {
        Route::api(format!(
            "{}/{}{tail}",
            self.repo_type.api_segment(),
            self.repo_id.as_str()
        ))
    }

    /// `api/{type}/{id}/{segment}/{value}` with `value` encoded as one segment.
    fn api_segment(&self, segment: &str, value: &str) -> Route {
        self.api(&format!("/{segment}/{}", encode_segment(value)))
    }

    /// `api/{type}/{id}/discussions/{num}{tail}`.
    fn discussion_tail(&self, num: u64, tail: &str) -> Route {
        self.api(&format!("/discussions/{num}{tail}"))
    }

    /// `{prefix}{id}`: the repo's path on the website (`datasets/`, `spaces/` or nothing).
    fn web_path(&self) -> String {
        format!("{}{}", self.repo_type.url_prefix(), self.repo_id.as_str())
    }

    /// `api/{type}/{id}`, or `api/{type}/{id}/revision/{rev}` for a given revision:
    /// the repo info (§2.5).
    pub fn info(&self, revision: Option<&str>) -> Route {
        match revision {
            Some(revision) => self.api_segment("revision", revision),
            None => self.api(""),
        }
    }

    /// `api/{type}/{id}/tree/{rev}[/{path}]`: the tree listing (§3.1). The path is
    /// one segment (`sub/dir` → `sub%2Fdir`), as the Python client sends it.
    pub fn tree(&self, revision: impl AsRef<str>, path: Option<&str>) -> Route {
        let revision = encode_segment(revision.as_ref());
        match path.map(|p| p.trim_matches('/')).filter(|p| !p.is_empty()) {
            Some(path) => self.api(&format!("/tree/{revision}/{}", encode_segment(path))),
            None => self.api(&format!("/tree/{revision}")),
        }
    }

    /// `api/{type}/{id}/paths-info/{rev}` (POST with a form body, §3.2).
    pub fn paths_info(&self, revision: impl AsRef<str>) -> Route {
        self.api_segment("paths-info", revision.as_ref())
    }

    /// `api/{type}/{id}/refs` (§3.3).
    pub fn refs(&self) -> Route {
        self.api("/refs")
    }

    /// `api/{type}/{id}/commits/{rev}`: the history, paginated (§3.4).
    pub fn commits(&self, revision: impl AsRef<str>) -> Route {
        self.api_segment("commits", revision.as_ref())
    }

    /// `api/{type}/{id}/branch/{branch}`: create (POST) or delete (DELETE) (§3.5).
    pub fn branch(&self, branch: &str) -> Route {
        self.api_segment("branch", branch)
    }

    /// `api/{type}/{id}/tag/{rev}` to create a tag on a revision (POST), or
    /// `.../tag/{tag}` to delete one (DELETE) (§3.6).
    pub fn tag(&self, revision_or_tag: &str) -> Route {
        self.api_segment("tag", revision_or_tag)
    }

    /// `api/{type}/{id}/super-squash/{branch}` (POST, §3.7).
    pub fn super_squash(&self, branch: &str) -> Route {
        self.api_segment("super-squash", branch)
    }

    /// `api/{type}/{id}/preupload/{rev}` (POST, §6.2).
    pub fn preupload(&self, revision: impl AsRef<str>) -> Route {
        self.api_segment("preupload", revision.as_ref())
    }

    /// `api/{type}/{id}/commit/{rev}` (POST, NDJSON body, §6.5).
    pub fn commit(&self, revision: impl AsRef<str>) -> Route {
        self.api_segment("commit", revision.as_ref())
    }

    /// `api/{type}/{id}/settings` (PUT, §2.4).
    pub fn settings(&self) -> Route {
        self.api("/settings")
    }

    /// `api/{type}/{id}/auth-check` (§2.8).
    pub fn auth_check(&self) -> Route {
        self.api("/auth-check")
    }

    /// `api/{type}/{id}/lfs-files`: the LFS files, paginated (§3.8).
    pub fn lfs_files(&self) -> Route {
        self.api("/lfs-files")
    }

    /// `api/{type}/{id}/lfs-files/batch` (POST): permanent deletion (§3.8).
    pub fn lfs_files_batch(&self) -> Route {
        self.api("/lfs-files/batch")
    }

    /// `api/{type}/{id}/xet-read-token/{rev}` (§6.11).
    pub fn xet_read_token(&self, revision: impl AsRef<str>) -> Route {
        self.api_segment("xet-read-token", revision.as_ref())
    }

    /// `api/{type}/{id}/xet-write-token/{rev}` (§6.11).
    pub fn xet_write_token(&self, revision: impl AsRef<str>) -> Route {
        self.api_segment("xet-write-token", revision.as_ref())
    }

    /// `api/{type}/{id}/discussions`: listing (GET, `p` page query) and creation (POST) (§9.1).
    pub fn discussions(&self) -> Route {
        self.api("/discussions")
    }

    /// `api/{type}/{id}/discussions/{num}`: the details (`diff=1` for the diff) (§9.1).
    pub fn discussion(&self, num: u64) -> Route {
        self.discussion_tail(num, "")
    }

    /// `api/{type}/{id}/discussions/{num}/comment` (POST, §9.1).
    pub fn discussion_comment(&self, num: u64) -> Route {
        self.discussion_tail(num, "/comment")
    }

    /// `api/{type}/{id}/discussions/{num}/title` (POST, §9.1).
    pub fn discussion_title(&self, num: u64) -> Route {
        self.discussion_tail(num, "/title")
    }

    /// `api/{type}/{id}/discussions/{num}/status` (POST, §9.1).
    pub fn discussion_status(&self, num: u64) -> Route {
        self.discussion_tail(num, "/status")
    }

    /// `api/{type}/{id}/discussions/{num}/merge` (POST, §9.1).
    pub fn discussion_merge(&self, num: u64) -> Route {
        self.discussion_tail(num, "/merge")
    }

    /// `api/{type}/{id}/discussions/{num}/comment/{comment_id}/edit` (POST, §9.1).
    /// The Python client lower-cases the comment id first; that is the caller's choice.
    pub fn discussion_comment_edit(&self, num: u64, comment_id: &str) -> Route {
        self.discussion_tail(
            num,
            &format!("/comment/{}/edit", encode_segment(comment_id)),
        )
    }

    /// `api/{type}/{id}/discussions/{num}/comment/{comment_id}/hide` (POST, §9.1).
    pub fn discussion_comment_hide(&self, num: u64, comment_id: &str) -> Route {
        self.discussion_tail(
            num,
            &format!("/comment/{}/hide", encode_segment(comment_id)),
        )
    }

    /// `api/{type}/{id}/like`: like (POST) or unlike (DELETE) (§9.2).
    pub fn like(&self) -> Route {
        self.api("/like")
    }

    /// `api/{type}/{id}/likers`, paginated (§9.2).
    pub fn likers(&self) -> Route {
        self.api("/likers")
    }

    /// `api/{type}/{id}/user-access-request/{status}` with `status` one of `pending`,
    /// `accepted`, `rejected` (§9.5).
    pub fn access_requests(&self, status: &str) -> Route {
        self.api_segment("user-access-request", status)
    }

    /// `api/{type}/{id}/user-access-request/handle` (POST): accept, reject or cancel (§9.5).
    pub fn access_request_handle(&self) -> Route {
        self.api("/user-access-request/handle")
    }

    /// `api/{type}/{id}/user-access-request/grant` (POST, §9.5).
    pub fn access_request_grant(&self) -> Route {
        self.api("/user-access-request/grant")
    }

    /// `{prefix}{id}/resolve/{rev}/{path}`: a file's content (§4.1). The revision is one
    /// segment, the path is encoded per segment (`/` kept); a leading or trailing `/`
    /// of the path is dropped.
    pub fn resolve(&self, revision: impl AsRef<str>, path: &str) -> Route {
        Route::new(format!(
            "{}/resolve/{}/{}",
            self.web_path(),
            encode_segment(revision.as_ref()),
            encode_path(path.trim_matches('/'))
        ))
    }

    /// `{prefix}{id}.git/info/lfs/objects/batch`: the Git LFS batch API (POST, §6.3).
    pub fn lfs_batch(&self) -> Route {
        Route::new(format!("{}.git/info/lfs/objects/batch", self.web_path()))
    }

    /// `{prefix}{id}/ask-access` (POST, form): the gate form a user sends to ask for access to
    /// a gated repo (§9.5; a web route, the Python client has no call for it).
    pub fn ask_access(&self) -> Route {
        Route::new(format!("{}/ask-access", self.web_path()))
    }

    /// `{prefix}{id}`: the repo's page, the base of the web URLs the Hub returns (§1.2).
    pub fn web(&self) -> Route {
        Route::new(self.web_path())
    }
}

/// The routes of one Space: [`Route::space`] (protocol §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceRoutes<'a> {
    repo_id: &'a RepoId,
}

impl SpaceRoutes<'_> {
    /// `api/spaces/{id}/{tail}`.
    fn api(&self, tail: &str) -> Route {
        Route::api(format!("spaces/{}/{tail}", self.repo_id.as_str()))
    }

    /// The Space's routes common to every repo type (info, tree, commit, ...).
    pub fn repo(&self) -> RepoRoutes<'_> {
        Route::repo(RepoType::Space, self.repo_id)
    }

    /// `api/spaces/{id}/runtime` (GET).
    pub fn runtime(&self) -> Route {
        self.api("runtime")
    }

    /// `api/spaces/{id}/hardware` (POST).
    pub fn hardware(&self) -> Route {
        self.api("hardware")
    }

    /// `api/spaces/{id}/sleeptime` (POST).
    pub fn sleeptime(&self) -> Route {
        self.api("sleeptime")
    }

    /// `api/spaces/{id}/pause` (POST).
    pub fn pause(&self) -> Route {
        self.api("pause")
    }

    /// `api/spaces/{id}/restart` (POST), with `factory=true` for a factory reboot.
    pub fn restart(&self, factory: bool) -> Route {
        let route = self.api("restart");
        if factory {
            route.with("factory", "true")
        } else {
            route
        }
    }

    /// `api/spaces/{id}/storage`: request (POST) or delete (DELETE) persistent storage.
    pub fn storage(&self) -> Route {
        self.api("storage")
    }

    /// `api/spaces/{id}/secrets`: add (POST) or delete (DELETE) a secret.
    pub fn secrets(&self) -> Route {
        self.api("secrets")
    }

    /// `api/spaces/{id}/variables`: list (GET), add (POST) or delete (DELETE) variables.
    pub fn variables(&self) -> Route {
        self.api("variables")
    }

    /// `api/spaces/{id}/duplicate` (POST): duplicates this Space.
    pub fn duplicate(&self) -> Route {
        self.api("duplicate")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Revision;

    fn id(s: &str) -> RepoId {
        s.parse().unwrap()
    }

    const E: &str = "https://huggingface.co";

    #[test]
    fn inference_endpoint_routes_join_the_endpoints_base() {
        let base = "https://api.endpoints.huggingface.cloud/v2/";
        let routes = Route::inference_endpoints("acme");
        assert_eq!(routes.list().path(), "endpoint/acme");
        assert_eq!(
            routes.list().url(base),
            "https://api.endpoints.huggingface.cloud/v2/endpoint/acme"
        );
        assert_eq!(routes.endpoint("my-ep").path(), "endpoint/acme/my-ep");
        assert_eq!(routes.pause("my-ep").path(), "endpoint/acme/my-ep/pause");
        assert_eq!(routes.resume("my-ep").path(), "endpoint/acme/my-ep/resume");
        assert_eq!(
            routes
                .scale_to_zero("my-ep")
                .url("http://127.0.0.1:9/api/inference-endpoints/v2"),
            "http://127.0.0.1:9/api/inference-endpoints/v2/endpoint/acme/my-ep/scale-to-zero"
        );
        // A name is one segment: a `/` cannot reach another route.
        assert_eq!(
            Route::inference_endpoints("a b").endpoint("x/y").path(),
            "endpoint/a%20b/x%2Fy"
        );
    }

    #[test]
    fn ask_access_and_community_routes() {
        let m = id("acme/m");
        let d = Route::repo(RepoType::Dataset, &m);
        assert_eq!(d.ask_access().path(), "datasets/acme/m/ask-access");
        assert_eq!(
            Route::repo(RepoType::Model, &m).ask_access().path(),
            "acme/m/ask-access"
        );
        assert_eq!(
            d.discussion_comment_edit(3, "AbC").path(),
            "api/datasets/acme/m/discussions/3/comment/AbC/edit"
        );
        assert_eq!(
            d.access_requests("pending").path(),
            "api/datasets/acme/m/user-access-request/pending"
        );
    }

    #[test]
    fn python_booleans_and_endpoint_trimming() {
        assert_eq!(py_bool(true), "True");
        assert_eq!(py_bool(false), "False");
        assert_eq!(endpoint_base("http://h:1/"), "http://h:1");
        assert_eq!(endpoint_base("http://h:1//"), "http://h:1");
        assert_eq!(endpoint_base("http://h/hub"), "http://h/hub");
        let r = Route::whoami();
        assert_eq!(r.url("http://h:1/"), "http://h:1/api/whoami-v2");
        assert_eq!(r.url("http://h:1"), "http://h:1/api/whoami-v2");
        assert_eq!(r.url("http://h/hub/"), "http://h/hub/api/whoami-v2");
    }

    #[test]
    fn query_is_ordered_typed_and_form_encoded() {
        let r = Route::list_repos(RepoType::Model)
            .with("search", "a b&c=d")
            .with_bool("full", false)
            .with_opt("author", None::<String>)
            .with_opt("sort", Some("likes"))
            .with_all("expand", ["author", "likes"])
            .with("expand[]", "é");
        assert_eq!(
            r.query(),
            &[
                ("search", "a b&c=d".to_owned()),
                ("full", "False".to_owned()),
                ("sort", "likes".to_owned()),
                ("expand", "author".to_owned()),
                ("expand", "likes".to_owned()),
                ("expand[]", "é".to_owned()),
            ]
        );
        assert_eq!(
            r.query_string(),
            "search=a+b%26c%3Dd&full=False&sort=likes&expand=author&expand=likes&expand%5B%5D=%C3%A9"
        );
        assert_eq!(r.url(E), format!("{E}/api/models?{}", r.query_string()));
        // No query: no `?`.
        assert_eq!(Route::whoami().path_and_query(), "api/whoami-v2");
        assert_eq!(Route::whoami().query_string(), "");
    }

    #[test]
    fn account_and_listing_routes() {
        assert_eq!(Route::whoami().path(), "api/whoami-v2");
        assert_eq!(Route::create_repo().path(), "api/repos/create");
        assert_eq!(Route::delete_repo().path(), "api/repos/delete");
        assert_eq!(Route::move_repo().path(), "api/repos/move");
        assert_eq!(Route::validate_yaml().path(), "api/validate-yaml");
        assert_eq!(Route::list_repos(RepoType::Model).path(), "api/models");
        assert_eq!(Route::list_repos(RepoType::Dataset).path(), "api/datasets");
        assert_eq!(Route::list_repos(RepoType::Space).path(), "api/spaces");
    }

    // Issue 14.
    #[test]
    fn tag_vocabulary_routes() {
        assert_eq!(
            Route::models_tags_by_type().path(),
            "api/models-tags-by-type"
        );
        assert_eq!(
            Route::datasets_tags_by_type().path(),
            "api/datasets-tags-by-type"
        );
    }

    #[test]
    fn repo_info_routes() {
        let x = id("alice/x");
        let model = Route::repo(RepoType::Model, &x);
        assert_eq!(model.info(None).path(), "api/models/alice/x");
        assert_eq!(
            model.info(Some("refs/pr/1")).path(),
            "api/models/alice/x/revision/refs%2Fpr%2F1"
        );
        let rev = Revision::main();
        assert_eq!(
            Route::repo(RepoType::Dataset, &x)
                .info(Some(rev.as_str()))
                .with_bool("blobs", true)
                .url(E),
            format!("{E}/api/datasets/alice/x/revision/main?blobs=True")
        );
        assert_eq!(
            Route::repo(RepoType::Space, &id("gpt2")).info(None).path(),
            "api/spaces/gpt2"
        );
        assert_eq!(model.settings().path(), "api/models/alice/x/settings");
        assert_eq!(model.auth_check().path(), "api/models/alice/x/auth-check");
    }

    #[test]
    fn tree_and_files_routes() {
        let x = id("alice/x");
        let r = Route::repo(RepoType::Model, &x);
        let pr = Revision::pull_request(1);
        assert_eq!(
            r.tree(&pr, None).path(),
            "api/models/alice/x/tree/refs%2Fpr%2F1"
        );
        assert_eq!(
            r.tree(&pr, Some("a b")).path(),
            "api/models/alice/x/tree/refs%2Fpr%2F1/a%20b"
        );
        // The tree path is one segment, as the Python client sends it.
        assert_eq!(
            r.tree("main", Some("sub/dir/")).path(),
            "api/models/alice/x/tree/main/sub%2Fdir"
        );
        assert_eq!(
            r.tree("main", Some("")).path(),
            "api/models/alice/x/tree/main"
        );
        assert_eq!(
            r.tree("main", None)
                .with_bool("recursive", true)
                .with_bool("expand", false)
                .path_and_query(),
            "api/models/alice/x/tree/main?recursive=True&expand=False"
        );
        assert_eq!(
            r.paths_info("v1.0").path(),
            "api/models/alice/x/paths-info/v1.0"
        );
        assert_eq!(r.lfs_files().path(), "api/models/alice/x/lfs-files");
        assert_eq!(
            r.lfs_files_batch().path(),
            "api/models/alice/x/lfs-files/batch"
        );
        assert_eq!(
            r.xet_read_token("my branch").path(),
            "api/models/alice/x/xet-read-token/my%20branch"
        );
        assert_eq!(
            r.xet_write_token("main").path(),
            "api/models/alice/x/xet-write-token/main"
        );
    }

    #[test]
    fn refs_and_history_routes() {
        let x = id("alice/x");
        let r = Route::repo(RepoType::Dataset, &x);
        assert_eq!(r.refs().path(), "api/datasets/alice/x/refs");
        assert_eq!(
            r.commits("refs/convert/parquet").path(),
            "api/datasets/alice/x/commits/refs%2Fconvert%2Fparquet"
        );
        assert_eq!(
            r.branch("my/feature").path(),
            "api/datasets/alice/x/branch/my%2Ffeature"
        );
        assert_eq!(r.tag("v1.0").path(), "api/datasets/alice/x/tag/v1.0");
        assert_eq!(
            r.super_squash("main").path(),
            "api/datasets/alice/x/super-squash/main"
        );
    }

    #[test]
    fn upload_routes() {
        let x = id("alice/x");
        let r = Route::repo(RepoType::Model, &x);
        assert_eq!(
            r.preupload(Revision::pull_request(2)).path(),
            "api/models/alice/x/preupload/refs%2Fpr%2F2"
        );
        assert_eq!(
            r.commit("main").with("create_pr", "1").path_and_query(),
            "api/models/alice/x/commit/main?create_pr=1"
        );
        assert_eq!(
            r.lfs_batch().url(E),
            format!("{E}/alice/x.git/info/lfs/objects/batch")
        );
        assert_eq!(
            Route::repo(RepoType::Dataset, &x).lfs_batch().path(),
            "datasets/alice/x.git/info/lfs/objects/batch"
        );
        assert_eq!(
            Route::repo(RepoType::Space, &id("gpt2")).lfs_batch().path(),
            "spaces/gpt2.git/info/lfs/objects/batch"
        );
    }

    #[test]
    fn resolve_encodes_the_revision_as_one_segment_and_the_path_per_segment() {
        let x = id("datasets-org/data");
        let r = Route::repo(RepoType::Dataset, &x);
        assert_eq!(
            r.resolve(Revision::pull_request(3), "train/part 0.parquet")
                .url("https://huggingface.co/"),
            "https://huggingface.co/datasets/datasets-org/data/resolve/refs%2Fpr%2F3/train/part%200.parquet"
        );
        let m = id("gpt2");
        let m = Route::repo(RepoType::Model, &m);
        assert_eq!(
            m.resolve("main", "a b/c+d.txt").path(),
            "gpt2/resolve/main/a%20b/c%2Bd.txt"
        );
        assert_eq!(
            m.resolve("main", "q?#%.txt").path(),
            "gpt2/resolve/main/q%3F%23%25.txt"
        );
        assert_eq!(
            m.resolve("main", "日本/é.txt").path(),
            "gpt2/resolve/main/%E6%97%A5%E6%9C%AC/%C3%A9.txt"
        );
        assert_eq!(m.resolve("main", "/a/b/").path(), "gpt2/resolve/main/a/b");
        assert_eq!(
            Route::repo(RepoType::Space, &id("a/b"))
                .resolve("v1.0", "app.py")
                .path(),
            "spaces/a/b/resolve/v1.0/app.py"
        );
    }

    #[test]
    fn web_urls_carry_the_type_prefix() {
        let x = id("alice/x");
        assert_eq!(
            Route::repo(RepoType::Model, &x).web().url(E),
            format!("{E}/alice/x")
        );
        assert_eq!(
            Route::repo(RepoType::Dataset, &x).web().url(E),
            format!("{E}/datasets/alice/x")
        );
        assert_eq!(
            Route::repo(RepoType::Space, &x)
                .web()
                .url("http://127.0.0.1:9/"),
            "http://127.0.0.1:9/spaces/alice/x"
        );
    }

    #[test]
    fn community_routes() {
        let x = id("org/model");
        let r = Route::repo(RepoType::Model, &x);
        assert_eq!(r.discussions().path(), "api/models/org/model/discussions");
        assert_eq!(
            r.discussions()
                .with("p", "0")
                .with("type", "pull_request")
                .path_and_query(),
            "api/models/org/model/discussions?p=0&type=pull_request"
        );
        assert_eq!(
            r.discussion(3).with("diff", "1").path_and_query(),
            "api/models/org/model/discussions/3?diff=1"
        );
        assert_eq!(
            r.discussion_comment(3).path(),
            "api/models/org/model/discussions/3/comment"
        );
        assert_eq!(
            r.discussion_title(3).path(),
            "api/models/org/model/discussions/3/title"
        );
        assert_eq!(
            r.discussion_status(3).path(),
            "api/models/org/model/discussions/3/status"
        );
        assert_eq!(
            r.discussion_merge(3).path(),
            "api/models/org/model/discussions/3/merge"
        );
        assert_eq!(
            r.discussion_comment_edit(3, "659e01").path(),
            "api/models/org/model/discussions/3/comment/659e01/edit"
        );
        assert_eq!(
            r.discussion_comment_hide(3, "659e01").path(),
            "api/models/org/model/discussions/3/comment/659e01/hide"
        );
        assert_eq!(r.like().path(), "api/models/org/model/like");
        assert_eq!(r.likers().path(), "api/models/org/model/likers");
        let d = Route::repo(RepoType::Dataset, &x);
        for status in ["pending", "accepted", "rejected"] {
            assert_eq!(
                d.access_requests(status).path(),
                format!("api/datasets/org/model/user-access-request/{status}")
            );
        }
        assert_eq!(
            d.access_request_handle().path(),
            "api/datasets/org/model/user-access-request/handle"
        );
        assert_eq!(
            d.access_request_grant().path(),
            "api/datasets/org/model/user-access-request/grant"
        );
    }

    #[test]
    fn account_community_routes() {
        assert_eq!(
            Route::user_overview("julien-c").path(),
            "api/users/julien-c/overview"
        );
        assert_eq!(Route::user_likes("bob").path(), "api/users/bob/likes");
        assert_eq!(
            Route::user_followers("bob").path(),
            "api/users/bob/followers"
        );
        assert_eq!(
            Route::user_following("bob").path(),
            "api/users/bob/following"
        );
        assert_eq!(
            Route::organization_overview("acme").path(),
            "api/organizations/acme/overview"
        );
        assert_eq!(
            Route::organization_members("acme").path(),
            "api/organizations/acme/members"
        );
        // A name from a caller can never add a segment.
        assert_eq!(
            Route::user_likes("a/../b").path(),
            "api/users/a%2F..%2Fb/likes"
        );
        assert_eq!(Route::collections().path(), "api/collections");
        assert_eq!(
            Route::collections()
                .with_all("owner", ["a", "b"])
                .with("sort", "trending")
                .path_and_query(),
            "api/collections?owner=a&owner=b&sort=trending"
        );
        let slug = "alice/my-models-64f1a2b3c4d5e6f7a8b9c0d1";
        assert_eq!(
            Route::collection(slug).path(),
            format!("api/collections/{slug}")
        );
        assert_eq!(
            Route::collection_items(slug).path(),
            format!("api/collections/{slug}/items")
        );
        assert_eq!(
            Route::collection_item(slug, "6500aaaa").path(),
            format!("api/collections/{slug}/items/6500aaaa")
        );
        assert_eq!(Route::webhooks().path(), "api/settings/webhooks");
        assert_eq!(Route::webhook("w1").path(), "api/settings/webhooks/w1");
        assert_eq!(
            Route::webhook_enable("w1").path(),
            "api/settings/webhooks/w1/enable"
        );
        assert_eq!(
            Route::webhook_disable("w1").path(),
            "api/settings/webhooks/w1/disable"
        );
        assert_eq!(
            Route::papers_search("llama 3").path_and_query(),
            "api/papers/search?q=llama+3"
        );
        assert_eq!(
            Route::papers_search("").path_and_query(),
            "api/papers/search"
        );
        assert_eq!(Route::paper("2311.12983").path(), "api/papers/2311.12983");
    }

    #[test]
    fn space_routes() {
        let x = id("user/app");
        let s = Route::space(&x);
        assert_eq!(s.runtime().path(), "api/spaces/user/app/runtime");
        assert_eq!(s.hardware().path(), "api/spaces/user/app/hardware");
        assert_eq!(s.sleeptime().path(), "api/spaces/user/app/sleeptime");
        assert_eq!(s.pause().path(), "api/spaces/user/app/pause");
        assert_eq!(
            s.restart(false).path_and_query(),
            "api/spaces/user/app/restart"
        );
        assert_eq!(
            s.restart(true).path_and_query(),
            "api/spaces/user/app/restart?factory=true"
        );
        assert_eq!(s.storage().path(), "api/spaces/user/app/storage");
        assert_eq!(s.secrets().path(), "api/spaces/user/app/secrets");
        assert_eq!(s.variables().path(), "api/spaces/user/app/variables");
        assert_eq!(s.duplicate().path(), "api/spaces/user/app/duplicate");
        assert_eq!(s.repo().info(None).path(), "api/spaces/user/app");
        assert_eq!(s.repo().web().path(), "spaces/user/app");
    }
}
