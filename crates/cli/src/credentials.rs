//! Credentials: one place, one lookup order per registry, read through the injected
//! [`Environment`].
//!
//! The registry clients take credentials as values and never read the environment; this module is
//! where slipway decides which values they get. First match wins in each list:
//!
//! **PyPI** (for `publish pypi`, the release's PyPI step and, when an index refuses anonymous
//! reads, `verify`):
//! 1. `SLIPWAY_PYPI_TOKEN`, then `PYPI_TOKEN` (an API token, user `__token__`);
//! 2. `TWINE_PASSWORD` with `TWINE_USERNAME` (default `__token__`);
//! 3. the index's section of `~/.pypirc` (`[pypi]`, or the section named by `repository`);
//! 4. trusted publishing, when running in GitHub Actions with `id-token: write`
//!    (`ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`); uploads only.
//!
//! **The pre-release index** (`[pypi] prerelease-repository-url`, TestPyPI's place) has a lookup
//! of its own, so that a production token never reaches it and its token never reaches
//! production. What was set for it comes first, the generic sources after:
//! 1. `SLIPWAY_TESTPYPI_TOKEN`;
//! 2. its own `~/.pypirc` section (`[testpypi]`, or the one named by `prerelease-repository`);
//! 3. `TWINE_PASSWORD` with `TWINE_USERNAME`;
//! 4. trusted publishing.
//!
//! (`SLIPWAY_PYPI_TOKEN` and `PYPI_TOKEN` never apply to it.)
//!
//! **OCI registries**:
//! 1. `SLIPWAY_OCI_USERNAME` with `SLIPWAY_OCI_PASSWORD`;
//! 2. for `ghcr.io`, `GITHUB_TOKEN` (user `GITHUB_ACTOR`, else `x-access-token`);
//! 3. the registry's `auths` entry in Docker's `config.json` (`$DOCKER_CONFIG/config.json`, else
//!    `~/.docker/config.json`);
//! 4. anonymous.
//!
//! **GitHub**: `GH_TOKEN`, then `GITHUB_TOKEN` (as the `gh` CLI does).
//!
//! Where credentials came from is logged (the [`Source`]), never their value.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use registry::pypi::{Credentials as PypiCredentials, GithubOidc, IndexUrls};
use registry::retry::RetryPolicy;
use secrecy::SecretString;

use crate::bad_input;
use crate::env::Environment;

/// Where a set of credentials came from, for logs and messages: a variable's or a file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source(pub String);

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What `~/.pypirc` would have to say, and what the variables would, for a message on missing
/// PyPI credentials.
pub const PYPI_HOW_TO: &str = "set SLIPWAY_PYPI_TOKEN (or PYPI_TOKEN, or TWINE_USERNAME/TWINE_PASSWORD), add the index to ~/.pypirc, or run in GitHub Actions with `id-token: write` for trusted publishing";

/// What to set for GitHub.
pub const GITHUB_HOW_TO: &str =
    "set GH_TOKEN or GITHUB_TOKEN to a token that may create releases in the repository";

/// What to set for an OCI registry.
pub const OCI_HOW_TO: &str = "set SLIPWAY_OCI_USERNAME and SLIPWAY_OCI_PASSWORD, or `docker login` the registry (GITHUB_TOKEN serves ghcr.io)";

/// A Python package index: its URLs and what `~/.pypirc` says about it.
#[derive(Debug, Clone)]
pub struct PypiIndex {
    /// Upload and read URLs.
    pub urls: IndexUrls,
    pypirc: Option<PypircSection>,
    /// The variables holding a token for this index, first match wins.
    token_variables: &'static [&'static str],
    /// Whether the `.pypirc` section comes before the generic `TWINE_*` variables (the
    /// pre-release index: what was set for it wins).
    section_first: bool,
    /// What plain HTTP is allowed to it.
    pub transport: registry::transport::Transport,
}

/// The token variables of the stable index.
const STABLE_TOKEN_VARIABLES: &[&str] = &["SLIPWAY_PYPI_TOKEN", "PYPI_TOKEN"];
/// The token variable of the pre-release index.
const PRERELEASE_TOKEN_VARIABLES: &[&str] = &["SLIPWAY_TESTPYPI_TOKEN"];

