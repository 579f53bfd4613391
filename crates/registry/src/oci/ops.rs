//! The operations: push a layout, retag, verify, delete one tag. Each checks the registry first, so that a
//! rerun after a failure resumes instead of repeating (blobs present are skipped, tags already right are
//! left alone).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{StreamExt as _, TryStreamExt as _};
use oci_client::manifest::{OciImageIndex, OciImageManifest};
use reqwest::StatusCode;

use super::blob_locations::BlobLocations;
use super::client::{Mount, OciClient, RemoteManifest};
use super::error::OciError;
use super::layout::{Blob, Layout};
use super::media_types::{is_index, is_manifest, platform_of_config};
use super::reference::{Digest, ImageRef, Repository, is_valid_tag};

/// The tag that must never point at a pre-release.
pub const LATEST: &str = "latest";

/// The annotation that carries an image's version (read by the `latest` guard when a tag does not say).
pub const VERSION_ANNOTATION: &str = "org.opencontainers.image.version";

/// Options of [`OciClient::push`].
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// Point `latest` at the image even if another tag is a pre-release version.
    pub force_latest: bool,
    /// Repositories of the same registry to mount missing blobs from before uploading them (the first one
    /// that is not the target is tried).
    pub mount_from: Vec<Repository>,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// The digest the tags point at.
    pub digest: Digest,
    /// Tags moved (or created) by this push.
    pub tags_updated: Vec<String>,
    /// Tags that already pointed at the digest.
    pub tags_unchanged: Vec<String>,
    /// The transfer.
    pub blobs: BlobStats,
    /// Child manifests stored (those already present are not counted).
    pub manifests_pushed: usize,
}

/// How many blobs moved, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobStats {
    /// Blobs the registry already had.
    pub skipped: usize,
    /// Blobs linked from another repository.
    pub mounted: usize,
    /// Blobs uploaded.
    pub uploaded: usize,
    /// Blob bytes sent over the wire (including chunks sent again after a failure).
    pub bytes_uploaded: u64,
}

/// Receives push progress; the library never prints, the caller draws bars (or not, in CI).
///
/// A push reports every blob of the image: each ends in [`Progress::blob_finished`], whether it was
/// already there, mounted or uploaded, so that the bytes of an image add up to the layout's total.
pub trait Progress: Send + Sync {
    /// The push of the blobs starts: `blobs` of them, `bytes` in all.
    fn push_started(&self, _blobs: usize, _bytes: u64) {}
    /// An upload attempt of a blob starts (again, after the registry lost the upload session).
    fn upload_started(&self, _digest: &Digest, _size: u64) {}
    /// The blob's first `position` bytes have been handed to the connection (a chunk resumed from
    /// the registry's range starts from there).
    fn upload_position(&self, _digest: &Digest, _position: u64) {}
    /// The blob is done.
    fn blob_finished(&self, _digest: &Digest, _size: u64, _transfer: BlobTransfer) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// How a blob reached the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlobTransfer {
    /// The registry had it.
    Skipped,
    /// Linked from another repository.
    Mounted,
    /// Uploaded.
    Uploaded,
}

/// Options of [`OciClient::retag`].
#[derive(Debug, Clone, Default)]
pub struct RetagOptions {
    /// Point `latest` at a pre-release anyway.
    pub force_latest: bool,
}

/// What a retag did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetagReport {
    /// The digest of the copied manifest (unchanged by the copy).
    pub digest: Digest,
    /// The digest the target tag pointed at before, if any.
    pub previous: Option<Digest>,
    /// Whether the target tag moved (false if it already pointed at the digest).
    pub changed: bool,
    /// Blob bytes moved: 0 within a repository; mounts across repositories move none either.
    pub blob_bytes_moved: u64,
    /// Blobs mounted into the target repository.
    pub blobs_mounted: usize,
}

/// What [`OciClient::verify`] should find.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// The digest the reference must resolve to.
    pub digest: Option<Digest>,
    /// Platforms that must be present (`linux/amd64`, `linux/arm64`, `linux/arm/v7`).
    pub platforms: Vec<String>,
}

/// What [`OciClient::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The digest the reference resolves to.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
    /// The platforms found (`os/architecture[/variant]`).
    pub platforms: Vec<String>,
    /// Every expectation that failed and every missing piece; empty when all is well.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How a tag was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteOutcome {
    /// The tag did not exist; nothing was done.
    Absent,
    /// The registry deleted the tag itself (`DELETE …/manifests/<tag>`).
    TagDeleted {
        /// What it pointed at.
        was: Digest,
    },
    /// The tag was moved to a unique throw-away manifest whose digest was then deleted, so that other tags
    /// on the old digest survive (for registries without tag deletion, such as distribution 2.8).
    DummyDeleted {
        /// What it pointed at.
        was: Digest,
    },
}

