//! The values the client takes and returns: repositories, releases, assets, outcomes, environment values.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;

use super::error::ConfigError;

/// GitHub's public API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// A repository, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repository {
    /// The user or organisation.
    pub owner: String,
    /// The repository's name.
    pub name: String,
}

impl Repository {
    /// Parses `owner/name` (surrounding whitespace and a trailing `.git` are tolerated).
    pub fn parse(value: &str) -> Result<Repository, ConfigError> {
        let bad = || ConfigError::BadRepository {
            value: value.to_owned(),
        };
        let trimmed = value.trim();
        let trimmed = trimmed.strip_suffix(".git").unwrap_or(trimmed);
        let (owner, name) = trimmed.split_once('/').ok_or_else(bad)?;
        let valid = |part: &str| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !valid(owner) || !valid(name) {
            return Err(bad());
        }
        Ok(Repository {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// The environment variables the client can be configured from, read by the caller (the library never reads
/// the environment) and passed in.
#[derive(Clone, Default)]
pub struct GithubEnv {
    /// `GH_TOKEN`, which wins over `GITHUB_TOKEN` as in the `gh` CLI.
    pub gh_token: Option<SecretString>,
    /// `GITHUB_TOKEN`.
    pub github_token: Option<SecretString>,
    /// `GITHUB_API_URL` (set by GitHub Actions; points at the right host on GitHub Enterprise Server).
    pub api_url: Option<String>,
    /// `GITHUB_REPOSITORY` (set by GitHub Actions).
    pub repository: Option<String>,
}

impl GithubEnv {
    /// The variables read by [`GithubEnv::from_lookup`].
    pub const VARIABLES: [&'static str; 4] = [
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "GITHUB_REPOSITORY",
    ];

    /// Reads the variables through `lookup` (e.g. `|name| std::env::var(name).ok()`); empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> GithubEnv {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        GithubEnv {
            gh_token: get("GH_TOKEN").map(SecretString::from),
            github_token: get("GITHUB_TOKEN").map(SecretString::from),
            api_url: get("GITHUB_API_URL"),
            repository: get("GITHUB_REPOSITORY"),
        }
    }

    /// The token to use: `GH_TOKEN`, else `GITHUB_TOKEN`.
    pub fn token(&self) -> Option<&SecretString> {
        self.gh_token.as_ref().or(self.github_token.as_ref())
    }
}

impl fmt::Debug for GithubEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |token: &Option<SecretString>| token.as_ref().map(|_| crate::redact::MASK);
        f.debug_struct("GithubEnv")
            .field("gh_token", &shown(&self.gh_token))
            .field("github_token", &shown(&self.github_token))
            .field("api_url", &self.api_url)
            .field("repository", &self.repository)
            .finish()
    }
}

/// A release as GitHub returns it (the fields slipway uses).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Release {
    /// GitHub's id of the release.
    pub id: u64,
    /// The tag it is for.
    #[serde(rename = "tag_name")]
    pub tag: String,
    /// The title.
    #[serde(default)]
    pub name: Option<String>,
    /// The notes, in Markdown.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether it is a draft (unpublished; drafts are invisible to the by-tag endpoint).
    pub draft: bool,
    /// Whether it is marked as a pre-release.
    pub prerelease: bool,
    /// The branch or commit the tag is created from when the tag does not exist yet.
    #[serde(default)]
    pub target_commitish: String,
    /// The release's web page.
    #[serde(default)]
    pub html_url: String,
    /// The upload URL template (`https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}`).
    pub upload_url: String,
    /// Its assets, as embedded in the release (use `GithubClient::assets` for a complete, paginated list).
    #[serde(default)]
    pub assets: Vec<Asset>,
}

impl Release {
    /// The title, or `""`.
    pub fn title(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    /// The notes, or `""`.
    pub fn notes(&self) -> &str {
        self.body.as_deref().unwrap_or_default()
    }
}

/// A file attached to a release.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Asset {
    /// GitHub's id of the asset.
    pub id: u64,
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// `uploaded`, or `starter` for an upload that never completed.
    #[serde(default)]
    pub state: String,
    /// `sha256:<hex>` in newer API responses; `None` where GitHub does not report it.
    #[serde(default)]
    pub digest: Option<String>,
    /// The download URL.
    #[serde(default)]
    pub browser_download_url: String,
}

impl Asset {
    /// The sha256 GitHub reports, lowercase hex without the `sha256:` prefix.
    pub fn sha256(&self) -> Option<String> {
        self.digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"))
            .map(str::to_ascii_lowercase)
    }

