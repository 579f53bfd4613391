//! `slipway lint-commits`: are the commits of a range (or a message about to be committed)
//! conventional commits of the project's types? The rules are `changelog::lint_message`'s; this
//! module gathers the commits.

use anyhow::Context as _;

use crate::bad_input;
use crate::project::Project;

/// A commit whose message does not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    /// The commit's id (`None` for a message file).
    pub id: Option<String>,
    /// What is wrong.
    pub problem: changelog::LintProblem,
}

/// The offending commits of `range` (`A..B`, git's syntax), or of the commits since the latest
/// release `HEAD` contains (every commit when there is none), newest first.
pub fn range(
    project: &Project,
    repository: &gitops::Repository,
    range: Option<&str>,
) -> anyhow::Result<Vec<Offence>> {
    let config = project.config.changelog.policy();
    let range = if let Some(text) = range {
        gitops::Range::parse(text)
    } else {
        let scheme = crate::tags::TagScheme::of(project, repository)?;
        let state = crate::tags::release_state(repository, &scheme)?;
        let mut range = gitops::Range::head();
        if let Some(latest) = state.latest_reachable() {
            range = range.exclude(latest.name.clone());
        }
        range
    };
    let commits = repository
        .commits(&range, &gitops::HistoryOptions::default())
        .context("cannot list the commits to check")
        .map_err(bad_input)?;
    Ok(commits
        .iter()
        .filter_map(|commit| {
            changelog::lint_message(&commit.message, commit.parent_count, &config).map(|problem| {
                Offence {
                    id: Some(commit.id.as_str().to_owned()),
                    problem,
                }
            })
        })
        .collect())
}

/// The problem with a commit message about to be committed (a `commit-msg` hook's file), with
/// git's comment lines (`#`) removed as `git commit` removes them.
pub fn message(project: &Project, text: &str) -> Option<Offence> {
    let message = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    changelog::lint_message(&message, 1, &project.config.changelog.policy())
        .map(|problem| Offence { id: None, problem })
}

/// The `commit-msg` hook that runs `slipway lint-commits --message-file`.
pub const COMMIT_MSG_HOOK: &str = "#!/bin/sh\n# Installed by `slipway init --commit-msg-hook`: the message must be a conventional commit.\nexec slipway lint-commits --message-file \"$1\"\n";
