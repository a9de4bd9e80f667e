//! What the use cases answer: the views of bookings, slots and catalogs that
//! the HTTP edge serialises as they are.

use crate::domain::booking::{Booking, BookingStatus, Channel};
use crate::domain::catalog::{Catalog, Department, Office, Service};
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

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView {
    #[serde(flatten)]
    pub department: Department,
    pub services: Vec<Service>,
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
            .map(|department| DepartmentView {
                services: services
                    .iter()
                    .filter(|s| s.department_id == department.id)
                    .cloned()
                    .collect(),
                department,
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
