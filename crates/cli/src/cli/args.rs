//! Command-line vocabulary: clap types only, translated into domain types by [`crate::cli::commands`].
//!
//! Each command group keeps its arguments in its own struct; adding a command means adding one
//! variant to [`Command`] and one arm to `commands::run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod pypi;
pub mod release;

/// A tag name from the command line: refused (exit 2) with the git rule it breaks, before git
/// sees it and answers in libgit2's words.
pub(crate) fn tag_name(text: &str) -> Result<String, versioning::RefNameError> {
    versioning::check_tag_name(text).map(|()| text.to_owned())
}

/// A branch name from the command line, checked like [`tag_name`].
pub(crate) fn branch_name(text: &str) -> Result<String, versioning::RefNameError> {
    versioning::check_branch_name(text).map(|()| text.to_owned())
}

/// Release engineering from version bump to rollback.
#[derive(Debug, Parser)]
#[command(
    name = "slipway",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if slipway was started in DIR.
    #[arg(short = 'C', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace); `SLIPWAY_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// `--json`, for every command that reports a result (the schemas are in docs/json.md).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct JsonArgs {
    /// Print the result as one JSON object on stdout (`schema_version` 1; see docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute, convert, sort, write and check versions.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Write a changelog from the conventional commits of any git repository.
    Changelog(ChangelogArgs),
    /// Print the next version, decided by the commits since the last release tag.
    NextVersion(NextVersionArgs),
    /// Publish release artifacts to a registry.
    #[command(subcommand)]
    Publish(PublishCommand),
    /// Verify a release (`slipway verify 1.2.0`: the tag, PyPI, the image, the GitHub Release), or
    /// what one registry serves (`slipway verify pypi|oci …`).
    Verify(VerifyArgs),
    /// Point a tag at the image another reference names (the manifest is copied by its bytes; no blob moves).
    Retag(RetagArgs),
    /// List the tags of an OCI repository.
    Tags(TagsArgs),
    /// Delete one tag of an OCI repository, leaving other tags on the same image alone.
    DeleteTag(DeleteTagArgs),
    /// Take a release back from a registry.
    #[command(subcommand)]
    Yank(YankCommand),
    /// Make a release: bump, changelog, commit, tag, push, publish, verify; resumable.
    Release(release::ReleaseArgs),
    /// List the packages of a repository that releases several: version, last tag, pending changes.
    Packages(PackagesArgs),
    /// Change files: changes written down for the next release (`.changes/*.md`).
    #[command(subcommand)]
    Change(ChangeCommand),
    /// Cut a hotfix branch from a release tag, and release it.
    #[command(subcommand)]
    Hotfix(release::HotfixCommand),
    /// Point `latest` back at the previous stable image and mark the release as having known issues.
    Rollback(release::RollbackArgs),
    /// Release tags.
    #[command(subcommand)]
    Tag(release::TagCommand),
    /// Check the repository and the version files before a release.
    Check(release::CheckRepositoryArgs),
    /// Write a commented slipway.toml.
    Init(release::InitArgs),
    /// The configuration.
    #[command(subcommand)]
    Config(release::ConfigCommand),
    /// Check that commits are conventional commits of the project's types (a range, or a
    /// commit-msg hook's message file).
    LintCommits(LintCommitsArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (or write one page per command with --output-dir).
    Man(ManArgs),
}

