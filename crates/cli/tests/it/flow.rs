//! Branching models: git-flow releases (`release start`/`finish`), hotfixes merged into main and
//! develop or cherry-picked onto several branches, and conflicts resolved by hand and resumed.
//! Temporary repositories with a bare remote; nothing is published.

use gitops::test_support::TestRepo;

use crate::support::slipway;

const GIT_FLOW: &str = "[project]\nname = \"hangar\"\nversion = \"1.0.0\"\n\n[tool.slipway.git]\nflow = \"git-flow\"\n";

/// A git-flow project: 1.0.0 released on main (a merge, as git-flow makes it), develop with one
/// feature after it, both pushed.
fn git_flow_project() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.write("pyproject.toml", GIT_FLOW);
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").push();
    repo.git(&["switch", "--quiet", "-c", "develop"]);
    repo.push();
    repo.checkout("main");
    repo.annotated_tag("v1.0.0", "hangar 1.0.0").push();
    repo.checkout("develop");
    repo.commit("feat: search the hangar").push();
    repo
}

/// Every ref here and on the remote by what it points at (commit subjects, not ids, so that two
/// runs at different times compare equal), the branch checked out, the work tree, the journal.
fn refs(repo: &TestRepo) -> String {
    let describe = |git: &dyn Fn(&[&str]) -> String| {
        git(&[
            "for-each-ref",
            "--format=%(refname) %(objecttype) %(subject) -> %(*subject)",
            "refs/heads",
            "refs/tags",
        ])
    };
    let branch_logs = |git: &dyn Fn(&[&str]) -> String| {
        ["main", "develop"]
            .iter()
            .map(|branch| git(&["log", "--format=%s", branch]))
            .collect::<Vec<_>>()
            .join("--\n")
    };
    let local = |args: &[&str]| repo.git(args);
    let remote = |args: &[&str]| repo.remote_git(args);
    format!(
        "local:\n{}{}remote:\n{}{}on: {}status: {:?}\njournal: {}\n",
        describe(&local),
        branch_logs(&local),
        describe(&remote),
        branch_logs(&remote),
        repo.git(&["branch", "--show-current"]),
        repo.git(&["status", "--porcelain"]),
        repo.path().join(".git/slipway/release.json").exists()
    )
}

fn read(repo: &TestRepo, revision: &str, path: &str) -> String {
    repo.git(&["show", &format!("{revision}:{path}")])
}

/// `release start`, a fix on the release branch, `release finish`.
fn release_with_a_fix(repo: &TestRepo) {
    assert_eq!(
        slipway(repo, &["release", "start", "--date", "2026-11-21"]).ok(),
        "1.1.0\n"
    );
    repo.commit("fix: the search returns every hangar").push();
    assert_eq!(
        slipway(repo, &["release", "finish", "--date", "2026-11-22"]).ok(),
        "1.1.0\n"
    );
}

