//! The `slipway` library: the release pipeline, and on top of it the command line.
//!
//! Two layers, and nothing below imports anything above:
//!
//! - **The pipeline** (everything but [`cli`]): the [`Context`](context::Context) of a run (the
//!   project, the repository, the injected [environment](env), one async runtime, the resolved
//!   publish [targets]); the [`release`] plan, its preflight, its steps and journal; `verify`,
//!   `rollback` and `check`. It is a typed API: [`release::plan`], [`release::start`],
//!   [`release::run`] return [`Error`]s whose [`ErrorKind`] chooses the exit code. `cargo xtask
//!   release` and other tools embed it directly.
//! - **The presentation** ([`cli`]): arguments (clap), one handler per command group, and printing.
//!   It reads the process environment once, builds the context, calls the pipeline, and prints.
//!
//! Output discipline: data goes to stdout, logs and progress to stderr.
//! Exit codes: `0` success, `1` a failure or a check that found a problem, `2` bad input (an argument,
//! a version, a file the user named), which always comes with a one-line error naming the input.
#![warn(missing_docs)]

pub mod changes;
pub mod cli;
pub mod config;
pub mod context;
pub mod crates;
pub mod credentials;
pub mod env;
mod error;
pub mod files;
pub mod fsutil;
pub mod history;
pub mod lint;
pub mod packages;
pub mod project;
pub mod release;
pub mod tags;
pub mod targets;
pub mod version_files;
pub mod workflows;

pub use cli::{main, run_args};
pub use error::{BadInput, CheckFailed, Error, ErrorKind, Result, bad_input};
