//! From a [`History`] to a [`Changelog`]: release boundaries, folding, skipping, cancelling,
//! deduplicating, filtering and grouping.
//!
//! Every step is linear in the number of commits (hash maps, no pairwise comparisons), and
//! patterns are compiled once in [`Generator::new`].

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

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

/// Whose commits a settled range takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    Unreleased,
    /// A release, by its index in [`History::releases`].
    Release(usize),
}

/// A settled range, planned from the releases alone; releases by index in [`History::releases`].
#[derive(Debug)]
struct Planned {
    release: Option<usize>,
    /// Whose commits the range takes, in order.
    members: Vec<Member>,
    folded: Vec<usize>,
    also_tagged: Vec<usize>,
}

/// A changelog built one release at a time: see [`Generator::stream`].
///
/// The caller hands each release's commits to [`Stream::release`] as it reads them, oldest
/// release first, then the unreleased commits to [`Stream::finish`]. Each release's notes are
/// given to `out` as soon as the release and every older one have their commits, oldest first,
/// and the commits are then dropped: at most a release's commits (and a run of pre-releases
/// folded into the next stable release) are held at a time. The notes are those
/// [`Generator::build`] gives for the whole history, in the opposite order: releases oldest
/// first, then the unreleased changes last (not at all when nothing is listed).
#[derive(Debug)]
pub struct Stream<'g> {
    generator: &'g Generator,
    remote: Option<Remote>,
    /// The releases, newest first, holding the commits handed in and not yet used.
    releases: Vec<Release>,
    unreleased: Vec<Commit>,
    arrived: Vec<bool>,
    /// The settled ranges, newest first; those from `emitted` on are given out.
    plan: Vec<Planned>,
    emitted: usize,
    /// Each release's range.
    plan_of: Vec<usize>,
    /// Each range's members whose commits have not arrived.
    missing: Vec<usize>,
    dedupe: Dedupe,
}

