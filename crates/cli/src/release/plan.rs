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
}

impl Plan {
    /// Whether the version is a pre-release.
    pub fn is_prerelease(&self) -> bool {
        self.version.is_prerelease()
    }
}

/// Where a release is published, as planned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publish {
    /// The Python package index.
    pub pypi: Option<PypiPlan>,
    /// The OCI repository.
    pub oci: Option<OciPlan>,
    /// The GitHub Release.
    pub github: Option<GithubPlan>,
}

/// The upload to a Python package index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PypiPlan {
    /// The upload URL (credentials removed).
    pub index: String,
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
    /// The tags pushed: the version, and `latest` when [`super::latest`] allows it.
    pub tags: Vec<String>,
    /// The platforms the image must carry.
    pub platforms: Vec<String>,
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
    let input = versioning::DecisionInput {
        releases,
        level: bump.level,
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
    Ok(NextVersion {
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
    let request = HistoryRequest {
        include_paths: project.config.changelog.include_paths.clone(),
        range: None,
        remote: Some(project.config.git.remote.clone()),
    };
    let mut read = history::read(repository, &scheme, &request)?;
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
            unreleased_link: block.unreleased_link.map(|link| (link.label, link.url)),
        },
        text,
    ))
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
    /// `slipway hotfix finish [--cherry-pick-to BRANCH]` on a `hotfix/X.Y.Z` branch.
    Hotfix {
        /// The branch the fixes are cherry-picked onto afterwards.
        cherry_pick_to: Option<String>,
    },
}