/// Which index: an upload URL, a `~/.pypirc` section name, or a `.pypirc` file other than
/// `~/.pypirc`. With none, PyPI.
#[derive(Debug, Clone, Default)]
pub struct IndexChoice {
    /// The upload URL (`--repository-url`, `pypi.repository-url`).
    pub repository_url: Option<String>,
    /// A section of the `.pypirc` (`--repository`, `pypi.repository`).
    pub repository: Option<String>,
    /// The `.pypirc` to read (`--config-file`); default `~/.pypirc`.
    pub config_file: Option<PathBuf>,
    /// What plain HTTP is allowed (`insecure`, `allow-insecure-credentials`).
    pub transport: registry::transport::Transport,
}

impl PypiIndex {
    /// Resolves the index: the URL given, else the `.pypirc` section's `repository`, else PyPI (or
    /// TestPyPI for the section name `testpypi`).
    pub fn resolve(choice: &IndexChoice, env: &dyn Environment) -> anyhow::Result<PypiIndex> {
        Self::resolve_as(choice, "pypi", STABLE_TOKEN_VARIABLES, env)
    }

    /// Resolves the pre-release index (`prerelease-repository-url`): as [`PypiIndex::resolve`],
    /// with `~/.pypirc`'s `[testpypi]` section by default and `SLIPWAY_TESTPYPI_TOKEN` for its
    /// token.
    pub fn resolve_prerelease(
        choice: &IndexChoice,
        env: &dyn Environment,
    ) -> anyhow::Result<PypiIndex> {
        Self::resolve_as(choice, "testpypi", PRERELEASE_TOKEN_VARIABLES, env)
    }

    fn resolve_as(
        choice: &IndexChoice,
        default_section: &str,
        token_variables: &'static [&'static str],
        env: &dyn Environment,
    ) -> anyhow::Result<PypiIndex> {
        let config_file = choice
            .config_file
            .clone()
            .or_else(|| env.home().map(|home| home.join(".pypirc")));
        let name = choice.repository.as_deref().unwrap_or(default_section);
        let pypirc = match &config_file {
            Some(path) if path.is_file() => {
                let text = fs_err::read_to_string(path)?;
                parse_pypirc(&text, name)
            }
            Some(path) if choice.config_file.is_some() => {
                return Err(bad_input(anyhow!(
                    "{} does not exist (from --config-file)",
                    path.display()
                )));
            }
            _ => None,
        };
        if choice.repository.is_some()
            && pypirc.is_none()
            && choice.repository_url.is_none()
            && !["pypi", "testpypi"].contains(&name)
        {
            return Err(bad_input(anyhow!(
                "~/.pypirc has no [{name}] section (from the repository name {name:?})"
            )));
        }
        let url = choice
            .repository_url
            .clone()
            .or_else(|| pypirc.as_ref().and_then(|s| s.repository.clone()))
            .unwrap_or_else(|| match name {
                "testpypi" => "https://test.pypi.org/legacy/".to_owned(),
                _ => "https://upload.pypi.org/legacy/".to_owned(),
            });
        registry::transport::check(&url, choice.transport, false).map_err(bad_input)?;
        let urls = IndexUrls::from_upload_url(&url).map_err(bad_input)?;
        Ok(PypiIndex {
            urls,
            transport: choice.transport,
            pypirc,
            section_first: token_variables == PRERELEASE_TOKEN_VARIABLES,
            token_variables,
        })
    }

    /// Whether credentials may go to this index (never in clear text to a host off loopback,
    /// unless allowed twice).
    pub fn allows_credentials(&self) -> anyhow::Result<()> {
        registry::transport::check(&self.urls.upload, self.transport, true).map_err(bad_input)
    }

    /// The upload URL, safe to print.
    pub fn display_url(&self) -> String {
        registry::redact::RedactedUrl::new(&self.urls.upload).to_string()
    }

    /// Credentials that need no exchange: variables, then `.pypirc`.
    pub fn static_credentials(&self, env: &dyn Environment) -> Option<(PypiCredentials, Source)> {
        let token = |value: String| PypiCredentials::token(SecretString::from(value));
        for name in self.token_variables {
            if let Some(value) = env.var(name) {
                return Some((token(value), Source((*name).to_owned())));
            }
        }
        let section = || {
            let section = self.pypirc.as_ref()?;
            let password = section.password.clone()?;
            let username = section
                .username
                .clone()
                .unwrap_or_else(|| "__token__".to_owned());
            Some((
                PypiCredentials::basic(username, SecretString::from(password)),
                Source(".pypirc".to_owned()),
            ))
        };
        let twine = || {
            let password = env.var("TWINE_PASSWORD")?;
            let username = env
                .var("TWINE_USERNAME")
                .unwrap_or_else(|| "__token__".to_owned());
            Some((
                PypiCredentials::basic(username, SecretString::from(password)),
                Source("TWINE_USERNAME/TWINE_PASSWORD".to_owned()),
            ))
        };
        if self.section_first {
            section().or_else(twine)
        } else {
            twine().or_else(section)
        }
    }

    /// What would upload: static credentials, else trusted publishing when GitHub Actions offers an
    /// OIDC token. Nothing is exchanged yet.
    pub fn upload_credentials(&self, env: &dyn Environment) -> Option<UploadCredentials> {
        if let Some((credentials, source)) = self.static_credentials(env) {
            return Some(UploadCredentials::Static(credentials, source));
        }
        let (url, token) = env
            .var("ACTIONS_ID_TOKEN_REQUEST_URL")
            .zip(env.var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))?;
        Some(UploadCredentials::TrustedPublishing(GithubOidc {
            request_url: url,
            request_token: SecretString::from(token),
        }))
    }
}

