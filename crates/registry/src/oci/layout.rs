//! Reading an OCI image layout (image-spec `image-layout.md`) from a directory or an uncompressed tar, as
//! written by `docker buildx build --output type=oci`, `skopeo copy … oci:…` or umoci.
//!
//! [`Layout::open`] reads `index.json` and every manifest into memory (they are small), walks the graph
//! from the chosen image down to its configs and layers, and hashes every blob, so that a corrupt or
//! incomplete layout fails before anything is pushed.
//! Blob contents are never held in memory: a blob is a file (or a byte range of the tar) that the pusher
//! streams.
//! This module does not decompress (`.tar.gz` layouts must be unpacked first) and does not follow
//! descriptors' `urls` (foreign layers).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use oci_client::manifest::{OciImageIndex, OciImageManifest};
use sha2::{Digest as _, Sha256};

use super::error::LayoutError;
use super::media_types::{is_index, is_manifest};
use super::reference::Digest;

/// The annotation naming an image inside a layout's `index.json`.
pub const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

/// The largest manifest or `index.json` accepted (registries themselves cap manifests at 4 MiB).
const MAX_DOCUMENT: u64 = 4 * 1024 * 1024;

/// A manifest (image manifest or index) with its exact bytes: they are pushed as they are, because
/// re-serialising would change the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Its digest.
    pub digest: Digest,
    /// Its media type (`application/vnd.oci.image.index.v1+json`, ...).
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// `os/architecture[/variant]` when known (from the index entry, or from the config of a lone image).
    pub platform: Option<String>,
}

/// A config or layer blob of the layout, and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Its digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
    pub(crate) source: BlobSource,
}

/// Where a blob's bytes are: a whole file, or a byte range of a tar archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlobSource {
    pub(crate) path: PathBuf,
    pub(crate) offset: u64,
}

impl BlobSource {
    /// Opens the blob positioned at `offset` bytes into it.
    pub(crate) fn open_at(&self, offset: u64) -> std::io::Result<std::fs::File> {
        let mut file = std::fs::File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.offset + offset))?;
        Ok(file)
    }
}

/// A verified OCI image layout, reduced to the one image that is to be pushed.
#[derive(Debug, Clone)]
pub struct Layout {
    path: PathBuf,
    root: Manifest,
    manifests: Vec<Manifest>,
    blobs: Vec<Blob>,
}

impl Layout {
    /// Opens and verifies the layout at `path` (a directory or a tar archive).
    ///
    /// The layout must hold one image (its `index.json` lists one manifest or index); use
    /// [`Layout::open_named`] to choose one of several by its `org.opencontainers.image.ref.name`.
    pub fn open(path: &Path) -> Result<Layout, LayoutError> {
        Layout::open_named(path, None)
    }

    /// Opens and verifies the image named `ref_name` (or the only image, if `None`) of the layout at `path`.
    pub fn open_named(path: &Path, ref_name: Option<&str>) -> Result<Layout, LayoutError> {
        let store = Store::open(path)?;
        let invalid = |reason: String| LayoutError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let marker = store
            .read_document("oci-layout")?
            .ok_or_else(|| invalid("the `oci-layout` file is missing".to_owned()))?;
        let marker: serde_json::Value =
            serde_json::from_slice(&marker).map_err(|source| LayoutError::Json {
                path: path.to_owned(),
                what: "oci-layout".to_owned(),
                source,
            })?;
        if marker.get("imageLayoutVersion").and_then(|v| v.as_str()) != Some("1.0.0") {
            return Err(invalid(
                "`oci-layout` does not declare imageLayoutVersion 1.0.0".to_owned(),
            ));
        }
        let index_bytes = store
            .read_document("index.json")?
            .ok_or_else(|| invalid("`index.json` is missing".to_owned()))?;
        let index: OciImageIndex =
            serde_json::from_slice(&index_bytes).map_err(|source| LayoutError::Json {
                path: path.to_owned(),
                what: "index.json".to_owned(),
                source,
            })?;
        let name_of = |entry: &oci_client::manifest::ImageIndexEntry| {
            entry
                .annotations
                .as_ref()
                .and_then(|a| a.get(REF_NAME_ANNOTATION))
                .cloned()
        };
        let chosen = match ref_name {
            Some(wanted) => index
                .manifests
                .iter()
                .find(|entry| name_of(entry).as_deref() == Some(wanted))
                .ok_or_else(|| invalid(format!("no image named {wanted:?} in index.json")))?,
            None => match index.manifests.as_slice() {
                [only] => only,
                [] => return Err(invalid("index.json lists no image".to_owned())),
                several => {
                    let names: Vec<String> = several
                        .iter()
                        .map(|e| name_of(e).unwrap_or_else(|| e.digest.clone()))
                        .collect();
                    return Err(invalid(format!(
                        "index.json lists {} images ({}); choose one by name",
                        several.len(),
                        names.join(", ")
                    )));
                }
            },
        };
        let mut walker = Walker {
            store: &store,
            manifests: Vec::new(),
            blobs: BTreeMap::new(),
        };
        let platform = chosen.platform.as_ref().map(platform_string);
        let root = walker.manifest(&chosen.digest, &chosen.media_type, platform, 0)?;
        let Walker {
            mut manifests,
            blobs,
            ..
        } = walker;
        // The root is the last one walked (post-order); keep only the children in `manifests`.
        manifests.pop();
        let mut root = root;
        if root.platform.is_none() && is_manifest(&root.media_type) {
            root.platform = store.config_platform(&root)?;
        }
        let layout = Layout {
            path: path.to_owned(),
            root,
            manifests,
            blobs: blobs.into_values().collect(),
        };
        for blob in &layout.blobs {
            store.verify(blob)?;
        }
        Ok(layout)
    }

