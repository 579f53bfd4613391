//! `slipway lint-commits` (and its commit-msg hook), `completions` and `man`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use gitops::test_support::TestRepo;

use crate::support::slipway;

fn repo_with(messages: &[&str]) -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("feat: the first feature").tag("v1.0.0");
    for message in messages {
        repo.commit(message);
    }
    repo
}

#[test]
fn a_clean_range_passes() {
    let repo = repo_with(&["fix(api): a bug", "chore: tidy", "feat!: a break"]);
    let run = slipway(&repo, &["lint-commits"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn a_mixed_range_names_each_offending_commit() {
    let repo = repo_with(&[
        "fix(api): a bug",
        "updated stuff",
        "feature: tabs",
        "docs: a guide",
    ]);
    let run = slipway(&repo, &["lint-commits"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    let bad = repo.git(&["rev-parse", "--short=12", "HEAD~2"]);
    assert!(
        lines[1].starts_with(bad.trim())
            && lines[1].contains("\"updated stuff\" is not a conventional commit"),
        "{}",
        run.stderr
    );
    assert!(
        lines[0].contains("the type `feature` is not one of this project's: build, chore, ci, doc, docs, feat, fix"),
        "{}",
        run.stderr
    );
    // Since the tag only: the first feature is not checked again; a range checks what it names.
    assert_eq!(
        slipway(&repo, &["lint-commits", "--range", "HEAD~1..HEAD"]).code,
        0
    );
    // A configured section makes its type known.
    repo.write(
        "slipway.toml",
        "[changelog]\nsections = { feature = \"Added\" }\n",
    );
    let run = slipway(&repo, &["lint-commits"]);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_message_file_is_checked_without_git_s_comment_lines() {
    let repo = repo_with(&[]);
    repo.write(
        "good.txt",
        "feat: tabs\n\n# Please enter the commit message\n",
    );
    repo.write("bad.txt", "# feat: a comment does not count\nwip\n");
    assert_eq!(
        slipway(&repo, &["lint-commits", "--message-file", "good.txt"]).code,
        0
    );
    let run = slipway(&repo, &["lint-commits", "--message-file", "bad.txt"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with("commit message: \"wip\" is not a conventional commit"),
        "{}",
        run.stderr
    );
    let missing = slipway(&repo, &["lint-commits", "--message-file", "nope.txt"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
}

#[test]
fn the_commit_msg_hook_rejects_a_bad_commit() {
    let repo = repo_with(&[]);
    assert!(
        slipway(&repo, &["init", "--commit-msg-hook"])
            .ok()
            .ends_with(".git/hooks/commit-msg\n")
    );
    // Installing again is fine; another hook is not replaced without --force.
    slipway(&repo, &["init", "--commit-msg-hook"]).ok();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_slipway"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let head = repo.git(&["rev-parse", "HEAD"]);
    let bad = repo
        .command("git")
        .args(["commit", "--allow-empty", "-m", "did things"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a conventional commit"));
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        head,
        "nothing was committed"
    );
    let good = repo
        .command("git")
        .args(["commit", "--allow-empty", "-m", "fix: did things"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    std::fs::write(
        repo.path().join(".git/hooks/commit-msg"),
        "#!/bin/sh\nexit 0\n",
    )
    .unwrap();
    assert_eq!(slipway(&repo, &["init", "--commit-msg-hook"]).code, 2);
}

#[test]
fn completions_parse_in_their_shells() {
    let repo = repo_with(&[]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = slipway(&repo, &["completions", shell]).ok();
        assert!(script.contains("lint-commits"), "{shell}");
        let checker = match shell {
            "bash" => Some(("bash", "-n")),
            "zsh" => Some(("zsh", "-n")),
            "fish" => Some(("fish", "-n")),
            _ => None,
        };
        let Some((program, flag)) = checker else {
            continue;
        };
        let Ok(mut child) = Command::new(program)
            .arg(flag)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        else {
            // `cargo xtask test` installs zsh and fish (xtask/src/provision.rs), and CI runs it:
            // there a missing shell is a failure, not a skipped check.
            let provisioned = std::env::var_os("SLIPWAY_TEST_PROVISIONED").is_some()
                || std::env::var_os("CI").is_some();
            assert!(
                program != "bash" && !provisioned,
                "{program} is missing: `cargo xtask provision` installs it"
            );
            continue;
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_man_page_renders_and_every_command_has_one() {
    let repo = repo_with(&[]);
    let page = slipway(&repo, &["man"]).ok();
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("man renders the page (apt-get install man-db)");
    man.stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let output = man.wait_with_output().unwrap();
    let rendered = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for part in ["NAME", "SYNOPSIS", "release", "lint-commits"] {
        assert!(rendered.contains(part), "{part} in:\n{rendered}");
    }
    let dir = tempfile::tempdir().unwrap();
    slipway(
        &repo,
        &["man", "--output-dir", &dir.path().display().to_string()],
    )
    .ok();
    for page in [
        "slipway.1",
        "slipway-release.1",
        "slipway-hotfix-start.1",
        "slipway-publish-oci.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page}");
    }
}
