//! Pure rules: nothing here reads the clock, the network or a random source.

pub mod audit;
pub mod booking;
pub mod catalog;
pub mod catalog_change;
pub mod clock;
pub mod codes;
pub mod contact;
pub mod documents;
pub mod holidays;
pub mod ids;
pub mod kiosk;
pub mod limits;
pub mod national_id;
pub mod outbox;
pub mod queue;
pub mod schedule;
pub mod secrets;
pub mod signing;
pub mod sms_reply;
pub mod staff;
pub mod statistics;

#[cfg(test)]
mod proptests;
