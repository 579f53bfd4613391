//! Issue 18: a changelog built one release at a time (`Generator::stream`) and rendered as it
//! comes (`MarkdownStream`) says exactly what `Generator::build` and `markdown_string` say of the
//! whole history.

use changelog::{Commit, Config, Generator, History, Release, Remote, markdown_string};

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

/// Each release's commits, oldest release first, then the unreleased ones, as a reader hands
/// them out.
fn parts(history: &History) -> impl Iterator<Item = (Option<usize>, &Vec<Commit>)> {
    history
        .releases
        .iter()
        .enumerate()
        .rev()
        .map(|(index, release)| (Some(index), &release.commits))
        .chain(std::iter::once((None, &history.unreleased)))
}

/// The history's releases without their commits, then each release's commits oldest release
/// first, `chunk` commits at a time, as a reader hands them out.
fn streamed(
    generator: &Generator,
    history: &History,
    remote: Option<&Remote>,
    chunk: usize,
) -> String {
    let mut stream = generator.stream(skeleton(history), remote);
    for (part, commits) in parts(history) {
        for chunk in commits.chunks(chunk.max(1)) {
            stream.commits(part, chunk.iter().cloned());
        }
        stream.complete(part);
    }
    stream.finish().pieces(None).collect()
}

/// As [`streamed`], but each part's commits handed in shuffled (by `seed`), `chunk` at a time,
/// then put in order by [`changelog::Stream::complete_reordered`]: as a reader hands out a long
/// release it lists before it knows the release's order.
fn streamed_shuffled(
    generator: &Generator,
    history: &History,
    remote: Option<&Remote>,
    chunk: usize,
    seed: u64,
) -> String {
    let mut stream = generator.stream(skeleton(history), remote);
    let mut state = seed | 1;
    for (part, commits) in parts(history) {
        // Fisher-Yates with a xorshift: `came[j]` is the position, newest first, of the commit
        // handed in j-th.
        let mut came: Vec<usize> = (0..commits.len()).collect();
        for last in (1..came.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            came.swap(last, usize::try_from(state % (last as u64 + 1)).unwrap());
        }
        let mut order = vec![0_u32; came.len()];
        for (j, &position) in came.iter().enumerate() {
            order[position] = u32::try_from(j).unwrap();
        }
        for chunk in came.chunks(chunk.max(1)) {
            stream.commits(
                part,
                chunk.iter().map(|&position| commits[position].clone()),
            );
        }
        stream.complete_reordered(part, &order);
    }
    stream.finish().pieces(None).collect()
}

fn built(generator: &Generator, history: &History, remote: Option<&Remote>) -> String {
    markdown_string(&generator.build(history, remote), None)
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
            let expected = built(&generator, &history, remote);
            for chunk in [1, 2, usize::MAX] {
                assert_eq!(
                    streamed(&generator, &history, remote, chunk),
                    expected,
                    "fold {fold_prereleases}, remote {remote:?}, chunk {chunk}"
                );
                for seed in [1, 7, 1234] {
                    assert_eq!(
                        streamed_shuffled(&generator, &history, remote, chunk, seed),
                        expected,
                        "shuffled by {seed}: fold {fold_prereleases}, remote {remote:?}, chunk {chunk}"
                    );
                }
            }
        }
    }
    // The history exercises what it says it does.
    let markdown = built(&generator_default(), &history, None);
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
    // Each release is rendered as soon as it and every older release are complete: a stable
    // release once its folded pre-releases are in, the unreleased changes at the end.
    let history = history();
    let generator = generator_default();
    let mut stream = generator.stream(skeleton(&history), None);
    let rendered = |stream: &changelog::Stream<'_>| -> Vec<String> {
        stream
            .markdown()
            .pieces(None)
            .filter_map(|piece| piece.strip_prefix("\n## ["))
            .map(|heading| heading[..heading.find(']').unwrap()].to_owned())
            .collect()
    };
    let mut given: Vec<Vec<String>> = Vec::new();
    for (index, release) in history.releases.iter().enumerate().rev() {
        let before = rendered(&stream);
        // Half the commits, then the rest: nothing is rendered before the release is complete.
        let (newer, older) = release.commits.split_at(release.commits.len() / 2);
        stream.commits(Some(index), newer.iter().cloned());
        stream.commits(Some(index), older.iter().cloned());
        assert_eq!(rendered(&stream), before);
        stream.complete(Some(index));
        let now = rendered(&stream);
        given.push(now[..now.len() - before.len()].to_vec());
    }
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
    stream.commits(None, history.unreleased.iter().cloned());
    stream.complete(None);
    let markdown = stream.finish();
    let headings: Vec<&str> = markdown
        .pieces(None)
        .filter(|piece| piece.starts_with("\n## ["))
        .collect();
    assert!(headings[0].starts_with("\n## [Unreleased]"), "{headings:?}");
}

