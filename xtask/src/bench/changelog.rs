//! `cargo xtask bench changelog`: full-history changelog and next-version on a synthetic history.
//!
//! The repositories are built once (under `target/bench/`) with `git fast-import`: conventional
//! commits of every type, a merge commit every 100 commits, and an annotated release tag every 50
//! commits, every fifth release a release candidate of the next minor. Figures are medians of several
//! runs, reported as ratios to the `git log --format` floor measured in the same run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;

const RUNS: usize = 5;

pub(crate) fn run() -> anyhow::Result<()> {
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let large = synthetic_repository(&root, 50_000)?;
    let small = synthetic_repository(&root, 5_000)?;

    let mut rows: Vec<(String, Duration)> = Vec::new();
    let floor = median(|| run_quiet(git_log(&large)))?;
    rows.push(("git log --format (floor), 50k commits".to_owned(), floor));
    rows.push((
        "slipway changelog, full history, 50k commits".to_owned(),
        median(|| run_quiet(slipway_in(&slipway, &large, &["changelog"])))?,
    ));
    for (label, repository) in [("5k", &small), ("50k", &large)] {
        rows.push((
            format!("slipway next-version, {label} commits"),
            median(|| run_quiet(slipway_in(&slipway, repository, &["next-version"])))?,
        ));
    }
    for (tool, args) in [("git-cliff", &[][..]), ("convco", &["changelog"][..])] {
        if which(tool) {
            let mut command = Command::new(tool);
            command.args(args).current_dir(&large);
            let once = time_once(command)?;
            rows.push((format!("{tool}, full history, 50k commits (1 run)"), once));
        } else {
            rows.push((format!("{tool}: not installed, skipped"), Duration::ZERO));
        }
    }

    let mut report = String::new();
    writeln!(report, "{:<52} {:>10} {:>10}", "what", "median", "× floor")?;
    for (label, time) in &rows {
        if time.is_zero() {
            writeln!(report, "{label}")?;
        } else {
            let ratio = time.as_secs_f64() / floor.as_secs_f64();
            writeln!(
                report,
                "{label:<52} {:>8.3} s {ratio:>9.2}×",
                time.as_secs_f64()
            )?;
        }
    }
    print!("{report}");
    Ok(())
}

fn git_log(repository: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .args([
            "log",
            "--topo-order",
            "--format=%H%x00%P%x00%an%x00%ae%x00%at%x00%s%x00%b%x00",
        ])
        .current_dir(repository);
    command
}

fn slipway_in(slipway: &Path, repository: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(slipway);
    command.args(args).current_dir(repository);
    command
}

fn median(mut measure: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    // One warm-up run so that every contender starts with the same page cache.
    measure()?;
    let mut times = (0..RUNS)
        .map(|_| measure())
        .collect::<anyhow::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[RUNS / 2])
}

fn run_quiet(command: Command) -> anyhow::Result<Duration> {
    time_once(command)
}

fn time_once(mut command: Command) -> anyhow::Result<Duration> {
    command.stdout(Stdio::null());
    Ok(super::timed_output(&mut command)?.0)
}

