//! The rule catalogue: every rule id of `RULES.md` with a short title, its sources, and whether it
//! is seed-derived or a MODEL CHOICE, so that timelines can cite rules, `hubsim explain` can
//! teach them, and coverage reports can list which ones fired.
//!
//! The rows live in `catalog_data.rs`, generated from `RULES.md` by `scripts/gen_rule_catalog.py`;
//! each row also becomes a constant such as `RuleId::ADMIN_3`, which is how the engine cites a rule.

use std::fmt;

/// A rule of `RULES.md`, as an index into the catalogue.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub(super) u16);

/// Whether a rule describes behaviour or only a convention of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// Behaviour the engine or the simulator implements.
    Behaviour,
    /// A reading convention (GEN-*) or a recorded open question (Q-*) that points at other rules.
    Convention,
}

/// One catalogue row.
#[derive(Debug)]
pub struct RuleInfo {
    /// The id as RULES.md writes it, e.g. `ADMIN-3`.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Source tags, e.g. `SEED-ORG; UG:securityhub-accounts`.
    pub source: &'static str,
    /// Derived from a seed document (★).
    pub seed: bool,
    /// Records a MODEL CHOICE.
    pub model_choice: bool,
    /// Behaviour or convention.
    pub kind: RuleKind,
}

impl RuleId {
    /// The catalogue row.
    pub fn info(self) -> &'static RuleInfo {
        &super::catalog_data::RULES[self.0 as usize]
    }
    /// The id text, e.g. `ADMIN-3`.
    pub fn as_str(self) -> &'static str {
        self.info().id
    }
    /// Looks an id text up.
    pub fn parse(text: &str) -> Option<RuleId> {
        super::catalog_data::RULES.iter().position(|r| r.id == text).map(|i| RuleId(i as u16))
    }
    /// Every rule in document order.
    pub fn all() -> impl Iterator<Item = RuleId> {
        (0..super::catalog_data::RULES.len() as u16).map(RuleId)
    }
    /// Dense index, for per-rule counters.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
    /// Number of rules in the catalogue.
    pub const COUNT: usize = super::catalog_data::RULES.len();
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_matches_rules_md_ids() {
        assert_eq!(RuleId::ADMIN_3.as_str(), "ADMIN-3");
        assert_eq!(RuleId::parse("LIFE-12"), Some(RuleId::LIFE_12));
        assert!(RuleId::LIFE_1.info().seed);
        assert_eq!(RuleId::Q_1.info().kind, RuleKind::Convention);
        assert_eq!(RuleId::COUNT, 217);
    }
}
