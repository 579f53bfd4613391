//! The built-in renderings: Keep a Changelog 1.1 Markdown, release notes, announcements.
//!
//! All of them write to `impl std::fmt::Write`; the `*_string` helpers collect into a `String`.

use std::fmt::{self, Write};

use crate::input::Date;
use crate::model::{Changelog, Entry, ReleaseNotes};
use crate::remote::Remote;

/// The text above the first release in a new CHANGELOG.md.
pub const DEFAULT_HEADER: &str = "# Changelog

All notable changes to this project will be documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
";

/// The text above the first release in a new CHANGELOG.md of one package of a repository that
/// releases several: [`DEFAULT_HEADER`], naming the package.
pub fn package_header(package: &str) -> String {
    DEFAULT_HEADER
        .replacen("# Changelog", &format!("# Changelog of {package}"), 1)
        .replacen("to this project", &format!("to {package}"), 1)
}

/// The label of the unreleased section, in its heading and link reference.
pub const UNRELEASED: &str = "Unreleased";

/// A link reference definition, `[label]: url`, as written at the bottom of a changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDefinition {
    /// The label, e.g. `1.2.0` or `Unreleased`.
    pub label: String,
    /// The target URL.
    pub url: String,
}

/// One release rendered as a CHANGELOG.md section, ready to merge into an existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseBlock {
    /// What the heading names: the version (`1.2.0`) or `Unreleased`.
    pub label: String,
    /// The section: `## [1.2.0] - 2026-11-21` and its subsections, ending with one newline.
    pub text: String,
    /// The release's compare link, if a remote was known.
    pub link: Option<LinkDefinition>,
    /// For a release, the `[Unreleased]` link that follows it (`compare/<tag>...HEAD`), if a
    /// remote was known: a merge keeps an empty `## [Unreleased]` section above the release
    /// with this link, in Keep a Changelog's form.
    pub unreleased_link: Option<LinkDefinition>,
}

impl ReleaseBlock {
    /// Renders one release (or the unreleased changes) of a changelog.
    pub fn new(changelog: &Changelog<'_>, notes: &ReleaseNotes<'_>) -> ReleaseBlock {
        let mut text = String::new();
        write_release_section(&mut text, changelog.remote.as_ref(), notes)
            .expect("writing to a String cannot fail");
        let label = notes
            .version
            .clone()
            .unwrap_or_else(|| UNRELEASED.to_owned());
        let link = notes.compare_url.clone().map(|url| LinkDefinition {
            label: label.clone(),
            url,
        });
        let unreleased_link = notes
            .version
            .as_ref()
            .and(notes.tag)
            .zip(changelog.remote.as_ref())
            .map(|(tag, remote)| LinkDefinition {
                label: UNRELEASED.to_owned(),
                url: remote.compare_url(tag, "HEAD"),
            });
        ReleaseBlock {
            label,
            text,
            link,
            unreleased_link,
        }
    }
}

/// Writes the whole changelog: header, unreleased changes, every release, link references.
///
/// `header` defaults to [`DEFAULT_HEADER`] when `None`.
pub fn write_markdown(
    out: &mut impl Write,
    changelog: &Changelog<'_>,
    header: Option<&str>,
) -> fmt::Result {
    let header = header.unwrap_or(DEFAULT_HEADER);
    out.write_str(header)?;
    if !header.ends_with('\n') {
        out.write_char('\n')?;
    }
    let remote = changelog.remote.as_ref();
    for notes in changelog.unreleased.iter().chain(&changelog.releases) {
        out.write_char('\n')?;
        write_release_section(out, remote, notes)?;
    }
    let mut wrote_link = false;
    for notes in changelog.unreleased.iter().chain(&changelog.releases) {
        if let Some(url) = &notes.compare_url {
            out.write_str(if wrote_link { "" } else { "\n" })?;
            wrote_link = true;
            writeln!(
                out,
                "[{}]: {url}",
                notes.version.as_deref().unwrap_or(UNRELEASED)
            )?;
        }
    }
    Ok(())
}

