//! Discussions and pull requests (protocol §9.1): one row per discussion, numbered per repo (pull
//! requests share the numbering), and one row per event (comment, status change, title change, commit).
//!
//! Every state change is one function here, run in one transaction, and returns the event it recorded:
//! the one place a webhook delivery can hook in later. Who may do what is checked by the handlers; what a
//! state allows (no comment on a missing discussion, no commit on a closed pull request, no merge with
//! conflicts) is checked here, inside the transaction.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::{Value, json};

use super::git::{FileInfo, build_tree, commit_sha1};
use super::history::{in_repo, insert_commit, load_state, move_ref, ref_target};
use super::{CommitRecord, Paths, PullRequestRecord, RepoRecord, Store, StoreError, blobs, now_ms};

/// A discussion or pull request.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscussionRecord {
    /// Number, shared by discussions and pull requests of a repo.
    pub num: u64,
    /// Title.
    pub title: String,
    /// Author user name.
    pub author: String,
    /// A pull request (with a `refs/pr/{num}` ref).
    pub is_pr: bool,
    /// `open`, `closed`, `merged` or `draft`.
    pub status: String,
    /// Pull requests: the full ref they merge into (`refs/heads/main`).
    pub base_ref: Option<String>,
    /// Pull requests: the commit `refs/pr/{num}` started at (the merge base).
    pub base_commit: Option<String>,
    /// Merged pull requests: the merge commit.
    pub merge_commit: Option<String>,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Comment events (hidden ones included).
    pub num_comments: u64,
}

/// One event of a discussion.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// 24-hex id.
    pub id: String,
    /// `comment`, `status-change`, `title-change` or `commit`.
    pub kind: String,
    /// Who caused it.
    pub author: String,
    /// When, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// The event's data. Comments: `{"hidden", "history": [{"raw", "author", "ms"}]}` (latest last);
    /// the handlers render the Hub's shape.
    pub data: Value,
}

/// Filters of a discussion listing.
#[derive(Debug, Clone, Default)]
pub struct DiscussionFilter {
    /// `Some(true)`: pull requests only; `Some(false)`: discussions only.
    pub pull_requests: Option<bool>,
    /// Allowed statuses (`None`: all).
    pub statuses: Option<Vec<&'static str>>,
    /// Only this author's.
    pub author: Option<String>,
}

/// How a pull request starts.
#[derive(Debug, Clone)]
pub struct NewPullRequest {
    /// The full ref it merges into.
    pub base_ref: String,
    /// The commit `refs/pr/{num}` starts at.
    pub base_commit: String,
    /// `open` (opened by a commit) or `draft` (opened empty).
    pub status: &'static str,
}

/// What a pull request changes against its target, and what conflicts.
#[derive(Debug, Clone, Default)]
pub struct PrChanges {
    /// A unified diff of the pull request against its merge base.
    pub diff: String,
    /// Paths changed both by the pull request and on the target since the merge base, differently.
    pub conflicts: Vec<String>,
}

/// Longest title accepted.
pub const MAX_TITLE: usize = 200;
/// Longest comment accepted (bytes).
pub const MAX_COMMENT: usize = 64 * 1024;

const COLUMNS: &str = "d.num, d.title, d.author, d.is_pr, d.status, d.base_ref, d.base_commit, \
     d.merge_commit, d.created_ms, \
     (SELECT COUNT(*) FROM discussion_events e WHERE e.repo_pk = d.repo_pk AND e.num = d.num \
      AND e.kind = 'comment')";

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<DiscussionRecord> {
    Ok(DiscussionRecord {
        num: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
        title: r.get(1)?,
        author: r.get(2)?,
        is_pr: r.get::<_, i64>(3)? != 0,
        status: r.get(4)?,
        base_ref: r.get(5)?,
        base_commit: r.get(6)?,
        merge_commit: r.get(7)?,
        created_ms: r.get(8)?,
        num_comments: u64::try_from(r.get::<_, i64>(9)?).unwrap_or(0),
    })
}

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<EventRecord> {
    let data: String = r.get(4)?;
    Ok(EventRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        author: r.get(2)?,
        created_ms: r.get(3)?,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    })
}

fn event_id() -> String {
    format!("{:08x}{:016x}", now_ms() / 1000, fastrand::u64(..))
}

fn num_param(num: u64) -> i64 {
    i64::try_from(num).unwrap_or(i64::MAX)
}

