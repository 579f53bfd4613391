//! Configuration: where it is read from, what it may say, and what holds when it says nothing.
//!
//! slipway looks in the project directory, first match wins:
//!
//! 1. `slipway.toml`;
//! 2. `[tool.slipway]` in `pyproject.toml`;
//! 3. `[workspace.metadata.slipway]` (or `[package.metadata.slipway]`) in `Cargo.toml`;
//! 4. nothing: every setting has a default, and version files are detected (see
//!    [`crate::project`]).
//!
//! An unknown key is an error naming the key, the file and the line, because a misspelt setting that is
//! silently ignored is how a release candidate ends up published as final.
//! `slipway init` writes a commented `slipway.toml`, and `slipway config schema` prints the JSON Schema.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole configuration. Every field is optional in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The project's name: used in tag patterns (`{package}`), on PyPI and in messages.
    /// Default: `[project].name` of pyproject.toml or `[package].name` of Cargo.toml.
    pub name: Option<String>,
    /// How release tags are spelled: `{version}` is replaced by the SemVer version, `{package}` by
    /// the name. Default: `v{version}`.
    pub tag_pattern: Option<String>,
    /// Pre-release identifiers in train order. Default: `["alpha", "beta", "rc"]`.
    pub prerelease_order: Option<Vec<String>>,
    /// How levels decided from commits apply while the major version is 0. Default: `cargo`.
    pub zero_major: Option<ZeroMajorSetting>,
    /// The files that carry the version. Default: detected (pyproject.toml, `__init__.py`,
    /// setup.py, setup.cfg, Cargo.toml files of the workspace, package.json, Dockerfile).
    #[serde(default)]
    pub version_files: Vec<VersionFileConfig>,
    /// Git settings.
    #[serde(default)]
    pub git: GitConfig,
    /// Changelog settings.
    #[serde(default)]
    pub changelog: ChangelogConfig,
    /// Commands run around the release.
    #[serde(default)]
    pub hooks: HooksConfig,
    /// Publishing to a Python package index.
    pub pypi: Option<PypiConfig>,
    /// Publishing images to OCI registries: one `[oci]` table, or several `[[oci]]` (an app and its
    /// operator), each pushed with the release.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(with = "OneOrMany<OciConfig>")]
    pub oci: Vec<OciConfig>,
    /// GitHub Releases.
    pub github: Option<GithubConfig>,
    /// Publishing the workspace's crates to a crate registry.
    pub cargo: Option<CargoConfig>,
    /// The packages of a repository that releases several (each with its own version, tags and
    /// changelog). Default: discovered from a Cargo workspace whose members carry their own
    /// versions, a uv workspace, or an npm/pnpm workspace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageConfig>,
}

/// One package of a repository that releases several; everything not said here is inherited
/// from the top-level settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageConfig {
    /// The package's directory, relative to the project.
    pub path: PathBuf,
    /// Its name (in tags, change files and `--package`). Default: its manifest's name.
    pub name: Option<String>,
    /// How its release tags are spelled. Default: `{package}-v{version}`.
    pub tag_pattern: Option<String>,
    /// Its changelog, relative to the package. Default: `CHANGELOG.md`.
    pub changelog: Option<PathBuf>,
    /// The files that carry its version, relative to the package. Default: detected there.
    #[serde(default)]
    pub version_files: Vec<VersionFileConfig>,
    /// Publishing it to a Python package index, instead of the top-level `[pypi]`.
    pub pypi: Option<PypiConfig>,
    /// Its images, instead of the top-level `[oci]`.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(with = "OneOrMany<OciConfig>")]
    pub oci: Vec<OciConfig>,
    /// Its GitHub Release, instead of the top-level `[github]`.
    pub github: Option<GithubConfig>,
    /// Its hooks, run in its directory when it is released (the top-level hooks run once per
    /// release, in the project directory).
    pub hooks: Option<HooksConfig>,
}

