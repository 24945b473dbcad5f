//! Retries as a policy: which failures, how long to wait, and when to give up.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use http::StatusCode;
use tower::retry::budget::{Budget, TpsBudget};
use tower::{Layer, Service, ServiceExt};

use crate::error::parse_retry_after;
use crate::{Error, HubRequest, HubResponse, RequestOptions, TransportKind};

/// Waits between attempts. Inject a recording or zero sleeper in tests.
pub trait Sleeper: Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Sleeps with `tokio::time::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// When and how long to retry.
///
/// Retried: connection failures before anything was sent (any method), and, for idempotent
/// requests only (GET, HEAD, PUT, DELETE, OPTIONS, TRACE or [`RequestOptions::idempotent`]),
/// interrupted connections, timeouts and the statuses 408, 429, 500, 502, 503, 504. Never
/// retried: TLS and proxy failures, requests whose body cannot be replayed
/// ([`Body::from_stream`](crate::Body::from_stream)), and requests with [`RequestOptions::no_retry`].
///
/// The wait before retry `n` (0-based) is `Retry-After` when the response has one (seconds or an
/// HTTP date, capped by [`RetryPolicy::max_retry_after`]), otherwise "full jitter": a uniformly
/// random duration in `[0, min(cap, base * 2^n)]`. Retrying stops after `max_retries`, when the
/// next wait would pass `max_total_time` since the first attempt, or when the shared budget
/// (a [`TpsBudget`]: retries may add at most 20% to the request rate, plus 10 per second) is spent.
#[derive(Clone)]
pub struct RetryPolicy {
    max_retries: u32,
    base: Duration,
    cap: Duration,
    max_total: Duration,
    max_retry_after: Duration,
    statuses: Vec<StatusCode>,
    budget: Option<Arc<TpsBudget>>,
    sleeper: Arc<dyn Sleeper>,
    jitter: Jitter,
    clock: Clock,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("base", &self.base)
            .field("cap", &self.cap)
            .field("max_total", &self.max_total)
            .field("max_retry_after", &self.max_retry_after)
            .field("statuses", &self.statuses)
            .field("budget", &self.budget.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for RetryPolicy {
    /// 5 retries, 1 s base doubling to an 8 s cap (the Python client's numbers), at most 5 minutes
    /// in all, `Retry-After` up to 60 s, with a shared budget.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(8),
            max_total: Duration::from_secs(300),
            max_retry_after: Duration::from_secs(60),
            statuses: [408, 429, 500, 502, 503, 504]
                .into_iter()
                .filter_map(|s| StatusCode::from_u16(s).ok())
                .collect(),
            budget: Some(Arc::new(TpsBudget::new(Duration::from_secs(10), 10, 0.2))),
            sleeper: Arc::new(TokioSleeper),
            jitter: Arc::new(fastrand::f64),
            clock: Arc::new(SystemTime::now),
        }
    }
}

impl RetryPolicy {
    /// The defaults (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry.
    pub fn disabled() -> Self {
        Self::default().max_retries(0)
    }

    /// Retries after the first attempt (0 disables retrying).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// First backoff bound and its cap.
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.base = base;
        self.cap = cap;
        self
    }

    /// No retry starts later than this after the first attempt.
    pub fn max_total_time(mut self, total: Duration) -> Self {
        self.max_total = total;
        self
    }

    /// Longest `Retry-After` honoured; longer ones are cut to it.
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The statuses retried for idempotent requests.
    pub fn retry_statuses(mut self, statuses: impl IntoIterator<Item = StatusCode>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// The shared retry budget (`None`: unlimited). Clones of a policy share one budget.
    pub fn budget(mut self, budget: Option<TpsBudget>) -> Self {
        self.budget = budget.map(Arc::new);
        self
    }

    /// How to wait (default: tokio's timer).
    pub fn sleeper(mut self, sleeper: impl Sleeper) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// The random source of the jitter, returning values in `[0, 1]` (default: `fastrand::f64`).
    pub fn jitter(mut self, jitter: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The clock used for HTTP-date `Retry-After` and the total-time limit.
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Whether any retry can happen.
    pub fn is_enabled(&self) -> bool {
        self.max_retries > 0
    }

    /// The upper bound of the jittered wait before retry `attempt` (0-based).
    pub fn backoff_bound(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(31));
        self.base.saturating_mul(factor).min(self.cap)
    }

    fn delay(&self, attempt: u32, response: Option<&HubResponse>) -> Duration {
        let retry_after = response
            .and_then(|r| r.headers().get(http::header::RETRY_AFTER))
            .and_then(|v| parse_retry_after(v, (self.clock)()));
        match retry_after {
            Some(wait) => wait.min(self.max_retry_after),
            None => self
                .backoff_bound(attempt)
                .mul_f64((self.jitter)().clamp(0.0, 1.0)),
        }
    }

    fn should_retry(&self, idempotent: bool, result: &Result<HubResponse, Error>) -> bool {
        match result {
            Ok(response) => idempotent && self.statuses.contains(&response.status()),
            Err(Error::Transport {
                kind: TransportKind::Connect,
                ..
            }) => true,
            Err(Error::Transport {
                kind: TransportKind::Connection | TransportKind::Other,
                ..
            }) => idempotent,
            Err(Error::Timeout { .. }) => idempotent,
            Err(_) => false,
        }
    }
}

/// Applies a [`RetryPolicy`] to each request.
#[derive(Clone, Debug, Default)]
pub struct RetryLayer {
    policy: RetryPolicy,
}

impl RetryLayer {
    /// The layer.
    pub fn new(policy: RetryPolicy) -> Self {
        RetryLayer { policy }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = RetryService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RetryService {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service of [`RetryLayer`].
#[derive(Clone, Debug)]
pub struct RetryService<S> {
    inner: S,
    policy: RetryPolicy,
}

impl<S> Service<HubRequest> for RetryService<S>
where
    S: Service<HubRequest, Response = HubResponse, Error = Error> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = HubResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HubResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // Readiness is awaited on a clone inside the future, once per attempt.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HubRequest) -> Self::Future {
        let inner = self.inner.clone();
        let policy = self.policy.clone();
        Box::pin(async move {
            let options = RequestOptions::of(&request);
            let idempotent = options.is_idempotent(request.method());
            if options.no_retry || !policy.is_enabled() || !request.body().is_replayable() {
                return inner.oneshot(request).await;
            }
            if let Some(budget) = &policy.budget {
                budget.deposit();
            }
            let started = (policy.clock)();
            let (parts, body) = request.into_parts();
            let mut attempt: u32 = 0;
            loop {
                let Some(attempt_body) = body.try_clone() else {
                    return Err(Error::Config(
                        "request body became non-replayable".to_owned(),
                    ));
                };
                let result = inner
                    .clone()
                    .oneshot(HubRequest::from_parts(parts.clone(), attempt_body))
                    .await;
                if attempt >= policy.max_retries || !policy.should_retry(idempotent, &result) {
                    return result;
                }
                let delay = policy.delay(attempt, result.as_ref().ok());
                let elapsed = (policy.clock)().duration_since(started).unwrap_or_default();
                if elapsed.saturating_add(delay) > policy.max_total {
                    return result;
                }
                if let Some(budget) = &policy.budget
                    && !budget.withdraw()
                {
                    tracing::debug!("retry budget exhausted");
                    return result;
                }
                match &result {
                    Ok(response) => tracing::debug!(
                        status = response.status().as_u16(),
                        ?delay,
                        attempt,
                        "retrying"
                    ),
                    Err(error) => tracing::debug!(%error, ?delay, attempt, "retrying"),
                }
                drop(result);
                policy.sleeper.sleep(delay).await;
                attempt += 1;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_bounds_double_then_cap() {
        let policy = RetryPolicy::default();
        let bounds: Vec<u64> = (0..6).map(|n| policy.backoff_bound(n).as_secs()).collect();
        assert_eq!(bounds, [1, 2, 4, 8, 8, 8]);
        assert_eq!(policy.backoff_bound(100), Duration::from_secs(8));
    }

    #[test]
    fn jitter_scales_within_bound() {
        let policy = RetryPolicy::default().jitter(|| 0.5);
        assert_eq!(policy.delay(2, None), Duration::from_secs(2));
        let policy = RetryPolicy::default().jitter(|| 7.0);
        assert_eq!(policy.delay(0, None), Duration::from_secs(1));
    }

    #[test]
    fn classification() {
        let policy = RetryPolicy::default();
        let status = |s: u16| {
            Ok(http::Response::builder()
                .status(s)
                .body(crate::ResponseBody::empty())
                .unwrap())
        };
        assert!(policy.should_retry(true, &status(503)));
        assert!(policy.should_retry(true, &status(429)));
        assert!(!policy.should_retry(false, &status(503)));
        assert!(!policy.should_retry(true, &status(404)));
        let transport = |kind| {
            Err(Error::Transport {
                kind,
                url: String::new(),
                source: "x".into(),
            })
        };
        assert!(policy.should_retry(false, &transport(TransportKind::Connect)));
        assert!(!policy.should_retry(false, &transport(TransportKind::Connection)));
        assert!(!policy.should_retry(true, &transport(TransportKind::Tls)));
    }
}
