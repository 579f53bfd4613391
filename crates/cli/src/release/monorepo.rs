//! The plan of a release of several packages (see [`crate::packages`]).
//!
//! Each package is decided as a project of its own: the commits that touch its directory since
//! its last tag, and the change files that name it. A package whose requirement on a released
//! package must follow it (an exact pin, or one that no longer admits the new version) is
//! released too, at least as a patch, with a `Dependencies` line naming the bump; that repeats
//! until nothing more moves. The packages are planned in dependency order, with one commit, one
//! tag each and one push.

use std::collections::BTreeMap;

use anyhow::Context as _;
use versioning::{Level, Version};

use super::journal::Journal;
use super::plan::{
    BumpChoice, ChangeRewrite, DependencyBump, NextVersion, PackagePlan, Plan, PlanKind, Publish,
    Request, StepNeeds, add_entries, decide_next, notes_as_filed, release_notes,
};
use crate::bad_input;
use crate::context::Context;
use crate::packages::Package;

/// The plan of a release of `packages`.
pub(super) fn build(
    context: &Context,
    request: &Request,
    packages: &[Package],
    bump: BumpChoice,
    pre: Option<&str>,
) -> anyhow::Result<Plan> {
    let project = &context.project;
    let repository = &context.repository;
    for selected in &request.packages {
        crate::packages::find(packages, selected)?;
    }
    let names: Vec<String> = packages
        .iter()
        .map(|package| package.name.clone())
        .collect();
    let changes = crate::changes::read(&project.directory, &names)?;
    let today = request.date.unwrap_or_else(|| context.env.today());
    let requirements = crate::packages::requirements(project, packages)?;
    let graph = crate::packages::graph(&requirements);
    let order = versioning::dependencies::dependency_order(&graph).map_err(|cycle| {
        bad_input(anyhow::anyhow!(
            "the packages {} require each other in a cycle, so none can be released first",
            cycle.join(", ")
        ))
    })?;
    let decide = |package: &Package, choice: BumpChoice, floor: Option<Level>| {
        let level = crate::changes::level(&changes, &package.name).max(floor);
        decide_next(
            &package.project,
            repository,
            choice,
            pre,
            &[],
            Some(today),
            level,
        )
    };
    let mut decided: BTreeMap<String, NextVersion> = BTreeMap::new();
    for package in packages {
        let selected = request.packages.contains(&package.name);
        if !request.packages.is_empty() && !selected {
            continue;
        }
        let mut next = decide(package, BumpChoice::Auto, None)?;
        if let BumpChoice::Level(_) = bump {
            if next.next.is_some() || selected {
                next = decide(package, bump, None)?;
            }
        }
        if next.next.is_some() {
            decided.insert(package.name.clone(), next);
        }
    }
    if decided.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "no package has changes that call for a release ({}): name the level and the package, e.g. `slipway release patch --package {}`, or write a change file with `slipway change add`",
            if request.packages.is_empty() {
                "no commit since each package's last tag calls for one, and no change file names one"
            } else {
                "in the packages asked for"
            },
            request.packages.first().unwrap_or(&names[0])
        )));
    }
    // The dependents that must follow, until nothing more moves.
    let mut bumps: BTreeMap<String, Vec<DependencyBump>> = BTreeMap::new();
    loop {
        let released = released_versions(&decided);
        let mut grew = false;
        for package in packages {
            let Some(ecosystem) = package
                .manifest
                .as_ref()
                .and_then(|(_, kind)| versioning::files::ecosystem(kind))
            else {
                continue;
            };
            for (dependency, requirement) in &requirements[&package.name] {
                let Some(version) = released.get(dependency) else {
                    continue;
                };
                let follows = versioning::dependencies::rewrite(ecosystem, requirement, version)
                    .with_context(|| {
                        format!(
                            "{}: the requirement on {dependency}",
                            package
                                .manifest
                                .as_ref()
                                .map_or_else(String::new, |(path, _)| path.display().to_string())
                        )
                    })
                    .map_err(bad_input)?
                    .is_some();
                if !follows {
                    continue;
                }
                let list = bumps.entry(package.name.clone()).or_default();
                if !list.iter().any(|bump| bump.name == *dependency) {
                    list.push(DependencyBump {
                        name: dependency.clone(),
                        version: version.clone(),
                    });
                }
                if !decided.contains_key(&package.name) {
                    let next = decide(package, BumpChoice::Auto, Some(Level::Patch))?;
                    if next.next.is_some() {
                        decided.insert(package.name.clone(), next);
                        grew = true;
                    }
                }
            }
        }
        if !grew {
            break;
        }
    }
    let date = today;
    if !request.no_publish && !project.config.oci.is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "[oci] is set at the top level, and this repository releases several packages: an image belongs to one package, so move its table into that package's entry ([[packages]] path = \"…\", then [[packages.oci]])"
        )));
    }
    let mut needs = StepNeeds::of(&project.config.hooks, &Publish::default());
    let mut planned = Vec::new();
    let mut change_files = Vec::new();
    for name in &order {
        let Some(next) = decided.get(name) else {
            continue;
        };
        let package = crate::packages::find(packages, name)?;
        let (Some(version), Some(tag)) = (next.next.clone(), next.next_tag.clone()) else {
            continue;
        };
        if next.existing.contains(&version)
            || repository
                .find_tag(&tag)
                .context("cannot read the tags")?
                .is_some()
        {
            return Err(bad_input(anyhow::anyhow!(
                "{name} {version} is already released (tag {tag}), and a released version is never made again"
            )));
        }
        let (mut block, notes) = release_notes(&package.project, repository, &version, &tag, date)?;
        let consumed = crate::changes::for_package(&changes, name);
        let entries: Vec<(Level, String)> = consumed
            .iter()
            .filter_map(|change| Some((change.level_for(name)?, change.file.entry())))
            .collect();
        for change in &consumed {
            if !change_files.contains(&change.path) {
                change_files.push(change.path.clone());
            }
        }
        let dependencies = bumps.remove(name).unwrap_or_default();
        let added = add_entries(&mut block, &entries, &dependencies);
        let notes = notes_as_filed(&package.project, &version, &block, notes, added)?;
        let publish = if request.no_publish {
            Publish::default()
        } else {
            package_publish(context, package, &version, &next.existing)?
        };
        needs = needs.and(StepNeeds::of(&package.project.config.hooks, &publish));
        let version_files = crate::version_files::load(&package.project)?
            .into_iter()
            .map(|file| package.project_path(&file.path))
            .collect();
        planned.push(PackagePlan {
            name: name.clone(),
            path: package.path.clone(),
            title: format!("{name} {version}"),
            previous_version: next.current.clone(),
            previous_tag: next.current_tag.clone(),
            reason: next.reason.clone().unwrap_or_else(|| "explicit".to_owned()),
            version_files,
            changelog_path: package.project_path(&package.project.config.changelog.path),
            changelog: block,
            notes,
            dependencies,
            publish,
            version,
            tag,
        });
    }
    // A change file that names a package not released now stays for it, without the lines of
    // the packages released.
    let mut change_rewrites = Vec::new();
    change_files.retain(|path| {
        let Some(change) = changes.iter().find(|change| change.path == *path) else {
            return true;
        };
        let mut rest = change.file.clone();
        rest.levels.retain(|name, _| {
            !planned
                .iter()
                .any(|package: &PackagePlan| package.name == *name)
        });
        if rest.levels.is_empty() {
            return true;
        }
        change_rewrites.push(ChangeRewrite {
            path: path.clone(),
            text: rest.render(),
        });
        false
    });
    let released = released_versions(&decided);
    let mut version_files: Vec<std::path::PathBuf> = Vec::new();
    for path in planned
        .iter()
        .flat_map(|package| package.version_files.iter().cloned())
        .chain(
            crate::version_files::plan_packages(project, packages, &released)?
                .into_iter()
                .map(|edit| edit.path),
        )
    {
        if !version_files.contains(&path) {
            version_files.push(path);
        }
    }
    let first = planned.first().context("nothing planned")?.clone();
    let summary = planned
        .iter()
        .map(|package| format!("{} {}", package.name, package.version))
        .collect::<Vec<_>>()
        .join(", ");
    let kind = PlanKind::Release;
    let steps = super::plan::steps(&needs, request.no_publish, &kind);
    Ok(Plan {
        kind,
        version: first.version.clone(),
        tag: first.tag.clone(),
        previous_version: first.previous_version.clone(),
        previous_tag: first.previous_tag.clone(),
        reason: first.reason.clone(),
        branch: super::plan::release_branch(context)?,
        remote: project.config.git.remote.clone(),
        base_commit: super::plan::head_commit(repository)?,
        commit_message: crate::config::RELEASE_COMMIT_TEMPLATE.replace("{version}", &summary),
        version_files,
        changelog_path: first.changelog_path.clone(),
        changelog: first.changelog.clone(),
        notes: first.notes.clone(),
        title: first.title.clone(),
        sign_tag: project.config.git.sign_tags,
        publish: Publish::default(),
        steps,
        config: project.config.clone(),
        change_files,
        change_rewrites,
        packages: planned,
    })
}

