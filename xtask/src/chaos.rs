//! `cargo xtask chaos <mode>`: harnesses that try to break slipway, each printing its figures.
//!
//! - `fuzz [--cases N] [TARGET…]`: every proptest fuzz target (the `fuzz::` tests of the crates'
//!   integration test binaries), one at a time with `SLIPWAY_FUZZ_CASES=N` (default 1,000,000),
//!   then a table of cases, time and result per target. `cargo xtask test` runs the same targets
//!   with the default small count. Run it under `nice -n 19` on a shared machine.
//! - `kill [--runs N]`: a full release (PyPI, OCI, the GitHub fake, a bare remote) killed (`SIGKILL`) at a
//!   random moment, then resumed (each resume killed at random half of the time) until done, N
//!   times (default 50); every end state compared with an uninterrupted run's.
//! - `race [--runs N]`: two clones releasing the same version at once, and two releases in one
//!   clone, N times each (default 50).
//! - `faults [--runs N] [--rate PERCENT]`: releases through a proxy in front of distribution and
//!   pypiserver that breaks a share of the requests (default 30 %).
//!
//! The harnesses are the ignored `chaos_*` tests of `slipway-tests`, so that they use the same
//! servers and fixture as the end-to-end tests; each prints its table and fails when a target of
//! issue 17 is missed.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};

const USAGE: &str = "usage: cargo xtask chaos fuzz [--cases N] [TARGET…] | kill [--runs N] | race [--runs N] | faults [--runs N] [--rate PERCENT]";

/// Every fuzz target: (package, test name in its `it` binary, what it fuzzes).
const TARGETS: &[(&str, &str, &str)] = &[
    ("slipway-versioning", "fuzz_semver", "SemVer parsing"),
    (
        "slipway-versioning",
        "fuzz_pep440",
        "PEP 440 parsing and mapping back",
    ),
    (
        "slipway-versioning",
        "fuzz_pep440_mapping",
        "SemVer → PEP 440 → SemVer",
    ),
    (
        "slipway-versioning",
        "fuzz_tag_pattern",
        "tag patterns, ref names, schemes",
    ),
    (
        "slipway-versioning",
        "fuzz_version_files",
        "every version-file editor",
    ),
    (
        "slipway-changelog",
        "fuzz_conventional_commit",
        "conventional commits, lint",
    ),
    (
        "slipway-changelog",
        "fuzz_strip_control",
        "commit text hygiene",
    ),
    (
        "slipway-changelog",
        "fuzz_changelog_merge",
        "CHANGELOG.md merging",
    ),
    ("slipway", "fuzz_config_parser", "slipway.toml"),
    ("slipway", "fuzz_branch_template", "branch templates"),
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    match args.split_first() {
        Some((mode, rest)) if mode == "fuzz" => fuzz(rest),
        Some((mode, rest)) if ["kill", "race", "faults"].contains(&mode.as_str()) => {
            harness(mode, rest)
        }
        _ => bail!("{USAGE}"),
    }
}

/// Runs the ignored test `chaos_<mode>` of `slipway-tests` with its output shown.
fn harness(mode: &str, args: &[String]) -> anyhow::Result<()> {
    let mut env = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let variable = match arg.as_str() {
            "--runs" => "SLIPWAY_CHAOS_RUNS",
            "--rate" if mode == "faults" => "SLIPWAY_CHAOS_FAULT_RATE",
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        };
        let value = args
            .next()
            .filter(|value| value.parse::<u64>().is_ok())
            .with_context(|| format!("{arg} needs a number\n{USAGE}"))?;
        env.push((variable, value.clone()));
    }
    // The servers the harness starts, as `cargo xtask test` installs them.
    super::provision::all()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["test", "-p", "slipway-tests", "--test", "release", "--"])
        .args([
            "--ignored",
            "--exact",
            &format!("chaos_{mode}"),
            "--nocapture",
        ])
        .envs(env)
        .current_dir(super::workspace_root());
    super::run(&mut command)
}

fn fuzz(args: &[String]) -> anyhow::Result<()> {
    let mut cases: u64 = 1_000_000;
    let mut only = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cases" => {
                cases = args
                    .next()
                    .and_then(|n| n.replace('_', "").parse().ok())
                    .with_context(|| format!("--cases needs a number\n{USAGE}"))?;
            }
            name if TARGETS.iter().any(|(_, target, _)| *target == name) => only.push(name),
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let targets: Vec<_> = TARGETS
        .iter()
        .filter(|(_, name, _)| only.is_empty() || only.contains(name))
        .collect();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Build once, so that the times below are the fuzzing's own.
    let mut build = Command::new(&cargo);
    build.args(["test", "--no-run", "--test", "it"]);
    for package in ["slipway-versioning", "slipway-changelog", "slipway"] {
        build.args(["-p", package]);
    }
    super::run(build.current_dir(super::workspace_root()))?;
    let mut rows = Vec::new();
    for (package, name, what) in targets {
        eprintln!("fuzzing {name} ({what}): {cases} cases");
        let started = Instant::now();
        let output = Command::new(&cargo)
            .args(["test", "-q", "-p", package, "--test", "it", "--"])
            .args(["--exact", &format!("fuzz::{name}")])
            .env("SLIPWAY_FUZZ_CASES", cases.to_string())
            .current_dir(super::workspace_root())
            .output()
            .with_context(|| format!("cannot run the fuzz target {name}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let passed = output.status.success();
        if !passed {
            eprintln!("{}", String::from_utf8_lossy(&output.stdout));
            eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        }
        rows.push((*name, seconds, passed));
    }
    println!("{:<26} {:>10} {:>9}  result", "target", "cases", "seconds");
    for (name, seconds, passed) in &rows {
        println!(
            "{name:<26} {cases:>10} {seconds:>9.1}  {}",
            if *passed { "0 failures" } else { "FAILED" }
        );
    }
    let failed: Vec<&str> = rows
        .iter()
        .filter(|(_, _, passed)| !passed)
        .map(|(name, _, _)| *name)
        .collect();
    if !failed.is_empty() {
        bail!("fuzz targets failed: {}", failed.join(", "));
    }
    Ok(())
}
