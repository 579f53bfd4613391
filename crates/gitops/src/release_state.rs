//! Every release tag with its commit and whether `HEAD` contains it, in one walk.

use std::collections::{BinaryHeap, HashMap, HashSet};

use git2::{ObjectType, Oid};
use versioning::decide::ExistingRelease;
use versioning::{TagPattern, Version};

use crate::error::{Error, GitContext as _};
use crate::{CommitId, Repository};

/// Clock skew the walk tolerates between a commit and its parents (one day, as `git name-rev`).
const SLOP_SECONDS: i64 = 24 * 60 * 60;

/// Where the reachability walk of [`Repository::release_state_from`] may stop when some tags are
/// not reachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Cutoff {
    /// A day below the committer date of the oldest tagged commit not reached yet (the default,
    /// as `git name-rev`): the cost is the commits down to the oldest tag that matters.
    #[default]
    Dates,
    /// Nowhere before the root: exact whatever the clocks said, at the cost of `HEAD`'s whole
    /// history (`git rev-list HEAD`) whenever a tag is not reachable.
    None,
    /// As soon as the latest reachable release is known: when every tag of higher precedence
    /// than the best one reached is reached too or, by [`Cutoff::Dates`]' rule, cannot be. The
    /// cost is what `git describe` walks plus the commits down to the tags above it; the answer
    /// for [`ReleaseTags::latest_reachable`] is the same, but tags of lower precedence than it
    /// are reported unreachable whether or not they are (what a next-version decision needs:
    /// every version that exists, and the latest one `HEAD` contains).
    Latest,
}

/// A release tag, its commit, and whether the revision the state was computed from contains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagState {
    /// The tag name without `refs/tags/` (`v1.2.0`).
    pub name: String,
    /// The version the name encodes.
    pub version: Version,
    /// The commit the tag points at, peeled through annotated tags.
    pub commit: CommitId,
    /// Whether that commit is the revision or one of its ancestors (through any parent).
    pub reachable: bool,
    /// The index, in the patterns given, of the first pattern that reads the name.
    pub pattern: usize,
}

/// Every release tag of a repository, sorted by version precedence then name (oldest release
/// first), each marked reachable or not.
///
/// Checking tags one at a time (`graph_descendant_of` per tag) walks the history once per tag
/// that is not an ancestor: on a repository whose highest tags live on other branches that was
/// 55 s for 31,000 commits and 3,800 tags. [`Repository::release_state`] reads every tag name
/// once, peels each matching tag to its commit, and then walks the history from `HEAD` once,
/// newest commit first, marking what it passes:
///
/// - it stops as soon as every tagged commit has been reached (all reachable), and
/// - otherwise, with [`Cutoff::Dates`] (the default), once every commit left to visit is
///   older, by committer date, than the oldest tagged commit not reached yet, with a day of
///   slack for clocks that disagree (the slop `git name-rev` uses). A commit older than a
///   tagged commit cannot contain it unless a commit between them carries a committer date
///   more than a day earlier than its parent's: such a commit hides the tags below it when the
///   walk would stop there, as it does for `git name-rev` and `git describe`.
///   [`Cutoff::None`] walks to the root instead and is exact whatever the dates.
///
/// So the cost is the tags plus the commits between `HEAD` and the oldest tag it does not
/// contain, and at worst one walk of `HEAD`'s history (what `git rev-list HEAD` costs), never
/// one walk per tag.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ReleaseTags {
    /// The tags, sorted by version precedence, then name.
    pub tags: Vec<TagState>,
    /// How many commits the reachability walk visited (for benchmarks and tests of its cost).
    pub walked: usize,
}

impl ReleaseTags {
    /// The release with the highest precedence reachable from the revision, pre-releases included.
    /// Of two tags with one precedence (`v1.2.3` and `1.2.3`), the smaller name.
    pub fn latest_reachable(&self) -> Option<&TagState> {
        self.latest(|tag| tag.reachable)
    }

    /// The stable release with the highest precedence reachable from the revision.
    pub fn latest_reachable_stable(&self) -> Option<&TagState> {
        self.latest(|tag| tag.reachable && !tag.version.is_prerelease())
    }

    /// The release with the highest precedence in line `major.minor`, reachable or not,
    /// pre-releases included.
    pub fn latest_of_line(&self, major: u64, minor: u64) -> Option<&TagState> {
        self.latest(|tag| tag.version.major() == major && tag.version.minor() == minor)
    }

    /// Every release version, reachable or not, oldest first (a version tagged twice, as
    /// `v1.2.3` and `1.2.3`, appears twice).
    pub fn versions(&self) -> impl Iterator<Item = &Version> {
        self.tags.iter().map(|tag| &tag.version)
    }

    /// The tags of `version` (several when schemes changed: `v1.2.3` and `1.2.3`), reachable
    /// ones first.
    pub fn find(&self, version: &Version) -> Vec<&TagState> {
        let mut found: Vec<&TagState> = self
            .tags
            .iter()
            .filter(|tag| tag.version == *version)
            .collect();
        found.sort_by_key(|tag| !tag.reachable);
        found
    }

