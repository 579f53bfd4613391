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
