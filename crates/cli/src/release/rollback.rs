//! After a release: rolling it back, verifying it, and checking a repository before one.

use anyhow::Context as _;
use versioning::Version;

use super::publish;
use crate::bad_input;
use crate::project::Project;

/// Points `latest` back at the previous stable image, marks the bad release's GitHub Release with a
/// known-issues note, and says how to yank it from PyPI. Each part is idempotent; the returned lines
/// say what was done (or, with `dry_run`, what would be).
pub fn rollback(
    project: &Project,
    repository: &gitops::Repository,
    bad: &Version,
    to: Option<&Version>,
    note: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<String>> {
    let pattern = project.tag_pattern()?;
    let tags = repository
        .release_tags(&pattern)
        .context("cannot list the release tags")?;
    let previous = match to {
        Some(version) => version.clone(),
        None => tags
            .iter()
            .map(|tag| &tag.version)
            .filter(|version| !version.is_prerelease() && *version < bad)
            .max()
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
    if !tags.iter().any(|tag| tag.version == previous) {
        return Err(bad_input(anyhow::anyhow!(
            "{previous} was never released here (no tag {})",
            pattern.format(&previous)
        )));
    }
    let mut report = Vec::new();
    let would = if dry_run { "would " } else { "" };
    if project.config.oci.is_some() {
        let (image_repository, config) = publish::oci_repository(project)?;
        let client =
            crate::commands::oci::registry_client(image_repository.registry(), config.insecure)?;
        let source = image_repository.tag(&publish::image_tags(&previous, false)[0]);
        let latest = image_repository.tag("latest");
        let runtime = publish::runtime()?;
        if dry_run {
            let digest = runtime
                .block_on(client.resolve(&source))?
                .with_context(|| format!("{source} does not exist"))?;
            report.push(format!("would point {latest} at {source} ({digest})"));
        } else {
            let options = registry::oci::RetagOptions {
                force_latest: false,
            };
            let retag = runtime.block_on(client.retag(&source, &latest, &options))?;
            report.push(format!(
                "{latest} → {source} ({}){}; {} blob bytes moved",
                retag.digest,
                if retag.changed { "" } else { ", already there" },
                retag.blob_bytes_moved
            ));
        }
    }
    if project.config.github.is_some() {
        let tag = pattern.format(bad);
        if dry_run {
            report.push(format!(
                "would add a known-issues note to the GitHub Release {tag}"
            ));
        } else {
            let client = publish::github_client(project, repository)?;
            let outcome = publish::runtime()?.block_on(client.add_known_issues(&tag, note))?;
            let unchanged = matches!(outcome.change, registry::github::ReleaseChange::Unchanged);
            report.push(format!(
                "GitHub Release {tag}: known-issues note {}",
                if unchanged { "already there" } else { "added" }
            ));
        }
    }
    if let Some(config) = &project.config.pypi {
        let name = project
            .name
            .clone()
            .unwrap_or_else(|| "<project>".to_owned());
        let version =
            versioning::to_pep440(bad).map_or_else(|_| bad.to_string(), |v| v.to_string());
        match config.repository_url.as_deref().filter(|url| !url.contains("pypi.org")) {
            Some(url) => report.push(format!(
                "PyPI ({url}): manual action required: this index may allow deleting; {would}run `slipway yank pypi {name} {version} --repository-url {url} --confirm` if you mean it"
            )),
            None => report.push(format!(
                "PyPI: manual action required: PyPI has no API to yank; open https://pypi.org/manage/project/{}/release/{version}/ and choose Options → Yank, then release a fixed version",
                registry::pypi::normalize_name(&name)
            )),
        }
    }
    if report.is_empty() {
        report.push("nothing is configured to roll back: add [oci], [github] or [pypi] to the configuration".to_owned());
    }
    Ok(report)
}

/// One thing `slipway verify VERSION` checked.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Whether it is as it should be.
    pub ok: bool,
    /// What was checked, and what was found.
    pub what: String,
}

/// Checks a release: its tag here and on the remote, and every artifact the configuration publishes.
pub fn verify_release(
    project: &Project,
    repository: &gitops::Repository,
    version: &Version,
) -> anyhow::Result<Vec<Finding>> {
    let pattern = project.tag_pattern()?;
    let tag = pattern.format(version);
    let remote = &project.config.git.remote;
    let mut findings = Vec::new();
    let local = repository.find_tag(&tag)?;
    findings.push(Finding {
        ok: local.is_some(),
        what: format!("tag {tag} exists here"),
    });
    let remote_tags = repository
        .ls_remote_tags(remote)
        .with_context(|| format!("cannot list the tags of {remote}"))?;
    let pushed = remote_tags.iter().find(|remote_tag| remote_tag.name == tag);
    let same = match (&local, pushed) {
        (Some(local), Some(pushed)) => pushed.target == local.target,
        _ => false,
    };
    findings.push(Finding {
        ok: same,
        what: format!("tag {tag} is on {remote} at the same commit"),
    });
    let stable_above = repository
        .release_tags(&pattern)?
        .iter()
        .any(|other| !other.version.is_prerelease() && other.version > *version);
    let with_latest = !version.is_prerelease() && !stable_above;
    for problem in publish::verify_published(project, Some(repository), version, &tag, with_latest)?
    {
        findings.push(Finding {
            ok: false,
            what: problem,
        });
    }
    let published = [
        project.config.pypi.is_some(),
        project.config.oci.is_some(),
        project.config.github.is_some(),
    ];
    if findings.iter().all(|finding| finding.ok) && published.iter().any(|configured| *configured) {
        findings.push(Finding {
            ok: true,
            what: "every configured artifact is published as released".to_owned(),
        });
    }
    Ok(findings)
}

/// What stands in the way of a release: the preflight (clean, on a branch, full history, not behind)
/// and version files that disagree, with each other or with a release tag on `HEAD`.
pub fn check_repository(
    project: &Project,
    repository: &gitops::Repository,
    fetch: bool,
) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let preflight = repository.preflight(&gitops::PreflightOptions { fetch })?;
    if preflight.shallow {
        problems.push("the clone is shallow: run `git fetch --unshallow --tags`".to_owned());
    }
    match &preflight.head {
        gitops::HeadState::Detached { .. } => {
            problems.push("HEAD is detached: check out the release branch".to_owned());
        }
        gitops::HeadState::Unborn { name } => {
            problems.push(format!("branch {name} has no commits yet"));
        }
        gitops::HeadState::Branch { .. } => {}
    }
    if !preflight.dirty.is_empty() {
        let paths: Vec<&str> = preflight
            .dirty
            .iter()
            .map(|path| path.path.as_str())
            .collect();
        problems.push(format!("uncommitted changes: {}", paths.join(", ")));
    }
    if let Some(upstream) = preflight
        .upstream
        .as_ref()
        .filter(|upstream| upstream.behind > 0)
    {
        problems.push(format!(
            "{} commit(s) behind {}: pull first",
            upstream.behind, upstream.name
        ));
    }
    let files = crate::version_files::load(project)?;
    let current = crate::version_files::current_version(&files)?;
    for file in &files {
        let shown = file.display_path();
        for mismatch in versioning::files::check(&shown, &file.kind, &file.text, &current)? {
            problems.push(mismatch.to_string());
        }
    }
    if preflight.shallow {
        return Ok(problems);
    }
    // A release tag on HEAD must agree with the files: the runbook's "Version mismatch!" check.
    let pattern = project.tag_pattern()?;
    let head = repository.head()?;
    for tag in repository
        .release_tags(&pattern)?
        .iter()
        .filter(|tag| tag.target == head)
    {
        for file in &files {
            if let Some(mismatch) = versioning::files::check_tag(
                &file.display_path(),
                &file.kind,
                &file.text,
                &tag.version,
            )? {
                problems.push(mismatch.to_string());
            }
        }
    }
    Ok(problems)
}
