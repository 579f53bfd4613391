//! The GitHub Actions workflows that `slipway init --github-actions` writes: the runbook's "Version
//! Bump" and "Release", adapted to what the project has.
//!
//! - `.github/workflows/version-bump.yml`: started by hand (`workflow_dispatch`) with a level
//!   (`auto|patch|minor|major`), a pre-release identifier (`''|alpha|beta|rc`) and `dry_run`; it runs
//!   `slipway release LEVEL [--pre ID] [--dry-run] --no-publish` through the slipway Action, which
//!   bumps, writes the changelog, commits, tags and pushes. Publishing is left to the tag's workflow.
//! - `.github/workflows/release.yml`: started by the push of a release tag; it checks the version
//!   files against the tag (`slipway version check --tag`), builds (the `[hooks] build` commands, else
//!   `python -m build` for a pyproject.toml, `cargo build --release --locked` for a Cargo.toml, and a
//!   multi-platform `docker buildx` image for `[oci]`), publishes (PyPI with trusted publishing,
//!   the image, the GitHub Release) and runs `slipway verify`.
//!
//! This module only renders text from the [`Project`]; it writes nothing (the caller does, and
//! decides about existing files). Every value taken from the configuration is quoted for YAML.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::project::Project;

/// The repository of the slipway Action (`uses: slipway-rs/slipway@vX.Y.Z`).
pub const ACTION: &str = "slipway-rs/slipway";

/// The secret the version-bump workflow pushes with, when it is set: a tag pushed with the default
/// `GITHUB_TOKEN` starts no workflow, so without it release.yml would not run.
pub const PUSH_TOKEN_SECRET: &str = "SLIPWAY_PUSH_TOKEN";

/// One workflow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// Its path relative to the project directory (`.github/workflows/….yml`).
    pub path: PathBuf,
    /// Its YAML.
    pub text: String,
}

