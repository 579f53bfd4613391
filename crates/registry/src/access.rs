//! Pre-flight access checks: will a publish target accept this release's credentials, asked without writing?
//!
//! Each client has one check ([`crate::pypi::PypiClient::check_credentials`],
//! [`crate::oci::OciClient::check_push_access`], [`crate::github::GithubClient::check_access`]) and all three
//! answer with an [`AccessCheck`], so a release pipeline can run them all before its first mutation and
//! refuse to start when one is [`AccessCheck::Rejected`].
//!
//! A check never writes: it reads with the credentials (and, where that tells more, without them), or asks
//! a token service what it would grant. Where the target cannot tell without a write (PyPI checks a token
//! only on upload; an index that lets anyone read says nothing about a wrong password), the answer is
//! [`AccessCheck::Unverifiable`] with the reason, never a guess.
//!
//! A check answers `Err` only when it could not ask (the target is unreachable, answers 5xx after retries,
//! or answers something that is not its protocol); a refusal is an answer, not an error.
//!
//! Every text here names the target through [`crate::redact::RedactedUrl`] or by host and repository, and
//! never holds a secret: the server messages it quotes are passed through [`crate::redact::redact_secret`].

use std::fmt;

/// What a pre-flight check found for one publish target.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessCheck {
    /// The target said yes to these credentials for what the release will do there.
    Accepted {
        /// The index, registry or repository (no secrets).
        target: String,
        /// What said yes (`GET …/simple/ answered 200 with the credentials and 401 without`).
        evidence: String,
    },
    /// The target said no, or would: publishing there will fail.
    Rejected(AccessDenied),
    /// The target cannot say without a write; publishing may still fail there.
    Unverifiable {
        /// The index, registry or repository (no secrets).
        target: String,
        /// Why it cannot say.
        reason: Unverifiable,
    },
}

impl AccessCheck {
    /// Whether the target said yes.
    pub fn is_accepted(&self) -> bool {
        matches!(self, AccessCheck::Accepted { .. })
    }

    /// Whether the target said no.
    pub fn is_rejected(&self) -> bool {
        matches!(self, AccessCheck::Rejected(_))
    }

    /// The refusal, when the target said no.
    pub fn denied(&self) -> Option<&AccessDenied> {
        match self {
            AccessCheck::Rejected(denied) => Some(denied),
            _ => None,
        }
    }

    /// `Err` with the refusal when the target said no, `Ok(self)` otherwise: `check.into_result()?` stops a
    /// pipeline on a rejection and lets it report the other outcomes.
    pub fn into_result(self) -> Result<AccessCheck, AccessDenied> {
        match self {
            AccessCheck::Rejected(denied) => Err(denied),
            other => Ok(other),
        }
    }
}

impl fmt::Display for AccessCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessCheck::Accepted { target, evidence } => {
                write!(f, "{target} accepts the credentials: {evidence}")
            }
            AccessCheck::Rejected(denied) => write!(f, "{denied}"),
            AccessCheck::Unverifiable { target, reason } => {
                write!(f, "{target} cannot be checked without publishing: {reason}")
            }
        }
    }
}

/// Why a target refused, in kinds a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// No credentials were given and the target wants some.
    NoCredentials,
    /// The target does not accept the credentials (401: wrong password, expired or revoked token), or they
    /// cannot be right (a PyPI token that does not start with `pypi-`).
    BadCredentials,
    /// The credentials are accepted but may not do what the release needs (403, a token without push, a
    /// GitHub token without write access).
    NotPermitted,
    /// The repository does not exist, or the credentials cannot see it.
    NotFound,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Denial::NoCredentials => "no credentials were given",
            Denial::BadCredentials => "the credentials were refused",
            Denial::NotPermitted => "the credentials lack permission",
            Denial::NotFound => "not found, or not visible with these credentials",
        })
    }
}

/// A target's refusal: who refused what, why, and how to fix it. It is an error, so a pipeline can return it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{target} refused {what}{}: {denial}{}; {fix}",
    status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
    if message.is_empty() { String::new() } else { format!(" ({message})") })]
