//! Merging a rendered release into an existing CHANGELOG.md: text in, text out.
//!
//! Only three places change: the new section is inserted after the header (or replaces the
//! `## [Unreleased]` section), and link references at the bottom are added or updated.
//! Every other byte, including hand edits in older sections, is kept.
//! Merging the same release twice gives the same text as merging it once.
//!
//! People write in changelogs too. A section that a merge replaces (`## [Unreleased]`, or the
//! section of a version being released again) hands its hand-written lines to the new one:
//! every item that slipway did not generate (an item is generated when it ends with a commit
//! reference, `(abc1234)` or `([abc1234](…))`) is carried into the same subsection (`### Added`)
//! of the new section, or into a new subsection of that title, and free text before the first
//! subsection stays before it. An item already in the new section is not repeated.

use versioning::Version;

use crate::markdown::{DEFAULT_HEADER, LinkDefinition, ReleaseBlock, UNRELEASED};

/// The result of [`merge_release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The new text of the file.
    Updated(String),
    /// A section for this version already exists; the file is left as it is.
    AlreadyPresent,
}

/// Merges one release section into a changelog's text.
///
/// - A versioned release already present (`## [1.2.0]`, `## 1.2.0`, `## [v1.2.0] - …`) gives
///   [`MergeOutcome::AlreadyPresent`].
/// - Otherwise, an `## [Unreleased]` section is replaced by the release; without one, the release
///   goes before the first `## ` heading (or at the end of an empty changelog).
///   A release older than a version already listed goes above the first older version instead
///   (or after the last section), and leaves `## [Unreleased]` alone.
/// - An unreleased block replaces the existing `## [Unreleased]` section, or is inserted.
/// - Link references: the release's own is added (or replaced); an `[Unreleased]` link is
///   removed when no `## [Unreleased]` heading remains.
/// - An empty `existing` gets [`DEFAULT_HEADER`] first.
///
/// ```
/// use changelog::{MergeOutcome, ReleaseBlock, merge_release};
/// let block = ReleaseBlock {
///     label: "1.1.0".into(),
///     text: "## [1.1.0] - 2026-11-21\n\n### Added\n\n- b\n".into(),
///     link: None,
///     unreleased_link: None,
/// };
/// let existing = "# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- a (hand edited)\n";
/// let MergeOutcome::Updated(merged) = merge_release(existing, &block) else { panic!() };
/// assert_eq!(merged, "# Changelog\n\n## [1.1.0] - 2026-11-21\n\n### Added\n\n- b\n\n## [1.0.0] - 2026-01-01\n\n- a (hand edited)\n");
/// assert_eq!(merge_release(&merged, &block), MergeOutcome::AlreadyPresent);
/// ```
pub fn merge_release(existing: &str, block: &ReleaseBlock) -> MergeOutcome {
    merge_release_with(existing, block, false)
}

/// Inserts a release made on another branch into a changelog's text: a hotfix cherry-picked
/// onto main, a release merged back into develop. Its section goes among the versions by order,
/// below `## [Unreleased]`, which keeps its lines (they are this branch's next release, not that
/// one), except those the section lists already. Otherwise as [`merge_release`].
///
/// ```
/// use changelog::{MergeOutcome, ReleaseBlock, insert_release};
/// let block = ReleaseBlock {
///     label: "1.0.1".into(),
///     text: "## [1.0.1] - 2026-11-21\n\n### Fixed\n\n- the crash (abc1234)\n".into(),
///     link: None,
///     unreleased_link: None,
/// };
/// let main = "# Changelog\n\n## [Unreleased]\n\n- the new dashboard\n\n## [1.0.0] - 2026-01-01\n\n- a\n";
/// let MergeOutcome::Updated(merged) = insert_release(main, &block) else { panic!() };
/// assert_eq!(merged, "# Changelog\n\n## [Unreleased]\n\n- the new dashboard\n\n## [1.0.1] - 2026-11-21\n\n### Fixed\n\n- the crash (abc1234)\n\n## [1.0.0] - 2026-01-01\n\n- a\n");
/// ```
pub fn insert_release(existing: &str, block: &ReleaseBlock) -> MergeOutcome {
    merge_release_with(existing, block, true)
}

