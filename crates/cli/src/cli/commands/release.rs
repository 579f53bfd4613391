//! `slipway release`, `hotfix`, `rollback`, `verify VERSION`, `tag delete`, `check`, `init`, `config`.

use std::collections::BTreeMap;
use std::io::Write as _;

use anyhow::Context as _;

use super::Context;
use crate::cli::args::release::{
    CheckRepositoryArgs, ConfigCommand, HotfixCommand, InitArgs, ReleaseArgs, ReleaseFlowCommand,
    ReleaseLevel, RollbackArgs, RunArgs, TagDeleteArgs,
};
use crate::project::Project;
use crate::release::{self, BumpChoice, Plan, Request, RequestKind};
use crate::{CheckFailed, bad_input};

pub(super) fn release(context: &Context, args: &ReleaseArgs) -> anyhow::Result<()> {
    match &args.flow {
        Some(ReleaseFlowCommand::Start(start)) => {
            let kind = RequestKind::ReleaseStart {
                bump: bump_choice(start.level),
                pre: start.pre.clone(),
            };
            run_request(context, kind, false, &[], &start.run)
        }
        Some(ReleaseFlowCommand::Finish(finish)) => {
            let switched_from = match &finish.branch {
                Some(branch) => switch_to(context, branch, &finish.run)?,
                None => None,
            };
            let finished = run_request(
                context,
                RequestKind::ReleaseFinish,
                finish.no_publish,
                &[],
                &finish.run,
            );
            // Refused before it started (no journal): back where the user was, as promised by
            // "nothing was changed".
            if let (Err(_), Some(previous)) = (&finished, &switched_from) {
                let repository = crate::context::open_repository(&context.directory)?;
                if !repository.git_dir().join("slipway/release.json").exists()
                    && repository.checkout_branch(previous).is_ok()
                {
                    tracing::info!("switched back to {previous}");
                }
            }
            finished
        }
        None => {
            let kind = RequestKind::Release {
                bump: bump_choice(args.level),
                pre: args.pre.clone(),
            };
            run_request(context, kind, args.no_publish, &args.packages, &args.run)
        }
    }
}

fn bump_choice(level: ReleaseLevel) -> BumpChoice {
    match level {
        ReleaseLevel::Auto => BumpChoice::Auto,
        ReleaseLevel::Patch => BumpChoice::Level(versioning::Level::Patch),
        ReleaseLevel::Minor => BumpChoice::Level(versioning::Level::Minor),
        ReleaseLevel::Major => BumpChoice::Level(versioning::Level::Major),
    }
}

/// `release finish BRANCH`: the branch checked out first (a new run only: a dry run plans from
/// what is checked out and changes nothing, a resumed run from where it stopped).
/// Returns the branch it switched from, if it switched.
fn switch_to(context: &Context, branch: &str, run: &RunArgs) -> anyhow::Result<Option<String>> {
    if run.resume || run.abort {
        return Ok(None);
    }
    let repository = crate::context::open_repository(&context.directory)?;
    let current = repository.current_branch().ok();
    if current.as_deref() == Some(branch) {
        return Ok(None);
    }
    if run.dry_run {
        return Err(bad_input(anyhow::anyhow!(
            "a dry run plans from the branch checked out and switches to none: `git switch {branch}` first"
        )));
    }
    repository
        .checkout_branch(branch)
        .with_context(|| format!("cannot switch to {branch}"))
        .map_err(bad_input)?;
    tracing::info!("switched to {branch}");
    Ok(current)
}

/// Runs (or plans, resumes, aborts) a release of `kind` as `run` says.
fn run_request(
    context: &Context,
    kind: RequestKind,
    no_publish: bool,
    packages: &[String],
    run_args: &RunArgs,
) -> anyhow::Result<()> {
    let release_context = context.release()?;
    // Held from the plan to the last step: no other release of this clone can slip in between.
    let _lock = (!run_args.dry_run)
        .then(|| release::lock(&release_context))
        .transpose()
        .map_err(crate::Error::into_anyhow)?;
    if run_args.abort {
        for line in release::abort(&release_context).map_err(crate::Error::into_anyhow)? {
            tracing::warn!("{line}");
        }
        return Ok(());
    }
    let date = run_args
        .date
        .as_deref()
        .map(crate::history::parse_date)
        .transpose()?;
    let request = Request {
        kind,
        no_publish,
        packages: packages.to_vec(),
        date,
    };
    run(
        context,
        &release_context,
        &request,
        Mode::from(run_args.resume, run_args.dry_run),
        run_args.json,
    )
}

