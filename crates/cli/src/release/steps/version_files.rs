//! The new version written into every version file.

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
    format!("write {} into {}", plan.version, files.join(", "))
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let edits = crate::version_files::plan_project(&context.project, &plan.version)?;
    crate::version_files::apply(context.directory(), &edits)?;
    let written = edits.iter().map(|edit| edit.path.clone()).collect();
    Ok(Done::changed(
        !edits.is_empty(),
        StepOutput::Files { files: written },
    ))
}
