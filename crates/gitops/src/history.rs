//! Commit history: the commits of a range, patch ids, and the whole history split at
//! release tags.
//!
//! Commits come in git's `--topo-order`: no parent before all of its children, and the
//! commits of a merged branch together (after a merge, its second parent's line comes
//! first, as `git log --topo-order` shows it).
//!
//! Cost: a range walk (`v1.2.0..HEAD`) uses libgit2's revision walk with the excluded
//! side hidden, so it reads about as many commits as the range holds, not the whole
//! history. [`Repository::release_history`] reads each commit of the history once in
//! total. Neither diffs anything unless a glob path filter or patch ids are asked for.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use git2::{DiffOptions, Oid, Sort};

use crate::commit_graph::CommitGraph;
use crate::error::{Error, GitContext as _};
use crate::objects::{CommitReader, Objects, RawCommit, RawCommits};
use crate::{Commit, CommitId, PatchId, Person, Repository, Tag, Time};

/// Which commits to list: those reachable from any `include` revision and from no
/// `exclude` revision, like `git log <include>... ^<exclude>...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl Range {
    /// Everything reachable from `HEAD`.
    pub fn head() -> Range {
        Range {
            include: vec!["HEAD".to_owned()],
            exclude: Vec::new(),
        }
    }

    /// `revision..HEAD`: what `HEAD` has that `revision` (a tag, usually) does not.
    pub fn since(revision: impl Into<String>) -> Range {
        Range::between(revision, "HEAD")
    }

    /// `from..to`.
    pub fn between(from: impl Into<String>, to: impl Into<String>) -> Range {
        Range {
            include: vec![to.into()],
            exclude: vec![from.into()],
        }
    }

    /// Parse `a..b`, `a..` (to `HEAD`), `..b` (from nothing: `b` alone) or a single
    /// revision.
    pub fn parse(spec: &str) -> Range {
        match spec.split_once("..") {
            Some((from, to)) => {
                let to = if to.is_empty() { "HEAD" } else { to };
                if from.is_empty() {
                    Range::empty().include(to)
                } else {
                    Range::between(from, to)
                }
            }
            None => Range::empty().include(spec),
        }
    }

    /// A range with nothing in it yet; add revisions with [`include`](Range::include).
    pub fn empty() -> Range {
        Range {
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }

    /// Also list what `revision` reaches.
    #[must_use]
    pub fn include(mut self, revision: impl Into<String>) -> Range {
        self.include.push(revision.into());
        self
    }

    /// Leave out what `revision` reaches.
    #[must_use]
    pub fn exclude(mut self, revision: impl Into<String>) -> Range {
        self.exclude.push(revision.into());
        self
    }
}

/// Which paths a commit must touch to be listed (monorepos).
///
/// Each entry is a path prefix (`crates/gitops`, matching everything below it) or a
/// glob (`docs/*.md`, anything with `*`, `?` or `[`). A commit is listed when its tree
/// differs from every parent's under one of the entries (a merge that takes one side
/// unchanged is not listed; the side's own commits are). A root commit is listed when
/// it contains a matching path. Prefix-only filters compare tree entries, with no diff;
/// globs need a diff per commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathFilter {
    prefixes: Vec<String>,
    globs: Vec<String>,
}

impl PathFilter {
    /// A filter from path prefixes and globs, relative to the work tree root with `/`.
    pub fn new<I, S>(entries: I) -> PathFilter
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut filter = PathFilter::default();
        for entry in entries {
            let entry = entry
                .as_ref()
                .trim_start_matches("./")
                .trim_end_matches('/');
            if entry.contains(['*', '?', '[']) {
                filter.globs.push(entry.to_owned());
            } else if !entry.is_empty() {
                filter.prefixes.push(entry.to_owned());
            }
        }
        filter
    }

    /// Whether the filter lets every commit through.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.globs.is_empty()
    }
}

/// What to compute for each listed commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Only commits touching these paths; empty lists every commit.
    pub paths: PathFilter,
    /// Compute [`Commit::patch_id`] (a diff per commit: only when cherry-picks matter).
    pub patch_ids: bool,
}

/// One release and the commits it introduced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The release tag.
    pub tag: Tag,
    /// The commits reachable from the tag and from no release of lower precedence, in
    /// topological order (newest first).
    pub commits: Vec<Commit>,
}

/// One part of a release history, as [`Repository::release_history_each`] hands it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryPart<'t> {
    /// The release tag; `None` for the commits reachable from `HEAD` and from no release tag.
    pub tag: Option<&'t Tag>,
    /// Commits the release introduced, after those of the release's earlier parts: in
    /// topological order (newest first), unless the release's last part has an
    /// [`order`](HistoryPart::order).
    pub commits: Vec<Commit>,
    /// Whether this is the release's last part: a release with many commits comes in several
    /// parts, one after the other, as they are read.
    pub complete: bool,
    /// On the last part of a release whose commits came in the order they were listed (only
    /// from [`Repository::release_history_as_read`]): its topological order, newest first, as
    /// each commit's position among all of the release's commits as they came (every part's
    /// one after the other). `None` when they came in topological order.
    pub order: Option<Vec<u32>>,
}

/// The whole history split at release tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseHistory {
    /// Releases by ascending precedence (oldest first).
    pub releases: Vec<Release>,
    /// Commits reachable from `HEAD` and from no release tag.
    pub unreleased: Vec<Commit>,
}

/// A hasher for object ids, which are already uniformly distributed.
#[derive(Default)]
struct OidHasher(u64);

impl Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `Oid` hashes its bytes (after a length prefix); the first 8 are enough.
        for &byte in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }
}

type OidBuild = BuildHasherDefault<OidHasher>;

/// A walked commit: what ordering needs, plus what was read of it.
struct Node {
    oid: Oid,
    time: i64,
    parents_start: usize,
    parents_end: usize,
    read: Read,
}

/// What is known of a walked commit's content.
enum Read {
    /// Listed from the commit-graph: its object is read later, with the others, in parallel.
    Pending,
    /// Listed from its own object (no commit-graph), whose bytes were kept (in the batch's
    /// [`RawCommits`]): made into a commit later on a reading thread, so the listing thread only
    /// inflates.
    Raw(RawCommit),
    /// Read, and left out by the path filter.
    Skipped,
    /// Read and listed (boxed: a node stays small while the walk's vector grows).
    Listed(Box<Commit>),
}

/// Commits gathered by a walk, with their parent links, ready to be put in order.
#[derive(Default)]
struct Walked {
    nodes: Vec<Node>,
    parents: Vec<Oid>,
}

/// A walk being listed (see [`Reader::walk_on`]).
struct Walk {
    /// Commits to list, the next on top.
    stack: Vec<Oid>,
    walked: Walked,
}

