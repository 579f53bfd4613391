//! A temporary repository builder for tests (feature `test-support`).
//!
//! [`TestRepo`] creates a repository in a temporary directory, with a fixed author and
//! committer, dates that advance by one minute per git call from 2023-11-14T22:13:20Z,
//! no signing, and git isolated from the user's configuration (`HOME` points into the
//! temporary directory, `GIT_CONFIG_NOSYSTEM=1`). It drives the real `git` executable,
//! so what tests build is what git builds. Helpers panic on failure: they are for tests.
//!
//! ```
//! use gitops::test_support::TestRepo;
//!
//! let repo = TestRepo::new().with_remote();
//! repo.commit("feat: first").tag("v1.0.0").commit("fix: second").push();
//! assert_eq!(repo.git(&["log", "--format=%s"]), "fix: second\nfeat: first\n");
//! ```

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::{CommitId, Identity, Repository, Time};

/// The author and committer name of every test commit.
pub const NAME: &str = "Slipway Test";
/// The author and committer email of every test commit.
pub const EMAIL: &str = "test@slipway.invalid";
/// The time of the first test commit (2023-11-14T22:13:20Z).
pub const START_TIME: i64 = 1_700_000_000;

/// A repository in a temporary directory, optionally with a bare `origin`.
#[derive(Debug)]
pub struct TestRepo {
    // Removed on drop; everything else lives inside.
    root: tempfile::TempDir,
    work: PathBuf,
    home: PathBuf,
    remote: Option<PathBuf>,
    clock: Cell<i64>,
    files: Cell<u32>,
}

impl Default for TestRepo {
    fn default() -> Self {
        TestRepo::new()
    }
}

impl TestRepo {
    /// An empty repository on branch `main` with no commits.
    pub fn new() -> TestRepo {
        let repo = TestRepo::empty_root();
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.configure();
        repo
    }

    /// A clone of `url` with extra `git clone` arguments (`["--depth", "1"]`; shallow
    /// clones need a `file://` URL, see [`file_url`](TestRepo::file_url)).
    pub fn clone_from(url: &str, args: &[&str]) -> TestRepo {
        let repo = TestRepo::empty_root();
        let work = repo.work.to_string_lossy().into_owned();
        let mut clone_args = vec!["clone", "--quiet"];
        clone_args.extend_from_slice(args);
        clone_args.push(url);
        clone_args.push(&work);
        let output = repo.run(repo.root.path(), &clone_args);
        assert!(
            output.status.success(),
            "git clone failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        repo.configure();
        repo
    }

    fn empty_root() -> TestRepo {
        let root = tempfile::tempdir().expect("creating a temporary directory");
        let work = root.path().join("work");
        let home = root.path().join("home");
        std::fs::create_dir_all(&work).expect("creating the work tree");
        std::fs::create_dir_all(home.join(".config")).expect("creating HOME");
        std::fs::write(
            home.join(".gitconfig"),
            format!(
                "[user]\n\tname = {NAME}\n\temail = {EMAIL}\n[init]\n\tdefaultBranch = main\n\
                 [commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n[protocol \"file\"]\n\tallow = always\n"
            ),
        )
        .expect("writing the test git config");
        TestRepo {
            root,
            work,
            home,
            remote: None,
            clock: Cell::new(START_TIME),
            files: Cell::new(0),
        }
    }

    fn configure(&self) {
        // Repository-level settings win over anything libgit2 reads from the real HOME.
        for (key, value) in [
            ("user.name", NAME),
            ("user.email", EMAIL),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
            // libgit2 reads the real user's global config: neutralise what changes results.
            ("core.autocrlf", "false"),
        ] {
            self.git(&["config", key, value]);
        }
        let excludes = self.home.join(".gitignore_global");
        self.git(&[
            "config",
            "core.excludesFile",
            &excludes.display().to_string(),
        ]);
    }

    /// Add a bare repository as `origin`.
    #[must_use]
    pub fn with_remote(mut self) -> TestRepo {
        let remote = self.root.path().join("remote.git");
        let remote_text = remote.to_string_lossy().into_owned();
        let output = self.run(
            self.root.path(),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                &remote_text,
            ],
        );
        assert!(output.status.success(), "git init --bare failed");
        self.git(&["remote", "add", "origin", &remote_text]);
        self.remote = Some(remote);
        self
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        &self.work
    }

    /// The `HOME` git runs with (it holds an isolated `.gitconfig`).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The bare remote; panics without [`with_remote`](TestRepo::with_remote).
    pub fn remote_path(&self) -> &Path {
        self.remote
            .as_deref()
            .expect("TestRepo::with_remote() was not called")
    }

    /// `file://` URL of the work tree, for clones that honour `--depth`.
    pub fn file_url(&self) -> String {
        format!("file://{}", self.work.display())
    }

