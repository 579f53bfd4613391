//! The project in a directory: its configuration, its name and the files that carry its version.
//!
//! With no `version-files` configured, slipway looks for the usual places, in this order:
//! `pyproject.toml`, `setup.py`, `setup.cfg`, the package's `__init__.py` / `_version.py` /
//! `__about__.py` (under `src/<name>/` or `<name>/`), `Cargo.toml` (and, in a workspace, every member's
//! manifest that carries a version of its own), `package.json`, and `Dockerfile`. A detected file is
//! kept only when it really holds a version, so a Dockerfile without a version label is not an error.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::{self, Config, Source};

/// A project: a directory with its configuration.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project directory.
    pub directory: PathBuf,
    /// The configuration, defaults filled in where the file was silent.
    pub config: Config,
    /// Where the configuration came from.
    pub source: Source,
    /// The project's name, configured or detected.
    pub name: Option<String>,
    /// Names of the crates of this Cargo workspace (empty for other projects): their version
    /// requirements on each other move with the version, external ones never do.
    pub internal_crates: Vec<String>,
    /// When the project is one package of a repository that releases several
    /// ([`crate::packages`]): the repository's project directory.
    pub root: Option<PathBuf>,
}

/// A candidate version file: a path relative to the project, and its configuration if the user named
/// it (then it must exist and hold a version) rather than slipway detecting it.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateFile {
    /// The path, relative to the project directory.
    pub path: PathBuf,
    /// The user's entry for the file, or `None` when it was detected.
    pub configured: Option<crate::config::VersionFileConfig>,
    /// Why slipway chose it, for `slipway check`.
    pub reason: String,
}

impl Project {
    /// Reads the project in `directory`, with the configuration file `explicit` if given.
    pub fn discover(directory: &Path, explicit: Option<&Path>) -> anyhow::Result<Project> {
        let (config, source) = config::load(directory, explicit).map_err(crate::bad_input)?;
        // A tooling-only root names the workspace, not the package released from it.
        let name = config
            .name
            .clone()
            .or_else(|| {
                single_package_directory(directory)
                    .and_then(|package| detect_name(&directory.join(package)))
            })
            .or_else(|| detect_name(directory));
        let internal_crates = workspace_versioned_members(directory)
            .into_iter()
            .filter_map(|manifest| cargo_package_name(&directory.join(manifest)))
            .collect();
        Ok(Project {
            directory: directory.to_owned(),
            config,
            source,
            name,
            internal_crates,
            root: None,
        })
    }

    /// The name it has on a package index: a package's distribution (`hangar-core`, from its
    /// manifest), which its name in `[[packages]]` may differ from; otherwise [`Project::name`].
    pub fn distribution(&self) -> Option<String> {
        self.root
            .as_ref()
            .and_then(|_| detect_name(&self.directory))
            .or_else(|| self.name.clone())
    }

    /// What the project's files must stay inside: the project directory, or for a package of a
    /// repository of several, the repository's.
    pub fn boundary(&self) -> &Path {
        self.root.as_deref().unwrap_or(&self.directory)
    }

    /// The files that may carry the version: the configured ones, or the detected ones.
    pub fn candidate_files(&self) -> Vec<CandidateFile> {
        if !self.config.version_files.is_empty() {
            return self
                .config
                .version_files
                .iter()
                .map(|file| CandidateFile {
                    path: file.path.clone(),
                    configured: Some(file.clone()),
                    reason: "listed under [[version-files]]".to_owned(),
                })
                .collect();
        }
        // A root pyproject.toml that only holds tooling does not carry the release's version:
        // the package does, under packages/<name>/ (or libs/, python/).
        if let Some(placeholder) = pyproject_placeholder(&self.directory.join("pyproject.toml")) {
            let packages = python_packages(&self.directory);
            if let [package] = packages.as_slice() {
                let reason = format!(
                    "the package's own files: the root pyproject.toml is a placeholder ({placeholder})"
                );
                let directory = package.parent().map(Path::to_path_buf).unwrap_or_default();
                let name = detect_name(&self.directory.join(&directory));
                let mut paths = vec![package.clone()];
                paths.extend(module_files(&directory, name.as_deref()));
                return self.existing(paths, &reason);
            }
            tracing::debug!(
                "the root pyproject.toml is a placeholder ({placeholder}), and {} packages were found under packages/, libs/ or python/",
                packages.len()
            );
        }
        let mut paths: Vec<PathBuf> = ["pyproject.toml", "setup.py", "setup.cfg"]
            .iter()
            .map(PathBuf::from)
            .collect();
        // The module is named after the distribution (`hangar-core` → `hangar_core`), which a
        // package's own `name` may differ from; both are looked for.
        let distribution = detect_name(&self.directory);
        paths.extend(module_files(Path::new(""), distribution.as_deref()));
        if self.name != distribution {
            paths.extend(module_files(Path::new(""), self.name.as_deref()));
        }
        paths.push(PathBuf::from("Cargo.toml"));
        let members = workspace_versioned_members(&self.directory);
        let mut found = self.existing(paths, "detected: it carries the version");
        found.extend(self.existing(members, "[workspace] members in Cargo.toml"));
        found.extend(
            self.existing(
                ["package.json", "Dockerfile", "Chart.yaml", "VERSION"]
                    .into_iter()
                    .map(PathBuf::from)
                    .chain(helm_charts(&self.directory))
                    .collect(),
                "detected: it carries the version",
            ),
        );
        let mut seen = std::collections::BTreeSet::new();
        found.retain(|candidate| seen.insert(candidate.path.clone()));
        found
    }

