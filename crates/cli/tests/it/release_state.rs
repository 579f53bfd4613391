//! The next version on repositories shaped like real ones (issue 11): hotfix lines off main,
//! stable releases on maintenance branches, a tag scheme that changed, bare tags only, and
//! package-prefixed tags. Each shape is checked through `next-version`, and where it matters
//! through `release`, `hotfix start` and `changelog`.

use gitops::test_support::TestRepo;

use crate::support::slipway;

fn python_repo(version: &str) -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "pyproject.toml",
        &format!("[project]\nname = \"hangar\"\nversion = \"{version}\"\n"),
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature");
    repo
}

fn next_version(repo: &TestRepo, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["next-version", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&slipway(repo, &all).ok()).unwrap()
}

#[test]
fn after_a_hotfix_line_main_takes_the_next_free_patch() {
    let repo = python_repo("1.1.0");
    repo.tag("v1.1.0").push();
    slipway(&repo, &["hotfix", "start", "v1.1.0"]).ok();
    repo.commit_file("fix.py", "FIX = 1\n", "fix: the crash in 1.1.0");
    assert_eq!(
        slipway(&repo, &["hotfix", "finish", "--cherry-pick-to", "main"]).ok(),
        "1.1.1\n"
    );
    repo.checkout("main");
    repo.commit_file("other.py", "X = 1\n", "fix: another bug on main");
    // v1.1.1 is on the hotfix branch, not in main's history: main's next patch is 1.1.2.
    let next = next_version(&repo, &[]);
    assert_eq!(next["current"], "1.1.0");
    assert_eq!(next["next"], "1.1.2", "{next}");
    assert_eq!(next["skipped"], serde_json::json!(["1.1.1"]));
    assert_eq!(slipway(&repo, &["release"]).ok(), "1.1.2\n");
    // A second hotfix of 1.1.0 starts after the line's latest release.
    assert_eq!(
        slipway(&repo, &["hotfix", "start", "v1.1.0"]).ok(),
        "hotfix/1.1.3\n"
    );
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["rev-parse", "v1.1.2^{commit}"])
    );
}