/// Refuses `latest` among `tags` when another of them is a pre-release version.
pub fn check_latest(tags: &[String], force: bool) -> Result<(), OciError> {
    if force || !tags.iter().any(|t| t == LATEST) {
        return Ok(());
    }
    match tags.iter().find(|t| is_prerelease_tag(t)) {
        Some(version) => Err(OciError::LatestToPrerelease {
            version: version.clone(),
        }),
        None => Ok(()),
    }
}

/// Whether a tag (`1.2.0-rc.1`, `v2.0.0-beta.3`) is a pre-release version; tags that are no version are not.
pub fn is_prerelease_tag(tag: &str) -> bool {
    let version = tag.strip_prefix('v').unwrap_or(tag);
    versioning::Version::parse(version).is_ok_and(|v| v.is_prerelease())
}

impl OciClient {
    /// Pushes the layout's image to `repository` under `tags`: blobs (skipped if present, mounted if
    /// possible, else uploaded, `concurrency` at a time), then child manifests, then the root under each tag.
    pub async fn push(
        &self,
        layout: &Layout,
        repository: &Repository,
        tags: &[String],
        options: &PushOptions,
    ) -> Result<PushReport, OciError> {
        self.push_with_progress(layout, repository, tags, options, Arc::new(NoProgress))
            .await
    }

    /// [`OciClient::push`], telling `progress` about every blob and the bytes of each upload.
    pub async fn push_with_progress(
        &self,
        layout: &Layout,
        repository: &Repository,
        tags: &[String],
        options: &PushOptions,
        progress: Arc<dyn Progress>,
    ) -> Result<PushReport, OciError> {
        self.check_registry(repository)?;
        if let Some(bad) = tags.iter().find(|t| !is_valid_tag(t)) {
            return Err(OciError::InvalidReference {
                input: bad.clone(),
                reason: "a tag is 1 to 128 of [A-Za-z0-9_.-] and does not start with . or -"
                    .to_owned(),
            });
        }
        check_latest(tags, options.force_latest)?;
        if !options.force_latest && tags.iter().any(|t| t == LATEST) {
            // `--tag latest` alone says nothing of the version; the image's own annotation may.
            let version = annotated_version(&layout.root().bytes).filter(|v| is_prerelease_tag(v));
            if let Some(version) = version {
                return Err(OciError::LatestToPrerelease { version });
            }
        }
        let stats = self
            .push_blobs(repository, layout.blobs(), &options.mount_from, &progress)
            .await?;
        if let Some(locations) = &self.options.blob_locations
            && let Err(error) = locations.save()
        {
            // Only a hint for later pushes: this one succeeded.
            tracing::debug!(%error, "cannot save the blob locations cache");
        }
        let mut manifests_pushed = 0;
        for child in layout.children() {
            if self
                .resolve(&repository.digest(&child.digest))
                .await?
                .is_none()
            {
                self.put_manifest(
                    repository,
                    child.digest.as_str(),
                    &child.media_type,
                    &child.bytes,
                )
                .await?;
                manifests_pushed += 1;
            }
        }
        let root = layout.root();
        let mut report = PushReport {
            digest: root.digest.clone(),
            tags_updated: Vec::new(),
            tags_unchanged: Vec::new(),
            blobs: stats,
            manifests_pushed,
        };
        if tags.is_empty() {
            if self
                .resolve(&repository.digest(&root.digest))
                .await?
                .is_none()
            {
                self.put_manifest(
                    repository,
                    root.digest.as_str(),
                    &root.media_type,
                    &root.bytes,
                )
                .await?;
                report.manifests_pushed += 1;
            }
            return Ok(report);
        }
        for tag in tags {
            if self.resolve(&repository.tag(tag)).await?.as_ref() == Some(&root.digest) {
                report.tags_unchanged.push(tag.clone());
                continue;
            }
            self.put_manifest(repository, tag, &root.media_type, &root.bytes)
                .await?;
            report.tags_updated.push(tag.clone());
        }
        Ok(report)
    }

