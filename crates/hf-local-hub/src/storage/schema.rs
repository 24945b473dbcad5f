//! The SQLite schema and connection setup.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS repos (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_type TEXT NOT NULL,
    -- Repo ids are case-insensitive on the Hub (issue 15 item 5): `user/Repo` and `user/repo` are one
    -- repo, stored with the spelling it was created with; NOCASE makes lookups and UNIQUE agree.
    namespace TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL COLLATE NOCASE,
    private INTEGER NOT NULL,
    gated TEXT,
    created_ms INTEGER NOT NULL,
    last_modified_ms INTEGER NOT NULL,
    object_id TEXT NOT NULL,
    sdk TEXT,
    extra TEXT NOT NULL,
    UNIQUE (repo_type, namespace, name)
);
CREATE TABLE IF NOT EXISTS redirects (
    repo_type TEXT NOT NULL,
    old_id TEXT NOT NULL COLLATE NOCASE,
    repo_pk INTEGER NOT NULL,
    PRIMARY KEY (repo_type, old_id)
);
CREATE TABLE IF NOT EXISTS refs (
    repo_pk INTEGER NOT NULL,
    name TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    PRIMARY KEY (repo_pk, name)
);
CREATE TABLE IF NOT EXISTS commits (
    id TEXT PRIMARY KEY,
    tree TEXT NOT NULL,
    parents TEXT NOT NULL,
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    date_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS repo_commits (
    repo_pk INTEGER NOT NULL,
    commit_id TEXT NOT NULL,
    PRIMARY KEY (repo_pk, commit_id)
);
CREATE TABLE IF NOT EXISTS entries (
    commit_id TEXT NOT NULL,
    path TEXT NOT NULL,
    parent TEXT NOT NULL,
    is_dir INTEGER NOT NULL,
    oid TEXT NOT NULL,
    size INTEGER NOT NULL,
    lfs_sha256 TEXT,
    last_commit TEXT NOT NULL,
    PRIMARY KEY (commit_id, path)
);
CREATE INDEX IF NOT EXISTS entries_parent ON entries (commit_id, parent);
-- Discussions, pull requests, likes, access requests (issue 10). Pull requests are discussions
-- with is_pr = 1 and the ref refs/pr/{num}; numbering is per repo and shared.
CREATE TABLE IF NOT EXISTS discussions (
    repo_pk INTEGER NOT NULL,
    num INTEGER NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    is_pr INTEGER NOT NULL,
    status TEXT NOT NULL,
    base_ref TEXT,
    base_commit TEXT,
    merge_commit TEXT,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (repo_pk, num)
);
-- Spaces (issue 12): the simulated runtime (last transition) and variables/secrets.
CREATE TABLE IF NOT EXISTS space_runtime (
    repo_pk INTEGER PRIMARY KEY,
    paused INTEGER NOT NULL,
    since_ms INTEGER NOT NULL,
    error TEXT,
    hw_prev TEXT,
    hw_requested TEXT NOT NULL,
    storage TEXT,
    sleep_time INTEGER
);
CREATE TABLE IF NOT EXISTS space_env (
    repo_pk INTEGER NOT NULL,
    secret INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    description TEXT,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (repo_pk, secret, key)
);
-- End of Spaces (issue 12).
-- Inference Endpoints (issue 13): spec as JSON, last transition and its time (status derived on read).
CREATE TABLE IF NOT EXISTS inference_endpoints (
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    phase TEXT NOT NULL,
    message TEXT,
    transition_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
);
CREATE TABLE IF NOT EXISTS discussion_events (
    id TEXT PRIMARY KEY,
    repo_pk INTEGER NOT NULL,
    num INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS discussion_events_num ON discussion_events (repo_pk, num);
CREATE TABLE IF NOT EXISTS likes (
    user TEXT NOT NULL,
    repo_pk INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (user, repo_pk)
);
CREATE INDEX IF NOT EXISTS likes_repo ON likes (repo_pk);
CREATE TABLE IF NOT EXISTS access_requests (
    repo_pk INTEGER NOT NULL,
    user TEXT NOT NULL,
    status TEXT NOT NULL,
    fields TEXT,
    rejection_reason TEXT,
    updated_ms INTEGER NOT NULL,
    granted INTEGER NOT NULL,
    PRIMARY KEY (repo_pk, user)
);
-- End of issue 10.
-- Collections, webhooks, papers, user profiles and follows (issue 11): JSON documents per row,
-- changed by read-modify-write under the store's one connection (storage/documents.rs).
CREATE TABLE IF NOT EXISTS collections (id TEXT PRIMARY KEY, owner TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhooks (id TEXT PRIMARY KEY, owner TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (id TEXT PRIMARY KEY, owner TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, owner TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS follows (
    follower TEXT NOT NULL,
    followee TEXT NOT NULL,
    PRIMARY KEY (follower, followee)
);
-- End of issue 11.
-- LFS files permanently deleted without rewriting history (issue 15): hidden from the listing.
CREATE TABLE IF NOT EXISTS lfs_deletions (
    repo_pk INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (repo_pk, sha256)
);
-- End of issue 15.
";

/// Opens the database with durable settings and creates the tables.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    // WAL: readers do not block the writer; FULL: a committed transaction survives power loss.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(super::trees::SCHEMA)?;
    super::trees::migrate_entries(&mut conn)?;
    // After the migration: the scope of an older database is filled from `lfs_refs`.
    super::lfs_scope::init(&conn)?;
    Ok(conn)
}

/// Opens another connection for reads only (the writer opened the database and set WAL before).
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    // A reader must never write: a bug would then fail instead of taking the write lock.
    conn.pragma_update(None, "query_only", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}
