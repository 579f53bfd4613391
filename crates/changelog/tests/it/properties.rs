//! Properties: no panic on arbitrary messages; merging is idempotent and keeps older sections.

use changelog::{
    Commit, History, MergeOutcome, ReleaseBlock, Remote, json_string, markdown_string,
    merge_release, merge_rerelease, parse_message,
};
use proptest::prelude::*;

use crate::{commit, generator, release};

/// Messages that look like commits: conventional-ish prefixes, footers, trailers and noise.
fn message() -> impl Strategy<Value = String> {
    let head = prop_oneof![
        Just(String::new()),
        "[a-z]{1,6}".prop_map(|ty| format!("{ty}: ")),
        "[a-z]{1,6}".prop_map(|ty| format!("{ty}(x)!: ")),
        Just("Revert \"".to_owned()),
        Just("fixup! ".to_owned()),
        Just("Merge branch ".to_owned()),
    ];
    let tail = prop_oneof![
        Just(String::new()),
        Just("\n\nBREAKING CHANGE: y".to_owned()),
        Just("\n\nThis reverts commit 0000000100000001000000010000000100000001.".to_owned()),
        Just("\n\n(cherry picked from commit 0000000200000002".to_owned()),
        Just("\n\nRefs: #1, #x\nCloses #".to_owned()),
        ".*",
    ];
    (head, any::<String>(), "(\\(#[0-9]{0,3}\\)?)?", tail)
        .prop_map(|(head, body, pr, tail)| format!("{head}{body}{pr}{tail}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_messages_never_panic(messages in proptest::collection::vec((message(), 1usize..3), 0..12)) {
        for (message, parents) in &messages {
            let parsed = parse_message(message, *parents);
            prop_assert!(message.contains(parsed.description) || parsed.description.is_empty());
        }
        let commits: Vec<Commit> = messages
            .iter()
            .enumerate()
            .map(|(n, (message, parents))| Commit { parent_count: *parents, ..commit(n as u32 + 1, message) })
            .collect();
        let (older, newer) = commits.split_at(commits.len() / 2);
        let history = History {
            unreleased: newer.to_vec(),
            releases: vec![release("1.0.0", "2026-11-21", older.to_vec())],
        };
        let remote = Remote::parse("https://github.com/o/r");
        let changelog = generator().build(&history, remote.as_ref());
        let markdown = markdown_string(&changelog, None);
        let _ = json_string(&changelog);
        let _ = generator().bump(&commits);
        for notes in changelog.unreleased.iter().chain(&changelog.releases) {
            let block = ReleaseBlock::new(&changelog, notes);
            let once = match merge_release(&markdown, &block) {
                MergeOutcome::Updated(text) => text,
                MergeOutcome::AlreadyPresent => markdown.clone(),
            };
            let twice = match merge_release(&once, &block) {
                MergeOutcome::Updated(text) => text,
                MergeOutcome::AlreadyPresent => once.clone(),
            };
            prop_assert_eq!(once, twice);
        }
    }

    #[test]
    fn arbitrary_remote_urls_never_panic(url in ".*") {
        if let Some(remote) = Remote::parse(&url) {
            prop_assert!(remote.url.starts_with("http"));
        }
    }
}

/// An existing changelog: optional header, optional unreleased section, older releases with
/// arbitrary hand-written lines, optional link references.
fn existing_changelog() -> impl Strategy<Value = (String, Vec<String>)> {
    let line = prop_oneof![
        "[^\n#\\[]{0,30}",
        "- [^\n]{0,30}",
        "### [A-Za-z]{1,10}",
        Just(String::new())
    ];
    let section =
        (0u32..50, proptest::collection::vec(line.clone(), 0..5)).prop_map(|(minor, lines)| {
            let mut text = format!("## [0.{minor}.0] - 2026-01-01\n");
            for line in lines {
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
    (
        prop_oneof![Just(String::new()), Just("# Changelog\n\n".to_owned()), "[^\n#\\[]{0,20}\n"],
        proptest::option::of(proptest::collection::vec(line, 0..3)),
        proptest::collection::vec(section, 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(header, unreleased, sections, links, crlf)| {
            let mut text = header;
            if let Some(lines) = unreleased {
                text.push_str("## [Unreleased]\n");
                for line in lines {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            let mut kept = Vec::new();
            for section in sections {
                // A version mentioned twice would make "kept" ambiguous; one mention is enough.
                if kept.iter().any(|existing: &String| existing.lines().next() == section.lines().next()) {
                    continue;
                }
                text.push_str(&section);
                kept.push(section);
            }
            if links {
                text.push_str("\n[Unreleased]: https://github.com/o/r/compare/v0.1.0...HEAD\n[0.1.0]: https://github.com/o/r/releases/tag/v0.1.0\n");
            }
            if crlf {
                text = text.replace('\n', "\r\n");
                kept = kept.into_iter().map(|section| section.replace('\n', "\r\n")).collect();
            }
            (text, kept)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn prepending_is_idempotent_and_keeps_older_sections((existing, kept) in existing_changelog(), unreleased in any::<bool>(), with_remote in any::<bool>()) {
        let history = History {
            unreleased: vec![commit(3, "feat: new thing")],
            releases: vec![release("1.2.0", "2026-11-21", vec![commit(2, "fix: a (#4)")]), release("1.1.0", "2026-11-01", vec![commit(1, "feat: b")])],
        };
        let remote = Remote::parse("https://github.com/o/r").filter(|_| with_remote);
        let changelog = generator().build(&history, remote.as_ref());
        let notes = if unreleased { changelog.unreleased.as_ref().unwrap() } else { changelog.release("1.2.0").unwrap() };
        let block = ReleaseBlock::new(&changelog, notes);
        let MergeOutcome::Updated(once) = merge_release(&existing, &block) else {
            return Err(TestCaseError::fail("1.2.0 is never in the generated changelog"));
        };
        for section in &kept {
            prop_assert!(once.contains(section.as_str()), "lost {section:?} in {once:?}");
        }
        let first_heading = block.text.lines().next().unwrap();
        prop_assert_eq!(once.matches(first_heading).count(), 1);
        match merge_release(&once, &block) {
            MergeOutcome::Updated(twice) => {
                prop_assert!(unreleased, "a versioned release must be found the second time");
                prop_assert_eq!(twice, once);
            }
            MergeOutcome::AlreadyPresent => prop_assert!(!unreleased),
        }
    }

    #[test]
    fn hand_written_lines_under_unreleased_survive_a_release_and_a_re_release((existing, _) in existing_changelog(), with_remote in any::<bool>()) {
        let history = History {
            unreleased: vec![commit(3, "feat: new thing")],
            releases: vec![release("1.2.0", "2026-11-21", vec![commit(2, "fix: a (#4)")]), release("1.1.0", "2026-11-01", vec![commit(1, "feat: b")])],
        };
        let remote = Remote::parse("https://github.com/o/r").filter(|_| with_remote);
        let changelog = generator().build(&history, remote.as_ref());
        let block = ReleaseBlock::new(&changelog, changelog.release("1.2.0").unwrap());
        let MergeOutcome::Updated(once) = merge_release(&existing, &block) else {
            return Err(TestCaseError::fail("1.2.0 is never in the generated changelog"));
        };
        let plain = existing.replace("\r\n", "\n");
        if let Some(start) = plain.find("## [Unreleased]\n") {
            let body = &plain[start + "## [Unreleased]\n".len()..];
            let end = [body.find("\n## "), body.find("## ").filter(|at| *at == 0), body.find("\n[Unreleased]:")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(body.len());
            for line in body[..end].lines() {
                let line = line.trim_end_matches('\r');
                if line.trim().is_empty() || line.starts_with("### ") {
                    continue;
                }
                prop_assert!(once.contains(line), "lost the hand-written {line:?} in {once:?}");
            }
        }
        // Released again (after a deleted tag): the same text, the hand-written lines still there.
        let again = match merge_rerelease(&once, &block) {
            MergeOutcome::Updated(text) => text,
            MergeOutcome::AlreadyPresent => return Err(TestCaseError::fail("a re-release always updates")),
        };
        prop_assert_eq!(again, once);
    }
}
