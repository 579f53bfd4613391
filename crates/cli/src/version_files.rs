//! The project's version files on disk: loading them, planning an edit, writing it all or nothing.
//!
//! The editing itself is `versioning::files` (text in, text out); this module reads and writes.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use versioning::files::{self, FileKind};
use versioning::{FileError, Version};

use crate::bad_input;
use crate::project::{CandidateFile, Project};

/// A version file and its current text.
#[derive(Debug, Clone)]
pub struct VersionFile {
    /// The path, relative to the project directory.
    pub path: PathBuf,
    /// How the version is written in it.
    pub kind: FileKind,
    /// Its text.
    pub text: String,
    /// Why slipway uses it (configured, detected, a placeholder root's package).
    pub reason: String,
}

impl VersionFile {
    /// The path as shown to users: relative, with `/`.
    pub fn display_path(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }

    /// The runbook's "Version mismatch!" check of this file against a release tag's `version`:
    /// its own version must be the tag's; a file whose version lives elsewhere (a workspace
    /// member with `version.workspace = true`) must name the tag's version wherever it names one
    /// (its requirements on the other workspace crates).
    pub fn check_tag(&self, version: &Version) -> anyhow::Result<Vec<String>> {
        let shown = self.display_path();
        match files::check_tag(&shown, &self.kind, &self.text, version) {
            Ok(mismatch) => Ok(mismatch.iter().map(ToString::to_string).collect()),
            Err(FileError::VersionElsewhere { .. }) => {
                Ok(files::check(&shown, &self.kind, &self.text, version)?
                    .iter()
                    .map(ToString::to_string)
                    .collect())
            }
            Err(error) => Err(anyhow::Error::from(error).context(shown)),
        }
    }

    /// The file's own version, read in its scheme and mapped to SemVer.
    pub fn version(&self) -> anyhow::Result<(Version, files::Found)> {
        let found =
            files::read_version(&self.kind, &self.text).with_context(|| self.display_path())?;
        let version = match self.kind.scheme() {
            files::Scheme::SemVer => Version::parse(&found.version).map_err(anyhow::Error::from),
            files::Scheme::Pep440 => versioning::pep440::Pep440Version::parse(&found.version)
                .map_err(anyhow::Error::from)
                .and_then(|pep440| versioning::from_pep440(&pep440).map_err(anyhow::Error::from)),
        }
        .with_context(|| {
            format!(
                "{}:{}: the version {:?}",
                self.display_path(),
                found.line,
                found.version
            )
        })
        .map_err(bad_input)?;
        Ok((version, found))
    }
}

/// Loads the project's version files: every configured one (each must hold a version), or every
/// detected one that does hold a version. Detected files that say their version lives elsewhere (a
/// member's `version.workspace = true`) are left out, with a debug log saying why.
pub fn load(project: &Project) -> anyhow::Result<Vec<VersionFile>> {
    let mut loaded = Vec::new();
    for candidate in project.candidate_files() {
        let setting = if candidate.configured.is_some() {
            "[[version-files]] path"
        } else {
            candidate.reason.as_str()
        };
        let path = crate::fsutil::inside_from(
            project.boundary(),
            &project.directory,
            &candidate.path,
            setting,
        )?;
        let bytes = match fs_err::read(&path) {
            Ok(bytes) => bytes,
            Err(error)
                if candidate.configured.is_none()
                    && error.kind() == std::io::ErrorKind::NotFound =>
            {
                continue;
            }
            Err(error) => {
                return Err(bad_input(
                    anyhow::Error::from(error).context("a configured version file"),
                ));
            }
        };
        let text = String::from_utf8(bytes).map_err(|error| {
            let line = error.as_bytes()[..error.utf8_error().valid_up_to()]
                .split(|&b| b == b'\n')
                .count();
            bad_input(anyhow::anyhow!(
                "version file {}:{line} is not UTF-8: slipway edits UTF-8 text only; convert it, e.g. `iconv -f latin1 -t utf-8`",
                candidate.path.display()
            ))
        })?;
        let kind = kind_of(project, &candidate)?;
        let file = VersionFile {
            path: candidate.path.clone(),
            kind,
            text,
            reason: candidate.reason.clone(),
        };
        match files::read_versions(&file.kind, &file.text) {
            Ok(_) => loaded.push(file),
            Err(error) if candidate.configured.is_none() && skippable(&error) => {
                tracing::debug!("{}: not a version file here: {error}", file.display_path());
            }
            Err(error) => {
                return Err(bad_input(
                    anyhow::Error::from(error).context(file.display_path()),
                ));
            }
        }
    }
    if loaded.is_empty() {
        let elsewhere = enclosing_work_tree(&project.directory).map_or_else(String::new, |root| {
            format!(
                " (this is a subdirectory of the repository at {root}: to release the project there, run slipway in it or pass `-C {root}`)",
                root = root.display()
            )
        });
        return Err(bad_input(anyhow::anyhow!(
            "no version file found in {}{elsewhere}: slipway looks for pyproject.toml, setup.py, setup.cfg, the package's __init__.py, \
             Cargo.toml, package.json, Dockerfile, Chart.yaml and VERSION; list yours under [[version-files]] in slipway.toml (`pattern = \"version: {{version}}\"`)",
            project.directory.display()
        )));
    }
    Ok(loaded)
}

