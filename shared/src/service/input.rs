//! What the use cases take: request bodies as plain data, and their
//! conversion into domain types (here and nowhere else; every field problem is
//! reported at once).

use crate::domain::booking::{Applicant, Channel};
use crate::domain::catalog::{
    Catalog, ClerkRefusal, Department, Lang, NamedClerk, Office, Service,
};
use crate::domain::codes::{KioskCode, ShortCode, Token};
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::{ClerkId, OfficeId, ServiceId};
use crate::domain::kiosk::{DeskGroup, DeskId};
use crate::domain::national_id::{NationalId, NationalIdError};
use crate::service::error::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

/// An `Idempotency-Key` header: 1 to 255 visible ASCII characters.
#[derive(Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 255;

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let key = raw.trim();
        if key.is_empty()
            || key.len() > MAX_IDEMPOTENCY_KEY
            || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(FieldError::new(
                "Idempotency-Key",
                "invalid",
                "1 to 255 visible ASCII characters",
            ));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdempotencyKey(<redacted>)")
    }
}

/// An `Idempotency-Key` and the exact body it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: IdempotencyKey,
    pub body: Vec<u8>,
}

/// `POST /bookings`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    pub office_id: String,
    pub service_id: String,
    /// RFC 3339 with offset, as listed by the slots endpoint.
    pub start: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(alias = "pesel")]
    pub national_id: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub confirm_by: Option<Channel>,
    #[serde(default)]
    pub language: Option<Lang>,
    #[serde(default)]
    pub application_number: Option<String>,
    #[serde(default)]
    pub lost_document: bool,
    #[serde(default)]
    pub accept_terms: bool,
    #[serde(default)]
    pub consent_data_processing: bool,
    /// Booked at the office door from the QR sticker: the walk-up notice applies.
    #[serde(default)]
    pub walk_up: bool,
    /// A named clerk of the matter (seed 004); none or blank: any clerk.
    #[serde(default)]
    pub clerk_id: Option<String>,
}

/// A booking request with every field in domain form.
#[derive(Debug, Clone)]
pub struct BookingInput {
    pub start: DateTime<Utc>,
    pub national_id: NationalId,
    pub applicant: Applicant,
    /// A named clerk of the department who handles the matter.
    pub clerk: Option<ClerkId>,
}

impl BookingInput {
    /// The named clerk chosen, as `department` lists them (validation made
    /// sure the department has them).
    pub fn named_clerk<'d>(&self, department: &'d Department) -> Option<&'d NamedClerk> {
        let id = self.clerk.as_ref()?;
        department.clerks.iter().find(|c| &c.id == id)
    }
}

/// A named clerk given in a request (`field`: `clerk_id` in a body, `clerk`
/// in a query): none when absent or blank, else a clerk of `department`
/// who handles `service`.
pub fn parse_clerk(
    field: &'static str,
    catalog: &Catalog,
    department: &Department,
    service: &Service,
    raw: Option<&str>,
) -> Result<Option<ClerkId>, FieldError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let unknown = || FieldError::new(field, "unknown", "this office has no such clerk to book");
    let id = ClerkId::parse(raw).map_err(|_| unknown())?;
    match catalog.clerk_for(department, &service.id, &id) {
        Ok(clerk) => Ok(Some(clerk.id.clone())),
        Err(ClerkRefusal::Unknown) => Err(unknown()),
        Err(ClerkRefusal::NotForThisMatter) => Err(FieldError::new(
            field,
            "not_for_this_matter",
            "this clerk does not handle this matter",
        )),
    }
}

/// The ids of a request, before the catalog is read.
pub fn parse_office_and_service(
    office: &str,
    service: &str,
) -> Result<(OfficeId, ServiceId), Vec<FieldError>> {
    let office = OfficeId::parse(office).map_err(|e| FieldError::new("office_id", "invalid", e));
    let service =
        ServiceId::parse(service).map_err(|e| FieldError::new("service_id", "invalid", e));
    match (office, service) {
        (Ok(o), Ok(s)) => Ok((o, s)),
        (o, s) => Err([o.err(), s.err()].into_iter().flatten().collect()),
    }
}

fn national_id_error(e: NationalIdError) -> FieldError {
    let code = match e {
        NationalIdError::Format => "invalid_format",
        NationalIdError::Checksum => "invalid_checksum",
        NationalIdError::BirthDate => "invalid_birth_date",
    };
    FieldError::new("national_id", code, e)
}

