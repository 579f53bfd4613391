//! Verifying a release: its tag here and on the remote, and every artifact it published, file by
//! file, with reads only.
//!
//! Reads are anonymous first: a public index or registry is read as anyone would read it, and the
//! credentials found are used only when that read is refused (a private index, a private image).
//! PyPI is polled until the timeout, with a line on stderr for every poll, because an index can
//! take a while to list a new upload.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use versioning::Version;

use super::plan::Publish;
use crate::context::Context;

/// One thing that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Whether it is as it should be.
    pub ok: bool,
    /// What was checked, and what was found.
    pub what: String,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Finding {
        Finding {
            ok: true,
            what: what.into(),
        }
    }

    fn problem(what: impl Into<String>) -> Finding {
        Finding {
            ok: false,
            what: what.into(),
        }
    }
}

/// Receives one line per poll of an index that does not list the release yet.
pub type ProgressLine = Arc<dyn Fn(&str) + Send + Sync>;

/// How long and how visibly to wait for an index.
#[derive(Clone)]
pub struct Options {
    /// How long to poll a Python index that does not list the release yet.
    pub timeout: Duration,
    /// Where the line for each poll goes (default: the log, at info level).
    pub progress: ProgressLine,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(60),
            progress: Arc::new(|line: &str| tracing::info!("{line}")),
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a release is expected to have published.
struct Expected<'a> {
    version: &'a Version,
    tag: &'a str,
    publish: &'a Publish,
    /// The GitHub Release as the release made it, when known (from its plan).
    spec: Option<registry::github::ReleaseSpec>,
    /// The files the release uploaded to the Python index with their sha256, when known (from its
    /// journal); otherwise the release's files found in the project are expected.
    pypi_files: Option<Vec<super::journal::PublishedFile>>,
    /// The crates the release published with their checksums, when known (from its journal).
    crates: Option<Vec<crate::crates::PublishedCrate>>,
}

/// The crates the journal records as on the registry.
fn published_crates(journal: &super::Journal) -> Option<Vec<crate::crates::PublishedCrate>> {
    journal.done.iter().find_map(|record| match &record.output {
        super::StepOutput::Crates { crates } => Some(crates.clone()),
        _ => None,
    })
}

/// The files the journal records as uploaded to the Python index.
fn uploaded(journal: &super::Journal) -> Option<Vec<super::journal::PublishedFile>> {
    journal.done.iter().find_map(|record| match &record.output {
        super::StepOutput::Pypi { files } => Some(files.clone()),
        _ => None,
    })
}

/// Checks what the release of `journal` published (what its steps recorded, where they did).
pub fn published(
    context: &Context,
    journal: &super::Journal,
    options: &Options,
) -> anyhow::Result<Vec<Finding>> {
    let plan = &journal.plan;
    let expected = Expected {
        version: &plan.version,
        tag: &plan.tag,
        publish: &plan.publish,
        spec: plan.publish.github.as_ref().map(|github| github.spec(plan)),
        pypi_files: uploaded(journal),
        crates: published_crates(journal),
    };
    check_published(context, &expected, options)
}

/// Checks a release made earlier: its tag here and on the remote, and every artifact the
/// configuration publishes. The release's own plan is used when this repository made it (its
/// journal is kept); otherwise the plan is derived from the configuration and the tags.
pub fn release(
    context: &Context,
    version: &Version,
    options: &Options,
) -> anyhow::Result<Vec<Finding>> {
    let project = &context.project;
    let repository = &context.repository;
    let scheme = crate::tags::TagScheme::of(project, repository)?;
    let tag = scheme
        .existing_tag(version, repository)?
        .unwrap_or_else(|| scheme.write.format(version));
    let remote = &project.config.git.remote;
    let mut findings = Vec::new();
    let local = repository.find_tag(&tag)?;
    findings.push(Finding {
        ok: local.is_some(),
        what: format!(
            "tag {tag} {}",
            if local.is_some() {
                "exists here"
            } else {
                "does not exist here (`git fetch --tags`?)"
            }
        ),
    });
    let remote_tags = repository
        .ls_remote_tags(remote)
        .with_context(|| format!("cannot list the tags of {remote}"))?;
    let pushed = remote_tags.iter().find(|remote_tag| remote_tag.name == tag);
    findings.push(match (&local, pushed) {
        (Some(local), Some(pushed)) if pushed.target == local.target => {
            Finding::ok(format!("tag {tag} is on {remote} at the same commit"))
        }
        (Some(_), Some(_)) => Finding::problem(format!(
            "tag {tag} is on {remote} at another commit than here"
        )),
        (_, None) => Finding::problem(format!("tag {tag} is not on {remote}")),
        (None, Some(_)) => Finding::problem(format!(
            "tag {tag} is on {remote} but not here: `git fetch --tags`"
        )),
    });
    let finished = super::JournalStore::new(repository.git_dir()).finished(&tag);
    let (publish, spec, pypi_files, crates) = if let Some(journal) = &finished {
        let spec = journal
            .plan
            .publish
            .github
            .as_ref()
            .map(|github| github.spec(&journal.plan));
        (
            journal.plan.publish.clone(),
            spec,
            uploaded(journal),
            published_crates(journal),
        )
    } else {
        let released = released_versions(context)?;
        (
            super::plan::publish(context, version, &released)?,
            None,
            None,
            None,
        )
    };
    let expected = Expected {
        version,
        tag: &tag,
        publish: &publish,
        spec,
        pypi_files,
        crates,
    };
    findings.extend(check_published(context, &expected, options)?);
    let configured = publish.any();
    if configured && findings.iter().all(|finding| finding.ok) {
        findings.push(Finding::ok(
            "every configured artifact is published as released",
        ));
    }
    Ok(findings)
}

