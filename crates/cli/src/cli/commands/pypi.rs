//! `slipway publish pypi`, `slipway verify pypi`, `slipway yank pypi`.
//!
//! Credentials are found by [`crate::credentials`] (one documented lookup order); this module
//! turns arguments into values, draws progress bars on a terminal ([`crate::cli::progress`]), and
//! prints.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::anyhow;
use registry::pypi::{
    Artifact, Credentials, ExpectedFile, PublishOptions, PypiClient, UploadOutcome, UploadStatus,
    YankOutcome,
};
use versioning::pep440::Pep440Version;

use super::Context;
use crate::cli::args::pypi::{PublishPypiArgs, PypiIndexArgs, VerifyPypiArgs, YankPypiArgs};
use crate::credentials::{IndexChoice, PypiIndex};
use crate::{CheckFailed, bad_input};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    crate::context::runtime()
}

/// A version given on the command line, SemVer (`1.2.0-rc.1`) or PEP 440 (`1.2.0rc1`).
fn parse_release(input: &str) -> anyhow::Result<Pep440Version> {
    if let Ok(semver) = versioning::Version::parse(input) {
        return versioning::to_pep440(&semver).map_err(bad_input);
    }
    Pep440Version::parse(input).map_err(bad_input)
}

/// `slipway publish pypi`
pub(crate) fn publish(context: &Context, args: &PublishPypiArgs) -> anyhow::Result<()> {
    let files = if args.files.is_empty() {
        dist_files(&context.directory)?
    } else {
        args.files
            .iter()
            .map(|f| context.directory.join(f))
            .collect()
    };
    let mut artifacts = Vec::new();
    for path in &files {
        artifacts.push(Artifact::read(path).map_err(bad_input)?);
    }
    let first = &artifacts[0];
    let release = match &args.release {
        Some(version) => parse_release(version)?,
        None => first.version().clone(),
    };
    for artifact in &artifacts {
        if registry::pypi::normalize_name(artifact.project())
            != registry::pypi::normalize_name(first.project())
        {
            return Err(bad_input(anyhow!(
                "{} is project `{}` but {} is project `{}`; publish one project at a time",
                artifact.path().display(),
                artifact.project(),
                first.path().display(),
                first.project()
            )));
        }
        artifact.check_release(&release).map_err(bad_input)?;
    }
    let index = resolve_index(context, &args.index)?;
    let env = context.env.as_ref();
    let runtime = runtime()?;
    runtime.block_on(async {
        let credentials = match index.upload_credentials(env) {
            Some(found) => {
                tracing::info!(credentials = %found.source(), "index credentials");
                Some(found.resolve(&index).await?)
            }
            None if args.dry_run => None,
            None => {
                return Err(bad_input(anyhow!(
                    "no credentials for {}: {}",
                    index.display_url(),
                    crate::credentials::PYPI_HOW_TO
                )));
            }
        };
        index.allows_credentials()?;
        let client = PypiClient::new(index.urls.clone(), credentials);
        let progress = crate::context::Transfers::pypi(&context.bars());
        let options = PublishOptions {
            skip_existing: args.skip_existing,
            dry_run: args.dry_run,
        };
        tracing::info!(
            project = first.project(),
            version = %release,
            index = %registry::redact::RedactedUrl::new(&index.urls.upload),
            "publishing {} file(s)",
            artifacts.len()
        );
        let outcomes = client.publish(&artifacts, options, progress).await?;
        if args.output.json {
            return crate::cli::json::print(serde_json::json!({
                "project": first.project(),
                "version": release.to_string(),
                "dry_run": args.dry_run,
                "files": outcomes.iter().map(|outcome| serde_json::json!({
                    "filename": outcome.filename,
                    "size": outcome.size,
                    "sha256": outcome.digests.sha256,
                    "status": status_name(&outcome.status),
                })).collect::<Vec<_>>(),
            }));
        }
        let mut stdout = std::io::stdout().lock();
        for outcome in &outcomes {
            writeln!(stdout, "{}", describe(outcome))?;
        }
        Ok(())
    })
}

