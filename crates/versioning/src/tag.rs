//! Git tag names built from a pattern such as `v{version}` or `{package}-v{version}`.

use std::fmt;

use crate::Version;
use crate::error::PatternError;

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
        Ok(TagPattern {
            pattern: pattern.to_owned(),
            segments,
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
}
