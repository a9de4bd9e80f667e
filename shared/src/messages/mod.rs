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
//!
//! Inside: `email` assembles an email, `context` builds what a template may
//! print, [`sms_segments`] holds the one-segment SMS rule (GSM-7, UCS-2,
//! transliteration).

mod context;
mod email;
mod i18n;
pub mod ics;
mod mime;
pub mod qr;
pub mod sms_segments;
mod templates;

pub use i18n::TranslationError;
pub use mime::{AddressField, mime};

use crate::domain::{
    booking::Booking,
    catalog::{Department, Lang, Office, Service},
    codes::ShortCode,
};
use chrono::NaiveDate;
use context::Context;
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
    /// A no-show: the kiosk code was not used in time, so the visit counts as missed
    /// and online booking at the office is blocked. No links: the visit is over.
    NoShowBlock {
        visit: Visit<'a>,
        /// The first day (in the office's zone) on which online booking at the
        /// office works again; the text says "you can book online again from".
        blocked_until: NaiveDate,
    },
    /// A cancel link asked for by national ID, matter and day: nothing is
    /// cancelled until the link is opened. By email only.
    CancelLink {
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
    /// The kind's name: `hold_created`, `confirmed`, … `no_show_block`, `sms_reply`
    /// (template and key prefix).
    pub fn kind(&self) -> &'static str {
        match self {
            Message::HoldCreated { .. } => "hold_created",
            Message::Confirmed { .. } => "confirmed",
            Message::Cancelled { .. } => "cancelled",
            Message::Expired { .. } => "expired",
            Message::Reminder { .. } => "reminder",
            Message::NoShowBlock { .. } => "no_show_block",
            Message::CancelLink { .. } => "cancel_link",
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
            | Message::Reminder { visit, .. }
            | Message::NoShowBlock { visit, .. }
            | Message::CancelLink { visit, .. } => Some(visit),
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
    #[error("a cancel link has no SMS form")]
    NotAnSms,
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
    email::render(message)
}

/// SMS text for every kind except CancelLink (an email's link does not fit one segment). Language = booking.language, or `fallback` when there is no visit (unknown number).
/// Guaranteed to fit ONE SMS segment (see [`sms_segments::fits_one_segment`]) or Err.
pub fn sms(message: &Message<'_>, fallback: Lang) -> Result<String, RenderError> {
    if let Message::CancelLink { .. } = message {
        return Err(RenderError::NotAnSms);
    }
    let mut context = Context::for_sms(message, fallback)?;
    let render = |context: &Context<'_>| -> Result<String, RenderError> {
        let raw = templates::render("sms.txt.j2", context)?;
        sms_segments::fit(&raw.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    match render(&context) {
        // A long clerk's name is the one thing an SMS can do without (the
        // email says it): the visit, time and code must go out.
        Err(RenderError::SmsTooLong { .. }) if context.without_clerk() => render(&context),
        rendered => rendered,
    }
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests;
