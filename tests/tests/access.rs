//! The pre-flight access checks of `registry` (PyPI, OCI, GitHub) against real servers on 127.0.0.1:
//! pypiserver with and without authenticated reads, distribution with htpasswd and with a token service, and
//! the fake GitHub. Each check is also held against what the server really does (a refused push, a refused
//! read), so a check that says yes too easily fails here.

use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use registry::access::{AccessCheck, Denial, Unverifiable};
use registry::github::{GithubClient, GithubEnv};
use registry::oci::{
    ClientOptions, Credentials as OciCredentials, OciClient, PushOptions, Repository,
};
use registry::pypi::{Credentials, ExpectedFile, IndexUrls, Poll, PublishOptions, PypiClient};
use registry::retry::RetryPolicy;
use secrecy::SecretString;
use slipway_tests::github_fake::FakeGithub;
use slipway_tests::oci_registry::{OciRegistry, RegistryAuth, layouts};
use slipway_tests::pypiserver::{PypiServer, build_wheel, sha256_file};
use slipway_tests::token_issuer::{IssuerConfig, TokenIssuer};

/// Asserts that no `Display` or `Debug` of `shown` contains `secret`.
fn assert_secret_free(secret: &str, shown: &[String]) {
    for text in shown {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

fn shown(check: &AccessCheck) -> Vec<String> {
    vec![
        check.to_string(),
        format!("{check:?}"),
        format!("{check:#?}"),
    ]
}

fn denial(check: &AccessCheck) -> Option<(Denial, Option<u16>)> {
    check.denied().map(|d| (d.denial, d.status))
}

// ---- PyPI -------------------------------------------------------------------------------------------

fn pypi_client(server: &PypiServer, credentials: Option<Credentials>) -> PypiClient {
    let urls = IndexUrls::from_upload_url(&server.url()).unwrap();
    PypiClient::new(urls, credentials)
        .with_retry(RetryPolicy::none())
        .with_poll_interval(Duration::from_millis(100))
}

fn basic(username: &str, password: &str) -> Credentials {
    Credentials::basic(username, SecretString::from(password.to_owned()))
}

#[tokio::test]
async fn pypiserver_with_authenticated_reads_accepts_only_the_right_password() {
    let server = PypiServer::start_with_authenticated_reads().unwrap();
    let right = pypi_client(&server, Some(basic(server.username(), server.password())))
        .check_credentials()
        .await
        .unwrap();
    assert!(right.is_accepted(), "{right}");
    assert!(right.to_string().contains(&server.simple_url()), "{right}");

    let wrong_password = "pw-wrong-0123456789";
    let wrong = pypi_client(&server, Some(basic(server.username(), wrong_password)))
        .check_credentials()
        .await
        .unwrap();
    // pypiserver answers a wrong password with 403, and no password with 401.
    assert_eq!(
        denial(&wrong),
        Some((Denial::BadCredentials, Some(403))),
        "{wrong}"
    );
    let text = wrong.to_string();
    assert!(
        text.starts_with(&format!(
            "the index {} refused a read of the index root (HTTP 403): the credentials were refused",
            server.simple_url()
        )),
        "{text}"
    );
    assert!(text.contains("TWINE_USERNAME/TWINE_PASSWORD"), "{text}");
    assert_secret_free(wrong_password, &shown(&wrong));
    assert_secret_free(server.password(), &shown(&right));

    let none = pypi_client(&server, None)
        .check_credentials()
        .await
        .unwrap();
    assert_eq!(
        denial(&none),
        Some((Denial::NoCredentials, Some(401))),
        "{none}"
    );
    assert!(none.to_string().contains("SLIPWAY_PYPI_TOKEN"), "{none}");
}

#[tokio::test]
async fn pypiserver_with_anonymous_reads_cannot_tell_right_credentials_from_wrong() {
    let server = PypiServer::start().unwrap();
    let unverifiable = |check: &AccessCheck| {
        matches!(
            check,
            AccessCheck::Unverifiable {
                reason: Unverifiable::AnonymousReads,
                ..
            }
        )
    };
    for credentials in [
        Some(basic(server.username(), server.password())),
        Some(basic(server.username(), "pw-wrong-0123456789")),
        None,
    ] {
        let check = pypi_client(&server, credentials)
            .check_credentials()
            .await
            .unwrap();
        assert!(unverifiable(&check), "{check}");
    }
    // Indeed: pypiserver lets a wrong password read, and refuses it only on upload.
    let directory = tempfile::tempdir().unwrap();
    let wheel = build_wheel(directory.path(), "checked-demo", "1.0.0", "x").unwrap();
    let artifact = registry::pypi::Artifact::read(&wheel).unwrap();
    let error = pypi_client(
        &server,
        Some(basic(server.username(), "pw-wrong-0123456789")),
    )
    .publish(
        std::slice::from_ref(&artifact),
        PublishOptions::default(),
        std::sync::Arc::new(registry::pypi::NoProgress),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            registry::pypi::PublishError::Unauthorized {
                status: 401 | 403,
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_refused_anonymous_read_is_unauthorized_and_credentials_then_verify() {
    let server = PypiServer::start_with_authenticated_reads().unwrap();
    let directory = tempfile::tempdir().unwrap();
    let wheel = build_wheel(directory.path(), "verified-demo", "2.0.0", "y").unwrap();
    let artifact = registry::pypi::Artifact::read(&wheel).unwrap();
    let with_credentials = pypi_client(&server, Some(basic(server.username(), server.password())));
    with_credentials
        .publish(
            std::slice::from_ref(&artifact),
            PublishOptions::default(),
            std::sync::Arc::new(registry::pypi::NoProgress),
        )
        .await
        .unwrap();
    let version = versioning::pep440::Pep440Version::parse("2.0.0").unwrap();
    let expected = [ExpectedFile {
        filename: artifact.filename().to_owned(),
        sha256: sha256_file(&wheel).unwrap(),
    }];

    let anonymous = with_credentials.without_credentials();
    let error = anonymous
        .verify("verified-demo", &version, &expected, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error}");
    let read = anonymous.project_files("verified-demo").await.unwrap_err();
    assert!(read.is_unauthorized(), "{read}");
    assert_eq!(read.status(), Some(401));
    assert!(read.to_string().contains("SLIPWAY_PYPI_TOKEN"), "{read}");

    let verification = with_credentials
        .verify("verified-demo", &version, &expected, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(verification.is_ok(), "{verification:?}");

    // Another failure is not mistaken for a refusal: nothing listens on port 1.
    let unreachable = PypiClient::new(
        IndexUrls::from_upload_url("http://127.0.0.1:1/").unwrap(),
        None,
    )
    .with_retry(RetryPolicy::none());
    let error = unreachable.project_files("x").await.unwrap_err();
    assert!(!error.is_unauthorized(), "{error}");
}

#[tokio::test]
async fn verify_reports_every_poll_with_what_is_still_missing() {
    let server = PypiServer::start().unwrap();
    let client = pypi_client(&server, Some(basic(server.username(), server.password())));
    let version = versioning::pep440::Pep440Version::parse("9.9.9").unwrap();
    let expected = [ExpectedFile {
        filename: "never_published-9.9.9-py3-none-any.whl".to_owned(),
        sha256: "00".repeat(32),
    }];
    let polls = Mutex::new(Vec::new());
    let record = |poll: &Poll<'_>| {
        polls.lock().unwrap().push((
            poll.attempt,
            poll.elapsed,
            poll.verification.missing.clone(),
            poll.next_in,
        ));
    };
    let verification = client
        .verify_with_progress(
            "never-published",
            &version,
            &expected,
            Duration::from_millis(700),
            &record,
        )
        .await
        .unwrap();
    assert!(!verification.is_ok());
    let polls = polls.into_inner().unwrap();
    assert!(polls.len() >= 3, "{polls:?}");
    for (index, (attempt, elapsed, missing, next_in)) in polls.iter().enumerate() {
        assert_eq!(*attempt as usize, index + 1);
        assert_eq!(missing, &vec![expected[0].filename.clone()]);
        assert_eq!(next_in.is_none(), index + 1 == polls.len(), "{polls:?}");
        if index > 0 {
            assert!(*elapsed >= polls[index - 1].1);
        }
    }
    assert!(polls.last().unwrap().1 >= Duration::from_millis(700));
}

#[tokio::test]
async fn warehouse_is_decided_without_a_request() {
    // A Warehouse-shaped index on a port that records whether anything connects.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let urls = IndexUrls::from_upload_url(&format!("http://127.0.0.1:{port}/legacy/")).unwrap();
    assert!(urls.is_warehouse());
    let token = "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZg";
    let check = |credentials: Option<Credentials>| {
        let client = PypiClient::new(urls.clone(), credentials);
        async move { client.check_credentials().await.unwrap() }
    };
    let good = check(Some(Credentials::token(SecretString::from(token)))).await;
    assert!(
        matches!(
            good,
            AccessCheck::Unverifiable {
                reason: Unverifiable::Warehouse,
                ..
            }
        ),
        "{good}"
    );
    assert_secret_free(token, &shown(&good));
    let truncated = check(Some(Credentials::token(SecretString::from(
        "AgEIcHlwaS5vcmc",
    ))))
    .await;
    assert_eq!(denial(&truncated), Some((Denial::BadCredentials, None)));
    let none = check(None).await;
    assert_eq!(denial(&none), Some((Denial::NoCredentials, None)));
    assert!(
        none.to_string()
            .contains(&format!("http://127.0.0.1:{port}/manage/account/token/")),
        "{none}"
    );
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the check connected to the index"
    );
}

// ---- OCI --------------------------------------------------------------------------------------------

fn oci_client(registry: &OciRegistry, credentials: OciCredentials) -> OciClient {
    OciClient::new(
        &registry.address(),
        ClientOptions {
            credentials,
            retry: RetryPolicy::none(),
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

fn oci_repository(registry: &OciRegistry, name: &str) -> Repository {
    Repository::parse(&format!("{}/{name}", registry.address())).unwrap()
}

#[tokio::test]
async fn htpasswd_registry_accepts_the_right_password_and_refuses_the_rest() {
    let password = "s3cret-htpasswd-pw";
    let registry = OciRegistry::start_with(
        &RegistryAuth::Htpasswd {
            username: "alice".to_owned(),
            password: password.to_owned(),
        },
        true,
    )
    .unwrap();
    let repository = oci_repository(&registry, "team/app");
    let mark = registry.mark();

    let right = oci_client(&registry, OciCredentials::basic("alice", password));
    let check = right.check_push_access(&repository).await.unwrap();
    assert!(check.is_accepted(), "{check}");
    assert_secret_free(password, &shown(&check));

    let wrong_password = "wrong-htpasswd-pw";
    let wrong = oci_client(&registry, OciCredentials::basic("alice", wrong_password));
    let check = wrong.check_push_access(&repository).await.unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::BadCredentials, Some(401))),
        "{check}"
    );
    let text = check.to_string();
    assert!(
        text.starts_with(&format!(
            "the registry {} refused push to {repository} (HTTP 401): the credentials were refused",
            registry.address()
        )),
        "{text}"
    );
    assert!(
        text.contains("SLIPWAY_OCI_USERNAME/SLIPWAY_OCI_PASSWORD"),
        "{text}"
    );
    assert_secret_free(wrong_password, &shown(&check));

    let anonymous = oci_client(&registry, OciCredentials::Anonymous);
    let check = anonymous.check_push_access(&repository).await.unwrap();
    assert_eq!(
        denial(&check).map(|d| d.0),
        Some(Denial::NoCredentials),
        "{check}"
    );
    assert!(check.to_string().contains("no credentials"), "{check}");

    // Reads only; and an anonymous read is refused in a way a verify can retry with credentials.
    let error = anonymous.tags(&repository, None).await.unwrap_err();
    assert!(error.is_unauthorized(), "{error}");
    let requests = registry.requests_since(mark);
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET /v2/ ") || r.starts_with("GET /v2/team/app/tags/list ")),
        "{requests:?}"
    );
}

#[tokio::test]
async fn token_service_grants_decide_whether_push_is_accepted() {
    let issuer = TokenIssuer::start(IssuerConfig {
        user: Some(("bob".to_owned(), "token-pw-123".to_owned())),
        pull_only: Some(("carol".to_owned(), "reader-pw-456".to_owned())),
        ..IssuerConfig::default()
    })
    .unwrap();
    let registry = OciRegistry::start_with(&RegistryAuth::token(&issuer), true).unwrap();
    let repository = oci_repository(&registry, "team/app");
    let mark = registry.mark();

    let bob = oci_client(&registry, OciCredentials::basic("bob", "token-pw-123"));
    let check = bob.check_push_access(&repository).await.unwrap();
    assert!(check.is_accepted(), "{check}");
    assert!(
        check.to_string().contains("granted pull,push on team/app"),
        "{check}"
    );
    assert_secret_free("token-pw-123", &shown(&check));

    let carol = oci_client(&registry, OciCredentials::basic("carol", "reader-pw-456"));
    let check = carol.check_push_access(&repository).await.unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::NotPermitted, None)),
        "{check}"
    );
    assert!(check.to_string().contains("granted only pull"), "{check}");

    let wrong = oci_client(&registry, OciCredentials::basic("bob", "wrong-token-pw"));
    let check = wrong.check_push_access(&repository).await.unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::BadCredentials, Some(401))),
        "{check}"
    );
    assert_secret_free("wrong-token-pw", &shown(&check));

    let anonymous = oci_client(&registry, OciCredentials::Anonymous);
    let check = anonymous.check_push_access(&repository).await.unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::NoCredentials, Some(401))),
        "{check}"
    );
    // The checks asked for the scopes a push asks for, and wrote nothing.
    assert!(
        issuer
            .requests()
            .iter()
            .all(|r| r.scopes == ["repository:team/app:pull,push"]),
        "{:?}",
        issuer.requests()
    );
    let requests = registry.requests_since(mark);
    assert!(
        requests.iter().all(|r| r.starts_with("GET /v2/ ")),
        "{requests:?}"
    );

    // What the checks said is what a push finds: carol's is refused, bob's goes through.
    let directory = tempfile::tempdir().unwrap();
    layouts::single(directory.path(), b"checked layer").unwrap();
    let layout = registry::oci::Layout::open(directory.path()).unwrap();
    let tags = vec!["1.0.0".to_owned()];
    let error = carol
        .push(&layout, &repository, &tags, &PushOptions::default())
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error}");
    bob.push(&layout, &repository, &tags, &PushOptions::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_open_registry_cannot_be_checked_without_a_push() {
    let registry = OciRegistry::start().unwrap();
    let check = oci_client(&registry, OciCredentials::Anonymous)
        .check_push_access(&oci_repository(&registry, "app"))
        .await
        .unwrap();
    assert!(
        matches!(
            check,
            AccessCheck::Unverifiable {
                reason: Unverifiable::OpenRegistry,
                ..
            }
        ),
        "{check}"
    );
}

// ---- GitHub -----------------------------------------------------------------------------------------

const TOKEN: &str = "ghp_FAKE0123456789abcdefSECRET";
const REPOSITORY: &str = "octo-org/hangar";

fn github(fake: &FakeGithub, token: &str, repository: &str) -> GithubClient {
    GithubClient::new(&fake.api_url(), SecretString::from(token), repository)
        .unwrap()
        .with_retry(RetryPolicy::none())
}

#[tokio::test]
async fn a_token_that_may_push_is_accepted() {
    let fake = FakeGithub::start(REPOSITORY, TOKEN).unwrap();
    let check = github(&fake, TOKEN, REPOSITORY)
        .check_access()
        .await
        .unwrap();
    assert!(check.is_accepted(), "{check}");
    assert_secret_free(TOKEN, &shown(&check));
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn a_bad_token_is_rejected_with_githubs_message() {
    let fake = FakeGithub::start(REPOSITORY, TOKEN).unwrap();
    let bad = "ghp_WRONG0123456789abcdefSECRET";
    let check = github(&fake, bad, REPOSITORY).check_access().await.unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::BadCredentials, Some(401))),
        "{check}"
    );
    let text = check.to_string();
    assert!(
        text.starts_with(&format!(
            "the GitHub repository {REPOSITORY} at {} refused the token (HTTP 401): the credentials were refused (Bad credentials); set GITHUB_TOKEN or GH_TOKEN",
            fake.api_url()
        )),
        "{text}"
    );
    assert_secret_free(bad, &shown(&check));
}

