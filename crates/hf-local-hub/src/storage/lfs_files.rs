//! LFS file management of a repo (issue 15, protocol §3.8): the LFS objects its history references and
//! their permanent deletion.
//!
//! A repo's LFS files are the distinct LFS objects of the trees of its commits. Deleting one:
//! - with `rewrite_history`, removes the files that point at it from the tree of every commit of this
//!   repo that no other repo shares (the files vanish from the repo's trees, at every revision);
//! - without, keeps the pointers (downloads of them then fail, "corrupting" the repo as the Python
//!   client's docstring warns) and records the deletion, so the listing no longer shows the object;
//! - in both cases removes the bytes, unless a commit of another repo still references them (objects are
//!   stored once for the whole hub).

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, Transaction, params};
use sha1::{Digest, Sha1};

use super::trees::{self, Child};
use super::{Paths, RepoRecord, Store, StoreError, blobs};

/// One LFS object referenced by a repo's history.
#[derive(Debug, Clone)]
pub struct LfsFileRecord {
    /// SHA-256 of the content (the id used to delete it).
    pub sha256: String,
    /// The path under which it was first committed.
    pub filename: String,
    /// The git blob id of that first pointer file.
    pub pointer_oid: String,
    /// Size of the object in bytes.
    pub size: u64,
    /// Date of the first commit of the repo referencing it, milliseconds since the Unix epoch.
    pub pushed_ms: i64,
}

