//! Rate limits: at most so many hits per fixed window, counted per subject
//! (a person key, a client address) by a conditional counter in the table.
//! Here only the rules: which window an instant falls in, and when it ends.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// At most `max` hits in each window of `window_minutes`, windows aligned to
/// the Unix epoch (a one-day window runs from midnight UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub max: u32,
    pub window_minutes: u32,
}

/// The window an instant falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Limit {
    /// The window `now` falls in. A zero-length window is treated as one minute
    /// (catalog validation refuses it before it is stored).
    pub fn window_at(&self, now: DateTime<Utc>) -> Window {
        let length = i64::from(self.window_minutes.max(1)) * 60_000;
        let millis = now.timestamp_millis();
        let start = millis - millis.rem_euclid(length);
        let at = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or(now);
        Window {
            start: at(start),
            end: at(start.saturating_add(length)),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.max > 0 && (1..=MAX_WINDOW_MINUTES).contains(&self.window_minutes)
    }
}

impl Window {
    /// Whole seconds from `now` to the window's end, at least one (`Retry-After`).
    pub fn seconds_left(&self, now: DateTime<Utc>) -> i64 {
        let left = self.end - now;
        (left + TimeDelta::milliseconds(999)).num_seconds().max(1)
    }
}

/// The longest window (a week): a counter lives no longer than its window.
pub const MAX_WINDOW_MINUTES: u32 = 7 * 24 * 60;

/// What is counted, and the limits an office sets (defaults below).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Cancellation requests by national ID for one person (seed 001's
    /// "cancel with PESEL, matter and day"): 5 a day.
    pub cancel_requests_per_person: Limit,
    /// Cancellation requests by national ID from one client address: 20 an hour.
    pub cancel_requests_per_client: Limit,
    /// Holds one person (person key) makes: 5 a day, across matters.
    pub holds_per_person: Limit,
    /// Holds for one email address (each sends an email): 5 a day.
    pub holds_per_email: Limit,
    /// Holds confirmed by SMS to one phone number (each sends an SMS): 3 a day.
    pub sms_holds_per_phone: Limit,
    /// Booking requests at this office from one client address that reach
    /// the hold transaction, whatever its answer: 60 an hour. Counted apart
    /// from the hold, so bookings from one shared (NAT) address do not
    /// conflict with each other.
    pub booking_attempts_per_client: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cancel_requests_per_person: Limit {
                max: 5,
                window_minutes: 24 * 60,
            },
            cancel_requests_per_client: Limit {
                max: 20,
                window_minutes: 60,
            },
            holds_per_person: Limit {
                max: 5,
                window_minutes: 24 * 60,
            },
            holds_per_email: Limit {
                max: 5,
                window_minutes: 24 * 60,
            },
            sms_holds_per_phone: Limit {
                max: 3,
                window_minutes: 24 * 60,
            },
            booking_attempts_per_client: Limit {
                max: 60,
                window_minutes: 60,
            },
        }
    }
}

impl Limits {
    pub fn all(&self) -> [(&'static str, Limit); 6] {
        [
            (
                "cancel_requests_per_person",
                self.cancel_requests_per_person,
            ),
            (
                "cancel_requests_per_client",
                self.cancel_requests_per_client,
            ),
            ("holds_per_person", self.holds_per_person),
            ("holds_per_email", self.holds_per_email),
            ("sms_holds_per_phone", self.sms_holds_per_phone),
            (
                "booking_attempts_per_client",
                self.booking_attempts_per_client,
            ),
        ]
    }
}

/// SMS answers to a number with no booking: one a day, so an auto-responder
/// or a forged sender cannot start an endless exchange or pump SMS to it.
pub const UNKNOWN_NUMBER_REPLIES: Limit = Limit {
    max: 1,
    window_minutes: 24 * 60,
};

/// What a counter counts; its name is part of the counter's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    CancelRequestsPerPerson,
    CancelRequestsPerClient,
    RepliesToUnknownNumber,
    HoldsPerPerson,
    HoldsPerEmail,
    SmsHoldsPerPhone,
    BookingAttemptsPerClient,
}

impl Counted {
    pub fn as_str(self) -> &'static str {
        match self {
            Counted::CancelRequestsPerPerson => "cancel-person",
            Counted::CancelRequestsPerClient => "cancel-client",
            Counted::RepliesToUnknownNumber => "reply-unknown",
            Counted::HoldsPerPerson => "holds-person",
            Counted::HoldsPerEmail => "holds-email",
            Counted::SmsHoldsPerPhone => "holds-phone",
            Counted::BookingAttemptsPerClient => "book-client",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_day_window_runs_from_midnight_utc_to_the_next() {
        let day = Limit {
            max: 5,
            window_minutes: 1440,
        };
        let w = day.window_at(at("2026-11-24T13:45:10Z"));
        assert_eq!(w.start, at("2026-11-24T00:00:00Z"));
        assert_eq!(w.end, at("2026-11-25T00:00:00Z"));
        assert_eq!(day.window_at(at("2026-11-25T00:00:00Z")).start, w.end);
    }

    #[test]
    fn retry_after_counts_whole_seconds_to_the_window_end_and_never_zero() {
        let hour = Limit {
            max: 1,
            window_minutes: 60,
        };
        let w = hour.window_at(at("2026-11-24T13:59:58.500Z"));
        assert_eq!(w.seconds_left(at("2026-11-24T13:59:58.500Z")), 2);
        assert_eq!(w.seconds_left(at("2026-11-24T14:00:00Z")), 1);
        assert_eq!(w.seconds_left(at("2026-11-24T13:00:00Z")), 3600);
    }

    #[test]
    fn a_limit_needs_hits_and_a_window_of_at_most_a_week() {
        let ok = Limit {
            max: 1,
            window_minutes: 1,
        };
        assert!(ok.is_valid());
        assert!(!Limit { max: 0, ..ok }.is_valid());
        assert!(
            !Limit {
                window_minutes: 0,
                ..ok
            }
            .is_valid()
        );
        assert!(
            !Limit {
                window_minutes: MAX_WINDOW_MINUTES + 1,
                ..ok
            }
            .is_valid()
        );
        assert!(Limits::default().all().iter().all(|(_, l)| l.is_valid()));
    }
}
