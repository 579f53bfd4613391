//! `cargo xtask bench release-state`: finding the releases and their reachability from `HEAD` on
//! the repository shapes of issue 11, against `git describe --tags --abbrev=0` in the same run.
//!
//! Three histories are built once (under `target/bench/`) with `git fast-import`:
//!
//! - `maintenance`: stable releases on `N.x` maintenance branches, only `-next.N` pre-releases on
//!   main after its first years (about 30,000 commits and 3,700 tags);
//! - `scheme-change`: 10,000 tags on a 20,000-commit history whose scheme changes from `v1.2.3` to
//!   `1.2.3` after 6,000 releases;
//! - `hotfix`: a minor release on main every 50 commits, hotfix branches off a third of them with
//!   `X.Y.1` (and sometimes `X.Y.2`) tagged there, the last release included.
//!
//! For each: `git describe` (the floor: the nearest tag only), `git tag --merged HEAD` (git's
//! answer to the same question: every tag HEAD contains), `git rev-list HEAD` (one walk of the
//! whole history), `slipway next-version`, `slipway release --dry-run` (the whole plan: the
//! decision, the changelog section, the file diffs, the preflight's reads) and `slipway check`,
//! and the `release_state` example of `gitops` (the one walk alone). Each row shows the last line
//! the command printed, so a fast wrong answer is visible as such.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::changelog::{commit, tag};

/// Writes a history as a `git fast-import` stream.
type Stream = fn() -> String;

const RUNS: usize = 5;
/// A contender slower than this is measured once: the "before" figures reach a minute.
const SLOW: Duration = Duration::from_secs(3);

pub(crate) fn run() -> anyhow::Result<()> {
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    crate::cargo(&[
        "build",
        "--release",
        "--quiet",
        "-p",
        "slipway-gitops",
        "--example",
        "release_state",
    ])?;
    let slipway = root.join("target/release/slipway");
    let example = root.join("target/release/examples/release_state");
    let shapes: [(&str, Stream); 3] = [
        ("maintenance", maintenance_stream),
        ("scheme-change", scheme_change_stream),
        ("hotfix", hotfix_stream),
    ];
    let mut report = String::new();
    writeln!(
        report,
        "{:<56} {:>10} {:>12}  answer",
        "what", "time", "× describe"
    )?;
    for (name, stream) in shapes {
        let repository = build(&root, name, stream)?;
        let mut describe = Command::new("git");
        describe
            .args(["describe", "--tags", "--abbrev=0"])
            .current_dir(&repository);
        let mut merged = Command::new("git");
        merged
            .args(["tag", "--merged", "HEAD"])
            .current_dir(&repository);
        let mut rev_list = Command::new("git");
        rev_list.args(["rev-list", "HEAD"]).current_dir(&repository);
        let mut next_version = Command::new(&slipway);
        next_version.arg("next-version").current_dir(&repository);
        let mut dry_run = Command::new(&slipway);
        dry_run
            .args(["release", "--dry-run"])
            .env("SOURCE_DATE_EPOCH", "1763683200")
            .current_dir(&repository);
        let mut check = Command::new(&slipway);
        check.arg("check").current_dir(&repository);
        let mut state = Command::new(&example);
        state.arg(&repository);
        let (floor, floor_answer) = measure(&mut describe)?;
        let mut rows = vec![("git describe --tags --abbrev=0", floor, floor_answer)];
        for (label, command) in [
            ("git tag --merged HEAD (same question)", &mut merged),
            ("git rev-list HEAD (a full walk)", &mut rev_list),
            ("slipway next-version", &mut next_version),
            ("slipway release --dry-run", &mut dry_run),
            ("slipway check", &mut check),
            ("gitops release_state (example, latest cutoff)", &mut state),
        ] {
            let (time, answer) = measure(command)?;
            rows.push((label, time, answer));
        }
        for (label, time, answer) in rows {
            let ratio = time.as_secs_f64() / floor.as_secs_f64();
            writeln!(
                report,
                "{:<56} {:>8.3} s {ratio:>11.1}×  {answer}",
                format!("{name}: {label}"),
                time.as_secs_f64()
            )?;
        }
    }
    print!("{report}");
    Ok(())
}

