//! Tree listing and paths-info entries (protocol §3.1, §3.2).

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use crate::{InvalidRepoPath, RepoPath};

/// LFS pointer details of a file in a tree or paths-info entry.
///
/// The wire key of the content hash is `oid` here; repo-info siblings spell it
/// `sha256` (see [`SiblingLfsInfo`](crate::SiblingLfsInfo), convertible both ways).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlobLfsInfo {
    /// SHA-256 of the file content (64 hex), the LFS object id.
    #[serde(rename = "oid")]
    pub sha256: String,
    /// Size of the real content in bytes.
    pub size: u64,
    /// Size of the git pointer file in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer_size: Option<u64>,
}

/// The last commit that touched a file or folder (tree listing with `expand=True`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LastCommitInfo {
    /// Commit id (40 hex).
    #[serde(rename = "id")]
    pub oid: String,
    /// Commit title (first line of the message).
    pub title: String,
    /// Commit date.
    #[serde(with = "crate::timestamp")]
    pub date: OffsetDateTime,
}

/// Security scan result of a file (`securityFileStatus`, tree listing with `expand=True`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlobSecurityInfo {
    /// Scan verdict: `safe`, `unsafe`, `queued`, ... (open set, kept verbatim).
    pub status: String,
    /// Antivirus scan details, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub av_scan: Option<serde_json::Value>,
    /// Pickle import scan details, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickle_import_scan: Option<serde_json::Value>,
}

impl BlobSecurityInfo {
    /// True when the Hub judged the file safe (`status == "safe"`).
    pub fn is_safe(&self) -> bool {
        self.status == "safe"
    }
}

/// A file in a tree listing or a paths-info answer.
///
/// `path` is kept as the server sent it so that one odd entry cannot fail a whole
/// listing; anything that turns it into a local file name must go through
/// [`RepoFile::repo_path`], which refuses `..`, absolute paths and the like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoFile {
    /// Path from the repo root.
    pub path: String,
    /// Size in bytes (the real size for LFS files).
    pub size: u64,
    /// Git blob id (for LFS files: of the pointer file).
    #[serde(rename = "oid")]
    pub blob_id: String,
    /// LFS details, for files stored with LFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs: Option<BlobLfsInfo>,
    /// Xet hash, for files stored in Xet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xet_hash: Option<String>,
    /// Last commit touching the file (only with `expand=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<LastCommitInfo>,
    /// Security scan status (only with `expand=True`).
    #[serde(
        rename = "securityFileStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub security: Option<BlobSecurityInfo>,
}

impl RepoFile {
    /// The path, validated as a safe relative path.
    pub fn repo_path(&self) -> Result<RepoPath, InvalidRepoPath> {
        self.path.parse()
    }

    /// True when the file is stored with LFS.
    pub fn is_lfs(&self) -> bool {
        self.lfs.is_some()
    }
}

/// A folder in a tree listing or a paths-info answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoFolder {
    /// Path from the repo root.
    pub path: String,
    /// Git tree id.
    #[serde(rename = "oid")]
    pub tree_id: String,
    /// Last commit touching the folder (only with `expand=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<LastCommitInfo>,
}

impl RepoFolder {
    /// The path, validated as a safe relative path.
    pub fn repo_path(&self) -> Result<RepoPath, InvalidRepoPath> {
        self.path.parse()
    }
}

/// One entry of a tree listing or paths-info answer: a file or a folder.
///
/// Tagged on the wire by `type`: `"file"` is a file and, as in the Python client,
/// any other value is a folder (the Hub sends `"directory"`). Serialises with
/// `"type": "file"` or `"type": "directory"`.
///
/// ```
/// use hf_types::RepoTreeEntry;
///
/// let entries: Vec<RepoTreeEntry> = serde_json::from_str(r#"[
///   {"type": "file", "oid": "10c66461e4c109db5a2196bff4bb59be30396ed8", "size": 665, "path": "config.json"},
///   {"type": "directory", "oid": "aa536c4ea18073388b5b0bc791057a7296a00398", "size": 0, "path": "onnx"}
/// ]"#)?;
/// assert!(entries[0].is_file());
/// assert_eq!(entries[1].path(), "onnx");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum RepoTreeEntry {
    /// A file.
    #[serde(rename = "file")]
    File(RepoFile),
    /// A folder.
    #[serde(rename = "directory")]
    Folder(RepoFolder),
}

