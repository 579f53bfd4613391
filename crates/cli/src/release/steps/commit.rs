//! The release commit of the version files and the changelog.

use super::Done;
use crate::context::Context;
use crate::release::journal::StepOutput;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    format!("commit \"{}\"", plan.commit_message)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let repository = &context.repository;
    let head = repository.head()?;
    // After a kill between the commit and the journal, HEAD already is the release commit.
    if head.as_str() != plan.base_commit && is_release_commit(context, plan, &head)? {
        return Ok(Done::changed(
            false,
            StepOutput::Commit {
                commit: head.as_str().to_owned(),
            },
        ));
    }
    let mut paths = plan.version_files.clone();
    if plan.packages.is_empty() {
        paths.push(plan.changelog_path.clone());
    }
    paths.extend(
        plan.packages
            .iter()
            .map(|package| package.changelog_path.clone()),
    );
    paths.extend(plan.change_files.iter().cloned());
    paths.extend(
        plan.change_rewrites
            .iter()
            .map(|rewrite| rewrite.path.clone()),
    );
    let outcome = repository.commit_paths(&paths, &plan.commit_message)?;
    let changed = outcome.is_applied();
    let commit = outcome.into_inner().as_str().to_owned();
    Ok(Done::changed(changed, StepOutput::Commit { commit }))
}

/// Whether `head` is this plan's release commit: its message, on top of the base commit.
pub(in crate::release) fn is_release_commit(
    context: &Context,
    plan: &Plan,
    head: &gitops::CommitId,
) -> anyhow::Result<bool> {
    let commits = context.repository.commits(
        &gitops::Range::head().exclude(plan.base_commit.clone()),
        &gitops::HistoryOptions::default(),
    )?;
    Ok(
        matches!(commits.as_slice(), [only] if only.id == *head && only.message.trim() == plan.commit_message),
    )
}
