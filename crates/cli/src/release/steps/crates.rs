//! The workspace's crates published to their registry, dependencies first (see [`crate::crates`]).
//!
//! Idempotent per crate: a version the registry's index lists already is not published again, so
//! a run stopped half-way publishes only what is missing when resumed.

use super::Done;
use crate::context::Context;
use crate::release::journal::StepOutput;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    let Some(crates) = &plan.publish.crates else {
        return String::new();
    };
    format!(
        "cargo publish {} {} to {} ({}), in this order, each once the index serves the ones before{}",
        crates.crates.join(", "),
        crates.version,
        crates.registry_name(),
        crates.index,
        if crates.verify { "" } else { " (--no-verify)" }
    )
}

pub(super) fn execute(context: &Context, plan: &Plan) -> anyhow::Result<Done> {
    let Some(crates) = &plan.publish.crates else {
        anyhow::bail!("the plan publishes crates, and [cargo] publish is no longer set");
    };
    let published = crate::crates::publish(context, crates, &|line| tracing::info!("{line}"))?;
    let changed = published.iter().any(|entry| entry.published);
    Ok(Done::changed(
        changed,
        StepOutput::Crates { crates: published },
    ))
}
