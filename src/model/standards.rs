//! The standards and security controls hubsim knows: ids, ARNs, which controls belong to which
//! standard, which check global resources (CTRL-3), where each is available, and which accept
//! parameters (POLICY-4).
//!
//! This is a representative subset of Security Hub CSPM's catalogue, not all of it: enough controls
//! to exercise every rule (global-resource controls, a control available in one Region only,
//! controls with integer, list and boolean parameters) while keeping a control set in one `u64`.
//! STD-1: the default standards are FSBP v1.0.0 and CIS AWS Foundations Benchmark v1.2.0.

use std::fmt;

/// A security standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Standard(pub u8);

/// One row of the standards catalogue.
#[derive(Debug)]
pub struct StandardInfo {
    /// The path part of the ARN, e.g. `aws-foundational-security-best-practices/v/1.0.0`: the short
    /// form scenarios use.
    pub short: &'static str,
    /// Display name.
    pub name: &'static str,
    /// `true` for the two default standards (STD-1).
    pub default: bool,
    /// CIS v1.2.0 has the legacy global `ruleset/` ARN; the others are Regional `standards/` ARNs.
    pub legacy_ruleset: bool,
}

/// The standards catalogue, in a fixed order (bit positions of `StandardSet`).
pub const STANDARDS: &[StandardInfo] = &[
    StandardInfo {
        short: "aws-foundational-security-best-practices/v/1.0.0",
        name: "AWS Foundational Security Best Practices v1.0.0",
        default: true,
        legacy_ruleset: false,
    },
    StandardInfo {
        short: "cis-aws-foundations-benchmark/v/1.2.0",
        name: "CIS AWS Foundations Benchmark v1.2.0",
        default: true,
        legacy_ruleset: true,
    },
    StandardInfo {
        short: "cis-aws-foundations-benchmark/v/1.4.0",
        name: "CIS AWS Foundations Benchmark v1.4.0",
        default: false,
        legacy_ruleset: false,
    },
    StandardInfo {
        short: "cis-aws-foundations-benchmark/v/3.0.0",
        name: "CIS AWS Foundations Benchmark v3.0.0",
        default: false,
        legacy_ruleset: false,
    },
    StandardInfo {
        short: "nist-800-53/v/5.0.0",
        name: "NIST SP 800-53 Revision 5",
        default: false,
        legacy_ruleset: false,
    },
    StandardInfo { short: "pci-dss/v/3.2.1", name: "PCI DSS v3.2.1", default: false, legacy_ruleset: false },
    StandardInfo {
        short: "aws-resource-tagging-standard/v/1.0.0",
        name: "AWS Resource Tagging Standard v1.0.0",
        default: false,
        legacy_ruleset: false,
    },
];

impl Standard {
    /// AWS Foundational Security Best Practices v1.0.0.
    pub const FSBP: Standard = Standard(0);
    /// CIS AWS Foundations Benchmark v1.2.0.
    pub const CIS_1_2: Standard = Standard(1);

    /// The catalogue row.
    pub fn info(self) -> &'static StandardInfo {
        &STANDARDS[self.0 as usize]
    }

    /// Every standard in catalogue order.
    pub fn all() -> impl Iterator<Item = Standard> {
        (0..STANDARDS.len() as u8).map(Standard)
    }

    /// Parses the short form, a standards ARN (`arn:aws:securityhub:REGION::standards/…` or the CIS
    /// v1.2.0 `arn:aws:securityhub:::ruleset/…`), or a subscription ARN
    /// (`arn:aws:securityhub:REGION:ACCOUNT:subscription/…`).
    pub fn parse(text: &str) -> Option<Standard> {
        let path = if let Some(rest) = text.strip_prefix("arn:aws:securityhub:") {
            let mut parts = rest.splitn(3, ':');
            let _region = parts.next()?;
            let _account = parts.next()?;
            let resource = parts.next()?;
            resource
                .strip_prefix("standards/")
                .or_else(|| resource.strip_prefix("ruleset/"))
                .or_else(|| resource.strip_prefix("subscription/"))?
        } else {
            text
        };
        Standard::all().find(|s| s.info().short == path)
    }

    /// The standards ARN as `DescribeStandards` reports it in `region`.
    pub fn arn(self, region: &str) -> String {
        let info = self.info();
        if info.legacy_ruleset {
            format!("arn:aws:securityhub:::ruleset/{}", info.short)
        } else {
            format!("arn:aws:securityhub:{region}::standards/{}", info.short)
        }
    }

    /// The subscription ARN of this standard for an account in a Region.
    pub fn subscription_arn(self, region: &str, account: &str) -> String {
        format!("arn:aws:securityhub:{region}:{account}:subscription/{}", self.info().short)
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().short)
    }
}

