//! Publishing over HTTP: PyPI, OCI registries and GitHub Releases.
#![warn(missing_docs)]
