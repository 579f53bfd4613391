//! Error types, one per stage: parsing a version, a tag pattern or a level, bumping, mapping to
//! PEP 440 and editing version files.

use std::fmt;

/// A string is not a SemVer 2.0 version.
///
/// Displays as `"1.2" is not a version: expected MAJOR.MINOR.PATCH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
    reason: String,
}

impl ParseError {
    pub(crate) fn new(input: &str, reason: impl Into<String>) -> ParseError {
        ParseError {
            input: input.to_owned(),
            reason: reason.into(),
        }
    }

    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it, e.g. `expected MAJOR.MINOR.PATCH`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a version: {}", self.input, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// A string is not a PEP 440 version.
///
/// Displays as `"1.0-foo" is not a PEP 440 version: <what is wrong>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440ParseError {
    input: String,
    reason: String,
}

impl Pep440ParseError {
    pub(crate) fn new(input: &str, reason: impl Into<String>) -> Pep440ParseError {
        Pep440ParseError {
            input: input.to_owned(),
            reason: reason.into(),
        }
    }

    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for Pep440ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a PEP 440 version: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for Pep440ParseError {}

/// A tag pattern such as `{package}-v{version}` is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern has no `{version}` placeholder.
    #[error("tag pattern {pattern:?} has no {{version}} placeholder: write e.g. \"v{{version}}\"")]
    MissingVersion {
        /// The pattern as given.
        pattern: String,
    },
    /// A placeholder occurs more than once.
    #[error("tag pattern {pattern:?} has {{{placeholder}}} more than once: use it at most once")]
    Repeated {
        /// The pattern as given.
        pattern: String,
        /// `version` or `package`.
        placeholder: String,
    },
    /// A `{...}` other than `{version}` or `{package}`.
    #[error(
        "tag pattern {pattern:?} has an unknown placeholder {{{placeholder}}}: only {{version}} and {{package}} exist"
    )]
    UnknownPlaceholder {
        /// The pattern as given.
        pattern: String,
        /// The name between the braces.
        placeholder: String,
    },
    /// A `{` without its `}` or a stray `}`.
    #[error(
        "tag pattern {pattern:?} has an unbalanced brace: braces may only surround a placeholder"
    )]
    UnbalancedBrace {
        /// The pattern as given.
        pattern: String,
    },
    /// The tags the pattern makes are not names git accepts (`v{version}..`, `v {version}`).
    #[error("tag pattern {pattern:?} makes tags git refuses")]
    InvalidTag {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with a tag it makes.
        #[source]
        source: RefNameError,
    },
}

/// A name is not one git accepts for a tag or a branch (the rules of `git check-ref-format`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a valid git {kind} name: {reason}")]
pub struct RefNameError {
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) reason: String,
}

impl RefNameError {
    /// The name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which rule it breaks, e.g. `it contains ".."`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A string is not a bump level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a bump level: expected patch, minor or major")]
pub struct ParseLevelError {
    pub(crate) input: String,
}

/// A version has no faithful counterpart in the other scheme.
///
/// The mapping between SemVer and PEP 440 covers releases, `alpha`/`beta`/`rc` pre-releases and
/// `dev` releases; everything else is refused rather than approximated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// SemVer build metadata has no PEP 440 equivalent.
    #[error(
        "{version} has build metadata, which PEP 440 cannot express: local versions (`+...`) sort differently and PyPI rejects them; drop the build metadata"
    )]
    BuildMetadata {
        /// The SemVer version.
        version: String,
    },
    /// A SemVer pre-release other than `alpha.N`, `beta.N`, `rc.N` or `dev.N`.
    #[error(
        "{version} has pre-release {prerelease:?}, which has no PEP 440 equivalent: use alpha.N, beta.N, rc.N or dev.N"
    )]
    Prerelease {
        /// The SemVer version.
        version: String,
        /// Its pre-release part.
        prerelease: String,
    },
    /// A PEP 440 epoch (`1!2.0`) has no SemVer equivalent.
    #[error("{version} has an epoch, which SemVer cannot express")]
    Epoch {
        /// The PEP 440 version.
        version: String,
    },
    /// A PEP 440 post-release has no SemVer equivalent.
    #[error(
        "{version} is a post-release, which SemVer cannot express: release a new patch version instead"
    )]
    Post {
        /// The PEP 440 version.
        version: String,
    },
    /// A PEP 440 local version (`+ubuntu1`) has no faithful SemVer equivalent.
    #[error(
        "{version} has a local version label, which SemVer cannot express faithfully: build metadata does not take part in ordering"
    )]
    Local {
        /// The PEP 440 version.
        version: String,
    },
    /// A PEP 440 dev release of a pre-release (`1.0rc1.dev2`).
    #[error(
        "{version} is a dev release of a pre-release, which SemVer cannot express in the same order"
    )]
    DevOfPrerelease {
        /// The PEP 440 version.
        version: String,
    },
    /// A PEP 440 release with more than three non-zero segments.
    #[error("{version} has more than three release segments, which SemVer cannot express")]
    Segments {
        /// The PEP 440 version.
        version: String,
    },
}

