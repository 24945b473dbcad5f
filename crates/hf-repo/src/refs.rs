//! Files, refs and history of a repo (protocol §3.1–§3.7): tree listings, paths info, refs,
//! commit history, branches, tags and history squashing.
//!
//! One request builder per operation; `.await` sends it. Listings also offer `.into_stream()`,
//! which follows the `Link` header page by page.

use std::future::IntoFuture;
use std::pin::Pin;

use futures_util::{Stream, StreamExt, TryStreamExt};
use hf_http::{HubClient, RequestBuilder};
use hf_types::{
    GitCommitInfo, GitRefs, RepoId, RepoPath, RepoTreeEntry, RepoType, Revision, RevisionKind,
    encode_segment,
};

use crate::urls::api_repo;
use crate::{BoxFuture, Error, Result};

/// Most paths sent in one paths-info request: what the Python client's own callers send at most
/// (the Hub refuses requests with more than 1000 parameters).
const PATHS_INFO_BATCH: usize = 500;

/// Booleans in queries and forms as the Python client (0.36, `requests`) renders them.
fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

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
    client: HubClient,
    repo_id: RepoId,
    repo_type: RepoType,
    revision: Revision,
    path_in_repo: Option<RepoPath>,
    recursive: bool,
    expand: bool,
}

impl ListRepoTree {
    /// Lists the root of the model repo `repo_id` at `main`, not recursively, not expanded.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoTree {
            client,
            repo_id,
            repo_type: RepoType::Model,
            revision: Revision::main(),
            path_in_repo: None,
            recursive: false,
            expand: false,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Branch, tag, commit or `refs/pr/N` (default `main`).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
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
        // The path is one segment: `sub/dir` is sent as `sub%2Fdir` (protocol §1.3).
        let path = self
            .path_in_repo
            .as_ref()
            .map(|p| format!("/{}", encode_segment(p.as_str())))
            .unwrap_or_default();
        let tail = format!("/tree/{}{path}", self.revision.url_encoded());
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
        Ok(self.client.get(url).query(&[
            ("recursive", py_bool(self.recursive)),
            ("expand", py_bool(self.expand)),
        ]))
    }

    /// The entries, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<RepoTreeEntry>> + Send + 'static {
        let request = self.request();
        listing(self.client, request, checked_entry)
    }
}

into_future!(ListRepoTree => Vec<RepoTreeEntry>, collect);

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
    tree: ListRepoTree,
}

impl ListRepoFiles {
    /// Lists the files of the model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoFiles {
            tree: ListRepoTree::new(client, repo_id).recursive(true),
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.tree = self.tree.repo_type(repo_type);
        self
    }

    /// Branch, tag, commit or `refs/pr/N` (default `main`).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.tree = self.tree.revision(revision);
        self
    }

    /// The file paths, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<String>> + Send + 'static {
        self.tree.into_stream().try_filter_map(|entry| async move {
            Ok(match entry {
                RepoTreeEntry::File(file) => Some(file.path),
                RepoTreeEntry::Folder(_) => None,
            })
        })
    }
}

into_future!(ListRepoFiles => Vec<String>, collect);

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
    client: HubClient,
    repo_id: RepoId,
    paths: Vec<String>,
    repo_type: RepoType,
    revision: Revision,
    expand: bool,
}

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
            client,
            repo_id,
            paths: paths.into_iter().map(|p| p.as_ref().to_owned()).collect(),
            repo_type: RepoType::Model,
            revision: Revision::main(),
            expand: false,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Branch, tag, commit or `refs/pr/N` (default `main`).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
    }

    /// `true`: entries carry their last commit and security status.
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    async fn run(self) -> Result<Vec<RepoTreeEntry>> {
        let tail = format!("/paths-info/{}", self.revision.url_encoded());
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
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
                .client
                .post(url.clone())
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

into_future!(GetPathsInfo => Vec<RepoTreeEntry>, run);

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
    client: HubClient,
    repo_id: RepoId,
    repo_type: RepoType,
    include_pull_requests: bool,
}

impl ListRepoRefs {
    /// The refs of the model repo `repo_id`, without pull requests.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoRefs {
            client,
            repo_id,
            repo_type: RepoType::Model,
            include_pull_requests: false,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// `true`: also list the pull request refs (`refs/pr/N`) in
    /// [`GitRefs::pull_requests`]; otherwise that field is `None`.
    pub fn include_pull_requests(mut self, include: bool) -> Self {
        self.include_pull_requests = include;
        self
    }

