//! The journal: the plan and every finished step with its outputs, kept in the git directory.
//!
//! It lives at `<git dir>/slipway/release.json`, outside the work tree, so it never shows up as a
//! change, is never committed, and survives a `git stash` or a checkout. It is rewritten atomically
//! after each step. A finished release moves it to `<git dir>/slipway/done/<tag>.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::plan::{Plan, StepKind};

/// The journal's format version.
pub const JOURNAL_VERSION: u32 = 1;

/// A finished step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step.
    pub step: StepKind,
    /// Whether it changed anything, or found the world already as it should be.
    pub changed: bool,
    /// What it produced (a commit id, a digest, uploaded files …).
    pub outputs: BTreeMap<String, String>,
}

/// The journal of one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// Always [`JOURNAL_VERSION`].
    pub journal_version: u32,
    /// The plan being carried out.
    pub plan: Plan,
    /// The finished steps, in order.
    pub done: Vec<StepRecord>,
}

impl Journal {
    /// A journal for a plan with nothing done yet.
    pub fn new(plan: Plan) -> Journal {
        Journal {
            journal_version: JOURNAL_VERSION,
            plan,
            done: Vec::new(),
        }
    }

    /// The record of `step`, if it is finished.
    pub fn record(&self, step: StepKind) -> Option<&StepRecord> {
        self.done.iter().find(|record| record.step == step)
    }

    /// An output of a finished step.
    pub fn output(&self, step: StepKind, key: &str) -> Option<&str> {
        self.record(step)
            .and_then(|record| record.outputs.get(key))
            .map(String::as_str)
    }

    /// The first step not finished yet.
    pub fn next_step(&self) -> Option<StepKind> {
        self.plan
            .steps
            .iter()
            .copied()
            .find(|step| self.record(*step).is_none())
    }

    /// The last finished step.
    pub fn last_done(&self) -> Option<StepKind> {
        self.done.last().map(|record| record.step)
    }
}

/// Where the journals of a repository live.
#[derive(Debug, Clone)]
pub struct JournalStore {
    directory: PathBuf,
}

impl JournalStore {
    /// The store of the repository whose git directory is `git_dir`.
    pub fn new(git_dir: &Path) -> JournalStore {
        JournalStore {
            directory: git_dir.join("slipway"),
        }
    }

    /// The active journal's path.
    pub fn active_path(&self) -> PathBuf {
        self.directory.join("release.json")
    }

    /// The active journal, if a release is in progress.
    pub fn load(&self) -> anyhow::Result<Option<Journal>> {
        let path = self.active_path();
        match fs_err::read_to_string(&path) {
            Ok(text) => {
                let journal: Journal = serde_json::from_str(&text).with_context(|| {
                    format!("the release journal {} is damaged", path.display())
                })?;
                if journal.journal_version != JOURNAL_VERSION {
                    anyhow::bail!(
                        "the release journal {} has format {}, this slipway reads {JOURNAL_VERSION}: finish the release with the slipway that started it",
                        path.display(),
                        journal.journal_version
                    );
                }
                Ok(Some(journal))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Writes the active journal (atomically).
    pub fn save(&self, journal: &Journal) -> anyhow::Result<()> {
        fs_err::create_dir_all(&self.directory)?;
        let text = serde_json::to_string_pretty(journal)? + "\n";
        crate::fsutil::write_atomic(&self.active_path(), text.as_bytes())
    }

    /// Moves the active journal to the finished ones.
    pub fn finish(&self, journal: &Journal) -> anyhow::Result<PathBuf> {
        let done = self.directory.join("done");
        fs_err::create_dir_all(&done)?;
        let path = done.join(format!("{}.json", journal.plan.tag.replace('/', "_")));
        let text = serde_json::to_string_pretty(journal)? + "\n";
        crate::fsutil::write_atomic(&path, text.as_bytes())?;
        self.discard()?;
        Ok(path)
    }

    /// Removes the active journal.
    pub fn discard(&self) -> anyhow::Result<()> {
        match fs_err::remove_file(self.active_path()) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}
