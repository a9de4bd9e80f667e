//! Every key string of the single table is built here and nowhere else.
//! The access patterns they serve are listed in `shared/README.md`.

use crate::domain::booking::Booking;
use crate::domain::catalog::PersonRule;
use crate::domain::codes::KioskCode;
use crate::domain::ids::{BookingId, ClerkId, DepartmentId, OfficeId, OutboxId, ServiceId};
use crate::domain::kiosk::{DeskGroup, DeskId, TicketKind};
use crate::domain::limits::Counted;
use crate::domain::secrets::{Digest, PersonKey};
use chrono::{DateTime, NaiveDate, Utc};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI2: &str = "gsi2";
pub const GSI3: &str = "gsi3";

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%MZ").to_string()
}

pub fn office_pk(office: &OfficeId) -> String {
    format!("OFFICE#{office}")
}
pub const OFFICE_SK: &str = "#OFFICE";
pub fn department_sk(department: &DepartmentId) -> String {
    format!("DEPARTMENT#{department}")
}
pub fn service_sk(service: &ServiceId) -> String {
    format!("SERVICE#{service}")
}
/// GSI1 partition listing every office.
pub const OFFICES_GSI1PK: &str = "OFFICES";

pub fn capacity_pk(office: &OfficeId, department: &DepartmentId) -> String {
    format!("CAPACITY#{office}#{department}")
}
pub const UNIT_PREFIX: &str = "UNIT#";
pub fn unit(office: &OfficeId, department: &DepartmentId, at: DateTime<Utc>) -> Key {
    Key {
        pk: capacity_pk(office, department),
        sk: format!("{UNIT_PREFIX}{}", minute(at)),
    }
}
/// The partition of a named clerk's capacity units: a clerk serves one visit
/// at a time, in whichever department (under `CAPACITY#`, beside the
/// departments' counters).
pub fn clerk_capacity_pk(office: &OfficeId, clerk: &ClerkId) -> String {
    format!("CAPACITY#{office}#CLERK#{clerk}")
}
/// A named clerk's capacity unit starting at `at`: held (1) by the booking
/// made with the clerk, as the department's unit counts it.
pub fn clerk_unit(office: &OfficeId, clerk: &ClerkId, at: DateTime<Utc>) -> Key {
    Key {
        pk: clerk_capacity_pk(office, clerk),
        sk: format!("{UNIT_PREFIX}{}", minute(at)),
    }
}
/// Every capacity unit counter a booking holds: the department's, and the
/// named clerk's when one was chosen. Taking and returning capacity both
/// derive the keys here, so a release frees exactly what the hold took.
pub fn booking_units(b: &Booking) -> Vec<(Key, UnitOf)> {
    let department = b.capacity_units.iter().map(|at| {
        (
            unit(&b.office_id, &b.department_id, *at),
            UnitOf::Department,
        )
    });
    let clerk = b.clerk.iter().flat_map(|clerk| {
        b.capacity_units
            .iter()
            .map(|at| (clerk_unit(&b.office_id, &clerk.id, *at), UnitOf::Clerk))
    });
    department.chain(clerk).collect()
}
/// Whose capacity a unit counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitOf {
    /// The department's desks offered online.
    Department,
    /// A named clerk: one visit at a time.
    Clerk,
}
pub fn unit_sk_to_instant(sk: &str) -> Option<DateTime<Utc>> {
    let raw = sk.strip_prefix(UNIT_PREFIX)?;
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%MZ")
        .ok()
        .map(|n| n.and_utc())
}
pub fn week(office: &OfficeId, department: &DepartmentId, week: &str) -> Key {
    Key {
        pk: capacity_pk(office, department),
        sk: format!("WEEK#{week}"),
    }
}

