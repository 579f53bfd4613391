//! OCI registries: push an image layout (single image or multi-arch index), retag, verify, delete one tag,
//! list tags.
//!
//! ```no_run
//! # async fn demo() -> Result<(), slipway_registry::oci::OciError> {
//! use slipway_registry::oci::{ClientOptions, Layout, OciClient, PushOptions, Repository};
//!
//! let layout = Layout::open("build/image-oci".as_ref())?; // every digest checked here
//! let repository = Repository::parse("ghcr.io/acme/hangar")?;
//! let client = OciClient::new(repository.registry(), ClientOptions::default())?;
//! let tags = vec!["1.4.0".to_owned(), "latest".to_owned()];
//! let report = client.push(&layout, &repository, &tags, &PushOptions::default()).await?;
//! println!("{} ({} bytes uploaded)", report.digest, report.blobs.bytes_uploaded);
//! # Ok(()) }
//! ```
//!
//! # Why not just `oci-client`
//!
//! `oci-client` (the successor of `oci-distribution`) pushes and pulls, and slipway uses its manifest types,
//! media-type constants and reference parser. Its client does not fit the rest, so the HTTP side here is our
//! own, on `reqwest`:
//! - it has no manifest or tag delete, and no tag-list pagination;
//! - it has no retries (408, 429, 5xx, dropped connections) and cannot resume a chunked upload from the range
//!   the registry reports;
//! - its cross-repository mount asks the token service for a single scope, so under token auth the mount is
//!   refused (a mount needs pull on the source and push on the target in one token);
//! - it does not re-authenticate when a token expires in the middle of a long push.
//!
//! # Checking push access without pushing
//!
//! [`OciClient::check_push_access`] asks the token service for `repository:<name>:pull,push`, as a push would,
//! and reads the grant from the JWT `access` claim (or the answer's `scope`); with Basic auth it reads
//! `GET /v2/` with the credentials. [`OciError::is_unauthorized`] tells a refusal from other failures, so a
//! verify can read anonymously first and retry with credentials.
//!
//! # Protocol facts this module relies on
//!
//! - Blob uploads are POST then PUT. A single POST with `?digest=` may be ignored (distribution 2.8 answers
//!   202 and stores nothing), so it is never used. Bodies over [`ClientOptions::chunk_size`] (default 4 MiB,
//!   GHCR's cap per request; [`default_chunk_size`] gives 16 MiB for other registries) go up as PATCH chunks, each sent to the `Location` the previous one returned.
//! - A blob is checked with `HEAD` before upload; a mount may answer 202 with an upload session, which is then used.
//! - A missing blob is mounted from `--mount-from`, else from where [`BlobLocations`] (a cache the caller
//!   opens, like skopeo's blob-info cache) says it was pushed on the same registry, before it is uploaded.
//! - Manifests are PUT with their exact bytes and media type (re-serialising changes the digest), children
//!   before the index, and fetched with the full `Accept` list (distribution answers 404 for an OCI manifest
//!   when `Accept` lacks the OCI types).
//! - Deleting a digest removes every tag on it; [`OciClient::delete_tag`] therefore moves the tag to a
//!   throw-away manifest first when the registry cannot delete tags.
//! - `latest` never moves to a pre-release unless forced.
//!
//! Progress: [`OciClient::push_with_progress`] tells a [`Progress`] the caller implements about every
//! blob (skipped, mounted or uploaded) and the bytes of each upload as they are handed to the connection.
//!
//! # What it does not do
//!
//! It reads no files besides the layout and the [`BlobLocations`] file the caller names, and no environment: credentials are passed in ([`Credentials`],
//! [`credentials_from_docker_config`] parses the text of Docker's `config.json`). It prints nothing. It does not build images,
//! pull layers to disk, run credential helpers, or copy between registries.

mod auth;
mod blob_locations;
mod check;
mod client;
mod error;
mod layout;
pub mod media_types;
mod ops;
mod reference;

pub use auth::{Credentials, credentials_from_docker_config};
pub use blob_locations::{BlobLocations, MAX_LOCATIONS};
pub use client::{
    ClientOptions, DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, LARGE_CHUNK_SIZE, OciClient,
    RemoteManifest, default_chunk_size, is_loopback,
};
pub use error::{LayoutError, OciError};
pub use layout::{Blob, Layout, Manifest, REF_NAME_ANNOTATION};
pub use ops::{
    BlobStats, BlobTransfer, DeleteOutcome, Expectations, LATEST, NoProgress, Progress,
    PushOptions, PushReport, RetagOptions, RetagReport, VERSION_ANNOTATION, VerifyReport,
    check_latest, is_prerelease_tag,
};
pub use reference::{Digest, ImageRef, Repository, is_valid_tag};
