//! Property tests of every parser and rule of the domain that takes what a
//! citizen, a kiosk or a clerk sends: national IDs, contact data, codes and
//! tokens, ids, kiosk signatures, and the slot grid (the `Idempotency-Key`
//! and dates in queries are parsed in `service::input`, and tested there:
//! the domain refers to no layer above it). Each property is
//! one that a bug could break: parsers never panic on any text, what a
//! generator or a valid input yields parses back to itself, a changed digit is
//! caught, a normal form is a fixed point, and slots never overlap nor leave
//! the opening hours.

use crate::domain::catalog::{Catalog, Country, OpeningRange, WeeklyHours};
use crate::domain::codes::{
    CODE_ALPHABET, CODE_LEN, KioskCode, PUBLIC_REF_LEN, SeededEntropy, ShortCode, Token, public_ref,
};
use crate::domain::contact::{Email, PersonName, PhoneNumber};
use crate::domain::ids::{BookingId, OfficeId};
use crate::domain::kiosk::{DeskGroup, DeskId};
use crate::domain::national_id::{NationalIdKind, Pesel, RodneCislo};
use crate::domain::schedule::{self, Slot, bookable_slots, capacity_units, check_start, day_slots};
use crate::domain::signing::{self, SignatureError, SignedHeaders};
use crate::domain::sms_reply::read_code;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use proptest::prelude::*;
use ulid::Ulid;

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Any text, weighted towards what a parser of digits, codes or addresses
/// looks at closely.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 /+()-]{0,24}",
        "[a-zA-Z0-9@._+ -]{0,40}",
        "\\PC{0,300}",
    ]
}

fn date_between(first_year: i32, last_year: i32) -> impl Strategy<Value = NaiveDate> {
    (first_year..=last_year, 1u32..=366)
        .prop_filter_map("no such day", |(y, day)| NaiveDate::from_yo_opt(y, day))
}

/// The PESEL check digit of the first ten digits.
fn pesel_check(first_ten: &str) -> u32 {
    const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = first_ten
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum();
    (10 - sum % 10) % 10
}

/// A valid PESEL of someone born on the date (1800–2299), with its serial.
fn pesel() -> impl Strategy<Value = (String, NaiveDate)> {
    (date_between(1800, 2299), 0u32..10_000).prop_map(|(born, serial)| {
        let century_offset = match born.year() {
            1800..=1899 => 80,
            1900..=1999 => 0,
            2000..=2099 => 20,
            2100..=2199 => 40,
            _ => 60,
        };
        let first_ten = format!(
            "{:02}{:02}{:02}{serial:04}",
            born.year() % 100,
            born.month() + century_offset,
            born.day()
        );
        let check = pesel_check(&first_ten);
        (format!("{first_ten}{check}"), born)
    })
}

/// A valid ten-digit rodné číslo (born 1954–2053), without its slash.
fn rodne_cislo_10() -> impl Strategy<Value = (String, NaiveDate)> {
    (
        date_between(1954, 2053),
        any::<bool>(),
        any::<bool>(),
        0u32..1000,
    )
        .prop_filter_map(
            "no check digit exists for this serial since 1985",
            |(born, woman, extra, serial)| {
                let mut month = born.month() + if woman { 50 } else { 0 };
                // Numbers issued since 2004 may add 20 when a day ran out of serials.
                if extra && born.year() >= 2004 {
                    month += 20;
                }
                let first_nine: u64 = format!(
                    "{:02}{month:02}{:02}{serial:03}",
                    born.year() % 100,
                    born.day()
                )
                .parse()
                .ok()?;
                let check = match first_nine % 11 {
                    10 if born.year() < 1985 => 0,
                    10 => return None,
                    r => r,
                };
                Some((format!("{first_nine:09}{check}"), born))
            },
        )
}

/// A valid nine-digit rodné číslo (born 1900–1953: no check digit).
fn rodne_cislo_9() -> impl Strategy<Value = (String, NaiveDate)> {
    (date_between(1900, 1953), any::<bool>(), 0u32..1000).prop_map(|(born, woman, serial)| {
        let month = born.month() + if woman { 50 } else { 0 };
        (
            format!(
                "{:02}{month:02}{:02}{serial:03}",
                born.year() % 100,
                born.day()
            ),
            born,
        )
    })
}

/// The text with the digit at `at` replaced by another digit.
fn change_digit(digits: &str, at: usize, step: u8) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    bytes[at] = b'0' + (bytes[at] - b'0' + step) % 10;
    String::from_utf8(bytes).unwrap()
}