/// The median of [`RUNS`] runs after a warm-up, or the warm-up alone when it is [`SLOW`]; with
/// what the command printed (its line, or how many lines).
pub(super) fn measure(command: &mut Command) -> anyhow::Result<(Duration, String)> {
    let (first, answer) = run_once(command)?;
    if first > SLOW {
        return Ok((first, format!("{answer} (1 run)")));
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        times.push(run_once(command)?.0);
    }
    times.sort();
    Ok((times[RUNS / 2], answer))
}

fn run_once(command: &mut Command) -> anyhow::Result<(Duration, String)> {
    command.stdout(Stdio::piped());
    let (elapsed, output) = super::timed_output(command)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answer = match stdout.lines().count() {
        0 | 1 => stdout.trim().to_owned(),
        lines => format!("{lines} lines"),
    };
    Ok((elapsed, answer))
}

/// Builds (once) the repository `target/bench/release-state-NAME` from a fast-import stream, with
/// `main` checked out and refs packed as in a clone.
fn build(root: &Path, name: &str, stream: Stream) -> anyhow::Result<PathBuf> {
    super::build_once(
        root,
        &format!("release-state-{name}"),
        3,
        stream,
        super::release_project,
    )
}

/// Marks, times and refs of a history being written.
struct Writer {
    stream: String,
    mark: usize,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            stream: String::with_capacity(30_000 * 200),
            mark: 0,
        }
    }

    /// A commit on `branch` at `time` with `parents` (marks); returns its mark.
    fn commit(&mut self, branch: &str, time: u64, subject: &str, parents: &[usize]) -> usize {
        self.mark += 1;
        commit(
            &mut self.stream,
            &format!("refs/heads/{branch}"),
            self.mark,
            time,
            subject,
            parents,
            self.mark,
        );
        self.mark
    }

    /// An annotated tag.
    fn annotated(&mut self, name: &str, mark: usize, time: u64) {
        tag(&mut self.stream, name, mark, time);
    }

    /// A lightweight tag.
    fn lightweight(&mut self, name: &str, mark: usize) {
        let _ = writeln!(self.stream, "reset refs/tags/{name}\nfrom :{mark}\n");
    }
}

const START: u64 = 1_500_000_000;
/// Ten minutes between commits on main.
const STEP: u64 = 600;

const SUBJECTS: &[&str] = &[
    "feat(api): add an endpoint",
    "fix(parser): handle empty input",
    "docs: explain an option",
    "chore(deps): bump a dependency",
    "fix: off-by-one in pagination",
    "refactor: split a module",
];

fn subject(n: usize) -> String {
    format!("{} {n}", SUBJECTS[n % SUBJECTS.len()])
}

/// Main: `v0.N.0` in its first 1,000 commits, then 8 majors of 2,875 commits each tagged
/// `vN.0.0-next.K` every 8 commits; at the end of each, branch `N.x` forks and gets 750 commits
/// spread over the rest of the history, tagged `vN.0.0`, `vN.0.1`, … every 8.
fn maintenance_stream() -> String {
    const EARLY: usize = 1_000;
    const PERIOD: usize = 2_875;
    const MAJORS: usize = 8;
    const BRANCH: usize = 750;
    let mut w = Writer::new();
    let mut forks = Vec::new();
    let mut last = 0;
    let total = EARLY + PERIOD * (MAJORS + 1);
    for n in 0..total {
        let time = START + n as u64 * STEP;
        let parents: Vec<usize> = if last == 0 { vec![] } else { vec![last] };
        last = w.commit("main", time, &subject(n), &parents);
        if n < EARLY {
            if n % 100 == 99 {
                w.annotated(&format!("v0.{}.0", n / 100 + 1), last, time);
            }
            continue;
        }
        let major = (n - EARLY) / PERIOD + 1;
        let index = (n - EARLY) % PERIOD;
        if index % 8 == 7 {
            w.lightweight(&format!("v{major}.0.0-next.{}", index / 8 + 1), last);
        }
        if index == PERIOD - 1 && major <= MAJORS {
            forks.push((major, last, time));
        }
    }
    let end = START + total as u64 * STEP;
    for (major, fork, fork_time) in forks {
        let spacing = (end - fork_time) / BRANCH as u64;
        let mut parent = fork;
        for j in 0..BRANCH {
            let time = fork_time + (j as u64 + 1) * spacing;
            parent = w.commit(
                &format!("{major}.x"),
                time,
                &format!("fix: backport {major}.{j}"),
                &[parent],
            );
            if j % 8 == 0 {
                w.annotated(&format!("v{major}.0.{}", j / 8), parent, time);
            }
        }
    }
    w.stream
}

