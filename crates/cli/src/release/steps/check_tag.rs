//! The runbook's "Version mismatch!" check: every version file says the tag's version.

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    format!("check that every version file says {}", plan.version)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let mut mismatches = Vec::new();
    for file in crate::version_files::load(&context.project)? {
        mismatches.extend(file.check_tag(&plan.version)?);
    }
    if !mismatches.is_empty() {
        anyhow::bail!("{}", mismatches.join("; "));
    }
    Ok(Done::nothing())
}