/// An opening range of a day, `from` strictly before `to`.
fn opening_range() -> impl Strategy<Value = OpeningRange> {
    (0u32..1439)
        .prop_flat_map(|from| (Just(from), from + 1..1440))
        .prop_map(|(from, to)| OpeningRange {
            from: NaiveTime::from_hms_opt(from / 60, from % 60, 0).unwrap(),
            to: NaiveTime::from_hms_opt(to / 60, to % 60, 0).unwrap(),
        })
}

/// A day's opening ranges as an administrator means them: in order, apart
/// (a range may end where the next begins).
fn ordered_day() -> impl Strategy<Value = Vec<OpeningRange>> {
    prop::collection::btree_set(0u32..1440, 0..7).prop_map(|cuts| {
        let cuts: Vec<u32> = cuts.into_iter().collect();
        let time = |m: u32| NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap();
        cuts.chunks_exact(2)
            .map(|pair| OpeningRange {
                from: time(pair[0]),
                to: time(pair[1]),
            })
            .collect()
    })
}

/// A department with any hours and grid, and one of its services, as an
/// administrator could define them (validated or not: see the properties).
fn department_and_service() -> impl Strategy<
    Value = (
        crate::domain::catalog::Department,
        crate::domain::catalog::Service,
    ),
> {
    (
        prop_oneof![
            9 => prop::collection::vec(ordered_day(), 7),
            // Now and then any ranges at all, which `validate` must refuse when they overlap.
            1 => prop::collection::vec(prop::collection::vec(opening_range(), 0..4), 7),
        ],
        prop::sample::select(vec![5u32, 10, 15, 20, 30, 60]),
        1u32..5,
        0u32..2000,
        0u32..40,
    )
        .prop_map(|(days, slot_minutes, units, notice, horizon)| {
            let mut department = schedule::tests::department();
            department.hours = WeeklyHours {
                mon: days[0].clone(),
                tue: days[1].clone(),
                wed: days[2].clone(),
                thu: days[3].clone(),
                fri: days[4].clone(),
                sat: days[5].clone(),
                sun: days[6].clone(),
            };
            department.slot_minutes = slot_minutes;
            department.min_notice_minutes = notice;
            department.horizon_days = horizon;
            let service = schedule::tests::service(slot_minutes * units);
            (department, service)
        })
}

fn time_zone() -> impl Strategy<Value = chrono_tz::Tz> {
    // The offices' zones, the only ones built in (.cargo/config.toml).
    prop::sample::select(vec![chrono_tz::Europe::Warsaw, chrono_tz::Europe::Prague])
}

/// A day in 2026–2027, so every daylight-saving change of those years is met.
fn day() -> impl Strategy<Value = NaiveDate> {
    date_between(2026, 2027)
}

// ---------------------------------------------------------------------------
// National IDs
// ---------------------------------------------------------------------------