/// Parses a national ID of the office's kind, born no later than `today`.
pub fn parse_national_id(
    office: &Office,
    raw: &str,
    today: NaiveDate,
) -> Result<NationalId, FieldError> {
    let id = office.national_id.parse(raw).map_err(national_id_error)?;
    if id.birth_date() > today {
        return Err(national_id_error(NationalIdError::BirthDate));
    }
    Ok(id)
}

fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// `POST /staff/offices/{office_id}/bookings`: a clerk books for a caller
/// (seeds 002, 003). As a citizen's request, but the email address is
/// optional, there is no SMS confirmation, and the caller agrees on the phone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerBookRequest {
    pub service_id: String,
    /// RFC 3339 with offset, as listed by the slots endpoint.
    pub start: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(alias = "pesel")]
    pub national_id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub language: Option<Lang>,
    #[serde(default)]
    pub application_number: Option<String>,
    #[serde(default)]
    pub lost_document: bool,
    /// A named clerk of the matter (seed 004); none or blank: any clerk.
    #[serde(default)]
    pub clerk_id: Option<String>,
}

impl CallerBookRequest {
    /// Checks every field as a citizen's are checked.
    pub fn validate(
        &self,
        catalog: &Catalog,
        department: &Department,
        service: &Service,
        today: NaiveDate,
    ) -> Result<BookingInput, Vec<FieldError>> {
        let as_request = BookRequest {
            office_id: catalog.office.id.to_string(),
            service_id: self.service_id.clone(),
            start: self.start.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone().unwrap_or_default(),
            national_id: self.national_id.clone(),
            phone: self.phone.clone(),
            confirm_by: None,
            language: self.language,
            application_number: self.application_number.clone(),
            lost_document: self.lost_document,
            accept_terms: false,
            consent_data_processing: false,
            walk_up: false,
            clerk_id: self.clerk_id.clone(),
        };
        as_request.validate_as(catalog, department, service, today, Who::Clerk)
    }
}

/// Who fills in a booking request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Online: an email address, the terms and the consent are required.
    Citizen,
    /// A clerk for a caller: the address is optional, and the caller agrees on the phone.
    Clerk,
}

impl BookRequest {
    /// Checks every field against the office, department and service; the
    /// slot itself is checked by the schedule rules afterwards.
    pub fn validate(
        &self,
        catalog: &Catalog,
        department: &Department,
        service: &Service,
        today: NaiveDate,
    ) -> Result<BookingInput, Vec<FieldError>> {
        self.validate_as(catalog, department, service, today, Who::Citizen)
    }