#[non_exhaustive]
pub struct AccessDenied {
    /// The index, registry or repository (no secrets).
    pub target: String,
    /// What was refused (`an authenticated read of the index`, `push to demo/app`).
    pub what: String,
    /// The HTTP status of the refusal, when there was a request.
    pub status: Option<u16>,
    /// The kind of refusal.
    pub denial: Denial,
    /// The server's own explanation, shortened and with secrets removed (may be empty).
    pub message: String,
    /// How to fix it: which variable or file supplies the credentials, or which permission is missing.
    pub fix: String,
}

impl AccessDenied {
    /// A refusal; `message` is the server's explanation, already cleaned of secrets.
    pub(crate) fn new(
        target: impl Into<String>,
        what: impl Into<String>,
        status: Option<u16>,
        denial: Denial,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> AccessDenied {
        AccessDenied {
            target: target.into(),
            what: what.into(),
            status,
            denial,
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// Whether the refusal is for lack of credentials (a caller that read anonymously may retry with them).
    pub fn is_missing_credentials(&self) -> bool {
        self.denial == Denial::NoCredentials
    }
}

/// Why a target cannot say whether it will accept the credentials without a write.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unverifiable {
    /// Warehouse (PyPI, TestPyPI) checks upload tokens only on upload, and its reads are public.
    /// Only the token's shape was checked (`pypi-` prefix with user `__token__`).
    Warehouse,
    /// The index answers reads without credentials and did not refuse these, so a read proves nothing about
    /// them (pypiserver with `--authenticate update`: only uploads are checked).
    AnonymousReads,
    /// The index's reads are served from another origin than its uploads, where credentials are never sent.
    ReadsElsewhere,
    /// The registry asks for no credentials at all (`GET /v2/` answers 200 anonymously); whether it allows
    /// a push is only known by pushing.
    OpenRegistry,
    /// The registry's token service issued a token whose grants cannot be read (not a JWT with an `access`
    /// claim, and no `scope` in the answer).
    OpaqueToken,
    /// GitHub does not report a token's permissions on the repository (installation tokens, such as
    /// Actions' `GITHUB_TOKEN`, answer without `permissions` or with `push: false` whatever they may do).
    PermissionsNotReported,
}

impl fmt::Display for Unverifiable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unverifiable::Warehouse => {
                "PyPI checks a token only when a file is uploaded (its shape was checked)"
            }
            Unverifiable::AnonymousReads => {
                "the index lets anyone read, so a read says nothing about the credentials"
            }
            Unverifiable::ReadsElsewhere => {
                "the index is read from another host than the upload URL, where credentials are not sent"
            }
            Unverifiable::OpenRegistry => {
                "the registry asks for no credentials; only a push can tell whether it allows one"
            }
            Unverifiable::OpaqueToken => {
                "the token service issued a token whose grants cannot be read"
            }
            Unverifiable::PermissionsNotReported => {
                "GitHub does not report what an installation token (such as Actions' GITHUB_TOKEN) may do; it needs `contents: write`"
            }
        })
    }
}

/// Keeps at most `limit` characters of a server's message, trimmed.
pub(crate) fn shorten(text: &str, limit: usize) -> String {
    let text = text.trim();
    if text.chars().count() > limit {
        let mut short: String = text.chars().take(limit).collect();
        short.push('…');
        short
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_says_who_refused_what_why_and_the_fix() {
        let denied = AccessDenied::new(
            "the index http://127.0.0.1:1/simple/",
            "an authenticated read",
            Some(401),
            Denial::BadCredentials,
            "Unauthorized",
            "check TWINE_PASSWORD",
        );
        assert_eq!(
            denied.to_string(),
            "the index http://127.0.0.1:1/simple/ refused an authenticated read (HTTP 401): the credentials were refused (Unauthorized); check TWINE_PASSWORD"
        );
        let denied = AccessDenied::new("r", "push", None, Denial::NoCredentials, "", "log in");
        assert_eq!(
            denied.to_string(),
            "r refused push: no credentials were given; log in"
        );
        assert!(denied.is_missing_credentials());
        let check = AccessCheck::Rejected(denied.clone());
        assert!(check.is_rejected() && !check.is_accepted());
        assert_eq!(check.denied(), Some(&denied));
        assert_eq!(check.into_result(), Err(denied));
    }

    #[test]
    fn long_messages_are_shortened() {
        assert_eq!(shorten("  abc  ", 5), "abc");
        assert_eq!(shorten("abcdef", 3), "abc…");
    }
}
