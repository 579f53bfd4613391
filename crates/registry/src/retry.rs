//! The one retry mechanism of the crate: exponential backoff with full jitter.
//!
//! Every HTTP call in `registry` that may be repeated goes through the crate-internal `send`, which rebuilds the request for
//! each attempt (a streamed body cannot be replayed), retries dropped connections, timeouts and the statuses
//! [`is_retryable_status`] names, and honours `Retry-After`.
//! It never interprets a final response: the caller reads its status, so a 409 or a 400 stays the caller's
//! business (for an upload, "already exists" is decided by re-checking the index, never by deleting).
//!
//! Backoff follows the "full jitter" scheme: the delay before retry `n` is uniform in
//! `[0, min(max_delay, initial_delay * 2^(n-1))]`, which spreads many clients apart after a shared outage.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::redact::RedactedUrl;

/// The longest `Retry-After` that is honoured; a server asking for more is retried after this long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How often and how patiently a request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; `1` means no retry. `0` is treated as `1`. A cap:
    /// the time budget is what usually ends the retries.
    pub max_attempts: u32,
    /// The ceiling of the first backoff delay.
    pub initial_delay: Duration,
    /// The ceiling of any backoff delay (doubling stops here).
    pub max_delay: Duration,
    /// The total time a request may take with its retries: no retry starts whose delay would end
    /// after it. A refused connection (nothing listening) is retried at most
    /// [`CONNECT_ATTEMPTS`] times whatever the budget.
    pub budget: Duration,
}

/// Attempts at a connection that is refused outright: a server that is not there does not come
/// back within a budget made for a flaky one.
pub const CONNECT_ATTEMPTS: u32 = 4;

/// The default budget in milliseconds, settable once per process ([`set_default_budget`]).
static DEFAULT_BUDGET_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(300_000);

/// Sets the budget of [`RetryPolicy::default`] for this process (the `slipway` command reads
/// `SLIPWAY_RETRY_BUDGET`, in seconds). Default: 5 minutes.
pub fn set_default_budget(budget: Duration) {
    DEFAULT_BUDGET_MS.store(
        u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
        std::sync::atomic::Ordering::Relaxed,
    );
}

impl Default for RetryPolicy {
    /// Retries with backoff ceilings 0.5 s, 1 s, 2 s, … 30 s for up to 5 minutes in all (at most
    /// 30 attempts).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 30,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_millis(
                DEFAULT_BUDGET_MS.load(std::sync::atomic::Ordering::Relaxed),
            ),
        }
    }
}

impl RetryPolicy {
    /// A policy that makes exactly one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            initial_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            budget: Duration::ZERO,
        }
    }

    /// Whether another attempt may follow attempt `attempt` after `delay`, `elapsed` into the
    /// request.
    fn may_retry(&self, attempt: u32, elapsed: Duration, delay: Duration) -> bool {
        attempt < self.attempts() && elapsed + delay <= self.budget
    }

    /// The delay to wait after attempt number `attempt` (1-based) failed.
    ///
    /// A server's `Retry-After` wins over backoff (capped at [`MAX_RETRY_AFTER`]); otherwise the delay is drawn
    /// uniformly from `[0, min(max_delay, initial_delay * 2^(attempt-1))]`.
    pub fn delay_for(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(MAX_RETRY_AFTER);
        }
        let ceiling = self.backoff_ceiling(attempt);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// The upper bound of the jittered delay after attempt `attempt`.
    fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.initial_delay
            .checked_mul(1_u32 << doublings)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }
}

/// Whether an HTTP status is worth retrying: 408 Request Timeout, 429 Too Many Requests and every 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Parses a `Retry-After` header value: delta-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, read relative to the system clock; a date in the past means "now").
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, SystemTime::now())
}

