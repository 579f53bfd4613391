//! The release pipeline: a typed plan, a preflight, and idempotent recorded steps.
//!
//! ```text
//! plan(&context, &request) -> Plan            everything decided, nothing touched
//! describe(&context, &plan, out)             the dry run: each step, the file diffs, the notes
//! start(&context, plan) -> Journal           the preflight, then the journal (only if it passed)
//! resume(&context) -> Journal                the journal in progress, if nothing moved under it
//! run(&context, journal) -> Outcome          every step not done yet, each recorded
//! abort(&context) -> report                  undo the local steps, forget the journal
//! ```
//!
//! A release is computed first, as a [`Plan`]: the version, the tag, the notes, the changelog
//! section, the targets with what each will receive, and the ordered steps. The preflight then runs
//! every check that needs no side effect; only when all pass is the plan written to the
//! [journal](journal), and the steps run in turn, each recorded with a typed output.
//!
//! Every step checks the world before acting, so a run that stopped anywhere (a failed upload, a
//! killed process, a lost network) is finished by [`resume`] without repeating what was done. A
//! resumed run refuses to go on when the plan no longer describes the repository: `HEAD` moved,
//! the branch changed, or the configuration did.
//!
//! For tests of exactly that, two environment variables inject a failure:
//! `SLIPWAY_TEST_FAIL_AFTER=<step>` stops right after the step is recorded, and
//! `SLIPWAY_TEST_FAIL_BEFORE_RECORD=<step>` stops after the step's work but before the journal
//! knows it (as a kill at the worst moment would).

pub mod check;
pub mod hotfix;
pub mod journal;
pub mod latest;
mod lock;

pub use lock::Lock;
mod monorepo;
pub mod plan;
mod preflight;
pub mod rollback;
mod steps;
pub mod verify;

use anyhow::Context as _;

pub use journal::{Journal, JournalStore, StepOutput, StepRecord};
pub use plan::{
    BumpChoice, ChangeRewrite, DependencyBump, NextVersion, PackagePlan, Plan, PlanKind, Request,
    RequestKind, StepKind, decide_next,
};
pub use preflight::PreconditionsFailed;

use crate::bad_input;
use crate::context::Context;
use crate::error::Result;

/// How a release run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The journal as it stands at the end.
    pub journal: Journal,
    /// The steps this run carried out (not those already done before).
    pub ran: Vec<StepKind>,
}

/// Takes the repository's release lock for as long as the returned guard lives: one release per
/// clone at a time. [`start`], [`resume`], [`run`] and [`abort`] each take it too; a caller that
/// runs several of them in a row holds it across them, so that no other process slips in between.
pub fn lock(context: &Context) -> Result<Lock> {
    Ok(Lock::acquire(context.repository.git_dir())?)
}

/// Computes the plan of a release, touching nothing.
pub fn plan(context: &Context, request: &Request) -> Result<Plan> {
    Ok(plan::build(context, request)?)
}

/// What would stop the release of `plan` if it ran now, found with reads only (no fetch).
pub fn preview(context: &Context, plan: &Plan) -> Vec<String> {
    preflight::problems(context, plan, preflight::Mode::DryRun, &[])
}

/// The merges of a git-flow finish that will stop for the user to resolve a conflict, foreseen
/// in memory (reads only); one line each.
pub fn conflicts(context: &Context, plan: &Plan) -> Vec<String> {
    steps::predicted_conflicts(context, plan)
}

/// Writes a plan for people: each step as it will run, the file changes as diffs, and the
/// changelog section.
pub fn describe(context: &Context, plan: &Plan, out: &mut dyn std::io::Write) -> Result<()> {
    describe_plan(context, plan, out).map_err(Into::into)
}

