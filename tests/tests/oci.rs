//! End-to-end tests of `registry::oci` and the `slipway` OCI commands against a real registry
//! (distribution 2.8, Debian's `docker-registry`) on 127.0.0.1, cross-checked with `skopeo`.

use std::path::Path;
use std::process::Command;

use std::sync::{Arc, Mutex};

use registry::oci::{
    BlobTransfer, ClientOptions, Credentials, DeleteOutcome, Digest, Expectations, ImageRef,
    Layout, OciClient, OciError, Progress, PushOptions, Repository, RetagOptions,
};
use slipway_tests::oci_registry::{OciRegistry, RegistryAuth, layouts};
use slipway_tests::token_issuer::{IssuerConfig, TokenIssuer};

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_owned()).collect()
}

fn client(registry: &OciRegistry, options: ClientOptions) -> OciClient {
    OciClient::new(&registry.address(), options).expect("client")
}

fn open_client(registry: &OciRegistry) -> OciClient {
    client(registry, ClientOptions::default())
}

fn repo(registry: &OciRegistry, name: &str) -> Repository {
    Repository::parse(&format!("{}/{name}", registry.address())).expect("repository")
}

fn image(registry: &OciRegistry, reference: &str) -> ImageRef {
    ImageRef::parse(&format!("{}/{reference}", registry.address())).expect("reference")
}

fn multi_arch(seed: &str) -> (tempfile::TempDir, Layout, String) {
    let directory = tempfile::tempdir().expect("tempdir");
    let index = layouts::multi_arch(directory.path(), seed).expect("layout");
    let layout = Layout::open(directory.path()).expect("layout opens");
    (directory, layout, index.digest)
}

fn uploads(requests: &[String]) -> Vec<&String> {
    requests
        .iter()
        .filter(|r| r.contains("/blobs/uploads"))
        .collect()
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let output = Command::new("skopeo")
        .args(args)
        .output()
        .expect("skopeo runs (apt install skopeo)");
    assert!(
        output.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The digest of a manifest printed by `skopeo inspect --raw`, which adds a newline after the raw bytes.
fn sha256(raw: &[u8]) -> String {
    use sha2::Digest as _;
    let bytes = raw.strip_suffix(b"\n").unwrap_or(raw);
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

#[tokio::test]
async fn a_multi_arch_push_reads_back_through_skopeo_with_the_same_digests() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.0.0");
    let client = open_client(&registry);
    let report = client
        .push(
            &layout,
            &repo(&registry, "demo/app"),
            &tags(&["1.0.0", "latest"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), index_digest);
    assert_eq!(report.tags_updated, tags(&["1.0.0", "latest"]));
    assert_eq!(
        (
            report.blobs.uploaded,
            report.blobs.skipped,
            report.blobs.mounted
        ),
        (4, 0, 0)
    );
    assert_eq!(report.blobs.bytes_uploaded, layout.blob_bytes());
    assert_eq!(report.manifests_pushed, 2);

    // Children before the index: both child PUTs come before the first tag PUT.
    let requests = registry.requests();
    let manifest_puts: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("PUT") && r.contains("/manifests/"))
        .collect();
    assert_eq!(manifest_puts.len(), 4, "{manifest_puts:#?}");
    assert!(
        manifest_puts[0].contains("/manifests/sha256:")
            && manifest_puts[1].contains("/manifests/sha256:")
    );

    let reference = format!("docker://{}/demo/app:1.0.0", registry.address());
    let raw = skopeo(&["inspect", "--tls-verify=false", "--raw", &reference]);
    assert_eq!(sha256(&raw), index_digest);
    let inspected: serde_json::Value = serde_json::from_slice(&skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--override-arch",
        "arm64",
        &reference,
    ]))
    .unwrap();
    assert_eq!(inspected["Architecture"], "arm64");

    let copy = tempfile::tempdir().unwrap();
    let destination = format!("oci:{}:copy", copy.path().join("out").display());
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &reference,
        &destination,
    ]);
    let copied = Layout::open(&copy.path().join("out")).unwrap();
    assert_eq!(copied.root().digest.as_str(), index_digest);
    let mut expected: Vec<&str> = layout.blobs().iter().map(|b| b.digest.as_str()).collect();
    let mut actual: Vec<&str> = copied.blobs().iter().map(|b| b.digest.as_str()).collect();
    expected.sort_unstable();
    actual.sort_unstable();
    assert_eq!(actual, expected);
}

