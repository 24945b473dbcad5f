//! The SQLite schema and connection setup.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS repos (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_type TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
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
    old_id TEXT NOT NULL,
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
CREATE TABLE IF NOT EXISTS pull_requests (
    repo_pk INTEGER NOT NULL,
    num INTEGER NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (repo_pk, num)
);
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
";

/// Opens the database with durable settings and creates the tables.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    // WAL: readers do not block the writer; FULL: a committed transaction survives power loss.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}
