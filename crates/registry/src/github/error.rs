//! Errors of the GitHub Releases client, one enum per stage: configuring the client, one API call, a
//! release, an asset.

use std::path::PathBuf;

use crate::retry::RetryError;

/// The client cannot be set up from what was given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither `GH_TOKEN` nor `GITHUB_TOKEN` holds a token.
    #[error(
        "no GitHub token: set GITHUB_TOKEN or GH_TOKEN to a token that may write the repository's contents (in GitHub Actions: `permissions: contents: write` and `GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}`)"
    )]
    MissingToken,
    /// The repository is not written `owner/name`.
    #[error(
        "invalid GitHub repository {value:?}: expected `owner/name`, such as `octo-org/hangar`"
    )]
    BadRepository {
        /// What was given.
        value: String,
    },
    /// No repository was given and `GITHUB_REPOSITORY` is not set.
    #[error(
        "no GitHub repository: set `repository = \"owner/name\"` under [github] in the configuration (or GITHUB_REPOSITORY)"
    )]
    MissingRepository,
    /// The API base URL does not parse or cannot be a base.
    #[error(
        "invalid GitHub API URL {url:?}: expected an http(s) URL such as https://api.github.com"
    )]
    BadApiUrl {
        /// What was given (redacted).
        url: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// One API call that failed: the request itself, or the answer GitHub gave.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request could not be sent or completed, after retries.
    #[error(transparent)]
    Request(#[from] RetryError),
    /// GitHub refused the token (401): missing, expired or revoked.
    #[error(
        "GitHub refused the token (HTTP 401): {message}; set GITHUB_TOKEN or GH_TOKEN to a valid token"
    )]
    Unauthorized {
        /// GitHub's explanation (secrets removed).
        message: String,
    },
    /// GitHub accepted the token but not the operation (403): a missing scope or permission.
    #[error(
        "GitHub forbids this with the given token (HTTP 403): {message}; the token needs `contents: write` on {repository} (a fine-grained or Actions token), or the `repo` scope (a classic token)"
    )]
    Forbidden {
        /// `owner/name`.
        repository: String,
        /// GitHub's explanation (secrets removed).
        message: String,
    },
    /// The API rate limit is exhausted (403 or 429 with `x-ratelimit-remaining: 0`).
    #[error("GitHub's API rate limit is exhausted (HTTP {status}): {message}; retry after {reset}")]
    RateLimited {
        /// 403 or 429.
        status: u16,
        /// GitHub's explanation.
        message: String,
        /// When the limit resets, as `x-ratelimit-reset` says (Unix seconds), or `a while`.
        reset: String,
    },
    /// The repository does not exist, or the token cannot see it (private repositories answer 404).
    #[error(
        "repository {repository} not found at {api}, or the token cannot see it (a private repository answers 404 to a token without access)"
    )]
    RepositoryNotFound {
        /// `owner/name`.
        repository: String,
        /// The API base URL (redacted).
        api: String,
    },
    /// GitHub rejected the request's content (422), with its explanation.
    #[error("GitHub rejected the request (HTTP 422): {message}")]
    Validation {
        /// The message and each error's details, joined (secrets removed).
        message: String,
        /// The `code` of each error (`already_exists`, `missing_field`, `invalid`, ...).
        codes: Vec<String>,
    },
    /// Any other unexpected status.
    #[error("GitHub answered HTTP {status} for {url}: {message}")]
    Status {
        /// The status.
        status: u16,
        /// The request URL (redacted).
        url: String,
        /// GitHub's explanation (secrets removed).
        message: String,
    },
    /// The answer is not the documented JSON.
    #[error("GitHub's answer from {url} could not be read")]
    BadResponse {
        /// The request URL (redacted).
        url: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ApiError {
    /// The HTTP status GitHub answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Request(_) | ApiError::BadResponse { .. } => None,
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::RepositoryNotFound { .. } => Some(404),
            ApiError::Validation { .. } => Some(422),
            ApiError::RateLimited { status, .. } | ApiError::Status { status, .. } => Some(*status),
        }
    }
}

