//! Hostile input (issue 17, items 5 and 7): names git refuses, files slipway cannot merge into,
//! paths leading outside the project, and terminal escapes in commit messages. Each refusal is
//! exit 2 with a plain message, before anything is written.

use gitops::test_support::TestRepo;

use crate::support::{Run, slipway};

/// A Python project at 1.0.0, pushed to its bare remote.
fn python_project() -> TestRepo {
    let repo = TestRepo::new().with_remote();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"hangar\"\nversion = \"1.0.0\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").push();
    repo
}

#[track_caller]
fn refused(run: &Run, message: &str) {
    assert_eq!(
        run.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(message),
        "expected {message:?} in:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("class="),
        "libgit2's words: {}",
        run.stderr
    );
}

/// Whatever a refused release may have touched: files, tags, the journal.
fn untouched(repo: &TestRepo) {
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["tag", "-l"]), "");
    assert!(!repo.path().join(".git/slipway/release.json").exists());
}

#[test]
fn ref_names_git_refuses_are_bad_input_in_our_words() {
    let repo = python_project();
    let cases: [(&[&str], &str); 5] = [
        (
            &["tag", "delete", "v1..0"],
            r#""v1..0" is not a valid git tag name: it contains "..""#,
        ),
        (
            &["tag", "delete", "--remote", "v1.0.0.lock"],
            r#"the part "v1.0.0.lock" ends with ".lock""#,
        ),
        (
            &["hotfix", "start", "v1 0"],
            r#""v1 0" is not a valid git tag name: it contains ' '"#,
        ),
        (
            &["release", "finish", "release/1..2"],
            r#""release/1..2" is not a valid git branch name"#,
        ),
        (
            &["hotfix", "finish", "--cherry-pick-to", "main~1"],
            r#""main~1" is not a valid git branch name: it contains '~'"#,
        ),
    ];
    for (args, message) in cases {
        refused(&slipway(&repo, args), message);
    }
}

#[test]
fn a_tag_pattern_that_makes_bad_tags_is_bad_input() {
    let repo = python_project();
    for (pattern, message) in [
        (
            "v{version}..",
            r#"tag pattern "v{version}.." makes tags git refuses: "v1.2.3-rc.1+build.5.." is not a valid git tag name: it contains "..""#,
        ),
        ("release {version}", "it contains ' '"),
        (
            "{package}/.v{version}",
            r#"the part ".v1.2.3-rc.1+build.5" starts with ".""#,
        ),
    ] {
        repo.write("slipway.toml", &format!("tag-pattern = {pattern:?}\n"));
        refused(&slipway(&repo, &["release", "--dry-run"]), message);
    }
    // A name that breaks the rules once filled into {package}.
    repo.write(
        "slipway.toml",
        "name = \"my hangar\"\ntag-pattern = \"{package}-v{version}\"\n",
    );
    refused(
        &slipway(&repo, &["release", "--dry-run"]),
        r#"with the project's name "my hangar""#,
    );
}

/// Issue 17: `feat: \x1b[31m…` was copied into CHANGELOG.md, the tag message and the notes.
#[test]
fn terminal_escapes_in_commit_messages_reach_no_file_or_tag() {
    let repo = python_project();
    repo.commit_file(
        "src/alarm.py",
        "",
        "feat: \x1b[31mred\x1b[0m alarm\x07 \x1b]0;owned\x07bell\r",
    );
    repo.push();
    let notes = slipway(&repo, &["changelog", "--unreleased", "--tag", "1.1.0"]).ok();
    assert!(notes.contains("red alarm bell"), "{notes}");
    slipway(&repo, &["release", "--date", "2026-11-21"]).ok();
    let changelog = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    let tag_message = repo.git(&["tag", "-l", "--format=%(contents)"]);
    for (what, text) in [
        ("notes", &notes),
        ("CHANGELOG.md", &changelog),
        ("tag", &tag_message),
    ] {
        assert!(text.contains("red alarm bell"), "{what}: {text}");
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{what} has control characters: {text:?}"
        );
        assert!(
            !text.contains("[31m") && !text.contains("owned"),
            "{what}: {text:?}"
        );
    }
}

