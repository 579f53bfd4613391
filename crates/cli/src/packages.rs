//! The packages of a repository that releases several, each with its own version, tags,
//! changelog and history.
//!
//! The packages are the `[[packages]]` of the configuration, or, without any, discovered:
//!
//! 1. a Cargo workspace whose members carry versions of their own (`[package] version = "…"`,
//!    none inheriting `version.workspace = true`): each such member;
//! 2. a uv workspace (`[tool.uv.workspace] members`): each member with a version;
//! 3. an npm or pnpm workspace (`workspaces` in package.json, `packages` in
//!    pnpm-workspace.yaml): each member with a version.
//!
//! Fewer than two packages is a single-package repository, released as before.
//!
//! A package is seen through a [`Project`] of its own: its directory, its name, the tag pattern
//! `{package}-v{version}`, its `CHANGELOG.md`, only the commits that touch its directory, and the
//! top-level settings for everything else. So the version decision, the notes and the version
//! files of one package are computed exactly as a single project's are.
//!
//! Its targets are its own, or the top-level ones that fit it: `[pypi]` for a Python package,
//! `[cargo]` for a crate (which then publishes itself only), `[github]` for every package; an
//! image belongs to one package, so the top-level `[[oci]]` is never inherited. Its hooks are its
//! own only: the top-level hooks run once per release.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use versioning::files::{self, FileKind};

use crate::bad_input;
use crate::config::PackageConfig;
use crate::project::Project;

/// One package of the repository.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its name.
    pub name: String,
    /// Its directory, relative to the project.
    pub path: PathBuf,
    /// The package as a project of its own (see the module docs).
    pub project: Project,
    /// Its manifest (Cargo.toml, pyproject.toml or package.json), relative to the project, and
    /// its kind, when it has one: where its requirements on the other packages are written.
    pub manifest: Option<(PathBuf, FileKind)>,
    /// How it was found, for `slipway packages`.
    pub source: &'static str,
}

impl Package {
    /// Its directory as a path filter of the history (`packages/core/`).
    pub fn history_path(&self) -> String {
        format!("{}/", self.path.to_string_lossy().replace('\\', "/"))
    }

    /// The name its manifest gives it (the crate's, the distribution's), which `name` in
    /// `[[packages]]` may differ from; `root` is the project directory.
    pub fn manifest_name(&self, root: &Path) -> Option<String> {
        manifest_name(&root.join(&self.manifest.as_ref()?.0))
    }

    /// A path of the package (relative to it) as a plain path of the project: `..` taken away
    /// (`packages/core/../../docs/core.md` is `docs/core.md`), as git names its files.
    pub fn project_path(&self, path: &Path) -> PathBuf {
        let mut plain = PathBuf::new();
        for component in self.path.join(path).components() {
            match component {
                std::path::Component::ParentDir => {
                    plain.pop();
                }
                std::path::Component::CurDir => {}
                other => plain.push(other),
            }
        }
        plain
    }
}

