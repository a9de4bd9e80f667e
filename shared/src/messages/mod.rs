//! Messages to citizens: the emails and SMS about a booking, rendered without I/O.
//!
//! - [`email()`]: subject, HTML and plain text, with the kiosk QR code inline and an
//!   `.ics` attachment where the kind calls for them;
//! - [`sms()`]: one SMS segment, transliterated if the localized text is too long;
//! - [`mime()`]: the raw MIME message for SES (`Content::Raw`).
//!
//! Words live in `shared/messages/i18n/{pl,cs,en,uk}.json`, layouts in
//! `shared/messages/templates/`; both are embedded in the binary. Dates and
//! times are shown in the office's zone (`booking.time_zone`). Nothing here logs:
//! messages carry codes and links that must not reach a log.

mod i18n;
pub mod ics;
mod mime;
pub mod qr;
pub mod sms;
mod templates;

pub use i18n::TranslationError;
pub use mime::{AddressField, mime};

use crate::domain::{
    booking::Booking,
    catalog::{Department, Lang, Office, Service},
    codes::ShortCode,
};
use serde::Serialize;
use std::sync::Arc;

/// What every message about a booking needs.
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    pub office: &'a Office,
    pub department: &'a Department,
    pub service: &'a Service,
    pub booking: &'a Booking,
}

pub use crate::domain::sms_reply::{ReplyReason, language_for_number};

/// One message to render. URLs are absolute and built by the caller.
#[derive(Debug, Clone)]
pub enum Message<'a> {
    /// Hold created: confirm link + code, expires in one hour at booking.hold_expires_at (say the local time).
    HoldCreated {
        visit: Visit<'a>,
        confirm_url: String,
        confirm_code: ShortCode,
        cancel_url: String,
    },
    /// Confirmed: kiosk code (booking.kiosk_code) as text and as a QR image, cancel link, .ics (METHOD:PUBLISH, SEQUENCE:0).
    Confirmed {
        visit: Visit<'a>,
        cancel_url: String,
    },
    /// Cancelled: .ics with METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE:1 (higher than the confirmed one), same UID.
    Cancelled { visit: Visit<'a> },
    /// The hold ran out without confirmation; the seat was released; book again.
    Expired { visit: Visit<'a> },
    /// A reminder before the visit, with a cancel link.
    Reminder {
        visit: Visit<'a>,
        cancel_url: String,
    },
    /// An SMS answer to an inbound SMS. `visit` is None for an unknown number.
    SmsReply {
        reason: ReplyReason,
        visit: Option<Visit<'a>>,
    },
}

impl<'a> Message<'a> {
    /// The kind's name: `hold_created`, `confirmed`, … `sms_reply` (template and key prefix).
    pub fn kind(&self) -> &'static str {
        match self {
            Message::HoldCreated { .. } => "hold_created",
            Message::Confirmed { .. } => "confirmed",
            Message::Cancelled { .. } => "cancelled",
            Message::Expired { .. } => "expired",
            Message::Reminder { .. } => "reminder",
            Message::SmsReply { .. } => "sms_reply",
        }
    }

    /// The booking the message is about, if known.
    pub fn visit(&self) -> Option<&Visit<'a>> {
        match self {
            Message::HoldCreated { visit, .. }
            | Message::Confirmed { visit, .. }
            | Message::Cancelled { visit }
            | Message::Expired { visit }
            | Message::Reminder { visit, .. } => Some(visit),
            Message::SmsReply { visit, .. } => visit.as_ref(),
        }
    }
}

/// A rendered email, ready for [`mime()`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub attachments: Vec<Attachment>,
}

/// A file sent with an email: attached, or inline and referenced by `cid:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    /// `image/png`, `text/calendar; method=PUBLISH`, `text/calendar; method=CANCEL`.
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// `Some("kiosk-qr")` for the QR referenced as `<img src="cid:kiosk-qr">` in the HTML.
    pub inline_id: Option<String>,
}

/// Content-ID of the inline kiosk QR image.
pub const QR_CONTENT_ID: &str = "kiosk-qr";
/// File name of the calendar attachment.
pub const ICS_FILE_NAME: &str = "termin.ics";
/// File name of the kiosk QR image.
pub const QR_FILE_NAME: &str = "kiosk-code.png";

