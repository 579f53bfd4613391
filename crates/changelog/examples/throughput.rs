//! Measures parse + build + render over a synthetic 50,000-commit history with 1,000 tags.
//!
//! `cargo run --release -p slipway-changelog --example throughput [commits] [tags]`
//!
//! This is the library's share of `slipway changelog`; the end-to-end benchmark against
//! `git log` is `cargo xtask bench changelog`.

use std::time::Instant;

use changelog::{
    Commit, Config, Date, Generator, History, Release, Remote, Signature, Time, json_string,
    markdown_string,
};
use versioning::Version;

const TYPES: [&str; 8] = [
    "feat", "fix", "docs", "chore", "refactor", "perf", "test", "ci",
];

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|arg| arg.parse::<u32>().expect("a number"));
    let commits = args.next().unwrap_or(50_000);
    let tags = args.next().unwrap_or(1_000);
    let history = synthetic(commits, tags);

    let start = Instant::now();
    let generator = Generator::new(Config::default()).expect("the default configuration compiles");
    let remote = Remote::parse("https://github.com/o/r");
    let changelog = generator.build(&history, remote.as_ref());
    let built = start.elapsed();
    let markdown = markdown_string(&changelog, None);
    let rendered = start.elapsed();
    let json = json_string(&changelog);
    let with_json = start.elapsed();
    let decision = generator.bump(&history.unreleased);
    let bumped = start.elapsed();

    #[expect(clippy::print_stdout, reason = "an example reports its measurements")]
    {
        println!(
            "{commits} commits, {tags} tags, {} releases listed",
            changelog.releases.len()
        );
        println!(
            "build (parse, settle, group): {:>8.1} ms",
            built.as_secs_f64() * 1e3
        );
        println!(
            "+ markdown ({:>6} KiB):     {:>8.1} ms",
            markdown.len() / 1024,
            rendered.as_secs_f64() * 1e3
        );
        println!(
            "+ json ({:>6} KiB):         {:>8.1} ms",
            json.len() / 1024,
            with_json.as_secs_f64() * 1e3
        );
        println!(
            "+ bump of {} unreleased:    {:>8.1} ms ({:?})",
            history.unreleased.len(),
            bumped.as_secs_f64() * 1e3,
            decision.level
        );
    }
}

/// Newest first; every 50th commit a merge, every 4th tag a pre-release followed by its stable.
fn synthetic(commits: u32, tags: u32) -> History {
    let per_tag = (commits / (tags + 1)).max(1);
    let mut all: Vec<Commit> = (0..commits)
        .rev()
        .map(|n| {
            let ty = TYPES[(n % 8) as usize];
            let message = if n % 50 == 0 {
                format!("Merge branch 'topic-{n}'")
            } else if n % 97 == 0 {
                format!("{ty}(core)!: change {n} (#{n})\n\nBody text for change {n}.\n\nBREAKING CHANGE: the API moved\nRefs: #{n}")
            } else if n % 13 == 0 {
                format!("Update file {n}")
            } else {
                format!("{ty}(scope{}): change number {n} (#{n})\n\nA body line explaining change {n}.", n % 17)
            };
            Commit {
                id: format!("{n:08x}{}", "ab".repeat(16)),
                message,
                author: Signature { name: format!("Author {}", n % 40), email: format!("a{}@example.com", n % 40) },
                time: Time { seconds: 1_700_000_000 + i64::from(n) * 600, offset_minutes: 0 },
                parent_count: if n % 50 == 0 { 2 } else { 1 },
                parents: Vec::new(),
                patch_id: None,
                paths: None,
            }
        })
        .collect();
    let unreleased: Vec<Commit> = all.drain(..per_tag as usize).collect();
    let mut releases = Vec::new();
    for tag in (0..tags).rev() {
        let take = (per_tag as usize).min(all.len());
        let range: Vec<Commit> = all.drain(..take).collect();
        let (major, minor) = (tag / 100, (tag / 4) % 25);
        let version = match tag % 4 {
            0 => format!("{major}.{minor}.0-rc.1"),
            1 => format!("{major}.{minor}.0"),
            patch => format!("{major}.{minor}.{}", patch - 1),
        };
        releases.push(Release {
            version: Some(Version::parse(&version).expect("a valid version")),
            tag: format!("v{version}"),
            target: range
                .first()
                .map_or_else(String::new, |commit| commit.id.clone()),
            date: Date::from_unix(1_700_000_000 + i64::from(tag) * 86_400, 0),
            commits: range,
        });
    }
    if let Some(oldest) = releases.last_mut() {
        oldest.commits.append(&mut all);
    }
    History {
        unreleased,
        releases,
    }
}
