//! Errors and the exit codes they choose.
//!
//! Inside the library, errors are `anyhow` chains with context at each level; two markers in a chain
//! decide how it ends: [`BadInput`] (the user's input is wrong: exit 2) and [`CheckFailed`] (a check
//! ran and printed its findings: exit 1). The typed entry points of the release pipeline return an
//! [`Error`], whose [`ErrorKind`] says which, so that a tool embedding slipway (and `cargo xtask
//! release`) can act on it without parsing messages.

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

/// What kind of failure an [`Error`] is, and so the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is wrong (an argument, the configuration, a file the user named): exit 2.
    BadInput,
    /// The world is not ready (a precondition of a release), or a step failed: exit 1.
    Failed,
    /// A check ran and has already reported what it found: exit 1, nothing more to print.
    CheckFailed,
}

impl ErrorKind {
    /// The process exit code for this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::BadInput => 2,
            ErrorKind::Failed | ErrorKind::CheckFailed => 1,
        }
    }
}

/// An error of the `slipway` library's typed API: the whole chain of causes, and its kind.
pub struct Error {
    kind: ErrorKind,
    inner: anyhow::Error,
}

impl Error {
    /// The kind, which chooses the exit code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The chain of causes, outermost first, as `anyhow` holds it.
    pub fn chain(&self) -> anyhow::Chain<'_> {
        self.inner.chain()
    }

    /// The underlying `anyhow` error.
    pub fn into_anyhow(self) -> anyhow::Error {
        self.inner
    }
}

impl From<anyhow::Error> for Error {
    fn from(inner: anyhow::Error) -> Error {
        let kind = if inner.downcast_ref::<CheckFailed>().is_some() {
            ErrorKind::CheckFailed
        } else if inner.chain().any(<dyn std::error::Error>::is::<BadInput>) {
            ErrorKind::BadInput
        } else {
            ErrorKind::Failed
        };
        Error { kind, inner }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.inner)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.kind, self.inner)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

/// A result of the typed API.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_comes_from_the_markers_in_the_chain() {
        let bad = Error::from(bad_input(anyhow::anyhow!("--pre: empty")).context("release"));
        assert_eq!(bad.kind(), ErrorKind::BadInput);
        assert_eq!(bad.kind().exit_code(), 2);
        assert_eq!(bad.to_string(), "release: --pre: empty");
        let failed = Error::from(anyhow::anyhow!("push refused"));
        assert_eq!(failed.kind().exit_code(), 1);
        let check = Error::from(anyhow::Error::new(CheckFailed));
        assert_eq!(check.kind(), ErrorKind::CheckFailed);
    }
}
