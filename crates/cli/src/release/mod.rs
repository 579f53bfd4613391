//! Release workflows as resumable plans: `slipway release`, `hotfix finish`, and their journal.
//!
//! A release is computed first, as a [`Plan`]: the version, the tag, the notes, and the ordered
//! steps. `--dry-run` prints the plan (with the file diffs and the changelog section) and stops,
//! having changed nothing anywhere. Otherwise the plan is written to the [journal](journal) and
//! each step runs in turn; after each one the journal records it with its outputs.
//!
//! Every step checks the world before acting, so a run that stopped anywhere (a failed upload, a
//! killed process, a lost network) is finished by `slipway release --resume` without repeating what
//! was done: a tag already there is not created again, a file already on the index is not uploaded
//! again, a manifest already at its digest is not pushed again. `--abort` undoes the local steps (an
//! unpushed tag, an unpushed release commit) and forgets the journal.
//!
//! For tests of exactly that, two environment variables inject a failure:
//! `SLIPWAY_TEST_FAIL_AFTER=<step>` stops right after the step is recorded, and
//! `SLIPWAY_TEST_FAIL_BEFORE_RECORD=<step>` stops after the step's work but before the journal
//! knows it (as a kill at the worst moment would).

pub mod journal;
pub mod plan;
mod publish;
pub mod rollback;
mod steps;

use std::collections::BTreeMap;
use std::io::Write as _;

use anyhow::Context as _;

pub use journal::{Journal, JournalStore, StepRecord};
pub use plan::{BumpChoice, NextVersion, Plan, PlanKind, StepKind, decide_next};

use crate::bad_input;
use crate::project::Project;

/// What `slipway release` was asked to do.
#[derive(Debug, Clone)]
pub struct ReleaseRequest {
    /// The bump.
    pub bump: BumpChoice,
    /// A pre-release identifier (`rc`, `beta`, …).
    pub pre: Option<String>,
    /// Stop after the push (and the tag check): no build, no publishing.
    pub no_publish: bool,
    /// The release date; default today.
    pub date: Option<changelog::Date>,
}

/// How a release run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The journal as it stands at the end.
    pub journal: Journal,
    /// The steps this run carried out (not those already done before).
    pub ran: Vec<StepKind>,
}

