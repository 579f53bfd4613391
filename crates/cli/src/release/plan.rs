//! The release plan: every step and its inputs, decided before anything is touched.
//!
//! A plan is computed once and stored in the journal; a resumed release runs the stored plan, so
//! that the version, the tag and the notes cannot drift between a failed run and the next.

use std::path::PathBuf;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use versioning::{Level, Version};

use crate::bad_input;
use crate::context::Context;
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
    /// Each image pushed to its OCI repository under the version (and the floating tags and
    /// `latest` that a stable release moves).
    PublishOci,
    /// The workspace's crates published to their registry, dependencies first.
    PublishCrates,
    /// The GitHub Release created or updated with the notes.
    GithubRelease,
    /// Every published artifact checked.
    Verify,
    /// The `after-publish` hooks.
    AfterPublishHooks,
    /// A hotfix's fixes cherry-picked onto other branches, each pushed.
    CherryPick,
    /// git-flow: the release branch created from the develop branch and checked out.
    CreateBranch,
    /// git-flow: the release (or hotfix) branch merged into the main branch (`--no-ff`).
    MergeMain,
    /// git-flow: the main branch merged back into the develop branch.
    MergeDevelop,
    /// git-flow: the release (or hotfix) branch deleted, here and on the remote.
    DeleteBranch,
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
            StepKind::PublishCrates => "publish-crates",
            StepKind::GithubRelease => "github-release",
            StepKind::Verify => "verify",
            StepKind::AfterPublishHooks => "after-publish-hooks",
            StepKind::CherryPick => "cherry-pick",
            StepKind::CreateBranch => "create-branch",
            StepKind::MergeMain => "merge-main",
            StepKind::MergeDevelop => "merge-develop",
            StepKind::DeleteBranch => "delete-branch",
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
                | StepKind::CreateBranch
                | StepKind::MergeMain
                | StepKind::MergeDevelop
        )
    }

    /// Whether the step checks out what it needs itself and recognises its own work, however it
    /// was finished: a merge or a cherry-pick whose conflict the user resolved and committed. A
    /// resumed release goes on with such a step from whatever is checked out.
    pub fn positions_itself(self) -> bool {
        matches!(
            self,
            StepKind::MergeMain | StepKind::MergeDevelop | StepKind::CherryPick
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
        /// The branches the fixes are cherry-picked onto afterwards, in order.
        #[serde(deserialize_with = "one_or_many")]
        cherry_pick_to: Vec<String>,
    },
    /// git-flow: a release branch cut from the develop branch, with the version files and the
    /// changelog section committed on it (`slipway release start`). Nothing is tagged.
    ReleaseStart {
        /// The branch it is cut from.
        from: String,
    },
    /// git-flow: a release or hotfix branch merged into the main branch and tagged there, the
    /// main branch merged back into the develop branch, the branch deleted
    /// (`slipway release finish`, `slipway hotfix finish`).
    Finish {
        /// The branch releases are tagged on.
        main: String,
        /// The branch the main branch is merged back into.
        develop: String,
        /// Whether the branch is a hotfix branch (from the main branch's latest release).
        hotfix: bool,
    },
}

/// A journal written when `cherry_pick_to` was one optional branch still reads.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        None(Option<String>),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::None(one) => one.into_iter().collect(),
        OneOrMany::Many(many) => many,
    })
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
    /// The `[Unreleased]` link that follows the release, if the remote is a known forge.
    #[serde(default)]
    pub unreleased_link: Option<(String, String)>,
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
            unreleased_link: self.unreleased_link.as_ref().map(|(label, url)| {
                changelog::LinkDefinition {
                    label: label.clone(),
                    url: url.clone(),
                }
            }),
        }
    }
}

/// A release plan: everything the steps will use, decided before anything is touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// version, never tagged before), `hotfix` or `explicit`.
    pub reason: String,
    /// The branch the release is made on.
    pub branch: String,
    /// The remote pushed to.
    pub remote: String,
    /// The commit `HEAD` was at when the plan was made.
    pub base_commit: String,
    /// The release commit's message.
    pub commit_message: String,
    /// The version files the release writes, relative to the project.
    pub version_files: Vec<PathBuf>,
    /// The changelog file, relative to the project.
    pub changelog_path: PathBuf,
    /// The changelog section.
    pub changelog: ChangelogBlock,
    /// The release notes (the tag message and the GitHub Release body).
    pub notes: String,
    /// The title of the tag message and of the GitHub Release, e.g. `mcp-hangar 1.2.0`.
    pub title: String,
    /// Sign the tag (`git tag -s`).
    pub sign_tag: bool,
    /// Where it is published.
    pub publish: Publish,
    /// The steps, in order.
    pub steps: Vec<StepKind>,
    /// What the plan was made from, besides `HEAD` and the branch: a resumed release refuses to run
    /// when the configuration differs.
    pub config: crate::config::Config,
    /// The change files the release consumes (removed in the release commit), relative to the
    /// project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change_files: Vec<PathBuf>,
    /// The change files that also name packages this release does not release: kept for them,
    /// rewritten without the packages released (in the release commit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub change_rewrites: Vec<ChangeRewrite>,
    /// In a repository of several packages, each package released, in publishing order
    /// (dependencies first); the fields above then describe the first one, and the commit, the
    /// tags and the push cover them all. Empty for a single-package release.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackagePlan>,
}

/// A change file kept for the packages a release does not release, and its new text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRewrite {
    /// Its path, relative to the project.
    pub path: PathBuf,
    /// Its text without the packages released.
    pub text: String,
}

/// One package of a release of several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackagePlan {
    /// Its name.
    pub name: String,
    /// Its directory, relative to the project.
    pub path: PathBuf,
    /// The version being released.
    pub version: Version,
    /// Its tag.
    pub tag: String,
    /// The package's previous release, if there is one.
    pub previous_version: Option<Version>,
    /// Its tag.
    pub previous_tag: Option<String>,
    /// Why this version (as [`Plan::reason`]), or `dependency` when only a requirement moved.
    pub reason: String,
    /// Its version files, relative to the project.
    pub version_files: Vec<PathBuf>,
    /// Its changelog, relative to the project.
    pub changelog_path: PathBuf,
    /// Its changelog section.
    pub changelog: ChangelogBlock,
    /// Its release notes (its tag's message).
    pub notes: String,
    /// `core 1.1.0`.
    pub title: String,
    /// The packages it requires whose release rewrote its requirement on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<DependencyBump>,
    /// Where it is published (its own targets, see [`crate::packages`]).
    #[serde(default)]
    pub publish: Publish,
}

