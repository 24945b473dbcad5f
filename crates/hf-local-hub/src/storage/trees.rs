//! Incremental trees (issue 16 item 12): one stored node per folder *version*, shared between commits.
//!
//! A node lists a folder's direct children: name, kind, git id (blob or tree), size, LFS sha256,
//! the last commit that changed the child and, for sub-folders, the child's node id. The node id is
//! the SHA-1 of its encoding, so a folder whose children (and their last commits) did not change
//! between two commits is the very same row: a commit stores only the nodes of the folders it
//! changed (the path from each changed file up to the root), as git stores only changed trees.
//! The git ids themselves are computed as before (`git::build_tree`) and stay git-compatible.
//!
//! Tables (separate from the others to ease merging):
//! * `tree_nodes (id BLOB PRIMARY KEY, data BLOB)`: the encoded nodes.
//! * `commit_roots (commit_id PRIMARY KEY, node)`: the root node of each commit (absent = empty tree).
//! * `lfs_refs (sha256, repo_pk)`: LFS objects some commit of a repo references (kept by the GC).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha1::{Digest, Sha1};

use super::git::TreeRow;
use super::{Entry, EntryKind, LfsInfo, StoreError};

/// Schema of the incremental trees.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tree_nodes (id BLOB PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS commit_roots (commit_id TEXT PRIMARY KEY, node BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lfs_refs (
    sha256 TEXT NOT NULL,
    repo_pk INTEGER NOT NULL,
    PRIMARY KEY (sha256, repo_pk)
);
";

/// Encoding version, first byte of every node.
const VERSION: u8 = 1;
const KIND_FILE: u8 = 0;
const KIND_LFS: u8 = 1;
const KIND_DIR: u8 = 2;

/// One child of a folder node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Child {
    pub name: String,
    /// Git blob id (files) or git tree id (folders), 20 bytes.
    pub oid: [u8; 20],
    /// The newest commit that changed this child.
    pub last_commit: [u8; 20],
    /// Real size (files only).
    pub size: u64,
    /// LFS SHA-256 (LFS files only).
    pub lfs: Option<[u8; 32]>,
    /// Node id of the sub-folder (folders only).
    pub node: Option<[u8; 20]>,
}

impl Child {
    fn is_dir(&self) -> bool {
        self.node.is_some()
    }

    /// The API entry of this child at `path`.
    fn entry(&self, path: String) -> Entry {
        let lfs = self.lfs.map(|sha| {
            let sha256 = hex::encode(sha);
            LfsInfo {
                pointer_size: super::git::lfs_pointer(&sha256, self.size).len() as u64,
                sha256,
                size: self.size,
            }
        });
        Entry {
            path,
            kind: if self.is_dir() {
                EntryKind::Directory
            } else {
                EntryKind::File
            },
            oid: hex::encode(self.oid),
            size: if self.is_dir() { 0 } else { self.size },
            lfs,
            last_commit: hex::encode(self.last_commit),
        }
    }
}

fn hex_array<const N: usize>(s: &str) -> Result<[u8; N], StoreError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out)
        .map_err(|e| StoreError::Internal(format!("bad object id {s:?}: {e}")))?;
    Ok(out)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Encodes a node; children must be sorted by name and unique.
pub(crate) fn encode(children: &[Child]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + children.len() * 64);
    out.push(VERSION);
    for c in children {
        let kind = match (&c.node, &c.lfs) {
            (Some(_), _) => KIND_DIR,
            (None, Some(_)) => KIND_LFS,
            (None, None) => KIND_FILE,
        };
        out.push(kind);
        put_varint(&mut out, c.name.len() as u64);
        out.extend_from_slice(c.name.as_bytes());
        out.extend_from_slice(&c.oid);
        out.extend_from_slice(&c.last_commit);
        match kind {
            KIND_DIR => {
                if let Some(n) = &c.node {
                    out.extend_from_slice(n);
                }
            }
            _ => {
                put_varint(&mut out, c.size);
                if let Some(sha) = &c.lfs {
                    out.extend_from_slice(sha);
                }
            }
        }
    }
    out
}

