//! `slipway changelog` and `slipway next-version` on fixture repositories with fixed dates.

use gitops::test_support::TestRepo;

use crate::support::slipway;

/// A snapshot with commit ids replaced, so that it says what the output is, not which ids git made.
macro_rules! assert_filtered_snapshot {
    ($value:expr) => {
        insta::with_settings!({filters => vec![
            (r"\b[0-9a-f]{40}\b", "[commit]"),
            (r"\b[0-9a-f]{7}\b", "[short]"),
        ]}, {
            insta::assert_snapshot!($value);
        })
    };
}

/// A small project history: two releases, a release candidate in between, unreleased work, and a
/// GitHub remote so that links are rendered (nothing is ever fetched from it).
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/widget.git",
    ]);
    repo.commit("feat: first feature")
        .commit("docs: describe the first feature")
        .annotated_tag("v1.0.0", "Release 1.0.0")
        .commit("feat(api): add the list endpoint (#12)")
        .commit("fix(parser): accept empty input\n\nCloses #3")
        .annotated_tag("v1.1.0-rc.1", "Release candidate")
        .commit("perf: cache the index")
        .annotated_tag("v1.1.0", "Release 1.1.0")
        .commit("feat!: drop the legacy flag\n\nBREAKING CHANGE: --legacy is gone")
        .commit("chore: tidy up");
    repo
}

#[test]
fn full_history_markdown() {
    let repo = project();
    assert_filtered_snapshot!(slipway(&repo, &["changelog"]).ok());
}

#[test]
fn full_history_json() {
    let repo = project();
    let json = slipway(&repo, &["changelog", "--format", "json"]).ok();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema_version"], 1);
    assert_filtered_snapshot!(json);
}

#[test]
fn a_template_receives_the_json_data() {
    let repo = project();
    repo.write(
        "notes.j2",
        "{% for r in releases %}{{ r.version }}:{{ r.tag }}\n{% endfor %}",
    );
    let out = slipway(&repo, &["changelog", "--template", "notes.j2"]).ok();
    assert_eq!(out, "1.1.0:v1.1.0\n1.0.0:v1.0.0\n");
}

#[test]
fn naming_the_unreleased_changes_and_release_notes() {
    let repo = project();
    let notes = slipway(
        &repo,
        &[
            "changelog",
            "--tag",
            "2.0.0",
            "--latest",
            "--format",
            "notes",
            "--date",
            "2026-11-21",
        ],
    )
    .ok();
    assert_filtered_snapshot!(notes);
}

#[test]
fn announcement_text() {
    let repo = project();
    let text = slipway(
        &repo,
        &["changelog", "--latest", "--format", "announcement"],
    )
    .ok();
    assert_filtered_snapshot!(text);
}

#[test]
fn unreleased_only_and_latest_only() {
    let repo = project();
    let unreleased = slipway(&repo, &["changelog", "--unreleased"]).ok();
    assert!(unreleased.contains("## [Unreleased]"), "{unreleased}");
    assert!(!unreleased.contains("## [1.1.0]"), "{unreleased}");
    let latest = slipway(&repo, &["changelog", "--latest"]).ok();
    assert!(latest.contains("## [1.1.0]"), "{latest}");
    assert!(
        !latest.contains("## [1.0.0]") && !latest.contains("Unreleased"),
        "{latest}"
    );
}

#[test]
fn a_range_lists_only_its_commits() {
    let repo = project();
    let out = slipway(&repo, &["changelog", "--range", "v1.0.0..v1.1.0"]).ok();
    assert!(out.contains("add the list endpoint"), "{out}");
    assert!(!out.contains("first feature"), "{out}");
    assert!(!out.contains("drop the legacy flag"), "{out}");
}

#[test]
fn pre_release_tags_fold_into_the_next_stable_release() {
    let repo = project();
    let out = slipway(&repo, &["changelog"]).ok();
    let section = out
        .split("## [1.1.0]")
        .nth(1)
        .unwrap()
        .split("## [1.0.0]")
        .next()
        .unwrap();
    // 1.1.0 covers everything since 1.0.0, the rc's commits included; the rc gets no section.
    assert!(
        section.contains("add the list endpoint") && section.contains("cache the index"),
        "{out}"
    );
    assert!(!out.contains("## [1.1.0-rc.1]"), "{out}");
    let unfolded = slipway(&repo, &["changelog", "--fold-prereleases", "false"]).ok();
    assert!(unfolded.contains("## [1.1.0-rc.1]"), "{unfolded}");
}

