//! Running an operation in the background: the Rust equivalent of the Python client's
//! `run_as_future=True` / `HfApi.run_as_future`.
//!
//! Python hands a call to a one-thread executor and returns a `concurrent.futures.Future`. In
//! Rust every operation is already a future: [`BackgroundTask::spawn`] runs any request builder
//! (anything `IntoFuture` with a `Result` output) as a tokio task at once, and the returned
//! handle is awaited for the result, polled with [`is_finished`](BackgroundTask::is_finished),
//! or stopped with [`cancel`](BackgroundTask::cancel). Unlike Python, tasks run concurrently
//! (use one task after another for Python's one-at-a-time order); dropping the handle leaves
//! the task running (it is detached, as a Python future nobody waits for).
//!
//! ```no_run
//! # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
//! use hf_repo::background::BackgroundTask;
//! use hf_repo::commit::UploadFolder;
//!
//! let upload = BackgroundTask::spawn(UploadFolder::new(client, "alice/tiny".parse()?, "out/"));
//! // ... train meanwhile ...
//! let commit = upload.await?;
//! println!("{}", commit.commit_url);
//! # Ok(()) }
//! ```

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::task::JoinHandle;

use crate::{Error, Result};

/// An operation running in the background: `.await` gives its result (a cancelled task
/// resolves to an error of kind `Task`).
#[derive(Debug)]
#[must_use = "dropping the handle detaches the task; await it to get the result"]
pub struct BackgroundTask<T> {
    handle: JoinHandle<Result<T>>,
}

impl<T: Send + 'static> BackgroundTask<T> {
    /// Starts `operation` on the current tokio runtime now. Must be called inside a runtime.
    pub fn spawn<F, E>(operation: F) -> BackgroundTask<T>
    where
        F: IntoFuture<Output = std::result::Result<T, E>>,
        F::IntoFuture: Send + 'static,
        Error: From<E>,
    {
        let future = operation.into_future();
        BackgroundTask {
            handle: tokio::spawn(async move { Ok(future.await?) }),
        }
    }

    /// Whether the operation has ended (the result is then ready).
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Stops the operation at its next await point (a commit already sent is not undone).
    pub fn cancel(&self) {
        self.handle.abort();
    }
}

impl<T> Future for BackgroundTask<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.handle)
            .poll(cx)
            .map(|joined| match joined {
                Ok(result) => result,
                Err(e) if e.is_cancelled() => Err(Error::task("the background task was cancelled")),
                Err(e) => Err(Error::task(e)),
            })
    }
}
