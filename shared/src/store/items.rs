//! The stored shape of every item, mapped with serde_dynamo. Writes and reads go
//! through these structs; domain types come out through `TryFrom`.
//!
//! Instants that conditions compare are epoch milliseconds (numbers), so a
//! comparison in a condition expression is a numeric one.

use crate::domain::booking::{BookedClerk, Booking, BookingStatus, Channel};
use crate::domain::catalog::{Department, Lang, Office, PersonRule, Service};
use crate::domain::codes::{KioskCode, ShortCode};
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::{BookingId, ClerkId, DepartmentId, OfficeId, OutboxId, ServiceId};
use crate::domain::kiosk::{
    Arrival, Call, DeskGroup, DeskId, KioskDevice, Ticket, TicketKind, TicketNumber, TicketStatus,
};
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::queue::Desk;
use crate::domain::secrets::{Digest, PersonKey, Sealer};
use crate::domain::sms_reply::ReplyReason;
use crate::store::keys;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The `entity` attribute every item carries.
pub mod entity {
    pub const OFFICE: &str = "office";
    pub const DEPARTMENT: &str = "department";
    pub const SERVICE: &str = "service";
    pub const COUNTER: &str = "counter";
    pub const BOOKING: &str = "booking";
    pub const PERSON_RULE: &str = "person_rule";
    pub const KIOSK_CODE: &str = "kiosk_code";
    pub const OUTBOX: &str = "outbox";
    pub const IDEMPOTENCY: &str = "idempotency";
    pub const INBOUND_SMS: &str = "inbound_sms";
    pub const STRIKE: &str = "strike";
    pub const BLOCK: &str = "block";
    pub const KIOSK: &str = "kiosk";
    pub const KIOSK_GUARD: &str = "kiosk_guard";
    pub const KIOSK_NONCE: &str = "kiosk_nonce";
    pub const TICKET_COUNTER: &str = "ticket_counter";
    pub const TICKET: &str = "ticket";
    pub const DESK: &str = "desk";
    pub const ROOM: &str = "room";
    pub const ARRIVAL: &str = "arrival";
    pub const UNDELIVERABLE_ADDRESS: &str = "undeliverable_address";
    pub const PUBLIC_REF: &str = "public_ref";
    pub const LIMIT_COUNTER: &str = "limit_counter";
    pub const AUDIT: &str = "audit";
    pub const STATISTICS: &str = "statistics";
}

/// Attribute names that update and condition expressions write by hand. Each
/// is the name of a field of the item struct that maps it, so a rename in one
/// place fails the test `hand_written_attribute_names_are_item_fields`.
pub mod attr {
    // Booking.
    pub const STATUS: &str = "status";
    pub const START_AT: &str = "start_at";
    pub const HOLD_EXPIRES_AT: &str = "hold_expires_at";
    pub const CONFIRMED_AT: &str = "confirmed_at";
    pub const CLOSED_AT: &str = "closed_at";
    pub const REMINDED_AT: &str = "reminded_at";
    pub const CONFIRM_TOKEN: &str = "confirm_token";
    pub const CONFIRM_CODE: &str = "confirm_code";
    pub const CODE_ATTEMPTS: &str = "code_attempts";
    pub const MANAGE_TOKENS: &str = "manage_tokens";
    pub const GSI2PK: &str = "gsi2pk";
    pub const GSI2SK: &str = "gsi2sk";
    // Rule items that point at their booking (person rule, kiosk code).
    pub const BOOKING_ID: &str = "booking_id";
    pub const OPEN_UNTIL: &str = "open_until";
    // Counters.
    pub const BOOKED: &str = "booked";
    // Outbox delivery, per channel and for the whole message.
    pub const EMAIL_SENT_AT: &str = "email_sent_at";
    pub const EMAIL_LEASE_UNTIL: &str = "email_lease_until";
    pub const EMAIL_MESSAGE_ID: &str = "email_message_id";
    pub const SMS_SENT_AT: &str = "sms_sent_at";
    pub const SMS_LEASE_UNTIL: &str = "sms_lease_until";
    pub const SMS_MESSAGE_ID: &str = "sms_message_id";
    pub const EMAIL_UNDELIVERABLE: &str = "email_undeliverable";
    pub const SMS_UNDELIVERABLE: &str = "sms_undeliverable";
    /// On the booking: the channels a provider refused for good.
    pub const UNDELIVERABLE: &str = "undeliverable";
    pub const DELIVERED_AT: &str = "delivered_at";
    pub const OUTCOME: &str = "outcome";
    pub const MANAGE_TOKEN: &str = "manage_token";
    pub const SMS_TO: &str = "sms_to";
    // Kiosks: the wrong-code guard, ticket counters.
    pub const WRONG_CODES: &str = "wrong_codes";
    pub const WINDOW_UNTIL: &str = "window_until";
    pub const LOCKED_UNTIL: &str = "locked_until";
    pub const LAST: &str = "last_number";
    pub const PURGED_AT: &str = "purged_at";
    pub const FIRST_NAME: &str = "first_name";
    pub const LAST_NAME: &str = "last_name";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    pub const PHONE_KEY: &str = "phone_key";
    pub const PERSON_KEY: &str = "person_key";
    pub const APPLICATION_NUMBER: &str = "application_number";
    pub const GSI1PK: &str = "gsi1pk";
    pub const GSI3PK: &str = "gsi3pk";
    pub const GSI3SK: &str = "gsi3sk";
    // Blocks after no-shows.
    pub const BLOCKED_UNTIL: &str = "blocked_until";
    pub const TICKET: &str = "ticket";
    // The queue: a ticket's calls, desks, the waiting room.
    pub const DESK: &str = "desk";
    pub const CALLS: &str = "call_count";
    pub const FIRST_CALLED_AT: &str = "first_called_at";
    pub const LAST_CALLED_AT: &str = "last_called_at";
    pub const FINISHED_AT: &str = "finished_at";
    pub const OPEN: &str = "is_open";
    pub const GROUPS: &str = "groups";
    pub const CURRENT: &str = "current_ticket";
    pub const FINISHED_TICKET: &str = "finished_ticket";
    pub const FINISHED_STATUS: &str = "finished_status";
    pub const IN_ROOM: &str = "in_room";
    /// On a desk: the staff account (token subject) that opened it.
    pub const STAFF: &str = "staff";
    pub const DEPARTMENT_ID: &str = "department_id";
    pub const ARRIVAL_CODE: &str = "code";
}