/// The status of an upload in `--json`.
fn status_name(status: &UploadStatus) -> &'static str {
    match status {
        UploadStatus::Uploaded => "uploaded",
        UploadStatus::AlreadyPresent => "already_present",
        UploadStatus::SkippedConflict { .. } => "skipped_conflict",
        UploadStatus::WouldUpload => "would_upload",
        _ => "done",
    }
}

fn describe(outcome: &UploadOutcome) -> String {
    let what = match &outcome.status {
        UploadStatus::Uploaded => "uploaded".to_owned(),
        UploadStatus::AlreadyPresent => "already published".to_owned(),
        UploadStatus::SkippedConflict { remote_sha256 } => {
            format!("skipped (the index holds other content, sha256 {remote_sha256})")
        }
        UploadStatus::WouldUpload => "would upload".to_owned(),
        _ => "done".to_owned(),
    };
    format!(
        "{what} {} sha256 {}",
        outcome.filename, outcome.digests.sha256
    )
}

/// The sdists and wheels in `dist/`, when no files are named.
fn dist_files(directory: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let files = crate::files::distributions(directory, &["dist/*".to_owned()], "dist/*")?;
    if files.is_empty() {
        return Err(bad_input(anyhow!(
            "no files given, and {} holds no .whl or .tar.gz files: build first (python -m build) or name the files",
            directory.join("dist").display()
        )));
    }
    Ok(files)
}

/// `slipway verify pypi`
pub(crate) fn verify(context: &Context, args: &VerifyPypiArgs) -> anyhow::Result<()> {
    let version = parse_release(&args.release)?;
    let mut expected = Vec::new();
    for file in &args.files {
        let path = context.directory.join(file);
        let digests = registry::pypi::digests(&path).map_err(|e| {
            bad_input(anyhow!(e).context(format!("cannot read {}", path.display())))
        })?;
        let filename = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        expected.push(ExpectedFile {
            filename,
            sha256: digests.sha256,
        });
    }
    let index = resolve_index(context, &args.index)?;
    let runtime = runtime()?;
    // Anonymous first, as anyone reads the index; the credentials only when a read is refused
    // (never trusted publishing: it mints upload tokens).
    let verify = |credentials: Option<Credentials>| {
        let credentials = credentials.filter(|_| index.allows_credentials().is_ok());
        let client = PypiClient::new(index.urls.clone(), credentials);
        runtime.block_on(client.verify(
            &args.name,
            &version,
            &expected,
            Duration::from_secs(args.timeout),
        ))
    };
    let verification = match (verify(None), index.static_credentials(context.env.as_ref())) {
        (Ok(verification), _) => verification,
        (Err(error), Some((credentials, source))) if error.is_unauthorized() => {
            tracing::info!("the index refused an anonymous read ({error}); reading with {source}");
            verify(Some(credentials))?
        }
        (Err(error), _) => return Err(error.into()),
    };
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "ok": verification.is_ok(),
            "project": args.name,
            "version": version.to_string(),
            "found": verification.found.iter().map(|file| serde_json::json!({
                "filename": file.filename,
                "sha256": file.sha256,
                "yanked": file.yanked,
            })).collect::<Vec<_>>(),
            "missing": verification.missing,
            "mismatched": verification.mismatched.iter().map(|(filename, expected, listed)| serde_json::json!({
                "filename": filename,
                "expected_sha256": expected,
                "listed_sha256": listed,
            })).collect::<Vec<_>>(),
        }))?;
        return if verification.is_ok() {
            Ok(())
        } else {
            Err(CheckFailed.into())
        };
    }
    let mut stdout = std::io::stdout().lock();
    for file in &verification.found {
        let sha = file.sha256.as_deref().unwrap_or("(no hash listed)");
        let yanked = if file.yanked { " (yanked)" } else { "" };
        writeln!(stdout, "found {} sha256 {sha}{yanked}", file.filename)?;
    }
    for missing in &verification.missing {
        writeln!(stdout, "missing {missing}")?;
    }
    for (filename, want, listed) in &verification.mismatched {
        writeln!(
            stdout,
            "mismatch {filename}: expected sha256 {want}, the index has {listed}"
        )?;
    }
    if verification.found.is_empty() {
        writeln!(
            stdout,
            "{} {version} is not on the index (waited {} s)",
            args.name, args.timeout
        )?;
    }
    if verification.is_ok() {
        writeln!(stdout, "verified {} {version}", args.name)?;
        Ok(())
    } else {
        Err(CheckFailed.into())
    }
}

