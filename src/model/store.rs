//! Where per account-Region state lives: copy-on-write chunks of `CHUNK` accounts, each chunk one
//! `Arc<[ArState]>` holding every Region of its accounts, Region by Region: cascades that walk
//! one Region's accounts (an administrator removed, a Region's records purged) read eight
//! neighbouring states at a time instead of striding across every Region's, and a chunk (8.5 KiB
//! at 17 Regions) is small enough that walking it account by account costs no more. Every chunk
//! has room for `CHUNK` accounts; the last one's unused slots hold blank states nobody reads.
//!
//! Copy on write, without a check per write. A chunk is either `Owned` by this store alone, and
//! written in place, or `Shared` (behind an `Arc`) with the stores cloned from it. `share` turns
//! every chunk shared (a pointer move, no copy); cloning then copies one pointer per chunk, and the
//! first write to a shared chunk takes it back (no copy if no clone still holds it, one chunk's copy
//! otherwise). Cloning a store whose chunks are owned copies them: a built world is shared, so
//! that clones of it (a fuzz template per seed, a scenario per run) stay cheap; a world that has
//! run is shared again with `World::share` before it is cloned many times.
//!
//! Why not `Arc::make_mut` on every write: asking an `Arc` whether it is shared takes a locked
//! read-modify-write instruction, which stalls the processor, and a policy application writes its
//! account-Region seven times. Chunks rather than one allocation per account keep the number of
//! allocations, and of pointers a clone copies, small.

use std::sync::Arc;

use super::{AccountIdx, ArState, RegionIdx};

/// Accounts per chunk.
const CHUNK: usize = 8;

/// The states of `CHUNK` accounts in every Region.
#[derive(Clone, Debug)]
enum Chunk {
    /// This store's alone: written in place.
    Owned(Box<[ArState]>),
    /// Possibly shared with clones: taken back (copied if still shared) on the first write.
    Shared(Arc<Box<[ArState]>>),
}

impl Chunk {
    #[inline]
    fn states(&self) -> &[ArState] {
        match self {
            Chunk::Owned(states) => states,
            Chunk::Shared(states) => states,
        }
    }

    /// The states, to write: a shared chunk becomes owned first.
    #[inline]
    fn states_mut(&mut self) -> &mut [ArState] {
        if let Chunk::Shared(_) = self {
            self.take_back();
        }
        match self {
            Chunk::Owned(states) => states,
            Chunk::Shared(_) => unreachable!("taken back above"),
        }
    }

    #[cold]
    fn take_back(&mut self) {
        if let Chunk::Shared(shared) = std::mem::replace(self, Chunk::Owned(Box::default())) {
            *self = Chunk::Owned(Arc::try_unwrap(shared).unwrap_or_else(|still_shared| (*still_shared).clone()));
        }
    }

    /// Whether both are the same shared chunk (one allocation behind both).
    #[cfg(test)]
    fn is_shared_with(&self, other: &Chunk) -> bool {
        matches!((self, other), (Chunk::Shared(a), Chunk::Shared(b)) if Arc::ptr_eq(a, b))
    }

    /// Makes the chunk shareable (moves a pointer; copies nothing).
    fn share(&mut self) {
        if let Chunk::Owned(states) = self {
            *self = Chunk::Shared(Arc::new(std::mem::take(states)));
        }
    }
}

/// Every account-Region's state.
#[derive(Clone, Debug)]
pub(crate) struct ArStore {
    n_regions: usize,
    n_accounts: usize,
    chunks: Vec<Chunk>,
}

impl ArStore {
    /// A store of `n_accounts` accounts whose every Region starts as `blank()` makes it; each
    /// chunk is written once, in place (making a blank state is cheaper than cloning one).
    pub(crate) fn filled(n_regions: usize, n_accounts: usize, blank: impl Fn() -> ArState) -> ArStore {
        let chunks = (0..n_accounts.div_ceil(CHUNK))
            .map(|_| Chunk::Owned(std::iter::repeat_with(&blank).take(CHUNK * n_regions).collect()))
            .collect();
        ArStore { n_regions, n_accounts, chunks }
    }

