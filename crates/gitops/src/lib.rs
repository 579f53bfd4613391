//! Everything git does in a release, on real repositories: preflight checks, release tags,
//! commit history, commits and tags, pushes, hotfix branches, cherry-picks and git-flow merges.
//!
//! # Git: libgit2 for reading, the `git` executable for the network and signing
//!
//! Reading (status, tags, history, patch ids) and local writes (commits, unsigned tags,
//! branches, cherry-picks) use libgit2 through `git2`: no process per call, and full
//! control over what is read. Pushing, fetching, `ls-remote`, signed tags and signed
//! commits (when `tag.gpgSign`/`commit.gpgSign` is set, or a signed tag is asked for) run the
//! `git` executable with explicit arguments (never a shell), `GIT_TERMINAL_PROMPT=0`
//! and stderr captured into the error, because only git itself honours everything users
//! configure there: credential helpers, ssh agents, the `http.extraheader` CI checkouts
//! set, `gpg.format`/`user.signingKey`.
//!
//! The objects of the reads that read every commit of a history (and the tag objects of a
//! release-tag listing) come from gitoxide's object database (`gix-odb`, zlib-rs built in, no
//! lock shared between threads), parsed here exactly as libgit2 parses them; libgit2 reads
//! whatever that parse does not cover. No gitoxide type appears outside the private module
//! that wraps it.
//!
//! # Cost
//!
//! The commits since the last release cost in proportion to those commits (a revision
//! walk with the release hidden), not to the history. A full-history walk
//! ([`Repository::release_history`], [`Repository::commits`] without exclusions) reads
//! each commit once and diffs nothing, for less than `git log --format` costs: a changelog
//! of 200,000 commits takes 0.62 s where `git log --format=%H%x00%s%x00%b` takes 0.90 s
//! (`cargo xtask bench changelog`). Commits are listed from the commit-graph file when the
//! repository has one and then read on every core. Opening the first repository also turns
//! off libgit2's process-wide object cache and its re-hashing of every object read (git does
//! not re-hash either).
//!
//! # What it deliberately does not do
//!
//! - It never chooses a version or reads commit messages for meaning (that is
//!   `versioning` and `changelog`).
//! - It never fetches, pushes or rewrites history unless asked by name; nothing is
//!   force-pushed.
//! - It does not run git hooks: release commits skip `pre-commit` and `commit-msg`.
//! - Cherry-picked commits are written by libgit2 and never signed.
//! - No `git2` or gitoxide type appears in the public API.
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

mod commit_graph;
mod error;
mod history;
mod hotfix;
mod merge;
mod objects;
mod packs;
mod preflight;
mod release_state;
mod remote;
mod repo;
mod tags;
#[cfg(feature = "test-support")]
pub mod test_support;
mod text;
mod types;
mod write;

pub use error::{Cause, Error};
pub use history::{HistoryOptions, HistoryPart, PathFilter, Range, Release, ReleaseHistory};
pub use hotfix::{CherryPick, CherryPickOptions, Hotfix};
pub use merge::{InProgress, Merge, MergeOptions};
pub use preflight::{
    ChangeKind, DirtyPath, HeadState, Preflight, PreflightOptions, SigningKey, UpstreamStatus,
};
pub use release_state::{Cutoff, ReleaseTags, TagState};
pub use repo::{Identity, Repository};
pub use tags::{Tag, TagRef};
pub use types::{Commit, CommitId, Outcome, PatchId, Person, Time};
pub use write::{PushOptions, PushReport, RemoteTag, TagKind};