    async fn run(self) -> Result<GitRefs> {
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, "/refs")?;
        let mut request = self.client.get(url);
        if self.include_pull_requests {
            request = request.query(&[("include_prs", "1")]);
        }
        let mut refs: GitRefs = request.await?.json().await?;
        refs.pull_requests = if self.include_pull_requests {
            Some(refs.pull_requests.unwrap_or_default())
        } else {
            None
        };
        Ok(refs)
    }
}

into_future!(ListRepoRefs => GitRefs, run);

/// The commit history of a revision, newest first: the Python client's `list_repo_commits`
/// (`GET /api/{type}/{repo_id}/commits/{rev}`, paginated, protocol §3.4).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use futures_util::TryStreamExt;
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
    client: HubClient,
    repo_id: RepoId,
    repo_type: RepoType,
    revision: Revision,
    formatted: bool,
}

impl ListRepoCommits {
    /// The history of `main` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListRepoCommits {
            client,
            repo_id,
            repo_type: RepoType::Model,
            revision: Revision::main(),
            formatted: false,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Branch, tag, commit or `refs/pr/N` whose history is listed (default `main`).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
    }

    /// `true`: each commit also carries its title and message rendered as HTML
    /// ([`GitCommitInfo::formatted_title`]).
    pub fn formatted(mut self, formatted: bool) -> Self {
        self.formatted = formatted;
        self
    }

    fn request(&self) -> Result<RequestBuilder> {
        let tail = format!("/commits/{}", self.revision.url_encoded());
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
        let mut request = self.client.get(url);
        if self.formatted {
            request = request.query(&[("expand[]", "formatted")]);
        }
        Ok(request)
    }

    /// The commits, newest first, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<GitCommitInfo>> + Send + 'static {
        let request = self.request();
        listing(self.client, request, Ok)
    }
}

into_future!(ListRepoCommits => Vec<GitCommitInfo>, collect);

// ---------------------------------------------------------------------------------------------
// Branches
// ---------------------------------------------------------------------------------------------

/// Creates a branch: the Python client's `create_branch`
/// (`POST /api/{type}/{repo_id}/branch/{branch}`, protocol §3.5).
///
/// The branch starts at the head of the default branch, or at [`revision`](Self::revision)
/// (a branch, tag or commit). A branch name that is a commit id or a full ref (`refs/...`) is
/// refused before sending ([`Error::InvalidArgument`]). An existing branch is a `Conflict`
/// error unless [`exist_ok`](Self::exist_ok).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
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
    client: HubClient,
    repo_id: RepoId,
    branch: Revision,
    repo_type: RepoType,
    revision: Option<Revision>,
    exist_ok: bool,
}

