//! The journal: the plan and every finished step with its outputs, kept in the git directory.
//!
//! It lives at `<git dir>/slipway/release.json`, outside the work tree, so it never shows up as a
//! change, is never committed, and survives a `git stash` or a checkout. It is rewritten atomically
//! after each step. A finished release moves it to `<git dir>/slipway/done/<tag>.json`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::plan::{Plan, StepKind};

/// The journal's format version.
pub const JOURNAL_VERSION: u32 = 4;

/// A finished step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step.
    pub step: StepKind,
    /// Whether it changed anything, or found the world already as it should be.
    pub changed: bool,
    /// What it produced.
    pub output: StepOutput,
}

/// What a step produced, for the steps after it, `--abort` and `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
#[non_exhaustive]
pub enum StepOutput {
    /// Nothing beyond its effect.
    Nothing,
    /// The files written, relative to the project.
    Files {
        /// The files.
        files: Vec<PathBuf>,
    },
    /// The release commit.
    Commit {
        /// Its id.
        commit: String,
    },
    /// The release tag.
    Tag {
        /// The commit it points at.
        target: String,
    },
    /// The push.
    Push {
        /// Whether the remote took branch and tag in one atomic push.
        atomic: bool,
    },
    /// The distributions on the index.
    Pypi {
        /// Each file with its sha256.
        files: Vec<PublishedFile>,
    },
    /// The images, one per repository.
    Oci {
        /// Each image.
        images: Vec<PublishedImage>,
    },
    /// The crates on the registry, in publishing order.
    Crates {
        /// Each crate.
        crates: Vec<crate::crates::PublishedCrate>,
    },
    /// The GitHub Release.
    Github {
        /// Its id.
        id: u64,
        /// Its page.
        url: String,
        /// The assets attached, with their sha256.
        assets: Vec<PublishedFile>,
    },
    /// A merge into a branch (git-flow).
    Merge {
        /// The merge commit (or, when the branch had the merge already, the commit that made it).
        commit: String,
        /// The branch's tip before the merge, for `--abort`.
        before: String,
    },
    /// A publishing step of a release of several packages: what it produced for each package
    /// it published, in order.
    Packages {
        /// Each package's output.
        packages: Vec<PackageOutput>,
    },
    /// The fixes cherry-picked onto the target branch.
    CherryPick {
        /// The new commits on the target branches.
        picked: Vec<String>,
        /// The fixes a target already had.
        skipped: Vec<String>,
        /// Each target branch's tip afterwards.
        #[serde(default)]
        tips: std::collections::BTreeMap<String, String>,
    },
}

/// What a step produced for one package of a release of several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOutput {
    /// The package.
    pub name: String,
    /// What the step produced for it.
    pub output: StepOutput,
}

/// An image a step pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedImage {
    /// The repository.
    pub repository: String,
    /// The digest of the pushed manifest (or index).
    pub digest: String,
    /// The tags that point at it.
    pub tags: Vec<String>,
    /// Blob bytes sent by this run.
    pub bytes_uploaded: u64,
}

/// A file a step published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedFile {
    /// Its name.
    pub name: String,
    /// Its sha256, lowercase hex.
    pub sha256: String,
}

/// The journal of one release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// Always [`JOURNAL_VERSION`].
    pub journal_version: u32,
    /// The plan being carried out; it records what it was made from (`base_commit`, `branch`,
    /// `config`), which a resumed run checks first.
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

    /// The journal of package `name`'s part of a release of several: the plan as its own
    /// ([`Plan::for_package`]) and each step's output for it. `None` when it is not released.
    pub fn for_package(&self, name: &str) -> Option<Journal> {
        let package = self
            .plan
            .packages
            .iter()
            .find(|package| package.name == name)?;
        Some(Journal {
            journal_version: self.journal_version,
            plan: self.plan.for_package(package),
            done: self
                .done
                .iter()
                .map(|record| StepRecord {
                    step: record.step,
                    changed: record.changed,
                    output: match &record.output {
                        StepOutput::Packages { packages } => packages
                            .iter()
                            .find(|output| output.name == name)
                            .map_or(StepOutput::Nothing, |output| output.output.clone()),
                        other => other.clone(),
                    },
                })
                .collect(),
        })
    }

    /// The record of `step`, if it is finished.
    pub fn record(&self, step: StepKind) -> Option<&StepRecord> {
        self.done.iter().find(|record| record.step == step)
    }

    /// The release commit, once the commit step is done.
    pub fn release_commit(&self) -> Option<&str> {
        match self.record(StepKind::Commit).map(|record| &record.output) {
            Some(StepOutput::Commit { commit }) => Some(commit),
            _ => None,
        }
    }

    /// The merge commit `step` (a merge step) made or found, once it is done.
    pub fn merge_commit(&self, step: StepKind) -> Option<&str> {
        match self.record(step).map(|record| &record.output) {
            Some(StepOutput::Merge { commit, .. }) => Some(commit),
            _ => None,
        }
    }

    /// The commit the release tag points at: the merge into the main branch in git-flow, else the
    /// release commit; `None` before either is made.
    pub fn tagged_commit(&self) -> Option<&str> {
        self.merge_commit(StepKind::MergeMain)
            .or_else(|| self.release_commit())
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
                #[derive(Deserialize)]
                struct Header {
                    journal_version: u32,
                }
                let header: Header = serde_json::from_str(&text).with_context(|| {
                    format!("the release journal {} is damaged", path.display())
                })?;
                if header.journal_version != JOURNAL_VERSION {
                    anyhow::bail!(
                        "the release journal {} has format {}, this slipway reads {JOURNAL_VERSION}: finish the release with the slipway that started it",
                        path.display(),
                        header.journal_version
                    );
                }
                let journal: Journal = serde_json::from_str(&text).with_context(|| {
                    format!("the release journal {} is damaged", path.display())
                })?;
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

    /// The journal of the finished release `tag`, if this repository made it; of a release of
    /// several packages, the part of the package `tag` is of ([`Journal::for_package`]).
    pub fn finished(&self, tag: &str) -> Option<Journal> {
        let path = self.finished_path(tag);
        let text = fs_err::read_to_string(path).ok()?;
        let journal: Journal = serde_json::from_str(&text).ok()?;
        match journal
            .plan
            .packages
            .iter()
            .find(|package| package.tag == tag)
        {
            Some(package) => journal.for_package(&package.name),
            None => Some(journal),
        }
    }

    fn finished_path(&self, tag: &str) -> PathBuf {
        self.directory
            .join("done")
            .join(format!("{}.json", tag.replace('/', "_")))
    }

    /// Moves the active journal to the finished ones.
    pub fn finish(&self, journal: &Journal) -> anyhow::Result<PathBuf> {
        fs_err::create_dir_all(self.directory.join("done"))?;
        // A release branch cut (`release start`) is kept beside the release its finish makes.
        let name = if journal.plan.tags() {
            journal.plan.tag.clone()
        } else {
            format!("{}.start", journal.plan.tag)
        };
        let path = self.finished_path(&name);
        let text = serde_json::to_string_pretty(journal)? + "\n";
        // A release of several packages is found by each of its tags.
        for package in &journal.plan.packages {
            if package.tag != journal.plan.tag {
                crate::fsutil::write_atomic(&self.finished_path(&package.tag), text.as_bytes())?;
            }
        }
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