/// What a release or hotfix command was asked to do with its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Release,
    Resume,
    DryRun,
}

impl Mode {
    fn from(resume: bool, dry_run: bool) -> Mode {
        match (resume, dry_run) {
            (true, _) => Mode::Resume,
            (false, true) => Mode::DryRun,
            (false, false) => Mode::Release,
        }
    }
}

/// Plans (or resumes) and runs a release, printing what it did.
fn run(
    context: &Context,
    release_context: &crate::context::Context,
    request: &Request,
    mode: Mode,
    json: bool,
) -> anyhow::Result<()> {
    let journal = match mode {
        Mode::Resume => release::resume(release_context).map_err(crate::Error::into_anyhow)?,
        Mode::DryRun | Mode::Release => {
            if let Some(journal) =
                release::in_progress_journal(release_context).map_err(crate::Error::into_anyhow)?
            {
                return Err(bad_input(anyhow::anyhow!(
                    "a release of {} is in progress (last finished step: {}): `{command} --resume` finishes it, `{command} --abort` undoes its local steps",
                    journal.plan.released(),
                    journal.last_done().map_or("none", release::StepKind::name),
                    command = journal.plan.command()
                )));
            }
            let plan =
                release::plan(release_context, request).map_err(crate::Error::into_anyhow)?;
            if mode == Mode::DryRun {
                return print_plan(release_context, &plan, json);
            }
            release::start(release_context, plan).map_err(crate::Error::into_anyhow)?
        }
    };
    let progress = |event: release::Event<'_>| {
        let line = match event {
            release::Event::Started {
                index,
                total,
                step,
                description,
            } => format!("[{index:>2}/{total}] {step}: {description}"),
            release::Event::AlreadyDone { index, total, step } => {
                format!("[{index:>2}/{total}] {step}: done in an earlier run")
            }
        };
        if !context.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    };
    let outcome =
        release::run(release_context, journal, &progress).map_err(crate::Error::into_anyhow)?;
    let plan = &outcome.journal.plan;
    // A release branch cut is not a release: GitHub Actions hear of it at `release finish`.
    if context.env.var("GITHUB_ACTIONS").is_some() && plan.tags() {
        write_github_actions(context, plan)?;
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({
            "version": plan.version.to_string(),
            "tag": plan.tag,
            "previous_version": plan.previous_version.as_ref().map(ToString::to_string),
            "is_prerelease": plan.is_prerelease(),
            "packages": plan.packages.iter().map(|package| serde_json::json!({
                "name": package.name,
                "version": package.version.to_string(),
                "tag": package.tag,
                "previous_version": package.previous_version.as_ref().map(ToString::to_string),
                "dependencies": package.dependencies,
            })).collect::<Vec<_>>(),
            "steps": outcome.journal.done,
            "ran": outcome.ran,
        });
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&crate::cli::json::with_schema(value))?
        )?;
    } else if plan.packages.is_empty() {
        writeln!(stdout, "{}", plan.version)?;
    } else {
        for package in &plan.packages {
            writeln!(stdout, "{} {}", package.name, package.version)?;
        }
    }
    tracing::info!(
        "{} {} ({}): {} step(s) run now, {} done before",
        if plan.tags() {
            "released"
        } else {
            "cut the release branch of"
        },
        plan.released(),
        if plan.tags() {
            plan.all_tags().join(", ")
        } else {
            plan.branch.clone()
        },
        outcome.ran.len(),
        outcome.journal.done.len() - outcome.ran.len()
    );
    Ok(())
}

