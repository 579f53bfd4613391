//! The HTTP side: looking releases up, creating and updating them, uploading and replacing assets.

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use sha2::Digest as _;

use super::error::{ApiError, AssetError, ConfigError, ReleaseError, VerifyError};
use super::types::{
    Asset, AssetMismatch, AssetOutcome, AssetStatus, DEFAULT_API_URL, ExpectedAsset, GithubEnv,
    Progress, Release, ReleaseChange, ReleaseOutcome, ReleasePlan, ReleaseSpec,
    ReleaseVerification, Repository, with_known_issues,
};
use crate::redact::{RedactedUrl, redact_secret};
use crate::retry::{self, RetryPolicy};

const USER_AGENT: &str = concat!("slipway/", env!("CARGO_PKG_VERSION"));
const ACCEPT: &str = "application/vnd.github+json";
/// The REST API version the client is written against.
pub const API_VERSION: &str = "2022-11-28";
/// The largest page GitHub serves.
const PER_PAGE: usize = 100;
/// How many pages of releases are searched for a draft: drafts are new, so they sit on the first pages.
const DRAFT_PAGES: u32 = 3;
/// How many pages of assets are read at most (10,000 assets; GitHub allows 1,000 per release).
const ASSET_PAGES: u32 = 100;
/// Read buffer for hashing and streaming.
const CHUNK: usize = 256 * 1024;

/// A client for the Releases of one GitHub repository.
///
/// Every call sends `Authorization: Bearer <token>`, `Accept: application/vnd.github+json` and
/// `X-GitHub-Api-Version: 2022-11-28`, and goes through [`crate::retry`].
/// `Debug` shows no token.
#[derive(Clone)]
pub struct GithubClient {
    http: reqwest::Client,
    upload_http: reqwest::Client,
    pub(super) api: url::Url,
    repository: Repository,
    pub(super) token: SecretString,
    retry: RetryPolicy,
}

impl std::fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubClient")
            .field("api", &RedactedUrl::new(self.api.as_str()))
            .field("repository", &self.repository.to_string())
            .field("token", &crate::redact::MASK)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The body of a GitHub error answer.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorItem {
    Detailed {
        #[serde(default)]
        resource: String,
        #[serde(default)]
        field: String,
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: Option<String>,
    },
    Text(String),
}

impl GithubClient {
    /// A client for `repository` (`owner/name`) at the API `api_url` (`https://api.github.com`, or
    /// `https://github.example.com/api/v3` for GitHub Enterprise Server), authenticating with `token`.
    pub fn new(
        api_url: &str,
        token: SecretString,
        repository: &str,
    ) -> Result<GithubClient, ConfigError> {
        let repository = Repository::parse(repository)?;
        let bad_url = || ConfigError::BadApiUrl {
            url: RedactedUrl::new(api_url).to_string(),
        };
        let api = url::Url::parse(api_url.trim()).map_err(|_| bad_url())?;
        if !matches!(api.scheme(), "http" | "https") || api.cannot_be_a_base() {
            return Err(bad_url());
        }
        let build = |redirect| {
            reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .connect_timeout(Duration::from_secs(30))
                .read_timeout(Duration::from_secs(300))
                .redirect(redirect)
                .build()
                .map_err(|error| ConfigError::Client(Box::new(error)))
        };
        Ok(GithubClient {
            // The API redirects renamed repositories (301); reqwest drops the token on a cross-host redirect.
            http: build(reqwest::redirect::Policy::limited(5))?,
            // A redirected streamed upload cannot be replayed.
            upload_http: build(reqwest::redirect::Policy::none())?,
            api,
            repository,
            token,
            retry: RetryPolicy::default(),
        })
    }

