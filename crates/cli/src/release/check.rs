//! `slipway check`: what stands in the way of a release, with reads only.

use crate::context::Context;

/// What `slipway check` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The version files slipway uses, each with why (for people to see what it will write).
    pub files: Vec<(String, String)>,
    /// What stands in the way of a release, each with its fix; empty when ready.
    pub problems: Vec<String>,
}

/// What stands in the way of a release: the release's own preflight (the repository, the remote,
/// the signing key, each target's credentials; with `fetch`, whether the branch is behind its
/// remote), version files that disagree with each other, with a release tag on `HEAD`, or with
/// the latest release `HEAD` contains.
pub fn check_repository(context: &Context, fetch: bool) -> anyhow::Result<Report> {
    let project = &context.project;
    let repository = &context.repository;
    let mut problems = Vec::new();
    let mode = if fetch {
        super::preflight::Mode::Release
    } else {
        super::preflight::Mode::DryRun
    };
    problems.extend(super::preflight::problems_for(
        context,
        &super::preflight::Needs::of_config(context),
        mode,
    ));
    let files = crate::version_files::load(project)?;
    let report_files = files
        .iter()
        .map(|file| (file.display_path(), file.reason.clone()))
        .collect();
    let current = crate::version_files::current_version(&files)?;
    for file in &files {
        let shown = file.display_path();
        for mismatch in versioning::files::check(&shown, &file.kind, &file.text, &current)? {
            problems.push(mismatch.to_string());
        }
    }
    if repository.is_shallow() {
        return Ok(Report {
            files: report_files,
            problems,
        });
    }
    // A release tag on HEAD must agree with the files: the runbook's "Version mismatch!" check.
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    // The files carry the latest release's version between releases: a file that says
    // otherwise is not the one the releases wrote (a placeholder, a stale copy).
    let state = crate::tags::release_state(repository, &scheme)?;
    if let Some(latest) = state.latest_reachable() {
        if latest.version != current {
            let chosen: Vec<String> = files
                .iter()
                .map(crate::version_files::VersionFile::display_path)
                .collect();
            problems.push(format!(
                "the version files say {current} ({}), and the latest release is {} (tag {}): fix the version, or name the files that carry it under [[version-files]]",
                chosen.join(", "),
                latest.version,
                latest.name
            ));
        }
    }
    let head = repository.head()?;
    for tag in scheme
        .release_tags(repository)?
        .iter()
        .filter(|tag| tag.target == head)
    {
        for file in &files {
            problems.extend(file.check_tag(&tag.version)?);
        }
    }
    Ok(Report {
        files: report_files,
        problems,
    })
}
