//! `slipway version …`: bump, convert, sort, set and check versions.

use std::io::{BufRead as _, Write as _};

use anyhow::Context as _;

use super::Context;
use crate::cli::args::{
    BumpArgs, BumpLevel, CheckArgs, ConvertArgs, Scheme, SetArgs, SortArgs, VersionCommand,
};
use crate::project::Project;
use crate::{bad_input, version_files};

pub(super) fn run(context: &Context, command: VersionCommand) -> anyhow::Result<()> {
    match command {
        VersionCommand::Bump(args) => bump(context, &args),
        VersionCommand::Convert(args) => convert(&args),
        VersionCommand::Sort(args) => sort(&args),
        VersionCommand::Set(args) => set(context, &args),
        VersionCommand::Check(args) => check(context, &args),
    }
}

/// Parses a SemVer version given on the command line; a failure is the user's input.
pub(crate) fn parse_semver(input: &str) -> anyhow::Result<versioning::Version> {
    versioning::Version::parse(input).map_err(bad_input)
}

fn convert(args: &ConvertArgs) -> anyhow::Result<()> {
    let converted = match args.to {
        Scheme::Pep440 => {
            let version = parse_semver(&args.version)?;
            versioning::to_pep440(&version)
                .map_err(bad_input)?
                .to_string()
        }
        Scheme::Semver => {
            let version =
                versioning::pep440::Pep440Version::parse(&args.version).map_err(bad_input)?;
            versioning::from_pep440(&version)
                .map_err(bad_input)?
                .to_string()
        }
    };
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "input": args.version,
            "scheme": scheme_name(args.to),
            "version": converted,
        }));
    }
    writeln!(std::io::stdout().lock(), "{converted}")?;
    Ok(())
}

fn scheme_name(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Semver => "semver",
        Scheme::Pep440 => "pep440",
    }
}

fn sort(args: &SortArgs) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut lines = Vec::new();
    for (number, line) in stdin.lines().enumerate() {
        let line = line.context("cannot read stdin")?;
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            lines.push((number + 1, trimmed.to_owned()));
        }
    }
    let sorted: Vec<String> = match args.scheme {
        Scheme::Semver => {
            let mut versions = parse_lines(&lines, versioning::Version::parse)?;
            // Stable by input order among equal precedence (e.g. differing only in build metadata).
            versions.sort_by(|a, b| a.0.cmp(&b.0));
            versions.into_iter().map(|(_, text)| text).collect()
        }
        Scheme::Pep440 => {
            let mut versions = parse_lines(&lines, versioning::pep440::Pep440Version::parse)?;
            versions.sort_by(|a, b| a.0.cmp(&b.0));
            versions.into_iter().map(|(_, text)| text).collect()
        }
    };
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "scheme": scheme_name(args.scheme),
            "versions": sorted,
        }));
    }
    let mut stdout = std::io::stdout().lock();
    for line in sorted {
        writeln!(stdout, "{line}")?;
    }
    Ok(())
}

/// Parses every line, keeping the text as written; the first bad line is an error naming its number.
fn parse_lines<V, E>(
    lines: &[(usize, String)],
    parse: impl Fn(&str) -> Result<V, E>,
) -> anyhow::Result<Vec<(V, String)>>
where
    E: std::error::Error + Send + Sync + 'static,
{
    lines
        .iter()
        .map(|(number, text)| {
            parse(text)
                .map(|version| (version, text.clone()))
                .with_context(|| format!("stdin line {number}"))
                .map_err(bad_input)
        })
        .collect()
}

