//! The packages of one repository and their requirements on each other: whether a requirement
//! still admits a package's new version, how it is rewritten when it does not, and the order in
//! which packages that depend on each other are published.
//!
//! Three ecosystems, each with its own requirement language:
//!
//! | ecosystem | exact pin | other requirements |
//! |---|---|---|
//! | [`Ecosystem::Cargo`] | `=1.0.0` | `1.0` and `^1.0` (caret), `~1.0`, `>=1.0`, comma lists |
//! | [`Ecosystem::Python`] | `==1.0.0`, `===1.0.0` | PEP 440 specifiers: `~=1.0`, `>=1.0,<2` |
//! | [`Ecosystem::Npm`] | `1.0.0`, `=1.0.0`, `workspace:1.0.0` | `^1.0.0`, `~1.0.0`, `>=1.0.0`, `*`, `workspace:^1.0.0`; `workspace:*`, `:^` and `:~` follow any version |
//!
//! [`rewrite`] decides what a dependent's requirement becomes when a package it requires is
//! released: an exact pin always follows the new version; any other requirement is left as it is
//! while it admits the new version, and otherwise rewritten with the same operator.
//! A requirement with several clauses that no longer admits the version cannot be rewritten
//! faithfully, so it is an error that names it.
//!
//! ```
//! use versioning::Version;
//! use versioning::dependencies::{Ecosystem, rewrite};
//!
//! let new = Version::parse("1.1.0")?;
//! // An exact pin always follows.
//! assert_eq!(rewrite(Ecosystem::Python, "==1.0.0", &new)?, Some("==1.1.0".to_owned()));
//! assert_eq!(rewrite(Ecosystem::Cargo, "=1.0.0", &new)?, Some("=1.1.0".to_owned()));
//! // A compatible requirement that still admits the version is left alone.
//! assert_eq!(rewrite(Ecosystem::Cargo, "1.0", &new)?, None);
//! assert_eq!(rewrite(Ecosystem::Npm, "^1.0.0", &new)?, None);
//! // One that does not is rewritten with the same operator.
//! let major = Version::parse("2.0.0")?;
//! assert_eq!(rewrite(Ecosystem::Cargo, "1.0", &major)?, Some("2.0.0".to_owned()));
//! assert_eq!(rewrite(Ecosystem::Python, "~=1.0", &major)?, Some("~=2.0.0".to_owned()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr as _;

use crate::{Version, to_pep440};

/// The requirement language of a package manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// `Cargo.toml`: Cargo's SemVer requirements.
    Cargo,
    /// `pyproject.toml`: PEP 508 requirements with PEP 440 specifiers.
    Python,
    /// `package.json`: npm's semver ranges.
    Npm,
}

impl Ecosystem {
    /// The name of a package as the ecosystem compares names: PEP 503's normalised form for
    /// Python (`My_Pkg` is `my-pkg`), as written otherwise.
    pub fn normalise_name(self, name: &str) -> String {
        match self {
            Ecosystem::Python => {
                let mut normalised = String::with_capacity(name.len());
                let mut separator = false;
                for character in name.chars() {
                    if matches!(character, '-' | '_' | '.') {
                        separator = true;
                    } else {
                        if separator && !normalised.is_empty() {
                            normalised.push('-');
                        }
                        separator = false;
                        normalised.push(character.to_ascii_lowercase());
                    }
                }
                normalised
            }
            Ecosystem::Cargo | Ecosystem::Npm => name.to_owned(),
        }
    }
}

/// A requirement slipway cannot read or cannot rewrite.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequirementError {
    /// The requirement is not valid in its ecosystem.
    #[error("{requirement:?} is not a valid requirement: {reason}")]
    Invalid {
        /// The requirement as written.
        requirement: String,
        /// What the parser said.
        reason: String,
    },
    /// The requirement no longer admits the new version, and has several clauses.
    #[error(
        "{requirement:?} does not admit {version}, and has several clauses that cannot be rewritten faithfully: change it by hand (e.g. to one that admits {version})"
    )]
    NotRewritable {
        /// The requirement as written.
        requirement: String,
        /// The new version.
        version: String,
    },
    /// The version has no PEP 440 form, so no Python requirement can name it.
    #[error("{version} has no PEP 440 form for a Python requirement")]
    Mapping {
        /// The version.
        version: String,
    },
}

/// A requirement split into its operator and its version, when it is a single clause.
struct Clause<'a> {
    operator: &'a str,
    version: &'a str,
}

