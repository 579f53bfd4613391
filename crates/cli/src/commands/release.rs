//! `slipway release`, `hotfix`, `rollback`, `verify VERSION`, `tag delete`, `check`, `init`, `config`.

use std::io::Write as _;

use anyhow::Context as _;

use super::Context;
use super::changelog::open_repository;
use crate::args::release::{
    CheckRepositoryArgs, ConfigCommand, HotfixCommand, HotfixFinishArgs, InitArgs, ReleaseArgs,
    ReleaseLevel, RollbackArgs, TagDeleteArgs,
};
use crate::project::Project;
use crate::release::{self, BumpChoice, Journal, JournalStore, Plan, ReleaseRequest};
use crate::{CheckFailed, bad_input};

pub(super) fn release(context: &Context, args: &ReleaseArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let store = JournalStore::new(repository.git_dir());
    if args.abort {
        for line in release::abort(&repository, &store)? {
            tracing::warn!("{line}");
        }
        return Ok(());
    }
    let date = args
        .date
        .as_deref()
        .map(crate::history::parse_date)
        .transpose()?;
    let plan = || {
        let bump = match args.level {
            ReleaseLevel::Auto => BumpChoice::Auto,
            ReleaseLevel::Patch => BumpChoice::Level(versioning::Level::Patch),
            ReleaseLevel::Minor => BumpChoice::Level(versioning::Level::Minor),
            ReleaseLevel::Major => BumpChoice::Level(versioning::Level::Major),
        };
        let request = ReleaseRequest {
            bump,
            pre: args.pre.clone(),
            no_publish: args.no_publish,
            date,
        };
        release::plan_release(&project, &repository, &request)
    };
    let Some(journal) = load_or_plan(
        &project,
        &repository,
        &store,
        args.resume,
        args.dry_run,
        args.json,
        plan,
    )?
    else {
        return Ok(());
    };
    finish(&project, &repository, &store, journal, args.json)
}

/// The journal to run: the one in progress with `--resume`, or a new plan. A dry run prints the plan
/// and gives `None`; a release in progress without `--resume` is an error naming the ways out.
fn load_or_plan(
    project: &Project,
    repository: &gitops::Repository,
    store: &JournalStore,
    resume: bool,
    dry_run: bool,
    json: bool,
    plan: impl FnOnce() -> anyhow::Result<Plan>,
) -> anyhow::Result<Option<Journal>> {
    match (store.load()?, resume) {
        (Some(journal), true) => Ok(Some(journal)),
        (None, true) => Err(bad_input(anyhow::anyhow!(
            "no release is in progress: there is nothing to resume"
        ))),
        (Some(journal), false) => Err(in_progress(&journal)),
        (None, false) => {
            let plan = plan()?;
            if dry_run {
                print_plan(project, repository, &plan, json)?;
                return Ok(None);
            }
            let journal = Journal::new(plan);
            store.save(&journal)?;
            Ok(Some(journal))
        }
    }
}

fn in_progress(journal: &Journal) -> anyhow::Error {
    bad_input(anyhow::anyhow!(
        "a release of {} is in progress (last finished step: {}): `slipway release --resume` finishes it, `slipway release --abort` undoes its local steps",
        journal.plan.version,
        journal.last_done().map_or("none", release::StepKind::name)
    ))
}

