//! Reminders before the visit, queued by a scheduled function.

use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::schedule;
use crate::domain::secrets::Purpose;
use crate::service::{App, ServiceError};
use chrono::Duration;

/// Queues a reminder for every confirmed booking due one (see
/// [`Booking::reminder_due`](crate::domain::booking::Booking::reminder_due)).
/// Safe to run as often as wanted and concurrently: each booking is reminded once.
/// Returns how many reminders were queued.
#[tracing::instrument(skip_all)]
pub async fn queue_reminders(app: &App, lead: Duration) -> Result<usize, ServiceError> {
    let now = app.clock.now();
    let until = now + lead;
    let mut queued = 0;
    for office in app.store.list_offices().await? {
        let mut date = schedule::local_date(&office, now);
        let last = schedule::local_date(&office, until);
        while date <= last {
            for booking in app
                .store
                .bookings_starting(&office.id, date, now, until)
                .await?
            {
                if !booking.reminder_due(now, lead) {
                    continue;
                }
                let (manage_token, digest) =
                    app.keyring.issue_token(Purpose::ManageToken, &*app.entropy);
                let message = OutboxMessage {
                    manage_token: Some(manage_token),
                    ..OutboxMessage::plain(
                        app.new_outbox_id(),
                        &booking,
                        MessageKind::Reminder,
                        now,
                    )
                };
                // A refusal means someone else reminded it or it changed: nothing to do.
                if app
                    .store
                    .queue_reminder(&booking, &digest, now, &message)
                    .await?
                    .is_ok()
                {
                    queued += 1;
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
    }
    tracing::info!(queued, "reminders queued");
    Ok(queued)
}
