//! The annotated (or signed) release tag, with the notes as its message.

use anyhow::Context as _;

use super::Done;
use crate::context::Context;
use crate::release::journal::{Journal, StepOutput};
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    let tags = plan.all_tags();
    format!(
        "{} tag{} {} with the release notes",
        if plan.sign_tag { "signed" } else { "annotated" },
        if tags.len() > 1 { "s" } else { "" },
        tags.join(", ")
    )
}

pub(super) fn execute(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let plan = &journal.plan;
    let target = match journal.tagged_commit() {
        Some(id) => gitops::CommitId::new(id).context("the journal's commit id is damaged")?,
        None => context.repository.head()?,
    };
    let tags: Vec<(&str, &str, &str)> = if plan.packages.is_empty() {
        vec![(&plan.tag, &plan.title, &plan.notes)]
    } else {
        plan.packages
            .iter()
            .map(|package| {
                (
                    package.tag.as_str(),
                    package.title.as_str(),
                    package.notes.as_str(),
                )
            })
            .collect()
    };
    let mut applied = false;
    for (tag, title, notes) in tags {
        let message = format!("{title}\n\n{notes}");
        let kind = if plan.sign_tag {
            gitops::TagKind::Signed { message }
        } else {
            gitops::TagKind::Annotated { message }
        };
        applied |= context
            .repository
            .create_tag(tag, &target, &kind)?
            .is_applied();
    }
    Ok(Done::changed(
        applied,
        StepOutput::Tag {
            target: target.as_str().to_owned(),
        },
    ))
}
