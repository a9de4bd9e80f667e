//! Codes and tokens, drawn from an injected source of randomness.
//!
//! - confirm and manage tokens: 256 bits, base64url, sent once, stored as keyed hashes;
//! - kiosk and SMS confirmation codes: 6 characters a person can type, from an
//!   alphabet without look-alikes (no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V);
//! - the public reference shown on a desk's admission list: random, not derived
//!   from anything personal.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::{RngCore, SeedableRng};
use std::fmt;
use std::sync::Mutex;
use ulid::Ulid;

/// Source of random bytes. Production uses [`OsEntropy`] (a CSPRNG seeded by the
/// operating system); tests use [`SeededEntropy`] to be repeatable.
pub trait Entropy: Send + Sync {
    fn fill(&self, dest: &mut [u8]);
}

/// The thread-local CSPRNG of `rand`, reseeded from the operating system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&self, dest: &mut [u8]) {
        rand::rng().fill_bytes(dest);
    }
}

/// Deterministic randomness for tests.
#[derive(Debug)]
pub struct SeededEntropy(Mutex<rand::rngs::StdRng>);

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, dest: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fill_bytes(dest);
    }
}

/// Characters of every typed code: digits and capitals that cannot be mistaken
/// for one another on a kiosk keyboard or a printed slip.
pub const CODE_ALPHABET: &[u8] = b"3479ACEFHJKMNPRTWXY";

/// Length of kiosk and SMS confirmation codes.
pub const CODE_LEN: usize = 6;

/// Length of the public booking reference.
pub const PUBLIC_REF_LEN: usize = 8;

/// Draws `len` characters from [`CODE_ALPHABET`] without modulo bias.
fn draw_code(entropy: &dyn Entropy, len: usize) -> String {
    let limit = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 16];
    while out.len() < len {
        entropy.fill(&mut buf);
        for b in buf {
            if b < limit && out.len() < len {
                out.push(CODE_ALPHABET[b as usize % CODE_ALPHABET.len()] as char);
            }
        }
    }
    out
}

/// A code was not made of the code alphabet or had the wrong length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a code is {CODE_LEN} characters from {alphabet}", alphabet = std::str::from_utf8(CODE_ALPHABET).unwrap_or_default())]
pub struct InvalidCode;

/// A short code typed by a person: at the kiosk, or on the page to confirm a hold.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ShortCode(String);

impl ShortCode {
    pub fn generate(entropy: &dyn Entropy) -> Self {
        Self(draw_code(entropy, CODE_LEN))
    }

    /// Case, spaces and dashes are ignored: "k7m 4qx" reads as "K7M4QX".
    pub fn parse(raw: &str) -> Result<Self, InvalidCode> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if ok { Ok(Self(code)) } else { Err(InvalidCode) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ShortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShortCode(<redacted>)")
    }
}

/// Digits of a kiosk code (seed 004: a numeric code typed on the ticket
/// machine's keypad).
pub const KIOSK_CODE_DIGITS: usize = 6;

/// The code a citizen types at the kiosk. New bookings get digits, drawn at
/// random (never derived from the booking's id or reference) and unique among
/// the bookings of that day; bookings made before digits keep their
/// alphanumeric [`ShortCode`] until their visit has passed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum KioskCode {
    Digits(String),
    Legacy(ShortCode),
}

impl KioskCode {
    /// Six uniformly drawn digits (rejection sampling, no modulo bias).
    pub fn generate(entropy: &dyn Entropy) -> Self {
        const SPACE: u32 = 1_000_000;
        let limit = u32::MAX / SPACE * SPACE;
        loop {
            let mut bytes = [0u8; 4];
            entropy.fill(&mut bytes);
            let value = u32::from_be_bytes(bytes);
            if value < limit {
                return KioskCode::Digits(format!("{:06}", value % SPACE));
            }
        }
    }

    /// Spaces and dashes are ignored; six digits are a new code, anything
    /// else must be an older alphanumeric code.
    pub fn parse(raw: &str) -> Result<Self, InvalidCode> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.len() == KIOSK_CODE_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(KioskCode::Digits(compact));
        }
        ShortCode::parse(&compact).map(KioskCode::Legacy)
    }

    pub fn as_str(&self) -> &str {
        match self {
            KioskCode::Digits(digits) => digits,
            KioskCode::Legacy(code) => code.as_str(),
        }
    }
}

impl fmt::Debug for KioskCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KioskCode(<redacted>)")
    }
}

