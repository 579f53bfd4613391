//! The distributions uploaded to the Python package index.
//!
//! Idempotent through the client: a file already on the index with the same sha256 counts as
//! uploaded; one with other content is an error naming both hashes, never a delete.

use super::Done;
use crate::bad_input;
use crate::context::Context;
use crate::release::journal::{PublishedFile, StepOutput};
use crate::release::plan::Plan;

pub(super) fn describe(context: &Context, plan: &Plan) -> String {
    let Some(pypi) = &plan.publish.pypi else {
        return String::new();
    };
    let credentials = context
        .targets
        .pypi
        .as_ref()
        .and_then(|target| target.index(pypi.channel).ok())
        .map_or_else(String::new, |index| {
            format!("; {}", index.credentials_source())
        });
    format!(
        "upload the {} {} sdist and wheels ({}) to {} ({}{credentials})",
        pypi.project,
        pypi.version,
        pypi.patterns.join(", "),
        pypi.index,
        pypi.channel,
    )
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let (Some(pypi), Some(target)) = (&plan.publish.pypi, &context.targets.pypi) else {
        anyhow::bail!("the plan publishes to a Python index, and [pypi] is no longer configured");
    };
    let release = versioning::pep440::Pep440Version::parse(&pypi.version).map_err(bad_input)?;
    let paths = target.files(context.directory())?;
    if paths.is_empty() {
        let hooks = &context.project.config.hooks.build;
        return Err(bad_input(if hooks.is_empty() {
            anyhow::anyhow!(
                "no wheel or sdist matches {} in {}: add a build hook (`python -m build`) or set pypi.dist",
                pypi.patterns.join(", "),
                context.directory().display()
            )
        } else {
            // The build step is done and is not run again by --resume: a rebuild of files
            // already uploaded would differ from them.
            let package = match (&context.project.root, &context.project.name) {
                (Some(_), Some(name)) => format!(" SLIPWAY_PACKAGE={name}"),
                _ => String::new(),
            };
            let environment = format!(
                "SLIPWAY_VERSION={} SLIPWAY_TAG={}{package}",
                plan.version, plan.tag
            );
            anyhow::anyhow!(
                "no wheel or sdist matches {} in {}, after the build hooks ran ({}): fix the build, run it there by hand for this release (`{environment} sh -c '{}'`), then resume; or set pypi.dist to where it writes them",
                pypi.patterns.join(", "),
                context.directory().display(),
                hooks.join(" && "),
                hooks.join(" && ")
            )
        }));
    }
    let mut artifacts = Vec::new();
    for path in paths {
        let artifact = registry::pypi::Artifact::read(&path).map_err(bad_input)?;
        // The "rc shipped as final" guard: every file must be this release.
        artifact.check_release(&release).map_err(bad_input)?;
        artifacts.push(artifact);
    }
    let index = target.index(pypi.channel)?;
    let outcomes = context.block_on(async {
        let client = index.upload_client().await?;
        let options = registry::pypi::PublishOptions {
            skip_existing: false,
            dry_run: false,
        };
        anyhow::Ok(
            client
                .publish(&artifacts, options, context.transfers.pypi())
                .await?,
        )
    })?;
    let changed = outcomes
        .iter()
        .any(|outcome| matches!(outcome.status, registry::pypi::UploadStatus::Uploaded));
    let files = outcomes
        .iter()
        .map(|outcome| PublishedFile {
            name: outcome.filename.clone(),
            sha256: outcome.digests.sha256.clone(),
        })
        .collect();
    Ok(Done::changed(changed, StepOutput::Pypi { files }))
}
