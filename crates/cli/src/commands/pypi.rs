//! `slipway publish pypi`, `slipway verify pypi`, `slipway yank pypi`.
//!
//! This module reads what the library must not: the environment (`SLIPWAY_PYPI_TOKEN`, `PYPI_TOKEN`,
//! `TWINE_USERNAME`/`TWINE_PASSWORD`, GitHub Actions' OIDC variables, `CI`), `~/.pypirc`, and the terminal,
//! and passes values to `registry::pypi`.
//! Credentials are looked for in this order: `SLIPWAY_PYPI_TOKEN`, `PYPI_TOKEN`, `TWINE_PASSWORD` (with
//! `TWINE_USERNAME`, default `__token__`), the `~/.pypirc` section, then trusted publishing when running in
//! GitHub Actions with `id-token: write`.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use registry::pypi::{
    Artifact, Credentials, ExpectedFile, GithubOidc, IndexUrls, Progress, PublishOptions,
    PypiClient, UploadOutcome, UploadStatus, YankOutcome,
};
use registry::retry::RetryPolicy;
use secrecy::SecretString;
use versioning::pep440::Pep440Version;

use super::Context;
use crate::args::pypi::{PublishPypiArgs, PypiIndexArgs, VerifyPypiArgs, YankPypiArgs};
use crate::{CheckFailed, bad_input};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
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
        dist_files(&context.directory.join("dist"))?
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
    let index = resolve_index(&args.index)?;
    let environment = Environment::read();
    let runtime = runtime()?;
    runtime.block_on(async {
        let credentials = match credentials(&index, &environment).await? {
            Some(credentials) => Some(credentials),
            None if args.dry_run => None,
            None => {
                return Err(bad_input(anyhow!(
                    "no credentials for {}: set SLIPWAY_PYPI_TOKEN (or PYPI_TOKEN, or TWINE_USERNAME/TWINE_PASSWORD), add the repository to ~/.pypirc, or run in GitHub Actions with `id-token: write` for trusted publishing",
                    registry::redact::RedactedUrl::new(&index.urls.upload)
                )));
            }
        };
        let client = PypiClient::new(index.urls.clone(), credentials);
        let show_bars = std::io::stderr().is_terminal() && !environment.ci;
        let progress: Arc<dyn Progress> = Arc::new(Bars::new(show_bars));
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
        let mut stdout = std::io::stdout().lock();
        for outcome in &outcomes {
            writeln!(stdout, "{}", describe(outcome))?;
        }
        Ok(())
    })
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

