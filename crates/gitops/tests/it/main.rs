//! Integration tests: real repositories in temporary directories with a bare remote,
//! each result also checked through the `git` executable.

mod history;
mod hotfix;
mod merge;
mod open;
mod preflight;
mod release_state;
mod tags;
mod write;

use gitops::test_support::TestRepo;
use versioning::TagPattern;

/// The default `v{version}` pattern.
fn pattern() -> TagPattern {
    TagPattern::default()
}

/// A shallow (`--depth 1`) clone of `repo` over `file://`.
fn shallow_clone(repo: &TestRepo) -> TestRepo {
    TestRepo::clone_from(&repo.file_url(), &["--depth", "1"])
}

/// `git log --format=%s` of `args`, one subject per element.
fn subjects(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut full = vec!["log", "--format=%s"];
    full.extend_from_slice(args);
    repo.git(&full).lines().map(str::to_owned).collect()
}