fn describe_plan(
    context: &Context,
    plan: &Plan,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let from = plan
        .previous_version
        .as_ref()
        .map_or_else(|| "nothing released yet".to_owned(), ToString::to_string);
    let route = match &plan.kind {
        PlanKind::Finish { main, develop, .. } => {
            format!("merged into {main} (tagged there) and {develop}")
        }
        PlanKind::ReleaseStart { from } => format!("cut from {from}"),
        PlanKind::Release | PlanKind::Hotfix { .. } => "tagged there".to_owned(),
    };
    if plan.packages.is_empty() {
        writeln!(
            out,
            "release {} ({}, from {from}) on branch {}, {route}, pushed to {}",
            plan.version, plan.reason, plan.branch, plan.remote
        )?;
    } else {
        writeln!(
            out,
            "release {} on branch {}, {route}, pushed to {}",
            plan.released(),
            plan.branch,
            plan.remote
        )?;
        for package in &plan.packages {
            let dependencies: Vec<String> = package
                .dependencies
                .iter()
                .map(|bump| format!("{} {}", bump.name, bump.version))
                .collect();
            writeln!(
                out,
                "  {} {} ({}, from {}{}) tag {}",
                package.name,
                package.version,
                package.reason,
                package
                    .previous_version
                    .as_ref()
                    .map_or_else(|| "nothing released yet".to_owned(), ToString::to_string),
                if dependencies.is_empty() {
                    String::new()
                } else {
                    format!("; follows {}", dependencies.join(", "))
                },
                package.tag
            )?;
        }
    }
    if plan.packages.is_empty() {
        writeln!(
            out,
            "tag {}{}{}",
            plan.tag,
            if plan.is_prerelease() {
                " (pre-release)"
            } else {
                ""
            },
            if plan.tags() {
                ""
            } else {
                ", made by `slipway release finish`"
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "steps:")?;
    for (index, step) in plan.steps.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}. {:<20} {}",
            index + 1,
            step.name(),
            steps::describe(context, plan, *step, true)
        )?;
    }
    writeln!(out)?;
    for edit in steps::version_file_edits(context, plan)? {
        write!(out, "{}", edit.unified_diff())?;
    }
    for (path, old, new) in steps::changelogs(context, plan)? {
        let edit = crate::version_files::FileEdit { path, old, new };
        write!(out, "{}", edit.unified_diff())?;
    }
    let kept = plan
        .change_rewrites
        .iter()
        .map(|rewrite| (&rewrite.path, rewrite.text.clone()));
    for (path, new) in plan
        .change_files
        .iter()
        .map(|path| (path, String::new()))
        .chain(kept)
    {
        let old = crate::fsutil::read_or_empty(&context.directory().join(path))?;
        let edit = crate::version_files::FileEdit {
            path: path.clone(),
            old,
            new,
        };
        write!(out, "{}", edit.unified_diff())?;
    }
    Ok(())
}

/// Starts a release: runs the preflight and, only when every check passed, writes the journal
/// with the preflight recorded. A release in progress is an error naming the ways out.
pub fn start(context: &Context, plan: Plan) -> Result<Journal> {
    let _lock = lock::Lock::acquire(context.repository.git_dir())?;
    crate::fsutil::recover(context.repository.git_dir())?;
    let store = store(context);
    if let Some(journal) = store.load()? {
        return Err(in_progress(&journal).into());
    }
    preflight::check(context, &plan)?;
    inject_failure(
        context,
        "SLIPWAY_TEST_FAIL_BEFORE_RECORD",
        StepKind::Preflight,
    )?;
    let mut journal = Journal::new(plan);
    journal.done.push(StepRecord {
        step: StepKind::Preflight,
        changed: false,
        output: StepOutput::Nothing,
    });
    store.save(&journal)?;
    inject_failure(context, "SLIPWAY_TEST_FAIL_AFTER", StepKind::Preflight)?;
    Ok(journal)
}

/// The release in progress, if any.
pub fn in_progress_journal(context: &Context) -> Result<Option<Journal>> {
    Ok(store(context).load()?)
}

