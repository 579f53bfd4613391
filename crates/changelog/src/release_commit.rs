//! Recognising the commits a release tool writes, by the message template it writes them with.

/// Whether `summary` is the summary line of a release commit written from `template`, in which
/// `{version}` stands for the released version.
///
/// The summary must equal the template with `{version}` replaced by something that looks like a
/// version: it starts with a digit (after an optional `v`) and holds only letters, digits and
/// `.+-!_`, so SemVer (`1.2.0-rc.1+build`) and PEP 440 (`1.2.0rc1`, `1!2.0.post1`) both match.
/// A template without `{version}` matches itself only. Surrounding whitespace is ignored.
///
/// The changelog skips these commits entirely (not listed, no bump) when
/// [`Config::release_commit_template`](crate::Config::release_commit_template) is set; matching by
/// template instead of by type keeps `chore(release): …` commits out even when `chore` is shown,
/// and keeps a `release: …` commit someone wrote by hand.
///
/// ```
/// use changelog::is_release_commit;
/// let template = "chore(release): {version}";
/// assert!(is_release_commit(template, "chore(release): 1.2.0"));
/// assert!(is_release_commit(template, "chore(release): 2.0.0-rc.1"));
/// assert!(is_release_commit(template, "chore(release): 1.2.0rc1"));
/// assert!(!is_release_commit(template, "chore(release): prepare the changelog"));
/// assert!(!is_release_commit(template, "chore(release): 1.2.0 and a note"));
/// assert!(!is_release_commit(template, "release: 1.2.0"));
/// // Several packages released in one commit: `name version` pairs.
/// assert!(is_release_commit(template, "chore(release): core 1.2.0, app 1.0.1"));
/// assert!(is_release_commit(template, "chore(release): @acme/core 1.2.0"));
/// assert!(!is_release_commit(template, "chore(release): core and app"));
/// ```
pub fn is_release_commit(template: &str, summary: &str) -> bool {
    let template = template.trim();
    let summary = summary.trim();
    let Some((prefix, suffix)) = template.split_once("{version}") else {
        return summary == template;
    };
    let Some(version) = summary
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
    else {
        return false;
    };
    looks_like_a_version(version)
        || version.split(", ").all(|pair| {
            pair.split_once(' ').is_some_and(|(name, version)| {
                !name.is_empty()
                    && !name.contains(char::is_whitespace)
                    && looks_like_a_version(version)
            })
        })
}

fn looks_like_a_version(text: &str) -> bool {
    let digits = text.strip_prefix('v').unwrap_or(text);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '!' | '_'))
}
