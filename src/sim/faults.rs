//! The fault model, off by default: seeded probabilities that a call is throttled (ERR-10) or gets
//! an internal error (ERR-14), and that follow-up work fails (an association ends FAILED with
//! AWS's internal-error reason; an auto-enable is not applied). Every injected fault is drawn from
//! the fault stream and recorded in the timeline.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::rules::{ApiError, Call, ErrorCode, Op, Operation, RuleId, Service, ServiceWork};

/// Fault probabilities (each 0.0 ..= 1.0).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FaultModel {
    /// A customer call is throttled.
    pub throttle: f64,
    /// A customer call gets `InternalException`.
    pub internal_error: f64,
    /// Follow-up work (association, auto-enable) fails.
    pub follow_up_failure: f64,
}

impl FaultModel {
    /// Whether any fault can happen.
    pub fn is_off(&self) -> bool {
        self.throttle <= 0.0 && self.internal_error <= 0.0 && self.follow_up_failure <= 0.0
    }

    /// For a customer call: the error to return instead of applying it, if a fault strikes.
    pub fn before_call(&self, call: &Call, rng: &mut ChaCha8Rng) -> Option<ApiError> {
        let Op::Api(operation) = &call.op else { return None };
        if operation.service() == Service::Aws {
            return None;
        }
        if self.throttle > 0.0 && rng.random_bool(self.throttle.min(1.0)) {
            return Some(throttled(operation));
        }
        if self.internal_error > 0.0 && rng.random_bool(self.internal_error.min(1.0)) {
            return Some(ApiError::new(
                RuleId::ERR_14,
                ErrorCode::InternalException,
                "Internal server error (injected fault)",
            ));
        }
        None
    }

    /// For follow-up work: marks it to fail, if a fault strikes. Returns whether it did.
    pub fn before_work(&self, call: &mut Call, rng: &mut ChaCha8Rng) -> bool {
        if self.follow_up_failure <= 0.0 {
            return false;
        }
        let Op::Work(work) = &mut call.op else { return false };
        let fault = match work {
            ServiceWork::ApplyConfigurationPolicy { fault, .. } | ServiceWork::AutoEnableAccount { fault, .. } => fault,
            _ => return false,
        };
        *fault = rng.random_bool(self.follow_up_failure.min(1.0));
        *fault
    }
}

/// ERR-10: the throttling error each service returns.
pub fn throttled(operation: &Operation) -> ApiError {
    match operation.service() {
        Service::Organizations => ApiError::new(
            RuleId::ERR_10,
            ErrorCode::TooManyRequestsException,
            "You have sent too many requests in too short a period of time.",
        ),
        _ => ApiError::new(RuleId::ERR_10, ErrorCode::LimitExceededException, "Rate exceeded"),
    }
}
