//! `cargo xtask bench changelog`: full-history changelog, `release --dry-run` and next-version on
//! synthetic histories, against the `git log --format=%H%x00%s%x00%b` floor in the same run.
//!
//! The repositories are built once (under `target/bench/`) with `git fast-import`: conventional
//! commits of every type, a merge commit every 100 commits, and an annotated release tag every 50
//! commits, every fifth release a release candidate of the next minor. Three sizes: 5,000, 50,000
//! (1,000 tags) and 200,000 commits, and the 50,000 again repacked as `git gc` leaves a clone's
//! pack (`50k-gc`) and once more with no release tag at all (`50k-untagged`: a project adopting
//! slipway before its first release, or one whose last release is long past, so every commit is
//! in one unreleased section); each is measured with a commit-graph file (`git commit-graph write`, as `git
//! gc` leaves one) and without (the file moved aside for those runs), and each with the objects
//! read by libgit2 alone (`SLIPWAY_READ_WITH_LIBGIT2=1`) as well as by gix-odb. Each
//! contender runs [`RUNS`] times after a warm-up (more on a short history: as many as take about
//! a second, see [`runs_for`]), taking turns with the floor, under
//! `/usr/bin/time` for the peak resident memory; the figures are medians, and the ratios divide
//! them by the floor's in the same run.
//!
//! `cargo xtask bench changelog 5k` (or `50k`, `50k-gc`, `50k-untagged`, `200k`) measures one
//! shape only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs of each side at least; more on a short history (see [`runs_for`]).
const RUNS: usize = 5;

/// How long the runs of one side should take together, at least: the median of five 20 ms runs
/// moved by up to a tenth between two benchmark runs on a quiet machine.
const SIDE_BUDGET: Duration = Duration::from_secs(1);

/// The runs of each side, odd (for a median), at most 41: enough that they take
/// [`SIDE_BUDGET`] when one takes `warm`.
fn runs_for(warm: Duration) -> usize {
    let wanted = SIDE_BUDGET.as_secs_f64() / warm.as_secs_f64().max(1e-3);
    // At most 1,000 (a millisecond a run): the cast cannot lose anything.
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
    let runs = (wanted.ceil().min(1e3) as usize).clamp(RUNS, 41);
    runs | 1
}

/// How a history differs from what `git fast-import` writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// As imported: each commit beside its tree and blob in the pack, a release tag every 50.
    Imported,
    /// The pack rewritten as `git gc` leaves it (`git repack -adf`: commits together at the
    /// front, some stored as deltas), as in a real clone.
    Repacked,
    /// As imported, with every tag deleted.
    Untagged,
}

/// The histories, by label, commit count and shape.
const SIZES: &[(&str, usize, Shape)] = &[
    ("5k", 5_000, Shape::Imported),
    ("50k", 50_000, Shape::Imported),
    ("50k-gc", 50_000, Shape::Repacked),
    ("50k-untagged", 50_000, Shape::Untagged),
    ("200k", 200_000, Shape::Imported),
];

/// The floor: every commit's id, subject and body, as `git log` prints them.
const FLOOR: &[&str] = &["log", "--format=%H%x00%s%x00%b"];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let root = crate::workspace_root();
    crate::cargo(&["build", "--release", "--quiet", "-p", "slipway"])?;
    let slipway = root.join("target/release/slipway");
    let sizes: Vec<(&str, usize, Shape)> = match args.first() {
        None => SIZES.to_vec(),
        Some(wanted) => SIZES
            .iter()
            .copied()
            .filter(|(label, _, _)| label == wanted)
            .collect(),
    };
    anyhow::ensure!(
        !sizes.is_empty(),
        "unknown size {args:?}: expected 5k, 50k, 50k-gc, 50k-untagged or 200k"
    );
    let mut report = String::new();
    writeln!(
        report,
        "{:<44} {:>9} {:>8} {:>10} {:>8}",
        "what", "median", "× floor", "peak", "× floor"
    )?;
    for (label, commits, kind) in sizes {
        let repository = synthetic_repository(&root, commits, kind)?;
        for graph in [true, false] {
            let _aside = CommitGraph::set(&repository, graph)?;
            let shape = format!(
                "{label}, {} commit-graph",
                if graph { "with" } else { "no" }
            );
            let floor = git(&repository, FLOOR);
            // The same changelog with every object read by libgit2 (ARCHITECTURE.md: why the
            // history is read with gix-odb).
            let mut libgit2 = slipway_in(&slipway, &repository, &["changelog"]);
            libgit2.env("SLIPWAY_READ_WITH_LIBGIT2", "1");
            let mut contenders = vec![
                (
                    "slipway changelog".to_owned(),
                    slipway_in(&slipway, &repository, &["changelog"]),
                ),
                ("slipway changelog, libgit2 reads".to_owned(), libgit2),
            ];
            if commits == 50_000 && kind == Shape::Imported {
                let mut dry_run = slipway_in(&slipway, &repository, &["release", "--dry-run"]);
                dry_run.env("SOURCE_DATE_EPOCH", "1763683200");
                contenders.push(("slipway release --dry-run".to_owned(), dry_run));
                contenders.push((
                    "slipway next-version".to_owned(),
                    slipway_in(&slipway, &repository, &["next-version"]),
                ));
                contenders.push((
                    "git log --topo-order, author, parents".to_owned(),
                    git(
                        &repository,
                        &[
                            "log",
                            "--topo-order",
                            "--format=%H%x00%P%x00%an%x00%ae%x00%at%x00%s%x00%b%x00",
                        ],
                    ),
                ));
            }
            let mut figures = Vec::new();
            for (name, command) in &contenders {
                figures.push((name, turns(&floor, command)?));
            }
            let (floor_wall, floor_peak) = figures[0].1.0;
            writeln!(
                report,
                "{:<44} {:>7.3} s {:>7.2}× {:>6.1} MiB {:>7.2}×",
                format!("{shape}: git log (floor)"),
                floor_wall.as_secs_f64(),
                1.0,
                floor_peak as f64 / 1024.0,
                1.0
            )?;
            for (name, (floor, (wall, peak))) in figures {
                writeln!(
                    report,
                    "{:<44} {:>7.3} s {:>7.2}× {:>6.1} MiB {:>7.2}×",
                    format!("{shape}: {name}"),
                    wall.as_secs_f64(),
                    wall.as_secs_f64() / floor.0.as_secs_f64(),
                    peak as f64 / 1024.0,
                    peak as f64 / floor.1 as f64
                )?;
            }
        }
    }
    for (tool, args) in [("git-cliff", &[][..]), ("convco", &["changelog"][..])] {
        if which(tool) {
            let mut command = Command::new(tool);
            command
                .args(args)
                .current_dir(synthetic_repository(&root, 50_000, Shape::Imported)?);
            let once = super::measure(&command)?;
            writeln!(
                report,
                "{tool}, full history, 50k commits (1 run): {:.3} s",
                once.wall.as_secs_f64()
            )?;
        } else {
            writeln!(report, "{tool}: not installed, skipped")?;
        }
    }
    print!("{report}");
    Ok(())
}

