//! GitHub Releases against a FAKE of GitHub's REST API (`tests/src/github_fake.rs`, compiled into this
//! binary with `#[path]`: depending on `slipway-tests` would make a cycle through the CLI).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use registry::github::{
    ApiError, AssetError, AssetOutcome, AssetStatus, ConfigError, ExpectedAsset, GithubClient,
    GithubEnv, NoProgress, Progress, ReleaseChange, ReleaseError, ReleaseSpec,
};
use registry::redact::ErrorChain;
use registry::retry::RetryPolicy;
use secrecy::SecretString;
use sha2::Digest as _;
use slipway_registry as registry;

#[allow(
    unreachable_pub,
    dead_code,
    reason = "the harness is shared with slipway-tests, which uses all of it"
)]
#[path = "../../../../tests/src/github_fake.rs"]
mod github_fake;

use github_fake::FakeGithub;

const TOKEN: &str = "ghp_FAKE0123456789abcdefSECRET";
const REPOSITORY: &str = "octo-org/hangar";

fn start() -> FakeGithub {
    FakeGithub::start(REPOSITORY, TOKEN).unwrap()
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        budget: std::time::Duration::from_secs(120),
    }
}

fn client_with(fake: &FakeGithub, token: &str, repository: &str) -> GithubClient {
    GithubClient::new(&fake.api_url(), SecretString::from(token), repository)
        .unwrap()
        .with_retry(quick())
}

fn client(fake: &FakeGithub) -> GithubClient {
    client_with(fake, TOKEN, REPOSITORY)
}

fn spec(tag: &str, body: &str) -> ReleaseSpec {
    ReleaseSpec {
        tag: tag.to_owned(),
        name: format!("Hangar {}", tag.trim_start_matches('v')),
        body: body.to_owned(),
        prerelease: false,
        draft: false,
        make_latest: Some(true),
        target_commitish: Some("main".to_owned()),
    }
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    path
}

fn no_progress() -> Arc<dyn Progress> {
    Arc::new(NoProgress)
}

/// Everything a user could see of an error: its chain and its `Debug`.
fn shown(error: &(dyn std::error::Error + 'static)) -> String {
    format!("{}\n{error:?}", ErrorChain(error))
}

#[tokio::test]
async fn a_missing_release_is_created_with_the_notes_and_github_headers() {
    let fake = start();
    let outcome = client(&fake)
        .create_or_update_release(&spec("v1.0.0", "## Added\n- hangars"))
        .await
        .unwrap();
    assert_eq!(outcome.change, ReleaseChange::Created);
    assert_eq!(outcome.release.tag, "v1.0.0");
    assert_eq!(outcome.release.title(), "Hangar 1.0.0");
    assert_eq!(outcome.release.notes(), "## Added\n- hangars");
    assert!(!outcome.release.prerelease && !outcome.release.draft);
    let stored = fake.release("v1.0.0").unwrap();
    assert_eq!(stored.body, "## Added\n- hangars");
    assert_eq!(stored.target_commitish, "main");
    assert_eq!(fake.latest_tag().as_deref(), Some("v1.0.0"));

    let requests = fake.requests();
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(post.path, "/api/v3/repos/octo-org/hangar/releases");
    for request in &requests {
        assert_eq!(
            request.headers.get("authorization").map(String::as_str),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(request.headers["accept"], "application/vnd.github+json");
        assert_eq!(request.headers["x-github-api-version"], "2022-11-28");
        assert!(
            request.headers["user-agent"].starts_with("slipway/"),
            "{:?}",
            request.headers
        );
    }
}

#[tokio::test]
async fn rerunning_with_the_same_spec_sends_no_write() {
    let fake = start();
    let github = client(&fake);
    let wanted = spec("v1.0.0", "notes\n");
    github.create_or_update_release(&wanted).await.unwrap();
    fake.clear_requests();
    let again = github.create_or_update_release(&wanted).await.unwrap();
    assert_eq!(again.change, ReleaseChange::Unchanged);
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());
    assert_eq!(fake.releases().len(), 1);
}

#[tokio::test]
async fn a_changed_body_is_patched_alone() {
    let fake = start();
    let github = client(&fake);
    github
        .create_or_update_release(&spec("v1.0.0", "old notes"))
        .await
        .unwrap();
    fake.clear_requests();
    let outcome = github
        .create_or_update_release(&spec("v1.0.0", "new notes"))
        .await
        .unwrap();
    assert_eq!(
        outcome.change,
        ReleaseChange::Updated {
            fields: vec!["body"]
        }
    );
    assert_eq!(outcome.release.notes(), "new notes");
    assert_eq!(fake.release("v1.0.0").unwrap().body, "new notes");
    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].0, "PATCH");
    // Line endings alone are no change.
    github
        .create_or_update_release(&spec("v1.0.0", "new\nnotes"))
        .await
        .unwrap();
    fake.clear_requests();
    let crlf = github
        .create_or_update_release(&spec("v1.0.0", "new\r\nnotes"))
        .await
        .unwrap();
    assert_eq!(crlf.change, ReleaseChange::Unchanged);
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());
}