/// A requirement of a package that follows another package's release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyBump {
    /// The package required.
    pub name: String,
    /// Its new version.
    pub version: Version,
}

impl Plan {
    /// Whether the version is a pre-release.
    pub fn is_prerelease(&self) -> bool {
        self.version.is_prerelease()
    }

    /// The branch the release starts on: the develop branch for `release start`, else
    /// [`Plan::branch`].
    pub fn start_branch(&self) -> &str {
        match &self.kind {
            PlanKind::ReleaseStart { from } => from,
            _ => &self.branch,
        }
    }

    /// The branches and tags the push step pushes, in one atomic push.
    pub fn pushed_refs(&self) -> (Vec<String>, Vec<String>) {
        match &self.kind {
            PlanKind::ReleaseStart { .. } => (vec![self.branch.clone()], Vec::new()),
            PlanKind::Finish { main, develop, .. } => {
                (vec![main.clone(), develop.clone()], vec![self.tag.clone()])
            }
            PlanKind::Release | PlanKind::Hotfix { .. } => {
                (vec![self.branch.clone()], self.all_tags())
            }
        }
    }

    /// The command that resumes this release, and with `--abort` gives it up.
    pub fn command(&self) -> &'static str {
        match &self.kind {
            PlanKind::Release => "slipway release",
            PlanKind::Hotfix { .. } | PlanKind::Finish { hotfix: true, .. } => {
                "slipway hotfix finish"
            }
            PlanKind::ReleaseStart { .. } => "slipway release start",
            PlanKind::Finish { hotfix: false, .. } => "slipway release finish",
        }
    }

    /// Whether the plan tags and publishes (everything but `release start`).
    pub fn tags(&self) -> bool {
        !matches!(self.kind, PlanKind::ReleaseStart { .. })
    }

    /// Every tag the release makes: one per package, or the release's.
    pub fn all_tags(&self) -> Vec<String> {
        if self.packages.is_empty() {
            vec![self.tag.clone()]
        } else {
            self.packages
                .iter()
                .map(|package| package.tag.clone())
                .collect()
        }
    }

    /// The release of one package of a release of several, as a release of its own: its version,
    /// tag, notes, changelog section and targets, with the rest of the plan (branch, remote,
    /// commit). The publishing steps run on it, one package at a time.
    #[must_use]
    pub fn for_package(&self, package: &PackagePlan) -> Plan {
        Plan {
            version: package.version.clone(),
            tag: package.tag.clone(),
            previous_version: package.previous_version.clone(),
            previous_tag: package.previous_tag.clone(),
            reason: package.reason.clone(),
            version_files: package.version_files.clone(),
            changelog_path: package.changelog_path.clone(),
            changelog: package.changelog.clone(),
            notes: package.notes.clone(),
            title: package.title.clone(),
            publish: package.publish.clone(),
            change_files: Vec::new(),
            change_rewrites: Vec::new(),
            packages: Vec::new(),
            ..self.clone()
        }
    }

    /// The command that rolls the release back, for messages: `` `slipway rollback 1.2.0` ``, or
    /// one per package.
    pub fn rollback_command(&self) -> String {
        if self.packages.is_empty() {
            format!("`slipway rollback {}`", self.version)
        } else {
            self.packages
                .iter()
                .map(|package| {
                    format!(
                        "`slipway rollback {} --package {}`",
                        package.version, package.name
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    /// What is released, for messages: `1.2.0`, or `core 1.1.0, app 1.0.1`.
    pub fn released(&self) -> String {
        if self.packages.is_empty() {
            self.version.to_string()
        } else {
            self.packages
                .iter()
                .map(|package| format!("{} {}", package.name, package.version))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// Where a release is published, as planned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publish {
    /// The Python package index.
    pub pypi: Option<PypiPlan>,
    /// The images, one per OCI repository.
    #[serde(default)]
    pub oci: Vec<OciPlan>,
    /// The GitHub Release.
    pub github: Option<GithubPlan>,
    /// The crates.
    #[serde(default)]
    pub crates: Option<crate::crates::CratesPlan>,
}

impl Publish {
    /// Whether anything is published.
    pub fn any(&self) -> bool {
        self.pypi.is_some()
            || !self.oci.is_empty()
            || self.github.is_some()
            || self.crates.is_some()
    }
}

/// The upload to a Python package index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PypiPlan {
    /// The upload URL (credentials removed).
    pub index: String,
    /// Which of the project's indexes: a pre-release goes to the pre-release index when one is
    /// configured.
    #[serde(default)]
    pub channel: crate::targets::PypiChannel,
    /// The project's name on the index.
    pub project: String,
    /// The version as PEP 440 spells it (`1.2.0rc1`).
    pub version: String,
    /// The globs the distributions are found with, after the build.
    pub patterns: Vec<String>,
}

/// The push of the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OciPlan {
    /// The repository (`ghcr.io/owner/app`).
    pub repository: String,
    /// The image layout, relative to the project.
    pub layout: PathBuf,
    /// The tags pushed: the version first, then each floating tag and `latest` that
    /// [`super::latest`] lets this release move.
    pub tags: Vec<String>,
    /// Every floating tag and `latest` of the image for this version, with the series each
    /// follows, whether this release moves it or not (verification asks where each should point).
    #[serde(default)]
    pub moving: Vec<MovingTag>,
    /// The platforms the image must carry.
    pub platforms: Vec<String>,
}

/// A tag that follows the highest stable release of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovingTag {
    /// The tag, e.g. `1.2` or `latest`.
    pub tag: String,
    /// The releases it follows.
    pub series: super::latest::Series,
}

/// The GitHub Release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubPlan {
    /// `owner/name`.
    pub repository: Option<String>,
    /// Marked as a pre-release.
    pub prerelease: bool,
    /// Whether it becomes the repository's latest release (`None` for pre-releases).
    pub make_latest: Option<bool>,
    /// The globs of the files attached.
    pub assets: Vec<String>,
}

impl GithubPlan {
    /// The release as `registry::github` takes it.
    pub fn spec(&self, plan: &Plan) -> registry::github::ReleaseSpec {
        registry::github::ReleaseSpec {
            tag: plan.tag.clone(),
            name: plan.title.clone(),
            body: plan.notes.clone(),
            prerelease: self.prerelease,
            draft: false,
            make_latest: self.make_latest,
            target_commitish: None,
        }
    }
}

/// What the user asked to bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
    /// The tag of the release the commits are counted from (the previous release of this line,
    /// reachable or not), if any.
    pub stable_tag: Option<String>,
    /// The next version; `None` when no commit calls for a release.
    pub next: Option<Version>,
    /// Its tag, in the scheme of the latest release.
    pub next_tag: Option<String>,
    /// Why: a level, `promote`, `pre-release`, or `initial`.
    pub reason: Option<String>,
    /// Versions the bump would have given that exist already (on other branches), passed over.
    pub skipped: Vec<Version>,
    /// Every version released in the repository, reachable from `HEAD` or not.
    pub existing: Vec<Version>,
    /// The commits since that release, newest first.
    pub commits: Vec<changelog::Commit>,
    /// The commits that decided the level, as JSON.
    pub decided_by: serde_json::Value,
}

/// Decides the next version: gathers what [`versioning::decide`] needs (every release in the
/// repository with whether `HEAD` contains it, the level the commits since the previous release
/// of this line call for, the version files' version for a first release, today for trains
/// numbered by date) and asks it. The rules are there, each with its example; this function only
/// reads.
///
/// The commits counted are those `HEAD` has and the previous release of this line has not
/// ([`versioning::decide::previous_release`], git's `HEAD ^tag`), whether or not that release is
/// an ancestor of `HEAD`: a stable release cut on a maintenance branch counts for the
/// pre-release train on main.
pub fn decide_next(
    project: &Project,
    repository: &gitops::Repository,
    choice: BumpChoice,
    pre: Option<&str>,
    include_paths: &[String],
    today: Option<changelog::Date>,
    changes: Option<Level>,
) -> anyhow::Result<NextVersion> {
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    let state = crate::tags::release_state(repository, &scheme)?;
    let policy = project.policy()?;
    let releases = state.releases();
    let previous_tag = versioning::decide::previous_release(&releases)
        .map(|version| scheme.tag_of(&version, &state));
    let mut range = gitops::Range::head();
    if let Some(tag) = &previous_tag {
        range = range.exclude(tag.clone());
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
    let bump = generator.bump(&commits);
    let decided_by = serde_json::to_value(&bump.decided_by)?;
    // A first release is the version the files carry.
    let initial = if releases.is_empty() {
        crate::version_files::load(project)
            .ok()
            .as_deref()
            .map(crate::version_files::current_version)
            .transpose()?
            .or_else(|| Some(Version::new(0, 1, 0)))
    } else {
        None
    };
    let mut request = match choice {
        BumpChoice::Auto => versioning::decide::Request::auto(),
        BumpChoice::Level(level) => versioning::decide::Request::level(level),
    };
    if let Some(identifier) = pre {
        request = request.with_prerelease(identifier);
    }
    // Change files combine with the commits: the highest level wins.
    let input = versioning::DecisionInput {
        releases,
        level: bump.level.max(changes),
        request,
        initial,
        date: today.map(|date| {
            u64::try_from(date.year).unwrap_or(0) * 10_000
                + u64::from(date.month) * 100
                + u64::from(date.day)
        }),
    };
    let decision = versioning::decide(&input, &policy).map_err(bad_input)?;
    if let Some(decision) = &decision {
        for skipped in &decision.skipped {
            tracing::info!(
                "{skipped} exists already ({}): passed over",
                state.find(skipped).first().map_or_else(
                    || "released".to_owned(),
                    |tag| format!(
                        "tag {}{}",
                        tag.name,
                        if tag.reachable {
                            ""
                        } else {
                            ", on another branch"
                        }
                    )
                )
            );
        }
    }
    let latest = state.latest_reachable();
    let mut next = NextVersion {
        existing: state.versions().cloned().collect(),
        current: latest.map(|tag| tag.version.clone()),
        current_tag: latest.map(|tag| tag.name.clone()),
        stable_tag: previous_tag,
        next_tag: decision
            .as_ref()
            .map(|decision| scheme.write.format(&decision.version)),
        reason: decision
            .as_ref()
            .map(|decision| decision.reason.to_string()),
        skipped: decision
            .as_ref()
            .map(|decision| decision.skipped.clone())
            .unwrap_or_default(),
        next: decision.map(|decision| decision.version),
        commits,
        decided_by,
    };
    // In git-flow, a release or hotfix branch names the version it will release, whatever the
    // commits on it say (`release start major` was asked for, the fixes on it are patches).
    if let Some((version, reason)) = flow_branch_version(project, repository) {
        if !next.existing.contains(&version) {
            next.next_tag = Some(scheme.write.format(&version));
            next.reason = Some(reason.to_owned());
            next.next = Some(version);
        }
    }
    Ok(next)
}

/// The version the checked-out git-flow release or hotfix branch is for, with what it is.
fn flow_branch_version(
    project: &Project,
    repository: &gitops::Repository,
) -> Option<(Version, &'static str)> {
    let git = &project.config.git;
    if git.flow != crate::config::Flow::GitFlow {
        return None;
    }
    let branch = repository.current_branch().ok()?;
    git.release_branch
        .parse(&branch)
        .map(|version| (version, "release-branch"))
        .or_else(|| {
            git.hotfix_branch
                .parse(&branch)
                .map(|version| (version, "hotfix"))
        })
}

/// The changelog of the release being made: the unreleased commits named as `version`.
pub(crate) fn release_notes(
    project: &Project,
    repository: &gitops::Repository,
    version: &Version,
    tag: &str,
    date: changelog::Date,
) -> anyhow::Result<(ChangelogBlock, String)> {
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    let mut history = recent_history(project, repository, &scheme)?;
    let head = repository.head().context("cannot read HEAD")?;
    let release = changelog::Release {
        version: Some(version.clone()),
        tag: tag.to_owned(),
        target: head.as_str().to_owned(),
        date,
        commits: std::mem::take(&mut history.unreleased),
    };
    history.releases.insert(0, release);
    let remote = history::forge(repository, Some(&project.config.git.remote))?;
    let read = history::RepositoryHistory {
        history,
        remote,
        tags: Vec::new(),
    };
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
            unreleased_link: block.unreleased_link.map(|link| (link.label, link.url)),
        },
        text,
    ))
}

