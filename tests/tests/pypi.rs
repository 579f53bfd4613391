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
fn a_first_upload_to_a_pypiserver_that_redirects_unknown_names_goes_through_and_verifies() {
    // pypiserver's default: names it does not hold are redirected to another index (here a
    // closed loopback port; slipway follows no redirect off the index anyway).
    let server = PypiServer::start_with_fallback("http://127.0.0.1:9/simple/").unwrap();
    let home = tempfile::tempdir().unwrap();
    let files = release("redirected-demo", "1.0.0", "one");
    let url = server.url();
    let published = slipway(
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
    assert!(published.status.success(), "{}", text(&published));
    assert!(
        server.log_text().contains("GET /simple/redirected-demo/"),
        "the index was asked first: {}",
        server.log_text()
    );
    let verified = slipway(
        &server,
        home.path(),
        &[
            "verify",
            "pypi",
            "redirected-demo",
            "1.0.0",
            "--files",
            s(&files.sdist),
            s(&files.wheel),
            "--repository-url",
            &url,
        ],
    );
    assert!(verified.status.success(), "{}", text(&verified));
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

/// A FAKE Warehouse (PyPI's software) for what pypiserver cannot play: trusted publishing and the
/// yank-is-manual rule. It follows PyPI's documented endpoints: `/_/oidc/audience`, `/_/oidc/mint-token`,
/// the legacy upload at `/legacy/`, and the PEP 691 simple API; plus GitHub Actions' OIDC token endpoint.
mod fake_warehouse {
    use std::collections::BTreeMap;
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use base64::Engine as _;

    pub(crate) const REQUEST_TOKEN: &str = "ghs-FAKE-request-token-9f8e7d";
    pub(crate) const JWT: &str = "eyFAKE-oidc-jwt-1a2b3c";
    pub(crate) const MINTED: &str = "pypi-FAKE-minted-token-4d5e6f";

    pub(crate) struct Fake {
        pub(crate) base: String,
        /// filename → sha256 of the accepted uploads.
        pub(crate) files: Arc<Mutex<BTreeMap<String, String>>>,
    }

    pub(crate) fn start() -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let files = Arc::new(Mutex::new(BTreeMap::new()));
        let shared = Arc::clone(&files);
        let origin = base.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let files = Arc::clone(&shared);
                let origin = origin.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &files, &origin);
                });
            }
        });
        Fake { base, files }
    }

    fn serve(
        stream: std::net::TcpStream,
        files: &Mutex<BTreeMap<String, String>>,
        origin: &str,
    ) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut headers = BTreeMap::new();
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let path = target.split('?').next().unwrap_or_default();
        let auth = headers.get("authorization").cloned().unwrap_or_default();
        let (status, content_type, payload) = match (method.as_str(), path) {
            ("GET", "/_/oidc/audience") => (
                "200 OK",
                "application/json",
                r#"{"audience":"pypi"}"#.to_owned(),
            ),
            ("GET", "/github/token")
                if auth == format!("bearer {REQUEST_TOKEN}")
                    && target.contains("audience=pypi") =>
            {
                (
                    "200 OK",
                    "application/json",
                    format!(r#"{{"value":"{JWT}"}}"#),
                )
            }
            ("POST", "/_/oidc/mint-token") if String::from_utf8_lossy(&body).contains(JWT) => (
                "200 OK",
                "application/json",
                format!(r#"{{"success":true,"token":"{MINTED}"}}"#),
            ),
            ("POST", "/legacy/") => {
                let expected = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("__token__:{MINTED}"))
                );
                if auth == expected {
                    let text = String::from_utf8_lossy(&body);
                    let filename = text
                        .split("filename=\"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .unwrap_or_default();
                    let sha = text
                        .split("name=\"sha256_digest\"\r\n\r\n")
                        .nth(1)
                        .and_then(|r| r.split("\r\n").next())
                        .unwrap_or_default();
                    files
                        .lock()
                        .unwrap()
                        .insert(filename.to_owned(), sha.to_owned());
                    ("200 OK", "text/plain", "OK".to_owned())
                } else {
                    (
                        "403 Invalid or non-existent authentication information.",
                        "text/plain",
                        String::new(),
                    )
                }
            }
            ("GET", p) if p.starts_with("/simple/") => {
                let listed: Vec<String> = files
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(name, sha)| {
                        format!(r#"{{"filename":"{name}","url":"{origin}files/{name}","hashes":{{"sha256":"{sha}"}}}}"#)
                    })
                    .collect();
                if listed.is_empty() {
                    ("404 Not Found", "text/plain", String::new())
                } else {
                    (
                        "200 OK",
                        "application/vnd.pypi.simple.v1+json",
                        format!(
                            r#"{{"meta":{{"api-version":"1.1"}},"files":[{}]}}"#,
                            listed.join(",")
                        ),
                    )
                }
            }
            _ => ("404 Not Found", "text/plain", String::new()),
        };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{payload}",
            payload.len()
        )?;
        stream.flush()
    }
}

