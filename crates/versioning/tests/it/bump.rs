//! Every bump rule of issue 2, one line each.

use versioning::{BumpError, BumpRequest, Level, Policy, Step, Version, ZeroMajor, bump};

/// `request` is written as the CLI takes it: `minor`, `minor+rc`, `+rc` (pre-release only),
/// `promote`, optionally followed by ` build=META`.
fn parse_request(request: &str) -> BumpRequest {
    let (step, build) = match request.split_once(" build=") {
        Some((step, build)) => (step, Some(build.to_owned())),
        None => (request, None),
    };
    let step = if step == "promote" {
        Step::Promote
    } else if let Some((level, identifier)) = step.split_once('+') {
        Step::Prerelease {
            level: (!level.is_empty()).then(|| level.parse().unwrap()),
            identifier: identifier.to_owned(),
        }
    } else {
        Step::Level(step.parse().unwrap())
    };
    BumpRequest { step, build }
}

fn next_with(policy: &Policy, current: &str, request: &str) -> Result<Version, BumpError> {
    bump(
        &Version::parse(current).unwrap(),
        &parse_request(request),
        policy,
    )
}

#[track_caller]
fn check(current: &str, request: &str, expected: &str) {
    check_with(&Policy::default(), current, request, expected);
}

#[track_caller]
fn check_with(policy: &Policy, current: &str, request: &str, expected: &str) {
    let next = next_with(policy, current, request)
        .unwrap_or_else(|error| panic!("{current} + {request}: {error}"));
    assert_eq!(next.to_string(), expected, "{current} + {request}");
}

#[track_caller]
fn check_error(current: &str, request: &str, expected: &str) {
    let error = next_with(&Policy::default(), current, request).unwrap_err();
    assert_eq!(error.to_string(), expected, "{current} + {request}");
}

#[test]
fn a_level_increments_its_component_and_resets_the_smaller_ones() {
    check("1.2.3", "patch", "1.2.4");
    check("1.2.3", "minor", "1.3.0");
    check("1.2.3", "major", "2.0.0");
    check("0.0.0", "patch", "0.0.1");
}

#[test]
fn a_level_with_a_prerelease_starts_a_train_at_one() {
    check("1.2.3", "minor+rc", "1.3.0-rc.1");
    check("1.2.3", "patch+alpha", "1.2.4-alpha.1");
    check("1.2.3", "major+beta", "2.0.0-beta.1");
}

#[test]
fn a_prerelease_of_a_stable_version_needs_a_level() {
    check_error(
        "1.2.3",
        "+rc",
        r#"1.2.3 is stable: say which level (patch, minor or major) the "rc" pre-release is for"#,
    );
}

#[test]
fn the_same_stage_counts_up_numerically() {
    check("1.3.0-rc.1", "+rc", "1.3.0-rc.2");
    check("1.3.0-rc.9", "+rc", "1.3.0-rc.10");
    check("1.3.0-rc.99", "+rc", "1.3.0-rc.100");
    check("1.3.0-rc.1", "patch+rc", "1.3.0-rc.2");
}

#[test]
fn a_stage_without_a_counter_gets_one() {
    check("1.3.0-rc", "+rc", "1.3.0-rc.1");
}

#[test]
fn a_later_stage_starts_again_at_one() {
    check("1.3.0-alpha.4", "+beta", "1.3.0-beta.1");
    check("1.3.0-alpha.4", "+rc", "1.3.0-rc.1");
    check("1.3.0-beta.2", "minor+rc", "1.3.0-rc.1");
}

#[test]
fn a_train_never_goes_backwards() {
    check_error(
        "1.3.0-rc.2",
        "+alpha",
        r#"1.3.0-rc.2 is already at "rc": a pre-release train does not go back to "alpha" (order: alpha, beta, rc)"#,
    );
    check_error(
        "1.3.0-beta.1",
        "minor+alpha",
        r#"1.3.0-beta.1 is already at "beta": a pre-release train does not go back to "alpha" (order: alpha, beta, rc)"#,
    );
}

#[test]
fn a_level_already_in_the_pending_release_continues_the_train() {
    check("1.3.0-rc.2", "minor+rc", "1.3.0-rc.3");
    check("1.3.0-rc.2", "patch+rc", "1.3.0-rc.3");
    check("2.0.0-rc.1", "major+rc", "2.0.0-rc.2");
    check("1.3.1-rc.1", "patch+rc", "1.3.1-rc.2");
}

#[test]
fn a_larger_level_bumps_the_pending_release() {
    check("1.3.0-rc.2", "major+rc", "2.0.0-rc.1");
    check("1.3.1-rc.1", "minor+rc", "1.4.0-rc.1");
    check("1.3.1-rc.1", "major+alpha", "2.0.0-alpha.1");
    // A new release starts a new train, whatever the stage the old one had reached.
    check("1.3.1-rc.1", "minor+alpha", "1.4.0-alpha.1");
}

