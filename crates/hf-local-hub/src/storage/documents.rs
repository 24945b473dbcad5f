//! JSON documents of the community areas (issue 11): collections, webhooks, papers and user
//! profiles, one row per document (`id`, `owner`, `doc`), plus the follow graph.
//!
//! A document is changed by [`Store::doc_update`]: read, change and write under the store's one
//! connection, so two concurrent edits of the same document never lose each other's change.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{Store, StoreError};

/// A table of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// Collections (owner = namespace).
    Collections,
    /// Webhooks (owner = user).
    Webhooks,
    /// Papers (owner unused).
    Papers,
    /// User and organization profile fields (id = name).
    Profiles,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Collections => "collections",
            Table::Webhooks => "webhooks",
            Table::Papers => "papers",
            Table::Profiles => "profiles",
        }
    }
}

fn parse(doc: &str) -> Result<Value, StoreError> {
    serde_json::from_str(doc).map_err(|e| StoreError::Internal(format!("corrupt document: {e}")))
}

impl Store {
    /// Inserts or replaces a document.
    pub(crate) async fn doc_put(
        &self,
        table: Table,
        id: String,
        owner: String,
        doc: Value,
    ) -> Result<(), StoreError> {
        self.run(move |c, _| {
            c.execute(
                &format!(
                    "INSERT OR REPLACE INTO {} (id, owner, doc) VALUES (?1, ?2, ?3)",
                    table.name()
                ),
                params![id, owner, doc.to_string()],
            )?;
            Ok(())
        })
        .await
    }

    /// One document and its owner.
    pub(crate) async fn doc_get(
        &self,
        table: Table,
        id: String,
    ) -> Result<Option<(String, Value)>, StoreError> {
        self.run(move |c, _| {
            let row: Option<(String, String)> = c
                .query_row(
                    &format!("SELECT owner, doc FROM {} WHERE id = ?1", table.name()),
                    params![id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            row.map(|(owner, doc)| Ok((owner, parse(&doc)?)))
                .transpose()
        })
        .await
    }

    /// Every document (of `owner` when given), in insertion order.
    pub(crate) async fn doc_list(
        &self,
        table: Table,
        owner: Option<String>,
    ) -> Result<Vec<(String, Value)>, StoreError> {
        self.run(move |c, _| {
            let sql = format!(
                "SELECT owner, doc FROM {} WHERE ?1 IS NULL OR owner = ?1 ORDER BY rowid",
                table.name()
            );
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt
                .query_map(params![owner], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(owner, doc)| Ok((owner, parse(&doc)?)))
                .collect()
        })
        .await
    }

    /// Deletes a document; false when it did not exist.
    pub(crate) async fn doc_delete(&self, table: Table, id: String) -> Result<bool, StoreError> {
        self.run(move |c, _| {
            let n = c.execute(
                &format!("DELETE FROM {} WHERE id = ?1", table.name()),
                params![id],
            )?;
            Ok(n > 0)
        })
        .await
    }

    /// Changes a document in place with `change` (which may refuse); `None` when it does not
    /// exist. `change` runs on the blocking pool under the connection lock: keep it small.
    pub(crate) async fn doc_update<T, F>(
        &self,
        table: Table,
        id: String,
        change: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Value) -> Result<T, StoreError> + Send + 'static,
    {
        self.run(move |c, _| {
            let tx = c.transaction()?;
            let doc: Option<String> = tx
                .query_row(
                    &format!("SELECT doc FROM {} WHERE id = ?1", table.name()),
                    params![id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(doc) = doc else { return Ok(None) };
            let mut doc = parse(&doc)?;
            let out = change(&mut doc)?;
            tx.execute(
                &format!("UPDATE {} SET doc = ?2 WHERE id = ?1", table.name()),
                params![id, doc.to_string()],
            )?;
            tx.commit()?;
            Ok(Some(out))
        })
        .await
    }

    /// Records that `follower` follows `followee` (idempotent).
    pub(crate) async fn follow(
        &self,
        follower: String,
        followee: String,
    ) -> Result<(), StoreError> {
        self.run(move |c, _| {
            c.execute(
                "INSERT OR IGNORE INTO follows (follower, followee) VALUES (?1, ?2)",
                params![follower, followee],
            )?;
            Ok(())
        })
        .await
    }

    /// Who follows `name` (`followers = true`) or whom `name` follows, sorted by name.
    pub(crate) async fn follows(
        &self,
        name: String,
        followers: bool,
    ) -> Result<Vec<String>, StoreError> {
        self.run(move |c, _| {
            let sql = if followers {
                "SELECT follower FROM follows WHERE followee = ?1 ORDER BY follower"
            } else {
                "SELECT followee FROM follows WHERE follower = ?1 ORDER BY followee"
            };
            let mut stmt = c.prepare(sql)?;
            let rows = stmt
                .query_map(params![name], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }
}
