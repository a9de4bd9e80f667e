//! The scheduled sweeper: pending holds past their hour are expired (capacity
//! back, the citizen told), confirmed visits whose kiosk window closed without
//! the code become no-shows with a strike, and enough strikes block online
//! booking at the office for a while (seed 002), with an email saying until when;
//! and bookings whose visit is older than the retention period lose their
//! personal data, keeping what statistics need.
//!
//! It reads only what is due: the hour buckets of GSI2 (`HOLDS#…` for holds,
//! `VISITS#…` for confirmed visits) from [`LOOKBACK`] ago to now. Every write
//! is conditional on the booking's state, so overlapping or repeated runs end
//! in the same state and count nothing twice. One failing booking does not
//! stop the rest; the run reports it so the schedule retries.

use crate::domain::audit::AuditAction;
use crate::domain::booking::{Booking, ConfirmStep};
use crate::domain::ids::BookingId;
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::schedule;
use crate::domain::staff::{Role, Staff};
use crate::error::error_chain;
use crate::service::input::{LiftBlockRequest, parse_national_id};
use crate::service::statistics::keep_finished_days;
use crate::service::transitions::expire;
use crate::service::{App, ServiceError};
use crate::store::keys;
use chrono::{DateTime, Duration, Utc};

/// How far back the sweep looks for due items. A sweep that was down longer
/// leaves older holds to the lazy expiry of confirm and cancel.
pub const LOOKBACK: Duration = Duration::hours(24);

/// How many days before the retention cut-off the purge looks again, for
/// sweeps that were down.
pub const PURGE_LOOKBACK_DAYS: u32 = 7;

/// What the sweep is configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepConfig {
    /// Days after the visit day that a booking keeps its personal data.
    pub retention_days: u32,
}

impl Default for SweepConfig {
    fn default() -> Self {
        Self { retention_days: 30 }
    }
}

