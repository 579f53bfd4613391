//! A release of several packages end to end, against real servers (issue 15): a uv workspace with
//! a tooling-only root, `core` (the distribution `hangar-core`) and `app` (which pins it exactly),
//! each published to a real
//! pypiserver by its own build hook, `app`'s image to a real OCI registry (distribution 2.8), and a
//! GitHub Release per package on a local FAKE of GitHub's API. `pip download` and `skopeo inspect`
//! prove what was published; `slipway verify --package` and `slipway rollback --package` work on
//! one package's release; a stop inside any publishing step resumes without publishing anything
//! twice, also when one package's upload failed after the other's went through.

use std::process::{Command, Output};

use gitops::test_support::TestRepo;
use sha2::Digest as _;
use slipway_tests::github_fake::FakeGithub;
use slipway_tests::oci_registry::OciRegistry;
use slipway_tests::pypiserver::{PypiServer, sha256_file};

const TOKEN: &str = "ghp_e2eFakeToken0123456789";

/// The workspace and the servers it publishes to.
struct Workspace {
    repo: TestRepo,
    pypi: PypiServer,
    registry: OciRegistry,
    github: FakeGithub,
}

fn pyproject(name: &str, version: &str, dependencies: &[&str]) -> String {
    let dependencies: Vec<String> = dependencies
        .iter()
        .map(|dependency| format!("\"{dependency}\""))
        .collect();
    format!(
        "[project]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [{}]\n",
        dependencies.join(", ")
    )
}