    /// The environment git runs with here (isolated config, fixed identity and the
    /// current test date), for spawning other programs, such as the `slipway` binary.
    pub fn env(&self) -> Vec<(String, String)> {
        let date = format!("@{} +0000", self.clock.get());
        vec![
            ("HOME".into(), self.home.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                self.home.join(".config").display().to_string(),
            ),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            (
                "GIT_CONFIG_GLOBAL".into(),
                self.home.join(".gitconfig").display().to_string(),
            ),
            ("GIT_AUTHOR_NAME".into(), NAME.into()),
            ("GIT_AUTHOR_EMAIL".into(), EMAIL.into()),
            ("GIT_COMMITTER_NAME".into(), NAME.into()),
            ("GIT_COMMITTER_EMAIL".into(), EMAIL.into()),
            ("GIT_AUTHOR_DATE".into(), date.clone()),
            ("GIT_COMMITTER_DATE".into(), date),
            ("GIT_TERMINAL_PROMPT".into(), "0".into()),
            ("GIT_EDITOR".into(), "true".into()),
            ("LC_ALL".into(), "C".into()),
        ]
    }

    /// A command for `program` in the work tree with [`env`](TestRepo::env) applied.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.work);
        for variable in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
        ] {
            command.env_remove(variable);
        }
        command.envs(self.env());
        command
    }

    fn run(&self, directory: &Path, args: &[&str]) -> Output {
        self.clock.set(self.clock.get() + 60);
        let mut command = self.command("git");
        command
            .current_dir(directory)
            .args(args)
            .stdin(Stdio::null());
        command.output().expect("running git")
    }

    /// Run the real `git` in the work tree; returns stdout, panics with stderr on failure.
    pub fn git(&self, args: &[&str]) -> String {
        match self.try_git(args) {
            Ok(stdout) => stdout,
            Err(stderr) => panic!("git {} failed: {stderr}", args.join(" ")),
        }
    }

    /// Run the real `git` in the work tree; stdout on success, stderr on failure.
    pub fn try_git(&self, args: &[&str]) -> Result<String, String> {
        let output = self.run(&self.work, args);
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    /// Run the real `git` in the bare remote; returns stdout, panics on failure.
    pub fn remote_git(&self, args: &[&str]) -> String {
        let output = self.run(self.remote_path(), args);
        assert!(
            output.status.success(),
            "git {} (in the remote) failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Write a file in the work tree (creating directories), without staging it.
    pub fn write(&self, path: &str, contents: &str) -> &TestRepo {
        let full = self.work.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("creating directories");
        }
        std::fs::write(full, contents).expect("writing a file");
        self
    }

    /// Commit a new file (`file-<n>.txt`, holding the message) with `message`.
    pub fn commit(&self, message: &str) -> &TestRepo {
        let number = self.files.get() + 1;
        self.files.set(number);
        self.commit_file(
            &format!("file-{number}.txt"),
            &format!("{message}\n"),
            message,
        )
    }

    /// Write `path` with `contents` and commit it with `message`.
    pub fn commit_file(&self, path: &str, contents: &str, message: &str) -> &TestRepo {
        self.write(path, contents);
        self.git(&["add", "--", path]);
        self.git(&["commit", "--quiet", "--cleanup=whitespace", "-m", message]);
        self
    }

    /// A lightweight tag at `HEAD`.
    pub fn tag(&self, name: &str) -> &TestRepo {
        self.git(&["tag", name]);
        self
    }

    /// An annotated tag at `HEAD`.
    pub fn annotated_tag(&self, name: &str, message: &str) -> &TestRepo {
        self.git(&["tag", "--cleanup=verbatim", "-a", name, "-m", message]);
        self
    }

    /// Create branch `name` at `HEAD` (without switching).
    pub fn branch(&self, name: &str) -> &TestRepo {
        self.git(&["branch", name]);
        self
    }

    /// Switch to a branch, tag or commit.
    pub fn checkout(&self, revision: &str) -> &TestRepo {
        self.git(&["checkout", "--quiet", revision]);
        self
    }

    /// Merge `branch` into the current branch with a merge commit (`--no-ff`).
    pub fn merge(&self, branch: &str, message: &str) -> &TestRepo {
        self.git(&["merge", "--quiet", "--no-ff", "-m", message, branch]);
        self
    }

    /// Push the current branch (setting its upstream) and all tags to `origin`.
    pub fn push(&self) -> &TestRepo {
        self.git(&["push", "--quiet", "--set-upstream", "origin", "HEAD"]);
        self.git(&["push", "--quiet", "origin", "--tags"]);
        self
    }

    /// The commit `HEAD` points at.
    pub fn head(&self) -> CommitId {
        self.rev("HEAD")
    }

    /// The commit a revision names.
    pub fn rev(&self, revision: &str) -> CommitId {
        let hex = self.git(&["rev-parse", &format!("{revision}^{{commit}}")]);
        CommitId::new(hex.trim()).expect("git prints hex")
    }

    /// The fixed identity, at the current test time.
    pub fn identity(&self) -> Identity {
        Identity {
            name: NAME.into(),
            email: EMAIL.into(),
            time: Time::utc(self.clock.get()),
        }
    }

    /// Open the work tree with gitops, with the fixed identity and git's isolated
    /// environment.
    pub fn open(&self) -> Repository {
        self.clock.set(self.clock.get() + 60);
        let mut repository = Repository::open(&self.work).expect("opening the test repository");
        for (key, value) in self.env() {
            repository.set_git_env(key, value);
        }
        repository.set_identity(self.identity());
        repository
    }

    /// The temporary directory holding the work tree, `HOME` and the remote.
    pub fn root(&self) -> &Path {
        self.root.path()
    }
}
