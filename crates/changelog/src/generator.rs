//! From a [`History`] to a [`Changelog`]: release boundaries, folding, skipping, cancelling,
//! deduplicating, filtering and grouping.
//!
//! Every step is linear in the number of commits (hash maps, no pairwise comparisons), and
//! patterns are compiled once in [`Generator::new`].

use std::collections::{HashMap, HashSet};

use regex::Regex;
use versioning::Version;

use crate::branches::owners;
use crate::config::{Config, FilterAction, FilterField};
use crate::error::Error;
use crate::input::{Commit, History, Release};
use crate::model::{Changelog, Entry, ReleaseNotes, SCHEMA_VERSION, Section};
use crate::parse::{Kind, Origin, ParsedMessage, parse_commit, squash_lines};
use crate::release_commit::is_release_commit;
use crate::remote::Remote;

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
        // Parse once, skip what is never listed, cancel reverts inside each range.
        let mut items: Vec<Vec<Item<'a>>> = ranges
            .iter()
            .map(|range| {
                let items = self.parse_listable(&range.commits);
                if self.config.cancel_reverts {
                    cancel_reverts(items)
                } else {
                    items
                }
            })
            .collect();
        if self.config.dedupe_cherry_picks {
            dedupe_cherry_picks(&mut items);
        }
        let unreleased_index = 0;
        let mut unreleased = None;
        let mut releases = Vec::with_capacity(ranges.len().saturating_sub(1));
        for (index, (range, items)) in ranges.iter().zip(items).enumerate() {
            let previous_tag = ranges
                .get(index + 1)
                .and_then(|older| older.release)
                .map(|release| release.tag.as_str());
            let mut notes = self.notes(items, remote);
            notes.folded.clone_from(&range.folded);
            notes.also_tagged.clone_from(&range.also_tagged);
            notes.previous_tag = previous_tag;
            match range.release {
                None => {
                    debug_assert_eq!(index, unreleased_index);
                    notes.compare_url = remote
                        .zip(previous_tag)
                        .map(|(remote, tag)| remote.compare_url(tag, "HEAD"));
                    if !notes.is_empty() {
                        unreleased = Some(notes);
                    }
                }
                Some(release) => {
                    let version = release
                        .version
                        .as_ref()
                        .expect("settled ranges carry a version");
                    notes.version = Some(version.to_string());
                    notes.tag = Some(&release.tag);
                    notes.date = Some(release.date);
                    notes.prerelease = version.is_prerelease();
                    notes.compare_url = remote.map(|remote| match previous_tag {
                        Some(previous) => remote.compare_url(previous, &release.tag),
                        None => remote.tag_url(&release.tag),
                    });
                    releases.push(notes);
                }
            }
        }
        Changelog {
            schema_version: SCHEMA_VERSION,
            remote: remote.cloned(),
            unreleased,
            releases,
        }
    }

    /// Unreleased first, then releases newest first; non-release tags and duplicate tags on one
    /// commit merged away, pre-releases folded when configured.
    fn settle_ranges<'a>(&self, history: &'a History) -> Vec<Range<'a>> {
        let mut ranges: Vec<Option<Range<'a>>> = Vec::with_capacity(history.releases.len() + 1);
        ranges.push(Some(Range {
            release: None,
            commits: history.unreleased.iter().collect(),
            folded: Vec::new(),
            also_tagged: Vec::new(),
        }));
        ranges.extend(history.releases.iter().map(|release| {
            Some(Range {
                release: Some(release),
                commits: release.commits.iter().collect(),
                folded: Vec::new(),
                also_tagged: Vec::new(),
            })
        }));

        // Several release tags on one commit are one release: the highest version names it.
        let mut by_target: HashMap<&str, usize> = HashMap::new();
        for index in 1..ranges.len() {
            let release = &history.releases[index - 1];
            let Some(version) = &release.version else {
                continue;
            };
            let Some(&kept) = by_target.get(release.target.as_str()) else {
                by_target.insert(&release.target, index);
                continue;
            };
            let kept_version = history.releases[kept - 1]
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
            winner_range.commits.extend(loser_range.commits);
            winner_range.also_tagged.push(
                loser_range
                    .release
                    .map_or("", |release| release.tag.as_str()),
            );
            winner_range.also_tagged.extend(loser_range.also_tagged);
            winner_range.folded.extend(loser_range.folded);
            by_target.insert(&release.target, winner);
        }

        // Tags that are not releases are no boundary: their commits belong to the next newer range.
        let mut settled: Vec<Range<'a>> = Vec::with_capacity(ranges.len());
        for range in ranges.into_iter().flatten() {
            match range.release {
                Some(release) if release.version.is_none() => {
                    let newer = settled
                        .last_mut()
                        .expect("the unreleased range is always first");
                    newer.commits.extend(range.commits);
                }
                _ => settled.push(range),
            }
        }

        if !self.config.fold_prereleases {
            return settled;
        }
        // Fold each run of pre-releases into the stable release just above it (newer).
        let mut folded: Vec<Range<'a>> = Vec::with_capacity(settled.len());
        for range in settled {
            let is_prerelease = range
                .release
                .and_then(|release| release.version.as_ref())
                .is_some_and(Version::is_prerelease);
            let stable_above = folded.last().is_some_and(|newer| {
                newer
                    .release
                    .and_then(|release| release.version.as_ref())
                    .is_some_and(|version| !version.is_prerelease())
            });
            if is_prerelease && stable_above {
                let newer = folded.last_mut().expect("checked above");
                newer.commits.extend(range.commits);
                newer
                    .folded
                    .push(range.release.map_or("", |release| release.tag.as_str()));
                newer.folded.extend(range.also_tagged);
                newer.folded.extend(range.folded);
            } else {
                folded.push(range);
            }
        }
        folded
    }

    /// Parses the commits of one range and drops what is never listed: commits outside the
    /// paths, release commits, merges without a conventional title and fixups (unless
    /// configured), and what a titled merge already covers (see [`Generator::covered`]).
    fn parse_listable<'a>(&self, commits: &[&'a Commit]) -> Vec<Item<'a>> {
        let parsed: Vec<ParsedMessage<'a>> =
            commits.iter().map(|commit| parse_commit(commit)).collect();
        let owners = owners(commits);
        let mut items = Vec::with_capacity(commits.len());
        for (position, (&commit, message)) in commits.iter().zip(&parsed).enumerate() {
            let listable = match message.kind {
                Kind::Merge => self.config.include_merges,
                Kind::Fixup => self.config.include_fixups,
                _ => true,
            };
            if listable
                && self.touches_paths(commit)
                && !self.is_release_commit(commit)
                && !self.covered(commit, message, owners[position], &owners, &parsed)
            {
                items.push(Item {
                    commit,
                    parsed: message.clone(),
                    subject: subject(commit, message),
                });
            }
        }
        items
    }

    fn is_release_commit(&self, commit: &Commit) -> bool {
        self.config
            .release_commit_template
            .as_deref()
            .is_some_and(|template| is_release_commit(template, commit.summary()))
    }

    /// Whether a merged branch's commit is already said by a merge listed by its conventional
    /// title (a merge between the commit and the mainline, see [`crate::branches`]).
    ///
    /// A commit that would not be listed as a change of its own (not conventional, no squash
    /// lines: `wip`, `address review`, `Merge branch 'main' into login`) is covered; so is a
    /// conventional commit with the title's type, scope and description (a one-commit pull
    /// request), so that no subject is listed twice. Other conventional commits of the branch
    /// are listed as well as the merge, as git-cliff and release-please list every commit.
    fn covered(
        &self,
        commit: &Commit,
        parsed: &ParsedMessage<'_>,
        mut owner: Option<usize>,
        owners: &[Option<usize>],
        all: &[ParsedMessage<'_>],
    ) -> bool {
        let says_something = match parsed.kind {
            Kind::Conventional | Kind::Revert => true,
            Kind::Other => {
                self.config.split_squash_commits && squash_lines(&commit.message).next().is_some()
            }
            Kind::Merge | Kind::Fixup => false,
        };
        while let Some(merge) = owner {
            let title = &all[merge];
            if title.origin == Origin::Merge && (!says_something || same_subject(parsed, title)) {
                return true;
            }
            owner = owners[merge];
        }
        false
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
            if !self.passes_filters(&item) {
                continue;
            }
            match self.placement(&item.parsed) {
                placement @ (Placement::Section(index) | Placement::Other(index)) => {
                    let mut entry = entry(item, remote);
                    if entry.breaking {
                        breaking.push(entry.clone());
                    }
                    // A type no section names is shown with its entry, so `wip: x` does not
                    // read as `x` among the non-conventional messages.
                    entry.show_type =
                        matches!(placement, Placement::Other(_)) && entry.r#type.is_some();
                    sections[index].push(entry);
                }
                Placement::Hidden | Placement::Dropped if item.parsed.breaking => {
                    breaking.push(entry(item, remote));
                }
                Placement::Hidden | Placement::Dropped => {}
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

    /// Parses and filters commits the way [`Generator::build`] does for one range (paths, merges,
    /// fixups, revert cancellation), for the bump decision.
    pub(crate) fn listable<'a>(&self, commits: &'a [Commit]) -> Vec<Item<'a>> {
        let commits: Vec<&Commit> = commits.iter().collect();
        let items = self.parse_listable(&commits);
        let items = if self.config.cancel_reverts {
            cancel_reverts(items)
        } else {
            items
        };
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
            if item.parsed.kind != Kind::Other {
                split.push(item);
                continue;
            }
            let before = split.len();
            for mut line in squash_lines(&item.commit.message) {
                // The squash's `(#5)` is every line's pull request.
                for &number in &item.parsed.pull_requests {
                    if !line.pull_requests.contains(&number) {
                        line.pull_requests.push(number);
                    }
                }
                split.push(Item {
                    commit: item.commit,
                    subject: line_subject(&item.commit.message, &line),
                    parsed: line,
                });
            }
            if split.len() == before {
                split.push(item);
            }
        }
        split
    }
}

