//! Installs what the tests and benchmarks need, or checks that it is there.
//!
//! Debian packages: `docker-registry` (distribution 2.8, the OCI registry the tests start), `skopeo`
//! (the reference OCI client), `time` (GNU time, for peak memory in benchmarks), `man-db` (renders
//! the man page), `zsh` and `fish` (parse the completion scripts with `-n`).
//! Python packages: `pypiserver` with `passlib` and `bcrypt<4.1` (passlib crashes on bcrypt
//! htpasswd files with bcrypt 4.1 and later), `packaging` (the PEP 440 reference), `twine` and
//! `build` (the reference uploader and builder), `maturin` (builds slipway's own wheel, the same
//! range as crates/cli/pyproject.toml's build-system).
//! Cargo packages: `cargo-http-registry` (a crate registry the crate-publishing tests start on
//! loopback), installed with `cargo install`.

use std::process::Command;

use anyhow::{Context as _, bail};

const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    ("docker-registry", "/usr/bin/docker-registry"),
    ("skopeo", "/usr/bin/skopeo"),
    ("time", "/usr/bin/time"),
    ("man-db", "/usr/bin/man"),
    ("zsh", "/usr/bin/zsh"),
    ("fish", "/usr/bin/fish"),
];

const PYTHON_MODULES: &[&str] = &[
    "pypiserver",
    "passlib",
    "bcrypt",
    "packaging",
    "twine",
    "build",
    "check_jsonschema",
    "maturin",
];
const PYTHON_REQUIREMENTS: &[&str] = &[
    "pypiserver",
    "passlib",
    "bcrypt<4.1",
    "packaging",
    "twine",
    "build",
    "check-jsonschema",
    "maturin>=1.5,<2",
];

const CARGO_PACKAGES: &[(&str, &str)] = &[("cargo-http-registry", "cargo-http-registry")];

pub(crate) fn all() -> anyhow::Result<()> {
    debian()?;
    python()?;
    cargo_packages()
}

/// `cargo install`s the crate-registry server, unless its binary runs already.
fn cargo_packages() -> anyhow::Result<()> {
    for (package, binary) in CARGO_PACKAGES {
        // Its `--version` exits 1 after printing: that it runs at all is the check.
        let present = Command::new(binary).arg("--version").output().is_ok();
        if present {
            continue;
        }
        eprintln!("installing {package} with cargo install");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        crate::run(Command::new(cargo).args(["install", "--locked", package]))?;
    }
    Ok(())
}

fn debian() -> anyhow::Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(_, binary)| !std::path::Path::new(binary).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "the tests need the Debian packages {missing:?}: run `sudo apt-get install {}`",
            missing.join(" ")
        );
    }
    eprintln!("installing Debian packages {missing:?}");
    crate::run(
        Command::new("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    crate::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn python() -> anyhow::Result<()> {
    let python = which("python3").context("the tests need python3 (with pip): install it first")?;
    let probe = format!("import {}", PYTHON_MODULES.join(", "));
    let present = Command::new(&python)
        .args(["-c", &probe])
        .output()
        .is_ok_and(|output| output.status.success());
    if present {
        return Ok(());
    }
    eprintln!("installing Python packages {PYTHON_REQUIREMENTS:?}");
    crate::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(PYTHON_REQUIREMENTS),
    )
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}
