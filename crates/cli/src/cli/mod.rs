//! The presentation layer: the command line's arguments, one handler per command group, and
//! printing. Handlers turn arguments into the pipeline's types, call it, and print what it returns;
//! they hold no release logic of their own.
//!
//! This is the only place that reads the process environment ([`crate::env::ProcessEnvironment`])
//! and the terminal.

pub mod args;
pub mod commands;
pub mod json;
mod progress;

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::{BadInput, CheckFailed};

/// Runs `slipway` with the process's arguments, printing errors to stderr.
pub fn main() -> ExitCode {
    run_args(std::env::args_os())
}

/// Runs `slipway` with the given arguments (the first is the program name), printing errors to stderr.
pub fn run_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = args::Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| {
            args::Cli::from_arg_matches(&matches).map(|cli| (cli, json::requested(&matches)))
        });
    let (cli, json) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            // clap prints help and version to stdout with exit 0, usage errors to stderr with exit 2.
            let code = u8::try_from(error.exit_code()).unwrap_or(2);
            let _ = error.format(&mut args::Cli::command()).print();
            return ExitCode::from(code);
        }
    };
    init_logging(&cli.global);
    // How long a registry request may take with its retries (seconds; default 300).
    if let Some(seconds) = std::env::var("SLIPWAY_RETRY_BUDGET")
        .ok()
        .and_then(|value| value.trim().parse::<u64>().ok())
    {
        registry::retry::set_default_budget(std::time::Duration::from_secs(seconds));
    }
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error, json),
    }
}

fn init_logging(global: &args::GlobalArgs) {
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLIPWAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours for people at a terminal only: not in a file, a pipe, or with NO_COLOR set.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .without_time()
        .with_target(false)
        .try_init();
}

/// Prints an error chain to stderr (and, with `--json`, an error object to stdout) and chooses the
/// exit code.
fn report(error: &anyhow::Error, json: bool) -> ExitCode {
    if is_broken_pipe(error) {
        // `slipway changelog | head` is a success: the reader had all it wanted.
        return ExitCode::SUCCESS;
    }
    if error.downcast_ref::<CheckFailed>().is_some() {
        // The check printed its findings already.
        return ExitCode::from(1);
    }
    let code = if error.chain().any(<dyn std::error::Error>::is::<BadInput>) {
        2
    } else {
        1
    };
    if json {
        let value = json::error(error, code);
        let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {error:#}");
    ExitCode::from(code)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
