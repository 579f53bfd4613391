//! The integration tests of `registry`, one binary with a module per area.

mod github;
mod oci;
mod pypi;
mod pypi_fake;