    async fn push_blobs(
        &self,
        repository: &Repository,
        blobs: &[Blob],
        mount_from: &[Repository],
        progress: &Arc<dyn Progress>,
    ) -> Result<BlobStats, OciError> {
        progress.push_started(blobs.len(), blobs.iter().map(|blob| blob.size).sum());
        let bytes = AtomicU64::new(0);
        let outcomes: Vec<BlobTransfer> = futures_util::stream::iter(blobs)
            .map(|blob| async {
                let transfer = self
                    .push_blob(repository, blob, mount_from, progress, &bytes)
                    .await?;
                progress.blob_finished(&blob.digest, blob.size, transfer);
                Ok::<_, OciError>(transfer)
            })
            .buffer_unordered(self.options.concurrency.max(1))
            .try_collect()
            .await?;
        let mut stats = BlobStats {
            bytes_uploaded: bytes.into_inner(),
            ..BlobStats::default()
        };
        for outcome in outcomes {
            match outcome {
                BlobTransfer::Skipped => stats.skipped += 1,
                BlobTransfer::Mounted => stats.mounted += 1,
                BlobTransfer::Uploaded => stats.uploaded += 1,
            }
        }
        Ok(stats)
    }

    /// One blob: skipped if present, mounted if possible, else uploaded (its bytes added to `bytes`).
    async fn push_blob(
        &self,
        repository: &Repository,
        blob: &Blob,
        mount_from: &[Repository],
        progress: &Arc<dyn Progress>,
        bytes: &AtomicU64,
    ) -> Result<BlobTransfer, OciError> {
        let remembered = self.options.blob_locations.as_deref();
        let transfer = self
            .push_blob_once(repository, blob, mount_from, remembered, progress, bytes)
            .await?;
        if let Some(locations) = remembered {
            locations.record(repository, &blob.digest);
        }
        Ok(transfer)
    }

    async fn push_blob_once(
        &self,
        repository: &Repository,
        blob: &Blob,
        mount_from: &[Repository],
        remembered: Option<&BlobLocations>,
        progress: &Arc<dyn Progress>,
        bytes: &AtomicU64,
    ) -> Result<BlobTransfer, OciError> {
        if self.blob_exists(repository, &blob.digest).await? {
            return Ok(BlobTransfer::Skipped);
        }
        // Mount attempts: the repository named by `--mount-from`, else where the blob was pushed
        // before. A declined mount opens an upload session, which the upload then uses (and a
        // later declined mount replaces: only the last session is kept open).
        let mut session = None;
        if let Some(from) = mount_from.iter().find(|from| *from != repository) {
            self.check_registry(from)?;
            match self.mount_blob(repository, from, &blob.digest).await? {
                Mount::Mounted => return Ok(BlobTransfer::Mounted),
                Mount::Declined(url) => session = Some(url),
            }
        } else if let Some(locations) = remembered {
            for from in locations.candidates(repository, &blob.digest) {
                // A remembered place is a hint: one that is gone, or that these credentials
                // cannot read, only means the blob is uploaded.
                match self.mount_blob(repository, &from, &blob.digest).await {
                    Ok(Mount::Mounted) => {
                        tracing::debug!(digest = %blob.digest, %from, "blob mounted");
                        return Ok(BlobTransfer::Mounted);
                    }
                    Ok(Mount::Declined(url)) => session = Some(url),
                    Err(error) => {
                        tracing::debug!(digest = %blob.digest, %from, %error, "mount refused");
                    }
                }
            }
        }
        let sent = self
            .upload_blob(
                repository,
                &blob.digest,
                blob.size,
                &blob.source,
                session,
                progress,
            )
            .await?;
        bytes.fetch_add(sent, Ordering::Relaxed);
        Ok(BlobTransfer::Uploaded)
    }

    async fn require_manifest(&self, image: &ImageRef) -> Result<RemoteManifest, OciError> {
        self.get_manifest(image)
            .await?
            .ok_or_else(|| OciError::NotFound {
                reference: image.to_string(),
            })
    }

