//! Space runtime, hardware, variables and secrets (protocol §7).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use super::open_enum::open_enum;

open_enum! {
    /// Stage of a Space's runtime. Unknown stages are kept as [`SpaceStage::Other`].
    pub enum SpaceStage {
        /// No application file yet.
        NoAppFile => "NO_APP_FILE",
        /// The Space's configuration is invalid.
        ConfigError => "CONFIG_ERROR",
        /// Building the image.
        Building => "BUILDING",
        /// The build failed.
        BuildError => "BUILD_ERROR",
        /// The application is starting.
        AppStarting => "APP_STARTING",
        /// Running.
        Running => "RUNNING",
        /// Running while a new version builds.
        RunningBuilding => "RUNNING_BUILDING",
        /// Running while a new version starts.
        RunningAppStarting => "RUNNING_APP_STARTING",
        /// The application crashed.
        RuntimeError => "RUNTIME_ERROR",
        /// Being deleted.
        Deleting => "DELETING",
        /// Stopped.
        Stopped => "STOPPED",
        /// Paused by its owner.
        Paused => "PAUSED",
        /// Asleep after inactivity.
        Sleeping => "SLEEPING",
    }
}

impl SpaceStage {
    /// A stage the Space leaves by itself (building, starting): what a wait polls through.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            SpaceStage::Building
                | SpaceStage::AppStarting
                | SpaceStage::RunningBuilding
                | SpaceStage::RunningAppStarting
        )
    }

    /// A stage that means the Space failed and will not run without a change.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            SpaceStage::NoAppFile
                | SpaceStage::ConfigError
                | SpaceStage::BuildError
                | SpaceStage::RuntimeError
        )
    }
}

open_enum! {
    /// Hardware flavor of a Space (protocol §7.3). Unknown flavors are kept as
    /// [`SpaceHardware::Other`].
    pub enum SpaceHardware {
        /// Free CPU.
        CpuBasic => "cpu-basic",
        /// Upgraded CPU.
        CpuUpgrade => "cpu-upgrade",
        /// CPU, performance tier.
        CpuPerformance => "cpu-performance",
        /// Large CPU.
        CpuXl => "cpu-xl",
        /// ZeroGPU (A10G).
        ZeroA10g => "zero-a10g",
        /// Nvidia T4, small.
        T4Small => "t4-small",
        /// Nvidia T4, medium.
        T4Medium => "t4-medium",
        /// One Nvidia L4.
        L4x1 => "l4x1",
        /// Four Nvidia L4.
        L4x4 => "l4x4",
        /// One Nvidia L40S.
        L40sx1 => "l40sx1",
        /// Four Nvidia L40S.
        L40sx4 => "l40sx4",
        /// Eight Nvidia L40S.
        L40sx8 => "l40sx8",
        /// Nvidia A10G, small.
        A10gSmall => "a10g-small",
        /// Nvidia A10G, large.
        A10gLarge => "a10g-large",
        /// Two Nvidia A10G.
        A10gLargex2 => "a10g-largex2",
        /// Four Nvidia A10G.
        A10gLargex4 => "a10g-largex4",
        /// Nvidia A100.
        A100Large => "a100-large",
        /// Nvidia H100.
        H100 => "h100",
        /// Eight Nvidia H100.
        H100x8 => "h100x8",
    }
}

/// A public environment variable of a Space, as `get_space_variables` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceVariable {
    /// The variable's name (the key of the Hub's map; filled in by the client).
    #[serde(default)]
    pub key: String,
    /// Its value.
    pub value: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Last change.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<OffsetDateTime>,
}

/// A secret of a Space: its key and metadata only, secret values are write-only.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceSecret {
    /// The secret's name (the key of the Hub's map; filled in by the client).
    #[serde(default)]
    pub key: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Last change.
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<OffsetDateTime>,
}

open_enum! {
    /// Persistent storage tier of a Space.
    pub enum SpaceStorage {
        /// Small tier.
        Small => "small",
        /// Medium tier.
        Medium => "medium",
        /// Large tier.
        Large => "large",
    }
}

/// The runtime state of a Space, as returned by the runtime, hardware, sleep time,
/// pause, restart and storage endpoints and embedded as `runtime` in Space info.
///
/// The typed fields are read from the object; the whole object is kept as
/// [`SpaceRuntime::raw`] (replicas, domains, dev mode, ...) and is what
/// serialisation writes back, so nothing the server sent is lost.
///
/// ```
/// use hf_types::{SpaceRuntime, SpaceStage};
///
/// let runtime: SpaceRuntime = serde_json::from_str(
///     r#"{"stage": "RUNNING", "hardware": {"current": "cpu-basic", "requested": "cpu-basic"}, "gcTimeout": 172800}"#,
/// )?;
/// assert_eq!(runtime.stage(), &SpaceStage::Running);
/// assert_eq!(runtime.hardware(), Some("cpu-basic"));
/// assert_eq!(runtime.sleep_time(), Some(172800));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceRuntime {
    stage: SpaceStage,
    hardware: Option<String>,
    requested_hardware: Option<String>,
    sleep_time: Option<i64>,
    storage: Option<SpaceStorage>,
    error_message: Option<String>,
    raw: Value,
}