fn not_found(num: u64) -> StoreError {
    StoreError::EntryNotFound(format!("Discussion #{num} not found"))
}

fn get(c: &Connection, pk: i64, num: u64) -> Result<Option<DiscussionRecord>, StoreError> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM discussions d WHERE d.repo_pk = ?1 AND d.num = ?2"),
        params![pk, num_param(num)],
        record_from_row,
    )
    .optional()?)
}

fn require(c: &Connection, pk: i64, num: u64) -> Result<DiscussionRecord, StoreError> {
    get(c, pk, num)?.ok_or_else(|| not_found(num))
}

fn insert_event(
    tx: &Transaction<'_>,
    pk: i64,
    num: u64,
    kind: &str,
    author: &str,
    data: Value,
) -> Result<EventRecord, StoreError> {
    let event = EventRecord {
        id: event_id(),
        kind: kind.to_owned(),
        author: author.to_owned(),
        created_ms: now_ms(),
        data,
    };
    tx.execute(
        "INSERT INTO discussion_events (id, repo_pk, num, kind, author, created_ms, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            event.id,
            pk,
            num_param(num),
            event.kind,
            event.author,
            event.created_ms,
            event.data.to_string()
        ],
    )?;
    Ok(event)
}

fn comment_data(raw: &str, author: &str) -> Value {
    json!({"hidden": false, "history": [{"raw": raw, "author": author, "ms": now_ms()}]})
}

fn check_open(d: &DiscussionRecord, what: &str) -> Result<(), StoreError> {
    if d.status == "open" || d.status == "draft" {
        Ok(())
    } else {
        Err(StoreError::BadRequest(format!(
            "Cannot {what}: discussion #{} is {}",
            d.num, d.status
        )))
    }
}

/// Creates a discussion (or a pull request, with its ref) whose first comment is `description`.
pub(crate) fn create(
    c: &mut Connection,
    pk: i64,
    title: &str,
    author: &str,
    description: &str,
    pr: Option<&NewPullRequest>,
) -> Result<u64, StoreError> {
    let tx = c.transaction()?;
    if let Some(pr) = pr
        && !in_repo(&tx, pk, &pr.base_commit)?
    {
        return Err(StoreError::RevisionNotFound(pr.base_commit.clone()));
    }
    let max: Option<i64> = tx.query_row(
        "SELECT MAX(num) FROM discussions WHERE repo_pk = ?1",
        params![pk],
        |r| r.get(0),
    )?;
    let num = u64::try_from(max.unwrap_or(0) + 1).unwrap_or(1);
    tx.execute(
        "INSERT INTO discussions (repo_pk, num, title, author, is_pr, status, base_ref, base_commit, \
         merge_commit, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
        params![
            pk,
            num_param(num),
            title,
            author,
            i64::from(pr.is_some()),
            pr.map_or("open", |p| p.status),
            pr.map(|p| p.base_ref.as_str()),
            pr.map(|p| p.base_commit.as_str()),
            now_ms()
        ],
    )?;
    if let Some(pr) = pr {
        tx.execute(
            "INSERT OR REPLACE INTO refs (repo_pk, name, commit_id) VALUES (?1, ?2, ?3)",
            params![pk, format!("refs/pr/{num}"), pr.base_commit],
        )?;
    }
    insert_event(
        &tx,
        pk,
        num,
        "comment",
        author,
        comment_data(description, author),
    )?;
    tx.commit()?;
    Ok(num)
}

/// A page of discussions (newest first) and the total matching the filter.
pub(crate) fn list(
    c: &Connection,
    pk: i64,
    filter: &DiscussionFilter,
    skip: usize,
    limit: usize,
) -> Result<(Vec<DiscussionRecord>, u64), StoreError> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLUMNS} FROM discussions d WHERE d.repo_pk = ?1 ORDER BY d.num DESC"
    ))?;
    let all = stmt
        .query_map(params![pk], record_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let matching: Vec<DiscussionRecord> = all
        .into_iter()
        .filter(|d| filter.pull_requests.is_none_or(|pr| d.is_pr == pr))
        .filter(|d| {
            filter
                .statuses
                .as_ref()
                .is_none_or(|s| s.contains(&d.status.as_str()))
        })
        .filter(|d| filter.author.as_ref().is_none_or(|a| *a == d.author))
        .collect();
    let total = matching.len() as u64;
    Ok((matching.into_iter().skip(skip).take(limit).collect(), total))
}