/// What the walks of one history read share: the commit-graph, the mailmap and the options.
///
/// A read has two phases. Listing walks the graph from the tips: from the commit-graph file when
/// it covers a commit (parents and committer time, no object inflated), else by reading the
/// commit. Reading then inflates and parses the commits listed from the graph on every core, in
/// blocks, each thread with its own libgit2 handle, and puts each result back at its node, so
/// the order (decided from the listing alone) is the same as a sequential read's.
struct Reader<'r> {
    repository: &'r Repository,
    graph: Option<CommitGraph>,
    /// Whether the repository has a mailmap (then authors are read through it).
    use_mailmap: bool,
    mailmap: Option<git2::Mailmap>,
    options: &'r HistoryOptions,
    /// This thread's reader of [`Reader::objects`].
    here: std::cell::RefCell<Option<CommitReader>>,
    /// The threads a read may use, at most [`MAX_THREADS`] (asked once: the standard library
    /// reads the cgroup's quota files each time).
    cores: usize,
}

/// What one reading thread returns: each block it read, by number.
type ReadBlocks = Vec<(usize, Vec<Read>)>;

/// Commits read by one thread at a time: large enough to amortise the hand-off, small enough to
/// keep both cores busy to the end.
const BLOCK: usize = 256;

/// Below this many commits, reading them on one thread is cheaper than opening more handles.
const PARALLEL_FROM: usize = 2 * BLOCK;

/// Blocks of a batch each reading thread may have read and not handed out: more are sent as
/// blocks come back, which happens only while the batch is handed out. A consumer slower than
/// the readers (the changelog's renderer, with a commit-graph) otherwise had every commit of a
/// long release read and held before it took them. Four a thread were measured too: the
/// readers then waited whenever the consumer did, and the untagged 50k history with a
/// commit-graph went from 0.65x the `git log` floor to 0.84x.
const READ_AHEAD: usize = 16;

/// Commits listed before a batch is read and handed out by [`Repository::release_history_each`]:
/// large enough to keep every core busy, small enough that one batch is little memory.
const BATCH_COMMITS: usize = 1024;

/// A walk that lists more commits than this, and reads their objects to list them (no
/// commit-graph covers them), is read and handed out as it is listed by
/// [`Repository::release_history_as_read`]: such a listing is the longest chain of work, and
/// a walk's topological order is known only once it is all listed, so the other cores (and the
/// caller) would otherwise wait for it, and its commits' bytes would all be held meanwhile. A
/// multiple of [`BLOCK`].
const STREAM_FROM: usize = 4 * BLOCK;

/// Threads at most: past this the object store's reads, not the inflating, limit the speed.
const MAX_THREADS: usize = 8;

impl Repository {
    /// The commits of `range` in topological order, newest first.
    ///
    /// Fails on a shallow clone (the range would be cut short), an unborn branch, or a
    /// revision that does not resolve.
    pub fn commits(&self, range: &Range, options: &HistoryOptions) -> Result<Vec<Commit>, Error> {
        self.ensure_full_history()?;
        let include: Vec<Oid> = range
            .include
            .iter()
            .map(|revision| self.resolve_oid(revision))
            .collect::<Result<_, _>>()?;
        let reader = self.reader(options);
        if range.exclude.is_empty() {
            // Nothing to hide: our own walk lists each commit once (a revwalk would parse
            // it, then `find_commit` read it again).
            let mut kept = RawCommits::default();
            let mut walked = reader.walk_new(&include, &mut Seen::default(), &mut kept)?;
            reader.read_pending(std::slice::from_mut(&mut walked), &kept)?;
            return Ok(walked.into_topological_order());
        }
        let mut walk = self
            .git
            .revwalk()
            .context(|| "starting a revision walk".to_owned())?;
        walk.set_sorting(Sort::NONE)
            .context(|| "starting a revision walk".to_owned())?;
        for (revision, oid) in range.include.iter().zip(include) {
            walk.push(oid)
                .context(|| format!("walking from `{revision}`"))?;
        }
        for revision in &range.exclude {
            let oid = self.resolve_oid(revision)?;
            walk.hide(oid)
                .context(|| format!("excluding `{revision}`"))?;
        }
        let mut walked = Walked::default();
        let mut kept = RawCommits::default();
        for oid in walk {
            let oid = oid.context(|| "walking the history".to_owned())?;
            reader.list(oid, &mut walked, &mut kept)?;
        }
        reader.read_pending(std::slice::from_mut(&mut walked), &kept)?;
        Ok(walked.into_topological_order())
    }

    /// The whole history split at `tags`: for each release, the commits reachable from
    /// its tag and from no tag of lower precedence; then the commits reachable from
    /// `HEAD` and from no tag. Every commit is read once.
    ///
    /// `tags` are taken as given (pass the stable ones only to fold pre-releases into
    /// the next stable release) and processed by [`Tag::release_order`]. When several
    /// tags point at one commit, the one with the highest precedence (then the smallest
    /// name) owns the commits; the others are listed with no commits. A repository
    /// whose `HEAD` is unborn is an error; one with no tags has everything unreleased.
    pub fn release_history(
        &self,
        tags: &[Tag],
        options: &HistoryOptions,
    ) -> Result<ReleaseHistory, Error> {
        let mut releases: Vec<Release> = Vec::new();
        let mut unreleased = Vec::new();
        // Whether the last release has more parts to come.
        let mut open = false;
        // As read: a long release's commits are then read while it is listed.
        self.release_history_parts(tags, options, true, |part| {
            let commits = match part.tag {
                Some(_) if open => &mut releases.last_mut().expect("an open release").commits,
                Some(tag) => {
                    releases.push(Release {
                        tag: tag.clone(),
                        commits: Vec::new(),
                    });
                    &mut releases.last_mut().expect("just pushed").commits
                }
                None => &mut unreleased,
            };
            commits.extend(part.commits);
            if let Some(order) = part.order {
                *commits = in_order(std::mem::take(commits), &order);
            }
            open = !part.complete;
        })?;
        Ok(ReleaseHistory {
            releases,
            unreleased,
        })
    }

    /// [`release_history`](Repository::release_history) handed out in parts, so that the caller
    /// need not hold the whole history: each release by ascending precedence (oldest first),
    /// then the unreleased commits (`tag` is `None`) last. A release comes in one part, or in
    /// several one after the other (the last [`complete`](HistoryPart::complete)) when its
    /// commits are read in several blocks. The releases and their commits, parts joined, are
    /// exactly those of `release_history`, in the same order (no part has an
    /// [`order`](HistoryPart::order)).
    ///
    /// The history is listed and read in batches of a few thousand commits: what a batch listed
    /// is read on every core by threads that live for the whole read, in each walk's
    /// topological order (decided from the listing alone), while this thread lists the next
    /// batch and hands out what is read of the one before, in order, as soon as it is read
    /// (`each` is called on this thread). A release's walk is one batch however long it is, so
    /// it is handed out in parts as its blocks come back. At most two batches are held.
    pub fn release_history_each<'t>(
        &self,
        tags: &'t [Tag],
        options: &HistoryOptions,
        each: impl FnMut(HistoryPart<'t>),
    ) -> Result<(), Error> {
        self.release_history_parts(tags, options, false, each)
    }

