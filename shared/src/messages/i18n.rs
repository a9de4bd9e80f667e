//! Translations: one flat JSON file per language in `shared/messages/i18n/`,
//! embedded at compile time. Every user-visible word of every message is looked
//! up here by key; `{name}` placeholders are filled by the caller.
//!
//! Dates and times use a pattern that is itself a translation (`format.date`,
//! `format.time`, ...); its weekday and month names (`%A`, `%a`, `%B`, `%b`)
//! come from the tables below, glibc's for the four languages (genitive months,
//! as a date reads), so chrono's data for every locale is not linked in.

use crate::domain::catalog::Lang;
use crate::messages::RenderError;
use chrono::{DateTime, Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

/// A translation could not be produced: a key or a placeholder value is missing,
/// or a date pattern is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslationError {
    #[error("translation key {key:?} is missing in {lang:?}")]
    MissingKey { lang: Lang, key: String },
    #[error("translation {key:?} in {lang:?} needs {{{placeholder}}}, which was not given")]
    MissingPlaceholder {
        lang: Lang,
        key: String,
        placeholder: String,
    },
    #[error("translation {key:?} in {lang:?} is not a valid date/time pattern")]
    DateFormat { lang: Lang, key: String },
}

/// The raw translation files, in [`Lang::ALL`] order.
pub(crate) const FILES: [(Lang, &str); 4] = [
    (Lang::Pl, include_str!("../../messages/i18n/pl.json")),
    (Lang::Cs, include_str!("../../messages/i18n/cs.json")),
    (Lang::En, include_str!("../../messages/i18n/en.json")),
    (Lang::Uk, include_str!("../../messages/i18n/uk.json")),
];

type Strings = BTreeMap<String, String>;

/// Every language's strings, parsed once per process.
pub(crate) struct Translations(BTreeMap<Lang, Strings>);

static TRANSLATIONS: LazyLock<Result<Translations, (Lang, Arc<serde_json::Error>)>> =
    LazyLock::new(|| {
        let mut all = BTreeMap::new();
        for (lang, raw) in FILES {
            let strings: Strings = serde_json::from_str(raw).map_err(|e| (lang, Arc::new(e)))?;
            all.insert(lang, strings);
        }
        Ok(Translations(all))
    });

/// The parsed translations; an error only if an embedded file is malformed
/// (a unit test guarantees it is not).
pub(crate) fn translations() -> Result<&'static Translations, RenderError> {
    TRANSLATIONS
        .as_ref()
        .map_err(|(lang, source)| RenderError::TranslationFile {
            lang: *lang,
            source: Arc::clone(source),
        })
}

impl Translations {
    /// The raw string of `key` in `lang`.
    pub(crate) fn raw(&self, lang: Lang, key: &str) -> Result<&str, TranslationError> {
        self.0
            .get(&lang)
            .and_then(|strings| strings.get(key))
            .map(String::as_str)
            .ok_or_else(|| TranslationError::MissingKey {
                lang,
                key: key.to_owned(),
            })
    }

