//! Registry authentication: credentials, Docker's `config.json`, and the `WWW-Authenticate` challenges of
//! Basic and Bearer (token) auth as the distribution token specification describes them.
//!
//! This module reads no files and no environment: the caller passes the text of `config.json` or the values of
//! environment variables in. Secrets stay in [`SecretString`] and are exposed only to build a header.

use std::fmt;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use super::error::OciError;

/// Where slipway reads registry credentials from, named in the fix of a refusal.
pub(crate) const CREDENTIAL_SOURCES: &str = "SLIPWAY_OCI_USERNAME/SLIPWAY_OCI_PASSWORD (GITHUB_TOKEN for ghcr.io), or `docker login` ($DOCKER_CONFIG/config.json, else ~/.docker/config.json)";

/// How to authenticate to a registry.
#[derive(Clone, Default)]
pub enum Credentials {
    /// No credentials: public pulls, open registries.
    #[default]
    Anonymous,
    /// A user name and a password or token, sent as Basic auth to the registry or to its token service.
    Basic {
        /// The user name (for GHCR with `GITHUB_TOKEN`, any non-empty name works).
        username: String,
        /// The password or token.
        password: SecretString,
    },
}

impl Credentials {
    /// Credentials from a user name and a password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials::Basic {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// The `Authorization` value for Basic auth, if there are credentials.
    pub(crate) fn basic_header(&self) -> Option<SecretString> {
        match self {
            Credentials::Anonymous => None,
            Credentials::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose_secret());
                Some(SecretString::from(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )))
            }
        }
    }

    /// The password, to mask it in text echoed back by a server.
    pub(crate) fn secret(&self) -> Option<&str> {
        match self {
            Credentials::Anonymous => None,
            Credentials::Basic { password, .. } => Some(password.expose_secret()),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"****")
                .finish(),
        }
    }
}

/// Finds the credentials for `registry` (`ghcr.io`, `127.0.0.1:5000`) in the text of Docker's
/// `~/.docker/config.json`: its `auths` map, whose keys may carry a scheme and a path
/// (`https://index.docker.io/v1/`) and whose `auth` values are base64 of `user:password`.
///
/// Returns `None` when the file has no usable entry for the registry (credential helpers, `credsStore`, are
/// not run).
pub fn credentials_from_docker_config(
    config_json: &str,
    registry: &str,
) -> Result<Option<Credentials>, OciError> {
    let config: serde_json::Value =
        serde_json::from_str(config_json).map_err(|error| OciError::DockerConfig {
            // serde_json's message names a line and column, never the content.
            reason: error.to_string(),
        })?;
    let Some(auths) = config.get("auths").and_then(|a| a.as_object()) else {
        return Ok(None);
    };
    let wanted = normalize_registry(registry);
    for (key, entry) in auths {
        if normalize_registry(key) != wanted {
            continue;
        }
        if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| OciError::DockerConfig {
                    reason: format!("the `auth` entry for {key} is not base64"),
                })?;
            let decoded = String::from_utf8(decoded).map_err(|_| OciError::DockerConfig {
                reason: format!("the `auth` entry for {key} is not UTF-8"),
            })?;
            let Some((username, password)) = decoded.split_once(':') else {
                return Err(OciError::DockerConfig {
                    reason: format!("the `auth` entry for {key} is not `user:password`"),
                });
            };
            return Ok(Some(Credentials::basic(username, password)));
        }
        if let (Some(username), Some(password)) = (
            entry.get("username").and_then(|u| u.as_str()),
            entry.get("password").and_then(|p| p.as_str()),
        ) {
            return Ok(Some(Credentials::basic(username, password)));
        }
    }
    Ok(None)
}

/// `https://index.docker.io/v1/` → `docker.io`, `http://127.0.0.1:5000` → `127.0.0.1:5000`.
fn normalize_registry(key: &str) -> String {
    let host = key
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_owned()
        }
        _ => host,
    }
}

/// What a registry asked for in `WWW-Authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// `Basic realm="…"`.
    Basic,
    /// `Bearer realm="…",service="…"` (the `scope` it names is ignored: slipway asks for its own).
    Bearer {
        /// The token service URL.
        realm: String,
        /// The `service` parameter to pass back, if any.
        service: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` value; unknown schemes give `None`.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = parse_params(params);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    Some(Challenge::Bearer {
        realm: get("realm")?,
        service: get("service"),
    })
}

/// `a="x,y",b=z` → [(a, "x,y"), (b, z)], honouring quotes and backslash escapes.
fn parse_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if chars.next().is_none() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    params
}

/// What an operation may do in a repository, as a token scope: `repository:NAME:ACTIONS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Scope(pub(crate) String);

impl Scope {
    pub(crate) fn pull(repository: &str) -> Scope {
        Scope(format!("repository:{repository}:pull"))
    }
    pub(crate) fn push(repository: &str) -> Scope {
        Scope(format!("repository:{repository}:pull,push"))
    }
    pub(crate) fn delete(repository: &str) -> Scope {
        Scope(format!("repository:{repository}:pull,push,delete"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_keep_quoted_commas() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".to_owned(),
                service: Some("registry.example".to_owned()),
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(parse_challenge("Bearer service=x"), None);
    }

    #[test]
    fn registries_normalize_like_docker() {
        for (key, expected) in [
            ("https://index.docker.io/v1/", "docker.io"),
            ("ghcr.io", "ghcr.io"),
            ("http://127.0.0.1:5000", "127.0.0.1:5000"),
            ("https://GHCR.io/", "ghcr.io"),
        ] {
            assert_eq!(normalize_registry(key), expected, "{key}");
        }
    }
}
