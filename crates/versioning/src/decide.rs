//! The next version of a repository, decided from every release it has, not only the ones
//! reachable from `HEAD`.
//!
//! [`decide`] is pure: the caller gathers the inputs (every release tag's version and whether it
//! is reachable from `HEAD`, the level the commits call for, the request, the version files'
//! version) and this module applies the rules. [`bump`](crate::bump()) computes the candidate;
//! the rules here make sure the candidate is free. The examples share this helper, where `+`
//! marks a release reachable from `HEAD` and `-` one that is not (on another branch):
//!
//! ```
//! use versioning::decide::{DecisionInput, ExistingRelease, Request, decide};
//! use versioning::{Level, Policy, Version};
//!
//! fn next(releases: &[&str], level: Option<Level>, request: Request) -> String {
//!     let releases = releases
//!         .iter()
//!         .map(|text| ExistingRelease {
//!             version: Version::parse(&text[1..]).unwrap(),
//!             reachable: text.starts_with('+'),
//!         })
//!         .collect();
//!     let input = DecisionInput { releases, level, request, ..DecisionInput::default() };
//!     match decide(&input, &Policy::default()) {
//!         Ok(Some(decision)) => decision.version.to_string(),
//!         Ok(None) => "nothing to release".to_owned(),
//!         Err(error) => error.to_string(),
//!     }
//! }
//! assert_eq!(next(&["+1.2.3"], Some(Level::Patch), Request::auto()), "1.2.4");
//! ```
//!
//! # A version that exists anywhere is never proposed
//!
//! A release on another branch (a hotfix line, a maintenance branch) still owns its version. When
//! the candidate exists, or lies below the latest release of its `major.minor` line, the level
//! is kept and the release moves up: a patch goes to the line's next patch after its latest
//! release, a minor to the next minor line with no release at or above it, a major likewise.
//! [`Decision::skipped`] lists the candidates passed over.
//!
//! After `hotfix finish` released `1.1.1` on `hotfix/1.1.1` and the fix was cherry-picked to
//! main, main's next patch is `1.1.2`:
//!
//! ```
//! # use versioning::decide::{DecisionInput, ExistingRelease, Request, decide};
//! # use versioning::{Level, Policy, Version};
//! # fn next(releases: &[&str], level: Option<Level>, request: Request) -> String {
//! #     let releases = releases.iter().map(|text| ExistingRelease { version: Version::parse(&text[1..]).unwrap(), reachable: text.starts_with('+') }).collect();
//! #     let input = DecisionInput { releases, level, request, ..DecisionInput::default() };
//! #     match decide(&input, &Policy::default()) { Ok(Some(d)) => d.version.to_string(), Ok(None) => "nothing to release".to_owned(), Err(e) => e.to_string() }
//! # }
//! assert_eq!(next(&["+1.1.0", "-1.1.1"], Some(Level::Patch), Request::auto()), "1.1.2");
//! // A release branch took 1.2.0 (and 1.2.1): main's next minor is 1.3.0, not 1.2.2.
//! assert_eq!(next(&["+1.1.0", "-1.2.0", "-1.2.1"], Some(Level::Minor), Request::auto()), "1.3.0");
//! ```
//!
//! # An explicit version that exists is an error that says where it is and what is free
//!
//! The error never advises deleting a tag: a published version is never reused.
//!
//! ```
//! # use versioning::decide::{DecisionInput, ExistingRelease, Request, decide};
//! # use versioning::{Level, Policy, Version};
//! # fn next(releases: &[&str], level: Option<Level>, request: Request) -> String {
//! #     let releases = releases.iter().map(|text| ExistingRelease { version: Version::parse(&text[1..]).unwrap(), reachable: text.starts_with('+') }).collect();
//! #     let input = DecisionInput { releases, level, request, ..DecisionInput::default() };
//! #     match decide(&input, &Policy::default()) { Ok(Some(d)) => d.version.to_string(), Ok(None) => "nothing to release".to_owned(), Err(e) => e.to_string() }
//! # }
//! assert_eq!(
//!     next(&["+1.1.0", "-1.1.1"], None, Request::version(Version::new(1, 1, 1))),
//!     "1.1.1 is already released, on a branch not reachable from HEAD, in line 1.1: the next free version of that line is 1.1.2",
//! );
//! assert_eq!(
//!     next(&["+1.1.0", "-1.1.3"], None, Request::version(Version::new(1, 1, 2))),
//!     "1.1.2 is below 1.1.3, the latest release of line 1.1: the next free version of that line is 1.1.4",
//! );
//! ```
//!
//! # A pre-release train continues with `--pre` and is promoted without it
//!
//! The identifier the train already uses needs no configured order (`-next.N` → `-next.N+1`).
//! Without `--pre`, the pending release is released, or bumped when the commits call for more
//! than it already contains (see [`bump`](crate::bump())).
//!
//! ```
//! # use versioning::decide::{DecisionInput, ExistingRelease, Request, decide};
//! # use versioning::{Level, Policy, Version};
//! # fn next(releases: &[&str], level: Option<Level>, request: Request) -> String {
//! #     let releases = releases.iter().map(|text| ExistingRelease { version: Version::parse(&text[1..]).unwrap(), reachable: text.starts_with('+') }).collect();
//! #     let input = DecisionInput { releases, level, request, ..DecisionInput::default() };
//! #     match decide(&input, &Policy::default()) { Ok(Some(d)) => d.version.to_string(), Ok(None) => "nothing to release".to_owned(), Err(e) => e.to_string() }
//! # }
//! let main = ["-2.4.1", "+3.0.0-next.8", "+3.0.0-next.9"];
//! assert_eq!(next(&main, Some(Level::Minor), Request::auto().with_prerelease("next")), "3.0.0-next.10");
//! assert_eq!(next(&main, Some(Level::Minor), Request::auto()), "3.0.0");
//! assert_eq!(next(&main, None, Request::auto()), "3.0.0");
//! // 3.0.0 was released from the 3.x branch: main's train moves on instead of repeating it.
//! let released = ["-2.4.1", "+3.0.0-next.9", "-3.0.0"];
//! assert_eq!(next(&released, Some(Level::Minor), Request::auto().with_prerelease("next")), "4.0.0-next.1");
//! ```
//!
//! # A date-numbered train takes the date it is given
//!
//! A train numbered by date (`-nightly.20261129`, eight digits that form a date) is continued with
//! [`DecisionInput::date`] when that is later; a second build of the same day (or no date given)
//! counts under the date, `-nightly.20261129.1`, `.2`, …, which sorts after it. A date is never
//! invented.
//!
//! ```
//! use versioning::decide::{DecisionInput, ExistingRelease, Request, decide};
//! use versioning::{Policy, Version};
//!
//! let nightly = |date| {
//!     let input = DecisionInput {
//!         releases: vec![ExistingRelease::reachable(Version::parse("1.3.0-nightly.20261129").unwrap())],
//!         request: Request::auto().with_prerelease("nightly"),
//!         date,
//!         ..DecisionInput::default()
//!     };
//!     decide(&input, &Policy::default()).unwrap().unwrap().version.to_string()
//! };
//! assert_eq!(nightly(Some(20261130)), "1.3.0-nightly.20261130");
//! assert_eq!(nightly(Some(20261129)), "1.3.0-nightly.20261129.1");
//! assert_eq!(nightly(None), "1.3.0-nightly.20261129.1");
//! ```
//!
//! # The commits are counted from the previous release of the line
//!
//! The level is the caller's: it counts the commits reachable from `HEAD` and not from the tag of
//! [`previous_release`] (git's `HEAD ^tag`), whether or not that tag is an ancestor of `HEAD`.
//! On main with only pre-release tags and the stable releases on `N.x` branches, that is the
//! highest stable release below the train's pending release, not the last stable tag main can
//! reach years back.
//!
//! ```
//! use versioning::Version;
//! use versioning::decide::{ExistingRelease, previous_release};
//!
//! let v = |text: &str| Version::parse(text).unwrap();
//! let releases = [
//!     ExistingRelease::reachable(v("1.0.0")),
//!     ExistingRelease::unreachable(v("2.4.1")),
//!     ExistingRelease::unreachable(v("3.1.0")),
//!     ExistingRelease::reachable(v("3.0.0-next.9")),
//! ];
//! assert_eq!(previous_release(&releases), Some(v("2.4.1")));
//! ```
//!
//! # A first release takes the version files' version
//!
//! With no release reachable from `HEAD`, the version is [`DecisionInput::initial`] (the version
//! files' version; `0.1.0` when there is none), its first pre-release with `--pre`, or a bump of
//! it with an explicit level; and, like any candidate, it moves up when it already exists (the
//! files' version, which is no level, to its line's next patch).
//!
//! ```
//! use versioning::decide::{DecisionInput, ExistingRelease, Request, decide};
//! use versioning::{Policy, Version};
//!
//! let first = |releases: Vec<ExistingRelease>, request| {
//!     let input = DecisionInput { releases, request, initial: Some(Version::new(1, 0, 0)), ..DecisionInput::default() };
//!     decide(&input, &Policy::default()).unwrap().unwrap().version.to_string()
//! };
//! assert_eq!(first(vec![], Request::auto()), "1.0.0");
//! assert_eq!(first(vec![], Request::auto().with_prerelease("rc")), "1.0.0-rc.1");
//! // An orphan branch whose repository already released 1.0.0 elsewhere.
//! assert_eq!(first(vec![ExistingRelease::unreachable(Version::new(1, 0, 0))], Request::auto()), "1.0.1");
//! ```
//!
//! # A hotfix starts after the latest release of its line
//!
//! [`hotfix_target`]: `hotfix start v1.2.0` when `1.2.1` exists releases `1.2.2`, from `1.2.1`
//! (a hotfix of 1.2.x that left out 1.2.1's fixes would take them away from its users).
//!
//! ```
//! use versioning::Version;
//! use versioning::decide::{ExistingRelease, hotfix_target};
//!
//! let releases = [
//!     ExistingRelease::reachable(Version::new(1, 2, 0)),
//!     ExistingRelease::unreachable(Version::new(1, 2, 1)),
//!     ExistingRelease::reachable(Version::new(1, 3, 0)),
//! ];
//! let target = hotfix_target(&releases, &Version::new(1, 2, 0)).unwrap();
//! assert_eq!((target.version.to_string(), target.base.to_string()), ("1.2.2".into(), "1.2.1".into()));
//! ```

