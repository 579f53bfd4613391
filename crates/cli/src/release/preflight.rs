//! The preflight: every check that needs no side effect, run before the first mutation.
//!
//! The repository (through `gitops`: full history, on the release branch, clean, the remote
//! reachable and not ahead of us, the signing key usable when tags are signed) and every publish
//! target of the plan (credentials present, and accepted where the registry can say so with a read).
//! All problems are reported at once, each with its fix; a release that fails here has written
//! nothing anywhere, not even its journal.

use std::fmt;

use super::plan::{Plan, StepKind};
use crate::context::Context;

/// The problems that keep a release from starting.
#[derive(Debug)]
pub struct PreconditionsFailed {
    /// The release that could not start.
    pub version: String,
    /// Each problem, with what to do about it.
    pub problems: Vec<String>,
}

impl fmt::Display for PreconditionsFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the release of {} cannot start, and nothing was changed:",
            self.version
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PreconditionsFailed {}

/// How far to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Before a release: everything, with a fetch to see whether the branch is behind.
    Release,
    /// A dry run (and `slipway check` without `--fetch`): everything but the fetch, which would
    /// change remote-tracking refs.
    DryRun,
    /// Before a resumed run: only the targets still to publish to.
    Resume,
}

/// What a release needs of the repository and the targets.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent needs, each one check"
)]
pub(super) struct Needs {
    /// The branch releases are made from.
    pub(super) branch: Option<String>,
    /// Other branches the release writes to (git-flow's main and develop): they must exist and
    /// not be behind their upstream.
    pub(super) other_branches: Vec<String>,
    /// The remote pushed to.
    pub(super) remote: String,
    /// Whether the tag is signed.
    pub(super) sign_tag: bool,
    /// Credentials for these Python indexes.
    pub(super) pypi: Vec<crate::targets::PypiChannel>,
    /// Push access to the OCI repository.
    pub(super) oci: bool,
    /// Access to the GitHub repository.
    pub(super) github: bool,
    /// The crate registry's index readable.
    pub(super) crates: bool,
}

impl Needs {
    /// What `plan` needs, minus the steps in `done`.
    fn of_plan(plan: &Plan, done: &[StepKind]) -> Needs {
        let pending = |step: StepKind| plan.steps.contains(&step) && !done.contains(&step);
        let other_branches = match &plan.kind {
            super::plan::PlanKind::Finish { main, develop, .. } if pending(StepKind::Push) => {
                vec![main.clone(), develop.clone()]
            }
            super::plan::PlanKind::Hotfix { cherry_pick_to, .. }
                if pending(StepKind::CherryPick) =>
            {
                cherry_pick_to.clone()
            }
            _ => Vec::new(),
        };
        Needs {
            branch: Some(plan.start_branch().to_owned()),
            other_branches,
            remote: plan.remote.clone(),
            sign_tag: plan.sign_tag && pending(StepKind::Tag),
            pypi: plan
                .publish
                .pypi
                .as_ref()
                .filter(|_| pending(StepKind::PublishPypi))
                .map(|pypi| pypi.channel)
                .into_iter()
                .collect(),
            oci: pending(StepKind::PublishOci) && !plan.publish.oci.is_empty(),
            github: (pending(StepKind::GithubRelease) || pending(StepKind::Verify))
                && plan.publish.github.is_some(),
            crates: pending(StepKind::PublishCrates) && plan.publish.crates.is_some(),
        }
    }

    /// What a release of the project would need, from its configuration.
    pub(super) fn of_config(context: &Context) -> Needs {
        let config = &context.project.config;
        Needs {
            branch: config.git.branch.clone(),
            other_branches: Vec::new(),
            remote: config.git.remote.clone(),
            sign_tag: config.git.sign_tags,
            pypi: context
                .targets
                .pypi
                .as_ref()
                .map(|target| {
                    let mut channels = vec![crate::targets::PypiChannel::Stable];
                    if target.prerelease.is_some() {
                        channels.push(crate::targets::PypiChannel::Prerelease);
                    }
                    channels
                })
                .unwrap_or_default(),
            oci: !context.targets.oci.is_empty(),
            github: context.targets.github.is_some(),
            crates: config.cargo.as_ref().is_some_and(|cargo| cargo.publish),
        }
    }
}

