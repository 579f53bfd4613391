//! Bump levels from commits: one line of messages, one expected level.

use changelog::{BumpConfig, BumpReason, Commit, Config, Generator};
use versioning::{Level, Policy, Version, ZeroMajor};

use crate::{commit, id};

fn check(messages: &[&str], expected: Option<Level>) {
    check_with(Config::default(), messages, expected);
}

fn check_with(config: Config, messages: &[&str], expected: Option<Level>) {
    let commits: Vec<Commit> = messages
        .iter()
        .enumerate()
        .map(|(n, message)| commit(n as u32 + 1, message))
        .collect();
    let decision = Generator::new(config).unwrap().bump(&commits);
    assert_eq!(decision.level, expected, "messages: {messages:?}");
}

#[test]
fn breaking_changes_call_for_major() {
    check(&["fix: a", "feat!: b"], Some(Level::Major));
    check(
        &["docs: a\n\nBREAKING CHANGE: the guide moved"],
        Some(Level::Major),
    );
    check(&["chore!: drop Node 14"], Some(Level::Major));
}

#[test]
fn features_call_for_minor_and_fixes_for_patch() {
    check(&["fix: a", "feat: b", "docs: c"], Some(Level::Minor));
    check(&["fix: a", "perf: b"], Some(Level::Patch));
}

#[test]
fn chores_docs_and_non_conventional_commits_call_for_nothing() {
    check(&["chore: a", "docs: b", "Update README"], None);
    check(&[], None);
}

#[test]
fn untitled_merges_fixups_and_cancelled_reverts_do_not_count() {
    let mut merge = commit(9, "Merge branch 'feature'\n\nfeature work");
    merge.parent_count = 2;
    let commits = vec![
        merge,
        commit(
            3,
            &format!("Revert \"feat: x\"\n\nThis reverts commit {}.", id(2)),
        ),
        commit(2, "feat: x"),
        commit(4, "fixup! feat!: y"),
        commit(1, "fix: z"),
    ];
    let decision = Generator::new(Config::default()).unwrap().bump(&commits);
    assert_eq!(decision.level, Some(Level::Patch));
    assert_eq!(decision.decided_by.len(), 1);
    assert_eq!(decision.decided_by[0].summary, "fix: z");
    assert_eq!(decision.decided_by[0].reason, BumpReason::PatchType);
}

// Issue 12: a merge-commit workflow's features were a patch release.
#[test]
fn merges_count_by_their_conventional_title() {
    check(
        &[
            "fix: a",
            "Merge pull request #5 from acme/login\n\nfeat: add the login page",
        ],
        Some(Level::Minor),
    );
    check(
        &["Merged in x (pull request #2)\n\nfix!: drop y"],
        Some(Level::Major),
    );
    let mut merge = commit(9, "feat: merged as a merge commit");
    merge.parent_count = 2;
    let commits = [merge, commit(1, "fix: z")];
    let decision = Generator::new(Config::default()).unwrap().bump(&commits);
    assert_eq!(decision.level, Some(Level::Minor));
    assert_eq!(
        decision.decided_by[0].summary,
        "feat: merged as a merge commit"
    );
}

#[test]
fn squash_lines_count_and_say_which_line_decided() {
    let squash = "Login page (#5)\n\n* wip\n\n* feat: add the login form\n\n* fix: typo";
    check(&[squash], Some(Level::Minor));
    let commits = [commit(1, squash)];
    let decision = Generator::new(Config::default()).unwrap().bump(&commits);
    assert_eq!(decision.decided_by[0].summary, "feat: add the login form");
    assert_eq!(decision.decided_by[0].id, id(1));
    let unsplit = Config {
        split_squash_commits: false,
        ..Config::default()
    };
    check_with(unsplit, &[squash], None);
}

#[test]
fn release_commits_never_count_even_with_others_patch() {
    let config = Config {
        release_commit_template: Some("chore(release): {version}".into()),
        bump: BumpConfig {
            others_patch: true,
            ..BumpConfig::default()
        },
        ..Config::default()
    };
    check_with(config.clone(), &["chore(release): 1.2.0"], None);
    check_with(
        config,
        &["chore(release): tidy the script"],
        Some(Level::Patch),
    );
}

#[test]
fn types_are_configurable() {
    let config = Config {
        bump: BumpConfig {
            minor: vec!["feat".into(), "feature".into()],
            patch: vec!["fix".into()],
            others_patch: true,
        },
        ..Config::default()
    };
    check_with(config.clone(), &["feature: a"], Some(Level::Minor));
    check_with(config.clone(), &["perf: a"], Some(Level::Patch));
    check_with(config, &["Update README"], Some(Level::Patch));
}

#[test]
fn the_zero_major_policy_maps_the_level() {
    let commits = [commit(2, "feat!: a"), commit(1, "feat: b")];
    let decision = Generator::new(Config::default()).unwrap().bump(&commits);
    let zero = Version::parse("0.3.1").unwrap();
    let one = Version::parse("1.3.1").unwrap();
    assert_eq!(
        decision.level_for(&one, &Policy::default()),
        Some(Level::Major)
    );
    assert_eq!(
        decision.level_for(&zero, &Policy::default()),
        Some(Level::Minor)
    );
    let as_stable = Policy::default().with_zero_major(ZeroMajor::AsStable);
    assert_eq!(decision.level_for(&zero, &as_stable), Some(Level::Major));
}

#[test]
fn the_decision_serialises_with_the_deciding_commits() {
    let commits = [commit(2, "feat(cli): a"), commit(1, "fix: b")];
    let decision = Generator::new(Config::default()).unwrap().bump(&commits);
    insta::assert_snapshot!(serde_json::to_string_pretty(&decision).unwrap(), @r#"
    {
      "level": "minor",
      "decided_by": [
        {
          "id": "0002c0ffeec0ffeec0ffeec0ffeec0ffeec0ffee",
          "summary": "feat(cli): a",
          "reason": "minor-type"
        }
      ]
    }
    "#);
}
