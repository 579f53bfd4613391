//! The release merged into the changelog file: its section (regenerated if the version is
//! released again), the hand-written lines kept, and the version's pre-release sections folded
//! as configured. In a release of several packages, each package's section into its own
//! changelog. The change files the release consumes are removed here, to be committed with it.

use std::path::PathBuf;

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    let added = if plan.packages.is_empty() {
        format!(
            "add [{}] to {}",
            plan.changelog.label,
            plan.changelog_path.display()
        )
    } else {
        let each: Vec<String> = plan
            .packages
            .iter()
            .map(|package| {
                format!(
                    "[{}] to {}",
                    package.changelog.label,
                    package.changelog_path.display()
                )
            })
            .collect();
        format!("add {}", each.join(", "))
    };
    let list = |paths: &mut dyn Iterator<Item = &PathBuf>| {
        paths
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = added;
    if !plan.change_files.is_empty() {
        text = format!(
            "{text}; remove the change files {}",
            list(&mut plan.change_files.iter())
        );
    }
    if !plan.change_rewrites.is_empty() {
        text = format!(
            "{text}; keep {} for the packages not released",
            list(&mut plan.change_rewrites.iter().map(|rewrite| &rewrite.path))
        );
    }
    text
}

/// Each changelog the release writes, with its new text (only those that change).
pub(in crate::release) fn changelogs(
    context: &Context,
    plan: &Plan,
) -> anyhow::Result<Vec<(PathBuf, String, String)>> {
    let sections: Vec<(
        &PathBuf,
        &versioning::Version,
        &crate::release::plan::ChangelogBlock,
        Option<&str>,
    )> = if plan.packages.is_empty() {
        vec![(&plan.changelog_path, &plan.version, &plan.changelog, None)]
    } else {
        plan.packages
            .iter()
            .map(|package| {
                (
                    &package.changelog_path,
                    &package.version,
                    &package.changelog,
                    Some(package.name.as_str()),
                )
            })
            .collect()
    };
    let mut changed = Vec::new();
    for (path, version, block, package) in sections {
        let existing = crate::fsutil::read_changelog(&context.directory().join(path))?;
        // A package's new changelog names it.
        let base = match package {
            Some(name) if existing.trim().is_empty() => changelog::package_header(name),
            _ => existing.clone(),
        };
        if let Some(merged) =
            crate::release::plan::merged_changelog(&plan.config, version, block, &base)
                .or_else(|| (base != existing).then(|| base.clone()))
        {
            changed.push((path.clone(), existing, merged));
        }
    }
    Ok(changed)
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let mut changed = false;
    for (path, _, merged) in changelogs(context, plan)? {
        let path = context.directory().join(path);
        // A first changelog may be configured in a directory that does not exist yet.
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        crate::fsutil::write_atomic(&path, merged.as_bytes())?;
        changed = true;
    }
    for rewrite in &plan.change_rewrites {
        let path = context.directory().join(&rewrite.path);
        if crate::fsutil::read_or_empty(&path)? != rewrite.text {
            crate::fsutil::write_atomic(&path, rewrite.text.as_bytes())?;
            changed = true;
        }
    }
    for path in &plan.change_files {
        match fs_err::remove_file(context.directory().join(path)) {
            Ok(()) => changed = true,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(Done::changed(
        changed,
        crate::release::journal::StepOutput::Nothing,
    ))
}
