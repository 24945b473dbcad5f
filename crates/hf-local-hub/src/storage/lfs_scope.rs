//! Which repo may use which LFS object (issue 16 item 3), and `.gitattributes` tracking of LFS paths
//! inside the commit transaction (issue 16 item 10).
//!
//! Object bytes live once in the global store, but an object is *usable* in repo R (committed by oid,
//! reported as present by batch and verify) only when R holds a row `(R, oid)` in `lfs_scope`. A row is
//! added when the bytes arrive through a transfer URL handed out by R's batch (the uploader proved
//! they have the bytes: they hash to the oid) and for every object a commit of R references (so copies
//! within R and merged pull requests keep working). As on the Hub, knowing an oid (public in a gated
//! repo's tree) is not enough to use the object elsewhere: the bytes must be uploaded again.
//!
//! Scoping to "repos the caller can read" was not chosen: it needs an access check per repo holding the
//! object at commit time, and the Hub itself asks for the upload.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::blobs::{self, lfs_size};
use super::draft::Draft;
use super::git::FileInfo;
use super::{Paths, RepoRecord, Store, StoreError};
use crate::patterns::{GitAttributes, lfs_rule_for_path};

/// Largest `.gitattributes` read when tracking LFS paths (as for preupload).
const MAX_ATTRIBUTES: u64 = 16 * 1024 * 1024;

/// Creates the table; when it is new in an existing database, fills it from the history (every repo
/// keeps the objects its commits reference).
pub(crate) fn init(c: &Connection) -> Result<(), StoreError> {
    let exists = c
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lfs_scope'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if exists {
        return Ok(());
    }
    c.execute_batch(
        "BEGIN;
         CREATE TABLE lfs_scope (
             repo_pk INTEGER NOT NULL,
             oid TEXT NOT NULL,
             PRIMARY KEY (repo_pk, oid)
         );
         INSERT OR IGNORE INTO lfs_scope (repo_pk, oid)
             SELECT repo_pk, sha256 FROM lfs_refs;
         COMMIT;",
    )?;
    Ok(())
}

/// Records that repo `pk` may use the objects `oids` (inside a commit's transaction).
pub(crate) fn record(tx: &Transaction<'_>, pk: i64, oids: &[String]) -> Result<(), StoreError> {
    let mut stmt = tx.prepare("INSERT OR IGNORE INTO lfs_scope (repo_pk, oid) VALUES (?1, ?2)")?;
    for oid in oids {
        stmt.execute(params![pk, oid])?;
    }
    Ok(())
}

