//! Integration tests of the `slipway` binary on real temporary repositories.

mod changelog;
mod support;
mod version;
