//! The next-version decision over a repository's releases (issue 11), one rule per test, and its
//! properties over random histories.
//!
//! Histories are written as strings: `+1.2.0` is a release reachable from `HEAD`, `-1.2.1` one on
//! another branch.

use proptest::prelude::*;
use versioning::decide::{
    DecisionInput, ExistingRelease, Reason, Request, Target, hotfix_target, previous_release,
};
use versioning::{DecisionError, Level, Policy, Version, decide};

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn releases(history: &[&str]) -> Vec<ExistingRelease> {
    history
        .iter()
        .map(|text| ExistingRelease {
            version: v(&text[1..]),
            reachable: match &text[..1] {
                "+" => true,
                "-" => false,
                _ => panic!("{text}: start with + (reachable) or - (not)"),
            },
        })
        .collect()
}

fn run(history: &[&str], level: Option<Level>, request: Request) -> Result<String, String> {
    let input = DecisionInput {
        releases: releases(history),
        level,
        request,
        ..DecisionInput::default()
    };
    match decide(&input, &Policy::default()) {
        Ok(Some(decision)) => Ok(decision.version.to_string()),
        Ok(None) => Ok("nothing".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

/// The decision for `history`, the commits' `level` and `request` is `expected`.
fn check(history: &[&str], level: Option<Level>, request: Request, expected: &str) {
    let case = format!("{history:?} {level:?} {request:?}");
    assert_eq!(
        run(history, level, request),
        Ok(expected.to_owned()),
        "{case}"
    );
}

fn pre(identifier: &str) -> Request {
    Request::auto().with_prerelease(identifier)
}

const PATCH: Option<Level> = Some(Level::Patch);
const MINOR: Option<Level> = Some(Level::Minor);
const MAJOR: Option<Level> = Some(Level::Major);

#[test]
fn a_plain_history_bumps_the_latest_reachable_release() {
    check(&["+1.2.3"], PATCH, Request::auto(), "1.2.4");
    check(&["+1.2.3"], MINOR, Request::auto(), "1.3.0");
    check(&["+1.2.3"], MAJOR, Request::auto(), "2.0.0");
    check(&["+1.2.3"], None, Request::auto(), "nothing");
    check(&["+1.2.3"], None, pre("rc"), "nothing");
    check(&["+1.2.3"], None, Request::level(Level::Minor), "1.3.0");
    // The 0.x policy applies to the commits' level, not to an explicit one.
    check(&["+0.3.1"], MAJOR, Request::auto(), "0.4.0");
    check(&["+0.3.1"], None, Request::level(Level::Major), "1.0.0");
}

#[test]
fn after_a_hotfix_line_took_the_next_patch_main_takes_the_one_after() {
    // Issue 11: v1.1.1 on hotfix/1.1.1, the fix cherry-picked to main.
    check(&["+1.1.0", "-1.1.1"], PATCH, Request::auto(), "1.1.2");
    check(
        &["+1.1.0", "-1.1.1", "-1.1.2"],
        PATCH,
        Request::auto(),
        "1.1.3",
    );
    // A minor is unaffected.
    check(&["+1.1.0", "-1.1.1"], MINOR, Request::auto(), "1.2.0");
}

#[test]
fn a_taken_minor_or_major_moves_to_the_next_free_line() {
    check(
        &["+1.1.0", "-1.2.0", "-1.2.1"],
        MINOR,
        Request::auto(),
        "1.3.0",
    );
    check(
        &["+1.1.0", "-1.2.0", "-1.3.0-rc.1"],
        MINOR,
        Request::auto(),
        "1.3.0",
    );
    check(
        &["+1.1.0", "-2.0.0", "-3.0.0"],
        MAJOR,
        Request::auto(),
        "4.0.0",
    );
}

#[test]
fn skipped_candidates_are_reported() {
    let input = DecisionInput {
        releases: releases(&["+1.1.0", "-1.1.1", "-1.1.2"]),
        level: PATCH,
        ..DecisionInput::default()
    };
    let decision = decide(&input, &Policy::default()).unwrap().unwrap();
    assert_eq!(decision.version, v("1.1.3"));
    assert_eq!(decision.base, Some(v("1.1.0")));
    assert_eq!(decision.reason, Reason::Level(Level::Patch));
    assert_eq!(decision.skipped, [v("1.1.1")]);
}

#[test]
fn a_train_continues_with_its_own_identifier_and_is_promoted_without_it() {
    // `next` is in no configured order: the train's own identifier needs none.
    let main = ["-2.4.1", "+3.0.0-next.8", "+3.0.0-next.9"];
    check(&main, MINOR, pre("next"), "3.0.0-next.10");
    check(&main, None, pre("next"), "3.0.0-next.10");
    check(&main, MINOR, Request::auto(), "3.0.0");
    check(&main, None, Request::auto(), "3.0.0");
    // A configured stage continues as `bump` says.
    check(&["+1.3.0-rc.2"], PATCH, pre("rc"), "1.3.0-rc.3");
    check(&["+1.3.0-rc.2"], MAJOR, pre("rc"), "2.0.0-rc.1");
    // Another unknown identifier is still an error.
    assert_eq!(
        run(&["+1.3.0-next.2"], PATCH, pre("preview")),
        Err("cannot compute the next version".to_owned())
    );
}

#[test]
fn a_train_whose_release_exists_elsewhere_moves_on() {
    // 3.0.0 was released from the 3.x branch after main's 3.0.0-next.9.
    check(
        &["-2.4.1", "+3.0.0-next.9", "-3.0.0"],
        MINOR,
        pre("next"),
        "4.0.0-next.1",
    );
    // Pre-releases of the same release on another branch: the number goes past them.
    check(
        &["+1.3.0-rc.1", "-1.3.0-rc.2"],
        PATCH,
        pre("rc"),
        "1.3.0-rc.3",
    );
    // A later stage exists elsewhere: this train cannot go below it, the release moves.
    check(
        &["+1.3.0-beta.1", "-1.3.0-rc.1"],
        PATCH,
        pre("beta"),
        "1.4.0-beta.1",
    );
    // Promotion of a release that exists: the next free one at its level.
    check(&["+1.3.1-rc.1", "-1.3.1"], None, Request::auto(), "1.3.2");
}

#[test]
fn date_numbered_trains_take_the_date_or_count_under_it() {
    let nightly = |history: &[&str], level, date| {
        let input = DecisionInput {
            releases: releases(history),
            level,
            request: pre("nightly"),
            date,
            ..DecisionInput::default()
        };
        decide(&input, &Policy::default())
            .unwrap()
            .unwrap()
            .version
            .to_string()
    };
    let history = ["+1.3.0-nightly.20261129"];
    assert_eq!(
        nightly(&history, PATCH, Some(20_261_130)),
        "1.3.0-nightly.20261130"
    );
    assert_eq!(
        nightly(&history, PATCH, Some(20_261_129)),
        "1.3.0-nightly.20261129.1"
    );
    assert_eq!(nightly(&history, PATCH, None), "1.3.0-nightly.20261129.1");
    assert_eq!(
        nightly(&["+1.3.0-nightly.20261129.1"], None, Some(20_261_129)),
        "1.3.0-nightly.20261129.2"
    );
    // Breaking changes start a new train, at the date.
    assert_eq!(
        nightly(&history, MAJOR, Some(20_261_130)),
        "2.0.0-nightly.20261130"
    );
}

#[test]
fn a_first_release_takes_the_version_files_version() {
    let first = |history: &[&str], initial: Option<&str>, request: Request| {
        let input = DecisionInput {
            releases: releases(history),
            request,
            initial: initial.map(v),
            ..DecisionInput::default()
        };
        let decision = decide(&input, &Policy::default()).unwrap().unwrap();
        assert_eq!(decision.base, None);
        decision.version.to_string()
    };
    assert_eq!(first(&[], Some("1.0.0"), Request::auto()), "1.0.0");
    assert_eq!(first(&[], None, Request::auto()), "0.1.0");
    assert_eq!(first(&[], Some("1.0.0"), pre("rc")), "1.0.0-rc.1");
    assert_eq!(first(&[], Some("1.0.0-rc.1"), pre("rc")), "1.0.0-rc.2");
    assert_eq!(
        first(&[], Some("1.0.0"), Request::level(Level::Minor)),
        "1.1.0"
    );
    // Releases on branches HEAD does not contain still own their versions.
    assert_eq!(first(&["-1.0.0"], Some("1.0.0"), Request::auto()), "1.0.1");
    assert_eq!(
        first(&["-1.0.0-rc.1"], Some("1.0.0"), pre("rc")),
        "1.0.0-rc.2"
    );
}

#[test]
fn an_explicit_version_that_exists_says_where_and_what_is_free() {
    let error = |history: &[&str], version: &str| {
        run(history, None, Request::version(v(version))).unwrap_err()
    };
    assert_eq!(
        error(&["+1.1.0", "-1.1.1"], "1.1.1"),
        "1.1.1 is already released, on a branch not reachable from HEAD, in line 1.1: the next free version of that line is 1.1.2"
    );
    assert_eq!(
        error(&["+1.1.0", "+1.2.0"], "1.1.0"),
        "1.1.0 is already released, reachable from HEAD, in line 1.1: the next free version of that line is 1.1.1"
    );
    assert_eq!(
        error(&["+1.1.0", "-1.1.3"], "1.1.2"),
        "1.1.2 is below 1.1.3, the latest release of line 1.1: the next free version of that line is 1.1.4"
    );
    assert_eq!(
        error(&["+1.2.0"], "1.1.5"),
        "1.1.5 is not above 1.2.0, the latest release reachable from HEAD: ask for a higher version"
    );
    let typed = decide(
        &DecisionInput {
            releases: releases(&["+1.1.0", "-1.1.1"]),
            request: Request::version(v("1.1.1")),
            ..DecisionInput::default()
        },
        &Policy::default(),
    )
    .unwrap_err();
    assert!(matches!(
        typed,
        DecisionError::Exists {
            reachable: false,
            ..
        }
    ));
    // Never advice to delete a tag.
    assert!(!typed.to_string().contains("delete"));
    check(
        &["+1.1.0", "-1.1.1"],
        None,
        Request::version(v("1.2.0")),
        "1.2.0",
    );
}

#[test]
fn the_previous_release_of_the_line_is_where_the_commits_are_counted_from() {
    let previous = |history: &[&str]| previous_release(&releases(history)).map(|v| v.to_string());
    // A stable release reachable from HEAD.
    assert_eq!(
        previous(&["+1.0.0", "+1.1.0", "-1.1.1"]).as_deref(),
        Some("1.1.0")
    );
    // Issue 11's maintenance-branch shape: stable releases on N.x, pre-releases on main. Not the
    // 1.0.0 main can reach years back, but the highest stable below the train's release.
    assert_eq!(
        previous(&["+1.0.0", "-2.0.0", "-2.4.1", "-3.1.0", "+3.0.0-next.9"]).as_deref(),
        Some("2.4.1")
    );
    // An rc train on main: its own previous stable.
    assert_eq!(
        previous(&["+1.2.0", "+1.3.0-rc.2"]).as_deref(),
        Some("1.2.0")
    );
    // Nothing reachable: the highest stable release anywhere; nothing stable: every commit.
    assert_eq!(previous(&["-1.0.0", "-2.1.0"]).as_deref(), Some("2.1.0"));
    assert_eq!(previous(&["+1.0.0-rc.1"]), None);
    assert_eq!(previous(&[]), None);
}

#[test]
fn a_hotfix_takes_the_next_free_patch_from_the_lines_latest_release() {
    let hotfix = |history: &[&str], from: &str| {
        let target = hotfix_target(&releases(history), &v(from)).unwrap();
        (target.version.to_string(), target.base.to_string())
    };
    assert_eq!(
        hotfix(&["+1.2.0", "+1.3.0"], "1.2.0"),
        ("1.2.1".into(), "1.2.0".into())
    );
    // Issue 11: `hotfix start v1.2.0` when v1.2.1 exists.
    assert_eq!(
        hotfix(&["+1.2.0", "-1.2.1", "+1.3.0"], "1.2.0"),
        ("1.2.2".into(), "1.2.1".into())
    );
    assert_eq!(
        hotfix(&["+1.2.0", "-1.2.1", "-1.2.2-rc.1"], "1.2.0"),
        ("1.2.3".into(), "1.2.1".into())
    );
    assert_eq!(
        hotfix_target(&releases(&["+1.3.0"]), &v("1.2.0"))
            .unwrap_err()
            .to_string(),
        "line 1.2 has no stable release to start a hotfix from: name a released version"
    );
}

// Properties over random histories.

fn small_version() -> impl Strategy<Value = Version> {
    (
        0..3u64,
        0..4u64,
        0..4u64,
        prop::option::of((prop::sample::select(vec!["alpha", "rc", "next"]), 1..4u64)),
    )
        .prop_map(|(major, minor, patch, pre)| {
            let version = Version::new(major, minor, patch);
            match pre {
                Some((identifier, number)) => version
                    .with_prerelease(&format!("{identifier}.{number}"))
                    .unwrap(),
                None => version,
            }
        })
}

fn history() -> impl Strategy<Value = Vec<ExistingRelease>> {
    prop::collection::vec(
        (small_version(), any::<bool>())
            .prop_map(|(version, reachable)| ExistingRelease { version, reachable }),
        0..12,
    )
}

fn request() -> impl Strategy<Value = Request> {
    let target = prop_oneof![
        Just(Target::Auto),
        prop::sample::select(vec![Level::Patch, Level::Minor, Level::Major])
            .prop_map(Target::Level),
        small_version().prop_map(Target::Version),
    ];
    let prerelease = prop::option::of(prop::sample::select(vec![
        "alpha".to_owned(),
        "rc".to_owned(),
        "next".to_owned(),
    ]));
    (target, prerelease).prop_map(|(target, prerelease)| Request { target, prerelease })
}

fn level() -> impl Strategy<Value = Option<Level>> {
    prop::option::of(prop::sample::select(vec![
        Level::Patch,
        Level::Minor,
        Level::Major,
    ]))
}

proptest! {
    #[test]
    fn never_an_existing_version_never_below_its_line(
        releases in history(),
        level in level(),
        request in request(),
        initial in prop::option::of(small_version()),
    ) {
        let input = DecisionInput { releases: releases.clone(), level, request, initial, date: None };
        if let Ok(Some(decision)) = decide(&input, &Policy::default()) {
            let next = &decision.version;
            prop_assert!(
                releases.iter().all(|release| release.version != *next),
                "{next} exists in {releases:?}"
            );
            for release in &releases {
                if release.version.major() == next.major() && release.version.minor() == next.minor() {
                    prop_assert!(release.version < *next, "{next} is not above {} of its line", release.version);
                }
            }
            if let Some(base) = input.latest_reachable() {
                prop_assert!(next > base, "{next} is not above the latest reachable {base}");
            }
        }
    }

    #[test]
    fn a_hotfix_never_takes_an_existing_version(releases in history(), from in small_version()) {
        if let Ok(target) = hotfix_target(&releases, &from) {
            prop_assert!(releases.iter().all(|release| release.version != target.version));
            prop_assert!(target.version.major() == from.major() && target.version.minor() == from.minor());
            prop_assert!(!target.version.is_prerelease());
        }
    }
}
