//! LFS files of a repo (issue 15, protocol §3.8): what `list_lfs_files` returns.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One LFS object stored for a repo: an item of `GET /api/{type}/{repo_id}/lfs-files`, the Python
/// client's `LFSFileInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LfsFileInfo {
    /// SHA-256 of the content: the id to pass when deleting it permanently.
    pub file_oid: String,
    /// *A* path under which the object was pushed (one object may have had several).
    pub filename: String,
    /// The Hub's id of the object (opaque).
    pub oid: String,
    /// When the object was pushed.
    #[serde(with = "crate::timestamp")]
    pub pushed_at: OffsetDateTime,
    /// The ref it was pushed to, if the Hub knows it.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// Size in bytes.
    pub size: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_wire_shape_with_and_without_ref() {
        let with: LfsFileInfo = serde_json::from_str(
            r#"{"fileOid":"ab","filename":"a/b.bin","oid":"cd","pushedAt":"2024-05-01T10:00:00.000Z","ref":"refs/heads/main","size":12,"extra":1}"#,
        )
        .unwrap();
        assert_eq!(with.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(with.size, 12);
        let without: LfsFileInfo = serde_json::from_str(
            r#"{"fileOid":"ab","filename":"b","oid":"cd","pushedAt":"2024-05-01T10:00:00Z","size":0}"#,
        )
        .unwrap();
        assert_eq!(without.git_ref, None);
        assert!(serde_json::from_str::<LfsFileInfo>(r#"{"filename":"b"}"#).is_err());
    }
}