/// A stored item could not be turned back into a domain value.
#[derive(Debug, thiserror::Error)]
#[error("stored {entity} item has an invalid {field}")]
pub struct CorruptItem {
    pub entity: &'static str,
    pub field: &'static str,
}

/// A `map_err` adapter naming the field that did not parse.
fn corrupt<E>(entity: &'static str, field: &'static str) -> impl FnOnce(E) -> CorruptItem {
    move |_| CorruptItem { entity, field }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfficeItem {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub entity: String,
    /// Raised by every change an administrator saves, so two changes made
    /// from the same version cannot both land (0: never changed that way).
    #[serde(default)]
    pub catalog_version: u64,
    #[serde(flatten)]
    pub office: Office,
}

impl From<&Office> for OfficeItem {
    fn from(office: &Office) -> Self {
        Self {
            pk: keys::office_pk(&office.id),
            sk: keys::OFFICE_SK.into(),
            gsi1pk: keys::OFFICES_GSI1PK.into(),
            gsi1sk: office.id.to_string(),
            entity: entity::OFFICE.into(),
            catalog_version: 0,
            office: office.clone(),
        }
    }
}

/// One entry of an office's audit log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub entry: crate::domain::audit::AuditEntry,
}

impl From<&crate::domain::audit::AuditEntry> for AuditItem {
    fn from(entry: &crate::domain::audit::AuditEntry) -> Self {
        let key = keys::audit(&entry.office_id, &entry.id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::AUDIT.into(),
            entry: entry.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DepartmentItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub department: Department,
}

impl From<&Department> for DepartmentItem {
    fn from(department: &Department) -> Self {
        Self {
            pk: keys::office_pk(&department.office_id),
            sk: keys::department_sk(&department.id),
            entity: entity::DEPARTMENT.into(),
            department: department.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub service: Service,
}

impl From<&Service> for ServiceItem {
    fn from(service: &Service) -> Self {
        Self {
            pk: keys::office_pk(&service.office_id),
            sk: keys::service_sk(&service.id),
            entity: entity::SERVICE.into(),
            service: service.clone(),
        }
    }
}

/// A capacity counter (one unit of a department, or one ISO week).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CounterItem {
    pub pk: String,
    pub sk: String,
    #[serde(default)]
    pub booked: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<String>,
    /// GSI3: bookings that wait for or took an SMS code, by keyed hash of the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi3sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_key: Option<String>,
    pub id: String,
    pub public_ref: String,
    pub office_id: String,
    pub department_id: String,
    pub service_id: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub start_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub end_at: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub time_zone: chrono_tz::Tz,
    pub status: BookingStatus,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub hold_expires_at: DateTime<Utc>,
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Removed by the retention purge (see `purged_at`).
    #[serde(default)]
    pub person_key: String,
    #[serde(default)]
    pub person_rule: PersonRule,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// None for a clerk's booking without an address; removed by the purge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub channel: Channel,
    pub language: Lang,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_number: Option<String>,
    pub lost_document: bool,
    pub kiosk_code: String,
    pub capacity_units: Vec<String>,
    pub week: String,
    #[serde(default)]
    pub confirm_token: String,
    #[serde(default)]
    pub confirm_code: String,
    #[serde(default)]
    pub manage_tokens: Vec<String>,
    #[serde(default)]
    pub code_attempts: u32,
    #[serde(
        default,
        with = "chrono::serde::ts_milliseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reminded_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undeliverable: Vec<Channel>,
    /// The named clerk chosen (seed 004) and the name the citizen was shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_name: Option<String>,
    /// When the personal fields were removed (retention): the item then
    /// serves statistics only and is no booking any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purged_at: Option<i64>,
    /// DynamoDB TTL (epoch seconds): clean-up only, never a rule.
    pub ttl: i64,
}

/// How long a booking is kept after its visit ends.
pub const BOOKING_RETENTION: Duration = Duration::days(30);

impl From<&Booking> for BookingItem {
    fn from(b: &Booking) -> Self {
        let key = keys::booking(b.id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::BOOKING.into(),
            gsi1pk: keys::booking_day_gsi1pk(&b.office_id, b.local_date),
            gsi1sk: keys::booking_day_gsi1sk(b.start, b.id),
            gsi2pk: match b.status {
                BookingStatus::Pending => Some(keys::hold_expiry_gsi2pk(b.hold_expires_at)),
                BookingStatus::Confirmed => Some(keys::visit_gsi2pk(b.start)),
                _ => None,
            },
            gsi2sk: match b.status {
                BookingStatus::Pending => Some(keys::hold_expiry_gsi2sk(b.hold_expires_at, b.id)),
                BookingStatus::Confirmed => Some(keys::visit_gsi2sk(b.start, b.id)),
                _ => None,
            },
            gsi3pk: b.phone_key.as_ref().map(keys::phone_gsi3pk),
            gsi3sk: b.phone_key.as_ref().map(|_| b.id.to_string()),
            phone_key: b.phone_key.as_ref().map(|d| d.0.clone()),
            id: b.id.to_string(),
            public_ref: b.public_ref.clone(),
            office_id: b.office_id.to_string(),
            department_id: b.department_id.to_string(),
            service_id: b.service_id.to_string(),
            start_at: b.start,
            end_at: b.end,
            local_date: b.local_date,
            time_zone: b.time_zone,
            status: b.status,
            created_at: b.created_at,
            hold_expires_at: b.hold_expires_at,
            confirmed_at: b.confirmed_at,
            closed_at: b.closed_at,
            person_key: b.person.0.clone(),
            person_rule: b.person_rule,
            first_name: b.first_name.as_str().into(),
            last_name: b.last_name.as_str().into(),
            email: b.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: b.phone.as_ref().map(|p| p.as_str().into()),
            channel: b.channel,
            language: b.language,
            application_number: b.application_number.clone(),
            lost_document: b.lost_document,
            kiosk_code: b.kiosk_code.as_str().into(),
            capacity_units: b.capacity_units.iter().map(|u| u.to_rfc3339()).collect(),
            week: b.week.clone(),
            confirm_token: b.confirm_token.0.clone(),
            confirm_code: b.confirm_code.0.clone(),
            manage_tokens: b.manage_tokens.iter().map(|d| d.0.clone()).collect(),
            code_attempts: b.code_attempts,
            reminded_at: b.reminded_at,
            ticket: b.ticket.clone(),
            undeliverable: b.undeliverable.clone(),
            clerk_id: b.clerk.as_ref().map(|c| c.id.to_string()),
            clerk_name: b.clerk.as_ref().map(|c| c.name.clone()),
            purged_at: None,
            ttl: (b.end + BOOKING_RETENTION).timestamp(),
        }
    }
}

impl TryFrom<BookingItem> for Booking {
    type Error = CorruptItem;

    fn try_from(i: BookingItem) -> Result<Self, CorruptItem> {
        let capacity_units = i
            .capacity_units
            .iter()
            .map(|u| DateTime::parse_from_rfc3339(u).map(|t| t.to_utc()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt(entity::BOOKING, "capacity_units"))?;
        Ok(Booking {
            id: BookingId::parse(&i.id).map_err(corrupt(entity::BOOKING, "id"))?,
            public_ref: i.public_ref,
            office_id: OfficeId::parse(&i.office_id)
                .map_err(corrupt(entity::BOOKING, "office_id"))?,
            department_id: DepartmentId::parse(&i.department_id)
                .map_err(corrupt(entity::BOOKING, "department_id"))?,
            service_id: ServiceId::parse(&i.service_id)
                .map_err(corrupt(entity::BOOKING, "service_id"))?,
            start: i.start_at,
            end: i.end_at,
            local_date: i.local_date,
            time_zone: i.time_zone,
            status: i.status,
            created_at: i.created_at,
            hold_expires_at: i.hold_expires_at,
            confirmed_at: i.confirmed_at,
            closed_at: i.closed_at,
            person: PersonKey(i.person_key),
            person_rule: i.person_rule,
            first_name: PersonName::parse(&i.first_name)
                .map_err(corrupt(entity::BOOKING, "first_name"))?,
            last_name: PersonName::parse(&i.last_name)
                .map_err(corrupt(entity::BOOKING, "last_name"))?,
            email: i
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(corrupt(entity::BOOKING, "email"))?,
            phone: i
                .phone
                .as_deref()
                .map(PhoneNumber::from_e164)
                .transpose()
                .map_err(corrupt(entity::BOOKING, "phone"))?,
            channel: i.channel,
            language: i.language,
            application_number: i.application_number,
            lost_document: i.lost_document,
            kiosk_code: KioskCode::parse(&i.kiosk_code)
                .map_err(corrupt(entity::BOOKING, "kiosk_code"))?,
            capacity_units,
            week: i.week,
            confirm_token: Digest(i.confirm_token),
            confirm_code: Digest(i.confirm_code),
            manage_tokens: i.manage_tokens.into_iter().map(Digest).collect(),
            code_attempts: i.code_attempts,
            reminded_at: i.reminded_at,
            ticket: i.ticket,
            undeliverable: i.undeliverable,
            phone_key: i.phone_key.map(Digest),
            clerk: match i.clerk_id {
                Some(id) => Some(BookedClerk {
                    id: ClerkId::parse(&id).map_err(corrupt(entity::BOOKING, "clerk_id"))?,
                    name: i.clerk_name.unwrap_or_default(),
                }),
                None => None,
            },
        })
    }
}

/// The "one active booking per person, service and day" rule item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersonRuleItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub booking_id: String,
    /// The visit's end: after it the booking is no longer open, and a new
    /// booking may take the rule over (TTL removes it only some time later).
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub open_until: DateTime<Utc>,
    pub ttl: i64,
}

impl From<&Booking> for PersonRuleItem {
    fn from(b: &Booking) -> Self {
        let key = keys::person_rule(b);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::PERSON_RULE.into(),
            booking_id: b.id.to_string(),
            open_until: b.end,
            ttl: (b.end + Duration::days(1)).timestamp(),
        }
    }
}

/// A kiosk code taken for an office and day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KioskCodeItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub booking_id: String,
    /// Empty on codes written before digit codes (those are keyed by office).
    #[serde(default)]
    pub office_id: String,
    pub ttl: i64,
}

impl From<&Booking> for KioskCodeItem {
    fn from(b: &Booking) -> Self {
        let key = keys::kiosk_code(&b.office_id, b.local_date, &b.kiosk_code);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::KIOSK_CODE.into(),
            booking_id: b.id.to_string(),
            office_id: b.office_id.to_string(),
            ttl: (b.end + Duration::days(1)).timestamp(),
        }
    }
}

