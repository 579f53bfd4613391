//! Preflight: is the repository in a state to release from?
//!
//! [`Repository::preflight`] gathers the facts (branch, dirty paths, upstream distance,
//! shallowness) as data; [`Preflight::ensure_ready`] turns them into the first blocking
//! error. Callers that want to show every problem at once read the fields.

use git2::{BranchType, ErrorCode, Status, StatusOptions};

use crate::error::{Error, GitContext as _};
use crate::{CommitId, Repository};

/// What `HEAD` points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadState {
    /// A branch with at least one commit.
    Branch {
        /// The branch name (`main`).
        name: String,
        /// Its tip.
        commit: CommitId,
    },
    /// A commit, not a branch.
    Detached {
        /// The commit.
        commit: CommitId,
    },
    /// A branch with no commits yet.
    Unborn {
        /// The branch name.
        name: String,
    },
}

/// How a path differs from `HEAD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Not tracked and not ignored.
    Untracked,
    /// Changed in the index (staged).
    Staged,
    /// Changed in the work tree only.
    Modified,
    /// Deleted from the work tree or the index.
    Deleted,
    /// Left conflicted by a merge or cherry-pick.
    Conflicted,
}

/// One path that makes the work tree dirty.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DirtyPath {
    /// The path relative to the work tree, with `/` separators.
    pub path: String,
    /// How it differs.
    pub kind: ChangeKind,
}

/// A branch's distance from its upstream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamStatus {
    /// The upstream's short name (`origin/main`).
    pub name: String,
    /// The remote it belongs to (`origin`).
    pub remote: Option<String>,
    /// Local commits not on the upstream.
    pub ahead: usize,
    /// Upstream commits not in the local branch.
    pub behind: usize,
}

/// The facts a release checks before touching anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preflight {
    /// The current branch, detached commit or unborn branch.
    pub head: HeadState,
    /// Paths that differ from `HEAD`, untracked ones included (ignored ones not).
    pub dirty: Vec<DirtyPath>,
    /// The upstream of the current branch, if it has one.
    pub upstream: Option<UpstreamStatus>,
    /// Whether the repository is a shallow clone.
    pub shallow: bool,
}

/// What [`Repository::preflight`] does besides reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreflightOptions {
    /// Run `git fetch <remote>` for the branch's upstream remote first, so ahead/behind
    /// reflects the remote rather than the last fetch.
    pub fetch: bool,
}

impl Preflight {
    /// The first problem that blocks a release, in the order a person would fix them:
    /// shallow clone, unborn branch, detached `HEAD`, dirty work tree, behind upstream.
    ///
    /// Being ahead of the upstream is fine (the release commit will be pushed); having
    /// no upstream is fine too (a first push sets it).
    pub fn ensure_ready(&self, repository: &Repository) -> Result<(), Error> {
        if self.shallow {
            return Err(Error::ShallowClone {
                path: repository.git_dir().to_owned(),
            });
        }
        match &self.head {
            HeadState::Unborn { name } => {
                return Err(Error::UnbornBranch {
                    branch: name.clone(),
                });
            }
            HeadState::Detached { commit } => {
                return Err(Error::DetachedHead {
                    commit: commit.clone(),
                });
            }
            HeadState::Branch { .. } => {}
        }
        if !self.dirty.is_empty() {
            return Err(Error::DirtyWorkTree {
                paths: self.dirty.iter().map(|dirty| dirty.path.clone()).collect(),
            });
        }
        if let (HeadState::Branch { name, .. }, Some(upstream)) = (&self.head, &self.upstream) {
            if upstream.behind > 0 {
                return Err(Error::BehindUpstream {
                    branch: name.clone(),
                    upstream: upstream.name.clone(),
                    behind: upstream.behind,
                });
            }
        }
        Ok(())
    }
}

impl Repository {
    /// Gather branch, dirty paths, upstream distance and shallowness.
    ///
    /// Fails on a bare repository (there is no work tree to check).
    pub fn preflight(&self, options: &PreflightOptions) -> Result<Preflight, Error> {
        self.require_work_tree("run the preflight checks")?;
        let head = self.head_state()?;
        if options.fetch {
            if let HeadState::Branch { name, .. } = &head {
                if let Some(remote) = self.upstream_remote(name) {
                    self.fetch(&remote)?;
                }
            }
        }
        let upstream = match &head {
            HeadState::Branch { name, .. } => self.upstream_status(name)?,
            _ => None,
        };
        Ok(Preflight {
            head,
            dirty: self.dirty_paths()?,
            upstream,
            shallow: self.is_shallow(),
        })
    }

