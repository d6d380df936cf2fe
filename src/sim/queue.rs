//! The event queue: events ordered by (time, sequence number taken at scheduling), so that events
//! at the same instant run in the order they were scheduled, never in heap order.
//!
//! Time never goes backwards in a simulation, so the queue is a monotone radix heap: O(1) push,
//! cheap pops, and buckets that are read sequentially (cache-friendly at 100,000+ waiting events).

use std::cmp::Reverse;

use radix_heap::RadixHeapMap;

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

/// A min-queue on (time, seq).
pub struct EventQueue<E> {
    heap: RadixHeapMap<Reverse<u128>, E>,
    next_seq: u64,
    peak: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: RadixHeapMap::new(), next_seq: 0, peak: 0 }
    }
}

/// (time, seq) as one ordered integer, reversed for the max-heap.
fn key(at: SimTime, seq: u64) -> Reverse<u128> {
    Reverse(((at.as_ms() as u128) << 64) | seq as u128)
}

fn unkey(Reverse(k): Reverse<u128>) -> (SimTime, u64) {
    (SimTime((k >> 64) as u64), k as u64)
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `at` (not before the last event taken); returns its sequence number.
    pub fn push(&mut self, at: SimTime, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(key(at, seq), event);
        self.peak = self.peak.max(self.heap.len());
        seq
    }
    /// Puts back an event just taken, under its own (time, seq).
    pub fn push_back(&mut self, scheduled: Scheduled<E>) {
        self.heap.push(key(scheduled.at, scheduled.seq), scheduled.event);
    }
    /// Removes the earliest event.
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let (k, event) = self.heap.pop()?;
        let (at, seq) = unkey(k);
        Some(Scheduled { at, seq, event })
    }
    /// Removes the earliest event if it is due at or before `until`.
    pub fn pop_until(&mut self, until: SimTime) -> Option<Scheduled<E>> {
        let scheduled = self.pop()?;
        if scheduled.at > until {
            // Putting back the key just taken keeps the heap monotone.
            self.push_back(scheduled);
            return None;
        }
        Some(scheduled)
    }
    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
    /// The most events waiting at once since the queue was made or `reset_peak` was called.
    pub fn peak_len(&self) -> usize {
        self.peak
    }
    /// Starts counting the peak afresh from the current length.
    pub fn reset_peak(&mut self) {
        self.peak = self.heap.len();
    }
}

#[cfg(test)]
mod tests {
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
}
