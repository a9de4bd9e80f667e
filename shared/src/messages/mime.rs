//! The raw MIME message for SES v2 `SendEmail` with `Content::Raw`.
//!
//! ```text
//! multipart/mixed                      (only with file attachments)
//! ├── multipart/alternative
//! │   ├── text/plain
//! │   └── multipart/related            (only with inline images)
//! │       ├── text/html
//! │       └── image/png  Content-ID: <kiosk-qr>
//! └── text/calendar; method=…          attachment
//! ```

use crate::messages::{Attachment, RenderError, RenderedEmail};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;

/// Which address of a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressField {
    From,
    To,
}

/// `email` as an RFC 5322 message from `from` to `to`.
///
/// `from` may carry a display name (`Urząd Miasta <noreply@example.pl>`); it is
/// encoded as RFC 2047 when not ASCII, as is the subject. mail-builder adds
/// `Date` (the current time), `Message-ID` and `MIME-Version`.
pub fn mime(email: &RenderedEmail, from: &str, to: &str) -> Result<Vec<u8>, RenderError> {
    let from = address(from).ok_or(RenderError::Address(AddressField::From))?;
    let to = address(to).ok_or(RenderError::Address(AddressField::To))?;

    let (inline, files): (Vec<&Attachment>, Vec<&Attachment>) = email
        .attachments
        .iter()
        .partition(|a| a.inline_id.is_some());

    let html = MimePart::new("text/html", email.html.as_str());
    let html = if inline.is_empty() {
        html
    } else {
        let mut parts = vec![html];
        for attachment in inline {
            let cid = attachment.inline_id.as_deref().unwrap_or_default();
            parts.push(
                MimePart::new(
                    content_type(&attachment.content_type),
                    attachment.bytes.as_slice(),
                )
                .inline()
                .cid(cid),
            );
        }
        MimePart::new("multipart/related", parts)
    };
    let alternative = MimePart::new(
        "multipart/alternative",
        vec![MimePart::new("text/plain", email.text.as_str()), html],
    );
    let body = if files.is_empty() {
        alternative
    } else {
        let mut parts = vec![alternative];
        for attachment in files {
            parts.push(
                MimePart::new(
                    content_type(&attachment.content_type),
                    attachment.bytes.as_slice(),
                )
                .attachment(attachment.file_name.as_str()),
            );
        }
        MimePart::new("multipart/mixed", parts)
    };

    MessageBuilder::new()
        .from(from)
        .to(to)
        .subject(email.subject.as_str())
        .body(body)
        .write_to_vec()
        .map_err(RenderError::Mime)
}

/// `addr@example.pl` or `Display Name <addr@example.pl>`; `None` if it does not
/// look like one address (never echoed: it is personal data).
fn address(raw: &str) -> Option<Address<'_>> {
    let raw = raw.trim();
    let (name, email) = match raw.strip_suffix('>').and_then(|r| r.rsplit_once('<')) {
        Some((name, email)) => {
            let name = name.trim().trim_matches('"').trim();
            ((!name.is_empty()).then_some(name), email.trim())
        }
        None => (None, raw),
    };
    let plausible = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.contains('@')
    }) && !email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | '"'))
        && !name.is_some_and(|n| n.chars().any(char::is_control));
    plausible.then(|| Address::new_address(name, email))
}

