//! Plans as the simulator plays them: phases of calls that one client issues, either a fixed
//! number at a time (closed loop: the next call goes when a response comes back) or at fixed
//! offsets from the phase's start (open loop: arrivals that do not wait for each other).
//!
//! A phase is done when every call has its final response (after retries). The next phase then
//! starts at once, or, when the finished phase asks to `settle`, once the service has no work
//! left (the queue is empty), as a script polling `Describe*` until the change took would. Polls
//! are not simulated. MODEL CHOICE: waiting for the service is idealized, not polled.

use crate::model::{SimDuration, SimTime};
use crate::rules::Call;

/// How a phase issues its calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issue {
    /// At most this many calls in flight (at least 1).
    Concurrent(usize),
    /// Call `i` is sent at the phase's start plus `offsets[i]` (one non-decreasing offset per
    /// call). Each arrival is queued when the one before it is sent, so a long stream does not
    /// fill the queue up front.
    At(Vec<SimDuration>),
}

/// A phase of a plan.
#[derive(Clone, Debug)]
pub struct Phase {
    /// What the phase does, for reports.
    pub label: String,
    /// Its calls, in issue order.
    pub calls: Vec<Call>,
    /// How they are issued.
    pub issue: Issue,
    /// Whether the next phase waits until the service has no work left.
    pub settle: bool,
    /// Whether metrics count from this phase on (the first measured phase resets them).
    pub measured: bool,
    /// Whether this phase's start changes the goal for every account-Region (exposure windows
    /// open for all of them).
    pub opens_exposure: bool,
}

/// What observers learn when a phase starts.
#[derive(Clone, Copy, Debug)]
pub struct PhaseStart<'a> {
    /// Its position in the plan.
    pub index: usize,
    /// The phase.
    pub phase: &'a Phase,
}

/// The plan being played: where it stands.
pub(super) struct Driver {
    phases: Vec<Phase>,
    /// When the current phase started.
    started_at: SimTime,
    /// Index of the first job of each phase (jobs are numbered across the plan, as steps).
    first_job: Vec<usize>,
    current: Option<usize>,
    next_call: usize,
    outstanding: usize,
    /// The finished phase's last response, when the next phase waits for the service to settle.
    waiting_since: Option<SimTime>,
}

/// A call the driver wants sent.
pub(super) struct Send {
    pub at: SimTime,
    pub index: usize,
    pub call: Call,
}

