//! Parsing commit messages: one line of input, one line of expected fields.

use std::fmt::Write as _;

use changelog::{Kind, Origin, parse_message};

/// Renders the parsed fields compactly: `kind type(scope)! "description" prs issues reverts`.
fn check(message: &str, parents: usize, expected: &str) {
    let parsed = parse_message(message, parents);
    let mut actual = format!("{:?}", parsed.kind).to_lowercase();
    if let Some(ty) = parsed.r#type {
        actual.push(' ');
        actual.push_str(ty);
    }
    if let Some(scope) = parsed.scope {
        let _ = write!(actual, "({scope})");
    }
    if parsed.breaking {
        actual.push('!');
    }
    let _ = write!(actual, " {:?}", parsed.description);
    if let Some(text) = parsed
        .breaking_description
        .filter(|text| *text != parsed.description)
    {
        let _ = write!(actual, " breaking={text:?}");
    }
    if !parsed.pull_requests.is_empty() {
        let _ = write!(actual, " prs={:?}", parsed.pull_requests);
    }
    if !parsed.issues.is_empty() {
        let _ = write!(actual, " issues={:?}", parsed.issues);
    }
    for footer in &parsed.footers {
        let _ = write!(actual, " [{}={}]", footer.token, footer.value);
    }
    if let Some(id) = parsed.reverts {
        let _ = write!(actual, " reverts={id}");
    }
    if let Some(id) = parsed.cherry_picked_from {
        let _ = write!(actual, " picked={id}");
    }
    if parsed.origin != Origin::Commit {
        let _ = write!(actual, " origin={:?}", parsed.origin);
    }
    assert_eq!(actual, expected, "message: {message:?}");
}

