//! Capacity metrics collected while a run plays out: per API operation the calls, successes, errors
//! by code, throttles and retries; the time to quiescence; per account-Region exposure windows
//! (from joining the organization, from a policy change, or from the start of an onboarding plan,
//! to reaching the intended state of `goal`); association settle times (from PENDING to SUCCESS or
//! FAILED); the peak queue length and the events processed.
//!
//! `Metrics` is an `Observer`. In a plan, counting starts with the first measured phase (setup
//! phases are not counted); in a scenario, from the first event. It reads only the event and the
//! world, so its numbers are as deterministic as the run.

pub mod goal;
mod render;

pub use render::compact_duration;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{AccountIdx, AccountState, AssocStatus, RegionIdx, SimTime, World};
use crate::rules::{Change, ChangeKind, EffectInterest, ErrorCode, Op, RuleId};
use crate::sim::{ClientStats, EventView, Observer, PhaseStart};
use crate::timeline::Origin;
use goal::{Standing, standing};

/// Per-operation counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperationMetrics {
    /// Attempts (retries included).
    pub calls: u64,
    /// Successful attempts.
    pub ok: u64,
    /// Failed attempts by error code.
    pub errors: BTreeMap<String, u64>,
    /// Attempts refused by throttling.
    pub throttled: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Accounts a successful batch call left unprocessed, by `ProcessingResult` code (ERR-20).
    pub unprocessed: BTreeMap<String, u64>,
}

/// A distribution of durations in milliseconds (nearest-rank percentiles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Distribution {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_ms: u64,
    /// 90th percentile.
    pub p90_ms: u64,
    /// 99th percentile.
    pub p99_ms: u64,
    /// Largest.
    pub max_ms: u64,
}

impl Distribution {
    /// The distribution of `samples` (sorted in place).
    pub fn of(samples: &mut [u64]) -> Distribution {
        if samples.is_empty() {
            return Distribution::default();
        }
        samples.sort_unstable();
        let rank = |p: u64| samples[((samples.len() as u64 * p).div_ceil(100) as usize).clamp(1, samples.len()) - 1];
        Distribution {
            count: samples.len() as u64,
            p50_ms: rank(50),
            p90_ms: rank(90),
            p99_ms: rank(99),
            max_ms: *samples.last().expect("not empty"),
        }
    }
}

/// Exposure windows of account-Regions.
///
/// The percentiles count every window, those still open at the end as never closing: `None`
/// means that share of account-Regions never reached its intended state within the run (a p99 of
/// "never" when 2 % are left exposed), so a tail is never hidden by leaving it out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// Windows opened (closed plus still open; dropped ones are not counted).
    pub windows: u64,
    /// Median over all windows (`None`: never reached within the run).
    pub p50_ms: Option<u64>,
    /// 90th percentile over all windows.
    pub p90_ms: Option<u64>,
    /// 99th percentile over all windows.
    pub p99_ms: Option<u64>,
    /// Longest window (`None` if any is still open).
    pub max_ms: Option<u64>,
    /// The windows that closed: the account-Region reached its intended state.
    pub closed: Distribution,
    /// Windows still open when the run ended (the account-Region never got there).
    pub still_exposed: u64,
    /// Windows dropped because the account-Region went out of scope (left, suspended).
    pub dropped: u64,
}

impl Exposure {
    fn of(closed: &mut [u64], still_exposed: u64, dropped: u64) -> Exposure {
        let distribution = Distribution::of(closed);
        let windows = closed.len() as u64 + still_exposed;
        // Nearest rank over all windows; ranks past the closed ones fall among the open ones.
        let rank = |p: u64| -> Option<u64> {
            if windows == 0 {
                return None;
            }
            let rank = (windows * p).div_ceil(100).clamp(1, windows) as usize;
            closed.get(rank - 1).copied()
        };
        Exposure {
            windows,
            p50_ms: rank(50),
            p90_ms: rank(90),
            p99_ms: rank(99),
            max_ms: if still_exposed == 0 && windows > 0 { Some(distribution.max_ms) } else { None },
            closed: distribution,
            still_exposed,
            dropped,
        }
    }
}

/// Association settle times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Settling {
    /// From PENDING to SUCCESS or FAILED.
    pub settled: Distribution,
    /// Of those, FAILED.
    pub failed: u64,
    /// Still PENDING when the run ended.
    pub pending: u64,
}

