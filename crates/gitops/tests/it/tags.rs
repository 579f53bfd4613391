use gitops::Error;
use gitops::test_support::TestRepo;
use versioning::{TagPattern, Version};

use crate::{pattern, shallow_clone};

fn names(tags: &[gitops::Tag]) -> Vec<&str> {
    tags.iter().map(|tag| tag.name.as_str()).collect()
}

#[test]
fn release_tags_are_ordered_by_precedence_not_string_or_date() {
    let repo = TestRepo::new();
    // Created in an order that differs from both string order and precedence.
    repo.commit("feat: a").tag("v1.10.0");
    repo.commit("feat: b").tag("v1.9.0");
    repo.commit("feat: c").tag("v1.10.0-rc.1");
    repo.commit("feat: d")
        .annotated_tag("v2.0.0", "Release 2.0.0");
    let tags = repo.open().release_tags(&pattern()).unwrap();
    assert_eq!(
        names(&tags),
        ["v1.9.0", "v1.10.0-rc.1", "v1.10.0", "v2.0.0"]
    );
    // git's version sort, told that `-` starts a pre-release, agrees.
    assert_eq!(
        repo.git(&[
            "-c",
            "versionsort.suffix=-",
            "tag",
            "--list",
            "--sort=version:refname"
        ]),
        "v1.9.0\nv1.10.0-rc.1\nv1.10.0\nv2.0.0\n"
    );
}

#[test]
fn tags_carry_target_kind_message_and_date() {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    let first = repo.head();
    repo.commit("feat: b")
        .annotated_tag("v1.1.0", "## Added\n\n- b");
    let second = repo.head();
    let tags = repo.open().release_tags(&pattern()).unwrap();
    let [lightweight, annotated] = &tags[..] else {
        panic!("two tags expected: {tags:?}");
    };
    assert_eq!(lightweight.target, first);
    assert!(!lightweight.annotated);
    assert_eq!(lightweight.message, None);
    assert_eq!(lightweight.version, Version::parse("1.0.0").unwrap());
    assert_eq!(annotated.target, second);
    assert!(annotated.annotated);
    assert_eq!(annotated.message.as_deref(), Some("## Added\n\n- b"));
    // Dates: the lightweight tag's commit time, the annotated tag's tagger time.
    let commit_time: i64 = repo
        .git(&["log", "-1", "--format=%ct", "v1.0.0"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(lightweight.date.seconds, commit_time);
    let tagger_time = repo.git(&[
        "for-each-ref",
        "--format=%(taggerdate:unix)",
        "refs/tags/v1.1.0",
    ]);
    assert_eq!(
        annotated.date.seconds,
        tagger_time.trim().parse::<i64>().unwrap()
    );
    assert_eq!(repo.git(&["cat-file", "-t", "v1.1.0"]).trim(), "tag");
    assert_eq!(
        repo.git(&["tag", "-n1", "v1.1.0"]).trim(),
        "v1.1.0          ## Added"
    );
}

#[test]
fn tags_that_do_not_match_the_pattern_are_ignored() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("v1.0.0")
        .tag("nightly")
        .tag("v1.0")
        .tag("release-2.0.0")
        .tag("app-v3.0.0");
    let tags = repo.open().release_tags(&pattern()).unwrap();
    assert_eq!(names(&tags), ["v1.0.0"]);
    assert_eq!(repo.git(&["tag"]).lines().count(), 5);
}

#[test]
fn package_patterns_select_one_package() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("app-v1.0.0")
        .tag("lib-v0.3.0")
        .commit("feat: b")
        .tag("app-v1.1.0");
    let app = TagPattern::new("{package}-v{version}")
        .unwrap()
        .with_package("app");
    let opened = repo.open();
    assert_eq!(
        names(&opened.release_tags(&app).unwrap()),
        ["app-v1.0.0", "app-v1.1.0"]
    );
    let lib = TagPattern::new("{package}-v{version}")
        .unwrap()
        .with_package("lib");
    assert_eq!(
        opened.latest_release(&lib, false).unwrap().unwrap().name,
        "lib-v0.3.0"
    );
}

#[test]
fn a_pattern_matching_nothing_gives_no_tags_and_no_release() {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    let other = TagPattern::new("release-{version}").unwrap();
    let opened = repo.open();
    assert_eq!(opened.release_tags(&other).unwrap(), vec![]);
    assert_eq!(opened.latest_release(&other, true).unwrap(), None);
}

