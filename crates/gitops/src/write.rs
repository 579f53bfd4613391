//! Writes: commits of given files, tags, branches, pushes and remote tag checks.
//!
//! Every write checks the world first so a resumed release neither fails nor repeats:
//! committing files already committed, creating a tag that already points at the
//! commit, deleting a tag that is gone, all report [`Outcome::Unchanged`].

use std::path::{Component, Path};

use git2::{BranchType, ErrorCode, Index, build::CheckoutBuilder};

use crate::error::{Error, GitContext as _};
use crate::{CommitId, Outcome, Repository, TagRef};

/// What kind of tag to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagKind {
    /// A plain ref to the commit, with no message.
    Lightweight,
    /// An annotated tag object with a message (the release notes). Signed through
    /// `git tag -s` when the repository configuration says `tag.gpgSign = true`, as
    /// `git tag -a` would.
    Annotated {
        /// The tag message, kept verbatim (Markdown headings survive).
        message: String,
    },
    /// An annotated tag always signed through `git tag -s`, with the user's signing
    /// configuration (`gpg.format`, `user.signingKey`).
    Signed {
        /// The tag message, kept verbatim.
        message: String,
    },
}

/// What to push in one `git push`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushOptions {
    /// Local branches, each pushed to the branch of the same name.
    pub branches: Vec<String>,
    /// Tags to push (names without `refs/tags/`).
    pub tags: Vec<String>,
    /// Set the pushed branch's upstream (`--set-upstream`).
    pub set_upstream: bool,
}

/// How a push went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushReport {
    /// Whether the push was atomic (all refs or none). False when the remote does not
    /// support `--atomic` and the push was retried without it.
    pub atomic: bool,
}

/// A tag as a remote advertises it (`git ls-remote --tags`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteTag {
    /// The tag name without `refs/tags/`.
    pub name: String,
    /// The object the ref points at (the tag object for an annotated tag).
    pub object: CommitId,
    /// The commit it leads to, when the remote advertised the peeled value; for a
    /// lightweight tag this is `object`.
    pub target: CommitId,
}

impl Repository {
    /// Stage `paths` (relative to the work tree, or absolute inside it) and commit only
    /// them on the current branch with `message`, like `git commit -- <paths>`.
    ///
    /// A deleted path is staged as a deletion. Other staged changes stay staged and out
    /// of the commit. With `commit.gpgSign = true` the commit is made by `git commit`
    /// so it is signed with the user's configuration; hooks never run. When the paths already match `HEAD`, nothing is committed and
    /// `HEAD` is returned as [`Outcome::Unchanged`]. An unborn branch gets its first
    /// commit.
    pub fn commit_paths<P: AsRef<Path>>(
        &self,
        paths: &[P],
        message: &str,
    ) -> Result<Outcome<CommitId>, Error> {
        let work_tree = self.require_work_tree("commit files")?.to_owned();
        let head = match self.head_oid() {
            Ok(oid) => Some(
                self.git
                    .find_commit(oid)
                    .context(|| "reading HEAD".to_owned())?,
            ),
            Err(Error::UnbornBranch { .. }) => None,
            Err(error) => return Err(error),
        };
        let mut index = self
            .git
            .index()
            .context(|| "reading the index".to_owned())?;
        let mut commit_index = Index::new().context(|| "creating an index".to_owned())?;
        if let Some(head) = &head {
            let tree = head.tree().context(|| "reading HEAD's tree".to_owned())?;
            commit_index
                .read_tree(&tree)
                .context(|| "reading HEAD's tree".to_owned())?;
        }
        let mut staged = Vec::with_capacity(paths.len());
        for path in paths {
            let relative = relative_path(&work_tree, path.as_ref())?;
            staged.push(relative.to_string_lossy().into_owned());
            let context = || format!("staging {}", relative.display());
            if work_tree.join(&relative).exists() {
                index.add_path(&relative).context(context)?;
                let entry = index
                    .get_path(&relative, 0)
                    .ok_or_else(|| Error::InvalidPath {
                        path: relative.clone(),
                        reason: "it is not a file (a directory or an ignored path?)",
                    })?;
                commit_index.add(&entry).context(context)?;
            } else if index.get_path(&relative, 0).is_some()
                || commit_index.get_path(&relative, 0).is_some()
            {
                // Deleted from the work tree: stage the deletion.
                let _ = index.remove_path(&relative);
                let _ = commit_index.remove_path(&relative);
            } else {
                return Err(Error::InvalidPath {
                    path: relative,
                    reason: "no such file in the work tree or the index",
                });
            }
        }
        index.write().context(|| "writing the index".to_owned())?;
        let tree_oid = commit_index
            .write_tree_to(&self.git)
            .context(|| "writing the commit's tree".to_owned())?;
        if let Some(head) = &head {
            if head.tree_id() == tree_oid {
                return Ok(Outcome::Unchanged(CommitId::from_oid(head.id())));
            }
        }
        if self.config_bool("commit.gpgsign") {
            // libgit2 cannot sign: let git commit exactly these (now staged) paths with
            // the user's signing configuration. Hooks are skipped, as on the libgit2 path.
            let mut args = vec![
                "commit",
                "--quiet",
                "--no-verify",
                "--cleanup=verbatim",
                "-F",
                "-",
                "--",
            ];
            args.extend(staged.iter().map(String::as_str));
            self.run_git(&args, Some(clean_message(message).as_bytes()))?;
            return Ok(Outcome::Applied(self.head()?));
        }
        let tree = self
            .git
            .find_tree(tree_oid)
            .context(|| "reading the new tree".to_owned())?;
        let (author, committer) = self.signatures()?;
        let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
        let oid = self
            .git
            .commit(
                Some("HEAD"),
                &author,
                &committer,
                &clean_message(message),
                &tree,
                &parents,
            )
            .context(|| "creating the commit".to_owned())?;
        tracing::debug!(commit = %oid, "committed");
        Ok(Outcome::Applied(CommitId::from_oid(oid)))
    }