    /// Where the layout was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The image's top-level manifest or index: what tags point at.
    pub fn root(&self) -> &Manifest {
        &self.root
    }

    /// The manifests below the root (an index's per-platform images), children before parents.
    pub fn children(&self) -> &[Manifest] {
        &self.manifests
    }

    /// Every config and layer blob, each once, ordered by digest.
    pub fn blobs(&self) -> &[Blob] {
        &self.blobs
    }

    /// The platforms of the image: of each child of an index, or of the lone image.
    pub fn platforms(&self) -> Vec<String> {
        if is_index(&self.root.media_type) {
            self.manifests
                .iter()
                .filter_map(|m| m.platform.clone())
                .collect()
        } else {
            self.root.platform.iter().cloned().collect()
        }
    }

    /// The sum of all blob sizes.
    pub fn blob_bytes(&self) -> u64 {
        self.blobs.iter().map(|b| b.size).sum()
    }
}

/// `os/architecture[/variant]` of an index entry.
fn platform_string(platform: &oci_client::manifest::Platform) -> String {
    let mut text = format!("{}/{}", platform.os, platform.architecture);
    if let Some(variant) = &platform.variant {
        text.push('/');
        text.push_str(variant);
    }
    text
}

/// Depth-first walk from the root, collecting manifests children-first and blobs by digest.
struct Walker<'a> {
    store: &'a Store,
    manifests: Vec<Manifest>,
    blobs: BTreeMap<Digest, Blob>,
}

impl Walker<'_> {
    fn manifest(
        &mut self,
        digest: &str,
        media_type: &str,
        platform: Option<String>,
        depth: usize,
    ) -> Result<Manifest, LayoutError> {
        let path = &self.store.path;
        let invalid = |reason: String| LayoutError::Invalid {
            path: path.clone(),
            reason,
        };
        if depth > 8 {
            return Err(invalid("indexes nest more than 8 deep".to_owned()));
        }
        let digest = Digest::parse(digest).map_err(|error| invalid(error.to_string()))?;
        if self.manifests.iter().any(|m| m.digest == digest) {
            // Shared by two parents: pushed once.
            return Ok(self
                .manifests
                .iter()
                .find(|m| m.digest == digest)
                .cloned()
                .expect("just found"));
        }
        let bytes = self
            .store
            .read_document(&blob_path(&digest))?
            .ok_or_else(|| invalid(format!("manifest {digest} is missing from blobs/")))?;
        let actual = Digest::of(&bytes);
        if actual != digest {
            return Err(LayoutError::Corrupt {
                path: path.clone(),
                digest: digest.to_string(),
                reason: format!("its content hashes to {actual}"),
            });
        }
        let json_error = |source| LayoutError::Json {
            path: path.clone(),
            what: format!("manifest {digest}"),
            source,
        };
        if is_index(media_type) {
            let index: OciImageIndex = serde_json::from_slice(&bytes).map_err(json_error)?;
            for entry in &index.manifests {
                let platform = entry.platform.as_ref().map(platform_string);
                self.manifest(&entry.digest, &entry.media_type, platform, depth + 1)?;
            }
        } else if is_manifest(media_type) {
            let image: OciImageManifest = serde_json::from_slice(&bytes).map_err(json_error)?;
            for descriptor in std::iter::once(&image.config).chain(&image.layers) {
                let blob_digest = Digest::parse(&descriptor.digest)
                    .map_err(|error| invalid(error.to_string()))?;
                let size = u64::try_from(descriptor.size)
                    .map_err(|_| invalid(format!("blob {blob_digest} has a negative size")))?;
                let source = self.store.blob_source(&blob_digest, size)?;
                self.blobs.insert(
                    blob_digest.clone(),
                    Blob {
                        digest: blob_digest,
                        size,
                        source,
                    },
                );
            }
        } else {
            return Err(invalid(format!(
                "manifest {digest} has media type {media_type:?}, which is neither an image manifest nor an index"
            )));
        }
        let manifest = Manifest {
            digest,
            media_type: media_type.to_owned(),
            bytes,
            platform,
        };
        self.manifests.push(manifest.clone());
        Ok(manifest)
    }
}

