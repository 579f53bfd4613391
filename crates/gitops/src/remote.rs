//! Remotes: what they are called and where they point.

use crate::Error;
use crate::Repository;
use crate::error::GitContext as _;

impl Repository {
    /// The fetch URL of remote `name`, or `None` when there is no such remote.
    ///
    /// Callers derive forge links from it (compare, commit and issue links in changelogs).
    pub fn remote_url(&self, name: &str) -> Result<Option<String>, Error> {
        match self.git.find_remote(name) {
            Ok(remote) => Ok(remote.url().ok().map(str::to_owned)),
            Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(error) if error.class() == git2::ErrorClass::Config => Ok(None),
            Err(error) => Err(error).context(|| format!("reading remote `{name}`")),
        }
    }
}

/// `url` without the user information (`https://user:token@host/…` → `https://host/…`), for
/// messages; other forms (`git@host:owner/repo`, paths) are returned as they are.
pub(crate) fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if let Some((_, host)) = authority.rsplit_once('@') {
            return format!("{scheme}://{host}/{path}");
        }
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_are_removed_from_remote_urls() {
        assert_eq!(
            super::redact_url("https://x-access-token:ghs_secret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            super::redact_url("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(super::redact_url("/tmp/remote.git"), "/tmp/remote.git");
    }
}
