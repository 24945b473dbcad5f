//! Repository rows: create, look up (following moves), delete, rename, settings.

use std::collections::BTreeMap;

use hf_types::RepoType;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::git::{FileInfo, build_tree, commit_sha1};
use super::history::insert_commit;
use super::{
    CommitRecord, InitialCommit, NewRepo, Paths, RepoLookup, RepoRecord, RepoSettings, StoreError,
    now_ms,
};

const COLUMNS: &str = "pk, repo_type, namespace, name, private, gated, created_ms, last_modified_ms, \
                       object_id, sdk, extra";

fn type_str(t: RepoType) -> &'static str {
    t.as_str()
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<RepoRecord> {
    let t: String = row.get(1)?;
    let extra: String = row.get(10)?;
    Ok(RepoRecord {
        pk: row.get(0)?,
        repo_type: t.parse().unwrap_or_default(),
        namespace: row.get(2)?,
        name: row.get(3)?,
        private: row.get::<_, i64>(4)? != 0,
        gated: row.get(5)?,
        created_ms: row.get(6)?,
        last_modified_ms: row.get(7)?,
        object_id: row.get(8)?,
        sdk: row.get(9)?,
        extra: serde_json::from_str(&extra).unwrap_or(serde_json::Value::Null),
    })
}

fn split(full_id: &str) -> Result<(&str, &str), StoreError> {
    full_id
        .split_once('/')
        .ok_or_else(|| StoreError::BadRequest(format!("repo id {full_id:?} has no namespace")))
}

pub(crate) fn by_pk(c: &Connection, pk: i64) -> Result<Option<RepoRecord>, StoreError> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM repos WHERE pk = ?1"),
        params![pk],
        from_row,
    )
    .optional()?)
}

pub(crate) fn lookup(
    c: &Connection,
    repo_type: RepoType,
    full_id: &str,
) -> Result<RepoLookup, StoreError> {
    // A one-segment id (`gpt2`) names a canonical repo, stored with an empty namespace (issue 15 item 1).
    let (ns, name) = full_id.split_once('/').unwrap_or(("", full_id));
    if name.is_empty() || name.contains('/') {
        return Ok(RepoLookup::Missing);
    }
    let found = c
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM repos WHERE repo_type = ?1 AND namespace = ?2 AND name = ?3"
            ),
            params![type_str(repo_type), ns, name],
            from_row,
        )
        .optional()?;
    if let Some(r) = found {
        return Ok(RepoLookup::Found(r));
    }
    let moved: Option<i64> = c
        .query_row(
            "SELECT repo_pk FROM redirects WHERE repo_type = ?1 AND old_id = ?2",
            params![type_str(repo_type), full_id],
            |r| r.get(0),
        )
        .optional()?;
    match moved {
        Some(pk) => match by_pk(c, pk)? {
            Some(r) => Ok(RepoLookup::Moved(r.full_id())),
            None => Ok(RepoLookup::Missing),
        },
        None => Ok(RepoLookup::Missing),
    }
}

fn object_id() -> String {
    format!("{:08x}{:016x}", now_ms() / 1000, fastrand::u64(..))
}

pub(crate) fn create(
    c: &mut Connection,
    _paths: &Paths,
    new: NewRepo,
    attributes_sha1: &str,
    initial: &InitialCommit,
) -> Result<RepoRecord, StoreError> {
    let tx = c.transaction()?;
    let exists: Option<i64> = tx
        .query_row(
            "SELECT pk FROM repos WHERE repo_type = ?1 AND namespace = ?2 AND name = ?3",
            params![type_str(new.repo_type), new.namespace, new.name],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "You already created this {} repo",
            new.repo_type.as_str()
        )));
    }
    let now = now_ms();
    tx.execute(
        "INSERT INTO repos (repo_type, namespace, name, private, gated, created_ms, last_modified_ms, \
         object_id, sdk, extra) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?5, ?6, ?7, ?8)",
        params![
            type_str(new.repo_type),
            new.namespace,
            new.name,
            i64::from(new.private),
            now,
            object_id(),
            new.sdk,
            new.extra.to_string()
        ],
    )?;
    let pk = tx.last_insert_rowid();
    // A new name frees any redirect that pointed elsewhere under it.
    tx.execute(
        "DELETE FROM redirects WHERE repo_type = ?1 AND old_id = ?2",
        params![
            type_str(new.repo_type),
            format!("{}/{}", new.namespace, new.name)
        ],
    )?;
    let attributes = super::git::default_gitattributes(new.repo_type);
    let mut files = BTreeMap::new();
    files.insert(
        ".gitattributes".to_owned(),
        FileInfo {
            oid: attributes_sha1.to_owned(),
            size: attributes.len() as u64,
            lfs: None,
        },
    );
    // Issue 15: files the Hub adds to a new repo (a Space's README.md), already stored as blobs.
    for (path, sha1, size) in &initial.files {
        files.insert(
            path.clone(),
            FileInfo {
                oid: sha1.clone(),
                size: *size,
                lfs: None,
            },
        );
    }
    let (tree, rows) = build_tree(&files);
    let title = "initial commit";
    let author = initial.author.as_str();
    let id = commit_sha1(&tree, &[], author, now, title, "");
    let record = CommitRecord {
        id: id.clone(),
        tree,
        parents: vec![],
        author: author.into(),
        title: title.into(),
        message: String::new(),
        date_ms: now,
    };
    insert_commit(&tx, pk, &record, &rows, &BTreeMap::new())?;
    tx.execute(
        "INSERT INTO refs (repo_pk, name, commit_id) VALUES (?1, 'refs/heads/main', ?2)",
        params![pk, id],
    )?;
    let repo =
        by_pk(&tx, pk)?.ok_or_else(|| StoreError::Internal("created repo vanished".into()))?;
    tx.commit()?;
    Ok(repo)
}

