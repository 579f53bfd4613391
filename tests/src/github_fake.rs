//! A FAKE of GitHub's REST API for releases, for tests: a small HTTP/1.1 server on 127.0.0.1 (a free port,
//! one thread per connection, stopped on drop) that keeps releases and assets in memory.
//!
//! It is not GitHub. It implements the documented endpoints slipway calls, as GitHub documents them
//! (<https://docs.github.com/en/rest/releases>), and nothing else:
//! - `GET  {api}/repos/{o}/{r}/releases/tags/{tag}` (drafts answer 404, as on GitHub)
//! - `GET  {api}/repos/{o}/{r}/releases?per_page=&page=` (newest first, drafts included)
//! - `GET  {api}/repos/{o}/{r}/releases/latest`, `GET {api}/repos/{o}/{r}/releases/{id}`
//! - `POST {api}/repos/{o}/{r}/releases` (201; 422 `already_exists` for a taken tag)
//! - `PATCH {api}/repos/{o}/{r}/releases/{id}`
//! - `GET  {api}/repos/{o}/{r}/releases/{id}/assets?per_page=&page=`
//! - `GET` and `DELETE {api}/repos/{o}/{r}/releases/assets/{id}`
//! - `POST {origin}/uploads/repos/{o}/{r}/releases/{id}/assets?name=` (the `upload_url` it hands out; 201;
//!   422 `already_exists` for a taken name; 411 without `Content-Length`)
//! - `GET  {origin}/{o}/{r}/releases/download/{tag}/{name}` (the `browser_download_url`; no token needed)
//! - `GET  {api}/repos/{o}/{r}` (the repository, with the token's `permissions`: `push: false` for a
//!   read-only token; no `permissions` for an installation token, as GitHub answers those)
//! - `GET  {api}/installation/repositories` (200 for an installation token
//!   ([`FakeGithub::set_installation_token`]), 403 for any other)
//!
//! Every API and upload request must carry `Authorization: Bearer <token>` (else 401 "Bad credentials"); an
//! `X-GitHub-Api-Version` other than `2022-11-28` answers 400; another repository answers 404; a read-only
//! token ([`FakeGithub::set_read_only`]) gets 403 "Resource not accessible by integration" on writes.
//! Assets report `digest: "sha256:…"` as GitHub's newer responses do, unless turned off
//! ([`FakeGithub::set_report_digests`]) to play the older API.
//! Which release is "latest" follows GitHub's rules closely enough for slipway (explicit `make_latest`, else
//! the newest published stable release) but is an approximation.
//!
//! Every request is recorded ([`FakeGithub::requests`]), so tests can assert that a rerun sent no second
//! upload or no PATCH; failures can be injected ([`FakeGithub::fail_next`], [`FakeGithub::lose_answer_next`],
//! [`FakeGithub::fail_uploads_midway`]).
//!
//! It needs only std, `serde_json`, `sha2` and `hex`, so `registry`'s own integration tests compile this file
//! too (with `#[path]`), without depending on this package (which depends on the CLI, which depends on
//! `registry`).

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// Where the fake serves the API, below its origin (as GitHub Enterprise Server does), so clients are
/// tested with a base URL that has a path.
pub const API_PREFIX: &str = "/api/v3";
/// The only API version the fake accepts in `X-GitHub-Api-Version`.
pub const API_VERSION: &str = "2022-11-28";

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query, without `?` (may be empty).
    pub query: String,
    /// The headers, names lowercased.
    pub headers: BTreeMap<String, String>,
    /// The body's length as received.
    pub body_len: usize,
    /// The status answered.
    pub status: u16,
}

/// A release as the fake holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRelease {
    /// Its id.
    pub id: u64,
    /// Its tag.
    pub tag: String,
    /// Its title.
    pub name: String,
    /// Its notes.
    pub body: String,
    /// Whether it is a draft.
    pub draft: bool,
    /// Whether it is a pre-release.
    pub prerelease: bool,
    /// What the tag is created from.
    pub target_commitish: String,
    /// Its assets, in upload order.
    pub assets: Vec<FakeAsset>,
}

/// An asset as the fake holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeAsset {
    /// Its id.
    pub id: u64,
    /// Its file name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Whether its upload completed (`uploaded`), or broke off (`starter`).
    pub uploaded: bool,
}