/// A cursor over an encoded node.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn corrupt() -> StoreError {
        StoreError::Internal("corrupt tree node".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let end = self.pos.checked_add(n).ok_or_else(Self::corrupt)?;
        let s = self.data.get(self.pos..end).ok_or_else(Self::corrupt)?;
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn varint(&mut self) -> Result<u64, StoreError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Self::corrupt())
    }
}

/// Decodes a node.
fn decode(data: &[u8]) -> Result<Vec<Child>, StoreError> {
    let mut r = Reader { data, pos: 0 };
    if r.byte()? != VERSION {
        return Err(StoreError::Internal("unknown tree node version".into()));
    }
    let mut children = Vec::new();
    while r.pos < data.len() {
        let kind = r.byte()?;
        let len = usize::try_from(r.varint()?).map_err(|_| Reader::corrupt())?;
        let name = String::from_utf8(r.take(len)?.to_vec()).map_err(|_| Reader::corrupt())?;
        let oid = r.array::<20>()?;
        let last_commit = r.array::<20>()?;
        let mut child = Child {
            name,
            oid,
            last_commit,
            size: 0,
            lfs: None,
            node: None,
        };
        match kind {
            KIND_DIR => child.node = Some(r.array::<20>()?),
            KIND_FILE | KIND_LFS => {
                child.size = r.varint()?;
                if kind == KIND_LFS {
                    child.lfs = Some(r.array::<32>()?);
                }
            }
            _ => return Err(Reader::corrupt()),
        }
        children.push(child);
    }
    Ok(children)
}

/// Decoded nodes, process-wide: a node id names its content, so an entry can never be stale (and
/// two stores holding the same id hold the same node). Bounded by the children it holds; emptied
/// whole when full (simple, and a refill costs one read per node).
static NODE_CACHE: LazyLock<Mutex<NodeCache>> = LazyLock::new(Mutex::default);
/// Most children held by the cache (about 100 bytes each).
const NODE_CACHE_CHILDREN: usize = 200_000;

#[derive(Default)]
struct NodeCache {
    nodes: HashMap<[u8; 20], Arc<Vec<Child>>>,
    children: usize,
}

/// The children of node `id`.
pub(crate) fn load_node(c: &Connection, id: &[u8; 20]) -> Result<Arc<Vec<Child>>, StoreError> {
    if let Ok(cache) = NODE_CACHE.lock()
        && let Some(hit) = cache.nodes.get(id)
    {
        return Ok(hit.clone());
    }
    let node = Arc::new(read_node(c, id)?);
    if let Ok(mut cache) = NODE_CACHE.lock() {
        if cache.children + node.len() > NODE_CACHE_CHILDREN {
            cache.nodes.clear();
            cache.children = 0;
        }
        if node.len() <= NODE_CACHE_CHILDREN {
            cache.children += node.len();
            cache.nodes.insert(*id, node.clone());
        }
    }
    Ok(node)
}

/// Empties the node cache (a test that deletes nodes from a database must not read them back from it).
#[cfg(test)]
pub(crate) fn clear_cache_for_tests() {
    if let Ok(mut cache) = NODE_CACHE.lock() {
        cache.nodes.clear();
        cache.children = 0;
    }
}

fn read_node(c: &Connection, id: &[u8; 20]) -> Result<Vec<Child>, StoreError> {
    let data: Option<Vec<u8>> = c
        .query_row(
            "SELECT data FROM tree_nodes WHERE id = ?1",
            params![&id[..]],
            |r| r.get(0),
        )
        .optional()?;
    let data = data.ok_or_else(|| StoreError::Internal("tree node missing".into()))?;
    decode(&data)
}

/// The root node of a commit (`None`: empty tree, or unknown commit).
pub(crate) fn root_of(c: &Connection, commit: &str) -> Result<Option<[u8; 20]>, StoreError> {
    let node: Option<Vec<u8>> = c
        .query_row(
            "SELECT node FROM commit_roots WHERE commit_id = ?1",
            params![commit],
            |r| r.get(0),
        )
        .optional()?;
    node.map(|n| {
        <[u8; 20]>::try_from(n.as_slice())
            .map_err(|_| StoreError::Internal("bad root node id".into()))
    })
    .transpose()
}

