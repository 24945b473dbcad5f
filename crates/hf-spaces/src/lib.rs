//! Hugging Face Spaces management, as request builders over [`hf_http`] (protocol §7): what
//! the Python client's `HfApi` offers for Spaces, plus a [`wait`] helper.
//!
//! - [`runtime`] — `get_space_runtime`, `request_space_hardware`, `set_space_sleep_time`,
//!   `pause_space`, `restart_space`, `request_space_storage`, `delete_space_storage`.
//! - [`env`](mod@env) — `add_space_secret`, `delete_space_secret`, `get_space_secrets`,
//!   `get_space_variables`, `add_space_variable`, `delete_space_variable`.
//! - [`duplicate`] — `duplicate_space`.
//! - [`wait`] — polls the runtime until a stage (e.g. `RUNNING`) or an error stage.
//!
//! Every operation is one owned request builder: the required arguments are the
//! constructor's, the optional ones chained setters, and `.await` sends it. The repo type is
//! always Space. Errors are the shared [`hf_http::Error`].
//!
//! ```no_run
//! use hf_http::HubClient;
//! use hf_spaces::runtime::{GetSpaceRuntime, RequestSpaceHardware};
//! use hf_spaces::wait::WaitForSpace;
//! use hf_types::{SpaceHardware, SpaceStage};
//!
//! # async fn demo() -> Result<(), hf_spaces::Error> {
//! let client = HubClient::from_env()?;
//! let space: hf_types::RepoId = "alice/demo".parse()?;
//! RequestSpaceHardware::new(client.clone(), space.clone(), SpaceHardware::T4Small).await?;
//! let runtime = WaitForSpace::new(client.clone(), space.clone()).await?;
//! assert_eq!(runtime.stage(), &SpaceStage::Running);
//! let now = GetSpaceRuntime::new(client, space).await?;
//! println!("{:?}", now.hardware());
//! # Ok(())
//! # }
//! ```

pub use hf_http::{Error, ErrorContext, ErrorKind};
pub use hf_repo::repos::SpaceKeyValue;
pub use hf_types::{
    SpaceHardware, SpaceRuntime, SpaceSecret, SpaceStage, SpaceStorage, SpaceVariable,
};

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub mod duplicate;
pub mod env;
pub mod runtime;
pub mod wait;

use hf_http::{HubClient, RepoTarget};
use hf_types::{RepoId, RepoType};

/// The target of every builder here: `repo_id`, a Space.
fn space_target(client: HubClient, repo_id: RepoId) -> RepoTarget {
    RepoTarget::new(client, repo_id).with_type(RepoType::Space)
}

/// Free hardware: the Hub fixes its sleep time (48 h), so setting one only warns.
fn warn_free_sleep_time(hardware: Option<&str>) {
    if hardware == Some(SpaceHardware::CpuBasic.as_str()) {
        tracing::warn!(
            "a Space on the free 'cpu-basic' hardware sleeps after 48 hours of inactivity; \
             its sleep time is not configurable (upgrade the hardware to set one)"
        );
    }
}