fn print_plan(
    project: &Project,
    repository: &gitops::Repository,
    plan: &Plan,
    json: bool,
) -> anyhow::Result<()> {
    // Problems that would stop the real run, said now (read-only: no fetch).
    let dirty = repository.dirty_paths()?;
    if !dirty.is_empty() {
        tracing::warn!(
            "the work tree has uncommitted changes, which the release would refuse: {}",
            dirty
                .iter()
                .map(|path| path.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        writeln!(stdout, "{}", serde_json::to_string_pretty(plan)?)?;
    } else {
        release::describe_plan(project, plan, &mut stdout)?;
    }
    tracing::info!("dry run: nothing was changed");
    Ok(())
}

fn finish(
    project: &Project,
    repository: &gitops::Repository,
    store: &JournalStore,
    journal: Journal,
    json: bool,
) -> anyhow::Result<()> {
    let outcome = release::run(project, repository, store, journal)?;
    let plan = &outcome.journal.plan;
    if std::env::var_os("GITHUB_ACTIONS").is_some() {
        release::write_github_actions(plan)?;
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({
            "version": plan.version.to_string(),
            "tag": plan.tag,
            "previous_version": plan.previous_version.as_ref().map(ToString::to_string),
            "is_prerelease": plan.is_prerelease(),
            "steps": outcome.journal.done,
            "ran": outcome.ran,
        });
        writeln!(stdout, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        writeln!(stdout, "{}", plan.version)?;
    }
    tracing::info!(
        "released {} ({}): {} step(s) run now, {} done before",
        plan.version,
        plan.tag,
        outcome.ran.len(),
        outcome.journal.done.len() - outcome.ran.len()
    );
    Ok(())
}

pub(super) fn hotfix(context: &Context, command: HotfixCommand) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let pattern = project.tag_pattern()?;
    match command {
        HotfixCommand::Start(args) => {
            let released = pattern
                .parse_tag(&args.tag)
                .with_context(|| format!("{} is not a release tag matching {pattern}", args.tag))
                .map_err(bad_input)?;
            let outcome = repository
                .start_hotfix(&released, &pattern, true)
                .map_err(bad_input)?;
            let applied = outcome.is_applied();
            let hotfix = outcome.into_inner();
            writeln!(std::io::stdout().lock(), "{}", hotfix.branch)?;
            tracing::info!(
                "{} {} from {}: commit the fix, then `slipway hotfix finish --cherry-pick-to main`",
                if applied {
                    "created"
                } else {
                    "switched to the existing"
                },
                hotfix.branch,
                hotfix.base_tag
            );
            Ok(())
        }
        HotfixCommand::Finish(args) => hotfix_finish(&project, &repository, &args),
    }
}

fn hotfix_finish(
    project: &Project,
    repository: &gitops::Repository,
    args: &HotfixFinishArgs,
) -> anyhow::Result<()> {
    let store = JournalStore::new(repository.git_dir());
    let date = args
        .date
        .as_deref()
        .map(crate::history::parse_date)
        .transpose()?;
    let plan = || {
        release::plan_hotfix(
            project,
            repository,
            args.cherry_pick_to.clone(),
            args.no_publish,
            date,
        )
    };
    let Some(journal) = load_or_plan(
        project,
        repository,
        &store,
        args.resume,
        args.dry_run,
        false,
        plan,
    )?
    else {
        return Ok(());
    };
    finish(project, repository, &store, journal, false)
}

pub(super) fn rollback(context: &Context, args: &RollbackArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let bad = super::version::parse_semver(&args.version)?;
    let previous = args
        .to
        .as_deref()
        .map(super::version::parse_semver)
        .transpose()?;
    let report = release::rollback::rollback(
        &project,
        &repository,
        &bad,
        previous.as_ref(),
        &args.note,
        args.dry_run,
    )?;
    let mut stdout = std::io::stdout().lock();
    for line in report {
        writeln!(stdout, "{line}")?;
    }
    Ok(())
}

pub(super) fn verify(context: &Context, version: &str) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let version = super::version::parse_semver(version)?;
    let findings = release::rollback::verify_release(&project, &repository, &version)?;
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for finding in &findings {
        writeln!(
            stdout,
            "{} {}",
            if finding.ok { "ok  " } else { "FAIL" },
            finding.what
        )?;
        failed |= !finding.ok;
    }
    if failed {
        return Err(CheckFailed.into());
    }
    Ok(())
}

pub(super) fn tag_delete(context: &Context, args: &TagDeleteArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let remote = &project.config.git.remote;
    let mut stdout = std::io::stdout().lock();
    if args.dry_run {
        let local = repository.find_tag(&args.tag)?.is_some();
        writeln!(
            stdout,
            "would delete {}locally{}",
            if local { "" } else { "(absent) " },
            if args.remote {
                format!(" and on {remote}")
            } else {
                String::new()
            }
        )?;
        return Ok(());
    }
    let local = repository.delete_tag(&args.tag)?;
    writeln!(
        stdout,
        "{} {} locally",
        if local.is_applied() {
            "deleted"
        } else {
            "no tag"
        },
        args.tag
    )?;
    if args.remote {
        let remote_outcome = repository.delete_remote_tag(remote, &args.tag)?;
        writeln!(
            stdout,
            "{} {} on {remote}",
            if remote_outcome.is_applied() {
                "deleted"
            } else {
                "no tag"
            },
            args.tag
        )?;
    }
    Ok(())
}

pub(super) fn check(context: &Context, args: &CheckRepositoryArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let problems = release::rollback::check_repository(&project, &repository, args.fetch)?;
    let mut stderr = std::io::stderr().lock();
    for problem in &problems {
        writeln!(stderr, "{problem}")?;
    }
    if problems.is_empty() {
        writeln!(std::io::stdout().lock(), "ready to release")?;
        Ok(())
    } else {
        Err(CheckFailed.into())
    }
}

pub(super) fn init(context: &Context, args: &InitArgs) -> anyhow::Result<()> {
    let path = context.directory.join("slipway.toml");
    if path.exists() && !args.force {
        return Err(bad_input(anyhow::anyhow!(
            "{} exists: pass --force to overwrite it",
            path.display()
        )));
    }
    crate::fsutil::write_atomic(&path, crate::config::INIT_TEMPLATE.as_bytes())?;
    writeln!(std::io::stdout().lock(), "{}", path.display())?;
    Ok(())
}

pub(super) fn config(context: &Context, command: &ConfigCommand) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match command {
        ConfigCommand::Schema => writeln!(stdout, "{}", crate::config::json_schema())?,
        ConfigCommand::Show => {
            let project = Project::discover(&context.directory, None)?;
            tracing::info!("configuration from {:?}", project.source);
            writeln!(stdout, "{}", toml::to_string_pretty(&project.config)?)?;
        }
    }
    Ok(())
}
