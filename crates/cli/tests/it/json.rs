//! `--json`: every command that reports a result prints one JSON object with `schema_version` 1
//! on stdout (docs/json.md), and an error object with the same exit code when it fails.

use gitops::test_support::TestRepo;
use serde_json::Value;

use crate::support::{Run, slipway, slipway_in};
use crate::version::python_project;

/// Parses stdout as one JSON object and checks its schema version.
#[track_caller]
fn json(run: &Run) -> Value {
    let value: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}\n{}", run.stdout, run.stderr));
    assert_eq!(value["schema_version"], 1, "{value}");
    value
}

fn in_temp(args: &[&str], stdin: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    slipway_in(dir.path(), args, stdin)
}

#[test]
fn version_bump_convert_and_sort_print_their_result() {
    let bump = in_temp(
        &["version", "bump", "1.2.3", "minor", "--pre", "rc", "--json"],
        "",
    );
    let value = json(&bump);
    assert_eq!(bump.code, 0);
    assert_eq!(value["from"], "1.2.3");
    assert_eq!(value["level"], "minor");
    assert_eq!(value["pre"], "rc");
    assert_eq!(value["version"], "1.3.0-rc.1");
    assert_eq!(value["is_prerelease"], true);

    let convert = json(&in_temp(
        &[
            "version",
            "convert",
            "--to",
            "pep440",
            "1.2.0-rc.1",
            "--json",
        ],
        "",
    ));
    assert_eq!(
        (&convert["input"], &convert["scheme"], &convert["version"]),
        (&"1.2.0-rc.1".into(), &"pep440".into(), &"1.2.0rc1".into())
    );

    let sort = json(&in_temp(
        &["version", "sort", "--json"],
        "1.0.0-rc.10\n1.0.0\n1.0.0-rc.9\n",
    ));
    assert_eq!(
        sort["versions"],
        serde_json::json!(["1.0.0-rc.9", "1.0.0-rc.10", "1.0.0"])
    );
}

