//! The release's branches and its tag pushed together, in one atomic push.

use super::Done;
use crate::context::Context;
use crate::release::journal::StepOutput;
use crate::release::plan::{Plan, PlanKind};

pub(super) fn describe(plan: &Plan) -> String {
    let (branches, tags) = plan.pushed_refs();
    let mut refs: Vec<String> = branches.into_iter().chain(tags).collect();
    let atomic = if refs.len() > 1 { " (atomic)" } else { "" };
    let last = refs.pop().unwrap_or_default();
    let listed = if refs.is_empty() {
        last
    } else {
        format!("{} and {last}", refs.join(", "))
    };
    format!("push {listed} to {}{atomic}", plan.remote)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    // Pushing what the remote already has is a no-op, so this step is idempotent as it is.
    let (branches, tags) = plan.pushed_refs();
    let pushed = context.repository.push(
        &plan.remote,
        &gitops::PushOptions {
            branches,
            tags,
            set_upstream: matches!(plan.kind, PlanKind::ReleaseStart { .. }),
        },
    );
    let report = match pushed {
        Ok(report) => report,
        Err(error) => {
            // Rejected because another release pushed the same tag first (another clone, a CI
            // run): the push is atomic, so nothing of this run landed.
            if let crate::release::RemoteTag::Theirs(object) =
                crate::release::remote_tag(context, plan)
            {
                anyhow::bail!(
                    "another release won: {remote} has {tag} already, as another object ({}) than this run's; the push is atomic, so nothing of this run was pushed. `{command} --abort` takes back this run's local tag and commit (and leaves {remote}'s {tag} alone); then `git pull` and see whether a release is still needed",
                    object.short(),
                    remote = plan.remote,
                    tag = plan.tag,
                    command = plan.command()
                );
            }
            return Err(error.into());
        }
    };
    Ok(Done::changed(
        true,
        StepOutput::Push {
            atomic: report.atomic,
        },
    ))
}
