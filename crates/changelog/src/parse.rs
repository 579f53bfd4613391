//! Reading one commit message: conventional fields, reverts, merges, fixups, references.
//!
//! Parsing never fails: a message that is not a conventional commit is [`Kind::Other`] data.

use serde::Serialize;

use crate::input::Commit;

/// What kind of commit a message describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A conventional commit (`type(scope)!: description`).
    Conventional,
    /// A commit whose message is not conventional.
    Other,
    /// A merge commit (more than one parent, or git's `Merge branch …` summary).
    Merge,
    /// A `git revert` commit: `Revert "…"` with `This reverts commit <id>.` in the body.
    Revert,
    /// A `fixup!`, `squash!` or `amend!` commit that should have been squashed.
    Fixup,
}

/// Where an entry's text comes from.
///
/// New in schema 1 without a version change (fields may be added).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The commit's own message.
    #[default]
    Commit,
    /// A merge commit's conventional title: its summary, or the pull or merge request title
    /// that GitHub, GitLab and Bitbucket put on the first line of the body.
    Merge,
    /// One conventional line (`* feat: …`, `- fix(x): …`) of the body of a squash commit whose
    /// summary is not conventional; the commit gives one entry per such line.
    Squash,
}

/// A footer (git trailer) such as `Refs: #12`, `Closes #3` or `Co-authored-by: …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Footer<'a> {
    /// The token, e.g. `Refs`, `Closes`, `Co-authored-by`, `BREAKING CHANGE`.
    pub token: &'a str,
    /// The value after the separator; for `Closes #3` it is `3`.
    pub value: &'a str,
}

/// A commit message taken apart. Borrows from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMessage<'a> {
    /// The kind of commit.
    pub kind: Kind,
    /// The conventional type (`feat`), as written.
    pub r#type: Option<&'a str>,
    /// The conventional scope, as written.
    pub scope: Option<&'a str>,
    /// The description: the conventional description, or the whole summary line otherwise.
    pub description: &'a str,
    /// The body (without footers for conventional commits), if any.
    pub body: Option<&'a str>,
    /// Whether the commit declares a breaking change (`!` or a `BREAKING CHANGE:` footer).
    pub breaking: bool,
    /// The `BREAKING CHANGE:` text, or the description for `!` commits.
    pub breaking_description: Option<&'a str>,
    /// Footers other than `BREAKING CHANGE`.
    pub footers: Vec<Footer<'a>>,
    /// Pull-request numbers referenced as `(#123)` in the summary.
    pub pull_requests: Vec<u64>,
    /// Issue numbers referenced in footers (`Refs: #12`, `Closes #3`).
    pub issues: Vec<u64>,
    /// The id from `This reverts commit <id>.`, for reverts.
    pub reverts: Option<&'a str>,
    /// The id from `(cherry picked from commit <id>)`.
    pub cherry_picked_from: Option<&'a str>,
    /// Where the conventional fields were read: the message, a merge's title, a squash line.
    pub origin: Origin,
}

/// Git's merge summaries, for merges whose parents were flattened (`git log --first-parent` exports, squashes).
const MERGE_PREFIXES: [&str; 6] = [
    "Merge branch ",
    "Merge pull request ",
    "Merge remote-tracking branch ",
    "Merge tag ",
    "Merge commit ",
    "Merge changes ",
];
/// Bitbucket's merge summary: `Merged in <branch> (pull request #<n>)`.
const BITBUCKET_PREFIX: &str = "Merged in ";
const BITBUCKET_NUMBER: &str = "(pull request #";
/// GitHub's merge summary: `Merge pull request #<n> from <owner>/<branch>`.
const GITHUB_PREFIX: &str = "Merge pull request #";
/// GitLab's last body line: `See merge request <group>/<project>!<n>`.
const GITLAB_TRAILER: &str = "See merge request ";
const FIXUP_PREFIXES: [&str; 3] = ["fixup! ", "squash! ", "amend! "];

