//! Statutory public holidays of the countries Termin serves. Departments are
//! closed on them without an administrator listing each one.

use crate::domain::catalog::Country;
use chrono::{Datelike, Duration, NaiveDate};

/// Easter Sunday (Gregorian calendar; anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .unwrap_or_else(|| unreachable!("Easter is in March or April"))
}

/// Whether `date` is a public (non-working) holiday in `country`.
pub fn is_public_holiday(country: Country, date: NaiveDate) -> bool {
    let easter = easter_sunday(date.year());
    let (m, d) = (date.month(), date.day());
    match country {
        Country::Pl => {
            let fixed = matches!(
                (m, d),
                (1, 1)
                    | (1, 6)
                    | (5, 1)
                    | (5, 3)
                    | (8, 15)
                    | (11, 1)
                    | (11, 11)
                    | (12, 25)
                    | (12, 26)
            ) || ((m, d) == (12, 24) && date.year() >= 2025);
            // Easter Sunday, Easter Monday, Pentecost Sunday, Corpus Christi.
            let moving = [0, 1, 49, 60]
                .iter()
                .any(|o| easter + Duration::days(*o) == date);
            fixed || moving
        }
        Country::Cz => {
            let fixed = matches!(
                (m, d),
                (1, 1)
                    | (5, 1)
                    | (5, 8)
                    | (7, 5)
                    | (7, 6)
                    | (9, 28)
                    | (10, 28)
                    | (11, 17)
                    | (12, 24)
                    | (12, 25)
                    | (12, 26)
            );
            // Good Friday, Easter Monday.
            let moving = [-2, 1].iter().any(|o| easter + Duration::days(*o) == date);
            fixed || moving
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_falls_on_known_dates() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn holidays_differ_by_country() {
        let cases = [
            (date(2026, 6, 4), true, false),   // Corpus Christi 2026 (PL)
            (date(2026, 4, 3), false, true),   // Good Friday 2026 (CZ)
            (date(2026, 11, 11), true, false), // PL Independence Day
            (date(2026, 11, 17), false, true), // CZ Struggle for Freedom Day
            (date(2026, 12, 24), true, true),  // Christmas Eve, PL since 2025
            (date(2024, 12, 24), false, true),
            (date(2026, 4, 6), true, true), // Easter Monday
            (date(2026, 11, 23), false, false),
        ];
        for (day, pl, cz) in cases {
            assert_eq!(is_public_holiday(Country::Pl, day), pl, "PL {day}");
            assert_eq!(is_public_holiday(Country::Cz, day), cz, "CZ {day}");
        }
    }
}
