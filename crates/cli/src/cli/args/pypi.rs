//! Arguments of `slipway publish pypi`, `slipway verify pypi` and `slipway yank pypi`.

use std::path::PathBuf;

use clap::Args;

/// Where the index is and how to log in; shared by the PyPI commands.
#[derive(Debug, Args)]
pub struct PypiIndexArgs {
    /// The index's upload URL (PyPI: `https://upload.pypi.org/legacy/`; pypiserver: its root URL).
    #[arg(long, value_name = "URL", env = "SLIPWAY_PYPI_REPOSITORY_URL")]
    pub repository_url: Option<String>,
    /// A repository section of ~/.pypirc (its `repository`, `username` and `password`); default `pypi`.
    #[arg(long, short = 'r', value_name = "NAME")]
    pub repository: Option<String>,
    /// Read repositories from FILE instead of ~/.pypirc.
    #[arg(long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    /// Allow plain HTTP to an index that is not on a loopback address (no credentials).
    #[arg(long)]
    pub insecure: bool,
    /// With --insecure: send credentials over that plain HTTP too (in clear text).
    #[arg(long, requires = "insecure")]
    pub allow_insecure_credentials: bool,
}

/// `slipway publish pypi`
#[derive(Debug, Args)]
pub struct PublishPypiArgs {
    /// The wheels and sdists to upload (default: everything in dist/).
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// The release being published (SemVer or PEP 440); a file of any other version is refused.
    #[arg(long, value_name = "VERSION")]
    pub release: Option<String>,
    /// Leave files the index already holds with other content (same content is always fine).
    #[arg(long)]
    pub skip_existing: bool,
    /// Check the files and the index, upload nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where and how.
    #[command(flatten)]
    pub index: PypiIndexArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway verify pypi`
#[derive(Debug, Args)]
pub struct VerifyPypiArgs {
    /// The project name.
    pub name: String,
    /// The version (SemVer or PEP 440).
    #[arg(value_name = "VERSION")]
    pub release: String,
    /// Local files that must be on the index with the same sha256.
    #[arg(long, value_name = "FILES", num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// How long to wait for the index to list the release, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Where.
    #[command(flatten)]
    pub index: PypiIndexArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}

/// `slipway yank pypi`
#[derive(Debug, Args)]
pub struct YankPypiArgs {
    /// The project name.
    pub name: String,
    /// The version (SemVer or PEP 440).
    #[arg(value_name = "VERSION")]
    pub release: String,
    /// Really delete, on an index that can (without it the files are listed and nothing changes).
    #[arg(long)]
    pub confirm: bool,
    /// Where and how.
    #[command(flatten)]
    pub index: PypiIndexArgs,
    /// `--json`.
    #[command(flatten)]
    pub output: super::JsonArgs,
}
