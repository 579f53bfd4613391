//! One test per pitfall named in issue 4: pre-release folding, revert cancellation,
//! cherry-pick dedupe, merge skipping, several tags on one commit, non-release tags.

use changelog::{Config, History, Release};

use crate::{commit, generator, headings, id, listed, release};

fn rc_history() -> History {
    History {
        unreleased: vec![],
        releases: vec![
            release(
                "1.2.0",
                "2026-11-21",
                vec![commit(6, "fix: last-minute crash")],
            ),
            release(
                "1.2.0-rc.2",
                "2026-11-14",
                vec![commit(5, "fix: rc.1 regression")],
            ),
            release(
                "1.2.0-rc.1",
                "2026-11-07",
                vec![commit(4, "feat: streaming"), commit(3, "feat: retries")],
            ),
            release(
                "1.1.0",
                "2026-10-01",
                vec![commit(2, "feat: json output"), commit(1, "feat: first")],
            ),
        ],
    }
}

#[test]
fn prereleases_fold_into_the_next_stable_release() {
    let history = rc_history();
    assert_eq!(headings(&history, Config::default()), ["1.2.0", "1.1.0"]);
    assert_eq!(
        listed(&history, Config::default(), Some("1.2.0")),
        [
            "Added: streaming",
            "Added: retries",
            "Fixed: last-minute crash",
            "Fixed: rc.1 regression"
        ]
    );
    let changelog = generator().build(
        &history,
        changelog::Remote::parse("https://github.com/o/r").as_ref(),
    );
    let stable = changelog.release("1.2.0").unwrap();
    assert_eq!(stable.folded, ["v1.2.0-rc.2", "v1.2.0-rc.1"]);
    assert_eq!(stable.previous_tag, Some("v1.1.0"));
    assert_eq!(
        stable.compare_url.as_deref(),
        Some("https://github.com/o/r/compare/v1.1.0...v1.2.0")
    );
}

#[test]
fn prereleases_stay_listed_when_folding_is_off_or_no_stable_release_follows() {
    let history = rc_history();
    let unfolded = Config {
        fold_prereleases: false,
        ..Config::default()
    };
    assert_eq!(
        headings(&history, unfolded),
        ["1.2.0", "1.2.0-rc.2", "1.2.0-rc.1", "1.1.0"]
    );

    let mut train = rc_history();
    train.releases.remove(0);
    assert_eq!(
        headings(&train, Config::default()),
        ["1.2.0-rc.2", "1.2.0-rc.1", "1.1.0"]
    );
}

fn revert_of(n: u32, summary: &str, target: u32) -> changelog::Commit {
    commit(
        n,
        &format!(
            "Revert \"{summary}\"\n\nThis reverts commit {}.",
            id(target)
        ),
    )
}

#[test]
fn a_revert_and_the_commit_it_reverts_cancel_out_in_one_range() {
    let history = History {
        unreleased: vec![
            revert_of(4, "feat: risky", 2),
            commit(3, "fix: kept"),
            commit(2, "feat: risky"),
        ],
        releases: vec![release(
            "1.0.0",
            "2026-11-01",
            vec![commit(1, "feat: shipped")],
        )],
    };
    assert_eq!(listed(&history, Config::default(), None), ["Fixed: kept"]);
    let keep = Config {
        cancel_reverts: false,
        ..Config::default()
    };
    assert_eq!(
        listed(&history, keep, None),
        [
            "Added: risky",
            "Fixed: kept",
            "Reverted: Revert \"feat: risky\""
        ]
    );
}

#[test]
fn a_revert_of_a_released_commit_is_listed_as_reverted() {
    let history = History {
        unreleased: vec![revert_of(4, "feat: shipped", 1)],
        releases: vec![release(
            "1.0.0",
            "2026-11-01",
            vec![commit(1, "feat: shipped")],
        )],
    };
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Reverted: Revert \"feat: shipped\""]
    );
    assert_eq!(
        listed(&history, Config::default(), Some("1.0.0")),
        ["Added: shipped"]
    );
}

#[test]
fn conventional_revert_commits_with_the_git_trailer_cancel_too() {
    let history = History {
        unreleased: vec![
            commit(
                3,
                &format!(
                    "revert: feat: risky\n\nThis reverts commit {}.",
                    &id(2)[..12]
                ),
            ),
            commit(2, "feat: risky"),
            commit(1, "fix: kept"),
        ],
        releases: vec![],
    };
    assert_eq!(listed(&history, Config::default(), None), ["Fixed: kept"]);
}

#[test]
fn cherry_picks_with_the_same_patch_id_are_listed_once_in_the_oldest_release() {
    let mut original = commit(5, "fix: overflow in parser");
    original.patch_id = Some("p1".into());
    let mut picked = commit(3, "fix: overflow in parser");
    picked.patch_id = Some("p1".into());
    let history = History {
        unreleased: vec![commit(6, "feat: next"), original],
        releases: vec![
            release("1.0.1", "2026-11-10", vec![picked]),
            release("1.0.0", "2026-11-01", vec![commit(1, "feat: first")]),
        ],
    };
    assert_eq!(listed(&history, Config::default(), None), ["Added: next"]);
    assert_eq!(
        listed(&history, Config::default(), Some("1.0.1")),
        ["Fixed: overflow in parser"]
    );
    let keep = Config {
        dedupe_cherry_picks: false,
        ..Config::default()
    };
    assert_eq!(
        listed(&history, keep, None),
        ["Added: next", "Fixed: overflow in parser"]
    );
}