    /// The releases as [`versioning::decide()`] takes them.
    pub fn releases(&self) -> Vec<ExistingRelease> {
        self.tags
            .iter()
            .map(|tag| ExistingRelease {
                version: tag.version.clone(),
                reachable: tag.reachable,
            })
            .collect()
    }

    fn latest(&self, keep: impl Fn(&TagState) -> bool) -> Option<&TagState> {
        self.tags
            .iter()
            .filter(|tag| keep(tag))
            .max_by(|a, b| a.version.cmp(&b.version).then_with(|| b.name.cmp(&a.name)))
    }
}

impl Repository {
    /// The name of every tag (without `refs/tags/`), whatever it points at, sorted: what
    /// [`versioning::TagSchemes::detect`] reads the repository's tag schemes from.
    ///
    /// Works in shallow clones (the names are what they are; only history is missing).
    pub fn tag_names(&self) -> Result<Vec<String>, Error> {
        let references = self
            .git
            .references_glob("refs/tags/*")
            .context(|| "listing tags".to_owned())?;
        let mut names = Vec::new();
        for reference in references {
            let reference = reference.context(|| "reading a tag".to_owned())?;
            let full_name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
            names.push(full_name.trim_start_matches("refs/tags/").to_owned());
        }
        names.sort_unstable();
        Ok(names)
    }

    /// Every tag that one of `patterns` reads, with its commit and whether `HEAD` contains it,
    /// in one walk (see [`ReleaseTags`] for its cost). Several patterns
    /// read a repository whose scheme changed (`v{version}` then `{version}`); a name is read by
    /// the first pattern that matches it.
    ///
    /// Tags that point at something other than a commit (a tree, a blob) are skipped. Fails on
    /// a shallow clone, whose tags and history are incomplete, and on an unborn branch.
    pub fn release_state(&self, patterns: &[TagPattern]) -> Result<ReleaseTags, Error> {
        self.release_state_from("HEAD", patterns, Cutoff::Dates)
    }

