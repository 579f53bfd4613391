//! PyPI-only behaviour against a FAKE Warehouse: a small HTTP server in this file that follows PyPI's
//! documented endpoints (legacy upload, PEP 691 simple API, JSON API, trusted-publishing exchange) and
//! GitHub Actions' OIDC token endpoint. pypiserver cannot play these parts (it answers 409 where PyPI
//! answers 400, has no JSON API and no trusted publishing); the real-server tests are in `tests/tests/pypi.rs`.

use slipway_registry as registry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use registry::pypi::{
    Artifact, Credentials, ExpectedFile, GithubOidc, IndexUrls, NoProgress, PublishError,
    PublishOptions, PypiClient, UploadStatus, YankOutcome,
};
use registry::retry::RetryPolicy;
use secrecy::SecretString;
use sha2::Digest as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::pypi::{sdist, wheel};

const TOKEN: &str = "pypi-FAKE-upload-token-0123456789";
const GITHUB_REQUEST_TOKEN: &str = "ghs-FAKE-request-token-abcdef";
const OIDC_JWT: &str = "eyFAKE.oidc.jwt";
const MINTED: &str = "pypi-FAKE-minted-token-zyxwvu";

/// The page upload.pypi.org answers a refused token with.
const PYPI_403_PAGE: &str = "<html>\n <head>\n  <title>403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.</title>\n </head>\n <body>\n  <h1>403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.</h1>\n  Access was denied to this resource.<br/><br/>\nInvalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.\n\n\n </body>\n</html>";

#[derive(Default)]
struct State {
    /// filename → (project, version, sha256, bytes)
    files: HashMap<String, (String, String, String)>,
    /// Whether `/simple/` answers 404 (the JSON API fallback is then used).
    simple_broken: bool,
    /// File names the listings hide this many more times (index lag).
    hidden: HashMap<String, u32>,
    /// Upload attempts answered 503 before the real handling.
    fail_uploads: u32,
    /// Every request: (method, path, authorization header).
    log: Vec<(String, String, Option<String>)>,
    /// The `:action=file_upload` form fields of accepted uploads.
    upload_fields: Vec<Vec<(String, String)>>,
    /// Whether the mint-token step refuses.
    mint_refuses: bool,
}

struct FakeWarehouse {
    base: String,
    state: Arc<Mutex<State>>,
}