#[test]
fn a_git_flow_release_goes_through_its_release_branch() {
    let repo = git_flow_project();
    repo.commit_file(
        "pyproject.toml",
        &format!(
            "{GIT_FLOW}\n[tool.slipway.hooks]\nbuild = [\"git rev-parse HEAD > ../built-at\"]\n"
        ),
        "build: record where the build ran",
    )
    .push();
    assert_eq!(
        slipway(&repo, &["release", "start", "--date", "2026-11-21"]).ok(),
        "1.1.0\n"
    );
    // The release branch is cut from develop, bumped, with its changelog section, pushed with
    // its upstream, and checked out.
    assert_eq!(repo.git(&["branch", "--show-current"]), "release/v1.1.0\n");
    assert_eq!(
        repo.git(&["log", "--format=%s", "-3"]),
        "chore(release): 1.1.0\nbuild: record where the build ran\nfeat: search the hangar\n"
    );
    assert!(read(&repo, "HEAD", "pyproject.toml").contains("version = \"1.1.0\""));
    assert_eq!(
        repo.remote_git(&["rev-parse", "release/v1.1.0"]),
        repo.git(&["rev-parse", "HEAD"])
    );
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "@{upstream}"]),
        "origin/release/v1.1.0\n"
    );
    assert_eq!(
        repo.git(&["tag", "-l"]),
        "v1.0.0\n",
        "nothing is tagged yet"
    );
    // On the release branch, the next version is the branch's, and check is content.
    assert_eq!(slipway(&repo, &["next-version"]).ok(), "1.1.0\n");
    slipway(&repo, &["check"]).ok();

    repo.commit("fix: the search returns every hangar").push();
    assert_eq!(
        slipway(&repo, &["release", "finish", "--date", "2026-11-22"]).ok(),
        "1.1.0\n"
    );
    // main: the release merged with --no-ff, the merge tagged; develop: main merged back.
    assert_eq!(
        repo.git(&["log", "--format=%s", "--first-parent", "-2", "main"]),
        "Merge branch 'release/v1.1.0'\nfeat: the first feature\n"
    );
    assert_eq!(
        repo.git(&["rev-parse", "v1.1.0^{commit}"]),
        repo.git(&["rev-parse", "main"])
    );
    assert_eq!(
        repo.git(&["log", "--format=%s", "-1", "develop"]),
        "Merge branch 'main' into develop\n"
    );
    assert_eq!(
        repo.git(&["rev-parse", "develop^2"]),
        repo.git(&["rev-parse", "main"])
    );
    // The fix made on the release branch is in the tag's notes and in CHANGELOG.md, dated the
    // day of the finish.
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    assert!(notes.contains("the search returns every hangar"), "{notes}");
    assert!(notes.contains("search the hangar"), "{notes}");
    let changelog = read(&repo, "main", "CHANGELOG.md");
    assert!(changelog.contains("## [1.1.0] - 2026-11-22"), "{changelog}");
    assert!(
        changelog.contains("the search returns every hangar"),
        "{changelog}"
    );
    assert_eq!(changelog.matches("## [1.1.0]").count(), 1, "{changelog}");
    assert_eq!(read(&repo, "develop", "CHANGELOG.md"), changelog);
    // Pushed together; the release branch is gone here and on the remote.
    for branch in ["main", "develop"] {
        assert_eq!(
            repo.remote_git(&["rev-parse", branch]),
            repo.git(&["rev-parse", branch]),
            "{branch}"
        );
    }
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.1.0\n");
    assert_eq!(repo.git(&["branch", "--list", "release/*"]), "");
    assert_eq!(repo.remote_git(&["branch", "--list", "release/*"]), "");
    // The build ran on the tagged commit; work goes on on develop, as the runbook ends.
    assert_eq!(
        std::fs::read_to_string(repo.path().join("../built-at")).unwrap(),
        repo.git(&["rev-parse", "v1.1.0^{commit}"])
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "develop\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // Nothing is pending on either branch afterwards.
    for branch in ["main", "develop"] {
        repo.checkout(branch);
        let next: serde_json::Value =
            serde_json::from_str(&slipway(&repo, &["next-version", "--json"]).ok()).unwrap();
        assert_eq!(next["current"], "1.1.0", "{branch}: {next}");
        assert_eq!(next["next"], serde_json::Value::Null, "{branch}: {next}");
    }
}