/// What the project has, as far as the workflows care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Features {
    python: bool,
    rust: bool,
    build: Vec<String>,
    pypi: Option<Pypi>,
    oci: Option<Oci>,
    github: Option<Vec<String>>,
    tag_filter: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pypi {
    repository_url: Option<String>,
    dist: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Oci {
    repository: String,
    layout: String,
    platforms: Vec<String>,
    latest: bool,
}

impl Features {
    fn of(project: &Project) -> anyhow::Result<Features> {
        let config = &project.config;
        // Validates the pattern (and its `{package}`), then turns it into a tag filter.
        project.tag_pattern()?;
        let pattern = config.tag_pattern.as_deref().unwrap_or("v{version}");
        let tag_filter = pattern
            .replace("{package}", project.name.as_deref().unwrap_or_default())
            .replace("{version}", "[0-9]+.[0-9]+.[0-9]+*");
        let python = project.directory.join("pyproject.toml").is_file();
        let pypi = if python || config.pypi.is_some() {
            let configured = config.pypi.clone().unwrap_or_default();
            Some(Pypi {
                repository_url: configured.repository_url,
                dist: if configured.dist.is_empty() {
                    vec!["dist/*".to_owned()]
                } else {
                    configured.dist
                },
            })
        } else {
            None
        };
        Ok(Features {
            python,
            rust: project.directory.join("Cargo.toml").is_file(),
            build: config.hooks.build.clone(),
            pypi,
            // The generated workflow builds one image: the first configured.
            oci: config.oci.first().map(|oci| Oci {
                repository: oci.repository.clone(),
                layout: oci.layout.display().to_string(),
                platforms: oci.platforms.clone(),
                latest: oci.latest,
            }),
            github: config.github.as_ref().map(|github| github.assets.clone()),
            tag_filter,
        })
    }
}

/// The two workflows for `project`, using the slipway Action at `action_version` (slipway's own
/// version, e.g. `0.4.0`).
pub fn generate(project: &Project, action_version: &str) -> anyhow::Result<Vec<Workflow>> {
    let features = Features::of(project)?;
    let uses = format!("{ACTION}@v{action_version}");
    Ok(vec![
        Workflow {
            path: PathBuf::from(".github/workflows/version-bump.yml"),
            text: version_bump(&uses),
        },
        Workflow {
            path: PathBuf::from(".github/workflows/release.yml"),
            text: release(&features, &uses),
        },
    ])
}

/// `text` as a YAML scalar on one line: plain when YAML reads it back as the same string, else
/// double-quoted (a JSON string is a YAML double-quoted scalar).
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with(|c: char| c.is_whitespace() || "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !text.ends_with(char::is_whitespace)
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.contains(['\n', '\t']);
    if plain {
        text.to_owned()
    } else {
        serde_json::Value::String(text.to_owned()).to_string()
    }
}

fn version_bump(uses: &str) -> String {
    format!(
        r#"# Written by `slipway init --github-actions`. The runbook's "Version Bump", as slipway flags:
#   bump_type patch|minor|major  -> level (auto decides from the commits since the last release)
#   prerelease alpha.1|beta.1|rc.1 -> prerelease alpha|beta|rc (`--pre ID`: slipway numbers the train)
#   dry_run                      -> `--dry-run` (prints the plan, changes nothing)
# It bumps, writes the changelog, commits, tags and pushes (`--no-publish`); the tag starts release.yml.
name: Version Bump

on:
  workflow_dispatch:
    inputs:
      level:
        description: What to bump (auto decides from the conventional commits)
        type: choice
        options: [auto, patch, minor, major]
        default: auto
      prerelease:
        description: Pre-release identifier (empty for a stable release)
        type: choice
        options: ['', alpha, beta, rc]
        default: ''
      dry_run:
        description: Print the plan and change nothing
        type: boolean
        default: false

permissions:
  contents: write

concurrency:
  group: slipway-release
  cancel-in-progress: false

jobs:
  bump:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          # slipway reads every tag and commit since the last release.
          fetch-depth: 0
          # A tag pushed with the default GITHUB_TOKEN starts no workflow: store a token that may push
          # (a GitHub App's or a fine-grained one with contents: write) as {PUSH_TOKEN_SECRET}.
          token: ${{{{ secrets.{PUSH_TOKEN_SECRET} || github.token }}}}
      - name: Commit as github-actions[bot]
        run: |
          git config user.name 'github-actions[bot]'
          git config user.email '41898282+github-actions[bot]@users.noreply.github.com'
      - id: release
        uses: {uses}
        with:
          command: release
          args: >-
            ${{{{ inputs.level }}}} --no-publish
            ${{{{ inputs.prerelease != '' && format('--pre {{0}}', inputs.prerelease) || '' }}}}
            ${{{{ inputs.dry_run && '--dry-run' || '' }}}}
      - name: Summary
        if: steps.release.outputs.released == 'true'
        run: echo "Released ${{{{ steps.release.outputs.version }}}} as ${{{{ steps.release.outputs.tag }}}}"
"#
    )
}

fn release(features: &Features, uses: &str) -> String {
    let mut text = String::new();
    let tag = quote(&features.tag_filter);
    let _ = write!(
        text,
        r#"# Written by `slipway init --github-actions`. The runbook's "Release": on a release tag, check
# the version files against it, build, publish, then verify what was published.
name: Release

on:
  push:
    tags:
      - {tag}

permissions:
  contents: read

concurrency:
  group: slipway-release-${{{{ github.ref_name }}}}
  cancel-in-progress: false

jobs:
  check:
    runs-on: ubuntu-latest
    outputs:
      version: ${{{{ steps.check.outputs.stdout }}}}
      prerelease: ${{{{ contains(steps.check.outputs.stdout, '-') }}}}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - id: check
        name: The version files agree with the tag
        uses: {uses}
        with:
          command: version
          args: check --tag ${{{{ github.ref_name }}}}

  publish:
    needs: check
    runs-on: ubuntu-latest
"#
    );
    // Only what the targets need.
    let mut permissions = Vec::new();
    if features.github.is_some() {
        permissions.push("contents: write # the GitHub Release");
    } else {
        permissions.push("contents: read");
    }
    if features.pypi.is_some() {
        permissions.push("id-token: write # PyPI trusted publishing");
    }
    if features.oci.is_some() {
        permissions.push("packages: write # the image on GHCR");
    }
    text.push_str("    permissions:\n");
    for permission in permissions {
        let _ = writeln!(text, "      {permission}");
    }
    text.push_str(
        "    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n",
    );
    if features.python {
        text.push_str(
            "      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.x'\n",
        );
    }
    if features.oci.is_some() && features.build.is_empty() {
        text.push_str(
            "      - uses: docker/setup-qemu-action@v3\n      - uses: docker/setup-buildx-action@v3\n",
        );
    }
    let mut build: Vec<String> = features.build.clone();
    if build.is_empty() {
        if features.python {
            build.push("python -m pip install --upgrade build".to_owned());
            build.push("python -m build".to_owned());
        }
        if features.rust {
            build.push("cargo build --release --locked".to_owned());
        }
        if let Some(oci) = &features.oci {
            let platforms = if oci.platforms.is_empty() {
                String::new()
            } else {
                format!(" --platform {}", oci.platforms.join(","))
            };
            let tar = if std::path::Path::new(&oci.layout)
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("tar"))
            {
                ""
            } else {
                ",tar=false"
            };
            build.push(format!(
                "mkdir -p \"$(dirname {layout})\"",
                layout = shell_quote(&oci.layout)
            ));
            build.push(format!(
                "docker buildx build{platforms} --output {} .",
                shell_quote(&format!("type=oci,dest={}{tar}", oci.layout))
            ));
        }
    }
    if !build.is_empty() {
        text.push_str("      - name: Build\n        run: |\n");
        for command in &build {
            for line in command.lines() {
                let _ = writeln!(text, "          {line}");
            }
        }
    }
    let version = "${{ needs.check.outputs.version }}";
    if let Some(pypi) = &features.pypi {
        let mut args = format!("pypi --release {version}");
        if let Some(url) = &pypi.repository_url {
            let _ = write!(args, " --repository-url {url}");
        }
        for pattern in &pypi.dist {
            let _ = write!(args, " {pattern}");
        }
        let _ = write!(
            text,
            "      - name: Publish to PyPI (trusted publishing)\n        uses: {uses}\n        with:\n          command: publish\n          args: {}\n",
            quote(&args)
        );
    }
    if let Some(oci) = &features.oci {
        let mut args = format!("oci {} {} --tag {version}", oci.layout, oci.repository);
        if oci.latest {
            args.push_str(
                "${{ needs.check.outputs.prerelease != 'true' && ' --tag latest' || '' }}",
            );
        }
        let _ = write!(
            text,
            "      - name: Push the image\n        uses: {uses}\n        with:\n          command: publish\n          args: {}\n",
            quote(&args)
        );
    }
    if let Some(assets) = &features.github {
        let mut command = String::from(
            "gh release create \"$GITHUB_REF_NAME\" --verify-tag --notes-from-tag --title \"$GITHUB_REF_NAME\"",
        );
        command
            .push_str(" ${{ needs.check.outputs.prerelease == 'true' && '--prerelease' || '' }}");
        for asset in assets {
            let _ = write!(command, " {asset}");
        }
        let _ = write!(
            text,
            "      - name: The GitHub Release\n        env:\n          GH_TOKEN: ${{{{ github.token }}}}\n        run: |\n          {command}\n"
        );
    }
    let _ = write!(
        text,
        "      - name: Verify what was published\n        uses: {uses}\n        with:\n          command: verify\n          args: {version}\n"
    );
    text
}

/// A POSIX shell single-quoted word.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,".contains(c))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_for_yaml_and_shell() {
        assert_eq!(quote("it's"), "it's");
        assert_eq!(quote("a: b"), r#""a: b""#);
        assert_eq!(quote("{package}-v*"), r#""{package}-v*""#);
        assert_eq!(shell_quote("build/image.tar"), "build/image.tar");
        assert_eq!(shell_quote("a b"), "'a b'");
    }
}