/// The changelog of a merge of two branches, for the branch whose text is `base`: `base` with
/// every versioned section of `other` that it lacks inserted as [`insert_release`] does (with
/// `other`'s link for it), so `base`'s `## [Unreleased]` keeps its own lines, minus those a
/// section brought in lists already. Sections both have stay as `base` has them.
///
/// ```
/// let develop = "# Changelog\n\n## [Unreleased]\n\n- search (aaaaaaa)\n- written on develop later\n\n## [1.0.0]\n\n- a\n";
/// let main = "# Changelog\n\n## [1.1.0] - 2026-11-22\n\n- search (aaaaaaa)\n\n## [1.0.0]\n\n- a\n";
/// assert_eq!(
///     changelog::union_releases(develop, main),
///     "# Changelog\n\n## [Unreleased]\n\n- written on develop later\n\n## [1.1.0] - 2026-11-22\n\n- search (aaaaaaa)\n\n## [1.0.0]\n\n- a\n"
/// );
/// assert_eq!(changelog::union_releases(main, main), main);
/// ```
pub fn union_releases(base: &str, other: &str) -> String {
    let theirs = Lines::new(other);
    let footer = theirs.footer_start();
    let mut text = base.to_owned();
    for (start, label) in theirs.headings() {
        if label.eq_ignore_ascii_case(UNRELEASED) || parse_label(label).is_none() {
            continue;
        }
        let end = theirs.section_end(start, footer);
        let section = other[start..end].trim_end();
        let link = other[footer..]
            .lines()
            .find(|line| label_is(line, label))
            .and_then(|line| line.split_once("]:"))
            .map(|(_, url)| LinkDefinition {
                label: label.to_owned(),
                url: url.trim().to_owned(),
            });
        let block = ReleaseBlock {
            label: label.to_owned(),
            text: format!("{section}\n"),
            link,
            unreleased_link: None,
        };
        if let MergeOutcome::Updated(merged) = insert_release(&text, &block) {
            text = merged;
        }
    }
    text
}

fn merge_release_with(existing: &str, block: &ReleaseBlock, beside: bool) -> MergeOutcome {
    let is_unreleased = block.label.eq_ignore_ascii_case(UNRELEASED);
    let crlf = uses_crlf(existing);
    let existing_owned;
    let existing = if existing.trim().is_empty() {
        existing_owned = DEFAULT_HEADER.to_owned();
        existing_owned.as_str()
    } else {
        existing
    };
    let layout = Lines::new(existing);
    if !is_unreleased
        && layout
            .headings()
            .any(|(_, label)| same_version(label, &block.label))
    {
        return MergeOutcome::AlreadyPresent;
    }
    let section_text = normalise_newlines(&block.text, crlf);
    let newline = if crlf { "\r\n" } else { "\n" };
    let footer_start = layout.footer_start();
    let unreleased = layout
        .headings()
        .find(|(_, label)| label.eq_ignore_ascii_case(UNRELEASED))
        .map(|(start, _)| start);

    // Where a versioned release goes among existing versions: above the first older one, so a
    // missing old release merged later does not land on top.
    let block_version = (!is_unreleased)
        .then(|| parse_label(&block.label))
        .flatten();
    let versions: Vec<(usize, Version)> = layout
        .headings()
        .filter_map(|(start, label)| parse_label(label).map(|version| (start, version)))
        .collect();
    let newer_exists = block_version
        .as_ref()
        .is_some_and(|version| versions.iter().any(|(_, existing)| existing > version));

    // A changelog in Keep a Changelog's form (an `[Unreleased]` compare link) keeps an empty
    // `## [Unreleased]` section above each release, its link moved on to compare from the new tag.
    let unreleased_link = if is_unreleased || newer_exists {
        None
    } else {
        unreleased_link_after(existing, block).or_else(|| block.unreleased_link.clone())
    };
    let mut text = String::with_capacity(existing.len() + section_text.len() + 256);
    match unreleased {
        Some(start) if !newer_exists && !beside => {
            let end = layout.section_end(start, footer_start);
            text.push_str(&existing[..start]);
            if unreleased_link.is_some() {
                push_unreleased_heading(&mut text, newline);
            }
            replace_section(&mut text, existing, start..end, &section_text, newline);
        }
        _ => {
            let at = match &block_version {
                Some(version) if newer_exists || beside => versions
                    .iter()
                    .find(|(_, existing)| existing < version)
                    .map_or(footer_start, |(start, _)| *start),
                _ => layout
                    .headings()
                    .next()
                    .map_or(footer_start, |(start, _)| start),
            };
            match unreleased.filter(|_| beside) {
                // Unreleased stays above, without what the inserted section lists.
                Some(start) if start < at => {
                    let end = layout.section_end(start, footer_start);
                    text.push_str(&existing[..start]);
                    text.push_str(&without_items_of(
                        &existing[start..end],
                        &section_text,
                        newline,
                    ));
                    text.push_str(&existing[end..at]);
                }
                _ => text.push_str(&existing[..at]),
            }
            let blank_line = format!("{newline}{newline}");
            if !text.is_empty() && !text.ends_with(&blank_line) && !text.ends_with("\n\n") {
                if !text.ends_with('\n') {
                    text.push_str(newline);
                }
                if !text.ends_with(&blank_line) && !text.ends_with("\n\n") {
                    text.push_str(newline);
                }
            }
            if unreleased_link.is_some() && unreleased.is_none() {
                push_unreleased_heading(&mut text, newline);
            }
            text.push_str(&section_text);
            if at < existing.len() {
                text.push_str(newline);
            }
            text.push_str(&existing[at..]);
        }
    }

    // The `[Unreleased]` link stays only while an `## [Unreleased]` heading does.
    let keep_unreleased = Lines::new(&text)
        .headings()
        .any(|(_, label)| label.eq_ignore_ascii_case(UNRELEASED));
    let mut links: Vec<&LinkDefinition> = block.link.iter().collect();
    if keep_unreleased {
        links.extend(unreleased_link.as_ref());
    }
    MergeOutcome::Updated(update_links(&text, &links, keep_unreleased, newline))
}

