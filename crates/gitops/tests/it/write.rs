use gitops::test_support::TestRepo;
use gitops::{CommitId, Error, Outcome, PushOptions, TagKind};

#[test]
fn committing_given_files_commits_only_those() {
    let repo = TestRepo::new().with_remote();
    repo.commit_file("pyproject.toml", "version = \"1.0.0\"\n", "feat: init")
        .commit_file("CHANGELOG.md", "# Changelog\n", "docs: changelog")
        .commit_file("src/app.py", "x = 1\n", "feat: app");
    repo.write("pyproject.toml", "version = \"1.1.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## 1.1.0\n")
        .write("src/app.py", "x = 2\n")
        .write("NEW.md", "new\n");
    let opened = repo.open();
    let outcome = opened
        .commit_paths(
            &["pyproject.toml", "CHANGELOG.md", "NEW.md"],
            "chore(release): 1.1.0",
        )
        .unwrap();
    let Outcome::Applied(id) = outcome else {
        panic!("expected a commit: {outcome:?}");
    };
    assert_eq!(id, repo.head());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s%n%an <%ae>%n%cn <%ce>"]),
        "chore(release): 1.1.0\nSlipway Test <test@slipway.invalid>\nSlipway Test <test@slipway.invalid>\n"
    );
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "M\tCHANGELOG.md\nA\tNEW.md\nM\tpyproject.toml\n"
    );
    // The other change is still only in the work tree.
    assert_eq!(repo.git(&["status", "--porcelain"]), " M src/app.py\n");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]),
        "chore(release): 1.1.0\n\n"
    );
}

#[test]
fn committing_unchanged_files_is_a_no_op() {
    let repo = TestRepo::new();
    repo.commit_file("pyproject.toml", "version = \"1.0.0\"\n", "feat: init");
    let head = repo.head();
    let outcome = repo
        .open()
        .commit_paths(&["pyproject.toml"], "chore(release): 1.0.0")
        .unwrap();
    assert_eq!(outcome, Outcome::Unchanged(head.clone()));
    assert_eq!(repo.head(), head);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

#[test]
fn a_deleted_file_is_committed_as_a_deletion_and_paths_are_checked() {
    let repo = TestRepo::new();
    repo.commit_file("old.txt", "x", "feat: a");
    std::fs::remove_file(repo.path().join("old.txt")).unwrap();
    let opened = repo.open();
    assert!(
        opened
            .commit_paths(&["old.txt"], "chore: remove")
            .unwrap()
            .is_applied()
    );
    assert_eq!(
        repo.git(&["show", "--name-status", "--format=", "HEAD"]),
        "D\told.txt\n"
    );
    for (path, reason) in [
        ("missing.txt", "no such file"),
        ("../escape.txt", "no `..`"),
    ] {
        let error = opened.commit_paths(&[path], "chore: x").unwrap_err();
        assert!(matches!(error, Error::InvalidPath { .. }), "{error:?}");
        assert!(error.to_string().contains(reason), "{error}");
    }
    // An absolute path inside the work tree is fine.
    repo.write("abs.txt", "y");
    let absolute = repo.path().join("abs.txt");
    assert!(
        opened
            .commit_paths(&[absolute], "feat: abs")
            .unwrap()
            .is_applied()
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "abs.txt\n"
    );
}

#[test]
fn the_first_commit_on_an_unborn_branch_works() {
    let repo = TestRepo::new();
    repo.write("README.md", "hi\n");
    let id = repo
        .open()
        .commit_paths(&["README.md"], "chore: init")
        .unwrap()
        .into_inner();
    assert_eq!(repo.git(&["log", "--format=%H %P"]).trim(), id.as_str());
}

#[test]
fn annotated_tags_keep_the_release_notes_verbatim() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    let notes = "## [1.0.0] - 2023-11-14\n\n### Added\n\n- a\n";
    let outcome = repo
        .open()
        .create_tag(
            "v1.0.0",
            &repo.head(),
            &TagKind::Annotated {
                message: notes.into(),
            },
        )
        .unwrap();
    let tag = outcome.into_inner();
    assert!(tag.annotated);
    assert_eq!(tag.target, repo.head());
    assert_eq!(repo.git(&["cat-file", "-t", "v1.0.0"]).trim(), "tag");
    assert_eq!(
        repo.git(&["tag", "-n1", "-l", "v1.0.0"]).trim(),
        "v1.0.0          ## [1.0.0] - 2023-11-14"
    );
    assert_eq!(
        repo.git(&["for-each-ref", "--format=%(contents)", "refs/tags/v1.0.0"]),
        format!("{notes}\n")
    );
    assert_eq!(
        repo.git(&[
            "for-each-ref",
            "--format=%(taggername) %(taggeremail)",
            "refs/tags/v1.0.0"
        ])
        .trim(),
        "Slipway Test <test@slipway.invalid>"
    );
}