pub(super) fn describe(plan: &Plan) -> String {
    let mut what = format!(
        "clean work tree on {}, full history, {} reachable and not ahead of the branch",
        plan.start_branch(),
        plan.remote
    );
    if let super::plan::PlanKind::Finish { main, develop, .. } = &plan.kind {
        what = format!("{what}, {main} and {develop} up to date");
    }
    if plan.sign_tag {
        what.push_str(", signing key usable");
    }
    let mut targets = Vec::new();
    if plan.publish.pypi.is_some() {
        targets.push("PyPI");
    }
    if !plan.publish.oci.is_empty() {
        targets.push("the registry");
    }
    if let Some(crates) = &plan.publish.crates {
        what.push_str(", the ");
        what.push_str(crates.registry_name());
        what.push_str(" index readable");
    }
    if plan.publish.github.is_some() {
        targets.push("GitHub");
    }
    if !targets.is_empty() {
        what.push_str(", credentials for ");
        what.push_str(&targets.join(", "));
    }
    what
}

/// Runs the preflight of a release; the error lists every problem.
pub(super) fn check(context: &Context, plan: &Plan) -> anyhow::Result<()> {
    fail_on(plan, problems(context, plan, Mode::Release, &[]))
}

/// Turns problems into the error, if there are any.
pub(super) fn fail_on(plan: &Plan, problems: Vec<String>) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(PreconditionsFailed {
        version: plan.released(),
        problems,
    }
    .into())
}

/// Every problem found; `done` lists the steps already finished (a resumed run checks only the
/// targets it still has to publish to).
pub(super) fn problems(
    context: &Context,
    plan: &Plan,
    mode: Mode,
    done: &[StepKind],
) -> Vec<String> {
    let needs = Needs::of_plan(plan, done);
    let fresh = mode != Mode::Resume && !done.contains(&StepKind::PublishPypi);
    if plan.packages.is_empty() {
        let mut problems = problems_for(context, &needs, mode);
        // Asked only of an index the release can reach (the problems above say why not).
        if fresh && !needs.pypi.is_empty() && problems.is_empty() {
            problems.extend(pypi_release_problems(context, plan));
        }
        return problems;
    }
    // Several packages: the repository once, then each package's own targets.
    let mut problems = Vec::new();
    if mode != Mode::Resume {
        problems.extend(repository_problems(context, &needs, mode));
    }
    match super::monorepo::parts(context, &super::Journal::new(plan.clone())) {
        Ok(parts) => {
            let mut named = Vec::new();
            for part in parts {
                let needs = Needs::of_plan(&part.journal.plan, done);
                let mut own = target_problems(&part.context, &needs);
                if fresh && !needs.pypi.is_empty() && own.is_empty() {
                    own.extend(pypi_release_problems(&part.context, &part.journal.plan));
                }
                named.extend(own.into_iter().map(|problem| (part.name.clone(), problem)));
            }
            problems.extend(by_package(named));
        }
        Err(error) => problems.push(format!("{error:#}")),
    }
    problems
}

/// Problems of packages, each said once with the packages it is a problem of (`core, app: no
/// credentials for …`), in the order first found.
fn by_package(found: Vec<(String, String)>) -> Vec<String> {
    let mut merged: Vec<(Vec<String>, String)> = Vec::new();
    for (package, problem) in found {
        match merged.iter_mut().find(|(_, known)| *known == problem) {
            Some((packages, _)) => packages.push(package),
            None => merged.push((vec![package], problem)),
        }
    }
    merged
        .into_iter()
        .map(|(packages, problem)| format!("{}: {problem}", packages.join(", ")))
        .collect()
}

/// What stands in the way of a release of `packages` (of the project of `context`), from the
/// configuration: the repository once, then each package's own targets.
pub(super) fn packages_problems(
    context: &Context,
    packages: &[crate::packages::Package],
    mode: Mode,
) -> Vec<String> {
    let mut problems = Vec::new();
    if mode != Mode::Resume {
        problems.extend(repository_problems(
            context,
            &Needs::of_config(context),
            mode,
        ));
    }
    let mut named = Vec::new();
    for package in packages {
        match context.for_package(package) {
            Ok(package_context) => named.extend(
                target_problems(&package_context, &Needs::of_config(&package_context))
                    .into_iter()
                    .map(|problem| (package.name.clone(), problem)),
            ),
            Err(error) => named.push((package.name.clone(), format!("{error:#}"))),
        }
    }
    problems.extend(by_package(named));
    problems
}

/// Every problem in the way of what `needs` names.
pub(super) fn problems_for(context: &Context, needs: &Needs, mode: Mode) -> Vec<String> {
    let mut problems = Vec::new();
    if mode != Mode::Resume {
        problems.extend(repository_problems(context, needs, mode));
    }
    problems.extend(target_problems(context, needs));
    problems
}

