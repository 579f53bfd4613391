//! The `before-bump`, `build` and `after-publish` hooks.

use anyhow::Context as _;

use super::Done;
use crate::context::Context;
use crate::release::plan::Plan;

pub(super) fn describe(commands: &[String]) -> String {
    format!("run {}", commands.join(" && "))
}

/// Runs hook commands through `sh -c` in the project directory, their output streamed to stderr
/// (stdout stays for slipway's data), with the release in the environment.
pub(super) fn execute(
    context: &Context,
    plan: &Plan,
    name: &str,
    commands: &[String],
) -> anyhow::Result<Done> {
    for command in commands {
        tracing::info!("{name} hook: {command}");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(context.directory())
            .env("SLIPWAY_VERSION", plan.version.to_string())
            .env("SLIPWAY_TAG", &plan.tag)
            .env(
                "SLIPWAY_PREVIOUS_VERSION",
                plan.previous_version
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
            .env("SLIPWAY_PRERELEASE", plan.is_prerelease().to_string())
            .stdout(std::io::stderr())
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
