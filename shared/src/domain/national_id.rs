//! National identity numbers: the Polish PESEL and the Czech rodné číslo.
//!
//! They are parsed once at the edge and only ever leave this module as a keyed
//! hash (see [`crate::domain::secrets::Keyring::person_key`]). `Debug` never
//! prints the digits, so a stray `{:?}` cannot leak one into a log.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a national ID was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("must be 11 digits")]
    Format,
    #[error("the check digit does not match")]
    Checksum,
    #[error("does not encode a real date of birth")]
    BirthDate,
}

/// Which kind of national ID an office asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalIdKind {
    Pesel,
    RodneCislo,
}

impl NationalIdKind {
    pub fn parse(self, raw: &str) -> Result<NationalId, NationalIdError> {
        match self {
            NationalIdKind::Pesel => Pesel::parse(raw).map(NationalId::Pesel),
            NationalIdKind::RodneCislo => RodneCislo::parse(raw).map(NationalId::RodneCislo),
        }
    }
}

/// A validated national ID of either kind.
#[derive(Clone, PartialEq, Eq)]
pub enum NationalId {
    Pesel(Pesel),
    RodneCislo(RodneCislo),
}

impl NationalId {
    pub fn birth_date(&self) -> NaiveDate {
        match self {
            NationalId::Pesel(p) => p.birth_date,
            NationalId::RodneCislo(r) => r.birth_date,
        }
    }

    /// The canonical text that is hashed into a person key; never stored or logged.
    pub fn canonical(&self) -> String {
        match self {
            NationalId::Pesel(p) => format!("PESEL:{}", p.digits),
            NationalId::RodneCislo(r) => format!("RC:{}", r.digits),
        }
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NationalId(<redacted>)")
    }
}

/// A PESEL with a valid check digit and a real date of birth.
#[derive(Clone, PartialEq, Eq)]
pub struct Pesel {
    digits: String,
    birth_date: NaiveDate,
}

const PESEL_WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];

impl Pesel {
    /// Checks the 11 digits, the check digit, and that YYMMDD with the century
    /// encoded in the month (1800s +80, 1900s +0, 2000s +20, 2100s +40, 2200s +60)
    /// is a date that exists.
    pub fn parse(raw: &str) -> Result<Self, NationalIdError> {
        let digits = raw.trim();
        let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        if values.len() != 11 || digits.len() != 11 {
            return Err(NationalIdError::Format);
        }
        let sum: u32 = values.iter().zip(PESEL_WEIGHTS).map(|(d, w)| d * w).sum();
        if (10 - sum % 10) % 10 != values[10] {
            return Err(NationalIdError::Checksum);
        }
        let yy = (values[0] * 10 + values[1]) as i32;
        let encoded_month = values[2] * 10 + values[3];
        let day = values[4] * 10 + values[5];
        let (century, month) = match encoded_month {
            1..=12 => (1900, encoded_month),
            21..=32 => (2000, encoded_month - 20),
            41..=52 => (2100, encoded_month - 40),
            61..=72 => (2200, encoded_month - 60),
            81..=92 => (1800, encoded_month - 80),
            _ => return Err(NationalIdError::BirthDate),
        };
        let birth_date =
            NaiveDate::from_ymd_opt(century + yy, month, day).ok_or(NationalIdError::BirthDate)?;
        Ok(Self {
            digits: digits.to_owned(),
            birth_date,
        })
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
}

impl fmt::Debug for Pesel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pesel(<redacted>)")
    }
}

/// A Czech birth number (rodné číslo): `YYMMDD/XXX` before 1954, `YYMMDD/XXXX` since.
#[derive(Clone, PartialEq, Eq)]
pub struct RodneCislo {
    digits: String,
    birth_date: NaiveDate,
}

impl RodneCislo {
    /// Accepts an optional slash; checks the date (women +50 on the month, +20/+70
    /// for numbers issued since 2004) and, for ten digits, divisibility by 11
    /// (with the pre-1985 exception of remainder 10 and check digit 0).
    pub fn parse(raw: &str) -> Result<Self, NationalIdError> {
        let trimmed = raw.trim();
        let digits: String = trimmed.chars().filter(|c| *c != '/').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 9 || digits.len() == 10)
        {
            return Err(NationalIdError::Format);
        }
        let n = |i: usize| (digits.as_bytes()[i] - b'0') as u32;
        let yy = (n(0) * 10 + n(1)) as i32;
        let year = match (digits.len(), yy) {
            (9, yy) if yy < 54 => 1900 + yy,
            (9, _) => return Err(NationalIdError::BirthDate),
            (_, yy) if yy < 54 => 2000 + yy,
            (_, yy) => 1900 + yy,
        };
        let month = match n(2) * 10 + n(3) {
            m @ 1..=12 => m,
            m @ 51..=62 => m - 50,
            m @ 21..=32 if year >= 2004 => m - 20,
            m @ 71..=82 if year >= 2004 => m - 70,
            _ => return Err(NationalIdError::BirthDate),
        };
        let day = n(4) * 10 + n(5);
        let birth_date =
            NaiveDate::from_ymd_opt(year, month, day).ok_or(NationalIdError::BirthDate)?;
        if digits.len() == 10 {
            let number: u64 = digits.parse().map_err(|_| NationalIdError::Format)?;
            let first_nine = number / 10;
            let check = number % 10;
            let ok =
                number.is_multiple_of(11) || (first_nine % 11 == 10 && check == 0 && year < 1985);
            if !ok {
                return Err(NationalIdError::Checksum);
            }
        }
        Ok(Self { digits, birth_date })
    }
}

