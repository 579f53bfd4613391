//! Hotfix branches and cherry-picks.
//!
//! A hotfix for `X.Y.Z` starts on branch `hotfix/X.Y.Z` at the tag of `X.Y.(Z-1)`.
//! Cherry-picks are computed in memory first (libgit2 merges trees without touching the
//! work tree) and only then written: so a conflict leaves refs, index and work tree
//! exactly as they were, unless the caller asks to keep the conflict for manual
//! resolution, which writes it the way `git cherry-pick` does (conflict markers, a
//! conflicted index, `CHERRY_PICK_HEAD`).

use std::collections::HashSet;

use git2::{Oid, build::CheckoutBuilder};
use versioning::{TagPattern, Version};

use crate::error::{Error, GitContext as _};
use crate::write::clean_message;
use crate::{CommitId, Outcome, PatchId, Repository};

/// A hotfix branch and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hotfix {
    /// The version the hotfix will release (`1.1.1`).
    pub version: Version,
    /// The branch name (`hotfix/1.1.1`).
    pub branch: String,
    /// The tag it starts from (`v1.1.0`).
    pub base_tag: String,
    /// The commit that tag points at.
    pub base: CommitId,
}

/// How to cherry-pick.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CherryPickOptions {
    /// On a conflict, write the conflicted state (index, work tree, `CHERRY_PICK_HEAD`)
    /// for manual resolution instead of leaving everything untouched. The commits before
    /// the conflicting one are then committed. Needs the branch checked out.
    pub keep_conflict: bool,
}

/// What a cherry-pick did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CherryPick {
    /// The branch that received the commits.
    pub branch: String,
    /// Each applied commit: (original id, new id on the branch), in order.
    pub picked: Vec<(CommitId, CommitId)>,
    /// Commits whose change was already on the branch (same patch id since the
    /// merge-base, or an empty result), so not applied again.
    pub skipped: Vec<CommitId>,
    /// The branch tip afterwards.
    pub tip: CommitId,
}

impl Hotfix {
    /// The hotfix for the release after `released` (`1.1.0` gives `1.1.1` on
    /// `hotfix/1.1.1` from `pattern.format(1.1.0)`). Pure: nothing is read.
    pub fn after(released: &Version, pattern: &TagPattern) -> (Version, String, String) {
        let version = Version::new(released.major(), released.minor(), released.patch() + 1);
        let branch = format!("hotfix/{version}");
        (version, branch, pattern.format(released))
    }
}

impl Repository {
    /// Create `hotfix/X.Y.(Z+1)` at the tag of `released` (`X.Y.Z`), and check it out when
    /// `checkout` is true.
    ///
    /// [`Error::TagNotFound`] when the tag is missing; [`Outcome::Unchanged`] when the
    /// branch already exists at the tag; [`Error::BranchExists`] when it exists elsewhere.
    pub fn start_hotfix(
        &self,
        released: &Version,
        pattern: &TagPattern,
        checkout: bool,
    ) -> Result<Outcome<Hotfix>, Error> {
        let (version, _, base_tag) = Hotfix::after(released, pattern);
        self.start_hotfix_at(&version, &base_tag, checkout)
    }

    /// Create `hotfix/<version>` at the tag `base_tag`, and check it out when `checkout` is true:
    /// the caller has chosen both (the next free patch of the line, from the line's latest
    /// release, whatever its tag scheme).
    ///
    /// The same outcomes as [`start_hotfix`](Repository::start_hotfix).
    pub fn start_hotfix_at(
        &self,
        version: &Version,
        base_tag: &str,
        checkout: bool,
    ) -> Result<Outcome<Hotfix>, Error> {
        let version = version.clone();
        let branch = format!("hotfix/{version}");
        let base_tag = base_tag.to_owned();
        let tag = self.find_tag(&base_tag)?.ok_or_else(|| Error::TagNotFound {
            name: base_tag.clone(),
            hint: Some(format!(
                "a hotfix for {version} starts from the release tag {base_tag}; fetch tags with `git fetch --tags`"
            )),
        })?;
        let outcome = self.create_branch(&branch, &tag.target)?;
        if checkout {
            self.checkout_branch(&branch)?;
        }
        let hotfix = Hotfix {
            version,
            branch,
            base_tag,
            base: tag.target,
        };
        Ok(match outcome {
            Outcome::Applied(()) => Outcome::Applied(hotfix),
            Outcome::Unchanged(()) => Outcome::Unchanged(hotfix),
        })
    }