    /// The text of `path` (relative to the work tree's root) in the tip of local branch `branch`,
    /// or `None` when the branch has no such file.
    pub fn file_on_branch(&self, branch: &str, path: &Path) -> Result<Option<String>, Error> {
        let tip = self.existing_branch_tip(branch)?;
        self.file_at(tip.as_str(), path)
    }

    /// The text of `path` (relative to the work tree's root) in the commit `revision` names, or
    /// `None` when it has no such file.
    pub fn file_at(&self, revision: &str, path: &Path) -> Result<Option<String>, Error> {
        let commit = self
            .git
            .find_commit(self.resolve_oid(revision)?)
            .context(|| format!("reading {revision}"))?;
        let tree = commit
            .tree()
            .context(|| format!("reading the tree of {revision}"))?;
        let Ok(entry) = tree.get_path(path) else {
            return Ok(None);
        };
        let blob = self
            .git
            .find_blob(entry.id())
            .context(|| format!("reading {} in {revision}", path.display()))?;
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    }

    /// Commits `contents` as `path` on local branch `branch` without checking it out (its tip
    /// moves; no work tree or index changes). For a branch that is checked out, use
    /// [`commit_paths`](Repository::commit_paths) instead: this refuses it
    /// ([`Error::CheckedOut`]), since its work tree would fall behind.
    /// [`Outcome::Unchanged`] when the file already has that content.
    pub fn commit_file_on_branch(
        &self,
        branch: &str,
        path: &Path,
        contents: &str,
        message: &str,
    ) -> Result<Outcome<CommitId>, Error> {
        if self.checked_out_branch().as_deref() == Some(branch) && !self.is_bare() {
            return Err(Error::CheckedOut {
                branch: branch.to_owned(),
            });
        }
        let tip = self.existing_branch_tip(branch)?;
        let parent = self
            .git
            .find_commit(tip.to_oid())
            .context(|| format!("reading the tip of `{branch}`"))?;
        let mut index = Index::new().context(|| "creating an index".to_owned())?;
        index
            .read_tree(
                &parent
                    .tree()
                    .context(|| "reading the tip's tree".to_owned())?,
            )
            .context(|| "reading the tip's tree".to_owned())?;
        let blob = self
            .git
            .blob(contents.as_bytes())
            .context(|| format!("writing {}", path.display()))?;
        let mode = index
            .get_path(path, 0)
            .map_or(0o100_644, |entry| entry.mode);
        let entry = blob_entry(path, blob, contents.len(), mode);
        index
            .add(&entry)
            .context(|| format!("staging {}", path.display()))?;
        let tree_oid = index
            .write_tree_to(&self.git)
            .context(|| "writing the commit's tree".to_owned())?;
        if parent.tree_id() == tree_oid {
            return Ok(Outcome::Unchanged(CommitId::from_oid(parent.id())));
        }
        let tree = self
            .git
            .find_tree(tree_oid)
            .context(|| "reading the new tree".to_owned())?;
        let (author, committer) = self.signatures()?;
        let oid = self
            .git
            .commit(
                Some(&format!("refs/heads/{branch}")),
                &author,
                &committer,
                &clean_message(message),
                &tree,
                &[&parent],
            )
            .context(|| format!("committing on `{branch}`"))?;
        Ok(Outcome::Applied(CommitId::from_oid(oid)))
    }