fn bump(context: &Context, args: &BumpArgs) -> anyhow::Result<()> {
    use versioning::bump::{BumpRequest, Step};
    let current = parse_semver(&args.version)?;
    let level = |level| match &args.pre {
        Some(identifier) => Step::Prerelease {
            level: Some(level),
            identifier: identifier.clone(),
        },
        None => Step::Level(level),
    };
    let step = match (args.level, &args.pre) {
        (BumpLevel::Major, _) => level(versioning::Level::Major),
        (BumpLevel::Minor, _) => level(versioning::Level::Minor),
        (BumpLevel::Patch, _) => level(versioning::Level::Patch),
        (BumpLevel::Promote, None) => Step::Promote,
        (BumpLevel::Promote, Some(_)) => {
            return Err(bad_input(anyhow::anyhow!(
                "promote makes a stable release and takes no --pre: drop --pre, or bump `pre --pre ID` to continue the train"
            )));
        }
        (BumpLevel::Pre, Some(identifier)) => Step::Prerelease {
            level: None,
            identifier: identifier.clone(),
        },
        (BumpLevel::Pre, None) => {
            return Err(bad_input(anyhow::anyhow!(
                "`pre` continues a pre-release train and needs --pre ID (e.g. --pre rc)"
            )));
        }
    };
    let mut request = BumpRequest::new(step);
    if let Some(build) = &args.build {
        request = request.with_build(build.clone());
    }
    let policy = super::policy(context)?;
    let next = versioning::bump(&current, &request, &policy)
        .with_context(|| format!("cannot bump {current}"))
        .map_err(bad_input)?;
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "from": current.to_string(),
            "level": clap::ValueEnum::to_possible_value(&args.level)
                .map(|value| value.get_name().to_owned()),
            "pre": args.pre,
            "version": next.to_string(),
            "is_prerelease": next.is_prerelease(),
        }));
    }
    writeln!(std::io::stdout().lock(), "{next}")?;
    Ok(())
}

fn set(context: &Context, args: &SetArgs) -> anyhow::Result<()> {
    let version = parse_semver(&args.version)?;
    let project = Project::discover(&context.directory, None)?;
    let edits = version_files::plan_project(&project, &version)?;
    let json = |written: bool| {
        crate::cli::json::print(serde_json::json!({
            "version": version.to_string(),
            "dry_run": args.dry_run,
            "files": edits
                .iter()
                .map(|edit| serde_json::json!({
                    "path": edit.path.display().to_string(),
                    "written": written,
                    "diff": edit.unified_diff(),
                }))
                .collect::<Vec<_>>(),
        }))
    };
    let mut stdout = std::io::stdout().lock();
    if args.dry_run {
        tracing::info!("dry run: {} file(s) would change", edits.len());
        if args.output.json {
            return json(false);
        }
        for edit in &edits {
            write!(stdout, "{}", edit.unified_diff())?;
        }
        return Ok(());
    }
    version_files::apply(&project.directory, &edits)?;
    if args.output.json {
        json(true)?;
    } else {
        for edit in &edits {
            writeln!(stdout, "{}", edit.path.display())?;
        }
    }
    if edits.is_empty() {
        tracing::info!("every version file already says {version}");
    }
    Ok(())
}

fn check(context: &Context, args: &CheckArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let version_files = version_files::load(&project)?;
    let mut stderr = std::io::stderr().lock();
    let mut problems = Vec::new();
    let tag_version = match &args.tag {
        Some(tag) => {
            // Outside a repository, the configured (or default) pattern reads the tag.
            let scheme = match crate::context::open_repository(&context.directory) {
                Ok(repository) => crate::tags::TagScheme::of(&project, &repository)?,
                Err(_) => crate::tags::TagScheme::configured(&project)?,
            };
            let pattern = scheme.describe();
            let version = scheme
                .parse(tag)
                .map_or_else(
                    || versioning::Version::parse(tag.trim_start_matches('v')),
                    Ok,
                )
                .with_context(|| format!("--tag {tag}: not a release tag matching {pattern}"))
                .map_err(bad_input)?;
            Some(version)
        }
        None => None,
    };
    let expected = match &tag_version {
        Some(version) => version.clone(),
        None => version_files::current_version(&version_files)?,
    };
    for file in &version_files {
        let shown = file.display_path();
        if let Some(tag_version) = &tag_version {
            // The runbook's own check, word for word: the file's version against the tag's.
            if let Some(mismatch) =
                versioning::files::check_tag(&shown, &file.kind, &file.text, tag_version)
                    .with_context(|| shown.clone())?
            {
                problems.push(mismatch.to_string());
                continue;
            }
        }
        for mismatch in versioning::files::check(&shown, &file.kind, &file.text, &expected)
            .with_context(|| shown.clone())?
        {
            problems.push(mismatch.to_string());
        }
    }
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "ok": problems.is_empty(),
            "version": expected.to_string(),
            "tag": args.tag,
            "files": version_files.iter().map(crate::version_files::VersionFile::display_path).collect::<Vec<_>>(),
            "problems": problems,
        }))?;
    } else {
        for problem in &problems {
            writeln!(stderr, "{problem}")?;
        }
    }
    if !problems.is_empty() {
        return Err(crate::CheckFailed.into());
    }
    if !args.output.json {
        writeln!(std::io::stdout().lock(), "{expected}")?;
    }
    tracing::info!("{} version files agree on {expected}", version_files.len());
    Ok(())
}
