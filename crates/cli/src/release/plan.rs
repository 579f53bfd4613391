//! The release plan: every step and its inputs, decided before anything is touched.
//!
//! A plan is computed once and stored in the journal; a resumed release runs the stored plan, so
//! that the version, the tag and the notes cannot drift between a failed run and the next.

use std::path::PathBuf;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use versioning::{Level, Version};

use crate::bad_input;
use crate::history::{self, HistoryRequest};
use crate::project::Project;

/// One step of a release, by the name the journal and `--json` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// The work tree is clean, on the release branch, complete (not shallow) and not behind.
    Preflight,
    /// The `before-bump` hooks (the tests).
    BeforeBumpHooks,
    /// The new version written into every version file.
    VersionFiles,
    /// The new release merged into the changelog file.
    Changelog,
    /// The changed files committed.
    Commit,
    /// The annotated release tag, with the notes as its message.
    Tag,
    /// The branch and the tag pushed together.
    Push,
    /// The version files agree with the tag (the runbook's "Version mismatch!" check).
    CheckTag,
    /// The `build` hooks.
    BuildHooks,
    /// The distributions uploaded to the Python package index.
    PublishPypi,
    /// The image pushed to the OCI registry under the version (and `latest` for a stable release).
    PublishOci,
    /// The GitHub Release created or updated with the notes.
    GithubRelease,
    /// Every published artifact checked.
    Verify,
    /// The `after-publish` hooks.
    AfterPublishHooks,
    /// A hotfix's fixes cherry-picked onto the main branch, which is pushed.
    CherryPick,
}

impl StepKind {
    /// The step's name, as `--json` and the journal spell it.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Preflight => "preflight",
            StepKind::BeforeBumpHooks => "before-bump-hooks",
            StepKind::VersionFiles => "version-files",
            StepKind::Changelog => "changelog",
            StepKind::Commit => "commit",
            StepKind::Tag => "tag",
            StepKind::Push => "push",
            StepKind::CheckTag => "check-tag",
            StepKind::BuildHooks => "build-hooks",
            StepKind::PublishPypi => "publish-pypi",
            StepKind::PublishOci => "publish-oci",
            StepKind::GithubRelease => "github-release",
            StepKind::Verify => "verify",
            StepKind::AfterPublishHooks => "after-publish-hooks",
            StepKind::CherryPick => "cherry-pick",
        }
    }

    /// Whether the step changes only this machine (the repository, the work tree), so that
    /// `--abort` can undo it.
    pub fn is_local(self) -> bool {
        matches!(
            self,
            StepKind::Preflight
                | StepKind::BeforeBumpHooks
                | StepKind::VersionFiles
                | StepKind::Changelog
                | StepKind::Commit
                | StepKind::Tag
                | StepKind::CheckTag
                | StepKind::BuildHooks
        )
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum PlanKind {
    /// A release from the current branch.
    Release,
    /// A hotfix release from a `hotfix/X.Y.Z` branch.
    Hotfix {
        /// The tag the hotfix branch started from.
        base_tag: String,
        /// The branch the fixes are cherry-picked onto afterwards, if any.
        cherry_pick_to: Option<String>,
    },
}

/// The changelog section of the release, rendered once at planning time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangelogBlock {
    /// The version label, e.g. `1.2.0`.
    pub label: String,
    /// The section's Markdown, heading included.
    pub text: String,
    /// The link reference at the bottom, `[label]: url`, if the remote is a known forge.
    pub link: Option<(String, String)>,
}

impl ChangelogBlock {
    pub(crate) fn to_block(&self) -> changelog::ReleaseBlock {
        changelog::ReleaseBlock {
            label: self.label.clone(),
            text: self.text.clone(),
            link: self
                .link
                .as_ref()
                .map(|(label, url)| changelog::LinkDefinition {
                    label: label.clone(),
                    url: url.clone(),
                }),
        }
    }
}