    /// Create tag `name` at `target`.
    ///
    /// If the tag exists at `target` already, nothing is done ([`Outcome::Unchanged`]),
    /// whatever its kind; if it exists elsewhere, [`Error::TagExists`].
    pub fn create_tag(
        &self,
        name: &str,
        target: &CommitId,
        kind: &TagKind,
    ) -> Result<Outcome<TagRef>, Error> {
        let oid = self.resolve_oid(target.as_str())?;
        let requested = CommitId::from_oid(oid);
        if let Some(existing) = self.find_tag(name)? {
            if existing.target == requested {
                return Ok(Outcome::Unchanged(existing));
            }
            return Err(Error::TagExists {
                name: name.to_owned(),
                existing: existing.target,
                requested,
            });
        }
        let object = self
            .git
            .find_object(oid, None)
            .context(|| format!("reading commit {requested}"))?;
        let sign_by_config = || self.config_bool("tag.gpgsign");
        match kind {
            TagKind::Lightweight => {
                self.git
                    .tag_lightweight(name, &object, false)
                    .context(|| format!("creating tag `{name}`"))?;
            }
            TagKind::Annotated { message } if !sign_by_config() => {
                let (_, tagger) = self.signatures()?;
                self.git
                    .tag(name, &object, &tagger, &clean_message(message), false)
                    .context(|| format!("creating tag `{name}`"))?;
            }
            TagKind::Annotated { message } | TagKind::Signed { message } => {
                self.run_git(
                    &[
                        "tag",
                        "-s",
                        "--cleanup=verbatim",
                        "-F",
                        "-",
                        name,
                        requested.as_str(),
                    ],
                    Some(clean_message(message).as_bytes()),
                )?;
            }
        }
        let created = self.find_tag(name)?.ok_or_else(|| Error::TagNotFound {
            name: name.to_owned(),
            hint: Some("it was just created but cannot be read back".to_owned()),
        })?;
        Ok(Outcome::Applied(created))
    }

    /// Delete local tag `name`; [`Outcome::Unchanged`] if there is none.
    pub fn delete_tag(&self, name: &str) -> Result<Outcome<()>, Error> {
        if self.find_tag(name)?.is_none() {
            return Ok(Outcome::Unchanged(()));
        }
        self.git
            .tag_delete(name)
            .context(|| format!("deleting tag `{name}`"))?;
        Ok(Outcome::Applied(()))
    }

    /// Delete tag `name` on `remote` (`git push <remote> :refs/tags/<name>`);
    /// [`Outcome::Unchanged`] if the remote does not have it.
    pub fn delete_remote_tag(&self, remote: &str, name: &str) -> Result<Outcome<()>, Error> {
        if !self
            .ls_remote_tags(remote)?
            .iter()
            .any(|tag| tag.name == name)
        {
            return Ok(Outcome::Unchanged(()));
        }
        let refspec = format!(":refs/tags/{name}");
        self.run_git(&["push", "--quiet", remote, &refspec], None)?;
        Ok(Outcome::Applied(()))
    }

    /// The tags `remote` has (`git ls-remote --tags`), sorted by name.
    pub fn ls_remote_tags(&self, remote: &str) -> Result<Vec<RemoteTag>, Error> {
        let output = self.run_git(&["ls-remote", "--tags", remote], None)?;
        Ok(parse_ls_remote_tags(&output))
    }