/// `slipway lint-commits`
#[derive(Debug, Args)]
pub struct LintCommitsArgs {
    /// The commits to check, as git names a range (`v1.2.0..HEAD`). Default: the commits since
    /// the latest release `HEAD` contains.
    #[arg(long, value_name = "A..B", conflicts_with = "message_file")]
    pub range: Option<String>,
    /// Check the message in this file instead (a `commit-msg` hook's first argument).
    #[arg(long, value_name = "FILE")]
    pub message_file: Option<PathBuf>,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway packages`
#[derive(Debug, Args)]
pub struct PackagesArgs {
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway change …`
#[derive(Debug, Subcommand)]
pub enum ChangeCommand {
    /// Write a change file: the packages it names, the level, and the text the changelog shows.
    Add(ChangeAddArgs),
}

/// `slipway change add`
#[derive(Debug, Args)]
pub struct ChangeAddArgs {
    /// The package the change is for (repeatable); default the project, in a single-package
    /// repository.
    #[arg(long = "package", value_name = "NAME")]
    pub packages: Vec<String>,
    /// The level of the change.
    #[arg(long, value_name = "LEVEL", default_value = "patch")]
    pub level: ChangeLevel,
    /// What changed, as the changelog should say it (Markdown); default read from stdin.
    #[arg(value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Print the file that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// The level of a change file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeLevel {
    /// A fix.
    Patch,
    /// A feature.
    Minor,
    /// A breaking change.
    Major,
}

/// `slipway completions SHELL`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `slipway man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `slipway.1` and one page per subcommand (`slipway-release.1`, …) into this
    /// directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// `slipway yank …`
#[derive(Debug, Subcommand)]
pub enum YankCommand {
    /// Delete a release from an index that can (pypiserver), or print the manual step on PyPI.
    Pypi(pypi::YankPypiArgs),
}

/// `slipway changelog`
#[derive(Debug, Args)]
pub struct ChangelogArgs {
    /// Write the changelog to FILE (replacing it) instead of stdout.
    #[arg(short, long, value_name = "FILE", conflicts_with = "prepend")]
    pub output: Option<PathBuf>,
    /// Merge the new releases into FILE (e.g. CHANGELOG.md), keeping everything already in it.
    #[arg(long, value_name = "FILE")]
    pub prepend: Option<PathBuf>,
    /// Only the changes since the last release.
    #[arg(long, conflicts_with = "latest")]
    pub unreleased: bool,
    /// Only the latest release (with `--tag`, the one being made).
    #[arg(long)]
    pub latest: bool,
    /// Only the commits of a range, e.g. `v1.0.0..v1.2.0` or `v1.2.0..HEAD`.
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Name the unreleased changes as the release NEXT (a version or a tag), dated today.
    #[arg(long, value_name = "NEXT")]
    pub tag: Option<String>,
    /// What to write.
    #[arg(long, value_name = "FORMAT", default_value = "md")]
    pub format: ChangelogFormat,
    /// Render with this minijinja template (it receives the same data as `--format json`).
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    pub template: Option<PathBuf>,
    /// Only commits that touch these paths (prefixes or globs, repeatable).
    #[arg(long = "include-path", value_name = "GLOB")]
    pub include_paths: Vec<String>,
    /// Read the configuration from FILE instead of finding it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The date of the release named with `--tag` (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "DATE", requires = "tag")]
    pub date: Option<String>,
    /// Fold pre-releases into the next stable release, or list them on their own.
    #[arg(long, value_name = "BOOL")]
    pub fold_prereleases: Option<bool>,
    /// In a repository of several packages: the changelog of this package (its commits and tags).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
}

/// What `slipway changelog` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangelogFormat {
    /// Keep a Changelog Markdown.
    Md,
    /// JSON with a stable schema (`schema_version`).
    Json,
    /// Release notes of one release (the GitHub Release body): `--latest`, or `--tag NEXT`.
    Notes,
    /// An announcement text for one release.
    Announcement,
}

/// `slipway next-version`
#[derive(Debug, Args)]
pub struct NextVersionArgs {
    /// Make the next version a pre-release with this identifier (alpha, beta, rc, …).
    #[arg(long, value_name = "ID")]
    pub pre: Option<String>,
    /// Print current, next, level and the commits that decided it, as JSON.
    #[arg(long)]
    pub json: bool,
    /// Only commits that touch these paths (prefixes or globs, repeatable).
    #[arg(long = "include-path", value_name = "GLOB")]
    pub include_paths: Vec<String>,
    /// Read the configuration from FILE instead of finding it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// In a repository of several packages: the next version of this package.
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
}

/// `slipway version …`
#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Print the version that follows VERSION.
    Bump(BumpArgs),
    /// Convert a version between SemVer and PEP 440.
    Convert(ConvertArgs),
    /// Sort versions read from stdin, one per line, lowest first.
    Sort(SortArgs),
    /// Write VERSION into the version files of the project.
    Set(SetArgs),
    /// Check that every version file agrees (and with a tag).
    Check(CheckArgs),
}

/// `slipway version bump`
#[derive(Debug, Args)]
pub struct BumpArgs {
    /// The current version (SemVer, e.g. 1.2.3 or 1.3.0-rc.2).
    #[arg(id = "VERSION")]
    pub version: String,
    /// What to bump.
    pub level: BumpLevel,
    /// Start or continue a pre-release train with this identifier (alpha, beta, rc, …).
    #[arg(long, value_name = "ID")]
    pub pre: Option<String>,
    /// Build metadata to attach (ignored for precedence).
    #[arg(long, value_name = "META")]
    pub build: Option<String>,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// What `slipway version bump` bumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BumpLevel {
    /// 1.2.3 → 2.0.0.
    Major,
    /// 1.2.3 → 1.3.0.
    Minor,
    /// 1.2.3 → 1.2.4.
    Patch,
    /// 1.3.0-rc.2 → 1.3.0.
    Promote,
    /// Continue the current pre-release train (with `--pre`): 1.3.0-rc.1 → 1.3.0-rc.2.
    Pre,
}

/// `slipway version convert`
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The scheme to convert to.
    #[arg(long, value_name = "SCHEME")]
    pub to: Scheme,
    /// The version to convert, in the other scheme.
    #[arg(id = "VERSION")]
    pub version: String,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// A version scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// Semantic Versioning 2.0 (`1.2.0-rc.1`).
    Semver,
    /// Python's PEP 440 (`1.2.0rc1`).
    Pep440,
}