    /// A client from the values the caller read: `repository` (from the configuration) or `GITHUB_REPOSITORY`,
    /// `api_url` (from the configuration) or `GITHUB_API_URL` or [`DEFAULT_API_URL`], and the token of
    /// `GH_TOKEN` or `GITHUB_TOKEN`.
    pub fn from_env(
        env: &GithubEnv,
        api_url: Option<&str>,
        repository: Option<&str>,
    ) -> Result<GithubClient, ConfigError> {
        let token = env.token().ok_or(ConfigError::MissingToken)?.clone();
        let repository = repository
            .or(env.repository.as_deref())
            .ok_or(ConfigError::MissingRepository)?;
        let api_url = api_url
            .or(env.api_url.as_deref())
            .unwrap_or(DEFAULT_API_URL);
        GithubClient::new(api_url, token, repository)
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> GithubClient {
        self.retry = retry;
        self
    }

    /// The repository.
    pub fn repository(&self) -> &Repository {
        &self.repository
    }

    /// The API base URL.
    pub fn api_url(&self) -> &str {
        self.api.as_str()
    }

    /// `{api}/repos/{owner}/{name}/{segments…}`, each segment percent-encoded.
    pub(super) fn endpoint(&self, segments: &[&str]) -> url::Url {
        let mut url = self.api.clone();
        url.set_query(None);
        url.path_segments_mut()
            .expect("checked in new: the API URL can be a base")
            .pop_if_empty()
            .extend(["repos", &self.repository.owner, &self.repository.name])
            .extend(segments);
        url
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .bearer_auth(self.token.expose_secret())
            .header(reqwest::header::ACCEPT, ACCEPT)
            .header("X-GitHub-Api-Version", API_VERSION)
    }

    /// Sends one JSON call (retried), returning the final response whatever its status.
    pub(super) async fn call(
        &self,
        what: &str,
        method: reqwest::Method,
        url: &url::Url,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, ApiError> {
        let response = retry::send(&self.http, &self.retry, what, || {
            let request = self.authorize(self.http.request(method.clone(), url.clone()));
            Ok(match body {
                Some(body) => request.json(body),
                None => request,
            })
        })
        .await?;
        Ok(response)
    }

    /// Reads a successful response as JSON, or turns an unsuccessful one into an [`ApiError`].
    pub(super) async fn read<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, ApiError> {
        if !response.status().is_success() {
            return Err(self.failure(response).await);
        }
        let url = RedactedUrl::new(response.url().as_str()).to_string();
        let text = response
            .text()
            .await
            .map_err(|error| ApiError::BadResponse {
                url: url.clone(),
                source: Box::new(error.without_url()),
            })?;
        serde_json::from_str(&text).map_err(|error| ApiError::BadResponse {
            url,
            source: Box::new(error),
        })
    }

    fn clean(&self, text: &str) -> String {
        let text: String = crate::body::summarise(text)
            .trim()
            .chars()
            .take(500)
            .collect();
        redact_secret(&text, self.token.expose_secret()).into_owned()
    }

    /// Classifies an unsuccessful response.
    pub(super) async fn failure(&self, response: reqwest::Response) -> ApiError {
        let status = response.status().as_u16();
        let url = RedactedUrl::new(response.url().as_str()).to_string();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let rate_limited = header("x-ratelimit-remaining").as_deref() == Some("0");
        let reset = header("x-ratelimit-reset").unwrap_or_else(|| "a while".to_owned());
        let text = response.text().await.unwrap_or_default();
        let parsed: Option<ErrorBody> = serde_json::from_str(&text).ok();
        let mut message = match &parsed {
            Some(body) if !body.message.is_empty() => body.message.clone(),
            _ => text.clone(),
        };
        let mut codes = Vec::new();
        for item in parsed.iter().flat_map(|body| &body.errors) {
            let detail = match item {
                ErrorItem::Detailed {
                    resource,
                    field,
                    code,
                    message,
                } => {
                    codes.push(code.clone());
                    match message {
                        Some(message) if !message.is_empty() => message.clone(),
                        _ => format!("{resource}.{field} {code}"),
                    }
                }
                ErrorItem::Text(text) => text.clone(),
            };
            message.push_str(if codes.len() <= 1 { ": " } else { "; " });
            message.push_str(&detail);
        }
        let message = self.clean(&message);
        match status {
            401 => ApiError::Unauthorized { message },
            403 | 429 if rate_limited || status == 429 => ApiError::RateLimited {
                status,
                message,
                reset,
            },
            403 => ApiError::Forbidden {
                repository: self.repository.to_string(),
                message,
            },
            422 => ApiError::Validation { message, codes },
            _ => ApiError::Status {
                status,
                url,
                message,
            },
        }
    }

    fn repository_not_found(&self) -> ApiError {
        ApiError::RepositoryNotFound {
            repository: self.repository.to_string(),
            api: RedactedUrl::new(self.api.as_str()).to_string(),
        }
    }

    /// The release for `tag`, drafts included; `None` when there is none.
    ///
    /// `GET /repos/{o}/{r}/releases/tags/{tag}` does not return drafts, so when it answers 404 the first
    /// pages of `GET /repos/{o}/{r}/releases` are searched for a draft with that tag (which also tells a
    /// missing release from a missing repository).
    pub async fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, ReleaseError> {
        self.find_release(tag)
            .await
            .map_err(|source| ReleaseError::Lookup {
                tag: tag.to_owned(),
                repository: self.repository.to_string(),
                source,
            })
    }

    async fn find_release(&self, tag: &str) -> Result<Option<Release>, ApiError> {
        let url = self.endpoint(&["releases", "tags", tag]);
        let response = self
            .call(
                &format!("look up release {tag}"),
                reqwest::Method::GET,
                &url,
                None,
            )
            .await?;
        if response.status().as_u16() != 404 {
            return self.read(response).await.map(Some);
        }
        for page in 1..=DRAFT_PAGES {
            let releases = self.releases_page(page).await?;
            if let Some(release) = releases.iter().find(|r| r.tag == tag) {
                return Ok(Some(release.clone()));
            }
            if releases.len() < PER_PAGE {
                break;
            }
        }
        Ok(None)
    }

    async fn releases_page(&self, page: u32) -> Result<Vec<Release>, ApiError> {
        let mut url = self.endpoint(&["releases"]);
        url.query_pairs_mut()
            .append_pair("per_page", &PER_PAGE.to_string())
            .append_pair("page", &page.to_string());
        let response = self
            .call("list releases", reqwest::Method::GET, &url, None)
            .await?;
        if response.status().as_u16() == 404 {
            return Err(self.repository_not_found());
        }
        self.read(response).await
    }

    /// The repository's latest release (`GET /repos/{o}/{r}/releases/latest`); `None` when there is none.
    pub async fn latest_release(&self) -> Result<Option<Release>, ReleaseError> {
        let lookup = |source| ReleaseError::Lookup {
            tag: "latest".to_owned(),
            repository: self.repository.to_string(),
            source,
        };
        let url = self.endpoint(&["releases", "latest"]);
        let response = self
            .call(
                "look up the latest release",
                reqwest::Method::GET,
                &url,
                None,
            )
            .await
            .map_err(lookup)?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        self.read(response).await.map(Some).map_err(lookup)
    }

    /// What [`GithubClient::create_or_update_release`] would do for `spec`, found with reads only.
    pub async fn plan_release(&self, spec: &ReleaseSpec) -> Result<ReleasePlan, ReleaseError> {
        if spec.tag.trim().is_empty() || spec.tag.chars().any(char::is_whitespace) {
            return Err(ReleaseError::InvalidSpec {
                tag: spec.tag.clone(),
                reason: "a tag is one non-empty word".to_owned(),
            });
        }
        let Some(existing) = self.release_by_tag(&spec.tag).await? else {
            return Ok(ReleasePlan {
                existing: None,
                change: ReleaseChange::Created,
            });
        };
        let mut fields = Vec::new();
        if existing.title() != spec.name {
            fields.push("name");
        }
        if normalize_newlines(existing.notes()) != normalize_newlines(&spec.body) {
            fields.push("body");
        }
        if existing.draft != spec.draft {
            fields.push("draft");
        }
        if existing.prerelease != spec.prerelease {
            fields.push("prerelease");
        }
        if let Some(want) = latest_wanted(spec) {
            let is_latest = self
                .latest_release()
                .await?
                .is_some_and(|latest| latest.id == existing.id);
            if is_latest != want {
                fields.push("make_latest");
            }
        }
        let change = if fields.is_empty() {
            ReleaseChange::Unchanged
        } else {
            ReleaseChange::Updated { fields }
        };
        Ok(ReleasePlan {
            existing: Some(existing),
            change,
        })
    }

    /// Makes the release for `spec.tag` what `spec` says: creates it when absent
    /// (`POST /repos/{o}/{r}/releases`), updates the fields that differ when present
    /// (`PATCH /repos/{o}/{r}/releases/{id}`), and sends nothing when it already is as wanted.
    ///
    /// A create that GitHub answers "already exists" (a retried request whose first attempt went through) is
    /// resolved by looking the release up again.
    pub async fn create_or_update_release(
        &self,
        spec: &ReleaseSpec,
    ) -> Result<ReleaseOutcome, ReleaseError> {
        let plan = self.plan_release(spec).await?;
        match (plan.existing, plan.change) {
            (_, ReleaseChange::Created) => match self.create(spec).await {
                Ok(release) => Ok(ReleaseOutcome {
                    release,
                    change: ReleaseChange::Created,
                }),
                Err(ApiError::Validation { codes, .. })
                    if codes.iter().any(|c| c == "already_exists") =>
                {
                    tracing::info!(tag = %spec.tag, "the release exists already; comparing");
                    let plan = self.plan_release(spec).await?;
                    match (plan.existing, plan.change) {
                        (Some(existing), ReleaseChange::Updated { fields }) => {
                            self.update(spec, &existing, fields).await
                        }
                        (Some(existing), change) => Ok(ReleaseOutcome {
                            release: existing,
                            change,
                        }),
                        (None, _) => Err(ReleaseError::Create {
                            tag: spec.tag.clone(),
                            repository: self.repository.to_string(),
                            source: ApiError::Validation {
                                message: "the release exists but cannot be found; is it a draft beyond the newest 300 releases?".to_owned(),
                                codes,
                            },
                        }),
                    }
                }
                Err(source) => Err(ReleaseError::Create {
                    tag: spec.tag.clone(),
                    repository: self.repository.to_string(),
                    source,
                }),
            },
            (Some(existing), ReleaseChange::Updated { fields }) => {
                self.update(spec, &existing, fields).await
            }
            (Some(existing), change) => Ok(ReleaseOutcome {
                release: existing,
                change,
            }),
            (None, _) => unreachable!("only a missing release is created"),
        }
    }

    async fn create(&self, spec: &ReleaseSpec) -> Result<Release, ApiError> {
        let mut body = serde_json::json!({
            "tag_name": spec.tag,
            "name": spec.name,
            "body": spec.body,
            "draft": spec.draft,
            "prerelease": spec.prerelease,
        });
        if let Some(latest) = latest_wanted(spec) {
            body["make_latest"] = latest.to_string().into();
        }
        if let Some(target) = &spec.target_commitish {
            body["target_commitish"] = target.clone().into();
        }
        let url = self.endpoint(&["releases"]);
        let response = self
            .call(
                &format!("create release {}", spec.tag),
                reqwest::Method::POST,
                &url,
                Some(&body),
            )
            .await?;
        if response.status().as_u16() == 404 {
            return Err(self.repository_not_found());
        }
        let release: Release = self.read(response).await?;
        tracing::info!(tag = %spec.tag, id = release.id, "created the GitHub release");
        Ok(release)
    }

    async fn update(
        &self,
        spec: &ReleaseSpec,
        existing: &Release,
        fields: Vec<&'static str>,
    ) -> Result<ReleaseOutcome, ReleaseError> {
        let mut body = serde_json::Map::new();
        for field in &fields {
            let value: serde_json::Value = match *field {
                "name" => spec.name.clone().into(),
                "body" => spec.body.clone().into(),
                "draft" => spec.draft.into(),
                "prerelease" => spec.prerelease.into(),
                "make_latest" => latest_wanted(spec).unwrap_or_default().to_string().into(),
                other => unreachable!("plan_release names no field {other}"),
            };
            body.insert((*field).to_owned(), value);
        }
        let release = self.patch(&spec.tag, existing.id, &body.into()).await?;
        tracing::info!(tag = %spec.tag, ?fields, "updated the GitHub release");
        Ok(ReleaseOutcome {
            release,
            change: ReleaseChange::Updated { fields },
        })
    }

    async fn patch(
        &self,
        tag: &str,
        id: u64,
        body: &serde_json::Value,
    ) -> Result<Release, ReleaseError> {
        let url = self.endpoint(&["releases", &id.to_string()]);
        let update = |source| ReleaseError::Update {
            tag: tag.to_owned(),
            repository: self.repository.to_string(),
            source,
        };
        let response = self
            .call(
                &format!("update release {tag}"),
                reqwest::Method::PATCH,
                &url,
                Some(body),
            )
            .await
            .map_err(update)?;
        self.read(response).await.map_err(update)
    }

    /// Puts a `> **Known issues:** …` block for `note` at the top of the notes of the release for `tag`
    /// (for a rollback); does nothing when the notes already have that block.
    pub async fn add_known_issues(
        &self,
        tag: &str,
        note: &str,
    ) -> Result<ReleaseOutcome, ReleaseError> {
        let release = self
            .release_by_tag(tag)
            .await?
            .ok_or_else(|| ReleaseError::NotFound {
                tag: tag.to_owned(),
                repository: self.repository.to_string(),
            })?;
        let Some(body) = with_known_issues(release.notes(), note) else {
            return Ok(ReleaseOutcome {
                release,
                change: ReleaseChange::Unchanged,
            });
        };
        let release = self
            .patch(tag, release.id, &serde_json::json!({ "body": body }))
            .await?;
        tracing::info!(tag, "added a known-issues note to the GitHub release");
        Ok(ReleaseOutcome {
            release,
            change: ReleaseChange::Updated {
                fields: vec!["body"],
            },
        })
    }

    /// Makes the release for `tag` the repository's "Latest" release (`PATCH … {"make_latest": "true"}`, for
    /// a rollback); sends nothing when it already is. Pre-releases and drafts cannot be made latest.
    pub async fn mark_latest(&self, tag: &str) -> Result<ReleaseOutcome, ReleaseError> {
        let release = self
            .release_by_tag(tag)
            .await?
            .ok_or_else(|| ReleaseError::NotFound {
                tag: tag.to_owned(),
                repository: self.repository.to_string(),
            })?;
        if release.prerelease || release.draft {
            return Err(ReleaseError::InvalidSpec {
                tag: tag.to_owned(),
                reason: "GitHub never makes a pre-release or a draft the latest release".to_owned(),
            });
        }
        let is_latest = self
            .latest_release()
            .await?
            .is_some_and(|latest| latest.id == release.id);
        if is_latest {
            return Ok(ReleaseOutcome {
                release,
                change: ReleaseChange::Unchanged,
            });
        }
        let release = self
            .patch(
                tag,
                release.id,
                &serde_json::json!({ "make_latest": "true" }),
            )
            .await?;
        tracing::info!(tag, "made the GitHub release the latest");
        Ok(ReleaseOutcome {
            release,
            change: ReleaseChange::Updated {
                fields: vec!["make_latest"],
            },
        })
    }

    /// Every asset of `release` (`GET /repos/{o}/{r}/releases/{id}/assets`, all pages).
    pub async fn assets(&self, release: &Release) -> Result<Vec<Asset>, AssetError> {
        let list = |source| AssetError::List {
            tag: release.tag.clone(),
            source,
        };
        let mut assets = Vec::new();
        for page in 1..=ASSET_PAGES {
            let mut url = self.endpoint(&["releases", &release.id.to_string(), "assets"]);
            url.query_pairs_mut()
                .append_pair("per_page", &PER_PAGE.to_string())
                .append_pair("page", &page.to_string());
            let response = self
                .call(
                    &format!("list the assets of release {}", release.tag),
                    reqwest::Method::GET,
                    &url,
                    None,
                )
                .await
                .map_err(list)?;
            let batch: Vec<Asset> = self.read(response).await.map_err(list)?;
            let final_page = batch.len() < PER_PAGE;
            assets.extend(batch);
            if final_page {
                break;
            }
        }
        Ok(assets)
    }

    /// Attaches the file at `path` to `release` under its file name, streamed from disk.
    ///
    /// Idempotent: an asset of that name with the same sha256 (or, when GitHub reports no digest, the same
    /// size) counts as uploaded and nothing is sent; one with other content, or the remains of a failed upload
    /// (`state: starter`), is deleted (`DELETE /repos/{o}/{r}/releases/assets/{id}`) and uploaded again.
    /// After the upload, the size (and digest, when reported) GitHub stored is compared with the file's.
    pub async fn upload_asset(
        &self,
        release: &Release,
        path: &Path,
        progress: Arc<dyn Progress>,
    ) -> Result<AssetOutcome, AssetError> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| AssetError::NoFileName {
                path: path.to_owned(),
            })?
            .to_owned();
        let read = |source| AssetError::Read {
            path: path.to_owned(),
            source,
        };
        let size = fs_err::metadata(path).map_err(read)?.len();
        progress.hashing(&name, size);
        let owned = path.to_owned();
        let sha256 = tokio::task::spawn_blocking(move || sha256_file(&owned))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r)
            .map_err(read)?;

