//! Tidy: checks the workspace's architecture invariants as part of `cargo test`.
//!
//! Invariant 1 of ARCHITECTURE.md: `versioning` and `changelog` do no I/O. This test fails if either
//! depends (directly or through any dependency, dev-dependencies included) on git2, reqwest, tokio
//! or oci-client, or if their sources name the standard library's I/O modules.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const PURE_CRATES: &[(&str, &str)] = &[
    ("slipway-versioning", "crates/versioning"),
    ("slipway-changelog", "crates/changelog"),
];

const FORBIDDEN_PACKAGES: &[&str] = &[
    "git2",
    "libgit2-sys",
    "gix-odb",
    "gix-pack",
    "reqwest",
    "hyper",
    "tokio",
    "oci-client",
];

/// Source patterns that mean I/O: the file system, the environment, processes, sockets, the clock.
const FORBIDDEN_SOURCE: &[&str] = &[
    r"\bstd::(fs|env|net|process)\b",
    r"\buse\s+std::\{[^}]*\b(fs|env|net|process)\b",
    r"\b(SystemTime|Instant)::now\b",
    r"\bfs_err\b",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Package name → names of its dependencies, from Cargo.lock (which lists every kind of dependency).
fn lock_graph() -> HashMap<String, Vec<String>> {
    let text = fs_err::read_to_string(workspace_root().join("Cargo.lock")).unwrap();
    let lock: toml_edit::DocumentMut = text.parse().unwrap();
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    for package in lock["package"].as_array_of_tables().unwrap() {
        let name = package["name"].as_str().unwrap().to_owned();
        let dependencies: Vec<String> = package
            .get("dependencies")
            .and_then(|value| value.as_array())
            .map(|array| {
                array
                    .iter()
                    // Entries are "name" or "name version" when several versions are locked.
                    .filter_map(|entry| entry.as_str()?.split(' ').next().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        graph.entry(name).or_default().extend(dependencies);
    }
    graph
}

fn closure(graph: &HashMap<String, Vec<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root.to_owned()];
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone()) {
            stack.extend(graph.get(&name).into_iter().flatten().cloned());
        }
    }
    seen
}

#[test]
fn pure_crates_depend_on_no_io_library() {
    let graph = lock_graph();
    for (package, _) in PURE_CRATES {
        assert!(
            graph.contains_key(*package),
            "{package} is not in Cargo.lock"
        );
        let reached = closure(&graph, package);
        let bad: Vec<&&str> = FORBIDDEN_PACKAGES
            .iter()
            .filter(|forbidden| reached.contains(**forbidden))
            .collect();
        assert!(
            bad.is_empty(),
            "{package} must do no I/O (ARCHITECTURE.md, invariant 1) but depends on {bad:?}"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn pure_crates_touch_no_file_system_environment_or_clock() {
    let patterns: Vec<regex::Regex> = FORBIDDEN_SOURCE
        .iter()
        .map(|pattern| regex::Regex::new(pattern).unwrap())
        .collect();
    let mut offences = Vec::new();
    for (_, dir) in PURE_CRATES {
        let mut files = Vec::new();
        rust_files(&workspace_root().join(dir).join("src"), &mut files);
        assert!(!files.is_empty(), "no sources found under {dir}/src");
        for file in files {
            let text = fs_err::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if patterns.iter().any(|pattern| pattern.is_match(code)) {
                    offences.push(format!(
                        "{}:{}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "versioning and changelog must do no I/O (ARCHITECTURE.md, invariant 1):\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_source_scan_catches_io() {
    // The scan above must be able to fail: each pattern catches the use it is meant to catch.
    let samples = [
        "let text = std::fs::read_to_string(path)?;",
        "use std::{env, fmt};",
        "let now = SystemTime::now();",
        "let home = std::env::var(\"HOME\");",
    ];
    for sample in samples {
        assert!(
            FORBIDDEN_SOURCE
                .iter()
                .any(|pattern| regex::Regex::new(pattern).unwrap().is_match(sample)),
            "no pattern catches {sample:?}"
        );
    }
}

#[test]
fn every_crate_uses_the_workspace_lints_and_is_listed() {
    let root = workspace_root();
    let readme = fs_err::read_to_string(root.join("crates/README.md")).unwrap();
    for dir in [
        "crates/versioning",
        "crates/changelog",
        "crates/gitops",
        "crates/registry",
        "crates/cli",
        "xtask",
        "tests",
    ] {
        let manifest = fs_err::read_to_string(root.join(dir).join("Cargo.toml")).unwrap();
        let manifest: toml_edit::DocumentMut = manifest.parse().unwrap();
        assert_eq!(
            manifest
                .get("lints")
                .and_then(|lints| lints.get("workspace"))
                .and_then(toml_edit::Item::as_bool),
            Some(true),
            "{dir}/Cargo.toml must say `[lints] workspace = true`"
        );
        if let Some(crate_dir) = dir.strip_prefix("crates/") {
            assert!(
                readme.contains(&format!("`{crate_dir}`")),
                "crates/README.md must describe `{crate_dir}` in one line"
            );
        }
    }
}

/// Invariant 2 of ARCHITECTURE.md, as far as dependencies show it: each foreign library is a
/// direct dependency of the one crate that wraps it, so its types cannot appear anywhere else.
#[test]
fn each_foreign_library_is_used_by_the_one_crate_that_wraps_it() {
    let owners: &[(&str, &str)] = &[
        ("git2", "slipway-gitops"),
        ("gix-odb", "slipway-gitops"),
        ("gix-object", "slipway-gitops"),
        ("gix-hash", "slipway-gitops"),
        ("gix-pack", "slipway-gitops"),
        ("gix-zlib", "slipway-gitops"),
        ("reqwest", "slipway-registry"),
        ("oci-client", "slipway-registry"),
    ];
    let graph = lock_graph();
    let workspace = [
        "slipway",
        "slipway-changelog",
        "slipway-gitops",
        "slipway-registry",
        "slipway-tests",
        "slipway-versioning",
        "xtask",
    ];
    for member in workspace {
        let direct = graph
            .get(member)
            .unwrap_or_else(|| panic!("{member} is in Cargo.lock"));
        for (library, owner) in owners {
            assert!(
                member == *owner || !direct.iter().any(|name| name == library),
                "{member} depends on {library} directly; only {owner} may (ARCHITECTURE.md, invariant 2)"
            );
        }
    }
    assert!(graph["slipway-gitops"].iter().any(|name| name == "gix-odb"));
}

#[test]
fn the_dependency_check_sees_through_to_io_libraries() {
    // The closure above must be able to fail: the I/O crates do reach the I/O libraries.
    let graph = lock_graph();
    assert!(closure(&graph, "slipway-gitops").contains("git2"));
    assert!(closure(&graph, "slipway-registry").contains("reqwest"));
    assert!(closure(&graph, "slipway-registry").contains("tokio"));
}

/// What the release pipeline (every module of `crates/cli/src` outside `cli/`) must not name:
/// the presentation layer, clap, and the process environment (it asks the injected `Environment`).
const PIPELINE_FORBIDDEN: &[(&str, &str)] = &[
    (r"\bcrate::cli\b", "imports the presentation layer"),
    (
        r"\bclap\b",
        "uses clap, which belongs to the presentation layer",
    ),
    (r"\bstd::env::", "reads the process environment directly"),
];

/// The offences against the layering in `text` (the file `name`).
fn layering_offences(name: &str, text: &str) -> Vec<String> {
    let mut offences = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        for (pattern, what) in PIPELINE_FORBIDDEN {
            if regex::Regex::new(pattern).unwrap().is_match(code) {
                offences.push(format!("{name}:{}: {what}: {}", number + 1, line.trim()));
            }
        }
    }
    offences
}

#[test]
fn the_release_pipeline_does_not_import_the_presentation_layer() {
    // Invariant 3 of ARCHITECTURE.md: the CLI sits on the pipeline, never the other way round.
    let src = workspace_root().join("crates/cli/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut offences = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        // The presentation layer, the binary, the crate root that re-exports `cli::main`, and the
        // one module that wraps the process environment.
        if relative.starts_with("cli")
            || ["main.rs", "lib.rs", "env.rs"]
                .iter()
                .any(|allowed| relative == Path::new(allowed))
        {
            continue;
        }
        let text = fs_err::read_to_string(&file).unwrap();
        offences.extend(layering_offences(&relative.display().to_string(), &text));
    }
    assert!(
        offences.is_empty(),
        "the release pipeline must not reach up into the presentation layer (ARCHITECTURE.md, invariant 3):\n{}",
        offences.join("\n")
    );
    let main = fs_err::read_to_string(src.join("main.rs")).unwrap();
    assert!(
        main.lines()
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with("//"))
            .count()
            <= 3,
        "main.rs only calls slipway::main:\n{main}"
    );
}

#[test]
fn the_layering_scan_catches_an_upward_import() {
    for sample in [
        "use crate::cli::args::ReleaseArgs;",
        "let args = clap::Parser::parse();",
        "let token = std::env::var(\"GITHUB_TOKEN\");",
    ] {
        assert_eq!(
            layering_offences("release/plan.rs", sample).len(),
            1,
            "not caught: {sample}"
        );
    }
    assert!(layering_offences("release/plan.rs", "use crate::context::Context;").is_empty());
}
