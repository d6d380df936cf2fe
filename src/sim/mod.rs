//! The discrete-event core: a virtual clock, an event queue ordered by (time, sequence), seeded
//! randomness per concern, the latency and fault models, and the run loop that applies each event
//! through the rules engine, schedules its follow-ups and records it.
//!
//! The simulator decides *when*; the rules engine decides *what*. It knows nothing of TOML or of
//! how a workload was produced: callers schedule `Call`s at times and run. Time is `SimTime` only
//! (never the host clock), and the same world, schedule, configuration and seed always give the
//! same timeline, whatever else runs on the machine.

pub mod client;
pub mod driver;
pub mod faults;
pub mod latency;
pub mod queue;
pub mod quotas;
pub mod rng;

use rand_chacha::ChaCha8Rng;

pub use client::{ClientConfig, RetryMode};
pub use driver::{Issue, Phase, PhaseStart};
pub use faults::FaultModel;
pub use latency::{DelayRange, LatencyModel, Tail};
pub use queue::EventQueue;

use crate::model::{SimTime, World};
use crate::rules::{self, Call, Op, Outcome, describe};
use crate::timeline::{Entry, Origin, Recording, Timeline};

/// Limits on a run (STYLE §6: a limit on everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunLimits {
    /// Events after this time are not run.
    pub max_time: SimTime,
    /// At most this many events are run.
    pub max_events: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        // Closures take 90 days (TIME-9); a year covers every built-in delay.
        RunLimits { max_time: SimTime(400 * 86_400_000), max_events: 50_000_000 }
    }
}

/// Everything that configures a run besides the world and the schedule.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Root seed of every random stream.
    pub seed: u64,
    /// Follow-up delays.
    pub latency: LatencyModel,
    /// Injected faults (off by default).
    pub faults: FaultModel,
    /// Limits.
    pub limits: RunLimits,
    /// Full timeline or counts only.
    pub recording: Recording,
    /// Whether QUOTA-10 request rates are enforced.
    pub rate_limits: bool,
    /// Overrides of QUOTA-10 rates by operation name.
    pub rate_overrides: std::collections::BTreeMap<String, quotas::Rate>,
    /// How the caller of steps retries (off by default).
    pub client: ClientConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 0,
            latency: LatencyModel::default(),
            faults: FaultModel::default(),
            limits: RunLimits::default(),
            recording: Recording::Full,
            rate_limits: true,
            rate_overrides: std::collections::BTreeMap::new(),
            client: ClientConfig::default(),
        }
    }
}

/// How a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// No event is left.
    Quiescent,
    /// The next event is later than the time limit.
    TimeLimit(SimTime),
    /// The event limit was reached with events left.
    EventLimit(u64),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Quiescent => write!(f, "quiescent (no events left)"),
            Stop::TimeLimit(t) => write!(f, "time limit {t} reached with events left"),
            Stop::EventLimit(n) => write!(f, "event limit of {n} events reached with events left"),
        }
    }
}

/// One processed event, as observers see it.
pub struct EventView<'a> {
    /// Event number (1-based).
    pub number: u64,
    /// When it ran.
    pub at: SimTime,
    /// The call (with any injected fault flag set).
    pub call: &'a Call,
    /// Why it ran.
    pub origin: Origin,
    /// What it did: the result and the effects, with summary recording only those the observer
    /// reads (`Observer::effect_interest`); its follow-ups are already queued, so
    /// `outcome.follow_ups` is empty (they show up as events of their own).
    pub outcome: &'a Outcome,
}

