//! `slipway check`: what stands in the way of a release, with reads only.

use crate::context::Context;

/// What stands in the way of a release: the preflight (clean, on a branch, full history, not behind)
/// and version files that disagree, with each other or with a release tag on `HEAD`.
pub fn check_repository(context: &Context, fetch: bool) -> anyhow::Result<Vec<String>> {
    let project = &context.project;
    let repository = &context.repository;
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