    /// The candidates among `paths` that exist, each once.
    fn existing(&self, paths: Vec<PathBuf>, reason: &str) -> Vec<CandidateFile> {
        let mut seen = std::collections::BTreeSet::new();
        paths
            .into_iter()
            .filter(|path| self.directory.join(path).is_file() && seen.insert(path.clone()))
            .map(|path| CandidateFile {
                path,
                configured: None,
                reason: reason.to_owned(),
            })
            .collect()
    }

    /// The bump policy: the configured pre-release order and 0.x policy, or the defaults.
    pub fn policy(&self) -> anyhow::Result<versioning::Policy> {
        let zero_major = self.config.zero_major.map(Into::into).unwrap_or_default();
        match &self.config.prerelease_order {
            None => Ok(versioning::Policy::default().with_zero_major(zero_major)),
            Some(order) => versioning::Policy::new(order.iter().cloned(), zero_major)
                .context("prerelease-order in the configuration")
                .map_err(crate::bad_input),
        }
    }

    /// The tag pattern, with `{package}` filled in from the project's name.
    pub fn tag_pattern(&self) -> anyhow::Result<versioning::TagPattern> {
        let text = self.config.tag_pattern.as_deref().unwrap_or("v{version}");
        let pattern = versioning::TagPattern::new(text)
            .with_context(|| format!("tag-pattern {text:?} in the configuration"))
            .map_err(crate::bad_input)?;
        if pattern.has_package_placeholder() {
            let Some(name) = &self.name else {
                return Err(crate::bad_input(anyhow::anyhow!(
                    "tag-pattern {text:?} uses {{package}} but the project has no name: set `name` in the configuration"
                )));
            };
            let pattern = pattern.with_package(name);
            pattern
                .check_tags()
                .with_context(|| format!("tag-pattern {text:?} with the project's name {name:?}"))
                .map_err(crate::bad_input)?;
            return Ok(pattern);
        }
        Ok(pattern)
    }
}

/// The module files that may carry a Python package's version, under `directory`: `__init__.py`,
/// `_version.py` and `__about__.py` in `src/<module>/` or `<module>/`.
/// The Helm charts where charts usually live: `chart/Chart.yaml` and `charts/*/Chart.yaml`.
fn helm_charts(directory: &Path) -> Vec<PathBuf> {
    let mut charts = vec![PathBuf::from("chart/Chart.yaml")];
    if let Ok(entries) = fs_err::read_dir(directory.join("charts")) {
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| {
                PathBuf::from("charts")
                    .join(entry.file_name())
                    .join("Chart.yaml")
            })
            .collect();
        found.sort();
        charts.extend(found);
    }
    charts
}

fn module_files(directory: &Path, name: Option<&str>) -> Vec<PathBuf> {
    let Some(name) = name else {
        return Vec::new();
    };
    let module = name.replace(['-', '.'], "_").to_lowercase();
    let mut paths = Vec::new();
    for base in [directory.join("src").join(&module), directory.join(&module)] {
        for file in ["__init__.py", "_version.py", "__about__.py"] {
            paths.push(base.join(file));
        }
    }
    paths
}

