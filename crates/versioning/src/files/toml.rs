//! `pyproject.toml` and `Cargo.toml`, located with `toml_edit`'s spans and edited as text.
//!
//! `toml_edit` parses; the edit itself is a splice of the original text at the value's span, so
//! nothing else (not even the quote style) can change.

use std::collections::BTreeSet;
use std::ops::Range;

use toml_edit::{Document, Item, TableLike, Value};

use super::{Render, Site, Sites, VersionSource, line_of};
use crate::error::FileError;

fn parse(text: &str) -> Result<Document<&str>, FileError> {
    Document::parse(text).map_err(|error| {
        let message = error.message().trim_end();
        FileError::InvalidToml {
            reason: match error.span() {
                Some(span) => format!(
                    "line {}: {message}",
                    line_of(text, span.start.min(text.len()))
                ),
                None => message.to_owned(),
            },
        }
    })
}

/// The byte range of a string value's content, inside its quotes.
fn string_content(text: &str, value: &Value) -> Option<Range<usize>> {
    value.as_str()?;
    let span = value.span()?;
    let raw = &text[span.clone()];
    let quote = ["\"\"\"", "'''", "\"", "'"].into_iter().find(|quote| {
        raw.starts_with(quote) && raw.ends_with(quote) && raw.len() >= 2 * quote.len()
    })?;
    Some(span.start + quote.len()..span.end - quote.len())
}

fn table<'a>(root: &'a dyn TableLike, path: &[&str]) -> Option<&'a dyn TableLike> {
    let mut current = root;
    for key in path {
        current = current.get(key)?.as_table_like()?;
    }
    Some(current)
}

fn string<'a>(table: &'a dyn TableLike, key: &str) -> Option<&'a str> {
    table.get(key)?.as_str()
}

fn version_site(text: &str, table: &dyn TableLike, place: &str) -> Option<Site> {
    let value = table.get("version")?.as_value()?;
    string_content(text, value).map(|range| Site::version(range, place))
}

pub(super) fn pyproject(text: &str) -> Result<Sites, FileError> {
    let document = parse(text)?;
    let root: &dyn TableLike = document.as_table();
    let mut found = Sites::default();
    let mut dynamic = false;
    if let Some(project) = table(root, &["project"]) {
        found
            .sites
            .extend(version_site(text, project, "[project].version"));
        dynamic = project
            .get("dynamic")
            .and_then(Item::as_array)
            .is_some_and(|array| array.iter().any(|value| value.as_str() == Some("version")));
    }
    if let Some(poetry) = table(root, &["tool", "poetry"]) {
        found
            .sites
            .extend(version_site(text, poetry, "[tool.poetry].version"));
    }
    if dynamic {
        found.elsewhere = Some(dynamic_source(root));
    }
    Ok(found)
}