#[test]
fn each_flow_says_which_branch_a_release_starts_from() {
    let repo = git_flow_project();
    // git-flow: `slipway release` is refused with the two commands; `release start` only on
    // develop; `release finish` only on a release branch; check names the branches elsewhere.
    let refused = slipway(&repo, &["release"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("`slipway release start` on develop"),
        "{}",
        refused.stderr
    );
    let finish_on_develop = slipway(&repo, &["release", "finish"]);
    assert_eq!(finish_on_develop.code, 2);
    assert!(
        finish_on_develop
            .stderr
            .contains("develop is not a release branch (release/v{version})"),
        "{}",
        finish_on_develop.stderr
    );
    slipway(&repo, &["check"]).ok();
    repo.checkout("main");
    let start_on_main = slipway(&repo, &["release", "start"]);
    assert_eq!(start_on_main.code, 2);
    assert!(
        start_on_main
            .stderr
            .contains("a release branch is cut from develop, and HEAD is on main"),
        "{}",
        start_on_main.stderr
    );
    let check = slipway(&repo, &["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check
            .stderr
            .contains("in git-flow a release starts on develop"),
        "{}",
        check.stderr
    );
    // Trunk: start and finish are git-flow's.
    let trunk = TestRepo::new().with_remote();
    trunk.commit_file(
        "pyproject.toml",
        "[project]\nname = \"t\"\nversion = \"1.0.0\"\n",
        "feat: one",
    );
    let refused = slipway(&trunk, &["release", "start"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("flow = \"git-flow\""),
        "{}",
        refused.stderr
    );
    // A bad branch template stops at the configuration, with its line.
    repo.checkout("develop");
    repo.commit_file(
        "pyproject.toml",
        &format!("{GIT_FLOW}release-branch = \"release/{{version}} x\"\n"),
        "chore: a bad template",
    );
    let bad = slipway(&repo, &["release", "start", "--dry-run"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("pyproject.toml:7: branch template"),
        "{}",
        bad.stderr
    );
}

#[test]
fn dry_runs_of_start_and_finish_change_nothing() {
    let repo = git_flow_project();
    let before = refs(&repo);
    let plan = slipway(&repo, &["release", "start", "--dry-run"]).ok();
    assert!(plan.contains("create-branch"), "{plan}");
    assert!(
        plan.contains("create release/v1.1.0 from develop"),
        "{plan}"
    );
    assert!(plan.contains("+## [1.1.0]"), "{plan}");
    assert!(!plan.contains(" tag "), "start tags nothing: {plan}");
    assert_eq!(refs(&repo), before);

    slipway(&repo, &["release", "start"]).ok();
    repo.commit("fix: a fix on the release branch").push();
    let before = refs(&repo);
    let plan = slipway(&repo, &["release", "finish", "--dry-run"]).ok();
    for step in [
        "merge-main",
        "tag",
        "merge-develop",
        "push",
        "delete-branch",
    ] {
        assert!(plan.contains(step), "{step}: {plan}");
    }
    assert!(
        plan.contains("push main, develop and v1.1.0 to origin (atomic)"),
        "{plan}"
    );
    assert!(plan.contains("+- a fix on the release branch"), "{plan}");
    let json: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["release", "finish", "--dry-run", "--json"]).ok())
            .unwrap();
    assert_eq!(json["kind"], "finish");
    assert_eq!(json["version"], "1.1.0");
    assert_eq!(refs(&repo), before);
    // Naming another branch on a dry run switches to nothing.
    repo.checkout("develop");
    let before = refs(&repo);
    let named = slipway(&repo, &["release", "finish", "release/v1.1.0", "--dry-run"]);
    assert_eq!(named.code, 2, "{}", named.stderr);
    assert_eq!(refs(&repo), before);
    // A real run named from develop switches to it and finishes it.
    slipway(&repo, &["release", "finish", "release/v1.1.0"]).ok();
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.1.0\n");
}

/// The steps of a finish with nothing to publish.
const FINISH_STEPS: &[&str] = &[
    "preflight",
    "version-files",
    "changelog",
    "commit",
    "merge-main",
    "tag",
    "check-tag",
    "merge-develop",
    "push",
    "delete-branch",
];

#[test]
fn a_finish_stopped_after_any_step_resumes_to_the_state_of_an_uninterrupted_one() {
    let prepared = || {
        let repo = git_flow_project();
        slipway(&repo, &["release", "start", "--date", "2026-11-21"]).ok();
        repo.commit("fix: a fix on the release branch").push();
        repo
    };
    let uninterrupted = prepared();
    slipway(
        &uninterrupted,
        &["release", "finish", "--date", "2026-11-22"],
    )
    .ok();
    let expected = refs(&uninterrupted);
    for variable in ["SLIPWAY_TEST_FAIL_AFTER", "SLIPWAY_TEST_FAIL_BEFORE_RECORD"] {
        for step in FINISH_STEPS {
            let repo = prepared();
            let failed = repo
                .command(env!("CARGO_BIN_EXE_slipway"))
                .args(["release", "finish", "--date", "2026-11-22"])
                .env(variable, step)
                .output()
                .unwrap();
            assert_eq!(
                failed.status.code(),
                Some(1),
                "{variable}={step}: {}",
                String::from_utf8_lossy(&failed.stderr)
            );
            if *step == "preflight" && variable == "SLIPWAY_TEST_FAIL_BEFORE_RECORD" {
                slipway(&repo, &["release", "finish", "--date", "2026-11-22"]).ok();
            } else {
                let refused = slipway(&repo, &["release", "finish"]);
                assert!(
                    refused.stderr.contains("`slipway release finish --resume`"),
                    "{variable}={step}: {}",
                    refused.stderr
                );
                slipway(&repo, &["release", "finish", "--resume"]).ok();
            }
            assert_eq!(refs(&repo), expected, "{variable}={step}");
        }
    }
}

#[test]
fn a_start_stopped_after_any_step_resumes_and_an_unpushed_one_aborts() {
    let uninterrupted = git_flow_project();
    let before = refs(&uninterrupted);
    slipway(
        &uninterrupted,
        &["release", "start", "--date", "2026-11-21"],
    )
    .ok();
    let expected = refs(&uninterrupted);
    for step in ["create-branch", "version-files", "commit", "push"] {
        for variable in ["SLIPWAY_TEST_FAIL_AFTER", "SLIPWAY_TEST_FAIL_BEFORE_RECORD"] {
            let repo = git_flow_project();
            let failed = repo
                .command(env!("CARGO_BIN_EXE_slipway"))
                .args(["release", "start", "--date", "2026-11-21"])
                .env(variable, step)
                .output()
                .unwrap();
            assert_eq!(failed.status.code(), Some(1), "{variable}={step}");
            slipway(&repo, &["release", "start", "--resume"]).ok();
            assert_eq!(refs(&repo), expected, "{variable}={step}");
        }
    }
    // Stopped before its push, a start is undone: back on develop, no release branch.
    let repo = git_flow_project();
    let failed = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "start"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "commit")
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    slipway(&repo, &["release", "start", "--abort"]).ok();
    assert_eq!(refs(&repo), before);
}

#[test]
fn an_unpushed_finish_aborts_to_where_it_started() {
    let repo = git_flow_project();
    slipway(&repo, &["release", "start"]).ok();
    repo.commit("fix: a fix on the release branch").push();
    let before = refs(&repo);
    let failed = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "finish"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "merge-develop")
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert_ne!(refs(&repo), before);
    let report = slipway(&repo, &["release", "finish", "--abort"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report.stderr.contains("took back the merge into main"),
        "{}",
        report.stderr
    );
    assert_eq!(refs(&repo), before);
    // And it finishes afterwards as if nothing had happened.
    slipway(&repo, &["release", "finish"]).ok();
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.1.0\n");
}

#[test]
fn a_git_flow_hotfix_reaches_main_tagged_and_develop() {
    let repo = git_flow_project();
    release_with_a_fix(&repo);
    repo.checkout("develop");
    repo.commit("feat: unreleased work on develop").push();
    // From main's latest release, whatever is checked out.
    assert_eq!(slipway(&repo, &["hotfix", "start"]).ok(), "hotfix/1.1.1\n");
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["rev-parse", "v1.1.0^{commit}"])
    );
    repo.commit_file("src/fix.py", "FIXED = True\n", "fix: the crash in 1.1.0");
    let refused = slipway(&repo, &["hotfix", "finish", "--cherry-pick-to", "develop"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--cherry-pick-to is for trunk"));
    assert_eq!(slipway(&repo, &["hotfix", "finish"]).ok(), "1.1.1\n");
    assert_eq!(
        repo.git(&["log", "--format=%s", "--first-parent", "-1", "main"]),
        "Merge branch 'hotfix/1.1.1'\n"
    );
    assert_eq!(
        repo.git(&["rev-parse", "v1.1.1^{commit}"]),
        repo.git(&["rev-parse", "main"])
    );
    // develop has the fix and keeps its unreleased work; main has not got that work.
    let develop = repo.git(&["log", "--format=%s", "develop"]);
    assert!(develop.contains("fix: the crash in 1.1.0"), "{develop}");
    assert!(
        develop.contains("feat: unreleased work on develop"),
        "{develop}"
    );
    let main = repo.git(&["log", "--format=%s", "main"]);
    assert!(!main.contains("unreleased work"), "{main}");
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.1.0\nv1.1.1\n");
    assert_eq!(repo.git(&["branch", "--list", "hotfix/*"]), "");
    assert_eq!(
        repo.remote_git(&["rev-parse", "develop"]),
        repo.git(&["rev-parse", "develop"])
    );
    // develop's next release is the minor its feature calls for, above the hotfix.
    repo.checkout("develop");
    assert_eq!(slipway(&repo, &["next-version"]).ok(), "1.2.0\n");
}

#[test]
fn a_conflicting_back_merge_stops_for_the_user_and_resumes_after_the_resolution() {
    let repo = git_flow_project();
    repo.commit_file("src/config.py", "TIMEOUT = 10\n", "feat: a timeout")
        .push();
    slipway(&repo, &["release", "start"]).ok();
    repo.commit_file(
        "src/config.py",
        "TIMEOUT = 30\n",
        "fix: a longer timeout for the release",
    )
    .push();
    repo.checkout("develop");
    repo.commit_file(
        "src/config.py",
        "TIMEOUT = 60\n",
        "feat: a configurable timeout",
    )
    .push();
    repo.checkout("release/v1.1.0");
    // The dry run foresees it (and only it: main merges cleanly), without failing for it.
    let foreseen = slipway(&repo, &["release", "finish", "--dry-run"]);
    assert_eq!(foreseen.code, 0, "{}", foreseen.stderr);
    assert!(
        foreseen.stderr.contains(
            "merging release/v1.1.0 into develop conflicts in src/config.py: the finish will stop there for you to resolve it"
        ),
        "{}",
        foreseen.stderr
    );
    assert!(
        !foreseen.stderr.contains("into main conflicts"),
        "{}",
        foreseen.stderr
    );
    let stopped = slipway(&repo, &["release", "finish"]);
    assert_eq!(stopped.code, 1);
    assert!(
        stopped.stderr.contains(
            "merging main into develop conflicts in src/config.py: develop is checked out with the conflict"
        ),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped
            .stderr
            .contains("`git commit`, then `slipway release finish --resume`"),
        "{}",
        stopped.stderr
    );
    // Exactly as `git merge` leaves it: on develop, MERGE_HEAD, conflict markers; nothing pushed.
    assert_eq!(repo.git(&["branch", "--show-current"]), "develop\n");
    assert!(repo.path().join(".git/MERGE_HEAD").exists());
    assert_eq!(
        repo.git(&["diff", "--name-only", "--diff-filter=U"]),
        "src/config.py\n"
    );
    let conflicted = std::fs::read_to_string(repo.path().join("src/config.py")).unwrap();
    assert!(conflicted.contains("<<<<<<<"), "{conflicted}");
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\n");
    // Resuming before the resolution is refused, and changes nothing.
    let early = slipway(&repo, &["release", "finish", "--resume"]);
    assert_eq!(early.code, 1);
    assert!(
        early.stderr.contains("a merge is in progress"),
        "{}",
        early.stderr
    );
    // The user resolves and commits, as git says; the resumed finish pushes and completes.
    repo.write("src/config.py", "TIMEOUT = 60\n");
    repo.git(&["add", "src/config.py"]);
    repo.git(&["commit", "--quiet", "--no-edit"]);
    slipway(&repo, &["release", "finish", "--resume"]).ok();
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.1.0\n");
    assert_eq!(
        repo.remote_git(&["log", "--format=%s", "-1", "develop"]),
        "Merge branch 'main' into develop\n"
    );
    assert_eq!(
        repo.remote_git(&["show", "develop:src/config.py"]),
        "TIMEOUT = 60\n"
    );
    assert_eq!(
        repo.remote_git(&["show", "main:src/config.py"]),
        "TIMEOUT = 30\n"
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "develop\n");
    assert!(!repo.path().join(".git/slipway/release.json").exists());
}

/// A trunk project released at 1.0.0, with a maintenance branch `release-1.x` and newer work on
/// main (which touches `src/app.py`), pushed.
fn trunk_project() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"hangar\"\nversion = \"1.0.0\"\n",
    )
    .write("src/app.py", "VERSION = 1\n");
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").push();
    slipway(&repo, &["release"]).ok();
    repo.git(&["switch", "--quiet", "-c", "release-1.x"]);
    repo.push();
    repo.checkout("main");
    repo.commit_file("src/app.py", "VERSION = 2\n", "feat: version 2")
        .push();
    repo
}