/// Every version the repository's tags release.
fn released_versions(context: &Context) -> anyhow::Result<Vec<Version>> {
    let scheme = crate::tags::TagScheme::of(&context.project, &context.repository)?;
    Ok(scheme
        .release_tags(&context.repository)?
        .into_iter()
        .map(|tag| tag.version)
        .collect())
}

fn check_published(
    context: &Context,
    expected: &Expected<'_>,
    options: &Options,
) -> anyhow::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let released = released_versions(context)?;
    if let Some(pypi) = &expected.publish.pypi {
        findings.extend(pypi_findings(
            context,
            pypi,
            expected.pypi_files.as_deref(),
            options,
        )?);
    }
    for oci in &expected.publish.oci {
        findings.extend(oci_findings(context, oci, expected.version, &released)?);
    }
    if let Some(crates) = &expected.publish.crates {
        findings.extend(crates_findings(
            context,
            crates,
            expected.crates.as_deref(),
        )?);
    }
    if expected.publish.github.is_some() {
        findings.extend(github_findings(context, expected, &released)?);
    }
    Ok(findings)
}

fn crates_findings(
    context: &Context,
    plan: &crate::crates::CratesPlan,
    recorded: Option<&[crate::crates::PublishedCrate]>,
) -> anyhow::Result<Vec<Finding>> {
    let registry = plan.registry_name();
    let mut findings = Vec::new();
    for (name, entry) in crate::crates::check(context, plan)? {
        let recorded =
            recorded.and_then(|recorded| recorded.iter().find(|published| published.name == name));
        findings.push(match entry {
            None => Finding::problem(format!(
                "crate {name} {} is not on {registry}",
                plan.version
            )),
            Some(entry) if entry.yanked => Finding::problem(format!(
                "crate {name} {} is yanked on {registry}",
                plan.version
            )),
            Some(entry) => match recorded {
                Some(recorded) if recorded.cksum != entry.cksum => Finding::problem(format!(
                    "crate {name} {} on {registry} differs: the release published sha256 {}, the index lists {}",
                    plan.version, recorded.cksum, entry.cksum
                )),
                _ => Finding::ok(format!(
                    "crate {name} {} is on {registry} (sha256 {})",
                    plan.version, entry.cksum
                )),
            },
        });
    }
    Ok(findings)
}