        // What a successful send counts as: `Replaced` once a complete asset with other content was found.
        let mut sent_status = AssetStatus::Uploaded;
        // Two rounds at most: an upload that GitHub answers "already exists" (the remains of a broken-off
        // attempt, or an attempt that went through but whose answer was lost) looks again, deletes what is
        // stale and tries once more.
        for round in 0..2 {
            let existing = self
                .assets(release)
                .await?
                .into_iter()
                .find(|asset| asset.name == name);
            if let Some(asset) = existing {
                if asset.is_uploaded() && same_content(&asset, size, &sha256) {
                    let status = if round == 0 {
                        AssetStatus::AlreadyPresent
                    } else {
                        sent_status
                    };
                    tracing::info!(%name, tag = %release.tag, "the release has this asset");
                    return Ok(finish(&progress, asset, sha256, status));
                }
                tracing::info!(%name, tag = %release.tag, state = %asset.state, "deleting an asset with other content");
                self.delete_asset(release, &asset).await?;
                if round == 0 && asset.is_uploaded() {
                    sent_status = AssetStatus::Replaced;
                }
            }
            match self.send_asset(release, path, &name, size, &progress).await {
                Ok(asset) => {
                    if !same_content(&asset, size, &sha256) {
                        return Err(AssetError::Mismatch {
                            name,
                            tag: release.tag.clone(),
                            expected: format!("sha256:{sha256} ({size} bytes)"),
                            found: format!(
                                "{} ({} bytes)",
                                asset.digest.as_deref().unwrap_or("no digest"),
                                asset.size
                            ),
                        });
                    }
                    tracing::info!(%name, tag = %release.tag, "uploaded the asset");
                    return Ok(finish(&progress, asset, sha256, sent_status));
                }
                Err(ApiError::Validation { codes, .. })
                    if round == 0 && codes.iter().any(|c| c == "already_exists") =>
                {
                    tracing::info!(%name, "GitHub says the asset exists already; comparing");
                }
                Err(source) => {
                    return Err(AssetError::Upload {
                        name,
                        tag: release.tag.clone(),
                        source,
                    });
                }
            }
        }
        Err(AssetError::Upload {
            name,
            tag: release.tag.clone(),
            source: ApiError::Validation {
                message: "the asset exists already, and does not after deleting it".to_owned(),
                codes: vec!["already_exists".to_owned()],
            },
        })
    }

    /// Checks, with reads only, that the release for `spec.tag` is as `spec` says and carries the `expected`
    /// assets with their sha256 (their size, where GitHub reports no digest). Other assets are ignored.
    pub async fn verify_release(
        &self,
        spec: &ReleaseSpec,
        expected: &[ExpectedAsset],
    ) -> Result<ReleaseVerification, VerifyError> {
        let plan = self.plan_release(spec).await?;
        let Some(release) = plan.existing else {
            return Ok(ReleaseVerification {
                release: None,
                differing: Vec::new(),
                missing: expected.iter().map(|e| e.name.clone()).collect(),
                mismatched: Vec::new(),
                size_only: Vec::new(),
            });
        };
        let differing = match plan.change {
            ReleaseChange::Updated { fields } => fields,
            _ => Vec::new(),
        };
        let assets = self.assets(&release).await?;
        let mut verification = ReleaseVerification {
            release: Some(release),
            differing,
            missing: Vec::new(),
            mismatched: Vec::new(),
            size_only: Vec::new(),
        };
        for want in expected {
            let Some(asset) = assets.iter().find(|a| a.name == want.name) else {
                verification.missing.push(want.name.clone());
                continue;
            };
            let wanted_sha256 = want.sha256.to_ascii_lowercase();
            let found = if asset.is_uploaded() {
                format!(
                    "{} ({} bytes)",
                    asset.digest.as_deref().unwrap_or("no digest"),
                    asset.size
                )
            } else {
                "incomplete upload".to_owned()
            };
            if !asset.is_uploaded() || !same_content(asset, want.size, &wanted_sha256) {
                verification.mismatched.push(AssetMismatch {
                    name: want.name.clone(),
                    expected: format!("sha256:{wanted_sha256} ({} bytes)", want.size),
                    found,
                });
            } else if asset.sha256().is_none() {
                verification.size_only.push(want.name.clone());
            }
        }
        Ok(verification)
    }

    async fn delete_asset(&self, release: &Release, asset: &Asset) -> Result<(), AssetError> {
        let delete = |source| AssetError::Delete {
            name: asset.name.clone(),
            tag: release.tag.clone(),
            source,
        };
        let url = self.endpoint(&["releases", "assets", &asset.id.to_string()]);
        let response = self
            .call(
                &format!("delete asset {}", asset.name),
                reqwest::Method::DELETE,
                &url,
                None,
            )
            .await
            .map_err(delete)?;
        // 404: gone already (a retried delete whose first attempt went through).
        if response.status().is_success() || response.status().as_u16() == 404 {
            return Ok(());
        }
        Err(delete(self.failure(response).await))
    }

    async fn send_asset(
        &self,
        release: &Release,
        path: &Path,
        name: &str,
        size: u64,
        progress: &Arc<dyn Progress>,
    ) -> Result<Asset, ApiError> {
        let template = release
            .upload_url
            .split('{')
            .next()
            .unwrap_or(&release.upload_url);
        let mut url = url::Url::parse(template).map_err(|error| ApiError::BadResponse {
            url: RedactedUrl::new(&release.upload_url).to_string(),
            source: Box::new(error),
        })?;
        url.query_pairs_mut().append_pair("name", name);
        let what = format!("upload {name} to release {}", release.tag);
        let response = retry::send(&self.upload_http, &self.retry, &what, || {
            progress.upload_started(name, size);
            let file = std::fs::File::open(path)?;
            let (progress, name, mut sent) = (Arc::clone(progress), name.to_owned(), 0_u64);
            let stream =
                tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK)
                    .inspect(move |chunk| {
                        if let Ok(chunk) = chunk {
                            sent += chunk.len() as u64;
                            progress.upload_position(&name, sent);
                        }
                    });
            Ok(self
                .authorize(self.upload_http.post(url.clone()))
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .header(reqwest::header::CONTENT_LENGTH, size)
                .body(reqwest::Body::wrap_stream(stream)))
        })
        .await?;
        self.read(response).await
    }
}

