//! Any text file (docs, READMEs, Helm charts), with a user-given pattern.

use regex::Regex;

use super::{Scheme, Site, Sites, line_of};
use crate::error::FileError;

/// A SemVer version, bounded so `1.2.3.4` or `1.2.3-rc.1.` do not half-match.
const SEMVER: &str =
    r"\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?";

/// A normalised PEP 440 version.
const PEP440: &str = r"(?:\d+!)?\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Form {
    /// Literal text around `{version}`.
    Template { prefix: String, suffix: String },
    /// A regular expression with a `version` group.
    Regex,
}

/// Where the version is in a text file: a template such as `pip install slipway=={version}` or a
/// regular expression with a named group `version`.
///
/// A pattern is refused when it matches more places than configured (one by default), so a
/// pattern that is too loose never rewrites text it should not.
///
/// ```
/// use versioning::Version;
/// use versioning::files::{FileKind, Scheme, TextPattern, set_version};
///
/// let pattern = TextPattern::template("pip install demo=={version}")?.with_scheme(Scheme::Pep440);
/// let text = "Install it:\n\n    pip install demo==1.2.0\n";
/// let edit = set_version(&FileKind::Text(pattern), text, &Version::parse("1.3.0-rc.1")?)?;
/// assert_eq!(edit.text, "Install it:\n\n    pip install demo==1.3.0rc1\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TextPattern {
    source: String,
    form: Form,
    regex: Regex,
    scheme: Scheme,
    max_matches: usize,
}

impl PartialEq for TextPattern {
    fn eq(&self, other: &TextPattern) -> bool {
        self.source == other.source
            && self.form == other.form
            && self.scheme == other.scheme
            && self.max_matches == other.max_matches
    }
}

impl Eq for TextPattern {}

impl TextPattern {
    /// Literal text with exactly one `{version}`, matching a SemVer version by default.
    pub fn template(template: &str) -> Result<TextPattern, FileError> {
        let invalid = |reason: &str| FileError::InvalidPattern {
            pattern: template.to_owned(),
            reason: reason.to_owned(),
        };
        let Some((prefix, suffix)) = template.split_once("{version}") else {
            return Err(invalid("it has no {version} placeholder"));
        };
        if suffix.contains("{version}") {
            return Err(invalid("it has {version} more than once"));
        }
        let form = Form::Template {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        };
        let scheme = Scheme::SemVer;
        Ok(TextPattern {
            source: template.to_owned(),
            regex: template_regex(prefix, suffix, scheme),
            form,
            scheme,
            max_matches: 1,
        })
    }

    /// A regular expression (Rust `regex` syntax) with a named group `version`.
    pub fn regex(pattern: &str) -> Result<TextPattern, FileError> {
        let regex = Regex::new(pattern).map_err(|error| FileError::InvalidPattern {
            pattern: pattern.to_owned(),
            reason: error.to_string(),
        })?;
        if !regex.capture_names().any(|name| name == Some("version")) {
            return Err(FileError::InvalidPattern {
                pattern: pattern.to_owned(),
                reason: "it has no named group `version`: write (?P<version>...)".to_owned(),
            });
        }
        Ok(TextPattern {
            source: pattern.to_owned(),
            form: Form::Regex,
            regex,
            scheme: Scheme::SemVer,
            max_matches: 1,
        })
    }

    /// The same pattern writing (and, for a template, matching) versions in `scheme`.
    #[must_use]
    pub fn with_scheme(self, scheme: Scheme) -> TextPattern {
        let regex = match &self.form {
            Form::Template { prefix, suffix } => template_regex(prefix, suffix, scheme),
            Form::Regex => self.regex,
        };
        TextPattern {
            regex,
            scheme,
            ..self
        }
    }

    /// The same pattern allowed to match up to `max_matches` places (at least one).
    #[must_use]
    pub fn with_max_matches(self, max_matches: usize) -> TextPattern {
        TextPattern {
            max_matches: max_matches.max(1),
            ..self
        }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The scheme versions are written in.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// How many places the pattern may match.
    pub fn max_matches(&self) -> usize {
        self.max_matches
    }

    pub(super) fn sites(&self, text: &str) -> Result<Sites, FileError> {
        let mut found = Sites::default();
        for captures in self.regex.captures_iter(text) {
            let Some(version) = captures.name("version") else {
                continue;
            };
            if let Form::Template { prefix, suffix } = &self.form
                && !bounded(text, version.range(), prefix.is_empty(), suffix.is_empty())
            {
                continue;
            }
            found.sites.push(Site::version(version.range(), "pattern"));
        }
        if found.sites.len() > self.max_matches {
            let lines: Vec<String> = found
                .sites
                .iter()
                .map(|site| line_of(text, site.range.start).to_string())
                .collect();
            return Err(FileError::TooManyMatches {
                pattern: self.source.clone(),
                count: found.sites.len(),
                max: self.max_matches,
                lines: lines.join(", "),
            });
        }
        Ok(found)
    }
}

fn template_regex(prefix: &str, suffix: &str, scheme: Scheme) -> Regex {
    let version = match scheme {
        Scheme::SemVer => SEMVER,
        Scheme::Pep440 => PEP440,
    };
    Regex::new(&format!(
        "{}(?P<version>{version}){}",
        regex::escape(prefix),
        regex::escape(suffix)
    ))
    .expect("escaped literals around a valid version regex")
}

/// Whether a version match is not part of a longer version-like word (`1.2.3.4`, `x1.2.3`) on
/// the sides where the template has no literal text.
fn bounded(
    text: &str,
    range: std::ops::Range<usize>,
    check_before: bool,
    check_after: bool,
) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric();
    if check_before
        && text[..range.start]
            .chars()
            .next_back()
            .is_some_and(|c| word(c) || c == '.' || c == '-' || c == '+')
    {
        return false;
    }
    if check_after {
        let mut after = text[range.end..].chars();
        match after.next() {
            Some(c) if word(c) => return false,
            Some('.' | '-' | '+') if after.next().is_some_and(word) => return false,
            _ => {}
        }
    }
    true
}
