//! Validation: a `RawScenario` becomes a typed `Scenario`, or every problem in the file becomes a
//! `Diagnostic` naming its line and column and what was expected. Checked once here and never
//! again: Regions, account ids, caller aliases, OU paths and depth, operation names and their
//! arguments (deserialized into `Operation` with symbolic ids stood in), symbolic ids, times that
//! go backwards, and every expected value.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde_json::Value;
use toml::Spanned;

use super::diagnostic::{Diagnostic, Diagnostics};
use super::duration;
use super::each;
use super::expect::{Check, CheckKind, StateExpect, StepExpect, TargetRef, When, member_status_names};
use super::raw::{RawClient, RawExpect, RawRate, RawScenario, RawStep};
use super::symbols;
use super::{CallerRef, Scenario, Step};
use crate::model::{
    AccountId, Control, FeatureSet, Limits, MAX_OU_DEPTH, NodeIdx, Region, RegionIdx, SimDuration, SimTime, Standard,
    StandardSet, WorldBuilder,
};
use crate::rules::{DelayClass, ErrorCode, Operation, RuleId, Service, call};
use crate::sim::quotas::Rate;
use crate::sim::{ClientConfig, DelayRange, FaultModel, LatencyModel, RetryMode, RunLimits, SimConfig};
use crate::timeline::Recording;

/// Every account a step or expectation may name: declared, generated, or created by a step.
struct KnownAccounts<'a> {
    created: &'a BTreeSet<AccountId>,
    world: Option<&'a crate::model::World>,
}

impl KnownAccounts<'_> {
    fn contains(&self, id: &AccountId) -> bool {
        self.created.contains(id) || self.world.is_some_and(|w| w.account_idx(*id).is_some())
    }
}

struct Checker<'a> {
    file: &'a str,
    source: &'a str,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, expected: impl Into<Option<String>>) {
        self.problems.push(Diagnostic::new(self.file, self.source, span, message, expected.into()));
    }
    fn account<T: AsRef<str>>(&mut self, value: &Spanned<T>) -> Option<AccountId> {
        match AccountId::parse(value.get_ref().as_ref()) {
            Ok(id) => Some(id),
            Err(_) => {
                let text = value.get_ref().as_ref();
                let why = if text.chars().all(|c| c.is_ascii_digit()) {
                    format!("`{text}` has {} digits; an account id has exactly 12", text.len())
                } else {
                    format!("`{text}` is not an account id")
                };
                self.error(value.span(), why, Some("a 12-digit account id such as \"111111111111\"".into()));
                None
            }
        }
    }
    /// A `["MIN", "MAX"]` pair of durations under `key`; `example` shows a valid one.
    fn delay_range(&mut self, key: &str, range: &Spanned<Vec<Spanned<String>>>, example: &str) -> Option<DelayRange> {
        let values = range.get_ref();
        if values.len() != 2 {
            self.error(
                range.span(),
                format!("`{key}` needs two durations"),
                Some(format!("[\"MIN\", \"MAX\"], e.g. {example}")),
            );
            return None;
        }
        // Both ends are checked, so that both get a diagnostic when both are wrong.
        let (min, max) = (self.duration(&values[0]), self.duration(&values[1]));
        let (min, max) = (min?, max?);
        match DelayRange::new(min.since(SimTime::ZERO), max.since(SimTime::ZERO)) {
            Ok(r) => Some(r),
            Err(why) => {
                self.error(range.span(), why, Some("MIN not greater than MAX".into()));
                None
            }
        }
    }

    fn duration(&mut self, value: &Spanned<String>) -> Option<SimTime> {
        match duration::parse(value.get_ref()) {
            Ok(d) => Some(SimTime::ZERO.after(d)),
            Err(why) => {
                self.error(
                    value.span(),
                    why,
                    Some("a duration such as \"0s\", \"90s\", \"5m\", \"1h30m\" or \"2d\"".into()),
                );
                None
            }
        }
    }
    fn one_of(&mut self, value: &Spanned<String>, what: &str, allowed: &[&str]) -> Option<String> {
        if allowed.contains(&value.get_ref().as_str()) {
            Some(value.get_ref().clone())
        } else {
            self.error(
                value.span(),
                format!("`{}` is not a valid {what}", value.get_ref()),
                Some(format!("one of {}", allowed.join(", "))),
            );
            None
        }
    }
}

