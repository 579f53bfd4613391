//! Everything git does in a release, on real repositories: preflight checks, release tags,
//! commit history, commits and tags, pushes, hotfix branches and cherry-picks.
//!
//! # Git: libgit2 for reading, the `git` executable for the network and signing
//!
//! Reading (status, tags, history, patch ids) and local writes (commits, unsigned tags,
//! branches, cherry-picks) use libgit2 through `git2`: no process per call, and full
//! control over what is read. Pushing, fetching, `ls-remote` and signed tags run the
//! `git` executable with explicit arguments (never a shell), `GIT_TERMINAL_PROMPT=0`
//! and stderr captured into the error, because only git itself honours everything users
//! configure there: credential helpers, ssh agents, the `http.extraheader` CI checkouts
//! set, `gpg.format`/`user.signingKey`.
//!
//! # What it deliberately does not do
//!
//! - It never chooses a version or reads commit messages for meaning (that is
//!   `versioning` and `changelog`).
//! - It never fetches, pushes or rewrites history unless asked by name; nothing is
//!   force-pushed.
//! - It does not run git hooks (libgit2 commits do not run `pre-commit`), and commits
//!   made through libgit2 are not signed.
//! - No `git2` type appears in the public API.
//!
//! # Example
//!
//! ```no_run
//! use gitops::{Range, Repository, HistoryOptions};
//! use versioning::TagPattern;
//!
//! let repository = Repository::open(".")?;
//! let pattern = TagPattern::default();
//! let last = repository.latest_release(&pattern, false)?;
//! let range = match &last {
//!     Some(tag) => Range::since(tag.target.as_str()),
//!     None => Range::head(),
//! };
//! for commit in repository.commits(&range, &HistoryOptions::default())? {
//!     println!("{} {}", commit.id.short(), commit.summary());
//! }
//! # Ok::<(), gitops::Error>(())
//! ```
#![warn(missing_docs)]

mod error;
mod history;
mod hotfix;
mod preflight;
mod remote;
mod repo;
mod tags;
#[cfg(feature = "test-support")]
pub mod test_support;
mod types;
mod write;

pub use error::{Cause, Error};
pub use history::{HistoryOptions, PathFilter, Range, Release, ReleaseHistory};
pub use hotfix::{CherryPick, CherryPickOptions, Hotfix};
pub use preflight::{
    ChangeKind, DirtyPath, HeadState, Preflight, PreflightOptions, UpstreamStatus,
};
pub use repo::{Identity, Repository};
pub use tags::{Tag, TagRef};
pub use types::{Commit, CommitId, Outcome, PatchId, Person, Time};
pub use write::{PushOptions, PushReport, RemoteTag, TagKind};