/// The plan of a hotfix of one package (`slipway hotfix finish` on `hotfix/core-1.1.1`): the
/// package's release as a hotfix of its own ([`super::plan::hotfix`], seen from the package),
/// carried as a release of that one package, so that its files are the package's and it
/// publishes to the package's targets. Its dependents are not released: their requirements stay
/// as they are on the hotfix branch.
pub(super) fn hotfix(
    context: &Context,
    request: &Request,
    packages: &[Package],
    cherry_pick_to: &[String],
) -> anyhow::Result<Plan> {
    let branch = context
        .repository
        .current_branch()
        .context("a hotfix is released from its branch")?;
    let Some(package) = packages.iter().find(|package| {
        package
            .project
            .config
            .git
            .hotfix_branch
            .parse(&branch)
            .is_some()
    }) else {
        return Err(bad_input(anyhow::anyhow!(
            "{branch} is not the hotfix branch of a package ({}): start one with `slipway hotfix start TAG`, which creates it from the package's release",
            packages
                .iter()
                .map(|package| package.project.config.git.hotfix_branch.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let package_context = context.for_package(package)?;
    let planned = super::plan::hotfix(&package_context, cherry_pick_to.to_vec())?;
    let own = super::plan::with(&package_context, planned, request, Vec::new())?;
    if let PlanKind::Hotfix { base_tag, .. } = &own.kind {
        warn_foreign_commits(context, package, base_tag, cherry_pick_to)?;
    }
    let planned = PackagePlan {
        name: package.name.clone(),
        path: package.path.clone(),
        version: own.version.clone(),
        tag: own.tag.clone(),
        previous_version: own.previous_version.clone(),
        previous_tag: own.previous_tag.clone(),
        reason: own.reason.clone(),
        version_files: own
            .version_files
            .iter()
            .map(|path| package.project_path(path))
            .collect(),
        changelog_path: package.project_path(&own.changelog_path),
        changelog: own.changelog.clone(),
        notes: own.notes.clone(),
        title: own.title.clone(),
        dependencies: Vec::new(),
        publish: own.publish.clone(),
    };
    let needs = StepNeeds::of(&context.project.config.hooks, &Publish::default()).and(
        StepNeeds::of(&package.project.config.hooks, &planned.publish),
    );
    let steps = super::plan::steps(&needs, request.no_publish, &own.kind);
    Ok(Plan {
        commit_message: crate::config::RELEASE_COMMIT_TEMPLATE.replace(
            "{version}",
            &format!("{} {}", planned.name, planned.version),
        ),
        version_files: planned.version_files.clone(),
        changelog_path: planned.changelog_path.clone(),
        publish: Publish::default(),
        steps,
        config: context.project.config.clone(),
        packages: vec![planned],
        ..own
    })
}

/// Says which commits on a package's hotfix branch touch nothing of the package: the hotfix
/// does not release them, and `--cherry-pick-to` carries them along.
fn warn_foreign_commits(
    context: &Context,
    package: &Package,
    base_tag: &str,
    cherry_pick_to: &[String],
) -> anyhow::Result<()> {
    let range = gitops::Range::head().exclude(base_tag.to_owned());
    let all = context
        .repository
        .commits(&range, &gitops::HistoryOptions::default())
        .context("cannot list the hotfix branch's commits")?;
    let own: Vec<gitops::CommitId> = context
        .repository
        .commits(
            &range,
            &gitops::HistoryOptions {
                paths: gitops::PathFilter::new([package.history_path()]),
                ..gitops::HistoryOptions::default()
            },
        )
        .context("cannot list the hotfix branch's commits")?
        .into_iter()
        .map(|commit| commit.id)
        .collect();
    for commit in all.iter().filter(|commit| !own.contains(&commit.id)) {
        tracing::warn!(
            "{} \"{}\" touches nothing of {}: this hotfix does not release it{}",
            commit.id.short(),
            commit.summary(),
            package.name,
            if cherry_pick_to.is_empty() {
                String::new()
            } else {
                format!(
                    ", and it is cherry-picked onto {} with the fix",
                    cherry_pick_to.join(", ")
                )
            }
        );
    }
    Ok(())
}

fn released_versions(decided: &BTreeMap<String, NextVersion>) -> BTreeMap<String, Version> {
    decided
        .iter()
        .filter_map(|(name, next)| Some((name.clone(), next.next.clone()?)))
        .collect()
}

/// Where `package` publishes `version`: its targets, as a release of its own would; a crate of
/// a Cargo workspace publishes itself only (the other members are packages of their own).
fn package_publish(
    context: &Context,
    package: &Package,
    version: &Version,
    released: &[Version],
) -> anyhow::Result<Publish> {
    let package_context = context.for_package(package)?;
    let mut publish = super::plan::publish(&package_context, version, released)?;
    if let Some(crates) = &mut publish.crates {
        let own = package.manifest_name(&context.project.directory);
        crates.crates.retain(|name| Some(name) == own.as_ref());
        if crates.crates.is_empty() {
            return Err(bad_input(anyhow::anyhow!(
                "[cargo] publish = true, and the crate of package {} may not be published to {} (`publish = false`, or other registries, in its Cargo.toml): set `[cargo] publish = false`, or allow it",
                package.name,
                crates.registry_name()
            )));
        }
    }
    Ok(publish)
}

/// One package of a release of several, as a release of its own.
pub(super) struct PackagePart {
    /// Its name.
    pub(super) name: String,
    /// The package as the project, with its own targets.
    pub(super) context: Context,
    /// Its part of the plan and of the steps' outputs ([`Journal::for_package`]).
    pub(super) journal: Journal,
}

/// The packages of `journal`'s release, in publishing order.
pub(super) fn parts(context: &Context, journal: &Journal) -> anyhow::Result<Vec<PackagePart>> {
    let packages = crate::packages::discover(&context.project)?;
    journal
        .plan
        .packages
        .iter()
        .map(|planned| {
            let package = crate::packages::find(&packages, &planned.name)?;
            Ok(PackagePart {
                name: planned.name.clone(),
                context: context.for_package(package)?,
                journal: journal
                    .for_package(&planned.name)
                    .with_context(|| format!("{} is not in the plan", planned.name))?,
            })
        })
        .collect()
}