/// The repository's packages, in name order; empty for a single-package repository.
pub fn discover(project: &Project) -> anyhow::Result<Vec<Package>> {
    let found: Vec<(PathBuf, Option<&PackageConfig>, &'static str)> =
        if project.config.packages.is_empty() {
            let mut members = cargo_members(&project.directory);
            let mut source = "Cargo workspace member";
            if members.len() < 2 {
                members = uv_members(&project.directory);
                source = "uv workspace member";
            }
            if members.len() < 2 {
                members = npm_members(&project.directory);
                source = "npm workspace member";
            }
            if members.len() < 2 {
                return Ok(Vec::new());
            }
            members
                .into_iter()
                .map(|path| (path, None, source))
                .collect()
        } else {
            project
                .config
                .packages
                .iter()
                .map(|package| (package.path.clone(), Some(package), "[[packages]]"))
                .collect()
        };
    let mut packages = Vec::new();
    let mut names = BTreeSet::new();
    let mut paths = BTreeSet::new();
    for (path, config, source) in found {
        crate::fsutil::inside(&project.directory, &path, "[[packages]] path")?;
        let path = PathBuf::from(
            path.to_string_lossy()
                .trim_start_matches("./")
                .trim_end_matches('/'),
        );
        if !paths.insert(path.clone()) {
            return Err(bad_input(anyhow::anyhow!(
                "[[packages]] lists {} twice: remove one entry",
                path.display()
            )));
        }
        let directory = project.directory.join(&path);
        if !directory.is_dir() {
            return Err(bad_input(anyhow::anyhow!(
                "[[packages]] path {}: no such directory in {}",
                path.display(),
                project.directory.display()
            )));
        }
        let manifest = manifest_of(&directory).map(|(file, kind)| (path.join(file), kind));
        let name = config
            .and_then(|config| config.name.clone())
            .or_else(|| {
                manifest
                    .as_ref()
                    .and_then(|(file, _)| manifest_name(&project.directory.join(file)))
            })
            .ok_or_else(|| {
                bad_input(anyhow::anyhow!(
                    "the package in {} has no name: set `name` in its [[packages]] entry",
                    path.display()
                ))
            })?;
        if !names.insert(name.clone()) {
            return Err(bad_input(anyhow::anyhow!(
                "two packages are named {name}: give one a `name` in [[packages]]"
            )));
        }
        let package_project = package_project(
            project,
            &name,
            &path,
            config,
            manifest.as_ref().map(|(_, kind)| kind),
        );
        packages.push(Package {
            name,
            path,
            project: package_project,
            manifest,
            source,
        });
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    // Each package's tags must be its own: no package may read another's tag as one of its
    // releases (`release-{version}` reads `release-1.0.0-app` as its 1.0.0-app).
    let patterns: Vec<(&str, versioning::TagPattern)> = packages
        .iter()
        .filter_map(|package| {
            let pattern =
                versioning::TagPattern::new(package.project.config.tag_pattern.as_deref()?).ok()?;
            Some((package.name.as_str(), pattern.with_package(&package.name)))
        })
        .collect();
    for sample in ["1.0.0", "1.0.0-rc.1"] {
        let sample = versioning::Version::parse(sample).expect("a version");
        for (name, pattern) in &patterns {
            let tag = pattern.format(&sample);
            if let Some((other, _)) = patterns
                .iter()
                .find(|(other, theirs)| other != name && theirs.parse_tag(&tag).is_some())
            {
                return Err(bad_input(anyhow::anyhow!(
                    "{other}'s tag pattern reads {name}'s tag {tag} as a release of {other}: give each package a tag-pattern that no other matches, e.g. with {{package}} in it (the default is {{package}}-v{{version}})"
                )));
            }
        }
    }
    Ok(packages)
}

/// The packages' names, for messages: `app, core`.
pub fn names(packages: &[Package]) -> String {
    packages
        .iter()
        .map(|package| package.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The package `name` of `packages`, or an error listing the names there are.
pub fn find<'a>(packages: &'a [Package], name: &str) -> anyhow::Result<&'a Package> {
    packages
        .iter()
        .find(|package| package.name == name)
        .ok_or_else(|| {
            bad_input(anyhow::anyhow!(
                "there is no package {name}: the packages are {}",
                if packages.is_empty() {
                    "none (this repository releases one project)".to_owned()
                } else {
                    names(packages)
                }
            ))
        })
}

/// The context a command about one release works in (`verify`, `rollback`): the project's, or in
/// a repository of several packages, that of the package `name` names (which must then be named).
pub fn context_for(
    context: crate::context::Context,
    name: Option<&str>,
) -> anyhow::Result<crate::context::Context> {
    let packages = discover(&context.project)?;
    match name {
        Some(name) if packages.is_empty() => Err(bad_input(anyhow::anyhow!(
            "--package {name}: this repository releases one project (no [[packages]], and no workspace of several versioned packages was found)"
        ))),
        Some(name) => context.for_package(find(&packages, name)?),
        None if packages.is_empty() => Ok(context),
        None => Err(bad_input(anyhow::anyhow!(
            "this repository releases several packages: name one with --package ({})",
            names(&packages)
        ))),
    }
}

/// The context `slipway hotfix start` works in: the project's; in a repository of several
/// packages, that of the package named (`--package`) or of the package whose tag `tag` is.
pub fn context_for_tag(
    context: crate::context::Context,
    tag: Option<&str>,
    name: Option<&str>,
) -> anyhow::Result<crate::context::Context> {
    let packages = discover(&context.project)?;
    if packages.is_empty() || name.is_some() {
        return context_for(context, name);
    }
    let Some(tag) = tag else {
        return context_for(context, None);
    };
    for package in &packages {
        let package_context = context.for_package(package)?;
        let scheme =
            crate::tags::TagScheme::of(&package_context.project, &package_context.repository)?;
        if scheme.parse(tag).is_some() {
            return Ok(package_context);
        }
    }
    Err(bad_input(anyhow::anyhow!(
        "{tag} is the release tag of no package ({}): name a package's release, e.g. `{}-v1.0.0`",
        names(&packages),
        packages[0].name
    )))
}

/// The project a package is: the top-level configuration with the package's own settings.
fn package_project(
    root: &Project,
    name: &str,
    path: &Path,
    own: Option<&PackageConfig>,
    manifest: Option<&FileKind>,
) -> Project {
    let mut config = root.config.clone();
    config.packages = Vec::new();
    config.name = Some(name.to_owned());
    // A top-level pattern without `{package}` would give every package the same tags.
    config.tag_pattern = own
        .and_then(|own| own.tag_pattern.clone())
        .or_else(|| {
            root.config
                .tag_pattern
                .clone()
                .filter(|pattern| pattern.contains("{package}"))
        })
        .or_else(|| Some("{package}-v{version}".to_owned()));
    config.changelog.path = own
        .and_then(|own| own.changelog.clone())
        .unwrap_or_else(|| PathBuf::from("CHANGELOG.md"));
    let mut include = vec![format!("{}/", path.to_string_lossy().replace('\\', "/"))];
    include.extend(root.config.changelog.include_paths.iter().cloned());
    config.changelog.include_paths = include;
    config.version_files = own.map(|own| own.version_files.clone()).unwrap_or_default();
    // Its targets: its own, else the top-level ones that fit it: `[pypi]` for a Python package,
    // `[cargo]` for a crate, `[github]` for every package (one release per tag). An image belongs
    // to one package, so the top-level `[[oci]]` is never inherited (`check_targets` refuses it).
    let python = matches!(manifest, Some(FileKind::Pyproject));
    let crate_ = matches!(manifest, Some(FileKind::Cargo { .. }));
    config.pypi = own
        .and_then(|own| own.pypi.clone())
        .or_else(|| root.config.pypi.clone().filter(|_| python));
    config.oci = own.map(|own| own.oci.clone()).unwrap_or_default();
    config.github = own
        .and_then(|own| own.github.clone())
        .or_else(|| root.config.github.clone());
    config.cargo = root.config.cargo.clone().filter(|_| crate_);
    // Its hotfix branches name it (`hotfix/core-{version}`): two packages may hotfix the same
    // version at once.
    let prefix = name.trim_start_matches('@');
    if let Ok(template) = crate::config::BranchTemplate::new(
        &root
            .config
            .git
            .hotfix_branch
            .as_str()
            .replace("{version}", &format!("{prefix}-{{version}}")),
    ) {
        config.git.hotfix_branch = template;
    }
    // The top-level hooks run once per release in the project directory; a package's own run in
    // its directory.
    config.hooks = own.and_then(|own| own.hooks.clone()).unwrap_or_default();
    Project {
        directory: root.directory.join(path),
        config,
        source: root.source.clone(),
        name: Some(name.to_owned()),
        internal_crates: Vec::new(),
        root: Some(root.directory.clone()),
    }
}

/// The manifest in a package's directory: Cargo.toml, pyproject.toml or package.json.
fn manifest_of(directory: &Path) -> Option<(PathBuf, FileKind)> {
    ["Cargo.toml", "pyproject.toml", "package.json"]
        .into_iter()
        .find(|name| directory.join(name).is_file())
        .and_then(|name| Some((PathBuf::from(name), files::detect(name)?)))
}

/// The name a manifest gives its package.
fn manifest_name(path: &Path) -> Option<String> {
    let text = fs_err::read_to_string(path).ok()?;
    if path
        .extension()
        .is_some_and(|extension| extension == "json")
    {
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        return value.get("name")?.as_str().map(str::to_owned);
    }
    let document: toml_edit::DocumentMut = text.parse().ok()?;
    document
        .get("project")
        .or_else(|| document.get("package"))?
        .get("name")?
        .as_str()
        .map(str::to_owned)
}

/// The directories `patterns` name under `root`, as the workspace tools read their member lists:
/// literal paths and globs (`packages/*`, `libs/**`, `apps/{api,web}`, `crates/*-sys`), less
/// those `excludes` name and those of `!pattern` entries (npm's and pnpm's negation). A `*`
/// stays within one directory; `**` crosses any number. `node_modules`, `target` and hidden
/// directories are never searched. In path order.
fn expand(root: &Path, patterns: &[String], excludes: &[String]) -> Vec<PathBuf> {
    // Globs as the tools write them (`./packages/*/`), matched against `packages/core`.
    fn clean(pattern: &str) -> &str {
        pattern.trim_start_matches("./").trim_end_matches('/')
    }
    fn set<'a>(patterns: impl Iterator<Item = &'a str>) -> (globset::GlobSet, usize, bool) {
        let mut builder = globset::GlobSetBuilder::new();
        let (mut depth, mut deep) = (0, false);
        for pattern in patterns.map(clean).filter(|pattern| !pattern.is_empty()) {
            depth = depth.max(pattern.split('/').count());
            deep |= pattern.contains("**");
            // A pattern that is not a glob (a stray bracket) is skipped, as the tools skip a
            // member they cannot read.
            if let Ok(glob) = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            {
                builder.add(glob);
            }
        }
        (
            builder
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty()),
            depth,
            deep,
        )
    }
    let (include, depth, deep) = set(patterns
        .iter()
        .map(String::as_str)
        .filter(|pattern| !pattern.starts_with('!')));
    let (exclude, _, _) = set(excludes.iter().map(String::as_str).chain(
        patterns
            .iter()
            .filter_map(|pattern| pattern.strip_prefix('!')),
    ));
    // `**` may go as deep as the tree does; a bound keeps a pathological tree finite.
    let depth = if deep { 12 } else { depth };
    let mut found = Vec::new();
    let mut level = vec![PathBuf::new()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for directory in &level {
            let Ok(entries) = fs_err::read_dir(root.join(directory)) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || name == "node_modules" || name == "target" {
                    continue;
                }
                if !entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                    continue;
                }
                let path = directory.join(&*name);
                let text = path.to_string_lossy().replace('\\', "/");
                if include.is_match(&text) && !exclude.is_match(&text) {
                    found.push(path.clone());
                }
                next.push(path);
            }
        }
        level = next;
    }
    found.sort();
    found.dedup();
    found
}

