//! Errors of crate registries: reading an index, running `cargo publish`.

/// A crate registry could not be read or published to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CratesError {
    /// The index could not be read.
    #[error("cannot read the crate index {url}: {reason}")]
    Index {
        /// The index (credentials removed).
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A program could not be started.
    #[error("cannot run {program}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `cargo publish` failed.
    #[error("`cargo publish --package {package}` failed ({status}): {stderr}")]
    Publish {
        /// The package.
        package: String,
        /// Its exit status.
        status: String,
        /// cargo's stderr (secrets removed).
        stderr: String,
    },
}
