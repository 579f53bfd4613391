//! Times the history operations on a repository: `cargo run --release -p slipway-gitops
//! --example walk -- <path>`. Compare with `git log --format='%H %an %ae %at %B'`.
#![expect(clippy::print_stdout, reason = "an example that reports timings")]

use std::time::Instant;

use gitops::{HistoryOptions, Range, Repository};
use versioning::TagPattern;

fn main() -> Result<(), gitops::Error> {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let repository = Repository::open(&path)?;
    let pattern = TagPattern::default();

    let start = Instant::now();
    let tags = repository.release_tags(&pattern)?;
    let history = repository.release_history(&tags, &HistoryOptions::default())?;
    let commits: usize = history
        .releases
        .iter()
        .map(|r| r.commits.len())
        .sum::<usize>()
        + history.unreleased.len();
    println!(
        "release_history: {} tags, {commits} commits in {:?}",
        tags.len(),
        start.elapsed()
    );

    let start = Instant::now();
    let all = repository.commits(&Range::head(), &HistoryOptions::default())?;
    println!(
        "commits(HEAD): {} commits in {:?}",
        all.len(),
        start.elapsed()
    );

    let start = Instant::now();
    let latest = repository.latest_release(&pattern, false)?;
    let since = match &latest {
        Some(tag) => repository.commits(
            &Range::since(tag.target.as_str()),
            &HistoryOptions::default(),
        )?,
        None => all,
    };
    println!(
        "latest release {:?} and {} commits since in {:?}",
        latest.map(|tag| tag.name),
        since.len(),
        start.elapsed()
    );
    Ok(())
}
