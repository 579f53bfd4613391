//! The publishing steps of a release: PyPI, the OCI image, the GitHub Release, and their verification.
//!
//! Each is idempotent through its client: a file already on the index with the same sha256 counts as
//! uploaded, a manifest already at its digest is not pushed again, a GitHub Release that already says
//! what it should is left alone.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use super::plan::Plan;
use super::steps::StepResult;
use crate::bad_input;
use crate::project::Project;

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The distribution files of the release: the configured globs (default `dist/*`), sdists and wheels only.
fn dist_files(project: &Project) -> anyhow::Result<Vec<PathBuf>> {
    let config = project.config.pypi.clone().unwrap_or_default();
    let patterns = if config.dist.is_empty() {
        vec!["dist/*".to_owned()]
    } else {
        config.dist
    };
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in &patterns {
        builder.add(
            globset::Glob::new(pattern)
                .with_context(|| format!("pypi.dist pattern {pattern:?}"))
                .map_err(bad_input)?,
        );
    }
    let set = builder.build()?;
    let mut files = Vec::new();
    let mut stack = vec![project.directory.clone()];
    while let Some(directory) = stack.pop() {
        for entry in fs_err::read_dir(&directory)? {
            let path = entry?.path();
            let relative = path
                .strip_prefix(&project.directory)
                .unwrap_or(&path)
                .to_path_buf();
            if path.is_dir() {
                if relative.components().count() < 4 && !relative.starts_with(".git") {
                    stack.push(path);
                }
            } else if set.is_match(&relative) {
                let name = relative.to_string_lossy();
                if name.ends_with(".whl") || name.ends_with(".tar.gz") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "no wheel or sdist matches {} in {}: add a build hook (`python -m build`) or set pypi.dist",
            patterns.join(", "),
            project.directory.display()
        )));
    }
    Ok(files)
}

pub(super) fn describe_pypi(project: &Project, plan: &Plan) -> String {
    let config = project.config.pypi.clone().unwrap_or_default();
    let target = config
        .repository_url
        .or(config.repository)
        .unwrap_or_else(|| "PyPI".to_owned());
    let version = versioning::to_pep440(&plan.version)
        .map_or_else(|_| plan.version.to_string(), |v| v.to_string());
    format!(
        "upload the {version} sdist and wheels to {}",
        registry::redact::RedactedUrl::new(&target)
    )
}

pub(super) fn describe_oci(project: &Project, plan: &Plan) -> String {
    let Some(config) = &project.config.oci else {
        return String::new();
    };
    let latest = if plan.move_latest { " and latest" } else { "" };
    format!(
        "push {} to {}:{}{latest}",
        config.layout.display(),
        config.repository,
        plan.version
    )
}

fn release_pep440(
    version: &versioning::Version,
) -> anyhow::Result<versioning::pep440::Pep440Version> {
    versioning::to_pep440(version)
        .with_context(|| {
            format!("{version} has no PEP 440 form, so it cannot be published to a Python index")
        })
        .map_err(bad_input)
}

pub(super) fn pypi(project: &Project, plan: &Plan) -> StepResult {
    let config = project.config.pypi.clone().unwrap_or_default();
    let release = release_pep440(&plan.version)?;
    let mut artifacts = Vec::new();
    for path in dist_files(project)? {
        let artifact = registry::pypi::Artifact::read(&path).map_err(bad_input)?;
        // The "rc shipped as final" guard: every file must be this release.
        artifact.check_release(&release).map_err(bad_input)?;
        artifacts.push(artifact);
    }
    let outcomes = runtime()?.block_on(async {
        let client = crate::commands::pypi::index_client(
            config.repository_url.clone(),
            config.repository.clone(),
        )
        .await?;
        let options = registry::pypi::PublishOptions {
            skip_existing: false,
            dry_run: false,
        };
        anyhow::Ok(
            client
                .publish(&artifacts, options, Arc::new(registry::pypi::NoProgress))
                .await?,
        )
    })?;
    let mut outputs = BTreeMap::new();
    let mut changed = false;
    for outcome in &outcomes {
        changed |= matches!(outcome.status, registry::pypi::UploadStatus::Uploaded);
        outputs.insert(outcome.filename.clone(), outcome.digests.sha256.clone());
    }
    Ok((changed, outputs))
}

