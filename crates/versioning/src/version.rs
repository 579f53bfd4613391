//! The SemVer 2.0 version model and bump levels.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{ParseError, ParseLevelError};

/// A SemVer 2.0 version: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
///
/// Parsing is strict: three numeric components without leading zeros and no leading `v`
/// (tags such as `v1.2.3` are read with a [`TagPattern`](crate::TagPattern)).
///
/// Equality, ordering and hashing follow SemVer precedence, which ignores build metadata:
/// `1.0.0+a == 1.0.0+b`. Pre-release identifiers compare numerically when numeric, so
/// `rc.9 < rc.10`.
///
/// ```
/// use versioning::Version;
///
/// let version = Version::parse("1.3.0-rc.10+build.5")?;
/// assert_eq!((version.major(), version.minor(), version.patch()), (1, 3, 0));
/// assert_eq!(version.prerelease(), "rc.10");
/// assert_eq!(version.build(), "build.5");
/// assert!(Version::parse("1.3.0-rc.9")? < version);
/// assert_eq!(
///     Version::parse("1.2").unwrap_err().to_string(),
///     r#""1.2" is not a version: expected MAJOR.MINOR.PATCH"#,
/// );
/// # Ok::<(), versioning::ParseError>(())
/// ```
#[derive(Clone)]
pub struct Version {
    inner: semver::Version,
}

impl Version {
    /// Parses a SemVer 2.0 version strictly.
    pub fn parse(input: &str) -> Result<Version, ParseError> {
        if input.is_empty() {
            return Err(ParseError::new(
                input,
                "empty string: expected MAJOR.MINOR.PATCH",
            ));
        }
        if input.trim() != input {
            return Err(ParseError::new(input, "surrounding whitespace: remove it"));
        }
        if let Some(rest) = input.strip_prefix(['v', 'V'])
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            return Err(ParseError::new(
                input,
                format!("unexpected leading 'v': write {rest} (tags are read with a tag pattern)"),
            ));
        }
        let core = input.split(['-', '+']).next().unwrap_or_default();
        if core.split('.').count() != 3 {
            return Err(ParseError::new(input, "expected MAJOR.MINOR.PATCH"));
        }
        match semver::Version::parse(input) {
            Ok(inner) => Ok(Version { inner }),
            Err(error) => Err(ParseError::new(input, error.to_string())),
        }
    }

    /// A stable version without pre-release or build metadata.
    pub fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            inner: semver::Version::new(major, minor, patch),
        }
    }

    /// The major component.
    pub fn major(&self) -> u64 {
        self.inner.major
    }

    /// The minor component.
    pub fn minor(&self) -> u64 {
        self.inner.minor
    }

    /// The patch component.
    pub fn patch(&self) -> u64 {
        self.inner.patch
    }

    /// Whether the version has a pre-release part (`1.0.0-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.inner.pre.is_empty()
    }

    /// The pre-release part without its `-`, e.g. `rc.1`; empty for a stable version.
    pub fn prerelease(&self) -> &str {
        self.inner.pre.as_str()
    }

    /// The build metadata without its `+`; empty when there is none.
    pub fn build(&self) -> &str {
        self.inner.build.as_str()
    }

    /// The same version without pre-release and build metadata: `1.3.0-rc.2+b1` gives `1.3.0`.
    #[must_use]
    pub fn to_stable(&self) -> Version {
        Version::new(self.major(), self.minor(), self.patch())
    }

    /// The pre-release part split at dots: `rc.1` gives `["rc", "1"]`; empty when stable.
    pub fn prerelease_identifiers(&self) -> Vec<&str> {
        if self.is_prerelease() {
            self.prerelease().split('.').collect()
        } else {
            Vec::new()
        }
    }

    /// Replaces the pre-release part; `""` removes it.
    pub fn with_prerelease(&self, prerelease: &str) -> Result<Version, ParseError> {
        let mut inner = self.inner.clone();
        inner.pre = semver::Prerelease::new(prerelease).map_err(|error| {
            ParseError::new(prerelease, format!("invalid pre-release: {error}"))
        })?;
        Ok(Version { inner })
    }

    /// Replaces the build metadata; `""` removes it.
    pub fn with_build(&self, build: &str) -> Result<Version, ParseError> {
        let mut inner = self.inner.clone();
        inner.build = semver::BuildMetadata::new(build)
            .map_err(|error| ParseError::new(build, format!("invalid build metadata: {error}")))?;
        Ok(Version { inner })
    }

    /// Whether two versions are identical including build metadata (`==` ignores it).
    pub fn is_identical(&self, other: &Version) -> bool {
        self.inner == other.inner
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({})", self.inner)
    }
}

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Version, ParseError> {
        Version::parse(input)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.inner.cmp_precedence(&other.inner)
    }
}

