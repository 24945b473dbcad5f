//! Files, refs and history of a repo (protocol §3.1–§3.7): tree listings, paths info, refs,
//! commit history, branches, tags and history squashing.
//!
//! One request builder per operation; `.await` sends it. Listings also offer `.into_stream()`,
//! which follows the `Link` header page by page.

use std::fmt;
use std::pin::Pin;

use futures_util::{Stream, StreamExt, TryStreamExt};
use hf_http::{HubClient, Method, RepoTarget, RequestBuilder, impl_into_future, impl_repo_request};
use hf_types::routes::py_bool;
use hf_types::{GitCommitInfo, GitRefs, RepoId, RepoPath, RepoTreeEntry, Revision, RevisionKind};

use crate::{Error, Result};

/// Most paths sent in one paths-info request: what the Python client's own callers send at most
/// (the Hub refuses requests with more than 1000 parameters).
const PATHS_INFO_BATCH: usize = 500;

/// Streams a paginated listing started by `start`, checking each item with `check`.
fn listing<T>(
    client: HubClient,
    start: Result<RequestBuilder>,
    check: fn(T) -> Result<T>,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let pages: Pin<Box<dyn Stream<Item = Result<T>> + Send + 'static>> = match start {
        // Boxed: the stream owns its state, but its type names the client borrow.
        Ok(request) => Box::pin(client.paginate::<T>(request).map_err(Error::from)),
        Err(error) => Box::pin(futures_util::stream::once(async { Err(error) })),
    };
    pages.map(move |item| item.and_then(check))
}

/// Refuses an entry whose path is not a safe relative path (`..`, absolute, backslashes...).
fn checked_entry(entry: RepoTreeEntry) -> Result<RepoTreeEntry> {
    RepoPath::validate(entry.path())?;
    Ok(entry)
}

/// Refuses, before sending, a branch or tag name that names something else (a commit id,
/// `refs/pr/N`, `refs/convert/...`).
fn check_ref_name(kind: &str, name: &Revision) -> Result<()> {
    match name.kind() {
        RevisionKind::Named if !name.as_str().starts_with("refs/") => Ok(()),
        _ => Err(Error::InvalidArgument(format!(
            "{name:?} cannot be a {kind} name: it looks like a commit id or a full ref",
            name = name.as_str()
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Tree listing
// ---------------------------------------------------------------------------------------------

/// Lists the files and folders of a repo at a revision: the Python client's `list_repo_tree`
/// (`GET /api/{type}/{repo_id}/tree/{rev}[/{path}]`, protocol §3.1).
///
/// By default the direct children of the repo root at `main`; [`recursive`](Self::recursive)
/// lists every descendant (folders included), [`expand`](Self::expand) adds each entry's last
/// commit and security status. `.await` collects the entries, [`into_stream`](Self::into_stream)
/// yields them page by page. Paths sent by the server are checked: an unsafe path (`..`,
/// absolute) is an [`Error::InvalidPath`].
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::ListRepoTree;
/// let entries = ListRepoTree::new(client, "openai-community/gpt2".parse()?)
///     .path_in_repo("onnx".parse()?)
///     .recursive(true)
///     .await?;
/// for entry in entries {
///     println!("{} {}", if entry.is_file() { "file" } else { "dir " }, entry.path());
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListRepoTree {
    target: RepoTarget,
    path_in_repo: Option<RepoPath>,
    recursive: bool,
    expand: bool,
}

impl_repo_request!(ListRepoTree, revision);

impl ListRepoTree {
    /// Lists the root of the model repo `repo_id` at `main`, not recursively, not expanded.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoTree {
            target: RepoTarget::new(client, repo_id),
            path_in_repo: None,
            recursive: false,
            expand: false,
        }
    }

    /// Lists this folder instead of the repo root (a missing folder is an `EntryNotFound`).
    pub fn path_in_repo(mut self, path: RepoPath) -> Self {
        self.path_in_repo = Some(path);
        self
    }

    /// `true`: every descendant, folders included (default `false`: direct children only).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// `true`: each entry carries its last commit and, for files, the security scan status.
    /// Slower; the Hub then sends smaller pages.
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    fn request(&self) -> Result<RequestBuilder> {
        let route = self
            .target
            .routes()
            .tree(
                self.target.revision_or_main(),
                self.path_in_repo.as_ref().map(RepoPath::as_str),
            )
            .with_bool("recursive", self.recursive)
            .with_bool("expand", self.expand);
        let mut context = self.target.context();
        if let Some(path) = &self.path_in_repo {
            context = context.with_path(path.as_str());
        }
        Ok(self.target.route(Method::GET, &route).context(context))
    }

    /// The entries, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<RepoTreeEntry>> + Send + 'static {
        let request = self.request();
        listing(self.target.client().clone(), request, checked_entry)
    }
}

impl_into_future!(ListRepoTree => Vec<RepoTreeEntry>, collect);

/// Lists the paths of every file of a repo at a revision: the Python client's
/// `list_repo_files` (a recursive tree listing, files only).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::ListRepoFiles;
/// let files = ListRepoFiles::new(client, "openai-community/gpt2".parse()?).await?;
/// assert!(files.iter().any(|f| f == "config.json"));
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListRepoFiles {
    target: RepoTarget,
}

impl_repo_request!(ListRepoFiles, revision);

impl ListRepoFiles {
    /// Lists the files of the model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoFiles {
            target: RepoTarget::new(client, repo_id),
        }
    }

    /// The file paths, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<String>> + Send + 'static {
        let tree = ListRepoTree {
            target: self.target,
            path_in_repo: None,
            recursive: true,
            expand: false,
        };
        tree.into_stream().try_filter_map(|entry| async move {
            Ok(match entry {
                RepoTreeEntry::File(file) => Some(file.path),
                RepoTreeEntry::Folder(_) => None,
            })
        })
    }
}