#[test]
fn a_trunk_hotfix_is_cherry_picked_onto_every_branch_named() {
    let repo = trunk_project();
    slipway(&repo, &["hotfix", "start", "v1.0.0"]).ok();
    repo.commit_file("src/fix.py", "FIXED = True\n", "fix: the crash in 1.0.0");
    assert_eq!(
        slipway(
            &repo,
            &[
                "hotfix",
                "finish",
                "--cherry-pick-to",
                "release-1.x",
                "--cherry-pick-to",
                "main"
            ]
        )
        .ok(),
        "1.0.1\n"
    );
    for branch in ["release-1.x", "main"] {
        let log = repo.remote_git(&["log", "--format=%s", "-2", branch]);
        assert_eq!(
            log, "chore(release): 1.0.1 in the changelog\nfix: the crash in 1.0.0\n",
            "{branch}"
        );
        let body = repo.remote_git(&["log", "-1", "--format=%b", &format!("{branch}~1")]);
        assert!(
            body.contains("(cherry picked from commit"),
            "{branch}: {body}"
        );
        assert!(
            repo.remote_git(&["show", &format!("{branch}:CHANGELOG.md")])
                .contains("## [1.0.1]"),
            "{branch}"
        );
    }
    // Nothing was checked out for it: the user is still on the hotfix branch.
    assert_eq!(repo.git(&["branch", "--show-current"]), "hotfix/1.0.1\n");
}

