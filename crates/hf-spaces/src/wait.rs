//! Waiting for a Space to reach a stage (beyond the Python client 0.36): polls the runtime
//! until the awaited stage, and fails with [`Error::SpaceNotReady`] naming the last stage when
//! the Space settles elsewhere (an error stage, a pause) or the time runs out.

use std::time::Duration;

use hf_http::{HubClient, RepoTarget};
use hf_types::{RepoId, SpaceRuntime, SpaceStage};

use crate::runtime::GetSpaceRuntime;
use crate::{Error, Result, space_target};

/// Polls the runtime of a Space until it reaches a stage (default `RUNNING`). Resolves to the
/// runtime in that stage.
///
/// Stages the Space leaves by itself (building, starting) are polled through; any other stage
/// than the awaited one (`RUNTIME_ERROR`, `BUILD_ERROR`, `PAUSED`, ...) ends the wait with
/// [`Error::SpaceNotReady`], as does the timeout (default 10 minutes).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use std::time::Duration;
/// use hf_spaces::wait::WaitForSpace;
/// let runtime = WaitForSpace::new(client, "alice/demo".parse()?)
///     .timeout(Duration::from_secs(300))
///     .poll_interval(Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct WaitForSpace {
    target: RepoTarget,
    until: SpaceStage,
    timeout: Duration,
    poll_interval: Duration,
}

impl WaitForSpace {
    /// Waits for the Space `repo_id` to be `RUNNING`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        WaitForSpace {
            target: space_target(client, repo_id),
            until: SpaceStage::Running,
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(2),
        }
    }

    /// The stage to wait for.
    pub fn until(mut self, stage: SpaceStage) -> Self {
        self.until = stage;
        self
    }

    /// How long to wait at most.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long to wait between two reads of the runtime.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    async fn send(self) -> Result<SpaceRuntime> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let runtime =
                GetSpaceRuntime::new(self.target.client().clone(), self.target.repo_id().clone())
                    .await?;
            let stage = runtime.stage();
            if *stage == self.until {
                return Ok(runtime);
            }
            let timed_out = tokio::time::Instant::now() >= deadline;
            if !stage.is_transitional() || timed_out {
                return Err(Error::SpaceNotReady {
                    space: self.target.repo_id().to_string(),
                    stage: stage.to_string(),
                    timed_out: stage.is_transitional(),
                });
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(self.poll_interval.min(left)).await;
        }
    }
}
hf_http::impl_into_future!(WaitForSpace => SpaceRuntime, send);