/// Takes a commit's message apart.
///
/// ```
/// use changelog::{Commit, Kind, parse_commit};
/// let commit = Commit::new("a1b2c3d", "feat(parser)!: accept tabs (#42)\n\nRefs: #12");
/// let parsed = parse_commit(&commit);
/// assert_eq!(parsed.kind, Kind::Conventional);
/// assert_eq!(parsed.r#type, Some("feat"));
/// assert_eq!(parsed.scope, Some("parser"));
/// assert!(parsed.breaking);
/// assert_eq!(parsed.pull_requests, [42]);
/// assert_eq!(parsed.issues, [12]);
/// ```
pub fn parse_commit(commit: &Commit) -> ParsedMessage<'_> {
    parse_message(&commit.message, commit.parent_count)
}

/// Takes a message apart; `parent_count` above one makes it a merge.
///
/// A merge whose summary is conventional (`git merge -m 'feat: x'`), or whose body starts with
/// a conventional line (the pull or merge request title under GitHub's
/// `Merge pull request #5 from o/b`, GitLab's `Merge branch 'b' into 'main'` and Bitbucket's
/// `Merged in b (pull request #5)`), is read as that conventional commit, with
/// [`Origin::Merge`] and the request number the forge gives in `pull_requests`:
///
/// ```
/// use changelog::{Kind, Origin, parse_message};
/// let parsed = parse_message("Merge pull request #5 from acme/login\n\nfeat: add the login page", 2);
/// assert_eq!((parsed.kind, parsed.origin), (Kind::Conventional, Origin::Merge));
/// assert_eq!((parsed.r#type, parsed.description), (Some("feat"), "add the login page"));
/// assert_eq!(parsed.pull_requests, [5]);
///
/// let gitlab = "Merge branch 'login' into 'main'\n\nfix(auth): expire sessions\n\nSee merge request acme/app!7";
/// assert_eq!(parse_message(gitlab, 2).pull_requests, [7]);
/// // Without a conventional title a merge stays a merge (skipped unless `include_merges`).
/// assert_eq!(parse_message("Merge branch 'main' into login", 2).kind, Kind::Merge);
/// ```
pub fn parse_message(message: &str, parent_count: usize) -> ParsedMessage<'_> {
    let message = message.trim_start_matches(['\n', '\r']);
    let (summary, rest) = match message.find('\n') {
        Some(index) => (
            message[..index].trim_end_matches('\r'),
            &message[index + 1..],
        ),
        None => (message, ""),
    };
    let reverts = find_id_after(message, "This reverts commit ");
    let cherry_picked_from = find_id_after(message, "(cherry picked from commit ");
    let mut parsed = ParsedMessage {
        kind: Kind::Other,
        r#type: None,
        scope: None,
        description: summary.trim(),
        body: non_empty(rest),
        breaking: false,
        breaking_description: None,
        footers: Vec::new(),
        pull_requests: pull_requests(summary),
        issues: Vec::new(),
        reverts,
        cherry_picked_from,
        origin: Origin::Commit,
    };
    if parent_count > 1 || is_merge_summary(summary) {
        parsed.kind = Kind::Merge;
        read_merge_title(message, summary, rest, &mut parsed);
        return parsed;
    }
    if FIXUP_PREFIXES
        .iter()
        .any(|prefix| summary.starts_with(prefix))
    {
        parsed.kind = Kind::Fixup;
        return parsed;
    }
    if summary.starts_with("Revert \"") && reverts.is_some() {
        parsed.kind = Kind::Revert;
        return parsed;
    }
    read_conventional(message, summary, rest, &mut parsed);
    parsed
}

