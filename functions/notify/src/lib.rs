//! The table's stream → every new outbox item is sent. Records are taken in
//! order; at the first one that fails, it and everything after it are reported
//! as batch item failures (Lambda resumes the shard from there), so nothing is
//! skipped and a message that keeps failing ends in the dead-letter queue
//! after the event source's bounded retries.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{Error, LambdaEvent};
use termin::domain::outbox::OutboxMessage;
use termin::error::error_chain;
use termin::service::notify::{self, Notifier};

pub async fn handle(
    notifier: &Notifier,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Error> {
    Ok(process(notifier, &event.payload).await)
}

/// Sends the outbox messages of a batch and names the records to retry.
pub async fn process(notifier: &Notifier, event: &Event) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for (index, record) in event.records.iter().enumerate() {
        let result = match outbox_message(notifier, record) {
            Ok(None) => continue,
            // Boxed: the delivery future is deep, and this keeps the handler's small.
            Ok(Some(message)) => Box::pin(notify::deliver(notifier, &message))
                .await
                .map(|_| ())
                .map_err(|e| error_chain(&e)),
            Err(e) => Err(e),
        };
        if let Err(error) = result {
            tracing::error!(
                error = %error,
                sequence_number = record.change.sequence_number.as_deref().unwrap_or(""),
                "outbox record failed; reported for retry"
            );
            for failed in &event.records[index..] {
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = failed.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
            }
            break;
        }
    }
    response
}

/// The outbox message a record inserts, if it is one.
fn outbox_message(
    notifier: &Notifier,
    record: &EventRecord,
) -> Result<Option<OutboxMessage>, String> {
    if record.event_name != "INSERT" {
        return Ok(None);
    }
    notify::message_from_image(notifier, &record.change.new_image).map_err(|e| error_chain(&e))
}
