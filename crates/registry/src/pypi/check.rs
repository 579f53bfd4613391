//! The pre-flight credential check of an index, with reads only.
//!
//! An upload is the only request every index authenticates, so a read can prove credentials only on an
//! index that also authenticates reads. The check therefore reads the simple index root twice, without and
//! with the credentials, and [`decide`]s from the two statuses:
//!
//! | without | with | answer |
//! |---|---|---|
//! | 401/403 | 2xx | accepted: the index checked the credentials and said yes |
//! | 401/403 | 401/403 | rejected: bad credentials (pypiserver answers a wrong password with 403) |
//! | 401/403 | (none given) | rejected: no credentials |
//! | 2xx | 401 / 403 | rejected: the index checks credentials it is given (devpi, Artifactory do) |
//! | 2xx | 2xx or none given | unverifiable: anyone may read (pypiserver `-a update`) |
//!
//! Warehouse (PyPI, TestPyPI) reads are public and it checks a token only on upload, so nothing is sent
//! there: [`warehouse`] is a pure decision on the credentials' shape.

use secrecy::ExposeSecret as _;

use super::client::PypiClient;
use super::error::IndexError;
use super::index::Credentials;
use crate::access::{AccessCheck, AccessDenied, Denial, Unverifiable, shorten};
use crate::redact::RedactedUrl;

/// Where slipway reads index credentials from, for the fix in a refusal.
const CREDENTIAL_SOURCES: &str = "SLIPWAY_PYPI_TOKEN (or PYPI_TOKEN, or TWINE_USERNAME/TWINE_PASSWORD), or the index's section in ~/.pypirc";

/// What two reads of the index root say about the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Accepted,
    AnonymousReads,
    Rejected {
        status: u16,
        denial: Denial,
    },
    /// A status that says nothing about credentials (404, 5xx after retries, a redirect off the origin).
    Unexpected(u16),
}

/// The table in the module docs: `anonymous` is the status without credentials, `authenticated` with them
/// (`None` when there are none).
pub(crate) fn decide(anonymous: u16, authenticated: Option<u16>) -> Decision {
    let ok = |s: u16| (200..300).contains(&s);
    let refused = |s: u16| s == 401 || s == 403;
    // pypiserver answers a wrong password with 403 (and no credentials with 401), so with credentials
    // both mean "these credentials do not open the index".
    let refusal = |status: u16| Decision::Rejected {
        status,
        denial: Denial::BadCredentials,
    };
    match (anonymous, authenticated) {
        (a, _) if !ok(a) && !refused(a) => Decision::Unexpected(a),
        (a, None) if refused(a) => Decision::Rejected {
            status: a,
            denial: Denial::NoCredentials,
        },
        (_, None) => Decision::AnonymousReads,
        (a, Some(b)) if ok(b) => {
            if ok(a) {
                Decision::AnonymousReads
            } else {
                Decision::Accepted
            }
        }
        (_, Some(b)) if refused(b) => refusal(b),
        (_, Some(b)) => Decision::Unexpected(b),
    }
}

/// The pure check for Warehouse: no credentials, a password instead of a token, or a token that cannot be one
/// are refused; a token of the right shape is [`Unverifiable::Warehouse`].
///
/// PyPI takes only API tokens (user `__token__`, a macaroon serialised as `pypi-…`) or trusted publishing:
/// two-factor authentication is mandatory for every account since 2024-01-01, and uploads with a password
/// are refused for accounts with it (<https://blog.pypi.org/posts/2023-05-25-securing-pypi-with-2fa/>).
pub(crate) fn warehouse(target: &str, web: &str, credentials: Option<&Credentials>) -> AccessCheck {
    let what = "uploads";
    let token_page = format!("{web}manage/account/token/");
    let Some(credentials) = credentials else {
        return AccessCheck::Rejected(AccessDenied::new(
            target,
            what,
            None,
            Denial::NoCredentials,
            "",
            format!(
                "set {CREDENTIAL_SOURCES} to an API token from {token_page}, or run in GitHub Actions with `id-token: write` and trusted publishing (exchange the token before this check)"
            ),
        ));
    };
    let bad = |message: &str, fix: String| {
        AccessCheck::Rejected(AccessDenied::new(
            target,
            what,
            None,
            Denial::BadCredentials,
            message,
            fix,
        ))
    };
    if credentials.username != "__token__" {
        return bad(
            "the index takes API tokens, not passwords",
            format!(
                "set SLIPWAY_PYPI_TOKEN (or PYPI_TOKEN, or TWINE_PASSWORD with TWINE_USERNAME=__token__) to an API token from {token_page}"
            ),
        );
    }
    let token = credentials.password.expose_secret();
    if token.trim() != token {
        return bad(
            "the token has leading or trailing white space",
            format!(
                "remove the white space (often a newline read from a file) from the token in {CREDENTIAL_SOURCES}"
            ),
        );
    }
    if !token.starts_with("pypi-") || token.len() <= "pypi-".len() {
        return bad(
            "the token does not start with `pypi-`, as every PyPI API token does",
            format!(
                "set {CREDENTIAL_SOURCES} to the whole API token from {token_page}, `pypi-` prefix included"
            ),
        );
    }
    AccessCheck::Unverifiable {
        target: target.to_owned(),
        reason: Unverifiable::Warehouse,
    }
}

