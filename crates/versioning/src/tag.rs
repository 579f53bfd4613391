//! Git tag names built from a pattern such as `v{version}` or `{package}-v{version}`, and the
//! schemes a repository's tags use.

use std::fmt;

use crate::Version;
use crate::error::{PatternError, RefNameError};

/// One piece of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Version,
    Package,
}

/// How tags are named: literal text around exactly one `{version}` and at most one `{package}`.
///
/// The default is `v{version}`. A pattern with `{package}` is usually filled with
/// [`with_package`](TagPattern::with_package) first; unfilled, `{package}` matches any non-empty
/// text when parsing and is written out literally by [`format`](TagPattern::format).
///
/// ```
/// use versioning::{TagPattern, Version};
///
/// let pattern = TagPattern::new("{package}-v{version}")?.with_package("mypkg");
/// let version = Version::new(1, 2, 3);
/// assert_eq!(pattern.format(&version), "mypkg-v1.2.3");
/// assert_eq!(pattern.parse_tag("mypkg-v1.2.3"), Some(version));
/// assert_eq!(pattern.parse_tag("other-v1.2.3"), None);
/// assert_eq!(TagPattern::default().parse_tag("v1.2"), None);
/// # Ok::<(), versioning::PatternError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPattern {
    pattern: String,
    segments: Vec<Segment>,
}

impl TagPattern {
    /// Parses a pattern: exactly one `{version}`, at most one `{package}`, any other literal text.
    pub fn new(pattern: &str) -> Result<TagPattern, PatternError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = pattern;
        while let Some(c) = rest.chars().next() {
            match c {
                '{' => {
                    let Some(end) = rest.find('}') else {
                        return Err(PatternError::UnbalancedBrace {
                            pattern: pattern.to_owned(),
                        });
                    };
                    let name = &rest[1..end];
                    let segment = match name {
                        "version" => Segment::Version,
                        "package" => Segment::Package,
                        _ if name.contains('{') => {
                            return Err(PatternError::UnbalancedBrace {
                                pattern: pattern.to_owned(),
                            });
                        }
                        _ => {
                            return Err(PatternError::UnknownPlaceholder {
                                pattern: pattern.to_owned(),
                                placeholder: name.to_owned(),
                            });
                        }
                    };
                    if segments.contains(&segment) {
                        return Err(PatternError::Repeated {
                            pattern: pattern.to_owned(),
                            placeholder: name.to_owned(),
                        });
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(segment);
                    rest = &rest[end + 1..];
                }
                '}' => {
                    return Err(PatternError::UnbalancedBrace {
                        pattern: pattern.to_owned(),
                    });
                }
                _ => {
                    literal.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        if !segments.contains(&Segment::Version) {
            return Err(PatternError::MissingVersion {
                pattern: pattern.to_owned(),
            });
        }
        let parsed = TagPattern {
            pattern: pattern.to_owned(),
            segments,
        };
        parsed.check_tags()?;
        Ok(parsed)
    }

    /// Whether the tags this pattern makes are names git accepts, checked on a sample tag (the
    /// version `1.2.3-rc.1+build.5`, and `pkg` for an unfilled `{package}`): the version's own
    /// characters are always accepted, so only the literal text and the name can break a rule.
    ///
    /// [`new`](TagPattern::new) checks this; call it again after
    /// [`with_package`](TagPattern::with_package), since a name can break a rule too.
    ///
    /// ```
    /// use versioning::TagPattern;
    ///
    /// let error = TagPattern::new("v{version}..x").unwrap_err();
    /// assert_eq!(error.to_string(), "tag pattern \"v{version}..x\" makes tags git refuses");
    /// assert_eq!(
    ///     std::error::Error::source(&error).unwrap().to_string(),
    ///     "\"v1.2.3-rc.1+build.5..x\" is not a valid git tag name: it contains \"..\""
    /// );
    /// let named = TagPattern::new("{package}-v{version}")?.with_package("my pkg");
    /// assert!(named.check_tags().is_err());
    /// # Ok::<(), versioning::PatternError>(())
    /// ```
    pub fn check_tags(&self) -> Result<(), PatternError> {
        let sample = Version::parse("1.2.3-rc.1+build.5").expect("a valid version");
        let mut tag = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => tag.push_str(text),
                Segment::Version => tag.push_str(&sample.to_string()),
                Segment::Package => tag.push_str("pkg"),
            }
        }
        check_tag_name(&tag).map_err(|source| PatternError::InvalidTag {
            pattern: self.pattern.clone(),
            source,
        })
    }

    /// The pattern with `{package}` replaced by `package`; unchanged if it has no `{package}`.
    #[must_use]
    pub fn with_package(&self, package: &str) -> TagPattern {
        let segments: Vec<Segment> = self
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Package => Segment::Literal(package.to_owned()),
                other => other.clone(),
            })
            .fold(Vec::new(), |mut merged, segment| {
                // Adjacent literals are merged so matching stays a simple prefix/suffix check.
                if let (Some(Segment::Literal(last)), Segment::Literal(text)) =
                    (merged.last_mut(), &segment)
                {
                    last.push_str(text);
                } else {
                    merged.push(segment);
                }
                merged
            });
        TagPattern {
            pattern: self.pattern.replace("{package}", package),
            segments,
        }
    }

    /// Whether the pattern still contains an unfilled `{package}`.
    pub fn has_package_placeholder(&self) -> bool {
        self.segments.contains(&Segment::Package)
    }

    /// The version a tag names, or `None` if the tag does not match the pattern or its version
    /// part is not a strict SemVer version.
    pub fn parse_tag(&self, tag: &str) -> Option<Version> {
        match_segments(&self.segments, tag)
    }

    /// The tag for `version`.
    pub fn format(&self, version: &Version) -> String {
        let mut tag = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => tag.push_str(text),
                Segment::Version => tag.push_str(&version.to_string()),
                Segment::Package => tag.push_str("{package}"),
            }
        }
        tag
    }

    /// The pattern text, with `{package}` filled in if [`with_package`](TagPattern::with_package)
    /// was called.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

