//! Version files: find, read, rewrite and check the version written in project files.
//!
//! Every editor is text in, text out: it finds the exact byte ranges that hold the version and
//! replaces only those, so comments, quoting, key order, indentation and CRLF line endings stay
//! byte for byte. Reading gives each version back with its 1-based line.
//!
//! | kind | where the version is | scheme |
//! |---|---|---|
//! | [`FileKind::Pyproject`] | `[project].version`, `[tool.poetry].version` | PEP 440 |
//! | [`FileKind::Cargo`] | `[package].version`, `[workspace.package].version`, requirements on the workspace's own crates | SemVer |
//! | [`FileKind::PythonSource`] | `__version__ = "…"` (any quote style) | PEP 440 |
//! | [`FileKind::SetupPy`] | `version="…"` and `__version__ = "…"` | PEP 440 |
//! | [`FileKind::SetupCfg`] | `version =` in `[metadata]` | PEP 440 |
//! | [`FileKind::PackageJson`] | the top-level `"version"` only | SemVer |
//! | [`FileKind::Dockerfile`] | `LABEL version=…` and `org.opencontainers.image.version=…` | SemVer |
//! | [`FileKind::HelmChart`] | `Chart.yaml`'s top-level `version:` and `appVersion:` | SemVer |
//! | [`FileKind::VersionFile`] | a `VERSION` file's only line | SemVer |
//! | [`FileKind::Text`] | a user-given pattern, refused when it matches too often | configurable |
//!
//! When a file declares that its version lives elsewhere (`dynamic = ["version"]`,
//! `version.workspace = true`, `__version__ = version("pkg")`), the editors say where with
//! [`FileError::VersionElsewhere`] instead of guessing.
//!
//! This module does not read or write files, walk directories or decide which files a project
//! has; the caller does, and passes text and names in.
//!
//! ```
//! use versioning::Version;
//! use versioning::files::{self, FileKind};
//!
//! let text = "[project]\r\nname = \"demo\"  # the name\r\nversion = '1.2.0'\r\n";
//! let kind = files::detect("pyproject.toml").unwrap();
//! assert_eq!(files::read_version(&kind, text)?.version, "1.2.0");
//! let edit = files::set_version(&kind, text, &Version::parse("1.3.0-rc.1")?)?;
//! assert_eq!(edit.text, "[project]\r\nname = \"demo\"  # the name\r\nversion = '1.3.0rc1'\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cargo_lock;
mod dockerfile;
mod json;
mod plain;
mod python;
mod text;
mod toml;

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

pub use cargo_lock::cargo_lock_set_versions;
pub use text::TextPattern;

use crate::error::FileError;
use crate::pep440::Pep440Version;
use crate::{Version, to_pep440};

/// Which version scheme a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// SemVer 2.0: `1.2.0-rc.1`.
    SemVer,
    /// PEP 440, normalised: `1.2.0rc1`.
    Pep440,
}

impl Scheme {
    /// `version` as written in this scheme.
    pub fn render(self, version: &Version) -> Result<String, FileError> {
        match self {
            Scheme::SemVer => Ok(version.to_string()),
            Scheme::Pep440 => Ok(to_pep440(version)?.to_string()),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::SemVer => "semver",
            Scheme::Pep440 => "pep440",
        })
    }
}

/// A kind of version file, which decides where the version is and how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// `pyproject.toml`.
    Pyproject,
    /// `Cargo.toml`, with the names of the workspace's own crates (package names), whose
    /// dependency requirements follow the version. Crates not named here are never touched, even
    /// when their requirement equals the version.
    Cargo {
        /// Package names of the workspace's crates.
        internal_crates: BTreeSet<String>,
    },
    /// A Python module with `__version__ = "…"` (`__init__.py`, `_version.py`, ...).
    PythonSource,
    /// `setup.py`.
    SetupPy,
    /// `setup.cfg`.
    SetupCfg,
    /// `package.json`.
    PackageJson,
    /// A `Dockerfile` or `Containerfile`.
    Dockerfile,
    /// A Helm chart's `Chart.yaml`: the chart's `version` and the application's `appVersion`.
    HelmChart,
    /// A `VERSION` file: the version and nothing else.
    VersionFile,
    /// Any text file, with a user-given pattern.
    Text(TextPattern),
}