impl Hash for Version {
    // Build metadata is left out, as in `Eq`, so equal versions hash equally.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.major.hash(state);
        self.inner.minor.hash(state);
        self.inner.patch.hash(state);
        self.inner.pre.hash(state);
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        let text = String::deserialize(deserializer)?;
        Version::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Which component a bump increments.
///
/// Ordered by size: `Patch < Minor < Major`, so the largest level of a set of changes is their
/// `max`.
///
/// ```
/// use versioning::Level;
///
/// assert_eq!("minor".parse::<Level>()?, Level::Minor);
/// assert_eq!(Level::Major.to_string(), "major");
/// assert_eq!([Level::Patch, Level::Major, Level::Minor].into_iter().max(), Some(Level::Major));
/// # Ok::<(), versioning::ParseLevelError>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Bug fixes: `1.2.3` to `1.2.4`.
    Patch,
    /// New features: `1.2.3` to `1.3.0`.
    Minor,
    /// Breaking changes: `1.2.3` to `2.0.0`.
    Major,
}

impl Level {
    /// The lowercase name: `patch`, `minor` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ParseLevelError;

    fn from_str(input: &str) -> Result<Level, ParseLevelError> {
        match input {
            "patch" => Ok(Level::Patch),
            "minor" => Ok(Level::Minor),
            "major" => Ok(Level::Major),
            _ => Err(ParseLevelError {
                input: input.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_error(input: &str, expected: &str) {
        assert_eq!(Version::parse(input).unwrap_err().to_string(), expected);
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        check_error(
            "1.2",
            r#""1.2" is not a version: expected MAJOR.MINOR.PATCH"#,
        );
        check_error(
            "1.2.3.4",
            r#""1.2.3.4" is not a version: expected MAJOR.MINOR.PATCH"#,
        );
        check_error(
            "v1.2.3",
            r#""v1.2.3" is not a version: unexpected leading 'v': write 1.2.3 (tags are read with a tag pattern)"#,
        );
        check_error(
            "",
            r#""" is not a version: empty string: expected MAJOR.MINOR.PATCH"#,
        );
        check_error(
            " 1.2.3",
            r#"" 1.2.3" is not a version: surrounding whitespace: remove it"#,
        );
        check_error(
            "01.2.3",
            r#""01.2.3" is not a version: invalid leading zero in major version number"#,
        );
    }

    #[test]
    fn build_metadata_is_ignored_by_eq_ord_and_hash() {
        use std::collections::HashSet;
        let a = Version::parse("1.0.0+a").unwrap();
        let b = Version::parse("1.0.0+b").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert!(!a.is_identical(&b));
        let set: HashSet<Version> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn serde_is_a_string() {
        let version = Version::parse("1.2.3-rc.1+b").unwrap();
        assert_eq!(
            serde_json::to_string(&version).unwrap(),
            r#""1.2.3-rc.1+b""#
        );
        let back: Version = serde_json::from_str(r#""1.2.3-rc.1+b""#).unwrap();
        assert!(back.is_identical(&version));
        assert!(serde_json::from_str::<Version>(r#""1.2""#).is_err());
        assert_eq!(serde_json::to_string(&Level::Minor).unwrap(), r#""minor""#);
        assert_eq!(
            serde_json::from_str::<Level>(r#""major""#).unwrap(),
            Level::Major
        );
    }
}
