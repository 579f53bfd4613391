//! `slipway version …`: the rules of the versioning crate, as a user runs them.

use crate::support::slipway_in;

fn run(args: &[&str]) -> crate::support::Run {
    let dir = tempfile::tempdir().unwrap();
    slipway_in(dir.path(), args, "")
}

#[track_caller]
fn check_bump(args: &[&str], expected: &str) {
    let mut full = vec!["version", "bump"];
    full.extend_from_slice(args);
    assert_eq!(
        run(&full).ok(),
        format!("{expected}\n"),
        "slipway {}",
        full.join(" ")
    );
}

#[test]
fn bump_follows_the_documented_rules() {
    check_bump(&["1.2.3", "minor"], "1.3.0");
    check_bump(&["1.2.3", "minor", "--pre", "rc"], "1.3.0-rc.1");
    check_bump(&["1.3.0-rc.1", "pre", "--pre", "rc"], "1.3.0-rc.2");
    check_bump(&["1.3.0-rc.9", "pre", "--pre", "rc"], "1.3.0-rc.10");
    check_bump(&["1.3.0-alpha.4", "pre", "--pre", "beta"], "1.3.0-beta.1");
    check_bump(&["1.3.0-rc.2", "minor", "--pre", "rc"], "1.3.0-rc.3");
    check_bump(&["1.3.0-rc.2", "major", "--pre", "rc"], "2.0.0-rc.1");
    check_bump(&["1.3.1-rc.1", "minor", "--pre", "rc"], "1.4.0-rc.1");
    check_bump(&["1.3.0-rc.2", "promote"], "1.3.0");
    check_bump(&["1.2.3", "patch", "--build", "build.7"], "1.2.4+build.7");
}

#[test]
fn bad_input_is_one_line_naming_it_with_exit_code_2() {
    for args in [
        &["version", "bump", "1.2", "minor"][..],
        &["version", "bump", "1.3.0-rc.2", "pre", "--pre", "alpha"],
        &["version", "bump", "1.3.0", "promote"],
        &["version", "convert", "--to", "pep440", "1.2.0-foo"],
        &["version", "convert", "--to", "semver", "not a version"],
    ] {
        let result = run(args);
        assert_eq!(
            result.code,
            2,
            "slipway {}: {}",
            args.join(" "),
            result.stderr
        );
        assert_eq!(
            result.stderr.lines().count(),
            1,
            "slipway {}: {}",
            args.join(" "),
            result.stderr
        );
        assert!(result.stderr.starts_with("error: "), "{}", result.stderr);
        assert!(!result.stderr.contains("panicked"), "{}", result.stderr);
    }
    let result = run(&["version", "bump", "1.2", "minor"]);
    assert!(
        result.stderr.contains("\"1.2\" is not a version"),
        "{}",
        result.stderr
    );
}

#[test]
fn convert_between_schemes() {
    assert_eq!(
        run(&["version", "convert", "--to", "pep440", "1.2.0-rc.1"]).ok(),
        "1.2.0rc1\n"
    );
    assert_eq!(
        run(&["version", "convert", "--to", "pep440", "1.2.0-alpha.3"]).ok(),
        "1.2.0a3\n"
    );
    assert_eq!(
        run(&["version", "convert", "--to", "semver", "1.2.0b2"]).ok(),
        "1.2.0-beta.2\n"
    );
    assert_eq!(
        run(&["version", "convert", "--to", "semver", "1.2.0.dev4"]).ok(),
        "1.2.0-dev.4\n"
    );
}

#[test]
fn sort_orders_numerically_in_either_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let semver = slipway_in(
        dir.path(),
        &["version", "sort"],
        "1.0.0-rc.10\n1.0.0\n1.0.0-rc.9\n0.9.0\n1.0.0-beta.2\n",
    )
    .ok();
    assert_eq!(
        semver,
        "0.9.0\n1.0.0-beta.2\n1.0.0-rc.9\n1.0.0-rc.10\n1.0.0\n"
    );
    let pep440 = slipway_in(
        dir.path(),
        &["version", "sort", "--scheme", "pep440"],
        "1.0\n1.0rc1\n1.0.post1\n1.0.dev0\n",
    )
    .ok();
    assert_eq!(pep440, "1.0.dev0\n1.0rc1\n1.0\n1.0.post1\n");
    let bad = slipway_in(dir.path(), &["version", "sort"], "1.0.0\nbanana\n");
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("stdin line 2"), "{}", bad.stderr);
}

