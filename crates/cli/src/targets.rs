//! The publish targets of a project, resolved once per run: where each one is, who we are there
//! (the [credentials](crate::credentials) found), and which local files it takes.
//!
//! Resolving reads the configuration, the environment, `~/.pypirc` and Docker's `config.json`; it
//! sends nothing. The release plan, its preflight, its steps, `verify` and `rollback` all use these
//! values, so that each target is described once.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use registry::oci::{ClientOptions, OciClient};

use crate::bad_input;
use crate::credentials::{self, IndexChoice, PypiIndex, Source, UploadCredentials};
use crate::env::Environment;
use crate::project::Project;

/// Every target the configuration names.
#[derive(Debug, Default)]
pub struct Targets {
    /// `[pypi]`.
    pub pypi: Option<PypiTarget>,
    /// `[oci]`, or each `[[oci]]`.
    pub oci: Vec<OciTarget>,
    /// `[github]`.
    pub github: Option<GithubTarget>,
}

impl Targets {
    /// Resolves the targets of `project` (the repository gives the GitHub repository when the
    /// configuration does not).
    pub fn resolve(
        project: &Project,
        repository: &gitops::Repository,
        env: &dyn Environment,
    ) -> anyhow::Result<Targets> {
        let config = &project.config;
        let pypi = match &config.pypi {
            Some(pypi) => Some(PypiTarget::resolve(project, pypi, env).map_err(|error| {
                at_line(
                    project,
                    &[&pypi.repository_url, &pypi.prerelease_repository_url],
                    error,
                )
            })?),
            None => None,
        };
        let oci = config
            .oci
            .iter()
            .map(|oci| {
                OciTarget::resolve(oci, env)
                    .map_err(|error| at_line(project, &[&Some(oci.repository.clone())], error))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let github = match &config.github {
            Some(github) => Some(
                GithubTarget::resolve(project, repository, github, env)
                    .map_err(|error| at_line(project, &[&github.api_url], error))?,
            ),
            None => None,
        };
        Ok(Targets { pypi, oci, github })
    }

    /// Whether anything is published at all.
    pub fn any(&self) -> bool {
        self.pypi.is_some() || !self.oci.is_empty() || self.github.is_some()
    }

    /// The image target for `repository` (as the plan names it).
    pub fn oci_for(&self, repository: &str) -> anyhow::Result<&OciTarget> {
        self.oci
            .iter()
            .find(|target| target.repository.to_string() == repository)
            .with_context(|| format!("{repository} is no longer in the [oci] configuration"))
    }
}

/// Which of a project's Python indexes: the stable one, or the pre-release one
/// (`[pypi] prerelease-repository-url`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PypiChannel {
    /// `repository-url` (PyPI by default): stable releases, and pre-releases when there is no
    /// pre-release index.
    #[default]
    Stable,
    /// `prerelease-repository-url`: pre-releases only.
    Prerelease,
}

impl std::fmt::Display for PypiChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PypiChannel::Stable => "the stable index",
            PypiChannel::Prerelease => "the pre-release index",
        })
    }
}

/// A Python package index and the distributions uploaded to it: the stable index, and the
/// pre-release index when one is configured.
#[derive(Debug)]
pub struct PypiTarget {
    /// The stable index (`repository-url`).
    pub stable: PypiIndexTarget,
    /// The pre-release index (`prerelease-repository-url`), if any.
    pub prerelease: Option<PypiIndexTarget>,
    /// The project's name on the index.
    pub project: Option<String>,
    /// The globs of the files to upload (`pypi.dist`; default `dist/*`).
    pub patterns: Vec<String>,
}

/// One Python index of a project, as whom.
#[derive(Debug)]
pub struct PypiIndexTarget {
    /// The index.
    pub index: PypiIndex,
    /// The upload credentials found, if any.
    pub credentials: Option<UploadCredentials>,
    /// Read credentials (for an index that refuses anonymous reads): the static ones, if any.
    pub read_credentials: Option<(registry::pypi::Credentials, Source)>,
}

