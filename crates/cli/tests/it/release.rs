//! `slipway release`, `hotfix`, `tag delete` and `check` on temporary repositories with a bare remote.
//!
//! These releases publish nothing (no `[pypi]`, `[oci]` or `[github]` is configured); the end-to-end
//! runs against real servers are in the `slipway-tests` package.

use gitops::test_support::TestRepo;

use crate::support::slipway;

/// A Python project at 1.0.0, never released, pushed to its bare remote.
pub(crate) fn python_project() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"hangar\"\nversion = \"1.0.0\"\n",
    )
    .write("src/hangar/__init__.py", "__version__ = \"1.0.0\"\n");
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").push();
    repo
}

fn read(repo: &TestRepo, path: &str) -> String {
    std::fs::read_to_string(repo.path().join(path)).unwrap()
}

/// Everything a release can change, in a form that does not depend on commit ids or times: the
/// branch's messages, the tags with their message's first line and the message of the commit they
/// point at, the remote's branch and tags, the version files, the changelog, the work tree status,
/// and whether a journal is left.
fn state(repo: &TestRepo) -> String {
    let log = repo.git(&["log", "--format=%s", "main"]);
    let tags = repo.git(&[
        "tag",
        "-l",
        "--format=%(refname:short) %(subject) -> %(*subject)%(subject)",
    ]);
    let remote_log = repo.remote_git(&["log", "--format=%s", "main"]);
    let remote_tags = repo.remote_git(&["tag", "-l"]);
    let local_tip = repo.git(&["rev-parse", "main"]);
    let remote_tip = repo.remote_git(&["rev-parse", "main"]);
    let status = repo.git(&["status", "--porcelain"]);
    let changelog = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap_or_default();
    let journal = repo.path().join(".git/slipway/release.json").exists();
    format!(
        "log:\n{log}tags:\n{tags}remote log:\n{remote_log}remote tags:\n{remote_tags}in sync: {}\nstatus: {status:?}\npyproject:\n{}init:\n{}changelog:\n{changelog}journal: {journal}\n",
        local_tip == remote_tip,
        read(repo, "pyproject.toml"),
        read(repo, "src/hangar/__init__.py"),
    )
}

#[test]
fn a_first_release_uses_the_version_files_version() {
    let repo = python_project();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "1.0.0\n"
    );
    assert_eq!(repo.git(&["tag", "-l"]), "v1.0.0\n");
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\n");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "chore(release): 1.0.0\n"
    );
    let changelog = read(&repo, "CHANGELOG.md");
    assert!(changelog.contains("## [1.0.0] - 2026-11-21"), "{changelog}");
    assert!(changelog.contains("- the first feature"), "{changelog}");
    // The annotated tag carries the notes.
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v1.0.0"]);
    assert!(message.contains("the first feature"), "{message}");
    assert!(!repo.path().join(".git/slipway/release.json").exists());
    assert!(repo.path().join(".git/slipway/done/v1.0.0.json").exists());
}

#[test]
fn a_release_candidate_train_then_the_stable_release() {
    let repo = python_project();
    slipway(&repo, &["release"]).ok();
    repo.commit("feat(api): list endpoint").push();
    assert_eq!(
        slipway(&repo, &["release", "--pre", "rc"]).ok(),
        "1.1.0-rc.1\n"
    );
    assert_eq!(
        read(&repo, "pyproject.toml"),
        "[project]\nname = \"hangar\"\nversion = \"1.1.0rc1\"\n"
    );
    repo.commit("fix: a bug found in the rc").push();
    assert_eq!(
        slipway(&repo, &["release", "--pre", "rc"]).ok(),
        "1.1.0-rc.2\n"
    );
    assert_eq!(slipway(&repo, &["release", "--no-publish"]).ok(), "1.1.0\n");
    assert_eq!(
        repo.remote_git(&["tag", "-l"]),
        "v1.0.0\nv1.1.0\nv1.1.0-rc.1\nv1.1.0-rc.2\n"
    );
    assert_eq!(
        read(&repo, "src/hangar/__init__.py"),
        "__version__ = \"1.1.0\"\n"
    );
    // 1.1.0's notes cover everything since 1.0.0, the candidates' commits included.
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    assert!(
        notes.contains("list endpoint") && notes.contains("a bug found in the rc"),
        "{notes}"
    );
    assert_eq!(slipway(&repo, &["check"]).ok(), "ready to release\n");
}