impl FileKind {
    /// `Cargo.toml` whose dependency requirements on `internal_crates` follow the version.
    pub fn cargo<I, S>(internal_crates: I) -> FileKind
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        FileKind::Cargo {
            internal_crates: internal_crates.into_iter().map(Into::into).collect(),
        }
    }

    /// The scheme versions are written in: PEP 440 for Python files, SemVer for the rest, the
    /// pattern's for [`FileKind::Text`].
    pub fn scheme(&self) -> Scheme {
        match self {
            FileKind::Pyproject
            | FileKind::PythonSource
            | FileKind::SetupPy
            | FileKind::SetupCfg => Scheme::Pep440,
            FileKind::Cargo { .. }
            | FileKind::PackageJson
            | FileKind::Dockerfile
            | FileKind::HelmChart
            | FileKind::VersionFile => Scheme::SemVer,
            FileKind::Text(pattern) => pattern.scheme(),
        }
    }

    /// A short name for messages: `pyproject`, `cargo`, `python`, `setup.py`, `setup.cfg`,
    /// `package.json`, `dockerfile`, `helm-chart`, `version-file` or `text`.
    pub fn name(&self) -> &'static str {
        match self {
            FileKind::Pyproject => "pyproject",
            FileKind::Cargo { .. } => "cargo",
            FileKind::PythonSource => "python",
            FileKind::SetupPy => "setup.py",
            FileKind::SetupCfg => "setup.cfg",
            FileKind::PackageJson => "package.json",
            FileKind::Dockerfile => "dockerfile",
            FileKind::HelmChart => "helm-chart",
            FileKind::VersionFile => "version-file",
            FileKind::Text(_) => "text",
        }
    }
}

/// The kind of a file from its name (a path or a bare name), for auto-detection.
///
/// `Cargo.toml` is detected with no internal crates; fill them in with [`FileKind::cargo`] or
/// dependency requirements stay untouched. Any `.py` file other than `setup.py` is
/// [`FileKind::PythonSource`]. Text files need a pattern and are never detected.
///
/// ```
/// use versioning::files::{FileKind, detect};
///
/// assert_eq!(detect("pyproject.toml"), Some(FileKind::Pyproject));
/// assert_eq!(detect("src/pkg/__init__.py"), Some(FileKind::PythonSource));
/// assert_eq!(detect("docker/Dockerfile.prod"), Some(FileKind::Dockerfile));
/// assert_eq!(detect("charts/operator/Chart.yaml"), Some(FileKind::HelmChart));
/// assert_eq!(detect("VERSION"), Some(FileKind::VersionFile));
/// assert_eq!(detect("README.md"), None);
/// ```
pub fn detect(file_name: &str) -> Option<FileKind> {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = name.to_ascii_lowercase();
    match name {
        "pyproject.toml" => Some(FileKind::Pyproject),
        "Cargo.toml" => Some(FileKind::cargo(std::iter::empty::<String>())),
        "setup.py" => Some(FileKind::SetupPy),
        "setup.cfg" => Some(FileKind::SetupCfg),
        "package.json" => Some(FileKind::PackageJson),
        "Chart.yaml" => Some(FileKind::HelmChart),
        "VERSION" => Some(FileKind::VersionFile),
        _ if lower == "dockerfile"
            || lower == "containerfile"
            || lower.starts_with("dockerfile.")
            || lower.starts_with("containerfile.")
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile") =>
        {
            Some(FileKind::Dockerfile)
        }
        _ if std::path::Path::new(&lower)
            .extension()
            .is_some_and(|extension| extension == "py") =>
        {
            Some(FileKind::PythonSource)
        }
        _ => None,
    }
}

