//! Commits, refs, trees and history.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::draft::Draft;
use super::trees;

use super::blobs::{is_hex, lfs_size};
use super::git::{FileInfo, TreeRow, blob_sha1, build_tree, commit_sha1, lfs_pointer};
use super::{
    CommitInput, CommitOutcome, CommitRecord, EntryKind, Op, Paths, RefRecord, RepoRecord,
    StoreError, now_ms,
};

/// Most bytes of a repo path (issue 16 item 8). The Hub documents no limit; git has none, but a
/// path must fit on the disks it is downloaded to (Linux `PATH_MAX` is 4096 bytes for the whole
/// local path, cache folders included), and a bound keeps every per-path cost small.
pub const MAX_PATH_BYTES: usize = 1024;
/// Most bytes of one path segment: `NAME_MAX` (255) of ext4, APFS and NTFS; a longer name cannot be
/// written to any client's disk.
pub const MAX_SEGMENT_BYTES: usize = 255;
/// Most segments (folder depth + 1) of a repo path.
pub const MAX_PATH_DEPTH: usize = 64;

/// Checks the size of a client path (length, depth, segment length) in one pass, before any other
/// work; the message states the limit, not the path.
pub fn check_path_limits(path: &str) -> Result<(), StoreError> {
    if path.len() > MAX_PATH_BYTES {
        return Err(StoreError::BadRequest(format!(
            "Invalid path: {} bytes long, more than the {MAX_PATH_BYTES} allowed",
            path.len()
        )));
    }
    let mut depth = 0usize;
    for segment in path.split('/') {
        depth += 1;
        if segment.len() > MAX_SEGMENT_BYTES {
            return Err(StoreError::BadRequest(format!(
                "Invalid path: a file or folder name of {} bytes, more than the {MAX_SEGMENT_BYTES} allowed",
                segment.len()
            )));
        }
    }
    if depth > MAX_PATH_DEPTH {
        return Err(StoreError::BadRequest(format!(
            "Invalid path: {depth} levels deep, more than the {MAX_PATH_DEPTH} allowed"
        )));
    }
    Ok(())
}

/// Checks a path received from a client: size limits ([`check_path_limits`]), no traversal, no
/// absolute path, no backslash, no NUL. Returns the normalised path (a leading `./` dropped).
pub fn check_path(path: &str) -> Result<String, StoreError> {
    check_path_limits(path)?;
    if path.starts_with('/') {
        return Err(StoreError::BadRequest(format!(
            "invalid path {path:?}: absolute paths are not allowed"
        )));
    }
    hf_types::RepoPath::validate(path)
        .map(str::to_owned)
        .map_err(|e| StoreError::BadRequest(e.to_string()))
}

fn commit_from_row(row: &Row<'_>) -> rusqlite::Result<CommitRecord> {
    let parents: String = row.get(2)?;
    Ok(CommitRecord {
        id: row.get(0)?,
        tree: row.get(1)?,
        parents: parents.split_whitespace().map(str::to_owned).collect(),
        author: row.get(3)?,
        title: row.get(4)?,
        message: row.get(5)?,
        date_ms: row.get(6)?,
    })
}

pub(crate) fn commit_record(c: &Connection, id: &str) -> Result<Option<CommitRecord>, StoreError> {
    Ok(c.query_row(
        "SELECT id, tree, parents, author, title, message, date_ms FROM commits WHERE id = ?1",
        params![id],
        commit_from_row,
    )
    .optional()?)
}

pub(crate) fn ref_target(
    c: &Connection,
    pk: i64,
    name: &str,
) -> Result<Option<String>, StoreError> {
    Ok(c.query_row(
        "SELECT commit_id FROM refs WHERE repo_pk = ?1 AND name = ?2",
        params![pk, name],
        |r| r.get(0),
    )
    .optional()?)
}