    /// `key` in `lang` with its `{name}` placeholders filled from `values`.
    pub(crate) fn text(
        &self,
        lang: Lang,
        key: &str,
        values: &[(&str, &str)],
    ) -> Result<String, TranslationError> {
        let raw = self.raw(lang, key)?;
        fill(raw, |name| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .map_err(|placeholder| TranslationError::MissingPlaceholder {
            lang,
            key: key.to_owned(),
            placeholder,
        })
    }

    /// `time` in the office's zone, formatted with the pattern stored under `key`.
    pub(crate) fn date(
        &self,
        lang: Lang,
        key: &str,
        time: DateTime<Tz>,
    ) -> Result<String, TranslationError> {
        let pattern = names(lang, self.raw(lang, key)?, time.weekday(), time.month0());
        running_text(lang, key, time.format(&pattern))
    }

    /// A calendar day (no time of day), formatted with the pattern stored under `key`.
    pub(crate) fn day(
        &self,
        lang: Lang,
        key: &str,
        day: NaiveDate,
    ) -> Result<String, TranslationError> {
        let pattern = names(lang, self.raw(lang, key)?, day.weekday(), day.month0());
        running_text(lang, key, day.format(&pattern))
    }

    #[cfg(test)]
    pub(crate) fn keys(&self, lang: Lang) -> Vec<&str> {
        self.0
            .get(&lang)
            .map(|s| s.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// A formatted date as it reads in a sentence; `key` names the pattern in errors.
fn running_text(
    lang: Lang,
    key: &str,
    formatted: impl std::fmt::Display,
) -> Result<String, TranslationError> {
    let mut out = String::new();
    // chrono reports a pattern it cannot apply (a time of day on a date) as fmt::Error.
    write!(out, "{formatted}").map_err(|_| TranslationError::DateFormat {
        lang,
        key: key.to_owned(),
    })?;
    // glibc's cs_CZ capitalises weekday names (as standalone words); in Polish,
    // Czech and Ukrainian running text weekday and month names are lowercase.
    if lang != Lang::En {
        out = out.to_lowercase();
    }
    Ok(out)
}

/// Replaces every `{name}` (lowercase letters, digits, `_`) with `value(name)`;
/// other braces are kept. Returns the first placeholder without a value.
pub(crate) fn fill(
    raw: &str,
    mut value: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len() + 32);
    let mut rest = raw;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_placeholder(&after[..close]) => {
                let name = &after[..close];
                out.push_str(&value(name).ok_or_else(|| name.to_owned())?);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn is_placeholder(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The placeholder names a translation uses, for the consistency test.
#[cfg(test)]
pub(crate) fn placeholders(raw: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let _ = fill(raw, |name| {
        names.insert(name.to_owned());
        Some(String::new())
    });
    names
}

/// The two-letter code used in `<html lang>` and in the context.
pub(crate) fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Pl => "pl",
        Lang::Cs => "cs",
        Lang::En => "en",
        Lang::Uk => "uk",
    }
}

/// `pattern` with `%A`, `%a`, `%B` and `%b` replaced by the names in `lang`;
/// every other specifier (and `%%`) is left for chrono.
fn names(lang: Lang, pattern: &str, weekday: Weekday, month0: u32) -> String {
    let names = Names::of(lang);
    let day = weekday.num_days_from_sunday() as usize;
    let month = month0 as usize;
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('A') => out.push_str(names.days[day]),
            Some('a') => out.push_str(names.short_days[day]),
            Some('B') => out.push_str(names.months[month]),
            Some('b') => out.push_str(names.short_months[month]),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Weekday names from Sunday, month names from January (genitive where the
/// language declines them: "24 listopada", "24. listopadu", "24 листопада").
struct Names {
    days: [&'static str; 7],
    short_days: [&'static str; 7],
    months: [&'static str; 12],
    short_months: [&'static str; 12],
}

impl Names {
    fn of(lang: Lang) -> &'static Names {
        match lang {
            Lang::Pl => &PL,
            Lang::Cs => &CS,
            Lang::En => &EN,
            Lang::Uk => &UK,
        }
    }
}

const PL: Names = Names {
    days: [
        "niedziela",
        "poniedziałek",
        "wtorek",
        "środa",
        "czwartek",
        "piątek",
        "sobota",
    ],
    short_days: ["nie", "pon", "wto", "śro", "czw", "pią", "sob"],
    months: [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ],
    short_months: [
        "sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru",
    ],
};

const CS: Names = Names {
    days: [
        "Neděle",
        "Pondělí",
        "Úterý",
        "Středa",
        "Čtvrtek",
        "Pátek",
        "Sobota",
    ],
    short_days: ["Ne", "Po", "Út", "St", "Čt", "Pá", "So"],
    months: [
        "ledna",
        "února",
        "března",
        "dubna",
        "května",
        "června",
        "července",
        "srpna",
        "září",
        "října",
        "listopadu",
        "prosince",
    ],
    short_months: [
        "led", "úno", "bře", "dub", "kvě", "čen", "čec", "srp", "zář", "říj", "lis", "pro",
    ],
};

const EN: Names = Names {
    days: [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ],
    short_days: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    short_months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

const UK: Names = Names {
    days: [
        "неділя",
        "понеділок",
        "вівторок",
        "середа",
        "четвер",
        "п'ятниця",
        "субота",
    ],
    short_days: ["нд", "пн", "вт", "ср", "чт", "пт", "сб"],
    months: [
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ],
    short_months: [
        "січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру",
    ],
};

/// The CLDR plural category of a whole number, as the suffix of a translation key.
/// English and Czech use `one` / `few` / `many` too so every file has the same keys
/// (English `few` reads like `many`).
pub(crate) fn plural(lang: Lang, n: u32) -> &'static str {
    let (units, tens) = (n % 10, n % 100);
    let few = (2..=4).contains(&units) && !(12..=14).contains(&tens);
    match lang {
        Lang::En => {
            if n == 1 {
                "one"
            } else {
                "many"
            }
        }
        Lang::Cs => match n {
            1 => "one",
            2..=4 => "few",
            _ => "many",
        },
        Lang::Pl => {
            if n == 1 {
                "one"
            } else if few {
                "few"
            } else {
                "many"
            }
        }
        Lang::Uk => {
            if units == 1 && tens != 11 {
                "one"
            } else if few {
                "few"
            } else {
                "many"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn all() -> &'static Translations {
        translations().expect("embedded translation files parse")
    }

    #[test]
    fn every_language_has_exactly_the_same_keys() {
        let reference = all().keys(Lang::En);
        assert!(reference.len() > 50, "only {} keys", reference.len());
        for lang in Lang::ALL {
            assert_eq!(all().keys(lang), reference, "{lang:?}");
        }
    }

    #[test]
    fn every_translation_uses_the_same_placeholders_in_every_language() {
        for key in all().keys(Lang::En) {
            let english = placeholders(all().raw(Lang::En, key).unwrap());
            for lang in Lang::ALL {
                let other = placeholders(all().raw(lang, key).unwrap());
                assert_eq!(other, english, "{key} in {lang:?}");
            }
        }
    }

    #[test]
    fn no_translation_is_empty_or_padded() {
        for lang in Lang::ALL {
            for key in all().keys(lang) {
                let raw = all().raw(lang, key).unwrap();
                assert!(!raw.trim().is_empty(), "{key} in {lang:?}");
                assert_eq!(raw, raw.trim(), "{key} in {lang:?}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled_and_a_missing_one_is_reported() {
        let filled = fill("{a} and {b}, {not a placeholder} {", |n| {
            Some(n.to_uppercase())
        });
        assert_eq!(filled.unwrap(), "A and B, {not a placeholder} {");
        assert_eq!(
            fill("x {code} y", |_| None),
            Err::<String, _>("code".to_owned())
        );
        assert_eq!(
            all().text(Lang::En, "ics.kiosk", &[]),
            Err(TranslationError::MissingPlaceholder {
                lang: Lang::En,
                key: "ics.kiosk".into(),
                placeholder: "code".into()
            })
        );
        assert_eq!(
            all().text(Lang::Pl, "no.such.key", &[]),
            Err(TranslationError::MissingKey {
                lang: Lang::Pl,
                key: "no.such.key".into()
            })
        );
    }

    #[test]
    fn dates_use_localized_weekdays_and_genitive_months() {
        let tz = chrono_tz::Europe::Warsaw;
        let start = tz.with_ymd_and_hms(2026, 11, 24, 9, 15, 0).unwrap();
        let table = [
            (Lang::Pl, "wtorek, 24 listopada 2026 r."),
            (Lang::Cs, "úterý 24. listopadu 2026"),
            (Lang::Uk, "вівторок, 24 листопада 2026 р."),
            (Lang::En, "Tuesday 24 November 2026"),
        ];
        for (lang, expected) in table {
            assert_eq!(all().date(lang, "format.date", start).unwrap(), expected);
        }
        assert_eq!(all().date(Lang::Pl, "format.time", start).unwrap(), "9:15");
        assert_eq!(all().date(Lang::En, "format.time", start).unwrap(), "09:15");
        assert_eq!(
            all().date(Lang::Cs, "format.date_short", start).unwrap(),
            "24. 11. 2026"
        );
    }

    #[test]
    fn a_day_without_a_weekday_reads_after_from_in_every_language() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
        let table = [
            (Lang::Pl, "12 marca 2027 r."),
            (Lang::Cs, "12. března 2027"),
            (Lang::Uk, "12 березня 2027 р."),
            (Lang::En, "12 March 2027"),
        ];
        for (lang, expected) in table {
            assert_eq!(
                all().day(lang, "format.date_no_weekday", day).unwrap(),
                expected
            );
        }
        assert_eq!(
            all().day(Lang::Pl, "format.time", day),
            Err(TranslationError::DateFormat {
                lang: Lang::Pl,
                key: "format.time".into()
            })
        );
    }

    #[test]
    fn plural_categories_follow_each_language() {
        let table = [
            (
                Lang::Pl,
                [
                    (1, "one"),
                    (2, "few"),
                    (4, "few"),
                    (5, "many"),
                    (12, "many"),
                    (22, "few"),
                    (0, "many"),
                ],
            ),
            (
                Lang::Cs,
                [
                    (1, "one"),
                    (2, "few"),
                    (4, "few"),
                    (5, "many"),
                    (12, "many"),
                    (22, "many"),
                    (0, "many"),
                ],
            ),
            (
                Lang::Uk,
                [
                    (1, "one"),
                    (2, "few"),
                    (4, "few"),
                    (5, "many"),
                    (11, "many"),
                    (21, "one"),
                    (0, "many"),
                ],
            ),
            (
                Lang::En,
                [
                    (1, "one"),
                    (2, "many"),
                    (4, "many"),
                    (5, "many"),
                    (11, "many"),
                    (21, "many"),
                    (0, "many"),
                ],
            ),
        ];
        for (lang, cases) in table {
            for (n, expected) in cases {
                assert_eq!(plural(lang, n), expected, "{lang:?} {n}");
            }
        }
    }
}
