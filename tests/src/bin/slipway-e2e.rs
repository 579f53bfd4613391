//! The `slipway` program, built inside this package so that its end-to-end tests can run it as
//! `env!("CARGO_BIN_EXE_slipway-e2e")`: Cargo only builds binaries of the package under test.
//! It is the same two lines as `crates/cli/src/main.rs`.

fn main() -> std::process::ExitCode {
    slipway::main()
}
