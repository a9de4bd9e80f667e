//! What the use cases answer: the views of bookings, slots and catalogs that
//! the HTTP edge serialises as they are.

use crate::domain::booking::{BookedClerk, Booking, BookingStatus, Channel};
use crate::domain::catalog::{Catalog, Department, Lang, NamedClerk, Office, Service, Text};
use crate::domain::kiosk::{KioskDevice, Ticket, TicketKind, TicketStatus, WaitRange};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A booking as shown to the person who holds its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingView {
    pub booking_id: String,
    pub public_ref: String,
    pub status: BookingStatus,
    pub office_id: String,
    pub department_id: String,
    pub service_id: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub time_zone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<DateTime<FixedOffset>>,
    pub confirm_by: Channel,
    /// Only once confirmed, and only to whoever proved they hold a token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiosk_code: Option<String>,
    /// The named clerk chosen for the visit (seed 004).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<ClerkRef>,
}

/// A named clerk as citizens and the desk's lists see them: the id and the
/// name, nothing more (no staff account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClerkRef {
    pub id: String,
    pub name: String,
}

impl From<&BookedClerk> for ClerkRef {
    fn from(clerk: &BookedClerk) -> Self {
        Self {
            id: clerk.id.to_string(),
            name: clerk.name.clone(),
        }
    }
}

impl From<&NamedClerk> for ClerkRef {
    fn from(clerk: &NamedClerk) -> Self {
        Self {
            id: clerk.id.to_string(),
            name: clerk.name.trim().to_owned(),
        }
    }
}

impl BookingView {
    pub fn of(b: &Booking, show_kiosk_code: bool) -> Self {
        let local = |t: DateTime<Utc>| t.with_timezone(&b.time_zone).fixed_offset();
        Self {
            booking_id: b.id.to_string(),
            public_ref: b.public_ref.clone(),
            status: b.status,
            office_id: b.office_id.to_string(),
            department_id: b.department_id.to_string(),
            service_id: b.service_id.to_string(),
            start: local(b.start),
            end: local(b.end),
            time_zone: b.time_zone.name().to_owned(),
            hold_expires_at: (b.status == BookingStatus::Pending).then(|| local(b.hold_expires_at)),
            confirm_by: b.channel,
            kiosk_code: (show_kiosk_code && b.status == BookingStatus::Confirmed)
                .then(|| b.kiosk_code.as_str().to_owned()),
            clerk: b.clerk.as_ref().map(ClerkRef::from),
        }
    }
}

/// A free slot as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreeSlot {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Local wall-clock time, e.g. "08:30".
    pub time: String,
    pub seats_left: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaySlots {
    pub date: NaiveDate,
    pub slots: Vec<FreeSlot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotListing {
    pub office_id: String,
    pub service_id: String,
    pub time_zone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: Vec<DaySlots>,
}

/// The public view of an office's catalog.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogView {
    pub office: Office,
    pub departments: Vec<DepartmentView>,
}

/// A department as citizens see it: its clerks are listed under the
/// matters they handle, by id and name only.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView {
    #[serde(flatten)]
    pub department: Department,
    pub services: Vec<ServiceView>,
}

/// A matter as citizens see it, with the named clerks one may choose.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    #[serde(flatten)]
    pub service: Service,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clerks: Vec<ClerkRef>,
}

impl CatalogView {
    pub fn of(catalog: Catalog) -> Self {
        let Catalog {
            office,
            departments,
            services,
        } = catalog;
        let departments = departments
            .into_iter()
            .map(|mut department| {
                // The staff accounts behind the names stay with the staff.
                let clerks = std::mem::take(&mut department.clerks);
                DepartmentView {
                    services: services
                        .iter()
                        .filter(|s| s.department_id == department.id)
                        .map(|s| ServiceView {
                            clerks: clerks
                                .iter()
                                .filter(|c| c.handles(&s.id))
                                .map(ClerkRef::from)
                                .collect(),
                            service: s.clone(),
                        })
                        .collect(),
                    department,
                }
            })
            .collect();
        Self {
            office,
            departments,
        }
    }
}

/// Every office, for the office picker.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeList {
    pub offices: Vec<Office>,
}

