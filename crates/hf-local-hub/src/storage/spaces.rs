//! Spaces (issue 12): the simulated runtime, variables and secrets of each Space.
//!
//! No background task moves a Space through its stages: a row keeps the last transition (a
//! (re)build started at `since_ms`, or a pause) and the stage is computed when read, from the
//! configured delays: `BUILDING` for the build delay, `APP_STARTING` for the start delay, then
//! `RUNNING` (or `RUNTIME_ERROR` when the README declares an SDK the Hub does not know).
//! Requested hardware becomes current once the Space runs. The row is created on first use
//! from the options given at creation (`hardware`, `storageTier`, `sleepTimeSeconds`,
//! `variables`, `secrets` kept in the repo's `extra`), starting at the repo's creation time.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::{Paths, RepoRecord, Store, StoreError, blobs, history, now_ms};

/// Free hardware: its sleep time is fixed (48 h) on the Hub.
pub(crate) const FREE_HARDWARE: &str = "cpu-basic";
/// Sleep time of free hardware, in seconds.
const FREE_SLEEP_TIME: i64 = 172_800;
/// Variables or secrets one Space may hold.
pub(crate) const MAX_ENV_PER_SPACE: i64 = 100;

/// How long the simulated stages last (milliseconds); set once when the hub starts.
#[derive(Debug, Default)]
pub(crate) struct SpaceDelays {
    build_ms: AtomicU64,
    start_ms: AtomicU64,
}

impl SpaceDelays {
    /// Sets both delays.
    pub(crate) fn set(&self, build_ms: u64, start_ms: u64) {
        self.build_ms.store(build_ms, Ordering::Relaxed);
        self.start_ms.store(start_ms, Ordering::Relaxed);
    }

    fn get(&self) -> (i64, i64) {
        let to_i64 = |a: &AtomicU64| i64::try_from(a.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
        (to_i64(&self.build_ms), to_i64(&self.start_ms))
    }
}

/// The runtime of a Space as read now.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceRuntimeView {
    /// `BUILDING`, `APP_STARTING`, `RUNNING`, `RUNTIME_ERROR` or `PAUSED`.
    pub stage: &'static str,
    /// Hardware running now (`None` while first building or paused).
    pub hardware_current: Option<String>,
    /// Hardware requested.
    pub hardware_requested: String,
    /// Persistent storage tier.
    pub storage: Option<String>,
    /// Sleep time in seconds (`-1`: never).
    pub sleep_time: Option<i64>,
    /// Why the Space failed, when it did.
    pub error_message: Option<String>,
}

/// A variable or secret of a Space.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceEnv {
    /// Environment variable name.
    pub key: String,
    /// Its value (empty for secrets read back: they are write-only).
    pub value: String,
    /// What it is for.
    pub description: Option<String>,
    /// Last change, milliseconds since the epoch.
    pub updated_ms: i64,
}

/// A change to a Space's runtime or environment.
#[derive(Debug, Clone)]
pub enum SpaceChange {
    /// Rebuild (restart, factory reboot), also out of a pause.
    Restart,
    /// A commit to the default branch: rebuild unless paused.
    Commit,
    /// Pause until restarted.
    Pause,
    /// New hardware (rebuilds), optionally with a sleep time.
    Hardware {
        /// Flavor, already validated.
        flavor: String,
        /// Sleep time in seconds.
        sleep_time: Option<i64>,
    },
    /// New sleep time.
    SleepTime(i64),
    /// Request (`Some`) or delete (`None`) persistent storage.
    Storage(Option<String>),
    /// Add or replace a variable (`secret: false`) or secret; rebuilds.
    SetEnv {
        /// Secret or variable.
        secret: bool,
        /// Key, value, description.
        env: SpaceEnv,
    },
    /// Delete a variable or secret (a missing key is no error); rebuilds.
    DeleteEnv {
        /// Secret or variable.
        secret: bool,
        /// Key.
        key: String,
    },
    /// The settings of a duplicated Space, before its first commit.
    Setup {
        /// Requested hardware.
        hardware: Option<String>,
        /// Storage tier.
        storage: Option<String>,
        /// Sleep time.
        sleep_time: Option<i64>,
        /// Variables and secrets (`true` = secret).
        env: Vec<(bool, SpaceEnv)>,
    },
}

/// The stored row.
#[derive(Debug, Clone)]
struct Row {
    paused: bool,
    since_ms: i64,
    error: Option<String>,
    hw_prev: Option<String>,
    hw_requested: String,
    storage: Option<String>,
    sleep_time: Option<i64>,
}