/// A booking reference held by one booking, so no two bookings share the
/// short code people read out on the phone or at the desk (about 34 bits).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicRefItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub booking_id: String,
    /// Kept as long as the booking itself.
    pub ttl: i64,
}

impl From<&Booking> for PublicRefItem {
    fn from(b: &Booking) -> Self {
        let key = keys::public_ref(&b.public_ref);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::PUBLIC_REF.into(),
            booking_id: b.id.to_string(),
            ttl: (b.end + BOOKING_RETENTION).timestamp(),
        }
    }
}

/// How long an outbox item stays after it is written (its secrets are removed once sent).
pub const OUTBOX_RETENTION: Duration = Duration::days(7);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<String>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub language: Lang,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bookable_again_from: Option<NaiveDate>,
    /// Delivery bookkeeping (`store::delivery`), written by update expressions.
    #[serde(flatten)]
    pub delivery: DeliveryFields,
    pub ttl: i64,
}

/// Per channel: when it was sent, the live claim's end, the provider's message
/// id; for the whole message: when every channel was done, and how.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_sent_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_lease_until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_sent_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_lease_until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message_id: Option<String>,
    /// The provider's code when it refused the channel for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_undeliverable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_undeliverable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl OutboxItem {
    /// The item for a message, its token and code sealed ([`Sealer`]): the
    /// table, its stream and its backups never hold them in plain text.
    pub fn sealed(m: &OutboxMessage, sealer: &Sealer) -> Self {
        let key = keys::outbox(m.id);
        let seal = |field: &str, value: &str| sealer.seal(&format!("{}/{field}", key.pk), value);
        Self {
            entity: entity::OUTBOX.into(),
            id: m.id.to_string(),
            booking_id: m.booking_id.map(|id| id.to_string()),
            kind: m.kind,
            channel: m.channel,
            language: m.language,
            created_at: m.created_at,
            confirm_token: m
                .confirm_token
                .as_ref()
                .map(|t| seal("confirm_token", t.as_str())),
            confirm_code: m
                .confirm_code
                .as_ref()
                .map(|c| seal("confirm_code", c.as_str())),
            manage_token: m
                .manage_token
                .as_ref()
                .map(|t| seal("manage_token", t.as_str())),
            reply: m.reply,
            sms_to: m.sms_to.as_ref().map(|p| p.as_str().into()),
            bookable_again_from: m.bookable_again_from,
            delivery: DeliveryFields::default(),
            ttl: (m.created_at + OUTBOX_RETENTION).timestamp(),
            pk: key.pk,
            sk: key.sk,
        }
    }

    /// The message, its token and code opened. A value written before
    /// sealing (no seal prefix) is taken as it is.
    pub fn open(self, sealer: &Sealer) -> Result<OutboxMessage, CorruptItem> {
        use crate::domain::codes::Token;
        let pk = self.pk.clone();
        let open =
            |field: &'static str, stored: Option<String>| -> Result<Option<String>, CorruptItem> {
                stored
                    .map(|value| {
                        sealer
                            .open_or_plain(&format!("{pk}/{field}"), &value)
                            .ok_or(CorruptItem {
                                entity: entity::OUTBOX,
                                field,
                            })
                    })
                    .transpose()
            };
        let confirm_token = open("confirm_token", self.confirm_token)?;
        let confirm_code = open("confirm_code", self.confirm_code)?;
        let manage_token = open("manage_token", self.manage_token)?;
        Ok(OutboxMessage {
            id: OutboxId::parse(&self.id).map_err(corrupt(entity::OUTBOX, "id"))?,
            booking_id: self
                .booking_id
                .as_deref()
                .map(BookingId::parse)
                .transpose()
                .map_err(corrupt(entity::OUTBOX, "booking_id"))?,
            kind: self.kind,
            channel: self.channel,
            language: self.language,
            created_at: self.created_at,
            confirm_token: confirm_token
                .as_deref()
                .map(Token::parse)
                .transpose()
                .map_err(corrupt(entity::OUTBOX, "confirm_token"))?,
            confirm_code: confirm_code
                .as_deref()
                .map(ShortCode::parse)
                .transpose()
                .map_err(corrupt(entity::OUTBOX, "confirm_code"))?,
            manage_token: manage_token
                .as_deref()
                .map(Token::parse)
                .transpose()
                .map_err(corrupt(entity::OUTBOX, "manage_token"))?,
            reply: self.reply,
            sms_to: self
                .sms_to
                .as_deref()
                .map(PhoneNumber::from_e164)
                .transpose()
                .map_err(corrupt(entity::OUTBOX, "sms_to"))?,
            bookable_again_from: self.bookable_again_from,
        })
    }
}

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_RETENTION: Duration = Duration::hours(24);