fn print_plan(
    release_context: &crate::context::Context,
    plan: &Plan,
    json: bool,
) -> anyhow::Result<()> {
    // What would stop the real run, said now (reads only: no fetch).
    let problems = release::preview(release_context, plan);
    for problem in &problems {
        tracing::warn!("the release would stop here: {problem}");
    }
    // Not a problem: a conflict is the user's to resolve, and the finish resumes after it.
    for conflict in release::conflicts(release_context, plan) {
        tracing::warn!("{conflict}");
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let value = crate::cli::json::with_schema(serde_json::to_value(plan)?);
        writeln!(stdout, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        release::describe(release_context, plan, &mut stdout).map_err(crate::Error::into_anyhow)?;
    }
    tracing::info!("dry run: nothing was changed");
    // A dry run that passes promises a release that starts: CI hears of what would stop it.
    if !problems.is_empty() {
        return Err(CheckFailed.into());
    }
    Ok(())
}

/// The outputs of a finished release for GitHub Actions (`$GITHUB_OUTPUT`) and its step summary.
fn github_actions_outputs(plan: &Plan) -> (BTreeMap<&'static str, String>, String) {
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
    // The Action (action.yml) sets `released=false` when the command wrote none.
    outputs.insert("released", "true".to_owned());
    if plan.packages.is_empty() {
        let summary = format!(
            "## Released {} ({})\n\n{}\n",
            plan.version,
            plan.tag,
            plan.notes.trim_end()
        );
        return (outputs, summary);
    }
    // Several packages: `version` and `tag` are the first one's; `packages` has them all.
    outputs.insert(
        "packages",
        serde_json::Value::Array(
            plan.packages
                .iter()
                .map(|package| {
                    serde_json::json!({
                        "name": package.name,
                        "version": package.version.to_string(),
                        "tag": package.tag,
                    })
                })
                .collect(),
        )
        .to_string(),
    );
    let summary = plan
        .packages
        .iter()
        .map(|package| {
            format!(
                "## Released {} ({})\n\n{}\n",
                package.title,
                package.tag,
                package.notes.trim_end()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    (outputs, summary)
}

/// Appends the outputs and the summary to the files GitHub Actions names, when it does.
fn write_github_actions(context: &Context, plan: &Plan) -> anyhow::Result<()> {
    let (outputs, summary) = github_actions_outputs(plan);
    if let Some(path) = context.env.var("GITHUB_OUTPUT") {
        let mut file = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        for (key, value) in &outputs {
            writeln!(file, "{key}={value}")?;
        }
    }
    if let Some(path) = context.env.var("GITHUB_STEP_SUMMARY") {
        let mut file = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        write!(file, "{summary}")?;
    }
    Ok(())
}

pub(super) fn hotfix(context: &Context, command: HotfixCommand) -> anyhow::Result<()> {
    match command {
        HotfixCommand::Start(args) => {
            let release_context = crate::packages::context_for_tag(
                context.release()?,
                args.tag.as_deref(),
                args.package.as_deref(),
            )?;
            let started =
                release::hotfix::start(&release_context, args.tag.as_deref(), args.dry_run)?;
            if let Some(latest) = &started.moved_to_latest {
                tracing::warn!(
                    "{latest} is the {}.{} line's latest release: the hotfix starts from it",
                    latest.major(),
                    latest.minor()
                );
            }
            if args.output.json {
                crate::cli::json::print(serde_json::json!({
                    "branch": started.branch,
                    "base_tag": started.base_tag,
                    "version": started.version.to_string(),
                    "created": started.created,
                    "dry_run": args.dry_run,
                }))?;
            } else {
                writeln!(std::io::stdout().lock(), "{}", started.branch)?;
            }
            let finish = match release_context.project.config.git.flow {
                crate::config::Flow::GitFlow => "`slipway hotfix finish`".to_owned(),
                crate::config::Flow::Trunk => format!(
                    "`slipway hotfix finish --cherry-pick-to {}`",
                    release_context.project.config.git.main_branch
                ),
            };
            if args.dry_run {
                if !context.quiet {
                    writeln!(
                        std::io::stderr().lock(),
                        "dry run: would create {} from {} and check it out; nothing was changed",
                        started.branch,
                        started.base_tag
                    )?;
                }
            } else {
                tracing::info!(
                    "{} {} from {}: commit the fix, then {finish}",
                    if started.created {
                        "created"
                    } else {
                        "switched to the existing"
                    },
                    started.branch,
                    started.base_tag
                );
            }
            Ok(())
        }
        HotfixCommand::Finish(args) => run_request(
            context,
            RequestKind::Hotfix {
                cherry_pick_to: args.cherry_pick_to.clone(),
            },
            args.no_publish,
            &[],
            &args.run,
        ),
    }
}

pub(super) fn rollback(context: &Context, args: &RollbackArgs) -> anyhow::Result<()> {
    let release_context =
        crate::packages::context_for(context.release()?, args.package.as_deref())?;
    let bad = super::version::parse_semver(&args.version)?;
    let previous = args
        .to
        .as_deref()
        .map(super::version::parse_semver)
        .transpose()?;
    let report = release::rollback::rollback(
        &release_context,
        &bad,
        previous.as_ref(),
        &args.note,
        args.dry_run,
    )?;
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "version": bad.to_string(),
            "to": previous.as_ref().map(ToString::to_string),
            "dry_run": args.dry_run,
            "actions": report,
        }));
    }
    let mut stdout = std::io::stdout().lock();
    for line in report {
        writeln!(stdout, "{line}")?;
    }
    Ok(())
}

