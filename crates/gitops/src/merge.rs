//! Merges of one branch into another (git-flow's `--no-ff` merges), branch deletion, and what
//! git operation a work tree is in the middle of.
//!
//! A merge is computed in memory first (libgit2 merges the trees without touching the work tree),
//! so a clean merge into a branch that is not checked out changes only that branch's ref. A
//! conflict changes nothing unless the caller asks to keep it: then the target branch is checked
//! out and the conflict written the way `git merge` leaves it (conflict markers, a conflicted
//! index, `MERGE_HEAD` and `MERGE_MSG`), for the user to resolve and commit.
//!
//! Every merge checks the world first: a target that already contains the source reports
//! [`Outcome::Unchanged`] with the merge commit that brought it in, so a release resumed after a
//! kill, or after the user resolved a conflict and committed, goes on instead of merging again.

use git2::{Oid, build::CheckoutBuilder};

use crate::error::{Error, GitContext as _};
use crate::write::clean_message;
use crate::{CommitId, Outcome, Repository};

/// How to merge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// On a conflict, check out the target branch and write the conflicted merge there (index,
    /// work tree, `MERGE_HEAD`, `MERGE_MSG`) instead of leaving everything untouched.
    pub keep_conflict: bool,
    /// Files whose merged text the caller decides (paths relative to the work tree's root, with
    /// their text): written into the merge as given, whatever git's merge of them says, so they
    /// never conflict. A changelog that a tool owns is merged by that tool, not line by line.
    pub resolved: Vec<(std::path::PathBuf, String)>,
    /// Files whose text the caller gives only for when git's merge of them conflicts (a version
    /// line both sides changed): a clean merge of them stands.
    pub on_conflict: Vec<(std::path::PathBuf, String)>,
}

/// A merge made (or found).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    /// The branch merged into.
    pub target: String,
    /// The merge commit: the new one, or, when the target already contained the source, the
    /// commit on the target's first-parent line that merged it (the target's tip when none did,
    /// as after a fast-forward).
    pub commit: CommitId,
    /// The target's tip before this merge (the same as `commit`'s first parent for a new merge).
    pub before: CommitId,
}

/// A git operation left unfinished in the work tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InProgress {
    /// A merge (`MERGE_HEAD`).
    Merge,
    /// A cherry-pick (`CHERRY_PICK_HEAD`).
    CherryPick,
    /// A revert, a rebase, an `am` or a bisect.
    Other,
}

impl std::fmt::Display for InProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InProgress::Merge => "a merge",
            InProgress::CherryPick => "a cherry-pick",
            InProgress::Other => "a git operation (revert, rebase, am or bisect)",
        })
    }
}

impl Repository {
    /// The git operation the work tree is in the middle of, if any.
    pub fn in_progress(&self) -> Option<InProgress> {
        match self.git.state() {
            git2::RepositoryState::Clean => None,
            git2::RepositoryState::Merge => Some(InProgress::Merge),
            git2::RepositoryState::CherryPick | git2::RepositoryState::CherryPickSequence => {
                Some(InProgress::CherryPick)
            }
            _ => Some(InProgress::Other),
        }
    }

