//! The one rule for `latest` and the floating image tags: which release each may point at.
//!
//! `latest` (the image tag, and GitHub's "Latest release" badge) always names the highest stable
//! release. So a release moves it only when it is stable and above every stable release tagged
//! anywhere in the repository (a hotfix of an old line never takes it back), and a rollback of a
//! release points it at the highest stable release below the one withdrawn. The release plan,
//! `verify`, `rollback` and the image commands all ask here.
//!
//! A floating tag (`oci.floating-tags`, e.g. `{major}.{minor}` and `{major}`, as
//! docker/metadata-action spells them) is the same rule within its [`Series`]: `1.1` names the
//! highest stable 1.1.x, `1` the highest stable 1.x.y, `latest` the highest of everything. So a
//! 1.1.2 hotfix released after 1.2.0 moves `1.1`, and neither `1` nor `latest`.

use serde::{Deserialize, Serialize};
use versioning::Version;

/// The releases a moving tag follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Series {
    /// Every release (`latest`).
    Everything,
    /// The releases of one major version (`{major}`).
    Major {
        /// The major version.
        major: u64,
    },
    /// The releases of one minor version (`{major}.{minor}`).
    Minor {
        /// The major version.
        major: u64,
        /// The minor version.
        minor: u64,
    },
}

impl Series {
    /// Whether `version` belongs to the series.
    pub fn contains(&self, version: &Version) -> bool {
        match self {
            Series::Everything => true,
            Series::Major { major } => version.major() == *major,
            Series::Minor { major, minor } => {
                version.major() == *major && version.minor() == *minor
            }
        }
    }
}

impl std::fmt::Display for Series {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Series::Everything => f.write_str("every release"),
            Series::Major { major } => write!(f, "the {major}.x series"),
            Series::Minor { major, minor } => write!(f, "the {major}.{minor}.x series"),
        }
    }
}

/// A floating tag's template, e.g. `{major}.{minor}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloatingTag {
    template: String,
    minor: bool,
}

impl FloatingTag {
    /// Reads a template: `{major}` is required, `{minor}` optional, nothing else in braces, and the
    /// rest characters a tag may hold. The error says what is wrong.
    pub fn parse(template: &str) -> Result<FloatingTag, String> {
        if !template.contains("{major}") {
            return Err("has no {major}: a floating tag follows a series, e.g. \"{major}.{minor}\" or \"{major}\"".to_owned());
        }
        let rest = template.replace("{major}", "0").replace("{minor}", "0");
        if rest.contains(['{', '}']) {
            return Err("uses a placeholder other than {major} and {minor}".to_owned());
        }
        if rest.starts_with(['.', '-'])
            || !rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err("is not a valid image tag (letters, digits, `.`, `-`, `_`)".to_owned());
        }
        Ok(FloatingTag {
            template: template.to_owned(),
            minor: template.contains("{minor}"),
        })
    }

    /// The tag for `version`, e.g. `1.2`.
    pub fn render(&self, version: &Version) -> String {
        self.template
            .replace("{major}", &version.major().to_string())
            .replace("{minor}", &version.minor().to_string())
    }

    /// The series the tag follows for `version`.
    pub fn series(&self, version: &Version) -> Series {
        if self.minor {
            Series::Minor {
                major: version.major(),
                minor: version.minor(),
            }
        } else {
            Series::Major {
                major: version.major(),
            }
        }
    }
}

/// Whether releasing `version` moves a tag that follows `series` to it: it is stable and no
/// stable release of the series is above it.
pub fn moves_in(series: &Series, version: &Version, released: &[Version]) -> bool {
    !version.is_prerelease()
        && released
            .iter()
            .filter(|other| !other.is_prerelease() && series.contains(other))
            .all(|other| other <= version)
}

/// Where a tag that follows `series` should point when `withdrawn` is rolled back: the highest
/// stable release of the series below it.
pub fn highest_below<'v>(
    series: &Series,
    withdrawn: &Version,
    released: &'v [Version],
) -> Option<&'v Version> {
    released
        .iter()
        .filter(|other| !other.is_prerelease() && series.contains(other) && *other < withdrawn)
        .max()
}

