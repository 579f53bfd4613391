//! One release per repository at a time: a lock file in the git directory.
//!
//! `<git dir>/slipway/lock` is created exclusively (`O_EXCL`) and holds the owner's pid, the
//! start time of that process (so a reused pid is not mistaken for the owner) and when the lock
//! was taken. A lock whose process is gone is stale and taken over; git's own lock files would
//! stop only two writers of the same ref, not two releases interleaving their steps.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::bad_input;

/// The release lock of a repository, held until dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    /// False when this process held the lock already: the outer holder removes it.
    owned: bool,
}

/// What a lock file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Owner {
    pid: u32,
    /// The process's start time as the system counts it (Linux: `/proc/<pid>/stat` field 22),
    /// when known.
    process_start: Option<u64>,
    /// When the lock was taken, in seconds since the Unix epoch.
    since: u64,
}

impl Lock {
    /// Takes the release lock of the repository whose git directory is `git_dir`, taking over a
    /// stale one. Another live release is an error naming its process.
    pub(crate) fn acquire(git_dir: &Path) -> anyhow::Result<Lock> {
        let directory = git_dir.join("slipway");
        fs_err::create_dir_all(&directory)?;
        let path = directory.join("lock");
        let me = Owner {
            pid: std::process::id(),
            process_start: process_start(std::process::id()),
            since: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_secs()),
        };
        for _ in 0..3 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    file.write_all(serde_json::to_string(&me)?.as_bytes())
                        .and_then(|()| file.sync_all())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    return Ok(Lock { path, owned: true });
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    match serde_json::from_str::<Owner>(&text) {
                        Ok(owner) if owner.pid == me.pid => {
                            // This very process holds it already.
                            return Ok(Lock { path, owned: false });
                        }
                        Ok(owner) if is_alive(&owner) => {
                            return Err(bad_input(anyhow::anyhow!(
                                "another slipway release is running in this repository (pid {}, since {} s ago): wait for it to finish; if that process is gone, remove {}",
                                owner.pid,
                                me.since.saturating_sub(owner.since),
                                path.display()
                            )));
                        }
                        // Stale (its process is gone), or written half by a process killed
                        // while taking it: taken over.
                        _ => {
                            tracing::info!("taking over the stale release lock {}", path.display());
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(error) => {
                    return Err(error).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        anyhow::bail!(
            "cannot take the release lock {}: it keeps changing hands",
            path.display()
        )
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether the process that wrote `owner` still runs.
fn is_alive(owner: &Owner) -> bool {
    if Path::new("/proc/self/stat").exists() {
        return match (process_start(owner.pid), owner.process_start) {
            (Some(now), Some(then)) => now == then,
            (Some(_), None) => true,
            (None, _) => false,
        };
    }
    // No /proc: a lock younger than a day is taken to be live.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    now.saturating_sub(owner.since) < 24 * 60 * 60
}

/// The start time of process `pid` (Linux), `None` when it does not exist or it cannot be read.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Field 2 is `(comm)`, which may hold spaces: count from the last `)`.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_a_dead_owner_is_taken_over() {
        let directory = tempfile::tempdir().unwrap();
        let lock = Lock::acquire(directory.path()).unwrap();
        let path = directory.path().join("slipway/lock");
        assert!(path.exists());
        // The same process may take it again; the outer holder keeps it.
        drop(Lock::acquire(directory.path()).unwrap());
        assert!(path.exists());
        drop(lock);
        assert!(!path.exists());
        // A live other process holds it: refused, naming it. pid 1 always runs.
        let live = Owner {
            pid: 1,
            process_start: process_start(1),
            since: 0,
        };
        std::fs::write(&path, serde_json::to_string(&live).unwrap()).unwrap();
        let refused = Lock::acquire(directory.path()).unwrap_err();
        assert!(
            format!("{refused:#}").contains("another slipway release is running"),
            "{refused:#}"
        );
        // The same pid with another start time is a reused pid: stale.
        let pid_reused = Owner {
            process_start: process_start(1).map(|start| start + 1),
            ..live
        };
        std::fs::write(&path, serde_json::to_string(&pid_reused).unwrap()).unwrap();
        drop(Lock::acquire(directory.path()).unwrap());
        // A half-written lock is stale too.
        std::fs::write(&path, "{\"pid\": 4").unwrap();
        drop(Lock::acquire(directory.path()).unwrap());
    }
}
