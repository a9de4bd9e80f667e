//! Two-way SMS: what an inbound reply does. A reply carrying the right code,
//! from the number the booking was made with, before the hold expires,
//! confirms it; anything else is answered with a reason. Wrong codes count
//! towards the same lockout as codes typed on the page.

use crate::domain::booking::{Booking, BookingStatus, ConfirmStep};
use crate::domain::catalog::Lang;
use crate::domain::codes::ShortCode;
use crate::domain::contact::PhoneNumber;
use crate::domain::ids::BookingId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why an inbound SMS got an answer other than the confirmation itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum ReplyReason {
    /// No booking waits for a code from this number.
    UnknownNumber,
    WrongCode {
        tries_left: u32,
    },
    CodeLocked,
    Expired,
    AlreadyConfirmed,
    Cancelled,
}

impl ReplyReason {
    /// The reason's name, as in its serde tag and its translation keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyReason::UnknownNumber => "unknown_number",
            ReplyReason::WrongCode { .. } => "wrong_code",
            ReplyReason::CodeLocked => "code_locked",
            ReplyReason::Expired => "expired",
            ReplyReason::AlreadyConfirmed => "already_confirmed",
            ReplyReason::Cancelled => "cancelled",
        }
    }
}

/// Why an inbound SMS gets no answer at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Silence {
    /// A number with no booking was answered today already: an
    /// auto-responder or a forged sender cannot start an endless exchange.
    AnsweredToday,
    /// A sender that is not a mobile number (a fixed line, toll-free,
    /// premium-rate …) and has nothing waiting: an answer would be lost,
    /// read out by a machine, or charged to someone else.
    NotMobile,
}

/// An SMS a citizen sent to the office's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    /// The provider's id; a second delivery with the same id has no effect.
    pub id: String,
    pub from: PhoneNumber,
    pub body: String,
}

/// Reads a confirmation code out of a reply: case, spaces and dashes are ignored.
pub fn read_code(body: &str) -> Option<ShortCode> {
    let compact: String = body
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    ShortCode::parse(&compact).ok()
}

/// The language to answer a number in when no booking tells it: by its
/// country prefix (Poland, Czechia, Ukraine), English otherwise.
pub fn language_for_number(e164: &str) -> Lang {
    if e164.starts_with("+48") {
        Lang::Pl
    } else if e164.starts_with("+420") {
        Lang::Cs
    } else if e164.starts_with("+380") {
        Lang::Uk
    } else {
        Lang::En
    }
}

/// What to do with an inbound SMS, given the bookings made with its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsDecision {
    Confirm(BookingId),
    /// The right code for a hold whose hour is up: expire it (the expiry message answers).
    Expire(BookingId),
    /// Count a wrong code on every open hold of the number.
    WrongCode {
        holds: Vec<BookingId>,
        tries_left: u32,
    },
    Reply(ReplyReason),
    /// No answer at all.
    Silent(Silence),
}

/// Decides what an inbound SMS from `from` does. `candidates` are the
/// bookings made with the sender's number, newest first; `matches` checks
/// the code against one. A number with nothing waiting for it is answered
/// only when it is a mobile one.
pub fn decide(
    candidates: &[Booking],
    from: &PhoneNumber,
    code: Option<&ShortCode>,
    now: DateTime<Utc>,
    matches: impl Fn(&Booking, &ShortCode) -> bool,
) -> SmsDecision {
    match decide_for_bookings(candidates, code, now, matches) {
        SmsDecision::Reply(ReplyReason::UnknownNumber) if !from.is_mobile() => {
            SmsDecision::Silent(Silence::NotMobile)
        }
        decision => decision,
    }
}