pub(super) fn verify(
    context: &Context,
    version: &str,
    package: Option<&str>,
    timeout: u64,
    json: bool,
) -> anyhow::Result<()> {
    let release_context = crate::packages::context_for(context.release()?, package)?;
    let version = super::version::parse_semver(version)?;
    let options = release::verify::Options {
        timeout: std::time::Duration::from_secs(timeout),
        progress: std::sync::Arc::new(|line: &str| {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }),
    };
    let findings = release::verify::release(&release_context, &version, &options)?;
    if json {
        let ok = findings.iter().all(|finding| finding.ok);
        crate::cli::json::print(serde_json::json!({
            "ok": ok,
            "version": version.to_string(),
            "findings": findings
                .iter()
                .map(|finding| serde_json::json!({"ok": finding.ok, "what": finding.what}))
                .collect::<Vec<_>>(),
        }))?;
        return if ok { Ok(()) } else { Err(CheckFailed.into()) };
    }
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
    let repository = crate::context::open_repository(&context.directory)?;
    let remote = &project.config.git.remote;
    if args.output.json {
        return tag_delete_json(&repository, remote, args);
    }
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

/// `tag delete --json`: what was (or would be) deleted, here and on the remote.
fn tag_delete_json(
    repository: &gitops::Repository,
    remote: &str,
    args: &TagDeleteArgs,
) -> anyhow::Result<()> {
    let (local, on_remote) = if args.dry_run {
        (repository.find_tag(&args.tag)?.is_some(), None)
    } else {
        let local = repository.delete_tag(&args.tag)?.is_applied();
        let on_remote = if args.remote {
            Some(
                repository
                    .delete_remote_tag(remote, &args.tag)?
                    .is_applied(),
            )
        } else {
            None
        };
        (local, on_remote)
    };
    crate::cli::json::print(serde_json::json!({
        "tag": args.tag,
        "dry_run": args.dry_run,
        "local": local,
        "remote": args.remote.then_some(remote),
        "remote_deleted": on_remote,
    }))
}

pub(super) fn check(context: &Context, args: &CheckRepositoryArgs) -> anyhow::Result<()> {
    let release_context = context.release()?;
    let report = release::check::check_repository(&release_context, args.fetch)?;
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "ok": report.problems.is_empty(),
            "files": report
                .files
                .iter()
                .map(|(file, reason)| serde_json::json!({"path": file, "why": reason}))
                .collect::<Vec<_>>(),
            "problems": report.problems,
        }))?;
        return if report.problems.is_empty() {
            Ok(())
        } else {
            Err(CheckFailed.into())
        };
    }
    let mut stderr = std::io::stderr().lock();
    for (file, reason) in &report.files {
        writeln!(stderr, "version file {file}: {reason}")?;
    }
    for problem in &report.problems {
        writeln!(stderr, "{problem}")?;
    }
    if report.problems.is_empty() {
        writeln!(std::io::stdout().lock(), "ready to release")?;
        Ok(())
    } else {
        Err(CheckFailed.into())
    }
}

