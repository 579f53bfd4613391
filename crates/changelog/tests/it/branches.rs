//! Issue 12, "every change accounted for": merge commits, squash commits, types no section
//! names, and slipway's own release commits.

use changelog::{Commit, Config, Generator, History, Origin, Remote, markdown_string};

use crate::{commit, id, listed};

/// Commits with parents, newest first: `(n, message, parents)`; ids come from [`id`].
fn graph(commits: &[(u32, &str, &[u32])]) -> Vec<Commit> {
    commits
        .iter()
        .map(|&(n, message, parents)| {
            let mut commit = commit(n, message);
            commit.parents = parents.iter().map(|&parent| id(parent)).collect();
            commit.parent_count = parents.len();
            commit
        })
        .collect()
}

fn unreleased(commits: Vec<Commit>) -> History {
    History {
        unreleased: commits,
        releases: vec![],
    }
}

/// The unreleased section as Markdown with GitHub links, without the header.
fn markdown(history: &History, config: Config) -> String {
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = Generator::new(config)
        .unwrap()
        .build(history, remote.as_ref());
    let text = markdown_string(&changelog, Some(""));
    text.split("\n[Unreleased]:").next().unwrap().to_owned()
}

/// `main: 1 - 3 ----- 10 (Merge pull request #5)`, `login: 1 - 7 - 8 - 9 /`.
fn github_merge(title: &str) -> History {
    let merge = format!("Merge pull request #5 from acme/login\n\n{title}");
    unreleased(graph(&[
        (10, &merge, &[3, 9]),
        (9, "address review comments", &[8]),
        (8, "feat: add the login page", &[7]),
        (7, "feat(ui): a login form", &[1]),
        (3, "fix: crash on start", &[1]),
        (1, "docs: readme", &[]),
    ]))
}

#[test]
fn a_github_merge_is_listed_by_its_title_and_its_branch_only_by_its_other_changes() {
    // The merge's entry; the branch's conventional commit with another subject; not the
    // branch's `address review comments` (the merge covers it) nor the commit whose subject
    // is the title (listed once).
    assert_eq!(
        listed(
            &github_merge("feat: add the login page"),
            Config::default(),
            None
        ),
        [
            "Added: add the login page",
            "Added: a login form",
            "Fixed: crash on start",
            "Documentation: readme",
        ]
    );
}

#[test]
fn a_merge_without_a_conventional_title_lists_its_branch_as_before() {
    assert_eq!(
        listed(&github_merge("Add the login page"), Config::default(), None),
        [
            "Added: add the login page",
            "Added: a login form",
            "Fixed: crash on start",
            "Documentation: readme",
            "Other: address review comments",
        ]
    );
}