#[test]
fn lightweight_tags_are_plain_refs() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    repo.open()
        .create_tag("v1.0.0", &repo.head(), &TagKind::Lightweight)
        .unwrap();
    assert_eq!(repo.git(&["cat-file", "-t", "v1.0.0"]).trim(), "commit");
    assert_eq!(
        repo.git(&["rev-parse", "v1.0.0"]).trim(),
        repo.head().as_str()
    );
}

#[test]
fn creating_an_existing_tag_is_a_no_op_at_the_same_commit_and_an_error_elsewhere() {
    let repo = TestRepo::new();
    repo.commit("feat: a").annotated_tag("v1.0.0", "notes");
    let first = repo.head();
    repo.commit("feat: b");
    let opened = repo.open();
    let kind = TagKind::Annotated {
        message: "other notes".into(),
    };
    let again = opened.create_tag("v1.0.0", &first, &kind).unwrap();
    assert!(!again.is_applied());
    let error = opened
        .create_tag("v1.0.0", &repo.head(), &kind)
        .unwrap_err();
    assert!(
        matches!(&error, Error::TagExists { existing, .. } if *existing == first),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("tag `v1.0.0` already exists at "),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("never pushed, `git tag -d v1.0.0`"),
        "{error}"
    );
    assert!(
        !error.to_string().contains(":refs/tags"),
        "never advise deleting a pushed tag: {error}"
    );
    assert_eq!(repo.git(&["tag", "-n1"]).trim(), "v1.0.0          notes");
}

#[test]
fn tags_are_deleted_locally_and_on_the_remote() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: a")
        .annotated_tag("v1.0.0", "notes")
        .push();
    let opened = repo.open();
    assert_eq!(repo.remote_git(&["tag"]), "v1.0.0\n");
    assert!(opened.delete_tag("v1.0.0").unwrap().is_applied());
    assert_eq!(repo.git(&["tag"]), "");
    assert!(
        !opened.delete_tag("v1.0.0").unwrap().is_applied(),
        "already gone"
    );
    assert!(
        opened
            .delete_remote_tag("origin", "v1.0.0")
            .unwrap()
            .is_applied()
    );
    assert_eq!(repo.git(&["ls-remote", "--tags", "origin"]), "");
    assert!(
        !opened
            .delete_remote_tag("origin", "v1.0.0")
            .unwrap()
            .is_applied(),
        "already gone"
    );
}

#[test]
fn ls_remote_tags_says_whether_a_tag_was_pushed() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: a")
        .tag("v1.0.0")
        .annotated_tag("v1.0.1", "notes")
        .push();
    repo.tag("v2.0.0"); // Not pushed.
    let tags = repo.open().ls_remote_tags("origin").unwrap();
    let names: Vec<&str> = tags.iter().map(|tag| tag.name.as_str()).collect();
    assert_eq!(names, ["v1.0.0", "v1.0.1"]);
    assert!(tags.iter().all(|tag| tag.target == repo.head()));
    assert_eq!(
        tags[1].object.as_str(),
        repo.git(&["rev-parse", "v1.0.1"]).trim()
    );
    assert_ne!(
        tags[1].object, tags[1].target,
        "annotated: the tag object, peeled to the commit"
    );
    assert_eq!(
        repo.git(&["ls-remote", "--tags", "origin"]).lines().count(),
        3
    );
}

#[test]
fn ls_remote_of_an_unknown_remote_carries_gits_message() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    let error = repo.open().ls_remote_tags("nowhere").unwrap_err();
    assert!(matches!(error, Error::GitCommand { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("`git ls-remote --tags nowhere` failed"),
        "{error}"
    );
    assert!(error.to_string().contains("nowhere"), "{error}");
}

fn push_release(repo: &TestRepo) -> gitops::PushReport {
    repo.write("VERSION", "1.0.0\n");
    let opened = repo.open();
    let id = opened
        .commit_paths(&["VERSION"], "chore(release): 1.0.0")
        .unwrap()
        .into_inner();
    opened
        .create_tag(
            "v1.0.0",
            &id,
            &TagKind::Annotated {
                message: "1.0.0".into(),
            },
        )
        .unwrap();
    let options = PushOptions {
        branches: vec!["main".into()],
        tags: vec!["v1.0.0".into()],
        set_upstream: true,
    };
    opened.push("origin", &options).unwrap()
}

#[test]
fn the_branch_and_tag_are_pushed_together_atomically() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: a").push();
    let report = push_release(&repo);
    assert!(report.atomic);
    let remote = repo.git(&["ls-remote", "origin"]);
    let head = repo.head();
    assert!(
        remote.contains(&format!("{head}\trefs/heads/main")),
        "{remote}"
    );
    assert!(
        remote.contains(&format!("{head}\trefs/tags/v1.0.0^{{}}")),
        "{remote}"
    );
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "main@{upstream}"])
            .trim(),
        "origin/main"
    );
}