/// Hooks into the run loop: invariant checks run here, after every event with that event's
/// effects, and once at quiescence.
pub trait Observer {
    /// Which effects this observer reads from `EventView::outcome`. With summary recording an
    /// event's outcome lists only those (every effect is still committed and counted by rule in
    /// the summary); with full recording it lists every effect. Every effect unless the observer
    /// says otherwise.
    fn effect_interest(&self) -> rules::EffectInterest {
        rules::EffectInterest::ALL
    }
    /// Called after each event is applied.
    fn after_event(&mut self, _world: &World, _event: &EventView<'_>) {}
    /// Called when the queue has emptied, with the time of the last event.
    fn at_quiescence(&mut self, _world: &World, _now: SimTime) {}
    /// Called when a phase of a plan starts.
    fn phase_started(&mut self, _world: &World, _now: SimTime, _start: PhaseStart<'_>) {}
}

/// What the callers' retry behaviour amounted to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClientStats {
    /// Attempts after the first.
    pub retries: u64,
    /// Calls that ended on a retryable error (attempts or retry quota spent, or retries off).
    pub gave_up: u64,
    /// Calls whose final attempt failed, for any reason (the give-ups included).
    pub failed: u64,
    /// Total backoff waited.
    pub backoff_ms: u64,
    /// Total time adaptive mode held attempts back.
    pub held_back_ms: u64,
}

/// An observer that does nothing (and reads no effect).
pub struct NoObserver;
impl Observer for NoObserver {
    fn effect_interest(&self) -> rules::EffectInterest {
        rules::EffectInterest::NONE
    }
}

/// What waits in the queue: the service's follow-up work, a call known now, or a step whose call
/// is built when it is due.
enum Planned {
    Work {
        region: crate::model::RegionIdx,
        work: rules::ServiceWork,
    },
    Call {
        call: Call,
        /// The caller's client already let this attempt go (adaptive mode holds back only what
        /// it has not admitted).
        admitted: bool,
    },
    /// A scenario step's first attempt, not yet admitted.
    Step,
}

/// A queued event, as compact as the queue needs it: follow-up work, by far the most numerous (a
/// root policy's 170,000 applications wait at once), is kept inline, so that a queue entry is 48
/// bytes (pinned by a test); anything else, rare, is boxed.
enum Pending {
    /// Follow-up work emitted by event `by` at `scheduled_at`.
    Work {
        work: rules::ServiceWork,
        region: crate::model::RegionIdx,
        delay: rules::DelayClass,
        by: u32,
        scheduled_at: SimTime,
    },
    /// A call, a step's first attempt, or follow-up work of an event numbered past `u32::MAX`.
    Other(Box<(Planned, Origin)>),
}

impl Pending {
    /// Stores what runs and why, inline when it can.
    fn new(planned: Planned, origin: Origin) -> Pending {
        match (planned, origin) {
            (Planned::Work { region, work }, Origin::FollowUp { delay, scheduled_at, by }) if by <= u32::MAX as u64 => {
                Pending::Work { work, region, delay, by: by as u32, scheduled_at }
            }
            (planned, origin) => Pending::Other(Box::new((planned, origin))),
        }
    }

    /// What runs and why, as they were queued.
    fn into_parts(self) -> (Planned, Origin) {
        match self {
            Pending::Work { work, region, delay, by, scheduled_at } => {
                (Planned::Work { region, work }, Origin::FollowUp { delay, scheduled_at, by: by as u64 })
            }
            Pending::Other(boxed) => *boxed,
        }
    }
}

/// Builds the call of a step when it is due, from the world as it stands then (scenario steps
/// name ids, such as a policy's, that only exist once an earlier step created them).
pub type StepBuilder = Box<dyn FnMut(&World, usize) -> Call>;

/// The outcome of a call refused before the rules engine saw it, in the spare effects list
/// (emptied).
fn rejected(error: rules::ApiError, mut spare_effects: Vec<rules::Effect>) -> Outcome {
    spare_effects.clear();
    Outcome { result: Err(error), effects: spare_effects, follow_ups: Vec::new() }
}

/// Which SDK client sends `call`: the caller's, for the call's Region.
fn client_key(call: &Call) -> (Option<crate::model::AccountId>, crate::model::RegionIdx) {
    match call.caller {
        rules::Caller::Account(id) => (Some(id), call.region),
        rules::Caller::Service => (None, call.region),
    }
}

/// Queues the follow-ups of the event being applied: its number, and when it runs.
struct Scheduler<'a> {
    queue: &'a mut EventQueue<Pending>,
    latency: &'a LatencyModel,
    rng: &'a mut ChaCha8Rng,
    now: SimTime,
    by: u64,
}

impl rules::FollowUpSink for Scheduler<'_> {
    fn schedule(&mut self, follow_up: rules::FollowUp) {
        let delay = self.latency.draw(follow_up.delay, self.rng);
        let origin = Origin::FollowUp { delay: follow_up.delay, scheduled_at: self.now, by: self.by };
        let planned = Planned::Work { region: follow_up.region, work: follow_up.work };
        self.queue.push(self.now.after(delay), Pending::new(planned, origin));
    }
}