#[test]
fn a_streamed_changelog_with_no_releases_is_the_unreleased_changes() {
    let history = History {
        unreleased: vec![commit(2, "feat: b"), commit(1, "fix: a")],
        releases: Vec::new(),
    };
    let generator = generator_default();
    assert_eq!(
        streamed(&generator, &history, None, 1),
        built(&generator, &history, None)
    );
    let empty = History {
        unreleased: vec![commit(1, "chore: nothing to say")],
        releases: Vec::new(),
    };
    assert_eq!(
        streamed(&generator, &empty, None, 1),
        built(&generator, &empty, None)
    );
}

/// One commit of an arbitrary history, by what its message does; numbers pick older commits.
#[derive(Debug, Clone)]
enum Shape {
    Conventional {
        ty: &'static str,
        scope: bool,
        breaking: bool,
        reference: bool,
    },
    /// Reverts an older commit, by its whole id or by seven digits.
    Revert {
        target: usize,
        abbreviated: bool,
    },
    /// Cherry-picks an older commit, with its message.
    CherryPick {
        source: usize,
    },
    Squash,
    Wip,
    /// Merges an older commit's line, with a conventional title or git's summary.
    Merge {
        other: usize,
        titled: bool,
    },
    Fixup,
}

fn shape() -> impl proptest::strategy::Strategy<Value = Shape> {
    use proptest::prelude::*;
    let types = prop::sample::select(vec!["feat", "fix", "Feat", "perf", "docs", "chore", "ci"]);
    prop_oneof![
        4 => (types, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(ty, scope, breaking, reference)| Shape::Conventional { ty, scope, breaking, reference }
        ),
        1 => (any::<usize>(), any::<bool>())
            .prop_map(|(target, abbreviated)| Shape::Revert { target, abbreviated }),
        1 => any::<usize>().prop_map(|source| Shape::CherryPick { source }),
        1 => Just(Shape::Squash),
        1 => Just(Shape::Wip),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(other, titled)| Shape::Merge { other, titled }),
        1 => Just(Shape::Fixup),
    ]
}

/// Commits numbered from 1 (oldest), each on the one before; a merge also on an older one.
fn commits_of(shapes: &[Shape]) -> Vec<Commit> {
    let mut commits: Vec<Commit> = Vec::new();
    for (index, shape) in shapes.iter().enumerate() {
        let n = u32::try_from(index + 1).unwrap();
        let older = |pick: usize| (index > 0).then(|| pick % index);
        let mut parents = if index > 0 {
            vec![id(n - 1)]
        } else {
            Vec::new()
        };
        let message = match *shape {
            Shape::Conventional {
                ty,
                scope,
                breaking,
                reference,
            } => format!(
                "{ty}{}{}: change {}{}",
                if scope { "(core)" } else { "" },
                if breaking { "!" } else { "" },
                n % 5,
                if reference { " (#7)" } else { "" },
            ),
            Shape::Revert {
                target,
                abbreviated,
            } => match older(target) {
                Some(target) => {
                    let target = &commits[target];
                    let shown = if abbreviated {
                        &target.id[..7]
                    } else {
                        &target.id[..]
                    };
                    format!(
                        "Revert \"{}\"\n\nThis reverts commit {shown}.",
                        target.summary()
                    )
                }
                None => "revert: nothing".to_owned(),
            },
            Shape::CherryPick { source } => match older(source) {
                Some(source) => format!(
                    "{}\n\n(cherry picked from commit {})",
                    commits[source].summary(),
                    commits[source].id
                ),
                None => "fix: first".to_owned(),
            },
            Shape::Squash => {
                "Squash the login work (#9)\n\n* feat: login\n* fix(ui): button".to_owned()
            }
            Shape::Wip => "wip".to_owned(),
            Shape::Merge { other, titled } => {
                if let Some(other) = older(other) {
                    parents.push(commits[other].id.clone());
                }
                if titled {
                    format!(
                        "Merge pull request #{n} from acme/b\n\nfeat(core): change {}",
                        n % 5
                    )
                } else {
                    "Merge branch 'main' into b".to_owned()
                }
            }
            Shape::Fixup => "fixup! feat: change 1".to_owned(),
        };
        let mut commit = commit(n, &message);
        commit.parent_count = parents.len();
        commit.parents = parents;
        commits.push(commit);
    }
    commits
}