impl PypiTarget {
    fn resolve(
        project: &Project,
        config: &crate::config::PypiConfig,
        env: &dyn Environment,
    ) -> anyhow::Result<PypiTarget> {
        let index = PypiIndex::resolve(
            &IndexChoice {
                repository_url: config.repository_url.clone(),
                repository: config.repository.clone(),
                config_file: None,
                transport: config.transport(),
            },
            env,
        )
        .context("the [pypi] configuration")?;
        let prerelease = if config.prerelease_repository_url.is_some()
            || config.prerelease_repository.is_some()
        {
            let index = PypiIndex::resolve_prerelease(
                &IndexChoice {
                    repository_url: config.prerelease_repository_url.clone(),
                    repository: config.prerelease_repository.clone(),
                    config_file: None,
                    transport: config.transport(),
                },
                env,
            )
            .context("the [pypi] pre-release index")?;
            Some(PypiIndexTarget::new(index, env))
        } else {
            None
        };
        let patterns = if config.dist.is_empty() {
            vec!["dist/*".to_owned()]
        } else {
            config.dist.clone()
        };
        Ok(PypiTarget {
            stable: PypiIndexTarget::new(index, env),
            prerelease,
            project: project.distribution(),
            patterns,
        })
    }

    /// The channel `version` goes to: the pre-release index for a pre-release when there is one,
    /// else the stable index.
    pub fn channel_of(&self, version: &versioning::Version) -> PypiChannel {
        if version.is_prerelease() && self.prerelease.is_some() {
            PypiChannel::Prerelease
        } else {
            PypiChannel::Stable
        }
    }

    /// The index of `channel`; an error when a plan names the pre-release index and it is no
    /// longer configured.
    pub fn index(&self, channel: PypiChannel) -> anyhow::Result<&PypiIndexTarget> {
        match channel {
            PypiChannel::Stable => Ok(&self.stable),
            PypiChannel::Prerelease => self.prerelease.as_ref().context(
                "the release went to the pre-release index, and [pypi] prerelease-repository-url is no longer configured",
            ),
        }
    }

    /// The sdists and wheels under `root` that the patterns name (none is not an error here).
    pub fn files(&self, root: &Path) -> anyhow::Result<Vec<PathBuf>> {
        crate::files::distributions(root, &self.patterns, "pypi.dist")
    }
}

impl PypiIndexTarget {
    fn new(index: PypiIndex, env: &dyn Environment) -> PypiIndexTarget {
        PypiIndexTarget {
            credentials: index.upload_credentials(env),
            read_credentials: index.static_credentials(env),
            index,
        }
    }

    /// Where the upload credentials come from, for the dry run.
    pub fn credentials_source(&self) -> String {
        self.credentials.as_ref().map_or_else(
            || "no credentials found".to_owned(),
            |credentials| format!("credentials from {}", credentials.source()),
        )
    }

    /// A client that uploads, trading a GitHub OIDC token for a PyPI token if that is what there is.
    pub async fn upload_client(&self) -> anyhow::Result<registry::pypi::PypiClient> {
        let Some(credentials) = &self.credentials else {
            return Err(anyhow::anyhow!(
                "no credentials for {}: {}",
                self.index.display_url(),
                credentials::PYPI_HOW_TO
            ));
        };
        self.index.allows_credentials()?;
        tracing::info!(credentials = %credentials.source(), "index credentials");
        let resolved = credentials.resolve(&self.index).await?;
        Ok(registry::pypi::PypiClient::new(
            self.index.urls.clone(),
            Some(resolved),
        ))
    }

    /// A client that reads: anonymous, or with the static credentials when asked.
    pub fn read_client(&self, authenticated: bool) -> registry::pypi::PypiClient {
        let credentials = if authenticated && self.index.allows_credentials().is_ok() {
            self.read_credentials
                .as_ref()
                .map(|(credentials, _)| credentials.clone())
        } else {
            None
        };
        registry::pypi::PypiClient::new(self.index.urls.clone(), credentials)
    }
}

