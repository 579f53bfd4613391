//! Conventional commits to releases to Markdown, JSON or templates; CHANGELOG.md merging; the
//! bump level.
//!
//! This crate is pure: it does no I/O, reads no clock, no environment and no git. The caller
//! walks the repository and passes a [`History`] in; dates and the remote URL are values too.
//! Rendering writes to `impl std::fmt::Write` (or returns a `String`).
//!
//! # Pipeline
//!
//! 1. The caller builds a [`History`]: the unreleased commits and each release tag with the
//!    commits it adds (both newest first).
//! 2. [`Generator::new`] compiles a [`Config`] once (patterns, lookup tables).
//! 3. [`Generator::build`] turns the history into a [`Changelog`]: it settles release
//!    boundaries, parses each message once ([`parse_commit`]), skips release commits, untitled
//!    merges and fixups, cancels reverts, lists cherry-picks once, splits squash commits,
//!    filters and groups into sections.
//! 4. A renderer writes it: [`write_markdown`], [`write_json`], [`render_template`],
//!    [`write_release_notes`], [`write_announcement`]; [`ReleaseBlock`] + [`merge_release`]
//!    update an existing CHANGELOG.md.
//! 5. [`Generator::bump`] decides the bump level from the commits since the last release.
//!
//! ```
//! use changelog::{Commit, Config, Date, Generator, History, Release, Remote, markdown_string};
//! use versioning::Version;
//!
//! let history = History {
//!     unreleased: vec![Commit::new("c3".repeat(20), "feat(cli): add --json (#7)")],
//!     releases: vec![Release {
//!         version: Some(Version::parse("1.0.0").unwrap()),
//!         tag: "v1.0.0".into(),
//!         target: "b2".repeat(20),
//!         date: Date { year: 2026, month: 11, day: 21 },
//!         commits: vec![Commit::new("b2".repeat(20), "fix: crash on empty input")],
//!     }],
//! };
//! let remote = Remote::parse("git@github.com:o/r.git");
//! let changelog = Generator::new(Config::default()).unwrap().build(&history, remote.as_ref());
//! let markdown = markdown_string(&changelog, Some("# Changelog\n"));
//! assert!(markdown.contains("## [1.0.0] - 2026-11-21\n\n### Fixed\n\n- crash on empty input"));
//! assert!(markdown.contains("- **cli:** add --json ([#7](https://github.com/o/r/pull/7))"));
//! assert!(markdown.ends_with("[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0\n"));
//! ```
//!
//! # What the caller must provide
//!
//! - **Releases**: every tag the caller considers, newest first, each with the commits in
//!   `previous tag..tag` (newest first), its peeled `target` commit id and its date.
//!   A tag that is not a release (no version; e.g. `docs-v2`, `nightly`) is passed with
//!   `version: None` or left out: either way it is no boundary, its commits belong to the next
//!   newer release. Several release tags on one commit (`v1.0.0-rc.3` and `v1.0.0`) are
//!   recognised by their equal `target`: they become one release named by the highest version,
//!   the others are listed in `also_tagged`.
//! - **Parent ids** ([`Commit::parents`]) if a merge listed by its pull request's title should
//!   cover its branch's non-conventional commits; without them every branch commit is listed.
//! - **Patch ids** ([`Commit::patch_id`]) if cherry-picks without a `-x` trailer should be
//!   recognised; **paths** ([`Commit::paths`]) if [`Config::include_paths`] is used.
//! - **Dates**: release dates as [`Date`] (see [`Date::from_unix`]); commit times as [`Time`].
//! - **The remote URL** for links, as a [`Remote`] ([`Remote::parse`]); `None` writes no links.
//!
//! # Rules and defaults
//!
//! - Sections (default): `feat` → Added, `refactor` → Changed, `fix` → Fixed, `perf` →
//!   Performance, `security` → Security, `revert` and `git revert` commits → Reverted, `docs` →
//!   Documentation; `build`, `chore`, `ci`, `style`, `test`, `tests` hidden; other types
//!   (`release`, `wip`, …) and non-conventional messages under "Other" (`other: None` drops
//!   them). An entry whose type no section names shows it: `wip(ui): x` is `- **wip(ui):** x`.
//! - Release commits: with [`Config::release_commit_template`] (slipway's cli sets
//!   `chore(release): {version}`), commits matching it ([`is_release_commit`]) are neither listed
//!   nor counted, whatever types are shown.
//! - Breaking changes are listed first under "Breaking changes" *and* in their section (hidden
//!   types only in the former).
//! - A merge with a conventional title is that change, for the changelog and the bump: its own
//!   summary (`git merge -m 'feat: x'`), or the pull or merge request title that GitHub
//!   (`Merge pull request #5 from o/b`), GitLab (`Merge branch 'b' into 'main'` …
//!   `See merge request o/r!5`) and Bitbucket (`Merged in b (pull request #5)`) put on the first
//!   body line; the forge's request number joins the entry's `pull_requests` and is linked.
//!   The branch it merged ([`Commit::parents`] tell which commits) keeps its conventional
//!   commits, except one whose type, scope and description are the title's (no subject twice);
//!   its non-conventional commits (`wip`, `Merge branch 'main' into b`) are covered by the
//!   merge's entry and not listed. This is git-cliff's and release-please's "every conventional
//!   commit counts", plus the merge title they ignore. Other merges and
//!   `fixup!`/`squash!`/`amend!` commits are skipped.
//! - A commit whose summary is not conventional but whose body has conventional lines
//!   (`* feat: …`, `- fix(x): …`: GitHub's squash body) gives one entry per such line, each with
//!   the commit's id and its summary's `(#5)` ([`Config::split_squash_commits`], on by default,
//!   like git-cliff's `split_commits` but only for such commits). Other lines are dropped.
//! - Pre-releases are folded into the next stable release above them: `1.2.0` covers
//!   everything since `1.1.0`, and lists `v1.2.0-rc.1` in `folded`. Pre-releases with no stable
//!   release above them stay as they are.
//! - A revert and the commit it reverts cancel out when both are in the same release (after
//!   folding) or both unreleased. A revert of an older release's commit is listed under Reverted.
//! - A change is listed once, in the oldest release that has it: later commits with the same
//!   patch id, or with a `(cherry picked from commit X)` trailer naming a listed commit, or named
//!   by such a trailer, are skipped.
//!
//! # JSON schema (`schema_version` 1)
//!
//! [`write_json`] writes [`Changelog`] serialised; [`render_template`] gives templates the same
//! value. Fields are never removed or redefined without a new `schema_version`.
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "remote": null | { "forge": "github" | "gitlab" | "bitbucket" | "gitea", "url": "https://github.com/o/r" },
//!   "unreleased": null | Release,          // version, tag and date are null
//!   "releases": [Release, ...]             // newest first
//! }
//! Release = {
//!   "version": "1.2.0" | null, "tag": "v1.2.0" | null, "date": "2026-11-21" | null,
//!   "prerelease": false, "previous_tag": "v1.1.0" | null,
//!   "compare_url": "https://…/compare/v1.1.0...v1.2.0" | null,
//!   "folded": ["v1.2.0-rc.1"], "also_tagged": [],
//!   "breaking": [Entry, ...],              // also listed in their sections
//!   "sections": [{ "title": "Added", "entries": [Entry, ...] }, ...]
//! }
//! Entry = {
//!   "id": "<full hex id>", "short_id": "abc1234",
//!   "kind": "conventional" | "other" | "merge" | "revert" | "fixup",
//!   "type": "feat" | null, "scope": "cli" | null, "description": "…", "body": "…" | null,
//!   "breaking": false, "breaking_description": "…" | null,
//!   "pull_requests": [123], "issues": [12],
//!   "footers": [{ "token": "Refs", "value": "#12" }],
//!   "origin": "commit" | "merge" | "squash",  // the message, a merge's title, a squash line
//!   "show_type": false,                        // true: a type no section names, under "Other"
//!   "author": { "name": "…", "email": "…" },
//!   "time": { "seconds": 1795219200, "offset_minutes": 60 }, "date": "2026-11-21",
//!   "url": "https://github.com/o/r/commit/<id>" | null
//! }
//! ```
//!
//! # What this crate does not do
//!
//! It does not read git, files or the clock, does not decide which tags are releases (the
//! caller parses tags with `versioning::TagPattern`), and does not write files: [`merge_release`]
//! returns the new text.
#![warn(missing_docs)]

