//! Integration tests of the `slipway` binary on real temporary repositories.

mod changelog;
mod flow;
mod fuzz;
mod hostile;
mod json;
mod monorepo;
mod races;
mod release;
mod release_state;
mod support;
mod tooling;
mod version;
