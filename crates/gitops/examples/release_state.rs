//! Reads every release tag and its reachability from `HEAD` in one walk, for timing against
//! `git describe --tags --abbrev=0` (`cargo xtask bench release-state` runs it):
//!
//! ```text
//! cargo build --release -p slipway-gitops --example release_state
//! time target/release/examples/release_state <repo>
//! time git -C <repo> describe --tags --abbrev=0
//! ```
//!
//! A second argument chooses the walk's cutoff: `latest` (the default, what a next-version
//! decision needs), `dates` (every tag classified) or `none` (exact, to the root).
//!
//! The tag schemes are detected from the tag names, as a caller without a configured pattern
//! would. It prints one line: tags, reachable tags, commits walked, the latest reachable release,
//! the scheme for new tags and the in-process time in milliseconds.
#![expect(clippy::print_stdout, reason = "an example that reports what it read")]

use std::time::Instant;

use gitops::{Cutoff, Repository};
use versioning::TagSchemes;

fn main() -> Result<(), gitops::Error> {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    // `latest` (what `slipway next-version` uses), `dates` (every tag classified) or `none`.
    let cutoff = match std::env::args().nth(2).as_deref() {
        Some("dates") => Cutoff::Dates,
        Some("none") => Cutoff::None,
        _ => Cutoff::Latest,
    };
    let start = Instant::now();
    let repository = Repository::open(&path)?;
    let schemes = TagSchemes::detect(repository.tag_names()?);
    let state = repository.release_state_from("HEAD", &schemes.patterns(None), cutoff)?;
    let elapsed = start.elapsed();
    let reachable = state.tags.iter().filter(|tag| tag.reachable).count();
    println!(
        "tags={} reachable={reachable} walked={} latest={} new-scheme={} ms={:.1}",
        state.tags.len(),
        state.walked,
        state
            .latest_reachable()
            .map_or("none", |tag| tag.name.as_str()),
        schemes.scheme_for_new_tags(None),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}