/// Computes the plan of a release, touching nothing.
pub(super) fn build(context: &Context, request: &Request) -> anyhow::Result<Plan> {
    let project = &context.project;
    let repository = &context.repository;
    let planned = match &request.kind {
        RequestKind::Release { bump, pre } => {
            let today = request.date.unwrap_or_else(|| context.env.today());
            let next = decide_next(project, repository, *bump, pre.as_deref(), &[], Some(today))?;
            let (Some(version), Some(tag)) = (next.next.clone(), next.next_tag.clone()) else {
                return Err(bad_input(anyhow::anyhow!(
                    "no commit since {} calls for a release (only hidden types such as chore, ci, docs): name the level, e.g. `slipway release patch`",
                    next.stable_tag.as_deref().unwrap_or("the first commit")
                )));
            };
            let branch = match &project.config.git.branch {
                Some(branch) => branch.clone(),
                None => repository
                    .current_branch()
                    .context("releases are made from a branch")?,
            };
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
    with(context, planned, request)
}

/// What the kind of release decided; the rest of the plan follows from it.
struct Planned {
    version: Version,
    tag: String,
    reason: String,
    previous: Option<(Version, String)>,
    /// Every version released in the repository.
    released: Vec<Version>,
    branch: String,
    kind: PlanKind,
}

fn hotfix(context: &Context, cherry_pick_to: Option<String>) -> anyhow::Result<Planned> {
    let repository = &context.repository;
    let scheme = crate::tags::TagScheme::of(&context.project, repository)?;
    let state = crate::tags::release_state(repository, &scheme)?;
    let branch = repository
        .current_branch()
        .context("a hotfix is released from its branch")?;
    let version = branch
        .strip_prefix("hotfix/")
        .and_then(|text| Version::parse(text).ok())
        .filter(|version| version.patch() > 0 && !version.is_prerelease())
        .ok_or_else(|| {
            bad_input(anyhow::anyhow!(
                "{branch} is not a hotfix branch: start one with `slipway hotfix start vX.Y.Z`, which creates hotfix/X.Y.(Z+1)"
            ))
        })?;
    // The hotfix follows the line's latest stable release below it (`hotfix start` branched
    // from there).
    let Some(released) = state
        .versions()
        .filter(|other| {
            !other.is_prerelease()
                && other.major() == version.major()
                && other.minor() == version.minor()
                && **other < version
        })
        .max()
        .cloned()
    else {
        return Err(bad_input(anyhow::anyhow!(
            "there is no release of the {}.{} line below {version} for this hotfix to follow: `git fetch --tags`, or start the hotfix from a release with `slipway hotfix start`",
            version.major(),
            version.minor()
        )));
    };
    let base_tag = scheme.tag_of(&released, &state);
    if let Some(target) = &cherry_pick_to {
        if repository.branch_tip(target)?.is_none() {
            return Err(bad_input(anyhow::anyhow!(
                "--cherry-pick-to {target}: there is no local branch {target}"
            )));
        }
    }
    Ok(Planned {
        tag: scheme.write.format(&version),
        version,
        reason: "hotfix".to_owned(),
        previous: Some((released, base_tag.clone())),
        released: state.versions().cloned().collect(),
        branch,
        kind: PlanKind::Hotfix {
            base_tag,
            cherry_pick_to,
        },
    })
}

fn with(context: &Context, planned: Planned, request: &Request) -> anyhow::Result<Plan> {
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
    let (changelog, mut notes) = release_notes(project, repository, &version, &tag, date)?;
    // The tag's notes and the GitHub Release say what the changelog file's section will say,
    // hand-written lines included (carried from Unreleased, a re-released section, or folded
    // candidates).
    let existing =
        crate::fsutil::read_or_empty(&project.directory.join(&project.config.changelog.path))?;
    if let Some(body) = file_section_body(&project.config, &version, &changelog, &existing) {
        let generated = changelog
            .text
            .split_once('\n')
            .map_or("", |(_, body)| body)
            .trim();
        if body != generated {
            let compare = notes
                .lines()
                .rev()
                .find(|line| line.starts_with("**Full Changelog**"))
                .map(str::to_owned);
            notes = match compare {
                Some(compare) => format!("{body}\n\n{compare}\n"),
                None => format!("{body}\n"),
            };
        }
    }
    let moves_latest = super::latest::moves_to(&version, &released);
    let publish = if request.no_publish {
        Publish::default()
    } else {
        publish(context, &version, moves_latest)?
    };
    let steps = steps(&project.config, request.no_publish, &publish, &kind);
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
        base_commit: repository
            .head()
            .context("cannot read HEAD")?
            .as_str()
            .to_owned(),
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
        tag,
        version,
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

/// Where the release goes, from the resolved targets.
pub(super) fn publish(
    context: &Context,
    version: &Version,
    moves_latest: bool,
) -> anyhow::Result<Publish> {
    let targets = &context.targets;
    let pypi = match &targets.pypi {
        Some(target) => Some(PypiPlan {
            index: target.index.display_url(),
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
    let oci = targets.oci.as_ref().map(|target| OciPlan {
        repository: target.repository.to_string(),
        layout: target.layout.clone(),
        tags: crate::targets::OciTarget::tags(version, target.latest && moves_latest),
        platforms: target.platforms.clone(),
    });
    let github = targets.github.as_ref().map(|target| GithubPlan {
        repository: target.repository.clone(),
        prerelease: version.is_prerelease(),
        make_latest: (!version.is_prerelease()).then_some(moves_latest),
        assets: target.assets.clone(),
    });
    Ok(Publish { pypi, oci, github })
}

/// The steps of a release: publishing steps only for what is configured.
fn steps(
    config: &crate::config::Config,
    no_publish: bool,
    publish: &Publish,
    kind: &PlanKind,
) -> Vec<StepKind> {
    let mut steps = vec![StepKind::Preflight];
    if !config.hooks.before_bump.is_empty() {
        steps.push(StepKind::BeforeBumpHooks);
    }
    steps.extend([
        StepKind::VersionFiles,
        StepKind::Changelog,
        StepKind::Commit,
        StepKind::Tag,
        StepKind::Push,
        StepKind::CheckTag,
    ]);
    if !no_publish {
        if !config.hooks.build.is_empty() {
            steps.push(StepKind::BuildHooks);
        }
        if publish.pypi.is_some() {
            steps.push(StepKind::PublishPypi);
        }
        if publish.oci.is_some() {
            steps.push(StepKind::PublishOci);
        }
        if publish.github.is_some() {
            steps.push(StepKind::GithubRelease);
        }
        if publish.pypi.is_some() || publish.oci.is_some() || publish.github.is_some() {
            steps.push(StepKind::Verify);
        }
        if !config.hooks.after_publish.is_empty() {
            steps.push(StepKind::AfterPublishHooks);
        }
    }
    if let PlanKind::Hotfix {
        cherry_pick_to: Some(_),
        ..
    } = kind
    {
        steps.push(StepKind::CherryPick);
    }
    steps
}