/// A bump request cannot be applied to the current version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BumpError {
    /// Promotion asked of a version that is already stable.
    #[error("{version} is not a pre-release: there is nothing to promote")]
    NotPrerelease {
        /// The current version.
        version: String,
    },
    /// A pre-release asked of a stable version without saying which release it precedes.
    #[error(
        "{version} is stable: say which level (patch, minor or major) the {identifier:?} pre-release is for"
    )]
    MissingLevel {
        /// The current version.
        version: String,
        /// The requested pre-release identifier.
        identifier: String,
    },
    /// A pre-release train asked to move to an earlier stage.
    #[error(
        "{version} is already at {current:?}: a pre-release train does not go back to {requested:?} (order: {order})"
    )]
    Backwards {
        /// The current version.
        version: String,
        /// The identifier of the current stage.
        current: String,
        /// The requested identifier.
        requested: String,
        /// The configured order, comma separated.
        order: String,
    },
    /// A pre-release identifier the policy does not know.
    #[error(
        "pre-release identifier {identifier:?} is not in the configured order ({order}): add it to the order or use one of those"
    )]
    UnknownIdentifier {
        /// The identifier.
        identifier: String,
        /// The configured order, comma separated.
        order: String,
    },
    /// The current pre-release stage is not in the policy's order, so moving to another stage
    /// has no defined direction.
    #[error(
        "{version} is at pre-release stage {current:?}, which is not in the configured order ({order}): continue it with --pre {current} or promote it"
    )]
    UnknownStage {
        /// The current version.
        version: String,
        /// The identifier of the current stage.
        current: String,
        /// The configured order, comma separated.
        order: String,
    },
    /// Build metadata that SemVer does not allow.
    #[error("{build:?} is not valid build metadata: use dot-separated [0-9A-Za-z-] identifiers")]
    InvalidBuild {
        /// The build metadata as given.
        build: String,
    },
    /// The next version would not be greater than the current one.
    #[error("bumping {version} gives {next}, which is not greater: choose another bump")]
    NotIncreasing {
        /// The current version.
        version: String,
        /// The version the bump would give.
        next: String,
    },
    /// A number would exceed `u64::MAX`.
    #[error("bumping {version} overflows a version number")]
    Overflow {
        /// The current version.
        version: String,
    },
}

/// A bump policy is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The pre-release order is empty.
    #[error("the pre-release order is empty: list at least one identifier, e.g. alpha, beta, rc")]
    EmptyOrder,
    /// An identifier that SemVer does not allow as the first part of a pre-release.
    #[error(
        "{identifier:?} cannot name a pre-release stage: use letters, digits and '-', not only digits"
    )]
    InvalidIdentifier {
        /// The identifier.
        identifier: String,
    },
    /// The order contradicts SemVer precedence, so moving up the train would lower the version.
    #[error(
        "pre-release order puts {earlier:?} before {later:?}, but SemVer sorts {earlier:?} after it (identifiers compare in ASCII order): reorder or rename them"
    )]
    OutOfOrder {
        /// The identifier listed first.
        earlier: String,
        /// The identifier listed after it.
        later: String,
    },
    /// An identifier listed twice.
    #[error("pre-release order lists {identifier:?} twice")]
    Duplicate {
        /// The identifier.
        identifier: String,
    },
    /// An unknown 0.x policy name.
    #[error("{input:?} is not a 0.x policy: expected cargo, minor-for-breaking or as-stable")]
    UnknownZeroMajor {
        /// The name as given.
        input: String,
    },
}

