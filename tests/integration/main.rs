//! Integration tests against DynamoDB Local: one binary, one table per test.

mod abuse;
mod admin;
mod bad_input;
mod bounces;
mod capacity;
mod clerk;
mod documents;
mod events;
mod faults;
mod flow;
mod fuzz_regressions;
mod idempotency;
mod inbound_sms;
mod key_rotation;
mod kiosk;
mod named_clerk;
mod notify;
mod openapi;
mod person;
mod privacy;
mod queue;
mod round_trips;
mod staff;
mod statistics;
mod sweeper;
