//! The commands: each module turns parsed arguments into domain values, calls the library crates and
//! prints the result.

use crate::cli::args::{Cli, Command};

mod changelog;
pub(crate) mod oci;
mod packages;
pub(crate) mod pypi;
mod release;
mod tooling;
mod version;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let context = Context::new(&cli.global)?;
    match cli.command {
        Command::Version(command) => version::run(&context, command),
        Command::Changelog(args) => changelog::changelog(&context, &args),
        Command::NextVersion(args) => changelog::next_version(&context, &args),
        Command::Publish(crate::cli::args::PublishCommand::Oci(args)) => {
            oci::publish(&context, &args)
        }
        Command::Verify(crate::cli::args::VerifyArgs {
            command: Some(crate::cli::args::VerifyCommand::Oci(args)),
            ..
        }) => oci::verify(&context, &args),
        Command::Publish(crate::cli::args::PublishCommand::Pypi(args)) => {
            pypi::publish(&context, &args)
        }
        Command::Verify(crate::cli::args::VerifyArgs {
            command: Some(crate::cli::args::VerifyCommand::Pypi(args)),
            ..
        }) => pypi::verify(&context, &args),
        Command::Verify(crate::cli::args::VerifyArgs {
            command: None,
            version,
            timeout,
            package,
            output,
        }) => release::verify(
            &context,
            version.as_deref().unwrap_or_default(),
            package.as_deref(),
            timeout,
            output.json,
        ),
        Command::Release(args) => release::release(&context, &args),
        Command::Packages(args) => packages::list(&context, &args),
        Command::Change(crate::cli::args::ChangeCommand::Add(args)) => {
            packages::change_add(&context, &args)
        }
        Command::Hotfix(command) => release::hotfix(&context, command),
        Command::Rollback(args) => release::rollback(&context, &args),
        Command::Tag(crate::cli::args::release::TagCommand::Delete(args)) => {
            release::tag_delete(&context, &args)
        }
        Command::Check(args) => release::check(&context, &args),
        Command::Init(args) => release::init(&context, &args),
        Command::Config(command) => release::config(&context, &command),
        Command::LintCommits(args) => tooling::lint_commits(&context, &args),
        Command::Completions(args) => tooling::completions(&args),
        Command::Man(args) => tooling::man(&context, &args),
        Command::Yank(crate::cli::args::YankCommand::Pypi(args)) => pypi::yank(&context, &args),
        Command::Retag(args) => oci::retag(&context, &args),
        Command::Tags(args) => oci::tags(&context, &args),
        Command::DeleteTag(args) => oci::delete_tag(&context, &args),
    }
}

/// The bump policy of the project in the working directory (defaults when it has no configuration).
pub(crate) fn policy(context: &Context) -> anyhow::Result<versioning::Policy> {
    crate::project::Project::discover(&context.directory, None)?.policy()
}

/// What every command gets from the global options and the process.
#[derive(Debug)]
pub struct Context {
    /// The directory slipway works in (`-C DIR`, or the current directory).
    pub directory: std::path::PathBuf,
    /// The process environment, read here once and passed down.
    pub env: std::sync::Arc<dyn crate::env::Environment>,
    /// `--quiet`: no progress lines or bars.
    pub quiet: bool,
}

impl Context {
    fn new(global: &crate::cli::args::GlobalArgs) -> anyhow::Result<Self> {
        let directory = match &global.directory {
            Some(directory) => directory.clone(),
            None => std::env::current_dir()
                .map_err(|error| anyhow::anyhow!("cannot read the current directory: {error}"))?,
        };
        if !directory.is_dir() {
            return Err(crate::bad_input(anyhow::anyhow!(
                "{} is not a directory (from -C)",
                directory.display()
            )));
        }
        Ok(Self {
            directory,
            env: std::sync::Arc::new(crate::env::ProcessEnvironment),
            quiet: global.quiet,
        })
    }

    /// The release context of the project here: configuration, repository, targets, runtime.
    pub(crate) fn release(&self) -> anyhow::Result<crate::context::Context> {
        let mut context =
            crate::context::Context::open(&self.directory, None, std::sync::Arc::clone(&self.env))?;
        context.transfers = std::sync::Arc::new(self.bars());
        Ok(context)
    }

    /// Progress bars for the uploads, drawn when someone watches (see [`crate::cli::progress`]).
    pub(crate) fn bars(&self) -> crate::cli::progress::Bars {
        crate::cli::progress::Bars::new(crate::cli::progress::shown_here(
            self.quiet,
            self.env.as_ref(),
        ))
    }
}