/// Writes `text` to `path` under `dir`, creating directories.
fn write_file(dir: &tempfile::TempDir, path: &str, text: &str) {
    let path = dir.path().join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A Python project with the version in four places, and a dependency pin that must not move.
pub(crate) fn python_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| write_file(&dir, path, text);
    write(
        "pyproject.toml",
        "[project]\nname = \"mcp-hangar\"  # the distribution\nversion = \"1.2.0\"\ndependencies = [\"other==1.2.0\"]\n",
    );
    write(
        "src/mcp_hangar/__init__.py",
        "\"\"\"Hangar.\"\"\"\n\n__version__ = '1.2.0'\n",
    );
    write(
        "Dockerfile",
        "FROM python:3.12\nLABEL org.opencontainers.image.version=\"1.2.0\" \\\n      org.opencontainers.image.title=\"hangar\"\n",
    );
    write("README.md", "pip install other==1.2.0\n");
    dir
}

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    std::fs::read_to_string(dir.path().join(path)).unwrap()
}

#[test]
fn set_dry_run_shows_a_diff_and_writes_nothing() {
    let dir = python_project();
    let before = read(&dir, "pyproject.toml");
    let diff = slipway_in(
        dir.path(),
        &["version", "set", "1.3.0-rc.1", "--dry-run"],
        "",
    )
    .ok();
    assert!(
        diff.contains("--- a/pyproject.toml\n+++ b/pyproject.toml\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-version = \"1.2.0\"\n+version = \"1.3.0rc1\"\n"),
        "{diff}"
    );
    assert!(diff.contains("+__version__ = '1.3.0rc1'"), "{diff}");
    assert!(
        diff.contains("+LABEL org.opencontainers.image.version=\"1.3.0-rc.1\""),
        "{diff}"
    );
    assert!(
        diff.lines()
            .filter(|line| line.starts_with(['+', '-']))
            .all(|line| !line.contains("other==")),
        "a dependency pin of the same version must not move: {diff}"
    );
    assert_eq!(read(&dir, "pyproject.toml"), before);
}

#[test]
fn set_writes_every_file_in_its_scheme_and_check_agrees() {
    let dir = python_project();
    let written = slipway_in(dir.path(), &["version", "set", "1.3.0-rc.1"], "").ok();
    assert_eq!(
        written,
        "pyproject.toml\nsrc/mcp_hangar/__init__.py\nDockerfile\n"
    );
    assert_eq!(
        read(&dir, "pyproject.toml"),
        "[project]\nname = \"mcp-hangar\"  # the distribution\nversion = \"1.3.0rc1\"\ndependencies = [\"other==1.2.0\"]\n"
    );
    assert_eq!(
        read(&dir, "src/mcp_hangar/__init__.py"),
        "\"\"\"Hangar.\"\"\"\n\n__version__ = '1.3.0rc1'\n"
    );
    assert_eq!(read(&dir, "README.md"), "pip install other==1.2.0\n");
    assert_eq!(
        slipway_in(dir.path(), &["version", "check"], "").ok(),
        "1.3.0-rc.1\n"
    );
    assert_eq!(
        slipway_in(
            dir.path(),
            &["version", "check", "--tag", "v1.3.0-rc.1"],
            ""
        )
        .ok(),
        "1.3.0-rc.1\n"
    );
    // Setting the same version again changes nothing.
    assert_eq!(
        slipway_in(dir.path(), &["version", "set", "1.3.0-rc.1"], "").ok(),
        ""
    );
}

#[test]
fn check_reports_each_disagreeing_file_and_the_runbooks_tag_mismatch() {
    let dir = python_project();
    std::fs::write(
        dir.path().join("src/mcp_hangar/__init__.py"),
        "__version__ = \"1.1.9\"\n",
    )
    .unwrap();
    let result = slipway_in(dir.path(), &["version", "check"], "");
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert_eq!(
        result.stderr,
        "src/mcp_hangar/__init__.py:1: found 1.1.9, expected 1.2.0\n"
    );
    let result = slipway_in(dir.path(), &["version", "check", "--tag", "v1.2.1"], "");
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result
            .stderr
            .starts_with("Version mismatch! pyproject.toml: 1.2.0, Git tag: 1.2.1\n"),
        "{}",
        result.stderr
    );
}

