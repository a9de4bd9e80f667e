//! SMS length rules: every Termin SMS is one segment.
//!
//! A text made only of the GSM 03.38 alphabet is sent as GSM-7: 160 units per
//! segment, where characters of the extension table (`{}[]~^|€\` and form feed)
//! take two units. Any other character switches the whole text to UCS-2: 70
//! UTF-16 code units per segment.

use crate::messages::RenderError;

/// Units in one single-part GSM-7 SMS.
pub const GSM7_SEGMENT: usize = 160;
/// UTF-16 code units in one single-part UCS-2 SMS.
pub const UCS2_SEGMENT: usize = 70;

/// The GSM 03.38 basic character set (one unit each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The GSM 03.38 extension table (escape + character: two units each).
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// How an SMS text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    /// The encoding a phone network uses for `text`.
    pub fn of(text: &str) -> Self {
        if text.chars().all(|c| gsm7_units(c).is_some()) {
            Encoding::Gsm7
        } else {
            Encoding::Ucs2
        }
    }

    /// Units one segment holds in this encoding.
    pub fn segment_limit(self) -> usize {
        match self {
            Encoding::Gsm7 => GSM7_SEGMENT,
            Encoding::Ucs2 => UCS2_SEGMENT,
        }
    }
}

fn gsm7_units(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding of `text` and how many units of it `text` takes.
pub fn units(text: &str) -> (Encoding, usize) {
    match Encoding::of(text) {
        Encoding::Gsm7 => (
            Encoding::Gsm7,
            text.chars().map(|c| gsm7_units(c).unwrap_or(2)).sum(),
        ),
        Encoding::Ucs2 => (Encoding::Ucs2, text.encode_utf16().count()),
    }
}

/// Whether `text` is sent as a single SMS segment.
pub fn fits_one_segment(text: &str) -> bool {
    let (encoding, used) = units(text);
    used <= encoding.segment_limit()
}

/// `text` if it fits one segment, else its transliteration (Latin letters without
/// diacritics, always GSM-7) if that fits, else an error.
pub fn fit(text: &str) -> Result<String, RenderError> {
    if fits_one_segment(text) {
        return Ok(text.to_owned());
    }
    let plain: String = deunicode::deunicode(text)
        .chars()
        // deunicode yields ASCII; the backtick is the one ASCII letter GSM-7 lacks.
        .map(|c| if gsm7_units(c).is_some() { c } else { '\'' })
        .collect();
    let (_, used) = units(&plain);
    if used <= GSM7_SEGMENT {
        Ok(plain)
    } else {
        Err(RenderError::SmsTooLong { units: used })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_ascii_fits_up_to_160_characters() {
        assert!(fits_one_segment(&"a".repeat(160)));
        assert!(!fits_one_segment(&"a".repeat(161)));
        assert_eq!(units(&"a".repeat(161)), (Encoding::Gsm7, 161));
    }

    #[test]
    fn an_extension_character_counts_twice() {
        assert_eq!(units("€"), (Encoding::Gsm7, 2));
        assert_eq!(units("{}[]~^|\\"), (Encoding::Gsm7, 16));
        assert!(fits_one_segment(&format!("{}€", "a".repeat(158))));
        assert!(!fits_one_segment(&format!("{}€", "a".repeat(159))));
    }

    #[test]
    fn accented_letters_of_the_gsm_alphabet_stay_gsm7() {
        assert_eq!(Encoding::of("Café Müller à Åre, Øst"), Encoding::Gsm7);
    }

    #[test]
    fn one_polish_letter_switches_to_ucs2_with_a_limit_of_70() {
        let text = format!("ą{}", "a".repeat(69));
        assert_eq!(units(&text), (Encoding::Ucs2, 70));
        assert!(fits_one_segment(&text));
        assert!(!fits_one_segment(&format!("{text}a")));
    }

    #[test]
    fn characters_outside_the_basic_plane_count_two_utf16_units() {
        assert_eq!(units("😀"), (Encoding::Ucs2, 2));
    }

    #[test]
    fn a_long_diacritic_text_falls_back_to_transliteration() {
        let text = "Zażółć gęślą jaźń. ".repeat(5);
        assert!(!fits_one_segment(&text));
        let fitted = fit(&text).unwrap();
        assert_eq!(Encoding::of(&fitted), Encoding::Gsm7);
        assert!(fitted.starts_with("Zazolc gesla jazn."));
    }

    #[test]
    fn a_short_text_is_kept_as_written() {
        assert_eq!(fit("Kód: ACEF34.").unwrap(), "Kód: ACEF34.");
    }

    #[test]
    fn a_text_too_long_even_transliterated_is_refused() {
        let text = "ż".repeat(161);
        assert!(matches!(
            fit(&text),
            Err(RenderError::SmsTooLong { units: 161 })
        ));
    }

    proptest! {
        #[test]
        fn fitted_texts_always_fit_one_segment(text in "\\PC{0,200}") {
            if let Ok(fitted) = fit(&text) {
                prop_assert!(fits_one_segment(&fitted));
            }
        }
    }
}
