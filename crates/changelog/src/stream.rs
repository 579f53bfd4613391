//! A changelog rendered to Markdown while the history is read: see [`Stream`].

use crate::generator::{Generator, Item, Member, Planned, heading, subject};
use crate::input::{Commit, Release};
use crate::markdown::{MarkdownStream, write_body, write_listed_entry};
use crate::parse::parse_commit;
use crate::remote::Remote;
use crate::select::{Dedupe, Fact};

/// A changelog rendered to Markdown one part of the history at a time: see
/// [`Generator::stream`].
///
/// The caller hands each release's commits to [`Stream::commits`] as it reads them (newest
/// first, in as many calls as it likes), says when a release has them all with
/// [`Stream::complete`], oldest release first, and does the same for the unreleased commits
/// (`None`) last. A caller that reads a release's commits in another order hands them in as it
/// reads them and gives their order with [`Stream::complete_reordered`] instead.
/// [`Stream::finish`] then gives the Markdown, which equals
/// [`markdown_string`](crate::markdown_string) of what [`Generator::build`] gives for the whole
/// history.
///
/// A commit is not held once it is handed in: what deciding its release needs of it (a
/// fact, 40 bytes) and its rendered entries are kept instead, about a tenth of the
/// commit, until the release is complete and rendered. A release's entries depend on all of its
/// commits (a merge's title covers its branch's commits, a revert cancels an older commit), so
/// they are kept whole until then; then only the release's text is.
#[derive(Debug)]
pub struct Stream<'g> {
    generator: &'g Generator,
    remote: Option<Remote>,
    /// The releases, newest first, without commits.
    releases: Vec<Release>,
    /// What each part collected: the releases' (by index), then the unreleased commits'.
    parts: Vec<Collected>,
    complete: Vec<bool>,
    /// The settled ranges, newest first; those from `emitted` on are rendered.
    plan: Vec<Planned>,
    emitted: usize,
    /// Each release's range.
    plan_of: Vec<usize>,
    /// Each range's members not complete yet.
    missing: Vec<usize>,
    dedupe: Option<Dedupe>,
    markdown: MarkdownStream,
}

/// What one part of the history keeps of its commits until its range is rendered.
#[derive(Debug, Default)]
struct Collected {
    facts: Vec<Fact>,
    lines: Vec<Line>,
    /// The lines' text, one after the other.
    text: String,
}

impl Collected {
    fn text(&self, from: u32, to: u32) -> &str {
        &self.text[from as usize..to as usize]
    }

    /// Puts the commits in `order` (see [`Stream::complete_reordered`]): the commit that came
    /// `order[i]`-th becomes the `i`-th. Each commit's lines keep their order, and the text
    /// stays where it is (the lines point into it).
    fn reorder(&mut self, order: &[u32]) {
        const UNPLACED: u32 = u32::MAX;
        assert_eq!(
            order.len(),
            self.facts.len(),
            "the order of a part's commits names each of them once"
        );
        let mut placed = vec![UNPLACED; order.len()];
        for (new, &old) in order.iter().enumerate() {
            let slot = placed
                .get_mut(old as usize)
                .filter(|slot| **slot == UNPLACED)
                .expect("the order of a part's commits names each of them once");
            *slot = u32::try_from(new).expect("a part of under 4 billion commits");
        }
        let mut facts: Vec<Option<Fact>> = std::mem::take(&mut self.facts)
            .into_iter()
            .map(Some)
            .collect();
        self.facts = order
            .iter()
            .map(|&old| facts[old as usize].take().expect("each named once"))
            .collect();
        for line in &mut self.lines {
            line.fact = placed[line.fact as usize];
        }
        // Stable: a commit's lines (a squash split in several) keep their order.
        self.lines.sort_by_key(|line| line.fact);
    }
}

/// The lines of the listed commits of `parts` (one after the other), by `listed` (a flag for
/// each of their commits, in order).
fn listed_lines<'p>(
    parts: &'p [&'p Collected],
    listed: &'p [bool],
) -> impl Iterator<Item = (&'p Collected, &'p Line)> + 'p {
    let mut offset = 0;
    parts.iter().flat_map(move |&part| {
        let first = offset;
        offset += part.facts.len();
        part.lines
            .iter()
            .filter(move |line| listed[first + line.fact as usize])
            .map(move |line| (part, line))
    })
}