/// The repo's commits, oldest first.
fn repo_commits(c: &Connection, pk: i64) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = c.prepare(
        "SELECT c.id, c.date_ms FROM repo_commits rc JOIN commits c ON c.id = rc.commit_id \
         WHERE rc.repo_pk = ?1 ORDER BY c.date_ms, c.id",
    )?;
    let rows = stmt
        .query_map(params![pk], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn list(c: &Connection, pk: i64) -> Result<Vec<LfsFileRecord>, StoreError> {
    let deleted: HashSet<String> = {
        let mut stmt = c.prepare("SELECT sha256 FROM lfs_deletions WHERE repo_pk = ?1")?;
        stmt.query_map(params![pk], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    // Commits oldest first; a folder node already walked holds nothing new (nodes are
    // content-addressed), so each node is read once whatever the length of the history.
    let mut seen_nodes: HashSet<[u8; 20]> = HashSet::new();
    let mut found: HashMap<[u8; 32], LfsFileRecord> = HashMap::new();
    let mut order = Vec::new();
    for (commit, date_ms) in repo_commits(c, pk)? {
        let Some(root) = trees::root_of(c, &commit)? else {
            continue;
        };
        let mut stack = vec![(root, String::new())];
        while let Some((node, prefix)) = stack.pop() {
            if !seen_nodes.insert(node) {
                continue;
            }
            for child in trees::load_node(c, &node)?.iter() {
                let path = if prefix.is_empty() {
                    child.name.clone()
                } else {
                    format!("{prefix}/{}", child.name)
                };
                if let Some(sub) = child.node {
                    stack.push((sub, path));
                } else if let Some(sha) = child.lfs
                    && !found.contains_key(&sha)
                {
                    let sha256 = hex::encode(sha);
                    if deleted.contains(&sha256) {
                        continue;
                    }
                    order.push((date_ms, sha));
                    found.insert(
                        sha,
                        LfsFileRecord {
                            sha256,
                            filename: path,
                            pointer_oid: hex::encode(child.oid),
                            size: child.size,
                            pushed_ms: date_ms,
                        },
                    );
                }
            }
        }
    }
    order.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(order
        .into_iter()
        .filter_map(|(_, sha)| found.remove(&sha))
        .collect())
}

/// What removing some LFS files did to a folder node.
enum Pruned {
    Same,
    Empty,
    New { node: [u8; 20], oid: [u8; 20] },
}

/// Node `id` without the LFS files in `gone` (folders left empty are dropped, as git cannot hold them);
/// new nodes are stored, with their git tree ids recomputed.
fn prune(
    tx: &Transaction<'_>,
    id: [u8; 20],
    gone: &HashSet<[u8; 32]>,
    memo: &mut HashMap<[u8; 20], [u8; 20]>,
) -> Result<Pruned, StoreError> {
    let mut changed = false;
    let mut children: Vec<Child> = Vec::new();
    for child in trees::load_node(tx, &id)?.iter() {
        if child.lfs.is_some_and(|sha| gone.contains(&sha)) {
            changed = true;
            continue;
        }
        let mut child = child.clone();
        if let Some(sub) = child.node {
            match prune(tx, sub, gone, memo)? {
                Pruned::Same => {}
                Pruned::Empty => {
                    changed = true;
                    continue;
                }
                Pruned::New { node, oid } => {
                    changed = true;
                    child.node = Some(node);
                    child.oid = oid;
                }
            }
        }
        children.push(child);
    }
    if !changed {
        return Ok(Pruned::Same);
    }
    if children.is_empty() {
        return Ok(Pruned::Empty);
    }
    let data = trees::encode(&children);
    let node: [u8; 20] = Sha1::digest(&data).into();
    tx.execute(
        "INSERT OR IGNORE INTO tree_nodes (id, data) VALUES (?1, ?2)",
        params![&node[..], data],
    )?;
    if let Some(oid) = memo.get(&node) {
        return Ok(Pruned::New { node, oid: *oid });
    }
    let entries = children
        .iter()
        .map(|c| (c.name.clone(), (c.node.is_some(), hex::encode(c.oid))))
        .collect();
    let oid_hex = super::git::tree_sha1(&entries);
    let oid: [u8; 20] = hex::decode(&oid_hex)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| StoreError::Internal("bad tree id".into()))?;
    memo.insert(node, oid);
    Ok(Pruned::New { node, oid })
}

fn delete(
    c: &mut Connection,
    paths: &Paths,
    pk: i64,
    shas: &[String],
    rewrite_history: bool,
) -> Result<(), StoreError> {
    let tx = c.transaction()?;
    let mut removable = Vec::new();
    let mut gone: HashSet<[u8; 32]> = HashSet::new();
    for sha in shas {
        let referenced: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM lfs_refs WHERE repo_pk = ?1 AND sha256 = ?2)",
            params![pk, sha],
            |r| r.get(0),
        )?;
        if !referenced {
            // Not one of this repo's LFS files: nothing to do.
            continue;
        }
        if rewrite_history {
            if let Some(bytes) = hex::decode(sha).ok().and_then(|v| v.try_into().ok()) {
                gone.insert(bytes);
            }
            tx.execute(
                "DELETE FROM lfs_refs WHERE repo_pk = ?1 AND sha256 = ?2",
                params![pk, sha],
            )?;
        } else {
            tx.execute(
                "INSERT OR IGNORE INTO lfs_deletions (repo_pk, sha256) VALUES (?1, ?2)",
                params![pk, sha],
            )?;
        }
        let elsewhere: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM lfs_refs WHERE repo_pk != ?1 AND sha256 = ?2)",
            params![pk, sha],
            |r| r.get(0),
        )?;
        if !elsewhere {
            removable.push(sha.clone());
        }
    }
    if !gone.is_empty() {
        // The pointers leave every commit of this repo that no other repo shares (commit ids stay).
        let mut memo = HashMap::new();
        for (commit, _) in repo_commits(&tx, pk)? {
            let shared: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM repo_commits WHERE commit_id = ?1 AND repo_pk != ?2)",
                params![commit, pk],
                |r| r.get(0),
            )?;
            let Some(root) = trees::root_of(&tx, &commit)? else {
                continue;
            };
            if shared {
                continue;
            }
            match prune(&tx, root, &gone, &mut memo)? {
                Pruned::Same => {}
                Pruned::Empty => {
                    tx.execute(
                        "DELETE FROM commit_roots WHERE commit_id = ?1",
                        params![commit],
                    )?;
                }
                Pruned::New { node, .. } => {
                    tx.execute(
                        "UPDATE commit_roots SET node = ?2 WHERE commit_id = ?1",
                        params![commit, &node[..]],
                    )?;
                }
            }
        }
    }
    tx.commit()?;
    for sha in removable {
        if let Some(path) = blobs::lfs_file(paths, &sha) {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(&path, e)),
            }
        }
    }
    Ok(())
}

impl Store {
    /// The LFS objects `repo`'s history references, oldest first (deleted ones excluded).
    pub async fn lfs_files(&self, repo: &RepoRecord) -> Result<Vec<LfsFileRecord>, StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| list(c, pk)).await
    }

    /// Permanently deletes LFS objects of `repo` (see the module docs). Shas `repo` does not reference
    /// are ignored.
    pub async fn delete_lfs_files(
        &self,
        repo: &RepoRecord,
        shas: Vec<String>,
        rewrite_history: bool,
    ) -> Result<(), StoreError> {
        let pk = repo.pk;
        self.run(move |c, p| delete(c, p, pk, &shas, rewrite_history))
            .await
    }
}
