//! A hotfix's fixes cherry-picked onto other branches (trunk), each pushed.
//!
//! Each target in turn: the fixes picked in memory (the branch need not be checked out), the
//! hotfix's changelog section added, the branch pushed. A conflict leaves the target checked out
//! with the conflict as `git cherry-pick` leaves it (`CHERRY_PICK_HEAD`, conflict markers); once
//! the user has resolved and committed it, the resumed step finds the fix on the branch (by its
//! `cherry picked from` line, or its patch) and goes on with the rest.

use std::collections::BTreeMap;

use super::Done;
use crate::context::Context;
use crate::release::journal::{Journal, StepOutput};
use crate::release::plan::{Plan, PlanKind};

pub(super) fn describe(plan: &Plan) -> String {
    match &plan.kind {
        PlanKind::Hotfix {
            cherry_pick_to,
            base_tag,
        } if !cherry_pick_to.is_empty() => format!(
            "cherry-pick the fixes since {base_tag} onto {}, add [{}] to the {} of each, and push {}",
            cherry_pick_to.join(" and "),
            plan.changelog.label,
            plan.changelog_path.display(),
            if cherry_pick_to.len() > 1 {
                "them"
            } else {
                "it"
            }
        ),
        _ => "nothing to cherry-pick".to_owned(),
    }
}

pub(super) fn execute(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    let repository = &context.repository;
    let PlanKind::Hotfix {
        base_tag,
        cherry_pick_to,
    } = &plan.kind
    else {
        return Ok(Done::nothing());
    };
    if let Some(operation) = repository.in_progress() {
        anyhow::bail!(
            "{operation} is in progress in the work tree: resolve the conflicts, `git add` the files and `git cherry-pick --continue` (or `git cherry-pick --abort` to give up that branch), then `{} --resume`",
            plan.command()
        );
    }
    // The fixes: the hotfix branch's commits since its base tag, without the release commit.
    let release_commit = journal.release_commit().unwrap_or_default();
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
    let mut picked = Vec::new();
    let mut skipped = Vec::new();
    let mut tips = BTreeMap::new();
    for target in cherry_pick_to {
        let done = pick_onto(context, plan, target, &fixes)?;
        picked.extend(done.picked.iter().map(|(_, new)| new.as_str().to_owned()));
        skipped.extend(done.skipped.iter().map(|id| id.as_str().to_owned()));
        tips.insert(target.clone(), done.tip.as_str().to_owned());
    }
    Ok(Done::changed(
        !picked.is_empty(),
        StepOutput::CherryPick {
            picked,
            skipped,
            tips,
        },
    ))
}

/// The fixes onto `target`, its changelog, its push.
fn pick_onto(
    context: &Context,
    plan: &Plan,
    target: &str,
    fixes: &[gitops::CommitId],
) -> anyhow::Result<gitops::CherryPick> {
    let repository = &context.repository;
    let mut picked =
        match repository.cherry_pick(target, fixes, &gitops::CherryPickOptions::default()) {
            Err(gitops::Error::CherryPickConflict { .. }) => {
                // Again, on the target checked out, keeping the conflict for the user to resolve.
                repository.checkout_branch(target)?;
                repository
                    .cherry_pick(
                        target,
                        fixes,
                        &gitops::CherryPickOptions {
                            keep_conflict: true,
                        },
                    )
                    .map_err(|error| conflict(plan, target, error))?
            }
            other => other?,
        };
    // The hotfix's section (as the tag has it, hand-written lines included) goes into the
    // target's changelog too, below its Unreleased section, so that every branch's CHANGELOG.md
    // lists every release and keeps its own unreleased notes.
    let existing = repository
        .file_on_branch(target, &plan.changelog_path)?
        .unwrap_or_default();
    let released = repository
        .file_at(&plan.tag, &plan.changelog_path)?
        .unwrap_or_default();
    let merged = changelog::union_releases(&existing, &released);
    if merged != existing {
        let message = format!("chore(release): {} in the changelog", plan.released());
        let committed = if repository.current_branch().ok().as_deref() == Some(target) {
            // Checked out (after a conflict): commit in the work tree, which follows.
            crate::fsutil::write_atomic(
                &context.directory().join(&plan.changelog_path),
                merged.as_bytes(),
            )?;
            repository.commit_paths(&[&plan.changelog_path], &message)?
        } else {
            repository.commit_file_on_branch(target, &plan.changelog_path, &merged, &message)?
        };
        picked.tip = committed.into_inner();
    }
    repository.push(
        &plan.remote,
        &gitops::PushOptions {
            branches: vec![target.to_owned()],
            tags: Vec::new(),
            set_upstream: false,
        },
    )?;
    Ok(picked)
}

/// A kept conflict, said with the way through.
fn conflict(plan: &Plan, target: &str, error: gitops::Error) -> anyhow::Error {
    match error {
        gitops::Error::CherryPickConflict {
            commit,
            paths,
            kept: true,
            ..
        } => anyhow::anyhow!(
            "cherry-picking {} onto {target} conflicts in {}: {target} is checked out with the conflict, as `git cherry-pick` leaves it. Resolve the files, `git add` them and `git cherry-pick --continue`, then `{command} --resume` (the release {} itself is done; `git cherry-pick --abort` leaves {target} without the fix)",
            commit.short(),
            paths.join(", "),
            plan.version,
            command = plan.command()
        ),
        other => other.into(),
    }
}