struct Failure {
    method: String,
    path_contains: String,
    remaining: u32,
    status: u16,
    /// Whether the request takes effect before the failure is answered (a lost answer).
    after: bool,
}

struct State {
    origin: String,
    owner: String,
    repo: String,
    token: String,
    releases: Vec<FakeRelease>,
    next_id: u64,
    latest: Option<u64>,
    report_digests: bool,
    read_only: bool,
    installation: bool,
    failures: Vec<Failure>,
    uploads_breaking: u32,
    requests: Vec<RecordedRequest>,
}

/// A running fake; stops when dropped.
pub struct FakeGithub {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGithub {
    /// Starts a fake holding the empty repository `owner/name`, accepting `token`.
    pub fn start(repository: &str, token: &str) -> std::io::Result<FakeGithub> {
        let (owner, repo) = repository.split_once('/').ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("repository {repository:?} is not owner/name"),
            )
        })?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(Mutex::new(State {
            origin: format!("http://127.0.0.1:{port}"),
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            token: token.to_owned(),
            releases: Vec::new(),
            next_id: 1,
            latest: None,
            report_digests: true,
            read_only: false,
            installation: false,
            failures: Vec::new(),
            uploads_breaking: 0,
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(stream) = stream {
                        let state = Arc::clone(&state);
                        std::thread::spawn(move || {
                            let _ = serve(stream, &state);
                        });
                    }
                }
            })
        };
        Ok(FakeGithub {
            port,
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:{port}`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The API base URL to give the client: `http://127.0.0.1:{port}/api/v3`.
    pub fn api_url(&self) -> String {
        format!("{}{API_PREFIX}", self.origin())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// How many requests had `method` and a path containing `path_contains`.
    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.state()
            .requests
            .iter()
            .filter(|r| r.method == method && r.path.contains(path_contains))
            .count()
    }

    /// The requests other than `GET` so far: `(method, path)`.
    pub fn writes(&self) -> Vec<(String, String)> {
        self.state()
            .requests
            .iter()
            .filter(|r| r.method != "GET")
            .map(|r| (r.method.clone(), r.path.clone()))
            .collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state().requests.clear();
    }

    /// Answers the next `times` requests with `method` and a path containing `path_contains` with `status`
    /// (and no effect), e.g. `fail_next("POST", "/assets", 2, 502)`.
    pub fn fail_next(&self, method: &str, path_contains: &str, times: u32, status: u16) {
        self.state().failures.push(Failure {
            method: method.to_owned(),
            path_contains: path_contains.to_owned(),
            remaining: times,
            status,
            after: false,
        });
    }

    /// Handles the next `times` requests with `method` and a path containing `path_contains` normally but
    /// answers 502 instead of the real answer, as when a proxy loses it: the client cannot know its request
    /// took effect.
    pub fn lose_answer_next(&self, method: &str, path_contains: &str, times: u32) {
        self.state().failures.push(Failure {
            method: method.to_owned(),
            path_contains: path_contains.to_owned(),
            remaining: times,
            status: 502,
            after: true,
        });
    }

    /// Makes the next `times` uploads break off as GitHub's do: the asset is left in state `starter` (its
    /// name taken) and the answer is 502.
    pub fn fail_uploads_midway(&self, times: u32) {
        self.state().uploads_breaking = times;
    }

    /// Whether assets carry `digest` (default true; false plays the older API).
    pub fn set_report_digests(&self, report: bool) {
        self.state().report_digests = report;
    }

    /// Whether the token may only read (writes answer 403).
    pub fn set_read_only(&self, read_only: bool) {
        self.state().read_only = read_only;
    }

    /// Whether the token plays an installation token (a GitHub App's, or Actions' `GITHUB_TOKEN`): the
    /// repository is answered without `permissions`, and `GET /installation/repositories` answers 200.
    pub fn set_installation_token(&self, installation: bool) {
        self.state().installation = installation;
    }

    /// Every release, oldest first.
    pub fn releases(&self) -> Vec<FakeRelease> {
        self.state().releases.clone()
    }

    /// The release of `tag`, drafts included.
    pub fn release(&self, tag: &str) -> Option<FakeRelease> {
        self.state().releases.iter().find(|r| r.tag == tag).cloned()
    }

    /// The tag of the release `GET …/releases/latest` answers with.
    pub fn latest_tag(&self) -> Option<String> {
        let state = self.state();
        state
            .latest_id()
            .and_then(|id| state.find(id))
            .map(|r| r.tag.clone())
    }

    /// Adds a release directly (no request recorded), e.g. a draft made by hand; returns its id.
    pub fn insert_release(
        &self,
        tag: &str,
        name: &str,
        body: &str,
        draft: bool,
        prerelease: bool,
    ) -> u64 {
        let mut state = self.state();
        let id = state.id();
        state.releases.push(FakeRelease {
            id,
            tag: tag.to_owned(),
            name: name.to_owned(),
            body: body.to_owned(),
            draft,
            prerelease,
            target_commitish: "main".to_owned(),
            assets: Vec::new(),
        });
        if !draft && !prerelease {
            state.latest = Some(id);
        }
        id
    }

    /// Attaches an asset to the release of `tag` directly (no request recorded); returns its id.
    pub fn insert_asset(&self, tag: &str, name: &str, bytes: &[u8], uploaded: bool) -> u64 {
        let mut state = self.state();
        let id = state.id();
        let release = state
            .releases
            .iter_mut()
            .find(|r| r.tag == tag)
            .expect("insert_asset: no release with that tag");
        release.assets.push(FakeAsset {
            id,
            name: name.to_owned(),
            bytes: bytes.to_vec(),
            uploaded,
        });
        id
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

fn answer(status: u16, value: &Value) -> Response {
    Response {
        status,
        content_type: "application/json; charset=utf-8",
        body: value.to_string().into_bytes(),
    }
}

fn message(status: u16, text: &str) -> Response {
    answer(
        status,
        &json!({
            "message": text,
            "documentation_url": "https://docs.github.com/rest",
            "status": status.to_string(),
        }),
    )
}

fn validation(resource: &str, field: &str, code: &str) -> Response {
    answer(
        422,
        &json!({
            "message": "Validation Failed",
            "errors": [{"resource": resource, "code": code, "field": field}],
            "documentation_url": "https://docs.github.com/rest",
            "status": "422",
        }),
    )
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut first = line.split_whitespace();
    let (Some(method), Some(target)) = (first.next(), first.next()) else {
        return Ok(());
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        read_chunked(&mut reader)?
    } else {
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), query.to_owned()),
        None => (target.clone(), String::new()),
    };
    let request = Request {
        method,
        path,
        query,
        headers,
        body,
    };
    let response = {
        let mut state = state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let response = state.route(&request);
        state.requests.push(RecordedRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            headers: request.headers.clone(),
            body_len: request.body.len(),
            status: response.status,
        });
        response
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    )?;
    stream.write_all(&response.body)?;
    stream.flush()
}

