//! The release merged into the changelog file.

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    format!(
        "add [{}] to {}",
        plan.changelog.label,
        plan.changelog_path.display()
    )
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let path = context.directory().join(&plan.changelog_path);
    let existing = crate::fsutil::read_or_empty(&path)?;
    match changelog::merge_rerelease(&existing, &plan.changelog.to_block()) {
        changelog::MergeOutcome::Updated(merged) if merged != existing => {
            crate::fsutil::write_atomic(&path, merged.as_bytes())?;
            Ok(Done::changed(
                true,
                crate::release::journal::StepOutput::Nothing,
            ))
        }
        _ => Ok(Done::nothing()),
    }
}