/// One table or an array of tables, as the configuration may spell a list of targets.
#[derive(JsonSchema)]
#[serde(untagged)]
#[expect(
    dead_code,
    reason = "only its schema is used; `one_or_many` reads the values"
)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// Reads one `T` (a table) or a list of them (an array of tables), keeping the inner errors (an
/// unknown key and its line), which an untagged enum would replace by "did not match any variant".
fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("a table or an array of tables")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|one| vec![one])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
            Vec::<T>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }
    deserializer.deserialize_any(Visitor(std::marker::PhantomData))
}

/// The 0.x policy, as the configuration spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ZeroMajorSetting {
    /// Breaking → minor, feature → patch, fix → patch (Cargo's convention).
    Cargo,
    /// Breaking → minor, feature → minor, fix → patch.
    MinorForBreaking,
    /// No special case: breaking → 1.0.0.
    AsStable,
}

impl From<ZeroMajorSetting> for versioning::ZeroMajor {
    fn from(setting: ZeroMajorSetting) -> Self {
        match setting {
            ZeroMajorSetting::Cargo => versioning::ZeroMajor::Cargo,
            ZeroMajorSetting::MinorForBreaking => versioning::ZeroMajor::MinorForBreaking,
            ZeroMajorSetting::AsStable => versioning::ZeroMajor::AsStable,
        }
    }
}

/// One file that carries the version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VersionFileConfig {
    /// The file, relative to the project directory.
    pub path: PathBuf,
    /// For any other text file (docs): the text around the version, with `{version}` where it
    /// stands, e.g. `pip install mypkg=={version}`. Without it (or `regex`) the kind is detected
    /// from the name.
    pub pattern: Option<String>,
    /// Instead of `pattern`: a regular expression with a named group `version`.
    pub regex: Option<String>,
    /// With `pattern` or `regex`: the scheme the version is written in. Default: `semver`.
    pub scheme: Option<SchemeSetting>,
    /// With `pattern` or `regex`: how many places may match (more is an error). Default: 1.
    pub max_matches: Option<usize>,
}

/// A version scheme, as the configuration spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeSetting {
    /// SemVer 2.0: `1.2.0-rc.1`.
    Semver,
    /// PEP 440: `1.2.0rc1`.
    Pep440,
}

/// Git settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct GitConfig {
    /// The remote to push to. Default: `origin`.
    pub remote: String,
    /// The branch releases are made from. Default: the current branch.
    pub branch: Option<String>,
    /// Sign tags with `git tag -s`. Default: false.
    pub sign_tags: bool,
    /// The branching model: `trunk` (releases are tagged on the branch they are made from) or
    /// `git-flow` (release branches cut from the develop branch, merged into the main branch and
    /// tagged there, then merged back). Default: `trunk`.
    pub flow: Flow,
    /// The branch releases are tagged on, in git-flow. Default: `main`.
    pub main_branch: String,
    /// The branch work is merged into between releases, in git-flow. Default: `develop`.
    pub develop_branch: String,
    /// The name of a release branch, in git-flow. Default: `release/v{version}`.
    #[schemars(with = "String")]
    pub release_branch: BranchTemplate,
    /// The name of a hotfix branch. Default: `hotfix/{version}`.
    #[schemars(with = "String")]
    pub hotfix_branch: BranchTemplate,
}

impl Default for GitConfig {
    fn default() -> Self {
        Self {
            remote: "origin".to_owned(),
            branch: None,
            sign_tags: false,
            flow: Flow::Trunk,
            main_branch: "main".to_owned(),
            develop_branch: "develop".to_owned(),
            release_branch: BranchTemplate::new("release/v{version}").expect("a valid template"),
            hotfix_branch: BranchTemplate::new("hotfix/{version}").expect("a valid template"),
        }
    }
}

/// A branching model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// Releases are tagged on the branch they are made from; hotfixes are cherry-picked back.
    #[default]
    Trunk,
    /// git-flow: `release start` cuts a release branch from develop, `release finish` merges it
    /// into main (tagged) and main back into develop; hotfixes are merged into both.
    GitFlow,
}

