//! The process environment and the clock, injected.
//!
//! Nothing in the `slipway` library below the presentation layer reads `std::env` or the system
//! clock: it asks an [`Environment`], which the command line builds once from the process
//! ([`ProcessEnvironment`]) and a test or an embedding tool builds from fixed values
//! ([`FixedEnvironment`]). That keeps every lookup order (credentials, `SOURCE_DATE_EPOCH`, the
//! failure-injection variables) in one visible place and testable without touching the process.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What the library may ask of the world outside the repository: variables, the home directory,
/// and today's date.
pub trait Environment: Send + Sync + std::fmt::Debug {
    /// The variable `name`, if it is set and not empty.
    fn var(&self, name: &str) -> Option<String>;

    /// The user's home directory.
    fn home(&self) -> Option<PathBuf>;

    /// Seconds since the Unix epoch, now.
    fn now_unix(&self) -> i64;

    /// Today, in UTC; `SOURCE_DATE_EPOCH` overrides the clock for reproducible output.
    fn today(&self) -> changelog::Date {
        let seconds = self
            .var("SOURCE_DATE_EPOCH")
            .and_then(|value| value.trim().parse::<i64>().ok())
            .unwrap_or_else(|| self.now_unix());
        changelog::Date::from_unix(seconds, 0)
    }

    /// Whether the variable is set to something other than `false` or `0` (as CI systems set `CI`).
    fn flag(&self, name: &str) -> bool {
        self.var(name)
            .is_some_and(|value| value != "false" && value != "0")
    }
}

/// The real process environment and system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        std::env::var_os("HOME").map(PathBuf::from)
    }

    fn now_unix(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
            })
    }
}

/// Fixed variables, home and time, for tests and for tools that embed slipway and decide what it
/// may see.
#[derive(Debug, Clone, Default)]
pub struct FixedEnvironment {
    /// The variables.
    pub vars: BTreeMap<String, String>,
    /// The home directory.
    pub home: Option<PathBuf>,
    /// Seconds since the Unix epoch.
    pub now_unix: i64,
}

impl FixedEnvironment {
    /// An environment with these variables, no home directory, at the epoch.
    pub fn with_vars<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> FixedEnvironment {
        FixedEnvironment {
            vars: vars
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            ..FixedEnvironment::default()
        }
    }
}

impl Environment for FixedEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .filter(|value| !value.is_empty())
            .cloned()
    }

    fn home(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn now_unix(&self) -> i64 {
        self.now_unix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_overrides_the_clock() {
        let mut env = FixedEnvironment::with_vars([("SOURCE_DATE_EPOCH", "1763683200")]);
        env.now_unix = 0;
        assert_eq!(env.today().to_string(), "2025-11-21");
        env.vars.clear();
        assert_eq!(env.today().to_string(), "1970-01-01");
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let env = FixedEnvironment::with_vars([("CI", ""), ("GITHUB_ACTIONS", "true")]);
        assert_eq!(env.var("CI"), None);
        assert!(!env.flag("CI"));
        assert!(env.flag("GITHUB_ACTIONS"));
    }
}