/// Finds a child by name (nodes are sorted by name).
fn find<'c>(children: &'c [Child], name: &str) -> Option<&'c Child> {
    children
        .binary_search_by(|c| c.name.as_str().cmp(name))
        .ok()
        .and_then(|i| children.get(i))
}

/// The file or folder at `path` ("" has no entry): one node read per path segment.
pub(crate) fn entry(c: &Connection, commit: &str, path: &str) -> Result<Option<Entry>, StoreError> {
    if path.is_empty() {
        return Ok(None);
    }
    let Some(mut node) = root_of(c, commit)? else {
        return Ok(None);
    };
    let mut segments = path.split('/').peekable();
    while let Some(name) = segments.next() {
        let children = load_node(c, &node)?;
        let Some(child) = find(&children, name) else {
            return Ok(None);
        };
        if segments.peek().is_none() {
            return Ok(Some(child.entry(path.to_owned())));
        }
        match child.node {
            Some(n) => node = n,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Entries under `folder` ("" = root), direct children or all descendants, sorted by path as the
/// byte order of SQLite's `ORDER BY path` did.
pub(crate) fn list(
    c: &Connection,
    commit: &str,
    folder: &str,
    recursive: bool,
) -> Result<Vec<Entry>, StoreError> {
    let start = if folder.is_empty() {
        root_of(c, commit)?
    } else {
        entry_node(c, commit, folder)?
    };
    let Some(start) = start else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut stack = vec![(start, folder.to_owned())];
    while let Some((node, prefix)) = stack.pop() {
        for child in load_node(c, &node)?.iter() {
            let path = if prefix.is_empty() {
                child.name.clone()
            } else {
                format!("{prefix}/{}", child.name)
            };
            if recursive && let Some(n) = child.node {
                stack.push((n, path.clone()));
            }
            out.push(child.entry(path));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The node of the folder at `path` (None: missing or a file).
fn entry_node(c: &Connection, commit: &str, path: &str) -> Result<Option<[u8; 20]>, StoreError> {
    let Some(mut node) = root_of(c, commit)? else {
        return Ok(None);
    };
    for name in path.split('/') {
        let children = load_node(c, &node)?;
        match find(&children, name).and_then(|ch| ch.node) {
            Some(n) => node = n,
            None => return Ok(None),
        }
    }
    Ok(Some(node))
}

/// A row with its resolved last commit, ready to store.
pub(crate) struct StoredRow<'a> {
    pub row: &'a TreeRow,
    pub last_commit: &'a str,
}

/// Stores the nodes of a commit's tree (only those not stored yet) and its root; records the LFS
/// objects of rows changed by this commit (`last_commit == commit`) as referenced by `repo_pk`.
pub(crate) fn store_commit_tree(
    tx: &Transaction<'_>,
    repo_pk: i64,
    commit: &str,
    rows: &[StoredRow<'_>],
) -> Result<(), StoreError> {
    // Children per folder, then folders deepest first so each child's node id is known.
    let mut folders: BTreeMap<&str, Vec<&StoredRow<'_>>> = BTreeMap::new();
    folders.insert("", Vec::new());
    for r in rows {
        folders.entry(r.row.parent.as_str()).or_default().push(r);
    }
    let mut order: Vec<&str> = folders.keys().copied().collect();
    order.sort_by_key(|p| {
        std::cmp::Reverse(if p.is_empty() {
            0
        } else {
            p.bytes().filter(|b| *b == b'/').count() + 1
        })
    });
    let mut node_ids: BTreeMap<&str, [u8; 20]> = BTreeMap::new();
    let mut insert_node =
        tx.prepare_cached("INSERT OR IGNORE INTO tree_nodes (id, data) VALUES (?1, ?2)")?;
    let mut insert_lfs =
        tx.prepare_cached("INSERT OR IGNORE INTO lfs_refs (sha256, repo_pk) VALUES (?1, ?2)")?;
    for folder in order {
        let mut children = Vec::new();
        for r in folders.get(folder).map(Vec::as_slice).unwrap_or_default() {
            let name = r.row.path.rsplit('/').next().unwrap_or(&r.row.path);
            let node = if r.row.is_dir {
                Some(*node_ids.get(r.row.path.as_str()).ok_or_else(|| {
                    StoreError::Internal(format!("no node for folder {}", r.row.path))
                })?)
            } else {
                None
            };
            let lfs = match &r.row.lfs {
                Some(sha) if !r.row.is_dir => {
                    if r.last_commit == commit {
                        insert_lfs.execute(params![sha, repo_pk])?;
                    }
                    Some(hex_array::<32>(sha)?)
                }
                _ => None,
            };
            children.push(Child {
                name: name.to_owned(),
                oid: hex_array(&r.row.oid)?,
                last_commit: hex_array(r.last_commit)?,
                size: r.row.size,
                lfs,
                node,
            });
        }
        children.sort_by(|a, b| a.name.cmp(&b.name));
        let data = encode(&children);
        let id: [u8; 20] = Sha1::digest(&data).into();
        insert_node.execute(params![&id[..], data])?;
        node_ids.insert(folder, id);
    }
    let root = node_ids
        .get("")
        .ok_or_else(|| StoreError::Internal("no root node".into()))?;
    tx.execute(
        "INSERT OR REPLACE INTO commit_roots (commit_id, node) VALUES (?1, ?2)",
        params![commit, &root[..]],
    )?;
    Ok(())
}

/// Moves trees stored by older versions (one `entries` row per path and commit) into nodes, then
/// empties `entries`. Runs once when the store opens; a no-op afterwards.
pub(crate) fn migrate_entries(conn: &mut Connection) -> Result<(), StoreError> {
    let pending: i64 = conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?;
    if pending == 0 {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let commits: Vec<String> = {
        let mut stmt = tx.prepare("SELECT DISTINCT commit_id FROM entries")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?
    };
    for commit in commits {
        let rows: Vec<(TreeRow, String)> = {
            let mut stmt = tx.prepare(
                "SELECT path, parent, is_dir, oid, size, lfs_sha256, last_commit FROM entries WHERE commit_id = ?1",
            )?;
            stmt.query_map(params![commit], |r| {
                let size: i64 = r.get(4)?;
                Ok((
                    TreeRow {
                        path: r.get(0)?,
                        parent: r.get(1)?,
                        is_dir: r.get::<_, i64>(2)? != 0,
                        oid: r.get(3)?,
                        size: u64::try_from(size).unwrap_or(0),
                        lfs: r.get(5)?,
                    },
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        let stored: Vec<StoredRow<'_>> = rows
            .iter()
            .map(|(row, last)| StoredRow {
                row,
                last_commit: last,
            })
            .collect();
        // Repo of the commit: any repo holding it (LFS refs are per repo).
        let pk: Option<i64> = tx
            .query_row(
                "SELECT repo_pk FROM repo_commits WHERE commit_id = ?1 LIMIT 1",
                params![commit],
                |r| r.get(0),
            )
            .optional()?;
        store_commit_tree(&tx, pk.unwrap_or(0), &commit, &stored)?;
    }
    tx.execute(
        "INSERT OR IGNORE INTO lfs_refs (sha256, repo_pk) \
         SELECT DISTINCT e.lfs_sha256, rc.repo_pk FROM entries e \
         JOIN repo_commits rc ON rc.commit_id = e.commit_id WHERE e.lfs_sha256 IS NOT NULL",
        [],
    )?;
    tx.execute("DELETE FROM entries", [])?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_round_trip() {
        let children = vec![
            Child {
                name: "a".into(),
                oid: [1; 20],
                last_commit: [2; 20],
                size: 0,
                lfs: None,
                node: Some([3; 20]),
            },
            Child {
                name: "b.bin".into(),
                oid: [4; 20],
                last_commit: [5; 20],
                size: 1 << 40,
                lfs: Some([6; 32]),
                node: None,
            },
            Child {
                name: "c.txt".into(),
                oid: [7; 20],
                last_commit: [8; 20],
                size: 300,
                lfs: None,
                node: None,
            },
        ];
        let data = encode(&children);
        assert_eq!(decode(&data).unwrap(), children);
        assert!(decode(&data[..data.len() - 1]).is_err());
    }
}
