//! `package.json`: the top-level `"version"` only, never a nested one (`engines`, `config`, ...).

use super::{Site, Sites};
use crate::error::FileError;

/// The end (exclusive) of the JSON string starting at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'"' => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

fn skip_whitespace(bytes: &[u8], mut index: usize) -> usize {
    while index < bytes.len() && bytes[index].is_ascii_whitespace() {
        index += 1;
    }
    index
}

pub(super) fn package_json(text: &str) -> Result<Sites, FileError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| FileError::InvalidJson {
            reason: error.to_string(),
        })?;
    let mut found = Sites::default();
    if !value.is_object() {
        return Ok(found);
    }
    let bytes = text.as_bytes();
    for (key, value_start) in top_level_members(text) {
        if key == "version" && bytes.get(value_start) == Some(&b'"') {
            let value_end = string_end(bytes, value_start);
            let content = value_start + 1..value_end - 1;
            if !text[content.clone()].contains('\\') {
                found.sites.push(Site::version(content, "\"version\""));
            }
        }
    }
    Ok(found)
}

/// Each top-level member of the JSON object `text` (valid JSON): its key and where its value
/// starts. A small scanner that tracks depth and whether a string is a key finds them exactly.
fn top_level_members(text: &str) -> Vec<(&str, usize)> {
    let bytes = text.as_bytes();
    let mut members = Vec::new();
    let mut depth = 0usize;
    let mut previous = b' ';
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                let end = string_end(bytes, index);
                if depth == 1 && matches!(previous, b'{' | b',') {
                    let colon = skip_whitespace(bytes, end);
                    members.push((&text[index + 1..end - 1], skip_whitespace(bytes, colon + 1)));
                }
                previous = b'"';
                index = end;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !bytes[index].is_ascii_whitespace() {
            previous = bytes[index];
        }
        index += 1;
    }
    members
}

/// The members of the object that starts at `open` (a `{`): each key with the range of its value
/// when the value is a string without escapes. `None` when it is not an object.
fn string_members(text: &str, open: usize) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut index = skip_whitespace(bytes, open + 1);
    while index < bytes.len() && bytes[index] == b'"' {
        let key_end = string_end(bytes, index);
        let key = text[index + 1..key_end - 1].to_owned();
        let colon = skip_whitespace(bytes, key_end);
        let value = skip_whitespace(bytes, colon + 1);
        if bytes.get(value) != Some(&b'"') {
            return Some(members);
        }
        let value_end = string_end(bytes, value);
        let content = value + 1..value_end - 1;
        if !text[content.clone()].contains('\\') {
            members.push((key, content));
        }
        index = skip_whitespace(bytes, value_end);
        if bytes.get(index) == Some(&b',') {
            index = skip_whitespace(bytes, index + 1);
        }
    }
    Some(members)
}

/// The requirements of a `package.json`: every member of the top-level `dependencies`,
/// `devDependencies`, `peerDependencies` and `optionalDependencies`.
pub(super) fn package_json_requirements(
    text: &str,
) -> Result<Vec<super::toml::RequirementSite>, FileError> {
    const TABLES: [&str; 4] = [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ];
    serde_json::from_str::<serde_json::Value>(text).map_err(|error| FileError::InvalidJson {
        reason: error.to_string(),
    })?;
    let mut found = Vec::new();
    for (key, value) in top_level_members(text) {
        if TABLES.contains(&key) {
            for (name, range) in string_members(text, value).unwrap_or_default() {
                found.push((name, range, format!("\"{key}\"")));
            }
        }
    }
    Ok(found)
}
