//! The stable text form of a timeline: one block per event, effects indented under the call with
//! their `[RULE-ID]`, in fixed columns. It is what people read to learn the model and what
//! snapshots pin, so it changes only deliberately.
//!
//! ```text
//! #3     00:01:00.000  us-east-1       111111111111 (management)
//!        securityhub:EnableOrganizationAdminAccount AdminAccountId=222222222222
//!        → ok {"AdminAccountId":"222222222222","Feature":"SecurityHub"}
//!        [TRUST-2]     trusted access for securityhub.amazonaws.com on
//! ```

use std::fmt::Write;

use serde_json::Value;

use super::{Entry, Origin, Timeline};
use crate::model::World;
use crate::rules::{Call, Op, Service, describe};

/// Renders every entry. `world` supplies names (accounts, OUs, policies), all of which survive
/// deletion, so the final world renders the whole run.
pub fn render(timeline: &Timeline, world: &World) -> String {
    super::into_string(|bytes| write(timeline, world, bytes))
}

/// `render`, written to `out` as it is rendered.
pub fn write(timeline: &Timeline, world: &World, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::write_entries(&timeline.entries, out, |buffer, entry| render_entry(&mut Utf8Bytes(buffer), entry, world))
}

/// Bytes that `write!` formats text into.
struct Utf8Bytes<'a>(&'a mut Vec<u8>);

impl Write for Utf8Bytes<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

/// The Region column: `global` for Organizations and Account Management calls (GEN-2).
pub fn region_label(call: &Call, world: &World) -> &'static str {
    match &call.op {
        Op::Api(op) if matches!(op.service(), Service::Organizations | Service::Account | Service::Aws) => "global",
        _ => world.regions.get(call.region).code(),
    }
}

/// Renders one entry.
pub fn render_entry(out: &mut impl Write, entry: &Entry, world: &World) {
    let _ =
        writeln!(out, "#{:<5} {}  {:<15} {}", entry.number, entry.at, region_label(&entry.call, world), entry.actor());
    let _ = write!(out, "       {}", describe::call(world, &entry.call));
    match entry.origin {
        Origin::FollowUp { delay, scheduled_at, by } => {
            let _ = write!(out, "   ({} after #{by} at {scheduled_at})", delay.rule());
        }
        Origin::Step { index } => {
            let _ = write!(out, "   (step {})", index + 1);
        }
        Origin::Retry { index, attempt, backoff } => {
            let _ = write!(out, "   (step {}, attempt {attempt} after a {backoff} backoff)", index + 1);
        }
    }
    let _ = out.write_char('\n');
    match &entry.result {
        Ok(response) => {
            let shown = interesting(response);
            let _ = writeln!(out, "       → ok{}", if shown.is_empty() { String::new() } else { format!(" {shown}") });
        }
        Err(error) => {
            let _ = write!(out, "       → {} [{}]: {}", error.code, error.rule, error.message);
            if let Some(reason) = error.reason {
                let _ = write!(out, " (Reason {reason})");
            }
            let _ = out.write_char('\n');
        }
    }
    if let Some(fault) = entry.injected {
        let _ = writeln!(out, "       (fault injected: {fault})");
    }
    for effect in &entry.effects {
        let _ =
            writeln!(out, "       {:<13} {}", format!("[{}]", effect.rule), describe::change(world, &effect.change));
    }
}

/// The response without empty lists, empty objects and nulls; empty if nothing is left.
fn interesting(response: &Value) -> String {
    let Value::Object(map) = response else { return String::new() };
    let kept: serde_json::Map<String, Value> = map
        .iter()
        .filter(|(_, v)| match v {
            Value::Null => false,
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if kept.is_empty() { String::new() } else { Value::Object(kept).to_string() }
}
