//! Publishing over HTTP: PyPI, OCI registries and GitHub Releases.
#![warn(missing_docs)]

pub mod access;
pub mod github;
pub mod oci;
pub mod pypi;
pub mod redact;
pub mod retry;