#[test]
fn a_conflicting_cherry_pick_stops_on_its_branch_and_resumes_after_the_resolution() {
    let repo = trunk_project();
    slipway(&repo, &["hotfix", "start", "v1.0.0"]).ok();
    repo.commit_file(
        "src/app.py",
        "VERSION = 1  # fixed\n",
        "fix: the version line",
    );
    let stopped = slipway(
        &repo,
        &[
            "hotfix",
            "finish",
            "--cherry-pick-to",
            "release-1.x",
            "--cherry-pick-to",
            "main",
        ],
    );
    assert_eq!(stopped.code, 1);
    assert!(
        stopped
            .stderr
            .contains("onto main conflicts in src/app.py: main is checked out with the conflict"),
        "{}",
        stopped.stderr
    );
    assert!(
        stopped
            .stderr
            .contains("`git cherry-pick --continue`, then `slipway hotfix finish --resume`"),
        "{}",
        stopped.stderr
    );
    // The release is out, the first branch has the fix; main holds the conflict as git leaves it.
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.0.1\n");
    assert_eq!(
        repo.remote_git(&["log", "--format=%s", "-1", "release-1.x"]),
        "chore(release): 1.0.1 in the changelog\n"
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "main\n");
    assert!(repo.path().join(".git/CHERRY_PICK_HEAD").exists());
    // Resolved by hand (a different patch than the original) and continued.
    repo.write("src/app.py", "VERSION = 2  # fixed\n");
    repo.git(&["add", "src/app.py"]);
    let continued = repo
        .command("git")
        .args(["cherry-pick", "--continue"])
        .env("GIT_EDITOR", "true")
        .output()
        .unwrap();
    assert!(continued.status.success());
    assert_eq!(
        slipway(&repo, &["hotfix", "finish", "--resume"]).ok(),
        "1.0.1\n"
    );
    assert_eq!(
        repo.remote_git(&["log", "--format=%s", "-3", "main"]),
        "chore(release): 1.0.1 in the changelog\nfix: the version line\nfeat: version 2\n"
    );
    assert_eq!(
        repo.remote_git(&["show", "main:src/app.py"]),
        "VERSION = 2  # fixed\n"
    );
    // release-1.x was not picked onto twice.
    assert_eq!(
        repo.remote_git(&["log", "--format=%s", "-3", "release-1.x"]),
        "chore(release): 1.0.1 in the changelog\nfix: the version line\nchore(release): 1.0.0\n"
    );
}

