//! `--json`: one JSON object on stdout per command, with `"schema_version": 1` (docs/json.md).
//!
//! A result is printed with [`print`]. An error of a command run with `--json` is printed by
//! [`error`] as `{"schema_version": 1, "error": {…}}` on stdout, with the same exit code and the
//! same `error:` line on stderr as without it.

use std::io::Write as _;

/// The version of every `--json` schema; a field removed or changing meaning bumps it.
pub const SCHEMA_VERSION: u64 = 1;

/// Prints `result` (a JSON object) with `schema_version` on stdout.
pub(crate) fn print(result: serde_json::Value) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{}",
        serde_json::to_string_pretty(&with_schema(result))?
    )?;
    Ok(())
}

/// `value` with `"schema_version": 1` added, when it is an object.
pub(crate) fn with_schema(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(object) = value.as_object_mut() {
        object.insert("schema_version".to_owned(), SCHEMA_VERSION.into());
    }
    value
}

/// The JSON object of a failed command: the message, each cause, the exit code.
pub(crate) fn error(error: &anyhow::Error, exit_code: u8) -> serde_json::Value {
    with_schema(serde_json::json!({
        "error": {
            "message": error.to_string(),
            "causes": error.chain().skip(1).map(ToString::to_string).collect::<Vec<_>>(),
            "exit_code": exit_code,
        }
    }))
}

/// Whether the command line asked for `--json` (the innermost subcommand's flag).
pub(crate) fn requested(matches: &clap::ArgMatches) -> bool {
    let mut current = matches;
    while let Some((_, sub)) = current.subcommand() {
        current = sub;
    }
    current
        .try_get_one::<bool>("json")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_error_object_carries_the_chain_and_the_exit_code() {
        let error = anyhow::anyhow!("the cause").context("what failed");
        let value = super::error(&error, 2);
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["error"]["message"], "what failed");
        assert_eq!(value["error"]["causes"][0], "the cause");
        assert_eq!(value["error"]["exit_code"], 2);
    }
}