#[test]
fn cherry_picks_with_a_trailer_naming_a_listed_commit_are_listed_once() {
    let picked = commit(
        4,
        &format!("fix: overflow\n\n(cherry picked from commit {})", id(2)),
    );
    // The pick and the original in one range (a release branch merged back).
    let history = History {
        unreleased: vec![
            picked.clone(),
            commit(3, "feat: x"),
            commit(2, "fix: overflow"),
        ],
        releases: vec![],
    };
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Added: x", "Fixed: overflow"]
    );
    // The pick shipped first in an older release: the original is the duplicate.
    let history = History {
        unreleased: vec![commit(2, "fix: overflow")],
        releases: vec![release("1.0.1", "2026-11-10", vec![picked])],
    };
    assert_eq!(
        listed(&history, Config::default(), None),
        Vec::<String>::new()
    );
    assert_eq!(
        listed(&history, Config::default(), Some("1.0.1")),
        ["Fixed: overflow"]
    );
}

#[test]
fn merge_commits_are_skipped_by_default() {
    let mut merge = commit(4, "Merge branch 'feature/streams'");
    merge.parent_count = 2;
    let mut pr_merge = commit(5, "Merge pull request #9 from o/fix");
    pr_merge.parent_count = 2;
    let history = History {
        unreleased: vec![
            pr_merge,
            merge,
            commit(3, "feat: streams"),
            commit(2, "fix: typo"),
        ],
        releases: vec![],
    };
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Added: streams", "Fixed: typo"]
    );
    let with_merges = Config {
        include_merges: true,
        ..Config::default()
    };
    assert_eq!(
        listed(&history, with_merges, None),
        [
            "Added: streams",
            "Fixed: typo",
            "Other: Merge pull request #9 from o/fix",
            "Other: Merge branch 'feature/streams'"
        ]
    );
}

#[test]
fn several_release_tags_on_one_commit_are_one_release_named_by_the_highest_version() {
    // `v1.0.0-rc.1` and `v1.0.0` both point at commit 3: walking tag ranges gives the rc the
    // commits and leaves the stable range empty (or the other way round, depending on sort).
    for fold in [true, false] {
        let config = Config {
            fold_prereleases: fold,
            ..Config::default()
        };
        let stable_empty = Release {
            target: id(3),
            ..release("1.0.0", "2026-11-21", vec![])
        };
        let rc = release(
            "1.0.0-rc.1",
            "2026-11-14",
            vec![commit(3, "feat: b"), commit(2, "fix: a")],
        );
        let older = release("0.9.0", "2026-10-01", vec![commit(1, "feat: first")]);
        let history = History {
            unreleased: vec![],
            releases: vec![stable_empty, rc, older],
        };
        assert_eq!(
            headings(&history, config.clone()),
            ["1.0.0", "0.9.0"],
            "fold: {fold}"
        );
        assert_eq!(
            listed(&history, config.clone(), Some("1.0.0")),
            ["Added: b", "Fixed: a"]
        );
        let built = changelog::Generator::new(config)
            .unwrap()
            .build(&history, None);
        let stable = built.release("1.0.0").unwrap();
        assert_eq!(stable.also_tagged, ["v1.0.0-rc.1"]);
        assert!(stable.folded.is_empty());
        assert_eq!(stable.previous_tag, Some("v0.9.0"));
    }
}

#[test]
fn tags_that_are_not_releases_are_no_boundary() {
    let not_a_release = Release {
        version: None,
        tag: "docs-site-2026".into(),
        ..release("0.0.0", "2026-11-10", vec![commit(3, "fix: b")])
    };
    let history = History {
        unreleased: vec![commit(5, "feat: c")],
        releases: vec![
            release("1.1.0", "2026-11-20", vec![commit(4, "feat: d")]),
            not_a_release,
            release("1.0.0", "2026-11-01", vec![commit(1, "feat: first")]),
        ],
    };
    assert_eq!(
        headings(&history, Config::default()),
        ["Unreleased", "1.1.0", "1.0.0"]
    );
    assert_eq!(
        listed(&history, Config::default(), Some("1.1.0")),
        ["Added: d", "Fixed: b"]
    );
    let built = generator().build(&history, None);
    assert_eq!(built.release("1.1.0").unwrap().previous_tag, Some("v1.0.0"));

    // A non-release tag newer than every release: its commits are unreleased.
    let newest = Release {
        version: None,
        tag: "nightly".into(),
        ..release("0.0.0", "2026-11-21", vec![commit(6, "fix: e")])
    };
    let history = History {
        unreleased: vec![commit(7, "feat: f")],
        releases: vec![
            newest,
            release("1.0.0", "2026-11-01", vec![commit(1, "feat: first")]),
        ],
    };
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Added: f", "Fixed: e"]
    );
}

#[test]
fn fixups_are_skipped_unless_configured() {
    let history = History {
        unreleased: vec![commit(2, "fixup! feat: x"), commit(1, "feat: x")],
        releases: vec![],
    };
    assert_eq!(listed(&history, Config::default(), None), ["Added: x"]);
    let with = Config {
        include_fixups: true,
        ..Config::default()
    };
    assert_eq!(
        listed(&history, with, None),
        ["Added: x", "Other: fixup! feat: x"]
    );
}
