//! Confirming a hold with the email link's token or the SMS code typed on the page.

use crate::domain::booking::ConfirmStep;
use crate::domain::ids::BookingId;
use crate::domain::secrets::Purpose;
use crate::service::input::ProofInput;
use crate::service::transitions::{expire, load, write_confirmation};
use crate::service::views::BookingView;
use crate::service::{App, MAX_ATTEMPTS, ServiceError, backoff};
use crate::store::{ConfirmProof, TransitionRefusal};

#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmOutcome {
    pub booking: BookingView,
    pub already_confirmed: bool,
}

/// Confirms a pending hold with the link's token or the SMS code.
#[tracing::instrument(skip_all, fields(booking_id = %id))]
pub async fn confirm(
    app: &App,
    id: BookingId,
    proof: ProofInput,
) -> Result<ConfirmOutcome, ServiceError> {
    for attempt in 0..MAX_ATTEMPTS {
        let booking = load(app, id).await?;
        let proof = match &proof {
            ProofInput::Token(token) => {
                if !app.keyring.verify(
                    Purpose::ConfirmToken,
                    token.as_str(),
                    &booking.confirm_token,
                ) {
                    return Err(ServiceError::WrongProof);
                }
                ConfirmProof::Token(booking.confirm_token.clone())
            }
            ProofInput::Code(code) => {
                // Locked whatever the status: guessing a confirmed booking's
                // code must lock as it does a hold's.
                if booking.code_locked() {
                    return Err(ServiceError::CodeLocked);
                }
                if !app
                    .keyring
                    .verify(Purpose::ConfirmCode, code.as_str(), &booking.confirm_code)
                {
                    app.store.record_wrong_code(id).await?;
                    return Err(ServiceError::WrongProof);
                }
                ConfirmProof::Code(booking.confirm_code.clone())
            }
        };
        // The kiosk code answers the email link only: a short code proves
        // less, and the code's own confirmation message carries it.
        let show_kiosk_code = matches!(proof, ConfirmProof::Token(_));
        let now = app.clock.now();
        let refusal = match booking.confirm_step(now) {
            ConfirmStep::AlreadyConfirmed => {
                return Ok(ConfirmOutcome {
                    booking: BookingView::of(&booking, show_kiosk_code),
                    already_confirmed: true,
                });
            }
            ConfirmStep::Cancelled => return Err(ServiceError::BookingCancelled),
            ConfirmStep::AlreadyExpired => return Err(ServiceError::HoldExpired),
            ConfirmStep::Expire => match expire(app, &booking, None).await? {
                Ok(()) => return Err(ServiceError::HoldExpired),
                Err(refusal) => refusal,
            },
            ConfirmStep::Confirm => match write_confirmation(app, &booking, &proof, None).await? {
                Ok(confirmed) => {
                    return Ok(ConfirmOutcome {
                        booking: BookingView::of(&confirmed, show_kiosk_code),
                        already_confirmed: false,
                    });
                }
                Err(refusal) => refusal,
            },
        };
        // The booking changed under us (or the write met contention): read it again.
        if refusal == TransitionRefusal::Conflict {
            backoff(app, attempt).await;
        }
    }
    Err(ServiceError::Busy)
}