mod branches;
mod bump;
mod change_file;
mod config;
mod error;
mod generator;
mod hygiene;
mod input;
mod lint;
mod markdown;
mod merge;
mod model;
mod output;
mod parse;
mod release_commit;
mod remote;
mod select;
mod stream;

pub use bump::{BumpDecision, BumpReason, DecidingCommit};
pub use change_file::{ChangeFile, ChangeFileError, add_entries, list_item, parse_change_file};
pub use config::{BumpConfig, Config, FilterAction, FilterConfig, FilterField, SectionConfig};
pub use error::{Error, Unmergeable};
pub use generator::Generator;
pub use hygiene::{check_existing, strip_control};
pub use input::{Commit, Date, History, Release, Signature, Time};
pub use lint::{LintProblem, known_types, lint_message};
pub use markdown::{
    Announcement, DEFAULT_HEADER, LinkDefinition, MarkdownStream, ReleaseBlock, UNRELEASED,
    announcement_string, markdown_string, package_header, release_notes_string, write_announcement,
    write_markdown, write_release_notes,
};
pub use merge::{
    MergeOutcome, PrereleaseSections, fold_prerelease_sections, insert_release, merge_release,
    merge_releases, merge_rerelease, section_of, union_releases,
};
pub use model::{Changelog, Entry, ReleaseNotes, SCHEMA_VERSION, Section};
pub use output::{json_string, render_template, render_template_with, write_json};
pub use parse::{Footer, Kind, Origin, ParsedMessage, parse_commit, parse_message};
pub use release_commit::is_release_commit;
pub use remote::{Forge, Remote};
pub use stream::Stream;