/// Computes the plan of a release, touching nothing.
pub fn plan_release(
    project: &Project,
    repository: &gitops::Repository,
    request: &ReleaseRequest,
) -> anyhow::Result<Plan> {
    let next = decide_next(
        project,
        repository,
        request.bump,
        request.pre.as_deref(),
        &[],
    )?;
    let Some(version) = next.next.clone() else {
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
    let reason = next.reason.clone().unwrap_or_else(|| "explicit".to_owned());
    let previous = next.current.clone().zip(next.current_tag.clone());
    let planned = Planned {
        version,
        reason,
        previous,
        branch,
        kind: PlanKind::Release,
    };
    plan_with(
        project,
        repository,
        planned,
        request.no_publish,
        request.date,
    )
}

/// Computes the plan of a hotfix release from the checked-out `hotfix/X.Y.Z` branch.
pub fn plan_hotfix(
    project: &Project,
    repository: &gitops::Repository,
    cherry_pick_to: Option<String>,
    no_publish: bool,
    date: Option<changelog::Date>,
) -> anyhow::Result<Plan> {
    let pattern = project.tag_pattern()?;
    let branch = repository
        .current_branch()
        .context("a hotfix is released from its branch")?;
    let version = branch
        .strip_prefix("hotfix/")
        .and_then(|text| versioning::Version::parse(text).ok())
        .filter(|version| version.patch() > 0 && !version.is_prerelease())
        .ok_or_else(|| {
            bad_input(anyhow::anyhow!(
                "{branch} is not a hotfix branch: start one with `slipway hotfix start vX.Y.Z`, which creates hotfix/X.Y.(Z+1)"
            ))
        })?;
    let released = versioning::Version::new(version.major(), version.minor(), version.patch() - 1);
    let base_tag = pattern.format(&released);
    if repository.find_tag(&base_tag)?.is_none() {
        return Err(bad_input(anyhow::anyhow!(
            "the hotfix starts from {base_tag}, which does not exist: `git fetch --tags`"
        )));
    }
    if let Some(target) = &cherry_pick_to {
        if repository.branch_tip(target)?.is_none() {
            return Err(bad_input(anyhow::anyhow!(
                "--cherry-pick-to {target}: there is no local branch {target}"
            )));
        }
    }
    let planned = Planned {
        version,
        reason: "hotfix".to_owned(),
        previous: Some((released, base_tag.clone())),
        branch,
        kind: PlanKind::Hotfix {
            base_tag,
            cherry_pick_to,
        },
    };
    plan_with(project, repository, planned, no_publish, date)
}

/// What the kind of release decided; the rest of the plan follows from it.
struct Planned {
    version: versioning::Version,
    reason: String,
    previous: Option<(versioning::Version, String)>,
    branch: String,
    kind: PlanKind,
}

fn plan_with(
    project: &Project,
    repository: &gitops::Repository,
    planned: Planned,
    no_publish: bool,
    date: Option<changelog::Date>,
) -> anyhow::Result<Plan> {
    let pattern = project.tag_pattern()?;
    let Planned {
        version,
        reason,
        previous,
        branch,
        kind,
    } = planned;
    let tag = pattern.format(&version);
    if repository
        .find_tag(&tag)
        .context("cannot read the tags")?
        .is_some()
    {
        return Err(bad_input(anyhow::anyhow!(
            "tag {tag} already exists: this version is released (or a failed release left the tag behind: `slipway tag delete {tag} --remote`, then run again)"
        )));
    }
    let date = date.unwrap_or_else(crate::history::today);
    let (changelog, notes) = plan::release_notes(project, repository, &version, &tag, date)?;
    let move_latest =
        !version.is_prerelease() && is_highest_stable(repository, &pattern, &version)?;
    let steps = release_steps(project, no_publish, &kind);
    let (previous_version, previous_tag) = previous.unzip();
    Ok(Plan {
        kind,
        tag,
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
        commit_message: format!("chore(release): {version}"),
        changelog_path: project.config.changelog.path.clone(),
        changelog,
        notes,
        move_latest,
        steps,
        version,
    })
}

/// The steps of a release of this project: publishing steps only for what is configured.
pub(crate) fn release_steps(project: &Project, no_publish: bool, kind: &PlanKind) -> Vec<StepKind> {
    let config = &project.config;
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
        if config.pypi.is_some() {
            steps.push(StepKind::PublishPypi);
        }
        if config.oci.is_some() {
            steps.push(StepKind::PublishOci);
        }
        if config.github.is_some() {
            steps.push(StepKind::GithubRelease);
        }
        if config.pypi.is_some() || config.oci.is_some() || config.github.is_some() {
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

/// Whether `version` is above every stable release tag (so `latest` may move to it).
fn is_highest_stable(
    repository: &gitops::Repository,
    pattern: &versioning::TagPattern,
    version: &versioning::Version,
) -> anyhow::Result<bool> {
    let tags = repository
        .release_tags(pattern)
        .context("cannot list the release tags")?;
    Ok(tags
        .iter()
        .filter(|tag| !tag.version.is_prerelease())
        .all(|tag| tag.version < *version))
}

/// Writes a plan for people: the steps, the file changes as diffs, and the changelog section.
pub fn describe_plan(
    project: &Project,
    plan: &Plan,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let from = plan
        .previous_version
        .as_ref()
        .map_or_else(|| "nothing released yet".to_owned(), ToString::to_string);
    writeln!(
        out,
        "release {} ({}, from {from}) on branch {}, pushed to {}",
        plan.version, plan.reason, plan.branch, plan.remote
    )?;
    writeln!(
        out,
        "tag {}{}",
        plan.tag,
        if plan.is_prerelease() {
            " (pre-release)"
        } else {
            ""
        }
    )?;
    writeln!(out)?;
    writeln!(out, "steps:")?;
    for (index, step) in plan.steps.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}. {:<20} {}",
            index + 1,
            step.name(),
            steps::describe(project, plan, *step)
        )?;
    }
    writeln!(out)?;
    let files = crate::version_files::load(project)?;
    for edit in crate::version_files::plan(&files, &plan.version)? {
        write!(out, "{}", edit.unified_diff())?;
    }
    let path = project.directory.join(&plan.changelog_path);
    let existing = read_or_empty(&path)?;
    if let changelog::MergeOutcome::Updated(merged) =
        changelog::merge_release(&existing, &plan.changelog.to_block())
    {
        let edit = crate::version_files::FileEdit {
            path: plan.changelog_path.clone(),
            old: existing,
            new: merged,
        };
        write!(out, "{}", edit.unified_diff())?;
    }
    Ok(())
}

pub(crate) fn read_or_empty(path: &std::path::Path) -> anyhow::Result<String> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(error.into()),
    }
}