/// A branch name with `{version}` in it, such as `release/v{version}`: checked when the
/// configuration is read, so that a bad one stops nothing half-way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BranchTemplate(String);

impl BranchTemplate {
    /// The template, if `{version}` appears in it once and the rest can be part of a branch name.
    pub fn new(template: &str) -> Result<BranchTemplate, String> {
        if template.matches("{version}").count() != 1 {
            return Err(format!(
                "branch template {template:?} must contain {{version}} exactly once, e.g. \"release/v{{version}}\""
            ));
        }
        // What `git check-ref-format` refuses, with the version in place: the one rule of
        // `versioning::check_branch_name`.
        let sample = template.replace("{version}", "1.2.0");
        let bad = versioning::check_branch_name(&sample).is_err();
        if bad {
            return Err(format!(
                "branch template {template:?} does not give a valid branch name (no spaces, `..`, `~^:?*[\\`, leading `-` or `.`, trailing `/`, `.` or `.lock`)"
            ));
        }
        Ok(BranchTemplate(template.to_owned()))
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The branch of `version`.
    pub fn format(&self, version: &versioning::Version) -> String {
        self.0.replace("{version}", &version.to_string())
    }

    /// The version a branch of this template is for, if `branch` is one.
    pub fn parse(&self, branch: &str) -> Option<versioning::Version> {
        let (prefix, suffix) = self.0.split_once("{version}")?;
        let text = branch.strip_prefix(prefix)?.strip_suffix(suffix)?;
        versioning::Version::parse(text).ok()
    }
}

impl<'de> Deserialize<'de> for BranchTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BranchTemplate::new(&text).map_err(serde::de::Error::custom)
    }
}

/// The message of the commit a release makes, `{version}` standing for the version.
///
/// The changelog recognises these commits by this template ([`changelog::is_release_commit`]),
/// not by their type, so they stay out of it even when `chore` is shown.
pub const RELEASE_COMMIT_TEMPLATE: &str = "chore(release): {version}";

/// Changelog settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ChangelogConfig {
    /// The changelog file. Default: `CHANGELOG.md`.
    pub path: PathBuf,
    /// Fold pre-release tags into the next stable release, so that `1.2.0`'s notes cover everything
    /// since `1.1.0`. Default: true.
    pub fold_prereleases: bool,
    /// List commits that are not conventional (and types no section names) under "Other" instead of
    /// dropping them. Default: true.
    pub include_other: bool,
    /// List each conventional line (`* feat: …`, `- fix: …`) of a commit whose summary is not
    /// conventional (a squash merge) as an entry of its own. Default: true.
    pub split_squash_commits: bool,
    /// Commit type → section title, replacing the defaults for the types named
    /// (e.g. `{ refactor = "Changed" }`); an empty title hides the type.
    pub sections: BTreeMap<String, String>,
    /// Only commits that touch these paths (globs), for several packages in one repository.
    pub include_paths: Vec<String>,
    /// With `fold-prereleases`, what becomes of a version's pre-release sections (`## [1.2.0-rc.1]`)
    /// when the version is released: `fold` (removed; their hand-written lines move into the
    /// stable section), `collapse` (moved into a `<details>` block at its end) or `keep`.
    /// Default: `fold`.
    pub prerelease_sections: PrereleaseSectionsSetting,
    /// The documentation's address, linked from announcements.
    pub documentation_url: Option<String>,
    /// The migration guide's address, linked from announcements of releases with breaking
    /// changes.
    pub migration_guide_url: Option<String>,
}

/// What becomes of pre-release sections, as the configuration spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PrereleaseSectionsSetting {
    /// Removed, their hand-written lines carried into the stable section.
    #[default]
    Fold,
    /// Moved into a collapsed block at the end of the stable section.
    Collapse,
    /// Left where they are.
    Keep,
}

