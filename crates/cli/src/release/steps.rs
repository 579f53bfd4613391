//! The steps of a release. Each checks the world first and reports whether it changed anything.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;

use super::journal::Journal;
use super::plan::{Plan, PlanKind, StepKind};
use crate::project::Project;

/// What a step did: whether it changed anything, and its outputs for the journal.
pub(super) type StepResult = anyhow::Result<(bool, BTreeMap<String, String>)>;

/// One line on what a step will do, for `--dry-run` and the log.
pub(super) fn describe(project: &Project, plan: &Plan, step: StepKind) -> String {
    let config = &project.config;
    match step {
        StepKind::Preflight => format!(
            "clean work tree on {}, full history, not behind {}",
            plan.branch, plan.remote
        ),
        StepKind::BeforeBumpHooks => format!("run {}", config.hooks.before_bump.join(" && ")),
        StepKind::VersionFiles => format!("write {} into the version files", plan.version),
        StepKind::Changelog => format!(
            "add [{}] to {}",
            plan.changelog.label,
            plan.changelog_path.display()
        ),
        StepKind::Commit => format!("commit \"{}\"", plan.commit_message),
        StepKind::Tag => format!("annotated tag {} with the release notes", plan.tag),
        StepKind::Push => format!(
            "push {} and {} to {} (atomic)",
            plan.branch, plan.tag, plan.remote
        ),
        StepKind::CheckTag => format!("check that every version file says {}", plan.version),
        StepKind::BuildHooks => format!("run {}", config.hooks.build.join(" && ")),
        StepKind::PublishPypi => super::publish::describe_pypi(project, plan),
        StepKind::PublishOci => super::publish::describe_oci(project, plan),
        StepKind::GithubRelease => format!(
            "GitHub Release {}{}",
            plan.tag,
            if plan.is_prerelease() {
                " (pre-release)"
            } else {
                ""
            }
        ),
        StepKind::Verify => "check every published artifact".to_owned(),
        StepKind::AfterPublishHooks => format!("run {}", config.hooks.after_publish.join(" && ")),
        StepKind::CherryPick => match &plan.kind {
            PlanKind::Hotfix {
                cherry_pick_to: Some(target),
                base_tag,
            } => {
                format!("cherry-pick the fixes since {base_tag} onto {target} and push it")
            }
            _ => "cherry-pick".to_owned(),
        },
    }
}

/// Runs one step.
pub(super) fn execute(
    project: &Project,
    repository: &gitops::Repository,
    journal: &Journal,
    step: StepKind,
) -> StepResult {
    let plan = &journal.plan;
    match step {
        StepKind::Preflight => preflight(repository, plan),
        StepKind::BeforeBumpHooks => hooks(
            project,
            plan,
            "before-bump",
            &project.config.hooks.before_bump,
        ),
        StepKind::VersionFiles => version_files(project, plan),
        StepKind::Changelog => changelog_file(project, plan),
        StepKind::Commit => commit(project, repository, journal),
        StepKind::Tag => tag(project, repository, journal),
        StepKind::Push => push(repository, plan),
        StepKind::CheckTag => check_tag(project, plan),
        StepKind::BuildHooks => hooks(project, plan, "build", &project.config.hooks.build),
        StepKind::PublishPypi => super::publish::pypi(project, plan),
        StepKind::PublishOci => super::publish::oci(project, plan),
        StepKind::GithubRelease => super::publish::github_release(project, repository, plan),
        StepKind::Verify => super::publish::verify(project, repository, plan),
        StepKind::AfterPublishHooks => hooks(
            project,
            plan,
            "after-publish",
            &project.config.hooks.after_publish,
        ),
        StepKind::CherryPick => cherry_pick(repository, journal),
    }
}

fn outputs<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