#[test]
fn a_revert_and_what_it_reverts_cancel_out_when_unreleased() {
    let repo = TestRepo::new();
    repo.commit("feat: base")
        .tag("v1.0.0")
        .commit("feat: risky thing");
    let risky = repo.head();
    repo.commit(&format!(
        "Revert \"feat: risky thing\"\n\nThis reverts commit {risky}."
    ))
    .commit("fix: keeper");
    let out = slipway(&repo, &["changelog", "--unreleased"]).ok();
    assert!(out.contains("keeper"), "{out}");
    assert!(!out.contains("risky"), "{out}");
}

#[test]
fn a_cherry_picked_fix_is_listed_once() {
    let repo = TestRepo::new();
    repo.commit("feat: base")
        .tag("v1.0.0")
        .branch("hotfix")
        .checkout("hotfix")
        .commit_file("fix.txt", "fix\n", "fix: the crash");
    let fix = repo.head();
    repo.checkout("main").commit("feat: other work");
    repo.git(&["cherry-pick", "-x", fix.as_str()]);
    repo.git(&["merge", "--no-ff", "-m", "Merge branch 'hotfix'", "hotfix"]);
    let out = slipway(&repo, &["changelog", "--unreleased"]).ok();
    assert_eq!(out.matches("the crash").count(), 1, "{out}");
}

#[test]
fn merge_commits_are_skipped() {
    let repo = TestRepo::new();
    repo.commit("feat: base")
        .tag("v1.0.0")
        .branch("topic")
        .checkout("topic")
        .commit("feat: topic work");
    repo.checkout("main")
        .commit("fix: main work")
        .merge("topic", "Merge branch 'topic'");
    let out = slipway(&repo, &["changelog", "--unreleased"]).ok();
    assert!(
        out.contains("topic work") && out.contains("main work"),
        "{out}"
    );
    assert!(!out.contains("Merge branch"), "{out}");
    // The merge commit exists: the test would mean nothing without it.
    assert!(
        repo.git(&["log", "--merges", "--format=%s"])
            .contains("Merge branch 'topic'")
    );
}

#[test]
fn several_tags_on_one_commit_give_one_release_for_the_highest() {
    let repo = TestRepo::new();
    repo.commit("feat: base")
        .tag("v1.0.0")
        .commit("feat: next")
        .tag("v1.1.0-rc.1")
        .tag("v1.1.0");
    let out = slipway(&repo, &["changelog"]).ok();
    assert_eq!(out.matches("## [1.1.0]").count(), 1, "{out}");
    assert!(!out.contains("## [1.1.0-rc.1]"), "{out}");
    assert_eq!(out.matches("next").count(), 1, "{out}");
}

#[test]
fn tags_that_are_not_releases_are_ignored() {
    let repo = TestRepo::new();
    repo.commit("feat: base")
        .tag("v1.0.0")
        .commit("feat: later")
        .tag("deploy-2026-11-20")
        .tag("vnext");
    let out = slipway(&repo, &["changelog"]).ok();
    assert!(!out.contains("deploy") && !out.contains("vnext"), "{out}");
    assert!(out.contains("## [Unreleased]"), "{out}");
    assert!(
        out.split("## [1.0.0]").next().unwrap().contains("later"),
        "{out}"
    );
}

#[test]
fn prepending_twice_changes_nothing_the_second_time() {
    let repo = project();
    repo.write("CHANGELOG.md", "# Changelog\n\nHand-written intro.\n\n## [1.0.0] - 2020-01-01\n\n- kept exactly as written\n");
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    let once = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(once.contains("- kept exactly as written\n"), "{once}");
    assert!(once.contains("## [1.1.0]"), "{once}");
    assert_eq!(once.matches("## [1.0.0]").count(), 1, "{once}");
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    let twice = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert_eq!(once, twice);
}

#[test]
fn output_file_is_written() {
    let repo = project();
    slipway(&repo, &["changelog", "-o", "OUT.md"]).ok();
    let text = std::fs::read_to_string(repo.path().join("OUT.md")).unwrap();
    assert!(text.starts_with("# Changelog"), "{text}");
}

#[test]
fn include_path_limits_the_commits() {
    let repo = TestRepo::new();
    repo.commit_file("core/a.txt", "a\n", "feat: core change")
        .commit_file("web/b.txt", "b\n", "feat: web change");
    let out = slipway(&repo, &["changelog", "--include-path", "core"]).ok();
    assert!(
        out.contains("core change") && !out.contains("web change"),
        "{out}"
    );
}

