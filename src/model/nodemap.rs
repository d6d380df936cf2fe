//! `NodeMap`: values keyed by a node of the OU tree, stored by node index.
//!
//! Nodes are few and numbered densely from the root without reuse, so a slot per node is small,
//! and a lookup or a write is an index where a tree map searches: a policy reaching 170,000
//! account-Regions reads and rewrites its root's association status once per account-Region.

use super::ids::NodeIdx;

/// A map from nodes to `T`. Its slots end at the highest node holding a value, so two maps with
/// the same entries are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeMap<T> {
    slots: Vec<Option<T>>,
}

impl<T> Default for NodeMap<T> {
    fn default() -> Self {
        NodeMap { slots: Vec::new() }
    }
}

impl<T> NodeMap<T> {
    /// The value of `node`, if any.
    pub fn get(&self, node: NodeIdx) -> Option<&T> {
        self.slots.get(node.index())?.as_ref()
    }

    /// Sets the value of `node`, returning the one it replaces.
    pub fn insert(&mut self, node: NodeIdx, value: T) -> Option<T> {
        if node.index() >= self.slots.len() {
            self.slots.resize_with(node.index() + 1, || None);
        }
        self.slots[node.index()].replace(value)
    }

    /// Removes the value of `node`, returning it.
    pub fn remove(&mut self, node: NodeIdx) -> Option<T> {
        let removed = self.slots.get_mut(node.index())?.take();
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        removed
    }

    /// Removes every value.
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// Whether no node has a value.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The nodes with a value, in index order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeIdx, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, slot)| slot.as_ref().map(|v| (NodeIdx(i as u32), v)))
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
        let mut map = NodeMap::default();
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
            assert_eq!(map.is_empty(), reference.is_empty());
            assert!(map.iter().eq(reference.iter().map(|(n, v)| (*n, v))));
            let mut rebuilt = NodeMap::default();
            for (n, v) in &reference {
                rebuilt.insert(*n, *v);
            }
            assert_eq!(map, rebuilt, "equal entries, equal maps");
        }
    }
}
