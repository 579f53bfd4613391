//! The commands: each module turns parsed arguments into domain values, calls the library crates and
//! prints the result.

use crate::args::{Cli, Command};

mod changelog;
pub(crate) mod oci;
pub(crate) mod pypi;
mod release;
mod version;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let context = Context::new(&cli.global)?;
    match cli.command {
        Command::Version(command) => version::run(&context, command),
        Command::Changelog(args) => changelog::changelog(&context, &args),
        Command::NextVersion(args) => changelog::next_version(&context, &args),
        Command::Publish(crate::args::PublishCommand::Oci(args)) => oci::publish(&context, &args),
        Command::Verify(crate::args::VerifyArgs {
            command: Some(crate::args::VerifyCommand::Oci(args)),
            ..
        }) => oci::verify(&args),
        Command::Publish(crate::args::PublishCommand::Pypi(args)) => pypi::publish(&context, &args),
        Command::Verify(crate::args::VerifyArgs {
            command: Some(crate::args::VerifyCommand::Pypi(args)),
            ..
        }) => pypi::verify(&context, &args),
        Command::Verify(crate::args::VerifyArgs {
            command: None,
            version,
        }) => release::verify(&context, version.as_deref().unwrap_or_default()),
        Command::Release(args) => release::release(&context, &args),
        Command::Hotfix(command) => release::hotfix(&context, command),
        Command::Rollback(args) => release::rollback(&context, &args),
        Command::Tag(crate::args::release::TagCommand::Delete(args)) => {
            release::tag_delete(&context, &args)
        }
        Command::Check(args) => release::check(&context, &args),
        Command::Init(args) => release::init(&context, &args),
        Command::Config(command) => release::config(&context, &command),
        Command::Yank(crate::args::YankCommand::Pypi(args)) => pypi::yank(&context, &args),
        Command::Retag(args) => oci::retag(&args),
        Command::Tags(args) => oci::tags(&args),
        Command::DeleteTag(args) => oci::delete_tag(&args),
    }
}

/// The bump policy of the project in the working directory (defaults when it has no configuration).
pub(crate) fn policy(context: &Context) -> anyhow::Result<versioning::Policy> {
    crate::project::Project::discover(&context.directory, None)?.policy()
}

/// What every command gets from the global options.
#[derive(Debug)]
pub struct Context {
    /// The directory slipway works in (`-C DIR`, or the current directory).
    pub directory: std::path::PathBuf,
}

impl Context {
    fn new(global: &crate::args::GlobalArgs) -> anyhow::Result<Self> {
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
        Ok(Self { directory })
    }
}