/// A release could not be read, created or updated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// Looking the release up failed.
    #[error("cannot look up the release for tag {tag} in {repository}")]
    Lookup {
        /// The tag.
        tag: String,
        /// `owner/name`.
        repository: String,
        /// The cause.
        #[source]
        source: ApiError,
    },
    /// Creating the release failed.
    #[error("cannot create the release for tag {tag} in {repository}")]
    Create {
        /// The tag.
        tag: String,
        /// `owner/name`.
        repository: String,
        /// The cause.
        #[source]
        source: ApiError,
    },
    /// Updating the release failed.
    #[error("cannot update the release for tag {tag} in {repository}")]
    Update {
        /// The tag.
        tag: String,
        /// `owner/name`.
        repository: String,
        /// The cause.
        #[source]
        source: ApiError,
    },
    /// There is no release for the tag (for operations that need one, such as a known-issues note).
    #[error(
        "{repository} has no GitHub release for tag {tag}; create it first (`slipway release --resume`)"
    )]
    NotFound {
        /// The tag.
        tag: String,
        /// `owner/name`.
        repository: String,
    },
    /// The spec is not one GitHub accepts.
    #[error("invalid release for tag {tag:?}: {reason}")]
    InvalidSpec {
        /// The tag.
        tag: String,
        /// What is wrong.
        reason: String,
    },
}

/// A release asset could not be uploaded, checked or replaced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssetError {
    /// The local file could not be read (or hashed).
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The path has no usable file name to name the asset by.
    #[error("{} has no file name to name the release asset by", path.display())]
    NoFileName {
        /// The path.
        path: PathBuf,
    },
    /// Listing the release's assets failed.
    #[error("cannot list the assets of release {tag}")]
    List {
        /// The release's tag.
        tag: String,
        /// The cause.
        #[source]
        source: ApiError,
    },
    /// Deleting an outdated asset failed.
    #[error("cannot delete the outdated asset {name} of release {tag}")]
    Delete {
        /// The asset.
        name: String,
        /// The release's tag.
        tag: String,
        /// The cause.
        #[source]
        source: ApiError,
    },
    /// The upload failed.
    #[error("cannot upload {name} to release {tag}")]
    Upload {
        /// The asset.
        name: String,
        /// The release's tag.
        tag: String,
        /// The cause.
        #[source]
        source: ApiError,
    },
    /// GitHub holds other bytes than were sent, after the upload was accepted.
    #[error(
        "GitHub stored {name} on release {tag} as {found}, but the local file is {expected}; upload it again"
    )]
    Mismatch {
        /// The asset.
        name: String,
        /// The release's tag.
        tag: String,
        /// The local file's `sha256:…` or size.
        expected: String,
        /// What GitHub reports.
        found: String,
    },
    /// The release's `upload_url` is not usable.
    #[error("release {tag} has an unusable upload URL {url:?}")]
    BadUploadUrl {
        /// The release's tag.
        tag: String,
        /// The URL (redacted).
        url: String,
    },
}

/// A release could not be verified (as opposed to verified and found wanting, which is a
/// [`ReleaseVerification`](super::ReleaseVerification) that is not ok).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Reading the release failed.
    #[error(transparent)]
    Release(#[from] ReleaseError),
    /// Listing its assets failed.
    #[error(transparent)]
    Asset(#[from] AssetError),
}

/// The access check could not ask GitHub (as opposed to asking and being refused, which is an
/// [`AccessCheck::Rejected`](crate::access::AccessCheck::Rejected)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The client cannot be set up (no repository, a bad API URL).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The request failed, or GitHub answered something other than a refusal.
    #[error("cannot check the GitHub token's access")]
    Api(#[from] ApiError),
}
