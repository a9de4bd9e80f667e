//! What SES reports back about delivered mail (its configuration set's
//! events, through SNS): a permanent bounce or a complaint marks the address
//! undeliverable, so later bookings with it are refused with a clear message
//! instead of sending to it again. Only the address's keyed hash is stored.

use crate::domain::contact::Email;
use crate::domain::secrets::Purpose;
use crate::service::{App, ServiceError};

/// Why SES says an address must not be mailed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressReport {
    /// The receiving server refused the address for good (bounce type "Permanent").
    Bounce,
    /// The recipient marked a message as spam.
    Complaint,
}

impl AddressReport {
    fn as_str(self) -> &'static str {
        match self {
            AddressReport::Bounce => "bounce",
            AddressReport::Complaint => "complaint",
        }
    }
}

/// Marks every address of one report undeliverable.
pub async fn record_undeliverable(
    app: &App,
    addresses: &[Email],
    report: AddressReport,
) -> Result<(), ServiceError> {
    let now = app.clock.now();
    for address in addresses {
        let key = app.keyring.digest(Purpose::Email, address.as_str());
        app.store
            .mark_address_undeliverable(&key, report.as_str(), now)
            .await?;
    }
    tracing::info!(
        report = report.as_str(),
        addresses = addresses.len(),
        "addresses marked undeliverable"
    );
    Ok(())
}
