//! Issue 14: `[cargo] publish = true` against a real crate registry (`cargo-http-registry` on
//! 127.0.0.1). A copy of this workspace's five library crates is released with `slipway release`:
//! they reach the registry dependencies first, a rerun publishes nothing, and a scratch crate that
//! depends on `slipway-changelog` builds against the published copy. crates.io is replaced by a
//! local registry made from cargo's own cache, so nothing leaves the machine.
//!
//! `verify = false` (`cargo publish --no-verify`): cargo's verification builds each packaged crate
//! and its dependency tree from scratch in a fresh workspace (without this workspace's profile, so
//! nothing of the warm target directory is reused), minutes per crate on a 2-core runner, and what
//! it proves (the packaged crate builds) the scratch crate's build proves here for
//! `slipway-changelog` and `slipway-versioning`, from the `.crate` files the registry serves.

use std::path::Path;
use std::process::Command;

use gitops::test_support::TestRepo;
use slipway_tests::crate_registry::{CrateRegistry, crates_io_mirror};

const CRATES: [&str; 5] = [
    "slipway-versioning",
    "slipway-changelog",
    "slipway-gitops",
    "slipway-registry",
    "slipway",
];

fn copy_dir(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            fs_err::copy(&path, to.join(&name)).unwrap();
        }
    }
}

