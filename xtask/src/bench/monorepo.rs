//! `cargo xtask bench monorepo`: the commands of a repository of several packages on a history
//! shaped like a busy monorepo, against a path-limited `git log` in the same run.
//!
//! The history, built once under `target/bench/monorepo` with `git fast-import`: a uv workspace
//! (a tooling-only root `pyproject.toml`, `members = ["packages/*"]`) of 20 packages `p00` …
//! `p19`, 40,000 commits each touching one package, a release of a package every 40 of its
//! commits (1,000 tags `pK-v1.N.0`, each on a release commit that writes the package's version),
//! where `p01`, `p02` and `p03` pin `p00` exactly and are released with it, as slipway releases
//! them. At the end every package has unreleased commits, so a release plans all 20.
//!
//! Measured: `git log --format=%H%x00%s%x00%b -- packages/p00/` (the floor: one package's
//! history), `slipway packages` (every package's pending changes), `slipway next-version --package
//! p00`, `slipway changelog --package p00` (its whole history) and `slipway release --dry-run
//! --no-publish` (the plan of all 20, the pins that follow, every diff).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::changelog::tag;
use super::release_state::measure;

const PACKAGES: usize = 20;
const COMMITS: usize = 40_000;
/// A package is released after this many commits of its own.
const RELEASE_EVERY: usize = 40;
/// The packages that pin `p00` exactly.
const PINNED: [usize; 3] = [1, 2, 3];

pub(crate) fn run() -> anyhow::Result<()> {
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let repository = build(&root)?;
    let mut floor = Command::new("git");
    floor
        .args(["log", "--format=%H%x00%s%x00%b", "--", "packages/p00/"])
        .current_dir(&repository);
    let slipway_in = |args: &[&str]| {
        let mut command = Command::new(&slipway);
        command
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1763683200")
            .current_dir(&repository);
        command
    };
    let (floor_time, floor_answer) = measure(&mut floor)?;
    let mut rows = vec![(
        "git log -- packages/p00/ (the floor)".to_owned(),
        floor_time,
        floor_answer,
    )];
    for args in [
        &["packages"][..],
        &["next-version", "--package", "p00"],
        &["changelog", "--package", "p00"],
        &["release", "--dry-run", "--no-publish"],
    ] {
        let (time, answer) = measure(&mut slipway_in(args))?;
        rows.push((format!("slipway {}", args.join(" ")), time, answer));
    }
    let mut report = String::new();
    writeln!(
        report,
        "{:<52} {:>10} {:>9}  answer",
        "what", "time", "× floor"
    )?;
    for (label, time, answer) in rows {
        writeln!(
            report,
            "{label:<52} {:>8.3} s {:>8.1}×  {answer}",
            time.as_secs_f64(),
            time.as_secs_f64() / floor_time.as_secs_f64()
        )?;
    }
    print!("{report}");
    Ok(())
}

/// Builds (once) the monorepo history, with `main` checked out, a remote (the repository itself)
/// and the refs packed as in a clone.
fn build(root: &Path) -> anyhow::Result<PathBuf> {
    super::build_once(root, "monorepo", 1, stream, |path| {
        let origin = path.display().to_string();
        for args in [
            &["reset", "-q", "--hard", "main"][..],
            &["remote", "add", "origin", &origin],
            &["pack-refs", "--all"],
        ] {
            crate::run(Command::new("git").args(args).current_dir(path))?;
        }
        Ok(())
    })
}

/// Package `k`'s pyproject.toml at `version`, its exact pin on `p00` at `core` when it has one.
fn pyproject(k: usize, version: &str, core: &str) -> String {
    let dependencies = if PINNED.contains(&k) {
        format!("\"p00=={core}\", \"httpx>=0.27\"")
    } else if k == 0 {
        String::new()
    } else {
        "\"p00>=1.0\"".to_owned()
    };
    format!(
        "[project]\nname = \"p{k:02}\"\nversion = \"{version}\"\ndependencies = [{dependencies}]\n"
    )
}