/// The `[Unreleased]` link once `block` is released, when `existing` has one to move on: its
/// compare URL with the release's tag as the new base (`…/compare/v1.1.0...HEAD`, or
/// Bitbucket's `…/compare/HEAD%0Dv1.1.0`). `None` without such a link, or when the release's
/// own link does not name its tag (an unknown host).
fn unreleased_link_after(existing: &str, block: &ReleaseBlock) -> Option<LinkDefinition> {
    let old = existing
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .find(|line| label_is(line, UNRELEASED))?
        .split_once("]:")?
        .1
        .trim()
        .to_owned();
    let release = &block.link.as_ref()?.url;
    let tag = if let Some((_, after)) = release.rsplit_once("...") {
        after
    } else if let Some((_, after)) = release.rsplit_once("/compare/") {
        after.split("%0D").next()?
    } else {
        release.rsplit('/').next()?
    };
    if tag.is_empty() {
        return None;
    }
    let url = if let Some((base, _)) = old
        .rsplit_once("...HEAD")
        .and_then(|(head, _)| head.rsplit_once("compare/"))
    {
        format!("{base}compare/{tag}...HEAD")
    } else if let Some((base, _)) = old.rsplit_once("compare/HEAD%0D") {
        format!("{base}compare/HEAD%0D{tag}")
    } else {
        return None;
    };
    Some(LinkDefinition {
        label: UNRELEASED.to_owned(),
        url,
    })
}

/// Merges a release that may have been merged before (a release made again after its tag was
/// deleted, or a resumed release): the section of `block`'s version, if there is one, is
/// replaced by `block`, keeping its hand-written lines; otherwise the same as [`merge_release`].
///
/// ```
/// use changelog::{MergeOutcome, ReleaseBlock, merge_rerelease};
/// let block = ReleaseBlock {
///     label: "1.1.0".into(),
///     text: "## [1.1.0] - 2026-11-22\n\n### Fixed\n\n- the fix (bbbbbbb)\n".into(),
///     link: None,
///     unreleased_link: None,
/// };
/// let existing = "# Changelog\n\n## [1.1.0] - 2026-11-21\n\nUpgrade with care.\n\n### Fixed\n\n- a stale entry (aaaaaaa)\n- a note by hand\n";
/// let MergeOutcome::Updated(merged) = merge_rerelease(existing, &block) else { panic!() };
/// assert_eq!(merged, "# Changelog\n\n## [1.1.0] - 2026-11-22\n\nUpgrade with care.\n\n### Fixed\n\n- the fix (bbbbbbb)\n- a note by hand\n");
/// assert_eq!(merge_rerelease(&merged, &block), MergeOutcome::Updated(merged.clone()));
/// ```
pub fn merge_rerelease(existing: &str, block: &ReleaseBlock) -> MergeOutcome {
    let crlf = uses_crlf(existing);
    let newline = if crlf { "\r\n" } else { "\n" };
    let layout = Lines::new(existing);
    let Some(start) = layout
        .headings()
        .find(|(_, label)| same_version(label, &block.label))
        .map(|(start, _)| start)
    else {
        return merge_release(existing, block);
    };
    let end = layout.section_end(start, layout.footer_start());
    let section_text = normalise_newlines(&block.text, crlf);
    let mut text = String::with_capacity(existing.len() + section_text.len());
    text.push_str(&existing[..start]);
    replace_section(&mut text, existing, start..end, &section_text, newline);
    let keep_unreleased = Lines::new(&text)
        .headings()
        .any(|(_, label)| label.eq_ignore_ascii_case(UNRELEASED));
    let links: Vec<&LinkDefinition> = block.link.iter().collect();
    MergeOutcome::Updated(update_links(&text, &links, keep_unreleased, newline))
}