/// Everything measured in one run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricsReport {
    /// When measuring started.
    pub measured_from_ms: u64,
    /// Events processed (calls and service work) since then.
    pub events: u64,
    /// API attempts, retries included.
    pub api_calls: u64,
    /// Attempts refused by throttling.
    pub throttled: u64,
    /// Retries, give-ups and backoff of the callers.
    pub client: ClientStats,
    /// Calls of a plan's unmeasured setup whose final attempt failed (0 when the setup went as
    /// planned).
    pub setup_failed: u64,
    /// From the start of measuring to the last event.
    pub time_to_quiescence_ms: u64,
    /// Whether the run reached quiescence (no events left) rather than a limit.
    pub quiescent: bool,
    /// Most events waiting at once.
    pub peak_queue: usize,
    /// Exposure windows.
    pub exposure: Exposure,
    /// Association settle times.
    pub association: Settling,
    /// Per API operation.
    pub operations: BTreeMap<String, OperationMetrics>,
}

/// The observer that collects a `MetricsReport`.
pub struct Metrics {
    measuring: bool,
    measured_from: SimTime,
    last_event_at: SimTime,
    n_regions: usize,
    events: u64,
    operations: BTreeMap<&'static str, OperationMetrics>,
    /// Open exposure windows by `account * n_regions + region`.
    windows: Vec<Option<SimTime>>,
    exposures: Vec<u64>,
    dropped: u64,
    /// PENDING associations by `account * n_regions + region`.
    pending: Vec<Option<SimTime>>,
    settles: Vec<u64>,
    failed: u64,
}

impl Metrics {
    /// Metrics for a run on `world`; `measuring` says whether counting starts at once (a
    /// scenario) or with the first measured phase of a plan.
    pub fn new(world: &World, measuring: bool) -> Metrics {
        Metrics {
            measuring,
            measured_from: SimTime::ZERO,
            last_event_at: SimTime::ZERO,
            n_regions: world.regions.len(),
            events: 0,
            operations: BTreeMap::new(),
            windows: Vec::new(),
            exposures: Vec::new(),
            dropped: 0,
            pending: Vec::new(),
            settles: Vec::new(),
            failed: 0,
        }
    }

    fn slot(&self, account: AccountIdx, region: RegionIdx) -> usize {
        account.0 as usize * self.n_regions + region.0 as usize
    }

    /// Opens an exposure window at `now` for every organization account in every Region, unless
    /// it already stands where it should.
    pub fn open_all(&mut self, w: &World, now: SimTime) {
        for account in w.account_indices().filter(|a| w.in_org(*a)) {
            for region in w.regions.indices() {
                self.open(w, account, region, now);
            }
        }
    }

    fn open(&mut self, w: &World, account: AccountIdx, region: RegionIdx, now: SimTime) {
        let slot = self.slot(account, region);
        if self.windows.len() <= slot {
            self.windows.resize(slot + 1, None);
        }
        if self.windows[slot].is_none() && standing(w, account, region) == Standing::Exposed {
            self.windows[slot] = Some(now);
        }
    }

    /// Re-checks an open window after a change to the account-Region.
    fn recheck(&mut self, w: &World, account: AccountIdx, region: RegionIdx, now: SimTime) {
        let slot = self.slot(account, region);
        let Some(Some(opened)) = self.windows.get(slot).copied() else { return };
        match standing(w, account, region) {
            Standing::Reached => {
                self.exposures.push(now.since(opened).as_ms());
                self.windows[slot] = None;
            }
            Standing::OutOfScope => {
                self.dropped += 1;
                self.windows[slot] = None;
            }
            Standing::Exposed => {}
        }
    }

    fn association(&mut self, account: AccountIdx, region: RegionIdx, status: Option<AssocStatus>, now: SimTime) {
        let slot = self.slot(account, region);
        if self.pending.len() <= slot {
            self.pending.resize(slot + 1, None);
        }
        match status {
            Some(AssocStatus::Pending) => {
                self.pending[slot].get_or_insert(now);
            }
            Some(done) => {
                if let Some(started) = self.pending[slot].take() {
                    self.settles.push(now.since(started).as_ms());
                    self.failed += (done == AssocStatus::Failed) as u64;
                }
            }
            None => self.pending[slot] = None,
        }
    }

    fn count_call(&mut self, event: &EventView<'_>) {
        let Op::Api(operation) = &event.call.op else { return };
        let counts = self.operations.entry(operation.name()).or_default();
        counts.calls += 1;
        counts.retries += matches!(event.origin, Origin::Retry { .. }) as u64;
        match &event.outcome.result {
            Ok(response) => {
                counts.ok += 1;
                let items = response.get("UnprocessedAccounts").and_then(|u| u.as_array());
                for item in items.into_iter().flatten() {
                    let result = item.get("ProcessingResult").and_then(|r| r.as_str()).unwrap_or("");
                    let code = result.split(':').next().unwrap_or(result);
                    *counts.unprocessed.entry(code.to_string()).or_default() += 1;
                }
            }
            Err(error) => {
                *counts.errors.entry(error.code.name().to_string()).or_default() += 1;
                // Throttling proper: QUOTA-10 buckets, injected throttles and Organizations' rate
                // limit; a resource limit sharing the exception name (QUOTA-5) is not one.
                counts.throttled += (matches!(error.rule, RuleId::QUOTA_10 | RuleId::ERR_10)
                    || error.code == ErrorCode::TooManyRequestsException) as u64;
            }
        }
    }