/// Checks that `name` is a tag name git accepts, by the rules of `git check-ref-format` for
/// `refs/tags/<name>`, so that a bad name is refused with the rule it breaks before git is asked.
///
/// ```
/// assert!(versioning::check_tag_name("v1.2.0").is_ok());
/// assert_eq!(
///     versioning::check_tag_name("v1..0").unwrap_err().to_string(),
///     "\"v1..0\" is not a valid git tag name: it contains \"..\""
/// );
/// ```
pub fn check_tag_name(name: &str) -> Result<(), RefNameError> {
    check_ref_name(name, "tag")
}

/// Checks that `name` is a branch name git accepts (the same rules as
/// [`check_tag_name`], and a branch may not start with `-`).
pub fn check_branch_name(name: &str) -> Result<(), RefNameError> {
    check_ref_name(name, "branch")?;
    if name.starts_with('-') {
        return Err(ref_error(name, "branch", "it starts with \"-\"".to_owned()));
    }
    Ok(())
}

fn ref_error(name: &str, kind: &'static str, reason: String) -> RefNameError {
    RefNameError {
        name: name.to_owned(),
        kind,
        reason,
    }
}

fn check_ref_name(name: &str, kind: &'static str) -> Result<(), RefNameError> {
    let refuse = |reason: String| Err(ref_error(name, kind, reason));
    if name.is_empty() {
        return refuse("it is empty".to_owned());
    }
    if name == "@" {
        return refuse("\"@\" alone names HEAD".to_owned());
    }
    if let Some(c) = name.chars().find(|c| {
        c.is_ascii_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    }) {
        let shown = if c.is_ascii_control() {
            format!("the control character {c:?}")
        } else {
            format!("{c:?}")
        };
        return refuse(format!(
            "it contains {shown} (spaces, control characters and ~ ^ : ? * [ \\ are not allowed)"
        ));
    }
    for sequence in ["..", "@{", "//"] {
        if name.contains(sequence) {
            return refuse(format!("it contains {sequence:?}"));
        }
    }
    if name.starts_with('/') || name.ends_with('/') {
        return refuse("it starts or ends with \"/\"".to_owned());
    }
    if name.ends_with('.') {
        return refuse("it ends with \".\"".to_owned());
    }
    for component in name.split('/') {
        if component.starts_with('.') {
            return refuse(format!("the part {component:?} starts with \".\""));
        }
        // Refused in any case: on a case-insensitive file system `V1.LOCK` is git's lock file.
        if component.to_ascii_lowercase().ends_with(".lock") {
            return refuse(format!("the part {component:?} ends with \".lock\""));
        }
    }
    Ok(())
}

