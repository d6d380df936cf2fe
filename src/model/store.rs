//! Where per account-Region state lives: copy-on-write chunks of `CHUNK` accounts, each chunk one
//! `Arc<[ArState]>` holding every Region of its accounts, Region by Region: cascades that walk
//! one Region's accounts (an administrator removed, a Region's records purged) read eight
//! neighbouring states at a time instead of striding across every Region's, and a chunk (20 KiB
//! at 17 Regions) is small enough that walking it account by account costs no more. Every chunk
//! has room for `CHUNK` accounts; the last one's unused slots hold blank states nobody reads.
//!
//! Cloning a world copies one pointer per chunk; the first write to a chunk in a clone copies that
//! chunk only. Chunks rather than one `Arc` per account because a write must read its `Arc`'s
//! reference count: with a chunk per 8 accounts those counts share few enough cache lines to stay
//! cached, where one per account costs a cache miss per write at 10,000 accounts.

use std::sync::Arc;

use super::{AccountIdx, ArState, RegionIdx};

/// Accounts per chunk.
const CHUNK: usize = 8;

/// Every account-Region's state.
#[derive(Clone, Debug)]
pub(crate) struct ArStore {
    n_regions: usize,
    n_accounts: usize,
    chunks: Vec<Arc<[ArState]>>,
}

impl ArStore {
    /// A store of `n_accounts` accounts whose every Region starts as `blank()` makes it; each
    /// chunk is written once, in place (making a blank state is cheaper than cloning one).
    pub(crate) fn filled(n_regions: usize, n_accounts: usize, blank: impl Fn() -> ArState) -> ArStore {
        let chunks = (0..n_accounts.div_ceil(CHUNK))
            .map(|_| std::iter::repeat_with(&blank).take(CHUNK * n_regions).collect())
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
        &self.chunks[chunk][slot]
    }

    /// One account-Region's state, to change (copies its chunk first if a clone shares it).
    #[inline]
    pub(crate) fn get_mut(&mut self, account: AccountIdx, region: RegionIdx) -> &mut ArState {
        let (chunk, slot) = self.locate(account, region);
        &mut Arc::make_mut(&mut self.chunks[chunk])[slot]
    }

    /// Adds an account whose every Region starts as `blank`.
    pub(crate) fn push(&mut self, blank: ArState) {
        if self.n_accounts % CHUNK == 0 {
            self.chunks.push(std::iter::repeat_n(&blank, CHUNK * self.n_regions).cloned().collect());
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

    fn store(accounts: usize, regions: usize) -> ArStore {
        ArStore::filled(regions, accounts, ArState::default)
    }

    #[test]
    fn each_account_region_has_its_own_slot_across_chunks() {
        let mut s = store(2 * CHUNK + 3, 3);
        for a in 0..2 * CHUNK as u32 + 3 {
            for r in 0..3u8 {
                s.get_mut(AccountIdx(a), RegionIdx(r)).association.generation = a * 10 + r as u32;
            }
        }
        for a in 0..2 * CHUNK as u32 + 3 {
            for r in 0..3u8 {
                assert_eq!(s.get(AccountIdx(a), RegionIdx(r)).association.generation, a * 10 + r as u32);
            }
        }
    }

    #[test]
    fn a_clone_copies_on_write_and_leaves_the_original_alone() {
        let original = store(CHUNK + 1, 2);
        let mut copy = original.clone();
        copy.get_mut(AccountIdx(1), RegionIdx(1)).config_recording = true;
        assert!(copy.get(AccountIdx(1), RegionIdx(1)).config_recording);
        assert!(!original.get(AccountIdx(1), RegionIdx(1)).config_recording);
        assert!(Arc::ptr_eq(&original.chunks[1], &copy.chunks[1]), "untouched chunks stay shared");
    }

    #[test]
    fn pushed_accounts_fill_the_last_chunk_then_open_a_new_one() {
        let mut s = store(CHUNK - 1, 2);
        s.get_mut(AccountIdx(CHUNK as u32 - 2), RegionIdx(1)).association.generation = 7;
        let blank = ArState { config_recording: true, ..ArState::default() };
        s.push(blank.clone());
        s.push(blank);
        assert_eq!(s.chunks.len(), 2);
        for account in [CHUNK as u32 - 1, CHUNK as u32] {
            for region in 0..2 {
                assert!(s.get(AccountIdx(account), RegionIdx(region)).config_recording);
            }
        }
        assert!(!s.get(AccountIdx(0), RegionIdx(0)).config_recording);
        assert_eq!(
            s.get(AccountIdx(CHUNK as u32 - 2), RegionIdx(1)).association.generation,
            7,
            "a push keeps the rest"
        );
    }
}
