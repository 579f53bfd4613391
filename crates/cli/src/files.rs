//! Finding files by glob: the distributions to upload and the release assets to attach.
//!
//! One function, [`discover`], serves every setting that names files (`pypi.dist`,
//! `github.assets`), with the semantics of `globset` with `literal_separator`: `*` and `?` stay
//! within one path component, `**` crosses any number of them (`dist/**/*.whl`), `{a,b}` and
//! `[ab]` work as in a shell. Each pattern is walked from its literal prefix (`target/release` for
//! `target/release/app`, `dist` for `dist/**/*.whl`), so a pattern never costs a walk of the whole
//! project; `.git` is never entered and directory symlinks are not followed.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, anyhow};

use crate::bad_input;

/// The files under `root` that match any of `patterns` (relative to `root`), sorted, each once.
///
/// `setting` names where the patterns come from (`pypi.dist`), for the message when one is not a
/// valid glob.
pub fn discover(root: &Path, patterns: &[String], setting: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .with_context(|| format!("{setting} pattern {pattern:?}"))
            .map_err(bad_input)?
            .compile_matcher();
        if Path::new(pattern).is_absolute()
            || Path::new(pattern)
                .components()
                .any(|part| matches!(part, Component::ParentDir))
        {
            return Err(bad_input(anyhow!(
                "{setting} pattern {pattern:?} must stay inside the project: write it relative to {}",
                root.display()
            )));
        }
        let start = root.join(literal_prefix(pattern));
        if start.is_file() {
            if glob.is_match(relative(root, &start)) {
                files.push(start);
            }
            continue;
        }
        let mut stack = vec![start];
        while let Some(directory) = stack.pop() {
            let entries = match fs_err::read_dir(&directory) {
                Ok(entries) => entries,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error.into()),
            };
            for entry in entries {
                let entry = entry?;
                let path = entry.path();
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    if entry.file_name() != ".git" {
                        stack.push(path);
                    }
                } else if glob.is_match(relative(root, &path)) && path.is_file() {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files.dedup();
    // A match may be a symbolic link (or sit under a linked directory named by the pattern's
    // literal prefix) that leads outside the project: such a file is refused, not uploaded.
    // A match may be a symbolic link (or lie under a linked directory that the pattern's literal
    // prefix names) leading outside the project: it is refused, never uploaded.
    for file in &files {
        crate::fsutil::inside(root, relative(root, file), setting)?;
    }
    Ok(files)
}

/// The Python distributions (sdists and wheels) among the files `patterns` name.
pub fn distributions(
    root: &Path,
    patterns: &[String],
    setting: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = discover(root, patterns, setting)?;
    files.retain(|path| {
        let name = path.to_string_lossy();
        name.ends_with(".whl") || name.ends_with(".tar.gz")
    });
    Ok(files)
}

/// The leading components of `pattern` that hold no glob syntax.
fn literal_prefix(pattern: &str) -> PathBuf {
    let mut prefix = PathBuf::new();
    for part in pattern.split('/') {
        if part.contains(['*', '?', '[', '{', '\\']) {
            break;
        }
        prefix.push(part);
    }
    prefix
}

fn relative<'p>(root: &Path, path: &'p Path) -> &'p Path {
    path.strip_prefix(root).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for path in paths {
            let path = dir.path().join(path);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, "x").unwrap();
        }
        dir
    }

    fn found(dir: &tempfile::TempDir, patterns: &[&str]) -> Vec<String> {
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        discover(dir.path(), &patterns, "test")
            .unwrap()
            .iter()
            .map(|path| relative(dir.path(), path).to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn star_stays_in_one_directory_and_double_star_crosses_them() {
        let dir = tree(&[
            "dist/a-1.0.tar.gz",
            "dist/a-1.0-py3-none-any.whl",
            "dist/linux/a-1.0-cp311-manylinux.whl",
            "dist/linux/deep/a-1.0-cp312-manylinux.whl",
            ".git/dist/ignored.whl",
        ]);
        assert_eq!(
            found(&dir, &["dist/*"]),
            ["dist/a-1.0-py3-none-any.whl", "dist/a-1.0.tar.gz"]
        );
        assert_eq!(
            found(&dir, &["dist/**/*.whl"]),
            [
                "dist/a-1.0-py3-none-any.whl",
                "dist/linux/a-1.0-cp311-manylinux.whl",
                "dist/linux/deep/a-1.0-cp312-manylinux.whl",
            ]
        );
        assert_eq!(found(&dir, &["**/*.tar.gz"]), ["dist/a-1.0.tar.gz"]);
    }

    /// Issue 17: a dist file or asset that links outside the project is refused, not uploaded.
    #[test]
    fn a_match_linking_outside_the_project_is_bad_input() {
        let outside = tree(&["secret.whl", "dir/other.whl"]);
        let dir = tree(&["dist/a-1.0.tar.gz"]);
        std::os::unix::fs::symlink(
            outside.path().join("secret.whl"),
            dir.path().join("dist/b.whl"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path().join("dir"), dir.path().join("linked")).unwrap();
        for pattern in ["dist/*", "dist/b.whl", "linked/*.whl"] {
            let error = discover(dir.path(), &[pattern.to_owned()], "pypi.dist").unwrap_err();
            assert!(
                error.downcast_ref::<crate::error::BadInput>().is_some(),
                "{error:#}"
            );
            assert!(
                format!("{error:#}").contains("(from pypi.dist) is outside the project directory"),
                "{error:#}"
            );
        }
        assert_eq!(found(&dir, &["dist/*.tar.gz"]), ["dist/a-1.0.tar.gz"]);
    }

    #[test]
    fn a_literal_path_several_directories_and_overlaps() {
        let dir = tree(&[
            "target/release/app",
            "target/release/app.d",
            "docs/manual.pdf",
            "dist/app.tar.gz",
        ]);
        assert_eq!(found(&dir, &["target/release/app"]), ["target/release/app"]);
        assert_eq!(
            found(&dir, &["docs/*.pdf", "{dist,target}/**/app*", "dist/*"]),
            [
                "dist/app.tar.gz",
                "docs/manual.pdf",
                "target/release/app",
                "target/release/app.d",
            ]
        );
        assert!(found(&dir, &["missing/**"]).is_empty());
    }

    #[test]
    fn bad_and_escaping_patterns_are_bad_input() {
        let dir = tree(&[]);
        for pattern in ["dist/[", "../elsewhere/*", "/etc/*"] {
            let error = discover(dir.path(), &[pattern.to_owned()], "github.assets").unwrap_err();
            assert!(
                error
                    .chain()
                    .any(<dyn std::error::Error>::is::<crate::BadInput>),
                "{pattern}: {error:#}"
            );
            assert!(format!("{error:#}").contains("github.assets"), "{error:#}");
        }
    }
}
