//! PEP 440 versions, as Python packaging tools parse, normalise and order them, and the mapping
//! between them and SemVer.
//!
//! Parsing, normalisation and ordering are those of Python's `packaging` library (a test checks
//! both agree on a corpus of a few hundred versions). The mapping covers what both schemes can
//! say the same way: releases, `alpha`/`beta`/`rc` pre-releases and `dev` releases.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::Version;
use crate::error::{MappingError, Pep440ParseError};

/// A PEP 440 version: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
///
/// Parsing accepts every spelling PEP 440 allows (`v1.0`, `1.0-RC1`, `1.0.post`, ...);
/// [`Display`](fmt::Display) writes the normalised form. Equality and ordering are PEP 440's, so
/// `1.0 == 1.0.0`.
///
/// ```
/// use versioning::pep440::Pep440Version;
///
/// let version = Pep440Version::parse("v1.0-RC1")?;
/// assert_eq!(version.to_string(), "1.0rc1");
/// assert!(Pep440Version::parse("1.0.dev1")? < Pep440Version::parse("1.0a1")?);
/// assert_eq!(Pep440Version::parse("1.0")?, Pep440Version::parse("1.0.0")?);
/// # Ok::<(), versioning::Pep440ParseError>(())
/// ```
#[derive(Clone)]
pub struct Pep440Version {
    inner: pep440_rs::Version,
}

/// The kind of a PEP 440 pre-release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrereleaseKind {
    /// `a`, alpha.
    Alpha,
    /// `b`, beta.
    Beta,
    /// `rc`, release candidate.
    Rc,
}

impl Pep440Version {
    /// Parses any spelling PEP 440 allows.
    pub fn parse(input: &str) -> Result<Pep440Version, Pep440ParseError> {
        // Python's `packaging` strips surrounding whitespace; pep440_rs is stricter.
        pep440_rs::Version::from_str(input.trim())
            .map(|inner| Pep440Version { inner })
            .map_err(|error| Pep440ParseError::new(input, error.to_string()))
    }

    /// The epoch, `0` when not written.
    pub fn epoch(&self) -> u64 {
        self.inner.epoch()
    }

    /// The release segments, e.g. `[1, 2, 0]`.
    pub fn release(&self) -> &[u64] {
        self.inner.release()
    }

    /// The pre-release kind and number, e.g. `(Rc, 1)` for `1.0rc1`.
    pub fn pre(&self) -> Option<(PrereleaseKind, u64)> {
        self.inner.pre().map(|pre| {
            let kind = match pre.kind {
                pep440_rs::PrereleaseKind::Alpha => PrereleaseKind::Alpha,
                pep440_rs::PrereleaseKind::Beta => PrereleaseKind::Beta,
                pep440_rs::PrereleaseKind::Rc => PrereleaseKind::Rc,
            };
            (kind, pre.number)
        })
    }

    /// The post-release number.
    pub fn post(&self) -> Option<u64> {
        self.inner.post()
    }

    /// The dev-release number.
    pub fn dev(&self) -> Option<u64> {
        self.inner.dev()
    }

    /// The normalised local version label without its `+`; empty when there is none.
    pub fn local(&self) -> String {
        self.inner
            .local()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Whether this is a pre-release or a dev release (what pip skips unless asked).
    pub fn is_prerelease(&self) -> bool {
        self.inner.any_prerelease()
    }

    fn from_parts(release: &[u64], pre: Option<(PrereleaseKind, u64)>, dev: Option<u64>) -> Self {
        let pre = pre.map(|(kind, number)| pep440_rs::Prerelease {
            kind: match kind {
                PrereleaseKind::Alpha => pep440_rs::PrereleaseKind::Alpha,
                PrereleaseKind::Beta => pep440_rs::PrereleaseKind::Beta,
                PrereleaseKind::Rc => pep440_rs::PrereleaseKind::Rc,
            },
            number,
        });
        let inner = pep440_rs::Version::new(release.iter().copied())
            .with_pre(pre)
            .with_dev(dev);
        Pep440Version { inner }
    }
}

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pep440Version({})", self.inner)
    }
}

