//! The HTTP side: one [`OciClient`] per registry, speaking the distribution API with auth, retries and
//! streamed uploads. The operations built on it (push, retag, verify, delete) are in `ops`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt as _;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LINK, LOCATION,
    WWW_AUTHENTICATE,
};
use reqwest::{RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncReadExt as _;
use url::Url;

use super::auth::{CREDENTIAL_SOURCES, Challenge, Credentials, Scope, parse_challenge};
use super::blob_locations::BlobLocations;
use super::error::OciError;
use super::layout::BlobSource;
use super::media_types::MANIFEST_ACCEPT;
use super::ops::Progress;
use super::reference::{Digest, ImageRef, Repository};
use crate::redact::{RedactedUrl, redact_secret};
use crate::retry::{self, RetryPolicy};

/// GHCR refuses requests with bodies over 4 MiB; distribution has no limit.
pub const DEFAULT_CHUNK_SIZE: u64 = 4 * 1024 * 1024;

/// The chunk size for a registry that is not known to cap requests at 4 MiB. Fewer, larger requests
/// push a 1 GiB layer to distribution about 15% faster than 4 MiB ones (`cargo xtask bench oci`), with
/// the same memory (bodies are streamed), and stay under the per-request limits other registries have.
pub const LARGE_CHUNK_SIZE: u64 = 16 * 1024 * 1024;

/// The chunk size to use for `registry`: [`DEFAULT_CHUNK_SIZE`] for GHCR (its documented cap),
/// [`LARGE_CHUNK_SIZE`] elsewhere.
pub fn default_chunk_size(registry: &str) -> u64 {
    let host = registry
        .split(':')
        .next()
        .unwrap_or(registry)
        .to_ascii_lowercase();
    if host == "ghcr.io" || host.ends_with(".ghcr.io") {
        DEFAULT_CHUNK_SIZE
    } else {
        LARGE_CHUNK_SIZE
    }
}

/// How many blobs move at once.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// How a client talks to its registry.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Who to authenticate as.
    pub credentials: Credentials,
    /// Allow plain HTTP to a registry that is not on a loopback address.
    pub insecure: bool,
    /// How requests are retried (408, 429, 5xx and dropped connections).
    pub retry: RetryPolicy,
    /// The largest body of one upload request; larger blobs go up in PATCH chunks of this size.
    pub chunk_size: u64,
    /// How many blobs are uploaded (or checked, or mounted) at once.
    pub concurrency: usize,
    /// Where blobs were pushed before: a push mounts a missing blob from another repository of
    /// the same registry that has it, and records where it put each blob. `None` remembers
    /// nothing.
    pub blob_locations: Option<Arc<BlobLocations>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            credentials: Credentials::Anonymous,
            insecure: false,
            retry: RetryPolicy::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            blob_locations: None,
        }
    }
}

/// A manifest as a registry served it: exact bytes, media type, digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteManifest {
    /// The digest of `bytes`.
    pub digest: Digest,
    /// The `Content-Type` it was served with.
    pub media_type: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

/// What a cross-repository mount did.
pub(crate) enum Mount {
    /// The registry linked the blob; nothing to upload.
    Mounted,
    /// The registry declined and opened an upload session instead (distribution does this when the source
    /// is not readable with the token, or does not have the blob).
    Declined(Url),
}

/// A token service's answer.
pub(super) struct TokenAnswer {
    /// The token.
    pub(super) token: SecretString,
    /// The `scope` the answer says it granted (`OAuth2` answers carry it; distribution's token spec does not
    /// require it).
    pub(super) scope: Option<String>,
}

/// What a client knows of its registry's authentication.
enum Learned {
    /// Nothing yet.
    Unknown,
    /// The challenge of `GET /v2/` (`None`: the registry is open).
    Known(Option<Challenge>),
}

/// A client of one registry (`ghcr.io`, `127.0.0.1:5000`).
///
/// It keeps the auth challenge it learned and one bearer token per set of scopes; a token that expires in
/// the middle of a long push is renewed on the 401 that says so.
pub struct OciClient {
    registry: String,
    base: Url,
    pub(super) http: reqwest::Client,
    pub(crate) options: ClientOptions,
    /// How the registry authenticates, once the first request learned it.
    challenge: tokio::sync::Mutex<Learned>,
    tokens: Mutex<HashMap<Vec<Scope>, SecretString>>,
}