#[tokio::test]
async fn a_plan_reads_only() {
    let fake = start();
    let github = client(&fake);
    let plan = github.plan_release(&spec("v1.0.0", "x")).await.unwrap();
    assert_eq!(plan.change, ReleaseChange::Created);
    assert!(plan.existing.is_none());
    github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap();
    fake.clear_requests();
    let plan = github.plan_release(&spec("v1.0.0", "y")).await.unwrap();
    assert_eq!(
        plan.change,
        ReleaseChange::Updated {
            fields: vec!["body"]
        }
    );
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());
    assert_eq!(fake.release("v1.0.0").unwrap().body, "x");
}

#[tokio::test]
async fn a_pre_release_is_marked_and_never_made_latest_then_promoted() {
    let fake = start();
    let github = client(&fake);
    github
        .create_or_update_release(&spec("v1.0.0", "stable"))
        .await
        .unwrap();
    let rc = ReleaseSpec {
        prerelease: true,
        ..spec("v1.1.0-rc.1", "candidate")
    };
    let outcome = github.create_or_update_release(&rc).await.unwrap();
    assert_eq!(outcome.change, ReleaseChange::Created);
    assert!(outcome.release.prerelease);
    assert!(fake.release("v1.1.0-rc.1").unwrap().prerelease);
    assert_eq!(fake.latest_tag().as_deref(), Some("v1.0.0"));
    fake.clear_requests();
    assert_eq!(
        github.create_or_update_release(&rc).await.unwrap().change,
        ReleaseChange::Unchanged
    );
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());

    // Promoting the same tag to a stable release flips the flag and makes it latest.
    let promoted = github
        .create_or_update_release(&spec("v1.1.0-rc.1", "candidate"))
        .await
        .unwrap();
    assert_eq!(
        promoted.change,
        ReleaseChange::Updated {
            fields: vec!["prerelease", "make_latest"]
        }
    );
    assert!(!fake.release("v1.1.0-rc.1").unwrap().prerelease);
    assert_eq!(fake.latest_tag().as_deref(), Some("v1.1.0-rc.1"));
}

#[tokio::test]
async fn make_latest_false_leaves_the_latest_release_alone() {
    let fake = start();
    let github = client(&fake);
    github
        .create_or_update_release(&spec("v1.1.0", "current"))
        .await
        .unwrap();
    let hotfix_of_old_line = ReleaseSpec {
        make_latest: Some(false),
        ..spec("v1.0.1", "hotfix")
    };
    github
        .create_or_update_release(&hotfix_of_old_line)
        .await
        .unwrap();
    assert_eq!(fake.latest_tag().as_deref(), Some("v1.1.0"));
    fake.clear_requests();
    let again = github
        .create_or_update_release(&hotfix_of_old_line)
        .await
        .unwrap();
    assert_eq!(again.change, ReleaseChange::Unchanged);
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());
    // Asking for it to become latest is an update of that alone.
    let outcome = github
        .create_or_update_release(&spec("v1.0.1", "hotfix"))
        .await
        .unwrap();
    assert_eq!(
        outcome.change,
        ReleaseChange::Updated {
            fields: vec!["make_latest"]
        }
    );
    assert_eq!(fake.latest_tag().as_deref(), Some("v1.0.1"));
}

#[tokio::test]
async fn a_draft_is_found_by_its_tag_and_published_rather_than_duplicated() {
    let fake = start();
    for n in 0..120 {
        fake.insert_release(&format!("v0.{n}.0"), "old", "", false, false);
    }
    fake.insert_release("v1.0.0", "Hangar 1.0.0", "notes", true, false);
    let github = client(&fake);
    let found = github.release_by_tag("v1.0.0").await.unwrap().unwrap();
    assert!(found.draft);
    let outcome = github
        .create_or_update_release(&spec("v1.0.0", "notes"))
        .await
        .unwrap();
    assert_eq!(
        outcome.change,
        ReleaseChange::Updated {
            fields: vec!["draft", "make_latest"]
        }
    );
    assert_eq!(fake.releases().len(), 121);
    assert!(!fake.release("v1.0.0").unwrap().draft);
    assert!(github.release_by_tag("v9.9.9").await.unwrap().is_none());
}

