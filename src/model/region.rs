//! AWS Regions: the catalogue of commercial Region codes, which of them are opt-in, and the set of
//! Regions in play in one world with their dense indices.
//!
//! REG-6: the simulator models one partition (aws, commercial). Regions launched before
//! 20 March 2019 are enabled by default for every account; the others are opt-in (REG-1) and must
//! be activated per account before Security Hub can be used there (REG-2).

use std::fmt;

/// A Region code from the commercial partition, e.g. `us-east-1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(&'static RegionInfo);

/// One row of the Region catalogue.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionInfo {
    /// The Region code, e.g. `eu-west-1`.
    pub code: &'static str,
    /// Whether accounts must opt in before using it (launched after 20 March 2019).
    pub opt_in: bool,
}

/// Every commercial Region, default-enabled first, each group in lexical order.
pub const ALL_REGIONS: &[RegionInfo] = &[
    RegionInfo { code: "ap-northeast-1", opt_in: false },
    RegionInfo { code: "ap-northeast-2", opt_in: false },
    RegionInfo { code: "ap-northeast-3", opt_in: false },
    RegionInfo { code: "ap-south-1", opt_in: false },
    RegionInfo { code: "ap-southeast-1", opt_in: false },
    RegionInfo { code: "ap-southeast-2", opt_in: false },
    RegionInfo { code: "ca-central-1", opt_in: false },
    RegionInfo { code: "eu-central-1", opt_in: false },
    RegionInfo { code: "eu-north-1", opt_in: false },
    RegionInfo { code: "eu-west-1", opt_in: false },
    RegionInfo { code: "eu-west-2", opt_in: false },
    RegionInfo { code: "eu-west-3", opt_in: false },
    RegionInfo { code: "sa-east-1", opt_in: false },
    RegionInfo { code: "us-east-1", opt_in: false },
    RegionInfo { code: "us-east-2", opt_in: false },
    RegionInfo { code: "us-west-1", opt_in: false },
    RegionInfo { code: "us-west-2", opt_in: false },
    RegionInfo { code: "af-south-1", opt_in: true },
    RegionInfo { code: "ap-east-1", opt_in: true },
    RegionInfo { code: "ap-east-2", opt_in: true },
    RegionInfo { code: "ap-south-2", opt_in: true },
    RegionInfo { code: "ap-southeast-3", opt_in: true },
    RegionInfo { code: "ap-southeast-4", opt_in: true },
    RegionInfo { code: "ap-southeast-5", opt_in: true },
    RegionInfo { code: "ap-southeast-6", opt_in: true },
    RegionInfo { code: "ap-southeast-7", opt_in: true },
    RegionInfo { code: "ca-west-1", opt_in: true },
    RegionInfo { code: "eu-central-2", opt_in: true },
    RegionInfo { code: "eu-south-1", opt_in: true },
    RegionInfo { code: "eu-south-2", opt_in: true },
    RegionInfo { code: "il-central-1", opt_in: true },
    RegionInfo { code: "me-central-1", opt_in: true },
    RegionInfo { code: "me-south-1", opt_in: true },
    RegionInfo { code: "mx-central-1", opt_in: true },
];

impl Region {
    /// Looks a Region code up in the catalogue.
    pub fn parse(code: &str) -> Option<Region> {
        ALL_REGIONS.iter().find(|info| info.code == code).map(Region)
    }

    /// The Region code.
    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// Whether the Region is opt-in (REG-1).
    pub fn is_opt_in(self) -> bool {
        self.0.opt_in
    }

    /// Every commercial Region.
    pub fn all() -> impl Iterator<Item = Region> {
        ALL_REGIONS.iter().map(Region)
    }