    /// Points `target` (a tag, in the same or another repository of this registry) at what `source`
    /// resolves to, by copying the manifest's raw bytes: the digest stays, and no blob byte moves (blobs of
    /// another repository are mounted).
    ///
    /// `latest` is refused for a pre-release (judged by the source tag, or the image's
    /// `org.opencontainers.image.version` annotation) unless forced.
    pub async fn retag(
        &self,
        source: &ImageRef,
        target: &ImageRef,
        options: &RetagOptions,
    ) -> Result<RetagReport, OciError> {
        self.check_registry(source.repository())?;
        self.check_registry(target.repository())?;
        let Some(tag) = target.tag().filter(|_| target.digest().is_none()) else {
            return Err(OciError::InvalidReference {
                input: target.to_string(),
                reason: "the target of a retag is a tag".to_owned(),
            });
        };
        let manifest = self.require_manifest(source).await?;
        if tag == LATEST && !options.force_latest {
            let version = source
                .tag()
                .filter(|t| is_prerelease_tag(t))
                .map(str::to_owned)
                .or_else(|| annotated_version(&manifest.bytes).filter(|v| is_prerelease_tag(v)));
            if let Some(version) = version {
                return Err(OciError::LatestToPrerelease { version });
            }
        }
        let previous = self.resolve(target).await?;
        let mut report = RetagReport {
            digest: manifest.digest.clone(),
            previous: previous.clone(),
            changed: false,
            blob_bytes_moved: 0,
            blobs_mounted: 0,
        };
        if previous.as_ref() == Some(&manifest.digest) {
            return Ok(report);
        }
        if source.repository() != target.repository() {
            report.blobs_mounted = self
                .copy_references(source.repository(), target.repository(), &manifest, 0)
                .await?;
        }
        self.put_manifest(
            target.repository(),
            tag,
            &manifest.media_type,
            &manifest.bytes,
        )
        .await?;
        report.changed = true;
        Ok(report)
    }

    /// Makes everything `manifest` references present in `into`: blobs by mount, child manifests by their
    /// bytes. Returns the number of blobs mounted.
    async fn copy_references(
        &self,
        from: &Repository,
        into: &Repository,
        manifest: &RemoteManifest,
        depth: usize,
    ) -> Result<usize, OciError> {
        let mut mounted = 0;
        if is_index(&manifest.media_type) && depth < 8 {
            let index: OciImageIndex =
                parse(&manifest.media_type, &manifest.bytes, &manifest.digest)?;
            for entry in &index.manifests {
                let digest = Digest::parse(&entry.digest)?;
                if self.resolve(&into.digest(&digest)).await?.is_some() {
                    continue;
                }
                let child = self.require_manifest(&from.digest(&digest)).await?;
                mounted += Box::pin(self.copy_references(from, into, &child, depth + 1)).await?;
                self.put_manifest(into, digest.as_str(), &child.media_type, &child.bytes)
                    .await?;
            }
        } else {
            let image: OciImageManifest =
                parse(&manifest.media_type, &manifest.bytes, &manifest.digest)?;
            for descriptor in std::iter::once(&image.config).chain(&image.layers) {
                let digest = Digest::parse(&descriptor.digest)?;
                if self.blob_exists(into, &digest).await? {
                    continue;
                }
                match self.mount_blob(into, from, &digest).await? {
                    Mount::Mounted => mounted += 1,
                    Mount::Declined(_) => {
                        return Err(OciError::MountRefused {
                            digest: digest.to_string(),
                            from: from.to_string(),
                            into: into.to_string(),
                        });
                    }
                }
            }
        }
        Ok(mounted)
    }

