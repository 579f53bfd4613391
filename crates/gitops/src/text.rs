//! Commit text in the encoding its `encoding` header names, decoded to UTF-8.
//!
//! Git stores a commit's message and names as bytes, and records the encoding in an `encoding`
//! header when `i18n.commitEncoding` is not UTF-8; `git log` re-encodes from it. libgit2 does
//! not, so slipway decodes the encodings seen in practice itself, with no dependency:
//! ISO-8859-1 (each byte is the code point of the same number) and Windows-1252 (the same, but
//! 0x80..=0x9F are printable characters). Anything else is read as UTF-8, with invalid bytes
//! replaced, and a debug log naming the encoding.

use std::borrow::Cow;

/// The encodings slipway decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Latin1,
    Windows1252,
}

impl Encoding {
    /// The encoding an `encoding` header names (as iconv spells them, case-insensitively).
    fn from_header(name: Option<&str>) -> Option<Encoding> {
        let Some(name) = name else {
            return Some(Encoding::Utf8);
        };
        let name = name.trim().to_ascii_lowercase().replace('_', "-");
        match name.as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "iso-8859-1" | "iso8859-1" | "iso-8859-1:1987" | "latin1" | "latin-1" | "l1"
            | "iso-ir-100" | "cp819" | "ibm819" | "csisolatin1" => Some(Encoding::Latin1),
            "windows-1252" | "cp1252" | "x-cp1252" => Some(Encoding::Windows1252),
            _ => None,
        }
    }
}

/// Windows-1252's characters for 0x80..=0x9F; `None` where it defines none (those bytes are
/// then read as ISO-8859-1's control characters, as the WHATWG decoder does).
const WINDOWS_1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// `bytes` decoded from the encoding an `encoding` header names (`None`: no header, UTF-8).
///
/// `what` names the text in the debug log for an encoding slipway does not know.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    encoding: Option<&str>,
    what: &dyn Fn() -> String,
) -> Cow<'a, str> {
    match Encoding::from_header(encoding) {
        Some(Encoding::Utf8) => String::from_utf8_lossy(bytes),
        Some(Encoding::Latin1) => Cow::Owned(bytes.iter().map(|&byte| char::from(byte)).collect()),
        Some(Encoding::Windows1252) => Cow::Owned(
            bytes
                .iter()
                .map(|&byte| match byte {
                    0x80..=0x9F => {
                        WINDOWS_1252_HIGH[usize::from(byte - 0x80)].unwrap_or(char::from(byte))
                    }
                    _ => char::from(byte),
                })
                .collect(),
        ),
        None => {
            tracing::debug!(
                encoding = encoding.unwrap_or_default(),
                "{} declares an encoding slipway does not decode: reading it as UTF-8",
                what()
            );
            String::from_utf8_lossy(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], encoding: Option<&str>, expected: &str) {
        assert_eq!(
            decode(bytes, encoding, &String::new),
            expected,
            "{encoding:?}"
        );
    }

    #[test]
    fn each_encoding_decodes_its_bytes() {
        check(b"caf\xe9 cr\xe8me", Some("ISO-8859-1"), "café crème");
        check(b"caf\xe9", Some("latin1"), "café");
        check(b"caf\xe9", Some("iso_8859-1"), "café");
        check(
            b"\x80 \x93quoted\x94 \x81",
            Some("windows-1252"),
            "€ “quoted” \u{81}",
        );
        check(b"\x80", Some("ISO-8859-1"), "\u{80}");
        check("café".as_bytes(), None, "café");
        check("café".as_bytes(), Some("UTF-8"), "café");
    }

    #[test]
    fn an_unknown_encoding_is_read_as_utf8_with_replacements() {
        check(b"caf\xe9", Some("KOI8-R"), "caf\u{fffd}");
        check("café".as_bytes(), Some("EUC-JP"), "café");
    }
}
