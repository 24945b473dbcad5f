//! Git-compatible ids: blob, tree and commit SHA-1s, LFS pointers, the default `.gitattributes`.

use std::collections::BTreeMap;

use hf_types::RepoType;
use sha1::{Digest, Sha1};

/// Git blob id of `content`: `sha1("blob {len}\0" + content)`.
pub fn blob_sha1(content: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    hex::encode(h.finalize())
}

/// The text of the LFS pointer file of an object.
pub fn lfs_pointer(sha256: &str, size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n")
}

/// A file of a tree, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileInfo {
    /// Git blob id (of the pointer for LFS files).
    pub oid: String,
    /// Real size.
    pub size: u64,
    /// SHA-256 for LFS files.
    pub lfs: Option<String>,
}

/// A row to store for a commit: a file or a folder.
#[derive(Debug, Clone)]
pub(crate) struct TreeRow {
    pub path: String,
    pub parent: String,
    pub is_dir: bool,
    pub oid: String,
    pub size: u64,
    pub lfs: Option<String>,
}

/// The parent folder of a path ("" for top-level entries).
pub(crate) fn parent_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Computes the rows (files and folders with their git tree ids) and the root tree id of a file map.
pub(crate) fn build_tree(files: &BTreeMap<String, FileInfo>) -> (String, Vec<TreeRow>) {
    // children[folder] = name -> (is_dir, oid); folders are filled bottom-up.
    let mut folders: BTreeMap<String, BTreeMap<String, (bool, String)>> = BTreeMap::new();
    folders.insert(String::new(), BTreeMap::new());
    let mut rows = Vec::new();
    for (path, info) in files {
        let mut cur = parent_of(path);
        loop {
            folders.entry(cur.to_owned()).or_default();
            if cur.is_empty() {
                break;
            }
            cur = parent_of(cur);
        }
        rows.push(TreeRow {
            path: path.clone(),
            parent: parent_of(path).to_owned(),
            is_dir: false,
            oid: info.oid.clone(),
            size: info.size,
            lfs: info.lfs.clone(),
        });
    }
    for path in files.keys() {
        let name = path.rsplit('/').next().unwrap_or(path).to_owned();
        if let Some(children) = folders.get_mut(parent_of(path))
            && let Some(info) = files.get(path)
        {
            children.insert(name, (false, info.oid.clone()));
        }
    }
    // Deepest folders first so each child's id exists before its parent's is computed.
    let mut order: Vec<String> = folders.keys().cloned().collect();
    order.sort_by_key(|p| {
        std::cmp::Reverse(if p.is_empty() {
            0
        } else {
            p.split('/').count()
        })
    });
    let mut root = String::new();
    for folder in order {
        let children = folders.remove(&folder).unwrap_or_default();
        let oid = tree_sha1(&children);
        if folder.is_empty() {
            root = oid;
        } else {
            let name = folder.rsplit('/').next().unwrap_or(&folder).to_owned();
            if let Some(parent_children) = folders.get_mut(parent_of(&folder)) {
                parent_children.insert(name, (true, oid.clone()));
            }
            rows.push(TreeRow {
                parent: parent_of(&folder).to_owned(),
                path: folder,
                is_dir: true,
                oid,
                size: 0,
                lfs: None,
            });
        }
    }
    (root, rows)
}

/// Git tree id of a folder's direct children (`name -> (is_dir, oid)`).
pub(crate) fn tree_sha1(children: &BTreeMap<String, (bool, String)>) -> String {
    // Git sorts entries by name, comparing folder names as if they ended with '/'.
    let mut items: Vec<(Vec<u8>, &String, bool, &String)> = children
        .iter()
        .map(|(name, (is_dir, oid))| {
            let mut key = name.as_bytes().to_vec();
            if *is_dir {
                key.push(b'/');
            }
            (key, name, *is_dir, oid)
        })
        .collect();
    items.sort();
    let mut body = Vec::new();
    for (_, name, is_dir, oid) in items {
        body.extend_from_slice(if is_dir { b"40000 " } else { b"100644 " });
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        body.extend_from_slice(&hex::decode(oid).unwrap_or_default());
    }
    let mut h = Sha1::new();
    h.update(format!("tree {}\0", body.len()).as_bytes());
    h.update(&body);
    hex::encode(h.finalize())
}

/// Git commit id of a commit object.
pub(crate) fn commit_sha1(
    tree: &str,
    parents: &[String],
    author: &str,
    date_ms: i64,
    title: &str,
    description: &str,
) -> String {
    let secs = date_ms.div_euclid(1000);
    let mut text = format!("tree {tree}\n");
    for p in parents {
        text.push_str(&format!("parent {p}\n"));
    }
    let ident = format!("{author} <{author}@users.noreply.huggingface.co> {secs} +0000");
    text.push_str(&format!("author {ident}\ncommitter {ident}\n\n{title}\n"));
    if !description.is_empty() {
        text.push_str(&format!("\n{description}\n"));
    }
    let mut h = Sha1::new();
    h.update(format!("commit {}\0", text.len()).as_bytes());
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

const MODEL_LFS_PATTERNS: &[&str] = &[
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "saved_model/**/*",
    "*.tar.*",
    "*.tar",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.xz",
    "*.zip",
    "*.zst",
    "*tfevents*",
];

const DATASET_EXTRA_PATTERNS: &[&str] = &[
    "*.lz4", "*.mds", "*.pcm", "*.sam", "*.raw", "*.aac", "*.flac", "*.mp3", "*.ogg", "*.wav",
    "*.bmp", "*.gif", "*.png", "*.tiff", "*.jpg", "*.jpeg", "*.webp", "*.mp4", "*.webm",
];

/// The `.gitattributes` of a new repo (protocol §6.10).
pub fn default_gitattributes(repo_type: RepoType) -> Vec<u8> {
    let mut text = String::new();
    let extra: &[&str] = match repo_type {
        RepoType::Dataset => DATASET_EXTRA_PATTERNS,
        _ => &[],
    };
    for p in MODEL_LFS_PATTERNS.iter().chain(extra) {
        text.push_str(p);
        text.push_str(" filter=lfs diff=lfs merge=lfs -text\n");
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_id_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_sha1(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(blob_sha1(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn tree_of_one_file_matches_git() {
        // `git mktree` of "100644 blob ce0136...\thello.txt"
        let mut files = BTreeMap::new();
        files.insert(
            "hello.txt".to_owned(),
            FileInfo {
                oid: blob_sha1(b"hello\n"),
                size: 6,
                lfs: None,
            },
        );
        let (root, rows) = build_tree(&files);
        assert_eq!(root, "aaa96ced2d9a1c8e72c56b253a0e2fe78393feb7");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn folders_get_rows() {
        let mut files = BTreeMap::new();
        for p in ["a/b/c.txt", "a/d.txt", "e.txt"] {
            files.insert(
                p.to_owned(),
                FileInfo {
                    oid: blob_sha1(p.as_bytes()),
                    size: 1,
                    lfs: None,
                },
            );
        }
        let (_, rows) = build_tree(&files);
        let dirs: Vec<_> = rows
            .iter()
            .filter(|r| r.is_dir)
            .map(|r| r.path.as_str())
            .collect();
        assert_eq!(dirs.len(), 2);
        assert!(dirs.contains(&"a") && dirs.contains(&"a/b"));
    }
}