use std::fmt;

use crate::error::{BumpError, DecisionError};
use crate::{BumpRequest, Level, Policy, Version, bump};

/// A release that exists as a tag somewhere in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingRelease {
    /// Its version.
    pub version: Version,
    /// Whether its tag is reachable from `HEAD` (an ancestor of it, or `HEAD` itself).
    pub reachable: bool,
}

impl ExistingRelease {
    /// A release reachable from `HEAD`.
    pub fn reachable(version: Version) -> ExistingRelease {
        ExistingRelease {
            version,
            reachable: true,
        }
    }

    /// A release on a branch `HEAD` does not contain.
    pub fn unreachable(version: Version) -> ExistingRelease {
        ExistingRelease {
            version,
            reachable: false,
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// The level the commits call for.
    #[default]
    Auto,
    /// This level, taken literally (no 0.x policy).
    Level(Level),
    /// Exactly this version (it carries its own pre-release, if any).
    Version(Version),
}

/// A request: the target and an optional pre-release identifier (`--pre rc`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// What to release.
    pub target: Target,
    /// The pre-release identifier; ignored with [`Target::Version`].
    pub prerelease: Option<String>,
}

impl Request {
    /// The level the commits call for.
    pub fn auto() -> Request {
        Request::default()
    }

    /// An explicit level.
    pub fn level(level: Level) -> Request {
        Request {
            target: Target::Level(level),
            prerelease: None,
        }
    }

