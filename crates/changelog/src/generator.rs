//! From a [`History`] to a [`Changelog`]: release boundaries, folding, skipping, cancelling,
//! deduplicating, filtering and grouping.
//!
//! Every step is linear in the number of commits (hash maps, no pairwise comparisons), and
//! patterns are compiled once in [`Generator::new`].

use std::collections::HashMap;

use regex::Regex;
use versioning::Version;

use crate::config::{Config, FilterAction, FilterField};
use crate::error::Error;
use crate::input::{Commit, History, Release};
use crate::model::{Changelog, Entry, ReleaseNotes, SCHEMA_VERSION, Section};
use crate::parse::{Kind, Origin, ParsedMessage, parse_commit, squash_lines};
use crate::release_commit::is_release_commit;
use crate::remote::Remote;
use crate::select::{Dedupe, Fact};

/// A compiled [`Config`]: builds changelogs and bump decisions.
#[derive(Debug, Clone)]
pub struct Generator {
    pub(crate) config: Config,
    /// Lower-case type → where it goes.
    slots: HashMap<String, Slot>,
    other: Option<usize>,
    titles: Vec<String>,
    filters: Vec<(FilterField, FilterAction, Regex)>,
    has_include_filters: bool,
    paths: Option<Regex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Section(usize),
    Hidden,
}

/// Where one commit goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Section(usize),
    /// The "Other" section, for a type no section names (shown with the entry) or no type.
    Other(usize),
    /// Only listed if breaking.
    Hidden,
    /// Not listed at all (except if breaking).
    Dropped,
}

/// A commit with its parsed message (a squash commit gives one item per conventional line).
#[derive(Debug, Clone)]
pub(crate) struct Item<'a> {
    pub(crate) commit: &'a Commit,
    pub(crate) parsed: ParsedMessage<'a>,
    /// The line the item reads: the summary, a merge's title or a squash line.
    pub(crate) subject: &'a str,
}

/// A release range while boundaries are being settled.
#[derive(Debug)]
struct Range<'a> {
    release: Option<&'a Release>,
    commits: Vec<&'a Commit>,
    folded: Vec<&'a str>,
    also_tagged: Vec<&'a str>,
}

/// Whose commits a settled range takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    Unreleased,
    /// A release, by its index in [`History::releases`].
    Release(usize),
}

/// A settled range, planned from the releases alone; releases by index in [`History::releases`].
#[derive(Debug)]
pub(crate) struct Planned {
    pub(crate) release: Option<usize>,
    /// Whose commits the range takes, in order.
    pub(crate) members: Vec<Member>,
    folded: Vec<usize>,
    also_tagged: Vec<usize>,
}

/// Where one item goes: the breaking changes, a section (by index), both or neither.
pub(crate) struct Placed<'a> {
    pub(crate) breaking: Option<Entry<'a>>,
    pub(crate) section: Option<(usize, Entry<'a>)>,
}

/// What a release's heading says, whatever its entries.
#[derive(Debug)]
pub(crate) struct Heading<'a> {
    pub(crate) version: Option<String>,
    pub(crate) tag: Option<&'a str>,
    pub(crate) date: Option<crate::input::Date>,
    pub(crate) prerelease: bool,
    pub(crate) compare_url: Option<String>,
}