#[tokio::test]
async fn pushing_again_moves_no_blob_bytes_and_leaves_tags_alone() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, _) = multi_arch("1.0.0");
    let client = open_client(&registry);
    let repository = repo(&registry, "demo/app");
    client
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();

    let mark = registry.mark();
    let again = open_client(&registry)
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            again.blobs.uploaded,
            again.blobs.skipped,
            again.blobs.bytes_uploaded
        ),
        (0, 4, 0)
    );
    assert_eq!(again.tags_unchanged, tags(&["1.0.0"]));
    assert_eq!(again.manifests_pushed, 0);
    let requests = registry.requests_since(mark);
    assert!(uploads(&requests).is_empty(), "{requests:#?}");
    assert!(
        !requests.iter().any(|r| r.starts_with("PUT")),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn a_tar_layout_pushes_like_its_directory() {
    let registry = OciRegistry::start().unwrap();
    let (dir, layout, index_digest) = multi_arch("2.0.0");
    let tar = tempfile::tempdir().unwrap();
    let archive = tar.path().join("image.tar");
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    let from_tar = Layout::open(&archive).unwrap();
    assert_eq!(from_tar.root(), layout.root());
    assert_eq!(from_tar.platforms(), vec!["linux/amd64", "linux/arm64/v8"]);
    let report = open_client(&registry)
        .push(
            &from_tar,
            &repo(&registry, "tarred"),
            &tags(&["2.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), index_digest);
    let verified = open_client(&registry)
        .verify(
            &image(&registry, "tarred:2.0.0"),
            &Expectations {
                digest: Some(Digest::parse(&index_digest).unwrap()),
                platforms: tags(&["linux/amd64", "linux/arm64"]),
            },
        )
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn large_blobs_go_up_in_chunks_that_follow_each_location() {
    let registry = OciRegistry::start().unwrap();
    let directory = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..10_000_u32).flat_map(u32::to_le_bytes).collect();
    let manifest = layouts::single(directory.path(), &content).unwrap();
    let layout = Layout::open(directory.path()).unwrap();
    let options = ClientOptions {
        chunk_size: 16 * 1024,
        ..ClientOptions::default()
    };
    let report = client(&registry, options)
        .push(
            &layout,
            &repo(&registry, "chunked"),
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), manifest.digest);
    let patches = registry
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("PATCH"))
        .count();
    // 40 000 bytes in 16 KiB chunks: three PATCHes for the layer; the config goes up in one PUT.
    assert_eq!(patches, 3);
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{}/chunked:1.0.0", registry.address()),
    ]);
    assert_eq!(sha256(&raw), manifest.digest);
}

/// Every progress event of a push, in order.
#[derive(Default)]
struct Recorded(Mutex<Vec<String>>);

impl Progress for Recorded {
    fn push_started(&self, blobs: usize, bytes: u64) {
        self.0
            .lock()
            .unwrap()
            .push(format!("start {blobs} {bytes}"));
    }
    fn upload_started(&self, digest: &Digest, size: u64) {
        self.0
            .lock()
            .unwrap()
            .push(format!("upload {digest} {size}"));
    }
    fn upload_position(&self, digest: &Digest, position: u64) {
        self.0
            .lock()
            .unwrap()
            .push(format!("at {digest} {position}"));
    }
    fn blob_finished(&self, digest: &Digest, size: u64, transfer: BlobTransfer) {
        self.0
            .lock()
            .unwrap()
            .push(format!("done {digest} {size} {transfer:?}"));
    }
}

#[tokio::test]
async fn push_progress_reports_every_blob_and_the_bytes_of_each_chunk() {
    let registry = OciRegistry::start().unwrap();
    let directory = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..10_000_u32).flat_map(u32::to_le_bytes).collect();
    layouts::single(directory.path(), &content).unwrap();
    let layout = Layout::open(directory.path()).unwrap();
    let client = client(
        &registry,
        ClientOptions {
            chunk_size: 16 * 1024,
            concurrency: 1,
            ..ClientOptions::default()
        },
    );
    let (repository, tags, options) = (
        repo(&registry, "progress"),
        tags(&["1.0.0"]),
        PushOptions::default(),
    );
    let push = |progress: Arc<Recorded>| {
        client.push_with_progress(&layout, &repository, &tags, &options, progress)
    };
    let first = Arc::new(Recorded::default());
    push(Arc::clone(&first)).await.unwrap();
    let events = first.0.lock().unwrap().clone();
    let total: u64 = layout.blobs().iter().map(|blob| blob.size).sum();
    assert_eq!(events[0], format!("start {} {total}", layout.blobs().len()));
    for blob in layout.blobs() {
        let digest = blob.digest.to_string();
        let positions: Vec<u64> = events
            .iter()
            .filter_map(|e| e.strip_prefix(&format!("at {digest} ")))
            .map(|p| p.parse().unwrap())
            .collect();
        // The bar moves forward through the chunks and ends at the blob's size.
        assert!(positions.is_sorted(), "{digest}: {positions:?}");
        assert_eq!(positions.last(), Some(&blob.size), "{digest}");
        assert!(events.contains(&format!("upload {digest} {}", blob.size)));
        assert!(events.contains(&format!("done {digest} {} Uploaded", blob.size)));
    }
    // The 40 000-byte layer goes up in three 16 KiB chunks, each reported as it streams.
    let layer = layout.blobs().iter().max_by_key(|b| b.size).unwrap();
    let at = format!("at {} ", layer.digest);
    assert!(events.iter().filter(|e| e.starts_with(&at)).count() >= 3);

    // Pushed again: every blob is reported, as already there, and no upload starts.
    let second = Arc::new(Recorded::default());
    push(Arc::clone(&second)).await.unwrap();
    let events = second.0.lock().unwrap().clone();
    assert!(
        !events.iter().any(|e| e.starts_with("upload ")),
        "{events:?}"
    );
    assert_eq!(
        events.iter().filter(|e| e.ends_with(" Skipped")).count(),
        layout.blobs().len()
    );
}

#[tokio::test]
async fn a_corrupt_blob_fails_before_anything_is_pushed() {
    let directory = tempfile::tempdir().unwrap();
    layouts::multi_arch(directory.path(), "1.0.0").unwrap();
    let layout = Layout::open(directory.path()).unwrap();
    let layer = layout.blobs().iter().max_by_key(|b| b.size).unwrap();
    let path = directory
        .path()
        .join("blobs/sha256")
        .join(layer.digest.hex());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let error = Layout::open(directory.path()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(layer.digest.as_str()) && message.contains("corrupt"),
        "{message}"
    );
}

