//! Checking commit messages before they land: are they conventional commits of a known type?
//!
//! The known types are the project's: every type its sections name and every type it hides
//! ([`Config`]). Merge commits, git's reverts and `fixup!`/`squash!` commits are accepted (they
//! are git's own forms, squashed or listed by their content); everything else must be
//! `type(scope)!: description` with a known type and a description.

use std::fmt;

use crate::Config;
use crate::parse::{Kind, parse_message};

/// What is wrong with a commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LintProblem {
    /// The summary is not `type(scope): description`.
    NotConventional {
        /// The summary as written.
        summary: String,
    },
    /// The type is not one the project knows.
    UnknownType {
        /// The type as written.
        found: String,
        /// The types the project knows, sorted.
        known: Vec<String>,
    },
    /// Nothing after the colon.
    EmptyDescription,
}

impl fmt::Display for LintProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LintProblem::NotConventional { summary } => write!(
                f,
                "{summary:?} is not a conventional commit: write `type(scope): description`, e.g. `fix(parser): accept empty input`"
            ),
            LintProblem::UnknownType { found, known } => write!(
                f,
                "the type `{found}` is not one of this project's: {}",
                known.join(", ")
            ),
            LintProblem::EmptyDescription => {
                f.write_str("the description after the colon is empty: say what the change does")
            }
        }
    }
}

/// The types `config` knows: those its sections name and those it hides.
pub fn known_types(config: &Config) -> Vec<String> {
    let mut types: Vec<String> = config
        .sections
        .iter()
        .flat_map(|section| section.types.iter().cloned())
        .chain(config.hidden.iter().cloned())
        .map(|kind| kind.to_ascii_lowercase())
        .collect();
    types.sort();
    types.dedup();
    types
}

/// Checks one commit message (`parent_count` 2 or more for a merge) against `config`'s types.
///
/// ```
/// use changelog::{Config, LintProblem, lint_message};
/// let config = Config::default();
/// assert_eq!(lint_message("feat(api): list endpoint", 1, &config), None);
/// assert_eq!(lint_message("Merge branch 'main' into login", 2, &config), None);
/// assert!(matches!(lint_message("fixed stuff", 1, &config), Some(LintProblem::NotConventional { .. })));
/// assert!(matches!(lint_message("feature: x", 1, &config), Some(LintProblem::UnknownType { .. })));
/// ```
pub fn lint_message(message: &str, parent_count: usize, config: &Config) -> Option<LintProblem> {
    let parsed = parse_message(message, parent_count);
    match parsed.kind {
        Kind::Merge | Kind::Revert | Kind::Fixup => None,
        Kind::Conventional => {
            let found = parsed.r#type.unwrap_or_default().to_ascii_lowercase();
            let known = known_types(config);
            if !known.contains(&found) {
                return Some(LintProblem::UnknownType { found, known });
            }
            parsed
                .description
                .trim()
                .is_empty()
                .then_some(LintProblem::EmptyDescription)
        }
        Kind::Other => Some(LintProblem::NotConventional {
            summary: message.lines().next().unwrap_or_default().trim().to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_s_types_decide() {
        let mut config = Config::default();
        assert_eq!(lint_message("chore: tidy", 1, &config), None);
        assert_eq!(
            lint_message("feat!: break\n\nBREAKING CHANGE: x", 1, &config),
            None
        );
        assert_eq!(
            lint_message(
                "Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
                1,
                &config
            ),
            None
        );
        assert_eq!(lint_message("fixup! feat: x", 1, &config), None);
        let Some(LintProblem::UnknownType { found, known }) = lint_message("wip: x", 1, &config)
        else {
            panic!("wip is unknown by default");
        };
        assert_eq!(found, "wip");
        assert!(known.contains(&"feat".to_owned()) && known.contains(&"chore".to_owned()));
        config.hidden.push("wip".to_owned());
        assert_eq!(lint_message("wip: x", 1, &config), None);
        assert_eq!(
            lint_message("update readme", 1, &config).map(|problem| problem.to_string()),
            Some("\"update readme\" is not a conventional commit: write `type(scope): description`, e.g. `fix(parser): accept empty input`".to_owned())
        );
    }
}