/// A discussion and its events, oldest first.
pub(crate) fn details(
    c: &Connection,
    pk: i64,
    num: u64,
) -> Result<(DiscussionRecord, Vec<EventRecord>), StoreError> {
    let d = require(c, pk, num)?;
    let mut stmt = c.prepare(
        "SELECT id, kind, author, created_ms, data FROM discussion_events \
         WHERE repo_pk = ?1 AND num = ?2 ORDER BY created_ms, rowid",
    )?;
    let events = stmt
        .query_map(params![pk, num_param(num)], event_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((d, events))
}

/// Adds a comment.
pub(crate) fn comment(
    c: &mut Connection,
    pk: i64,
    num: u64,
    author: &str,
    text: &str,
) -> Result<EventRecord, StoreError> {
    let tx = c.transaction()?;
    require(&tx, pk, num)?;
    let event = insert_event(&tx, pk, num, "comment", author, comment_data(text, author))?;
    tx.commit()?;
    Ok(event)
}

fn comment_event(
    tx: &Transaction<'_>,
    pk: i64,
    num: u64,
    id: &str,
) -> Result<EventRecord, StoreError> {
    require(tx, pk, num)?;
    tx.query_row(
        "SELECT id, kind, author, created_ms, data FROM discussion_events \
         WHERE repo_pk = ?1 AND num = ?2 AND id = ?3 AND kind = 'comment'",
        params![pk, num_param(num), id],
        event_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::EntryNotFound(format!("Comment {id} not found in #{num}")))
}

fn save_data(tx: &Transaction<'_>, event: &EventRecord) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE discussion_events SET data = ?1 WHERE id = ?2",
        params![event.data.to_string(), event.id],
    )?;
    Ok(())
}

/// The author of a comment event (the handlers check who may edit it).
pub(crate) fn comment_author(
    c: &mut Connection,
    pk: i64,
    num: u64,
    id: &str,
) -> Result<String, StoreError> {
    let tx = c.transaction()?;
    Ok(comment_event(&tx, pk, num, id)?.author)
}

/// Replaces a comment's text (the old text stays in its history).
pub(crate) fn edit_comment(
    c: &mut Connection,
    pk: i64,
    num: u64,
    id: &str,
    editor: &str,
    text: &str,
) -> Result<EventRecord, StoreError> {
    let tx = c.transaction()?;
    let mut event = comment_event(&tx, pk, num, id)?;
    if event.data["hidden"] == json!(true) {
        return Err(StoreError::BadRequest(
            "A hidden comment cannot be edited".into(),
        ));
    }
    if let Some(history) = event.data["history"].as_array_mut() {
        history.push(json!({"raw": text, "author": editor, "ms": now_ms()}));
    }
    save_data(&tx, &event)?;
    tx.commit()?;
    Ok(event)
}

/// Hides a comment.
pub(crate) fn hide_comment(
    c: &mut Connection,
    pk: i64,
    num: u64,
    id: &str,
) -> Result<EventRecord, StoreError> {
    let tx = c.transaction()?;
    let mut event = comment_event(&tx, pk, num, id)?;
    event.data["hidden"] = json!(true);
    save_data(&tx, &event)?;
    tx.commit()?;
    Ok(event)
}

/// Renames a discussion.
pub(crate) fn rename(
    c: &mut Connection,
    pk: i64,
    num: u64,
    author: &str,
    title: &str,
) -> Result<EventRecord, StoreError> {
    let tx = c.transaction()?;
    let d = require(&tx, pk, num)?;
    tx.execute(
        "UPDATE discussions SET title = ?1 WHERE repo_pk = ?2 AND num = ?3",
        params![title, pk, num_param(num)],
    )?;
    let event = insert_event(
        &tx,
        pk,
        num,
        "title-change",
        author,
        json!({"from": d.title, "to": title}),
    )?;
    tx.commit()?;
    Ok(event)
}