/// Validates a parsed file.
pub fn validate(file: &str, source: &str, raw: RawScenario) -> Result<Scenario, Diagnostics> {
    let mut c = Checker { file, source, problems: Vec::new() };

    // ---- Regions ----
    let mut regions = Vec::new();
    for code in raw.regions.get_ref() {
        match Region::parse(code.get_ref()) {
            Some(region) if regions.contains(&region) => {
                c.error(code.span(), format!("Region {region} is listed twice"), None)
            }
            Some(region) => regions.push(region),
            None => c.error(
                code.span(),
                format!("unknown Region `{}`", code.get_ref()),
                Some("a commercial Region code such as \"us-east-1\" or \"eu-west-1\"".into()),
            ),
        }
    }
    if raw.regions.get_ref().is_empty() {
        c.error(raw.regions.span(), "`regions` is empty", Some("at least one Region".into()));
    }
    let region_idx = |region: &Region| RegionIdx(regions.iter().position(|r| r == region).unwrap_or(0) as u8);
    let in_play = |c: &mut Checker, code: &Spanned<String>| -> Option<RegionIdx> {
        match Region::parse(code.get_ref()) {
            Some(region) if regions.contains(&region) => Some(region_idx(&region)),
            Some(region) => {
                c.error(
                    code.span(),
                    format!("Region {region} is not in the scenario's `regions`"),
                    Some(format!("one of {}", regions.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))),
                );
                None
            }
            None => {
                c.error(
                    code.span(),
                    format!("unknown Region `{}`", code.get_ref()),
                    Some("a commercial Region code such as \"us-east-1\"".into()),
                );
                None
            }
        }
    };

    // ---- the organization ----
    let org = &raw.org;
    let management = c.account(&org.management);
    let mut declared: BTreeMap<AccountId, Range<usize>> = BTreeMap::new();
    if let Some(m) = management {
        declared.insert(m, org.management.span());
    }
    let mut declare = |c: &mut Checker, value: &Spanned<String>| -> Option<AccountId> {
        let id = c.account(value)?;
        if declared.contains_key(&id) {
            c.error(value.span(), format!("account {id} is declared more than once"), None);
            return None;
        }
        declared.insert(id, value.span());
        Some(id)
    };
    let mut builder =
        WorldBuilder::new(regions.clone(), management.unwrap_or(AccountId::from_number(0).expect("zero")));
    for value in &org.root {
        if let Some(id) = declare(&mut c, value) {
            builder = builder.account_under_root(id);
        }
    }
    for (path, value) in &org.ous {
        let segments: Vec<&str> = path.split('/').collect();
        if segments.iter().any(|s| s.trim().is_empty()) {
            c.error(
                value.span(),
                format!("OU path `{path}` has an empty name"),
                Some("a path such as \"Workloads/Prod\"".into()),
            );
            continue;
        }
        if segments.len() > MAX_OU_DEPTH {
            c.error(
                value.span(),
                format!(
                    "OU path `{path}` nests {} levels below the root; Organizations allows {MAX_OU_DEPTH} (ORG-2)",
                    segments.len()
                ),
                Some(format!("at most {MAX_OU_DEPTH} levels")),
            );
            continue;
        }
        builder = builder.ou(path);
        match value.get_ref() {
            toml::Value::Array(items) => {
                for item in items {
                    match item.as_str() {
                        Some(text) => {
                            let spanned = Spanned::new(value.span(), text.to_string());
                            if let Some(id) = declare(&mut c, &spanned) {
                                builder = builder.account_in(id, path);
                            }
                        }
                        None => c.error(
                            value.span(),
                            format!("OU `{path}` lists a non-string account"),
                            Some("account ids as strings".into()),
                        ),
                    }
                }
            }
            toml::Value::Table(table)
                if table.len() == 1 && table.get("generate").is_some_and(|v| v.as_integer().is_some()) =>
            {
                let n = table["generate"].as_integer().expect("checked");
                if !(0..=100_000).contains(&n) {
                    c.error(
                        value.span(),
                        format!("`generate = {n}` is out of range"),
                        Some("0 to 100000 accounts".into()),
                    );
                } else {
                    builder = builder.generate_in(path, n as usize);
                }
            }
            _ => c.error(
                value.span(),
                format!("OU `{path}` must list its accounts"),
                Some("a list of account ids, or { generate = N }".into()),
            ),
        }
    }
    if let Some(standalone) = &org.standalone {
        for value in &standalone.accounts {
            if let Some(id) = declare(&mut c, value) {
                builder = builder.standalone(id);
            }
        }
        for value in &standalone.other_org {
            if let Some(id) = declare(&mut c, value) {
                builder = builder.in_other_org(id, 2);
            }
        }
    }
    if let Some(feature_set) = &org.feature_set
        && c.one_of(feature_set, "feature set", &["ALL", "CONSOLIDATED_BILLING"]).as_deref()
            == Some("CONSOLIDATED_BILLING")
    {
        builder = builder.feature_set(FeatureSet::ConsolidatedBilling);
    }
    if let Some(n) = org.max_accounts {
        builder = builder.max_accounts(n);
    }
    if let Some(on) = org.securityhub_policy_type {
        builder = builder.securityhub_policy_type(on);
    }
    if let Some(on) = org.account_management_trusted_access {
        builder = builder.account_management_trusted(on);
    }
    let known =
        |c: &mut Checker, value: &Spanned<String>, declared: &BTreeMap<AccountId, Range<usize>>| -> Option<AccountId> {
            let id = c.account(value)?;
            if declared.contains_key(&id) {
                Some(id)
            } else {
                c.error(
                    value.span(),
                    format!("account {id} is not declared in [org]"),
                    Some("an account of [org] (management, root, ous or standalone)".into()),
                );
                None
            }
        };
    for (account, list) in &org.opt_in {
        let account = known(&mut c, &Spanned::new(list.span(), account.clone()), &declared);
        for code in list.get_ref() {
            if let (Some(id), Some(r)) = (account, in_play(&mut c, code)) {
                let region = regions[r.index()];
                if region.is_opt_in() {
                    builder = builder.opt_in(id, region);
                } else {
                    c.error(
                        code.span(),
                        format!("{region} is enabled by default; only opt-in Regions are activated"),
                        Some("an opt-in Region such as af-south-1".into()),
                    );
                }
            }
        }
    }
    for hub in &org.hubs {
        let hub = hub.get_ref();
        let Some(id) = known(&mut c, &hub.account, &declared) else { continue };
        let standards: StandardSet = match &hub.standards {
            None => StandardSet::defaults(),
            Some(list) => list.iter().filter_map(|s| parse_standard(&mut c, s)).collect(),
        };
        let hub_regions: Vec<RegionIdx> = match &hub.regions {
            None => (0..regions.len()).map(|i| RegionIdx(i as u8)).collect(),
            Some(list) => list.iter().filter_map(|r| in_play(&mut c, r)).collect(),
        };
        for r in hub_regions {
            builder = builder.hub_enabled(id, regions[r.index()], standards);
        }
    }
    for (account, list) in &org.config_recording_off {
        let account = known(&mut c, &Spanned::new(list.span(), account.clone()), &declared);
        for code in list.get_ref() {
            if let (Some(id), Some(r)) = (account, in_play(&mut c, code)) {
                builder = builder.config_recording_off(id, regions[r.index()]);
            }
        }
    }

    // ---- simulation settings ----
    let mut latency = LatencyModel::default();
    for (key, range) in &raw.latency {
        let Some(class) = DelayClass::ALL.iter().copied().find(|d| d.key() == key) else {
            let keys: Vec<&str> = DelayClass::ALL.iter().map(|d| d.key()).collect();
            c.error(
                range.span(),
                format!("unknown latency class `{key}`"),
                Some(format!("one of {}", keys.join(", "))),
            );
            continue;
        };
        if let Some(r) = c.delay_range(key, range, "[\"10s\", \"5m\"]") {
            latency.set(class, r);
        }
    }
    let mut faults = FaultModel::default();
    if let Some(raw_faults) = &raw.faults {
        for (value, slot) in [
            (&raw_faults.throttle, &mut faults.throttle),
            (&raw_faults.internal_error, &mut faults.internal_error),
            (&raw_faults.follow_up_failure, &mut faults.follow_up_failure),
        ] {
            if let Some(p) = value {
                if (0.0..=1.0).contains(p.get_ref()) {
                    *slot = *p.get_ref();
                } else {
                    c.error(
                        p.span(),
                        format!("probability {} is out of range", p.get_ref()),
                        Some("a number from 0.0 to 1.0".into()),
                    );
                }
            }
        }
    }
    let mut limits = RunLimits::default();
    let mut rate_limits = true;
    let mut rate_overrides = BTreeMap::new();
    let mut quotas = Limits::default();
    if let Some(raw_limits) = &raw.limits {
        if let Some(n) = raw_limits.members_per_admin {
            quotas.members_per_admin = n;
        }
        if let Some(n) = raw_limits.invitation_members_per_admin {
            quotas.invitation_members_per_admin = n;
        }
        if let Some(n) = raw_limits.policies {
            quotas.policies = n;
        }
        if let Some(t) = &raw_limits.max_time
            && let Some(t) = c.duration(t)
        {
            limits.max_time = t;
        }
        if let Some(n) = raw_limits.max_events {
            limits.max_events = n;
        }
        if let Some(on) = raw_limits.api_rate_limits {
            rate_limits = on;
        }
        for (operation, rate) in &raw_limits.api_rates {
            let RawRate { rate: per_second, burst } = *rate.get_ref();
            if !call::OPERATION_NAMES.contains(&operation.as_str()) {
                c.error(
                    rate.span(),
                    format!("`{operation}` is not an operation hubsim knows"),
                    Some("an AWS API operation name such as \"CreateMembers\"".into()),
                );
            } else if per_second == 0 || burst == 0 {
                c.error(rate.span(), "a rate limit needs a rate and a burst of at least 1", None);
            } else {
                rate_overrides.insert(operation.clone(), Rate { per_second, burst });
            }
        }
    }
    let client = raw.client.as_ref().map(|raw_client| client_config(&mut c, raw_client)).unwrap_or_default();
    builder = builder.limits(quotas);
    let world = match builder.build() {
        Ok(world) => Some(world),
        Err(e) => {
            c.error(raw.org.management.span(), format!("the organization cannot be built: {e}"), None);
            None
        }
    };

    // ---- steps ----
    // Each step's arguments in the API's JSON shape, converted once: the symbol table, the accounts
    // steps create and the `admin` alias are read from them, and the steps keep them (`None`: not
    // a table, reported with the step). A `for_each_account_in` step becomes one (account,
    // arguments) pair per account.
    let expansions: Vec<Vec<(Option<AccountId>, Option<Value>)>> = raw
        .steps
        .iter()
        .map(|s| {
            let args = match &s.args {
                Some(value) => {
                    value.get_ref().is_table().then(|| serde_json::to_value(value.get_ref()).unwrap_or(Value::Null))
                }
                None => Some(Value::Object(Default::default())),
            };
            expand(&mut c, s, args, world.as_ref())
        })
        .collect();
    // (operation name, arguments) of every call the steps make.
    let calls = || {
        raw.steps.iter().zip(&expansions).flat_map(|(s, expanded)| {
            let operation = s.call.get_ref().rsplit(':').next().unwrap_or_default();
            expanded.iter().filter_map(move |(_, args)| Some((operation, args.as_ref()?)))
        })
    };
    let account_arg = |args: &Value, key: &str| args.get(key)?.as_str().and_then(|t| AccountId::parse(t).ok());
    let created: BTreeSet<AccountId> = calls()
        .filter(|(operation, _)| *operation == "CreateAccount")
        .filter_map(|(_, args)| account_arg(args, "AccountId"))
        .collect();
    let admin_alias = match &org.admin {
        Some(value) => known(&mut c, value, &declared),
        None => calls().find_map(|(operation, args)| match operation {
            "EnableOrganizationAdminAccount" | "DesignateDelegatedAdministrator" => account_arg(args, "AdminAccountId"),
            "RegisterDelegatedAdministrator" => account_arg(args, "AccountId"),
            _ => None,
        }),
    };
    let symbol_table = symbols::StaticSymbols::collect(raw.org.ous.keys().map(String::as_str), calls());
    let known = KnownAccounts { created: &created, world: world.as_ref() };
    let mut steps = Vec::new();
    let mut previous_at = SimTime::ZERO;
    for (raw_step, expanded) in raw.steps.iter().zip(expansions) {
        let Some(at) = c.duration(&raw_step.at) else { continue };
        if at < previous_at {
            c.error(
                raw_step.at.span(),
                format!(
                    "step {} at {} comes before the previous step at {previous_at}: time goes backwards",
                    steps.len() + 1,
                    at
                ),
                Some(format!("a time at or after {previous_at}")),
            );
        }
        previous_at = previous_at.max(at);
        let every = match &raw_step.every {
            Some(every) => match c.duration(every) {
                Some(every) => SimDuration::from_ms(every.as_ms()),
                None => continue,
            },
            None => SimDuration::from_ms(0),
        };
        let last_at = (every.as_ms().checked_mul(expanded.len().saturating_sub(1) as u64))
            .and_then(|span| at.as_ms().checked_add(span));
        if let (None, Some(raw_every)) = (last_at, &raw_step.every) {
            c.error(
                raw_every.span(),
                format!(
                    "`every` {} for {} accounts runs past the end of simulated time",
                    raw_every.get_ref(),
                    expanded.len()
                ),
                Some("a shorter interval".into()),
            );
            continue;
        }
        // The calls of a step run for each account differ only in the account: the checks that
        // may differ between them, the symbols' and the expectation's, run for every account and
        // are reported once.
        if raw_step.for_each_account_in.is_some() {
            let unresolved: Vec<(AccountId, (String, String))> = expanded
                .iter()
                .filter_map(|(each, args)| {
                    let problem = symbol_table.check(args.as_ref()?).into_iter().next()?;
                    Some(((*each)?, problem))
                })
                .collect();
            if let Some((account, (message, expected))) = unresolved.first() {
                let more = match unresolved.len() {
                    1 => String::new(),
                    n => format!(" (and {} more accounts)", n - 1),
                };
                let span = raw_step.args.as_ref().map(|a| a.span()).unwrap_or_else(|| raw_step.call.span());
                c.error(span, format!("for account {account}: {message}{more}"), Some(expected.clone()));
                continue;
            }
        }
        let mut expanded = expanded.into_iter();
        let Some((each, args)) = expanded.next() else { continue };
        // A caller that stands for each account is exactly the placeholder (checked in `expand`).
        let caller_is_each = raw_step.caller.get_ref() == each::PLACEHOLDER;
        let caller = match each {
            Some(account) if caller_is_each => Spanned::new(raw_step.caller.span(), account.to_string()),
            _ => raw_step.caller.clone(),
        };
        let Some(first) = validate_step(
            &mut c,
            steps.len(),
            at,
            raw_step,
            &caller,
            args,
            &regions,
            &known,
            management,
            admin_alias,
            &symbol_table,
        ) else {
            continue;
        };
        // An expectation that names the account is checked with each account filled in.
        let expect_for = |c: &mut Checker, each: Option<AccountId>| match (&raw_step.expect, each) {
            (Some(expect), Some(account)) if each::mentions_toml(expect.get_ref()) => {
                let filled = each::fill_toml(expect.get_ref(), &account.to_string());
                validate_step_expect(c, &Spanned::new(expect.span(), filled))
            }
            _ => None,
        };
        let problems = c.problems.len();
        let first_expect = expect_for(&mut c, each);
        if c.problems.len() > problems {
            // The same expectation, with another account, would be wrong the same way.
            continue;
        }
        let first = Step { each, expect: first_expect.or(first.expect), ..first };
        let mut rest = Vec::new();
        for (i, (each, args)) in expanded.enumerate() {
            let caller =
                if caller_is_each { CallerRef::Account(each.expect("expanded per account")) } else { first.caller };
            let at = at.after(SimDuration::from_ms(every.as_ms() * (i as u64 + 1)));
            let args = args.expect("every expansion of a table is a table");
            let expect = expect_for(&mut c, each).or_else(|| first.expect.clone());
            rest.push(Step { index: steps.len() + 1 + rest.len(), at, caller, args, each, expect, ..first.clone() });
        }
        steps.push(first);
        steps.extend(rest);
    }

    // ---- expectations ----
    let mut expects = Vec::new();
    for raw_expect in &raw.expects {
        let line = line_of(source, raw_expect.span().start);
        if let Some(expect) = validate_expect(&mut c, raw_expect.get_ref(), line, &regions, &known) {
            expects.push(expect);
        }
    }
    let mut covers = Vec::new();
    for rule in &raw.covers {
        match RuleId::parse(rule.get_ref()) {
            Some(id) => covers.push(id),
            None => c.error(
                rule.span(),
                format!("`{}` is not a rule id of RULES.md", rule.get_ref()),
                Some("an id such as \"ADMIN-3\"".into()),
            ),
        }
    }

    if !c.problems.is_empty() {
        // In file order, whichever pass found them (stable: one place's problems keep their order).
        c.problems.sort_by_key(|d| d.span.start);
        return Err(Diagnostics(c.problems));
    }
    let world = world.expect("a world without problems was built");
    Ok(Scenario {
        name: file.to_string(),
        title: raw.title.into_inner(),
        about: raw.about,
        world,
        admin_alias,
        config: SimConfig {
            seed: raw.seed.unwrap_or(0),
            latency,
            faults,
            limits,
            recording: Recording::Full,
            rate_limits,
            rate_overrides,
            client,
        },
        steps,
        expects,
        covers,
    })
}