/// Whether releasing `version` moves `latest` to it, given every version released so far.
pub fn moves_to(version: &Version, released: &[Version]) -> bool {
    moves_in(&Series::Everything, version, released)
}

/// Where `latest` should point when `withdrawn` is rolled back: the highest stable release below it.
pub fn after_withdrawing<'v>(withdrawn: &Version, released: &'v [Version]) -> Option<&'v Version> {
    highest_below(&Series::Everything, withdrawn, released)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(list: &[&str]) -> Vec<Version> {
        list.iter()
            .map(|text| Version::parse(text).unwrap())
            .collect()
    }

    #[test]
    fn only_the_highest_stable_release_takes_latest() {
        let released = versions(&["1.0.0", "1.1.0", "1.2.0-rc.1", "1.0.1"]);
        let moves = |text: &str| moves_to(&Version::parse(text).unwrap(), &released);
        assert!(moves("1.2.0"), "above every stable release");
        assert!(moves("1.1.0"), "verifying the release that holds it");
        assert!(!moves("1.0.2"), "a hotfix of an older line");
        assert!(!moves("1.3.0-rc.1"), "a pre-release never");
    }

    #[test]
    fn a_rollback_points_latest_at_the_highest_stable_release_below() {
        let released = versions(&["1.0.0", "1.1.0", "1.1.1", "1.2.0-rc.1", "1.2.0"]);
        let withdrawn = Version::parse("1.2.0").unwrap();
        assert_eq!(
            after_withdrawing(&withdrawn, &released).map(ToString::to_string),
            Some("1.1.1".to_owned())
        );
        assert_eq!(
            after_withdrawing(&Version::parse("1.0.0").unwrap(), &released),
            None
        );
    }

    /// Issue 14's sequence: which of `1.1`, `1` and `latest` each release moves, and where a
    /// rollback of 1.2.0 sends them.
    #[test]
    fn floating_tags_follow_the_highest_stable_release_of_their_series() {
        let minor = FloatingTag::parse("{major}.{minor}").unwrap();
        let major = FloatingTag::parse("{major}").unwrap();
        let mut released = Vec::new();
        let mut moved = Vec::new();
        for text in ["1.1.0", "1.1.1", "1.2.0-rc.1", "1.2.0", "1.1.2"] {
            let version = Version::parse(text).unwrap();
            released.push(version.clone());
            let mut tags = Vec::new();
            for floating in [&minor, &major] {
                if moves_in(&floating.series(&version), &version, &released) {
                    tags.push(floating.render(&version));
                }
            }
            if moves_to(&version, &released) {
                tags.push("latest".to_owned());
            }
            moved.push(format!("{text}: {}", tags.join(" ")));
        }
        assert_eq!(
            moved,
            [
                "1.1.0: 1.1 1 latest",
                "1.1.1: 1.1 1 latest",
                "1.2.0-rc.1: ",
                "1.2.0: 1.2 1 latest",
                "1.1.2: 1.1",
            ]
        );
        let withdrawn = Version::parse("1.2.0").unwrap();
        let back =
            |series: Series| highest_below(&series, &withdrawn, &released).map(ToString::to_string);
        assert_eq!(back(major.series(&withdrawn)), Some("1.1.2".to_owned()));
        assert_eq!(back(Series::Everything), Some("1.1.2".to_owned()));
        assert_eq!(
            back(minor.series(&withdrawn)),
            None,
            "no other stable 1.2.x"
        );
    }

    #[test]
    fn floating_tag_templates_are_checked() {
        assert_eq!(
            FloatingTag::parse("v{major}")
                .unwrap()
                .render(&Version::parse("2.3.4").unwrap()),
            "v2"
        );
        for bad in ["{minor}", "{major}.{patch}", "{major}/x", ".{major}"] {
            assert!(FloatingTag::parse(bad).is_err(), "{bad}");
        }
    }
}
