use gitops::test_support::TestRepo;
use gitops::{Error, HistoryOptions, Range, Repository};

use crate::pattern;

#[test]
fn opens_from_a_subdirectory() {
    let repo = TestRepo::new();
    repo.commit_file("a/b/c.txt", "x", "feat: x");
    let opened = Repository::open(repo.path().join("a/b")).unwrap();
    assert_eq!(opened.head().unwrap(), repo.head());
    assert_eq!(
        opened.work_tree().unwrap().canonicalize().unwrap(),
        repo.path().canonicalize().unwrap()
    );
}

#[test]
fn a_directory_that_is_not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = Repository::open(dir.path()).unwrap_err();
    assert!(matches!(error, Error::NotARepository { .. }), "{error:?}");
    assert!(
        error.to_string().contains("is not inside a git repository"),
        "{error}"
    );
}

#[test]
fn a_missing_directory_is_not_a_repository() {
    let error = Repository::open("/nonexistent/slipway/path").unwrap_err();
    assert!(matches!(error, Error::NotARepository { .. }), "{error:?}");
}

#[test]
fn a_bare_repository_opens_but_refuses_work_tree_operations() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: x").tag("v1.0.0").push();
    let bare = Repository::open(repo.remote_path()).unwrap();
    assert!(bare.is_bare());
    // Reading works on a bare repository…
    let tags = bare.release_tags(&pattern()).unwrap();
    assert_eq!(tags.len(), 1);
    // …what needs a work tree says so.
    let error = bare
        .preflight(&gitops::PreflightOptions::default())
        .unwrap_err();
    assert!(matches!(error, Error::BareRepository { .. }), "{error:?}");
    assert!(error.to_string().contains("is bare"), "{error}");
    let error = bare.commit_paths(&["x"], "chore: x").unwrap_err();
    assert!(matches!(error, Error::BareRepository { .. }), "{error:?}");
}

#[test]
fn an_unborn_branch_is_a_clear_error_where_history_is_needed() {
    let repo = TestRepo::new();
    let opened = repo.open();
    let check = |error: Error| {
        assert!(
            matches!(&error, Error::UnbornBranch { branch } if branch == "main"),
            "{error:?}"
        );
        assert!(error.to_string().contains("has no commits yet"), "{error}");
    };
    check(opened.head().unwrap_err());
    check(opened.latest_release(&pattern(), true).unwrap_err());
    check(
        opened
            .commits(&Range::head(), &HistoryOptions::default())
            .unwrap_err(),
    );
    check(
        opened
            .release_history(&[], &HistoryOptions::default())
            .unwrap_err(),
    );
    // Listing tags is fine: there are none.
    assert_eq!(opened.release_tags(&pattern()).unwrap(), vec![]);
}

#[test]
fn an_unknown_revision_is_a_clear_error() {
    let repo = TestRepo::new();
    repo.commit("feat: x");
    let error = repo.open().resolve("v9.9.9").unwrap_err();
    assert!(matches!(error, Error::RevisionNotFound { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "revision `v9.9.9` does not name a commit in this repository"
    );
}