fn preflight(repository: &gitops::Repository, plan: &Plan) -> StepResult {
    repository.ensure_full_history()?;
    let branch = repository
        .current_branch()
        .context("releases are made from a branch")?;
    if branch != plan.branch {
        anyhow::bail!(
            "HEAD is on {branch}, the release is made on {}: `git switch {}`",
            plan.branch,
            plan.branch
        );
    }
    let dirty = repository.dirty_paths()?;
    if !dirty.is_empty() {
        let paths: Vec<&str> = dirty.iter().map(|path| path.path.as_str()).collect();
        anyhow::bail!(
            "the work tree has uncommitted changes, which a release would mix into its commit: {} (commit or stash them)",
            paths.join(", ")
        );
    }
    // The remote is asked, not the last fetch: releasing behind the remote makes a tag nobody can push.
    if repository.remote_url(&plan.remote)?.is_some() {
        repository
            .fetch(&plan.remote)
            .with_context(|| format!("cannot fetch {}", plan.remote))?;
        if let Some(upstream) = repository.upstream_status(&branch)? {
            if upstream.behind > 0 {
                anyhow::bail!(
                    "{branch} is {} commit(s) behind {}: pull first (`git pull --ff-only`)",
                    upstream.behind,
                    upstream.name
                );
            }
        }
    }
    Ok((false, BTreeMap::new()))
}

/// Runs hook commands through `sh -c` in the project directory, their output streamed to stderr
/// (stdout stays for slipway's data), with the release in the environment.
fn hooks(project: &Project, plan: &Plan, name: &str, commands: &[String]) -> StepResult {
    for command in commands {
        tracing::info!("{name} hook: {command}");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&project.directory)
            .env("SLIPWAY_VERSION", plan.version.to_string())
            .env("SLIPWAY_TAG", &plan.tag)
            .env(
                "SLIPWAY_PREVIOUS_VERSION",
                plan.previous_version
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
            .env("SLIPWAY_PRERELEASE", plan.is_prerelease().to_string())
            .stdout(std::io::stderr())
            .status()
            .with_context(|| format!("cannot run the {name} hook `{command}`"))?;
        if !status.success() {
            anyhow::bail!("the {name} hook `{command}` failed ({status})");
        }
    }
    Ok((true, BTreeMap::new()))
}

fn version_files(project: &Project, plan: &Plan) -> StepResult {
    let files = crate::version_files::load(project)?;
    let edits = crate::version_files::plan(&files, &plan.version)?;
    crate::version_files::apply(&project.directory, &edits)?;
    let changed: Vec<String> = edits
        .iter()
        .map(|edit| edit.path.to_string_lossy().into_owned())
        .collect();
    Ok((!edits.is_empty(), outputs([("files", changed.join("\n"))])))
}

fn changelog_file(project: &Project, plan: &Plan) -> StepResult {
    let path = project.directory.join(&plan.changelog_path);
    let existing = super::read_or_empty(&path)?;
    match changelog::merge_release(&existing, &plan.changelog.to_block()) {
        changelog::MergeOutcome::Updated(merged) if merged != existing => {
            crate::fsutil::write_atomic(&path, merged.as_bytes())?;
            Ok((true, BTreeMap::new()))
        }
        _ => Ok((false, BTreeMap::new())),
    }
}

/// The files a release commits: the version files and the changelog.
fn release_paths(project: &Project, plan: &Plan) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = crate::version_files::load(project)?
        .into_iter()
        .map(|file| file.path)
        .collect();
    paths.push(plan.changelog_path.clone());
    Ok(paths)
}

fn commit(project: &Project, repository: &gitops::Repository, journal: &Journal) -> StepResult {
    let plan = &journal.plan;
    let paths = release_paths(project, plan)?;
    let head = repository.head()?;
    // After a kill between the commit and the journal, HEAD already is the release commit.
    if head.as_str() != plan.base_commit && last_message(repository)?.trim() == plan.commit_message
    {
        return Ok((false, outputs([("commit", head.as_str().to_owned())])));
    }
    let outcome = repository.commit_paths(&paths, &plan.commit_message)?;
    let changed = outcome.is_applied();
    let id = outcome.into_inner();
    Ok((changed, outputs([("commit", id.as_str().to_owned())])))
}