#[test]
fn type_scope_and_description() {
    check(
        "feat(parser): accept tabs",
        1,
        r#"conventional feat(parser) "accept tabs""#,
    );
    check("fix: crash", 1, r#"conventional fix "crash""#);
}

#[test]
fn bang_marks_a_breaking_change() {
    check(
        "feat(api)!: drop v1 endpoints",
        1,
        r#"conventional feat(api)! "drop v1 endpoints""#,
    );
}

#[test]
fn breaking_change_footers_in_both_spellings() {
    check(
        "feat: new config\n\nBREAKING CHANGE: `path` is now `paths`",
        1,
        r#"conventional feat! "new config" breaking="`path` is now `paths`""#,
    );
    check(
        "refactor: x\n\nBREAKING-CHANGE: y",
        1,
        r#"conventional refactor! "x" breaking="y""#,
    );
}

#[test]
fn footers_give_issues_and_are_kept() {
    check(
        "fix: leak\n\nThe pool kept sockets.\n\nRefs: #12\nCloses #3\nCo-authored-by: Bob <bob@example.com>",
        1,
        r#"conventional fix "leak" issues=[12, 3] [Refs=#12] [Closes=3] [Co-authored-by=Bob <bob@example.com>]"#,
    );
}

#[test]
fn pull_request_references_in_the_subject() {
    check(
        "feat: streams (#123)",
        1,
        r#"conventional feat "streams (#123)" prs=[123]"#,
    );
    check(
        "Fix typo (#7) (#8)",
        1,
        r#"other "Fix typo (#7) (#8)" prs=[7, 8]"#,
    );
    check("feat: see (#abc)", 1, r#"conventional feat "see (#abc)""#);
}

#[test]
fn non_conventional_messages_are_other_not_errors() {
    check("Update README", 1, r#"other "Update README""#);
    check("", 1, r#"other """#);
    check(
        "Note to self: spaces before the colon",
        1,
        r#"other "Note to self: spaces before the colon""#,
    );
}

#[test]
fn merges_by_parents_or_by_git_summary() {
    check(
        "Merge branch 'feature'",
        2,
        r#"merge "Merge branch 'feature'""#,
    );
    // A merge with a conventional summary is that change (issue 12): `git merge -m 'feat: x'`.
    check(
        "feat: merged with a conventional message",
        2,
        r#"conventional feat "merged with a conventional message" origin=Merge"#,
    );
    check(
        "Merge pull request #5 from o/b",
        1,
        r#"merge "Merge pull request #5 from o/b""#,
    );
}

// Issue 12: forges put the pull or merge request title on the body's first line.
#[test]
fn a_github_merge_is_its_pull_request_title_with_the_pull_request_number() {
    check(
        "Merge pull request #5 from acme/login\n\nfeat: add the login page",
        2,
        r#"conventional feat "add the login page" prs=[5] origin=Merge"#,
    );
    // Flattened into one parent (an export, a rebase), the summary still says merge.
    check(
        "Merge pull request #5 from acme/login\n\nfeat(auth)!: drop basic auth",
        1,
        r#"conventional feat(auth)! "drop basic auth" prs=[5] origin=Merge"#,
    );
}

#[test]
fn a_gitlab_merge_takes_the_number_from_see_merge_request() {
    check(
        "Merge branch 'login' into 'main'\n\nfix(auth): expire sessions\n\nSee merge request acme/app!17",
        2,
        r#"conventional fix(auth) "expire sessions" prs=[17] origin=Merge"#,
    );
    check(
        "Merge branch 'login' into 'main'\n\nfix: expire sessions\n\nCloses #3\n\nSee merge request group/sub/app!17",
        2,
        r#"conventional fix "expire sessions" prs=[17] issues=[3] [Closes=3] origin=Merge"#,
    );
}

#[test]
fn a_bitbucket_merge_takes_the_number_from_its_summary() {
    check(
        "Merged in login (pull request #8)\n\nfeat: add the login page\n\nApproved-by: Bob",
        2,
        r#"conventional feat "add the login page" prs=[8] [Approved-by=Bob] origin=Merge"#,
    );
    check(
        "Merged in login (pull request #8)",
        1,
        r#"merge "Merged in login (pull request #8)""#,
    );
    // Without the pull request, "Merged in" is an ordinary sentence.
    check(
        "Merged in the upstream fixes",
        1,
        r#"other "Merged in the upstream fixes""#,
    );
}

#[test]
fn a_merge_without_a_conventional_title_stays_a_merge() {
    check(
        "Merge pull request #5 from acme/login\n\nAdd the login page",
        2,
        r#"merge "Merge pull request #5 from acme/login""#,
    );
    check(
        "Merge branch 'main' into login",
        2,
        r#"merge "Merge branch 'main' into login""#,
    );
    // A title in the pull request's own `(#6)` joins the forge's number once.
    check(
        "Merge pull request #6 from acme/x\n\nfix: y (#6)",
        2,
        r#"conventional fix "y (#6)" prs=[6] origin=Merge"#,
    );
}

#[test]
fn git_reverts_name_the_reverted_commit() {
    check(
        "Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
        1,
        r#"revert "Revert \"feat: x\"" reverts=0123456789abcdef0123456789abcdef01234567"#,
    );
}

#[test]
fn fixups_and_squashes() {
    check("fixup! feat: x", 1, r#"fixup "fixup! feat: x""#);
    check("squash! fix: y", 1, r#"fixup "squash! fix: y""#);
    check("amend! fix: y", 1, r#"fixup "amend! fix: y""#);
}

#[test]
fn cherry_pick_trailers() {
    check(
        "fix: y\n\n(cherry picked from commit abcdef1234567890abcdef1234567890abcdef12)",
        1,
        r#"conventional fix "y" picked=abcdef1234567890abcdef1234567890abcdef12"#,
    );
}

#[test]
fn body_that_breaks_the_footer_grammar_keeps_the_summary_type() {
    check(
        "fix: a\nbody right below the summary\nBREAKING CHANGE: z",
        1,
        r#"conventional fix! "a" breaking="z""#,
    );
}

#[test]
fn kind_is_serialised_in_kebab_case() {
    assert_eq!(
        serde_json::to_string(&Kind::Conventional).unwrap(),
        r#""conventional""#
    );
}