impl fmt::Debug for RodneCislo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RodneCislo(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Builds a PESEL with a correct check digit, to cover any birth date.
    fn pesel_for(first_ten: &str) -> String {
        let sum: u32 = first_ten
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .zip(PESEL_WEIGHTS)
            .map(|(d, w)| d * w)
            .sum();
        format!("{first_ten}{}", (10 - sum % 10) % 10)
    }

    #[test]
    fn valid_pesels_give_their_birth_date_in_every_century() {
        let cases = [
            ("44051401359", date(1944, 5, 14)), // the classic example, 1900s
            ("02070803628", date(1902, 7, 8)),
            (&*pesel_for("0522100123"), date(2005, 2, 10)), // 2000s: month + 20
            (&*pesel_for("9981010123"), date(1899, 1, 1)),  // 1800s: month + 80
            (&*pesel_for("0041290000"), date(2100, 1, 29)), // 2100s: month + 40
            (&*pesel_for("0062280000"), date(2200, 2, 28)), // 2200s: month + 60
        ];
        for (raw, born) in cases {
            assert_eq!(Pesel::parse(raw).map(|p| p.birth_date()), Ok(born), "{raw}");
        }
        // 2200 is not a leap year.
        assert_eq!(
            Pesel::parse(&pesel_for("0062290000")),
            Err(NationalIdError::BirthDate)
        );
    }

    #[test]
    fn invalid_pesels_are_refused_with_the_reason() {
        let cases = [
            ("44051401358", NationalIdError::Checksum),
            ("4405140135", NationalIdError::Format),
            ("440514013591", NationalIdError::Format),
            ("4405140135a", NationalIdError::Format),
            ("", NationalIdError::Format),
            ("٤٤٠٥١٤٠١٣٥٩", NationalIdError::Format),
            (&*pesel_for("0002300000"), NationalIdError::BirthDate), // 30 February 1900
            (&*pesel_for("0422300000"), NationalIdError::BirthDate), // 30 February 2004
            (&*pesel_for("0013010000"), NationalIdError::BirthDate), // month 13
            (&*pesel_for("0000010000"), NationalIdError::BirthDate), // month 0
            (&*pesel_for("0001000000"), NationalIdError::BirthDate), // day 0
        ];
        for (raw, why) in cases {
            assert_eq!(Pesel::parse(raw).err(), Some(why), "{raw:?}");
        }
    }

    #[test]
    fn leap_days_follow_the_encoded_century() {
        assert_eq!(
            Pesel::parse(&pesel_for("0022290000")).map(|p| p.birth_date()),
            Ok(date(2000, 2, 29))
        );
        assert_eq!(
            Pesel::parse(&pesel_for("0002290000")),
            Err(NationalIdError::BirthDate)
        ); // 1900
    }

    #[test]
    fn debug_output_never_shows_the_digits() {
        let pesel = Pesel::parse("44051401359").unwrap();
        assert!(!format!("{pesel:?}").contains("4405"));
        let id = NationalId::Pesel(pesel);
        assert!(!format!("{id:?}").contains("4405"));
    }

    #[test]
    fn rodne_cislo_checks_date_and_divisibility() {
        assert_eq!(
            RodneCislo::parse("736028/5163").map(|r| r.birth_date),
            Ok(date(1973, 10, 28))
        );
        assert_eq!(
            RodneCislo::parse("7360285163").map(|r| r.birth_date),
            Ok(date(1973, 10, 28))
        );
        assert_eq!(
            RodneCislo::parse("736028/5164").err(),
            Some(NationalIdError::Checksum)
        );
        assert_eq!(
            RodneCislo::parse("530230/123").err(),
            Some(NationalIdError::BirthDate)
        );
        assert_eq!(
            RodneCislo::parse("731330/0001").err(),
            Some(NationalIdError::BirthDate)
        );
        assert_eq!(RodneCislo::parse("12").err(), Some(NationalIdError::Format));
    }
}
