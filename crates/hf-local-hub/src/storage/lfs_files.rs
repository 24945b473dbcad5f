//! LFS file management of a repo (issue 15, protocol §3.8): the LFS objects its history references and
//! their permanent deletion.
//!
//! A repo's LFS files are the distinct LFS objects of the entries of its commits. Deleting one:
//! - with `rewrite_history`, removes the entries that point at it from every commit of this repo that no
//!   other repo shares (the files vanish from the repo's trees, at every revision);
//! - without, keeps the pointers (downloads of them then fail, "corrupting" the repo as the Python
//!   client's docstring warns) and records the deletion, so the listing no longer shows the object;
//! - in both cases removes the bytes, unless a commit of another repo still references them (objects are
//!   stored once for the whole hub).

use rusqlite::{Connection, params};

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

fn list(c: &Connection, pk: i64) -> Result<Vec<LfsFileRecord>, StoreError> {
    // SQLite gives the bare columns of the row holding MIN(): the first commit's path and pointer.
    let mut stmt = c.prepare(
        "SELECT e.lfs_sha256, e.path, e.oid, e.size, MIN(c.date_ms) FROM repo_commits rc \
         JOIN entries e ON e.commit_id = rc.commit_id JOIN commits c ON c.id = rc.commit_id \
         WHERE rc.repo_pk = ?1 AND e.is_dir = 0 AND e.lfs_sha256 IS NOT NULL \
           AND e.lfs_sha256 NOT IN (SELECT sha256 FROM lfs_deletions WHERE repo_pk = ?1) \
         GROUP BY e.lfs_sha256 ORDER BY MIN(c.date_ms), e.lfs_sha256",
    )?;
    let rows = stmt
        .query_map(params![pk], |r| {
            let size: i64 = r.get(3)?;
            Ok(LfsFileRecord {
                sha256: r.get(0)?,
                filename: r.get(1)?,
                pointer_oid: r.get(2)?,
                size: u64::try_from(size).unwrap_or(0),
                pushed_ms: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
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
    for sha in shas {
        let referenced: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM repo_commits rc JOIN entries e ON e.commit_id = rc.commit_id \
             WHERE rc.repo_pk = ?1 AND e.lfs_sha256 = ?2)",
            params![pk, sha],
            |r| r.get(0),
        )?;
        if !referenced {
            // Not one of this repo's LFS files (or deleted with its history already): nothing to do.
            continue;
        }
        if rewrite_history {
            tx.execute(
                "DELETE FROM entries WHERE lfs_sha256 = ?2 \
                 AND commit_id IN (SELECT commit_id FROM repo_commits WHERE repo_pk = ?1) \
                 AND commit_id NOT IN (SELECT commit_id FROM repo_commits WHERE repo_pk != ?1)",
                params![pk, sha],
            )?;
        } else {
            tx.execute(
                "INSERT OR IGNORE INTO lfs_deletions (repo_pk, sha256) VALUES (?1, ?2)",
                params![pk, sha],
            )?;
        }
        let elsewhere: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM repo_commits rc JOIN entries e ON e.commit_id = rc.commit_id \
             WHERE rc.repo_pk != ?1 AND e.lfs_sha256 = ?2)",
            params![pk, sha],
            |r| r.get(0),
        )?;
        if !elsewhere {
            removable.push(sha.clone());
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