    /// Whether the upload completed (`starter` assets are the remains of a failed upload).
    pub fn is_uploaded(&self) -> bool {
        self.state.is_empty() || self.state == "uploaded"
    }
}

/// The release slipway wants for a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseSpec {
    /// The tag (`v1.2.0`).
    pub tag: String,
    /// The title (often the tag or `Hangar 1.2.0`).
    pub name: String,
    /// The notes, in Markdown (the changelog section).
    pub body: String,
    /// Mark as a pre-release (an rc, beta or alpha).
    pub prerelease: bool,
    /// Keep it unpublished.
    pub draft: bool,
    /// Whether it should be the repository's latest release; `None` leaves GitHub's default (the newest
    /// stable release becomes latest). Not applied to drafts and pre-releases, which GitHub never makes latest.
    pub make_latest: Option<bool>,
    /// The branch or commit to create the tag from if it does not exist; sent on creation only (for an
    /// existing tag GitHub ignores it).
    pub target_commitish: Option<String>,
}

/// What a create-or-update does, or did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReleaseChange {
    /// No release for the tag: one is (to be) created.
    Created,
    /// The release differs in these fields (`name`, `body`, `draft`, `prerelease`, `make_latest`): they are
    /// (to be) updated.
    Updated {
        /// The fields that differ.
        fields: Vec<&'static str>,
    },
    /// The release is as wanted: no request is made.
    Unchanged,
}

/// What [`ReleaseChange`] a spec needs, computed with reads only (for a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasePlan {
    /// The release that exists for the tag, if any.
    pub existing: Option<Release>,
    /// What would change.
    pub change: ReleaseChange,
}

/// The release after a create-or-update, and what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOutcome {
    /// The release as GitHub now returns it.
    pub release: Release,
    /// What was done.
    pub change: ReleaseChange,
}

/// What happened to one asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssetStatus {
    /// Uploaded now; there was none of that name.
    Uploaded,
    /// Already there with the same sha256 (or, when GitHub reports no digest, the same size): nothing sent.
    AlreadyPresent,
    /// There was one of that name with other content (or a failed upload's remains): deleted and uploaded again.
    Replaced,
}

/// The outcome for one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetOutcome {
    /// The asset as GitHub now returns it.
    pub asset: Asset,
    /// The local file's sha256, lowercase hex.
    pub sha256: String,
    /// What happened.
    pub status: AssetStatus,
}

/// An asset a release should carry, for [`GithubClient::verify_release`](super::GithubClient::verify_release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedAsset {
    /// The file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its sha256, lowercase hex.
    pub sha256: String,
}

impl ExpectedAsset {
    /// Describes the local file at `path` (hashed in constant memory; blocking).
    pub fn from_file(path: &std::path::Path) -> std::io::Result<ExpectedAsset> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{} has no file name", path.display()),
                )
            })?
            .to_owned();
        Ok(ExpectedAsset {
            name,
            size: fs_err::metadata(path)?.len(),
            sha256: super::client::sha256_file(path)?,
        })
    }
}

/// An asset whose content differs from what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetMismatch {
    /// The file name.
    pub name: String,
    /// What was expected: `sha256:<hex> (<size> bytes)`.
    pub expected: String,
    /// What GitHub reports, in the same form (`no digest` where it reports none), or `incomplete upload`.
    pub found: String,
}

/// What [`GithubClient::verify_release`](super::GithubClient::verify_release) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseVerification {
    /// The release, if there is one for the tag.
    pub release: Option<Release>,
    /// The fields in which it differs from the spec (`name`, `body`, `draft`, `prerelease`, `make_latest`).
    pub differing: Vec<&'static str>,
    /// Expected assets it does not carry.
    pub missing: Vec<String>,
    /// Expected assets it carries with other content, or only partly uploaded.
    pub mismatched: Vec<AssetMismatch>,
    /// Assets checked by size alone, because GitHub reported no digest for them.
    pub size_only: Vec<String>,
}

impl ReleaseVerification {
    /// Whether the release exists as specified, with every expected asset.
    pub fn is_ok(&self) -> bool {
        self.release.is_some()
            && self.differing.is_empty()
            && self.missing.is_empty()
            && self.mismatched.is_empty()
    }
}

