//! Issue 18: a changelog built one release at a time (`Generator::stream`) and rendered as it
//! comes (`MarkdownStream`) says exactly what `Generator::build` and `markdown_string` say of the
//! whole history.

use changelog::{
    Commit, Config, Generator, History, MarkdownStream, Release, Remote, markdown_string,
};

use super::{commit, id, release};

fn merge(n: u32, message: &str, parents: [u32; 2]) -> Commit {
    let mut merge = commit(n, message);
    merge.parent_count = 2;
    merge.parents = parents.iter().map(|&parent| id(parent)).collect();
    merge
}

fn child_of(n: u32, message: &str, parent: u32) -> Commit {
    let mut commit = commit(n, message);
    commit.parents = vec![id(parent)];
    commit
}

/// Pre-releases (folded into 1.1.0, and one with no stable release above it), two tags on one
/// commit, a tag that is no release, a merged pull request and its branch, breaking changes,
/// scopes, reverts within and across releases, a cherry-pick of an older release's fix, hidden
/// types and a non-conventional message, and unreleased work.
fn history() -> History {
    let mut rc_and_final = release("1.1.0-rc.2", "2026-11-10", Vec::new());
    rc_and_final.target = id(31);
    let mut not_a_release = release(
        "nightly",
        "2026-11-12",
        vec![commit(40, "docs: nightly notes")],
    );
    not_a_release.version = None;
    "nightly".clone_into(&mut not_a_release.tag);
    History {
        unreleased: vec![
            commit(
                62,
                "feat(api)!: drop v1 endpoints\n\nBREAKING CHANGE: v1 is gone.",
            ),
            commit(
                61,
                &format!("Revert \"feat: risky\"\n\nThis reverts commit {}.", id(60)),
            ),
            commit(60, "feat: risky"),
            commit(59, "chore: tidy"),
        ],
        releases: vec![
            release(
                "2.0.0-alpha.1",
                "2026-11-20",
                vec![
                    commit(
                        51,
                        &format!("Revert \"feat: shipped\"\n\nThis reverts commit {}.", id(1)),
                    ),
                    commit(50, "feat!: new core"),
                ],
            ),
            not_a_release,
            release(
                "1.1.0",
                "2026-11-11",
                vec![
                    commit(31, "fix(cli): exit code"),
                    commit(
                        30,
                        &format!("fix: overflow\n\n(cherry picked from commit {})", id(2)),
                    ),
                ],
            ),
            rc_and_final,
            release(
                "1.1.0-rc.1",
                "2026-11-09",
                vec![
                    merge(
                        24,
                        "Merge pull request #5 from acme/login\n\nfeat: login",
                        [20, 23],
                    ),
                    child_of(23, "wip", 22),
                    child_of(22, "feat(auth): tokens", 21),
                    child_of(21, "feat: login", 20),
                    commit(20, "perf(core): cache lookups (#4)"),
                ],
            ),
            release(
                "1.0.0",
                "2026-11-01",
                vec![
                    commit(
                        4,
                        &format!("revert: update readme\n\nThis reverts commit {}.", id(3)),
                    ),
                    commit(3, "update readme"),
                    commit(2, "fix: overflow"),
                    commit(1, "feat: shipped\n\nRefs: #12"),
                ],
            ),
        ],
    }
}

/// The history's releases without their commits, as a reader hands them out first.
fn skeleton(history: &History) -> Vec<Release> {
    history
        .releases
        .iter()
        .map(|release| Release {
            commits: Vec::new(),
            ..release.clone()
        })
        .collect()
}

/// The history's releases without their commits, then each release's commits oldest release
/// first, as a reader hands them out.
fn streamed(
    generator: &Generator,
    history: &History,
    remote: Option<&Remote>,
) -> (Vec<String>, String) {
    let skeleton = skeleton(history);
    let mut stream = generator.stream(skeleton, remote);
    let mut markdown = MarkdownStream::new(remote);
    let mut notes = Vec::new();
    for (index, release) in history.releases.iter().enumerate().rev() {
        stream.release(index, release.commits.clone(), |given| {
            notes.push(serde_json::to_string(given).unwrap());
            markdown.add(given);
        });
    }
    stream.finish(history.unreleased.clone(), |given| {
        notes.push(serde_json::to_string(given).unwrap());
        markdown.add(given);
    });
    (notes, markdown.pieces(None).collect())
}

