//! Where blobs were pushed: a small cache, so that a push mounts a blob from another repository of
//! the same registry instead of uploading it again.
//!
//! skopeo keeps the same kind of record (its blob-info cache) and mounts from it; without one, a
//! second image sharing a 1 GiB base layer re-uploads the layer unless `--mount-from` names where
//! it is. The cache is a text file, one `digest<TAB>registry<TAB>repository` line per location,
//! newest last, at most [`MAX_LOCATIONS`] lines. It is only a hint: a location that is gone costs
//! one declined mount, whose upload session the upload then uses, and a file that cannot be read
//! or written makes an empty cache, never a failed push. The caller chooses the file (slipway's
//! command line uses the user's cache directory); this crate reads no environment.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::reference::{Digest, Repository};

/// Lines kept: enough for the layers of many images, small enough to read on every push.
pub const MAX_LOCATIONS: usize = 4096;

/// Repositories tried for one blob at most (each a request when the blob is not there).
const MAX_CANDIDATES: usize = 2;

/// The blob locations cache (see the module docs).
#[derive(Debug)]
pub struct BlobLocations {
    path: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Oldest first.
    locations: Vec<Location>,
    changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    digest: String,
    registry: String,
    repository: String,
}

impl BlobLocations {
    /// The cache stored in `path`; empty when the file is missing or unreadable.
    pub fn open(path: impl Into<PathBuf>) -> BlobLocations {
        let path = path.into();
        let locations = match fs_err::read_to_string(&path) {
            Ok(text) => parse(&text),
            Err(error) => {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::debug!(%error, "the blob locations cache is unreadable: starting empty");
                }
                Vec::new()
            }
        };
        BlobLocations {
            path: Some(path),
            state: Mutex::new(State {
                locations,
                changed: false,
            }),
        }
    }

    /// A cache kept in memory only (for one process).
    pub fn in_memory() -> BlobLocations {
        BlobLocations {
            path: None,
            state: Mutex::new(State::default()),
        }
    }

    /// The file, if the cache has one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Other repositories of `into`'s registry where `digest` was pushed, most recent first.
    pub(crate) fn candidates(&self, into: &Repository, digest: &Digest) -> Vec<Repository> {
        let state = self.state.lock().expect("the cache lock is never poisoned");
        state
            .locations
            .iter()
            .rev()
            .filter(|location| {
                location.digest == digest.as_str()
                    && location.registry == into.registry()
                    && location.repository != into.name()
            })
            .filter_map(|location| {
                Repository::parse(&format!("{}/{}", location.registry, location.repository)).ok()
            })
            .take(MAX_CANDIDATES)
            .collect()
    }

    /// Remember that `digest` is in `repository`.
    pub(crate) fn record(&self, repository: &Repository, digest: &Digest) {
        let location = Location {
            digest: digest.as_str().to_owned(),
            registry: repository.registry().to_owned(),
            repository: repository.name().to_owned(),
        };
        let mut state = self.state.lock().expect("the cache lock is never poisoned");
        if state.locations.last() == Some(&location) {
            return;
        }
        state.locations.retain(|known| *known != location);
        state.locations.push(location);
        state.changed = true;
    }

    /// Write the cache back (atomically), keeping the newest [`MAX_LOCATIONS`] lines; nothing when
    /// nothing changed or the cache has no file.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut state = self.state.lock().expect("the cache lock is never poisoned");
        if !state.changed {
            return Ok(());
        }
        // Another process may have written since this one read: keep its lines too.
        let mut merged = fs_err::read_to_string(path)
            .map(|text| parse(&text))
            .unwrap_or_default();
        for location in &state.locations {
            merged.retain(|known| known != location);
            merged.push(location.clone());
        }
        let start = merged.len().saturating_sub(MAX_LOCATIONS);
        let mut text = String::new();
        for location in &merged[start..] {
            text.push_str(&location.digest);
            text.push('\t');
            text.push_str(&location.registry);
            text.push('\t');
            text.push_str(&location.repository);
            text.push('\n');
        }
        if let Some(directory) = path.parent() {
            fs_err::create_dir_all(directory)?;
        }
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        fs_err::write(&temporary, text)?;
        fs_err::rename(&temporary, path)?;
        state.changed = false;
        Ok(())
    }
}

fn parse(text: &str) -> Vec<Location> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (digest, registry, repository) = (fields.next()?, fields.next()?, fields.next()?);
            Digest::parse(digest).ok()?;
            Some(Location {
                digest: digest.to_owned(),
                registry: registry.to_owned(),
                repository: repository.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{BlobLocations, MAX_LOCATIONS};
    use crate::oci::{Digest, Repository};

    fn repository(name: &str) -> Repository {
        Repository::parse(name).unwrap()
    }

    #[test]
    fn a_blob_is_mounted_from_the_most_recent_other_repository_of_the_same_registry() {
        let cache = BlobLocations::in_memory();
        let digest = Digest::of(b"layer");
        cache.record(&repository("registry.example/team/one"), &digest);
        cache.record(&repository("other.example/team/two"), &digest);
        cache.record(&repository("registry.example/team/three"), &digest);
        let found: Vec<String> = cache
            .candidates(&repository("registry.example/team/one"), &digest)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found, ["registry.example/team/three"]);
        assert!(
            cache
                .candidates(&repository("registry.example/x"), &Digest::of(b"other"))
                .is_empty()
        );
    }

    #[test]
    fn the_file_round_trips_keeps_the_newest_lines_and_survives_garbage() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("cache/oci-blob-locations");
        let cache = BlobLocations::open(&path);
        for n in 0..=MAX_LOCATIONS {
            cache.record(
                &repository(&format!("registry.example/r{n}")),
                &Digest::of(n.to_string().as_bytes()),
            );
        }
        cache.save().unwrap();
        let again = BlobLocations::open(&path);
        let newest = Digest::of(MAX_LOCATIONS.to_string().as_bytes());
        assert_eq!(
            again.candidates(&repository("registry.example/elsewhere"), &newest)[0].to_string(),
            format!("registry.example/r{MAX_LOCATIONS}")
        );
        assert!(
            again
                .candidates(&repository("registry.example/elsewhere"), &Digest::of(b"0"))
                .is_empty(),
            "the oldest line was dropped"
        );
        std::fs::write(&path, "not a cache\n\t\t\n").unwrap();
        assert!(
            BlobLocations::open(&path)
                .candidates(&repository("registry.example/x"), &newest)
                .is_empty()
        );
    }
}