    /// An explicit version.
    pub fn version(version: Version) -> Request {
        Request {
            target: Target::Version(version),
            prerelease: None,
        }
    }

    /// The same request for a pre-release with `identifier`.
    #[must_use]
    pub fn with_prerelease(self, identifier: impl Into<String>) -> Request {
        Request {
            prerelease: Some(identifier.into()),
            ..self
        }
    }
}

/// Everything [`decide`] needs, gathered by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionInput {
    /// Every release in the repository, reachable from `HEAD` or not, in any order. The latest
    /// reachable one is the base of the bump.
    pub releases: Vec<ExistingRelease>,
    /// The level the commits since [`previous_release`] call for, before the 0.x policy (which
    /// [`decide`] applies); `None` when no commit calls for a release.
    pub level: Option<Level>,
    /// What was asked.
    pub request: Request,
    /// The version files' version, for a first release.
    pub initial: Option<Version>,
    /// Today as `YYYYMMDD`, for trains numbered by date (`-nightly.20261129`).
    pub date: Option<u64>,
}

impl DecisionInput {
    /// The release with the highest precedence among those reachable from `HEAD`.
    pub fn latest_reachable(&self) -> Option<&Version> {
        latest_reachable(&self.releases)
    }
}

/// Why the version is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// A first release: the version files' version.
    Initial,
    /// A bump at this level (after the 0.x policy).
    Level(Level),
    /// The pending release of a pre-release train.
    Promote,
    /// The next step of a pre-release train, or the start of one.
    Prerelease,
    /// The version was asked for explicitly.
    Explicit,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Initial => f.write_str("initial"),
            Reason::Level(level) => write!(f, "{level}"),
            Reason::Promote => f.write_str("promote"),
            Reason::Prerelease => f.write_str("pre-release"),
            Reason::Explicit => f.write_str("explicit"),
        }
    }
}

