//! `Repository::release_state`: every release tag, its commit and its reachability from `HEAD`,
//! each answer checked against `git merge-base --is-ancestor` and `git tag --merged`.

use std::collections::BTreeSet;

use gitops::test_support::TestRepo;
use gitops::{Cutoff, Error, ReleaseTags};
use versioning::TagPattern;

use crate::{pattern, shallow_clone};

/// Checks every tag's commit and reachability against the `git` executable, from `revision`.
fn check_against_git(repo: &TestRepo, state: &ReleaseTags, revision: &str) {
    let merged: BTreeSet<String> = repo
        .git(&["tag", "--merged", revision])
        .lines()
        .map(str::to_owned)
        .collect();
    for tag in &state.tags {
        assert_eq!(tag.commit, repo.rev(&tag.name), "commit of {}", tag.name);
        let is_ancestor = repo
            .command("git")
            .args(["merge-base", "--is-ancestor", &tag.name, revision])
            .status()
            .unwrap()
            .success();
        assert_eq!(tag.reachable, is_ancestor, "{} from {revision}", tag.name);
        assert_eq!(
            tag.reachable,
            merged.contains(&tag.name),
            "{} in `git tag --merged {revision}`",
            tag.name
        );
    }
}

fn names(state: &ReleaseTags) -> Vec<(&str, bool)> {
    state
        .tags
        .iter()
        .map(|tag| (tag.name.as_str(), tag.reachable))
        .collect()
}

/// main: 1.0.0, 1.1.0, a merged feature branch carrying 1.2.0-rc.1 on its second parent, 1.2.0;
/// hotfix/1.1.1 off 1.1.0 with 1.1.1 (annotated); an unmerged branch with 2.0.0-rc.1.
fn hotfix_shape() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    repo.commit("feat: b")
        .annotated_tag("v1.1.0", "Release 1.1.0");
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.1.1"]);
    repo.commit("fix: urgent")
        .annotated_tag("v1.1.1", "Release 1.1.1");
    repo.checkout("main");
    repo.git(&["switch", "--quiet", "-c", "feature"]);
    repo.commit("feat: c").tag("v1.2.0-rc.1");
    repo.checkout("main");
    repo.commit("fix: on main");
    repo.merge("feature", "Merge branch 'feature'");
    repo.commit("fix: urgent (cherry picked)").tag("v1.2.0");
    repo.git(&["switch", "--quiet", "-c", "next"]);
    repo.commit("feat!: break").tag("v2.0.0-rc.1");
    repo.checkout("main");
    repo.commit("fix: unreleased");
    repo
}

#[test]
fn reachability_matches_git_on_hotfix_lines_merges_and_unmerged_branches() {
    let repo = hotfix_shape();
    let opened = repo.open();
    let state = opened.release_state(&[pattern()]).unwrap();
    assert_eq!(
        names(&state),
        [
            ("v1.0.0", true),
            ("v1.1.0", true),
            ("v1.1.1", false),
            ("v1.2.0-rc.1", true),
            ("v1.2.0", true),
            ("v2.0.0-rc.1", false),
        ]
    );
    check_against_git(&repo, &state, "HEAD");
    assert_eq!(state.latest_reachable().unwrap().name, "v1.2.0");
    assert_eq!(state.latest_reachable_stable().unwrap().name, "v1.2.0");
    assert_eq!(state.latest_of_line(1, 1).unwrap().name, "v1.1.1");
    // From the other branches, with the same single walk.
    for revision in ["hotfix/1.1.1", "next", "feature", "v1.0.0"] {
        let state = opened
            .release_state_from(revision, &[pattern()], Cutoff::Dates)
            .unwrap();
        check_against_git(&repo, &state, revision);
    }
    let from_hotfix = opened
        .release_state_from("hotfix/1.1.1", &[pattern()], Cutoff::Dates)
        .unwrap();
    assert_eq!(from_hotfix.latest_reachable().unwrap().name, "v1.1.1");
    let from_next = opened
        .release_state_from("next", &[pattern()], Cutoff::Dates)
        .unwrap();
    assert_eq!(from_next.latest_reachable().unwrap().name, "v2.0.0-rc.1");
    assert_eq!(from_next.latest_reachable_stable().unwrap().name, "v1.2.0");
}

