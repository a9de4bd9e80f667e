//! Request and response bodies. Requests are plain data, converted into domain
//! types here and nowhere else; every field problem is reported at once.

use crate::domain::booking::{Booking, BookingStatus, Channel};
use crate::domain::catalog::{Catalog, Department, Lang, Office, Service};
use crate::domain::codes::{ShortCode, Token};
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::{OfficeId, ServiceId};
use crate::domain::national_id::{NationalId, NationalIdError};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl ToString) -> Self {
        Self {
            field,
            code,
            message: message.to_string(),
        }
    }
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
}

/// A booking request with every field in domain form.
#[derive(Debug, Clone)]
pub struct BookingInput {
    pub start: DateTime<Utc>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub national_id: NationalId,
    pub phone: Option<PhoneNumber>,
    pub channel: Channel,
    pub language: Lang,
    pub application_number: Option<String>,
    pub lost_document: bool,
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

impl BookRequest {
    /// Checks every field against the office and service; the slot itself is
    /// checked by the schedule rules afterwards.
    pub fn validate(
        &self,
        office: &Office,
        service: &Service,
        today: NaiveDate,
    ) -> Result<BookingInput, Vec<FieldError>> {
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
        let email = keep(
            &mut errors,
            Email::parse(&self.email).map_err(|e| FieldError::new("email", "invalid", e)),
        );
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
        if !self.accept_terms {
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "accept_terms",
                    "required",
                    "the terms must be accepted",
                )),
            );
        }
        if !self.consent_data_processing {
            keep::<()>(
                &mut errors,
                Err(FieldError::new(
                    "consent_data_processing",
                    "required",
                    "consent to data processing is required",
                )),
            );
        }

        match (
            start,
            first_name,
            last_name,
            email,
            national_id,
            phone,
            application_number,
        ) {
            (
                Some(start),
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(national_id),
                Some(phone),
                Some(application_number),
            ) if errors.is_empty() => Ok(BookingInput {
                start,
                first_name,
                last_name,
                email,
                national_id,
                phone,
                channel,
                language: self.language.unwrap_or(office.country.language()),
                application_number,
                lost_document: self.lost_document,
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
pub struct CatalogView<'a> {
    pub office: &'a Office,
    pub departments: Vec<DepartmentView<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView<'a> {
    #[serde(flatten)]
    pub department: &'a Department,
    pub services: Vec<&'a Service>,
}

impl<'a> CatalogView<'a> {
    pub fn of(catalog: &'a Catalog) -> Self {
        Self {
            office: &catalog.office,
            departments: catalog
                .departments
                .iter()
                .map(|d| DepartmentView {
                    department: d,
                    services: catalog
                        .services
                        .iter()
                        .filter(|s| s.department_id == d.id)
                        .collect(),
                })
                .collect(),
        }
    }
}
