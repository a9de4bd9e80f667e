//! Termin's domain crate.
//!
//! - [`domain`]: pure rules — catalog, opening hours and slots, capacity units,
//!   national IDs, contact data, codes and tokens, booking state changes. No I/O.
//! - [`store`]: the DynamoDB single-table adapter (keys, items, transactions).
//! - [`service`]: the use cases (list, book, confirm, cancel) that join rules and store.
//! - [`api`]: the HTTP edge shared by every function: request DTOs, one error shape.
//!
//! Time and randomness come in through [`domain::clock::Clock`] and
//! [`domain::codes::Entropy`], so every rule runs under a fixed clock in tests.

pub mod api;
pub mod config;
pub mod domain;
pub mod messages;
pub mod service;
pub mod store;
pub mod telemetry;