/// [`write_markdown`] for notes that come one release at a time, oldest first and the
/// unreleased changes last, as a [`Stream`](crate::Stream) gives them out: each release is
/// rendered as it comes and only its text is kept; [`pieces`](MarkdownStream::pieces) then gives
/// the text of [`write_markdown`], newest release first, in pieces to write one after the other.
#[derive(Debug, Default)]
pub struct MarkdownStream {
    remote: Option<Remote>,
    /// Each release's section and link definition, oldest first; each held at its length (one
    /// growing text would hold up to twice the text for its doubling).
    releases: Vec<(Box<str>, Box<str>)>,
    /// The unreleased changes' section and link definition.
    unreleased: Option<(String, String)>,
}

impl MarkdownStream {
    /// Renders with links for `remote` (the changelog's remote).
    pub fn new(remote: Option<&Remote>) -> MarkdownStream {
        MarkdownStream {
            remote: remote.cloned(),
            ..MarkdownStream::default()
        }
    }

    /// Renders one release, or the unreleased changes (no version).
    pub fn add(&mut self, notes: &ReleaseNotes<'_>) {
        let remote = self.remote.clone();
        self.push(
            notes.version.as_deref(),
            notes.date,
            notes.compare_url.as_deref(),
            |section| write_release_body(section, remote.as_ref(), notes, "###"),
        );
    }

    /// Keeps one release's section (its heading, then what `body` writes) and link definition;
    /// the unreleased changes' when `version` is `None`.
    pub(crate) fn push(
        &mut self,
        version: Option<&str>,
        date: Option<Date>,
        compare_url: Option<&str>,
        body: impl FnOnce(&mut String) -> fmt::Result,
    ) {
        let mut section = String::new();
        let mut link = String::new();
        section.push('\n');
        write_heading(&mut section, version, date)
            .and_then(|()| body(&mut section))
            .expect("writing to a String cannot fail");
        if let Some(url) = compare_url {
            writeln!(link, "[{}]: {url}", version.unwrap_or(UNRELEASED))
                .expect("writing to a String cannot fail");
        }
        if version.is_none() {
            self.unreleased = Some((section, link));
            return;
        }
        self.releases
            .push((section.into_boxed_str(), link.into_boxed_str()));
    }

    /// The text of [`write_markdown`] with this `header`, in pieces.
    pub fn pieces<'s>(&'s self, header: Option<&'s str>) -> impl Iterator<Item = &'s str> {
        let header = header.unwrap_or(DEFAULT_HEADER);
        let newline = (!header.ends_with('\n')).then_some("\n");
        let (unreleased_section, unreleased_link) = self
            .unreleased
            .as_ref()
            .map_or(("", ""), |(section, link)| {
                (section.as_str(), link.as_str())
            });
        let sections = self.releases.iter().rev().map(|(section, _)| &**section);
        let links = self.releases.iter().rev().map(|(_, link)| &**link);
        let any_link =
            !unreleased_link.is_empty() || self.releases.iter().any(|(_, link)| !link.is_empty());
        std::iter::once(header)
            .chain(newline)
            .chain(std::iter::once(unreleased_section))
            .chain(sections)
            .chain(any_link.then_some("\n"))
            .chain(std::iter::once(unreleased_link))
            .chain(links)
            .filter(|piece| !piece.is_empty())
    }
}

/// [`write_markdown`] into a `String`.
pub fn markdown_string(changelog: &Changelog<'_>, header: Option<&str>) -> String {
    let mut out = String::with_capacity(estimate(changelog));
    write_markdown(&mut out, changelog, header).expect("writing to a String cannot fail");
    out
}

fn estimate(changelog: &Changelog<'_>) -> usize {
    let entries: usize = changelog
        .unreleased
        .iter()
        .chain(&changelog.releases)
        .map(|notes| {
            notes
                .sections
                .iter()
                .map(|section| section.entries.len())
                .sum::<usize>()
                + 4
        })
        .sum();
    entries * 120
}

/// Writes one `## [version] - date` section with its subsections.
fn write_release_section(
    out: &mut impl Write,
    remote: Option<&Remote>,
    notes: &ReleaseNotes<'_>,
) -> fmt::Result {
    write_heading(out, notes.version.as_deref(), notes.date)?;
    write_release_body(out, remote, notes, "###")
}