/// The part of the history the notes of a release being made need, split at release tags as the
/// full history is ([`gitops::Repository::release_history`]: each release has the commits it
/// reaches and no release of lower precedence does): the previous release of the line
/// ([`versioning::decide::previous_release`], whose tag the compare link starts from), the
/// releases of higher precedence (the pre-releases since, which a stable release folds, and other
/// lines' releases above it) with their commits, and the unreleased commits.
///
/// Not the whole history (unless there is no previous release, or more than [`WINDOW_WALKS`]
/// releases from it on): on a long one that was most of a release's time, 20 times over in a
/// release of 20 packages. The walks hide the releases from the previous one on, and the lower
/// ones tagged since it (an older line's hotfix merged in later); a lower release tagged before
/// it is behind it, and hiding it would only make each walk go down the whole history.
/// The most releases [`recent_history`] walks one by one.
const WINDOW_WALKS: usize = 16;

fn recent_history(
    project: &Project,
    repository: &gitops::Repository,
    scheme: &crate::tags::TagScheme,
) -> anyhow::Result<changelog::History> {
    let tags = scheme.release_tags(repository)?;
    let state = crate::tags::release_state(repository, scheme)?;
    let boundary = versioning::decide::previous_release(&state.releases())
        .and_then(|version| tags.iter().find(|tag| tag.version == version));
    // Nothing released before, or a long train of pre-releases since (a walk each would cost
    // more than one walk of everything): the whole history, split at every tag.
    let window_size = boundary.map_or(usize::MAX, |boundary| {
        tags.iter()
            .filter(|tag| tag.version >= boundary.version)
            .count()
    });
    let Some(boundary) = boundary.filter(|_| window_size <= WINDOW_WALKS) else {
        return Ok(history::read(
            repository,
            scheme,
            &HistoryRequest {
                include_paths: project.config.changelog.include_paths.clone(),
                range: None,
                remote: None,
            },
        )?
        .history);
    };
    let relevant: Vec<&gitops::Tag> = tags
        .iter()
        .filter(|tag| tag.version >= boundary.version || tag.date.seconds >= boundary.date.seconds)
        .collect();
    let options = gitops::HistoryOptions {
        paths: gitops::PathFilter::new(&project.config.changelog.include_paths),
        ..gitops::HistoryOptions::default()
    };
    let commits = |range: &gitops::Range| -> anyhow::Result<Vec<changelog::Commit>> {
        Ok(repository
            .commits(range, &options)
            .context("cannot read the history")?
            .into_iter()
            .map(history::into_changelog)
            .collect())
    };
    let mut window: Vec<&gitops::Tag> = relevant
        .iter()
        .copied()
        .filter(|tag| tag.version >= boundary.version)
        .collect();
    window.sort_by(|a, b| b.release_order(a));
    let mut releases = Vec::with_capacity(window.len());
    for tag in window {
        // The previous release gives its tag (the compare link), not its commits.
        let owned = tag.name != boundary.name
            && !tags.iter().any(|other| {
                other.target == tag.target
                    && other.release_order(tag) == std::cmp::Ordering::Greater
            });
        let listed = if owned {
            // A commit tagged twice belongs to the higher release: the lower tag hides nothing.
            let range = relevant
                .iter()
                .filter(|lower| {
                    lower.release_order(tag) == std::cmp::Ordering::Less
                        && lower.target != tag.target
                })
                .fold(
                    gitops::Range::empty().include(tag.name.clone()),
                    |range, lower| range.exclude(lower.name.clone()),
                );
            commits(&range)?
        } else {
            Vec::new()
        };
        releases.push(changelog::Release {
            version: Some(tag.version.clone()),
            date: history::date(tag.date),
            target: tag.target.as_str().to_owned(),
            tag: tag.name.clone(),
            commits: listed,
        });
    }
    let unreleased = relevant.iter().fold(gitops::Range::head(), |range, tag| {
        range.exclude(tag.name.clone())
    });
    Ok(changelog::History {
        unreleased: commits(&unreleased)?,
        releases,
    })
}

