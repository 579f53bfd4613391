//! Publishing over HTTP: PyPI, OCI registries, GitHub Releases and crate registries.
//!
//! - [`pypi`]: artifacts, streamed uploads, verification through the simple index, removal, trusted publishing.
//! - [`oci`]: image layouts, push, retag, verify, delete, on our own distribution-API client.
//! - [`github`]: releases and their assets through the documented REST endpoints.
//! - [`crates`]: crate registries: whether an index serves a version, and `cargo publish`.
//! - [`retry`] and [`redact`]: one retry mechanism for all three, and URLs and texts printed without secrets.
//!
//! # Checking access before a release
//!
//! A release should stop before its first mutation when a target will refuse it. Each client answers, with
//! reads only, whether its target will accept the credentials, as an [`access::AccessCheck`]:
//!
//! | target | check | accepted when | unverifiable when |
//! |---|---|---|---|
//! | PyPI-like index | [`pypi::PypiClient::check_credentials`]: the simple index root read without and with the credentials | the index refused the anonymous read and allowed the authenticated one | anyone may read (pypiserver `-a update`); Warehouse, where only a token's shape is checked and nothing is sent |
//! | OCI registry | [`oci::OciClient::check_push_access`]: the token service asked for `pull,push`, or `GET /v2/` with Basic auth | the token grants `push` (JWT `access` claim or `scope`), or Basic credentials are valid | the registry is open, or the token's grants cannot be read |
//! | GitHub | [`github::GithubClient::check_access`]: `GET /repos/{owner}/{repo}` | `permissions.push` is true | the token is an installation token (GitHub does not report its permissions) |
//!
//! A rejection ([`access::AccessDenied`], also an error) names the target, what it refused, the kind of
//! refusal ([`access::Denial`]) and the fix, including the variables or files slipway reads credentials
//! from; it never holds a secret. A check returns `Err` only when it could not ask.
//!
//! Verification reads anonymously where it can: run it on a client without credentials
//! ([`pypi::PypiClient::without_credentials`], or [`oci::Credentials::Anonymous`]) and retry with
//! credentials when the error says the read was refused ([`pypi::IndexError::is_unauthorized`],
//! [`pypi::VerifyError::is_unauthorized`], [`oci::OciError::is_unauthorized`]).
//! [`pypi::PypiClient::verify_with_progress`] reports every poll (attempt, elapsed time, what is missing).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use slipway_registry::access::AccessCheck;
//! use slipway_registry::oci::{ClientOptions, Credentials, OciClient, Repository};
//!
//! let repository = Repository::parse("ghcr.io/acme/hangar")?;
//! let options = ClientOptions {
//!     credentials: Credentials::basic("acme-bot", "…"),
//!     ..ClientOptions::default()
//! };
//! let client = OciClient::new(repository.registry(), options)?;
//! match client.check_push_access(&repository).await?.into_result()? {
//!     AccessCheck::Unverifiable { target, reason } => eprintln!("warning: {target}: {reason}"),
//!     accepted => eprintln!("{accepted}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Deliberately not done here: reading the environment or credential files (the caller passes values in),
//! and printing (progress goes to traits the caller implements).
#![warn(missing_docs)]

pub mod access;
mod body;
pub mod crates;
pub mod github;
pub mod oci;
pub mod pypi;
pub mod redact;
pub mod retry;
pub mod transport;