impl RepoTreeEntry {
    /// Path from the repo root.
    pub fn path(&self) -> &str {
        match self {
            RepoTreeEntry::File(f) => &f.path,
            RepoTreeEntry::Folder(d) => &d.path,
        }
    }

    /// True for a file.
    pub fn is_file(&self) -> bool {
        matches!(self, RepoTreeEntry::File(_))
    }

    /// The file, if this entry is one.
    pub fn as_file(&self) -> Option<&RepoFile> {
        match self {
            RepoTreeEntry::File(f) => Some(f),
            RepoTreeEntry::Folder(_) => None,
        }
    }

    /// The folder, if this entry is one.
    pub fn as_folder(&self) -> Option<&RepoFolder> {
        match self {
            RepoTreeEntry::Folder(d) => Some(d),
            RepoTreeEntry::File(_) => None,
        }
    }

    /// Last commit touching the entry (only with `expand=True`).
    pub fn last_commit(&self) -> Option<&LastCommitInfo> {
        match self {
            RepoTreeEntry::File(f) => f.last_commit.as_ref(),
            RepoTreeEntry::Folder(d) => d.last_commit.as_ref(),
        }
    }
}

/// Every key an entry may carry; the `type` decides which variant is built.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    oid: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    lfs: Option<BlobLfsInfo>,
    #[serde(default)]
    xet_hash: Option<String>,
    #[serde(default)]
    last_commit: Option<LastCommitInfo>,
    #[serde(rename = "securityFileStatus", default)]
    security: Option<BlobSecurityInfo>,
}