/// `[client]`: the SDK defaults for the mode, then each key given.
fn client_config(c: &mut Checker, raw: &RawClient) -> ClientConfig {
    let mode = match &raw.retry {
        None => RetryMode::Standard,
        Some(text) => RetryMode::parse(text.get_ref()).unwrap_or_else(|| {
            c.error(
                text.span(),
                format!("`{}` is not a retry mode", text.get_ref()),
                Some("\"off\", \"standard\" or \"adaptive\"".into()),
            );
            RetryMode::Off
        }),
    };
    let mut config = ClientConfig::sdk(mode);
    if let Some(n) = &raw.max_attempts {
        if *n.get_ref() == 0 {
            c.error(n.span(), "`max_attempts` counts the first attempt", Some("a number of at least 1".into()));
        } else {
            config.max_attempts = *n.get_ref();
        }
    }
    for (value, slot) in [(&raw.base_backoff, &mut config.base_backoff), (&raw.max_backoff, &mut config.max_backoff)] {
        if let Some(t) = value.as_ref().and_then(|v| c.duration(v)) {
            *slot = t.since(SimTime::ZERO);
        }
    }
    if config.base_backoff > config.max_backoff {
        let span = raw.base_backoff.as_ref().or(raw.max_backoff.as_ref()).expect("one was given").span();
        c.error(
            span,
            format!("`base_backoff` {} exceeds `max_backoff` {}", config.base_backoff, config.max_backoff),
            Some("a base no longer than the cap".into()),
        );
    }
    if let Some(r) =
        raw.round_trip.as_ref().and_then(|range| c.delay_range("round_trip", range, "[\"50ms\", \"200ms\"]"))
    {
        config.round_trip = r;
    }
    config
}

