//! Sending outbox messages: claim → render → send → mark sent, per channel.
//! Called by the notify function for each outbox item on the table's stream;
//! the providers are behind [`crate::senders`].
//!
//! Every channel of a message is claimed before sending and marked after (see
//! [`crate::store::delivery`]), so a redelivered record sends once in effect;
//! a failed send gives the claim back and returns the error, so the record is
//! retried and, after the event source's bounded retries, lands in its
//! dead-letter queue. Nothing is logged that names the recipient.

use crate::config::NotifyConfig;
use crate::domain::booking::{Booking, Channel};
use crate::domain::catalog::Catalog;
use crate::domain::ids::{BookingId, OutboxId};
use crate::domain::outbox::{MessageKind, OutboxMessage};
use crate::domain::sms_reply::language_for_number;
use crate::error::error_chain;
use crate::messages::{self, Message, RenderError, Visit};
use crate::senders::{SendError, Senders};
use crate::service::{App, ServiceError, Sleeper, TokioSleeper};
use crate::store::{Claim, StoreError};
use chrono::Duration;
use std::sync::Arc;

/// How long a sender may hold a message before another may try it: longer
/// than one send may take ([`crate::senders::SEND_TIMEOUT`]), so a live
/// sender is never overtaken, and short enough that a retry can wait out a
/// lease left by a sender that crashed or timed out, well inside the notify
/// function's own timeout (60 s in the template; a test checks all three).
pub const DELIVERY_LEASE: Duration = Duration::seconds(20);

/// The notify function's state: the app plus the senders.
#[derive(Clone)]
pub struct Notifier {
    pub app: App,
    pub senders: Senders,
    pub config: NotifyConfig,
    /// How a retry waits out a lease (tests move their fixed clock instead).
    pub sleeper: Arc<dyn Sleeper>,
}

impl Notifier {
    pub fn new(app: App, aws: &aws_config::SdkConfig, config: NotifyConfig) -> Self {
        Self {
            app,
            senders: Senders::new(aws),
            config,
            sleeper: Arc::new(TokioSleeper),
        }
    }
}

/// Why a message could not be sent (the record is retried).
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("booking {0} of the message is gone")]
    BookingGone(BookingId),
    #[error("the booking's service is no longer in the catalog")]
    NotInCatalog,
    #[error("the message lacks its {0}")]
    Incomplete(&'static str),
    #[error("could not render the message")]
    Render(#[from] RenderError),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("another sender holds the {0:?} channel of this message")]
    InFlight(Channel),
}

/// What happened to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Every channel it needed is sent (now or by an earlier delivery).
    Sent,
    /// Out of date when it came to be sent (a hold already confirmed or
    /// lapsed, a reminder for a cancelled booking): nothing sent.
    Stale,
    /// The outbox item is gone (past its TTL): nothing to do.
    Gone,
    /// A provider refused a channel for good (the other, if any, was sent):
    /// finished at once, not retried, and named on the booking for staff.
    Undeliverable,
}

impl Delivery {
    fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Stale => "stale",
            Delivery::Gone => "gone",
            Delivery::Undeliverable => "undeliverable",
        }
    }
}

/// The booking, its catalog, and what the message needs from them.
struct Context {
    booking: Booking,
    catalog: Arc<Catalog>,
}

impl Context {
    fn visit(&self) -> Result<Visit<'_>, NotifyError> {
        let (department, service) = self
            .catalog
            .service(&self.booking.service_id)
            .ok_or(NotifyError::NotInCatalog)?;
        Ok(Visit {
            office: &self.catalog.office,
            department,
            service,
            booking: &self.booking,
        })
    }
}

/// The outbox message a table stream image holds, if it is one.
pub fn message_from_image(
    n: &Notifier,
    image: &std::collections::HashMap<String, serde_dynamo::AttributeValue>,
) -> Result<Option<OutboxMessage>, StoreError> {
    n.app.store.outbox_message_from_image(image)
}

/// Sends one outbox message on every channel it needs, once in effect.
#[tracing::instrument(skip_all, fields(outbox_id = %message.id, kind = ?message.kind))]
pub async fn deliver(n: &Notifier, message: &OutboxMessage) -> Result<Delivery, NotifyError> {
    let context = match message.booking_id {
        Some(id) => Some(load_context(n, id).await?),
        None => None,
    };
    let booking = context.as_ref().map(|c| &c.booking);
    if message.is_stale(booking) {
        return finish(n, message.id, Delivery::Stale).await;
    }
    let channels = message.channels(booking);
    let mut refused = false;

    if channels.email {
        let booking = booking.ok_or(NotifyError::Incomplete("booking"))?;
        let to = booking
            .email
            .as_ref()
            .ok_or(NotifyError::Incomplete("email address"))?
            .as_str()
            .to_owned();
        let ctx = context.as_ref().ok_or(NotifyError::Incomplete("booking"))?;
        let outcome = send_once(n, message, Channel::Email, || async {
            let rendered = messages::email(&to_message(n, message, Some(ctx))?)?;
            let raw = messages::mime(&rendered, &n.config.email_from, &to)?;
            let set = n.config.configuration_set.as_deref();
            Ok(n.senders
                .send_email(&n.config.email_from, &to, raw, set)
                .await?)
        })
        .await?;
        match outcome {
            Delivery::Gone => return Ok(Delivery::Gone),
            Delivery::Undeliverable => refused = true,
            _ => {}
        }
    }
    if channels.sms {
        let to = message
            .sms_to
            .as_ref()
            .or(booking.and_then(|b| b.phone.as_ref()))
            .ok_or(NotifyError::Incomplete("phone number"))?
            .as_str()
            .to_owned();
        let fallback = language_for_number(&to);
        let outcome = send_once(n, message, Channel::Sms, || async {
            let text = messages::sms(&to_message(n, message, context.as_ref())?, fallback)?;
            Ok(n.senders.send_sms(&to, text).await?)
        })
        .await?;
        match outcome {
            Delivery::Gone => return Ok(Delivery::Gone),
            Delivery::Undeliverable => refused = true,
            _ => {}
        }
    }
    let how = if refused {
        Delivery::Undeliverable
    } else {
        Delivery::Sent
    };
    finish(n, message.id, how).await
}

