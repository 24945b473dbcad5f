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

    /// The wait before retry `attempt` (0-based): `retry_after` (the server's `Retry-After`)
    /// capped by [`max_retry_after`](Self::max_retry_after) when there is one, otherwise a
    /// jittered duration in `[0, backoff_bound(attempt)]`. Says nothing about whether the retry
    /// may happen: [`Retries::next_delay`] decides that.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(wait) => wait.min(self.max_retry_after),
            None => self
                .backoff_bound(attempt)
                .mul_f64((self.jitter)().clamp(0.0, 1.0)),
        }
    }

    /// Waits `duration` through the policy's [`Sleeper`] (an injected one in tests).
    pub fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.sleeper.sleep(duration)
    }

    /// The retries of one operation that retries by itself (a download that resumes, a
    /// creation that is tried again), under this policy: its limits, jitter, sleeper and
    /// shared budget, as for a request the retry layer replays. Counts as one request in the
    /// budget.
    pub fn retries(&self) -> Retries {
        if let Some(budget) = &self.budget {
            budget.deposit();
        }
        Retries {
            started: (self.clock)(),
            policy: self.clone(),
            attempt: 0,
        }
    }

    /// `Retry-After` of a response, relative to the policy's clock.
    fn retry_after(&self, response: Option<&HubResponse>) -> Option<Duration> {
        response
            .and_then(|r| r.headers().get(http::header::RETRY_AFTER))
            .and_then(|v| parse_retry_after(v, (self.clock)()))
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
            let mut retries = policy.retries();
            let (parts, body) = request.into_parts();
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
                if !policy.should_retry(idempotent, &result) {
                    return result;
                }
                let attempt = retries.attempt();
                let retry_after = policy.retry_after(result.as_ref().ok());
                let Some(delay) = retries.next_delay(retry_after) else {
                    return result;
                };
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
                policy.sleep(delay).await;
            }
        })
    }
}

/// The retries of one operation under a [`RetryPolicy`] (from [`RetryPolicy::retries`]): how
/// many were made, since when, and whether another may be.
///
/// The retry layer replays requests with one; operations that retry by themselves (a
/// download resuming after a broken connection) use one too, so every retry of the client
/// follows the same limits, jitter, sleeper and budget.
///
/// ```
/// # async fn demo(client: hf_http::HubClient) {
/// let mut retries = client.retry_policy().retries();
/// loop {
///     let failed = true; // one try of the operation
///     if !failed || retries.wait(None).await.is_none() {
///         break;
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Retries {
    policy: RetryPolicy,
    attempt: u32,
    started: SystemTime,
}

impl Retries {
    /// Retries granted so far (since the start or the last [`reset`](Self::reset)).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The wait before the next retry, or `None` when none may happen: after `max_retries`,
    /// when the wait would end past `max_total_time` since the start, or when the shared
    /// budget is spent. `retry_after` is the server's `Retry-After`, if any. A granted retry
    /// is counted (and withdrawn from the budget); nothing is slept.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Option<Duration> {
        let policy = &self.policy;
        if self.attempt >= policy.max_retries {
            return None;
        }
        let delay = policy.delay(self.attempt, retry_after);
        let elapsed = (policy.clock)()
            .duration_since(self.started)
            .unwrap_or_default();
        if elapsed.saturating_add(delay) > policy.max_total {
            return None;
        }
        if let Some(budget) = &policy.budget
            && !budget.withdraw()
        {
            tracing::debug!("retry budget exhausted");
            return None;
        }
        self.attempt += 1;
        Some(delay)
    }

    /// [`next_delay`](Self::next_delay), then sleeps it through the policy's [`Sleeper`].
    /// Resolves to the wait, or to `None` at once when no retry may happen.
    pub async fn wait(&mut self, retry_after: Option<Duration>) -> Option<Duration> {
        let delay = self.next_delay(retry_after)?;
        self.policy.sleep(delay).await;
        Some(delay)
    }

    /// Starts counting again (retries and total time), e.g. when a resumed transfer made
    /// progress since the last failure: only failures in a row are limited.
    pub fn reset(&mut self) {
        self.attempt = 0;
        self.started = (self.policy.clock)();
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
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn retries_stop_at_the_limits_and_restart_after_reset() {
        let policy = RetryPolicy::default()
            .jitter(|| 1.0)
            .budget(None)
            .max_retries(3);
        let mut retries = policy.retries();
        let delays: Vec<_> = std::iter::from_fn(|| retries.next_delay(None)).collect();
        assert_eq!(
            delays,
            [1, 2, 4].map(Duration::from_secs).to_vec(),
            "doubling, then stop after max_retries"
        );
        retries.reset();
        assert_eq!(retries.next_delay(None), Some(Duration::from_secs(1)));

        let policy = RetryPolicy::default()
            .jitter(|| 1.0)
            .budget(None)
            .max_total_time(Duration::from_secs(2));
        let mut retries = policy.retries();
        assert_eq!(retries.next_delay(None), Some(Duration::from_secs(1)));
        assert_eq!(retries.next_delay(None), None, "1 + 2 s would pass 2 s");

        let budget = TpsBudget::new(Duration::from_secs(10), 1, 0.0);
        let policy = RetryPolicy::default()
            .jitter(|| 0.0)
            .max_retries(100)
            .budget(Some(budget));
        let mut retries = policy.retries();
        let granted = std::iter::from_fn(|| retries.next_delay(None)).count();
        assert_eq!(granted, 10, "min_per_sec = 1 over 10 s: 10 retries");
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