/// Opens or closes a discussion (an optional comment first); a merged pull request stays merged.
pub(crate) fn set_status(
    c: &mut Connection,
    pk: i64,
    num: u64,
    author: &str,
    status: &str,
    comment: Option<&str>,
) -> Result<EventRecord, StoreError> {
    let tx = c.transaction()?;
    let d = require(&tx, pk, num)?;
    if d.status == "merged" {
        return Err(StoreError::BadRequest(format!(
            "Pull request #{num} is merged: its status cannot change"
        )));
    }
    if d.status == status {
        return Err(StoreError::BadRequest(format!(
            "Discussion #{num} is already {status}"
        )));
    }
    if let Some(text) = comment {
        insert_event(&tx, pk, num, "comment", author, comment_data(text, author))?;
    }
    tx.execute(
        "UPDATE discussions SET status = ?1 WHERE repo_pk = ?2 AND num = ?3",
        params![status, pk, num_param(num)],
    )?;
    let event = insert_event(
        &tx,
        pk,
        num,
        "status-change",
        author,
        json!({"status": status}),
    )?;
    tx.commit()?;
    Ok(event)
}

/// Checks that pull request `num` takes commits (it exists, is a pull request, is open or a draft);
/// returns it.
pub(crate) fn open_pull_request(
    c: &Connection,
    pk: i64,
    num: u64,
) -> Result<DiscussionRecord, StoreError> {
    let d =
        get(c, pk, num)?.ok_or_else(|| StoreError::RevisionNotFound(format!("refs/pr/{num}")))?;
    if !d.is_pr {
        return Err(StoreError::BadRequest(format!(
            "#{num} is a discussion, not a pull request"
        )));
    }
    check_open(&d, "commit to it")?;
    Ok(d)
}

/// Records that a commit landed on `refs/pr/{num}`.
pub(crate) fn commit_event(
    c: &mut Connection,
    pk: i64,
    num: u64,
    author: &str,
    subject: &str,
    oid: &str,
) -> Result<EventRecord, StoreError> {
    let tx = c.transaction()?;
    require(&tx, pk, num)?;
    let event = insert_event(
        &tx,
        pk,
        num,
        "commit",
        author,
        json!({"subject": subject, "oid": oid}),
    )?;
    tx.commit()?;
    Ok(event)
}

/// Files of a commit as path -> file.
fn files_at(c: &Connection, commit: &str) -> Result<BTreeMap<String, FileInfo>, StoreError> {
    Ok(load_state(c, commit)?.0)
}

/// The three trees of a pull request: merge base, its head, the target's head.
struct PrTrees {
    base: BTreeMap<String, FileInfo>,
    head: BTreeMap<String, FileInfo>,
    head_commit: String,
    target: BTreeMap<String, FileInfo>,
    target_commit: String,
    target_ref: String,
}

fn pr_trees(c: &Connection, pk: i64, d: &DiscussionRecord) -> Result<PrTrees, StoreError> {
    let (Some(base_ref), Some(base_commit)) = (&d.base_ref, &d.base_commit) else {
        return Err(StoreError::BadRequest(format!(
            "#{} is a discussion, not a pull request",
            d.num
        )));
    };
    let head_commit = ref_target(c, pk, &format!("refs/pr/{}", d.num))?
        .ok_or_else(|| StoreError::RevisionNotFound(format!("refs/pr/{}", d.num)))?;
    let target_commit = ref_target(c, pk, base_ref)?
        .ok_or_else(|| StoreError::RevisionNotFound(base_ref.clone()))?;
    Ok(PrTrees {
        base: files_at(c, base_commit)?,
        head: files_at(c, &head_commit)?,
        head_commit,
        target: files_at(c, &target_commit)?,
        target_commit,
        target_ref: base_ref.clone(),
    })
}

/// Paths the pull request changes (added, modified or deleted against the merge base).
fn changed_paths(trees: &PrTrees) -> BTreeSet<String> {
    trees
        .base
        .keys()
        .chain(trees.head.keys())
        .filter(|p| trees.base.get(*p) != trees.head.get(*p))
        .cloned()
        .collect()
}

fn conflicts(trees: &PrTrees) -> Vec<String> {
    changed_paths(trees)
        .into_iter()
        .filter(|p| {
            let (base, head, target) = (trees.base.get(p), trees.head.get(p), trees.target.get(p));
            target != base && target != head
        })
        .collect()
}

