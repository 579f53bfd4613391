//! Each image pushed to its OCI repository under the version (and the floating tags and `latest`
//! the plan moves).
//!
//! Idempotent through the client: blobs already there are not sent, a manifest already at its
//! digest is not pushed again, so a rerun after a failure between two images pushes only what is
//! missing.

use anyhow::Context as _;

use super::Done;
use crate::bad_input;
use crate::context::Context;
use crate::release::journal::{PublishedImage, StepOutput};
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    plan.publish
        .oci
        .iter()
        .map(|oci| {
            let tags: Vec<String> = oci
                .tags
                .iter()
                .map(|tag| format!("{}:{tag}", oci.repository))
                .collect();
            format!("push {} to {}", oci.layout.display(), tags.join(" and "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let mut images = Vec::new();
    let mut changed = false;
    for oci in &plan.publish.oci {
        let target = context.targets.oci_for(&oci.repository)?;
        let layout =
            registry::oci::Layout::open_named(&context.directory().join(&oci.layout), None)
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
        changed |= !report.tags_updated.is_empty() || report.blobs.uploaded > 0;
        images.push(PublishedImage {
            repository: oci.repository.clone(),
            digest: report.digest.to_string(),
            tags: oci.tags.clone(),
            bytes_uploaded: report.blobs.bytes_uploaded,
        });
    }
    Ok(Done::changed(changed, StepOutput::Oci { images }))
}