/// A median wall time and a median peak (KiB).
type Figure = (Duration, u64);

/// `floor` and `contender` in turns, a warm-up pair first: their medians.
fn turns(floor: &Command, contender: &Command) -> anyhow::Result<(Figure, Figure)> {
    let warm = super::measure(floor)?.wall;
    super::measure(contender)?;
    let runs = runs_for(warm);
    let mut sides = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (side, command) in [floor, contender].into_iter().enumerate() {
            let measured = super::measure(command)?;
            sides[side].push((measured.wall, measured.peak_kib));
        }
    }
    let median = |runs: &mut Vec<Figure>| {
        let mut walls: Vec<Duration> = runs.iter().map(|run| run.0).collect();
        let mut peaks: Vec<u64> = runs.iter().map(|run| run.1).collect();
        walls.sort();
        peaks.sort_unstable();
        (walls[walls.len() / 2], peaks[peaks.len() / 2])
    };
    let [mut floor_runs, mut contender_runs] = sides;
    Ok((median(&mut floor_runs), median(&mut contender_runs)))
}

/// The repository's commit-graph file, moved aside while `present` is false and back on drop.
struct CommitGraph {
    file: PathBuf,
    aside: PathBuf,
}

impl CommitGraph {
    fn set(repository: &Path, present: bool) -> anyhow::Result<CommitGraph> {
        let file = repository.join(".git/objects/info/commit-graph");
        let aside = repository.join(".git/objects/info/commit-graph.aside");
        if aside.exists() {
            std::fs::rename(&aside, &file)?;
        }
        if !file.exists() {
            crate::run(
                Command::new("git")
                    .args(["commit-graph", "write", "--reachable"])
                    .current_dir(repository),
            )?;
        }
        if !present {
            std::fs::rename(&file, &aside)?;
        }
        Ok(CommitGraph { file, aside })
    }
}

impl Drop for CommitGraph {
    fn drop(&mut self) {
        if self.aside.exists() {
            let _ = std::fs::rename(&self.aside, &self.file);
        }
    }
}

fn git(repository: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.args(args).current_dir(repository);
    command
}

fn slipway_in(slipway: &Path, repository: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(slipway);
    command.args(args).current_dir(repository);
    command
}

fn which(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Builds (once) a repository of `commits` commits of `shape`, and returns its path.
fn synthetic_repository(root: &Path, commits: usize, shape: Shape) -> anyhow::Result<PathBuf> {
    let name = match shape {
        Shape::Imported => format!("changelog-{commits}"),
        Shape::Repacked => format!("changelog-{commits}-gc"),
        Shape::Untagged => format!("changelog-{commits}-untagged"),
    };
    super::build_once(
        root,
        &name,
        2,
        || fast_import_stream(commits),
        |path| {
            super::release_project(path)?;
            match shape {
                Shape::Imported => {}
                Shape::Repacked => crate::run(
                    Command::new("git")
                        .args(["repack", "-adf", "-q"])
                        .current_dir(path),
                )?,
                Shape::Untagged => {
                    let tags = Command::new("git")
                        .args(["for-each-ref", "--format=delete %(refname)", "refs/tags"])
                        .current_dir(path)
                        .output()?;
                    anyhow::ensure!(tags.status.success(), "git for-each-ref failed");
                    let mut delete = Command::new("git")
                        .args(["update-ref", "--stdin"])
                        .current_dir(path)
                        .stdin(Stdio::piped())
                        .spawn()?;
                    std::io::Write::write_all(
                        &mut delete.stdin.take().expect("piped stdin"),
                        &tags.stdout,
                    )?;
                    anyhow::ensure!(delete.wait()?.success(), "git update-ref --stdin failed");
                }
            }
            Ok(())
        },
    )
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
