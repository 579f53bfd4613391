//! Running the real `slipway` binary.

use std::path::Path;
use std::process::{Command, Output};

use gitops::test_support::TestRepo;

/// The outcome of one run.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub(crate) fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "slipway failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }
}

/// `slipway ARGS` in `repo`, with the repository's isolated git environment.
pub(crate) fn slipway(repo: &TestRepo, args: &[&str]) -> Run {
    let output = repo
        .command(env!("CARGO_BIN_EXE_slipway"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1763683200")
        .output()
        .unwrap();
    Run::from(output)
}

/// `slipway ARGS` in `directory`, with stdin.
pub(crate) fn slipway_in(directory: &Path, args: &[&str], stdin: &str) -> Run {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_slipway"))
        .args(args)
        .current_dir(directory)
        .env_remove("SLIPWAY_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    Run::from(child.wait_with_output().unwrap())
}
