//! The next version: levels, pre-release trains, promotion, build metadata and the 0.x policy.
//!
//! Every rule is documented with an example in the [crate docs](crate#bumps). This module decides
//! versions only; which level a set of commits calls for is decided by the `changelog` crate and
//! then passed through [`Policy::apply_zero_major`].

use std::fmt;
use std::str::FromStr;

use crate::error::{BumpError, PolicyError};
use crate::{Level, Version};

/// What to do to the current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A stable release at `level`: `1.2.3` + minor is `1.3.0`; on a pre-release, the pending
    /// release if it already contains `level` (`1.3.0-rc.2` + minor is `1.3.0`).
    Level(Level),
    /// A pre-release: start a train at `level` or continue/advance the current one.
    /// `level` may be `None` only on a pre-release, where it means "the pending release".
    Prerelease {
        /// The level the pre-release leads to; required when the current version is stable.
        level: Option<Level>,
        /// The stage, e.g. `rc`; must be in the policy's [pre-release order](Policy::prerelease_order).
        identifier: String,
    },
    /// The pending release of a pre-release: `1.3.0-rc.2` becomes `1.3.0`.
    Promote,
}

/// A bump: a [`Step`] and optional build metadata for the result.
///
/// Build metadata is never carried over from the current version; it is set only when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BumpRequest {
    /// What to do.
    pub step: Step,
    /// Build metadata for the result, without the `+`.
    pub build: Option<String>,
}

impl BumpRequest {
    /// A request for `step` without build metadata.
    pub fn new(step: Step) -> BumpRequest {
        BumpRequest { step, build: None }
    }

    /// A stable bump at `level`.
    pub fn level(level: Level) -> BumpRequest {
        BumpRequest::new(Step::Level(level))
    }

    /// A pre-release bump to stage `identifier`, at `level` if given.
    pub fn prerelease(level: Option<Level>, identifier: impl Into<String>) -> BumpRequest {
        BumpRequest::new(Step::Prerelease {
            level,
            identifier: identifier.into(),
        })
    }

    /// Promotion of a pre-release to its stable release.
    pub fn promote() -> BumpRequest {
        BumpRequest::new(Step::Promote)
    }

    /// The same request with build metadata for the result.
    #[must_use]
    pub fn with_build(self, build: impl Into<String>) -> BumpRequest {
        BumpRequest {
            build: Some(build.into()),
            ..self
        }
    }
}

/// How levels decided from commits apply while the major version is 0.
///
/// SemVer §4 says only that anything may change in 0.y.z; it gives no rule. The ecosystems that
/// depend on 0.x versions do: Cargo's caret requirements treat `0.y` as the compatibility line
/// (`^0.3.1` accepts `0.3.9`, never `0.4.0`), and npm's `^` does the same.
///
/// The default is [`ZeroMajor::Cargo`]: a breaking change bumps the minor version and a feature
/// or fix bumps the patch version, which is exactly what `^0.y.z` requirements expect. Leaving 0.x
/// (going to 1.0.0) is a decision a person makes with an explicit `major` bump; it never happens
/// because a commit was marked breaking. The policy applies only to levels passed through
/// [`Policy::apply_zero_major`]; an explicit [`Step::Level`] is always taken literally.
///
/// `0.0.z` is treated like `0.y.z`: a breaking change moves to `0.1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ZeroMajor {
    /// Breaking → minor, feature → patch, fix → patch (Cargo's convention). The default.
    #[default]
    Cargo,
    /// Breaking → minor, feature → minor, fix → patch.
    MinorForBreaking,
    /// No special case: breaking → 1.0.0.
    AsStable,
}

impl ZeroMajor {
    /// The configuration name: `cargo`, `minor-for-breaking` or `as-stable`.
    pub fn as_str(self) -> &'static str {
        match self {
            ZeroMajor::Cargo => "cargo",
            ZeroMajor::MinorForBreaking => "minor-for-breaking",
            ZeroMajor::AsStable => "as-stable",
        }
    }
}

impl fmt::Display for ZeroMajor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ZeroMajor {
    type Err = PolicyError;

    fn from_str(input: &str) -> Result<ZeroMajor, PolicyError> {
        match input {
            "cargo" => Ok(ZeroMajor::Cargo),
            "minor-for-breaking" => Ok(ZeroMajor::MinorForBreaking),
            "as-stable" => Ok(ZeroMajor::AsStable),
            _ => Err(PolicyError::UnknownZeroMajor {
                input: input.to_owned(),
            }),
        }
    }
}

/// The knobs of a bump: the pre-release order and the 0.x policy.
///
/// The default order is `alpha < beta < rc`. An order must agree with SemVer precedence, where
/// identifiers compare in ASCII order, or moving up the train would give a lower version; the
/// constructor checks that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    prerelease_order: Vec<String>,
    zero_major: ZeroMajor,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            prerelease_order: ["alpha", "beta", "rc"].map(String::from).to_vec(),
            zero_major: ZeroMajor::default(),
        }
    }
}

