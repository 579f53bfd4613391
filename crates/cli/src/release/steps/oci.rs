//! The image pushed to the OCI registry under the version (and `latest`, when the plan moves it).
//!
//! Idempotent through the client: blobs already there are not sent, a manifest already at its
//! digest is not pushed again.

use anyhow::Context as _;

use super::Done;
use crate::bad_input;
use crate::context::Context;
use crate::release::journal::StepOutput;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    let Some(oci) = &plan.publish.oci else {
        return String::new();
    };
    let tags: Vec<String> = oci
        .tags
        .iter()
        .map(|tag| format!("{}:{tag}", oci.repository))
        .collect();
    format!("push {} to {}", oci.layout.display(), tags.join(" and "))
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let (Some(oci), Some(target)) = (&plan.publish.oci, &context.targets.oci) else {
        anyhow::bail!("the plan pushes an image, and [oci] is no longer configured");
    };
    let layout = registry::oci::Layout::open_named(&context.directory().join(&oci.layout), None)
        .with_context(|| format!("the image layout {}", oci.layout.display()))
        .map_err(bad_input)?;
    let client = target.client(true)?;
    let options = registry::oci::PushOptions {
        force_latest: false,
        mount_from: Vec::new(),
    };
    let progress = context.transfers.oci(&target.repository.to_string());
    let report = context.block_on(client.push_with_progress(
        &layout,
        &target.repository,
        &oci.tags,
        &options,
        progress,
    ))?;
    let changed = !report.tags_updated.is_empty() || report.blobs.uploaded > 0;
    Ok(Done::changed(
        changed,
        StepOutput::Oci {
            digest: report.digest.to_string(),
            tags: oci.tags.clone(),
            bytes_uploaded: report.blobs.bytes_uploaded,
        },
    ))
}