/// A set of standards as a bit set; iteration in catalogue order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StandardSet(pub u16);

impl StandardSet {
    /// The empty set.
    pub const EMPTY: StandardSet = StandardSet(0);

    /// The default standards (STD-1).
    pub fn defaults() -> StandardSet {
        Standard::all().filter(|s| s.info().default).collect()
    }
    /// Whether `standard` is in the set.
    pub fn contains(self, standard: Standard) -> bool {
        self.0 & (1 << standard.0) != 0
    }
    /// Adds `standard`.
    pub fn insert(&mut self, standard: Standard) {
        self.0 |= 1 << standard.0;
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The standards in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Standard> {
        Standard::all().filter(move |s| self.contains(*s))
    }
}

impl FromIterator<Standard> for StandardSet {
    fn from_iter<I: IntoIterator<Item = Standard>>(iter: I) -> Self {
        let mut set = StandardSet::EMPTY;
        for standard in iter {
            set.insert(standard);
        }
        set
    }
}

/// A security control, e.g. `IAM.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Control(pub u8);

/// The type of a control parameter (POLICY-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// A whole number within `min..=max`.
    Integer {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A list of whole numbers, each within `min..=max`.
    IntegerList {
        /// Smallest allowed element.
        min: i64,
        /// Largest allowed element.
        max: i64,
    },
    /// A list of strings.
    StringList,
    /// `true` or `false`.
    Boolean,
}

/// One parameter a control accepts.
#[derive(Debug)]
pub struct ParamInfo {
    /// Parameter name as the API spells it.
    pub name: &'static str,
    /// Its type and range.
    pub kind: ParamType,
}

/// One row of the controls catalogue.
#[derive(Debug)]
pub struct ControlInfo {
    /// The security control id, e.g. `IAM.1`.
    pub id: &'static str,
    /// Standards that contain the control (bits of `StandardSet`).
    pub standards: StandardSet,
    /// Whether the control checks global resources (CTRL-3).
    pub global: bool,
    /// If the control exists in one Region only (CloudFront controls live in us-east-1).
    pub only_in: Option<&'static str>,
    /// Parameters it accepts (POLICY-4); empty for most.
    pub params: &'static [ParamInfo],
}

const F: u16 = 1 << 0; // FSBP
const C12: u16 = 1 << 1; // CIS 1.2.0
const C14: u16 = 1 << 2; // CIS 1.4.0
const C30: u16 = 1 << 3; // CIS 3.0.0
const N: u16 = 1 << 4; // NIST 800-53
const P: u16 = 1 << 5; // PCI DSS
const T: u16 = 1 << 6; // Tagging

const fn control(id: &'static str, standards: u16, global: bool) -> ControlInfo {
    ControlInfo { id, standards: StandardSet(standards), global, only_in: None, params: &[] }
}

/// The controls catalogue (at most 64 rows: bit positions of `ControlSet`).
pub const CONTROLS: &[ControlInfo] = &[
    control("Account.1", F | N, true),
    ControlInfo {
        id: "ACM.1",
        standards: StandardSet(F | N | P),
        global: false,
        only_in: None,
        params: &[ParamInfo { name: "daysToExpiration", kind: ParamType::Integer { min: 14, max: 365 } }],
    },
    ControlInfo {
        id: "ACM.3",
        standards: StandardSet(T),
        global: false,
        only_in: None,
        params: &[ParamInfo { name: "requiredTagKeys", kind: ParamType::StringList }],
    },
    control("APIGateway.1", F | N, false),
    ControlInfo {
        id: "CloudFront.1",
        standards: StandardSet(F | N),
        global: true,
        only_in: Some("us-east-1"),
        params: &[],
    },
    control("CloudTrail.1", F | C12 | C14 | C30 | N | P, false),
    control("CloudTrail.2", F | C12 | C14 | C30 | N | P, false),
    control("CloudWatch.1", C12 | C14 | P, false),
    control("Config.1", F | C12 | C14 | C30 | N | P, false),
    control("EC2.2", F | C12 | C14 | C30 | N | P, false),
    control("EC2.6", F | C12 | C14 | C30 | N | P, false),
    control("EC2.7", F | C14 | C30 | N, false),
    ControlInfo {
        id: "EC2.18",
        standards: StandardSet(F | N),
        global: false,
        only_in: None,
        params: &[ParamInfo { name: "authorizedTcpPorts", kind: ParamType::IntegerList { min: 1, max: 65535 } }],
    },
    control("GuardDuty.1", F | N | P, false),
    control("IAM.1", F | C12 | C14 | N | P, true),
    control("IAM.3", F | C12 | C14 | C30 | N | P, true),
    control("IAM.4", F | C12 | C14 | C30 | N | P, true),
    control("IAM.6", C12 | C14 | C30 | N | P, true),
    ControlInfo {
        id: "IAM.7",
        standards: StandardSet(F | N),
        global: true,
        only_in: None,
        params: &[
            ParamInfo { name: "MinimumPasswordLength", kind: ParamType::Integer { min: 6, max: 128 } },
            ParamInfo { name: "RequireUppercaseCharacters", kind: ParamType::Boolean },
        ],
    },
    control("IAM.9", C12 | C14 | C30, true),
    control("KMS.4", F | C12 | C14 | C30 | N | P, false),
    control("Lambda.1", F | N | P, false),
    control("RDS.2", F | N | P, false),
    control("RDS.3", F | N, false),
    control("S3.1", F | C14 | C30 | N | P, false),
    control("S3.8", F | C14 | C30 | N, false),
    control("SSM.1", F | N | P, false),
];

impl Control {
    /// The catalogue row.
    pub fn info(self) -> &'static ControlInfo {
        &CONTROLS[self.0 as usize]
    }
    /// Looks a control id up.
    pub fn parse(id: &str) -> Option<Control> {
        CONTROLS.iter().position(|c| c.id == id).map(|i| Control(i as u8))
    }
    /// Every control in catalogue order.
    pub fn all() -> impl Iterator<Item = Control> {
        (0..CONTROLS.len() as u8).map(Control)
    }
    /// Whether the control exists in `region` (CTRL-3: unavailable controls are skipped there).
    pub fn available_in(self, region: &str) -> bool {
        self.info().only_in.is_none_or(|only| only == region)
    }
    /// The control's parameter called `name`.
    pub fn param(self, name: &str) -> Option<&'static ParamInfo> {
        self.info().params.iter().find(|p| p.name == name)
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().id)
    }
}