impl Policy {
    /// A policy with the given pre-release order (earliest stage first) and 0.x policy.
    ///
    /// ```
    /// use versioning::bump::{Policy, ZeroMajor};
    ///
    /// assert!(Policy::new(["dev", "rc"], ZeroMajor::Cargo).is_ok());
    /// assert_eq!(
    ///     Policy::new(["dev", "alpha"], ZeroMajor::Cargo).unwrap_err().to_string(),
    ///     r#"pre-release order puts "dev" before "alpha", but SemVer sorts "dev" after it (identifiers compare in ASCII order): reorder or rename them"#,
    /// );
    /// ```
    pub fn new<I, S>(prerelease_order: I, zero_major: ZeroMajor) -> Result<Policy, PolicyError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let order: Vec<String> = prerelease_order.into_iter().map(Into::into).collect();
        if order.is_empty() {
            return Err(PolicyError::EmptyOrder);
        }
        for identifier in &order {
            let valid = !identifier.is_empty()
                && identifier
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !identifier.chars().all(|c| c.is_ascii_digit());
            if !valid {
                return Err(PolicyError::InvalidIdentifier {
                    identifier: identifier.clone(),
                });
            }
        }
        for (index, identifier) in order.iter().enumerate() {
            if order[..index].contains(identifier) {
                return Err(PolicyError::Duplicate {
                    identifier: identifier.clone(),
                });
            }
        }
        for pair in order.windows(2) {
            // Alphanumeric identifiers compare as ASCII strings (SemVer §11.4.2).
            if pair[0] > pair[1] {
                return Err(PolicyError::OutOfOrder {
                    earlier: pair[0].clone(),
                    later: pair[1].clone(),
                });
            }
        }
        Ok(Policy {
            prerelease_order: order,
            zero_major,
        })
    }

    /// The same policy with another 0.x policy.
    #[must_use]
    pub fn with_zero_major(self, zero_major: ZeroMajor) -> Policy {
        Policy { zero_major, ..self }
    }

    /// The pre-release stages, earliest first.
    pub fn prerelease_order(&self) -> &[String] {
        &self.prerelease_order
    }

    /// The 0.x policy.
    pub fn zero_major(&self) -> ZeroMajor {
        self.zero_major
    }

    /// The level to bump `current` by when the commits call for `level`, after the 0.x policy.
    ///
    /// ```
    /// use versioning::{Level, Version, bump::Policy};
    ///
    /// let policy = Policy::default();
    /// let zero = Version::new(0, 3, 1);
    /// assert_eq!(policy.apply_zero_major(&zero, Level::Major), Level::Minor);
    /// assert_eq!(policy.apply_zero_major(&zero, Level::Minor), Level::Patch);
    /// assert_eq!(policy.apply_zero_major(&Version::new(1, 3, 1), Level::Major), Level::Major);
    /// ```
    pub fn apply_zero_major(&self, current: &Version, level: Level) -> Level {
        if current.major() != 0 {
            return level;
        }
        match (self.zero_major, level) {
            (ZeroMajor::Cargo | ZeroMajor::MinorForBreaking, Level::Major) => Level::Minor,
            (ZeroMajor::Cargo, Level::Minor | Level::Patch) => Level::Patch,
            (ZeroMajor::MinorForBreaking | ZeroMajor::AsStable, level) => level,
        }
    }

    fn rank(&self, identifier: &str) -> Option<usize> {
        self.prerelease_order
            .iter()
            .position(|known| known == identifier)
    }

    fn order_text(&self) -> String {
        self.prerelease_order.join(", ")
    }
}

/// The next version after `current` for `request` under `policy`.
///
/// The result is always greater than `current`; a request that cannot give a greater version is
/// an error, never a silent no-op. See the [crate docs](crate#bumps) for every rule.
///
/// ```
/// use versioning::{Level, Version, bump::{BumpRequest, Policy, bump}};
///
/// let policy = Policy::default();
/// let current = Version::parse("1.3.0-rc.2")?;
/// let next = bump(&current, &BumpRequest::prerelease(Some(Level::Major), "rc"), &policy)?;
/// assert_eq!(next.to_string(), "2.0.0-rc.1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bump(
    current: &Version,
    request: &BumpRequest,
    policy: &Policy,
) -> Result<Version, BumpError> {
    let next = match &request.step {
        Step::Promote => {
            if !current.is_prerelease() {
                return Err(BumpError::NotPrerelease {
                    version: current.to_string(),
                });
            }
            current.to_stable()
        }
        Step::Level(level) => release_for(current, *level)?,
        Step::Prerelease { level, identifier } => {
            if policy.rank(identifier).is_none() {
                return Err(BumpError::UnknownIdentifier {
                    identifier: identifier.clone(),
                    order: policy.order_text(),
                });
            }
            let release = match (level, current.is_prerelease()) {
                (Some(level), _) => release_for(current, *level)?,
                (None, true) => current.to_stable(),
                (None, false) => {
                    return Err(BumpError::MissingLevel {
                        version: current.to_string(),
                        identifier: identifier.clone(),
                    });
                }
            };
            if current.is_prerelease() && release == current.to_stable() {
                continue_train(current, identifier, policy)?
            } else {
                start_train(&release, identifier)
            }
        }
    };
    let next = match &request.build {
        Some(build) if !build.is_empty() => {
            next.with_build(build)
                .map_err(|_| BumpError::InvalidBuild {
                    build: build.clone(),
                })?
        }
        Some(build) => {
            return Err(BumpError::InvalidBuild {
                build: build.clone(),
            });
        }
        None => next,
    };
    if next <= *current {
        return Err(BumpError::NotIncreasing {
            version: current.to_string(),
            next: next.to_string(),
        });
    }
    Ok(next)
}