impl SweepConfig {
    /// `RETENTION_DAYS` (default 30).
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, crate::config::ConfigError> {
        match get("RETENTION_DAYS") {
            None => Ok(Self::default()),
            Some(raw) => raw
                .trim()
                .parse()
                .ok()
                .filter(|days| *days >= 1)
                .map(|retention_days| Self { retention_days })
                .ok_or(crate::config::ConfigError::Invalid(
                    "RETENTION_DAYS",
                    "a whole number of days, at least 1",
                )),
        }
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    /// Booking ids read from the due buckets.
    pub read: usize,
    pub expired: usize,
    pub no_shows: usize,
    pub blocks: usize,
    /// Bookings whose personal data was removed.
    pub purged: usize,
    /// Finished days whose statistics were kept.
    pub statistics_days: usize,
    /// Bookings that failed (logged); the run reports an error so it is retried.
    pub failed: usize,
}

/// A sweep that did its work but failed on some bookings.
#[derive(Debug, thiserror::Error)]
#[error("{} of the due bookings failed", .0.failed)]
pub struct SweepFailed(pub SweepReport);

/// The hour buckets from [`LOOKBACK`] before `now` up to `now`'s hour.
fn buckets(prefix: &str, now: DateTime<Utc>) -> Vec<String> {
    let hours = LOOKBACK.num_hours();
    (0..=hours)
        .rev()
        .map(|back| keys::gsi2_bucket(prefix, now - Duration::hours(back)))
        .collect()
}

/// One sweep at the app's clock.
#[tracing::instrument(skip_all)]
pub async fn sweep(app: &App, config: SweepConfig) -> Result<SweepReport, ServiceError> {
    let now = app.clock.now();
    let mut report = SweepReport::default();

    for bucket in buckets(keys::HOLDS_BUCKET, now) {
        for id in app.store.due_in_bucket(&bucket, now).await? {
            report.read += 1;
            match expire_hold(app, id, now).await {
                Ok(true) => report.expired += 1,
                Ok(false) => {}
                Err(e) => report.fail(id, &e),
            }
        }
    }
    for bucket in buckets(keys::VISITS_BUCKET, now) {
        for id in app.store.due_in_bucket(&bucket, now).await? {
            report.read += 1;
            match no_show(app, id, now).await {
                Ok(outcome) => {
                    report.no_shows += usize::from(outcome.marked);
                    report.blocks += usize::from(outcome.blocked);
                }
                Err(e) => report.fail(id, &e),
            }
        }
    }
    for office in app.store.list_offices().await? {
        // Before the purge and the TTL: the rows outlive the bookings.
        let catalog = app.catalog(&office.id).await?;
        report.statistics_days += keep_finished_days(app, &catalog).await?;
        let today = schedule::local_date(&office, now);
        for back in 0..PURGE_LOOKBACK_DAYS {
            let days = u64::from(config.retention_days + 1 + back);
            let Some(day) = today.checked_sub_days(chrono::Days::new(days)) else {
                continue;
            };
            for id in app.store.bookings_of_day(&office.id, day).await? {
                report.read += 1;
                match app
                    .store
                    .purge_personal_data(id, &office.id, day, now)
                    .await
                {
                    Ok(purged) => report.purged += usize::from(purged),
                    Err(e) => report.fail(id, &e.into()),
                }
            }
        }
    }
    tracing::info!(
        read = report.read,
        expired = report.expired,
        no_shows = report.no_shows,
        blocks = report.blocks,
        purged = report.purged,
        statistics_days = report.statistics_days,
        failed = report.failed,
        "sweep done"
    );
    Ok(report)
}

impl SweepReport {
    fn fail(&mut self, id: BookingId, e: &ServiceError) {
        tracing::error!(booking_id = %id, error = %error_chain(e), "sweeping a booking failed");
        self.failed += 1;
    }
}

/// Expires a lapsed hold. `false`: not due (confirmed, cancelled or expired meanwhile).
async fn expire_hold(app: &App, id: BookingId, now: DateTime<Utc>) -> Result<bool, ServiceError> {
    let Some(booking) = app.store.get_booking(id).await? else {
        return Ok(false);
    };
    if booking.confirm_step(now) != ConfirmStep::Expire {
        return Ok(false);
    }
    // A refusal means a confirm or another sweep got there first: nothing to do.
    Ok(expire(app, &booking, None).await?.is_ok())
}

#[derive(Debug, Default)]
struct NoShowOutcome {
    marked: bool,
    blocked: bool,
}

/// Marks a confirmed visit whose kiosk window closed a no-show, and blocks
/// the person when the department's rule is met.
async fn no_show(
    app: &App,
    id: BookingId,
    now: DateTime<Utc>,
) -> Result<NoShowOutcome, ServiceError> {
    let Some(booking) = app.store.get_booking(id).await? else {
        return Ok(NoShowOutcome::default());
    };
    let catalog = app.catalog(&booking.office_id).await?;
    let department = catalog
        .departments
        .iter()
        .find(|d| d.id == booking.department_id)
        .ok_or(ServiceError::ServiceNotFound)?;
    if !booking.no_show_due(department.kiosk.window, now) {
        return Ok(NoShowOutcome::default());
    }
    let rule = department.kiosk.no_show_rule;
    if app
        .store
        .mark_no_show(&booking, now, rule.strike_lifetime())
        .await?
        .is_err()
    {
        // Redeemed, resigned or cancelled meanwhile, or another sweep marked it.
        return Ok(NoShowOutcome::default());
    }
    tracing::info!(booking_id = %booking.id, "visit missed: no-show");
    let strikes = app
        .store
        .strikes(&booking.person, &booking.office_id)
        .await?;
    let Some(until) = rule.blocked_until(&strikes, now) else {
        return Ok(NoShowOutcome {
            marked: true,
            blocked: false,
        });
    };
    // The block ends when the named day begins at the office.
    let from = schedule::local_date(&catalog.office, until);
    let until = schedule::local_midnight(&catalog.office, from).unwrap_or(until);
    let message = block_message(app, &booking, from, now);
    let blocked = app
        .store
        .block_person(&booking.person, &booking.office_id, until, &message)
        .await?;
    if blocked {
        tracing::info!(booking_id = %booking.id, "online booking blocked after no-shows");
    }
    Ok(NoShowOutcome {
        marked: true,
        blocked,
    })
}

fn block_message(
    app: &App,
    booking: &Booking,
    from: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> OutboxMessage {
    OutboxMessage {
        bookable_again_from: Some(from),
        ..OutboxMessage::plain(app.new_outbox_id(), booking, MessageKind::NoShowBlock, now)
    }
}

/// Lifts a person's block at an office: a clerk (or the office's admin) of
/// that office, after a call or at the desk. `false`: the person was not blocked there.
pub async fn lift_block(
    app: &App,
    staff: &Staff,
    request: LiftBlockRequest,
) -> Result<bool, ServiceError> {
    let office_id = crate::domain::ids::OfficeId::parse(&request.office_id)
        .map_err(|e| crate::service::FieldError::new("office_id", "invalid", e))?;
    if !staff.may(Role::Clerk, &office_id) {
        return Err(ServiceError::Forbidden);
    }
    let catalog = app.catalog(&office_id).await?;
    let today = schedule::local_date(&catalog.office, app.clock.now());
    let national_id = parse_national_id(&catalog.office, &request.national_id, today)?;
    // A block recorded before a key rotation is under the earlier key.
    let mut lifted = false;
    for person in app.keyring.person_keys(&national_id) {
        let entry = app.audit_entry(staff, &office_id, AuditAction::BlockLifted, &person.0);
        lifted |= app.store.lift_block(&person, &office_id, &entry).await?;
    }
    if lifted {
        tracing::info!(office = %office_id, staff = %staff.subject, "no-show block lifted");
    }
    Ok(lifted)
}
