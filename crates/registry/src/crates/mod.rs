//! Crate registries: reading an index (does it serve this version yet?) and `cargo publish`.
//!
//! Publishing goes through the `cargo` executable, never through our own upload: only cargo
//! packages a crate as cargo will later read it (the normalised manifest, the lock file, the
//! `.cargo_vcs_info.json`), and only it honours the user's registry configuration and credential
//! providers.
//!
//! Reading is our own, so that a resumed release can ask "is `name` `version` there already?"
//! without packaging anything:
//! - a sparse index (`sparse+https://index.crates.io/`, RFC 2789) is read over HTTP, one file per
//!   crate at [`index_path`];
//! - a git index (`https://…/index`, `file:///…`, what `cargo-http-registry` serves) is fetched
//!   with the `git` executable into a scratch repository and the crate's file read from it.
//!
//! Each line of an index file is one version (`{"name","vers","cksum","yanked",…}`); a missing
//! file is a crate the registry does not have.
//!
//! Deliberately not done here: finding the index URL of a named registry (that is cargo's
//! configuration, which the caller reads), and authenticated index reads.

mod error;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub use error::CratesError;

use crate::redact::RedactedUrl;

/// crates.io's index.
pub const CRATES_IO_INDEX: &str = "sparse+https://index.crates.io/";

/// Where a registry's index is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexUrl {
    /// An HTTP index (`sparse+` stripped), ending in `/`.
    Sparse(String),
    /// A git repository.
    Git(String),
}

impl IndexUrl {
    /// Reads an index URL as cargo's configuration spells it.
    pub fn parse(url: &str) -> IndexUrl {
        match url.strip_prefix("sparse+") {
            Some(sparse) => {
                let mut sparse = sparse.to_owned();
                if !sparse.ends_with('/') {
                    sparse.push('/');
                }
                IndexUrl::Sparse(sparse)
            }
            None => IndexUrl::Git(url.trim_start_matches("registry+").to_owned()),
        }
    }
}

impl std::fmt::Display for IndexUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexUrl::Sparse(url) => write!(f, "sparse+{}", RedactedUrl::new(url)),
            IndexUrl::Git(url) => write!(f, "{}", RedactedUrl::new(url)),
        }
    }
}

/// One version of a crate as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct IndexEntry {
    /// The crate's name.
    pub name: String,
    /// The version.
    pub vers: String,
    /// The `.crate` file's sha256.
    pub cksum: String,
    /// Whether the version is yanked.
    #[serde(default)]
    pub yanked: bool,
}