#[test]
fn version_set_and_check_print_the_files() {
    let dir = python_project();
    let dry = json(&slipway_in(
        dir.path(),
        &["version", "set", "1.3.0", "--dry-run", "--json"],
        "",
    ));
    assert_eq!(dry["dry_run"], true);
    let files = dry["files"].as_array().unwrap();
    let pyproject = files
        .iter()
        .find(|file| file["path"] == "pyproject.toml")
        .unwrap();
    assert_eq!(pyproject["written"], false);
    assert!(
        pyproject["diff"]
            .as_str()
            .unwrap()
            .contains("+version = \"1.3.0\""),
        "{pyproject}"
    );

    let written = json(&slipway_in(
        dir.path(),
        &["version", "set", "1.3.0", "--json"],
        "",
    ));
    assert!(
        written["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|file| file["written"] == true)
    );

    let check = slipway_in(dir.path(), &["version", "check", "--json"], "");
    assert_eq!(check.code, 0, "{}", check.stderr);
    let value = json(&check);
    assert_eq!(
        (&value["ok"], &value["version"]),
        (&true.into(), &"1.3.0".into())
    );
    assert!(value["files"].as_array().unwrap().len() >= 2, "{value}");

    // A mismatch: the JSON says what, and the exit code is still 1.
    let mismatch = slipway_in(
        dir.path(),
        &["version", "check", "--tag", "v1.4.0", "--json"],
        "",
    );
    assert_eq!(mismatch.code, 1, "{}", mismatch.stderr);
    let value = json(&mismatch);
    assert_eq!(value["ok"], false);
    assert!(
        value["problems"][0]
            .as_str()
            .unwrap()
            .contains("Version mismatch"),
        "{value}"
    );
}

#[test]
fn an_error_is_a_json_object_with_the_same_exit_code() {
    let run = in_temp(&["version", "bump", "1.2", "minor", "--json"], "");
    assert_eq!(run.code, 2);
    let value = json(&run);
    assert_eq!(value["error"]["exit_code"], 2);
    assert!(
        value["error"]["message"].as_str().unwrap().contains("1.2"),
        "{value}"
    );
    // The human line on stderr is the same as without --json.
    let plain = in_temp(&["version", "bump", "1.2", "minor"], "");
    assert_eq!(run.stderr, plain.stderr);
    assert_eq!(plain.stdout, "");
}

#[test]
fn next_version_and_lint_commits_print_json() {
    let repo = TestRepo::new();
    repo.commit("feat: the first feature").tag("v1.0.0");
    repo.commit("fix: a bug");
    let next = json(&slipway(&repo, &["next-version", "--json"]));
    assert_eq!(
        (&next["current"], &next["next"]),
        (&"1.0.0".into(), &"1.0.1".into())
    );

    let clean = slipway(&repo, &["lint-commits", "--json"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(json(&clean)["ok"], true);
    repo.commit("updated stuff");
    let bad = slipway(&repo, &["lint-commits", "--json"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    let value = json(&bad);
    assert_eq!(value["ok"], false);
    let offences = value["offences"].as_array().unwrap();
    assert_eq!(offences.len(), 1, "{value}");
    assert_eq!(offences[0]["commit"].as_str().unwrap().len(), 40);
}

#[test]
fn the_release_commands_print_json() {
    let repo = crate::release::python_project();
    let released = json(&slipway(&repo, &["release", "--no-publish", "--json"]));
    assert_eq!(
        (&released["version"], &released["tag"]),
        (&"1.0.0".into(), &"v1.0.0".into())
    );
    let check = slipway(&repo, &["check", "--json"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let value = json(&check);
    assert_eq!(
        (&value["ok"], &value["problems"]),
        (&true.into(), &serde_json::json!([]))
    );
    assert!(!value["files"].as_array().unwrap().is_empty(), "{value}");

    repo.commit("feat: more").push();
    let plan = json(&slipway(&repo, &["release", "--dry-run", "--json"]));
    assert_eq!(plan["version"], "1.1.0");

    let shown = json(&slipway(&repo, &["config", "show", "--json"]));
    assert!(shown["source"].is_string(), "{shown}");
    assert!(shown["config"].is_object(), "{shown}");

    let dry = json(&slipway(
        &repo,
        &["tag", "delete", "v1.0.0", "--dry-run", "--json"],
    ));
    assert_eq!(
        (&dry["local"], &dry["dry_run"]),
        (&true.into(), &true.into())
    );
    assert_eq!(repo.git(&["tag", "-l", "v1.0.0"]), "v1.0.0\n");

    let started = json(&slipway(&repo, &["hotfix", "start", "v1.0.0", "--json"]));
    assert_eq!(started["branch"], "hotfix/1.0.1");
    assert_eq!(started["version"], "1.0.1");
    assert_eq!(started["created"], true);

    let workflows = json(&slipway(
        &repo,
        &["init", "--github-actions", "--dry-run", "--json"],
    ));
    assert_eq!(workflows["written"], serde_json::json!([]));
    assert_eq!(workflows["workflows"].as_array().unwrap().len(), 2);
    let written = json(&slipway(&repo, &["init", "--json"]));
    assert!(
        written["written"][0]
            .as_str()
            .unwrap()
            .ends_with("slipway.toml")
    );
}

/// The commands that print something other than a result, each with why; every other command
/// must take `--json`, so that a new command cannot forget it.
const WITHOUT_JSON: &[(&str, &str)] = &[
    ("slipway changelog", "--format json is its JSON"),
    ("slipway config schema", "prints a JSON Schema"),
    ("slipway completions", "prints a shell script"),
    ("slipway man", "prints a man page"),
];

#[test]
fn every_command_that_reports_a_result_takes_json() {
    let mut pending = vec![(
        "slipway".to_owned(),
        <slipway::cli::args::Cli as clap::CommandFactory>::command(),
    )];
    let mut missing = Vec::new();
    let mut checked = 0;
    while let Some((name, command)) = pending.pop() {
        let takes_json = command
            .get_arguments()
            .any(|arg| arg.get_long() == Some("json"));
        // A group without arguments of its own (`version`, `publish`) is not run by itself.
        let runs = command.get_subcommands().next().is_none()
            || command.get_positionals().next().is_some();
        if runs {
            checked += 1;
            let exempt = WITHOUT_JSON.iter().any(|(exempt, _)| *exempt == name);
            if !takes_json && !exempt {
                missing.push(name.clone());
            }
            assert!(
                !(takes_json && exempt),
                "{name} takes --json: remove it from WITHOUT_JSON"
            );
        }
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" {
                pending.push((format!("{name} {}", sub.get_name()), sub.clone()));
            }
        }
    }
    assert!(missing.is_empty(), "commands without --json: {missing:?}");
    assert!(checked > 25, "only {checked} commands walked");
}
