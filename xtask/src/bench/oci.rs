//! `cargo xtask bench oci`: push a 1 GiB single-layer image to a local registry (distribution 2.8 on
//! 127.0.0.1) with the release `slipway`, beside `skopeo copy oci:… docker://…` in the same run, and
//! retag it.
//!
//! Reported: wall time and peak memory (`/usr/bin/time -f %M`, the maximum resident set) of each push, as
//! ratios to skopeo's; the blob bytes a retag moved (from slipway's own report and from the registry's
//! access log). Targets: peak ≤ 64 MiB, wall ≤ skopeo, retag 0 bytes.
//! The layout is generated once under `target/bench/oci-1g/`; the registry's storage is a fresh directory
//! under `target/bench/` removed at the end.

use std::fmt::Write as _;
use std::io::{BufWriter, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

const LAYER_BYTES: u64 = 1 << 30;
const RUNS: usize = 2;
const TARGET_PEAK_KIB: u64 = 64 * 1024;

pub(crate) fn run() -> anyhow::Result<()> {
    for tool in [
        "/usr/bin/docker-registry",
        "/usr/bin/skopeo",
        "/usr/bin/time",
    ] {
        if !Path::new(tool).exists() {
            bail!(
                "{tool} is missing: run `cargo xtask test` once (it installs docker-registry, skopeo and time)"
            );
        }
    }
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let layout = layout(&root.join("target/bench/oci-1g"))?;
    // Every push goes to a registry of its own: skopeo's blob-info cache would otherwise mount the layer
    // from a repository pushed before and move nothing.
    let bench_dir = root.join("target/bench");
    let mut slipway_runs = Vec::new();
    let mut skopeo_runs = Vec::new();
    let mut last = None;
    for run in 0..RUNS {
        // Alternate who goes first, so that neither always meets a warmer page cache.
        let order = if run % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_slipway in order {
            let registry = Registry::start(&bench_dir)?;
            let address = registry.address();
            if is_slipway {
                let mut command = Command::new(&slipway);
                command
                    .arg("publish")
                    .arg("oci")
                    .arg(&layout)
                    .arg(format!("{address}/bench/app"))
                    .args(["--tag", "1.0.0"]);
                slipway_runs.push(timed(&command)?);
                last = Some(registry);
            } else {
                let mut command = Command::new("skopeo");
                command.args([
                    "copy",
                    "--quiet",
                    "--dest-tls-verify=false",
                    &format!("oci:{}:bench", layout.display()),
                    &format!("docker://{address}/bench/app:1.0.0"),
                ]);
                skopeo_runs.push(timed(&command)?);
            }
        }
    }
    let registry = last.context("slipway pushed at least once")?;
    let address = registry.address();
    // A second push of the same image: every blob is already there.
    let mut again = Command::new(&slipway);
    again
        .arg("publish")
        .arg("oci")
        .arg(&layout)
        .arg(format!("{address}/bench/app"))
        .args(["--tag", "1.0.0"]);
    let repush = timed(&again)?;

    let mark = registry.requests().len();
    let mut retag = Command::new(&slipway);
    retag.args(["retag", &format!("{address}/bench/app:1.0.0"), "stable"]);
    let retag_run = timed(&retag)?;
    let retag_requests: Vec<String> = registry.requests().into_iter().skip(mark).collect();
    let blob_writes = retag_requests
        .iter()
        .filter(|r| r.contains("/blobs/uploads") || r.starts_with("PATCH"))
        .count();
    let moved = retag_run
        .stderr
        .split("blob bytes moved: ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<u64>().ok())
        .context("the retag did not report the blob bytes it moved")?;

    let best = |runs: &[Timed]| -> (f64, u64) {
        let wall = runs
            .iter()
            .map(|r| r.wall.as_secs_f64())
            .fold(f64::INFINITY, f64::min);
        let peak = runs.iter().map(|r| r.peak_kib).max().unwrap_or(0);
        (wall, peak)
    };
    let (slipway_wall, slipway_peak) = best(&slipway_runs);
    let (skopeo_wall, skopeo_peak) = best(&skopeo_runs);
    let mut report = String::new();
    writeln!(
        report,
        "1 GiB single-layer image to distribution 2.8 on {address} (best of {RUNS} wall, worst peak)"
    )?;
    writeln!(report, "{:<34} {:>9} {:>12}", "what", "wall", "peak RSS")?;
    for (label, wall, peak) in [
        ("slipway publish oci", slipway_wall, slipway_peak),
        ("skopeo copy oci: docker://", skopeo_wall, skopeo_peak),
        (
            "slipway publish oci (again)",
            repush.wall.as_secs_f64(),
            repush.peak_kib,
        ),
        (
            "slipway retag",
            retag_run.wall.as_secs_f64(),
            retag_run.peak_kib,
        ),
    ] {
        writeln!(
            report,
            "{label:<34} {wall:>7.2} s {:>8.1} MiB",
            peak as f64 / 1024.0
        )?;
    }
    writeln!(
        report,
        "slipway/skopeo: wall {:.2}× (target ≤ 1), peak memory {:.2}×; slipway peak {:.1} MiB (target ≤ 64) {}",
        slipway_wall / skopeo_wall,
        slipway_peak as f64 / skopeo_peak as f64,
        slipway_peak as f64 / 1024.0,
        if slipway_peak <= TARGET_PEAK_KIB {
            "ok"
        } else {
            "OVER"
        }
    )?;
    writeln!(
        report,
        "retag: {moved} blob bytes moved (slipway's report), {blob_writes} blob upload request(s) in the registry log (target 0) {}",
        if moved == 0 && blob_writes == 0 {
            "ok"
        } else {
            "FAIL"
        }
    )?;
    print!("{report}");
    Ok(())
}

struct Timed {
    wall: Duration,
    peak_kib: u64,
    stderr: String,
}

/// Runs `command` under `/usr/bin/time -f %M` and measures its wall time.
fn timed(command: &Command) -> anyhow::Result<Timed> {
    let measurements = tempfile_path("time");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&measurements)
        .arg(command.get_program())
        .args(command.get_args())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
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
    let text = std::fs::read_to_string(&measurements)?;
    let _ = std::fs::remove_file(&measurements);
    let peak_kib = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .with_context(|| format!("cannot read /usr/bin/time's output {text:?}"))?;
    Ok(Timed {
        wall,
        peak_kib,
        stderr,
    })
}

fn tempfile_path(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!("slipway-bench-{label}-{}", std::process::id()))
}