fn blob_path(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

/// The files of a layout: a directory, or the entries of a tar archive located by their byte offsets.
struct Store {
    path: PathBuf,
    /// For a tar: entry name (without `./`) → (offset of its data, size).
    tar: Option<HashMap<String, (u64, u64)>>,
}

impl Store {
    fn open(path: &Path) -> Result<Store, LayoutError> {
        let io = |source| LayoutError::Io {
            path: path.to_owned(),
            source,
        };
        let metadata = std::fs::metadata(path).map_err(io)?;
        if metadata.is_dir() {
            return Ok(Store {
                path: path.to_owned(),
                tar: None,
            });
        }
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut magic = [0_u8; 2];
        if file.read(&mut magic).map_err(io)? == 2 && magic == [0x1f, 0x8b] {
            return Err(LayoutError::Invalid {
                path: path.to_owned(),
                reason: "it is gzip-compressed; unpack it first (`gunzip`), slipway reads plain tar archives".to_owned(),
            });
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        for entry in archive.entries().map_err(io)? {
            let entry = entry.map_err(io)?;
            if !matches!(
                entry.header().entry_type(),
                tar::EntryType::Regular | tar::EntryType::Continuous
            ) {
                continue;
            }
            let name = entry.path().map_err(io)?.to_string_lossy().into_owned();
            let name = name.trim_start_matches("./").to_owned();
            entries.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(Store {
            path: path.to_owned(),
            tar: Some(entries),
        })
    }

    /// Reads a small file of the layout; `None` if it does not exist.
    fn read_document(&self, name: &str) -> Result<Option<Vec<u8>>, LayoutError> {
        let (file_path, offset, size) = match &self.tar {
            None => {
                let file_path = self.path.join(name);
                match std::fs::metadata(&file_path) {
                    Ok(m) => (file_path, 0, m.len()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => {
                        return Err(LayoutError::Io {
                            path: file_path,
                            source,
                        });
                    }
                }
            }
            Some(entries) => match entries.get(name) {
                Some(&(offset, size)) => (self.path.clone(), offset, size),
                None => return Ok(None),
            },
        };
        if size > MAX_DOCUMENT {
            return Err(LayoutError::Invalid {
                path: self.path.clone(),
                reason: format!("{name} is {size} bytes, larger than any manifest may be"),
            });
        }
        let io = |source| LayoutError::Io {
            path: file_path.clone(),
            source,
        };
        let mut file = std::fs::File::open(&file_path).map_err(io)?;
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(size).read_to_end(&mut bytes).map_err(io)?;
        Ok(Some(bytes))
    }

    fn blob_source(&self, digest: &Digest, size: u64) -> Result<BlobSource, LayoutError> {
        let name = blob_path(digest);
        let missing = || LayoutError::Invalid {
            path: self.path.clone(),
            reason: format!("blob {digest} is missing from blobs/"),
        };
        let (path, offset, actual) = match &self.tar {
            None => {
                let path = self.path.join(&name);
                let metadata = std::fs::metadata(&path).map_err(|_| missing())?;
                (path, 0, metadata.len())
            }
            Some(entries) => {
                let &(offset, actual) = entries.get(&name).ok_or_else(missing)?;
                (self.path.clone(), offset, actual)
            }
        };
        if actual != size {
            return Err(LayoutError::Corrupt {
                path: self.path.clone(),
                digest: digest.to_string(),
                reason: format!("it is {actual} bytes but its descriptor says {size}"),
            });
        }
        Ok(BlobSource { path, offset })
    }

    /// Streams a blob through SHA-256 and compares.
    fn verify(&self, blob: &Blob) -> Result<(), LayoutError> {
        let io = |source| LayoutError::Io {
            path: blob.source.path.clone(),
            source,
        };
        let file = blob.source.open_at(0).map_err(io)?;
        let mut reader = file.take(blob.size);
        let mut hasher = Sha256::new();
        let mut buffer = vec![0_u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buffer).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
        let actual = Digest::from_hasher(hasher);
        if actual != blob.digest {
            return Err(LayoutError::Corrupt {
                path: self.path.clone(),
                digest: blob.digest.to_string(),
                reason: format!("its content hashes to {actual}"),
            });
        }
        Ok(())
    }

    /// The platform recorded in an image's config (`os`, `architecture`, `variant`), if it is JSON.
    fn config_platform(&self, manifest: &Manifest) -> Result<Option<String>, LayoutError> {
        let Ok(image) = serde_json::from_slice::<OciImageManifest>(&manifest.bytes) else {
            return Ok(None);
        };
        let Ok(digest) = Digest::parse(&image.config.digest) else {
            return Ok(None);
        };
        if image.config.size > 1024 * 1024 {
            return Ok(None);
        }
        let Some(bytes) = self.read_document(&blob_path(&digest))? else {
            return Ok(None);
        };
        Ok(super::media_types::platform_of_config(&bytes))
    }
}
