//! Email assembly: subject, the two bodies, the inline QR and the calendar.

use super::context::{Context, QrRef, VisitView};
use super::{
    Attachment, ICS_FILE_NAME, Message, QR_CONTENT_ID, QR_FILE_NAME, RenderError, RenderedEmail,
    i18n, ics, qr, templates,
};

/// Subject, HTML, plain text and attachments of `message`; see [`super::email()`].
pub(super) fn render(message: &Message<'_>) -> Result<RenderedEmail, RenderError> {
    let translations = i18n::translations()?;
    let visit = match message {
        Message::SmsReply { .. } => return Err(RenderError::NotAnEmail),
        Message::HoldCreated { visit, .. }
        | Message::Confirmed { visit, .. }
        | Message::Cancelled { visit }
        | Message::Expired { visit }
        | Message::Reminder { visit, .. }
        | Message::NoShowBlock { visit, .. }
        | Message::CancelLink { visit, .. } => visit,
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

    let context = Context::for_email(message, visit, view, subject.clone(), qr)?;
    let html = templates::render(&format!("{kind}.html.j2"), &context)?;
    let text = templates::render(&format!("{kind}.txt.j2"), &context)?;
    Ok(RenderedEmail {
        subject,
        html,
        text: tidy(&text),
        attachments,
    })
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