pub(crate) fn oci_repository(
    project: &Project,
) -> anyhow::Result<(registry::oci::Repository, &crate::config::OciConfig)> {
    let config = project
        .config
        .oci
        .as_ref()
        .context("no [oci] configuration")?;
    let repository = registry::oci::Repository::parse(&config.repository)
        .with_context(|| format!("oci.repository {:?}", config.repository))
        .map_err(bad_input)?;
    Ok((repository, config))
}

/// The image tags of a release: the version (SemVer, with `+` not allowed in tags), and `latest` when
/// the plan moves it.
pub(crate) fn image_tags(version: &versioning::Version, with_latest: bool) -> Vec<String> {
    let mut tags = vec![version.to_string().replace('+', "_")];
    if with_latest {
        tags.push("latest".to_owned());
    }
    tags
}

pub(super) fn oci(project: &Project, plan: &Plan) -> StepResult {
    let (repository, config) = oci_repository(project)?;
    let layout = registry::oci::Layout::open_named(&project.directory.join(&config.layout), None)
        .with_context(|| format!("the image layout {}", config.layout.display()))
        .map_err(bad_input)?;
    let tags = image_tags(&plan.version, plan.move_latest);
    let client = crate::commands::oci::registry_client(repository.registry(), config.insecure)?;
    let options = registry::oci::PushOptions {
        force_latest: false,
        mount_from: Vec::new(),
    };
    let report = runtime()?.block_on(client.push(&layout, &repository, &tags, &options))?;
    let changed = !report.tags_updated.is_empty() || report.blobs.uploaded > 0;
    let mut outputs = BTreeMap::new();
    outputs.insert("digest".to_owned(), report.digest.to_string());
    outputs.insert("tags".to_owned(), tags.join(" "));
    outputs.insert(
        "bytes_uploaded".to_owned(),
        report.blobs.bytes_uploaded.to_string(),
    );
    Ok((changed, outputs))
}

/// The GitHub client for the configured (or derived) repository, token from `GH_TOKEN` / `GITHUB_TOKEN`.
pub(crate) fn github_client(
    project: &Project,
    repository: &gitops::Repository,
) -> anyhow::Result<registry::github::GithubClient> {
    let config = project.config.github.clone().unwrap_or_default();
    let env = registry::github::GithubEnv::from_lookup(|name| {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    });
    let derived = match &config.repository {
        Some(name) => Some(name.clone()),
        None => repository
            .remote_url(&project.config.git.remote)?
            .and_then(|url| changelog::Remote::parse(&url))
            .filter(|remote| remote.forge == changelog::Forge::GitHub)
            .and_then(|remote| {
                let mut parts = remote.url.rsplitn(3, '/');
                let name = parts.next()?;
                let owner = parts.next()?;
                Some(format!("{owner}/{name}"))
            }),
    };
    registry::github::GithubClient::from_env(&env, config.api_url.as_deref(), derived.as_deref())
        .map_err(bad_input)
}

pub(super) fn github_release(
    project: &Project,
    repository: &gitops::Repository,
    plan: &Plan,
) -> StepResult {
    let client = github_client(project, repository)?;
    let config = project.config.github.clone().unwrap_or_default();
    let spec = registry::github::ReleaseSpec {
        tag: plan.tag.clone(),
        name: format!(
            "{} {}",
            project.name.as_deref().unwrap_or("Release"),
            plan.version
        ),
        body: plan.notes.clone(),
        prerelease: plan.is_prerelease(),
        draft: false,
        make_latest: (!plan.is_prerelease()).then_some(plan.move_latest),
        target_commitish: None,
    };
    let mut assets = Vec::new();
    for pattern in &config.assets {
        let glob = globset::Glob::new(pattern)
            .with_context(|| format!("github.assets pattern {pattern:?}"))
            .map_err(bad_input)?
            .compile_matcher();
        for entry in fs_err::read_dir(
            project
                .directory
                .join(pattern.split('/').next().unwrap_or(".")),
        )? {
            let path = entry?.path();
            let relative = path
                .strip_prefix(&project.directory)
                .unwrap_or(&path)
                .to_path_buf();
            if path.is_file() && glob.is_match(&relative) {
                assets.push(path);
            }
        }
    }
    assets.sort();
    let (outcome, uploaded) = runtime()?.block_on(async {
        let outcome = client.create_or_update_release(&spec).await?;
        let mut uploaded = 0usize;
        for path in &assets {
            let asset = client
                .upload_asset(
                    &outcome.release,
                    path,
                    Arc::new(registry::github::NoProgress),
                )
                .await?;
            uploaded += usize::from(!matches!(
                asset.status,
                registry::github::AssetStatus::AlreadyPresent
            ));
        }
        anyhow::Ok((outcome, uploaded))
    })?;
    let changed =
        !matches!(outcome.change, registry::github::ReleaseChange::Unchanged) || uploaded > 0;
    let mut outputs = BTreeMap::new();
    outputs.insert("id".to_owned(), outcome.release.id.to_string());
    outputs.insert("url".to_owned(), outcome.release.html_url.clone());
    Ok((changed, outputs))
}

