//! A token service for registry token auth (distribution's "token authentication specification"), written
//! for the tests: a tiny HTTP server on 127.0.0.1 that issues RS256 JWTs granting what each request asks.
//!
//! Distribution 2.8 finds the verification key through the JWT `kid` header: the libtrust key id of the
//! issuer's public key (base32 of the first 30 bytes of the SHA-256 of its DER `SubjectPublicKeyInfo`, without
//! padding, in groups of four joined by `:`), matched against the certificate in `rootcertbundle`.
//! Keys, the certificate and signatures come from the `openssl` command (no crypto crate needed).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// The `iss` of every token, and what the registry config must name.
pub const ISSUER: &str = "slipway-test-issuer";
/// The `service` the registry announces.
pub const SERVICE: &str = "slipway-test-registry";

/// One request the issuer answered (or refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// Every `scope` parameter, in order.
    pub scopes: Vec<String>,
    /// The Basic user, if any.
    pub account: Option<String>,
    /// Whether a token was issued.
    pub granted: bool,
}

/// A running token service.
pub struct TokenIssuer {
    port: u16,
    directory: tempfile::TempDir,
    kid: String,
    requests: Arc<Mutex<Vec<TokenRequest>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How the issuer behaves.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// Required Basic credentials; `None` issues tokens to anyone.
    pub user: Option<(String, String)>,
    /// Another user whose tokens grant only `pull`, whatever they ask for: a token service grants the
    /// subset of the asked actions the user has (distribution's token specification), so this user's push
    /// is refused by the registry.
    pub pull_only: Option<(String, String)>,
    /// Lifetime of the tokens.
    pub ttl: Duration,
    /// How many of the first tokens are issued already expired (beyond distribution's 60 s leeway), to make
    /// the registry answer 401 to a client holding one, as when a token runs out mid-push.
    pub expire_first: usize,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        IssuerConfig {
            user: None,
            pull_only: None,
            ttl: Duration::from_secs(300),
            expire_first: 0,
        }
    }
}

impl TokenIssuer {
    /// Generates a key and certificate and starts serving on a free port.
    pub fn start(config: IssuerConfig) -> anyhow::Result<TokenIssuer> {
        let directory = tempfile::tempdir()?;
        let key = directory.path().join("issuer.key");
        let cert = directory.path().join("issuer.crt");
        openssl(&["genrsa", "-out", path(&key)?, "2048"], None)?;
        openssl(
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                path(&key)?,
                "-subj",
                "/CN=slipway-test-issuer",
                "-days",
                "2",
                "-out",
                path(&cert)?,
            ],
            None,
        )?;
        let der = openssl(
            &["pkey", "-in", path(&key)?, "-pubout", "-outform", "DER"],
            None,
        )?;
        let kid = libtrust_key_id(&der);
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop, kid, key) =
                (requests.clone(), stop.clone(), kid.clone(), key.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let _ = serve(stream, &config, &kid, &key, &requests);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Ok(TokenIssuer {
            port,
            directory,
            kid,
            requests,
            stop,
            thread: Some(thread),
        })
    }

    /// The realm URL, `http://127.0.0.1:PORT/token`.
    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// The PEM certificate for the registry's `rootcertbundle`.
    pub fn certificate(&self) -> PathBuf {
        self.directory.path().join("issuer.crt")
    }

    /// The key id every token carries.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for TokenIssuer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn path(path: &Path) -> anyhow::Result<&str> {
    path.to_str().context("temp paths are UTF-8")
}

fn openssl(args: &[&str], stdin: Option<&[u8]>) -> anyhow::Result<Vec<u8>> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running openssl (install the `openssl` package)")?;
    let mut input = child.stdin.take().expect("piped");
    input.write_all(stdin.unwrap_or_default())?;
    drop(input);
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output.stdout)
}

