//! The log privacy check (issue 14: "a log capture of the whole test run has
//! no PESEL, email, phone or raw token"): finds national IDs, email
//! addresses, phone numbers and raw tokens in log lines, using the domain's
//! own rules (a PESEL's check digit and date, a rodné číslo's, a phone
//! number's numbering plan, a token's shape), so a finding is a value the
//! system would take as one, not any long number.
//!
//! What is not flagged: digits inside a hex digest (64 hex characters, or any
//! hex run of 32 or more, UUIDs included), a ULID (26 Crockford base-32
//! characters) or a memory address (`0x…`); timestamps and epoch
//! milliseconds (13 digits); the fraction of a decimal; SMS and kiosk codes
//! (6 characters: too short to tell from anything else).
//!
//! The lines are scanned byte by byte (a whole test run's log is hundreds of
//! megabytes, read by a debug build); only lines with an `@` meet a regex.

use regex::Regex;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use termin::domain::catalog::Country;
use termin::domain::codes::Token;
use termin::domain::contact::PhoneNumber;
use termin::domain::national_id::{Pesel, RodneCislo};

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NationalId,
    Email,
    Phone,
    Token,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::NationalId => "national ID",
            Kind::Email => "email address",
            Kind::Phone => "phone number",
            Kind::Token => "raw token",
        })
    }
}

/// A value found in a line: its kind and byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// An email address, plain or URL-encoded (`anna%40example.pl`).
fn email_pattern() -> &'static Regex {
    static EMAIL: OnceLock<Regex> = OnceLock::new();
    EMAIL.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .expect("a valid pattern")
    })
}

/// The characters of a token (base64url) and of the words around numbers.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The maximal runs of bytes that `within` accepts, as byte ranges.
fn runs(bytes: &[u8], within: impl Fn(u8) -> bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (within(b), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                found.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        found.push((s, bytes.len()));
    }
    found
}

/// The word (run of token characters) around `start..end`.
fn word_around(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start > 0 && is_word_byte(bytes[start - 1]) {
        start -= 1;
    }
    while end < bytes.len() && is_word_byte(bytes[end]) {
        end += 1;
    }
    (start, end)
}

/// Digests (hex, 32 characters or more; UUIDs too), ULIDs and memory
/// addresses (`0x7fa86…`, in a `Debug` of a pointer): ids whose digits mean
/// nothing.
fn is_opaque_id(word: &str) -> bool {
    let hex = word.len() >= 32 && word.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let ulid = word.len() == 26 && ulid::Ulid::from_string(word).is_ok();
    let address = word
        .strip_prefix("0x")
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    hex || ulid || address
}

/// Numbers known to be something else: the fraction of a decimal (`1.839450217s`,
/// a duration) and the parts of a `SystemTime` (`tv_sec: …, tv_nsec: …`; the
/// SDK's identity cache logs its clock at DEBUG).
fn is_known_number(line: &str, start: usize) -> bool {
    let before = &line.as_bytes()[..start];
    let fraction = matches!(before, [.., d, b'.'] if d.is_ascii_digit());
    fraction || before.ends_with(b"tv_sec: ") || before.ends_with(b"tv_nsec: ")
}

/// Whether digits form a phone number of a country the offices serve.
fn is_national_phone(digits: &str) -> bool {
    [Country::Pl, Country::Cz]
        .into_iter()
        .any(|country| PhoneNumber::parse(digits, country).is_ok())
}