/// The next version and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The version to release.
    pub version: Version,
    /// The release it was computed from (the latest reachable), `None` for a first release.
    pub base: Option<Version>,
    /// Why.
    pub reason: Reason,
    /// Candidates passed over because they exist or lie below their line's latest release,
    /// in the order they were tried.
    pub skipped: Vec<Version>,
}

/// A hotfix: the version it releases and the release it starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotfixTarget {
    /// The next free patch of the line.
    pub version: Version,
    /// The latest stable release of the line, where the hotfix branch starts.
    pub base: Version,
}

/// The next version, or `None` when nothing calls for a release (no releasable commit since a
/// stable release, and no explicit level or version). See the [module docs](self) for the rules.
pub fn decide(input: &DecisionInput, policy: &Policy) -> Result<Option<Decision>, DecisionError> {
    let known = Known(&input.releases);
    let base = input.latest_reachable().cloned();
    let prerelease = input.request.prerelease.as_deref();
    if let Target::Version(version) = &input.request.target {
        known.check_explicit(version)?;
        if let Some(base) = &base
            && version <= base
        {
            return Err(DecisionError::NotAfterLatest {
                version: version.to_string(),
                latest: base.to_string(),
            });
        }
        return Ok(Some(Decision {
            version: version.clone(),
            base,
            reason: Reason::Explicit,
            skipped: Vec::new(),
        }));
    }
    let Some(base) = base else {
        return first_release(input, policy, &known).map(Some);
    };
    let level = match &input.request.target {
        Target::Level(level) => Some(*level),
        _ => input
            .level
            .map(|level| policy.apply_zero_major(&base, level)),
    };
    let (candidate, reason) = match prerelease {
        // A stable release and nothing to release: no train to start.
        Some(_) if level.is_none() && !base.is_prerelease() => return Ok(None),
        Some(identifier) => (
            next_prerelease(&base, level, identifier, input.date, policy)?,
            Reason::Prerelease,
        ),
        None => match level {
            Some(level) => {
                let next = bump(&base, &BumpRequest::level(level), policy)?;
                let reason = if base.is_prerelease() && next == base.to_stable() {
                    Reason::Promote
                } else {
                    Reason::Level(level)
                };
                (next, reason)
            }
            None if base.is_prerelease() => (
                bump(&base, &BumpRequest::promote(), policy)?,
                Reason::Promote,
            ),
            None => return Ok(None),
        },
    };
    let (version, skipped) = known.settle(candidate, None)?;
    Ok(Some(Decision {
        version,
        base: Some(base),
        reason,
        skipped,
    }))
}

