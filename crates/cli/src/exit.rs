//! Errors that choose the exit code.

use std::fmt;

/// Bad input from the user (an argument, a version, a file they named): exit code 2.
///
/// The message names the input and says how to fix it; the underlying error, if any, is its source.
#[derive(Debug)]
pub struct BadInput(anyhow::Error);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` keeps the one-line "context: cause" form of the wrapped chain.
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for BadInput {}

/// Marks an error as the user's bad input, so that `slipway` exits with code 2.
pub fn bad_input(error: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(BadInput(error.into()))
}

/// A check ran and found problems, which it has already printed: exit code 1 with no further message.
#[derive(Debug)]
pub struct CheckFailed;

impl fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("check failed")
    }
}

impl std::error::Error for CheckFailed {}
