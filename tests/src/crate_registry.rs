//! A real crate registry on 127.0.0.1 (`cargo-http-registry`, from crates.io, which `cargo xtask test`
//! installs), and a local copy of crates.io made from cargo's own download cache, so that `cargo`
//! resolves and builds with no traffic off the machine.
//!
//! [`CrateRegistry::start`] runs `cargo-http-registry <root> --addr 127.0.0.1:<free port>`: it serves a
//! git index at `http://127.0.0.1:<port>/git` (cargo reads it with `net.git-fetch-with-cli`), takes
//! `cargo publish` at `/api/v1/crates/new` without checking tokens, and commits each publish to the
//! index repository in `<root>`, so [`CrateRegistry::published`] lists the crates in the order they
//! arrived. Killed on drop.
//!
//! [`crates_io_mirror`] writes a cargo `local-registry` (an `index/` of the crates.io index lines and
//! the `.crate` files) from `$CARGO_HOME/registry`: every version whose `.crate` file the cache holds,
//! which is every dependency this workspace builds with. `[source.crates-io] replace-with` points cargo
//! at it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// A running `cargo-http-registry`; killed on drop.
pub struct CrateRegistry {
    child: Child,
    port: u16,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl CrateRegistry {
    /// Whether `cargo-http-registry` is installed.
    pub fn available() -> bool {
        Command::new("cargo-http-registry")
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    }

    /// Starts the registry with an empty root and waits until it answers (at most 30 s).
    pub fn start() -> anyhow::Result<CrateRegistry> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("registry");
        let port = crate::pypiserver::free_port()?;
        let log = fs_err::File::create(dir.path().join("registry.log"))?;
        let child = Command::new("cargo-http-registry")
            .arg(&root)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?.into_parts().0)
            .stderr(log.into_parts().0)
            .spawn()
            .context("cannot start cargo-http-registry: `cargo install cargo-http-registry` (cargo xtask test does)")?;
        let mut registry = CrateRegistry {
            child,
            port,
            root,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !registry.root.join("config.json").is_file()
            || std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        {
            if let Some(status) = registry.child.try_wait()? {
                bail!("cargo-http-registry exited with {status}");
            }
            if Instant::now() > deadline {
                bail!("cargo-http-registry did not start within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(registry)
    }

    /// The index URL cargo's configuration names: `http://127.0.0.1:<port>/git`.
    pub fn index_url(&self) -> String {
        format!("http://127.0.0.1:{}/git", self.port)
    }

    /// The index's commits, oldest first: one per publish, in the order the crates arrived.
    pub fn published(&self) -> Vec<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["log", "--reverse", "--format=%s"])
            .output()
            .expect("git runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The registry's root (the index repository and the `.crate` files).
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for CrateRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a cargo `local-registry` of crates.io's crates in `$CARGO_HOME/registry` into `directory`:
/// `index/<path>` with the index lines of every version whose `.crate` is cached or that
/// `lock_file` (a `Cargo.lock`) pins (a version pinned but not cached is another platform's, needed
/// to resolve only; of a crate with neither, every version), and the `.crate` files (linked).
/// Returns how many `.crate` files it holds.
///
/// The pinned versions matter when the cache also holds another version of such a crate (another
/// project on the machine downloaded it): with the cached lines alone, the pinned version would be
/// missing from the index and the lock file would not resolve.
///
/// cargo's index cache (`registry/index/<crates.io>/.cache/<path>`) is one byte of cache format
/// (3), four of index format, the index's version and a NUL, then for each version the version, a
/// NUL, its index line and a NUL.
pub fn crates_io_mirror(directory: &Path, lock_file: &Path) -> anyhow::Result<usize> {
    // Each `[[package]]` of a lock file starts with its `name = "…"` and `version = "…"` lines.
    let lock = fs_err::read_to_string(lock_file)?;
    let quoted = |line: &str, key: &str| {
        line.strip_prefix(key)?
            .strip_prefix(" = \"")?
            .strip_suffix('"')
            .map(str::to_owned)
    };
    let mut pinned = std::collections::HashSet::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = quoted(line, "name")
            && let Some(version) = lines.next().and_then(|line| quoted(line, "version"))
        {
            pinned.insert((name, version));
        }
    }
    let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
        PathBuf::from,
    );
    let find = |parent: &Path| -> anyhow::Result<PathBuf> {
        fs_err::read_dir(parent)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| {
                path.file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with("index.crates.io-"))
            })
            .with_context(|| format!("no crates.io cache in {}", parent.display()))
    };
    let index_cache = find(&cargo_home.join("registry/index"))?.join(".cache");
    let crate_cache = find(&cargo_home.join("registry/cache"))?;
    let mut count = 0;
    let mut pending = vec![index_cache.clone()];
    while let Some(current) = pending.pop() {
        for entry in fs_err::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let bytes = fs_err::read(&path)?;
            if bytes.first() != Some(&3) || bytes.len() < 5 {
                bail!(
                    "{} is not in the index cache format this harness reads (format 3)",
                    path.display()
                );
            }
            let mut parts = bytes[5..].split(|byte| *byte == 0);
            let _index_version = parts.next();
            let mut cached_lines = String::new();
            let mut all_lines = String::new();
            while let (Some(_version), Some(line)) = (parts.next(), parts.next()) {
                let Ok(entry) = serde_json::from_slice::<serde_json::Value>(line) else {
                    continue;
                };
                let (Some(name), Some(version)) = (entry["name"].as_str(), entry["vers"].as_str())
                else {
                    continue;
                };
                let text = format!("{}\n", String::from_utf8_lossy(line));
                all_lines.push_str(&text);
                let file = format!("{name}-{version}.crate");
                let cached = crate_cache.join(&file);
                if !cached.is_file() {
                    if pinned.contains(&(name.to_owned(), version.to_owned())) {
                        cached_lines.push_str(&text);
                    }
                    continue;
                }
                let linked = directory.join(&file);
                if !linked.exists() {
                    std::os::unix::fs::symlink(&cached, &linked)?;
                }
                cached_lines.push_str(&text);
                count += 1;
            }
            // A crate with no cached version is another platform's (cargo resolves for every
            // platform, downloads for this one): its lines are needed to resolve, never to build.
            let lines = if cached_lines.is_empty() {
                all_lines
            } else {
                cached_lines
            };
            if !lines.is_empty() {
                let relative = path.strip_prefix(&index_cache)?;
                let target = directory.join("index").join(relative);
                fs_err::create_dir_all(target.parent().context("an index path has a parent")?)?;
                fs_err::write(target, lines)?;
            }
        }
    }
    Ok(count)
}
