//! slipway's chores: `cargo xtask ci | test | wheel | bench | release`.
//!
//! - `ci`: formatting check, clippy with warnings denied, then `test`.
//! - `test`: installs (or checks) what the tests need (a registry, skopeo, pypiserver, Python's
//!   `packaging`, maturin), then runs every test of the workspace, end-to-end ones included, and
//!   checks the Python wheel: built with maturin, installed in a venv, `slipway --version`.
//! - `wheel`: that last check on its own.
//! - `bench [NAME]`: benchmarks that report ratios to a reference measured in the same run.
//! - `chaos fuzz [--cases N]`: every fuzz target with a large case count, and a table of figures
//!   (see `chaos.rs`).
//! - `release [patch|minor|major] [--pre ID] [--dry-run]`: releases this workspace through the
//!   `slipway` library (the same code as `slipway release`), publishing its crates in dependency
//!   order.

#![allow(
    clippy::print_stderr,
    clippy::print_stdout,
    reason = "a chore runner talks to its user on the terminal"
)]

mod bench;
mod chaos;
mod provision;

use std::process::Command;

use anyhow::{Context as _, bail};

const USAGE: &str = "usage: cargo xtask <ci | test | wheel | lint | bench [changelog|monorepo|pypi|oci|release-state] | provision | chaos fuzz [--cases N] | chaos kill|race|faults [--runs N] | release [patch|minor|major] [--pre ID] [--dry-run]>";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        bail!("{USAGE}");
    };
    match task.as_str() {
        "ci" => {
            lint()?;
            test(rest)
        }
        "test" => test(rest),
        "lint" => lint(),
        "wheel" => {
            provision::all()?;
            wheel()
        }
        "provision" => provision::all(),
        "bench" => bench::run(rest),
        "chaos" => chaos::run(rest),
        "release" => release(rest),
        other => bail!("unknown task {other:?}\n{USAGE}"),
    }
}

/// Set for the tests by `cargo xtask test`: every provisioned tool must be there.
const PROVISIONED: &str = "SLIPWAY_TEST_PROVISIONED";

/// Installs what the tests need, then runs every test; extra arguments go to `cargo test`.
fn test(extra: &[String]) -> anyhow::Result<()> {
    provision::all()?;
    let mut args = vec!["test", "--workspace", "--all-targets"];
    args.extend(extra.iter().map(String::as_str));
    // Provisioning installed every tool: a test that skips when one is missing fails instead.
    let cargo_path = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(Command::new(cargo_path)
        .args(&args)
        .env(PROVISIONED, "1")
        .current_dir(workspace_root()))?;
    // `--all-targets` leaves out doctests, which document the pure crates' rules.
    cargo(&["test", "--workspace", "--doc"])?;
    wheel()
}

/// The Python distribution (crates/cli/pyproject.toml): builds the wheel with maturin, installs
/// it into a scratch venv and checks that the `slipway` it installs is this workspace's.
///
/// Offline: maturin's `cargo metadata` would otherwise want every platform's crates (Windows,
/// wasm, Android), which `cargo test` never downloads; `--target <host>` narrows it to this
/// platform (maturin passes `--filter-platform`), and `--offline` makes a missing crate an error
/// rather than a download. The build uses the workspace's target dir (or `CARGO_TARGET_DIR`),
/// under `target/<host>/release`: a second run only relinks what changed.
fn wheel() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let root = workspace_root();
    let version = env!("CARGO_PKG_VERSION");
    let scratch = tempfile::Builder::new()
        .prefix("slipway-wheel-")
        .tempdir()
        .context("cannot create a scratch directory for the wheel")?;
    let wheels = scratch.path().join("wheels");
    let host = host_triple()?;
    run(Command::new("python3")
        .args([
            "-m",
            "maturin",
            "build",
            "--release",
            "--offline",
            "--target",
        ])
        .arg(&host)
        .arg("--manifest-path")
        .arg(root.join("crates/cli/Cargo.toml"))
        .arg("--out")
        .arg(&wheels)
        .current_dir(&root))
    .context("the wheel did not build: `python3 -m maturin build --release` in crates/cli")?;
    let wheel = fs_err::read_dir(&wheels)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|extension| extension == "whl"))
        .with_context(|| format!("maturin left no .whl in {}", wheels.display()))?;
    // Without pip in the venv (Debian's python3 has no ensurepip without python3-venv): the
    // outer pip installs into it.
    let venv = scratch.path().join("venv");
    run(Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv))?;
    run(Command::new("python3")
        .args(["-m", "pip", "--python"])
        .arg(venv.join("bin/python"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--disable-pip-version-check",
        ])
        .arg(&wheel))
    .with_context(|| format!("cannot install {} into a venv", wheel.display()))?;
    let installed = venv.join("bin/slipway");
    let output = Command::new(&installed)
        .arg("--version")
        .output()
        .with_context(|| format!("the wheel installed no runnable {}", installed.display()))?;
    let said = String::from_utf8_lossy(&output.stdout);
    let expected = format!("slipway {version}");
    if !output.status.success() || said.trim() != expected {
        bail!(
            "the wheel's `slipway --version` says {:?} (exit {}, stderr {:?}), not {expected:?}: {} is not this workspace's binary",
            said.trim(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            wheel.display()
        );
    }
    eprintln!(
        "wheel: {} installs `{expected}` ({:.0?} to build, install and check)",
        wheel.file_name().unwrap_or_default().to_string_lossy(),
        started.elapsed()
    );
    Ok(())
}