#[test]
fn next_version_from_commits() {
    let repo = project();
    // A breaking change since 1.1.0.
    assert_eq!(slipway(&repo, &["next-version"]).ok(), "2.0.0\n");
    assert_eq!(
        slipway(&repo, &["next-version", "--pre", "rc"]).ok(),
        "2.0.0-rc.1\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["next-version", "--json"]).ok()).unwrap();
    assert_eq!(json["current"], "1.1.0");
    assert_eq!(json["next"], "2.0.0");
    assert_eq!(json["level"], "major");
    assert_eq!(
        json["decided_by"][0]["summary"],
        "feat!: drop the legacy flag"
    );
}

#[test]
fn next_version_continues_a_pre_release_train() {
    let repo = TestRepo::new();
    repo.commit("feat: base")
        .tag("v1.0.0")
        .commit("feat: new")
        .tag("v1.1.0-rc.1")
        .commit("fix: after the rc");
    assert_eq!(
        slipway(&repo, &["next-version", "--pre", "rc"]).ok(),
        "1.1.0-rc.2\n"
    );
    assert_eq!(slipway(&repo, &["next-version"]).ok(), "1.1.0\n");
}

#[test]
fn changelog_outside_a_repository_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::slipway_in(dir.path(), &["changelog"], "");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_shallow_clone_is_refused_with_the_fix() {
    let origin = project();
    let url = format!("file://{}", origin.path().display());
    let shallow = TestRepo::clone_from(&url, &["--depth", "1"]);
    let run = slipway(&shallow, &["next-version"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("git fetch --unshallow --tags"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreleased_changes_named_as_the_next_release() {
    let repo = project();
    let out = slipway(
        &repo,
        &[
            "changelog",
            "--unreleased",
            "--tag",
            "2.0.0",
            "--date",
            "2026-11-21",
        ],
    )
    .ok();
    assert!(out.contains("## [2.0.0] - 2026-11-21"), "{out}");
    assert!(out.contains("drop the legacy flag"), "{out}");
    assert!(
        !out.contains("## [1.1.0]") && !out.contains("Unreleased"),
        "{out}"
    );
}

/// Issue 12: a merge-commit workflow and a squash merge, as GitHub writes them.
fn merge_and_squash_workflow() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/widget.git",
    ]);
    repo.commit("feat: base")
        .tag("v1.0.0")
        .branch("login")
        .checkout("login")
        .commit("wip")
        .commit("address review comments");
    repo.checkout("main");
    repo.git(&[
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        "Merge pull request #5 from acme/login",
        "-m",
        "feat: add the login page",
        "login",
    ]);
    repo.commit("Tidy the settings (#6)\n\n* refactor: one settings module\n\n* fix(settings): keep the theme\n\n* fixup");
    // slipway's own release commit, with chore shown: still not listed.
    repo.commit("chore(release): 1.0.1")
        .commit("chore: bump the lockfile");
    repo.write(
        "slipway.toml",
        "[changelog]\nsections = { chore = \"Maintenance\" }\n",
    );
    repo
}

#[test]
fn merge_titles_and_squash_lines_are_listed_and_counted() {
    let repo = merge_and_squash_workflow();
    let out = slipway(&repo, &["changelog", "--unreleased"]).ok();
    insta::with_settings!({filters => vec![
        (r"\b[0-9a-f]{40}\b", "[commit]"),
        (r"\b[0-9a-f]{7}\b", "[short]"),
    ]}, {
        insta::assert_snapshot!(out, @r"
        # Changelog

        All notable changes to this project will be documented in this file.

        The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
        and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

        ## [Unreleased]

        ### Added

        - add the login page ([#5](https://github.com/acme/widget/pull/5)) ([[short]](https://github.com/acme/widget/commit/[commit]))

        ### Changed

        - one settings module ([#6](https://github.com/acme/widget/pull/6)) ([[short]](https://github.com/acme/widget/commit/[commit]))

        ### Fixed

        - **settings:** keep the theme ([#6](https://github.com/acme/widget/pull/6)) ([[short]](https://github.com/acme/widget/commit/[commit]))

        ### Maintenance

        - bump the lockfile ([[short]](https://github.com/acme/widget/commit/[commit]))

        [Unreleased]: https://github.com/acme/widget/compare/v1.0.0...HEAD
        ");
    });
    let json: serde_json::Value =
        serde_json::from_str(&slipway(&repo, &["next-version", "--json"]).ok()).unwrap();
    assert_eq!(json["level"], "minor", "{json}");
    assert_eq!(json["next"], "1.1.0", "{json}");
    assert_eq!(json["decided_by"][0]["summary"], "feat: add the login page");
    // The squash's lines name the squash commit.
    let squash = repo.rev("HEAD~2");
    let link_text = format!("[{}]", squash.short());
    assert_eq!(out.matches(&link_text).count(), 2, "{out}");
}

/// A release with breaking changes by three people, one of whom committed under two identities
/// that `.mailmap` joins; configured to publish to PyPI and an OCI registry.
fn release_with_three_contributors() -> TestRepo {
    let repo = project();
    repo.write(
        "slipway.toml",
        "name = \"widget\"\n\n[changelog]\ndocumentation-url = \"https://docs.example.com/widget\"\nmigration-guide-url = \"https://docs.example.com/widget/upgrade\"\n\n[pypi]\n\n[oci]\nrepository = \"ghcr.io/acme/widget\"\nlayout = \"build/image\"\n",
    )
    .write(".mailmap", "Grace Hopper <grace@example.com> <gh@old.example>\n");
    repo.git(&["add", "-A"]);
    repo.commit("chore: configure");
    for (name, email, message) in [
        (
            "Grace Hopper",
            "grace@example.com",
            "feat(cli): a --watch flag",
        ),
        ("grace", "gh@old.example", "fix: the watcher's leak"),
        (
            "Alan Turing",
            "alan@example.com",
            "feat!: a new config format\n\nBREAKING CHANGE: widget.ini is now widget.toml",
        ),
    ] {
        let mut commit = repo.command("git");
        commit
            .args(["commit", "--quiet", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email);
        assert!(commit.status().unwrap().success());
    }
    repo
}

/// The 2.0.0 release of `repo`'s unreleased changes, in `format`.
fn release_text(repo: &TestRepo, format: &str) -> String {
    slipway(
        repo,
        &[
            "changelog",
            "--unreleased",
            "--tag",
            "2.0.0",
            "--date",
            "2026-11-30",
            "--format",
            format,
        ],
    )
    .ok()
}

#[test]
fn the_announcement_follows_the_runbook() {
    let repo = release_with_three_contributors();
    let text = release_text(&repo, "announcement");
    for expected in [
        "pip install --upgrade widget==2.0.0",
        "docker pull ghcr.io/acme/widget:2.0.0",
        "[migration guide](https://docs.example.com/widget/upgrade)",
        "https://docs.example.com/widget",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    // Grace once, through the mailmap.
    assert_eq!(text.matches("Grace Hopper").count(), 1, "{text}");
    assert!(!text.contains("grace,"), "{text}");
    assert_filtered_snapshot!(text);
    // A template replaces it, with the same values.
    repo.write(
        "announce.j2",
        "{{ announcement.project }} {{ releases[0].version }}: {{ announcement.install }} ({{ announcement.documentation_url }})\n",
    );
    let templated = slipway(
        &repo,
        &[
            "changelog",
            "--unreleased",
            "--tag",
            "2.0.0",
            "--template",
            "announce.j2",
        ],
    )
    .ok();
    assert_eq!(
        templated,
        "widget 2.0.0: pip install --upgrade widget==2.0.0\ndocker pull ghcr.io/acme/widget:2.0.0 (https://docs.example.com/widget)\n"
    );
}

#[test]
fn the_notes_of_a_release_with_breaking_changes() {
    let repo = release_with_three_contributors();
    let text = release_text(&repo, "notes");
    assert_filtered_snapshot!(text);
}

#[test]
fn keep_a_changelog_links_before_and_after_a_release() {
    let repo = project();
    // Before: every release with its compare link, and the unreleased changes with theirs.
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    let before = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    for link in [
        "[Unreleased]: https://github.com/acme/widget/compare/v1.1.0...HEAD\n",
        "[1.1.0]: https://github.com/acme/widget/compare/v1.0.0...v1.1.0\n",
        "[1.0.0]: https://github.com/acme/widget/releases/tag/v1.0.0\n",
    ] {
        assert!(before.contains(link), "{link:?} in:\n{before}");
    }
    // After tagging 2.0.0: an empty Unreleased section stays on top, its link moved on.
    repo.git(&["add", "-A"]);
    repo.commit("docs: the changelog")
        .annotated_tag("v2.0.0", "Release 2.0.0");
    slipway(&repo, &["changelog", "--prepend", "CHANGELOG.md"]).ok();
    let after = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(after.contains("## [Unreleased]\n\n## [2.0.0]"), "{after}");
    for link in [
        "[Unreleased]: https://github.com/acme/widget/compare/v2.0.0...HEAD\n",
        "[2.0.0]: https://github.com/acme/widget/compare/v1.1.0...v2.0.0\n",
        "[1.1.0]: https://github.com/acme/widget/compare/v1.0.0...v1.1.0\n",
    ] {
        assert!(after.contains(link), "{link:?} in:\n{after}");
    }
    assert_eq!(after.matches("[Unreleased]:").count(), 1, "{after}");
}

/// A `git fast-import` stream of a history with no release tag: `commits` commits on `main`,
/// conventional and not, with a side branch of two commits merged every 30 under a pull
/// request's conventional title (forked ten commits back, so that a walk lists it and what it
/// forked from before the main line's last commits), and squash merges listing their commits.
fn untagged_history(commits: usize) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut stream = String::new();
    let mut mark = 0;
    let mut last = 0;
    let mut commit = |stream: &mut String, branch: &str, message: &str, parents: &[usize]| {
        mark += 1;
        let time = 1_700_000_000 + mark * 60;
        writeln!(stream, "commit refs/heads/{branch}\nmark :{mark}").unwrap();
        writeln!(stream, "author A <a@example.com> {time} +0000").unwrap();
        writeln!(stream, "committer A <a@example.com> {time} +0000").unwrap();
        writeln!(stream, "data {}\n{message}", message.len()).unwrap();
        if let Some((first, rest)) = parents.split_first() {
            writeln!(stream, "from :{first}").unwrap();
            for parent in rest {
                writeln!(stream, "merge :{parent}").unwrap();
            }
        }
        writeln!(stream, "M 644 inline f{}\ndata 2\n{}\n", mark % 7, mark % 7).unwrap();
        mark
    };
    let mut main = Vec::new();
    for n in 0..commits {
        let parents: Vec<usize> = (last > 0).then_some(last).into_iter().collect();
        last = if n > 0 && n % 30 == 0 {
            let fork = main[main.len().saturating_sub(10)];
            let one = commit(&mut stream, "b", &format!("feat(api): part {n}"), &[fork]);
            let two = commit(&mut stream, "b", "wip", &[one]);
            let title = format!("Merge pull request #{n} from acme/b\n\nfeat(api): part {n}");
            commit(&mut stream, "main", &title, &[last, two])
        } else {
            let message = match n % 5 {
                0 => format!("feat(core): change {n}"),
                1 => format!("fix: bug {n} (#{n})"),
                2 => {
                    format!("Squash the work of {n} (#{n})\n\n* feat: one {n}\n* fix(ui): two {n}")
                }
                3 => format!("chore: tidy {n}"),
                _ => format!("update notes {n}"),
            };
            commit(&mut stream, "main", &message, &parents)
        };
        main.push(last);
    }
    stream.into_bytes()
}

// Issue 18: without a commit-graph, a long release is rendered as it is listed, and put in
// order once the listing is done; it says exactly what the release read in order says (with a
// commit-graph, or read with libgit2 alone, it is read in order).
#[test]
fn a_long_release_rendered_as_it_is_listed_says_what_it_says_read_in_order() {
    use std::io::Write as _;
    let repo = TestRepo::new();
    let mut import = repo.command("git");
    import
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped());
    let mut child = import.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&untagged_history(1_800))
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "--quiet", "--hard", "main"]);
    // Reverts of a commit deep in the walk, and of one merged from a branch.
    for subject in ["fix: bug 601 (#601)", "feat(api): part 900"] {
        let id = repo.git(&[
            "log",
            "--format=%H",
            "-1",
            "--fixed-strings",
            "--grep",
            subject,
        ]);
        let id = id.trim();
        assert_eq!(id.len(), 40, "{subject}");
        repo.commit(&format!(
            "Revert \"{subject}\"\n\nThis reverts commit {id}."
        ));
    }
    let count: usize = repo
        .git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap();
    assert!(count > 1_500, "{count} commits");

    let as_listed = slipway(&repo, &["changelog"]).ok();
    let output = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .arg("changelog")
        .env("SOURCE_DATE_EPOCH", "1763683200")
        .env("SLIPWAY_READ_WITH_LIBGIT2", "1")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(as_listed, String::from_utf8(output.stdout).unwrap());
    repo.git(&["commit-graph", "write", "--reachable"]);
    assert_eq!(as_listed, slipway(&repo, &["changelog"]).ok());

    // What the history says is there, in its order: the merged titles cover their branches, the
    // squashes are split, and the reverted changes are gone.
    for said in [
        "**api:** part 1770",
        "**ui:** two 1797",
        "**core:** change 5",
    ] {
        assert!(as_listed.contains(said), "{said}");
    }
    assert!(
        !as_listed.contains("bug 601 "),
        "a reverted fix is not listed"
    );
    assert!(
        !as_listed.contains("part 900\n"),
        "a reverted merge's title is not listed"
    );
    let newer = as_listed.find("change 1795").unwrap();
    let older = as_listed.find("change 1790").unwrap();
    assert!(newer < older, "newest first");
}
