//! The errors of every git operation in this crate.
//!
//! One enum, because the operations share most failure modes (no repository, shallow
//! clone, a revision that does not resolve, a `git` invocation that failed). Each message
//! says what was being done, where, and how to fix it; causes stay in `source`.

use std::path::PathBuf;

use crate::CommitId;

/// The cause of an error raised by libgit2, kept opaque so `git2` types never leak.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in `gitops`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path is not inside a git repository.
    #[error("{} is not inside a git repository (run `git init` or pass the repository path)", path.display())]
    NotARepository {
        /// The path that was searched from.
        path: PathBuf,
        /// What libgit2 reported.
        #[source]
        source: Cause,
    },

    /// The operation needs a work tree but the repository is bare.
    #[error("cannot {operation}: the repository at {} is bare (it has no work tree)", path.display())]
    BareRepository {
        /// The git directory.
        path: PathBuf,
        /// What was attempted.
        operation: &'static str,
    },

    /// `HEAD` names a branch that has no commit yet.
    #[error("branch `{branch}` has no commits yet: make a first commit before releasing")]
    UnbornBranch {
        /// The branch `HEAD` points at.
        branch: String,
    },

    /// The clone is shallow, so tags and history are incomplete.
    #[error(
        "the repository at {} is a shallow clone: its tags and history are incomplete, so the last \
         release cannot be found reliably; fix it with `git fetch --unshallow --tags` \
         (in CI, check out with full history, e.g. `fetch-depth: 0`)",
        path.display()
    )]
    ShallowClone {
        /// The git directory.
        path: PathBuf,
    },

    /// `HEAD` is on another branch than the one releases are made from.
    #[error(
        "HEAD is on `{branch}`, and releases are made from `{expected}`: `git switch {expected}` (or set git.branch)"
    )]
    WrongBranch {
        /// The branch `HEAD` points at.
        branch: String,
        /// The release branch.
        expected: String,
    },

    /// The remote a release pushes to is not configured.
    #[error(
        "there is no remote `{remote}`: add it (`git remote add {remote} <url>`) or name another one in git.remote"
    )]
    NoRemote {
        /// The remote's name.
        remote: String,
    },

    /// The remote could not be reached (network, URL, or credentials).
    #[error("cannot reach the remote `{remote}` ({url}): {}; check the URL (`git remote -v`), the network and your git credentials", stderr.trim())]
    RemoteUnreachable {
        /// The remote's name.
        remote: String,
        /// Its URL, without credentials.
        url: String,
        /// What git said.
        stderr: String,
    },

    /// Tags are to be signed and the signing key cannot be used.
    #[error("tags are signed, and the signing key cannot be used: {reason}; {fix}")]
    SigningKeyUnusable {
        /// What is wrong.
        reason: String,
        /// How to fix it.
        fix: String,
    },

    /// `HEAD` is detached where a branch is required.
    #[error("HEAD is detached at {commit}: check out a branch first (`git switch <branch>`)")]
    DetachedHead {
        /// The commit `HEAD` points at.
        commit: CommitId,
    },

    /// The work tree has uncommitted changes.
    #[error("the work tree has uncommitted changes in: {}; commit or stash them first", paths.join(", "))]
    DirtyWorkTree {
        /// The modified, staged, deleted or untracked paths.
        paths: Vec<String>,
    },

    /// The branch has no upstream to compare with.
    #[error("branch `{branch}` has no upstream: set one with `git push -u <remote> {branch}`")]
    NoUpstream {
        /// The local branch.
        branch: String,
    },

    /// The branch is behind its upstream.
    #[error(
        "branch `{branch}` is {behind} commit(s) behind `{upstream}`: run `git pull` before releasing"
    )]
    BehindUpstream {
        /// The local branch.
        branch: String,
        /// The upstream branch (`origin/main`).
        upstream: String,
        /// How many upstream commits are missing locally.
        behind: usize,
    },

    /// A revision (tag, branch, commit id) did not resolve to a commit.
    #[error("revision `{revision}` does not name a commit in this repository")]
    RevisionNotFound {
        /// The revision as given.
        revision: String,
        /// What libgit2 reported.
        #[source]
        source: Cause,
    },

    /// A tag exists and points at another commit than the one asked for.
    #[error(
        "tag `{name}` already exists at {existing}, not at {requested}: a tag others may have \
         fetched is never moved; if it is a local leftover that was never pushed, \
         `git tag -d {name}` removes it"
    )]
    TagExists {
        /// The tag name.
        name: String,
        /// The commit the existing tag points at.
        existing: CommitId,
        /// The commit the caller wanted to tag.
        requested: CommitId,
    },

    /// A tag that was needed does not exist.
    #[error("tag `{name}` does not exist{}", hint.as_deref().map(|h| format!(": {h}")).unwrap_or_default())]
    TagNotFound {
        /// The tag name.
        name: String,
        /// How to fix it, if known.
        hint: Option<String>,
    },

    /// A branch exists and points elsewhere.
    #[error("branch `{name}` already exists at {existing}, not at {requested}")]
    BranchExists {
        /// The branch name.
        name: String,
        /// Where the existing branch points.
        existing: CommitId,
        /// Where the caller wanted it.
        requested: CommitId,
    },

    /// A branch that was needed does not exist.
    #[error("branch `{name}` does not exist")]
    BranchNotFound {
        /// The branch name.
        name: String,
    },

    /// A path given to stage is outside the work tree or otherwise unusable.
    #[error("cannot stage {}: {reason}", path.display())]
    InvalidPath {
        /// The path as given.
        path: PathBuf,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A cherry-pick hit a conflict.
    #[error(
        "cherry-picking {commit} onto `{branch}` conflicts in: {}; {}",
        paths.join(", "),
        if *kept {
            "the conflict is left in the work tree: resolve it, then `git cherry-pick --continue` (or `--abort`)"
        } else {
            "nothing was changed (resolve it by hand, or ask to keep the conflict)"
        }
    )]
    CherryPickConflict {
        /// The commit that did not apply.
        commit: CommitId,
        /// The branch it was applied to.
        branch: String,
        /// The conflicting paths.
        paths: Vec<String>,
        /// Whether the conflicted state was written to the index and work tree.
        kept: bool,
        /// Commits (original ids) applied before the conflict; empty unless `kept`.
        applied: Vec<CommitId>,
    },

    /// A merge hit a conflict.
    #[error(
        "merging {source_rev} into `{target}` conflicts in: {}; {}",
        paths.join(", "),
        if *kept {
            "the conflict is left in the work tree"
        } else {
            "nothing was changed"
        }
    )]
    MergeConflict {
        /// What was merged (a branch, a tag, a commit).
        source_rev: String,
        /// The branch merged into.
        target: String,
        /// The conflicting paths.
        paths: Vec<String>,
        /// Whether the conflicted merge was written to the index and work tree.
        kept: bool,
    },

    /// A merge commit was given to cherry-pick.
    #[error("cannot cherry-pick merge commit {commit}: pick the commits it merged instead")]
    CherryPickMerge {
        /// The merge commit.
        commit: CommitId,
    },

    /// Keeping a conflict needs the branch checked out.
    #[error(
        "cannot keep a cherry-pick conflict on `{branch}`: it is not checked out (switch to it first)"
    )]
    NotCheckedOut {
        /// The branch.
        branch: String,
    },

    /// A commit made without a checkout was asked of the branch that is checked out.
    #[error(
        "`{branch}` is checked out here: its work tree would fall behind a commit made beside it; commit in the work tree instead"
    )]
    CheckedOut {
        /// The branch.
        branch: String,
    },

    /// The work tree would lose changes if updated.
    #[error("cannot update the work tree of `{branch}`: local changes would be overwritten")]
    CheckoutConflict {
        /// The checked-out branch.
        branch: String,
        /// What libgit2 reported.
        #[source]
        source: Cause,
    },

    /// The `git` executable could not be started.
    #[error("could not run `git {command}`: is git installed and on PATH?")]
    GitNotFound {
        /// The arguments.
        command: String,
        /// The spawn failure.
        #[source]
        source: std::io::Error,
    },

    /// The `git` executable ran and failed.
    #[error("`git {command}` failed ({status}): {}", stderr.trim())]
    GitCommand {
        /// The arguments.
        command: String,
        /// The exit status, as text.
        status: String,
        /// What git printed on stderr.
        stderr: String,
    },

    /// Reading or writing a file failed.
    #[error("could not {action} {}", path.display())]
    Io {
        /// What was attempted (`write`, `read`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// An object of the repository cannot be read: its data is damaged (a loose object cut
    /// short, for one). It is not handed to libgit2, which loops forever on a truncated loose
    /// object.
    #[error(
        "object {id} of this repository is damaged ({reason}): run `git fsck --full` to find the damage, then fetch the object again from a clone that has it (`git fetch <remote>`) or restore the repository from one"
    )]
    DamagedObject {
        /// The object's id.
        id: String,
        /// What reading it reported.
        reason: String,
    },

    /// libgit2 failed in an operation.
    #[error("git operation failed: {operation}")]
    Git {
        /// What was being done.
        operation: String,
        /// What libgit2 reported.
        #[source]
        source: Cause,
    },
}

/// Attach a description of the operation to a libgit2 error.
pub(crate) trait GitContext<T> {
    fn context(self, operation: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T> GitContext<T> for Result<T, git2::Error> {
    fn context(self, operation: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|source| Error::Git {
            operation: operation(),
            source: Box::new(source),
        })
    }
}
