//! The latency model: for each kind of follow-up work (a TIME-* delay class) a delay range, drawn
//! uniformly from the latency stream.
//!
//! Defaults follow RULES.md §6.2 (each is a MODEL CHOICE unless a bound is documented): TIME-1
//! association 1–15 min with an optional tail up to the documented 24 h; TIME-3 central switch
//! 30–120 s (Terraform waits ≤ 180 s); TIME-4 administrator removal 30–120 s (Terraform waits
//! ≤ 5 min); TIME-5 auto-enable 1–10 min; TIME-6 Organizations clean-up 1–5 min; TIME-7 standards
//! 1–5 min; TIME-8 opt-in Region 5–30 min; TIME-9 the fixed 90-day closure window; TIME-10 account
//! creation and closure 1–5 min.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::SimDuration;
use crate::rules::DelayClass;

/// A closed range of delays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DelayRange {
    /// Shortest delay.
    pub min: SimDuration,
    /// Longest delay.
    pub max: SimDuration,
}

impl DelayRange {
    /// A range; `min` must not exceed `max`.
    pub fn new(min: SimDuration, max: SimDuration) -> Result<DelayRange, String> {
        if min > max {
            Err(format!("delay range {min}..{max}: the minimum exceeds the maximum"))
        } else {
            Ok(DelayRange { min, max })
        }
    }
    /// A delay drawn uniformly from the range.
    pub fn draw(self, rng: &mut ChaCha8Rng) -> SimDuration {
        if self.min == self.max { self.min } else { SimDuration(rng.random_range(self.min.as_ms()..=self.max.as_ms())) }
    }
    const fn fixed(d: SimDuration) -> DelayRange {
        DelayRange { min: d, max: d }
    }
    const fn mins(min: u64, max: u64) -> DelayRange {
        DelayRange { min: SimDuration::from_mins(min), max: SimDuration::from_mins(max) }
    }
    const fn secs(min: u64, max: u64) -> DelayRange {
        DelayRange { min: SimDuration::from_secs(min), max: SimDuration::from_secs(max) }
    }
}

/// An occasional long delay for association work (TIME-1's "configurable tail up to 24 h").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tail {
    /// Probability that a delay comes from the tail instead.
    pub probability: f64,
    /// The tail's range.
    pub range: DelayRange,
}

/// Delay ranges for every class.
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyModel {
    ranges: [DelayRange; DelayClass::ALL.len()],
    /// TIME-1 tail (off by default).
    pub association_tail: Option<Tail>,
}

impl Default for LatencyModel {
    fn default() -> Self {
        let mut ranges = [DelayRange::fixed(SimDuration(0)); DelayClass::ALL.len()];
        for class in DelayClass::ALL {
            ranges[class as usize] = match class {
                DelayClass::AssociationApply => DelayRange::mins(1, 15),
                DelayClass::CentralSwitch => DelayRange::secs(30, 120),
                DelayClass::AdminRemoval => DelayRange::secs(30, 120),
                DelayClass::AutoEnable => DelayRange::mins(1, 10),
                DelayClass::OrganizationsCleanup => DelayRange::mins(1, 5),
                DelayClass::StandardsReady => DelayRange::mins(1, 5),
                DelayClass::RegionOptIn => DelayRange::mins(5, 30),
                DelayClass::Retention90Days => DelayRange::fixed(SimDuration::from_days(90)),
                DelayClass::AccountCreation | DelayClass::AccountClosure => DelayRange::mins(1, 5),
            };
        }
        LatencyModel { ranges, association_tail: None }
    }
}

impl LatencyModel {
    /// The range of a class.
    pub fn range(&self, class: DelayClass) -> DelayRange {
        self.ranges[class as usize]
    }
    /// Overrides the range of a class.
    pub fn set(&mut self, class: DelayClass, range: DelayRange) {
        self.ranges[class as usize] = range;
    }
    /// Every class delays by exactly zero: follow-ups run in emission order at the same instant.
    pub fn instant() -> LatencyModel {
        LatencyModel { ranges: [DelayRange::fixed(SimDuration(0)); DelayClass::ALL.len()], association_tail: None }
    }
    /// Draws a delay for `class`.
    pub fn draw(&self, class: DelayClass, rng: &mut ChaCha8Rng) -> SimDuration {
        let mut range = self.range(class);
        if let (DelayClass::AssociationApply, Some(tail)) = (class, self.association_tail)
            && tail.probability > 0.0
            && rng.random_bool(tail.probability.min(1.0))
        {
            range = tail.range;
        }
        range.draw(rng)
    }
}