/// The problems in the way of publishing where `needs` says: credentials, access, indexes.
fn target_problems(context: &Context, needs: &Needs) -> Vec<String> {
    let mut problems = Vec::new();
    for channel in &needs.pypi {
        problems.extend(pypi_problems(context, *channel));
    }
    if needs.oci {
        problems.extend(oci_problems(context));
    }
    if needs.github {
        problems.extend(github_problems(context));
    }
    if needs.crates {
        problems.extend(crates_problems(context));
    }
    problems
}

/// The crate registry: cargo knows it, and its index answers (a read of the first crate).
fn crates_problems(context: &Context) -> Vec<String> {
    let Some(config) = context.project.config.cargo.as_ref() else {
        return Vec::new();
    };
    let registry = config.registry.as_deref();
    let index = match crate::crates::index_url(context, registry) {
        Ok(index) => index,
        Err(error) => return vec![format!("{error:#}")],
    };
    let members = match crate::crates::workspace_members(context) {
        Ok(members) => members,
        Err(error) => return vec![format!("{error:#}")],
    };
    let first = match crate::crates::publish_order(&members, registry) {
        Ok(order) => order.into_iter().next(),
        Err(error) => return vec![format!("{error:#}")],
    };
    let Some(first) = first else {
        return Vec::new();
    };
    let client = registry::crates::CrateIndex::new(index.clone());
    match context.block_on(client.versions(&first)) {
        Ok(_) => Vec::new(),
        Err(error) => vec![format!(
            "the {} index cannot be read: {error}",
            registry.unwrap_or("crates.io")
        )],
    }
}

fn repository_problems(context: &Context, needs: &Needs, mode: Mode) -> Vec<String> {
    let repository = &context.repository;
    let mut problems = Vec::new();
    match repository.probe_remote(&needs.remote) {
        Ok(()) => {
            if mode == Mode::DryRun {
                // No fetch in a dry run, but the remote can be asked where its branches are.
                for branch in needs.branch.iter().chain(&needs.other_branches) {
                    if let Ok(Some(remote_tip)) =
                        repository.remote_branch_tip(&needs.remote, branch)
                    {
                        if !repository.branch_has(branch, &remote_tip).unwrap_or(true) {
                            problems.push(format!(
                                "{} has commits on {branch} that this clone has not fetched: `git switch {branch} && git pull --ff-only` first",
                                needs.remote
                            ));
                        }
                    }
                }
            }
            if mode == Mode::Release {
                // Asking the remote, not the last fetch: releasing behind it makes a tag nobody
                // can push.
                if let Err(error) = repository.fetch(&needs.remote) {
                    problems.push(format!("cannot fetch {}: {error}", needs.remote));
                }
            }
        }
        Err(error) => problems.push(error.to_string()),
    }
    match repository.preflight(&gitops::PreflightOptions { fetch: false }) {
        Ok(preflight) => problems.extend(
            preflight
                .problems(repository, needs.branch.as_deref())
                .iter()
                .map(ToString::to_string),
        ),
        Err(error) => problems.push(error.to_string()),
    }
    for branch in &needs.other_branches {
        match repository.branch_tip(branch) {
            Ok(Some(_)) => match repository.upstream_status(branch) {
                Ok(Some(upstream)) if upstream.behind > 0 => problems.push(format!(
                    "{branch} is {} commit(s) behind {}: the release writes to it, so bring it up to date first (`git switch {branch} && git pull --ff-only`, then switch back)",
                    upstream.behind, upstream.name
                )),
                Ok(_) => {}
                Err(error) => problems.push(error.to_string()),
            },
            Ok(None) => problems.push(format!(
                "there is no local branch {branch}, which the release writes to: `git branch {branch} {}/{branch}` if the remote has it, or create it",
                needs.remote
            )),
            Err(error) => problems.push(error.to_string()),
        }
    }
    if needs.sign_tag {
        if let Err(error) = repository.check_signing_key() {
            problems.push(error.to_string());
        }
    }
    problems
}

/// What an access check says, as a problem (or nothing); what it could not tell is logged.
fn access_problem(
    what: &str,
    checked: Result<registry::access::AccessCheck, impl std::fmt::Display>,
) -> Option<String> {
    match checked {
        Ok(registry::access::AccessCheck::Rejected(denied)) => Some(denied.to_string()),
        Ok(check @ registry::access::AccessCheck::Accepted { .. }) => {
            tracing::info!("{what}: {check}");
            None
        }
        Ok(check) => {
            tracing::warn!("{what}: the credentials cannot be checked before the upload: {check}");
            None
        }
        Err(error) => Some(format!("{what}: cannot check the credentials: {error}")),
    }
}

