//! Files listed in repo info (`siblings`, protocol §2.5).

use serde::{Deserialize, Serialize};

use crate::{BlobLfsInfo, InvalidRepoPath, RepoPath};

/// LFS details of a sibling (repo info with `blobs=True`).
///
/// Same content as [`BlobLfsInfo`] but the wire key of the hash is `sha256`
/// instead of `oid`; convert with `From` either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SiblingLfsInfo {
    /// SHA-256 of the file content (64 hex), the LFS object id.
    pub sha256: String,
    /// Size of the real content in bytes.
    pub size: u64,
    /// Size of the git pointer file in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer_size: Option<u64>,
}

impl From<SiblingLfsInfo> for BlobLfsInfo {
    fn from(value: SiblingLfsInfo) -> Self {
        BlobLfsInfo {
            sha256: value.sha256,
            size: value.size,
            pointer_size: value.pointer_size,
        }
    }
}

impl From<BlobLfsInfo> for SiblingLfsInfo {
    fn from(value: BlobLfsInfo) -> Self {
        SiblingLfsInfo {
            sha256: value.sha256,
            size: value.size,
            pointer_size: value.pointer_size,
        }
    }
}

/// One file of a repo as listed in repo info (`siblings[]`).
///
/// Listings return only `rfilename`; `size`, `blob_id` and `lfs` come with
/// `blobs=True` on a single repo's info. Like [`RepoFile`](crate::RepoFile), the
/// name is kept raw; use [`RepoSibling::repo_path`] before touching the disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoSibling {
    /// Path of the file from the repo root.
    pub rfilename: String,
    /// Size in bytes (with `blobs=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Git blob id (with `blobs=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob_id: Option<String>,
    /// LFS details (with `blobs=True`, LFS files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs: Option<SiblingLfsInfo>,
}

impl RepoSibling {
    /// The file name, validated as a safe relative path.
    pub fn repo_path(&self) -> Result<RepoPath, InvalidRepoPath> {
        self.rfilename.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_blob_siblings() {
        let plain: RepoSibling = serde_json::from_str(r#"{"rfilename": "README.md"}"#).unwrap();
        assert_eq!(plain.rfilename, "README.md");
        assert_eq!(
            (plain.size, plain.blob_id.as_deref(), plain.lfs.as_ref()),
            (None, None, None)
        );
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"rfilename":"README.md"}"#
        );

        let lfs: RepoSibling = serde_json::from_str(
            r#"{"rfilename": "model.safetensors", "blobId": "cb0", "size": 548105171,
                "lfs": {"sha256": "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707", "size": 548105171, "pointerSize": 135},
                "future": true}"#,
        )
        .unwrap();
        let info = lfs.lfs.clone().unwrap();
        assert_eq!(info.pointer_size, Some(135));
        let blob: BlobLfsInfo = info.clone().into();
        assert_eq!(blob.sha256, info.sha256);
        assert_eq!(SiblingLfsInfo::from(blob), info);
        assert_eq!(
            serde_json::to_value(&lfs).unwrap()["lfs"]["sha256"],
            info.sha256.as_str()
        );
    }

    #[test]
    fn lfs_with_oid_key_is_not_a_sibling_lfs() {
        // The two spellings are distinct on the wire; mixing them up is a server bug worth seeing.
        assert!(serde_json::from_str::<SiblingLfsInfo>(r#"{"oid": "ab", "size": 1}"#).is_err());
    }
}