/// Matches `text` against `segments`, backtracking over where `{package}` ends.
fn match_segments(segments: &[Segment], text: &str) -> Option<Version> {
    match segments.split_first() {
        None => None,
        Some((Segment::Literal(literal), rest)) => {
            match_segments(rest, text.strip_prefix(literal.as_str())?)
        }
        Some((Segment::Version, rest)) => {
            // The version is followed by literals only, or by `{package}` and literals.
            if rest.contains(&Segment::Package) {
                (1..=text.len())
                    .filter(|&end| text.is_char_boundary(end))
                    .find_map(|end| {
                        let version = Version::parse(&text[..end]).ok()?;
                        match_package_then_literals(rest, &text[end..])?;
                        Some(version)
                    })
            } else {
                let suffix = literal_text(rest);
                Version::parse(text.strip_suffix(suffix.as_str())?).ok()
            }
        }
        Some((Segment::Package, rest)) => (1..=text.len())
            .filter(|&end| text.is_char_boundary(end))
            .find_map(|end| match_segments(rest, &text[end..])),
    }
}

/// Matches the segments after `{version}` when they contain `{package}`.
fn match_package_then_literals(segments: &[Segment], text: &str) -> Option<()> {
    match segments.split_first() {
        None => text.is_empty().then_some(()),
        Some((Segment::Literal(literal), rest)) => {
            match_package_then_literals(rest, text.strip_prefix(literal.as_str())?)
        }
        Some((Segment::Package, rest)) => {
            let suffix = literal_text(rest);
            let package = text.strip_suffix(suffix.as_str())?;
            (!package.is_empty()).then_some(())
        }
        Some((Segment::Version, _)) => None,
    }
}

fn literal_text(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Literal(text) => text.as_str(),
            Segment::Version | Segment::Package => "",
        })
        .collect()
}

impl Default for TagPattern {
    /// `v{version}`.
    fn default() -> TagPattern {
        TagPattern {
            pattern: "v{version}".to_owned(),
            segments: vec![Segment::Literal("v".to_owned()), Segment::Version],
        }
    }
}

impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl std::str::FromStr for TagPattern {
    type Err = PatternError;

    fn from_str(pattern: &str) -> Result<TagPattern, PatternError> {
        TagPattern::new(pattern)
    }
}