fn pypi_findings(
    context: &Context,
    pypi: &super::plan::PypiPlan,
    uploaded: Option<&[super::journal::PublishedFile]>,
    options: &Options,
) -> anyhow::Result<Vec<Finding>> {
    let project_target = context
        .targets
        .pypi
        .as_ref()
        .context("[pypi] is no longer configured")?;
    let target = project_target.index(pypi.channel)?;
    let release = versioning::pep440::Pep440Version::parse(&pypi.version)
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    // The files the release uploaded, as its journal recorded them; without a journal (a release
    // made elsewhere), the release's files still in the project; without those, any file of the
    // release counts.
    let mut expected = Vec::new();
    if let Some(uploaded) = uploaded {
        expected.extend(uploaded.iter().map(|file| registry::pypi::ExpectedFile {
            filename: file.name.clone(),
            sha256: file.sha256.clone(),
        }));
    } else {
        for path in project_target.files(context.directory())? {
            let Ok(artifact) = registry::pypi::Artifact::read(&path) else {
                continue;
            };
            if artifact.version() == &release {
                expected.push(registry::pypi::ExpectedFile {
                    filename: artifact.filename().to_owned(),
                    sha256: registry::pypi::digests(&path)?.sha256,
                });
            }
        }
    }
    let name = &pypi.project;
    let index = &pypi.index;
    let progress = |poll: &registry::pypi::Poll<'_>| {
        let Some(next) = poll.next_in else {
            return;
        };
        let waiting =
            if poll.verification.missing.is_empty() && poll.verification.mismatched.is_empty() {
                format!("{name} {release}")
            } else {
                poll.verification
                    .missing
                    .iter()
                    .chain(poll.verification.mismatched.iter().map(|(file, _, _)| file))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            };
        (options.progress)(&format!(
            "PyPI {index}: waiting for {waiting} (read {}, {} s of {} s; next in {} s)",
            poll.attempt,
            poll.elapsed.as_secs(),
            poll.timeout.as_secs(),
            next.as_secs().max(1)
        ));
    };
    let verify = |authenticated: bool| {
        context.block_on(target.read_client(authenticated).verify_with_progress(
            name,
            &release,
            &expected,
            options.timeout,
            &progress,
        ))
    };
    let verification = match verify(false) {
        Ok(verification) => verification,
        Err(error) if error.is_unauthorized() && target.read_credentials.is_some() => {
            tracing::info!(
                "the index refused an anonymous read ({error}); reading with credentials"
            );
            verify(true)?
        }
        Err(error) => return Err(error.into()),
    };
    let mut findings = Vec::new();
    for file in &verification.found {
        let listed = file.sha256.as_deref().unwrap_or("no hash listed");
        if let Some((_, want, have)) = verification
            .mismatched
            .iter()
            .find(|(filename, _, _)| *filename == file.filename)
        {
            findings.push(Finding::problem(format!(
                "PyPI {index}: {} differs: expected sha256 {want}, the index has {have}",
                file.filename
            )));
        } else {
            findings.push(Finding::ok(format!(
                "PyPI {index}: {} sha256 {listed}{}",
                file.filename,
                if file.yanked { " (yanked)" } else { "" }
            )));
        }
    }
    for missing in &verification.missing {
        findings.push(Finding::problem(format!(
            "PyPI {index}: {missing} is missing (waited {} s)",
            options.timeout.as_secs()
        )));
    }
    if verification.found.is_empty() && verification.missing.is_empty() {
        findings.push(Finding::problem(format!(
            "PyPI {index}: {name} {release} is not on the index (waited {} s)",
            options.timeout.as_secs()
        )));
    }
    Ok(findings)
}

fn oci_findings(
    context: &Context,
    oci: &super::plan::OciPlan,
    version: &Version,
    released: &[Version],
) -> anyhow::Result<Vec<Finding>> {
    let target = context.targets.oci_for(&oci.repository)?;
    let anonymous = target.client(false)?;
    let authenticated = target.client(true)?;
    let verify = |tag: &str| {
        let image = target.repository.tag(tag);
        let expect = registry::oci::Expectations {
            digest: None,
            platforms: oci.platforms.clone(),
        };
        let report = match context.block_on(anonymous.verify(&image, &expect)) {
            Ok(report) => Ok(report),
            Err(error)
                if error.is_unauthorized()
                    && !matches!(target.credentials, registry::oci::Credentials::Anonymous) =>
            {
                tracing::info!(
                    "the registry refused an anonymous read ({error}); reading with credentials"
                );
                context.block_on(authenticated.verify(&image, &expect))
            }
            Err(error) => Err(error),
        };
        (image, report)
    };
    let mut findings = Vec::new();
    // The version's tag comes first in the plan; a moving tag must name its image exactly while
    // the release is still the highest of the tag's series.
    let Some(version_tag) = oci.tags.first() else {
        return Ok(findings);
    };
    let release_digest = match verify(version_tag) {
        (image, Ok(report)) if report.is_ok() => {
            let digest = report.digest.to_string();
            findings.push(Finding::ok(format!(
                "{image} is {digest} ({})",
                report.platforms.join(", ")
            )));
            Some(digest)
        }
        (image, Ok(report)) => {
            findings.push(Finding::problem(format!(
                "{image}: {}",
                report.problems.join(", ")
            )));
            None
        }
        (image, Err(error)) => {
            findings.push(Finding::problem(format!("{image}: {error}")));
            None
        }
    };
    // Journals from before floating tags list only the tags; each must name the image.
    let moving: Vec<super::plan::MovingTag> = if oci.moving.is_empty() {
        oci.tags[1..]
            .iter()
            .map(|tag| super::plan::MovingTag {
                tag: tag.clone(),
                series: super::latest::Series::Everything,
            })
            .collect()
    } else {
        oci.moving.clone()
    };
    for moving in &moving {
        let should_point_here = super::latest::moves_in(&moving.series, version, released);
        if !should_point_here {
            if oci.tags.contains(&moving.tag) {
                findings.push(Finding::ok(format!(
                    "{}:{} has moved on: {version} is no longer the highest stable release of {}",
                    oci.repository, moving.tag, moving.series
                )));
            }
            continue;
        }
        let (image, report) = verify(&moving.tag);
        findings.push(match (report, &release_digest) {
            (Ok(report), Some(release)) if report.digest.to_string() == *release => {
                Finding::ok(format!("{image} is the release's image"))
            }
            (Ok(report), Some(release)) => Finding::problem(format!(
                "{image} is {}, another image than the release's ({release})",
                report.digest
            )),
            (Ok(report), None) => Finding::problem(format!(
                "{image} is {}, and the release's own tag is missing",
                report.digest
            )),
            (Err(error), _) => Finding::problem(format!("{image}: {error}")),
        });
    }
    Ok(findings)
}

