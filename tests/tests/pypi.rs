//! `slipway publish|verify|yank pypi` end to end against a real pypiserver, proven with a real `pip download`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use slipway_tests::pypiserver::{PypiServer, build_sdist, build_wheel, sha256_file};

/// Runs the real `slipway` with a clean environment: no real ~/.pypirc, no CI credentials.
fn slipway(server: &PypiServer, home: &Path, args: &[&str]) -> Output {
    slipway_with(server, home, args, &[])
}

fn slipway_with(server: &PypiServer, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slipway-e2e"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("CI", "1")
        .env("TWINE_USERNAME", server.username())
        .env("TWINE_PASSWORD", server.password());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("slipway runs")
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `pip download --no-deps` of `requirement` from the server into a new directory; returns the files.
fn pip_download(
    server: &PypiServer,
    requirement: &str,
    binary: bool,
) -> Result<Vec<PathBuf>, String> {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut command = Command::new("python3");
    command
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-cache-dir",
            "--disable-pip-version-check",
        ])
        .args([
            "--index-url",
            &server.simple_url_with_auth(),
            requirement,
            "-d",
        ])
        .arg(&dir)
        .env("PIP_CONFIG_FILE", "/dev/null");
    if binary {
        command.args(["--only-binary", ":all:"]);
    } else {
        command.args(["--no-binary", ":all:", "--no-build-isolation"]);
    }
    let output = command.output().expect("pip runs");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let mut files: Vec<PathBuf> = fs_err::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    Ok(files)
}

struct Release {
    _dir: tempfile::TempDir,
    sdist: PathBuf,
    wheel: PathBuf,
}

