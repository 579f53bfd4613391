//! From git to the changelog's values: release tags, the history split at them, today's date.
//!
//! `gitops` reads the repository and `changelog` decides what to say; this module converts the one's
//! values into the other's, so that neither crate knows the other.

use anyhow::Context as _;

/// What a changelog is made from: the history split at release tags, and the forge links are for.
#[derive(Debug)]
pub struct RepositoryHistory {
    /// Releases (newest first) and the unreleased commits.
    pub history: changelog::History,
    /// The forge of the remote, for compare, commit and issue links.
    pub remote: Option<changelog::Remote>,
    /// The release tags found, oldest release first.
    pub tags: Vec<gitops::Tag>,
}

/// Which part of the history to read.
#[derive(Debug, Default, Clone)]
pub struct HistoryRequest {
    /// Only commits that touch these paths (prefixes or globs).
    pub include_paths: Vec<String>,
    /// Only commits of this range (`A..B`).
    pub range: Option<String>,
    /// The remote whose URL gives the forge links.
    pub remote: Option<String>,
}

/// Reads the release tags and the history split at them.
pub fn read(
    repository: &gitops::Repository,
    scheme: &crate::tags::TagScheme,
    request: &HistoryRequest,
) -> anyhow::Result<RepositoryHistory> {
    let tags = scheme.release_tags(repository)?;
    if tags.is_empty() {
        tracing::debug!(
            "no tag matches the tag pattern {}: every commit is unreleased",
            scheme.describe()
        );
    }
    let options = gitops::HistoryOptions {
        paths: gitops::PathFilter::new(&request.include_paths),
        // Patch ids cost a diff per commit; they only matter where a cherry-pick can hide,
        // which the `(cherry picked from commit …)` trailer already reveals for slipway's own picks.
        ..gitops::HistoryOptions::default()
    };
    let split = repository
        .release_history(&tags, &options)
        .context("cannot read the history")?;
    let in_range = match &request.range {
        Some(range) => {
            let commits = repository
                .commits(
                    &gitops::Range::parse(range),
                    &gitops::HistoryOptions::default(),
                )
                .with_context(|| format!("--range {range}"))
                .map_err(crate::bad_input)?;
            Some(
                commits
                    .into_iter()
                    .map(|commit| commit.id)
                    .collect::<std::collections::HashSet<_>>(),
            )
        }
        None => None,
    };
    let keep =
        |commit: &gitops::Commit| in_range.as_ref().is_none_or(|set| set.contains(&commit.id));

    // The history is consumed as it is converted: holding gitops' commits and the changelog's
    // copies at once doubled the peak memory of a full-history changelog.
    let mut releases: Vec<changelog::Release> = split
        .releases
        .into_iter()
        .rev()
        .filter(|release| in_range.is_none() || release.commits.iter().any(keep))
        .map(|release| changelog::Release {
            version: Some(release.tag.version.clone()),
            date: date(release.tag.date),
            target: release.tag.target.as_str().to_owned(),
            tag: release.tag.name,
            commits: release
                .commits
                .into_iter()
                .filter(|commit| keep(commit))
                .map(into_changelog)
                .collect(),
        })
        .collect();
    releases.shrink_to_fit();
    let unreleased = split
        .unreleased
        .into_iter()
        .filter(|commit| keep(commit))
        .map(into_changelog)
        .collect();
    let remote = forge(repository, request.remote.as_deref())?;
    Ok(RepositoryHistory {
        history: changelog::History {
            unreleased,
            releases,
        },
        remote,
        tags,
    })
}

/// Some of a release's commits, by index in the releases, or of the unreleased ones (`None`),
/// whether they are the last, and with the last, the release's order when its commits came in
/// another (see [`gitops::HistoryPart::order`]).
type Part = (Option<usize>, Vec<gitops::Commit>, bool, Option<Vec<u32>>);

/// Parts go to the renderer in groups of about this many commits. Each hand-off wakes its
/// thread, and where the scheduler puts that thread on the reading thread's core, the read
/// stops for a turn: when a shell forked slipway, the 5k benchmark history had 38 such turns a
/// run, one per part; in groups, 6.
const GROUP_COMMITS: usize = 512;

