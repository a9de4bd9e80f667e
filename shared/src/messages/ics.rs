//! The calendar attachment (RFC 5545 / iTIP RFC 5546): one VEVENT per booking
//! with a stable UID, so a later CANCEL with a higher SEQUENCE replaces the
//! PUBLISHed event in the citizen's calendar.

use crate::domain::catalog::Lang;
use crate::messages::i18n::{self, Translations};
use crate::messages::{RenderError, Visit};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};
use std::fmt::Write as _;

/// PRODID of every calendar Termin writes.
pub const PRODID: &str = "-//Termin//Termin appointments//EN";

/// The iTIP method of a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A confirmed visit to add to a calendar.
    Publish,
    /// A cancelled visit to remove from a calendar.
    Cancel,
}

impl Method {
    /// The `METHOD` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Cancel => "CANCEL",
        }
    }

    /// The MIME type of a calendar with this method.
    pub fn content_type(self) -> String {
        format!("text/calendar; method={}", self.as_str())
    }
}

/// The calendar's UID for a booking: stable, so a CANCEL matches the PUBLISH.
pub fn uid(visit: &Visit<'_>) -> String {
    format!("{}@termin", visit.booking.id)
}

/// A calendar with one event for `visit`, in the booking's language.
///
/// DTSTAMP is the moment the booking reached the state announced (confirmation
/// or closing), falling back to its creation, so the output depends on the
/// booking only. Start and end are in UTC.
pub fn calendar(visit: &Visit<'_>, method: Method, sequence: u32) -> Result<String, RenderError> {
    let translations = i18n::translations()?;
    let booking = visit.booking;
    let lang = booking.language;
    let stamp = match method {
        Method::Publish => booking.confirmed_at,
        Method::Cancel => booking.closed_at.or(booking.confirmed_at),
    }
    .unwrap_or(booking.created_at);
    let status = match method {
        Method::Publish => EventStatus::Confirmed,
        Method::Cancel => EventStatus::Cancelled,
    };

    let service = visit.service.name.get(lang);
    let office = visit.office.name.get(lang);
    let summary = translations.text(
        lang,
        "ics.summary",
        &[("service", service), ("office", office)],
    )?;
    let description = description(translations, visit, method)?;

    let event = icalendar::Event::new()
        .uid(&uid(visit))
        .timestamp(stamp)
        .starts(booking.start)
        .ends(booking.end)
        .summary(&summary)
        .location(&visit.office.address)
        .description(&description)
        .sequence(sequence)
        .status(status)
        .done();

    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", method.as_str()))
        .push(event);

    let mut out = String::new();
    write!(out, "{calendar}").map_err(RenderError::Calendar)?;
    Ok(out)
}

