//! A fault-injecting HTTP proxy for the chaos harness: it stands in front of a real server
//! (distribution, pypiserver) on 127.0.0.1 and breaks a share of the requests the ways networks
//! and overloaded servers do.
//!
//! Each connection carries one request (the proxy asks the server to close after answering, and
//! closes the client's side when the answer is through). Of the requests, `rate` percent get one
//! of the faults, chosen at random:
//!
//! - an answer of 500, 503, or 429 with `Retry-After: 1`, without the server seeing the request;
//! - the connection reset before the request reaches the server;
//! - the request served, its answer lost (the connection closed instead): a write that landed
//!   and looks failed;
//! - half of the request body sent to the server, then both connections closed: an upload cut
//!   short.
//!
//! Only loopback: it listens on 127.0.0.1 and connects to the address it was given.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The faults, for the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 Internal Server Error.
    Status500,
    /// 503 Service Unavailable.
    Status503,
    /// 429 Too Many Requests with `Retry-After: 1`.
    Status429,
    /// The connection reset before the request was forwarded.
    ResetBefore,
    /// The request served, the answer dropped.
    AnswerLost,
    /// Half of the body forwarded, then both sides closed.
    HalfBody,
}

const FAULTS: [Fault; 6] = [
    Fault::Status500,
    Fault::Status503,
    Fault::Status429,
    Fault::ResetBefore,
    Fault::AnswerLost,
    Fault::HalfBody,
];

/// A running proxy; stopped when dropped.
pub struct FaultProxy {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicU64>,
    faults: Arc<AtomicU64>,
}

impl FaultProxy {
    /// Starts a proxy on a free port of 127.0.0.1 in front of `upstream` (`127.0.0.1:port`),
    /// breaking `rate` percent of the requests.
    pub fn start(upstream: SocketAddr, rate: u32) -> anyhow::Result<FaultProxy> {
        anyhow::ensure!(
            upstream.ip().is_loopback(),
            "the proxy only forwards to loopback"
        );
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicU64::new(0));
        let faults = Arc::new(AtomicU64::new(0));
        let (stop_flag, request_count, fault_count) = (
            Arc::clone(&stop),
            Arc::clone(&requests),
            Arc::clone(&faults),
        );
        std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        request_count.fetch_add(1, Ordering::Relaxed);
                        let fault = (fastrand::u32(0..100) < rate)
                            .then(|| FAULTS[fastrand::usize(0..FAULTS.len())]);
                        if fault.is_some() {
                            fault_count.fetch_add(1, Ordering::Relaxed);
                        }
                        std::thread::spawn(move || {
                            let _ = serve(client, upstream, fault);
                        });
                    }
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => break,
                }
            }
        });
        Ok(FaultProxy {
            address,
            stop,
            requests,
            faults,
        })
    }

    /// `127.0.0.1:port`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Requests (connections) received.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Requests broken.
    pub fn faults(&self) -> u64 {
        self.faults.load(Ordering::Relaxed)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The request head (through the blank line) and what came after it.
fn read_head(client: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 8192];
    loop {
        let read = client.read(&mut chunk)?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            let rest = buffer.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buffer).into_owned(), rest));
        }
        if buffer.len() > 1 << 20 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
    }
}

/// The head with `Connection: close` (the server closes after answering, which ends the answer).
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

fn content_length(head: &str) -> Option<u64> {
    head.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// Reads what the client still sends for a short while (its body), so that closing does not reset
/// the connection under the answer.
fn drain(client: &mut TcpStream) {
    let _ = client.set_read_timeout(Some(Duration::from_millis(150)));
    let mut sink = vec![0_u8; 65536];
    while matches!(client.read(&mut sink), Ok(read) if read > 0) {}
}

fn serve(mut client: TcpStream, upstream: SocketAddr, fault: Option<Fault>) -> std::io::Result<()> {
    let (head, rest) = read_head(&mut client)?;
    match fault {
        Some(status @ (Fault::Status500 | Fault::Status503 | Fault::Status429)) => {
            drain(&mut client);
            let line = match status {
                Fault::Status500 => "500 Internal Server Error",
                Fault::Status503 => "503 Service Unavailable",
                _ => "429 Too Many Requests\r\nRetry-After: 1",
            };
            client.write_all(
                format!("HTTP/1.1 {line}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )?;
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::ResetBefore) => {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        _ => {}
    }
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(closing(&head).as_bytes())?;
    if fault == Some(Fault::HalfBody) {
        // Half of the body (when its length is known; else what arrives first), then nothing.
        let half = content_length(&head).map_or(64 * 1024, |length| length / 2);
        let mut sent = 0_u64;
        let mut pending = rest;
        let mut chunk = vec![0_u8; 65536];
        loop {
            let take = usize::try_from((half - sent).min(pending.len() as u64)).unwrap_or(0);
            server.write_all(&pending[..take])?;
            sent += take as u64;
            if sent >= half {
                break;
            }
            let _ = client.set_read_timeout(Some(Duration::from_millis(300)));
            match client.read(&mut chunk) {
                Ok(read) if read > 0 => pending = chunk[..read].to_vec(),
                _ => break,
            }
        }
        let _ = server.shutdown(Shutdown::Both);
        let _ = client.shutdown(Shutdown::Both);
        return Ok(());
    }
    server.write_all(&rest)?;
    // The rest of the request, as it comes.
    let (mut from_client, mut to_server) = (client.try_clone()?, server.try_clone()?);
    let forward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
    });
    if fault == Some(Fault::AnswerLost) {
        let _ = std::io::copy(&mut server, &mut std::io::sink());
    } else {
        let _ = std::io::copy(&mut server, &mut client);
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
    let _ = forward.join();
    Ok(())
}