#[test]
fn the_workspace_crates_reach_a_local_registry_in_dependency_order_once_and_build_from_there() {
    let registry = CrateRegistry::start().unwrap();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    // Builds share a target directory of their own, and the copy of crates.io and CARGO_HOME keep
    // their paths from run to run (rewritten each time): the dependencies' build identity includes
    // their source, so a second run compiles only the two crates from the registry.
    let target = workspace.join("target/e2e-crates");
    let home = target.join("home");
    if home.exists() {
        fs_err::remove_dir_all(&home).unwrap();
    }
    let cargo_home = home.join("cargo");
    let mirror = home.join("crates-io");
    fs_err::create_dir_all(&mirror).unwrap();
    fs_err::create_dir_all(&cargo_home).unwrap();
    let versions = crates_io_mirror(&mirror, &workspace.join("Cargo.lock")).unwrap();
    assert!(
        versions > 100,
        "cargo's cache holds the workspace's dependencies: {versions}"
    );
    fs_err::write(
        cargo_home.join("config.toml"),
        format!(
            "[registries.local]\nindex = \"{}\"\n\n[net]\ngit-fetch-with-cli = true\n\n[source.crates-io]\nreplace-with = \"mirror\"\n\n[source.mirror]\nlocal-registry = \"{}\"\n",
            registry.index_url(),
            mirror.display()
        ),
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cargo_env = [
        ("CARGO_HOME", cargo_home.display().to_string()),
        ("CARGO_TARGET_DIR", target.display().to_string()),
        ("CARGO_REGISTRIES_LOCAL_TOKEN", "any-token".to_owned()),
    ];

    let repo = TestRepo::new().with_remote();
    for name in ["versioning", "changelog", "gitops", "registry", "cli"] {
        copy_dir(
            &workspace.join("crates").join(name),
            &repo.path().join("crates").join(name),
        );
    }
    // Our crates depend on each other through [workspace.dependencies]; for an alternative
    // registry each entry names it, or cargo would publish them as crates.io dependencies.
    let manifest = fs_err::read_to_string(workspace.join("Cargo.toml")).unwrap();
    let members = regex::Regex::new(r"(?m)^members = .*$").unwrap();
    let manifest = members.replace(&manifest, "members = [\"crates/*\"]");
    let internal = regex::Regex::new(
        r#"(?m)^(\w+ = \{ (?:package = "slipway-\w+", )?path = "crates/\w+", version = "[^"]+")"#,
    )
    .unwrap();
    let manifest = internal.replace_all(&manifest, "$1, registry = \"local\"");
    assert_eq!(
        manifest.matches("registry = \"local\"").count(),
        5,
        "{manifest}"
    );
    repo.write("Cargo.toml", &manifest)
        .write(
            "slipway.toml",
            "name = \"slipway\"\n\n[cargo]\npublish = true\nregistry = \"local\"\nverify = false\n",
        )
        .write(".gitignore", "target/\n");
    fs_err::copy(workspace.join("Cargo.lock"), repo.path().join("Cargo.lock")).unwrap();
    // The lock file of the smaller workspace (xtask and the tests left out), settled offline.
    let settled = Command::new(&cargo)
        .args(["update", "--workspace", "--offline"])
        .current_dir(repo.path())
        .envs(cargo_env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        settled.status.success(),
        "{}",
        String::from_utf8_lossy(&settled.stderr)
    );
    repo.git(&["add", "-A"]);
    repo.commit("feat: the slipway crates").push();

    let slipway = |args: &[&str], extra: &[(&str, &str)]| {
        let mut command = repo.command(env!("CARGO_BIN_EXE_slipway-e2e"));
        command
            .args(args)
            .envs(cargo_env.iter().map(|(k, v)| (*k, v.as_str())))
            .envs(extra.iter().copied())
            .env("SOURCE_DATE_EPOCH", "1763683200")
            .env("CARGO", &cargo);
        command.output().unwrap()
    };
    let text = |output: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };

    let plan = slipway(&["release", "--dry-run"], &[]);
    assert!(plan.status.success(), "{}", text(&plan));
    let listed = format!("cargo publish {} 0.1.0 to local", CRATES.join(", "));
    assert!(text(&plan).contains(&listed), "{}", text(&plan));

    // A release stopped after the crates went out but before the journal knew it.
    let stopped = slipway(
        &["release"],
        &[("SLIPWAY_TEST_FAIL_BEFORE_RECORD", "publish-crates")],
    );
    assert_eq!(stopped.status.code(), Some(1), "{}", text(&stopped));
    let published = registry.published();
    let arrived: Vec<&str> = published
        .iter()
        .filter_map(|commit| {
            CRATES
                .iter()
                .rev()
                .find(|name| commit.contains(&format!("{name} ")) || commit.ends_with(*name))
                .copied()
        })
        .collect();
    assert_eq!(
        arrived,
        CRATES,
        "the index's commits: {published:?}\n{}",
        text(&stopped)
    );

    // The rerun publishes nothing: every crate is found on the registry.
    let resumed = slipway(&["release", "--resume"], &[]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert_eq!(
        registry.published(),
        published,
        "nothing was published again"
    );
    let journal: serde_json::Value = serde_json::from_str(
        &fs_err::read_to_string(repo.path().join(".git/slipway/done/v0.1.0.json")).unwrap(),
    )
    .unwrap();
    let record = journal["done"]
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["step"] == "publish-crates")
        .unwrap();
    assert_eq!(record["changed"], false, "{record}");
    let names: Vec<&str> = record["output"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, CRATES);

    let verified = slipway(&["verify", "0.1.0"], &[]);
    assert!(verified.status.success(), "{}", text(&verified));
    for name in CRATES {
        assert!(
            text(&verified).contains(&format!("crate {name} 0.1.0 is on local (sha256 ")),
            "{}",
            text(&verified)
        );
    }

    // A scratch crate built against the published slipway-changelog (and slipway-versioning).
    let scratch = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(scratch.path().join("src")).unwrap();
    fs_err::write(
        scratch.path().join("Cargo.toml"),
        "[package]\nname = \"uses-changelog\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nslipway-changelog = { version = \"=0.1.0\", registry = \"local\" }\n\n[workspace]\n\n[profile.dev.package.\"*\"]\nopt-level = 2\n",
    )
    .unwrap();
    fs_err::write(
        scratch.path().join("src/main.rs"),
        "fn main() {\n    let config = changelog::Config::default();\n    println!(\"{}\", changelog::known_types(&config).join(\",\"));\n}\n",
    )
    .unwrap();
    let built = Command::new(&cargo)
        .args(["run", "--quiet"])
        .current_dir(scratch.path())
        .envs(cargo_env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built));
    assert!(
        String::from_utf8_lossy(&built.stdout).contains("feat"),
        "{}",
        text(&built)
    );
    let lock = fs_err::read_to_string(scratch.path().join("Cargo.lock")).unwrap();
    for name in ["slipway-changelog", "slipway-versioning"] {
        assert!(
            lock.contains(&format!(
                "name = \"{name}\"\nversion = \"0.1.0\"\nsource = \"registry+{}\"",
                registry.index_url()
            )),
            "{name} comes from the local registry:\n{lock}"
        );
    }
}