/// A department as a kiosk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskDepartmentView {
    pub id: String,
    pub name: Text,
    pub location: Text,
    pub desk_group: String,
    /// While the emergency switch is on: walk-ins register by phone (what to tell them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_registration: Option<Text>,
    pub services: Vec<KioskServiceView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskServiceView {
    pub id: String,
    pub name: Text,
    /// Offered as a ticket without a booking.
    pub walk_in: bool,
}

/// What a kiosk's screen needs: its office, languages, switches and matters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskConfigView {
    pub kiosk_id: String,
    pub office: KioskOfficeView,
    pub languages: Vec<Lang>,
    pub enabled: bool,
    pub walk_ins_enabled: bool,
    pub message: Text,
    pub departments: Vec<KioskDepartmentView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskOfficeView {
    pub id: String,
    pub name: Text,
    pub time_zone: String,
}

impl KioskConfigView {
    pub fn of(kiosk: &KioskDevice, catalog: &Catalog) -> Self {
        let departments = catalog
            .departments
            .iter()
            .map(|d| KioskDepartmentView {
                id: d.id.to_string(),
                name: d.name.clone(),
                location: d.location.clone(),
                desk_group: d.kiosk.desk_group.to_string(),
                phone_registration: d.phone_registration.clone(),
                services: catalog
                    .services
                    .iter()
                    .filter(|s| s.department_id == d.id)
                    .map(|s| KioskServiceView {
                        id: s.id.to_string(),
                        name: s.name.clone(),
                        walk_in: s.walk_in && d.phone_registration.is_none(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            kiosk_id: kiosk.id.clone(),
            office: KioskOfficeView {
                id: catalog.office.id.to_string(),
                name: catalog.office.name.clone(),
                time_zone: catalog.office.time_zone.name().to_owned(),
            },
            languages: kiosk.languages.clone(),
            enabled: kiosk.enabled,
            walk_ins_enabled: kiosk.walk_ins_enabled,
            message: kiosk.message.clone(),
            departments,
        }
    }
}

/// A ticket as printed: no personal data, only where to go and how long.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketView {
    pub number: String,
    pub kind: TicketKind,
    pub desk_group: String,
    pub department: KioskDepartmentRef,
    pub service: KioskServiceView,
    /// `null` on a walk-in ticket.
    pub appointment: Option<DateTime<FixedOffset>>,
    /// The named clerk the visit was booked with (seed 004), whom the
    /// citizen asks for at the desk; `null` without one.
    pub clerk: Option<ClerkRef>,
    pub people_ahead: u32,
    pub estimated_wait_minutes: WaitRange,
    pub issued_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskDepartmentRef {
    pub id: String,
    pub name: Text,
    pub location: Text,
}

impl TicketView {
    pub fn of(
        ticket: &Ticket,
        office: &Office,
        department: &Department,
        service: &Service,
        people_ahead: u32,
        wait: WaitRange,
    ) -> Self {
        let local = |t: DateTime<Utc>| t.with_timezone(&office.time_zone).fixed_offset();
        Self {
            number: ticket.number.to_string(),
            kind: ticket.number.kind,
            desk_group: ticket.number.group.to_string(),
            department: KioskDepartmentRef {
                id: department.id.to_string(),
                name: department.name.clone(),
                location: department.location.clone(),
            },
            service: KioskServiceView {
                id: service.id.to_string(),
                name: service.name.clone(),
                walk_in: service.walk_in,
            },
            appointment: ticket.appointment.map(local),
            clerk: ticket.clerk_id.as_ref().and_then(|id| {
                department
                    .clerks
                    .iter()
                    .find(|c| &c.id == id)
                    .map(ClerkRef::from)
            }),
            people_ahead,
            estimated_wait_minutes: wait,
            issued_at: local(ticket.issued_at),
        }
    }
}

/// One visit on a desk group's admission list: no names, no contact details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdmissionEntry {
    pub start: DateTime<FixedOffset>,
    /// Local wall-clock time, e.g. "08:30".
    pub time: String,
    pub public_ref: String,
    pub department_id: String,
    pub desk_group: String,
    pub service_id: String,
    pub service: Text,
    /// So the clerk can prepare the document before the visit (seeds 000, 002).
    pub application_number: Option<String>,
    pub lost_document: bool,
    pub status: BookingStatus,
    /// The kiosk ticket, once the code was typed in the hall.
    pub ticket: Option<String>,
    /// Channels a provider refused for good: call the citizen instead.
    pub unreachable_by: Vec<Channel>,
    /// The named clerk the visit was booked with (seed 004).
    pub clerk: Option<ClerkRef>,
}

impl AdmissionEntry {
    pub fn of(b: &Booking, department: &Department, service: &Service) -> Self {
        let start = b.start.with_timezone(&b.time_zone);
        Self {
            start: start.fixed_offset(),
            time: start.format("%H:%M").to_string(),
            public_ref: b.public_ref.clone(),
            department_id: department.id.to_string(),
            desk_group: department.kiosk.desk_group.to_string(),
            service_id: service.id.to_string(),
            service: service.name.clone(),
            application_number: b.application_number.clone(),
            lost_document: b.lost_document,
            status: b.status,
            ticket: b.ticket.clone(),
            unreachable_by: b.undeliverable.clone(),
            clerk: b.clerk.as_ref().map(ClerkRef::from),
        }
    }
}

/// An office's admission list for a day, in start order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdmissionList {
    pub office_id: String,
    pub date: NaiveDate,
    pub desk_group: Option<String>,
    pub entries: Vec<AdmissionEntry>,
}

/// A department as the hall's screens name it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentRef {
    pub id: String,
    pub name: Text,
}

/// A ticket being served at a desk now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Serving {
    pub ticket: String,
    pub desk: String,
    pub called_at: DateTime<FixedOffset>,
}