#[tokio::test]
async fn retag_copies_the_manifest_bytes_and_moves_no_blob() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.1.0");
    let client = open_client(&registry);
    let repository = repo(&registry, "demo/app");
    client
        .push(
            &layout,
            &repository,
            &tags(&["1.1.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();

    let mark = registry.mark();
    let report = client
        .retag(
            &image(&registry, "demo/app:1.1.0"),
            &image(&registry, "demo/app:stable"),
            &RetagOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), index_digest);
    assert!(report.changed);
    assert_eq!((report.blob_bytes_moved, report.blobs_mounted), (0, 0));
    let requests = registry.requests_since(mark);
    assert!(uploads(&requests).is_empty(), "{requests:#?}");
    assert!(
        !requests.iter().any(|r| r.contains("/blobs/")),
        "{requests:#?}"
    );
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{}/demo/app:stable", registry.address()),
    ]);
    assert_eq!(sha256(&raw), index_digest);

    // Idempotent: a second retag changes nothing.
    let again = client
        .retag(
            &image(&registry, "demo/app:1.1.0"),
            &image(&registry, "demo/app:stable"),
            &RetagOptions::default(),
        )
        .await
        .unwrap();
    assert!(!again.changed);
    assert_eq!(
        again.previous.as_ref().map(Digest::as_str),
        Some(index_digest.as_str())
    );
}