/// What the bookings made with the sender's number make of the SMS.
fn decide_for_bookings(
    candidates: &[Booking],
    code: Option<&ShortCode>,
    now: DateTime<Utc>,
    matches: impl Fn(&Booking, &ShortCode) -> bool,
) -> SmsDecision {
    if candidates.is_empty() {
        return SmsDecision::Reply(ReplyReason::UnknownNumber);
    }
    if let Some(booking) = code.and_then(|c| candidates.iter().find(|b| matches(b, c))) {
        return match booking.confirm_step(now) {
            ConfirmStep::Confirm if booking.code_locked() => {
                SmsDecision::Reply(ReplyReason::CodeLocked)
            }
            ConfirmStep::Confirm => SmsDecision::Confirm(booking.id),
            ConfirmStep::Expire => SmsDecision::Expire(booking.id),
            ConfirmStep::AlreadyConfirmed => SmsDecision::Reply(ReplyReason::AlreadyConfirmed),
            ConfirmStep::AlreadyExpired => SmsDecision::Reply(ReplyReason::Expired),
            ConfirmStep::Cancelled => SmsDecision::Reply(ReplyReason::Cancelled),
        };
    }
    let open: Vec<&Booking> = candidates
        .iter()
        .filter(|b| b.status == BookingStatus::Pending && !b.hold_expired(now))
        .collect();
    let unlocked: Vec<&Booking> = open.iter().copied().filter(|b| !b.code_locked()).collect();
    if !unlocked.is_empty() {
        let tries_left = unlocked
            .iter()
            .map(|b| b.code_tries_left().saturating_sub(1))
            .min()
            .unwrap_or(0);
        return SmsDecision::WrongCode {
            holds: unlocked.iter().map(|b| b.id).collect(),
            tries_left,
        };
    }
    if !open.is_empty() {
        return SmsDecision::Reply(ReplyReason::CodeLocked);
    }
    let lapsed = candidates.iter().any(|b| {
        b.status == BookingStatus::Expired
            || (b.status == BookingStatus::Pending && b.hold_expired(now))
    });
    SmsDecision::Reply(if lapsed {
        ReplyReason::Expired
    } else {
        ReplyReason::UnknownNumber
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::MAX_CODE_ATTEMPTS;
    use crate::domain::booking::tests::booking;
    use chrono::Duration;
    use ulid::Ulid;

    fn hold(n: u64, code: &str) -> (Booking, String) {
        let b = Booking {
            id: BookingId::from_ulid(Ulid::from_parts(n, 1)),
            ..booking(BookingStatus::Pending)
        };
        (b, code.to_string())
    }

    /// The number the test bookings were made with (a Polish mobile).
    fn mobile() -> PhoneNumber {
        PhoneNumber::from_e164("+48601234567").unwrap()
    }

    fn run(cands: &[(Booking, String)], body: &str, now: DateTime<Utc>) -> SmsDecision {
        run_from(&mobile(), cands, body, now)
    }

    fn run_from(
        from: &PhoneNumber,
        cands: &[(Booking, String)],
        body: &str,
        now: DateTime<Utc>,
    ) -> SmsDecision {
        let bookings: Vec<Booking> = cands.iter().map(|(b, _)| b.clone()).collect();
        let code = read_code(body);
        decide(&bookings, from, code.as_ref(), now, |b, c| {
            cands.iter().any(|(x, k)| x.id == b.id && k == c.as_str())
        })
    }

    #[test]
    fn a_number_with_nothing_waiting_is_answered_only_when_it_is_a_mobile_one() {
        let at = hold(1, "AC34FH").0.created_at;
        for (number, decision) in [
            (
                "+48601234567",
                SmsDecision::Reply(ReplyReason::UnknownNumber),
            ),
            (
                "+420601123456",
                SmsDecision::Reply(ReplyReason::UnknownNumber),
            ),
            ("+48895273111", SmsDecision::Silent(Silence::NotMobile)),
            ("+48800123456", SmsDecision::Silent(Silence::NotMobile)),
            ("+48701234567", SmsDecision::Silent(Silence::NotMobile)),
        ] {
            let from = PhoneNumber::from_e164(number).unwrap();
            assert_eq!(run_from(&from, &[], "AC34FH", at), decision, "{number}");
        }
        // A known number's hold is answered as always (it was given at booking).
        let fixed_line = PhoneNumber::from_e164("+48895273111").unwrap();
        let (a, code) = hold(1, "AC34FH");
        let now = a.created_at + Duration::minutes(10);
        assert!(matches!(
            run_from(&fixed_line, &[(a, code)], "TWXY79", now),
            SmsDecision::WrongCode { .. }
        ));
    }

    #[test]
    fn unknown_numbers_are_answered_in_the_language_of_their_country() {
        assert_eq!(language_for_number("+48500100200"), Lang::Pl);
        assert_eq!(language_for_number("+420601234567"), Lang::Cs);
        assert_eq!(language_for_number("+380501234567"), Lang::Uk);
        assert_eq!(language_for_number("+4915112345678"), Lang::En);
    }

    #[test]
    fn codes_are_read_ignoring_case_spaces_and_dashes() {
        assert_eq!(read_code(" ac3 4fh\n").unwrap().as_str(), "AC34FH");
        assert_eq!(read_code("AC3-4FH").unwrap().as_str(), "AC34FH");
        assert!(read_code("TAK").is_none());
        assert!(read_code("").is_none());
    }

    #[test]
    fn the_right_code_before_expiry_confirms_the_hold_it_belongs_to() {
        let (a, b) = (hold(1, "AC34FH"), hold(2, "TWXY79"));
        let now = a.0.created_at + Duration::minutes(10);
        assert_eq!(
            run(&[a.clone(), b.clone()], "twxy79", now),
            SmsDecision::Confirm(b.0.id)
        );
    }

    #[test]
    fn a_wrong_code_counts_against_every_open_hold_of_the_number() {
        let (a, b) = (hold(1, "AC34FH"), hold(2, "TWXY79"));
        let now = a.0.created_at + Duration::minutes(10);
        let SmsDecision::WrongCode { holds, tries_left } =
            run(&[a.clone(), b.clone()], "AAAAAA", now)
        else {
            panic!("expected a wrong-code decision");
        };
        assert_eq!(holds, vec![a.0.id, b.0.id]);
        assert_eq!(tries_left, MAX_CODE_ATTEMPTS - 1);
        assert!(matches!(
            run(&[a], "hello", now),
            SmsDecision::WrongCode { .. }
        ));
    }

    #[test]
    fn replies_say_why_nothing_was_confirmed() {
        let (a, _) = hold(1, "AC34FH");
        let at = a.created_at + Duration::minutes(10);
        let with = |status: BookingStatus, attempts: u32| {
            vec![(
                Booking {
                    status,
                    code_attempts: attempts,
                    ..a.clone()
                },
                "AC34FH".to_string(),
            )]
        };
        let table = [
            (
                vec![],
                "AC34FH",
                at,
                SmsDecision::Reply(ReplyReason::UnknownNumber),
            ),
            (
                with(BookingStatus::Pending, 0),
                "AC34FH",
                a.hold_expires_at,
                SmsDecision::Expire(a.id),
            ),
            (
                with(BookingStatus::Pending, MAX_CODE_ATTEMPTS),
                "AC34FH",
                at,
                SmsDecision::Reply(ReplyReason::CodeLocked),
            ),
            (
                with(BookingStatus::Pending, MAX_CODE_ATTEMPTS),
                "TWXY79",
                at,
                SmsDecision::Reply(ReplyReason::CodeLocked),
            ),
            (
                with(BookingStatus::Confirmed, 0),
                "AC34FH",
                at,
                SmsDecision::Reply(ReplyReason::AlreadyConfirmed),
            ),
            (
                with(BookingStatus::Cancelled, 0),
                "AC34FH",
                at,
                SmsDecision::Reply(ReplyReason::Cancelled),
            ),
            (
                with(BookingStatus::Expired, 0),
                "AC34FH",
                at,
                SmsDecision::Reply(ReplyReason::Expired),
            ),
            (
                with(BookingStatus::Expired, 0),
                "TWXY79",
                at,
                SmsDecision::Reply(ReplyReason::Expired),
            ),
            (
                with(BookingStatus::Confirmed, 0),
                "TWXY79",
                at,
                SmsDecision::Reply(ReplyReason::UnknownNumber),
            ),
        ];
        for (cands, body, now, expected) in table {
            assert_eq!(
                run(&cands, body, now),
                expected,
                "{body} {:?}",
                cands.first().map(|c| c.0.status)
            );
        }
    }

    #[test]
    fn the_last_allowed_wrong_code_says_no_tries_are_left() {
        let (a, code) = hold(1, "AC34FH");
        let a = Booking {
            code_attempts: MAX_CODE_ATTEMPTS - 1,
            ..a
        };
        let now = a.created_at;
        assert_eq!(
            run(&[(a.clone(), code)], "TWXY79", now),
            SmsDecision::WrongCode {
                holds: vec![a.id],
                tries_left: 0
            }
        );
    }
}