/// What becomes of the pre-release sections (`## [1.2.0-rc.1]`) of a version when the version
/// itself is released and its notes cover them (`fold-prereleases`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrereleaseSections {
    /// Removed: the stable section says it all, and the hand-written lines of the pre-release
    /// sections are carried into it (the default).
    #[default]
    Fold,
    /// Moved, as they were, into a collapsed `<details>` block at the end of the stable section.
    Collapse,
    /// Left where they are.
    Keep,
}

/// Applies `mode` to the pre-release sections of `version` in `text`, once `version`'s own
/// section is there. Running it twice changes nothing.
///
/// ```
/// use changelog::{PrereleaseSections, fold_prerelease_sections};
/// let text = "# Changelog\n\n## [1.2.0] - 2026-11-22\n\n### Added\n\n- a (aaaaaaa)\n\n## [1.2.0-rc.1] - 2026-11-20\n\n### Added\n\n- a (aaaaaaa)\n- tested on ARM, by hand\n\n## [1.1.0] - 2026-11-01\n\n- b\n\n[1.2.0-rc.1]: https://example.com/rc1\n";
/// let version = "1.2.0".parse().unwrap();
/// let folded = fold_prerelease_sections(text, &version, PrereleaseSections::Fold);
/// assert_eq!(folded, "# Changelog\n\n## [1.2.0] - 2026-11-22\n\n### Added\n\n- a (aaaaaaa)\n- tested on ARM, by hand\n\n## [1.1.0] - 2026-11-01\n\n- b\n");
/// assert_eq!(fold_prerelease_sections(&folded, &version, PrereleaseSections::Fold), folded);
/// ```
pub fn fold_prerelease_sections(text: &str, version: &Version, mode: PrereleaseSections) -> String {
    if mode == PrereleaseSections::Keep || version.is_prerelease() {
        return text.to_owned();
    }
    let crlf = uses_crlf(text);
    let newline = if crlf { "\r\n" } else { "\n" };
    let layout = Lines::new(text);
    let footer_start = layout.footer_start();
    let Some(stable_start) = layout
        .headings()
        .find(|(_, label)| parse_label(label).as_ref() == Some(version))
        .map(|(start, _)| start)
    else {
        return text.to_owned();
    };
    let is_pre_of = |label: &str| {
        parse_label(label).is_some_and(|other| {
            other.is_prerelease()
                && (other.major(), other.minor(), other.patch())
                    == (version.major(), version.minor(), version.patch())
        })
    };
    let pre: Vec<(usize, usize, String)> = layout
        .headings()
        .filter(|(_, label)| is_pre_of(label))
        .map(|(start, label)| {
            (
                start,
                layout.section_end(start, footer_start),
                label.to_owned(),
            )
        })
        .collect();
    if pre.is_empty() {
        return text.to_owned();
    }
    let stable_end = layout.section_end(stable_start, footer_start);
    let mut stable = text[stable_start..stable_end].trim_end().to_owned();
    stable.push_str(newline);
    match mode {
        PrereleaseSections::Fold => {
            for (start, end, _) in &pre {
                stable = carry_hand_written(&text[*start..*end], &stable, newline);
            }
        }
        PrereleaseSections::Collapse => {
            stable.push_str(newline);
            stable.push_str("<details><summary>Pre-releases</summary>");
            stable.push_str(newline);
            for (start, end, _) in &pre {
                stable.push_str(newline);
                for line in text[*start..*end].trim_end().lines() {
                    let line = line.trim_end_matches('\r');
                    let demoted = if line.starts_with("## ") || line.starts_with("### ") {
                        format!("##{line}")
                    } else {
                        line.to_owned()
                    };
                    stable.push_str(&demoted);
                    stable.push_str(newline);
                }
            }
            stable.push_str(newline);
            stable.push_str("</details>");
            stable.push_str(newline);
        }
        PrereleaseSections::Keep => {}
    }
    // Rebuild: every byte outside the stable and the pre-release sections stays.
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut cuts: Vec<(usize, usize, Option<&str>)> = pre
        .iter()
        .map(|(start, end, _)| (*start, *end, None))
        .collect();
    cuts.push((stable_start, stable_end, Some(stable.as_str())));
    cuts.sort_by_key(|(start, _, _)| *start);
    for (start, end, replacement) in cuts {
        out.push_str(&text[at..start]);
        if let Some(replacement) = replacement {
            out.push_str(replacement);
            if end < text.len() && !text[end..footer_start].is_empty() {
                out.push_str(newline);
            }
        }
        at = end;
    }
    out.push_str(&text[at..]);
    if mode == PrereleaseSections::Fold {
        // The folded versions' links go with them.
        let folded: Vec<&str> = pre.iter().map(|(_, _, label)| label.as_str()).collect();
        out = out
            .split_inclusive('\n')
            .filter(|line| {
                link_label(line.trim_end_matches(['\n', '\r']))
                    .is_none_or(|label| !folded.contains(&label))
            })
            .collect();
    }
    // No blank lines left dangling at the end.
    while out.ends_with(&format!("{newline}{newline}")) {
        out.truncate(out.len() - newline.len());
    }
    out
}