/// Runs every step of the journal's plan that is not finished yet, recording each.
pub fn run(
    project: &Project,
    repository: &gitops::Repository,
    store: &JournalStore,
    mut journal: Journal,
) -> anyhow::Result<Outcome> {
    let mut ran = Vec::new();
    let steps = journal.plan.steps.clone();
    for step in steps {
        if journal.record(step).is_some() {
            tracing::debug!("step {step}: done in an earlier run");
            continue;
        }
        tracing::info!(
            "step {step}: {}",
            steps::describe(project, &journal.plan, step)
        );
        let (changed, outputs) = steps::execute(project, repository, &journal, step)
            .with_context(|| format!("release {}: step `{step}` failed; fix the cause, then `slipway release --resume`", journal.plan.version))?;
        inject_failure("SLIPWAY_TEST_FAIL_BEFORE_RECORD", step)?;
        journal.done.push(StepRecord {
            step,
            changed,
            outputs,
        });
        store.save(&journal)?;
        ran.push(step);
        inject_failure("SLIPWAY_TEST_FAIL_AFTER", step)?;
    }
    store.finish(&journal)?;
    Ok(Outcome { journal, ran })
}

fn inject_failure(variable: &str, step: StepKind) -> anyhow::Result<()> {
    if std::env::var(variable).is_ok_and(|wanted| wanted == step.name()) {
        anyhow::bail!("{variable}: injected failure at step `{step}`");
    }
    Ok(())
}

/// Undoes the local steps of the release in progress and forgets its journal.
///
/// An unpushed tag is deleted; an unpushed release commit at `HEAD` is taken back (the branch moves
/// to its parent, the work tree with it). Anything already pushed or published stays, and the
/// returned lines say what to do about it.
pub fn abort(repository: &gitops::Repository, store: &JournalStore) -> anyhow::Result<Vec<String>> {
    let Some(journal) = store.load()? else {
        return Err(bad_input(anyhow::anyhow!(
            "no release is in progress: there is nothing to abort"
        )));
    };
    let plan = &journal.plan;
    let mut report = Vec::new();
    let pushed = journal.record(StepKind::Push).is_some()
        || remote_has_tag(repository, &plan.remote, &plan.tag);
    if pushed {
        report.push(format!(
            "tag {} is pushed to {}: it stays; to withdraw it run `slipway tag delete {} --remote`",
            plan.tag, plan.remote, plan.tag
        ));
    } else {
        if repository
            .delete_tag(&plan.tag)
            .context("cannot delete the tag")?
            .is_applied()
        {
            report.push(format!("deleted the local tag {}", plan.tag));
        }
        if let Some(commit) = journal.output(StepKind::Commit, "commit") {
            let head = repository.head().context("cannot read HEAD")?;
            if head.as_str() == commit
                && journal
                    .record(StepKind::Commit)
                    .is_some_and(|record| record.changed)
            {
                let base = gitops::CommitId::new(plan.base_commit.as_str())
                    .context("the journal's base commit is damaged")?;
                repository
                    .reset_hard(&base)
                    .context("cannot take back the release commit")?;
                report.push(format!(
                    "took back the release commit {}",
                    &commit[..commit.len().min(12)]
                ));
            }
        } else if journal.record(StepKind::VersionFiles).is_some()
            || journal.record(StepKind::Changelog).is_some()
        {
            report.push("the version files and the changelog were edited but not committed: `git checkout -- .` restores them".to_owned());
        }
    }
    for published in [
        StepKind::PublishPypi,
        StepKind::PublishOci,
        StepKind::GithubRelease,
    ] {
        if journal.record(published).is_some() {
            report.push(format!(
                "{published} is done and stays: see `slipway rollback {}`",
                plan.version
            ));
        }
    }
    store.discard()?;
    report.push(format!("forgot the release of {}", plan.version));
    Ok(report)
}

fn remote_has_tag(repository: &gitops::Repository, remote: &str, tag: &str) -> bool {
    repository
        .ls_remote_tags(remote)
        .is_ok_and(|tags| tags.iter().any(|remote_tag| remote_tag.name == tag))
}

/// The outputs of a finished release for GitHub Actions (`$GITHUB_OUTPUT`) and its step summary.
pub fn github_actions_outputs(plan: &Plan) -> (BTreeMap<&'static str, String>, String) {
    let mut outputs = BTreeMap::new();
    outputs.insert("version", plan.version.to_string());
    outputs.insert("tag", plan.tag.clone());
    outputs.insert(
        "previous_version",
        plan.previous_version
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    outputs.insert("is_prerelease", plan.is_prerelease().to_string());
    let summary = format!(
        "## Released {} ({})\n\n{}\n",
        plan.version,
        plan.tag,
        plan.notes.trim_end()
    );
    (outputs, summary)
}

/// Appends the outputs and the summary to the files GitHub Actions names, when it does.
pub fn write_github_actions(plan: &Plan) -> anyhow::Result<()> {
    let (outputs, summary) = github_actions_outputs(plan);
    if let Some(path) = std::env::var_os("GITHUB_OUTPUT") {
        let mut file = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        for (key, value) in &outputs {
            writeln!(file, "{key}={value}")?;
        }
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        let mut file = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        write!(file, "{summary}")?;
    }
    Ok(())
}