    /// Checks that `image` resolves, to the expected digest, with the expected platforms, and that every
    /// child manifest and blob it references is present.
    pub async fn verify(
        &self,
        image: &ImageRef,
        expect: &Expectations,
    ) -> Result<VerifyReport, OciError> {
        let manifest = self.require_manifest(image).await?;
        let repository = image.repository();
        let mut report = VerifyReport {
            digest: manifest.digest.clone(),
            media_type: manifest.media_type.clone(),
            platforms: Vec::new(),
            problems: Vec::new(),
        };
        if let Some(expected) = &expect.digest {
            if expected != &manifest.digest {
                report.problems.push(format!(
                    "{image} is {}, expected {expected}",
                    manifest.digest
                ));
            }
        }
        let mut images = Vec::new();
        if is_index(&manifest.media_type) {
            let index: OciImageIndex =
                parse(&manifest.media_type, &manifest.bytes, &manifest.digest)?;
            for entry in &index.manifests {
                let digest = Digest::parse(&entry.digest)?;
                let Some(child) = self.get_manifest(&repository.digest(&digest)).await? else {
                    report
                        .problems
                        .push(format!("child manifest {digest} is missing"));
                    continue;
                };
                let platform = entry.platform.as_ref().map(|p| {
                    let mut text = format!("{}/{}", p.os, p.architecture);
                    if let Some(variant) = &p.variant {
                        text = format!("{text}/{variant}");
                    }
                    text
                });
                images.push((child, platform));
            }
        } else if is_manifest(&manifest.media_type) {
            images.push((manifest.clone(), None));
        } else {
            report.problems.push(format!(
                "media type {:?} is neither an image nor an index",
                manifest.media_type
            ));
        }
        for (child, platform) in images {
            if !is_manifest(&child.media_type) {
                // Nested indexes and artifacts are listed but not walked.
                continue;
            }
            let image_manifest: OciImageManifest =
                parse(&child.media_type, &child.bytes, &child.digest)?;
            let config = Digest::parse(&image_manifest.config.digest)?;
            let platform = match platform {
                Some(platform) => Some(platform),
                None if self.blob_exists(repository, &config).await? => {
                    platform_of_config(&self.get_small_blob(repository, &config).await?)
                }
                None => None,
            };
            if let Some(platform) = platform {
                // Attestation manifests (buildx) say `unknown/unknown`; they are not platforms.
                if platform != "unknown/unknown" {
                    report.platforms.push(platform);
                }
            }
            for descriptor in std::iter::once(&image_manifest.config).chain(&image_manifest.layers)
            {
                let digest = Digest::parse(&descriptor.digest)?;
                if !self.blob_exists(repository, &digest).await? {
                    report.problems.push(format!(
                        "blob {digest} of manifest {} is missing",
                        child.digest
                    ));
                }
            }
        }
        for wanted in &expect.platforms {
            if !report.platforms.iter().any(|p| platform_matches(p, wanted)) {
                report.problems.push(format!(
                    "platform {wanted} is missing (found {})",
                    if report.platforms.is_empty() {
                        "none".to_owned()
                    } else {
                        report.platforms.join(", ")
                    }
                ));
            }
        }
        Ok(report)
    }

    /// Deletes one tag and leaves every other tag alone, even those on the same digest.
    ///
    /// It tries `DELETE …/manifests/<tag>` first; where that is unsupported (distribution 2.8), it moves
    /// the tag to a unique throw-away manifest and deletes that manifest's digest. Registries that refuse
    /// every delete (GHCR answers 405) get an error naming the API to use instead.
    pub async fn delete_tag(&self, image: &ImageRef) -> Result<DeleteOutcome, OciError> {
        let repository = image.repository();
        self.check_registry(repository)?;
        let Some(tag) = image.tag().filter(|_| image.digest().is_none()) else {
            return Err(OciError::InvalidReference {
                input: image.to_string(),
                reason: "delete-tag takes a tag, not a digest (deleting a digest removes every tag on it)".to_owned(),
            });
        };
        let Some(was) = self.resolve(image).await? else {
            return Ok(DeleteOutcome::Absent);
        };
        let (status, _) = self.delete_manifest(repository, tag).await?;
        if status == StatusCode::ACCEPTED || status == StatusCode::OK {
            return Ok(DeleteOutcome::TagDeleted { was });
        }
        // Does the registry delete manifests at all? A digest that cannot exist answers 404 where deletes
        // work and 405 where they are disabled (distribution without `delete.enabled`, GHCR).
        let probe = Digest::of(format!("slipway-delete-probe-{}", fastrand::u64(..)).as_bytes());
        let (status, detail) = self.delete_manifest(repository, probe.as_str()).await?;
        if status == StatusCode::METHOD_NOT_ALLOWED || detail.starts_with("UNSUPPORTED") {
            return Err(self.delete_unsupported(status.as_u16()));
        }
        let dummy = self.push_dummy(repository, tag).await?;
        let (status, detail) = self.delete_manifest(repository, dummy.as_str()).await?;
        match status {
            StatusCode::ACCEPTED | StatusCode::OK => Ok(DeleteOutcome::DummyDeleted { was }),
            StatusCode::METHOD_NOT_ALLOWED => Err(self.delete_unsupported(status.as_u16())),
            _ => Err(OciError::Status {
                what: format!("delete the placeholder manifest {dummy} of {image}"),
                registry: self.registry().to_owned(),
                status: status.as_u16(),
                detail,
            }),
        }
    }

    fn delete_unsupported(&self, status: u16) -> OciError {
        let hint = if self.registry() == "ghcr.io" {
            "delete the package version through the GitHub Packages API instead \
             (DELETE /orgs/{org}/packages/container/{name}/versions/{id}, or /user/packages/… for a user's package)"
                .to_owned()
        } else {
            "enable deletes in the registry (distribution: `storage.delete.enabled: true`) or use its own management API"
                .to_owned()
        };
        OciError::DeleteUnsupported {
            registry: self.registry().to_owned(),
            status,
            hint,
        }
    }

