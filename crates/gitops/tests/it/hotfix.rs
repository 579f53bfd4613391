use gitops::test_support::TestRepo;
use gitops::{CherryPickOptions, CommitId, Error, Outcome};
use versioning::Version;

use crate::{pattern, subjects};

fn version(text: &str) -> Version {
    Version::parse(text).unwrap()
}

/// main: v1.0.0, v1.1.0, then more work; a file `app.txt` with three lines.
fn released() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.commit_file("app.txt", "one\ntwo\nthree\n", "feat: app")
        .tag("v1.0.0");
    repo.commit_file("lib.txt", "lib\n", "feat: lib")
        .annotated_tag("v1.1.0", "1.1.0");
    repo.commit_file("next.txt", "next\n", "feat: next");
    repo.push();
    repo
}

/// A snapshot of everything a failed operation must leave alone.
fn state(repo: &TestRepo) -> (String, String, String, String) {
    (
        repo.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["ls-files", "--stage"]),
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
    )
}

#[test]
fn a_hotfix_branch_starts_at_the_previous_release_tag() {
    let repo = released();
    let opened = repo.open();
    let outcome = opened
        .start_hotfix(&version("1.1.0"), &pattern(), true)
        .unwrap();
    let Outcome::Applied(hotfix) = outcome else {
        panic!("expected a new branch: {outcome:?}");
    };
    assert_eq!(hotfix.branch, "hotfix/1.1.1");
    assert_eq!(hotfix.version, version("1.1.1"));
    assert_eq!(hotfix.base_tag, "v1.1.0");
    assert_eq!(hotfix.base, repo.rev("v1.1.0"));
    assert_eq!(
        repo.git(&["branch", "--show-current"]).trim(),
        "hotfix/1.1.1"
    );
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]).trim(),
        repo.rev("v1.1.0").as_str()
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // Running it again is a no-op.
    let again = opened
        .start_hotfix(&version("1.1.0"), &pattern(), true)
        .unwrap();
    assert!(!again.is_applied());
}

#[test]
fn a_hotfix_from_a_missing_tag_is_a_clear_error() {
    let repo = released();
    let error = repo
        .open()
        .start_hotfix(&version("1.2.0"), &pattern(), false)
        .unwrap_err();
    assert!(
        matches!(&error, Error::TagNotFound { name, .. } if name == "v1.2.0"),
        "{error:?}"
    );
    assert!(error.to_string().contains("git fetch --tags"), "{error}");
    assert_eq!(repo.git(&["branch", "--list", "hotfix/*"]), "");
}

#[test]
fn a_hotfix_branch_that_exists_elsewhere_is_an_error() {
    let repo = released();
    repo.branch("hotfix/1.1.1");
    let before = state(&repo);
    let error = repo
        .open()
        .start_hotfix(&version("1.1.0"), &pattern(), true)
        .unwrap_err();
    assert!(matches!(error, Error::BranchExists { .. }), "{error:?}");
    assert_eq!(state(&repo), before);
}

#[test]
fn cherry_picks_carry_the_origin_line_and_the_original_author() {
    let repo = released();
    let opened = repo.open();
    opened
        .start_hotfix(&version("1.1.0"), &pattern(), true)
        .unwrap();
    repo.write("app.txt", "one\n2\nthree\n");
    repo.git(&["add", "app.txt"]);
    repo.git(&[
        "commit",
        "--quiet",
        "--author=Fixer <fixer@example.com>",
        "-m",
        "fix: two\n\nThe second line.",
    ]);
    let fix = repo.head();
    repo.checkout("main");
    let result = opened
        .cherry_pick(
            "main",
            std::slice::from_ref(&fix),
            &CherryPickOptions::default(),
        )
        .unwrap();
    assert_eq!(result.skipped, Vec::<CommitId>::new());
    assert_eq!(result.picked.len(), 1);
    assert_eq!(result.picked[0].0, fix);
    assert_eq!(result.tip, repo.head());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]),
        format!("fix: two\n\nThe second line.\n\n(cherry picked from commit {fix})\n\n")
    );
    assert_eq!(
        subjects(&repo, &["-3"]),
        ["fix: two", "feat: next", "feat: lib"]
    );
    // main is checked out: work tree and index follow, nothing left dirty.
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app.txt")).unwrap(),
        "one\n2\nthree\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an|%cn"]).trim(),
        "Fixer|Slipway Test"
    );
    assert_eq!(
        opened.patch_id(&fix).unwrap(),
        opened.patch_id(&repo.head()).unwrap()
    );
}