fn read_toml(path: &Path) -> Option<toml_edit::DocumentMut> {
    fs_err::read_to_string(path).ok()?.parse().ok()
}

fn string_list(item: Option<&toml_edit::Item>) -> Vec<String> {
    item.and_then(toml_edit::Item::as_array)
        .map(|array| {
            array
                .iter()
                .filter_map(|value| value.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A Cargo workspace's members that carry versions of their own, when none inherits the
/// workspace's version.
fn cargo_members(root: &Path) -> Vec<PathBuf> {
    let Some(document) = read_toml(&root.join("Cargo.toml")) else {
        return Vec::new();
    };
    let workspace = document.get("workspace");
    let patterns = string_list(workspace.and_then(|workspace| workspace.get("members")));
    let excludes = string_list(workspace.and_then(|workspace| workspace.get("exclude")));
    let mut own = Vec::new();
    for member in expand(root, &patterns, &excludes) {
        let Some(manifest) = read_toml(&root.join(&member).join("Cargo.toml")) else {
            continue;
        };
        match manifest
            .get("package")
            .and_then(|package| package.get("version"))
        {
            Some(version) if version.is_str() => own.push(member),
            Some(_) => return Vec::new(),
            None => {}
        }
    }
    own
}

/// A uv workspace's members that carry a version.
fn uv_members(root: &Path) -> Vec<PathBuf> {
    let Some(document) = read_toml(&root.join("pyproject.toml")) else {
        return Vec::new();
    };
    let workspace = document
        .get("tool")
        .and_then(|tool| tool.get("uv"))
        .and_then(|uv| uv.get("workspace"));
    let patterns = string_list(workspace.and_then(|workspace| workspace.get("members")));
    let excludes = string_list(workspace.and_then(|workspace| workspace.get("exclude")));
    expand(root, &patterns, &excludes)
        .into_iter()
        .filter(|member| {
            let manifest = root.join(member).join("pyproject.toml");
            manifest.is_file() && crate::project::pyproject_placeholder(&manifest).is_none()
        })
        .collect()
}

/// An npm (`workspaces` in package.json) or pnpm (pnpm-workspace.yaml) workspace's members that
/// carry a version.
fn npm_members(root: &Path) -> Vec<PathBuf> {
    let mut patterns: Vec<String> = Vec::new();
    if let Some(value) = fs_err::read_to_string(root.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    {
        let workspaces = value.get("workspaces");
        let list = workspaces
            .and_then(|workspaces| workspaces.get("packages"))
            .or(workspaces)
            .and_then(serde_json::Value::as_array);
        patterns.extend(
            list.into_iter()
                .flatten()
                .filter_map(|pattern| pattern.as_str().map(str::to_owned)),
        );
    }
    if let Ok(text) = fs_err::read_to_string(root.join("pnpm-workspace.yaml")) {
        // The one list pnpm reads: `packages:` followed by `- 'glob'` lines.
        let mut in_packages = false;
        for line in text.lines() {
            if !line.starts_with([' ', '-']) {
                in_packages = line.trim_end() == "packages:";
                continue;
            }
            if let Some(item) = line.trim().strip_prefix('-').filter(|_| in_packages) {
                patterns.push(item.trim().trim_matches(['"', '\'']).to_owned());
            }
        }
    }
    expand(root, &patterns, &[])
        .into_iter()
        .filter(|member| {
            fs_err::read_to_string(root.join(member).join("package.json"))
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|value| {
                    value
                        .get("version")
                        .is_some_and(serde_json::Value::is_string)
                })
        })
        .collect()
}

/// Each package's requirements on the others, read from its manifest: package → (the package
/// it requires, the requirement as written).
pub fn requirements(
    project: &Project,
    packages: &[Package],
) -> anyhow::Result<BTreeMap<String, Vec<(String, String)>>> {
    let mut graph = BTreeMap::new();
    for package in packages {
        let mut required = Vec::new();
        if let Some((path, kind)) = &package.manifest {
            let text = fs_err::read_to_string(project.directory.join(path))?;
            let ecosystem = files::ecosystem(kind);
            for requirement in files::requirements(kind, &text)
                .with_context(|| path.display().to_string())
                .map_err(bad_input)?
            {
                let Some(ecosystem) = ecosystem else { continue };
                let wanted = ecosystem.normalise_name(&requirement.name);
                // A requirement names the other's distribution, which its `name` in
                // [[packages]] may differ from.
                if let Some(other) = packages.iter().find(|other| {
                    other.name != package.name
                        && [
                            Some(other.name.clone()),
                            other.manifest_name(&project.directory),
                        ]
                        .into_iter()
                        .flatten()
                        .any(|name| ecosystem.normalise_name(&name) == wanted)
                }) {
                    required.push((other.name.clone(), requirement.requirement));
                }
            }
        }
        graph.insert(package.name.clone(), required);
    }
    Ok(graph)
}

/// The dependency graph of `requirements`, as [`versioning::dependencies`] takes it.
pub fn graph(
    requirements: &BTreeMap<String, Vec<(String, String)>>,
) -> BTreeMap<String, BTreeSet<String>> {
    requirements
        .iter()
        .map(|(name, required)| {
            (
                name.clone(),
                required.iter().map(|(other, _)| other.clone()).collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(directories: &[&str]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for directory in directories {
            fs_err::create_dir_all(root.path().join(directory)).unwrap();
        }
        root
    }

    fn found(root: &tempfile::TempDir, patterns: &[&str], excludes: &[&str]) -> Vec<String> {
        let owned = |list: &[&str]| {
            list.iter()
                .map(|item| (*item).to_owned())
                .collect::<Vec<_>>()
        };
        expand(root.path(), &owned(patterns), &owned(excludes))
            .into_iter()
            .map(|path| path.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn member_lists_are_read_as_the_workspace_tools_read_them() {
        let root = tree(&[
            "packages/core",
            "packages/app",
            "packages/legacy",
            "packages/.cache",
            "libs/a/x",
            "libs/b",
            "apps/api",
            "apps/web",
            "apps/admin",
            "crates/foo",
            "crates/foo-sys",
            "node_modules/left-pad",
            "tools/cli",
        ]);
        // `*` is one directory; hidden directories are not members.
        assert_eq!(
            found(&root, &["packages/*"], &[]),
            ["packages/app", "packages/core", "packages/legacy"]
        );
        // Cargo's and uv's `exclude`, npm's and pnpm's `!`.
        assert_eq!(
            found(&root, &["packages/*"], &["packages/legacy"]),
            ["packages/app", "packages/core"]
        );
        assert_eq!(
            found(&root, &["./packages/*/", "!packages/legacy"], &[]),
            ["packages/app", "packages/core"]
        );
        // `**` crosses directories; alternatives and partial names.
        assert_eq!(
            found(&root, &["libs/**"], &[]),
            ["libs/a", "libs/a/x", "libs/b"]
        );
        assert_eq!(
            found(&root, &["apps/{api,web}", "crates/*-sys", "tools/cli"], &[]),
            ["apps/api", "apps/web", "crates/foo-sys", "tools/cli"]
        );
        // node_modules is never searched, even by `**`.
        assert!(
            !found(&root, &["**"], &[])
                .iter()
                .any(|path| path.contains("node_modules") || path.contains(".cache"))
        );
        // A literal path that does not exist is no member.
        assert!(found(&root, &["packages/gone"], &[]).is_empty());
    }
}
