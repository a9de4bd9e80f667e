//! Turns dead letters of the notify function (the bodies of its dead-letter
//! queue's messages, one JSON per line on standard input) into the events the
//! notify function takes, one JSON per line on standard output, by reading the
//! records back from the table's stream (kept 24 hours). Each output line is
//! then given to the deployed notify function (README, "Operations"):
//!
//! ```sh
//! aws sqs receive-message --queue-url "$DLQ" --max-number-of-messages 10 \
//!   --query 'Messages[].Body' --output json | jq -c '.[] | fromjson' \
//!   | replay-dead-letter > events.jsonl
//! ```

use std::io::BufRead;
use termin_local::replay::replay_event;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let aws = termin::sdk::load().await;
    let streams = aws_sdk_dynamodbstreams::Client::new(&aws);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let event = replay_event(&streams, &line)
            .await
            .map_err(|e| termin::error::error_chain(&e))?;
        eprintln!("{} records", event.records.len());
        println!("{}", serde_json::to_string(&event)?);
    }
    Ok(())
}
