//! Merging releases into an existing CHANGELOG.md.

use changelog::{
    Changelog, History, MergeOutcome, ReleaseBlock, Remote, merge_release, merge_releases,
    merge_rerelease,
};

use crate::{commit, generator, release};

const HAND_EDITED: &str = "\
# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

### Added

- something written by hand before the release

## [1.0.0] - 2026-11-01

### Fixed

- A *hand-edited* line   with odd spacing   
- Another line (see [the guide](docs/guide.md))

## [0.9.0] - 2026-10-01
Free-form notes without subsections.

[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD
[1.0.0]: https://github.com/o/r/compare/v0.9.0...v1.0.0
[0.9.0]: https://github.com/o/r/releases/tag/v0.9.0
";

fn history() -> History {
    History {
        unreleased: vec![commit(5, "feat: after 1.1.0")],
        releases: vec![
            release(
                "1.1.0",
                "2026-11-21",
                vec![
                    commit(4, "feat(cli): add --json (#7)"),
                    commit(3, "fix: crash on empty input"),
                ],
            ),
            release("1.0.0", "2026-11-01", vec![commit(2, "fix: a")]),
            release("0.9.0", "2026-10-01", vec![commit(1, "feat: first")]),
        ],
    }
}

fn block(changelog: &Changelog<'_>, version: Option<&str>) -> ReleaseBlock {
    let notes = match version {
        Some(version) => changelog.release(version).unwrap(),
        None => changelog.unreleased.as_ref().unwrap(),
    };
    ReleaseBlock::new(changelog, notes)
}

fn updated(outcome: MergeOutcome) -> String {
    match outcome {
        MergeOutcome::Updated(text) => text,
        MergeOutcome::AlreadyPresent => panic!("expected an update"),
    }
}

#[test]
fn a_release_replaces_the_unreleased_section_and_keeps_older_sections_byte_for_byte() {
    let history = history();
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = generator().build(&history, remote.as_ref());
    let merged = updated(merge_release(
        HAND_EDITED,
        &block(&changelog, Some("1.1.0")),
    ));
    let older = &HAND_EDITED
        [HAND_EDITED.find("## [1.0.0]").unwrap()..HAND_EDITED.find("\n[Unreleased]").unwrap()];
    assert!(merged.contains(older), "older sections are kept as written");
    // What people wrote under Unreleased is part of the release now, in its subsection.
    let added = &merged[merged.find("## [1.1.0]").unwrap()..merged.find("## [1.0.0]").unwrap()];
    assert!(
        added.contains("### Added")
            && added.contains("- something written by hand before the release\n"),
        "{merged}"
    );
    // In Keep a Changelog's form (it had an `[Unreleased]` link), an empty Unreleased section
    // stays on top, its compare link moved on to the new tag.
    assert!(merged.contains("## [Unreleased]\n\n## [1.1.0]"), "{merged}");
    assert!(
        merged.contains("[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD\n[1.1.0]: https://github.com/o/r/compare/v1.0.0...v1.1.0\n"),
        "{merged}"
    );
    insta::assert_snapshot!(merged);
    assert_eq!(
        merge_release(&merged, &block(&changelog, Some("1.1.0"))),
        MergeOutcome::AlreadyPresent
    );
}

#[test]
fn a_version_already_present_is_left_alone() {
    let history = history();
    let changelog = generator().build(&history, None);
    assert_eq!(
        merge_release(HAND_EDITED, &block(&changelog, Some("1.0.0"))),
        MergeOutcome::AlreadyPresent
    );
    let unbracketed = "# Changelog\n\n## v1.0.0 (2026-11-01)\n\n- a\n";
    assert_eq!(
        merge_release(unbracketed, &block(&changelog, Some("1.0.0"))),
        MergeOutcome::AlreadyPresent
    );
}

#[test]
fn a_release_goes_after_the_header_when_there_is_no_unreleased_section() {
    let history = history();
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = generator().build(&history, remote.as_ref());
    let existing = "# Changelog\n\nNotes kept by hand.\n\n## [1.0.0] - 2026-11-01\n\n- a\n\n[1.0.0]: https://github.com/o/r/compare/v0.9.0...v1.0.0\n";
    let merged = updated(merge_release(existing, &block(&changelog, Some("1.1.0"))));
    insta::assert_snapshot!(merged);
    assert_eq!(
        merge_release(&merged, &block(&changelog, Some("1.1.0"))),
        MergeOutcome::AlreadyPresent
    );
}

#[test]
fn an_unreleased_section_is_refreshed_in_place_and_twice_changes_nothing() {
    let history = history();
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = generator().build(&history, remote.as_ref());
    let unreleased = block(&changelog, None);
    let once = updated(merge_release(HAND_EDITED, &unreleased));
    insta::assert_snapshot!(once);
    assert_eq!(updated(merge_release(&once, &unreleased)), once);
}

#[test]
fn an_empty_file_gets_the_default_header() {
    let history = history();
    let changelog = generator().build(&history, Remote::parse("https://github.com/o/r").as_ref());
    let blocks: Vec<ReleaseBlock> = changelog
        .releases
        .iter()
        .rev()
        .map(|notes| ReleaseBlock::new(&changelog, notes))
        .collect();
    let (merged, inserted) = merge_releases("", &blocks);
    assert_eq!(inserted, ["0.9.0", "1.0.0", "1.1.0"]);
    insta::assert_snapshot!(merged);
    // Merging the full history into a fresh file gives the same text as rendering it, in Keep a
    // Changelog's form: an empty Unreleased section on top, with its compare link.
    let mut only_releases = changelog.clone();
    only_releases.unreleased = None;
    let rendered = changelog::markdown_string(&only_releases, None)
        .replacen("\n## [1.1.0]", "\n## [Unreleased]\n\n## [1.1.0]", 1)
        .replacen(
            "\n[1.1.0]:",
            "\n[Unreleased]: https://github.com/o/r/compare/v1.1.0...HEAD\n[1.1.0]:",
            1,
        );
    assert_eq!(merged, rendered);
    let (again, inserted) = merge_releases(&merged, &blocks);
    assert_eq!(again, merged);
    assert!(inserted.is_empty());
}

#[test]
fn crlf_files_stay_crlf() {
    let history = history();
    let changelog = generator().build(&history, None);
    let existing = "# Changelog\r\n\r\n## [1.0.0] - 2026-11-01\r\n\r\n- a\r\n";
    let merged = updated(merge_release(existing, &block(&changelog, Some("1.1.0"))));
    assert!(!merged.replace("\r\n", "").contains('\n'), "{merged:?}");
    assert!(merged.ends_with("## [1.0.0] - 2026-11-01\r\n\r\n- a\r\n"));
}

#[test]
fn a_missing_older_release_goes_between_its_neighbours_and_leaves_unreleased_alone() {
    let history = history();
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = generator().build(&history, remote.as_ref());
    let without_1_0_0 = HAND_EDITED
        .replace("## [1.0.0] - 2026-11-01\n\n### Fixed\n\n- A *hand-edited* line   with odd spacing   \n- Another line (see [the guide](docs/guide.md))\n\n", "")
        .replace("[1.0.0]: https://github.com/o/r/compare/v0.9.0...v1.0.0\n", "")
        .replace("## [Unreleased]", "## [1.1.0] - 2026-11-21\n\n- by hand\n\n## [Unreleased]");
    let merged = updated(merge_release(
        &without_1_0_0,
        &block(&changelog, Some("1.0.0")),
    ));
    insta::assert_snapshot!(merged);
    assert!(merged.contains("## [Unreleased]\n\n### Added\n\n- something written by hand"));
    assert_eq!(
        merge_release(&merged, &block(&changelog, Some("1.0.0"))),
        MergeOutcome::AlreadyPresent
    );
}

#[test]
fn a_rereleased_version_is_regenerated_and_keeps_what_people_wrote() {
    let history = history();
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = generator().build(&history, remote.as_ref());
    let release = block(&changelog, Some("1.1.0"));
    // The section of a failed 1.1.0: a stale generated line, and notes by hand.
    let stale = "# Changelog\n\n## [1.1.0] - 2026-11-20\n\nRead the upgrade guide first.\n\n### Added\n\n- a commit that is gone ([dead000](https://github.com/o/r/commit/dead000))\n- a line written by hand\n  that goes on\n\n### Security\n\n- rotate the keys\n\n## [1.0.0] - 2026-11-01\n\n- a\n";
    let merged = updated(merge_rerelease(stale, &release));
    assert!(!merged.contains("a commit that is gone"), "{merged}");
    for kept in [
        "Read the upgrade guide first.\n",
        "- a line written by hand\n  that goes on\n",
        "### Security\n\n- rotate the keys\n",
        "## [1.0.0] - 2026-11-01\n\n- a\n",
    ] {
        assert!(merged.contains(kept), "{kept:?} in:\n{merged}");
    }
    assert!(merged.contains(&release.text.lines().nth(4).unwrap().to_owned()));
    assert_eq!(updated(merge_rerelease(&merged, &release)), merged);
    // Without a section of that version, the same as a first merge.
    assert_eq!(
        merge_rerelease(HAND_EDITED, &release),
        merge_release(HAND_EDITED, &release)
    );
}

#[test]
fn pre_release_sections_are_folded_collapsed_or_kept_when_their_version_is_released() {
    use changelog::{PrereleaseSections, fold_prerelease_sections};
    let text = "# Changelog\n\n## [1.2.0] - 2026-11-22\n\n### Added\n\n- a ([aaaaaaa](https://x/aaaaaaa))\n- b ([bbbbbbb](https://x/bbbbbbb))\n\n## [1.2.0-rc.2] - 2026-11-21\n\n### Added\n\n- b ([bbbbbbb](https://x/bbbbbbb))\n\n## [1.2.0-rc.1] - 2026-11-20\n\nKnown issue: the ARM image is slow.\n\n### Added\n\n- a ([aaaaaaa](https://x/aaaaaaa))\n\n## [1.1.0] - 2026-11-01\n\n- c\n\n[1.2.0]: https://x/compare/v1.1.0...v1.2.0\n[1.2.0-rc.2]: https://x/compare/v1.2.0-rc.1...v1.2.0-rc.2\n[1.2.0-rc.1]: https://x/compare/v1.1.0...v1.2.0-rc.1\n[1.1.0]: https://x/releases/tag/v1.1.0\n";
    let version = "1.2.0".parse().unwrap();
    let folded = fold_prerelease_sections(text, &version, PrereleaseSections::Fold);
    insta::assert_snapshot!("folded", folded);
    assert!(!folded.contains("rc."), "{folded}");
    assert!(folded.contains("Known issue: the ARM image is slow."));
    assert_eq!(folded.matches("- a (").count(), 1);
    let collapsed = fold_prerelease_sections(text, &version, PrereleaseSections::Collapse);
    insta::assert_snapshot!("collapsed", collapsed);
    assert!(!collapsed.contains("\n## [1.2.0-rc"), "{collapsed}");
    for mode in [PrereleaseSections::Fold, PrereleaseSections::Collapse] {
        let once = fold_prerelease_sections(text, &version, mode);
        assert_eq!(
            fold_prerelease_sections(&once, &version, mode),
            once,
            "{mode:?}"
        );
    }
    assert_eq!(
        fold_prerelease_sections(text, &version, PrereleaseSections::Keep),
        text
    );
    // A pre-release, or a version without its own section yet, changes nothing.
    let rc: versioning::Version = "1.2.0-rc.2".parse().unwrap();
    assert_eq!(
        fold_prerelease_sections(text, &rc, PrereleaseSections::Fold),
        text
    );
    let later: versioning::Version = "1.3.0".parse().unwrap();
    assert_eq!(
        fold_prerelease_sections(text, &later, PrereleaseSections::Fold),
        text
    );
}

#[test]
fn without_a_known_forge_the_release_takes_the_unreleased_section_s_place() {
    // No known forge: no links to keep up, and nothing is added.
    let history = history();
    let changelog = generator().build(&history, None);
    let existing = "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-11-01\n\n- a\n";
    let merged = updated(merge_release(existing, &block(&changelog, Some("1.1.0"))));
    assert!(!merged.contains("## [Unreleased]"), "{merged}");
    assert!(!merged.contains("[Unreleased]:"), "{merged}");
    // Bitbucket's compare form moves on too.
    let changelog = generator().build(
        &history,
        Remote::parse("https://bitbucket.org/o/r").as_ref(),
    );
    let existing = "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-11-01\n\n- a\n\n[Unreleased]: https://bitbucket.org/o/r/branches/compare/HEAD%0Dv1.0.0\n";
    let merged = updated(merge_release(existing, &block(&changelog, Some("1.1.0"))));
    assert!(
        merged.contains("[Unreleased]: https://bitbucket.org/o/r/branches/compare/HEAD%0Dv1.1.0\n"),
        "{merged}"
    );
}

#[test]
fn a_generated_line_reworded_by_hand_keeps_its_words_when_the_section_is_regenerated() {
    let history = history();
    let changelog = generator().build(&history, None);
    let release = block(&changelog, Some("1.1.0"));
    let first = updated(merge_rerelease("# Changelog\n", &release));
    let generated = first
        .lines()
        .find(|line| line.contains("crash on empty input"))
        .unwrap()
        .to_owned();
    let reference = &generated[generated.rfind(" (").unwrap()..];
    let reworded_line = format!("- Empty input no longer crashes the parser{reference}");
    let reworded = first.replace(&generated, &reworded_line);
    let again = updated(merge_rerelease(&reworded, &release));
    assert!(again.contains(&reworded_line), "{again}");
    assert!(!again.contains(&generated), "{again}");
    assert_eq!(again, reworded);
}

#[test]
fn a_release_from_another_branch_goes_below_unreleased_which_keeps_its_lines() {
    use changelog::{insert_release, union_releases};
    let history = history();
    let changelog = generator().build(&history, None);
    let hotfix = block(&changelog, Some("1.1.0"));
    // Inserted beside this branch's own unreleased work, which stays where it is.
    let merged = updated(insert_release(HAND_EDITED, &hotfix));
    let unreleased = merged.find("## [Unreleased]").unwrap();
    let own = merged
        .find("- something written by hand before the release")
        .unwrap();
    let section = merged.find("## [1.1.0]").unwrap();
    let older = merged.find("## [1.0.0]").unwrap();
    assert!(
        unreleased < own && own < section && section < older,
        "{merged}"
    );
    assert_eq!(
        insert_release(&merged, &hotfix),
        MergeOutcome::AlreadyPresent
    );
    // The union of two branches' changelogs, both ways round, keeps each one's Unreleased.
    let released = updated(merge_release(HAND_EDITED, &hotfix));
    let develop = union_releases(HAND_EDITED, &released);
    // What the release took from Unreleased leaves it; the heading stays for the next lines.
    assert!(
        develop.contains("## [Unreleased]\n\n## [1.1.0]"),
        "{develop}"
    );
    assert_eq!(develop.matches("something written by hand").count(), 1);
    assert_eq!(
        changelog::section_of(&develop, "1.1.0"),
        changelog::section_of(&released, "1.1.0")
    );
    assert_eq!(union_releases(&released, HAND_EDITED), released);
    assert_eq!(union_releases(&develop, &released), develop);
}

#[test]
fn an_indented_line_with_nothing_to_continue_stays_one_item_through_regenerations() {
    // Found by fuzzing: carried after the generated entry, the line continued it the next time,
    // and the entry was listed twice.
    let block = ReleaseBlock {
        label: "1.0.0".into(),
        text: "## [1.0.0] - 2026-11-21\n\n### Added\n\n- a feature (000a0a0)\n".into(),
        link: None,
        unreleased_link: None,
    };
    let once = updated(merge_rerelease("## [Unreleased]\n### Added\n !", &block));
    let twice = updated(merge_rerelease(&once, &block));
    assert_eq!(twice, once);
    assert_eq!(once.matches("a feature").count(), 1, "{once}");
    assert!(once.contains(" !"), "{once}");
}
