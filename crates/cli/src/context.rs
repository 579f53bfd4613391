//! The release context: everything a run needs, built once.
//!
//! A [`Context`] holds the project (its configuration and version files), the repository, the
//! injected [`Environment`], the one async runtime of the run, and the resolved publish
//! [`Targets`], and where the uploads report their progress ([`Transfers`]). The plan, the preflight, the steps, `verify` and `rollback` take it by reference; none
//! of them opens the repository again, reads a variable, or starts a runtime of its own.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;

use crate::env::Environment;
use crate::project::Project;
use crate::targets::Targets;

/// One run's view of the world.
#[derive(Debug)]
pub struct Context {
    /// The project.
    pub project: Project,
    /// Its repository.
    pub repository: gitops::Repository,
    /// Variables, home, clock.
    pub env: Arc<dyn Environment>,
    /// Where the release publishes.
    pub targets: Targets,
    /// Where the uploads report their progress (nowhere, unless the caller draws it).
    pub transfers: Arc<dyn Transfers>,
    /// Shared with the contexts of the packages ([`Context::for_package`]).
    runtime: Arc<tokio::runtime::Runtime>,
}

/// Progress of the uploads a run makes: the steps report, the caller draws (or not).
///
/// Each method gives the hook of one upload; the registry clients call it as bytes move.
pub trait Transfers: Send + Sync + std::fmt::Debug {
    /// The files uploaded to a Python index.
    fn pypi(&self) -> Arc<dyn registry::pypi::Progress> {
        Arc::new(registry::pypi::NoProgress)
    }
    /// The push of one image to `repository`.
    fn oci(&self, _repository: &str) -> Arc<dyn registry::oci::Progress> {
        Arc::new(registry::oci::NoProgress)
    }
    /// The assets uploaded to a GitHub Release.
    fn github(&self) -> Arc<dyn registry::github::Progress> {
        Arc::new(registry::github::NoProgress)
    }
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTransfers;

impl Transfers for NoTransfers {}

impl Context {
    /// The context of the project in `directory` (its configuration file `config`, or the one
    /// found there).
    pub fn open(
        directory: &Path,
        config: Option<&Path>,
        env: Arc<dyn Environment>,
    ) -> anyhow::Result<Context> {
        let project = Project::discover(directory, config)?;
        let repository = open_repository(directory)?;
        let targets = Targets::resolve(&project, &repository, env.as_ref())?;
        Ok(Context {
            project,
            repository,
            env,
            targets,
            transfers: Arc::new(NoTransfers),
            runtime: Arc::new(runtime()?),
        })
    }

    /// The context of one package of a repository that releases several: the package as the
    /// project (its directory, tags, settings) and its own publish targets, with this run's
    /// environment, runtime and progress.
    pub fn for_package(&self, package: &crate::packages::Package) -> anyhow::Result<Context> {
        let repository = open_repository(&package.project.directory)?;
        let targets = Targets::resolve(&package.project, &repository, self.env.as_ref())
            .with_context(|| format!("the publish targets of package {}", package.name))?;
        Ok(Context {
            project: package.project.clone(),
            repository,
            env: Arc::clone(&self.env),
            targets,
            transfers: Arc::clone(&self.transfers),
            runtime: Arc::clone(&self.runtime),
        })
    }

    /// Runs a future to completion on the run's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The project directory.
    pub fn directory(&self) -> &Path {
        &self.project.directory
    }
}

/// Opens the repository that contains `directory`.
pub fn open_repository(directory: &Path) -> anyhow::Result<gitops::Repository> {
    gitops::Repository::open(directory)
        .with_context(|| format!("cannot open a git repository at {}", directory.display()))
        .map_err(crate::bad_input)
}

/// The async runtime of a run: two workers, the machine's size (uploads are I/O bound).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
