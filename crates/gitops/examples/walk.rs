//! Runs one history operation over a repository, for timing against `git log`:
//!
//! ```text
//! cargo build --release -p slipway-gitops --example walk
//! time target/release/examples/walk <repo> history   # release_history over all tags
//! time target/release/examples/walk <repo> commits   # commits(HEAD)
//! time target/release/examples/walk <repo> since     # latest release + commits since
//! time git -C <repo> log --format='%H %an %ae %at %B' >/dev/null
//! ```
#![expect(clippy::print_stdout, reason = "an example that reports what it read")]

use gitops::{HistoryOptions, Range, Repository};
use versioning::TagPattern;

fn main() -> Result<(), gitops::Error> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| ".".to_owned());
    let mode = args.next().unwrap_or_else(|| "history".to_owned());
    let repository = Repository::open(&path)?;
    let pattern = TagPattern::default();
    let options = HistoryOptions::default();
    match mode.as_str() {
        "history" => {
            let tags = repository.release_tags(&pattern)?;
            let history = repository.release_history(&tags, &options)?;
            let commits: usize = history
                .releases
                .iter()
                .map(|r| r.commits.len())
                .sum::<usize>()
                + history.unreleased.len();
            println!("{} releases, {commits} commits", tags.len());
        }
        "commits" => {
            let commits = repository.commits(&Range::head(), &options)?;
            println!("{} commits", commits.len());
        }
        _ => {
            let latest = repository.latest_release(&pattern, false)?;
            let range = latest
                .as_ref()
                .map_or_else(Range::head, |tag| Range::since(tag.target.as_str()));
            let commits = repository.commits(&range, &options)?;
            println!(
                "latest {:?}, {} commits since",
                latest.map(|t| t.name),
                commits.len()
            );
        }
    }
    Ok(())
}