/// A message could not be rendered. Carries no personal data and no codes.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("message template {name} failed to render")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("a message text could not be translated")]
    Translation(#[from] TranslationError),
    #[error("the embedded {lang:?} translation file does not parse")]
    TranslationFile {
        lang: Lang,
        #[source]
        source: Arc<serde_json::Error>,
    },
    #[error("the SMS takes {units} GSM-7 units even transliterated; one segment holds 160")]
    SmsTooLong { units: usize },
    #[error("an SMS reply has no email form")]
    NotAnEmail,
    #[error("the {0} link is not an absolute http(s) URL")]
    InvalidUrl(&'static str),
    #[error("the QR code could not be built")]
    Qr(#[source] qrcode::types::QrError),
    #[error("the QR code is too large for a PNG")]
    QrTooLarge,
    #[error("the QR code could not be encoded as PNG")]
    Png(#[source] png::EncodingError),
    #[error("the calendar could not be written")]
    Calendar(#[source] std::fmt::Error),
    #[error("the {0:?} address is not one valid email address")]
    Address(AddressField),
    #[error("the MIME message could not be written")]
    Mime(#[source] std::io::Error),
}

/// Email for every kind except SmsReply (SmsReply → Err). Language = booking.language.
pub fn email(message: &Message<'_>) -> Result<RenderedEmail, RenderError> {
    let translations = i18n::translations()?;
    let visit = match message {
        Message::SmsReply { .. } => return Err(RenderError::NotAnEmail),
        Message::HoldCreated { visit, .. }
        | Message::Confirmed { visit, .. }
        | Message::Cancelled { visit }
        | Message::Expired { visit }
        | Message::Reminder { visit, .. } => visit,
    };
    let kind = message.kind();
    let lang = visit.booking.language;
    let view = VisitView::new(visit)?;

    let subject = single_line(&translations.text(
        lang,
        &format!("{kind}.subject"),
        &[("service", view.service), ("date", &view.date_short)],
    )?);

    let mut attachments = Vec::new();
    let mut qr = None;
    if matches!(
        message,
        Message::Confirmed { .. } | Message::Reminder { .. }
    ) {
        let image = qr::png(visit.booking.kiosk_code.as_str())?;
        qr = Some(QrRef {
            cid: QR_CONTENT_ID,
            size: image.size_px,
        });
        attachments.push(Attachment {
            file_name: QR_FILE_NAME.to_owned(),
            content_type: "image/png".to_owned(),
            bytes: image.bytes,
            inline_id: Some(QR_CONTENT_ID.to_owned()),
        });
    }
    let calendar = match message {
        Message::Confirmed { .. } => Some((ics::Method::Publish, 0)),
        Message::Cancelled { .. } => Some((ics::Method::Cancel, 1)),
        _ => None,
    };
    if let Some((method, sequence)) = calendar {
        attachments.push(Attachment {
            file_name: ICS_FILE_NAME.to_owned(),
            content_type: method.content_type(),
            bytes: ics::calendar(visit, method, sequence)?.into_bytes(),
            inline_id: None,
        });
    }

    let mut context = Context::new(lang, kind, Some(view));
    context.subject = Some(subject.clone());
    context.show_documents = matches!(
        message,
        Message::HoldCreated { .. } | Message::Confirmed { .. } | Message::Reminder { .. }
    );
    context.qr = qr;
    context.add_links(message)?;
    if let Message::HoldCreated { .. } = message {
        context.hold_until = Some(hold_until(translations, visit)?);
    }

    let html = templates::render(&format!("{kind}.html.j2"), &context)?;
    let text = templates::render(&format!("{kind}.txt.j2"), &context)?;
    Ok(RenderedEmail {
        subject,
        html,
        text: tidy(&text),
        attachments,
    })
}

/// SMS text for every kind. Language = booking.language, or `fallback` when there is no visit (unknown number).
/// Guaranteed to fit ONE SMS segment (see [`sms::fits_one_segment`]) or Err.
pub fn sms(message: &Message<'_>, fallback: Lang) -> Result<String, RenderError> {
    let translations = i18n::translations()?;
    let visit = message.visit();
    let lang = visit.map_or(fallback, |v| v.booking.language);
    let view = visit.map(VisitView::new).transpose()?;
    let mut context = Context::new(lang, message.kind(), view);
    match message {
        Message::HoldCreated {
            visit,
            confirm_code,
            ..
        } => {
            context.confirm_code = Some(confirm_code.as_str());
            context.hold_until = Some(hold_until(translations, visit)?);
        }
        Message::SmsReply { reason, .. } => {
            context.reason = Some(reason.as_str());
            if let ReplyReason::WrongCode { tries_left } = reason {
                context.tries_left = Some(*tries_left);
            }
        }
        _ => {}
    }
    let raw = templates::render("sms.txt.j2", &context)?;
    sms::fit(&raw.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The visit as templates see it: localized names, formatted local times.
#[derive(Serialize)]
struct VisitView<'a> {
    office: &'a str,
    department: &'a str,
    /// Room or floor; empty when the department gives none.
    location: &'a str,
    service: &'a str,
    address: &'a str,
    reference: &'a str,
    documents: Vec<&'a str>,
    kiosk_code: &'a str,
    /// Long local date: "wtorek, 24 listopada 2026 r.".
    date: String,
    /// Short local date: "24.11.2026".
    date_short: String,
    start: String,
    end: String,
}

impl<'a> VisitView<'a> {
    fn new(visit: &Visit<'a>) -> Result<Self, RenderError> {
        let translations = i18n::translations()?;
        let booking = visit.booking;
        let lang = booking.language;
        let start = booking.start.with_timezone(&booking.time_zone);
        let end = booking.end.with_timezone(&booking.time_zone);
        Ok(Self {
            office: visit.office.name.get(lang),
            department: visit.department.name.get(lang),
            location: visit.department.location.get(lang),
            service: visit.service.name.get(lang),
            address: &visit.office.address,
            reference: &booking.public_ref,
            documents: visit
                .service
                .required_documents
                .iter()
                .map(|d| d.get(lang))
                .filter(|d| !d.is_empty())
                .collect(),
            kiosk_code: booking.kiosk_code.as_str(),
            date: translations.date(lang, "format.date", start)?,
            date_short: translations.date(lang, "format.date_short", start)?,
            start: translations.date(lang, "format.time", start)?,
            end: translations.date(lang, "format.time", end)?,
        })
    }
}

#[derive(Serialize)]
struct QrRef {
    cid: &'static str,
    size: u32,
}

/// Everything a template may print. Absent values are left out (not `none`), so a
/// template that uses one its kind does not provide fails in strict mode.
#[derive(Serialize)]
struct Context<'a> {
    lang: &'static str,
    kind: &'static str,
    has_visit: bool,
    #[serde(flatten)]
    visit: Option<VisitView<'a>>,
    show_documents: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hold_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirm_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancel_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr: Option<QrRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tries_left: Option<u32>,
}

impl<'a> Context<'a> {
    fn new(lang: Lang, kind: &'static str, visit: Option<VisitView<'a>>) -> Self {
        Self {
            lang: i18n::code(lang),
            kind,
            has_visit: visit.is_some(),
            visit,
            show_documents: false,
            subject: None,
            hold_until: None,
            confirm_url: None,
            confirm_code: None,
            cancel_url: None,
            qr: None,
            reason: None,
            tries_left: None,
        }
    }

    /// The links (checked to be absolute http(s) URLs) and the confirmation code.
    fn add_links(&mut self, message: &'a Message<'_>) -> Result<(), RenderError> {
        match message {
            Message::HoldCreated {
                confirm_url,
                confirm_code,
                cancel_url,
                ..
            } => {
                self.confirm_url = Some(checked_url(confirm_url, "confirm")?);
                self.confirm_code = Some(confirm_code.as_str());
                self.cancel_url = Some(checked_url(cancel_url, "cancel")?);
            }
            Message::Confirmed { cancel_url, .. } | Message::Reminder { cancel_url, .. } => {
                self.cancel_url = Some(checked_url(cancel_url, "cancel")?);
            }
            _ => {}
        }
        Ok(())
    }
}

/// The local time the hold runs out ("10:15").
fn hold_until(translations: &i18n::Translations, visit: &Visit<'_>) -> Result<String, RenderError> {
    let booking = visit.booking;
    let until = booking.hold_expires_at.with_timezone(&booking.time_zone);
    Ok(translations.date(booking.language, "format.time", until)?)
}

/// Links go into `href` attributes and plain text: only absolute http(s) URLs
/// without spaces or control characters.
fn checked_url<'u>(url: &'u str, which: &'static str) -> Result<&'u str, RenderError> {
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if absolute && clean && url.len() > "https://".len() {
        Ok(url)
    } else {
        Err(RenderError::InvalidUrl(which))
    }
}

/// Control characters (a newline from a catalog name) would break the header.
fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|part| !part.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Plain text: no trailing spaces, at most one blank line in a row, one final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines().map(str::trim_end) {
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Text;
    use crate::messages::fixture::{Fixture, text, utc};

    const CONFIRM_URL: &str = "https://termin.example.pl/potwierdz?booking=01ARZ3NDEKTSV4RRFFQ69G5FAV&token=Xq2v9dM0rYkz3nB7pQ1wLs8tUe4aHcJf6gViK5oN_PY";
    const CANCEL_URL: &str = "https://termin.example.pl/anuluj?booking=01ARZ3NDEKTSV4RRFFQ69G5FAV&token=Zt7Qw3eR9yU1iO5pA2sD8fG4hJ6kL0zXcVbNm_Lk-Q0";

    fn code(raw: &str) -> ShortCode {
        ShortCode::parse(raw).unwrap()
    }

    fn email_kinds(visit: Visit<'_>) -> Vec<Message<'_>> {
        vec![
            Message::HoldCreated {
                visit,
                confirm_url: CONFIRM_URL.into(),
                confirm_code: code("K7M4PX"),
                cancel_url: CANCEL_URL.into(),
            },
            Message::Confirmed {
                visit,
                cancel_url: CANCEL_URL.into(),
            },
            Message::Cancelled { visit },
            Message::Expired { visit },
            Message::Reminder {
                visit,
                cancel_url: CANCEL_URL.into(),
            },
        ]
    }

    fn reasons() -> Vec<ReplyReason> {
        let mut reasons = vec![
            ReplyReason::UnknownNumber,
            ReplyReason::CodeLocked,
            ReplyReason::Expired,
            ReplyReason::AlreadyConfirmed,
            ReplyReason::Cancelled,
        ];
        reasons.extend((0..=25).map(|tries_left| ReplyReason::WrongCode { tries_left }));
        reasons.push(ReplyReason::WrongCode {
            tries_left: u32::MAX,
        });
        reasons
    }

    /// Every message an SMS can carry for this visit.
    fn sms_kinds(visit: Visit<'_>) -> Vec<Message<'_>> {
        let mut all = email_kinds(visit);
        for reason in reasons() {
            all.push(Message::SmsReply {
                reason,
                visit: Some(visit),
            });
            all.push(Message::SmsReply {
                reason,
                visit: None,
            });
        }
        all
    }

    /// Fixtures whose times take the most characters: two-digit hours and days.
    fn long_fixtures(lang: Lang) -> Vec<Fixture> {
        let mut late = Fixture::olsztyn(lang);
        late.booking.start = utc("2026-12-28T14:45:00Z");
        late.booking.end = late.booking.start + chrono::Duration::minutes(45);
        late.booking.hold_expires_at = utc("2026-12-20T22:59:00Z");
        vec![Fixture::olsztyn(lang), late]
    }

    #[test]
    fn every_message_renders_in_every_language() {
        for lang in Lang::ALL {
            let fixture = Fixture::olsztyn(lang);
            let visit = fixture.visit();
            for message in email_kinds(visit) {
                let what = format!("{} in {lang:?}", message.kind());
                let rendered = email(&message).unwrap_or_else(|e| panic!("{what}: {e:?}"));
                assert!(
                    rendered
                        .html
                        .contains(&format!("<html lang=\"{}\">", i18n::code(lang))),
                    "{what}"
                );
                assert!(rendered.html.contains("<h1"), "{what}");
                for part in [&rendered.html, &rendered.text] {
                    for expected in [
                        fixture.office.name.get(lang),
                        fixture.department.name.get(lang),
                        fixture.department.location.get(lang),
                        fixture.service.name.get(lang),
                        fixture.office.address.as_str(),
                        fixture.booking.public_ref.as_str(),
                    ] {
                        assert!(part.contains(expected), "{what}: {expected}");
                    }
                }
                assert!(!rendered.subject.is_empty(), "{what}");
                assert!(!rendered.subject.contains('\n'), "{what}");

                let sms = sms(&message, Lang::En).unwrap_or_else(|e| panic!("{what}: {e:?}"));
                assert!(sms::fits_one_segment(&sms), "{what}: {sms}");
            }
        }
    }

    #[test]
    fn every_sms_fits_one_segment_in_every_language_and_for_every_reason() {
        for lang in Lang::ALL {
            for fixture in long_fixtures(lang) {
                for message in sms_kinds(fixture.visit()) {
                    let text = sms(&message, lang)
                        .unwrap_or_else(|e| panic!("{message:?} in {lang:?}: {e:?}"));
                    assert!(sms::fits_one_segment(&text), "{lang:?}: {text}");
                    assert!(!text.contains("  ") && text == text.trim(), "{text:?}");
                    assert!(!text.contains("http"), "{text}");
                }
            }
        }
    }

    #[test]
    fn ukrainian_sms_about_a_booking_stay_in_cyrillic() {
        for fixture in long_fixtures(Lang::Uk) {
            for message in sms_kinds(fixture.visit()) {
                if let Message::SmsReply {
                    reason: ReplyReason::WrongCode { tries_left },
                    ..
                } = message
                    && tries_left > crate::domain::booking::MAX_CODE_ATTEMPTS
                {
                    continue;
                }
                let text = sms(&message, Lang::Uk).unwrap();
                assert_eq!(sms::Encoding::of(&text), sms::Encoding::Ucs2, "{text}");
            }
        }
    }

    #[test]
    fn a_long_polish_sms_is_sent_without_diacritics_rather_than_in_two_parts() {
        let fixture = Fixture::olsztyn(Lang::Pl);
        let message = Message::HoldCreated {
            visit: fixture.visit(),
            confirm_url: CONFIRM_URL.into(),
            confirm_code: code("K7M4PX"),
            cancel_url: CANCEL_URL.into(),
        };
        let text = sms(&message, Lang::En).unwrap();
        assert_eq!(
            text,
            "Kod potwierdzenia: K7M4PX. Prosimy odeslac go SMS-em lub wpisac na stronie rezerwacji do godz. 11:00."
        );
        assert_eq!(sms::Encoding::of(&text), sms::Encoding::Gsm7);
    }

    #[test]
    fn sms_texts_carry_the_code_and_the_local_date_and_time() {
        let fixture = Fixture::olsztyn(Lang::Cs);
        let visit = fixture.visit();
        let confirmed = sms(
            &Message::Confirmed {
                visit,
                cancel_url: CANCEL_URL.into(),
            },
            Lang::En,
        )
        .unwrap();
        assert_eq!(
            confirmed,
            "Návštěva potvrzena: 24. 11. 2026 v 9:15. Kód pro kiosek: AC34FH."
        );
        let reminder = sms(
            &Message::Reminder {
                visit,
                cancel_url: CANCEL_URL.into(),
            },
            Lang::En,
        )
        .unwrap();
        assert!(
            reminder.contains("AC34FH") && reminder.contains("9:15"),
            "{reminder}"
        );
        let cancelled = sms(&Message::Cancelled { visit }, Lang::En).unwrap();
        assert_eq!(cancelled, "Návštěva 24. 11. 2026 v 9:15 byla zrušena.");
    }

    #[test]
    fn wrong_code_replies_use_the_right_plural_form() {
        let fixture = Fixture::olsztyn(Lang::Pl);
        let reply = |tries_left| {
            sms(
                &Message::SmsReply {
                    reason: ReplyReason::WrongCode { tries_left },
                    visit: Some(fixture.visit()),
                },
                Lang::En,
            )
            .unwrap()
        };
        assert!(
            reply(1).starts_with("Nieprawidlowy kod. Pozostala 1 proba.")
                || reply(1).starts_with("Nieprawidłowy kod. Pozostała 1 próba."),
            "{}",
            reply(1)
        );
        assert!(
            reply(3).contains("Pozostały 3 próby") || reply(3).contains("Pozostaly 3 proby"),
            "{}",
            reply(3)
        );
        assert!(
            reply(5).contains("Pozostało 5 prób") || reply(5).contains("Pozostalo 5 prob"),
            "{}",
            reply(5)
        );
    }

    #[test]
    fn replies_name_the_visit_and_resend_the_kiosk_code_only_when_already_confirmed() {
        let fixture = Fixture::olsztyn(Lang::En);
        let reply = |reason| {
            sms(
                &Message::SmsReply {
                    reason,
                    visit: Some(fixture.visit()),
                },
                Lang::Pl,
            )
            .unwrap()
        };
        assert_eq!(
            reply(ReplyReason::AlreadyConfirmed),
            "This booking is already confirmed. Appointment: 24 Nov 2026 at 09:15. Kiosk code: AC34FH."
        );
        assert_eq!(
            reply(ReplyReason::Cancelled),
            "This booking has been cancelled. Appointment: 24 Nov 2026 at 09:15."
        );
    }

    #[test]
    fn an_unknown_number_is_answered_in_the_fallback_language() {
        let message = Message::SmsReply {
            reason: ReplyReason::UnknownNumber,
            visit: None,
        };
        assert_eq!(
            sms(&message, Lang::Uk).unwrap(),
            "Для цього номера немає бронювання, що очікує на підтвердження."
        );
        assert_eq!(
            sms(&message, language_for_number("+420601123456")).unwrap(),
            "K tomuto číslu jsme nenašli žádnou rezervaci čekající na potvrzení."
        );
    }

    #[test]
    fn unknown_numbers_get_the_language_of_their_prefix() {
        let table = [
            ("+48601234567", Lang::Pl),
            ("+420601123456", Lang::Cs),
            ("+380501234567", Lang::Uk),
            ("+421901123456", Lang::En),
            ("+4915112345678", Lang::En),
            ("+447700900123", Lang::En),
            ("", Lang::En),
        ];
        for (number, lang) in table {
            assert_eq!(language_for_number(number), lang, "{number}");
        }
    }

    #[test]
    fn the_hold_email_gives_the_code_both_links_and_the_local_expiry_time() {
        let fixture = Fixture::olsztyn(Lang::Pl);
        let rendered = email(&Message::HoldCreated {
            visit: fixture.visit(),
            confirm_url: CONFIRM_URL.into(),
            confirm_code: code("K7M4PX"),
            cancel_url: CANCEL_URL.into(),
        })
        .unwrap();
        // The hold runs out at 10:00 UTC, which is 11:00 in Warsaw in November.
        for part in [&rendered.html, &rendered.text] {
            assert!(part.contains("do godz. 11:00"), "{part}");
            assert!(part.contains("K7M4PX"));
            assert!(
                part.contains("wtorek, 24 listopada 2026 r., godz. 9:15–9:30"),
                "{part}"
            );
            assert!(part.contains("Aktualne zdjęcie 35×45 mm"));
        }
        assert!(rendered.text.contains(CONFIRM_URL));
        assert!(rendered.text.contains(CANCEL_URL));
        let escaped = |url: &str| url.replace('&', "&amp;");
        assert!(
            rendered
                .html
                .contains(&format!("href=\"{}\"", escaped(CONFIRM_URL)))
        );
        assert!(
            rendered
                .html
                .contains(&format!("href=\"{}\"", escaped(CANCEL_URL)))
        );
        assert!(
            !rendered.text.contains("Kod do kiosku"),
            "no kiosk code before confirmation"
        );
        assert!(rendered.attachments.is_empty());
        assert_eq!(
            rendered.subject,
            "Prosimy potwierdzić rezerwację: Złożenie wniosku o dowód osobisty, 24.11.2026"
        );
    }

    #[test]
    fn the_confirmed_email_has_the_kiosk_code_an_inline_qr_and_a_published_calendar() {
        let fixture = Fixture::olsztyn(Lang::Cs);
        let rendered = email(&Message::Confirmed {
            visit: fixture.visit(),
            cancel_url: CANCEL_URL.into(),
        })
        .unwrap();
        assert!(
            rendered
                .html
                .contains("font-size:36px;font-weight:bold;letter-spacing:6px\">AC34FH</p>")
        );
        assert!(rendered.text.contains("\n    AC34FH\n"));
        assert!(rendered.html.contains("src=\"cid:kiosk-qr\""));
        assert!(
            rendered
                .html
                .contains("alt=\"QR kód s kódem pro kiosek AC34FH\"")
        );
        assert!(
            rendered
                .text
                .contains("úterý 24. listopadu 2026 od 9:15 do 9:30")
        );

        assert_eq!(rendered.attachments.len(), 2);
        let qr = &rendered.attachments[0];
        assert_eq!(qr.inline_id.as_deref(), Some(QR_CONTENT_ID));
        assert_eq!(qr.content_type, "image/png");
        assert_eq!(qr::tests::read_back(&qr.bytes), vec!["AC34FH".to_owned()]);
        let calendar = &rendered.attachments[1];
        assert_eq!(calendar.inline_id, None);
        assert_eq!(calendar.content_type, "text/calendar; method=PUBLISH");
        let calendar = String::from_utf8(calendar.bytes.clone()).unwrap();
        assert!(calendar.contains("METHOD:PUBLISH") && calendar.contains("SEQUENCE:0"));
    }

    #[test]
    fn the_cancelled_email_carries_a_cancel_calendar_for_the_same_event() {
        let fixture = Fixture::olsztyn(Lang::En);
        let visit = fixture.visit();
        let confirmed = email(&Message::Confirmed {
            visit,
            cancel_url: CANCEL_URL.into(),
        })
        .unwrap();
        let cancelled = email(&Message::Cancelled { visit }).unwrap();
        let uid_line = |e: &RenderedEmail| {
            let ics = e
                .attachments
                .iter()
                .find(|a| a.file_name == ICS_FILE_NAME)
                .unwrap();
            String::from_utf8_lossy(&ics.bytes)
                .lines()
                .find(|l| l.starts_with("UID:"))
                .map(str::to_owned)
        };
        assert_eq!(uid_line(&cancelled), uid_line(&confirmed));
        assert_eq!(cancelled.attachments.len(), 1);
        let ics = &cancelled.attachments[0];
        assert_eq!(ics.content_type, "text/calendar; method=CANCEL");
        let ics = String::from_utf8_lossy(&ics.bytes);
        assert!(
            ics.contains("STATUS:CANCELLED") && ics.contains("SEQUENCE:1"),
            "{ics}"
        );
        assert!(cancelled.text.contains("please book a new appointment"));
        assert!(
            !cancelled.text.contains("Please bring"),
            "no documents for a cancelled visit"
        );
    }

    #[test]
    fn the_expired_email_is_a_plain_notice_inviting_to_book_again() {
        let fixture = Fixture::olsztyn(Lang::Uk);
        let rendered = email(&Message::Expired {
            visit: fixture.visit(),
        })
        .unwrap();
        assert!(rendered.attachments.is_empty());
        assert!(rendered.text.contains("втратило чинність"));
        assert!(rendered.text.contains("забронюйте новий час"));
        assert!(
            rendered
                .text
                .contains("вівторок, 24 листопада 2026 р., 9:15–9:30")
        );
        assert!(!rendered.html.contains("href="));
    }

    #[test]
    fn the_reminder_names_date_place_kiosk_code_and_cancel_link() {
        let fixture = Fixture::olsztyn(Lang::En);
        let rendered = email(&Message::Reminder {
            visit: fixture.visit(),
            cancel_url: CANCEL_URL.into(),
        })
        .unwrap();
        for expected in [
            "Tuesday 24 November 2026, 09:15–09:30",
            "Plac Jana Pawła II 1, 10-101 Olsztyn",
            "Ground floor, desks 1–6",
            "AC34FH",
            CANCEL_URL,
        ] {
            assert!(rendered.text.contains(expected), "{expected}");
        }
        assert_eq!(
            rendered.subject,
            "Appointment reminder: ID card application, 24 Nov 2026"
        );
        assert!(
            rendered
                .attachments
                .iter()
                .all(|a| a.file_name != ICS_FILE_NAME)
        );
    }

    #[test]
    fn times_follow_the_offices_zone_across_summer_time() {
        let mut fixture = Fixture::olsztyn(Lang::Pl);
        fixture.booking.start = utc("2026-07-01T07:00:00Z");
        fixture.booking.end = utc("2026-07-01T07:30:00Z");
        let rendered = email(&Message::Expired {
            visit: fixture.visit(),
        })
        .unwrap();
        assert!(
            rendered
                .text
                .contains("środa, 1 lipca 2026 r., godz. 9:00–9:30"),
            "{}",
            rendered.text
        );
    }

    #[test]
    fn interpolated_values_are_html_escaped() {
        let mut fixture = Fixture::olsztyn(Lang::En);
        fixture.office.name = text("x", "x", "<script>alert(1)</script> & Co", "x");
        fixture.office.address = "\"Main\" St <1>".into();
        let rendered = email(&Message::Confirmed {
            visit: fixture.visit(),
            cancel_url: "https://termin.example/c?a=1&b=\"2\"".into(),
        })
        .unwrap();
        assert!(!rendered.html.contains("<script>"));
        assert!(
            rendered
                .html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co")
        );
        assert!(rendered.html.contains("&quot;Main&quot; St &lt;1&gt;"));
        assert!(rendered.html.contains("a=1&amp;b=&quot;2&quot;"));
        assert!(
            rendered.text.contains("<script>alert(1)</script> & Co"),
            "text is not escaped"
        );
    }

    #[test]
    fn a_service_without_documents_has_no_list_to_bring() {
        let mut fixture = Fixture::olsztyn(Lang::Pl);
        fixture.service.required_documents.clear();
        let rendered = email(&Message::Confirmed {
            visit: fixture.visit(),
            cancel_url: CANCEL_URL.into(),
        })
        .unwrap();
        assert!(!rendered.text.contains("Prosimy zabrać ze sobą"));
        assert!(!rendered.html.contains("<ul"));
    }

    #[test]
    fn names_missing_in_a_language_fall_back_to_english() {
        let mut fixture = Fixture::olsztyn(Lang::Uk);
        fixture.department.name.0.remove(&Lang::Uk);
        fixture.department.location = Text::default();
        let rendered = email(&Message::Expired {
            visit: fixture.visit(),
        })
        .unwrap();
        assert!(rendered.text.contains("Відділ: Civil Affairs Department"));
        assert!(
            !rendered.text.contains("Місце прийому"),
            "empty location is left out"
        );
    }

    #[test]
    fn a_newline_in_a_catalog_name_does_not_reach_the_subject() {
        let mut fixture = Fixture::olsztyn(Lang::En);
        fixture.service.name = text("x", "x", "ID card\r\nBcc: x@example.com", "x");
        let rendered = email(&Message::Expired {
            visit: fixture.visit(),
        })
        .unwrap();
        assert_eq!(
            rendered.subject,
            "Booking expired: ID card Bcc: x@example.com, 24 Nov 2026"
        );
    }

    #[test]
    fn links_must_be_absolute_http_urls() {
        let fixture = Fixture::olsztyn(Lang::En);
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "https://",
            "https://a b",
            "",
        ] {
            let result = email(&Message::Confirmed {
                visit: fixture.visit(),
                cancel_url: bad.into(),
            });
            assert!(
                matches!(result, Err(RenderError::InvalidUrl("cancel"))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_sms_reply_has_no_email_form() {
        let result = email(&Message::SmsReply {
            reason: ReplyReason::UnknownNumber,
            visit: None,
        });
        assert!(matches!(result, Err(RenderError::NotAnEmail)));
    }

    #[test]
    fn reply_reasons_serialize_with_a_reason_tag() {
        let json = serde_json::to_value(ReplyReason::WrongCode { tries_left: 3 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "reason": "wrong_code", "tries_left": 3 })
        );
        for reason in reasons().into_iter().take(6) {
            let json = serde_json::to_value(reason).unwrap();
            assert_eq!(json["reason"], reason.as_str());
            assert_eq!(serde_json::from_value::<ReplyReason>(json).unwrap(), reason);
        }
    }

    #[test]
    fn plain_text_has_no_runs_of_blank_lines_or_trailing_spaces() {
        for lang in Lang::ALL {
            let fixture = Fixture::olsztyn(lang);
            for message in email_kinds(fixture.visit()) {
                let text = email(&message).unwrap().text;
                assert!(!text.contains("\n\n\n"), "{lang:?} {}", message.kind());
                assert!(text.lines().all(|l| l == l.trim_end()));
                assert!(text.ends_with('\n') && !text.ends_with("\n\n"));
            }
        }
    }
}
