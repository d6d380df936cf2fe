//! `for_each_account_in`: one `[[step]]` that runs once for each account an OU holds, so that a
//! scenario can say "every account in Leavers leaves, one every 100 ms" about 1,000 generated
//! accounts it cannot name one by one.
//!
//! The accounts are those in the OU and the OUs below it at time zero, as `[org]` declares them,
//! in ascending account-id order; the i-th account's call runs at `at + i × every`. `caller =
//! "{account}"` makes each account the caller, and in every string of `args` and `expect`
//! `{account}` stands for the account (`"handshake:{account}"` too).
//! Expansion happens at load time, so `hubsim check` validates every expanded call, and a step
//! that names `{account}` without `for_each_account_in` is an error.

use serde_json::Value;

use crate::model::{AccountId, NodeIdx, World};

/// What stands for the account in `caller` and `args`.
pub const PLACEHOLDER: &str = "{account}";

/// Whether any string in `value` names the account.
pub fn mentions(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains(PLACEHOLDER),
        Value::Array(items) => items.iter().any(mentions),
        Value::Object(map) => map.values().any(mentions),
        _ => false,
    }
}

/// `value` with every `{account}` replaced by `account`.
pub fn fill(value: &Value, account: &str) -> Value {
    match value {
        Value::String(text) if text.contains(PLACEHOLDER) => Value::String(text.replace(PLACEHOLDER, account)),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, account)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, account))).collect()),
        other => other.clone(),
    }
}

/// Whether any string in a TOML `value` (a step's `expect`) names the account.
pub fn mentions_toml(value: &toml::Value) -> bool {
    match value {
        toml::Value::String(text) => text.contains(PLACEHOLDER),
        toml::Value::Array(items) => items.iter().any(mentions_toml),
        toml::Value::Table(table) => table.values().any(mentions_toml),
        _ => false,
    }
}

/// A TOML `value` with every `{account}` replaced by `account`.
pub fn fill_toml(value: &toml::Value, account: &str) -> toml::Value {
    match value {
        toml::Value::String(text) => toml::Value::String(text.replace(PLACEHOLDER, account)),
        toml::Value::Array(items) => toml::Value::Array(items.iter().map(|v| fill_toml(v, account)).collect()),
        toml::Value::Table(table) => {
            toml::Value::Table(table.iter().map(|(k, v)| (k.clone(), fill_toml(v, account))).collect())
        }
        other => other.clone(),
    }
}

