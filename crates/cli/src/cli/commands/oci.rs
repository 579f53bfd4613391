//! `slipway publish oci`, `retag`, `verify oci`, `tags`, `delete-tag`: OCI images through `registry::oci`.
//!
//! Credentials are found by [`crate::credentials::oci`]; where they came from is logged, never
//! their value.

use std::io::Write as _;

use registry::oci::{
    ClientOptions, DeleteOutcome, Digest, Expectations, ImageRef, Layout, OciClient, PushOptions,
    Repository, RetagOptions, is_valid_tag,
};

use super::Context;
use crate::cli::args::{
    DeleteTagArgs, OciClientArgs, PublishOciArgs, RetagArgs, TagsArgs, VerifyOciArgs,
};
use crate::{CheckFailed, bad_input};

fn client(context: &Context, registry: &str, args: &OciClientArgs) -> anyhow::Result<OciClient> {
    let (mut credentials, source) = crate::credentials::oci(registry, context.env.as_ref())?;
    let host = registry.rsplit_once(':').map_or(registry, |(host, _)| host);
    if args.insecure
        && !args.allow_insecure_credentials
        && !registry::oci::is_loopback(registry)
        && !matches!(credentials, registry::oci::Credentials::Anonymous)
    {
        // Plain HTTP off loopback was asked for once: anonymously, not with the credentials.
        tracing::warn!(
            "--insecure: not sending the credentials from {source} to {host} in clear text (add --allow-insecure-credentials to send them)"
        );
        credentials = registry::oci::Credentials::Anonymous;
    }
    tracing::info!(registry, credentials = %source, "registry credentials");
    let mut options = ClientOptions {
        credentials,
        insecure: args.insecure,
        blob_locations: crate::targets::oci_blob_locations(context.env.as_ref()),
        ..ClientOptions::default()
    };
    options.chunk_size = args
        .chunk_size
        .unwrap_or_else(|| registry::oci::default_chunk_size(registry));
    if let Some(concurrency) = args.concurrency {
        options.concurrency = concurrency;
    }
    Ok(OciClient::new(registry, options)?)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    crate::context::runtime()
}

fn parse_image(input: &str) -> anyhow::Result<ImageRef> {
    ImageRef::parse(input).map_err(bad_input)
}

/// `slipway publish oci LAYOUT REPOSITORY --tag …`
pub(crate) fn publish(context: &Context, args: &PublishOciArgs) -> anyhow::Result<()> {
    let layout_path = context.directory.join(&args.layout);
    let repository = Repository::parse(&args.repository).map_err(bad_input)?;
    let mount_from = args
        .mount_from
        .iter()
        .map(|r| Repository::parse(r).map_err(bad_input))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Everything that can be refused is refused before a byte moves.
    registry::oci::check_latest(&args.tags, args.force).map_err(bad_input)?;
    let layout = Layout::open_named(&layout_path, args.ref_name.as_deref())
        .map_err(|error| bad_input(anyhow::Error::new(error)))?;
    tracing::info!(
        digest = %layout.root().digest,
        platforms = ?layout.platforms(),
        blobs = layout.blobs().len(),
        bytes = layout.blob_bytes(),
        "layout verified"
    );
    let client = client(context, repository.registry(), &args.client)?;
    let options = PushOptions {
        force_latest: args.force,
        mount_from,
    };
    let progress = crate::context::Transfers::oci(&context.bars(), &repository.to_string());
    let report = runtime()?.block_on(client.push_with_progress(
        &layout,
        &repository,
        &args.tags,
        &options,
        progress,
    ))?;
    let blobs = &report.blobs;
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "repository": repository.to_string(),
            "digest": report.digest.to_string(),
            "tags_updated": report.tags_updated,
            "tags_unchanged": report.tags_unchanged,
            "blobs": {
                "uploaded": blobs.uploaded,
                "mounted": blobs.mounted,
                "skipped": blobs.skipped,
                "bytes_uploaded": blobs.bytes_uploaded,
            },
            "manifests_pushed": report.manifests_pushed,
        }))?;
    } else {
        let mut stdout = std::io::stdout().lock();
        for tag in report.tags_updated.iter().chain(&report.tags_unchanged) {
            writeln!(stdout, "{repository}:{tag}@{}", report.digest)?;
        }
        if args.tags.is_empty() {
            writeln!(stdout, "{repository}@{}", report.digest)?;
        }
    }
    writeln!(
        std::io::stderr().lock(),
        "pushed {}: {} blob(s) uploaded ({} bytes), {} mounted, {} already present; {} tag(s) moved, {} unchanged",
        report.digest,
        blobs.uploaded,
        blobs.bytes_uploaded,
        blobs.mounted,
        blobs.skipped,
        report.tags_updated.len(),
        report.tags_unchanged.len()
    )?;
    Ok(())
}

