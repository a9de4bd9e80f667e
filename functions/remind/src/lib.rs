//! Scheduled (EventBridge): queues the reminders that are due. Each run looks
//! at every visit within the lead time, so a missed run loses nothing; each
//! booking is reminded once (a condition on the booking).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::Duration;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::{Value, json};
use termin::service::{self, App};

pub async fn handle(
    app: &App,
    lead: Duration,
    _event: LambdaEvent<EventBridgeEvent<Value>>,
) -> Result<Value, Error> {
    let queued = service::queue_reminders(app, lead).await?;
    Ok(json!({ "queued": queued }))
}
