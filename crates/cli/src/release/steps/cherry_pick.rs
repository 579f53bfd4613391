//! A hotfix's fixes cherry-picked onto the main branch, which is pushed.

use super::Done;
use crate::context::Context;
use crate::release::journal::{Journal, StepOutput};
use crate::release::plan::{Plan, PlanKind};

pub(super) fn describe(plan: &Plan) -> String {
    match &plan.kind {
        PlanKind::Hotfix {
            cherry_pick_to: Some(target),
            base_tag,
        } => format!(
            "cherry-pick the fixes since {base_tag} onto {target}, add [{}] to its {}, and push it",
            plan.changelog.label,
            plan.changelog_path.display()
        ),
        _ => "nothing to cherry-pick".to_owned(),
    }
}

pub(super) fn execute(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    let repository = &context.repository;
    let PlanKind::Hotfix {
        base_tag,
        cherry_pick_to: Some(target),
    } = &plan.kind
    else {
        return Ok(Done::nothing());
    };
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
    let picked = repository.cherry_pick(target, &fixes, &gitops::CherryPickOptions::default())?;
    // The hotfix's section goes into the target's changelog too (between the newer and the older
    // releases there), so that main's CHANGELOG.md lists every release.
    let existing = repository
        .file_on_branch(target, &plan.changelog_path)?
        .unwrap_or_default();
    let mut tip = picked.tip.clone();
    if let Some(merged) = super::changelog_file::merged(plan, &existing) {
        let committed = repository.commit_file_on_branch(
            target,
            &plan.changelog_path,
            &merged,
            &format!("chore(release): {} in the changelog", plan.version),
        )?;
        tip = committed.into_inner();
    }
    repository.push(
        &plan.remote,
        &gitops::PushOptions {
            branch: Some(target.clone()),
            tags: Vec::new(),
            set_upstream: false,
        },
    )?;
    let ids = |ids: &mut dyn Iterator<Item = &gitops::CommitId>| {
        ids.map(|id| id.as_str().to_owned()).collect::<Vec<_>>()
    };
    Ok(Done::changed(
        !picked.picked.is_empty(),
        StepOutput::CherryPick {
            picked: ids(&mut picked.picked.iter().map(|(_, new)| new)),
            skipped: ids(&mut picked.skipped.iter()),
            tip: tip.as_str().to_owned(),
        },
    ))
}