/// A bearer token of 256 random bits (confirm link, manage/cancel link).
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate(entropy: &dyn Entropy) -> Self {
        let mut bytes = [0u8; 32];
        entropy.fill(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Only checks the shape; whether it is *the* token is decided by comparing digests.
    pub fn parse(raw: &str) -> Result<Self, InvalidCode> {
        let raw = raw.trim();
        match URL_SAFE_NO_PAD.decode(raw) {
            Ok(bytes) if bytes.len() == 32 => Ok(Self(raw.to_owned())),
            _ => Err(InvalidCode),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The public reference of a booking, as shown on a desk's admission list.
pub fn public_ref(entropy: &dyn Entropy) -> String {
    draw_code(entropy, PUBLIC_REF_LEN)
}

/// A ULID whose time part is `now` and whose 80 random bits come from `entropy`.
pub fn new_ulid(now: DateTime<Utc>, entropy: &dyn Entropy) -> Ulid {
    let mut bytes = [0u8; 16];
    entropy.fill(&mut bytes);
    let random = u128::from_be_bytes(bytes) & ((1u128 << 80) - 1);
    Ulid::from_parts(now.timestamp_millis().max(0) as u64, random)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LOOK_ALIKES: &str = "0OQD1IL2Z5S8B6GUV";

    #[test]
    fn the_alphabet_has_no_look_alikes_and_no_repeats() {
        for c in LOOK_ALIKES.chars() {
            assert!(
                !CODE_ALPHABET.contains(&(c as u8)),
                "{c} is in the alphabet"
            );
        }
        let mut sorted = CODE_ALPHABET.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), CODE_ALPHABET.len());
    }

    #[test]
    fn generated_codes_use_every_letter_of_the_alphabet_and_nothing_else() {
        let entropy = SeededEntropy::new(7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..500 {
            let code = ShortCode::generate(&entropy);
            assert_eq!(code.as_str().len(), CODE_LEN);
            assert_eq!(ShortCode::parse(code.as_str()).as_ref(), Ok(&code));
            seen.extend(code.as_str().bytes());
        }
        assert_eq!(seen.len(), CODE_ALPHABET.len());
    }

    #[test]
    fn typed_codes_ignore_case_spaces_and_dashes() {
        assert_eq!(ShortCode::parse(" k7m-4qx ").map(|c| c.0), Err(InvalidCode)); // 'Q' is not in the alphabet
        assert_eq!(
            ShortCode::parse(" k7m-4px ").map(|c| c.0),
            Ok("K7M4PX".to_owned())
        );
        assert_eq!(ShortCode::parse("K7M4P"), Err(InvalidCode));
        assert_eq!(ShortCode::parse("K7M4P0"), Err(InvalidCode));
    }

    #[test]
    fn kiosk_codes_are_six_digits_spread_over_the_whole_range() {
        let entropy = SeededEntropy::new(11);
        let mut first_digits = std::collections::HashSet::new();
        for _ in 0..500 {
            let code = KioskCode::generate(&entropy);
            let KioskCode::Digits(digits) = &code else {
                panic!("a new code is digits");
            };
            assert_eq!(digits.len(), KIOSK_CODE_DIGITS);
            assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(KioskCode::parse(digits).as_ref(), Ok(&code));
            first_digits.insert(digits.as_bytes()[0]);
        }
        assert_eq!(first_digits.len(), 10);
    }

    #[test]
    fn a_typed_kiosk_code_is_digits_or_an_older_alphanumeric_code() {
        assert_eq!(
            KioskCode::parse(" 042-917 "),
            Ok(KioskCode::Digits("042917".into()))
        );
        assert_eq!(
            KioskCode::parse("k7m4px"),
            Ok(KioskCode::Legacy(ShortCode::parse("K7M4PX").unwrap()))
        );
        assert_eq!(KioskCode::parse("04291"), Err(InvalidCode));
        assert_eq!(KioskCode::parse("0429170"), Err(InvalidCode));
        assert_eq!(KioskCode::parse("04291x"), Err(InvalidCode));
    }

    #[test]
    fn tokens_carry_256_bits_and_differ() {
        let entropy = SeededEntropy::new(1);
        let a = Token::generate(&entropy);
        let b = Token::generate(&entropy);
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(a.as_str()).unwrap().len(), 32);
        assert!(Token::parse(a.as_str()).is_ok());
        assert!(Token::parse("short").is_err());
    }

    proptest! {
        #[test]
        fn parsing_any_text_as_a_code_never_panics(raw in ".{0,20}") {
            let _ = ShortCode::parse(&raw);
            let _ = Token::parse(&raw);
        }
    }
}
