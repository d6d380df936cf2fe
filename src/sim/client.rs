//! How the caller behaves: the AWS SDKs' retry modes (`standard`, `adaptive`), the round trip of a
//! call, and the retry quota. The simulator asks this module, after each attempt of a step, whether
//! and when the caller tries again; the service side (quotas, errors) never looks here.
//!
//! What it models (AWS SDKs and Tools reference guide, "Retry behavior"; MODEL CHOICE where the
//! SDKs differ or the guide is silent):
//! - **Retryable errors**: throttling (`LimitExceededException`, `TooManyRequestsException`,
//!   `ThrottlingException`) and transient service errors (`InternalException`,
//!   `ServiceException`). Like the SDKs, the client cannot tell a rate limit from a resource limit
//!   that shares the exception name (QUOTA-5's 21st policy): it retries both.
//! - **Backoff**: full jitter, `random[0, 1) × min(base × 2^(retry − 1), max_backoff)`, base 1 s
//!   and cap 20 s by default, the jitter drawn from the run's `Retries` stream.
//! - **Attempts**: 3 by default (first attempt included).
//! - **Retry quota** (`standard` and `adaptive`): 500 tokens; a retry costs 5; a success after
//!   retries gives back one retry's cost (5), a success at the first attempt 1 token. A client
//!   whose quota is spent stops retrying until successes refill it.
//! - **Adaptive** adds a client-side token bucket that limits every attempt, first ones included.
//!   It is off until the first throttle; then its rate follows CUBIC: cut to 70 % of the measured
//!   send rate on each throttle, regrown along `0.4 × (t − K)³ + W_max` on success, and never more
//!   than twice the measured rate nor below 0.5 requests per second.
//! - **Round trip**: every response reaches the caller a drawn round trip after the service handled
//!   it (default 50–200 ms, MODEL CHOICE); a retry waits for the response, then the backoff.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::latency::DelayRange;
use crate::model::{SimDuration, SimTime};
use crate::rules::{ApiError, ErrorCode};

/// The SDK retry mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryMode {
    /// No retries: every error is final (the scenario default, so that timelines show each error).
    Off,
    /// The SDKs' standard mode.
    Standard,
    /// Standard plus client-side rate limiting.
    Adaptive,
}

impl RetryMode {
    /// Parses `off`, `standard` or `adaptive`.
    pub fn parse(text: &str) -> Option<RetryMode> {
        match text {
            "off" | "none" => Some(RetryMode::Off),
            "standard" => Some(RetryMode::Standard),
            "adaptive" => Some(RetryMode::Adaptive),
            _ => None,
        }
    }
    /// The name as written in scenarios and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RetryMode::Off => "off",
            RetryMode::Standard => "standard",
            RetryMode::Adaptive => "adaptive",
        }
    }
}

/// How a caller retries and how long its calls take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Retry mode.
    pub mode: RetryMode,
    /// Attempts per call, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff base.
    pub base_backoff: SimDuration,
    /// Backoff cap.
    pub max_backoff: SimDuration,
    /// Time from the service handling a call to the caller having the response.
    pub round_trip: DelayRange,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            mode: RetryMode::Off,
            max_attempts: 3,
            base_backoff: SimDuration::from_secs(1),
            max_backoff: SimDuration::from_secs(20),
            round_trip: DelayRange { min: SimDuration::from_ms(50), max: SimDuration::from_ms(200) },
        }
    }
}

impl ClientConfig {
    /// The SDK defaults for `mode`.
    pub fn sdk(mode: RetryMode) -> ClientConfig {
        ClientConfig { mode, ..ClientConfig::default() }
    }
}

/// Why an error may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retryable {
    /// A throttling error (rate limit).
    Throttle,
    /// A transient service error.
    Transient,
}

/// Classifies an error as the SDKs do, by its code.
pub fn classify(error: &ApiError) -> Option<Retryable> {
    match error.code {
        ErrorCode::LimitExceededException | ErrorCode::TooManyRequestsException => Some(Retryable::Throttle),
        ErrorCode::InternalException | ErrorCode::ServiceException => Some(Retryable::Transient),
        _ => None,
    }
}

const QUOTA_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const NO_RETRY_REFUND: u32 = 1;

/// What the client decided after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The call is done (success, a non-retryable error, or no retries left); the caller has the
    /// response at `response_at`.
    Done {
        /// When the caller has the response.
        response_at: SimTime,
        /// The call failed with a retryable error and was not retried (attempts or quota spent).
        gave_up: bool,
    },
    /// Try again: the next attempt is sent at `at`, after `backoff` (and, in adaptive mode,
    /// `held_back` more while the client-side limiter had no token).
    Retry {
        /// When the next attempt is sent.
        at: SimTime,
        /// The backoff waited after the response.
        backoff: SimDuration,
        /// Further wait imposed by the adaptive limiter.
        held_back: SimDuration,
    },
}

