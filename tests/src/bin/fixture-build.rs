//! The build of the sample project in the end-to-end release tests, run as its `build` hook: what
//! `python -m build` and `docker buildx build --output type=oci` do for a real project, made from the
//! tests' own builders so that no network and no Docker engine is needed.
//!
//! `fixture-build NAME` reads the version being released from `SLIPWAY_VERSION` (as slipway's hooks
//! set it), empties `dist/` and `build/image/`, and writes a wheel and an sdist of NAME at the version's
//! PEP 440 form, and a two-platform OCI image layout whose content depends on the version.
//! `fixture-build NAME DIRECTORY` writes only a second image (an operator next to the app), into
//! DIRECTORY, whose content depends on the directory and the version.

use anyhow::Context as _;
use slipway_tests::{oci_registry::layouts, pypiserver};

fn main() -> anyhow::Result<()> {
    let name = std::env::args()
        .nth(1)
        .context("usage: fixture-build NAME (with SLIPWAY_VERSION set)")?;
    let version = std::env::var("SLIPWAY_VERSION")
        .context("SLIPWAY_VERSION is not set: run me as a slipway hook")?;
    let semver = versioning::Version::parse(&version)?;
    if let Some(directory) = std::env::args().nth(2) {
        let image = std::path::Path::new(&directory);
        if image.exists() {
            fs_err::remove_dir_all(image)?;
        }
        fs_err::create_dir_all(image.join("blobs/sha256"))?;
        layouts::multi_arch(image, &format!("{directory} {version}"))?;
        return Ok(());
    }
    let pep440 = versioning::to_pep440(&semver)?.to_string();
    let dist = std::path::Path::new("dist");
    let image = std::path::Path::new("build/image");
    for directory in [dist, image] {
        if directory.exists() {
            fs_err::remove_dir_all(directory)?;
        }
        fs_err::create_dir_all(directory)?;
    }
    fs_err::create_dir_all(image.join("blobs/sha256"))?;
    pypiserver::build_sdist(dist, &name, &pep440, &version)?;
    pypiserver::build_wheel(dist, &name, &pep440, &version)?;
    layouts::multi_arch(image, &version)?;
    Ok(())
}
