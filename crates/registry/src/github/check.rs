//! The pre-flight check of the token, with reads only: `GET /repos/{owner}/{repo}` says whether the token is
//! valid (401), whether it sees the repository (404), and, in `permissions.push`, whether it may write it
//! (creating a release needs write access to the contents).
//!
//! GitHub does not report the permissions of installation tokens (GitHub Apps, and Actions' `GITHUB_TOKEN`):
//! they come back without `permissions`, or with `push: false` whatever they may do. So a `push: false` is
//! only believed when `GET /installation/repositories` (answered only for installation tokens) refuses the
//! token; semantic-release's GitHub plugin learned this the same way (semantic-release/github#182).

use secrecy::ExposeSecret as _;
use serde::Deserialize;

use super::client::GithubClient;
use super::error::{ApiError, CheckError, ConfigError};
use super::types::GithubEnv;
use crate::access::{AccessCheck, AccessDenied, Denial, Unverifiable};
use crate::redact::RedactedUrl;

/// The fix for a missing token, as [`ConfigError::MissingToken`] says it.
const MISSING_TOKEN_FIX: &str = "set GITHUB_TOKEN or GH_TOKEN to a token that may write the repository's contents (in GitHub Actions: `permissions: contents: write` and `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`)";

/// The part of `GET /repos/{owner}/{repo}` the check reads.
#[derive(Deserialize)]
struct RepositoryAccess {
    /// Present for authenticated callers with user tokens; `admin` and `maintain` imply `push`.
    #[serde(default)]
    permissions: Option<Permissions>,
}

#[derive(Deserialize)]
struct Permissions {
    #[serde(default)]
    push: bool,
}

/// What the repository's `permissions` say: `push` (`None` when absent), and whether the token is an
/// installation token (`None` when that was not asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Accepted,
    NotReported,
    NotPermitted,
}

/// `push: true` is accepted; no `permissions`, or `push: false` from an installation token, is not reported;
/// `push: false` from any other token is not permitted.
pub(crate) fn decide(push: Option<bool>, installation: bool) -> Decision {
    match (push, installation) {
        (Some(true), _) => Decision::Accepted,
        (None, _) | (Some(false), true) => Decision::NotReported,
        (Some(false), false) => Decision::NotPermitted,
    }
}

impl GithubClient {
    /// Checks, with reads only, whether the token may create releases in the repository.
    ///
    /// `GET /repos/{owner}/{repo}` with the token: 401 is rejected (bad token), 404 rejected (no such
    /// repository, or the token cannot see it), `permissions.push: false` rejected (the token cannot create
    /// releases) unless the token is an installation token, whose permissions GitHub does not report
    /// ([`Unverifiable::PermissionsNotReported`]); `push: true` is accepted. An empty token is rejected
    /// without a request.
    ///
    /// `Err` when GitHub cannot be asked (unreachable, rate-limited, 5xx, not the documented JSON).
    pub async fn check_access(&self) -> Result<AccessCheck, ApiError> {
        let repository = self.repository().to_string();
        let target = format!(
            "the GitHub repository {repository} at {}",
            RedactedUrl::new(self.api_url())
        );
        let denied = |what: &str, status: Option<u16>, denial: Denial, message: String| {
            let fix = match denial {
                Denial::NoCredentials => MISSING_TOKEN_FIX.to_owned(),
                Denial::BadCredentials => "set GITHUB_TOKEN or GH_TOKEN to a valid token (this one is wrong, expired or revoked; GH_TOKEN wins when both are set)".to_owned(),
                Denial::NotFound => "check `repository` under [github] in the configuration (or GITHUB_REPOSITORY), and that the token may see it (a private repository answers 404 to a token without access)".to_owned(),
                _ => format!("the token needs `contents: write` on {repository} (a fine-grained or Actions token), or the `repo` scope (a classic token); set GITHUB_TOKEN or GH_TOKEN to one that has it"),
            };
            AccessCheck::Rejected(AccessDenied::new(
                target.clone(),
                what,
                status,
                denial,
                message,
                fix,
            ))
        };
        if self.token.expose_secret().trim().is_empty() {
            return Ok(denied("access", None, Denial::NoCredentials, String::new()));
        }
        let url = self.endpoint(&[]);
        let response = self
            .call("read the repository", reqwest::Method::GET, &url, None)
            .await?;
        let status = response.status().as_u16();
        if status == 404 {
            return Ok(denied(
                "access to the repository",
                Some(404),
                Denial::NotFound,
                String::new(),
            ));
        }
        let access: RepositoryAccess = match self.read(response).await {
            Ok(access) => access,
            Err(ApiError::Unauthorized { message }) => {
                return Ok(denied(
                    "the token",
                    Some(401),
                    Denial::BadCredentials,
                    message,
                ));
            }
            Err(ApiError::Forbidden { message, .. }) => {
                return Ok(denied(
                    "access to the repository",
                    Some(403),
                    Denial::NotPermitted,
                    message,
                ));
            }
            Err(error) => return Err(error),
        };
        let push = access.permissions.map(|p| p.push);
        let installation = push == Some(false) && self.is_installation_token().await?;
        Ok(match decide(push, installation) {
            Decision::Accepted => AccessCheck::Accepted {
                target,
                evidence: "the repository reports `permissions.push: true` for the token"
                    .to_owned(),
            },
            Decision::NotReported => AccessCheck::Unverifiable {
                target,
                reason: Unverifiable::PermissionsNotReported,
            },
            Decision::NotPermitted => denied(
                "creating releases",
                None,
                Denial::NotPermitted,
                "the repository reports `permissions.push: false` for the token".to_owned(),
            ),
        })
    }