fn parse_standard(c: &mut Checker, value: &Spanned<String>) -> Option<Standard> {
    let standard = Standard::parse(value.get_ref());
    if standard.is_none() {
        c.error(
            value.span(),
            format!("unknown standard `{}`", value.get_ref()),
            Some("a standard such as \"aws-foundational-security-best-practices/v/1.0.0\" or its ARN".into()),
        );
    }
    standard
}

/// A step's expansion: `[(None, args)]` for an ordinary step, one `(account, args with the account
/// filled in)` per account for a `for_each_account_in` step; empty when the step is in error.
fn expand(
    c: &mut Checker,
    raw: &RawStep,
    args: Option<Value>,
    world: Option<&crate::model::World>,
) -> Vec<(Option<AccountId>, Option<Value>)> {
    // Where the step names the account, if it does.
    let named_at = if raw.caller.get_ref().contains(each::PLACEHOLDER) {
        Some(raw.caller.span())
    } else if args.as_ref().is_some_and(each::mentions) {
        raw.args.as_ref().map(|a| a.span())
    } else {
        raw.expect.as_ref().filter(|e| each::mentions_toml(e.get_ref())).map(|e| e.span())
    };
    let Some(ou) = &raw.for_each_account_in else {
        if let Some(span) = named_at {
            c.error(
                span,
                format!("`{}` stands for an account only in a step that runs for each account", each::PLACEHOLDER),
                Some("for_each_account_in = \"ou:PATH\" (or \"root\") in this step".into()),
            );
            return Vec::new();
        }
        if let Some(every) = &raw.every {
            c.error(
                every.span(),
                "`every` spaces the calls of a step that runs for each account",
                Some("for_each_account_in = \"ou:PATH\" in this step, or no `every`".into()),
            );
            return Vec::new();
        }
        return vec![(None, args)];
    };
    // Problems with the organization itself are reported where it is declared; arguments that are
    // not a table, with the step.
    let (Some(world), Some(args)) = (world, args) else { return vec![(None, None)] };
    let caller = raw.caller.get_ref();
    if caller.contains(each::PLACEHOLDER) && caller != each::PLACEHOLDER {
        c.error(
            raw.caller.span(),
            format!("`{caller}`: a caller that stands for each account is exactly `{}`", each::PLACEHOLDER),
            Some(format!("caller = \"{}\", or management, admin or an account id", each::PLACEHOLDER)),
        );
        return Vec::new();
    }
    let node = match ou.get_ref().as_str() {
        "root" => Some(NodeIdx::ROOT),
        text => text.strip_prefix("ou:").filter(|path| !path.is_empty()).and_then(|path| world.org.node_by_path(path)),
    };
    let Some(node) = node else {
        let paths: Vec<String> = world.org.nodes.iter().skip(1).map(|n| format!("ou:{}", n.path)).collect();
        c.error(
            ou.span(),
            format!("`{}` is not an OU of [org.ous]", ou.get_ref()),
            Some(format!("\"root\" or one of {}", paths.join(", "))),
        );
        return Vec::new();
    };
    if named_at.is_none() {
        c.error(
            ou.span(),
            format!("the step runs for each account in {} but names none", ou.get_ref()),
            Some(format!(
                "`{}` in `caller`, `args` or `expect`, e.g. AccountId = \"{}\"",
                each::PLACEHOLDER,
                each::PLACEHOLDER
            )),
        );
        return Vec::new();
    }
    let accounts = each::accounts_in(world, node);
    if accounts.is_empty() {
        c.error(
            ou.span(),
            format!("{} holds no accounts at time zero", ou.get_ref()),
            Some("an OU that [org.ous] gives accounts".into()),
        );
        return Vec::new();
    }
    accounts
        .into_iter()
        .map(|account| {
            let filled = each::fill(&args, &account.to_string());
            (Some(account), Some(filled))
        })
        .collect()
}