#[test]
fn cherry_picking_onto_a_branch_that_is_not_checked_out_leaves_the_work_tree_alone() {
    let repo = released();
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.1.1", "v1.1.0"]);
    repo.commit_file("app.txt", "one\ntwo\n3\n", "fix: three");
    let fix = repo.head();
    let before = repo.git(&["status", "--porcelain"]);
    let result = repo
        .open()
        .cherry_pick("main", &[fix], &CherryPickOptions::default())
        .unwrap();
    assert_eq!(repo.git(&["rev-parse", "main"]).trim(), result.tip.as_str());
    assert_eq!(subjects(&repo, &["-1", "main"]), ["fix: three"]);
    assert_eq!(
        repo.git(&["branch", "--show-current"]).trim(),
        "hotfix/1.1.1"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), before);
}

#[test]
fn commits_already_on_the_branch_are_skipped_and_reported() {
    let repo = released();
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.1.1", "v1.1.0"]);
    repo.commit_file("app.txt", "one\n2\nthree\n", "fix: two");
    let first = repo.head();
    repo.commit_file("hot.txt", "hot\n", "fix: hot");
    let second = repo.head();
    // `first` already reached main by hand.
    repo.checkout("main");
    repo.git(&["cherry-pick", first.as_str()]);
    let before = repo.head();
    let result = repo
        .open()
        .cherry_pick(
            "main",
            &[first.clone(), second.clone(), second.clone()],
            &CherryPickOptions::default(),
        )
        .unwrap();
    assert_eq!(result.skipped, vec![first, second.clone()]);
    assert_eq!(result.picked.len(), 1);
    assert_eq!(result.picked[0].0, second);
    assert_eq!(
        repo.git(&["rev-list", "--count", &format!("{before}..main")])
            .trim(),
        "1"
    );
    // Running it again picks nothing.
    let again = repo
        .open()
        .cherry_pick(
            "main",
            std::slice::from_ref(&second),
            &CherryPickOptions::default(),
        )
        .unwrap();
    assert_eq!((again.picked.len(), again.skipped), (0, vec![second]));
}

fn conflicting() -> (TestRepo, CommitId, CommitId) {
    let repo = released();
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.1.1", "v1.1.0"]);
    repo.commit_file("clean.txt", "clean\n", "fix: clean");
    let clean = repo.head();
    repo.commit_file("app.txt", "one\nHOTFIX\nthree\n", "fix: two on the hotfix");
    let fix = repo.head();
    repo.checkout("main")
        .commit_file("app.txt", "one\nMAIN\nthree\n", "feat: two on main");
    repo.write("untracked.txt", "keep me\n");
    (repo, clean, fix)
}

#[test]
fn a_conflict_stops_with_the_paths_and_changes_nothing() {
    let (repo, clean, fix) = conflicting();
    let before = state(&repo);
    let error = repo
        .open()
        .cherry_pick("main", &[clean, fix.clone()], &CherryPickOptions::default())
        .unwrap_err();
    let Error::CherryPickConflict {
        commit,
        branch,
        paths,
        kept,
        applied,
    } = &error
    else {
        panic!("expected a conflict: {error:?}");
    };
    assert_eq!(
        (commit, branch.as_str(), paths.as_slice(), *kept),
        (&fix, "main", &["app.txt".to_owned()][..], false)
    );
    assert!(applied.is_empty());
    assert!(
        error
            .to_string()
            .contains("conflicts in: app.txt; nothing was changed"),
        "{error}"
    );
    assert_eq!(
        state(&repo),
        before,
        "refs, HEAD, index and work tree untouched"
    );
    assert!(!repo.path().join(".git/CHERRY_PICK_HEAD").exists());
}

