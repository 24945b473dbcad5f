//! Likes (protocol §9.2) and access requests to gated repos (§9.5).
//!
//! One function per state change, each in one transaction: like, unlike, request access, handle a
//! request (accept, reject, back to pending), grant.

use rusqlite::{Connection, OptionalExtension, params};

use super::{RepoRecord, Store, StoreError, now_ms};

/// A like: who liked which repo, when.
#[derive(Debug, Clone, PartialEq)]
pub struct LikeRecord {
    /// The user.
    pub user: String,
    /// The repo liked.
    pub repo_pk: i64,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// A user's request for access to a gated repo.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessRequestRecord {
    /// The user.
    pub user: String,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    /// Answers to the gate's form (a JSON object), if any.
    pub fields: Option<serde_json::Value>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// Last change, milliseconds since the Unix epoch.
    pub updated_ms: i64,
    /// Granted by an admin (no form answered).
    pub granted: bool,
}

/// Likes `repo` (again: no change). Returns whether it was new.
fn like(c: &Connection, pk: i64, user: &str) -> Result<bool, StoreError> {
    let n = c.execute(
        "INSERT OR IGNORE INTO likes (user, repo_pk, created_ms) VALUES (?1, ?2, ?3)",
        params![user, pk, now_ms()],
    )?;
    Ok(n == 1)
}

fn unlike(c: &Connection, pk: i64, user: &str) -> Result<bool, StoreError> {
    let n = c.execute(
        "DELETE FROM likes WHERE user = ?1 AND repo_pk = ?2",
        params![user, pk],
    )?;
    Ok(n == 1)
}

fn request(
    c: &Connection,
    pk: i64,
    user: &str,
    status: &str,
    fields: Option<&serde_json::Value>,
) -> Result<AccessRequestRecord, StoreError> {
    if let Some(existing) = access_request(c, pk, user)? {
        // Asking again changes nothing: an owner's decision stands.
        return Ok(existing);
    }
    c.execute(
        "INSERT INTO access_requests (repo_pk, user, status, fields, rejection_reason, updated_ms, granted) \
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, 0)",
        params![pk, user, status, fields.map(ToString::to_string), now_ms()],
    )?;
    access_request(c, pk, user)?.ok_or_else(|| StoreError::Internal("request vanished".into()))
}