impl Generator {
    /// Compiles a configuration: filter patterns, path globs and the type lookup table.
    pub fn new(config: Config) -> Result<Generator, Error> {
        let mut slots = HashMap::new();
        let mut titles: Vec<String> = Vec::new();
        for section in &config.sections {
            let index = titles
                .iter()
                .position(|title| *title == section.title)
                .unwrap_or_else(|| {
                    titles.push(section.title.clone());
                    titles.len() - 1
                });
            for ty in &section.types {
                slots
                    .entry(ty.to_ascii_lowercase())
                    .or_insert(Slot::Section(index));
            }
        }
        for ty in &config.hidden {
            slots.entry(ty.to_ascii_lowercase()).or_insert(Slot::Hidden);
        }
        let other = config.other.as_ref().map(|title| {
            titles
                .iter()
                .position(|existing| existing == title)
                .unwrap_or_else(|| {
                    titles.push(title.clone());
                    titles.len() - 1
                })
        });
        let filters = config
            .filters
            .iter()
            .map(|filter| {
                Regex::new(&filter.pattern)
                    .map(|regex| (filter.field, filter.action, regex))
                    .map_err(|source| Error::InvalidFilter {
                        field: filter.field.name(),
                        pattern: filter.pattern.clone(),
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let has_include_filters = filters
            .iter()
            .any(|(_, action, _)| *action == FilterAction::Include);
        let paths = if config.include_paths.is_empty() {
            None
        } else {
            let alternatives: Vec<String> = config
                .include_paths
                .iter()
                .map(|glob| glob_to_regex(glob))
                .collect();
            let pattern = format!("^(?:{})$", alternatives.join("|"));
            Some(
                Regex::new(&pattern).map_err(|source| Error::InvalidPathGlob {
                    glob: config.include_paths.join(", "),
                    source,
                })?,
            )
        };
        Ok(Generator {
            config,
            slots,
            other,
            titles,
            filters,
            has_include_filters,
            paths,
        })
    }

    /// The configuration this generator was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Builds the changelog of a history; links are built for `remote` when given.
    ///
    /// See the crate docs for what the caller must put in the [`History`].
    pub fn build<'a>(&self, history: &'a History, remote: Option<&Remote>) -> Changelog<'a> {
        let ranges = self.settle_ranges(history);
        // Parse once, skip what is never listed, cancel reverts inside each range, and drop
        // what an older range already lists (so ranges are decided oldest first).
        let mut dedupe = self.config.dedupe_cherry_picks.then(Dedupe::default);
        let mut items: Vec<Vec<Item<'a>>> = ranges
            .iter()
            .rev()
            .map(|range| self.range_items(&range.commits, dedupe.as_mut()))
            .collect();
        items.reverse();
        let mut unreleased = None;
        let mut releases = Vec::with_capacity(ranges.len().saturating_sub(1));
        for (index, (range, items)) in ranges.iter().zip(items).enumerate() {
            let previous_tag = ranges
                .get(index + 1)
                .and_then(|older| older.release)
                .map(|release| release.tag.as_str());
            let notes = self.range_notes(
                items,
                remote,
                range.release,
                &range.folded,
                &range.also_tagged,
                previous_tag,
            );
            match range.release {
                None => {
                    debug_assert_eq!(index, 0);
                    if !notes.is_empty() {
                        unreleased = Some(notes);
                    }
                }
                Some(_) => releases.push(notes),
            }
        }
        Changelog {
            schema_version: SCHEMA_VERSION,
            remote: remote.cloned(),
            unreleased,
            releases,
        }
    }

    /// The listed items of one settled range (newest first): parsed once, without what is never
    /// listed (see [`Generator::fact`]), what a merge's title covers, reverts cancelled when
    /// configured, and, given `dedupe`, what an older range already lists.
    fn range_items<'a>(
        &self,
        commits: &[&'a Commit],
        dedupe: Option<&mut Dedupe>,
    ) -> Vec<Item<'a>> {
        let parsed: Vec<ParsedMessage<'a>> =
            commits.iter().map(|commit| parse_commit(commit)).collect();
        let facts: Vec<Fact> = commits
            .iter()
            .zip(&parsed)
            .map(|(commit, parsed)| self.fact(commit, parsed))
            .collect();
        let facts: Vec<&Fact> = facts.iter().collect();
        let mut listed = crate::select::listed(&facts, self.config.cancel_reverts);
        if let Some(dedupe) = dedupe {
            dedupe.range(&facts, &mut listed);
        }
        commits
            .iter()
            .zip(parsed)
            .zip(listed)
            .filter(|(_, listed)| *listed)
            .map(|((&commit, parsed), _)| Item {
                commit,
                subject: subject(commit, &parsed),
                parsed,
            })
            .collect()
    }

    /// What the selection of a range reads of a commit (see [`crate::select`]): whether it can
    /// be listed at all (paths, release commits, merges and fixups as configured), and whether
    /// it says something of its own.
    pub(crate) fn fact(&self, commit: &Commit, parsed: &ParsedMessage<'_>) -> Fact {
        let listable = match parsed.kind {
            Kind::Merge => self.config.include_merges,
            Kind::Fixup => self.config.include_fixups,
            _ => true,
        } && self.touches_paths(commit)
            && !self.is_release_commit(commit);
        let says_something = match parsed.kind {
            Kind::Conventional | Kind::Revert => true,
            Kind::Other => {
                self.config.split_squash_commits && squash_lines(&commit.message).next().is_some()
            }
            Kind::Merge | Kind::Fixup => false,
        };
        Fact::new(commit, parsed, listable, says_something)
    }

    /// The notes of one settled range, from its items (after deduplication).
    fn range_notes<'a>(
        &self,
        items: Vec<Item<'a>>,
        remote: Option<&Remote>,
        release: Option<&'a Release>,
        folded: &[&'a str],
        also_tagged: &[&'a str],
        previous_tag: Option<&'a str>,
    ) -> ReleaseNotes<'a> {
        let mut notes = self.notes(items, remote);
        notes.folded = folded.to_vec();
        notes.also_tagged = also_tagged.to_vec();
        notes.previous_tag = previous_tag;
        let heading = heading(release, remote, previous_tag);
        notes.version = heading.version;
        notes.tag = heading.tag;
        notes.date = heading.date;
        notes.prerelease = heading.prerelease;
        notes.compare_url = heading.compare_url;
        notes
    }

    /// Unreleased first, then releases newest first; non-release tags and duplicate tags on one
    /// commit merged away, pre-releases folded when configured.
    fn settle_ranges<'a>(&self, history: &'a History) -> Vec<Range<'a>> {
        let tag = |index: &usize| history.releases[*index].tag.as_str();
        self.plan_ranges(&history.releases)
            .into_iter()
            .map(|planned| Range {
                release: planned.release.map(|index| &history.releases[index]),
                commits: planned
                    .members
                    .iter()
                    .flat_map(|member| match *member {
                        Member::Unreleased => history.unreleased.iter(),
                        Member::Release(index) => history.releases[index].commits.iter(),
                    })
                    .collect(),
                folded: planned.folded.iter().map(tag).collect(),
                also_tagged: planned.also_tagged.iter().map(tag).collect(),
            })
            .collect()
    }

    /// The settled ranges of [`Generator::settle_ranges`] from the releases alone (their commits
    /// are not looked at): which releases' commits each range takes, in order.
    pub(crate) fn plan_ranges(&self, releases: &[Release]) -> Vec<Planned> {
        let mut ranges: Vec<Option<Planned>> = Vec::with_capacity(releases.len() + 1);
        ranges.push(Some(Planned {
            release: None,
            members: vec![Member::Unreleased],
            folded: Vec::new(),
            also_tagged: Vec::new(),
        }));
        ranges.extend((0..releases.len()).map(|index| {
            Some(Planned {
                release: Some(index),
                members: vec![Member::Release(index)],
                folded: Vec::new(),
                also_tagged: Vec::new(),
            })
        }));

        // Several release tags on one commit are one release: the highest version names it.
        let mut by_target: HashMap<&str, usize> = HashMap::new();
        for index in 1..ranges.len() {
            let release = &releases[index - 1];
            let Some(version) = &release.version else {
                continue;
            };
            let Some(&kept) = by_target.get(release.target.as_str()) else {
                by_target.insert(&release.target, index);
                continue;
            };
            let kept_version = releases[kept - 1]
                .version
                .as_ref()
                .expect("only versioned releases are indexed");
            let (winner, loser) = if version > kept_version {
                (index, kept)
            } else {
                (kept, index)
            };
            let loser_range = ranges[loser].take().expect("each range is merged once");
            let winner_range = ranges[winner].as_mut().expect("the winner is alive");
            winner_range.members.extend(loser_range.members);
            winner_range
                .also_tagged
                .push(loser_range.release.expect("a merged range is a release"));
            winner_range.also_tagged.extend(loser_range.also_tagged);
            winner_range.folded.extend(loser_range.folded);
            by_target.insert(&release.target, winner);
        }

        // Tags that are not releases are no boundary: their commits belong to the next newer range.
        let version = |planned: &Planned| {
            planned
                .release
                .and_then(|index| releases[index].version.as_ref())
        };
        let mut settled: Vec<Planned> = Vec::with_capacity(ranges.len());
        for range in ranges.into_iter().flatten() {
            if range.release.is_some() && version(&range).is_none() {
                let newer = settled
                    .last_mut()
                    .expect("the unreleased range is always first");
                newer.members.extend(range.members);
            } else {
                settled.push(range);
            }
        }

        if !self.config.fold_prereleases {
            return settled;
        }
        // Fold each run of pre-releases into the stable release just above it (newer).
        let mut folded: Vec<Planned> = Vec::with_capacity(settled.len());
        for range in settled {
            let is_prerelease = version(&range).is_some_and(Version::is_prerelease);
            let stable_above = folded
                .last()
                .and_then(version)
                .is_some_and(|version| !version.is_prerelease());
            if is_prerelease && stable_above {
                let newer = folded.last_mut().expect("checked above");
                newer.members.extend(range.members);
                newer
                    .folded
                    .push(range.release.expect("a pre-release is a release"));
                newer.folded.extend(range.also_tagged);
                newer.folded.extend(range.folded);
            } else {
                folded.push(range);
            }
        }
        folded
    }

    fn is_release_commit(&self, commit: &Commit) -> bool {
        self.config
            .release_commit_template
            .as_deref()
            .is_some_and(|template| is_release_commit(template, commit.summary()))
    }

    fn touches_paths(&self, commit: &Commit) -> bool {
        match (&self.paths, &commit.paths) {
            (Some(regex), Some(paths)) => paths.iter().any(|path| regex.is_match(path)),
            _ => true,
        }
    }

    fn placement(&self, parsed: &ParsedMessage<'_>) -> Placement {
        let ty = match parsed.kind {
            Kind::Conventional => parsed.r#type,
            Kind::Revert => Some("revert"),
            Kind::Other | Kind::Merge | Kind::Fixup => None,
        };
        let slot = ty.and_then(|ty| {
            if ty.bytes().any(|byte| byte.is_ascii_uppercase()) {
                self.slots.get(&ty.to_ascii_lowercase()).copied()
            } else {
                self.slots.get(ty).copied()
            }
        });
        match slot {
            Some(Slot::Section(index)) => Placement::Section(index),
            Some(Slot::Hidden) => Placement::Hidden,
            None => self.other.map_or(Placement::Dropped, Placement::Other),
        }
    }

    fn passes_filters(&self, item: &Item<'_>) -> bool {
        if self.filters.is_empty() {
            return true;
        }
        let mut included = !self.has_include_filters;
        for (field, action, regex) in &self.filters {
            let text = match field {
                FilterField::Subject => item.subject,
                FilterField::Type => item.parsed.r#type.unwrap_or(""),
                FilterField::Scope => item.parsed.scope.unwrap_or(""),
            };
            if regex.is_match(text) {
                match action {
                    FilterAction::Exclude => return false,
                    FilterAction::Include => included = true,
                }
            }
        }
        included
    }

    fn notes<'a>(&self, items: Vec<Item<'a>>, remote: Option<&Remote>) -> ReleaseNotes<'a> {
        let mut sections: Vec<Vec<Entry<'a>>> = vec![Vec::new(); self.titles.len()];
        let mut breaking = Vec::new();
        for item in self.split_squashes(items) {
            let placed = self.place(item, remote);
            breaking.extend(placed.breaking);
            if let Some((index, entry)) = placed.section {
                sections[index].push(entry);
            }
        }
        ReleaseNotes {
            version: None,
            tag: None,
            date: None,
            prerelease: false,
            previous_tag: None,
            compare_url: None,
            folded: Vec::new(),
            also_tagged: Vec::new(),
            breaking,
            sections: sections
                .into_iter()
                .zip(&self.titles)
                .filter(|(entries, _)| !entries.is_empty())
                .map(|(entries, title)| Section {
                    title: title.clone(),
                    entries,
                })
                .collect(),
        }
    }

    /// The entries of one item, where they go: none when a filter leaves it out.
    pub(crate) fn place<'a>(&self, item: Item<'a>, remote: Option<&Remote>) -> Placed<'a> {
        let mut placed = Placed {
            breaking: None,
            section: None,
        };
        if !self.passes_filters(&item) {
            return placed;
        }
        match self.placement(&item.parsed) {
            placement @ (Placement::Section(index) | Placement::Other(index)) => {
                let mut entry = entry(item, remote);
                if entry.breaking {
                    placed.breaking = Some(entry.clone());
                }
                // A type no section names is shown with its entry, so `wip: x` does not
                // read as `x` among the non-conventional messages.
                entry.show_type =
                    matches!(placement, Placement::Other(_)) && entry.r#type.is_some();
                placed.section = Some((index, entry));
            }
            Placement::Hidden | Placement::Dropped if item.parsed.breaking => {
                placed.breaking = Some(entry(item, remote));
            }
            Placement::Hidden | Placement::Dropped => {}
        }
        placed
    }

    /// The section titles, in order.
    pub(crate) fn titles(&self) -> &[String] {
        &self.titles
    }

    /// Parses and filters commits the way [`Generator::build`] does for one range (paths, merges,
    /// fixups, revert cancellation), for the bump decision.
    pub(crate) fn listable<'a>(&self, commits: &'a [Commit]) -> Vec<Item<'a>> {
        let commits: Vec<&Commit> = commits.iter().collect();
        let items = self.range_items(&commits, None);
        self.split_squashes(items)
    }

    /// Replaces each commit whose summary is not conventional and whose body has conventional
    /// lines (`* feat: …`) by one item per line, when configured. Runs after revert
    /// cancelling and cherry-pick deduplication, which work on whole commits.
    fn split_squashes<'a>(&self, items: Vec<Item<'a>>) -> Vec<Item<'a>> {
        if !self.config.split_squash_commits
            || !items.iter().any(|item| item.parsed.kind == Kind::Other)
        {
            return items;
        }
        let mut split = Vec::with_capacity(items.len());
        for item in items {
            self.split(item, &mut split);
        }
        split
    }

    /// Pushes onto `split` the items of one: itself, or a squash commit's lines (see
    /// [`Generator::split_squashes`]).
    fn split<'a>(&self, item: Item<'a>, split: &mut Vec<Item<'a>>) {
        self.each_split(item, |item| split.push(item));
    }

    /// Gives `each` the items of one: itself, or a squash commit's lines (see
    /// [`Generator::split_squashes`]).
    pub(crate) fn each_split<'a>(&self, item: Item<'a>, mut each: impl FnMut(Item<'a>)) {
        if !self.config.split_squash_commits || item.parsed.kind != Kind::Other {
            each(item);
            return;
        }
        let mut any = false;
        for mut line in squash_lines(&item.commit.message) {
            // The squash's `(#5)` is every line's pull request.
            for &number in &item.parsed.pull_requests {
                if !line.pull_requests.contains(&number) {
                    line.pull_requests.push(number);
                }
            }
            any = true;
            each(Item {
                commit: item.commit,
                subject: line_subject(&item.commit.message, &line),
                parsed: line,
            });
        }
        if !any {
            each(item);
        }
    }
}

