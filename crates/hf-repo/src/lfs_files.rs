//! LFS file management (protocol §3.8): list the LFS objects a repo stores and delete some of them
//! permanently to free storage, the Python client's `list_lfs_files` and
//! `permanently_delete_lfs_files`.

use std::pin::Pin;

use futures_util::{Stream, TryStreamExt};
use hf_http::{HubClient, Method, RepoTarget, impl_into_future, impl_repo_request};
use hf_types::{LfsFileInfo, RepoId};

use crate::{Error, Result};

/// Most shas sent in one deletion request (the Python client's batches; the Hub's limit).
pub const DELETE_BATCH: usize = 1000;

/// The LFS objects stored for a repo: the Python client's `list_lfs_files`
/// (`GET /api/{type}/{repo_id}/lfs-files`, paginated). Needs read access.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::lfs_files::ListLfsFiles;
/// let files = ListLfsFiles::new(client, "alice/my-model".parse()?).await?;
/// let total: u64 = files.iter().map(|f| f.size).sum();
/// println!("{} LFS files, {total} bytes", files.len());
/// # Ok(()) }
/// ```
#[must_use = "a listing does nothing until awaited or streamed"]
#[derive(Debug, Clone)]
pub struct ListLfsFiles {
    target: RepoTarget,
}

impl_repo_request!(ListLfsFiles);

impl ListLfsFiles {
    /// The LFS files of the model repo `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        ListLfsFiles {
            target: RepoTarget::new(client, repo_id),
        }
    }

    /// The files, one page at a time as they are consumed.
    pub fn into_stream(self) -> impl Stream<Item = Result<LfsFileInfo>> + Send + 'static {
        let route = self.target.routes().lfs_files();
        let request = self.target.route(Method::GET, &route);
        let client = self.target.client().clone();
        // Boxed: the stream owns its state, but its type names the client borrow.
        let pages: Pin<Box<dyn Stream<Item = Result<LfsFileInfo>> + Send + 'static>> =
            Box::pin(client.paginate::<LfsFileInfo>(request).map_err(Error::from));
        pages
    }
}

impl_into_future!(ListLfsFiles => Vec<LfsFileInfo>, collect);

/// Permanently deletes LFS objects of a repo: the Python client's `permanently_delete_lfs_files`
/// (`POST /api/{type}/{repo_id}/lfs-files/batch`, in batches of [`DELETE_BATCH`]). Needs write
/// access.
///
/// This cannot be undone. With [`rewrite_history`](Self::rewrite_history) (the default) the
/// pointers to the deleted objects are removed from every commit; without, they stay and
/// downloading them fails. Every sha must be 64 lowercase hex digits
/// ([`Error::InvalidArgument`] before anything is sent).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::lfs_files::{ListLfsFiles, PermanentlyDeleteLfsFiles};
/// let repo: hf_types::RepoId = "alice/my-model".parse()?;
/// let old = ListLfsFiles::new(client.clone(), repo.clone())
///     .await?
///     .into_iter()
///     .filter(|f| f.filename.starts_with("checkpoints/"));
/// PermanentlyDeleteLfsFiles::new(client, repo, old).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct PermanentlyDeleteLfsFiles {
    target: RepoTarget,
    shas: Vec<String>,
    rewrite_history: bool,
}

impl_repo_request!(PermanentlyDeleteLfsFiles);

impl PermanentlyDeleteLfsFiles {
    /// Deletes `files` (as listed by [`ListLfsFiles`]) from the model repo `repo_id`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        files: impl IntoIterator<Item = LfsFileInfo>,
    ) -> Self {
        Self::from_shas(client, repo_id, files.into_iter().map(|f| f.file_oid))
    }

    /// Deletes the objects whose SHA-256 (`file_oid`) are `shas`.
    pub fn from_shas(
        client: HubClient,
        repo_id: RepoId,
        shas: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        PermanentlyDeleteLfsFiles {
            target: RepoTarget::new(client, repo_id),
            shas: shas.into_iter().map(Into::into).collect(),
            rewrite_history: true,
        }
    }

    /// `false`: keep the pointers in the history (not recommended; default `true`).
    pub fn rewrite_history(mut self, rewrite_history: bool) -> Self {
        self.rewrite_history = rewrite_history;
        self
    }

    async fn run(self) -> Result<()> {
        if let Some(bad) = self
            .shas
            .iter()
            .find(|s| s.len() != 64 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        {
            return Err(Error::InvalidArgument(format!(
                "not an LFS file id (64 lowercase hex digits): {bad:?}"
            )));
        }
        let route = self.target.routes().lfs_files_batch();
        for batch in self.shas.chunks(DELETE_BATCH) {
            let body = serde_json::json!({
                "deletions": {"sha": batch, "rewriteHistory": self.rewrite_history}
            });
            self.target.route(Method::POST, &route).json(&body).await?;
        }
        Ok(())
    }
}

impl_into_future!(PermanentlyDeleteLfsFiles => (), run);
