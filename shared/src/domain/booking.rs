//! A booking and the rules for moving it between states.
//!
//! ```text
//!   pending ──confirm (before hold_expires_at)──▶ confirmed
//!      │  └──cancel──▶ cancelled ◀──cancel (before start)──┘
//!      └──hold_expires_at passed──▶ expired
//! ```
//! Capacity is taken when a hold is created and returned exactly once, when the
//! booking leaves pending/confirmed for cancelled or expired.

use crate::domain::catalog::{Department, Lang, NamedClerk, Office, PersonRule, Service};
use crate::domain::codes::KioskCode;
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::{BookingId, ClerkId, DepartmentId, OfficeId, ServiceId};
use crate::domain::schedule::{self, Slot};
use crate::domain::secrets::{Digest, PersonKey};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How long an unconfirmed hold keeps its seat.
pub const HOLD_DURATION: Duration = Duration::hours(1);

/// Wrong confirmation codes allowed before the code is locked (the link still works).
pub const MAX_CODE_ATTEMPTS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Pending,
    Confirmed,
    Cancelled,
    Expired,
    /// The code was typed at the kiosk in time: the citizen holds a ticket.
    Redeemed,
    /// The code came after the kiosk window: lateness gives the slot up (seed 001).
    Resigned,
    /// The kiosk window closed without the code: a strike for the person (seed 002).
    NoShow,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Expired => "expired",
            BookingStatus::Redeemed => "redeemed",
            BookingStatus::Resigned => "resigned",
            BookingStatus::NoShow => "no_show",
        }
    }

    /// Whether the booking holds capacity.
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Confirmed)
    }
}

/// How the citizen wants to confirm and be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

/// One matter for one person at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub id: BookingId,
    /// Shown on the desk's admission list; random, reveals nothing.
    pub public_ref: String,
    pub office_id: OfficeId,
    pub department_id: DepartmentId,
    pub service_id: ServiceId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Office-local date of `start`.
    pub local_date: NaiveDate,
    /// The office's zone, to show times as the citizen reads them.
    pub time_zone: Tz,
    pub status: BookingStatus,
    pub created_at: DateTime<Utc>,
    pub hold_expires_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub person: PersonKey,
    /// The office's rule for this person and matter when the hold was made
    /// (so releasing it frees exactly what it took).
    pub person_rule: PersonRule,
    pub first_name: PersonName,
    pub last_name: PersonName,
    /// None for a booking a clerk made for a caller who gave no address
    /// (seeds 002, 003): nothing is emailed then.
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    /// Keyed hash of the phone when the citizen confirms by SMS: how an inbound SMS finds the hold.
    pub phone_key: Option<Digest>,
    pub channel: Channel,
    pub language: Lang,
    pub application_number: Option<String>,
    pub lost_document: bool,
    pub kiosk_code: KioskCode,
    /// The department capacity units this booking holds.
    pub capacity_units: Vec<DateTime<Utc>>,
    /// The ISO week counter this booking counts in.
    pub week: String,
    pub confirm_token: Digest,
    pub confirm_code: Digest,
    /// Every manage (cancel) link sent for this booking: one with the hold, one with the confirmation.
    pub manage_tokens: Vec<Digest>,
    pub code_attempts: u32,
    /// When the reminder was queued; at most one per booking.
    pub reminded_at: Option<DateTime<Utc>>,
    /// The number of the ticket the kiosk issued for this booking.
    pub ticket: Option<String>,
    /// The channels a provider refused for good (a bad address or number,
    /// a bounce): staff see them and call the citizen instead.
    pub undeliverable: Vec<Channel>,
    /// The named clerk chosen for the visit (seed 004), if any: the booking
    /// also holds the clerk's capacity units, and the ticket is the clerk's.
    pub clerk: Option<BookedClerk>,
}

/// The named clerk a booking was made with, as the citizen was told: the
/// name is kept with the booking, so messages, views and the desk's list
/// say the same name whatever the catalog says later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedClerk {
    pub id: ClerkId,
    pub name: String,
}

impl From<&NamedClerk> for BookedClerk {
    fn from(clerk: &NamedClerk) -> Self {
        Self {
            id: clerk.id.clone(),
            name: clerk.name.trim().to_owned(),
        }
    }
}

