//! Change files: a change written down by hand, for histories whose commits do not say it.
//!
//! A change file is Markdown with a front matter that maps packages to the level of the change
//! (`major`, `minor` or `patch`); its body becomes the changelog entry of each package named.
//! Its level combines with the level the commits call for: the highest wins.
//!
//! ```text
//! ---
//! core: minor
//! app: patch
//! ---
//! The batch endpoint accepts up to 500 items.
//! ```
//!
//! ```
//! use changelog::{ChangeFile, parse_change_file};
//! use versioning::Level;
//!
//! let file = parse_change_file("---\ncore: minor\n\"app\": patch\n---\nBatches of 500.\n")?;
//! assert_eq!(file.levels["core"], Level::Minor);
//! assert_eq!(file.levels["app"], Level::Patch);
//! assert_eq!(file.body, "Batches of 500.");
//! assert_eq!(parse_change_file(&file.render())?, file);
//! # Ok::<(), changelog::ChangeFileError>(())
//! ```
//!
//! Where the entries go: [`add_entries`] puts list items into a `###` subsection of a release
//! section, creating it when the section has none.

use std::collections::BTreeMap;

use versioning::Level;

/// A parsed change file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFile {
    /// Each package named, with the level of the change.
    pub levels: BTreeMap<String, Level>,
    /// The Markdown body, trimmed.
    pub body: String,
}

/// A change file that cannot be read. Lines are 1-based, counted from the top of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeFileError {
    /// The file does not start with `---`.
    #[error(
        "it does not start with a front matter: write `---`, then `package: minor` lines, then `---` and the text"
    )]
    NoFrontMatter,
    /// The front matter is not closed.
    #[error("the front matter opened on line 1 is never closed with `---`")]
    Unclosed,
    /// A front matter line is not `name: level`.
    #[error("line {line}: {text:?} is not `package: major|minor|patch`")]
    BadLine {
        /// The line.
        line: usize,
        /// Its text.
        text: String,
    },
    /// A package is named twice.
    #[error("line {line}: {package} is named twice")]
    Duplicate {
        /// The line.
        line: usize,
        /// The package.
        package: String,
    },
    /// The front matter names no package.
    #[error("the front matter names no package: add a `package: patch` line")]
    NoPackage,
    /// The body is empty.
    #[error("the change has no text below the front matter: say what changed")]
    NoText,
}

/// Parses a change file.
pub fn parse_change_file(text: &str) -> Result<ChangeFile, ChangeFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_end() == "---" => {}
        _ => return Err(ChangeFileError::NoFrontMatter),
    }
    let mut levels = BTreeMap::new();
    let mut body_start = None;
    for (index, line) in lines.by_ref() {
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed == "---" {
            body_start = Some(index + 1);
            break;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let bad = || ChangeFileError::BadLine {
            line: number,
            text: line.to_owned(),
        };
        let (name, level) = trimmed.rsplit_once(':').ok_or_else(bad)?;
        let name = name.trim().trim_matches(['"', '\'']).trim();
        let level = level.trim().trim_matches(['"', '\'']);
        if name.is_empty() {
            return Err(bad());
        }
        let level: Level = level.parse().map_err(|_| bad())?;
        if levels.insert(name.to_owned(), level).is_some() {
            return Err(ChangeFileError::Duplicate {
                line: number,
                package: name.to_owned(),
            });
        }
    }
    let Some(body_start) = body_start else {
        return Err(ChangeFileError::Unclosed);
    };
    if levels.is_empty() {
        return Err(ChangeFileError::NoPackage);
    }
    let body = text
        .lines()
        .skip(body_start)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned();
    if body.is_empty() {
        return Err(ChangeFileError::NoText);
    }
    Ok(ChangeFile { levels, body })
}

impl ChangeFile {
    /// The file's text, as `slipway change add` writes it.
    pub fn render(&self) -> String {
        let mut text = String::from("---\n");
        for (name, level) in &self.levels {
            let quoted = if name.contains([':', '#', '"', '\'', ' ']) || name.starts_with('@') {
                format!("\"{name}\"")
            } else {
                name.clone()
            };
            text.push_str(&quoted);
            text.push_str(": ");
            text.push_str(level.as_str());
            text.push('\n');
        }
        text.push_str("---\n");
        text.push_str(self.body.trim());
        text.push('\n');
        text
    }

    /// The body as one Markdown list item: the first line after `- `, the rest indented under it.
    pub fn entry(&self) -> String {
        list_item(&self.body)
    }
}

/// `text` as one Markdown list item (`- first line`, the others indented by two spaces).
pub fn list_item(text: &str) -> String {
    let mut item = String::new();
    for (index, line) in text.trim().lines().enumerate() {
        if index == 0 {
            item.push_str("- ");
            item.push_str(line.trim_start_matches("- "));
        } else if line.trim().is_empty() {
            item.push('\n');
        } else {
            item.push_str("\n  ");
            item.push_str(line);
        }
    }
    item
}

