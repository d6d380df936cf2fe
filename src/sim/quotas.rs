//! API request-rate quotas (QUOTA-10): a token bucket per account, Region and Security Hub
//! operation (refill = rate, capacity = burst; the algorithm is a MODEL CHOICE of RULES.md). A
//! call that finds its bucket empty is throttled with `LimitExceededException` (ERR-10) and
//! changes nothing.
//!
//! Buckets are integer millitokens refilled from simulated time, so throttling is exact and
//! deterministic: 120 accounts created 50 per call at 10 per second with a burst of 30 take 3
//! calls and no throttle; at 1 per second with a burst of 1, calls must be a second apart.

use std::collections::BTreeMap;

use crate::model::{AccountId, RegionIdx, SimTime};
use crate::rules::{ApiError, Call, Caller, ErrorCode, Op, RuleId, Service};

/// Rate and burst of one operation's bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Requests per second (refill).
    pub per_second: u64,
    /// Bucket capacity.
    pub burst: u64,
}

/// QUOTA-10's table: `BatchEnableStandards` 1/1, `UpdateStandardsControl` 1/5, every other
/// Security Hub operation 10/30 (each with its own bucket).
pub fn default_rate(operation: &str) -> Rate {
    match operation {
        "BatchEnableStandards" => Rate { per_second: 1, burst: 1 },
        "UpdateStandardsControl" => Rate { per_second: 1, burst: 5 },
        _ => Rate { per_second: 10, burst: 30 },
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    millitokens: u64,
    updated: SimTime,
}

/// Every bucket of a run.
#[derive(Clone, Debug, Default)]
pub struct RateLimiter {
    buckets: BTreeMap<(AccountId, RegionIdx, &'static str), Bucket>,
    /// Overrides of QUOTA-10 rates by operation name.
    pub overrides: BTreeMap<String, Rate>,
}

impl RateLimiter {
    /// A limiter with QUOTA-10's table, overridden by operation name.
    pub fn with_overrides(overrides: BTreeMap<String, Rate>) -> RateLimiter {
        RateLimiter { buckets: BTreeMap::new(), overrides }
    }

    fn rate(&self, operation: &str) -> Rate {
        self.overrides.get(operation).copied().unwrap_or_else(|| default_rate(operation))
    }

    /// Takes a token for `call` at `now`; the throttling error if the bucket is empty.
    pub fn admit(&mut self, call: &Call, now: SimTime) -> Result<(), ApiError> {
        let (Caller::Account(account), Op::Api(operation)) = (&call.caller, &call.op) else { return Ok(()) };
        if operation.service() != Service::SecurityHub {
            return Ok(());
        }
        let name = operation.name();
        let rate = self.rate(name);
        let capacity = rate.burst * 1_000;
        let bucket =
            self.buckets.entry((*account, call.region, name)).or_insert(Bucket { millitokens: capacity, updated: now });
        let refill = now.since(bucket.updated).as_ms().saturating_mul(rate.per_second);
        bucket.millitokens = (bucket.millitokens + refill).min(capacity);
        bucket.updated = now;
        if bucket.millitokens >= 1_000 {
            bucket.millitokens -= 1_000;
            Ok(())
        } else {
            Err(ApiError::new(
                RuleId::QUOTA_10,
                ErrorCode::LimitExceededException,
                format!(
                    "Rate exceeded: {name} allows {} requests per second with a burst of {} (ERR-10)",
                    rate.per_second, rate.burst
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Operation;

    fn call() -> Call {
        let operation: Operation = serde_json::from_value(serde_json::json!({"Operation": "BatchEnableStandards",
            "StandardsSubscriptionRequests": [{"StandardsArn": "nist-800-53/v/5.0.0"}]}))
        .unwrap();
        Call::by(AccountId::parse("111111111111").unwrap(), RegionIdx(0), operation)
    }

    #[test]
    fn one_per_second_with_burst_one_needs_a_second_between_calls() {
        let mut limiter = RateLimiter::default();
        assert!(limiter.admit(&call(), SimTime(0)).is_ok());
        assert_eq!(limiter.admit(&call(), SimTime(999)).unwrap_err().rule, RuleId::QUOTA_10);
        assert!(limiter.admit(&call(), SimTime(2_000)).is_ok());
        assert!(limiter.admit(&call(), SimTime(2_500)).is_err());
    }

    #[test]
    fn burst_thirty_allows_thirty_at_once() {
        let mut limiter = RateLimiter::default();
        let operation: Operation = serde_json::from_value(serde_json::json!({"Operation": "DescribeHub"})).unwrap();
        let describe = Call::by(AccountId::parse("111111111111").unwrap(), RegionIdx(0), operation);
        for _ in 0..30 {
            assert!(limiter.admit(&describe, SimTime(0)).is_ok());
        }
        assert!(limiter.admit(&describe, SimTime(0)).is_err());
        assert!(limiter.admit(&describe, SimTime(100)).is_ok(), "10 per second refills one token per 100 ms");
    }
}
