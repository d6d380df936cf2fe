//! The event queue: events ordered by time, and events at the same instant in the order they were
//! scheduled, never in heap order.
//!
//! Time never goes backwards in a simulation, so the queue is a monotone radix heap on time alone,
//! with 11-bit digits, whose lowest digit is a sorted run:
//!
//! - `due` holds, sorted by time, every waiting event of the current *window*: the 2,048 ms that
//!   share all but the lowest digit with `base`. A push into the window is placed by binary search
//!   (nearly always at the end: a follow-up runs after what is already due).
//! - Every later event waits in the bucket named by the highest digit in which its time differs
//!   from `base`, and by its value of that digit. Taking the next event when `due` is empty makes
//!   the first non-empty bucket's window the current one: a bucket of the second digit is one
//!   window, sorted into `due` at once (a counting sort on the offset in the window, or for few
//!   events a sort of small keys; events themselves are never shuffled around); a higher one
//!   moves its events to the buckets of lower digits, and those of its earliest window into `due`.
//!
//! An event is written into one bucket and then into `due`, and once more for each further digit
//! in which its time differs from the current window (a second digit spans 70 minutes). A root
//! policy's 170,000 applications, one to fifteen minutes out, are each written about twice, where
//! radix heaps with 8-bit digits write them four times; and a window (about 400 of those events)
//! stays in the first-level cache while it is sorted. Pushes are O(1) outside
//! the window, and buckets are read and written sequentially.
//!
//! A bucket is a chain of fixed-size blocks drawn from one pool: a refill hands the blocks it
//! empties back to the pool, and the buckets it fills (or later pushes) take them from there. So the
//! queue's memory follows the events waiting, not the most each bucket ever held, and a bucket
//! never grows by copying.
//!
//! Ties: every bucket holds its events in scheduling order (pushes append the newest; a refill
//! moves one bucket, in order, into lower ones, which are empty then), and `due` is sorted stably
//! (by time, then by position in the bucket) or inserted into after every event at the same time;
//! so events at the same instant come out in the order they were scheduled without the queue
//! storing any sequence number: an entry is its time and its event (48 bytes for the simulator's
//! events).
//!
//! Only taking an event moves `base`; looking ahead (`peek_time`, `pop_until`, `has_due`) leaves it
//! where it is. So every push is at or after `base`, because a simulation never schedules anything
//! before the event it is running (`push` refuses it).

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
const DIGIT_BITS: u32 = 11;
/// Values of a digit, and milliseconds in a window.
const RADIX: usize = 1 << DIGIT_BITS;
/// Digits of a 64-bit time (the highest one partial).
const DIGITS: usize = (u64::BITS as usize).div_ceil(DIGIT_BITS as usize);
/// Bucket `RADIX * d + v` holds the events whose time first differs from `base` in digit `d`
/// (at least 1: digit 0 is `due`), where their digit is `v`.
const BUCKETS: usize = RADIX * DIGITS;
/// 64-bit words of the occupancy bit set: one bit per bucket.
const WORDS: usize = BUCKETS / 64;

/// Below this many events, a window's events are sorted by comparison, not by counting (the
/// offset, 11 bits, and the position, below this, share a 32-bit key).
const SMALL_WINDOW: usize = 128;

/// Events per block (1.5 KiB of the simulator's 48-byte entries).
const BLOCK: usize = 32;
/// No block: block 0 is never used, so that the bucket table starts zeroed (its pages are only
/// touched where buckets are used).
const NONE: u32 = 0;

/// Up to `BLOCK` events of one bucket, in scheduling order; a bucket's blocks are chained.
struct Block<E> {
    /// Allocated once with room for `BLOCK` events, and kept when the block is emptied.
    entries: Vec<Scheduled<E>>,
    next: u32,
}

/// A min-queue on time; ties in scheduling order.
pub struct EventQueue<E> {
    /// The start of the current window (its lowest digit zero); no event waits earlier.
    base: u64,
    /// The time of the event last taken: nothing may be scheduled earlier.
    taken: u64,
    /// The events of the current window, sorted by time, ties in scheduling order.
    due: VecDeque<Scheduled<E>>,
    /// First block of each bucket (`NONE` when empty).
    heads: Vec<u32>,
    /// Last block of each bucket.
    tails: Vec<u32>,
    /// Every block, chained into buckets or free; `blocks[0]` is a placeholder.
    blocks: Vec<Block<E>>,
    /// Emptied blocks, reused most recent first.
    free: Vec<u32>,
    /// One bit per bucket: whether it holds an event.
    occupied: Box<[u64; WORDS]>,
    /// One bit per word of `occupied`: whether it is non-zero.
    summary: [u64; WORDS.div_ceil(64)],
    /// A refill's events of the new window, in scheduling order, before they are sorted into `due`.
    staged: Vec<Option<Scheduled<E>>>,
    /// Counting sort of `staged`: where each offset in the window starts in `order`.
    starts: Vec<u32>,
    /// Counting sort of `staged`: positions in `staged`, sorted.
    order: Vec<u32>,
    len: usize,
    peak: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            base: 0,
            taken: 0,
            due: VecDeque::new(),
            heads: vec![NONE; BUCKETS],
            tails: vec![NONE; BUCKETS],
            blocks: vec![Block { entries: Vec::new(), next: NONE }],
            free: Vec::new(),
            occupied: Box::new([0; WORDS]),
            summary: [0; WORDS.div_ceil(64)],
            staged: Vec::new(),
            starts: Vec::new(),
            order: Vec::new(),
            len: 0,
            peak: 0,
        }
    }
}

