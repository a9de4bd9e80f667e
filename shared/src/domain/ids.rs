//! Identifiers. Catalog ids are short slugs chosen by administrators; bookings
//! and outbox messages are ULIDs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ulid::Ulid;

/// A catalog id was not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an id is 1 to 48 characters of a-z, 0-9 and '-'")]
pub struct InvalidId;

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The only way in: lowercase ASCII letters, digits and dashes, 1–48 long.
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                let ok = (1..=48).contains(&raw.len())
                    && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if ok { Ok(Self(raw.to_owned())) } else { Err(InvalidId) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(raw: String) -> Result<Self, InvalidId> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// An office (one building with its own time zone and kiosks).
    OfficeId
);
slug_id!(
    /// A department of an office: its own hours, desks and online capacity.
    DepartmentId
);
slug_id!(
    /// A group of matters within a department (seed 003: "choose the
    /// department, the group of matters, then the day and hour").
    MatterGroupId
);
slug_id!(
    /// A matter (service) a citizen books, e.g. "id-card-application".
    ServiceId
);
slug_id!(
    /// A named clerk of an office whom a citizen may book (seed 004), e.g.
    /// "anna-nowicka"; unique within the office.
    ClerkId
);

macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Ulid);

        impl $name {
            pub fn from_ulid(id: Ulid) -> Self {
                Self(id)
            }

            pub fn parse(raw: &str) -> Result<Self, InvalidUlid> {
                Ulid::from_str(raw).map(Self).map_err(|_| InvalidUlid)
            }

            pub fn ulid(&self) -> Ulid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A string was not a ULID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier")]
pub struct InvalidUlid;

ulid_id!(
    /// A booking. Not secret, but not shown in public either (see `public_ref`).
    BookingId
);
ulid_id!(
    /// One message in the outbox.
    OutboxId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_digits_and_dashes_only() {
        assert!(OfficeId::parse("opava-1").is_ok());
        for bad in ["", "Opava", "op ava", "op#ava", "ó", &"a".repeat(49)] {
            assert!(OfficeId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_booking_id_round_trips_through_its_text() {
        let id = BookingId::from_ulid(Ulid::from_parts(1_700_000_000_000, 42));
        assert_eq!(BookingId::parse(&id.to_string()), Ok(id));
        assert!(BookingId::parse("not-a-ulid").is_err());
    }
}