/// What the citizen gave for a booking, in domain form.
#[derive(Debug, Clone, PartialEq)]
pub struct Applicant {
    pub first_name: PersonName,
    pub last_name: PersonName,
    /// Always given online; a caller booked by a clerk may have none.
    pub email: Option<Email>,
    pub phone: Option<PhoneNumber>,
    pub channel: Channel,
    pub language: Lang,
    pub application_number: Option<String>,
    pub lost_document: bool,
}

impl Applicant {
    /// The number an SMS code is sent to and replies come from: only when the
    /// citizen chose to confirm by SMS.
    pub fn sms_phone(&self) -> Option<&PhoneNumber> {
        self.phone.as_ref().filter(|_| self.channel == Channel::Sms)
    }
}

/// Where and when a hold is made: the catalog entries, the checked slot
/// and the named clerk chosen (one who handles the matter).
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub office: &'a Office,
    pub department: &'a Department,
    pub service: &'a Service,
    pub slot: Slot,
    pub clerk: Option<&'a NamedClerk>,
}

/// The digests of the secrets issued with a hold (the raw values go only to
/// the citizen's message), and its kiosk code.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldSecrets {
    pub confirm_token: Digest,
    pub confirm_code: Digest,
    pub manage_token: Digest,
    pub kiosk_code: KioskCode,
}

/// The identity of a new hold: its id and the public reference on the desk list.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldIds {
    pub id: BookingId,
    pub public_ref: String,
}

/// What a confirmation attempt should do, given the booking as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmStep {
    Confirm,
    AlreadyConfirmed,
    /// The hold ran out: release it (once) and answer "expired".
    Expire,
    AlreadyExpired,
    Cancelled,
}

/// What a cancellation should do, given the booking as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelStep {
    Cancel,
    AlreadyCancelled,
    /// A pending hold past its expiry is expired, not cancelled.
    Expire,
    AlreadyExpired,
    /// The appointment has begun; lateness counts as resignation, not cancellation.
    TooLate,
}

impl Booking {
    /// A new pending hold, made at `now`, that keeps its seat for [`HOLD_DURATION`]
    /// or until the visit starts, whichever comes first.
    /// `phone_key` is the keyed hash of [`Applicant::sms_phone`], if any.
    pub fn new_hold(
        ids: HoldIds,
        place: Place<'_>,
        person: PersonKey,
        phone_key: Option<Digest>,
        applicant: Applicant,
        secrets: HoldSecrets,
        now: DateTime<Utc>,
    ) -> Self {
        let Place {
            office,
            department,
            service,
            slot,
            clerk,
        } = place;
        Booking {
            id: ids.id,
            public_ref: ids.public_ref,
            office_id: office.id.clone(),
            department_id: department.id.clone(),
            service_id: service.id.clone(),
            start: slot.start,
            end: slot.end,
            local_date: schedule::local_date(office, slot.start),
            time_zone: office.time_zone,
            status: BookingStatus::Pending,
            created_at: now,
            // A hold made less than an hour before the visit (at the door)
            // lasts until the visit starts.
            hold_expires_at: (now + HOLD_DURATION).min(slot.start),
            confirmed_at: None,
            closed_at: None,
            person,
            person_rule: office.person_rule,
            first_name: applicant.first_name,
            last_name: applicant.last_name,
            email: applicant.email,
            phone: applicant.phone,
            phone_key,
            channel: applicant.channel,
            language: applicant.language,
            application_number: applicant.application_number,
            lost_document: applicant.lost_document,
            kiosk_code: secrets.kiosk_code,
            capacity_units: schedule::capacity_units(department, &slot),
            week: schedule::iso_week(office, slot.start),
            confirm_token: secrets.confirm_token,
            confirm_code: secrets.confirm_code,
            manage_tokens: vec![secrets.manage_token],
            code_attempts: 0,
            reminded_at: None,
            ticket: None,
            undeliverable: Vec::new(),
            clerk: clerk.map(BookedClerk::from),
        }
    }