    /// [`release_history_each`](Repository::release_history_each), but a long release (over a
    /// thousand commits) whose commits the listing reads (where no commit-graph covers them) is
    /// handed out in the order it is listed, as it is listed, and its last part gives its
    /// topological [`order`](HistoryPart::order).
    ///
    /// Without a commit-graph, listing reads every commit's object on one thread, and a release's
    /// topological order is known only once all of its commits are listed: this way, the
    /// commits are read on the other cores and the caller works on them meanwhile, where
    /// `release_history_each` holds them all until then. A caller that keeps what it makes of
    /// each commit in the order it came can put that in order at the end.
    pub fn release_history_as_read<'t>(
        &self,
        tags: &'t [Tag],
        options: &HistoryOptions,
        each: impl FnMut(HistoryPart<'t>),
    ) -> Result<(), Error> {
        self.release_history_parts(tags, options, true, each)
    }

    /// [`release_history_each`](Repository::release_history_each), or
    /// [`release_history_as_read`](Repository::release_history_as_read) when `as_read`.
    fn release_history_parts<'t>(
        &self,
        tags: &'t [Tag],
        options: &HistoryOptions,
        as_read: bool,
        mut each: impl FnMut(HistoryPart<'t>),
    ) -> Result<(), Error> {
        self.ensure_full_history()?;
        let head = self.head_oid()?;
        let mut order: Vec<&'t Tag> = tags.iter().collect();
        order.sort_by(|a, b| a.release_order(b));

        // The owner of each tagged commit: the highest precedence, then smallest name.
        let mut owner: HashMap<Oid, &Tag, OidBuild> = HashMap::default();
        for tag in &order {
            let oid = tag.target.to_oid();
            owner
                .entry(oid)
                .and_modify(|current| {
                    if tag.version > current.version {
                        *current = tag;
                    }
                })
                .or_insert(tag);
        }
        // One walk per release (none for a tag that does not own its commit), then the
        // unreleased commits last.
        let tips = order
            .iter()
            .map(|tag| {
                let oid = tag.target.to_oid();
                let owns = owner
                    .get(&oid)
                    .is_some_and(|owner| std::ptr::eq(*owner, *tag));
                (Some(*tag), owns.then_some(oid))
            })
            .chain(std::iter::once((None, Some(head))));

        let reader = self.reader(options);
        let mut seen = Seen::default();
        std::thread::scope(|scope| {
            // Dropped when this closure returns, which stops the reading threads before the scope
            // waits for them.
            let mut pool = Pool::default();
            // The batches listed and not handed out yet, oldest first: while the pool reads one,
            // this thread lists the next and hands out the one before.
            let mut in_flight: std::collections::VecDeque<Batch<'t>> =
                std::collections::VecDeque::new();
            let mut batch = Batch::default();
            for (tag, tip) in tips {
                let walked = match tip {
                    Some(oid) => {
                        let mut walk = reader.start_walk(&[oid], &mut seen);
                        let limit = if as_read { STREAM_FROM } else { usize::MAX };
                        if !reader.walk_on(&mut walk, &mut seen, &mut batch.kept, limit)? {
                            if reader.streams(&walk) {
                                reader.stream(
                                    tag,
                                    walk,
                                    &mut seen,
                                    &mut batch,
                                    &mut pool,
                                    &mut in_flight,
                                    scope,
                                    &mut each,
                                )?;
                                continue;
                            }
                            reader.walk_on(&mut walk, &mut seen, &mut batch.kept, usize::MAX)?;
                        }
                        walk.walked
                    }
                    None => Walked::default(),
                };
                batch.listed += walked.nodes.len();
                batch.walks.push((tag, walked));
                // What the pool has read is handed out at once, so that the caller works on it
                // while this thread lists (rather than once the next batch is listed).
                Reader::hand_out_ready(&mut pool, &mut in_flight, &mut each)?;
                if batch.listed >= BATCH_COMMITS {
                    reader.submit(&mut batch, &mut pool, scope)?;
                    in_flight.push_back(std::mem::take(&mut batch));
                    if in_flight.len() > 1 {
                        let done = in_flight.pop_front().expect("two batches");
                        Reader::hand_out(done, &mut pool, &mut in_flight, &mut each)?;
                    }
                }
            }
            reader.submit(&mut batch, &mut pool, scope)?;
            in_flight.push_back(batch);
            while let Some(done) = in_flight.pop_front() {
                Reader::hand_out(done, &mut pool, &mut in_flight, &mut each)?;
            }
            Ok(())
        })
    }

    /// The patch id of a commit (`git patch-id --stable` of its diff against its
    /// parent), or `None` for a merge or a commit that changes nothing.
    pub fn patch_id(&self, commit: &CommitId) -> Result<Option<PatchId>, Error> {
        let oid = self.resolve_oid(commit.as_str())?;
        let commit = self
            .git
            .find_commit(oid)
            .context(|| format!("reading commit {commit}"))?;
        self.patch_id_of(&commit)
    }

    pub(crate) fn patch_id_of(&self, commit: &git2::Commit<'_>) -> Result<Option<PatchId>, Error> {
        patch_id_in(&self.git, commit)
    }

    /// The shared state of one history read.
    fn reader<'r>(&'r self, options: &'r HistoryOptions) -> Reader<'r> {
        let use_mailmap = has_mailmap(&self.git);
        Reader {
            repository: self,
            graph: CommitGraph::open(&self.git),
            use_mailmap,
            mailmap: use_mailmap.then(|| self.git.mailmap().ok()).flatten(),
            options,
            here: std::cell::RefCell::new(None),
            cores: std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .min(MAX_THREADS),
        }
    }
}

/// The patch id of a non-merge commit (see [`Repository::patch_id`]).
fn patch_id_in(
    git: &git2::Repository,
    commit: &git2::Commit<'_>,
) -> Result<Option<PatchId>, Error> {
    if commit.parent_count() > 1 {
        return Ok(None);
    }
    let context = || format!("computing the patch id of {}", commit.id());
    let tree = commit.tree().context(context)?;
    let parent_tree = match commit.parent_count() {
        0 => None,
        _ => Some(commit.parent(0).and_then(|p| p.tree()).context(context)?),
    };
    let diff = git
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
        .context(context)?;
    if diff.deltas().len() == 0 {
        return Ok(None);
    }
    Ok(Some(PatchId::from_oid(
        diff.patchid(None).context(context)?,
    )))
}

/// The commits a history read has walked: a bit each by commit-graph position where the graph
/// covers them (25 KB for 200,000 commits, where a set of their ids held 5.5 MB), else by id.
#[derive(Default)]
struct Seen {
    positions: Vec<u64>,
    others: HashSet<Oid, OidBuild>,
}

impl Seen {
    /// Marks `oid` walked; whether it was not yet.
    fn insert(&mut self, graph: Option<&CommitGraph>, oid: Oid) -> bool {
        let Some((graph, position)) =
            graph.and_then(|graph| graph.position(oid).map(|position| (graph, position)))
        else {
            return self.others.insert(oid);
        };
        if self.positions.is_empty() {
            self.positions = vec![0; graph.len().div_ceil(64)];
        }
        let (word, bit) = (position / 64, 1_u64 << (position % 64));
        let new = self.positions[word] & bit == 0;
        self.positions[word] |= bit;
        new
    }
}