fn read_chunked(reader: &mut impl std::io::BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(std::io::Error::other)?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        411 => "Length Required",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Decodes `%XX` escapes (and `+` as a space in queries).
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let hex = |byte: u8| char::from(byte).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 2;
            }
            (None, b'+') if plus_is_space => out.push(b' '),
            (None, byte) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k, true) == key).then(|| percent_decode(v, true))
    })
}

fn eligible(release: &FakeRelease) -> bool {
    !release.draft && !release.prerelease
}

impl State {
    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn find(&self, id: u64) -> Option<&FakeRelease> {
        self.releases.iter().find(|r| r.id == id)
    }

    fn latest_id(&self) -> Option<u64> {
        self.latest
            .filter(|id| self.find(*id).is_some_and(eligible))
    }

    /// The newest published stable release other than `except`.
    fn newest_eligible(&self, except: u64) -> Option<u64> {
        self.releases
            .iter()
            .rev()
            .find(|r| r.id != except && eligible(r))
            .map(|r| r.id)
    }

    fn asset_json(&self, release: &FakeRelease, asset: &FakeAsset) -> Value {
        let mut value = json!({
            "url": format!("{}{API_PREFIX}/repos/{}/{}/releases/assets/{}", self.origin, self.owner, self.repo, asset.id),
            "id": asset.id,
            "name": asset.name,
            "label": "",
            "state": if asset.uploaded { "uploaded" } else { "starter" },
            "content_type": "application/octet-stream",
            "size": asset.bytes.len(),
            "download_count": 0,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "browser_download_url": format!("{}/{}/{}/releases/download/{}/{}", self.origin, self.owner, self.repo, release.tag, asset.name),
        });
        if self.report_digests {
            value["digest"] =
                format!("sha256:{}", hex::encode(Sha256::digest(&asset.bytes))).into();
        }
        value
    }