/// A tag naming scheme found in a repository: how one family of release tags spells its version.
///
/// [`TagScheme::classify`] reads one tag name; [`TagSchemes::detect`] reads a repository's tag list.
/// Each scheme converts to the [`TagPattern`] that reads and writes it.
///
/// ```
/// use versioning::{TagScheme, Version};
///
/// let check = |tag: &str| TagScheme::classify(tag).map(|(scheme, version)| (scheme.pattern().to_string(), version.to_string()));
/// assert_eq!(check("v1.2.3"), Some(("v{version}".into(), "1.2.3".into())));
/// assert_eq!(check("1.2.3-rc.1"), Some(("{version}".into(), "1.2.3-rc.1".into())));
/// assert_eq!(check("api-v1.2.3"), Some(("api-v{version}".into(), "1.2.3".into())));
/// assert_eq!(check("api@1.2.3"), Some(("api@{version}".into(), "1.2.3".into())));
/// assert_eq!(check("@scope/api@1.2.3"), Some(("@scope/api@{version}".into(), "1.2.3".into())));
/// assert_eq!(check("release-1.2"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TagScheme {
    /// `v{version}`: `v1.2.3`.
    V,
    /// `{version}`: `1.2.3`.
    Bare,
    /// `{package}-v{version}`: `api-v1.2.3`.
    PackageV(String),
    /// `{package}@{version}`: `api@1.2.3`, and npm's scoped `@scope/api@1.2.3` (the package is
    /// `@scope/api`).
    PackageAt(String),
}

impl TagScheme {
    /// The scheme and version of one tag name, or `None` when the name is no release tag of a
    /// known scheme.
    ///
    /// The version must be strict SemVer. A package name is never empty and may itself contain
    /// `-v` or `@` (`my-vault-v1.0.0` is package `my-vault`): the first split that leaves a valid
    /// version wins.
    pub fn classify(tag: &str) -> Option<(TagScheme, Version)> {
        if let Some(rest) = tag.strip_prefix('v')
            && let Ok(version) = Version::parse(rest)
        {
            return Some((TagScheme::V, version));
        }
        if let Ok(version) = Version::parse(tag) {
            return Some((TagScheme::Bare, version));
        }
        for (at, _) in tag.match_indices('@').filter(|&(at, _)| at > 0) {
            let package = &tag[..at];
            if package != "@"
                && let Ok(version) = Version::parse(&tag[at + 1..])
            {
                return Some((TagScheme::PackageAt(package.to_owned()), version));
            }
        }
        for (at, _) in tag.match_indices("-v").filter(|&(at, _)| at > 0) {
            if let Ok(version) = Version::parse(&tag[at + 2..]) {
                return Some((TagScheme::PackageV(tag[..at].to_owned()), version));
            }
        }
        None
    }

    /// The package the scheme names, `None` for `v{version}` and `{version}`.
    pub fn package(&self) -> Option<&str> {
        match self {
            TagScheme::V | TagScheme::Bare => None,
            TagScheme::PackageV(package) | TagScheme::PackageAt(package) => Some(package),
        }
    }

    /// The pattern that reads and writes this scheme's tags, with the package filled in.
    pub fn pattern(&self) -> TagPattern {
        let (pattern, package) = match self {
            TagScheme::V => return TagPattern::default(),
            TagScheme::Bare => ("{version}", None),
            TagScheme::PackageV(package) => ("{package}-v{version}", Some(package)),
            TagScheme::PackageAt(package) => ("{package}@{version}", Some(package)),
        };
        let pattern = TagPattern::new(pattern).expect("the schemes' patterns are valid");
        match package {
            Some(package) => pattern.with_package(package),
            None => pattern,
        }
    }
}

impl fmt::Display for TagScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pattern().as_str())
    }
}

/// One scheme as a repository uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeUse {
    /// The scheme.
    pub scheme: TagScheme,
    /// How many tags use it.
    pub tags: usize,
    /// The highest version tagged with it.
    pub latest: Version,
}

