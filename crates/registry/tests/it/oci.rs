//! `registry::oci` without a server: layouts (directory, tar, broken ones), references, Docker credentials.

use std::path::Path;

use sha2::{Digest as _, Sha256};
use slipway_registry::oci::{
    Digest, ImageRef, Layout, LayoutError, Repository, credentials_from_docker_config,
};

/// Writes a blob into `root/blobs/sha256/` and returns its descriptor JSON.
fn blob(root: &Path, bytes: &[u8], media_type: &str) -> serde_json::Value {
    let hex = hex::encode(Sha256::digest(bytes));
    std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
    std::fs::write(root.join("blobs/sha256").join(&hex), bytes).unwrap();
    serde_json::json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": bytes.len()})
}

fn image(root: &Path, arch: &str) -> serde_json::Value {
    let layer = blob(
        root,
        format!("layer {arch}").as_bytes(),
        "application/vnd.oci.image.layer.v1.tar",
    );
    let config = blob(
        root,
        format!(r#"{{"os":"linux","architecture":"{arch}"}}"#).as_bytes(),
        "application/vnd.oci.image.config.v1+json",
    );
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": [layer],
    });
    blob(
        root,
        manifest.to_string().as_bytes(),
        "application/vnd.oci.image.manifest.v1+json",
    )
}

fn finish(root: &Path, entries: &[serde_json::Value]) {
    std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": entries});
    std::fs::write(root.join("index.json"), index.to_string()).unwrap();
}

fn multi_arch(root: &Path) -> String {
    let mut entries = Vec::new();
    for arch in ["amd64", "arm64"] {
        let mut entry = image(root, arch);
        entry["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
        entries.push(entry);
    }
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries,
    });
    let index = blob(
        root,
        index.to_string().as_bytes(),
        "application/vnd.oci.image.index.v1+json",
    );
    finish(root, std::slice::from_ref(&index));
    index["digest"].as_str().unwrap().to_owned()
}

fn open_error(root: &Path) -> String {
    Layout::open(root)
        .unwrap_err()
        .to_string()
        .replace(&root.display().to_string(), "LAYOUT")
}

#[test]
fn a_multi_arch_layout_lists_children_before_the_index_and_each_blob_once() {
    let dir = tempfile::tempdir().unwrap();
    let index = multi_arch(dir.path());
    let layout = Layout::open(dir.path()).unwrap();
    assert_eq!(layout.root().digest.as_str(), index);
    assert_eq!(
        layout.root().media_type,
        "application/vnd.oci.image.index.v1+json"
    );
    assert_eq!(layout.children().len(), 2);
    assert_eq!(layout.blobs().len(), 4);
    assert_eq!(layout.platforms(), ["linux/amd64", "linux/arm64"]);
    // The root's bytes are the stored bytes, untouched.
    let stored = std::fs::read(
        dir.path()
            .join("blobs/sha256")
            .join(layout.root().digest.hex()),
    )
    .unwrap();
    assert_eq!(layout.root().bytes, stored);
}

#[test]
fn a_single_image_takes_its_platform_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = image(dir.path(), "riscv64");
    finish(dir.path(), &[manifest]);
    let layout = Layout::open(dir.path()).unwrap();
    assert!(layout.children().is_empty());
    assert_eq!(layout.platforms(), ["linux/riscv64"]);
}

#[test]
fn a_tar_layout_reads_like_the_directory_even_with_dot_slash_names() {
    let dir = tempfile::tempdir().unwrap();
    multi_arch(dir.path());
    let archive = tempfile::tempdir().unwrap();
    let tar_path = archive.path().join("image.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
    builder.append_dir_all(".", dir.path()).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let from_dir = Layout::open(dir.path()).unwrap();
    let from_tar = Layout::open(&tar_path).unwrap();
    assert_eq!(from_tar.root(), from_dir.root());
    assert_eq!(from_tar.children(), from_dir.children());
    let digests = |l: &Layout| {
        l.blobs()
            .iter()
            .map(|b| (b.digest.clone(), b.size))
            .collect::<Vec<_>>()
    };
    assert_eq!(digests(&from_tar), digests(&from_dir));
}

#[test]
fn broken_layouts_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        open_error(dir.path()),
        "LAYOUT is not a usable OCI image layout: the `oci-layout` file is missing"
    );

    multi_arch(dir.path());
    let layout = Layout::open(dir.path()).unwrap();
    let layer = layout
        .blobs()
        .iter()
        .find(|b| b.size < 20)
        .unwrap()
        .digest
        .clone();
    std::fs::write(
        dir.path().join("blobs/sha256").join(layer.hex()),
        b"layer amd6X",
    )
    .unwrap();
    let error = Layout::open(dir.path()).unwrap_err();
    assert!(matches!(error, LayoutError::Corrupt { .. }), "{error}");
    assert!(error.to_string().starts_with(&format!(
        "{}: blob {layer} is corrupt: its content hashes to sha256:",
        dir.path().display()
    )));

    std::fs::remove_file(dir.path().join("blobs/sha256").join(layer.hex())).unwrap();
    assert_eq!(
        open_error(dir.path()),
        format!("LAYOUT is not a usable OCI image layout: blob {layer} is missing from blobs/")
    );
}