#[test]
fn a_repository_without_tags_has_no_release() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    assert_eq!(repo.open().latest_release(&pattern(), true).unwrap(), None);
}

#[test]
fn the_latest_release_is_the_highest_precedence_reachable_from_head() {
    let repo = TestRepo::new();
    repo.commit("feat: a").tag("v1.0.0");
    repo.commit("feat: b").tag("v1.1.0");
    // A hotfix 1.0.1 on another branch: not reachable from main.
    repo.git(&["switch", "--quiet", "-c", "maint", "v1.0.0"]);
    repo.commit("fix: c").tag("v1.0.1");
    // An older-looking version tagged later on main must not win by date.
    repo.checkout("main");
    repo.commit("feat: d").tag("v0.9.0");
    let opened = repo.open();
    let latest = opened.latest_release(&pattern(), false).unwrap().unwrap();
    assert_eq!(latest.name, "v1.1.0");
    assert_eq!(
        repo.git(&["tag", "--merged", "HEAD", "--sort=-version:refname"])
            .lines()
            .next(),
        Some("v1.1.0")
    );
    // From the maintenance branch, its own hotfix is the latest.
    let from_maint = opened
        .latest_release_from("maint", &pattern(), false)
        .unwrap()
        .unwrap();
    assert_eq!(from_maint.name, "v1.0.1");
}

#[test]
fn pre_releases_are_skipped_unless_asked_for() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("v1.0.0")
        .commit("feat: b")
        .tag("v1.1.0-rc.1")
        .tag("v1.1.0-beta.2");
    let opened = repo.open();
    assert_eq!(
        opened
            .latest_release(&pattern(), false)
            .unwrap()
            .unwrap()
            .name,
        "v1.0.0"
    );
    assert_eq!(
        opened
            .latest_release(&pattern(), true)
            .unwrap()
            .unwrap()
            .name,
        "v1.1.0-rc.1"
    );
}

#[test]
fn several_tags_on_one_commit_resolve_by_precedence_then_name() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("v1.0.0-rc.2")
        .tag("v1.0.0")
        .tag("v1.0.0+build.5")
        .tag("v0.9.0");
    let opened = repo.open();
    let tags = opened.release_tags(&pattern()).unwrap();
    assert_eq!(
        names(&tags),
        ["v0.9.0", "v1.0.0-rc.2", "v1.0.0", "v1.0.0+build.5"]
    );
    // v1.0.0 and v1.0.0+build.5 share a precedence: the smaller name wins.
    assert_eq!(
        opened
            .latest_release(&pattern(), true)
            .unwrap()
            .unwrap()
            .name,
        "v1.0.0"
    );
    assert_eq!(repo.git(&["tag", "--points-at", "HEAD"]).lines().count(), 4);
}

#[test]
fn a_shallow_clone_is_an_error_not_a_first_release() {
    let repo = TestRepo::new();
    repo.commit("feat: a")
        .tag("v1.0.0")
        .commit("feat: b")
        .commit("feat: c");
    let clone = shallow_clone(&repo);
    // git itself sees no tag from the shallow HEAD: a naive tool would call this the first release.
    assert!(clone.try_git(&["describe", "--tags"]).is_err());
    let opened = clone.open();
    let error = opened.latest_release(&pattern(), true).unwrap_err();
    assert!(matches!(error, Error::ShallowClone { .. }), "{error:?}");
    assert!(
        error.to_string().contains("git fetch --unshallow --tags"),
        "{error}"
    );
    assert!(matches!(
        opened.release_tags(&pattern()),
        Err(Error::ShallowClone { .. })
    ));
    // After the advised fix, it works.
    clone.git(&["fetch", "--quiet", "--unshallow", "--tags"]);
    let opened = clone.open();
    assert_eq!(
        opened
            .latest_release(&pattern(), true)
            .unwrap()
            .unwrap()
            .name,
        "v1.0.0"
    );
}

#[test]
fn find_tag_reports_missing_tags_as_none() {
    let repo = TestRepo::new();
    repo.commit("feat: a").annotated_tag("v1.0.0", "notes");
    let opened = repo.open();
    assert_eq!(opened.find_tag("v2.0.0").unwrap(), None);
    let found = opened.find_tag("v1.0.0").unwrap().unwrap();
    assert_eq!(found.target, repo.head());
    assert!(found.annotated);
}
