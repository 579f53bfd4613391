//! The `before-bump`, `build` and `after-publish` hooks.

use anyhow::Context as _;

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(commands: &[String]) -> String {
    format!("run {}", commands.join(" && "))
}

/// Runs hook commands through `sh -c` in the project directory, their output streamed to stderr
/// (stdout stays for slipway's data), with the release in the environment: `SLIPWAY_VERSION`,
/// `SLIPWAY_TAG`, `SLIPWAY_PREVIOUS_VERSION`, `SLIPWAY_PRERELEASE` (and `SLIPWAY_PACKAGE` for a
/// package's own hooks, in its directory); the top-level hooks of a release of several packages
/// get `SLIPWAY_PACKAGES` (`core=1.1.0 app=1.0.1`) instead.
pub(super) fn execute(
    context: &Context,
    plan: &Plan,
    name: &str,
    commands: &[String],
) -> anyhow::Result<Done> {
    for command in commands {
        tracing::info!("{name} hook: {command}");
        let mut process = std::process::Command::new("sh");
        process
            .arg("-c")
            .arg(command)
            .current_dir(context.directory())
            .stdout(std::io::stderr());
        if plan.packages.is_empty() {
            process
                .env("SLIPWAY_VERSION", plan.version.to_string())
                .env("SLIPWAY_TAG", &plan.tag)
                .env(
                    "SLIPWAY_PREVIOUS_VERSION",
                    plan.previous_version
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
                .env("SLIPWAY_PRERELEASE", plan.is_prerelease().to_string());
            if context.project.root.is_some() {
                // One package of a release of several, in its directory.
                process.env(
                    "SLIPWAY_PACKAGE",
                    context.project.name.as_deref().unwrap_or(""),
                );
            }
        } else {
            // The top-level hooks of a release of several packages: every package released.
            process.env(
                "SLIPWAY_PACKAGES",
                plan.packages
                    .iter()
                    .map(|package| format!("{}={}", package.name, package.version))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        let status = process
            .status()
            .with_context(|| format!("cannot run the {name} hook `{command}`"))?;
        if !status.success() {
            anyhow::bail!("the {name} hook `{command}` failed ({status})");
        }
    }
    Ok(Done::changed(
        true,
        crate::release::journal::StepOutput::Nothing,
    ))
}