/// The `make_latest` a spec asks for, where GitHub applies it (never to drafts and pre-releases).
fn latest_wanted(spec: &ReleaseSpec) -> Option<bool> {
    spec.make_latest.filter(|_| !spec.draft && !spec.prerelease)
}

fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
}

fn same_content(asset: &Asset, size: u64, sha256: &str) -> bool {
    asset.size == size && asset.sha256().is_none_or(|remote| remote == sha256)
}

fn finish(
    progress: &Arc<dyn Progress>,
    asset: Asset,
    sha256: String,
    status: AssetStatus,
) -> AssetOutcome {
    let outcome = AssetOutcome {
        asset,
        sha256,
        status,
    };
    progress.finished(&outcome);
    outcome
}

/// The sha256 of a file, lowercase hex, read in constant memory.
pub(super) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = fs_err::File::open(path)?;
    let mut sha = sha2::Sha256::new();
    let mut buffer = vec![0; CHUNK];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        sha.update(&buffer[..read]);
    }
    Ok(hex::encode(sha.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(api: &str) -> GithubClient {
        GithubClient::new(api, SecretString::from("ghp_SECRET0123"), "octo/hangar").unwrap()
    }

    #[test]
    fn endpoints_keep_the_base_path_and_encode_segments() {
        let github = client("https://api.github.com");
        assert_eq!(
            github.endpoint(&["releases", "tags", "v1.0.0"]).as_str(),
            "https://api.github.com/repos/octo/hangar/releases/tags/v1.0.0"
        );
        let enterprise = client("https://ghe.example.com/api/v3/");
        assert_eq!(
            enterprise
                .endpoint(&["releases", "tags", "pkg/v1 0"])
                .as_str(),
            "https://ghe.example.com/api/v3/repos/octo/hangar/releases/tags/pkg%2Fv1%200"
        );
    }

    #[test]
    fn bad_api_urls_and_repositories_are_refused() {
        let token = || SecretString::from("t");
        assert!(matches!(
            GithubClient::new("ftp://x", token(), "a/b"),
            Err(ConfigError::BadApiUrl { .. })
        ));
        assert!(matches!(
            GithubClient::new("not a url", token(), "a/b"),
            Err(ConfigError::BadApiUrl { .. })
        ));
        assert!(matches!(
            GithubClient::new(DEFAULT_API_URL, token(), "a"),
            Err(ConfigError::BadRepository { .. })
        ));
    }

    #[test]
    fn debug_shows_no_token() {
        let shown = format!("{:?}", client("https://u:pw@api.github.com"));
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(!shown.contains("pw"), "{shown}");
        assert!(shown.contains("octo/hangar"), "{shown}");
    }

    #[test]
    fn make_latest_applies_to_published_stable_releases_only() {
        let spec = |draft, prerelease| ReleaseSpec {
            tag: "v1".into(),
            name: String::new(),
            body: String::new(),
            prerelease,
            draft,
            make_latest: Some(true),
            target_commitish: None,
        };
        assert_eq!(latest_wanted(&spec(false, false)), Some(true));
        assert_eq!(latest_wanted(&spec(true, false)), None);
        assert_eq!(latest_wanted(&spec(false, true)), None);
    }
}
