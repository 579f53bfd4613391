//! The built changelog: the one data structure every renderer reads.
//!
//! The JSON output is this structure serialised, and user templates receive exactly the same
//! value; the schema is documented in the crate docs and versioned by [`SCHEMA_VERSION`].

use serde::Serialize;

use crate::input::{Date, Signature, Time};
use crate::parse::{Footer, Kind, Origin};
use crate::remote::Remote;

/// The version of the JSON schema. It changes only when a field is removed or changes meaning;
/// new fields may appear without a change.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole changelog: the unreleased changes and every release, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changelog<'a> {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The forge links are built for, if the remote was recognised.
    pub remote: Option<Remote>,
    /// The changes after the newest release, if any are listed.
    pub unreleased: Option<ReleaseNotes<'a>>,
    /// The releases, newest first.
    pub releases: Vec<ReleaseNotes<'a>>,
}

impl<'a> Changelog<'a> {
    /// The release with this version (as displayed, e.g. `1.2.0`) or tag (`v1.2.0`).
    pub fn release(&self, version_or_tag: &str) -> Option<&ReleaseNotes<'a>> {
        self.releases.iter().find(|release| {
            release.version.as_deref() == Some(version_or_tag)
                || release.tag == Some(version_or_tag)
        })
    }
}

/// One release (or the unreleased changes) with its entries grouped in sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseNotes<'a> {
    /// The version as displayed (`1.2.0`, `1.2.0rc1`); `None` for the unreleased changes.
    pub version: Option<String>,
    /// The tag, e.g. `v1.2.0`; `None` for the unreleased changes.
    pub tag: Option<&'a str>,
    /// The release date; `None` for the unreleased changes.
    pub date: Option<Date>,
    /// Whether the version is a pre-release.
    pub prerelease: bool,
    /// The tag of the previous listed release, if there is one.
    pub previous_tag: Option<&'a str>,
    /// The forge page comparing `previous_tag` with this release (or `HEAD`), or this tag's page
    /// for a first release; `None` without a recognised remote.
    pub compare_url: Option<String>,
    /// Pre-release tags folded into this release, newest first.
    pub folded: Vec<&'a str>,
    /// Other release tags on the same commit, which this release stands for.
    pub also_tagged: Vec<&'a str>,
    /// Entries that declare breaking changes, also listed in their sections.
    pub breaking: Vec<Entry<'a>>,
    /// The non-empty sections, in configured order.
    pub sections: Vec<Section<'a>>,
}

impl ReleaseNotes<'_> {
    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.breaking.is_empty() && self.sections.is_empty()
    }

    /// The distinct names of the listed entries' authors and `Co-authored-by` co-authors, in
    /// order of first appearance.
    pub fn contributors(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        let mut names = Vec::new();
        for entry in self
            .breaking
            .iter()
            .chain(self.sections.iter().flat_map(|section| &section.entries))
        {
            let co_authors = entry
                .footers
                .iter()
                .filter(|footer| footer.token.eq_ignore_ascii_case("co-authored-by"))
                .map(|footer| {
                    footer
                        .value
                        .split(" <")
                        .next()
                        .unwrap_or(footer.value)
                        .trim()
                });
            for name in std::iter::once(entry.author.name.as_str()).chain(co_authors) {
                if !name.is_empty() && seen.insert(name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

/// A heading and its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section<'a> {
    /// The heading, e.g. `Added`.
    pub title: String,
    /// The entries, newest first.
    pub entries: Vec<Entry<'a>>,
}

/// One listed commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry<'a> {
    /// The full commit id.
    pub id: &'a str,
    /// The first seven characters of the id.
    pub short_id: &'a str,
    /// What kind of commit this is.
    pub kind: Kind,
    /// The conventional type as written (`feat`), `None` for other kinds.
    #[serde(rename = "type")]
    pub r#type: Option<&'a str>,
    /// The conventional scope.
    pub scope: Option<&'a str>,
    /// The description (the whole summary for non-conventional commits).
    pub description: &'a str,
    /// The body, if any.
    pub body: Option<&'a str>,
    /// Whether the commit declares a breaking change.
    pub breaking: bool,
    /// The breaking-change text.
    pub breaking_description: Option<&'a str>,
    /// `(#123)` pull requests referenced in the summary.
    pub pull_requests: Vec<u64>,
    /// Issues referenced in footers.
    pub issues: Vec<u64>,
    /// Footers other than `BREAKING CHANGE`.
    pub footers: Vec<Footer<'a>>,
    /// Where the entry's text comes from: the commit, a merge's title, a squash line.
    pub origin: Origin,
    /// Whether renderers show the type with the description: the entry's type is named by no
    /// section, so it sits in "Other" (`wip: x` is written `**wip:** x`).
    pub show_type: bool,
    /// The author.
    pub author: &'a Signature,
    /// The author time.
    pub time: Time,
    /// The author date in the author's time zone.
    pub date: Date,
    /// The forge page of the commit, if the remote was recognised.
    pub url: Option<String>,
}