proptest! {
    #[test]
    fn national_id_parsers_never_panic(raw in any_text()) {
        let _ = NationalIdKind::Pesel.parse(&raw);
        let _ = NationalIdKind::RodneCislo.parse(&raw);
    }

    #[test]
    fn every_valid_pesel_parses_to_its_birth_date((raw, born) in pesel(), pad in "[ \t]{0,2}") {
        let parsed = Pesel::parse(&format!("{pad}{raw}{pad}"));
        prop_assert_eq!(parsed.as_ref().map(Pesel::birth_date), Ok(born));
        let id = NationalIdKind::Pesel.parse(&raw).unwrap();
        prop_assert_eq!(id.canonical(), format!("PESEL:{raw}"));
        prop_assert_eq!(id.birth_date(), born);
    }

    #[test]
    fn one_changed_digit_of_a_pesel_is_refused(
        (raw, _) in pesel(), at in 0usize..11, step in 1u8..10,
    ) {
        // Every weight (1, 3, 7, 9) is prime to 10, so no single change keeps the sum.
        let changed = change_digit(&raw, at, step);
        prop_assert!(Pesel::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn a_pesel_that_parses_has_a_matching_check_digit(raw in "[0-9]{11}") {
        if Pesel::parse(&raw).is_ok() {
            prop_assert_eq!(pesel_check(&raw[..10]), raw[10..].parse::<u32>().unwrap());
        }
    }

    #[test]
    fn every_valid_rodne_cislo_parses_with_or_without_its_slash(
        (raw, born) in prop_oneof![rodne_cislo_10(), rodne_cislo_9()],
    ) {
        let plain = RodneCislo::parse(&raw);
        let slashed = RodneCislo::parse(&format!("{}/{}", &raw[..6], &raw[6..]));
        prop_assert!(plain.is_ok(), "{} refused: {:?}", raw, plain);
        prop_assert_eq!(&plain, &slashed);
        let id = NationalIdKind::RodneCislo.parse(&raw).unwrap();
        prop_assert_eq!(id.canonical(), format!("RC:{raw}"));
        prop_assert_eq!(id.birth_date(), born);
    }

    #[test]
    fn one_changed_digit_after_the_year_of_a_rodne_cislo_since_1985_is_refused(
        (raw, born) in rodne_cislo_10(), at in 2usize..10, step in 1u8..10,
    ) {
        // Before 1985 a remainder of 10 with check digit 0 is valid too, so a
        // change can land on such a number; since then divisibility by 11
        // catches every single changed digit (10^k is never 0 mod 11).
        prop_assume!(born.year() >= 1985);
        let changed = change_digit(&raw, at, step);
        prop_assert!(RodneCislo::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn a_ten_digit_rodne_cislo_that_parses_is_divisible_by_11_or_the_old_exception(
        raw in "[0-9]{10}",
    ) {
        if let Ok(id) = NationalIdKind::RodneCislo.parse(&raw) {
            let number: u64 = raw.parse().unwrap();
            prop_assert!(
                number.is_multiple_of(11)
                    || ((number / 10) % 11 == 10 && number.is_multiple_of(10) && id.birth_date().year() < 1985),
                "{} accepted", raw
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Contact data
// ---------------------------------------------------------------------------

proptest! {
    #[test]
    fn contact_parsers_never_panic(raw in any_text()) {
        let _ = PersonName::parse(&raw);
        let _ = Email::parse(&raw);
        let _ = PhoneNumber::parse(&raw, Country::Pl);
        let _ = PhoneNumber::parse(&raw, Country::Cz);
        let _ = PhoneNumber::from_e164(&raw);
    }

    #[test]
    fn an_accepted_name_or_email_is_its_own_normal_form(raw in any_text()) {
        if let Ok(name) = PersonName::parse(&raw) {
            prop_assert!(name.as_str().chars().count() <= 80);
            prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
        }
        if let Ok(email) = Email::parse(&raw) {
            prop_assert!(email.as_str().len() <= 254);
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }
    }

    #[test]
    fn plain_addresses_are_accepted_with_the_domain_lowercased(
        local in "[a-z0-9]{1,12}([._+-][a-z0-9]{1,6})?",
        domain in "[a-zA-Z][a-zA-Z0-9-]{0,12}[a-zA-Z0-9]\\.(pl|cz|com|Eu)",
    ) {
        let email = Email::parse(&format!(" {local}@{domain} "));
        let expected = format!("{local}@{}", domain.to_ascii_lowercase());
        prop_assert_eq!(email.as_ref().map(Email::as_str), Ok(expected.as_str()));
    }

    #[test]
    fn an_accepted_phone_number_is_e164_and_its_own_normal_form_in_any_country(
        raw in prop_oneof![any_text(), "\\+?(48|420)?[ -]?[5-8][0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3}"],
        country in prop::sample::select(vec![Country::Pl, Country::Cz]),
    ) {
        if let Ok(phone) = PhoneNumber::parse(&raw, country) {
            let e164 = phone.as_str();
            prop_assert!(
                e164.starts_with('+') && (8..=16).contains(&e164.len())
                    && e164[1..].bytes().all(|b| b.is_ascii_digit()),
                "{:?} became {}", raw, e164
            );
            for again in [Country::Pl, Country::Cz] {
                prop_assert_eq!(PhoneNumber::parse(e164, again), Ok(phone.clone()));
            }
            prop_assert_eq!(PhoneNumber::from_e164(e164), Ok(phone.clone()));
        }
    }

    #[test]
    fn a_polish_mobile_number_reads_the_same_however_it_is_written(
        number in "[5-8][0-9]{8}",
    ) {
        let Ok(phone) = PhoneNumber::parse(&number, Country::Pl) else {
            return Ok(()); // not every 9 digits are an allocated range
        };
        prop_assert_eq!(phone.as_str(), format!("+48{number}"));
        let (a, b, c) = (&number[..3], &number[3..6], &number[6..]);
        for written in [
            format!("{a} {b} {c}"),
            format!("{a}-{b}-{c}"),
            format!("+48 {a} {b} {c}"),
            format!("+48{number}"),
            format!("0048 {number}"),
            format!("(+48) {a}-{b}-{c}"),
        ] {
            prop_assert_eq!(PhoneNumber::parse(&written, Country::Pl), Ok(phone.clone()), "{}", written);
            // The country prefix wins over the office's country.
            if written.contains("48") && !written.starts_with(a) {
                prop_assert_eq!(PhoneNumber::parse(&written, Country::Cz), Ok(phone.clone()), "{}", written);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Codes, tokens and ids
// ---------------------------------------------------------------------------

fn in_code_alphabet(code: &str) -> bool {
    code.bytes().all(|b| CODE_ALPHABET.contains(&b))
}

proptest! {
    #[test]
    fn code_and_id_parsers_never_panic(raw in any_text()) {
        let _ = ShortCode::parse(&raw);
        let _ = KioskCode::parse(&raw);
        let _ = Token::parse(&raw);
        let _ = read_code(&raw);
        let _ = OfficeId::parse(&raw);
        let _ = BookingId::parse(&raw);
        let _ = DeskId::parse(&raw);
        let _ = DeskGroup::parse(&raw);
    }

    #[test]
    fn generated_codes_have_the_documented_alphabet_and_length_and_parse_back(seed in any::<u64>()) {
        let entropy = SeededEntropy::new(seed);

        let code = ShortCode::generate(&entropy);
        prop_assert_eq!(code.as_str().len(), CODE_LEN);
        prop_assert!(in_code_alphabet(code.as_str()));
        prop_assert_eq!(ShortCode::parse(code.as_str()), Ok(code.clone()));
        // As a person types it: lowercase, split by a space or a dash.
        let typed = format!("{}-{} ", &code.as_str()[..3], &code.as_str()[3..]).to_lowercase();
        prop_assert_eq!(ShortCode::parse(&typed), Ok(code.clone()));
        prop_assert_eq!(read_code(&format!(" {typed}")), Some(code.clone()));
        prop_assert_eq!(KioskCode::parse(code.as_str()), Ok(KioskCode::Legacy(code.clone())));

        let kiosk = KioskCode::generate(&entropy);
        prop_assert!(matches!(&kiosk, KioskCode::Digits(d) if d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit())));
        prop_assert_eq!(KioskCode::parse(kiosk.as_str()), Ok(kiosk.clone()));
        let spaced = format!("{} {}", &kiosk.as_str()[..3], &kiosk.as_str()[3..]);
        prop_assert_eq!(KioskCode::parse(&spaced), Ok(kiosk.clone()));

        let reference = public_ref(&entropy);
        prop_assert_eq!(reference.len(), PUBLIC_REF_LEN);
        prop_assert!(in_code_alphabet(&reference));

        let token = Token::generate(&entropy);
        prop_assert_eq!(token.as_str().len(), 43);
        prop_assert_eq!(Token::parse(token.as_str()), Ok(token.clone()));
    }

    #[test]
    fn an_accepted_short_code_is_six_characters_of_the_alphabet(raw in "[0-9A-Za-z -]{0,10}") {
        if let Ok(code) = ShortCode::parse(&raw) {
            prop_assert_eq!(code.as_str().len(), CODE_LEN);
            prop_assert!(in_code_alphabet(code.as_str()));
        }
        if let Ok(KioskCode::Digits(digits)) = KioskCode::parse(&raw) {
            prop_assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn a_booking_id_round_trips_through_its_text(bits in any::<u128>()) {
        let id = BookingId::from_ulid(Ulid(bits));
        prop_assert_eq!(BookingId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn an_accepted_desk_is_its_own_normal_form(raw in "[0-9A-Za-z]{0,10}") {
        if let Ok(desk) = DeskId::parse(&raw) {
            prop_assert_eq!(desk.as_str(), raw.to_ascii_uppercase());
            prop_assert_eq!(DeskId::parse(desk.as_str()), Ok(desk.clone()));
        }
    }
}

// ---------------------------------------------------------------------------
// Kiosk signatures
// ---------------------------------------------------------------------------

/// Any timestamp a header can carry, the extremes of i64 included.
fn any_timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(i64::MIN + 1),
        -1_000i64..1_000,
    ]
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 8, 30, 15).unwrap()
}

proptest! {
    #[test]
    fn reading_any_signature_headers_never_panics(values in prop::collection::vec(any_text(), 5)) {
        let names = [
            signing::KIOSK_ID, signing::TIMESTAMP, signing::NONCE,
            signing::BODY_SHA256, signing::SIGNATURE,
        ];
        let _ = SignedHeaders::read(|name| {
            names.iter().position(|n| *n == name).map(|i| values[i].as_str())
        });
    }

    #[test]
    fn a_signature_is_judged_at_any_timestamp_without_panicking(timestamp in any_timestamp()) {
        let body = b"{}";
        let mut headers = SignedHeaders {
            kiosk_id: "olsztyn-hall-1".into(),
            timestamp,
            nonce: "0".repeat(32),
            body_sha256: signing::sha256_hex(body),
            signature: String::new(),
        };
        headers.signature = signing::sign(
            "secret",
            &signing::canonical("POST", "/kiosk/redeem", timestamp, &headers.nonce, &headers.body_sha256),
        );
        let verdict = headers.verify("secret", "POST", "/kiosk/redeem", body, now());
        let in_window = now().timestamp().abs_diff(timestamp) <= 300;
        prop_assert_eq!(verdict, if in_window { Ok(()) } else { Err(SignatureError::Stale) });
    }

    #[test]
    fn a_signed_request_verifies_and_any_other_body_path_or_secret_does_not(
        body in prop::collection::vec(any::<u8>(), 0..200),
        other in prop::collection::vec(any::<u8>(), 0..200),
        skew in -300i64..=300,
        secret in "\\PC{1,40}",
    ) {
        let timestamp = now().timestamp() + skew;
        let nonce = "0123456789abcdef0123456789abcdef".to_owned();
        let body_sha256 = signing::sha256_hex(&body);
        let signature = signing::sign(
            &secret,
            &signing::canonical("POST", "/kiosk/walk-in", timestamp, &nonce, &body_sha256),
        );
        let headers = SignedHeaders { kiosk_id: "k".into(), timestamp, nonce, body_sha256, signature };
        prop_assert_eq!(headers.verify(&secret, "post", "/kiosk/walk-in", &body, now()), Ok(()));
        prop_assert_eq!(
            headers.verify(&format!("{secret}x"), "POST", "/kiosk/walk-in", &body, now()),
            Err(SignatureError::BadSignature)
        );
        prop_assert_eq!(
            headers.verify(&secret, "POST", "/kiosk/redeem", &body, now()),
            Err(SignatureError::BadSignature)
        );
        if other != body {
            prop_assert_eq!(
                headers.verify(&secret, "POST", "/kiosk/walk-in", &other, now()),
                Err(SignatureError::BodyMismatch)
            );
        }
    }
}

/// Found by the property above: `now - i64::MIN` overflowed (a panic in a
/// debug build, so termin-local dropped the connection).
#[test]
fn a_signature_with_the_smallest_timestamp_is_stale_not_a_panic() {
    let headers = SignedHeaders {
        kiosk_id: "olsztyn-hall-1".into(),
        timestamp: i64::MIN,
        nonce: "0".repeat(32),
        body_sha256: signing::sha256_hex(b""),
        signature: "0".repeat(64),
    };
    assert_eq!(
        headers.verify("secret", "GET", "/kiosk/config", b"", now()),
        Err(SignatureError::Stale)
    );
}

// ---------------------------------------------------------------------------
// The slot grid
// ---------------------------------------------------------------------------

/// The instant a wall-clock time of the day happens: in a daylight-saving gap,
/// the first time after it that exists; in a fold, the earlier (`earliest`) or
/// the later one.
fn wall_clock(
    zone: chrono_tz::Tz,
    date: NaiveDate,
    time: NaiveTime,
    earliest: bool,
) -> DateTime<Utc> {
    let mut at = date.and_time(time);
    loop {
        let local = zone.from_local_datetime(&at);
        if let Some(t) = if earliest {
            local.earliest()
        } else {
            local.latest()
        } {
            return t.with_timezone(&Utc);
        }
        at += Duration::minutes(1);
    }
}

/// The department's catalog, checked as the admin tools check it before saving.
fn validated(
    department: &crate::domain::catalog::Department,
    service: &crate::domain::catalog::Service,
) -> bool {
    let mut office = schedule::tests::office();
    office.id = department.office_id.clone();
    Catalog {
        office,
        departments: vec![department.clone()],
        services: vec![service.clone()],
    }
    .validate()
    .is_ok()
}

fn hhmm(raw: &str) -> NaiveTime {
    NaiveTime::parse_from_str(raw, "%H:%M").unwrap()
}

/// Found by the property below: ranges of one day that overlap (or come out
/// of order) passed `validate`, and gave slots that overlap each other and a
/// start off the other range's grid that `check_start` accepted.
#[test]
fn a_day_whose_opening_ranges_overlap_or_are_out_of_order_is_refused() {
    let (mut department, service) = (schedule::tests::department(), schedule::tests::service(15));
    let ranges = |pairs: &[(&str, &str)]| -> Vec<OpeningRange> {
        pairs
            .iter()
            .map(|(from, to)| OpeningRange {
                from: hhmm(from),
                to: hhmm(to),
            })
            .collect()
    };
    for (day, fine) in [
        (ranges(&[("00:00", "20:10"), ("00:00", "00:10")]), false),
        (ranges(&[("13:37", "14:37"), ("09:38", "22:33")]), false),
        (ranges(&[("08:00", "12:00"), ("11:59", "16:00")]), false),
        (ranges(&[("08:00", "12:00"), ("12:00", "16:00")]), true),
        (ranges(&[("08:00", "10:00"), ("11:00", "12:00")]), true),
    ] {
        department.hours.thu = day.clone();
        assert_eq!(validated(&department, &service), fine, "{day:?}");
    }
}

proptest! {
    #[test]
    fn slots_never_overlap_and_stay_inside_the_opening_hours(
        (department, service) in department_and_service(),
        zone in time_zone(),
        date in day(),
    ) {
        prop_assume!(validated(&department, &service));
        let mut office = schedule::tests::office();
        office.time_zone = zone;
        let slots = day_slots(&office, &department, &service, date);
        let length = Duration::minutes(i64::from(service.visit_minutes));
        let ranges = department.hours.on(date.weekday());
        for slot in &slots {
            prop_assert_eq!(slot.end - slot.start, length);
            let (start, end) = (slot.start.with_timezone(&zone), slot.end.with_timezone(&zone));
            prop_assert_eq!(start.date_naive(), date);
            prop_assert_eq!(end.date_naive(), date, "{:?} ends on another day", slot);
            prop_assert!(
                ranges.iter().any(|r| {
                    wall_clock(zone, date, r.from, true) <= slot.start
                        && slot.end <= wall_clock(zone, date, r.to, false)
                }),
                "{}–{} is outside {:?}", start, end, ranges
            );
        }
        for pair in slots.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "{:?} overlaps {:?}", pair[0], pair[1]);
        }
    }

    #[test]
    fn every_listed_slot_can_be_booked_and_a_minute_off_the_grid_cannot(
        (department, service) in department_and_service(),
        date in day(),
        seen_days_before in 0i64..3,
        minutes_into_the_day in 0i64..1440,
    ) {
        prop_assume!(validated(&department, &service));
        let office = schedule::tests::office();
        let now = schedule::local_midnight(&office, date - Duration::days(seen_days_before)).unwrap()
            + Duration::minutes(minutes_into_the_day);
        let listed: Vec<Slot> = bookable_slots(&office, &department, &service, date, now);
        for slot in &listed {
            prop_assert_eq!(check_start(&office, &department, &service, slot.start, now), Ok(*slot));
            let off_grid = slot.start + Duration::minutes(1);
            prop_assert!(check_start(&office, &department, &service, off_grid, now).is_err());
        }
        // And nothing the listing leaves out of that day is bookable.
        for slot in day_slots(&office, &department, &service, date) {
            if !listed.contains(&slot) {
                prop_assert!(check_start(&office, &department, &service, slot.start, now).is_err());
            }
        }
    }

    #[test]
    fn a_slot_takes_whole_capacity_units_from_its_start(
        (department, service) in department_and_service(),
        date in day(),
    ) {
        prop_assume!(validated(&department, &service));
        let office = schedule::tests::office();
        let unit = Duration::minutes(i64::from(department.slot_minutes));
        for slot in day_slots(&office, &department, &service, date) {
            let units = capacity_units(&department, &slot);
            prop_assert_eq!(units.len() as u32, service.visit_minutes / department.slot_minutes);
            for (i, at) in units.iter().enumerate() {
                prop_assert_eq!(*at, slot.start + unit * i as i32);
            }
        }
    }
}