/// Upload credentials for a Python index, before any exchange.
#[derive(Debug, Clone)]
pub enum UploadCredentials {
    /// A token or a user and password, from the named source.
    Static(PypiCredentials, Source),
    /// GitHub Actions' OIDC token, to trade for a short-lived PyPI token at upload time.
    TrustedPublishing(GithubOidc),
}

impl UploadCredentials {
    /// Where they come from.
    pub fn source(&self) -> Source {
        match self {
            UploadCredentials::Static(_, source) => source.clone(),
            UploadCredentials::TrustedPublishing(_) => {
                Source("trusted publishing (GitHub Actions OIDC)".to_owned())
            }
        }
    }

    /// The credentials to upload with, trading the OIDC token for a PyPI token if need be.
    pub async fn resolve(&self, index: &PypiIndex) -> anyhow::Result<PypiCredentials> {
        match self {
            UploadCredentials::Static(credentials, _) => Ok(credentials.clone()),
            UploadCredentials::TrustedPublishing(oidc) => {
                Ok(
                    registry::pypi::trusted_publishing(&index.urls, oidc, &RetryPolicy::default())
                        .await?,
                )
            }
        }
    }
}

/// One repository section of a `.pypirc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PypircSection {
    repository: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// Reads section `[name]` of a `.pypirc` (INI: `key = value` or `key: value`, `#`/`;` comments).
fn parse_pypirc(text: &str, name: &str) -> Option<PypircSection> {
    let mut in_section = false;
    let mut found = None::<PypircSection>;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_section = section.trim() == name;
            if in_section {
                found.get_or_insert_with(PypircSection::default);
            }
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let section = found.get_or_insert_with(PypircSection::default);
        match key.trim() {
            "repository" => section.repository = value,
            "username" => section.username = value,
            "password" => section.password = value,
            _ => {}
        }
    }
    found
}