#[tokio::test]
async fn create_is_retried_on_502_and_a_create_that_went_through_is_not_repeated() {
    let fake = start();
    fake.fail_next("POST", "/releases", 2, 502);
    let github = client(&fake);
    let outcome = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap();
    assert_eq!(outcome.change, ReleaseChange::Created);
    assert_eq!(fake.count("POST", "/releases"), 3);
    assert_eq!(fake.releases().len(), 1);

    // A create that went through but whose answer was lost is retried, hears "already exists", and
    // compares instead of failing or creating a second release.
    let fake = start();
    fake.lose_answer_next("POST", "/releases", 1);
    let outcome = client(&fake)
        .create_or_update_release(&spec("v2.0.0", "x"))
        .await
        .unwrap();
    assert_eq!(outcome.change, ReleaseChange::Unchanged);
    assert_eq!(outcome.release.tag, "v2.0.0");
    assert_eq!(fake.count("POST", "/releases"), 2);
    assert_eq!(fake.releases().len(), 1);
}

#[tokio::test]
async fn an_upload_whose_answer_was_lost_is_not_repeated() {
    let fake = start();
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "hangar.tar.gz", b"the sdist");
    fake.lose_answer_next("POST", "/uploads/", 1);
    let outcome = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::Uploaded);
    assert_eq!(fake.count("POST", "/uploads/"), 2);
    assert_eq!(fake.count("DELETE", "/assets/"), 0);
    assert_eq!(fake.release("v1.0.0").unwrap().assets.len(), 1);
}

#[tokio::test]
async fn retries_give_up_with_the_last_status_in_the_error() {
    let fake = start();
    fake.fail_next("GET", "/releases/tags/", 5, 503);
    let error = client(&fake).release_by_tag("v1.0.0").await.unwrap_err();
    let text = shown(&error);
    assert!(text.contains("HTTP 503"), "{text}");
    assert_eq!(fake.count("GET", "/releases/tags/"), 3);
}

#[tokio::test]
async fn an_exhausted_rate_limit_is_reported_after_retries() {
    let fake = start();
    fake.fail_next("GET", "/releases/tags/", 5, 429);
    let error = client(&fake).release_by_tag("v1.0.0").await.unwrap_err();
    let text = shown(&error);
    assert!(
        matches!(
            &error,
            ReleaseError::Lookup {
                source: ApiError::RateLimited { status: 429, .. },
                ..
            }
        ),
        "{text}"
    );
    assert!(
        text.contains("rate limit is exhausted (HTTP 429)"),
        "{text}"
    );
    assert_eq!(fake.count("GET", "/releases/tags/"), 3);
}

#[tokio::test]
async fn a_refused_token_says_so_and_never_shows_the_token() {
    let fake = start();
    let wrong = "ghp_WRONG0123456789abcdef";
    let github = client_with(&fake, wrong, REPOSITORY);
    let error = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap_err();
    let text = shown(&error);
    assert!(
        matches!(
            &error,
            ReleaseError::Lookup {
                source: ApiError::Unauthorized { .. },
                ..
            }
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "GitHub refused the token (HTTP 401): Bad credentials; set GITHUB_TOKEN or GH_TOKEN"
        ),
        "{text}"
    );
    assert!(!text.contains(wrong), "{text}");
    let debug = format!("{github:?}");
    assert!(!debug.contains(wrong), "{debug}");
    assert!(debug.contains("octo-org/hangar"), "{debug}");
    assert!(fake.releases().is_empty());
}

