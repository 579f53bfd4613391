//! Versions for releases: SemVer 2.0 and PEP 440, pre-release trains, bump policy and
//! version-file editing.
//!
//! This crate does no I/O: it takes values and returns values. It never reads files, the
//! environment, the clock or git; callers (the `slipway` CLI) read those and pass them in.
//!
//! # Versions
//!
//! [`Version`] is SemVer 2.0 with strict parsing and SemVer precedence (build metadata ignored):
//!
//! ```
//! use versioning::Version;
//!
//! assert!(Version::parse("1.0.0-rc.9")? < Version::parse("1.0.0-rc.10")?);
//! assert!(Version::parse("1.0.0-rc.10")? < Version::parse("1.0.0")?);
//! assert_eq!(Version::parse("1.0.0+a")?, Version::parse("1.0.0+b")?);
//! # Ok::<(), versioning::ParseError>(())
//! ```
//!
//! # Tags
//!
//! [`TagPattern`] names tags: `v{version}` by default, `{package}-v{version}` in monorepos.
//!
//! ```
//! use versioning::{TagPattern, Version};
//!
//! let pattern = TagPattern::new("{package}-v{version}")?.with_package("mypkg");
//! assert_eq!(pattern.parse_tag("mypkg-v1.2.3"), Some(Version::new(1, 2, 3)));
//! # Ok::<(), versioning::PatternError>(())
//! ```
//!
//! # Bumps
//!
//! [`bump()`] computes the next version from the current one, a [`BumpRequest`] and a [`Policy`]
//! (the pre-release order, `alpha < beta < rc` by default, and the 0.x policy). The result is
//! always greater than the current version; anything else is an error. The examples below share
//! this helper:
//!
//! ```
//! use versioning::{BumpRequest, Level, Policy, Version, bump};
//!
//! fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//!     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! }
//! assert_eq!(next("1.2.3", BumpRequest::level(Level::Patch))?, "1.2.4");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A level increments its component and resets the smaller ones
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! assert_eq!(next("1.2.3", BumpRequest::level(Level::Minor))?, "1.3.0");
//! assert_eq!(next("1.2.3", BumpRequest::level(Level::Major))?, "2.0.0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A level with a pre-release starts a train at `.1`
//!
//! A stable version needs the level: a pre-release always leads to some release.
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! assert_eq!(next("1.2.3", BumpRequest::prerelease(Some(Level::Minor), "rc"))?, "1.3.0-rc.1");
//! assert!(next("1.2.3", BumpRequest::prerelease(None, "rc")).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The same stage counts up, numerically
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! assert_eq!(next("1.3.0-rc.1", BumpRequest::prerelease(None, "rc"))?, "1.3.0-rc.2");
//! assert_eq!(next("1.3.0-rc.9", BumpRequest::prerelease(None, "rc"))?, "1.3.0-rc.10");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A later stage starts again at `.1`
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! assert_eq!(next("1.3.0-alpha.4", BumpRequest::prerelease(None, "beta"))?, "1.3.0-beta.1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A train never goes backwards
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! assert_eq!(
//!     next("1.3.0-rc.2", BumpRequest::prerelease(None, "alpha")).unwrap_err().to_string(),
//!     r#"1.3.0-rc.2 is already at "rc": a pre-release train does not go back to "alpha" (order: alpha, beta, rc)"#,
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## A level on a pre-release counts what the pending release already contains
//!
//! `1.3.0-rc.2` leads to `1.3.0`, which is already a minor bump over 1.2.x, so a minor (or patch)
//! bump continues the train or, without a pre-release, releases `1.3.0`. A larger level bumps the
//! pending release: `1.3.0-rc.2` + major leads to `2.0.0`, `1.3.1-rc.1` + minor to `1.4.0`. This is
//! why `1.0.0-rc.1` + major is `1.0.0`, never `2.0.0`.
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! let rc = |level| BumpRequest::prerelease(Some(level), "rc");
//! assert_eq!(next("1.3.0-rc.2", rc(Level::Minor))?, "1.3.0-rc.3");
//! assert_eq!(next("1.3.0-rc.2", rc(Level::Major))?, "2.0.0-rc.1");
//! assert_eq!(next("1.3.1-rc.1", rc(Level::Minor))?, "1.4.0-rc.1");
//! assert_eq!(next("1.3.0-rc.2", BumpRequest::level(Level::Minor))?, "1.3.0");
//! assert_eq!(next("1.0.0-rc.1", BumpRequest::level(Level::Major))?, "1.0.0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Promotion releases the pending version
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! assert_eq!(next("1.3.0-rc.2", BumpRequest::promote())?, "1.3.0");
//! assert_eq!(
//!     next("1.3.0", BumpRequest::promote()).unwrap_err().to_string(),
//!     "1.3.0 is not a pre-release: there is nothing to promote",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Build metadata is set, never carried over
//!
//! ```
//! # use versioning::{BumpRequest, Level, Policy, Version, bump};
//! # fn next(current: &str, request: BumpRequest) -> Result<String, Box<dyn std::error::Error>> {
//! #     Ok(bump(&Version::parse(current)?, &request, &Policy::default())?.to_string())
//! # }
//! let request = BumpRequest::level(Level::Patch).with_build("git.abc123");
//! assert_eq!(next("1.2.3+old", request)?, "1.2.4+git.abc123");
//! assert_eq!(next("1.2.3+old", BumpRequest::level(Level::Patch))?, "1.2.4");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Pre-release stages follow a configured order
//!
//! Any identifiers can form the train, as long as their order agrees with SemVer precedence
//! (ASCII order), so that moving up the train always raises the version.
//!
//! ```
//! use versioning::{BumpRequest, Policy, Version, ZeroMajor, bump};
//!
//! let policy = Policy::new(["dev", "preview"], ZeroMajor::Cargo)?;
//! let next = bump(&Version::parse("2.0.0-dev.3")?, &BumpRequest::prerelease(None, "preview"), &policy)?;
//! assert_eq!(next.to_string(), "2.0.0-preview.1");
//! assert!(bump(&next, &BumpRequest::prerelease(None, "rc"), &policy).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The 0.x policy
//!
//! Levels decided from commits go through [`Policy::apply_zero_major`] before the bump. The
//! default, [`ZeroMajor::Cargo`], follows Cargo's convention: while the major version is 0, a
//! breaking change bumps the minor version and a feature bumps the patch version. SemVer §4 leaves
//! 0.y.z unconstrained, and Cargo's (and npm's) caret requirements treat `0.y` as the
//! compatibility line, so this is the rule that keeps `^0.3` dependents from receiving breaking
//! changes while still letting them receive features. Leaving 0.x is a deliberate explicit
//! `major` bump, which is taken literally. [`ZeroMajor::MinorForBreaking`] and
//! [`ZeroMajor::AsStable`] are the alternatives.
//!
//! ```
//! use versioning::{BumpRequest, Level, Policy, Version, ZeroMajor, bump};
//!
//! let current = Version::parse("0.3.1")?;
//! let policy = Policy::default();
//! let level = policy.apply_zero_major(&current, Level::Major); // a breaking commit
//! assert_eq!(bump(&current, &BumpRequest::level(level), &policy)?.to_string(), "0.4.0");
//! let level = policy.apply_zero_major(&current, Level::Minor); // a feature
//! assert_eq!(bump(&current, &BumpRequest::level(level), &policy)?.to_string(), "0.3.2");
//! // An explicit major bump leaves 0.x.
//! assert_eq!(bump(&current, &BumpRequest::level(Level::Major), &policy)?.to_string(), "1.0.0");
//! let strict = policy.with_zero_major(ZeroMajor::AsStable);
//! assert_eq!(strict.apply_zero_major(&current, Level::Major), Level::Major);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The next version of a repository
//!
//! [`decide()`] applies [`bump()`] to the latest release reachable from `HEAD` and then makes sure
//! the result is free: never a version that exists as a tag anywhere in the repository, never
//! below the latest release of its line. Pre-release trains continue with the identifier they
//! use, and [`decide::previous_release`] names the tag the caller counts the commits from. The
//! [`decide`](mod@decide) module documents each rule with an example.
//!
//! ```
//! use versioning::decide::{DecisionInput, ExistingRelease, Request};
//! use versioning::{Level, Policy, Version, decide};
//!
//! // Main is at 1.1.0; a hotfix branch released 1.1.1.
//! let input = DecisionInput {
//!     releases: vec![
//!         ExistingRelease::reachable(Version::new(1, 1, 0)),
//!         ExistingRelease::unreachable(Version::new(1, 1, 1)),
//!     ],
//!     level: Some(Level::Patch),
//!     request: Request::auto(),
//!     ..DecisionInput::default()
//! };
//! let decision = decide(&input, &Policy::default())?.expect("a fix calls for a release");
//! assert_eq!(decision.version.to_string(), "1.1.2");
//! assert_eq!(decision.skipped, [Version::new(1, 1, 1)]);
//! # Ok::<(), versioning::DecisionError>(())
//! ```
//!
//! # Tag schemes
//!
//! [`TagSchemes::detect`] reads which schemes a repository's tags use (`v1.2.3`, `1.2.3`, both,
//! `pkg-v1.2.3`, `pkg@1.2.3`, `@scope/pkg@1.2.3`); [`ignored_tags`] lists the version-like tags a
//! pattern set does not read.
//!
//! # PEP 440
//!
//! [`pep440::Pep440Version`] parses, normalises and orders Python versions as `packaging` does
//! (a test checks both agree on a corpus of 725 versions);
//! [`to_pep440`] and [`from_pep440`] map between the two schemes where the mapping is faithful:
//! `1.2.0-rc.1` ↔ `1.2.0rc1`, `alpha` ↔ `a`, `beta` ↔ `b`, `-dev.N` ↔ `.devN`. Anything else
//! (`1.2.0-foo`, build metadata, epochs, post-releases, local labels) is an error, never an
//! approximation. The mapping preserves order, except where the two standards themselves
//! disagree: SemVer sorts `-dev.N` after `-alpha`/`-beta` of the same version, PEP 440 before.
//!
//! ```
//! use versioning::{Version, from_pep440, pep440::Pep440Version, to_pep440};
//!
//! assert_eq!(to_pep440(&Version::parse("1.2.0-rc.1")?)?.to_string(), "1.2.0rc1");
//! assert_eq!(from_pep440(&"1.2.0b2".parse::<Pep440Version>()?)?.to_string(), "1.2.0-beta.2");
//! assert!(to_pep440(&Version::parse("1.2.0-foo")?).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Version files
//!
//! [`files`] finds, reads, rewrites and checks the version in pyproject.toml, Cargo.toml, Python
//! sources, setup.py, setup.cfg, package.json, Dockerfiles and any text file with a pattern. The
//! editors take text and return text, changing only the version: comments, quoting, key order
//! and line endings are kept byte for byte. Python files get the PEP 440 rendering.
//!
//! ```
//! use versioning::Version;
//! use versioning::files::{FileKind, check_tag, set_version};
//!
//! let text = "[project]\nname = \"demo\"\nversion = \"1.2.0\"  # keep this comment\n";
//! let edit = set_version(&FileKind::Pyproject, text, &Version::parse("1.3.0-rc.1")?)?;
//! assert_eq!(edit.text, "[project]\nname = \"demo\"\nversion = \"1.3.0rc1\"  # keep this comment\n");
//! let mismatch = check_tag("pyproject.toml", &FileKind::Pyproject, text, &Version::parse("1.2.1")?)?;
//! assert_eq!(
//!     mismatch.unwrap().to_string(),
//!     "Version mismatch! pyproject.toml: 1.2.0, Git tag: 1.2.1",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod bump;
pub mod decide;
pub mod dependencies;
mod error;
pub mod files;
pub mod pep440;
mod tag;
mod version;

pub use bump::{BumpRequest, Policy, Step, ZeroMajor, bump};
pub use decide::{Decision, DecisionInput, decide};
pub use error::{
    BumpError, DecisionError, FileError, MappingError, ParseError, ParseLevelError, PatternError,
    Pep440ParseError, PolicyError, RefNameError,
};
pub use pep440::{from_pep440, to_pep440};
pub use tag::{
    SchemeUse, TagPattern, TagScheme, TagSchemes, check_branch_name, check_tag_name, ignored_tags,
};
pub use version::{Level, Version};