/// The release whose tag the caller excludes when counting the commits for the level
/// (`HEAD ^tag`), whether or not it is an ancestor of `HEAD`:
///
/// - the latest release reachable from `HEAD` when it is stable;
/// - when it is a pre-release (a train towards `X.Y.Z`), the highest stable release below
///   `X.Y.Z`, wherever it is: on a repository whose stable releases are made on `N.x` branches,
///   main's changes since the branch of the previous stable release, not since the last stable
///   tag main itself carries;
/// - with no reachable release, the highest stable release anywhere;
/// - `None` when there is no stable release to count from (count every commit).
pub fn previous_release(releases: &[ExistingRelease]) -> Option<Version> {
    let highest_stable_below = |limit: Option<&Version>| {
        releases
            .iter()
            .map(|release| &release.version)
            .filter(|version| {
                !version.is_prerelease() && limit.is_none_or(|limit| *version < limit)
            })
            .max()
            .cloned()
    };
    match latest_reachable(releases) {
        Some(latest) if !latest.is_prerelease() => Some(latest.clone()),
        Some(latest) => highest_stable_below(Some(&latest.to_stable())),
        None => highest_stable_below(None),
    }
}

/// The hotfix for the line of `from` (`hotfix start vX.Y.Z`): the next free patch of line `X.Y`,
/// started from the line's latest stable release (which may be later than `from`).
pub fn hotfix_target(
    releases: &[ExistingRelease],
    from: &Version,
) -> Result<HotfixTarget, DecisionError> {
    let known = Known(releases);
    let base = releases
        .iter()
        .map(|release| &release.version)
        .filter(|version| !version.is_prerelease() && same_line(version, from))
        .max()
        .cloned()
        .ok_or_else(|| DecisionError::NoReleaseInLine {
            line: line_text(from),
        })?;
    let version = known.next_free_release(&from.to_stable(), Level::Patch, false)?;
    Ok(HotfixTarget { version, base })
}

fn latest_reachable(releases: &[ExistingRelease]) -> Option<&Version> {
    releases
        .iter()
        .filter(|release| release.reachable)
        .map(|release| &release.version)
        .max()
}

fn first_release(
    input: &DecisionInput,
    policy: &Policy,
    known: &Known<'_>,
) -> Result<Decision, DecisionError> {
    let initial = input
        .initial
        .clone()
        .unwrap_or_else(|| Version::new(0, 1, 0));
    let prerelease = input.request.prerelease.as_deref();
    let (candidate, reason) = match (&input.request.target, prerelease) {
        (Target::Level(level), None) => (
            bump(&initial, &BumpRequest::level(*level), policy)?,
            Reason::Level(*level),
        ),
        (Target::Level(level), Some(identifier)) => (
            bump(
                &initial,
                &BumpRequest::prerelease(Some(*level), identifier),
                &policy_for(policy, &initial, identifier),
            )?,
            Reason::Prerelease,
        ),
        (_, Some(identifier)) if initial.is_prerelease() => (
            next_prerelease(&initial, None, identifier, input.date, policy)?,
            Reason::Prerelease,
        ),
        (_, Some(identifier)) => {
            // The first pre-release of the files' version: 1.0.0 → 1.0.0-rc.1.
            let version = initial
                .with_prerelease(&format!("{identifier}.1"))
                .map_err(|_| DecisionError::InvalidIdentifier {
                    identifier: identifier.to_owned(),
                })?;
            (version, Reason::Prerelease)
        }
        (_, None) => (initial, Reason::Initial),
    };
    // The files' version is a number, not a level: a taken one moves to its line's next patch.
    let level = (reason == Reason::Initial).then_some(Level::Patch);
    let (version, skipped) = known.settle(candidate, level)?;
    Ok(Decision {
        version,
        base: None,
        reason,
        skipped,
    })
}

/// The next pre-release after `base` with `identifier`.
fn next_prerelease(
    base: &Version,
    level: Option<Level>,
    identifier: &str,
    date: Option<u64>,
    policy: &Policy,
) -> Result<Version, BumpError> {
    let dated = date_train(base, identifier);
    let policy = policy_for(policy, base, identifier);
    if let Some((current, count)) = dated {
        let pending = base.to_stable();
        let continues = match level {
            None => true,
            Some(level) => bump(base, &BumpRequest::level(level), &policy)? == pending,
        };
        if continues {
            let prerelease = match date {
                Some(date) if date > current && is_date(date) => format!("{identifier}.{date}"),
                _ => format!("{identifier}.{current}.{}", count + 1),
            };
            return Ok(pending
                .with_prerelease(&prerelease)
                .expect("an identifier from a version and numbers form a pre-release"));
        }
    }
    let next = bump(base, &BumpRequest::prerelease(level, identifier), &policy)?;
    // A new train of a date-numbered identifier starts at the date when there is one.
    match (dated, date) {
        (Some(_), Some(date))
            if is_date(date) && next.prerelease() == format!("{identifier}.1") =>
        {
            Ok(next
                .with_prerelease(&format!("{identifier}.{date}"))
                .expect("an identifier and a number form a pre-release"))
        }
        _ => Ok(next),
    }
}

