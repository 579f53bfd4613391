//! Dockerfiles: `LABEL version=…` and `LABEL org.opencontainers.image.version=…`.
//!
//! Instructions are read as Docker does (line continuations, comments inside them, quoted and
//! bare values, several labels per instruction, the legacy `LABEL key value` form), keeping the
//! file offset of every character so the edit is a splice of the original text.

use super::{Site, Sites, VersionSource};

const KEYS: [&str; 2] = ["version", "org.opencontainers.image.version"];

/// A character of a logical instruction and its byte offset in the file.
type Located = (usize, char);

pub(super) fn labels(text: &str) -> Sites {
    let mut found = Sites::default();
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let mut index = 0;
    while index < lines.len() {
        let (start, line) = lines[index];
        index += 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut instruction: Vec<Located> = Vec::new();
        let (mut start, mut line) = (start, line);
        loop {
            let body = line.trim_end();
            let continued = body.ends_with('\\');
            let body = if continued {
                &body[..body.len() - 1]
            } else {
                line
            };
            instruction.extend(body.char_indices().map(|(at, c)| (start + at, c)));
            if !continued {
                break;
            }
            // Docker drops comment and empty lines inside a continued instruction.
            while index < lines.len() && {
                let next = lines[index].1.trim_start();
                next.is_empty() || next.starts_with('#')
            } {
                index += 1;
            }
            let Some(&next) = lines.get(index) else {
                break;
            };
            index += 1;
            (start, line) = next;
        }
        label_instruction(text, &instruction, &mut found);
    }
    found
}

fn label_instruction(text: &str, instruction: &[Located], found: &mut Sites) {
    let mut position = skip_whitespace(instruction, 0);
    let keyword_end = instruction[position..]
        .iter()
        .position(|&(_, c)| c.is_whitespace())
        .map_or(instruction.len(), |length| position + length);
    let keyword: String = instruction[position..keyword_end]
        .iter()
        .map(|&(_, c)| c)
        .collect();
    if !keyword.eq_ignore_ascii_case("label") {
        return;
    }
    position = keyword_end;
    loop {
        position = skip_whitespace(instruction, position);
        if position >= instruction.len() {
            break;
        }
        let (key, after_key) = token(instruction, position, true);
        let key_text: String = key.iter().map(|&(_, c)| c).collect();
        let value;
        if instruction.get(after_key).map(|&(_, c)| c) == Some('=') {
            let (token_value, after_value) = token(instruction, after_key + 1, false);
            value = token_value;
            position = after_value;
        } else {
            // `LABEL key value`: the rest of the instruction is the value.
            let rest_start = skip_whitespace(instruction, after_key);
            let mut rest = &instruction[rest_start..];
            while rest.last().is_some_and(|&(_, c)| c.is_whitespace()) {
                rest = &rest[..rest.len() - 1];
            }
            value = rest;
            position = instruction.len();
        }
        if !KEYS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&key_text))
        {
            continue;
        }
        let value_text: String = value.iter().map(|&(_, c)| c).collect();
        if value_text.contains('$') {
            found.elsewhere.get_or_insert(VersionSource::Computed {
                expression: value_text,
            });
            continue;
        }
        if let Some(range) = contiguous(text, value)
            && !value_text.is_empty()
            && !value_text.contains('\\')
        {
            found
                .sites
                .push(Site::version(range, format!("LABEL {key_text}")));
        }
    }
}

fn skip_whitespace(instruction: &[Located], mut position: usize) -> usize {
    while position < instruction.len() && instruction[position].1.is_whitespace() {
        position += 1;
    }
    position
}

/// A quoted or bare token starting at `position`: its content (without quotes) and the position
/// after it. A bare key stops at `=`.
fn token(instruction: &[Located], position: usize, is_key: bool) -> (&[Located], usize) {
    if let Some(quote @ ('"' | '\'')) = instruction.get(position).map(|&(_, c)| c) {
        let start = position + 1;
        let mut end = start;
        while end < instruction.len() && instruction[end].1 != quote {
            if instruction[end].1 == '\\' && quote == '"' {
                end += 1;
            }
            end += 1;
        }
        let end = end.min(instruction.len());
        return (&instruction[start..end], (end + 1).min(instruction.len()));
    }
    let mut end = position;
    while end < instruction.len()
        && !instruction[end].1.is_whitespace()
        && !(is_key && instruction[end].1 == '=')
    {
        end += 1;
    }
    (&instruction[position..end], end)
}

/// The byte range of `located` if its characters are adjacent in the file (not split by a line
/// continuation).
fn contiguous(text: &str, located: &[Located]) -> Option<std::ops::Range<usize>> {
    let (first, _) = *located.first()?;
    let (last, last_char) = *located.last()?;
    let range = first..last + last_char.len_utf8();
    let expected: String = located.iter().map(|&(_, c)| c).collect();
    (text.get(range.clone())? == expected).then_some(range)
}