impl Config {
    /// How users install `version` from each configured target, for announcements:
    /// `pip install --upgrade name==1.2.0rc1` for `[pypi]`, `docker pull repo:1.2.0-rc.1` for
    /// `[oci]`.
    pub fn install_lines(&self, name: Option<&str>, version: &versioning::Version) -> Vec<String> {
        let mut lines = Vec::new();
        if let (Some(_), Some(name)) = (&self.pypi, name) {
            let pep440 = versioning::to_pep440(version)
                .map_or_else(|_| version.to_string(), |pep440| pep440.to_string());
            lines.push(format!("pip install --upgrade {name}=={pep440}"));
        }
        for oci in &self.oci {
            lines.push(format!(
                "docker pull {}:{}",
                oci.repository,
                version.to_string().replace('+', "_")
            ));
        }
        lines
    }
}

impl From<PrereleaseSectionsSetting> for changelog::PrereleaseSections {
    fn from(setting: PrereleaseSectionsSetting) -> Self {
        match setting {
            PrereleaseSectionsSetting::Fold => changelog::PrereleaseSections::Fold,
            PrereleaseSectionsSetting::Collapse => changelog::PrereleaseSections::Collapse,
            PrereleaseSectionsSetting::Keep => changelog::PrereleaseSections::Keep,
        }
    }
}

impl ChangelogConfig {
    /// The changelog crate's policy for these settings.
    pub fn policy(&self) -> changelog::Config {
        let mut policy = changelog::Config {
            fold_prereleases: self.fold_prereleases,
            split_squash_commits: self.split_squash_commits,
            release_commit_template: Some(RELEASE_COMMIT_TEMPLATE.to_owned()),
            ..changelog::Config::default()
        };
        if !self.include_other {
            policy.other = None;
        }
        for (kind, title) in &self.sections {
            for section in &mut policy.sections {
                section
                    .types
                    .retain(|listed| !listed.eq_ignore_ascii_case(kind));
            }
            policy
                .hidden
                .retain(|listed| !listed.eq_ignore_ascii_case(kind));
            if title.is_empty() {
                policy.hidden.push(kind.clone());
            } else if let Some(section) = policy
                .sections
                .iter_mut()
                .find(|section| section.title == *title)
            {
                section.types.push(kind.clone());
            } else {
                policy.sections.push(changelog::SectionConfig {
                    title: title.clone(),
                    types: vec![kind.clone()],
                });
            }
        }
        policy.sections.retain(|section| !section.types.is_empty());
        policy
    }
}

impl Default for ChangelogConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("CHANGELOG.md"),
            fold_prereleases: true,
            include_other: true,
            split_squash_commits: true,
            sections: BTreeMap::new(),
            include_paths: Vec::new(),
            prerelease_sections: PrereleaseSectionsSetting::default(),
            documentation_url: None,
            migration_guide_url: None,
        }
    }
}

/// Commands run around the release, each through `sh -c` in the project directory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct HooksConfig {
    /// Before the bump: the tests (`uv run pytest`, `cargo test`).
    pub before_bump: Vec<String>,
    /// After the bump is committed: the build (`python -m build`, `uv build`).
    pub build: Vec<String>,
    /// After everything is published.
    pub after_publish: Vec<String>,
}

/// Publishing to a Python package index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PypiConfig {
    /// The upload URL. Default: PyPI's (`https://upload.pypi.org/legacy/`).
    pub repository_url: Option<String>,
    /// A repository name from `~/.pypirc`, instead of `repository-url`.
    pub repository: Option<String>,
    /// Where pre-releases go (e.g. TestPyPI's `https://test.pypi.org/legacy/`): when set, a
    /// pre-release is uploaded there and only there, and a stable release to `repository-url` only.
    /// Credentials: `SLIPWAY_TESTPYPI_TOKEN`, else the generic ones (see [`crate::credentials`]).
    pub prerelease_repository_url: Option<String>,
    /// A repository name from `~/.pypirc` for pre-releases, instead of
    /// `prerelease-repository-url`; its section also gives the pre-release credentials
    /// (default section: `testpypi`).
    pub prerelease_repository: Option<String>,
    /// The files to upload (globs). Default: `dist/*`.
    pub dist: Vec<String>,
    /// Plain HTTP to an index that is not on a loopback address (without credentials).
    pub insecure: bool,
    /// With `insecure`: credentials over that plain HTTP too (they travel in clear text).
    pub allow_insecure_credentials: bool,
}