/// The tag schemes a repository uses, read from its tag names alone.
///
/// Repositories change schemes: a project that tagged `v1.2.3` for years and then `1.3.0` has
/// both, and its releases are the union. [`patterns`](TagSchemes::patterns) reads every scheme
/// in use, so no release is missed; [`scheme_for_new_tags`](TagSchemes::scheme_for_new_tags)
/// is the scheme of the latest release, so a new tag continues what the project does now.
///
/// ```
/// use versioning::{TagScheme, TagSchemes};
///
/// let schemes = TagSchemes::detect(["v1.0.0", "v1.1.0", "1.2.0", "1.2.1-rc.1", "nightly", "api-v0.3.0"]);
/// let patterns: Vec<String> = schemes.patterns(None).iter().map(ToString::to_string).collect();
/// assert_eq!(patterns, ["v{version}", "{version}"]);
/// assert_eq!(schemes.scheme_for_new_tags(None), TagScheme::Bare);
/// // A package's own tags, in a monorepo.
/// assert_eq!(schemes.scheme_for_new_tags(Some("api")), TagScheme::PackageV("api".into()));
/// // Nothing tagged yet: `v{version}`, or `{package}-v{version}` for a package.
/// assert_eq!(TagSchemes::detect([] as [&str; 0]).scheme_for_new_tags(None), TagScheme::V);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagSchemes {
    uses: Vec<SchemeUse>,
}

impl TagSchemes {
    /// Reads the schemes of `tags` (names without `refs/tags/`). Names of no known scheme are
    /// left out (see [`ignored_tags`]).
    pub fn detect<I, S>(tags: I) -> TagSchemes
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut uses: Vec<SchemeUse> = Vec::new();
        for tag in tags {
            let Some((scheme, version)) = TagScheme::classify(tag.as_ref()) else {
                continue;
            };
            match uses.iter_mut().find(|known| known.scheme == scheme) {
                Some(known) => {
                    known.tags += 1;
                    if version > known.latest {
                        known.latest = version;
                    }
                }
                None => uses.push(SchemeUse {
                    scheme,
                    tags: 1,
                    latest: version,
                }),
            }
        }
        uses.sort_by(|a, b| a.scheme.cmp(&b.scheme));
        TagSchemes { uses }
    }

    /// Every scheme found, `v{version}` first, then `{version}`, then packages by name.
    pub fn uses(&self) -> &[SchemeUse] {
        &self.uses
    }

    /// The schemes of `package` (`None`: the repository's own `v{version}` and `{version}` tags).
    fn of(&self, package: Option<&str>) -> impl Iterator<Item = &SchemeUse> {
        self.uses
            .iter()
            .filter(move |known| known.scheme.package() == package)
    }

    /// The patterns to read `package`'s releases with: every scheme it has used, or the default
    /// (`v{version}`, `{package}-v{version}`) when it has no tag yet. Never empty.
    pub fn patterns(&self, package: Option<&str>) -> Vec<TagPattern> {
        let patterns: Vec<TagPattern> = self
            .of(package)
            .map(|known| known.scheme.pattern())
            .collect();
        if patterns.is_empty() {
            vec![default_scheme(package).pattern()]
        } else {
            patterns
        }
    }

    /// The scheme new tags of `package` should use: the scheme of its latest release (highest
    /// version). When two schemes tag the same highest version, the one with more tags wins, then
    /// `v{version}` before `{version}`. With no tag yet: `v{version}` or `{package}-v{version}`.
    pub fn scheme_for_new_tags(&self, package: Option<&str>) -> TagScheme {
        self.of(package)
            .max_by(|a, b| {
                a.latest
                    .cmp(&b.latest)
                    .then(a.tags.cmp(&b.tags))
                    .then(b.scheme.cmp(&a.scheme))
            })
            .map_or_else(|| default_scheme(package), |known| known.scheme.clone())
    }
}

fn default_scheme(package: Option<&str>) -> TagScheme {
    match package {
        None => TagScheme::V,
        Some(package) => TagScheme::PackageV(package.to_owned()),
    }
}