/// `## [version] - date`, or `## [Unreleased]`.
fn write_heading(out: &mut impl Write, version: Option<&str>, date: Option<Date>) -> fmt::Result {
    match (version, date) {
        (Some(version), Some(date)) => writeln!(out, "## [{version}] - {date}"),
        (Some(version), None) => writeln!(out, "## [{version}]"),
        (None, _) => writeln!(out, "## [{UNRELEASED}]"),
    }
}

/// The subsections of a release: breaking changes first, then each section.
fn write_release_body(
    out: &mut impl Write,
    remote: Option<&Remote>,
    notes: &ReleaseNotes<'_>,
    level: &str,
) -> fmt::Result {
    let titles: Vec<&str> = notes
        .sections
        .iter()
        .map(|section| section.title.as_str())
        .collect();
    write_body(
        out,
        level,
        !notes.breaking.is_empty(),
        &titles,
        |out, section| {
            let (entries, breaking) = match section {
                None => (&notes.breaking, true),
                Some(index) => (&notes.sections[index].entries, false),
            };
            entries
                .iter()
                .try_for_each(|entry| write_listed_entry(out, remote, entry, breaking))
        },
    )
}

/// The subsections of a release: the breaking changes first when there are any (`breaking`),
/// then each non-empty section, by title; `write` writes the entries of the breaking changes
/// (`None`) or of a section (by its place in `titles`).
pub(crate) fn write_body<W: Write>(
    out: &mut W,
    level: &str,
    breaking: bool,
    titles: &[&str],
    mut write: impl FnMut(&mut W, Option<usize>) -> fmt::Result,
) -> fmt::Result {
    if !breaking && titles.is_empty() {
        return out.write_str("\n_No notable changes._\n");
    }
    if breaking {
        writeln!(out, "\n{level} Breaking changes\n")?;
        write(out, None)?;
    }
    for (index, title) in titles.iter().enumerate() {
        writeln!(out, "\n{level} {title}\n")?;
        write(out, Some(index))?;
    }
    Ok(())
}

/// An entry as a release lists it: among the breaking changes, its breaking change's text.
pub(crate) fn write_listed_entry(
    out: &mut impl Write,
    remote: Option<&Remote>,
    entry: &Entry<'_>,
    breaking: bool,
) -> fmt::Result {
    let text = if breaking {
        entry.breaking_description.unwrap_or(entry.description)
    } else {
        entry.description
    };
    write_entry(out, remote, entry, text)
}

/// `- **scope:** text ([#42](…)) ([abc1234](…))`; `- **wip(scope):** text` when the type is shown.
///
/// Pull requests the text does not mention as `(#42)` (a merge's, a squash's) and issues from
/// footers follow the text in one parenthesis.
fn write_entry(
    out: &mut impl Write,
    remote: Option<&Remote>,
    entry: &Entry<'_>,
    text: &str,
) -> fmt::Result {
    out.write_str("- ")?;
    write_label(out, entry)?;
    write_text(out, remote, text)?;
    let extra_pull_requests = entry
        .pull_requests
        .iter()
        .filter(|number| !entry.description.contains(&format!("(#{number})")));
    let extra_issues = entry
        .issues
        .iter()
        .filter(|issue| !entry.pull_requests.contains(issue));
    let mut first = true;
    for &number in extra_pull_requests {
        out.write_str(if first { " (" } else { ", " })?;
        first = false;
        match remote {
            Some(remote) => write!(out, "[#{number}]({})", remote.pull_request_url(number))?,
            None => write!(out, "#{number}")?,
        }
    }
    for &issue in extra_issues {
        out.write_str(if first { " (" } else { ", " })?;
        first = false;
        match remote {
            Some(remote) => write!(out, "[#{issue}]({})", remote.issue_url(issue))?,
            None => write!(out, "#{issue}")?,
        }
    }
    if !first {
        out.write_char(')')?;
    }
    match &entry.url {
        Some(url) => writeln!(out, " ([{}]({url}))", entry.short_id),
        None => writeln!(out, " ({})", entry.short_id),
    }
}

/// Writes a (possibly multi-line) text inside a list item, linking `(#123)` references.
fn write_text(out: &mut impl Write, remote: Option<&Remote>, text: &str) -> fmt::Result {
    for (index, line) in text.lines().enumerate() {
        if index > 0 {
            out.write_str("\n  ")?;
        }
        write_line_with_references(out, remote, line.trim_end())?;
    }
    Ok(())
}