/// The section `text` without the items that `other` (a section) lists, in any subsection.
fn without_items_of(text: &str, other: &str, newline: &str) -> String {
    let listed = Section::parse(other);
    let listed: Vec<&Item> = listed
        .preamble
        .iter()
        .chain(listed.parts.iter().flat_map(|(_, items)| items))
        .collect();
    let mut section = Section::parse(text);
    let before = section.preamble.len()
        + section
            .parts
            .iter()
            .map(|(_, items)| items.len())
            .sum::<usize>();
    section.preamble.retain(|item| !listed.contains(&item));
    for (_, items) in &mut section.parts {
        items.retain(|item| !listed.contains(&item));
    }
    section.parts.retain(|(_, items)| !items.is_empty());
    let after = section.preamble.len()
        + section
            .parts
            .iter()
            .map(|(_, items)| items.len())
            .sum::<usize>();
    if before == after {
        return text.to_owned();
    }
    let mut rendered = section.render(newline);
    rendered.push_str(newline);
    rendered
}

/// Appends an empty `## [Unreleased]` section (its heading and a blank line).
fn push_unreleased_heading(text: &mut String, newline: &str) {
    text.push_str("## [");
    text.push_str(UNRELEASED);
    text.push(']');
    text.push_str(newline);
    text.push_str(newline);
}

/// Appends `new` in place of `existing[section]` (its hand-written lines carried into it), then
/// the rest of `existing`.
fn replace_section(
    text: &mut String,
    existing: &str,
    section: std::ops::Range<usize>,
    new: &str,
    newline: &str,
) {
    text.push_str(&carry_hand_written(
        &existing[section.clone()],
        new,
        newline,
    ));
    if section.end < existing.len() {
        text.push_str(newline);
    }
    text.push_str(&existing[section.end..]);
}