fn which(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Builds (once) a repository of `commits` commits and returns its path.
fn synthetic_repository(root: &Path, commits: usize) -> anyhow::Result<PathBuf> {
    let path = root.join(format!("target/bench/changelog-{commits}"));
    let done = path.join(".git/slipway-bench-complete");
    if done.exists() {
        return Ok(path);
    }
    if path.exists() {
        fs_remove_dir_all(&path)?;
    }
    std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
    crate::run(
        Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .current_dir(&path),
    )?;
    eprintln!(
        "building a synthetic history of {commits} commits in {}",
        path.display()
    );
    super::fast_import(&path, &fast_import_stream(commits))?;
    crate::run(
        Command::new("git")
            .args(["reset", "-q", "--hard", "main"])
            .current_dir(&path),
    )?;
    // As in a clone: refs in packed-refs (with their peeled targets), not one file per tag.
    crate::run(
        Command::new("git")
            .args(["pack-refs", "--all"])
            .current_dir(&path),
    )?;
    std::fs::write(&done, b"")?;
    Ok(path)
}

fn fs_remove_dir_all(path: &Path) -> anyhow::Result<()> {
    std::fs::remove_dir_all(path).with_context(|| format!("cannot remove {}", path.display()))
}

const SUBJECTS: &[&str] = &[
    "feat(api): add an endpoint for item {n}",
    "fix(parser): handle empty input in case {n}",
    "docs: explain option {n}",
    "chore(deps): bump dependency {n}",
    "perf(core): cache lookup {n}",
    "refactor: split module {n}",
    "fix: off-by-one in pagination {n}",
    "feat: support format {n} (#{n})",
    "test: cover branch {n}",
    "ci: cache step {n}",
    "update readme {n}",
];

/// A `git fast-import` stream: linear history on `main` with a merged side branch every 100 commits
/// and an annotated release tag every 50.
fn fast_import_stream(commits: usize) -> String {
    let mut stream = String::with_capacity(commits * 200);
    let mut mark = 0usize;
    let mut time = 1_600_000_000u64;
    let mut release = (0u64, 1u64, 0u64);
    let mut last_main = 0usize;
    let mut written = 0usize;
    while written < commits {
        let n = written;
        if n > 0 && n % 100 == 0 {
            // A side branch of two commits, merged back with a merge commit.
            let base = last_main;
            for side in 0..2 {
                mark += 1;
                time += 60;
                let parent = if side == 0 { base } else { mark - 1 };
                commit(
                    &mut stream,
                    "refs/heads/side",
                    mark,
                    time,
                    &format!("fix(side): branch work {n}.{side}"),
                    &[parent],
                    n,
                );
            }
            let side_tip = mark;
            mark += 1;
            time += 60;
            commit(
                &mut stream,
                "refs/heads/main",
                mark,
                time,
                &format!("Merge branch 'side-{n}'"),
                &[last_main, side_tip],
                n,
            );
            last_main = mark;
            written += 3;
            continue;
        }
        mark += 1;
        time += 60;
        let mut subject = SUBJECTS[n % SUBJECTS.len()].replace("{n}", &n.to_string());
        if n % 997 == 0 && n > 0 {
            subject = format!("feat(api)!: remove deprecated call {n}");
        }
        let parents: Vec<usize> = if last_main == 0 {
            vec![]
        } else {
            vec![last_main]
        };
        commit(
            &mut stream,
            "refs/heads/main",
            mark,
            time,
            &subject,
            &parents,
            n,
        );
        last_main = mark;
        written += 1;
        if written % 50 == 0 {
            let index = written / 50;
            release = if index % 20 == 0 {
                (release.0 + 1, 0, 0)
            } else if index % 5 == 0 {
                (release.0, release.1 + 1, 0)
            } else {
                (release.0, release.1, release.2 + 1)
            };
            let version = format!("{}.{}.{}", release.0, release.1, release.2);
            if index % 5 == 4 {
                // This release is a candidate of the next minor: two rcs on consecutive tags.
                let next = format!("{}.{}.0", release.0, release.1 + 1);
                tag(&mut stream, &format!("v{next}-rc.1"), mark, time);
            } else {
                tag(&mut stream, &format!("v{version}"), mark, time);
            }
        }
    }
    // Unreleased work after the last tag, as in any real repository.
    for extra in 0..7 {
        mark += 1;
        time += 60;
        let n = commits + extra;
        commit(
            &mut stream,
            "refs/heads/main",
            mark,
            time,
            &format!("fix: unreleased change {n}"),
            &[last_main],
            n,
        );
        last_main = mark;
    }
    stream
}

pub(super) fn commit(
    stream: &mut String,
    reference: &str,
    mark: usize,
    time: u64,
    subject: &str,
    parents: &[usize],
    n: usize,
) {
    let body = if n % 7 == 0 {
        format!("\n\nLonger explanation of change {n}.\n\nRefs: #{n}\n")
    } else {
        String::new()
    };
    let message = format!("{subject}{body}");
    let _ = writeln!(stream, "commit {reference}\nmark :{mark}");
    let _ = writeln!(
        stream,
        "author Bench Author <bench@example.com> {time} +0000"
    );
    let _ = writeln!(
        stream,
        "committer Bench Author <bench@example.com> {time} +0000"
    );
    let _ = writeln!(stream, "data {}\n{message}", message.len());
    if let Some((first, rest)) = parents.split_first() {
        let _ = writeln!(stream, "from :{first}");
        for parent in rest {
            let _ = writeln!(stream, "merge :{parent}");
        }
    }
    let _ = writeln!(
        stream,
        "M 644 inline src/file{}.txt\ndata {}\n{n}\n",
        n % 100,
        n.to_string().len() + 1
    );
}

pub(super) fn tag(stream: &mut String, name: &str, mark: usize, time: u64) {
    let message = format!("Release {name}\n");
    let _ = writeln!(
        stream,
        "tag {name}\nfrom :{mark}\ntagger Bench Author <bench@example.com> {time} +0000"
    );
    let _ = writeln!(stream, "data {}\n{message}", message.len());
}