/// Walks listed together and read together, by [`Repository::release_history_each`].
#[derive(Default)]
struct Batch<'t> {
    /// Its number: blocks read come back with it.
    number: usize,
    /// Its walks as listed, until it is submitted.
    walks: Vec<(Option<&'t Tag>, Walked)>,
    /// Once it is submitted, what is known of each walk's commits (by node): the listing (ids,
    /// parents, times; three quarters of a node) is dropped then, as only the order it gave is
    /// needed after it. On a history without tags the walk holds every commit, and was the
    /// largest thing held while the commits were read and rendered.
    reads: Vec<(Option<&'t Tag>, Vec<Read>)>,
    /// The bytes of the commits its walks read (no commit-graph).
    kept: RawCommits,
    /// Commits listed in its walks.
    listed: usize,
    /// Each walk's topological order (node positions), decided once the walk is listed.
    orders: Vec<Vec<u32>>,
    /// The walk and node of each commit left to read, in hand-out order, in blocks of [`BLOCK`].
    jobs: Vec<(usize, usize)>,
    /// Blocks not back from the pool yet, sent or not.
    outstanding: usize,
    /// Blocks not sent to the pool yet: one is sent as each comes back (see [`READ_AHEAD`]).
    unsent: std::collections::VecDeque<Job>,
    /// How far the batch is handed out: a walk, and a place in its order.
    cursor: (usize, usize),
    /// Set when the batch is one long walk read as it is listed: then it has no `walks`.
    streamed: Option<Streamed<'t>>,
}

/// A long walk read as it is listed, by [`Reader::stream`]: each block its listing sends is read
/// on the pool and handed out in the order listed.
struct Streamed<'t> {
    tag: Option<&'t Tag>,
    /// Each block sent, once read (taken as it is handed out).
    ready: Vec<Option<Vec<Read>>>,
    /// The next block to hand out.
    next: usize,
    /// The walk's topological order, once it is all listed: its commits' positions in the order
    /// listed.
    order: Option<Vec<u32>>,
}

impl<'t> Batch<'t> {
    /// Puts block `block`'s reads at their nodes, and sends the pool the next block to read.
    fn place(&mut self, block: usize, reads: Vec<Read>, pool: &Pool) {
        if let Some(streamed) = self.streamed.as_mut() {
            streamed.ready[block] = Some(reads);
        } else {
            for (&(walk, node), read) in self.jobs[block * BLOCK..].iter().zip(reads) {
                self.reads[walk].1[node] = read;
            }
        }
        self.outstanding -= 1;
        if let (Some(job), Some(jobs)) = (self.unsent.pop_front(), pool.jobs.as_ref()) {
            // The threads only stop once `jobs` is dropped, or on a panic that `scope` reports.
            let _ = jobs.send(job);
        }
    }

    /// Hands out what is read from the cursor on, in order: a part for each walk it finishes,
    /// and one for what it reads of the walk it stops in. Whether the batch is all handed out.
    fn advance(&mut self, each: &mut impl FnMut(HistoryPart<'t>)) -> bool {
        if let Some(streamed) = self.streamed.as_mut() {
            return streamed.advance(each);
        }
        while let Some((tag, reads)) = self.reads.get_mut(self.cursor.0) {
            let order = &self.orders[self.cursor.0];
            let mut at = self.cursor.1;
            let mut commits = Vec::new();
            while let Some(&node) = order.get(at) {
                let read = &mut reads[node as usize];
                if matches!(read, Read::Pending | Read::Raw(_)) {
                    break;
                }
                if let Read::Listed(commit) = std::mem::replace(read, Read::Skipped) {
                    commits.push(*commit);
                }
                at += 1;
            }
            let complete = at == order.len();
            if complete || !commits.is_empty() {
                each(HistoryPart {
                    tag: *tag,
                    commits,
                    complete,
                    order: None,
                });
            }
            if !complete {
                self.cursor.1 = at;
                return false;
            }
            self.cursor = (self.cursor.0 + 1, 0);
        }
        true
    }

    /// Keeps of its walks only what is known of their commits (see [`Batch::reads`]).
    fn drop_listing(&mut self) {
        self.reads = std::mem::take(&mut self.walks)
            .into_iter()
            .map(|(tag, walked)| {
                let mut reads = Vec::with_capacity(walked.nodes.len());
                reads.extend(walked.nodes.into_iter().map(|node| node.read));
                (tag, reads)
            })
            .collect();
    }
}

impl<'t> Streamed<'t> {
    /// Hands out the blocks read from the next on, in order, and once the walk is all listed
    /// and handed out, its order (in the last part). Whether it is all handed out.
    fn advance(&mut self, each: &mut impl FnMut(HistoryPart<'t>)) -> bool {
        let mut commits = Vec::new();
        while let Some(reads) = self.ready.get_mut(self.next).and_then(Option::take) {
            // With no path filter (see `Reader::streams`), every commit is listed: the n-th
            // handed out is the n-th listed, which the order counts in.
            commits.extend(reads.into_iter().map(|read| match read {
                Read::Listed(commit) => *commit,
                Read::Pending | Read::Raw(_) | Read::Skipped => {
                    unreachable!("a streamed walk's commits are all read and listed")
                }
            }));
            self.next += 1;
        }
        let complete = self.order.is_some() && self.next == self.ready.len();
        if complete || !commits.is_empty() {
            each(HistoryPart {
                tag: self.tag,
                commits,
                complete,
                order: if complete { self.order.take() } else { None },
            });
        }
        complete
    }
}

/// A block of commits to read: its batch, its number in the batch, the commits (with where
/// their bytes are when the listing kept them), and the bytes the batch's listing kept.
type Job = (usize, usize, Vec<(Oid, Option<RawCommit>)>, RawCommits);

/// A block read: its batch, its number in the batch, the reads.
type Done = (usize, usize, Result<Vec<Read>, Error>);

/// Reading threads that live as long as a [`Repository::release_history_each`], each with its
/// own libgit2 handle, started when a batch first has enough to read to be worth them.
#[derive(Default)]
struct Pool {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    done: Option<std::sync::mpsc::Receiver<Done>>,
    batches: usize,
}

/// The commits of `walks` listed but not made into commits yet (pending or raw), as (walk, node)
/// positions, each walk's in the order of the nodes given with it.
fn pending<'w, N: Iterator<Item = usize> + 'w>(
    walks: impl Iterator<Item = (&'w Walked, N)>,
) -> Vec<(usize, usize)> {
    walks
        .enumerate()
        .flat_map(|(walk, (walked, nodes))| {
            nodes
                .filter(|&node| matches!(walked.nodes[node].read, Read::Pending | Read::Raw(_)))
                .map(move |node| (walk, node))
        })
        .collect()
}

impl Reader<'_> {
    /// Starts reading what `batch` listed from the commit-graph: on the pool's threads when there
    /// is enough of it (or the pool is running), else here and now.
    fn submit<'s>(
        &'s self,
        batch: &mut Batch<'_>,
        pool: &mut Pool,
        scope: &'s std::thread::Scope<'s, '_>,
    ) -> Result<(), Error> {
        batch.number = pool.batches;
        pool.batches += 1;
        batch.orders = batch
            .walks
            .iter()
            .map(|(_, walked)| walked.topological_order())
            .collect();
        batch.jobs = pending(
            batch
                .walks
                .iter()
                .zip(&batch.orders)
                .map(|((_, walked), order)| (walked, order.iter().map(|&node| node as usize))),
        );
        let cores = self.cores;
        // Without a commit-graph this thread inflates every commit as it lists it, and the
        // listing is the longest chain of work: it keeps a core to itself.
        let listing_reads = batch.jobs.first().is_some_and(|&(walk, node)| {
            matches!(batch.walks[walk].1.nodes[node].read, Read::Raw(_))
        });
        let threads = if listing_reads {
            (cores - 1).max(1)
        } else {
            cores
        };
        if pool.jobs.is_none() && (cores <= 1 || batch.jobs.len() < PARALLEL_FROM) {
            // Few enough to read here.
            for &(walk, node) in &batch.jobs {
                let node = &mut batch.walks[walk].1.nodes[node];
                node.read = self.finish_here(node.oid, &node.read, &batch.kept)?;
            }
            batch.jobs.clear();
            batch.drop_listing();
            return Ok(());
        }
        if pool.jobs.is_none() {
            self.start_pool(pool, threads, scope);
        }
        let jobs = pool.jobs.as_ref().expect("the pool is running");
        // Each block gets the buffers its commits' bytes are in, which are freed once the last
        // block that needs them is read.
        let kept = std::mem::take(&mut batch.kept);
        let ahead = threads * READ_AHEAD;
        for (block, chunk) in batch.jobs.chunks(BLOCK).enumerate() {
            let oids: Vec<(Oid, Option<RawCommit>)> = chunk
                .iter()
                .map(|&(walk, node)| {
                    let node = &mut batch.walks[walk].1.nodes[node];
                    match std::mem::replace(&mut node.read, Read::Pending) {
                        Read::Raw(raw) => (node.oid, Some(raw)),
                        _ => (node.oid, None),
                    }
                })
                .collect();
            let view = kept.view(oids.iter().filter_map(|(_, raw)| *raw));
            let job = (batch.number, block, oids, view);
            if block < ahead {
                // The threads only stop once `jobs` is dropped, or on a panic that `scope`
                // reports.
                let _ = jobs.send(job);
            } else {
                batch.unsent.push_back(job);
            }
        }
        batch.outstanding = batch.jobs.len().div_ceil(BLOCK);
        batch.drop_listing();
        Ok(())
    }

