//! The smallest Lambda function: answers every event with a greeting. Built
//! with the workspace's release profile beside the real functions, it is what
//! the cold-start benchmark compares their start with.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|_event: LambdaEvent<Value>| async {
        Ok::<Value, Error>(json!({ "hello": "world" }))
    }))
    .await
}