fn built(
    generator: &Generator,
    history: &History,
    remote: Option<&Remote>,
) -> (Vec<String>, String) {
    let changelog = generator.build(history, remote);
    let notes = changelog
        .releases
        .iter()
        .rev()
        .chain(changelog.unreleased.iter())
        .map(|notes| serde_json::to_string(notes).unwrap())
        .collect();
    (notes, markdown_string(&changelog, None))
}

#[test]
fn a_streamed_changelog_equals_the_built_one() {
    let history = history();
    let remote = Remote::parse("git@github.com:acme/widget.git");
    for fold_prereleases in [true, false] {
        for remote in [None, remote.as_ref()] {
            let generator = Generator::new(Config {
                fold_prereleases,
                ..Config::default()
            })
            .unwrap();
            let (notes, markdown) = streamed(&generator, &history, remote);
            let (expected_notes, expected_markdown) = built(&generator, &history, remote);
            assert_eq!(
                notes, expected_notes,
                "fold {fold_prereleases}, remote {remote:?}"
            );
            assert_eq!(
                markdown, expected_markdown,
                "fold {fold_prereleases}, remote {remote:?}"
            );
        }
    }
    // The history exercises what it says it does.
    let (_, markdown) = built(&generator_default(), &history, None);
    for said in [
        "## [1.1.0] - 2026-11-11",
        "**api:** drop v1 endpoints",
        "### Breaking changes",
        "- login (",
        "- **auth:** tokens",
        "Reverted",
    ] {
        assert!(markdown.contains(said), "{said} in\n{markdown}");
    }
    assert!(!markdown.contains("risky"), "{markdown}");
    assert_eq!(markdown.matches("overflow").count(), 1, "{markdown}");
}

fn generator_default() -> Generator {
    Generator::new(Config::default()).unwrap()
}

#[test]
fn a_streamed_changelog_holds_only_the_releases_not_yet_complete() {
    // Each release's notes come as soon as it and every older release have their commits: a
    // stable release once its folded pre-releases are in, the unreleased changes at the end.
    let history = history();
    let generator = generator_default();
    let skeleton = skeleton(&history);
    let mut stream = generator.stream(skeleton, None);
    let mut given: Vec<Vec<String>> = Vec::new();
    for (index, release) in history.releases.iter().enumerate().rev() {
        let mut now = Vec::new();
        stream.release(index, release.commits.clone(), |notes| {
            now.push(notes.version.clone().unwrap());
        });
        given.push(now);
    }
    let mut last = Vec::new();
    stream.finish(history.unreleased.clone(), |notes| {
        last.push(
            notes
                .version
                .clone()
                .unwrap_or_else(|| "Unreleased".to_owned()),
        );
    });
    assert_eq!(
        given,
        [
            vec!["1.0.0"],
            vec![],
            vec![],
            vec!["1.1.0"],
            vec![],
            // The nightly tag is no boundary: its commits belong to the newer range, here the
            // pre-release 2.0.0-alpha.1, which waits for both.
            vec!["2.0.0-alpha.1"],
        ]
    );
    assert_eq!(last, ["Unreleased"]);
}

#[test]
fn a_streamed_changelog_with_no_releases_is_the_unreleased_changes() {
    let history = History {
        unreleased: vec![commit(2, "feat: b"), commit(1, "fix: a")],
        releases: Vec::new(),
    };
    let generator = generator_default();
    assert_eq!(
        streamed(&generator, &history, None),
        built(&generator, &history, None)
    );
    let empty = History {
        unreleased: vec![commit(1, "chore: nothing to say")],
        releases: Vec::new(),
    };
    assert_eq!(
        streamed(&generator, &empty, None),
        built(&generator, &empty, None)
    );
}