    fn start_pool<'s>(
        &'s self,
        pool: &mut Pool,
        threads: usize,
        scope: &'s std::thread::Scope<'s, '_>,
    ) {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let (done, results) = std::sync::mpsc::channel();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let git_dir = self.repository.git.path().to_owned();
        let objects = self.objects();
        for _ in 0..threads {
            let queue = std::sync::Arc::clone(&queue);
            let done = done.clone();
            let git_dir = git_dir.clone();
            let use_mailmap = self.use_mailmap;
            let options = self.options;
            std::thread::Builder::new()
                .name("history-reader".to_owned())
                .spawn_scoped(scope, move || {
                    let next = || {
                        let queue = queue.lock().ok()?;
                        queue.recv().ok()
                    };
                    let mut handles = match ThreadHandles::open(&git_dir, objects, use_mailmap) {
                        Ok(handles) => handles,
                        Err(error) => {
                            // The first error ends the read: one is enough.
                            if let Some((batch, block, _, _)) = next() {
                                let _ = done.send((batch, block, Err(error)));
                            }
                            return;
                        }
                    };
                    while let Some((batch, block, oids, kept)) = next() {
                        let reads = oids
                            .into_iter()
                            .map(|(oid, raw)| {
                                handles.read(oid, raw.map(|raw| (raw, &kept)), options)
                            })
                            .collect();
                        if done.send((batch, block, reads)).is_err() {
                            return;
                        }
                    }
                })
                .expect("starting a history reader");
        }
        pool.jobs = Some(jobs);
        pool.done = Some(results);
    }

    /// Takes the blocks the pool has read, and hands out, in order, the batches at the front of
    /// `in_flight` that are all read, without waiting for any block.
    fn hand_out_ready<'t>(
        pool: &mut Pool,
        in_flight: &mut std::collections::VecDeque<Batch<'t>>,
        each: &mut impl FnMut(HistoryPart<'t>),
    ) -> Result<(), Error> {
        if let Some(done) = pool.done.as_ref() {
            while let Ok((number, block, reads)) = done.try_recv() {
                if let Some(batch) = in_flight.iter_mut().find(|batch| batch.number == number) {
                    batch.place(block, reads?, pool);
                }
            }
        }
        // Only whole batches: handing out parts here, between walks, woke the caller's
        // consumer more often while this thread lists, which cost the listing (the longest
        // chain of work without a commit-graph) about a tenth. A batch is handed out in parts
        // by `hand_out`, where this thread waits anyway.
        // A streamed walk is the exception: it is handed out as it is read, block by block,
        // while this thread lists it, which is the point of streaming it.
        while let Some(front) = in_flight.front_mut() {
            let ready = front.outstanding == 0 || front.streamed.is_some();
            if !ready || !front.advance(each) {
                break;
            }
            in_flight.pop_front();
        }
        Ok(())
    }

    /// Hands out `batch` whole, waiting for its blocks (and keeping those of the batches after
    /// it, `later`); what is read is handed out as it comes.
    fn hand_out<'t>(
        mut batch: Batch<'t>,
        pool: &mut Pool,
        later: &mut std::collections::VecDeque<Batch<'t>>,
        each: &mut impl FnMut(HistoryPart<'t>),
    ) -> Result<(), Error> {
        while !batch.advance(each) {
            let (number, block, reads) = pool
                .done
                .as_ref()
                .expect("blocks are only awaited from a running pool")
                .recv()
                .expect("the reading threads stop early only on an error, which ends the read");
            let reads = reads?;
            if number == batch.number {
                batch.place(block, reads, pool);
            } else if let Some(other) = later.iter_mut().find(|other| other.number == number) {
                other.place(block, reads, pool);
            }
        }
        Ok(())
    }

    /// The object database as gitoxide reads it (see [`Repository::objects`]); `None` when the
    /// commits are read with libgit2, as they are for a path filter or patch ids (both diff
    /// libgit2's trees).
    fn objects(&self) -> Option<&Objects> {
        let plain = self.options.paths.is_empty() && !self.options.patch_ids;
        plain.then(|| self.repository.objects()).flatten()
    }

