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
///
/// In a repository of several packages, the repository is checked once and each package's
/// targets, version files and tags on their own (each problem names its package).
pub fn check_repository(context: &Context, fetch: bool) -> anyhow::Result<Report> {
    let repository = &context.repository;
    let mut problems = Vec::new();
    let mode = if fetch {
        super::preflight::Mode::Release
    } else {
        super::preflight::Mode::DryRun
    };
    let packages = crate::packages::discover(&context.project)?;
    if packages.is_empty() {
        problems.extend(super::preflight::problems_for(
            context,
            &super::preflight::Needs::of_config(context),
            mode,
        ));
    } else {
        problems.extend(super::preflight::packages_problems(
            context, &packages, mode,
        ));
        if !context.project.config.oci.is_empty() {
            problems.push("[oci] is set at the top level, and this repository releases several packages: an image belongs to one package, so move its table into that package's entry ([[packages]] path = \"…\", then [[packages.oci]])".to_owned());
        }
    }
    if let Ok(Some(journal)) = super::journal::JournalStore::new(repository.git_dir()).load() {
        problems.push(format!(
            "a release of {} is in progress (last finished step: {}): `{command} --resume` finishes it, `{command} --abort` undoes its local steps",
            journal.plan.version,
            journal.last_done().map_or("none", super::StepKind::name),
            command = journal.plan.command()
        ));
    }
    if let Some(record) = crate::fsutil::interrupted_write(repository.git_dir()) {
        problems.push(format!(
            "a write of several version files was interrupted ({}): `slipway release --resume` (or the next `slipway version set`) completes it",
            record.display()
        ));
    }
    let flow_branch = flow_problems(context, &mut problems);
    if packages.is_empty() {
        let files = files_problems(context, flow_branch.as_ref(), &mut problems)?;
        return Ok(Report { files, problems });
    }
    let mut files = Vec::new();
    for package in &packages {
        let package_context = context.for_package(package)?;
        let mut own = Vec::new();
        for (path, why) in files_problems(&package_context, None, &mut own)? {
            files.push((
                package.path.join(path).display().to_string(),
                format!("{}: {why}", package.name),
            ));
        }
        problems.extend(
            own.into_iter()
                .map(|problem| format!("{}: {problem}", package.name)),
        );
    }
    Ok(Report { files, problems })
}

/// The version files of the project of `context` (each with why it is one), and into `problems`
/// what is wrong with them: files that disagree with each other, with the latest release (but for
/// `flow_branch`, the version of the git-flow branch checked out) or with a release tag on
/// `HEAD`.
fn files_problems(
    context: &Context,
    flow_branch: Option<&versioning::Version>,
    problems: &mut Vec<String>,
) -> anyhow::Result<Vec<(String, String)>> {
    let project = &context.project;
    let repository = &context.repository;
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
        return Ok(report_files);
    }
    // A release tag on HEAD must agree with the files: the runbook's "Version mismatch!" check.
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    // The files carry the latest release's version between releases: a file that says
    // otherwise is not the one the releases wrote (a placeholder, a stale copy).
    let state = crate::tags::release_state(repository, &scheme)?;
    // In git-flow, develop may carry a release only main reaches (a hotfix branch merged into
    // both, by hand): the latest of either is the one to agree with.
    let main_state = (project.config.git.flow == crate::config::Flow::GitFlow)
        .then(|| {
            repository
                .release_state_from(
                    &project.config.git.main_branch,
                    &scheme.read,
                    gitops::Cutoff::Latest,
                )
                .ok()
        })
        .flatten();
    let latest = state
        .latest_reachable()
        .into_iter()
        .chain(
            main_state
                .as_ref()
                .and_then(gitops::ReleaseTags::latest_reachable),
        )
        .max_by(|a, b| a.version.cmp(&b.version));
    if let Some(latest) = latest {
        // A release or hotfix branch carries the version it will release.
        if latest.version != current && flow_branch != Some(&current) {
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
    Ok(report_files)
}

/// In git-flow, which branch a release may start from: a release starts on the develop branch
/// and finishes on its release branch, a hotfix finishes on its hotfix branch. Returns the
/// version of the release or hotfix branch checked out, if it is one.
fn flow_problems(context: &Context, problems: &mut Vec<String>) -> Option<versioning::Version> {
    let git = &context.project.config.git;
    if git.flow != crate::config::Flow::GitFlow {
        return None;
    }
    if git.main_branch == git.develop_branch {
        problems.push(format!(
            "[git] main-branch and develop-branch are both {}: git-flow needs two branches",
            git.main_branch
        ));
    }
    for (setting, name) in [
        ("main-branch", &git.main_branch),
        ("develop-branch", &git.develop_branch),
    ] {
        if context.repository.branch_tip(name).ok().flatten().is_none() {
            problems.push(format!(
                "[git] {setting} is {name}, and there is no local branch {name} (branches: {}): fix the setting, or `git branch {name} {}/{name}`",
                context.repository.local_branches().unwrap_or_default().join(", "),
                git.remote
            ));
        }
    }
    let branch = context.repository.current_branch().ok()?;
    if branch == git.develop_branch {
        return None;
    }
    if let Some(version) = git
        .release_branch
        .parse(&branch)
        .or_else(|| git.hotfix_branch.parse(&branch))
    {
        return Some(version);
    }
    problems.push(format!(
        "HEAD is on {branch}; in git-flow a release starts on {develop} (`slipway release start`) and finishes on its release branch ({}, `slipway release finish`), a hotfix starts from {main}'s latest release (`slipway hotfix start`) and finishes on its branch ({})",
        git.release_branch.as_str(),
        git.hotfix_branch.as_str(),
        develop = git.develop_branch,
        main = git.main_branch
    ));
    None
}
