//! `cargo xtask bench oci`: push a 1 GiB single-layer image to a local registry (distribution 2.8 on
//! 127.0.0.1) with the release `slipway`, beside `skopeo copy oci:… docker://…` in the same run, and
//! retag it.
//!
//! Reported: wall time and peak memory (`/usr/bin/time -f %M`, the maximum resident set) of each push, as
//! ratios to skopeo's (medians of [`RUNS`] runs each, taking turns, skopeo's blob-info cache cleared
//! before each); the blob bytes a retag moved (from slipway's own report and from the registry's
//! access log); the blob uploads of a push of the same image to another repository of the same
//! registry (mounted from slipway's blob locations cache). Targets: peak ≤ 64 MiB, wall ≤ skopeo,
//! retag and second repository 0 blob bytes.
//! The layout is generated under `target/bench/oci-1g/` and removed at the end (1 GiB); every push
//! goes to a fresh registry started by the tests' harness (`slipway_tests::oci_registry`), removed
//! when it stops.

use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use slipway_tests::oci_registry::{OciRegistry, layouts};

use super::{Measured as Timed, measure as timed};

const LAYER_BYTES: u64 = 1 << 30;
const RUNS: usize = 3;
const TARGET_PEAK_KIB: u64 = 64 * 1024;

pub(crate) fn run() -> anyhow::Result<()> {
    super::require(&[
        "/usr/bin/docker-registry",
        "/usr/bin/skopeo",
        "/usr/bin/time",
    ])?;
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let layout_directory = root.join("target/bench/oci-1g");
    let layout = layout(&layout_directory)?;
    // slipway's blob locations cache lives here for the benchmark, emptied before each push.
    let cache_home = root.join("target/bench/oci-cache");
    // Every push goes to a registry of its own: skopeo's blob-info cache would otherwise mount the layer
    // from a repository pushed before and move nothing.
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
            let registry = OciRegistry::start()?;
            let address = registry.address();
            if is_slipway {
                let _ = std::fs::remove_dir_all(&cache_home);
                let mut command = Command::new(&slipway);
                command
                    .arg("publish")
                    .arg("oci")
                    .arg(&layout)
                    .arg(format!("{address}/bench/app"))
                    .args(["--tag", "1.0.0"])
                    .env("XDG_CACHE_HOME", &cache_home);
                slipway_runs.push(timed(&command)?);
                last = Some(registry);
            } else {
                clear_skopeo_cache()?;
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

    // The same image to another repository of the same registry: every blob is mounted from
    // where the first push put it (slipway's blob locations cache), none is sent.
    let mark = registry.mark();
    let mut elsewhere = Command::new(&slipway);
    elsewhere
        .arg("publish")
        .arg("oci")
        .arg(&layout)
        .arg(format!("{address}/bench/other"))
        .args(["--tag", "1.0.0"])
        .env("XDG_CACHE_HOME", &cache_home);
    let mounted = timed(&elsewhere)?;
    let mount_requests = registry.requests_since(mark);
    let mount_blob_writes = mount_requests
        .iter()
        .filter(|r| r.starts_with("PATCH") || (r.starts_with("PUT") && r.contains("/blobs/")))
        .count();

    let mark = registry.mark();
    let mut retag = Command::new(&slipway);
    retag.args(["retag", &format!("{address}/bench/app:1.0.0"), "stable"]);
    let retag_run = timed(&retag)?;
    let retag_requests = registry.requests_since(mark);
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

    let median = |runs: &[Timed]| -> (f64, u64) {
        let mut walls: Vec<f64> = runs.iter().map(|r| r.wall.as_secs_f64()).collect();
        let mut peaks: Vec<u64> = runs.iter().map(|r| r.peak_kib).collect();
        walls.sort_by(f64::total_cmp);
        peaks.sort_unstable();
        (walls[walls.len() / 2], peaks[peaks.len() / 2])
    };
    let (slipway_wall, slipway_peak) = median(&slipway_runs);
    let (skopeo_wall, skopeo_peak) = median(&skopeo_runs);
    let all_walls = |runs: &[Timed]| -> String {
        runs.iter()
            .map(|r| format!("{:.2}", r.wall.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut report = String::new();
    writeln!(
        report,
        "1 GiB single-layer image to distribution 2.8 on {address} (medians of {RUNS} runs, taking turns; skopeo's blob-info cache cleared, a fresh registry each)"
    )?;
    writeln!(
        report,
        "runs: slipway {} s, skopeo {} s",
        all_walls(&slipway_runs),
        all_walls(&skopeo_runs)
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
            "slipway publish oci (other repo)",
            mounted.wall.as_secs_f64(),
            mounted.peak_kib,
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
    writeln!(
        report,
        "push to another repository of the same registry: {mount_blob_writes} blob upload request(s) in the registry log (target 0) {}",
        if mount_blob_writes == 0 { "ok" } else { "FAIL" }
    )?;
    print!("{report}");
    // The layout is 1 GiB: written again by the next run rather than kept on a shared disk.
    std::fs::remove_dir_all(&layout_directory)
        .with_context(|| format!("cannot remove {}", layout_directory.display()))?;
    let _ = std::fs::remove_dir_all(&cache_home);
    Ok(())
}

/// Empties skopeo's blob-info cache (root's and the user's), so that it cannot mount from an
/// earlier run and every skopeo push sends the layer.
fn clear_skopeo_cache() -> anyhow::Result<()> {
    let mut files = vec![PathBuf::from(
        "/var/lib/containers/cache/blob-info-cache-v1.sqlite",
    )];
    if let Some(home) = std::env::var_os("HOME") {
        files
            .push(Path::new(&home).join(".local/share/containers/cache/blob-info-cache-v1.sqlite"));
    }
    for file in files {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("cannot remove {}", file.display()));
            }
        }
    }
    Ok(())
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
    let layer = slipway_tests::pypiserver::sha256_file(&scratch)?;
    std::fs::rename(&scratch, blobs.join(&layer))?;
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["sha256:{layer}"]}},"config":{{}}}}"#
    );
    let config = layouts::write_blob(
        directory,
        config.as_bytes(),
        "application/vnd.oci.image.config.v1+json",
    )?;
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config.descriptor(),
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": format!("sha256:{layer}"), "size": LAYER_BYTES}],
    });
    let manifest = layouts::write_blob(
        directory,
        manifest.to_string().as_bytes(),
        "application/vnd.oci.image.manifest.v1+json",
    )?;
    layouts::finish(directory, &manifest, "bench")?;
    Ok(directory.to_owned())
}
