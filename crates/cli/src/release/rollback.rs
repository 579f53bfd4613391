//! Rolling a release back: `latest` to the previous stable image, a known-issues note on the
//! GitHub Release, and the manual yank step for PyPI.
//!
//! Nothing published is deleted: the bad version's image, tag and files stay where they are (people
//! may have pinned them); only what points at "the current release" moves.

use anyhow::Context as _;
use versioning::Version;

use crate::bad_input;
use crate::context::Context;

/// Points `latest` back at the previous stable image, marks the bad release's GitHub Release with a
/// known-issues note, and says how to yank it from PyPI. Each part is idempotent; the returned lines
/// say what was done (or, with `dry_run`, what would be).
pub fn rollback(
    context: &Context,
    bad: &Version,
    to: Option<&Version>,
    note: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<String>> {
    let project = &context.project;
    let scheme = crate::tags::TagScheme::of(project, &context.repository)?;
    let released: Vec<Version> = scheme
        .release_tags(&context.repository)?
        .into_iter()
        .map(|tag| tag.version)
        .collect();
    let previous = match to {
        Some(version) => version.clone(),
        None => super::latest::after_withdrawing(bad, &released)
            .cloned()
            .ok_or_else(|| {
                bad_input(anyhow::anyhow!(
                    "there is no stable release before {bad} to roll back to"
                ))
            })?,
    };
    if previous.is_prerelease() {
        return Err(bad_input(anyhow::anyhow!(
            "`latest` never points at a pre-release, and {previous} is one: name a stable release with --to"
        )));
    }
    if !released.contains(&previous) {
        return Err(bad_input(anyhow::anyhow!(
            "{previous} was never released here (no tag {})",
            scheme.write.format(&previous)
        )));
    }
    let mut report = Vec::new();
    if let Some(target) = &context.targets.oci {
        let client = target.client(true)?;
        let source = target
            .repository
            .tag(&crate::targets::OciTarget::tags(&previous, false)[0]);
        let latest = target.repository.tag("latest");
        if dry_run {
            let digest = context
                .block_on(client.resolve(&source))?
                .with_context(|| format!("{source} does not exist"))?;
            report.push(format!("would point {latest} at {source} ({digest})"));
        } else {
            let options = registry::oci::RetagOptions {
                force_latest: false,
            };
            let retag = context.block_on(client.retag(&source, &latest, &options))?;
            report.push(format!(
                "{latest} → {source} ({}){}; {} blob bytes moved",
                retag.digest,
                if retag.changed { "" } else { ", already there" },
                retag.blob_bytes_moved
            ));
        }
    }
    if let Some(target) = &context.targets.github {
        let tag = scheme
            .existing_tag(bad, &context.repository)?
            .unwrap_or_else(|| scheme.write.format(bad));
        if dry_run {
            report.push(format!(
                "would add a known-issues note to the GitHub Release {tag}"
            ));
        } else {
            let client = target.client()?;
            let outcome = context.block_on(client.add_known_issues(&tag, note))?;
            let unchanged = matches!(outcome.change, registry::github::ReleaseChange::Unchanged);
            report.push(format!(
                "GitHub Release {tag}: known-issues note {}",
                if unchanged { "already there" } else { "added" }
            ));
        }
    }
    if let Some(target) = &context.targets.pypi {
        let name = project
            .name
            .clone()
            .unwrap_or_else(|| "<project>".to_owned());
        let version =
            versioning::to_pep440(bad).map_or_else(|_| bad.to_string(), |v| v.to_string());
        if let Some(url) = target.index.urls.manage_release_url(&name, &version) {
            report.push(format!(
                "PyPI: manual action required: PyPI has no API to yank; open {url} and choose Options → Yank, then release a fixed version"
            ));
        } else {
            let url = target.index.display_url();
            report.push(format!(
                "PyPI ({url}): manual action required: this index has no yank; leave {name} {version} in place and release a fixed version (deleting files with `slipway yank pypi {name} {version} --repository-url {url} --confirm` breaks everyone who pinned them, and the file names can never be uploaded again)"
            ));
        }
    }
    if report.is_empty() {
        report.push("nothing is configured to roll back: add [oci], [github] or [pypi] to the configuration".to_owned());
    }
    Ok(report)
}