pub(crate) fn delete(c: &mut Connection, pk: i64) -> Result<(), StoreError> {
    let tx = c.transaction()?;
    for sql in [
        "DELETE FROM refs WHERE repo_pk = ?1",
        "DELETE FROM repo_commits WHERE repo_pk = ?1",
        "DELETE FROM redirects WHERE repo_pk = ?1",
        "DELETE FROM discussions WHERE repo_pk = ?1",
        "DELETE FROM discussion_events WHERE repo_pk = ?1",
        "DELETE FROM likes WHERE repo_pk = ?1",
        "DELETE FROM access_requests WHERE repo_pk = ?1",
        // Spaces (issue 12): the runtime, variables and secrets go with the repo.
        "DELETE FROM space_runtime WHERE repo_pk = ?1",
        "DELETE FROM space_env WHERE repo_pk = ?1",
        "DELETE FROM repos WHERE pk = ?1",
    ] {
        tx.execute(sql, params![pk])?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn rename(c: &mut Connection, repo: &RepoRecord, to: &str) -> Result<(), StoreError> {
    let (ns, name) = split(to)?;
    let tx = c.transaction()?;
    // Ids compare without case (NOCASE columns): a move that only changes the case is no conflict.
    let exists: Option<i64> = tx
        .query_row(
            "SELECT pk FROM repos WHERE repo_type = ?1 AND namespace = ?2 AND name = ?3 AND pk != ?4",
            params![type_str(repo.repo_type), ns, name, repo.pk],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        // Issue 15: the Hub's wording.
        return Err(StoreError::Conflict(format!(
            "A {} repository called {to} already exists",
            repo.repo_type.as_str()
        )));
    }
    tx.execute(
        "UPDATE repos SET namespace = ?1, name = ?2 WHERE pk = ?3",
        params![ns, name, repo.pk],
    )?;
    tx.execute(
        "DELETE FROM redirects WHERE repo_type = ?1 AND old_id = ?2",
        params![type_str(repo.repo_type), to],
    )?;
    if !repo.full_id().eq_ignore_ascii_case(to) {
        tx.execute(
            "INSERT OR REPLACE INTO redirects (repo_type, old_id, repo_pk) VALUES (?1, ?2, ?3)",
            params![type_str(repo.repo_type), repo.full_id(), repo.pk],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn update_settings(
    c: &mut Connection,
    pk: i64,
    s: RepoSettings,
) -> Result<RepoRecord, StoreError> {
    let tx = c.transaction()?;
    if let Some(p) = s.private {
        tx.execute(
            "UPDATE repos SET private = ?1 WHERE pk = ?2",
            params![i64::from(p), pk],
        )?;
    }
    if let Some(g) = s.gated {
        tx.execute("UPDATE repos SET gated = ?1 WHERE pk = ?2", params![g, pk])?;
    }
    tx.execute(
        "UPDATE repos SET last_modified_ms = ?1 WHERE pk = ?2",
        params![now_ms(), pk],
    )?;
    let repo = by_pk(&tx, pk)?.ok_or(StoreError::RepoNotFound)?;
    tx.commit()?;
    Ok(repo)
}

pub(crate) fn list(c: &Connection, repo_type: RepoType) -> Result<Vec<RepoRecord>, StoreError> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM repos WHERE repo_type = ?1 ORDER BY pk"
    ))?;
    let rows = stmt.query_map(params![type_str(repo_type)], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
