//! Every published artifact checked, as `slipway verify VERSION` checks it.

use super::Done;
use crate::context::Context;
use crate::release::journal::Journal;
use crate::release::plan::Plan;

pub(super) fn describe(plan: &Plan) -> String {
    let mut what = Vec::new();
    if let Some(pypi) = &plan.publish.pypi {
        what.push(format!(
            "{} {} on {}",
            pypi.project, pypi.version, pypi.index
        ));
    }
    for oci in &plan.publish.oci {
        what.push(format!(
            "{}:{} ({})",
            oci.repository,
            oci.tags.join(", "),
            if oci.platforms.is_empty() {
                "any platform".to_owned()
            } else {
                oci.platforms.join(", ")
            }
        ));
    }
    if let Some(crates) = &plan.publish.crates {
        what.push(format!(
            "{} {} on {}",
            crates.crates.join(", "),
            crates.version,
            crates.registry_name()
        ));
    }
    if plan.publish.github.is_some() {
        what.push(format!("the GitHub Release {} and its assets", plan.tag));
    }
    format!("check {}", what.join("; "))
}

pub(super) fn execute(context: &Context, journal: &Journal) -> anyhow::Result<Done> {
    let findings = crate::release::verify::published(
        context,
        journal,
        &crate::release::verify::Options::default(),
    )?;
    let problems: Vec<String> = findings
        .iter()
        .filter(|finding| !finding.ok)
        .map(|finding| finding.what.clone())
        .collect();
    if !problems.is_empty() {
        anyhow::bail!(
            "what was published is not what was released: {}",
            problems.join("; ")
        );
    }
    Ok(Done::nothing())
}
