//! Arguments of the release workflows: `release`, `hotfix`, `rollback`, `verify VERSION`, `tag
//! delete`, `check`, `init`, `config`.

use clap::{Args, Subcommand, ValueEnum};

use super::{branch_name, tag_name};

/// `slipway release`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReleaseArgs {
    /// git-flow's two halves of a release.
    #[command(subcommand)]
    pub flow: Option<ReleaseFlowCommand>,
    /// What to bump; `auto` decides from the commits since the last release.
    #[arg(default_value = "auto")]
    pub level: ReleaseLevel,
    /// Make a pre-release with this identifier (alpha, beta, rc, …).
    #[arg(long, value_name = "ID")]
    pub pre: Option<String>,
    /// Stop after the push and the tag check: no build, no publishing.
    #[arg(long)]
    pub no_publish: bool,
    /// In a repository of several packages: release this package (and the packages whose
    /// requirements on it must follow), repeatable; default every package with pending changes.
    #[arg(long = "package", value_name = "NAME")]
    pub packages: Vec<String>,
    /// How the plan is run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `slipway release start|finish` (git-flow).
#[derive(Debug, Subcommand)]
pub enum ReleaseFlowCommand {
    /// git-flow: cut the release branch from develop, with the version files and the changelog
    /// section committed on it, and push it.
    Start(ReleaseStartArgs),
    /// git-flow: on the release branch, refresh the changelog, merge it into main (--no-ff), tag
    /// the merge, merge main back into develop, push main, develop and the tag atomically, delete
    /// the branch, then publish and verify.
    Finish(ReleaseFinishArgs),
}

/// `slipway release start`
#[derive(Debug, Args)]
pub struct ReleaseStartArgs {
    /// What to bump; `auto` decides from the commits since the last release.
    #[arg(default_value = "auto")]
    pub level: ReleaseLevel,
    /// Make a pre-release with this identifier (alpha, beta, rc, …).
    #[arg(long, value_name = "ID")]
    pub pre: Option<String>,
    /// How the plan is run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `slipway release finish`
#[derive(Debug, Args)]
pub struct ReleaseFinishArgs {
    /// The release branch; default the one checked out (it is switched to first).
    #[arg(value_name = "BRANCH", value_parser = branch_name)]
    pub branch: Option<String>,
    /// Stop after the push and the tag check: no build, no publishing.
    #[arg(long)]
    pub no_publish: bool,
    /// How the plan is run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// How a release command runs its plan: for real, as a dry run, resumed or aborted.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub struct RunArgs {
    /// Print the plan (steps, file diffs, changelog section) and change nothing anywhere.
    #[arg(long, conflicts_with_all = ["resume", "abort"])]
    pub dry_run: bool,
    /// Finish the release in progress from where it stopped (after a failure, or a conflict
    /// resolved by hand).
    #[arg(long, conflicts_with = "abort")]
    pub resume: bool,
    /// Undo the local, unpushed steps of the release in progress and forget it.
    #[arg(long)]
    pub abort: bool,
    /// Print the plan or the outcome as JSON on stdout (`schema_version` 1; see docs/json.md).
    #[arg(long)]
    pub json: bool,
    /// The release date (YYYY-MM-DD); default today (UTC, or `SOURCE_DATE_EPOCH`).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// What `slipway release` bumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReleaseLevel {
    /// Decide from the commits: breaking → major, feat → minor, fix/perf → patch.
    Auto,
    /// A patch release.
    Patch,
    /// A minor release.
    Minor,
    /// A major release.
    Major,
}

/// `slipway hotfix …`
#[derive(Debug, Subcommand)]
pub enum HotfixCommand {
    /// Create and check out `hotfix/X.Y.(Z+1)` from the release TAG (`vX.Y.Z`; default the
    /// latest stable release of main in git-flow, of HEAD in trunk).
    Start(HotfixStartArgs),
    /// Release the hotfix branch (bump, changelog, tag, push, publish); in trunk, then cherry-pick
    /// its fixes onto each --cherry-pick-to branch; in git-flow, merge it into main (tagged) and
    /// develop.
    Finish(HotfixFinishArgs),
}

/// `slipway hotfix start`
#[derive(Debug, Args)]
pub struct HotfixStartArgs {
    /// The release to fix, as its tag (e.g. v1.1.0); default the latest stable release.
    #[arg(value_parser = tag_name)]
    pub tag: Option<String>,
    /// Say which branch would be created from which tag, and create nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// In a repository of several packages: the package to fix (default: the one whose tag TAG
    /// is).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway hotfix finish`
#[derive(Debug, Args)]
pub struct HotfixFinishArgs {
    /// Cherry-pick the fixes onto this branch afterwards, and push it (repeatable; trunk only).
    #[arg(long, value_name = "BRANCH", value_parser = branch_name)]
    pub cherry_pick_to: Vec<String>,
    /// Stop after the push and the tag check: no build, no publishing.
    #[arg(long)]
    pub no_publish: bool,
    /// How the plan is run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `slipway rollback`
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The bad release (e.g. 1.2.0).
    #[arg(id = "VERSION")]
    pub version: String,
    /// The release `latest` goes back to; default the highest stable release below VERSION.
    #[arg(long, value_name = "PREVIOUS")]
    pub to: Option<String>,
    /// The known-issues note for the GitHub Release.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "This release has known issues and was rolled back; use the previous release until a fix is out."
    )]
    pub note: String,
    /// Print what would be done and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// In a repository of several packages: the release of this package (its images, its GitHub
    /// Release, its index).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway tag …`
#[derive(Debug, Subcommand)]
pub enum TagCommand {
    /// Delete a (failed) release tag locally, and on the remote with --remote.
    Delete(TagDeleteArgs),
}

/// `slipway tag delete`
#[derive(Debug, Args)]
pub struct TagDeleteArgs {
    /// The tag, e.g. v1.2.0.
    #[arg(value_parser = tag_name)]
    pub tag: String,
    /// Also delete it on the remote.
    #[arg(long)]
    pub remote: bool,
    /// Show what would be deleted and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway check`
#[derive(Debug, Args)]
pub struct CheckRepositoryArgs {
    /// Also fetch and compare with the upstream branch.
    #[arg(long)]
    pub fetch: bool,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway init`
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub struct InitArgs {
    /// Overwrite the files that exist (slipway.toml, or the workflows with --github-actions).
    #[arg(long)]
    pub force: bool,
    /// Install a `commit-msg` hook that runs `slipway lint-commits --message-file`, instead of
    /// writing slipway.toml.
    #[arg(long, conflicts_with = "github_actions")]
    pub commit_msg_hook: bool,
    /// Write the GitHub Actions workflows `.github/workflows/version-bump.yml` and `release.yml`
    /// (adapted to the project and its configuration) instead of slipway.toml.
    #[arg(long)]
    pub github_actions: bool,
    /// With --github-actions: print the workflows and write nothing.
    #[arg(long, requires = "github_actions")]
    pub dry_run: bool,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the JSON Schema of slipway.toml.
    Schema,
    /// Print the configuration in effect (defaults filled in) and where it came from.
    Show(ConfigShowArgs),
}

/// `slipway config show`
#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}
