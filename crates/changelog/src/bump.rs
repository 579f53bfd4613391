//! The bump level the commits since the last release call for.
//!
//! A breaking change calls for a major bump, a `feat` for a minor one, a `fix` or `perf` for a
//! patch (configurable in [`crate::BumpConfig`]). A merge counts by its conventional title
//! (its summary, or the pull request title in its body) and a squash commit by each conventional
//! line of its body, exactly as they are listed; other merges, fixups, release commits and a
//! commit reverted within the same commits do not count.

use serde::Serialize;
use versioning::{Level, Policy, Version};

use crate::generator::Generator;
use crate::input::Commit;
use crate::parse::{Kind, ParsedMessage};

/// Why a commit calls for a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BumpReason {
    /// `!` or a `BREAKING CHANGE:` footer.
    Breaking,
    /// A type listed under `bump.minor`.
    MinorType,
    /// A type listed under `bump.patch`.
    PatchType,
    /// Any other commit, with `bump.others-patch` set.
    Other,
}

/// One commit that called for the decided level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingCommit<'a> {
    /// The full commit id.
    pub id: &'a str,
    /// The summary line, or the line the change was read from (a merge's title, a squash line).
    pub summary: &'a str,
    /// Why it calls for the level.
    pub reason: BumpReason,
}

/// The level the commits call for, and the commits that called for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BumpDecision<'a> {
    /// The highest level any commit called for; `None` when no commit calls for a release.
    /// Serialised as `"major"`, `"minor"`, `"patch"` or `null`.
    pub level: Option<Level>,
    /// The commits that called for `level`, newest first.
    pub decided_by: Vec<DecidingCommit<'a>>,
}

impl BumpDecision<'_> {
    /// The level to bump `current` by: [`BumpDecision::level`] through the 0.x policy of
    /// `policy` (by default, while the major version is 0, breaking → minor and feature → patch).
    ///
    /// Feed it to `versioning::bump` as `BumpRequest::level(level)`, or as
    /// `BumpRequest::prerelease(Some(level), "rc")` for a pre-release.
    ///
    /// ```
    /// use changelog::{Commit, Config, Generator};
    /// use versioning::{Level, Policy, Version};
    /// let generator = Generator::new(Config::default()).unwrap();
    /// let commits = [Commit::new("a1", "feat!: new syntax")];
    /// let decision = generator.bump(&commits);
    /// assert_eq!(decision.level_for(&Version::new(1, 4, 2), &Policy::default()), Some(Level::Major));
    /// assert_eq!(decision.level_for(&Version::new(0, 4, 2), &Policy::default()), Some(Level::Minor));
    /// ```
    pub fn level_for(&self, current: &Version, policy: &Policy) -> Option<Level> {
        self.level
            .map(|level| policy.apply_zero_major(current, level))
    }
}

impl Generator {
    /// Decides the bump level of `commits` (the commits since the last release, newest first).
    ///
    /// Path filters, release commit, untitled merge and fixup skipping, merge titles, squash
    /// splitting and revert cancellation apply as in [`Generator::build`]; display filters and hidden types do not (a hidden `chore!:` still
    /// breaks).
    ///
    /// ```
    /// use changelog::{Commit, Config, Generator};
    /// use versioning::{Level, Policy, Version};
    /// let generator = Generator::new(Config::default()).unwrap();
    /// let commits = [Commit::new("b2", "fix: y"), Commit::new("a1", "feat: x")];
    /// assert_eq!(generator.bump(&commits).level, Some(Level::Minor));
    /// ```
    pub fn bump<'a>(&self, commits: &'a [Commit]) -> BumpDecision<'a> {
        let mut level = None;
        let mut decided_by = Vec::new();
        for item in self.listable(commits) {
            let Some((commit_level, reason)) = self.commit_level(&item.parsed) else {
                continue;
            };
            if Some(commit_level) > level {
                level = Some(commit_level);
                decided_by.clear();
            }
            if Some(commit_level) == level {
                decided_by.push(DecidingCommit {
                    id: &item.commit.id,
                    summary: item.subject,
                    reason,
                });
            }
        }
        BumpDecision { level, decided_by }
    }

    fn commit_level(&self, parsed: &ParsedMessage<'_>) -> Option<(Level, BumpReason)> {
        if parsed.breaking {
            return Some((Level::Major, BumpReason::Breaking));
        }
        let bump = &self.config.bump;
        let listed = |types: &[String]| {
            parsed
                .r#type
                .is_some_and(|ty| types.iter().any(|listed| listed.eq_ignore_ascii_case(ty)))
        };
        if parsed.kind == Kind::Conventional && listed(&bump.minor) {
            return Some((Level::Minor, BumpReason::MinorType));
        }
        if parsed.kind == Kind::Conventional && listed(&bump.patch) {
            return Some((Level::Patch, BumpReason::PatchType));
        }
        bump.others_patch
            .then_some((Level::Patch, BumpReason::Other))
    }
}