/// The tags that look like versions but that none of `patterns` reads, for a one-time warning
/// ("these tags are not read as releases").
///
/// A tag looks like a version when it contains `N.N` (`v1.2`, `release-2.0.0`, `1.2.3.4`,
/// `api-v1.0.0` when reading another package).
///
/// ```
/// use versioning::{TagPattern, ignored_tags};
///
/// let tags = ["v1.0.0", "1.1.0", "v1.2", "nightly", "release-2.0.0"];
/// assert_eq!(ignored_tags(tags, &[TagPattern::default()]), ["1.1.0", "v1.2", "release-2.0.0"]);
/// ```
pub fn ignored_tags<I, S>(tags: I, patterns: &[TagPattern]) -> Vec<S>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    tags.into_iter()
        .filter(|tag| {
            let tag = tag.as_ref();
            looks_like_version(tag)
                && !patterns
                    .iter()
                    .any(|pattern| pattern.parse_tag(tag).is_some())
        })
        .collect()
}

fn looks_like_version(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    bytes
        .windows(3)
        .any(|window| window[0].is_ascii_digit() && window[1] == b'.' && window[2].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, tag: &str, expected: Option<&str>) {
        let pattern = TagPattern::new(pattern).unwrap();
        let parsed = pattern.parse_tag(tag).map(|version| version.to_string());
        assert_eq!(parsed.as_deref(), expected, "pattern {pattern}, tag {tag}");
    }

    #[test]
    fn tags_parse_through_the_pattern() {
        check("v{version}", "v1.2.3", Some("1.2.3"));
        check("v{version}", "v1.2.3-rc.1", Some("1.2.3-rc.1"));
        check("v{version}", "1.2.3", None);
        check("v{version}", "v1.2", None);
        check("{version}", "1.2.3", Some("1.2.3"));
        check(
            "release/{version}/final",
            "release/1.0.0/final",
            Some("1.0.0"),
        );
        check("release/{version}/final", "release/1.0.0", None);
        check("{package}-v{version}", "my-pkg-v1.2.3", Some("1.2.3"));
        check("{package}-v{version}", "-v1.2.3", None);
        check("{package}-v{version}", "a-v1-v1.2.3", Some("1.2.3"));
        check("{version}@{package}", "1.2.3@pkg", Some("1.2.3"));
        check("{version}@{package}", "1.2.3@", None);
    }

    #[test]
    fn a_filled_package_must_match_exactly() {
        let pattern = TagPattern::new("{package}-v{version}")
            .unwrap()
            .with_package("api");
        assert_eq!(pattern.as_str(), "api-v{version}");
        assert!(!pattern.has_package_placeholder());
        assert_eq!(pattern.parse_tag("api-v2.0.0"), Some(Version::new(2, 0, 0)));
        assert_eq!(pattern.parse_tag("web-v2.0.0"), None);
        assert_eq!(pattern.parse_tag("xapi-v2.0.0"), None);
    }

    #[test]
    fn patterns_are_validated() {
        let error = |pattern: &str| TagPattern::new(pattern).unwrap_err().to_string();
        assert_eq!(
            error("v"),
            r#"tag pattern "v" has no {version} placeholder: write e.g. "v{version}""#
        );
        assert_eq!(
            error("{version}-{version}"),
            r#"tag pattern "{version}-{version}" has {version} more than once: use it at most once"#
        );
        assert_eq!(
            error("{name}-{version}"),
            r#"tag pattern "{name}-{version}" has an unknown placeholder {name}: only {version} and {package} exist"#
        );
        assert!(matches!(
            TagPattern::new("v{version"),
            Err(PatternError::UnbalancedBrace { .. })
        ));
        assert!(matches!(
            TagPattern::new("v}{version}"),
            Err(PatternError::UnbalancedBrace { .. })
        ));
    }

    /// Issue 17: `v1..0` and bad patterns reached libgit2, which answered "class=Reference (4);
    /// code=InvalidSpec (-12)"; each rule of `git check-ref-format` is now ours, with its reason.
    #[test]
    fn ref_names_break_git_rules_with_a_reason() {
        let check = |name: &str| check_tag_name(name).err().map(|e| e.reason().to_owned());
        for valid in [
            "v1.2.0",
            "pkg/v1.0.0",
            "pkg@1.0.0",
            "v1.0.0+build.5",
            "{package}-v1",
            "café-v1",
        ] {
            assert_eq!(check(valid), None, "{valid}");
        }
        let cases = [
            ("", "it is empty"),
            ("@", "\"@\" alone names HEAD"),
            ("v1..0", "it contains \"..\""),
            ("v1@{0}", "it contains \"@{\""),
            ("a//b", "it contains \"//\""),
            ("/v1", "it starts or ends with \"/\""),
            ("v1/", "it starts or ends with \"/\""),
            ("v1.", "it ends with \".\""),
            (".v1", "the part \".v1\" starts with \".\""),
            ("x/.v1", "the part \".v1\" starts with \".\""),
            ("v1.lock", "the part \"v1.lock\" ends with \".lock\""),
            (
                "v 1",
                "it contains ' ' (spaces, control characters and ~ ^ : ? * [ \\ are not allowed)",
            ),
            (
                "v1\u{1b}[0m",
                "it contains the control character '\\u{1b}' (spaces, control characters and ~ ^ : ? * [ \\ are not allowed)",
            ),
        ];
        for (name, reason) in cases {
            assert_eq!(check(name).as_deref(), Some(reason), "{name:?}");
        }
        for bad in ["v~1", "v^1", "v:1", "v?1", "v*1", "v[1", "v\\1", "v\u{7f}"] {
            assert!(check(bad).is_some(), "{bad:?}");
        }
        assert!(check_branch_name("-b").is_err());
        assert!(check_branch_name("release/1.2.0").is_ok());
    }

    #[test]
    fn patterns_making_tags_git_refuses_are_refused() {
        for pattern in [
            "v{version}..",
            "v{version}.",
            ".{version}",
            "v {version}",
            "{version}.lock",
            "x//{version}",
            "v{version}:",
        ] {
            assert!(
                matches!(
                    TagPattern::new(pattern),
                    Err(PatternError::InvalidTag { .. })
                ),
                "{pattern}"
            );
        }
        let named = TagPattern::new("{package}/v{version}").unwrap();
        assert!(named.check_tags().is_ok());
        assert!(named.with_package("a..b").check_tags().is_err());
    }

    #[test]
    fn default_is_v_version() {
        assert_eq!(
            TagPattern::default(),
            TagPattern::new("v{version}").unwrap()
        );
        assert_eq!(
            TagPattern::default().format(&Version::new(1, 0, 0)),
            "v1.0.0"
        );
    }

    fn classify(tag: &str) -> Option<(String, String)> {
        TagScheme::classify(tag)
            .map(|(scheme, version)| (scheme.pattern().to_string(), version.to_string()))
    }

    #[test]
    fn tag_names_are_classified_by_scheme() {
        let check = |tag: &str, expected: Option<(&str, &str)>| {
            assert_eq!(
                classify(tag),
                expected.map(|(pattern, version)| (pattern.to_owned(), version.to_owned())),
                "{tag}"
            );
        };
        check("v1.2.3", Some(("v{version}", "1.2.3")));
        check("v1.2.3-rc.1+b.5", Some(("v{version}", "1.2.3-rc.1+b.5")));
        check("1.2.3", Some(("{version}", "1.2.3")));
        check("api-v1.2.3", Some(("api-v{version}", "1.2.3")));
        check("my-vault-v1.0.0", Some(("my-vault-v{version}", "1.0.0")));
        check(
            "api-v1.2.3-vendor.1",
            Some(("api-v{version}", "1.2.3-vendor.1")),
        );
        check("api@1.2.3", Some(("api@{version}", "1.2.3")));
        check("@scope/api@1.2.3", Some(("@scope/api@{version}", "1.2.3")));
        check("@1.2.3", None);
        check("@@1.2.3", None);
        check("-v1.2.3", None);
        check("v1.2", None);
        check("V1.2.3", None);
        check("release-1.2.3", None);
        check("nightly", None);
    }

    #[test]
    fn each_scheme_reads_back_what_it_classified() {
        for tag in [
            "v1.2.3",
            "1.2.3",
            "api-v1.2.3",
            "api@1.2.3",
            "@scope/api@1.2.3-rc.1",
        ] {
            let (scheme, version) = TagScheme::classify(tag).unwrap();
            assert_eq!(
                scheme.pattern().parse_tag(tag),
                Some(version.clone()),
                "{tag}"
            );
            assert_eq!(scheme.pattern().format(&version), tag);
        }
        // The schemes do not read each other's tags.
        let bare = TagScheme::Bare.pattern();
        assert_eq!(bare.parse_tag("v1.2.3"), None);
        assert_eq!(TagScheme::V.pattern().parse_tag("1.2.3"), None);
        let api = TagScheme::PackageAt("@scope/api".into()).pattern();
        assert_eq!(api.parse_tag("@scope/web@1.0.0"), None);
    }

    #[test]
    fn a_scheme_change_reads_both_and_writes_the_latest() {
        // `v` for years, then bare.
        let mut tags: Vec<String> = (0..20).map(|minor| format!("v1.{minor}.0")).collect();
        tags.extend(["2.0.0".to_owned(), "2.1.0".to_owned()]);
        let schemes = TagSchemes::detect(&tags);
        assert_eq!(
            schemes.patterns(None),
            [TagScheme::V.pattern(), TagScheme::Bare.pattern()]
        );
        assert_eq!(schemes.scheme_for_new_tags(None), TagScheme::Bare);
        assert_eq!(schemes.uses()[0].tags, 20);
        assert_eq!(schemes.uses()[1].latest, Version::new(2, 1, 0));
        // The reverse change, and a tie on the highest version: more tags win, then `v`.
        let schemes = TagSchemes::detect(["1.0.0", "1.1.0", "v1.2.0"]);
        assert_eq!(schemes.scheme_for_new_tags(None), TagScheme::V);
        let schemes = TagSchemes::detect(["v1.0.0", "1.0.0"]);
        assert_eq!(schemes.scheme_for_new_tags(None), TagScheme::V);
        let schemes = TagSchemes::detect(["1.0.0", "1.1.0", "v1.1.0"]);
        assert_eq!(schemes.scheme_for_new_tags(None), TagScheme::Bare);
    }

    #[test]
    fn packages_have_their_own_schemes() {
        let schemes = TagSchemes::detect(["v3.0.0", "api-v1.0.0", "api@1.1.0", "@scope/web@0.2.0"]);
        assert_eq!(
            schemes.patterns(Some("api")),
            [
                TagScheme::PackageV("api".into()).pattern(),
                TagScheme::PackageAt("api".into()).pattern()
            ]
        );
        assert_eq!(
            schemes.scheme_for_new_tags(Some("api")),
            TagScheme::PackageAt("api".into())
        );
        assert_eq!(
            schemes.scheme_for_new_tags(Some("@scope/web")),
            TagScheme::PackageAt("@scope/web".into())
        );
        assert_eq!(schemes.patterns(None), [TagScheme::V.pattern()]);
        assert_eq!(
            schemes.patterns(Some("cli")),
            [TagScheme::PackageV("cli".into()).pattern()]
        );
    }

    #[test]
    fn version_like_tags_outside_the_patterns_are_reported() {
        let tags = [
            "v1.0.0",
            "1.1.0",
            "api-v2.0.0",
            "v1.2",
            "build-17",
            "latest",
            "1.2.3.4",
        ];
        let default = [TagPattern::default()];
        assert_eq!(
            ignored_tags(tags, &default),
            ["1.1.0", "api-v2.0.0", "v1.2", "1.2.3.4"]
        );
        let both = [TagPattern::default(), TagScheme::Bare.pattern()];
        assert_eq!(ignored_tags(tags, &both), ["api-v2.0.0", "v1.2", "1.2.3.4"]);
    }
}