impl std::fmt::Debug for OciClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OciClient")
            .field("base", &RedactedUrl::new(self.base.as_str()))
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Whether `registry` (`host[:port]`) is a loopback address, where plain HTTP is the norm.
pub fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => registry.rsplit_once(':').map_or(registry, |(host, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                host
            } else {
                registry
            }
        }),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl OciClient {
    /// A client of `registry` (`host[:port]`): HTTPS, or plain HTTP for a loopback registry or with
    /// [`ClientOptions::insecure`].
    pub fn new(registry: &str, options: ClientOptions) -> Result<OciClient, OciError> {
        let scheme = if is_loopback(registry) || options.insecure {
            "http"
        } else {
            "https"
        };
        // Docker Hub is named docker.io in references but serves the API from registry-1.docker.io.
        let host = if registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            registry
        };
        let base = Url::parse(&format!("{scheme}://{host}/")).map_err(|error| {
            OciError::InvalidReference {
                input: registry.to_owned(),
                reason: error.to_string(),
            }
        })?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("slipway/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(30))
            .read_timeout(std::time::Duration::from_secs(300))
            .build()
            .map_err(|error| OciError::Client(Box::new(error)))?;
        Ok(OciClient {
            registry: registry.to_owned(),
            base,
            http,
            options,
            challenge: tokio::sync::Mutex::new(Learned::Unknown),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The registry this client talks to.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    pub(crate) fn check_registry(&self, repository: &Repository) -> Result<(), OciError> {
        if repository.registry() == self.registry {
            Ok(())
        } else {
            Err(OciError::InvalidReference {
                input: repository.to_string(),
                reason: format!(
                    "it is in {}, not in {}",
                    repository.registry(),
                    self.registry
                ),
            })
        }
    }

    pub(super) fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("registry paths are relative URLs")
    }

    /// Resolves a `Location` or `Link` target, which may be relative.
    fn resolve_url(&self, what: &str, location: &str) -> Result<Url, OciError> {
        self.base
            .join(location)
            .map_err(|error| self.protocol(what, format!("bad location: {error}")))
    }

    pub(super) fn protocol(&self, what: &str, reason: String) -> OciError {
        OciError::Protocol {
            what: what.to_owned(),
            registry: self.registry.clone(),
            reason,
        }
    }

    /// Learns once how the registry authenticates, from `GET /v2/`.
    pub(super) async fn challenge(&self) -> Result<Option<Challenge>, OciError> {
        let mut known = self.challenge.lock().await;
        if let Learned::Known(challenge) = &*known {
            return Ok(challenge.clone());
        }
        let url = self.url("v2/");
        let what = format!("reach the registry {}", self.registry);
        let response = retry::send(&self.http, &self.options.retry, &what, || {
            Ok(self.http.get(url.clone()))
        })
        .await?;
        let challenge = match response.status() {
            StatusCode::UNAUTHORIZED => response
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_challenge),
            status if status.is_success() => None,
            _ => return Err(self.status_error(&what, response).await),
        };
        tracing::debug!(registry = %self.registry, ?challenge, "auth challenge");
        *known = Learned::Known(challenge.clone());
        Ok(challenge)
    }

    /// The `Authorization` header for `scopes`, fetching a token if needed (or if `renew`).
    async fn authorization(
        &self,
        scopes: &[Scope],
        renew: bool,
    ) -> Result<Option<SecretString>, OciError> {
        match self.challenge().await? {
            None => Ok(None),
            Some(Challenge::Basic) => Ok(self.options.credentials.basic_header()),
            Some(Challenge::Bearer { realm, service }) => {
                let mut key = scopes.to_vec();
                key.sort();
                if !renew {
                    if let Some(token) = self.tokens.lock().expect("token cache").get(&key) {
                        return Ok(Some(SecretString::from(format!(
                            "Bearer {}",
                            token.expose_secret()
                        ))));
                    }
                }
                let token = self.fetch_token(&realm, service.as_deref(), &key).await?;
                let header = SecretString::from(format!("Bearer {}", token.expose_secret()));
                self.tokens.lock().expect("token cache").insert(key, token);
                Ok(Some(header))
            }
        }
    }

    /// Asks the token service for a token covering every scope (one `scope` parameter each).
    async fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
    ) -> Result<SecretString, OciError> {
        let (what, response) = self.request_token(realm, service, scopes).await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        Ok(self.read_token(&what, response).await?.token)
    }

    /// Sends the token request for `scopes` (with the Basic credentials, if any) and returns what it is
    /// called in errors and the answer, whatever its status.
    pub(super) async fn request_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scopes: &[Scope],
    ) -> Result<(String, Response), OciError> {
        let what = format!("get a token from {}", RedactedUrl::new(realm));
        let mut url = Url::parse(realm)
            .map_err(|error| self.protocol(&what, format!("bad realm: {error}")))?;
        if url.scheme() == "http"
            && !self.options.insecure
            && !url.host_str().is_some_and(is_loopback)
        {
            return Err(OciError::InsecureRefused {
                registry: url.host_str().unwrap_or_default().to_owned(),
            });
        }
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = service {
                query.append_pair("service", service);
            }
            for scope in scopes {
                query.append_pair("scope", &scope.0);
            }
        }
        let basic = self.options.credentials.basic_header();
        let response = retry::send(&self.http, &self.options.retry, &what, || {
            let request = self.http.get(url.clone());
            Ok(match &basic {
                Some(header) => request.header(AUTHORIZATION, sensitive(header)?),
                None => request,
            })
        })
        .await?;
        Ok((what, response))
    }

    /// Reads a successful token answer: the token (`token`, or `OAuth2`'s `access_token`) and the `scope` it
    /// reports granting, if it does.
    pub(super) async fn read_token(
        &self,
        what: &str,
        response: Response,
    ) -> Result<TokenAnswer, OciError> {
        let body: serde_json::Value = response.json().await.map_err(|error| {
            self.protocol(
                what,
                format!("the answer is not JSON: {}", error.without_url()),
            )
        })?;
        let token = body
            .get("token")
            .or_else(|| body.get("access_token"))
            .and_then(|t| t.as_str())
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| self.protocol(what, "the answer has no `token`".to_owned()))?;
        Ok(TokenAnswer {
            token,
            scope: body
                .get("scope")
                .and_then(|s| s.as_str())
                .map(str::to_owned),
        })
    }

    /// Sends a request with auth for `scopes` and retries; on a 401 (a token expired mid-push, or the
    /// registry changed its mind) it learns the challenge again, renews the token and tries once more.
    pub(crate) async fn send<F>(
        &self,
        scopes: &[Scope],
        what: &str,
        mut build: F,
    ) -> Result<Response, OciError>
    where
        F: FnMut() -> Result<RequestBuilder, std::io::Error>,
    {
        let mut header = self.authorization(scopes, false).await?;
        let mut renewed = false;
        loop {
            let current = header.clone();
            let response = retry::send(&self.http, &self.options.retry, what, || {
                let request = build()?;
                Ok(match &current {
                    Some(value) => request.header(AUTHORIZATION, sensitive(value)?),
                    None => request,
                })
            })
            .await?;
            if response.status() == StatusCode::UNAUTHORIZED && !renewed {
                let challenge = response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_challenge);
                if challenge.is_some() {
                    *self.challenge.lock().await = Learned::Known(challenge);
                    let renewed_header = self.authorization(scopes, true).await?;
                    if renewed_header.is_some() {
                        tracing::debug!(what, "renewing authorization after a 401");
                        header = renewed_header;
                        renewed = true;
                        continue;
                    }
                }
            }
            return Ok(response);
        }
    }

    /// Turns a failed response into an error, with the registry's error codes (redacted) as detail.
    pub(crate) async fn status_error(&self, what: &str, response: Response) -> OciError {
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        let mut detail = registry_errors(&body);
        if let Some(secret) = self.options.credentials.secret() {
            detail = redact_secret(&detail, secret).into_owned();
        }
        if matches!(status, 401 | 403) {
            let hint = match (&self.options.credentials, status) {
                (Credentials::Anonymous, _) => {
                    format!("no credentials were given; set {CREDENTIAL_SOURCES}")
                }
                (_, 401) => {
                    format!("the credentials were rejected; check {CREDENTIAL_SOURCES}")
                }
                _ => "the credentials lack permission for this".to_owned(),
            };
            return OciError::Unauthorized {
                registry: self.registry.clone(),
                what: what.to_owned(),
                status,
                hint: if detail.is_empty() {
                    hint
                } else {
                    format!("{hint} ({detail})")
                },
            };
        }
        OciError::Status {
            what: what.to_owned(),
            registry: self.registry.clone(),
            status,
            detail,
        }
    }

    // ---- blobs -------------------------------------------------------------------------------------

    /// Whether `repository` has the blob.
    pub(crate) async fn blob_exists(
        &self,
        repository: &Repository,
        digest: &Digest,
    ) -> Result<bool, OciError> {
        let url = self.url(&format!("v2/{}/blobs/{digest}", repository.name()));
        let what = format!("check blob {digest} in {repository}");
        let response = self
            .send(&[Scope::pull(repository.name())], &what, || {
                Ok(self.http.head(url.clone()))
            })
            .await?;
        match response.status() {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.status_error(&what, response).await),
        }
    }

    /// Asks the registry to link a blob from another repository (needs pull on `from` and push on `into`,
    /// hence two scopes in one token).
    pub(crate) async fn mount_blob(
        &self,
        into: &Repository,
        from: &Repository,
        digest: &Digest,
    ) -> Result<Mount, OciError> {
        let mut url = self.url(&format!("v2/{}/blobs/uploads/", into.name()));
        url.query_pairs_mut()
            .append_pair("mount", digest.as_str())
            .append_pair("from", from.name());
        let what = format!("mount blob {digest} from {from} into {into}");
        let scopes = [Scope::push(into.name()), Scope::pull(from.name())];
        let response = self
            .send(&scopes, &what, || {
                Ok(self.http.post(url.clone()).header(CONTENT_LENGTH, 0))
            })
            .await?;
        match response.status() {
            StatusCode::CREATED => Ok(Mount::Mounted),
            StatusCode::ACCEPTED => Ok(Mount::Declined(self.location(&what, response.headers())?)),
            _ => Err(self.status_error(&what, response).await),
        }
    }

    fn location(&self, what: &str, headers: &HeaderMap) -> Result<Url, OciError> {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.protocol(what, "no Location header".to_owned()))?;
        self.resolve_url(what, location)
    }

    /// Opens an upload session (`POST …/blobs/uploads/`): its URL.
    async fn start_upload(&self, repository: &Repository, what: &str) -> Result<Url, OciError> {
        let url = self.url(&format!("v2/{}/blobs/uploads/", repository.name()));
        let response = self
            .send(&[Scope::push(repository.name())], what, || {
                Ok(self.http.post(url.clone()).header(CONTENT_LENGTH, 0))
            })
            .await?;
        if response.status() != StatusCode::ACCEPTED {
            return Err(self.status_error(what, response).await);
        }
        self.location(what, response.headers())
    }

    /// Uploads a blob from disk: POST (or the session a declined mount opened), then either one PUT with the
    /// whole body or PATCH chunks of at most `chunk_size` bytes, each to the latest `Location`, then the
    /// closing PUT. A chunk that fails is resumed from the offset the registry reports.
    /// Returns the number of bytes sent (more than the size when chunks were resent).
    /// `progress` hears of each attempt and of the blob's bytes as they are handed to the connection.
    pub(crate) async fn upload_blob(
        &self,
        repository: &Repository,
        digest: &Digest,
        size: u64,
        source: &BlobSource,
        session: Option<Url>,
        progress: &Arc<dyn Progress>,
    ) -> Result<u64, OciError> {
        let what = format!("upload blob {digest} to {repository}");
        let scopes = [Scope::push(repository.name())];
        let mut location = match session {
            Some(url) => url,
            None => self.start_upload(repository, &what).await?,
        };
        let chunk = self.options.chunk_size.max(1);
        let mut sent = 0_u64;
        progress.upload_started(digest, size);
        let body = |offset: u64, length: u64| {
            file_body(source, offset, length).map(|stream| {
                let (progress, digest, mut position) =
                    (Arc::clone(progress), digest.clone(), offset);
                reqwest::Body::wrap_stream(stream.inspect(move |piece| {
                    if let Ok(piece) = piece {
                        position += piece.len() as u64;
                        progress.upload_position(&digest, position);
                    }
                }))
            })
        };
        if size > chunk {
            let mut offset = 0_u64;
            let mut recoveries = 0;
            while offset < size {
                let length = chunk.min(size - offset);
                let url = location.clone();
                let result = self
                    .send(&scopes, &what, || {
                        Ok(self
                            .http
                            .patch(url.clone())
                            .header(CONTENT_TYPE, "application/octet-stream")
                            .header("Content-Range", format!("{offset}-{}", offset + length - 1))
                            .header(CONTENT_LENGTH, length)
                            .body(body(offset, length)?))
                    })
                    .await;
                sent += length;
                let response = match result {
                    Ok(response) if response.status() == StatusCode::ACCEPTED => response,
                    Ok(response) if !is_recoverable_chunk_status(response.status()) => {
                        return Err(self.status_error(&what, response).await);
                    }
                    failed => {
                        recoveries += 1;
                        if recoveries > self.options.retry.max_attempts.max(1) {
                            return match failed {
                                Ok(response) => Err(self.status_error(&what, response).await),
                                Err(error) => Err(error),
                            };
                        }
                        // The registry may have kept part of the chunk: ask where it stands and go on from
                        // there. A session it no longer knows (distribution invalidates one whose file grew
                        // behind its back) is started over.
                        match self.upload_status(&scopes, &what, &location).await {
                            Ok((resumed_at, resumed_location)) if resumed_at <= size => {
                                tracing::warn!(%digest, offset, resumed_at, "upload chunk failed; resuming from the registry's range");
                                offset = resumed_at;
                                location = resumed_location;
                            }
                            _ => {
                                tracing::warn!(%digest, offset, "upload session lost; starting the blob over");
                                location = self.start_upload(repository, &what).await?;
                                offset = 0;
                                progress.upload_started(digest, size);
                            }
                        }
                        continue;
                    }
                };
                location = self.location(&what, response.headers())?;
                offset = range_end(response.headers()).map_or(offset + length, |end| end + 1);
            }
            let mut url = location.clone();
            url.query_pairs_mut().append_pair("digest", digest.as_str());
            let response = self
                .send(&scopes, &what, || {
                    Ok(self.http.put(url.clone()).header(CONTENT_LENGTH, 0))
                })
                .await;
            match response {
                Ok(response) if response.status() == StatusCode::CREATED => {}
                // The answer to a PUT that did land may be lost (a reset, a 5xx from a proxy), and
                // its retry then finds the session closed (404 BLOB_UPLOAD_UNKNOWN): the registry
                // is asked whether it has the blob before anything is called a failure.
                failed => {
                    if !self.settled(repository, digest).await {
                        return match failed {
                            Ok(response) => Err(self.status_error(&what, response).await),
                            Err(error) => Err(error),
                        };
                    }
                }
            }
        } else {
            // POST then PUT: a single POST with `?digest=` may be ignored (distribution 2.8 answers 202 and
            // stores nothing), so the body always goes with the closing PUT.
            for attempt in 1..=2 {
                let mut url = location.clone();
                url.query_pairs_mut().append_pair("digest", digest.as_str());
                let response = self
                    .send(&scopes, &what, || {
                        Ok(self
                            .http
                            .put(url.clone())
                            .header(CONTENT_TYPE, "application/octet-stream")
                            .header(CONTENT_LENGTH, size)
                            .body(body(0, size)?))
                    })
                    .await;
                sent += size;
                let response = match response {
                    Ok(response) if response.status() == StatusCode::CREATED => break,
                    // Settled by reading: a PUT whose answer was lost may have stored the blob.
                    _ if self.settled(repository, digest).await => break,
                    Ok(response) => response,
                    Err(error) => return Err(error),
                };
                match response.status() {
                    // A retried PUT whose first attempt left bytes behind: the session is gone, start over.
                    StatusCode::NOT_FOUND if attempt == 1 => {
                        location = self.start_upload(repository, &what).await?;
                        progress.upload_started(digest, size);
                    }
                    _ => return Err(self.status_error(&what, response).await),
                }
            }
        }
        Ok(sent)
    }

    /// Whether the registry has the blob after all (a write whose answer was lost): a read settles
    /// it before a retry or an error.
    async fn settled(&self, repository: &Repository, digest: &Digest) -> bool {
        match self.blob_exists(repository, digest).await {
            Ok(true) => {
                tracing::info!(%digest, "the registry has the blob: its upload landed, the answer was lost");
                true
            }
            _ => false,
        }
    }

    /// Where an upload session stands: the next offset and the session's current URL.
    async fn upload_status(
        &self,
        scopes: &[Scope],
        what: &str,
        location: &Url,
    ) -> Result<(u64, Url), OciError> {
        let response = self
            .send(scopes, what, || Ok(self.http.get(location.clone())))
            .await?;
        if response.status() != StatusCode::NO_CONTENT {
            return Err(self.status_error(what, response).await);
        }
        let next = range_end(response.headers()).map_or(0, |end| end + 1);
        let location = match response.headers().get(LOCATION) {
            Some(_) => self.location(what, response.headers())?,
            None => location.clone(),
        };
        Ok((next, location))
    }

    /// Reads a small blob (an image config) into memory, checking its digest.
    pub(crate) async fn get_small_blob(
        &self,
        repository: &Repository,
        digest: &Digest,
    ) -> Result<Vec<u8>, OciError> {
        const LIMIT: usize = 4 * 1024 * 1024;
        let url = self.url(&format!("v2/{}/blobs/{digest}", repository.name()));
        let what = format!("get blob {digest} from {repository}");
        let mut response = self
            .send(&[Scope::pull(repository.name())], &what, || {
                Ok(self.http.get(url.clone()))
            })
            .await?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response).await);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| OciError::Body {
            what: what.clone(),
            source: Box::new(error.without_url()),
        })? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > LIMIT {
                return Err(
                    self.protocol(&what, "the blob is larger than a config may be".to_owned())
                );
            }
        }
        let actual = Digest::of(&bytes);
        if &actual != digest {
            return Err(OciError::DigestMismatch {
                what,
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(bytes)
    }

    // ---- manifests ---------------------------------------------------------------------------------

    fn manifest_url(&self, repository: &Repository, target: &str) -> Url {
        self.url(&format!("v2/{}/manifests/{target}", repository.name()))
    }

    /// Fetches a manifest with the full `Accept` list; `None` if the tag or digest does not exist.
    pub async fn get_manifest(&self, image: &ImageRef) -> Result<Option<RemoteManifest>, OciError> {
        let repository = image.repository();
        self.check_registry(repository)?;
        let url = self.manifest_url(repository, image.target());
        let what = format!("get manifest {image}");
        let response = self
            .send(&[Scope::pull(repository.name())], &what, || {
                Ok(self.http.get(url.clone()).header(ACCEPT, MANIFEST_ACCEPT))
            })
            .await?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Ok(None),
            _ => return Err(self.status_error(&what, response).await),
        }
        let media_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
            .unwrap_or_default();
        let bytes = response.bytes().await.map_err(|error| OciError::Body {
            what: what.clone(),
            source: Box::new(error.without_url()),
        })?;
        let digest = Digest::of(&bytes);
        if let Some(expected) = image.digest() {
            if &digest != expected {
                return Err(OciError::DigestMismatch {
                    what,
                    expected: expected.to_string(),
                    actual: digest.to_string(),
                });
            }
        }
        let media_type = if media_type.is_empty() || media_type == "application/json" {
            embedded_media_type(&bytes).unwrap_or(media_type)
        } else {
            media_type
        };
        Ok(Some(RemoteManifest {
            digest,
            media_type,
            bytes: bytes.to_vec(),
        }))
    }

    /// The digest a tag or digest resolves to, by `HEAD`; `None` if it does not exist.
    pub async fn resolve(&self, image: &ImageRef) -> Result<Option<Digest>, OciError> {
        let repository = image.repository();
        self.check_registry(repository)?;
        let url = self.manifest_url(repository, image.target());
        let what = format!("resolve {image}");
        let response = self
            .send(&[Scope::pull(repository.name())], &what, || {
                Ok(self.http.head(url.clone()).header(ACCEPT, MANIFEST_ACCEPT))
            })
            .await?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Ok(None),
            _ => return Err(self.status_error(&what, response).await),
        }
        match response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v).ok())
        {
            Some(digest) => Ok(Some(digest)),
            // Registries need not send the header on HEAD; the body tells.
            None => Ok(self.get_manifest(image).await?.map(|m| m.digest)),
        }
    }

    /// Stores a manifest under a tag or its digest, with its exact bytes and media type.
    pub(crate) async fn put_manifest(
        &self,
        repository: &Repository,
        target: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, OciError> {
        let url = self.manifest_url(repository, target);
        let what = format!("put manifest {repository}:{target}");
        let digest = Digest::of(bytes);
        let body = bytes.to_vec();
        let response = self
            .send(&[Scope::push(repository.name())], &what, || {
                Ok(self
                    .http
                    .put(url.clone())
                    .header(CONTENT_TYPE, media_type)
                    .body(body.clone()))
            })
            .await;
        let response = match response {
            Ok(response) if response.status() == StatusCode::CREATED => response,
            failed => {
                // Settled by reading: the tag may point at these very bytes already.
                let image = if target.contains(':') {
                    repository.digest(&digest)
                } else {
                    repository.tag(target)
                };
                if matches!(self.resolve(&image).await, Ok(Some(stored)) if stored == digest) {
                    tracing::info!(%digest, "the registry has the manifest: its PUT landed, the answer was lost");
                    return Ok(digest);
                }
                return match failed {
                    Ok(response) => Err(self.status_error(&what, response).await),
                    Err(error) => Err(error),
                };
            }
        };
        if let Some(stored) = response
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
        {
            if stored != digest.as_str() {
                return Err(OciError::DigestMismatch {
                    what,
                    expected: digest.to_string(),
                    actual: stored.to_owned(),
                });
            }
        }
        Ok(digest)
    }

    /// `DELETE …/manifests/<target>`; returns the status (202 deleted, 404 unknown, 400/405 refused).
    pub(crate) async fn delete_manifest(
        &self,
        repository: &Repository,
        target: &str,
    ) -> Result<(StatusCode, String), OciError> {
        let url = self.manifest_url(repository, target);
        let what = format!("delete manifest {repository}:{target}");
        let response = self
            .send(&[Scope::delete(repository.name())], &what, || {
                Ok(self.http.delete(url.clone()))
            })
            .await?;
        let status = response.status();
        if matches!(status.as_u16(), 401 | 403) {
            return Err(self.status_error(&what, response).await);
        }
        let body = response.text().await.unwrap_or_default();
        Ok((status, registry_errors(&body)))
    }

    /// Every tag of `repository` in lexical order, following `Link: <…>; rel="next"` pages (`page_size` tags
    /// per request, or the registry's default). Sorted here because distribution 2.8 answers in storage order.
    pub async fn tags(
        &self,
        repository: &Repository,
        page_size: Option<u32>,
    ) -> Result<Vec<String>, OciError> {
        self.check_registry(repository)?;
        let what = format!("list the tags of {repository}");
        let mut url = self.url(&format!("v2/{}/tags/list", repository.name()));
        if let Some(n) = page_size {
            url.query_pairs_mut().append_pair("n", &n.to_string());
        }
        let mut tags = Vec::new();
        for _page in 0..100_000 {
            let current = url.clone();
            let response = self
                .send(&[Scope::pull(repository.name())], &what, || {
                    Ok(self.http.get(current.clone()))
                })
                .await?;
            match response.status() {
                StatusCode::OK => {}
                // A repository that was never pushed has no tags.
                StatusCode::NOT_FOUND if tags.is_empty() => return Ok(tags),
                _ => return Err(self.status_error(&what, response).await),
            }
            let next = next_link(response.headers());
            let body: serde_json::Value = response.json().await.map_err(|error| {
                self.protocol(
                    &what,
                    format!("the answer is not JSON: {}", error.without_url()),
                )
            })?;
            if let Some(page) = body.get("tags").and_then(|t| t.as_array()) {
                tags.extend(page.iter().filter_map(|t| t.as_str()).map(str::to_owned));
            }
            let Some(link) = next else {
                tags.sort_unstable();
                tags.dedup();
                return Ok(tags);
            };
            url = self.resolve_url(&what, &link)?;
        }
        Err(self.protocol(&what, "the pages never end".to_owned()))
    }
}