/// A simulation: the world, the queue and the record.
pub struct Simulation {
    world: World,
    queue: EventQueue<Pending>,
    now: SimTime,
    latency_rng: ChaCha8Rng,
    fault_rng: ChaCha8Rng,
    config: SimConfig,
    timeline: Timeline,
    step_builder: Option<StepBuilder>,
    rates: quotas::RateLimiter,
    /// One SDK client per caller and Region (an SDK client is bound to one Region and one set of
    /// credentials; its retry quota and adaptive limiter are its own).
    clients: std::collections::BTreeMap<(Option<crate::model::AccountId>, crate::model::RegionIdx), client::Client>,
    client_rng: ChaCha8Rng,
    client_stats: ClientStats,
    driver: Option<driver::Driver>,
    /// Whether a plan's measured phase has started.
    measuring: bool,
    /// What the callers of a plan's unmeasured setup did.
    setup_stats: ClientStats,
    /// Successes of one operation in a row, not yet added to the timeline's summary.
    successes: Option<(&'static str, u64)>,
    /// Events left before the next look-ahead prefetches the states of those coming.
    until_prefetch: u32,
    /// The last event's effects list, reused when the timeline does not keep it.
    spare_effects: Vec<rules::Effect>,
}

impl Simulation {
    /// A simulation of `world` with nothing scheduled yet.
    pub fn new(world: World, config: SimConfig) -> Simulation {
        Simulation {
            world,
            queue: EventQueue::default(),
            now: SimTime::ZERO,
            latency_rng: rng::stream(config.seed, rng::Concern::Latency),
            fault_rng: rng::stream(config.seed, rng::Concern::Faults),
            timeline: Timeline::new(config.recording),
            step_builder: None,
            rates: quotas::RateLimiter::with_overrides(config.rate_overrides.clone()),
            clients: std::collections::BTreeMap::new(),
            client_rng: rng::stream(config.seed, rng::Concern::Retries),
            client_stats: ClientStats::default(),
            driver: None,
            measuring: false,
            setup_stats: ClientStats::default(),
            successes: None,
            until_prefetch: 0,
            spare_effects: Vec::new(),
            config,
        }
    }

    /// Schedules a call as step `index` at time `at` (not earlier than now).
    pub fn schedule(&mut self, at: SimTime, call: Call, index: usize) {
        let at = at.max(self.now);
        self.queue.push(at, Pending::new(Planned::Call { call, admitted: false }, Origin::Step { index }));
    }

    /// Schedules step `index` at `at`; `builder` makes its call when it is due.
    pub fn schedule_planned(&mut self, at: SimTime, index: usize) {
        let at = at.max(self.now);
        self.queue.push(at, Pending::new(Planned::Step, Origin::Step { index }));
    }

    /// Sets the builder of planned steps.
    pub fn set_step_builder(&mut self, builder: StepBuilder) {
        self.step_builder = Some(builder);
    }

    /// The world as it stands.
    pub fn world(&self) -> &World {
        &self.world
    }
    /// Simulated now.
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// The record so far.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }
    /// Events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
    /// What the callers' retries amounted to (since a plan's first measured phase started).
    pub fn client_stats(&self) -> ClientStats {
        self.client_stats
    }

    /// What the callers of a plan's unmeasured setup did: a setup call that failed means the
    /// measured phases started from another organization than the plan intended.
    pub fn setup_stats(&self) -> ClientStats {
        self.setup_stats
    }

    /// Plays `phases` from now: the first phase starts at once, each later one when the previous
    /// is done (see `driver`). Calls are numbered across the plan like steps.
    pub fn play(&mut self, phases: Vec<Phase>, observer: &mut dyn Observer) {
        self.measuring = false;
        let mut driver = driver::Driver::new(phases);
        let (mut sends, mut started) = (Vec::new(), Vec::new());
        driver.start_next(self.now, &mut sends, &mut started);
        self.driver = Some(driver);
        self.dispatch(sends, started, observer);
    }

