//! Fuzzing every parser of the crate with proptest on the stable toolchain (issue 17): no panic
//! on arbitrary input, and the round trips that exist.
//!
//! `SLIPWAY_FUZZ_CASES` sets the number of cases per target (default 256, what `cargo test`
//! runs); `cargo xtask chaos fuzz --cases N` runs every target with a large count.

use proptest::prelude::*;
use proptest::test_runner::Config;
use versioning::files::{self, FileKind, Scheme, TextPattern};
use versioning::pep440::Pep440Version;
use versioning::{TagPattern, TagSchemes, Version, from_pep440, to_pep440};

/// The proptest configuration of every fuzz target: the case count from `SLIPWAY_FUZZ_CASES`.
fn fuzz_config() -> Config {
    let cases = std::env::var("SLIPWAY_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        // A found panic is printed with its minimal input; no file is written into the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Text that is anything: random Unicode, or pieces of the grammars below glued together.
fn text(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,40}",
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(pieces).prop_map(str::to_owned),
                "[0-9]{1,3}",
                "[\\x00-\\x7f]{0,3}",
            ],
            0..12
        )
        .prop_map(|parts| parts.concat()),
    ]
}

const VERSION_PIECES: &[&str] = &[
    ".",
    "-",
    "+",
    "v",
    "0",
    "00",
    "1",
    "rc",
    "alpha",
    "beta",
    "dev",
    "post",
    "a",
    "b",
    "c",
    "!",
    "_",
    "18446744073709551615",
    "18446744073709551616",
    "ü",
    " ",
    "\n",
];

const PATTERN_PIECES: &[&str] = &[
    "{version}",
    "{package}",
    "{",
    "}",
    "v",
    "-",
    "/",
    "@",
    ".",
    "..",
    ".lock",
    "@{",
    " ",
    "~",
    "é",
    "{name}",
];

fn version() -> impl Strategy<Value = Version> {
    (
        prop_oneof![0..20u64, any::<u64>()],
        prop_oneof![0..20u64, any::<u64>()],
        prop_oneof![0..20u64, any::<u64>()],
        prop::collection::vec(
            prop_oneof![
                (0..30u64).prop_map(|n| n.to_string()),
                "[a-zA-Z-][0-9a-zA-Z-]{0,5}"
            ],
            0..3,
        ),
        prop::collection::vec("[0-9a-zA-Z-]{1,4}", 0..2),
    )
        .prop_map(|(major, minor, patch, pre, build)| {
            Version::new(major, minor, patch)
                .with_prerelease(&pre.join("."))
                .unwrap()
                .with_build(&build.join("."))
                .unwrap()
        })
}

/// Versions the PEP 440 mapping covers (the stages it maps, with a number).
fn mappable() -> impl Strategy<Value = Version> {
    (
        0..1000u64,
        0..1000u64,
        0..1000u64,
        prop::option::of((
            prop::sample::select(vec!["alpha", "beta", "rc", "dev", "post"]),
            0..100u64,
        )),
    )
        .prop_map(|(major, minor, patch, pre)| {
            let version = Version::new(major, minor, patch);
            match pre {
                Some((stage, number)) => version
                    .with_prerelease(&format!("{stage}.{number}"))
                    .unwrap(),
                None => version,
            }
        })
}

proptest! {
    #![proptest_config(fuzz_config())]

    /// SemVer: parsing anything never panics; what parses renders back to the same text.
    #[test]
    fn fuzz_semver(input in text(VERSION_PIECES)) {
        if let Ok(version) = Version::parse(&input) {
            let rendered = version.to_string();
            let again = Version::parse(&rendered).unwrap();
            prop_assert!(again.is_identical(&version));
            prop_assert_eq!(again.to_string(), rendered);
            let _ = version.prerelease_identifiers();
            let _ = (version.to_stable(), version.is_prerelease());
        }
        let _ = input.parse::<versioning::Level>();
    }

    /// PEP 440: parsing anything never panics; the normal form is a fixed point; the mapping
    /// to SemVer and back never panics and, where it is defined, round-trips.
    #[test]
    fn fuzz_pep440(input in text(VERSION_PIECES)) {
        if let Ok(version) = Pep440Version::parse(&input) {
            let normal = version.to_string();
            let again = Pep440Version::parse(&normal).unwrap();
            prop_assert_eq!(&again, &version);
            prop_assert_eq!(again.to_string(), normal);
            if let Ok(semver) = from_pep440(&version) {
                let back = to_pep440(&semver).unwrap();
                prop_assert_eq!(back, version, "via {}", semver);
            }
        }
    }

    /// SemVer to PEP 440 and back, over the versions the mapping covers.
    #[test]
    fn fuzz_pep440_mapping(version in prop_oneof![mappable(), version()]) {
        if let Ok(mapped) = to_pep440(&version) {
            let reparsed = Pep440Version::parse(&mapped.to_string()).unwrap();
            prop_assert_eq!(&reparsed, &mapped);
            let back = from_pep440(&reparsed).unwrap();
            prop_assert!(back.is_identical(&version), "{} -> {} -> {}", version, mapped, back);
        }
    }

    /// Tag patterns: any pattern text never panics; a valid pattern formats tags git accepts,
    /// and parses them back to the version.
    #[test]
    fn fuzz_tag_pattern(
        pattern in text(PATTERN_PIECES),
        package in "[a-z][a-z0-9_-]{0,8}",
        tag in text(VERSION_PIECES),
        version in version(),
    ) {
        let _ = versioning::check_tag_name(&tag);
        let _ = versioning::check_branch_name(&tag);
        let _ = versioning::TagScheme::classify(&tag);
        let _ = TagSchemes::detect([tag.as_str(), pattern.as_str()]);
        if let Ok(parsed) = TagPattern::new(&pattern) {
            let _ = parsed.parse_tag(&tag);
            let filled = parsed.with_package(&package);
            if filled.check_tags().is_ok() {
                let formatted = filled.format(&version);
                let back = filled.parse_tag(&formatted);
                prop_assert!(
                    back.as_ref().is_some_and(|back| back.is_identical(&version)),
                    "{:?} formatted {} as {:?}, parsed back as {:?}", filled.as_str(), version, formatted, back
                );
            }
        }
    }
}