/// The typed part of the runtime object.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Typed {
    stage: SpaceStage,
    #[serde(default)]
    hardware: Option<Hardware>,
    #[serde(default)]
    gc_timeout: Option<i64>,
    #[serde(default)]
    storage: Option<SpaceStorage>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
struct Hardware {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    requested: Option<String>,
}

impl SpaceRuntime {
    /// Reads a runtime object; fails only without a string `stage`.
    pub fn from_value(raw: Value) -> Result<Self, serde_json::Error> {
        let typed = Typed::deserialize(&raw)?;
        let (hardware, requested_hardware) = typed
            .hardware
            .map_or((None, None), |h| (h.current, h.requested));
        Ok(SpaceRuntime {
            stage: typed.stage,
            hardware,
            requested_hardware,
            sleep_time: typed.gc_timeout,
            storage: typed.storage,
            error_message: typed.error_message,
            raw,
        })
    }

    /// Current stage.
    pub fn stage(&self) -> &SpaceStage {
        &self.stage
    }

    /// Current hardware flavor (`hardware.current`), e.g. `cpu-basic`; `None` while
    /// first building.
    pub fn hardware(&self) -> Option<&str> {
        self.hardware.as_deref()
    }

    /// Requested hardware flavor (`hardware.requested`).
    pub fn requested_hardware(&self) -> Option<&str> {
        self.requested_hardware.as_deref()
    }

    /// Current hardware as a [`SpaceHardware`].
    pub fn hardware_flavor(&self) -> Option<SpaceHardware> {
        self.hardware.as_deref().map(SpaceHardware::from)
    }

    /// Requested hardware as a [`SpaceHardware`].
    pub fn requested_hardware_flavor(&self) -> Option<SpaceHardware> {
        self.requested_hardware.as_deref().map(SpaceHardware::from)
    }

    /// Seconds of inactivity before the Space sleeps (`gcTimeout`); `None` when not set.
    pub fn sleep_time(&self) -> Option<i64> {
        self.sleep_time
    }

    /// Persistent storage tier, if any.
    pub fn storage(&self) -> Option<&SpaceStorage> {
        self.storage.as_ref()
    }

    /// Build or runtime error message, if any.
    pub fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }

    /// The whole object as the server sent it.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl Serialize for SpaceRuntime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SpaceRuntime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(deserializer)?;
        SpaceRuntime::from_value(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_example() {
        let json = r#"{"stage": "BUILDING", "hardware": {"current": null, "requested": "cpu-basic"}, "storage": null, "gcTimeout": 172800,
             "replicas": {"requested": 1}, "devMode": false, "domains": [{"domain": "user-tmp-test-space.hf.space", "stage": "READY"}]}"#;
        let runtime: SpaceRuntime = serde_json::from_str(json).unwrap();
        assert_eq!(runtime.stage(), &SpaceStage::Building);
        assert_eq!(runtime.hardware(), None);
        assert_eq!(runtime.requested_hardware(), Some("cpu-basic"));
        assert_eq!(runtime.storage(), None);
        assert_eq!(runtime.sleep_time(), Some(172_800));
        assert_eq!(runtime.error_message(), None);
        assert_eq!(runtime.raw()["domains"][0]["stage"], "READY");
        let back = serde_json::to_value(&runtime).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(json).unwrap());
    }

    #[test]
    fn unknown_stage_and_minimal_object() {
        let runtime: SpaceRuntime = serde_json::from_str(
            r#"{"stage": "HIBERNATING", "storage": "large", "errorMessage": "boom"}"#,
        )
        .unwrap();
        assert_eq!(runtime.stage(), &SpaceStage::Other("HIBERNATING".into()));
        assert_eq!(runtime.stage().as_str(), "HIBERNATING");
        assert_eq!(runtime.storage(), Some(&SpaceStorage::Large));
        assert_eq!(runtime.error_message(), Some("boom"));
        assert_eq!(runtime.hardware(), None);
    }

    #[test]
    fn hardware_and_stage_helpers() {
        let runtime: SpaceRuntime = serde_json::from_str(
            r#"{"stage": "APP_STARTING", "hardware": {"current": "cpu-basic", "requested": "gpu-9000"}}"#,
        )
        .unwrap();
        assert_eq!(runtime.hardware_flavor(), Some(SpaceHardware::CpuBasic));
        assert_eq!(
            runtime.requested_hardware_flavor(),
            Some(SpaceHardware::Other("gpu-9000".into()))
        );
        assert!(runtime.stage().is_transitional());
        assert!(SpaceStage::RuntimeError.is_error() && !SpaceStage::Running.is_error());
        assert!(!SpaceStage::Paused.is_transitional());
    }

    #[test]
    fn variable_and_secret() {
        let v: SpaceVariable = serde_json::from_str(
            r#"{"value": "456", "description": "d", "updatedAt": "2025-03-07T12:24:19.875Z", "new": 1}"#,
        )
        .unwrap();
        assert_eq!(v.value, "456");
        assert_eq!(v.description.as_deref(), Some("d"));
        assert!(v.updated_at.is_some());
        let s: SpaceSecret = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(s.description, None);
    }

    #[test]
    fn stage_is_required() {
        let err = serde_json::from_str::<SpaceRuntime>(r#"{"hardware": {}}"#).unwrap_err();
        assert!(err.to_string().contains("stage"), "{err}");
    }
}