fn write_line_with_references(
    out: &mut impl Write,
    remote: Option<&Remote>,
    line: &str,
) -> fmt::Result {
    let Some(remote) = remote else {
        return out.write_str(line);
    };
    let mut rest = line;
    while let Some(index) = rest.find("(#") {
        let after = &rest[index + 2..];
        let end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        let number = after[..end]
            .parse::<u64>()
            .ok()
            .filter(|_| after[end..].starts_with(')'));
        if let Some(number) = number {
            out.write_str(&rest[..index])?;
            write!(out, "([#{number}]({}))", remote.pull_request_url(number))?;
            rest = &after[end + 1..];
        } else {
            out.write_str(&rest[..index + 2])?;
            rest = after;
        }
    }
    out.write_str(rest)
}

/// Writes the notes of one release as a GitHub Release body: no `## [x]` heading, the sections,
/// and a "Full Changelog" compare link when there is one.
pub fn write_release_notes(
    out: &mut impl Write,
    changelog: &Changelog<'_>,
    notes: &ReleaseNotes<'_>,
) -> fmt::Result {
    let mut body = String::new();
    write_release_body(&mut body, changelog.remote.as_ref(), notes, "###")?;
    // The body starts with the blank line that separates it from a heading; a release body has none.
    out.write_str(body.trim_start_matches('\n'))?;
    if let Some(url) = &notes.compare_url {
        write!(out, "\n**Full Changelog**: {url}\n")?;
    }
    Ok(())
}

/// [`write_release_notes`] into a `String`.
pub fn release_notes_string(changelog: &Changelog<'_>, notes: &ReleaseNotes<'_>) -> String {
    let mut out = String::new();
    write_release_notes(&mut out, changelog, notes).expect("writing to a String cannot fail");
    out
}

/// What an announcement says beyond the release notes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Announcement<'a> {
    /// The project's name, e.g. `MockLoop MCP`.
    pub project: &'a str,
    /// The upgrade command, e.g. `pip install --upgrade mockloop-mcp==1.2.0`.
    pub install: Option<&'a str>,
    /// The documentation's address.
    pub documentation_url: Option<&'a str>,
    /// The migration guide's address, linked when the release has breaking changes.
    pub migration_guide_url: Option<&'a str>,
}

/// Writes a release announcement in the spirit of the `MockLoop` runbook's template:
/// title, summary sentence, sections with emoji, migration note, installation, thanks, links.
pub fn write_announcement(
    out: &mut impl Write,
    changelog: &Changelog<'_>,
    notes: &ReleaseNotes<'_>,
    announcement: &Announcement<'_>,
) -> fmt::Result {
    let project = announcement.project;
    let version = notes.version.as_deref().unwrap_or(UNRELEASED);
    writeln!(out, "## {project} v{version} Released! 🎉\n")?;
    write!(
        out,
        "We're excited to announce the release of {project} v{version}!"
    )?;
    let summary = summary_sentence(notes);
    if summary.is_empty() {
        out.write_str("\n")?;
    } else {
        writeln!(out, " This release includes {summary}.")?;
    }
    if !notes.breaking.is_empty() {
        out.write_str("\n### ⚠️ Breaking Changes\n")?;
        for entry in &notes.breaking {
            write_plain_entry(
                out,
                entry,
                entry.breaking_description.unwrap_or(entry.description),
            )?;
        }
    }
    for section in &notes.sections {
        writeln!(out, "\n### {}", announcement_heading(&section.title))?;
        for entry in &section.entries {
            write_plain_entry(out, entry, entry.description)?;
        }
    }
    if !notes.breaking.is_empty() {
        let previous = notes
            .previous_tag
            .map_or(String::new(), |tag| format!(" from {tag}"));
        match announcement.migration_guide_url {
            Some(url) => writeln!(
                out,
                "\n### 🔄 Migration Guide\nFor users upgrading{previous}, please see our [migration guide]({url})."
            )?,
            None => writeln!(
                out,
                "\n### 🔄 Migration Guide\nFor users upgrading{previous}, please review the breaking changes above."
            )?,
        }
    }
    if let Some(install) = announcement.install {
        writeln!(out, "\n### 📦 Installation\n```bash\n{install}\n```")?;
    }
    out.write_str("\n### 🙏 Thanks\nSpecial thanks to ")?;
    let names = notes.contributors();
    if !names.is_empty() {
        write!(out, "{}, and ", join_names(&names))?;
    }
    out.write_str(
        "our contributors and community members who helped make this release possible!\n",
    )?;
    let release_url = changelog
        .remote
        .as_ref()
        .zip(notes.tag)
        .map(|(remote, tag)| remote.tag_url(tag));
    let links = [
        ("Release Notes", release_url.as_deref()),
        (
            "Full Changelog",
            notes
                .compare_url
                .as_deref()
                .filter(|_| notes.previous_tag.is_some()),
        ),
        ("Documentation", announcement.documentation_url),
        (
            "Migration Guide",
            announcement
                .migration_guide_url
                .filter(|_| !notes.breaking.is_empty()),
        ),
    ];
    if links.iter().any(|(_, url)| url.is_some()) {
        out.write_str("\n### 🔗 Links\n")?;
        for (label, url) in links {
            if let Some(url) = url {
                writeln!(out, "- [{label}]({url})")?;
            }
        }
    }
    Ok(())
}

