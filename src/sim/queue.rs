//! The event queue: events ordered by time, and events at the same instant in the order they were
//! scheduled, never in heap order.
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
//! A bucket is a chain of fixed-size blocks drawn from one pool: a refill hands the blocks it
//! empties back to the pool, and the buckets it fills (or later pushes) take them from there. So the
//! queue's memory follows the events waiting, not the most each bucket ever held, and a bucket
//! never grows by copying (a root policy's 170,000 follow-ups pass through three levels of buckets).
//!
//! Ties: every bucket, and so `due`, holds its events in scheduling order (pushes append the newest;
//! a refill moves one bucket, in order, into lower ones, which are empty then), so events at the
//! same instant come out in the order they were scheduled without the queue storing any sequence
//! number: an entry is its time and its event (64 bytes for the simulator's events).
//!
//! Only taking an event moves the floor; looking ahead (`peek_time`, `pop_until`, `has_due`)
//! leaves it where it is. So every push is at or after the floor, because a simulation never
//! schedules anything before the event it is running.

use std::collections::VecDeque;

use crate::model::SimTime;

/// An event taken from the queue.
#[derive(Debug)]
pub struct Scheduled<E> {
    /// When it runs.
    pub at: SimTime,
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

/// Events per block (2 KiB of the simulator's 64-byte entries).
const BLOCK: usize = 32;
/// No block.
const NONE: u32 = u32::MAX;

/// Up to `BLOCK` events of one bucket, in scheduling order; a bucket's blocks are chained.
struct Block<E> {
    /// Allocated once with room for `BLOCK` events, and kept when the block is emptied.
    entries: Vec<Scheduled<E>>,
    next: u32,
}

/// A bucket: its first and last blocks (`NONE` when empty).
#[derive(Clone, Copy)]
struct Chain {
    head: u32,
    tail: u32,
}

impl Chain {
    const EMPTY: Chain = Chain { head: NONE, tail: NONE };
}

/// A min-queue on time; ties in scheduling order.
pub struct EventQueue<E> {
    /// The time of the events in `due`; no event waits earlier.
    floor: u64,
    /// The events at `floor`, in scheduling order.
    due: VecDeque<Scheduled<E>>,
    buckets: Vec<Chain>,
    /// Every block, chained into buckets or free.
    blocks: Vec<Block<E>>,
    /// Emptied blocks, reused most recent first.
    free: Vec<u32>,
    /// One bit per bucket: whether it holds an event.
    occupied: [u64; BUCKETS / 64],
    len: usize,
    peak: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            floor: 0,
            due: VecDeque::new(),
            buckets: vec![Chain::EMPTY; BUCKETS],
            blocks: Vec::new(),
            free: Vec::new(),
            occupied: [0; BUCKETS / 64],
            len: 0,
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
    /// Schedules `event` at `at`, which is not before the last event taken. Events at the same
    /// time come out in the order they were pushed.
    pub fn push(&mut self, at: SimTime, event: E) {
        assert!(
            at.as_ms() >= self.floor,
            "an event scheduled at {at}, before the event last taken (time never goes backwards)"
        );
        self.place(Scheduled { at, event });
        self.len += 1;
        self.peak = self.peak.max(self.len);
    }

    /// Puts an event where it belongs relative to the floor (never earlier than the floor).
    fn place(&mut self, scheduled: Scheduled<E>) {
        let time = scheduled.at.as_ms();
        if time == self.floor {
            self.due.push_back(scheduled);
        } else {
            let bucket = bucket_of(time, self.floor);
            self.occupied[bucket / 64] |= 1 << (bucket % 64);
            let tail = self.buckets[bucket].tail;
            let block = if tail != NONE && self.blocks[tail as usize].entries.len() < BLOCK {
                tail
            } else {
                self.append_block(bucket)
            };
            self.blocks[block as usize].entries.push(scheduled);
        }
    }

