//! The one rule for `latest`: which release it may point at.
//!
//! `latest` (the image tag, and GitHub's "Latest release" badge) always names the highest stable
//! release. So a release moves it only when it is stable and above every stable release tagged
//! anywhere in the repository (a hotfix of an old line never takes it back), and a rollback of a
//! release points it at the highest stable release below the one withdrawn. The release plan,
//! `verify`, `rollback` and the image commands all ask here.

use versioning::Version;

/// Whether releasing `version` moves `latest` to it, given every version released so far.
pub fn moves_to(version: &Version, released: &[Version]) -> bool {
    !version.is_prerelease()
        && released
            .iter()
            .filter(|other| !other.is_prerelease())
            .all(|other| other <= version)
}

/// Where `latest` should point when `withdrawn` is rolled back: the highest stable release below it.
pub fn after_withdrawing<'v>(withdrawn: &Version, released: &'v [Version]) -> Option<&'v Version> {
    released
        .iter()
        .filter(|other| !other.is_prerelease() && *other < withdrawn)
        .max()
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
}