/// Versions in order, pre-releases among them.
const VERSIONS: [&str; 8] = [
    "0.1.0",
    "0.2.0-rc.1",
    "0.2.0",
    "1.0.0-alpha.1",
    "1.0.0-beta.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
];

/// `commits` (oldest first) split at `cuts` into releases (with, at some cuts, a second tag on
/// the same commit or a tag that is no release), the rest unreleased.
fn history_of(commits: &[Commit], cuts: &[(usize, u8)]) -> History {
    let mut cuts: Vec<(usize, u8)> = cuts
        .iter()
        .map(|&(at, extra)| (at % (commits.len() + 1), extra))
        .collect();
    cuts.sort_by_key(|&(at, _)| at);
    cuts.dedup_by_key(|&mut (at, _)| at);
    cuts.truncate(VERSIONS.len() - 1);
    let newest_first = |from: usize, to: usize| commits[from..to].iter().rev().cloned().collect();
    let mut releases = Vec::new();
    let mut from = 0;
    let mut versions = VERSIONS.iter();
    for (at, extra) in cuts {
        // A cut with a second tag takes two versions: past the last, the rest is unreleased.
        let Some(version) = versions.next() else {
            break;
        };
        let mut tagged = release(version, "2026-11-01", newest_first(from, at));
        match extra % 4 {
            // Another version's tag on the same commit: one release, named by the higher.
            0 if !tagged.commits.is_empty() && versions.len() > 0 => {
                let mut also = release(versions.next().unwrap(), "2026-11-02", Vec::new());
                also.target.clone_from(&tagged.target);
                releases.push(tagged);
                releases.push(also);
            }
            // A tag that is no release: its commits go to the next newer range.
            1 => {
                tagged.version = None;
                tagged.tag = format!("nightly-{at}");
                releases.push(tagged);
            }
            _ => releases.push(tagged),
        }
        from = at;
    }
    releases.reverse();
    History {
        unreleased: newest_first(from, commits.len()),
        releases,
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(192))]

    /// Handed in any number of commits at a time, in order or in any order put right at the
    /// end, a streamed changelog says exactly what the built one says, whatever the
    /// configuration.
    #[test]
    fn a_streamed_changelog_in_parts_equals_the_built_one(
        shapes in proptest::collection::vec(shape(), 0..40),
        cuts in proptest::collection::vec((proptest::prelude::any::<usize>(), 0u8..4), 0..6),
        chunk in 1usize..9,
        flags in proptest::prelude::any::<[bool; 6]>(),
        seed in proptest::prelude::any::<u64>(),
    ) {
        let commits = commits_of(&shapes);
        let history = history_of(&commits, &cuts);
        let [fold_prereleases, include_merges, split_squash_commits, include_fixups, cancel_reverts, dedupe_cherry_picks] = flags;
        let generator = Generator::new(Config {
            fold_prereleases,
            include_merges,
            split_squash_commits,
            include_fixups,
            cancel_reverts,
            dedupe_cherry_picks,
            ..Config::default()
        })
        .unwrap();
        let remote = Remote::parse("https://github.com/acme/widget");
        let expected = built(&generator, &history, remote.as_ref());
        proptest::prop_assert_eq!(
            &streamed(&generator, &history, remote.as_ref(), chunk),
            &expected
        );
        proptest::prop_assert_eq!(
            streamed_shuffled(&generator, &history, remote.as_ref(), chunk, seed),
            expected
        );
    }
}

#[test]
#[should_panic(expected = "names each of them once")]
fn an_order_that_names_a_commit_twice_is_refused() {
    let history = History {
        unreleased: vec![commit(2, "feat: b"), commit(1, "fix: a")],
        releases: Vec::new(),
    };
    let generator = generator_default();
    let mut stream = generator.stream(Vec::new(), None);
    stream.commits(None, history.unreleased);
    stream.complete_reordered(None, &[1, 1]);
}
