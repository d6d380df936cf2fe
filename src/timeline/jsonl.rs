//! JSON Lines: one object per entry with the same facts as the text form, for `jq` and other
//! tools. Keys are stable; effects carry the rule id, the change kind and its sentence.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Entry, Origin, Timeline};
use crate::model::World;
use crate::rules::{Effect, Op, describe};

/// Renders every entry as one line of JSON.
pub fn render(timeline: &Timeline, world: &World) -> String {
    super::into_string(|bytes| write(timeline, world, bytes))
}

/// `render`, written to `out` as it is rendered. Each entry is serialized straight from the
/// timeline: the administrator's removal in a 10,000-member run is one entry of 323,000 effects,
/// which as a `Value` tree would take hundreds of MiB.
pub fn write(timeline: &Timeline, world: &World, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::write_entries(&timeline.entries, out, |buffer, entry| {
        serde_json::to_writer(&mut *buffer, &EntryJson::new(entry, world)).expect("entries serialize");
        buffer.push(b'\n');
    })
}

/// One entry as a JSON value.
pub fn entry_json(entry: &Entry, world: &World) -> Value {
    serde_json::to_value(EntryJson::new(entry, world)).expect("entries serialize")
}

/// An entry in its JSON shape. The fields are in the order of their keys, the order in which
/// `serde_json` maps print, so that `entry_json` and `write` give the same text.
#[derive(Serialize)]
struct EntryJson<'a> {
    actor: String,
    args: Value,
    at: String,
    at_ms: u64,
    call: String,
    effects: EffectsJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
    event: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    injected: Option<&'static str>,
    origin: Value,
    region: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a Value>,
    result: &'static str,
}

impl<'a> EntryJson<'a> {
    fn new(entry: &'a Entry, world: &'a World) -> EntryJson<'a> {
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
        let (result, response, error) = match &entry.result {
            Ok(response) => ("ok", Some(response), None),
            Err(error) => ("error", None, Some(serde_json::to_value(error).expect("errors serialize"))),
        };
        EntryJson {
            actor: entry.actor(),
            args,
            at: entry.at.to_string(),
            at_ms: entry.at.as_ms(),
            call: format!("{service}:{operation}"),
            effects: EffectsJson { effects: &entry.effects, world },
            error,
            event: entry.number,
            injected: entry.injected,
            origin,
            region: super::text::region_label(&entry.call, world),
            response,
            result,
        }
    }
}

/// An entry's effects, serialized one by one as they are described.
struct EffectsJson<'a> {
    effects: &'a [Effect],
    world: &'a World,
}

impl Serialize for EffectsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.effects.iter().map(|e| EffectJson {
            change: e.change.kind(),
            rule: e.rule.as_str(),
            text: describe::change(self.world, &e.change),
        }))
    }
}

/// One effect: its change kind, rule and sentence (keys in order, as in `EntryJson`).
#[derive(Serialize)]
struct EffectJson {
    change: &'static str,
    rule: &'static str,
    text: String,
}