impl Row {
    fn view(&self, now: i64, (build, start): (i64, i64)) -> SpaceRuntimeView {
        let elapsed = now.saturating_sub(self.since_ms);
        let (stage, current) = if self.paused {
            ("PAUSED", None)
        } else if elapsed < build {
            ("BUILDING", self.hw_prev.clone())
        } else if elapsed < build.saturating_add(start) {
            ("APP_STARTING", self.hw_prev.clone())
        } else if self.error.is_some() {
            ("RUNTIME_ERROR", Some(self.hw_requested.clone()))
        } else {
            ("RUNNING", Some(self.hw_requested.clone()))
        };
        SpaceRuntimeView {
            stage,
            hardware_current: current,
            hardware_requested: self.hw_requested.clone(),
            storage: self.storage.clone(),
            sleep_time: self.sleep_time,
            error_message: if stage == "RUNTIME_ERROR" {
                self.error.clone()
            } else {
                None
            },
        }
    }
}

fn load(c: &Connection, pk: i64) -> Result<Option<Row>, StoreError> {
    Ok(c.query_row(
        "SELECT paused, since_ms, error, hw_prev, hw_requested, storage, sleep_time \
         FROM space_runtime WHERE repo_pk = ?1",
        params![pk],
        |r| {
            Ok(Row {
                paused: r.get::<_, i64>(0)? != 0,
                since_ms: r.get(1)?,
                error: r.get(2)?,
                hw_prev: r.get(3)?,
                hw_requested: r.get(4)?,
                storage: r.get(5)?,
                sleep_time: r.get(6)?,
            })
        },
    )
    .optional()?)
}

fn save(c: &Connection, pk: i64, row: &Row) -> Result<(), StoreError> {
    c.execute(
        "INSERT OR REPLACE INTO space_runtime \
         (repo_pk, paused, since_ms, error, hw_prev, hw_requested, storage, sleep_time) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            pk,
            i64::from(row.paused),
            row.since_ms,
            row.error,
            row.hw_prev,
            row.hw_requested,
            row.storage,
            row.sleep_time
        ],
    )?;
    Ok(())
}

fn default_sleep(hardware: &str) -> Option<i64> {
    (hardware == FREE_HARDWARE).then_some(FREE_SLEEP_TIME)
}

/// The row of `repo`, created from its creation options when missing.
fn ensure(tx: &Transaction<'_>, repo: &RepoRecord) -> Result<Row, StoreError> {
    if let Some(row) = load(tx, repo.pk)? {
        return Ok(row);
    }
    let extra = &repo.extra;
    let hardware = extra
        .get("hardware")
        .and_then(Value::as_str)
        .unwrap_or(FREE_HARDWARE)
        .to_owned();
    let row = Row {
        paused: false,
        since_ms: repo.created_ms,
        error: None,
        hw_prev: None,
        sleep_time: extra
            .get("sleepTimeSeconds")
            .and_then(Value::as_i64)
            .or_else(|| default_sleep(&hardware)),
        hw_requested: hardware,
        storage: extra
            .get("storageTier")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    save(tx, repo.pk, &row)?;
    // Secret values are not kept by repo creation: their keys are recorded with empty values.
    for (field, secret) in [("variables", false), ("secrets", true)] {
        for item in extra
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(key) = item.get("key").and_then(Value::as_str) else {
                continue;
            };
            let env = SpaceEnv {
                key: key.to_owned(),
                value: item
                    .get("value")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                description: item
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                updated_ms: repo.created_ms,
            };
            set_env(tx, repo.pk, secret, &env)?;
        }
    }
    Ok(row)
}

fn set_env(c: &Connection, pk: i64, secret: bool, env: &SpaceEnv) -> Result<(), StoreError> {
    let exists: Option<i64> = c
        .query_row(
            "SELECT 1 FROM space_env WHERE repo_pk = ?1 AND secret = ?2 AND key = ?3",
            params![pk, i64::from(secret), env.key],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        let count: i64 = c.query_row(
            "SELECT COUNT(*) FROM space_env WHERE repo_pk = ?1 AND secret = ?2",
            params![pk, i64::from(secret)],
            |r| r.get(0),
        )?;
        if count >= MAX_ENV_PER_SPACE {
            return Err(StoreError::BadRequest(format!(
                "a Space holds at most {MAX_ENV_PER_SPACE} {}",
                if secret { "secrets" } else { "variables" }
            )));
        }
    }
    c.execute(
        "INSERT OR REPLACE INTO space_env (repo_pk, secret, key, value, description, updated_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            pk,
            i64::from(secret),
            env.key,
            env.value,
            env.description,
            env.updated_ms
        ],
    )?;
    Ok(())
}