/// The credentials for the OCI registry `registry` (a host, with a port if any), and their source.
pub fn oci(
    registry: &str,
    env: &dyn Environment,
) -> anyhow::Result<(registry::oci::Credentials, Source)> {
    use registry::oci::Credentials;
    if let (Some(username), Some(password)) = (
        env.var("SLIPWAY_OCI_USERNAME"),
        env.var("SLIPWAY_OCI_PASSWORD"),
    ) {
        return Ok((
            Credentials::basic(username, password),
            Source("SLIPWAY_OCI_USERNAME/SLIPWAY_OCI_PASSWORD".to_owned()),
        ));
    }
    if registry == "ghcr.io" {
        if let Some(token) = env.var("GITHUB_TOKEN") {
            let user = env
                .var("GITHUB_ACTOR")
                .unwrap_or_else(|| "x-access-token".to_owned());
            return Ok((
                Credentials::basic(user, token),
                Source("GITHUB_TOKEN".to_owned()),
            ));
        }
    }
    let config = match env.var("DOCKER_CONFIG") {
        Some(directory) => Some(Path::new(&directory).join("config.json")),
        None => env.home().map(|home| home.join(".docker/config.json")),
    };
    if let Some(config) = config.filter(|c| c.is_file()) {
        let text = fs_err::read_to_string(&config)?;
        if let Some(credentials) = registry::oci::credentials_from_docker_config(&text, registry)
            .with_context(|| format!("reading {}", config.display()))?
        {
            return Ok((credentials, Source(config.display().to_string())));
        }
    }
    Ok((
        Credentials::Anonymous,
        Source("none (anonymous)".to_owned()),
    ))
}