/// The window of `time`: the time with its lowest digit zero.
fn window_of(time: u64) -> u64 {
    time & !(RADIX as u64 - 1)
}

/// The bucket of `time` relative to `base`, for a time past `base`'s window.
fn bucket_of(time: u64, base: u64) -> usize {
    debug_assert!(time >= base && window_of(time) != base);
    let digit = (u64::BITS - 1 - (time ^ base).leading_zeros()) / DIGIT_BITS;
    let value = (time >> (digit * DIGIT_BITS)) as usize & (RADIX - 1);
    RADIX * digit as usize + value
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at`, which is not before the last event taken. Events at the same
    /// time come out in the order they were pushed.
    pub fn push(&mut self, at: SimTime, event: E) {
        assert!(
            at.as_ms() >= self.taken,
            "an event scheduled at {at}, before the event last taken (time never goes backwards)"
        );
        let scheduled = Scheduled { at, event };
        if window_of(at.as_ms()) == self.base {
            // After every waiting event at the same time or earlier: it was scheduled last.
            if self.due.back().is_none_or(|last| last.at <= at) {
                self.due.push_back(scheduled);
            } else {
                let position = self.due.partition_point(|s| s.at <= at);
                self.due.insert(position, scheduled);
            }
        } else {
            self.place(scheduled);
        }
        self.len += 1;
        self.peak = self.peak.max(self.len);
    }

    /// Appends an event past the current window to its bucket.
    fn place(&mut self, scheduled: Scheduled<E>) {
        let bucket = bucket_of(scheduled.at.as_ms(), self.base);
        self.mark(bucket);
        let tail = self.tails[bucket];
        let block = if tail != NONE && self.blocks[tail as usize].entries.len() < BLOCK {
            tail
        } else {
            self.append_block(bucket)
        };
        self.blocks[block as usize].entries.push(scheduled);
    }

    /// Records that `bucket` holds an event.
    fn mark(&mut self, bucket: usize) {
        self.occupied[bucket / 64] |= 1 << (bucket % 64);
        self.summary[bucket / (64 * 64)] |= 1 << (bucket / 64 % 64);
    }

    /// Records that `bucket` is empty.
    fn unmark(&mut self, bucket: usize) {
        let word = &mut self.occupied[bucket / 64];
        *word &= !(1 << (bucket % 64));
        if *word == 0 {
            self.summary[bucket / (64 * 64)] &= !(1 << (bucket / 64 % 64));
        }
    }

    /// Chains a free block (or a new one) to the end of `bucket`.
    fn append_block(&mut self, bucket: usize) -> u32 {
        let block = self.free.pop().unwrap_or_else(|| {
            self.blocks.push(Block { entries: Vec::with_capacity(BLOCK), next: NONE });
            (self.blocks.len() - 1) as u32
        });
        self.blocks[block as usize].next = NONE;
        let tail = std::mem::replace(&mut self.tails[bucket], block);
        if tail == NONE {
            self.heads[bucket] = block;
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
        let (part, bits) = self.summary.iter().enumerate().find(|(_, bits)| **bits != 0)?;
        let word = part * 64 + bits.trailing_zeros() as usize;
        Some(word * 64 + self.occupied[word].trailing_zeros() as usize)
    }

    /// Makes `due` non-empty, unless the queue is: the first occupied bucket's earliest window
    /// becomes the current one.
    fn refill(&mut self) {
        if !self.due.is_empty() {
            return;
        }
        let Some(first) = self.first_occupied() else { return };
        self.unmark(first);
        let head = std::mem::replace(&mut self.heads[first], NONE);
        self.tails[first] = NONE;
        // A bucket of the second digit is one window; a higher one starts where its earliest
        // event's window does.
        let earliest = if first < 2 * RADIX {
            self.blocks[head as usize].entries[0].at.as_ms()
        } else {
            self.chain(head).map(|s| s.at.as_ms()).min().expect("non-empty bucket")
        };
        self.base = window_of(earliest);
        let mut block = head;
        while block != NONE {
            let mut entries = std::mem::take(&mut self.blocks[block as usize].entries);
            for scheduled in entries.drain(..) {
                if window_of(scheduled.at.as_ms()) == self.base {
                    self.staged.push(Some(scheduled));
                } else {
                    self.place(scheduled);
                }
            }
            // Back to the pool, its room kept: the buckets being filled take it next.
            let emptied = &mut self.blocks[block as usize];
            emptied.entries = entries;
            self.free.push(block);
            block = emptied.next;
        }
        self.sort_staged_into_due();
    }

    /// Moves the staged events (in scheduling order) into the empty `due`, sorted by time, ties
    /// in scheduling order. The permutation is worked out on small keys, never by moving events
    /// around: a counting sort on the time's offset in the window (stable) for many events, a
    /// sort of (offset, position) keys for few.
    fn sort_staged_into_due(&mut self) {
        let base = self.base;
        let offset = |s: &Option<Scheduled<E>>| (s.as_ref().expect("staged").at.as_ms() - base) as u32;
        self.order.clear();
        if self.staged.len() >= SMALL_WINDOW {
            self.starts.clear();
            self.starts.resize(RADIX + 1, 0);
            for s in &self.staged {
                self.starts[offset(s) as usize + 1] += 1;
            }
            for i in 1..=RADIX {
                self.starts[i] += self.starts[i - 1];
            }
            self.order.resize(self.staged.len(), 0);
            for (position, s) in self.staged.iter().enumerate() {
                let slot = &mut self.starts[offset(s) as usize];
                self.order[*slot as usize] = position as u32;
                *slot += 1;
            }
        } else {
            // The key is unique (the position is part of it), so any sort gives this order.
            self.order.extend(self.staged.iter().enumerate().map(|(position, s)| (offset(s) << 20) | position as u32));
            self.order.sort_unstable();
            self.order.iter_mut().for_each(|key| *key &= (1 << 20) - 1);
        }
        for &position in &self.order {
            self.due.push_back(self.staged[position as usize].take().expect("each staged event is taken once"));
        }
        self.staged.clear();
    }

    /// When the next event is due, without taking it or moving any: the first of `due`, or the
    /// earliest in the first occupied bucket (scanned; its events move when the next one is taken
    /// anyway).
    pub fn peek_time(&self) -> Option<SimTime> {
        if let Some(next) = self.due.front() {
            return Some(next.at);
        }
        let first = self.first_occupied()?;
        self.chain(self.heads[first]).map(|s| s.at).min()
    }

    /// The events that come next, in order, as far as they can be told without moving any: those
    /// of the current window. A look-ahead that leaves `base` where it is, so that pushes at any
    /// time from now on stay cheap.
    pub fn upcoming(&self) -> impl Iterator<Item = &E> {
        self.due.iter().map(|s| &s.event)
    }

    /// Removes the earliest event.
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        self.refill();
        let scheduled = self.due.pop_front()?;
        self.taken = scheduled.at.as_ms();
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
        assert_eq!(
            queue.free.len(),
            queue.blocks.len() - 1,
            "every block (but the placeholder) is free once the queue is empty"
        );
    }

    /// Windows of many events (sorted by counting) and of few (sorted by key), with ties, pushed out
    /// of time order while others are taken: they come out like a stable sort by time.
    #[test]
    fn crowded_and_sparse_windows_come_out_in_time_then_scheduling_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for (events, distinct_times) in [(5_000u64, 300u64), (60, 7), (129, 129), (127, 2)] {
            let mut queue = EventQueue::default();
            let mut reference = Vec::new();
            let start = 1_000_000 + rng.random_range(0..5_000);
            for id in 0..events {
                let at = start + rng.random_range(0..distinct_times) * (2 * RADIX as u64 / distinct_times);
                queue.push(SimTime(at), id);
                reference.push((at, id));
            }
            let first = queue.pop().expect("events wait");
            // Scheduled while the first window is current: some land in it, behind its ties.
            for id in events..events + 50 {
                let at = first.at.as_ms() + rng.random_range(0..RADIX as u64);
                queue.push(SimTime(at), id);
                reference.push((at, id));
            }
            let mut popped = vec![(first.at.as_ms(), first.event)];
            popped.extend(std::iter::from_fn(|| queue.pop().map(|s| (s.at.as_ms(), s.event))));
            reference.sort_by_key(|(at, _)| *at);
            assert_eq!(popped, reference, "{events} events at {distinct_times} times");
        }
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
        assert!(seen_lookahead > 1_000, "the look-ahead reaches into the window: {seen_lookahead}");
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
                        let spread = [3u64, 1_000, 100_000, 50_000_000, 1 << 40][rng.random_range(0..5)];
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