#[tokio::test]
async fn a_read_only_token_is_told_it_needs_contents_write() {
    let fake = start();
    fake.set_read_only(true);
    let error = client(&fake)
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap_err();
    let text = shown(&error);
    assert!(matches!(error, ReleaseError::Create { .. }), "{text}");
    assert!(text.contains("HTTP 403"), "{text}");
    assert!(
        text.contains("Resource not accessible by integration"),
        "{text}"
    );
    assert!(
        text.contains("`contents: write` on octo-org/hangar"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn an_unknown_repository_is_named_in_the_error() {
    let fake = start();
    let error = client_with(&fake, TOKEN, "octo-org/hangr")
        .release_by_tag("v1.0.0")
        .await
        .unwrap_err();
    let text = shown(&error);
    assert!(
        text.contains("repository octo-org/hangr not found at http://127.0.0.1:"),
        "{text}"
    );
}

#[tokio::test]
async fn a_validation_failure_carries_githubs_message() {
    let fake = start();
    let error = client(&fake)
        .create_or_update_release(&spec("v1..0", "x"))
        .await
        .unwrap_err();
    let text = shown(&error);
    assert!(
        text.contains("cannot create the release for tag v1..0 in octo-org/hangar"),
        "{text}"
    );
    assert!(
        text.contains(
            "GitHub rejected the request (HTTP 422): Validation Failed: Release.tag_name invalid"
        ),
        "{text}"
    );
    let error = client(&fake)
        .create_or_update_release(&spec("v1 0", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ReleaseError::InvalidSpec { .. }),
        "{error:?}"
    );
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Progress for Recorder {
    fn hashing(&self, name: &str, size: u64) {
        self.0.lock().unwrap().push(format!("hash {name} {size}"));
    }
    fn upload_started(&self, name: &str, size: u64) {
        self.0.lock().unwrap().push(format!("start {name} {size}"));
    }
    fn upload_position(&self, _name: &str, sent: u64) {
        self.0.lock().unwrap().push(format!("at {sent}"));
    }
    fn finished(&self, outcome: &AssetOutcome) {
        self.0
            .lock()
            .unwrap()
            .push(format!("done {:?}", outcome.status));
    }
}

#[tokio::test]
async fn an_asset_is_streamed_up_once_and_a_rerun_sends_nothing() {
    let fake = start();
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    let dir = tempfile::tempdir().unwrap();
    // Larger than the read buffer, so it goes in several chunks.
    let bytes: Vec<u8> = (0..700_000_u32).map(|i| (i % 251) as u8).collect();
    let path = write_file(dir.path(), "hangar-1.0.0.tar.gz", &bytes);
    let progress = Arc::new(Recorder::default());
    let outcome = github
        .upload_asset(&release, &path, progress.clone())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::Uploaded);
    assert_eq!(outcome.sha256, sha256(&bytes));
    assert_eq!(outcome.asset.size, 700_000);
    assert_eq!(
        outcome.asset.digest.as_deref(),
        Some(format!("sha256:{}", sha256(&bytes)).as_str())
    );
    assert_eq!(fake.release("v1.0.0").unwrap().assets[0].bytes, bytes);
    let upload = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.starts_with("/uploads/"))
        .unwrap();
    assert_eq!(upload.query, "name=hangar-1.0.0.tar.gz");
    assert_eq!(upload.headers["content-type"], "application/octet-stream");
    assert_eq!(upload.headers["content-length"], "700000");
    let events = progress.0.lock().unwrap().clone();
    assert_eq!(events.first().unwrap(), "hash hangar-1.0.0.tar.gz 700000");
    assert_eq!(events[1], "start hangar-1.0.0.tar.gz 700000");
    assert!(
        events.iter().filter(|e| e.starts_with("at ")).count() >= 3,
        "{events:?}"
    );
    assert_eq!(&events[events.len() - 2..], ["at 700000", "done Uploaded"]);

    fake.clear_requests();
    let again = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap();
    assert_eq!(again.status, AssetStatus::AlreadyPresent);
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());
    assert_eq!(fake.release("v1.0.0").unwrap().assets.len(), 1);
}

#[tokio::test]
async fn without_digests_the_size_decides() {
    let fake = start();
    fake.set_report_digests(false);
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    fake.insert_asset("v1.0.0", "a.txt", b"same size", true);
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "a.txt", b"SAME SIZE");
    let outcome = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::AlreadyPresent);
    assert_eq!(outcome.asset.digest, None);
    let path = write_file(dir.path(), "a.txt", b"another size");
    let outcome = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::Replaced);
    assert_eq!(
        fake.release("v1.0.0").unwrap().assets[0].bytes,
        b"another size"
    );
}

