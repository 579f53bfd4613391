//! The HTTP side: reading the index, uploading, verifying, removing.

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use secrecy::ExposeSecret as _;
use sha2::Digest as _;

use super::artifact::{Artifact, normalize_name};
use super::error::{IndexError, PublishError, VerifyError, YankError};
use super::index::{
    Credentials, IndexFile, IndexUrls, parse_simple_html, parse_simple_json, parse_warehouse_json,
};
use crate::redact::{RedactedUrl, redact_secret};
use crate::retry::{self, RetryPolicy};

const USER_AGENT: &str = concat!("slipway/", env!("CARGO_PKG_VERSION"));
/// PEP 691 content negotiation: JSON preferred, HTML accepted.
const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";
/// Read buffer for hashing and streaming; large enough for throughput, small enough for a flat memory profile.
const CHUNK: usize = 256 * 1024;

/// The sha256 and blake2b-256 of a file, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// SHA-256.
    pub sha256: String,
    /// `BLAKE2b` with a 256-bit output.
    pub blake2_256: String,
}

/// Computes both digests in one pass over the file, in constant memory.
///
/// The file is read once; each chunk goes to two hashing threads, so the pass takes as long as the slower
/// digest rather than both (at most a few chunks are in flight).
pub fn digests(path: &Path) -> std::io::Result<Digests> {
    const HASH_CHUNK: usize = 1 << 20;
    let mut file = fs_err::File::open(path)?;
    let (sha_tx, sha_rx) = std::sync::mpsc::sync_channel::<Arc<Vec<u8>>>(4);
    let (blake_tx, blake_rx) = std::sync::mpsc::sync_channel::<Arc<Vec<u8>>>(4);
    std::thread::scope(|scope| {
        let sha = scope.spawn(move || {
            let mut hasher = sha2::Sha256::new();
            for chunk in sha_rx {
                hasher.update(chunk.as_slice());
            }
            hex::encode(hasher.finalize())
        });
        let blake = scope.spawn(move || {
            let mut hasher = blake2::Blake2b::<blake2::digest::consts::U32>::new();
            for chunk in blake_rx {
                hasher.update(chunk.as_slice());
            }
            hex::encode(hasher.finalize())
        });
        let read = (|| -> std::io::Result<()> {
            loop {
                let mut buffer = vec![0; HASH_CHUNK];
                let mut filled = 0;
                while filled < buffer.len() {
                    let n = file.read(&mut buffer[filled..])?;
                    if n == 0 {
                        break;
                    }
                    filled += n;
                }
                if filled == 0 {
                    return Ok(());
                }
                buffer.truncate(filled);
                let chunk = Arc::new(buffer);
                // A hasher only hangs up by panicking, which `join` reports below.
                let _ = sha_tx.send(Arc::clone(&chunk));
                let _ = blake_tx.send(chunk);
            }
        })();
        drop((sha_tx, blake_tx));
        let sha256 = sha
            .join()
            .map_err(|_| std::io::Error::other("the sha256 thread panicked"))?;
        let blake2_256 = blake
            .join()
            .map_err(|_| std::io::Error::other("the blake2b thread panicked"))?;
        read.map(|()| Digests { sha256, blake2_256 })
    })
}