impl PypiConfig {
    /// What plain HTTP is allowed.
    pub fn transport(&self) -> registry::transport::Transport {
        registry::transport::Transport {
            insecure: self.insecure,
            insecure_credentials: self.allow_insecure_credentials,
        }
    }
}

/// Publishing images to an OCI registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OciConfig {
    /// The repository, e.g. `ghcr.io/owner/project`.
    pub repository: String,
    /// The image layout to push (a directory or a tar, as `docker buildx build --output type=oci`
    /// writes it).
    pub layout: PathBuf,
    /// Platforms every pushed image must carry, e.g. `["linux/amd64", "linux/arm64"]`.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Also tag stable releases as `latest` (never pre-releases). Default: true.
    #[serde(default = "yes")]
    pub latest: bool,
    /// Tags that follow the highest stable release of their series, as docker/metadata-action's
    /// `{{major}}.{{minor}}` and `{{major}}` do, e.g. `["{major}.{minor}", "{major}"]`: `1.1` names
    /// the highest 1.1.x, `1` the highest 1.x.y. They move only for a stable release that is the
    /// highest of its series (never for a pre-release), and a rollback moves them back.
    /// Placeholders: `{major}`, `{minor}`. Default: none.
    #[serde(default)]
    pub floating_tags: Vec<String>,
    /// Plain HTTP to a registry that is not on a loopback address (anonymous only).
    #[serde(default)]
    pub insecure: bool,
    /// With `insecure`: credentials over that plain HTTP too (they travel in clear text).
    #[serde(default)]
    pub allow_insecure_credentials: bool,
}

fn yes() -> bool {
    true
}

/// GitHub Releases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct GithubConfig {
    /// `owner/name`. Default: derived from the remote's URL.
    pub repository: Option<String>,
    /// The API's base URL. Default: `https://api.github.com`.
    pub api_url: Option<String>,
    /// Files to attach to the release (globs).
    pub assets: Vec<String>,
    /// Plain HTTP to an `api-url` off loopback.
    pub insecure: bool,
    /// With `insecure`: the token over that plain HTTP too (it travels in clear text).
    pub allow_insecure_credentials: bool,
}

impl GithubConfig {
    /// What plain HTTP is allowed.
    pub fn transport(&self) -> registry::transport::Transport {
        registry::transport::Transport {
            insecure: self.insecure,
            insecure_credentials: self.allow_insecure_credentials,
        }
    }
}

/// Publishing the workspace's crates with `cargo publish`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CargoConfig {
    /// Publish the workspace's publishable members, dependencies first. Default: false.
    pub publish: bool,
    /// The alternative registry to publish to (a name from `.cargo/config.toml`'s `[registries]`).
    /// Default: crates.io.
    pub registry: Option<String>,
    /// Let `cargo publish` build each packaged crate before uploading it (`false` passes
    /// `--no-verify`). Default: true.
    pub verify: bool,
}

impl Default for CargoConfig {
    fn default() -> Self {
        Self {
            publish: false,
            registry: None,
            verify: true,
        }
    }
}

/// Where the configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `slipway.toml` (or a file named with `--config`).
    File(PathBuf),
    /// `[tool.slipway]` in this pyproject.toml.
    Pyproject(PathBuf),
    /// `[workspace.metadata.slipway]` or `[package.metadata.slipway]` in this Cargo.toml.
    CargoManifest(PathBuf),
    /// No configuration: defaults and detection.
    Defaults,
}