/// The GitHub variables (`GH_TOKEN`, `GITHUB_TOKEN`, `GITHUB_API_URL`, `GITHUB_REPOSITORY`).
pub fn github(env: &dyn Environment) -> registry::github::GithubEnv {
    registry::github::GithubEnv::from_lookup(|name| env.var(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::FixedEnvironment;

    #[test]
    fn pypirc_sections_are_read_by_name() {
        let text = "[distutils]\nindex-servers =\n    pypi\n    private\n\n[pypi]\nusername = __token__\npassword = pypi-abc\n\n[private]\nrepository: http://127.0.0.1:8080/\nusername: alice\npassword: pw\n";
        assert_eq!(
            parse_pypirc(text, "private"),
            Some(PypircSection {
                repository: Some("http://127.0.0.1:8080/".into()),
                username: Some("alice".into()),
                password: Some("pw".into()),
            })
        );
        assert_eq!(
            parse_pypirc(text, "pypi").and_then(|s| s.password),
            Some("pypi-abc".into())
        );
        assert_eq!(parse_pypirc(text, "missing"), None);
    }

    fn pypi_source(vars: &[(&str, &str)], pypirc: Option<&str>) -> Option<String> {
        let home = tempfile::tempdir().unwrap();
        if let Some(text) = pypirc {
            fs_err::write(home.path().join(".pypirc"), text).unwrap();
        }
        let mut env = FixedEnvironment::with_vars(vars.iter().copied());
        env.home = Some(home.path().to_owned());
        let index = PypiIndex::resolve(&IndexChoice::default(), &env).unwrap();
        index.upload_credentials(&env).map(|found| found.source().0)
    }

    #[test]
    fn pypi_credentials_are_looked_up_in_one_documented_order() {
        let pypirc = Some("[pypi]\nusername = __token__\npassword = pypi-file\n");
        let all = [
            ("SLIPWAY_PYPI_TOKEN", "a"),
            ("PYPI_TOKEN", "b"),
            ("TWINE_PASSWORD", "c"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:1/"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "d"),
        ];
        let expected = [
            "SLIPWAY_PYPI_TOKEN",
            "PYPI_TOKEN",
            "TWINE_USERNAME/TWINE_PASSWORD",
            ".pypirc",
            "trusted publishing (GitHub Actions OIDC)",
        ];
        for (skip, want) in expected.iter().enumerate() {
            let file = if skip <= 3 { pypirc } else { None };
            assert_eq!(
                pypi_source(&all[skip.min(3)..], file).as_deref(),
                Some(*want),
                "with the first {skip} sources removed"
            );
        }
        assert_eq!(pypi_source(&[], None), None);
    }

    #[test]
    fn the_prerelease_index_has_its_own_token_and_section_and_shares_the_generic_ones() {
        let home = tempfile::tempdir().unwrap();
        fs_err::write(
            home.path().join(".pypirc"),
            "[pypi]\npassword = pypi-file\n[testpypi]\npassword = test-file\n",
        )
        .unwrap();
        let source = |vars: &[(&str, &str)], prerelease: bool| {
            let mut env = FixedEnvironment::with_vars(vars.iter().copied());
            env.home = Some(home.path().to_owned());
            let choice = IndexChoice {
                repository_url: Some("http://127.0.0.1:1/".to_owned()),
                ..IndexChoice::default()
            };
            let index = if prerelease {
                PypiIndex::resolve_prerelease(&choice, &env)
            } else {
                PypiIndex::resolve(&choice, &env)
            }
            .unwrap();
            index
                .static_credentials(&env)
                .map(|(credentials, source)| (format!("{credentials:?}"), source.0))
        };
        let both = [
            ("SLIPWAY_PYPI_TOKEN", "prod"),
            ("SLIPWAY_TESTPYPI_TOKEN", "test"),
        ];
        assert_eq!(source(&both, false).unwrap().1, "SLIPWAY_PYPI_TOKEN");
        assert_eq!(source(&both, true).unwrap().1, "SLIPWAY_TESTPYPI_TOKEN");
        // The production token never goes to the pre-release index: its own section does.
        let prod = [("SLIPWAY_PYPI_TOKEN", "prod"), ("PYPI_TOKEN", "prod")];
        let (_, from) = source(&prod, true).unwrap();
        assert_eq!(from, ".pypirc");
        // The generic variables: before the section for the stable index (as twine reads
        // them), after it for the pre-release index.
        let twine = [("TWINE_PASSWORD", "generic")];
        assert_eq!(source(&twine, true).unwrap().1, ".pypirc");
        assert_eq!(
            source(&twine, false).unwrap().1,
            "TWINE_USERNAME/TWINE_PASSWORD"
        );
        fs_err::remove_file(home.path().join(".pypirc")).unwrap();
        assert_eq!(
            source(&twine, true).unwrap().1,
            "TWINE_USERNAME/TWINE_PASSWORD"
        );
    }

    fn oci_source(vars: &[(&str, &str)], docker_auths: Option<&str>, registry: &str) -> String {
        let home = tempfile::tempdir().unwrap();
        if let Some(auths) = docker_auths {
            fs_err::create_dir_all(home.path().join(".docker")).unwrap();
            fs_err::write(home.path().join(".docker/config.json"), auths).unwrap();
        }
        let mut env = FixedEnvironment::with_vars(vars.iter().copied());
        env.home = Some(home.path().to_owned());
        let (credentials, source) = oci(registry, &env).unwrap();
        let shown = format!("{credentials:?} from {source}");
        let shown = shown.replace(&home.path().display().to_string(), "~");
        assert!(!shown.contains("pw"), "no secret in {shown}");
        shown
    }

    #[test]
    fn oci_credentials_come_from_env_then_github_token_then_docker_config() {
        // base64("carol:pw-docker")
        let docker = r#"{"auths":{"https://ghcr.io":{"auth":"Y2Fyb2w6cHctZG9ja2Vy"},"127.0.0.1:5000":{"auth":"Y2Fyb2w6cHctZG9ja2Vy"}}}"#;
        assert_eq!(
            oci_source(
                &[
                    ("SLIPWAY_OCI_USERNAME", "alice"),
                    ("SLIPWAY_OCI_PASSWORD", "pw-env"),
                    ("GITHUB_TOKEN", "pw-gh"),
                ],
                Some(docker),
                "ghcr.io",
            ),
            r#"Basic { username: "alice", password: "****" } from SLIPWAY_OCI_USERNAME/SLIPWAY_OCI_PASSWORD"#,
        );
        assert_eq!(
            oci_source(
                &[("GITHUB_TOKEN", "pw-gh"), ("GITHUB_ACTOR", "octocat")],
                Some(docker),
                "ghcr.io",
            ),
            r#"Basic { username: "octocat", password: "****" } from GITHUB_TOKEN"#,
        );
        assert_eq!(
            oci_source(&[("GITHUB_TOKEN", "pw-gh")], Some(docker), "127.0.0.1:5000"),
            r#"Basic { username: "carol", password: "****" } from ~/.docker/config.json"#,
        );
        assert_eq!(
            oci_source(&[], Some(docker), "quay.io"),
            "Anonymous from none (anonymous)"
        );
        assert_eq!(
            oci_source(&[], None, "ghcr.io"),
            "Anonymous from none (anonymous)"
        );
    }
}