#[test]
fn the_old_one_tag_at_a_time_answer_agrees() {
    let repo = hotfix_shape();
    let opened = repo.open();
    for revision in ["main", "hotfix/1.1.1", "next", "feature"] {
        let state = opened
            .release_state_from(revision, &[pattern()], Cutoff::Dates)
            .unwrap();
        for prereleases in [false, true] {
            let old = opened
                .latest_release_from(revision, &pattern(), prereleases)
                .unwrap()
                .map(|tag| tag.name);
            let new = if prereleases {
                state.latest_reachable()
            } else {
                state.latest_reachable_stable()
            };
            assert_eq!(new.map(|tag| tag.name.clone()), old, "{revision}");
        }
    }
}

#[test]
fn several_tags_on_one_commit_and_tags_on_non_commits() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("v1.0.0")
        .annotated_tag("1.0.0", "same release, other scheme")
        .tag("v1.0.0-rc.1");
    // A tag on a tree and one on a blob: not releases.
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    repo.git(&["tag", "v9.0.0", tree.trim()]);
    let blob = repo.git(&["rev-parse", "HEAD:file-1.txt"]);
    repo.git(&["tag", "-a", "v9.1.0", "-m", "a blob", blob.trim()]);
    repo.commit("fix: b");
    let bare = TagPattern::new("{version}").unwrap();
    let opened = repo.open();
    let state = opened.release_state(&[pattern(), bare]).unwrap();
    assert_eq!(
        names(&state),
        [("v1.0.0-rc.1", true), ("1.0.0", true), ("v1.0.0", true)]
    );
    let schemes: Vec<usize> = state.tags.iter().map(|tag| tag.pattern).collect();
    assert_eq!(schemes, [0, 1, 0]);
    check_against_git(&repo, &state, "HEAD");
    // One precedence, two names: the smaller name, as `latest_release` does.
    assert_eq!(state.latest_reachable().unwrap().name, "1.0.0");
    assert_eq!(state.find(&versioning::Version::new(1, 0, 0)).len(), 2);
}

#[test]
fn mixed_schemes_are_read_in_one_pass() {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    repo.commit("feat: b").tag("v1.1.0");
    repo.commit("feat: c").tag("1.2.0");
    repo.commit("feat: d")
        .tag("api-v0.3.0")
        .tag("@scope/web@2.0.0");
    let opened = repo.open();
    let patterns = [
        pattern(),
        TagPattern::new("{version}").unwrap(),
        TagPattern::new("{package}@{version}")
            .unwrap()
            .with_package("@scope/web"),
    ];
    let state = opened.release_state(&patterns).unwrap();
    assert_eq!(
        names(&state),
        [
            ("v1.0.0", true),
            ("v1.1.0", true),
            ("1.2.0", true),
            ("@scope/web@2.0.0", true)
        ]
    );
    check_against_git(&repo, &state, "HEAD");
    // With the schemes detected from the names alone.
    let tags = repo.git(&["tag"]);
    let schemes = versioning::TagSchemes::detect(tags.lines());
    let state = opened.release_state(&schemes.patterns(None)).unwrap();
    assert_eq!(state.latest_reachable().unwrap().name, "1.2.0");
}

#[test]
fn the_walk_stops_once_every_tag_is_classified() {
    let repo = TestRepo::new();
    repo.commit("feat: old").tag("old-0.1.0");
    for n in 0..30 {
        repo.commit(&format!("fix: {n}"));
    }
    repo.tag("v1.0.0");
    for n in 0..5 {
        repo.commit(&format!("fix: later {n}"));
    }
    let opened = repo.open();
    let nothing = opened
        .release_state(&[TagPattern::new("release-{version}").unwrap()])
        .unwrap();
    assert_eq!((nothing.tags.len(), nothing.walked), (0, 0));
    // HEAD, five commits, the tagged one: not down to the root.
    let newest = opened.release_state(&[pattern()]).unwrap();
    assert_eq!(newest.walked, 6);
    let old = TagPattern::new("old-{version}").unwrap();
    let both = opened.release_state(&[pattern(), old]).unwrap();
    assert_eq!(both.walked, 36, "every commit down to the oldest tag");
    check_against_git(&repo, &both, "HEAD");
    // A tag on a branch committed a week after everything else cannot be in main's history:
    // the walk stops at v1.0.0 instead of going to the root.
    repo.git(&["switch", "--quiet", "-c", "side", "v1.0.0"]);
    let week_later = format!("@{} +0000", gitops::test_support::START_TIME + 7 * 86_400);
    let mut commit = repo.command("git");
    commit
        .args(["commit", "--quiet", "--allow-empty", "-m", "fix: side"])
        .env("GIT_COMMITTER_DATE", &week_later)
        .env("GIT_AUTHOR_DATE", &week_later);
    assert!(commit.status().unwrap().success());
    repo.tag("v1.0.1");
    repo.checkout("main");
    let state = opened.release_state(&[pattern()]).unwrap();
    assert_eq!(names(&state), [("v1.0.0", true), ("v1.0.1", false)]);
    check_against_git(&repo, &state, "HEAD");
    assert_eq!(state.walked, 6);
    let exact = opened
        .release_state_from("HEAD", &[pattern()], Cutoff::None)
        .unwrap();
    assert_eq!(exact.tags, state.tags);
    assert_eq!(exact.walked, 36);
}

