//! Scheduled (EventBridge, every minute): expires pending holds past their
//! hour, marks visits whose kiosk window closed without the code as no-shows,
//! and blocks online booking after no-shows (see `service::sweeper`). Safe to
//! run twice or overlapping; a run that failed on some bookings returns an
//! error, so the schedule retries it (and, after the retries, its dead-letter
//! queue keeps the event).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::{Value, json};
use termin::service::App;
use termin::service::sweeper::{self, SweepConfig, SweepFailed};

pub async fn handle(
    app: &App,
    config: SweepConfig,
    _event: LambdaEvent<EventBridgeEvent<Value>>,
) -> Result<Value, Error> {
    let report = sweeper::sweep(app, config).await?;
    if report.failed > 0 {
        return Err(SweepFailed(report).into());
    }
    Ok(json!(report))
}