/// Fills the conventional fields from `message` (whose first line is `summary`, followed by
/// `rest`) when the summary is a conventional header; leaves `parsed` alone otherwise.
fn read_conventional<'a>(
    message: &'a str,
    summary: &'a str,
    rest: &'a str,
    parsed: &mut ParsedMessage<'a>,
) -> bool {
    // Cheap pre-check: a conventional summary has a `:` after a type with no spaces.
    // It saves the parser's error construction on the many non-conventional messages.
    if !looks_conventional(summary) {
        return false;
    }
    if let Ok(commit) = git_conventional::Commit::parse(message) {
        parsed.kind = Kind::Conventional;
        parsed.r#type = Some(commit.type_().as_str());
        parsed.scope = commit.scope().map(|scope| scope.as_str());
        parsed.description = commit.description();
        parsed.body = commit.body().and_then(non_empty);
        parsed.breaking = commit.breaking();
        parsed.breaking_description = commit.breaking_description();
        for footer in commit.footers() {
            if footer.breaking() {
                continue;
            }
            let value = footer.value();
            let token = footer.token().as_str();
            if !token.eq_ignore_ascii_case("co-authored-by")
                && !token.eq_ignore_ascii_case("signed-off-by")
            {
                let hash_separated = footer.separator().as_str().contains('#');
                issue_numbers(value, hash_separated, &mut parsed.issues);
            }
            parsed.footers.push(Footer { token, value });
        }
        return true;
    }
    // The full message is not conventional (a body that does not follow the footer grammar,
    // a missing blank line), but the summary may be: the summary is what decides the type.
    let Ok(commit) = git_conventional::Commit::parse(summary) else {
        return false;
    };
    parsed.kind = Kind::Conventional;
    parsed.r#type = Some(commit.type_().as_str());
    parsed.scope = commit.scope().map(|scope| scope.as_str());
    parsed.description = commit.description();
    parsed.breaking = commit.breaking();
    parsed.breaking_description = commit.breaking_description();
    if let Some(text) = breaking_footer(rest) {
        parsed.breaking = true;
        parsed.breaking_description = Some(text);
    }
    true
}

/// Whether a summary is one git or a forge writes for a merge (for merges whose parents were
/// flattened: `git log --first-parent` exports, rebased or squashed histories).
fn is_merge_summary(summary: &str) -> bool {
    MERGE_PREFIXES
        .iter()
        .any(|prefix| summary.starts_with(prefix))
        || (summary.starts_with(BITBUCKET_PREFIX) && summary.contains(BITBUCKET_NUMBER))
}

/// Reads a merge's conventional title: its own summary, or else the first non-empty body line
/// (where GitHub, GitLab and Bitbucket put the request's title). The request number the forge
/// writes (`#5` in GitHub's and Bitbucket's summaries, `!5` in GitLab's `See merge request`
/// line) joins `pull_requests`.
fn read_merge_title<'a>(
    message: &'a str,
    summary: &'a str,
    rest: &'a str,
    parsed: &mut ParsedMessage<'a>,
) {
    let titled = read_conventional(message, summary, rest, parsed) || {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace());
        let offset = rest.len() - trimmed.len();
        // The title and what follows it, as one message in the original text, without GitLab's
        // closing `See merge request` line (which would run into the last footer's value).
        let mut titled_message = &rest[offset..];
        if let Some(index) = titled_message.rfind(GITLAB_TRAILER) {
            if titled_message[..index].ends_with('\n') {
                titled_message = titled_message[..index].trim_end();
            }
        }
        let (title, title_rest) = match titled_message.find('\n') {
            Some(index) => (
                titled_message[..index].trim_end_matches('\r'),
                &titled_message[index + 1..],
            ),
            None => (titled_message, ""),
        };
        let read = read_conventional(titled_message, title.trim_end(), title_rest, parsed);
        if read {
            parsed.pull_requests = pull_requests(title);
        }
        read
    };
    if !titled {
        return;
    }
    parsed.origin = Origin::Merge;
    if let Some(number) = forge_request_number(summary, rest) {
        if !parsed.pull_requests.contains(&number) {
            parsed.pull_requests.push(number);
        }
    }
}

/// The pull or merge request number a forge's merge message names.
fn forge_request_number(summary: &str, body: &str) -> Option<u64> {
    let leading_number = |text: &str| {
        let end = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        text[..end].parse::<u64>().ok()
    };
    if let Some(rest) = summary.strip_prefix(GITHUB_PREFIX) {
        return leading_number(rest);
    }
    if summary.starts_with(BITBUCKET_PREFIX) {
        if let Some(index) = summary.find(BITBUCKET_NUMBER) {
            return leading_number(&summary[index + BITBUCKET_NUMBER.len()..]);
        }
    }
    body.lines().rev().find_map(|line| {
        let reference = line.trim().strip_prefix(GITLAB_TRAILER)?;
        let bang = reference.rfind('!')?;
        leading_number(&reference[bang + 1..])
    })
}

