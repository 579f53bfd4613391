//! Fuzzing the configuration parser with proptest on the stable toolchain (issue 17): any
//! `slipway.toml` text is parsed or refused with a line, never a panic, and branch templates
//! round-trip.
//!
//! `SLIPWAY_FUZZ_CASES` sets the number of cases per target (default 256, what `cargo test`
//! runs); `cargo xtask chaos fuzz --cases N` runs every target with a large count.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config;
use slipway::config::{self, BranchTemplate, ConfigError};
use versioning::Version;

fn fuzz_config() -> Config {
    let cases = std::env::var("SLIPWAY_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

const CONFIG_PIECES: &[&str] = &[
    "name = \"demo\"\n",
    "tag-pattern = \"v{version}\"\n",
    "tag-pattern = ",
    "\"",
    "'",
    "\n",
    "[git]\n",
    "flow = \"git-flow\"\n",
    "release-branch = \"release/{version}\"\n",
    "[[version-files]]\n",
    "path = \"VERSION\"\n",
    "pattern = \"{version}\"\n",
    "[changelog]\n",
    "[pypi]\n",
    "[oci]\n",
    "[[oci]]\n",
    "[github]\n",
    "assets = [\"dist/*\"]\n",
    "zero-major = ",
    "prerelease-order = [\"alpha\", \"rc\"]\n",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "é",
    "\u{0}",
    "\r\n",
    "\t",
    "1",
    "true",
    "unknown-key = 1\n",
    "\"\"\"",
    "\\u{1F600}",
    "\\",
];

proptest! {
    #![proptest_config(fuzz_config())]

    /// Any text: a configuration or an error naming a line of the file, never a panic.
    #[test]
    fn fuzz_config_parser(
        text in prop_oneof![
            any::<String>(),
            prop::collection::vec(
                prop_oneof![prop::sample::select(CONFIG_PIECES).prop_map(str::to_owned), "\\PC{0,4}"],
                0..24,
            )
            .prop_map(|parts| parts.concat()),
        ],
    ) {
        match config::parse(Path::new("slipway.toml"), &text) {
            Ok(parsed) => {
                if let Some(pattern) = &parsed.tag_pattern {
                    let _ = versioning::TagPattern::new(pattern);
                }
            }
            Err(ConfigError::Invalid { line, .. }) => {
                prop_assert!(line >= 1 && line <= text.matches('\n').count() + 1, "line {} of {:?}", line, text);
            }
            Err(other) => prop_assert!(false, "{}", other),
        }
    }

    /// Branch templates: any text never panics; a valid one formats branches git accepts and
    /// parses them back to the version.
    #[test]
    fn fuzz_branch_template(
        template in "[a-z/._{}~ -]{0,8}(\\{version\\})?[a-z/._{}~ -]{0,8}",
        major in 0..100u64, minor in 0..100u64, patch in 0..100u64,
        rc in prop::option::of(0..10u64),
    ) {
        if let Ok(parsed) = BranchTemplate::new(&template) {
            let version = Version::new(major, minor, patch);
            let version = match rc {
                Some(n) => version.with_prerelease(&format!("rc.{n}")).unwrap(),
                None => version,
            };
            let branch = parsed.format(&version);
            prop_assert!(versioning::check_branch_name(&branch).is_ok(), "{:?}", branch);
            prop_assert_eq!(parsed.parse(&branch), Some(version));
        }
    }
}