impl_into_future!(ListRepoFiles => Vec<String>, collect);

// ---------------------------------------------------------------------------------------------
// Paths info
// ---------------------------------------------------------------------------------------------

/// Information about some paths of a repo (files or folders): the Python client's
/// `get_paths_info` (`POST /api/{type}/{repo_id}/paths-info/{rev}`, form body, protocol §3.2).
///
/// The answer has one entry per existing path, in request order; missing paths are skipped
/// (no error). With [`expand`](Self::expand) entries carry their last commit and security
/// status. Long lists are sent in several requests of at most 500 paths (the Hub refuses more
/// than 1000 parameters per request); the answers are concatenated in order.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::GetPathsInfo;
/// let infos = GetPathsInfo::new(
///     client,
///     "openai-community/gpt2".parse()?,
///     ["config.json", "onnx"],
/// )
/// .expand(true)
/// .await?;
/// for info in infos {
///     println!("{} {:?}", info.path(), info.last_commit().map(|c| &c.title));
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetPathsInfo {
    target: RepoTarget,
    paths: Vec<String>,
    expand: bool,
}

impl_repo_request!(GetPathsInfo, revision);

impl GetPathsInfo {
    /// Asks about `paths` in the model repo `repo_id` at `main`. Each path is checked before
    /// anything is sent (a [`RepoPath`], or a string refused with [`Error::InvalidPath`] when it
    /// is not a safe relative path; a trailing `/` of a folder is ignored).
    pub fn new<P: AsRef<str>>(
        client: HubClient,
        repo_id: RepoId,
        paths: impl IntoIterator<Item = P>,
    ) -> Self {
        GetPathsInfo {
            target: RepoTarget::new(client, repo_id),
            paths: paths.into_iter().map(|p| p.as_ref().to_owned()).collect(),
            expand: false,
        }
    }

    /// `true`: entries carry their last commit and security status.
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    async fn run(self) -> Result<Vec<RepoTreeEntry>> {
        let route = self
            .target
            .routes()
            .paths_info(self.target.revision_or_main());
        let paths = self
            .paths
            .iter()
            .map(|p| Ok(p.trim_end_matches('/').parse::<RepoPath>()?))
            .collect::<Result<Vec<RepoPath>>>()?;
        let mut out = Vec::with_capacity(paths.len());
        // An empty list is still sent once, so a missing repo or revision is reported.
        let batches: Vec<&[RepoPath]> = if paths.is_empty() {
            vec![&[]]
        } else {
            paths.chunks(PATHS_INFO_BATCH).collect()
        };
        for batch in batches {
            let mut form: Vec<(&str, &str)> = batch.iter().map(|p| ("paths", p.as_str())).collect();
            form.push(("expand", py_bool(self.expand)));
            let entries: Vec<RepoTreeEntry> = self
                .target
                .route(Method::POST, &route)
                .form(&form)
                // Only reads: safe to retry.
                .idempotent(true)
                .await?
                .json()
                .await?;
            for entry in entries {
                out.push(checked_entry(entry)?);
            }
        }
        Ok(out)
    }
}