fn last_message(repository: &gitops::Repository) -> anyhow::Result<String> {
    let commits = repository
        .commits(&gitops::Range::head(), &gitops::HistoryOptions::default())
        .map(|mut list| {
            list.truncate(1);
            list
        })?;
    Ok(commits
        .first()
        .map(|commit| commit.message.clone())
        .unwrap_or_default())
}

fn tag(project: &Project, repository: &gitops::Repository, journal: &Journal) -> StepResult {
    let plan = &journal.plan;
    let target = match journal.output(StepKind::Commit, "commit") {
        Some(id) => gitops::CommitId::new(id).context("the journal's commit id is damaged")?,
        None => repository.head()?,
    };
    let message = format!(
        "{} {}\n\n{}",
        project.name.as_deref().unwrap_or("Release"),
        plan.version,
        plan.notes
    );
    let kind = if project.config.git.sign_tags {
        gitops::TagKind::Signed { message }
    } else {
        gitops::TagKind::Annotated { message }
    };
    let outcome = repository.create_tag(&plan.tag, &target, &kind)?;
    Ok((
        outcome.is_applied(),
        outputs([("target", target.as_str().to_owned())]),
    ))
}

fn push(repository: &gitops::Repository, plan: &Plan) -> StepResult {
    // Pushing what the remote already has is a no-op, so this step is idempotent as it is.
    let report = repository.push(
        &plan.remote,
        &gitops::PushOptions {
            branch: Some(plan.branch.clone()),
            tags: vec![plan.tag.clone()],
            set_upstream: false,
        },
    )?;
    Ok((true, outputs([("atomic", report.atomic.to_string())])))
}

fn check_tag(project: &Project, plan: &Plan) -> StepResult {
    let files = crate::version_files::load(project)?;
    let mut mismatches = Vec::new();
    for file in &files {
        let shown = file.display_path();
        if let Some(mismatch) =
            versioning::files::check_tag(&shown, &file.kind, &file.text, &plan.version)?
        {
            mismatches.push(mismatch.to_string());
        }
    }
    if !mismatches.is_empty() {
        anyhow::bail!("{}", mismatches.join("; "));
    }
    Ok((false, BTreeMap::new()))
}

fn cherry_pick(repository: &gitops::Repository, journal: &Journal) -> StepResult {
    let plan = &journal.plan;
    let PlanKind::Hotfix {
        base_tag,
        cherry_pick_to: Some(target),
    } = &plan.kind
    else {
        return Ok((false, BTreeMap::new()));
    };
    // The fixes: the hotfix branch's commits since its base tag, without the release commit.
    let release_commit = journal
        .output(StepKind::Commit, "commit")
        .unwrap_or_default();
    let fixes: Vec<gitops::CommitId> = repository
        .commits(
            &gitops::Range::between(base_tag.clone(), plan.tag.clone()),
            &gitops::HistoryOptions::default(),
        )?
        .into_iter()
        .rev()
        .filter(|commit| commit.id.as_str() != release_commit && commit.parent_count < 2)
        .map(|commit| commit.id)
        .collect();
    let picked = repository.cherry_pick(target, &fixes, &gitops::CherryPickOptions::default())?;
    repository.push(
        &plan.remote,
        &gitops::PushOptions {
            branch: Some(target.clone()),
            tags: Vec::new(),
            set_upstream: false,
        },
    )?;
    let list = |ids: &[gitops::CommitId]| {
        ids.iter()
            .map(|id| id.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let picked_ids: Vec<gitops::CommitId> =
        picked.picked.iter().map(|(_, new)| new.clone()).collect();
    Ok((
        !picked.picked.is_empty(),
        outputs([
            ("picked", list(&picked_ids)),
            ("skipped", list(&picked.skipped)),
            ("tip", picked.tip.as_str().to_owned()),
        ]),
    ))
}