/// Writes (once) an OCI layout with one image of one 1 GiB layer of pseudo-random bytes.
fn layout(directory: &Path) -> anyhow::Result<PathBuf> {
    if directory.join("index.json").exists() {
        return Ok(directory.to_owned());
    }
    let blobs = directory.join("blobs/sha256");
    std::fs::create_dir_all(&blobs)?;
    eprintln!("writing a 1 GiB layer under {}", directory.display());
    let scratch = directory.join("layer.tmp");
    {
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&scratch)?);
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut block = vec![0_u8; 1 << 20];
        for _ in 0..(LAYER_BYTES >> 20) {
            for chunk in block.chunks_exact_mut(8) {
                // xorshift64: incompressible enough, and fast.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes());
            }
            out.write_all(&block)?;
        }
        out.flush()?;
    }
    let layer = sha256_file(&scratch)?;
    std::fs::rename(&scratch, blobs.join(&layer))?;
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["sha256:{layer}"]}},"config":{{}}}}"#
    );
    let config_digest = write_blob(&blobs, config.as_bytes())?;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{layer}","size":{LAYER_BYTES}}}]}}"#,
        config.len()
    );
    let manifest_digest = write_blob(&blobs, manifest.as_bytes())?;
    std::fs::write(
        directory.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    std::fs::write(
        directory.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{manifest_digest}","size":{},"annotations":{{"org.opencontainers.image.ref.name":"bench"}}}}]}}"#,
            manifest.len()
        ),
    )?;
    Ok(directory.to_owned())
}

fn write_blob(blobs: &Path, bytes: &[u8]) -> anyhow::Result<String> {
    let scratch = blobs.join("blob.tmp");
    std::fs::write(&scratch, bytes)?;
    let digest = sha256_file(&scratch)?;
    std::fs::rename(&scratch, blobs.join(&digest))?;
    Ok(digest)
}

/// The hex SHA-256 of a file, by `sha256sum` (keeps xtask free of hashing crates).
fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .context("running sha256sum")?;
    if !output.status.success() {
        bail!("sha256sum {} failed", path.display());
    }
    Ok(String::from_utf8(output.stdout)?
        .split_whitespace()
        .next()
        .context("sha256sum printed nothing")?
        .to_owned())
}

/// A suffix that differs between calls in one process.
fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// distribution 2.8 on a free port of 127.0.0.1, with its storage under `parent`, killed on drop.
struct Registry {
    child: Child,
    port: u16,
    directory: PathBuf,
}

impl Registry {
    fn start(parent: &Path) -> anyhow::Result<Registry> {
        let directory = parent.join(format!(
            "oci-registry-{}-{}",
            std::process::id(),
            fastrand_suffix()
        ));
        let storage = directory.join("storage");
        std::fs::create_dir_all(&storage)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: slipway-bench\n",
            storage.display()
        );
        std::fs::write(directory.join("config.yml"), config)?;
        let log = std::fs::File::create(directory.join("registry.log"))?;
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(directory.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting docker-registry")?;
        let registry = Registry {
            child,
            port,
            directory,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = write!(
                    stream,
                    "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                );
                let mut head = [0_u8; 12];
                if stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200") {
                    return Ok(registry);
                }
            }
            if Instant::now() > deadline {
                bail!("docker-registry did not start on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Request lines of the access log: `PUT /v2/… HTTP/1.1 201`.
    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.directory.join("registry.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let start = line.find('"')? + 1;
                let rest = &line[start..];
                let end = rest.find("\" ")?;
                let status = rest[end + 2..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                Some(format!("{} {status}", &rest[..end]))
            })
            .filter(|r| r.contains(" /v2/"))
            .collect()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
