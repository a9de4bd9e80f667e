//! What an administrator defines: offices, their departments and the matters
//! (services) citizens book.

use crate::domain::contact::PhoneNumber;
use crate::domain::ids::{DepartmentId, MatterGroupId, OfficeId, ServiceId};
use crate::domain::kiosk::{DeskGroup, KioskWindow, NoShowRule};
use crate::domain::limits::Limits;
use crate::domain::national_id::NationalIdKind;
use crate::domain::queue::CallRule;
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The languages of the citizen page and of every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Pl,
    Cs,
    En,
    Uk,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Pl, Lang::Cs, Lang::En, Lang::Uk];
}

/// Text in several languages; falls back to English, then to any language given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<Lang, String>);

impl Text {
    /// No text in any language. Empty texts are not stored: DynamoDB Local's
    /// stream renders an empty map without its type, which no SDK can read.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.get(&Lang::En))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Country of an office: decides public holidays, the default phone prefix,
/// the national ID asked for and the default language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Country {
    Pl,
    Cz,
}

impl Country {
    pub fn language(self) -> Lang {
        match self {
            Country::Pl => Lang::Pl,
            Country::Cz => Lang::Cs,
        }
    }
}

/// One building with its kiosks, in one time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Office {
    pub id: OfficeId,
    pub name: Text,
    pub address: String,
    pub country: Country,
    /// IANA zone, e.g. `Europe/Warsaw`; every slot time is local to it.
    pub time_zone: Tz,
    pub national_id: NationalIdKind,
    /// How many open bookings one person may hold for one matter here.
    #[serde(default)]
    pub person_rule: PersonRule,
    /// The country calling codes SMS go to (no SMS pumping to premium
    /// numbers abroad); by default Poland, Czechia and Ukraine.
    #[serde(default = "default_sms_countries")]
    pub sms_countries: Vec<String>,
    /// Rate limits on requests anyone can send (see [`Limits`] for the defaults).
    #[serde(default)]
    pub limits: Limits,
}

/// Poland, Czechia, Ukraine.
pub fn default_sms_countries() -> Vec<String> {
    ["48", "420", "380"].map(String::from).to_vec()
}

impl Office {
    /// Whether SMS may go to `number` (E.164) from this office.
    pub fn texts_to(&self, number: &PhoneNumber) -> bool {
        let digits = number.as_str().trim_start_matches('+');
        self.sms_countries
            .iter()
            .any(|code| !code.is_empty() && digits.starts_with(code.as_str()))
    }
}

/// How many open bookings one person may hold for one matter at an office.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRule {
    /// One, whatever the day (so nobody holds a matter on every day of the horizon).
    #[default]
    OnePerMatter,
    /// One per day (an office where one person may come on several days).
    OnePerMatterAndDay,
}

/// An opening range within one day, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningRange {
    #[serde(with = "hhmm")]
    pub from: NaiveTime,
    #[serde(with = "hhmm")]
    pub to: NaiveTime,
}

/// Opening hours per weekday; a day may have several ranges (a lunch break).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeeklyHours {
    pub mon: Vec<OpeningRange>,
    pub tue: Vec<OpeningRange>,
    pub wed: Vec<OpeningRange>,
    pub thu: Vec<OpeningRange>,
    pub fri: Vec<OpeningRange>,
    pub sat: Vec<OpeningRange>,
    pub sun: Vec<OpeningRange>,
}

impl WeeklyHours {
    pub fn on(&self, day: Weekday) -> &[OpeningRange] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    fn days(&self) -> [&[OpeningRange]; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }

    fn all(&self) -> impl Iterator<Item = &OpeningRange> {
        self.days().into_iter().flatten()
    }
}

