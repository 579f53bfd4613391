//! Errors of the PyPI client, one enum per stage: reading artifacts, authenticating, publishing, reading
//! the index, yanking.

use std::path::PathBuf;

use crate::retry::RetryError;

/// A distribution file that cannot be published as it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file name is not that of a wheel (`.whl`) or a source distribution (`.tar.gz`).
    #[error(
        "{} is not a Python distribution: expected a wheel (name-version-python-abi-platform.whl) or an sdist (name-version.tar.gz)",
        path.display()
    )]
    UnknownKind {
        /// The file.
        path: PathBuf,
    },
    /// The file name does not follow the wheel (PEP 427) or sdist (PEP 625) naming rules.
    #[error("{} has a malformed file name: {reason}", path.display())]
    BadFileName {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The archive has no core metadata (`*.dist-info/METADATA` in a wheel, `*/PKG-INFO` in an sdist).
    #[error("{} has no {expected}; is it a complete build?", path.display())]
    MissingMetadata {
        /// The file.
        path: PathBuf,
        /// The member looked for.
        expected: &'static str,
    },
    /// The archive could not be read as a zip or tar.gz.
    #[error("{} is not a readable {format} archive", path.display())]
    Archive {
        /// The file.
        path: PathBuf,
        /// `zip` or `tar.gz`.
        format: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The core metadata lacks a required field or has an invalid one.
    #[error("{} has invalid core metadata: {reason}", path.display())]
    BadMetadata {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file name and the metadata inside disagree.
    #[error(
        "{} is named for {field} `{in_name}` but its metadata says `{in_metadata}`",
        path.display()
    )]
    NameMismatch {
        /// The file.
        path: PathBuf,
        /// `project` or `version`.
        field: &'static str,
        /// What the file name says.
        in_name: String,
        /// What the metadata says.
        in_metadata: String,
    },
    /// The file is not of the release being published (e.g. an rc build about to ship as the final release).
    #[error(
        "{} is version {found}, not the release being published ({expected}); rebuild it or publish {found} instead",
        path.display()
    )]
    WrongRelease {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: String,
        /// The release being published.
        expected: String,
    },
    /// The files to publish belong to more than one project.
    #[error("{} is project `{found}` but {} is project `{expected}`; publish one project at a time", path.display(), first.display())]
    MixedProjects {
        /// The odd file.
        path: PathBuf,
        /// Its project.
        found: String,
        /// The first file.
        first: PathBuf,
        /// The first file's project.
        expected: String,
    },
}

/// Credentials could not be obtained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A request of the trusted-publishing exchange failed.
    #[error("trusted publishing failed")]
    Request(#[source] RetryError),
    /// A step of the trusted-publishing exchange answered with an error.
    #[error("trusted publishing failed: {step} answered HTTP {status}: {message}")]
    Rejected {
        /// `audience`, `oidc token` or `mint-token`.
        step: &'static str,
        /// The HTTP status.
        status: u16,
        /// The server's explanation (secrets removed).
        message: String,
    },
    /// A step answered something that is not the documented JSON.
    #[error("trusted publishing failed: {step} answered an unexpected body")]
    BadResponse {
        /// The step.
        step: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The index could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The request failed.
    #[error("cannot read the index")]
    Request(#[source] RetryError),
    /// The index answered with an unexpected status (401 and 403: the read was refused, see
    /// [`IndexError::is_unauthorized`]).
    #[error("the index answered HTTP {status} for {url}{}", if matches!(status, 401 | 403) {
        "; the index refused to be read with the credentials given (or without any): set SLIPWAY_PYPI_TOKEN (or PYPI_TOKEN, or TWINE_USERNAME/TWINE_PASSWORD), or the index's section in ~/.pypirc"
    } else { "" })]
    Status {
        /// The status.
        status: u16,
        /// The URL (redacted).
        url: String,
    },
    /// The index answered something that is neither PEP 691 JSON, PEP 503 HTML nor PyPI's JSON API.
    #[error("the index page {url} could not be read")]
    BadResponse {
        /// The URL (redacted).
        url: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl IndexError {
    /// Whether the index refused the read for lack of (valid) credentials: HTTP 401 or 403. A caller that
    /// read anonymously may retry with credentials ([`super::PypiClient::without_credentials`]).
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            IndexError::Status {
                status: 401 | 403,
                ..
            }
        )
    }

    /// The HTTP status the index answered, when the failure is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            IndexError::Status { status, .. } => Some(*status),
            IndexError::Request(_) | IndexError::BadResponse { .. } => None,
        }
    }
}