/// The host's target triple, as `rustc -vV` says it.
fn host_triple() -> anyhow::Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .with_context(|| format!("cannot run {rustc} -vV"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .with_context(|| format!("{rustc} -vV names no host"))
}

/// Releases this workspace with the `slipway` library itself, through its typed API (the same
/// pipeline as `slipway release`): every Cargo.toml version (and the requirements between our
/// crates), CHANGELOG.md from our own commits, the commit, the tag, the push, then the five crates
/// published with `cargo publish`, dependencies first (`[workspace.metadata.slipway.cargo]`):
/// `slipway-versioning`, `slipway-changelog`, `slipway-gitops`, `slipway-registry`, `slipway`.
/// `--dry-run` lists them in that order.
/// The configuration is `[workspace.metadata.slipway]` in the root Cargo.toml.
fn release(args: &[String]) -> anyhow::Result<()> {
    use slipway::release::{self, BumpChoice, Request, RequestKind};
    let mut bump = BumpChoice::Auto;
    let mut pre = None;
    let (mut dry_run, mut resume, mut abort) = (false, false, false);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "patch" => bump = BumpChoice::Level(slipway_level("patch")?),
            "minor" => bump = BumpChoice::Level(slipway_level("minor")?),
            "major" => bump = BumpChoice::Level(slipway_level("major")?),
            "--pre" => {
                pre = Some(
                    rest.next()
                        .context("--pre needs an identifier, e.g. rc")?
                        .clone(),
                );
            }
            "--dry-run" => dry_run = true,
            "--resume" => resume = true,
            "--abort" => abort = true,
            other => bail!("unknown release argument {other:?}\n{USAGE}"),
        }
    }
    let env = std::sync::Arc::new(slipway::env::ProcessEnvironment);
    let context = slipway::context::Context::open(&workspace_root(), None, env)?;
    if abort {
        for line in release::abort(&context)? {
            eprintln!("{line}");
        }
        return Ok(());
    }
    let journal = if resume {
        release::resume(&context)?
    } else {
        let request = Request {
            kind: RequestKind::Release { bump, pre },
            // What is published is what the configuration names: the crates.
            no_publish: false,
            packages: Vec::new(),
            date: None,
        };
        let plan = release::plan(&context, &request)?;
        if dry_run {
            for problem in release::preview(&context, &plan) {
                eprintln!("the release would stop here: {problem}");
            }
            return Ok(release::describe(&context, &plan, &mut std::io::stdout())?);
        }
        release::start(&context, plan)?
    };
    let outcome = release::run(&context, journal, &|event| {
        if let release::Event::Started {
            index,
            total,
            step,
            description,
            ..
        } = event
        {
            eprintln!("[{index:>2}/{total}] {step}: {description}");
        }
    })
    .context("the release did not finish; `cargo xtask release --resume` continues it")?;
    println!("{}", outcome.journal.plan.version);
    Ok(())
}

fn slipway_level(name: &str) -> anyhow::Result<versioning::Level> {
    Ok(name.parse()?)
}

fn lint() -> anyhow::Result<()> {
    cargo(&["fmt", "--all", "--", "--check"])
        .context("formatting differs: run `cargo fmt --all`")?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])
}

/// Runs cargo (the one that runs us) with `args` in the workspace root.
fn cargo(args: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run(Command::new(cargo).args(args).current_dir(workspace_root()))
}

/// Runs a command with inherited stdio and fails with the command line if it fails.
fn run(command: &mut Command) -> anyhow::Result<()> {
    let line = format!("{command:?}");
    eprintln!("$ {line}");
    let status = command
        .status()
        .with_context(|| format!("cannot start {line}"))?;
    if !status.success() {
        bail!("{line} failed with {status}");
    }
    Ok(())
}

fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}
