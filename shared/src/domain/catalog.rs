//! What an administrator defines: offices, their departments and the matters
//! (services) citizens book.

use crate::domain::contact::PhoneNumber;
use crate::domain::ids::{ClerkId, DepartmentId, MatterGroupId, OfficeId, ServiceId};
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
    /// The clerks a citizen may book by name for a matter (seed 004, Mielec:
    /// "a meeting with specific clerks"); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clerks: Vec<NamedClerk>,
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

/// A clerk citizens may choose for a matter (seed 004). A clerk serves one
/// visit at a time, so a booking with a clerk also takes the clerk's
/// capacity units; on the day, a desk staffed by `staff_id` takes the
/// clerk's tickets first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedClerk {
    /// Unique within the office.
    pub id: ClerkId,
    /// The name citizens see ("Anna Nowicka") — nothing more about the person.
    pub name: String,
    /// The matters of the clerk's department the clerk handles.
    pub services: Vec<ServiceId>,
    /// The staff account (the staff token's subject) that works as this
    /// clerk at a desk; without one, no desk is the clerk's and any desk
    /// calls the clerk's tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
}

/// The longest clerk name and staff account id.
pub const MAX_CLERK_NAME: usize = 80;
pub const MAX_STAFF_ID: usize = 128;

impl NamedClerk {
    /// Whether the clerk handles `service`.
    pub fn handles(&self, service: &ServiceId) -> bool {
        self.services.contains(service)
    }
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
    #[error("clerk {0}: a name is 1 to 80 characters, without control characters")]
    ClerkName(ClerkId),
    #[error("clerk {0}: a staff account is 1 to 128 visible characters")]
    ClerkStaffId(ClerkId),
    #[error("clerk {0}: names no matter, or names {1} twice or outside the clerk's department")]
    ClerkService(ClerkId, String),
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