#[test]
fn fake_pypi_trusted_publishing_in_github_actions_uploads_with_a_minted_token_and_yank_is_a_manual_step()
 {
    let fake = fake_warehouse::start();
    let home = tempfile::tempdir().unwrap();
    let files = release("trusted", "1.0.0", "t");
    let upload_url = format!("{}legacy/", fake.base);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_slipway-e2e"))
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .env("CI", "true")
            .env("SLIPWAY_LOG", "trace")
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{}github/token?api-version=2.0", fake.base),
            )
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                fake_warehouse::REQUEST_TOKEN,
            )
            .output()
            .unwrap()
    };
    let output = run(&[
        "publish",
        "pypi",
        s(&files.sdist),
        s(&files.wheel),
        "--repository-url",
        &upload_url,
    ]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(fake.files.lock().unwrap().len(), 2);
    assert_eq!(
        fake.files.lock().unwrap()["trusted-1.0.0.tar.gz"],
        sha256_file(&files.sdist).unwrap()
    );

    let yank = run(&[
        "yank",
        "pypi",
        "trusted",
        "1.0.0",
        "--repository-url",
        &upload_url,
        "--confirm",
    ]);
    assert_eq!(yank.status.code(), Some(1), "{}", text(&yank));
    let stdout = String::from_utf8_lossy(&yank.stdout);
    assert!(stdout.starts_with("manual action required"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{}manage/project/trusted/release/1.0.0/",
            fake.base
        )),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&yank.stderr).contains("was not yanked"),
        "{}",
        text(&yank)
    );
    assert_eq!(fake.files.lock().unwrap().len(), 2, "nothing was deleted");

    for output in [&output, &yank] {
        let all = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
        for secret in [
            fake_warehouse::REQUEST_TOKEN,
            fake_warehouse::JWT,
            fake_warehouse::MINTED,
        ] {
            assert!(
                !all.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} leaked:\n{}",
                text(output)
            );
        }
    }
}

