//! `slipway lint-commits`, `completions`, `man`, and `init --commit-msg-hook`.

use std::io::Write as _;

use clap::CommandFactory as _;

use super::Context;
use crate::cli::args::{Cli, CompletionsArgs, LintCommitsArgs, ManArgs};
use crate::project::Project;
use crate::{CheckFailed, bad_input};

pub(super) fn lint_commits(context: &Context, args: &LintCommitsArgs) -> anyhow::Result<()> {
    let project = Project::discover(&context.directory, None)?;
    let offences = if let Some(file) = &args.message_file {
        let path = context.directory.join(file);
        let text = fs_err::read_to_string(&path).map_err(bad_input)?;
        crate::lint::message(&project, &text).into_iter().collect()
    } else {
        let repository = crate::context::open_repository(&context.directory)?;
        crate::lint::range(&project, &repository, args.range.as_deref())?
    };
    if args.output.json {
        crate::cli::json::print(serde_json::json!({
            "ok": offences.is_empty(),
            "offences": offences
                .iter()
                .map(|offence| serde_json::json!({
                    "commit": offence.id,
                    "problem": offence.problem.to_string(),
                }))
                .collect::<Vec<_>>(),
        }))?;
        return if offences.is_empty() {
            Ok(())
        } else {
            Err(CheckFailed.into())
        };
    }
    if offences.is_empty() {
        return Ok(());
    }
    let mut stderr = std::io::stderr().lock();
    for offence in &offences {
        match &offence.id {
            Some(id) => writeln!(stderr, "{}: {}", &id[..id.len().min(12)], offence.problem)?,
            None => writeln!(stderr, "commit message: {}", offence.problem)?,
        }
    }
    Err(CheckFailed.into())
}

pub(super) fn completions(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "slipway", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(())
}

pub(super) fn man(context: &Context, args: &ManArgs) -> anyhow::Result<()> {
    let command = Cli::command();
    let Some(directory) = &args.output_dir else {
        let mut out = Vec::new();
        clap_mangen::Man::new(command).render(&mut out)?;
        std::io::stdout().lock().write_all(&out)?;
        return Ok(());
    };
    let directory = context.directory.join(directory);
    fs_err::create_dir_all(&directory)?;
    let mut stdout = std::io::stdout().lock();
    // One page per command, named as git names its pages: slipway-release(1), slipway-hotfix-start(1).
    let mut pending = vec![(String::from("slipway"), command)];
    while let Some((name, command)) = pending.pop() {
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" {
                let full = format!("{name}-{}", sub.get_name());
                pending.push((full.clone(), sub.clone().display_name(full)));
            }
        }
        let mut out = Vec::new();
        clap_mangen::Man::new(command).render(&mut out)?;
        let path = directory.join(format!("{name}.1"));
        crate::fsutil::write_atomic(&path, &out)?;
        writeln!(stdout, "{}", path.display())?;
    }
    Ok(())
}

/// Installs the `commit-msg` hook into the repository's hooks directory.
pub(super) fn install_commit_msg_hook(
    context: &Context,
    force: bool,
    json: bool,
) -> anyhow::Result<()> {
    let repository = crate::context::open_repository(&context.directory)?;
    let hooks = repository.git_dir().join("hooks");
    fs_err::create_dir_all(&hooks)?;
    let path = hooks.join("commit-msg");
    if path.exists() && !force {
        let existing = fs_err::read_to_string(&path).unwrap_or_default();
        if existing == crate::lint::COMMIT_MSG_HOOK {
            return print_written(&path, false, json);
        }
        return Err(bad_input(anyhow::anyhow!(
            "{} exists and is not slipway's: add `slipway lint-commits --message-file \"$1\"` to it, or pass --force to replace it",
            path.display()
        )));
    }
    crate::fsutil::write_atomic(&path, crate::lint::COMMIT_MSG_HOOK.as_bytes())?;
    make_executable(&path)?;
    print_written(&path, true, json)
}

/// The hook's path, or with `--json` the `init` object (`written` is empty when it was there).
fn print_written(path: &std::path::Path, written: bool, json: bool) -> anyhow::Result<()> {
    if json {
        let shown = path.display().to_string();
        return crate::cli::json::print(serde_json::json!({
            "written": if written { vec![shown.clone()] } else { Vec::new() },
            "hook": shown,
        }));
    }
    writeln!(std::io::stdout().lock(), "{}", path.display())?;
    Ok(())
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn make_executable(_path: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}