/// One commit on main at `time`, writing `files` (path, content), with `message`.
fn commit(stream: &mut String, mark: usize, time: u64, message: &str, files: &[(String, String)]) {
    let _ = writeln!(stream, "commit refs/heads/main\nmark :{mark}");
    let _ = writeln!(
        stream,
        "author Bench Author <bench@example.com> {time} +0000\ncommitter Bench Author <bench@example.com> {time} +0000"
    );
    let _ = writeln!(stream, "data {}\n{message}", message.len());
    if mark > 1 {
        let _ = writeln!(stream, "from :{}", mark - 1);
    }
    for (path, content) in files {
        let _ = writeln!(
            stream,
            "M 644 inline {path}\ndata {}\n{content}",
            content.len()
        );
    }
    stream.push('\n');
}

fn stream() -> String {
    let mut stream = String::with_capacity(COMMITS * 260);
    let mut mark = 0;
    let mut time = 1_600_000_000u64;
    let mut versions: Vec<String> = vec!["1.0.0".to_owned(); PACKAGES];
    let mut release_counts = [0usize; PACKAGES];
    let mut own_commits = [0usize; PACKAGES];
    // The first commit: the tooling-only root and every package at 1.0.0, released.
    let mut files = vec![(
        "pyproject.toml".to_owned(),
        "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n\n[tool.ruff]\nline-length = 100\n"
            .to_owned(),
    )];
    for k in 0..PACKAGES {
        files.push((
            format!("packages/p{k:02}/pyproject.toml"),
            pyproject(k, "1.0.0", "1.0.0"),
        ));
    }
    mark += 1;
    commit(&mut stream, mark, time, "feat: the workspace", &files);
    for k in 0..PACKAGES {
        tag(&mut stream, &format!("p{k:02}-v1.0.0"), mark, time);
    }
    for n in 0..COMMITS {
        time += 60;
        // Not round robin: some packages are busier than others.
        let k = (n * 7 + n / 13) % PACKAGES;
        own_commits[k] += 1;
        let kind = match n % 5 {
            0 => "feat",
            1 | 2 => "fix",
            3 => "refactor",
            _ => "docs",
        };
        let body = if n % 9 == 0 {
            format!("\n\nWhy change {n} was needed.\n\nRefs: #{n}\n")
        } else {
            String::new()
        };
        mark += 1;
        commit(
            &mut stream,
            mark,
            time,
            &format!("{kind}(p{k:02}): change {n}{body}"),
            &[(
                format!("packages/p{k:02}/src/mod{}.py", n % 10),
                format!("VALUE = {n}\n"),
            )],
        );
        // A release of the package, as slipway makes it: one commit writing its version (and the
        // pins that follow p00), one tag each. The last commits stay unreleased.
        if own_commits[k] % RELEASE_EVERY == 0 && n < COMMITS - 2 * PACKAGES * RELEASE_EVERY / 4 {
            let mut released = vec![k];
            if k == 0 {
                released.extend(PINNED);
            }
            for &r in &released {
                release_counts[r] += 1;
                versions[r] = format!("1.{}.0", release_counts[r]);
            }
            let files: Vec<(String, String)> = released
                .iter()
                .map(|&r| {
                    (
                        format!("packages/p{r:02}/pyproject.toml"),
                        pyproject(r, &versions[r], &versions[0]),
                    )
                })
                .collect();
            time += 60;
            mark += 1;
            let names: Vec<String> = released
                .iter()
                .map(|&r| format!("p{r:02} {}", versions[r]))
                .collect();
            commit(
                &mut stream,
                mark,
                time,
                &format!("chore(release): {}", names.join(", ")),
                &files,
            );
            for &r in &released {
                tag(
                    &mut stream,
                    &format!("p{r:02}-v{}", versions[r]),
                    mark,
                    time,
                );
            }
        }
    }
    stream
}