const KEEP_A_CHANGELOG: &str = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Hand-written: the search is fuzzy.\n\n## [1.0.0] - 2026-11-01\n\n- the first feature\n";

#[test]
fn notes_written_on_develop_stay_unreleased_through_finishes_and_hotfixes() {
    let repo = git_flow_project();
    repo.commit_file("CHANGELOG.md", KEEP_A_CHANGELOG, "docs: the changelog")
        .push();
    slipway(&repo, &["release", "start", "--date", "2026-11-21"]).ok();
    // Written on develop while the release branch is open: for the release after.
    repo.checkout("develop");
    repo.commit_file(
        "CHANGELOG.md",
        &KEEP_A_CHANGELOG.replace(
            "- Hand-written: the search is fuzzy.\n",
            "- Hand-written: the search is fuzzy.\n- Hand-written: next-gen hangars are opt-in.\n",
        ),
        "docs: a note for the next release",
    )
    .push();
    repo.checkout("release/v1.1.0");
    // Reworded on the release branch, as release notes are polished there.
    let released = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    let generated = released
        .lines()
        .find(|line| line.starts_with("- search the hangar ("))
        .unwrap()
        .to_owned();
    let reworded = generated.replace("search the hangar", "Search every hangar by name");
    repo.commit_file(
        "CHANGELOG.md",
        &released.replace(&generated, &reworded),
        "docs: polish the release notes",
    )
    .push();
    slipway(&repo, &["release", "finish", "--date", "2026-11-22"]).ok();
    let main = read(&repo, "v1.1.0", "CHANGELOG.md");
    assert!(main.contains(&reworded), "{main}");
    assert!(main.contains("the search is fuzzy"), "{main}");
    assert!(!main.contains("next-gen"), "{main}");
    let develop = read(&repo, "develop", "CHANGELOG.md");
    // develop: its Unreleased keeps only what came after the cut; the release section is main's.
    let unreleased = changelog::section_of(&develop, "Unreleased").unwrap();
    assert!(
        unreleased.contains("next-gen hangars are opt-in"),
        "{develop}"
    );
    assert!(!unreleased.contains("the search is fuzzy"), "{develop}");
    assert_eq!(
        changelog::section_of(&develop, "1.1.0"),
        changelog::section_of(&main, "1.1.0")
    );
    // A hotfix merged into develop leaves its Unreleased alone too.
    slipway(&repo, &["hotfix", "start"]).ok();
    repo.commit_file("src/fix.py", "FIXED = True\n", "fix: the crash in 1.1.0");
    slipway(&repo, &["hotfix", "finish"]).ok();
    let develop = read(&repo, "develop", "CHANGELOG.md");
    let unreleased = changelog::section_of(&develop, "Unreleased").unwrap();
    assert!(
        unreleased.contains("next-gen hangars are opt-in"),
        "{develop}"
    );
    assert!(!unreleased.contains("crash"), "{develop}");
    let (hotfix, release) = (
        develop.find("## [1.1.1]").unwrap(),
        develop.find("## [1.1.0]").unwrap(),
    );
    assert!(develop.find("## [Unreleased]").unwrap() < hotfix && hotfix < release);
}