pub fn booking(id: BookingId) -> Key {
    Key {
        pk: format!("{BOOKING_PREFIX}{id}"),
        sk: "BOOKING".into(),
    }
}
const BOOKING_PREFIX: &str = "BOOKING#";
/// The booking a booking item's `pk` names (index entries carry it too).
pub fn booking_id_of_pk(pk: &str) -> Option<BookingId> {
    BookingId::parse(pk.strip_prefix(BOOKING_PREFIX)?).ok()
}
/// GSI1: a day's bookings at an office, in start order (admission list, kiosk, sweeper).
pub fn booking_day_gsi1pk(office: &OfficeId, date: NaiveDate) -> String {
    format!("DAY#{office}#{date}")
}
/// GSI1: a day's bookings at an office after the retention purge, anonymous.
pub fn statistics_gsi1pk(office: &OfficeId, date: NaiveDate) -> String {
    format!("STATS#{office}#{date}")
}
pub fn booking_day_gsi1sk(start: DateTime<Utc>, id: BookingId) -> String {
    format!("{}#{id}", minute(start))
}
/// Lowest GSI1 sort key of a booking starting at or after `from` (minute precision).
pub fn day_gsi1sk_from(from: DateTime<Utc>) -> String {
    minute(from)
}
/// Highest GSI1 sort key of a booking starting at or before `to`.
pub fn day_gsi1sk_to(to: DateTime<Utc>) -> String {
    format!("{}#~", minute(to))
}
/// GSI2: pending holds by the hour their expiry falls in (the expiry sweeper).
pub fn hold_expiry_gsi2pk(expires_at: DateTime<Utc>) -> String {
    format!("HOLDS#{}", expires_at.format("%Y-%m-%dT%H"))
}
pub fn hold_expiry_gsi2sk(expires_at: DateTime<Utc>, id: BookingId) -> String {
    format!("{}#{id}", expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// GSI2: confirmed bookings by the hour they start in (the no-show sweeper);
/// a booking leaves it when redeemed, resigned, cancelled or a no-show.
pub fn visit_gsi2pk(start: DateTime<Utc>) -> String {
    format!("VISITS#{}", start.format("%Y-%m-%dT%H"))
}
pub fn visit_gsi2sk(start: DateTime<Utc>, id: BookingId) -> String {
    format!("{}#{id}", start.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}
/// The highest GSI2 sort key at or before `at` (either bucket kind).
pub fn gsi2sk_upto(at: DateTime<Utc>) -> String {
    format!("{}#~", at.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}
/// The GSI2 hour buckets of pending holds and of visits.
pub const HOLDS_BUCKET: &str = "HOLDS#";
pub const VISITS_BUCKET: &str = "VISITS#";
pub fn gsi2_bucket(prefix: &str, hour: DateTime<Utc>) -> String {
    format!("{prefix}{}", hour.format("%Y-%m-%dT%H"))
}

/// A no-show of a person at an office (seed 002), kept while it counts.
pub fn strike(person: &PersonKey, office: &OfficeId, booking: BookingId) -> Key {
    Key {
        pk: format!("PERSON#{}", person.0),
        sk: format!("STRIKE#{office}#{booking}"),
    }
}
pub fn strike_prefix(office: &OfficeId) -> String {
    format!("STRIKE#{office}#")
}
/// A person's block from online booking at an office.
pub fn block(person: &PersonKey, office: &OfficeId) -> Key {
    Key {
        pk: format!("PERSON#{}", person.0),
        sk: format!("BLOCK#{office}"),
    }
}

/// A booking reference (`public_ref`), taken by one booking only.
pub fn public_ref(reference: &str) -> Key {
    Key {
        pk: format!("REF#{reference}"),
        sk: "REF".into(),
    }
}

/// An email address (keyed hash) that bounced for good or complained.
pub fn undeliverable_address(email_key: &Digest) -> Key {
    Key {
        pk: format!("EMAIL#{}", email_key.0),
        sk: "UNDELIVERABLE".into(),
    }
}

/// A rate-limit counter: what it counts, for whom (a keyed hash), in which window.
pub fn limit_counter(counted: Counted, subject: &str, window_start: DateTime<Utc>) -> Key {
    Key {
        pk: format!("LIMIT#{}#{subject}", counted.as_str()),
        sk: format!("W#{}", window_start.timestamp_millis()),
    }
}

/// GSI3: the bookings confirmed by SMS from one phone (keyed hash), newest first by id.
pub fn phone_gsi3pk(phone_key: &Digest) -> String {
    format!("PHONE#{}", phone_key.0)
}

/// An entry of an office's audit log; `entry_id` is a ULID, so they sort by time.
pub fn audit(office: &OfficeId, entry_id: &str) -> Key {
    Key {
        pk: audit_pk(office),
        sk: format!("{AUDIT_PREFIX}{entry_id}"),
    }
}
pub fn audit_pk(office: &OfficeId) -> String {
    format!("AUDIT#{office}")
}
pub const AUDIT_PREFIX: &str = "ENTRY#";

/// An office's kept statistics: one row per day and matter, and a mark per kept day.
pub fn statistics_pk(office: &OfficeId) -> String {
    format!("STATISTICS#{office}")
}
pub fn statistics_day_prefix(date: NaiveDate) -> String {
    format!("DAY#{date}#")
}
pub fn statistics_row_sk(date: NaiveDate, service: &str) -> String {
    format!("{}SERVICE#{service}", statistics_day_prefix(date))
}
/// The last sort key of a kept day: its mark.
pub const STATISTICS_DONE: &str = "~DONE";
pub fn statistics_day_done_sk(date: NaiveDate) -> String {
    format!("{}{STATISTICS_DONE}", statistics_day_prefix(date))
}

/// An inbound SMS already acted on (its provider id).
pub fn inbound_sms(message_id: &str) -> Key {
    Key {
        pk: format!("INBOUND_SMS#{message_id}"),
        sk: "INBOUND_SMS".into(),
    }
}

/// A person's partition: rules, strikes, blocks.
pub fn person_pk(person: &PersonKey) -> String {
    format!("PERSON#{}", person.0)
}
/// The start of every rule key of a person at an office.
pub fn person_rules_prefix(office: &OfficeId) -> String {
    format!("RULE#OFFICE#{office}#")
}

/// The one open booking a person may hold for a matter at an office (on a
/// day, where the office's rule is per day).
pub fn person_rule_at(
    person: &PersonKey,
    office: &OfficeId,
    service: &ServiceId,
    date: NaiveDate,
    rule: PersonRule,
) -> Key {
    let matter = format!("{}SERVICE#{service}", person_rules_prefix(office));
    Key {
        pk: person_pk(person),
        sk: match rule {
            PersonRule::OnePerMatter => matter,
            PersonRule::OnePerMatterAndDay => format!("{matter}#DAY#{date}"),
        },
    }
}

/// The person rule a booking took.
pub fn person_rule(b: &Booking) -> Key {
    person_rule_at(
        &b.person,
        &b.office_id,
        &b.service_id,
        b.local_date,
        b.person_rule,
    )
}

/// A kiosk code taken for a day. Digit codes are unique that day across all
/// offices, so a kiosk can tell "another office's code" from "no such code";
/// older alphanumeric codes were unique per office and day, and are found there.
pub fn kiosk_code(office: &OfficeId, date: NaiveDate, code: &KioskCode) -> Key {
    match code {
        KioskCode::Digits(digits) => Key {
            pk: format!("KIOSK_CODE#{date}"),
            sk: format!("CODE#{digits}"),
        },
        KioskCode::Legacy(code) => Key {
            pk: format!("KIOSK#{office}#{date}"),
            sk: format!("CODE#{}", code.as_str()),
        },
    }
}

/// A registered kiosk; its wrong-code guard and the nonces it used share the partition.
pub fn kiosk_pk(kiosk_id: &str) -> String {
    format!("KIOSK_DEVICE#{kiosk_id}")
}
pub fn kiosk(kiosk_id: &str) -> Key {
    Key {
        pk: kiosk_pk(kiosk_id),
        sk: "DEVICE".into(),
    }
}
pub fn kiosk_guard(kiosk_id: &str) -> Key {
    Key {
        pk: kiosk_pk(kiosk_id),
        sk: "GUARD".into(),
    }
}
pub fn kiosk_nonce(kiosk_id: &str, nonce: &str) -> Key {
    Key {
        pk: kiosk_pk(kiosk_id),
        sk: format!("NONCE#{nonce}"),
    }
}
/// GSI1: an office's kiosks.
pub fn office_kiosks_gsi1pk(office: &OfficeId) -> String {
    format!("KIOSKS#{office}")
}

/// An office's queue of one day: its ticket counters, its tickets, its desks
/// and its waiting rooms — one Query reads the whole hall.
pub fn queue_pk(office: &OfficeId, date: NaiveDate) -> String {
    format!("QUEUE#{office}#{date}")
}
pub fn ticket_counter(
    office: &OfficeId,
    date: NaiveDate,
    group: &DeskGroup,
    kind: TicketKind,
) -> Key {
    Key {
        pk: queue_pk(office, date),
        sk: ticket_counter_sk(group, kind),
    }
}
pub fn ticket_counter_sk(group: &DeskGroup, kind: TicketKind) -> String {
    format!("COUNTER#{group}#{}", kind.as_str())
}
/// A confirmed booking expected in the hall that day, under its digit code:
/// the redeem's one Query finds it with the rest of the hall.
pub fn arrival(office: &OfficeId, date: NaiveDate, digits: &str) -> Key {
    Key {
        pk: queue_pk(office, date),
        sk: format!("ARRIVAL#{digits}"),
    }
}
/// Past every arrival's sort key (codes are digits) and before the hall's
/// counters, tickets, desks and rooms: where reading the hall starts.
pub const AFTER_ARRIVALS: &str = "ARRIVAL#~";
pub const TICKET_PREFIX: &str = "TICKET#";
pub fn ticket(office: &OfficeId, date: NaiveDate, number: &str) -> Key {
    Key {
        pk: queue_pk(office, date),
        sk: format!("{TICKET_PREFIX}{number}"),
    }
}

pub fn desk(office: &OfficeId, date: NaiveDate, desk: &DeskId) -> Key {
    Key {
        pk: queue_pk(office, date),
        sk: format!("DESK#{desk}"),
    }
}
/// The waiting room of a department: how many are checked in and not yet served.
pub fn room(office: &OfficeId, date: NaiveDate, department: &DepartmentId) -> Key {
    Key {
        pk: queue_pk(office, date),
        sk: format!("ROOM#{department}"),
    }
}

pub fn outbox(id: OutboxId) -> Key {
    Key {
        pk: format!("OUTBOX#{id}"),
        sk: "OUTBOX".into(),
    }
}

pub fn idempotency(key_digest: &Digest) -> Key {
    Key {
        pk: format!("IDEMPOTENCY#{}", key_digest.0),
        sk: "IDEMPOTENCY".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_keys_sort_in_time_order_and_round_trip() {
        let (o, d) = (
            OfficeId::parse("o").unwrap(),
            DepartmentId::parse("d").unwrap(),
        );
        let a = DateTime::parse_from_rfc3339("2026-11-23T09:45:00Z")
            .unwrap()
            .to_utc();
        let b = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .unwrap()
            .to_utc();
        assert!(unit(&o, &d, a).sk < unit(&o, &d, b).sk);
        assert_eq!(unit_sk_to_instant(&unit(&o, &d, a).sk), Some(a));
    }

    #[test]
    fn a_booking_with_a_named_clerk_holds_the_clerks_units_beside_the_departments() {
        use crate::domain::booking::tests::booking;
        use crate::domain::booking::{BookedClerk, BookingStatus};
        let mut b = booking(BookingStatus::Confirmed);
        b.capacity_units = vec![b.start, b.start + chrono::Duration::minutes(15)];
        let plain = booking_units(&b);
        assert_eq!(plain.len(), 2);
        assert!(plain.iter().all(|(_, of)| *of == UnitOf::Department));

        b.clerk = Some(BookedClerk {
            id: ClerkId::parse("anna-nowicka").unwrap(),
            name: "Anna Nowicka".into(),
        });
        let units = booking_units(&b);
        let clerk: Vec<&Key> = units
            .iter()
            .filter(|(_, of)| *of == UnitOf::Clerk)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(units.len(), 4);
        assert_eq!(clerk.len(), 2);
        assert!(
            clerk
                .iter()
                .all(|k| k.pk == "CAPACITY#olsztyn#CLERK#anna-nowicka")
        );
        assert_eq!(unit_sk_to_instant(&clerk[1].sk), Some(b.capacity_units[1]));
        // A department's counters never share a partition with a clerk's.
        assert!(
            units
                .iter()
                .filter(|(_, of)| *of == UnitOf::Department)
                .all(|(k, _)| k.pk == "CAPACITY#olsztyn#ids")
        );
    }
}