/// Marks an `Authorization` value sensitive so that it never shows in debug output.
pub(super) fn sensitive(value: &SecretString) -> Result<HeaderValue, std::io::Error> {
    let mut header = HeaderValue::from_str(value.expose_secret()).map_err(|_| {
        std::io::Error::other("the credentials contain characters not allowed in a header")
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// A stream of `length` bytes of a blob from `offset`, in constant memory.
fn file_body(
    source: &BlobSource,
    offset: u64,
    length: u64,
) -> Result<tokio_util::io::ReaderStream<tokio::io::Take<tokio::fs::File>>, std::io::Error> {
    let file = tokio::fs::File::from_std(source.open_at(offset)?);
    Ok(tokio_util::io::ReaderStream::with_capacity(
        file.take(length),
        256 * 1024,
    ))
}

/// Statuses after which a chunk is recovered (resumed or restarted) rather than failed: 416 (the registry
/// has a different offset), 404 (the session was invalidated), and the retryable ones that outlasted retries.
fn is_recoverable_chunk_status(status: StatusCode) -> bool {
    status == StatusCode::RANGE_NOT_SATISFIABLE
        || status == StatusCode::NOT_FOUND
        || retry::is_retryable_status(status.as_u16())
}

/// The end of `Range: 0-N` (distribution's upload progress; some registries write `bytes=0-N`).
fn range_end(headers: &HeaderMap) -> Option<u64> {
    let range = headers.get("Range")?.to_str().ok()?;
    let range = range.trim().trim_start_matches("bytes=");
    range.split_once('-')?.1.trim().parse().ok()
}

/// The `rel="next"` target of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| {
            value.split(',').find_map(|link| {
                let (target, params) = link.split_once(';')?;
                params
                    .split(';')
                    .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next")
                    .then(|| {
                        target
                            .trim()
                            .trim_start_matches('<')
                            .trim_end_matches('>')
                            .to_owned()
                    })
            })
        })
}