/// A release plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// A release or a hotfix.
    #[serde(flatten)]
    pub kind: PlanKind,
    /// The version being released.
    pub version: Version,
    /// Its tag.
    pub tag: String,
    /// The previous release's version, if there is one.
    pub previous_version: Option<Version>,
    /// The previous release's tag.
    pub previous_tag: Option<String>,
    /// Why this version: `major`, `minor`, `patch`, `promote`, `initial` (the version files' own
    /// version, never tagged before) or `explicit`.
    pub reason: String,
    /// The branch the release is made on.
    pub branch: String,
    /// The remote pushed to.
    pub remote: String,
    /// The commit `HEAD` was at when the plan was made.
    pub base_commit: String,
    /// The release commit's message.
    pub commit_message: String,
    /// The changelog file, relative to the project.
    pub changelog_path: PathBuf,
    /// The changelog section.
    pub changelog: ChangelogBlock,
    /// The release notes (the tag message and the GitHub Release body).
    pub notes: String,
    /// Whether `latest` moves to this release's image: only for a stable release that is the
    /// highest stable release so far.
    pub move_latest: bool,
    /// The steps, in order.
    pub steps: Vec<StepKind>,
}

impl Plan {
    /// Whether the version is a pre-release.
    pub fn is_prerelease(&self) -> bool {
        self.version.is_prerelease()
    }
}

/// What the user asked to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BumpChoice {
    /// Decide from the commits since the last release.
    Auto,
    /// This level.
    Level(Level),
}

/// The next version, and what decided it.
#[derive(Debug, Clone)]
pub struct NextVersion {
    /// The latest release reachable from `HEAD` (pre-releases included), if any.
    pub current: Option<Version>,
    /// Its tag.
    pub current_tag: Option<String>,
    /// The latest stable release's tag, from which the commits are counted.
    pub stable_tag: Option<String>,
    /// The next version; `None` when no commit calls for a release.
    pub next: Option<Version>,
    /// Why: a level, `promote`, or `initial`.
    pub reason: Option<String>,
    /// The commits since the latest stable release, newest first.
    pub commits: Vec<changelog::Commit>,
    /// The commits that decided the level, as JSON.
    pub decided_by: serde_json::Value,
}