    fn release_json(&self, release: &FakeRelease) -> Value {
        let api = format!(
            "{}{API_PREFIX}/repos/{}/{}",
            self.origin, self.owner, self.repo
        );
        json!({
            "url": format!("{api}/releases/{}", release.id),
            "assets_url": format!("{api}/releases/{}/assets", release.id),
            "upload_url": format!("{}/uploads/repos/{}/{}/releases/{}/assets{{?name,label}}", self.origin, self.owner, self.repo, release.id),
            "html_url": format!("{}/{}/{}/releases/tag/{}", self.origin, self.owner, self.repo, release.tag),
            "id": release.id,
            "tag_name": release.tag,
            "target_commitish": release.target_commitish,
            "name": release.name,
            "body": release.body,
            "draft": release.draft,
            "prerelease": release.prerelease,
            "created_at": "2026-01-01T00:00:00Z",
            "published_at": if release.draft { Value::Null } else { "2026-01-01T00:00:00Z".into() },
            "assets": release.assets.iter().map(|a| self.asset_json(release, a)).collect::<Vec<_>>(),
        })
    }

    /// The repository as `GET /repos/{o}/{r}` documents it (the fields slipway reads, and a few more), with
    /// the token's `permissions` unless the token is an installation token.
    fn repository_json(&self) -> Value {
        let full_name = format!("{}/{}", self.owner, self.repo);
        let mut repository = json!({
            "id": 1,
            "name": self.repo,
            "full_name": full_name,
            "private": false,
            "owner": {"login": self.owner, "type": "Organization"},
            "html_url": format!("{}/{full_name}", self.origin),
            "default_branch": "main",
        });
        if !self.installation {
            let write = !self.read_only;
            repository["permissions"] = json!({
                "admin": false,
                "maintain": write,
                "push": write,
                "triage": write,
                "pull": true,
            });
        }
        repository
    }

    fn route(&mut self, request: &Request) -> Response {
        let method = request.method.as_str();
        let mut lost = false;
        if let Some(failure) = self.failures.iter_mut().find(|f| {
            f.remaining > 0 && f.method == method && request.path.contains(&f.path_contains)
        }) {
            failure.remaining -= 1;
            if !failure.after {
                return message(failure.status, "injected failure");
            }
            lost = true;
        }
        let response = self.handle(request);
        if lost {
            return message(502, "injected failure after handling the request");
        }
        response
    }