/// Merges pull request `num` into its target: one merge commit with the pull request's changes
/// applied on the target's head, when no path conflicts. Returns the merge commit.
pub(crate) fn merge(
    c: &mut Connection,
    pk: i64,
    num: u64,
    author: &str,
    comment: Option<&str>,
) -> Result<String, StoreError> {
    let tx = c.transaction()?;
    let d = require(&tx, pk, num)?;
    if !d.is_pr {
        return Err(StoreError::BadRequest(format!(
            "#{num} is a discussion, not a pull request: it cannot be merged"
        )));
    }
    check_open(&d, "merge")?;
    let trees = pr_trees(&tx, pk, &d)?;
    let conflicting = conflicts(&trees);
    if !conflicting.is_empty() {
        return Err(StoreError::Conflict(format!(
            "Pull request #{num} cannot be merged: conflicts in {}",
            conflicting.join(", ")
        )));
    }
    let mut files = trees.target.clone();
    for path in changed_paths(&trees) {
        match trees.head.get(&path) {
            Some(info) => files.insert(path, info.clone()),
            None => files.remove(&path),
        };
    }
    let previous = load_state(&tx, &trees.target_commit)?.1;
    let (tree, rows) = build_tree(&files);
    let now = now_ms();
    let title = format!("Merge pull request #{num}: {}", d.title);
    let message = comment.unwrap_or_default().to_owned();
    let parents = vec![trees.target_commit.clone(), trees.head_commit.clone()];
    let id = commit_sha1(&tree, &parents, author, now, &title, &message);
    let record = CommitRecord {
        id: id.clone(),
        tree,
        parents,
        author: author.to_owned(),
        title,
        message,
        date_ms: now,
    };
    insert_commit(&tx, pk, &record, &rows, &previous)?;
    move_ref(&tx, pk, &trees.target_ref, &trees.target_commit, &id, now)?;
    if let Some(text) = comment {
        insert_event(&tx, pk, num, "comment", author, comment_data(text, author))?;
    }
    tx.execute(
        "UPDATE discussions SET status = 'merged', merge_commit = ?1 WHERE repo_pk = ?2 AND num = ?3",
        params![id, pk, num_param(num)],
    )?;
    insert_event(
        &tx,
        pk,
        num,
        "status-change",
        author,
        json!({"status": "merged"}),
    )?;
    tx.commit()?;
    Ok(id)
}

/// Most lines of one side of a file diffed line by line (bigger files are summarised).
const MAX_DIFF_LINES: usize = 4000;

fn file_text(paths: &Paths, info: &FileInfo) -> Result<Option<String>, StoreError> {
    if info.lfs.is_some() || info.size > 1024 * 1024 {
        return Ok(None);
    }
    let bytes = blobs::read_regular(paths, &info.oid)?;
    Ok(String::from_utf8(bytes.to_vec()).ok())
}

/// The unified diff and conflicts of pull request `num` against its target.
pub(crate) fn changes(
    c: &Connection,
    paths: &Paths,
    pk: i64,
    num: u64,
) -> Result<PrChanges, StoreError> {
    let d = require(c, pk, num)?;
    if !d.is_pr {
        return Ok(PrChanges::default());
    }
    let trees = pr_trees(c, pk, &d)?;
    let mut diff = String::new();
    for path in changed_paths(&trees) {
        let (old, new) = (trees.base.get(&path), trees.head.get(&path));
        diff.push_str(&format!("diff --git a/{path} b/{path}\n"));
        match (old, new) {
            (None, Some(_)) => diff.push_str("new file mode 100644\n"),
            (Some(_), None) => diff.push_str("deleted file mode 100644\n"),
            _ => {}
        }
        let old_text = match old {
            Some(info) => file_text(paths, info)?,
            None => Some(String::new()),
        };
        let new_text = match new {
            Some(info) => file_text(paths, info)?,
            None => Some(String::new()),
        };
        match (old_text, new_text) {
            (Some(a), Some(b)) => {
                let label = |side: &str, present: bool| {
                    if present {
                        format!("{side}/{path}")
                    } else {
                        "/dev/null".to_owned()
                    }
                };
                diff.push_str(&format!(
                    "--- {}\n+++ {}\n",
                    label("a", old.is_some()),
                    label("b", new.is_some())
                ));
                diff.push_str(&unified(&a, &b));
            }
            _ => diff.push_str(&format!(
                "Binary files {} and {} differ\n",
                old.map_or("/dev/null".to_owned(), |_| format!("a/{path}")),
                new.map_or("/dev/null".to_owned(), |_| format!("b/{path}"))
            )),
        }
    }
    Ok(PrChanges {
        diff,
        conflicts: conflicts(&trees),
    })
}