    /// The 17 Regions enabled by default for every account.
    pub fn default_enabled() -> impl Iterator<Item = Region> {
        Region::all().filter(|region| !region.is_opt_in())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Dense index of a Region in play in one world (at most 64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct RegionIdx(pub u8);

impl RegionIdx {
    /// The index as a `usize`, for indexing per-Region vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A set of Regions in play, as a bit set over `RegionIdx`. Iteration is in index order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionSet(u64);

impl RegionSet {
    /// The empty set.
    pub const EMPTY: RegionSet = RegionSet(0);

    /// Whether `region` is in the set.
    pub fn contains(self, region: RegionIdx) -> bool {
        self.0 & (1 << region.0) != 0
    }
    /// Adds `region`.
    pub fn insert(&mut self, region: RegionIdx) {
        self.0 |= 1 << region.0;
    }
    /// Removes `region`.
    pub fn remove(&mut self, region: RegionIdx) {
        self.0 &= !(1 << region.0);
    }
    /// The set with `region` added.
    pub fn with(mut self, region: RegionIdx) -> Self {
        self.insert(region);
        self
    }
    /// Set difference.
    pub fn minus(self, other: RegionSet) -> RegionSet {
        RegionSet(self.0 & !other.0)
    }
    /// Set union.
    pub fn union(self, other: RegionSet) -> RegionSet {
        RegionSet(self.0 | other.0)
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Number of Regions in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// The Regions in index order.
    pub fn iter(self) -> impl Iterator<Item = RegionIdx> {
        (0..64u8).filter(move |bit| self.0 & (1 << bit) != 0).map(RegionIdx)
    }
}

impl FromIterator<RegionIdx> for RegionSet {
    fn from_iter<I: IntoIterator<Item = RegionIdx>>(iter: I) -> Self {
        let mut set = RegionSet::EMPTY;
        for region in iter {
            set.insert(region);
        }
        set
    }
}

/// The Regions in play in one world, in the order the scenario lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionTable {
    regions: Vec<Region>,
}

/// Why a list of Regions cannot be in play.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionTableError {
    /// The list is empty.
    Empty,
    /// The same Region appears twice.
    Duplicate(Region),
    /// More than 64 Regions.
    TooMany,
}

impl RegionTable {
    /// Builds the table; Regions keep the given order.
    pub fn new(regions: Vec<Region>) -> Result<Self, RegionTableError> {
        if regions.is_empty() {
            return Err(RegionTableError::Empty);
        }
        if regions.len() > 64 {
            return Err(RegionTableError::TooMany);
        }
        for (i, region) in regions.iter().enumerate() {
            if regions[..i].contains(region) {
                return Err(RegionTableError::Duplicate(*region));
            }
        }
        Ok(RegionTable { regions })
    }

    /// The Region at `idx`.
    pub fn get(&self, idx: RegionIdx) -> Region {
        self.regions[idx.index()]
    }
    /// The index of `region`, if it is in play.
    pub fn idx_of(&self, region: Region) -> Option<RegionIdx> {
        self.regions.iter().position(|r| *r == region).map(|i| RegionIdx(i as u8))
    }
    /// The index of a Region code, if it is in play.
    pub fn idx_of_code(&self, code: &str) -> Option<RegionIdx> {
        Region::parse(code).and_then(|region| self.idx_of(region))
    }
    /// Number of Regions in play.
    pub fn len(&self) -> usize {
        self.regions.len()
    }
    /// Always false: a table has at least one Region.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
    /// All indices in order.
    pub fn indices(&self) -> impl Iterator<Item = RegionIdx> + '_ {
        (0..self.regions.len()).map(|i| RegionIdx(i as u8))
    }
    /// All Regions in play as a set.
    pub fn all(&self) -> RegionSet {
        // At most 64 Regions are in play (`RegionTableError::TooMany`).
        RegionSet(u64::MAX >> (64 - self.regions.len()))
    }
    /// The opt-in Regions in play.
    pub fn opt_in(&self) -> RegionSet {
        self.indices().filter(|idx| self.get(*idx).is_opt_in()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_17_default_and_17_opt_in_commercial_regions() {
        assert_eq!(Region::default_enabled().count(), 17);
        assert_eq!(Region::all().filter(|r| r.is_opt_in()).count(), 17);
        assert!(Region::parse("af-south-1").unwrap().is_opt_in());
        assert!(!Region::parse("us-east-1").unwrap().is_opt_in());
        assert!(Region::parse("us-east-9").is_none());
    }

    #[test]
    fn region_sets_iterate_in_index_order() {
        let set = RegionSet::EMPTY.with(RegionIdx(3)).with(RegionIdx(0));
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![RegionIdx(0), RegionIdx(3)]);
        assert_eq!(set.len(), 2);
    }
}