/// The accounts in `node` and every OU below it, in ascending id order.
pub fn accounts_in(world: &World, node: NodeIdx) -> Vec<AccountId> {
    let mut pending = vec![node];
    let mut accounts = Vec::new();
    while let Some(node) = pending.pop() {
        let node = world.org.node(node);
        accounts.extend(node.accounts.iter().map(|a| world.account_id(*a)));
        pending.extend(node.child_ous.iter().copied());
    }
    accounts.sort_unstable();
    accounts
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{accounts_in, fill, mentions};
    use crate::model::{AccountId, NodeIdx, Region, WorldBuilder};

    /// A one-Region scenario whose management account is 111111111111, `rest` after its `[org]`.
    fn load(rest: &str) -> crate::scenario::Scenario {
        let source = format!("title = \"x\"\nregions = [\"us-east-1\"]\n[org]\nmanagement = \"111111111111\"\n{rest}");
        crate::scenario::from_str("each.toml", &source).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn fill_replaces_the_placeholder_in_every_string_and_nothing_else() {
        let args =
            json!({ "AccountId": "{account}", "HandshakeId": "handshake:{account}", "N": 3, "L": ["{account}", "x"] });
        assert!(mentions(&args));
        let filled = fill(&args, "100000000007");
        assert_eq!(
            filled,
            json!({ "AccountId": "100000000007", "HandshakeId": "handshake:100000000007", "N": 3, "L": ["100000000007", "x"] })
        );
        assert!(!mentions(&filled));
    }

    #[test]
    fn accounts_in_an_ou_include_nested_ous_in_id_order() {
        let id = |text: &str| AccountId::parse(text).unwrap();
        let world = WorldBuilder::new(vec![Region::parse("us-east-1").unwrap()], id("111111111111"))
            .account_in(id("333333333333"), "A/Deep")
            .account_in(id("222222222222"), "A")
            .account_in(id("444444444444"), "B")
            .build()
            .unwrap();
        let a = world.org.node_by_path("A").unwrap();
        assert_eq!(accounts_in(&world, a), vec![id("222222222222"), id("333333333333")]);
        assert_eq!(accounts_in(&world, NodeIdx::ROOT).len(), 4, "the root holds the management account too");
    }

    /// A step run for each account of an OU (nested OUs included) becomes one call per account,
    /// in id order, `every` apart, with the account filled in as caller and in the arguments;
    /// each is checked on its own, and later steps keep their order.
    #[test]
    fn a_step_for_each_account_runs_once_per_account_every_interval() {
        let scenario = load(
            r#"
[org.ous]
"Leavers" = ["333333333333", "222222222222"]
"Leavers/Deep" = ["444444444444"]
"Stay" = ["555555555555"]
[[step]]
at = "1m"
every = "1s"
for_each_account_in = "ou:Leavers"
caller = "{account}"
call = "organizations:LeaveOrganization"
expect = "ok"
[[step]]
at = "1m"
caller = "management"
call = "organizations:RemoveAccountFromOrganization"
args = { AccountId = "555555555555" }
expect = "ok"
[[expect]]
at = "end"
account = "444444444444"
in_organization = false
"#,
        );
        let id = |text: &str| AccountId::parse(text).unwrap();
        let calls: Vec<(usize, u64, Option<AccountId>)> =
            scenario.steps.iter().map(|s| (s.index, s.at.as_ms(), s.each)).collect();
        assert_eq!(
            calls,
            vec![
                (0, 60_000, Some(id("222222222222"))),
                (1, 61_000, Some(id("333333333333"))),
                (2, 62_000, Some(id("444444444444"))),
                (3, 60_000, None),
            ]
        );
        assert_eq!(scenario.steps[2].caller, crate::scenario::CallerRef::Account(id("444444444444")));
        let report = crate::scenario::run(&scenario, &crate::scenario::RunOptions::default());
        assert!(report.passed(), "{}", report.render_results());
        assert_eq!(report.checks, 5, "four step expectations and one state check");
        let text = report.render_text();
        let order: Vec<&str> = text.lines().filter(|l| l.contains("organizations:")).collect();
        assert_eq!(order.len(), 4, "{text}");
        assert!(order[0].contains("LeaveOrganization") && order[1].contains("RemoveAccountFromOrganization"), "{text}");
    }

    /// `{account}` is filled into a step's `expect` too (each account's check names it), and a
    /// step run for each account can designate the administrator the `admin` alias stands for.
    #[test]
    fn the_account_is_filled_into_the_expectation_and_the_admin_alias() {
        let source = |unprocessed: &str| {
            format!(
                r#"
[org.ous]
"Security" = ["222222222222"]
"Workloads" = {{ generate = 2 }}
[[step]]
at = "0s"
for_each_account_in = "ou:Security"
caller = "management"
call = "securityhub:EnableOrganizationAdminAccount"
args = {{ AdminAccountId = "{{account}}" }}
expect = "ok"
[[step]]
at = "1m"
every = "1s"
for_each_account_in = "ou:Workloads"
caller = "admin"
call = "securityhub:GetMembers"
args = {{ AccountIds = ["{{account}}"] }}
expect = {{ result = "ok", unprocessed = ["{unprocessed}"] }}
"#
            )
        };
        let scenario = load(&source("{account}"));
        assert_eq!(scenario.admin_alias, Some(AccountId::parse("222222222222").unwrap()));
        let report = crate::scenario::run(&scenario, &crate::scenario::RunOptions::default());
        assert!(report.passed(), "{}", report.render_results());
        assert_eq!(report.checks, 3);
        // The same expectation naming one fixed account holds for that account only.
        let fixed = load(&source("100000000000"));
        let report = crate::scenario::run(&fixed, &crate::scenario::RunOptions::default());
        assert_eq!(report.mismatches.len(), 1, "{}", report.render_results());
        assert!(report.mismatches[0].what.contains("for 100000000001"), "{}", report.render_results());
    }
}