/// What `slipway release` or `slipway hotfix finish` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// A release from the current branch, or a hotfix from its branch.
    pub kind: RequestKind,
    /// Stop after the push (and the tag check): no build, no publishing.
    pub no_publish: bool,
    /// The release date; default today (the environment's clock, `SOURCE_DATE_EPOCH` first).
    pub date: Option<changelog::Date>,
    /// In a repository of several packages, the packages to release (with their dependents);
    /// empty: every package with pending changes.
    pub packages: Vec<String>,
}

/// The kind of release asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// `slipway release [LEVEL] [--pre ID]`.
    Release {
        /// The bump.
        bump: BumpChoice,
        /// A pre-release identifier (`rc`, `beta`, …).
        pre: Option<String>,
    },
    /// `slipway hotfix finish [--cherry-pick-to BRANCH]…` on a `hotfix/X.Y.Z` branch; in
    /// git-flow, the hotfix branch merged into the main and develop branches.
    Hotfix {
        /// The branches the fixes are cherry-picked onto afterwards (trunk only).
        cherry_pick_to: Vec<String>,
    },
    /// git-flow: `slipway release start [LEVEL] [--pre ID]` on the develop branch.
    ReleaseStart {
        /// The bump.
        bump: BumpChoice,
        /// A pre-release identifier.
        pre: Option<String>,
    },
    /// git-flow: `slipway release finish` on a release branch.
    ReleaseFinish,
}