    /// Cherry-pick `commits`, in order, onto local branch `branch`, each with the
    /// `(cherry picked from commit …)` line and its original author.
    ///
    /// Commits whose patch is already on the branch since the merge-base are skipped and
    /// reported. On a conflict the result is [`Error::CherryPickConflict`] with the paths;
    /// without [`CherryPickOptions::keep_conflict`] nothing at all has changed. When the
    /// branch is checked out, its index and work tree follow (local changes that would
    /// be overwritten make it fail before anything is written).
    pub fn cherry_pick(
        &self,
        branch: &str,
        commits: &[CommitId],
        options: &CherryPickOptions,
    ) -> Result<CherryPick, Error> {
        let start = self.existing_branch_tip(branch)?.to_oid();
        let checked_out = self.checked_out_branch().as_deref() == Some(branch) && !self.is_bare();
        if options.keep_conflict && !checked_out {
            return Err(Error::NotCheckedOut {
                branch: branch.to_owned(),
            });
        }
        let to_pick: Vec<Oid> = commits
            .iter()
            .map(|commit| self.resolve_oid(commit.as_str()))
            .collect::<Result<_, _>>()?;
        let (mut existing, picked_before) = self.patch_ids_on_branch(start, &to_pick)?;
        let (_, committer) = self.signatures()?;

        let mut tip = start;
        let mut picked = Vec::new();
        let mut skipped = Vec::new();
        for oid in to_pick {
            let id = CommitId::from_oid(oid);
            let commit = self
                .git
                .find_commit(oid)
                .context(|| format!("reading commit {id}"))?;
            if commit.parent_count() > 1 {
                return Err(Error::CherryPickMerge { commit: id });
            }
            // A commit picked before (its `cherry picked from` line is on the branch: a conflict
            // resolved by hand changes the patch) or whose patch the branch has is not picked again.
            if picked_before.contains(&oid) {
                tracing::debug!(commit = %id, "cherry-picked onto the branch before, skipped");
                skipped.push(id);
                continue;
            }
            let patch_id = self.patch_id_of(&commit)?;
            if patch_id
                .as_ref()
                .is_some_and(|patch_id| existing.contains(patch_id))
            {
                tracing::debug!(commit = %id, "already on the branch (same patch id), skipped");
                skipped.push(id);
                continue;
            }
            let ours = self
                .git
                .find_commit(tip)
                .context(|| format!("reading the tip of `{branch}`"))?;
            let mut index = self
                .git
                .cherrypick_commit(&commit, &ours, 0, None)
                .context(|| format!("cherry-picking {id}"))?;
            if index.has_conflicts() {
                let paths = conflicted_paths(&index)?;
                if options.keep_conflict {
                    let applied = picked
                        .iter()
                        .map(|(original, _): &(CommitId, CommitId)| original.clone())
                        .collect();
                    self.advance_branch(branch, start, tip, checked_out)?;
                    self.write_conflict(&commit)?;
                    return Err(Error::CherryPickConflict {
                        commit: id,
                        branch: branch.to_owned(),
                        paths,
                        kept: true,
                        applied,
                    });
                }
                return Err(Error::CherryPickConflict {
                    commit: id,
                    branch: branch.to_owned(),
                    paths,
                    kept: false,
                    applied: Vec::new(),
                });
            }
            let tree_oid = index
                .write_tree_to(&self.git)
                .context(|| format!("writing the tree of the cherry-pick of {id}"))?;
            if tree_oid == ours.tree_id() {
                tracing::debug!(commit = %id, "cherry-pick changes nothing, skipped");
                skipped.push(id);
                continue;
            }
            let tree = self
                .git
                .find_tree(tree_oid)
                .context(|| "reading the new tree".to_owned())?;
            let message = with_cherry_pick_line(&crate::history::message_of(&commit), &id);
            let new = self
                .git
                .commit(
                    None,
                    &commit.author(),
                    &committer,
                    &message,
                    &tree,
                    &[&ours],
                )
                .context(|| format!("committing the cherry-pick of {id}"))?;
            if let Some(patch_id) = patch_id {
                existing.insert(patch_id);
            }
            picked.push((id, CommitId::from_oid(new)));
            tip = new;
        }
        self.advance_branch(branch, start, tip, checked_out)?;
        Ok(CherryPick {
            branch: branch.to_owned(),
            picked,
            skipped,
            tip: CommitId::from_oid(tip),
        })
    }

    /// Patch ids of the commits on the branch that none of `picks` reaches (the branch
    /// side since the merge-bases), and the commits their `(cherry picked from commit …)` lines
    /// name.
    fn patch_ids_on_branch(
        &self,
        tip: Oid,
        picks: &[Oid],
    ) -> Result<(HashSet<PatchId>, HashSet<Oid>), Error> {
        let mut patch_ids = HashSet::new();
        let mut picked_from = HashSet::new();
        if picks.is_empty() {
            return Ok((patch_ids, picked_from));
        }
        let mut walk = self
            .git
            .revwalk()
            .context(|| "starting a revision walk".to_owned())?;
        walk.push(tip).context(|| "walking the branch".to_owned())?;
        for pick in picks {
            walk.hide(*pick)
                .context(|| "walking the branch".to_owned())?;
        }
        for oid in walk {
            let oid = oid.context(|| "walking the branch".to_owned())?;
            let commit = self
                .git
                .find_commit(oid)
                .context(|| format!("reading commit {oid}"))?;
            if let Some(patch_id) = self.patch_id_of(&commit)? {
                patch_ids.insert(patch_id);
            }
            picked_from.extend(
                String::from_utf8_lossy(commit.message_bytes())
                    .lines()
                    .filter_map(|line| line.trim().strip_prefix("(cherry picked from commit "))
                    .filter_map(|rest| Oid::from_str(rest.trim_end_matches(')')).ok()),
            );
        }
        Ok((patch_ids, picked_from))
    }

