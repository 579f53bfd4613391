//! Integration tests of the `slipway` binary on real temporary repositories.

mod changelog;
mod release;
mod support;
mod version;
