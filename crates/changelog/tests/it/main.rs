//! Integration tests for `changelog`: parsing, pitfalls, renderings, merging, bump levels.
//!
//! Histories are built as values with fixed ids, authors and dates; nothing reads git.

mod branches;
mod bump;
mod fuzz;
mod merge;
mod parse;
mod pitfalls;
mod properties;
mod remote;
mod render;
mod stream;

use changelog::{Commit, Config, Date, Generator, History, Release, Signature, Time};
use versioning::Version;

/// A deterministic 40-hex id from a small number: `0007c0ffee…` (short id `0007c0f`).
pub(crate) fn id(n: u32) -> String {
    format!("{n:04x}{}", "c0ffee".repeat(6))
}

/// A commit by Alice at a fixed time, with one parent.
pub(crate) fn commit(n: u32, message: &str) -> Commit {
    Commit {
        id: id(n),
        message: message.to_owned(),
        author: Signature {
            name: "Alice Example".into(),
            email: "alice@example.com".into(),
        },
        // 2026-11-21T10:00:00+01:00, plus n minutes.
        time: Time {
            seconds: 1_795_219_200 + 9 * 3600 + i64::from(n) * 60,
            offset_minutes: 60,
        },
        parent_count: 1,
        parents: Vec::new(),
        patch_id: None,
        paths: None,
    }
}

pub(crate) fn by(mut commit: Commit, name: &str) -> Commit {
    commit.author = Signature {
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
    };
    commit
}

pub(crate) fn date(text: &str) -> Date {
    let mut parts = text.split('-').map(|part| part.parse::<u32>().unwrap());
    let (year, month, day) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    Date {
        year: i32::try_from(year).unwrap(),
        month: u8::try_from(month).unwrap(),
        day: u8::try_from(day).unwrap(),
    }
}

/// A release tagged `v{version}` on its newest commit (or on `target` if there are no commits).
pub(crate) fn release(version: &str, on: &str, commits: Vec<Commit>) -> Release {
    let target = commits
        .first()
        .map_or_else(|| id(0), |commit| commit.id.clone());
    Release {
        version: Version::parse(version).ok(),
        tag: format!("v{version}"),
        target,
        date: date(on),
        commits,
    }
}

pub(crate) fn generator() -> Generator {
    Generator::new(Config::default()).unwrap()
}

/// The listed descriptions of one release (`None` = unreleased), section by section.
pub(crate) fn listed(history: &History, config: Config, version: Option<&str>) -> Vec<String> {
    let generator = Generator::new(config).unwrap();
    let changelog = generator.build(history, None);
    let notes = match version {
        None => changelog.unreleased.as_ref(),
        Some(version) => changelog.release(version),
    };
    let Some(notes) = notes else {
        return Vec::new();
    };
    notes
        .sections
        .iter()
        .flat_map(|section| {
            section
                .entries
                .iter()
                .map(move |entry| format!("{}: {}", section.title, entry.description))
        })
        .collect()
}

/// The headings of a built changelog, newest first, e.g. `Unreleased`, `1.2.0`.
pub(crate) fn headings(history: &History, config: Config) -> Vec<String> {
    let generator = Generator::new(config).unwrap();
    let changelog = generator.build(history, None);
    changelog
        .unreleased
        .iter()
        .map(|_| "Unreleased".to_owned())
        .chain(
            changelog
                .releases
                .iter()
                .map(|release| release.version.clone().unwrap()),
        )
        .collect()
}