/// The release in progress, checked against the repository: it resumes only when `HEAD`, the
/// branch and the configuration are what its plan was made from (or what its own steps made of
/// them), and when the targets it still publishes to have their credentials.
pub fn resume(context: &Context) -> Result<Journal> {
    let _lock = lock::Lock::acquire(context.repository.git_dir())?;
    // A version-file write the stopped run left half-done is completed first.
    crate::fsutil::recover(context.repository.git_dir())?;
    let Some(journal) = store(context).load()? else {
        return Err(bad_input(anyhow::anyhow!(
            "no release is in progress: there is nothing to resume"
        ))
        .into());
    };
    guard(context, &journal)?;
    let done: Vec<StepKind> = journal.done.iter().map(|record| record.step).collect();
    preflight::fail_on(
        &journal.plan,
        preflight::problems(context, &journal.plan, preflight::Mode::Resume, &done),
    )?;
    Ok(journal)
}

/// Where a release left `HEAD`: the branch and the commit its finished steps lead to.
fn position(journal: &Journal) -> (&str, &str) {
    let plan = &journal.plan;
    if let (PlanKind::Finish { main, .. }, Some(merge)) =
        (&plan.kind, journal.merge_commit(StepKind::MergeMain))
    {
        return (main, merge);
    }
    let branch = if journal.record(StepKind::CreateBranch).is_some() {
        plan.branch.as_str()
    } else {
        plan.start_branch()
    };
    (
        branch,
        journal.release_commit().unwrap_or(&plan.base_commit),
    )
}

/// Why a journal no longer describes the repository, if it does not.
fn guard(context: &Context, journal: &Journal) -> anyhow::Result<()> {
    let plan = &journal.plan;
    let repository = &context.repository;
    let way_out = format!(
        "`{command} --abort` undoes its local steps, then `{command}` plans again from here",
        command = plan.command()
    );
    let refuse = |reason: String| {
        anyhow::anyhow!(
            "cannot resume the release of {}: {reason}; {way_out}",
            plan.released()
        )
    };
    // A merge or a cherry-pick checks out what it needs and finds its work however it was
    // finished (by the user, after a conflict): it goes on from wherever `HEAD` is.
    let positions_itself = journal.next_step().is_some_and(StepKind::positions_itself);
    let (expected_branch, expected) = position(journal);
    let branch = repository.current_branch().ok();
    let head = repository.head().context("cannot read HEAD")?;
    // Killed right after the release branch was created: it is checked out at the base.
    let crashed_after_branch = journal.record(StepKind::CreateBranch).is_none()
        && plan.steps.contains(&StepKind::CreateBranch)
        && branch.as_deref() == Some(plan.branch.as_str())
        && head.as_str() == plan.base_commit;
    if !positions_itself && !crashed_after_branch && branch.as_deref() != Some(expected_branch) {
        return Err(refuse(format!(
            "it was {} {expected_branch}, and HEAD is {} (`git switch {expected_branch}` to resume it there)",
            if journal.done.len() > 1 {
                "left on"
            } else {
                "planned on"
            },
            branch.map_or_else(|| "detached".to_owned(), |branch| format!("on {branch}")),
        )));
    }
    let crashed_after_commit = journal.release_commit().is_none()
        && head.as_str() != plan.base_commit
        && steps::is_release_commit(context, plan, &head)?;
    if !positions_itself && head.as_str() != expected && !crashed_after_commit {
        let new = repository
            .commits(
                &gitops::Range::head().exclude(expected.to_owned()),
                &gitops::HistoryOptions::default(),
            )
            .unwrap_or_default();
        let short = |id: &str| id[..id.len().min(12)].to_owned();
        let what = if new.is_empty() {
            "HEAD was moved back or elsewhere".to_owned()
        } else {
            let subjects: Vec<String> = new
                .iter()
                .take(3)
                .map(|commit| format!("{:?}", commit.message.lines().next().unwrap_or_default()))
                .collect();
            format!(
                "{} new commit(s): {}{}, which the plan's version and notes do not know",
                new.len(),
                subjects.join(", "),
                if new.len() > 3 { ", …" } else { "" }
            )
        };
        return Err(refuse(format!(
            "HEAD moved since the plan was made (it was at {}, it is at {}: {what})",
            short(expected),
            short(head.as_str())
        )));
    }
    // The hooks are run as they are configured now: mending a failed hook is how a release is
    // resumed. Everything else shapes the plan.
    let mut planned = plan.config.clone();
    planned.hooks = context.project.config.hooks.clone();
    if planned != context.project.config {
        return Err(refuse(format!(
            "the configuration changed since the plan was made ({}), and the plan publishes what the old one said",
            changed_sections(&planned, &context.project.config).join(", ")
        )));
    }
    if plan.config.hooks != context.project.config.hooks {
        tracing::warn!(
            "the hooks changed since the plan was made: the remaining steps run them as they are configured now"
        );
    }
    Ok(())
}