#[test]
fn an_atomic_push_that_fails_pushes_nothing() {
    let repo = TestRepo::new().with_remote();
    repo.commit("feat: a").push();
    // The remote moved on: the branch update is rejected, so the tag must not land either.
    let other = TestRepo::clone_from(&repo.remote_path().display().to_string(), &[]);
    other.commit("feat: theirs");
    other.git(&["push", "--quiet", "origin", "main"]);
    repo.commit("feat: ours").tag("v1.0.0");
    let options = PushOptions {
        branches: vec!["main".into()],
        tags: vec!["v1.0.0".into()],
        set_upstream: false,
    };
    let error = repo.open().push("origin", &options).unwrap_err();
    assert!(matches!(error, Error::GitCommand { .. }), "{error:?}");
    assert_eq!(
        repo.git(&["ls-remote", "--tags", "origin"]),
        "",
        "no tag without its commit"
    );
}

#[test]
fn a_remote_without_atomic_support_gets_a_plain_push() {
    let repo = TestRepo::new().with_remote();
    repo.remote_git(&["config", "receive.advertiseAtomic", "false"]);
    repo.commit("feat: a").push();
    let report = push_release(&repo);
    assert!(!report.atomic);
    let tags = repo.open().ls_remote_tags("origin").unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].target, repo.head());
    assert_eq!(
        repo.remote_git(&["rev-parse", "main"]).trim(),
        repo.head().as_str()
    );
}

#[test]
fn branches_are_created_idempotently_and_checked_out() {
    let repo = TestRepo::new();
    repo.commit("feat: a").commit("feat: b");
    let opened = repo.open();
    let first = repo.rev("HEAD~1");
    assert!(opened.create_branch("maint", &first).unwrap().is_applied());
    assert!(!opened.create_branch("maint", &first).unwrap().is_applied());
    let error = opened.create_branch("maint", &repo.head()).unwrap_err();
    assert!(matches!(error, Error::BranchExists { .. }), "{error:?}");
    assert!(opened.checkout_branch("maint").unwrap().is_applied());
    assert_eq!(repo.git(&["branch", "--show-current"]).trim(), "maint");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(!repo.path().join("file-2.txt").exists());
    assert_eq!(opened.branch_tip("nope").unwrap(), None::<CommitId>);
}

/// An ssh signing key (made with `ssh-keygen`, which the tests require) and the git
/// config that uses it.
fn ssh_signing(repo: &TestRepo) {
    let key = repo.root().join("signing_key");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(&key)
        .status()
        .expect("the signing tests need ssh-keygen (openssh-client)");
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = repo.root().join("allowed_signers");
    std::fs::write(&allowed, format!("test@slipway.invalid {public}")).unwrap();
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingKey", &key.display().to_string()]);
    repo.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        &allowed.display().to_string(),
    ]);
}

#[test]
fn signed_tags_go_through_git_with_the_users_signing_config() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    ssh_signing(&repo);
    let opened = repo.open();
    let notes = "# Notes\n\n- a";
    let tag = opened
        .create_tag(
            "v1.0.0",
            &repo.head(),
            &TagKind::Signed {
                message: notes.into(),
            },
        )
        .unwrap()
        .into_inner();
    assert!(tag.annotated);
    let verified = repo.try_git(&["tag", "-v", "v1.0.0"]);
    assert!(verified.is_ok(), "git tag -v: {verified:?}");
    assert!(
        repo.git(&["cat-file", "-p", "v1.0.0"])
            .contains("-----BEGIN SSH SIGNATURE-----")
    );
    assert_eq!(
        tag.message.as_deref(),
        Some("# Notes\n\n- a\n"),
        "verbatim, signature cut"
    );

    // `tag.gpgSign = true` makes an annotated tag signed too, as with `git tag -a`.
    repo.git(&["config", "tag.gpgSign", "true"]);
    opened
        .create_tag(
            "v1.0.1",
            &repo.head(),
            &TagKind::Annotated {
                message: "notes".into(),
            },
        )
        .unwrap();
    assert!(repo.try_git(&["tag", "-v", "v1.0.1"]).is_ok());
}

