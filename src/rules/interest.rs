//! `EffectInterest`: which effects a reader of outcomes needs listed, by the kind of change and by
//! rule. A simulator that keeps only counts (summary recording) lists an event's effects only for
//! its observers, and most effects of a 10,000-member run are read by none of them: a removed
//! administrator's 323,000 effects would be written to memory, read back once to be ignored, and
//! read again to be dropped. Every effect is committed and counted by rule whether or not it is
//! listed.

use super::catalog::RuleId;
use super::change::ChangeKind;
use super::outcome::Effect;

/// 64-bit words of a set of rules.
const RULE_WORDS: usize = RuleId::COUNT.div_ceil(64);

const _: () = assert!(ChangeKind::VARIANTS_COUNT <= 64, "change kinds fit one 64-bit set");

/// A set of change kinds and a set of rules: an effect is of interest if its kind or its rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectInterest {
    kinds: u64,
    rules: [u64; RULE_WORDS],
}

impl ChangeKind {
    /// How many kinds there are.
    const VARIANTS_COUNT: usize = <ChangeKind as strum::VariantArray>::VARIANTS.len();
}

impl EffectInterest {
    /// No effect.
    pub const NONE: EffectInterest = EffectInterest { kinds: 0, rules: [0; RULE_WORDS] };
    /// Every effect.
    pub const ALL: EffectInterest = EffectInterest { kinds: u64::MAX, rules: [u64::MAX; RULE_WORDS] };

    /// Effects of these kinds, whatever their rule.
    pub const fn kinds(kinds: &[ChangeKind]) -> EffectInterest {
        let mut interest = EffectInterest::NONE;
        let mut i = 0;
        while i < kinds.len() {
            interest.kinds |= 1 << kinds[i] as u32;
            i += 1;
        }
        interest
    }

    /// Whether every effect of `kind` is of interest.
    #[inline(always)]
    pub const fn has_kind(&self, kind: ChangeKind) -> bool {
        self.kinds & (1 << kind as u32) != 0
    }

    /// These effects too: those of `kind`.
    pub const fn with_kind(mut self, kind: ChangeKind) -> EffectInterest {
        self.kinds |= 1 << kind as u32;
        self
    }

    /// These effects too: those citing `rule`, whatever their kind.
    pub const fn with_rule(mut self, rule: RuleId) -> EffectInterest {
        self.rules[rule.index() / 64] |= 1 << (rule.index() % 64);
        self
    }

    /// The effects of interest to either.
    pub const fn union(mut self, other: EffectInterest) -> EffectInterest {
        self.kinds |= other.kinds;
        let mut i = 0;
        while i < RULE_WORDS {
            self.rules[i] |= other.rules[i];
            i += 1;
        }
        self
    }

    /// Whether `effect` is of interest.
    #[inline(always)]
    pub fn keeps_effect(&self, effect: &Effect) -> bool {
        self.keeps(effect.rule, ChangeKind::from(&effect.change))
    }

    /// Whether an effect of `kind` citing `rule` is of interest.
    #[inline(always)]
    pub fn keeps(&self, rule: RuleId, kind: ChangeKind) -> bool {
        self.has_kind(kind) || self.rules[rule.index() / 64] & (1 << (rule.index() % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn an_effect_is_of_interest_by_its_kind_or_by_its_rule() {
        let interest = EffectInterest::kinds(&[ChangeKind::MemberRecord]).with_rule(RuleId::LIFE_16);
        assert!(interest.keeps(RuleId::CENTRAL_6, ChangeKind::MemberRecord));
        assert!(interest.keeps(RuleId::LIFE_16, ChangeKind::AccountRegionAssociation));
        assert!(!interest.keeps(RuleId::ASSOC_13, ChangeKind::AccountRegionAssociation));
        let both = interest.union(EffectInterest::NONE.with_kind(ChangeKind::AccountRegionAssociation));
        assert!(both.keeps(RuleId::ASSOC_13, ChangeKind::AccountRegionAssociation));
        for kind in ChangeKind::VARIANTS {
            assert!(!EffectInterest::NONE.keeps(RuleId::LIFE_16, *kind));
            for rule in RuleId::all() {
                assert!(EffectInterest::ALL.keeps(rule, *kind));
            }
        }
    }
}