/// `mediaType` inside a manifest's JSON.
fn embedded_media_type(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value.get("mediaType")?.as_str().map(str::to_owned)
}

/// `CODE: message; …` from a distribution error body, shortened; the raw body (shortened) otherwise.
pub(super) fn registry_errors(body: &str) -> String {
    let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
    let errors = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|e| e.as_array())
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("ERROR");
                    let message = e
                        .get("message")
                        .and_then(|m| m.as_str())
                        .unwrap_or_default();
                    format!("{code}: {message}")
                })
                .collect::<Vec<_>>()
                .join("; ")
        });
    let text = errors.unwrap_or_else(|| crate::body::summarise(body.trim()).into_owned());
    if text.chars().count() > 300 {
        let mut short: String = text.chars().take(300).collect();
        short.push('…');
        short
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ghcr_keeps_its_4_mib_cap_and_other_registries_get_larger_chunks() {
        assert_eq!(default_chunk_size("ghcr.io"), DEFAULT_CHUNK_SIZE);
        assert_eq!(default_chunk_size("GHCR.io:443"), DEFAULT_CHUNK_SIZE);
        assert_eq!(default_chunk_size("127.0.0.1:5000"), LARGE_CHUNK_SIZE);
        assert_eq!(default_chunk_size("registry.example.com"), LARGE_CHUNK_SIZE);
    }

    #[test]
    fn loopback_registries_are_recognised() {
        for (registry, expected) in [
            ("127.0.0.1:5000", true),
            ("localhost:5000", true),
            ("localhost", true),
            ("[::1]:5000", true),
            ("127.1.2.3", true),
            ("ghcr.io", false),
            ("10.0.0.1:5000", false),
            ("localhost.example.com", false),
        ] {
            assert_eq!(is_loopback(registry), expected, "{registry}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback_or_when_insecure() {
        let shown = |registry: &str, insecure: bool| {
            let options = ClientOptions {
                insecure,
                ..ClientOptions::default()
            };
            format!(
                "{:?}",
                OciClient::new(registry, options).unwrap().base.as_str()
            )
        };
        assert_eq!(shown("ghcr.io", false), "\"https://ghcr.io/\"");
        assert_eq!(shown("10.0.0.5:5000", false), "\"https://10.0.0.5:5000/\"");
        assert_eq!(shown("10.0.0.5:5000", true), "\"http://10.0.0.5:5000/\"");
        assert_eq!(shown("127.0.0.1:5000", false), "\"http://127.0.0.1:5000/\"");
        assert_eq!(
            shown("docker.io", false),
            "\"https://registry-1.docker.io/\""
        );
    }

    #[test]
    fn next_links_are_found() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static("</v2/a/tags/list?last=b&n=2>; rel=\"next\""),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("/v2/a/tags/list?last=b&n=2")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn upload_ranges_are_read_with_or_without_a_unit() {
        for (value, expected) in [
            ("0-1023", Some(1023)),
            ("bytes=0-99", Some(99)),
            ("junk", None),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("Range", HeaderValue::from_static(value));
            assert_eq!(range_end(&headers), expected, "{value}");
        }
    }

    #[test]
    fn registry_errors_are_summarised() {
        assert_eq!(
            registry_errors(
                r#"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#
            ),
            "UNSUPPORTED: The operation is unsupported."
        );
        assert_eq!(registry_errors("plain text"), "plain text");
    }
}