impl FakeWarehouse {
    async fn start() -> FakeWarehouse {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let origin = base.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let state = Arc::clone(&shared);
                let origin = origin.clone();
                tokio::spawn(async move {
                    let _ = serve(socket, state, origin).await;
                });
            }
        });
        FakeWarehouse { base, state }
    }

    fn urls(&self) -> IndexUrls {
        IndexUrls::from_upload_url(&format!("{}legacy/", self.base)).unwrap()
    }

    fn client(&self) -> PypiClient {
        PypiClient::new(
            self.urls(),
            Some(Credentials::token(SecretString::from(TOKEN))),
        )
        .with_retry(RetryPolicy {
            max_attempts: 3,
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            budget: std::time::Duration::from_secs(120),
        })
        .with_poll_interval(Duration::from_millis(20))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

async fn serve(
    mut socket: tokio::net::TcpStream,
    state: Arc<Mutex<State>>,
    origin: String,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let header_end = loop {
        let mut chunk = [0_u8; 8192];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[header_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0_u8; 65536];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let request = Request {
        method,
        path,
        headers,
        body,
    };
    let (status, content_type, payload) = route(&request, &state, &origin);
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        payload.len()
    );
    socket.write_all(response.as_bytes()).await?;
    socket.write_all(payload.as_bytes()).await?;
    socket.shutdown().await
}

fn json(status: &'static str, value: &serde_json::Value) -> (&'static str, &'static str, String) {
    (status, "application/json", value.to_string())
}

fn route(
    request: &Request,
    state: &Mutex<State>,
    origin: &str,
) -> (&'static str, &'static str, String) {
    let mut state = state.lock().unwrap();
    let authorization = request.headers.get("authorization").cloned();
    state.log.push((
        request.method.clone(),
        request.path.clone(),
        authorization.clone(),
    ));
    let path = request.path.split('?').next().unwrap_or_default();
    match (request.method.as_str(), path) {
        ("GET", "/_/oidc/audience") => json("200 OK", &serde_json::json!({"audience": "pypi"})),
        ("GET", "/github/token") => {
            if authorization.as_deref() != Some(&format!("bearer {GITHUB_REQUEST_TOKEN}"))
                || !request.path.contains("audience=pypi")
            {
                return json(
                    "401 Unauthorized",
                    &serde_json::json!({"message": "bad request token"}),
                );
            }
            json("200 OK", &serde_json::json!({"value": OIDC_JWT}))
        }
        ("POST", "/_/oidc/mint-token") => {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
            if state.mint_refuses || body["token"] != OIDC_JWT {
                return json(
                    "422 Unprocessable Entity",
                    &serde_json::json!({"message": "Token request failed", "errors": [{"code": "invalid-publisher", "description": "valid token, but no corresponding publisher"}]}),
                );
            }
            json(
                "200 OK",
                &serde_json::json!({"success": true, "token": MINTED}),
            )
        }
        ("POST", "/legacy/") => upload(request, &mut state, authorization.as_deref()),
        ("GET", p) if p.starts_with("/simple/") => {
            if state.simple_broken {
                return ("404 Not Found", "text/plain", "not here".into());
            }
            let project = p
                .trim_start_matches("/simple/")
                .trim_end_matches('/')
                .to_owned();
            let files: Vec<serde_json::Value> = listed(&mut state, &project)
                .into_iter()
                .map(|(name, _, sha)| {
                    serde_json::json!({"filename": name, "url": format!("{origin}files/{name}"), "hashes": {"sha256": sha}, "yanked": false})
                })
                .collect();
            if files.is_empty() {
                return ("404 Not Found", "text/plain", "no such project".into());
            }
            (
                "200 OK",
                "application/vnd.pypi.simple.v1+json",
                serde_json::json!({"meta": {"api-version": "1.1"}, "name": project, "files": files}).to_string(),
            )
        }
        ("GET", p) if p.starts_with("/pypi/") && p.ends_with("/json") => {
            let project = p
                .trim_start_matches("/pypi/")
                .trim_end_matches("/json")
                .to_owned();
            let mut releases: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
            for (name, version, sha) in listed(&mut state, &project) {
                releases.entry(version).or_default().push(serde_json::json!({
                    "filename": name, "url": format!("{origin}files/{name}"), "digests": {"sha256": sha}, "yanked": false
                }));
            }
            if releases.is_empty() {
                return json(
                    "404 Not Found",
                    &serde_json::json!({"message": "Not Found"}),
                );
            }
            json(
                "200 OK",
                &serde_json::json!({"info": {"name": project}, "releases": releases}),
            )
        }
        _ => ("404 Not Found", "text/plain", "unknown endpoint".into()),
    }
}

/// The files of `project` the index lists now, minus those still hidden by lag.
fn listed(state: &mut State, project: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let names: Vec<String> = state.files.keys().cloned().collect();
    for name in names {
        let (p, version, sha) = state.files[&name].clone();
        if p != project {
            continue;
        }
        if let Some(left) = state.hidden.get_mut(&name)
            && *left > 0
        {
            *left -= 1;
            continue;
        }
        out.push((name, version, sha));
    }
    out.sort();
    out
}

fn upload(
    request: &Request,
    state: &mut State,
    authorization: Option<&str>,
) -> (&'static str, &'static str, String) {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("__token__:{TOKEN}"))
    );
    let minted = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("__token__:{MINTED}"))
    );
    if authorization != Some(expected.as_str()) && authorization != Some(minted.as_str()) {
        // Warehouse's own answer: an HTML page (issue 17: it was dumped whole into the error).
        return (
            "403 Invalid or non-existent authentication information.",
            "text/html; charset=UTF-8",
            PYPI_403_PAGE.into(),
        );
    }
    if state.fail_uploads > 0 {
        state.fail_uploads -= 1;
        return ("503 Service Unavailable", "text/plain", "try later".into());
    }
    let content_type = request
        .headers
        .get("content-type")
        .cloned()
        .unwrap_or_default();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap_or_default()
        .trim_matches('"')
        .to_owned();
    let fields = multipart(&request.body, &boundary);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default()
    };
    let Some((_, Some(filename), content)) = fields.iter().find(|(k, _, _)| k == "content") else {
        return ("400 Bad Request", "text/plain", "missing content".into());
    };
    let sha = hex::encode(sha2::Sha256::digest(content));
    if String::from_utf8_lossy(&field("sha256_digest")) != sha {
        return (
            "400 The digest supplied does not match a digest calculated from the uploaded file.",
            "text/plain",
            String::new(),
        );
    }
    let project = registry::pypi::normalize_name(&String::from_utf8_lossy(&field("name")));
    let version = String::from_utf8_lossy(&field("version")).into_owned();
    if let Some((_, _, existing)) = state.files.get(filename) {
        if *existing == sha {
            // PyPI: the identical file again is a no-op success.
            return ("200 OK", "text/plain", "OK".into());
        }
        return (
            "400 File already exists ('x', with blake2_256 hash 'y'). See https://pypi.org/help/#file-name-reuse for more information.",
            "text/plain",
            "400 File already exists".into(),
        );
    }
    state
        .files
        .insert(filename.clone(), (project, version, sha));
    state.upload_fields.push(
        fields
            .iter()
            .filter(|(k, _, _)| k != "content")
            .map(|(k, _, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect(),
    );
    ("200 OK", "text/plain", "OK".into())
}

/// Splits a multipart/form-data body into (name, filename, bytes).
fn multipart(body: &[u8], boundary: &str) -> Vec<(String, Option<String>, Vec<u8>)> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            break;
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let content_start = head_end + 4;
        let Some(end) = find(
            &rest[content_start..],
            format!("\r\n{delimiter}").as_bytes(),
        ) else {
            break;
        };
        let content = rest[content_start..content_start + end].to_vec();
        let attribute = |key: &str| {
            head.split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix(&format!("{key}=\"")))
                .map(|v| {
                    v.trim_end_matches(['"', '\r', '\n'])
                        .split('"')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
        };
        parts.push((
            attribute("name").unwrap_or_default(),
            attribute("filename"),
            content,
        ));
        rest = &rest[content_start + end..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn files(dir: &std::path::Path, version: &str, payload_version: &str) -> Vec<Artifact> {
    // `payload_version` goes into the long description so that two builds of one version differ.
    let sdist = sdist(
        dir,
        &format!("demo-{version}.tar.gz"),
        &format!("demo-{version}"),
        "demo",
        version,
    );
    let wheel = wheel(
        dir,
        &format!("demo-{version}-py3-none-any.whl"),
        &format!("demo-{version}.dist-info"),
        "demo",
        version,
    );
    if payload_version != version {
        let mut bytes = std::fs::read(&wheel).unwrap();
        bytes.extend_from_slice(payload_version.as_bytes());
        std::fs::write(&wheel, bytes).unwrap();
    }
    vec![
        Artifact::read(&wheel).unwrap(),
        Artifact::read(&sdist).unwrap(),
    ]
}

#[tokio::test]
async fn fake_pypi_upload_sends_the_documented_form_sdist_first_and_verifies_through_pep_691() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    let artifacts = files(dir.path(), "1.0", "1.0");
    let outcomes = fake
        .client()
        .publish(&artifacts, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap();
    let names: Vec<(&str, &UploadStatus)> = outcomes
        .iter()
        .map(|o| (o.filename.as_str(), &o.status))
        .collect();
    assert_eq!(
        names,
        [
            ("demo-1.0.tar.gz", &UploadStatus::Uploaded),
            ("demo-1.0-py3-none-any.whl", &UploadStatus::Uploaded)
        ]
    );
    let upload_fields = fake.state().upload_fields.clone();
    let sdist_fields = &upload_fields[0];
    let get = |fields: &Vec<(String, String)>, k: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(get(sdist_fields, ":action"), ["file_upload"]);
    assert_eq!(get(sdist_fields, "protocol_version"), ["1"]);
    assert_eq!(get(sdist_fields, "filetype"), ["sdist"]);
    assert_eq!(get(sdist_fields, "pyversion"), ["source"]);
    assert_eq!(get(sdist_fields, "metadata_version"), ["2.1"]);
    assert_eq!(get(sdist_fields, "classifiers"), ["A", "B"]);
    assert_eq!(get(sdist_fields, "description"), ["Long description."]);
    assert_eq!(
        get(sdist_fields, "blake2_256_digest"),
        [outcomes[0].digests.blake2_256.clone()]
    );
    assert_eq!(get(&upload_fields[1], "filetype"), ["bdist_wheel"]);
    assert_eq!(get(&upload_fields[1], "pyversion"), ["py3"]);

    let expected: Vec<ExpectedFile> = outcomes
        .iter()
        .map(|o| ExpectedFile {
            filename: o.filename.clone(),
            sha256: o.digests.sha256.clone(),
        })
        .collect();
    let version = versioning::pep440::Pep440Version::parse("1.0").unwrap();
    let verification = fake
        .client()
        .verify("demo", &version, &expected, Duration::ZERO)
        .await
        .unwrap();
    assert!(verification.is_ok(), "{verification:?}");
    assert_eq!(verification.found.len(), 2);
}

#[tokio::test]
async fn fake_pypi_a_rerun_finds_everything_published_and_uploads_nothing() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    let artifacts = files(dir.path(), "1.0", "1.0");
    fake.client()
        .publish(&artifacts, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap();
    let uploads_before = fake
        .state()
        .log
        .iter()
        .filter(|(m, _, _)| m == "POST")
        .count();
    let outcomes = fake
        .client()
        .publish(&artifacts, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| o.status == UploadStatus::AlreadyPresent),
        "{outcomes:?}"
    );
    let uploads_after = fake
        .state()
        .log
        .iter()
        .filter(|(m, _, _)| m == "POST")
        .count();
    assert_eq!(
        uploads_before, uploads_after,
        "the index is checked before uploading"
    );
}

#[tokio::test]
async fn fake_pypi_400_file_already_exists_is_resolved_by_comparing_hashes_never_by_deleting() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    let first = tempfile::tempdir().unwrap();
    let published = files(first.path(), "1.0", "1.0");
    fake.client()
        .publish(&published, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap();

    // The listing lags: the pre-upload check misses the wheel, and PyPI answers the identical upload with 200.
    fake.state()
        .hidden
        .insert("demo-1.0-py3-none-any.whl".into(), 1);
    let outcomes = fake
        .client()
        .publish(&published, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert_eq!(outcomes[0].status, UploadStatus::AlreadyPresent);
    assert_eq!(outcomes[1].status, UploadStatus::Uploaded);

    // Other bytes under the same name, missed by the lagging listing: PyPI's 400 "File already exists" leads
    // to a re-check of the index, which names both hashes.
    let other = files(dir.path(), "1.0", "other build");
    fake.state()
        .hidden
        .insert("demo-1.0-py3-none-any.whl".into(), 1);
    let error = fake
        .client()
        .publish(&other, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap_err();
    let PublishError::Conflict {
        filename,
        local_sha256,
        remote_sha256,
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!(filename, "demo-1.0-py3-none-any.whl");
    let message = error.to_string();
    assert!(
        message.contains(local_sha256) && message.contains(remote_sha256),
        "{message}"
    );
    assert!(
        fake.state()
            .log
            .iter()
            .all(|(m, _, _)| m == "GET" || m == "POST"),
        "nothing is ever deleted"
    );

    // --skip-existing leaves it.
    let outcomes = fake
        .client()
        .publish(
            &other,
            PublishOptions {
                skip_existing: true,
                dry_run: false,
            },
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    assert!(
        matches!(outcomes[1].status, UploadStatus::SkippedConflict { .. }),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn fake_pypi_503_is_retried_with_the_file_streamed_again() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    fake.state().fail_uploads = 2;
    let artifacts = files(dir.path(), "2.0", "2.0");
    let outcomes = fake
        .client()
        .publish(&artifacts, PublishOptions::default(), Arc::new(NoProgress))
        .await
        .unwrap();
    assert!(outcomes.iter().all(|o| o.status == UploadStatus::Uploaded));
    assert_eq!(
        fake.state().files.len(),
        2,
        "the replayed body arrived whole (its sha256 was checked)"
    );
}

#[tokio::test]
async fn fake_pypi_a_refused_token_is_reported_without_the_token() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    let client = PypiClient::new(
        fake.urls(),
        Some(Credentials::token(SecretString::from(
            "pypi-WRONG-token-42",
        ))),
    );
    let error = client
        .publish(
            &files(dir.path(), "1.0", "1.0"),
            PublishOptions::default(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap_err();
    let chain = format!("{}", registry::redact::ErrorChain(&error));
    assert!(
        matches!(error, PublishError::Unauthorized { status: 403, .. }),
        "{chain}"
    );
    assert!(
        !chain.contains("pypi-WRONG-token-42")
            && !format!("{error:?}").contains("pypi-WRONG-token-42")
    );
    // The HTML page is summarised by its title, not dumped.
    assert!(
        chain.contains("(an HTML page titled \"403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.\")"),
        "{chain}"
    );
    assert!(
        !chain.contains("<h1>") && !chain.contains("<html"),
        "{chain}"
    );
}

#[tokio::test]
async fn fake_pypi_verify_falls_back_to_the_json_api_and_polls_for_lag() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    let outcomes = fake
        .client()
        .publish(
            &files(dir.path(), "1.0", "1.0"),
            PublishOptions::default(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    fake.state().simple_broken = true;
    fake.state().hidden.insert("demo-1.0.tar.gz".into(), 2);
    let expected = vec![ExpectedFile {
        filename: outcomes[0].filename.clone(),
        sha256: outcomes[0].digests.sha256.clone(),
    }];
    let version = versioning::pep440::Pep440Version::parse("1.0.0").unwrap();
    let verification = fake
        .client()
        .verify("Demo", &version, &expected, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(verification.is_ok(), "{verification:?}");
    assert!(
        fake.state()
            .log
            .iter()
            .any(|(_, p, _)| p == "/pypi/demo/json")
    );

    let wrong = vec![ExpectedFile {
        filename: outcomes[0].filename.clone(),
        sha256: "00".repeat(32),
    }];
    let verification = fake
        .client()
        .verify("demo", &version, &wrong, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(verification.mismatched.len(), 1);
    assert!(!verification.is_ok());
    let absent = versioning::pep440::Pep440Version::parse("9.9").unwrap();
    let verification = fake
        .client()
        .verify("demo", &absent, &[], Duration::from_millis(50))
        .await
        .unwrap();
    assert!(verification.found.is_empty() && !verification.is_ok());
}

#[tokio::test]
async fn fake_pypi_yank_reports_the_manual_step_and_deletes_nothing() {
    let fake = FakeWarehouse::start().await;
    let dir = tempfile::tempdir().unwrap();
    fake.client()
        .publish(
            &files(dir.path(), "1.0", "1.0"),
            PublishOptions::default(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    let version = versioning::pep440::Pep440Version::parse("1.0").unwrap();
    let outcome = fake.client().remove("Demo", &version).await.unwrap();
    let YankOutcome::ManualActionRequired { url, files } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        url,
        format!("{}manage/project/demo/release/1.0/", fake.base)
    );
    assert_eq!(files.len(), 2);
    assert_eq!(fake.state().files.len(), 2);
}

#[tokio::test]
async fn fake_trusted_publishing_exchanges_the_github_oidc_token_for_an_upload_token() {
    let fake = FakeWarehouse::start().await;
    let github = GithubOidc {
        request_url: format!("{}github/token?api-version=2.0", fake.base),
        request_token: SecretString::from(GITHUB_REQUEST_TOKEN),
    };
    let credentials =
        registry::pypi::trusted_publishing(&fake.urls(), &github, &RetryPolicy::none())
            .await
            .unwrap();
    assert_eq!(credentials.username(), "__token__");
    let dir = tempfile::tempdir().unwrap();
    let client = PypiClient::new(fake.urls(), Some(credentials));
    client
        .publish(
            &files(dir.path(), "1.0", "1.0"),
            PublishOptions::default(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    let log = fake.state().log.clone();
    let paths: Vec<&str> = log
        .iter()
        .map(|(_, p, _)| p.split('?').next().unwrap())
        .take(3)
        .collect();
    assert_eq!(
        paths,
        ["/_/oidc/audience", "/github/token", "/_/oidc/mint-token"]
    );

    // A refusal is explained with PyPI's error codes and leaks neither token.
    fake.state().mint_refuses = true;
    let error = registry::pypi::trusted_publishing(&fake.urls(), &github, &RetryPolicy::none())
        .await
        .unwrap_err();
    let text = format!("{} {error:?}", registry::redact::ErrorChain(&error));
    assert!(text.contains("invalid-publisher"), "{text}");
    assert!(
        !text.contains(GITHUB_REQUEST_TOKEN) && !text.contains(OIDC_JWT),
        "{text}"
    );
}