impl Source {
    /// The file the configuration was read from, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::File(path) | Source::Pyproject(path) | Source::CargoManifest(path) => {
                Some(path)
            }
            Source::Defaults => None,
        }
    }
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or says something slipway does not understand (an unknown key, a
    /// wrong type). The message names the line and the key.
    #[error("invalid configuration in {}:{line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the problem.
        line: usize,
        /// What is wrong, as the TOML parser says it.
        message: String,
    },
}

/// Loads the configuration for the project in `directory`, or from `explicit` when given.
pub fn load(directory: &Path, explicit: Option<&Path>) -> Result<(Config, Source), ConfigError> {
    if let Some(path) = explicit {
        let path = directory.join(path);
        let text = read(&path)?;
        return Ok((parse_as::<Config>(&path, &text)?, Source::File(path)));
    }
    let slipway = directory.join("slipway.toml");
    if slipway.is_file() {
        let text = read(&slipway)?;
        let pyproject = directory.join("pyproject.toml");
        if fs_err::read_to_string(&pyproject)
            .ok()
            .and_then(|text| toml::from_str::<PyprojectFile>(&text).ok())
            .is_some_and(|file| file.tool.is_some_and(|tool| tool.slipway.is_some()))
        {
            tracing::warn!(
                "both slipway.toml and [tool.slipway] in pyproject.toml configure slipway: slipway.toml is used, [tool.slipway] is ignored"
            );
        }
        return Ok((parse_as::<Config>(&slipway, &text)?, Source::File(slipway)));
    }
    let pyproject = directory.join("pyproject.toml");
    if pyproject.is_file() {
        let text = read(&pyproject)?;
        let file: PyprojectFile = parse_as(&pyproject, &text)?;
        if let Some(config) = file.tool.and_then(|tool| tool.slipway) {
            return Ok((config, Source::Pyproject(pyproject)));
        }
    }
    let cargo = directory.join("Cargo.toml");
    if cargo.is_file() {
        let text = read(&cargo)?;
        let file: CargoFile = parse_as(&cargo, &text)?;
        let config = file
            .workspace
            .and_then(|workspace| workspace.metadata)
            .and_then(|metadata| metadata.slipway)
            .or_else(|| {
                file.package
                    .and_then(|package| package.metadata)
                    .and_then(|metadata| metadata.slipway)
            });
        if let Some(config) = config {
            return Ok((config, Source::CargoManifest(cargo)));
        }
    }
    Ok((Config::default(), Source::Defaults))
}

fn read(path: &Path) -> Result<String, ConfigError> {
    fs_err::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Parses the text of a `slipway.toml`; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    parse_as(path, text)
}

/// Parses `text` (the whole file, so that line numbers are the file's own).
fn parse_as<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|error| {
        let line = error.span().map_or(1, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            message: error.message().trim().to_owned(),
        }
    })
}

// The host files: only the tables that can hold slipway's configuration are read; everything else in
// them is someone else's business and ignored.

#[derive(Deserialize)]
struct PyprojectFile {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    slipway: Option<Config>,
}

#[derive(Deserialize)]
struct CargoFile {
    workspace: Option<CargoSection>,
    package: Option<CargoSection>,
}

#[derive(Deserialize)]
struct CargoSection {
    metadata: Option<CargoMetadata>,
}

#[derive(Deserialize)]
struct CargoMetadata {
    slipway: Option<Config>,
}

/// The JSON Schema of `slipway.toml` (and of the `[tool.slipway]` table), pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Config);
    serde_json::to_string_pretty(&schema).expect("a schema serialises")
}

/// The commented `slipway.toml` that `slipway init` writes. Every setting is shown at its default.
pub const INIT_TEMPLATE: &str = r#"# slipway configuration. Every setting is optional; what is shown is the default or an example.
# The JSON Schema: `slipway config schema`.