/// The top-level settings that differ between two configurations.
fn changed_sections(old: &crate::config::Config, new: &crate::config::Config) -> Vec<String> {
    let old = serde_json::to_value(old).unwrap_or_default();
    let new = serde_json::to_value(new).unwrap_or_default();
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return vec!["everything".to_owned()];
    };
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| old.get(*key) != new.get(*key))
        .map(|key| format!("[{key}]"))
        .collect()
}

/// What a run reports as it goes, for a caller that shows progress.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A step starts.
    Started {
        /// Its place in the plan, from 1.
        index: usize,
        /// The number of steps in the plan.
        total: usize,
        /// The step.
        step: StepKind,
        /// What it does.
        description: &'a str,
    },
    /// A step was finished by an earlier run.
    AlreadyDone {
        /// Its place in the plan, from 1.
        index: usize,
        /// The number of steps in the plan.
        total: usize,
        /// The step.
        step: StepKind,
    },
}

/// Runs every step of the journal's plan that is not finished yet, recording each, and tells
/// `progress` about each step.
pub fn run(
    context: &Context,
    mut journal: Journal,
    progress: &dyn Fn(Event<'_>),
) -> Result<Outcome> {
    let _lock = lock::Lock::acquire(context.repository.git_dir())?;
    let store = store(context);
    let mut ran = Vec::new();
    let steps = journal.plan.steps.clone();
    let total = steps.len();
    for (index, step) in steps.into_iter().enumerate() {
        let index = index + 1;
        let done_before = journal.record(step).is_some();
        // The preflight is recorded by `start`; when it ran in this very run, say so.
        let passed_now = step == StepKind::Preflight && journal.done.len() == 1;
        if done_before && !passed_now {
            progress(Event::AlreadyDone { index, total, step });
            continue;
        }
        let description = steps::describe(context, &journal.plan, step, false);
        progress(Event::Started {
            index,
            total,
            step,
            description: &description,
        });
        if done_before {
            continue;
        }
        let done = steps::execute(context, &journal, step).with_context(|| {
            // Once pushed, a release is finished, never taken back by --abort.
            let pushed = journal.record(StepKind::Push).is_some() && journal.plan.tags();
            let command = journal.plan.command();
            format!(
                "release {}: step `{step}` failed; fix the cause, then `{command} --resume`{}",
                journal.plan.released(),
                if pushed {
                    String::new()
                } else {
                    format!(" (or `{command} --abort` to undo the local steps and plan again)")
                },
            )
        })?;
        inject_failure(context, "SLIPWAY_TEST_FAIL_BEFORE_RECORD", step)?;
        journal.done.push(StepRecord {
            step,
            changed: done.changed,
            output: done.output,
        });
        store.save(&journal)?;
        ran.push(step);
        inject_failure(context, "SLIPWAY_TEST_FAIL_AFTER", step)?;
    }
    store.finish(&journal)?;
    // git-flow: work goes on on develop, as the runbook ends.
    if let PlanKind::Finish { .. } = &journal.plan.kind {
        let develop = &journal.plan.config.git.develop_branch;
        if let Err(error) = context.repository.checkout_branch(develop) {
            tracing::warn!("released; could not switch back to {develop}: {error}");
        }
    }
    Ok(Outcome { journal, ran })
}

fn inject_failure(context: &Context, variable: &str, step: StepKind) -> anyhow::Result<()> {
    if context
        .env
        .var(variable)
        .is_some_and(|wanted| wanted == step.name())
    {
        anyhow::bail!("{variable}: injected failure at step `{step}`");
    }
    Ok(())
}

fn store(context: &Context) -> JournalStore {
    JournalStore::new(context.repository.git_dir())
}

/// Whose the release tag on the remote is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RemoteTag {
    /// The remote has no such tag (or cannot be asked).
    Absent,
    /// The remote's tag is the local one: the same object.
    Ours,
    /// The remote's tag is another object: another release made it.
    Theirs(gitops::CommitId),
}