fn github_findings(
    context: &Context,
    expected: &Expected<'_>,
    released: &[Version],
) -> anyhow::Result<Vec<Finding>> {
    let target = context
        .targets
        .github
        .as_ref()
        .context("[github] is no longer configured")?;
    let client = target.client()?;
    let tag = expected.tag;
    let mut assets = Vec::new();
    for path in target.files(context.directory())? {
        assets.push(registry::github::ExpectedAsset::from_file(&path)?);
    }
    let spec = if let Some(spec) = &expected.spec {
        spec.clone()
    } else {
        // Made elsewhere: its title and notes are not known here, only what the version says.
        let Some(existing) = context.block_on(client.release_by_tag(tag))? else {
            return Ok(vec![Finding::problem(format!(
                "GitHub Release {tag} does not exist"
            ))]);
        };
        registry::github::ReleaseSpec {
            tag: tag.to_owned(),
            name: existing.title().to_owned(),
            body: existing.notes().to_owned(),
            prerelease: expected.version.is_prerelease(),
            draft: false,
            // The Latest flag follows the rule now: on the highest stable release.
            make_latest: (!expected.version.is_prerelease()).then(|| {
                super::latest::moves_to(expected.version, released)
                    && context.project.root.is_none()
            }),
            target_commitish: None,
        }
    };
    let verification = context.block_on(client.verify_release(&spec, &assets))?;
    let mut findings = Vec::new();
    if verification.release.is_none() {
        findings.push(Finding::problem(format!(
            "GitHub Release {tag} does not exist"
        )));
        return Ok(findings);
    }
    let differing: Vec<&str> = verification
        .differing
        .iter()
        .copied()
        .filter(|field| *field != "make_latest")
        .collect();
    if differing.is_empty() {
        findings.push(Finding::ok(format!("GitHub Release {tag} is as released")));
    } else {
        findings.push(Finding::problem(format!(
            "GitHub Release {tag} differs in {}",
            differing.join(", ")
        )));
    }
    // Only "should be Latest" is checked: a rollback rightly makes an older release Latest, and
    // its plan said it would not be.
    if let Some(latest) = spec
        .make_latest
        .filter(|latest| *latest && !spec.prerelease)
    {
        let wrong = verification.differing.contains(&"make_latest");
        let marked = if latest { "" } else { "not " };
        findings.push(if wrong {
            Finding::problem(if latest {
                format!("GitHub Release {tag} should be the repository's Latest release, and is not")
            } else {
                format!("GitHub Release {tag} is the repository's Latest release, and a higher stable release exists")
            })
        } else {
            Finding::ok(format!(
                "GitHub Release {tag} is {marked}the repository's Latest release"
            ))
        });
    }
    for asset in &assets {
        if verification.missing.contains(&asset.name) {
            findings.push(Finding::problem(format!(
                "GitHub Release {tag}: asset {} is missing",
                asset.name
            )));
        } else if let Some(mismatch) = verification
            .mismatched
            .iter()
            .find(|mismatch| mismatch.name == asset.name)
        {
            findings.push(Finding::problem(format!(
                "GitHub Release {tag}: asset {} differs: expected {}, GitHub has {}",
                asset.name, mismatch.expected, mismatch.found
            )));
        } else {
            let how = if verification.size_only.contains(&asset.name) {
                format!("{} bytes (GitHub lists no digest)", asset.size)
            } else {
                format!("sha256 {}", asset.sha256)
            };
            findings.push(Finding::ok(format!(
                "GitHub Release {tag}: asset {} {how}",
                asset.name
            )));
        }
    }
    Ok(findings)
}