    /// This thread's reader of [`Reader::objects`], made on first use.
    fn here(&self) -> std::cell::RefMut<'_, Option<CommitReader>> {
        let mut here = self.here.borrow_mut();
        if here.is_none() {
            *here = self.objects().map(Objects::reader);
        }
        here
    }

    /// Make the node of `oid` whose content is `read` (pending or raw) a commit, on this thread.
    fn finish_here(&self, oid: Oid, read: &Read, kept: &RawCommits) -> Result<Read, Error> {
        if let Read::Raw(raw) = *read
            && let Some(commit) = kept.commit(raw, oid, self.mailmap.as_ref(), &mut Vec::new())
        {
            return Ok(Read::Listed(Box::new(commit)));
        }
        self.read_here(oid)
    }

    /// Read the commit `oid` on this thread.
    fn read_here(&self, oid: Oid) -> Result<Read, Error> {
        read_oid(
            &self.repository.git,
            self.here().as_mut(),
            self.mailmap.as_ref(),
            oid,
            self.options,
        )
    }

    /// Walk from `tips` over commits not yet `seen`, marking them.
    fn walk_new(
        &self,
        tips: &[Oid],
        seen: &mut Seen,
        kept: &mut RawCommits,
    ) -> Result<Walked, Error> {
        let mut walk = self.start_walk(tips, seen);
        self.walk_on(&mut walk, seen, kept, usize::MAX)?;
        Ok(walk.walked)
    }

    /// A walk from `tips` over commits not yet `seen` (see [`Reader::walk_on`]).
    fn start_walk(&self, tips: &[Oid], seen: &mut Seen) -> Walk {
        let graph = self.graph.as_ref();
        Walk {
            stack: tips
                .iter()
                .copied()
                .filter(|tip| seen.insert(graph, *tip))
                .collect(),
            walked: Walked::default(),
        }
    }

    /// Lists at most `limit` more commits of `walk`, marking their parents `seen`; whether the
    /// walk is all listed.
    fn walk_on(
        &self,
        walk: &mut Walk,
        seen: &mut Seen,
        kept: &mut RawCommits,
        limit: usize,
    ) -> Result<bool, Error> {
        let graph = self.graph.as_ref();
        let Walk { stack, walked } = walk;
        for _ in 0..limit {
            let Some(oid) = stack.pop() else {
                break;
            };
            let start = walked.parents.len();
            self.list(oid, walked, kept)?;
            for index in start..walked.parents.len() {
                let parent = walked.parents[index];
                if seen.insert(graph, parent) {
                    stack.push(parent);
                }
            }
        }
        Ok(stack.is_empty())
    }

    /// Whether `walk`, listed up to [`STREAM_FROM`] commits and not all, is to be read as it is
    /// listed: when its listing reads the commits' objects (the last one listed was not in a
    /// commit-graph), another core can read them, and nothing filters them out.
    fn streams(&self, walk: &Walk) -> bool {
        self.cores > 1
            && self.objects().is_some()
            && walk
                .walked
                .nodes
                .last()
                .is_some_and(|node| matches!(node.read, Read::Raw(_)))
    }

    /// Lists the rest of `walk` (of release `tag`), and has its commits read on the pool and
    /// handed out as they are listed, in the order listed; then its topological order. What is
    /// listed before it (`batch`, and the batches in flight) is handed out first. The next walk
    /// starts a new batch.
    #[allow(
        clippy::too_many_arguments,
        reason = "the state of the read it takes part in"
    )]
    fn stream<'t, 's>(
        &'s self,
        tag: Option<&'t Tag>,
        mut walk: Walk,
        seen: &mut Seen,
        batch: &mut Batch<'t>,
        pool: &mut Pool,
        in_flight: &mut std::collections::VecDeque<Batch<'t>>,
        scope: &'s std::thread::Scope<'s, '_>,
        each: &mut impl FnMut(HistoryPart<'t>),
    ) -> Result<(), Error> {
        // The bytes of what the walk listed so far are among the batch's, which the batch's own
        // walks still need.
        let mut kept = batch.kept.clone();
        if batch.walks.is_empty() {
            batch.kept = RawCommits::default();
        } else {
            self.submit(batch, pool, scope)?;
            in_flight.push_back(std::mem::take(batch));
        }
        if pool.jobs.is_none() {
            // The listing keeps a core to itself.
            self.start_pool(pool, (self.cores - 1).max(1), scope);
        }
        in_flight.push_back(Batch {
            number: pool.batches,
            streamed: Some(Streamed {
                tag,
                ready: Vec::new(),
                next: 0,
                order: None,
            }),
            ..Batch::default()
        });
        pool.batches += 1;
        let mut sent = 0;
        loop {
            // What is listed and not sent yet goes to the pool as one block, with the bytes it
            // needs: all that `kept` holds, then, so it starts over.
            let nodes = &mut walk.walked.nodes;
            if sent < nodes.len() {
                let oids: Vec<(Oid, Option<RawCommit>)> = nodes[sent..]
                    .iter_mut()
                    .map(
                        |node| match std::mem::replace(&mut node.read, Read::Pending) {
                            Read::Raw(raw) => (node.oid, Some(raw)),
                            // From the commit-graph, or read with libgit2 (the pool reads it again).
                            _ => (node.oid, None),
                        },
                    )
                    .collect();
                sent = nodes.len();
                let view = std::mem::take(&mut kept).view(oids.iter().filter_map(|(_, raw)| *raw));
                let streamed = in_flight.back_mut().expect("pushed above");
                let ready = &mut streamed.streamed.as_mut().expect("streamed").ready;
                let job = (streamed.number, ready.len(), oids, view);
                ready.push(None);
                streamed.outstanding += 1;
                if let Some(jobs) = pool.jobs.as_ref() {
                    // The threads only stop once `jobs` is dropped, or on a panic that `scope`
                    // reports.
                    let _ = jobs.send(job);
                }
            }
            Reader::hand_out_ready(pool, in_flight, each)?;
            if self.walk_on(&mut walk, seen, &mut kept, BLOCK)? && sent == walk.walked.nodes.len() {
                break;
            }
        }
        let order = walk.walked.topological_order();
        drop(walk);
        let streamed = in_flight.back_mut().expect("pushed above");
        streamed.streamed.as_mut().expect("streamed").order = Some(order);
        while let Some(done) = in_flight.pop_front() {
            Reader::hand_out(done, pool, in_flight, each)?;
        }
        Ok(())
    }

    /// List one commit into `walked`: from the commit-graph when it covers the commit (the
    /// content is read later), else from the object, read now.
    fn list(&self, oid: Oid, walked: &mut Walked, kept: &mut RawCommits) -> Result<(), Error> {
        let parents_start = walked.parents.len();
        if let Some(found) = self
            .graph
            .as_ref()
            .and_then(|graph| graph.lookup(oid, &mut walked.parents))
        {
            walked.nodes.push(Node {
                oid,
                time: found.time,
                parents_start,
                parents_end: walked.parents.len(),
                read: Read::Pending,
            });
            return Ok(());
        }
        if let Some(fast) = self.here().as_mut() {
            if let Some((time, raw)) = fast.read_raw(oid, &mut walked.parents, kept) {
                walked.nodes.push(Node {
                    oid,
                    time: time.seconds,
                    parents_start,
                    parents_end: walked.parents.len(),
                    read: Read::Raw(raw),
                });
                return Ok(());
            }
            if let Some(damaged) = fast.damaged() {
                return Err(damaged);
            }
        }
        let git = &self.repository.git;
        let commit = git
            .find_commit(oid)
            .context(|| format!("reading commit {oid}"))?;
        walked.parents.extend(commit.parent_ids());
        walked.nodes.push(Node {
            oid,
            time: commit.time().seconds(),
            parents_start,
            parents_end: walked.parents.len(),
            read: read_commit(git, self.mailmap.as_ref(), &commit, self.options)?,
        });
        Ok(())
    }

    /// Read every commit listed from the commit-graph, on every core when there are many.
    fn read_pending(&self, walks: &mut [Walked], kept: &RawCommits) -> Result<(), Error> {
        // What the listing read (no commit-graph) is made into commits here; what it listed
        // from the graph is read below.
        for walked in walks.iter_mut() {
            for node in &mut walked.nodes {
                if matches!(node.read, Read::Raw(_)) {
                    node.read = self.finish_here(node.oid, &node.read, kept)?;
                }
            }
        }
        let jobs = pending(walks.iter().map(|walked| (walked, 0..walked.nodes.len())));
        if jobs.is_empty() {
            return Ok(());
        }
        let oids: Vec<Oid> = jobs
            .iter()
            .map(|&(walk, node)| walks[walk].nodes[node].oid)
            .collect();
        let threads = self.cores.min(oids.len().div_ceil(BLOCK));
        if threads <= 1 || oids.len() < PARALLEL_FROM {
            for (&(walk, node), &oid) in jobs.iter().zip(&oids) {
                walks[walk].nodes[node].read = self.read_here(oid)?;
            }
            return Ok(());
        }
        let blocks = self.read_parallel(&oids, threads)?;
        for (jobs, reads) in jobs.chunks(BLOCK).zip(blocks) {
            for (&(walk, node), read) in jobs.iter().zip(reads) {
                walks[walk].nodes[node].read = read;
            }
        }
        Ok(())
    }

    /// Read `oids` on `threads` threads (this one among them), [`BLOCK`] by block; the blocks'
    /// results in the order of `oids`.
    fn read_parallel(&self, oids: &[Oid], threads: usize) -> Result<Vec<Vec<Read>>, Error> {
        let next = AtomicUsize::new(0);
        let blocks: Vec<&[Oid]> = oids.chunks(BLOCK).collect();
        // Each thread takes the next block until none is left, and returns what it read with
        // the block's number.
        let objects = self.objects();
        let work = |read: &mut dyn FnMut(Oid) -> Result<Read, Error>| {
            let mut done = Vec::new();
            loop {
                let block = next.fetch_add(1, AtomicOrdering::Relaxed);
                let Some(oids) = blocks.get(block) else {
                    return Ok::<_, Error>(done);
                };
                let reads = oids
                    .iter()
                    .map(|&oid| read(oid))
                    .collect::<Result<Vec<_>, _>>()?;
                done.push((block, reads));
            }
        };
        let git_dir = self.repository.git.path();
        let use_mailmap = self.use_mailmap;
        let options = self.options;
        let mut results: Vec<Result<ReadBlocks, Error>> = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads)
                .map(|_| {
                    std::thread::Builder::new()
                        .name("history-reader".to_owned())
                        .spawn_scoped(scope, || {
                            let mut handles = ThreadHandles::open(git_dir, objects, use_mailmap)?;
                            work(&mut |oid| handles.read(oid, None, options))
                        })
                        .expect("starting a history reader")
                })
                .collect();
            let mut results = vec![work(&mut |oid| self.read_here(oid))];
            results.extend(
                helpers
                    .into_iter()
                    .map(|helper| helper.join().expect("a history reader panicked")),
            );
            results
        });
        let mut by_block: Vec<Option<Vec<Read>>> = (0..blocks.len()).map(|_| None).collect();
        for result in results.drain(..) {
            for (block, reads) in result? {
                by_block[block] = Some(reads);
            }
        }
        Ok(by_block
            .into_iter()
            .map(|reads| reads.expect("every block was read"))
            .collect())
    }
}

