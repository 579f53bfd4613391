use std::io::Write as _;
use std::process::Stdio;

use gitops::test_support::TestRepo;
use gitops::{CommitId, Error, HistoryOptions, PathFilter, Range, Repository};

use crate::{pattern, shallow_clone};

fn ids(commits: &[gitops::Commit]) -> Vec<String> {
    commits.iter().map(|commit| commit.id.to_string()).collect()
}

/// `git log --topo-order --format=%H <args>`.
fn git_ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut full = vec!["log", "--topo-order", "--format=%H"];
    full.extend_from_slice(args);
    repo.git(&full).lines().map(str::to_owned).collect()
}

/// A history with branches and merges whose commit times interleave.
fn branchy() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("feat: root").commit("feat: one").tag("v0.1.0");
    repo.branch("topic");
    repo.commit("fix: main 1");
    repo.checkout("topic").commit("feat: topic 1");
    repo.checkout("main").commit("fix: main 2");
    repo.checkout("topic").commit("feat: topic 2");
    repo.checkout("main").merge("topic", "Merge branch 'topic'");
    repo.commit("docs: after merge").tag("v0.2.0");
    repo.git(&["switch", "--quiet", "-c", "side"]);
    repo.commit("feat: side");
    repo.checkout("main").commit("fix: main 3");
    repo.merge("side", "Merge branch 'side'")
        .commit("chore: last");
    repo
}

#[test]
fn commits_since_the_last_tag_match_git_log() {
    let repo = branchy();
    let opened = repo.open();
    let last = opened.latest_release(&pattern(), false).unwrap().unwrap();
    assert_eq!(last.name, "v0.2.0");
    let commits = opened
        .commits(
            &Range::since(last.target.as_str()),
            &HistoryOptions::default(),
        )
        .unwrap();
    assert_eq!(ids(&commits), git_ids(&repo, &["v0.2.0..HEAD"]));
    assert_eq!(commits.len(), 4);
}

#[test]
fn the_whole_history_comes_in_git_topological_order() {
    let repo = branchy();
    let commits = repo
        .open()
        .commits(&Range::head(), &HistoryOptions::default())
        .unwrap();
    assert_eq!(ids(&commits), git_ids(&repo, &["HEAD"]));
}

#[test]
fn commits_between_two_tags_match_git_log() {
    let repo = branchy();
    let opened = repo.open();
    let commits = opened
        .commits(
            &Range::between("v0.1.0", "v0.2.0"),
            &HistoryOptions::default(),
        )
        .unwrap();
    assert_eq!(ids(&commits), git_ids(&repo, &["v0.1.0..v0.2.0"]));
    let parsed = opened
        .commits(&Range::parse("v0.1.0..v0.2.0"), &HistoryOptions::default())
        .unwrap();
    assert_eq!(parsed, commits);
    let open_ended = opened
        .commits(&Range::parse("v0.2.0.."), &HistoryOptions::default())
        .unwrap();
    assert_eq!(ids(&open_ended), git_ids(&repo, &["v0.2.0..HEAD"]));
    let several = Range::empty()
        .include("side")
        .include("topic")
        .exclude("v0.1.0");
    let commits = opened
        .commits(&several, &HistoryOptions::default())
        .unwrap();
    assert_eq!(ids(&commits), git_ids(&repo, &["side", "topic", "^v0.1.0"]));
}