#[tokio::test]
async fn latest_is_never_moved_to_a_prerelease_unless_forced() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, _) = multi_arch("2.0.0-rc.1");
    let client = open_client(&registry);
    let repository = repo(&registry, "demo/app");
    let refused = client
        .push(
            &layout,
            &repository,
            &tags(&["2.0.0-rc.1", "latest"]),
            &PushOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, OciError::LatestToPrerelease { .. }),
        "{refused}"
    );
    // `latest` alone: the index's version annotation tells.
    let refused = client
        .push(
            &layout,
            &repository,
            &tags(&["latest"]),
            &PushOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, OciError::LatestToPrerelease { version } if version == "2.0.0-rc.1"),
        "{refused}"
    );
    assert!(
        uploads(&registry.requests()).is_empty(),
        "refused before any upload"
    );

    client
        .push(
            &layout,
            &repository,
            &tags(&["2.0.0-rc.1"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    let source = image(&registry, "demo/app:2.0.0-rc.1");
    let latest = image(&registry, "demo/app:latest");
    let refused = client
        .retag(&source, &latest, &RetagOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "refusing to point `latest` at pre-release 2.0.0-rc.1: `latest` is for stable releases (pass --force to do it anyway)"
    );
    // By digest, the index's version annotation tells.
    let by_digest = client.resolve(&source).await.unwrap().unwrap();
    let refused = client
        .retag(
            &repository.digest(&by_digest),
            &latest,
            &RetagOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, OciError::LatestToPrerelease { .. }));
    assert_eq!(client.resolve(&latest).await.unwrap(), None);

    let forced = client
        .retag(&source, &latest, &RetagOptions { force_latest: true })
        .await
        .unwrap();
    assert!(forced.changed);
}

#[tokio::test]
async fn verify_reports_a_wrong_digest_and_missing_platforms() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.0.0");
    let client = open_client(&registry);
    client
        .push(
            &layout,
            &repo(&registry, "app"),
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    let reference = image(&registry, "app:1.0.0");

    let good = client
        .verify(
            &reference,
            &Expectations {
                digest: Some(Digest::parse(&index_digest).unwrap()),
                platforms: tags(&["linux/amd64", "linux/arm64"]),
            },
        )
        .await
        .unwrap();
    assert!(good.is_ok(), "{good:?}");
    assert_eq!(good.platforms, tags(&["linux/amd64", "linux/arm64/v8"]));

    let wrong = Digest::of(b"something else");
    let bad = client
        .verify(
            &reference,
            &Expectations {
                digest: Some(wrong.clone()),
                platforms: tags(&["linux/s390x"]),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        bad.problems,
        vec![
            format!("{reference} is {index_digest}, expected {wrong}"),
            "platform linux/s390x is missing (found linux/amd64, linux/arm64/v8)".to_owned(),
        ]
    );
    let missing = client
        .verify(&image(&registry, "app:9.9.9"), &Expectations::default())
        .await
        .unwrap_err();
    assert!(matches!(missing, OciError::NotFound { .. }), "{missing}");

    // A single-platform image reads its platform from the config.
    let single = tempfile::tempdir().unwrap();
    layouts::single(single.path(), b"one layer").unwrap();
    let single_layout = Layout::open(single.path()).unwrap();
    client
        .push(
            &single_layout,
            &repo(&registry, "single"),
            &tags(&["1"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    let report = client
        .verify(&image(&registry, "single:1"), &Expectations::default())
        .await
        .unwrap();
    assert_eq!(report.platforms, tags(&["linux/amd64"]));
}

#[tokio::test]
async fn deleting_one_tag_keeps_the_other_tags_on_its_digest() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.0.0");
    let client = open_client(&registry);
    let repository = repo(&registry, "app");
    client
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0", "latest", "doomed"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();

    let outcome = client
        .delete_tag(&image(&registry, "app:doomed"))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        DeleteOutcome::DummyDeleted {
            was: Digest::parse(&index_digest).unwrap()
        }
    );
    assert_eq!(
        client
            .resolve(&image(&registry, "app:doomed"))
            .await
            .unwrap(),
        None
    );
    for tag in ["1.0.0", "latest"] {
        assert_eq!(
            client
                .resolve(&image(&registry, &format!("app:{tag}")))
                .await
                .unwrap()
                .map(|d| d.to_string()),
            Some(index_digest.clone()),
            "{tag} survives"
        );
    }
    assert_eq!(
        client.tags(&repository, None).await.unwrap(),
        tags(&["1.0.0", "latest"])
    );
    let verified = client
        .verify(&image(&registry, "app:latest"), &Expectations::default())
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
    // Again: nothing to do.
    assert_eq!(
        client
            .delete_tag(&image(&registry, "app:doomed"))
            .await
            .unwrap(),
        DeleteOutcome::Absent
    );
}

#[tokio::test]
async fn a_registry_that_refuses_deletes_gets_a_clear_error_and_keeps_the_tag() {
    let registry = OciRegistry::start_with(&RegistryAuth::Open, false).unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.0.0");
    let client = open_client(&registry);
    client
        .push(
            &layout,
            &repo(&registry, "app"),
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    let error = client
        .delete_tag(&image(&registry, "app:1.0.0"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, OciError::DeleteUnsupported { status: 405, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("storage.delete.enabled"),
        "{error}"
    );
    assert_eq!(
        client
            .resolve(&image(&registry, "app:1.0.0"))
            .await
            .unwrap()
            .map(|d| d.to_string()),
        Some(index_digest)
    );
}

#[tokio::test]
async fn tags_are_listed_in_lexical_order() {
    let registry = OciRegistry::start().unwrap();
    let (_dir, layout, _) = multi_arch("1.0.0");
    let client = open_client(&registry);
    let repository = repo(&registry, "paged");
    let all = tags(&["1.0.0", "1.0.1", "1.1.0", "2.0.0", "latest"]);
    client
        .push(&layout, &repository, &all, &PushOptions::default())
        .await
        .unwrap();
    // distribution 2.8 ignores `n` for tags and answers in storage order, in one page.
    assert_eq!(client.tags(&repository, Some(2)).await.unwrap(), all);
    assert_eq!(
        client
            .tags(&repo(&registry, "never-pushed"), None)
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}

/// A server for the paginated tag list of the distribution spec (`?n=&last=`, `Link: <…>; rel="next"`), as
/// GHCR and distribution 3 serve it; distribution 2.8, the registry of the other tests, does not paginate.
fn paginating_tags_server(
    all: Vec<String>,
) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            while reader.read_line(&mut String::new()).unwrap_or(0) > 2 {}
            let target = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            log.lock().unwrap().push(target.clone());
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|p| p.strip_prefix(&format!("{name}=")).map(str::to_owned))
            };
            let (body, link) = if path == "/v2/" {
                ("{}".to_owned(), String::new())
            } else {
                let size: usize = param("n").and_then(|n| n.parse().ok()).unwrap_or(1000);
                let last = param("last");
                let remaining: Vec<&String> = all
                    .iter()
                    .filter(|t| last.as_ref().is_none_or(|l| t.as_str() > l.as_str()))
                    .collect();
                let page: Vec<&String> = remaining.iter().take(size).copied().collect();
                let link = if remaining.len() > size {
                    format!(
                        "Link: <{path}?n={size}&last={}>; rel=\"next\"\r\n",
                        page.last().unwrap()
                    )
                } else {
                    String::new()
                };
                (
                    serde_json::json!({"name": "paged", "tags": page}).to_string(),
                    link,
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{link}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

#[tokio::test]
async fn tags_are_listed_across_pages_following_each_link() {
    let all = tags(&["1.0.0", "1.0.1", "1.1.0", "2.0.0", "latest"]);
    let (port, seen) = paginating_tags_server(all.clone());
    let registry = format!("127.0.0.1:{port}");
    let client = OciClient::new(&registry, ClientOptions::default()).unwrap();
    let repository = Repository::parse(&format!("{registry}/paged")).unwrap();
    assert_eq!(client.tags(&repository, Some(2)).await.unwrap(), all);
    let pages: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|t| t.contains("/tags/list"))
        .cloned()
        .collect();
    assert_eq!(
        pages,
        [
            "/v2/paged/tags/list?n=2",
            "/v2/paged/tags/list?n=2&last=1.0.1",
            "/v2/paged/tags/list?n=2&last=2.0.0",
        ]
    );
}

#[tokio::test]
async fn htpasswd_basic_auth_needs_the_right_password_and_never_shows_it() {
    let password = "s3cret-Basic-pw";
    let registry = OciRegistry::start_with(
        &RegistryAuth::Htpasswd {
            username: "alice".to_owned(),
            password: password.to_owned(),
        },
        true,
    )
    .unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.0.0");
    let repository = repo(&registry, "private");

    let anonymous = open_client(&registry)
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(anonymous, OciError::Unauthorized { status: 401, .. }),
        "{anonymous}"
    );
    assert!(
        anonymous.to_string().contains("no credentials were given"),
        "{anonymous}"
    );

    let wrong = client(
        &registry,
        ClientOptions {
            credentials: Credentials::basic("alice", "wrong-password"),
            ..ClientOptions::default()
        },
    );
    let error = wrong
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("the credentials were rejected"),
        "{error}"
    );
    assert!(!format!("{error:?} {wrong:?}").contains("wrong-password"));

    let right = client(
        &registry,
        ClientOptions {
            credentials: Credentials::basic("alice", password),
            ..ClientOptions::default()
        },
    );
    let report = right
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), index_digest);
    assert!(!format!("{right:?} {report:?}").contains(password));
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("--creds=alice:{password}"),
        &format!("docker://{}/private:1.0.0", registry.address()),
    ]);
    assert_eq!(sha256(&raw), index_digest);
}

