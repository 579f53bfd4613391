use gitops::test_support::TestRepo;
use gitops::{Error, InProgress, MergeOptions, Outcome};

use crate::subjects;

/// main and develop from one commit; a release branch from develop with one fix; develop checked
/// out.
fn branches() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.commit_file("app.txt", "one\ntwo\nthree\n", "feat: app");
    repo.git(&["branch", "develop"]);
    repo.git(&["switch", "--quiet", "-c", "release/v1.1.0"]);
    repo.commit_file("fix.txt", "fix\n", "fix: on the release branch");
    repo.checkout("develop");
    repo
}

fn state(repo: &TestRepo) -> (String, String, String) {
    (
        repo.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        repo.git(&["symbolic-ref", "HEAD"]),
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
    )
}

#[test]
fn a_clean_merge_into_a_branch_not_checked_out_moves_only_its_ref() {
    let repo = branches();
    let before_main = repo.rev("main");
    let status = repo.git(&["status", "--porcelain"]);
    let merge = repo
        .open()
        .merge_into(
            "main",
            "release/v1.1.0",
            "Merge branch 'release/v1.1.0'",
            &MergeOptions::default(),
        )
        .unwrap();
    let Outcome::Applied(merge) = merge else {
        panic!("a new merge: {merge:?}");
    };
    assert_eq!(merge.before, before_main);
    assert_eq!(repo.rev("main"), merge.commit);
    // A real merge commit, even where a fast-forward would do (--no-ff), with both parents.
    assert_eq!(
        repo.git(&["rev-list", "--parents", "-1", "main"]).trim(),
        format!(
            "{} {} {}",
            merge.commit,
            before_main,
            repo.rev("release/v1.1.0")
        )
    );
    assert_eq!(
        subjects(&repo, &["--first-parent", "-1", "main"]),
        ["Merge branch 'release/v1.1.0'"]
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "develop\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), status);
}

#[test]
fn merging_what_the_branch_has_finds_the_merge_that_brought_it() {
    let repo = branches();
    let opened = repo.open();
    let first = opened
        .merge_into("main", "release/v1.1.0", "Merge", &MergeOptions::default())
        .unwrap()
        .into_inner();
    repo.checkout("main").commit("feat: later work on main");
    let again = opened
        .merge_into("main", "release/v1.1.0", "Merge", &MergeOptions::default())
        .unwrap();
    let Outcome::Unchanged(found) = again else {
        panic!("already merged: {again:?}");
    };
    assert_eq!(found.commit, first.commit);
    assert!(opened.contains("main", "release/v1.1.0").unwrap());
    assert!(!opened.contains("develop", "main").unwrap());
}

fn conflicting() -> TestRepo {
    let repo = branches();
    repo.checkout("release/v1.1.0")
        .commit_file("app.txt", "one\nRELEASE\nthree\n", "fix: two");
    repo.checkout("develop")
        .commit_file("app.txt", "one\nDEVELOP\nthree\n", "feat: two");
    repo.checkout("main");
    repo
}

#[test]
fn a_conflict_changes_nothing_unless_kept() {
    let repo = conflicting();
    let before = state(&repo);
    let error = repo
        .open()
        .merge_into(
            "develop",
            "release/v1.1.0",
            "Merge",
            &MergeOptions::default(),
        )
        .unwrap_err();
    let Error::MergeConflict {
        target,
        paths,
        kept,
        ..
    } = &error
    else {
        panic!("a conflict: {error:?}");
    };
    assert_eq!(
        (target.as_str(), paths.as_slice(), *kept),
        ("develop", &["app.txt".to_owned()][..], false)
    );
    assert_eq!(state(&repo), before);
    assert_eq!(repo.open().in_progress(), None);
}

#[test]
fn a_kept_conflict_is_left_as_git_merge_leaves_it_and_git_can_finish_it() {
    let repo = conflicting();
    let opened = repo.open();
    let error = opened
        .merge_into(
            "develop",
            "release/v1.1.0",
            "Merge branch 'release/v1.1.0' into develop",
            &MergeOptions {
                keep_conflict: true,
                ..MergeOptions::default()
            },
        )
        .unwrap_err();
    assert!(matches!(error, Error::MergeConflict { kept: true, .. }));
    assert_eq!(repo.git(&["branch", "--show-current"]), "develop\n");
    assert_eq!(opened.in_progress(), Some(InProgress::Merge));
    assert_eq!(
        repo.git(&["rev-parse", "MERGE_HEAD"]),
        repo.git(&["rev-parse", "release/v1.1.0"])
    );
    assert!(repo.git(&["status", "--porcelain"]).contains("UU app.txt"));
    repo.write("app.txt", "one\nBOTH\nthree\n");
    repo.git(&["add", "app.txt"]);
    repo.git(&["commit", "--quiet", "--no-edit"]);
    assert_eq!(
        subjects(&repo, &["-1"]),
        ["Merge branch 'release/v1.1.0' into develop"]
    );
    assert_eq!(opened.in_progress(), None);
    // Asked again, the merge is found, not repeated.
    let again = opened
        .merge_into(
            "develop",
            "release/v1.1.0",
            "Merge",
            &MergeOptions::default(),
        )
        .unwrap();
    assert!(!again.is_applied());
    assert_eq!(again.into_inner().commit, repo.head());
}

#[test]
fn branches_are_deleted_here_and_on_the_remote_once() {
    let repo = branches();
    repo.checkout("release/v1.1.0").push();
    repo.checkout("main");
    let opened = repo.open();
    assert!(
        opened
            .remote_has_branch("origin", "release/v1.1.0")
            .unwrap()
    );
    assert!(opened.delete_branch("release/v1.1.0").unwrap().is_applied());
    assert!(
        opened
            .delete_remote_branch("origin", "release/v1.1.0")
            .unwrap()
            .is_applied()
    );
    assert!(
        !opened
            .remote_has_branch("origin", "release/v1.1.0")
            .unwrap()
    );
    assert!(!opened.delete_branch("release/v1.1.0").unwrap().is_applied());
    assert!(
        !opened
            .delete_remote_branch("origin", "release/v1.1.0")
            .unwrap()
            .is_applied()
    );
    assert!(matches!(
        opened.delete_branch("main"),
        Err(Error::CheckedOut { .. })
    ));
}

#[test]
fn files_the_caller_resolves_never_conflict_and_are_merged_as_given() {
    let repo = conflicting();
    let opened = repo.open();
    let resolved = vec![(
        std::path::PathBuf::from("app.txt"),
        "one\nMERGED BY THE CALLER\nthree\n".to_owned(),
    )];
    let merge = opened
        .merge_into(
            "develop",
            "release/v1.1.0",
            "Merge",
            &MergeOptions {
                keep_conflict: true,
                resolved: resolved.clone(),
                ..MergeOptions::default()
            },
        )
        .unwrap();
    assert!(merge.is_applied());
    assert_eq!(
        repo.git(&["show", "develop:app.txt"]),
        "one\nMERGED BY THE CALLER\nthree\n"
    );
    assert_eq!(opened.in_progress(), None);
    // With another conflict left, the resolved file is staged and written; only the other waits.
    let repo = conflicting();
    repo.checkout("release/v1.1.0")
        .commit_file("other.txt", "release\n", "fix: other");
    repo.checkout("develop")
        .commit_file("other.txt", "develop\n", "feat: other");
    repo.checkout("main");
    let error = repo
        .open()
        .merge_into(
            "develop",
            "release/v1.1.0",
            "Merge",
            &MergeOptions {
                keep_conflict: true,
                resolved,
                ..MergeOptions::default()
            },
        )
        .unwrap_err();
    let Error::MergeConflict { paths, .. } = &error else {
        panic!("a conflict: {error:?}");
    };
    assert_eq!(paths, &["other.txt".to_owned()]);
    assert_eq!(
        repo.git(&["diff", "--name-only", "--diff-filter=U"]),
        "other.txt\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app.txt")).unwrap(),
        "one\nMERGED BY THE CALLER\nthree\n"
    );
}
