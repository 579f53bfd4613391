//! The steps of a release, one module each, each a `describe` / `execute` pair.
//!
//! `describe` says what the step will do, from the same plan `execute` uses (the dry run prints it);
//! `execute` checks the world first and reports whether it changed anything, with a typed
//! [`StepOutput`] for the journal. So a run killed between a step's effect and its record repeats
//! nothing when resumed: the step finds its effect and records it.

mod changelog_file;
mod check_tag;
mod cherry_pick;
mod commit;
mod crates;
mod git_flow;
mod github;
mod hooks;
mod oci;
mod push;
mod pypi;
mod tag;
mod verify;
mod version_files;

pub(super) use changelog_file::changelogs;
pub(super) use commit::is_release_commit;
pub(super) use git_flow::predicted_conflicts;
pub(super) use version_files::edits as version_file_edits;

use super::journal::{Journal, StepOutput};
use super::plan::{Plan, StepKind};
use crate::context::Context;

/// What a step did.
pub(super) struct Done {
    /// Whether it changed anything, or found the world already as it should be.
    pub(super) changed: bool,
    /// What it produced.
    pub(super) output: StepOutput,
}

impl Done {
    fn changed(changed: bool, output: StepOutput) -> Done {
        Done { changed, output }
    }

    fn nothing() -> Done {
        Done::changed(false, StepOutput::Nothing)
    }
}

/// One line on what `step` will do; with `ask`, steps that can ask their target what would change
/// (the GitHub Release) do so, with reads only.
pub(super) fn describe(context: &Context, plan: &Plan, step: StepKind, ask: bool) -> String {
    match step {
        StepKind::Preflight => super::preflight::describe(plan),
        StepKind::BeforeBumpHooks => hooks::describe(&context.project.config.hooks.before_bump),
        StepKind::VersionFiles => version_files::describe(plan),
        StepKind::Changelog => changelog_file::describe(plan),
        StepKind::Commit => commit::describe(plan),
        StepKind::Tag => tag::describe(plan),
        StepKind::Push => push::describe(plan),
        StepKind::CheckTag => check_tag::describe(plan),
        StepKind::BuildHooks => hooks::describe(&context.project.config.hooks.build),
        StepKind::PublishPypi => pypi::describe(context, plan),
        StepKind::PublishOci => oci::describe(plan),
        StepKind::PublishCrates => crates::describe(plan),
        StepKind::GithubRelease => github::describe(context, plan, ask),
        StepKind::Verify => verify::describe(plan),
        StepKind::AfterPublishHooks => hooks::describe(&context.project.config.hooks.after_publish),
        StepKind::CherryPick => cherry_pick::describe(plan),
        StepKind::CreateBranch => git_flow::describe_create(plan),
        StepKind::MergeMain => git_flow::describe_merge_main(plan),
        StepKind::MergeDevelop => git_flow::describe_merge_develop(plan),
        StepKind::DeleteBranch => git_flow::describe_delete(plan),
    }
}

/// Runs `step` of the journal's plan.
pub(super) fn execute(
    context: &Context,
    journal: &Journal,
    step: StepKind,
) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    match step {
        StepKind::Preflight => {
            super::preflight::check(context, plan)?;
            Ok(Done::nothing())
        }
        StepKind::BeforeBumpHooks => hooks::execute(
            context,
            plan,
            "before-bump",
            &context.project.config.hooks.before_bump,
        ),
        StepKind::VersionFiles => version_files::execute(context, plan),
        StepKind::Changelog => changelog_file::execute(context, plan),
        StepKind::Commit => commit::execute(context, plan),
        StepKind::Tag => tag::execute(context, journal),
        StepKind::Push => push::execute(context, plan),
        StepKind::CheckTag => check_tag::execute(context, plan),
        StepKind::BuildHooks => {
            hooks::execute(context, plan, "build", &context.project.config.hooks.build)
        }
        StepKind::PublishPypi => pypi::execute(context, plan),
        StepKind::PublishOci => oci::execute(context, plan),
        StepKind::PublishCrates => crates::execute(context, plan),
        StepKind::GithubRelease => github::execute(context, plan),
        StepKind::Verify => verify::execute(context, journal),
        StepKind::AfterPublishHooks => hooks::execute(
            context,
            plan,
            "after-publish",
            &context.project.config.hooks.after_publish,
        ),
        StepKind::CherryPick => cherry_pick::execute(context, journal),
        StepKind::CreateBranch => git_flow::create(context, plan),
        StepKind::MergeMain => git_flow::merge_main(context, journal),
        StepKind::MergeDevelop => git_flow::merge_develop(context, journal),
        StepKind::DeleteBranch => git_flow::delete(context, plan),
    }
}