impl Driver {
    pub(super) fn new(phases: Vec<Phase>) -> Driver {
        let mut first_job = Vec::with_capacity(phases.len());
        let mut total = 0;
        for phase in &phases {
            if let Issue::At(offsets) = &phase.issue {
                assert_eq!(offsets.len(), phase.calls.len(), "phase `{}`: one offset per call", phase.label);
                assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "phase `{}`: offsets go forward", phase.label);
            }
            first_job.push(total);
            total += phase.calls.len();
        }
        Driver {
            phases,
            started_at: SimTime::ZERO,
            first_job,
            current: None,
            next_call: 0,
            outstanding: 0,
            waiting_since: None,
        }
    }

    /// The phase a job belongs to.
    fn phase_of(&self, index: usize) -> usize {
        self.first_job.partition_point(|first| *first <= index) - 1
    }

    /// Starts the next phase at `at`; empty phases finish at once. Returns the calls to send and
    /// the phases started, with their start times (for observers).
    pub(super) fn start_next(&mut self, at: SimTime, sends: &mut Vec<Send>, started: &mut Vec<(usize, SimTime)>) {
        self.waiting_since = None;
        loop {
            let index = self.current.map_or(0, |c| c + 1);
            if index >= self.phases.len() {
                self.current = Some(self.phases.len());
                return;
            }
            self.current = Some(index);
            self.started_at = at;
            started.push((index, at));
            self.next_call = 0;
            let n = self.phases[index].calls.len();
            let width = match &self.phases[index].issue {
                Issue::Concurrent(width) => (*width).max(1).min(n),
                Issue::At(_) => 1.min(n),
            };
            for _ in 0..width {
                self.send_next(at, sends);
            }
            self.outstanding = n;
            if n > 0 {
                return;
            }
            if self.phases[index].settle {
                self.waiting_since = Some(at);
                return;
            }
        }
    }

    fn send_next(&mut self, at: SimTime, sends: &mut Vec<Send>) {
        let phase = self.current.expect("a phase is running");
        let (calls, issue) = (&self.phases[phase].calls, &self.phases[phase].issue);
        if self.next_call >= calls.len() {
            return;
        }
        let at = match issue {
            Issue::Concurrent(_) => at,
            Issue::At(offsets) => self.started_at.after(offsets[self.next_call]).max(at),
        };
        let call = calls[self.next_call].clone();
        sends.push(Send { at, index: self.first_job[phase] + self.next_call, call });
        self.next_call += 1;
    }

    /// Job `index` was sent (its first attempt is being handled) at `now`: an open-loop phase
    /// queues its next arrival.
    pub(super) fn job_sent(&mut self, index: usize, now: SimTime, sends: &mut Vec<Send>) {
        let Some(current) = self.current.filter(|c| *c < self.phases.len()) else { return };
        if self.phase_of(index) == current
            && matches!(self.phases[current].issue, Issue::At(_))
            && index + 1 == self.first_job[current] + self.next_call
        {
            self.send_next(now, sends);
        }
    }

    /// Job `index` has its final response at `response_at`.
    pub(super) fn job_done(
        &mut self,
        index: usize,
        response_at: SimTime,
        sends: &mut Vec<Send>,
        started: &mut Vec<(usize, SimTime)>,
    ) {
        let Some(current) = self.current else { return };
        if current >= self.phases.len() || self.phase_of(index) != current {
            return;
        }
        self.outstanding -= 1;
        if matches!(self.phases[current].issue, Issue::Concurrent(_)) {
            self.send_next(response_at, sends);
        }
        if self.outstanding == 0 {
            if self.phases[current].settle {
                self.waiting_since = Some(response_at);
            } else {
                self.start_next(response_at, sends, started);
            }
        }
    }

    /// When the queue has emptied: the time the next phase may start, if one waits for that.
    pub(super) fn waiting_since(&self) -> Option<SimTime> {
        self.waiting_since
    }

    /// The phase `index`.
    pub(super) fn phase(&self, index: usize) -> &Phase {
        &self.phases[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, RegionIdx};
    use crate::rules::Operation;

    fn calls(n: usize) -> Vec<Call> {
        let describe: Operation = serde_json::from_value(serde_json::json!({"Operation": "DescribeHub"})).unwrap();
        (0..n).map(|_| Call::by(AccountId::parse("111111111111").unwrap(), RegionIdx(0), describe.clone())).collect()
    }

    fn phase(n: usize, issue: Issue, settle: bool) -> Phase {
        Phase { label: "test".into(), calls: calls(n), issue, settle, measured: true, opens_exposure: false }
    }

    fn indices(sends: &[Send]) -> Vec<(usize, u64)> {
        sends.iter().map(|s| (s.index, s.at.as_ms())).collect()
    }

    #[test]
    fn a_closed_loop_keeps_its_width_in_flight_and_the_next_phase_follows_the_last_response() {
        let mut driver =
            Driver::new(vec![phase(3, Issue::Concurrent(2), false), phase(1, Issue::Concurrent(1), false)]);
        let (mut sends, mut started) = (Vec::new(), Vec::new());
        driver.start_next(SimTime(0), &mut sends, &mut started);
        assert_eq!((indices(&sends), started.clone()), (vec![(0, 0), (1, 0)], vec![(0, SimTime(0))]));
        sends.clear();
        driver.job_done(1, SimTime(150), &mut sends, &mut started);
        assert_eq!(indices(&sends), vec![(2, 150)], "a freed slot sends the next call");
        sends.clear();
        driver.job_done(0, SimTime(200), &mut sends, &mut started);
        assert!(sends.is_empty());
        driver.job_done(2, SimTime(400), &mut sends, &mut started);
        assert_eq!(indices(&sends), vec![(3, 400)]);
        assert_eq!(started.last(), Some(&(1, SimTime(400))));
    }

    #[test]
    fn an_open_loop_queues_each_arrival_when_the_previous_is_sent() {
        let offsets = vec![SimDuration(0), SimDuration(1_000), SimDuration(1_000), SimDuration(5_000)];
        let mut driver = Driver::new(vec![phase(4, Issue::At(offsets), false)]);
        let (mut sends, mut started) = (Vec::new(), Vec::new());
        driver.start_next(SimTime(100), &mut sends, &mut started);
        assert_eq!(indices(&sends), vec![(0, 100)]);
        for (index, expected) in [(0, (1, 1_100)), (1, (2, 1_100)), (2, (3, 5_100))] {
            sends.clear();
            driver.job_sent(index, SimTime(100 + index as u64), &mut sends);
            assert_eq!(indices(&sends), vec![expected]);
        }
        sends.clear();
        driver.job_sent(3, SimTime(5_100), &mut sends);
        assert!(sends.is_empty(), "the stream is over");
    }

    #[test]
    fn a_settling_phase_waits_for_the_queue_to_empty() {
        let mut driver = Driver::new(vec![phase(1, Issue::Concurrent(1), true), phase(1, Issue::Concurrent(1), false)]);
        let (mut sends, mut started) = (Vec::new(), Vec::new());
        driver.start_next(SimTime(0), &mut sends, &mut started);
        sends.clear();
        driver.job_done(0, SimTime(120), &mut sends, &mut started);
        assert!(sends.is_empty());
        assert_eq!(driver.waiting_since(), Some(SimTime(120)));
        driver.start_next(SimTime(9_000), &mut sends, &mut started);
        assert_eq!(indices(&sends), vec![(1, 9_000)]);
        assert_eq!(driver.waiting_since(), None);
    }
}