/// Decides the next version from the tags, the commits since the last stable release, and the
/// version files (for a first release).
///
/// The level counts every commit since the latest stable release (an rc's commits belong to the
/// pending release); the bump starts from the latest release of any kind, so that after
/// `1.3.0-rc.1` comes `1.3.0-rc.2` or `1.3.0`, never a second `1.3.0-rc.1`. With no release tag
/// at all, the version files' own version is the first release.
pub fn decide_next(
    project: &Project,
    repository: &gitops::Repository,
    choice: BumpChoice,
    pre: Option<&str>,
    include_paths: &[String],
) -> anyhow::Result<NextVersion> {
    let pattern = project.tag_pattern()?;
    let policy = project.policy()?;
    let stable = repository
        .latest_release(&pattern, false)
        .context("cannot find the latest release tag")?;
    let latest = repository
        .latest_release(&pattern, true)
        .context("cannot find the latest release tag")?;
    let mut range = gitops::Range::head();
    if let Some(tag) = &stable {
        range = range.exclude(tag.name.clone());
    }
    let mut paths = project.config.changelog.include_paths.clone();
    paths.extend(include_paths.iter().cloned());
    let options = gitops::HistoryOptions {
        paths: gitops::PathFilter::new(&paths),
        ..gitops::HistoryOptions::default()
    };
    let commits: Vec<changelog::Commit> = repository
        .commits(&range, &options)
        .context("cannot list the commits since the last release")?
        .iter()
        .map(history::convert)
        .collect();
    let generator = changelog::Generator::new(project.config.changelog.policy())
        .context("the [changelog] configuration")
        .map_err(bad_input)?;
    let decision = generator.bump(&commits);
    let decided_by = serde_json::to_value(&decision.decided_by)?;

    let Some(latest) = latest else {
        // A first release: the version the files already carry, or a bump of it when asked.
        let files = crate::version_files::load(project).ok();
        let written = files
            .as_deref()
            .map(crate::version_files::current_version)
            .transpose()?;
        let base = written.clone().unwrap_or_else(|| Version::new(0, 1, 0));
        let (next, reason) = match (choice, pre) {
            (BumpChoice::Auto, None) => (base, "initial".to_owned()),
            (BumpChoice::Auto, Some(identifier)) => {
                let request = versioning::BumpRequest::new(versioning::Step::Prerelease {
                    level: if base.is_prerelease() {
                        None
                    } else {
                        Some(Level::Patch)
                    },
                    identifier: identifier.to_owned(),
                });
                if base.is_prerelease() {
                    (
                        versioning::bump(&base, &request, &policy).map_err(bad_input)?,
                        "initial".to_owned(),
                    )
                } else {
                    // The first pre-release of the files' version: 1.0.0 → 1.0.0-rc.1.
                    let version = base
                        .with_prerelease(&format!("{identifier}.1"))
                        .map_err(bad_input)?;
                    (version, "initial".to_owned())
                }
            }
            (BumpChoice::Level(level), pre) => {
                (bump_with(&base, level, pre, &policy)?, level.to_string())
            }
        };
        return Ok(NextVersion {
            current: None,
            current_tag: None,
            stable_tag: None,
            next: Some(next),
            reason: Some(reason),
            commits,
            decided_by,
        });
    };

    let level = match choice {
        BumpChoice::Level(level) => Some(level),
        BumpChoice::Auto => decision.level_for(&latest.version, &policy),
    };
    let next = match level {
        Some(level) => Some(bump_with(&latest.version, level, pre, &policy)?),
        None => None,
    };
    let reason = match (&next, level) {
        (Some(next), Some(_)) if latest.version.is_prerelease() && !next.is_prerelease() => {
            Some("promote".to_owned())
        }
        (Some(_), Some(level)) => Some(level.to_string()),
        _ => None,
    };
    Ok(NextVersion {
        current: Some(latest.version.clone()),
        current_tag: Some(latest.name.clone()),
        stable_tag: stable.map(|tag| tag.name),
        next,
        reason,
        commits,
        decided_by,
    })
}

fn bump_with(
    base: &Version,
    level: Level,
    pre: Option<&str>,
    policy: &versioning::Policy,
) -> anyhow::Result<Version> {
    let request = match pre {
        Some(identifier) => versioning::BumpRequest::prerelease(Some(level), identifier),
        None => versioning::BumpRequest::level(level),
    };
    versioning::bump(base, &request, policy)
        .with_context(|| format!("cannot bump {base}"))
        .map_err(bad_input)
}

/// The changelog of the release being made: the unreleased commits named as `version`.
pub(crate) fn release_notes(
    project: &Project,
    repository: &gitops::Repository,
    version: &Version,
    tag: &str,
    date: changelog::Date,
) -> anyhow::Result<(ChangelogBlock, String)> {
    let pattern = project.tag_pattern()?;
    let request = HistoryRequest {
        include_paths: project.config.changelog.include_paths.clone(),
        range: None,
        remote: Some(project.config.git.remote.clone()),
    };
    let mut read = history::read(repository, &pattern, &request)?;
    let head = repository.head().context("cannot read HEAD")?;
    let release = changelog::Release {
        version: Some(version.clone()),
        tag: tag.to_owned(),
        target: head.as_str().to_owned(),
        date,
        commits: std::mem::take(&mut read.history.unreleased),
    };
    read.history.releases.insert(0, release);
    let generator = changelog::Generator::new(project.config.changelog.policy())
        .context("the [changelog] configuration")
        .map_err(bad_input)?;
    let built = generator.build(&read.history, read.remote.as_ref());
    let notes = built
        .releases
        .first()
        .context("the release being made is missing from its own changelog")?;
    let block = changelog::ReleaseBlock::new(&built, notes);
    let text = changelog::release_notes_string(&built, notes);
    Ok((
        ChangelogBlock {
            label: block.label,
            text: block.text,
            link: block.link.map(|link| (link.label, link.url)),
        },
        text,
    ))
}
