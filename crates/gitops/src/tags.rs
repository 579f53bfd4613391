//! Release tags: the tags that match a [`TagPattern`], parsed into versions, and the latest
//! release reachable from a commit.
//!
//! Order is always by version precedence (`SemVer`: `1.0.0-rc.1 < 1.0.0 < 1.0.1`), never by
//! date or by string. When several tags share a precedence (`v1.0.0` and `v1.0.0+build`),
//! the lexicographically smallest name wins, so the answer never depends on the order
//! git lists refs in. Tags that do not match the pattern are ignored and logged at debug.

use std::cmp::Ordering;
use std::collections::HashMap;

use git2::ObjectType;
use versioning::{TagPattern, Version};

use crate::error::{Error, GitContext as _};
use crate::{CommitId, Repository, Time};

/// A release tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The tag name without `refs/tags/` (`v1.2.0`).
    pub name: String,
    /// The version the name encodes.
    pub version: Version,
    /// The commit the tag points at (peeled through annotated tags).
    pub target: CommitId,
    /// Whether the tag is an annotated tag object (as opposed to a lightweight ref).
    pub annotated: bool,
    /// The annotated tag's message; `None` for a lightweight tag.
    pub message: Option<String>,
    /// The release date: the tagger time of an annotated tag, otherwise the commit's
    /// committer time.
    pub date: Time,
}

impl Tag {
    /// The order releases are listed in: version precedence, then tag name.
    pub fn release_order(&self, other: &Tag) -> Ordering {
        self.version
            .cmp(&other.version)
            .then_with(|| self.name.cmp(&other.name))
    }
}

/// A tag as git stores it, whatever its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagRef {
    /// The tag name without `refs/tags/`.
    pub name: String,
    /// The object the ref points at: the tag object of an annotated tag, else the commit. Two
    /// tags of one name are the same tag only when this is the same.
    pub object: CommitId,
    /// The commit it points at.
    pub target: CommitId,
    /// Whether it is an annotated tag object.
    pub annotated: bool,
    /// The annotated tag's message.
    pub message: Option<String>,
}

impl Repository {
    /// Every tag matching `pattern`, sorted by [`Tag::release_order`] (oldest release
    /// first). Tags that do not match, or that point at something other than a commit,
    /// are skipped (logged at debug). A pattern that matches nothing gives an empty list.
    ///
    /// Fails on a shallow clone, whose tag list is incomplete.
    pub fn release_tags(&self, pattern: &TagPattern) -> Result<Vec<Tag>, Error> {
        self.release_tags_matching(std::slice::from_ref(pattern))
    }

    /// Every tag that any of `patterns` reads (a name is read by the first that matches), for a
    /// repository whose tag scheme changed (`v1.2.3`, then `1.2.3`); sorted as
    /// [`release_tags`](Repository::release_tags) sorts them.
    pub fn release_tags_matching(&self, patterns: &[TagPattern]) -> Result<Vec<Tag>, Error> {
        self.ensure_full_history()?;
        let mut tags = Vec::new();
        let mut refs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for pattern in patterns {
            for found in self.release_tag_refs(pattern)? {
                if seen.insert(found.1.clone()) {
                    refs.push(found);
                }
            }
        }
        let mut fast = self.objects().map(crate::objects::Objects::reader);
        for (version, name, oid) in refs {
            match self.describe_tag(fast.as_mut(), &name, oid)? {
                Some((tag_ref, date)) => tags.push(Tag {
                    name: tag_ref.name,
                    version,
                    target: tag_ref.target,
                    annotated: tag_ref.annotated,
                    message: tag_ref.message,
                    date,
                }),
                None => {
                    tracing::debug!(tag = name, "tag does not point at a commit, ignored");
                }
            }
        }
        tags.sort_by(Tag::release_order);
        Ok(tags)
    }

    /// The release tag with the highest precedence among those reachable from `HEAD`
    /// (including a tag on `HEAD` itself), or `None` when there is no release yet.
    ///
    /// With `include_prereleases` false, pre-release tags (`v1.1.0-rc.1`) are skipped.
    /// Fails on a shallow clone (where "no release yet" could be a lie) and on an
    /// unborn branch.
    pub fn latest_release(
        &self,
        pattern: &TagPattern,
        include_prereleases: bool,
    ) -> Result<Option<Tag>, Error> {
        self.latest_release_from("HEAD", pattern, include_prereleases)
    }

    /// [`latest_release`](Repository::latest_release) from any revision.
    ///
    /// Costs what the newest releases cost, not what the history or the tag list does:
    /// versions are read from tag names alone, and tag objects are read only for the
    /// candidates, highest precedence first, until one is reachable.
    pub fn latest_release_from(
        &self,
        revision: &str,
        pattern: &TagPattern,
        include_prereleases: bool,
    ) -> Result<Option<Tag>, Error> {
        self.ensure_full_history()?;
        let from = self.resolve_oid(revision)?;
        let mut candidates = self.release_tag_refs(pattern)?;
        candidates.retain(|(version, _, _)| include_prereleases || !version.is_prerelease());
        // Highest precedence first; equal precedence: smallest name first.
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        // Checking the best candidates first means the usual case (the newest release is
        // an ancestor) costs one tag read and one ancestry walk from HEAD to that tag.
        let mut reachable: HashMap<git2::Oid, bool> = HashMap::new();
        for (version, name, oid) in candidates {
            let Some((tag_ref, date)) = self.describe_tag(None, &name, oid)? else {
                continue;
            };
            let target = tag_ref.target.to_oid();
            let is_reachable = if let Some(known) = reachable.get(&target) {
                *known
            } else {
                let known = target == from
                    || self.git.graph_descendant_of(from, target).context(|| {
                        format!("checking whether `{name}` is an ancestor of {revision}")
                    })?;
                reachable.insert(target, known);
                known
            };
            if is_reachable {
                return Ok(Some(Tag {
                    name: tag_ref.name,
                    version,
                    target: tag_ref.target,
                    annotated: tag_ref.annotated,
                    message: tag_ref.message,
                    date,
                }));
            }
        }
        Ok(None)
    }

