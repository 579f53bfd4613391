//! Links to a forge (GitHub, GitLab, Bitbucket, Gitea) derived from a git remote URL.
//!
//! The URL is passed in by the caller; nothing here reads git configuration.
//! Unknown hosts give no [`Remote`], and renderers then write no links.

use std::fmt::Write as _;

use serde::Serialize;

/// The forge software behind a remote; each builds its URLs differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    /// github.com and GitHub Enterprise.
    GitHub,
    /// gitlab.com and self-managed GitLab (`/-/compare/`).
    GitLab,
    /// bitbucket.org (`/branches/compare/`, `/commits/`).
    Bitbucket,
    /// Gitea and Forgejo, e.g. codeberg.org.
    Gitea,
}

impl Forge {
    /// The forge a well-known host runs, if it is one we recognise by name.
    ///
    /// `github.com`, `gitlab.com`, `bitbucket.org`, `codeberg.org`, `gitea.com`, and hosts whose
    /// first label is `github`, `gitlab` or `gitea` (e.g. `gitlab.example.com`).
    pub fn from_host(host: &str) -> Option<Forge> {
        let host = host.to_ascii_lowercase();
        let first_label = host.split('.').next().unwrap_or("");
        match (host.as_str(), first_label) {
            ("github.com", _) | (_, "github") => Some(Forge::GitHub),
            ("gitlab.com", _) | (_, "gitlab") => Some(Forge::GitLab),
            ("bitbucket.org", _) => Some(Forge::Bitbucket),
            ("codeberg.org" | "gitea.com", _) | (_, "gitea" | "forgejo") => Some(Forge::Gitea),
            _ => None,
        }
    }
}

/// A repository on a forge: its web address and how to build links under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remote {
    /// The forge software.
    pub forge: Forge,
    /// The repository's web address, e.g. `https://github.com/o/r` (no trailing slash, no `.git`).
    pub url: String,
}

impl Remote {
    /// Reads a remote URL in any of git's forms and recognises the forge by host name.
    ///
    /// Accepts `https://host/o/r(.git)`, `http://…`, `ssh://git@host(:port)/o/r.git`,
    /// `git@host:o/r.git` and `git://host/o/r`; credentials in the URL are dropped.
    ///
    /// ```
    /// use changelog::{Forge, Remote};
    /// let remote = Remote::parse("git@github.com:o/r.git").unwrap();
    /// assert_eq!(remote.forge, Forge::GitHub);
    /// assert_eq!(remote.url, "https://github.com/o/r");
    /// assert_eq!(Remote::parse("https://example.com/o/r"), None);
    /// ```
    pub fn parse(url: &str) -> Option<Remote> {
        let (scheme, host, path) = split_url(url)?;
        let forge = Forge::from_host(host_without_port(host))?;
        Some(Remote::build(forge, scheme, host, path))
    }

    /// Reads a remote URL for a self-hosted forge whose host name does not say what it runs.
    pub fn parse_with_forge(url: &str, forge: Forge) -> Option<Remote> {
        let (scheme, host, path) = split_url(url)?;
        Some(Remote::build(forge, scheme, host, path))
    }

    fn build(forge: Forge, scheme: &str, host: &str, path: &str) -> Remote {
        // Only the web schemes keep their port: an SSH port says nothing about the web server.
        let (scheme, host) = match scheme {
            "http" => ("http", host),
            "https" => ("https", host),
            _ => ("https", host_without_port(host)),
        };
        Remote {
            forge,
            url: format!("{scheme}://{host}/{path}"),
        }
    }

    /// The page comparing two tags (or `HEAD`), oldest first.
    pub fn compare_url(&self, from: &str, to: &str) -> String {
        let base = &self.url;
        match self.forge {
            Forge::GitHub | Forge::Gitea => format!("{base}/compare/{from}...{to}"),
            Forge::GitLab => format!("{base}/-/compare/{from}...{to}"),
            // Bitbucket takes the newer revision first, separated by an encoded carriage return.
            Forge::Bitbucket => format!("{base}/branches/compare/{to}%0D{from}"),
        }
    }

    /// The page of one tag, for a first release that has nothing to compare with.
    pub fn tag_url(&self, tag: &str) -> String {
        let base = &self.url;
        match self.forge {
            Forge::GitHub | Forge::Gitea => format!("{base}/releases/tag/{tag}"),
            Forge::GitLab => format!("{base}/-/tags/{tag}"),
            Forge::Bitbucket => format!("{base}/src/{tag}"),
        }
    }

    /// The page of one commit.
    pub fn commit_url(&self, id: &str) -> String {
        let mut url = String::with_capacity(self.url.len() + 12 + id.len());
        self.write_commit_url(&mut url, id);
        url
    }

    pub(crate) fn write_commit_url(&self, out: &mut String, id: &str) {
        let segment = match self.forge {
            Forge::GitHub | Forge::Gitea => "/commit/",
            Forge::GitLab => "/-/commit/",
            Forge::Bitbucket => "/commits/",
        };
        out.push_str(&self.url);
        out.push_str(segment);
        out.push_str(id);
    }

    /// The page of an issue.
    pub fn issue_url(&self, number: u64) -> String {
        let mut url = self.url.clone();
        let segment = match self.forge {
            Forge::GitHub | Forge::Gitea | Forge::Bitbucket => "/issues/",
            Forge::GitLab => "/-/issues/",
        };
        let _ = write!(url, "{segment}{number}");
        url
    }

    /// The page of a pull (merge) request.
    pub fn pull_request_url(&self, number: u64) -> String {
        let mut url = self.url.clone();
        let segment = match self.forge {
            Forge::GitHub => "/pull/",
            Forge::Gitea => "/pulls/",
            Forge::GitLab => "/-/merge_requests/",
            Forge::Bitbucket => "/pull-requests/",
        };
        let _ = write!(url, "{segment}{number}");
        url
    }
}

/// Splits a remote URL into scheme, host (with port) and `owner/…/repo` path.
fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let url = url.trim();
    let (scheme, authority_and_path) = if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.rsplit('+').next().unwrap_or(scheme);
        (scheme, rest)
    } else {
        // scp-like: [user@]host:path, where no `/` comes before the `:`.
        let colon = url.find(':')?;
        if url[..colon].contains('/') {
            return None;
        }
        let (authority, path) = (&url[..colon], &url[colon + 1..]);
        let host = authority.rsplit('@').next().unwrap_or(authority);
        return Some(("ssh", host, clean_path(path)?)).filter(|(_, host, _)| !host.is_empty());
    };
    let (authority, path) = authority_and_path.split_once('/')?;
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if host.is_empty() {
        return None;
    }
    Some((scheme, host, clean_path(path)?))
}

fn clean_path(path: &str) -> Option<&str> {
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    // A repository needs an owner and a name at least.
    let mut segments = path.split('/');
    let complete =
        segments.next().is_some_and(|s| !s.is_empty()) && segments.all(|s| !s.is_empty());
    (complete && path.contains('/')).then_some(path)
}

fn host_without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}