#[test]
fn a_commit_dated_years_before_its_parent_hides_older_tags_unless_the_walk_is_exact() {
    // main: v1.0.0 (2023) ← a commit whose clock said 2001 ← HEAD (2023). A side branch holds
    // v1.1.0. Trusting dates, nothing below the 2001 commit can contain a 2023 tag, so the walk
    // stops there, as `git name-rev` would; `Cutoff::None` walks on and is exact.
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    repo.git(&["switch", "--quiet", "-c", "side"]);
    repo.commit("feat: side").tag("v1.1.0");
    repo.checkout("main");
    let mut old = repo.command("git");
    old.args(["commit", "--quiet", "--allow-empty", "-m", "fix: old clock"])
        .env("GIT_COMMITTER_DATE", "@1000000000 +0000")
        .env("GIT_AUTHOR_DATE", "@1000000000 +0000");
    assert!(old.status().unwrap().success());
    repo.commit("fix: b");
    let opened = repo.open();
    let exact = opened
        .release_state_from("HEAD", &[pattern()], Cutoff::None)
        .unwrap();
    assert_eq!(names(&exact), [("v1.0.0", true), ("v1.1.0", false)]);
    check_against_git(&repo, &exact, "HEAD");
    let dated = opened.release_state(&[pattern()]).unwrap();
    assert_eq!(names(&dated), [("v1.0.0", false), ("v1.1.0", false)]);
}

#[test]
fn release_state_refuses_shallow_clones() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("v1.0.0")
        .commit("feat: b")
        .commit("feat: c");
    let shallow = shallow_clone(&repo);
    let error = shallow.open().release_state(&[pattern()]).unwrap_err();
    assert!(matches!(error, Error::ShallowClone { .. }), "{error}");
}

#[test]
fn the_latest_cutoff_finds_the_same_latest_release_for_less() {
    let repo = hotfix_shape();
    let opened = repo.open();
    for revision in ["main", "hotfix/1.1.1", "next", "feature", "v1.0.0"] {
        let exact = opened
            .release_state_from(revision, &[pattern()], Cutoff::None)
            .unwrap();
        let latest = opened
            .release_state_from(revision, &[pattern()], Cutoff::Latest)
            .unwrap();
        assert_eq!(
            latest.latest_reachable().map(|tag| &tag.name),
            exact.latest_reachable().map(|tag| &tag.name),
            "{revision}"
        );
        assert!(latest.walked <= exact.walked, "{revision}");
        // Every version is there, reachable or not.
        assert_eq!(latest.tags.len(), exact.tags.len());
        // Above the latest reachable release, reachability is exact.
        let best = exact.latest_reachable().map(|tag| tag.version.clone());
        for (a, b) in latest.tags.iter().zip(&exact.tags) {
            if best.as_ref().is_none_or(|best| a.version >= *best) {
                assert_eq!(a.reachable, b.reachable, "{revision}: {}", a.name);
            }
        }
    }
    // Ten commits on top of the newest tag, which is the highest: describe's cost, not the
    // history's.
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v0.1.0");
    for n in 0..40 {
        repo.commit(&format!("fix: {n}"));
    }
    repo.tag("v1.0.0");
    for n in 0..10 {
        repo.commit(&format!("fix: later {n}"));
    }
    let state = repo
        .open()
        .release_state_from("HEAD", &[pattern()], Cutoff::Latest)
        .unwrap();
    assert_eq!(state.latest_reachable().unwrap().name, "v1.0.0");
    assert_eq!(state.walked, 11);
}