#[test]
fn a_binary_changelog_is_refused_before_any_file_is_written() {
    let repo = python_project();
    std::fs::write(
        repo.path().join("CHANGELOG.md"),
        b"PK\x03\x04\x00\x00binary",
    )
    .unwrap();
    repo.git(&["add", "-A"]);
    repo.commit("fix: a fix").push();
    refused(
        &slipway(&repo, &["release", "--date", "2026-11-21"]),
        "it is a binary file (a NUL byte at offset 4), not Markdown",
    );
    untouched(&repo);
    refused(
        &slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]),
        "it is a binary file",
    );
    untouched(&repo);
}

#[test]
fn conflict_markers_in_the_changelog_are_refused_before_any_file_is_written() {
    let repo = python_project();
    let conflicted =
        "# Changelog\n\n## [Unreleased]\n<<<<<<< HEAD\n- ours\n=======\n- theirs\n>>>>>>> topic\n";
    repo.write("CHANGELOG.md", conflicted);
    repo.git(&["add", "-A"]);
    repo.commit("fix: a fix").push();
    let message = r#"it has git conflict markers (line 4: "<<<<<<< HEAD"): resolve the conflict and commit the file first"#;
    refused(
        &slipway(&repo, &["release", "--date", "2026-11-21"]),
        message,
    );
    untouched(&repo);
    refused(&slipway(&repo, &["release", "--dry-run"]), message);
    refused(
        &slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]),
        message,
    );
    untouched(&repo);
    // A setext heading underlined with seven `=` is Markdown, not a conflict.
    repo.write("CHANGELOG.md", "Changelog\n=======\n");
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
}

#[test]
fn a_version_file_that_is_not_utf8_is_bad_input() {
    let repo = python_project();
    repo.write(
        "slipway.toml",
        "[[version-files]]\npath = \"VERSION.txt\"\npattern = \"version {version}\"\n",
    );
    std::fs::write(repo.path().join("VERSION.txt"), b"caf\xe9\nversion 1.0.0\n").unwrap();
    refused(
        &slipway(&repo, &["version", "check"]),
        "version file VERSION.txt:1 is not UTF-8: slipway edits UTF-8 text only",
    );
}

/// Issue 17: `[workspace] members = ["../outside"]` made a release rewrite a Cargo.toml outside
/// the repository.
#[test]
fn a_workspace_member_outside_the_repository_is_refused_and_left_alone() {
    let repo = TestRepo::new().with_remote();
    let outside = repo.root().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let outside_manifest = "[package]\nname = \"outside\"\nversion = \"1.0.0\"\n";
    std::fs::write(outside.join("Cargo.toml"), outside_manifest).unwrap();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"../outside\"]\n\n[package]\nname = \"inside\"\nversion = \"1.0.0\"\n",
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the first feature").push();
    let message = "../outside/Cargo.toml (from [workspace] members in Cargo.toml) is outside the project directory";
    refused(&slipway(&repo, &["release", "--dry-run"]), message);
    refused(
        &slipway(&repo, &["release", "--date", "2026-11-21"]),
        message,
    );
    untouched(&repo);
    assert_eq!(
        std::fs::read_to_string(outside.join("Cargo.toml")).unwrap(),
        outside_manifest
    );
}

#[test]
fn configured_paths_outside_the_project_are_refused() {
    let repo = python_project();
    std::fs::write(repo.root().join("x.txt"), "version 1.0.0\n").unwrap();
    repo.write(
        "slipway.toml",
        "[[version-files]]\npath = \"../x.txt\"\npattern = \"version {version}\"\n",
    );
    refused(
        &slipway(&repo, &["version", "check"]),
        "../x.txt (from [[version-files]] path) is outside the project directory",
    );
    // A link inside the project that leads outside it.
    std::os::unix::fs::symlink(repo.root().join("x.txt"), repo.path().join("VERSION.txt")).unwrap();
    repo.write(
        "slipway.toml",
        "[[version-files]]\npath = \"VERSION.txt\"\npattern = \"version {version}\"\n",
    );
    refused(
        &slipway(&repo, &["version", "check"]),
        "VERSION.txt (from [[version-files]] path) is outside the project directory",
    );
    // The changelog too.
    repo.write("slipway.toml", "[changelog]\npath = \"../CHANGELOG.md\"\n");
    refused(
        &slipway(&repo, &["release", "--dry-run"]),
        "../CHANGELOG.md (from changelog.path) is outside the project directory",
    );
}