fn in_scope(c: &Connection, pk: i64, oid: &str) -> Result<bool, StoreError> {
    Ok(c.query_row(
        "SELECT 1 FROM lfs_scope WHERE repo_pk = ?1 AND oid = ?2",
        params![pk, oid],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// Appends to `.gitattributes` in `draft` (the tree being committed) an anchored rule for every path
/// of `lfs_paths` no rule tracks. Runs inside the commit transaction, so concurrent commits each see
/// the rules the previous one added. Matching is bounded by the matcher's step budget.
pub(crate) fn track_lfs_paths(
    paths: &Paths,
    c: &Connection,
    draft: &mut Draft,
    lfs_paths: &[String],
) -> Result<(), StoreError> {
    const ATTRIBUTES: &str = ".gitattributes";
    let mut wanted: Vec<&String> = Vec::new();
    for path in lfs_paths {
        if path.as_str() != ATTRIBUTES && draft.file(c, path)?.is_some_and(|f| f.lfs.is_some()) {
            wanted.push(path);
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut text = match draft.file(c, ATTRIBUTES)? {
        Some(f) if f.lfs.is_none() && f.size <= MAX_ATTRIBUTES => {
            String::from_utf8_lossy(&blobs::read_regular(paths, &f.oid)?).into_owned()
        }
        _ => String::new(),
    };
    let attributes = GitAttributes::parse(&text);
    let missing: Vec<&String> = wanted
        .into_iter()
        .filter(|p| !attributes.is_lfs(p))
        .collect();
    if attributes.exhausted() {
        return Err(StoreError::BadRequest(
            "the .gitattributes rules are too costly to match against these paths".into(),
        ));
    }
    if missing.is_empty() {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for path in missing {
        text.push_str(&lfs_rule_for_path(path));
        text.push('\n');
    }
    let (oid, size) = blobs::write_regular(paths, text.as_bytes())?;
    draft.set_file(
        c,
        ATTRIBUTES,
        FileInfo {
            oid,
            size,
            lfs: None,
        },
    )
}

impl Store {
    /// Size of the LFS object `sha256` if it is stored *and* usable in `repo` (uploaded through the
    /// repo's batch, or referenced by one of its commits).
    pub async fn lfs_object_in(
        &self,
        repo: &RepoRecord,
        sha256: &str,
    ) -> Result<Option<u64>, StoreError> {
        let (pk, sha) = (repo.pk, sha256.to_owned());
        self.run(move |c, p| {
            if !in_scope(c, pk, &sha)? {
                return Ok(None);
            }
            lfs_size(p, &sha)
        })
        .await
    }

    /// Makes the stored object `sha256` usable in the repo with primary key `repo_pk` (its bytes
    /// were just uploaded through a transfer URL of that repo).
    pub async fn grant_lfs(&self, repo_pk: i64, sha256: &str) -> Result<(), StoreError> {
        let sha = sha256.to_owned();
        self.run(move |c, _| {
            c.execute(
                "INSERT OR IGNORE INTO lfs_scope (repo_pk, oid) VALUES (?1, ?2)",
                params![repo_pk, sha],
            )?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use hf_types::RepoType;
    use sha2::Digest;

    use super::super::{CommitInput, Op, RepoRecord, Store};

    async fn create(store: &Store, name: &str) -> RepoRecord {
        super::super::tests::create(store, RepoType::Model, &format!("alice/{name}")).await
    }

    #[tokio::test]
    async fn objects_are_scoped_and_an_old_database_is_backfilled() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"weights".to_vec();
        let sha = hex::encode(sha2::Sha256::digest(&data));
        {
            let store = Store::open(dir.path()).unwrap();
            let (a, b, c) = (
                create(&store, "a").await,
                create(&store, "b").await,
                create(&store, "c").await,
            );
            let body = futures_util::stream::iter([Ok::<_, String>(Bytes::from(data.clone()))]);
            store.lfs_ingest(&sha, Some(7), body).await.unwrap();
            // Stored, but usable nowhere until granted or committed.
            assert_eq!(store.lfs_object_in(&a, &sha).await.unwrap(), None);
            store.grant_lfs(b.pk, &sha).await.unwrap();
            assert_eq!(store.lfs_object_in(&b, &sha).await.unwrap(), Some(7));
            assert_eq!(store.lfs_object_in(&a, &sha).await.unwrap(), None);
            let ops = vec![Op::AddLfs {
                path: "w.bin".into(),
                sha256: sha.clone(),
                size: Some(7),
            }];
            let input = CommitInput {
                summary: "s".into(),
                description: String::new(),
                parent_commit: None,
                author: "alice".into(),
                ops,
            };
            store.commit(&a, "main", input).await.unwrap();
            assert_eq!(store.lfs_object_in(&a, &sha).await.unwrap(), Some(7));
            assert_eq!(store.lfs_object_in(&c, &sha).await.unwrap(), None);
            // A database from before the table: only the history remains to rebuild it from.
            store
                .run(|c, _| Ok(c.execute_batch("DROP TABLE lfs_scope")?))
                .await
                .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let repos: Vec<RepoRecord> = store.list_repos(RepoType::Model).await.unwrap();
        let by = |n: &str| repos.iter().find(|r| r.name == n).unwrap().clone();
        assert_eq!(store.lfs_object_in(&by("a"), &sha).await.unwrap(), Some(7));
        assert_eq!(store.lfs_object_in(&by("b"), &sha).await.unwrap(), None);
        assert_eq!(store.lfs_object_in(&by("c"), &sha).await.unwrap(), None);
    }
}
