//! `slipway check`: what stands in the way of a release, with reads only.

use crate::context::Context;

/// What stands in the way of a release: the release's own preflight (the repository, the remote,
/// the signing key, each target's credentials; with `fetch`, whether the branch is behind its
/// remote) and version files that disagree, with each other or with a release tag on `HEAD`.
pub fn check_repository(context: &Context, fetch: bool) -> anyhow::Result<Vec<String>> {
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
    let current = crate::version_files::current_version(&files)?;
    for file in &files {
        let shown = file.display_path();
        for mismatch in versioning::files::check(&shown, &file.kind, &file.text, &current)? {
            problems.push(mismatch.to_string());
        }
    }
    if repository.is_shallow() {
        return Ok(problems);
    }
    // A release tag on HEAD must agree with the files: the runbook's "Version mismatch!" check.
    let scheme = crate::tags::TagScheme::of(project, repository)?;
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
    Ok(problems)
}