#[test]
fn several_images_need_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = image(dir.path(), "amd64");
    a["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "a"});
    let mut b = image(dir.path(), "arm64");
    b["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "b"});
    finish(dir.path(), &[a, b]);
    assert_eq!(
        open_error(dir.path()),
        "LAYOUT is not a usable OCI image layout: index.json lists 2 images (a, b); choose one by name"
    );
    let chosen = Layout::open_named(dir.path(), Some("b")).unwrap();
    assert_eq!(chosen.platforms(), ["linux/arm64"]);
}

#[test]
fn gzip_archives_are_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar.gz");
    std::fs::write(&path, [0x1f, 0x8b, 8, 0]).unwrap();
    let error = Layout::open(&path).unwrap_err().to_string();
    assert!(
        error.ends_with(
            "it is gzip-compressed; unpack it first (`gunzip`), slipway reads plain tar archives"
        ),
        "{error}"
    );
}

fn check_ref(input: &str, expected: &str) {
    let parsed = ImageRef::parse(input).unwrap();
    let shown = format!(
        "{} | {} | {} | {}",
        parsed.repository().registry(),
        parsed.repository().name(),
        parsed.tag().unwrap_or("-"),
        parsed.digest().map_or("-", Digest::as_str)
    );
    assert_eq!(shown, expected, "{input}");
}

#[test]
fn references_parse_like_docker() {
    let digest = format!("sha256:{}", "a".repeat(64));
    check_ref(
        "ghcr.io/acme/hangar:1.4.0",
        "ghcr.io | acme/hangar | 1.4.0 | -",
    );
    check_ref(
        "127.0.0.1:5000/demo:latest",
        "127.0.0.1:5000 | demo | latest | -",
    );
    check_ref("localhost:5000/a/b/c", "localhost:5000 | a/b/c | - | -");
    check_ref(
        &format!("ghcr.io/acme/hangar@{digest}"),
        &format!("ghcr.io | acme/hangar | - | {digest}"),
    );
    check_ref("alpine", "docker.io | library/alpine | - | -");
    assert!(ImageRef::parse("ghcr.io/acme/has space:1").is_err());
    assert!(Repository::parse("ghcr.io/acme/hangar:1.0").is_err());
    assert_eq!(
        Repository::parse("ghcr.io/acme/hangar")
            .unwrap()
            .to_string(),
        "ghcr.io/acme/hangar"
    );
    assert!(Digest::parse("sha256:abc").is_err());
    assert!(Digest::parse(&format!("sha512:{}", "a".repeat(128))).is_err());
}

#[test]
fn docker_config_auth_entries_are_decoded_and_never_shown() {
    // base64("alice:pa:ss") - the password may contain ':'.
    let config = r#"{"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6cGE6c3M="},"ghcr.io":{"username":"bob","password":"tok"}},"credsStore":"desktop"}"#;
    let hub = credentials_from_docker_config(config, "docker.io")
        .unwrap()
        .unwrap();
    assert_eq!(
        format!("{hub:?}"),
        r#"Basic { username: "alice", password: "****" }"#
    );
    let ghcr = credentials_from_docker_config(config, "ghcr.io")
        .unwrap()
        .unwrap();
    assert_eq!(
        format!("{ghcr:?}"),
        r#"Basic { username: "bob", password: "****" }"#
    );
    assert!(
        credentials_from_docker_config(config, "quay.io")
            .unwrap()
            .is_none()
    );
    assert!(
        credentials_from_docker_config("{}", "quay.io")
            .unwrap()
            .is_none()
    );
    let bad =
        credentials_from_docker_config(r#"{"auths":{"q.io":{"auth":"!!"}}}"#, "q.io").unwrap_err();
    assert_eq!(
        bad.to_string(),
        "cannot read docker credentials: the `auth` entry for q.io is not base64"
    );
}