    fn handle(&mut self, request: &Request) -> Response {
        let method = request.method.as_str();
        let segments: Vec<String> = request
            .path
            .trim_start_matches('/')
            .split('/')
            .map(|s| percent_decode(s, false))
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        // Downloads are public.
        if let ("GET", [owner, repo, "releases", "download", tag, name]) =
            (method, segments.as_slice())
        {
            if *owner != self.owner || *repo != self.repo {
                return message(404, "Not Found");
            }
            let found = self
                .releases
                .iter()
                .find(|r| r.tag == *tag)
                .and_then(|r| r.assets.iter().find(|a| a.name == *name && a.uploaded));
            return match found {
                Some(asset) => Response {
                    status: 200,
                    content_type: "application/octet-stream",
                    body: asset.bytes.clone(),
                },
                None => message(404, "Not Found"),
            };
        }
        let expected = format!("Bearer {}", self.token);
        if request.headers.get("authorization") != Some(&expected) {
            return message(401, "Bad credentials");
        }
        if let Some(version) = request.headers.get("x-github-api-version") {
            if version != API_VERSION {
                return message(400, &format!("API version {version} is not supported."));
            }
        }
        if let ("GET", ["api", "v3", "installation", "repositories"]) =
            (method, segments.as_slice())
        {
            return if self.installation {
                answer(
                    200,
                    &json!({"total_count": 1, "repository_selection": "selected", "repositories": [self.repository_json()]}),
                )
            } else {
                message(
                    403,
                    "You must authenticate with an installation access token in order to list repositories for an installation.",
                )
            };
        }
        let (upload, rest) = match segments.as_slice() {
            ["api", "v3", "repos", rest @ ..] => (false, rest),
            ["uploads", "repos", rest @ ..] => (true, rest),
            _ => return message(404, "Not Found"),
        };
        let [owner, repo, rest @ ..] = rest else {
            return message(404, "Not Found");
        };
        if *owner != self.owner || *repo != self.repo {
            return message(404, "Not Found");
        }
        if self.read_only && method != "GET" {
            return message(403, "Resource not accessible by integration");
        }
        match (upload, method, rest) {
            (false, "GET", []) => answer(200, &self.repository_json()),
            (true, "POST", ["releases", id, "assets"]) => self.upload(id, request),
            (false, "GET", ["releases", "tags", tag]) => {
                match self.releases.iter().find(|r| r.tag == *tag && !r.draft) {
                    Some(release) => answer(200, &self.release_json(release)),
                    None => message(404, "Not Found"),
                }
            }
            (false, "GET", ["releases", "latest"]) => {
                match self.latest_id().and_then(|id| self.find(id)) {
                    Some(release) => answer(200, &self.release_json(release)),
                    None => message(404, "Not Found"),
                }
            }
            (false, "GET", ["releases"]) => {
                let (per_page, page) = paging(&request.query);
                let listed: Vec<Value> = self
                    .releases
                    .iter()
                    .rev()
                    .skip(per_page * (page - 1))
                    .take(per_page)
                    .map(|r| self.release_json(r))
                    .collect();
                answer(200, &Value::Array(listed))
            }
            (false, "POST", ["releases"]) => self.create(request),
            (false, "GET", ["releases", "assets", id]) => {
                let id: u64 = id.parse().unwrap_or(0);
                let found = self.releases.iter().find_map(|r| {
                    r.assets
                        .iter()
                        .find(|a| a.id == id)
                        .map(|a| self.asset_json(r, a))
                });
                match found {
                    Some(asset) => answer(200, &asset),
                    None => message(404, "Not Found"),
                }
            }
            (false, "DELETE", ["releases", "assets", id]) => {
                let id: u64 = id.parse().unwrap_or(0);
                for release in &mut self.releases {
                    if let Some(at) = release.assets.iter().position(|a| a.id == id) {
                        release.assets.remove(at);
                        return Response {
                            status: 204,
                            content_type: "application/json; charset=utf-8",
                            body: Vec::new(),
                        };
                    }
                }
                message(404, "Not Found")
            }
            (false, "GET", ["releases", id]) => {
                match id.parse().ok().and_then(|id| self.find(id)) {
                    Some(release) => answer(200, &self.release_json(release)),
                    None => message(404, "Not Found"),
                }
            }
            (false, "PATCH", ["releases", id]) => self.update(id, request),
            (false, "GET", ["releases", id, "assets"]) => {
                let Some(release) = id.parse().ok().and_then(|id| self.find(id)) else {
                    return message(404, "Not Found");
                };
                let (per_page, page) = paging(&request.query);
                let listed: Vec<Value> = release
                    .assets
                    .iter()
                    .skip(per_page * (page - 1))
                    .take(per_page)
                    .map(|a| self.asset_json(release, a))
                    .collect();
                answer(200, &Value::Array(listed))
            }
            _ => message(404, "Not Found"),
        }
    }