/// The line an item reads, for subject filters: a merge's title, or the summary.
fn subject<'a>(commit: &'a Commit, parsed: &ParsedMessage<'a>) -> &'a str {
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

/// Whether two conventional messages say the same: type, scope and description, ignoring case,
/// surrounding whitespace and `(#5)` references.
fn same_subject(a: &ParsedMessage<'_>, b: &ParsedMessage<'_>) -> bool {
    let equal = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    };
    a.kind == Kind::Conventional
        && b.kind == Kind::Conventional
        && equal(a.r#type, b.r#type)
        && equal(a.scope, b.scope)
        && without_references(a.description).eq_ignore_ascii_case(without_references(b.description))
}

/// A description without the `(#5)` references at its end.
fn without_references(mut text: &str) -> &str {
    loop {
        text = text.trim_end();
        let Some(open) = text.rfind("(#") else {
            return text;
        };
        let inside = &text[open + 2..];
        match inside.strip_suffix(')') {
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                text = &text[..open];
            }
            _ => return text,
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

/// Drops each revert together with the commit it reverts when both are in `items` (newest first).
///
/// Walks oldest to newest so that a revert only cancels a commit made before it; a revert of a
/// revert cancels that revert only if it is still listed.
fn cancel_reverts(items: Vec<Item<'_>>) -> Vec<Item<'_>> {
    if !items.iter().any(|item| item.parsed.reverts.is_some()) {
        return items;
    }
    let mut live: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    let mut dead = vec![false; items.len()];
    for (index, item) in items.iter().enumerate().rev() {
        let target = item.parsed.reverts.filter(|_| is_revert(&item.parsed));
        if let Some(target) = target {
            let found = live.get(target).copied().or_else(|| {
                // An abbreviated id: rare enough for a scan.
                (target.len() < 40)
                    .then(|| {
                        live.iter()
                            .find(|(id, _)| id.starts_with(target))
                            .map(|(_, &i)| i)
                    })
                    .flatten()
            });
            if let Some(reverted) = found {
                dead[reverted] = true;
                dead[index] = true;
                live.remove(items[reverted].commit.id.as_str());
                continue;
            }
        }
        live.insert(&item.commit.id, index);
    }
    items
        .into_iter()
        .zip(dead)
        .filter(|(_, dead)| !dead)
        .map(|(item, _)| item)
        .collect()
}

fn is_revert(parsed: &ParsedMessage<'_>) -> bool {
    parsed.kind == Kind::Revert
        || parsed
            .r#type
            .is_some_and(|ty| ty.eq_ignore_ascii_case("revert"))
}

/// Keeps the oldest listing of each change across all ranges (`items[0]` is the newest range).
fn dedupe_cherry_picks(ranges: &mut [Vec<Item<'_>>]) {
    let mut patch_ids: HashSet<&str> = HashSet::new();
    let mut ids: HashSet<&str> = HashSet::new();
    let mut picked_sources: HashSet<&str> = HashSet::new();
    let mut keep: Vec<Vec<bool>> = Vec::with_capacity(ranges.len());
    for range in ranges.iter().rev() {
        let mut range_keep = vec![true; range.len()];
        for (index, item) in range.iter().enumerate().rev() {
            let commit = item.commit;
            let duplicate = commit
                .patch_id
                .as_deref()
                .is_some_and(|patch_id| patch_ids.contains(patch_id))
                || item
                    .parsed
                    .cherry_picked_from
                    .is_some_and(|source| ids.contains(source))
                || picked_sources.contains(commit.id.as_str());
            if duplicate {
                range_keep[index] = false;
                continue;
            }
            if let Some(patch_id) = &commit.patch_id {
                patch_ids.insert(patch_id);
            }
            if let Some(source) = item.parsed.cherry_picked_from {
                picked_sources.insert(source);
            }
            ids.insert(&commit.id);
        }
        keep.push(range_keep);
    }
    for (range, range_keep) in ranges.iter_mut().zip(keep.into_iter().rev()) {
        if range_keep.iter().all(|&keep| keep) {
            continue;
        }
        let mut flags = range_keep.into_iter();
        range.retain(|_| flags.next().unwrap_or(true));
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
