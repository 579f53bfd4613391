//! git-flow's branch steps: the release branch cut from develop, merged into main (`--no-ff`, the
//! merge tagged), main merged back into develop, the branch deleted.
//!
//! Merges are made in memory when they are clean, so develop is merged into without being
//! checked out. A conflict stops the release with the branch checked out and the conflict in the
//! work tree as `git merge` leaves it; the user resolves and commits, and the resumed step finds
//! the branch containing what it merges and goes on.

use anyhow::Context as _;

use super::Done;
use crate::context::Context;
use crate::release::journal::{Journal, StepOutput};
use crate::release::plan::{Plan, PlanKind, StepKind};

/// The main and develop branches of a finish.
fn branches(plan: &Plan) -> (&str, &str) {
    match &plan.kind {
        PlanKind::Finish { main, develop, .. } => (main, develop),
        _ => ("main", "develop"),
    }
}

pub(super) fn describe_create(plan: &Plan) -> String {
    format!(
        "create {} from {} and check it out",
        plan.branch,
        plan.start_branch()
    )
}

pub(super) fn create(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let repository = &context.repository;
    let base = gitops::CommitId::new(plan.base_commit.as_str())
        .context("the journal's base commit is damaged")?;
    let created = repository.create_branch(&plan.branch, &base)?;
    repository.checkout_branch(&plan.branch)?;
    Ok(Done::changed(created.is_applied(), StepOutput::Nothing))
}

pub(super) fn describe_merge_main(plan: &Plan) -> String {
    let (main, _) = branches(plan);
    format!(
        "merge {} into {main} (--no-ff), then check out {main}",
        plan.branch
    )
}

pub(super) fn merge_main(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    let (main, _) = branches(plan);
    let source = journal
        .release_commit()
        .context("the release commit is missing from the journal")?;
    // The release branch's changelog, with any section main has and it lacks (a hotfix made
    // while the branch was open).
    let changelog = union_changelog(context, plan, source, main)?;
    let done = merge(
        context,
        plan,
        main,
        source,
        &plan.branch,
        &format!("Merge branch '{}'", plan.branch),
        changelog,
    )?;
    context.repository.checkout_branch(main)?;
    Ok(done)
}

pub(super) fn describe_merge_develop(plan: &Plan) -> String {
    let (main, develop) = branches(plan);
    let open_release = plan.config.git.release_branch.parse(develop).is_some();
    format!(
        "merge {main} back into {develop} (--no-ff){}",
        if open_release {
            ", the open release branch, as git-flow has it (develop gets the fix when that release is finished)"
        } else {
            ""
        }
    )
}

pub(super) fn merge_develop(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    let (main, develop) = branches(plan);
    let source = journal
        .merge_commit(StepKind::MergeMain)
        .context("the merge into the main branch is missing from the journal")?;
    // develop's changelog keeps its Unreleased section (the next release's), with the new
    // release's section (and any other develop lacks) inserted below it.
    let changelog = union_changelog(context, plan, develop, source)?;
    let done = merge(
        context,
        plan,
        develop,
        source,
        main,
        &format!("Merge branch '{main}' into {develop}"),
        changelog,
    )?;
    // The build and the checks after the push run on the tagged commit.
    context.repository.checkout_branch(main)?;
    Ok(done)
}

/// The changelog a merge writes: `base`'s, with every release section of `other` it lacks
/// ([`changelog::union_releases`]); `None` when neither has the file.
fn union_changelog(
    context: &Context,
    plan: &Plan,
    base: &str,
    other: &str,
) -> anyhow::Result<Option<(std::path::PathBuf, String)>> {
    let repository = &context.repository;
    let path = &plan.changelog_path;
    let (ours, theirs) = (
        repository.file_at(base, path)?,
        repository.file_at(other, path)?,
    );
    Ok(match (ours, theirs) {
        (None, None) => None,
        (ours, theirs) => Some((
            path.clone(),
            changelog::union_releases(
                ours.as_deref().unwrap_or_default(),
                theirs.as_deref().unwrap_or_default(),
            ),
        )),
    })
}