    /// The tag `name` (without `refs/tags/`), or `None` if it does not exist.
    ///
    /// Works in shallow clones; this is what idempotent steps use ("tag already here?").
    pub fn find_tag(&self, name: &str) -> Result<Option<TagRef>, Error> {
        let reference = match self.git.find_reference(&format!("refs/tags/{name}")) {
            Ok(reference) => reference,
            Err(error) if error.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(error) => return Err(error).context(|| format!("reading tag `{name}`")),
        };
        let Some(oid) = reference.target() else {
            return Ok(None);
        };
        Ok(self.describe_tag(None, name, oid)?.map(|(tag, _)| tag))
    }

    /// The refs under `refs/tags/` whose names match `pattern`, with their versions, read from the
    /// names alone (no tag object is read). Names that do not match are logged at debug.
    fn release_tag_refs(
        &self,
        pattern: &TagPattern,
    ) -> Result<Vec<(Version, String, git2::Oid)>, Error> {
        let references = self
            .git
            .references_glob("refs/tags/*")
            .context(|| "listing tags".to_owned())?;
        let mut found = Vec::new();
        for reference in references {
            let reference = reference.context(|| "reading a tag".to_owned())?;
            let full_name = String::from_utf8_lossy(reference.name_bytes()).into_owned();
            let name = full_name.trim_start_matches("refs/tags/");
            let Some(version) = pattern.parse_tag(name) else {
                tracing::debug!(
                    tag = name,
                    pattern = pattern.as_str(),
                    "tag does not match the release pattern, ignored"
                );
                continue;
            };
            if let Some(oid) = reference.target() {
                found.push((version, name.to_owned(), oid));
            }
        }
        Ok(found)
    }

    /// Name, target, kind and message of the tag whose ref points at `oid`, with its
    /// release date; `None` if it does not lead to a commit.
    ///
    /// Read with `fast` when it is given and can (see [`crate::objects`]), else with libgit2.
    pub(crate) fn describe_tag(
        &self,
        mut fast: Option<&mut crate::objects::CommitReader>,
        name: &str,
        oid: git2::Oid,
    ) -> Result<Option<(TagRef, Time)>, Error> {
        let peeled = fast.as_mut().and_then(|fast| fast.peel_tag(oid));
        if let Some(damaged) = fast.and_then(crate::objects::CommitReader::damaged) {
            return Err(damaged);
        }
        if let Some(peeled) = peeled {
            let Some((commit, committer_time)) = peeled.commit else {
                return Ok(None);
            };
            // libgit2 gives an annotated tag without a message an empty one.
            let message = peeled.annotated.then(|| {
                without_signature(&String::from_utf8_lossy(
                    peeled.message.as_deref().unwrap_or_default(),
                ))
            });
            return Ok(Some((
                TagRef {
                    name: name.to_owned(),
                    object: CommitId::from_oid(oid),
                    target: CommitId::from_oid(commit),
                    annotated: peeled.annotated,
                    message,
                },
                peeled.tagger_time.unwrap_or(committer_time),
            )));
        }
        let object = self
            .git
            .find_object(oid, None)
            .context(|| format!("reading the object of tag `{name}`"))?;
        let (annotated, message, tagger_time) = match object.as_tag() {
            Some(tag) => (
                true,
                Some(without_signature(&String::from_utf8_lossy(
                    tag.message_bytes().unwrap_or_default(),
                ))),
                tag.tagger().map(|tagger| Time::from_git(tagger.when())),
            ),
            None => (false, None, None),
        };
        let Ok(commit) = object.peel(ObjectType::Commit) else {
            return Ok(None);
        };
        let Some(commit) = commit.as_commit() else {
            return Ok(None);
        };
        let date = tagger_time.unwrap_or_else(|| Time::from_git(commit.committer().when()));
        Ok(Some((
            TagRef {
                name: name.to_owned(),
                object: CommitId::from_oid(oid),
                target: CommitId::from_oid(commit.id()),
                annotated,
                message,
            },
            date,
        )))
    }
}

/// The tag message without the signature block a signed tag carries after it.
fn without_signature(message: &str) -> String {
    const MARKERS: [&str; 3] = [
        "-----BEGIN PGP SIGNATURE-----",
        "-----BEGIN SSH SIGNATURE-----",
        "-----BEGIN SIGNED MESSAGE-----",
    ];
    let end = MARKERS
        .iter()
        .filter_map(|marker| message.find(marker))
        .filter(|&at| at == 0 || message[..at].ends_with('\n'))
        .min()
        .unwrap_or(message.len());
    message[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::without_signature;

    #[test]
    fn signatures_are_cut_from_tag_messages() {
        let check =
            |message: &str, expected: &str| assert_eq!(without_signature(message), expected);
        check("notes\n", "notes\n");
        check(
            "notes\n-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n",
            "notes\n",
        );
        check("notes\n-----BEGIN PGP SIGNATURE-----\n\nabc\n", "notes\n");
        check(
            "mentions -----BEGIN PGP SIGNATURE----- inline\n",
            "mentions -----BEGIN PGP SIGNATURE----- inline\n",
        );
    }
}