/// The release `section` (a `## ` heading and its body) with `items` (Markdown list items)
/// appended to its `### title` subsection, which is created right under the heading (after any
/// text that precedes the first subsection) when the section has none.
///
/// ```
/// use changelog::add_entries;
///
/// let section = "## [1.1.0] - 2026-11-21\n\n### Fixed\n\n- a crash (abc1234)\n";
/// assert_eq!(
///     add_entries(section, "Fixed", &["- the batch size".to_owned()]),
///     "## [1.1.0] - 2026-11-21\n\n### Fixed\n\n- a crash (abc1234)\n- the batch size\n"
/// );
/// assert_eq!(
///     add_entries("## [1.0.1] - 2026-11-21\n\n_No notable changes._\n", "Dependencies", &["- core 1.1.0".to_owned()]),
///     "## [1.0.1] - 2026-11-21\n\n### Dependencies\n\n- core 1.1.0\n"
/// );
/// ```
pub fn add_entries(section: &str, title: &str, items: &[String]) -> String {
    if items.is_empty() {
        return section.to_owned();
    }
    let heading = format!("### {title}");
    // The placeholder of a release without entries goes once it has some.
    let mut lines: Vec<&str> = section.lines().collect();
    if let Some(placeholder) = lines
        .iter()
        .position(|line| line.trim() == "_No notable changes._")
    {
        lines.remove(placeholder);
        if placeholder > 0
            && placeholder < lines.len()
            && lines[placeholder].trim().is_empty()
            && lines[placeholder - 1].trim().is_empty()
        {
            lines.remove(placeholder);
        }
    }
    let items_text = items.join("\n");
    let mut out: Vec<String> = Vec::new();
    if let Some(start) = lines.iter().position(|line| line.trim_end() == heading) {
        // The end of that subsection's list: the next heading, or the section's end.
        let end = lines[start + 1..]
            .iter()
            .position(|line| line.starts_with('#'))
            .map_or(lines.len(), |offset| start + 1 + offset);
        let mut last = end;
        while last > start + 1 && lines[last - 1].trim().is_empty() {
            last -= 1;
        }
        out.extend(lines[..last].iter().map(|line| (*line).to_owned()));
        out.push(items_text);
        if end < lines.len() {
            out.push(String::new());
            out.extend(lines[end..].iter().map(|line| (*line).to_owned()));
        }
    } else {
        let first_subsection = lines
            .iter()
            .skip(1)
            .position(|line| line.starts_with("### "))
            .map(|offset| offset + 1);
        let split = first_subsection.unwrap_or(lines.len());
        let mut head = split;
        while head > 1 && lines[head - 1].trim().is_empty() {
            head -= 1;
        }
        out.extend(lines[..head].iter().map(|line| (*line).to_owned()));
        out.push(String::new());
        out.push(heading);
        out.push(String::new());
        out.push(items_text);
        if split < lines.len() {
            out.push(String::new());
            out.extend(lines[split..].iter().map(|line| (*line).to_owned()));
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_the_line_and_the_fix() {
        let check = |text: &str, expected: &str| {
            assert_eq!(parse_change_file(text).unwrap_err().to_string(), expected);
        };
        check(
            "core: minor\n",
            "it does not start with a front matter: write `---`, then `package: minor` lines, then `---` and the text",
        );
        check(
            "---\ncore: minor\n",
            "the front matter opened on line 1 is never closed with `---`",
        );
        check(
            "---\ncore: big\n---\nx\n",
            "line 2: \"core: big\" is not `package: major|minor|patch`",
        );
        check(
            "---\ncore: patch\ncore: minor\n---\nx\n",
            "line 3: core is named twice",
        );
        check(
            "---\n---\nx\n",
            "the front matter names no package: add a `package: patch` line",
        );
        check(
            "---\ncore: patch\n---\n\n",
            "the change has no text below the front matter: say what changed",
        );
    }

    #[test]
    fn scoped_npm_names_round_trip() {
        let file = parse_change_file("---\n\"@acme/core\": major\n---\nA\n\nB\n").unwrap();
        assert_eq!(file.levels["@acme/core"], Level::Major);
        assert_eq!(file.body, "A\n\nB");
        assert_eq!(parse_change_file(&file.render()).unwrap(), file);
        assert_eq!(file.entry(), "- A\n\n  B");
    }

    #[test]
    fn entries_go_before_the_first_subsection_when_theirs_is_missing() {
        let section = "## [2.0.0] - 2026-11-21\n\nRead this first.\n\n### Added\n\n- x (abc1234)\n";
        assert_eq!(
            add_entries(section, "Changed", &["- y".to_owned()]),
            "## [2.0.0] - 2026-11-21\n\nRead this first.\n\n### Changed\n\n- y\n\n### Added\n\n- x (abc1234)\n"
        );
        let section = "## [2.0.0] - 2026-11-21\n\n### Changed\n\n- a\n\n### Added\n\n- x\n";
        assert_eq!(
            add_entries(section, "Changed", &["- b".to_owned()]),
            "## [2.0.0] - 2026-11-21\n\n### Changed\n\n- a\n- b\n\n### Added\n\n- x\n"
        );
    }
}
