//! Opening a repository and the helpers every operation shares: resolving revisions,
//! reading `HEAD`, refusing bare repositories and shallow clones, and running the `git`
//! executable.

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::ErrorCode;

use crate::error::{Error, GitContext as _};
use crate::{CommitId, Time};

/// A git repository on disk.
///
/// Reads and local writes go through libgit2; pushing, fetching, `ls-remote` and signed
/// tags run the `git` executable, so credential helpers, ssh agents, CI checkout
/// credentials (`http.extraheader`) and signing configuration work as users expect.
pub struct Repository {
    pub(crate) git: git2::Repository,
    git_env: Vec<(OsString, OsString)>,
    identity: Option<Identity>,
    /// The object database as gitoxide reads it, for reads of every commit or tag (see
    /// [`crate::objects`]); opened on first use, `None` inside when those reads use libgit2.
    objects: std::cell::OnceCell<Option<crate::objects::Objects>>,
}

/// A fixed author and committer for the commits and tags this handle writes, instead of
/// `user.name`, `user.email` and the current time. Tests use it for reproducible ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The name.
    pub name: String,
    /// The email address.
    pub email: String,
    /// The time written into every commit and tag.
    pub time: Time,
}

impl std::fmt::Debug for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repository")
            .field("git_dir", &self.git.path())
            .field("work_tree", &self.git.workdir())
            .finish_non_exhaustive()
    }
}

/// Process-wide libgit2 settings, applied once before the first repository is opened.
///
/// - No object cache: history walks read each commit once, so caching them only costs
///   inserting 50,000 entries into a locked map and freeing them at the end (measured:
///   about a third of a full-history walk).
/// - No re-hashing of every object read, as `git` itself does not on ordinary reads
///   (`git fsck` is the integrity check).
///
/// With both, a full-history walk costs about what `git log --format` does.
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::enable_caching(false);
        git2::opts::strict_hash_verification(false);
    });
}

impl Repository {
    /// The object database as gitoxide reads it, opened on first use; `None` when gitoxide
    /// cannot open it, or with `SLIPWAY_READ_WITH_LIBGIT2` set (to measure one against the
    /// other), and then every read is libgit2's.
    pub(crate) fn objects(&self) -> Option<&crate::objects::Objects> {
        self.objects
            .get_or_init(|| {
                if std::env::var_os("SLIPWAY_READ_WITH_LIBGIT2").is_some() {
                    return None;
                }
                crate::objects::Objects::open(&self.git.commondir().join("objects"))
            })
            .as_ref()
    }

