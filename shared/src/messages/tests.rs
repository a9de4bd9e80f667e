//! Rendering every kind in every language, the SMS length rule, escaping and links.

use super::fixture::{
    CANCEL_URL, CONFIRM_URL, Fixture, bookable_again, code, email_kinds, long_fixtures, reasons,
    sms_kinds, text, utc,
};
use super::*;
use crate::domain::catalog::Text;

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

            if let Message::CancelLink { .. } = message {
                continue; // by email only
            }
            let sms = sms(&message, Lang::En).unwrap_or_else(|e| panic!("{what}: {e:?}"));
            assert!(sms_segments::fits_one_segment(&sms), "{what}: {sms}");
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
                assert!(sms_segments::fits_one_segment(&text), "{lang:?}: {text}");
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
            assert_eq!(
                sms_segments::Encoding::of(&text),
                sms_segments::Encoding::Ucs2,
                "{text}"
            );
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
    assert_eq!(
        sms_segments::Encoding::of(&text),
        sms_segments::Encoding::Gsm7
    );
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
        "Návštěva potvrzena: 24. 11. 2026 v 9:15. Kód pro kiosek: 042917."
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
        reminder.contains("042917") && reminder.contains("9:15"),
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
        "This booking is already confirmed. Appointment: 24 Nov 2026 at 09:15. Kiosk code: 042917."
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
            .contains("font-size:36px;font-weight:bold;letter-spacing:6px\">042917</p>")
    );
    assert!(rendered.text.contains("\n    042917\n"));
    assert!(rendered.html.contains("src=\"cid:kiosk-qr\""));
    assert!(
        rendered
            .html
            .contains("alt=\"QR kód s kódem pro kiosek 042917\"")
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
    assert_eq!(qr::tests::read_back(&qr.bytes), vec!["042917".to_owned()]);
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
fn the_no_show_email_names_the_missed_visit_and_the_first_day_to_book_again_without_a_cancel_link()
{
    let table = [
        (
            Lang::Pl,
            "wtorek, 24 listopada 2026 r., godz. 9:15–9:30",
            "Od 12 marca 2027 r. będzie można ponownie zarezerwować wizytę przez internet.",
        ),
        (
            Lang::Cs,
            "úterý 24. listopadu 2026 od 9:15 do 9:30",
            "Online se budete moci znovu objednat od 12. března 2027.",
        ),
        (
            Lang::En,
            "Tuesday 24 November 2026, 09:15–09:30",
            "You can book online again from 12 March 2027.",
        ),
        (
            Lang::Uk,
            "вівторок, 24 листопада 2026 р., 9:15–9:30",
            "З 12 березня 2027 р. Ви знову зможете забронювати візит онлайн.",
        ),
    ];
    let translations = i18n::translations().unwrap();
    for (lang, missed, book_again) in table {
        let fixture = Fixture::olsztyn(lang);
        let rendered = email(&Message::NoShowBlock {
            visit: fixture.visit(),
            blocked_until: bookable_again(),
        })
        .unwrap();
        let cancel_link = translations.raw(lang, "cancel.link").unwrap();
        for part in [&rendered.html, &rendered.text] {
            assert!(part.contains(missed), "{lang:?}: {part}");
            assert!(part.contains(book_again), "{lang:?}: {part}");
            assert!(!part.contains(".."), "{lang:?}: {part}");
            assert!(part.contains(fixture.office.name.get(lang)), "{lang:?}");
            assert!(part.contains(fixture.department.name.get(lang)), "{lang:?}");
            assert!(!part.contains(cancel_link), "{lang:?}: {part}");
            assert!(!part.contains("http"), "{lang:?}: {part}");
        }
        assert!(!rendered.html.contains("href="), "{lang:?}");
        assert!(rendered.attachments.is_empty(), "no QR, no calendar");
    }
}

#[test]
fn the_english_no_show_email_is_titled_missed_appointment() {
    let fixture = Fixture::olsztyn(Lang::En);
    let rendered = email(&Message::NoShowBlock {
        visit: fixture.visit(),
        blocked_until: bookable_again(),
    })
    .unwrap();
    assert_eq!(
        rendered.subject,
        "Missed appointment: ID card application, 24 Nov 2026"
    );
    assert!(rendered.text.contains("\nMISSED APPOINTMENT\n"));
    assert!(
        rendered
            .text
            .contains("was not used at the office in time, so the appointment counts as missed.")
    );
    assert!(
        !rendered.text.contains("Please bring"),
        "no documents for a visit that is over"
    );
}

#[test]
fn the_no_show_sms_names_the_missed_visit_and_the_first_day_to_book_again() {
    let sms_in = |lang| {
        let fixture = Fixture::olsztyn(lang);
        sms(
            &Message::NoShowBlock {
                visit: fixture.visit(),
                blocked_until: bookable_again(),
            },
            Lang::Pl,
        )
        .unwrap()
    };
    assert_eq!(
        sms_in(Lang::En),
        "You missed your appointment on 24 Nov 2026 at 09:15. You can book online again from 12 Mar 2027."
    );
    assert_eq!(
        sms_in(Lang::Uk),
        "Візит 24.11.2026 о 9:15 пропущено. Онлайн-запис знову з 12.03.2027."
    );
    let polish = sms_in(Lang::Pl);
    assert!(
        polish.contains("24.11.2026, godz. 9:15") && polish.ends_with("od 12.03.2027."),
        "{polish}"
    );
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
        "042917",
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
fn the_cancel_link_email_says_nothing_is_cancelled_yet_and_carries_no_kiosk_code() {
    let fixture = Fixture::olsztyn(Lang::En);
    let message = Message::CancelLink {
        visit: fixture.visit(),
        cancel_url: CANCEL_URL.into(),
    };
    let rendered = email(&message).unwrap();
    for expected in [
        "Tuesday 24 November 2026, 09:15–09:30",
        "It is not cancelled yet",
        "If you did not ask for this",
        CANCEL_URL,
    ] {
        assert!(rendered.text.contains(expected), "{expected}");
    }
    assert!(rendered.html.contains("It is not cancelled yet"));
    assert_eq!(
        rendered.subject,
        "Cancelling your appointment: ID card application, 24 Nov 2026"
    );
    assert!(!rendered.text.contains("042917") && !rendered.html.contains("042917"));
    assert!(rendered.attachments.is_empty());
    assert!(matches!(
        sms(&message, Lang::En),
        Err(RenderError::NotAnSms)
    ));
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
    for message in email_kinds(fixture.visit()) {
        let html = email(&message).unwrap().html;
        assert!(!html.contains("<script>"), "{}", message.kind());
        assert!(
            html.contains("&quot;Main&quot; St &lt;1&gt;"),
            "{}",
            message.kind()
        );
    }
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

fn with_clerk(mut fixture: Fixture, name: &str) -> Fixture {
    fixture.booking.clerk = Some(crate::domain::booking::BookedClerk {
        id: crate::domain::ids::ClerkId::parse("anna-nowicka").unwrap(),
        name: name.into(),
    });
    fixture
}

#[test]
fn a_visit_with_a_named_clerk_names_the_clerk_in_the_email_the_sms_and_the_calendar() {
    for lang in Lang::ALL {
        let fixture = with_clerk(Fixture::olsztyn(lang), "Anna Nowicka");
        let label = i18n::translations()
            .unwrap()
            .raw(lang, "visit.clerk")
            .unwrap();
        let confirmed = Message::Confirmed {
            visit: fixture.visit(),
            cancel_url: CANCEL_URL.into(),
        };
        let rendered = email(&confirmed).unwrap();
        for part in [&rendered.html, &rendered.text] {
            assert!(part.contains("Anna Nowicka"), "{lang:?}: {part}");
            assert!(part.contains(label), "{lang:?}: {label}");
        }
        let calendar = String::from_utf8(rendered.attachments[1].bytes.clone()).unwrap();
        // Unfolded: long lines of a calendar are folded at 75 octets.
        let calendar = calendar.replace("\r\n ", "");
        assert!(calendar.contains("Anna Nowicka"), "{lang:?}: {calendar}");
        for message in [
            confirmed,
            Message::Reminder {
                visit: fixture.visit(),
                cancel_url: CANCEL_URL.into(),
            },
        ] {
            let text = sms(&message, lang).unwrap();
            assert!(text.contains("Anna Nowicka"), "{lang:?}: {text}");
        }
    }
}

#[test]
fn a_visit_without_a_named_clerk_says_nothing_about_one() {
    for lang in Lang::ALL {
        let fixture = Fixture::olsztyn(lang);
        let label = i18n::translations()
            .unwrap()
            .raw(lang, "visit.clerk")
            .unwrap();
        let rendered = email(&Message::Confirmed {
            visit: fixture.visit(),
            cancel_url: CANCEL_URL.into(),
        })
        .unwrap();
        assert!(!rendered.text.contains(label), "{lang:?}");
        assert!(!rendered.html.contains(label), "{lang:?}");
    }
}

#[test]
fn an_sms_too_long_with_the_clerks_name_goes_out_without_the_name() {
    // The longest name a catalog takes: 80 characters.
    let long_name = format!("Anna {}", "Nowicka-".repeat(10))[..80].to_owned();
    let mut dropped = Vec::new();
    for lang in Lang::ALL {
        for fixture in long_fixtures(lang) {
            let fixture = with_clerk(fixture, &long_name);
            let text = sms(
                &Message::Confirmed {
                    visit: fixture.visit(),
                    cancel_url: CANCEL_URL.into(),
                },
                lang,
            )
            .unwrap_or_else(|e| panic!("{lang:?}: {e:?}"));
            assert!(sms_segments::fits_one_segment(&text), "{lang:?}: {text}");
            assert!(
                text.contains("042917"),
                "{lang:?}: the kiosk code stays: {text}"
            );
            if !text.contains("Nowicka") {
                dropped.push(lang);
            } else {
                assert!(
                    text.contains(&long_name),
                    "{lang:?}: whole or not at all: {text}"
                );
            }
        }
    }
    assert!(dropped.contains(&Lang::Pl), "{dropped:?}");
}