/// A call on the board: `call` is 1 for the first call, more for recalls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardCall {
    pub ticket: String,
    pub desk: String,
    pub called_at: DateTime<FixedOffset>,
    pub call: u32,
}

/// One desk group on the public queue status (seed 004): no personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStatus {
    pub desk_group: String,
    pub departments: Vec<DepartmentRef>,
    pub waiting: u32,
    pub desks_open: Vec<String>,
    pub serving: Vec<Serving>,
    /// `null` while no desk serves the group.
    pub wait_minutes: Option<WaitRange>,
    pub service_minutes: u32,
    pub measured: bool,
}

/// An office's hall now, for the board and the "queue now" page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueStatus {
    pub office_id: String,
    pub office_name: Text,
    pub languages: Vec<Lang>,
    pub date: NaiveDate,
    pub as_of: DateTime<FixedOffset>,
    pub groups: Vec<GroupStatus>,
    /// Newest first.
    pub calls: Vec<BoardCall>,
}

/// A desk group a desk can serve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskGroupRef {
    pub desk_group: String,
    pub departments: Vec<DepartmentRef>,
}

/// The ticket called at a desk, as the clerk sees it: the matter and the
/// booking reference and application number to prepare (seeds 000, 002).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalledTicket {
    pub ticket: String,
    pub kind: TicketKind,
    pub status: TicketStatus,
    pub calls: u32,
    pub max_calls: u32,
    pub called_at: DateTime<FixedOffset>,
    pub issued_at: DateTime<FixedOffset>,
    pub appointment: Option<DateTime<FixedOffset>>,
    pub department_id: String,
    pub service_id: String,
    pub service: Text,
    pub public_ref: Option<String>,
    pub application_number: Option<String>,
    /// The named clerk the visit was booked with (seed 004).
    pub clerk: Option<ClerkRef>,
    /// Why the rule chose it, on the answer to "call next".
    pub reason: Option<&'static str>,
}

/// The last ticket a desk finished.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinishedTicket {
    pub ticket: String,
    pub status: TicketStatus,
}

/// A desk as its clerk's screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskView {
    pub office_id: String,
    pub date: NaiveDate,
    pub desk: String,
    pub open: bool,
    pub groups: Vec<String>,
    pub current: Option<CalledTicket>,
    pub finished: Option<FinishedTicket>,
    /// Tickets waiting in the desk's groups.
    pub waiting: u32,
}

/// The desks of an office's day and the groups they can serve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesksView {
    pub office_id: String,
    pub date: NaiveDate,
    pub groups: Vec<DeskGroupRef>,
    pub desks: Vec<DeskView>,
}