# name = "my-project"            # default: [project].name of pyproject.toml or [package].name of Cargo.toml
# tag-pattern = "v{version}"     # `{package}-v{version}` for several packages in one repository
# prerelease-order = ["alpha", "beta", "rc"]
# zero-major = "cargo"           # in 0.x: breaking → minor, feature → patch; or "minor-for-breaking", "as-stable"

# The files that carry the version. Without any, slipway detects them.
# [[version-files]]
# path = "pyproject.toml"
# [[version-files]]
# path = "docs/installation.md"
# pattern = "pip install my-project=={version}"
# max-matches = 2

[git]
remote = "origin"
# branch = "main"                # default: the current branch
sign-tags = false
flow = "trunk"                    # or "git-flow": `slipway release start` on develop, `release finish` on the release branch
# main-branch = "main"            # git-flow: where releases are merged and tagged
# develop-branch = "develop"      # git-flow: where release branches are cut from, and merged back into
# release-branch = "release/v{version}"
# hotfix-branch = "hotfix/{version}"

[changelog]
path = "CHANGELOG.md"
fold-prereleases = true          # 1.2.0's notes cover everything since 1.1.0, rc tags included
prerelease-sections = "fold"     # then 1.2.0-rc.N sections go (hand-written lines kept); or "collapse", "keep"
# documentation-url = "https://docs.example.com"          # linked from announcements
# migration-guide-url = "https://docs.example.com/upgrade" # linked when there are breaking changes
include-other = true             # list non-conventional commits under "Other" (false drops them)
split-squash-commits = true      # one entry per "* feat: …" line of a squash commit's body
# sections = { refactor = "Changed", chore = "" }   # "" hides a type
# include-paths = ["packages/core/**"]

[hooks]
before-bump = []                 # e.g. ["uv run pytest"] or ["cargo test"]
build = []                       # e.g. ["python -m build"]
after-publish = []

# [pypi]
# repository-url = "https://upload.pypi.org/legacy/"
# prerelease-repository-url = "https://test.pypi.org/legacy/"   # pre-releases go there, and only there
# dist = ["dist/*"]

# [[oci]]                        # one [[oci]] per image (a single [oci] table works too)
# repository = "ghcr.io/owner/project"
# layout = "build/image.tar"
# platforms = ["linux/amd64", "linux/arm64"]
# latest = true
# floating-tags = ["{major}.{minor}", "{major}"]

# [cargo]
# publish = true                 # the workspace's crates, dependencies first
# registry = "my-registry"       # default: crates.io

# [github]
# repository = "owner/project"   # default: from the remote's URL
# assets = ["dist/*"]