    fn dispatch(&mut self, sends: Vec<driver::Send>, started: Vec<(usize, SimTime)>, observer: &mut dyn Observer) {
        if let Some(driver) = &self.driver {
            for (index, at) in started {
                let phase = driver.phase(index);
                if phase.measured && !self.measuring {
                    // Measuring starts here: what the setup's callers did is kept apart.
                    self.measuring = true;
                    self.setup_stats = std::mem::take(&mut self.client_stats);
                    self.queue.reset_peak();
                }
                observer.phase_started(&self.world, at, PhaseStart { index, phase });
            }
        }
        for send in sends {
            let at = self.client_of(&send.call).send_time(send.at);
            self.client_stats.held_back_ms += at.since(send.at).as_ms();
            let planned = Planned::Call { call: send.call, admitted: true };
            self.queue.push(at, Pending::new(planned, Origin::Step { index: send.index }));
        }
    }

    /// Most events waiting at once since measuring started (the whole run without a plan, or from
    /// a plan's first measured phase).
    pub fn measured_peak_queue(&self) -> usize {
        self.queue.peak_len()
    }

    /// The world and the record.
    pub fn into_parts(self) -> (World, Timeline) {
        (self.world, self.timeline)
    }

    /// Runs until quiescence or a limit.
    pub fn run(&mut self, observer: &mut dyn Observer) -> Stop {
        match self.run_until(self.config.limits.max_time, observer) {
            Some(stop) => stop,
            None if self.queue.is_empty() => {
                observer.at_quiescence(&self.world, self.timeline.summary.last_event_at);
                Stop::Quiescent
            }
            None => Stop::TimeLimit(self.config.limits.max_time),
        }
    }

    /// Runs every event at or before `until`; `Some` if the event limit stopped it first. The clock
    /// then stands at `until` (or later, if an event ran later).
    pub fn run_until(&mut self, until: SimTime, observer: &mut dyn Observer) -> Option<Stop> {
        let stop = self.run_events_until(until, observer);
        self.flush_successes();
        stop
    }

    fn run_events_until(&mut self, until: SimTime, observer: &mut dyn Observer) -> Option<Stop> {
        loop {
            if self.timeline.summary.events >= self.config.limits.max_events && !self.queue.is_empty() {
                if self.queue.has_due(until) {
                    return Some(Stop::EventLimit(self.config.limits.max_events));
                }
                break;
            }
            let Some(scheduled) = self.queue.pop_until(until) else {
                // A plan phase waiting for the service to settle starts once nothing is left.
                let waiting = self.driver.as_ref().and_then(|d| d.waiting_since()).filter(|_| self.queue.is_empty());
                match waiting {
                    Some(since) if since.max(self.now) <= until => {
                        self.now = since.max(self.now);
                        let (mut sends, mut started) = (Vec::new(), Vec::new());
                        self.driver.as_mut().expect("waiting").start_next(self.now, &mut sends, &mut started);
                        self.dispatch(sends, started, observer);
                        continue;
                    }
                    _ => break,
                }
            };
            self.step(scheduled, observer);
        }
        self.now = self.now.max(until.min(self.config.limits.max_time));
        None
    }

    /// Counts a successful call: runs of one operation (a policy reaching 170,000 account-Regions)
    /// go into the summary at once.
    fn count_success(&mut self, operation: &'static str) {
        match &mut self.successes {
            Some((name, n)) if *name == operation => *n += 1,
            pending => {
                if let Some((name, n)) = pending.replace((operation, 1)) {
                    self.timeline.summary.add_successes(name, n);
                }
            }
        }
    }

    /// Adds the pending successes to the summary (before anyone reads it).
    fn flush_successes(&mut self) {
        if let Some((name, n)) = self.successes.take() {
            self.timeline.summary.add_successes(name, n);
        }
    }

    /// QUOTA-10: the call's token bucket, when rate limits are on.
    fn admit(&mut self, call: &Call) -> Result<(), rules::ApiError> {
        if self.config.rate_limits { self.rates.admit(call, self.now) } else { Ok(()) }
    }

    fn client_of(&mut self, call: &Call) -> &mut client::Client {
        let config = self.config.client;
        self.clients.entry(client_key(call)).or_insert_with(|| client::Client::new(config))
    }

