//! The GitHub Release created or updated with the notes, and its assets attached.
//!
//! Idempotent through the client: a release that already says what it should is left alone, an
//! asset already there with the same sha256 is not sent again.

use super::Done;
use crate::context::Context;
use crate::release::journal::{PublishedFile, StepOutput};
use crate::release::plan::Plan;

/// What the release needs, as `registry::github` plans it with reads only.
pub(super) fn describe(context: &Context, plan: &Plan, ask: bool) -> String {
    let Some(github) = &plan.publish.github else {
        return String::new();
    };
    let spec = github.spec(plan);
    let kind = if spec.prerelease {
        " (pre-release)"
    } else {
        ""
    };
    let assets = if github.assets.is_empty() {
        String::new()
    } else {
        format!(", assets {}", github.assets.join(", "))
    };
    let change = match context
        .targets
        .github
        .as_ref()
        .filter(|_| ask)
        .map(|target| target.client())
    {
        Some(Ok(client)) => match context.block_on(client.plan_release(&spec)) {
            Ok(planned) => match planned.change {
                registry::github::ReleaseChange::Created => "create".to_owned(),
                registry::github::ReleaseChange::Updated { fields } => {
                    format!("update {} of", fields.join(", "))
                }
                _ => "leave as it is".to_owned(),
            },
            Err(error) => format!("create or update (GitHub could not be asked: {error})"),
        },
        Some(Err(error)) => format!("create or update (not checked: {error:#})"),
        None => "create or update".to_owned(),
    };
    format!(
        "{change} the GitHub Release {} of {}{kind}{assets}",
        plan.tag,
        github.repository.as_deref().unwrap_or("the repository")
    )
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let (Some(github), Some(target)) = (&plan.publish.github, &context.targets.github) else {
        anyhow::bail!("the plan makes a GitHub Release, and [github] is no longer configured");
    };
    let client = target.client()?;
    let spec = github.spec(plan);
    let assets = target.files(context.directory())?;
    if assets.is_empty() && !github.assets.is_empty() {
        anyhow::bail!(
            "no file matches github.assets ({}) in {}: build them first (a build hook) or fix the patterns",
            github.assets.join(", "),
            context.directory().display()
        );
    }
    let (outcome, uploaded) = context.block_on(async {
        let outcome = client.create_or_update_release(&spec).await?;
        let mut uploaded = Vec::new();
        for path in &assets {
            uploaded.push(
                client
                    .upload_asset(&outcome.release, path, context.transfers.github())
                    .await?,
            );
        }
        anyhow::Ok((outcome, uploaded))
    })?;
    let changed = !matches!(outcome.change, registry::github::ReleaseChange::Unchanged)
        || uploaded
            .iter()
            .any(|asset| !matches!(asset.status, registry::github::AssetStatus::AlreadyPresent));
    Ok(Done::changed(
        changed,
        StepOutput::Github {
            id: outcome.release.id,
            url: outcome.release.html_url.clone(),
            assets: uploaded
                .iter()
                .map(|asset| PublishedFile {
                    name: asset.asset.name.clone(),
                    sha256: asset.sha256.clone(),
                })
                .collect(),
        },
    ))
}