/// Where a version lives when a file says it is not written there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionSource {
    /// `version.workspace = true`: the workspace root's `[workspace.package].version`.
    CargoWorkspace,
    /// Derived from git tags when the package is built; creating the tag sets the version.
    Vcs {
        /// The tool, e.g. `setuptools-scm` or `hatch-vcs`.
        tool: String,
    },
    /// Read from another file.
    File {
        /// The tool that reads it, e.g. `hatch`.
        tool: String,
        /// The file, as written in the configuration.
        path: String,
    },
    /// Read from a Python attribute, e.g. `pkg.__version__`.
    Attribute {
        /// The tool that reads it, e.g. `setuptools`.
        tool: String,
        /// The dotted attribute.
        attribute: String,
    },
    /// Computed from an expression or variable, e.g. `importlib.metadata.version("pkg")` or
    /// `$VERSION` in a Dockerfile.
    Computed {
        /// The expression as written.
        expression: String,
    },
    /// Declared dynamic, with no recognised tool saying where.
    Unknown,
}

impl fmt::Display for VersionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSource::CargoWorkspace => f.write_str(
                "inherited from the workspace (version.workspace = true): set it in the root Cargo.toml's [workspace.package]",
            ),
            VersionSource::Vcs { tool } => {
                write!(f, "derived from git tags by {tool}: the release tag sets it")
            }
            VersionSource::File { tool, path } => {
                write!(f, "read by {tool} from {path}: configure that file instead")
            }
            VersionSource::Attribute { tool, attribute } => write!(
                f,
                "read by {tool} from {attribute}: configure the module that defines it instead"
            ),
            VersionSource::Computed { expression } => write!(
                f,
                "computed from `{expression}`: configure where that value comes from instead"
            ),
            VersionSource::Unknown => f.write_str(
                "declared dynamic, but no known build tool says where it lives: configure the file that holds it",
            ),
        }
    }
}

/// A version as written in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The text as written, without quotes (for a requirement, without its operator).
    pub version: String,
    /// Its 1-based line.
    pub line: usize,
    /// Where in the file, e.g. `[project].version` or `[workspace.dependencies].versioning`.
    pub place: String,
}

/// One version replaced by [`set_version`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The 1-based line.
    pub line: usize,
    /// Where in the file, as in [`Found::place`].
    pub place: String,
    /// The text before.
    pub old: String,
    /// The text after.
    pub new: String,
}

/// The result of [`set_version`]: the new text and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The whole file after the edit; identical to the input except for the versions.
    pub text: String,
    /// Every version written, in file order (including ones that already had the new text).
    pub changes: Vec<Change>,
}

impl Edit {
    /// Whether the text differs from the input.
    pub fn is_changed(&self) -> bool {
        self.changes.iter().any(|change| change.old != change.new)
    }
}

/// A version that disagrees with the expected one.
///
/// Displays as `file:line: found X, expected Y`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The file name, as the caller gave it.
    pub file: String,
    /// The 1-based line.
    pub line: usize,
    /// Where in the file, as in [`Found::place`].
    pub place: String,
    /// The version as written.
    pub found: String,
    /// The expected version, in the file's scheme.
    pub expected: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: found {}, expected {}",
            self.file, self.line, self.found, self.expected
        )
    }
}

/// A file's version disagrees with the release tag.
///
/// Displays exactly as the release runbook's check does:
/// `Version mismatch! pyproject.toml: 1.2.0, Git tag: 1.2.1`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Version mismatch! {file}: {file_version}, Git tag: {tag_version}")]
pub struct TagMismatch {
    /// The file name, as the caller gave it.
    pub file: String,
    /// The version written in the file.
    pub file_version: String,
    /// The tag's version.
    pub tag_version: String,
}

/// How a version is written at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Render {
    /// The whole version in the file's scheme.
    Version,
    /// A Cargo requirement on an internal crate: SemVer without build metadata.
    Requirement,
}

/// A byte range holding a version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Site {
    range: Range<usize>,
    place: String,
    render: Render,
}

impl Site {
    fn version(range: Range<usize>, place: impl Into<String>) -> Site {
        Site {
            range,
            place: place.into(),
            render: Render::Version,
        }
    }
}

/// The sites of a file, and where the version lives when the file does not hold it.
#[derive(Debug, Default)]
struct Sites {
    sites: Vec<Site>,
    elsewhere: Option<VersionSource>,
}

