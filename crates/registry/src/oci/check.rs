//! The pre-flight push check, without writing.
//!
//! How a registry authenticates decides what can be known before a push:
//! - token auth (GHCR, Docker Hub, Harbor, distribution with a token service): the token service is asked for
//!   `repository:<name>:pull,push`, as a push would, and the grant is read from the token's JWT `access` claim
//!   (distribution's token specification), or from the answer's `OAuth2` `scope`. A token service grants the
//!   subset of the asked actions it allows, so a token without `push` means the push would be refused;
//! - Basic auth: an authenticated `GET /v2/` tells whether the credentials are valid, not what they may do;
//! - no auth at all: nothing to check.

use base64::Engine as _;
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use secrecy::ExposeSecret as _;

use super::auth::{CREDENTIAL_SOURCES, Challenge, Credentials, Scope};
use super::client::{OciClient, registry_errors, sensitive};
use super::error::OciError;
use super::reference::Repository;
use crate::access::{AccessCheck, AccessDenied, Denial, Unverifiable, shorten};
use crate::redact::redact_secret;
use crate::retry;

/// The actions a token grants on `repository`: from the JWT `access` claim of `token`, else from the
/// token answer's `scope` (`repository:name:pull,push`, space-separated). `None` when neither says.
pub(crate) fn granted_actions(
    token: &str,
    scope: Option<&str>,
    repository: &str,
) -> Option<Vec<String>> {
    jwt_actions(token, repository).or_else(|| scope.map(|s| scope_actions(s, repository)))
}

/// The `access` claim of a JWT: `[{"type": "repository", "name": "demo", "actions": ["pull", "push"]}]`.
/// `None` when the token is not a JWT or has no `access` claim.
fn jwt_actions(token: &str, repository: &str) -> Option<Vec<String>> {
    let mut parts = token.split('.');
    let (_header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&claims).ok()?;
    let access = claims.get("access")?.as_array()?;
    let mut actions: Vec<String> = access
        .iter()
        .filter(|entry| {
            entry.get("type").and_then(|t| t.as_str()) == Some("repository")
                && entry.get("name").and_then(|n| n.as_str()) == Some(repository)
        })
        .filter_map(|entry| entry.get("actions")?.as_array().cloned())
        .flatten()
        .filter_map(|action| action.as_str().map(str::to_owned))
        .collect();
    actions.sort();
    actions.dedup();
    Some(actions)
}

/// The actions on `repository` in a space-separated list of scopes.
fn scope_actions(scopes: &str, repository: &str) -> Vec<String> {
    let mut actions: Vec<String> = scopes
        .split_whitespace()
        .filter_map(|scope| {
            let (kind, rest) = scope.split_once(':')?;
            let (name, actions) = rest.rsplit_once(':')?;
            (kind == "repository" && name == repository).then_some(actions)
        })
        .flat_map(|actions| actions.split(',').map(str::to_owned))
        .collect();
    actions.sort();
    actions.dedup();
    actions
}

/// What a token grant says about a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PushGrant {
    /// `push` (or `*`) was granted.
    Allowed,
    /// It was not: for lack of credentials when there were none.
    Denied(Denial),
    /// The grant cannot be read.
    Unknown,
}

/// Decides from the actions granted (`None`: unreadable) and whether the request had credentials.
pub(crate) fn push_decision(granted: Option<&[String]>, anonymous: bool) -> PushGrant {
    match granted {
        None => PushGrant::Unknown,
        Some(granted) if granted.iter().any(|a| a == "push" || a == "*") => PushGrant::Allowed,
        Some(_) if anonymous => PushGrant::Denied(Denial::NoCredentials),
        Some(_) => PushGrant::Denied(Denial::NotPermitted),
    }
}