impl PypiClient {
    /// Checks, without writing, whether the index will accept this client's credentials.
    ///
    /// - Warehouse (PyPI, TestPyPI): nothing is sent. No credentials, a user other than `__token__`, or a token
    ///   that is not `pypi-…` is [`AccessCheck::Rejected`]; a token of that shape is
    ///   [`Unverifiable::Warehouse`], since PyPI checks tokens only on upload.
    /// - Other indexes: the simple index root is read without and with the credentials (see the table in
    ///   the module source): [`AccessCheck::Accepted`] only when the index refused the anonymous read and
    ///   allowed the authenticated one; [`Unverifiable::AnonymousReads`] when anyone may read and the
    ///   credentials were not refused.
    ///
    /// `Err` only when the index could not be asked (unreachable, or a status that says nothing about
    /// credentials, such as 404 or 5xx).
    pub async fn check_credentials(&self) -> Result<AccessCheck, IndexError> {
        let urls = self.urls();
        let upload = RedactedUrl::new(&urls.upload).to_string();
        if let Some(web) = &urls.web {
            return Ok(warehouse(
                &format!("the index {upload}"),
                web,
                self.credentials(),
            ));
        }
        let simple = urls.simple.clone();
        let target = format!("the index {}", RedactedUrl::new(&simple));
        if !self.same_origin_as_upload(&simple) {
            return Ok(AccessCheck::Unverifiable {
                target,
                reason: Unverifiable::ReadsElsewhere,
            });
        }
        let anonymous = self.read_status(&simple, false).await?;
        let authenticated = match self.credentials() {
            Some(_) => Some(self.read_status(&simple, true).await?),
            None => None,
        };
        let what = "a read of the index root";
        Ok(
            match decide(anonymous.0, authenticated.as_ref().map(|a| a.0)) {
                Decision::Accepted => AccessCheck::Accepted {
                    target,
                    evidence: format!(
                        "GET {} answered HTTP {} with the credentials and HTTP {} without",
                        RedactedUrl::new(&simple),
                        authenticated.map_or(0, |a| a.0),
                        anonymous.0
                    ),
                },
                Decision::AnonymousReads => AccessCheck::Unverifiable {
                    target,
                    reason: Unverifiable::AnonymousReads,
                },
                Decision::Rejected { status, denial } => {
                    let message = if denial == Denial::NoCredentials {
                        anonymous.1
                    } else {
                        authenticated.map(|a| a.1).unwrap_or_default()
                    };
                    let fix = match denial {
                        Denial::NoCredentials => format!(
                            "the index wants credentials even to read: set {CREDENTIAL_SOURCES}"
                        ),
                        _ => format!(
                            "check the user name and password (or token) in {CREDENTIAL_SOURCES}, and that this user may read the index"
                        ),
                    };
                    AccessCheck::Rejected(AccessDenied::new(
                        target,
                        what,
                        Some(status),
                        denial,
                        message,
                        fix,
                    ))
                }
                Decision::Unexpected(status) => {
                    return Err(IndexError::Status {
                        status,
                        url: RedactedUrl::new(&simple).to_string(),
                    });
                }
            },
        )
    }

