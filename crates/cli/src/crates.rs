//! Publishing a Cargo workspace's crates (`[cargo] publish = true`): which members, in which
//! order, to which registry, and the step that publishes them.
//!
//! The members are those `cargo metadata` calls publishable to the registry (`publish` unset, or
//! naming it), ordered so that every crate comes after the workspace crates it depends on
//! (normal, build and dev dependencies: a dev-dependency with a version is kept in the published
//! manifest, so the registry must have it too), ties broken by name.
//! For this workspace: `slipway-versioning`, `slipway-changelog`, `slipway-gitops`,
//! `slipway-registry`, `slipway`.
//!
//! Each crate is published with `cargo publish`, unless the registry's index lists its version
//! already (so a rerun, or a release resumed after a failure half-way, publishes only what is
//! missing), and the next one waits until the index serves it: a dependent published before its
//! dependency is visible fails to resolve.
//!
//! The registry's index comes from cargo's own configuration: `CARGO_REGISTRIES_<NAME>_INDEX`,
//! then `[registries.<name>] index` in the `.cargo/config.toml` files from the project up to the
//! root, then `$CARGO_HOME/config.toml`; crates.io's is `sparse+https://index.crates.io/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use crate::bad_input;
use crate::context::Context;

/// The crates a release publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CratesPlan {
    /// The registry's name; `None` for crates.io.
    pub registry: Option<String>,
    /// Its index (credentials removed).
    pub index: String,
    /// The crates, dependencies first.
    pub crates: Vec<String>,
    /// The version each is published at.
    pub version: String,
    /// Whether `cargo publish` builds each packaged crate first.
    pub verify: bool,
}

impl CratesPlan {
    /// The registry, for people.
    pub fn registry_name(&self) -> &str {
        self.registry.as_deref().unwrap_or("crates.io")
    }
}

/// One crate on the registry after the step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCrate {
    /// The crate.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The `.crate` file's sha256, as the index lists it.
    pub cksum: String,
    /// Whether this run published it (else the registry had it already).
    pub published: bool,
}

/// The crates `version` would publish, or `None` when `[cargo] publish` is off.
pub(crate) fn plan(
    context: &Context,
    version: &versioning::Version,
) -> anyhow::Result<Option<CratesPlan>> {
    let Some(config) = context
        .project
        .config
        .cargo
        .as_ref()
        .filter(|config| config.publish)
    else {
        return Ok(None);
    };
    let members = workspace_members(context)?;
    let crates = publish_order(&members, config.registry.as_deref())?;
    if crates.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "[cargo] publish = true, and no member of the workspace may be published to {} (each says `publish = false` or names other registries)",
            config.registry.as_deref().unwrap_or("crates.io")
        )));
    }
    let index = index_url(context, config.registry.as_deref())?;
    Ok(Some(CratesPlan {
        registry: config.registry.clone(),
        index: index.to_string(),
        crates,
        version: version.to_string(),
        verify: config.verify,
    }))
}

/// A workspace member as `cargo metadata` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) version: String,
    /// `None`: anywhere; otherwise the registries it may go to (`[]`: nowhere).
    pub(crate) publish: Option<Vec<String>>,
    /// The workspace members it depends on (any kind), by name.
    pub(crate) depends_on: BTreeSet<String>,
    /// Those of them its manifest takes from crates.io (no `registry = "…"` on the entry).
    pub(crate) from_crates_io: BTreeSet<String>,
}

fn cargo_program(context: &Context) -> String {
    context
        .env
        .var("CARGO")
        .unwrap_or_else(|| "cargo".to_owned())
}

