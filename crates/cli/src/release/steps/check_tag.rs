//! The runbook's "Version mismatch!" check: every version file says the tag's version.

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    if plan.packages.is_empty() {
        format!("check that every version file says {}", plan.version)
    } else {
        format!(
            "check that each package's version files say its version ({})",
            plan.released()
        )
    }
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let mut mismatches = Vec::new();
    if plan.packages.is_empty() {
        for file in crate::version_files::load(&context.project)? {
            mismatches.extend(file.check_tag(&plan.version)?);
        }
    } else {
        let packages = crate::packages::discover(&context.project)?;
        for planned in &plan.packages {
            let package = crate::packages::find(&packages, &planned.name)?;
            for file in crate::version_files::load(&package.project)? {
                mismatches.extend(file.check_tag(&planned.version)?);
            }
        }
    }
    if !mismatches.is_empty() {
        anyhow::bail!("{}", mismatches.join("; "));
    }
    Ok(Done::nothing())
}