/// Computes the plan of a release, touching nothing.
pub(super) fn build(context: &Context, request: &Request) -> anyhow::Result<Plan> {
    let project = &context.project;
    let repository = &context.repository;
    let git = &project.config.git;
    let git_flow = git.flow == crate::config::Flow::GitFlow;
    if git_flow && git.main_branch == git.develop_branch {
        return Err(bad_input(anyhow::anyhow!(
            "[git] main-branch and develop-branch are both {}: git-flow needs two branches",
            git.main_branch
        )));
    }
    let packages = crate::packages::discover(project)?;
    if !packages.is_empty() {
        if git_flow {
            return Err(bad_input(anyhow::anyhow!(
                "this repository releases several packages, and git-flow releases one version from one release branch: set [git] flow = \"trunk\" (hotfixes of a package then go through `slipway hotfix start core-v1.2.0`)"
            )));
        }
        match &request.kind {
            RequestKind::Release { bump, pre } => {
                return super::monorepo::build(context, request, &packages, *bump, pre.as_deref());
            }
            RequestKind::Hotfix { cherry_pick_to } => {
                return super::monorepo::hotfix(context, request, &packages, cherry_pick_to);
            }
            RequestKind::ReleaseStart { .. } | RequestKind::ReleaseFinish => {}
        }
    }
    if !request.packages.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "--package {}: this repository releases one project (no [[packages]], and no workspace of several versioned packages was found)",
            request.packages.join(", ")
        )));
    }
    let mut consumed = Vec::new();
    let planned = match &request.kind {
        RequestKind::Release { pre, .. } if git_flow => {
            let on_release_branch = repository
                .current_branch()
                .ok()
                .and_then(|branch| git.release_branch.parse(&branch));
            match (on_release_branch, pre) {
                (Some(stable), Some(identifier)) => candidate(context, &stable, identifier)?,
                (Some(_), None) => {
                    return Err(bad_input(anyhow::anyhow!(
                        "on a release branch, `slipway release --pre rc` tags a release candidate there, and `slipway release finish` makes the release"
                    )));
                }
                (None, _) => {
                    return Err(bad_input(anyhow::anyhow!(
                        "this project releases with git-flow ([git] flow = \"git-flow\"): cut a release branch with `slipway release start` on {}, then `slipway release finish` on it (release candidates: `slipway release --pre rc` on it)",
                        git.develop_branch
                    )));
                }
            }
        }
        RequestKind::ReleaseStart { .. } | RequestKind::ReleaseFinish if !git_flow => {
            return Err(bad_input(anyhow::anyhow!(
                "`slipway release start` and `release finish` are git-flow's: set [git] flow = \"git-flow\" (with main-branch and develop-branch), or release from this branch with `slipway release`"
            )));
        }
        RequestKind::ReleaseStart { bump, pre } => {
            release_start(context, request, *bump, pre.as_deref())?
        }
        RequestKind::ReleaseFinish => finish(context, false)?,
        RequestKind::Hotfix { cherry_pick_to } if git_flow => {
            if !cherry_pick_to.is_empty() {
                return Err(bad_input(anyhow::anyhow!(
                    "--cherry-pick-to is for trunk: in git-flow, `slipway hotfix finish` merges the hotfix into {} and {}",
                    git.main_branch,
                    git.develop_branch
                )));
            }
            finish(context, true)?
        }
        RequestKind::Release { bump, pre } => {
            let today = request.date.unwrap_or_else(|| context.env.today());
            let change_files =
                crate::changes::read(&project.directory, &[crate::changes::project_name(project)])?;
            let next = decide_next(
                project,
                repository,
                *bump,
                pre.as_deref(),
                &[],
                Some(today),
                crate::changes::level(&change_files, &crate::changes::project_name(project)),
            )?;
            consumed = change_files;
            let (Some(version), Some(tag)) = (next.next.clone(), next.next_tag.clone()) else {
                return Err(bad_input(anyhow::anyhow!(
                    "no commit since {} calls for a release (only hidden types such as chore, ci, docs): name the level, e.g. `slipway release patch`",
                    next.stable_tag.as_deref().unwrap_or("the first commit")
                )));
            };
            let branch = release_branch(context)?;
            Planned {
                version,
                tag,
                reason: next.reason.clone().unwrap_or_else(|| "explicit".to_owned()),
                previous: next.current.clone().zip(next.current_tag.clone()),
                released: next.existing,
                branch,
                kind: PlanKind::Release,
            }
        }
        RequestKind::Hotfix { cherry_pick_to } => hotfix(context, cherry_pick_to.clone())?,
    };
    with(context, planned, request, consumed)
}

/// The branch a trunk release is made on: `[git] branch`, or the one checked out.
pub(super) fn release_branch(context: &Context) -> anyhow::Result<String> {
    match &context.project.config.git.branch {
        Some(branch) => Ok(branch.clone()),
        None => context
            .repository
            .current_branch()
            .context("releases are made from a branch"),
    }
}

/// The commit `HEAD` is at, as a plan records it ([`Plan::base_commit`]).
pub(super) fn head_commit(repository: &gitops::Repository) -> anyhow::Result<String> {
    Ok(repository
        .head()
        .context("cannot read HEAD")?
        .as_str()
        .to_owned())
}

/// What the kind of release decided; the rest of the plan follows from it.
pub(super) struct Planned {
    version: Version,
    tag: String,
    reason: String,
    previous: Option<(Version, String)>,
    /// Every version released in the repository.
    released: Vec<Version>,
    branch: String,
    kind: PlanKind,
}

pub(super) fn hotfix(context: &Context, cherry_pick_to: Vec<String>) -> anyhow::Result<Planned> {
    let repository = &context.repository;
    let scheme = crate::tags::TagScheme::of(&context.project, repository)?;
    let state = crate::tags::release_state(repository, &scheme)?;
    let branch = repository
        .current_branch()
        .context("a hotfix is released from its branch")?;
    let (version, base_tag) = hotfix_branch(context, &scheme, &state, &branch)?;
    for target in &cherry_pick_to {
        if repository.branch_tip(target)?.is_none() {
            return Err(bad_input(anyhow::anyhow!(
                "--cherry-pick-to {target}: there is no local branch {target}"
            )));
        }
        if *target == branch {
            return Err(bad_input(anyhow::anyhow!(
                "--cherry-pick-to {target}: the fixes are on {target} already; name the branches that need them"
            )));
        }
    }
    Ok(Planned {
        tag: scheme.write.format(&version),
        reason: "hotfix".to_owned(),
        previous: Some((
            previous_of_line(&state, &version).unwrap_or_else(|| version.clone()),
            base_tag.clone(),
        )),
        released: state.versions().cloned().collect(),
        branch,
        kind: PlanKind::Hotfix {
            base_tag,
            cherry_pick_to,
        },
        version,
    })
}

/// The latest stable release of `version`'s line below it.
fn previous_of_line(state: &gitops::ReleaseTags, version: &Version) -> Option<Version> {
    state
        .versions()
        .filter(|other| {
            !other.is_prerelease()
                && other.major() == version.major()
                && other.minor() == version.minor()
                && **other < *version
        })
        .max()
        .cloned()
}

