//! Document templates an administrator attaches to a matter as files (seed
//! 001: "attaching files with templates of documents"): which files are
//! accepted, under what name and where they are kept. Pure.
//!
//! Only office formats are taken (PDF, Word, OpenDocument, RTF, Excel, plain
//! text), recognised by their name's extension and their first bytes alike,
//! so nothing a browser would run (HTML, SVG, scripts) is ever served from
//! the office's site.

use crate::domain::ids::OfficeId;
use ulid::Ulid;

/// The largest file taken: an upload travels base64-encoded inside a
/// Lambda event, whose limit is 6 MB.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The longest file name kept (before its extension's dot).
const MAX_STEM_CHARS: usize = 80;

/// Where the files live, in the bucket and in the public site's paths.
pub const DOCUMENTS_PREFIX: &str = "documents";

/// A kind of file the office may publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    /// Office Open XML: `.docx`, `.xlsx` (a ZIP container).
    Docx,
    Xlsx,
    /// OpenDocument: `.odt`, `.ods` (a ZIP container).
    Odt,
    Ods,
    /// The older binary formats: `.doc`, `.xls` (an OLE container).
    Doc,
    Xls,
    Rtf,
    Txt,
}

/// Why a file is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {} MB", MAX_DOCUMENT_BYTES / 1024 / 1024)]
    TooLarge,
    #[error(
        "a file name is needed, with one of the extensions pdf, docx, doc, odt, rtf, xlsx, xls, ods, txt"
    )]
    Name,
    #[error("only PDF, Word, OpenDocument, RTF, Excel and plain text files are taken")]
    Kind,
    #[error("the file's content is not what its name says ({0})")]
    Content(&'static str),
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl DocumentKind {
    fn from_extension(extension: &str) -> Option<Self> {
        Some(match extension.to_ascii_lowercase().as_str() {
            "pdf" => Self::Pdf,
            "docx" => Self::Docx,
            "xlsx" => Self::Xlsx,
            "odt" => Self::Odt,
            "ods" => Self::Ods,
            "doc" => Self::Doc,
            "xls" => Self::Xls,
            "rtf" => Self::Rtf,
            "txt" => Self::Txt,
            _ => return None,
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Xlsx => "xlsx",
            Self::Odt => "odt",
            Self::Ods => "ods",
            Self::Doc => "doc",
            Self::Xls => "xls",
            Self::Rtf => "rtf",
            Self::Txt => "txt",
        }
    }

    /// The `Content-Type` the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Doc => "application/msword",
            Self::Xls => "application/vnd.ms-excel",
            Self::Rtf => "application/rtf",
            Self::Txt => "text/plain; charset=utf-8",
        }
    }

    /// Whether `bytes` begin as a file of this kind does.
    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            Self::Pdf => bytes.starts_with(b"%PDF-"),
            Self::Docx | Self::Xlsx | Self::Odt | Self::Ods => bytes.starts_with(ZIP),
            Self::Doc | Self::Xls => bytes.starts_with(OLE),
            Self::Rtf => bytes.starts_with(b"{\\rtf"),
            // Text: UTF-8 without control characters other than tab and line ends.
            Self::Txt => std::str::from_utf8(bytes).is_ok_and(|text| {
                text.chars()
                    .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            }),
        }
    }
}

/// A file checked and named, ready to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFile {
    pub kind: DocumentKind,
    /// The name it is served under: ASCII letters, digits, `-`, `_` and one
    /// `.` before the extension.
    pub name: String,
    pub size: usize,
}

impl DocumentFile {
    /// Checks an upload: its name (made safe for a URL) and its content.
    pub fn check(raw_name: &str, bytes: &[u8]) -> Result<Self, DocumentError> {
        if bytes.is_empty() {
            return Err(DocumentError::Empty);
        }
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(DocumentError::TooLarge);
        }
        // A path a browser sent (`C:\fakepath\…`) keeps only its last part.
        let base = raw_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim();
        let (stem, extension) = base.rsplit_once('.').ok_or(DocumentError::Name)?;
        let kind = DocumentKind::from_extension(extension).ok_or(DocumentError::Kind)?;
        let stem = safe_stem(stem);
        if stem.is_empty() {
            return Err(DocumentError::Name);
        }
        if !kind.matches(bytes) {
            return Err(DocumentError::Content(kind.extension()));
        }
        Ok(Self {
            kind,
            name: format!("{stem}.{}", kind.extension()),
            size: bytes.len(),
        })
    }

    /// The object's key, also the path it is served under:
    /// `documents/{office}/{id}/{name}` (a new id per upload, so a file
    /// once published never changes under its address).
    pub fn key(&self, office: &OfficeId, id: Ulid) -> String {
        format!("{DOCUMENTS_PREFIX}/{office}/{id}/{}", self.name)
    }

    /// `Content-Disposition`: downloaded under its own name.
    pub fn disposition(&self) -> String {
        format!("attachment; filename=\"{}\"", self.name)
    }
}