    /// Pushes a manifest no other tag can share (it carries a random nonce) to `tag`; returns its digest.
    async fn push_dummy(&self, repository: &Repository, tag: &str) -> Result<Digest, OciError> {
        const EMPTY_JSON: &[u8] = b"{}";
        let config = Digest::of(EMPTY_JSON);
        if !self.blob_exists(repository, &config).await? {
            let directory = std::env::temp_dir();
            let path = directory.join(format!("slipway-empty-{}.json", fastrand::u64(..)));
            std::fs::write(&path, EMPTY_JSON).map_err(|source| {
                OciError::Layout(super::error::LayoutError::Io {
                    path: path.clone(),
                    source,
                })
            })?;
            let source = super::layout::BlobSource {
                path: path.clone(),
                offset: 0,
            };
            let result = self
                .upload_blob(
                    repository,
                    &config,
                    EMPTY_JSON.len() as u64,
                    &source,
                    None,
                    &(Arc::new(NoProgress) as Arc<dyn Progress>),
                )
                .await;
            let _ = std::fs::remove_file(&path);
            result?;
        }
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": super::media_types::OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config.as_str(),
                "size": EMPTY_JSON.len(),
            },
            "layers": [],
            "annotations": {
                "dev.slipway.placeholder": format!("deleting tag {tag}"),
                "dev.slipway.nonce": format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            },
        });
        let bytes = serde_json::to_vec(&manifest).expect("a JSON value serialises");
        self.put_manifest(repository, tag, super::media_types::OCI_MANIFEST, &bytes)
            .await
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    media_type: &str,
    bytes: &[u8],
    digest: &Digest,
) -> Result<T, OciError> {
    serde_json::from_slice(bytes).map_err(|source| OciError::Manifest {
        what: format!("manifest {digest}"),
        media_type: media_type.to_owned(),
        source,
    })
}

/// The `org.opencontainers.image.version` annotation of a manifest or index.
fn annotated_version(manifest: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(manifest).ok()?;
    let annotations: BTreeMap<String, String> =
        serde_json::from_value(value.get("annotations")?.clone()).ok()?;
    annotations.get(VERSION_ANNOTATION).cloned()
}

/// `linux/arm64/v8` satisfies `linux/arm64`; `linux/arm64` does not satisfy `linux/arm64/v8`.
fn platform_matches(found: &str, wanted: &str) -> bool {
    found == wanted
        || found
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn latest_never_goes_to_a_prerelease_unless_forced() {
        assert!(check_latest(&tags(&["1.2.0", "latest"]), false).is_ok());
        assert!(check_latest(&tags(&["1.2.0-rc.1"]), false).is_ok());
        assert!(matches!(
            check_latest(&tags(&["v1.2.0-rc.1", "latest"]), false),
            Err(OciError::LatestToPrerelease { version }) if version == "v1.2.0-rc.1"
        ));
        assert!(check_latest(&tags(&["1.2.0-rc.1", "latest"]), true).is_ok());
        assert!(check_latest(&tags(&["nightly", "latest"]), false).is_ok());
    }

    #[test]
    fn a_registry_refusing_deletes_is_told_where_to_go() {
        let ghcr = OciClient::new("ghcr.io", super::super::ClientOptions::default()).unwrap();
        assert_eq!(
            ghcr.delete_unsupported(405).to_string(),
            "ghcr.io refuses to delete manifests (405): delete the package version through the GitHub Packages API \
             instead (DELETE /orgs/{org}/packages/container/{name}/versions/{id}, or /user/packages/… for a user's package)"
        );
        let other = OciClient::new(
            "registry.example.com",
            super::super::ClientOptions::default(),
        )
        .unwrap();
        assert!(
            other
                .delete_unsupported(405)
                .to_string()
                .contains("storage.delete.enabled")
        );
    }

    #[test]
    fn platforms_match_with_or_without_variant() {
        assert!(platform_matches("linux/arm64/v8", "linux/arm64"));
        assert!(platform_matches("linux/amd64", "linux/amd64"));
        assert!(!platform_matches("linux/arm64", "linux/arm64/v8"));
        assert!(!platform_matches("linux/amd64v2", "linux/amd64"));
    }
}