/// A caller's retry state: its quota and, in adaptive mode, its rate limiter.
#[derive(Clone, Debug)]
pub struct Client {
    /// The configuration.
    pub config: ClientConfig,
    quota: u32,
    limiter: Option<AdaptiveLimiter>,
}

impl Client {
    /// A fresh client.
    pub fn new(config: ClientConfig) -> Client {
        let limiter = (config.mode == RetryMode::Adaptive).then(AdaptiveLimiter::new);
        Client { config, quota: QUOTA_CAPACITY, limiter }
    }

    /// Retry tokens left.
    pub fn quota(&self) -> u32 {
        self.quota
    }

    /// When an attempt the caller wants to send at `at` may go (adaptive mode may hold it back).
    pub fn send_time(&mut self, at: SimTime) -> SimTime {
        match &mut self.limiter {
            Some(limiter) => limiter.acquire(at),
            None => at,
        }
    }

    /// Decides after attempt `attempt` (1-based) was handled at `now` with `result`.
    pub fn after_attempt(
        &mut self,
        now: SimTime,
        attempt: u32,
        error: Option<&ApiError>,
        rng: &mut ChaCha8Rng,
    ) -> Decision {
        let round_trip = self.config.round_trip.draw(rng);
        let response_at = now.after(round_trip);
        let kind = error.and_then(classify);
        if let Some(limiter) = &mut self.limiter {
            limiter.observe(now, kind == Some(Retryable::Throttle));
        }
        if self.config.mode == RetryMode::Off {
            return Decision::Done { response_at, gave_up: kind.is_some() };
        }
        let Some(_) = kind else {
            if error.is_none() {
                let refund = if attempt > 1 { RETRY_COST } else { NO_RETRY_REFUND };
                self.quota = (self.quota + refund).min(QUOTA_CAPACITY);
            }
            return Decision::Done { response_at, gave_up: false };
        };
        if attempt >= self.config.max_attempts || self.quota < RETRY_COST {
            return Decision::Done { response_at, gave_up: true };
        }
        self.quota -= RETRY_COST;
        let exponent = (attempt - 1).min(32);
        let ceiling =
            self.config.base_backoff.as_ms().saturating_mul(1u64 << exponent).min(self.config.max_backoff.as_ms());
        let backoff = SimDuration(if ceiling == 0 { 0 } else { rng.random_range(0..ceiling) });
        let wanted = response_at.after(backoff);
        let at = self.send_time(wanted);
        Decision::Retry { at, backoff, held_back: at.since(wanted) }
    }
}

/// The adaptive mode's client-side rate limiter: a token bucket whose fill rate follows CUBIC.
#[derive(Clone, Debug)]
struct AdaptiveLimiter {
    enabled: bool,
    /// Tokens (requests) in the bucket.
    tokens: f64,
    /// Fill rate, requests per second.
    fill_rate: f64,
    /// Refill time of `tokens`.
    refilled: SimTime,
    /// CUBIC's rate before the last throttle, and when that throttle came.
    w_max: f64,
    last_throttle: SimTime,
    /// Measured send rate: requests counted in the current half-second bucket, smoothed.
    measured_rate: f64,
    window_start: SimTime,
    window_count: u32,
}

const MIN_RATE: f64 = 0.5;
const BETA: f64 = 0.7;
const SCALE: f64 = 0.4;
const SMOOTHING: f64 = 0.8;

impl AdaptiveLimiter {
    fn new() -> AdaptiveLimiter {
        AdaptiveLimiter {
            enabled: false,
            tokens: 0.0,
            fill_rate: MIN_RATE,
            refilled: SimTime::ZERO,
            w_max: 0.0,
            last_throttle: SimTime::ZERO,
            measured_rate: 0.0,
            window_start: SimTime::ZERO,
            window_count: 0,
        }
    }

    fn refill(&mut self, at: SimTime) {
        if at > self.refilled {
            let seconds = at.since(self.refilled).as_ms() as f64 / 1000.0;
            self.tokens = (self.tokens + seconds * self.fill_rate).min(self.fill_rate.max(1.0));
            self.refilled = at;
        }
    }