// Issue 18: where a blob was pushed is remembered (like skopeo's blob-info cache), so a push to
// another repository of the same registry mounts it and moves no blob bytes, with no
// `--mount-from`.
#[tokio::test]
async fn a_second_repository_of_the_same_registry_mounts_the_blobs_remembered_from_the_first() {
    let issuer = TokenIssuer::start(IssuerConfig {
        user: Some(("bob".to_owned(), "token-pw-123".to_owned())),
        ..IssuerConfig::default()
    })
    .unwrap();
    let registry = OciRegistry::start_with(&RegistryAuth::token(&issuer), true).unwrap();
    let (dir, layout, _) = multi_arch("3.0.0");
    let cache_file = dir.path().join("cache/oci-blob-locations");
    let client_with_cache = || {
        client(
            &registry,
            ClientOptions {
                credentials: Credentials::basic("bob", "token-pw-123"),
                blob_locations: Some(Arc::new(registry::oci::BlobLocations::open(&cache_file))),
                ..ClientOptions::default()
            },
        )
    };
    let first = client_with_cache()
        .push(
            &layout,
            &repo(&registry, "team/first"),
            &tags(&["3.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!((first.blobs.uploaded, first.blobs.mounted), (4, 0));
    assert!(cache_file.exists());

    // A new client (another process, say) reads the file.
    let mark = registry.mark();
    let second = client_with_cache()
        .push(
            &layout,
            &repo(&registry, "team/second"),
            &tags(&["3.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            second.blobs.mounted,
            second.blobs.uploaded,
            second.blobs.bytes_uploaded
        ),
        (4, 0, 0)
    );
    let requests = registry.requests_since(mark);
    assert!(
        requests
            .iter()
            .all(|r| !r.starts_with("PATCH") && !r.starts_with("PUT /v2/team/second/blobs")),
        "{requests:#?}"
    );

    // Locations are per registry: another registry (another address) has nothing remembered, so
    // the push uploads.
    let other = OciRegistry::start_with(&RegistryAuth::token(&issuer), true).unwrap();
    let third = client(
        &other,
        ClientOptions {
            credentials: Credentials::basic("bob", "token-pw-123"),
            blob_locations: Some(Arc::new(registry::oci::BlobLocations::open(&cache_file))),
            ..ClientOptions::default()
        },
    )
    .push(
        &layout,
        &repo(&other, "team/third"),
        &tags(&["3.0.0"]),
        &PushOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((third.blobs.uploaded, third.blobs.mounted), (4, 0));
}

#[tokio::test]
async fn token_auth_mounts_across_repositories_with_two_scopes() {
    let issuer = TokenIssuer::start(IssuerConfig {
        user: Some(("bob".to_owned(), "token-pw-123".to_owned())),
        ..IssuerConfig::default()
    })
    .unwrap();
    let registry = OciRegistry::start_with(&RegistryAuth::token(&issuer), true).unwrap();
    let (_dir, layout, index_digest) = multi_arch("3.0.0");
    let options = ClientOptions {
        credentials: Credentials::basic("bob", "token-pw-123"),
        ..ClientOptions::default()
    };
    let client = client(&registry, options);
    let source = repo(&registry, "team/source");
    let target = repo(&registry, "team/target");
    client
        .push(&layout, &source, &tags(&["3.0.0"]), &PushOptions::default())
        .await
        .unwrap();

    let mark = registry.mark();
    let report = client
        .push(
            &layout,
            &target,
            &tags(&["3.0.0"]),
            &PushOptions {
                mount_from: vec![source.clone()],
                ..PushOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            report.blobs.mounted,
            report.blobs.uploaded,
            report.blobs.bytes_uploaded
        ),
        (4, 0, 0)
    );
    let requests = registry.requests_since(mark);
    assert!(
        requests.iter().all(|r| !r.starts_with("PATCH")),
        "{requests:#?}"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("mount=") && r.ends_with(" 201"))
            .count(),
        4,
        "{requests:#?}"
    );
    assert!(
        issuer.requests().iter().any(|r| r.scopes
            == vec![
                "repository:team/source:pull".to_owned(),
                "repository:team/target:pull,push".to_owned()
            ]),
        "{:#?}",
        issuer.requests()
    );

    // Retag across repositories mounts as well and moves no byte.
    let retagged = client
        .retag(
            &image(&registry, "team/source:3.0.0"),
            &image(&registry, "team/copy:stable"),
            &RetagOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!((retagged.blobs_mounted, retagged.blob_bytes_moved), (4, 0));
    let verified = client
        .verify(
            &image(&registry, "team/copy:stable"),
            &Expectations {
                digest: Some(Digest::parse(&index_digest).unwrap()),
                platforms: tags(&["linux/amd64", "linux/arm64"]),
            },
        )
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");

    let strangers = OciClient::new(
        &registry.address(),
        ClientOptions {
            credentials: Credentials::basic("bob", "nope"),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let error = strangers.tags(&source, None).await.unwrap_err();
    assert!(matches!(error, OciError::Unauthorized { .. }), "{error}");
}

#[tokio::test]
async fn an_expired_token_mid_push_is_renewed() {
    let issuer = TokenIssuer::start(IssuerConfig {
        expire_first: 1,
        ..IssuerConfig::default()
    })
    .unwrap();
    let registry = OciRegistry::start_with(&RegistryAuth::token(&issuer), true).unwrap();
    let (_dir, layout, index_digest) = multi_arch("1.0.0");
    let client = open_client(&registry);
    let report = client
        .push(
            &layout,
            &repo(&registry, "app"),
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), index_digest);
    assert!(registry.requests().iter().any(|r| r.ends_with(" 401")));
    assert!(issuer.requests().len() >= 2);
}

#[tokio::test]
async fn an_image_skopeo_pushed_is_retagged_and_verified() {
    let registry = OciRegistry::start().unwrap();
    let directory = tempfile::tempdir().unwrap();
    let index = layouts::multi_arch(directory.path(), "4.0.0").unwrap();
    let source = format!("oci:{}:4.0.0", directory.path().display());
    let destination = format!("docker://{}/skopeo/app:4.0.0", registry.address());
    let digest_file = directory.path().join("pushed.digest");
    skopeo(&[
        "copy",
        "--all",
        "--dest-tls-verify=false",
        "--digestfile",
        digest_file.to_str().unwrap(),
        &source,
        &destination,
    ]);
    // skopeo compresses the layers on the way, so its image has its own digest: the one it reports.
    let skopeo_digest = std::fs::read_to_string(&digest_file)
        .unwrap()
        .trim()
        .to_owned();
    assert_ne!(skopeo_digest, index.digest);
    let client = open_client(&registry);
    let pushed = client
        .resolve(&image(&registry, "skopeo/app:4.0.0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pushed.as_str(), skopeo_digest);
    let mark = registry.mark();
    let report = client
        .retag(
            &image(&registry, "skopeo/app:4.0.0"),
            &image(&registry, "skopeo/app:latest"),
            &RetagOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (report.digest.as_str(), report.blob_bytes_moved),
        (skopeo_digest.as_str(), 0)
    );
    assert!(uploads(&registry.requests_since(mark)).is_empty());
    let verified = client
        .verify(
            &image(&registry, "skopeo/app:latest"),
            &Expectations {
                digest: Some(pushed),
                platforms: tags(&["linux/amd64", "linux/arm64"]),
            },
        )
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

/// Runs the real `slipway` with a clean credential environment (HOME in a temp dir) plus `env`.
fn slipway(home: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slipway-e2e"));
    command
        .args(args)
        .env("HOME", home)
        .env_remove("DOCKER_CONFIG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("SLIPWAY_OCI_USERNAME")
        .env_remove("SLIPWAY_OCI_PASSWORD")
        .env_remove("SLIPWAY_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("slipway runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_cli_publishes_retags_verifies_lists_and_deletes_without_ever_printing_the_password() {
    let password = "cli-Secret-pw-4711";
    let registry = OciRegistry::start_with(
        &RegistryAuth::Htpasswd {
            username: "ci".to_owned(),
            password: password.to_owned(),
        },
        true,
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let layout_dir = tempfile::tempdir().unwrap();
    let index = layouts::multi_arch(layout_dir.path(), "1.2.0").unwrap();
    let layout = layout_dir.path().to_str().unwrap();
    let repository = format!("{}/acme/hangar", registry.address());
    let env = [
        ("SLIPWAY_OCI_USERNAME", "ci"),
        ("SLIPWAY_OCI_PASSWORD", password),
    ];
    let mut outputs = String::new();
    let mut run = |env: &[(&str, &str)], args: &[&str]| {
        let (code, stdout, stderr) = slipway(home.path(), env, args);
        outputs.push_str(&stdout);
        outputs.push_str(&stderr);
        (code, stdout, stderr)
    };

    let (code, stdout, stderr) = run(
        &env,
        &[
            "-vv",
            "publish",
            "oci",
            layout,
            &repository,
            "--tag",
            "1.2.0",
            "--tag",
            "latest",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "{repository}:1.2.0@{0}\n{repository}:latest@{0}\n",
            index.digest
        )
    );
    assert!(stderr.contains("4 blob(s) uploaded"), "{stderr}");

    let (code, stdout, stderr) = run(
        &env,
        &[
            "verify",
            "oci",
            &format!("{repository}:latest"),
            "--digest",
            &index.digest,
            "--platform",
            "linux/amd64",
            "--platform",
            "linux/arm64",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "{repository}:latest@{}\n  linux/amd64\n  linux/arm64/v8\n",
            index.digest
        )
    );
    let (code, _, stderr) = run(
        &env,
        &[
            "verify",
            "oci",
            &format!("{repository}:latest"),
            "--platform",
            "linux/ppc64le",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "problem: platform linux/ppc64le is missing (found linux/amd64, linux/arm64/v8)\n"
    );

    // A release candidate, then the refused and the allowed retags.
    let rc_dir = tempfile::tempdir().unwrap();
    let rc = layouts::multi_arch(rc_dir.path(), "1.3.0-rc.1").unwrap();
    let (code, _, stderr) = run(
        &env,
        &[
            "publish",
            "oci",
            rc_dir.path().to_str().unwrap(),
            &repository,
            "--tag",
            "1.3.0-rc.1",
            "--tag",
            "latest",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("refusing to point `latest` at pre-release 1.3.0-rc.1"),
        "{stderr}"
    );
    let (code, _, stderr) = run(
        &env,
        &[
            "publish",
            "oci",
            rc_dir.path().to_str().unwrap(),
            &repository,
            "--tag",
            "1.3.0-rc.1",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(
        &env,
        &["retag", &format!("{repository}:1.3.0-rc.1"), "latest"],
    );
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, stderr) = run(
        &env,
        &["-vv", "retag", &format!("{repository}:1.2.0"), "stable"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, format!("{repository}:stable@{}\n", index.digest));
    assert!(stderr.contains("blob bytes moved: 0"), "{stderr}");

    let (code, stdout, _) = run(&env, &["tags", &repository]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "1.2.0\n1.3.0-rc.1\nlatest\nstable\n");

    let (code, stdout, stderr) = run(
        &env,
        &["-vv", "delete-tag", &format!("{repository}:stable")],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "deleted {repository}:stable (was {}",
            index.digest
        )),
        "{stdout}"
    );
    let (_, stdout, _) = run(&env, &["tags", &repository]);
    assert_eq!(stdout, "1.2.0\n1.3.0-rc.1\nlatest\n");
    let _ = rc;

    // Without credentials: a clear refusal. With Docker's config.json: accepted.
    let (code, _, stderr) = run(&[], &["tags", &repository]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no credentials were given"), "{stderr}");
    let docker = home.path().join(".docker");
    std::fs::create_dir_all(&docker).unwrap();
    let auth = base64_encode(&format!("ci:{password}"));
    std::fs::write(
        docker.join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
            registry.address()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[], &["-vv", "tags", &repository]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "1.2.0\n1.3.0-rc.1\nlatest\n");
    assert!(stderr.contains(".docker/config.json"), "{stderr}");

    // A wrong password is refused, and neither password shows anywhere.
    let (code, _, stderr) = run(
        &[
            ("SLIPWAY_OCI_USERNAME", "ci"),
            ("SLIPWAY_OCI_PASSWORD", "wrong-Secret-pw"),
        ],
        &["-vvv", "tags", &repository],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("the credentials were rejected"), "{stderr}");
    assert!(
        outputs.contains("DEBUG") || outputs.contains("TRACE"),
        "the logs were on"
    );
    assert!(
        !outputs.contains(password),
        "the password leaked:\n{outputs}"
    );
    assert!(
        !outputs.contains("wrong-Secret-pw"),
        "the password leaked:\n{outputs}"
    );
    assert!(
        !outputs.contains(&auth),
        "the encoded credentials leaked:\n{outputs}"
    );
    assert!(!outputs.contains(&base64_encode(&format!("ci:{password}"))));
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A TCP proxy to `upstream` that cuts every connection once, when the bytes sent upstream cross
/// `cut_after`: a connection dropped in the middle of an upload request.
fn flaky_proxy(upstream: u16, cut_after: u64) -> u16 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicU64::new(0));
    let cut = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let server = std::net::TcpStream::connect(("127.0.0.1", upstream)).unwrap();
            let (mut client_read, mut server_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (sent, cut) = (sent.clone(), cut.clone());
            let (client_for_cut, server_for_cut) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                use std::io::{Read as _, Write as _};
                let mut buffer = [0_u8; 8192];
                loop {
                    let n = match client_read.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let total = sent.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
                    if total > cut_after && !cut.swap(true, Ordering::SeqCst) {
                        let _ = client_for_cut.shutdown(std::net::Shutdown::Both);
                        let _ = server_for_cut.shutdown(std::net::Shutdown::Both);
                        break;
                    }
                    if server_write.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            });
            let (mut server_read, mut client_write) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_read, &mut client_write);
                let _ = client_write.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    port
}

#[tokio::test]
async fn a_chunked_upload_cut_mid_request_resumes_and_the_image_is_intact() {
    let registry = OciRegistry::start().unwrap();
    let proxy = flaky_proxy(registry.port(), 100 * 1024);
    let directory = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..64_000_u32).flat_map(u32::to_le_bytes).collect();
    let manifest = layouts::single(directory.path(), &content).unwrap();
    let layout = Layout::open(directory.path()).unwrap();
    let address = format!("127.0.0.1:{proxy}");
    let options = ClientOptions {
        chunk_size: 64 * 1024,
        concurrency: 1,
        retry: registry::retry::RetryPolicy {
            max_attempts: 5,
            initial_delay: std::time::Duration::from_millis(10),
            max_delay: std::time::Duration::from_millis(50),
            budget: std::time::Duration::from_secs(120),
        },
        ..ClientOptions::default()
    };
    let client = OciClient::new(&address, options).unwrap();
    let repository = Repository::parse(&format!("{address}/flaky")).unwrap();
    let report = client
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), manifest.digest);
    // More bytes went out than the blobs hold: a chunk was sent again.
    assert!(
        report.blobs.bytes_uploaded > layout.blob_bytes(),
        "{report:?}"
    );
    let verified = open_client(&registry)
        .verify(&image(&registry, "flaky:1.0.0"), &Expectations::default())
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
    skopeo(&[
        "copy",
        "--preserve-digests",
        "--src-tls-verify=false",
        &format!("docker://{}/flaky:1.0.0", registry.address()),
        &format!("oci:{}:copy", directory.path().join("copy").display()),
    ]);
    // skopeo re-verifies every digest on the way; the layer came back whole.
    let copied = Layout::open(&directory.path().join("copy")).unwrap();
    assert_eq!(copied.root().digest.as_str(), manifest.digest);
    assert_eq!(copied.blob_bytes(), layout.blob_bytes());
}

/// An HTTP proxy to `upstream` (one request per connection: it forces `Connection: close`) that answers the
/// first request whose request line starts with each of `faults`' prefixes with that status itself, with
/// `Retry-After: 0`, as an overloaded registry or its load balancer would. Returns its port and the
/// request lines it answered itself.
fn faulty_proxy(
    upstream: u16,
    faults: Vec<(&'static str, u16)>,
) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead as _, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let injected = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = injected.clone();
    std::thread::spawn(move || {
        let mut pending = faults;
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let mut reader = std::io::BufReader::new(client.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0_usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                let end = line == "\r\n";
                if !line.to_ascii_lowercase().starts_with("connection:") && !end {
                    head.push_str(&line);
                }
                if end {
                    break;
                }
            }
            let mut body = vec![0_u8; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let request_line = head.lines().next().unwrap_or_default().to_owned();
            if let Some(position) = pending
                .iter()
                .position(|(prefix, _)| request_line.starts_with(prefix))
            {
                let (_, status) = pending.remove(position);
                log.lock()
                    .unwrap()
                    .push(format!("{request_line} -> {status}"));
                let _ = write!(
                    client,
                    "HTTP/1.1 {status} Injected\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                continue;
            }
            let mut server = std::net::TcpStream::connect(("127.0.0.1", upstream)).unwrap();
            let _ = write!(server, "{head}Connection: close\r\n\r\n");
            let _ = server.write_all(&body);
            let _ = std::io::copy(&mut server, &mut client);
        }
    });
    (port, injected)
}

#[tokio::test]
async fn overloaded_answers_are_retried_with_backoff() {
    let registry = OciRegistry::start().unwrap();
    let (proxy, injected) = faulty_proxy(
        registry.port(),
        vec![
            ("PATCH ", 503),
            ("PUT /v2/busy/blobs/", 429),
            ("PUT /v2/busy/manifests/", 502),
            ("HEAD ", 408),
        ],
    );
    let directory = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..20_000_u32).flat_map(u32::to_le_bytes).collect();
    let manifest = layouts::single(directory.path(), &content).unwrap();
    let layout = Layout::open(directory.path()).unwrap();
    let address = format!("127.0.0.1:{proxy}");
    let options = ClientOptions {
        chunk_size: 32 * 1024,
        concurrency: 1,
        retry: registry::retry::RetryPolicy {
            max_attempts: 3,
            initial_delay: std::time::Duration::from_millis(10),
            max_delay: std::time::Duration::from_millis(50),
            budget: std::time::Duration::from_secs(120),
        },
        ..ClientOptions::default()
    };
    let client = OciClient::new(&address, options).unwrap();
    let repository = Repository::parse(&format!("{address}/busy")).unwrap();
    let report = client
        .push(
            &layout,
            &repository,
            &tags(&["1.0.0"]),
            &PushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.digest.as_str(), manifest.digest);
    let injected = injected.lock().unwrap().clone();
    assert_eq!(injected.len(), 4, "every fault was met: {injected:#?}");
    let verified = open_client(&registry)
        .verify(&image(&registry, "busy:1.0.0"), &Expectations::default())
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

#[tokio::test]
async fn docker_media_types_are_fetched_retagged_and_verified_too() {
    let registry = OciRegistry::start().unwrap();
    let directory = tempfile::tempdir().unwrap();
    layouts::single(directory.path(), b"a docker layer").unwrap();
    let digest_file = directory.path().join("pushed.digest");
    skopeo(&[
        "copy",
        "--format",
        "v2s2",
        "--dest-tls-verify=false",
        "--digestfile",
        digest_file.to_str().unwrap(),
        &format!("oci:{}:latest", directory.path().display()),
        &format!("docker://{}/docker/app:1.0.0", registry.address()),
    ]);
    let pushed = std::fs::read_to_string(&digest_file)
        .unwrap()
        .trim()
        .to_owned();
    let client = open_client(&registry);
    let manifest = client
        .get_manifest(&image(&registry, "docker/app:1.0.0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (manifest.media_type.as_str(), manifest.digest.as_str()),
        (
            "application/vnd.docker.distribution.manifest.v2+json",
            pushed.as_str()
        )
    );
    let report = client
        .retag(
            &image(&registry, "docker/app:1.0.0"),
            &image(&registry, "docker/app:stable"),
            &RetagOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        (report.digest.as_str(), report.blob_bytes_moved),
        (pushed.as_str(), 0)
    );
    let verified = client
        .verify(
            &image(&registry, "docker/app:stable"),
            &Expectations {
                digest: Some(Digest::parse(&pushed).unwrap()),
                platforms: tags(&["linux/amd64"]),
            },
        )
        .await
        .unwrap();
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(
        verified.media_type,
        "application/vnd.docker.distribution.manifest.v2+json"
    );
}

/// Parses one `--json` object and checks its schema version.
#[track_caller]
fn json(stdout: &str, stderr: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{stdout}\n{stderr}"));
    assert_eq!(value["schema_version"], 1, "{value}");
    value
}

#[test]
fn the_oci_commands_print_json_results() {
    let registry = OciRegistry::start_with(&RegistryAuth::Open, true).unwrap();
    let home = tempfile::tempdir().unwrap();
    let layout_dir = tempfile::tempdir().unwrap();
    let index = layouts::multi_arch(layout_dir.path(), "2.0.0").unwrap();
    let layout = layout_dir.path().to_str().unwrap();
    let repository = format!("{}/acme/json", registry.address());
    let run = |args: &[&str]| {
        let (code, stdout, stderr) = slipway(home.path(), &[], args);
        (code, json(&stdout, &stderr), stderr)
    };

    let (code, pushed, stderr) = run(&[
        "publish",
        "oci",
        layout,
        &repository,
        "--tag",
        "2.0.0",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(pushed["digest"], index.digest.as_str());
    assert_eq!(pushed["tags_updated"], serde_json::json!(["2.0.0"]));
    assert_eq!(pushed["blobs"]["uploaded"], 4);
    assert!(pushed["blobs"]["bytes_uploaded"].as_u64().unwrap() > 0);

    let (code, retagged, stderr) =
        run(&["retag", &format!("{repository}:2.0.0"), "stable", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(retagged["changed"], true);
    assert_eq!(retagged["previous"], serde_json::Value::Null);
    assert_eq!(retagged["digest"], index.digest.as_str());

    let (code, verified, _) = run(&[
        "verify",
        "oci",
        &format!("{repository}:stable"),
        "--platform",
        "linux/s390x",
        "--json",
    ]);
    // A missing platform: the result says so, and the exit code is still 1.
    assert_eq!(code, 1);
    assert_eq!(verified["ok"], false, "{verified}");
    assert!(
        verified["platforms"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("linux/amd64")),
        "{verified}"
    );
    assert!(verified["problems"][0].as_str().unwrap().contains("s390x"));

    let (code, listed, stderr) = run(&["tags", &repository, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(listed["tags"], serde_json::json!(["2.0.0", "stable"]));

    let (code, deleted, stderr) = run(&["delete-tag", &format!("{repository}:stable"), "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(deleted["was"], index.digest.as_str());
    assert_ne!(deleted["outcome"], "absent");
}