/// The path of `name`'s file in an index: `1/a`, `2/ab`, `3/a/abc`, `sl/ip/slipway` (lowercase).
pub fn index_path(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

/// Reads a crate file of an index: one JSON object per line; lines that are not one are skipped.
pub fn parse_index_file(text: &str) -> Vec<IndexEntry> {
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// A registry's index, read anonymously.
#[derive(Debug, Clone)]
pub struct CrateIndex {
    url: IndexUrl,
    http: reqwest::Client,
}

impl CrateIndex {
    /// The index at `url`.
    pub fn new(url: IndexUrl) -> CrateIndex {
        CrateIndex {
            url,
            http: crate::pypi::client::http_client(reqwest::redirect::Policy::limited(5)),
        }
    }

    /// Where it is.
    pub fn url(&self) -> &IndexUrl {
        &self.url
    }

    /// Every version of `name` the index lists (none when it has no such crate).
    pub async fn versions(&self, name: &str) -> Result<Vec<IndexEntry>, CratesError> {
        let path = index_path(name);
        let text = match &self.url {
            IndexUrl::Sparse(base) => {
                let url = format!("{base}{path}");
                let failed = |reason: String| CratesError::Index {
                    url: RedactedUrl::new(&url).to_string(),
                    reason,
                };
                let response = self
                    .http
                    .get(&url)
                    // A fresh answer: a cache in between must not hide a version just published.
                    .header(reqwest::header::CACHE_CONTROL, "no-cache")
                    .send()
                    .await
                    .map_err(|error| failed(crate::redact::ErrorChain(&error).to_string()))?;
                // crates.io answers 403 for a file that does not exist (it is served from S3).
                if matches!(response.status().as_u16(), 404 | 410 | 451 | 403) {
                    return Ok(Vec::new());
                }
                if !response.status().is_success() {
                    return Err(failed(format!("HTTP {}", response.status())));
                }
                response
                    .text()
                    .await
                    .map_err(|error| failed(crate::redact::ErrorChain(&error).to_string()))?
            }
            IndexUrl::Git(url) => git_index_file(url, &path).await?.unwrap_or_default(),
        };
        Ok(parse_index_file(&text)
            .into_iter()
            .filter(|entry| entry.name.eq_ignore_ascii_case(name))
            .collect())
    }

    /// `name` `version` as the index lists it, if it does.
    pub async fn find(&self, name: &str, version: &str) -> Result<Option<IndexEntry>, CratesError> {
        Ok(self
            .versions(name)
            .await?
            .into_iter()
            .find(|entry| entry.vers == version))
    }

    /// Waits until the index lists `name` `version` (polling every `every`), at most `timeout`.
    pub async fn wait_for(
        &self,
        name: &str,
        version: &str,
        timeout: Duration,
        every: Duration,
    ) -> Result<Option<IndexEntry>, CratesError> {
        let started = Instant::now();
        loop {
            if let Some(entry) = self.find(name, version).await? {
                return Ok(Some(entry));
            }
            if started.elapsed() >= timeout {
                return Ok(None);
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// Reads `path` from the tip of the git index at `url` with the `git` executable (a full fetch into
/// a scratch repository: a dumb-HTTP index, as `cargo-http-registry` serves, cannot be fetched
/// shallowly); `None` when the index has no such file.
async fn git_index_file(url: &str, path: &str) -> Result<Option<String>, CratesError> {
    let shown = RedactedUrl::new(url).to_string();
    let failed = |reason: String| CratesError::Index {
        url: shown.clone(),
        reason,
    };
    let scratch = tempfile_dir().map_err(|error| failed(error.to_string()))?;
    let git = |args: &[&str]| {
        let mut command = tokio::process::Command::new("git");
        command
            .args(args)
            .current_dir(scratch.path())
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .kill_on_drop(true);
        command
    };
    for args in [
        &["init", "--bare", "-q", "."][..],
        &["fetch", "-q", url, "HEAD"][..],
    ] {
        let output = git(args)
            .output()
            .await
            .map_err(|error| failed(format!("cannot run git: {error}")))?;
        if !output.status.success() {
            return Err(failed(format!(
                "git {}: {}",
                args[0],
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
    }
    let output = git(&["show", &format!("FETCH_HEAD:{path}")])
        .output()
        .await
        .map_err(|error| failed(format!("cannot run git: {error}")))?;
    if output.status.success() {
        Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()))
    } else {
        // `git show` of a path the commit does not have: the crate is not in the index.
        Ok(None)
    }
}

/// A scratch directory, removed on drop.
fn tempfile_dir() -> std::io::Result<ScratchDir> {
    let path = std::env::temp_dir().join(format!(
        "slipway-crate-index-{}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    fs_err::create_dir_all(&path)?;
    Ok(ScratchDir(path))
}

struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How to run `cargo publish` for one crate.
#[derive(Debug, Clone)]
pub struct PublishCommand<'a> {
    /// The `cargo` to run (`$CARGO`, else `cargo`).
    pub cargo: &'a str,
    /// The workspace's directory.
    pub workspace: &'a Path,
    /// The package.
    pub package: &'a str,
    /// The registry's name; `None` for crates.io.
    pub registry: Option<&'a str>,
    /// Let cargo build the packaged crate first (else `--no-verify`).
    pub verify: bool,
}

/// Runs `cargo publish -p <package> [--registry <name>] [--no-verify]` in the workspace; the error
/// carries cargo's stderr.
pub fn cargo_publish(command: &PublishCommand<'_>) -> Result<(), CratesError> {
    let mut cargo = Command::new(command.cargo);
    cargo
        .args(["publish", "--package", command.package])
        .current_dir(command.workspace);
    if let Some(registry) = command.registry {
        cargo.args(["--registry", registry]);
    }
    if !command.verify {
        cargo.arg("--no-verify");
    }
    let output = cargo.output().map_err(|source| CratesError::Spawn {
        program: command.cargo.to_owned(),
        source,
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(CratesError::Publish {
            package: command.package.to_owned(),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_follow_cargos_layout() {
        for (name, path) in [
            ("a", "1/a"),
            ("ab", "2/ab"),
            ("abc", "3/a/abc"),
            ("Slipway-Changelog", "sl/ip/slipway-changelog"),
        ] {
            assert_eq!(index_path(name), path, "{name}");
        }
    }

    #[test]
    fn index_urls_are_sparse_or_git() {
        assert_eq!(
            IndexUrl::parse(CRATES_IO_INDEX),
            IndexUrl::Sparse("https://index.crates.io/".to_owned())
        );
        assert_eq!(
            IndexUrl::parse("http://127.0.0.1:1/git"),
            IndexUrl::Git("http://127.0.0.1:1/git".to_owned())
        );
    }

    #[test]
    fn index_files_are_read_line_by_line() {
        let text = "{\"name\":\"x\",\"vers\":\"0.1.0\",\"deps\":[],\"cksum\":\"aa\",\"features\":{},\"yanked\":false}\nnot json\n{\"name\":\"x\",\"vers\":\"0.2.0\",\"cksum\":\"bb\",\"yanked\":true}\n";
        let entries = parse_index_file(text);
        assert_eq!(entries.len(), 2);
        assert!(entries[1].yanked);
    }
}
