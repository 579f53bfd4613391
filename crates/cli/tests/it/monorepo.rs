//! Repositories of several packages (issue 15): discovery, per-package history, tags and
//! changelogs, one release of every package with pending changes and of the dependents whose
//! requirements must follow, and change files.

use gitops::test_support::TestRepo;

use crate::support::slipway;

fn read(repo: &TestRepo, path: &str) -> String {
    std::fs::read_to_string(repo.path().join(path)).unwrap_or_default()
}

fn pyproject(name: &str, version: &str, dependencies: &[&str]) -> String {
    let dependencies: Vec<String> = dependencies
        .iter()
        .map(|dependency| format!("\"{dependency}\""))
        .collect();
    format!(
        "[project]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [{}]\n",
        dependencies.join(", ")
    )
}

/// A uv workspace: `core`, `app` (which pins `core==1.0.0`) and `tools` (which asks for
/// `core>=1.0`), each released at 1.0.0, behind a tooling-only root.
fn python_monorepo() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n\n[tool.ruff]\nline-length = 100\n",
    )
    .write(
        "packages/core/pyproject.toml",
        &pyproject("core", "1.0.0", &[]),
    )
    .write(
        "packages/app/pyproject.toml",
        &pyproject("app", "1.0.0", &["core==1.0.0", "httpx>=0.27"]),
    )
    .write(
        "packages/tools/pyproject.toml",
        &pyproject("tools", "1.0.0", &["core>=1.0"]),
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first version")
        .tag("core-v1.0.0")
        .tag("app-v1.0.0")
        .tag("tools-v1.0.0")
        .push();
    repo
}

#[test]
fn a_python_monorepo_releases_the_changed_package_and_the_one_that_pins_it_nothing_else() {
    let repo = python_monorepo();
    repo.commit_file(
        "packages/core/core.py",
        "def batch(): ...\n",
        "feat(core): batches",
    )
    .push();
    let listed: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["packages", "--json"]).ok()).unwrap();
    let rows: Vec<(String, String, Option<String>)> = listed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap().to_owned(),
                row["last_tag"].as_str().unwrap().to_owned(),
                row["next"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("app".to_owned(), "app-v1.0.0".to_owned(), None),
            (
                "core".to_owned(),
                "core-v1.0.0".to_owned(),
                Some("1.1.0".to_owned())
            ),
            ("tools".to_owned(), "tools-v1.0.0".to_owned(), None),
        ]
    );
    assert_eq!(
        slipway(&repo, &["next-version", "--package", "core"]).ok(),
        "1.1.0\n"
    );
    let unnamed = slipway(&repo, &["next-version"]);
    assert_eq!(unnamed.code, 2, "{}", unnamed.stderr);
    assert!(
        unnamed
            .stderr
            .contains("name one with --package (app, core, tools)"),
        "{}",
        unnamed.stderr
    );
    let plan = slipway(&repo, &["release", "--dry-run", "--date", "2026-11-21"]).ok();
    assert!(
        plan.starts_with("release core 1.1.0, app 1.0.1 on branch main"),
        "{plan}"
    );
    assert!(
        plan.contains("app 1.0.1 (patch, from 1.0.0; follows core 1.1.0) tag app-v1.0.1"),
        "{plan}"
    );
    assert!(
        plan.contains("-dependencies = [\"core==1.0.0\", \"httpx>=0.27\"]\n"),
        "{plan}"
    );
    assert!(
        plan.contains("+dependencies = [\"core==1.1.0\", \"httpx>=0.27\"]\n"),
        "{plan}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "core 1.1.0\napp 1.0.1\n"
    );
    assert_eq!(
        repo.remote_git(&["tag", "-l"]),
        "app-v1.0.0\napp-v1.0.1\ncore-v1.0.0\ncore-v1.1.0\ntools-v1.0.0\n"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "chore(release): core 1.1.0, app 1.0.1\n"
    );
    assert_eq!(
        read(&repo, "packages/core/pyproject.toml"),
        pyproject("core", "1.1.0", &[])
    );
    assert_eq!(
        read(&repo, "packages/app/pyproject.toml"),
        pyproject("app", "1.0.1", &["core==1.1.0", "httpx>=0.27"])
    );
    assert_eq!(
        read(&repo, "packages/tools/pyproject.toml"),
        pyproject("tools", "1.0.0", &["core>=1.0"])
    );
    // Each changelog lists its own package's changes only.
    let core = read(&repo, "packages/core/CHANGELOG.md");
    assert!(
        core.starts_with(
            "# Changelog of core\n\nAll notable changes to core will be documented in this file.\n"
        ),
        "a package's new changelog names it: {core}"
    );
    assert!(core.contains("## [1.1.0] - 2026-11-21"), "{core}");
    assert!(core.contains("batches"), "{core}");
    let app = read(&repo, "packages/app/CHANGELOG.md");
    assert!(
        app.contains("## [1.0.1] - 2026-11-21\n\n### Dependencies\n\n- core 1.1.0\n"),
        "{app}"
    );
    assert!(!app.contains("batches"), "{app}");
    assert!(!repo.path().join("packages/tools/CHANGELOG.md").exists());
    assert!(!repo.path().join("CHANGELOG.md").exists());
    // Each tag names its package.
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "core-v1.1.0"]);
    assert!(message.starts_with("core 1.1.0\n"), "{message}");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // Nothing is pending any more.
    let again = slipway(&repo, &["release"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("no package has changes"),
        "{}",
        again.stderr
    );
    assert_eq!(repo.git(&["tag", "-l"]).lines().count(), 5);
    let changelog = slipway(&repo, &["changelog", "--package", "app"]).ok();
    assert!(
        changelog.contains("## [1.0.1]") && !changelog.contains("batches"),
        "{changelog}"
    );
}