    fn validate_as(
        &self,
        catalog: &Catalog,
        department: &Department,
        service: &Service,
        today: NaiveDate,
        who: Who,
    ) -> Result<BookingInput, Vec<FieldError>> {
        let office = &catalog.office;
        let mut errors = Vec::new();

        let start = keep(
            &mut errors,
            DateTime::parse_from_rfc3339(self.start.trim())
                .map(|t| t.to_utc())
                .map_err(|e| {
                    FieldError::new("start", "invalid", format!("not an RFC 3339 time: {e}"))
                }),
        );
        let first_name = keep(
            &mut errors,
            PersonName::parse(&self.first_name)
                .map_err(|e| FieldError::new("first_name", "invalid", e)),
        );
        let last_name = keep(
            &mut errors,
            PersonName::parse(&self.last_name)
                .map_err(|e| FieldError::new("last_name", "invalid", e)),
        );
        let email = if who == Who::Clerk && self.email.trim().is_empty() {
            Some(None)
        } else {
            keep(
                &mut errors,
                Email::parse(&self.email)
                    .map(Some)
                    .map_err(|e| FieldError::new("email", "invalid", e)),
            )
        };
        let national_id = keep(
            &mut errors,
            parse_national_id(office, &self.national_id, today),
        );
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => Some(None),
            Some(raw) => keep(
                &mut errors,
                PhoneNumber::parse(raw, office.country)
                    .map(Some)
                    .map_err(|e| FieldError::new("phone", "invalid", e)),
            ),
        };
        let channel = self.confirm_by.unwrap_or(Channel::Email);
        if channel == Channel::Sms
            && let Some(Some(number)) = &phone
            && !office.texts_to(number)
        {
            let codes: Vec<String> = office
                .sms_countries
                .iter()
                .map(|c| format!("+{c}"))
                .collect();
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "phone",
                    "country_not_served",
                    format!(
                        "this office sends SMS only to numbers starting {}; confirm by email instead",
                        codes.join(", ")
                    ),
                )),
            );
        }
        if channel == Channel::Sms && matches!(phone, Some(None)) {
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "phone",
                    "required",
                    "a phone number is needed to confirm by SMS",
                )),
            );
        }
        let application_number = match (
            service.requires_application_number,
            self.application_number.as_deref().map(str::trim),
        ) {
            (true, Some(n))
                if (4..=40).contains(&n.len())
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-') =>
            {
                Some(Some(n.to_owned()))
            }
            (true, _) => keep(
                &mut errors,
                Err(FieldError::new(
                    "application_number",
                    "required",
                    "this matter needs the application number (4–40 letters, digits, '/' or '-')",
                )),
            ),
            (false, Some(n)) if !n.is_empty() => keep(
                &mut errors,
                Err(FieldError::new(
                    "application_number",
                    "not_applicable",
                    "this matter takes no application number",
                )),
            ),
            (false, _) => Some(None),
        };
        if self.lost_document && !service.allows_lost_document_report {
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "lost_document",
                    "not_applicable",
                    "this matter takes no lost-document report",
                )),
            );
        }
        if who == Who::Citizen && !self.accept_terms {
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "accept_terms",
                    "required",
                    "the terms must be accepted",
                )),
            );
        }
        if who == Who::Citizen && !self.consent_data_processing {
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "consent_data_processing",
                    "required",
                    "consent to data processing is required",
                )),
            );
        }

        let clerk = keep(
            &mut errors,
            parse_clerk(
                "clerk_id",
                catalog,
                department,
                service,
                self.clerk_id.as_deref(),
            ),
        );

        match (
            start,
            first_name,
            last_name,
            email,
            national_id,
            phone,
            application_number,
            clerk,
        ) {
            (
                Some(start),
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(national_id),
                Some(phone),
                Some(application_number),
                Some(clerk),
            ) if errors.is_empty() => Ok(BookingInput {
                start,
                national_id,
                clerk,
                applicant: Applicant {
                    first_name,
                    last_name,
                    email,
                    phone,
                    channel,
                    language: self.language.unwrap_or(office.country.language()),
                    application_number,
                    lost_document: self.lost_document,
                },
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /bookings/{booking_id}/confirm`: the token from the link, or the code from the SMS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

/// A confirmation proof in domain form.
#[derive(Debug, Clone)]
pub enum ProofInput {
    Token(Token),
    Code(ShortCode),
}

impl ConfirmRequest {
    pub fn validate(&self) -> Result<ProofInput, Vec<FieldError>> {
        match (&self.token, &self.code) {
            (Some(t), None) => Token::parse(t)
                .map(ProofInput::Token)
                .map_err(|e| vec![FieldError::new("token", "invalid", e)]),
            (None, Some(c)) => ShortCode::parse(c)
                .map(ProofInput::Code)
                .map_err(|e| vec![FieldError::new("code", "invalid", e)]),
            _ => Err(vec![FieldError::new(
                "token",
                "required",
                "give exactly one of token or code",
            )]),
        }
    }
}

/// `POST /bookings/{booking_id}/cancel`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub token: String,
}

impl CancelRequest {
    pub fn validate(&self) -> Result<Token, Vec<FieldError>> {
        Token::parse(&self.token).map_err(|e| vec![FieldError::new("token", "invalid", e)])
    }
}

/// The optional day range of a slot listing (`from`, `to`: `YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Listed for a walk-up booking (the department's walk-up notice applies).
    pub walk_up: bool,
    /// Only the slots where this named clerk is free (`clerk`, as given:
    /// checked against the catalog by [`parse_clerk`]).
    pub clerk: Option<String>,
}

impl SlotQuery {
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        walk_up: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let walk_up = match walk_up {
            None | Some("false" | "0") => false,
            Some("true" | "1") => true,
            Some(_) => {
                return Err(vec![FieldError::new("walk_up", "invalid", "true or false")]);
            }
        };
        let from = from.map(|raw| parse_date("from", raw)).transpose();
        let to = to.map(|raw| parse_date("to", raw)).transpose();
        match (from, to) {
            (Ok(Some(f)), Ok(Some(t))) if f > t => Err(vec![FieldError::new(
                "to",
                "invalid",
                "must not be before from",
            )]),
            (Ok(from), Ok(to)) => Ok(Self {
                from,
                to,
                walk_up,
                clerk: None,
            }),
            (f, t) => Err([f.err(), t.err()].into_iter().flatten().collect()),
        }
    }

    /// The listing for one named clerk (the `clerk` parameter), if given.
    pub fn for_clerk(self, clerk: Option<&str>) -> Self {
        Self {
            clerk: clerk.map(str::to_owned),
            ..self
        }
    }
}

/// `POST /bookings/cancel`: cancellation by national ID, matter and day (seed 001).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelByPersonRequest {
    pub office_id: String,
    pub service_id: String,
    pub date: String,
    #[serde(alias = "pesel")]
    pub national_id: String,
}

/// `POST /staff/blocks/lift`: a clerk lifts a person's no-show block at an office.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiftBlockRequest {
    pub office_id: String,
    #[serde(alias = "pesel")]
    pub national_id: String,
}