pub(crate) fn in_repo(c: &Connection, pk: i64, commit: &str) -> Result<bool, StoreError> {
    Ok(c.query_row(
        "SELECT 1 FROM repo_commits WHERE repo_pk = ?1 AND commit_id = ?2",
        params![pk, commit],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

pub(crate) fn resolve(c: &Connection, pk: i64, rev: &str) -> Result<Option<String>, StoreError> {
    if is_hex(rev, 40) && in_repo(c, pk, rev)? {
        return Ok(Some(rev.to_owned()));
    }
    if rev.starts_with("refs/") {
        return ref_target(c, pk, rev);
    }
    for prefix in ["refs/heads/", "refs/tags/"] {
        if let Some(id) = ref_target(c, pk, &format!("{prefix}{rev}"))? {
            return Ok(Some(id));
        }
    }
    if rev.len() >= 7 && rev.len() < 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut stmt = c.prepare(
            "SELECT commit_id FROM repo_commits WHERE repo_pk = ?1 AND substr(commit_id, 1, ?2) = ?3 LIMIT 2",
        )?;
        let ids = stmt
            .query_map(
                params![pk, rev.len() as i64, rev.to_ascii_lowercase()],
                |r| r.get::<_, String>(0),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        if ids.len() == 1 {
            return Ok(ids.into_iter().next());
        }
    }
    Ok(None)
}

/// Inserts a commit row and its link to the repo (its tree is stored apart).
pub(crate) fn insert_commit_row(
    tx: &Transaction<'_>,
    pk: i64,
    record: &CommitRecord,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO commits (id, tree, parents, author, title, message, date_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            record.id,
            record.tree,
            record.parents.join(" "),
            record.author,
            record.title,
            record.message,
            record.date_ms
        ],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO repo_commits (repo_pk, commit_id) VALUES (?1, ?2)",
        params![pk, record.id],
    )?;
    Ok(())
}

/// Inserts a commit, its entries (with last-commit ids derived from `previous`) and its link to the repo.
pub(crate) fn insert_commit(
    tx: &Transaction<'_>,
    pk: i64,
    record: &CommitRecord,
    rows: &[TreeRow],
    previous: &BTreeMap<String, (String, String)>,
) -> Result<(), StoreError> {
    insert_commit_row(tx, pk, record)?;
    let stored: Vec<trees::StoredRow<'_>> = rows
        .iter()
        .map(|row| trees::StoredRow {
            row,
            last_commit: match previous.get(&row.path) {
                Some((oid, last)) if *oid == row.oid => last.as_str(),
                _ => record.id.as_str(),
            },
        })
        .collect();
    trees::store_commit_tree(tx, pk, &record.id, &stored)
}

/// The full ref a commit target names.
fn target_ref(target: &str) -> Result<String, StoreError> {
    if let Some(n) = target.strip_prefix("refs/pr/") {
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(target.to_owned());
        }
    } else if target.starts_with("refs/heads/") {
        return Ok(target.to_owned());
    } else if !target.starts_with("refs/") && !target.is_empty() {
        return Ok(format!("refs/heads/{target}"));
    }
    Err(StoreError::BadRequest(format!(
        "cannot commit to {target:?}: only branches and pull request refs accept commits"
    )))
}

/// Path -> (oid, last commit) of every entry of a commit.
pub(crate) type PreviousEntries = BTreeMap<String, (String, String)>;

pub(crate) fn load_state(
    c: &Connection,
    commit: &str,
) -> Result<(BTreeMap<String, FileInfo>, PreviousEntries), StoreError> {
    let mut files = BTreeMap::new();
    let mut previous = BTreeMap::new();
    for e in trees::list(c, commit, "", true)? {
        previous.insert(e.path.clone(), (e.oid.clone(), e.last_commit.clone()));
        if e.kind == EntryKind::File {
            files.insert(
                e.path,
                FileInfo {
                    oid: e.oid,
                    size: e.size,
                    lfs: e.lfs.map(|l| l.sha256),
                },
            );
        }
    }
    Ok((files, previous))
}

#[allow(clippy::too_many_lines)]
pub(crate) fn commit(
    c: &mut Connection,
    paths: &Paths,
    repo: &RepoRecord,
    target: &str,
    input: CommitInput,
    written: &[String],
) -> Result<CommitOutcome, StoreError> {
    let ref_name = target_ref(target)?;
    let tx = c.transaction()?;
    let head = ref_target(&tx, repo.pk, &ref_name)?
        .ok_or_else(|| StoreError::RevisionNotFound(target.to_owned()))?;
    if let Some(parent) = &input.parent_commit
        && *parent != head
    {
        return Err(StoreError::ParentMismatch {
            expected: parent.clone(),
            actual: head,
        });
    }
    // Only the folders on the changed paths are loaded and stored again (issue 16 item 12).
    let mut draft = Draft::open(&tx, &head)?;
    let mut written = written.iter();
    let mut lfs_oids = Vec::new();
    for op in input.ops {
        match op {
            Op::AddRegular { path, bytes } => {
                let path = check_path(&path)?;
                let oid = match written.next() {
                    Some(o) => o.clone(),
                    None => blob_sha1(&bytes),
                };
                let info = FileInfo {
                    oid,
                    size: bytes.len() as u64,
                    lfs: None,
                };
                draft.set_file(&tx, &path, info)?;
            }
            Op::AddLfs { path, sha256, size } => {
                let path = check_path(&path)?;
                let sha256 = sha256.to_ascii_lowercase();
                let stored = if is_hex(&sha256, 64) {
                    lfs_size(paths, &sha256)?
                } else {
                    None
                };
                let actual = stored.ok_or_else(|| StoreError::LfsObjectMissing(sha256.clone()))?;
                if let Some(s) = size
                    && s != actual
                {
                    return Err(StoreError::LfsMismatch(format!(
                        "LFS object {sha256} of {path} has {actual} bytes, the commit says {s}"
                    )));
                }
                let pointer = lfs_pointer(&sha256, actual);
                lfs_oids.push(sha256.clone());
                let info = FileInfo {
                    oid: blob_sha1(pointer.as_bytes()),
                    size: actual,
                    lfs: Some(sha256),
                };
                draft.set_file(&tx, &path, info)?;
            }
            Op::Copy {
                src_path,
                src_revision,
                dest_path,
            } => {
                let src_path = check_path(&src_path)?;
                let dest_path = check_path(&dest_path)?;
                // The source is read as committed (the head before this commit by default).
                let commit = match src_revision {
                    None => head.clone(),
                    Some(rev) => resolve(&tx, repo.pk, &rev)?
                        .ok_or_else(|| StoreError::RevisionNotFound(rev.clone()))?,
                };
                let info = trees::entry(&tx, &commit, &src_path)?
                    .filter(|e| e.kind == EntryKind::File)
                    .map(|e| FileInfo {
                        oid: e.oid,
                        size: e.size,
                        lfs: e.lfs.map(|l| l.sha256),
                    })
                    .ok_or_else(|| {
                        StoreError::EntryNotFound(format!(
                            "Cannot copy {src_path}: file not found at the source revision"
                        ))
                    })?;
                draft.set_file(&tx, &dest_path, info)?;
            }
            Op::DeleteFile { path } => {
                let path = check_path(&path)?;
                // Issue 15: as on the Hub, a deleted "file" that names a folder deletes the folder.
                if !draft.delete_file(&tx, &path)? && !draft.delete_folder(&tx, &path)? {
                    return Err(StoreError::EntryNotFound(format!(
                        "A file with this name doesn't exist: {path}"
                    )));
                }
            }
            Op::AddStoredRegular { path, sha1, size } => {
                let path = check_path(&path)?;
                if !super::blobs::git_file(paths, &sha1).is_some_and(|f| f.is_file()) {
                    return Err(StoreError::Internal(format!(
                        "regular blob {sha1} of {path} was not stored"
                    )));
                }
                let info = FileInfo {
                    oid: sha1,
                    size,
                    lfs: None,
                };
                draft.set_file(&tx, &path, info)?;
            }
            Op::TrackLfs { paths: lfs_paths } => {
                super::lfs_scope::track_lfs_paths(paths, &tx, &mut draft, &lfs_paths)?;
            }
            Op::DeleteFolder { path } => {
                let path = check_path(path.trim_end_matches('/'))?;
                if !draft.delete_folder(&tx, &path)? {
                    return Err(StoreError::EntryNotFound(format!(
                        "A folder with this name doesn't exist: {path}"
                    )));
                }
            }
        }
    }
    let tree = draft.tree_id()?;
    let now = now_ms();
    let parents = vec![head.clone()];
    let id = commit_sha1(
        &tree,
        &parents,
        &input.author,
        now,
        &input.summary,
        &input.description,
    );
    let record = CommitRecord {
        id: id.clone(),
        tree,
        parents,
        author: input.author,
        title: input.summary,
        message: input.description,
        date_ms: now,
    };
    insert_commit_row(&tx, repo.pk, &record)?;
    draft.store(&tx, repo.pk, &record.id)?;
    super::lfs_scope::record(&tx, repo.pk, &lfs_oids)?;
    move_ref(&tx, repo.pk, &ref_name, &head, &id, now)?;
    tx.commit()?;
    Ok(CommitOutcome {
        commit_id: id,
        target_ref: ref_name,
    })
}

pub(crate) fn move_ref(
    tx: &Transaction<'_>,
    pk: i64,
    name: &str,
    from: &str,
    to: &str,
    now: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE refs SET commit_id = ?1 WHERE repo_pk = ?2 AND name = ?3 AND commit_id = ?4",
        params![to, pk, name, from],
    )?;
    if n != 1 {
        return Err(StoreError::Internal(format!(
            "ref {name} moved concurrently"
        )));
    }
    tx.execute(
        "UPDATE repos SET last_modified_ms = ?1 WHERE pk = ?2",
        params![now, pk],
    )?;
    Ok(())
}

