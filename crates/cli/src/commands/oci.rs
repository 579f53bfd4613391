//! `slipway publish oci`, `retag`, `verify oci`, `tags`, `delete-tag`: OCI images through `registry::oci`.
//!
//! Credentials are found here (the library reads no environment), first match wins:
//! `SLIPWAY_OCI_USERNAME` + `SLIPWAY_OCI_PASSWORD`; `GITHUB_TOKEN` for ghcr.io (user `GITHUB_ACTOR`, or
//! `x-access-token`); the `auths` entry of Docker's `config.json` (`$DOCKER_CONFIG/config.json` or
//! `~/.docker/config.json`); else anonymous. Where they came from is logged, never their value.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use registry::oci::{
    ClientOptions, Credentials, DeleteOutcome, Digest, Expectations, ImageRef, Layout, OciClient,
    PushOptions, Repository, RetagOptions, credentials_from_docker_config, is_valid_tag,
};

use super::Context;
use crate::args::{
    DeleteTagArgs, OciClientArgs, PublishOciArgs, RetagArgs, TagsArgs, VerifyOciArgs,
};
use crate::{CheckFailed, bad_input};

/// Where credentials come from: the process environment, or fixed values in tests.
pub(crate) trait Environment {
    fn var(&self, name: &str) -> Option<String>;
    fn home(&self) -> Option<std::path::PathBuf>;
}

struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn home(&self) -> Option<std::path::PathBuf> {
        std::env::var_os("HOME").map(std::path::PathBuf::from)
    }
}

/// The credentials for `registry`, and a description of their source for logs.
pub(crate) fn find_credentials(
    registry: &str,
    env: &dyn Environment,
) -> anyhow::Result<(Credentials, String)> {
    if let (Some(username), Some(password)) = (
        env.var("SLIPWAY_OCI_USERNAME"),
        env.var("SLIPWAY_OCI_PASSWORD"),
    ) {
        return Ok((
            Credentials::basic(username, password),
            "SLIPWAY_OCI_USERNAME/SLIPWAY_OCI_PASSWORD".to_owned(),
        ));
    }
    if registry == "ghcr.io" {
        if let Some(token) = env.var("GITHUB_TOKEN") {
            let user = env
                .var("GITHUB_ACTOR")
                .unwrap_or_else(|| "x-access-token".to_owned());
            return Ok((Credentials::basic(user, token), "GITHUB_TOKEN".to_owned()));
        }
    }
    let config = match env.var("DOCKER_CONFIG") {
        Some(directory) => Some(Path::new(&directory).join("config.json")),
        None => env.home().map(|home| home.join(".docker/config.json")),
    };
    if let Some(config) = config.filter(|c| c.is_file()) {
        let text = fs_err::read_to_string(&config)?;
        if let Some(credentials) = credentials_from_docker_config(&text, registry)
            .with_context(|| format!("reading {}", config.display()))?
        {
            return Ok((credentials, config.display().to_string()));
        }
    }
    Ok((Credentials::Anonymous, "none (anonymous)".to_owned()))
}

