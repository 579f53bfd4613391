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

use anyhow::Context as _;

use super::journal::{Journal, PackageOutput, StepOutput};
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
    if !plan.packages.is_empty() && per_package(step) {
        return describe_packages(context, plan, step, ask);
    }
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
    if !plan.packages.is_empty() && per_package(step) {
        return execute_packages(context, journal, step);
    }
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

/// Whether `step` runs once for each package of a release of several (in publishing order,
/// dependencies first): the hooks and everything that publishes.
fn per_package(step: StepKind) -> bool {
    matches!(
        step,
        StepKind::BeforeBumpHooks
            | StepKind::BuildHooks
            | StepKind::PublishPypi
            | StepKind::PublishOci
            | StepKind::PublishCrates
            | StepKind::GithubRelease
            | StepKind::Verify
            | StepKind::AfterPublishHooks
    )
}

/// The top-level hooks of a hook step, which run once per release, in the project directory,
/// before the packages' own.
fn root_hooks(context: &Context, step: StepKind) -> Option<(&'static str, &[String])> {
    let hooks = &context.project.config.hooks;
    match step {
        StepKind::BeforeBumpHooks => Some(("before-bump", hooks.before_bump.as_slice())),
        StepKind::BuildHooks => Some(("build", hooks.build.as_slice())),
        StepKind::AfterPublishHooks => Some(("after-publish", hooks.after_publish.as_slice())),
        _ => None,
    }
    .filter(|(_, commands)| !commands.is_empty())
}

/// Whether one package's release (its context, its part of the plan) has anything for `step`.
fn applies(context: &Context, plan: &Plan, step: StepKind) -> bool {
    let hooks = &context.project.config.hooks;
    match step {
        StepKind::BeforeBumpHooks => !hooks.before_bump.is_empty(),
        StepKind::BuildHooks => !hooks.build.is_empty(),
        StepKind::AfterPublishHooks => !hooks.after_publish.is_empty(),
        StepKind::PublishPypi => plan.publish.pypi.is_some(),
        StepKind::PublishOci => !plan.publish.oci.is_empty(),
        StepKind::PublishCrates => plan.publish.crates.is_some(),
        StepKind::GithubRelease => plan.publish.github.is_some(),
        StepKind::Verify => plan.publish.any(),
        _ => true,
    }
}

fn describe_packages(context: &Context, plan: &Plan, step: StepKind, ask: bool) -> String {
    let mut parts = Vec::new();
    if let Some((_, commands)) = root_hooks(context, step) {
        parts.push(hooks::describe(commands));
    }
    match super::monorepo::parts(context, &Journal::new(plan.clone())) {
        Ok(runs) => {
            for run in runs {
                if applies(&run.context, &run.journal.plan, step) {
                    parts.push(format!(
                        "{}: {}",
                        run.name,
                        describe(&run.context, &run.journal.plan, step, ask)
                    ));
                }
            }
        }
        Err(error) => parts.push(format!("(the packages cannot be read: {error:#})")),
    }
    parts.join("; ")
}

/// A step of a release of several packages: the top-level hooks once, then the step for each
/// package that has something for it, in publishing order. Each package's part is idempotent as
/// a single release's is, so a rerun after a stop half-way repeats nothing.
fn execute_packages(context: &Context, journal: &Journal, step: StepKind) -> anyhow::Result<Done> {
    let mut changed = false;
    if let Some((name, commands)) = root_hooks(context, step) {
        changed |= hooks::execute(context, &journal.plan, name, commands)?.changed;
    }
    let mut packages = Vec::new();
    for run in super::monorepo::parts(context, journal)? {
        if !applies(&run.context, &run.journal.plan, step) {
            continue;
        }
        let done = execute(&run.context, &run.journal, step)
            .with_context(|| format!("package {}", run.name))?;
        changed |= done.changed;
        packages.push(PackageOutput {
            name: run.name,
            output: done.output,
        });
    }
    Ok(Done::changed(changed, StepOutput::Packages { packages }))
}