    /// The status of `GET url`, with or without the credentials, and the server's short explanation when
    /// it refused (secrets removed; HTML pages left out).
    async fn read_status(
        &self,
        url: &str,
        authenticated: bool,
    ) -> Result<(u16, String), IndexError> {
        let client = if authenticated {
            self.clone()
        } else {
            self.without_credentials()
        };
        let response = client.get(url, "text/html, */*;q=0.1").await?;
        let status = response.status().as_u16();
        if !matches!(status, 401 | 403) {
            // The body of a successful read may be a large index; it is not needed.
            return Ok((status, String::new()));
        }
        let html = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("html"));
        let body = response.text().await.unwrap_or_default();
        let message = if html {
            String::new()
        } else {
            shorten(&self.clean(&body), 200)
        };
        Ok((status, message))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    #[test]
    fn two_reads_decide_as_the_table_says() {
        let rejected = |status, denial| Decision::Rejected { status, denial };
        for (anonymous, authenticated, expected) in [
            (401, Some(200), Decision::Accepted),
            (403, Some(200), Decision::Accepted),
            (401, Some(401), rejected(401, Denial::BadCredentials)),
            (401, Some(403), rejected(403, Denial::BadCredentials)),
            (401, None, rejected(401, Denial::NoCredentials)),
            (403, None, rejected(403, Denial::NoCredentials)),
            (200, Some(401), rejected(401, Denial::BadCredentials)),
            (200, Some(200), Decision::AnonymousReads),
            (200, None, Decision::AnonymousReads),
            (404, Some(200), Decision::Unexpected(404)),
            (503, None, Decision::Unexpected(503)),
            (401, Some(500), Decision::Unexpected(500)),
            (302, None, Decision::Unexpected(302)),
        ] {
            assert_eq!(
                decide(anonymous, authenticated),
                expected,
                "{anonymous} {authenticated:?}"
            );
        }
    }

    fn check_warehouse(credentials: Option<&Credentials>) -> AccessCheck {
        warehouse(
            "the index https://upload.pypi.org/legacy/",
            "https://pypi.org/",
            credentials,
        )
    }

    fn token(text: &str) -> Credentials {
        Credentials::token(SecretString::from(text.to_owned()))
    }

    #[test]
    fn warehouse_checks_only_the_shape_of_a_token() {
        assert_eq!(
            check_warehouse(Some(&token("pypi-AgEIcHlwaS5vcmcCJDAw"))),
            AccessCheck::Unverifiable {
                target: "the index https://upload.pypi.org/legacy/".to_owned(),
                reason: Unverifiable::Warehouse
            }
        );
        let denial = |check: AccessCheck| check.denied().map(|d| (d.denial, d.message.clone()));
        assert_eq!(
            denial(check_warehouse(None)).map(|d| d.0),
            Some(Denial::NoCredentials)
        );
        for (credentials, message) in [
            (
                token("AgEIcHlwaS5vcmc"),
                "the token does not start with `pypi-`, as every PyPI API token does",
            ),
            (
                token("pypi-"),
                "the token does not start with `pypi-`, as every PyPI API token does",
            ),
            (
                token("pypi-AgEIcHlwaS5vcmc\n"),
                "the token has leading or trailing white space",
            ),
            (
                Credentials::basic("alice", SecretString::from("hunter22".to_owned())),
                "the index takes API tokens, not passwords",
            ),
        ] {
            assert_eq!(
                denial(check_warehouse(Some(&credentials))),
                Some((Denial::BadCredentials, message.to_owned()))
            );
        }
    }

    #[test]
    fn warehouse_refusals_name_the_variables_and_never_the_token() {
        let secret = "pypi-NOT-REALLY-A-TOKEN-but-secret ";
        let check = check_warehouse(Some(&token(secret)));
        for shown in [check.to_string(), format!("{check:?}")] {
            assert!(!shown.contains(secret.trim()), "{shown}");
            assert!(shown.contains("SLIPWAY_PYPI_TOKEN"), "{shown}");
        }
        let text = check_warehouse(None).to_string();
        assert!(
            text.starts_with("the index https://upload.pypi.org/legacy/ refused uploads: no credentials were given; set SLIPWAY_PYPI_TOKEN"),
            "{text}"
        );
        assert!(
            text.contains("https://pypi.org/manage/account/token/"),
            "{text}"
        );
    }
}