/// The conventional lines of a squash commit's body (`* feat: …`, `- fix(x): …`), each read as
/// a one-line conventional commit with [`Origin::Squash`]. Other lines are ignored.
pub(crate) fn squash_lines(message: &str) -> impl Iterator<Item = ParsedMessage<'_>> {
    let body = message
        .trim_start_matches(['\n', '\r'])
        .split_once('\n')
        .map_or("", |(_, body)| body);
    body.lines().filter_map(|line| {
        let item = line
            .trim_start()
            .strip_prefix(['*', '-'])?
            .strip_prefix([' ', '\t'])?
            .trim();
        let mut parsed = parse_message(item, 1);
        (parsed.kind == Kind::Conventional).then(|| {
            parsed.origin = Origin::Squash;
            parsed
        })
    })
}

fn non_empty(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

fn looks_conventional(summary: &str) -> bool {
    let Some(colon) = summary.find(':') else {
        return false;
    };
    let head = &summary[..colon];
    let type_end = head.find(['(', '!']).unwrap_or(head.len());
    type_end > 0 && !head[..type_end].contains(char::is_whitespace)
}

/// The hex id that follows `marker`, if any.
fn find_id_after<'a>(message: &'a str, marker: &str) -> Option<&'a str> {
    let start = find_ascii(message, marker)? + marker.len();
    let rest = &message[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_hexdigit())
        .unwrap_or(rest.len());
    (end >= 4).then(|| &rest[..end])
}

/// Where `needle` (ASCII, not empty) first starts in `haystack`, as [`str::find`] answers.
///
/// A scan for the needle's first byte: `str::find` sets up a two-way searcher on each call,
/// which cost more than the search in a few hundred bytes (every commit is searched twice).
fn find_ascii(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(at) = haystack.get(from..)?.iter().position(|&byte| byte == first) {
        let at = from + at;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `(#123)` references in a summary line.
fn pull_requests(summary: &str) -> Vec<u64> {
    let mut numbers = Vec::new();
    let mut rest = summary;
    while let Some(index) = rest.find("(#") {
        rest = &rest[index + 2..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end > 0 && rest[end..].starts_with(')') {
            if let Ok(number) = rest[..end].parse() {
                numbers.push(number);
            }
        }
    }
    numbers
}

/// Issue numbers in a footer value: `#12, #13`, or `3` when the separator was ` #`.
fn issue_numbers(value: &str, hash_separated: bool, into: &mut Vec<u64>) {
    let mut push = |digits: &str| {
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if let Ok(number) = digits[..end].parse::<u64>() {
            if !into.contains(&number) {
                into.push(number);
            }
        }
    };
    if hash_separated {
        push(value);
    }
    for (index, _) in value.match_indices('#') {
        push(&value[index + 1..]);
    }
}

fn breaking_footer(text: &str) -> Option<&str> {
    text.lines().find_map(|line| {
        line.strip_prefix("BREAKING CHANGE:")
            .or_else(|| line.strip_prefix("BREAKING-CHANGE:"))
            .map(str::trim)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn find_ascii_answers_as_str_find(
            haystack in "[(Tc é\u{1F600}a-z0-9]{0,40}",
            needle in "[(Tc a-z]{1,6}",
        ) {
            proptest::prop_assert_eq!(find_ascii(&haystack, &needle), haystack.find(needle.as_str()));
        }
    }

    #[test]
    fn ids_after_markers_are_found_past_earlier_partial_matches() {
        let message = "fix: x\n\n(cherry (cherry picked from commit 0a1b2c3d)\nThis This reverts commit ffff.";
        assert_eq!(
            find_id_after(message, "(cherry picked from commit "),
            Some("0a1b2c3d")
        );
        assert_eq!(find_id_after(message, "This reverts commit "), Some("ffff"));
        assert_eq!(find_id_after("Revert \"x\"", "This reverts commit "), None);
    }

    #[test]
    fn summary_only_fallback_keeps_type_when_body_breaks_the_grammar() {
        let parsed = parse_message("fix: a\nno blank line before this body", 1);
        assert_eq!(parsed.kind, Kind::Conventional);
        assert_eq!(parsed.r#type, Some("fix"));
    }

    #[test]
    fn sentences_with_colons_after_spaces_are_not_conventional() {
        assert!(!looks_conventional("Update the docs: typo"));
        assert!(looks_conventional("feat(x)!: y"));
        assert!(!looks_conventional(": y"));
    }
}