/// The answer given to a request with an `Idempotency-Key`, replayed on retries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotencyItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    /// Digest of the request body: another body with the same key is refused.
    pub request_digest: String,
    pub status: u16,
    pub response: String,
    pub ttl: i64,
}

/// How long an inbound SMS id is remembered (providers redeliver within hours).
pub const INBOUND_SMS_RETENTION: Duration = Duration::days(7);

/// Marks an inbound SMS as acted on; written in the same transaction as its effect.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboundSmsItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub received_at: DateTime<Utc>,
    pub ttl: i64,
}

impl InboundSmsItem {
    pub fn new(message_id: &str, now: DateTime<Utc>) -> Self {
        let key = keys::inbound_sms(message_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::INBOUND_SMS.into(),
            received_at: now,
            ttl: (now + INBOUND_SMS_RETENTION).timestamp(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::tests::booking;
    use crate::store::Item;

    fn names(item: Item) -> Vec<String> {
        item.into_keys().collect()
    }

    #[test]
    fn hand_written_attribute_names_are_item_fields() {
        let mut b = booking(BookingStatus::Pending);
        b.confirmed_at = Some(b.created_at);
        b.closed_at = Some(b.created_at);
        b.reminded_at = Some(b.created_at);
        b.ticket = Some("RA001".into());
        let booking_names = names(serde_dynamo::to_item(BookingItem::from(&b)).unwrap());
        let rule_names = names(serde_dynamo::to_item(PersonRuleItem::from(&b)).unwrap());
        let counter_names = names(
            serde_dynamo::to_item(CounterItem {
                pk: "p".into(),
                sk: "s".into(),
                booked: 1,
            })
            .unwrap(),
        );
        let some = Some(1);
        let text = Some("x".to_owned());
        let outbox = OutboxItem {
            confirm_token: text.clone(),
            confirm_code: text.clone(),
            manage_token: text.clone(),
            sms_to: text.clone(),
            delivery: DeliveryFields {
                email_sent_at: some,
                email_lease_until: some,
                email_message_id: text.clone(),
                sms_sent_at: some,
                sms_lease_until: some,
                sms_message_id: text.clone(),
                email_undeliverable: text.clone(),
                sms_undeliverable: text.clone(),
                delivered_at: some,
                outcome: text.clone(),
            },
            ..OutboxItem::sealed(
                &OutboxMessage::plain(
                    OutboxId::from_ulid(ulid::Ulid::from_parts(2, 2)),
                    &b,
                    MessageKind::HoldCreated,
                    b.created_at,
                ),
                &crate::domain::secrets::Keyring::new(&[7; 32])
                    .unwrap()
                    .sealer(),
            )
        };
        let outbox_names = names(serde_dynamo::to_item(outbox).unwrap());

        let ticket_counter_names = names(
            serde_dynamo::to_item(TicketCounterItem {
                sk: "COUNTER#A#booked".into(),
                last_number: 1,
            })
            .unwrap(),
        );
        let mut arrival = ArrivalItem::of(&b).expect("a digit code");
        arrival.ticket = Some("RA001".into());
        let arrival_names = names(serde_dynamo::to_item(arrival).unwrap());
        let guard_names = names(
            serde_dynamo::to_item(KioskGuardItem {
                wrong_codes: 1,
                window_until: some,
                locked_until: some,
            })
            .unwrap(),
        );
        let mut t = crate::domain::kiosk::tests::ticket(TicketKind::Booked, "A", 1);
        t.call = Some(Call {
            desk: DeskId::parse("1").unwrap(),
            first_at: b.created_at,
            last_at: b.created_at,
            count: 1,
            finished_at: Some(b.created_at),
        });
        let ticket_names = names(serde_dynamo::to_item(TicketItem::from(&t)).unwrap());
        let desk = Desk {
            id: DeskId::parse("1").unwrap(),
            open: true,
            groups: vec![DeskGroup::default()],
            current: text.clone(),
            finished: Some(("A001".into(), TicketStatus::Served)),
            staff: text.clone(),
        };
        let desk_names = names(
            serde_dynamo::to_item(DeskItem::new(&b.office_id, b.local_date, &desk, 0)).unwrap(),
        );
        let room_names = names(
            serde_dynamo::to_item(RoomItem {
                department_id: "d".into(),
                in_room: 1,
            })
            .unwrap(),
        );
        let expected: [(&[&str], &Vec<String>); 10] = [
            (
                &[
                    attr::STATUS,
                    attr::START_AT,
                    attr::HOLD_EXPIRES_AT,
                    attr::CONFIRMED_AT,
                    attr::CLOSED_AT,
                    attr::REMINDED_AT,
                    attr::CONFIRM_TOKEN,
                    attr::CONFIRM_CODE,
                    attr::CODE_ATTEMPTS,
                    attr::MANAGE_TOKENS,
                    attr::GSI2PK,
                    attr::GSI2SK,
                    attr::TICKET,
                    keys::PK,
                ],
                &booking_names,
            ),
            (&[attr::BOOKING_ID, attr::OPEN_UNTIL], &rule_names),
            (&[attr::BOOKED], &counter_names),
            (&[attr::LAST], &ticket_counter_names),
            (
                &[
                    attr::STATUS,
                    attr::DESK,
                    attr::CALLS,
                    attr::FIRST_CALLED_AT,
                    attr::LAST_CALLED_AT,
                    attr::FINISHED_AT,
                ],
                &ticket_names,
            ),
            (
                &[
                    attr::OPEN,
                    attr::GROUPS,
                    attr::CURRENT,
                    attr::FINISHED_TICKET,
                    attr::FINISHED_STATUS,
                    attr::STAFF,
                ],
                &desk_names,
            ),
            (&[attr::IN_ROOM, attr::DEPARTMENT_ID], &room_names),
            (
                &[attr::ARRIVAL_CODE, attr::TICKET, keys::PK],
                &arrival_names,
            ),
            (
                &[attr::WRONG_CODES, attr::WINDOW_UNTIL, attr::LOCKED_UNTIL],
                &guard_names,
            ),
            (
                &[
                    attr::EMAIL_SENT_AT,
                    attr::EMAIL_LEASE_UNTIL,
                    attr::EMAIL_MESSAGE_ID,
                    attr::SMS_SENT_AT,
                    attr::SMS_LEASE_UNTIL,
                    attr::SMS_MESSAGE_ID,
                    attr::EMAIL_UNDELIVERABLE,
                    attr::SMS_UNDELIVERABLE,
                    attr::DELIVERED_AT,
                    attr::OUTCOME,
                    attr::CONFIRM_TOKEN,
                    attr::CONFIRM_CODE,
                    attr::MANAGE_TOKEN,
                    attr::SMS_TO,
                ],
                &outbox_names,
            ),
        ];
        for (wanted, present) in expected {
            for name in wanted {
                assert!(present.contains(&name.to_string()), "no item field {name}");
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KioskItem {
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub kiosk: KioskDevice,
}

impl From<&KioskDevice> for KioskItem {
    fn from(kiosk: &KioskDevice) -> Self {
        let key = keys::kiosk(&kiosk.id);
        Self {
            pk: key.pk,
            sk: key.sk,
            gsi1pk: keys::office_kiosks_gsi1pk(&kiosk.office_id),
            gsi1sk: kiosk.id.clone(),
            entity: entity::KIOSK.into(),
            kiosk: kiosk.clone(),
        }
    }
}

/// Wrong codes a kiosk took in its current window, and until when it is locked
/// (epoch milliseconds).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KioskGuardItem {
    #[serde(default)]
    pub wrong_codes: u32,
    #[serde(default)]
    pub window_until: Option<i64>,
    #[serde(default)]
    pub locked_until: Option<i64>,
}

/// A confirmed booking expected in the hall on its day, under its digit
/// code (see [`Arrival`]); written with the confirmation, given the ticket's
/// number with the redemption, gone with the day's tickets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArrivalItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub code: String,
    pub booking_id: String,
    pub service_id: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub start_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The named clerk the visit was booked with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_id: Option<String>,
    pub ttl: i64,
}

impl ArrivalItem {
    /// The arrival of a booking with a digit code (older codes have none).
    pub fn of(b: &Booking) -> Option<Self> {
        let KioskCode::Digits(digits) = &b.kiosk_code else {
            return None;
        };
        let key = keys::arrival(&b.office_id, b.local_date, digits);
        Some(Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::ARRIVAL.into(),
            code: digits.clone(),
            booking_id: b.id.to_string(),
            service_id: b.service_id.to_string(),
            start_at: b.start,
            ticket: None,
            clerk_id: b.clerk.as_ref().map(|c| c.id.to_string()),
            ttl: (b.end + Duration::days(1)).timestamp(),
        })
    }
}

impl TryFrom<ArrivalItem> for Arrival {
    type Error = CorruptItem;
    /// An arrival is written for a confirmed booking; with a ticket, it was redeemed.
    fn try_from(i: ArrivalItem) -> Result<Self, Self::Error> {
        Ok(Arrival {
            booking_id: BookingId::parse(&i.booking_id)
                .map_err(corrupt(entity::ARRIVAL, "booking_id"))?,
            service_id: ServiceId::parse(&i.service_id)
                .map_err(corrupt(entity::ARRIVAL, "service_id"))?,
            start: i.start_at,
            status: if i.ticket.is_some() {
                BookingStatus::Redeemed
            } else {
                BookingStatus::Confirmed
            },
            ticket: i.ticket,
            clerk_id: i
                .clerk_id
                .as_deref()
                .map(ClerkId::parse)
                .transpose()
                .map_err(corrupt(entity::ARRIVAL, "clerk_id"))?,
        })
    }
}

/// A nonce a kiosk used; remembered until its timestamp is stale anyway.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KioskNonceItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub ttl: i64,
}

impl KioskNonceItem {
    pub fn new(kiosk_id: &str, nonce: &str, expires_at: DateTime<Utc>) -> Self {
        let key = keys::kiosk_nonce(kiosk_id, nonce);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::KIOSK_NONCE.into(),
            ttl: expires_at.timestamp(),
        }
    }
}

/// The last ticket number issued for an office, day, desk group and kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketCounterItem {
    #[serde(default)]
    pub sk: String,
    #[serde(default)]
    pub last_number: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub number: String,
    pub desk_group: DeskGroup,
    pub kind: TicketKind,
    pub n: u32,
    pub office_id: String,
    pub date: NaiveDate,
    pub department_id: String,
    pub service_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<String>,
    #[serde(
        default,
        with = "chrono::serde::ts_milliseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub appointment: Option<DateTime<Utc>>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub issued_at: DateTime<Utc>,
    pub status: TicketStatus,
    /// DynamoDB TTL (epoch seconds): clean-up only.
    pub ttl: i64,
    /// The desk that called it, once one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<DeskId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_count: Option<u32>,
    #[serde(
        default,
        with = "chrono::serde::ts_milliseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_called_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "chrono::serde::ts_milliseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_called_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "chrono::serde::ts_milliseconds_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub finished_at: Option<DateTime<Utc>>,
    /// The named clerk the visit was booked with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk_id: Option<String>,
}

/// A desk of an office's day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeskItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub desk: DeskId,
    pub is_open: bool,
    pub groups: Vec<DeskGroup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_ticket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_ticket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_status: Option<TicketStatus>,
    /// The staff account that opened the desk (a named clerk's, maybe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    pub ttl: i64,
}