/// A file of `kind` around `version`: the usual shape of such a file with arbitrary text around it.
fn file_of(kind: &str, version: &str, noise: &str) -> String {
    match kind {
        "pyproject" => format!("# {noise}\n[project]\nname = \"demo\"\nversion = \"{version}\"\n"),
        "cargo" => format!("[package]\nname = \"demo\"\nversion = \"{version}\"\n# {noise}\n"),
        "python" => format!("\"\"\"{noise}\"\"\"\n__version__ = \"{version}\"\n"),
        "setup.py" => format!(
            "from setuptools import setup\n# {noise}\nsetup(name=\"demo\", version=\"{version}\")\n"
        ),
        "setup.cfg" => format!("[metadata]\nname = demo\nversion = {version}\n# {noise}\n"),
        "package.json" => format!(
            "{{\"name\": \"demo\", \"version\": \"{version}\", \"description\": \"{noise}\"}}\n"
        ),
        "dockerfile" => format!(
            "FROM scratch\n# {noise}\nLABEL org.opencontainers.image.version=\"{version}\"\n"
        ),
        "helm" => format!(
            "apiVersion: v2\nname: demo\ndescription: \"{}\"\nversion: {version}\nappVersion: \"{version}\"\n",
            noise.replace(['"', '\\', '\n'], " ")
        ),
        "version-file" => format!("{version}\n"),
        _ => format!("{}\nversion {version}\n", noise.replace("version", "v")),
    }
}

fn kind(name: &str) -> FileKind {
    match name {
        "pyproject" => FileKind::Pyproject,
        "cargo" => FileKind::cargo(["demo", "other"]),
        "python" => FileKind::PythonSource,
        "setup.py" => FileKind::SetupPy,
        "setup.cfg" => FileKind::SetupCfg,
        "package.json" => FileKind::PackageJson,
        "dockerfile" => FileKind::Dockerfile,
        "helm" => FileKind::HelmChart,
        "version-file" => FileKind::VersionFile,
        _ => FileKind::Text(TextPattern::template("version {version}").unwrap()),
    }
}

const KINDS: &[&str] = &[
    "pyproject",
    "cargo",
    "python",
    "setup.py",
    "setup.cfg",
    "package.json",
    "dockerfile",
    "helm",
    "version-file",
    "text",
];

const FILE_PIECES: &[&str] = &[
    "[project]",
    "[package]",
    "[workspace.package]",
    "version",
    " = ",
    "\"",
    "'",
    "\n",
    "{",
    "}",
    ":",
    ",",
    "1.2.3",
    "__version__",
    "setup(",
    ")",
    "LABEL ",
    "ARG VERSION=",
    "[metadata]",
    "dynamic = [\"version\"]",
    "version.workspace = true",
    "#",
    "\\",
    "[dependencies]",
    "demo = { path = \"x\", version = \"1\" }",
    "\"\"\"",
    "\r\n",
    "\t",
];

proptest! {
    #![proptest_config(fuzz_config())]

    /// Every version-file editor: arbitrary text never panics (reading, writing, checking); on
    /// a file that holds a version, writing a version and reading it back gives that version.
    #[test]
    fn fuzz_version_files(
        name in prop::sample::select(KINDS),
        arbitrary in text(FILE_PIECES),
        noise in "[a-zA-Z0-9 ,.;:!?()=#é-]{0,20}",
        version in mappable(),
        written in mappable(),
    ) {
        let kind = kind(name);
        // Arbitrary text: anything but a panic.
        let _ = files::read_versions(&kind, &arbitrary);
        let _ = files::read_version(&kind, &arbitrary);
        let _ = files::set_version(&kind, &arbitrary, &written);
        let _ = files::check("f", &kind, &arbitrary, &written);
        let _ = files::check_tag("f", &kind, &arbitrary, &written);
        let _ = files::cargo_lock_set_versions(&arbitrary, &["demo".to_owned()], &version, &written);
        let _ = TextPattern::template(&arbitrary);
        let _ = TextPattern::regex(&arbitrary);
        let _ = files::detect(&arbitrary);
        // A real file: the round trip.
        let scheme = kind.scheme();
        let (Ok(old), Ok(new)) = (scheme.render(&version), scheme.render(&written)) else {
            return Ok(());
        };
        let file = file_of(name, &old, &noise);
        let found = files::read_version(&kind, &file);
        prop_assert!(found.as_ref().is_ok_and(|found| found.version == old), "{}: {:?} in {:?}", name, found, file);
        let edit = files::set_version(&kind, &file, &written).unwrap();
        let read = files::read_version(&kind, &edit.text).unwrap();
        prop_assert_eq!(&read.version, &new, "{}: {:?}", name, edit.text);
        let again = files::set_version(&kind, &edit.text, &written).unwrap();
        prop_assert_eq!(again.text, edit.text);
        let reread = match scheme {
            Scheme::SemVer => Version::parse(&read.version).unwrap(),
            Scheme::Pep440 => from_pep440(&Pep440Version::parse(&read.version).unwrap()).unwrap(),
        };
        prop_assert!(reread.is_identical(&written), "{} read back as {}", written, reread);
    }
}