/// The version of hotfix branch `branch` and the tag of the release it follows.
fn hotfix_branch(
    context: &Context,
    scheme: &crate::tags::TagScheme,
    state: &gitops::ReleaseTags,
    branch: &str,
) -> anyhow::Result<(Version, String)> {
    let template = &context.project.config.git.hotfix_branch;
    let version = template
        .parse(branch)
        .filter(|version| version.patch() > 0 && !version.is_prerelease())
        .ok_or_else(|| {
            bad_input(anyhow::anyhow!(
                "{branch} is not a hotfix branch ({}): start one with `slipway hotfix start`, which creates it from the latest release",
                template.as_str()
            ))
        })?;
    // The hotfix follows the line's latest stable release below it (`hotfix start` branched
    // from there).
    let Some(released) = previous_of_line(state, &version) else {
        return Err(bad_input(anyhow::anyhow!(
            "there is no release of the {}.{} line below {version} for this hotfix to follow: `git fetch --tags`, or start the hotfix from a release with `slipway hotfix start`",
            version.major(),
            version.minor()
        )));
    };
    Ok((version, scheme.tag_of(&released, state)))
}

/// git-flow: `release start` on the develop branch.
fn release_start(
    context: &Context,
    request: &Request,
    bump: BumpChoice,
    pre: Option<&str>,
) -> anyhow::Result<Planned> {
    let project = &context.project;
    let repository = &context.repository;
    let git = &project.config.git;
    let current = repository
        .current_branch()
        .context("a release branch is cut from a branch")?;
    if current != git.develop_branch {
        return Err(bad_input(anyhow::anyhow!(
            "a release branch is cut from {develop}, and HEAD is on {current}: `git switch {develop}`{}",
            if git.release_branch.parse(&current).is_some() {
                format!("; {current} is a release branch: `slipway release finish` finishes it")
            } else {
                String::new()
            },
            develop = git.develop_branch
        )));
    }
    let today = request.date.unwrap_or_else(|| context.env.today());
    let next = decide_next(project, repository, bump, pre, &[], Some(today), None)?;
    let (Some(version), Some(tag)) = (next.next.clone(), next.next_tag.clone()) else {
        return Err(bad_input(anyhow::anyhow!(
            "no commit on {current} since {} calls for a release (only hidden types such as chore, ci, docs): name the level, e.g. `slipway release start patch`",
            next.stable_tag.as_deref().unwrap_or("the first commit")
        )));
    };
    // A pre-release train runs on the branch of the release it leads to: release/v1.2.0 carries
    // 1.2.0-rc.1, rc.2 (`slipway release --pre rc` there), then `release finish` makes 1.2.0.
    let branch = git.release_branch.format(&version.to_stable());
    if repository.branch_tip(&branch)?.is_some() {
        return Err(bad_input(anyhow::anyhow!(
            "the release branch {branch} exists already: `git switch {branch}` and `slipway release finish` finish it"
        )));
    }
    Ok(Planned {
        version,
        tag,
        reason: next.reason.clone().unwrap_or_else(|| "explicit".to_owned()),
        previous: next.current.clone().zip(next.current_tag.clone()),
        released: next.existing,
        branch,
        kind: PlanKind::ReleaseStart { from: current },
    })
}

/// git-flow: a release candidate of the release branch's version (`slipway release --pre rc` on
/// `release/v1.2.0`): the next `1.2.0-rc.N` not released yet, tagged on the branch.
fn candidate(context: &Context, stable: &Version, identifier: &str) -> anyhow::Result<Planned> {
    let repository = &context.repository;
    let scheme = crate::tags::TagScheme::of(&context.project, repository)?;
    let state = crate::tags::release_state(repository, &scheme)?;
    let train: Vec<&Version> = state
        .versions()
        .filter(|version| version.is_prerelease() && version.to_stable() == *stable)
        .collect();
    let number = train
        .iter()
        .filter(|version| version.prerelease_identifiers().first() == Some(&identifier))
        .filter_map(|version| version.prerelease_identifiers().get(1)?.parse::<u64>().ok())
        .max()
        .map_or(1, |number| number + 1);
    let version = stable
        .with_prerelease(&format!("{identifier}.{number}"))
        .with_context(|| format!("--pre {identifier}: not a pre-release identifier"))
        .map_err(bad_input)?;
    if let Some(higher) = train.iter().find(|existing| ***existing > version) {
        return Err(bad_input(anyhow::anyhow!(
            "{higher} is released already, and {version} would come before it: continue its train (`--pre {}`)",
            higher.prerelease_identifiers().first().unwrap_or(&"rc")
        )));
    }
    let previous = state
        .latest_reachable()
        .map(|tag| (tag.version.clone(), tag.name.clone()));
    Ok(Planned {
        tag: scheme.write.format(&version),
        reason: "pre-release".to_owned(),
        previous,
        released: state.versions().cloned().collect(),
        branch: repository
            .current_branch()
            .context("a release candidate is tagged on its release branch")?,
        kind: PlanKind::Release,
        version,
    })
}

/// git-flow: `release finish` on a release branch, `hotfix finish` on a hotfix branch.
fn finish(context: &Context, hotfix: bool) -> anyhow::Result<Planned> {
    let project = &context.project;
    let repository = &context.repository;
    let git = &project.config.git;
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    let state = crate::tags::release_state(repository, &scheme)?;
    let branch = repository
        .current_branch()
        .context("a release is finished on its branch")?;
    let (version, previous) = if hotfix {
        let (version, base_tag) = hotfix_branch(context, &scheme, &state, &branch)?;
        let previous = previous_of_line(&state, &version).map(|released| (released, base_tag));
        (version, previous)
    } else {
        let version = git.release_branch.parse(&branch).ok_or_else(|| {
            bad_input(anyhow::anyhow!(
                "{branch} is not a release branch ({}): `slipway release start` on {} cuts one{}",
                git.release_branch.as_str(),
                git.develop_branch,
                if git.hotfix_branch.parse(&branch).is_some() {
                    format!("; {branch} is a hotfix branch: `slipway hotfix finish` finishes it")
                } else {
                    String::new()
                }
            ))
        })?;
        let previous = state
            .latest_reachable()
            .map(|tag| (tag.version.clone(), tag.name.clone()));
        (version, previous)
    };
    for (role, name) in [("main", &git.main_branch), ("develop", &git.develop_branch)] {
        if *name == branch {
            return Err(bad_input(anyhow::anyhow!(
                "{branch} is the {role} branch ([git] {role}-branch): a release is finished on its own branch"
            )));
        }
    }
    // git-flow: a hotfix finished while a release branch is open goes into that branch instead
    // of develop (which gets it when the release is finished).
    let develop = if hotfix {
        repository
            .local_branches()?
            .into_iter()
            .filter_map(|name| {
                git.release_branch
                    .parse(&name)
                    .map(|version| (version, name))
            })
            .max()
            .map_or_else(|| git.develop_branch.clone(), |(_, name)| name)
    } else {
        git.develop_branch.clone()
    };
    Ok(Planned {
        tag: scheme.write.format(&version),
        reason: if hotfix { "hotfix" } else { "release-branch" }.to_owned(),
        previous,
        released: state.versions().cloned().collect(),
        branch,
        kind: PlanKind::Finish {
            main: git.main_branch.clone(),
            develop,
            hotfix,
        },
        version,
    })
}