#[test]
fn a_cargo_workspace_rewrites_exact_pins_and_leaves_compatible_requirements() {
    let repo = TestRepo::new().with_remote();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n")
        .write("crates/util/Cargo.toml", "[package]\nname = \"demo-util\"\nversion = \"1.0.0\"\n")
        .write(
            "crates/core/Cargo.toml",
            "[package]\nname = \"demo-core\"\nversion = \"0.4.0\"\n\n[dependencies]\ndemo-util = { path = \"../util\", version = \"=1.0.0\" }\n",
        )
        .write(
            "crates/cli/Cargo.toml",
            "[package]\nname = \"demo-cli\"\nversion = \"2.0.0\"\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"0.4\" }\ndemo-util = { path = \"../util\", version = \"1.0\" }\n",
        )
        .write(
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"demo-cli\"\nversion = \"2.0.0\"\n\n[[package]]\nname = \"demo-core\"\nversion = \"0.4.0\"\n\n[[package]]\nname = \"demo-util\"\nversion = \"1.0.0\"\n",
        );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first version")
        .tag("demo-util-v1.0.0")
        .tag("demo-core-v0.4.0")
        .tag("demo-cli-v2.0.0");
    repo.commit_file("crates/util/src/lib.rs", "\n", "fix(util): an overflow")
        .push();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "demo-util 1.0.1\ndemo-core 0.4.1\n"
    );
    assert_eq!(
        read(&repo, "crates/core/Cargo.toml"),
        "[package]\nname = \"demo-core\"\nversion = \"0.4.1\"\n\n[dependencies]\ndemo-util = { path = \"../util\", version = \"=1.0.1\" }\n"
    );
    // `0.4` admits 0.4.1 and `1.0` admits 1.0.1: the CLI is not released.
    assert_eq!(
        read(&repo, "crates/cli/Cargo.toml"),
        "[package]\nname = \"demo-cli\"\nversion = \"2.0.0\"\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"0.4\" }\ndemo-util = { path = \"../util\", version = \"1.0\" }\n"
    );
    let lock = read(&repo, "Cargo.lock");
    assert!(
        lock.contains("name = \"demo-cli\"\nversion = \"2.0.0\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"demo-core\"\nversion = \"0.4.1\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"demo-util\"\nversion = \"1.0.1\""),
        "{lock}"
    );
    assert!(read(&repo, "crates/core/CHANGELOG.md").contains("- demo-util 1.0.1"));
    assert!(read(&repo, "crates/util/CHANGELOG.md").contains("an overflow"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(slipway(&repo, &["release"]).code, 2);
}

#[test]
fn a_member_with_its_own_version_keeps_it_in_a_workspace_release() {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"1.1.0\"\n",
    )
    .write("crates/core/Cargo.toml", "[package]\nname = \"demo-core\"\nversion.workspace = true\n")
    .write(
        "crates/macros/Cargo.toml",
        "[package]\nname = \"demo-macros\"\nversion = \"0.3.0\"\n",
    )
    .write(
        "crates/cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"1.1.0\" }\ndemo-macros = { path = \"../macros\", version = \"0.3.0\" }\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").tag("v1.1.0");
    repo.commit("feat: more").push();
    assert_eq!(slipway(&repo, &["release"]).ok(), "1.2.0\n");
    assert_eq!(
        read(&repo, "crates/macros/Cargo.toml"),
        "[package]\nname = \"demo-macros\"\nversion = \"0.3.0\"\n"
    );
    assert_eq!(
        read(&repo, "crates/cli/Cargo.toml"),
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"1.2.0\" }\ndemo-macros = { path = \"../macros\", version = \"0.3.0\" }\n"
    );
}