/// A day given as `YYYY-MM-DD` (RFC 3339's full-date) in a query or body.
/// chrono's `%Y` alone would also take `+10000-01-01` or `1-01-01`, and an
/// answer that echoes the day would then break the document's `format: date`.
pub fn parse_date(field: &'static str, raw: &str) -> Result<NaiveDate, FieldError> {
    let raw = raw.trim();
    let full_date = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    full_date
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| FieldError::new(field, "invalid", "a date as YYYY-MM-DD"))
}

/// The desk groups a clerk opens a desk for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDeskRequest {
    pub groups: Vec<String>,
}

impl OpenDeskRequest {
    /// Between one and eight desk groups, each named once.
    pub fn validate(&self) -> Result<Vec<DeskGroup>, FieldError> {
        let invalid = |why: &str| FieldError::new("groups", "invalid", why);
        if self.groups.is_empty() || self.groups.len() > 8 {
            return Err(invalid("one to eight desk groups"));
        }
        let mut groups = Vec::with_capacity(self.groups.len());
        for raw in &self.groups {
            let group = DeskGroup::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
            if groups.contains(&group) {
                return Err(invalid("each desk group once"));
            }
            groups.push(group);
        }
        Ok(groups)
    }
}

/// A desk named in a route.
pub fn parse_desk(raw: &str) -> Result<DeskId, FieldError> {
    DeskId::parse(raw).map_err(|e| FieldError::new("desk", "invalid", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_desk_opens_for_one_to_eight_distinct_desk_groups() {
        let open = |groups: &[&str]| {
            OpenDeskRequest {
                groups: groups.iter().map(|g| g.to_string()).collect(),
            }
            .validate()
        };
        assert_eq!(
            open(&["A", " PJ "]).unwrap(),
            [
                DeskGroup::parse("A").unwrap(),
                DeskGroup::parse("PJ").unwrap()
            ]
        );
        for bad in [&[][..], &["A", "A"], &["a"], &["RA"], &["A"; 9]] {
            assert_eq!(open(bad).unwrap_err().field, "groups", "{bad:?}");
        }
        assert_eq!(parse_desk("3a").unwrap().as_str(), "3A");
        for bad in ["", "desk 1", "123456789", "1/2"] {
            assert_eq!(parse_desk(bad).unwrap_err().field, "desk", "{bad:?}");
        }
    }

    #[test]
    fn a_named_clerk_is_one_of_the_departments_who_handles_the_matter_or_a_422_on_the_field() {
        use crate::domain::catalog::{Catalog, Department, NamedClerk};
        use crate::domain::schedule::tests::{department, office, service};
        let matter = service(15);
        let catalog = Catalog {
            office: office(),
            departments: vec![Department {
                clerks: vec![NamedClerk {
                    id: ClerkId::parse("anna").unwrap(),
                    name: "Anna".into(),
                    services: vec![matter.id.clone()],
                    staff_id: None,
                }],
                ..department()
            }],
            services: vec![matter.clone()],
        };
        let d = &catalog.departments[0];
        let parse = |raw: Option<&str>| parse_clerk("clerk_id", &catalog, d, &matter, raw);
        assert_eq!(
            parse(Some(" anna ")),
            Ok(Some(ClerkId::parse("anna").unwrap()))
        );
        assert_eq!(parse(None), Ok(None));
        assert_eq!(parse(Some("  ")), Ok(None), "blank: any clerk");
        for (raw, code) in [
            ("nobody", "unknown"),
            ("Anna!", "unknown"),
            (&"a".repeat(49)[..], "unknown"),
        ] {
            let e = parse(Some(raw)).unwrap_err();
            assert_eq!((e.field, e.code), ("clerk_id", code), "{raw}");
        }
        let other = Service {
            id: ServiceId::parse("passport").unwrap(),
            ..matter.clone()
        };
        let e = parse_clerk("clerk", &catalog, d, &other, Some("anna")).unwrap_err();
        assert_eq!((e.field, e.code), ("clerk", "not_for_this_matter"));
    }

    #[test]
    fn an_idempotency_key_is_one_to_255_visible_ascii_characters() {
        assert_eq!(IdempotencyKey::parse(" abc-1 ").unwrap().as_str(), "abc-1");
        for bad in ["", "   ", "a b", "zażółć", &"k".repeat(256)] {
            let err = IdempotencyKey::parse(bad).unwrap_err();
            assert_eq!(err.field, "Idempotency-Key", "{bad:?}");
        }
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        assert!(!format!("{:?}", IdempotencyKey::parse("secret").unwrap()).contains("secret"));
    }

    #[test]
    fn a_slot_query_refuses_bad_dates_and_a_range_that_ends_before_it_starts() {
        assert_eq!(
            SlotQuery::parse(None, None, None).unwrap(),
            SlotQuery::default()
        );
        let q = SlotQuery::parse(Some("2026-11-24"), Some("2026-11-24"), None).unwrap();
        assert_eq!(q.from, q.to);
        let fields = |r: Result<SlotQuery, Vec<FieldError>>| {
            r.unwrap_err().iter().map(|f| f.field).collect::<Vec<_>>()
        };
        assert_eq!(
            fields(SlotQuery::parse(Some("x"), Some("y"), None)),
            ["from", "to"]
        );
        assert_eq!(
            fields(SlotQuery::parse(
                Some("2026-11-25"),
                Some("2026-11-24"),
                None
            )),
            ["to"]
        );
    }

    #[test]
    fn a_slot_query_is_for_a_walk_up_booking_only_when_it_says_so() {
        assert!(SlotQuery::parse(None, None, Some("true")).unwrap().walk_up);
        assert!(SlotQuery::parse(None, None, Some("1")).unwrap().walk_up);
        assert!(!SlotQuery::parse(None, None, Some("false")).unwrap().walk_up);
        assert!(!SlotQuery::parse(None, None, None).unwrap().walk_up);
        assert!(SlotQuery::parse(None, None, Some("yes")).is_err());
    }

    #[test]
    fn dates_are_year_month_day() {
        assert_eq!(
            parse_date("date", "2026-11-24").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        assert_eq!(parse_date("from", "24.11.2026").unwrap_err().field, "from");
    }

    proptest! {
        #[test]
        fn an_idempotency_key_is_accepted_exactly_when_it_is_1_to_255_visible_ascii_characters(
            raw in prop_oneof![any::<String>(), "[ ]?[!-~]{0,300}[ ]?"],
        ) {
            let trimmed = raw.trim();
            let valid = (1..=255).contains(&trimmed.len())
                && trimmed.bytes().all(|b| b.is_ascii_graphic());
            match IdempotencyKey::parse(&raw) {
                Ok(key) => {
                    prop_assert!(valid, "{:?} accepted", raw);
                    prop_assert_eq!(key.as_str(), trimmed);
                    prop_assert_eq!(IdempotencyKey::parse(key.as_str()), Ok(key));
                }
                Err(e) => {
                    prop_assert!(!valid, "{:?} refused", raw);
                    prop_assert_eq!(e.field, "Idempotency-Key");
                }
            }
        }

        #[test]
        fn a_date_is_accepted_only_as_yyyy_mm_dd_and_reads_back_as_given(
            raw in prop_oneof![any::<String>(), "[ +-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2} ?"],
        ) {
            // Answers echo the day (the slot listing's from and to, the admission
            // list's date) under the document's `format: date`.
            if let Ok(date) = parse_date("date", &raw) {
                prop_assert_eq!(date.format("%Y-%m-%d").to_string(), raw.trim());
                prop_assert_eq!(raw.trim().len(), 10, "{:?} accepted", raw);
            }
        }

        #[test]
        fn every_day_of_years_0_to_9999_is_accepted_as_yyyy_mm_dd(
            date in (0i32..=9999, 1u32..=366)
                .prop_filter_map("no such day", |(y, d)| NaiveDate::from_yo_opt(y, d)),
        ) {
            prop_assert_eq!(parse_date("date", &date.format("%Y-%m-%d").to_string()), Ok(date));
        }
    }
}

/// `POST /kiosk/redeem`: the code typed on the kiosk's keypad.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    pub code: String,
}

impl RedeemRequest {
    pub fn validate(&self) -> Result<KioskCode, FieldError> {
        KioskCode::parse(&self.code).map_err(|_| {
            FieldError::new(
                "code",
                "invalid",
                "a kiosk code is 6 digits (older codes: 6 letters and digits)",
            )
        })
    }
}

/// `POST /kiosk/walk-in`: the matter chosen on the kiosk's screen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkInRequest {
    pub service_id: String,
}

impl WalkInRequest {
    pub fn validate(&self) -> Result<ServiceId, FieldError> {
        ServiceId::parse(&self.service_id)
            .map_err(|_| FieldError::new("service_id", "invalid", "not a service id"))
    }
}