/// [`write_announcement`] into a `String`.
pub fn announcement_string(
    changelog: &Changelog<'_>,
    notes: &ReleaseNotes<'_>,
    announcement: &Announcement<'_>,
) -> String {
    let mut out = String::new();
    write_announcement(&mut out, changelog, notes, announcement)
        .expect("writing to a String cannot fail");
    out
}

fn announcement_heading(title: &str) -> String {
    match title {
        "Added" => "🚀 New Features".to_owned(),
        "Fixed" => "🐛 Bug Fixes".to_owned(),
        "Performance" => "📈 Performance Improvements".to_owned(),
        "Documentation" => "📚 Documentation".to_owned(),
        "Security" => "🔒 Security".to_owned(),
        "Changed" => "🔧 Changed".to_owned(),
        "Reverted" => "⏪ Reverted".to_owned(),
        other => format!("📝 {other}"),
    }
}

fn write_plain_entry(out: &mut impl Write, entry: &Entry<'_>, text: &str) -> fmt::Result {
    out.write_str("- ")?;
    write_label(out, entry)?;
    write_text(out, None, text)?;
    out.write_char('\n')
}

/// The bold label before an entry's text: `**scope:** `, or `**type(scope):** ` for an entry
/// whose type is shown (a type no section names, under "Other").
fn write_label(out: &mut impl Write, entry: &Entry<'_>) -> fmt::Result {
    match (
        entry.show_type.then_some(entry.r#type).flatten(),
        entry.scope,
    ) {
        (Some(ty), Some(scope)) => write!(out, "**{ty}({scope}):** "),
        (Some(ty), None) => write!(out, "**{ty}:** "),
        (None, Some(scope)) => write!(out, "**{scope}:** "),
        (None, None) => Ok(()),
    }
}

/// "2 new features, 1 bug fix and 3 other changes".
fn summary_sentence(notes: &ReleaseNotes<'_>) -> String {
    let count = |title: &str| {
        notes
            .sections
            .iter()
            .find(|section| section.title == title)
            .map_or(0, |section| section.entries.len())
    };
    let known = [
        ("Added", "new feature", "new features"),
        ("Fixed", "bug fix", "bug fixes"),
        (
            "Performance",
            "performance improvement",
            "performance improvements",
        ),
    ];
    let mut parts = Vec::new();
    let mut counted = 0;
    for (title, one, many) in known {
        let n = count(title);
        counted += n;
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    let total: usize = notes
        .sections
        .iter()
        .map(|section| section.entries.len())
        .sum();
    let others = total - counted;
    if others > 0 {
        parts.push(format!(
            "{others} other {}",
            if others == 1 { "change" } else { "changes" }
        ));
    }
    let names: Vec<&str> = parts.iter().map(String::as_str).collect();
    join_names(&names)
}

/// "a", "a and b", "a, b and c".
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
