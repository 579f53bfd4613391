//! Python sources (`__version__ = "…"`), `setup.py` and `setup.cfg`, edited as text.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Site, Sites, VersionSource};

static DUNDER_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*__version__[ \t]*(?::[^=\r\n]*)?=[ \t]*").expect("valid regex")
});

static VERSION_KEYWORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bversion[ \t]*=[ \t]*").expect("valid regex"));

static CFG_VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[ \t]*version[ \t]*[=:][ \t]*").expect("valid regex"));

/// The content range of a Python string literal starting at `start` (after an optional `u`/`r`
/// prefix), if it is one on a single line without escapes.
fn literal_at(text: &str, start: usize) -> Option<Range<usize>> {
    let rest = &text[start..];
    let prefix = usize::from(rest.starts_with(['u', 'U', 'r', 'R']));
    let rest = &rest[prefix..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|quote| rest.starts_with(quote))?;
    let content = &rest[quote.len()..];
    let end = content.find(quote)?;
    let value = &content[..end];
    if value.contains(['\n', '\r', '\\']) {
        return None;
    }
    let content_start = start + prefix + quote.len();
    Some(content_start..content_start + end)
}

/// The expression after `=`, up to the end of the line or a comment, for messages.
fn expression_at(text: &str, start: usize) -> String {
    let line = text[start..].lines().next().unwrap_or_default();
    let line = line.split(" #").next().unwrap_or(line);
    line.trim().trim_end_matches(',').trim().to_owned()
}

/// Whether `offset` is inside a `#` comment on its line (ignoring `#` inside strings, which a
/// version assignment does not have before it).
fn in_comment(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
    text[line_start..offset].contains('#')
}

fn dunder_sites(text: &str, found: &mut Sites) {
    for assignment in DUNDER_VERSION.find_iter(text) {
        match literal_at(text, assignment.end()) {
            Some(range) => found.sites.push(Site::version(range, "__version__")),
            None => {
                found
                    .elsewhere
                    .get_or_insert_with(|| VersionSource::Computed {
                        expression: expression_at(text, assignment.end()),
                    });
            }
        }
    }
}

pub(super) fn source(text: &str) -> Sites {
    let mut found = Sites::default();
    dunder_sites(text, &mut found);
    found
}

pub(super) fn setup_py(text: &str) -> Sites {
    let mut found = Sites::default();
    dunder_sites(text, &mut found);
    for keyword in VERSION_KEYWORD.find_iter(text) {
        let before = text[..keyword.start()].chars().next_back();
        // `x.version = ...` is an attribute, `version == ...` a comparison.
        if before == Some('.')
            || text[keyword.end()..].starts_with('=')
            || text[..keyword.end()].ends_with("==")
            || in_comment(text, keyword.start())
        {
            continue;
        }
        match literal_at(text, keyword.end()) {
            Some(range) => found.sites.push(Site::version(range, "setup(version=…)")),
            None => {
                found
                    .elsewhere
                    .get_or_insert_with(|| VersionSource::Computed {
                        expression: expression_at(text, keyword.end()),
                    });
            }
        }
    }
    found
}

pub(super) fn setup_cfg(text: &str) -> Sites {
    let mut found = Sites::default();
    let mut in_metadata = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        if trimmed.starts_with('[') {
            in_metadata = trimmed == "[metadata]";
            continue;
        }
        if !in_metadata || content.starts_with([' ', '\t']) && !trimmed.starts_with("version") {
            continue;
        }
        let Some(key) = CFG_VERSION.find(content) else {
            continue;
        };
        let value = content[key.end()..].trim_end();
        if value.is_empty() {
            continue;
        }
        if let Some(attribute) = value.strip_prefix("attr:") {
            found.elsewhere = Some(VersionSource::Attribute {
                tool: "setuptools".to_owned(),
                attribute: attribute.trim().to_owned(),
            });
        } else if let Some(path) = value.strip_prefix("file:") {
            found.elsewhere = Some(VersionSource::File {
                tool: "setuptools".to_owned(),
                path: path.trim().to_owned(),
            });
        } else {
            let value_start = start + key.end();
            found.sites.push(Site::version(
                value_start..value_start + value.len(),
                "[metadata].version",
            ));
        }
    }
    found
}