    #[inline]
    fn locate(&self, account: AccountIdx, region: RegionIdx) -> (usize, usize) {
        let a = account.index();
        debug_assert!(a < self.n_accounts && region.index() < self.n_regions);
        (a / CHUNK, region.index() * CHUNK + a % CHUNK)
    }

    /// One account-Region's state.
    #[inline]
    pub(crate) fn get(&self, account: AccountIdx, region: RegionIdx) -> &ArState {
        let (chunk, slot) = self.locate(account, region);
        &self.chunks[chunk].states()[slot]
    }

    /// Every state of `regions`, in the order they lie in memory: chunk by chunk, within a chunk
    /// Region by Region (in `regions` order), account by account. `visit` gets the Region's
    /// position in `regions` too. A scan in this order reads each chunk front to back; the accounts
    /// of any one Region still come in index order.
    pub(crate) fn visit_in_memory_order(
        &self,
        regions: &[RegionIdx],
        mut visit: impl FnMut(usize, AccountIdx, RegionIdx, &ArState),
    ) {
        for (c, chunk) in self.chunks.iter().enumerate() {
            let states = chunk.states();
            let accounts = (c * CHUNK)..((c + 1) * CHUNK).min(self.n_accounts);
            for (position, &region) in regions.iter().enumerate() {
                let first = region.index() * CHUNK;
                for a in accounts.clone() {
                    visit(position, AccountIdx(a as u32), region, &states[first + a % CHUNK]);
                }
            }
        }
    }

    /// One account-Region's state, to change (copies its chunk first if a clone shares it).
    #[inline]
    pub(crate) fn get_mut(&mut self, account: AccountIdx, region: RegionIdx) -> &mut ArState {
        let (chunk, slot) = self.locate(account, region);
        &mut self.chunks[chunk].states_mut()[slot]
    }

    /// Asks the processor to start fetching one account-Region's state, without waiting for it.
    #[inline]
    pub(crate) fn prefetch(&self, account: AccountIdx, region: RegionIdx) {
        // A state is one cache line (`ArState` is 64 bytes, aligned to 64).
        if account.index() < self.n_accounts && region.index() < self.n_regions {
            crate::hint::prefetch(self.get(account, region));
        }
    }

    /// Whether every chunk is shared with `other` (one allocation behind both), as in a clone of a
    /// shared store before either writes.
    #[cfg(test)]
    pub(crate) fn shares_every_chunk_with(&self, other: &ArStore) -> bool {
        self.chunks.len() == other.chunks.len()
            && self.chunks.iter().zip(&other.chunks).all(|(a, b)| a.is_shared_with(b))
    }

    /// Makes every chunk shareable, so that clones copy pointers, not states.
    pub(crate) fn share(&mut self) {
        for chunk in &mut self.chunks {
            chunk.share();
        }
    }