#[tokio::test]
async fn a_read_only_token_is_rejected_for_releases() {
    let fake = FakeGithub::start(REPOSITORY, TOKEN).unwrap();
    fake.set_read_only(true);
    let check = github(&fake, TOKEN, REPOSITORY)
        .check_access()
        .await
        .unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::NotPermitted, None)),
        "{check}"
    );
    assert!(check.to_string().contains("contents: write"), "{check}");
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn an_unknown_repository_is_rejected() {
    let fake = FakeGithub::start(REPOSITORY, TOKEN).unwrap();
    let check = github(&fake, TOKEN, "octo-org/elsewhere")
        .check_access()
        .await
        .unwrap();
    assert_eq!(
        denial(&check),
        Some((Denial::NotFound, Some(404))),
        "{check}"
    );
    assert!(check.to_string().contains("GITHUB_REPOSITORY"), "{check}");
}

#[tokio::test]
async fn an_installation_token_cannot_be_checked() {
    let fake = FakeGithub::start(REPOSITORY, TOKEN).unwrap();
    fake.set_installation_token(true);
    let check = github(&fake, TOKEN, REPOSITORY)
        .check_access()
        .await
        .unwrap();
    assert!(
        matches!(
            check,
            AccessCheck::Unverifiable {
                reason: Unverifiable::PermissionsNotReported,
                ..
            }
        ),
        "{check}"
    );
}

#[tokio::test]
async fn no_token_is_rejected_naming_the_variables() {
    let fake = FakeGithub::start(REPOSITORY, TOKEN).unwrap();
    let env =
        GithubEnv::from_lookup(|name| (name == "GITHUB_REPOSITORY").then(|| REPOSITORY.to_owned()));
    let check = GithubClient::check_access_from_env(&env, Some(&fake.api_url()), None)
        .await
        .unwrap();
    assert_eq!(denial(&check), Some((Denial::NoCredentials, None)));
    let text = check.to_string();
    assert!(text.contains("GITHUB_TOKEN or GH_TOKEN"), "{text}");
    let empty = github(&fake, "  ", REPOSITORY)
        .check_access()
        .await
        .unwrap();
    assert_eq!(denial(&empty), Some((Denial::NoCredentials, None)));
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());

    let env = GithubEnv::from_lookup(|name| (name == "GH_TOKEN").then(|| TOKEN.to_owned()));
    let check = GithubClient::check_access_from_env(&env, Some(&fake.api_url()), Some(REPOSITORY))
        .await
        .unwrap();
    assert!(check.is_accepted(), "{check}");
}
