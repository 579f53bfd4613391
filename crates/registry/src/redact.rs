//! Keeping secrets out of logs, errors and output.
//!
//! URLs are printed through [`RedactedUrl`], which drops user info (`user:password@`) and masks the values of
//! query parameters that carry credentials (`token`, `access_token`, signed-URL signatures, ...).
//! Text that may echo a known secret back (a server's error body, a subprocess's output) goes through
//! [`redact_secret`] before it is logged or put into an error.
//! This module does not detect secrets it was not told about, beyond the URL shapes above.

use std::borrow::Cow;
use std::fmt;

/// What a secret is replaced with.
pub const MASK: &str = "****";

/// Query parameters whose values are credentials, compared case-insensitively.
const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "auth",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
    "key",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
];

/// Displays a URL without its credentials: `https://__token__:pypi-abc@host/p?token=x` prints as
/// `https://****@host/p?token=****`.
///
/// Text that does not parse as a URL is still stripped of anything between `://` and the last `@` of its
/// authority, so a malformed URL cannot leak either.
#[derive(Clone, Copy)]
pub struct RedactedUrl<'a>(&'a str);

impl<'a> RedactedUrl<'a> {
    /// Wraps `url` for display.
    pub fn new(url: &'a str) -> Self {
        RedactedUrl(url)
    }
}

impl fmt::Display for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(self.0) {
            Ok(url) => f.write_str(&redact_parsed(url)),
            Err(_) => f.write_str(&redact_unparsed(self.0)),
        }
    }
}

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

fn redact_parsed(mut url: url::Url) -> String {
    let had_userinfo = !url.username().is_empty() || url.password().is_some();
    // Setting these only fails for URLs that cannot have credentials (`mailto:`), which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.iter().any(|p| k.eq_ignore_ascii_case(p));
                let value = if secret {
                    MASK.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let mut text = url.to_string();
    if had_userinfo {
        if let Some(at) = text.find("://") {
            text.insert_str(at + 3, &format!("{MASK}@"));
        }
    }
    text
}

fn redact_unparsed(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = text[authority_start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| authority_start + i);
    match text[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}{MASK}{}",
            &text[..authority_start],
            &text[authority_start + at..]
        ),
        None => text.to_owned(),
    }
}

/// Replaces every occurrence of `secret` in `text` with [`MASK`].
///
/// Secrets shorter than four characters are not searched for (they would mask ordinary words and prove
/// nothing); an empty secret leaves the text untouched.
pub fn redact_secret<'t>(text: &'t str, secret: &str) -> Cow<'t, str> {
    if secret.len() < 4 || !text.contains(secret) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.replace(secret, MASK))
    }
}

/// Displays an error and its sources, joined by `: `, for logs that must show the whole cause.
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(RedactedUrl::new(input).to_string(), expected, "{input}");
    }

    #[test]
    fn urls_print_without_credentials() {
        check(
            "https://upload.pypi.org/legacy/",
            "https://upload.pypi.org/legacy/",
        );
        check(
            "https://__token__:pypi-AgEIcHlwaS5vcmc@upload.pypi.org/legacy/",
            "https://****@upload.pypi.org/legacy/",
        );
        check(
            "http://alice@127.0.0.1:8080/simple/",
            "http://****@127.0.0.1:8080/simple/",
        );
        check(
            "https://ghcr.io/token?scope=repository:a/b:pull&service=ghcr.io",
            "https://ghcr.io/token?scope=repository%3Aa%2Fb%3Apull&service=ghcr.io",
        );
        check(
            "https://ex.com/a?token=s3cr3t&x=1&X-Amz-Signature=abcd",
            "https://ex.com/a?token=****&x=1&X-Amz-Signature=****",
        );
        check(
            "https://u:p@ex.com/?access_token=zz",
            "https://****@ex.com/?access_token=****",
        );
    }

    #[test]
    fn unparsable_urls_still_lose_their_user_info() {
        check("http://user:pa ss@[bad/simple", "http://****@[bad/simple");
        check("not a url", "not a url");
        check("http://[bad/x@y", "http://[bad/x@y");
    }

    #[test]
    fn debug_is_redacted_too() {
        let shown = format!("{:?}", RedactedUrl::new("https://a:b@h/"));
        assert_eq!(shown, "\"https://****@h/\"");
    }

    #[test]
    fn known_secrets_are_masked_anywhere_in_text() {
        assert_eq!(
            redact_secret("invalid token pypi-abc123 for user", "pypi-abc123"),
            "invalid token **** for user"
        );
        assert_eq!(redact_secret("pypi-abcpypi-abc", "pypi-abc"), "********");
        assert!(matches!(
            redact_secret("nothing here", "pypi-abc"),
            Cow::Borrowed(_)
        ));
        assert_eq!(redact_secret("an empty secret", ""), "an empty secret");
        assert_eq!(redact_secret("short a", "a"), "short a");
    }
}