/// The line an item reads, for subject filters: a merge's title, or the summary.
pub(crate) fn subject<'a>(commit: &'a Commit, parsed: &ParsedMessage<'a>) -> &'a str {
    match parsed.origin {
        Origin::Merge => title_line(&commit.message, parsed),
        Origin::Commit | Origin::Squash => commit.summary(),
    }
}

/// The squash line an item was read from (the description's line, without its bullet).
fn line_subject<'a>(message: &'a str, parsed: &ParsedMessage<'a>) -> &'a str {
    title_line(message, parsed)
        .trim_start()
        .trim_start_matches(['*', '-'])
        .trim()
}

/// The line of `message` that holds the parsed description.
fn title_line<'a>(message: &'a str, parsed: &ParsedMessage<'a>) -> &'a str {
    let description = parsed.description;
    let start = message.as_ptr() as usize;
    let at = description.as_ptr() as usize;
    if at < start || at > start + message.len() {
        return message.lines().next().unwrap_or("");
    }
    let offset = at - start;
    let line_start = message[..offset].rfind('\n').map_or(0, |index| index + 1);
    let line_end = message[offset..]
        .find('\n')
        .map_or(message.len(), |index| offset + index);
    message[line_start..line_end].trim_end_matches('\r')
}

/// The heading of a settled range: `release`'s, or the unreleased changes' when `None`.
pub(crate) fn heading<'a>(
    release: Option<&'a Release>,
    remote: Option<&Remote>,
    previous_tag: Option<&str>,
) -> Heading<'a> {
    match release {
        None => Heading {
            version: None,
            tag: None,
            date: None,
            prerelease: false,
            compare_url: remote
                .zip(previous_tag)
                .map(|(remote, tag)| remote.compare_url(tag, "HEAD")),
        },
        Some(release) => {
            let version = release
                .version
                .as_ref()
                .expect("settled ranges carry a version");
            Heading {
                version: Some(version.to_string()),
                tag: Some(&release.tag),
                date: Some(release.date),
                prerelease: version.is_prerelease(),
                compare_url: remote.map(|remote| match previous_tag {
                    Some(previous) => remote.compare_url(previous, &release.tag),
                    None => remote.tag_url(&release.tag),
                }),
            }
        }
    }
}