#[test]
fn a_trunk_hotfix_leaves_the_unreleased_notes_of_the_branches_it_reaches_alone() {
    let repo = trunk_project();
    let main_changelog = read(&repo, "main", "CHANGELOG.md").replace(
        "## [1.0.0]",
        "## [Unreleased]\n\n### Added\n\n- Hand-written: the new dashboard ships in 1.1.0.\n\n## [1.0.0]",
    );
    repo.commit_file("CHANGELOG.md", &main_changelog, "docs: a note for 1.1.0")
        .push();
    slipway(&repo, &["hotfix", "start", "v1.0.0"]).ok();
    repo.commit_file("src/fix.py", "FIXED = True\n", "fix: the crash in 1.0.0");
    slipway(&repo, &["hotfix", "finish", "--cherry-pick-to", "main"]).ok();
    let main = read(&repo, "main", "CHANGELOG.md");
    let unreleased = changelog::section_of(&main, "Unreleased").unwrap();
    assert!(unreleased.contains("the new dashboard"), "{main}");
    let hotfix = changelog::section_of(&main, "1.0.1").unwrap();
    assert!(hotfix.contains("the crash in 1.0.0"), "{main}");
    assert!(!hotfix.contains("dashboard"), "{main}");
    assert!(main.find("## [Unreleased]").unwrap() < main.find("## [1.0.1]").unwrap());
}