/// A department: its own hours, desks and online capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: DepartmentId,
    pub office_id: OfficeId,
    pub name: Text,
    /// Room, floor or building part, shown to the citizen.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub location: Text,
    /// First day the department takes bookings (departments open on their own dates).
    #[serde(default)]
    pub opens_on: Option<NaiveDate>,
    pub hours: WeeklyHours,
    /// Extra closure days; the country's public holidays are closed without listing.
    #[serde(default)]
    pub closed_on: Vec<NaiveDate>,
    /// How many days ahead one may book (5, 21, 30 …); today counts as day 0.
    pub horizon_days: u32,
    /// Minimum time between booking and the visit.
    pub min_notice_minutes: u32,
    /// The notice for walk-up bookings, made at the office door from the QR
    /// sticker (seed 003); shorter than `min_notice_minutes`. `None`: the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walk_up_notice_minutes: Option<u32>,
    /// Desks offered to online bookings in each capacity unit.
    pub desks_online: u32,
    /// Length of one capacity unit; every visit length is a multiple of it.
    pub slot_minutes: u32,
    /// Online bookings allowed per ISO week across the department's services.
    #[serde(default)]
    pub weekly_online_cap: Option<u32>,
    /// The day of the visit: the kiosk window, the desk group, walk-in tickets.
    #[serde(default)]
    pub kiosk: KioskSettings,
    /// The emergency switch (seed 002: restrictions in an epidemic): while
    /// set, the department's walk-in matters are registered by phone instead
    /// — the kiosk issues no walk-in ticket and shows this text (the number
    /// to call); booked visits go on as booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_registration: Option<Text>,
    /// The groups its matters are listed in (seed 003), in the order shown;
    /// none: the matters are listed as one list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<MatterGroup>,
}

/// A group of a department's matters, as the citizen chooses it before the
/// matter ("Dowody osobiste", "Rejestracja pojazdów").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterGroup {
    pub id: MatterGroupId,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
}

/// How a department meets its visitors in the hall (seeds 000, 004).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskSettings {
    /// When a booking's code is accepted (default 30 minutes before to 10 after the start).
    #[serde(default)]
    pub window: KioskWindow,
    /// The letters on the department's tickets.
    #[serde(default)]
    pub desk_group: DeskGroup,
    /// Walk-in tickets per day, beside the online bookings; `None`: no limit.
    #[serde(default)]
    pub walk_in_daily_cap: Option<u32>,
    /// When missed visits block online booking.
    #[serde(default)]
    pub no_show_rule: NoShowRule,
    /// How the desks call the department's tickets.
    #[serde(default)]
    pub call_rule: CallRule,
    /// People checked in and not yet served the waiting room holds (seed 003:
    /// one per 15 m²); when reached, walk-ins are refused. `None`: no limit.
    #[serde(default)]
    pub waiting_room_limit: Option<u32>,
}

/// A downloadable form or template for a matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLink {
    pub title: Text,
    pub url: String,
}

/// A matter a citizen comes for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub office_id: OfficeId,
    pub department_id: DepartmentId,
    /// The department's group it is listed in; none: listed after the groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<MatterGroupId>,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub description: Text,
    #[serde(default)]
    pub required_documents: Vec<Text>,
    #[serde(default)]
    pub document_templates: Vec<DocumentLink>,
    pub visit_minutes: u32,
    /// Matters without booking say where to go instead (room, phone).
    pub bookable: bool,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub where_to_go: Text,
    /// Collecting a finished ID card needs its application number.
    #[serde(default)]
    pub requires_application_number: bool,
    /// An ID card application may report a lost document.
    #[serde(default)]
    pub allows_lost_document_report: bool,
    /// The hall's kiosk issues tickets without a booking for it (default: yes).
    #[serde(default = "yes")]
    pub walk_in: bool,
}

fn yes() -> bool {
    true
}

/// Everything an office offers, read in one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub office: Office,
    pub departments: Vec<Department>,
    pub services: Vec<Service>,
}

/// An administrator's definition breaks a rule the slot arithmetic relies on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("department {0}: slot_minutes must be 5 to 240 and divide a day")]
    SlotLength(DepartmentId),
    #[error(
        "department {0}: an opening range must end after it starts, and a day's ranges must come in order without overlapping"
    )]
    Range(DepartmentId),
    #[error(
        "service {0}: visit_minutes must be a positive multiple of its department's slot_minutes"
    )]
    VisitLength(ServiceId),
    #[error("service {0}: unknown department")]
    UnknownDepartment(ServiceId),
    #[error("service {0}: its group is not one of its department's groups")]
    UnknownGroup(ServiceId),
    #[error("department {0}: a group needs a name")]
    GroupName(DepartmentId),
    #[error("limit {0}: max must be at least 1 and window_minutes 1 to 10080")]
    Limit(&'static str),
    #[error("department {0}: horizon_days must be 0 to 366")]
    Horizon(DepartmentId),
    #[error("{0} is given twice")]
    Duplicate(String),
}