    /// Merge `source` (a branch, tag or commit) into local branch `target` with a merge commit
    /// (`git merge --no-ff -m message`), even when a fast-forward would do.
    ///
    /// [`Outcome::Unchanged`] when `target` already contains `source`. When `target` is checked
    /// out, its index and work tree follow (local changes in the way make it fail before anything
    /// is written). On a conflict, [`Error::MergeConflict`] with the paths; nothing has changed
    /// unless [`MergeOptions::keep_conflict`] asked to write the conflict for resolution.
    pub fn merge_into(
        &self,
        target: &str,
        source: &str,
        message: &str,
        options: &MergeOptions,
    ) -> Result<Outcome<Merge>, Error> {
        let tip = self.existing_branch_tip(target)?.to_oid();
        let theirs = self.resolve_oid(source)?;
        if tip == theirs
            || self
                .git
                .graph_descendant_of(tip, theirs)
                .context(|| format!("comparing `{target}` with {source}"))?
        {
            return Ok(Outcome::Unchanged(Merge {
                target: target.to_owned(),
                commit: CommitId::from_oid(self.merge_commit_of(tip, theirs)?),
                before: CommitId::from_oid(tip),
            }));
        }
        let checked_out = self.checked_out_branch().as_deref() == Some(target) && !self.is_bare();
        let (mut index, resolved) = self.prepared_merge(tip, theirs, target, source, options)?;
        let (ours_commit, theirs_commit) = self.merge_sides(tip, theirs, target, source)?;
        if index.has_conflicts() {
            let paths = crate::hotfix::conflicted_paths(&index)?;
            if options.keep_conflict {
                self.write_merge_conflict(target, source, theirs, message)?;
                self.write_resolved(&resolved)?;
            }
            return Err(Error::MergeConflict {
                source_rev: source.to_owned(),
                target: target.to_owned(),
                paths,
                kept: options.keep_conflict,
            });
        }
        let tree_oid = index
            .write_tree_to(&self.git)
            .context(|| format!("writing the tree of the merge of {source}"))?;
        let tree = self
            .git
            .find_tree(tree_oid)
            .context(|| "reading the merged tree".to_owned())?;
        let (author, committer) = self.signatures()?;
        let merge = self
            .git
            .commit(
                None,
                &author,
                &committer,
                &clean_message(message),
                &tree,
                &[&ours_commit, &theirs_commit],
            )
            .context(|| format!("committing the merge of {source} into `{target}`"))?;
        if checked_out {
            let commit = self
                .git
                .find_commit(merge)
                .context(|| "reading the merge commit".to_owned())?;
            self.git
                .checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().safe()))
                .map_err(|source| Error::CheckoutConflict {
                    branch: target.to_owned(),
                    source: Box::new(source),
                })?;
        }
        self.move_branch(target, &CommitId::from_oid(tip), &CommitId::from_oid(merge))?;
        Ok(Outcome::Applied(Merge {
            target: target.to_owned(),
            commit: CommitId::from_oid(merge),
            before: CommitId::from_oid(tip),
        }))
    }

    /// The paths a merge of `source` into `target` would leave for the user to resolve (after
    /// what `options` resolves), found in memory: nothing is written. Empty when it would merge
    /// cleanly, or `target` has `source` already.
    pub fn merge_conflicts(
        &self,
        target: &str,
        source: &str,
        options: &MergeOptions,
    ) -> Result<Vec<String>, Error> {
        let tip = self.existing_branch_tip(target)?;
        if self.contains(tip.as_str(), source)? {
            return Ok(Vec::new());
        }
        let theirs = self.resolve_oid(source)?;
        let (index, _) = self.prepared_merge(tip.to_oid(), theirs, target, source, options)?;
        crate::hotfix::conflicted_paths(&index)
    }

    /// The two commits of a merge: `target`'s tip and what is merged into it (`source`).
    fn merge_sides(
        &self,
        tip: Oid,
        theirs: Oid,
        target: &str,
        source: &str,
    ) -> Result<(git2::Commit<'_>, git2::Commit<'_>), Error> {
        let ours = self
            .git
            .find_commit(tip)
            .context(|| format!("reading the tip of `{target}`"))?;
        let theirs = self
            .git
            .find_commit(theirs)
            .context(|| format!("reading {source}"))?;
        Ok((ours, theirs))
    }

    /// The merged index of `theirs` into `tip`, with the files `options` decides put in; and those
    /// files.
    fn prepared_merge(
        &self,
        tip: Oid,
        theirs: Oid,
        target: &str,
        source: &str,
        options: &MergeOptions,
    ) -> Result<(git2::Index, Vec<(std::path::PathBuf, String)>), Error> {
        let (ours_commit, theirs_commit) = self.merge_sides(tip, theirs, target, source)?;
        let mut index = self
            .git
            .merge_commits(&ours_commit, &theirs_commit, None)
            .context(|| format!("merging {source} into `{target}`"))?;
        let conflicted = crate::hotfix::conflicted_paths(&index)?;
        let mut resolved = options.resolved.clone();
        resolved.extend(
            options
                .on_conflict
                .iter()
                .filter(|(path, _)| {
                    conflicted
                        .iter()
                        .any(|conflict| std::path::Path::new(conflict) == path)
                })
                .cloned(),
        );
        self.resolve_in(&mut index, &resolved)?;
        Ok((index, resolved))
    }

    /// The commit on `tip`'s first-parent line that has `merged` as a parent: the merge that
    /// brought it in; `tip` itself when there is none (a fast-forward, or `tip == merged`).
    fn merge_commit_of(&self, tip: Oid, merged: Oid) -> Result<Oid, Error> {
        let mut walk = self
            .git
            .revwalk()
            .context(|| "starting a revision walk".to_owned())?;
        walk.push(tip).context(|| "walking the branch".to_owned())?;
        walk.simplify_first_parent()
            .context(|| "walking the branch".to_owned())?;
        for oid in walk {
            let oid = oid.context(|| "walking the branch".to_owned())?;
            if oid == merged {
                break;
            }
            let commit = self
                .git
                .find_commit(oid)
                .context(|| format!("reading commit {oid}"))?;
            if commit.parent_ids().skip(1).any(|parent| parent == merged) {
                return Ok(oid);
            }
        }
        Ok(tip)
    }

    /// Check out `target` and write the conflicted merge of `theirs` as `git merge` leaves it.
    fn write_merge_conflict(
        &self,
        target: &str,
        source: &str,
        theirs: Oid,
        message: &str,
    ) -> Result<(), Error> {
        self.checkout_branch(target)?;
        let annotated = self
            .git
            .find_annotated_commit(theirs)
            .context(|| format!("reading {source}"))?;
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .allow_conflicts(true)
            .conflict_style_merge(true);
        self.git
            .merge(&[&annotated], None, Some(&mut checkout))
            .context(|| format!("writing the conflicted merge of {source} into `{target}`"))?;
        // libgit2 writes its own `Merge commit …` message; git's is the one the user asked for.
        let path = self.git.path().join("MERGE_MSG");
        std::fs::write(&path, clean_message(message)).map_err(|source| Error::Io {
            action: "write",
            path,
            source,
        })
    }

    /// Puts each resolved file's text into `index` at stage 0, conflict or not.
    fn resolve_in(
        &self,
        index: &mut git2::Index,
        resolved: &[(std::path::PathBuf, String)],
    ) -> Result<(), Error> {
        for (path, text) in resolved {
            let context = || format!("writing the merged {}", path.display());
            let mode = [0, 2, 3, 1]
                .iter()
                .find_map(|stage| index.get_path(path, *stage).map(|entry| entry.mode))
                .unwrap_or(0o100_644);
            let _ = index.conflict_remove(path);
            let blob = self.git.blob(text.as_bytes()).context(context)?;
            let entry = crate::write::blob_entry(path, blob, text.len(), mode);
            index.add(&entry).context(context)?;
        }
        Ok(())
    }

    /// After a kept conflict: the resolved files written to the work tree and staged, so that
    /// only the others wait for the user.
    fn write_resolved(&self, resolved: &[(std::path::PathBuf, String)]) -> Result<(), Error> {
        if resolved.is_empty() {
            return Ok(());
        }
        let work_tree = self.require_work_tree("resolve a merge")?.to_owned();
        let mut index = self
            .git
            .index()
            .context(|| "reading the index".to_owned())?;
        for (path, text) in resolved {
            let file = work_tree.join(path);
            std::fs::write(&file, text).map_err(|source| Error::Io {
                action: "write",
                path: file.clone(),
                source,
            })?;
            let _ = index.conflict_remove(path);
            index
                .add_path(path)
                .context(|| format!("staging the merged {}", path.display()))?;
        }
        index.write().context(|| "writing the index".to_owned())
    }

    /// Move local branch `name` from `from` to `to` (only if it still is at `from`), without
    /// touching the work tree: the caller has updated it when the branch is checked out.
    pub fn move_branch(&self, name: &str, from: &CommitId, to: &CommitId) -> Result<(), Error> {
        if from == to {
            return Ok(());
        }
        self.git
            .reference_matching(
                &format!("refs/heads/{name}"),
                to.to_oid(),
                true,
                from.to_oid(),
                &format!("slipway: {name} from {} to {}", from.short(), to.short()),
            )
            .context(|| format!("moving branch `{name}` to {}", to.short()))?;
        Ok(())
    }

    /// Delete local branch `name` ([`Outcome::Unchanged`] when there is none). Refuses the branch
    /// that is checked out.
    pub fn delete_branch(&self, name: &str) -> Result<Outcome<()>, Error> {
        if self.checked_out_branch().as_deref() == Some(name) && !self.is_bare() {
            return Err(Error::CheckedOut {
                branch: name.to_owned(),
            });
        }
        match self.git.find_branch(name, git2::BranchType::Local) {
            Ok(mut branch) => {
                branch
                    .delete()
                    .context(|| format!("deleting branch `{name}`"))?;
                Ok(Outcome::Applied(()))
            }
            Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(Outcome::Unchanged(())),
            Err(error) => Err(error).context(|| format!("reading branch `{name}`")),
        }
    }

    /// Delete branch `name` on `remote` (`git push remote :refs/heads/name`), and its
    /// remote-tracking ref; [`Outcome::Unchanged`] when the remote has no such branch.
    pub fn delete_remote_branch(&self, remote: &str, name: &str) -> Result<Outcome<()>, Error> {
        let outcome = if self.remote_has_branch(remote, name)? {
            self.run_git(
                &[
                    "push",
                    "--porcelain",
                    remote,
                    &format!(":refs/heads/{name}"),
                ],
                None,
            )?;
            Outcome::Applied(())
        } else {
            Outcome::Unchanged(())
        };
        if let Ok(mut tracking) = self
            .git
            .find_reference(&format!("refs/remotes/{remote}/{name}"))
        {
            tracking
                .delete()
                .context(|| format!("deleting the remote-tracking ref of `{name}`"))?;
        }
        Ok(outcome)
    }

    /// Whether `remote` has branch `name` (`git ls-remote --heads`).
    pub fn remote_has_branch(&self, remote: &str, name: &str) -> Result<bool, Error> {
        Ok(self.remote_branch_tip(remote, name)?.is_some())
    }

    /// Where branch `name` is on `remote`, asked now (`git ls-remote --heads`; no fetch, nothing
    /// written).
    pub fn remote_branch_tip(&self, remote: &str, name: &str) -> Result<Option<CommitId>, Error> {
        let listed = self.run_git(
            &[
                "ls-remote",
                "--heads",
                remote,
                &format!("refs/heads/{name}"),
            ],
            None,
        )?;
        Ok(listed
            .lines()
            .find_map(|line| line.split_whitespace().next())
            .and_then(CommitId::new))
    }

    /// Whether local branch `branch` has commit `id` (false when the commit is not even in this
    /// repository: it was never fetched).
    pub fn branch_has(&self, branch: &str, id: &CommitId) -> Result<bool, Error> {
        let Some(tip) = self.branch_tip(branch)? else {
            return Ok(false);
        };
        if self.git.find_commit(id.to_oid()).is_err() {
            return Ok(false);
        }
        self.contains(tip.as_str(), id.as_str())
    }

    /// The names of the local branches, sorted.
    pub fn local_branches(&self) -> Result<Vec<String>, Error> {
        let mut names = Vec::new();
        for branch in self
            .git
            .branches(Some(git2::BranchType::Local))
            .context(|| "listing the branches".to_owned())?
        {
            let (branch, _) = branch.context(|| "listing the branches".to_owned())?;
            if let Ok(Some(name)) = branch.name() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The parents of the commit `revision` names, first parent first.
    pub fn parents(&self, revision: &str) -> Result<Vec<CommitId>, Error> {
        let commit = self
            .git
            .find_commit(self.resolve_oid(revision)?)
            .context(|| format!("reading {revision}"))?;
        Ok(commit.parent_ids().map(CommitId::from_oid).collect())
    }

    /// Whether `descendant` contains `ancestor` (or is it).
    pub fn contains(&self, descendant: &str, ancestor: &str) -> Result<bool, Error> {
        let descendant = self.resolve_oid(descendant)?;
        let ancestor = self.resolve_oid(ancestor)?;
        Ok(descendant == ancestor
            || self
                .git
                .graph_descendant_of(descendant, ancestor)
                .context(|| "comparing two commits".to_owned())?)
    }
}