    /// The named clerk `id` of the department that handles `service`, with
    /// `Err(true)` when the office has no such clerk and `Err(false)` when
    /// the clerk does not handle that matter.
    pub fn clerk_for<'c>(
        &'c self,
        department: &'c Department,
        service: &ServiceId,
        id: &ClerkId,
    ) -> Result<&'c NamedClerk, ClerkRefusal> {
        match department.clerks.iter().find(|c| &c.id == id) {
            Some(clerk) if clerk.handles(service) => Ok(clerk),
            Some(_) => Err(ClerkRefusal::NotForThisMatter),
            None if self.clerks().any(|c| &c.id == id) => Err(ClerkRefusal::NotForThisMatter),
            None => Err(ClerkRefusal::Unknown),
        }
    }

    /// Every named clerk of the office.
    pub fn clerks(&self) -> impl Iterator<Item = &NamedClerk> {
        self.departments.iter().flat_map(|d| &d.clerks)
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
        let clerks = self.clerks().map(|c| format!("clerk {}", c.id));
        for id in departments.chain(services).chain(clerks) {
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
        for d in &self.departments {
            for clerk in &d.clerks {
                self.validate_clerk(d, clerk)?;
            }
        }
        Ok(())
    }

    fn validate_clerk(
        &self,
        department: &Department,
        clerk: &NamedClerk,
    ) -> Result<(), CatalogError> {
        let name = clerk.name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_CLERK_NAME
            || name.chars().any(char::is_control)
        {
            return Err(CatalogError::ClerkName(clerk.id.clone()));
        }
        if let Some(staff) = &clerk.staff_id
            && (staff.is_empty()
                || staff.len() > MAX_STAFF_ID
                || !staff.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(CatalogError::ClerkStaffId(clerk.id.clone()));
        }
        if clerk.services.is_empty() {
            return Err(CatalogError::ClerkService(clerk.id.clone(), "none".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for service in &clerk.services {
            let ours = self
                .services
                .iter()
                .any(|s| &s.id == service && s.department_id == department.id);
            if !ours || !seen.insert(service) {
                return Err(CatalogError::ClerkService(
                    clerk.id.clone(),
                    service.to_string(),
                ));
            }
        }
        Ok(())
    }
}

/// Why a clerk named in a request cannot take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClerkRefusal {
    /// The office has no clerk with that id.
    Unknown,
    /// The clerk does not handle the matter (or works in another department).
    NotForThisMatter,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schedule::tests::{department, office, service};

    fn clerk(id: &str, name: &str, services: &[&str]) -> NamedClerk {
        NamedClerk {
            id: ClerkId::parse(id).unwrap(),
            name: name.into(),
            services: services
                .iter()
                .map(|s| ServiceId::parse(s).unwrap())
                .collect(),
            staff_id: Some("clerk.olsztyn".into()),
        }
    }

    /// One department with one matter ("id-card") and the given clerks.
    fn with_clerks(clerks: Vec<NamedClerk>) -> Catalog {
        Catalog {
            office: office(),
            departments: vec![Department {
                clerks,
                ..department()
            }],
            services: vec![service(15)],
        }
    }

    #[test]
    fn a_department_without_clerks_reads_and_writes_as_before() {
        let d = department();
        let json = serde_json::to_value(&d).unwrap();
        assert!(json.get("clerks").is_none(), "no empty list is written");
        let read: Department = serde_json::from_value(json).unwrap();
        assert!(read.clerks.is_empty());
    }

    #[test]
    fn named_clerks_with_a_name_and_their_departments_matters_are_accepted() {
        let catalog = with_clerks(vec![
            clerk("anna-nowicka", "Anna Nowicka", &["id-card"]),
            NamedClerk {
                staff_id: None,
                ..clerk("piotr-zielinski", "Piotr Zieliński", &["id-card"])
            },
        ]);
        assert_eq!(catalog.validate(), Ok(()));
    }

    #[test]
    fn a_clerk_with_an_unknown_matter_a_twice_given_id_or_no_name_is_refused() {
        let id = |raw: &str| ClerkId::parse(raw).unwrap();
        let cases = [
            (
                vec![clerk("a", "Anna", &["passport"])],
                CatalogError::ClerkService(id("a"), "passport".into()),
            ),
            (
                vec![clerk("a", "Anna", &[])],
                CatalogError::ClerkService(id("a"), "none".into()),
            ),
            (
                vec![clerk("a", "Anna", &["id-card", "id-card"])],
                CatalogError::ClerkService(id("a"), "id-card".into()),
            ),
            (
                vec![
                    clerk("a", "Anna", &["id-card"]),
                    clerk("a", "Ann", &["id-card"]),
                ],
                CatalogError::Duplicate("clerk a".into()),
            ),
            (
                vec![clerk("a", "  ", &["id-card"])],
                CatalogError::ClerkName(id("a")),
            ),
            (
                vec![clerk("a", &"x".repeat(81), &["id-card"])],
                CatalogError::ClerkName(id("a")),
            ),
            (
                vec![clerk("a", "An\nna", &["id-card"])],
                CatalogError::ClerkName(id("a")),
            ),
            (
                vec![NamedClerk {
                    staff_id: Some("clerk olsztyn".into()),
                    ..clerk("a", "Anna", &["id-card"])
                }],
                CatalogError::ClerkStaffId(id("a")),
            ),
        ];
        for (clerks, expected) in cases {
            assert_eq!(
                with_clerks(clerks.clone()).validate(),
                Err(expected),
                "{clerks:?}"
            );
        }
    }

    #[test]
    fn a_clerk_handles_a_matter_only_of_their_own_department() {
        let mut catalog = with_clerks(vec![clerk("anna", "Anna", &["id-card"])]);
        catalog.departments.push(Department {
            id: DepartmentId::parse("vehicles").unwrap(),
            clerks: vec![],
            ..department()
        });
        catalog.services.push(Service {
            id: ServiceId::parse("registration").unwrap(),
            department_id: DepartmentId::parse("vehicles").unwrap(),
            ..service(15)
        });
        assert_eq!(
            catalog.validate(),
            Ok(()),
            "another department's matter is not the clerk's"
        );
        catalog.departments[0].clerks[0]
            .services
            .push(ServiceId::parse("registration").unwrap());
        assert!(matches!(
            catalog.validate(),
            Err(CatalogError::ClerkService(..))
        ));
        catalog.departments[0].clerks[0].services.pop();

        let (ids, vehicles) = (&catalog.departments[0], &catalog.departments[1]);
        let id_card = ServiceId::parse("id-card").unwrap();
        let registration = ServiceId::parse("registration").unwrap();
        let anna = ClerkId::parse("anna").unwrap();
        assert_eq!(
            catalog
                .clerk_for(ids, &id_card, &anna)
                .map(|c| c.name.as_str()),
            Ok("Anna")
        );
        assert_eq!(
            catalog.clerk_for(vehicles, &registration, &anna),
            Err(ClerkRefusal::NotForThisMatter)
        );
        assert_eq!(
            catalog.clerk_for(ids, &id_card, &ClerkId::parse("nobody").unwrap()),
            Err(ClerkRefusal::Unknown)
        );
    }
}