/// What one reading thread reads with: its gitoxide reader, and a libgit2 handle of its own
/// (libgit2 handles are not shared between threads) opened only when a commit needs it: with a
/// mailmap (libgit2 maps the authors), a path filter or patch ids (libgit2 diffs), or for a
/// commit gitoxide declines. Most reads never open it, which saves its memory and its start.
struct ThreadHandles<'p> {
    git_dir: &'p Path,
    git: Option<git2::Repository>,
    mailmap: Option<git2::Mailmap>,
    fast: Option<CommitReader>,
    /// Scratch for the parents a parse pushes (the commit keeps none).
    parents: Vec<Oid>,
}

impl<'p> ThreadHandles<'p> {
    fn open(
        git_dir: &'p Path,
        objects: Option<&Objects>,
        use_mailmap: bool,
    ) -> Result<ThreadHandles<'p>, Error> {
        let mut handles = ThreadHandles {
            git_dir,
            git: None,
            mailmap: None,
            fast: objects.map(Objects::reader),
            parents: Vec::new(),
        };
        if use_mailmap {
            handles.mailmap = handles.git()?.mailmap().ok();
        }
        Ok(handles)
    }

    fn git(&mut self) -> Result<&git2::Repository, Error> {
        if self.git.is_none() {
            let git = git2::Repository::open(self.git_dir)
                .context(|| format!("opening {}", self.git_dir.display()))?;
            self.git = Some(git);
        }
        Ok(self.git.as_ref().expect("opened above"))
    }

    /// Reads the commit `oid` (see [`read_oid`]), from `raw` when the listing kept its bytes.
    fn read(
        &mut self,
        oid: Oid,
        raw: Option<(RawCommit, &RawCommits)>,
        options: &HistoryOptions,
    ) -> Result<Read, Error> {
        if let Some(commit) = raw
            .and_then(|(raw, kept)| kept.commit(raw, oid, self.mailmap.as_ref(), &mut self.parents))
        {
            return Ok(Read::Listed(Box::new(commit)));
        }
        if let Some(fast) = self.fast.as_mut() {
            if let Some(commit) = fast.read_alone(oid, self.mailmap.as_ref()) {
                return Ok(Read::Listed(Box::new(commit)));
            }
            if let Some(damaged) = fast.damaged() {
                return Err(damaged);
            }
        }
        self.git()?;
        let git = self.git.as_ref().expect("opened above");
        read_oid(git, None, self.mailmap.as_ref(), oid, options)
    }
}

/// Whether the repository has a mailmap (`.mailmap` in the work tree, or `mailmap.file` /
/// `mailmap.blob` configured): then an author with several names or addresses is one person,
/// as in `git log --use-mailmap` and `git shortlog`.
fn has_mailmap(git: &git2::Repository) -> bool {
    let configured = git.config().ok().is_some_and(|config| {
        config.get_string("mailmap.file").is_ok() || config.get_string("mailmap.blob").is_ok()
    });
    let in_tree = git
        .workdir()
        .is_some_and(|work_tree| work_tree.join(".mailmap").is_file());
    configured || in_tree
}