#[test]
fn a_level_without_prerelease_releases_the_pending_version_when_it_contains_the_level() {
    check("1.3.0-rc.2", "minor", "1.3.0");
    check("1.3.0-rc.2", "patch", "1.3.0");
    check("1.3.0-rc.2", "major", "2.0.0");
    check("1.3.1-rc.1", "minor", "1.4.0");
    // The known bug this prevents: a release candidate for 1.0.0 "promoted" to 2.0.0.
    check("1.0.0-rc.1", "major", "1.0.0");
}

#[test]
fn promotion_releases_the_pending_version() {
    check("1.3.0-rc.2", "promote", "1.3.0");
    check("1.3.0-alpha.1+build.7", "promote", "1.3.0");
    check_error(
        "1.3.0",
        "promote",
        "1.3.0 is not a pre-release: there is nothing to promote",
    );
}

#[test]
fn build_metadata_is_set_and_never_carried_over() {
    check("1.2.3", "patch build=git.abc123", "1.2.4+git.abc123");
    check("1.2.3+old", "patch", "1.2.4");
    check("1.3.0-rc.1", "+rc build=ci.42", "1.3.0-rc.2+ci.42");
    check_error(
        "1.2.3",
        "patch build=a..b",
        r#""a..b" is not valid build metadata: use dot-separated [0-9A-Za-z-] identifiers"#,
    );
    check_error(
        "1.2.3",
        "patch build=",
        r#""" is not valid build metadata: use dot-separated [0-9A-Za-z-] identifiers"#,
    );
}

#[test]
fn unknown_stages_are_refused_with_the_configured_order() {
    check_error(
        "1.2.3",
        "minor+preview",
        r#"pre-release identifier "preview" is not in the configured order (alpha, beta, rc): add it to the order or use one of those"#,
    );
    check_error(
        "1.3.0-preview.2",
        "+rc",
        r#"1.3.0-preview.2 is at pre-release stage "preview", which is not in the configured order (alpha, beta, rc): continue it with --pre preview or promote it"#,
    );
    check("1.3.0-preview.2", "promote", "1.3.0");
    check("1.3.0-preview.2", "minor", "1.3.0");
}

#[test]
fn a_configured_order_forms_the_train() {
    let policy = Policy::new(["dev", "preview", "rc"], ZeroMajor::Cargo).unwrap();
    check_with(&policy, "1.0.0", "minor+dev", "1.1.0-dev.1");
    check_with(&policy, "1.1.0-dev.1", "+preview", "1.1.0-preview.1");
    check_with(&policy, "1.1.0-preview.1", "+rc", "1.1.0-rc.1");
    assert!(matches!(
        next_with(&policy, "1.1.0-rc.1", "+dev"),
        Err(BumpError::Backwards { .. })
    ));
    assert!(matches!(
        next_with(&policy, "1.1.0-rc.1", "+alpha"),
        Err(BumpError::UnknownIdentifier { .. })
    ));
}

#[test]
fn a_counter_that_cannot_grow_is_refused() {
    check_error(
        "1.3.0-rc.x",
        "+rc",
        "bumping 1.3.0-rc.x gives 1.3.0-rc.1, which is not greater: choose another bump",
    );
    check_error(
        "1.3.0-rc.18446744073709551615",
        "+rc",
        "bumping 1.3.0-rc.18446744073709551615 overflows a version number",
    );
    check_error(
        "1.18446744073709551615.0",
        "minor",
        "bumping 1.18446744073709551615.0 overflows a version number",
    );
}

#[test]
fn the_zero_major_policy_maps_levels_decided_from_commits() {
    #[track_caller]
    fn check_level(zero_major: ZeroMajor, current: &str, decided: Level, expected: &str) {
        let policy = Policy::default().with_zero_major(zero_major);
        let current = Version::parse(current).unwrap();
        let level = policy.apply_zero_major(&current, decided);
        let next = bump(&current, &BumpRequest::level(level), &policy).unwrap();
        assert_eq!(
            next.to_string(),
            expected,
            "{zero_major} {current} {decided}"
        );
    }
    use Level::{Major, Minor, Patch};
    use ZeroMajor::{AsStable, Cargo, MinorForBreaking};
    check_level(Cargo, "0.3.1", Major, "0.4.0");
    check_level(Cargo, "0.3.1", Minor, "0.3.2");
    check_level(Cargo, "0.3.1", Patch, "0.3.2");
    check_level(Cargo, "0.0.3", Major, "0.1.0");
    check_level(MinorForBreaking, "0.3.1", Major, "0.4.0");
    check_level(MinorForBreaking, "0.3.1", Minor, "0.4.0");
    check_level(MinorForBreaking, "0.3.1", Patch, "0.3.2");
    check_level(AsStable, "0.3.1", Major, "1.0.0");
    check_level(AsStable, "0.3.1", Minor, "0.4.0");
    // The policy is about 0.x only.
    check_level(Cargo, "1.3.1", Major, "2.0.0");
    check_level(Cargo, "1.3.1", Minor, "1.4.0");
}

#[test]
fn an_explicit_major_bump_leaves_zero_major() {
    check("0.3.1", "major", "1.0.0");
    check("0.3.1", "major+rc", "1.0.0-rc.1");
}