    /// [`release_state`](Repository::release_state) from any revision, with a choice of where
    /// the walk may stop.
    pub fn release_state_from(
        &self,
        revision: &str,
        patterns: &[TagPattern],
        cutoff: Cutoff,
    ) -> Result<ReleaseTags, Error> {
        self.ensure_full_history()?;
        let from = self.resolve_oid(revision)?;
        let references = self
            .git
            .references_glob("refs/tags/*")
            .context(|| "listing tags".to_owned())?;
        // (name, version, pattern index, commit)
        let mut found: Vec<(String, Version, usize, Oid)> = Vec::new();
        // Commit → committer time, for every tagged commit.
        let mut tagged: HashMap<Oid, i64> = HashMap::new();
        // Tags peeled with the reader the history reads use (one mapping of the pack, not two;
        // see `crate::objects`), or with libgit2 where it declines.
        let mut fast = self.objects().map(crate::objects::Objects::reader);
        for reference in references {
            let reference = reference.context(|| "reading a tag".to_owned())?;
            let full_name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
            let name = full_name.trim_start_matches("refs/tags/");
            let Some((index, version)) = patterns
                .iter()
                .enumerate()
                .find_map(|(index, pattern)| Some((index, pattern.parse_tag(name)?)))
            else {
                continue;
            };
            let peeled = fast
                .as_mut()
                .zip(reference.target())
                .and_then(|(fast, target)| fast.peel_tag(target));
            if let Some(damaged) = fast
                .as_mut()
                .and_then(crate::objects::CommitReader::damaged)
            {
                return Err(damaged);
            }
            let (commit, time) = if let Some(peeled) = peeled {
                let Some((commit, time)) = peeled.commit else {
                    tracing::debug!(tag = name, "tag does not point at a commit, ignored");
                    continue;
                };
                (commit, time.seconds)
            } else {
                let Ok(object) = reference.peel(ObjectType::Commit) else {
                    tracing::debug!(tag = name, "tag does not point at a commit, ignored");
                    continue;
                };
                let Some(commit) = object.as_commit() else {
                    continue;
                };
                (commit.id(), commit.time().seconds())
            };
            tagged.insert(commit, time);
            found.push((name.to_owned(), version, index, commit));
        }
        // The highest version tagged on each commit, for `Cutoff::Latest`.
        let mut ranks: HashMap<Oid, Version> = HashMap::new();
        for (_, version, _, commit) in &found {
            let rank = ranks.entry(*commit).or_insert_with(|| version.clone());
            if version > rank {
                *rank = version.clone();
            }
        }
        let (reached, walked) = self.mark_reachable(from, &tagged, &ranks, cutoff)?;
        let mut tags: Vec<TagState> = found
            .into_iter()
            .map(|(name, version, pattern, commit)| TagState {
                reachable: reached.contains(&commit),
                commit: CommitId::from_oid(commit),
                name,
                version,
                pattern,
            })
            .collect();
        tags.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)));
        Ok(ReleaseTags { tags, walked })
    }

    /// The commits of `targets` that `from` contains, and how many commits the walk visited.
    fn mark_reachable(
        &self,
        from: Oid,
        targets: &HashMap<Oid, i64>,
        ranks: &HashMap<Oid, Version>,
        cutoff: Cutoff,
    ) -> Result<(HashSet<Oid>, usize), Error> {
        let mut reached: HashSet<Oid> = HashSet::new();
        if targets.is_empty() {
            return Ok((reached, 0));
        }
        // Pending targets, newest first, so the oldest one not reached yet is at the end.
        let mut pending: Vec<(i64, Oid)> =
            targets.iter().map(|(oid, time)| (*time, *oid)).collect();
        pending.sort_unstable_by(|a, b| b.cmp(a));
        let mut seen: HashSet<Oid> = HashSet::new();
        // Each commit is read once, when it is queued: its time orders the queue and its parents
        // are kept for when it is popped.
        let mut parents: Vec<Vec<Oid>> = Vec::new();
        let mut oids: Vec<Oid> = Vec::new();
        // Newest commit first, as `git rev-list --date-order` pops them.
        let mut queue: BinaryHeap<(i64, usize)> = BinaryHeap::new();
        let fast = std::cell::RefCell::new(self.objects().map(crate::objects::Objects::reader));
        let enqueue = |oid: Oid,
                       oids: &mut Vec<Oid>,
                       parents: &mut Vec<Vec<Oid>>,
                       queue: &mut BinaryHeap<(i64, usize)>|
         -> Result<(), Error> {
            let mut found = Vec::new();
            let fast_time = fast
                .borrow_mut()
                .as_mut()
                .and_then(|fast| fast.time_and_parents(oid, &mut found));
            if let Some(damaged) = fast
                .borrow_mut()
                .as_mut()
                .and_then(crate::objects::CommitReader::damaged)
            {
                return Err(damaged);
            }
            let time = if let Some(time) = fast_time {
                time.seconds
            } else {
                let commit = self
                    .git
                    .find_commit(oid)
                    .context(|| format!("reading commit {oid}"))?;
                found.extend(commit.parent_ids());
                commit.time().seconds()
            };
            queue.push((time, oids.len()));
            oids.push(oid);
            parents.push(found);
            Ok(())
        };
        seen.insert(from);
        enqueue(from, &mut oids, &mut parents, &mut queue)?;
        // With `Cutoff::Latest`: the targets by precedence, highest first, and the best reached.
        let mut by_rank: Vec<(&Version, Oid, i64)> = ranks
            .iter()
            .filter_map(|(oid, version)| Some((version, *oid, *targets.get(oid)?)))
            .collect();
        by_rank.sort_unstable_by(|a, b| b.0.cmp(a.0));
        let mut best: Option<&Version> = None;
        // The oldest committer date among the unreached targets that still matter (`None`: none
        // does); recomputed when a target is reached.
        let matters = |reached: &HashSet<Oid>, best: Option<&Version>| {
            by_rank
                .iter()
                .take_while(|(version, _, _)| best.is_none_or(|best| *version > best))
                .filter(|(_, oid, _)| !reached.contains(oid))
                .map(|(_, _, time)| *time)
                .min()
        };
        let mut oldest_that_matters = matters(&reached, best);
        let mut walked = 0;
        while let Some((_, index)) = queue.pop() {
            walked += 1;
            let oid = oids[index];
            if targets.contains_key(&oid) {
                reached.insert(oid);
                if cutoff == Cutoff::Latest {
                    if let Some(rank) = ranks.get(&oid) {
                        if best.is_none_or(|best| rank > best) {
                            best = Some(rank);
                        }
                    }
                    oldest_that_matters = matters(&reached, best);
                    let Some(oldest) = oldest_that_matters else {
                        break;
                    };
                    if queue
                        .peek()
                        .is_some_and(|(next, _)| *next < oldest - SLOP_SECONDS)
                    {
                        break;
                    }
                }
            }
            for parent in std::mem::take(&mut parents[index]) {
                if seen.insert(parent) {
                    enqueue(parent, &mut oids, &mut parents, &mut queue)?;
                }
            }
            if reached.len() == targets.len() {
                break;
            }
            while pending
                .last()
                .is_some_and(|(_, target)| reached.contains(target))
            {
                pending.pop();
            }
            if cutoff == Cutoff::Latest {
                if let (Some(oldest), Some((next, _))) = (oldest_that_matters, queue.peek()) {
                    if *next < oldest - SLOP_SECONDS {
                        break;
                    }
                }
                continue;
            }
            // The newest commit left is newer than every commit left: none of them can contain
            // a target newer than it by more than the slack, unless a committer date lies.
            if cutoff == Cutoff::Dates
                && let (Some((oldest, _)), Some((next, _))) = (pending.last(), queue.peek())
                && *next < oldest - SLOP_SECONDS
            {
                break;
            }
        }
        Ok((reached, walked))
    }
}