#[test]
fn commits_carry_message_author_time_and_parent_count() {
    let repo = branchy();
    repo.git(&[
        "commit",
        "--quiet",
        "--allow-empty",
        "-m",
        "feat: body\n\nThe body.\n\nRefs: #12",
    ]);
    let commits = repo
        .open()
        .commits(&Range::parse("HEAD~3..HEAD"), &HistoryOptions::default())
        .unwrap();
    let log = repo.git(&[
        "log",
        "--topo-order",
        "--format=%H%x00%an%x00%ae%x00%at%x00%ct%x00%P%x00%s",
        "HEAD~3..HEAD",
    ]);
    for (commit, line) in commits.iter().zip(log.lines()) {
        let fields: Vec<&str> = line.split('\0').collect();
        assert_eq!(commit.id.as_str(), fields[0]);
        assert_eq!(commit.author.name, fields[1]);
        assert_eq!(commit.author.email, fields[2]);
        assert_eq!(commit.author.time.seconds.to_string(), fields[3]);
        assert_eq!(commit.author.time.offset_minutes, 0);
        assert_eq!(commit.committer_time.seconds.to_string(), fields[4]);
        assert_eq!(commit.parent_count, fields[5].split(' ').count());
        assert_eq!(commit.summary(), fields[6]);
        assert_eq!(commit.patch_id, None, "patch ids only on request");
    }
    assert_eq!(commits.len(), log.lines().count());
    let newest = &commits[0];
    assert_eq!(newest.body(), "The body.\n\nRefs: #12");
    assert_eq!(
        newest.message,
        repo.git(&["log", "-1", "--format=%B"])
            .trim_end()
            .to_owned()
            + "\n"
    );
    assert!(commits.iter().any(gitops::Commit::is_merge));
}

#[test]
fn a_path_filter_keeps_the_commits_touching_those_paths() {
    let repo = TestRepo::new();
    repo.commit_file("crates/a/src/lib.rs", "1", "feat(a): one")
        .commit_file("crates/b/src/lib.rs", "1", "feat(b): one")
        .commit_file("docs/guide.md", "1", "docs: guide")
        .commit_file("crates/a/README.md", "1", "docs(a): readme")
        .commit_file("docs/notes.txt", "1", "docs: notes");
    repo.branch("topic")
        .checkout("topic")
        .commit_file("crates/a/x.rs", "1", "feat(a): on topic");
    repo.checkout("main")
        .commit_file("crates/b/y.rs", "1", "feat(b): on main");
    repo.merge("topic", "Merge topic");
    let opened = repo.open();
    let check = |entries: &[&str], pathspec: &[&str]| {
        let options = HistoryOptions {
            paths: PathFilter::new(entries),
            patch_ids: false,
        };
        let commits = opened.commits(&Range::head(), &options).unwrap();
        let mut args = vec!["HEAD", "--"];
        args.extend_from_slice(pathspec);
        assert_eq!(ids(&commits), git_ids(&repo, &args), "{entries:?}");
        commits.len()
    };
    // The merge takes `topic`'s side unchanged for crates/a: git and gitops both leave it out.
    assert_eq!(check(&["crates/a"], &["crates/a"]), 3);
    assert_eq!(check(&["crates/a/", "docs"], &["crates/a", "docs"]), 5);
    assert_eq!(check(&["docs/*.md"], &[":(glob)docs/*.md"]), 1);
    assert_eq!(check(&["nothing/here"], &["nothing/here"]), 0);
}

