//! Issue 16, items 1 and 2: the GitHub Action (`action.yml`) and the workflows `slipway init
//! --github-actions` writes are valid for GitHub, checked against the schemas GitHub's tooling uses
//! (the `vendor.github-actions` and `vendor.github-workflows` schemas that check-jsonschema ships,
//! so nothing is fetched), and say what the runbook needs.
//!
//! check-jsonschema comes from PyPI (`cargo xtask test` installs it). Without it these tests fail
//! and say so: they never pass without having validated.

use std::path::{Path, PathBuf};
use std::process::Command;

use slipway::project::Project;
use slipway::workflows::{self, Workflow};

/// The repository root, where action.yml lives.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// How to run check-jsonschema: the script on PATH, else the module of python3.
fn check_jsonschema() -> Command {
    let works = |mut command: Command| {
        command
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if works(Command::new("check-jsonschema")) {
        return Command::new("check-jsonschema");
    }
    let module = || {
        let mut command = Command::new("python3");
        command.args(["-m", "check_jsonschema"]);
        command
    };
    assert!(
        works(module()),
        "check-jsonschema is missing: these tests validate action.yml and the generated workflows \
         with it. Install it with `python3 -m pip install check-jsonschema` (or run `cargo xtask test`, \
         which does)"
    );
    module()
}

/// Validates `file` against check-jsonschema's builtin (vendored, offline) schema `schema`.
fn validate(schema: &str, file: &Path) {
    let output = check_jsonschema()
        .args(["--no-cache", "--builtin-schema", schema])
        .arg(file)
        .output()
        .expect("check-jsonschema runs");
    assert!(
        output.status.success(),
        "{} is not valid against {schema}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// A project directory with `files`, its workflows generated and written, each validated.
fn workflows_of(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<Workflow>) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, text).unwrap();
    }
    let project = Project::discover(dir.path(), None).unwrap();
    let workflows = workflows::generate(&project, "1.2.3").unwrap();
    for workflow in &workflows {
        let path = dir.path().join(&workflow.path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(&path, &workflow.text).unwrap();
        validate("vendor.github-workflows", &path);
    }
    (dir, workflows)
}

fn find<'a>(workflows: &'a [Workflow], name: &str) -> &'a str {
    &workflows
        .iter()
        .find(|workflow| workflow.path == Path::new(".github/workflows").join(name))
        .unwrap_or_else(|| panic!("no {name}"))
        .text
}

/// What every project's workflows say, whatever it has.
fn assert_common(workflows: &[Workflow]) {
    let bump = find(workflows, "version-bump.yml");
    for expected in [
        "workflow_dispatch:",
        "options: [auto, patch, minor, major]",
        "options: ['', alpha, beta, rc]",
        "dry_run:",
        "type: boolean",
        "permissions:\n  contents: write\n",
        "fetch-depth: 0",
        "uses: slipway-rs/slipway@v1.2.3",
        "command: release",
        // The runbook's inputs, as slipway's flags.
        "${{ inputs.level }} --no-publish",
        "format('--pre {0}', inputs.prerelease)",
        "inputs.dry_run && '--dry-run'",
    ] {
        assert!(
            bump.contains(expected),
            "version-bump.yml lacks {expected:?}:\n{bump}"
        );
    }
    let release = find(workflows, "release.yml");
    for expected in [
        "push:\n    tags:",
        "fetch-depth: 0",
        "uses: slipway-rs/slipway@v1.2.3",
        "args: check --tag ${{ github.ref_name }}",
        "command: verify\n          args: ${{ needs.check.outputs.version }}",
    ] {
        assert!(
            release.contains(expected),
            "release.yml lacks {expected:?}:\n{release}"
        );
    }
}