/// `slipway yank pypi`
pub(crate) fn yank(context: &Context, args: &YankPypiArgs) -> anyhow::Result<()> {
    let version = parse_release(&args.release)?;
    let index = resolve_index(context, &args.index)?;
    let runtime = runtime()?;
    let mut stdout = std::io::stdout().lock();
    runtime.block_on(async {
        let credentials = index
            .static_credentials(context.env.as_ref())
            .map(|(credentials, _)| credentials);
        if credentials.is_some() {
            index.allows_credentials()?;
        }
        let client = PypiClient::new(index.urls.clone(), credentials);
        if !args.confirm && !index.urls.is_warehouse() {
            let files = client.release_files(&args.name, &version).await?;
            if files.is_empty() {
                if args.output.json {
                    return yank_json(args, &version, "nothing_to_remove", &[]);
                }
                writeln!(stdout, "{} {version} has no files on the index; nothing to remove", args.name)?;
                return Ok(());
            }
            let names: Vec<&str> = files.iter().map(|file| file.filename.as_str()).collect();
            if args.output.json {
                // One object on stdout: the error object, naming the files.
                return Err(bad_input(anyhow!(
                    "not deleting {} {version} ({}) without --confirm (a deleted file name can never be uploaded again)",
                    args.name,
                    names.join(", ")
                )));
            }
            for name in &names {
                writeln!(stdout, "would delete {name}")?;
            }
            return Err(bad_input(anyhow!(
                "not deleting {} {version} without --confirm (a deleted file name can never be uploaded again)",
                args.name
            )));
        }
        match client.remove(&args.name, &version).await? {
            YankOutcome::Removed { files } => {
                if args.output.json {
                    return yank_json(args, &version, "removed", &files);
                }
                for file in &files {
                    writeln!(stdout, "deleted {file}")?;
                }
                Ok(())
            }
            YankOutcome::NothingToRemove => {
                if args.output.json {
                    return yank_json(args, &version, "nothing_to_remove", &[]);
                }
                writeln!(stdout, "{} {version} has no files on the index; nothing to remove", args.name)?;
                Ok(())
            }
            YankOutcome::ManualActionRequired { url, .. } if args.output.json => Err(anyhow!(
                "manual action required: PyPI has no API to yank a release; open {url} and choose Options → Yank for {} {version}",
                args.name
            )),
            YankOutcome::ManualActionRequired { url, files } => {
                writeln!(stdout, "manual action required: PyPI has no API to yank a release.")?;
                writeln!(stdout, "Open {url}")?;
                writeln!(stdout, "and choose Options → Yank for {} {version}, giving the reason.", args.name)?;
                if files.is_empty() {
                    writeln!(stdout, "(the index lists no files of {version} right now)")?;
                }
                for file in &files {
                    writeln!(stdout, "  listed: {file}")?;
                }
                Err(anyhow!("manual action required: {} {version} was not yanked; yank it at {url}", args.name))
            }
            _ => Err(anyhow!("the index reported an outcome this slipway does not know")),
        }
    })
}

/// The `--json` result of `yank pypi`.
fn yank_json(
    args: &YankPypiArgs,
    version: &Pep440Version,
    outcome: &str,
    files: &[String],
) -> anyhow::Result<()> {
    crate::cli::json::print(serde_json::json!({
        "project": args.name,
        "version": version.to_string(),
        "outcome": outcome,
        "files": files,
    }))
}

fn resolve_index(context: &Context, args: &PypiIndexArgs) -> anyhow::Result<PypiIndex> {
    PypiIndex::resolve(
        &IndexChoice {
            repository_url: args.repository_url.clone(),
            repository: args.repository.clone(),
            config_file: args.config_file.clone(),
            transport: registry::transport::Transport {
                insecure: args.insecure,
                insecure_credentials: args.allow_insecure_credentials,
            },
        },
        context.env.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_read_as_semver_or_pep_440() {
        assert_eq!(parse_release("1.1.0-rc.1").unwrap().to_string(), "1.1.0rc1");
        assert_eq!(parse_release("1.1.0rc1").unwrap().to_string(), "1.1.0rc1");
        assert!(parse_release("not a version").is_err());
    }
}
