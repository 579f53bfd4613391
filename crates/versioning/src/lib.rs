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
//! # PEP 440
//!
//! [`pep440::Pep440Version`] parses, normalises and orders Python versions as `packaging` does;
//! [`to_pep440`] and [`from_pep440`] map between the two schemes where the mapping is faithful:
//!
//! ```
//! use versioning::{Version, from_pep440, pep440::Pep440Version, to_pep440};
//!
//! assert_eq!(to_pep440(&Version::parse("1.2.0-rc.1")?)?.to_string(), "1.2.0rc1");
//! assert_eq!(from_pep440(&"1.2.0b2".parse::<Pep440Version>()?)?.to_string(), "1.2.0-beta.2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod error;
pub mod pep440;
mod tag;
mod version;

pub use error::{MappingError, ParseError, ParseLevelError, PatternError, Pep440ParseError};
pub use pep440::{from_pep440, to_pep440};
pub use tag::TagPattern;
pub use version::{Level, Version};
