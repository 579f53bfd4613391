//! How a project's releases are tagged, and which releases exist.
//!
//! With `tag-pattern` configured, that pattern reads and writes every release tag. Without one,
//! the scheme is the repository's own, detected from its tag names
//! ([`versioning::TagSchemes`]): `v1.2.3`, `1.2.3`, or both when the scheme changed along the way
//! (all are read; new tags follow the scheme of the latest release). Version-like tags that no
//! pattern reads are listed once in the log (`-v`), never dropped silently.
//!
//! The release state (every release, and the latest one `HEAD` contains) comes from one walk of
//! the history ([`gitops::Repository::release_state_from`] with [`gitops::Cutoff::Latest`]), so it
//! costs about what `git describe` costs, whatever the number of tags on other branches.

use anyhow::Context as _;
use versioning::{TagPattern, TagSchemes, Version};

use crate::project::Project;

/// The patterns that read a project's release tags, and the one that names new ones.
#[derive(Debug, Clone)]
pub struct TagScheme {
    /// Every pattern in use, the configured one alone when there is one.
    pub read: Vec<TagPattern>,
    /// The pattern of new tags.
    pub write: TagPattern,
}

impl TagScheme {
    /// The scheme of `project` in `repository`: the configured pattern, or the detected one.
    pub fn of(project: &Project, repository: &gitops::Repository) -> anyhow::Result<TagScheme> {
        let names = repository.tag_names().context("cannot list the tags")?;
        let scheme = if project.config.tag_pattern.is_some() {
            TagScheme::configured(project)?
        } else {
            let schemes = TagSchemes::detect(&names);
            // The repository's own `v1.2.3` / `1.2.3` tags; or, where it has none, the project's
            // package-prefixed ones (`hangar-v1.2.3`, `hangar@1.2.3`).
            let unprefixed = schemes
                .uses()
                .iter()
                .any(|known| known.scheme.package().is_none());
            let package = project.name.as_deref().filter(|name| {
                !unprefixed
                    && schemes
                        .uses()
                        .iter()
                        .any(|known| known.scheme.package() == Some(*name))
            });
            TagScheme {
                read: schemes.patterns(package),
                write: schemes.scheme_for_new_tags(package).pattern(),
            }
        };
        let ignored = versioning::ignored_tags(names.iter().map(String::as_str), &scheme.read);
        if !ignored.is_empty() {
            let shown: Vec<&str> = ignored.iter().take(5).copied().collect();
            tracing::info!(
                "{} version-like tag(s) are not read as releases (the tag pattern is {}): {}{}",
                ignored.len(),
                scheme.describe(),
                shown.join(", "),
                if ignored.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            );
        }
        Ok(scheme)
    }

    /// The configured pattern (default `v{version}`), for where there is no repository to read.
    pub fn configured(project: &Project) -> anyhow::Result<TagScheme> {
        let pattern = project.tag_pattern()?;
        Ok(TagScheme {
            read: vec![pattern.clone()],
            write: pattern,
        })
    }

    /// The patterns, for messages (`v{version}, {version}`).
    pub fn describe(&self) -> String {
        self.read
            .iter()
            .map(TagPattern::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The version a tag name stands for, by any pattern in use.
    pub fn parse(&self, name: &str) -> Option<Version> {
        self.read.iter().find_map(|pattern| pattern.parse_tag(name))
    }

    /// Every release tag, in every scheme in use, oldest release first.
    pub fn release_tags(
        &self,
        repository: &gitops::Repository,
    ) -> anyhow::Result<Vec<gitops::Tag>> {
        repository
            .release_tags_matching(&self.read)
            .context("cannot list the release tags")
    }

    /// The tag of `version` as it exists (in whichever scheme), if it was released.
    pub fn existing_tag(
        &self,
        version: &Version,
        repository: &gitops::Repository,
    ) -> anyhow::Result<Option<String>> {
        for pattern in &self.read {
            let name = pattern.format(version);
            if repository
                .find_tag(&name)
                .context("cannot read the tags")?
                .is_some()
            {
                return Ok(Some(name));
            }
        }
        Ok(None)
    }

    /// The tag of `version`: its existing tag when it was released (in whichever scheme), else
    /// the name a new tag gets.
    pub fn tag_of(&self, version: &Version, state: &gitops::ReleaseTags) -> String {
        state
            .find(version)
            .first()
            .map_or_else(|| self.write.format(version), |tag| tag.name.clone())
    }
}

/// Every release of the repository, with the latest one `HEAD` contains.
pub fn release_state(
    repository: &gitops::Repository,
    scheme: &TagScheme,
) -> anyhow::Result<gitops::ReleaseTags> {
    repository
        .release_state_from("HEAD", &scheme.read, gitops::Cutoff::Latest)
        .context("cannot read the release tags")
}
