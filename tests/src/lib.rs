//! Harnesses for slipway's end-to-end tests: real servers started on 127.0.0.1 with free ports and
//! stopped on drop, and the way to run the real `slipway` program.
//!
//! Run the CLI from a test in `tests/tests/*.rs` as
//! `std::process::Command::new(env!("CARGO_BIN_EXE_slipway-e2e"))`: that binary is `slipway` itself
//! (see `src/bin/slipway-e2e.rs`), built by Cargo for this package's tests.

pub mod crate_registry;
pub mod fault_proxy;
pub mod github_fake;
pub mod oci_registry;
pub mod pypiserver;
pub mod token_issuer;