impl_into_future!(GetPathsInfo => Vec<RepoTreeEntry>, run);

// ---------------------------------------------------------------------------------------------
// Refs and history
// ---------------------------------------------------------------------------------------------

/// The branches, tags, convert refs and (optionally) pull request refs of a repo: the Python
/// client's `list_repo_refs` (`GET /api/{type}/{repo_id}/refs`, protocol §3.3).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::ListRepoRefs;
/// let refs = ListRepoRefs::new(client, "openai-community/gpt2".parse()?)
///     .include_pull_requests(true)
///     .await?;
/// for branch in &refs.branches {
///     println!("{} -> {}", branch.name, branch.target_commit);
/// }
/// println!("{} pull requests", refs.pull_requests.unwrap_or_default().len());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ListRepoRefs {
    target: RepoTarget,
    include_pull_requests: bool,
}

impl_repo_request!(ListRepoRefs);

impl ListRepoRefs {
    /// The refs of the model repo `repo_id`, without pull requests.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoRefs {
            target: RepoTarget::new(client, repo_id),
            include_pull_requests: false,
        }
    }

    /// `true`: also list the pull request refs (`refs/pr/N`) in
    /// [`GitRefs::pull_requests`]; otherwise that field is `None`.
    pub fn include_pull_requests(mut self, include: bool) -> Self {
        self.include_pull_requests = include;
        self
    }

    async fn run(self) -> Result<GitRefs> {
        let mut route = self.target.routes().refs();
        if self.include_pull_requests {
            route = route.with("include_prs", "1");
        }
        let request = self.target.route(Method::GET, &route);
        let mut refs: GitRefs = request.await?.json().await?;
        refs.pull_requests = if self.include_pull_requests {
            Some(refs.pull_requests.unwrap_or_default())
        } else {
            None
        };
        Ok(refs)
    }
}

impl_into_future!(ListRepoRefs => GitRefs, run);

/// The commit history of a revision, newest first: the Python client's `list_repo_commits`
/// (`GET /api/{type}/{repo_id}/commits/{rev}`, paginated, protocol §3.4).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use futures_util::TryStreamExt;
/// use hf_repo::prelude::*;
/// use hf_repo::refs::ListRepoCommits;
/// let mut commits = ListRepoCommits::new(client, "openai-community/gpt2".parse()?)
///     .revision("main".parse()?)
///     .into_stream();
/// while let Some(commit) = commits.try_next().await? {
///     println!("{} {} by {:?}", commit.commit_id, commit.title, commit.author_names());
/// }
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListRepoCommits {
    target: RepoTarget,
    formatted: bool,
}

impl_repo_request!(ListRepoCommits, revision);

impl ListRepoCommits {
    /// The history of `main` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoCommits {
            target: RepoTarget::new(client, repo_id),
            formatted: false,
        }
    }

    /// `true`: each commit also carries its title and message rendered as HTML
    /// ([`GitCommitInfo::formatted_title`]).
    pub fn formatted(mut self, formatted: bool) -> Self {
        self.formatted = formatted;
        self
    }

    fn request(&self) -> Result<RequestBuilder> {
        let mut route = self.target.routes().commits(self.target.revision_or_main());
        if self.formatted {
            route = route.with("expand[]", "formatted");
        }
        let request = self.target.route(Method::GET, &route);
        Ok(request)
    }

    /// The commits, newest first, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<GitCommitInfo>> + Send + 'static {
        let request = self.request();
        listing(self.target.client().clone(), request, Ok)
    }
}

impl_into_future!(ListRepoCommits => Vec<GitCommitInfo>, collect);

// ---------------------------------------------------------------------------------------------
// Branches
// ---------------------------------------------------------------------------------------------