fn single_clause<'a>(requirement: &'a str, operators: &[&'static str]) -> Option<Clause<'a>> {
    let trimmed = requirement.trim();
    if trimmed.contains(',') || trimmed.contains("||") || trimmed.split_whitespace().count() > 2 {
        return None;
    }
    let operator = operators
        .iter()
        .find(|operator| trimmed.starts_with(**operator))
        .copied()
        .unwrap_or("");
    let version = trimmed[operator.len()..].trim();
    (!version.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then_some(Clause { operator, version })
}

const CARGO_OPERATORS: [&str; 7] = ["<=", ">=", "^", "=", "~", "<", ">"];
const NPM_OPERATORS: [&str; 8] = ["<=", ">=", "^", "=", "~", "<", ">", "v"];
const PYTHON_OPERATORS: [&str; 8] = ["===", "==", "~=", "!=", "<=", ">=", "<", ">"];

/// Whether the requirement is an exact pin: `=1.0.0` (Cargo), `==1.0.0` (Python), `1.0.0` or
/// `=1.0.0` (npm).
///
/// ```
/// use versioning::dependencies::{Ecosystem, is_exact};
/// assert!(is_exact(Ecosystem::Cargo, "=1.2.0"));
/// assert!(!is_exact(Ecosystem::Cargo, "1.2.0"));
/// assert!(is_exact(Ecosystem::Npm, "1.2.0"));
/// assert!(is_exact(Ecosystem::Python, "== 1.2.0"));
/// assert!(!is_exact(Ecosystem::Python, "==1.2.*"));
/// ```
pub fn is_exact(ecosystem: Ecosystem, requirement: &str) -> bool {
    if let Some((_, range)) = workspace_range(ecosystem, requirement) {
        return range.is_some_and(|range| is_exact(ecosystem, range));
    }
    match ecosystem {
        Ecosystem::Cargo => single_clause(requirement, &CARGO_OPERATORS)
            .is_some_and(|clause| clause.operator == "="),
        Ecosystem::Npm => single_clause(requirement, &NPM_OPERATORS).is_some_and(|clause| {
            matches!(clause.operator, "" | "=" | "v")
                && clause.version.split('.').count() == 3
                && !clause.version.contains(['x', 'X', '*'])
        }),
        Ecosystem::Python => single_clause(requirement, &PYTHON_OPERATORS).is_some_and(|clause| {
            matches!(clause.operator, "==" | "===") && !clause.version.contains('*')
        }),
    }
}

/// A pnpm `workspace:` requirement, split: the length of its prefix (`workspace:` and the spaces
/// before it) and its range, `None` for the aliases `workspace:*`, `workspace:^` and
/// `workspace:~`, which follow the package wherever it goes (pnpm writes its version when it
/// publishes). `None` for any other requirement.
fn workspace_range(ecosystem: Ecosystem, requirement: &str) -> Option<(usize, Option<&str>)> {
    if ecosystem != Ecosystem::Npm {
        return None;
    }
    let range = requirement.trim_start().strip_prefix("workspace:")?;
    let prefix = requirement.len() - range.len();
    Some((
        prefix,
        (!matches!(range.trim(), "" | "*" | "^" | "~")).then_some(range),
    ))
}

/// Whether `requirement` admits `version`.
///
/// pnpm's `workspace:*`, `workspace:^`, `workspace:~` and npm's `*` admit every version (pnpm
/// writes the version when it publishes); `workspace:1.0.0` and `workspace:^1.0.0` admit what
/// their range does, since pnpm refuses to link a package that does not satisfy it. Pre-releases follow each ecosystem's own rule: a Cargo or npm range admits
/// a pre-release only when a clause names the same `major.minor.patch` with a pre-release.
pub fn admits(
    ecosystem: Ecosystem,
    requirement: &str,
    version: &Version,
) -> Result<bool, RequirementError> {
    let invalid = |reason: String| RequirementError::Invalid {
        requirement: requirement.to_owned(),
        reason,
    };
    let trimmed = requirement.trim();
    match ecosystem {
        Ecosystem::Cargo | Ecosystem::Npm => {
            if ecosystem == Ecosystem::Npm {
                if let Some((_, range)) = workspace_range(ecosystem, trimmed) {
                    return range.map_or(Ok(true), |range| admits(ecosystem, range, version));
                }
                if matches!(trimmed, "*" | "" | "latest") {
                    return Ok(true);
                }
                if trimmed.contains("||") {
                    for part in trimmed.split("||") {
                        if admits(ecosystem, part, version)? {
                            return Ok(true);
                        }
                    }
                    return Ok(false);
                }
            }
            let cargo_syntax = if ecosystem == Ecosystem::Npm {
                npm_to_cargo(trimmed)
            } else {
                trimmed.to_owned()
            };
            let parsed = semver::VersionReq::parse(&cargo_syntax)
                .map_err(|error| invalid(error.to_string()))?;
            let version = semver::Version::parse(&version.to_string())
                .map_err(|error| invalid(error.to_string()))?;
            Ok(parsed.matches(&version))
        }
        Ecosystem::Python => {
            let specifiers = pep440_rs::VersionSpecifiers::from_str(trimmed)
                .map_err(|error| invalid(error.to_string()))?;
            let pep440 = to_pep440(version).map_err(|_| RequirementError::Mapping {
                version: version.to_string(),
            })?;
            let pep440 = pep440_rs::Version::from_str(&pep440.to_string())
                .map_err(|error| invalid(error.to_string()))?;
            Ok(specifiers.contains(&pep440))
        }
    }
}

/// npm's range syntax in Cargo's: a bare version is exact in npm, a space separates clauses.
fn npm_to_cargo(requirement: &str) -> String {
    requirement
        .split_whitespace()
        .map(|clause| {
            let clause = clause.strip_prefix('v').unwrap_or(clause);
            if clause.starts_with(|c: char| c.is_ascii_digit()) && clause.split('.').count() == 3 {
                format!("={clause}")
            } else {
                clause.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `requirement` becomes once the package it names is released at `version`: `None` when
/// it stays as it is (it admits the version and is not an exact pin, or already names it).
pub fn rewrite(
    ecosystem: Ecosystem,
    requirement: &str,
    version: &Version,
) -> Result<Option<String>, RequirementError> {
    if let Some((prefix, range)) = workspace_range(ecosystem, requirement) {
        let Some(range) = range else {
            return Ok(None);
        };
        return Ok(rewrite(ecosystem, range, version)?
            .map(|new| format!("{}{new}", &requirement[..prefix])));
    }
    let exact = is_exact(ecosystem, requirement);
    if !exact && admits(ecosystem, requirement, version)? {
        return Ok(None);
    }
    let operators: &[&'static str] = match ecosystem {
        Ecosystem::Cargo => &CARGO_OPERATORS,
        Ecosystem::Npm => &NPM_OPERATORS,
        Ecosystem::Python => &PYTHON_OPERATORS,
    };
    let rewritable = single_clause(requirement, operators).filter(|clause| {
        matches!(
            clause.operator,
            "" | "=" | "==" | "===" | "^" | "~" | "~=" | ">=" | "v"
        )
    });
    let Some(clause) = rewritable else {
        return Err(RequirementError::NotRewritable {
            requirement: requirement.to_owned(),
            version: version.to_string(),
        });
    };
    let rendered = match ecosystem {
        Ecosystem::Python => to_pep440(version)
            .map_err(|_| RequirementError::Mapping {
                version: version.to_string(),
            })?
            .to_string(),
        Ecosystem::Cargo | Ecosystem::Npm => version
            .with_build("")
            .expect("removing build metadata is valid")
            .to_string(),
    };
    // Only the version changes: the operator, its spacing and anything around stay as written.
    let start = clause.version.as_ptr() as usize - requirement.as_ptr() as usize;
    let new = format!(
        "{}{rendered}{}",
        &requirement[..start],
        &requirement[start + clause.version.len()..]
    );
    Ok((new != requirement).then_some(new))
}

/// Packages in an order where each comes after every package it depends on, ties by name;
/// `graph` maps each package to the packages it depends on (names outside the graph are
/// ignored). A cycle is an error listing the packages caught in it.
///
/// ```
/// use std::collections::{BTreeMap, BTreeSet};
/// use versioning::dependencies::dependency_order;
///
/// let graph = BTreeMap::from([
///     ("app".to_owned(), BTreeSet::from(["core".to_owned(), "util".to_owned()])),
///     ("core".to_owned(), BTreeSet::from(["util".to_owned()])),
///     ("util".to_owned(), BTreeSet::new()),
/// ]);
/// assert_eq!(dependency_order(&graph).unwrap(), ["util", "core", "app"]);
/// ```
pub fn dependency_order(
    graph: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<String>, Vec<String>> {
    let mut order = Vec::new();
    let mut done = BTreeSet::new();
    while done.len() < graph.len() {
        let ready = graph
            .iter()
            .find(|(name, dependencies)| {
                !done.contains(name.as_str())
                    && dependencies.iter().all(|dependency| {
                        done.contains(dependency.as_str()) || !graph.contains_key(dependency)
                    })
            })
            .map(|(name, _)| name.as_str());
        let Some(ready) = ready else {
            return Err(graph
                .keys()
                .filter(|name| !done.contains(name.as_str()))
                .cloned()
                .collect());
        };
        done.insert(ready);
        order.push(ready.to_owned());
    }
    Ok(order)
}

/// Every package that depends on `package`, directly or through others, in `graph` (as
/// [`dependency_order`] takes it).
pub fn dependents_of(
    graph: &BTreeMap<String, BTreeSet<String>>,
    package: &str,
) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut queue = vec![package.to_owned()];
    while let Some(current) = queue.pop() {
        for (name, dependencies) in graph {
            if dependencies.contains(&current) && found.insert(name.clone()) {
                queue.push(name.clone());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ecosystem: Ecosystem, requirement: &str, version: &str, expected: Option<&str>) {
        let version = Version::parse(version).unwrap();
        assert_eq!(
            rewrite(ecosystem, requirement, &version)
                .unwrap()
                .as_deref(),
            expected,
            "{ecosystem:?} {requirement:?} with {version}"
        );
    }

    #[test]
    fn exact_pins_always_follow() {
        check(Ecosystem::Cargo, "=1.0.0", "1.0.1", Some("=1.0.1"));
        check(Ecosystem::Cargo, "=1.0.0", "1.0.0", None);
        check(Ecosystem::Python, "==1.0.0", "1.0.1", Some("==1.0.1"));
        check(
            Ecosystem::Python,
            "==1.0.0",
            "1.1.0-rc.1",
            Some("==1.1.0rc1"),
        );
        check(Ecosystem::Python, "===1.0.0", "1.0.1", Some("===1.0.1"));
        check(Ecosystem::Npm, "1.0.0", "1.0.1", Some("1.0.1"));
        check(Ecosystem::Npm, "=1.0.0", "1.0.1", Some("=1.0.1"));
        check(
            Ecosystem::Npm,
            "workspace:1.0.0",
            "1.0.1",
            Some("workspace:1.0.1"),
        );
    }

    #[test]
    fn compatible_requirements_change_only_when_they_no_longer_admit_the_version() {
        check(Ecosystem::Cargo, "1.0", "1.4.0", None);
        check(Ecosystem::Cargo, "^1.0.0", "1.4.0", None);
        check(Ecosystem::Cargo, "1.0", "2.0.0", Some("2.0.0"));
        check(Ecosystem::Cargo, "0.3", "0.4.0", Some("0.4.0"));
        check(Ecosystem::Cargo, "~1.0.0", "1.1.0", Some("~1.1.0"));
        check(Ecosystem::Npm, "^1.0.0", "1.3.0", None);
        check(Ecosystem::Npm, "^1.0.0", "2.0.0", Some("^2.0.0"));
        check(Ecosystem::Npm, "workspace:*", "9.0.0", None);
        check(Ecosystem::Npm, "workspace:^", "9.0.0", None);
        check(Ecosystem::Npm, "workspace:~", "9.0.0", None);
        // pnpm checks a workspace range against the package in the workspace.
        check(Ecosystem::Npm, "workspace:^1.0.0", "1.3.0", None);
        check(
            Ecosystem::Npm,
            "workspace:^1.0.0",
            "2.0.0",
            Some("workspace:^2.0.0"),
        );
        check(Ecosystem::Npm, "*", "9.0.0", None);
        check(Ecosystem::Python, ">=1.0", "2.0.0", None);
        check(Ecosystem::Python, "~=1.0", "1.5.0", None);
        check(Ecosystem::Python, "~=1.0.0", "1.1.0", Some("~=1.1.0"));
    }

    #[test]
    fn a_compound_requirement_that_excludes_the_version_is_an_error_naming_it() {
        let error = rewrite(
            Ecosystem::Python,
            ">=1.0,<2",
            &Version::parse("2.0.0").unwrap(),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("\">=1.0,<2\" does not admit 2.0.0")
        );
        assert_eq!(
            rewrite(
                Ecosystem::Python,
                ">=1.0,<2",
                &Version::parse("1.5.0").unwrap()
            ),
            Ok(None)
        );
    }

    #[test]
    fn python_names_compare_normalised() {
        assert_eq!(
            Ecosystem::Python.normalise_name("My_Pkg.core"),
            "my-pkg-core"
        );
        assert_eq!(Ecosystem::Python.normalise_name("core"), "core");
        assert_eq!(Ecosystem::Cargo.normalise_name("my_crate"), "my_crate");
    }

    #[test]
    fn a_cycle_names_its_packages() {
        let graph = BTreeMap::from([
            ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
            ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
            ("c".to_owned(), BTreeSet::new()),
        ]);
        assert_eq!(
            dependency_order(&graph),
            Err(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            dependents_of(&graph, "a"),
            BTreeSet::from(["a".to_owned(), "b".to_owned()])
        );
    }
}
