//! Builders for response bodies in the API's JSON shapes, shared by the operation families.

use serde_json::{Value, json};

use crate::model::{AccountIdx, MemberRecord, SimTime, World};

/// One `UnprocessedAccounts` item: `ProcessingResult` is `CODE: human text` (ERR-20).
pub(super) struct Unprocessed {
    pub account_id: String,
    pub code: &'static str,
    pub text: String,
}

impl Unprocessed {
    pub(super) fn new(account_id: impl ToString, code: &'static str, text: impl Into<String>) -> Self {
        Unprocessed { account_id: account_id.to_string(), code, text: text.into() }
    }
}

/// `{"UnprocessedAccounts": [...]}`.
pub(super) fn unprocessed(items: Vec<Unprocessed>) -> Value {
    json!({ "UnprocessedAccounts": items.into_iter().map(|u| json!({
        "AccountId": u.account_id,
        "ProcessingResult": format!("{}: {}", u.code, u.text),
    })).collect::<Vec<_>>() })
}

/// A time as the simulator's clock reads it (`00:01:30.000`).
pub(super) fn time(t: SimTime) -> Value {
    Value::String(t.to_string())
}

/// A `Member` as `GetMembers`/`ListMembers` return it.
pub(super) fn member(w: &World, member: AccountIdx, record: &MemberRecord) -> Value {
    let admin = w.account_id(record.administrator).to_string();
    let mut value = json!({
        "AccountId": w.account_id(member).to_string(),
        "AdministratorId": admin,
        "MasterId": admin,
        "MemberStatus": record.status.api_name(),
        "UpdatedAt": time(record.updated_at),
    });
    if let Some(email) = record.email() {
        value["Email"] = Value::String(email.to_string());
    }
    if let Some(invited_at) = record.invited_at() {
        value["InvitedAt"] = time(invited_at);
    }
    value
}

/// Paging over an ordered list: `NextToken` is the offset of the next page.
pub(super) fn page<T>(items: Vec<T>, page_size: usize, next_token: Option<&str>) -> (Vec<T>, Option<String>) {
    let start = next_token.and_then(|t| t.parse::<usize>().ok()).unwrap_or(0).min(items.len());
    let end = (start + page_size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    (items.into_iter().skip(start).take(end - start).collect(), next)
}