pub(super) fn with(
    context: &Context,
    planned: Planned,
    request: &Request,
    changes: Vec<crate::changes::Change>,
) -> anyhow::Result<Plan> {
    let project = &context.project;
    let repository = &context.repository;
    let Planned {
        version,
        tag,
        reason,
        previous,
        released,
        branch,
        kind,
    } = planned;
    if released.contains(&version)
        || repository
            .find_tag(&tag)
            .context("cannot read the tags")?
            .is_some()
    {
        let next_free = versioning::decide::hotfix_target(
            &released
                .iter()
                .map(|version| versioning::decide::ExistingRelease::unreachable(version.clone()))
                .collect::<Vec<_>>(),
            &version,
        )
        .map(|target| target.version);
        return Err(bad_input(anyhow::anyhow!(
            "{version} is already released (tag {tag}), and a released version is never made again{}",
            next_free.map_or_else(
                |_| String::new(),
                |next| format!(
                    "; the next free version of the {}.{} line is {next}",
                    version.major(),
                    version.minor()
                )
            )
        )));
    }
    let date = request.date.unwrap_or_else(|| context.env.today());
    let (mut changelog, notes) = release_notes(project, repository, &version, &tag, date)?;
    let name = crate::changes::project_name(project);
    let entries: Vec<(Level, String)> = changes
        .iter()
        .filter_map(|change| Some((change.level_for(&name)?, change.file.entry())))
        .collect();
    let added = add_entries(&mut changelog, &entries, &[]);
    let notes = notes_as_filed(project, &version, &changelog, notes, added)?;
    let publish = if request.no_publish || matches!(kind, PlanKind::ReleaseStart { .. }) {
        Publish::default()
    } else {
        publish(context, &version, &released)?
    };
    let steps = steps(
        &StepNeeds::of(&project.config.hooks, &publish),
        request.no_publish,
        &kind,
    );
    let mut version_files: Vec<PathBuf> = crate::version_files::load(project)?
        .into_iter()
        .map(|file| file.path)
        .collect();
    for edit in crate::version_files::plan_project(project, &version)? {
        if !version_files.contains(&edit.path) {
            version_files.push(edit.path);
        }
    }
    let (previous_version, previous_tag) = previous.unzip();
    Ok(Plan {
        kind,
        previous_version,
        previous_tag,
        reason,
        branch,
        remote: project.config.git.remote.clone(),
        base_commit: head_commit(repository)?,
        commit_message: crate::config::RELEASE_COMMIT_TEMPLATE
            .replace("{version}", &version.to_string()),
        version_files,
        changelog_path: project.config.changelog.path.clone(),
        changelog,
        notes,
        title: format!("{} {version}", project.name.as_deref().unwrap_or("Release")),
        sign_tag: project.config.git.sign_tags,
        publish,
        steps,
        config: project.config.clone(),
        change_files: changes.into_iter().map(|change| change.path).collect(),
        change_rewrites: Vec::new(),
        packages: Vec::new(),
        tag,
        version,
    })
}

/// Adds what a release says besides its commits to its changelog section: the text of each
/// change file (under the section of its level: `Breaking changes`, `Added`, `Fixed`) and the
/// requirements that follow other packages' releases (`Dependencies`). Whether it added any.
pub(super) fn add_entries(
    block: &mut ChangelogBlock,
    changes: &[(Level, String)],
    dependencies: &[DependencyBump],
) -> bool {
    let mut text = block.text.clone();
    for (level, title) in [
        (Level::Major, "Breaking changes"),
        (Level::Minor, "Added"),
        (Level::Patch, "Fixed"),
    ] {
        let items: Vec<String> = changes
            .iter()
            .filter(|(change_level, _)| *change_level == level)
            .map(|(_, entry)| entry.clone())
            .collect();
        text = changelog::add_entries(&text, title, &items);
    }
    let items: Vec<String> = dependencies
        .iter()
        .map(|bump| format!("- {} {}", bump.name, bump.version))
        .collect();
    text = changelog::add_entries(&text, "Dependencies", &items);
    let added = text != block.text;
    block.text = text;
    added
}

/// The release notes as the changelog file's section will say them, hand-written lines included
/// (carried from Unreleased, a re-released section, or folded candidates), and the entries
/// [`add_entries`] added (`added`), followed by the compare link of the generated notes.
pub(super) fn notes_as_filed(
    project: &Project,
    version: &Version,
    changelog: &ChangelogBlock,
    notes: String,
    added: bool,
) -> anyhow::Result<String> {
    let existing = crate::fsutil::read_changelog(&crate::fsutil::inside_from(
        project.boundary(),
        &project.directory,
        &project.config.changelog.path,
        if project.root.is_some() {
            "[[packages]] changelog"
        } else {
            "changelog.path"
        },
    )?)?;
    let Some(body) = file_section_body(&project.config, version, changelog, &existing) else {
        return Ok(notes);
    };
    let generated = changelog
        .text
        .split_once('\n')
        .map_or("", |(_, body)| body)
        .trim();
    if body == generated && !added {
        return Ok(notes);
    }
    let compare = notes
        .lines()
        .rev()
        .find(|line| line.starts_with("**Full Changelog**"))
        .map(str::to_owned);
    Ok(match compare {
        Some(compare) => format!("{body}\n\n{compare}\n"),
        None => format!("{body}\n"),
    })
}

/// The changelog file's text once the release `block` of `version` is merged into `existing`
/// (its section regenerated with the hand-written lines kept, the version's pre-release sections
/// folded as configured); `None` when that changes nothing.
pub(super) fn merged_changelog(
    config: &crate::config::Config,
    version: &Version,
    block: &ChangelogBlock,
    existing: &str,
) -> Option<String> {
    let changelog::MergeOutcome::Updated(mut merged) =
        changelog::merge_rerelease(existing, &block.to_block())
    else {
        return None;
    };
    if config.changelog.fold_prereleases {
        merged = changelog::fold_prerelease_sections(
            &merged,
            version,
            config.changelog.prerelease_sections.into(),
        );
    }
    (merged != existing).then_some(merged)
}

