//! Errors of the OCI client, one enum per stage: reading a layout, talking to a registry.

use std::path::PathBuf;

use crate::retry::RetryError;

/// An OCI image layout that cannot be pushed: unreadable, malformed, or with a blob whose bytes do not match
/// its digest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// A file of the layout could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file (or tar archive) that failed.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The layout is not shaped as the OCI image-layout specification says.
    #[error("{path} is not a usable OCI image layout: {reason}")]
    Invalid {
        /// The layout directory or tar archive.
        path: PathBuf,
        /// What is wrong, and where.
        reason: String,
    },
    /// A JSON document of the layout (index.json, a manifest) does not parse.
    #[error("{path}: {what} is not valid JSON for its media type")]
    Json {
        /// The layout.
        path: PathBuf,
        /// Which document.
        what: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A blob's content does not hash to its name, or has another size than its descriptor says.
    #[error("{path}: blob {digest} is corrupt: {reason}; rebuild the image layout")]
    Corrupt {
        /// The layout.
        path: PathBuf,
        /// The digest the blob is stored under.
        digest: String,
        /// What differs.
        reason: String,
    },
}

/// A failed registry operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OciError {
    /// An image reference or repository name that does not parse.
    #[error("invalid image reference {input:?}: {reason}")]
    InvalidReference {
        /// What was given.
        input: String,
        /// Why it was refused.
        reason: String,
    },
    /// Plain HTTP was requested for a registry that is not on a loopback address.
    #[error(
        "refusing plain HTTP to {registry}: only loopback registries are reached without TLS unless insecure mode is on (--insecure)"
    )]
    InsecureRefused {
        /// The registry host.
        registry: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A request could not be sent or did not complete, after retries.
    #[error(transparent)]
    Transport(#[from] RetryError),
    /// Reading a response body failed.
    #[error("cannot read the response to {what}")]
    Body {
        /// The operation.
        what: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The registry (or its token service) refused the credentials, or wants some and none were given.
    #[error("{registry} refused access to {what} ({status}): {hint}")]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// The operation.
        what: String,
        /// 401 or 403.
        status: u16,
        /// What to do about it.
        hint: String,
    },
    /// The registry answered with an unexpected status.
    #[error("{what} failed: {registry} answered {status}{}", if detail.is_empty() { String::new() } else { format!(" ({detail})") })]
    Status {
        /// The operation.
        what: String,
        /// The registry host.
        registry: String,
        /// The HTTP status.
        status: u16,
        /// The registry's error codes and messages, redacted and shortened.
        detail: String,
    },
    /// A response violated the protocol (a missing `Location`, an unparsable token answer, ...).
    #[error("{what}: unexpected answer from {registry}: {reason}")]
    Protocol {
        /// The operation.
        what: String,
        /// The registry host.
        registry: String,
        /// What was wrong.
        reason: String,
    },
    /// A tag or digest that does not exist.
    #[error("{reference} not found")]
    NotFound {
        /// The reference, as given.
        reference: String,
    },
    /// Content whose digest differs from the one asked for.
    #[error("{what}: expected digest {expected}, got {actual}")]
    DigestMismatch {
        /// What was fetched or uploaded.
        what: String,
        /// The digest asked for.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// `latest` would point at a pre-release.
    #[error(
        "refusing to point `latest` at pre-release {version}: `latest` is for stable releases (pass --force to do it anyway)"
    )]
    LatestToPrerelease {
        /// The pre-release version (the other tag).
        version: String,
    },
    /// The registry refuses manifest deletion altogether.
    #[error("{registry} refuses to delete manifests ({status}): {hint}")]
    DeleteUnsupported {
        /// The registry host.
        registry: String,
        /// The status it answered (405 on GHCR).
        status: u16,
        /// The alternative.
        hint: String,
    },
    /// A blob needed in the target repository could not be mounted and is not available locally.
    #[error(
        "blob {digest} could not be mounted from {from} into {into}; copy the image with `slipway publish oci` from a layout instead"
    )]
    MountRefused {
        /// The blob.
        digest: String,
        /// The source repository.
        from: String,
        /// The target repository.
        into: String,
    },
    /// A manifest fetched from a registry does not parse.
    #[error("{what}: the manifest is not valid JSON for {media_type}")]
    Manifest {
        /// Which manifest.
        what: String,
        /// The media type it was served with.
        media_type: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A layout could not be read or verified.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// Docker's `config.json` does not parse.
    #[error("cannot read docker credentials: {reason}")]
    DockerConfig {
        /// What is wrong with it (never its secrets).
        reason: String,
    },
}

impl OciError {
    /// Whether the registry (or its token service) refused for lack of (valid) credentials or permission:
    /// a read that failed with this anonymously may be retried with credentials.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, OciError::Unauthorized { .. })
    }
}
