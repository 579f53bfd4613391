//! Writing files so that a failure never leaves one half-written, and several files all or none.
//!
//! New contents are staged under the git directory (`.git/slipway/staging/`, on the same file
//! system as the work tree, so the rename that puts a file in place is atomic) rather than beside
//! the target: a staging file a kill leaves behind is invisible to `git status` and blocks no
//! later release. A write of several files first stages them all, then records them in
//! `.git/slipway/writes.json`, then renames each into place and removes the record; a run killed
//! among the renames leaves the record, and the next write (or release) completes it, so the
//! files never stay at mixed versions. Outside a git repository the staging file sits beside its
//! target.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// Staging files older than this are left over by a killed run and removed.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// Writes `contents` to `path` through a staged file and a rename, keeping the permissions of the
/// file it replaces.
pub fn write_atomic(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let staged = stage(path, contents)?;
    rename_into_place(staged.path(), path, contents)?;
    // Renamed: nothing is left to delete.
    let _ = staged.into_temp_path().keep();
    Ok(())
}

/// Writes every file or none: all are staged first, recorded, then renamed into place. A run
/// killed among the renames is completed by the next call (or by [`recover`]).
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)]) -> anyhow::Result<()> {
    let Some((first, _)) = files.first() else {
        return Ok(());
    };
    let git_dir = git_dir_of(first);
    if let Some(git_dir) = &git_dir {
        recover(git_dir)?;
    }
    let mut staged = Vec::with_capacity(files.len());
    for (path, contents) in files {
        staged.push(stage(path, contents)?);
    }
    let record = Record {
        files: staged
            .iter()
            .zip(files)
            .map(|(temporary, (target, _))| Entry {
                staged: temporary.path().to_owned(),
                target: target.clone(),
            })
            .collect(),
    };
    // From here on the staged files outlive this process: the record owns them.
    let staged: Vec<PathBuf> = staged
        .into_iter()
        .map(|temporary| temporary.into_temp_path().keep())
        .collect::<Result<_, _>>()
        .context("cannot keep the staged files")?;
    let record_path = git_dir.as_deref().map(record_path);
    if let Some(path) = &record_path {
        write_atomic(path, serde_json::to_string_pretty(&record)?.as_bytes())?;
    }
    for ((path, contents), from) in files.iter().zip(&staged) {
        rename_into_place(from, path, contents)?;
    }
    if let Some(path) = &record_path {
        fs_err::remove_file(path)?;
    }
    Ok(())
}

/// Completes a write of several files that a killed run left half-done (each staged file still
/// there is renamed into place), and removes staging files left over by killed runs. Returns the
/// files it completed.
pub fn recover(git_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut completed = Vec::new();
    let path = record_path(git_dir);
    if let Ok(text) = fs_err::read_to_string(&path) {
        let record: Record = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is damaged: remove it, then check the version files with `slipway check`",
                path.display()
            )
        })?;
        for entry in record.files {
            if entry.staged.exists() {
                fs_err::rename(&entry.staged, &entry.target)?;
                tracing::warn!(
                    "completed the write of {} that an interrupted run left",
                    entry.target.display()
                );
                completed.push(entry.target);
            }
        }
        fs_err::remove_file(&path)?;
    }
    let staging = git_dir.join("slipway").join("staging");
    if let Ok(entries) = std::fs::read_dir(&staging) {
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > STALE_AFTER);
            if stale {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(completed)
}

/// Whether a write of several files was interrupted (its record is still there).
pub fn interrupted_write(git_dir: &Path) -> Option<PathBuf> {
    let path = record_path(git_dir);
    path.exists().then_some(path)
}

/// The files of a write of several, as recorded before the renames.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    files: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    staged: PathBuf,
    target: PathBuf,
}

fn record_path(git_dir: &Path) -> PathBuf {
    git_dir.join("slipway").join("writes.json")
}

/// Renames the staged file `from` onto `to`; across file systems (a git directory elsewhere),
/// stages again beside `to` and renames that.
fn rename_into_place(from: &Path, to: &Path, contents: &[u8]) -> anyhow::Result<()> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::CrossesDevices => {
            let beside = stage_in(directory_of(to), to, contents)?;
            beside
                .persist(to)
                .with_context(|| format!("cannot replace {}", to.display()))?;
            let _ = std::fs::remove_file(from);
            Ok(())
        }
        Err(error) => Err(error).with_context(|| format!("cannot replace {}", to.display())),
    }
}

/// Writes `contents` to a staging file for `path` (under the git directory when `path` is in a
/// repository, else beside it) with the permissions of the file it will replace. Dropping it
/// removes it.
pub fn stage(path: &Path, contents: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let staging = git_dir_of(path).map(|git_dir| git_dir.join("slipway").join("staging"));
    match staging {
        Some(staging) if fs_err::create_dir_all(&staging).is_ok() => {
            stage_in(&staging, path, contents)
        }
        _ => stage_in(directory_of(path), path, contents),
    }
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn stage_in(
    directory: &Path,
    path: &Path,
    contents: &[u8],
) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut temporary = tempfile::Builder::new()
        .prefix(".slipway-")
        .tempfile_in(directory)
        .with_context(|| format!("cannot create a temporary file in {}", directory.display()))?;
    temporary
        .write_all(contents)
        .with_context(|| format!("cannot write {}", path.display()))?;
    temporary
        .as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    if let Ok(metadata) = fs_err::metadata(path) {
        fs_err::set_permissions(temporary.path(), metadata.permissions())?;
    }
    Ok(temporary)
}

/// The git directory of the repository `path` is in: the nearest `.git` directory above it, or
/// the one a `.git` file (a linked work tree, a submodule) names.
fn git_dir_of(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    for directory in absolute.ancestors().skip(1) {
        let dot_git = directory.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let named = text.strip_prefix("gitdir:")?.trim();
            return Some(directory.join(named));
        }
    }
    None
}