/// The remote's tag of the plan, compared with the local one by object id (a tag of the same
/// name made by another run is another tag).
pub(crate) fn remote_tag(context: &Context, plan: &Plan) -> RemoteTag {
    let Ok(tags) = context.repository.ls_remote_tags(&plan.remote) else {
        return RemoteTag::Absent;
    };
    let Some(remote) = tags.into_iter().find(|tag| tag.name == plan.tag) else {
        return RemoteTag::Absent;
    };
    let local = context.repository.find_tag(&plan.tag).ok().flatten();
    match local {
        Some(local) if local.object == remote.object => RemoteTag::Ours,
        _ => RemoteTag::Theirs(remote.object),
    }
}

/// git-flow: takes back the unpushed merges into the develop and main branches (each only if the
/// branch is still at the merge), whether the release made them or the user did, resolving a
/// conflict; then checks out the release branch again.
fn undo_merges(
    context: &Context,
    journal: &Journal,
    report: &mut Vec<String>,
) -> anyhow::Result<()> {
    let PlanKind::Finish { main, develop, .. } = &journal.plan.kind else {
        return Ok(());
    };
    let repository = &context.repository;
    let Some(release_commit) = journal.release_commit() else {
        return Ok(());
    };
    // Each merge as recorded, or found at the branch's tip (a merge the user committed after a
    // conflict, which the journal never recorded): (branch, merge, the tip before it).
    let found = |step: StepKind,
                 branch: &str,
                 merged: &str|
     -> anyhow::Result<Option<(gitops::CommitId, gitops::CommitId)>> {
        if let Some(StepOutput::Merge { commit, before }) = journal
            .record(step)
            .filter(|record| record.changed)
            .map(|record| &record.output)
        {
            return Ok(
                gitops::CommitId::new(commit.as_str()).zip(gitops::CommitId::new(before.as_str()))
            );
        }
        if journal.record(step).is_some() {
            return Ok(None);
        }
        let Some(tip) = repository.branch_tip(branch)? else {
            return Ok(None);
        };
        let parents = repository.parents(tip.as_str())?;
        Ok(match parents.as_slice() {
            [before, second] if second.as_str() == merged => Some((tip, before.clone())),
            _ => None,
        })
    };
    let main_merge = found(StepKind::MergeMain, main, release_commit)?;
    let develop_merge = match &main_merge {
        Some((merge, _)) => found(StepKind::MergeDevelop, develop, merge.as_str())?,
        None => None,
    };
    if main_merge.is_none() && develop_merge.is_none() {
        return Ok(());
    }
    repository
        .checkout_branch(&journal.plan.branch)
        .with_context(|| format!("cannot switch back to {}", journal.plan.branch))?;
    for (branch, merge) in [(develop, develop_merge), (main, main_merge)] {
        let Some((commit, before)) = merge else {
            continue;
        };
        if repository.branch_tip(branch)?.as_ref() == Some(&commit) {
            repository.move_branch(branch, &commit, &before)?;
            report.push(format!(
                "took back the merge into {branch} (back at {})",
                before.short()
            ));
        } else {
            report.push(format!(
                "the merge {} into {branch} stays: {branch} has moved since",
                commit.short()
            ));
        }
    }
    Ok(())
}

fn in_progress(journal: &Journal) -> anyhow::Error {
    bad_input(anyhow::anyhow!(
        "a release of {} is in progress (last finished step: {}): `{command} --resume` finishes it, `{command} --abort` undoes its local steps",
        journal.plan.released(),
        journal.last_done().map_or("none", StepKind::name),
        command = journal.plan.command()
    ))
}