#[test]
fn a_kept_conflict_is_left_for_manual_resolution_like_git_cherry_pick() {
    let (repo, clean, fix) = conflicting();
    let main_before = repo.head();
    let options = CherryPickOptions {
        keep_conflict: true,
    };
    let error = repo
        .open()
        .cherry_pick("main", &[clean.clone(), fix.clone()], &options)
        .unwrap_err();
    let Error::CherryPickConflict { kept, applied, .. } = &error else {
        panic!("expected a conflict: {error:?}");
    };
    assert!(*kept);
    assert_eq!(applied, &vec![clean]);
    assert!(
        error.to_string().contains("git cherry-pick --continue"),
        "{error}"
    );
    // The clean commit landed; the conflicting one waits in the index and work tree.
    assert_eq!(
        subjects(&repo, &[&format!("{main_before}..main")]),
        ["fix: clean"]
    );
    assert_eq!(
        repo.git(&["rev-parse", "CHERRY_PICK_HEAD"]).trim(),
        fix.as_str()
    );
    assert!(repo.git(&["status", "--porcelain"]).contains("UU app.txt"));
    assert!(
        std::fs::read_to_string(repo.path().join("app.txt"))
            .unwrap()
            .contains("<<<<<<<")
    );
    // git can finish it.
    repo.write("app.txt", "one\nRESOLVED\nthree\n");
    repo.git(&["add", "app.txt"]);
    repo.git(&["-c", "core.editor=true", "cherry-pick", "--continue"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]).trim_end(),
        format!("fix: two on the hotfix\n\n(cherry picked from commit {fix})")
    );
}

#[test]
fn keeping_a_conflict_needs_the_branch_checked_out() {
    let (repo, _, fix) = conflicting();
    repo.checkout("hotfix/1.1.1");
    let before = state(&repo);
    let options = CherryPickOptions {
        keep_conflict: true,
    };
    let error = repo
        .open()
        .cherry_pick("main", &[fix], &options)
        .unwrap_err();
    assert!(matches!(error, Error::NotCheckedOut { .. }), "{error:?}");
    assert_eq!(state(&repo), before);
}

#[test]
fn local_changes_in_the_way_stop_the_pick_before_anything_moves() {
    let repo = released();
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.1.1", "v1.1.0"]);
    repo.commit_file("app.txt", "one\n2\nthree\n", "fix: two");
    let fix = repo.head();
    repo.checkout("main");
    repo.write("app.txt", "local edit\n");
    let before = state(&repo);
    let error = repo
        .open()
        .cherry_pick("main", &[fix], &CherryPickOptions::default())
        .unwrap_err();
    assert!(matches!(error, Error::CheckoutConflict { .. }), "{error:?}");
    assert_eq!(state(&repo), before);
}

#[test]
fn cherry_picking_onto_a_missing_branch_is_an_error() {
    let repo = released();
    let error = repo
        .open()
        .cherry_pick("nope", &[repo.head()], &CherryPickOptions::default())
        .unwrap_err();
    assert!(matches!(error, Error::BranchNotFound { .. }), "{error:?}");
}

#[test]
fn merge_commits_are_not_cherry_picked() {
    let repo = released();
    repo.git(&["switch", "--quiet", "-c", "topic"]);
    repo.commit("feat: topic");
    repo.checkout("main").merge("topic", "Merge topic");
    let merge = repo.head();
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.1.1", "v1.1.0"]);
    let before = state(&repo);
    let error = repo
        .open()
        .cherry_pick(
            "hotfix/1.1.1",
            std::slice::from_ref(&merge),
            &CherryPickOptions::default(),
        )
        .unwrap_err();
    assert!(
        matches!(&error, Error::CherryPickMerge { commit } if *commit == merge),
        "{error:?}"
    );
    assert_eq!(state(&repo), before);
}

#[test]
fn a_fix_resolved_by_hand_is_not_picked_again() {
    let (repo, clean, fix) = conflicting();
    let options = CherryPickOptions {
        keep_conflict: true,
    };
    repo.open()
        .cherry_pick("main", &[clean.clone(), fix.clone()], &options)
        .unwrap_err();
    repo.write("app.txt", "one\nRESOLVED\nthree\n");
    repo.git(&["add", "app.txt"]);
    repo.git(&["-c", "core.editor=true", "cherry-pick", "--continue"]);
    let tip = repo.head();
    // The resolution has another patch than the fix; its `cherry picked from` line says what it is.
    let again = repo
        .open()
        .cherry_pick("main", &[clean.clone(), fix.clone()], &options)
        .unwrap();
    assert_eq!((again.picked.len(), again.skipped), (0, vec![clean, fix]));
    assert_eq!(again.tip, tip);
}
