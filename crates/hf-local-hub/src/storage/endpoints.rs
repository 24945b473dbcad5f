//! Inference Endpoints of the simulated Endpoints API: one row per endpoint, keyed by
//! namespace and name. The row keeps the spec as sent (normalized JSON) and the last state
//! transition with its time; the HTTP layer derives the current status from them, so no
//! background task is needed and the state survives a restart.

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError};

/// Most endpoints one namespace may hold.
pub const MAX_ENDPOINTS_PER_NAMESPACE: i64 = 200;

/// A stored endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRecord {
    /// Owner (user or organization).
    pub namespace: String,
    /// Name, unique in the namespace.
    pub name: String,
    /// The normalized spec (name, type, provider, compute, model, ...), without status.
    pub spec: serde_json::Value,
    /// The last transition: `deploying`, `updating`, `paused`, `scaledToZero`, `failed` or
    /// `updateFailed`.
    pub phase: String,
    /// Why it failed, for the failed phases.
    pub message: Option<String>,
    /// When `phase` started, milliseconds since the Unix epoch.
    pub transition_ms: i64,
    /// Creation time (ms).
    pub created_ms: i64,
    /// Last change of spec or phase (ms).
    pub updated_ms: i64,
    /// The user who created it.
    pub created_by: String,
    /// The user who changed it last.
    pub updated_by: String,
}

const COLUMNS: &str = "namespace, name, spec, phase, message, transition_ms, created_ms, \
                       updated_ms, created_by, updated_by";

fn from_row(row: &Row<'_>) -> rusqlite::Result<EndpointRecord> {
    let spec: String = row.get(2)?;
    Ok(EndpointRecord {
        namespace: row.get(0)?,
        name: row.get(1)?,
        spec: serde_json::from_str(&spec).unwrap_or(serde_json::Value::Null),
        phase: row.get(3)?,
        message: row.get(4)?,
        transition_ms: row.get(5)?,
        created_ms: row.get(6)?,
        updated_ms: row.get(7)?,
        created_by: row.get(8)?,
        updated_by: row.get(9)?,
    })
}

impl Store {
    /// The endpoints of `namespace`, by name.
    pub async fn endpoints(&self, namespace: &str) -> Result<Vec<EndpointRecord>, StoreError> {
        let namespace = namespace.to_owned();
        self.run(move |c, _| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM inference_endpoints WHERE namespace = ?1 ORDER BY name"
            ))?;
            let rows = stmt.query_map(params![namespace], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// One endpoint, or `None`.
    pub async fn endpoint(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<EndpointRecord>, StoreError> {
        let (namespace, name) = (namespace.to_owned(), name.to_owned());
        self.run(move |c, _| {
            Ok(c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM inference_endpoints WHERE namespace = ?1 AND name = ?2"
                ),
                params![namespace, name],
                from_row,
            )
            .optional()?)
        })
        .await
    }

    /// Stores a new endpoint: `Conflict` when the name is taken, `BadRequest` when the
    /// namespace is full.
    pub async fn create_endpoint(&self, record: EndpointRecord) -> Result<(), StoreError> {
        self.run(move |c, _| {
            let tx = c.transaction()?;
            let count: i64 = tx.query_row(
                "SELECT COUNT(*) FROM inference_endpoints WHERE namespace = ?1",
                params![record.namespace],
                |r| r.get(0),
            )?;
            if count >= MAX_ENDPOINTS_PER_NAMESPACE {
                return Err(StoreError::BadRequest(format!(
                    "namespace {} already has {count} Inference Endpoints (the limit)",
                    record.namespace
                )));
            }
            let inserted = tx.execute(
                &format!(
                    "INSERT OR IGNORE INTO inference_endpoints ({COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    record.namespace,
                    record.name,
                    record.spec.to_string(),
                    record.phase,
                    record.message,
                    record.transition_ms,
                    record.created_ms,
                    record.updated_ms,
                    record.created_by,
                    record.updated_by
                ],
            )?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "An Inference Endpoint named {} already exists in {}",
                    record.name, record.namespace
                )));
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Replaces the spec and phase of an existing endpoint; `false` when it does not exist.
    pub async fn save_endpoint(&self, record: EndpointRecord) -> Result<bool, StoreError> {
        self.run(move |c, _| {
            let changed = c.execute(
                "UPDATE inference_endpoints SET spec = ?3, phase = ?4, message = ?5, \
                 transition_ms = ?6, updated_ms = ?7, updated_by = ?8 \
                 WHERE namespace = ?1 AND name = ?2",
                params![
                    record.namespace,
                    record.name,
                    record.spec.to_string(),
                    record.phase,
                    record.message,
                    record.transition_ms,
                    record.updated_ms,
                    record.updated_by
                ],
            )?;
            Ok(changed > 0)
        })
        .await
    }

    /// Deletes an endpoint; `false` when it did not exist.
    pub async fn delete_endpoint(&self, namespace: &str, name: &str) -> Result<bool, StoreError> {
        let (namespace, name) = (namespace.to_owned(), name.to_owned());
        self.run(move |c, _| {
            let deleted = c.execute(
                "DELETE FROM inference_endpoints WHERE namespace = ?1 AND name = ?2",
                params![namespace, name],
            )?;
            Ok(deleted > 0)
        })
        .await
    }
}
