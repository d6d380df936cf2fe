//! Simulated time: integer milliseconds since the scenario's start.
//!
//! `SimTime` is the only notion of time in hubsim. It is never derived from the host clock; the
//! simulator advances it and passes it into the rules engine, which stores it in timestamps such as
//! a member's `InvitedAt`.

use std::fmt;

/// A point in simulated time, in milliseconds since the scenario's epoch (its start).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SimTime(pub u64);

/// A span of simulated time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The scenario's start.
    pub const ZERO: SimTime = SimTime(0);

    /// Milliseconds since the epoch.
    pub fn as_ms(self) -> u64 {
        self.0
    }

    /// This time plus a duration, saturating at the end of representable time.
    pub fn after(self, duration: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(duration.0))
    }

    /// The span from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// A span of `n` milliseconds.
    pub const fn from_ms(n: u64) -> Self {
        SimDuration(n)
    }
    /// A span of `n` seconds.
    pub const fn from_secs(n: u64) -> Self {
        SimDuration(n * 1_000)
    }
    /// A span of `n` minutes.
    pub const fn from_mins(n: u64) -> Self {
        SimDuration(n * 60_000)
    }
    /// A span of `n` hours.
    pub const fn from_hours(n: u64) -> Self {
        SimDuration(n * 3_600_000)
    }
    /// A span of `n` days.
    pub const fn from_days(n: u64) -> Self {
        SimDuration(n * 86_400_000)
    }
    /// Milliseconds in the span.
    pub fn as_ms(self) -> u64 {
        self.0
    }
}

/// `T+1d02:03:04.005` style: days only when non-zero, always milliseconds, so columns align.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1_000;
        let total_secs = self.0 / 1_000;
        let secs = total_secs % 60;
        let mins = (total_secs / 60) % 60;
        let hours = (total_secs / 3_600) % 24;
        let days = total_secs / 86_400;
        if days > 0 {
            write!(f, "{days}d{hours:02}:{mins:02}:{secs:02}.{ms:03}")
        } else {
            write!(f, "{hours:02}:{mins:02}:{secs:02}.{ms:03}")
        }
    }
}

/// Compact human form: `90s` → `1m30s`, `0` → `0ms`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        if rest == 0 {
            return write!(f, "0ms");
        }
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fixed_width_clock_and_compact_durations() {
        assert_eq!(SimTime(0).to_string(), "00:00:00.000");
        assert_eq!(SimTime(90_061_001).to_string(), "1d01:01:01.001");
        assert_eq!(SimDuration::from_secs(90).to_string(), "1m30s");
        assert_eq!(SimDuration(0).to_string(), "0ms");
    }
}
