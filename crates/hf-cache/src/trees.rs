//! `trees/{commit}.json`: the per-commit file listing the newest Python client caches (protocol §11).

use std::collections::BTreeMap;
use std::path::Path;

use hf_types::{RepoFile, RepoPath};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::fsutil::{read_optional, write_atomic};

/// The only format version written and understood.
pub const TREE_FORMAT_VERSION: u32 = 1;

/// One file of a cached tree listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    /// Size in bytes (the real size for LFS files).
    pub size: u64,
    /// Git blob id (40 hex; for LFS files the pointer's).
    pub blob_id: String,
    /// SHA-256 of the content, for LFS files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs_sha256: Option<String>,
    /// LFS size (written together with `lfs_sha256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs_size: Option<u64>,
    /// Xet hash, when the file is stored in Xet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xet_hash: Option<String>,
}

impl TreeEntry {
    /// The ETag the Hub gives this file, which names its blob: the SHA-256 for LFS
    /// files, the git blob id otherwise.
    pub fn etag(&self) -> &str {
        self.lfs_sha256.as_deref().unwrap_or(&self.blob_id)
    }

    /// Builds an entry from a tree listing item.
    pub fn from_repo_file(file: &RepoFile) -> TreeEntry {
        TreeEntry {
            size: file.size,
            blob_id: file.blob_id.clone(),
            lfs_sha256: file.lfs.as_ref().map(|l| l.sha256.clone()),
            lfs_size: file.lfs.as_ref().map(|l| l.size),
            xet_hash: file.xet_hash.clone(),
        }
    }
}

/// Checks that a server-provided ETag can name a file: non-empty, at most 255
/// characters of `[A-Za-z0-9._-]`, not starting with `.`.
pub fn validate_etag(etag: &str) -> Result<&str, String> {
    let ok = !etag.is_empty()
        && etag.len() <= 255
        && !etag.starts_with('.')
        && etag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(etag)
    } else {
        Err(format!("ETag {etag:?} cannot name a blob file"))
    }
}

/// A commit's file listing: repo path → entry.
pub type TreeListing = BTreeMap<RepoPath, TreeEntry>;

#[derive(Serialize, Deserialize)]
struct TreeFile {
    format_version: u32,
    files: BTreeMap<String, TreeEntry>,
}

/// The version field alone (every other field is skipped unparsed).
#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<u64>,
}

/// The listing of a version-1 file.
#[derive(Deserialize)]
struct FilesOnly {
    files: TreeListing,
}

/// Reads `trees/{commit}.json`. `Ok(None)` when absent or written in another format
/// version; a corrupt file or an unsafe path or ETag in it is an error naming the file.
pub fn read_tree(path: &Path) -> Result<Option<TreeListing>, Error> {
    let Some(text) = read_optional(path)? else {
        return Ok(None);
    };
    let bad = |what: String| Error::protocol(path.display().to_string(), what);
    // Typed parsing straight into the listing (paths validated on the way), after a first pass
    // that only reads the version: a file of another format is ignored, not an error.
    let version: VersionOnly = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if version.format_version != Some(u64::from(TREE_FORMAT_VERSION)) {
        return Ok(None);
    }
    let file: FilesOnly = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    for entry in file.files.values() {
        validate_etag(entry.etag()).map_err(bad)?;
    }
    let listing = file.files;
    Ok(Some(listing))
}

/// Writes `trees/{commit}.json` atomically, as the Python client does (sorted keys, indent 1).
pub fn write_tree(path: &Path, listing: &TreeListing) -> Result<(), Error> {
    let file = TreeFile {
        format_version: TREE_FORMAT_VERSION,
        files: listing
            .iter()
            .map(|(p, e)| (p.as_str().to_owned(), e.clone()))
            .collect(),
    };
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    file.serialize(&mut ser).map_err(|e| Error::Encode {
        what: "the tree listing",
        source: Box::new(e),
    })?;
    write_atomic(path, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_python_shape() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("trees/abc.json");
        assert!(read_tree(&p).unwrap().is_none());
        let mut l = TreeListing::new();
        l.insert(
            "config.json".parse().unwrap(),
            TreeEntry {
                size: 3,
                blob_id: "a".repeat(40),
                lfs_sha256: None,
                lfs_size: None,
                xet_hash: None,
            },
        );
        l.insert(
            "m/model.bin".parse().unwrap(),
            TreeEntry {
                size: 9,
                blob_id: "b".repeat(40),
                lfs_sha256: Some("c".repeat(64)),
                lfs_size: Some(9),
                xet_hash: None,
            },
        );
        write_tree(&p, &l).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("{\n \"format_version\": 1,\n \"files\": {"),
            "{text}"
        );
        assert_eq!(read_tree(&p).unwrap().unwrap(), l);
        assert_eq!(l.values().nth(1).unwrap().etag(), "c".repeat(64));
    }

    #[test]
    fn hostile_or_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.json");
        std::fs::write(&p, r#"{"format_version": 2, "files": {}}"#).unwrap();
        assert!(read_tree(&p).unwrap().is_none());
        std::fs::write(
            &p,
            r#"{"format_version": 1, "files": {"../x": {"size": 1, "blob_id": "ab"}}}"#,
        )
        .unwrap();
        assert!(read_tree(&p).is_err());
        std::fs::write(
            &p,
            r#"{"format_version": 1, "files": {"x": {"size": 1, "blob_id": "../ab"}}}"#,
        )
        .unwrap();
        assert!(read_tree(&p).is_err());
        std::fs::write(&p, "{").unwrap();
        assert!(read_tree(&p).is_err());
        assert!(validate_etag("0123abcdef").is_ok());
        for bad in ["", ".x", "a/b", "a\\b", "..", "a b"] {
            assert!(validate_etag(bad).is_err(), "{bad}");
        }
    }
}