# Several packages in one repository, each with its own version, tags and CHANGELOG.md.
# Default: discovered in a Cargo workspace (members with their own versions), uv or npm/pnpm workspace.
# [[packages]]
# path = "packages/core"
# name = "core"                  # default: its manifest's name
# tag-pattern = "{package}-v{version}"
# changelog = "CHANGELOG.md"     # relative to the package
# hooks.build = ["uv build"]     # run in the package's directory when it is released
# [packages.pypi]                # its own targets: pypi, oci, github (the top-level [pypi] and
# dist = ["dist/*"]              # [cargo] apply to its Python or Cargo packages, [github] to all)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<(Config, Source), ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join(name), text).unwrap();
        load(dir.path(), None)
    }

    #[test]
    fn no_configuration_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let (config, source) = load(dir.path(), None).unwrap();
        assert_eq!(source, Source::Defaults);
        assert_eq!(config, Config::default());
        assert_eq!(config.git.remote, "origin");
        assert!(config.changelog.fold_prereleases);
    }

    #[test]
    fn slipway_toml_is_read() {
        let (config, source) = load_text(
            "slipway.toml",
            "tag-pattern = \"{package}-v{version}\"\n[git]\nremote = \"upstream\"\n",
        )
        .unwrap();
        assert!(matches!(source, Source::File(_)));
        assert_eq!(config.tag_pattern.as_deref(), Some("{package}-v{version}"));
        assert_eq!(config.git.remote, "upstream");
    }

    #[test]
    fn an_unknown_key_names_the_key_the_file_and_the_line() {
        let error = load_text(
            "slipway.toml",
            "name = \"x\"\n\n[git]\nremtoe = \"origin\"\n",
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("slipway.toml:4:"), "{message}");
        assert!(message.contains("remtoe"), "{message}");
    }

    #[test]
    fn pyproject_tool_table_is_read_and_its_lines_are_the_files_own() {
        let text = "[project]\nname = \"demo\"\nversion = \"1.0.0\"\n\n[tool.slipway]\ntag-pattern = \"v{version}\"\nbogus = 1\n";
        let error = load_text("pyproject.toml", text).unwrap_err().to_string();
        assert!(error.contains("pyproject.toml:7:"), "{error}");
        assert!(error.contains("bogus"), "{error}");
        let (config, source) =
            load_text("pyproject.toml", &text.replace("bogus = 1\n", "")).unwrap();
        assert!(matches!(source, Source::Pyproject(_)));
        assert_eq!(config.tag_pattern.as_deref(), Some("v{version}"));
    }

    #[test]
    fn pyproject_without_tool_table_means_defaults() {
        let (_, source) = load_text(
            "pyproject.toml",
            "[project]\nname = \"demo\"\n[tool.ruff]\nline-length = 100\n",
        )
        .unwrap();
        assert_eq!(source, Source::Defaults);
    }

    #[test]
    fn cargo_workspace_metadata_is_read() {
        let text = "[workspace]\nmembers = []\n[workspace.metadata.slipway]\n[workspace.metadata.slipway.changelog]\ninclude-other = true\n";
        let (config, source) = load_text("Cargo.toml", text).unwrap();
        assert!(matches!(source, Source::CargoManifest(_)));
        assert!(config.changelog.include_other);
    }

    #[test]
    fn one_oci_table_or_an_array_of_them_is_read_and_errors_keep_their_line() {
        let (config, _) = load_text(
            "slipway.toml",
            "[oci]\nrepository = \"r.example/app\"\nlayout = \"build/app\"\n",
        )
        .unwrap();
        assert_eq!(config.oci.len(), 1);
        assert!(config.oci[0].latest);
        let (config, _) = load_text(
            "slipway.toml",
            "[[oci]]\nrepository = \"r.example/app\"\nlayout = \"a\"\nfloating-tags = [\"{major}\"]\n[[oci]]\nrepository = \"r.example/operator\"\nlayout = \"b\"\nlatest = false\n",
        )
        .unwrap();
        assert_eq!(
            config
                .oci
                .iter()
                .map(|oci| (oci.repository.as_str(), oci.latest, oci.floating_tags.len()))
                .collect::<Vec<_>>(),
            [("r.example/app", true, 1), ("r.example/operator", false, 0)]
        );
        let error = load_text(
            "slipway.toml",
            "[[oci]]\nrepository = \"r.example/app\"\nlayout = \"a\"\n\n[[oci]]\nrepository = \"r.example/b\"\nlayuot = \"b\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("layuot"), "{error}");
        assert!(error.contains("slipway.toml:7:"), "{error}");
        // The journal stores the configuration as JSON and reads it back.
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(serde_json::from_str::<Config>(&json).unwrap(), config);
    }

    #[test]
    fn the_init_template_is_a_valid_configuration_with_the_defaults() {
        let config: Config = toml::from_str(INIT_TEMPLATE).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn the_schema_names_every_section() {
        let schema = json_schema();
        for key in [
            "tag-pattern",
            "version-files",
            "changelog",
            "hooks",
            "pypi",
            "oci",
            "github",
            "cargo",
            "floating-tags",
            "prerelease-repository-url",
        ] {
            assert!(schema.contains(&format!("\"{key}\"")), "schema lacks {key}");
        }
    }
}
