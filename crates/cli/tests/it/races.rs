//! Two releases at once: in one clone (the release lock) and on two clones of one remote (the
//! atomic push decides, tags compared by object id), and what `--abort` may and may not undo.

use gitops::test_support::TestRepo;

use crate::release::python_project;
use crate::support::slipway;

fn refs(repo: &TestRepo) -> String {
    format!(
        "{}{}{}",
        repo.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        repo.git(&["status", "--porcelain"]),
        repo.git(&["rev-parse", "HEAD"])
    )
}

#[test]
fn one_release_at_a_time_in_a_clone() {
    let repo = python_project();
    repo.commit_file(
        "slipway.toml",
        "[hooks]\nbefore-bump = [\"sleep 3\"]\n",
        "chore: a slow test suite",
    )
    .push();
    let first = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // While the first runs its hook, a second run in the same clone is refused by the lock.
    let lock = repo.path().join(".git/slipway/lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !lock.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = slipway(&repo, &["release", "--resume"]);
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains("another slipway release is running in this repository"),
        "{}",
        second.stderr
    );
    let output = first.wait_with_output().unwrap();
    assert!(output.status.success());
    assert!(!lock.exists(), "the lock is released at the end");
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\n");
}

#[test]
fn of_two_clones_releasing_at_once_one_wins_and_the_other_aborts_clean() {
    let winner = python_project();
    winner
        .commit_file("src/hangar/a.py", "A = 1\n", "feat: a")
        .push();
    let loser = TestRepo::clone_from(&winner.file_url(), &[]);
    loser.git(&[
        "remote",
        "set-url",
        "origin",
        &winner.remote_path().to_string_lossy(),
    ]);
    let before = refs(&loser);
    // The loser gets as far as its tag, then the winner releases the same version.
    let stopped = loser
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "check-tag")
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(1));
    slipway(&winner, &["release"]).ok();
    let winners_tag = winner.remote_git(&["rev-parse", "v1.0.0"]);
    // Its push is rejected: it is told another release won, and never to delete that tag.
    let lost = slipway(&loser, &["release", "--resume"]);
    assert_eq!(lost.code, 1, "{}", lost.stderr);
    assert!(
        lost.stderr.contains("another release won"),
        "{}",
        lost.stderr
    );
    assert!(!lost.stderr.contains("tag delete"), "{}", lost.stderr);
    // --abort takes back its own tag and commit, and leaves the winner's tag alone.
    let aborted = slipway(&loser, &["release", "--abort"]);
    assert_eq!(aborted.code, 0, "{}", aborted.stderr);
    assert!(
        aborted.stderr.contains("is another release's"),
        "{}",
        aborted.stderr
    );
    assert_eq!(refs(&loser), before);
    assert_eq!(winner.remote_git(&["rev-parse", "v1.0.0"]), winners_tag);
    // Fetched, the loser sees the release that won and has nothing left to release.
    loser.git(&["pull", "--quiet", "--tags"]);
    assert_eq!(
        loser.git(&["rev-parse", "v1.0.0"]),
        winners_tag,
        "the winner's tag, fetched"
    );
}

#[test]
fn a_pushed_release_is_finished_not_aborted() {
    let repo = python_project();
    let stopped = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "push")
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(1));
    let refused = slipway(&repo, &["release", "--abort"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("is pushed to origin and cannot be taken back by --abort; `slipway release --resume` finishes it"),
        "{}",
        refused.stderr
    );
    assert!(repo.path().join(".git/slipway/release.json").exists());
    slipway(&repo, &["release", "--resume"]).ok();
}