/// Receives asset progress; the library never prints, the caller draws bars (or not, in CI).
pub trait Progress: Send + Sync {
    /// Hashing of `name` starts.
    fn hashing(&self, _name: &str, _size: u64) {}
    /// An upload attempt of `name` starts (again, after a retry).
    fn upload_started(&self, _name: &str, _size: u64) {}
    /// `sent` bytes of the current attempt have been handed to the connection.
    fn upload_position(&self, _name: &str, _sent: u64) {}
    /// The asset is done.
    fn finished(&self, _outcome: &AssetOutcome) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// The block [`GithubClient::add_known_issues`](super::GithubClient::add_known_issues) puts at the top of a
/// release's notes: `> **Known issues:** …`, every line of `note` quoted.
pub fn known_issues_block(note: &str) -> String {
    let mut lines = note.trim().lines();
    let mut block = format!(
        "> **Known issues:** {}",
        lines.next().unwrap_or_default().trim_end()
    );
    for line in lines {
        block.push_str("\n>");
        if !line.trim().is_empty() {
            block.push(' ');
            block.push_str(line.trim_end());
        }
    }
    block
}

/// `body` with the known-issues block for `note` prepended; `None` when `body` already has it.
pub fn with_known_issues(body: &str, note: &str) -> Option<String> {
    let block = known_issues_block(note);
    if body.replace("\r\n", "\n").contains(&block) {
        return None;
    }
    Some(if body.trim().is_empty() {
        block
    } else {
        format!("{block}\n\n{body}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_repository(input: &str, expected: Option<(&str, &str)>) {
        let parsed = Repository::parse(input).ok();
        let parsed = parsed.as_ref().map(|r| (r.owner.as_str(), r.name.as_str()));
        assert_eq!(parsed, expected, "{input:?}");
    }

    #[test]
    fn repositories_are_owner_slash_name() {
        check_repository("octo-org/hangar", Some(("octo-org", "hangar")));
        check_repository(" octo/hangar.py.git ", Some(("octo", "hangar.py")));
        check_repository("a_b/c.d-e", Some(("a_b", "c.d-e")));
        check_repository("hangar", None);
        check_repository("/hangar", None);
        check_repository("octo/", None);
        check_repository("octo/hangar/extra", None);
        check_repository("octo/../x", None);
        check_repository("https://github.com/octo/hangar", None);
    }

    #[test]
    fn gh_token_wins_and_empty_values_count_as_unset() {
        let env = GithubEnv::from_lookup(|name| match name {
            "GH_TOKEN" => Some("gh-token".into()),
            "GITHUB_TOKEN" => Some("github-token".into()),
            "GITHUB_REPOSITORY" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(env.token().unwrap()),
            "gh-token"
        );
        assert_eq!(env.repository, None);
        let env = GithubEnv::from_lookup(|name| (name == "GITHUB_TOKEN").then(|| "t-1234".into()));
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(env.token().unwrap()),
            "t-1234"
        );
        let shown = format!("{env:?}");
        assert!(!shown.contains("t-1234"), "{shown}");
        assert!(
            GithubEnv::from_lookup(|_| Some(String::new()))
                .token()
                .is_none()
        );
    }

    #[test]
    fn known_issues_block_quotes_every_line() {
        assert_eq!(
            known_issues_block("  the image crashes on arm64 \n"),
            "> **Known issues:** the image crashes on arm64"
        );
        assert_eq!(
            known_issues_block("crash on start\n\nuse 1.1.0 instead"),
            "> **Known issues:** crash on start\n>\n> use 1.1.0 instead"
        );
    }

    #[test]
    fn known_issues_are_prepended_once() {
        let once = with_known_issues("## Fixed\n- a bug", "broken wheel").unwrap();
        assert_eq!(
            once,
            "> **Known issues:** broken wheel\n\n## Fixed\n- a bug"
        );
        assert_eq!(with_known_issues(&once, "broken wheel"), None);
        assert_eq!(
            with_known_issues(&once.replace('\n', "\r\n"), "broken wheel"),
            None
        );
        let twice = with_known_issues(&once, "and the image").unwrap();
        assert!(
            twice.starts_with(
                "> **Known issues:** and the image\n\n> **Known issues:** broken wheel"
            )
        );
        assert_eq!(
            with_known_issues("", "x y").unwrap(),
            "> **Known issues:** x y"
        );
    }

    #[test]
    fn asset_digests_are_read_without_their_prefix() {
        let asset: Asset = serde_json::from_str(
            r#"{"id": 1, "name": "a.tar.gz", "size": 3, "state": "uploaded", "digest": "sha256:ABC"}"#,
        )
        .unwrap();
        assert_eq!(asset.sha256().as_deref(), Some("abc"));
        assert!(asset.is_uploaded());
        let old: Asset =
            serde_json::from_str(r#"{"id": 1, "name": "a", "size": 3, "state": "starter"}"#)
                .unwrap();
        assert_eq!(old.sha256(), None);
        assert!(!old.is_uploaded());
    }
}
