//! `DenseMap`: values keyed by a dense index (an OU-tree node, an account), stored in a slot per
//! index.
//!
//! Nodes and accounts are numbered densely from 0 and never reused, so a slot per index is small,
//! and a lookup or a write is an index where a tree map searches: a policy reaching 170,000
//! account-Regions reads and rewrites its root's association status, and reads and updates its
//! administrator's roster, once per account-Region.

use super::ids::{AccountIdx, NodeIdx};

/// A key numbered densely from 0.
pub trait DenseKey: Copy {
    /// The key's slot.
    fn index(self) -> usize;
    /// The key of a slot.
    fn from_index(index: usize) -> Self;
}

impl DenseKey for NodeIdx {
    fn index(self) -> usize {
        NodeIdx::index(self)
    }
    fn from_index(index: usize) -> Self {
        NodeIdx(index as u32)
    }
}

impl DenseKey for AccountIdx {
    fn index(self) -> usize {
        AccountIdx::index(self)
    }
    fn from_index(index: usize) -> Self {
        AccountIdx(index as u32)
    }
}

/// A map from `K` to `V`, iterated in key order. Its slots end at the highest key holding a
/// value, so two maps with the same entries are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DenseMap<K, V> {
    slots: Vec<Option<V>>,
    key: std::marker::PhantomData<K>,
}

/// Root and OU association statuses (ASSOC-15), by node.
pub type NodeMap<T> = DenseMap<NodeIdx, T>;

impl<K, V> Default for DenseMap<K, V> {
    fn default() -> Self {
        DenseMap { slots: Vec::new(), key: std::marker::PhantomData }
    }
}

impl<K: DenseKey, V> DenseMap<K, V> {
    /// The value of `key`, if any.
    pub fn get(&self, key: K) -> Option<&V> {
        self.slots.get(key.index())?.as_ref()
    }

    /// The value of `key`, to change, if any.
    pub fn get_mut(&mut self, key: K) -> Option<&mut V> {
        self.slots.get_mut(key.index())?.as_mut()
    }

    /// The value of `key`, made with `make` if it has none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        if key.index() >= self.slots.len() {
            self.slots.resize_with(key.index() + 1, || None);
        }
        self.slots[key.index()].get_or_insert_with(make)
    }

    /// Sets the value of `key`, returning the one it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if key.index() >= self.slots.len() {
            self.slots.resize_with(key.index() + 1, || None);
        }
        self.slots[key.index()].replace(value)
    }

    /// Removes the value of `key`, returning it.
    pub fn remove(&mut self, key: K) -> Option<V> {
        let removed = self.slots.get_mut(key.index())?.take();
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        removed
    }

    /// Removes every value.
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// Whether no key has a value.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The keys with a value and their values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        self.slots.iter().enumerate().filter_map(|(i, slot)| slot.as_ref().map(|v| (K::from_index(i), v)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Against a tree map: random inserts, removals and clears; equal contents are equal maps.
    #[test]
    fn behaves_like_a_tree_map() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut map: NodeMap<u32> = NodeMap::default();
        let mut reference = BTreeMap::new();
        for step in 0..5_000u32 {
            let node = NodeIdx(rng.random_range(0..20));
            match rng.random_range(0..10) {
                0..5 => assert_eq!(map.insert(node, step), reference.insert(node, step)),
                5..9 => assert_eq!(map.remove(node), reference.remove(&node)),
                _ => {
                    map.clear();
                    reference.clear();
                }
            }
            assert_eq!(map.get(node), reference.get(&node));
            if let Some(value) = map.get_mut(node) {
                *value += 1;
                *reference.get_mut(&node).expect("present in both") += 1;
            }
            *map.get_or_insert_with(NodeIdx(7), || 70) += 1;
            *reference.entry(NodeIdx(7)).or_insert(70) += 1;
            assert_eq!(map.is_empty(), reference.is_empty());
            assert!(map.iter().eq(reference.iter().map(|(n, v)| (*n, v))));
            let mut rebuilt: NodeMap<u32> = NodeMap::default();
            for (n, v) in &reference {
                rebuilt.insert(*n, *v);
            }
            assert_eq!(map, rebuilt, "equal entries, equal maps");
        }
    }
}
