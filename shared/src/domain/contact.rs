//! Contact data a citizen gives: name, email, phone. Parsed once; `Debug` redacts.

use crate::domain::catalog::Country;
use std::fmt;

/// Why a piece of contact data was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("must be 1 to 80 letters, spaces, hyphens, apostrophes or dots")]
    Name,
    #[error(
        "is not an email address we can deliver to (name@domain, with the part before @ in plain ASCII)"
    )]
    Email,
    #[error("is not a valid phone number")]
    Phone,
}

macro_rules! redacted_text {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

/// A first or last name.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);
redacted_text!(PersonName);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let count = name.chars().count();
        let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
        if count == 0
            || count > 80
            || !name.chars().all(allowed)
            || !name.chars().any(char::is_alphabetic)
        {
            return Err(ContactError::Name);
        }
        Ok(Self(name))
    }
}

/// An email address in the form SES can deliver to: an ASCII local part and
/// an ASCII domain (an internationalised one is turned into punycode,
/// `jan@żółw.pl` → `jan@xn--w-uga1v8h.pl`), lower-cased.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);
redacted_text!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let (local, domain) = raw.trim().rsplit_once('@').ok_or(ContactError::Email)?;
        // SES takes no internationalised local part (SMTPUTF8).
        if local.is_empty() || !local.is_ascii() {
            return Err(ContactError::Email);
        }
        let domain = idna::domain_to_ascii(domain).map_err(|_| ContactError::Email)?;
        let address = format!("{local}@{domain}");
        // A bare host ("a@localhost") is valid syntax but cannot receive mail from SES.
        if address.len() > 254
            || !domain.contains('.')
            || !email_address::EmailAddress::is_valid(&address)
        {
            return Err(ContactError::Email);
        }
        Ok(Self(address))
    }
}

/// A phone number in E.164 form (`+48601234567`).
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);
redacted_text!(PhoneNumber);

impl PhoneNumber {
    /// Numbers without a country prefix are read as the office's country.
    pub fn parse(raw: &str, default_country: Country) -> Result<Self, ContactError> {
        let region = match default_country {
            Country::Pl => phonenumber::country::Id::PL,
            Country::Cz => phonenumber::country::Id::CZ,
        };
        let number =
            phonenumber::parse(Some(region), raw.trim()).map_err(|_| ContactError::Phone)?;
        if !phonenumber::is_valid(&number) {
            return Err(ContactError::Phone);
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// For values read back from the store, already normalised.
    pub fn from_e164(stored: &str) -> Result<Self, ContactError> {
        Self::parse(stored, Country::Pl)
    }

    /// Whether the number is a mobile one, by its country's numbering plan:
    /// mobile, or a plan that cannot tell mobile from fixed line (as in the
    /// USA). Fixed lines, toll-free, premium-rate, shared-cost, VoIP,
    /// personal and pager numbers are not: an SMS to them is lost, read out
    /// by a machine, or charged to someone else.
    pub fn is_mobile(&self) -> bool {
        use phonenumber::Type;
        phonenumber::parse(None, &self.0).is_ok_and(|number| {
            matches!(
                number.number_type(&phonenumber::metadata::DATABASE),
                Type::Mobile | Type::FixedLineOrMobile
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            PersonName::parse("  Anna   Maria ").unwrap().as_str(),
            "Anna Maria"
        );
        assert!(PersonName::parse("Żółć-O'Brien").is_ok());
        for bad in ["", "   ", "R2D2", "a<b>", "--", &"a".repeat(81)] {
            assert_eq!(PersonName::parse(bad), Err(ContactError::Name), "{bad:?}");
        }
    }

    #[test]
    fn emails_are_checked_and_domains_lowercased() {
        assert_eq!(
            Email::parse(" Jan.Kowalski@Example.PL ").unwrap().as_str(),
            "Jan.Kowalski@example.pl"
        );
        for bad in [
            "",
            "jan",
            "jan@",
            "@example.pl",
            "jan@localhost",
            "jan kowalski@example.pl",
            "jan@exa mple.pl",
        ] {
            assert_eq!(Email::parse(bad), Err(ContactError::Email), "{bad:?}");
        }
    }

    #[test]
    fn emails_are_kept_only_in_a_form_ses_can_deliver() {
        assert_eq!(
            Email::parse("jan@Żółw.PL").unwrap().as_str(),
            "jan@xn--w-uga1v8h.pl",
            "an internationalised domain becomes punycode"
        );
        assert_eq!(
            Email::parse("jan@xn--w-uga1v8h.pl").unwrap().as_str(),
            "jan@xn--w-uga1v8h.pl"
        );
        for unicode_local_part in ["żaneta@example.pl", "jiří@example.cz", "петро@example.ua"]
        {
            assert_eq!(
                Email::parse(unicode_local_part),
                Err(ContactError::Email),
                "{unicode_local_part:?}"
            );
        }
    }

    #[test]
    fn phones_become_e164_with_the_office_country_as_default() {
        assert_eq!(
            PhoneNumber::parse("601 234 567", Country::Pl)
                .unwrap()
                .as_str(),
            "+48601234567"
        );
        assert_eq!(
            PhoneNumber::parse("+420 601 123 456", Country::Pl)
                .unwrap()
                .as_str(),
            "+420601123456"
        );
        assert_eq!(
            PhoneNumber::parse("601 123 456", Country::Cz)
                .unwrap()
                .as_str(),
            "+420601123456"
        );
        for bad in ["", "12", "call me", "+48 123"] {
            assert_eq!(
                PhoneNumber::parse(bad, Country::Pl),
                Err(ContactError::Phone),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn only_mobile_numbers_count_as_mobile() {
        let table = [
            ("+48 601 234 567", true),   // Polish mobile
            ("+48 501 234 567", true),   // Polish mobile
            ("+420 601 123 456", true),  // Czech mobile
            ("+380 50 123 4567", true),  // Ukrainian mobile
            ("+1 201 555 0123", true),   // USA: fixed line or mobile, no telling
            ("+48 89 527 31 11", false), // Olsztyn fixed line
            ("+48 22 123 45 67", false), // Warsaw fixed line
            ("+420 222 123 456", false), // Prague fixed line
            ("+48 800 123 456", false),  // Polish toll-free
            ("+48 701 234 567", false),  // Polish premium rate
            ("+48 801 234 567", false),  // Polish shared cost
        ];
        for (raw, mobile) in table {
            let number = PhoneNumber::parse(raw, Country::Pl).unwrap();
            assert_eq!(number.is_mobile(), mobile, "{raw}");
        }
    }

    #[test]
    fn debug_output_redacts_contact_data() {
        let email = Email::parse("jan@example.pl").unwrap();
        assert!(!format!("{email:?}").contains("jan"));
    }
}