#[test]
fn a_failed_signature_is_an_error_naming_the_command() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingKey", "/nonexistent/key"]);
    let error = repo
        .open()
        .create_tag(
            "v1.0.0",
            &repo.head(),
            &TagKind::Signed {
                message: "x".into(),
            },
        )
        .unwrap_err();
    assert!(matches!(error, Error::GitCommand { .. }), "{error:?}");
    assert!(error.to_string().starts_with("`git tag -s"), "{error}");
    assert_eq!(repo.git(&["tag"]), "", "no tag left behind");
}

#[test]
fn with_commit_signing_configured_the_commit_is_signed_by_git() {
    let repo = TestRepo::new();
    repo.commit_file("VERSION", "1.0.0\n", "feat: a");
    ssh_signing(&repo);
    repo.git(&["config", "commit.gpgSign", "true"]);
    repo.write("VERSION", "1.1.0\n")
        .write("other.txt", "not committed\n");
    let opened = repo.open();
    let time = repo.identity().time.seconds;
    let id = opened
        .commit_paths(&["VERSION"], "chore(release): 1.1.0\n\n# not a comment")
        .unwrap()
        .into_inner();
    assert_eq!(id, repo.head());
    assert!(repo.try_git(&["verify-commit", "HEAD"]).is_ok());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]),
        "chore(release): 1.1.0\n\n# not a comment\n\n"
    );
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "VERSION\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "?? other.txt\n");
    // The fixed identity of the handle reaches git too.
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae> %at"]).trim(),
        format!("Slipway Test <test@slipway.invalid> {time}")
    );
}

#[test]
fn remote_urls_are_read_from_the_config() {
    let repo = TestRepo::new().with_remote();
    let opened = repo.open();
    let url = opened.remote_url("origin").unwrap().unwrap();
    assert_eq!(url, repo.git(&["remote", "get-url", "origin"]).trim());
    assert_eq!(opened.remote_url("upstream").unwrap(), None);
}

#[test]
fn reset_hard_takes_back_a_local_commit_with_the_work_tree() {
    let repo = TestRepo::new();
    repo.commit_file("version.txt", "1.0.0\n", "feat: first");
    let base = repo.head();
    repo.commit_file("version.txt", "1.1.0\n", "chore(release): 1.1.0");
    let git = repo.open();
    assert!(git.reset_hard(&base).unwrap().is_applied());
    assert_eq!(repo.git(&["log", "--format=%s"]), "feat: first\n");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("version.txt")).unwrap(),
        "1.0.0\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(!git.reset_hard(&base).unwrap().is_applied());
}

#[test]
fn a_file_is_committed_on_a_branch_that_is_not_checked_out() {
    let repo = TestRepo::new();
    repo.commit_file("CHANGELOG.md", "# Changelog\n", "docs: start");
    repo.git(&["switch", "--quiet", "-c", "hotfix/1.0.1"]);
    repo.commit_file("fix.py", "FIX = 1\n", "fix: a bug");
    let opened = repo.open();
    let path = std::path::Path::new("CHANGELOG.md");
    assert_eq!(
        opened.file_on_branch("main", path).unwrap().as_deref(),
        Some("# Changelog\n")
    );
    let outcome = opened
        .commit_file_on_branch(
            "main",
            path,
            "# Changelog\n\n## [1.0.1]\n",
            "chore(release): notes",
        )
        .unwrap();
    assert!(outcome.is_applied());
    assert_eq!(
        repo.git(&["show", "main:CHANGELOG.md"]),
        "# Changelog\n\n## [1.0.1]\n"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "main"]),
        "chore(release): notes\n"
    );
    // The checked-out branch and its work tree are untouched.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap(),
        "# Changelog\n"
    );
    // Again: nothing to commit. A nested path, and the checked-out branch refused.
    assert!(
        !opened
            .commit_file_on_branch("main", path, "# Changelog\n\n## [1.0.1]\n", "again")
            .unwrap()
            .is_applied()
    );
    opened
        .commit_file_on_branch(
            "main",
            std::path::Path::new("docs/a/b.md"),
            "b\n",
            "docs: b",
        )
        .unwrap();
    assert_eq!(repo.git(&["show", "main:docs/a/b.md"]), "b\n");
    assert!(matches!(
        opened.commit_file_on_branch("hotfix/1.0.1", path, "x", "x"),
        Err(gitops::Error::CheckedOut { .. })
    ));
    assert_eq!(
        opened
            .file_on_branch("main", std::path::Path::new("nope"))
            .unwrap(),
        None
    );
}