    /// Move `branch` from `from` to `to`, updating the index and work tree first when it
    /// is checked out (which fails, changing nothing, if local changes are in the way).
    fn advance_branch(
        &self,
        branch: &str,
        from: Oid,
        to: Oid,
        checked_out: bool,
    ) -> Result<(), Error> {
        if from == to {
            return Ok(());
        }
        if checked_out {
            let commit = self
                .git
                .find_commit(to)
                .context(|| "reading the new tip".to_owned())?;
            self.git
                .checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().safe()))
                .map_err(|source| Error::CheckoutConflict {
                    branch: branch.to_owned(),
                    source: Box::new(source),
                })?;
        }
        self.git
            .reference_matching(
                &format!("refs/heads/{branch}"),
                to,
                true,
                from,
                &format!("cherry-pick: onto {branch}"),
            )
            .context(|| format!("updating branch `{branch}`"))?;
        Ok(())
    }

    /// Leave the conflicted cherry-pick of `commit` in the index and work tree, with
    /// `CHERRY_PICK_HEAD` and the message (with its `cherry picked from` line) in
    /// `MERGE_MSG`, as `git cherry-pick -x` does.
    fn write_conflict(&self, commit: &git2::Commit<'_>) -> Result<(), Error> {
        let id = CommitId::from_oid(commit.id());
        self.git
            .cherrypick(commit, None)
            .context(|| format!("writing the conflicted cherry-pick of {id}"))?;
        let message = with_cherry_pick_line(&crate::history::message_of(commit), &id);
        let path = self.git.path().join("MERGE_MSG");
        std::fs::write(&path, message).map_err(|source| Error::Io {
            action: "write",
            path,
            source,
        })
    }
}

pub(crate) fn conflicted_paths(index: &git2::Index) -> Result<Vec<String>, Error> {
    let mut paths = Vec::new();
    for conflict in index
        .conflicts()
        .context(|| "reading conflicts".to_owned())?
    {
        let conflict = conflict.context(|| "reading conflicts".to_owned())?;
        if let Some(entry) = conflict.our.or(conflict.their).or(conflict.ancestor) {
            paths.push(String::from_utf8_lossy(&entry.path).into_owned());
        }
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Append `(cherry picked from commit <id>)` as `git cherry-pick -x` does: right after a
/// closing trailer block (`Signed-off-by: …`), otherwise after a blank line.
pub(crate) fn with_cherry_pick_line(message: &str, id: &CommitId) -> String {
    let trimmed = message.trim_end();
    let ends_with_trailers = match trimmed.rsplit_once("\n\n") {
        Some((_, last)) => last.lines().all(|line| {
            line.starts_with("(cherry picked from commit ")
                || line.split_once(": ").is_some_and(|(key, _)| {
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        }),
        None => false,
    };
    let separator = if ends_with_trailers { "\n" } else { "\n\n" };
    clean_message(&format!(
        "{trimmed}{separator}(cherry picked from commit {id})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cherry_pick_line_follows_git() {
        let id = CommitId::new("a".repeat(40)).unwrap();
        let line = format!("(cherry picked from commit {id})");
        let check = |message: &str, expected: String| {
            assert_eq!(with_cherry_pick_line(message, &id), expected, "{message:?}");
        };
        check("fix: x", format!("fix: x\n\n{line}\n"));
        check(
            "fix: x\n\nbody text\n",
            format!("fix: x\n\nbody text\n\n{line}\n"),
        );
        check(
            "fix: x\n\nbody\n\nSigned-off-by: A <a@example.com>\n",
            format!("fix: x\n\nbody\n\nSigned-off-by: A <a@example.com>\n{line}\n"),
        );
    }

    #[test]
    fn hotfix_names_come_from_the_released_version() {
        let pattern = TagPattern::new("{package}-v{version}")
            .unwrap()
            .with_package("app");
        let (version, branch, tag) = Hotfix::after(&Version::parse("1.1.0").unwrap(), &pattern);
        assert_eq!(
            (version.to_string(), branch, tag),
            (
                "1.1.1".to_owned(),
                "hotfix/1.1.1".to_owned(),
                "app-v1.1.0".to_owned()
            )
        );
    }
}