#[tokio::test]
async fn an_asset_with_other_content_is_deleted_and_uploaded_again() {
    let fake = start();
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    let old = fake.insert_asset("v1.0.0", "hangar.whl", b"old build", true);
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "hangar.whl", b"new build");
    fake.clear_requests();
    let outcome = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::Replaced);
    let writes = fake.writes();
    assert_eq!(
        writes,
        [
            (
                "DELETE".to_owned(),
                format!("/api/v3/repos/octo-org/hangar/releases/assets/{old}")
            ),
            (
                "POST".to_owned(),
                format!(
                    "/uploads/repos/octo-org/hangar/releases/{}/assets",
                    release.id
                )
            ),
        ]
    );
    let assets = fake.release("v1.0.0").unwrap().assets;
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].bytes, b"new build");
}

#[tokio::test]
async fn a_broken_off_upload_is_retried_past_its_remains() {
    let fake = start();
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "hangar.tar.gz", b"the sdist");
    // The first attempt leaves a `starter` asset and answers 502; the retry hears "already exists".
    fake.fail_uploads_midway(1);
    let outcome = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::Uploaded);
    let assets = fake.release("v1.0.0").unwrap().assets;
    assert_eq!(assets.len(), 1);
    assert!(assets[0].uploaded);
    assert_eq!(assets[0].bytes, b"the sdist");
    assert_eq!(fake.count("DELETE", "/releases/assets/"), 1);
    assert_eq!(fake.count("POST", "/uploads/"), 3);
}

#[tokio::test]
async fn uploads_are_retried_on_502_from_the_start_of_the_file() {
    let fake = start();
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "hangar.tar.gz", b"the sdist");
    fake.fail_next("POST", "/uploads/", 2, 502);
    let progress = Arc::new(Recorder::default());
    let outcome = github
        .upload_asset(&release, &path, progress.clone())
        .await
        .unwrap();
    assert_eq!(outcome.status, AssetStatus::Uploaded);
    assert_eq!(fake.count("POST", "/uploads/"), 3);
    let starts = progress
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.starts_with("start "))
        .count();
    assert_eq!(starts, 3);
    let uploads: Vec<usize> = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/uploads/"))
        .map(|r| r.body_len)
        .collect();
    assert_eq!(uploads, [9, 9, 9], "every attempt sends the whole file");
}

