//! The changelog policy: which types go in which section, what is hidden, what is dropped.
//!
//! [`Config`] is plain data (deserialisable from the caller's configuration file);
//! [`crate::Generator::new`] compiles it once (patterns, lookup tables) before any commit is read.

use serde::{Deserialize, Serialize};

/// The changelog policy. `Config::default()` is what slipway uses with no configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent switches read from a configuration file"
)]
pub struct Config {
    /// Sections in display order, each with the conventional types it collects.
    pub sections: Vec<SectionConfig>,
    /// Conventional types that never appear in a section (breaking ones still appear under
    /// "Breaking changes").
    pub hidden: Vec<String>,
    /// The section for non-conventional commits and for types neither in a section nor hidden;
    /// `None` drops them.
    pub other: Option<String>,
    /// List merge commits that have no conventional title (skipped by default: their branch's
    /// commits are listed instead). Merges with a conventional title are always listed.
    pub include_merges: bool,
    /// Give a commit whose summary is not conventional one entry per conventional line of its
    /// body (`* feat: …`, `- fix(x): …`, as GitHub's squash merges write them); on by default.
    pub split_squash_commits: bool,
    /// The message template of release commits, `{version}` standing for the version
    /// (slipway's is `chore(release): {version}`): matching commits are neither listed nor
    /// counted for the bump (see [`crate::is_release_commit`]). `None` (the default) skips none.
    pub release_commit_template: Option<String>,
    /// List `fixup!`/`squash!`/`amend!` commits (skipped by default).
    pub include_fixups: bool,
    /// Fold pre-releases into the next stable release, so 1.2.0 covers everything since 1.1.0.
    pub fold_prereleases: bool,
    /// Drop a revert and the commit it reverts when both are in one release (or both unreleased).
    pub cancel_reverts: bool,
    /// List a change once when it was cherry-picked (same patch id, or a
    /// `(cherry picked from commit X)` trailer naming a listed commit).
    pub dedupe_cherry_picks: bool,
    /// Filters on subject, type or scope; see [`FilterConfig`].
    pub filters: Vec<FilterConfig>,
    /// Path globs (`crates/foo/**`); when set, only commits touching a matching path are listed.
    /// Commits whose paths the caller did not compute are kept.
    pub include_paths: Vec<String>,
    /// How commits decide the bump level.
    pub bump: BumpConfig,
}

/// A section and the types it collects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SectionConfig {
    /// The heading, e.g. `Added`.
    pub title: String,
    /// The conventional types, matched case-insensitively, e.g. `["feat"]`.
    pub types: Vec<String>,
}

/// One filter: what it looks at, the pattern, and whether a match excludes or is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FilterConfig {
    /// What the pattern is matched against.
    pub field: FilterField,
    /// A regular expression (Rust `regex` syntax), unanchored.
    pub pattern: String,
    /// `exclude` drops matching commits; with any `include` filter, a commit must match one of them.
    #[serde(default)]
    pub action: FilterAction,
}

/// What a filter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FilterField {
    /// The summary line as written.
    Subject,
    /// The conventional type (empty for non-conventional commits).
    Type,
    /// The conventional scope (empty when there is none).
    Scope,
}

impl FilterField {
    pub(crate) fn name(self) -> &'static str {
        match self {
            FilterField::Subject => "subject",
            FilterField::Type => "type",
            FilterField::Scope => "scope",
        }
    }
}

/// Whether a filter drops or keeps what it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FilterAction {
    /// Drop commits that match.
    #[default]
    Exclude,
    /// Keep only commits that match at least one include filter.
    Include,
}

/// Which commits raise which level. A breaking change always raises the major level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BumpConfig {
    /// Types that raise the minor level (default `feat`).
    pub minor: Vec<String>,
    /// Types that raise the patch level (default `fix`, `perf`).
    pub patch: Vec<String>,
    /// Whether commits of other types and non-conventional commits raise the patch level
    /// (default no: a release of only chores is no release).
    pub others_patch: bool,
}

impl Default for BumpConfig {
    fn default() -> Self {
        BumpConfig {
            minor: strings(&["feat"]),
            patch: strings(&["fix", "perf"]),
            others_patch: false,
        }
    }
}

impl Default for Config {
    /// feat → Added, refactor → Changed, fix → Fixed, perf → Performance, security → Security,
    /// revert → Reverted, docs → Documentation; build, chore, ci, style, test and tests hidden;
    /// anything else (`release` and `wip` included) under "Other", with its type shown.
    fn default() -> Self {
        let section = |title: &str, types: &[&str]| SectionConfig {
            title: title.to_owned(),
            types: strings(types),
        };
        Config {
            sections: vec![
                section("Added", &["feat"]),
                section("Changed", &["refactor"]),
                section("Fixed", &["fix"]),
                section("Performance", &["perf"]),
                section("Security", &["security"]),
                section("Reverted", &["revert"]),
                section("Documentation", &["docs", "doc"]),
            ],
            hidden: strings(&["build", "chore", "ci", "style", "test", "tests"]),
            other: Some("Other".to_owned()),
            include_merges: false,
            split_squash_commits: true,
            release_commit_template: None,
            include_fixups: false,
            fold_prereleases: true,
            cancel_reverts: true,
            dedupe_cherry_picks: true,
            filters: Vec::new(),
            include_paths: Vec::new(),
            bump: BumpConfig::default(),
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}