/// `error` about one of `values` of the configuration, with the file and line that value is
/// written on (`slipway.toml:7`) when it can be found there.
fn at_line(project: &Project, values: &[&Option<String>], error: anyhow::Error) -> anyhow::Error {
    let Some(path) = project.source.path() else {
        return error;
    };
    let Ok(text) = fs_err::read_to_string(path) else {
        return error;
    };
    let message = format!("{error:#}");
    let line = values
        .iter()
        .filter_map(|value| value.as_deref())
        .filter(|value| !value.is_empty() && message.contains(*value))
        .find_map(|value| text.lines().position(|line| line.contains(value)));
    match line {
        Some(line) => error.context(format!("{}:{}", path.display(), line + 1)),
        None => error,
    }
}

/// An OCI repository and the image layout pushed to it.
#[derive(Debug)]
pub struct OciTarget {
    /// The repository.
    pub repository: registry::oci::Repository,
    /// The credentials found (anonymous when none).
    pub credentials: registry::oci::Credentials,
    /// Where they came from.
    pub source: Source,
    /// The image layout, relative to the project.
    pub layout: PathBuf,
    /// Platforms the pushed image must carry.
    pub platforms: Vec<String>,
    /// `oci.latest`: whether stable releases may move `latest` at all.
    pub latest: bool,
    /// `oci.floating-tags`, parsed.
    pub floating_tags: Vec<crate::release::latest::FloatingTag>,
    /// Plain HTTP to a registry off loopback.
    pub insecure: bool,
    /// Credentials over that plain HTTP too.
    pub insecure_credentials: bool,
    /// Where pushes remember their blobs, to mount them across repositories.
    pub blob_locations: Option<std::sync::Arc<registry::oci::BlobLocations>>,
}