pub(crate) fn super_squash(
    c: &mut Connection,
    pk: i64,
    branch_ref: &str,
    message: &str,
    author: &str,
) -> Result<String, StoreError> {
    let tx = c.transaction()?;
    let head = ref_target(&tx, pk, branch_ref)?
        .ok_or_else(|| StoreError::RevisionNotFound(branch_ref.to_owned()))?;
    let old = commit_record(&tx, &head)?
        .ok_or_else(|| StoreError::Internal(format!("commit {head} missing")))?;
    let (files, _) = load_state(&tx, &head)?;
    let (tree, rows) = build_tree(&files);
    let now = now_ms();
    let (title, description) = match message.split_once('\n') {
        Some((t, d)) => (t.to_owned(), d.trim_start_matches('\n').to_owned()),
        None => (message.to_owned(), String::new()),
    };
    let id = commit_sha1(&tree, &[], author, now, &title, &description);
    debug_assert_eq!(tree, old.tree);
    let record = CommitRecord {
        id: id.clone(),
        tree,
        parents: vec![],
        author: author.to_owned(),
        title,
        message: description,
        date_ms: now,
    };
    insert_commit(&tx, pk, &record, &rows, &BTreeMap::new())?;
    move_ref(&tx, pk, branch_ref, &head, &id, now)?;
    tx.commit()?;
    Ok(id)
}