    /// Adds an account whose every Region starts as `blank`.
    pub(crate) fn push(&mut self, blank: ArState) {
        if self.n_accounts.is_multiple_of(CHUNK) {
            self.chunks.push(Chunk::Owned(std::iter::repeat_n(&blank, CHUNK * self.n_regions).cloned().collect()));
        }
        let account = AccountIdx(self.n_accounts as u32);
        self.n_accounts += 1;
        for region in 0..self.n_regions {
            *self.get_mut(account, RegionIdx(region as u8)) = blank.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SimTime;

    /// Leaves `n` in a state (as its association's time), to find it again with `mark_of`.
    fn mark(state: &mut ArState, n: u32) {
        state.set_association(None, None, None, SimTime(u64::from(n)), false);
    }

    fn mark_of(state: &ArState) -> u32 {
        state.association().updated_at.0 as u32
    }

    fn store(accounts: usize, regions: usize) -> ArStore {
        ArStore::filled(regions, accounts, ArState::default)
    }

    #[test]
    fn each_account_region_has_its_own_slot_across_chunks() {
        let mut s = store(2 * CHUNK + 3, 3);
        for a in 0..2 * CHUNK as u32 + 3 {
            for r in 0..3u8 {
                mark(s.get_mut(AccountIdx(a), RegionIdx(r)), a * 10 + r as u32);
            }
        }
        for a in 0..2 * CHUNK as u32 + 3 {
            for r in 0..3u8 {
                assert_eq!(mark_of(s.get(AccountIdx(a), RegionIdx(r))), a * 10 + r as u32);
            }
        }
    }

    #[test]
    fn a_clone_of_a_shared_store_copies_on_write_and_leaves_the_original_alone() {
        let mut original = store(CHUNK + 1, 2);
        original.share();
        let mut copy = original.clone();
        copy.get_mut(AccountIdx(1), RegionIdx(1)).set_config_recording(true);
        assert!(copy.get(AccountIdx(1), RegionIdx(1)).config_recording());
        assert!(!original.get(AccountIdx(1), RegionIdx(1)).config_recording());
        assert!(matches!(copy.chunks[0], Chunk::Owned(_)), "the written chunk is the copy's own");
        assert!(original.chunks[1].is_shared_with(&copy.chunks[1]), "untouched chunks stay shared");
        // The original writes its own copy of a chunk the clone still shares, and the clone keeps
        // what it had.
        original.get_mut(AccountIdx(CHUNK as u32), RegionIdx(0)).set_config_recording(true);
        assert!(!copy.get(AccountIdx(CHUNK as u32), RegionIdx(0)).config_recording());
    }

    #[test]
    fn a_chunk_nobody_else_holds_is_taken_back_without_a_copy() {
        let mut original = store(CHUNK, 1);
        original.share();
        let before = original.get(AccountIdx(0), RegionIdx(0)) as *const ArState;
        drop(original.clone());
        original.get_mut(AccountIdx(0), RegionIdx(0)).set_config_recording(true);
        assert_eq!(original.get(AccountIdx(0), RegionIdx(0)) as *const ArState, before, "same memory");
    }

    #[test]
    fn a_visit_in_memory_order_sees_each_regions_accounts_in_index_order() {
        let s = store(2 * CHUNK + 3, 3);
        let regions = [RegionIdx(2), RegionIdx(0)];
        let mut seen: Vec<Vec<u32>> = vec![Vec::new(); regions.len()];
        let mut previous: Option<*const ArState> = None;
        s.visit_in_memory_order(&regions, |position, account, region, state| {
            assert_eq!(region, regions[position]);
            assert!(std::ptr::eq(state, s.get(account, region)), "the state visited is the one stored");
            // Within a chunk and Region, states are visited front to back.
            if let Some(previous) = previous
                && account.index() % CHUNK != 0
            {
                assert_eq!(previous.wrapping_add(1), state as *const ArState);
            }
            previous = Some(state);
            seen[position].push(account.0);
        });
        let every: Vec<u32> = (0..(2 * CHUNK + 3) as u32).collect();
        assert_eq!(seen, vec![every.clone(), every]);
    }

    #[test]
    fn prefetching_out_of_range_does_nothing() {
        let s = store(3, 2);
        s.prefetch(AccountIdx(2), RegionIdx(1));
        s.prefetch(AccountIdx(3), RegionIdx(0));
        s.prefetch(AccountIdx(0), RegionIdx(2));
    }

    #[test]
    fn a_clone_of_an_owned_store_is_a_copy() {
        let original = store(CHUNK, 1);
        let mut copy = original.clone();
        copy.get_mut(AccountIdx(3), RegionIdx(0)).set_config_recording(true);
        assert!(!original.get(AccountIdx(3), RegionIdx(0)).config_recording());
    }

    #[test]
    fn pushed_accounts_fill_the_last_chunk_then_open_a_new_one() {
        let mut s = store(CHUNK - 1, 2);
        mark(s.get_mut(AccountIdx(CHUNK as u32 - 2), RegionIdx(1)), 7);
        let blank = ArState::blank();
        s.push(blank.clone());
        s.push(blank);
        assert_eq!(s.chunks.len(), 2);
        for account in [CHUNK as u32 - 1, CHUNK as u32] {
            for region in 0..2 {
                assert!(s.get(AccountIdx(account), RegionIdx(region)).config_recording());
            }
        }
        assert!(!s.get(AccountIdx(0), RegionIdx(0)).config_recording());
        assert_eq!(mark_of(s.get(AccountIdx(CHUNK as u32 - 2), RegionIdx(1))), 7, "a push keeps the rest");
    }
}