async fn finish(n: &Notifier, id: OutboxId, how: Delivery) -> Result<Delivery, NotifyError> {
    n.app
        .store
        .finish_delivery(id, how.as_str(), n.app.clock.now())
        .await?;
    tracing::info!(outcome = how.as_str(), "outbox message done");
    Ok(how)
}

/// Claims one channel, runs `send` if the claim is ours, records the result.
async fn send_once<F, Fut>(
    n: &Notifier,
    message: &OutboxMessage,
    channel: Channel,
    send: F,
) -> Result<Delivery, NotifyError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<String, NotifyError>>,
{
    let store = &n.app.store;
    let id = message.id;
    let claim = || store.claim_delivery(id, channel, n.app.clock.now(), DELIVERY_LEASE);
    let mut claimed = claim().await?;
    if let Claim::Busy { until } = claimed {
        // Most likely a lease left by a sender that crashed or timed out: wait
        // it out once (it is never longer than the lease) rather than fail
        // every retry inside it. A live sender has marked it sent by then.
        let wait = until - n.app.clock.now();
        if wait <= DELIVERY_LEASE {
            n.sleeper.sleep(wait.max(Duration::zero())).await;
            claimed = claim().await?;
        }
    }
    match claimed {
        Claim::AlreadySent => return Ok(Delivery::Sent),
        Claim::Gone => return Ok(Delivery::Gone),
        Claim::Busy { .. } => return Err(NotifyError::InFlight(channel)),
        Claim::Undeliverable => return Ok(Delivery::Undeliverable),
        Claim::Claimed => {}
    }
    match send().await {
        Ok(provider_id) => {
            store
                .mark_delivered(id, channel, &provider_id, n.app.clock.now())
                .await?;
            tracing::info!(channel = ?channel, "sent");
            Ok(Delivery::Sent)
        }
        Err(NotifyError::Send(err)) if err.is_permanent() => {
            tracing::warn!(channel = ?channel, error = %err, "provider refused the recipient for good");
            store
                .mark_undeliverable(id, message.booking_id, channel, err.code())
                .await?;
            Ok(Delivery::Undeliverable)
        }
        Err(err) => {
            // Give the claim back so the retry need not wait; if this fails too the lease runs out.
            if let Err(release) = store.release_claim(id, channel).await {
                tracing::warn!(error = %error_chain(&release), "could not release a delivery claim");
            }
            Err(err)
        }
    }
}

async fn load_context(n: &Notifier, id: BookingId) -> Result<Context, NotifyError> {
    let booking = n
        .app
        .store
        .get_booking(id)
        .await?
        .ok_or(NotifyError::BookingGone(id))?;
    let catalog = n.app.catalog(&booking.office_id).await?;
    Ok(Context { booking, catalog })
}

fn link(n: &Notifier, page: &str, booking: BookingId, token: &str) -> String {
    format!(
        "{}/{page}#booking={booking}&token={token}",
        n.config.public_base_url
    )
}

/// The renderable message for an outbox item, with its links.
fn to_message<'a>(
    n: &Notifier,
    m: &OutboxMessage,
    context: Option<&'a Context>,
) -> Result<Message<'a>, NotifyError> {
    let visit = context.map(Context::visit).transpose()?;
    let need_visit = || visit.ok_or(NotifyError::Incomplete("booking"));
    let cancel_url = |visit: &Visit<'_>| -> Result<String, NotifyError> {
        let token = m
            .manage_token
            .as_ref()
            .ok_or(NotifyError::Incomplete("manage token"))?;
        Ok(link(n, "cancel.html", visit.booking.id, token.as_str()))
    };
    Ok(match m.kind {
        MessageKind::HoldCreated => {
            let visit = need_visit()?;
            let token = m
                .confirm_token
                .as_ref()
                .ok_or(NotifyError::Incomplete("confirm token"))?;
            Message::HoldCreated {
                confirm_url: link(n, "confirm.html", visit.booking.id, token.as_str()),
                confirm_code: m
                    .confirm_code
                    .clone()
                    .ok_or(NotifyError::Incomplete("confirm code"))?,
                cancel_url: cancel_url(&visit)?,
                visit,
            }
        }
        MessageKind::Confirmed => {
            let visit = need_visit()?;
            Message::Confirmed {
                cancel_url: cancel_url(&visit)?,
                visit,
            }
        }
        MessageKind::Reminder => {
            let visit = need_visit()?;
            Message::Reminder {
                cancel_url: cancel_url(&visit)?,
                visit,
            }
        }
        MessageKind::CancelLink => {
            let visit = need_visit()?;
            Message::CancelLink {
                cancel_url: cancel_url(&visit)?,
                visit,
            }
        }
        MessageKind::Cancelled => Message::Cancelled {
            visit: need_visit()?,
        },
        MessageKind::Expired => Message::Expired {
            visit: need_visit()?,
        },
        MessageKind::NoShowBlock => Message::NoShowBlock {
            blocked_until: m
                .bookable_again_from
                .ok_or(NotifyError::Incomplete("bookable again from"))?,
            visit: need_visit()?,
        },
        MessageKind::SmsReply => Message::SmsReply {
            reason: m.reply.ok_or(NotifyError::Incomplete("reply reason"))?,
            visit,
        },
    })
}