    /// The caller's side of a step's attempt: retry it, or count it done (and let a plan go on).
    fn after_attempt(
        &mut self,
        index: usize,
        origin: Origin,
        call: &Call,
        outcome: &Outcome,
        observer: &mut dyn Observer,
    ) {
        if self.config.client.mode == RetryMode::Off && self.driver.is_none() {
            let error = outcome.result.as_ref().err();
            self.client_stats.failed += error.is_some() as u64;
            self.client_stats.gave_up += error.and_then(client::classify).is_some() as u64;
            return;
        }
        let attempt = match origin {
            Origin::Retry { attempt, .. } => attempt,
            _ => 1,
        };
        let error = outcome.result.as_ref().err();
        let now = self.now;
        let decision = match self.clients.entry(client_key(call)) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => entry.insert(client::Client::new(self.config.client)),
        }
        .after_attempt(now, attempt, error, &mut self.client_rng);
        match decision {
            client::Decision::Retry { at, backoff, held_back } => {
                self.client_stats.retries += 1;
                self.client_stats.backoff_ms += backoff.as_ms();
                self.client_stats.held_back_ms += held_back.as_ms();
                let origin = Origin::Retry { index, attempt: attempt + 1, backoff };
                let planned = Planned::Call { call: call.clone(), admitted: true };
                self.queue.push(at, Pending::new(planned, origin));
            }
            client::Decision::Done { response_at, gave_up } => {
                self.client_stats.gave_up += gave_up as u64;
                self.client_stats.failed += error.is_some() as u64;
                if let Some(driver) = &mut self.driver {
                    let (mut sends, mut started) = (Vec::new(), Vec::new());
                    driver.job_done(index, response_at, &mut sends, &mut started);
                    self.dispatch(sends, started, observer);
                }
            }
        }
    }

    /// Every `PREFETCH_AHEAD` events, asks for the states of the next `PREFETCH_AHEAD` at once: a
    /// policy reaching 170,000 account-Regions touches them in random order, and each miss (cache
    /// and TLB) would otherwise stall the processor on its own. Eight at a time (two lines each: the
    /// account's placement and its 64-byte state) is about what the core's miss buffers hold: with
    /// 128-byte states, 16 or 32 measured slower, the surplus stalling the prefetches themselves,
    /// and with 64-byte ones 12 and 16 measured no faster; prefetching again as soon as fewer than
    /// eight could be told apart measured slower too.
    fn prefetch_upcoming(&mut self) {
        const PREFETCH_AHEAD: u32 = 8;
        if self.until_prefetch > 0 {
            self.until_prefetch -= 1;
            return;
        }
        self.until_prefetch = PREFETCH_AHEAD - 1;
        for pending in self.queue.upcoming().take(PREFETCH_AHEAD as usize) {
            if let Pending::Work { work, .. } = pending
                && let Some((account, region)) = work.account_region()
            {
                self.world.prefetch(account, region);
            }
        }
    }

    fn step(&mut self, scheduled: queue::Scheduled<Pending>, observer: &mut dyn Observer) {
        self.now = scheduled.at;
        self.prefetch_upcoming();
        let (planned, origin) = scheduled.event.into_parts();
        let (mut call, admitted) = match (planned, origin) {
            (Planned::Work { region, work }, _) => (Call::work(region, work), true),
            (Planned::Call { call, admitted }, _) => (call, admitted),
            (Planned::Step, Origin::Step { index }) => {
                let builder = self.step_builder.as_mut().expect("planned steps need a step builder");
                (builder(&self.world, index), false)
            }
            (Planned::Step, _) => unreachable!("only first attempts of scenario steps are planned"),
        };
        // Adaptive mode holds back a scenario step's first attempt too (its call is built when it
        // was due, and sent when the client lets it go).
        if !admitted && self.config.client.mode == RetryMode::Adaptive && matches!(call.op, Op::Api(_)) {
            let now = self.now;
            let send = self.client_of(&call).send_time(now);
            if send > self.now {
                self.client_stats.held_back_ms += send.since(self.now).as_ms();
                self.queue.push(send, Pending::new(Planned::Call { call, admitted: true }, origin));
                return;
            }
        }
        let faults = self.config.faults;
        let mut injected = None;
        let full = self.config.recording == Recording::Full;
        let role = if full { describe::role(&self.world, &call) } else { None };
        let listed = if full { rules::EffectInterest::ALL } else { observer.effect_interest() };
        let mut outcome = match &call.op {
            Op::Api(_) => match self.admit(&call).err().or_else(|| faults.before_call(&call, &mut self.fault_rng)) {
                Some(error) if error.rule == rules::RuleId::QUOTA_10 => {
                    rejected(error, std::mem::take(&mut self.spare_effects))
                }
                Some(error) => {
                    injected = Some(if error.rule == rules::RuleId::ERR_10 { "throttled" } else { "internal error" });
                    rejected(error, std::mem::take(&mut self.spare_effects))
                }
                None => self.apply(&call, listed),
            },
            Op::Work(_) => {
                if faults.before_work(&mut call, &mut self.fault_rng) {
                    injected = Some("follow-up failure");
                }
                self.apply(&call, listed)
            }
        };
        let number = self.timeline.summary.events + 1;
        self.timeline.summary.count_all_but_success(self.now, &call, &outcome, injected.is_some());
        if outcome.result.is_ok() {
            self.count_success(call.name());
        }
        self.timeline.summary.peak_queue = self.timeline.summary.peak_queue.max(self.queue.peak_len());
        observer.after_event(&self.world, &EventView { number, at: self.now, call: &call, origin, outcome: &outcome });
        // The caller's side comes after the event is counted: a retry, or the plan going on
        // (possibly into its next phase).
        if let (Origin::Step { index } | Origin::Retry { index, .. }, Op::Api(_)) = (origin, &call.op) {
            if let (Origin::Step { .. }, Some(driver)) = (origin, &mut self.driver) {
                let mut sends = Vec::new();
                driver.job_sent(index, self.now, &mut sends);
                self.dispatch(sends, Vec::new(), observer);
            }
            self.after_attempt(index, origin, &call, &outcome, observer);
        }
        if full {
            // Kept for the whole run: give back spare capacity where it is large.
            if outcome.effects.capacity() > 2 * outcome.effects.len() + 4 {
                outcome.effects.shrink_to_fit();
            }
            self.timeline.entries.push(Entry {
                number,
                at: self.now,
                role,
                call,
                origin,
                result: outcome.result,
                effects: outcome.effects,
                injected,
            });
        } else {
            // Counts only: the effects list serves the next event.
            self.spare_effects = outcome.effects;
        }
    }