pub(crate) fn log(
    c: &Connection,
    commit: &str,
    skip: usize,
    limit: usize,
) -> Result<(Vec<CommitRecord>, bool), StoreError> {
    let mut out = Vec::new();
    let mut next = Some(commit.to_owned());
    let mut index = 0usize;
    while let Some(id) = next {
        let Some(rec) = commit_record(c, &id)? else {
            break;
        };
        next = rec.parents.first().cloned();
        if index >= skip {
            if out.len() == limit {
                return Ok((out, true));
            }
            out.push(rec);
        }
        index += 1;
    }
    Ok((out, false))
}

pub(crate) fn refs(c: &Connection, pk: i64) -> Result<Vec<RefRecord>, StoreError> {
    let mut stmt =
        c.prepare("SELECT name, commit_id FROM refs WHERE repo_pk = ?1 ORDER BY name")?;
    let rows = stmt
        .query_map(params![pk], |r| {
            Ok(RefRecord {
                name: r.get(0)?,
                commit: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(crate) fn create_ref(
    c: &mut Connection,
    pk: i64,
    name: &str,
    commit: &str,
) -> Result<(), StoreError> {
    let tx = c.transaction()?;
    if !in_repo(&tx, pk, commit)? {
        return Err(StoreError::RevisionNotFound(commit.to_owned()));
    }
    if ref_target(&tx, pk, name)?.is_some() {
        // Issue 15: the Hub's wording, which clients match on.
        return Err(StoreError::Conflict(format!(
            "Reference {name} already exists"
        )));
    }
    tx.execute(
        "INSERT INTO refs (repo_pk, name, commit_id) VALUES (?1, ?2, ?3)",
        params![pk, name, commit],
    )?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn delete_ref(c: &mut Connection, pk: i64, name: &str) -> Result<(), StoreError> {
    if name == "refs/heads/main" {
        // Issue 15: the Hub's wording.
        return Err(StoreError::Forbidden(
            "Cannot delete refs/heads/main".into(),
        ));
    }
    let n = c.execute(
        "DELETE FROM refs WHERE repo_pk = ?1 AND name = ?2",
        params![pk, name],
    )?;
    if n == 0 {
        return Err(StoreError::RevisionNotFound(name.to_owned()));
    }
    Ok(())
}