/// The 1-based line of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

#[allow(clippy::too_many_arguments)]
fn validate_step(
    c: &mut Checker,
    index: usize,
    at: SimTime,
    raw: &RawStep,
    caller_text: &Spanned<String>,
    args: Option<Value>,
    regions: &[Region],
    known: &KnownAccounts,
    management: Option<AccountId>,
    admin_alias: Option<AccountId>,
    symbols_table: &symbols::StaticSymbols,
) -> Option<Step> {
    let caller = match caller_text.get_ref().as_str() {
        "aws" => Some(CallerRef::Aws),
        "management" => management.map(CallerRef::Account),
        "admin" => match admin_alias {
            Some(id) => Some(CallerRef::Account(id)),
            None => {
                c.error(
                    caller_text.span(),
                    "caller alias `admin` has no account behind it",
                    Some("`admin = \"ACCOUNT\"` in [org], or a step that designates the administrator (EnableOrganizationAdminAccount)".into()),
                );
                None
            }
        },
        _ => {
            let id = c.account(caller_text)?;
            if known.contains(&id) {
                Some(CallerRef::Account(id))
            } else {
                c.error(
                    caller_text.span(),
                    format!("caller {id} is not an account of the scenario"),
                    Some("management, admin, aws, or a declared account id".into()),
                );
                None
            }
        }
    };
    let region = match &raw.region {
        None => Some(RegionIdx(0)),
        Some(code) => match Region::parse(code.get_ref()) {
            Some(region) if regions.contains(&region) => {
                Some(RegionIdx(regions.iter().position(|r| *r == region).expect("contains") as u8))
            }
            _ => {
                c.error(
                    code.span(),
                    format!("Region `{}` is not in the scenario's `regions`", code.get_ref()),
                    Some(format!("one of {}", regions.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))),
                );
                None
            }
        },
    };
    let (service, name) = match raw.call.get_ref().split_once(':') {
        Some((service, name)) => (service, name),
        None => {
            c.error(
                raw.call.span(),
                format!("`{}` does not name a service and an operation", raw.call.get_ref()),
                Some("\"service:Operation\", e.g. \"securityhub:CreateMembers\"".into()),
            );
            return None;
        }
    };
    let Some(service) = Service::parse(service) else {
        c.error(
            raw.call.span(),
            format!("unknown service `{service}`"),
            Some("organizations, account, config, securityhub, console or aws".into()),
        );
        return None;
    };
    let Some(actual) = call::service_of(name) else {
        let near: Vec<&str> =
            call::OPERATION_NAMES.iter().copied().filter(|n| call::service_of(n) == Some(service)).collect();
        c.error(
            raw.call.span(),
            format!("unknown operation `{name}`"),
            Some(format!("a {} operation: {}", service.prefix(), near.join(", "))),
        );
        return None;
    };
    if actual != service {
        c.error(
            raw.call.span(),
            format!("{name} is a {} operation, not {}", actual.prefix(), service.prefix()),
            Some(format!("\"{}:{name}\"", actual.prefix())),
        );
        return None;
    }
    match (&caller, actual) {
        (Some(CallerRef::Aws), s) if s != Service::Aws => {
            c.error(
                caller_text.span(),
                format!("{name} is called by an account, not by aws"),
                Some("management, admin or an account id".into()),
            );
            return None;
        }
        (Some(CallerRef::Account(_)), Service::Aws) => {
            c.error(
                caller_text.span(),
                format!("{name} is an event AWS causes; its caller is aws"),
                Some("caller = \"aws\"".into()),
            );
            return None;
        }
        _ => {}
    }
    let args_span = raw.args.as_ref().map(|a| a.span()).unwrap_or_else(|| raw.call.span());
    let Some(args) = args else {
        let value = raw.args.as_ref().expect("only given arguments can be something other than a table");
        c.error(
            value.span(),
            "`args` must be a table of the operation's parameters",
            Some("{ Name = value, … }".into()),
        );
        return None;
    };
    for problem in symbols_table.check(&args) {
        c.error(args_span.clone(), problem.0, Some(problem.1));
    }
    // Symbols stand in string-typed ids only, so the arguments type-check as written.
    let mut template = args.clone();
    template.as_object_mut().expect("args are a table").insert("Operation".into(), Value::String(name.to_string()));
    if let Err(e) = serde_json::from_value::<Operation>(template) {
        c.error(
            args_span,
            format!("arguments of {name} do not match the API: {e}"),
            Some(format!("the {name} parameters of the AWS API reference")),
        );
        return None;
    }
    let expect = match &raw.expect {
        None => None,
        Some(value) => Some(validate_step_expect(c, value)?),
    };
    Some(Step {
        index,
        at,
        line: line_of(c.source, raw.call.span().start),
        caller: caller?,
        region: region?,
        operation: name.to_string(),
        args,
        expect,
        iam_deny: raw.iam_deny,
        note: raw.note.clone(),
        each: None,
    })
}