#[test]
fn a_dry_run_changes_nothing_anywhere() {
    let repo = python_project();
    slipway(&repo, &["release"]).ok();
    repo.commit("feat: more").push();
    let before = state(&repo);
    let remote_refs = repo.remote_git(&["for-each-ref"]);
    let plan = slipway(&repo, &["release", "--dry-run"]).ok();
    assert!(plan.contains("release 1.1.0 (minor, from 1.0.0)"), "{plan}");
    assert!(
        plan.contains("-version = \"1.0.0\"\n+version = \"1.1.0\""),
        "{plan}"
    );
    assert!(plan.contains("+## [1.1.0]"), "{plan}");
    let json: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["release", "--dry-run", "--json"]).ok()).unwrap();
    assert_eq!(json["version"], "1.1.0");
    assert_eq!(json["steps"][0], "preflight");
    assert_eq!(state(&repo), before);
    assert_eq!(repo.remote_git(&["for-each-ref"]), remote_refs);
    assert!(!repo.path().join(".git/slipway/release.json").exists());
}

/// The steps of a release with nothing to publish.
pub(crate) const LOCAL_STEPS: &[&str] = &[
    "preflight",
    "version-files",
    "changelog",
    "commit",
    "tag",
    "check-tag",
    "push",
];

#[test]
fn every_step_resumes_to_the_state_of_an_uninterrupted_run() {
    let uninterrupted = python_project();
    slipway(&uninterrupted, &["release", "--date", "2026-11-21"]).ok();
    let expected = state(&uninterrupted);
    for variable in ["SLIPWAY_TEST_FAIL_AFTER", "SLIPWAY_TEST_FAIL_BEFORE_RECORD"] {
        for step in LOCAL_STEPS {
            let repo = python_project();
            let failed = repo
                .command(env!("CARGO_BIN_EXE_slipway"))
                .args(["release", "--date", "2026-11-21"])
                .env(variable, step)
                .output()
                .unwrap();
            assert_eq!(
                failed.status.code(),
                Some(1),
                "{variable}={step}: {}",
                String::from_utf8_lossy(&failed.stderr)
            );
            assert!(String::from_utf8_lossy(&failed.stderr).contains("injected failure"));
            if *step == "preflight" && variable == "SLIPWAY_TEST_FAIL_BEFORE_RECORD" {
                // Stopped before the journal was written: nothing is in progress, a plain rerun releases.
                slipway(&repo, &["release", "--date", "2026-11-21"]).ok();
                assert_eq!(state(&repo), expected, "{variable}={step}");
                continue;
            }
            // A plain rerun refuses, naming the way out.
            let refused = slipway(&repo, &["release"]);
            assert_eq!(refused.code, 2, "{variable}={step}");
            assert!(refused.stderr.contains("--resume"), "{}", refused.stderr);
            slipway(&repo, &["release", "--resume"]).ok();
            assert_eq!(state(&repo), expected, "{variable}={step}");
        }
    }
}

#[test]
fn abort_undoes_an_unpushed_tag_and_commit() {
    let repo = python_project();
    let before = state(&repo);
    let failed = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "tag")
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(repo.git(&["tag", "-l"]), "v1.0.0\n");
    slipway(&repo, &["release", "--abort"]).ok();
    assert_eq!(state(&repo), before);
    let nothing = slipway(&repo, &["release", "--abort"]);
    assert_eq!(nothing.code, 2);
}

