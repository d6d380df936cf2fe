//! The event queue: events ordered by (time, sequence number taken at scheduling), so that events
//! at the same instant run in the order they were scheduled, never in heap order.
//!
//! Time never goes backwards in a simulation, so the queue is a monotone radix heap on time alone,
//! with 8-bit digits: an event waits in the bucket named by the highest byte in which its time
//! differs from the `floor` (the time of the earliest events, those in `due`) and by its
//! value of that digit. Taking the next event when `due` is empty refills it from the first
//! non-empty bucket, whose events all move to buckets of lower digits; an event moves at most once
//! per byte of its delay (two to four times for delays of seconds to days, where a binary radix
//! heap moves it up to thirty times), and the buckets are read and written sequentially
//! (cache-friendly at 100,000+ waiting events). Pushes are O(1).
//!
//! Ties: every bucket, and so `due`, holds its events in sequence order, so events at the same
//! instant come out in the order they were scheduled. A push earlier than the floor (a caller that looked ahead with `peek` or
//! `pop_until` and then scheduled something sooner) rebuilds the buckets around the new floor.

use std::collections::VecDeque;

use crate::model::SimTime;

/// An event taken from the queue.
#[derive(Debug)]
pub struct Scheduled<E> {
    /// When it runs.
    pub at: SimTime,
    /// Scheduling order; ties on `at` are broken by it.
    pub seq: u64,
    /// The event.
    pub event: E,
}

/// Bits per digit.
const DIGIT_BITS: u32 = 8;
/// Values of a digit.
const RADIX: usize = 1 << DIGIT_BITS;
/// Bucket `RADIX * d + v` holds the events whose time first differs from the floor in digit `d`,
/// where their digit is `v`.
const BUCKETS: usize = RADIX * (u64::BITS / DIGIT_BITS) as usize;

/// A min-queue on (time, seq).
pub struct EventQueue<E> {
    /// The time of the events in `due`; no event waits earlier.
    floor: u64,
    /// The events at `floor`, in sequence order.
    due: VecDeque<Scheduled<E>>,
    buckets: Vec<Vec<Scheduled<E>>>,
    /// One bit per bucket: whether it holds an event.
    occupied: [u64; BUCKETS / 64],
    len: usize,
    next_seq: u64,
    peak: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            floor: 0,
            due: VecDeque::new(),
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: [0; BUCKETS / 64],
            len: 0,
            next_seq: 0,
            peak: 0,
        }
    }
}