impl DeskItem {
    pub fn new(office: &OfficeId, date: NaiveDate, desk: &Desk, ttl: i64) -> Self {
        let key = keys::desk(office, date, &desk.id);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::DESK.into(),
            desk: desk.id.clone(),
            is_open: desk.open,
            groups: desk.groups.clone(),
            current_ticket: desk.current.clone(),
            finished_ticket: desk.finished.as_ref().map(|(n, _)| n.clone()),
            finished_status: desk.finished.as_ref().map(|(_, s)| *s),
            staff: desk.staff.clone(),
            ttl,
        }
    }
}

impl From<DeskItem> for Desk {
    fn from(i: DeskItem) -> Self {
        Desk {
            id: i.desk,
            open: i.is_open,
            groups: i.groups,
            current: i.current_ticket,
            finished: i.finished_ticket.zip(i.finished_status),
            staff: i.staff,
        }
    }
}

/// People of a department in the waiting room: checked in at the kiosk and
/// not yet served or missed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoomItem {
    pub department_id: String,
    #[serde(default)]
    pub in_room: i64,
}

/// How long a ticket is kept after its day (the queue's statistics read it).
pub const TICKET_RETENTION: Duration = Duration::days(30);

impl From<&Ticket> for TicketItem {
    fn from(t: &Ticket) -> Self {
        let number = t.number.to_string();
        let key = keys::ticket(&t.office_id, t.date, &number);
        Self {
            pk: key.pk,
            sk: key.sk,
            entity: entity::TICKET.into(),
            number,
            desk_group: t.number.group.clone(),
            kind: t.number.kind,
            n: t.number.n,
            office_id: t.office_id.to_string(),
            date: t.date,
            department_id: t.department_id.to_string(),
            service_id: t.service_id.to_string(),
            booking_id: t.booking_id.map(|id| id.to_string()),
            appointment: t.appointment,
            issued_at: t.issued_at,
            status: t.status,
            ttl: (t.issued_at + TICKET_RETENTION).timestamp(),
            desk: t.call.as_ref().map(|c| c.desk.clone()),
            call_count: t.call.as_ref().map(|c| c.count),
            first_called_at: t.call.as_ref().map(|c| c.first_at),
            last_called_at: t.call.as_ref().map(|c| c.last_at),
            finished_at: t.call.as_ref().and_then(|c| c.finished_at),
            clerk_id: t.clerk_id.as_ref().map(ToString::to_string),
        }
    }
}