/// Where a `dynamic = ["version"]` project's version lives, from its build tool's configuration.
fn dynamic_source(root: &dyn TableLike) -> VersionSource {
    let tool = |name: &str| name.to_owned();
    if let Some(hatch) = table(root, &["tool", "hatch", "version"]) {
        if let Some(path) = string(hatch, "path") {
            return VersionSource::File {
                tool: tool("hatch"),
                path: path.to_owned(),
            };
        }
        if string(hatch, "source") == Some("vcs") {
            return VersionSource::Vcs {
                tool: tool("hatch-vcs"),
            };
        }
    }
    if let Some(pdm) = table(root, &["tool", "pdm", "version"]) {
        match (
            string(pdm, "source"),
            string(pdm, "path"),
            string(pdm, "getter"),
        ) {
            (_, Some(path), _) => {
                return VersionSource::File {
                    tool: tool("pdm-backend"),
                    path: path.to_owned(),
                };
            }
            (Some("scm"), _, _) => {
                return VersionSource::Vcs {
                    tool: tool("pdm-backend"),
                };
            }
            (Some("call"), _, Some(getter)) => {
                return VersionSource::Computed {
                    expression: getter.to_owned(),
                };
            }
            _ => {}
        }
    }
    if let Some(setuptools) = table(root, &["tool", "setuptools", "dynamic", "version"]) {
        if let Some(attribute) = string(setuptools, "attr") {
            return VersionSource::Attribute {
                tool: tool("setuptools"),
                attribute: attribute.to_owned(),
            };
        }
        let files = match setuptools.get("file") {
            Some(item) if item.is_str() => item.as_str().map(str::to_owned),
            Some(item) => item.as_array().map(|array| {
                array
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            None => None,
        };
        if let Some(path) = files {
            return VersionSource::File {
                tool: tool("setuptools"),
                path,
            };
        }
    }
    let requires: Vec<String> = table(root, &["build-system"])
        .and_then(|build| build.get("requires")?.as_array())
        .map(|array| {
            array
                .iter()
                .filter_map(Value::as_str)
                .map(|requirement| requirement.to_ascii_lowercase().replace('_', "-"))
                .collect()
        })
        .unwrap_or_default();
    let requires_any = |name: &str| {
        requires
            .iter()
            .any(|requirement| requirement.starts_with(name))
    };
    for (section, name) in [
        ("setuptools_scm", "setuptools-scm"),
        ("poetry-dynamic-versioning", "poetry-dynamic-versioning"),
        ("versioningit", "versioningit"),
    ] {
        if table(root, &["tool", section]).is_some() || requires_any(name) {
            return VersionSource::Vcs { tool: tool(name) };
        }
    }
    if requires_any("hatch-vcs") {
        return VersionSource::Vcs {
            tool: tool("hatch-vcs"),
        };
    }
    let backend = table(root, &["build-system"])
        .and_then(|build| string(build, "build-backend"))
        .unwrap_or_default();
    if backend.starts_with("flit") {
        let module = table(root, &["tool", "flit", "module"])
            .and_then(|module| string(module, "name"))
            .or_else(|| table(root, &["project"]).and_then(|project| string(project, "name")))
            .map_or_else(
                || "<module>".to_owned(),
                |name| name.replace(['-', '.'], "_"),
            );
        return VersionSource::Attribute {
            tool: tool("flit"),
            attribute: format!("{module}.__version__"),
        };
    }
    if backend.starts_with("maturin") {
        return VersionSource::File {
            tool: tool("maturin"),
            path: "Cargo.toml".to_owned(),
        };
    }
    VersionSource::Unknown
}

const DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "dev_dependencies",
    "build_dependencies",
];

pub(super) fn cargo(text: &str, internal_crates: &BTreeSet<String>) -> Result<Sites, FileError> {
    let document = parse(text)?;
    let root: &dyn TableLike = document.as_table();
    let mut found = Sites::default();
    if let Some(package) = table(root, &["package"]) {
        match package.get("version") {
            Some(item) if item.is_str() => {
                found
                    .sites
                    .extend(version_site(text, package, "[package].version"));
            }
            Some(item)
                if item
                    .as_table_like()
                    .is_some_and(|inherit| inherit.contains_key("workspace")) =>
            {
                found.elsewhere = Some(VersionSource::CargoWorkspace);
            }
            _ => {}
        }
    }
    if let Some(workspace_package) = table(root, &["workspace", "package"]) {
        found.sites.extend(version_site(
            text,
            workspace_package,
            "[workspace.package].version",
        ));
    }
    let tables = dependency_tables(root);
    if internal_crates.is_empty() {
        return Ok(found);
    }
    for (table_name, dependencies) in tables {
        for (key, item) in dependencies.iter() {
            let (requirement, package) = match item {
                Item::Value(value @ Value::String(_)) => (Some(value), key),
                _ => match item.as_table_like() {
                    Some(dependency) => (
                        dependency.get("version").and_then(Item::as_value),
                        string(dependency, "package").unwrap_or(key),
                    ),
                    None => continue,
                },
            };
            if !internal_crates.contains(package) {
                continue;
            }
            let Some(range) = requirement.and_then(|value| string_content(text, value)) else {
                continue;
            };
            let range = requirement_version(text, range, key)?;
            found.sites.push(Site {
                range,
                place: format!("[{table_name}].{key}"),
                render: Render::Requirement,
            });
        }
    }
    Ok(found)
}

/// The version inside a requirement: `"=1.2.0"` gives the range of `1.2.0`.
fn requirement_version(
    text: &str,
    range: Range<usize>,
    name: &str,
) -> Result<Range<usize>, FileError> {
    let requirement = &text[range.clone()];
    let unsupported = || FileError::UnsupportedRequirement {
        name: name.to_owned(),
        requirement: requirement.to_owned(),
        line: line_of(text, range.start),
    };
    let leading = requirement.len() - requirement.trim_start().len();
    let rest = requirement.trim_start();
    let operator = [">=", "^", "=", "~"]
        .into_iter()
        .find(|operator| rest.starts_with(operator))
        .unwrap_or("");
    let after_operator = &rest[operator.len()..];
    let spaces = after_operator.len() - after_operator.trim_start().len();
    let version = after_operator.trim();
    let start = range.start + leading + operator.len() + spaces;
    let valid = !version.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        && version.split(['-', '+']).next().is_some_and(|core| {
            core.split('.').count() <= 3 && core.split('.').all(|part| part.parse::<u64>().is_ok())
        });
    if !valid {
        return Err(unsupported());
    }
    Ok(start..start + version.len())
}

/// Every dependency table of a manifest, with where it is: `[dependencies]` and its kin,
/// `[workspace.dependencies]`, and the target-specific ones.
fn dependency_tables(root: &dyn TableLike) -> Vec<(String, &dyn TableLike)> {
    let mut tables: Vec<(String, &dyn TableLike)> = Vec::new();
    for name in DEPENDENCY_TABLES {
        if let Some(dependencies) = table(root, &[name]) {
            tables.push((name.to_owned(), dependencies));
        }
    }
    if let Some(dependencies) = table(root, &["workspace", "dependencies"]) {
        tables.push(("workspace.dependencies".to_owned(), dependencies));
    }
    if let Some(targets) = table(root, &["target"]) {
        for (target, item) in targets.iter() {
            let Some(target_table) = item.as_table_like() else {
                continue;
            };
            for name in DEPENDENCY_TABLES {
                if let Some(dependencies) = table(target_table, &[name]) {
                    tables.push((format!("target.'{target}'.{name}"), dependencies));
                }
            }
        }
    }
    tables
}

/// A requirement on another package: its name, the byte range of the requirement text, where.
pub(super) type RequirementSite = (String, Range<usize>, String);

/// The requirements of a `Cargo.toml` on path dependencies (the repository's own crates): each
/// dependency table, the target-specific ones and `[workspace.dependencies]`, entries that name
/// a `path` and a `version`.
pub(super) fn cargo_requirements(text: &str) -> Result<Vec<RequirementSite>, FileError> {
    let document = parse(text)?;
    let root: &dyn TableLike = document.as_table();
    let tables = dependency_tables(root);
    let mut found = Vec::new();
    for (table_name, dependencies) in tables {
        for (key, item) in dependencies.iter() {
            let Some(dependency) = item.as_table_like() else {
                continue;
            };
            if !dependency.contains_key("path") {
                continue;
            }
            let package = string(dependency, "package").unwrap_or(key);
            let Some(range) = dependency
                .get("version")
                .and_then(Item::as_value)
                .and_then(|value| string_content(text, value))
            else {
                continue;
            };
            found.push((package.to_owned(), range, format!("[{table_name}].{key}")));
        }
    }
    Ok(found)
}

/// The PEP 508 requirements of a `pyproject.toml`: `[project] dependencies` and every list of
/// `[project.optional-dependencies]`; the range is the version specifier's (after the name and
/// extras, before a marker), and requirements without one or with a URL are left out.
pub(super) fn pyproject_requirements(text: &str) -> Result<Vec<RequirementSite>, FileError> {
    let document = parse(text)?;
    let root: &dyn TableLike = document.as_table();
    let mut lists: Vec<(String, &toml_edit::Array)> = Vec::new();
    if let Some(project) = table(root, &["project"]) {
        if let Some(array) = project.get("dependencies").and_then(Item::as_array) {
            lists.push(("[project].dependencies".to_owned(), array));
        }
        if let Some(optional) = table(project, &["optional-dependencies"]) {
            for (group, item) in optional.iter() {
                if let Some(array) = item.as_array() {
                    lists.push((format!("[project.optional-dependencies].{group}"), array));
                }
            }
        }
    }
    let mut found = Vec::new();
    for (place, array) in lists {
        for value in array {
            let Some(range) = string_content(text, value) else {
                continue;
            };
            if let Some((name, specifier)) = pep508_specifier(&text[range.clone()]) {
                let start = range.start + specifier.start;
                found.push((name, start..range.start + specifier.end, place.clone()));
            }
        }
    }
    Ok(found)
}

/// The name and the range of the version specifier in a PEP 508 requirement, if it has one.
fn pep508_specifier(requirement: &str) -> Option<(String, Range<usize>)> {
    let bytes = requirement.as_bytes();
    let start = requirement.len() - requirement.trim_start().len();
    let mut index = start;
    while index < bytes.len()
        && (bytes[index].is_ascii_alphanumeric() || b"._-".contains(&bytes[index]))
    {
        index += 1;
    }
    let name = requirement[start..index].to_owned();
    if name.is_empty() {
        return None;
    }
    let mut rest = index;
    while rest < bytes.len() && bytes[rest] == b' ' {
        rest += 1;
    }
    if bytes.get(rest) == Some(&b'[') {
        rest += requirement[rest..].find(']')? + 1;
    }
    let end = requirement[rest..]
        .find(';')
        .map_or(requirement.len(), |marker| rest + marker);
    let specifier = &requirement[rest..end];
    let trimmed = specifier.trim();
    // `name (>=1.0)` is the old parenthesised form; `name @ url` has no version.
    if trimmed.is_empty() || trimmed.starts_with('@') || trimmed.starts_with('(') {
        return None;
    }
    let leading = specifier.len() - specifier.trim_start().len();
    let from = rest + leading;
    Some((name, from..from + trimmed.len()))
}