/// `slipway version sort`
#[derive(Debug, Args)]
pub struct SortArgs {
    /// How to read and order the versions.
    #[arg(long, value_name = "SCHEME", default_value = "semver")]
    pub scheme: Scheme,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway version set`
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The new version (SemVer; Python files receive its PEP 440 form).
    #[arg(id = "VERSION")]
    pub version: String,
    /// Show a unified diff of what would change and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway version check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also check the version files against this git tag (e.g. `v1.2.3`, or `$GITHUB_REF_NAME` in CI).
    #[arg(long, value_name = "TAG", value_parser = tag_name)]
    pub tag: Option<String>,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway publish …`
#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Push an OCI image layout (directory or tar; one image or a multi-arch index) under one or more tags.
    Oci(PublishOciArgs),
    /// Upload wheels and sdists to PyPI or a private index (sdist first; reruns resume).
    Pypi(pypi::PublishPypiArgs),
}

/// `slipway verify [VERSION | pypi … | oci …]`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct VerifyArgs {
    /// One registry.
    #[command(subcommand)]
    pub command: Option<VerifyCommand>,
    /// The release to verify everywhere the configuration publishes it.
    // The id is not `version`: that name belongs to the `--version` flag clap adds to every command.
    #[arg(required = true, id = "release", value_name = "VERSION")]
    pub version: Option<String>,
    /// How long to wait, in seconds, for a Python index that does not list the release yet.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// In a repository of several packages: the release of this package (`--package core 1.1.0`).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway verify …`
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Check that an image reference resolves, to the expected digest, with the expected platforms.
    Oci(VerifyOciArgs),
    /// Check that a release is on a Python index, with the expected files and sha256.
    Pypi(pypi::VerifyPypiArgs),
}

/// How to reach an OCI registry (credentials come from the environment or Docker's config.json).
#[derive(Debug, Args)]
pub struct OciClientArgs {
    /// Allow plain HTTP to a registry that is not on a loopback address.
    #[arg(long)]
    pub insecure: bool,
    /// With --insecure: send the credentials over that plain HTTP too (in clear text).
    #[arg(long, requires = "insecure")]
    pub allow_insecure_credentials: bool,
    /// Largest upload request in bytes; bigger blobs go up in chunks (default 4 MiB on ghcr.io, its cap; 16 MiB elsewhere).
    #[arg(long, value_name = "BYTES")]
    pub chunk_size: Option<u64>,
    /// How many blobs move at once (default 4).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
}

/// `slipway publish oci`
#[derive(Debug, Args)]
pub struct PublishOciArgs {
    /// The OCI image layout: a directory or a tar, as written by `buildx --output type=oci` or `skopeo copy`.
    pub layout: PathBuf,
    /// The repository to push to, e.g. `ghcr.io/acme/hangar`.
    pub repository: String,
    /// A tag to point at the image (repeat for several, e.g. `--tag 1.4.0 --tag latest`).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Point `latest` at the image even if the other tag is a pre-release.
    #[arg(long)]
    pub force: bool,
    /// The image of the layout to push, by its `org.opencontainers.image.ref.name`, when it holds several.
    #[arg(long, value_name = "NAME")]
    pub ref_name: Option<String>,
    /// A repository of the same registry to mount blobs from instead of uploading them (repeatable).
    #[arg(long, value_name = "REPOSITORY")]
    pub mount_from: Vec<String>,
    /// Registry connection options.
    #[command(flatten)]
    pub client: OciClientArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway retag`
#[derive(Debug, Args)]
pub struct RetagArgs {
    /// The image to tag, e.g. `ghcr.io/acme/hangar:1.4.0` or `…@sha256:…`.
    pub source: String,
    /// The new tag (in the same repository), or a full reference in another repository of the registry.
    pub target: String,
    /// Point `latest` at a pre-release anyway.
    #[arg(long)]
    pub force: bool,
    /// Registry connection options.
    #[command(flatten)]
    pub client: OciClientArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway verify oci`
#[derive(Debug, Args)]
pub struct VerifyOciArgs {
    /// The image reference, e.g. `ghcr.io/acme/hangar:1.4.0`.
    pub reference: String,
    /// The digest it must resolve to.
    #[arg(long, value_name = "DIGEST")]
    pub digest: Option<String>,
    /// A platform that must be present, e.g. `linux/arm64` (repeatable).
    #[arg(long = "platform", value_name = "OS/ARCH")]
    pub platforms: Vec<String>,
    /// Registry connection options.
    #[command(flatten)]
    pub client: OciClientArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway tags`
#[derive(Debug, Args)]
pub struct TagsArgs {
    /// The repository, e.g. `ghcr.io/acme/hangar`.
    pub repository: String,
    /// Tags per request (the registry's default if not given).
    #[arg(long, value_name = "N")]
    pub page_size: Option<u32>,
    /// Registry connection options.
    #[command(flatten)]
    pub client: OciClientArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

/// `slipway delete-tag`
#[derive(Debug, Args)]
pub struct DeleteTagArgs {
    /// The tag to delete, e.g. `ghcr.io/acme/hangar:1.4.0-rc.1`.
    pub reference: String,
    /// Registry connection options.
    #[command(flatten)]
    pub client: OciClientArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: JsonArgs,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        // Catches what clap only checks when a subcommand runs (duplicate ids, bad defaults).
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