/// Checks every artifact the configuration publishes, polling the index for a while.
pub(super) fn verify(
    project: &Project,
    repository: &gitops::Repository,
    plan: &Plan,
) -> StepResult {
    let problems = verify_published(
        project,
        Some(repository),
        &plan.version,
        &plan.tag,
        plan.move_latest,
    )?;
    if problems.is_empty() {
        Ok((false, BTreeMap::new()))
    } else {
        anyhow::bail!(
            "what was published is not what was released: {}",
            problems.join("; ")
        )
    }
}

/// The problems with what a release published; empty when everything is there.
pub(crate) fn verify_published(
    project: &Project,
    repository: Option<&gitops::Repository>,
    version: &versioning::Version,
    tag: &str,
    with_latest: bool,
) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let runtime = runtime()?;
    if let Some(config) = &project.config.pypi {
        let release = release_pep440(version)?;
        let name = project
            .name
            .clone()
            .context("the project has no name to look up on the index: set `name`")?;
        let expected: Vec<registry::pypi::ExpectedFile> = dist_files(project)
            .unwrap_or_default()
            .iter()
            .filter_map(|path| registry::pypi::Artifact::read(path).ok())
            .filter(|artifact| artifact.version() == &release)
            .map(|artifact| {
                let digests = registry::pypi::digests(artifact.path())?;
                Ok(registry::pypi::ExpectedFile {
                    filename: artifact.filename().to_owned(),
                    sha256: digests.sha256,
                })
            })
            .collect::<std::io::Result<_>>()?;
        let verification = runtime.block_on(async {
            let client = crate::commands::pypi::index_client(
                config.repository_url.clone(),
                config.repository.clone(),
            )
            .await?;
            anyhow::Ok(
                client
                    .verify(&name, &release, &expected, Duration::from_secs(60))
                    .await?,
            )
        })?;
        if !verification.is_ok() {
            problems.push(format!(
                "PyPI: {name} {release}: {} file(s) listed, missing {:?}, different {:?}",
                verification.found.len(),
                verification.missing,
                verification
                    .mismatched
                    .iter()
                    .map(|(file, _, _)| file)
                    .collect::<Vec<_>>()
            ));
        }
    }
    if project.config.oci.is_some() {
        let (image_repository, config) = oci_repository(project)?;
        let client =
            crate::commands::oci::registry_client(image_repository.registry(), config.insecure)?;
        for image_tag in image_tags(version, with_latest) {
            let image = image_repository.tag(&image_tag);
            let expect = registry::oci::Expectations {
                digest: None,
                platforms: config.platforms.clone(),
            };
            match runtime.block_on(client.verify(&image, &expect)) {
                Ok(report) if report.is_ok() => {}
                Ok(report) => problems.push(format!("{image}: {}", report.problems.join(", "))),
                Err(error) => problems.push(format!("{image}: {error}")),
            }
        }
    }
    if let (Some(_), Some(repository)) = (&project.config.github, repository) {
        let client = github_client(project, repository)?;
        match runtime.block_on(client.release_by_tag(tag))? {
            Some(release) if release.prerelease == version.is_prerelease() => {}
            Some(_) => problems.push(format!(
                "GitHub Release {tag}: the pre-release mark is wrong"
            )),
            None => problems.push(format!("GitHub Release {tag}: missing")),
        }
    }
    Ok(problems)
}
