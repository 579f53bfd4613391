use gitops::test_support::TestRepo;
use gitops::{ChangeKind, DirtyPath, Error, HeadState, PreflightOptions, UpstreamStatus};

use crate::shallow_clone;

fn dirty(path: &str, kind: ChangeKind) -> DirtyPath {
    DirtyPath {
        path: path.to_owned(),
        kind,
    }
}

#[test]
fn a_clean_branch_in_sync_with_its_upstream_is_ready() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: x").push();
    let opened = repo.open();
    let preflight = opened.preflight(&PreflightOptions { fetch: true }).unwrap();
    assert_eq!(
        preflight.head,
        HeadState::Branch {
            name: "main".into(),
            commit: repo.head()
        }
    );
    assert_eq!(preflight.dirty, vec![]);
    assert_eq!(
        preflight.upstream,
        Some(UpstreamStatus {
            name: "origin/main".into(),
            remote: Some("origin".into()),
            ahead: 0,
            behind: 0
        })
    );
    assert!(!preflight.shallow);
    preflight.ensure_ready(&opened).unwrap();
    // git agrees.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "@{upstream}"])
            .trim(),
        "origin/main"
    );
}

#[test]
fn dirty_paths_are_listed_untracked_included() {
    let repo = TestRepo::new();
    repo.commit_file("tracked.txt", "1", "feat: a")
        .commit_file("gone.txt", "1", "feat: b")
        .commit_file("staged.txt", "1", "feat: c");
    repo.write("tracked.txt", "2")
        .write("new/untracked.txt", "x")
        .write("staged.txt", "2");
    repo.git(&["add", "staged.txt"]);
    std::fs::remove_file(repo.path().join("gone.txt")).unwrap();
    let opened = repo.open();
    let preflight = opened.preflight(&PreflightOptions::default()).unwrap();
    assert_eq!(
        preflight.dirty,
        vec![
            dirty("gone.txt", ChangeKind::Deleted),
            dirty("new/untracked.txt", ChangeKind::Untracked),
            dirty("staged.txt", ChangeKind::Staged),
            dirty("tracked.txt", ChangeKind::Modified),
        ]
    );
    // The same four paths as git reports.
    let porcelain = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let mut git_paths: Vec<&str> = porcelain.lines().map(|line| &line[3..]).collect();
    git_paths.sort_unstable();
    assert_eq!(
        git_paths,
        ["gone.txt", "new/untracked.txt", "staged.txt", "tracked.txt"]
    );
    let error = preflight.ensure_ready(&opened).unwrap_err();
    assert!(matches!(error, Error::DirtyWorkTree { .. }));
    assert_eq!(
        error.to_string(),
        "the work tree has uncommitted changes in: gone.txt, new/untracked.txt, staged.txt, \
         tracked.txt; commit or stash them first"
    );
}

#[test]
fn ignored_files_do_not_make_the_tree_dirty() {
    let repo = TestRepo::new();
    repo.commit_file(".gitignore", "target/\n", "chore: ignore");
    repo.write("target/out.bin", "x");
    assert_eq!(repo.open().dirty_paths().unwrap(), vec![]);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_detached_head_is_reported() {
    let repo = TestRepo::new();
    repo.commit("feat: a").commit("feat: b");
    let first = repo.rev("HEAD~1");
    repo.checkout(first.as_str());
    let opened = repo.open();
    let preflight = opened.preflight(&PreflightOptions::default()).unwrap();
    assert_eq!(
        preflight.head,
        HeadState::Detached {
            commit: first.clone()
        }
    );
    assert_eq!(preflight.upstream, None);
    let error = preflight.ensure_ready(&opened).unwrap_err();
    assert!(matches!(&error, Error::DetachedHead { commit } if *commit == first));
    assert!(
        error.to_string().contains("check out a branch first"),
        "{error}"
    );
    assert!(matches!(
        opened.current_branch(),
        Err(Error::DetachedHead { .. })
    ));
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "HEAD"
    );
}

#[test]
fn an_unborn_branch_is_reported() {
    let repo = TestRepo::new();
    let opened = repo.open();
    let preflight = opened.preflight(&PreflightOptions::default()).unwrap();
    assert_eq!(
        preflight.head,
        HeadState::Unborn {
            name: "main".into()
        }
    );
    let error = preflight.ensure_ready(&opened).unwrap_err();
    assert!(matches!(error, Error::UnbornBranch { .. }), "{error:?}");
}

#[test]
fn ahead_and_behind_are_counted_after_a_fetch() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: a").push();
    // Someone else pushes two commits.
    let other = TestRepo::clone_from(&repo.remote_path().display().to_string(), &[]);
    other.commit("feat: theirs 1").commit("feat: theirs 2");
    other.git(&["push", "--quiet", "origin", "main"]);
    // We commit one locally.
    repo.commit("feat: ours");
    let opened = repo.open();

    let before_fetch = opened.preflight(&PreflightOptions::default()).unwrap();
    let upstream = before_fetch.upstream.unwrap();
    assert_eq!(
        (upstream.ahead, upstream.behind),
        (1, 0),
        "without a fetch, origin/main is stale"
    );

    let preflight = opened.preflight(&PreflightOptions { fetch: true }).unwrap();
    let upstream = preflight.upstream.clone().unwrap();
    assert_eq!((upstream.ahead, upstream.behind), (1, 2));
    assert_eq!(
        repo.git(&["rev-list", "--left-right", "--count", "main...origin/main"])
            .trim(),
        "1\t2"
    );
    let error = preflight.ensure_ready(&opened).unwrap_err();
    assert!(
        matches!(error, Error::BehindUpstream { behind: 2, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("2 commit(s) behind `origin/main`"),
        "{error}"
    );
}

#[test]
fn a_branch_without_upstream_has_none() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: a");
    let opened = repo.open();
    let preflight = opened.preflight(&PreflightOptions { fetch: true }).unwrap();
    assert_eq!(preflight.upstream, None);
    preflight.ensure_ready(&opened).unwrap();
}

#[test]
fn a_shallow_clone_is_detected_with_the_fix_in_the_message() {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0").commit("feat: b");
    let clone = shallow_clone(&repo);
    assert_eq!(
        clone.git(&["rev-parse", "--is-shallow-repository"]).trim(),
        "true"
    );
    let opened = clone.open();
    let preflight = opened.preflight(&PreflightOptions::default()).unwrap();
    assert!(preflight.shallow);
    let error = preflight.ensure_ready(&opened).unwrap_err();
    assert!(matches!(error, Error::ShallowClone { .. }), "{error:?}");
    assert!(
        error.to_string().contains("git fetch --unshallow --tags"),
        "{error}"
    );
}
