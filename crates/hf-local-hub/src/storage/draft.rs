//! A commit's tree being changed: only the folders on the changed paths are loaded, recomputed and
//! stored (issue 16 item 12), so a 1-file commit costs the depth of its path times the size of
//! those folders, not the size of the repo.

use std::collections::BTreeMap;

use rusqlite::{Connection, Transaction, params};
use sha1::{Digest, Sha1};

use super::StoreError;
use super::git::FileInfo;
use super::trees::{Child, load_node, root_of};

/// A child of a loaded folder.
enum Slot {
    /// As stored (file or folder), unchanged so far.
    Stored(Child),
    /// A file set by this commit.
    File(FileInfo),
    /// A folder loaded to change something inside it.
    Open(Box<Dir>),
}

#[derive(Default)]
struct Dir {
    children: BTreeMap<String, Slot>,
    /// The children as stored before this commit (for last commits: unchanged ids keep theirs).
    original: BTreeMap<String, Child>,
    /// Git tree id, once computed.
    oid: [u8; 20],
}

impl Dir {
    fn load(c: &Connection, node: &[u8; 20]) -> Result<Dir, StoreError> {
        let mut dir = Dir::default();
        for child in load_node(c, node)?.iter() {
            dir.original.insert(child.name.clone(), child.clone());
            dir.children
                .insert(child.name.clone(), Slot::Stored(child.clone()));
        }
        Ok(dir)
    }
}

fn hex20(s: &str) -> Result<[u8; 20], StoreError> {
    let mut out = [0u8; 20];
    hex::decode_to_slice(s, &mut out)
        .map_err(|e| StoreError::Internal(format!("bad object id {s:?}: {e}")))?;
    Ok(out)
}

/// The tree of a commit, changed in memory, then stored.
pub(crate) struct Draft {
    root: Dir,
}

impl Draft {
    /// The tree of `commit` (empty if it has none).
    pub(crate) fn open(c: &Connection, commit: &str) -> Result<Draft, StoreError> {
        let root = match root_of(c, commit)? {
            Some(node) => Dir::load(c, &node)?,
            None => Dir::default(),
        };
        Ok(Draft { root })
    }

    /// The folder holding `path`, loaded (and created when `create`); `Ok(None)` when a folder on
    /// the way is missing (and not created). A file on the way is an error.
    fn parent_dir<'d>(
        dir: &'d mut Dir,
        c: &Connection,
        path: &str,
        create: bool,
    ) -> Result<Option<(&'d mut Dir, String)>, StoreError> {
        let mut segments: Vec<&str> = path.split('/').collect();
        let name = segments.pop().unwrap_or_default().to_owned();
        let mut cur = dir;
        let mut walked = String::new();
        for seg in segments {
            if !walked.is_empty() {
                walked.push('/');
            }
            walked.push_str(seg);
            let slot = match cur.children.remove(seg) {
                None if create => Slot::Open(Box::default()),
                None => return Ok(None),
                Some(Slot::Stored(child)) => match child.node {
                    Some(node) => Slot::Open(Box::new(Dir::load(c, &node)?)),
                    None if create => {
                        cur.children.insert(seg.to_owned(), Slot::Stored(child));
                        return Err(StoreError::BadRequest(format!(
                            "{path} cannot be added: {walked} is a file"
                        )));
                    }
                    None => {
                        cur.children.insert(seg.to_owned(), Slot::Stored(child));
                        return Ok(None);
                    }
                },
                Some(Slot::File(info)) => {
                    cur.children.insert(seg.to_owned(), Slot::File(info));
                    if create {
                        return Err(StoreError::BadRequest(format!(
                            "{path} cannot be added: {walked} is a file"
                        )));
                    }
                    return Ok(None);
                }
                Some(open @ Slot::Open(_)) => open,
            };
            let entry = cur.children.entry(seg.to_owned()).or_insert(slot);
            cur = match entry {
                Slot::Open(d) => d,
                _ => return Err(StoreError::Internal("folder slot vanished".into())),
            };
        }
        Ok(Some((cur, name)))
    }

    /// The file at `path` as this draft has it now (`None`: no file there).
    pub(crate) fn file(
        &mut self,
        c: &Connection,
        path: &str,
    ) -> Result<Option<FileInfo>, StoreError> {
        let Some((dir, name)) = Self::parent_dir(&mut self.root, c, path, false)? else {
            return Ok(None);
        };
        Ok(match dir.children.get(&name) {
            Some(Slot::File(info)) => Some(info.clone()),
            Some(Slot::Stored(child)) if child.node.is_none() => Some(FileInfo {
                oid: hex::encode(child.oid),
                size: child.size,
                lfs: child.lfs.map(hex::encode),
            }),
            _ => None,
        })
    }

    /// Adds or replaces the file at `path`.
    pub(crate) fn set_file(
        &mut self,
        c: &Connection,
        path: &str,
        info: FileInfo,
    ) -> Result<(), StoreError> {
        let Some((dir, name)) = Self::parent_dir(&mut self.root, c, path, true)? else {
            return Err(StoreError::Internal("folder not created".into()));
        };
        let is_dir = match dir.children.get(&name) {
            Some(Slot::Open(_)) => true,
            Some(Slot::Stored(child)) => child.node.is_some(),
            _ => false,
        };
        if is_dir {
            return Err(StoreError::BadRequest(format!(
                "{path} cannot be added: a folder has this name"
            )));
        }
        dir.children.insert(name, Slot::File(info));
        Ok(())
    }

    /// Removes the file at `path`; false if there is none.
    pub(crate) fn delete_file(&mut self, c: &Connection, path: &str) -> Result<bool, StoreError> {
        let Some((dir, name)) = Self::parent_dir(&mut self.root, c, path, false)? else {
            return Ok(false);
        };
        let is_file = match dir.children.get(&name) {
            Some(Slot::File(_)) => true,
            Some(Slot::Stored(child)) => child.node.is_none(),
            _ => false,
        };
        if is_file {
            dir.children.remove(&name);
        }
        Ok(is_file)
    }

    /// Removes the folder at `path` with everything under it; false if there is none (or it is
    /// empty of files, which git cannot hold).
    pub(crate) fn delete_folder(&mut self, c: &Connection, path: &str) -> Result<bool, StoreError> {
        let Some((dir, name)) = Self::parent_dir(&mut self.root, c, path, false)? else {
            return Ok(false);
        };
        let has_files = match dir.children.get_mut(&name) {
            Some(Slot::Stored(child)) => child.node.is_some(),
            Some(Slot::Open(d)) => has_file(d),
            _ => false,
        };
        if has_files {
            dir.children.remove(&name);
        }
        Ok(has_files)
    }

    /// Computes the git tree ids (pruning folders left empty); returns the root tree id.
    pub(crate) fn tree_id(&mut self) -> Result<String, StoreError> {
        compute_oids(&mut self.root)?;
        Ok(hex::encode(self.root.oid))
    }

    /// Stores the changed folders' nodes and the root of `commit` (after [`Draft::tree_id`]),
    /// recording the LFS objects this commit adds for `repo_pk`.
    pub(crate) fn store(
        &self,
        tx: &Transaction<'_>,
        repo_pk: i64,
        commit: &str,
    ) -> Result<(), StoreError> {
        let commit_id = hex20(commit)?;
        let root = store_dir(tx, &self.root, repo_pk, &commit_id)?;
        tx.execute(
            "INSERT OR REPLACE INTO commit_roots (commit_id, node) VALUES (?1, ?2)",
            params![commit, &root[..]],
        )?;
        Ok(())
    }
}

