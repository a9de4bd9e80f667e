//! The table's stream, read the way Lambda's event source mapping reads it:
//! records in shard order, handed to the notify function in batches, a
//! failed record and those after it retried (with a pause), and a record that
//! keeps failing moved aside after a bounded number of tries (the local
//! stand-in for the dead-letter queue), so one poison message cannot block the
//! shard.

use aws_lambda_events::event::dynamodb::{Event, EventRecord, StreamRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// Tries of one record before it is moved to the dead letters (as `MaximumRetryAttempts` + 1).
pub const MAX_TRIES: u32 = 4;
/// Records per batch (the template's `BatchSize`).
pub const BATCH_SIZE: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("DynamoDB Streams {0} failed")]
    Sdk(
        &'static str,
        #[source] Box<dyn std::error::Error + Send + Sync>,
    ),
    #[error("the table has no stream")]
    NoStream,
}

/// A record given up on after [`MAX_TRIES`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadLetter {
    pub sequence_number: String,
    pub keys: String,
    pub shard_id: String,
    pub stream_arn: String,
}

impl DeadLetter {
    /// The message Lambda's on-failure destination gets for this record
    /// (what the dead-letter queue holds in AWS): a pointer into the stream,
    /// not the record itself.
    pub fn lambda_message(&self) -> serde_json::Value {
        serde_json::json!({
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": MAX_TRIES,
            },
            "version": "1.0",
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": self.sequence_number,
                "endSequenceNumber": self.sequence_number,
                "batchSize": 1,
                "streamArn": self.stream_arn,
            },
        })
    }
}

/// One stream consumer for one table.
pub struct StreamPump {
    dynamo: aws_sdk_dynamodb::Client,
    streams: aws_sdk_dynamodbstreams::Client,
    table: String,
    stream_arn: Option<String>,
    /// Next iterator per shard id (None once a closed shard is drained).
    iterators: BTreeMap<String, Option<String>>,
    /// Records read but not yet handled, with their shard and tries so far.
    pending: VecDeque<(EventRecord, String, u32)>,
    pub dead_letters: Vec<DeadLetter>,
}

/// What one [`StreamPump::poll`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollReport {
    pub read: usize,
    pub handled: usize,
    pub failed: usize,
}

impl StreamPump {
    pub fn new(
        dynamo: aws_sdk_dynamodb::Client,
        streams: aws_sdk_dynamodbstreams::Client,
        table: impl Into<String>,
    ) -> Self {
        Self {
            dynamo,
            streams,
            table: table.into(),
            stream_arn: None,
            iterators: BTreeMap::new(),
            pending: VecDeque::new(),
            dead_letters: Vec::new(),
        }
    }

    /// Reads new records from every shard and hands pending records to
    /// `handler` in batches until one fails or none are left.
    pub async fn poll<F, Fut>(&mut self, mut handler: F) -> Result<PollReport, StreamError>
    where
        F: FnMut(Event) -> Fut,
        Fut: std::future::Future<Output = DynamoDbEventResponse>,
    {
        let mut report = PollReport {
            read: self.read().await?,
            ..PollReport::default()
        };
        while !self.pending.is_empty() {
            let batch: Vec<EventRecord> = self
                .pending
                .iter()
                .take(BATCH_SIZE)
                .map(|(r, _, _)| r.clone())
                .collect();
            let size = batch.len();
            let mut event = Event::default();
            event.records = batch;
            let response = handler(event).await;
            let first_failed = response
                .batch_item_failures
                .iter()
                .filter_map(|f| f.item_identifier.as_deref())
                .filter_map(|id| {
                    self.pending
                        .iter()
                        .take(size)
                        .position(|(r, _, _)| r.change.sequence_number.as_deref() == Some(id))
                })
                .min();
            let done = first_failed.unwrap_or(size);
            self.pending.drain(..done);
            report.handled += done;
            if first_failed.is_some() {
                report.failed += 1;
                if let Some((record, shard_id, tries)) = self.pending.front_mut() {
                    *tries += 1;
                    if *tries >= MAX_TRIES {
                        let sequence_number =
                            record.change.sequence_number.clone().unwrap_or_default();
                        let keys = serde_json::to_string(&record.change.keys).unwrap_or_default();
                        tracing::error!(%sequence_number, "stream record moved to the local dead letters");
                        self.dead_letters.push(DeadLetter {
                            sequence_number,
                            keys,
                            shard_id: shard_id.clone(),
                            stream_arn: record.event_source_arn.clone().unwrap_or_default(),
                        });
                        self.pending.pop_front();
                        continue;
                    }
                }
                // Retry on a later poll, like Lambda's retry.
                break;
            }
        }
        Ok(report)
    }