#[test]
fn an_npm_workspace_rewrites_exact_pins_of_scoped_packages() {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "package.json",
        "{\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
    )
    .write("packages/core/package.json", "{\n  \"name\": \"@acme/core\",\n  \"version\": \"1.0.0\"\n}\n")
    .write(
        "packages/web/package.json",
        "{\n  \"name\": \"@acme/web\",\n  \"version\": \"2.0.0\",\n  \"dependencies\": {\n    \"@acme/core\": \"1.0.0\"\n  }\n}\n",
    )
    .write(
        "packages/docs/package.json",
        "{\n  \"name\": \"@acme/docs\",\n  \"version\": \"0.1.0\",\n  \"devDependencies\": {\n    \"@acme/core\": \"^1.0.0\"\n  }\n}\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first version")
        .tag("@acme/core-v1.0.0")
        .tag("@acme/web-v2.0.0")
        .tag("@acme/docs-v0.1.0");
    repo.commit_file("packages/core/index.js", "export {}\n", "feat: exports")
        .push();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "@acme/core 1.1.0\n@acme/web 2.0.1\n"
    );
    assert_eq!(
        read(&repo, "packages/web/package.json"),
        "{\n  \"name\": \"@acme/web\",\n  \"version\": \"2.0.1\",\n  \"dependencies\": {\n    \"@acme/core\": \"1.1.0\"\n  }\n}\n"
    );
    assert!(read(&repo, "packages/docs/package.json").contains("\"version\": \"0.1.0\""));
    assert!(read(&repo, "packages/docs/package.json").contains("\"^1.0.0\""));
    assert_eq!(
        repo.remote_git(&["tag", "-l"]),
        "@acme/core-v1.0.0\n@acme/core-v1.1.0\n@acme/docs-v0.1.0\n@acme/web-v2.0.0\n@acme/web-v2.0.1\n"
    );
    assert_eq!(slipway(&repo, &["release"]).code, 2);
}

#[test]
fn a_change_file_releases_its_package_at_its_level_with_its_text_and_is_consumed() {
    let repo = python_monorepo();
    repo.commit_file("packages/tools/cli.py", "\n", "Batch (#24)");
    let added = slipway(
        &repo,
        &[
            "change",
            "add",
            "--package",
            "tools",
            "--level",
            "minor",
            "Batches of **500** items.\n\nUp from 100.",
        ],
    )
    .ok();
    assert_eq!(added, ".changes/batches-of-500-items-up-from.md\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "--quiet", "-m", "Add a change file"]);
    repo.push();
    assert_eq!(
        slipway(&repo, &["next-version", "--package", "tools"]).ok(),
        "1.1.0\n"
    );
    let before = repo.git(&["status", "--porcelain"]) + &repo.git(&["tag", "-l"]);
    let plan = slipway(&repo, &["release", "--dry-run", "--date", "2026-11-21"]).ok();
    assert!(
        plan.starts_with("release tools 1.1.0 on branch main"),
        "{plan}"
    );
    assert!(plan.contains("+- Batches of **500** items."), "{plan}");
    assert!(
        plan.contains("-core: minor") || plan.contains("-tools: minor"),
        "{plan}"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]) + &repo.git(&["tag", "-l"]),
        before
    );

    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "tools 1.1.0\n"
    );
    let changelog = read(&repo, "packages/tools/CHANGELOG.md");
    assert!(
        changelog.contains("### Added\n\n- Batches of **500** items.\n\n  Up from 100.\n"),
        "{changelog}"
    );
    assert_eq!(repo.git(&["ls-files", ".changes"]), "");
    assert!(
        !repo
            .path()
            .join(".changes/batches-of-500-items-up-from.md")
            .exists()
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(slipway(&repo, &["release"]).code, 2);
}