/// Undoes the local steps of the release in progress and forgets its journal.
///
/// An unpushed tag is deleted; an unpushed release commit at `HEAD` is taken back (the branch moves
/// to its parent, the work tree with it). Anything already pushed or published stays, and the
/// returned lines say so.
pub fn abort(context: &Context) -> Result<Vec<String>> {
    Ok(abort_journal(context)?)
}

fn abort_journal(context: &Context) -> anyhow::Result<Vec<String>> {
    let _lock = lock::Lock::acquire(context.repository.git_dir())?;
    let repository = &context.repository;
    let store = store(context);
    let Some(journal) = store.load()? else {
        return Err(bad_input(anyhow::anyhow!(
            "no release is in progress: there is nothing to abort"
        )));
    };
    let plan = &journal.plan;
    let mut report = Vec::new();
    let command = plan.command();
    let pushed = journal.record(StepKind::Push).is_some()
        || if plan.tags() {
            remote_tag(context, plan) == RemoteTag::Ours
        } else {
            repository
                .remote_has_branch(&plan.remote, &plan.branch)
                .unwrap_or(false)
        };
    if pushed {
        let remaining: Vec<&str> = plan
            .steps
            .iter()
            .filter(|step| journal.record(**step).is_none())
            .map(|step| step.name())
            .collect();
        return Err(bad_input(anyhow::anyhow!(
            "the release of {} is pushed to {} and cannot be taken back by --abort; `{command} --resume` finishes it ({}){}",
            plan.released(),
            plan.remote,
            remaining.join(", "),
            if plan.tags() {
                format!(
                    ", and {} takes back what it published",
                    plan.rollback_command()
                )
            } else {
                String::new()
            }
        )));
    }
    if let RemoteTag::Theirs(object) = remote_tag(context, plan) {
        report.push(format!(
            "{} on {} is another release's (object {}), not this run's: it is left alone",
            plan.tag,
            plan.remote,
            object.short()
        ));
    }
    if let Some(operation) = repository.in_progress() {
        return Err(bad_input(anyhow::anyhow!(
            "{operation} is in progress in the work tree: `git merge --abort` or `git cherry-pick --abort` first, then `{command} --abort`"
        )));
    }
    undo_merges(context, &journal, &mut report)?;
    if journal.release_commit().is_some()
        && repository.current_branch().ok().as_deref() != Some(plan.branch.as_str())
    {
        return Err(bad_input(anyhow::anyhow!(
            "the release of {} was made on {}: `git switch {}`, then `{command} --abort` takes back its commit there",
            plan.released(),
            plan.branch,
            plan.branch
        )));
    }
    {
        for tag in plan.all_tags() {
            if repository
                .delete_tag(&tag)
                .context("cannot delete the tag")?
                .is_applied()
            {
                report.push(format!("deleted the local tag {tag}"));
            }
        }
        if let Some(commit) = journal.release_commit() {
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
            } else if head.as_str() != commit {
                report.push(format!(
                    "the release commit {short} stays: {} has newer commits on top of it; `git revert {short}` takes back its version and changelog edits",
                    plan.branch,
                    short = &commit[..commit.len().min(12)]
                ));
            }
        } else if journal.record(StepKind::VersionFiles).is_some()
            || journal.record(StepKind::Changelog).is_some()
        {
            report.push("the version files and the changelog were edited but not committed: `git checkout -- .` restores them".to_owned());
        }
        if let PlanKind::ReleaseStart { from } = &plan.kind {
            if repository.checkout_branch(from).is_ok()
                && repository
                    .delete_branch(&plan.branch)
                    .context("cannot delete the release branch")?
                    .is_applied()
            {
                report.push(format!(
                    "deleted the release branch {} and switched back to {from}",
                    plan.branch
                ));
            }
        }
    }
    for published in [
        StepKind::PublishPypi,
        StepKind::PublishOci,
        StepKind::PublishCrates,
        StepKind::GithubRelease,
    ] {
        if journal.record(published).is_some() {
            report.push(format!(
                "{published} is done and stays: see {}",
                plan.rollback_command()
            ));
        }
    }
    store.discard()?;
    report.push(format!("forgot the release of {}", plan.released()));
    Ok(report)
}