    /// Polls until nothing new arrives and nothing is pending (or `limit` polls pass).
    pub async fn drain<F, Fut>(
        &mut self,
        mut handler: F,
        limit: usize,
    ) -> Result<PollReport, StreamError>
    where
        F: FnMut(Event) -> Fut,
        Fut: std::future::Future<Output = DynamoDbEventResponse>,
    {
        let mut total = PollReport::default();
        for _ in 0..limit {
            let report = self.poll(&mut handler).await?;
            total.read += report.read;
            total.handled += report.handled;
            total.failed += report.failed;
            if report.read == 0 && self.pending.is_empty() {
                break;
            }
            if report.failed > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(total)
    }

    async fn read(&mut self) -> Result<usize, StreamError> {
        let arn = match &self.stream_arn {
            Some(arn) => arn.clone(),
            None => {
                let table = self
                    .dynamo
                    .describe_table()
                    .table_name(&self.table)
                    .send()
                    .await
                    .map_err(|e| StreamError::Sdk("DescribeTable", Box::new(e)))?;
                let arn = table
                    .table()
                    .and_then(|t| t.latest_stream_arn())
                    .ok_or(StreamError::NoStream)?
                    .to_owned();
                self.stream_arn = Some(arn.clone());
                arn
            }
        };
        let description = self
            .streams
            .describe_stream()
            .stream_arn(&arn)
            .send()
            .await
            .map_err(|e| StreamError::Sdk("DescribeStream", Box::new(e)))?;
        for shard in description
            .stream_description()
            .map(|d| d.shards())
            .unwrap_or_default()
        {
            let Some(id) = shard.shard_id() else { continue };
            if self.iterators.contains_key(id) {
                continue;
            }
            let iterator = self
                .streams
                .get_shard_iterator()
                .stream_arn(&arn)
                .shard_id(id)
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await
                .map_err(|e| StreamError::Sdk("GetShardIterator", Box::new(e)))?;
            self.iterators
                .insert(id.to_owned(), iterator.shard_iterator().map(str::to_owned));
        }
        let mut read = 0;
        for (shard_id, next) in &mut self.iterators {
            let Some(iterator) = next.clone() else {
                continue;
            };
            let out = self
                .streams
                .get_records()
                .shard_iterator(iterator)
                .send()
                .await
                .map_err(|e| StreamError::Sdk("GetRecords", Box::new(e)))?;
            for record in out.records() {
                self.pending
                    .push_back((event_record(record, &arn), shard_id.clone(), 0));
                read += 1;
            }
            *next = out.next_shard_iterator().map(str::to_owned);
        }
        Ok(read)
    }
}

/// A stream record in the shape Lambda delivers it.
pub(crate) fn event_record(record: &Record, arn: &str) -> EventRecord {
    let mut change = StreamRecord::default();
    if let Some(sr) = record.dynamodb() {
        change.keys = sr.keys().cloned().unwrap_or_default().into();
        change.new_image = sr.new_image().cloned().unwrap_or_default().into();
        change.old_image = sr.old_image().cloned().unwrap_or_default().into();
        change.sequence_number = sr.sequence_number().map(str::to_owned);
        change.size_bytes = sr.size_bytes().unwrap_or_default();
        if let Some(at) = sr.approximate_creation_date_time() {
            change.approximate_creation_date_time =
                chrono::DateTime::from_timestamp(at.secs(), at.subsec_nanos()).unwrap_or_default();
        }
    }
    let mut event = EventRecord::default();
    event.aws_region = "local".into();
    event.change = change;
    event.event_id = record.event_id().unwrap_or_default().to_owned();
    event.event_name = record
        .event_name()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    event.event_source = Some("aws:dynamodb".into());
    event.event_version = record.event_version().map(str::to_owned);
    event.event_source_arn = Some(arn.to_owned());
    event
}