/// The section `new` with the hand-written items of the section `old` carried into it, and the
/// generated items of `old` that people reworded (same commit reference, other words) kept as
/// they reworded them.
fn carry_hand_written(old: &str, new: &str, newline: &str) -> String {
    let old = Section::parse(old);
    let hand_preamble: Vec<&Item> = old
        .preamble
        .iter()
        .filter(|item| !item.generated())
        .collect();
    let hand_parts: Vec<(&str, Vec<&Item>)> = old
        .parts
        .iter()
        .map(|(title, items)| {
            (
                title.as_str(),
                items.iter().filter(|item| !item.generated()).collect(),
            )
        })
        .filter(|(_, items): &(&str, Vec<&Item>)| !items.is_empty())
        .collect();
    let reworded: Vec<&Item> = old
        .preamble
        .iter()
        .chain(old.parts.iter().flat_map(|(_, items)| items))
        .filter(|item| item.reference().is_some())
        .collect();
    let mut merged = Section::parse(new);
    // Only a reference that names one item on each side says which item was reworded (one
    // commit can give several: a breaking change and its feature).
    let once = |items: &[&Item], reference: &str| {
        items
            .iter()
            .filter(|item| item.reference() == Some(reference))
            .count()
            == 1
    };
    let regenerated: Vec<Item> = merged
        .preamble
        .iter()
        .chain(merged.parts.iter().flat_map(|(_, items)| items))
        .cloned()
        .collect();
    let regenerated: Vec<&Item> = regenerated.iter().collect();
    let mut changed = false;
    for item in merged
        .preamble
        .iter_mut()
        .chain(merged.parts.iter_mut().flat_map(|(_, items)| items))
    {
        let Some(reference) = item.reference().map(str::to_owned) else {
            continue;
        };
        if reworded.contains(&&*item)
            || !once(&reworded, &reference)
            || !once(&regenerated, &reference)
        {
            continue;
        }
        if let Some(edited) = reworded
            .iter()
            .find(|old| old.reference() == Some(reference.as_str()))
        {
            *item = (*edited).clone();
            changed = true;
        }
    }
    if hand_preamble.is_empty() && hand_parts.is_empty() {
        return if changed {
            merged.render(newline)
        } else {
            new.to_owned()
        };
    }
    // A placeholder for "nothing generated" gives way to what people wrote.
    merged.preamble.retain(|item| !item.is_placeholder());
    for item in hand_preamble {
        if !merged.preamble.contains(item) {
            carry(&mut merged.preamble, item);
        }
    }
    for (title, items) in hand_parts {
        let index = if let Some(index) = merged
            .parts
            .iter()
            .position(|(existing, _)| same_title(existing, title))
        {
            index
        } else {
            merged.parts.push((title.to_owned(), Vec::new()));
            merged.parts.len() - 1
        };
        let part = &mut merged.parts[index].1;
        for item in items {
            if !part.contains(item) {
                carry(part, item);
            }
        }
    }
    merged.render(newline)
}

/// Adds a carried item to a list: at its end, except an item whose first line is indented (a
/// line with nothing to continue where it was written), which goes first, where it is read back
/// as an item of its own rather than as the continuation of the item before it.
fn carry(items: &mut Vec<Item>, item: &Item) {
    if item
        .0
        .first()
        .is_some_and(|line| line.starts_with([' ', '\t']))
    {
        items.insert(0, item.clone());
    } else {
        items.push(item.clone());
    }
}

fn same_title(a: &str, b: &str) -> bool {
    a.trim_start_matches('#')
        .trim()
        .eq_ignore_ascii_case(b.trim_start_matches('#').trim())
}

/// One `## ` section: its heading line, the items before its first `### ` subsection, and each
/// subsection with its items.
#[derive(Debug)]
struct Section {
    heading: String,
    preamble: Vec<Item>,
    parts: Vec<(String, Vec<Item>)>,
}

/// A list item with its continuation lines, or a paragraph line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item(Vec<String>);

impl Item {
    /// Whether slipway generated it: its last line ends with a commit reference.
    fn generated(&self) -> bool {
        self.is_placeholder()
            || self
                .0
                .last()
                .is_some_and(|line| ends_with_commit_reference(line))
    }

    /// The commit reference a generated item ends with (`(abc1234)`, `([abc1234](…))`).
    fn reference(&self) -> Option<&str> {
        let last = self.0.last()?.trim_end();
        if !ends_with_commit_reference(last) {
            return None;
        }
        last.rfind(" (").map(|at| &last[at + 1..])
    }

    fn is_placeholder(&self) -> bool {
        self.0.len() == 1 && self.0[0].trim() == "_No notable changes._"
    }
}