#[test]
fn a_failing_hook_stops_the_release_and_names_the_step() {
    let repo = python_project();
    repo.commit_file(
        "slipway.toml",
        "[hooks]\nbefore-bump = [\"echo testing >&2\", \"exit 3\"]\n",
        "chore: hooks",
    )
    .push();
    let run = slipway(&repo, &["release"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("step `before-bump-hooks` failed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("exit 3"), "{}", run.stderr);
    assert!(
        run.stderr.contains("testing"),
        "the hook's output is streamed: {}",
        run.stderr
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn a_dirty_work_tree_is_refused_with_its_paths() {
    let repo = python_project();
    repo.write("notes.txt", "scratch\n");
    let run = slipway(&repo, &["release"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("notes.txt"), "{}", run.stderr);
    assert_eq!(repo.git(&["tag", "-l"]), "");
}

#[test]
fn a_release_from_a_subdirectory_without_version_files_says_where_the_project_is() {
    let repo = python_project();
    let run = crate::support::slipway_in(
        &repo.path().join("src/hangar"),
        &["release", "--dry-run"],
        "",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let root = repo.path().display().to_string();
    assert!(
        run.stderr
            .contains(&format!("a subdirectory of the repository at {root}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("`-C {root}`")),
        "{}",
        run.stderr
    );
    // As the message says, from the root it plans the release.
    let planned = slipway(&repo, &["-C", &root, "release", "--dry-run"]);
    assert_eq!(planned.code, 0, "{}", planned.stderr);
}

#[test]
fn a_version_released_on_another_branch_is_passed_over() {
    let repo = python_project();
    slipway(&repo, &["release"]).ok();
    // v1.1.0 exists on another branch, so it is not the latest release reachable from main.
    repo.branch("experiment")
        .checkout("experiment")
        .commit("feat: experiment")
        .tag("v1.1.0");
    repo.checkout("main").commit("feat: on main").push();
    let run = slipway(&repo, &["-v", "release", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("release 1.2.0 (minor, from 1.0.0)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("1.1.0 exists already (tag v1.1.0, on another branch): passed over"),
        "{}",
        run.stderr
    );
    assert_eq!(slipway(&repo, &["release"]).ok(), "1.2.0\n");
}

#[test]
fn check_reports_the_runbooks_version_mismatch() {
    let repo = python_project();
    repo.tag("v1.0.1");
    let run = slipway(&repo, &["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("Version mismatch! pyproject.toml: 1.0.0, Git tag: 1.0.1"),
        "{}",
        run.stderr
    );
}

#[test]
fn tag_delete_removes_a_failed_tag_here_and_on_the_remote() {
    let repo = python_project();
    slipway(&repo, &["release"]).ok();
    assert_eq!(
        slipway(&repo, &["tag", "delete", "v1.0.0", "--remote"]).ok(),
        "deleted v1.0.0 locally\ndeleted v1.0.0 on origin\n"
    );
    assert_eq!(repo.git(&["tag", "-l"]), "");
    assert_eq!(repo.remote_git(&["tag", "-l"]), "");
    assert_eq!(
        slipway(&repo, &["tag", "delete", "v1.0.0", "--remote"]).ok(),
        "no tag v1.0.0 locally\nno tag v1.0.0 on origin\n"
    );
}

#[test]
fn hotfix_from_a_release_tag_with_the_fix_cherry_picked_to_main() {
    let repo = python_project();
    slipway(&repo, &["release"]).ok();
    repo.commit("feat: new work on main").push();
    slipway(&repo, &["release"]).ok();
    assert_eq!(
        slipway(&repo, &["hotfix", "start", "v1.0.0"]).ok(),
        "hotfix/1.0.1\n"
    );
    assert_eq!(repo.git(&["branch", "--show-current"]), "hotfix/1.0.1\n");
    repo.commit_file(
        "src/hangar/fix.py",
        "FIXED = True\n",
        "fix: the crash in 1.0.0",
    );
    assert_eq!(
        slipway(&repo, &["hotfix", "finish", "--cherry-pick-to", "main"]).ok(),
        "1.0.1\n"
    );
    assert_eq!(repo.remote_git(&["tag", "-l"]), "v1.0.0\nv1.0.1\nv1.1.0\n");
    assert_eq!(
        read(&repo, "pyproject.toml"),
        "[project]\nname = \"hangar\"\nversion = \"1.0.1\"\n"
    );
    // The fix, and only the fix, is on main (local and remote), with the cherry-pick line, and
    // main's changelog gains the hotfix's section between its newer and older releases.
    let main_log = repo.remote_git(&["log", "--format=%s", "-4", "main"]);
    assert_eq!(
        main_log,
        "chore(release): 1.0.1 in the changelog\nfix: the crash in 1.0.0\nchore(release): 1.1.0\nfeat: new work on main\n"
    );
    let body = repo.git(&["log", "-1", "--format=%b", "main~1"]);
    assert!(body.contains("(cherry picked from commit"), "{body}");
    let changelog = repo.git(&["show", "main:CHANGELOG.md"]);
    let (newer, older, hotfix) = (
        changelog.find("## [1.1.0]").unwrap(),
        changelog.find("## [1.0.0]").unwrap(),
        changelog
            .find("## [1.0.1]")
            .expect("the hotfix's section on main"),
    );
    assert!(newer < hotfix && hotfix < older, "{changelog}");
    assert!(changelog.contains("the crash in 1.0.0"), "{changelog}");
    assert_eq!(
        repo.git(&["show", "main:pyproject.toml"]),
        "[project]\nname = \"hangar\"\nversion = \"1.1.0\"\n"
    );
}

#[test]
fn github_actions_outputs_are_written() {
    let repo = python_project();
    let outputs = repo.path().join("../github_output");
    let summary = repo.path().join("../github_summary");
    let output = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--pre", "rc"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap(),
        "is_prerelease=true\nprevious_version=\nreleased=true\ntag=v1.0.0-rc.1\nversion=1.0.0-rc.1\n"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .starts_with("## Released 1.0.0-rc.1 (v1.0.0-rc.1)")
    );
}

#[test]
fn init_writes_a_commented_configuration_that_loads_and_the_schema_prints() {
    let repo = python_project();
    let path = slipway(&repo, &["init"]).ok();
    assert!(path.trim_end().ends_with("slipway.toml"), "{path}");
    let text = read(&repo, "slipway.toml");
    assert!(text.starts_with("# slipway configuration."), "{text}");
    let again = slipway(&repo, &["init"]);
    assert_eq!(
        again.code, 2,
        "init never overwrites without --force: {}",
        again.stderr
    );
    let shown = slipway(&repo, &["config", "show"]).ok();
    assert!(shown.contains("remote = \"origin\""), "{shown}");
    let schema: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["config", "schema"]).ok()).unwrap();
    assert!(schema["properties"]["tag-pattern"].is_object(), "{schema}");
}

#[test]
fn init_github_actions_prints_on_dry_run_writes_both_workflows_and_never_overwrites_without_force()
{
    let repo = python_project();
    let workflows = repo.path().join(".github/workflows");
    let printed = slipway(&repo, &["init", "--github-actions", "--dry-run"]).ok();
    assert!(
        printed.contains("# .github/workflows/version-bump.yml\n")
            && printed.contains("# .github/workflows/release.yml\n")
            && printed.contains("python -m build"),
        "{printed}"
    );
    assert!(
        !workflows.exists(),
        "--dry-run wrote {}",
        workflows.display()
    );
    assert!(!repo.path().join("slipway.toml").exists());

    let written = slipway(&repo, &["init", "--github-actions"]).ok();
    assert!(
        written.contains("version-bump.yml") && written.contains("release.yml"),
        "{written}"
    );
    let bump = read(&repo, ".github/workflows/version-bump.yml");
    assert!(
        bump.starts_with("# Written by `slipway init --github-actions`"),
        "{bump}"
    );
    assert!(
        !repo.path().join("slipway.toml").exists(),
        "--github-actions writes no slipway.toml"
    );

    // Only one of them changed by hand: both are refused, the changed one is named, nothing moves.
    repo.write(".github/workflows/release.yml", "# mine\n");
    let again = slipway(&repo, &["init", "--github-actions"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("release.yml") && again.stderr.contains("--force"),
        "{}",
        again.stderr
    );
    assert_eq!(read(&repo, ".github/workflows/release.yml"), "# mine\n");
    assert_eq!(read(&repo, ".github/workflows/version-bump.yml"), bump);

    slipway(&repo, &["init", "--github-actions", "--force"]).ok();
    assert!(read(&repo, ".github/workflows/release.yml").contains("name: Release"));
}

#[test]
fn init_dry_run_needs_github_actions() {
    let repo = python_project();
    let run = slipway(&repo, &["init", "--dry-run"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!repo.path().join("slipway.toml").exists());
}

#[test]
fn an_unknown_configuration_key_names_the_file_and_the_line() {
    let repo = python_project();
    repo.write(
        "slipway.toml",
        "[git]\nremote = \"origin\"\nsing-tags = true\n",
    );
    let run = slipway(&repo, &["release", "--dry-run"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("slipway.toml:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("sing-tags"), "{}", run.stderr);
}

#[test]
fn release_json_reports_every_step() {
    let repo = python_project();
    let json: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["release", "--json"]).ok()).unwrap();
    assert_eq!(json["version"], "1.0.0");
    assert_eq!(json["tag"], "v1.0.0");
    assert_eq!(json["is_prerelease"], false);
    let steps: Vec<&str> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, LOCAL_STEPS);
    assert_eq!(
        json["steps"][3]["output"]["commit"].as_str().unwrap().len(),
        40
    );
}

/// Everything a refused release must leave as it was: the release state, every ref here and on
/// the remote, and no journal.
fn untouched(repo: &TestRepo) -> String {
    format!(
        "{}refs:\n{}remote refs:\n{}",
        state(repo),
        repo.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        repo.remote_git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
    )
}

/// Runs `slipway release`, which must fail in its preflight having changed nothing, with exit 1 and
/// a message that contains `fix`.
#[track_caller]
fn refused_before_anything(repo: &TestRepo, fix: &str) {
    let before = untouched(repo);
    let run = slipway(repo, &["release", "--date", "2026-11-21"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot start, and nothing was changed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(fix),
        "expected {fix:?} in:\n{}",
        run.stderr
    );
    assert_eq!(untouched(repo), before);
    assert!(!repo.path().join(".git/slipway/release.json").exists());
}

#[test]
fn the_wrong_branch_is_refused_before_anything_changes() {
    let repo = python_project();
    repo.write("slipway.toml", "[git]\nbranch = \"main\"\n")
        .commit("chore: release from main only")
        .push();
    repo.branch("feature").checkout("feature");
    refused_before_anything(
        &repo,
        "HEAD is on `feature`, and releases are made from `main`: `git switch main`",
    );
}

#[test]
fn an_unreachable_remote_is_refused_before_anything_changes() {
    let repo = python_project();
    let gone = repo.home().join("moved-away.git");
    repo.git(&["remote", "set-url", "origin", &gone.display().to_string()]);
    refused_before_anything(&repo, "cannot reach the remote `origin`");
    repo.git(&["remote", "remove", "origin"]);
    refused_before_anything(
        &repo,
        "there is no remote `origin`: add it (`git remote add origin <url>`)",
    );
}

#[test]
fn an_unusable_signing_key_is_refused_before_anything_changes() {
    let repo = python_project();
    repo.write("slipway.toml", "[git]\nsign-tags = true\n")
        .commit("chore: signed tags")
        .push();
    // An empty GnuPG home (the test's HOME): the key named does not exist.
    repo.git(&["config", "user.signingkey", "0xDEADBEEFDEADBEEF"]);
    refused_before_anything(&repo, "`gpg` has no secret key `0xDEADBEEFDEADBEEF`");
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", "/nonexistent/id_ed25519.pub"]);
    refused_before_anything(
        &repo,
        "the SSH key file /nonexistent/id_ed25519.pub does not exist",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let repo = python_project();
    repo.write(
        "slipway.toml",
        "[git]\nsign-tags = true\nbranch = \"main\"\n",
    )
    .commit("chore: strict")
    .push();
    repo.branch("feature").checkout("feature");
    repo.write("scratch.txt", "x\n");
    let run = slipway(&repo, &["release"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for problem in [
        "releases are made from `main`",
        "scratch.txt",
        "signing key",
    ] {
        assert!(run.stderr.contains(problem), "{problem} in {}", run.stderr);
    }
}

/// A release of `repo` stopped right after its preflight: the journal is written, nothing else.
fn stopped_after_preflight(repo: &TestRepo) {
    let run = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--date", "2026-11-21"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "preflight")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(repo.path().join(".git/slipway/release.json").exists());
}

#[track_caller]
fn resume_refused(repo: &TestRepo, reason: &str) {
    let run = slipway(repo, &["release", "--resume"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot resume the release of 1.0.0"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(reason),
        "expected {reason:?} in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`slipway release --abort`"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.git(&["tag", "-l"]), "", "nothing was released");
}

#[test]
fn resume_is_refused_after_a_new_commit() {
    let repo = python_project();
    stopped_after_preflight(&repo);
    repo.commit_file(
        "src/hangar/fix.py",
        "FIX = 1\n",
        "fix: found while the release waited",
    );
    resume_refused(
        &repo,
        "1 new commit(s): \"fix: found while the release waited\"",
    );
    // The way out: abort, then a new plan that knows the fix.
    slipway(&repo, &["release", "--abort"]).ok();
    slipway(&repo, &["release", "--date", "2026-11-21"]).ok();
    assert!(read(&repo, "CHANGELOG.md").contains("found while the release waited"));
}

#[test]
fn resume_is_refused_after_a_branch_switch() {
    let repo = python_project();
    stopped_after_preflight(&repo);
    repo.branch("develop").checkout("develop");
    resume_refused(
        &repo,
        "it was planned on main, and HEAD is on develop (`git switch main` to resume it there)",
    );
    repo.checkout("main");
    slipway(&repo, &["release", "--resume"]).ok();
}

#[test]
fn resume_is_refused_after_head_moved() {
    let repo = python_project();
    repo.commit_file("src/hangar/more.py", "MORE = 1\n", "feat: more")
        .push();
    stopped_after_preflight(&repo);
    repo.git(&["reset", "--hard", "HEAD~1"]);
    resume_refused(&repo, "HEAD moved since the plan was made");
}

#[test]
fn resume_is_refused_after_the_configuration_changed() {
    let repo = python_project();
    stopped_after_preflight(&repo);
    repo.write("slipway.toml", "[changelog]\npath = \"HISTORY.md\"\n");
    resume_refused(
        &repo,
        "the configuration changed since the plan was made ([changelog])",
    );
}

#[test]
fn resume_goes_on_when_nothing_moved_and_after_its_own_commit() {
    let uninterrupted = python_project();
    slipway(&uninterrupted, &["release", "--date", "2026-11-21"]).ok();
    let expected = state(&uninterrupted);

    let repo = python_project();
    stopped_after_preflight(&repo);
    slipway(&repo, &["release", "--resume"]).ok();
    assert_eq!(state(&repo), expected);

    // HEAD is the release's own commit: that is no move.
    let repo = python_project();
    let run = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--date", "2026-11-21"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "commit")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    slipway(&repo, &["release", "--resume"]).ok();
    assert_eq!(state(&repo), expected);
}

#[test]
fn a_rust_workspace_release_moves_its_crates_in_cargo_lock() {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"1.1.0\"\n",
    )
    .write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"demo-core\"\nversion.workspace = true\n",
    )
    .write(
        "crates/cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"1.1.0\" }\n",
    )
    .write(
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"demo-cli\"\nversion = \"1.1.0\"\ndependencies = [\n \"demo-core\",\n]\n\n[[package]]\nname = \"demo-core\"\nversion = \"1.1.0\"\n\n[[package]]\nname = \"itoa\"\nversion = \"1.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").tag("v1.1.0");
    repo.commit_file("crates/core/src/lib.rs", "\n", "feat(core): more")
        .push();
    let plan = slipway(&repo, &["release", "--dry-run"]).ok();
    assert!(plan.contains("+++ b/Cargo.lock"), "{plan}");
    assert_eq!(slipway(&repo, &["release"]).ok(), "1.2.0\n");
    let lock = repo.git(&["show", "v1.2.0:Cargo.lock"]);
    assert!(
        lock.contains("name = \"demo-cli\"\nversion = \"1.2.0\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"demo-core\"\nversion = \"1.2.0\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"itoa\"\nversion = \"1.1.0\""),
        "{lock}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn check_reports_what_the_release_preflight_would_refuse() {
    let repo = python_project();
    repo.write(
        "slipway.toml",
        "[git]\nbranch = \"main\"\nsign-tags = true\n",
    )
    .commit("chore: strict")
    .push();
    repo.branch("feature").checkout("feature");
    let run = slipway(&repo, &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("releases are made from `main`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("signing key"), "{}", run.stderr);
}

#[test]
fn abort_takes_back_the_release_commit_on_its_own_branch_only() {
    let repo = python_project();
    let before = state(&repo);
    let run = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--date", "2026-11-21"])
        .env("SLIPWAY_TEST_FAIL_AFTER", "tag")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    repo.branch("elsewhere").checkout("elsewhere");
    let refused = slipway(&repo, &["release", "--abort"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("`git switch main`"),
        "{}",
        refused.stderr
    );
    repo.checkout("main");
    let report = slipway(&repo, &["release", "--abort"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report.stderr.contains("took back the release commit"),
        "{}",
        report.stderr
    );
    assert_eq!(state(&repo), before);
}

#[test]
fn hand_written_notes_survive_prepend_release_and_a_re_release() {
    let repo = python_project();
    slipway(&repo, &["release", "--date", "2026-11-21"]).ok();
    repo.commit_file("src/hangar/api.py", "API = 1\n", "feat: the api")
        .push();
    // The runbook's "CHANGELOG.md updated with release notes": a person writes under Unreleased.
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    let text = read(&repo, "CHANGELOG.md").replace(
        "## [Unreleased]\n",
        "## [Unreleased]\n\nUpgrade notes: restart the workers.\n",
    );
    let text = text.replacen(
        "### Added\n\n",
        "### Added\n\n- the dashboard, by hand\n",
        1,
    );
    repo.write("CHANGELOG.md", &text)
        .commit("docs: release notes")
        .push();
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    let prepended = read(&repo, "CHANGELOG.md");
    for kept in [
        "## [Unreleased]\n\nUpgrade notes: restart the workers.\n",
        "- the dashboard, by hand\n",
    ] {
        assert!(prepended.contains(kept), "{kept:?} in:\n{prepended}");
    }
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    assert_eq!(
        read(&repo, "CHANGELOG.md"),
        prepended,
        "twice changes nothing"
    );
    repo.git(&["add", "-A"]);
    repo.commit("docs: release notes, refreshed").push();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-22"]).ok(),
        "1.1.0\n"
    );
    let released = read(&repo, "CHANGELOG.md");
    let section =
        &released[released.find("## [1.1.0]").unwrap()..released.find("## [1.0.0]").unwrap()];
    for kept in [
        "Upgrade notes: restart the workers.\n",
        "- the dashboard, by hand\n",
        "- the api (",
    ] {
        assert!(section.contains(kept), "{kept:?} in:\n{section}");
    }
    // The tag's notes say what the file's section says, hand-written lines included.
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    for kept in [
        "Upgrade notes: restart the workers.",
        "- the dashboard, by hand",
        "- the api (",
    ] {
        assert!(
            notes.contains(kept),
            "{kept:?} in the tag's notes:\n{notes}"
        );
    }
    // The runbook's failed-release path: the tag goes, a fix comes, the version is released
    // again; its section follows the commits and keeps the hand-written lines.
    repo.git(&["tag", "-d", "v1.1.0"]);
    repo.git(&["push", "origin", ":refs/tags/v1.1.0"]);
    repo.commit_file(
        "src/hangar/api.py",
        "API = 2\n",
        "fix: the api's off-by-one",
    )
    .push();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-23"]).ok(),
        "1.1.0\n"
    );
    let again = read(&repo, "CHANGELOG.md");
    assert_eq!(again.matches("## [1.1.0]").count(), 1, "{again}");
    let section =
        &again[again.find("## [1.1.0] - 2026-11-23").unwrap()..again.find("## [1.0.0]").unwrap()];
    for kept in [
        "Upgrade notes: restart the workers.\n",
        "- the dashboard, by hand\n",
        "- the api (",
        "- the api's off-by-one (",
    ] {
        assert!(section.contains(kept), "{kept:?} in:\n{section}");
    }
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    assert!(notes.contains("the api's off-by-one"), "{notes}");
    assert!(notes.contains("- the dashboard, by hand"), "{notes}");
}

#[test]
fn the_stable_release_folds_its_candidates_sections_keeping_what_people_wrote() {
    let repo = python_project();
    slipway(&repo, &["release", "--date", "2026-11-20"]).ok();
    repo.commit_file("src/hangar/api.py", "API = 1\n", "feat(api): list endpoint")
        .push();
    slipway(&repo, &["release", "--pre", "rc", "--date", "2026-11-21"]).ok();
    // Someone notes a known issue under the candidate's section.
    let text = read(&repo, "CHANGELOG.md").replace(
        "## [1.1.0-rc.1] - 2026-11-21\n",
        "## [1.1.0-rc.1] - 2026-11-21\n\nKnown issue: the ARM image is slow.\n",
    );
    repo.write("CHANGELOG.md", &text);
    repo.git(&["add", "-A"]);
    repo.commit("docs: a known issue").push();
    repo.commit_file(
        "src/hangar/api.py",
        "API = 2\n",
        "fix: a bug found in the rc",
    )
    .push();
    slipway(&repo, &["release", "--pre", "rc", "--date", "2026-11-22"]).ok();
    assert!(read(&repo, "CHANGELOG.md").contains("## [1.1.0-rc.2]"));
    slipway(&repo, &["release", "--date", "2026-11-23"]).ok();
    let folded = read(&repo, "CHANGELOG.md");
    assert!(!folded.contains("1.1.0-rc"), "{folded}");
    let section = &folded
        [folded.find("## [1.1.0] - 2026-11-23").unwrap()..folded.find("## [1.0.0]").unwrap()];
    assert!(
        section.contains("Known issue: the ARM image is slow."),
        "{section}"
    );
    assert_eq!(section.matches("list endpoint").count(), 1, "{section}");
    assert_eq!(
        section.matches("a bug found in the rc").count(),
        1,
        "{section}"
    );

    // Configured to keep them, the candidates stay.
    let repo = python_project();
    repo.write(
        "slipway.toml",
        "[changelog]\nprerelease-sections = \"keep\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("chore: keep rc sections").push();
    slipway(&repo, &["release", "--pre", "rc"]).ok();
    slipway(&repo, &["release"]).ok();
    assert!(read(&repo, "CHANGELOG.md").contains("## [1.0.0-rc.1]"));
}

#[test]
fn plain_http_off_loopback_is_refused_and_credentials_in_clear_need_asking_twice() {
    let repo = python_project();
    let refused = |config: &str, env: &[(&str, &str)]| {
        repo.write("slipway.toml", config);
        let mut command = repo.command(env!("CARGO_BIN_EXE_slipway"));
        command.args(["release", "--dry-run"]);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{config}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let token = [("SLIPWAY_PYPI_TOKEN", "pypi-secret-token")];
    let stderr = refused(
        "[pypi]\nrepository-url = \"http://mirror.example/legacy/\"\n",
        &token,
    );
    assert!(
        stderr.contains("is plain HTTP to mirror.example, which is not a loopback address"),
        "{stderr}"
    );
    assert!(
        stderr.contains("slipway.toml:2: "),
        "the file and the line: {stderr}"
    );
    repo.write(
        "slipway.toml",
        "[pypi]\nrepository-url = \"http://mirror.example/legacy/\"\ninsecure = true\n",
    );
    repo.git(&["add", "slipway.toml"]);
    repo.git(&["commit", "--quiet", "-m", "chore: an insecure mirror"]);
    // The dry run names what would stop the release, and says so by its exit status.
    let output = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--dry-run"])
        .env("SLIPWAY_PYPI_TOKEN", "pypi-secret-token")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        stderr.contains("credentials would go to mirror.example in clear text"),
        "{stderr}"
    );
    assert!(!stderr.contains("pypi-secret-token"), "{stderr}");
    let stderr = refused(
        "[github]\napi-url = \"http://github.example/api/\"\nrepository = \"o/r\"\n",
        &[("GITHUB_TOKEN", "ghp_secret")],
    );
    assert!(stderr.contains("github.api-url"), "{stderr}");
    assert!(
        stderr.contains("slipway.toml:2: "),
        "the file and the line: {stderr}"
    );
    // Asked twice, the dry run goes on (and still sends nothing).
    repo.write(
        "slipway.toml",
        "[pypi]\nrepository-url = \"http://mirror.example/legacy/\"\ninsecure = true\nallow-insecure-credentials = true\n",
    );
    let output = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--dry-run"])
        .env("SLIPWAY_PYPI_TOKEN", "pypi-secret-token")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("plain HTTP"), "{stderr}");
}
