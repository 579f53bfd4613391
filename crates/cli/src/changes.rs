//! Change files on disk: `.changes/*.md` in the project directory (see
//! [`changelog::parse_change_file`] for their form).
//!
//! A release consumes the files that name the packages it releases: their levels combine with
//! the commits' (the highest wins), their text goes into the changelog, and they are removed in
//! the release commit. In a single-package repository a file names the project.

use std::path::{Path, PathBuf};

use versioning::Level;

use crate::bad_input;

/// The directory of change files, relative to the project.
pub const DIRECTORY: &str = ".changes";

/// One change file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its path, relative to the project.
    pub path: PathBuf,
    /// What it says.
    pub file: changelog::ChangeFile,
}

impl Change {
    /// Its level for `package`, if it names it.
    pub fn level_for(&self, package: &str) -> Option<Level> {
        self.file.levels.get(package).copied()
    }
}

/// Every change file of the project, in file name order, each checked to name only `names` (the
/// packages, or the project's name). A file that cannot be read is bad input naming it.
pub fn read(directory: &Path, names: &[String]) -> anyhow::Result<Vec<Change>> {
    let Ok(entries) = fs_err::read_dir(directory.join(DIRECTORY)) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path.extension().is_some_and(|extension| extension == "md")
                && !path
                    .file_name()
                    .is_some_and(|name| name.eq_ignore_ascii_case("README.md"))
        })
        .collect();
    paths.sort();
    let mut changes = Vec::new();
    // Every file's problem at once, so that one run shows them all.
    let mut problems = Vec::new();
    for path in paths {
        let relative = PathBuf::from(DIRECTORY).join(path.file_name().unwrap_or_default());
        let shown = relative.display().to_string();
        let text = fs_err::read_to_string(&path)?;
        let file = match changelog::parse_change_file(&text) {
            Ok(file) => file,
            Err(error) => {
                problems.push(format!("change file {shown}: {error}"));
                continue;
            }
        };
        let unknown: Vec<&str> = file
            .levels
            .keys()
            .filter(|name| !names.contains(name))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            problems.push(format!(
                "change file {shown} names {}, which is not {}: fix the name, or delete the file",
                unknown.join(" and "),
                describe(names)
            ));
            continue;
        }
        changes.push(Change {
            path: relative,
            file,
        });
    }
    if !problems.is_empty() {
        return Err(bad_input(anyhow::anyhow!("{}", problems.join("; "))));
    }
    Ok(changes)
}

fn describe(names: &[String]) -> String {
    match names {
        [] => "a package here".to_owned(),
        [one] => format!("the project's name ({one})"),
        many => format!("a package here ({})", many.join(", ")),
    }
}

/// The highest level the `changes` give `package`.
pub fn level(changes: &[Change], package: &str) -> Option<Level> {
    changes
        .iter()
        .filter_map(|change| change.level_for(package))
        .max()
}

/// The changes that name `package`.
pub fn for_package<'a>(changes: &'a [Change], package: &str) -> Vec<&'a Change> {
    changes
        .iter()
        .filter(|change| change.level_for(package).is_some())
        .collect()
}

/// The name the project has in change files of a single-package repository.
pub fn project_name(project: &crate::project::Project) -> String {
    project.name.clone().unwrap_or_else(|| "project".to_owned())
}

/// A new change file's name: the first words of its text, made safe, and free in the directory.
pub fn new_path(directory: &Path, body: &str) -> PathBuf {
    let mut slug = String::new();
    for word in body.split_whitespace().take(6) {
        for c in word.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') {
                slug.push('-');
            }
        }
        if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    let slug: String = slug.chars().take(48).collect();
    let slug = if slug.is_empty() { "change" } else { &slug };
    let mut candidate = PathBuf::from(DIRECTORY).join(format!("{slug}.md"));
    let mut number = 2;
    while directory.join(&candidate).exists() {
        candidate = PathBuf::from(DIRECTORY).join(format!("{slug}-{number}.md"));
        number += 1;
    }
    candidate
}