    /// Chains a free block (or a new one) to the end of `bucket`.
    fn append_block(&mut self, bucket: usize) -> u32 {
        let block = self.free.pop().unwrap_or_else(|| {
            self.blocks.push(Block { entries: Vec::with_capacity(BLOCK), next: NONE });
            (self.blocks.len() - 1) as u32
        });
        self.blocks[block as usize].next = NONE;
        let chain = &mut self.buckets[bucket];
        let tail = std::mem::replace(&mut chain.tail, block);
        if tail == NONE {
            chain.head = block;
        } else {
            self.blocks[tail as usize].next = block;
        }
        block
    }

    /// The events of the bucket whose first block is `head`, in scheduling order.
    fn chain(&self, head: u32) -> impl Iterator<Item = &Scheduled<E>> {
        std::iter::successors((head != NONE).then_some(head), |block| {
            let next = self.blocks[*block as usize].next;
            (next != NONE).then_some(next)
        })
        .flat_map(|block| self.blocks[block as usize].entries.iter())
    }

    /// The lowest bucket holding an event (the earliest ones wait there when `due` is empty).
    fn first_occupied(&self) -> Option<usize> {
        let word = self.occupied.iter().position(|w| *w != 0)?;
        Some(word * 64 + self.occupied[word].trailing_zeros() as usize)
    }

    /// Makes `due` non-empty, unless the queue is.
    fn refill(&mut self) {
        if !self.due.is_empty() {
            return;
        }
        let Some(first) = self.first_occupied() else { return };
        self.occupied[first / 64] &= !(1 << (first % 64));
        let moving = std::mem::replace(&mut self.buckets[first], Chain::EMPTY);
        // A lowest-digit bucket holds one time, and all of it becomes due.
        let one_time = first < RADIX;
        self.floor = if one_time {
            self.blocks[moving.head as usize].entries[0].at.as_ms()
        } else {
            self.chain(moving.head).map(|s| s.at.as_ms()).min().expect("non-empty bucket")
        };
        let mut block = moving.head;
        while block != NONE {
            let mut entries = std::mem::take(&mut self.blocks[block as usize].entries);
            if one_time {
                self.due.extend(entries.drain(..));
            } else {
                for scheduled in entries.drain(..) {
                    self.place(scheduled);
                }
            }
            // Back to the pool, its room kept: the buckets being filled take it next.
            let emptied = &mut self.blocks[block as usize];
            emptied.entries = entries;
            self.free.push(block);
            block = emptied.next;
        }
    }

    /// When the next event is due, without taking it or moving any: the first of `due`, or the
    /// earliest in the first occupied bucket (all of a lowest-digit bucket's events share one
    /// time; a higher bucket is scanned, and its events move when the next one is taken anyway).
    pub fn peek_time(&self) -> Option<SimTime> {
        if let Some(next) = self.due.front() {
            return Some(next.at);
        }
        let first = self.first_occupied()?;
        let head = self.buckets[first].head;
        if first < RADIX {
            Some(self.blocks[head as usize].entries[0].at)
        } else {
            self.chain(head).map(|s| s.at).min()
        }
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
        self.due.iter().chain(lowest.flat_map(|bucket| self.chain(self.buckets[bucket].head))).map(|s| &s.event)
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
        if self.peek_time()? > until {
            return None;
        }
        self.pop()
    }