/// `… (abc1234)` or `… ([abc1234](https://…))`.
fn ends_with_commit_reference(line: &str) -> bool {
    let line = line.trim_end();
    let Some(inner) = line.strip_suffix(')') else {
        return false;
    };
    let hex =
        |text: &str| (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(at) = inner.rfind(" (") {
        let reference = &inner[at + 2..];
        if hex(reference) {
            return true;
        }
        if let Some(label) = reference
            .strip_prefix('[')
            .and_then(|rest| rest.split_once("](").map(|(label, _)| label))
        {
            return hex(label);
        }
    }
    false
}

impl Section {
    fn parse(text: &str) -> Section {
        let mut lines = text.lines().map(|line| line.trim_end_matches('\r'));
        let heading = lines.next().unwrap_or_default().to_owned();
        let mut section = Section {
            heading,
            preamble: Vec::new(),
            parts: Vec::new(),
        };
        for line in lines {
            if line.trim().is_empty() {
                continue;
            }
            if line.starts_with("### ") {
                section.parts.push((line.to_owned(), Vec::new()));
                continue;
            }
            let items = match section.parts.last_mut() {
                Some((_, items)) => items,
                None => &mut section.preamble,
            };
            let continuation = line.starts_with([' ', '\t']);
            match items.last_mut() {
                Some(item) if continuation => item.0.push(line.to_owned()),
                _ => items.push(Item(vec![line.to_owned()])),
            }
        }
        section
    }

    /// The section as the Markdown renderer writes one: the heading, then a blank line before
    /// the preamble and before each subsection and its items.
    fn render(&self, newline: &str) -> String {
        let mut out = String::new();
        out.push_str(&self.heading);
        out.push_str(newline);
        if !self.preamble.is_empty() {
            out.push_str(newline);
            for item in &self.preamble {
                for line in &item.0 {
                    out.push_str(line);
                    out.push_str(newline);
                }
            }
        }
        for (title, items) in &self.parts {
            out.push_str(newline);
            out.push_str(title);
            out.push_str(newline);
            out.push_str(newline);
            for item in items {
                for line in &item.0 {
                    out.push_str(line);
                    out.push_str(newline);
                }
            }
        }
        out
    }
}

/// The section of `label` (`1.2.0`, `v1.2.0` or `Unreleased`) in a changelog's text, heading
/// included, up to the next `## ` heading or the link references.
///
/// ```
/// let text = "# Changelog\n\n## [1.1.0] - 2026-11-21\n\n- b\n\n## [1.0.0]\n\n- a\n\n[1.0.0]: https://x\n";
/// assert_eq!(changelog::section_of(text, "1.1.0"), Some("## [1.1.0] - 2026-11-21\n\n- b\n\n"));
/// assert_eq!(changelog::section_of(text, "1.0.0"), Some("## [1.0.0]\n\n- a\n\n"));
/// assert_eq!(changelog::section_of(text, "2.0.0"), None);
/// ```
pub fn section_of<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let layout = Lines::new(text);
    let (start, _) = layout
        .headings()
        .find(|(_, heading)| same_version(heading, label))?;
    Some(&text[start..layout.section_end(start, layout.footer_start())])
}

fn parse_label(label: &str) -> Option<Version> {
    Version::parse(label.strip_prefix(['v', 'V']).unwrap_or(label)).ok()
}

/// Merges several releases, oldest first, skipping those already present.
/// Returns the text and the labels that were inserted.
pub fn merge_releases<'a>(
    existing: &str,
    blocks: impl IntoIterator<Item = &'a ReleaseBlock>,
) -> (String, Vec<String>) {
    let mut text = existing.to_owned();
    let mut inserted = Vec::new();
    for block in blocks {
        if let MergeOutcome::Updated(updated) = merge_release(&text, block) {
            if updated != text {
                inserted.push(block.label.clone());
            }
            text = updated;
        }
    }
    (text, inserted)
}

/// Whether a changelog's lines end in CRLF. A text that ends in a lone `\r` counts: the merge
/// completes that line with `\n`, and the next merge would otherwise see CRLF where this one saw
/// LF (found by `cargo xtask chaos fuzz`, issue 17).
fn uses_crlf(text: &str) -> bool {
    text.contains("\r\n") || text.ends_with('\r')
}

fn normalise_newlines(text: &str, crlf: bool) -> String {
    let text = if text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    };
    if crlf {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text
    }
}

/// `1.2.0`, `v1.2.0` and `V1.2.0` name the same release.
fn same_version(heading: &str, version: &str) -> bool {
    let strip = |label: &str| label.strip_prefix(['v', 'V']).unwrap_or(label).to_owned();
    strip(heading) == strip(version)
}

