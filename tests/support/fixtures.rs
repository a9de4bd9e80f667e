//! Sample days, people, requests and events the integration tests share.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

/// The demo office most tests book at, its ID card application and the
/// department that serves it.
pub const OLSZTYN: &str = "olsztyn";
pub const ID_CARD_APPLICATION: &str = "id-card-application";
pub const CIVIL_AFFAIRS: &str = "civil-affairs";

/// Monday 23 November 2026, 09:00 in Warsaw.
pub fn monday_9am() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
        .unwrap()
        .to_utc()
}

/// Tuesday 24 November 2026.
pub fn tuesday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// The `i`-th of many distinct valid PESELs (people born in the 1980s).
pub fn pesel(i: u32) -> String {
    let born = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap() + Duration::days(i64::from(i % 3000));
    let serial = 1000 + i / 3000;
    with_pesel_check_digit(&format!("{}{:04}", born.format("%y%m%d"), serial % 10000))
}

/// The PESEL whose first ten digits are `first_ten`: the check digit appended.
pub fn with_pesel_check_digit(first_ten: &str) -> String {
    let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = first_ten
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first_ten}{}", (10 - sum % 10) % 10)
}

/// The email address of the person with this national ID in requests built
/// here: the ID's digits as letters, so the address never contains the ID.
pub fn email_of(national_id: &str) -> String {
    let letters: String = national_id
        .chars()
        .filter_map(|c| c.to_digit(10))
        .filter_map(|d| char::from_digit(d + 10, 36))
        .collect();
    format!("anna.{letters}@example.pl")
}

/// A complete, valid booking request; each person has their own email
/// address (holds are limited per address).
pub fn booking_body(office: &str, service: &str, start: &str, pesel: &str) -> Value {
    json!({
        "office_id": office,
        "service_id": service,
        "start": start,
        "first_name": "Anna",
        "last_name": "Kowalska",
        "email": email_of(pesel),
        "national_id": pesel,
        "phone": "601 234 567",
        "accept_terms": true,
        "consent_data_processing": true
    })
}

/// A request to cancel by national ID: the office, the matter and the day, as
/// the cancel page without a link asks for them.
pub fn cancel_request(office: &str, service: &str, date: &str, national_id: &str) -> Value {
    json!({
        "office_id": office,
        "service_id": service,
        "date": date,
        "national_id": national_id
    })
}

/// The sample event `events/<name>`, as text.
pub fn sample_event(name: &str) -> String {
    std::fs::read_to_string(termin_local::workspace_root().join("events").join(name)).unwrap()
}

/// The confirmation code in an SMS: the one 6-character word of the code alphabet.
pub fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.len() == 6 && w.chars().all(|c| "3479ACEFHJKMNPRTWXY".contains(c)))
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_owned()
}