fn git_patch_id(repo: &TestRepo, commit: &CommitId) -> String {
    let diff = repo.git(&["show", "--no-renames", commit.as_str()]);
    let mut child = repo
        .command("git")
        .args(["patch-id", "--stable"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(diff.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .split(' ')
        .next()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn patch_ids_match_git_patch_id_and_recognise_cherry_picks() {
    let repo = TestRepo::new();
    repo.commit_file("a.txt", "one\ntwo\nthree\n", "feat: a");
    repo.branch("other");
    repo.commit_file("a.txt", "one\n2\nthree\n", "fix: two");
    let fix = repo.head();
    repo.checkout("other")
        .commit_file("b.txt", "b\n", "feat: b");
    repo.git(&["cherry-pick", "-x", fix.as_str()]);
    let picked = repo.head();
    let opened = repo.open();
    let patch_id = opened.patch_id(&fix).unwrap().unwrap();
    assert_eq!(patch_id.as_str(), git_patch_id(&repo, &fix));
    assert_eq!(opened.patch_id(&picked).unwrap().unwrap(), patch_id);
    let root = repo.rev("main~1");
    assert_eq!(
        opened.patch_id(&root).unwrap().unwrap().as_str(),
        git_patch_id(&repo, &root)
    );

    let options = HistoryOptions {
        patch_ids: true,
        ..HistoryOptions::default()
    };
    let commits = opened.commits(&Range::head(), &options).unwrap();
    assert!(commits.iter().all(|commit| commit.patch_id.is_some()));
    assert_eq!(commits[0].patch_id.as_ref(), Some(&patch_id));
}

#[test]
fn merges_and_empty_commits_have_no_patch_id() {
    let repo = branchy();
    repo.git(&["commit", "--quiet", "--allow-empty", "-m", "chore: empty"]);
    let opened = repo.open();
    assert_eq!(opened.patch_id(&repo.head()).unwrap(), None);
    assert_eq!(
        opened.patch_id(&repo.rev("HEAD~2")).unwrap(),
        None,
        "a merge"
    );
}

#[test]
fn the_release_history_splits_every_commit_at_the_tags() {
    let repo = branchy();
    // A hotfix tag on a side branch merged back, and two tags on one commit.
    repo.git(&["switch", "--quiet", "-c", "hotfix/0.2.1", "v0.2.0"]);
    repo.commit("fix: hotfix").tag("v0.2.1");
    repo.checkout("main").merge("hotfix/0.2.1", "Merge hotfix");
    repo.commit("feat: next").tag("v0.3.0-rc.1").tag("v0.3.0");
    repo.commit("feat: unreleased 1")
        .commit("fix: unreleased 2");
    let opened = repo.open();
    let tags = opened.release_tags(&pattern()).unwrap();
    let history = opened
        .release_history(&tags, &HistoryOptions::default())
        .unwrap();

    let names: Vec<&str> = history
        .releases
        .iter()
        .map(|r| r.tag.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["v0.1.0", "v0.2.0", "v0.2.1", "v0.3.0-rc.1", "v0.3.0"]
    );
    let mut lower: Vec<String> = Vec::new();
    for release in &history.releases {
        let commits = ids(&release.commits);
        if release.tag.name == "v0.3.0-rc.1" {
            // Shares its commit with v0.3.0, which has the higher precedence and owns it.
            assert_eq!(commits, Vec::<String>::new());
            continue;
        }
        let mut args = vec![release.tag.name.clone()];
        args.extend(lower.iter().map(|tag| format!("^{tag}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(commits, git_ids(&repo, &args), "{}", release.tag.name);
        assert!(!commits.is_empty());
        lower.push(release.tag.name.clone());
    }
    let mut args = vec!["HEAD".to_owned()];
    args.extend(lower.iter().map(|tag| format!("^{tag}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(ids(&history.unreleased), git_ids(&repo, &args));
    assert_eq!(history.unreleased.len(), 2);
    // Every commit appears exactly once.
    let total: usize = history
        .releases
        .iter()
        .map(|r| r.commits.len())
        .sum::<usize>()
        + history.unreleased.len();
    assert_eq!(
        total,
        repo.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse::<usize>()
            .unwrap()
    );
}

#[test]
fn stable_tags_only_fold_pre_releases_into_the_next_release() {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    repo.commit("feat: b").tag("v1.1.0-rc.1");
    repo.commit("fix: c").tag("v1.1.0");
    let opened = repo.open();
    let stable: Vec<_> = opened
        .release_tags(&pattern())
        .unwrap()
        .into_iter()
        .filter(|tag| !tag.version.is_prerelease())
        .collect();
    let history = opened
        .release_history(&stable, &HistoryOptions::default())
        .unwrap();
    let summaries: Vec<Vec<&str>> = history
        .releases
        .iter()
        .map(|release| {
            release
                .commits
                .iter()
                .map(gitops::Commit::summary)
                .collect()
        })
        .collect();
    assert_eq!(summaries, vec![vec!["feat: a"], vec!["fix: c", "feat: b"]]);
    assert_eq!(history.unreleased, vec![]);
}

#[test]
fn without_tags_everything_is_unreleased() {
    let repo = branchy();
    let history = repo
        .open()
        .release_history(&[], &HistoryOptions::default())
        .unwrap();
    assert_eq!(history.releases, vec![]);
    assert_eq!(ids(&history.unreleased), git_ids(&repo, &["HEAD"]));
}

#[test]
fn a_shallow_clone_refuses_to_list_history() {
    let repo = branchy();
    let clone = shallow_clone(&repo);
    let opened = clone.open();
    for error in [
        opened
            .commits(&Range::head(), &HistoryOptions::default())
            .unwrap_err(),
        opened
            .release_history(&[], &HistoryOptions::default())
            .unwrap_err(),
    ] {
        assert!(matches!(error, Error::ShallowClone { .. }), "{error:?}");
    }
}

/// Remove the loose objects of the commits older than `keep` commits below `tag`, so
/// anything that reads them fails: what still works provably never reads them.
fn forget_old_history(repo: &TestRepo, tag: &str, keep: usize) {
    let old = repo.git(&["rev-list", &format!("{tag}~{keep}")]);
    assert!(old.lines().count() > 50);
    for id in old.lines() {
        let path = repo
            .path()
            .join(".git/objects")
            .join(&id[..2])
            .join(&id[2..]);
        std::fs::remove_file(&path).unwrap();
    }
    assert!(
        repo.try_git(&["log", "--format=%H"]).is_err(),
        "the old history is really gone"
    );
}

#[test]
fn listing_commits_since_the_last_release_never_reads_older_history() {
    let repo = TestRepo::new();
    for n in 0..80 {
        repo.git(&[
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            &format!("feat: old {n}"),
        ]);
    }
    repo.commit("feat: released")
        .tag("v1.0.0")
        .commit("fix: new 1")
        .commit("feat: new 2");
    let expected = git_ids(&repo, &["v1.0.0..HEAD"]);
    // libgit2, like git, walks a few commits past the boundary to allow for clock skew.
    forget_old_history(&repo, "v1.0.0", 10);
    let opened = repo.open();
    let last = opened.latest_release(&pattern(), false).unwrap().unwrap();
    let commits = opened
        .commits(
            &Range::since(last.target.as_str()),
            &HistoryOptions::default(),
        )
        .unwrap();
    assert_eq!(ids(&commits), expected);
    // The whole history does need the old commits, and says which one is missing.
    let error = opened
        .commits(&Range::head(), &HistoryOptions::default())
        .unwrap_err();
    assert!(matches!(error, Error::Git { .. }), "{error:?}");
}

/// A deterministic tangle: four branches committing and merging each other at random.
fn tangle(seed: u64, steps: usize) -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("feat: root");
    let branches = ["main", "b1", "b2", "b3"];
    for branch in &branches[1..] {
        repo.branch(branch);
    }
    let mut state = seed;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound
    };
    for step in 0..steps {
        let branch = branches[next(4) as usize];
        repo.checkout(branch);
        if next(3) == 0 {
            let other = branches[next(4) as usize];
            if other != branch {
                let message = format!("Merge {other} into {branch} ({step})");
                if repo
                    .try_git(&["merge", "--quiet", "--no-ff", "-m", &message, other])
                    .is_ok()
                {
                    continue;
                }
                repo.git(&["merge", "--abort"]);
            }
        }
        repo.commit(&format!("feat: {branch} {step}"));
    }
    repo.checkout("main");
    for branch in &branches[1..] {
        repo.merge(branch, &format!("Merge {branch}"));
    }
    repo
}

#[test]
fn tangled_histories_come_in_the_same_order_as_git_log_topo_order() {
    for seed in [1, 7, 42] {
        let repo = tangle(seed, 40);
        let opened = repo.open();
        let all = opened
            .commits(&Range::head(), &HistoryOptions::default())
            .unwrap();
        assert_eq!(ids(&all), git_ids(&repo, &["HEAD"]), "seed {seed}");
        let range = Range::between("b2", "HEAD");
        let some = opened.commits(&range, &HistoryOptions::default()).unwrap();
        assert_eq!(ids(&some), git_ids(&repo, &["b2..HEAD"]), "seed {seed}");
    }
}

#[test]
fn the_tangle_really_has_merges() {
    let repo = tangle(7, 40);
    let merges = repo.git(&["rev-list", "--merges", "--count", "HEAD"]);
    assert!(merges.trim().parse::<usize>().unwrap() >= 5, "{merges}");
}

/// Commits `bytes` as the message with `i18n.commitEncoding=<encoding>`, as a user with that
/// setting would (git then writes an `encoding` header and stores the bytes unchanged).
fn commit_encoded(repo: &TestRepo, encoding: &str, bytes: &[u8], author: &str) {
    let file = repo.home().join("message.txt");
    std::fs::write(&file, bytes).unwrap();
    let setting = format!("i18n.commitEncoding={encoding}");
    let file = file.to_str().unwrap();
    repo.git(&[
        "-c",
        &setting,
        "commit",
        "--quiet",
        "--allow-empty",
        "--author",
        author,
        "-F",
        file,
    ]);
}

// Issue 12: a Latin-1 commit rendered as `caf\u{fffd} cr\u{fffd}me`.
#[test]
fn messages_and_authors_in_latin1_or_windows_1252_are_decoded_as_git_log_shows_them() {
    let repo = TestRepo::new();
    repo.commit("feat: root");
    commit_encoded(
        &repo,
        "ISO-8859-1",
        b"fix: caf\xe9 cr\xe8me\n\nd\xe9tails\n",
        "Ren\u{e9} <rene@example.com>",
    );
    assert!(
        repo.git(&["cat-file", "commit", "HEAD"])
            .contains("encoding ISO-8859-1"),
        "the fixture must carry the header"
    );
    commit_encoded(
        &repo,
        "windows-1252",
        b"docs: \x93quoted\x94 \x80 prices\n",
        "W <w@example.com>",
    );
    commit_encoded(&repo, "KOI8-R", b"chore: \xc1\xc2\n", "K <k@example.com>");
    let commits = repo
        .open()
        .commits(&Range::head(), &HistoryOptions::default())
        .unwrap();
    let messages: Vec<&str> = commits
        .iter()
        .map(|commit| commit.message.as_str())
        .collect();
    assert_eq!(
        messages[1],
        "docs: \u{201c}quoted\u{201d} \u{20ac} prices\n"
    );
    assert_eq!(messages[2], "fix: caf\u{e9} cr\u{e8}me\n\nd\u{e9}tails\n");
    // What `git log` shows: it re-encodes to UTF-8 from the header.
    for commit in &commits[1..3] {
        let shown = repo.git(&["log", "-1", "--format=%B", commit.id.as_str()]);
        assert_eq!(shown.trim_end(), commit.message.trim_end());
    }
    // An encoding slipway does not decode is read as UTF-8, invalid bytes replaced.
    assert_eq!(messages[0], "chore: \u{fffd}\u{fffd}\n");
    // The header covers the names too; git's command line wrote this one in UTF-8, so git
    // itself shows it re-encoded: slipway shows what git shows.
    let author = repo.git(&["log", "-1", "--format=%an", commits[2].id.as_str()]);
    assert_eq!(commits[2].author.name, author.trim_end());
}

#[test]
fn commits_carry_their_parents_first_parent_first() {
    let repo = branchy();
    let commits = repo
        .open()
        .commits(&Range::head(), &HistoryOptions::default())
        .unwrap();
    for commit in &commits {
        let expected = repo.git(&["rev-list", "--parents", "-n1", commit.id.as_str()]);
        let parents: Vec<&str> = commit.parents.iter().map(CommitId::as_str).collect();
        assert_eq!(
            parents,
            expected.split_whitespace().skip(1).collect::<Vec<_>>()
        );
        assert_eq!(commit.parent_count, parents.len());
    }
    assert!(commits.iter().any(|commit| commit.parents.len() == 2));
}

#[test]
fn authors_are_read_through_the_mailmap_as_git_log_does() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    for (name, email) in [("ada", "ada@old.example"), ("Ada L.", "ada@new.example")] {
        let mut commit = repo.command("git");
        commit
            .args(["commit", "--quiet", "--allow-empty", "-m", "fix: by ada"])
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email);
        assert!(commit.status().unwrap().success());
    }
    let names = |repo: &TestRepo| -> Vec<String> {
        repo.open()
            .commits(&Range::head(), &HistoryOptions::default())
            .unwrap()
            .iter()
            .map(|commit| format!("{} <{}>", commit.author.name, commit.author.email))
            .collect()
    };
    assert_eq!(
        names(&repo)[..2],
        ["Ada L. <ada@new.example>", "ada <ada@old.example>"]
    );
    repo.write(
        ".mailmap",
        "Ada Lovelace <ada@new.example>\nAda Lovelace <ada@new.example> <ada@old.example>\n",
    );
    let mapped = names(&repo);
    assert_eq!(
        mapped[..2],
        [
            "Ada Lovelace <ada@new.example>",
            "Ada Lovelace <ada@new.example>"
        ]
    );
    let git: Vec<String> = repo
        .git(&["log", "--use-mailmap", "--format=%aN <%aE>"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(mapped, git);
}

/// A `git fast-import` stream of `commits` commits on `main`: a two-commit side branch merged
/// every 40, an octopus merge of three branches every 300, a Latin-1 commit (with its `encoding`
/// header) every 97, two spellings of one author, and an annotated `vX.Y.Z` tag every 100.
/// `release_history_each`'s parts, each release's joined, by tag name.
fn parts_joined(
    opened: &Repository,
    tags: &[gitops::Tag],
) -> Vec<(Option<String>, Vec<gitops::Commit>)> {
    parts_joined_counting(opened, tags, &mut 0)
}

/// [`parts_joined`], counting the parts: a release's parts come one after the other, each but
/// its last not complete.
fn parts_joined_counting(
    opened: &Repository,
    tags: &[gitops::Tag],
    count: &mut usize,
) -> Vec<(Option<String>, Vec<gitops::Commit>)> {
    let mut reordered = 0;
    let joined = joined_parts(opened, tags, false, count, &mut reordered);
    assert_eq!(
        reordered, 0,
        "release_history_each's parts come in topological order"
    );
    joined
}

/// `release_history_each`'s parts (or `release_history_as_read`'s, put in their order), each
/// release's joined, counting the parts and the releases that came in another order.
fn joined_parts(
    opened: &Repository,
    tags: &[gitops::Tag],
    as_read: bool,
    count: &mut usize,
    reordered: &mut usize,
) -> Vec<(Option<String>, Vec<gitops::Commit>)> {
    let mut joined: Vec<(Option<String>, Vec<gitops::Commit>)> = Vec::new();
    let mut open = false;
    let each = |part: gitops::HistoryPart<'_>| {
        *count += 1;
        let name = part.tag.map(|tag| tag.name.clone());
        if open {
            let last = joined.last_mut().unwrap();
            assert_eq!(last.0, name, "a release's parts come together");
            last.1.extend(part.commits);
        } else {
            joined.push((name, part.commits));
        }
        if let Some(order) = part.order {
            assert!(part.complete, "only the last part has an order");
            *reordered += 1;
            let mut came: Vec<Option<gitops::Commit>> =
                std::mem::take(&mut joined.last_mut().unwrap().1)
                    .into_iter()
                    .map(Some)
                    .collect();
            assert_eq!(order.len(), came.len());
            joined.last_mut().unwrap().1 = order
                .iter()
                .map(|&at| came[at as usize].take().expect("each commit once"))
                .collect();
        }
        open = !part.complete;
    };
    let options = HistoryOptions::default();
    if as_read {
        opened.release_history_as_read(tags, &options, each)
    } else {
        opened.release_history_each(tags, &options, each)
    }
    .unwrap();
    assert!(!open, "the last part is complete");
    joined
}

fn large_history_stream(commits: usize) -> Vec<u8> {
    let mut stream = Vec::new();
    let mut mark = 0;
    let mut last = 0;
    let mut time = 1_600_000_000;
    let write = |stream: &mut Vec<u8>,
                 reference: &str,
                 message: &[u8],
                 encoding: Option<&str>,
                 author: &str,
                 parents: &[usize],
                 mark: usize,
                 time: u64| {
        writeln!(stream, "commit {reference}\nmark :{mark}").unwrap();
        writeln!(stream, "author {author} {time} +0100").unwrap();
        writeln!(stream, "committer C <c@example.com> {time} +0100").unwrap();
        if let Some(encoding) = encoding {
            writeln!(stream, "encoding {encoding}").unwrap();
        }
        writeln!(stream, "data {}", message.len()).unwrap();
        stream.extend_from_slice(message);
        stream.push(b'\n');
        if let Some((first, rest)) = parents.split_first() {
            writeln!(stream, "from :{first}").unwrap();
            for parent in rest {
                writeln!(stream, "merge :{parent}").unwrap();
            }
        }
        writeln!(
            stream,
            "M 644 inline f{}\ndata 2\n{}\n",
            mark % 10,
            mark % 10
        )
        .unwrap();
    };
    for n in 0..commits {
        time += 60;
        if n > 0 && n % 300 == 0 {
            let mut tips = vec![last];
            for side in 0..2 {
                mark += 1;
                let message = format!("feat(side{side}): octopus part {n}");
                write(
                    &mut stream,
                    &format!("refs/heads/o{side}"),
                    message.as_bytes(),
                    None,
                    "A <a@x.example>",
                    &[last],
                    mark,
                    time,
                );
                tips.push(mark);
            }
            mark += 1;
            write(
                &mut stream,
                "refs/heads/main",
                b"Merge branches o0, o1",
                None,
                "A <a@x.example>",
                &tips,
                mark,
                time,
            );
            last = mark;
        } else if n > 0 && n % 40 == 0 {
            let base = last;
            mark += 1;
            write(
                &mut stream,
                "refs/heads/side",
                format!("fix: side {n}").as_bytes(),
                None,
                "ada <ada@old.example>",
                &[base],
                mark,
                time,
            );
            mark += 1;
            write(
                &mut stream,
                "refs/heads/side",
                format!("fix: side {n} again").as_bytes(),
                None,
                "A <a@x.example>",
                &[mark - 1],
                mark,
                time,
            );
            mark += 1;
            write(
                &mut stream,
                "refs/heads/main",
                format!("Merge branch 'side' ({n})").as_bytes(),
                None,
                "A <a@x.example>",
                &[last, mark - 1],
                mark,
                time,
            );
            last = mark;
        } else {
            mark += 1;
            let parents: Vec<usize> = if last == 0 { vec![] } else { vec![last] };
            if n % 97 == 1 {
                let message = format!("fix: caf\u{e9} {n}\n\nd\u{e9}tails\n");
                let latin1: Vec<u8> = message.chars().map(|c| c as u32 as u8).collect();
                write(
                    &mut stream,
                    "refs/heads/main",
                    &latin1,
                    Some("ISO-8859-1"),
                    "Ren\u{e9} <rene@example.com>",
                    &parents,
                    mark,
                    time,
                );
            } else {
                let author = if n % 2 == 0 {
                    "ada <ada@old.example>"
                } else {
                    "Ada L. <ada@new.example>"
                };
                let message = format!("feat: change {n}\n\nBody of {n}.\n");
                write(
                    &mut stream,
                    "refs/heads/main",
                    message.as_bytes(),
                    None,
                    author,
                    &parents,
                    mark,
                    time,
                );
            }
            last = mark;
        }
        if n % 100 == 99 {
            let name = format!("v1.{}.0", n / 100);
            writeln!(
                stream,
                "tag {name}\nfrom :{last}\ntagger T <t@example.com> {time} +0000\ndata 8\nrelease\n"
            )
            .unwrap();
        }
    }
    stream
}

// Issue 18: the history is listed from the commit-graph and read on several threads; the result
// must be the one a sequential read of the objects gives, byte for byte.
#[test]
fn reads_listed_from_the_commit_graph_on_several_threads_equal_the_sequential_read() {
    let repo = TestRepo::new();
    let mut import = repo.command("git");
    import
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped());
    let mut child = import.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&large_history_stream(3_000))
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "--quiet", "--hard", "main"]);
    // A branch forked far back and merged last: a walk from `HEAD` lists it, and the history
    // below its fork, before the main line's newer commits, so that the order listed is not
    // the topological order.
    repo.checkout("main~1500")
        .commit("feat: deep work")
        .branch("deep")
        .checkout("main")
        .merge("deep", "Merge branch 'deep'");
    repo.write(
        ".mailmap",
        "Ada Lovelace <ada@new.example>\nAda Lovelace <ada@new.example> <ada@old.example>\n",
    );
    let read = |repo: &TestRepo| {
        let opened = repo.open();
        let tags = opened.release_tags(&pattern()).unwrap();
        assert!(tags.len() >= 29, "{}", tags.len());
        let options = HistoryOptions::default();
        let history = opened.release_history(&tags, &options).unwrap();
        // Handed out one release at a time, oldest first, the unreleased commits last: the same.
        let parts = parts_joined(&opened, &tags);
        let expected: Vec<_> = history
            .releases
            .iter()
            .map(|release| (Some(release.tag.name.clone()), release.commits.clone()))
            .chain(std::iter::once((None, history.unreleased.clone())))
            .collect();
        assert_eq!(parts, expected);
        // Without tags, the whole history is one walk: handed out in parts as its blocks are
        // read, which join to the history.
        let mut count = 0;
        let untagged = parts_joined_counting(&opened, &[], &mut count);
        assert!(count > 1, "{count} parts");
        let head = opened.commits(&Range::head(), &options).unwrap();
        assert_eq!(untagged, [(None, head.clone())]);
        // Handed out as read: without a commit-graph the one long walk comes as it is listed,
        // in several parts, and its order puts it right; with tags, no release is that long.
        let (mut count, mut reordered) = (0, 0);
        let as_read = joined_parts(&opened, &[], true, &mut count, &mut reordered);
        assert_eq!(as_read, [(None, head)]);
        let listed_from_objects = !repo.path().join(".git/objects/info/commit-graph").exists()
            && !repo.path().join(".git/objects/info/commit-graphs").exists();
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(reordered, usize::from(listed_from_objects && cores > 1));
        assert!(count > 1, "{count} parts");
        assert_eq!(
            joined_parts(&opened, &tags, true, &mut 0, &mut reordered),
            expected
        );
        // Ten short releases, then a long unreleased walk: it is read as listed after the
        // batch of the releases before it, which comes out first.
        let (mut reordered, early) = (0, &tags[..10]);
        assert_eq!(
            joined_parts(&opened, early, true, &mut 0, &mut reordered),
            parts_joined(&opened, early)
        );
        assert_eq!(reordered, usize::from(listed_from_objects && cores > 1));
        (
            history,
            opened.commits(&Range::head(), &options).unwrap(),
            opened
                .commits(&Range::between("v1.3.0", "HEAD"), &options)
                .unwrap(),
        )
    };
    let graph = repo.path().join(".git/objects/info/commit-graph");
    assert!(!graph.exists());
    let sequential = read(&repo);
    assert_eq!(ids(&sequential.1), git_ids(&repo, &["HEAD"]));
    assert!(sequential.1.iter().any(|commit| commit.parent_count == 3));
    assert!(
        sequential
            .1
            .iter()
            .any(|commit| commit.message.contains("caf\u{e9}"))
    );
    assert!(
        sequential
            .1
            .iter()
            .any(|commit| commit.author.name == "Ada Lovelace")
    );

    repo.git(&["commit-graph", "write", "--reachable"]);
    assert!(graph.exists());
    assert_eq!(read(&repo), sequential);

    // Commits made after the graph was written are read from their objects.
    repo.commit("fix: after the graph");
    let mixed = read(&repo);
    assert_eq!(mixed.1[1..], sequential.1[..]);
    assert_eq!(ids(&mixed.1), git_ids(&repo, &["HEAD"]));

    // A split graph (a chain of layers) reads the same.
    std::fs::remove_file(&graph).unwrap();
    repo.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
    repo.commit("fix: after the first layer");
    repo.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
    assert!(
        repo.path()
            .join(".git/objects/info/commit-graphs/commit-graph-chain")
            .exists()
    );
    let chained = read(&repo);
    assert_eq!(chained.1[2..], sequential.1[..]);
    assert_eq!(ids(&chained.1), git_ids(&repo, &["HEAD"]));
}
