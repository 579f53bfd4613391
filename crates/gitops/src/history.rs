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

use git2::{DiffOptions, Oid, Sort};

use crate::error::{Error, GitContext as _};
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

/// A walked commit: what ordering needs, plus the listed value when it passed the filter.
struct Node {
    oid: Oid,
    time: i64,
    parents_start: usize,
    parents_end: usize,
    commit: Option<Commit>,
}

/// Commits gathered by a walk, with their parent links, ready to be put in order.
#[derive(Default)]
struct Walked {
    nodes: Vec<Node>,
    parents: Vec<Oid>,
    /// The repository's mailmap, when it has one: authors are read through it.
    mailmap: Option<git2::Mailmap>,
}

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
        if range.exclude.is_empty() {
            // Nothing to hide: our own walk reads each commit once (a revwalk would
            // parse it, then `find_commit` read it again).
            return self.walk_new(&include, &mut HashSet::default(), options);
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
        let mut walked = self.walked();
        for oid in walk {
            let oid = oid.context(|| "walking the history".to_owned())?;
            self.visit(oid, options, &mut walked)?;
        }
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
        self.ensure_full_history()?;
        let head = self.head_oid()?;
        let mut order: Vec<&Tag> = tags.iter().collect();
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

        let mut seen: HashSet<Oid, OidBuild> = HashSet::default();
        let mut releases = Vec::with_capacity(order.len());
        for tag in order {
            let oid = tag.target.to_oid();
            let owns = owner
                .get(&oid)
                .is_some_and(|owner| std::ptr::eq(*owner, tag));
            let commits = if owns {
                self.walk_new(&[oid], &mut seen, options)?
            } else {
                Vec::new()
            };
            releases.push(Release {
                tag: tag.clone(),
                commits,
            });
        }
        let unreleased = self.walk_new(&[head], &mut seen, options)?;
        Ok(ReleaseHistory {
            releases,
            unreleased,
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
        if commit.parent_count() > 1 {
            return Ok(None);
        }
        let context = || format!("computing the patch id of {}", commit.id());
        let tree = commit.tree().context(context)?;
        let parent_tree = match commit.parent_count() {
            0 => None,
            _ => Some(commit.parent(0).and_then(|p| p.tree()).context(context)?),
        };
        let diff = self
            .git
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .context(context)?;
        if diff.deltas().len() == 0 {
            return Ok(None);
        }
        Ok(Some(PatchId::from_oid(
            diff.patchid(None).context(context)?,
        )))
    }

    /// Walk from `tips` over commits not yet `seen`, marking them; returns them ordered.
    fn walk_new(
        &self,
        tips: &[Oid],
        seen: &mut HashSet<Oid, OidBuild>,
        options: &HistoryOptions,
    ) -> Result<Vec<Commit>, Error> {
        let mut walked = self.walked();
        let mut stack: Vec<Oid> = tips
            .iter()
            .copied()
            .filter(|tip| seen.insert(*tip))
            .collect();
        while let Some(oid) = stack.pop() {
            let start = walked.parents.len();
            self.visit(oid, options, &mut walked)?;
            for index in start..walked.parents.len() {
                let parent = walked.parents[index];
                if seen.insert(parent) {
                    stack.push(parent);
                }
            }
        }
        Ok(walked.into_topological_order())
    }

    /// An empty walk, with the mailmap when the repository has one (`.mailmap` in the work
    /// tree, or `mailmap.file` / `mailmap.blob` configured), so that an author with several
    /// names or addresses is one person, as in `git log --use-mailmap` and `git shortlog`.
    fn walked(&self) -> Walked {
        let configured = self.git.config().ok().is_some_and(|config| {
            config.get_string("mailmap.file").is_ok() || config.get_string("mailmap.blob").is_ok()
        });
        let in_tree = self
            .git
            .workdir()
            .is_some_and(|work_tree| work_tree.join(".mailmap").is_file());
        Walked {
            mailmap: (configured || in_tree)
                .then(|| self.git.mailmap().ok())
                .flatten(),
            ..Walked::default()
        }
    }

    /// Read one commit into `walked`.
    fn visit(&self, oid: Oid, options: &HistoryOptions, walked: &mut Walked) -> Result<(), Error> {
        let commit = self
            .git
            .find_commit(oid)
            .context(|| format!("reading commit {oid}"))?;
        let parents_start = walked.parents.len();
        walked.parents.extend(commit.parent_ids());
        let listed = options.paths.is_empty() || self.touches(&commit, &options.paths)?;
        let value = if listed {
            let patch_id = if options.patch_ids {
                self.patch_id_of(&commit)?
            } else {
                None
            };
            let encoding = commit.message_encoding().ok().flatten();
            Some(Commit {
                id: CommitId::from_oid(oid),
                message: message_of(&commit),
                author: {
                    let author = commit.author();
                    match walked
                        .mailmap
                        .as_ref()
                        .and_then(|mailmap| mailmap.resolve_signature(&author).ok())
                    {
                        Some(mapped) => Person::from_git_encoded(&mapped, encoding),
                        None => Person::from_git_encoded(&author, encoding),
                    }
                },
                committer_time: Time::from_git(commit.committer().when()),
                parent_count: walked.parents.len() - parents_start,
                parents: walked.parents[parents_start..]
                    .iter()
                    .map(|&parent| CommitId::from_oid(parent))
                    .collect(),
                patch_id,
            })
        } else {
            None
        };
        walked.nodes.push(Node {
            oid,
            time: commit.time().seconds(),
            parents_start,
            parents_end: walked.parents.len(),
            commit: value,
        });
        Ok(())
    }

    /// Whether `commit` changes a path the filter selects, compared with every parent.
    fn touches(&self, commit: &git2::Commit<'_>, filter: &PathFilter) -> Result<bool, Error> {
        let context = || format!("comparing the paths of commit {}", commit.id());
        let tree = commit.tree().context(context)?;
        if commit.parent_count() == 0 {
            return self.differs(None, &tree, filter).context(context);
        }
        for parent in commit.parents() {
            let parent_tree = parent.tree().context(context)?;
            if !self
                .differs(Some(&parent_tree), &tree, filter)
                .context(context)?
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn differs(
        &self,
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
        let diff = self
            .git
            .diff_tree_to_tree(old, Some(new), Some(&mut options))?;
        Ok(diff.deltas().len() > 0)
    }
}

impl Walked {
    /// Order as `git log --topo-order` does: a stack seeded with the tips (newest on
    /// top); a commit is pushed once all its children are out; parents pushed in order,
    /// so the last parent's line comes first.
    fn into_topological_order(self) -> Vec<Commit> {
        let Walked {
            mut nodes, parents, ..
        } = self;
        let index: HashMap<Oid, usize, OidBuild> = nodes
            .iter()
            .enumerate()
            .map(|(position, node)| (node.oid, position))
            .collect();
        let mut children = vec![0_u32; nodes.len()];
        for parent in &parents {
            if let Some(&position) = index.get(parent) {
                children[position] += 1;
            }
        }
        let mut tips: Vec<usize> = (0..nodes.len()).filter(|&i| children[i] == 0).collect();
        // Oldest first so the newest tip is popped first; a stable sort keeps walk order
        // among equal times.
        tips.sort_by_key(|&i| nodes[i].time);
        let mut stack = tips;
        let mut ordered = Vec::with_capacity(nodes.len());
        while let Some(position) = stack.pop() {
            let node = &mut nodes[position];
            if let Some(commit) = node.commit.take() {
                ordered.push(commit);
            }
            for parent in &parents[node.parents_start..node.parents_end] {
                if let Some(&parent_position) = index.get(parent) {
                    children[parent_position] -= 1;
                    if children[parent_position] == 0 {
                        stack.push(parent_position);
                    }
                }
            }
        }
        ordered
    }
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