/// The work tree that `directory` is a subdirectory of (the nearest parent holding `.git`);
/// `None` when `directory` is a work tree's root itself, or in none.
fn enclosing_work_tree(directory: &Path) -> Option<&Path> {
    if directory.join(".git").exists() {
        return None;
    }
    directory
        .ancestors()
        .skip(1)
        .find(|parent| parent.join(".git").exists())
}

/// Detected files without a version are not an error, nor are files whose version lives
/// elsewhere, except a pyproject.toml, where "elsewhere" is worth saying.
fn skippable(error: &FileError) -> bool {
    matches!(
        error,
        FileError::NotFound { .. } | FileError::VersionElsewhere { .. }
    )
}

fn kind_of(project: &Project, candidate: &CandidateFile) -> anyhow::Result<FileKind> {
    let shown = candidate.path.to_string_lossy().replace('\\', "/");
    if let Some(configured) = &candidate.configured {
        let pattern = match (&configured.pattern, &configured.regex) {
            (Some(_), Some(_)) => {
                return Err(bad_input(anyhow::anyhow!(
                    "version file {shown}: give either `pattern` or `regex`, not both"
                )));
            }
            (Some(template), None) => Some(files::TextPattern::template(template)),
            (None, Some(regex)) => Some(files::TextPattern::regex(regex)),
            (None, None) => None,
        };
        if let Some(pattern) = pattern {
            let scheme = match configured.scheme {
                Some(crate::config::SchemeSetting::Pep440) => files::Scheme::Pep440,
                Some(crate::config::SchemeSetting::Semver) | None => files::Scheme::SemVer,
            };
            let pattern = pattern
                .with_context(|| format!("the pattern of version file {shown}"))
                .map_err(bad_input)?
                .with_scheme(scheme)
                .with_max_matches(configured.max_matches.unwrap_or(1));
            return Ok(FileKind::Text(pattern));
        }
    }
    match files::detect(&shown) {
        Some(FileKind::Cargo { .. }) => {
            Ok(FileKind::cargo(project.internal_crates.iter().cloned()))
        }
        Some(kind) => Ok(kind),
        None => Err(bad_input(anyhow::anyhow!(
            "version file {shown}: slipway cannot tell where the version is in it; give a `pattern` such as \"version {{version}}\""
        ))),
    }
}

/// The project's current version: the first version file's own version (pyproject.toml or
/// Cargo.toml when present, in detection order).
pub fn current_version(version_files: &[VersionFile]) -> anyhow::Result<Version> {
    let primary = version_files.first().context("no version file")?;
    Ok(primary.version()?.0)
}

/// One file's planned change.
#[derive(Debug, Clone)]
pub struct FileEdit {
    /// The path, relative to the project directory.
    pub path: PathBuf,
    /// The text now.
    pub old: String,
    /// The text after the edit.
    pub new: String,
}

impl FileEdit {
    /// A unified diff of the change, with `a/` and `b/` paths as git shows them.
    pub fn unified_diff(&self) -> String {
        let shown = self.path.to_string_lossy().replace('\\', "/");
        similar::TextDiff::from_lines(&self.old, &self.new)
            .unified_diff()
            .context_radius(2)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
            .to_string()
    }
}

/// The edits that write `version` into every file; files already at it are left out.
pub fn plan(version_files: &[VersionFile], version: &Version) -> anyhow::Result<Vec<FileEdit>> {
    let mut edits: Vec<FileEdit> = Vec::new();
    for file in version_files {
        // One file may carry the version in several places, each its own [[version-files]]
        // entry (a Helm chart's `version:` and `appVersion:`): the edits follow each other.
        let earlier = edits.iter().position(|edit| edit.path == file.path);
        let current = earlier.map_or(&file.text, |index| &edits[index].new);
        let edit = files::set_version(&file.kind, current, version)
            .with_context(|| format!("cannot write {version} into {}", file.display_path()))
            .map_err(bad_input)?;
        match earlier {
            Some(index) => edits[index].new = edit.text,
            None => edits.push(FileEdit {
                path: file.path.clone(),
                old: file.text.clone(),
                new: edit.text,
            }),
        }
    }
    edits.retain(|edit| edit.new != edit.old);
    Ok(edits)
}

