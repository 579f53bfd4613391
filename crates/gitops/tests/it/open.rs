use gitops::Repository;
use gitops::test_support::TestRepo;

#[test]
fn opens_from_a_subdirectory() {
    let repo = TestRepo::new();
    repo.commit_file("a/b/c.txt", "x", "feat: x");
    let opened = Repository::open(repo.path().join("a/b")).unwrap();
    assert_eq!(opened.head().unwrap(), repo.head());
}
