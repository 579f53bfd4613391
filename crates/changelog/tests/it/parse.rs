//! Parsing commit messages: one line of input, one line of expected fields.

use std::fmt::Write as _;

use changelog::{Kind, parse_message};

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
    check(
        "feat: squashed but two parents",
        2,
        r#"merge "feat: squashed but two parents""#,
    );
    check(
        "Merge pull request #5 from o/b",
        1,
        r#"merge "Merge pull request #5 from o/b""#,
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