/// True when `dir` holds at least one file (at any depth).
fn has_file(dir: &Dir) -> bool {
    dir.children.values().any(|s| match s {
        Slot::File(_) => true,
        // A stored folder always holds a file: empty folders are never stored.
        Slot::Stored(_) => true,
        Slot::Open(d) => has_file(d),
    })
}

fn compute_oids(dir: &mut Dir) -> Result<(), StoreError> {
    let mut entries: BTreeMap<String, (bool, String)> = BTreeMap::new();
    let mut empty = Vec::new();
    for (name, slot) in &mut dir.children {
        match slot {
            Slot::Stored(child) => {
                entries.insert(name.clone(), (child.node.is_some(), hex::encode(child.oid)));
            }
            Slot::File(info) => {
                entries.insert(name.clone(), (false, info.oid.clone()));
            }
            Slot::Open(sub) => {
                compute_oids(sub)?;
                if sub.children.is_empty() {
                    empty.push(name.clone());
                } else {
                    entries.insert(name.clone(), (true, hex::encode(sub.oid)));
                }
            }
        }
    }
    for name in empty {
        dir.children.remove(&name);
    }
    dir.oid = hex20(&super::git::tree_sha1(&entries))?;
    Ok(())
}

fn store_dir(
    tx: &Transaction<'_>,
    dir: &Dir,
    repo_pk: i64,
    commit: &[u8; 20],
) -> Result<[u8; 20], StoreError> {
    let mut children = Vec::with_capacity(dir.children.len());
    for (name, slot) in &dir.children {
        let child = match slot {
            Slot::Stored(child) => child.clone(),
            Slot::File(info) => {
                let oid = hex20(&info.oid)?;
                let lfs = match &info.lfs {
                    Some(sha) => {
                        let mut out = [0u8; 32];
                        hex::decode_to_slice(sha, &mut out).map_err(|e| {
                            StoreError::Internal(format!("bad LFS id {sha:?}: {e}"))
                        })?;
                        Some(out)
                    }
                    None => None,
                };
                let last_commit = match dir.original.get(name) {
                    Some(o) if o.node.is_none() && o.oid == oid => o.last_commit,
                    _ => *commit,
                };
                if last_commit == *commit
                    && let Some(sha) = &info.lfs
                {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO lfs_refs (sha256, repo_pk) VALUES (?1, ?2)",
                    )?
                    .execute(params![sha, repo_pk])?;
                }
                Child {
                    name: name.clone(),
                    oid,
                    last_commit,
                    size: info.size,
                    lfs,
                    node: None,
                }
            }
            Slot::Open(sub) => {
                let node = store_dir(tx, sub, repo_pk, commit)?;
                let last_commit = match dir.original.get(name) {
                    Some(o) if o.node.is_some() && o.oid == sub.oid => o.last_commit,
                    _ => *commit,
                };
                Child {
                    name: name.clone(),
                    oid: sub.oid,
                    last_commit,
                    size: 0,
                    lfs: None,
                    node: Some(node),
                }
            }
        };
        children.push(child);
    }
    let data = super::trees::encode(&children);
    let id: [u8; 20] = Sha1::digest(&data).into();
    tx.prepare_cached("INSERT OR IGNORE INTO tree_nodes (id, data) VALUES (?1, ?2)")?
        .execute(params![&id[..], data])?;
    Ok(id)
}