impl OciTarget {
    fn resolve(config: &crate::config::OciConfig, env: &dyn Environment) -> anyhow::Result<Self> {
        let repository = registry::oci::Repository::parse(&config.repository)
            .with_context(|| format!("oci.repository {:?}", config.repository))
            .map_err(bad_input)?;
        let (credentials, source) = credentials::oci(repository.registry(), env)?;
        let floating_tags = config
            .floating_tags
            .iter()
            .map(|template| {
                crate::release::latest::FloatingTag::parse(template)
                    .map_err(|reason| {
                        anyhow::anyhow!(
                            "oci.floating-tags of {}: {template:?} {reason}",
                            config.repository
                        )
                    })
                    .map_err(bad_input)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(OciTarget {
            floating_tags,
            repository,
            credentials,
            source,
            layout: config.layout.clone(),
            platforms: config.platforms.clone(),
            latest: config.latest,
            insecure: config.insecure,
            insecure_credentials: config.allow_insecure_credentials,
            blob_locations: oci_blob_locations(env),
        })
    }

    /// A client with the credentials found, or anonymous.
    pub fn client(&self, authenticated: bool) -> anyhow::Result<OciClient> {
        let registry = self.repository.registry();
        if authenticated
            && self.insecure
            && !self.insecure_credentials
            && !registry::transport::is_loopback_host(
                registry.rsplit_once(':').map_or(registry, |(host, _)| host),
            )
            && !matches!(self.credentials, registry::oci::Credentials::Anonymous)
        {
            return Err(crate::bad_input(anyhow::anyhow!(
                "credentials would go to {registry} in clear text (`insecure = true` is plain HTTP): use HTTPS; `insecure` allows anonymous plain HTTP only, and sending credentials in clear needs `allow-insecure-credentials = true` in [oci] as well"
            )));
        }
        oci_client(
            self.repository.registry(),
            if authenticated {
                self.credentials.clone()
            } else {
                registry::oci::Credentials::Anonymous
            },
            self.insecure,
            self.blob_locations.clone(),
        )
    }

    /// The image tags of `version`: the version (SemVer; `+` is not allowed in tags, so it becomes
    /// `_`), and `latest` when `moves_latest`.
    pub fn tags(version: &versioning::Version, moves_latest: bool) -> Vec<String> {
        let mut tags = vec![Self::version_tag(version)];
        if moves_latest {
            tags.push("latest".to_owned());
        }
        tags
    }

    /// The tag of `version` itself (`+` is not allowed in tags, so it becomes `_`).
    pub fn version_tag(version: &versioning::Version) -> String {
        version.to_string().replace('+', "_")
    }

    /// The tags that follow a series, for `version`: each floating tag, then `latest` when
    /// `oci.latest` allows it, each with the series it follows.
    pub fn moving_tags(
        &self,
        version: &versioning::Version,
    ) -> Vec<(String, crate::release::latest::Series)> {
        let mut tags: Vec<(String, crate::release::latest::Series)> = self
            .floating_tags
            .iter()
            .map(|floating| (floating.render(version), floating.series(version)))
            .collect();
        if self.latest {
            tags.push((
                "latest".to_owned(),
                crate::release::latest::Series::Everything,
            ));
        }
        tags
    }
}

/// Where OCI pushes remember their blobs (see [`registry::oci::BlobLocations`]):
/// `$XDG_CACHE_HOME/slipway/oci-blob-locations`, else under `~/.cache`; none without a home or with
/// `SLIPWAY_NO_BLOB_CACHE` set.
pub fn oci_blob_locations(
    env: &dyn crate::env::Environment,
) -> Option<std::sync::Arc<registry::oci::BlobLocations>> {
    if env.flag("SLIPWAY_NO_BLOB_CACHE") {
        return None;
    }
    let cache = env
        .var("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| env.home().map(|home| home.join(".cache")))?;
    Some(std::sync::Arc::new(registry::oci::BlobLocations::open(
        cache.join("slipway/oci-blob-locations"),
    )))
}

/// A client of the OCI registry `registry` with default options for it.
pub fn oci_client(
    registry: &str,
    credentials: registry::oci::Credentials,
    insecure: bool,
    blob_locations: Option<std::sync::Arc<registry::oci::BlobLocations>>,
) -> anyhow::Result<OciClient> {
    let options = ClientOptions {
        credentials,
        insecure,
        chunk_size: registry::oci::default_chunk_size(registry),
        blob_locations,
        ..ClientOptions::default()
    };
    Ok(OciClient::new(registry, options)?)
}

/// A GitHub repository's Releases.
#[derive(Debug)]
pub struct GithubTarget {
    /// The client, or why there is none (no token, no repository): the preflight reports it.
    pub client: Result<registry::github::GithubClient, String>,
    /// `owner/name`, as configured or derived from the remote.
    pub repository: Option<String>,
    /// The globs of the files to attach (`github.assets`).
    pub assets: Vec<String>,
}

impl GithubTarget {
    fn resolve(
        project: &Project,
        repository: &gitops::Repository,
        config: &crate::config::GithubConfig,
        env: &dyn Environment,
    ) -> anyhow::Result<GithubTarget> {
        let variables = credentials::github(env);
        let name = match &config.repository {
            Some(name) => Some(name.clone()),
            None => repository
                .remote_url(&project.config.git.remote)?
                .and_then(|url| changelog::Remote::parse(&url))
                .filter(|remote| remote.forge == changelog::Forge::GitHub)
                .and_then(|remote| {
                    let mut parts = remote.url.rsplitn(3, '/');
                    let name = parts.next()?;
                    let owner = parts.next()?;
                    Some(format!("{owner}/{name}"))
                })
                .or_else(|| variables.repository.clone()),
        };
        if let Some(api_url) = &config.api_url {
            // The token always goes along: plain HTTP off loopback must be allowed twice.
            registry::transport::check(api_url, config.transport(), true)
                .map_err(|error| bad_input(anyhow::anyhow!("github.api-url: {error}")))?;
        }
        let client = registry::github::GithubClient::from_env(
            &variables,
            config.api_url.as_deref(),
            name.as_deref(),
        )
        .map_err(|error| match error {
            registry::github::ConfigError::MissingToken => {
                format!("no GitHub token: {}", credentials::GITHUB_HOW_TO)
            }
            other => other.to_string(),
        });
        Ok(GithubTarget {
            client,
            repository: name,
            assets: config.assets.clone(),
        })
    }

    /// The client, or an error that says what is missing.
    pub fn client(&self) -> anyhow::Result<&registry::github::GithubClient> {
        self.client
            .as_ref()
            .map_err(|reason| bad_input(anyhow::anyhow!("[github]: {reason}")))
    }

    /// The files to attach, found under `root`.
    pub fn files(&self, root: &Path) -> anyhow::Result<Vec<PathBuf>> {
        crate::files::discover(root, &self.assets, "github.assets")
    }
}