#[test]
fn a_finish_whose_conflict_was_resolved_by_hand_still_aborts_to_where_it_started() {
    let repo = git_flow_project();
    repo.commit_file("src/config.py", "TIMEOUT = 10\n", "feat: a timeout")
        .push();
    slipway(&repo, &["release", "start"]).ok();
    repo.commit_file("src/config.py", "TIMEOUT = 30\n", "fix: longer")
        .push();
    repo.checkout("develop");
    repo.commit_file("src/config.py", "TIMEOUT = 60\n", "feat: configurable")
        .push();
    repo.checkout("release/v1.1.0");
    let before = refs(&repo);
    assert_eq!(slipway(&repo, &["release", "finish"]).code, 1);
    // Resolved and committed by hand: a merge the journal never recorded.
    repo.write("src/config.py", "TIMEOUT = 60\n");
    repo.git(&["add", "src/config.py"]);
    repo.git(&["commit", "--quiet", "--no-edit"]);
    // From develop, where the conflict left the user.
    let report = slipway(&repo, &["release", "finish", "--abort"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report.stderr.contains("took back the merge into develop"),
        "{}",
        report.stderr
    );
    assert_eq!(refs(&repo), before);
}

#[test]
fn release_candidates_are_tagged_on_the_release_branch_and_finish_makes_the_release() {
    let repo = git_flow_project();
    assert_eq!(
        slipway(&repo, &["release", "start", "--pre", "rc"]).ok(),
        "1.1.0-rc.1\n"
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "release/v1.1.0\n");
    assert_eq!(
        slipway(&repo, &["release", "--pre", "rc"]).ok(),
        "1.1.0-rc.1\n"
    );
    repo.commit("fix: found in rc.1").push();
    assert_eq!(
        slipway(&repo, &["release", "--pre", "rc"]).ok(),
        "1.1.0-rc.2\n"
    );
    // Candidates stay on the release branch: main has none of them.
    assert_eq!(
        repo.git(&["tag", "--merged", "main"]),
        "v1.0.0\n",
        "main is untouched by candidates"
    );
    assert_eq!(slipway(&repo, &["release", "finish"]).ok(), "1.1.0\n");
    assert_eq!(
        repo.remote_git(&["tag", "-l"]),
        "v1.0.0\nv1.1.0\nv1.1.0-rc.1\nv1.1.0-rc.2\n"
    );
    let changelog = read(&repo, "v1.1.0", "CHANGELOG.md");
    assert!(
        !changelog.contains("## [1.1.0-rc"),
        "candidates folded: {changelog}"
    );
    assert!(changelog.contains("found in rc.1"), "{changelog}");
    // Anywhere else, `slipway release` stays refused in git-flow.
    let refused = slipway(&repo, &["release", "--pre", "rc"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
}

#[test]
fn a_hotfix_finished_while_a_release_branch_is_open_goes_into_that_branch() {
    let repo = git_flow_project();
    slipway(&repo, &["release", "start"]).ok();
    slipway(&repo, &["hotfix", "start"]).ok();
    repo.commit_file("src/fix.py", "FIXED = True\n", "fix: the crash in 1.0.0");
    let plan = slipway(&repo, &["hotfix", "finish", "--dry-run"]).ok();
    assert!(
        plan.contains("merge main back into release/v1.1.0 (--no-ff), the open release branch"),
        "{plan}"
    );
    slipway(&repo, &["hotfix", "finish"]).ok();
    // The release branch has the fix and keeps its own version; develop gets it at the finish.
    assert_eq!(
        repo.git(&["show", "release/v1.1.0:src/fix.py"]),
        "FIXED = True\n"
    );
    assert!(read(&repo, "release/v1.1.0", "pyproject.toml").contains("version = \"1.1.0\""));
    assert!(repo.try_git(&["show", "develop:src/fix.py"]).is_err());
    repo.checkout("release/v1.1.0");
    slipway(&repo, &["release", "finish"]).ok();
    assert_eq!(repo.git(&["show", "develop:src/fix.py"]), "FIXED = True\n");
    let changelog = read(&repo, "main", "CHANGELOG.md");
    let (release, hotfix) = (
        changelog.find("## [1.1.0]").unwrap(),
        changelog.find("## [1.0.1]").unwrap(),
    );
    assert!(release < hotfix, "{changelog}");
    assert!(read(&repo, "main", "pyproject.toml").contains("version = \"1.1.0\""));
}

#[test]
fn git_flow_refuses_what_it_cannot_do_with_the_way_out() {
    let repo = git_flow_project();
    release_with_a_fix(&repo);
    // A hotfix of an older line would take main back.
    let old_line = slipway(&repo, &["hotfix", "start", "v1.0.0"]);
    assert_eq!(old_line.code, 2, "{}", old_line.stderr);
    assert!(
        old_line
            .stderr
            .contains("in git-flow a hotfix starts from main's latest release (v1.1.0)"),
        "{}",
        old_line.stderr
    );
    // A main branch that does not exist is named, with the branches there are.
    repo.checkout("develop");
    repo.commit_file(
        "pyproject.toml",
        &format!("{GIT_FLOW}main-branch = \"mastr\"\n"),
        "chore: a typo",
    );
    let typo = slipway(&repo, &["hotfix", "start", "--dry-run"]);
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert!(
        typo.stderr
            .contains("[git] main-branch is mastr, and there is no local branch mastr (branches: develop, main)"),
        "{}",
        typo.stderr
    );
    let check = slipway(&repo, &["check"]);
    assert!(
        check.stderr.contains("[git] main-branch is mastr"),
        "{}",
        check.stderr
    );
    repo.git(&["reset", "--quiet", "--hard", "HEAD~1"]);
    // The dry run asks the remote where develop is, and says a pull is needed first.
    let other = TestRepo::clone_from(&repo.file_url(), &[]);
    other.git(&[
        "remote",
        "set-url",
        "origin",
        &repo.remote_path().to_string_lossy(),
    ]);
    other.git(&["switch", "--quiet", "develop"]);
    other.commit("feat: pushed from elsewhere").push();
    let plan = slipway(&repo, &["release", "start", "patch", "--dry-run"]);
    assert!(
        plan.stderr
            .contains("origin has commits on develop that this clone has not fetched"),
        "{}",
        plan.stderr
    );
    // A release in progress is what check reports first.
    repo.git(&["pull", "--quiet", "--ff-only"]);
    let stopped = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "start"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "commit")
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(1));
    let check = slipway(&repo, &["check"]);
    assert!(
        check.stderr.contains(
            "is in progress (last finished step: commit): `slipway release start --resume`"
        ),
        "{}",
        check.stderr
    );
}

#[test]
fn a_finish_named_from_elsewhere_and_refused_leaves_the_user_where_they_were() {
    let repo = git_flow_project();
    slipway(&repo, &["release", "start"]).ok();
    repo.checkout("develop");
    // develop moved on the remote: the finish's preflight refuses before anything is done.
    let other = TestRepo::clone_from(&repo.file_url(), &[]);
    other.git(&[
        "remote",
        "set-url",
        "origin",
        &repo.remote_path().to_string_lossy(),
    ]);
    other.git(&["switch", "--quiet", "develop"]);
    other.commit("feat: pushed from elsewhere").push();
    let refused = slipway(&repo, &["release", "finish", "release/v1.1.0"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("nothing was changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "develop\n");
}