/// A Cargo workspace whose crates carry versions of their own (issue 15): each crate is a
/// package, published at its own version, dependencies first; a fix in `alpha` releases `alpha`
/// and `beta` (its exact requirement rewritten), and cargo resolves the new `beta` from the
/// registry.
#[test]
fn crates_with_versions_of_their_own_are_published_each_at_its_version_dependencies_first() {
    let registry = CrateRegistry::start().unwrap();
    let home = tempfile::tempdir().unwrap();
    let cargo_home = home.path().join("cargo");
    fs_err::create_dir_all(&cargo_home).unwrap();
    fs_err::write(
        cargo_home.join("config.toml"),
        format!(
            "[registries.local]\nindex = \"{}\"\n\n[net]\ngit-fetch-with-cli = true\n",
            registry.index_url()
        ),
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = home.path().join("target");
    let cargo_env = [
        ("CARGO_HOME", cargo_home.display().to_string()),
        ("CARGO_TARGET_DIR", target.display().to_string()),
        ("CARGO_REGISTRIES_LOCAL_TOKEN", "any-token".to_owned()),
        ("CARGO", cargo.clone()),
    ];
    let manifest = |name: &str, version: &str, dependencies: &str| {
        format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = \"{name}\"\nlicense = \"MIT\"\npublish = [\"local\"]\n\n[dependencies]\n{dependencies}"
        )
    };
    let repo = TestRepo::new().with_remote();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    )
    .write("crates/alpha/Cargo.toml", &manifest("alpha", "0.1.0", ""))
    .write(
        "crates/alpha/src/lib.rs",
        "pub fn alpha() -> u32 {\n    1\n}\n",
    )
    .write(
        "crates/beta/Cargo.toml",
        &manifest(
            "beta",
            "0.1.0",
            "alpha = { path = \"../alpha\", version = \"=0.1.0\", registry = \"local\" }\n",
        ),
    )
    .write(
        "crates/beta/src/lib.rs",
        "pub fn beta() -> u32 {\n    alpha::alpha() + 1\n}\n",
    )
    .write(
        "slipway.toml",
        "[cargo]\npublish = true\nregistry = \"local\"\nverify = false\n",
    )
    .write(".gitignore", "target/\nCargo.lock\n");
    repo.git(&["add", "-A"]);
    repo.commit("feat: alpha and beta").push();
    let slipway = |args: &[&str]| {
        let output = repo
            .command(env!("CARGO_BIN_EXE_slipway-e2e"))
            .args(args)
            .envs(cargo_env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("SOURCE_DATE_EPOCH", "1763683200")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "slipway {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };

    let plan = slipway(&["release", "--dry-run"]);
    assert!(
        plan.contains("alpha: cargo publish alpha 0.1.0 to local")
            && plan.contains("; beta: cargo publish beta 0.1.0 to local"),
        "{plan}"
    );
    assert_eq!(slipway(&["release"]), "alpha 0.1.0\nbeta 0.1.0\n");
    repo.commit_file(
        "crates/alpha/src/lib.rs",
        "pub fn alpha() -> u32 {\n    2\n}\n",
        "fix(alpha): the right answer",
    )
    .push();
    assert_eq!(slipway(&["release"]), "alpha 0.1.1\nbeta 0.1.1\n");
    let published = registry.published();
    let order: Vec<&str> = published
        .iter()
        .filter_map(|commit| {
            ["alpha 0.1.0", "beta 0.1.0", "alpha 0.1.1", "beta 0.1.1"]
                .into_iter()
                .find(|release| commit.contains(&release.replace(' ', " in version ")))
        })
        .collect();
    assert_eq!(
        order,
        ["alpha 0.1.0", "beta 0.1.0", "alpha 0.1.1", "beta 0.1.1"],
        "the index's commits: {published:?}"
    );
    for (package, version) in [("alpha", "0.1.1"), ("beta", "0.1.1")] {
        let verified = slipway(&["verify", version, "--package", package]);
        assert!(
            verified.contains(&format!("crate {package} {version} is on local (sha256 ")),
            "{verified}"
        );
    }

    // cargo, as a user of the registry: beta 0.1.1 resolves, with alpha 0.1.1 under it.
    let scratch = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(scratch.path().join("src")).unwrap();
    fs_err::write(
        scratch.path().join("Cargo.toml"),
        "[package]\nname = \"uses-beta\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nbeta = { version = \"=0.1.1\", registry = \"local\" }\n\n[workspace]\n",
    )
    .unwrap();
    fs_err::write(
        scratch.path().join("src/main.rs"),
        "fn main() {\n    println!(\"{}\", beta::beta());\n}\n",
    )
    .unwrap();
    let run = Command::new(&cargo)
        .args(["run", "--quiet"])
        .current_dir(scratch.path())
        .envs(cargo_env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "3\n");
}
