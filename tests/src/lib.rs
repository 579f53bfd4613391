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

/// The real `slipway` (`program`, the test's `env!("CARGO_BIN_EXE_slipway-e2e")`) in `repo`, as a
/// release engineer runs it: credentials for `pypi` and the (fake) GitHub `token`, a fixed release
/// date, and none of the variables a developer's or CI's environment would add.
pub fn release_command(
    program: &str,
    repo: &gitops::test_support::TestRepo,
    pypi: &pypiserver::PypiServer,
    token: &str,
) -> std::process::Command {
    let mut command = repo.command(program);
    command
        .env("TWINE_USERNAME", pypi.username())
        .env("TWINE_PASSWORD", pypi.password())
        .env("GITHUB_TOKEN", token)
        .env("SOURCE_DATE_EPOCH", "1763683200")
        .env_remove("SLIPWAY_PYPI_TOKEN")
        .env_remove("PYPI_TOKEN")
        .env_remove("GITHUB_ACTIONS");
    command
}