fn find_sites(kind: &FileKind, text: &str) -> Result<Sites, FileError> {
    let mut found = match kind {
        FileKind::Pyproject => toml::pyproject(text)?,
        FileKind::Cargo { internal_crates } => toml::cargo(text, internal_crates)?,
        FileKind::PythonSource => python::source(text),
        FileKind::SetupPy => python::setup_py(text),
        FileKind::SetupCfg => python::setup_cfg(text),
        FileKind::PackageJson => json::package_json(text)?,
        FileKind::Dockerfile => dockerfile::labels(text),
        FileKind::HelmChart => plain::helm_chart(text),
        FileKind::VersionFile => plain::version_file(text),
        FileKind::Text(pattern) => pattern.sites(text)?,
    };
    found.sites.sort_by_key(|site| site.range.start);
    if found.sites.is_empty() {
        return Err(match found.elsewhere {
            Some(location) => FileError::VersionElsewhere { location },
            None => FileError::NotFound {
                hint: not_found_hint(kind),
            },
        });
    }
    Ok(found)
}

fn not_found_hint(kind: &FileKind) -> String {
    match kind {
        FileKind::Pyproject => "pyproject.toml has neither [project].version nor [tool.poetry].version".to_owned(),
        FileKind::Cargo { .. } => "Cargo.toml has neither [package].version nor [workspace.package].version".to_owned(),
        FileKind::PythonSource => "no `__version__ = \"…\"` assignment".to_owned(),
        FileKind::SetupPy => "no `version=\"…\"` argument or `__version__ = \"…\"` assignment".to_owned(),
        FileKind::SetupCfg => "no `version =` in [metadata]".to_owned(),
        FileKind::PackageJson => "no top-level \"version\" string".to_owned(),
        FileKind::Dockerfile => {
            "no `LABEL version=…` or `LABEL org.opencontainers.image.version=…` with a literal value".to_owned()
        }
        FileKind::HelmChart => "no top-level `version:` in Chart.yaml".to_owned(),
        FileKind::VersionFile => "a VERSION file holds one line, the version".to_owned(),
        FileKind::Text(pattern) => format!("the pattern {:?} matches nothing", pattern.as_str()),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

fn found(text: &str, site: &Site) -> Found {
    Found {
        version: text[site.range.clone()].to_owned(),
        line: line_of(text, site.range.start),
        place: site.place.clone(),
    }
}

/// Every version written in the file, in file order: the file's own version and, for
/// `Cargo.toml`, the requirements on the workspace's crates.
pub fn read_versions(kind: &FileKind, text: &str) -> Result<Vec<Found>, FileError> {
    let found_sites = find_sites(kind, text)?;
    Ok(found_sites
        .sites
        .iter()
        .map(|site| found(text, site))
        .collect())
}

/// The file's own version (the first one written), with its line.
///
/// ```
/// use versioning::files::{FileKind, read_version};
///
/// let found = read_version(&FileKind::PythonSource, "\"\"\"Demo.\"\"\"\n__version__ = '1.2.0'\n")?;
/// assert_eq!((found.version.as_str(), found.line), ("1.2.0", 2));
/// # Ok::<(), versioning::FileError>(())
/// ```
pub fn read_version(kind: &FileKind, text: &str) -> Result<Found, FileError> {
    let found_sites = find_sites(kind, text)?;
    match found_sites
        .sites
        .iter()
        .find(|site| site.render == Render::Version)
    {
        Some(site) => Ok(found(text, site)),
        None => Err(match found_sites.elsewhere {
            Some(location) => FileError::VersionElsewhere { location },
            None => FileError::NotFound {
                hint: not_found_hint(kind),
            },
        }),
    }
}

fn render(kind: &FileKind, site: &Site, version: &Version) -> Result<String, FileError> {
    match site.render {
        Render::Version => kind.scheme().render(version),
        Render::Requirement => Ok(version
            .with_build("")
            .expect("removing build metadata is valid")
            .to_string()),
    }
}

/// The text with every version in it replaced by `version`, and what changed.
///
/// Only the version text changes; every other byte is kept.
pub fn set_version(kind: &FileKind, text: &str, version: &Version) -> Result<Edit, FileError> {
    let found_sites = find_sites(kind, text)?;
    let mut changes = Vec::new();
    let mut output = String::with_capacity(text.len());
    let mut last = 0;
    for site in &found_sites.sites {
        let new = render(kind, site, version)?;
        output.push_str(&text[last..site.range.start]);
        output.push_str(&new);
        last = site.range.end;
        changes.push(Change {
            line: line_of(text, site.range.start),
            place: site.place.clone(),
            old: text[site.range.clone()].to_owned(),
            new,
        });
    }
    output.push_str(&text[last..]);
    Ok(Edit {
        text: output,
        changes,
    })
}

/// Whether `written` says the same version as `version` at a site.
fn agrees(
    kind: &FileKind,
    site: &Site,
    written: &str,
    version: &Version,
) -> Result<bool, FileError> {
    Ok(match (site.render, kind.scheme()) {
        (Render::Requirement, _) => {
            // A requirement may be partial (`0.1`); it agrees when padded with zeros.
            let (core, pre) = written
                .split_once('-')
                .map_or((written, None), |(c, p)| (c, Some(p)));
            let mut parts: Vec<&str> = core.split('.').collect();
            while parts.len() < 3 {
                parts.push("0");
            }
            let padded = match pre {
                Some(pre) => format!("{}-{pre}", parts.join(".")),
                None => parts.join("."),
            };
            Version::parse(&padded).is_ok_and(|parsed| parsed == *version)
        }
        (Render::Version, Scheme::SemVer) => {
            Version::parse(written).is_ok_and(|parsed| parsed.is_identical(version))
        }
        (Render::Version, Scheme::Pep440) => {
            let expected = to_pep440(version)?;
            Pep440Version::parse(written).is_ok_and(|parsed| parsed == expected)
        }
    })
}

/// Every version in the file that disagrees with `expected`; empty when all agree.
///
/// PEP 440 files are compared as PEP 440 (`1.2.0rc1` agrees with `1.2.0-rc.1`), SemVer files
/// exactly, requirements after padding (`0.1` agrees with `0.1.0`). `file` is only used in the
/// result.
///
/// ```
/// use versioning::Version;
/// use versioning::files::{FileKind, check};
///
/// let text = "[project]\nversion = \"1.2.0\"\n";
/// let mismatches = check("pyproject.toml", &FileKind::Pyproject, text, &Version::parse("1.3.0")?)?;
/// assert_eq!(mismatches[0].to_string(), "pyproject.toml:2: found 1.2.0, expected 1.3.0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(
    file: &str,
    kind: &FileKind,
    text: &str,
    expected: &Version,
) -> Result<Vec<Mismatch>, FileError> {
    let found_sites = find_sites(kind, text)?;
    let mut mismatches = Vec::new();
    for site in &found_sites.sites {
        let written = &text[site.range.clone()];
        if !agrees(kind, site, written, expected)? {
            mismatches.push(Mismatch {
                file: file.to_owned(),
                line: line_of(text, site.range.start),
                place: site.place.clone(),
                found: written.to_owned(),
                expected: render(kind, site, expected)?,
            });
        }
    }
    Ok(mismatches)
}

/// Compares the file's own version with the version of the release tag.
///
/// ```
/// use versioning::Version;
/// use versioning::files::{FileKind, check_tag};
///
/// let text = "[project]\nversion = \"1.2.0\"\n";
/// let tag = Version::parse("1.2.1")?;
/// let mismatch = check_tag("pyproject.toml", &FileKind::Pyproject, text, &tag)?.unwrap();
/// assert_eq!(mismatch.to_string(), "Version mismatch! pyproject.toml: 1.2.0, Git tag: 1.2.1");
/// let text = "[project]\nversion = \"1.2.1rc1\"\n";
/// assert!(check_tag("pyproject.toml", &FileKind::Pyproject, text, &"1.2.1-rc.1".parse()?)?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_tag(
    file: &str,
    kind: &FileKind,
    text: &str,
    tag_version: &Version,
) -> Result<Option<TagMismatch>, FileError> {
    let found_sites = find_sites(kind, text)?;
    let site = found_sites
        .sites
        .iter()
        .find(|site| site.render == Render::Version)
        .ok_or_else(|| match found_sites.elsewhere.clone() {
            Some(location) => FileError::VersionElsewhere { location },
            None => FileError::NotFound {
                hint: not_found_hint(kind),
            },
        })?;
    let written = &text[site.range.clone()];
    let matches = match kind.scheme() {
        // A tag that has no PEP 440 form cannot match a Python file's version.
        Scheme::Pep440 => to_pep440(tag_version).is_ok_and(|expected| {
            Pep440Version::parse(written).is_ok_and(|parsed| parsed == expected)
        }),
        Scheme::SemVer => {
            Version::parse(written).is_ok_and(|parsed| parsed.is_identical(tag_version))
        }
    };
    Ok((!matches).then(|| TagMismatch {
        file: file.to_owned(),
        file_version: written.to_owned(),
        tag_version: tag_version.to_string(),
    }))
}