/// Creates a branch: the Python client's `create_branch`
/// (`POST /api/{type}/{repo_id}/branch/{branch}`, protocol §3.5).
///
/// The branch starts at the head of the default branch, or at the target's revision
/// ([`revision`](hf_http::RevisionRequest::revision): a branch, tag or commit). A branch name
/// that is a commit id or a full ref (`refs/...`) is refused before sending
/// ([`Error::InvalidArgument`]). An existing branch is a `Conflict` error unless
/// [`exist_ok`](Self::exist_ok).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::prelude::*;
/// use hf_repo::refs::CreateBranch;
/// CreateBranch::new(client, "alice/my-model".parse()?, "experiment".parse()?)
///     .revision("v1.0".parse()?)
///     .exist_ok(true)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateBranch {
    /// Its revision, when set, is where the branch starts.
    target: RepoTarget,
    branch: Revision,
    exist_ok: bool,
}

impl_repo_request!(CreateBranch, revision);

impl CreateBranch {
    /// Creates `branch` in the model repo `repo_id`, starting at the default branch's head.
    pub fn new(client: HubClient, repo_id: RepoId, branch: Revision) -> Self {
        CreateBranch {
            target: RepoTarget::new(client, repo_id),
            branch,
            exist_ok: false,
        }
    }

    /// `true`: an existing branch is not an error (also when the caller may not write but
    /// the branch exists, as the Python client checks).
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    async fn run(self) -> Result<()> {
        check_ref_name("branch", &self.branch)?;
        let route = self.target.routes().branch(self.branch.as_str());
        let body = match self.target.revision() {
            Some(start) => serde_json::json!({ "startingPoint": start.as_str() }),
            None => serde_json::json!({}),
        };
        let error = match self.target.route(Method::POST, &route).json(&body).await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        match error {
            Error::Conflict(_) if self.exist_ok => Ok(()),
            Error::Forbidden(_) if self.exist_ok => {
                // No write access, but the branch may already exist: then it is not an error.
                let refs = ListRepoRefs {
                    target: self.target.clone(),
                    include_pull_requests: false,
                }
                .await;
                match refs {
                    Ok(refs) if refs.branches.iter().any(|b| b.name == self.branch.as_str()) => {
                        Ok(())
                    }
                    _ => Err(error),
                }
            }
            error => Err(error),
        }
    }
}

impl_into_future!(CreateBranch => (), run);

/// The kind of ref a [`DeleteRef`] deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// A branch (`refs/heads/...`).
    Branch,
    /// A tag (`refs/tags/...`).
    Tag,
}

impl RefKind {
    /// `branch` or `tag`: the URL segment of the kind, and its name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Deletes a branch or a tag: the Python client's `delete_branch` and `delete_tag`
/// (`DELETE /api/{type}/{repo_id}/{branch|tag}/{name}`, protocol §3.5, §3.6).
///
/// A name that is a commit id or a full ref (`refs/...`) is refused before sending
/// ([`Error::InvalidArgument`]).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::DeleteRef;
/// let repo: hf_types::RepoId = "alice/my-model".parse()?;
/// DeleteRef::branch(client.clone(), repo.clone(), "experiment".parse()?).await?;
/// DeleteRef::tag(client, repo, "v1.0".parse()?).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteRef {
    target: RepoTarget,
    kind: RefKind,
    name: Revision,
}

impl_repo_request!(DeleteRef);

impl DeleteRef {
    /// Deletes the ref `name` of this kind in the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, kind: RefKind, name: Revision) -> Self {
        DeleteRef {
            target: RepoTarget::new(client, repo_id),
            kind,
            name,
        }
    }

    /// Deletes the branch `name` of the model repo `repo_id`.
    pub fn branch(client: HubClient, repo_id: RepoId, name: Revision) -> Self {
        DeleteRef::new(client, repo_id, RefKind::Branch, name)
    }

    /// Deletes the tag `name` of the model repo `repo_id`.
    pub fn tag(client: HubClient, repo_id: RepoId, name: Revision) -> Self {
        DeleteRef::new(client, repo_id, RefKind::Tag, name)
    }

    async fn run(self) -> Result<()> {
        let kind = self.kind.as_str();
        check_ref_name(kind, &self.name)?;
        let route = match self.kind {
            RefKind::Branch => self.target.routes().branch(self.name.as_str()),
            RefKind::Tag => self.target.routes().tag(self.name.as_str()),
        };
        // The ref deleted is the revision the request is about.
        let context = self.target.context().with_revision(&self.name);
        self.target
            .route(Method::DELETE, &route)
            .context(context)
            .await?;
        Ok(())
    }
}

impl_into_future!(DeleteRef => (), run);

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

