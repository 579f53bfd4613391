//! `slipway changelog` and `slipway next-version`: both work in any git repository with no
//! configuration.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use super::Context;
use crate::cli::args::{ChangelogArgs, ChangelogFormat, NextVersionArgs};
use crate::context::open_repository;
use crate::history::{self, HistoryRequest};
use crate::project::Project;
use crate::{bad_input, fsutil};

/// The project, or with `--package NAME` the package of that name seen as a project of its own
/// (its directory, tags, changelog and commits).
fn project_or_package(
    context: &Context,
    config: Option<&Path>,
    package: Option<&str>,
) -> anyhow::Result<Project> {
    let project = Project::discover(&context.directory, config)?;
    match package {
        None => Ok(project),
        Some(name) => {
            let packages = crate::packages::discover(&project)?;
            Ok(crate::packages::find(&packages, name)?.project.clone())
        }
    }
}

pub(super) fn changelog(context: &Context, args: &ChangelogArgs) -> anyhow::Result<()> {
    let project = project_or_package(context, args.config.as_deref(), args.package.as_deref())?;
    let repository = open_repository(&context.directory)?;
    let scheme = crate::tags::TagScheme::of(&project, &repository)?;
    let mut include_paths = project.config.changelog.include_paths.clone();
    include_paths.extend(args.include_paths.iter().cloned());
    let request = HistoryRequest {
        include_paths,
        range: args.range.clone(),
        remote: Some(project.config.git.remote.clone()),
    };
    let mut policy = project.config.changelog.policy();
    if let Some(fold) = args.fold_prereleases {
        policy.fold_prereleases = fold;
    }
    let generator = changelog::Generator::new(policy)
        .context("the [changelog] configuration")
        .map_err(bad_input)?;

    // The whole history in Markdown: rendered while it is read, holding no more than a release's
    // commits at a time.
    let whole_markdown = matches!(args.format, ChangelogFormat::Md)
        && args.template.is_none()
        && args.prepend.is_none()
        && args.range.is_none()
        && args.tag.is_none()
        && !args.unreleased
        && !args.latest;
    if whole_markdown {
        let markdown = history::stream_markdown(&repository, &scheme, &request, &generator)?;
        if let Some(file) = &args.output {
            let text: String = markdown.pieces(None).collect();
            return fsutil::write_atomic(&context.directory.join(file), text.as_bytes());
        }
        let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        for piece in markdown.pieces(None) {
            stdout.write_all(piece.as_bytes())?;
        }
        stdout.flush()?;
        return Ok(());
    }

    let mut read = history::read(&repository, &scheme, &request)?;

    if let Some(next) = &args.tag {
        name_unreleased(
            &mut read.history,
            next,
            &scheme,
            &repository,
            args.date.as_deref(),
            context.env.today(),
        )?;
    }
    let mut built = generator.build(&read.history, read.remote.as_ref());
    if args.unreleased {
        if args.tag.is_some() {
            // The unreleased changes are the release being named: keep just that one.
            built.releases.truncate(1);
        } else {
            built.releases.clear();
        }
    }
    if args.latest {
        built.unreleased = None;
        built.releases.truncate(1);
    }

    // What an announcement says besides the notes (also given to a template as `announcement`):
    // the project's name (else the repository's name on its forge, else the directory's), how
    // to install the release from each configured target, and the configured links.
    let name = project
        .name
        .clone()
        .or_else(|| {
            built
                .remote
                .as_ref()
                .and_then(|remote| remote.url.rsplit('/').next().map(str::to_owned))
        })
        .unwrap_or_else(|| directory_name(&context.directory));
    let install = built
        .releases
        .first()
        .and_then(|notes| notes.version.as_deref())
        .and_then(|version| versioning::Version::parse(version).ok())
        .map(|version| {
            project
                .config
                .install_lines(project.name.as_deref(), &version)
                .join("\n")
        })
        .filter(|lines| !lines.is_empty());
    let announcement = changelog::Announcement {
        project: &name,
        install: install.as_deref(),
        documentation_url: project.config.changelog.documentation_url.as_deref(),
        migration_guide_url: project.config.changelog.migration_guide_url.as_deref(),
    };

    let text = if let Some(template) = &args.template {
        let source = fs_err::read_to_string(template).map_err(bad_input)?;
        let mut out = String::new();
        changelog::render_template_with(
            &mut out,
            &template.display().to_string(),
            &source,
            &built,
            &announcement,
        )
        .with_context(|| format!("template {}", template.display()))
        .map_err(bad_input)?;
        out
    } else {
        match args.format {
            ChangelogFormat::Md => changelog::markdown_string(&built, None),
            ChangelogFormat::Json => changelog::json_string(&built) + "\n",
            ChangelogFormat::Notes => {
                changelog::release_notes_string(&built, single_release(&built)?)
            }
            ChangelogFormat::Announcement => {
                changelog::announcement_string(&built, single_release(&built)?, &announcement)
            }
        }
    };

    if let Some(file) = &args.prepend {
        let path = context.directory.join(file);
        let existing = fsutil::read_changelog(&path)?;
        // Oldest first, so that each new release lands above the one before it.
        let blocks: Vec<changelog::ReleaseBlock> = built
            .releases
            .iter()
            .rev()
            .chain(built.unreleased.iter())
            .map(|notes| changelog::ReleaseBlock::new(&built, notes))
            .collect();
        let (merged, inserted) = changelog::merge_releases(&existing, &blocks);
        if merged == existing {
            tracing::info!(
                "{} already has every release: nothing to change",
                path.display()
            );
        } else {
            fsutil::write_atomic(&path, merged.as_bytes())?;
            tracing::info!("{}: added {}", path.display(), inserted.join(", "));
        }
        return Ok(());
    }
    if let Some(file) = &args.output {
        return fsutil::write_atomic(&context.directory.join(file), text.as_bytes());
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// Turns the unreleased commits into the release `next` (a version or a tag), dated `date` or today.
fn name_unreleased(
    history: &mut changelog::History,
    next: &str,
    scheme: &crate::tags::TagScheme,
    repository: &gitops::Repository,
    date: Option<&str>,
    today: changelog::Date,
) -> anyhow::Result<()> {
    let version = scheme
        .parse(next)
        .map_or_else(|| versioning::Version::parse(next), Ok)
        .with_context(|| {
            format!(
                "--tag {next}: neither a version nor a tag matching {}",
                scheme.describe()
            )
        })
        .map_err(bad_input)?;
    let date = match date {
        Some(text) => history::parse_date(text)?,
        None => today,
    };
    let head = repository.head().context("cannot read HEAD")?;
    let release = changelog::Release {
        tag: scheme.write.format(&version),
        version: Some(version),
        target: head.as_str().to_owned(),
        date,
        commits: std::mem::take(&mut history.unreleased),
    };
    history.releases.insert(0, release);
    Ok(())
}

fn single_release<'c, 'a>(
    built: &'c changelog::Changelog<'a>,
) -> anyhow::Result<&'c changelog::ReleaseNotes<'a>> {
    built
        .releases
        .first()
        .or(built.unreleased.as_ref())
        .ok_or_else(|| bad_input(anyhow::anyhow!("there is no release to write notes for: tag one, or name the unreleased changes with --tag")))
}

pub(super) fn next_version(context: &Context, args: &NextVersionArgs) -> anyhow::Result<()> {
    let root = Project::discover(&context.directory, args.config.as_deref())?;
    let project = project_or_package(context, args.config.as_deref(), args.package.as_deref())?;
    let repository = open_repository(&context.directory)?;
    // Change files count as a release would count them.
    let packages = crate::packages::discover(&root)?;
    if args.package.is_none() && args.include_paths.is_empty() && !packages.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "this repository releases several packages, each with its own next version: name one with --package ({}), or see them all with `slipway packages`",
            crate::packages::names(&packages)
        )));
    }
    let names = match &args.package {
        Some(_) => packages.into_iter().map(|package| package.name).collect(),
        None => vec![crate::changes::project_name(&root)],
    };
    let changes = crate::changes::read(&root.directory, &names)?;
    let next = crate::release::decide_next(
        &project,
        &repository,
        crate::release::BumpChoice::Auto,
        args.pre.as_deref(),
        &args.include_paths,
        Some(context.env.today()),
        crate::changes::level(&changes, &crate::changes::project_name(&project)),
    )?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "current": next.current.as_ref().map(ToString::to_string),
            "current_tag": next.current_tag,
            "next": next.next.as_ref().map(ToString::to_string),
            "next_tag": next.next_tag,
            "skipped": next.skipped.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "level": next.reason,
            "commits": next.commits.len(),
            "change_files": changes
                .iter()
                .filter(|change| change.level_for(&crate::changes::project_name(&project)).is_some())
                .map(|change| change.path.display().to_string())
                .collect::<Vec<_>>(),
            "decided_by": next.decided_by,
        });
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&crate::cli::json::with_schema(json))?
        )?;
    } else if let Some(version) = &next.next {
        writeln!(stdout, "{version}")?;
    } else {
        // Nothing calls for a release: say so on stderr, print the current version on stdout.
        tracing::warn!(
            "no commit since {} calls for a release",
            next.stable_tag.as_deref().unwrap_or("the start")
        );
        if let Some(current) = &next.current {
            writeln!(stdout, "{current}")?;
        }
    }
    Ok(())
}

fn directory_name(directory: &Path) -> String {
    directory
        .canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "project".to_owned())
}