fn dist_files(dist: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = fs_err::read_dir(dist).map_err(|e| bad_input(anyhow!(e).context("no files given and no dist/ directory; build first (python -m build) or name the files")))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let extension =
            |p: &Path, ext: &str| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
        let is_tar_gz = extension(&path, "gz") && extension(&path.with_extension(""), "tar");
        if extension(&path, "whl") || is_tar_gz {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(bad_input(anyhow!(
            "{} holds no .whl or .tar.gz files; build first (python -m build)",
            dist.display()
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
    let index = resolve_index(&args.index)?;
    let environment = Environment::read();
    let runtime = runtime()?;
    let verification = runtime.block_on(async {
        // Reading a private index may need the same credentials as uploading; never trusted publishing here.
        let credentials = static_credentials(&index, &environment);
        let client = PypiClient::new(index.urls.clone(), credentials);
        client
            .verify(
                &args.name,
                &version,
                &expected,
                Duration::from_secs(args.timeout),
            )
            .await
    })?;
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
pub(crate) fn yank(_context: &Context, args: &YankPypiArgs) -> anyhow::Result<()> {
    let version = parse_release(&args.release)?;
    let index = resolve_index(&args.index)?;
    let environment = Environment::read();
    let runtime = runtime()?;
    let mut stdout = std::io::stdout().lock();
    runtime.block_on(async {
        let credentials = static_credentials(&index, &environment);
        let client = PypiClient::new(index.urls.clone(), credentials);
        if !args.confirm && !index.urls.is_warehouse() {
            let files = client.release_files(&args.name, &version).await?;
            if files.is_empty() {
                writeln!(stdout, "{} {version} has no files on the index; nothing to remove", args.name)?;
                return Ok(());
            }
            for file in &files {
                writeln!(stdout, "would delete {}", file.filename)?;
            }
            return Err(bad_input(anyhow!(
                "not deleting {} {version} without --confirm (a deleted file name can never be uploaded again)",
                args.name
            )));
        }
        match client.remove(&args.name, &version).await? {
            YankOutcome::Removed { files } => {
                for file in &files {
                    writeln!(stdout, "deleted {file}")?;
                }
                Ok(())
            }
            YankOutcome::NothingToRemove => {
                writeln!(stdout, "{} {version} has no files on the index; nothing to remove", args.name)?;
                Ok(())
            }
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

/// The index to talk to and what ~/.pypirc says about it.
struct Index {
    urls: IndexUrls,
    pypirc: Option<PypircSection>,
}

fn resolve_index(args: &PypiIndexArgs) -> anyhow::Result<Index> {
    let config_file = args
        .config_file
        .clone()
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pypirc")));
    let name = args.repository.as_deref().unwrap_or("pypi");
    let pypirc = match &config_file {
        Some(path) if path.is_file() => {
            let text = fs_err::read_to_string(path)?;
            parse_pypirc(&text, name)
        }
        Some(path) if args.config_file.is_some() => {
            return Err(bad_input(anyhow!(
                "{} does not exist (from --config-file)",
                path.display()
            )));
        }
        _ => None,
    };
    if args.repository.is_some()
        && pypirc.is_none()
        && args.repository_url.is_none()
        && !["pypi", "testpypi"].contains(&name)
    {
        return Err(bad_input(anyhow!(
            "~/.pypirc has no [{name}] section (from --repository)"
        )));
    }
    let url = args
        .repository_url
        .clone()
        .or_else(|| pypirc.as_ref().and_then(|s| s.repository.clone()))
        .unwrap_or_else(|| match name {
            "testpypi" => "https://test.pypi.org/legacy/".to_owned(),
            _ => "https://upload.pypi.org/legacy/".to_owned(),
        });
    let urls = IndexUrls::from_upload_url(&url).map_err(bad_input)?;
    Ok(Index { urls, pypirc })
}

/// What is read from the environment.
struct Environment {
    slipway_token: Option<String>,
    pypi_token: Option<String>,
    twine_username: Option<String>,
    twine_password: Option<String>,
    github: Option<(String, String)>,
    ci: bool,
}

impl Environment {
    fn read() -> Environment {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Environment {
            slipway_token: var("SLIPWAY_PYPI_TOKEN"),
            pypi_token: var("PYPI_TOKEN"),
            twine_username: var("TWINE_USERNAME"),
            twine_password: var("TWINE_PASSWORD"),
            github: var("ACTIONS_ID_TOKEN_REQUEST_URL").zip(var("ACTIONS_ID_TOKEN_REQUEST_TOKEN")),
            ci: var("CI").is_some_and(|v| v != "false" && v != "0"),
        }
    }
}

fn static_credentials(index: &Index, environment: &Environment) -> Option<Credentials> {
    let token = |t: &String| Credentials::token(SecretString::from(t.clone()));
    if let Some(t) = environment
        .slipway_token
        .as_ref()
        .or(environment.pypi_token.as_ref())
    {
        return Some(token(t));
    }
    if let Some(password) = &environment.twine_password {
        let username = environment
            .twine_username
            .clone()
            .unwrap_or_else(|| "__token__".to_owned());
        return Some(Credentials::basic(
            username,
            SecretString::from(password.clone()),
        ));
    }
    let section = index.pypirc.as_ref()?;
    let password = section.password.clone()?;
    let username = section
        .username
        .clone()
        .unwrap_or_else(|| "__token__".to_owned());
    Some(Credentials::basic(username, SecretString::from(password)))
}

async fn credentials(
    index: &Index,
    environment: &Environment,
) -> anyhow::Result<Option<Credentials>> {
    if let Some(credentials) = static_credentials(index, environment) {
        return Ok(Some(credentials));
    }
    let Some((request_url, request_token)) = &environment.github else {
        return Ok(None);
    };
    let github = GithubOidc {
        request_url: request_url.clone(),
        request_token: SecretString::from(request_token.clone()),
    };
    let credentials =
        registry::pypi::trusted_publishing(&index.urls, &github, &RetryPolicy::default()).await?;
    Ok(Some(credentials))
}

/// One repository section of a `.pypirc`.
#[derive(Debug, Default, PartialEq, Eq)]
struct PypircSection {
    repository: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// Reads section `[name]` of a `.pypirc` (INI: `key = value` or `key: value`, `#`/`;` comments).
fn parse_pypirc(text: &str, name: &str) -> Option<PypircSection> {
    let mut in_section = false;
    let mut found = None::<PypircSection>;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_section = section.trim() == name;
            if in_section {
                found.get_or_insert_with(PypircSection::default);
            }
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let section = found.get_or_insert_with(PypircSection::default);
        match key.trim() {
            "repository" => section.repository = value,
            "username" => section.username = value,
            "password" => section.password = value,
            _ => {}
        }
    }
    found
}

/// Progress bars on a terminal, nothing otherwise (CI logs stay clean; the per-file result goes to stdout).
struct Bars {
    enabled: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Bars {
    fn new(enabled: bool) -> Bars {
        Bars {
            enabled,
            bar: Mutex::new(None),
        }
    }

    fn with_bar(&self, f: impl FnOnce(&mut Option<indicatif::ProgressBar>)) {
        if self.enabled
            && let Ok(mut bar) = self.bar.lock()
        {
            f(&mut bar);
        }
    }
}

impl Progress for Bars {
    fn upload_started(&self, filename: &str, size: u64) {
        self.with_bar(|bar| {
            let new = indicatif::ProgressBar::with_draw_target(
                Some(size),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            ) {
                new.set_style(style.progress_chars("=> "));
            }
            new.set_message(filename.to_owned());
            if let Some(old) = bar.replace(new) {
                old.finish_and_clear();
            }
        });
    }

    fn upload_position(&self, _filename: &str, sent: u64) {
        self.with_bar(|bar| {
            if let Some(bar) = bar {
                bar.set_position(sent);
            }
        });
    }

    fn finished(&self, _outcome: &UploadOutcome) {
        self.with_bar(|bar| {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
            }
        });
    }
}

/// A client for the index at `repository_url` or the `~/.pypirc` section `repository`, with credentials
/// found as for `slipway publish pypi`; the release workflow publishes through it.
pub(crate) async fn index_client(
    repository_url: Option<String>,
    repository: Option<String>,
) -> anyhow::Result<PypiClient> {
    let index = resolve_index(&PypiIndexArgs {
        repository_url,
        repository,
        config_file: None,
    })?;
    let credentials = credentials(&index, &Environment::read()).await?;
    if credentials.is_none() {
        return Err(bad_input(anyhow!(
            "no credentials for {}: set SLIPWAY_PYPI_TOKEN (or PYPI_TOKEN, or TWINE_USERNAME/TWINE_PASSWORD), add the repository to ~/.pypirc, or run in GitHub Actions with `id-token: write` for trusted publishing",
            registry::redact::RedactedUrl::new(&index.urls.upload)
        )));
    }
    Ok(PypiClient::new(index.urls.clone(), credentials))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypirc_sections_are_read_by_name() {
        let text = "[distutils]\nindex-servers =\n    pypi\n    private\n\n[pypi]\nusername = __token__\npassword = pypi-abc\n\n[private]\nrepository: http://127.0.0.1:8080/\nusername: alice\npassword: pw\n";
        assert_eq!(
            parse_pypirc(text, "private"),
            Some(PypircSection {
                repository: Some("http://127.0.0.1:8080/".into()),
                username: Some("alice".into()),
                password: Some("pw".into()),
            })
        );
        assert_eq!(
            parse_pypirc(text, "pypi").and_then(|s| s.password),
            Some("pypi-abc".into())
        );
        assert_eq!(parse_pypirc(text, "missing"), None);
    }

    #[test]
    fn releases_are_read_as_semver_or_pep_440() {
        assert_eq!(parse_release("1.1.0-rc.1").unwrap().to_string(), "1.1.0rc1");
        assert_eq!(parse_release("1.1.0rc1").unwrap().to_string(), "1.1.0rc1");
        assert!(parse_release("not a version").is_err());
    }
}
