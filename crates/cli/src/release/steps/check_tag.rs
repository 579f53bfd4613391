//! The runbook's "Version mismatch!" check: every version file says the tag's version.

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    format!("check that every version file says {}", plan.version)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let files = crate::version_files::load(&context.project)?;
    let mut mismatches = Vec::new();
    for file in &files {
        if let Some(mismatch) = versioning::files::check_tag(
            &file.display_path(),
            &file.kind,
            &file.text,
            &plan.version,
        )? {
            mismatches.push(mismatch.to_string());
        }
    }
    if !mismatches.is_empty() {
        anyhow::bail!("{}", mismatches.join("; "));
    }
    Ok(Done::nothing())
}