/// How a publish run treats files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishOptions {
    /// Leave files the index already holds with other content, instead of failing.
    pub skip_existing: bool,
    /// Check files and the index, hash, and upload nothing.
    pub dry_run: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadStatus {
    /// Uploaded now.
    Uploaded,
    /// The index already held the same bytes (same sha256): published, nothing to do.
    AlreadyPresent,
    /// The index holds other bytes under that name and `--skip-existing` left it.
    SkippedConflict {
        /// The index's sha256.
        remote_sha256: String,
    },
    /// Dry run: it would be uploaded.
    WouldUpload,
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOutcome {
    /// The file name.
    pub filename: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its digests.
    pub digests: Digests,
    /// What happened.
    pub status: UploadStatus,
}

/// Receives upload progress; the library never prints, the caller draws bars (or not, in CI).
pub trait Progress: Send + Sync {
    /// Hashing of `filename` starts.
    fn hashing(&self, _filename: &str, _size: u64) {}
    /// An upload attempt of `filename` starts (again, after a retry).
    fn upload_started(&self, _filename: &str, _size: u64) {}
    /// `sent` bytes of the current attempt have been handed to the connection.
    fn upload_position(&self, _filename: &str, _sent: u64) {}
    /// The file is done.
    fn finished(&self, _outcome: &UploadOutcome) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// One read of the index by [`PypiClient::verify_with_progress`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Poll<'a> {
    /// Which read this was, from 1.
    pub attempt: u32,
    /// The time since the first read started.
    pub elapsed: Duration,
    /// How long the verification polls at most.
    pub timeout: Duration,
    /// What this read found: [`Verification::missing`] and [`Verification::mismatched`] are what is still
    /// wrong (with no expected files, an empty [`Verification::found`] means the release itself is missing).
    pub verification: &'a Verification,
    /// When the next read follows; `None` when this was the last (the release is there, or time is up).
    pub next_in: Option<Duration>,
}

/// Receives verification progress; the library never prints. Any `Fn(&Poll)` is one.
pub trait VerifyProgress: Send + Sync {
    /// A read of the index finished.
    fn polled(&self, poll: &Poll<'_>);
}

impl VerifyProgress for NoProgress {
    fn polled(&self, _poll: &Poll<'_>) {}
}

impl<F: Fn(&Poll<'_>) + Send + Sync> VerifyProgress for F {
    fn polled(&self, poll: &Poll<'_>) {
        self(poll);
    }
}

/// A file of a release as verification expects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedFile {
    /// The file name.
    pub filename: String,
    /// Its sha256, lowercase hex.
    pub sha256: String,
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The release's files as the index lists them.
    pub found: Vec<IndexFile>,
    /// Expected files the index does not list.
    pub missing: Vec<String>,
    /// Expected files listed with another sha256: (file name, expected, listed).
    pub mismatched: Vec<(String, String, String)>,
    /// Whether the index listed the release's files without hashes (their content was then downloaded and hashed).
    pub downloaded_to_hash: bool,
}

impl Verification {
    /// Whether the release is there as expected.
    pub fn is_ok(&self) -> bool {
        self.missing.is_empty() && self.mismatched.is_empty() && !self.found.is_empty()
    }
}

/// What a removal did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum YankOutcome {
    /// The files were deleted from the index.
    Removed {
        /// The files removed.
        files: Vec<String>,
    },
    /// The index had no files of that release (already removed, or never published).
    NothingToRemove,
    /// The index offers no API for this (PyPI): a person must do it on the web page.
    ManualActionRequired {
        /// The release's management page.
        url: String,
        /// The files of the release the index lists.
        files: Vec<String>,
    },
}

/// A client for one package index.
#[derive(Clone)]
pub struct PypiClient {
    http: reqwest::Client,
    upload_http: reqwest::Client,
    urls: IndexUrls,
    credentials: Option<Credentials>,
    retry: RetryPolicy,
    index_poll: Duration,
}

impl std::fmt::Debug for PypiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PypiClient")
            .field("urls", &self.urls)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The response of a successful read, `None` for a 404 (nothing there yet), an error naming the status
/// otherwise.
fn found(response: reqwest::Response, url: &str) -> Result<Option<reqwest::Response>, IndexError> {
    let status = response.status().as_u16();
    if status == 404 {
        return Ok(None);
    }
    // A redirect the client did not follow points off the index: pypiserver sends the names it
    // does not hold to pypi.org (its fallback). Whatever is there, it is not on this index.
    if response.status().is_redirection() {
        tracing::debug!(url = %RedactedUrl::new(url), status, "redirected off the index: not here");
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(IndexError::Status {
            status,
            url: RedactedUrl::new(url).to_string(),
        });
    }
    Ok(Some(response))
}

impl PypiClient {
    /// A client for the index at `urls`, authenticating uploads (and reads of the same origin) with `credentials`.
    pub fn new(urls: IndexUrls, credentials: Option<Credentials>) -> PypiClient {
        PypiClient {
            http: http_client(reqwest::redirect::Policy::custom(same_origin_redirects)),
            // A redirected POST turns into a GET of some page that answers 200; uploads never follow.
            upload_http: http_client(reqwest::redirect::Policy::none()),
            urls,
            credentials,
            retry: RetryPolicy::default(),
            index_poll: Duration::from_secs(2),
        }
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> PypiClient {
        self.retry = retry;
        self
    }

    /// Sets how often the index is polled while waiting for it to catch up (default 2 s).
    #[must_use]
    pub fn with_poll_interval(mut self, interval: Duration) -> PypiClient {
        self.index_poll = interval;
        self
    }

    /// The index's URLs.
    pub fn urls(&self) -> &IndexUrls {
        &self.urls
    }

    fn secret(&self) -> Option<&str> {
        self.credentials
            .as_ref()
            .map(|c| c.password.expose_secret())
    }

    pub(super) fn clean(&self, text: &str) -> String {
        let text: String = crate::body::summarise(text).chars().take(500).collect();
        let text = text.trim();
        match self.secret() {
            Some(secret) => redact_secret(text, secret).into_owned(),
            None => text.to_owned(),
        }
    }

    /// The credentials, if any.
    pub(super) fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The same client without credentials: for reading anonymously where the index allows it (a verify
    /// that uses credentials only after [`IndexError::is_unauthorized`] says the read was refused).
    #[must_use]
    pub fn without_credentials(&self) -> PypiClient {
        PypiClient {
            credentials: None,
            ..self.clone()
        }
    }

    /// Whether `url` is on the upload URL's origin, where credentials are sent.
    pub(super) fn same_origin_as_upload(&self, url: &str) -> bool {
        match (url::Url::parse(url), url::Url::parse(&self.urls.upload)) {
            (Ok(a), Ok(b)) => a.origin() == b.origin(),
            _ => false,
        }
    }

    /// Adds credentials when `url` is on the upload URL's origin, so a token never travels to a CDN or a mirror.
    fn authorize(&self, request: reqwest::RequestBuilder, url: &str) -> reqwest::RequestBuilder {
        match &self.credentials {
            Some(c) if self.same_origin_as_upload(url) => {
                request.basic_auth(&c.username, Some(c.password.expose_secret()))
            }
            _ => request,
        }
    }

    /// The files the index lists for `project`; `None` when it does not know the project.
    ///
    /// Tries the simple index (PEP 691 JSON, or PEP 503 HTML when that is what comes back), then Warehouse's
    /// JSON API when the simple index fails.
    pub async fn project_files(&self, project: &str) -> Result<Option<Vec<IndexFile>>, IndexError> {
        let normalized = normalize_name(project);
        let simple = format!("{}{normalized}/", self.urls.simple);
        let from_simple = self.simple_files(&simple).await;
        match (&from_simple, &self.urls.json_api) {
            (Ok(Some(_)), _) | (_, None) => from_simple,
            (Ok(None) | Err(_), Some(json_api)) => {
                if let Err(error) = &from_simple {
                    tracing::debug!(error = %crate::redact::ErrorChain(error), "simple index failed, trying the JSON API");
                }
                let json = format!("{json_api}{normalized}/json");
                match self.warehouse_files(&json).await {
                    Ok(files) => Ok(files),
                    // The simple index's failure says more than the fallback's.
                    Err(error) => from_simple.or(Err(error)),
                }
            }
        }
    }

    pub(super) async fn get(
        &self,
        url: &str,
        accept: &str,
    ) -> Result<reqwest::Response, IndexError> {
        retry::send(&self.http, &self.retry, "read the index", || {
            Ok(self
                .authorize(self.http.get(url), url)
                .header(reqwest::header::ACCEPT, accept))
        })
        .await
        .map_err(IndexError::Request)
    }

    async fn simple_files(&self, url: &str) -> Result<Option<Vec<IndexFile>>, IndexError> {
        let Some(response) = found(self.get(url, SIMPLE_ACCEPT).await?, url)? else {
            return Ok(None);
        };
        let final_url = response.url().clone();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let bad = |source: Box<dyn std::error::Error + Send + Sync>| IndexError::BadResponse {
            url: RedactedUrl::new(url).to_string(),
            source,
        };
        let body = response
            .text()
            .await
            .map_err(|e| bad(Box::new(e.without_url())))?;
        if content_type.contains("json") {
            parse_simple_json(&body, &final_url)
                .map(Some)
                .map_err(|e| bad(Box::new(e)))
        } else {
            Ok(Some(parse_simple_html(&body, &final_url)))
        }
    }

    async fn warehouse_files(&self, url: &str) -> Result<Option<Vec<IndexFile>>, IndexError> {
        let Some(response) = found(self.get(url, "application/json").await?, url)? else {
            return Ok(None);
        };
        let bad = |source: Box<dyn std::error::Error + Send + Sync>| IndexError::BadResponse {
            url: RedactedUrl::new(url).to_string(),
            source,
        };
        let body = response
            .text()
            .await
            .map_err(|e| bad(Box::new(e.without_url())))?;
        parse_warehouse_json(&body)
            .map(Some)
            .map_err(|e| bad(Box::new(e)))
    }

    /// The sha256 of a listed file: as the index states it, or by downloading and hashing it (streamed).
    async fn listed_sha256(&self, file: &IndexFile) -> Result<String, IndexError> {
        if let Some(sha256) = &file.sha256 {
            return Ok(sha256.clone());
        }
        let response = self.get(&file.url, "*/*").await?;
        if !response.status().is_success() {
            return Err(IndexError::Status {
                status: response.status().as_u16(),
                url: RedactedUrl::new(&file.url).to_string(),
            });
        }
        let mut sha = sha2::Sha256::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| IndexError::BadResponse {
                url: RedactedUrl::new(&file.url).to_string(),
                source: Box::new(e.without_url()),
            })?;
            sha.update(&chunk);
        }
        Ok(hex::encode(sha.finalize()))
    }

    /// Publishes `artifacts` in upload order (sdists first), checking the index before each upload.
    ///
    /// A file the index already holds with the same sha256 counts as published; one it holds with another
    /// sha256 is a [`PublishError::Conflict`] (or skipped with `skip_existing`).
    /// A rejected upload answering "already exists" (400 on PyPI, 409 on pypiserver) is resolved by reading
    /// the index again, never by deleting: a deleted file name can never be reused on PyPI.
    /// Stops at the first failure; files after it are not attempted.
    pub async fn publish(
        &self,
        artifacts: &[Artifact],
        options: PublishOptions,
        progress: Arc<dyn Progress>,
    ) -> Result<Vec<UploadOutcome>, PublishError> {
        let mut ordered = artifacts.to_vec();
        super::artifact::upload_order(&mut ordered);
        let mut listed: Option<Vec<IndexFile>> = None;
        let mut outcomes = Vec::new();
        for artifact in &ordered {
            let filename = artifact.filename().to_owned();
            progress.hashing(&filename, artifact.size());
            let path = artifact.path().to_owned();
            let digests = tokio::task::spawn_blocking(move || digests(&path))
                .await
                .map_err(std::io::Error::other)
                .and_then(|r| r)
                .map_err(|source| PublishError::Hash {
                    path: artifact.path().to_owned(),
                    source,
                })?;
            if listed.is_none() {
                listed = Some(
                    self.files_for_publish(artifact.project(), &filename)
                        .await?,
                );
            }
            let existing = listed
                .as_ref()
                .and_then(|files| files.iter().find(|f| f.filename == filename))
                .cloned();
            let status = match existing {
                Some(file) => {
                    self.compare(&file, &digests, artifact.path(), options)
                        .await?
                }
                None if options.dry_run => UploadStatus::WouldUpload,
                None => self.upload(artifact, &digests, options, &progress).await?,
            };
            let outcome = UploadOutcome {
                filename,
                size: artifact.size(),
                digests,
                status,
            };
            progress.finished(&outcome);
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn files_for_publish(
        &self,
        project: &str,
        filename: &str,
    ) -> Result<Vec<IndexFile>, PublishError> {
        self.project_files(project)
            .await
            .map(Option::unwrap_or_default)
            .map_err(|source| PublishError::Index {
                filename: filename.to_owned(),
                source,
            })
    }

    /// Whether the index's copy of `file` is the local file cut short (a prefix of it, empty
    /// included): `(bytes on the index, bytes of the local file)`. `None` when it is not, or when
    /// the index cannot be read for it.
    async fn cut_short(&self, file: &IndexFile, local: &std::path::Path) -> Option<(u64, u64)> {
        use tokio::io::AsyncReadExt as _;
        let local_size = tokio::fs::metadata(local).await.ok()?.len();
        let response = self.get(&file.url, "*/*").await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let mut reader = tokio::fs::File::open(local).await.ok()?;
        let mut stream = response.bytes_stream();
        let mut on_index = 0_u64;
        let mut expected = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.ok()?;
            on_index += chunk.len() as u64;
            if on_index >= local_size {
                return None;
            }
            expected.resize(chunk.len(), 0);
            reader.read_exact(&mut expected).await.ok()?;
            if expected != chunk {
                return None;
            }
        }
        Some((on_index, local_size))
    }

    /// Decides about a file the index already lists.
    async fn compare(
        &self,
        file: &IndexFile,
        digests: &Digests,
        artifact_path: &std::path::Path,
        options: PublishOptions,
    ) -> Result<UploadStatus, PublishError> {
        let remote = self
            .listed_sha256(file)
            .await
            .map_err(|source| PublishError::Index {
                filename: file.filename.clone(),
                source,
            })?;
        if remote == digests.sha256 {
            tracing::info!(filename = %file.filename, "already on the index with the same sha256");
            Ok(UploadStatus::AlreadyPresent)
        } else if let Some((on_index, local)) = self.cut_short(file, artifact_path).await {
            Err(PublishError::Interrupted {
                filename: file.filename.clone(),
                on_index,
                local,
            })
        } else if options.skip_existing {
            tracing::warn!(filename = %file.filename, local = %digests.sha256, remote = %remote, "already on the index with other content; skipped");
            Ok(UploadStatus::SkippedConflict {
                remote_sha256: remote,
            })
        } else {
            Err(PublishError::Conflict {
                filename: file.filename.clone(),
                local_sha256: digests.sha256.clone(),
                remote_sha256: remote,
            })
        }
    }

    async fn upload(
        &self,
        artifact: &Artifact,
        digests: &Digests,
        options: PublishOptions,
        progress: &Arc<dyn Progress>,
    ) -> Result<UploadStatus, PublishError> {
        let filename = artifact.filename().to_owned();
        let url = self.urls.upload.clone();
        let what = format!("upload {filename}");
        let response = retry::send(&self.upload_http, &self.retry, &what, || {
            progress.upload_started(&filename, artifact.size());
            let form = Self::form(artifact, digests, progress)?;
            Ok(self.authorize(self.http.post(&url), &url).multipart(form))
        })
        .await
        .map_err(|source| PublishError::Request {
            filename: filename.clone(),
            source,
        })?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(UploadStatus::Uploaded);
        }
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            return Err(PublishError::Redirected {
                url: RedactedUrl::new(&url).to_string(),
                location: RedactedUrl::new(&location).to_string(),
            });
        }
        let reason = response
            .headers()
            .get("x-pypi-reason")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let http_reason = response
            .status()
            .canonical_reason()
            .unwrap_or("")
            .to_owned();
        let body = response.text().await.unwrap_or_default();
        let message = self.clean(&format!(
            "{} {}",
            reason.as_deref().unwrap_or(&http_reason),
            body
        ));
        let exists = status == 409
            || (status == 400 && message.to_ascii_lowercase().contains("already exist"));
        if exists {
            // The index has that file name; read what it holds. Its listing may lag behind the upload API
            // (PyPI's CDN), so poll briefly.
            tracing::info!(%filename, status, "the index says the file exists; comparing hashes");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let files = self
                    .files_for_publish(artifact.project(), &filename)
                    .await?;
                if let Some(file) = files.into_iter().find(|f| f.filename == filename) {
                    return self.compare(&file, digests, artifact.path(), options).await;
                }
                if Instant::now() >= deadline {
                    return Err(PublishError::ExistsUnlisted { filename, status });
                }
                tokio::time::sleep(self.index_poll).await;
            }
        }
        if status == 401 || status == 403 {
            return Err(PublishError::Unauthorized {
                filename,
                status,
                message,
            });
        }
        Err(PublishError::Rejected {
            filename,
            status,
            message,
        })
    }

    /// The multipart form of one upload: metadata fields, then the file streamed from disk.
    fn form(
        artifact: &Artifact,
        digests: &Digests,
        progress: &Arc<dyn Progress>,
    ) -> std::io::Result<reqwest::multipart::Form> {
        let mut form = reqwest::multipart::Form::new()
            .text(":action", "file_upload")
            .text("protocol_version", "1");
        for (key, value) in artifact.metadata().upload_fields() {
            form = form.text(key, value);
        }
        form = form
            .text("filetype", artifact.kind().filetype())
            .text("pyversion", artifact.kind().pyversion().to_owned())
            .text("sha256_digest", digests.sha256.clone())
            .text("blake2_256_digest", digests.blake2_256.clone());
        let file = std::fs::File::open(artifact.path())?;
        let size = file.metadata()?.len();
        let (progress, name, mut sent) =
            (Arc::clone(progress), artifact.filename().to_owned(), 0_u64);
        let stream =
            tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK)
                .inspect(move |chunk| {
                    if let Ok(chunk) = chunk {
                        sent += chunk.len() as u64;
                        progress.upload_position(&name, sent);
                    }
                });
        let part =
            reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
                .file_name(artifact.filename().to_owned())
                .mime_str("application/octet-stream")
                .map_err(std::io::Error::other)?;
        Ok(form.part("content", part))
    }

    /// Checks that `version` of `project` is on the index with the `expected` files (any files, when
    /// `expected` is empty), polling until `timeout` for an index that lags while files are missing
    /// (a file listed with another sha256 is final and ends the polling).
    ///
    /// The same as [`PypiClient::verify_with_progress`] with no one watching.
    pub async fn verify(
        &self,
        project: &str,
        version: &versioning::pep440::Pep440Version,
        expected: &[ExpectedFile],
        timeout: Duration,
    ) -> Result<Verification, VerifyError> {
        self.verify_with_progress(project, version, expected, timeout, &NoProgress)
            .await
    }

    /// [`PypiClient::verify`], telling `progress` after every read of the index what it found, how long the
    /// polling has taken and whether another read follows.
    ///
    /// To read anonymously where the index allows it, call this on
    /// [`PypiClient::without_credentials`] and again on the client with credentials when the error
    /// [`VerifyError::is_unauthorized`].
    pub async fn verify_with_progress(
        &self,
        project: &str,
        version: &versioning::pep440::Pep440Version,
        expected: &[ExpectedFile],
        timeout: Duration,
        progress: &dyn VerifyProgress,
    ) -> Result<Verification, VerifyError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let verification =
                self.verify_once(project, version, expected)
                    .await
                    .map_err(|source| VerifyError::Index {
                        project: project.to_owned(),
                        version: version.to_string(),
                        source,
                    })?;
            let now = Instant::now();
            // A file listed with other content is final: an index never replaces a file, so
            // waiting longer cannot mend it. Only what is missing is worth waiting for.
            let settled = verification.missing.is_empty() && !verification.found.is_empty();
            let done = verification.is_ok() || settled || now >= deadline;
            let wait = self.index_poll.min(deadline.saturating_duration_since(now));
            progress.polled(&Poll {
                attempt,
                elapsed: now.duration_since(started),
                timeout,
                verification: &verification,
                next_in: (!done).then_some(wait),
            });
            if done {
                return Ok(verification);
            }
            tracing::info!(project, %version, attempt, "not on the index yet; polling");
            tokio::time::sleep(wait).await;
        }
    }

    async fn verify_once(
        &self,
        project: &str,
        version: &versioning::pep440::Pep440Version,
        expected: &[ExpectedFile],
    ) -> Result<Verification, IndexError> {
        let files = self.project_files(project).await?.unwrap_or_default();
        let found: Vec<IndexFile> = files
            .into_iter()
            .filter(|f| f.is_version(version))
            .collect();
        let mut verification = Verification {
            found: found.clone(),
            missing: Vec::new(),
            mismatched: Vec::new(),
            downloaded_to_hash: false,
        };
        for want in expected {
            match found.iter().find(|f| f.filename == want.filename) {
                None => verification.missing.push(want.filename.clone()),
                Some(file) => {
                    verification.downloaded_to_hash |= file.sha256.is_none();
                    let listed = self.listed_sha256(file).await?;
                    if listed != want.sha256.to_ascii_lowercase() {
                        verification.mismatched.push((
                            want.filename.clone(),
                            want.sha256.clone(),
                            listed,
                        ));
                    }
                }
            }
        }
        Ok(verification)
    }

    /// Lists the files of `version` of `project` (for a confirmation prompt before [`PypiClient::remove`]).
    pub async fn release_files(
        &self,
        project: &str,
        version: &versioning::pep440::Pep440Version,
    ) -> Result<Vec<IndexFile>, YankError> {
        Ok(self
            .project_files(project)
            .await
            .map_err(|source| YankError::Index {
                project: project.to_owned(),
                version: version.to_string(),
                source,
            })?
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.is_version(version))
            .collect())
    }

    /// Removes `version` of `project`: deletes it where the index allows (pypiserver's `:action=remove_pkg`),
    /// and on Warehouse (PyPI) returns [`YankOutcome::ManualActionRequired`] with the management page, since
    /// PyPI has no API for it. Never claims a removal that did not happen: after a delete the index is read
    /// again.
    pub async fn remove(
        &self,
        project: &str,
        version: &versioning::pep440::Pep440Version,
    ) -> Result<YankOutcome, YankError> {
        let files: Vec<String> = self
            .release_files(project, version)
            .await?
            .into_iter()
            .map(|f| f.filename)
            .collect();
        if let Some(url) = self.urls.manage_release_url(project, &version.to_string()) {
            return Ok(YankOutcome::ManualActionRequired { url, files });
        }
        if files.is_empty() {
            return Ok(YankOutcome::NothingToRemove);
        }
        // pypiserver matches the name and the version as its file names spell them
        // (`demo_pkg-1.0.tar.gz` is `demo_pkg`, not `demo-pkg`), other indexes the name as given or
        // normalised: every form is tried until a fresh read shows the files gone. A 404 means this
        // form removed nothing, never that the release is gone.
        let mut forms: Vec<(String, String)> = Vec::new();
        for file in &files {
            let listed = IndexFile {
                filename: file.clone(),
                url: String::new(),
                sha256: None,
                yanked: false,
            };
            if let (Some(name), Some(written)) = (listed.name_in_name(), listed.version_in_name()) {
                forms.push((name.to_owned(), written.to_owned()));
            }
        }
        let written = forms
            .first()
            .map_or_else(|| version.to_string(), |(_, written)| written.clone());
        forms.push((project.to_owned(), written.clone()));
        forms.push((normalize_name(project), written));
        let mut seen = std::collections::HashSet::new();
        forms.retain(|form| seen.insert(form.clone()));
        let mut tried = Vec::new();
        let mut remaining = files.clone();
        for (name, written) in &forms {
            let status = self.send_remove(project, version, name, written).await?;
            tried.push(format!("{name} {written} (HTTP {status})"));
            if status == 404 {
                continue;
            }
            remaining = self
                .release_files(project, version)
                .await?
                .into_iter()
                .map(|f| f.filename)
                .collect();
            if remaining.is_empty() {
                return Ok(YankOutcome::Removed { files });
            }
        }
        Err(YankError::NotRemoved {
            project: project.to_owned(),
            version: version.to_string(),
            remaining: remaining.join(", "),
            tried: tried.join(", "),
        })
    }

    /// Sends pypiserver's `:action=remove_pkg` for `name` and `written` (the version as the file names
    /// spell it); returns the status: success or 404 (the index knows no such name and version).
    async fn send_remove(
        &self,
        project: &str,
        version: &versioning::pep440::Pep440Version,
        name: &str,
        written: &str,
    ) -> Result<u16, YankError> {
        let url = self.urls.upload.clone();
        let response = retry::send(&self.http, &self.retry, "remove a release", || {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair(":action", "remove_pkg")
                .append_pair("name", name)
                .append_pair("version", written)
                .finish();
            Ok(self
                .authorize(self.upload_http.post(&url), &url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body))
        })
        .await
        .map_err(|source| YankError::Request {
            project: project.to_owned(),
            version: version.to_string(),
            source,
        })?;
        let status = response.status().as_u16();
        if !response.status().is_success() && status != 404 {
            let body = response.text().await.unwrap_or_default();
            return Err(YankError::Rejected {
                project: project.to_owned(),
                version: version.to_string(),
                status,
                message: self.clean(&body),
            });
        }
        Ok(status)
    }
}

/// The crate's HTTP client for indexes: a user agent and timeouts; reads follow redirects only within one
/// origin (credentials never leave for another host).
pub(crate) fn http_client(redirect: reqwest::redirect::Policy) -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(300))
        .redirect(redirect)
        .build()
        .expect("a client with static settings builds")
}

fn same_origin_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let same_origin = attempt
        .previous()
        .first()
        .is_some_and(|first| first.origin() == attempt.url().origin());
    if attempt.previous().len() > 5 || !same_origin {
        attempt.stop()
    } else {
        attempt.follow()
    }
}