/// The hunks of a unified diff of `a` to `b` (3 lines of context); a longest-common-subsequence
/// line diff, replaced by one whole-file hunk beyond [`MAX_DIFF_LINES`].
fn unified(a: &str, b: &str) -> String {
    let old: Vec<&str> = a.lines().collect();
    let new: Vec<&str> = b.lines().collect();
    // (tag, old index, new index): ' ' same, '-' removed, '+' added.
    let mut ops: Vec<(char, usize, usize)> = Vec::new();
    if old.len() > MAX_DIFF_LINES || new.len() > MAX_DIFF_LINES {
        ops.extend((0..old.len()).map(|i| ('-', i, 0)));
        ops.extend((0..new.len()).map(|j| ('+', old.len(), j)));
    } else {
        let (n, m) = (old.len(), new.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if old[i] == new[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && old[i] == new[j] {
                ops.push((' ', i, j));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
                ops.push(('-', i, j));
                i += 1;
            } else {
                ops.push(('+', i, j));
                j += 1;
            }
        }
    }
    let line = |op: &(char, usize, usize)| match op.0 {
        '+' => new[op.2],
        _ => old[op.1],
    };
    let mut out = String::new();
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = (changed[k] + 4).min(ops.len());
        while k + 1 < changed.len() && changed[k + 1] <= end + 2 {
            k += 1;
            end = (changed[k] + 4).min(ops.len());
        }
        k += 1;
        let hunk = &ops[start..end];
        let old_count = hunk.iter().filter(|o| o.0 != '+').count();
        let new_count = hunk.iter().filter(|o| o.0 != '-').count();
        let old_start = hunk.first().map_or(0, |o| o.1) + usize::from(old_count > 0);
        let new_start = hunk.first().map_or(0, |o| o.2) + usize::from(new_count > 0);
        out.push_str(&format!(
            "@@ -{old_start},{old_count} +{new_start},{new_count} @@\n"
        ));
        for op in hunk {
            out.push(op.0);
            out.push_str(line(op));
            out.push('\n');
        }
    }
    out
}

impl Store {
    /// Creates a discussion, or a pull request when `pr` is given (ref `refs/pr/{num}` at its base
    /// commit); `description` is its first comment. Returns its number.
    pub async fn create_discussion(
        &self,
        repo: &RepoRecord,
        title: &str,
        author: &str,
        description: &str,
        pr: Option<NewPullRequest>,
    ) -> Result<u64, StoreError> {
        let (pk, t, a, d) = (
            repo.pk,
            title.to_owned(),
            author.to_owned(),
            description.to_owned(),
        );
        self.run(move |c, _| create(c, pk, &t, &a, &d, pr.as_ref()))
            .await
    }

    /// Creates pull request `N` into `main`, open, with ref `refs/pr/N` at `base_commit`; returns `N`.
    pub async fn create_pull_request(
        &self,
        repo: &RepoRecord,
        base_commit: &str,
        title: &str,
        author: &str,
        description: &str,
    ) -> Result<u64, StoreError> {
        let pr = NewPullRequest {
            base_ref: "refs/heads/main".into(),
            base_commit: base_commit.to_owned(),
            status: "open",
        };
        self.create_discussion(repo, title, author, description, Some(pr))
            .await
    }

    /// Pull requests of a repo, by number.
    pub async fn pull_requests(
        &self,
        repo: &RepoRecord,
    ) -> Result<Vec<PullRequestRecord>, StoreError> {
        let pk = repo.pk;
        let filter = DiscussionFilter {
            pull_requests: Some(true),
            ..DiscussionFilter::default()
        };
        let (mut list, _) = self
            .run(move |c, _| list(c, pk, &filter, 0, usize::MAX))
            .await?;
        list.reverse();
        Ok(list
            .into_iter()
            .map(|d| PullRequestRecord {
                num: d.num,
                title: d.title,
                author: d.author,
                description: String::new(),
                status: d.status,
                created_ms: d.created_ms,
            })
            .collect())
    }