    /// Applies `call` through the rules engine, listing the effects `listed` asks for; its
    /// follow-ups go straight into the queue, each with a delay drawn in the order the engine
    /// scheduled them.
    fn apply(&mut self, call: &Call, listed: rules::EffectInterest) -> Outcome {
        let effects = std::mem::take(&mut self.spare_effects);
        let mut scheduler = Scheduler {
            queue: &mut self.queue,
            latency: &self.config.latency,
            rng: &mut self.latency_rng,
            now: self.now,
            by: self.timeline.summary.events + 1,
        };
        let (result, effects) = rules::apply_scheduling(
            &mut self.world,
            self.now,
            call,
            effects,
            &mut scheduler,
            &mut self.timeline.summary.effects_by_rule,
            listed,
        );
        // The follow-ups are in the queue already: the outcome lists none.
        Outcome { result, effects, follow_ups: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    /// 170,000 follow-ups wait at once when a root policy fans out: each queue entry is 48 bytes.
    #[test]
    fn a_queued_event_is_48_bytes() {
        assert_eq!(std::mem::size_of::<super::queue::Scheduled<super::Pending>>(), 48);
    }

    /// Follow-up work is stored inline and given back as it went in; anything else, and work of an
    /// event numbered past `u32::MAX`, goes through the box unchanged.
    #[test]
    fn a_queued_event_comes_back_as_it_was_queued() {
        use super::{Origin, Pending, Planned};
        use crate::model::{AccountIdx, RegionIdx, SimTime};
        use crate::rules::{DelayClass, ServiceWork};
        let work = ServiceWork::SettleStandards { account: AccountIdx(3), region: RegionIdx(1) };
        for by in [7, u32::MAX as u64, u32::MAX as u64 + 1, u64::MAX] {
            let origin = Origin::FollowUp { delay: DelayClass::StandardsReady, scheduled_at: SimTime(5), by };
            let pending = Pending::new(Planned::Work { region: RegionIdx(1), work: work.clone() }, origin);
            assert_eq!(matches!(pending, Pending::Work { .. }), by <= u32::MAX as u64, "by {by}");
            let (planned, back) = pending.into_parts();
            assert!(matches!(planned, Planned::Work { region: RegionIdx(1), work: ref w } if *w == work));
            assert_eq!(back, origin);
        }
        let (planned, origin) = Pending::new(Planned::Step, Origin::Step { index: 4 }).into_parts();
        assert!(matches!((planned, origin), (Planned::Step, Origin::Step { index: 4 })));
    }
}