#[test]
fn fake_pypi_slipway_pypi_token_wins_over_pypi_token_and_twine_password() {
    let fake = fake_warehouse::start();
    let home = tempfile::tempdir().unwrap();
    let files = release("bytoken", "1.0.0", "t");
    let upload_url = format!("{}legacy/", fake.base);
    let publish = |file: &Path, env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_slipway-e2e"));
        command
            .args(["publish", "pypi", s(file), "--repository-url", &upload_url])
            .env_clear()
            .env("HOME", home.path())
            .env("CI", "1");
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().unwrap()
    };
    // The fake accepts only the minted token; the others are wrong, so only the first source can succeed.
    let wrong = "pypi-wrong-token-000000";
    let output = publish(
        &files.wheel,
        &[
            ("SLIPWAY_PYPI_TOKEN", fake_warehouse::MINTED),
            ("PYPI_TOKEN", wrong),
            ("TWINE_PASSWORD", wrong),
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let output = publish(
        &files.sdist,
        &[
            ("PYPI_TOKEN", fake_warehouse::MINTED),
            ("TWINE_PASSWORD", wrong),
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("uploaded"),
        "{}",
        text(&output)
    );
    assert_eq!(fake.files.lock().unwrap().len(), 2);
    let again = release("bytoken", "1.0.1", "u");
    let output = publish(&again.wheel, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no credentials"),
        "{}",
        text(&output)
    );
}

/// Parses one `--json` object and checks its schema version.
#[track_caller]
fn json(output: &Output) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", text(output)));
    assert_eq!(value["schema_version"], 1, "{value}");
    value
}

#[test]
fn publish_verify_and_yank_print_json_results() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let files = release("jsondemo", "1.1.0", "json");
    let url = server.url();
    let published = slipway(
        &server,
        home.path(),
        &[
            "publish",
            "pypi",
            s(&files.wheel),
            s(&files.sdist),
            "--repository-url",
            &url,
            "--json",
        ],
    );
    assert!(published.status.success(), "{}", text(&published));
    let value = json(&published);
    assert_eq!(
        (&value["project"], &value["version"]),
        (&"jsondemo".into(), &"1.1.0".into())
    );
    let uploaded = value["files"].as_array().unwrap();
    assert_eq!(uploaded.len(), 2);
    assert!(
        uploaded.iter().all(|file| file["status"] == "uploaded"),
        "{value}"
    );
    let wheel_sha = sha256_file(&files.wheel).unwrap();
    assert!(
        uploaded
            .iter()
            .any(|file| file["sha256"] == wheel_sha.as_str())
    );

    let verified = slipway(
        &server,
        home.path(),
        &[
            "verify",
            "pypi",
            "jsondemo",
            "1.1.0",
            "--files",
            s(&files.wheel),
            "--repository-url",
            &url,
            "--json",
        ],
    );
    assert!(verified.status.success(), "{}", text(&verified));
    let value = json(&verified);
    assert_eq!(value["ok"], true);
    assert_eq!(value["found"].as_array().unwrap().len(), 2, "{value}");
    assert_eq!(value["missing"], serde_json::json!([]));

    // Without --confirm: one object, the error, naming the files, exit 2 as without --json.
    let refused = slipway(
        &server,
        home.path(),
        &[
            "yank",
            "pypi",
            "jsondemo",
            "1.1.0",
            "--repository-url",
            &url,
            "--json",
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let value = json(&refused);
    assert_eq!(value["error"]["exit_code"], 2);
    assert!(
        value["error"]["message"]
            .as_str()
            .unwrap()
            .contains("jsondemo-1.1.0-py3-none-any.whl"),
        "{value}"
    );

    let yanked = slipway(
        &server,
        home.path(),
        &[
            "yank",
            "pypi",
            "jsondemo",
            "1.1.0",
            "--repository-url",
            &url,
            "--confirm",
            "--json",
        ],
    );
    assert!(yanked.status.success(), "{}", text(&yanked));
    let value = json(&yanked);
    assert_eq!(value["outcome"], "removed");
    assert_eq!(value["files"].as_array().unwrap().len(), 2, "{value}");
}

/// Issue 14: pypiserver matches the name as its file names spell it (`yank_me_dashed`), so the dashed
/// project name alone is answered 404; that 404 is "not removed", the other forms are tried, and
/// success is reported only once a fresh read shows the files gone.
#[test]
fn yank_of_a_dashed_project_on_pypiserver_tries_the_file_name_form_and_sees_the_files_gone() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = server.url();
    let files = release("yank-me-dashed", "1.0.0", "bad release");
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
        ],
    );
    assert!(output.status.success(), "{}", text(&output));
    let yanked = slipway(
        &server,
        home.path(),
        &[
            "yank",
            "pypi",
            "yank-me-dashed",
            "1.0.0",
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
    let error = pip_download(&server, "yank-me-dashed==1.0.0", true).unwrap_err();
    assert!(error.contains("No matching distribution"), "{error}");
    assert!(
        fs_err::read_dir(server.packages_dir())
            .unwrap()
            .next()
            .is_none(),
        "the packages directory is empty"
    );
}

/// Issue 17: a killed upload that pypiserver kept cut short is named as such, with the way out;
/// removed, the next publish puts the whole file there.
#[test]
fn an_upload_cut_short_on_the_index_is_reported_as_interrupted_and_resumes_once_removed() {
    let server = PypiServer::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let url = server.url();
    let files = release(
        "cutshort",
        "1.0.0",
        "a payload long enough to be cut in half",
    );
    // What a kill 15 ms into the upload leaves on pypiserver: the first bytes, under the name.
    let bytes = std::fs::read(&files.wheel).unwrap();
    let name = files.wheel.file_name().unwrap();
    std::fs::write(server.packages_dir().join(name), &bytes[..bytes.len() / 2]).unwrap();
    let publish = |home: &Path| {
        slipway(
            &server,
            home,
            &["publish", "pypi", s(&files.wheel), "--repository-url", &url],
        )
    };
    let stopped = publish(home.path());
    assert!(!stopped.status.success());
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    assert!(
        stderr.contains(&format!(
            "interrupted upload of {}: {} of {} bytes on the index",
            name.to_string_lossy(),
            bytes.len() / 2,
            bytes.len()
        )),
        "{}",
        text(&stopped)
    );
    assert!(stderr.contains("slipway yank pypi"), "{stderr}");
    assert!(!stderr.contains("publish a new version"), "{stderr}");
    // The way out it names: remove the cut copy, publish again.
    let yanked = slipway(
        &server,
        home.path(),
        &[
            "yank",
            "pypi",
            "cutshort",
            "1.0.0",
            "--repository-url",
            &url,
            "--confirm",
        ],
    );
    assert!(yanked.status.success(), "{}", text(&yanked));
    let published = publish(home.path());
    assert!(published.status.success(), "{}", text(&published));
    assert_eq!(
        std::fs::read(server.packages_dir().join(name)).unwrap(),
        bytes
    );
}
