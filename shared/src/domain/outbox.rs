//! Messages to send, written in the same transaction as the state change they
//! announce, so a change is never made without its message (and vice versa).
//! The notify function reads them from the table's stream.
//!
//! The one place a token or code exists after the request that made it is
//! an outbox message: the citizen must receive it. The store seals these
//! fields (`Sealer`), so the table, its stream and its backups hold only
//! ciphertext; notify opens them to send, strips them once the message is
//! sent, and the item's TTL removes it.

use crate::domain::booking::{Booking, BookingStatus, Channel};
use crate::domain::catalog::Lang;
use crate::domain::codes::{ShortCode, Token};
use crate::domain::contact::PhoneNumber;
use crate::domain::ids::{BookingId, OutboxId};
use crate::domain::sms_reply::ReplyReason;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The confirm link and code; the hold expires in one hour.
    HoldCreated,
    /// The kiosk code, a cancel link, an .ics.
    Confirmed,
    Cancelled,
    Expired,
    /// Before the visit; carries a fresh manage token for the cancel link.
    Reminder,
    /// The answer to an inbound SMS that confirmed nothing.
    SmsReply,
    /// A missed visit blocked online booking at the office (seed 002).
    NoShowBlock,
    /// Someone asked to cancel by national ID, matter and day: a fresh manage
    /// token's cancel link, by email only (the booking's own address).
    CancelLink,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: OutboxId,
    /// None only for an SMS reply to a number with no booking.
    pub booking_id: Option<BookingId>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub language: Lang,
    pub created_at: DateTime<Utc>,
    pub confirm_token: Option<Token>,
    pub confirm_code: Option<ShortCode>,
    pub manage_token: Option<Token>,
    /// For [`MessageKind::SmsReply`]: why, and the number to answer.
    pub reply: Option<ReplyReason>,
    pub sms_to: Option<PhoneNumber>,
    /// For [`MessageKind::NoShowBlock`]: the first local day online booking works again.
    pub bookable_again_from: Option<NaiveDate>,
}

/// The channels a message goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub sms: bool,
}

impl OutboxMessage {
    /// Whether the message is out of date by the time it is sent: a hold's
    /// first message once the hold is no longer pending (confirmed or lapsed
    /// meanwhile), a reminder for a booking no longer confirmed.
    pub fn is_stale(&self, booking: Option<&Booking>) -> bool {
        match (self.kind, booking) {
            (MessageKind::HoldCreated, Some(b)) => b.status != BookingStatus::Pending,
            (MessageKind::Reminder, Some(b)) => b.status != BookingStatus::Confirmed,
            (MessageKind::CancelLink, Some(b)) => {
                !matches!(b.status, BookingStatus::Pending | BookingStatus::Confirmed)
            }
            _ => false,
        }
    }

    /// Where the message goes: every booking message by email (the citizen
    /// always gets it), and by SMS as well when they chose SMS and gave a
    /// number; an answer to an inbound SMS only by SMS.
    pub fn channels(&self, booking: Option<&Booking>) -> Channels {
        if self.kind == MessageKind::SmsReply {
            return Channels {
                email: false,
                sms: true,
            };
        }
        Channels {
            // A clerk's booking for a caller without an address gets no email.
            email: booking.is_none_or(|b| b.email.is_some()),
            sms: self.kind != MessageKind::CancelLink
                && booking.is_some_and(|b| b.channel == Channel::Sms && b.phone.is_some()),
        }
    }

    /// A message about `booking` without secrets (cancelled, expired).
    pub fn plain(id: OutboxId, booking: &Booking, kind: MessageKind, now: DateTime<Utc>) -> Self {
        Self {
            id,
            booking_id: Some(booking.id),
            kind,
            channel: booking.channel,
            language: booking.language,
            created_at: now,
            confirm_token: None,
            confirm_code: None,
            manage_token: None,
            reply: None,
            sms_to: None,
            bookable_again_from: None,
        }
    }

    /// An SMS answer to `to`, about `booking` when the number has one.
    pub fn sms_reply(
        id: OutboxId,
        booking: Option<&Booking>,
        to: PhoneNumber,
        reason: ReplyReason,
        language: Lang,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            booking_id: booking.map(|b| b.id),
            kind: MessageKind::SmsReply,
            channel: Channel::Sms,
            language: booking.map_or(language, |b| b.language),
            created_at: now,
            confirm_token: None,
            confirm_code: None,
            manage_token: None,
            reply: Some(reason),
            sms_to: Some(to),
            bookable_again_from: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::tests::booking;
    use crate::domain::catalog::Country;
    use crate::domain::ids::OutboxId;
    use crate::domain::sms_reply::ReplyReason;
    use ulid::Ulid;

    fn message(kind: MessageKind, b: &Booking) -> OutboxMessage {
        OutboxMessage::plain(
            OutboxId::from_ulid(Ulid::from_parts(2, 2)),
            b,
            kind,
            b.created_at,
        )
    }

    #[test]
    fn a_hold_message_is_stale_once_the_hold_is_no_longer_pending() {
        use BookingStatus as S;
        let table = [
            (MessageKind::HoldCreated, S::Pending, false),
            (MessageKind::HoldCreated, S::Confirmed, true),
            (MessageKind::HoldCreated, S::Expired, true),
            (MessageKind::Reminder, S::Confirmed, false),
            (MessageKind::Reminder, S::Cancelled, true),
            (MessageKind::Confirmed, S::Cancelled, false),
            (MessageKind::Cancelled, S::Cancelled, false),
            (MessageKind::Expired, S::Expired, false),
            (MessageKind::CancelLink, S::Pending, false),
            (MessageKind::CancelLink, S::Confirmed, false),
            (MessageKind::CancelLink, S::Cancelled, true),
        ];
        for (kind, status, stale) in table {
            let b = booking(status);
            assert_eq!(
                message(kind, &b).is_stale(Some(&b)),
                stale,
                "{kind:?} for {status:?}"
            );
        }
        let b = booking(S::Confirmed);
        assert!(!message(MessageKind::HoldCreated, &b).is_stale(None));
    }

    #[test]
    fn email_always_goes_out_and_sms_only_to_those_who_chose_it() {
        let phone = PhoneNumber::parse("601 234 567", Country::Pl).unwrap();
        let by_email = Booking {
            phone: Some(phone.clone()),
            ..booking(BookingStatus::Pending)
        };
        let by_sms = Booking {
            channel: Channel::Sms,
            ..by_email.clone()
        };
        let sms_without_number = Booking {
            phone: None,
            ..by_sms.clone()
        };
        let both = Channels {
            email: true,
            sms: true,
        };
        let email_only = Channels {
            email: true,
            sms: false,
        };
        assert_eq!(
            message(MessageKind::Confirmed, &by_email).channels(Some(&by_email)),
            email_only
        );
        assert_eq!(
            message(MessageKind::Confirmed, &by_sms).channels(Some(&by_sms)),
            both
        );
        assert_eq!(
            message(MessageKind::Confirmed, &sms_without_number)
                .channels(Some(&sms_without_number)),
            email_only
        );
        // A cancel link goes to the booking's email address only.
        assert_eq!(
            message(MessageKind::CancelLink, &by_sms).channels(Some(&by_sms)),
            email_only
        );
        let reply = OutboxMessage::sms_reply(
            OutboxId::from_ulid(Ulid::from_parts(3, 3)),
            None,
            phone,
            ReplyReason::UnknownNumber,
            Lang::Pl,
            by_sms.created_at,
        );
        assert_eq!(
            reply.channels(None),
            Channels {
                email: false,
                sms: true
            }
        );
    }
}