impl CreateBranch {
    /// Creates `branch` in the model repo `repo_id`, starting at the default branch's head.
    pub fn new(client: HubClient, repo_id: RepoId, branch: Revision) -> Self {
        CreateBranch {
            client,
            repo_id,
            branch,
            repo_type: RepoType::Model,
            revision: None,
            exist_ok: false,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Where the branch starts: a branch, tag or commit (default: the default branch's head).
    pub fn revision(mut self, starting_point: Revision) -> Self {
        self.revision = Some(starting_point);
        self
    }

    /// `true`: an existing branch is not an error (also when the caller may not write but
    /// the branch exists, as the Python client checks).
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    async fn run(self) -> Result<()> {
        check_ref_name("branch", &self.branch)?;
        let tail = format!("/branch/{}", self.branch.url_encoded());
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
        let body = match &self.revision {
            Some(start) => serde_json::json!({ "startingPoint": start.as_str() }),
            None => serde_json::json!({}),
        };
        let error = match self.client.post(url).json(&body).await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        match error {
            hf_http::Error::Conflict(_) if self.exist_ok => Ok(()),
            hf_http::Error::Forbidden(_) if self.exist_ok => {
                // No write access, but the branch may already exist: then it is not an error.
                let refs = ListRepoRefs::new(self.client.clone(), self.repo_id.clone())
                    .repo_type(self.repo_type)
                    .await;
                match refs {
                    Ok(refs) if refs.branches.iter().any(|b| b.name == self.branch.as_str()) => {
                        Ok(())
                    }
                    _ => Err(error.into()),
                }
            }
            error => Err(error.into()),
        }
    }
}

into_future!(CreateBranch => (), run);

/// Defines the builder that deletes one ref of a kind (`branch` or `tag`): the two differ only
/// in the URL segment and their names.
macro_rules! delete_ref {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[must_use = "a request does nothing until awaited"]
        #[derive(Debug, Clone)]
        pub struct $name {
            client: HubClient,
            repo_id: RepoId,
            name: Revision,
            repo_type: RepoType,
        }

        impl $name {
            #[doc = concat!("Deletes the ", $kind, " `name` of the model repo `repo_id`.")]
            pub fn new(client: HubClient, repo_id: RepoId, name: Revision) -> Self {
                $name {
                    client,
                    repo_id,
                    name,
                    repo_type: RepoType::Model,
                }
            }

            /// Model (default), dataset or space.
            pub fn repo_type(mut self, repo_type: RepoType) -> Self {
                self.repo_type = repo_type;
                self
            }

            async fn run(self) -> Result<()> {
                check_ref_name($kind, &self.name)?;
                let tail = format!("/{}/{}", $kind, self.name.url_encoded());
                let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
                self.client.delete(url).await?;
                Ok(())
            }
        }

        impl IntoFuture for $name {
            type Output = Result<()>;
            type IntoFuture = BoxFuture<()>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    };
}

delete_ref!(
/// Deletes a branch: the Python client's `delete_branch`
/// (`DELETE /api/{type}/{repo_id}/branch/{branch}`, protocol §3.5).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::DeleteBranch;
/// DeleteBranch::new(client, "alice/my-model".parse()?, "experiment".parse()?).await?;
/// # Ok(()) }
/// ```
    DeleteBranch,
    "branch"
);

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

/// Tags a revision: the Python client's `create_tag`
/// (`POST /api/{type}/{repo_id}/tag/{rev}`, body `{"tag", "message"?}`, protocol §3.6).
///
/// Tags `main` unless [`revision`](Self::revision) is set; with
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
    client: HubClient,
    repo_id: RepoId,
    tag: Revision,
    repo_type: RepoType,
    revision: Revision,
    tag_message: Option<String>,
    exist_ok: bool,
}

impl CreateTag {
    /// Creates the tag `tag` on `main` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, tag: Revision) -> Self {
        CreateTag {
            client,
            repo_id,
            tag,
            repo_type: RepoType::Model,
            revision: Revision::main(),
            tag_message: None,
            exist_ok: false,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// What to tag: a branch, tag or commit (default `main`).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
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
        let tail = format!("/tag/{}", self.revision.url_encoded());
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
        let mut body = serde_json::json!({ "tag": self.tag.as_str() });
        if let Some(message) = &self.tag_message {
            body["message"] = serde_json::Value::String(message.clone());
        }
        match self.client.post(url).json(&body).await {
            Ok(_) => Ok(()),
            Err(hf_http::Error::Conflict(_)) if self.exist_ok => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

into_future!(CreateTag => (), run);

delete_ref!(
/// Deletes a tag: the Python client's `delete_tag`
/// (`DELETE /api/{type}/{repo_id}/tag/{tag}`, protocol §3.6).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::refs::DeleteTag;
/// DeleteTag::new(client, "alice/my-model".parse()?, "v1.0".parse()?).await?;
/// # Ok(()) }
/// ```
    DeleteTag,
    "tag"
);

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
    client: HubClient,
    repo_id: RepoId,
    repo_type: RepoType,
    branch: Revision,
    commit_message: Option<String>,
}

impl SuperSquashHistory {
    /// Squashes `main` of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        SuperSquashHistory {
            client,
            repo_id,
            repo_type: RepoType::Model,
            branch: Revision::main(),
            commit_message: None,
        }
    }

    /// Model (default), dataset or space.
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
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
        let tail = format!("/super-squash/{}", self.branch.url_encoded());
        let url = api_repo(&self.client, self.repo_type, &self.repo_id, &tail)?;
        let message = match self.commit_message.filter(|m| !m.is_empty()) {
            Some(message) => message,
            None => format!(
                "Super-squash branch '{}' using huggingface_hub",
                self.branch.as_str()
            ),
        };
        let response = self
            .client
            .post(url)
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

into_future!(SuperSquashHistory => Option<String>, run);