/// A file could not be published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// Computing the digests failed.
    #[error("cannot read {} to hash it", path.display())]
    Hash {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Checking the index before or after the upload failed.
    #[error("cannot check whether {filename} is already on the index")]
    Index {
        /// The file.
        filename: String,
        /// The cause.
        #[source]
        source: IndexError,
    },
    /// The index already holds a file of that name with other content. File names can never be reused
    /// on PyPI, even after deletion, so the fix is a new version (or a new build number for a wheel).
    #[error(
        "{filename} is already on the index with sha256 {remote_sha256}, but the local file has sha256 {local_sha256}; a published file can never be replaced: publish a new version (or use --skip-existing to leave it)"
    )]
    Conflict {
        /// The file.
        filename: String,
        /// The local file's sha256.
        local_sha256: String,
        /// The index's sha256 for that file name.
        remote_sha256: String,
    },
    /// The index holds the file cut short: an upload killed or broken half-way that the index kept
    /// (pypiserver stores what it received).
    #[error(
        "interrupted upload of {filename}: {on_index} of {local} bytes on the index. Where the index allows removal (pypiserver, a private index), remove it (`slipway yank pypi PROJECT VERSION --repository-url URL --confirm`) and resume (`slipway release --resume`); PyPI itself never takes a file name twice, so there the way on is a new version"
    )]
    Interrupted {
        /// The file.
        filename: String,
        /// Its bytes on the index.
        on_index: u64,
        /// Its bytes here.
        local: u64,
    },
    /// The index said the file exists, but does not list it (yet) so its content cannot be compared.
    #[error(
        "the index rejected {filename} as already existing (HTTP {status}) but does not list it, so its content cannot be compared; check the project page and rerun"
    )]
    ExistsUnlisted {
        /// The file.
        filename: String,
        /// The status of the rejected upload.
        status: u16,
    },
    /// The upload request failed.
    #[error("cannot upload {filename}")]
    Request {
        /// The file.
        filename: String,
        /// The cause.
        #[source]
        source: RetryError,
    },
    /// The index refused the credentials.
    #[error(
        "the index refused the credentials for {filename} (HTTP {status}): {message}; check the token and that it may upload to this project"
    )]
    Unauthorized {
        /// The file.
        filename: String,
        /// 401 or 403.
        status: u16,
        /// The server's explanation (secrets removed).
        message: String,
    },
    /// The upload URL redirected, which means it is not an upload endpoint (a missing trailing slash on
    /// `…/legacy/`, or a web page).
    #[error(
        "the upload to {url} was redirected to {location}; use the index's upload URL (for PyPI https://upload.pypi.org/legacy/)"
    )]
    Redirected {
        /// The upload URL (redacted).
        url: String,
        /// Where it pointed (redacted).
        location: String,
    },
    /// The index rejected the upload.
    #[error("the index rejected {filename} (HTTP {status}): {message}")]
    Rejected {
        /// The file.
        filename: String,
        /// The status.
        status: u16,
        /// The server's explanation (secrets removed).
        message: String,
    },
}

/// A release could not be verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The index could not be read.
    #[error("cannot verify {project} {version}")]
    Index {
        /// The project.
        project: String,
        /// The version.
        version: String,
        /// The cause.
        #[source]
        source: IndexError,
    },
}

impl VerifyError {
    /// Whether the index refused to be read for lack of (valid) credentials (see
    /// [`IndexError::is_unauthorized`]).
    pub fn is_unauthorized(&self) -> bool {
        match self {
            VerifyError::Index { source, .. } => source.is_unauthorized(),
        }
    }
}

/// A release could not be removed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum YankError {
    /// Listing the release's files failed.
    #[error("cannot list {project} {version} on the index")]
    Index {
        /// The project.
        project: String,
        /// The version.
        version: String,
        /// The cause.
        #[source]
        source: IndexError,
    },
    /// The removal request failed.
    #[error("cannot remove {project} {version}")]
    Request {
        /// The project.
        project: String,
        /// The version.
        version: String,
        /// The cause.
        #[source]
        source: RetryError,
    },
    /// The index refused the removal.
    #[error("the index refused to remove {project} {version} (HTTP {status}): {message}")]
    Rejected {
        /// The project.
        project: String,
        /// The version.
        version: String,
        /// The status.
        status: u16,
        /// The server's explanation (secrets removed).
        message: String,
    },
    /// No form of the name removed the release: the index answered 404 to each, or still lists its files.
    #[error(
        "the index did not remove {project} {version}: it still lists {remaining} (tried {tried})"
    )]
    NotRemoved {
        /// The project.
        project: String,
        /// The version.
        version: String,
        /// The file names still listed, comma-separated.
        remaining: String,
        /// Each name and version sent, with the index's answer.
        tried: String,
    },
}