impl FromStr for Pep440Version {
    type Err = Pep440ParseError;

    fn from_str(input: &str) -> Result<Pep440Version, Pep440ParseError> {
        Pep440Version::parse(input)
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Pep440Version) -> bool {
        self.inner == other.inner
    }
}

impl Eq for Pep440Version {}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Pep440Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Pep440Version) -> Ordering {
        self.inner.cmp(&other.inner)
    }
}

impl Hash for Pep440Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }
}

impl serde::Serialize for Pep440Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Pep440Version {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Pep440Version, D::Error> {
        let text = String::deserialize(deserializer)?;
        Pep440Version::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The PEP 440 rendering of a SemVer version, for Python packaging metadata.
///
/// `1.2.0` ↔ `1.2.0`, `1.2.0-alpha.1` ↔ `1.2.0a1`, `1.2.0-beta.2` ↔ `1.2.0b2`,
/// `1.2.0-rc.1` ↔ `1.2.0rc1` and `1.2.0-dev.3` ↔ `1.2.0.dev3`. Anything else (other pre-release
/// identifiers, a missing number, build metadata) is refused rather than approximated.
///
/// The mapping preserves order with one exception that comes from the two standards themselves:
/// for the same `MAJOR.MINOR.PATCH`, SemVer sorts `dev` after `alpha` and `beta` (identifiers
/// compare in ASCII order) while PEP 440 sorts `.devN` before every pre-release. Releases, `rc`
/// and `dev` against each other, and anything across different `MAJOR.MINOR.PATCH`, keep their
/// order. The default pre-release train (`alpha < beta < rc`) never meets the exception.
///
/// ```
/// use versioning::{Version, to_pep440};
///
/// assert_eq!(to_pep440(&Version::parse("1.2.0-rc.1")?)?.to_string(), "1.2.0rc1");
/// assert_eq!(to_pep440(&Version::parse("1.2.0-dev.3")?)?.to_string(), "1.2.0.dev3");
/// assert_eq!(
///     to_pep440(&Version::parse("1.2.0-foo")?).unwrap_err().to_string(),
///     r#"1.2.0-foo has pre-release "foo", which has no PEP 440 equivalent: use alpha.N, beta.N, rc.N or dev.N"#,
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_pep440(version: &Version) -> Result<Pep440Version, MappingError> {
    if !version.build().is_empty() {
        return Err(MappingError::BuildMetadata {
            version: version.to_string(),
        });
    }
    let release = [version.major(), version.minor(), version.patch()];
    let unsupported = || MappingError::Prerelease {
        version: version.to_string(),
        prerelease: version.prerelease().to_owned(),
    };
    let (pre, dev) = match version.prerelease_identifiers()[..] {
        [] => (None, None),
        [kind, number] => {
            let number: u64 = number.parse().map_err(|_| unsupported())?;
            match kind {
                "alpha" => (Some((PrereleaseKind::Alpha, number)), None),
                "beta" => (Some((PrereleaseKind::Beta, number)), None),
                "rc" => (Some((PrereleaseKind::Rc, number)), None),
                "dev" => (None, Some(number)),
                _ => return Err(unsupported()),
            }
        }
        _ => return Err(unsupported()),
    };
    Ok(Pep440Version::from_parts(&release, pre, dev))
}

/// The SemVer version for a PEP 440 version; the inverse of [`to_pep440`].
///
/// Releases with fewer than three segments are padded (`1.2rc1` gives `1.2.0-rc.1`, equal under
/// PEP 440). Epochs, post-releases, local labels, dev releases of pre-releases and more than
/// three non-zero release segments have no faithful SemVer form and are refused.
///
/// ```
/// use versioning::{from_pep440, pep440::Pep440Version};
///
/// let version = from_pep440(&Pep440Version::parse("1.2.0rc1")?)?;
/// assert_eq!(version.to_string(), "1.2.0-rc.1");
/// assert!(from_pep440(&Pep440Version::parse("1.2.0.post1")?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_pep440(version: &Pep440Version) -> Result<Version, MappingError> {
    let text = || version.to_string();
    if version.epoch() != 0 {
        return Err(MappingError::Epoch { version: text() });
    }
    if version.post().is_some() {
        return Err(MappingError::Post { version: text() });
    }
    if !version.local().is_empty() {
        return Err(MappingError::Local { version: text() });
    }
    if version.pre().is_some() && version.dev().is_some() {
        return Err(MappingError::DevOfPrerelease { version: text() });
    }
    let release = version.release();
    if release.iter().skip(3).any(|&segment| segment != 0) {
        return Err(MappingError::Segments { version: text() });
    }
    let segment = |index: usize| release.get(index).copied().unwrap_or(0);
    let stable = Version::new(segment(0), segment(1), segment(2));
    let prerelease = match (version.pre(), version.dev()) {
        (Some((PrereleaseKind::Alpha, number)), _) => format!("alpha.{number}"),
        (Some((PrereleaseKind::Beta, number)), _) => format!("beta.{number}"),
        (Some((PrereleaseKind::Rc, number)), _) => format!("rc.{number}"),
        (None, Some(number)) => format!("dev.{number}"),
        (None, None) => return Ok(stable),
    };
    Ok(stable
        .with_prerelease(&prerelease)
        .expect("a word and a number form a valid pre-release"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(semver: &str, pep440: &str) {
        let version = Version::parse(semver).unwrap();
        let mapped = to_pep440(&version).unwrap();
        assert_eq!(mapped.to_string(), pep440);
        assert!(from_pep440(&mapped).unwrap().is_identical(&version));
    }

    fn check_refused(pep440: &str, expected: &str) {
        let version = Pep440Version::parse(pep440).unwrap();
        assert_eq!(from_pep440(&version).unwrap_err().to_string(), expected);
    }

    #[test]
    fn canonical_mapping_round_trips() {
        check("1.2.0", "1.2.0");
        check("1.2.0-alpha.1", "1.2.0a1");
        check("1.2.0-beta.0", "1.2.0b0");
        check("1.2.0-rc.1", "1.2.0rc1");
        check("1.2.0-rc.10", "1.2.0rc10");
        check("1.2.0-dev.3", "1.2.0.dev3");
    }

    #[test]
    fn pep440_without_semver_form_is_refused() {
        check_refused("1!1.0", "1!1.0 has an epoch, which SemVer cannot express");
        check_refused(
            "1.0.post1",
            "1.0.post1 is a post-release, which SemVer cannot express: release a new patch version instead",
        );
        check_refused(
            "1.0+local",
            "1.0+local has a local version label, which SemVer cannot express faithfully: build metadata does not take part in ordering",
        );
        check_refused(
            "1.0rc1.dev2",
            "1.0rc1.dev2 is a dev release of a pre-release, which SemVer cannot express in the same order",
        );
        check_refused(
            "1.2.3.4",
            "1.2.3.4 has more than three release segments, which SemVer cannot express",
        );
    }

    #[test]
    fn short_releases_are_padded() {
        let version = Pep440Version::parse("1.2rc1").unwrap();
        assert_eq!(from_pep440(&version).unwrap().to_string(), "1.2.0-rc.1");
        let version = Pep440Version::parse("1.2.3.0").unwrap();
        assert_eq!(from_pep440(&version).unwrap().to_string(), "1.2.3");
    }

    #[test]
    fn semver_without_pep440_form_is_refused() {
        for semver in [
            "1.2.0-foo",
            "1.2.0-rc",
            "1.2.0-rc.1.2",
            "1.2.0-rc.x",
            "1.2.0-a.1",
        ] {
            let error = to_pep440(&Version::parse(semver).unwrap()).unwrap_err();
            assert!(matches!(error, MappingError::Prerelease { .. }), "{semver}");
        }
        let error = to_pep440(&Version::parse("1.2.0+build").unwrap()).unwrap_err();
        assert!(matches!(error, MappingError::BuildMetadata { .. }));
    }
}