/// Every national ID, email address, phone number and raw token in `line`,
/// in order, none overlapping another.
pub fn findings(line: &str) -> Vec<Finding> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut add = |kind, start, end| found.push(Finding { kind, start, end });
    let is_token =
        |start: usize, end: usize| end - start == 43 && Token::parse(&line[start..end]).is_ok();

    for (start, end) in runs(bytes, is_word_byte) {
        if is_token(start, end) {
            add(Kind::Token, start, end);
        }
    }

    let digits = runs(bytes, |b| b.is_ascii_digit());
    // Runs `i..` that follow each other with one separator from `separators` between them.
    let group = |i: usize, separators: &[u8]| {
        let mut groups = vec![digits[i]];
        for &(start, end) in &digits[i + 1..] {
            let (_, last) = groups[groups.len() - 1];
            if start != last + 1 || !separators.contains(&bytes[last]) {
                break;
            }
            groups.push((start, end));
        }
        groups
    };
    for (i, &(start, end)) in digits.iter().enumerate() {
        let len = end - start;
        // A number on its own: a PESEL, a rodné číslo, a national phone number.
        if (9..=11).contains(&len) && !is_known_number(line, start) {
            let (word_start, word_end) = word_around(bytes, start, end);
            if !is_token(word_start, word_end) && !is_opaque_id(&line[word_start..word_end]) {
                let number = &line[start..end];
                let kind = match len {
                    11 if Pesel::parse(number).is_ok() => Some(Kind::NationalId),
                    10 if RodneCislo::parse(number).is_ok() => Some(Kind::NationalId),
                    9 if is_national_phone(number) => Some(Kind::Phone),
                    _ => None,
                };
                if let Some(kind) = kind {
                    add(kind, start, end);
                }
            }
        }
        // A rodné číslo with its slash: `YYMMDD/XXXX` (`/XXX` before 1954).
        if len == 6
            && let [_, (_, rest_end), ..] = group(i, b"/")[..]
            && RodneCislo::parse(&line[start..rest_end]).is_ok()
        {
            add(Kind::NationalId, start, rest_end);
        }
        // A national phone number in groups: `601 234 567`, `601-234-567`.
        if len == 3
            && let [_, (s2, e2), (s3, e3), ..] = group(i, b" -")[..]
            && e2 - s2 == 3
            && e3 - s3 == 3
            && is_national_phone(&line[start..e3])
        {
            add(Kind::Phone, start, e3);
        }
        // An international number: `+48601234567`, `+48 601 234 567`; the
        // longest run of groups that is a valid number.
        if start > 0 && bytes[start - 1] == b'+' {
            let groups = group(i, b" -");
            let valid_end = (1..=groups.len())
                .rev()
                .map(|n| groups[n - 1].1)
                .find(|&e| {
                    let digit_count = line[start..e].bytes().filter(u8::is_ascii_digit).count();
                    (7..=15).contains(&digit_count)
                        && PhoneNumber::parse(&line[start - 1..e], Country::Pl).is_ok()
                });
            if let Some(e) = valid_end {
                add(Kind::Phone, start - 1, e);
            }
        }
    }

    if line.contains('@') || line.contains("%40") {
        for m in email_pattern().find_iter(line) {
            add(Kind::Email, m.start(), m.end());
        }
    }

    // The widest of overlapping findings stands for them.
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut kept: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        match kept.last_mut() {
            Some(last) if f.start < last.end => last.end = last.end.max(f.end),
            _ => kept.push(f),
        }
    }
    kept
}

/// A value with all but its first two characters hidden (letters and digits
/// become `*`; punctuation stays, so the shape shows).
pub fn mask(value: &str) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < 2 || !c.is_alphanumeric() {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Characters of context on each side of a finding in a report.
const CONTEXT: usize = 40;

/// The part of `line` around `findings[which]`, every finding in it masked.
pub fn masked_excerpt(line: &str, findings: &[Finding], which: usize) -> String {
    let mut masked = String::with_capacity(line.len());
    let mut at = 0;
    let mut target = (0, 0);
    for (i, f) in findings.iter().enumerate() {
        masked.push_str(&line[at..f.start]);
        let start = masked.len();
        masked.push_str(&mask(&line[f.start..f.end]));
        if i == which {
            target = (start, masked.len());
        }
        at = f.end;
    }
    masked.push_str(&line[at..]);
    let floor = |mut i: usize| {
        while !masked.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(target.0.saturating_sub(CONTEXT));
    let to = floor((target.1 + CONTEXT).min(masked.len()));
    let ellipsis = |cut: bool| if cut { "…" } else { "" };
    format!(
        "{}{}{}",
        ellipsis(from > 0),
        &masked[from..to],
        ellipsis(to < masked.len())
    )
}

/// One finding in a log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub kind: Kind,
    /// The line around it, every finding masked.
    pub excerpt: String,
}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.kind,
            self.excerpt
        )
    }
}

/// What a check of a log folder found.
#[derive(Debug, Default)]
pub struct Report {
    pub files: usize,
    /// Non-empty lines read.
    pub lines: usize,
    pub leaks: Vec<Leak>,
}