/// Kiosk code (for a published visit), department, room, reference and what to bring.
fn description(
    translations: &Translations,
    visit: &Visit<'_>,
    method: Method,
) -> Result<String, RenderError> {
    let lang: Lang = visit.booking.language;
    let label = |key: &str| translations.raw(lang, key);
    let mut lines = Vec::new();
    if method == Method::Publish {
        lines.push(translations.text(
            lang,
            "ics.kiosk",
            &[("code", visit.booking.kiosk_code.as_str())],
        )?);
    }
    lines.push(format!(
        "{}: {}",
        label("visit.department")?,
        visit.department.name.get(lang)
    ));
    let location = visit.department.location.get(lang);
    if !location.is_empty() {
        lines.push(format!("{}: {location}", label("visit.location")?));
    }
    if let Some(clerk) = &visit.booking.clerk {
        lines.push(format!("{}: {}", label("visit.clerk")?, clerk.name));
    }
    lines.push(translations.text(
        lang,
        "ics.reference",
        &[("reference", &visit.booking.public_ref)],
    )?);
    let documents: Vec<&str> = visit
        .service
        .required_documents
        .iter()
        .map(|d| d.get(lang))
        .filter(|d| !d.is_empty())
        .collect();
    if method == Method::Publish && !documents.is_empty() {
        lines.push(label("ics.documents")?.to_owned());
        lines.extend(documents.iter().map(|d| format!("- {d}")));
    }
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::fixture::Fixture;
    use icalendar::{CalendarDateTime, DatePerhapsTime};

    fn parse(text: &str) -> Calendar {
        text.parse().expect("our calendar parses")
    }

    #[test]
    fn a_published_calendar_parses_with_uid_method_sequence_and_utc_start() {
        let fixture = Fixture::olsztyn(Lang::Pl);
        let visit = fixture.visit();
        let text = calendar(&visit, Method::Publish, 0).unwrap();
        let parsed = parse(&text);

        assert_eq!(parsed.property_value("METHOD"), Some("PUBLISH"));
        assert_eq!(parsed.property_value("VERSION"), Some("2.0"));
        assert_eq!(parsed.property_value("PRODID"), Some(PRODID));
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 1);
        let event = events[0];
        assert_eq!(
            event.get_uid(),
            Some(format!("{}@termin", fixture.booking.id).as_str())
        );
        assert_eq!(event.get_sequence(), Some(0));
        assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
        assert_eq!(
            event.get_start(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(
                fixture.booking.start
            )))
        );
        assert_eq!(
            event.get_end(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(
                fixture.booking.end
            )))
        );
        assert!(text.contains("DTSTART:20261124T081500Z"), "{text}");
        assert_eq!(event.get_location(), Some(fixture.office.address.as_str()));
        assert_eq!(
            event.get_summary(),
            Some("Złożenie wniosku o dowód osobisty – Urząd Miasta Olsztyna")
        );
        let description = event.get_description().unwrap();
        assert!(
            description.contains("Kod do kiosku: 042917"),
            "{description}"
        );
        assert!(
            description.contains("- Aktualne zdjęcie 35×45 mm"),
            "{description}"
        );
        assert_eq!(
            event.get_timestamp(),
            Some(fixture.booking.confirmed_at.unwrap())
        );
    }

    #[test]
    fn a_cancel_has_the_same_uid_a_higher_sequence_and_cancelled_status() {
        let mut fixture = Fixture::olsztyn(Lang::En);
        fixture.booking.closed_at = Some(fixture.booking.start - chrono::Duration::hours(3));
        let visit = fixture.visit();
        let published = parse(&calendar(&visit, Method::Publish, 0).unwrap());
        let cancelled = parse(&calendar(&visit, Method::Cancel, 1).unwrap());

        assert_eq!(cancelled.property_value("METHOD"), Some("CANCEL"));
        let (before, after) = (
            published.events().next().unwrap(),
            cancelled.events().next().unwrap(),
        );
        assert_eq!(after.get_uid(), before.get_uid());
        assert!(after.get_sequence() > before.get_sequence());
        assert_eq!(after.get_status(), Some(EventStatus::Cancelled));
        assert!(after.get_timestamp() > before.get_timestamp());
        assert!(!after.get_description().unwrap().contains("Kiosk code"));
        assert!(
            before
                .get_description()
                .unwrap()
                .contains("Kiosk code: 042917")
        );
    }

    #[test]
    fn the_same_booking_always_yields_the_same_calendar() {
        let fixture = Fixture::olsztyn(Lang::Cs);
        let visit = fixture.visit();
        assert_eq!(
            calendar(&visit, Method::Publish, 0).unwrap(),
            calendar(&visit, Method::Publish, 0).unwrap()
        );
    }

    #[test]
    fn text_with_commas_and_semicolons_survives_a_round_trip() {
        let mut fixture = Fixture::olsztyn(Lang::En);
        fixture.office.address = "Plac 1; Room 2, floor 3\\4".into();
        let visit = fixture.visit();
        let parsed = parse(&calendar(&visit, Method::Publish, 0).unwrap());
        let event = parsed.events().next().unwrap();
        assert_eq!(event.get_location(), Some("Plac 1; Room 2, floor 3\\4"));
    }
}
