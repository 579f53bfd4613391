//! The branch and the tag pushed together.

use super::Done;
use crate::context::Context;
use crate::release::journal::StepOutput;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    format!(
        "push {} and {} to {} (atomic)",
        plan.branch, plan.tag, plan.remote
    )
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    // Pushing what the remote already has is a no-op, so this step is idempotent as it is.
    let report = context.repository.push(
        &plan.remote,
        &gitops::PushOptions {
            branch: Some(plan.branch.clone()),
            tags: vec![plan.tag.clone()],
            set_upstream: false,
        },
    )?;
    Ok(Done::changed(
        true,
        StepOutput::Push {
            atomic: report.atomic,
        },
    ))
}
