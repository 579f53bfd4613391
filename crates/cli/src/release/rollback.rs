//! Rolling a release back: every floating tag and `latest` that named the bad image back to the
//! highest remaining stable release of its series (by manifest bytes, no blob moves), the previous
//! stable GitHub Release made "Latest" again and a known-issues note on the bad one, and the manual
//! yank step for PyPI (on the index the release went to).
//!
//! Nothing published is deleted: the bad version's image, tag and files stay where they are (people
//! may have pinned them); only what points at "the current release" moves. A floating tag whose
//! series has no other stable release (`1.2` when 1.2.0 is rolled back) stays where it is, and the
//! report says so: the fix is the next release of that series.

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
    if !released.contains(bad) {
        return Err(bad_input(anyhow::anyhow!(
            "{bad} was never released here (no tag {}): name a release that was, e.g. the latest ({})",
            scheme.write.format(bad),
            released
                .iter()
                .max()
                .map_or_else(|| "there is none yet".to_owned(), ToString::to_string)
        )));
    }
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
    for target in &context.targets.oci {
        report.extend(move_tags_back(
            context, target, bad, &previous, to, &released, dry_run,
        )?);
    }
    if let Some(target) = &context.targets.github {
        let tag = scheme
            .existing_tag(bad, &context.repository)?
            .unwrap_or_else(|| scheme.write.format(bad));
        let previous_tag = scheme
            .existing_tag(&previous, &context.repository)?
            .unwrap_or_else(|| scheme.write.format(&previous));
        if dry_run {
            report.push(format!(
                "would add a known-issues note to the GitHub Release {tag}"
            ));
            report.push(format!(
                "would make the GitHub Release {previous_tag} the Latest release if {tag} is"
            ));
        } else {
            let client = target.client()?;
            let outcome = context.block_on(client.add_known_issues(&tag, note))?;
            let unchanged = matches!(outcome.change, registry::github::ReleaseChange::Unchanged);
            report.push(format!(
                "GitHub Release {tag}: known-issues note {}",
                if unchanged { "already there" } else { "added" }
            ));
            // Latest moves back only from the bad release: rolling back an old line's hotfix
            // leaves the newest line Latest.
            let latest = context.block_on(client.latest_release())?;
            match latest.as_ref().map(|release| release.tag.as_str()) {
                Some(current) if current == tag || current == previous_tag => {
                    let outcome = context.block_on(client.mark_latest(&previous_tag))?;
                    let unchanged =
                        matches!(outcome.change, registry::github::ReleaseChange::Unchanged);
                    report.push(format!(
                        "GitHub Release {previous_tag}: {} the Latest release",
                        if unchanged { "already" } else { "made" }
                    ));
                }
                Some(current) => report.push(format!(
                    "GitHub's Latest release is {current}, not {tag}: left alone"
                )),
                None => {
                    let outcome = context.block_on(client.mark_latest(&previous_tag))?;
                    report.push(format!(
                        "GitHub Release {previous_tag}: made the Latest release ({})",
                        outcome.release.tag
                    ));
                }
            }
        }
    }
    if let Some(target) = &context.targets.pypi {
        let name = target
            .project
            .clone()
            .or_else(|| project.name.clone())
            .unwrap_or_else(|| "<project>".to_owned());
        let version =
            versioning::to_pep440(bad).map_or_else(|_| bad.to_string(), |v| v.to_string());
        let index = &target.index(target.channel_of(bad))?.index;
        if let Some(url) = index.urls.manage_release_url(&name, &version) {
            report.push(format!(
                "PyPI: manual action required: PyPI has no API to yank; open {url} and choose Options → Yank, then release a fixed version"
            ));
        } else {
            let url = index.display_url();
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

/// Moves each floating tag and `latest` of `target` that names `bad`'s image back to the highest
/// stable release below `bad` in its series (`to` where the series holds it; `previous` for
/// `latest`); one line per tag.
fn move_tags_back(
    context: &Context,
    target: &crate::targets::OciTarget,
    bad: &Version,
    previous: &Version,
    to: Option<&Version>,
    released: &[Version],
    dry_run: bool,
) -> anyhow::Result<Vec<String>> {
    use crate::release::latest::{Series, highest_below};
    let client = target.client(true)?;
    let repository = &target.repository;
    let bad_image = repository.tag(&crate::targets::OciTarget::version_tag(bad));
    let mut report = Vec::new();
    let Some(bad_digest) = context.block_on(client.resolve(&bad_image))? else {
        report.push(format!("{bad_image} does not exist: no tag to move back"));
        return Ok(report);
    };
    for (tag, series) in target.moving_tags(bad) {
        let moving = repository.tag(&tag);
        let destination = match (&series, to) {
            (Series::Everything, _) => Some(previous),
            (series, Some(to)) if series.contains(to) => Some(to),
            (series, _) => highest_below(series, bad, released),
        };
        let destination_image = destination
            .map(|version| repository.tag(&crate::targets::OciTarget::version_tag(version)));
        let current = context.block_on(client.resolve(&moving))?;
        if current.as_ref() != Some(&bad_digest) {
            let there = match &destination_image {
                Some(image) => context.block_on(client.resolve(image))?,
                None => None,
            };
            if let (Some(current), Some(image)) = (&current, &destination_image) {
                if there.as_ref() == Some(current) {
                    report.push(format!("{moving} → {image} ({current}), already there"));
                    continue;
                }
            }
            report.push(format!(
                "{moving} does not point at {bad} ({}): left alone",
                current.map_or_else(|| "no such tag".to_owned(), |digest| digest.to_string())
            ));
            continue;
        }
        let Some(source) = destination_image else {
            report.push(format!(
                "{moving} stays on {bad}: {series} has no other stable release to point it at; release a fix of it"
            ));
            continue;
        };
        if dry_run {
            let digest = context
                .block_on(client.resolve(&source))?
                .with_context(|| format!("{source} does not exist"))?;
            report.push(format!("would point {moving} at {source} ({digest})"));
        } else {
            let options = registry::oci::RetagOptions {
                force_latest: false,
            };
            let retag = context.block_on(client.retag(&source, &moving, &options))?;
            report.push(format!(
                "{moving} → {source} ({}){}; {} blob bytes moved",
                retag.digest,
                if retag.changed { "" } else { ", already there" },
                retag.blob_bytes_moved
            ));
        }
    }
    Ok(report)
}