/// `type/subtype; key=value; …` as a mail-builder content type; text types get
/// `charset=utf-8` unless they name one.
fn content_type(raw: &str) -> ContentType<'_> {
    let mut parts = raw.split(';').map(str::trim);
    let mut content_type = ContentType::new(parts.next().unwrap_or("application/octet-stream"));
    let mut has_charset = false;
    for parameter in parts {
        if let Some((key, value)) = parameter.split_once('=') {
            let key = key.trim();
            has_charset |= key.eq_ignore_ascii_case("charset");
            content_type = content_type.attribute(key, value.trim().trim_matches('"'));
        }
    }
    if content_type.is_text() && !has_charset {
        content_type = content_type.attribute("charset", "utf-8");
    }
    content_type
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Lang;
    use crate::messages::fixture::Fixture;
    use crate::messages::{Message, email};
    use mail_parser::{MessageParser, MimeHeaders};

    fn confirmed(lang: Lang) -> RenderedEmail {
        let fixture = Fixture::olsztyn(lang);
        email(&Message::Confirmed {
            visit: fixture.visit(),
            cancel_url: "https://termin.example/cancel?t=abc&x=1".into(),
        })
        .unwrap()
    }

    #[test]
    fn the_message_parses_with_text_html_inline_qr_and_calendar() {
        let rendered = confirmed(Lang::Pl);
        let raw = mime(
            &rendered,
            "Urząd Miasta Olsztyna <noreply@termin.example>",
            "anna@example.pl",
        )
        .unwrap();
        let message = MessageParser::new().parse(&raw).unwrap();

        assert_eq!(message.subject(), Some(rendered.subject.as_str()));
        assert_eq!(
            message
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.name()),
            Some("Urząd Miasta Olsztyna")
        );
        assert_eq!(
            message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some("anna@example.pl")
        );
        let unix = |s: &str| s.replace("\r\n", "\n").trim().to_owned();
        assert_eq!(
            message.body_text(0).map(|t| unix(&t)),
            Some(unix(&rendered.text))
        );
        assert_eq!(
            message.body_html(0).map(|t| unix(&t)),
            Some(unix(&rendered.html))
        );

        let qr = message
            .attachments()
            .find(|p| p.content_id() == Some("kiosk-qr"))
            .expect("inline QR with its content id");
        assert_eq!(qr.content_type().map(|c| c.ctype()), Some("image"));
        assert_eq!(qr.content_type().and_then(|c| c.subtype()), Some("png"));
        assert_eq!(
            crate::messages::qr::tests::read_back(qr.contents()),
            vec!["042917".to_owned()]
        );

        let ics = message
            .attachments()
            .find(|p| p.attachment_name() == Some("termin.ics"))
            .expect("calendar attachment");
        let ct = ics.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
        assert_eq!(ct.attribute("method"), Some("PUBLISH"));
        assert!(String::from_utf8_lossy(ics.contents()).contains("METHOD:PUBLISH"));
    }

    #[test]
    fn the_raw_message_has_the_expected_mime_tree() {
        let raw = mime(
            &confirmed(Lang::En),
            "noreply@termin.example",
            "a@example.pl",
        )
        .unwrap();
        let text = String::from_utf8_lossy(&raw);
        let position = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        assert!(position("multipart/mixed") < position("multipart/alternative"));
        assert!(position("multipart/alternative") < position("text/plain"));
        assert!(position("text/plain") < position("multipart/related"));
        assert!(position("multipart/related") < position("text/html"));
        assert!(position("Content-ID: <kiosk-qr>") < position("text/calendar"));
    }

    #[test]
    fn a_non_ascii_subject_is_encoded() {
        let raw = mime(
            &confirmed(Lang::Uk),
            "noreply@termin.example",
            "a@example.pl",
        )
        .unwrap();
        let headers = String::from_utf8_lossy(&raw);
        let subject_line = headers.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert!(subject_line.is_ascii(), "{subject_line}");
        assert!(subject_line.contains("=?utf-8?"), "{subject_line}");
    }

    #[test]
    fn an_email_without_attachments_is_just_the_alternative() {
        let fixture = Fixture::olsztyn(Lang::Pl);
        let rendered = email(&Message::Expired {
            visit: fixture.visit(),
        })
        .unwrap();
        let raw = mime(&rendered, "noreply@termin.example", "a@example.pl").unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("multipart/alternative"));
        assert!(!text.contains("multipart/mixed"));
        assert!(!text.contains("multipart/related"));
    }

    #[test]
    fn malformed_addresses_are_refused_without_echoing_them() {
        let rendered = confirmed(Lang::Pl);
        for bad in [
            "",
            "anna",
            "anna@localhost",
            "a b@example.pl",
            "x@example.pl\r\nBcc: y@example.pl",
        ] {
            let error = mime(&rendered, "noreply@termin.example", bad).unwrap_err();
            assert!(
                matches!(error, RenderError::Address(AddressField::To)),
                "{bad:?}"
            );
            assert!(!error.to_string().contains("example.pl"));
        }
        assert!(matches!(
            mime(&rendered, "Termin <>", "a@example.pl"),
            Err(RenderError::Address(AddressField::From))
        ));
    }

    #[test]
    fn content_types_keep_their_parameters() {
        let ct = content_type("text/calendar; method=CANCEL");
        assert_eq!(ct.c_type, "text/calendar");
        assert!(
            ct.attributes
                .iter()
                .any(|(k, v)| k == "method" && v == "CANCEL")
        );
        assert!(
            ct.attributes
                .iter()
                .any(|(k, v)| k == "charset" && v == "utf-8")
        );
        assert!(content_type("image/png").attributes.is_empty());
    }
}