#[test]
fn the_merge_entry_links_its_pull_request_and_names_the_merge_commit() {
    insta::assert_snapshot!(markdown(&github_merge("feat: add the login page"), Config::default()), @r"
    ## [Unreleased]

    ### Added

    - add the login page ([#5](https://github.com/o/r/pull/5)) ([000ac0f](https://github.com/o/r/commit/000ac0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    - **ui:** a login form ([0007c0f](https://github.com/o/r/commit/0007c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))

    ### Fixed

    - crash on start ([0003c0f](https://github.com/o/r/commit/0003c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))

    ### Documentation

    - readme ([0001c0f](https://github.com/o/r/commit/0001c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    ");
}

#[test]
fn gitlab_and_bitbucket_merges_and_conventional_merge_summaries_are_listed() {
    let history = unreleased(graph(&[
        (
            20,
            "Merge branch 'sessions' into 'main'\n\nfix(auth): expire sessions\n\nSee merge request acme/app!17",
            &[12, 19],
        ),
        (19, "wip", &[12]),
        (
            12,
            "Merged in export (pull request #8)\n\nfeat: export to CSV\n\nApproved-by: Bob",
            &[11, 14],
        ),
        (14, "more wip", &[2]),
        (11, "perf: merged with git merge -m", &[2, 13]),
        (13, "it works now", &[2]),
        (2, "chore: init", &[]),
    ]));
    assert_eq!(
        listed(&history, Config::default(), None),
        [
            "Added: export to CSV",
            "Fixed: expire sessions",
            "Performance: merged with git merge -m",
        ]
    );
    let changelog = Generator::new(Config::default())
        .unwrap()
        .build(&history, None);
    let notes = changelog.unreleased.unwrap();
    let entries: Vec<_> = notes
        .sections
        .iter()
        .flat_map(|section| &section.entries)
        .map(|entry| (entry.short_id, entry.origin, entry.pull_requests.clone()))
        .collect();
    assert_eq!(
        entries,
        [
            ("000cc0f", Origin::Merge, vec![8]),
            ("0014c0f", Origin::Merge, vec![17]),
            ("000bc0f", Origin::Merge, vec![]),
        ]
    );
}

#[test]
fn a_merge_inside_a_branch_covers_its_own_branch_and_the_outer_title_covers_the_rest() {
    let history = unreleased(graph(&[
        (
            10,
            "Merge pull request #5 from acme/login\n\nfeat: login",
            &[1, 9],
        ),
        (9, "Merge branch 'main' into login", &[8, 1]),
        (
            8,
            "Merge pull request #6 from acme/form\n\nfeat: login form",
            &[7, 5],
        ),
        (5, "form tweaks", &[7]),
        (7, "start login", &[1]),
        (1, "docs: readme", &[]),
    ]));
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Added: login", "Added: login form", "Documentation: readme"]
    );
}

#[test]
fn merges_without_parent_ids_are_listed_by_title_and_their_branches_stay_listed() {
    // A caller that does not know the parents (`git log --first-parent` exports) loses nothing.
    let mut merge = commit(
        3,
        "Merge pull request #5 from acme/login\n\nfeat: add the login page",
    );
    merge.parent_count = 2;
    let history = unreleased(vec![merge, commit(2, "wip")]);
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Added: add the login page", "Other: wip"]
    );
}

const SQUASH: &str = "Login page (#5)\n\n* feat: add the login form\n\nWith a paragraph of its own.\n\n* fix(ui): typo in the label\n\n- perf: faster first paint\n\n* wip\n\nCo-authored-by: Bob <bob@example.com>";

#[test]
fn a_squash_commit_gives_one_entry_per_conventional_line_with_its_own_id() {
    let history = unreleased(vec![commit(4, SQUASH), commit(1, "fix: crash")]);
    assert_eq!(
        listed(&history, Config::default(), None),
        [
            "Added: add the login form",
            "Fixed: typo in the label",
            "Fixed: crash",
            "Performance: faster first paint",
        ]
    );
    insta::assert_snapshot!(markdown(&history, Config::default()), @r"
    ## [Unreleased]

    ### Added

    - add the login form ([#5](https://github.com/o/r/pull/5)) ([0004c0f](https://github.com/o/r/commit/0004c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))

    ### Fixed

    - **ui:** typo in the label ([#5](https://github.com/o/r/pull/5)) ([0004c0f](https://github.com/o/r/commit/0004c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    - crash ([0001c0f](https://github.com/o/r/commit/0001c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))

    ### Performance

    - faster first paint ([#5](https://github.com/o/r/pull/5)) ([0004c0f](https://github.com/o/r/commit/0004c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    ");
}

#[test]
fn squash_splitting_can_be_turned_off_and_leaves_conventional_subjects_alone() {
    let history = unreleased(vec![commit(4, SQUASH)]);
    let unsplit = Config {
        split_squash_commits: false,
        ..Config::default()
    };
    assert_eq!(listed(&history, unsplit, None), ["Other: Login page (#5)"]);
    // A conventional subject is the entry: GitHub's squash with a conventional PR title.
    let titled = SQUASH.replacen("Login page", "feat: login page", 1);
    let history = unreleased(vec![commit(4, &titled)]);
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Added: login page (#5)"]
    );
    // A body with no conventional line keeps the commit as it is.
    let history = unreleased(vec![commit(4, "Tidy up\n\n* this\n* that")]);
    assert_eq!(
        listed(&history, Config::default(), None),
        ["Other: Tidy up"]
    );
}

#[test]
fn a_squash_commit_reverted_as_a_whole_cancels_every_line() {
    let history = unreleased(vec![
        commit(
            5,
            &format!(
                "Revert \"Login page (#5)\"\n\nThis reverts commit {}.",
                id(4)
            ),
        ),
        commit(4, SQUASH),
    ]);
    assert_eq!(
        listed(&history, Config::default(), None),
        Vec::<String>::new()
    );
}

#[test]
fn types_no_section_names_go_under_other_with_their_type() {
    let history = unreleased(vec![
        commit(4, "release: publish the wheels too"),
        commit(3, "wip(ui): half a form"),
        commit(2, "Update README"),
        commit(1, "feat: x"),
    ]);
    insta::assert_snapshot!(markdown(&history, Config::default()), @r"
    ## [Unreleased]

    ### Added

    - x ([0001c0f](https://github.com/o/r/commit/0001c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))

    ### Other

    - **release:** publish the wheels too ([0004c0f](https://github.com/o/r/commit/0004c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    - **wip(ui):** half a form ([0003c0f](https://github.com/o/r/commit/0003c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    - Update README ([0002c0f](https://github.com/o/r/commit/0002c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee))
    ");
}

#[test]
fn release_commits_are_recognised_by_the_template_not_by_the_type() {
    let history = unreleased(vec![
        commit(4, "chore(release): 1.3.0"),
        commit(3, "chore: bump the lockfile"),
        commit(2, "chore(release): script prints the tag"),
        commit(1, "chore(release): 1.2.0rc1"),
    ]);
    let mut config = Config {
        release_commit_template: Some("chore(release): {version}".into()),
        ..Config::default()
    };
    config.hidden.retain(|ty| ty != "chore");
    assert_eq!(
        listed(&history, config, None),
        ["Other: bump the lockfile", "Other: script prints the tag"]
    );
}
