//! `cargo xtask bench pypi`: upload a 500 MiB wheel to a local pypiserver with the release `slipway`,
//! beside `twine upload` of the same file in the same run.
//!
//! Reported: median and best wall time and peak memory (`/usr/bin/time -f %M`, the maximum resident set) of each upload, and
//! slipway's ratios to twine's. Targets: peak ≤ 64 MiB, wall ≤ twine.
//! The wheel (random bytes, stored uncompressed, so nothing compresses in transit) is generated once under
//! `target/bench/pypi-500m/` by the tests' builder; every upload goes to a fresh pypiserver started by the
//! tests' harness (`slipway_tests::pypiserver`), and the tools take turns so that drift in the machine's
//! speed hits both alike.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};
use fs_err as fs;
use slipway_tests::pypiserver::{PypiServer, build_large_wheel};

const WHEEL_MIB: u64 = 500;
const RUNS: usize = 5;
const TARGET_PEAK_KIB: u64 = 64 * 1024;

pub(crate) fn run() -> anyhow::Result<()> {
    super::require(&["/usr/bin/time", "pypi-server", "twine", "python3"])?;
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let work = root.join("target/bench/pypi-500m");
    fs::create_dir_all(&work)?;
    let wheel = wheel(&work)?;
    let mut slipway_runs = Vec::new();
    let mut twine_runs = Vec::new();
    for run in 0..RUNS {
        for tool in ["slipway", "twine"] {
            let server = PypiServer::start()?;
            let url = server.url();
            let (user, password) = (server.username(), server.password());
            let command = if tool == "slipway" {
                let mut command = Command::new(&slipway);
                command
                    .args(["publish", "pypi"])
                    .arg(&wheel)
                    .args(["--repository-url", &url])
                    .env("TWINE_USERNAME", user)
                    .env("TWINE_PASSWORD", password)
                    .env("CI", "1");
                command
            } else {
                let mut command = Command::new("twine");
                command
                    .args(["upload", "--non-interactive", "--disable-progress-bar"])
                    .args(["--repository-url", &url, "-u", user, "-p", password])
                    .arg(&wheel);
                command
            };
            let measured = super::measure(&command)
                .map(|measured| (measured.wall, measured.peak_kib))
                .with_context(|| format!("{tool} upload, run {}", run + 1))?;
            let stored = server
                .packages_dir()
                .join(wheel.file_name().unwrap_or_default());
            let size = fs::metadata(&stored)
                .with_context(|| format!("{tool} did not store the wheel on the server"))?
                .len();
            if size != fs::metadata(&wheel)?.len() {
                bail!("{tool} stored {size} bytes, not the whole wheel");
            }
            eprintln!(
                "  run {}: {tool:<8} {:>7.2} s {:>7} KiB",
                run + 1,
                measured.0.as_secs_f64(),
                measured.1
            );
            if tool == "slipway" {
                slipway_runs.push(measured);
            } else {
                twine_runs.push(measured);
            }
        }
    }

    // Median and best wall time, worst peak memory.
    let summary = |runs: &[(Duration, u64)]| {
        let mut walls: Vec<Duration> = runs.iter().map(|r| r.0).collect();
        walls.sort();
        let peak = runs.iter().map(|r| r.1).max().unwrap_or_default();
        (walls[walls.len() / 2], walls[0], peak)
    };
    let (slipway_wall, slipway_best, slipway_peak) = summary(&slipway_runs);
    let (twine_wall, twine_best, twine_peak) = summary(&twine_runs);
    let mut report = String::new();
    writeln!(
        report,
        "upload of a {WHEEL_MIB} MiB wheel to pypiserver on 127.0.0.1, {RUNS} runs each, taking turns"
    )?;
    writeln!(
        report,
        "{:<10} {:>12} {:>10} {:>14}",
        "tool", "median wall", "best wall", "peak RSS"
    )?;
    for (tool, wall, best, peak) in [
        ("slipway", slipway_wall, slipway_best, slipway_peak),
        ("twine", twine_wall, twine_best, twine_peak),
    ] {
        writeln!(
            report,
            "{tool:<10} {:>10.2} s {:>8.2} s {:>10.1} MiB",
            wall.as_secs_f64(),
            best.as_secs_f64(),
            peak as f64 / 1024.0
        )?;
    }
    let wall_ratio = slipway_wall.as_secs_f64() / twine_wall.as_secs_f64();
    let best_ratio = slipway_best.as_secs_f64() / twine_best.as_secs_f64();
    let peak_ratio = slipway_peak as f64 / twine_peak as f64;
    writeln!(
        report,
        "slipway / twine: median wall {wall_ratio:.2}×, best wall {best_ratio:.2}×, peak {peak_ratio:.2}×"
    )?;
    writeln!(
        report,
        "targets: peak ≤ 64 MiB: {}; wall ≤ twine: {}",
        verdict(slipway_peak <= TARGET_PEAK_KIB),
        verdict(wall_ratio <= 1.0)
    )?;
    std::io::stdout().write_all(report.as_bytes())?;
    // The wheel is 500 MiB: written again by the next run rather than kept on a shared disk.
    fs::remove_dir_all(&work).with_context(|| format!("cannot remove {}", work.display()))?;
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// The benchmark wheel: `benchblob-1.0.0-py3-none-any.whl`, `WHEEL_MIB` MiB of random bytes stored
/// uncompressed, streamed to disk once.
fn wheel(work: &Path) -> anyhow::Result<PathBuf> {
    let path = work.join("benchblob-1.0.0-py3-none-any.whl");
    if fs::metadata(&path).is_ok_and(|m| m.len() >= WHEEL_MIB << 20) {
        return Ok(path);
    }
    eprintln!("  generating {} ({WHEEL_MIB} MiB)", path.display());
    build_large_wheel(work, "benchblob", "1.0.0", WHEEL_MIB << 20)
}