/// `slipway retag REF NEW_TAG`
pub(crate) fn retag(context: &Context, args: &RetagArgs) -> anyhow::Result<()> {
    let source = parse_image(&args.source)?;
    let target = if is_valid_tag(&args.target) {
        source.repository().tag(&args.target)
    } else {
        parse_image(&args.target)?
    };
    let client = client(context, source.repository().registry(), &args.client)?;
    let options = RetagOptions {
        force_latest: args.force,
    };
    let report = runtime()?
        .block_on(client.retag(&source, &target, &options))
        .map_err(|error| match error {
            registry::oci::OciError::LatestToPrerelease { .. } => bad_input(error),
            other => other.into(),
        })?;
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "source": source.to_string(),
            "target": target.to_string(),
            "digest": report.digest.to_string(),
            "previous": report.previous.as_ref().map(ToString::to_string),
            "changed": report.changed,
            "blob_bytes_moved": report.blob_bytes_moved,
            "blobs_mounted": report.blobs_mounted,
        }))?;
    } else {
        writeln!(std::io::stdout().lock(), "{target}@{}", report.digest)?;
    }
    let previous = report
        .previous
        .as_ref()
        .map_or("nothing".to_owned(), Digest::to_string);
    writeln!(
        std::io::stderr().lock(),
        "{} {target} (was {previous}); blob bytes moved: {}, blobs mounted: {}",
        if report.changed {
            "moved"
        } else {
            "unchanged:"
        },
        report.blob_bytes_moved,
        report.blobs_mounted
    )?;
    Ok(())
}

/// `slipway verify oci REF [--digest D] [--platform P]…`
pub(crate) fn verify(context: &Context, args: &VerifyOciArgs) -> anyhow::Result<()> {
    let image = parse_image(&args.reference)?;
    let expectations = Expectations {
        digest: args
            .digest
            .as_deref()
            .map(Digest::parse)
            .transpose()
            .map_err(bad_input)?,
        platforms: args.platforms.clone(),
    };
    let client = client(context, image.repository().registry(), &args.client)?;
    let report = runtime()?.block_on(client.verify(&image, &expectations))?;
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "ok": report.is_ok(),
            "reference": image.to_string(),
            "digest": report.digest.to_string(),
            "media_type": report.media_type,
            "platforms": report.platforms,
            "problems": report.problems,
        }))?;
        return if report.is_ok() {
            Ok(())
        } else {
            Err(CheckFailed.into())
        };
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{image}@{}", report.digest)?;
    for platform in &report.platforms {
        writeln!(stdout, "  {platform}")?;
    }
    if report.is_ok() {
        return Ok(());
    }
    drop(stdout);
    let mut stderr = std::io::stderr().lock();
    for problem in &report.problems {
        writeln!(stderr, "problem: {problem}")?;
    }
    Err(CheckFailed.into())
}

/// `slipway tags REPOSITORY`
pub(crate) fn tags(context: &Context, args: &TagsArgs) -> anyhow::Result<()> {
    let repository = Repository::parse(&args.repository).map_err(bad_input)?;
    let client = client(context, repository.registry(), &args.client)?;
    let tags = runtime()?.block_on(client.tags(&repository, args.page_size))?;
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "repository": repository.to_string(),
            "tags": tags,
        }));
    }
    let mut stdout = std::io::stdout().lock();
    for tag in tags {
        writeln!(stdout, "{tag}")?;
    }
    Ok(())
}

/// `slipway delete-tag REF`
pub(crate) fn delete_tag(context: &Context, args: &DeleteTagArgs) -> anyhow::Result<()> {
    let image = parse_image(&args.reference)?;
    let client = client(context, image.repository().registry(), &args.client)?;
    let outcome = runtime()?.block_on(client.delete_tag(&image))?;
    if args.output.json {
        let (outcome, was) = match &outcome {
            DeleteOutcome::Absent => ("absent", None),
            DeleteOutcome::TagDeleted { was } => ("tag_deleted", Some(was.to_string())),
            DeleteOutcome::DummyDeleted { was } => ("placeholder_deleted", Some(was.to_string())),
            _ => ("deleted", None),
        };
        return crate::cli::json::print(serde_json::json!({
            "reference": image.to_string(),
            "outcome": outcome,
            "was": was,
        }));
    }
    let message = match outcome {
        DeleteOutcome::Absent => format!("{image} does not exist; nothing to delete"),
        DeleteOutcome::TagDeleted { was } => format!("deleted {image} (was {was})"),
        DeleteOutcome::DummyDeleted { was } => {
            format!(
                "deleted {image} (was {was}; through a placeholder manifest, other tags untouched)"
            )
        }
        _ => format!("deleted {image}"),
    };
    writeln!(std::io::stdout().lock(), "{message}")?;
    Ok(())
}