impl TryFrom<TicketItem> for Ticket {
    type Error = CorruptItem;
    fn try_from(i: TicketItem) -> Result<Self, Self::Error> {
        Ok(Ticket {
            number: TicketNumber {
                group: i.desk_group,
                kind: i.kind,
                n: i.n,
            },
            office_id: OfficeId::parse(&i.office_id)
                .map_err(corrupt(entity::TICKET, "office_id"))?,
            date: i.date,
            department_id: DepartmentId::parse(&i.department_id)
                .map_err(corrupt(entity::TICKET, "department_id"))?,
            service_id: ServiceId::parse(&i.service_id)
                .map_err(corrupt(entity::TICKET, "service_id"))?,
            booking_id: i
                .booking_id
                .as_deref()
                .map(BookingId::parse)
                .transpose()
                .map_err(corrupt(entity::TICKET, "booking_id"))?,
            appointment: i.appointment,
            issued_at: i.issued_at,
            status: i.status,
            call: match (i.desk, i.first_called_at) {
                (Some(desk), Some(first_at)) => Some(Call {
                    desk,
                    first_at,
                    last_at: i.last_called_at.unwrap_or(first_at),
                    count: i.call_count.unwrap_or(1),
                    finished_at: i.finished_at,
                }),
                _ => None,
            },
            clerk_id: i
                .clerk_id
                .as_deref()
                .map(ClerkId::parse)
                .transpose()
                .map_err(corrupt(entity::TICKET, "clerk_id"))?,
        })
    }
}

/// A no-show, counted by the office's rule while it is young enough.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StrikeItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    /// Clean-up only: counting filters by `at`.
    pub ttl: i64,
}

/// An email address (by keyed hash only) SES reported as bouncing for good
/// or complaining: bookings with it are refused until `ttl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UndeliverableAddressItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    /// "bounce" or "complaint".
    pub reason: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub reported_at: DateTime<Utc>,
    pub ttl: i64,
}

/// A person blocked from booking online at an office until `blocked_until` (exclusive).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlockItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub blocked_until: DateTime<Utc>,
    /// Clean-up only: the booking condition compares `blocked_until`.
    pub ttl: i64,
}