impl Department {
    /// The department as a booking sees it: as it is, or for a walk-up
    /// booking with its walk-up notice in place of the usual one (never
    /// longer than the usual one).
    pub fn for_booking(&self, walk_up: bool) -> Cow<'_, Department> {
        match self.walk_up_notice_minutes {
            Some(notice) if walk_up && notice < self.min_notice_minutes => Cow::Owned(Department {
                min_notice_minutes: notice,
                ..self.clone()
            }),
            _ => Cow::Borrowed(self),
        }
    }
}

impl Catalog {
    /// The farthest any department books ahead, in days (0 without departments).
    pub fn max_horizon_days(&self) -> u32 {
        self.departments
            .iter()
            .map(|d| d.horizon_days)
            .max()
            .unwrap_or(0)
    }

    /// The service and its department, if both exist in this office.
    pub fn service(&self, id: &ServiceId) -> Option<(&Department, &Service)> {
        let service = self.services.iter().find(|s| &s.id == id)?;
        let department = self
            .departments
            .iter()
            .find(|d| d.id == service.department_id)?;
        Some((department, service))
    }

    /// Checks the rules slot generation depends on; the admin tools call this before saving.
    pub fn validate(&self) -> Result<(), CatalogError> {
        if let Some((name, _)) = self
            .office
            .limits
            .all()
            .into_iter()
            .find(|(_, l)| !l.is_valid())
        {
            return Err(CatalogError::Limit(name));
        }
        let mut ids = std::collections::HashSet::new();
        let departments = self
            .departments
            .iter()
            .map(|d| format!("department {}", d.id));
        let services = self.services.iter().map(|s| format!("service {}", s.id));
        for id in departments.chain(services) {
            if !ids.insert(id.clone()) {
                return Err(CatalogError::Duplicate(id));
            }
        }
        for d in &self.departments {
            let mut groups = std::collections::HashSet::new();
            for g in &d.groups {
                if !groups.insert(&g.id) {
                    return Err(CatalogError::Duplicate(format!(
                        "group {} of department {}",
                        g.id, d.id
                    )));
                }
                if g.name.0.values().all(|name| name.trim().is_empty()) {
                    return Err(CatalogError::GroupName(d.id.clone()));
                }
            }
            if d.horizon_days > 366 {
                return Err(CatalogError::Horizon(d.id.clone()));
            }
            if !(5..=240).contains(&d.slot_minutes) || 1440 % d.slot_minutes != 0 {
                return Err(CatalogError::SlotLength(d.id.clone()));
            }
            // Ranges in order and apart, or a day's slots would overlap (and come unsorted).
            let overlapping = d
                .hours
                .days()
                .iter()
                .any(|day| day.windows(2).any(|w| w[1].from < w[0].to));
            if overlapping || d.hours.all().any(|r| r.to <= r.from) {
                return Err(CatalogError::Range(d.id.clone()));
            }
        }
        for s in &self.services {
            let d = self
                .departments
                .iter()
                .find(|d| d.id == s.department_id)
                .ok_or_else(|| CatalogError::UnknownDepartment(s.id.clone()))?;
            if let Some(group) = &s.group_id
                && !d.groups.iter().any(|g| &g.id == group)
            {
                return Err(CatalogError::UnknownGroup(s.id.clone()));
            }
            if s.bookable && (s.visit_minutes == 0 || s.visit_minutes % d.slot_minutes != 0) {
                return Err(CatalogError::VisitLength(s.id.clone()));
            }
        }
        Ok(())
    }
}

/// `NaiveTime` as "HH:MM".
mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        NaiveTime::parse_from_str(&raw, "%H:%M").map_err(serde::de::Error::custom)
    }
}