impl Workspace {
    /// `core` and `app` at 1.0.0, never released, pushed to a bare remote. `[pypi]` and
    /// `[github]` are top-level (inherited by both Python packages), each package has its own
    /// build hook, and only `app` has an image.
    fn new() -> Workspace {
        let pypi = PypiServer::start().unwrap();
        let registry = OciRegistry::start().unwrap();
        let github = FakeGithub::start("acme/hangar", TOKEN).unwrap();
        let repo = TestRepo::new().with_remote();
        let build = env!("CARGO_BIN_EXE_fixture-build");
        repo.write(
            "pyproject.toml",
            "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n\n[tool.ruff]\nline-length = 100\n",
        )
        .write(
            "packages/core/pyproject.toml",
            &pyproject("hangar-core", "1.0.0", &[]),
        )
        .write(
            "packages/app/pyproject.toml",
            &pyproject("app", "1.0.0", &["hangar-core==1.0.0"]),
        )
        .write(".gitignore", "dist/\nbuild/\n")
        .write(
            "slipway.toml",
            &format!(
                "[pypi]\nrepository-url = \"{pypi}\"\n\n[github]\nrepository = \"acme/hangar\"\napi-url = \"{api}\"\n\n[[packages]]\npath = \"packages/core\"\nname = \"core\"\nhooks.build = [\"{build} hangar-core\"]\n\n[[packages]]\npath = \"packages/app\"\nhooks.build = [\"{build} app\"]\n\n[[packages.oci]]\nrepository = \"{registry}/acme/app\"\nlayout = \"build/image\"\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\n",
                pypi = pypi.url(),
                api = github.api_url(),
                registry = registry.address(),
            ),
        );
        repo.git(&["add", "-A"]);
        repo.commit("feat: the first version").push();
        Workspace {
            repo,
            pypi,
            registry,
            github,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = slipway_tests::release_command(
            env!("CARGO_BIN_EXE_slipway-e2e"),
            &self.repo,
            &self.pypi,
            TOKEN,
        );
        command.args(args);
        command
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command(args);
        command.envs(env.iter().copied());
        command.output().unwrap()
    }

    /// Runs slipway and returns its stdout, failing the test with its stderr if it fails.
    #[track_caller]
    fn slipway(&self, args: &[&str]) -> String {
        let output = self.run(args, &[]);
        assert!(
            output.status.success(),
            "slipway {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// The digest `tag` of app's image resolves to, as skopeo reads it, if the tag exists.
    fn image(&self, tag: &str) -> Option<String> {
        let image = format!("docker://{}/acme/app:{tag}", self.registry.address());
        let output = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", "--raw", &image])
            .output()
            .expect("skopeo runs (apt install skopeo)");
        output.status.success().then(|| {
            let raw = output.stdout.strip_suffix(b"\n").unwrap_or(&output.stdout);
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(raw)))
        })
    }

    /// Downloads `requirement` with pip from the pypiserver only: the file names.
    fn pip_download(&self, requirement: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-cache-dir",
                "--disable-pip-version-check",
                "--only-binary",
                ":all:",
                "--index-url",
                &self.pypi.simple_url_with_auth(),
                requirement,
                "-d",
            ])
            .arg(dir.path())
            .env("PIP_CONFIG_FILE", "/dev/null")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pip download {requirement}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut files: Vec<String> = fs_err::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        files
    }

    /// The files on the index, each with whether it is the one its package's build wrote.
    fn index(&self) -> Vec<(String, bool)> {
        let built: Vec<(String, String)> = ["core", "app"]
            .into_iter()
            .flat_map(|package| {
                let dist = self.repo.path().join("packages").join(package).join("dist");
                fs_err::read_dir(&dist)
                    .map(|entries| {
                        entries
                            .map(|entry| {
                                let path = entry.unwrap().path();
                                (
                                    path.file_name().unwrap().to_string_lossy().into_owned(),
                                    sha256_file(&path).unwrap(),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let mut files: Vec<(String, bool)> = fs_err::read_dir(self.pypi.packages_dir())
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let file = (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    sha256_file(&path).unwrap(),
                );
                let same = built.contains(&file);
                (file.0, same)
            })
            .collect();
        files.sort();
        files
    }

    /// The number of uploads the pypiserver received.
    fn uploads(&self) -> usize {
        self.pypi
            .log_text()
            .lines()
            .filter(|line| line.contains("\"POST / HTTP/1.1\""))
            .count()
    }

    /// Everything a release touches, independent of commit ids: the remote's history and tags,
    /// the index (and whether each file is the built one), the number of uploads, app's image
    /// tags, the GitHub Releases and how many were created, and whether a journal is active.
    fn world(&self) -> String {
        let releases: Vec<(String, String, bool, String)> = self
            .github
            .releases()
            .into_iter()
            .map(|release| (release.tag, release.name, release.prerelease, release.body))
            .collect();
        let text = format!(
            "log: {}tags: {}status: {:?}\nindex: {:?}\nuploads: {}\nimage 1.0.0: {:?}\nlatest is 1.0.0: {}\nreleases: {releases:?}\nrelease POSTs: {}\nlatest release: {:?}\njournal: {}\n",
            self.repo.remote_git(&["log", "--format=%s", "main"]),
            self.repo
                .remote_git(&["tag", "-l", "--format=%(refname:short) %(contents)"]),
            self.repo.git(&["status", "--porcelain"]),
            self.index(),
            self.uploads(),
            self.image("1.0.0").is_some(),
            self.image("latest").is_some() && self.image("latest") == self.image("1.0.0"),
            self.github.count("POST", "/releases"),
            self.github.latest_tag(),
            self.repo.path().join(".git/slipway/release.json").exists(),
        );
        regex::Regex::new(r"\b[0-9a-f]{7,40}\b")
            .unwrap()
            .replace_all(&text, "[id]")
            .into_owned()
    }
}

#[test]
fn each_package_is_published_to_its_own_targets_verified_and_rolled_back_on_its_own() {
    let workspace = Workspace::new();

    // The dry run shows each package's part of each publishing step, dependencies first.
    let plan = workspace.slipway(&["release", "--dry-run"]);
    assert!(
        plan.starts_with("release core 1.0.0, app 1.0.0 on branch main"),
        "{plan}"
    );
    for (step, parts) in [
        ("build-hooks", "core: run "),
        (
            "publish-pypi",
            "core: upload the hangar-core 1.0.0 sdist and wheels",
        ),
        (
            "publish-pypi",
            "; app: upload the app 1.0.0 sdist and wheels",
        ),
        ("publish-oci", "app: push build/image to "),
        (
            "github-release",
            "core: create the GitHub Release core-v1.0.0",
        ),
        (
            "github-release",
            "; app: create the GitHub Release app-v1.0.0",
        ),
    ] {
        let line = plan
            .lines()
            .find(|line| line.contains(&format!(" {step} ")))
            .unwrap_or_else(|| panic!("no step {step}: {plan}"));
        assert!(line.contains(parts), "{step}: {line}");
    }
    let oci_line = plan
        .lines()
        .find(|line| line.contains(" publish-oci "))
        .unwrap();
    assert!(!oci_line.contains("core:"), "core has no image: {oci_line}");
    assert_eq!(workspace.uploads(), 0);
    assert!(workspace.github.releases().is_empty());

    // The first release: both packages, each published where it goes.
    assert_eq!(workspace.slipway(&["release"]), "core 1.0.0\napp 1.0.0\n");
    assert_eq!(
        workspace.pip_download("hangar-core==1.0.0"),
        ["hangar_core-1.0.0-py3-none-any.whl"]
    );
    assert_eq!(
        workspace.pip_download("app==1.0.0"),
        ["app-1.0.0-py3-none-any.whl"]
    );
    let app_100 = workspace.image("1.0.0").expect("app's image 1.0.0");
    assert_eq!(workspace.image("latest").as_ref(), Some(&app_100));
    let core = workspace.github.release("core-v1.0.0").unwrap();
    assert_eq!(core.name, "core 1.0.0");
    assert!(core.body.contains("the first version"), "{}", core.body);
    assert_eq!(
        workspace.github.release("app-v1.0.0").unwrap().name,
        "app 1.0.0"
    );
    assert_eq!(
        workspace.github.latest_tag(),
        None,
        "GitHub has one Latest release per repository: no package takes it"
    );

    // A fix in core: core and app (its exact pin rewritten), core published first.
    workspace
        .repo
        .commit_file(
            "packages/core/core.py",
            "SAFE = True\n",
            "fix(core): the crash",
        )
        .push();
    assert_eq!(workspace.slipway(&["release"]), "core 1.0.1\napp 1.0.1\n");
    assert!(
        fs_err::read_to_string(workspace.repo.path().join("packages/app/pyproject.toml"))
            .unwrap()
            .contains("dependencies = [\"hangar-core==1.0.1\"]")
    );
    workspace.pip_download("hangar-core==1.0.1");
    workspace.pip_download("app==1.0.1");
    let app_101 = workspace.image("1.0.1").expect("app's image 1.0.1");
    assert_ne!(app_101, app_100);
    assert_eq!(workspace.image("latest").as_ref(), Some(&app_101));
    let app_notes = workspace.github.release("app-v1.0.1").unwrap().body;
    assert!(app_notes.contains("core 1.0.1"), "{app_notes}");
    assert!(!app_notes.contains("the crash"), "{app_notes}");
    let journal: serde_json::Value = serde_json::from_str(
        &fs_err::read_to_string(
            workspace
                .repo
                .path()
                .join(".git/slipway/done/core-v1.0.1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let uploaded_in_order: Vec<&str> = journal["done"]
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["step"] == "publish-pypi")
        .unwrap()["output"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| package["name"].as_str().unwrap())
        .collect();
    assert_eq!(uploaded_in_order, ["core", "app"]);

    // Each package's release is verified on its own; the package must be named.
    for package in ["core", "app"] {
        let report = workspace.slipway(&["verify", "1.0.1", "--package", package]);
        assert!(
            report.contains(&format!("ok   tag {package}-v1.0.1 is on origin")),
            "{report}"
        );
        assert!(
            report.contains("every configured artifact is published as released"),
            "{report}"
        );
    }
    let unnamed = workspace.run(&["verify", "1.0.1"], &[]);
    assert_eq!(unnamed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unnamed.stderr).contains("name one with --package (app, core)"),
        "{}",
        String::from_utf8_lossy(&unnamed.stderr)
    );

    // Nothing is pending: a second run releases nothing and publishes nothing.
    let uploads = workspace.uploads();
    let again = workspace.run(&["release"], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("no package has changes"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(workspace.uploads(), uploads);

    // A version the package never released is no rollback.
    let never = workspace.run(&["rollback", "1.1.3", "--package", "app"], &[]);
    assert_eq!(never.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&never.stderr)
            .contains("1.1.3 was never released here (no tag app-v1.1.3)"),
        "{}",
        String::from_utf8_lossy(&never.stderr)
    );

    // app 1.0.1 is bad: its `latest` goes back to 1.0.0, by digest; core is untouched.
    let report = workspace.slipway(&["rollback", "1.0.1", "--package", "app"]);
    assert!(report.contains("0 blob bytes moved"), "{report}");
    assert_eq!(workspace.image("latest"), Some(app_100));
    assert!(
        workspace
            .github
            .release("app-v1.0.1")
            .unwrap()
            .body
            .contains("Known issues")
    );
    assert!(
        !workspace
            .github
            .release("core-v1.0.1")
            .unwrap()
            .body
            .contains("Known issues")
    );
}

const PUBLISHING: &[&str] = &[
    "build-hooks",
    "publish-pypi",
    "publish-oci",
    "github-release",
    "verify",
];

#[test]
fn a_release_of_two_packages_stopped_at_any_publishing_step_resumes_without_publishing_twice() {
    let uninterrupted = Workspace::new();
    uninterrupted.slipway(&["release"]);
    let expected = uninterrupted.world();
    assert!(expected.contains("uploads: 4\n"), "{expected}");
    assert!(expected.contains("release POSTs: 2\n"), "{expected}");
    for variable in ["SLIPWAY_TEST_FAIL_AFTER", "SLIPWAY_TEST_FAIL_BEFORE_RECORD"] {
        for step in PUBLISHING {
            let workspace = Workspace::new();
            let failed = workspace.run(&["release"], &[(variable, step)]);
            assert_eq!(
                failed.status.code(),
                Some(1),
                "{variable}={step}: {}",
                String::from_utf8_lossy(&failed.stderr)
            );
            workspace.slipway(&["release", "--resume"]);
            assert_eq!(workspace.world(), expected, "{variable}={step}");
        }
    }

    // Half-way through a step: core's files are on the index when app's upload fails (its build
    // output is gone). The resumed run uploads app's files only.
    let workspace = Workspace::new();
    let stopped = workspace.run(&["release"], &[("SLIPWAY_TEST_FAIL_AFTER", "build-hooks")]);
    assert_eq!(stopped.status.code(), Some(1));
    let app_dist = workspace.repo.path().join("packages/app/dist");
    let kept = tempfile::tempdir().unwrap();
    for entry in fs_err::read_dir(&app_dist).unwrap() {
        let path = entry.unwrap().path();
        fs_err::rename(&path, kept.path().join(path.file_name().unwrap())).unwrap();
    }
    let failed = workspace.run(&["release", "--resume"], &[]);
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("package app"), "{stderr}");
    assert!(stderr.contains("no wheel or sdist matches"), "{stderr}");
    assert_eq!(workspace.uploads(), 2, "core's sdist and wheel went up");
    for entry in fs_err::read_dir(kept.path()).unwrap() {
        let path = entry.unwrap().path();
        fs_err::rename(&path, app_dist.join(path.file_name().unwrap())).unwrap();
    }
    workspace.slipway(&["release", "--resume"]);
    assert_eq!(workspace.world(), expected);
}