fn client(registry: &str, args: &OciClientArgs) -> anyhow::Result<OciClient> {
    let (credentials, source) = find_credentials(registry, &ProcessEnvironment)?;
    tracing::info!(registry, credentials = %source, "registry credentials");
    let mut options = ClientOptions {
        credentials,
        insecure: args.insecure,
        ..ClientOptions::default()
    };
    options.chunk_size = args
        .chunk_size
        .unwrap_or_else(|| registry::oci::default_chunk_size(registry));
    if let Some(concurrency) = args.concurrency {
        options.concurrency = concurrency;
    }
    Ok(OciClient::new(registry, options)?)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn parse_image(input: &str) -> anyhow::Result<ImageRef> {
    ImageRef::parse(input).map_err(bad_input)
}

/// `slipway publish oci LAYOUT REPOSITORY --tag …`
pub(crate) fn publish(context: &Context, args: &PublishOciArgs) -> anyhow::Result<()> {
    let layout_path = context.directory.join(&args.layout);
    let repository = Repository::parse(&args.repository).map_err(bad_input)?;
    let mount_from = args
        .mount_from
        .iter()
        .map(|r| Repository::parse(r).map_err(bad_input))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Everything that can be refused is refused before a byte moves.
    registry::oci::check_latest(&args.tags, args.force).map_err(bad_input)?;
    let layout = Layout::open_named(&layout_path, args.ref_name.as_deref())
        .map_err(|error| bad_input(anyhow::Error::new(error)))?;
    tracing::info!(
        digest = %layout.root().digest,
        platforms = ?layout.platforms(),
        blobs = layout.blobs().len(),
        bytes = layout.blob_bytes(),
        "layout verified"
    );
    let client = client(repository.registry(), &args.client)?;
    let options = PushOptions {
        force_latest: args.force,
        mount_from,
    };
    let report = runtime()?.block_on(client.push(&layout, &repository, &args.tags, &options))?;
    let mut stdout = std::io::stdout().lock();
    for tag in report.tags_updated.iter().chain(&report.tags_unchanged) {
        writeln!(stdout, "{repository}:{tag}@{}", report.digest)?;
    }
    if args.tags.is_empty() {
        writeln!(stdout, "{repository}@{}", report.digest)?;
    }
    let blobs = &report.blobs;
    writeln!(
        std::io::stderr().lock(),
        "pushed {}: {} blob(s) uploaded ({} bytes), {} mounted, {} already present; {} tag(s) moved, {} unchanged",
        report.digest,
        blobs.uploaded,
        blobs.bytes_uploaded,
        blobs.mounted,
        blobs.skipped,
        report.tags_updated.len(),
        report.tags_unchanged.len()
    )?;
    Ok(())
}

/// `slipway retag REF NEW_TAG`
pub(crate) fn retag(args: &RetagArgs) -> anyhow::Result<()> {
    let source = parse_image(&args.source)?;
    let target = if is_valid_tag(&args.target) {
        source.repository().tag(&args.target)
    } else {
        parse_image(&args.target)?
    };
    let client = client(source.repository().registry(), &args.client)?;
    let options = RetagOptions {
        force_latest: args.force,
    };
    let report = runtime()?
        .block_on(client.retag(&source, &target, &options))
        .map_err(|error| match error {
            registry::oci::OciError::LatestToPrerelease { .. } => bad_input(error),
            other => other.into(),
        })?;
    writeln!(std::io::stdout().lock(), "{target}@{}", report.digest)?;
    let previous = report
        .previous
        .as_ref()
        .map_or("nothing".to_owned(), Digest::to_string);
    writeln!(
        std::io::stderr().lock(),
        "{} {target} (was {previous}); blob bytes moved: {}, blobs mounted: {}",
        if report.changed {
            "moved"
        } else {
            "unchanged:"
        },
        report.blob_bytes_moved,
        report.blobs_mounted
    )?;
    Ok(())
}

/// `slipway verify oci REF [--digest D] [--platform P]…`
pub(crate) fn verify(args: &VerifyOciArgs) -> anyhow::Result<()> {
    let image = parse_image(&args.reference)?;
    let expectations = Expectations {
        digest: args
            .digest
            .as_deref()
            .map(Digest::parse)
            .transpose()
            .map_err(bad_input)?,
        platforms: args.platforms.clone(),
    };
    let client = client(image.repository().registry(), &args.client)?;
    let report = runtime()?.block_on(client.verify(&image, &expectations))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{image}@{}", report.digest)?;
    for platform in &report.platforms {
        writeln!(stdout, "  {platform}")?;
    }
    if report.is_ok() {
        return Ok(());
    }
    drop(stdout);
    let mut stderr = std::io::stderr().lock();
    for problem in &report.problems {
        writeln!(stderr, "problem: {problem}")?;
    }
    Err(CheckFailed.into())
}

/// `slipway tags REPOSITORY`
pub(crate) fn tags(args: &TagsArgs) -> anyhow::Result<()> {
    let repository = Repository::parse(&args.repository).map_err(bad_input)?;
    let client = client(repository.registry(), &args.client)?;
    let tags = runtime()?.block_on(client.tags(&repository, args.page_size))?;
    let mut stdout = std::io::stdout().lock();
    for tag in tags {
        writeln!(stdout, "{tag}")?;
    }
    Ok(())
}

/// `slipway delete-tag REF`
pub(crate) fn delete_tag(args: &DeleteTagArgs) -> anyhow::Result<()> {
    let image = parse_image(&args.reference)?;
    let client = client(image.repository().registry(), &args.client)?;
    let outcome = runtime()?.block_on(client.delete_tag(&image))?;
    let message = match outcome {
        DeleteOutcome::Absent => format!("{image} does not exist; nothing to delete"),
        DeleteOutcome::TagDeleted { was } => format!("deleted {image} (was {was})"),
        DeleteOutcome::DummyDeleted { was } => {
            format!(
                "deleted {image} (was {was}; through a placeholder manifest, other tags untouched)"
            )
        }
        _ => format!("deleted {image}"),
    };
    writeln!(std::io::stdout().lock(), "{message}")?;
    Ok(())
}

/// A client for `registry` with credentials found as for `slipway publish oci`; the release workflow
/// publishes through it.
pub(crate) fn registry_client(registry: &str, insecure: bool) -> anyhow::Result<OciClient> {
    let (credentials, source) = find_credentials(registry, &ProcessEnvironment)?;
    tracing::info!(registry, credentials = %source, "registry credentials");
    let options = ClientOptions {
        credentials,
        insecure,
        chunk_size: registry::oci::default_chunk_size(registry),
        ..ClientOptions::default()
    };
    Ok(OciClient::new(registry, options)?)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::*;

    struct Fixed(HashMap<&'static str, String>, Option<PathBuf>);

    impl Environment for Fixed {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
        fn home(&self) -> Option<PathBuf> {
            self.1.clone()
        }
    }

    fn check(
        vars: &[(&'static str, &str)],
        docker_auths: Option<&str>,
        registry: &str,
        expected: &str,
    ) {
        let home = tempfile::tempdir().unwrap();
        if let Some(auths) = docker_auths {
            fs_err::create_dir_all(home.path().join(".docker")).unwrap();
            fs_err::write(home.path().join(".docker/config.json"), auths).unwrap();
        }
        let env = Fixed(
            vars.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            Some(home.path().to_owned()),
        );
        let (credentials, source) = find_credentials(registry, &env).unwrap();
        let shown = format!("{credentials:?} from {source}");
        let shown = shown.replace(&home.path().display().to_string(), "~");
        assert_eq!(shown, expected);
        assert!(!shown.contains("pw"), "no secret in {shown}");
    }

    #[test]
    fn credentials_come_from_env_then_github_token_then_docker_config() {
        // base64("carol:pw-docker")
        let docker = r#"{"auths":{"https://ghcr.io":{"auth":"Y2Fyb2w6cHctZG9ja2Vy"},"127.0.0.1:5000":{"auth":"Y2Fyb2w6cHctZG9ja2Vy"}}}"#;
        check(
            &[
                ("SLIPWAY_OCI_USERNAME", "alice"),
                ("SLIPWAY_OCI_PASSWORD", "pw-env"),
                ("GITHUB_TOKEN", "pw-gh"),
            ],
            Some(docker),
            "ghcr.io",
            r#"Basic { username: "alice", password: "****" } from SLIPWAY_OCI_USERNAME/SLIPWAY_OCI_PASSWORD"#,
        );
        check(
            &[("GITHUB_TOKEN", "pw-gh"), ("GITHUB_ACTOR", "octocat")],
            Some(docker),
            "ghcr.io",
            r#"Basic { username: "octocat", password: "****" } from GITHUB_TOKEN"#,
        );
        check(
            &[("GITHUB_TOKEN", "pw-gh")],
            Some(docker),
            "127.0.0.1:5000",
            r#"Basic { username: "carol", password: "****" } from ~/.docker/config.json"#,
        );
        check(
            &[],
            Some(docker),
            "quay.io",
            "Anonymous from none (anonymous)",
        );
        check(&[], None, "ghcr.io", "Anonymous from none (anonymous)");
    }
}