    /// Whether the token is an installation token: `GET /installation/repositories` answers only those.
    async fn is_installation_token(&self) -> Result<bool, ApiError> {
        let mut url = self.api.clone();
        url.set_query(None);
        url.path_segments_mut()
            .expect("checked in new: the API URL can be a base")
            .pop_if_empty()
            .extend(["installation", "repositories"]);
        url.query_pairs_mut().append_pair("per_page", "1");
        let response = self
            .call(
                "ask whether the token is an installation token",
                reqwest::Method::GET,
                &url,
                None,
            )
            .await?;
        Ok(response.status().is_success())
    }

    /// [`GithubClient::check_access`] for the client [`GithubClient::from_env`] builds from the same values,
    /// with a missing token (neither `GH_TOKEN` nor `GITHUB_TOKEN`) as a rejection naming them rather than
    /// an error.
    pub async fn check_access_from_env(
        env: &GithubEnv,
        api_url: Option<&str>,
        repository: Option<&str>,
    ) -> Result<AccessCheck, CheckError> {
        match GithubClient::from_env(env, api_url, repository) {
            Ok(client) => Ok(client.check_access().await?),
            Err(ConfigError::MissingToken) => {
                let repository = repository
                    .or(env.repository.as_deref())
                    .unwrap_or("(no repository configured)");
                Ok(AccessCheck::Rejected(AccessDenied::new(
                    format!("the GitHub repository {repository}"),
                    "access",
                    None,
                    Denial::NoCredentials,
                    "",
                    MISSING_TOKEN_FIX,
                )))
            }
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_permission_decides_unless_github_does_not_report_it() {
        for (push, installation, expected) in [
            (Some(true), false, Decision::Accepted),
            (Some(true), true, Decision::Accepted),
            (Some(false), false, Decision::NotPermitted),
            (Some(false), true, Decision::NotReported),
            (None, false, Decision::NotReported),
        ] {
            assert_eq!(
                decide(push, installation),
                expected,
                "{push:?} {installation}"
            );
        }
    }

    #[test]
    fn permissions_are_read_from_the_repository() {
        let read = |body: &str| {
            serde_json::from_str::<RepositoryAccess>(body)
                .unwrap()
                .permissions
                .map(|p| p.push)
        };
        assert_eq!(
            read(r#"{"full_name":"o/r","permissions":{"admin":false,"push":true,"pull":true}}"#),
            Some(true)
        );
        assert_eq!(
            read(r#"{"full_name":"o/r","permissions":{"pull":true}}"#),
            Some(false)
        );
        assert_eq!(read(r#"{"full_name":"o/r"}"#), None);
    }

    #[test]
    fn the_missing_token_fix_says_what_config_error_says() {
        assert!(
            ConfigError::MissingToken
                .to_string()
                .ends_with(MISSING_TOKEN_FIX.trim_start_matches("set ")),
            "{}",
            ConfigError::MissingToken
        );
    }
}