    /// Open the repository containing `path` (searching parent directories, like `git`).
    ///
    /// A bare repository opens fine; operations that need a work tree refuse it.
    pub fn open(path: impl AsRef<Path>) -> Result<Repository, Error> {
        let path = path.as_ref();
        tune_libgit2();
        let git = git2::Repository::discover(path).map_err(|source| Error::NotARepository {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
        tracing::debug!(git_dir = %git.path().display(), "opened repository");
        Ok(Repository {
            git,
            git_env: Vec::new(),
            identity: None,
            objects: std::cell::OnceCell::new(),
        })
    }

    /// Set an environment variable for every `git` command this handle runs.
    ///
    /// Tests use it to isolate git from the user's configuration (`HOME`,
    /// `GIT_CONFIG_NOSYSTEM`) without touching the process environment.
    pub fn set_git_env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) {
        self.git_env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
    }

    /// Use a fixed identity for the commits and tags written through libgit2.
    ///
    /// Without it, author and committer come from `GIT_AUTHOR_*`/`GIT_COMMITTER_*` and
    /// `user.name`/`user.email`, with the current time, as `git commit` does.
    pub fn set_identity(&mut self, identity: Identity) {
        self.identity = Some(identity);
    }

    /// The `.git` directory (the repository itself when bare).
    pub fn git_dir(&self) -> &Path {
        self.git.path()
    }

    /// The work tree, or `None` for a bare repository.
    pub fn work_tree(&self) -> Option<&Path> {
        self.git.workdir()
    }

    /// Whether the repository has no work tree.
    pub fn is_bare(&self) -> bool {
        self.git.is_bare()
    }

    /// Whether the repository is a shallow clone (its history is cut off).
    pub fn is_shallow(&self) -> bool {
        self.git.is_shallow()
    }

    /// Resolve a revision (`HEAD`, a branch, a tag, an id, `main~2`) to a commit id.
    pub fn resolve(&self, revision: &str) -> Result<CommitId, Error> {
        self.resolve_oid(revision).map(CommitId::from_oid)
    }

    /// The commit `HEAD` points at.
    pub fn head(&self) -> Result<CommitId, Error> {
        self.head_oid().map(CommitId::from_oid)
    }

    pub(crate) fn resolve_oid(&self, revision: &str) -> Result<git2::Oid, Error> {
        if revision == "HEAD" {
            return self.head_oid();
        }
        let not_found = |source: git2::Error| Error::RevisionNotFound {
            revision: revision.to_owned(),
            source: Box::new(source),
        };
        let object = self.git.revparse_single(revision).map_err(not_found)?;
        let commit = object.peel_to_commit().map_err(not_found)?;
        Ok(commit.id())
    }

    pub(crate) fn head_oid(&self) -> Result<git2::Oid, Error> {
        match self.git.head() {
            Ok(head) => head
                .peel_to_commit()
                .map(|commit| commit.id())
                .context(|| "reading the commit HEAD points at".to_owned()),
            Err(error) if error.code() == ErrorCode::UnbornBranch => Err(Error::UnbornBranch {
                branch: self.unborn_branch_name(),
            }),
            Err(error) => Err(error).context(|| "reading HEAD".to_owned()),
        }
    }

    fn unborn_branch_name(&self) -> String {
        self.git
            .find_reference("HEAD")
            .ok()
            .and_then(|head| {
                head.symbolic_target()
                    .ok()
                    .flatten()
                    .map(|target| target.trim_start_matches("refs/heads/").to_owned())
            })
            .unwrap_or_else(|| "HEAD".to_owned())
    }

    pub(crate) fn require_work_tree(&self, operation: &'static str) -> Result<&Path, Error> {
        self.git.workdir().ok_or_else(|| Error::BareRepository {
            path: self.git.path().to_owned(),
            operation,
        })
    }

    /// Fail with the `git fetch --unshallow --tags` advice when the clone is shallow.
    ///
    /// Every operation that needs the history (the last release, commits since a tag)
    /// calls this first: in a shallow clone tags are missing and an answer such as "no
    /// release yet" would be wrong.
    pub fn ensure_full_history(&self) -> Result<(), Error> {
        if self.git.is_shallow() {
            return Err(Error::ShallowClone {
                path: self.git.path().to_owned(),
            });
        }
        Ok(())
    }

    pub(crate) fn signatures(
        &self,
    ) -> Result<(git2::Signature<'static>, git2::Signature<'static>), Error> {
        if let Some(identity) = &self.identity {
            let signature =
                git2::Signature::new(&identity.name, &identity.email, &identity.time.to_git())
                    .context(|| "building the configured identity".to_owned())?;
            return Ok((signature.clone(), signature));
        }
        let hint = || {
            "reading the author and committer (set `user.name` and `user.email` with `git config`)"
                .to_owned()
        };
        let author = self.git.author_from_env().context(hint)?;
        let committer = self.git.committer_from_env().context(hint)?;
        Ok((author, committer))
    }

    /// Run `git` with explicit arguments in this repository, never through a shell.
    ///
    /// Prompts are disabled (`GIT_TERMINAL_PROMPT=0`) so a missing credential fails
    /// instead of hanging, messages are untranslated (`LC_ALL=C`) because some are
    /// recognised, and `GIT_DIR`-style variables from a calling hook are removed so the
    /// command acts on this repository.
    pub(crate) fn run_git(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<String, Error> {
        let command_text = args.join(" ");
        let directory: PathBuf = self
            .git
            .workdir()
            .unwrap_or_else(|| self.git.path())
            .to_owned();
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(&directory)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_OBJECT_DIRECTORY")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in &self.git_env {
            command.env(key, value);
        }
        if let Some(identity) = &self.identity {
            let date = format!(
                "@{} {}",
                identity.time.seconds,
                offset(identity.time.offset_minutes)
            );
            for role in ["AUTHOR", "COMMITTER"] {
                command
                    .env(format!("GIT_{role}_NAME"), &identity.name)
                    .env(format!("GIT_{role}_EMAIL"), &identity.email)
                    .env(format!("GIT_{role}_DATE"), &date);
            }
        }
        tracing::debug!(command = %command_text, dir = %directory.display(), "running git");
        let spawn_error = |source| Error::GitNotFound {
            command: command_text.clone(),
            source,
        };
        let mut child = command.spawn().map_err(spawn_error)?;
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // A write error means git exited early; its status and stderr say why.
            let _ = pipe.write_all(input);
        }
        let output = child.wait_with_output().map_err(spawn_error)?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(Error::GitCommand {
                command: command_text,
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            })
        }
    }
}

/// A UTC offset in minutes as git writes it (`+0130`).
fn offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}
