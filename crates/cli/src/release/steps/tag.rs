//! The annotated (or signed) release tag, with the notes as its message.

use anyhow::Context as _;

use super::Done;
use crate::context::Context;
use crate::release::journal::{Journal, StepOutput};
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    format!(
        "{} tag {} with the release notes",
        if plan.sign_tag { "signed" } else { "annotated" },
        plan.tag
    )
}

pub(super) fn execute(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    let target = match journal.tagged_commit() {
        Some(id) => gitops::CommitId::new(id).context("the journal's commit id is damaged")?,
        None => context.repository.head()?,
    };
    let message = format!("{}\n\n{}", plan.title, plan.notes);
    let kind = if plan.sign_tag {
        gitops::TagKind::Signed { message }
    } else {
        gitops::TagKind::Annotated { message }
    };
    let outcome = context.repository.create_tag(&plan.tag, &target, &kind)?;
    Ok(Done::changed(
        outcome.is_applied(),
        StepOutput::Tag {
            target: target.as_str().to_owned(),
        },
    ))
}
