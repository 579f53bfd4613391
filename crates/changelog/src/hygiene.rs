//! Text from outside, made safe to merge: commit text without control characters, and an existing
//! changelog refused when it is not a text file slipway can merge into.
//!
//! Commit messages are written by anyone with push access; a terminal escape sequence in one
//! (`\x1b[31m`, an OSC 8 link, a bare carriage return that hides the start of a line) would
//! otherwise be copied into CHANGELOG.md, tag messages and release notes, and replayed on every
//! terminal that shows them.

use std::borrow::Cow;

use crate::error::Unmergeable;

/// `text` without control characters other than newline and tab: C0 controls, DEL and C1
/// controls are removed, and an escape sequence (CSI `ESC [ … final`, OSC `ESC ] … BEL` or
/// `ESC ] … ESC \`, or a two-character `ESC x`) is removed whole, so that no `[31m` is left
/// behind.
///
/// ```
/// assert_eq!(changelog::strip_control("fix: \x1b[31mred\x1b[0m\r\n\tok"), "fix: red\n\tok");
/// assert_eq!(changelog::strip_control("\x1b]8;;https://e.test\x07link\x1b]8;;\x1b\\"), "link");
/// ```
pub fn strip_control(text: &str) -> Cow<'_, str> {
    // A control character is a byte below 0x20 or 0x7f, or (U+0080 to U+009F) 0xc2 then a byte
    // of 0x80 to 0x9f: without such bytes, which a byte scan finds fast, there is none.
    let may_have_control = text.bytes().any(|byte| {
        (byte < 0x20 && byte != b'\n' && byte != b'\t') || byte == 0x7f || byte == 0xc2
    });
    if !may_have_control || !text.chars().any(is_stripped) {
        return Cow::Borrowed(text);
    }
    let mut clean = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.next() {
                // CSI: parameters and intermediates up to a final byte in @..~.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or the string terminator ESC \.
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                // Any other escape is two characters long.
                _ => {}
            }
        } else if !is_stripped(c) {
            clean.push(c);
        }
    }
    Cow::Owned(clean)
}

fn is_stripped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The existing changelog's text, or why slipway refuses to merge into it: a NUL byte (a binary
/// file), bytes that are not UTF-8, or git's conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`
/// lines) left from an unresolved merge.
///
/// A line of `=======` alone is a Markdown heading underline, so it only counts beside a
/// `<<<<<<<` or `>>>>>>>` line.
///
/// ```
/// use changelog::check_existing;
///
/// assert_eq!(check_existing(b"# Changelog\n").unwrap(), "# Changelog\n");
/// assert_eq!(check_existing(b"Changelog\n=======\n").unwrap(), "Changelog\n=======\n");
/// let conflicted = b"## [1.1.0]\n<<<<<<< HEAD\n- a\n=======\n- b\n>>>>>>> topic\n";
/// assert_eq!(
///     check_existing(conflicted).unwrap_err().to_string(),
///     "it has git conflict markers (line 2: \"<<<<<<< HEAD\"): resolve the conflict and commit the file first"
/// );
/// assert_eq!(
///     check_existing(b"PK\x03\x04\x00\x00").unwrap_err().to_string(),
///     "it is a binary file (a NUL byte at offset 4), not Markdown: point the changelog setting at a text file"
/// );
/// ```
pub fn check_existing(bytes: &[u8]) -> Result<&str, Unmergeable> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(Unmergeable::Binary { offset });
    }
    let text = std::str::from_utf8(bytes).map_err(|error| Unmergeable::NotUtf8 {
        // The pieces between newlines before the bad byte: its 1-based line.
        line: bytes[..error.valid_up_to()].split(|&b| b == b'\n').count(),
    })?;
    let is_side = |line: &str| {
        ["<<<<<<<", ">>>>>>>"].iter().any(|marker| {
            line.strip_prefix(marker)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        })
    };
    let lines = || text.lines().map(|line| line.trim_end_matches('\r'));
    if lines().any(is_side) {
        if let Some((number, line)) = lines()
            .enumerate()
            .find(|(_, line)| is_side(line) || line.trim_end() == "=======")
        {
            return Err(Unmergeable::ConflictMarkers {
                line: number + 1,
                text: line.to_owned(),
            });
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_stripped_and_the_rest_is_kept() {
        let cases = [
            ("plain text", "plain text"),
            ("tab\tand\nnewline", "tab\tand\nnewline"),
            ("\x1b[1;31mbold red\x1b[0m", "bold red"),
            ("bell\x07 and nul\0 and del\x7f", "bell and nul and del"),
            ("c1 \u{9b}31m csi", "c1 31m csi"),
            ("title \x1b]0;pwned\x07 set", "title  set"),
            ("crlf\r\nline", "crlf\nline"),
            ("unterminated \x1b[31", "unterminated "),
            ("lone escape at end \x1b", "lone escape at end "),
            ("two-char \x1bc reset", "two-char  reset"),
            ("emoji 🚀 and accents é", "emoji 🚀 and accents é"),
        ];
        for (input, expected) in cases {
            assert_eq!(strip_control(input), expected, "{input:?}");
        }
        assert!(matches!(strip_control("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn unmergeable_changelogs_are_refused_with_the_line() {
        let error = |bytes: &[u8]| check_existing(bytes).unwrap_err().to_string();
        assert_eq!(
            error(b"# Changelog\n\xe9t\xe9\n"),
            "it is not UTF-8 (line 2 has a byte that is not): convert it, e.g. `iconv -f latin1 -t utf-8`"
        );
        assert!(error(b"a\n>>>>>>> theirs\n").contains("line 2: \">>>>>>> theirs\""));
        assert!(error(b"a\n=======\nb\n>>>>>>>\n").contains("line 2: \"=======\""));
        // Setext headings and long rules are Markdown, not conflicts.
        for text in [
            "Changelog\n=======\n",
            "<<<<<<<<< not a marker\n",
            "> <<<<<<< quoted\n",
        ] {
            assert!(check_existing(text.as_bytes()).is_ok(), "{text:?}");
        }
    }
}