    /// Push branches and tags to `remote` in one `git push --atomic`, so either all of
    /// them land or none; if the remote does not support atomic pushes, push again
    /// without `--atomic`. Never forces.
    pub fn push(&self, remote: &str, options: &PushOptions) -> Result<PushReport, Error> {
        let mut refspecs: Vec<String> = Vec::new();
        refspecs.extend(
            options
                .branches
                .iter()
                .map(|branch| format!("refs/heads/{branch}:refs/heads/{branch}")),
        );
        refspecs.extend(
            options
                .tags
                .iter()
                .map(|tag| format!("refs/tags/{tag}:refs/tags/{tag}")),
        );
        if refspecs.is_empty() {
            return Ok(PushReport { atomic: true });
        }
        let run = |atomic: bool| {
            let mut args = vec!["push", "--porcelain"];
            if atomic {
                args.push("--atomic");
            }
            if options.set_upstream {
                args.push("--set-upstream");
            }
            args.push(remote);
            args.extend(refspecs.iter().map(String::as_str));
            self.run_git(&args, None)
        };
        match run(true) {
            Ok(_) => Ok(PushReport { atomic: true }),
            Err(Error::GitCommand { stderr, .. })
                if stderr.contains("does not support --atomic") =>
            {
                tracing::debug!(
                    remote,
                    "remote does not support atomic pushes, pushing without"
                );
                run(false)?;
                Ok(PushReport { atomic: false })
            }
            Err(error) => Err(error),
        }
    }

    /// Where local branch `name` points, or `None` if there is no such branch.
    pub fn branch_tip(&self, name: &str) -> Result<Option<CommitId>, Error> {
        match self.git.find_branch(name, BranchType::Local) {
            Ok(branch) => Ok(branch.get().target().map(CommitId::from_oid)),
            Err(error) if error.code() == ErrorCode::NotFound => Ok(None),
            Err(error) => Err(error).context(|| format!("reading branch `{name}`")),
        }
    }

    /// Where local branch `name` points; [`Error::BranchNotFound`] if there is no such branch.
    pub(crate) fn existing_branch_tip(&self, name: &str) -> Result<CommitId, Error> {
        self.branch_tip(name)?.ok_or_else(|| Error::BranchNotFound {
            name: name.to_owned(),
        })
    }

    /// Create branch `name` at `at`; [`Outcome::Unchanged`] if it already points there,
    /// [`Error::BranchExists`] if it points elsewhere.
    pub fn create_branch(&self, name: &str, at: &CommitId) -> Result<Outcome<()>, Error> {
        let oid = self.resolve_oid(at.as_str())?;
        let requested = CommitId::from_oid(oid);
        if let Some(existing) = self.branch_tip(name)? {
            if existing == requested {
                return Ok(Outcome::Unchanged(()));
            }
            return Err(Error::BranchExists {
                name: name.to_owned(),
                existing,
                requested,
            });
        }
        let commit = self
            .git
            .find_commit(oid)
            .context(|| format!("reading commit {requested}"))?;
        self.git
            .branch(name, &commit, false)
            .context(|| format!("creating branch `{name}`"))?;
        Ok(Outcome::Applied(()))
    }

    /// Check out local branch `name` (work tree, index and `HEAD`), refusing to
    /// overwrite local changes; [`Outcome::Unchanged`] if it is already checked out.
    pub fn checkout_branch(&self, name: &str) -> Result<Outcome<()>, Error> {
        self.require_work_tree("check out a branch")?;
        let reference = format!("refs/heads/{name}");
        if self.checked_out_branch().as_deref() == Some(name) {
            return Ok(Outcome::Unchanged(()));
        }
        let tip = self.existing_branch_tip(name)?;
        let commit = self
            .git
            .find_commit(tip.to_oid())
            .context(|| format!("reading the tip of `{name}`"))?;
        self.git
            .checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().safe()))
            .map_err(|source| Error::CheckoutConflict {
                branch: name.to_owned(),
                source: Box::new(source),
            })?;
        self.git
            .set_head(&reference)
            .context(|| format!("pointing HEAD at `{name}`"))?;
        Ok(Outcome::Applied(()))
    }

    /// Move the checked-out branch back to `commit`, the index and work tree with it (like
    /// `git reset --hard`), to take back a local commit that was never pushed.
    /// [`Outcome::Unchanged`] when `HEAD` already is `commit`.
    pub fn reset_hard(&self, commit: &CommitId) -> Result<Outcome<()>, Error> {
        self.require_work_tree("reset the branch")?;
        if self.head()? == *commit {
            return Ok(Outcome::Unchanged(()));
        }
        let object = self
            .git
            .find_object(commit.to_oid(), None)
            .context(|| format!("reading commit {commit}"))?;
        self.git
            .reset(&object, git2::ResetType::Hard, None)
            .context(|| format!("resetting to {commit}"))?;
        Ok(Outcome::Applied(()))
    }

    /// A boolean from the repository's configuration (all levels); false when unset.
    fn config_bool(&self, key: &str) -> bool {
        self.git
            .config()
            .and_then(|config| config.get_bool(key))
            .unwrap_or(false)
    }

    /// The branch `HEAD` points at (born or not), or `None` when detached.
    pub(crate) fn checked_out_branch(&self) -> Option<String> {
        let head = self.git.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok().flatten()?;
        target.strip_prefix("refs/heads/").map(str::to_owned)
    }
}

