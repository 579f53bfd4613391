//! Remote URLs in all of git's forms, and the links each forge builds.

use std::fmt::Write as _;

use changelog::{Forge, Remote};

fn check(url: &str, expected: Option<(Forge, &str)>) {
    let actual = Remote::parse(url).map(|remote| (remote.forge, remote.url));
    assert_eq!(
        actual,
        expected.map(|(forge, base)| (forge, base.to_owned())),
        "url: {url}"
    );
}

#[test]
fn https_ssh_and_scp_forms() {
    check(
        "https://github.com/o/r",
        Some((Forge::GitHub, "https://github.com/o/r")),
    );
    check(
        "https://github.com/o/r.git",
        Some((Forge::GitHub, "https://github.com/o/r")),
    );
    check(
        "https://x-access-token:secret@github.com/o/r.git/",
        Some((Forge::GitHub, "https://github.com/o/r")),
    );
    check(
        "git@github.com:o/r.git",
        Some((Forge::GitHub, "https://github.com/o/r")),
    );
    check(
        "ssh://git@github.com/o/r.git",
        Some((Forge::GitHub, "https://github.com/o/r")),
    );
    check(
        "ssh://git@gitlab.example.com:2222/group/sub/r.git",
        Some((Forge::GitLab, "https://gitlab.example.com/group/sub/r")),
    );
    check(
        "git+ssh://git@bitbucket.org/o/r.git",
        Some((Forge::Bitbucket, "https://bitbucket.org/o/r")),
    );
    check(
        "https://codeberg.org/o/r.git",
        Some((Forge::Gitea, "https://codeberg.org/o/r")),
    );
    check(
        "http://gitea.local:3000/o/r",
        Some((Forge::Gitea, "http://gitea.local:3000/o/r")),
    );
}

#[test]
fn unknown_hosts_and_incomplete_urls_give_no_remote() {
    check("https://example.com/o/r", None);
    check("/srv/git/r.git", None);
    check("https://github.com/o", None);
    check("git@github.com:", None);
    check("", None);
}

#[test]
fn self_hosted_forges_can_be_named_explicitly() {
    let remote = Remote::parse_with_forge("git@git.corp:team/r.git", Forge::GitLab).unwrap();
    assert_eq!(
        remote.compare_url("v1.0.0", "v1.1.0"),
        "https://git.corp/team/r/-/compare/v1.0.0...v1.1.0"
    );
}

#[test]
fn links_per_forge() {
    let mut out = String::new();
    for url in [
        "https://github.com/o/r",
        "https://gitlab.com/o/r",
        "https://bitbucket.org/o/r",
        "https://codeberg.org/o/r",
    ] {
        let remote = Remote::parse(url).unwrap();
        let _ = write!(
            out,
            "{:?}\n  compare {}\n  unreleased {}\n  tag {}\n  commit {}\n  issue {}\n  pull {}\n",
            remote.forge,
            remote.compare_url("v1.1.0", "v1.2.0"),
            remote.compare_url("v1.2.0", "HEAD"),
            remote.tag_url("v1.0.0"),
            remote.commit_url("abc123"),
            remote.issue_url(12),
            remote.pull_request_url(34),
        );
    }
    insta::assert_snapshot!(out);
}
