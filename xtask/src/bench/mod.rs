//! Benchmarks. Each reports its figures as ratios to a reference measured in the same run (the `git
//! log` floor, `twine`, `skopeo`), because the machines they run on are noisy.
//!
//! A benchmark is a module with a `run` function and one row in [`BENCHES`].

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

mod changelog;
mod monorepo;
mod oci;
mod pypi;
mod release_state;

/// A benchmark, given the arguments after its name.
type Bench = fn(&[String]) -> anyhow::Result<()>;

/// Every benchmark, by the name `cargo xtask bench NAME` takes.
const BENCHES: &[(&str, Bench)] = &[
    ("changelog", changelog::run),
    ("monorepo", |_| monorepo::run()),
    ("oci", |_| oci::run()),
    ("pypi", |_| pypi::run()),
    ("release-state", |_| release_state::run()),
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let names: Vec<&str> = BENCHES.iter().map(|(name, _)| *name).collect();
    let selected: Vec<&(&str, Bench)> = match args.first() {
        None => BENCHES.iter().collect(),
        Some(wanted) => match BENCHES.iter().find(|(name, _)| name == wanted) {
            Some(bench) => vec![bench],
            None => bail!("unknown benchmark {wanted:?}: expected one of {names:?}"),
        },
    };
    for (name, bench) in selected {
        eprintln!("== bench {name}");
        bench(args.get(1..).unwrap_or_default())?;
    }
    Ok(())
}

/// What one measured run took.
pub(crate) struct Measured {
    /// Wall time.
    pub(crate) wall: Duration,
    /// Peak resident memory in KiB, as `/usr/bin/time -f %M` reports it.
    pub(crate) peak_kib: u64,
    /// What the command wrote to stderr.
    pub(crate) stderr: String,
}

/// Runs `command` under `/usr/bin/time -f %M`, failing with its output if it fails.
pub(crate) fn measure(command: &Command) -> anyhow::Result<Measured> {
    let report = std::env::temp_dir().join(format!("slipway-bench-time-{}", std::process::id()));
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args())
        .envs(
            command
                .get_envs()
                .filter_map(|(key, value)| Some((key, value?))),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(directory) = command.get_current_dir() {
        timed.current_dir(directory);
    }
    let line = format!("{command:?}");
    eprintln!("$ {line}");
    let start = Instant::now();
    let output = timed
        .output()
        .with_context(|| format!("cannot start {line}"))?;
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        bail!("{line} failed with {}:\n{stderr}", output.status);
    }
    let text = std::fs::read_to_string(&report)
        .with_context(|| format!("cannot read {}", report.display()))?;
    let _ = std::fs::remove_file(&report);
    let peak_kib = text
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .next_back()
        .with_context(|| format!("/usr/bin/time wrote no peak memory: {text:?}"))?;
    Ok(Measured {
        wall,
        peak_kib,
        stderr,
    })
}

/// Runs `command` (its stdout as the caller set it) and returns the wall time and the output,
/// failing with its stderr if it fails.
pub(crate) fn timed_output(
    command: &mut Command,
) -> anyhow::Result<(Duration, std::process::Output)> {
    command.stderr(Stdio::piped());
    let start = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((elapsed, output))
}

/// Feeds `stream` to `git fast-import` in the repository at `path`.
pub(crate) fn fast_import(path: &std::path::Path, stream: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut import = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(path)
        .stdin(Stdio::piped())
        .spawn()
        .context("cannot start git fast-import")?;
    let stdin = import
        .stdin
        .take()
        .context("git fast-import has no stdin")?;
    let mut stdin = std::io::BufWriter::new(stdin);
    stdin.write_all(stream.as_bytes())?;
    drop(stdin);
    let status = import.wait()?;
    if !status.success() {
        bail!("git fast-import failed with {status}");
    }
    Ok(())
}

/// Builds (once) the history `target/bench/NAME` from the fast-import stream `stream` makes, then
/// `finish` (checking a branch out, adding a remote); a marker file of `version` says it is
/// complete, so that a change to the shape (a new `version`) builds it anew.
pub(crate) fn build_once(
    root: &Path,
    name: &str,
    version: u32,
    stream: impl FnOnce() -> String,
    finish: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<std::path::PathBuf> {
    let path = root.join("target/bench").join(name);
    let done = path.join(format!(".git/slipway-bench-complete-{version}"));
    if done.exists() {
        return Ok(path);
    }
    if path.exists() {
        std::fs::remove_dir_all(&path)
            .with_context(|| format!("cannot remove {}", path.display()))?;
    }
    std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    crate::run(
        Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .current_dir(&path),
    )?;
    eprintln!("building the {name} history in {}", path.display());
    let start = Instant::now();
    fast_import(&path, &stream())?;
    finish(&path)?;
    std::fs::write(&done, b"")?;
    eprintln!("built in {:.1} s", start.elapsed().as_secs_f64());
    Ok(path)
}

/// Fails with the install hint when one of `tools` (absolute paths, or programs on `PATH`) is missing.
/// Makes the imported history at `path` a project to release: `main` checked out, a version file
/// at the latest release's version (as releases leave it), committed, a remote (the repository
/// itself) for the preflight to reach, and the refs packed as in a clone.
pub(crate) fn release_project(path: &Path) -> anyhow::Result<()> {
    crate::run(
        Command::new("git")
            .args(["reset", "-q", "--hard", "main"])
            .current_dir(path),
    )?;
    let describe = Command::new("git")
        .args(["describe", "--tags", "--abbrev=0"])
        .current_dir(path)
        .output()?;
    let latest = String::from_utf8_lossy(&describe.stdout).trim().to_owned();
    std::fs::write(
        path.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench\"\nversion = \"{}\"\n",
            latest.trim_start_matches('v')
        ),
    )?;
    let origin = path.display().to_string();
    for args in [
        &["add", "Cargo.toml"][..],
        &[
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=bench@example.com",
            "commit",
            "-q",
            "-m",
            "fix: the project file",
        ],
        &["remote", "add", "origin", &origin],
        // As in a clone: refs in packed-refs (with their peeled targets), not one file per tag.
        &["pack-refs", "--all"],
    ] {
        crate::run(Command::new("git").args(args).current_dir(path))?;
    }
    Ok(())
}

pub(crate) fn require(tools: &[&str]) -> anyhow::Result<()> {
    for tool in tools {
        let found = if tool.starts_with('/') {
            Path::new(tool).exists()
        } else {
            Command::new(tool)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok()
        };
        if !found {
            bail!("{tool} is missing: run `cargo xtask provision` (or `cargo xtask test`) once");
        }
    }
    Ok(())
}