    /// Whether an event is due at or before `until`.
    pub fn has_due(&self, until: SimTime) -> bool {
        self.peek_time().is_some_and(|at| at <= until)
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
    fn looking_ahead_leaves_room_to_schedule_sooner() {
        let mut queue = EventQueue::default();
        queue.push(SimTime(100), "late");
        queue.push(SimTime(100), "late too");
        assert!(queue.pop_until(SimTime(10)).is_none(), "nothing is due by 10");
        assert!(!queue.has_due(SimTime(99)));
        assert_eq!(queue.peek_time(), Some(SimTime(100)));
        queue.push(SimTime(20), "sooner");
        queue.push(SimTime(100), "latest");
        let order: Vec<_> = std::iter::from_fn(|| queue.pop().map(|s| s.event)).collect();
        assert_eq!(order, vec!["sooner", "late", "late too", "latest"]);
    }

    /// Looking ahead into a bucket of a higher digit finds its earliest event, wherever it sits.
    #[test]
    fn peek_time_finds_the_earliest_event_of_a_wide_bucket() {
        let mut queue = EventQueue::default();
        queue.push(SimTime(800), "later");
        queue.push(SimTime(770), "sooner");
        assert_eq!(queue.peek_time(), Some(SimTime(770)));
        assert!(queue.has_due(SimTime(780)));
        assert!(!queue.has_due(SimTime(769)));
        assert_eq!(queue.pop_until(SimTime(780)).map(|s| s.event), Some("sooner"));
    }

    /// The earliest event of a wide bucket is found when it sits in a later block than the first.
    #[test]
    fn peek_time_looks_through_every_block_of_a_wide_bucket() {
        let mut queue = EventQueue::default();
        for id in 0..(2 * BLOCK as u32 + 5) {
            queue.push(SimTime(800), id);
        }
        queue.push(SimTime(770), u32::MAX);
        assert_eq!(queue.peek_time(), Some(SimTime(770)));
        assert_eq!(queue.pop().map(|s| s.event), Some(u32::MAX));
        assert_eq!(queue.pop().map(|s| (s.at, s.event)), Some((SimTime(800), 0)));
    }

    /// A bucket of many blocks keeps its events in scheduling order, and the blocks a refill empties
    /// serve later pushes: the queue's memory follows what waits, not what each bucket once held.
    #[test]
    fn blocks_keep_order_and_are_reused() {
        let mut queue = EventQueue::default();
        for round in 0..3u64 {
            let start = round * 10_000_000;
            // 2,000 events in one wide bucket, at 40 distinct times, pushed out of time order.
            for id in 0..2_000u64 {
                queue.push(SimTime(start + 1_000_000 + (id * 7919) % 40), (round, id));
            }
            let popped: Vec<(u64, u64)> = std::iter::from_fn(|| queue.pop().map(|s| s.event)).collect();
            let mut expected: Vec<(u64, u64)> = (0..2_000).map(|id| (round, id)).collect();
            expected.sort_by_key(|(_, id)| ((id * 7919) % 40, *id));
            assert_eq!(popped, expected, "round {round}");
        }
        assert!(queue.blocks.len() <= 2 * (2_000 / BLOCK + 40), "blocks reused: {}", queue.blocks.len());
        assert_eq!(queue.free.len(), queue.blocks.len(), "every block is free once the queue is empty");
    }

    #[test]
    #[should_panic(expected = "time never goes backwards")]
    fn scheduling_before_the_last_event_taken_is_refused() {
        let mut queue = EventQueue::default();
        queue.push(SimTime(100), "taken");
        queue.pop();
        queue.push(SimTime(99), "too early");
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

    /// Against a sort by (time, push order): random pushes interleaved with pops and look-aheads, times
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
            let mut pushed = 0u64;
            for _ in 0..2_000 {
                match rng.random_range(0..10) {
                    0..6 => {
                        let spread = [3u64, 1_000, 1 << 40][rng.random_range(0..3)];
                        let at = now + rng.random_range(0..spread);
                        queue.push(SimTime(at), (at, pushed));
                        reference.push((at, pushed));
                        pushed += 1;
                    }
                    6..8 => {
                        let until = now + rng.random_range(0..50);
                        let earliest = reference.iter().map(|(at, _)| *at).min();
                        assert_eq!(queue.peek_time(), earliest.map(SimTime));
                        assert_eq!(queue.has_due(SimTime(until)), earliest.is_some_and(|at| at <= until));
                        if round % 2 == 0 {
                            // The scenario runner's pattern: look ahead, then schedule at `until`.
                            queue.push(SimTime(until), (until, pushed));
                            reference.push((until, pushed));
                            pushed += 1;
                        }
                    }
                    _ => {
                        if let Some(s) = queue.pop() {
                            reference.sort();
                            let first = reference.remove(0);
                            expected.push(first);
                            popped.push(s.event);
                            assert_eq!(s.event.0, s.at.as_ms());
                            now = s.at.as_ms();
                        }
                    }
                }
                assert_eq!(queue.len(), reference.len());
            }
            while let Some(s) = queue.pop() {
                popped.push(s.event);
            }
            reference.sort();
            expected.extend(reference);
            assert_eq!(popped, expected, "round {round}");
        }
    }
}
