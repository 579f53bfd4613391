//! Publishing Python distributions: check, upload, verify and remove on PyPI and private indexes.
//!
//! - [`Artifact::read`] opens a wheel or an sdist, reads its core metadata and checks the file name against
//!   it (PEP 427 / PEP 625 names, PEP 503 / PEP 440 normalisation); [`Artifact::check_release`] refuses a file
//!   of another version than the release (the "rc shipped as final" mistake).
//! - [`PypiClient::publish`] uploads through the legacy upload API (one multipart POST per file, the file
//!   streamed from disk, sha256 and blake2b-256 computed beforehand in one pass), sdists first.
//!   It reads the index before each upload, so a rerun resumes: a file already there with the same sha256 is
//!   published; one with another sha256 is an error naming both hashes. Retries go through [`crate::retry`].
//! - [`PypiClient::verify`] checks a release through the simple index (PEP 691 JSON, PEP 503 HTML) or
//!   Warehouse's JSON API, polling for index lag.
//! - [`PypiClient::remove`] deletes a release where the index allows it (pypiserver) and reports
//!   [`YankOutcome::ManualActionRequired`] with the management page on PyPI, which has no API for it.
//! - [`PypiClient::check_credentials`] tells, with reads only, whether the index will accept the credentials
//!   ([`crate::access::AccessCheck`]; on Warehouse it sends nothing and checks a token's shape).
//!   [`IndexError::is_unauthorized`] tells a refused read from other failures, so a verify can read
//!   anonymously ([`PypiClient::without_credentials`]) and retry with credentials;
//!   [`PypiClient::verify_with_progress`] reports each poll to a [`VerifyProgress`].
//! - [`trusted_publishing`] trades a GitHub Actions OIDC token for a short-lived upload token.
//!
//! Deliberately not done here: reading the environment or `~/.pypirc` (the CLI does, and passes
//! [`Credentials`] in), printing (progress goes to a [`Progress`] the caller implements), building
//! distributions, and ever deleting a file to retry an upload (PyPI never lets a file name be reused).

mod artifact;
mod auth;
mod check;
pub(crate) mod client;
mod error;
mod index;

pub use artifact::{Artifact, ArtifactKind, CoreMetadata, normalize_name, upload_order};
pub use auth::{GithubOidc, trusted_publishing};
pub use client::{
    Digests, ExpectedFile, NoProgress, Poll, Progress, PublishOptions, PypiClient, UploadOutcome,
    UploadStatus, Verification, VerifyProgress, YankOutcome, digests,
};
pub use error::{ArtifactError, AuthError, IndexError, PublishError, VerifyError, YankError};
pub use index::{Credentials, IndexFile, IndexUrls};