impl Stream<'_> {
    /// The commits of `releases[index]` (newest first). Gives `out` every release this
    /// completes. A release given twice keeps the first commits.
    pub fn release(
        &mut self,
        index: usize,
        commits: Vec<Commit>,
        mut out: impl FnMut(&ReleaseNotes<'_>),
    ) {
        if self.arrived.get(index).copied() != Some(false) {
            return;
        }
        self.arrived[index] = true;
        self.releases[index].commits = commits;
        self.missing[self.plan_of[index]] -= 1;
        while self.emitted > 1 && self.missing[self.emitted - 1] == 0 {
            self.emit(self.emitted - 1, &mut out);
        }
    }

    /// The unreleased commits (newest first): gives `out` every release not given yet (a
    /// release whose commits never came has none), then the unreleased changes when any are
    /// listed.
    pub fn finish(mut self, unreleased: Vec<Commit>, mut out: impl FnMut(&ReleaseNotes<'_>)) {
        self.unreleased = unreleased;
        while self.emitted > 0 {
            self.emit(self.emitted - 1, &mut out);
        }
    }

    /// Gives out the range `index`, the oldest not given yet, and drops its commits.
    fn emit(&mut self, index: usize, out: &mut impl FnMut(&ReleaseNotes<'_>)) {
        let generator = self.generator;
        let planned = &self.plan[index];
        let releases = &self.releases;
        let commits: Vec<&Commit> = planned
            .members
            .iter()
            .flat_map(|member| match *member {
                Member::Unreleased => self.unreleased.iter(),
                Member::Release(index) => releases[index].commits.iter(),
            })
            .collect();
        let mut items = generator.range_items(&commits);
        if generator.config.dedupe_cherry_picks {
            self.dedupe.range(&mut items);
        }
        let tag = |index: &usize| releases[*index].tag.as_str();
        let folded: Vec<&str> = planned.folded.iter().map(tag).collect();
        let also_tagged: Vec<&str> = planned.also_tagged.iter().map(tag).collect();
        let previous_tag = self
            .plan
            .get(index + 1)
            .and_then(|older| older.release)
            .map(|index| releases[index].tag.as_str());
        let notes = generator.range_notes(
            items,
            self.remote.as_ref(),
            planned.release.map(|index| &releases[index]),
            &folded,
            &also_tagged,
            previous_tag,
        );
        if planned.release.is_some() || !notes.is_empty() {
            out(&notes);
        }
        drop(notes);
        drop(commits);
        for member in &self.plan[index].members {
            match *member {
                Member::Unreleased => self.unreleased = Vec::new(),
                Member::Release(index) => self.releases[index].commits = Vec::new(),
            }
        }
        self.emitted = index;
    }
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
            .map(|range| self.range_items(&range.commits))
            .collect();
        if self.config.dedupe_cherry_picks {
            let mut dedupe = Dedupe::default();
            for range in items.iter_mut().rev() {
                dedupe.range(range);
            }
        }
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

    /// Builds a changelog one release at a time, for a caller that reads the history one
    /// release at a time and should not hold all of it: see [`Stream`].
    ///
    /// `releases` are the history's releases as [`History::releases`] would hold them (newest
    /// first), their `commits` left empty: the commits are handed to [`Stream::release`] later.
    pub fn stream(&self, releases: Vec<Release>, remote: Option<&Remote>) -> Stream<'_> {
        let plan = self.plan_ranges(&releases);
        let mut plan_of = vec![0; releases.len()];
        let mut missing = Vec::with_capacity(plan.len());
        for (index, planned) in plan.iter().enumerate() {
            for member in &planned.members {
                if let Member::Release(release) = *member {
                    plan_of[release] = index;
                }
            }
            missing.push(planned.members.len());
        }
        let arrived = vec![false; releases.len()];
        Stream {
            generator: self,
            remote: remote.cloned(),
            emitted: plan.len(),
            plan,
            plan_of,
            missing,
            arrived,
            releases,
            unreleased: Vec::new(),
            dedupe: Dedupe::default(),
        }
    }

    /// The listable items of one settled range, reverts cancelled when configured.
    fn range_items<'a>(&self, commits: &[&'a Commit]) -> Vec<Item<'a>> {
        let items = self.parse_listable(commits);
        if self.config.cancel_reverts {
            cancel_reverts(items)
        } else {
            items
        }
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
        match release {
            None => {
                notes.compare_url = remote
                    .zip(previous_tag)
                    .map(|(remote, tag)| remote.compare_url(tag, "HEAD"));
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
            }
        }
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
    fn plan_ranges(&self, releases: &[Release]) -> Vec<Planned> {
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

/// What [`Dedupe::range`] has seen listed so far, to keep the oldest listing of each change.
#[derive(Debug, Default)]
struct Dedupe {
    patch_ids: HashSet<String>,
    ids: IdSet,
    /// The commits that cherry-picked commits name as their source (an [`IdSet`]: a `String`
    /// set hashed every listed commit's id with `SipHash`, a tenth of a large release's rendering).
    picked_sources: IdSet,
}

impl Dedupe {
    /// Drops from one range's items (newest first) the changes an older range, or an older item
    /// of this range, already lists. Ranges are given oldest first.
    fn range(&mut self, items: &mut Vec<Item<'_>>) {
        let mut keep = vec![true; items.len()];
        for (index, item) in items.iter().enumerate().rev() {
            let commit = item.commit;
            let duplicate = commit
                .patch_id
                .as_deref()
                .is_some_and(|patch_id| self.patch_ids.contains(patch_id))
                || item
                    .parsed
                    .cherry_picked_from
                    .is_some_and(|source| self.ids.contains(source))
                || (!self.picked_sources.is_empty()
                    && self.picked_sources.contains(commit.id.as_str()));
            if duplicate {
                keep[index] = false;
                continue;
            }
            if let Some(patch_id) = &commit.patch_id {
                self.patch_ids.insert(patch_id.clone());
            }
            if let Some(source) = item.parsed.cherry_picked_from {
                self.picked_sources.insert(source);
            }
            self.ids.insert(&commit.id);
        }
        if keep.iter().all(|&keep| keep) {
            return;
        }
        let mut flags = keep.into_iter();
        items.retain(|_| flags.next().unwrap_or(true));
    }
}

/// A set of commit ids: a 40-digit lower-case hex id is held as its first 8 bytes (every id of a
/// whole history is held while a changelog streams: 2.4 MB for 200,000 commits, where their 20
/// bytes took 5.5 MB), anything else as text.
///
/// Eight bytes are 64 bits of a uniformly distributed hash: a cherry-pick line naming a commit
/// outside the history is mistaken for one of `n` ids held with a chance of about `n / 2^64`
/// (1 in 10^14 for 200,000 commits), where git's own short ids take 7 to 12 hex digits.
#[derive(Debug, Default)]
struct IdSet {
    sha1: HashSet<u64, BuildHasherDefault<IdHasher>>,
    other: HashSet<Box<str>>,
}

/// A hasher for commit ids, which are already uniformly distributed: a few of their bytes, mixed.
/// Also for ids as text (see [`crate::branches::owners`]): their bytes, eight at a time, mixed.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    // The array's length, the same for every id, adds nothing.
    fn write_usize(&mut self, _: usize) {}
}

impl IdSet {
    fn insert(&mut self, id: &str) {
        match sha1_prefix(id) {
            Some(prefix) => {
                self.sha1.insert(prefix);
            }
            None => {
                self.other.insert(id.into());
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.sha1.is_empty() && self.other.is_empty()
    }

    fn contains(&self, id: &str) -> bool {
        match sha1_prefix(id) {
            Some(prefix) => self.sha1.contains(&prefix),
            None => self.other.contains(id),
        }
    }
}

/// The first 8 bytes of a 40-digit lower-case hex id (see [`IdSet`]); `None` for any other text.
fn sha1_prefix(id: &str) -> Option<u64> {
    let digit = |byte: u8| match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    };
    let hex = id.as_bytes();
    if hex.len() != 40 {
        return None;
    }
    let mut bytes = [0; 20];
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    let mut prefix = [0; 8];
    prefix.copy_from_slice(&bytes[..8]);
    Some(u64::from_le_bytes(prefix))
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