/// The edits a release of `version` makes in `project`: every version file, and the workspace's
/// own crates in `Cargo.lock` (so that the tagged tree builds with `--locked`).
pub fn plan_project(project: &Project, version: &Version) -> anyhow::Result<Vec<FileEdit>> {
    let files = load(project)?;
    let mut edits = plan(&files, version)?;
    if project.internal_crates.is_empty() || edits.is_empty() {
        return Ok(edits);
    }
    let lock = PathBuf::from("Cargo.lock");
    let path = crate::fsutil::inside(&project.directory, &lock, "the Cargo workspace's lock file")?;
    let Ok(text) = fs_err::read_to_string(path) else {
        return Ok(edits);
    };
    let current = current_version(&files)?;
    let new = files::cargo_lock_set_versions(&text, &project.internal_crates, &current, version)
        .with_context(|| format!("{} is not valid TOML", lock.display()))
        .map_err(bad_input)?;
    if let Some(new) = new {
        edits.push(FileEdit {
            path: lock,
            old: text,
            new,
        });
    }
    Ok(edits)
}

/// Writes every edit, or none ([`crate::fsutil::write_all_atomic`]): a run killed half-way is
/// completed by the next, never left at mixed versions.
pub fn apply(directory: &Path, edits: &[FileEdit]) -> anyhow::Result<()> {
    let mut files = Vec::with_capacity(edits.len());
    for edit in edits {
        let target = directory.join(&edit.path);
        let current = fs_err::read_to_string(&target)?;
        if current != edit.old {
            anyhow::bail!(
                "{} changed while slipway was planning; run again",
                target.display()
            );
        }
        files.push((target, edit.new.clone().into_bytes()));
    }
    crate::fsutil::write_all_atomic(&files)
}

/// The edits a release of several packages makes: each released package's version into its own
/// version files, every requirement on a released package that must follow it (see
/// [`versioning::dependencies::rewrite`]), and the released crates in `Cargo.lock`. Paths are
/// relative to the project; computed from the files as they are, so that once written there is
/// nothing left to do.
pub fn plan_packages(
    project: &Project,
    packages: &[crate::packages::Package],
    released: &std::collections::BTreeMap<String, Version>,
) -> anyhow::Result<Vec<FileEdit>> {
    // Path → (text now, text after), in the order first touched.
    let mut texts: Vec<(PathBuf, String, String)> = Vec::new();
    let mut current_versions = Vec::new();
    for package in packages {
        let Some(version) = released.get(&package.name) else {
            continue;
        };
        let files = load(&package.project)?;
        current_versions.push((
            package
                .manifest_name(&project.directory)
                .unwrap_or_else(|| package.name.clone()),
            current_version(&files)?,
            version,
        ));
        for file in files {
            let path = package.project_path(&file.path);
            let earlier = texts.iter().position(|(known, _, _)| *known == path);
            let current = earlier.map_or(&file.text, |index| &texts[index].2);
            let edit = files::set_version(&file.kind, current, version)
                .with_context(|| format!("cannot write {version} into {}", path.display()))
                .map_err(bad_input)?;
            match earlier {
                Some(index) => texts[index].2 = edit.text,
                None => texts.push((path, file.text, edit.text)),
            }
        }
    }
    // Requirements name distributions, which a package's `name` in [[packages]] may differ from.
    let mut by_distribution = released.clone();
    for package in packages {
        if let (Some(version), Some(distribution)) = (
            released.get(&package.name),
            package.manifest_name(&project.directory),
        ) {
            by_distribution.insert(distribution, version.clone());
        }
    }
    for package in packages {
        let Some((path, kind)) = &package.manifest else {
            continue;
        };
        let index = if let Some(index) = texts.iter().position(|(known, _, _)| known == path) {
            index
        } else {
            let text = fs_err::read_to_string(project.directory.join(path))?;
            texts.push((path.clone(), text.clone(), text));
            texts.len() - 1
        };
        let edit = files::set_requirements(kind, &texts[index].2, &by_distribution)
            .with_context(|| path.display().to_string())
            .map_err(bad_input)?;
        texts[index].2 = edit.text;
    }
    let lock = PathBuf::from("Cargo.lock");
    if let Ok(text) = fs_err::read_to_string(project.directory.join(&lock)) {
        let mut new = text.clone();
        for (name, current, version) in &current_versions {
            if let Some(updated) =
                files::cargo_lock_set_versions(&new, std::slice::from_ref(name), current, version)
                    .with_context(|| format!("{} is not valid TOML", lock.display()))
                    .map_err(bad_input)?
            {
                new = updated;
            }
        }
        texts.push((lock, text, new));
    }
    Ok(texts
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(path, old, new)| FileEdit { path, old, new })
        .collect())
}