fn access_request(
    c: &Connection,
    pk: i64,
    user: &str,
) -> Result<Option<AccessRequestRecord>, StoreError> {
    Ok(c.query_row(
        "SELECT user, status, fields, rejection_reason, updated_ms, granted FROM access_requests \
         WHERE repo_pk = ?1 AND user = ?2",
        params![pk, user],
        row,
    )
    .optional()?)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccessRequestRecord> {
    let fields: Option<String> = r.get(2)?;
    Ok(AccessRequestRecord {
        user: r.get(0)?,
        status: r.get(1)?,
        fields: fields.and_then(|f| serde_json::from_str(&f).ok()),
        rejection_reason: r.get(3)?,
        updated_ms: r.get(4)?,
        granted: r.get::<_, i64>(5)? != 0,
    })
}

fn handle(
    c: &mut Connection,
    pk: i64,
    user: &str,
    status: &str,
    reason: Option<&str>,
) -> Result<AccessRequestRecord, StoreError> {
    let tx = c.transaction()?;
    let current = access_request(&tx, pk, user)?.ok_or_else(|| {
        StoreError::EntryNotFound(format!("No access request from {user} for this repo"))
    })?;
    if current.status == status {
        return Err(StoreError::BadRequest(format!(
            "The access request of {user} is already {status}"
        )));
    }
    tx.execute(
        "UPDATE access_requests SET status = ?1, rejection_reason = ?2, updated_ms = ?3 \
         WHERE repo_pk = ?4 AND user = ?5",
        params![status, reason, now_ms(), pk, user],
    )?;
    let record = access_request(&tx, pk, user)?
        .ok_or_else(|| StoreError::Internal("request vanished".into()))?;
    tx.commit()?;
    Ok(record)
}

fn grant(c: &mut Connection, pk: i64, user: &str) -> Result<AccessRequestRecord, StoreError> {
    let tx = c.transaction()?;
    match access_request(&tx, pk, user)? {
        Some(r) if r.status == "accepted" => {
            return Err(StoreError::Conflict(format!(
                "{user} already has access to this repo"
            )));
        }
        Some(_) => {
            tx.execute(
                "UPDATE access_requests SET status = 'accepted', rejection_reason = NULL, updated_ms = ?1, \
                 granted = 1 WHERE repo_pk = ?2 AND user = ?3",
                params![now_ms(), pk, user],
            )?;
        }
        None => {
            tx.execute(
                "INSERT INTO access_requests (repo_pk, user, status, fields, rejection_reason, updated_ms, granted) \
                 VALUES (?1, ?2, 'accepted', NULL, NULL, ?3, 1)",
                params![pk, user, now_ms()],
            )?;
        }
    }
    let record = access_request(&tx, pk, user)?
        .ok_or_else(|| StoreError::Internal("request vanished".into()))?;
    tx.commit()?;
    Ok(record)
}

impl Store {
    /// `user` likes `repo` (idempotent); `true` if the like is new.
    pub async fn like(&self, repo: &RepoRecord, user: &str) -> Result<bool, StoreError> {
        let (pk, user) = (repo.pk, user.to_owned());
        self.run(move |c, _| like(c, pk, &user)).await
    }

    /// `user` no longer likes `repo` (idempotent); `true` if a like was removed.
    pub async fn unlike(&self, repo: &RepoRecord, user: &str) -> Result<bool, StoreError> {
        let (pk, user) = (repo.pk, user.to_owned());
        self.run(move |c, _| unlike(c, pk, &user)).await
    }

    /// How many users like `repo`.
    pub async fn like_count(&self, repo: &RepoRecord) -> Result<u64, StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM likes WHERE repo_pk = ?1",
                params![pk],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    /// The users who like `repo`, oldest like first.
    pub async fn likers(&self, repo: &RepoRecord) -> Result<Vec<LikeRecord>, StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| {
            let mut stmt = c.prepare(
                "SELECT user, repo_pk, created_ms FROM likes WHERE repo_pk = ?1 ORDER BY created_ms, user",
            )?;
            let rows = stmt
                .query_map(params![pk], |r| {
                    Ok(LikeRecord {
                        user: r.get(0)?,
                        repo_pk: r.get(1)?,
                        created_ms: r.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    /// The likes of `user` with the repos liked, newest first.
    pub async fn likes_of(&self, user: &str) -> Result<Vec<(LikeRecord, RepoRecord)>, StoreError> {
        let user = user.to_owned();
        self.run(move |c, _| {
            let mut stmt = c.prepare(
                "SELECT user, repo_pk, created_ms FROM likes WHERE user = ?1 ORDER BY created_ms DESC",
            )?;
            let likes = stmt
                .query_map(params![user], |r| {
                    Ok(LikeRecord {
                        user: r.get(0)?,
                        repo_pk: r.get(1)?,
                        created_ms: r.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::with_capacity(likes.len());
            for like in likes {
                if let Some(repo) = super::repos::by_pk(c, like.repo_pk)? {
                    out.push((like, repo));
                }
            }
            Ok(out)
        })
        .await
    }

    /// `user` asks for access to gated `repo`: `status` is `accepted` (auto gating) or `pending`.
    /// An existing request is returned unchanged.
    pub async fn request_access(
        &self,
        repo: &RepoRecord,
        user: &str,
        status: &'static str,
        fields: Option<serde_json::Value>,
    ) -> Result<AccessRequestRecord, StoreError> {
        let (pk, user) = (repo.pk, user.to_owned());
        self.run(move |c, _| request(c, pk, &user, status, fields.as_ref()))
            .await
    }

    /// The access request of `user` for `repo`, if any.
    pub async fn access_request(
        &self,
        repo: &RepoRecord,
        user: &str,
    ) -> Result<Option<AccessRequestRecord>, StoreError> {
        let (pk, user) = (repo.pk, user.to_owned());
        self.run(move |c, _| access_request(c, pk, &user)).await
    }

    /// The access requests of `repo` in `status`, oldest change first.
    pub async fn access_requests(
        &self,
        repo: &RepoRecord,
        status: &str,
    ) -> Result<Vec<AccessRequestRecord>, StoreError> {
        let (pk, status) = (repo.pk, status.to_owned());
        self.run(move |c, _| {
            let mut stmt = c.prepare(
                "SELECT user, status, fields, rejection_reason, updated_ms, granted FROM access_requests \
                 WHERE repo_pk = ?1 AND status = ?2 ORDER BY updated_ms, user",
            )?;
            let rows = stmt
                .query_map(params![pk, status], row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    /// Moves the request of `user` to `status` (`accepted`, `rejected`, `pending`); `EntryNotFound`
    /// without a request, `BadRequest` when it is already in that state.
    pub async fn handle_access_request(
        &self,
        repo: &RepoRecord,
        user: &str,
        status: &str,
        reason: Option<String>,
    ) -> Result<AccessRequestRecord, StoreError> {
        let (pk, user, status) = (repo.pk, user.to_owned(), status.to_owned());
        self.run(move |c, _| handle(c, pk, &user, &status, reason.as_deref()))
            .await
    }

    /// Gives `user` access without a request; `Conflict` if it already has it.
    pub async fn grant_access(
        &self,
        repo: &RepoRecord,
        user: &str,
    ) -> Result<AccessRequestRecord, StoreError> {
        let (pk, user) = (repo.pk, user.to_owned());
        self.run(move |c, _| grant(c, pk, &user)).await
    }
}