fn release(name: &str, version: &str, payload: &str) -> Release {
    let dir = tempfile::tempdir().unwrap();
    Release {
        sdist: build_sdist(dir.path(), name, version, payload).unwrap(),
        wheel: build_wheel(dir.path(), name, version, payload).unwrap(),
        _dir: dir,
    }
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn publish_uploads_sdist_then_wheel_and_pip_downloads_the_same_bytes() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let files = release("slipway-demo", "1.0.0", "one");
    let url = server.url();
    let output = slipway(
        &server,
        home.path(),
        &[
            "publish",
            "pypi",
            s(&files.wheel),
            s(&files.sdist),
            "--repository-url",
            &url,
            "--release",
            "1.0.0",
        ],
    );
    assert!(
        output.status.success(),
        "{}\n{}",
        text(&output),
        server.log_text()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("uploaded slipway_demo-1.0.0.tar.gz sha256 "),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("uploaded slipway_demo-1.0.0-py3-none-any.whl sha256 "),
        "{stdout}"
    );

    let wheel = pip_download(&server, "slipway-demo==1.0.0", true).unwrap();
    assert_eq!(wheel.len(), 1);
    assert_eq!(wheel[0].file_name(), files.wheel.file_name());
    assert_eq!(
        sha256_file(&wheel[0]).unwrap(),
        sha256_file(&files.wheel).unwrap()
    );
    let sdist = pip_download(&server, "slipway-demo==1.0.0", false).unwrap();
    assert_eq!(sdist[0].file_name(), files.sdist.file_name());
    assert_eq!(
        sha256_file(&sdist[0]).unwrap(),
        sha256_file(&files.sdist).unwrap()
    );

    let output = slipway(
        &server,
        home.path(),
        &[
            "verify",
            "pypi",
            "Slipway_Demo",
            "1.0",
            "--files",
            s(&files.sdist),
            s(&files.wheel),
            "--repository-url",
            &url,
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("verified Slipway_Demo 1.0"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_rerun_is_idempotent_and_other_content_under_the_same_name_is_refused_naming_both_hashes() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = server.url();
    let files = release("idem", "2.0.0", "first");
    let publish = |paths: &[&Path], extra: &[&str]| {
        let mut args = vec!["publish", "pypi", "--repository-url", &url];
        args.extend(paths.iter().map(|p| s(p)));
        args.extend(extra);
        slipway(&server, home.path(), &args)
    };
    let first = publish(&[&files.sdist, &files.wheel], &[]);
    assert!(first.status.success(), "{}", text(&first));
    let again = publish(&[&files.sdist, &files.wheel], &[]);
    assert!(again.status.success(), "{}", text(&again));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert_eq!(stdout.matches("already published").count(), 2, "{stdout}");

    let rebuilt = release("idem", "2.0.0", "second build, other bytes");
    let conflict = publish(&[&rebuilt.wheel], &[]);
    assert_eq!(conflict.status.code(), Some(1), "{}", text(&conflict));
    let stderr = String::from_utf8_lossy(&conflict.stderr);
    let local = sha256_file(&rebuilt.wheel).unwrap();
    let remote = sha256_file(&files.wheel).unwrap();
    assert!(
        stderr.contains(&local) && stderr.contains(&remote),
        "{stderr}"
    );
    assert!(stderr.contains("can never be replaced"), "{stderr}");

    let skipped = publish(&[&rebuilt.wheel], &["--skip-existing"]);
    assert!(skipped.status.success(), "{}", text(&skipped));
    assert!(
        String::from_utf8_lossy(&skipped.stdout).starts_with("skipped "),
        "{}",
        text(&skipped)
    );
    // The index still serves the first build.
    let downloaded = pip_download(&server, "idem==2.0.0", true).unwrap();
    assert_eq!(sha256_file(&downloaded[0]).unwrap(), remote);
}

#[test]
fn an_rc_build_is_refused_when_publishing_the_final_release_and_nothing_is_uploaded() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let files = release("candidate", "1.1.0rc1", "rc");
    let url = server.url();
    let output = slipway(
        &server,
        home.path(),
        &[
            "publish",
            "pypi",
            s(&files.sdist),
            s(&files.wheel),
            "--repository-url",
            &url,
            "--release",
            "1.1.0",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is version 1.1.0rc1, not the release being published (1.1.0)"),
        "{stderr}"
    );
    assert_eq!(fs_err::read_dir(server.packages_dir()).unwrap().count(), 0);

    // The same files as the rc they are, spelled in SemVer, go through.
    let output = slipway(
        &server,
        home.path(),
        &[
            "publish",
            "pypi",
            s(&files.sdist),
            s(&files.wheel),
            "--repository-url",
            &url,
            "--release",
            "1.1.0-rc.1",
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(fs_err::read_dir(server.packages_dir()).unwrap().count(), 2);
}

#[test]
fn dry_run_uploads_nothing_and_reads_pypirc_repositories() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    fs_err::write(
        home.path().join(".pypirc"),
        format!(
            "[distutils]\nindex-servers = local\n\n[local]\nrepository = {}\nusername = {}\npassword = {}\n",
            server.url(),
            server.username(),
            server.password()
        ),
    )
    .unwrap();
    let files = release("rcfile", "0.1.0", "x");
    let dry = slipway(
        &server,
        home.path(),
        &[
            "publish",
            "pypi",
            s(&files.sdist),
            "-r",
            "local",
            "--dry-run",
        ],
    );
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        String::from_utf8_lossy(&dry.stdout).starts_with("would upload rcfile-0.1.0.tar.gz"),
        "{}",
        text(&dry)
    );
    assert_eq!(fs_err::read_dir(server.packages_dir()).unwrap().count(), 0);

    // Credentials from ~/.pypirc alone (no environment).
    let mut command = Command::new(env!("CARGO_BIN_EXE_slipway-e2e"));
    let output = command
        .args(["publish", "pypi", s(&files.sdist), "-r", "local"])
        .env_clear()
        .env("HOME", home.path())
        .env("CI", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(fs_err::read_dir(server.packages_dir()).unwrap().count(), 1);
}

#[test]
fn yank_on_pypiserver_lists_without_confirm_then_deletes_and_verify_sees_it_gone() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = server.url();
    let files = release("yankme", "3.0.0", "bad release");
    let keep = release("yankme", "2.9.0", "good release");
    for f in [&files, &keep] {
        let output = slipway(
            &server,
            home.path(),
            &[
                "publish",
                "pypi",
                s(&f.sdist),
                s(&f.wheel),
                "--repository-url",
                &url,
            ],
        );
        assert!(output.status.success(), "{}", text(&output));
    }

    let refused = slipway(
        &server,
        home.path(),
        &["yank", "pypi", "yankme", "3.0.0", "--repository-url", &url],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stdout)
            .contains("would delete yankme-3.0.0-py3-none-any.whl")
    );
    assert!(pip_download(&server, "yankme==3.0.0", true).is_ok());

    let yanked = slipway(
        &server,
        home.path(),
        &[
            "yank",
            "pypi",
            "yankme",
            "3.0.0",
            "--repository-url",
            &url,
            "--confirm",
        ],
    );
    assert!(
        yanked.status.success(),
        "{}\n{}",
        text(&yanked),
        server.log_text()
    );
    assert_eq!(
        String::from_utf8_lossy(&yanked.stdout)
            .matches("deleted ")
            .count(),
        2,
        "{}",
        text(&yanked)
    );
    let error = pip_download(&server, "yankme==3.0.0", true).unwrap_err();
    assert!(error.contains("No matching distribution"), "{error}");
    assert!(
        pip_download(&server, "yankme==2.9.0", true).is_ok(),
        "other releases stay"
    );

    let verify = slipway(
        &server,
        home.path(),
        &[
            "verify",
            "pypi",
            "yankme",
            "3.0.0",
            "--repository-url",
            &url,
            "--timeout",
            "0",
        ],
    );
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    let again = slipway(
        &server,
        home.path(),
        &[
            "yank",
            "pypi",
            "yankme",
            "3.0.0",
            "--repository-url",
            &url,
            "--confirm",
        ],
    );
    assert!(again.status.success(), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to remove"));
}

#[test]
fn the_password_appears_in_no_byte_of_output_at_the_most_verbose_log_level() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = server.url();
    let files = release("secretive", "1.0.0", "s");
    let trace = [("SLIPWAY_LOG", "trace"), ("RUST_LOG", "trace")];
    let mut outputs = vec![
        slipway_with(
            &server,
            home.path(),
            &[
                "-vvv",
                "publish",
                "pypi",
                s(&files.sdist),
                s(&files.wheel),
                "--repository-url",
                &url,
            ],
            &trace,
        ),
        slipway_with(
            &server,
            home.path(),
            &[
                "-vvv",
                "publish",
                "pypi",
                s(&files.sdist),
                "--repository-url",
                &url,
            ],
            &trace,
        ),
        slipway_with(
            &server,
            home.path(),
            &[
                "-vvv",
                "verify",
                "pypi",
                "secretive",
                "1.0.0",
                "--files",
                s(&files.wheel),
                "--repository-url",
                &url,
            ],
            &trace,
        ),
        slipway_with(
            &server,
            home.path(),
            &[
                "-vvv",
                "yank",
                "pypi",
                "secretive",
                "1.0.0",
                "--confirm",
                "--repository-url",
                &url,
            ],
            &trace,
        ),
    ];
    // A refused password (the server says 403) is reported without it, as is the right one echoed in a URL.
    let wrong = "wrong-password-0123456789";
    let other = release("secretive", "1.0.1", "t");
    outputs.push(slipway_with(
        &server,
        home.path(),
        &[
            "-vvv",
            "publish",
            "pypi",
            s(&other.sdist),
            "--repository-url",
            &url,
        ],
        &[("SLIPWAY_LOG", "trace"), ("TWINE_PASSWORD", wrong)],
    ));
    let with_userinfo = format!(
        "http://{}:{}@127.0.0.1:1/",
        server.username(),
        server.password()
    );
    outputs.push(slipway_with(
        &server,
        home.path(),
        &[
            "-vvv",
            "verify",
            "pypi",
            "secretive",
            "1.0.0",
            "--repository-url",
            &with_userinfo,
            "--timeout",
            "0",
        ],
        &trace,
    ));
    for (i, output) in outputs.iter().enumerate() {
        let all = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
        assert!(!all.is_empty());
        for secret in [server.password(), wrong] {
            assert!(
                !all.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "run {i} printed the password:\n{}",
                text(output)
            );
        }
    }
    assert!(
        outputs[0].status.success() && outputs[1].status.success(),
        "{}",
        text(&outputs[0])
    );
    assert!(
        String::from_utf8_lossy(&outputs[0].stderr).contains("TRACE"),
        "the log level was really trace"
    );
    assert_eq!(outputs[4].status.code(), Some(1), "{}", text(&outputs[4]));
    assert!(
        String::from_utf8_lossy(&outputs[4].stderr).contains("refused the credentials"),
        "{}",
        text(&outputs[4])
    );
}