/// The workspace's members, from `cargo metadata --no-deps` (which reads manifests only).
pub(crate) fn workspace_members(context: &Context) -> anyhow::Result<Vec<Member>> {
    let manifest = context.directory().join("Cargo.toml");
    if !manifest.is_file() {
        return Err(bad_input(anyhow::anyhow!(
            "[cargo] publish = true, and {} has no Cargo.toml",
            context.directory().display()
        )));
    }
    let cargo = cargo_program(context);
    let output = std::process::Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .with_context(|| format!("cannot run {cargo} metadata"))?;
    if !output.status.success() {
        anyhow::bail!(
            "`cargo metadata` failed on {}: {}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let metadata: Metadata =
        serde_json::from_slice(&output.stdout).context("`cargo metadata` said something else")?;
    let members: BTreeSet<&str> = metadata
        .workspace_members
        .iter()
        .map(String::as_str)
        .collect();
    let packages: Vec<&Package> = metadata
        .packages
        .iter()
        .filter(|package| members.contains(package.id.as_str()))
        .collect();
    let names: BTreeSet<&str> = packages
        .iter()
        .map(|package| package.name.as_str())
        .collect();
    Ok(packages
        .iter()
        .map(|package| Member {
            name: package.name.clone(),
            version: package.version.clone(),
            publish: package.publish.clone(),
            depends_on: package
                .dependencies
                .iter()
                .filter(|dependency| {
                    dependency.path.is_some()
                        && dependency.name != package.name
                        && names.contains(dependency.name.as_str())
                })
                .map(|dependency| dependency.name.clone())
                .collect(),
            from_crates_io: package
                .dependencies
                .iter()
                .filter(|dependency| {
                    dependency.path.is_some()
                        && dependency.registry.is_none()
                        && dependency.name != package.name
                        && names.contains(dependency.name.as_str())
                })
                .map(|dependency| dependency.name.clone())
                .collect(),
        })
        .collect())
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
    version: String,
    publish: Option<Vec<String>>,
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    path: Option<PathBuf>,
    registry: Option<String>,
}

/// The members that may go to `registry` (`None`: crates.io), each after the members it depends
/// on; ties by name. A dependency cycle among them is an error naming it.
pub(crate) fn publish_order(
    members: &[Member],
    registry: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let target = registry.unwrap_or("crates-io");
    let publishable: BTreeMap<&str, &Member> = members
        .iter()
        .filter(|member| {
            member
                .publish
                .as_ref()
                .is_none_or(|allowed| allowed.iter().any(|name| name == target))
        })
        .map(|member| (member.name.as_str(), member))
        .collect();
    for member in publishable.values() {
        // A path dependency is published as a dependency on crates.io unless its entry names the
        // registry: cargo would then look for our own crate on crates.io.
        if let (Some(name), Some(dependency)) = (registry, member.from_crates_io.iter().next()) {
            return Err(bad_input(anyhow::anyhow!(
                "{} depends on {dependency} without `registry = \"{name}\"`, so cargo would publish it as a crates.io dependency: add `registry = \"{name}\"` to the dependency (in [workspace.dependencies] for a workspace)",
                member.name
            )));
        }
        if let Some(missing) = member
            .depends_on
            .iter()
            .find(|dependency| !publishable.contains_key(dependency.as_str()))
        {
            return Err(bad_input(anyhow::anyhow!(
                "{} depends on the workspace crate {missing}, which may not be published to {}: publish it too, or make the dependency a dev-dependency without a version",
                member.name,
                registry.unwrap_or("crates.io")
            )));
        }
    }
    let graph: BTreeMap<String, BTreeSet<String>> = publishable
        .iter()
        .map(|(name, member)| ((*name).to_owned(), member.depends_on.clone()))
        .collect();
    versioning::dependencies::dependency_order(&graph).map_err(|cycle| {
        bad_input(anyhow::anyhow!(
            "the workspace crates {} depend on each other in a cycle, so none can be published first",
            cycle.join(", ")
        ))
    })
}

/// The index of `registry` (`None`: crates.io), from cargo's configuration.
pub(crate) fn index_url(
    context: &Context,
    registry: Option<&str>,
) -> anyhow::Result<registry::crates::IndexUrl> {
    let Some(name) = registry else {
        return Ok(registry::crates::IndexUrl::parse(
            registry::crates::CRATES_IO_INDEX,
        ));
    };
    let variable = format!(
        "CARGO_REGISTRIES_{}_INDEX",
        name.to_ascii_uppercase().replace('-', "_")
    );
    if let Some(url) = context.env.var(&variable) {
        return Ok(registry::crates::IndexUrl::parse(&url));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let mut directory: Option<&Path> = Some(context.directory());
    while let Some(current) = directory {
        files.push(current.join(".cargo/config.toml"));
        files.push(current.join(".cargo/config"));
        directory = current.parent();
    }
    let cargo_home = context
        .env
        .var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| context.env.home().map(|home| home.join(".cargo")));
    if let Some(home) = cargo_home {
        files.push(home.join("config.toml"));
        files.push(home.join("config"));
    }
    for file in files.iter().filter(|file| file.is_file()) {
        let text = fs_err::read_to_string(file)?;
        let value: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML", file.display()))
            .map_err(bad_input)?;
        if let Some(url) = value
            .get("registries")
            .and_then(|registries| registries.get(name))
            .and_then(|entry| entry.get("index"))
            .and_then(toml::Value::as_str)
        {
            return Ok(registry::crates::IndexUrl::parse(url));
        }
    }
    Err(bad_input(anyhow::anyhow!(
        "[cargo] registry = {name:?}: cargo knows no such registry: add `[registries.{name}] index = \"…\"` to .cargo/config.toml, or set {variable}"
    )))
}

/// How long to wait for the index to serve a crate just published.
const INDEX_TIMEOUT: Duration = Duration::from_secs(300);

/// Publishes every crate of `plan` not on the registry yet, in order, each visible in the index
/// before the next; `progress` gets a line per crate.
pub(crate) fn publish(
    context: &Context,
    plan: &CratesPlan,
    progress: &dyn Fn(&str),
) -> anyhow::Result<Vec<PublishedCrate>> {
    let index = registry::crates::CrateIndex::new(index_url(context, plan.registry.as_deref())?);
    let members = workspace_members(context)?;
    let cargo = cargo_program(context);
    let mut done = Vec::new();
    for name in &plan.crates {
        let member = members
            .iter()
            .find(|member| member.name == *name)
            .with_context(|| format!("{name} is no longer a member of the workspace"))?;
        if member.version != plan.version {
            anyhow::bail!(
                "{name} is at {} in its Cargo.toml, and the release is {}: every published crate carries the release's version",
                member.version,
                plan.version
            );
        }
        if let Some(entry) = context.block_on(index.find(name, &plan.version))? {
            progress(&format!(
                "{name} {} is on {} already",
                plan.version,
                plan.registry_name()
            ));
            done.push(PublishedCrate {
                name: name.clone(),
                version: plan.version.clone(),
                cksum: entry.cksum,
                published: false,
            });
            continue;
        }
        progress(&format!(
            "cargo publish {name} {} to {}",
            plan.version,
            plan.registry_name()
        ));
        let published = registry::crates::cargo_publish(&registry::crates::PublishCommand {
            cargo: &cargo,
            workspace: context.directory(),
            package: name,
            registry: plan.registry.as_deref(),
            verify: plan.verify,
        });
        if let Err(error) = published {
            // A publish whose answer was lost, or another run's: the index says.
            if context.block_on(index.find(name, &plan.version))?.is_none() {
                return Err(error.into());
            }
        }
        let entry = context
            .block_on(index.wait_for(
                name,
                &plan.version,
                INDEX_TIMEOUT,
                Duration::from_millis(500),
            ))?
            .with_context(|| {
                format!(
                    "{name} {} was published, and the index {} does not list it after {} s",
                    plan.version,
                    index.url(),
                    INDEX_TIMEOUT.as_secs()
                )
            })?;
        done.push(PublishedCrate {
            name: name.clone(),
            version: plan.version.clone(),
            cksum: entry.cksum,
            published: true,
        });
    }
    Ok(done)
}

/// Reads each crate of `plan` from the registry's index: `(crate, what was found)`, `None` when
/// the index does not list the version.
pub(crate) fn check(
    context: &Context,
    plan: &CratesPlan,
) -> anyhow::Result<Vec<(String, Option<registry::crates::IndexEntry>)>> {
    let index = registry::crates::CrateIndex::new(index_url(context, plan.registry.as_deref())?);
    plan.crates
        .iter()
        .map(|name| {
            Ok((
                name.clone(),
                context.block_on(index.find(name, &plan.version))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, publish: Option<&[&str]>, depends_on: &[&str]) -> Member {
        Member {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            publish: publish.map(|list| list.iter().map(|&s| s.to_owned()).collect()),
            depends_on: depends_on.iter().map(|&s| s.to_owned()).collect(),
            from_crates_io: BTreeSet::new(),
        }
    }

    #[test]
    fn this_workspace_publishes_dependencies_first() {
        let members = [
            member(
                "slipway",
                None,
                &[
                    "slipway-versioning",
                    "slipway-changelog",
                    "slipway-gitops",
                    "slipway-registry",
                ],
            ),
            member("slipway-registry", None, &["slipway-versioning"]),
            member("slipway-gitops", None, &["slipway-versioning"]),
            member("slipway-changelog", None, &["slipway-versioning"]),
            member("slipway-versioning", None, &[]),
            member("xtask", Some(&[]), &["slipway", "slipway-versioning"]),
            member("slipway-tests", Some(&[]), &["slipway"]),
        ];
        assert_eq!(
            publish_order(&members, Some("local")).unwrap(),
            [
                "slipway-versioning",
                "slipway-changelog",
                "slipway-gitops",
                "slipway-registry",
                "slipway"
            ]
        );
    }

    #[test]
    fn registries_a_crate_may_not_go_to_and_cycles_are_refused() {
        let members = [
            member("app", Some(&["internal"]), &["core"]),
            member("core", Some(&["internal"]), &[]),
        ];
        assert_eq!(
            publish_order(&members, Some("internal")).unwrap(),
            ["core", "app"]
        );
        assert!(publish_order(&members, None).unwrap().is_empty());
        let lonely = [
            member("app", None, &["core"]),
            member("core", Some(&[]), &[]),
        ];
        let error = publish_order(&lonely, None).unwrap_err().to_string();
        assert!(
            error.contains("app depends on the workspace crate core"),
            "{error}"
        );
        let mut unmarked = member("app", None, &["core"]);
        unmarked.from_crates_io.insert("core".to_owned());
        let error = publish_order(&[unmarked, member("core", None, &[])], Some("internal"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("add `registry = \"internal\"`"), "{error}");
        let cycle = [member("a", None, &["b"]), member("b", None, &["a"])];
        let error = publish_order(&cycle, None).unwrap_err().to_string();
        assert!(error.contains("a, b depend on each other"), "{error}");
    }
}
