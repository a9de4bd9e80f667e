//! The audit log: every action a member of staff takes, who took it, when,
//! and what it changed (seed 001: the office must be able to say who changed
//! hours or cancelled a visit). An entry names people only by their token's
//! subject, and bookings by id: no national ID, name, email or phone. Pure.

use crate::domain::ids::OfficeId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The office's departments, services, hours or settings changed.
    CatalogChanged,
    /// A kiosk was registered or given a new secret.
    KioskRegistered,
    /// A kiosk (or its walk-ins) was switched off or on, or its languages
    /// or message changed.
    KioskChanged,
    /// A document template was uploaded (the target is its key).
    DocumentUploaded,
    /// A person's no-show block was lifted.
    BlockLifted,
    /// A clerk booked for a caller (confirmed at once).
    PhoneBooking,
    /// A clerk cancelled a booking.
    BookingCancelled,
    /// A clerk looked bookings up (by code, reference or national ID: the
    /// target says which, never the value).
    BookingsLookedUp,
    /// A clerk exported what the office holds about a person (GDPR Art. 15).
    PersonExported,
    /// A clerk corrected a booking's contact details (GDPR Art. 16).
    PersonCorrected,
    /// A clerk opened or closed a desk, or called, recalled or finished a ticket.
    DeskAction,
}

/// One field that changed: where in the document, and its values before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// `departments[ids].desks_online`: array elements with an `id` are named by it.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// One staff action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// A ULID: entries sort by time.
    pub id: String,
    pub office_id: OfficeId,
    pub at: DateTime<Utc>,
    /// The staff token's subject.
    pub actor: String,
    pub action: AuditAction,
    /// What it was done to: `catalog`, a kiosk id, a booking id, a person key.
    pub target: String,
    /// What changed (empty when the action has no before and after).
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Anything else worth keeping (for a catalog change: the bookings it stranded).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub note: Value,
}

/// Every difference between two JSON documents, leaf by leaf. Objects are
/// compared key by key; arrays whose elements all carry an `id` are matched
/// by it (so a department's changed hours show as that department's, not as
/// "element 2"); other arrays and values are compared whole.
pub fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let mut found = Vec::new();
    diff("", Some(before), Some(after), &mut found);
    found
}

fn diff(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                diff(&join(key), b.get(key), a.get(key), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if all_have_ids(b) && all_have_ids(a) => {
            let mut ids: Vec<&str> = b.iter().chain(a).filter_map(id_of).collect();
            ids.sort_unstable();
            ids.dedup();
            let find =
                |list: &'_ [Value], id: &str| list.iter().find(|v| id_of(v) == Some(id)).cloned();
            for id in ids {
                let (b, a) = (find(b, id), find(a, id));
                diff(&format!("{path}[{id}]"), b.as_ref(), a.as_ref(), out);
            }
        }
        _ => out.push(Change {
            path: path.to_owned(),
            before: before.cloned(),
            after: after.cloned(),
        }),
    }
}

fn id_of(value: &Value) -> Option<&str> {
    value.get("id").and_then(Value::as_str)
}

fn all_have_ids(list: &[Value]) -> bool {
    list.iter().all(|v| id_of(v).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_name_each_changed_leaf_and_match_listed_items_by_id() {
        let before = json!({
            "office": { "name": "Olsztyn", "person_rule": "one_per_matter" },
            "departments": [
                { "id": "ids", "desks_online": 3, "closed_on": ["2026-12-24"] },
                { "id": "cars", "desks_online": 2 }
            ]
        });
        let after = json!({
            "office": { "name": "Olsztyn", "person_rule": "one_per_matter" },
            "departments": [
                { "id": "cars", "desks_online": 2 },
                { "id": "ids", "desks_online": 2, "closed_on": ["2026-12-24", "2026-12-31"] },
                { "id": "new", "desks_online": 1 }
            ]
        });
        let found = changes(&before, &after);
        let paths: Vec<&str> = found.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "departments[ids].closed_on",
                "departments[ids].desks_online",
                "departments[new]"
            ]
        );
        assert_eq!(found[1].before, Some(json!(3)));
        assert_eq!(found[1].after, Some(json!(2)));
        assert_eq!(found[2].before, None, "added");
        assert!(changes(&before, &before).is_empty());
        let removed = changes(&after, &before);
        assert_eq!(removed.last().unwrap().after, None, "removed");
    }
}