fn validate_step_expect(c: &mut Checker, value: &Spanned<toml::Value>) -> Option<StepExpect> {
    let code_of = |c: &mut Checker, text: &str| -> Option<ErrorCode> {
        let code = ErrorCode::parse(text);
        if code.is_none() {
            c.error(
                value.span(),
                format!("`{text}` is neither \"ok\" nor an exception name"),
                Some("\"ok\" or an exception such as \"InvalidAccessException\"".into()),
            );
        }
        code
    };
    match value.get_ref() {
        toml::Value::String(text) if text == "ok" => Some(StepExpect::Ok { response: None, unprocessed: None }),
        toml::Value::String(text) => code_of(c, text).map(|code| StepExpect::Error { code, rule: None }),
        toml::Value::Table(table) => {
            for key in table.keys() {
                if !["result", "rule", "response", "unprocessed"].contains(&key.as_str()) {
                    c.error(
                        value.span(),
                        format!("unknown key `{key}` in a step's expect"),
                        Some("result, rule, response or unprocessed".into()),
                    );
                    return None;
                }
            }
            let result = table.get("result").and_then(|v| v.as_str()).unwrap_or("ok");
            let rule = match table.get("rule").and_then(|v| v.as_str()) {
                Some(text) => match RuleId::parse(text) {
                    Some(rule) => Some(rule),
                    None => {
                        c.error(
                            value.span(),
                            format!("`{text}` is not a rule id"),
                            Some("a rule id such as \"ADMIN-9\"".into()),
                        );
                        return None;
                    }
                },
                None => None,
            };
            if result == "ok" {
                let response = table.get("response").map(|v| serde_json::to_value(v).unwrap_or(Value::Null));
                let unprocessed = match table.get("unprocessed") {
                    None => None,
                    Some(toml::Value::Array(items)) => {
                        Some(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
                    }
                    Some(_) => {
                        c.error(
                            value.span(),
                            "`unprocessed` must list account ids",
                            Some("[\"333333333333\", …]".into()),
                        );
                        return None;
                    }
                };
                Some(StepExpect::Ok { response, unprocessed })
            } else {
                code_of(c, result).map(|code| StepExpect::Error { code, rule })
            }
        }
        _ => {
            c.error(
                value.span(),
                "a step's expect must be \"ok\", an exception name, or a table",
                Some(
                    "\"ok\", \"InvalidInputException\", or { result = …, rule = …, response = {…}, unprocessed = […] }"
                        .into(),
                ),
            );
            None
        }
    }
}

/// One check of `kind` per Region of `regions`, all expecting `expected`.
fn per_region(checks: &mut Vec<Check>, regions: &[RegionIdx], expected: &str, kind: impl Fn(RegionIdx) -> CheckKind) {
    checks.extend(regions.iter().map(|&region| Check { kind: kind(region), expected: expected.to_string() }));
}

/// An `[[expect]]` key checked per Region: its value, what it is, allowed values, the check.
type PerRegionKey<'a> =
    (&'a Option<Spanned<String>>, &'static str, &'static [&'static str], fn(RegionIdx) -> CheckKind);