#[test]
fn a_cargo_workspace_moves_its_own_requirements_but_never_an_external_one() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| write_file(&dir, path, text);
    write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.4.0\"\n\n[workspace.dependencies]\ncore = { package = \"demo-core\", path = \"crates/core\", version = \"0.4.0\" }\nsemver = \"0.4.0\"\n",
    );
    write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"demo-core\"\nversion.workspace = true\n",
    );
    write(
        "crates/app/Cargo.toml",
        "[package]\nname = \"demo-app\"\nversion = \"0.4.0\"\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"0.4.0\" }\n",
    );
    slipway_in(dir.path(), &["version", "set", "0.5.0"], "").ok();
    let root = read(&dir, "Cargo.toml");
    assert!(
        root.contains("[workspace.package]\nversion = \"0.5.0\""),
        "{root}"
    );
    assert!(root.contains("version = \"0.5.0\" }"), "{root}");
    assert!(
        root.contains("semver = \"0.4.0\""),
        "an external dependency must not move: {root}"
    );
    assert_eq!(
        read(&dir, "crates/core/Cargo.toml"),
        "[package]\nname = \"demo-core\"\nversion.workspace = true\n"
    );
    let app = read(&dir, "crates/app/Cargo.toml");
    assert!(app.contains("version = \"0.5.0\"\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"0.5.0\" }"), "{app}");
}

#[test]
fn a_configured_text_file_with_a_pattern() {
    let dir = python_project();
    std::fs::write(
        dir.path().join("docs.md"),
        "Install: pip install mcp-hangar==1.2.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("slipway.toml"),
        "[[version-files]]\npath = \"pyproject.toml\"\n[[version-files]]\npath = \"docs.md\"\npattern = \"mcp-hangar=={version}\"\nscheme = \"pep440\"\n",
    )
    .unwrap();
    slipway_in(dir.path(), &["version", "set", "1.3.0-rc.2"], "").ok();
    assert_eq!(
        read(&dir, "docs.md"),
        "Install: pip install mcp-hangar==1.3.0rc2\n"
    );
    std::fs::write(
        dir.path().join("slipway.toml"),
        "[[version-files]]\npath = \"missing.md\"\npattern = \"v{version}\"\n",
    )
    .unwrap();
    let result = slipway_in(dir.path(), &["version", "set", "1.3.0"], "");
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(result.stderr.contains("missing.md"), "{}", result.stderr);
}

#[test]
fn a_file_named_by_two_version_file_entries_gets_both_edits() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: operator\nversion: 1.0.0\nappVersion: \"1.0.0\"\n",
    )
    .unwrap();
    fs_err::write(
        dir.path().join("slipway.toml"),
        "[[version-files]]\npath = \"Chart.yaml\"\npattern = \"version: {version}\"\n\n[[version-files]]\npath = \"Chart.yaml\"\npattern = \"appVersion: \\\"{version}\\\"\"\n",
    )
    .unwrap();
    let plan = slipway_in(dir.path(), &["version", "set", "1.1.0", "--dry-run"], "").ok();
    assert_eq!(
        plan.matches("+++ b/Chart.yaml").count(),
        1,
        "one diff of the file, with both lines: {plan}"
    );
    slipway_in(dir.path(), &["version", "set", "1.1.0"], "").ok();
    assert_eq!(
        fs_err::read_to_string(dir.path().join("Chart.yaml")).unwrap(),
        "apiVersion: v2\nname: operator\nversion: 1.1.0\nappVersion: \"1.1.0\"\n"
    );
}

#[test]
fn an_operator_s_version_file_and_its_chart_are_found_where_they_usually_are() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("VERSION"), "1.0.0\n").unwrap();
    fs_err::create_dir_all(dir.path().join("charts/operator")).unwrap();
    fs_err::write(
        dir.path().join("charts/operator/Chart.yaml"),
        "apiVersion: v2\nname: operator\nversion: 0.5.0\nappVersion: \"1.0.0\"\n",
    )
    .unwrap();
    slipway_in(dir.path(), &["version", "set", "1.1.0"], "").ok();
    assert_eq!(
        fs_err::read_to_string(dir.path().join("VERSION")).unwrap(),
        "1.1.0\n"
    );
    assert_eq!(
        fs_err::read_to_string(dir.path().join("charts/operator/Chart.yaml")).unwrap(),
        "apiVersion: v2\nname: operator\nversion: 0.5.0\nappVersion: \"1.1.0\"\n",
        "the chart's own version stays; the application's follows"
    );
}