/// Tags a revision: the Python client's `create_tag`
/// (`POST /api/{type}/{repo_id}/tag/{rev}`, body `{"tag", "message"?}`, protocol §3.6).
///
/// Tags `main` unless a [`revision`](hf_http::RevisionRequest::revision) is set; with
/// [`tag_message`](Self::tag_message) the tag is annotated. An existing tag is a `Conflict`
/// error unless [`exist_ok`](Self::exist_ok). A tag name that is a commit id or a full ref is
/// refused before sending.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::CreateTag;
/// CreateTag::new(client, "alice/my-model".parse()?, "v1.0".parse()?)
///     .tag_message("First release")
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateTag {
    /// Its revision (default `main`) is what gets tagged.
    target: RepoTarget,
    tag: Revision,
    tag_message: Option<String>,
    exist_ok: bool,
}

impl_repo_request!(CreateTag, revision);

impl CreateTag {
    /// Creates the tag `tag` on `main` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, tag: Revision) -> Self {
        CreateTag {
            target: RepoTarget::new(client, repo_id),
            tag,
            tag_message: None,
            exist_ok: false,
        }
    }

    /// A message: makes the tag annotated.
    pub fn tag_message(mut self, message: impl Into<String>) -> Self {
        self.tag_message = Some(message.into());
        self
    }

    /// `true`: an existing tag is not an error.
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    async fn run(self) -> Result<()> {
        check_ref_name("tag", &self.tag)?;
        let route = self
            .target
            .routes()
            .tag(self.target.revision_or_main().as_str());
        let mut body = serde_json::json!({ "tag": self.tag.as_str() });
        if let Some(message) = &self.tag_message {
            body["message"] = serde_json::Value::String(message.clone());
        }
        match self.target.route(Method::POST, &route).json(&body).await {
            Ok(_) => Ok(()),
            Err(Error::Conflict(_)) if self.exist_ok => Ok(()),
            Err(error) => Err(error),
        }
    }
}

impl_into_future!(CreateTag => (), run);

// ---------------------------------------------------------------------------------------------
// Super-squash
// ---------------------------------------------------------------------------------------------

/// Replaces the whole history of a branch by one commit holding its current files: the
/// Python client's `super_squash_history`
/// (`POST /api/{type}/{repo_id}/super-squash/{branch}`, protocol §3.7). Cannot be undone.
///
/// Resolves to the new commit's id when the Hub's answer names it (`commitId`), else `None`
/// (the Python client reads no answer).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::SuperSquashHistory;
/// let commit = SuperSquashHistory::new(client, "alice/my-model".parse()?)
///     .commit_message("Squash the training checkpoints")
///     .await?;
/// println!("{commit:?}");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct SuperSquashHistory {
    target: RepoTarget,
    branch: Revision,
    commit_message: Option<String>,
}

impl_repo_request!(SuperSquashHistory);

impl SuperSquashHistory {
    /// Squashes `main` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        SuperSquashHistory {
            target: RepoTarget::new(client, repo_id),
            branch: Revision::main(),
            commit_message: None,
        }
    }

    /// The branch to squash (default `main`); a tag is refused by the Hub.
    pub fn branch(mut self, branch: Revision) -> Self {
        self.branch = branch;
        self
    }

    /// Message of the squashed commit (default
    /// `Super-squash branch '{branch}' using huggingface_hub`).
    pub fn commit_message(mut self, message: impl Into<String>) -> Self {
        self.commit_message = Some(message.into());
        self
    }

    async fn run(self) -> Result<Option<String>> {
        let route = self.target.routes().super_squash(self.branch.as_str());
        let message = match self.commit_message.filter(|m| !m.is_empty()) {
            Some(message) => message,
            None => format!(
                "Super-squash branch '{}' using huggingface_hub",
                self.branch.as_str()
            ),
        };
        // The branch squashed is the revision the request is about.
        let context = self.target.context().with_revision(&self.branch);
        let response = self
            .target
            .route(Method::POST, &route)
            .context(context)
            .json(&serde_json::json!({ "message": message }))
            .await?;
        // The body is informative only: an answer without a commit id is still a success.
        let body = response.bytes().await?;
        let commit = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("commitId")?.as_str().map(str::to_owned));
        Ok(commit)
    }
}

impl_into_future!(SuperSquashHistory => Option<String>, run);