pub(super) fn init(context: &Context, args: &InitArgs) -> anyhow::Result<()> {
    if args.commit_msg_hook {
        return super::tooling::install_commit_msg_hook(context, args.force, args.output.json);
    }
    if args.github_actions {
        return init_github_actions(context, args);
    }
    let path = context.directory.join("slipway.toml");
    if path.exists() && !args.force {
        return Err(bad_input(anyhow::anyhow!(
            "{} exists: pass --force to overwrite it",
            path.display()
        )));
    }
    crate::fsutil::write_atomic(&path, crate::config::INIT_TEMPLATE.as_bytes())?;
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "written": [path.display().to_string()],
        }));
    }
    writeln!(std::io::stdout().lock(), "{}", path.display())?;
    Ok(())
}

/// `slipway init --github-actions [--dry-run] [--force]`
fn init_github_actions(context: &Context, args: &InitArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let workflows = crate::workflows::generate(&project, env!("CARGO_PKG_VERSION"))?;
    let mut stdout = std::io::stdout().lock();
    if args.dry_run && args.output.json {
        tracing::info!("dry run: nothing was written");
        return crate::cli::json::print(serde_json::json!({
            "written": [],
            "workflows": workflows
                .iter()
                .map(|workflow| serde_json::json!({
                    "path": workflow.path.display().to_string(),
                    "text": workflow.text,
                }))
                .collect::<Vec<_>>(),
        }));
    }
    if args.dry_run {
        for workflow in &workflows {
            writeln!(stdout, "# {}", workflow.path.display())?;
            write!(stdout, "{}", workflow.text)?;
        }
        tracing::info!("dry run: nothing was written");
        return Ok(());
    }
    let existing: Vec<String> = workflows
        .iter()
        .map(|workflow| context.directory.join(&workflow.path))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(bad_input(anyhow::anyhow!(
            "{} exist{}: pass --force to overwrite",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        )));
    }
    let mut written = Vec::new();
    for workflow in &workflows {
        let path = context.directory.join(&workflow.path);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        crate::fsutil::write_atomic(&path, workflow.text.as_bytes())?;
        written.push(path.display().to_string());
    }
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({ "written": written }));
    }
    for path in &written {
        writeln!(stdout, "{path}")?;
    }
    Ok(())
}

pub(super) fn config(context: &Context, command: &ConfigCommand) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match command {
        ConfigCommand::Schema => writeln!(stdout, "{}", crate::config::json_schema())?,
        ConfigCommand::Show(args) => {
            let project = Project::discover(&context.directory, None)?;
            let source = match &project.source {
                crate::config::Source::File(path) => format!("{}", path.display()),
                crate::config::Source::Pyproject(path) => {
                    format!("[tool.slipway] of {}", path.display())
                }
                crate::config::Source::CargoManifest(path) => {
                    format!("the slipway metadata of {}", path.display())
                }
                crate::config::Source::Defaults => {
                    "nowhere: no configuration, these are the defaults".to_owned()
                }
            };
            // What is in effect: defaults filled in, and no secret from a URL.
            let mut config = project.config.clone();
            if let Some(pypi) = &mut config.pypi {
                if pypi.dist.is_empty() {
                    pypi.dist = vec!["dist/*".to_owned()];
                }
                pypi.repository_url = pypi
                    .repository_url
                    .as_deref()
                    .map(|url| registry::redact::RedactedUrl::new(url).to_string());
            }
            if let Some(github) = &mut config.github {
                github.api_url = github
                    .api_url
                    .as_deref()
                    .map(|url| registry::redact::RedactedUrl::new(url).to_string());
            }
            if args.output.json {
                drop(stdout);
                return crate::cli::json::print(serde_json::json!({
                    "source": source,
                    "config": serde_json::to_value(&config)?,
                }));
            }
            writeln!(stdout, "# from {source}")?;
            writeln!(stdout, "{}", toml::to_string_pretty(&config)?)?;
        }
    }
    Ok(())
}