#[test]
fn a_hotfix_branch_for_a_released_version_is_refused_with_the_next_free_one() {
    let repo = python_repo("1.1.0");
    repo.tag("v1.1.0");
    repo.branch("hotfix/1.1.1").checkout("hotfix/1.1.1");
    repo.commit("fix: one").tag("v1.1.1");
    repo.push();
    repo.commit("fix: two").push();
    let run = slipway(&repo, &["hotfix", "finish"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1.1.1 is already released (tag v1.1.1)")
            && run
                .stderr
                .contains("the next free version of the 1.1 line is 1.1.2"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("delete"), "{}", run.stderr);
}

/// main: 1.0.0 long ago, two commits, then only `-next.N` pre-releases of 2.0.0; the stable 1.x
/// releases are cut on the `1.x` branch, which forks after those two commits and is never merged.
fn maintenance_shape() -> TestRepo {
    let repo = python_repo("1.0.0");
    repo.tag("v1.0.0");
    // Work that shipped in 1.1.0 from the 1.x branch, which forks after it.
    repo.commit("fix: shipped in 1.1.0")
        .commit("feat: shipped in 1.1.0");
    repo.branch("1.x");
    for n in 1..=3 {
        repo.commit(&format!("feat!: next {n}"))
            .tag(&format!("v2.0.0-next.{n}"));
    }
    repo.checkout("1.x");
    for minor in 1..=4 {
        repo.commit(&format!("feat: 1.{minor}"))
            .tag(&format!("v1.{minor}.0"));
    }
    repo.checkout("main");
    repo.commit("fix: on main after next.3");
    repo
}

#[test]
fn a_pre_release_train_on_main_continues_and_is_promoted_without_jumping_majors() {
    let repo = maintenance_shape();
    let train = next_version(&repo, &["--pre", "next"]);
    assert_eq!(train["current"], "2.0.0-next.3");
    assert_eq!(train["next"], "2.0.0-next.4", "{train}");
    // Without --pre, the train is promoted: never 3.0.0 for breaking changes already in 2.0.0.
    let promoted = next_version(&repo, &[]);
    assert_eq!(promoted["next"], "2.0.0", "{promoted}");
    assert_eq!(promoted["level"], "promote");
    // The commits are counted from the 1.x line's latest release (`HEAD ^v1.4.0`), not from
    // 1.0.0, the latest stable release in main's own history: 4 commits, not 6.
    assert_eq!(promoted["commits"], 4, "{promoted}");
}

#[test]
fn a_scheme_change_from_v_tags_to_bare_tags_is_read_whole() {
    let repo = python_repo("1.0.0");
    repo.tag("v1.0.0");
    repo.commit("feat: b").tag("v1.1.0");
    repo.commit("feat: c").tag("1.2.0");
    repo.commit("fix: d").tag("1.2.1");
    repo.commit("feat: e");
    let next = next_version(&repo, &[]);
    assert_eq!(next["current"], "1.2.1");
    assert_eq!(next["next"], "1.3.0");
    assert_eq!(
        next["next_tag"], "1.3.0",
        "new tags follow the latest release's scheme"
    );
    let changelog = slipway(&repo, &["changelog"]).ok();
    for release in ["## [1.2.1]", "## [1.2.0]", "## [1.1.0]", "## [1.0.0]"] {
        assert!(changelog.contains(release), "{release} in:\n{changelog}");
    }
    let unreleased = changelog.split("## [1.2.1]").next().unwrap();
    assert!(
        !unreleased.contains("- c (") && unreleased.contains("- e ("),
        "{unreleased}"
    );
}

#[test]
fn bare_tags_only() {
    let repo = python_repo("1.0.0");
    repo.tag("1.0.0");
    repo.commit("fix: a bug");
    let next = next_version(&repo, &[]);
    assert_eq!(
        (
            next["current"].as_str(),
            next["next"].as_str(),
            next["next_tag"].as_str()
        ),
        (Some("1.0.0"), Some("1.0.1"), Some("1.0.1"))
    );
    repo.push();
    assert_eq!(slipway(&repo, &["release"]).ok(), "1.0.1\n");
    assert_eq!(repo.remote_git(&["tag", "-l"]), "1.0.0\n1.0.1\n");
}

#[test]
fn package_prefixed_tags_with_a_configured_pattern() {
    for (pattern, name, tag) in [
        ("{package}-v{version}", "hangar", "hangar-v1.0.0"),
        ("{package}@{version}", "hangar", "hangar@1.0.0"),
        ("{package}@{version}", "@acme/hangar", "@acme/hangar@1.0.0"),
    ] {
        let repo = python_repo("1.0.0");
        repo.write(
            "slipway.toml",
            &format!("name = \"{name}\"\ntag-pattern = \"{pattern}\"\n"),
        );
        repo.git(&["add", "-A"]);
        repo.commit("chore: configure").tag(tag);
        repo.commit("feat: more");
        let next = next_version(&repo, &[]);
        assert_eq!(next["current"], "1.0.0", "{pattern}");
        assert_eq!(next["next"], "1.1.0", "{pattern}");
        assert_eq!(next["next_tag"], tag.replace("1.0.0", "1.1.0"), "{pattern}");
    }
}

#[test]
fn package_prefixed_tags_are_detected_without_a_pattern() {
    for tag in ["hangar-v1.0.0", "hangar@1.0.0"] {
        let repo = python_repo("1.0.0");
        repo.tag(tag);
        repo.commit("fix: a bug");
        let next = next_version(&repo, &[]);
        assert_eq!(next["current"], "1.0.0", "{tag}");
        assert_eq!(next["next_tag"], tag.replace("1.0.0", "1.0.1"), "{tag}");
    }
}

#[test]
fn tags_no_pattern_reads_are_reported_never_silently_dropped() {
    let repo = python_repo("1.0.0");
    repo.tag("v1.0.0");
    repo.commit("feat: b").tag("release-1.1.0").tag("v1.2");
    let run = slipway(&repo, &["-v", "next-version"]);
    assert_eq!(run.stdout, "1.1.0\n", "{}", run.stderr);
    assert!(
        run.stderr
            .contains("2 version-like tag(s) are not read as releases")
            && run.stderr.contains("release-1.1.0"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_placeholder_root_defers_to_its_package() {
    for root in [
        "[tool.ruff]\nline-length = 100\n",
        "[project]\nname = \"workspace\"\nversion = \"0.0.0\"\n",
        "[project]\nname = \"workspace\"\ndynamic = [\"version\"]\n",
    ] {
        let repo = TestRepo::new().with_remote();
        repo.write("pyproject.toml", root)
            .write(
                "packages/core/pyproject.toml",
                "[project]\nname = \"acme-core\"\nversion = \"1.4.0\"\n",
            )
            .write(
                "packages/core/src/acme_core/__init__.py",
                "__version__ = \"1.4.0\"\n",
            );
        repo.git(&["add", "-A"]);
        repo.commit("feat: core").tag("v1.4.0");
        repo.commit_file("packages/core/src/acme_core/x.py", "X = 1\n", "fix: a bug")
            .push();
        assert_eq!(
            slipway(&repo, &["version", "check"]).ok(),
            "1.4.0\n",
            "{root}"
        );
        let check = slipway(&repo, &["check"]);
        assert_eq!(check.code, 0, "{root}: {}", check.stderr);
        assert!(
            check.stderr.contains(
                "version file packages/core/pyproject.toml: the package's own files: the root pyproject.toml is a placeholder"
            ),
            "{}",
            check.stderr
        );
        assert_eq!(slipway(&repo, &["release"]).ok(), "1.4.1\n", "{root}");
        assert_eq!(
            repo.git(&["show", "v1.4.1:packages/core/src/acme_core/__init__.py"]),
            "__version__ = \"1.4.1\"\n"
        );
        assert_eq!(
            repo.git(&["show", "v1.4.1:pyproject.toml"]),
            root,
            "the root stays"
        );
    }
}

#[test]
fn check_fails_when_the_version_files_disagree_with_the_latest_release() {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"hangar\"\nversion = \"0.0.1\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: a").tag("v1.4.0").push();
    let check = slipway(&repo, &["check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains(
            "the version files say 0.0.1 (pyproject.toml), and the latest release is 1.4.0 (tag v1.4.0): fix the version, or name the files that carry it under [[version-files]]"
        ),
        "{}",
        check.stderr
    );
}
