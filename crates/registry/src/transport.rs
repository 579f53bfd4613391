//! The transport rules every client follows: HTTPS, or plain HTTP only to a loopback address or
//! when asked for (`insecure`), and credentials in clear text only when asked for twice
//! (`insecure` and `insecure_credentials`): a mirror on a trusted network may do without TLS, a
//! token sent there in clear is another decision.

use std::net::IpAddr;

/// What plain HTTP is allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transport {
    /// Plain HTTP to a host that is not a loopback address.
    pub insecure: bool,
    /// Credentials over that plain HTTP too.
    pub insecure_credentials: bool,
}

/// A URL the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Plain HTTP off loopback, not asked for.
    #[error(
        "{url} is plain HTTP to {host}, which is not a loopback address: use https://, or, on a network you trust, allow it with `insecure = true` (or --insecure)"
    )]
    PlainHttp {
        /// The URL, redacted.
        url: String,
        /// Its host.
        host: String,
    },
    /// Credentials over plain HTTP off loopback, asked for once only.
    #[error(
        "credentials would go to {host} in clear text ({url} is plain HTTP): use https://; `insecure` allows plain HTTP without credentials only, and sending them in clear needs `allow-insecure-credentials = true` (or --allow-insecure-credentials) as well"
    )]
    CredentialsInClear {
        /// The URL, redacted.
        url: String,
        /// Its host.
        host: String,
    },
    /// Not an `http` or `https` URL.
    #[error("{url} is not an http(s) URL")]
    Scheme {
        /// The URL, redacted.
        url: String,
    },
}

/// Checks `url` against the rules, for a request that carries credentials when `credentials`.
pub fn check(url: &str, transport: Transport, credentials: bool) -> Result<(), TransportError> {
    let shown = crate::redact::RedactedUrl::new(url).to_string();
    let parsed = url::Url::parse(url).map_err(|_| TransportError::Scheme { url: shown.clone() })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or_default().to_owned();
            if is_loopback_host(&host) {
                Ok(())
            } else if !transport.insecure {
                Err(TransportError::PlainHttp { url: shown, host })
            } else if credentials && !transport.insecure_credentials {
                Err(TransportError::CredentialsInClear { url: shown, host })
            } else {
                Ok(())
            }
        }
        _ => Err(TransportError::Scheme { url: shown }),
    }
}

/// Whether `host` (a name or an address, IPv6 in brackets or not) is a loopback address.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_always_loopback_http_always_elsewhere_http_only_when_asked_and_credentials_only_when_asked_twice()
     {
        let (open, insecure, twice) = (
            Transport::default(),
            Transport {
                insecure: true,
                insecure_credentials: false,
            },
            Transport {
                insecure: true,
                insecure_credentials: true,
            },
        );
        assert_eq!(check("https://pypi.example/legacy/", open, true), Ok(()));
        for local in [
            "http://127.0.0.1:8080/",
            "http://localhost/",
            "http://[::1]:9/",
        ] {
            assert_eq!(check(local, open, true), Ok(()), "{local}");
        }
        let far = "http://mirror.example/legacy/";
        assert!(matches!(
            check(far, open, false),
            Err(TransportError::PlainHttp { .. })
        ));
        assert_eq!(check(far, insecure, false), Ok(()));
        assert!(matches!(
            check(far, insecure, true),
            Err(TransportError::CredentialsInClear { .. })
        ));
        assert_eq!(check(far, twice, true), Ok(()));
        assert!(matches!(
            check("ftp://x/", twice, true),
            Err(TransportError::Scheme { .. })
        ));
        // Credentials in the URL never show in the message.
        let error = check("http://user:secret@mirror.example/", open, true).unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