/// libtrust's key id: base32 (RFC 4648, no padding) of the first 30 bytes of SHA-256 of the DER
/// `SubjectPublicKeyInfo`, in groups of four characters joined by `:`.
pub fn libtrust_key_id(spki_der: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let hash = Sha256::digest(spki_der);
    let mut text = String::new();
    for group in hash[..30].chunks(5) {
        let mut bits = 0_u64;
        for byte in group {
            bits = (bits << 8) | u64::from(*byte);
        }
        for i in (0..8).rev() {
            text.push(char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]));
        }
    }
    let groups: Vec<&str> = (0..text.len())
        .step_by(4)
        .map(|i| &text[i..i + 4])
        .collect();
    groups.join(":")
}

fn serve(
    stream: TcpStream,
    config: &IssuerConfig,
    kid: &str,
    key: &Path,
    requests: &Mutex<Vec<TokenRequest>>,
) -> anyhow::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut authorization = None;
    let mut content_length = 0_usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let mut scopes = Vec::new();
    let mut service = String::new();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match name {
            "scope" => scopes.push(value),
            "service" => service = value,
            _ => {}
        }
    }
    let account = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let user = account
        .as_deref()
        .and_then(|a| a.split_once(':'))
        .map(|(u, p)| (u.to_owned(), p.to_owned()));
    let pull_only = user.is_some() && user.as_ref() == config.pull_only.as_ref();
    let granted = pull_only
        || match &config.user {
            None => true,
            Some(expected) => user.as_ref() == Some(expected),
        };
    requests.lock().expect("requests").push(TokenRequest {
        scopes: scopes.clone(),
        account: user.as_ref().map(|(u, _)| u.clone()),
        granted,
    });
    let mut stream = stream;
    if !granted {
        let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#;
        write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    let issued = requests
        .lock()
        .expect("requests")
        .iter()
        .filter(|r| r.granted)
        .count();
    let expired = issued <= config.expire_first;
    // A pull-only user gets what it asked for, less every action but `pull`.
    let granted_scopes: Vec<String> = scopes
        .iter()
        .map(|scope| match scope.rsplit_once(':') {
            Some((resource, actions)) if pull_only => {
                let kept: Vec<&str> = actions.split(',').filter(|a| *a == "pull").collect();
                format!("{resource}:{}", kept.join(","))
            }
            _ => scope.clone(),
        })
        .collect();
    let token = sign(
        config,
        kid,
        key,
        &service,
        user.as_ref().map(|(u, _)| u.as_str()),
        &granted_scopes,
        expired,
    )?;
    let body = serde_json::json!({
        "token": token,
        "access_token": token,
        "expires_in": config.ttl.as_secs(),
    })
    .to_string();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    Ok(())
}

fn sign(
    config: &IssuerConfig,
    kid: &str,
    key: &Path,
    service: &str,
    subject: Option<&str>,
    scopes: &[String],
    expired: bool,
) -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    // Issued and expired well in the past: distribution tolerates 60 s of clock skew.
    let now = if expired { now - 600 } else { now };
    let access: Vec<serde_json::Value> = scopes
        .iter()
        .filter_map(|scope| {
            let mut parts = scope.splitn(3, ':');
            let (resource_type, repository, actions) =
                (parts.next()?, parts.next()?, parts.next()?);
            Some(serde_json::json!({
                "type": resource_type,
                "name": repository,
                "actions": actions.split(',').filter(|a| !a.is_empty()).collect::<Vec<_>>(),
            }))
        })
        .collect();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": kid});
    let claims = serde_json::json!({
        "iss": ISSUER,
        "sub": subject.unwrap_or(""),
        "aud": service,
        "exp": now + config.ttl.as_secs(),
        "nbf": now.saturating_sub(10),
        "iat": now,
        "jti": format!("{:x}", SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos()),
        "access": access,
    });
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = openssl(
        &["dgst", "-sha256", "-sign", path(key)?],
        Some(signing_input.as_bytes()),
    )?;
    Ok(format!("{signing_input}.{}", b64(&signature)))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                if let Ok(byte) = u8::from_str_radix(hex, 16) {
                    out.push(byte);
                    i += 3;
                } else {
                    out.push(b'%');
                    i += 1;
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