/// A requirement of a manifest on another package, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The package required, as written.
    pub name: String,
    /// The requirement (`=1.0.0`, `^1.0`, `==1.0.0`).
    pub requirement: String,
    /// Its 1-based line.
    pub line: usize,
    /// Where in the file, e.g. `[dependencies].core` or `[project].dependencies`.
    pub place: String,
}

/// The ecosystem whose requirements a manifest kind holds: Cargo.toml, pyproject.toml and
/// package.json have them; other files do not.
pub fn ecosystem(kind: &FileKind) -> Option<crate::dependencies::Ecosystem> {
    match kind {
        FileKind::Cargo { .. } => Some(crate::dependencies::Ecosystem::Cargo),
        FileKind::Pyproject => Some(crate::dependencies::Ecosystem::Python),
        FileKind::PackageJson => Some(crate::dependencies::Ecosystem::Npm),
        _ => None,
    }
}

fn requirement_sites(kind: &FileKind, text: &str) -> Result<Vec<toml::RequirementSite>, FileError> {
    match kind {
        FileKind::Cargo { .. } => toml::cargo_requirements(text),
        FileKind::Pyproject => toml::pyproject_requirements(text),
        FileKind::PackageJson => json::package_json_requirements(text),
        _ => Ok(Vec::new()),
    }
}

