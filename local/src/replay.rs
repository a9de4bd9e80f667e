//! Replaying a dead letter of the notify function. When the notify function
//! gives up on a stream batch, Lambda puts a *pointer* to it into the
//! dead-letter queue (shard, first and last sequence number, stream ARN), not
//! the records; the stream keeps them for 24 hours. [`replay_event`] reads the
//! records back from the stream and builds the event the notify function
//! takes, so an operator can invoke it again once the cause is fixed (README,
//! "Operations"). Delivery is idempotent per channel, so replaying a batch
//! that was partly sent sends nothing twice.

use crate::streams::event_record;
use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use serde::Deserialize;
use std::cmp::Ordering;

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("not a dead letter of a DynamoDB stream batch: {0}")]
    NotADeadLetter(#[source] serde_json::Error),
    #[error("DynamoDB Streams {0} failed (past the stream's 24 hours the records are gone)")]
    Sdk(
        &'static str,
        #[source] Box<dyn std::error::Error + Send + Sync>,
    ),
}

/// The part of Lambda's on-failure message that points into the stream.
#[derive(Debug, Deserialize)]
struct DeadLetterMessage {
    #[serde(rename = "DDBStreamBatchInfo")]
    batch: BatchInfo,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchInfo {
    shard_id: String,
    start_sequence_number: String,
    end_sequence_number: String,
    stream_arn: String,
}

/// Stream sequence numbers are decimal strings of growing length.
fn compare(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// How many empty pages in a row end the read (a shard still open returns
/// empty pages past its newest record).
const EMPTY_PAGES: usize = 3;

/// The notify function's event holding the records a dead letter points at.
pub async fn replay_event(
    streams: &aws_sdk_dynamodbstreams::Client,
    dead_letter: &str,
) -> Result<Event, ReplayError> {
    let message: DeadLetterMessage =
        serde_json::from_str(dead_letter).map_err(ReplayError::NotADeadLetter)?;
    let batch = message.batch;
    let iterator = streams
        .get_shard_iterator()
        .stream_arn(&batch.stream_arn)
        .shard_id(&batch.shard_id)
        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
        .sequence_number(&batch.start_sequence_number)
        .send()
        .await
        .map_err(|e| ReplayError::Sdk("GetShardIterator", Box::new(e)))?;
    let mut next = iterator.shard_iterator().map(str::to_owned);
    let mut event = Event::default();
    let mut empty = 0;
    while let Some(iterator) = next.take() {
        let page = streams
            .get_records()
            .shard_iterator(iterator)
            .send()
            .await
            .map_err(|e| ReplayError::Sdk("GetRecords", Box::new(e)))?;
        let mut past_end = false;
        for record in page.records() {
            let sequence = record
                .dynamodb()
                .and_then(|r| r.sequence_number())
                .unwrap_or_default();
            if compare(sequence, &batch.end_sequence_number) == Ordering::Greater {
                past_end = true;
                break;
            }
            event.records.push(event_record(record, &batch.stream_arn));
        }
        empty = if page.records().is_empty() {
            empty + 1
        } else {
            0
        };
        if past_end || empty >= EMPTY_PAGES {
            break;
        }
        next = page.next_shard_iterator().map(str::to_owned);
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_compare_as_numbers() {
        assert_eq!(compare("900", "1000"), Ordering::Less);
        assert_eq!(compare("1000", "1000"), Ordering::Equal);
        assert_eq!(compare("1001", "1000"), Ordering::Greater);
    }

    #[test]
    fn a_message_that_is_not_a_dead_letter_is_refused() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let config = aws_sdk_dynamodbstreams::Config::builder()
            .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
            .build();
        let client = aws_sdk_dynamodbstreams::Client::from_conf(config);
        let answer = runtime.block_on(replay_event(&client, r#"{"Records": []}"#));
        assert!(matches!(answer, Err(ReplayError::NotADeadLetter(_))));
    }
}
