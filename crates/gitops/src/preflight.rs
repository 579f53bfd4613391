//! Preflight: is the repository in a state to release from?
//!
//! [`Repository::preflight`] gathers the facts (branch, dirty paths, upstream distance,
//! shallowness) as data; [`Preflight::ensure_ready`] turns them into the first blocking
//! error. Callers that want to show every problem at once read the fields.

use std::path::PathBuf;
use std::process::{Command, Stdio};

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

impl Preflight {
    /// Every problem that blocks a release from `expected_branch` (any branch when `None`), in the
    /// order of [`Preflight::ensure_ready`], so that a person sees all of them at once.
    pub fn problems(&self, repository: &Repository, expected_branch: Option<&str>) -> Vec<Error> {
        let mut problems = Vec::new();
        if self.shallow {
            problems.push(Error::ShallowClone {
                path: repository.git_dir().to_owned(),
            });
        }
        match &self.head {
            HeadState::Unborn { name } => problems.push(Error::UnbornBranch {
                branch: name.clone(),
            }),
            HeadState::Detached { commit } => problems.push(Error::DetachedHead {
                commit: commit.clone(),
            }),
            HeadState::Branch { name, .. } => {
                if let Some(expected) = expected_branch.filter(|expected| expected != name) {
                    problems.push(Error::WrongBranch {
                        branch: name.clone(),
                        expected: expected.to_owned(),
                    });
                }
            }
        }
        if !self.dirty.is_empty() {
            problems.push(Error::DirtyWorkTree {
                paths: self.dirty.iter().map(|dirty| dirty.path.clone()).collect(),
            });
        }
        if let (HeadState::Branch { name, .. }, Some(upstream)) = (&self.head, &self.upstream) {
            if upstream.behind > 0 {
                problems.push(Error::BehindUpstream {
                    branch: name.clone(),
                    upstream: upstream.name.clone(),
                    behind: upstream.behind,
                });
            }
        }
        problems
    }
}

/// The key `git tag -s` would sign with, as the repository's configuration names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKey {
    /// `gpg.format`: `openpgp`, `ssh` or `x509`.
    pub format: String,
    /// `user.signingKey`, if set (otherwise the tool's default key).
    pub key: Option<String>,
}

impl Repository {
    /// Checks, without signing anything, that `git tag -s` can sign: for `OpenPGP` and X.509 the
    /// program (`gpg.program`, default `gpg` / `gpgsm`) lists a secret key for `user.signingKey`
    /// (or any secret key when none is set); for SSH the key file exists (or the key is given
    /// literally as `key::…`).
    pub fn check_signing_key(&self) -> Result<SigningKey, Error> {
        let config = self.git.config().ok();
        let get = |key: &str| {
            config
                .as_ref()
                .and_then(|config| config.get_string(key).ok())
                .filter(|value| !value.trim().is_empty())
        };
        let format = get("gpg.format").unwrap_or_else(|| "openpgp".to_owned());
        let key = get("user.signingkey");
        let unusable = |reason: String, fix: &str| Error::SigningKeyUnusable {
            reason,
            fix: fix.to_owned(),
        };
        match format.as_str() {
            "ssh" => {
                let Some(key) = &key else {
                    if get("gpg.ssh.defaultkeycommand").is_some() {
                        return Ok(SigningKey { format, key: None });
                    }
                    return Err(unusable(
                        "gpg.format is ssh and user.signingKey is not set".to_owned(),
                        "set it to your public key file: `git config user.signingKey ~/.ssh/id_ed25519.pub`",
                    ));
                };
                if key.starts_with("key::") || key.starts_with("ssh-") {
                    return Ok(SigningKey {
                        format,
                        key: Some(key.clone()),
                    });
                }
                // As git reads it: `~/` expanded by the configuration's own path rules.
                let path = config
                    .as_ref()
                    .and_then(|config| config.get_path("user.signingkey").ok())
                    .unwrap_or_else(|| PathBuf::from(key));
                if path.is_file() {
                    Ok(SigningKey {
                        format,
                        key: Some(key.clone()),
                    })
                } else {
                    Err(unusable(
                        format!("the SSH key file {} does not exist", path.display()),
                        "point user.signingKey at an existing public key file",
                    ))
                }
            }
            "openpgp" | "x509" => {
                let default_program = if format == "x509" { "gpgsm" } else { "gpg" };
                let program = get(&format!("gpg.{format}.program"))
                    .or_else(|| get("gpg.program"))
                    .unwrap_or_else(|| default_program.to_owned());
                let mut command = Command::new(&program);
                command.args(["--batch", "--with-colons", "--list-secret-keys"]);
                if let Some(key) = &key {
                    command.arg(key);
                }
                let output = command.stdin(Stdio::null()).output().map_err(|error| {
                    unusable(
                        format!("cannot run `{program}`: {error}"),
                        "install it, or set gpg.program to the signing program",
                    )
                })?;
                let listed = String::from_utf8_lossy(&output.stdout);
                let has_secret = listed
                    .lines()
                    .any(|line| line.starts_with("sec") || line.starts_with("crs"));
                if output.status.success() && has_secret {
                    Ok(SigningKey { format, key })
                } else {
                    let which = key.as_deref().map_or_else(
                        || "no secret key at all".to_owned(),
                        |key| format!("no secret key `{key}`"),
                    );
                    Err(unusable(
                        format!("`{program}` has {which}"),
                        "import the key (`gpg --import`), fix user.signingKey, or set git.sign-tags = false",
                    ))
                }
            }
            other => Err(unusable(
                format!("gpg.format is `{other}`, which git does not know"),
                "set gpg.format to openpgp, ssh or x509",
            )),
        }
    }

    /// Checks that `remote` exists and answers (`git ls-remote --heads`), without changing anything
    /// here or there.
    pub fn probe_remote(&self, remote: &str) -> Result<(), Error> {
        let Some(url) = self.remote_url(remote)? else {
            return Err(Error::NoRemote {
                remote: remote.to_owned(),
            });
        };
        match self.run_git(&["ls-remote", "--heads", "--quiet", remote], None) {
            Ok(_) => Ok(()),
            Err(Error::GitCommand { stderr, .. }) => Err(Error::RemoteUnreachable {
                remote: remote.to_owned(),
                url: crate::remote::redact_url(&url),
                stderr,
            }),
            Err(other) => Err(other),
        }
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