/// The name without what a URL or a header cannot carry plainly: Polish and
/// Czech letters lose their marks (`wniosek-o-dowód` → `wniosek-o-dowod`),
/// anything else but ASCII letters, digits, `-` and `_` becomes one `-`.
fn safe_stem(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        let c = fold(c);
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-')
        .chars()
        .take(MAX_STEM_CHARS)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// A letter of the offices' languages without its diacritic mark.
fn fold(c: char) -> char {
    const FROM: &str = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻáčďéěíňřšťúůýžÁČĎÉĚÍŇŘŠŤÚŮÝŽ";
    const TO: &str = "acelnoszzACELNOSZZacdeeinrstuuyzACDEEINRSTUUYZ";
    FROM.chars()
        .position(|x| x == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

    #[test]
    fn a_pdf_keeps_a_safe_name_without_diacritics_or_path() {
        let file = DocumentFile::check("C:\\fakepath\\Wniosek o dowód (2026).PDF", PDF).unwrap();
        assert_eq!(file.kind, DocumentKind::Pdf);
        assert_eq!(file.name, "Wniosek-o-dowod-2026.pdf");
        assert_eq!(file.size, PDF.len());
        let office = OfficeId::parse("olsztyn").unwrap();
        let id = Ulid::from_parts(1, 2);
        assert_eq!(
            file.key(&office, id),
            format!("documents/olsztyn/{id}/Wniosek-o-dowod-2026.pdf")
        );
        assert_eq!(
            file.disposition(),
            "attachment; filename=\"Wniosek-o-dowod-2026.pdf\""
        );
    }

    #[test]
    fn czech_letters_are_folded_too() {
        let file = DocumentFile::check("Žádost o cestovní pas.txt", "Jméno:\n".as_bytes()).unwrap();
        assert_eq!(file.name, "Zadost-o-cestovni-pas.txt");
        assert_eq!(file.kind.content_type(), "text/plain; charset=utf-8");
    }

    #[test]
    fn office_formats_are_recognised_by_name_and_first_bytes() {
        let zip = b"PK\x03\x04rest";
        let ole = [OLE, b"rest"].concat();
        for (name, bytes, kind) in [
            ("a.docx", &zip[..], DocumentKind::Docx),
            ("a.xlsx", &zip[..], DocumentKind::Xlsx),
            ("a.odt", &zip[..], DocumentKind::Odt),
            ("a.ods", &zip[..], DocumentKind::Ods),
            ("a.doc", &ole[..], DocumentKind::Doc),
            ("a.xls", &ole[..], DocumentKind::Xls),
            ("a.rtf", &b"{\\rtf1 x}"[..], DocumentKind::Rtf),
        ] {
            assert_eq!(
                DocumentFile::check(name, bytes).unwrap().kind,
                kind,
                "{name}"
            );
        }
    }

    #[test]
    fn what_a_browser_could_run_or_a_misnamed_file_is_refused() {
        for (name, bytes, error) in [
            (
                "page.html",
                &b"<html><script>x</script>"[..],
                DocumentError::Kind,
            ),
            ("image.svg", &b"<svg onload=x>"[..], DocumentError::Kind),
            ("noextension", PDF, DocumentError::Name),
            (".pdf", PDF, DocumentError::Name),
            ("fake.pdf", &b"<html>"[..], DocumentError::Content("pdf")),
            ("fake.docx", PDF, DocumentError::Content("docx")),
            (
                "binary.txt",
                &b"MZ\x00\x01"[..],
                DocumentError::Content("txt"),
            ),
            ("empty.pdf", &b""[..], DocumentError::Empty),
        ] {
            assert_eq!(DocumentFile::check(name, bytes), Err(error), "{name}");
        }
    }

    #[test]
    fn a_file_over_four_megabytes_is_refused() {
        let mut big = PDF.to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert_eq!(
            DocumentFile::check("big.pdf", &big),
            Err(DocumentError::TooLarge)
        );
        big.truncate(MAX_DOCUMENT_BYTES);
        assert!(DocumentFile::check("big.pdf", &big).is_ok());
    }

    #[test]
    fn a_long_name_is_cut_without_a_trailing_dash() {
        let name = format!("{}-{}.pdf", "a".repeat(79), "b".repeat(30));
        let file = DocumentFile::check(&name, PDF).unwrap();
        assert_eq!(file.name, format!("{}.pdf", "a".repeat(79)));
    }
}