/// One entry rendered, of the part's commit `fact`: `text[start..middle]` among the breaking
/// changes (empty when it is not one), `text[middle..end]` in section `section`.
#[derive(Debug, Clone, Copy)]
struct Line {
    fact: u32,
    section: Option<u32>,
    start: u32,
    middle: u32,
    end: u32,
}

impl Generator {
    /// Renders a changelog to Markdown one part of the history at a time, for a caller that
    /// reads the history in parts and should not hold all of it: see [`Stream`].
    ///
    /// `releases` are the history's releases as [`History::releases`](crate::History) would
    /// hold them (newest first), their `commits` left empty: the commits are handed to
    /// [`Stream::commits`] later.
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
        let parts = releases.len() + 1;
        Stream {
            generator: self,
            remote: remote.cloned(),
            emitted: plan.len(),
            plan,
            plan_of,
            missing,
            parts: (0..parts).map(|_| Collected::default()).collect(),
            complete: vec![false; parts],
            releases,
            dedupe: self.config.dedupe_cherry_picks.then(Dedupe::default),
            markdown: MarkdownStream::new(remote),
        }
    }
}

impl Stream<'_> {
    /// More commits of `releases[index]`, or of the unreleased changes (`None`), newest first
    /// and after those handed in before. Commits of a part already complete are ignored.
    pub fn commits(&mut self, release: Option<usize>, commits: impl IntoIterator<Item = Commit>) {
        let Some(part) = self.open_part(release) else {
            return;
        };
        let commits = commits.into_iter();
        let collected = &mut self.parts[part];
        let more = commits.size_hint().0;
        collected.facts.reserve(more);
        collected.lines.reserve(more);
        for commit in commits {
            self.collect(part, &commit);
        }
    }

    /// Says that `releases[index]` (or the unreleased changes, `None`) has all its commits, and
    /// renders every release this completes. Releases are completed oldest first.
    pub fn complete(&mut self, release: Option<usize>) {
        let Some(part) = self.open_part(release) else {
            return;
        };
        self.complete[part] = true;
        let range = release.map_or(0, |index| self.plan_of[index]);
        self.missing[range] -= 1;
        // The unreleased range, newest, is rendered by `finish`.
        while self.emitted > 1 && self.missing[self.emitted - 1] == 0 {
            self.emit(self.emitted - 1);
        }
    }

    /// Says that `releases[index]` (or the unreleased changes, `None`) has all its commits, which
    /// were handed in another order than newest first: `order` gives, newest first, each
    /// commit's position among them as they came (every call's one after the other). A reader
    /// that hands a long release's commits out as it lists them knows this order only once it
    /// has listed them all. Then as [`Stream::complete`].
    ///
    /// # Panics
    ///
    /// When `order` is not a permutation of the positions of the commits handed in.
    pub fn complete_reordered(&mut self, release: Option<usize>, order: &[u32]) {
        let Some(part) = self.open_part(release) else {
            return;
        };
        self.parts[part].reorder(order);
        self.complete(release);
    }

    /// What is rendered so far: each release as soon as it and every older release are
    /// complete.
    pub fn markdown(&self) -> &MarkdownStream {
        &self.markdown
    }

    /// Renders every release not rendered yet (a release whose commits never came has none),
    /// then the unreleased changes when any are listed, and gives the Markdown.
    pub fn finish(mut self) -> MarkdownStream {
        while self.emitted > 0 {
            self.emit(self.emitted - 1);
        }
        self.markdown
    }

    /// Where the commits of `releases[index]` (or the unreleased ones) go, unless it is
    /// complete already, or there is no such release.
    fn open_part(&self, release: Option<usize>) -> Option<usize> {
        let part = match release {
            Some(index) if index < self.releases.len() => index,
            Some(_) => return None,
            None => self.releases.len(),
        };
        (!self.complete[part]).then_some(part)
    }

    /// Where a range's member's commits are, of a history of `releases` releases.
    fn part_of(releases: usize, member: Member) -> usize {
        match member {
            Member::Unreleased => releases,
            Member::Release(index) => index,
        }
    }

    /// Keeps what deciding and rendering `commit`'s range need of it.
    fn collect(&mut self, part: usize, commit: &Commit) {
        let generator = self.generator;
        let parsed = parse_commit(commit);
        let fact = generator.fact(commit, &parsed);
        let collected = &mut self.parts[part];
        let position =
            u32::try_from(collected.facts.len()).expect("a part of under 4 billion commits");
        if fact.listable {
            let remote = self.remote.as_ref();
            let item = Item {
                commit,
                subject: subject(commit, &parsed),
                parsed,
            };
            generator.each_split(item, |item| {
                let placed = generator.place(item, remote);
                if placed.breaking.is_none() && placed.section.is_none() {
                    return;
                }
                let start = collected.text.len();
                if let Some(entry) = &placed.breaking {
                    write_listed_entry(&mut collected.text, remote, entry, true)
                        .expect("writing to a String cannot fail");
                }
                let middle = collected.text.len();
                if let Some((_, entry)) = &placed.section {
                    write_listed_entry(&mut collected.text, remote, entry, false)
                        .expect("writing to a String cannot fail");
                }
                let offset = |at: usize| u32::try_from(at).expect("a release's text under 4 GiB");
                collected.lines.push(Line {
                    fact: position,
                    section: placed
                        .section
                        .map(|(index, _)| u32::try_from(index).expect("few sections")),
                    start: offset(start),
                    middle: offset(middle),
                    end: offset(collected.text.len()),
                });
            });
        }
        collected.facts.push(fact);
    }

    /// Renders the range `index`, the oldest not rendered yet, and drops what its parts kept.
    fn emit(&mut self, index: usize) {
        let generator = self.generator;
        let planned = &self.plan[index];
        let parts: Vec<&Collected> = planned
            .members
            .iter()
            .map(|&member| &self.parts[Self::part_of(self.releases.len(), member)])
            .collect();
        let facts: Vec<&Fact> = parts.iter().flat_map(|part| &part.facts).collect();
        let mut listed = crate::select::listed(&facts, generator.config.cancel_reverts);
        if let Some(dedupe) = self.dedupe.as_mut() {
            dedupe.range(&facts, &mut listed);
        }
        // What is listed is written straight into the release's text, a pass for the breaking
        // changes and one for each section: building each section's text first held the
        // entries' text twice more.
        let listed_lines = || listed_lines(&parts, &listed);
        let breaking = listed_lines().any(|(_, line)| line.start < line.middle);
        let mut present = vec![false; generator.titles().len()];
        for (_, line) in listed_lines() {
            if let Some(section) = line.section {
                present[section as usize] = true;
            }
        }
        let (indices, titles): (Vec<u32>, Vec<&str>) = generator
            .titles()
            .iter()
            .enumerate()
            .filter(|(index, _)| present[*index])
            .map(|(index, title)| (u32::try_from(index).expect("few sections"), title.as_str()))
            .unzip();
        let releases = &self.releases;
        let previous_tag = self
            .plan
            .get(index + 1)
            .and_then(|older| older.release)
            .map(|index| releases[index].tag.as_str());
        let heading = heading(
            planned.release.map(|index| &releases[index]),
            self.remote.as_ref(),
            previous_tag,
        );
        if planned.release.is_some() || breaking || !titles.is_empty() {
            self.markdown.push(
                heading.version.as_deref(),
                heading.date,
                heading.compare_url.as_deref(),
                |out| {
                    write_body(out, "###", breaking, &titles, |out, section| {
                        for (part, line) in listed_lines() {
                            let text = match section {
                                None => part.text(line.start, line.middle),
                                Some(place) if line.section == Some(indices[place]) => {
                                    part.text(line.middle, line.end)
                                }
                                Some(_) => continue,
                            };
                            out.push_str(text);
                        }
                        Ok(())
                    })
                },
            );
        }
        for member in std::mem::take(&mut self.plan[index].members) {
            let part = Self::part_of(self.releases.len(), member);
            self.parts[part] = Collected::default();
        }
        self.emitted = index;
    }
}