/// Whether the index can take the release: a version it holds files of already can never be
/// published there again (a file is never replaced), so that is found before anything is tagged.
fn pypi_release_problems(context: &Context, plan: &Plan) -> Vec<String> {
    let (Some(pypi), Some(target)) = (&plan.publish.pypi, &context.targets.pypi) else {
        return Vec::new();
    };
    let Ok(index) = target.index(pypi.channel) else {
        return Vec::new();
    };
    let Ok(version) = versioning::pep440::Pep440Version::parse(&pypi.version) else {
        return Vec::new();
    };
    // Read as anyone reads the index; with the upload credentials only where they may go.
    let credentials = match &index.credentials {
        Some(crate::credentials::UploadCredentials::Static(credentials, _))
            if index.index.allows_credentials().is_ok() =>
        {
            Some(credentials.clone())
        }
        _ => None,
    };
    let client = registry::pypi::PypiClient::new(index.index.urls.clone(), credentials);
    match context.block_on(client.release_files(&pypi.project, &version)) {
        Ok(files) if files.is_empty() => Vec::new(),
        Ok(files) => vec![format!(
            "{} {} is on the index {} already ({}): a published file is never replaced, so this version cannot be published there; release a version after it (`slipway release patch{}`, or a higher level if that one is taken too), or remove those files from a private index first",
            pypi.project,
            pypi.version,
            pypi.index,
            files
                .iter()
                .map(|file| file.filename.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            match (&context.project.root, &context.project.name) {
                (Some(_), Some(name)) => format!(" --package {name}"),
                _ => String::new(),
            }
        )],
        Err(error) => vec![format!(
            "the Python index {} cannot be read: {:#}",
            pypi.index,
            anyhow::Error::from(error)
        )],
    }
}

fn pypi_problems(context: &Context, channel: crate::targets::PypiChannel) -> Vec<String> {
    let Some(target) = &context.targets.pypi else {
        return vec![
            "the plan publishes to a Python index, and [pypi] is not configured".to_owned(),
        ];
    };
    let target = match target.index(channel) {
        Ok(target) => target,
        Err(error) => return vec![format!("{error:#}")],
    };
    let index = target.index.display_url();
    match &target.credentials {
        None => vec![format!(
            "no credentials for the Python index {index}: {}",
            crate::credentials::PYPI_HOW_TO
        )],
        // An OIDC token is traded for an upload token only at upload time: nothing to ask before.
        Some(crate::credentials::UploadCredentials::TrustedPublishing(_)) => Vec::new(),
        Some(crate::credentials::UploadCredentials::Static(_, _))
            if target.index.allows_credentials().is_err() =>
        {
            vec![format!(
                "{:#}",
                target.index.allows_credentials().unwrap_err()
            )]
        }
        Some(crate::credentials::UploadCredentials::Static(credentials, source)) => {
            let client = registry::pypi::PypiClient::new(
                target.index.urls.clone(),
                Some(credentials.clone()),
            );
            access_problem(
                &format!("the Python index {index} (credentials from {source})"),
                context.block_on(client.check_credentials()),
            )
            .into_iter()
            .collect()
        }
    }
}

fn oci_problems(context: &Context) -> Vec<String> {
    if context.targets.oci.is_empty() {
        return vec!["the plan pushes an image, and [oci] is not configured".to_owned()];
    }
    let mut problems = Vec::new();
    for target in &context.targets.oci {
        let client = match target.client(true) {
            Ok(client) => client,
            Err(error) => {
                problems.push(format!("{}: {error:#}", target.repository));
                continue;
            }
        };
        problems.extend(access_problem(
            &format!("{} (credentials: {})", target.repository, target.source),
            context.block_on(client.check_push_access(&target.repository)),
        ));
    }
    problems
}

fn github_problems(context: &Context) -> Vec<String> {
    let Some(target) = &context.targets.github else {
        return vec!["the plan makes a GitHub Release, and [github] is not configured".to_owned()];
    };
    match &target.client {
        Err(reason) => vec![format!("GitHub Releases: {reason}")],
        Ok(client) => access_problem(
            &format!(
                "GitHub {}",
                target.repository.as_deref().unwrap_or("repository")
            ),
            context.block_on(client.check_access()),
        )
        .into_iter()
        .collect(),
    }
}
