//! `hubsim explain`: the teaching view. Every event narrated, each effect followed by its rule's
//! title and source, then the final state of the organization drawn as a tree with, per account
//! and Region, the hub, the administrator and member status, the management type and the
//! effective policy.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;

use super::{UsageError, Verdict};
use crate::model::{AccountIdx, Effective, NodeIdx, World};
use crate::rules::describe;
use crate::scenario::{self, RunOptions};
use crate::timeline::{Origin, text};

/// Arguments of `hubsim explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Root seed (overrides the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Accounts shown per OU in the final tree.
    #[arg(long, default_value_t = 20)]
    pub max_accounts: usize,
}

pub(super) fn run(args: ExplainArgs) -> Result<Verdict, UsageError> {
    let scenario = scenario::load(&args.file).map_err(|d| UsageError(d.to_string()))?;
    let report = scenario::run(&scenario, &RunOptions { seed: args.seed, ..RunOptions::default() });
    let mut out = format!("{}\n{}\n", report.title, "=".repeat(report.title.chars().count()));
    if let Some(about) = &scenario.about {
        let _ = writeln!(out, "{}\n", about.trim());
    }
    for entry in &report.timeline.entries {
        let region = text::region_label(&entry.call, &report.world);
        let who = match entry.origin {
            Origin::Step { index } => format!("Step {}: {}", index + 1, entry.actor()),
            Origin::Retry { index, attempt, backoff } => {
                format!("Step {} again (attempt {attempt}, after backing off {backoff}): {}", index + 1, entry.actor())
            }
            Origin::FollowUp { delay, by, .. } => {
                format!("Later ({} {}, started by event #{by}): Security Hub", delay.rule(), delay.rule().info().title)
            }
        };
        let _ = writeln!(out, "{}  {who} calls {} in {region}.", entry.at, describe::call(&report.world, &entry.call));
        match &entry.result {
            Ok(_) => {
                let _ = writeln!(out, "    It succeeds.");
            }
            Err(e) => {
                let _ = writeln!(out, "    It fails with {}: {}", e.code, e.message);
                let _ = writeln!(out, "      because {} — {} [{}]", e.rule, e.rule.info().title, e.rule.info().source);
            }
        }
        for effect in &entry.effects {
            let info = effect.rule.info();
            let _ = writeln!(out, "    → {}", describe::change(&report.world, &effect.change));
            let _ = writeln!(
                out,
                "      {} {}{} [{}]",
                effect.rule,
                info.title,
                if info.model_choice { " (MODEL CHOICE)" } else { "" },
                info.source
            );
        }
    }
    out.push('\n');
    out.push_str(&tree(&report.world, args.max_accounts));
    out.push('\n');
    out.push_str(&report.render_results());
    print!("{out}");
    Ok(if report.passed() { Verdict::Success } else { Verdict::Failed })
}

/// The organization as a tree, with per-Region state under each account.
pub fn tree(w: &World, max_accounts: usize) -> String {
    let mut out = String::new();
    let management = w.org.management;
    let _ = writeln!(
        out,
        "Final state: management account {}; trusted access {}; delegated administrator {}",
        w.account_id(management),
        if w.org.trusted_access { "on" } else { "off" },
        w.org.delegated_admin.map(|a| w.account_id(a).to_string()).unwrap_or_else(|| "none".into())
    );
    let scope = w.central_scope();
    if scope.is_empty() {
        let _ = writeln!(out, "Central configuration: off");
    } else {
        let regions: Vec<&str> = scope.iter().map(|r| w.regions.get(r).code()).collect();
        let _ = writeln!(out, "Central configuration: on in {}", regions.join(", "));
    }
    for region in w.regions.indices() {
        let admin = w.sh_admin(region).map(|a| w.account_id(a).to_string()).unwrap_or_else(|| "none".into());
        let config = w
            .org_config(region)
            .map(|c| format!("{:?} AutoEnable={}", c.configuration_type, c.auto_enable).to_uppercase())
            .unwrap_or_else(|| "-".into());
        let _ =
            writeln!(out, "  {:<15} administrator {admin:<12}  configuration {config}", w.regions.get(region).code());
    }
    node(&mut out, w, NodeIdx::ROOT, "", max_accounts);
    let outside: Vec<AccountIdx> = w.account_indices().filter(|a| !w.in_org(*a)).collect();
    if !outside.is_empty() {
        let _ = writeln!(out, "Outside the organization:");
        for account in outside {
            account_lines(&mut out, w, account, "  ");
        }
    }
    out
}

fn node(out: &mut String, w: &World, n: NodeIdx, indent: &str, max_accounts: usize) {
    let org_node = w.org.node(n);
    let applied = w
        .applied(crate::model::Target::Node(n))
        .map(|v| format!("  [{} applied]", describe::value(w, v)))
        .unwrap_or_default();
    let _ = writeln!(out, "{indent}{} {}{applied}", if n.is_root() { "Root" } else { &org_node.name }, org_node.aws_id);
    let child_indent = format!("{indent}  ");
    for (shown, account) in org_node.accounts.iter().enumerate() {
        if shown == max_accounts {
            let _ = writeln!(out, "{child_indent}… and {} more accounts", org_node.accounts.len() - max_accounts);
            break;
        }
        account_lines(out, w, *account, &child_indent);
    }
    for child in &org_node.child_ous {
        node(out, w, *child, &child_indent, max_accounts);
    }
}

fn account_lines(out: &mut String, w: &World, account: AccountIdx, indent: &str) {
    let acct = w.account(account);
    let role = if w.is_management(account) {
        " (management)"
    } else if w.org.delegated_admin == Some(account) {
        " (delegated administrator)"
    } else {
        ""
    };
    let management = match w.effective(account) {
        Effective::Policy { policy, .. } if !w.central_scope().is_empty() => {
            format!("centrally managed by {}", describe::policy(w, policy))
        }
        Effective::SelfManaged { .. } => "self-managed".into(),
        _ => "unassociated".into(),
    };
    let _ = writeln!(out, "{indent}{}{role} {}  {management}", acct.id, acct.state.api_name());
    for region in w.regions.indices() {
        let ar = w.ar(account, region);
        let hub = if ar.hub.is_some() { "hub on " } else { "hub off" };
        let member = ar
            .memberships()
            .map(|r| {
                format!(
                    "{} of {} ({})",
                    r.status.api_name(),
                    w.account_id(r.administrator),
                    if r.member_type == crate::model::MemberType::Organization { "org" } else { "invitation" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let association =
            ar.association().status.map(|s| format!("  association {s:?}").to_uppercase()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}    {:<15} {hub}  {}{association}",
            w.regions.get(region).code(),
            if member.is_empty() { "no administrator".to_string() } else { member }
        );
    }
}