    pub fn hold_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.hold_expires_at
    }

    pub fn confirm_step(&self, now: DateTime<Utc>) -> ConfirmStep {
        match self.status {
            BookingStatus::Pending if self.hold_expired(now) => ConfirmStep::Expire,
            BookingStatus::Pending => ConfirmStep::Confirm,
            // A confirm link opened again on or after the day of the visit.
            BookingStatus::Confirmed
            | BookingStatus::Redeemed
            | BookingStatus::Resigned
            | BookingStatus::NoShow => ConfirmStep::AlreadyConfirmed,
            BookingStatus::Expired => ConfirmStep::AlreadyExpired,
            BookingStatus::Cancelled => ConfirmStep::Cancelled,
        }
    }

    pub fn cancel_step(&self, now: DateTime<Utc>) -> CancelStep {
        match self.status {
            BookingStatus::Cancelled => CancelStep::AlreadyCancelled,
            BookingStatus::Expired => CancelStep::AlreadyExpired,
            BookingStatus::Pending if self.hold_expired(now) => CancelStep::Expire,
            // At the kiosk already (with a ticket, or too late): the visit has begun.
            BookingStatus::Redeemed | BookingStatus::Resigned | BookingStatus::NoShow => {
                CancelStep::TooLate
            }
            _ if now >= self.start => CancelStep::TooLate,
            _ => CancelStep::Cancel,
        }
    }

    pub fn code_locked(&self) -> bool {
        self.code_attempts >= MAX_CODE_ATTEMPTS
    }

    /// Wrong codes still allowed before the code locks.
    pub fn code_tries_left(&self) -> u32 {
        MAX_CODE_ATTEMPTS.saturating_sub(self.code_attempts)
    }

    /// Whether a reminder `lead` before the visit is due at `now`: once, for a
    /// confirmed booking, from `start - lead` until the visit begins, and only if
    /// the booking was confirmed before that moment (someone who confirms an hour
    /// before the visit does not need to be reminded of it).
    pub fn reminder_due(&self, now: DateTime<Utc>, lead: Duration) -> bool {
        let remind_at = self.start - lead;
        self.status == BookingStatus::Confirmed
            && self.reminded_at.is_none()
            && now >= remind_at
            && now < self.start
            && self.confirmed_at.is_some_and(|at| at < remind_at)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::catalog::Lang;
    use ulid::Ulid;

    pub(crate) fn booking(status: BookingStatus) -> Booking {
        let created = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let start = created + Duration::days(2);
        Booking {
            id: BookingId::from_ulid(Ulid::from_parts(1, 1)),
            public_ref: "AC34FH7K".into(),
            office_id: OfficeId::parse("olsztyn").unwrap(),
            department_id: DepartmentId::parse("ids").unwrap(),
            service_id: ServiceId::parse("id-card").unwrap(),
            start,
            end: start + Duration::minutes(15),
            local_date: start.date_naive(),
            time_zone: chrono_tz::Europe::Warsaw,
            status,
            created_at: created,
            hold_expires_at: created + HOLD_DURATION,
            confirmed_at: None,
            closed_at: None,
            person: PersonKey("k".into()),
            person_rule: PersonRule::OnePerMatter,
            first_name: PersonName::parse("Anna").unwrap(),
            last_name: PersonName::parse("Nowak").unwrap(),
            email: Some(Email::parse("anna@example.pl").unwrap()),
            phone: None,
            phone_key: None,
            channel: Channel::Email,
            language: Lang::Pl,
            application_number: None,
            lost_document: false,
            kiosk_code: KioskCode::Digits("042917".into()),
            capacity_units: vec![start],
            week: "2026-W48".into(),
            confirm_token: Digest("c".into()),
            confirm_code: Digest("s".into()),
            manage_tokens: vec![Digest("m".into())],
            code_attempts: 0,
            reminded_at: None,
            ticket: None,
            undeliverable: Vec::new(),
            clerk: None,
        }
    }

    #[test]
    fn a_hold_can_be_confirmed_until_the_hour_is_up() {
        let b = booking(BookingStatus::Pending);
        assert_eq!(
            b.confirm_step(b.created_at + Duration::minutes(59)),
            ConfirmStep::Confirm
        );
        assert_eq!(
            b.confirm_step(b.created_at + Duration::minutes(60)),
            ConfirmStep::Expire
        );
    }

    #[test]
    fn confirm_and_cancel_steps_follow_the_status() {
        let now = booking(BookingStatus::Pending).created_at + Duration::minutes(5);
        let table = [
            (
                BookingStatus::Confirmed,
                ConfirmStep::AlreadyConfirmed,
                CancelStep::Cancel,
            ),
            (
                BookingStatus::Cancelled,
                ConfirmStep::Cancelled,
                CancelStep::AlreadyCancelled,
            ),
            (
                BookingStatus::Expired,
                ConfirmStep::AlreadyExpired,
                CancelStep::AlreadyExpired,
            ),
            (
                BookingStatus::Pending,
                ConfirmStep::Confirm,
                CancelStep::Cancel,
            ),
        ];
        for (status, confirm, cancel) in table {
            let b = booking(status);
            assert_eq!(b.confirm_step(now), confirm, "{status:?}");
            assert_eq!(b.cancel_step(now), cancel, "{status:?}");
        }
    }

    #[test]
    fn a_confirmed_booking_cannot_be_cancelled_once_it_has_begun() {
        let b = booking(BookingStatus::Confirmed);
        assert_eq!(
            b.cancel_step(b.start - Duration::seconds(1)),
            CancelStep::Cancel
        );
        assert_eq!(b.cancel_step(b.start), CancelStep::TooLate);
    }

    #[test]
    fn a_booking_redeemed_at_the_kiosk_or_resigned_can_no_longer_be_cancelled() {
        for status in [
            BookingStatus::Redeemed,
            BookingStatus::Resigned,
            BookingStatus::NoShow,
        ] {
            let b = booking(status);
            assert_eq!(
                b.cancel_step(b.start - Duration::minutes(20)),
                CancelStep::TooLate
            );
        }
    }

    #[test]
    fn a_reminder_is_due_once_between_the_lead_time_and_the_visit() {
        let lead = Duration::hours(24);
        let b = Booking {
            confirmed_at: Some(booking(BookingStatus::Pending).created_at + Duration::minutes(5)),
            ..booking(BookingStatus::Confirmed)
        };
        let remind_at = b.start - lead;
        assert!(!b.reminder_due(remind_at - Duration::seconds(1), lead));
        assert!(b.reminder_due(remind_at, lead));
        assert!(b.reminder_due(b.start - Duration::seconds(1), lead));
        assert!(!b.reminder_due(b.start, lead));
        let reminded = Booking {
            reminded_at: Some(remind_at),
            ..b.clone()
        };
        assert!(!reminded.reminder_due(remind_at, lead));
        let cancelled = Booking {
            status: BookingStatus::Cancelled,
            ..b.clone()
        };
        assert!(!cancelled.reminder_due(remind_at, lead));
    }

    #[test]
    fn a_booking_confirmed_inside_the_lead_time_gets_no_reminder() {
        let lead = Duration::hours(24);
        let b = booking(BookingStatus::Confirmed);
        let late = Booking {
            confirmed_at: Some(b.start - Duration::hours(3)),
            ..b
        };
        assert!(!late.reminder_due(late.start - Duration::hours(2), lead));
    }

    #[test]
    fn a_new_hold_is_pending_for_an_hour_and_takes_every_unit_of_its_slot() {
        use crate::domain::schedule::tests::{department, office, service};
        let (office, department, service) = (office(), department(), service(30));
        let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .unwrap()
            .to_utc();
        // Tuesday 24 November 2026, 9:15–9:45 Warsaw time: two 15-minute units.
        let start = DateTime::parse_from_rfc3339("2026-11-24T08:15:00Z")
            .unwrap()
            .to_utc();
        let slot = Slot {
            start,
            end: start + Duration::minutes(30),
        };
        let template = booking(BookingStatus::Pending);
        let applicant = Applicant {
            first_name: template.first_name.clone(),
            last_name: template.last_name.clone(),
            email: template.email.clone(),
            phone: Some(
                PhoneNumber::parse("601 234 567", crate::domain::catalog::Country::Pl).unwrap(),
            ),
            channel: Channel::Email,
            language: Lang::Uk,
            application_number: None,
            lost_document: false,
        };
        assert_eq!(
            applicant.sms_phone(),
            None,
            "email confirmation sends no SMS code"
        );
        let secrets = HoldSecrets {
            confirm_token: Digest("c".into()),
            confirm_code: Digest("s".into()),
            manage_token: Digest("m".into()),
            kiosk_code: KioskCode::Digits("042917".into()),
        };
        let ids = HoldIds {
            id: template.id,
            public_ref: "AC34FH7K".into(),
        };
        let place = Place {
            office: &office,
            department: &department,
            service: &service,
            slot,
            clerk: None,
        };
        let hold = Booking::new_hold(
            ids,
            place,
            PersonKey("p".into()),
            None,
            applicant.clone(),
            secrets,
            now,
        );
        assert_eq!(hold.status, BookingStatus::Pending);
        assert_eq!(hold.hold_expires_at, now + HOLD_DURATION);
        let at_the_door = Booking::new_hold(
            HoldIds {
                id: template.id,
                public_ref: "AC34FH7K".into(),
            },
            Place {
                office: &office,
                department: &department,
                service: &service,
                slot,
                clerk: None,
            },
            PersonKey("p".into()),
            None,
            applicant.clone(),
            HoldSecrets {
                confirm_token: Digest("c".into()),
                confirm_code: Digest("s".into()),
                manage_token: Digest("m".into()),
                kiosk_code: KioskCode::Digits("042917".into()),
            },
            start - Duration::minutes(20),
        );
        assert_eq!(
            at_the_door.hold_expires_at, start,
            "no hold outlives its visit"
        );
        assert_eq!(
            hold.capacity_units,
            vec![start, start + Duration::minutes(15)]
        );
        assert_eq!(
            hold.local_date,
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        assert_eq!(hold.week, "2026-W48");
        assert_eq!(hold.manage_tokens, vec![Digest("m".into())]);
        assert_eq!(hold.language, Lang::Uk);
        assert_eq!(
            hold.confirm_step(now + Duration::minutes(59)),
            ConfirmStep::Confirm
        );
        let by_sms = Applicant {
            channel: Channel::Sms,
            ..applicant
        };
        assert_eq!(
            by_sms.sms_phone().map(PhoneNumber::as_str),
            Some("+48601234567")
        );
    }

    #[test]
    fn a_hold_with_a_named_clerk_keeps_the_clerks_id_and_name_as_the_citizen_saw_it() {
        use crate::domain::schedule::tests::{department, office, service};
        let (office, department, service) = (office(), department(), service(15));
        let clerk = NamedClerk {
            id: ClerkId::parse("anna-nowicka").unwrap(),
            name: " Anna Nowicka ".into(),
            services: vec![service.id.clone()],
            staff_id: Some("clerk.olsztyn".into()),
        };
        let template = booking(BookingStatus::Pending);
        let start = template.start;
        let hold = Booking::new_hold(
            HoldIds {
                id: template.id,
                public_ref: template.public_ref.clone(),
            },
            Place {
                office: &office,
                department: &department,
                service: &service,
                slot: Slot {
                    start,
                    end: start + Duration::minutes(15),
                },
                clerk: Some(&clerk),
            },
            template.person.clone(),
            None,
            Applicant {
                first_name: template.first_name.clone(),
                last_name: template.last_name.clone(),
                email: template.email.clone(),
                phone: None,
                channel: Channel::Email,
                language: Lang::Pl,
                application_number: None,
                lost_document: false,
            },
            HoldSecrets {
                confirm_token: Digest("c".into()),
                confirm_code: Digest("s".into()),
                manage_token: Digest("m".into()),
                kiosk_code: KioskCode::Digits("042917".into()),
            },
            template.created_at,
        );
        assert_eq!(
            hold.clerk,
            Some(BookedClerk {
                id: clerk.id.clone(),
                name: "Anna Nowicka".into()
            })
        );
        assert_eq!(hold.capacity_units, vec![start]);
    }

    #[test]
    fn a_pending_hold_past_expiry_is_expired_instead_of_cancelled() {
        let b = booking(BookingStatus::Pending);
        assert_eq!(b.cancel_step(b.hold_expires_at), CancelStep::Expire);
    }
}
