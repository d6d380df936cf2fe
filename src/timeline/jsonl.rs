//! JSON Lines: one object per entry with the same facts as the text form, for `jq` and other
//! tools. Keys are stable; effects carry the rule id, the change kind and its sentence.

use serde_json::{Value, json};

use super::{Entry, Origin, Timeline};
use crate::model::World;
use crate::rules::{Op, describe};

/// Renders every entry as one line of JSON.
pub fn render(timeline: &Timeline, world: &World) -> String {
    super::into_string(|bytes| write(timeline, world, bytes))
}

/// `render`, written to `out` as it is rendered.
pub fn write(timeline: &Timeline, world: &World, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::write_entries(&timeline.entries, out, |buffer, entry| {
        use std::fmt::Write;
        let _ = writeln!(buffer, "{}", entry_json(entry, world));
    })
}

/// One entry as a JSON value.
pub fn entry_json(entry: &Entry, world: &World) -> Value {
    let (service, operation, args) = match &entry.call.op {
        Op::Api(op) => {
            let mut args = serde_json::to_value(op).expect("operations serialize");
            args.as_object_mut().expect("object").remove("Operation");
            (op.service().prefix(), op.name(), args)
        }
        Op::Work(work) => ("service", work.name(), Value::String(describe::call(world, &entry.call))),
    };
    let origin = match entry.origin {
        Origin::Step { index } => json!({ "step": index }),
        Origin::Retry { index, attempt, backoff } => {
            json!({ "step": index, "attempt": attempt, "backoff_ms": backoff.as_ms() })
        }
        Origin::FollowUp { delay, scheduled_at, by } => {
            json!({ "follow_up": delay.rule().as_str(), "scheduled_at_ms": scheduled_at.as_ms(), "by": by })
        }
    };
    let mut value = json!({
        "event": entry.number,
        "at_ms": entry.at.as_ms(),
        "at": entry.at.to_string(),
        "region": super::text::region_label(&entry.call, world),
        "actor": entry.actor(),
        "call": format!("{service}:{operation}"),
        "args": args,
        "origin": origin,
        "effects": entry.effects.iter().map(|e| json!({
            "rule": e.rule.as_str(),
            "change": e.change.kind(),
            "text": describe::change(world, &e.change),
        })).collect::<Vec<_>>(),
    });
    match &entry.result {
        Ok(response) => {
            value["result"] = "ok".into();
            value["response"] = response.clone();
        }
        Err(error) => {
            value["result"] = "error".into();
            value["error"] = serde_json::to_value(error).expect("errors serialize");
        }
    }
    if let Some(fault) = entry.injected {
        value["injected"] = fault.into();
    }
    value
}