fn entry<'a>(item: Item<'a>, remote: Option<&Remote>) -> Entry<'a> {
    let Item { commit, parsed, .. } = item;
    Entry {
        id: &commit.id,
        short_id: commit.short_id(),
        kind: parsed.kind,
        r#type: parsed.r#type,
        scope: parsed.scope,
        description: parsed.description,
        body: parsed.body,
        breaking: parsed.breaking,
        breaking_description: parsed.breaking_description,
        pull_requests: parsed.pull_requests,
        issues: parsed.issues,
        footers: parsed.footers,
        origin: parsed.origin,
        show_type: false,
        author: &commit.author,
        time: commit.time,
        date: commit.time.date(),
        url: remote.map(|remote| remote.commit_url(&commit.id)),
    }
}

/// Translates a path glob to a regular expression: `**` any path, `*` and `?` within one segment;
/// a glob also matches everything below it (`crates/foo` matches `crates/foo/src/lib.rs`).
fn glob_to_regex(glob: &str) -> String {
    let mut regex = String::with_capacity(glob.len() * 2);
    let mut chars = glob.trim_end_matches('/').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    regex.push_str("(?:.*/)?");
                } else {
                    regex.push_str(".*");
                }
            }
            '*' => regex.push_str("[^/]*"),
            '?' => regex.push_str("[^/]"),
            _ => regex.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    regex.push_str("(?:/.*)?");
    regex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_and_below() {
        let check = |glob: &str, path: &str, expected: bool| {
            let regex = Regex::new(&format!("^(?:{})$", glob_to_regex(glob))).unwrap();
            assert_eq!(regex.is_match(path), expected, "{glob} vs {path}");
        };
        check("crates/foo", "crates/foo/src/lib.rs", true);
        check("crates/foo", "crates/foobar/lib.rs", false);
        check("crates/*/Cargo.toml", "crates/a/Cargo.toml", true);
        check("crates/*/Cargo.toml", "crates/a/b/Cargo.toml", false);
        check("**/*.md", "README.md", true);
        check("**/*.md", "docs/a/b.md", true);
    }
}