/// The policy to continue `base`'s train with: the configured one, plus the identifier the train
/// already uses when the configuration does not list it (`-next.N` needs no configured order).
fn policy_for(policy: &Policy, base: &Version, identifier: &str) -> Policy {
    let known = policy
        .prerelease_order()
        .iter()
        .any(|stage| stage == identifier);
    let current = base.prerelease_identifiers().first() == Some(&identifier);
    if known || !current {
        return policy.clone();
    }
    Policy::new([identifier], policy.zero_major()).unwrap_or_else(|_| policy.clone())
}

/// `(date, count)` when `version` is on a date-numbered train of `identifier`:
/// `identifier.YYYYMMDD` (count 0) or `identifier.YYYYMMDD.N`.
fn date_train(version: &Version, identifier: &str) -> Option<(u64, u64)> {
    let identifiers = version.prerelease_identifiers();
    let (stage, rest) = identifiers.split_first()?;
    if *stage != identifier || rest.is_empty() || rest.len() > 2 {
        return None;
    }
    let number = |text: &str| {
        (text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty())
            .then(|| text.parse::<u64>().ok())
            .flatten()
    };
    let date = number(rest[0]).filter(|&date| is_date(date) && rest[0].len() == 8)?;
    let count = match rest.get(1) {
        Some(text) => number(text)?,
        None => 0,
    };
    Some((date, count))
}