fn list_env(c: &Connection, pk: i64, secret: bool) -> Result<Vec<SpaceEnv>, StoreError> {
    let mut stmt = c.prepare(
        "SELECT key, value, description, updated_ms FROM space_env \
         WHERE repo_pk = ?1 AND secret = ?2 ORDER BY key",
    )?;
    let rows = stmt.query_map(params![pk, i64::from(secret)], |r| {
        Ok(SpaceEnv {
            key: r.get(0)?,
            value: r.get(1)?,
            description: r.get(2)?,
            updated_ms: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Why the Space at the head of `main` would fail: a README declaring an unknown SDK.
fn config_error(c: &Connection, paths: &Paths, pk: i64) -> Result<Option<String>, StoreError> {
    let Some(commit) = history::resolve(c, pk, "main")? else {
        return Ok(None);
    };
    let Some(entry) = super::trees::entry(c, &commit, "README.md")? else {
        return Ok(None);
    };
    if entry.lfs.is_some() || entry.size > 1 << 20 {
        return Ok(None);
    }
    let bytes = blobs::read_regular(paths, &entry.oid)?;
    let card = crate::api::card::front_matter(&String::from_utf8_lossy(&bytes));
    match card.as_ref().and_then(|c| c.get("sdk")) {
        Some(Value::String(sdk))
            if !matches!(sdk.as_str(), "gradio" | "streamlit" | "docker" | "static") =>
        {
            Ok(Some(format!("Unknown SDK {sdk:?} in README.md")))
        }
        _ => Ok(None),
    }
}

/// Starts a build now, from whatever runs now.
fn rebuild(
    c: &Connection,
    paths: &Paths,
    pk: i64,
    row: &mut Row,
    now: i64,
    delays: (i64, i64),
) -> Result<(), StoreError> {
    row.hw_prev = row.view(now, delays).hardware_current;
    row.paused = false;
    row.since_ms = now;
    row.error = config_error(c, paths, pk)?;
    Ok(())
}

fn apply(
    c: &mut Connection,
    paths: &Paths,
    repo: &RepoRecord,
    change: SpaceChange,
    delays: (i64, i64),
) -> Result<SpaceRuntimeView, StoreError> {
    let tx = c.transaction()?;
    let mut row = ensure(&tx, repo)?;
    let now = now_ms();
    let pk = repo.pk;
    match change {
        SpaceChange::Restart => rebuild(&tx, paths, pk, &mut row, now, delays)?,
        SpaceChange::Commit => {
            if !row.paused {
                rebuild(&tx, paths, pk, &mut row, now, delays)?;
            }
        }
        SpaceChange::Pause => {
            row.paused = true;
            row.since_ms = now;
        }
        SpaceChange::Hardware { flavor, sleep_time } => {
            rebuild(&tx, paths, pk, &mut row, now, delays)?;
            row.sleep_time = sleep_time.or_else(|| default_sleep(&flavor));
            row.hw_requested = flavor;
        }
        SpaceChange::SleepTime(seconds) => row.sleep_time = Some(seconds),
        SpaceChange::Storage(tier) => row.storage = tier,
        SpaceChange::SetEnv { secret, env } => {
            set_env(&tx, pk, secret, &env)?;
            if !row.paused {
                rebuild(&tx, paths, pk, &mut row, now, delays)?;
            }
        }
        SpaceChange::DeleteEnv { secret, key } => {
            tx.execute(
                "DELETE FROM space_env WHERE repo_pk = ?1 AND secret = ?2 AND key = ?3",
                params![pk, i64::from(secret), key],
            )?;
            if !row.paused {
                rebuild(&tx, paths, pk, &mut row, now, delays)?;
            }
        }
        SpaceChange::Setup {
            hardware,
            storage,
            sleep_time,
            env,
        } => {
            if let Some(hardware) = hardware {
                row.sleep_time = default_sleep(&hardware);
                row.hw_requested = hardware;
            }
            if storage.is_some() {
                row.storage = storage;
            }
            if sleep_time.is_some() {
                row.sleep_time = sleep_time;
            }
            for (secret, env) in &env {
                set_env(&tx, pk, *secret, env)?;
            }
        }
    }
    save(&tx, pk, &row)?;
    tx.commit()?;
    Ok(row.view(now, delays))
}

impl Store {
    /// The simulated stage delays of this store's Spaces.
    pub(crate) fn space_delays(&self) -> &SpaceDelays {
        &self.inner.space_delays
    }

    /// The runtime of a Space, now.
    pub async fn space_runtime(&self, repo: &RepoRecord) -> Result<SpaceRuntimeView, StoreError> {
        let repo = repo.clone();
        let delays = self.space_delays().get();
        self.run(move |c, _| {
            let tx = c.transaction()?;
            let row = ensure(&tx, &repo)?;
            tx.commit()?;
            Ok(row.view(now_ms(), delays))
        })
        .await
    }

    /// Applies a change to a Space; returns its runtime after it.
    pub async fn space_change(
        &self,
        repo: &RepoRecord,
        change: SpaceChange,
    ) -> Result<SpaceRuntimeView, StoreError> {
        let repo = repo.clone();
        let delays = self.space_delays().get();
        self.run(move |c, p| apply(c, p, &repo, change, delays))
            .await
    }

    /// The variables (`secret: false`) or secrets of a Space, by key. Secrets come with their
    /// values: the HTTP layer never sends them.
    pub async fn space_env(
        &self,
        repo: &RepoRecord,
        secret: bool,
    ) -> Result<Vec<SpaceEnv>, StoreError> {
        let repo = repo.clone();
        self.run(move |c, _| {
            let tx = c.transaction()?;
            ensure(&tx, &repo)?;
            let env = list_env(&tx, repo.pk, secret)?;
            tx.commit()?;
            Ok(env)
        })
        .await
    }
}