    /// What `HEAD` points at: a branch, a detached commit, or an unborn branch.
    pub fn head_state(&self) -> Result<HeadState, Error> {
        match self.git.head() {
            Ok(head) => {
                let commit = CommitId::from_oid(
                    head.peel_to_commit()
                        .context(|| "reading the commit HEAD points at".to_owned())?
                        .id(),
                );
                if head.is_branch() {
                    let name = String::from_utf8_lossy(head.shorthand_bytes()).into_owned();
                    Ok(HeadState::Branch { name, commit })
                } else {
                    Ok(HeadState::Detached { commit })
                }
            }
            Err(error) if error.code() == ErrorCode::UnbornBranch => match self.head_oid() {
                Err(Error::UnbornBranch { branch }) => Ok(HeadState::Unborn { name: branch }),
                Err(other) => Err(other),
                Ok(_) => unreachable!("HEAD was just reported unborn"),
            },
            Err(error) => Err(error).context(|| "reading HEAD".to_owned()),
        }
    }

    /// The current branch name; errors when `HEAD` is detached.
    pub fn current_branch(&self) -> Result<String, Error> {
        match self.head_state()? {
            HeadState::Branch { name, .. } | HeadState::Unborn { name } => Ok(name),
            HeadState::Detached { commit } => Err(Error::DetachedHead { commit }),
        }
    }

    /// Paths that differ from `HEAD` in the index or work tree, untracked included,
    /// sorted by path. Empty means clean.
    pub fn dirty_paths(&self) -> Result<Vec<DirtyPath>, Error> {
        self.require_work_tree("list changed paths")?;
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(false);
        let statuses = self
            .git
            .statuses(Some(&mut options))
            .context(|| "reading the work tree status".to_owned())?;
        let mut dirty: Vec<DirtyPath> = statuses
            .iter()
            .filter_map(|entry| {
                let kind = change_kind(entry.status())?;
                let path = String::from_utf8_lossy(entry.path_bytes()).into_owned();
                Some(DirtyPath { path, kind })
            })
            .collect();
        dirty.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(dirty)
    }

    /// The distance of local `branch` from its configured upstream, or `None` when it
    /// has none (or the upstream ref is missing locally, e.g. never fetched).
    pub fn upstream_status(&self, branch: &str) -> Result<Option<UpstreamStatus>, Error> {
        let local = self
            .git
            .find_branch(branch, BranchType::Local)
            .map_err(|_| Error::BranchNotFound {
                name: branch.to_owned(),
            })?;
        let upstream = match local.upstream() {
            Ok(upstream) => upstream,
            Err(error) if error.code() == ErrorCode::NotFound => return Ok(None),
            Err(error) => {
                return Err(error).context(|| format!("reading the upstream of `{branch}`"));
            }
        };
        let (Some(local_oid), Some(upstream_oid)) = (local.get().target(), upstream.get().target())
        else {
            return Ok(None);
        };
        let (ahead, behind) = self
            .git
            .graph_ahead_behind(local_oid, upstream_oid)
            .context(|| format!("comparing `{branch}` with its upstream"))?;
        let name = String::from_utf8_lossy(upstream.get().shorthand_bytes()).into_owned();
        Ok(Some(UpstreamStatus {
            name,
            remote: self.upstream_remote(branch),
            ahead,
            behind,
        }))
    }

    fn upstream_remote(&self, branch: &str) -> Option<String> {
        let config = self.git.config().ok()?;
        config.get_string(&format!("branch.{branch}.remote")).ok()
    }

    /// `git fetch --tags <remote>` through the `git` executable (credential helpers and
    /// CI checkout credentials apply).
    pub fn fetch(&self, remote: &str) -> Result<(), Error> {
        self.run_git(&["fetch", "--tags", "--quiet", remote], None)?;
        Ok(())
    }
}

fn change_kind(status: Status) -> Option<ChangeKind> {
    if status.is_conflicted() {
        Some(ChangeKind::Conflicted)
    } else if status.is_wt_new() {
        Some(ChangeKind::Untracked)
    } else if status.intersects(Status::INDEX_DELETED | Status::WT_DELETED) {
        Some(ChangeKind::Deleted)
    } else if status.intersects(
        Status::INDEX_NEW
            | Status::INDEX_MODIFIED
            | Status::INDEX_RENAMED
            | Status::INDEX_TYPECHANGE,
    ) {
        Some(ChangeKind::Staged)
    } else if status.intersects(Status::WT_MODIFIED | Status::WT_RENAMED | Status::WT_TYPECHANGE) {
        Some(ChangeKind::Modified)
    } else {
        None
    }
}