fn validate_expect(
    c: &mut Checker,
    raw: &RawExpect,
    line: usize,
    regions: &[Region],
    known: &KnownAccounts,
) -> Option<StateExpect> {
    let when = if raw.at.get_ref() == "end" { When::End } else { When::At(c.duration(&raw.at)?) };
    let account = match &raw.account {
        Some(value) => {
            let id = c.account(value)?;
            if !known.contains(&id) {
                c.error(
                    value.span(),
                    format!("account {id} is not an account of the scenario"),
                    Some("a declared, generated or created account id".into()),
                );
                return None;
            }
            Some(id)
        }
        None => None,
    };
    let all_regions: Vec<RegionIdx> = (0..regions.len()).map(|i| RegionIdx(i as u8)).collect();
    let region = match &raw.region {
        Some(code) => match Region::parse(code.get_ref()).and_then(|r| regions.iter().position(|x| *x == r)) {
            Some(i) => Some(RegionIdx(i as u8)),
            None => {
                c.error(
                    code.span(),
                    format!("Region `{}` is not in the scenario's `regions`", code.get_ref()),
                    Some(format!("one of {}", regions.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))),
                );
                return None;
            }
        },
        None => None,
    };
    let each_region: Vec<RegionIdx> = region.map(|r| vec![r]).unwrap_or(all_regions);
    let target = match &raw.target {
        Some(value) => {
            let text = value.get_ref();
            if text == "root" {
                Some(TargetRef::Root)
            } else if let Some(path) = text.strip_prefix("ou:") {
                Some(TargetRef::Ou(path.to_string()))
            } else {
                Some(TargetRef::Account(c.account(value)?))
            }
        }
        None => account.map(TargetRef::Account),
    };
    let mut checks = Vec::new();
    let needs_account = |c: &mut Checker, key: &str| -> Option<AccountId> {
        if account.is_none() {
            c.error(
                raw.at.span(),
                format!("`{key}` needs `account`"),
                Some(format!("`account = \"…\"` in this [[expect]] with `{key}`")),
            );
        }
        account
    };
    let needs_target = |c: &mut Checker, key: &str| -> Option<TargetRef> {
        if target.is_none() {
            c.error(
                raw.at.span(),
                format!("`{key}` needs `target` or `account`"),
                Some("`target = \"root\"`, `\"ou:PATH\"` or an account id".into()),
            );
        }
        target.clone()
    };
    let admin_or_none = |c: &mut Checker, value: &Spanned<String>| -> Option<String> {
        if value.get_ref() == "none" { Some("none".into()) } else { c.account(value).map(|id| id.to_string()) }
    };
    if let Some(value) = &raw.hub {
        let expected = c.one_of(value, "hub state", &["enabled", "disabled"]);
        if let (Some(expected), Some(account)) = (expected, needs_account(c, "hub")) {
            per_region(&mut checks, &each_region, &expected, |region| CheckKind::Hub { account, region });
        }
    }
    let administrator = match &raw.administrator {
        Some(value) => admin_or_none(c, value),
        None => None,
    };
    if let (Some(expected), Some(_)) = (&administrator, &raw.administrator)
        && let Some(account) = needs_account(c, "administrator")
    {
        per_region(&mut checks, &each_region, expected, |region| CheckKind::Administrator { account, region });
    }
    let record_admin = administrator.as_deref().filter(|a| *a != "none").and_then(|a| AccountId::parse(a).ok());
    if let Some(value) = &raw.member_status {
        let expected = c.one_of(value, "member status", &member_status_names());
        if let (Some(expected), Some(account)) = (expected, needs_account(c, "member_status")) {
            per_region(&mut checks, &each_region, &expected, |region| CheckKind::MemberStatus {
                account,
                region,
                administrator: record_admin,
            });
        }
    }
    if let Some(value) = &raw.member_type {
        let expected = c.one_of(value, "member type", &["ORGANIZATION", "INVITATION", "none"]);
        if let (Some(expected), Some(account)) = (expected, needs_account(c, "member_type")) {
            per_region(&mut checks, &each_region, &expected, |region| CheckKind::MemberType {
                account,
                region,
                administrator: record_admin,
            });
        }
    }
    if let Some(list) = &raw.standards {
        let set: StandardSet = list.iter().filter_map(|s| parse_standard(c, s)).collect();
        if let Some(account) = needs_account(c, "standards") {
            let expected = set.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
            per_region(&mut checks, &each_region, &expected, |region| CheckKind::Standards { account, region });
        }
    }
    if let Some(list) = &raw.controls_disabled {
        let mut set = crate::model::ControlSet::EMPTY;
        for value in list {
            match Control::parse(value.get_ref()) {
                Some(control) => set.insert(control),
                None => c.error(
                    value.span(),
                    format!("unknown security control `{}`", value.get_ref()),
                    Some("a control id such as \"IAM.1\"".into()),
                ),
            }
        }
        if let Some(account) = needs_account(c, "controls_disabled") {
            let expected = set.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ");
            per_region(&mut checks, &each_region, &expected, |region| CheckKind::ControlsDisabled { account, region });
        }
    }
    if let Some(value) = &raw.account_state {
        let expected = c.one_of(
            value,
            "account state",
            &["PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"],
        );
        if let (Some(expected), Some(account)) = (expected, needs_account(c, "account_state")) {
            checks.push(Check { kind: CheckKind::AccountState { account }, expected });
        }
    }
    if let Some(on) = raw.in_organization
        && let Some(account) = needs_account(c, "in_organization")
    {
        checks.push(Check { kind: CheckKind::InOrganization { account }, expected: on.to_string() });
    }
    if let Some(n) = raw.member_count
        && let Some(account) = needs_account(c, "member_count")
    {
        per_region(&mut checks, &each_region, &n.to_string(), |region| CheckKind::MemberCount { account, region });
    }
    if let Some(value) = &raw.security_hub_admin
        && let Some(expected) = admin_or_none(c, value)
    {
        per_region(&mut checks, &each_region, &expected, |region| CheckKind::SecurityHubAdmin { region });
    }
    if let Some(value) = &raw.delegated_admin
        && let Some(expected) = admin_or_none(c, value)
    {
        checks.push(Check { kind: CheckKind::DelegatedAdmin, expected });
    }
    if let Some(on) = raw.trusted_access {
        checks.push(Check { kind: CheckKind::TrustedAccess, expected: on.to_string() });
    }
    let region_keys: [PerRegionKey; 3] = [
        (&raw.configuration_type, "configuration type", &["LOCAL", "CENTRAL", "none"], |region| {
            CheckKind::ConfigurationType { region }
        }),
        (&raw.configuration_status, "configuration status", &["ENABLED", "PENDING", "FAILED", "none"], |region| {
            CheckKind::ConfigurationStatus { region }
        }),
        (&raw.auto_enable_standards, "AutoEnableStandards value", &["DEFAULT", "NONE", "none"], |region| {
            CheckKind::AutoEnableStandards { region }
        }),
    ];
    for (value, what, allowed, kind) in region_keys {
        if let Some(value) = value
            && let Some(expected) = c.one_of(value, what, allowed)
        {
            per_region(&mut checks, &each_region, &expected, kind);
        }
    }
    if let Some(on) = raw.auto_enable {
        per_region(&mut checks, &each_region, &on.to_string(), |region| CheckKind::AutoEnable { region });
    }
    if let Some(value) = &raw.central
        && let Some(expected) = c.one_of(value, "central configuration state", &["on", "off", "pending"])
    {
        checks.push(Check { kind: CheckKind::Central, expected });
    }
    if let Some(value) = &raw.effective_policy {
        let text = value.get_ref();
        if !(text == "none" || text == "SELF_MANAGED_SECURITY_HUB" || text.starts_with("policy:")) {
            c.error(
                value.span(),
                format!("`{text}` is not an effective policy"),
                Some("\"policy:NAME\", \"SELF_MANAGED_SECURITY_HUB\" or \"none\"".into()),
            );
        } else if let Some(target) = needs_target(c, "effective_policy") {
            checks.push(Check { kind: CheckKind::EffectivePolicy { target }, expected: text.clone() });
        }
    }
    if let Some(value) = &raw.management_type
        && let Some(expected) =
            c.one_of(value, "management type", &["centrally-managed", "self-managed", "unassociated"])
        && let Some(target) = needs_target(c, "management_type")
    {
        checks.push(Check { kind: CheckKind::ManagementType { target }, expected });
    }
    if let Some(value) = &raw.association_status
        && let Some(expected) = c.one_of(value, "association status", &["PENDING", "SUCCESS", "FAILED", "none"])
        && let Some(target) = needs_target(c, "association_status")
    {
        checks.push(Check { kind: CheckKind::AssociationStatus { target, region }, expected });
    }
    if let Some(n) = raw.policies {
        checks.push(Check { kind: CheckKind::Policies, expected: n.to_string() });
    }
    if checks.is_empty() && c.problems.is_empty() {
        c.error(raw.at.span(), "this [[expect]] checks nothing", Some("at least one of hub, administrator, member_status, standards, security_hub_admin, trusted_access, effective_policy, … ".into()));
        return None;
    }
    Some(StateExpect { when, line, checks })
}
