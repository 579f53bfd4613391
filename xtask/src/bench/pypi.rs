//! `cargo xtask bench pypi`: upload a 500 MiB wheel to a local pypiserver with the release `slipway`,
//! beside `twine upload` of the same file in the same run.
//!
//! Reported: median and best wall time and peak memory (`/usr/bin/time -f %M`, the maximum resident set) of each upload, and
//! slipway's ratios to twine's. Targets: peak ≤ 64 MiB, wall ≤ twine.
//! The wheel (random bytes, stored uncompressed, so nothing compresses in transit) is generated once under
//! `target/bench/pypi-500m/`; every upload goes to a fresh pypiserver with an empty packages directory, and
//! the tools take turns so that drift in the machine's speed hits both alike.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

const WHEEL_MIB: u64 = 500;
const RUNS: usize = 5;
const TARGET_PEAK_KIB: u64 = 64 * 1024;
const USER: &str = "bench";
const PASSWORD: &str = "bench-password";

pub(crate) fn run() -> anyhow::Result<()> {
    for tool in ["/usr/bin/time", "pypi-server", "twine", "python3"] {
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
            bail!(
                "{tool} is missing: run `cargo xtask test` once (it installs pypiserver, passlib, bcrypt<4.1, twine and time)"
            );
        }
    }
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let work = root.join("target/bench/pypi-500m");
    fs::create_dir_all(&work)?;
    let wheel = wheel(&work)?;
    let htpasswd = work.join("htpasswd");
    if !htpasswd.exists() {
        let status = Command::new("python3")
            .args([
                "-c",
                "import sys; from passlib.apache import HtpasswdFile; \
                 h = HtpasswdFile(sys.argv[1], new=True, default_scheme='bcrypt'); \
                 h.set_password(sys.argv[2], sys.argv[3]); h.save()",
            ])
            .arg(&htpasswd)
            .args([USER, PASSWORD])
            .status()?;
        if !status.success() {
            bail!(
                "python3 with passlib could not write {}",
                htpasswd.display()
            );
        }
    }

    let mut slipway_runs = Vec::new();
    let mut twine_runs = Vec::new();
    for run in 0..RUNS {
        for tool in ["slipway", "twine"] {
            let server = Server::start(&work, &htpasswd)?;
            let url = server.url();
            let mut command = Command::new("/usr/bin/time");
            command.args(["-f", "%M", "-o"]).arg(work.join("time.out"));
            if tool == "slipway" {
                command
                    .arg(&slipway)
                    .args(["publish", "pypi"])
                    .arg(&wheel)
                    .args(["--repository-url", &url])
                    .env("TWINE_USERNAME", USER)
                    .env("TWINE_PASSWORD", PASSWORD)
                    .env("CI", "1");
            } else {
                command
                    .args([
                        "twine",
                        "upload",
                        "--non-interactive",
                        "--disable-progress-bar",
                    ])
                    .args(["--repository-url", &url, "-u", USER, "-p", PASSWORD])
                    .arg(&wheel);
            }
            let measured = measure(command, &work.join("time.out"))
                .with_context(|| format!("{tool} upload, run {}", run + 1))?;
            let stored = server.packages.join(wheel.file_name().unwrap_or_default());
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
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// Runs `command` (a `/usr/bin/time -f %M -o OUT …` line), returning its wall time and peak RSS in KiB.
fn measure(mut command: Command, time_out: &Path) -> anyhow::Result<(Duration, u64)> {
    let start = Instant::now();
    let output = command.stdin(Stdio::null()).output()?;
    let wall = start.elapsed();
    if !output.status.success() {
        bail!(
            "failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let peak = fs::read_to_string(time_out)?
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .next_back()
        .context("/usr/bin/time wrote no peak memory")?;
    Ok((wall, peak))
}

/// The benchmark wheel: `benchblob-1.0.0-py3-none-any.whl`, `WHEEL_MIB` MiB of random bytes stored
/// uncompressed, written by Python's zipfile (streamed, zip64).
fn wheel(work: &Path) -> anyhow::Result<PathBuf> {
    let path = work.join("benchblob-1.0.0-py3-none-any.whl");
    let expected_min = WHEEL_MIB << 20;
    if fs::metadata(&path).is_ok_and(|m| m.len() >= expected_min) {
        return Ok(path);
    }
    eprintln!("  generating {} ({WHEEL_MIB} MiB)", path.display());
    let script = r#"
import os, sys, zipfile
path, mib = sys.argv[1], int(sys.argv[2])
meta = "Metadata-Version: 2.1\nName: benchblob\nVersion: 1.0.0\nSummary: slipway benchmark payload\n"
with zipfile.ZipFile(path + ".part", "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
    with z.open("benchblob/blob.bin", "w", force_zip64=True) as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))
    z.writestr("benchblob-1.0.0.dist-info/METADATA", meta)
    z.writestr("benchblob-1.0.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: slipway-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("benchblob-1.0.0.dist-info/RECORD", "")
os.replace(path + ".part", path)
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(WHEEL_MIB.to_string())
        .status()?;
    if !status.success() {
        bail!("python3 could not write {}", path.display());
    }
    Ok(path)
}

/// A pypiserver with a fresh packages directory, killed (and its directory removed) on drop.
struct Server {
    child: Child,
    port: u16,
    packages: PathBuf,
}

impl Server {
    fn start(work: &Path, htpasswd: &Path) -> anyhow::Result<Server> {
        let packages = work.join("packages");
        if packages.exists() {
            fs::remove_dir_all(&packages)?;
        }
        fs::create_dir_all(&packages)?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("pypi-server")
            .args(["run", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--passwords")
            .arg(htpasswd)
            .args(["--authenticate", "update", "--disable-fallback"])
            .arg(&packages)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start pypi-server")?;
        let mut server = Server {
            child,
            port,
            packages,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("pypi-server exited with {status}");
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                stream.set_read_timeout(Some(Duration::from_secs(5)))?;
                let mut answer = String::new();
                if stream.write_all(b"GET /health HTTP/1.0\r\n\r\n").is_ok()
                    && stream.read_to_string(&mut answer).is_ok()
                    && answer.starts_with("HTTP/1.")
                {
                    return Ok(server);
                }
            }
            if Instant::now() > deadline {
                bail!("pypi-server did not answer within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.packages);
    }
}

/// `std::fs` with the path in every error.
mod fs {
    use std::path::Path;

    use anyhow::Context as _;

    pub(super) fn create_dir_all(path: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))
    }

    pub(super) fn remove_dir_all(path: &Path) -> anyhow::Result<()> {
        std::fs::remove_dir_all(path).with_context(|| format!("cannot remove {}", path.display()))
    }

    pub(super) fn metadata(path: &Path) -> anyhow::Result<std::fs::Metadata> {
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))
    }

    pub(super) fn read_to_string(path: &Path) -> anyhow::Result<String> {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}
