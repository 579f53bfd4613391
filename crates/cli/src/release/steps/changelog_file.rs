//! The release merged into the changelog file: its section (regenerated if the version is
//! released again), the hand-written lines kept, and the version's pre-release sections folded
//! as configured.

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

/// The changelog file's new text, or `None` when the merge changes nothing.
pub(in crate::release) fn merged(plan: &Plan, existing: &str) -> Option<String> {
    crate::release::plan::merged_changelog(&plan.config, &plan.version, &plan.changelog, existing)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let path = context.directory().join(&plan.changelog_path);
    let existing = crate::fsutil::read_changelog(&path)?;
    match merged(plan, &existing) {
        Some(merged) => {
            crate::fsutil::write_atomic(&path, merged.as_bytes())?;
            Ok(Done::changed(
                true,
                crate::release::journal::StepOutput::Nothing,
            ))
        }
        None => Ok(Done::nothing()),
    }
}