    /// The time at which an attempt wanted at `at` holds a token (and takes it).
    fn acquire(&mut self, at: SimTime) -> SimTime {
        if !self.enabled {
            return at;
        }
        let at = at.max(self.refilled);
        self.refill(at);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return at;
        }
        let wait_ms = (((1.0 - self.tokens) / self.fill_rate) * 1000.0).ceil() as u64;
        let send = at.after(SimDuration(wait_ms));
        self.refill(send);
        self.tokens = (self.tokens - 1.0).max(0.0);
        send
    }

    fn observe(&mut self, now: SimTime, throttled: bool) {
        // Send rate over half-second windows, exponentially smoothed.
        if now.since(self.window_start).as_ms() >= 500 {
            let seconds = now.since(self.window_start).as_ms() as f64 / 1000.0;
            let rate = self.window_count as f64 / seconds;
            self.measured_rate = SMOOTHING * rate + (1.0 - SMOOTHING) * self.measured_rate;
            self.window_start = now;
            self.window_count = 0;
        }
        self.window_count += 1;
        let new_rate = if throttled {
            let current = if self.enabled { self.measured_rate.min(self.fill_rate) } else { self.measured_rate };
            self.w_max = current;
            self.last_throttle = now;
            self.enabled = true;
            current * BETA
        } else {
            if !self.enabled {
                return;
            }
            let k = (self.w_max * (1.0 - BETA) / SCALE).cbrt();
            let t = now.since(self.last_throttle).as_ms() as f64 / 1000.0;
            (SCALE * (t - k).powi(3) + self.w_max).min(2.0 * self.measured_rate.max(MIN_RATE))
        };
        self.refill(now);
        self.fill_rate = new_rate.max(MIN_RATE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;
    use crate::sim::rng::{Concern, stream};

    fn throttle() -> ApiError {
        ApiError::new(RuleId::QUOTA_10, ErrorCode::LimitExceededException, "Rate exceeded")
    }

    #[test]
    fn off_never_retries() {
        let mut client = Client::new(ClientConfig::default());
        let mut rng = stream(1, Concern::Retries);
        let decision = client.after_attempt(SimTime(0), 1, Some(&throttle()), &mut rng);
        assert!(matches!(decision, Decision::Done { gave_up: true, .. }));
    }

    #[test]
    fn standard_backs_off_within_the_doubling_ceiling_and_stops_at_max_attempts() {
        let mut client = Client::new(ClientConfig::sdk(RetryMode::Standard));
        let mut rng = stream(1, Concern::Retries);
        for attempt in 1..=2u32 {
            match client.after_attempt(SimTime(10_000), attempt, Some(&throttle()), &mut rng) {
                Decision::Retry { at, backoff, .. } => {
                    assert!(backoff.as_ms() < 1_000 << (attempt - 1), "attempt {attempt}: {backoff}");
                    assert!(at.as_ms() >= 10_050 + backoff.as_ms() && at.as_ms() <= 10_200 + backoff.as_ms());
                }
                other => panic!("attempt {attempt} should retry: {other:?}"),
            }
        }
        assert!(matches!(
            client.after_attempt(SimTime(10_000), 3, Some(&throttle()), &mut rng),
            Decision::Done { gave_up: true, .. }
        ));
        assert_eq!(client.quota(), QUOTA_CAPACITY - 2 * RETRY_COST);
    }

    #[test]
    fn non_retryable_errors_are_final() {
        let mut client = Client::new(ClientConfig::sdk(RetryMode::Standard));
        let mut rng = stream(1, Concern::Retries);
        let denied = ApiError::new(RuleId::ERR_1, ErrorCode::AccessDeniedException, "no");
        assert!(matches!(
            client.after_attempt(SimTime(0), 1, Some(&denied), &mut rng),
            Decision::Done { gave_up: false, .. }
        ));
    }

    #[test]
    fn the_retry_quota_runs_out_and_successes_refill_it() {
        let mut client = Client::new(ClientConfig { max_attempts: 1_000, ..ClientConfig::sdk(RetryMode::Standard) });
        let mut rng = stream(1, Concern::Retries);
        let mut retries = 0;
        while let Decision::Retry { .. } = client.after_attempt(SimTime(0), 1, Some(&throttle()), &mut rng) {
            retries += 1;
        }
        assert_eq!(retries, QUOTA_CAPACITY / RETRY_COST, "500 tokens at 5 per retry");
        client.after_attempt(SimTime(0), 2, None, &mut rng);
        assert_eq!(client.quota(), RETRY_COST, "a retried success gives back its cost");
    }

    #[test]
    fn adaptive_holds_attempts_back_after_a_throttle() {
        let mut client = Client::new(ClientConfig::sdk(RetryMode::Adaptive));
        assert_eq!(client.send_time(SimTime(5)), SimTime(5), "off until the first throttle");
        let mut rng = stream(1, Concern::Retries);
        // Ten sends a second for two seconds, then a throttle.
        for i in 0..20 {
            client.after_attempt(SimTime(i * 100), 1, None, &mut rng);
        }
        client.after_attempt(SimTime(2_000), 1, Some(&throttle()), &mut rng);
        let mut sends = Vec::new();
        let mut at = SimTime(2_000);
        for _ in 0..10 {
            at = client.send_time(at);
            sends.push(at);
        }
        // The bucket holds what refilled since the retry it scheduled; after that, sends are spaced
        // at the cut rate, 70 % of the measured 10 per second: about 143 ms apart.
        let gaps: Vec<u64> = sends.windows(2).map(|w| w[1].since(w[0]).as_ms()).collect();
        assert!(gaps[gaps.len() - 5..].iter().all(|g| (140..=146).contains(g)), "{sends:?}");
    }
}