/// Why the pyproject.toml at `path` does not carry a release's version, if it does not: no
/// `[project]` (nor poetry) table, a `0.0.0` version, or a version declared dynamic.
pub fn pyproject_placeholder(path: &Path) -> Option<String> {
    let document = read_toml(path)?;
    let project = document.get("project");
    let poetry_version = document
        .get("tool")
        .and_then(|tool| tool.get("poetry"))
        .and_then(|poetry| poetry.get("version"))
        .and_then(|version| version.as_str());
    let version = project
        .and_then(|project| project.get("version"))
        .and_then(|version| version.as_str())
        .or(poetry_version);
    let dynamic = project
        .and_then(|project| project.get("dynamic"))
        .and_then(|dynamic| dynamic.as_array())
        .is_some_and(|list| list.iter().any(|item| item.as_str() == Some("version")));
    match version {
        Some("0.0.0" | "0" | "0.0") => {
            Some(format!("version = \"{}\"", version.unwrap_or_default()))
        }
        Some(_) => None,
        None if dynamic => Some("its version is dynamic".to_owned()),
        None if project.is_none() && poetry_version.is_none() => {
            Some("no [project] table: tooling only".to_owned())
        }
        None => Some("no version".to_owned()),
    }
}

/// The directory of the one Python package under a placeholder root, if that is the shape.
fn single_package_directory(directory: &Path) -> Option<PathBuf> {
    pyproject_placeholder(&directory.join("pyproject.toml"))?;
    match python_packages(directory).as_slice() {
        [package] => package.parent().map(Path::to_path_buf),
        _ => None,
    }
}

/// The pyproject.toml files of Python packages one level down in `packages/`, `libs/` or
/// `python/` that carry a version of their own.
fn python_packages(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for parent in ["packages", "libs", "python"] {
        let Ok(entries) = fs_err::read_dir(directory.join(parent)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let manifest = PathBuf::from(parent)
                .join(entry.file_name())
                .join("pyproject.toml");
            if directory.join(&manifest).is_file()
                && pyproject_placeholder(&directory.join(&manifest)).is_none()
            {
                found.push(manifest);
            }
        }
    }
    found.sort();
    found
}

/// `[project].name`, `[tool.poetry].name` or `[package].name`, whichever is found first.
fn detect_name(directory: &Path) -> Option<String> {
    let pyproject = read_toml(&directory.join("pyproject.toml"));
    let from_pyproject = pyproject.as_ref().and_then(|document| {
        document
            .get("project")
            .and_then(|project| project.get("name"))
            .or_else(|| document.get("tool")?.get("poetry")?.get("name"))
            .and_then(|name| name.as_str())
            .map(str::to_owned)
    });
    from_pyproject.or_else(|| cargo_package_name(&directory.join("Cargo.toml")))
}

fn cargo_package_name(manifest: &Path) -> Option<String> {
    read_toml(manifest)?
        .get("package")?
        .get("name")?
        .as_str()
        .map(str::to_owned)
}

/// The manifests of the workspace's members that move with the workspace's version: with a
/// `[workspace.package] version`, those that inherit it or write the same version (kept in step
/// by hand); a member whose own version differs is versioned on its own, and neither its
/// version nor the requirements on it follow the workspace's. Without one, every member.
fn workspace_versioned_members(directory: &Path) -> Vec<PathBuf> {
    let members = cargo_workspace_members(directory);
    let Some(workspace_version) = read_toml(&directory.join("Cargo.toml")).and_then(|document| {
        document
            .get("workspace")?
            .get("package")?
            .get("version")?
            .as_str()
            .map(str::to_owned)
    }) else {
        return members;
    };
    members
        .into_iter()
        .filter(|manifest| {
            read_toml(&directory.join(manifest)).is_none_or(|document| {
                document
                    .get("package")
                    .and_then(|package| package.get("version"))
                    .and_then(toml_edit::Item::as_str)
                    .is_none_or(|own| own == workspace_version)
            })
        })
        .collect()
}

/// The manifests of a Cargo workspace's members, relative to the workspace root (literal paths and
/// `dir/*` globs, which is what workspaces use in practice).
fn cargo_workspace_members(directory: &Path) -> Vec<PathBuf> {
    let Some(document) = read_toml(&directory.join("Cargo.toml")) else {
        return Vec::new();
    };
    let Some(members) = document
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
    else {
        return Vec::new();
    };
    let mut manifests = Vec::new();
    for member in members.iter().filter_map(|member| member.as_str()) {
        if let Some(parent) = member.strip_suffix("/*") {
            let Ok(entries) = fs_err::read_dir(directory.join(parent)) else {
                continue;
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|entry| {
                    PathBuf::from(parent)
                        .join(entry.file_name())
                        .join("Cargo.toml")
                })
                .filter(|manifest| directory.join(manifest).is_file())
                .collect();
            found.sort();
            manifests.extend(found);
        } else {
            let manifest = PathBuf::from(member).join("Cargo.toml");
            if directory.join(&manifest).is_file() {
                manifests.push(manifest);
            }
        }
    }
    manifests
}

fn read_toml(path: &Path) -> Option<toml_edit::DocumentMut> {
    fs_err::read_to_string(path).ok()?.parse().ok()
}