    fn create(&mut self, request: &Request) -> Response {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return message(400, "Problems parsing JSON");
        };
        let Some(tag) = body["tag_name"].as_str().filter(|t| !t.is_empty()) else {
            return validation("Release", "tag_name", "missing_field");
        };
        if !valid_tag(tag) {
            return validation("Release", "tag_name", "invalid");
        }
        if self.releases.iter().any(|r| r.tag == tag) {
            return validation("Release", "tag_name", "already_exists");
        }
        let id = self.id();
        let release = FakeRelease {
            id,
            tag: tag.to_owned(),
            name: body["name"].as_str().unwrap_or_default().to_owned(),
            body: body["body"].as_str().unwrap_or_default().to_owned(),
            draft: body["draft"].as_bool().unwrap_or(false),
            prerelease: body["prerelease"].as_bool().unwrap_or(false),
            target_commitish: body["target_commitish"]
                .as_str()
                .unwrap_or("main")
                .to_owned(),
            assets: Vec::new(),
        };
        if eligible(&release) && body["make_latest"].as_str() != Some("false") {
            self.latest = Some(id);
        }
        let value = self.release_json(&release);
        self.releases.push(release);
        answer(201, &value)
    }

    fn update(&mut self, id: &str, request: &Request) -> Response {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return message(400, "Problems parsing JSON");
        };
        let id: u64 = id.parse().unwrap_or(0);
        if let Some(tag) = body["tag_name"].as_str() {
            if self.releases.iter().any(|r| r.tag == tag && r.id != id) {
                return validation("Release", "tag_name", "already_exists");
            }
        }
        let Some(release) = self.releases.iter_mut().find(|r| r.id == id) else {
            return message(404, "Not Found");
        };
        let was_eligible = eligible(release);
        if let Some(tag) = body["tag_name"].as_str() {
            tag.clone_into(&mut release.tag);
        }
        if let Some(name) = body["name"].as_str() {
            name.clone_into(&mut release.name);
        }
        if let Some(text) = body["body"].as_str() {
            text.clone_into(&mut release.body);
        }
        if let Some(draft) = body["draft"].as_bool() {
            release.draft = draft;
        }
        if let Some(prerelease) = body["prerelease"].as_bool() {
            release.prerelease = prerelease;
        }
        if let Some(target) = body["target_commitish"].as_str() {
            target.clone_into(&mut release.target_commitish);
        }
        let is_eligible = eligible(release);
        match body["make_latest"].as_str() {
            Some("true") if is_eligible => self.latest = Some(id),
            Some("false") if self.latest == Some(id) => self.latest = self.newest_eligible(id),
            Some("true" | "false") => {}
            _ if is_eligible && !was_eligible => self.latest = Some(id),
            _ if !is_eligible && self.latest == Some(id) => self.latest = self.newest_eligible(id),
            _ => {}
        }
        let release = self.find(id).expect("updated above");
        answer(200, &self.release_json(release))
    }

    fn upload(&mut self, id: &str, request: &Request) -> Response {
        if !request.headers.contains_key("content-length") {
            return message(411, "Content-Length is required");
        }
        let Some(name) = query_value(&request.query, "name").filter(|n| !n.is_empty()) else {
            return message(400, "name is required");
        };
        let id: u64 = id.parse().unwrap_or(0);
        let breaking = self.uploads_breaking > 0;
        let asset_id = self.next_id;
        let Some(release) = self.releases.iter_mut().find(|r| r.id == id) else {
            return message(404, "Not Found");
        };
        if release.assets.iter().any(|a| a.name == name) {
            return validation("ReleaseAsset", "name", "already_exists");
        }
        release.assets.push(FakeAsset {
            id: asset_id,
            name,
            bytes: if breaking {
                Vec::new()
            } else {
                request.body.clone()
            },
            uploaded: !breaking,
        });
        self.next_id += 1;
        if breaking {
            self.uploads_breaking -= 1;
            return message(502, "Bad Gateway");
        }
        let release = self.find(id).expect("found above");
        let asset = release.assets.last().expect("pushed above");
        answer(201, &self.asset_json(release, asset))
    }
}

/// Whether `tag` is a name git accepts for a ref (`git check-ref-format`, the parts that matter here).
#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "git refuses `.lock` exactly, not `.LOCK`"
)]
fn valid_tag(tag: &str) -> bool {
    !tag.contains("..")
        && !tag.contains("@{")
        && !tag.starts_with(['/', '-', '.'])
        && !tag.ends_with(['/', '.'])
        && !tag.ends_with(".lock")
        && !tag
            .chars()
            .any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c))
}

fn paging(query: &str) -> (usize, usize) {
    let per_page = query_value(query, "per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_usize)
        .clamp(1, 100);
    let page = query_value(query, "page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_usize)
        .max(1);
    (per_page, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_git_ref_rules() {
        for good in ["v1.0.0", "pkg/v1.0.0-rc.1", "1.0+build.5"] {
            assert!(valid_tag(good), "{good}");
        }
        for bad in [
            "v1..0", "v1 0", "v1~1", "v1^", "v1:", "v1.lock", "/v1", "v1/", "-v1", "v[1]",
        ] {
            assert!(!valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("pkg%2Fv1%200", false), "pkg/v1 0");
        assert_eq!(percent_decode("a+b%", true), "a b%");
        assert_eq!(percent_decode("%zz", false), "%zz");
        assert_eq!(
            query_value("per_page=100&name=demo-1.0.tar.gz", "name").as_deref(),
            Some("demo-1.0.tar.gz")
        );
    }
}
