//! `slipway hotfix start`: the hotfix branch, from the release it fixes.

use anyhow::Context as _;
use versioning::Version;

use crate::bad_input;
use crate::context::Context;

/// A hotfix branch, started or to be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The version the hotfix will release (`1.1.1`).
    pub version: Version,
    /// Its branch (`hotfix/1.1.1`).
    pub branch: String,
    /// The tag it starts from (`v1.1.0`).
    pub base_tag: String,
    /// Whether the branch was created now (false: it existed at the tag, or a dry run).
    pub created: bool,
    /// When the release asked for is not its line's latest: the latest, which the hotfix follows.
    pub moved_to_latest: Option<Version>,
}

/// Starts a hotfix: the branch of the next free patch of the line of `tag` (default: the latest
/// stable release the main branch contains in git-flow, `HEAD` in trunk), created at the line's
/// latest release and checked out. With `dry_run`, only says what it would do.
pub fn start(context: &Context, tag: Option<&str>, dry_run: bool) -> anyhow::Result<Started> {
    let project = &context.project;
    let repository = &context.repository;
    let git = &project.config.git;
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    let released = if let Some(tag) = tag {
        scheme
            .parse(tag)
            .with_context(|| format!("{tag} is not a release tag matching {}", scheme.describe()))
            .map_err(bad_input)?
    } else {
        let from = match git.flow {
            crate::config::Flow::GitFlow => git.main_branch.as_str(),
            crate::config::Flow::Trunk => "HEAD",
        };
        require_branch(context, from, "main-branch")?;
        let state = repository
            .release_state_from(from, &scheme.read, gitops::Cutoff::Latest)
            .with_context(|| format!("cannot read the releases of {from}"))?;
        state
            .latest_reachable_stable()
            .map(|tag| tag.version.clone())
            .ok_or_else(|| {
                bad_input(anyhow::anyhow!(
                    "{from} contains no stable release to fix: name the release, e.g. `slipway hotfix start v1.2.0`"
                ))
            })?
    };
    let state = crate::tags::release_state(repository, &scheme)?;
    if git.flow == crate::config::Flow::GitFlow {
        require_branch(context, &git.main_branch, "main-branch")?;
        // git-flow's hotfixes fix what main has: its latest release, merged back into main and
        // develop. An older line is a support branch's business (a trunk-style hotfix there).
        let main = repository
            .release_state_from(&git.main_branch, &scheme.read, gitops::Cutoff::Latest)
            .with_context(|| format!("cannot read the releases of {}", git.main_branch))?;
        if let Some(latest) = main.latest_reachable_stable() {
            if (latest.version.major(), latest.version.minor())
                != (released.major(), released.minor())
            {
                return Err(bad_input(anyhow::anyhow!(
                    "in git-flow a hotfix starts from {main}'s latest release ({}), and {released} is of an older line: merging its fix into {main} would take {main} back; fix the {}.{} line on a support branch with [git] flow = \"trunk\" there, or `slipway hotfix start` for {}",
                    latest.name,
                    released.major(),
                    released.minor(),
                    latest.version,
                    main = git.main_branch
                )));
            }
        }
    }
    // The next free patch of the line, from the line's latest release: never a version that
    // exists.
    let target =
        versioning::decide::hotfix_target(&state.releases(), &released).map_err(bad_input)?;
    let base_tag = scheme.tag_of(&target.base, &state);
    let branch = git.hotfix_branch.format(&target.version);
    let moved_to_latest = (target.base != released).then(|| target.base.clone());
    let mut started = Started {
        version: target.version,
        branch,
        base_tag,
        created: false,
        moved_to_latest,
    };
    let base = repository
        .find_tag(&started.base_tag)?
        .ok_or_else(|| {
            bad_input(anyhow::anyhow!(
                "there is no tag {}: `git fetch --tags`",
                started.base_tag
            ))
        })?
        .target;
    if let Some(existing) = repository.branch_tip(&started.branch)? {
        if existing != base && !repository.contains(existing.as_str(), base.as_str())? {
            return Err(bad_input(anyhow::anyhow!(
                "{} exists and does not start from {}: finish it (`slipway hotfix finish`) or delete it",
                started.branch,
                started.base_tag
            )));
        }
    }
    if dry_run {
        return Ok(started);
    }
    started.created = repository
        .create_branch(&started.branch, &base)
        .or_else(|error| match error {
            // A hotfix branch with fixes on it already: switch to it.
            gitops::Error::BranchExists { .. } => Ok(gitops::Outcome::Unchanged(())),
            other => Err(other),
        })?
        .is_applied();
    repository.checkout_branch(&started.branch)?;
    Ok(started)
}

/// A bad-input error when the branch a setting names does not exist (`HEAD` always does).
pub(crate) fn require_branch(context: &Context, name: &str, setting: &str) -> anyhow::Result<()> {
    if name == "HEAD" || context.repository.branch_tip(name)?.is_some() {
        return Ok(());
    }
    Err(bad_input(anyhow::anyhow!(
        "[git] {setting} is {name}, and there is no local branch {name} (branches: {}): fix the setting, or `git branch {name} {}/{name}`",
        context.repository.local_branches()?.join(", "),
        context.project.config.git.remote
    )))
}