/// A version file cannot be read or edited.
///
/// The file's name is not part of these errors: the editors see text only, and the caller adds the
/// path as context.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The text is not valid TOML.
    #[error("not valid TOML: {reason}")]
    InvalidToml {
        /// What the TOML parser reported.
        reason: String,
    },
    /// The text is not valid JSON.
    #[error("not valid JSON: {reason}")]
    InvalidJson {
        /// What the JSON parser reported.
        reason: String,
    },
    /// No version is written where this kind of file keeps it.
    #[error("no version found: {hint}")]
    NotFound {
        /// Where the editor looked, and what to do.
        hint: String,
    },
    /// The file says its version lives somewhere else.
    #[error("the version is not written in this file: it is {location}")]
    VersionElsewhere {
        /// Where the version lives.
        location: crate::files::VersionSource,
    },
    /// A dependency requirement on one of the workspace's own crates that is not a single version.
    #[error(
        "line {line}: the requirement {requirement:?} on {name} is not a single version: write it as \"X.Y.Z\" or \"=X.Y.Z\" so it can follow the workspace version"
    )]
    UnsupportedRequirement {
        /// The dependency's name.
        name: String,
        /// The requirement as written.
        requirement: String,
        /// Its 1-based line.
        line: usize,
    },
    /// A user-given pattern matched more places than configured.
    #[error(
        "the pattern {pattern:?} matches {count} places (lines {lines}), more than the {max} configured: make the pattern more specific or raise the limit"
    )]
    TooManyMatches {
        /// The pattern as given.
        pattern: String,
        /// How many places it matched.
        count: usize,
        /// The configured maximum.
        max: usize,
        /// The lines of the matches, comma separated.
        lines: String,
    },
    /// A user-given pattern is not usable.
    #[error("{pattern:?} is not a usable version pattern: {reason}")]
    InvalidPattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The version has no rendering in this file's scheme (a Python file needs PEP 440).
    #[error("cannot write the version into a Python file")]
    Mapping(#[source] MappingError),
    /// A requirement on another package of the repository cannot be read or rewritten.
    #[error("line {line}: the requirement on {name}")]
    Requirement {
        /// The package required.
        name: String,
        /// Its 1-based line.
        line: usize,
        /// What is wrong.
        #[source]
        source: crate::dependencies::RequirementError,
    },
}

impl From<MappingError> for FileError {
    fn from(error: MappingError) -> FileError {
        FileError::Mapping(error)
    }
}

/// The next version cannot be decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    /// The requested version is already a release, here or on another branch.
    #[error(
        "{version} is already released, {}, in line {line}: the next free version of that line is {next_free}",
        if *reachable { "reachable from HEAD" } else { "on a branch not reachable from HEAD" }
    )]
    Exists {
        /// The requested version.
        version: String,
        /// Whether its tag is reachable from `HEAD`.
        reachable: bool,
        /// Its `major.minor` line.
        line: String,
        /// The next version of that line that is free.
        next_free: String,
    },
    /// The requested version is below the latest release of its line.
    #[error(
        "{version} is below {latest}, the latest release of line {line}: the next free version of that line is {next_free}"
    )]
    BelowLine {
        /// The requested version.
        version: String,
        /// The latest release of its line.
        latest: String,
        /// Its `major.minor` line.
        line: String,
        /// The next version of that line that is free.
        next_free: String,
    },
    /// The requested version is not above the latest release reachable from `HEAD`.
    #[error(
        "{version} is not above {latest}, the latest release reachable from HEAD: ask for a higher version"
    )]
    NotAfterLatest {
        /// The requested version.
        version: String,
        /// The latest release reachable from `HEAD`.
        latest: String,
    },
    /// A hotfix was asked for a line that has no stable release.
    #[error("line {line} has no stable release to start a hotfix from: name a released version")]
    NoReleaseInLine {
        /// The `major.minor` line.
        line: String,
    },
    /// A pre-release identifier SemVer does not allow.
    #[error(
        "{identifier:?} cannot name a pre-release: use letters, digits and '-', not only digits"
    )]
    InvalidIdentifier {
        /// The identifier as given.
        identifier: String,
    },
    /// The bump itself failed.
    #[error("cannot compute the next version")]
    Bump(#[from] BumpError),
}
