//! LFS file management under its Python names (issue 15): `list_lfs_files`,
//! `permanently_delete_lfs_files`.

use hf_repo::lfs_files::{ListLfsFiles, PermanentlyDeleteLfsFiles};
use hf_types::{LfsFileInfo, RepoId};

use crate::{HfApi, RepoHandle};

impl HfApi {
    /// `list_lfs_files`: the LFS objects stored for a repo (a listing: `.await` or
    /// `.into_stream()`).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let files = api.list_lfs_files("alice/tiny".parse()?).await?;
    /// println!("{} bytes", files.iter().map(|f| f.size).sum::<u64>());
    /// # Ok(()) }
    /// ```
    pub fn list_lfs_files(&self, repo_id: RepoId) -> ListLfsFiles {
        ListLfsFiles::new(self.client.clone(), repo_id)
    }

    /// `permanently_delete_lfs_files`: deletes LFS objects of a repo for good (see
    /// [`PermanentlyDeleteLfsFiles`]).
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let repo: hf_api::types::RepoId = "alice/tiny".parse()?;
    /// let files = api.list_lfs_files(repo.clone()).await?;
    /// api.permanently_delete_lfs_files(repo, files).await?;
    /// # Ok(()) }
    /// ```
    pub fn permanently_delete_lfs_files(
        &self,
        repo_id: RepoId,
        lfs_files: impl IntoIterator<Item = LfsFileInfo>,
    ) -> PermanentlyDeleteLfsFiles {
        PermanentlyDeleteLfsFiles::new(self.client.clone(), repo_id, lfs_files)
    }
}

impl RepoHandle {
    /// `list_lfs_files`.
    pub fn list_lfs_files(&self) -> ListLfsFiles {
        self.bind(self.api().list_lfs_files(self.id()))
    }

    /// `permanently_delete_lfs_files`.
    pub fn permanently_delete_lfs_files(
        &self,
        lfs_files: impl IntoIterator<Item = LfsFileInfo>,
    ) -> PermanentlyDeleteLfsFiles {
        self.bind(
            self.api()
                .permanently_delete_lfs_files(self.id(), lfs_files),
        )
    }
}