/// Read the commit `oid` (see [`read_commit`]): with `fast` when it is given and can, else
/// with libgit2.
fn read_oid(
    git: &git2::Repository,
    fast: Option<&mut CommitReader>,
    mailmap: Option<&git2::Mailmap>,
    oid: Oid,
    options: &HistoryOptions,
) -> Result<Read, Error> {
    if let Some(fast) = fast {
        if let Some(commit) = fast.read_alone(oid, mailmap) {
            return Ok(Read::Listed(Box::new(commit)));
        }
        if let Some(damaged) = fast.damaged() {
            return Err(damaged);
        }
    }
    let commit = git
        .find_commit(oid)
        .context(|| format!("reading commit {oid}"))?;
    read_commit(git, mailmap, &commit, options)
}

/// The commit `oid` as libgit2 reads it for a history: what [`crate::objects`] must match.
#[cfg(test)]
pub(crate) fn read_with_libgit2(
    git: &git2::Repository,
    mailmap: Option<&git2::Mailmap>,
    oid: Oid,
) -> Result<Commit, Error> {
    match read_oid(git, None, mailmap, oid, &HistoryOptions::default())? {
        Read::Listed(commit) => Ok(*commit),
        Read::Pending | Read::Raw(_) | Read::Skipped => {
            unreachable!("no path filter, no commit-graph")
        }
    }
}

/// The listed value of a commit, or `Skipped` when the path filter leaves it out.
fn read_commit(
    git: &git2::Repository,
    mailmap: Option<&git2::Mailmap>,
    commit: &git2::Commit<'_>,
    options: &HistoryOptions,
) -> Result<Read, Error> {
    if !options.paths.is_empty() && !touches(git, commit, &options.paths)? {
        return Ok(Read::Skipped);
    }
    let patch_id = if options.patch_ids {
        patch_id_in(git, commit)?
    } else {
        None
    };
    let encoding = commit.message_encoding().ok().flatten();
    let parents: Vec<CommitId> = commit.parent_ids().map(CommitId::from_oid).collect();
    Ok(Read::Listed(Box::new(Commit {
        id: CommitId::from_oid(commit.id()),
        message: message_of(commit),
        author: {
            let author = commit.author();
            match mailmap.and_then(|mailmap| mailmap.resolve_signature(&author).ok()) {
                Some(mapped) => Person::from_git_encoded(&mapped, encoding),
                None => Person::from_git_encoded(&author, encoding),
            }
        },
        committer_time: Time::from_git(commit.committer().when()),
        parent_count: parents.len(),
        parents,
        patch_id,
    })))
}

/// Whether `commit` changes a path the filter selects, compared with every parent.
fn touches(
    git: &git2::Repository,
    commit: &git2::Commit<'_>,
    filter: &PathFilter,
) -> Result<bool, Error> {
    let context = || format!("comparing the paths of commit {}", commit.id());
    let tree = commit.tree().context(context)?;
    if commit.parent_count() == 0 {
        return differs(git, None, &tree, filter).context(context);
    }
    for parent in commit.parents() {
        let parent_tree = parent.tree().context(context)?;
        if !differs(git, Some(&parent_tree), &tree, filter).context(context)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn differs(
    git: &git2::Repository,
    old: Option<&git2::Tree<'_>>,
    new: &git2::Tree<'_>,
    filter: &PathFilter,
) -> Result<bool, git2::Error> {
    let entry = |tree: Option<&git2::Tree<'_>>, path: &str| {
        tree.and_then(|tree| tree.get_path(Path::new(path)).ok())
            .map(|entry| entry.id())
    };
    for prefix in &filter.prefixes {
        if entry(old, prefix) != entry(Some(new), prefix) {
            return Ok(true);
        }
    }
    if filter.globs.is_empty() {
        return Ok(false);
    }
    let mut options = DiffOptions::new();
    for glob in &filter.globs {
        options.pathspec(glob);
    }
    let diff = git.diff_tree_to_tree(old, Some(new), Some(&mut options))?;
    Ok(diff.deltas().len() > 0)
}

impl Walked {
    /// Order as `git log --topo-order` does: a stack seeded with the tips (newest on
    /// top); a commit is pushed once all its children are out; parents pushed in order,
    /// so the last parent's line comes first.
    fn into_topological_order(mut self) -> Vec<Commit> {
        let order = self.topological_order();
        order
            .into_iter()
            .filter_map(|node| {
                match std::mem::replace(&mut self.nodes[node as usize].read, Read::Skipped) {
                    Read::Listed(commit) => Some(*commit),
                    Read::Skipped => None,
                    Read::Pending | Read::Raw(_) => {
                        unreachable!("every listed commit is read first")
                    }
                }
            })
            .collect()
    }

    /// The nodes' positions in the order of [`Walked::into_topological_order`], decided from
    /// the parents and times alone (so before the commits are read).
    fn topological_order(&self) -> Vec<u32> {
        let Walked { nodes, parents } = self;
        let index: HashMap<Oid, u32, OidBuild> = nodes
            .iter()
            .enumerate()
            .map(|(position, node)| (node.oid, position_u32(position)))
            .collect();
        let mut children = vec![0_u32; nodes.len()];
        for parent in parents {
            if let Some(&position) = index.get(parent) {
                children[position as usize] += 1;
            }
        }
        let mut tips: Vec<u32> = (0..nodes.len())
            .filter(|&i| children[i] == 0)
            .map(position_u32)
            .collect();
        // Oldest first so the newest tip is popped first; a stable sort keeps walk order
        // among equal times.
        tips.sort_by_key(|&i| nodes[i as usize].time);
        let mut stack = tips;
        let mut ordered = Vec::with_capacity(nodes.len());
        while let Some(position) = stack.pop() {
            ordered.push(position);
            let node = &nodes[position as usize];
            for parent in &parents[node.parents_start..node.parents_end] {
                if let Some(&parent_position) = index.get(parent) {
                    children[parent_position as usize] -= 1;
                    if children[parent_position as usize] == 0 {
                        stack.push(parent_position);
                    }
                }
            }
        }
        ordered
    }
}

/// `commits` put in `order`: the `order[i]`-th becomes the `i`-th.
fn in_order(commits: Vec<Commit>, order: &[u32]) -> Vec<Commit> {
    let mut commits: Vec<Option<Commit>> = commits.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&at| {
            commits[at as usize]
                .take()
                .expect("an order names each commit once")
        })
        .collect()
}

/// A node's position, as a walk's order holds it.
fn position_u32(position: usize) -> u32 {
    u32::try_from(position).expect("a walk of under 4 billion commits")
}

/// A commit's message in UTF-8, decoded from the encoding its `encoding` header names
/// (see [`crate::text`]), leading blank lines removed as git does.
pub(crate) fn message_of(commit: &git2::Commit<'_>) -> String {
    let raw = commit.message_raw_bytes();
    let start = raw
        .iter()
        .position(|&byte| byte != b'\n')
        .unwrap_or(raw.len());
    crate::text::decode(
        &raw[start..],
        commit.message_encoding().ok().flatten(),
        &|| format!("commit {}", commit.id()),
    )
    .into_owned()
}
