//! Writing files so that a failure never leaves one half-written.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// Writes `contents` to `path` through a temporary file in the same directory and a rename, keeping
/// the permissions of the file it replaces.
pub fn write_atomic(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    stage(path, contents)?
        .persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Writes `contents` to a temporary file beside `path` (same directory, so the rename that puts it in
/// place is atomic) with the permissions of the file it will replace. Dropping it removes it.
pub fn stage(path: &Path, contents: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
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

/// The text of `path`, or the empty string when there is no such file.
pub fn read_or_empty(path: &Path) -> anyhow::Result<String> {
    match fs_err::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(error.into()),
    }
}