/// `relative` joined to the project directory `root`, refused as bad input when it resolves
/// outside `root`: through `..`, an absolute path, or a symbolic link anywhere along it (the
/// resolution is the file system's, `canonicalize`). A path that does not exist yet is resolved
/// through its nearest existing ancestor. `setting` names where the path came from
/// (`[[version-files]] path`), for the message.
pub fn inside(root: &Path, relative: &Path, setting: &str) -> anyhow::Result<std::path::PathBuf> {
    inside_from(root, root, relative, setting)
}

/// As [`inside`], with `relative` taken from `base` (a package's directory) and kept inside
/// `root` (the project's): a package may name a file elsewhere in the repository.
pub fn inside_from(
    root: &Path,
    base: &Path,
    relative: &Path,
    setting: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let joined = base.join(relative);
    let canonical_root = fs_err::canonicalize(root)?;
    let resolved = resolve(&joined)?;
    match resolved {
        Some(resolved) if resolved.starts_with(&canonical_root) => Ok(joined),
        resolved => Err(crate::bad_input(anyhow::anyhow!(
            "{} (from {setting}) is outside the project directory {}{}: slipway only reads and writes files inside the project; \
             move the file into it or remove the setting",
            relative.display(),
            canonical_root.display(),
            resolved.map_or_else(String::new, |resolved| format!(
                " (it resolves to {})",
                resolved.display()
            )),
        ))),
    }
}

/// `path` with every symbolic link and `..` resolved, through its nearest existing ancestor when
/// it does not exist; `None` when what is left after that ancestor still climbs (`..`).
fn resolve(path: &Path) -> anyhow::Result<Option<std::path::PathBuf>> {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        match fs_err::canonicalize(existing) {
            Ok(mut resolved) => {
                for part in rest.iter().rev() {
                    match part {
                        std::path::Component::Normal(name) => resolved.push(name),
                        std::path::Component::CurDir => {}
                        _ => return Ok(None),
                    }
                }
                return Ok(Some(resolved));
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let (Some(parent), Some(last)) =
                    (existing.parent(), existing.components().next_back())
                else {
                    return Ok(None);
                };
                rest.push(last);
                existing = parent;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// The text of the changelog file at `path` (the empty string when there is none), refused as bad
/// input when slipway cannot merge into it: binary, not UTF-8, or with conflict markers. Every
/// reader of the file goes through here, so the refusal comes before anything is written.
pub fn read_changelog(path: &Path) -> anyhow::Result<String> {
    let bytes = match fs_err::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
        Err(error) => return Err(error.into()),
    };
    match changelog::check_existing(&bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(error) => Err(crate::bad_input(anyhow::Error::from(error).context(
            format!("slipway cannot merge into the changelog {}", path.display()),
        ))),
    }
}

/// The text of `path`, or the empty string when there is no such file.
pub fn read_or_empty(path: &Path) -> anyhow::Result<String> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> tempfile::TempDir {
        let directory = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(directory.path().join(".git")).unwrap();
        directory
    }

    #[test]
    fn staging_happens_under_the_git_directory_and_leaves_nothing() {
        let directory = repository();
        let target = directory.path().join("src/version.txt");
        fs_err::create_dir_all(target.parent().unwrap()).unwrap();
        write_atomic(&target, b"1.0.0\n").unwrap();
        let staged = stage(&target, b"x").unwrap();
        assert!(
            staged
                .path()
                .starts_with(directory.path().join(".git/slipway/staging")),
            "{}",
            staged.path().display()
        );
        drop(staged);
        assert_eq!(fs_err::read_to_string(&target).unwrap(), "1.0.0\n");
        let beside: Vec<_> = fs_err::read_dir(directory.path().join("src"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(beside, ["version.txt"]);
        assert_eq!(
            fs_err::read_dir(directory.path().join(".git/slipway/staging"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn a_write_of_several_files_killed_among_its_renames_is_completed_next_time() {
        let directory = repository();
        let git_dir = directory.path().join(".git");
        let (a, b) = (directory.path().join("a"), directory.path().join("b"));
        fs_err::write(&a, "1.0.0").unwrap();
        fs_err::write(&b, "1.0.0").unwrap();
        // As a kill after the record and the first rename leaves it: b's staged file and the
        // record are there, a is written.
        let staged_b = stage(&b, b"2.0.0")
            .unwrap()
            .into_temp_path()
            .keep()
            .unwrap();
        let record = Record {
            files: vec![
                Entry {
                    staged: git_dir.join("slipway/staging/gone"),
                    target: a.clone(),
                },
                Entry {
                    staged: staged_b,
                    target: b.clone(),
                },
            ],
        };
        fs_err::write(&a, "2.0.0").unwrap();
        fs_err::write(
            record_path(&git_dir),
            serde_json::to_string(&record).unwrap(),
        )
        .unwrap();
        assert!(interrupted_write(&git_dir).is_some());
        assert_eq!(recover(&git_dir).unwrap(), std::slice::from_ref(&b));
        assert_eq!(fs_err::read_to_string(&b).unwrap(), "2.0.0");
        assert!(interrupted_write(&git_dir).is_none());
        // And a whole write goes through, leaving no record.
        write_all_atomic(&[
            (a.clone(), b"3.0.0".to_vec()),
            (b.clone(), b"3.0.0".to_vec()),
        ])
        .unwrap();
        assert_eq!(fs_err::read_to_string(&a).unwrap(), "3.0.0");
        assert_eq!(fs_err::read_to_string(&b).unwrap(), "3.0.0");
        assert!(interrupted_write(&git_dir).is_none());
    }
}