/// The line structure of a changelog: where `## ` headings are and where the link references start.
struct Lines<'a> {
    text: &'a str,
    /// (byte offset of the line start, line without its line ending)
    lines: Vec<(usize, &'a str)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            lines.push((offset, line.trim_end_matches(['\n', '\r'])));
            offset += line.len();
        }
        Lines { text, lines }
    }

    /// `## ` headings with their label (`1.2.0`, `Unreleased`). Fenced code blocks are not
    /// special: a version mentioned as a heading anywhere counts as present, so a merge never
    /// duplicates one.
    fn headings(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        self.lines.iter().filter_map(|&(start, line)| {
            line.strip_prefix("## ")
                .map(|heading| (start, heading_label(heading)))
        })
    }

    /// Where the trailing block of link reference definitions starts (the text's length if none).
    fn footer_start(&self) -> usize {
        let mut start = self.text.len();
        for &(offset, line) in self.lines.iter().rev() {
            if line.trim().is_empty() {
                continue;
            }
            if is_link_definition(line) {
                start = offset;
            } else {
                break;
            }
        }
        start
    }

    /// The end of the section starting at `start`: the next `## ` heading or the footer.
    fn section_end(&self, start: usize, footer_start: usize) -> usize {
        self.headings()
            .map(|(offset, _)| offset)
            .find(|&offset| offset > start)
            .unwrap_or(footer_start)
            .min(footer_start.max(start))
    }
}

/// `[1.2.0] - 2026-11-21` → `1.2.0`; `1.2.0 (2026-11-21)` → `1.2.0`.
fn heading_label(heading: &str) -> &str {
    let heading = heading.trim();
    if let Some(rest) = heading.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest).trim();
    }
    heading.split_whitespace().next().unwrap_or(heading)
}

fn is_link_definition(line: &str) -> bool {
    link_label(line).is_some()
}

fn link_label(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (label, _) = rest.split_once("]:")?;
    (!label.is_empty()).then_some(label)
}

/// Adds or replaces link definitions in the footer; drops `[Unreleased]` unless kept.
fn update_links(
    text: &str,
    links: &[&LinkDefinition],
    keep_unreleased: bool,
    newline: &str,
) -> String {
    let footer_start = Lines::new(text).footer_start();
    let (body, footer) = text.split_at(footer_start);
    if links.is_empty()
        && (keep_unreleased || !footer.lines().any(|line| label_is(line, UNRELEASED)))
    {
        return text.to_owned();
    }
    let mut footer_lines: Vec<String> = footer.lines().map(str::to_owned).collect();
    if !keep_unreleased {
        footer_lines.retain(|line| !label_is(line, UNRELEASED));
    }
    for link in links {
        let rendered = format!("[{}]: {}", link.label, link.url);
        if let Some(existing) = footer_lines
            .iter_mut()
            .find(|line| label_is(line, &link.label))
        {
            *existing = rendered;
            continue;
        }
        // New links go above the older releases' links, below `[Unreleased]`.
        let at = if link.label.eq_ignore_ascii_case(UNRELEASED) {
            0
        } else {
            footer_lines
                .iter()
                .position(|line| is_link_definition(line) && !label_is(line, UNRELEASED))
                .unwrap_or(footer_lines.len())
        };
        footer_lines.insert(at, rendered);
    }
    while footer_lines
        .last()
        .is_some_and(|line| line.trim().is_empty())
    {
        footer_lines.pop();
    }
    let mut out = String::with_capacity(text.len() + 256);
    out.push_str(body);
    if footer_lines.is_empty() {
        return out;
    }
    if footer.is_empty() && !out.is_empty() {
        // A new footer: separate it from the last section by a blank line, keeping that
        // section's own trailing lines as they are.
        if !out.ends_with('\n') {
            out.push_str(newline);
        }
        if !out.ends_with(&format!("{newline}{newline}")) && !out.ends_with("\n\n") {
            out.push_str(newline);
        }
    }
    for line in footer_lines {
        out.push_str(line.trim_end_matches('\r'));
        out.push_str(newline);
    }
    out
}

fn label_is(line: &str, label: &str) -> bool {
    link_label(line).is_some_and(|existing| existing.eq_ignore_ascii_case(label))
}