/// The bucket of `time` relative to `floor` (`time > floor`).
fn bucket_of(time: u64, floor: u64) -> usize {
    debug_assert!(time > floor);
    let digit = (u64::BITS - 1 - (time ^ floor).leading_zeros()) / DIGIT_BITS;
    let value = (time >> (digit * DIGIT_BITS)) as usize & (RADIX - 1);
    RADIX * digit as usize + value
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at`; returns its sequence number.
    pub fn push(&mut self, at: SimTime, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let time = at.as_ms();
        if time < self.floor {
            self.lower_floor(time);
        }
        self.place(Scheduled { at, seq, event });
        self.len += 1;
        self.peak = self.peak.max(self.len);
        seq
    }

    /// Puts an event where it belongs relative to the floor (never earlier than the floor).
    fn place(&mut self, scheduled: Scheduled<E>) {
        let time = scheduled.at.as_ms();
        if time == self.floor {
            self.due.push_back(scheduled);
        } else {
            let bucket = bucket_of(time, self.floor);
            self.occupied[bucket / 64] |= 1 << (bucket % 64);
            self.buckets[bucket].push(scheduled);
        }
    }

    /// Moves the floor down to `time`: every waiting event is placed afresh (O(n log n); only a
    /// caller that looked ahead and then scheduled something sooner gets here).
    fn lower_floor(&mut self, time: u64) {
        let mut waiting: Vec<Scheduled<E>> = self.due.drain(..).collect();
        for bucket in &mut self.buckets {
            waiting.append(bucket);
        }
        self.occupied = [0; BUCKETS / 64];
        waiting.sort_by_key(|s| s.seq);
        self.floor = time;
        for scheduled in waiting {
            self.place(scheduled);
        }
    }

    /// Makes `due` non-empty, unless the queue is.
    fn refill(&mut self) {
        if !self.due.is_empty() {
            return;
        }
        let Some(word) = self.occupied.iter().position(|w| *w != 0) else { return };
        let first = word * 64 + self.occupied[word].trailing_zeros() as usize;
        self.occupied[word] &= !(1 << (first % 64));
        let mut moving = std::mem::take(&mut self.buckets[first]);
        self.floor = moving.iter().map(|s| s.at.as_ms()).min().expect("non-empty bucket");
        for scheduled in moving.drain(..) {
            self.place(scheduled);
        }
        // Hand the emptied allocation back: the bucket fills again soon.
        self.buckets[first] = moving;
        // Every bucket is in sequence order (pushes append the newest; a refill moves one bucket,
        // in order, into lower ones, which are empty then; `lower_floor` places in order), so
        // `due` is too.
        debug_assert!(self.due.iter().is_sorted_by_key(|s| s.seq));
    }

    /// The next event, without taking it.
    pub fn peek(&mut self) -> Option<&Scheduled<E>> {
        self.refill();
        self.due.front()
    }

    /// The events that come next, in order, as far as they can be told without moving any: those
    /// in `due`, then those in the lowest digit's buckets (each holds one time). A look-ahead that
    /// leaves the floor where it is, so that pushes at any time from now on stay cheap.
    pub fn upcoming(&self) -> impl Iterator<Item = &E> {
        let lowest = self.occupied[..RADIX / 64].iter().enumerate().flat_map(|(word, bits)| {
            let mut bits = *bits;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    word * 64 + bit
                })
            })
        });
        self.due.iter().chain(lowest.flat_map(|bucket| self.buckets[bucket].iter())).map(|s| &s.event)
    }

    /// Removes the earliest event.
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        self.refill();
        let scheduled = self.due.pop_front()?;
        self.len -= 1;
        Some(scheduled)
    }

    /// Removes the earliest event if it is due at or before `until`.
    pub fn pop_until(&mut self, until: SimTime) -> Option<Scheduled<E>> {
        if self.peek()?.at > until {
            return None;
        }
        self.pop()
    }

    /// Whether an event is due at or before `until`.
    pub fn has_due(&mut self, until: SimTime) -> bool {
        self.peek().is_some_and(|s| s.at <= until)
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The most events waiting at once since the queue was made or `reset_peak` was called.
    pub fn peak_len(&self) -> usize {
        self.peak
    }
    /// Starts counting the peak afresh from the current length.
    pub fn reset_peak(&mut self) {
        self.peak = self.len;
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn ties_pop_in_scheduling_order() {
        let mut queue = EventQueue::default();
        queue.push(SimTime(5), "b");
        queue.push(SimTime(1), "a");
        queue.push(SimTime(5), "c");
        queue.push(SimTime(5), "d");
        assert!(queue.pop_until(SimTime(0)).is_none());
        let order: Vec<_> = std::iter::from_fn(|| queue.pop().map(|s| s.event)).collect();
        assert_eq!(order, vec!["a", "b", "c", "d"]);
        assert_eq!(queue.peak_len(), 4);
    }

    #[test]
    fn a_push_before_the_floor_still_comes_out_first() {
        let mut queue = EventQueue::default();
        queue.push(SimTime(100), "late");
        queue.push(SimTime(100), "late too");
        assert!(queue.pop_until(SimTime(10)).is_none(), "the look-ahead raised the floor to 100");
        queue.push(SimTime(20), "sooner");
        queue.push(SimTime(100), "latest");
        let order: Vec<_> = std::iter::from_fn(|| queue.pop().map(|s| s.event)).collect();
        assert_eq!(order, vec!["sooner", "late", "late too", "latest"]);
    }

    /// The look-ahead names the next events in the order they will come out, whatever else waits.
    #[test]
    fn upcoming_is_a_prefix_of_what_pops_next() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut seen_lookahead = 0;
        for _ in 0..200 {
            let mut queue = EventQueue::default();
            for id in 0..rng.random_range(1..300u32) {
                let spread = [2u64, 300, 100_000][rng.random_range(0..3)];
                queue.push(SimTime(rng.random_range(0..spread)), id);
            }
            for _ in 0..rng.random_range(0..5) {
                queue.pop();
            }
            let upcoming: Vec<u32> = queue.upcoming().copied().collect();
            let popped: Vec<u32> = std::iter::from_fn(|| queue.pop().map(|s| s.event)).collect();
            assert_eq!(upcoming[..], popped[..upcoming.len()]);
            seen_lookahead += upcoming.len();
        }
        assert!(seen_lookahead > 1_000, "the look-ahead reaches past `due`: {seen_lookahead}");
    }

    /// Against a sort by (time, seq): random pushes interleaved with pops and look-aheads, times
    /// that collide often and span every bucket.
    #[test]
    fn pops_in_time_then_scheduling_order_like_a_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for round in 0..50 {
            let mut queue = EventQueue::default();
            let mut reference: Vec<(u64, u64)> = Vec::new();
            let mut popped = Vec::new();
            let mut expected = Vec::new();
            let mut now = 0u64;
            for _ in 0..2_000 {
                match rng.random_range(0..10) {
                    0..6 => {
                        let spread = [3u64, 1_000, 1 << 40][rng.random_range(0..3)];
                        let at = now + rng.random_range(0..spread);
                        let seq = queue.push(SimTime(at), at);
                        reference.push((at, seq));
                    }
                    6..8 => {
                        let until = now + rng.random_range(0..50);
                        let _ = queue.has_due(SimTime(until));
                        if round % 2 == 0 {
                            // The scenario runner's pattern: look ahead, then schedule at `until`.
                            let seq = queue.push(SimTime(until), until);
                            reference.push((until, seq));
                        }
                    }
                    _ => {
                        if let Some(s) = queue.pop() {
                            reference.sort();
                            let first = reference.remove(0);
                            expected.push(first);
                            popped.push((s.at.as_ms(), s.seq));
                            assert_eq!(s.event, s.at.as_ms());
                            now = s.at.as_ms();
                        }
                    }
                }
                assert_eq!(queue.len(), reference.len());
            }
            while let Some(s) = queue.pop() {
                popped.push((s.at.as_ms(), s.seq));
            }
            reference.sort();
            expected.extend(reference);
            assert_eq!(popped, expected, "round {round}");
        }
    }
}