#[test]
fn a_change_file_works_in_a_single_package_repository() {
    let repo = crate::release::python_project();
    slipway(&repo, &["release"]).ok();
    repo.commit("Batch (#24)");
    slipway(
        &repo,
        &["change", "add", "--level", "minor", "The batch endpoint."],
    )
    .ok();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "--quiet", "-m", "Add a change file"]);
    repo.push();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "1.1.0\n"
    );
    let changelog = read(&repo, "CHANGELOG.md");
    assert!(
        changelog.contains("### Added\n\n- The batch endpoint.\n"),
        "{changelog}"
    );
    assert_eq!(repo.git(&["ls-files", ".changes"]), "");
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    assert!(notes.contains("The batch endpoint."), "{notes}");
    // A change file naming something else is refused, with the file and the fix.
    repo.commit_file(
        ".changes/x.md",
        "---\nelsewhere: patch\n---\nx\n",
        "docs: x",
    )
    .push();
    let refused = slipway(&repo, &["release"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains(
            "change file .changes/x.md names elsewhere, which is not the project's name (hangar)"
        ),
        "{}",
        refused.stderr
    );
}

/// Everything a release of the Python monorepo can change.
fn state(repo: &TestRepo) -> String {
    let log = repo.git(&["log", "--format=%s", "main"]);
    let tags = repo.git(&[
        "tag",
        "-l",
        "--format=%(refname:short) %(subject) -> %(*subject)%(subject)",
    ]);
    let remote_tags = repo.remote_git(&["tag", "-l"]);
    let in_sync = repo.git(&["rev-parse", "main"]) == repo.remote_git(&["rev-parse", "main"]);
    let files: String = [
        "packages/core/pyproject.toml",
        "packages/app/pyproject.toml",
        "packages/core/CHANGELOG.md",
        "packages/app/CHANGELOG.md",
        ".changes/core.md",
    ]
    .iter()
    .map(|path| format!("{path}:\n{}", read(repo, path)))
    .collect::<Vec<_>>()
    .concat();
    format!(
        "log:\n{log}tags:\n{tags}remote tags:\n{remote_tags}in sync: {in_sync}\nstatus: {:?}\n{files}journal: {}\n",
        repo.git(&["status", "--porcelain"]),
        repo.path().join(".git/slipway/release.json").exists()
    )
}

fn two_package_release() -> TestRepo {
    let repo = python_monorepo();
    repo.commit_file(
        ".changes/core.md",
        "---\ncore: minor\n---\nBatches.\n",
        "Batch (#24)",
    )
    .push();
    repo
}

#[test]
fn every_step_of_a_two_package_release_resumes_to_the_state_of_an_uninterrupted_run() {
    let uninterrupted = two_package_release();
    assert_eq!(
        slipway(&uninterrupted, &["release", "--date", "2026-11-21"]).ok(),
        "core 1.1.0\napp 1.0.1\n"
    );
    let expected = state(&uninterrupted);
    for variable in ["SLIPWAY_TEST_FAIL_AFTER", "SLIPWAY_TEST_FAIL_BEFORE_RECORD"] {
        for step in crate::release::LOCAL_STEPS {
            let repo = two_package_release();
            let failed = repo
                .command(env!("CARGO_BIN_EXE_slipway"))
                .args(["release", "--date", "2026-11-21"])
                .env("SOURCE_DATE_EPOCH", "1763683200")
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
                slipway(&repo, &["release", "--date", "2026-11-21"]).ok();
            } else {
                let refused = slipway(&repo, &["release"]);
                assert_eq!(refused.code, 2, "{variable}={step}");
                slipway(&repo, &["release", "--resume"]).ok();
            }
            assert_eq!(state(&repo), expected, "{variable}={step}");
        }
    }
}

