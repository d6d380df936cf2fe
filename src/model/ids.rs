//! Identifiers: the ids users see (`AccountId`, OU and root ids, policy UUIDs, invitation and
//! handshake ids) and the dense indices the engine uses internally (`AccountIdx`, `NodeIdx`,
//! `PolicyIdx`).
//!
//! The two kinds never mix: an `_id` is text or a number in AWS's own form, validated once at the
//! boundary; an `_idx` is a position in one of the world's vectors. Ids that AWS generates (OU ids,
//! policy UUIDs, invitation ids) are derived deterministically from a counter, so the same scenario
//! always produces the same ids.

use std::fmt;

/// A 12-digit AWS account id. Leading zeros are part of the id and kept when rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(u64);

/// Why a string is not an account id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountIdError {
    /// The rejected text.
    pub text: String,
}

impl fmt::Display for AccountIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an account id: expected exactly 12 digits", self.text)
    }
}

impl AccountId {
    /// Parses exactly twelve ASCII digits.
    pub fn parse(text: &str) -> Result<AccountId, AccountIdError> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountId(text.parse().expect("twelve digits fit in u64")))
        } else {
            Err(AccountIdError { text: text.to_string() })
        }
    }

    /// Builds an id from its number; `None` above 999999999999.
    pub fn from_number(number: u64) -> Option<AccountId> {
        (number <= 999_999_999_999).then_some(AccountId(number))
    }

    /// The numeric value.
    pub fn number(self) -> u64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Dense index of an account in `World::accounts` (every account the world knows, in or out of the
/// organization).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct AccountIdx(pub u32);

impl AccountIdx {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Dense index of a node of the organization tree: `NodeIdx::ROOT` is the root, every other node is
/// an OU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct NodeIdx(pub u32);

impl NodeIdx {
    /// The organization's root.
    pub const ROOT: NodeIdx = NodeIdx(0);

    /// The index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
    /// Whether this node is the root.
    pub fn is_root(self) -> bool {
        self == NodeIdx::ROOT
    }
}

/// Dense index of a configuration policy in `Central::policies` (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct PolicyIdx(pub u32);

/// Dense index of an Organizations handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct HandshakeIdx(pub u32);

/// SplitMix64: a fixed, portable mixing function for deriving AWS-looking ids from counters.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn base36(mut value: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(value % 36) as usize];
        value /= 36;
    }
    String::from_utf8(out).expect("ascii digits")
}

/// The root id AWS would show, e.g. `r-k3x9`, derived from the organization's seed number.
pub fn root_id_text(org_number: u64) -> String {
    format!("r-{}", base36(mix(org_number) % 36u64.pow(4), 4))
}

/// The OU id AWS would show, e.g. `ou-k3x9-2b7d9qfa`: the root's suffix, then eight characters.
pub fn ou_id_text(org_number: u64, node: NodeIdx) -> String {
    let root = root_id_text(org_number);
    format!("ou-{}-{}", &root[2..], base36(mix(org_number ^ ((node.0 as u64) << 20)) % 36u64.pow(8), 8))
}

/// Whether `text` has the shape of a root id (`r-` then 4–32 lowercase alphanumerics).
pub fn is_root_id_shape(text: &str) -> bool {
    text.strip_prefix("r-").is_some_and(|rest| {
        (4..=32).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    })
}

/// Whether `text` has the shape of an OU id (`ou-` 4–32 chars `-` 8–32 chars, lowercase alphanumerics).
pub fn is_ou_id_shape(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("ou-") else { return false };
    let Some((first, second)) = rest.split_once('-') else { return false };
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    (4..=32).contains(&first.len()) && (8..=32).contains(&second.len()) && ok(first) && ok(second)
}

/// A UUID (version-4 shaped) derived from a counter: configuration policy ids.
pub fn uuid_text(seed: u64) -> String {
    let a = mix(seed);
    let b = mix(a ^ 0x5555_5555);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a as u16) & 0x0fff,
        ((b >> 48) as u16 & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// Whether `text` is shaped like a UUID (8-4-4-4-12 lowercase or uppercase hex).
pub fn is_uuid_shape(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Security Hub invitation id (32 hex characters) derived from a counter.
pub fn invitation_id_text(counter: u64) -> String {
    format!("{:016x}{:016x}", mix(counter ^ 0xA11CE), mix(counter ^ 0xB0B))
}

/// An Organizations handshake id, e.g. `h-1a2b3c4d5e`.
pub fn handshake_id_text(counter: u64) -> String {
    format!("h-{}", base36(mix(counter ^ 0x4A5D) % 36u64.pow(10), 10))
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AccountId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_keep_leading_zeros_and_reject_other_lengths() {
        let id = AccountId::parse("000000000042").unwrap();
        assert_eq!(id.to_string(), "000000000042");
        assert!(AccountId::parse("1234567890123").is_err());
        assert!(AccountId::parse("12345678901a").is_err());
    }

    #[test]
    fn generated_ids_have_aws_shapes_and_are_stable() {
        let root = root_id_text(1);
        assert!(is_root_id_shape(&root), "{root}");
        let ou = ou_id_text(1, NodeIdx(3));
        assert!(is_ou_id_shape(&ou), "{ou}");
        assert!(ou.starts_with(&format!("ou-{}-", &root[2..])));
        assert!(is_uuid_shape(&uuid_text(7)));
        assert_eq!(uuid_text(7), uuid_text(7));
        assert_ne!(uuid_text(7), uuid_text(8));
        assert_eq!(invitation_id_text(1).len(), 32);
    }
}
