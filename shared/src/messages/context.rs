//! The render context: what a template may print about a message and its visit.

use super::{Message, RenderError, ReplyReason, Visit, i18n};
use crate::domain::catalog::Lang;
use serde::Serialize;

/// The visit as templates see it: localized names, formatted local times.
#[derive(Serialize)]
pub(super) struct VisitView<'a> {
    office: &'a str,
    department: &'a str,
    /// Room or floor; empty when the department gives none.
    location: &'a str,
    /// The named clerk chosen for the visit (seed 004); empty when none.
    pub(super) clerk: &'a str,
    pub(super) service: &'a str,
    address: &'a str,
    reference: &'a str,
    documents: Vec<&'a str>,
    kiosk_code: &'a str,
    /// Long local date: "wtorek, 24 listopada 2026 r.".
    date: String,
    /// Short local date: "24.11.2026".
    pub(super) date_short: String,
    start: String,
    end: String,
}

impl<'a> VisitView<'a> {
    pub(super) fn new(visit: &Visit<'a>) -> Result<Self, RenderError> {
        let translations = i18n::translations()?;
        let booking = visit.booking;
        let lang = booking.language;
        let start = booking.start.with_timezone(&booking.time_zone);
        let end = booking.end.with_timezone(&booking.time_zone);
        Ok(Self {
            office: visit.office.name.get(lang),
            department: visit.department.name.get(lang),
            location: visit.department.location.get(lang),
            clerk: booking.clerk.as_ref().map_or("", |c| c.name.as_str()),
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
pub(super) struct QrRef {
    pub(super) cid: &'static str,
    pub(super) size: u32,
}

/// Everything a template may print. Absent values are left out (not `none`), so a
/// template that uses one its kind does not provide fails in strict mode.
#[derive(Serialize)]
pub(super) struct Context<'a> {
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
    /// First day online booking works again after a no-show: "12 marca 2027 r.".
    #[serde(skip_serializing_if = "Option::is_none")]
    bookable_again: Option<String>,
    /// The same day, short, for an SMS: "12.03.2027".
    #[serde(skip_serializing_if = "Option::is_none")]
    bookable_again_short: Option<String>,
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
            bookable_again: None,
            bookable_again_short: None,
            reason: None,
            tries_left: None,
        }
    }

    /// The context of an email about `visit`: its subject, its inline QR if any,
    /// the documents to bring, the links and the hold's end.
    pub(super) fn for_email(
        message: &'a Message<'_>,
        visit: &Visit<'_>,
        view: VisitView<'a>,
        subject: String,
        qr: Option<QrRef>,
    ) -> Result<Self, RenderError> {
        let translations = i18n::translations()?;
        let mut context = Context::new(visit.booking.language, message.kind(), Some(view));
        context.subject = Some(subject);
        context.show_documents = matches!(
            message,
            Message::HoldCreated { .. } | Message::Confirmed { .. } | Message::Reminder { .. }
        );
        context.qr = qr;
        context.add_links(message)?;
        if let Message::HoldCreated { .. } = message {
            context.hold_until = Some(hold_until(translations, visit)?);
        }
        context.add_bookable_again(translations, message)?;
        Ok(context)
    }

    /// The context of an SMS: the visit if known (language = booking.language, else
    /// `fallback`), the confirmation code and hold's end, or the reply's reason.
    pub(super) fn for_sms(message: &'a Message<'_>, fallback: Lang) -> Result<Self, RenderError> {
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
        context.add_bookable_again(translations, message)?;
        Ok(context)
    }

    /// Leaves the named clerk out (an SMS too long with the name); `false`
    /// when there was none to leave out.
    pub(super) fn without_clerk(&mut self) -> bool {
        match self.visit.as_mut() {
            Some(visit) if !visit.clerk.is_empty() => {
                visit.clerk = "";
                true
            }
            _ => false,
        }
    }

    /// After a no-show: the first day online booking works again, long and short.
    fn add_bookable_again(
        &mut self,
        translations: &i18n::Translations,
        message: &Message<'_>,
    ) -> Result<(), RenderError> {
        if let Message::NoShowBlock {
            visit,
            blocked_until,
        } = message
        {
            let lang = visit.booking.language;
            let day = |key| translations.day(lang, key, *blocked_until);
            self.bookable_again = Some(day("format.date_no_weekday")?);
            self.bookable_again_short = Some(day("format.date_short")?);
        }
        Ok(())
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
            Message::Confirmed { cancel_url, .. }
            | Message::Reminder { cancel_url, .. }
            | Message::CancelLink { cancel_url, .. } => {
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