impl<'de> Deserialize<'de> for RepoTreeEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawEntry::deserialize(deserializer)?;
        if raw.kind != "file" {
            return Ok(RepoTreeEntry::Folder(RepoFolder {
                path: raw.path,
                tree_id: raw.oid,
                last_commit: raw.last_commit,
            }));
        }
        let size = raw.size.ok_or_else(|| {
            serde::de::Error::custom(format!("file entry {:?} has no `size`", raw.path))
        })?;
        Ok(RepoTreeEntry::File(RepoFile {
            path: raw.path,
            size,
            blob_id: raw.oid,
            lfs: raw.lfs,
            xet_hash: raw.xet_hash,
            last_commit: raw.last_commit,
            security: raw.security,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = r#"[
      {"type": "file", "oid": "10c66461e4c109db5a2196bff4bb59be30396ed8", "size": 665, "path": "config.json"},
      {"type": "directory", "oid": "aa536c4ea18073388b5b0bc791057a7296a00398", "size": 0, "path": "onnx"},
      {"type": "file", "oid": "cb0dd28fe1d8b0c5b3a11d5a6e6b4c6a1f1f2a3b", "size": 548105171, "path": "model.safetensors",
       "lfs": {"oid": "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707", "size": 548105171, "pointerSize": 135},
       "xetHash": "abc123"}
    ]"#;

    #[test]
    fn listing_file_dir_lfs() {
        let entries: Vec<RepoTreeEntry> = serde_json::from_str(LISTING).unwrap();
        assert_eq!(entries.len(), 3);
        let config = entries[0].as_file().unwrap();
        assert_eq!(config.path, "config.json");
        assert_eq!(config.size, 665);
        assert_eq!(config.blob_id, "10c66461e4c109db5a2196bff4bb59be30396ed8");
        assert!(!config.is_lfs());
        assert!(config.last_commit.is_none() && config.security.is_none());

        let onnx = entries[1].as_folder().unwrap();
        assert_eq!(onnx.tree_id, "aa536c4ea18073388b5b0bc791057a7296a00398");
        assert!(!entries[1].is_file());

        let model = entries[2].as_file().unwrap();
        let lfs = model.lfs.as_ref().unwrap();
        assert_eq!(
            lfs.sha256,
            "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707"
        );
        assert_eq!((lfs.size, lfs.pointer_size), (548_105_171, Some(135)));
        assert_eq!(model.xet_hash.as_deref(), Some("abc123"));
        assert_eq!(model.repo_path().unwrap().file_name(), "model.safetensors");
    }

    #[test]
    fn expanded_entries() {
        let json = r#"[
          {"type": "file", "oid": "d3d7c1e8c3e78eeb1640b8e2041ee256e24c9ee1", "size": 582, "path": "model_index.json",
           "lastCommit": {"id": "b195ed2d503f3eb29637050a886d77bd81d35f0e", "title": "Fix deprecation warning (#54)", "date": "2023-05-15T21:41:59.000Z"},
           "securityFileStatus": {"status": "safe", "avScan": {"virusFound": false, "virusNames": null}, "pickleImportScan": null}},
          {"type": "directory", "oid": "aa536c4ea18073388b5b0bc791057a7296a00398", "size": 0, "path": "unet",
           "lastCommit": {"id": "b195ed2d503f3eb29637050a886d77bd81d35f0e", "title": "t", "date": "2023-05-15T21:41:59Z"}}
        ]"#;
        let entries: Vec<RepoTreeEntry> = serde_json::from_str(json).unwrap();
        let file = entries[0].as_file().unwrap();
        let commit = file.last_commit.as_ref().unwrap();
        assert_eq!(commit.oid, "b195ed2d503f3eb29637050a886d77bd81d35f0e");
        assert_eq!(commit.title, "Fix deprecation warning (#54)");
        assert_eq!(commit.date.unix_timestamp(), 1_684_186_919);
        let security = file.security.as_ref().unwrap();
        assert!(security.is_safe());
        assert_eq!(security.av_scan.as_ref().unwrap()["virusFound"], false);
        assert!(security.pickle_import_scan.is_none());
        assert_eq!(entries[1].last_commit().unwrap().title, "t");
    }

    #[test]
    fn any_non_file_type_is_a_folder_and_extra_keys_are_ignored() {
        let entry: RepoTreeEntry = serde_json::from_str(
            r#"{"type": "submodule", "oid": "aa", "path": "vendor/x", "newField": [1, 2]}"#,
        )
        .unwrap();
        assert_eq!(entry.as_folder().unwrap().path, "vendor/x");
    }

    #[test]
    fn a_file_without_size_or_oid_is_refused() {
        let err =
            serde_json::from_str::<RepoTreeEntry>(r#"{"type": "file", "oid": "aa", "path": "a"}"#)
                .unwrap_err();
        assert!(err.to_string().contains("\"a\" has no `size`"), "{err}");
        assert!(
            serde_json::from_str::<RepoTreeEntry>(r#"{"type": "file", "size": 1, "path": "a"}"#)
                .is_err()
        );
    }

    #[test]
    fn unsafe_paths_parse_but_are_caught_by_repo_path() {
        let entry: RepoTreeEntry =
            serde_json::from_str(r#"{"type": "file", "oid": "aa", "size": 1, "path": "../evil"}"#)
                .unwrap();
        assert!(entry.as_file().unwrap().repo_path().is_err());
    }

    #[test]
    fn round_trip_keeps_wire_shape() {
        let entries: Vec<RepoTreeEntry> = serde_json::from_str(LISTING).unwrap();
        let json = serde_json::to_value(&entries).unwrap();
        assert_eq!(json[0]["type"], "file");
        assert_eq!(json[1]["type"], "directory");
        assert_eq!(
            json[2]["lfs"]["oid"],
            "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707"
        );
        assert_eq!(json[2]["lfs"]["pointerSize"], 135);
        assert!(json[0].get("lastCommit").is_none());
        let back: Vec<RepoTreeEntry> = serde_json::from_value(json).unwrap();
        assert_eq!(back, entries);
    }
}