/// The stable release `level` leads to from `current`.
///
/// On a pre-release, the pending release already contains the level its numbers show
/// (`1.3.0` a minor bump, `2.0.0` a major one, `1.3.1` a patch); a level up to that is the pending
/// release itself, a larger one bumps the pending release.
fn release_for(current: &Version, level: Level) -> Result<Version, BumpError> {
    let pending = current.to_stable();
    if current.is_prerelease() && level <= contained_level(&pending) {
        return Ok(pending);
    }
    let overflow = || BumpError::Overflow {
        version: current.to_string(),
    };
    let (major, minor, patch) = (pending.major(), pending.minor(), pending.patch());
    Ok(match level {
        Level::Major => Version::new(major.checked_add(1).ok_or_else(overflow)?, 0, 0),
        Level::Minor => Version::new(major, minor.checked_add(1).ok_or_else(overflow)?, 0),
        Level::Patch => Version::new(major, minor, patch.checked_add(1).ok_or_else(overflow)?),
    })
}

fn contained_level(release: &Version) -> Level {
    if release.patch() != 0 {
        Level::Patch
    } else if release.minor() != 0 {
        Level::Minor
    } else {
        Level::Major
    }
}

fn start_train(release: &Version, identifier: &str) -> Version {
    release
        .with_prerelease(&format!("{identifier}.1"))
        .expect("identifiers in a policy are valid pre-release identifiers")
}

/// The next step of the train `current` is on, at stage `identifier`.
fn continue_train(
    current: &Version,
    identifier: &str,
    policy: &Policy,
) -> Result<Version, BumpError> {
    let identifiers = current.prerelease_identifiers();
    let stage = identifiers[0];
    let release = current.to_stable();
    if stage == identifier {
        // `rc.9` is followed by `rc.10`: the counter is a number, never text.
        let number = match identifiers.get(1) {
            Some(text) if text.bytes().all(|b| b.is_ascii_digit()) => text
                .parse::<u64>()
                .ok()
                .and_then(|number| number.checked_add(1))
                .ok_or_else(|| BumpError::Overflow {
                    version: current.to_string(),
                })?,
            _ => 1,
        };
        return Ok(release
            .with_prerelease(&format!("{identifier}.{number}"))
            .expect("an identifier and a number form a valid pre-release"));
    }
    let Some(current_rank) = policy.rank(stage) else {
        return Err(BumpError::UnknownStage {
            version: current.to_string(),
            current: stage.to_owned(),
            order: policy.order_text(),
        });
    };
    let requested_rank = policy.rank(identifier).expect("checked by the caller");
    if requested_rank < current_rank {
        return Err(BumpError::Backwards {
            version: current.to_string(),
            current: stage.to_owned(),
            requested: identifier.to_owned(),
            order: policy.order_text(),
        });
    }
    Ok(start_train(&release, identifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_level_reads_the_pending_release() {
        assert_eq!(contained_level(&Version::new(1, 3, 1)), Level::Patch);
        assert_eq!(contained_level(&Version::new(1, 3, 0)), Level::Minor);
        assert_eq!(contained_level(&Version::new(2, 0, 0)), Level::Major);
    }

    #[test]
    fn policies_are_validated() {
        let error = |order: &[&str]| {
            Policy::new(order.iter().copied(), ZeroMajor::Cargo)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(&[]),
            "the pre-release order is empty: list at least one identifier, e.g. alpha, beta, rc"
        );
        assert_eq!(
            error(&["rc", "rc"]),
            r#"pre-release order lists "rc" twice"#
        );
        assert_eq!(
            error(&["1"]),
            r#""1" cannot name a pre-release stage: use letters, digits and '-', not only digits"#
        );
        assert!(matches!(
            Policy::new(["a.b"], ZeroMajor::Cargo),
            Err(PolicyError::InvalidIdentifier { .. })
        ));
        assert!(matches!(
            Policy::new(["rc", "beta"], ZeroMajor::Cargo),
            Err(PolicyError::OutOfOrder { .. })
        ));
    }

    #[test]
    fn zero_major_names_round_trip() {
        for policy in [
            ZeroMajor::Cargo,
            ZeroMajor::MinorForBreaking,
            ZeroMajor::AsStable,
        ] {
            assert_eq!(policy.to_string().parse::<ZeroMajor>(), Ok(policy));
        }
        assert!("semver".parse::<ZeroMajor>().is_err());
    }
}
