//! Trusted publishing: trading a CI provider's OIDC token for a short-lived PyPI API token.
//!
//! The exchange, as PyPI documents it (<https://docs.pypi.org/trusted-publishers/using-a-publisher/>):
//! 1. `GET {index}/_/oidc/audience` answers `{"audience": "pypi"}`;
//! 2. the CI issues an OIDC token for that audience (GitHub Actions:
//!    `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi` with `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
//!    answering `{"value": "<jwt>"}`);
//! 3. `POST {index}/_/oidc/mint-token` with `{"token": "<jwt>"}` answers `{"success": true, "token": "pypi-…"}`,
//!    or `{"message": …, "errors": [{"code", "description"}]}`.
//!
//! The environment is read by the caller (the CLI); this module takes values.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use super::client::http_client;
use super::error::AuthError;
use super::index::{Credentials, IndexUrls};
use crate::redact::redact_secret;
use crate::retry::{self, RetryPolicy};

/// GitHub Actions' OIDC token endpoint, from `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`
/// (present when the workflow has `permissions: id-token: write`).
#[derive(Clone)]
pub struct GithubOidc {
    /// `ACTIONS_ID_TOKEN_REQUEST_URL`.
    pub request_url: String,
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    pub request_token: SecretString,
}

impl std::fmt::Debug for GithubOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubOidc")
            .field(
                "request_url",
                &crate::redact::RedactedUrl::new(&self.request_url),
            )
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Audience {
    audience: String,
}

#[derive(Deserialize)]
struct OidcToken {
    value: String,
}

#[derive(Deserialize)]
struct Minted {
    token: String,
}

#[derive(Deserialize)]
struct MintFailure {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<MintFailureItem>,
}

#[derive(Deserialize)]
struct MintFailureItem {
    #[serde(default)]
    code: String,
    #[serde(default)]
    description: String,
}

/// Runs the trusted-publishing exchange against the Warehouse index `urls` and returns upload credentials
/// (`__token__` and the minted token).
pub async fn trusted_publishing(
    urls: &IndexUrls,
    github: &GithubOidc,
    retry: &RetryPolicy,
) -> Result<Credentials, AuthError> {
    let http = http_client(reqwest::redirect::Policy::none());
    let web = urls.web.clone().unwrap_or_else(|| {
        // Not recognisably Warehouse: the exchange lives at the upload URL's origin.
        url::Url::parse(&urls.upload).map_or_else(
            |_| urls.upload.clone(),
            |u| u.origin().ascii_serialization() + "/",
        )
    });
    let secrets = [github.request_token.expose_secret().to_owned()];
    let clean = |text: &str, extra: Option<&str>| {
        let mut text: String = crate::body::summarise(text).chars().take(500).collect();
        for secret in secrets.iter().map(String::as_str).chain(extra) {
            text = redact_secret(&text, secret).into_owned();
        }
        text
    };

    let audience_url = format!("{web}_/oidc/audience");
    let response = retry::send(&http, retry, "ask the index for the OIDC audience", || {
        Ok(http.get(&audience_url))
    })
    .await
    .map_err(AuthError::Request)?;
    let audience: Audience = json(response, "audience", &clean).await?;

    let separator = if github.request_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let token_url = format!(
        "{}{separator}audience={}",
        github.request_url,
        url::form_urlencoded::byte_serialize(audience.audience.as_bytes()).collect::<String>()
    );
    let response = retry::send(&http, retry, "ask GitHub Actions for an OIDC token", || {
        Ok(http.get(&token_url).header(
            reqwest::header::AUTHORIZATION,
            format!("bearer {}", github.request_token.expose_secret()),
        ))
    })
    .await
    .map_err(AuthError::Request)?;
    let oidc: OidcToken = json(response, "oidc token", &clean).await?;
    let oidc = SecretString::from(oidc.value);

    let mint_url = format!("{web}_/oidc/mint-token");
    let response = retry::send(&http, retry, "mint an upload token", || {
        Ok(http
            .post(&mint_url)
            .json(&serde_json::json!({ "token": oidc.expose_secret() })))
    })
    .await
    .map_err(AuthError::Request)?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let body_clean = clean(&body, Some(oidc.expose_secret()));
    if !(200..300).contains(&status) {
        let message = match serde_json::from_str::<MintFailure>(&body) {
            Ok(failure) if !failure.errors.is_empty() || !failure.message.is_empty() => {
                let details: Vec<String> = failure
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.code, e.description))
                    .collect();
                clean(
                    format!("{} {}", failure.message, details.join("; ")).trim(),
                    Some(oidc.expose_secret()),
                )
            }
            _ => body_clean,
        };
        return Err(AuthError::Rejected {
            step: "mint-token",
            status,
            message,
        });
    }
    let minted: Minted = serde_json::from_str(&body).map_err(|e| AuthError::BadResponse {
        step: "mint-token",
        source: Box::new(e),
    })?;
    tracing::info!("minted a short-lived upload token through trusted publishing");
    Ok(Credentials::token(SecretString::from(minted.token)))
}

async fn json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    step: &'static str,
    clean: &impl Fn(&str, Option<&str>) -> String,
) -> Result<T, AuthError> {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(AuthError::Rejected {
            step,
            status,
            message: clean(&body, None),
        });
    }
    serde_json::from_str(&body).map_err(|e| AuthError::BadResponse {
        step,
        source: Box::new(e),
    })
}
