//! GitHub Releases through the REST API: create or update a release by tag, attach assets, mark a release
//! with a known-issues note.
//!
//! - [`GithubClient::release_by_tag`] finds the release of a tag, drafts included (the by-tag endpoint hides
//!   drafts, so the first pages of the release list are searched too).
//! - [`GithubClient::create_or_update_release`] makes the release what a [`ReleaseSpec`] says: it creates a
//!   missing release, updates only the fields that differ, and sends nothing when all match, so a rerun of a
//!   release resumes instead of repeating. [`GithubClient::plan_release`] tells what it would do, with reads only.
//! - [`GithubClient::upload_asset`] streams a file from disk to the release's `upload_url`. An asset of that
//!   name with the same sha256 (GitHub's `digest`; the size where no digest is reported) is left alone; one
//!   with other content is deleted and uploaded again, which GitHub (unlike PyPI) allows.
//! - [`GithubClient::verify_release`] checks, with reads only, that the release matches its spec and carries
//!   the expected assets with their sha256.
//! - [`GithubClient::check_access`] tells, with reads only, whether the token may create releases
//!   (`GET /repos/{owner}/{repo}` and its `permissions.push`); [`GithubClient::check_access_from_env`] turns a
//!   missing token into a rejection naming `GH_TOKEN` and `GITHUB_TOKEN`.
//! - [`GithubClient::add_known_issues`] prepends `> **Known issues:** …` to a release's notes, once.
//!
//! Errors say what to fix: a refused token (401), a token without `contents: write` (403), a repository that
//! does not exist or cannot be seen (404), and GitHub's own message for a rejected request (422).
//! Requests are retried through [`crate::retry`]; the token lives in a [`secrecy::SecretString`] and never
//! appears in `Debug` output or errors.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use slipway_registry::github::{GithubClient, GithubEnv, NoProgress, ReleaseSpec};
//!
//! let env = GithubEnv::from_lookup(|name| std::env::var(name).ok());
//! let github = GithubClient::from_env(&env, None, Some("octo-org/hangar"))?;
//! let spec = ReleaseSpec {
//!     tag: "v1.1.0-rc.1".into(),
//!     name: "Hangar 1.1.0-rc.1".into(),
//!     body: "## Added\n- hangar doors".into(),
//!     prerelease: true,
//!     draft: false,
//!     make_latest: None,
//!     target_commitish: None,
//! };
//! let outcome = github.create_or_update_release(&spec).await?;
//! let asset = github
//!     .upload_asset(&outcome.release, "dist/hangar-1.1.0rc1.tar.gz".as_ref(), Arc::new(NoProgress))
//!     .await?;
//! println!("{:?} {:?}", outcome.change, asset.status);
//! # Ok(())
//! # }
//! ```
//!
//! Deliberately not done here: reading the environment (the caller reads the variables into a [`GithubEnv`]),
//! printing (progress goes to a [`Progress`] the caller implements), creating or pushing tags (that is git's
//! job; GitHub creates a missing tag from `target_commitish`), deleting releases, and renaming assets: GitHub
//! renames files with unusual characters in their names, which then never match and are uploaded again.

mod check;
mod client;
mod error;
mod types;

pub use client::{API_VERSION, GithubClient};
pub use error::{ApiError, AssetError, CheckError, ConfigError, ReleaseError, VerifyError};
pub use types::{
    Asset, AssetMismatch, AssetOutcome, AssetStatus, DEFAULT_API_URL, ExpectedAsset, GithubEnv,
    NoProgress, Progress, Release, ReleaseChange, ReleaseOutcome, ReleasePlan, ReleaseSpec,
    ReleaseVerification, Repository, known_issues_block, with_known_issues,
};