/// The requirements a manifest states on other packages: Cargo path dependencies with a version,
/// PEP 508 requirements with a version specifier, package.json dependencies. Other kinds have
/// none.
///
/// ```
/// use versioning::files::{FileKind, requirements};
///
/// let text = "[project]\nname = \"app\"\ndependencies = [\"core[fast]==1.0.0 ; python_version>'3.9'\", \"httpx\"]\n";
/// let found = requirements(&FileKind::Pyproject, text)?;
/// assert_eq!((found[0].name.as_str(), found[0].requirement.as_str()), ("core", "==1.0.0"));
/// assert_eq!(found.len(), 1);
/// # Ok::<(), versioning::FileError>(())
/// ```
pub fn requirements(kind: &FileKind, text: &str) -> Result<Vec<Requirement>, FileError> {
    Ok(requirement_sites(kind, text)?
        .into_iter()
        .map(|(name, range, place)| Requirement {
            name,
            requirement: text[range.clone()].to_owned(),
            line: line_of(text, range.start),
            place,
        })
        .collect())
}

/// The text with each requirement on a package of `released` (names as the ecosystem compares
/// them, see [`Ecosystem::normalise_name`](crate::dependencies::Ecosystem::normalise_name))
/// rewritten as [`crate::dependencies::rewrite`] decides, and what changed.
///
/// ```
/// use std::collections::BTreeMap;
/// use versioning::Version;
/// use versioning::files::{FileKind, set_requirements};
///
/// let text = "[dependencies]\ncore = { path = \"../core\", version = \"=1.0.0\" }\nserde = \"1\"\n";
/// let released = BTreeMap::from([("core".to_owned(), Version::parse("1.1.0")?)]);
/// let edit = set_requirements(&FileKind::cargo(["core"]), text, &released)?;
/// assert_eq!(edit.text, "[dependencies]\ncore = { path = \"../core\", version = \"=1.1.0\" }\nserde = \"1\"\n");
/// assert_eq!(edit.changes[0].place, "[dependencies].core");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn set_requirements(
    kind: &FileKind,
    text: &str,
    released: &std::collections::BTreeMap<String, Version>,
) -> Result<Edit, FileError> {
    let Some(ecosystem) = ecosystem(kind) else {
        return Ok(Edit {
            text: text.to_owned(),
            changes: Vec::new(),
        });
    };
    let mut sites = requirement_sites(kind, text)?;
    sites.sort_by_key(|(_, range, _)| range.start);
    let mut output = String::with_capacity(text.len());
    let mut changes = Vec::new();
    let mut last = 0;
    for (name, range, place) in sites {
        let normalised = ecosystem.normalise_name(&name);
        let Some(version) = released
            .iter()
            .find(|(candidate, _)| ecosystem.normalise_name(candidate) == normalised)
            .map(|(_, version)| version)
        else {
            continue;
        };
        let old = &text[range.clone()];
        let line = line_of(text, range.start);
        let Some(new) =
            crate::dependencies::rewrite(ecosystem, old, version).map_err(|source| {
                FileError::Requirement {
                    name: name.clone(),
                    line,
                    source,
                }
            })?
        else {
            continue;
        };
        output.push_str(&text[last..range.start]);
        output.push_str(&new);
        last = range.end;
        changes.push(Change {
            line,
            place,
            old: old.to_owned(),
            new,
        });
    }
    output.push_str(&text[last..]);
    Ok(Edit {
        text: output,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_of_each_manifest_kind_are_rewritten_in_place() {
        let released = std::collections::BTreeMap::from([
            ("core".to_owned(), Version::parse("2.0.0").unwrap()),
            ("My_Lib".to_owned(), Version::parse("1.0.1").unwrap()),
        ]);
        let python = "[project]\nname = \"app\"\ndependencies = [\n  \"core == 1.0.0\",\n  'my-lib>=1.0; extra == \"x\"',\n]\n[project.optional-dependencies]\ncli = [\"core[cli]~=1.0\"]\n";
        let edit = set_requirements(&FileKind::Pyproject, python, &released).unwrap();
        assert_eq!(
            edit.text,
            "[project]\nname = \"app\"\ndependencies = [\n  \"core == 2.0.0\",\n  'my-lib>=1.0; extra == \"x\"',\n]\n[project.optional-dependencies]\ncli = [\"core[cli]~=2.0.0\"]\n"
        );
        let npm = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": { \"core\": \"1.0.0\", \"left-pad\": \"^1.0.0\" },\n  \"devDependencies\": {\"core\": \"^1.0.0\"}\n}\n";
        let edit = set_requirements(&FileKind::PackageJson, npm, &released).unwrap();
        assert_eq!(
            edit.text,
            "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": { \"core\": \"2.0.0\", \"left-pad\": \"^1.0.0\" },\n  \"devDependencies\": {\"core\": \"^2.0.0\"}\n}\n"
        );
        let cargo = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\ncore = { path = \"../core\", version = \"1.0\" }\n[target.'cfg(unix)'.dev-dependencies]\nlib = { path = \"../lib\", package = \"My_Lib\", version = \"=1.0.0\" }\n";
        let edit =
            set_requirements(&FileKind::cargo(Vec::<String>::new()), cargo, &released).unwrap();
        assert_eq!(
            edit.text,
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\ncore = { path = \"../core\", version = \"2.0.0\" }\n[target.'cfg(unix)'.dev-dependencies]\nlib = { path = \"../lib\", package = \"My_Lib\", version = \"=1.0.1\" }\n"
        );
        // Nothing to do twice.
        assert!(
            set_requirements(
                &FileKind::cargo(Vec::<String>::new()),
                &edit.text,
                &released
            )
            .unwrap()
            .changes
            .is_empty()
        );
    }

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_of("a\nb\r\nc", 0), 1);
        assert_eq!(line_of("a\nb\r\nc", 2), 2);
        assert_eq!(line_of("a\nb\r\nc", 5), 3);
    }

    #[test]
    fn detection_is_by_file_name() {
        assert_eq!(
            detect("x/Cargo.toml"),
            Some(FileKind::cargo(Vec::<String>::new()))
        );
        assert_eq!(detect("setup.py"), Some(FileKind::SetupPy));
        assert_eq!(detect("a\\setup.cfg"), Some(FileKind::SetupCfg));
        assert_eq!(detect("web/package.json"), Some(FileKind::PackageJson));
        assert_eq!(detect("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(detect("api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(detect("src/pkg/_version.py"), Some(FileKind::PythonSource));
        assert_eq!(detect("cargo.toml"), None);
        assert_eq!(detect("package-lock.json"), None);
    }
}