fn parse_retry_after_at(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = UNIX_EPOCH + Duration::from_secs(parse_imf_fixdate(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses the preferred HTTP-date form (RFC 9110 §5.6.7), `Sun, 06 Nov 1994 08:49:37 GMT`, into Unix seconds.
fn parse_imf_fixdate(value: &str) -> Option<u64> {
    let rest = value.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let (day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    let day: u64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month)? as u64
        + 1;
    let year: u64 = year.parse().ok()?;
    let mut hms = time.split(':').map(|p| p.parse::<u64>().ok());
    let (hour, minute, second) = (hms.next()??, hms.next()??, hms.next()??);
    if year < 1970 || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), for years from 1970 on.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// A request that could not be completed, after retries where they applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RetryError {
    /// Preparing the request failed (typically opening the file to stream).
    #[error("could not prepare the request to {what}")]
    Prepare {
        /// What was being done, e.g. `upload demo-1.0.tar.gz to https://upload.pypi.org/legacy/`.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The connection failed or timed out on every attempt, or failed in a way not worth retrying.
    #[error("could not {what} ({url}) after {attempts} attempt(s)")]
    Transport {
        /// What was being done.
        what: String,
        /// The request URL, redacted.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The cause, with any URL stripped from it (it may carry credentials).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Sends a request built by `build`, retrying as `policy` allows; returns the final response whatever its status.
///
/// `build` is called once per attempt so that streamed bodies start afresh.
/// `what` describes the call for logs and errors ("upload demo-1.0.tar.gz").
#[allow(
    dead_code,
    reason = "the pypi and oci modules call it; until they land only tests do"
)]
pub(crate) async fn send<F>(
    client: &reqwest::Client,
    policy: &RetryPolicy,
    what: &str,
    mut build: F,
) -> Result<reqwest::Response, RetryError>
where
    F: FnMut() -> Result<reqwest::RequestBuilder, std::io::Error>,
{
    let started = std::time::Instant::now();
    let mut attempt = 1;
    loop {
        let request = build()
            .and_then(|builder| builder.build().map_err(std::io::Error::other))
            .map_err(|source| RetryError::Prepare {
                what: what.to_owned(),
                source,
            })?;
        let url = RedactedUrl::new(request.url().as_str()).to_string();
        let method = request.method().clone();
        tracing::debug!(%method, %url, attempt, "{what}");
        match client.execute(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                let delay = policy.delay_for(attempt, retry_after);
                if !is_retryable_status(status)
                    || !policy.may_retry(attempt, started.elapsed(), delay)
                {
                    tracing::debug!(status, %url, attempt, "{what}: response");
                    return Ok(response);
                }
                tracing::warn!(
                    status,
                    %url,
                    attempt,
                    delay_ms = delay.as_millis() as u64,
                    "{what}: retryable status, retrying"
                );
                drop(response);
                tokio::time::sleep(delay).await;
            }
            Err(error) => {
                let error = error.without_url();
                let delay = policy.delay_for(attempt, None);
                let refused = error.is_connect() && attempt >= CONNECT_ATTEMPTS;
                if !is_retryable_error(&error)
                    || refused
                    || !policy.may_retry(attempt, started.elapsed(), delay)
                {
                    return Err(RetryError::Transport {
                        what: what.to_owned(),
                        url,
                        attempts: attempt,
                        source: Box::new(error),
                    });
                }
                tracing::warn!(
                    %url,
                    attempt,
                    delay_ms = delay.as_millis() as u64,
                    error = %crate::redact::ErrorChain(&error),
                    "{what}: connection failed, retrying"
                );
                tokio::time::sleep(delay).await;
            }
        }
        attempt += 1;
    }
}

/// Transport failures that may succeed when repeated: refused or dropped connections, timeouts, broken bodies.
fn is_retryable_error(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(initial_ms: u64, max_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            initial_delay: Duration::from_millis(initial_ms),
            max_delay: Duration::from_millis(max_ms),
            budget: std::time::Duration::from_secs(120),
        }
    }

    #[test]
    fn default_is_a_five_minute_budget_from_half_a_second_up_to_thirty() {
        let p = RetryPolicy::default();
        assert_eq!(p.budget, Duration::from_secs(300));
        assert_eq!(p.max_attempts, 30);
        assert_eq!(p.initial_delay, Duration::from_millis(500));
        assert_eq!(p.max_delay, Duration::from_secs(30));
        assert_eq!(RetryPolicy::none().attempts(), 1);
        // The budget, not the count, ends the retries: no retry starts whose delay ends past it.
        assert!(p.may_retry(1, Duration::from_secs(200), Duration::from_secs(30)));
        assert!(!p.may_retry(1, Duration::from_secs(280), Duration::from_secs(30)));
        assert!(!p.may_retry(30, Duration::ZERO, Duration::ZERO));
    }

    #[tokio::test]
    async fn a_refused_connection_is_given_up_after_a_few_attempts_whatever_the_budget() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        let policy = RetryPolicy {
            budget: Duration::from_secs(3_600),
            ..quick(1_000)
        };
        let error = send(&reqwest::Client::new(), &policy, "probe", || {
            Ok(reqwest::Client::new().get(&url))
        })
        .await
        .unwrap_err();
        let RetryError::Transport { attempts, .. } = error else {
            panic!("a transport error: {error}");
        };
        assert_eq!(attempts, CONNECT_ATTEMPTS);
    }

    #[test]
    fn backoff_ceiling_doubles_then_stops_at_max_delay() {
        let p = policy(500, 3_000);
        let ceilings: Vec<u128> = (1..=6).map(|a| p.backoff_ceiling(a).as_millis()).collect();
        assert_eq!(ceilings, [500, 1_000, 2_000, 3_000, 3_000, 3_000]);
        // Huge attempt numbers neither overflow nor exceed the ceiling.
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_secs(3));
    }

    #[test]
    fn jittered_delay_stays_within_its_ceiling_and_varies() {
        let p = policy(1_000, 30_000);
        let delays: Vec<Duration> = (0..200).map(|_| p.delay_for(3, None)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(4)));
        let first = delays[0];
        assert!(delays.iter().any(|d| *d != first), "full jitter must vary");
    }

    #[test]
    fn retry_after_wins_over_backoff_up_to_the_cap() {
        let p = policy(1, 2);
        assert_eq!(
            p.delay_for(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay_for(1, Some(Duration::from_secs(86_400))),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn retryable_statuses_are_408_429_and_5xx() {
        let retryable: Vec<u16> = (100..600).filter(|s| is_retryable_status(*s)).collect();
        let mut expected = vec![408, 429];
        expected.extend(500..600);
        assert_eq!(retryable, expected);
    }

    fn check_retry_after(value: &str, expected: Option<u64>) {
        // 1994-11-06T08:49:00Z
        let now = UNIX_EPOCH + Duration::from_secs(784_111_740);
        assert_eq!(
            parse_retry_after_at(value, now),
            expected.map(Duration::from_secs),
            "{value:?}"
        );
    }

    #[test]
    fn retry_after_values() {
        check_retry_after("120", Some(120));
        check_retry_after(" 0 ", Some(0));
        check_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", Some(37));
        check_retry_after("Sun, 06 Nov 1994 08:48:00 GMT", Some(0));
        check_retry_after("Mon, 07 Nov 1994 08:49:00 GMT", Some(86_400));
        check_retry_after("-5", None);
        check_retry_after("1.5", None);
        check_retry_after("", None);
        check_retry_after("soon", None);
        check_retry_after("Sun, 06 Nov 1994 08:49:37 PST", None);
        check_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", None);
    }

    #[test]
    fn imf_fixdate_matches_known_unix_times() {
        assert_eq!(parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_imf_fixdate("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(1_445_412_480)
        );
        assert_eq!(
            parse_imf_fixdate("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1_709_208_000)
        );
    }

    /// Serves the given raw responses to consecutive connections on 127.0.0.1, counting requests;
    /// `None` closes the connection without answering (a dropped connection).
    async fn serve(
        responses: Vec<Option<&'static str>>,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicU32>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = count.clone();
        tokio::spawn(async move {
            for response in responses {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut buf = vec![0; 4096];
                let _ = socket.read(&mut buf).await;
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if let Some(response) = response {
                    socket.write_all(response.as_bytes()).await.unwrap();
                }
                drop(socket);
            }
        });
        (url, count)
    }

    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
    const UNAVAILABLE: &str = "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    const CONFLICT: &str =
        "HTTP/1.1 409 Conflict\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

    fn quick(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            budget: std::time::Duration::from_secs(120),
        }
    }

    #[tokio::test]
    async fn send_retries_retryable_statuses_and_dropped_connections_then_succeeds() {
        let (url, count) = serve(vec![Some(UNAVAILABLE), None, Some(OK)]).await;
        let client = reqwest::Client::new();
        let mut builds = 0;
        let response = send(&client, &quick(5), "probe", || {
            builds += 1;
            Ok(client.get(&url))
        })
        .await
        .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(builds, 3, "the request is rebuilt for each attempt");
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn send_returns_non_retryable_statuses_to_the_caller_at_once() {
        let (url, count) = serve(vec![Some(CONFLICT), Some(OK)]).await;
        let client = reqwest::Client::new();
        let response = send(&client, &quick(5), "probe", || Ok(client.get(&url)))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 409);
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn send_returns_the_last_retryable_response_when_attempts_run_out() {
        let (url, _) = serve(vec![Some(UNAVAILABLE), Some(UNAVAILABLE)]).await;
        let client = reqwest::Client::new();
        let response = send(&client, &quick(2), "probe", || Ok(client.get(&url)))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 503);
    }

    #[tokio::test]
    async fn send_reports_a_transport_error_with_a_redacted_url() {
        // Bind and drop to get a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://__token__:pypi-SECRET@127.0.0.1:{port}/legacy/?token=SECRET");
        let client = reqwest::Client::new();
        let error = send(&client, &quick(2), "upload demo", || Ok(client.get(&url)))
            .await
            .unwrap_err();
        let text = format!("{}: {:?}", crate::redact::ErrorChain(&error), error);
        assert!(
            matches!(error, RetryError::Transport { attempts: 2, .. }),
            "{text}"
        );
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("/legacy/?token=****"), "{text}");
    }

    #[tokio::test]
    async fn send_does_not_retry_when_the_request_cannot_be_prepared() {
        let client = reqwest::Client::new();
        let mut builds = 0;
        let error = send(&client, &quick(5), "upload demo", || {
            builds += 1;
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file",
            ))
        })
        .await
        .unwrap_err();
        assert!(matches!(error, RetryError::Prepare { .. }));
        assert_eq!(builds, 1);
    }
}