/// Whether `number` reads as a `YYYYMMDD` date.
fn is_date(number: u64) -> bool {
    let (year, month, day) = (number / 10_000, number / 100 % 100, number % 100);
    (1970..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn same_line(a: &Version, b: &Version) -> bool {
    a.major() == b.major() && a.minor() == b.minor()
}

fn line_text(version: &Version) -> String {
    format!("{}.{}", version.major(), version.minor())
}

/// The repository's releases, asked the questions the rules need.
struct Known<'a>(&'a [ExistingRelease]);

impl Known<'_> {
    fn find(&self, version: &Version) -> Option<&ExistingRelease> {
        self.0.iter().find(|release| release.version == *version)
    }

    /// The highest release (pre-releases included) of `version`'s `major.minor` line.
    fn line_latest(&self, version: &Version) -> Option<&Version> {
        self.0
            .iter()
            .map(|release| &release.version)
            .filter(|known| same_line(known, version))
            .max()
    }

    /// Whether `version` may be released: it does not exist and is above its line's latest.
    fn is_free(&self, version: &Version) -> bool {
        self.line_latest(version)
            .is_none_or(|latest| version > latest)
    }

    /// Whether the stable `release` may still be released, possibly after pre-releases of its
    /// own: nothing in its line is at or above it except its own pre-releases.
    fn release_available(&self, release: &Version) -> bool {
        self.0.iter().map(|known| &known.version).all(|known| {
            !same_line(known, release)
                || known.to_stable() < *release
                || (known.to_stable() == *release && known.is_prerelease())
        })
    }

    /// The first available release at `level` from the stable `release`: the line's next patch
    /// after its latest release, or the next minor (major) with nothing released at or above it.
    /// With `after`, `release` itself is not a candidate (it is known to be taken).
    fn next_free_release(
        &self,
        release: &Version,
        level: Level,
        after: bool,
    ) -> Result<Version, BumpError> {
        let overflow = || BumpError::Overflow {
            version: release.to_string(),
        };
        let mut next = release.clone();
        let mut skip = after;
        while std::mem::take(&mut skip) || !self.release_available(&next) {
            next = match level {
                Level::Patch => {
                    let latest = self.line_latest(&next).map_or(0, Version::patch);
                    let patch = latest
                        .max(next.patch())
                        .checked_add(1)
                        .ok_or_else(overflow)?;
                    Version::new(next.major(), next.minor(), patch)
                }
                Level::Minor => Version::new(
                    next.major(),
                    next.minor().checked_add(1).ok_or_else(overflow)?,
                    0,
                ),
                Level::Major => {
                    Version::new(next.major().checked_add(1).ok_or_else(overflow)?, 0, 0)
                }
            };
        }
        Ok(next)
    }

    /// `candidate`, or the first free version after it at the same level (or at `level`), with
    /// the candidates passed over.
    fn settle(
        &self,
        candidate: Version,
        level: Option<Level>,
    ) -> Result<(Version, Vec<Version>), BumpError> {
        let mut skipped = Vec::new();
        let mut candidate = candidate;
        while !self.is_free(&candidate) {
            let release = candidate.to_stable();
            let next = if candidate.is_prerelease() {
                let identifiers = candidate.prerelease_identifiers();
                let identifier = identifiers[0];
                let number = identifiers
                    .get(1)
                    .and_then(|text| text.parse::<u64>().ok())
                    .unwrap_or(0);
                // Past every existing pre-release of the same release and identifier.
                let highest = self
                    .0
                    .iter()
                    .filter(|known| known.version.to_stable() == release)
                    .filter_map(|known| {
                        let identifiers = known.version.prerelease_identifiers();
                        (identifiers.first() == Some(&identifier))
                            .then(|| identifiers.get(1)?.parse::<u64>().ok())
                            .flatten()
                    })
                    .max()
                    .unwrap_or(0);
                let raised = release
                    .with_prerelease(&format!("{identifier}.{}", highest.max(number) + 1))
                    .expect("an identifier from a version and a number form a pre-release");
                if self.release_available(&release) && self.is_free(&raised) {
                    raised
                } else {
                    let level = level.unwrap_or_else(|| contained_level(&release));
                    let moved = self.next_free_release(&release, level, true)?;
                    moved
                        .with_prerelease(&format!("{identifier}.1"))
                        .expect("an identifier from a version forms a pre-release")
                }
            } else {
                let level = level.unwrap_or_else(|| contained_level(&release));
                self.next_free_release(&release, level, true)?
            };
            skipped.push(std::mem::replace(&mut candidate, next));
        }
        Ok((candidate, skipped))
    }

    /// An explicit version must not exist and must be above its line's latest release.
    fn check_explicit(&self, version: &Version) -> Result<(), DecisionError> {
        let next_free = || {
            if version.is_prerelease() {
                self.settle(version.clone(), Some(Level::Patch))
                    .map(|(next, _)| next)
            } else {
                self.next_free_release(version, Level::Patch, false)
            }
        };
        if let Some(existing) = self.find(version) {
            return Err(DecisionError::Exists {
                version: version.to_string(),
                reachable: existing.reachable,
                line: line_text(version),
                next_free: next_free()?.to_string(),
            });
        }
        if let Some(latest) = self.line_latest(version)
            && version < latest
        {
            return Err(DecisionError::BelowLine {
                version: version.to_string(),
                latest: latest.to_string(),
                line: line_text(version),
                next_free: next_free()?.to_string(),
            });
        }
        Ok(())
    }
}

/// The level a stable release stands for: `X.0.0` a major, `X.Y.0` a minor, otherwise a patch.
fn contained_level(release: &Version) -> Level {
    if release.patch() != 0 {
        Level::Patch
    } else if release.minor() != 0 {
        Level::Minor
    } else {
        Level::Major
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_recognised() {
        assert!(is_date(20_261_129));
        assert!(!is_date(20_261_329));
        assert!(!is_date(12));
        let v = |text: &str| Version::parse(text).unwrap();
        assert_eq!(
            date_train(&v("1.0.0-nightly.20261129"), "nightly"),
            Some((20_261_129, 0))
        );
        assert_eq!(
            date_train(&v("1.0.0-nightly.20261129.3"), "nightly"),
            Some((20_261_129, 3))
        );
        assert_eq!(date_train(&v("1.0.0-nightly.3"), "nightly"), None);
        assert_eq!(date_train(&v("1.0.0-rc.20261129"), "nightly"), None);
    }
}