#[tokio::test]
async fn asset_errors_name_the_file() {
    let fake = start();
    let github = client(&fake);
    let release = github
        .create_or_update_release(&spec("v1.0.0", "x"))
        .await
        .unwrap()
        .release;
    let missing = Path::new("/nonexistent/hangar.tar.gz");
    let error = github
        .upload_asset(&release, missing, no_progress())
        .await
        .unwrap_err();
    assert!(matches!(error, AssetError::Read { .. }), "{error:?}");
    assert!(shown(&error).contains("cannot read /nonexistent/hangar.tar.gz"));
    fake.set_read_only(true);
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "hangar.tar.gz", b"x");
    let error = github
        .upload_asset(&release, &path, no_progress())
        .await
        .unwrap_err();
    let text = shown(&error);
    assert!(
        text.contains("cannot upload hangar.tar.gz to release v1.0.0: GitHub forbids this"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn a_known_issues_note_is_added_once() {
    let fake = start();
    let github = client(&fake);
    github
        .create_or_update_release(&spec("v1.1.1", "## Fixed\n- crash"))
        .await
        .unwrap();
    fake.clear_requests();
    let outcome = github
        .add_known_issues("v1.1.1", "the image crashes on arm64; use 1.1.0")
        .await
        .unwrap();
    assert_eq!(
        outcome.change,
        ReleaseChange::Updated {
            fields: vec!["body"]
        }
    );
    let expected = "> **Known issues:** the image crashes on arm64; use 1.1.0\n\n## Fixed\n- crash";
    assert_eq!(fake.release("v1.1.1").unwrap().body, expected);
    assert_eq!(fake.count("PATCH", "/releases/"), 1);
    let again = github
        .add_known_issues("v1.1.1", "the image crashes on arm64; use 1.1.0")
        .await
        .unwrap();
    assert_eq!(again.change, ReleaseChange::Unchanged);
    assert_eq!(fake.count("PATCH", "/releases/"), 1);
    assert_eq!(fake.release("v1.1.1").unwrap().body, expected);

    let error = github.add_known_issues("v9.9.9", "x").await.unwrap_err();
    assert!(matches!(error, ReleaseError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn verification_reports_missing_mismatched_and_partial_assets_and_differing_fields() {
    let fake = start();
    let github = client(&fake);
    let wanted = spec("v1.0.0", "notes");
    let dir = tempfile::tempdir().unwrap();
    let sdist = write_file(dir.path(), "hangar-1.0.0.tar.gz", b"sdist");
    let wheel = write_file(dir.path(), "hangar-1.0.0-py3-none-any.whl", b"wheel");
    let expected = [
        ExpectedAsset::from_file(&sdist).unwrap(),
        ExpectedAsset::from_file(&wheel).unwrap(),
    ];
    assert_eq!(expected[0].sha256, sha256(b"sdist"));
    assert_eq!(expected[0].size, 5);

    let nothing = github.verify_release(&wanted, &expected).await.unwrap();
    assert!(!nothing.is_ok());
    assert!(nothing.release.is_none());
    assert_eq!(nothing.missing.len(), 2);

    let release = github
        .create_or_update_release(&wanted)
        .await
        .unwrap()
        .release;
    github
        .upload_asset(&release, &sdist, no_progress())
        .await
        .unwrap();
    github
        .upload_asset(&release, &wheel, no_progress())
        .await
        .unwrap();
    fake.clear_requests();
    let verified = github.verify_release(&wanted, &expected).await.unwrap();
    assert!(verified.is_ok(), "{verified:?}");
    assert!(verified.size_only.is_empty());
    assert_eq!(fake.writes(), Vec::<(String, String)>::new());

    let stale = spec("v1.0.0", "other notes");
    let differing = github.verify_release(&stale, &expected).await.unwrap();
    assert_eq!(differing.differing, ["body"]);
    assert!(!differing.is_ok());

    fake.set_report_digests(false);
    let by_size = github.verify_release(&wanted, &expected).await.unwrap();
    assert!(by_size.is_ok());
    assert_eq!(by_size.size_only.len(), 2);
    fake.set_report_digests(true);

    let other = ExpectedAsset {
        sha256: sha256(b"SDIST"),
        ..expected[0].clone()
    };
    let partial_name = "hangar-1.0.0.zip";
    fake.insert_asset("v1.0.0", partial_name, b"", false);
    let partial = ExpectedAsset {
        name: partial_name.to_owned(),
        size: 3,
        sha256: sha256(b"zip"),
    };
    let wrong = github
        .verify_release(&wanted, &[other, partial])
        .await
        .unwrap();
    assert!(!wrong.is_ok());
    let found: Vec<(&str, &str)> = wrong
        .mismatched
        .iter()
        .map(|m| (m.name.as_str(), m.found.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "hangar-1.0.0.tar.gz",
                format!("sha256:{} (5 bytes)", sha256(b"sdist")).as_str()
            ),
            (partial_name, "incomplete upload"),
        ]
    );
}

#[test]
fn the_client_is_configured_from_environment_values() {
    let env = GithubEnv::from_lookup(|name| match name {
        "GITHUB_TOKEN" => Some(TOKEN.to_owned()),
        "GITHUB_REPOSITORY" => Some("octo-org/from-env".to_owned()),
        "GITHUB_API_URL" => Some("https://ghe.example.com/api/v3".to_owned()),
        _ => None,
    });
    let github = GithubClient::from_env(&env, None, None).unwrap();
    assert_eq!(github.repository().to_string(), "octo-org/from-env");
    assert_eq!(github.api_url(), "https://ghe.example.com/api/v3");
    let github = GithubClient::from_env(&env, Some("https://api.github.com"), Some("a/b")).unwrap();
    assert_eq!(github.repository().to_string(), "a/b");
    assert_eq!(github.api_url(), "https://api.github.com/");
    let shown = format!("{github:?} {env:?}");
    assert!(!shown.contains(TOKEN), "{shown}");

    let no_token = GithubEnv::from_lookup(|name| {
        (name == "GITHUB_REPOSITORY").then(|| "octo-org/hangar".to_owned())
    });
    let error = GithubClient::from_env(&no_token, None, None).unwrap_err();
    assert!(matches!(error, ConfigError::MissingToken));
    assert!(error.to_string().contains("set GITHUB_TOKEN or GH_TOKEN"));
    assert!(
        error.to_string().contains("${{ secrets.GITHUB_TOKEN }}"),
        "{error}"
    );
    let no_repository = GithubEnv::from_lookup(|name| (name == "GH_TOKEN").then(|| "t".to_owned()));
    assert!(matches!(
        GithubClient::from_env(&no_repository, None, None),
        Err(ConfigError::MissingRepository)
    ));
}