#[test]
fn the_action_is_valid_and_exposes_the_release_outputs() {
    let action = root().join("action.yml");
    validate("vendor.github-actions", &action);
    let text = fs_err::read_to_string(&action).unwrap();
    for expected in [
        "using: composite",
        "command:",
        "args:",
        "working-directory:",
        "install:",
        "version:\n    description",
        "value: ${{ steps.run.outputs.version }}",
        "value: ${{ steps.run.outputs.tag }}",
        "value: ${{ steps.run.outputs.previous_version }}",
        "value: ${{ steps.run.outputs.is_prerelease }}",
        "value: ${{ steps.run.outputs.released }}",
        "echo \"released=false\" >> \"$GITHUB_OUTPUT\"",
        "https://github.com/slipway-rs/slipway/releases/download/v$version",
        "$archive.sha256",
        "slipway==$pep440",
    ] {
        assert!(text.contains(expected), "action.yml lacks {expected:?}");
    }
}

#[test]
fn a_python_project_with_pypi_and_oci_builds_publishes_with_trusted_publishing_and_pushes_the_image()
 {
    let (_dir, workflows) = workflows_of(&[
        (
            "pyproject.toml",
            "[project]\nname = \"hangar\"\nversion = \"1.0.0\"\n",
        ),
        (
            "slipway.toml",
            "[pypi]\n\n[oci]\nrepository = \"ghcr.io/acme/hangar\"\nlayout = \"build/image.tar\"\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\n\n[github]\nassets = [\"dist/*\"]\n",
        ),
    ]);
    assert_common(&workflows);
    let release = find(&workflows, "release.yml");
    for expected in [
        "- v[0-9]+.[0-9]+.[0-9]+*",
        "contents: write",
        "id-token: write",
        "packages: write",
        "actions/setup-python@v5",
        "python -m build",
        "docker buildx build --platform linux/amd64,linux/arm64 --output type=oci,dest=build/image.tar .",
        "args: pypi --release ${{ needs.check.outputs.version }} dist/*",
        "args: oci build/image.tar ghcr.io/acme/hangar --tag ${{ needs.check.outputs.version }}",
        "' --tag latest'",
        "gh release create",
    ] {
        assert!(
            release.contains(expected),
            "release.yml lacks {expected:?}:\n{release}"
        );
    }
    assert!(!release.contains("cargo build"), "{release}");
}

#[test]
fn a_rust_workspace_builds_with_cargo_and_publishes_nowhere_it_is_not_configured() {
    let (_dir, workflows) = workflows_of(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/core\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"0.3.0\"\n",
        ),
        (
            "crates/core/Cargo.toml",
            "[package]\nname = \"core\"\nversion.workspace = true\nedition = \"2021\"\n",
        ),
        ("crates/core/src/lib.rs", ""),
    ]);
    assert_common(&workflows);
    let release = find(&workflows, "release.yml");
    assert!(
        release.contains("cargo build --release --locked"),
        "{release}"
    );
    for absent in [
        "id-token: write",
        "packages: write",
        "python -m build",
        "gh release",
    ] {
        assert!(!release.contains(absent), "{absent:?} in:\n{release}");
    }
}

#[test]
fn a_bare_project_checks_and_verifies_only() {
    let (_dir, workflows) = workflows_of(&[("VERSION", "0.1.0\n")]);
    assert_common(&workflows);
    let release = find(&workflows, "release.yml");
    for absent in [
        "id-token: write",
        "packages: write",
        "name: Build",
        "setup-python",
    ] {
        assert!(!release.contains(absent), "{absent:?} in:\n{release}");
    }
}

#[test]
fn a_package_tag_pattern_becomes_the_tag_filter() {
    let (_dir, workflows) = workflows_of(&[(
        "slipway.toml",
        "name = \"core\"\ntag-pattern = \"{package}-v{version}\"\n",
    )]);
    let release = find(&workflows, "release.yml");
    assert!(
        release.contains("- 'core-v[0-9]+.[0-9]+.[0-9]+*'")
            || release.contains("- core-v[0-9]+.[0-9]+.[0-9]+*"),
        "{release}"
    );
}