/// The whole history's changelog in Markdown, built while the history is read: commits are
/// converted and handed to a [`changelog::Stream`] on a second thread as soon as they are read,
/// then dropped, so that what is held is the rendered text and, for the releases not complete
/// yet, what the stream keeps of their commits (not the commits). The text equals
/// [`changelog::markdown_string`] of [`read`]'s history built by `generator`.
pub fn stream_markdown(
    repository: &gitops::Repository,
    scheme: &crate::tags::TagScheme,
    request: &HistoryRequest,
    generator: &changelog::Generator,
) -> anyhow::Result<changelog::MarkdownStream> {
    anyhow::ensure!(request.range.is_none(), "a range is not streamed");
    let tags = scheme.release_tags(repository)?;
    let options = gitops::HistoryOptions {
        paths: gitops::PathFilter::new(&request.include_paths),
        ..gitops::HistoryOptions::default()
    };
    let remote = forge(repository, request.remote.as_deref())?;
    // Newest first, as `changelog::History::releases`; `release_history_each` hands the parts
    // out in the opposite order.
    let mut order: Vec<&gitops::Tag> = tags.iter().collect();
    order.sort_by(|a, b| b.release_order(a));
    let releases: Vec<changelog::Release> = order
        .iter()
        .map(|tag| changelog::Release {
            version: Some(tag.version.clone()),
            date: date(tag.date),
            target: tag.target.as_str().to_owned(),
            tag: tag.name.clone(),
            commits: Vec::new(),
        })
        .collect();
    let count = releases.len();
    let mut stream = generator.stream(releases, remote.as_ref());
    // Sixteen groups waiting at most. Two were measured: without a commit-graph the reading
    // thread, the longest chain of work, then waited for the renderer, 0.74x the floor became
    // 0.96x on the 200k history.
    let (parts, received) = std::sync::mpsc::sync_channel::<Vec<Part>>(16);
    let (read, markdown) = std::thread::scope(|scope| {
        let renderer = std::thread::Builder::new()
            .name("changelog".to_owned())
            .spawn_scoped(scope, || {
                for (index, commits, complete, order) in received.into_iter().flatten() {
                    stream.commits(index, commits.into_iter().map(into_changelog));
                    match order {
                        Some(order) => stream.complete_reordered(index, &order),
                        None if complete => stream.complete(index),
                        None => {}
                    }
                }
                stream.finish()
            })
            .expect("starting the changelog thread");
        let mut next = count;
        let mut open = false;
        let mut group: Vec<Part> = Vec::new();
        let mut grouped = 0;
        // As read: a long release (a history with few tags, and no commit-graph) is then
        // rendered while it is listed, and put in order at the end.
        let read = repository.release_history_as_read(&tags, &options, |part| {
            // A release's first part takes the next index; its other parts, the same.
            let index = part.tag.map(|_| {
                if !open {
                    next -= 1;
                }
                next
            });
            open = !part.complete;
            grouped += part.commits.len();
            group.push((index, part.commits, part.complete, part.order));
            if grouped >= GROUP_COMMITS {
                grouped = 0;
                // The renderer only stops early by panicking, which the join below reports.
                let _ = parts.send(std::mem::take(&mut group));
            }
        });
        if !group.is_empty() {
            let _ = parts.send(group);
        }
        drop(parts);
        let markdown = renderer.join().expect("the changelog renderer panicked");
        (read, markdown)
    });
    read.context("cannot read the history")?;
    Ok(markdown)
}

/// The forge of remote `name` (for compare, commit and issue links), when there is one and its
/// URL names a known forge.
pub fn forge(
    repository: &gitops::Repository,
    name: Option<&str>,
) -> anyhow::Result<Option<changelog::Remote>> {
    let Some(name) = name else {
        return Ok(None);
    };
    Ok(repository
        .remote_url(name)
        .with_context(|| format!("cannot read the URL of remote {name}"))?
        .and_then(|url| changelog::Remote::parse(&url)))
}

/// A git commit as the changelog sees it: its text without control characters (but newlines and
/// tabs), so that no terminal escape in a commit message reaches CHANGELOG.md, a tag message or a
/// release's notes.
pub fn convert(commit: &gitops::Commit) -> changelog::Commit {
    into_changelog(commit.clone())
}

/// A git commit as the changelog sees it, taking its text instead of copying it (a copy is made
/// only of text that has control characters to strip).
pub fn into_changelog(commit: gitops::Commit) -> changelog::Commit {
    let clean = |text: String| match changelog::strip_control(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(stripped) => stripped,
    };
    changelog::Commit {
        id: commit.id.into_string(),
        message: clean(commit.message),
        author: changelog::Signature {
            name: clean(commit.author.name),
            email: clean(commit.author.email),
        },
        time: changelog::Time {
            seconds: commit.author.time.seconds,
            offset_minutes: commit.author.time.offset_minutes,
        },
        parent_count: commit.parent_count,
        parents: commit
            .parents
            .into_iter()
            .map(gitops::CommitId::into_string)
            .collect(),
        patch_id: commit.patch_id.as_ref().map(|id| id.as_str().to_owned()),
        paths: None,
    }
}

/// The calendar date of a git time, in that time's own offset.
pub fn date(time: gitops::Time) -> changelog::Date {
    changelog::Date::from_unix(time.seconds, time.offset_minutes)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> anyhow::Result<changelog::Date> {
    let parts: Vec<&str> = text.split('-').collect();
    let parsed = match parts.as_slice() {
        [year, month, day] if year.len() == 4 && month.len() == 2 && day.len() == 2 => {
            match (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>()) {
                (Ok(year), Ok(month @ 1..=12), Ok(day @ 1..=31)) => {
                    Some(changelog::Date { year, month, day })
                }
                _ => None,
            }
        }
        _ => None,
    };
    parsed.ok_or_else(|| {
        crate::bad_input(anyhow::anyhow!(
            "{text:?} is not a date: expected YYYY-MM-DD"
        ))
    })
}
