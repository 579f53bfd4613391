//! The manifest media types slipway handles, OCI and Docker alike.

use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};

/// OCI image manifest.
pub const OCI_MANIFEST: &str = OCI_IMAGE_MEDIA_TYPE;
/// OCI image index.
pub const OCI_INDEX: &str = OCI_IMAGE_INDEX_MEDIA_TYPE;
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = IMAGE_MANIFEST_MEDIA_TYPE;
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = IMAGE_MANIFEST_LIST_MEDIA_TYPE;

/// The `Accept` header of every manifest request: distribution answers 404 for an OCI manifest when
/// `Accept` lacks the OCI types, and converts or refuses Docker lists when it lacks those.
pub(crate) const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Whether `media_type` is an index (OCI index or Docker manifest list).
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_MANIFEST_LIST
}

/// Whether `media_type` is a single-image manifest (OCI or Docker).
pub fn is_manifest(media_type: &str) -> bool {
    media_type == OCI_MANIFEST || media_type == DOCKER_MANIFEST
}

/// `os/architecture[/variant]` from an image config's JSON, if it has them.
pub(crate) fn platform_of_config(bytes: &[u8]) -> Option<String> {
    let config: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let os = config.get("os")?.as_str()?;
    let architecture = config.get("architecture")?.as_str()?;
    let mut text = format!("{os}/{architecture}");
    if let Some(variant) = config.get("variant").and_then(|v| v.as_str()) {
        text.push('/');
        text.push_str(variant);
    }
    Some(text)
}