/// A set of controls as a bit set; iteration in catalogue order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ControlSet(pub u64);

/// What `ControlSet::matching` selects.
#[derive(Clone, Copy)]
enum Trait {
    Any,
    Global,
    RegionBound,
}

impl ControlSet {
    /// The empty set.
    pub const EMPTY: ControlSet = ControlSet(0);
    /// Every control in the catalogue.
    pub const ALL: ControlSet = ControlSet::matching(Trait::Any);
    /// The controls that check global resources (CTRL-3).
    pub const GLOBAL: ControlSet = ControlSet::matching(Trait::Global);
    /// The controls that exist in one Region only.
    pub const REGION_BOUND: ControlSet = ControlSet::matching(Trait::RegionBound);

    /// The catalogue rows with `feature` (evaluated at compile time).
    const fn matching(feature: Trait) -> ControlSet {
        let mut bits = 0u64;
        let mut i = 0;
        while i < CONTROLS.len() {
            let row = &CONTROLS[i];
            let keep = match feature {
                Trait::Any => true,
                Trait::Global => row.global,
                Trait::RegionBound => row.only_in.is_some(),
            };
            if keep {
                bits |= 1 << i;
            }
            i += 1;
        }
        ControlSet(bits)
    }

    /// Every control that belongs to at least one of `standards`.
    pub fn of_standards(standards: StandardSet) -> ControlSet {
        Control::all().filter(|c| c.info().standards.0 & standards.0 != 0).collect()
    }
    /// Whether `control` is in the set.
    pub fn contains(self, control: Control) -> bool {
        self.0 & (1 << control.0) != 0
    }
    /// Adds `control`.
    pub fn insert(&mut self, control: Control) {
        self.0 |= 1 << control.0;
    }
    /// Removes `control`.
    pub fn remove(&mut self, control: Control) {
        self.0 &= !(1 << control.0);
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The controls in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Control> {
        // Bits beyond the catalogue (a set built by hand) name no control.
        let mut rest = self.0 & ControlSet::ALL.0;
        std::iter::from_fn(move || {
            let next = rest.trailing_zeros();
            (rest != 0).then(|| {
                rest &= rest - 1;
                Control(next as u8)
            })
        })
    }
}

impl FromIterator<Control> for ControlSet {
    fn from_iter<I: IntoIterator<Item = Control>>(iter: I) -> Self {
        let mut set = ControlSet::EMPTY;
        for control in iter {
            set.insert(control);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_parse_from_short_form_and_every_arn_shape() {
        assert_eq!(Standard::parse("aws-foundational-security-best-practices/v/1.0.0"), Some(Standard::FSBP));
        assert_eq!(
            Standard::parse(
                "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"
            ),
            Some(Standard::FSBP)
        );
        assert_eq!(
            Standard::parse("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"),
            Some(Standard::CIS_1_2)
        );
        assert_eq!(
            Standard::parse(&Standard::FSBP.subscription_arn("us-east-1", "111111111111")),
            Some(Standard::FSBP)
        );
        assert_eq!(Standard::parse("pci-dss/v/9"), None);
    }

    #[test]
    fn defaults_are_fsbp_and_cis_1_2() {
        let defaults: Vec<_> = StandardSet::defaults().iter().collect();
        assert_eq!(defaults, vec![Standard::FSBP, Standard::CIS_1_2]);
        assert!(CONTROLS.len() <= 64);
        assert!(Control::parse("CloudFront.1").unwrap().available_in("us-east-1"));
        assert!(!Control::parse("CloudFront.1").unwrap().available_in("eu-west-1"));
    }

    #[test]
    fn the_compile_time_masks_match_the_catalogue() {
        let global: ControlSet = Control::all().filter(|c| c.info().global).collect();
        let bound: ControlSet = Control::all().filter(|c| c.info().only_in.is_some()).collect();
        assert_eq!(ControlSet::GLOBAL, global);
        assert_eq!(ControlSet::REGION_BOUND, bound);
        assert_eq!(ControlSet::ALL.iter().count(), CONTROLS.len());
        assert_eq!(ControlSet(u64::MAX).iter().count(), CONTROLS.len(), "bits past the catalogue name nothing");
        assert!(!ControlSet::GLOBAL.is_empty() && !ControlSet::REGION_BOUND.is_empty());
        let picked = ControlSet(0b1000_0000_0101);
        assert_eq!(picked.iter().map(|c| c.0).collect::<Vec<_>>(), vec![0, 2, 11], "iteration in catalogue order");
    }
}