#[test]
fn workspace_member_globs_and_exclusions_are_read_as_uv_and_npm_read_them() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"libs/**\", \"apps/{api,web}\"]\nexclude = [\"libs/legacy\"]\n",
    )
    .write("libs/core/pyproject.toml", &pyproject("core", "1.0.0", &[]))
    .write("libs/io/http/pyproject.toml", &pyproject("http", "0.3.0", &[]))
    .write("libs/legacy/pyproject.toml", &pyproject("legacy", "0.1.0", &[]))
    .write("apps/api/pyproject.toml", &pyproject("api", "2.0.0", &[]))
    .write("apps/web/pyproject.toml", &pyproject("web", "2.0.0", &[]))
    .write("apps/admin/pyproject.toml", &pyproject("admin", "2.0.0", &[]));
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first version");
    let listed: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["packages", "--json"]).ok()).unwrap();
    let paths: Vec<&str> = listed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["apps/api", "libs/core", "libs/io/http", "apps/web"],
        "in name order: api, core, http, web"
    );

    let npm = TestRepo::new();
    npm.write(
        "package.json",
        "{\"private\": true, \"workspaces\": [\"packages/*\", \"!packages/private\"]}\n",
    )
    .write(
        "packages/ui/package.json",
        "{\"name\": \"@acme/ui\", \"version\": \"1.0.0\"}\n",
    )
    .write(
        "packages/api/package.json",
        "{\"name\": \"@acme/api\", \"version\": \"1.0.0\"}\n",
    )
    .write(
        "packages/private/package.json",
        "{\"name\": \"@acme/private\", \"version\": \"0.0.1\"}\n",
    );
    npm.git(&["add", "-A"]);
    npm.commit("feat: the first version");
    let listed: serde_json::Value =
        serde_json::from_str(&slipway(&npm, &["packages", "--json"]).ok()).unwrap();
    let names: Vec<&str> = listed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["@acme/api", "@acme/ui"]);
}

#[test]
fn a_hotfix_of_one_package_releases_it_alone_and_cherry_picks_the_fix_to_main() {
    let repo = python_monorepo();
    repo.commit_file(
        "packages/core/core.py",
        "def batch(): ...\n",
        "feat(core): batches",
    )
    .push();
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-21"]).ok(),
        "core 1.1.0\napp 1.0.1\n"
    );
    repo.commit_file(
        "packages/core/next.py",
        "NEXT = 1\n",
        "feat(core): work for 1.2",
    )
    .push();

    // The package is named by its tag, or with --package; the branch names the package.
    let unnamed = slipway(&repo, &["hotfix", "start"]);
    assert_eq!(unnamed.code, 2, "{}", unnamed.stderr);
    assert!(
        unnamed
            .stderr
            .contains("name one with --package (app, core, tools)"),
        "{}",
        unnamed.stderr
    );
    assert_eq!(
        slipway(
            &repo,
            &["hotfix", "start", "--package", "core", "--dry-run"]
        )
        .ok(),
        "hotfix/core-1.1.1\n"
    );
    assert_eq!(
        slipway(&repo, &["hotfix", "start", "core-v1.1.0"]).ok(),
        "hotfix/core-1.1.1\n"
    );
    repo.commit_file(
        "packages/core/core.py",
        "def batch(): return []\n",
        "fix(core): batches of nothing",
    );
    // A commit of another package on core's hotfix branch is said, not released.
    repo.commit_file("packages/app/app.py", "A = 1\n", "fix(app): a stray fix");
    let finish = slipway(
        &repo,
        &[
            "hotfix",
            "finish",
            "--cherry-pick-to",
            "main",
            "--date",
            "2026-11-22",
        ],
    );
    assert!(
        finish.stderr.contains(
            "\"fix(app): a stray fix\" touches nothing of core: this hotfix does not release it, and it is cherry-picked onto main with the fix"
        ),
        "{}",
        finish.stderr
    );
    assert_eq!(finish.ok(), "core 1.1.1\n");
    assert_eq!(
        repo.remote_git(&["tag", "-l", "core-*"]),
        "core-v1.0.0\ncore-v1.1.0\ncore-v1.1.1\n"
    );
    assert_eq!(
        repo.remote_git(&["log", "-1", "--format=%s", "core-v1.1.1"]),
        "chore(release): core 1.1.1\n"
    );
    let at_tag = |path: &str| repo.remote_git(&["show", &format!("core-v1.1.1:{path}")]);
    assert!(at_tag("packages/core/pyproject.toml").contains("version = \"1.1.1\""));
    // app is not released: its pin stays on the release it was made with.
    assert!(
        at_tag("packages/app/pyproject.toml").contains("\"core==1.1.0\""),
        "{}",
        at_tag("packages/app/pyproject.toml")
    );
    let section = at_tag("packages/core/CHANGELOG.md");
    assert!(section.contains("## [1.1.1] - 2026-11-22"), "{section}");
    assert!(section.contains("batches of nothing"), "{section}");
    assert!(!section.contains("work for 1.2"), "{section}");
    assert!(!at_tag("packages/app/CHANGELOG.md").contains("1.1.1"));

    // main has the fix and core's changelog lists the hotfix.
    assert_eq!(
        repo.remote_git(&["log", "--format=%s", "-3", "main"]),
        "chore(release): core 1.1.1 in the changelog\nfix(app): a stray fix\nfix(core): batches of nothing\n"
    );
    assert!(
        repo.remote_git(&["show", "main:packages/core/CHANGELOG.md"])
            .contains("## [1.1.1] - 2026-11-22")
    );
    assert!(
        repo.remote_git(&["show", "main:packages/core/pyproject.toml"])
            .contains("version = \"1.1.0\""),
        "main keeps its own version"
    );
}