/// Normalise a message as `git commit` does: no trailing whitespace, one final newline.
pub(crate) fn clean_message(message: &str) -> String {
    let mut cleaned = message.trim_end().to_owned();
    cleaned.push('\n');
    cleaned
}

fn relative_path(work_tree: &Path, path: &Path) -> Result<std::path::PathBuf, Error> {
    let relative = if path.is_absolute() {
        let canonical_tree = work_tree
            .canonicalize()
            .unwrap_or_else(|_| work_tree.to_owned());
        let canonical_path = path
            .parent()
            .and_then(|parent| parent.canonicalize().ok())
            .and_then(|parent| path.file_name().map(|name| parent.join(name)))
            .unwrap_or_else(|| path.to_owned());
        canonical_path
            .strip_prefix(&canonical_tree)
            .map(Path::to_owned)
            .map_err(|_| Error::InvalidPath {
                path: path.to_owned(),
                reason: "it is outside the work tree",
            })?
    } else {
        path.to_owned()
    };
    if relative
        .components()
        .any(|component| !matches!(component, Component::Normal(_)))
        || relative.as_os_str().is_empty()
    {
        return Err(Error::InvalidPath {
            path: path.to_owned(),
            reason: "use a plain path inside the work tree (no `..`)",
        });
    }
    Ok(relative)
}

fn parse_ls_remote_tags(output: &str) -> Vec<RemoteTag> {
    let mut tags: Vec<RemoteTag> = Vec::new();
    let mut peeled: Vec<(String, CommitId)> = Vec::new();
    for line in output.lines() {
        let Some((oid, reference)) = line.split_once('\t') else {
            continue;
        };
        let Some(name) = reference.strip_prefix("refs/tags/") else {
            continue;
        };
        let Some(id) = CommitId::new(oid) else {
            continue;
        };
        if let Some(name) = name.strip_suffix("^{}") {
            peeled.push((name.to_owned(), id));
        } else {
            tags.push(RemoteTag {
                name: name.to_owned(),
                object: id.clone(),
                target: id,
            });
        }
    }
    for (name, target) in peeled {
        if let Some(tag) = tags.iter_mut().find(|tag| tag.name == name) {
            tag.target = target;
        }
    }
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    tags
}

/// The index entry of blob `id` (`size` bytes) at `path` with `mode`, as a tree write needs it.
pub(crate) fn blob_entry(path: &Path, id: git2::Oid, size: usize, mode: u32) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: 0,
        flags_extended: 0,
        path: path.to_string_lossy().replace('\\', "/").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ls_remote_output_pairs_tags_with_their_peeled_commits() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let output = format!(
            "{a}\trefs/tags/v1.0.0\n{b}\trefs/tags/v0.9.0\n{c}\trefs/tags/v0.9.0^{{}}\n{a}\trefs/heads/main\n"
        );
        let tags = parse_ls_remote_tags(&output);
        let summary: Vec<(&str, &str, &str)> = tags
            .iter()
            .map(|tag| (tag.name.as_str(), tag.object.as_str(), tag.target.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("v0.9.0", b.as_str(), c.as_str()),
                ("v1.0.0", a.as_str(), a.as_str())
            ]
        );
    }

    #[test]
    fn messages_end_with_one_newline() {
        assert_eq!(
            clean_message("chore: release 1.0.0\n\n\n"),
            "chore: release 1.0.0\n"
        );
        assert_eq!(clean_message("# Notes\n\n- x"), "# Notes\n\n- x\n");
    }
}