/// Checks every line of every file in `dir` (not its subfolders).
pub fn check_dir(dir: &Path) -> std::io::Result<Report> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.is_file());
    paths.sort();
    let mut report = Report::default();
    for path in paths {
        report.files += 1;
        let mut reader = BufReader::new(std::fs::File::open(&path)?);
        let mut bytes = Vec::new();
        let mut number = 0;
        loop {
            bytes.clear();
            if reader.read_until(b'\n', &mut bytes)? == 0 {
                break;
            }
            number += 1;
            let line = String::from_utf8_lossy(&bytes);
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            report.lines += 1;
            let found = findings(line);
            for (i, f) in found.iter().enumerate() {
                report.leaks.push(Leak {
                    file: path.clone(),
                    line: number,
                    kind: f.kind,
                    excerpt: masked_excerpt(line, &found, i),
                });
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<Kind> {
        findings(line).into_iter().map(|f| f.kind).collect()
    }

    /// A token as the system makes them: 32 random bytes, base64url.
    const TOKEN: &str = "q3Vb7kR0xYw2PZtLmN8sFh1JcD4eGa9UoIiE5Tn6WlM";

    #[test]
    fn planted_personal_data_and_tokens_are_found() {
        assert!(Token::parse(TOKEN).is_ok(), "the planted token is one");
        let table = [
            (
                r#"{"fields":{"national_id":"44051401359"}}"#,
                Kind::NationalId,
            ),
            (
                r#"{"message":"person PESEL:44051401359 matched"}"#,
                Kind::NationalId,
            ),
            ("national_id%3D44051401359&x=1", Kind::NationalId),
            (r#"{"rc":"7801011240"}"#, Kind::NationalId),
            ("rodné číslo 780101/1240", Kind::NationalId),
            (r#"{"email":"anna.kowalska@example.pl"}"#, Kind::Email),
            ("to=anna.bcd%40example.pl", Kind::Email),
            (r#"{"to":"+48601234567"}"#, Kind::Phone),
            ("phone +48 601 234 567 given", Kind::Phone),
            (r#"{"phone":"601234567"}"#, Kind::Phone),
            ("phone 601 234 567", Kind::Phone),
            ("sms to +420601123456", Kind::Phone),
            ("tv_nsec: 1, phone: 601234567", Kind::Phone),
            ("phone +48-601-234-567 2026", Kind::Phone),
            ("2.5 and 601234567", Kind::Phone),
            (
                &format!("confirm.html#booking=01KAQ3V9Z8&token={TOKEN}"),
                Kind::Token,
            ),
            (&format!(r#"{{"token":"{TOKEN}"}}"#), Kind::Token),
        ];
        for (line, kind) in table {
            assert_eq!(kinds(line), vec![kind], "{line}");
        }
    }

    #[test]
    fn realistic_clean_lines_pass() {
        let lines = [
            r#"{"timestamp":"2026-11-23T08:00:00.123456Z","level":"INFO","fields":{"message":"hold created","booking_id":"01KAQ3V9Z8M4TQ7D2XW5R6N0HB"},"target":"termin::service::book"}"#,
            r#"{"level":"INFO","fields":{"message":"rate limit reached","limit":"book-client"},"span":{"office_id":"olsztyn","service_id":"id-card-application"}}"#,
            "LIMIT#book-client#olsztyn#3f7a9c0e12b45d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6 W#1795420800000",
            "PERSON#0123456789012345678901234567890123456789012345678901234567890123",
            r#"{"fields":{"message":"email sent","outbox_id":"01KAQ3W1PZ0000000000000000","ses_message_id":"0100019a6b2c3d4e-5f6a7b8c-9d0e-1f2a-3b4c-5d6e7f8a9b0c-000000"}}"#,
            r#"{"fields":{"request_id":"7f3c2a10-4b5e-4c6d-8e9f-012345678901","took_ms":12}}"#,
            r#"{"fields":{"public_ref":"K7MX4NAC","kiosk_code":"ticket A-017","window_ends":1795424400,"ttl":1795510800}}"#,
            "termin-local answered GET /api/offices after 3 s at http://127.0.0.1:45123",
            r#"{"fields":{"message":"inbound SMS handled","outcome":"NotAnswered(NotMobile)","inbound_id":"cae173d2-66b9-564c-8309-21f858e9fb84"}}"#,
            "aws_smithy_runtime::client::orchestrator: send_operation; operation=TransactWriteItems time.busy=1.23ms time.idle=14.2ms",
            r#"{"error":"service error: ConditionalCheckFailed: The conditional request failed"}"#,
            "2026-12-03 04:10:39,123 [main] INFO DynamoDB Local started on port 8000",
            r#"{"fields":{"message":"loaded identity from cache","now":"SystemTime { tv_sec: 1796271473, tv_nsec: 657741443 }"}}"#,
            r#"{"fields":{"message":"delaying for 1.839450217s"}}"#,
            r#"{"fields":{"poison_pill":"PoisonPill@0x7fa86123456789 { poisoned: true }"}}"#,
        ];
        for line in lines {
            assert_eq!(findings(line), vec![], "{line}");
        }
    }

    #[test]
    fn a_report_shows_where_and_what_but_never_the_value() {
        let line = r#"{"national_id":"44051401359","email":"anna.kowalska@example.pl"}"#;
        let found = findings(line);
        assert_eq!(found.len(), 2);
        for i in 0..2 {
            let excerpt = masked_excerpt(line, &found, i);
            assert!(!excerpt.contains("44051401359"), "{excerpt}");
            assert!(!excerpt.contains("kowalska"), "{excerpt}");
            assert!(excerpt.contains("44*********"), "{excerpt}");
            assert!(excerpt.contains("an**.********@*******.**"), "{excerpt}");
        }
    }

    #[test]
    fn a_folder_is_checked_line_by_line_and_an_empty_capture_shows_no_lines() {
        let dir = std::env::temp_dir().join(format!("log-privacy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = check_dir(&dir).unwrap();
        assert_eq!((empty.files, empty.lines), (0, 0));

        std::fs::write(
            dir.join("a.jsonl"),
            "{\"ok\":1}\n\n{\"to\":\"+48601234567\"}\n",
        )
        .unwrap();
        std::fs::write(dir.join("b.log"), "clean\n").unwrap();
        let report = check_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((report.files, report.lines), (2, 3));
        assert_eq!(report.leaks.len(), 1);
        let leak = &report.leaks[0];
        assert_eq!((leak.line, leak.kind), (3, Kind::Phone));
        assert!(leak.file.ends_with("a.jsonl"));
        assert!(!leak.to_string().contains("601234567"), "{leak}");
    }
}
