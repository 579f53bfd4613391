//! The new version written into every version file; in a release of several packages, each
//! package's version into its files and the requirements on it that must follow.

use std::collections::BTreeMap;

use super::Done;
use crate::context::Context;
use crate::release::journal::StepOutput;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    let files: Vec<String> = plan
        .version_files
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    format!("write {} into {}", plan.released(), files.join(", "))
}

/// The edits the step makes, from the files as they are now.
pub(in crate::release) fn edits(
    context: &Context,
    plan: &Plan,
) -> anyhow::Result<Vec<crate::version_files::FileEdit>> {
    if plan.packages.is_empty() {
        return crate::version_files::plan_project(&context.project, &plan.version);
    }
    let mut packages = crate::packages::discover(&context.project)?;
    if let crate::release::plan::PlanKind::Hotfix { .. } = plan.kind {
        // A package's hotfix releases it alone: the requirements on it stay as they are.
        packages.retain(|package| {
            plan.packages
                .iter()
                .any(|planned| planned.name == package.name)
        });
    }
    let released: BTreeMap<String, versioning::Version> = plan
        .packages
        .iter()
        .map(|package| (package.name.clone(), package.version.clone()))
        .collect();
    crate::version_files::plan_packages(&context.project, &packages, &released)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let edits = edits(context, plan)?;
    crate::version_files::apply(context.directory(), &edits)?;
    let written = edits.iter().map(|edit| edit.path.clone()).collect();
    Ok(Done::changed(
        !edits.is_empty(),
        StepOutput::Files { files: written },
    ))
}
