//! The inbound-SMS use case: confirm by replying with the code.

use crate::domain::booking::Booking;
use crate::domain::ids::BookingId;
use crate::domain::limits::{Counted, UNKNOWN_NUMBER_REPLIES};
use crate::domain::outbox::OutboxMessage;
use crate::domain::secrets::Purpose;
use crate::domain::sms_reply::{
    self, InboundSms, ReplyReason, Silence, SmsDecision, language_for_number,
};
use crate::service::transitions::{expire, write_confirmation};
use crate::service::{App, MAX_ATTEMPTS, ServiceError, backoff};
use crate::store::{ConfirmProof, TransitionRefusal};

/// What an inbound SMS did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsOutcome {
    Confirmed(BookingId),
    /// The right code for a hold past its hour: it was released (the expiry message answers).
    Expired(BookingId),
    /// Answered with a reason; for a wrong code the attempt was counted.
    Replied(ReplyReason),
    /// This inbound SMS was already acted on.
    Duplicate,
    /// Not answered at all: a number with no booking answered today already,
    /// or a sender that is not a mobile number.
    NotAnswered(Silence),
}

/// Acts on one inbound SMS: at most once per inbound message id.
#[tracing::instrument(skip_all, fields(inbound_id = %sms.id))]
pub async fn handle_inbound_sms(app: &App, sms: &InboundSms) -> Result<SmsOutcome, ServiceError> {
    let phone_key = app.keyring.digest(Purpose::Phone, sms.from.as_str());
    let code = sms_reply::read_code(&sms.body);
    // An unknown number's answer is counted once per inbound SMS, not again
    // when a conflict makes this loop decide a second time.
    let mut reply_counted = false;
    for attempt in 0..MAX_ATTEMPTS {
        // Holds made before a key rotation are found under the earlier key.
        let mut ids = Vec::new();
        for key in app.keyring.digests(Purpose::Phone, sms.from.as_str()) {
            ids.extend(app.store.bookings_by_phone(&key).await?);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        let mut candidates = Vec::new();
        for id in ids {
            if let Some(booking) = app.store.get_booking(id).await? {
                candidates.push(booking);
            }
        }
        let now = app.clock.now();
        let decision = sms_reply::decide(&candidates, &sms.from, code.as_ref(), now, |b, c| {
            app.keyring
                .verify(Purpose::ConfirmCode, c.as_str(), &b.confirm_code)
        });
        let find = |id: &BookingId| candidates.iter().find(|b| b.id == *id);
        let reply = |about: Option<&Booking>, reason: ReplyReason| {
            OutboxMessage::sms_reply(
                app.new_outbox_id(),
                about,
                sms.from.clone(),
                reason,
                language_for_number(sms.from.as_str()),
                now,
            )
        };
        if matches!(decision, SmsDecision::Reply(ReplyReason::UnknownNumber)) && !reply_counted {
            reply_counted = true;
            let limited = app
                .store
                .count_hit(
                    Counted::RepliesToUnknownNumber,
                    &phone_key.0,
                    UNKNOWN_NUMBER_REPLIES,
                    now,
                )
                .await?;
            if limited.is_some() {
                tracing::info!("unknown number already answered today");
                return Ok(SmsOutcome::NotAnswered(Silence::AnsweredToday));
            }
        }
        let result = match &decision {
            SmsDecision::Confirm(id) => {
                let booking = find(id).ok_or(ServiceError::BookingNotFound)?;
                let proof = ConfirmProof::Code(booking.confirm_code.clone());
                write_confirmation(app, booking, &proof, Some(&sms.id))
                    .await?
                    .map(|_| SmsOutcome::Confirmed(*id))
            }
            SmsDecision::Expire(id) => {
                let booking = find(id).ok_or(ServiceError::BookingNotFound)?;
                expire(app, booking, Some(&sms.id))
                    .await?
                    .map(|()| SmsOutcome::Expired(*id))
            }
            SmsDecision::WrongCode { holds, tries_left } => {
                let reason = ReplyReason::WrongCode {
                    tries_left: *tries_left,
                };
                let about = holds.first().and_then(find);
                app.store
                    .record_wrong_codes(holds, &reply(about, reason), now, &sms.id)
                    .await?
                    .map(|()| SmsOutcome::Replied(reason))
            }
            SmsDecision::Reply(reason) => app
                .store
                .reply_once(&reply(candidates.first(), *reason), now, &sms.id)
                .await?
                .map(|()| SmsOutcome::Replied(*reason)),
            // Nothing written: a second delivery is decided the same way.
            SmsDecision::Silent(why) => Ok(SmsOutcome::NotAnswered(*why)),
        };
        match result {
            Ok(outcome) => {
                tracing::info!(outcome = ?outcome, "inbound SMS handled");
                return Ok(outcome);
            }
            Err(TransitionRefusal::Duplicate) => {
                tracing::info!("inbound SMS already handled");
                return Ok(SmsOutcome::Duplicate);
            }
            Err(TransitionRefusal::Conflict) => backoff(app, attempt).await,
            // A booking changed between the read and the write: decide again.
            Err(TransitionRefusal::StateChanged) => {}
        }
    }
    Err(ServiceError::Busy)
}