/// 20,000 commits with a merge of a two-commit side branch every 100, a release every 2 commits:
/// the first 6,000 tagged `vX.Y.Z`, the next 4,000 `X.Y.Z`; every other tag annotated.
fn scheme_change_stream() -> String {
    const COMMITS: usize = 20_000;
    let mut w = Writer::new();
    let mut last = 0;
    let mut releases = 0usize;
    for n in 0..COMMITS {
        let time = START + n as u64 * STEP;
        if n > 0 && n % 100 == 0 {
            let a = w.commit("side", time - 300, &subject(n), &[last]);
            let b = w.commit("side", time - 200, &subject(n + 1), &[a]);
            last = w.commit("main", time, "Merge branch 'side'", &[last, b]);
            continue;
        }
        let parents: Vec<usize> = if last == 0 { vec![] } else { vec![last] };
        last = w.commit("main", time, &subject(n), &parents);
        if n % 2 == 1 {
            releases += 1;
            let version = format!(
                "{}.{}.{}",
                releases / 1_000 + 1,
                releases / 10 % 100,
                releases % 10
            );
            let name = if releases <= 6_000 {
                format!("v{version}")
            } else {
                version
            };
            if releases % 2 == 0 {
                w.annotated(&name, last, time);
            } else {
                w.lightweight(&name, last);
            }
        }
    }
    w.stream
}

/// 20,000 commits on main with `vX.Y.0` every 50; off every third release (and the last one) a
/// `hotfix/X.Y.1` branch of two commits made two hours later, tagged `vX.Y.1`, and off every
/// sixth a second hotfix `vX.Y.2`.
fn hotfix_stream() -> String {
    const COMMITS: usize = 20_000;
    let mut w = Writer::new();
    let mut last = 0;
    let mut hotfixes = Vec::new();
    for n in 0..COMMITS {
        let time = START + n as u64 * STEP;
        let parents: Vec<usize> = if last == 0 { vec![] } else { vec![last] };
        last = w.commit("main", time, &subject(n), &parents);
        if n % 50 == 49 {
            let release = n / 50;
            let (major, minor) = (release / 40 + 1, release % 40);
            w.annotated(&format!("v{major}.{minor}.0"), last, time);
            if release % 3 == 0 || n + 1 == COMMITS {
                hotfixes.push((major, minor, last, time, release % 6 == 0));
            }
        }
    }
    for (major, minor, base, time, second) in hotfixes {
        let branch = format!("hotfix/{major}.{minor}.1");
        let mut parent = base;
        let patches = if second { 2 } else { 1 };
        for patch in 1..=patches {
            for k in 0..2u64 {
                let at = time + 7_200 * patch + k * 60;
                parent = w.commit(
                    &branch,
                    at,
                    &format!("fix: urgent {major}.{minor}.{patch}.{k}"),
                    &[parent],
                );
            }
            w.annotated(
                &format!("v{major}.{minor}.{patch}"),
                parent,
                time + 7_200 * patch + 120,
            );
        }
    }
    w.stream
}
