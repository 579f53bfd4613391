//! `slipway packages` and `slipway change add`.

use std::io::Write as _;

use super::Context;
use crate::bad_input;
use crate::cli::args::{ChangeAddArgs, ChangeLevel, PackagesArgs};
use crate::context::open_repository;
use crate::project::Project;

pub(super) fn list(context: &Context, args: &PackagesArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let repository = open_repository(&context.directory)?;
    let packages = crate::packages::discover(&project)?;
    let names: Vec<String> = packages
        .iter()
        .map(|package| package.name.clone())
        .collect();
    let changes = crate::changes::read(&project.directory, &names)?;
    let mut rows = Vec::new();
    for package in &packages {
        let files = crate::version_files::load(&package.project)?;
        let version = crate::version_files::current_version(&files)?;
        let next = crate::release::decide_next(
            &package.project,
            &repository,
            crate::release::BumpChoice::Auto,
            None,
            &[],
            Some(context.env.today()),
            crate::changes::level(&changes, &package.name),
        )?;
        let change_files: Vec<String> = crate::changes::for_package(&changes, &package.name)
            .iter()
            .map(|change| change.path.display().to_string())
            .collect();
        rows.push(serde_json::json!({
            "name": package.name,
            "path": package.path.to_string_lossy().replace('\\', "/"),
            "found_as": package.source,
            "version": version.to_string(),
            "last_tag": next.current_tag,
            "next": next.next.as_ref().map(ToString::to_string),
            "level": next.reason,
            "commits": next.commits.len(),
            "change_files": change_files,
        }));
    }
    let mut stdout = std::io::stdout().lock();
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({ "packages": rows }));
    }
    if rows.is_empty() {
        tracing::warn!(
            "this repository releases one project: no [[packages]] are configured, and no Cargo, uv or npm workspace of several versioned packages was found"
        );
    }
    for row in rows {
        let pending = match row["next"].as_str() {
            Some(next) => format!(
                "next {next} ({}, {} commit(s), {} change file(s))",
                row["level"].as_str().unwrap_or_default(),
                row["commits"],
                row["change_files"].as_array().map_or(0, Vec::len)
            ),
            None => match row["commits"].as_u64().unwrap_or(0) {
                0 => "nothing pending".to_owned(),
                commits => format!(
                    "nothing pending: {commits} commit(s) since the last tag, none calling for a release (`slipway change add --package {}` writes down a change they make)",
                    row["name"].as_str().unwrap_or_default()
                ),
            },
        };
        writeln!(
            stdout,
            "{} {} ({}) last tag {}: {pending}",
            row["name"].as_str().unwrap_or_default(),
            row["version"].as_str().unwrap_or_default(),
            row["path"].as_str().unwrap_or_default(),
            row["last_tag"].as_str().unwrap_or("none"),
        )?;
    }
    Ok(())
}

pub(super) fn change_add(context: &Context, args: &ChangeAddArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let packages = crate::packages::discover(&project)?;
    let names: Vec<String> = if args.packages.is_empty() {
        if packages.is_empty() {
            vec![crate::changes::project_name(&project)]
        } else {
            return Err(bad_input(anyhow::anyhow!(
                "this repository releases several packages: name the ones the change is for with --package ({})",
                crate::packages::names(&packages)
            )));
        }
    } else {
        for name in &args.packages {
            if packages.is_empty() {
                if *name != crate::changes::project_name(&project) {
                    return Err(bad_input(anyhow::anyhow!(
                        "--package {name}: this repository releases one project, {}",
                        crate::changes::project_name(&project)
                    )));
                }
            } else {
                crate::packages::find(&packages, name)?;
            }
        }
        args.packages.clone()
    };
    let body = if let Some(message) = &args.message {
        message.clone()
    } else {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
        text
    };
    if body.trim().is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "the change has no text: give it as MESSAGE (`slipway change add --level minor \"what changed\"`) or on stdin"
        )));
    }
    let level = match args.level {
        ChangeLevel::Patch => versioning::Level::Patch,
        ChangeLevel::Minor => versioning::Level::Minor,
        ChangeLevel::Major => versioning::Level::Major,
    };
    let file = changelog::ChangeFile {
        levels: names.iter().map(|name| (name.clone(), level)).collect(),
        body: body.trim().to_owned(),
    };
    let path = crate::changes::new_path(&project.directory, &file.body);
    let text = file.render();
    if !args.dry_run {
        let target = project.directory.join(&path);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        crate::fsutil::write_atomic(&target, text.as_bytes())?;
    }
    if args.output.json {
        return crate::cli::json::print(serde_json::json!({
            "path": path.to_string_lossy().replace('\\', "/"),
            "packages": names,
            "level": level.as_str(),
            "text": text,
            "dry_run": args.dry_run,
        }));
    }
    let mut stdout = std::io::stdout().lock();
    if args.dry_run {
        write!(stdout, "{text}")?;
        tracing::info!("dry run: would write {}", path.display());
    } else {
        writeln!(stdout, "{}", path.display())?;
    }
    Ok(())
}