/// The version files as the side with the higher version has them, for when both sides changed
/// their version line (a hotfix merged into a release branch that is ahead of it): the merge
/// never takes a branch's version back.
fn version_files_on_conflict(
    context: &Context,
    target: &str,
    source: &str,
) -> anyhow::Result<Vec<(std::path::PathBuf, String)>> {
    let repository = &context.repository;
    let mut texts = Vec::new();
    for file in crate::version_files::load(&context.project)? {
        let (Some(ours), Some(theirs)) = (
            repository.file_at(target, &file.path)?,
            repository.file_at(source, &file.path)?,
        ) else {
            continue;
        };
        let version_of = |text: &str| {
            crate::version_files::VersionFile {
                text: text.to_owned(),
                ..file.clone()
            }
            .version()
            .ok()
            .map(|(version, _)| version)
        };
        let higher = match (version_of(&ours), version_of(&theirs)) {
            (Some(ours_version), Some(theirs_version)) if ours_version > theirs_version => ours,
            _ => theirs,
        };
        texts.push((file.path.clone(), higher));
    }
    Ok(texts)
}

/// Merges `source` (the commit of `source_name`) into `target`, with the changelog merged by
/// slipway, keeping any other conflict for the user.
fn merge(
    context: &Context,
    plan: &Plan,
    target: &str,
    source: &str,
    source_name: &str,
    message: &str,
    changelog: Option<(std::path::PathBuf, String)>,
) -> anyhow::Result<Done> {
    let on_conflict = version_files_on_conflict(context, target, source)?;
    let repository = &context.repository;
    if let Some(operation) = repository.in_progress() {
        anyhow::bail!(
            "{operation} is in progress in the work tree: resolve the conflicts, `git add` the files and `git commit`, then `{} --resume`",
            plan.command()
        );
    }
    let outcome = repository
        .merge_into(
            target,
            source,
            message,
            &gitops::MergeOptions {
                keep_conflict: true,
                resolved: changelog.into_iter().collect(),
                on_conflict,
            },
        )
        .map_err(|error| match error {
            gitops::Error::MergeConflict { paths, kept: true, .. } => anyhow::anyhow!(
                "merging {source_name} into {target} conflicts in {}: {target} is checked out with the conflict, as `git merge` leaves it. Resolve the files, `git add` them and `git commit`, then `{command} --resume` (or `git merge --abort`, then `{command} --abort` to undo the release's local steps)",
                paths.join(", "),
                command = plan.command()
            ),
            other => other.into(),
        })?;
    let changed = outcome.is_applied();
    let merge = outcome.into_inner();
    Ok(Done::changed(
        changed,
        StepOutput::Merge {
            commit: merge.commit.as_str().to_owned(),
            before: merge.before.as_str().to_owned(),
        },
    ))
}

pub(super) fn describe_delete(plan: &Plan) -> String {
    format!("delete {} here and on {}", plan.branch, plan.remote)
}

pub(super) fn delete(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let repository = &context.repository;
    let local = repository.delete_branch(&plan.branch)?;
    let remote = repository.delete_remote_branch(&plan.remote, &plan.branch)?;
    Ok(Done::changed(
        local.is_applied() || remote.is_applied(),
        StepOutput::Nothing,
    ))
}

/// The merges of a finish that will stop for the user to resolve a conflict, found in memory from
/// the release branch as it is now (the files slipway merges itself left out): one line each.
pub(in crate::release) fn predicted_conflicts(context: &Context, plan: &Plan) -> Vec<String> {
    let PlanKind::Finish { .. } = &plan.kind else {
        return Vec::new();
    };
    let (main, develop) = branches(plan);
    let mut lines = Vec::new();
    for target in [main, develop] {
        let options = union_changelog(context, plan, target, &plan.branch).and_then(|changelog| {
            Ok(gitops::MergeOptions {
                keep_conflict: false,
                resolved: changelog.into_iter().collect(),
                on_conflict: version_files_on_conflict(context, target, &plan.branch)?,
            })
        });
        let conflicts = options.and_then(|options| {
            Ok(context
                .repository
                .merge_conflicts(target, &plan.branch, &options)?)
        });
        match conflicts {
            Ok(paths) if !paths.is_empty() => lines.push(format!(
                "merging {} into {target} conflicts in {}: the finish will stop there for you to resolve it",
                plan.branch,
                paths.join(", ")
            )),
            Ok(_) => {}
            Err(error) => tracing::debug!("cannot foresee the merge into {target}: {error:#}"),
        }
    }
    lines
}