impl OciClient {
    /// Checks, without writing, whether this client may push to `repository`.
    ///
    /// - Token auth: asks the token service for `repository:<name>:pull,push` and reads what it granted (the
    ///   JWT `access` claim, else the answer's `scope`): [`AccessCheck::Accepted`] with `push`, rejected
    ///   without it (for lack of credentials when there are none) or when the token service refuses the
    ///   credentials, [`Unverifiable::OpaqueToken`] when the grant cannot be read (GHCR's tokens).
    /// - Basic auth: an authenticated `GET /v2/`; 2xx is accepted (the credentials are valid; Basic auth
    ///   cannot say what they may do), 401/403 rejected; no credentials are rejected without a request.
    /// - A registry that asks for no credentials: [`Unverifiable::OpenRegistry`].
    ///
    /// `Err` when the registry or its token service cannot be asked (unreachable, 5xx, not the protocol).
    pub async fn check_push_access(
        &self,
        repository: &Repository,
    ) -> Result<AccessCheck, OciError> {
        self.check_registry(repository)?;
        let target = format!("the registry {}", self.registry());
        let what = format!("push to {repository}");
        let anonymous = matches!(self.options.credentials, Credentials::Anonymous);
        let denied = |status: Option<u16>, denial: Denial, message: String| {
            let fix = match denial {
                Denial::NoCredentials => {
                    format!("the registry wants credentials: set {CREDENTIAL_SOURCES}")
                }
                Denial::BadCredentials => {
                    format!("check the user name and password (or token) in {CREDENTIAL_SOURCES}")
                }
                _ => format!(
                    "the credentials may not push to {}: grant them push on it (on GHCR a token with `write:packages`, or `packages: write` in GitHub Actions), or use other credentials in {CREDENTIAL_SOURCES}",
                    repository.name()
                ),
            };
            AccessCheck::Rejected(AccessDenied::new(
                target.clone(),
                what.clone(),
                status,
                denial,
                message,
                fix,
            ))
        };
        match self.challenge().await? {
            None => Ok(AccessCheck::Unverifiable {
                target: target.clone(),
                reason: Unverifiable::OpenRegistry,
            }),
            Some(Challenge::Basic) => {
                let Some(header) = self.options.credentials.basic_header() else {
                    return Ok(denied(Some(401), Denial::NoCredentials, String::new()));
                };
                let url = self.url("v2/");
                let probe = format!("read {} with the credentials", self.registry());
                let response = retry::send(&self.http, &self.options.retry, &probe, || {
                    Ok(self
                        .http
                        .get(url.clone())
                        .header(AUTHORIZATION, sensitive(&header)?))
                })
                .await?;
                let status = response.status();
                if status.is_success() {
                    return Ok(AccessCheck::Accepted {
                        target: target.clone(),
                        evidence: format!(
                            "GET /v2/ answered HTTP {} with the credentials (Basic auth cannot tell whether they may push)",
                            status.as_u16()
                        ),
                    });
                }
                if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
                    let denial = if status == StatusCode::UNAUTHORIZED {
                        Denial::BadCredentials
                    } else {
                        Denial::NotPermitted
                    };
                    let message = self.detail(response).await;
                    return Ok(denied(Some(status.as_u16()), denial, message));
                }
                Err(self.status_error(&probe, response).await)
            }
            Some(Challenge::Bearer { realm, service }) => {
                let scopes = [Scope::push(repository.name())];
                let (asked, response) = self
                    .request_token(&realm, service.as_deref(), &scopes)
                    .await?;
                let status = response.status();
                if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
                    let denial = match (anonymous, status) {
                        (true, _) => Denial::NoCredentials,
                        (false, StatusCode::UNAUTHORIZED) => Denial::BadCredentials,
                        _ => Denial::NotPermitted,
                    };
                    let message = self.detail(response).await;
                    return Ok(denied(Some(status.as_u16()), denial, message));
                }
                if !status.is_success() {
                    return Err(self.status_error(&asked, response).await);
                }
                let answer = self.read_token(&asked, response).await?;
                let granted = granted_actions(
                    answer.token.expose_secret(),
                    answer.scope.as_deref(),
                    repository.name(),
                );
                let shown = granted.as_ref().map(|g| {
                    if g.is_empty() {
                        "nothing".to_owned()
                    } else {
                        g.join(",")
                    }
                });
                Ok(match push_decision(granted.as_deref(), anonymous) {
                    PushGrant::Unknown => AccessCheck::Unverifiable {
                        target: target.clone(),
                        reason: Unverifiable::OpaqueToken,
                    },
                    PushGrant::Allowed => AccessCheck::Accepted {
                        target: target.clone(),
                        evidence: format!(
                            "the token service granted {} on {}",
                            shown.unwrap_or_default(),
                            repository.name()
                        ),
                    },
                    PushGrant::Denied(denial) => denied(
                        None,
                        denial,
                        format!(
                            "the token service granted only {} on {}",
                            shown.unwrap_or_default(),
                            repository.name()
                        ),
                    ),
                })
            }
        }
    }

    /// The registry's error codes from a refusal, secrets removed and shortened.
    async fn detail(&self, response: reqwest::Response) -> String {
        let body = response.text().await.unwrap_or_default();
        let mut detail = registry_errors(&body);
        if let Some(secret) = self.options.credentials.secret() {
            detail = redact_secret(&detail, secret).into_owned();
        }
        shorten(&detail, 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        format!(
            "{}.{}.c2lnbmF0dXJl",
            b64(br#"{"alg":"RS256","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes())
        )
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn grants_are_read_from_the_jwt_access_claim() {
        let token = jwt(&serde_json::json!({"access": [
            {"type": "repository", "name": "acme/app", "actions": ["pull", "push"]},
            {"type": "repository", "name": "acme/other", "actions": ["delete"]},
            {"type": "registry", "name": "catalog", "actions": ["*"]},
        ]}));
        assert_eq!(
            granted_actions(&token, None, "acme/app"),
            Some(strings(&["pull", "push"]))
        );
        assert_eq!(granted_actions(&token, None, "acme/none"), Some(vec![]));
        let empty = jwt(&serde_json::json!({"access": []}));
        assert_eq!(granted_actions(&empty, None, "acme/app"), Some(vec![]));
        assert_eq!(granted_actions("a.b", None, "acme/app"), None);
        assert_eq!(granted_actions("a.!!!.c", None, "acme/app"), None);
        assert_eq!(
            granted_actions(&format!("{token}.d"), None, "acme/app"),
            None
        );
    }

    #[test]
    fn opaque_tokens_fall_back_to_the_answers_scope() {
        assert_eq!(
            granted_actions("djE6YWNtZS9hcHA6MTIz", None, "acme/app"),
            None
        );
        let no_access = jwt(&serde_json::json!({"sub": "alice"}));
        assert_eq!(granted_actions(&no_access, None, "acme/app"), None);
        assert_eq!(
            granted_actions(
                "opaque",
                Some("repository:acme/app:pull repository:acme/app:push,pull repository:x:push"),
                "acme/app"
            ),
            Some(strings(&["pull", "push"]))
        );
        assert_eq!(
            granted_actions("opaque", Some("repository:acme/app:pull"), "acme/app"),
            Some(strings(&["pull"]))
        );
    }

    #[test]
    fn a_push_needs_push_in_the_grant() {
        let pull = strings(&["pull"]);
        let push = strings(&["pull", "push"]);
        let all = strings(&["*"]);
        for (granted, anonymous, expected) in [
            (Some(push.as_slice()), false, PushGrant::Allowed),
            (Some(all.as_slice()), false, PushGrant::Allowed),
            (Some(push.as_slice()), true, PushGrant::Allowed),
            (
                Some(pull.as_slice()),
                false,
                PushGrant::Denied(Denial::NotPermitted),
            ),
            (
                Some(pull.as_slice()),
                true,
                PushGrant::Denied(Denial::NoCredentials),
            ),
            (
                Some(&[][..]),
                true,
                PushGrant::Denied(Denial::NoCredentials),
            ),
            (None, false, PushGrant::Unknown),
        ] {
            assert_eq!(
                push_decision(granted, anonymous),
                expected,
                "{granted:?} {anonymous}"
            );
        }
    }
}