    /// A page of discussions (newest first) and the total count.
    pub async fn discussions(
        &self,
        repo: &RepoRecord,
        filter: DiscussionFilter,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<DiscussionRecord>, u64), StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| list(c, pk, &filter, skip, limit))
            .await
    }

    /// A discussion with its events; `EntryNotFound` if missing.
    pub async fn discussion(
        &self,
        repo: &RepoRecord,
        num: u64,
    ) -> Result<(DiscussionRecord, Vec<EventRecord>), StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| details(c, pk, num)).await
    }

    /// The diff and conflicts of a pull request (empty for a discussion).
    pub async fn pr_changes(&self, repo: &RepoRecord, num: u64) -> Result<PrChanges, StoreError> {
        let pk = repo.pk;
        self.run(move |c, p| changes(c, p, pk, num)).await
    }

    /// Adds a comment.
    pub async fn comment_discussion(
        &self,
        repo: &RepoRecord,
        num: u64,
        author: &str,
        text: &str,
    ) -> Result<EventRecord, StoreError> {
        let (pk, a, t) = (repo.pk, author.to_owned(), text.to_owned());
        self.run(move |c, _| comment(c, pk, num, &a, &t)).await
    }

    /// The author of comment `id` of discussion `num`.
    pub async fn comment_author(
        &self,
        repo: &RepoRecord,
        num: u64,
        id: &str,
    ) -> Result<String, StoreError> {
        let (pk, id) = (repo.pk, id.to_owned());
        self.run(move |c, _| comment_author(c, pk, num, &id)).await
    }

    /// Edits comment `id`.
    pub async fn edit_comment(
        &self,
        repo: &RepoRecord,
        num: u64,
        id: &str,
        editor: &str,
        text: &str,
    ) -> Result<EventRecord, StoreError> {
        let (pk, id, e, t) = (repo.pk, id.to_owned(), editor.to_owned(), text.to_owned());
        self.run(move |c, _| edit_comment(c, pk, num, &id, &e, &t))
            .await
    }

    /// Hides comment `id`.
    pub async fn hide_comment(
        &self,
        repo: &RepoRecord,
        num: u64,
        id: &str,
    ) -> Result<EventRecord, StoreError> {
        let (pk, id) = (repo.pk, id.to_owned());
        self.run(move |c, _| hide_comment(c, pk, num, &id)).await
    }

    /// Renames discussion `num`.
    pub async fn rename_discussion(
        &self,
        repo: &RepoRecord,
        num: u64,
        author: &str,
        title: &str,
    ) -> Result<EventRecord, StoreError> {
        let (pk, a, t) = (repo.pk, author.to_owned(), title.to_owned());
        self.run(move |c, _| rename(c, pk, num, &a, &t)).await
    }

    /// Opens or closes discussion `num`.
    pub async fn set_discussion_status(
        &self,
        repo: &RepoRecord,
        num: u64,
        author: &str,
        status: &str,
        comment: Option<String>,
    ) -> Result<EventRecord, StoreError> {
        let (pk, a, s) = (repo.pk, author.to_owned(), status.to_owned());
        self.run(move |c, _| set_status(c, pk, num, &a, &s, comment.as_deref()))
            .await
    }

    /// Checks that pull request `num` takes commits; returns it.
    pub async fn open_pull_request(
        &self,
        repo: &RepoRecord,
        num: u64,
    ) -> Result<DiscussionRecord, StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| open_pull_request(c, pk, num)).await
    }

    /// Records a commit event on pull request `num`.
    pub async fn pr_commit_event(
        &self,
        repo: &RepoRecord,
        num: u64,
        author: &str,
        subject: &str,
        oid: &str,
    ) -> Result<EventRecord, StoreError> {
        let (pk, a, s, o) = (
            repo.pk,
            author.to_owned(),
            subject.to_owned(),
            oid.to_owned(),
        );
        self.run(move |c, _| commit_event(c, pk, num, &a, &s, &o))
            .await
    }

    /// Merges pull request `num`; returns the merge commit.
    pub async fn merge_pull_request(
        &self,
        repo: &RepoRecord,
        num: u64,
        author: &str,
        comment: Option<String>,
    ) -> Result<String, StoreError> {
        let (pk, a) = (repo.pk, author.to_owned());
        self.run(move |c, _| merge(c, pk, num, &a, comment.as_deref()))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn unified_diff_hunks() {
        let d = unified("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(d, "@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n");
        assert_eq!(unified("", "x\n"), "@@ -0,0 +1,1 @@\n+x\n");
        assert_eq!(unified("same\n", "same\n"), "");
    }
}