    /// The report, with what only the simulation knows.
    pub fn report(mut self, sim: &crate::sim::Simulation, quiescent: bool) -> MetricsReport {
        let (client, peak_queue) = (sim.client_stats(), sim.measured_peak_queue());
        let still_exposed = self.windows.iter().filter(|w| w.is_some()).count() as u64;
        let pending = self.pending.iter().filter(|p| p.is_some()).count() as u64;
        let operations: BTreeMap<String, OperationMetrics> =
            self.operations.into_iter().map(|(name, counts)| (name.to_string(), counts)).collect();
        MetricsReport {
            measured_from_ms: self.measured_from.as_ms(),
            events: self.events,
            api_calls: operations.values().map(|o| o.calls).sum(),
            throttled: operations.values().map(|o| o.throttled).sum(),
            client,
            setup_failed: sim.setup_stats().failed,
            time_to_quiescence_ms: self.last_event_at.since(self.measured_from).as_ms(),
            quiescent,
            peak_queue,
            exposure: Exposure::of(&mut self.exposures, still_exposed, self.dropped),
            association: Settling { settled: Distribution::of(&mut self.settles), failed: self.failed, pending },
            operations,
        }
    }
}

impl Observer for Metrics {
    /// The effects `after_event` looks at: those that open, close or re-check an exposure window
    /// or an association's settle time.
    fn effect_interest(&self) -> EffectInterest {
        const READS: EffectInterest = EffectInterest::kinds(&[
            ChangeKind::AccountJoined,
            ChangeKind::AccountLeft,
            ChangeKind::AccountMoved,
            ChangeKind::AccountStateChanged,
            ChangeKind::AccountRegionAssociation,
            ChangeKind::HubEnabled,
            ChangeKind::HubDisabled,
            ChangeKind::StandardsStatus,
            ChangeKind::ControlsDisabled,
            ChangeKind::RegionOptStatusChanged,
            ChangeKind::MemberRecord,
        ]);
        READS
    }

    fn phase_started(&mut self, world: &World, now: SimTime, start: PhaseStart<'_>) {
        if start.phase.measured && !self.measuring {
            let n_regions = self.n_regions;
            *self = Metrics::new(world, true);
            self.n_regions = n_regions;
            self.measured_from = now;
            self.last_event_at = now;
        }
        if start.phase.opens_exposure {
            self.open_all(world, now);
        }
    }

    fn after_event(&mut self, w: &World, event: &EventView<'_>) {
        if !self.measuring {
            return;
        }
        let now = event.at;
        self.events += 1;
        self.last_event_at = now;
        self.count_call(event);
        // Only what `effect_interest` names, also when the event lists more (full recording): the
        // measures are then the same whichever way the run records.
        let reads = self.effect_interest();
        for effect in event.outcome.effects.iter().filter(|e| reads.keeps_effect(e)) {
            match &effect.change {
                Change::AccountJoined { account, .. } => {
                    for region in w.regions.indices() {
                        if w.sh_admin(region).is_some() || w.is_central_region(region) {
                            self.open(w, *account, region, now);
                        }
                    }
                }
                Change::AccountLeft { account } | Change::AccountMoved { account, .. } => {
                    for region in w.regions.indices() {
                        self.recheck(w, *account, region, now);
                    }
                }
                Change::AccountStateChanged { account, state } => {
                    for region in w.regions.indices() {
                        self.recheck(w, *account, region, now);
                        if *state != AccountState::Active {
                            self.association(*account, region, None, now);
                        }
                    }
                }
                Change::AccountRegionAssociation { account, region, status, bump, .. } => {
                    if *bump {
                        self.open(w, *account, *region, now);
                    }
                    self.association(*account, *region, *status, now);
                    self.recheck(w, *account, *region, now);
                }
                Change::HubEnabled { account, region, .. }
                | Change::HubDisabled { account, region }
                | Change::StandardsStatus { account, region, .. }
                | Change::ControlsDisabled { account, region, .. }
                | Change::RegionOptStatusChanged { account, region, .. } => self.recheck(w, *account, *region, now),
                Change::MemberRecord { region, member, .. } => self.recheck(w, *member, *region, now),
                _ => {}
            }
        }
    }
}
