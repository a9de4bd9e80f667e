//! Messages to send, written in the same transaction as the state change they
//! announce, so a change is never made without its message (and vice versa).
//! The notify function reads them from the table's stream.
//!
//! The one place a raw token or code exists after the request that made it is
//! an outbox message: the citizen must receive it. The notify function strips
//! these fields once the message is sent, and the item's TTL removes it.

use crate::domain::booking::{Booking, Channel};
use crate::domain::catalog::Lang;
use crate::domain::codes::{ShortCode, Token};
use crate::domain::contact::PhoneNumber;
use crate::domain::ids::{BookingId, OutboxId};
use crate::domain::sms_reply::ReplyReason;
use chrono::{DateTime, Utc};
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
}

impl OutboxMessage {
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
        }
    }
}