#[test]
fn check_looks_at_each_package_on_its_own() {
    let repo = python_monorepo();
    let clean = slipway(&repo, &["check"]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(
        clean
            .stderr
            .contains("version file packages/core/pyproject.toml: core: detected"),
        "{}",
        clean.stderr
    );
    // A package whose files disagree with its latest release is named.
    repo.commit_file(
        "packages/app/pyproject.toml",
        &pyproject("app", "1.3.0", &["core==1.0.0", "httpx>=0.27"]),
        "chore: a hand-made bump",
    )
    .push();
    let wrong = slipway(&repo, &["check"]);
    assert_eq!(wrong.code, 1, "{}{}", wrong.stdout, wrong.stderr);
    let text = format!("{}{}", wrong.stdout, wrong.stderr);
    assert!(text.contains("app: the version files say 1.3.0"), "{text}");
    assert!(!text.contains("core: the version files"), "{text}");
}

#[test]
fn a_change_file_naming_a_package_not_released_stays_for_it() {
    let repo = python_monorepo();
    repo.write(
        ".changes/shared.md",
        "---\ncore: minor\ntools: patch\n---\nBatches of 500.\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("Batch (#24)").push();
    let plan = slipway(&repo, &["release", "--package", "core", "--dry-run"]).ok();
    assert!(
        plan.contains("keep .changes/shared.md for the packages not released"),
        "{plan}"
    );
    assert!(plan.contains("-core: minor\n"), "{plan}");
    assert_eq!(
        slipway(
            &repo,
            &["release", "--package", "core", "--date", "2026-11-21"]
        )
        .ok(),
        "core 1.1.0\napp 1.0.1\n"
    );
    assert_eq!(
        read(&repo, ".changes/shared.md"),
        "---\ntools: patch\n---\nBatches of 500.\n"
    );
    assert!(read(&repo, "packages/core/CHANGELOG.md").contains("Batches of 500."));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // tools still has its change, and the next release consumes the rest of the file.
    assert_eq!(
        slipway(&repo, &["release", "--date", "2026-11-22"]).ok(),
        "tools 1.0.1\n"
    );
    assert!(!repo.path().join(".changes/shared.md").exists());
    assert!(read(&repo, "packages/tools/CHANGELOG.md").contains("Batches of 500."));
}

#[test]
fn package_settings_that_cannot_work_are_refused_before_anything_is_written() {
    let outside = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(outside.path().join("web")).unwrap();
    fs_err::write(
        outside.path().join("web/pyproject.toml"),
        pyproject("web", "1.0.0", &[]),
    )
    .unwrap();
    for (settings, expected) in [
        (
            "[[packages]]\npath = \"packages/core\"\n[[packages]]\npath = \"../victim/web\"\n"
                .to_owned(),
            "is outside the project directory",
        ),
        (
            format!(
                "[[packages]]\npath = \"packages/core\"\n[[packages]]\npath = \"{}\"\n",
                outside.path().join("web").display()
            ),
            "is outside the project directory",
        ),
        (
            "[[packages]]\npath = \"packages/core\"\n[[packages]]\npath = \"./packages/core/\"\nname = \"again\"\n"
                .to_owned(),
            "[[packages]] lists packages/core twice",
        ),
        (
            "[[packages]]\npath = \"packages/core\"\ntag-pattern = \"v{version}\"\n[[packages]]\npath = \"packages/app\"\ntag-pattern = \"v{version}\"\n"
                .to_owned(),
            "'s tag pattern reads ",
        ),
        (
            "[[packages]]\npath = \"packages/core\"\ntag-pattern = \"release-{version}\"\n[[packages]]\npath = \"packages/app\"\ntag-pattern = \"release-{version}-app\"\n"
                .to_owned(),
            "core's tag pattern reads app's tag release-1.0.0-app as a release of core",
        ),
    ] {
        let repo = python_monorepo();
        repo.commit_file("slipway.toml", &settings, "chore: packages").push();
        let before = repo.git(&["status", "--porcelain"]);
        for args in [&["release"][..], &["packages"], &["check"]] {
            let run = slipway(&repo, args);
            assert_eq!(run.code, 2, "{args:?} with {settings}: {}", run.stderr);
            assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        }
        assert_eq!(repo.git(&["status", "--porcelain"]), before);
        assert_eq!(repo.git(&["tag", "-l"]).lines().count(), 3);
    }
}

#[test]
fn in_github_actions_a_release_of_several_packages_outputs_each_of_them() {
    let repo = python_monorepo();
    repo.commit_file("packages/core/core.py", "X = 1\n", "feat(core): x")
        .push();
    let outputs = tempfile::NamedTempFile::new().unwrap();
    let summary = tempfile::NamedTempFile::new().unwrap();
    let output = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(["release", "--date", "2026-11-21"])
        .env("SOURCE_DATE_EPOCH", "1763683200")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", outputs.path())
        .env("GITHUB_STEP_SUMMARY", summary.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = fs_err::read_to_string(outputs.path()).unwrap();
    assert!(
        written.contains(
            r#"[{"name":"core","tag":"core-v1.1.0","version":"1.1.0"},{"name":"app","tag":"app-v1.0.1","version":"1.0.1"}]"#
        ),
        "{written}"
    );
    let summary = fs_err::read_to_string(summary.path()).unwrap();
    assert!(
        summary.contains("## Released core 1.1.0 (core-v1.1.0)")
            && summary.contains("## Released app 1.0.1 (app-v1.0.1)"),
        "{summary}"
    );
}

#[test]
fn a_package_named_otherwise_than_its_distribution_still_finds_its_module_version() {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "packages/core/pyproject.toml",
        &pyproject("hangar-core", "1.0.0", &[]),
    )
    .write(
        "packages/core/src/hangar_core/__init__.py",
        "__version__ = \"1.0.0\"\n",
    )
    .write("packages/app/pyproject.toml", &pyproject("app", "1.0.0", &[]))
    .write(
        "slipway.toml",
        "[[packages]]\npath = \"packages/core\"\nname = \"core\"\n\n[[packages]]\npath = \"packages/app\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first version")
        .tag("core-v1.0.0")
        .tag("app-v1.0.0");
    repo.commit_file("packages/core/src/hangar_core/io.py", "\n", "fix(core): io")
        .push();
    assert_eq!(
        slipway(&repo, &["release", "--no-publish", "--date", "2026-11-21"]).ok(),
        "core 1.0.1\n"
    );
    assert_eq!(
        read(&repo, "packages/core/src/hangar_core/__init__.py"),
        "__version__ = \"1.0.1\"\n"
    );
}

#[test]
fn a_package_may_keep_its_changelog_elsewhere_in_the_repository() {
    let repo = python_monorepo();
    repo.commit_file(
        "slipway.toml",
        "[[packages]]\npath = \"packages/core\"\nchangelog = \"../../docs/core-changes.md\"\n\n[[packages]]\npath = \"packages/app\"\n\n[[packages]]\npath = \"packages/tools\"\n",
        "chore: the changelog in docs",
    );
    repo.commit_file("packages/core/core.py", "X = 1\n", "feat(core): x")
        .push();
    assert_eq!(
        slipway(&repo, &["release", "--no-publish", "--date", "2026-11-21"]).ok(),
        "core 1.1.0\napp 1.0.1\n"
    );
    assert!(read(&repo, "docs/core-changes.md").contains("## [1.1.0] - 2026-11-21"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn every_bad_change_file_is_named_in_one_run() {
    let repo = python_monorepo();
    repo.write(".changes/typo.md", "---\ncroe: minor\n---\nBatches.\n")
        .write(".changes/level.md", "---\ncore: huge\n---\nBigger.\n")
        .write(".changes/fine.md", "---\napp: patch\n---\nFine.\n");
    repo.git(&["add", "-A"]);
    repo.commit("docs: changes").push();
    let run = slipway(&repo, &["release", "--dry-run"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("change file .changes/level.md: ")
            && run
                .stderr
                .contains("change file .changes/typo.md names croe, which is not"),
        "{}",
        run.stderr
    );
}
