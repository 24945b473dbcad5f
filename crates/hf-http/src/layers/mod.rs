//! The public tower layers the client stack is made of. Each can be used on its own stack.

mod auth;
mod offline;
mod redirect;
mod retry;
mod timeout;
mod trace;
mod user_agent;

pub use auth::{AuthLayer, AuthService, same_origin};
pub use offline::{OfflineLayer, OfflineService};
pub use redirect::{RedirectLayer, RedirectService};
pub use retry::{Retries, RetryLayer, RetryPolicy, RetryService, Sleeper, TokioSleeper};
pub use timeout::{IdleTimeoutBody, TimeoutLayer, TimeoutService};
pub use trace::{TraceLayer, TraceService};
pub use user_agent::{UserAgent, UserAgentLayer, UserAgentService};