/// The body (without its heading) of `version`'s section in the changelog file once the
/// release is merged into `existing`, as the changelog step will write it.
fn file_section_body(
    config: &crate::config::Config,
    version: &Version,
    block: &ChangelogBlock,
    existing: &str,
) -> Option<String> {
    let merged =
        merged_changelog(config, version, block, existing).unwrap_or_else(|| existing.to_owned());
    let section = changelog::section_of(&merged, &block.label)?;
    Some(
        section
            .split_once('\n')
            .map_or("", |(_, body)| body)
            .trim()
            .to_owned(),
    )
}

/// Where the release goes, from the resolved targets; `released` is every version released so far
/// (which tags the release may move follows from it).
pub(super) fn publish(
    context: &Context,
    version: &Version,
    released: &[Version],
) -> anyhow::Result<Publish> {
    let targets = &context.targets;
    let moves_latest = super::latest::moves_to(version, released);
    let pypi = match &targets.pypi {
        Some(target) => Some(PypiPlan {
            index: target
                .index(target.channel_of(version))?
                .index
                .display_url(),
            channel: target.channel_of(version),
            project: target.project.clone().ok_or_else(|| {
                bad_input(anyhow::anyhow!(
                    "the project has no name to publish to the index under: set `name` in the configuration or `[project] name` in pyproject.toml"
                ))
            })?,
            version: versioning::to_pep440(version)
                .with_context(|| {
                    format!("{version} has no PEP 440 form, so it cannot be published to a Python index")
                })
                .map_err(bad_input)?
                .to_string(),
            patterns: target.patterns.clone(),
        }),
        None => None,
    };
    let oci = targets
        .oci
        .iter()
        .map(|target| {
            let moving: Vec<MovingTag> = target
                .moving_tags(version)
                .into_iter()
                .map(|(tag, series)| MovingTag { tag, series })
                .collect();
            let mut tags = vec![crate::targets::OciTarget::version_tag(version)];
            tags.extend(
                moving
                    .iter()
                    .filter(|moving| super::latest::moves_in(&moving.series, version, released))
                    .map(|moving| moving.tag.clone()),
            );
            OciPlan {
                repository: target.repository.to_string(),
                layout: target.layout.clone(),
                tags,
                moving,
                platforms: target.platforms.clone(),
            }
        })
        .collect();
    let github = targets.github.as_ref().map(|target| GithubPlan {
        repository: target.repository.clone(),
        prerelease: version.is_prerelease(),
        // GitHub has one Latest release per repository: with several packages, none takes it.
        make_latest: (!version.is_prerelease())
            .then_some(moves_latest && context.project.root.is_none()),
        assets: target.assets.clone(),
    });
    let crates = crate::crates::plan(context, version)?;
    Ok(Publish {
        pypi,
        oci,
        github,
        crates,
    })
}

/// What decides a plan's steps besides its kind: the optional steps (hooks, publishing) it
/// needs; in a release of several packages, those of every package together.
#[derive(Debug, Clone, Default)]
pub(super) struct StepNeeds(Vec<StepKind>);

impl StepNeeds {
    /// The needs of a project with `hooks` publishing to `publish`.
    pub(super) fn of(hooks: &crate::config::HooksConfig, publish: &Publish) -> StepNeeds {
        let wanted = [
            (StepKind::BeforeBumpHooks, !hooks.before_bump.is_empty()),
            (StepKind::BuildHooks, !hooks.build.is_empty()),
            (StepKind::PublishPypi, publish.pypi.is_some()),
            (StepKind::PublishOci, !publish.oci.is_empty()),
            (StepKind::PublishCrates, publish.crates.is_some()),
            (StepKind::GithubRelease, publish.github.is_some()),
            (StepKind::Verify, publish.any()),
            (StepKind::AfterPublishHooks, !hooks.after_publish.is_empty()),
        ];
        StepNeeds(
            wanted
                .into_iter()
                .filter_map(|(step, wanted)| wanted.then_some(step))
                .collect(),
        )
    }

    /// Both needs together.
    #[must_use]
    pub(super) fn and(mut self, other: StepNeeds) -> StepNeeds {
        for step in other.0 {
            if !self.0.contains(&step) {
                self.0.push(step);
            }
        }
        self
    }

    fn has(&self, step: StepKind) -> bool {
        self.0.contains(&step)
    }
}

/// The steps of a release: publishing steps only for what is configured.
pub(super) fn steps(needs: &StepNeeds, no_publish: bool, kind: &PlanKind) -> Vec<StepKind> {
    let mut steps = vec![StepKind::Preflight];
    if needs.has(StepKind::BeforeBumpHooks) {
        steps.push(StepKind::BeforeBumpHooks);
    }
    if let PlanKind::ReleaseStart { .. } = kind {
        steps.extend([
            StepKind::CreateBranch,
            StepKind::VersionFiles,
            StepKind::Changelog,
            StepKind::Commit,
            StepKind::Push,
        ]);
        return steps;
    }
    steps.extend([
        StepKind::VersionFiles,
        StepKind::Changelog,
        StepKind::Commit,
    ]);
    // The tagged commit's version files are checked before anything is pushed: a tag that
    // disagrees with them never leaves this machine.
    if let PlanKind::Finish { .. } = kind {
        steps.extend([
            StepKind::MergeMain,
            StepKind::Tag,
            StepKind::CheckTag,
            StepKind::MergeDevelop,
            StepKind::Push,
            StepKind::DeleteBranch,
        ]);
    } else {
        steps.extend([StepKind::Tag, StepKind::CheckTag, StepKind::Push]);
    }
    if !no_publish {
        steps.extend(
            [
                StepKind::BuildHooks,
                StepKind::PublishPypi,
                StepKind::PublishOci,
                StepKind::PublishCrates,
                StepKind::GithubRelease,
                StepKind::Verify,
                StepKind::AfterPublishHooks,
            ]
            .into_iter()
            .filter(|step| needs.has(*step)),
        );
    }
    if let PlanKind::Hotfix { cherry_pick_to, .. } = kind {
        if !cherry_pick_to.is_empty() {
            steps.push(StepKind::CherryPick);
        }
    }
    steps
}
