//! A real pypiserver on 127.0.0.1, and small real Python distributions to upload to it.
//!
//! [`PypiServer::start`] runs `pypi-server run` (pip packages `pypiserver passlib "bcrypt<4.1"`, which
//! `cargo xtask test` installs) on a free port with a temporary packages directory, an htpasswd file holding
//! one bcrypt user, uploads requiring that user (and reads too, with
//! [`PypiServer::start_with_authenticated_reads`]), and no fallback to pypi.org (an unknown project is a 404,
//! never a redirect off the machine). The server is killed on drop.
//!
//! [`build_wheel`] and [`build_sdist`] write distributions that pip accepts: a wheel with `METADATA`, `WHEEL`
//! and `RECORD`, and an sdist with `PKG-INFO` and an in-tree build backend that needs nothing installed.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use sha2::Digest as _;

/// A running pypiserver; killed on drop.
pub struct PypiServer {
    child: Child,
    port: u16,
    username: String,
    password: String,
    packages: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl PypiServer {
    /// Starts pypiserver with only uploads (and removals) authenticated (`--authenticate update`), and
    /// waits until it answers (at most 30 s).
    pub fn start() -> anyhow::Result<PypiServer> {
        PypiServer::start_with("update")
    }

    /// Starts pypiserver with reads authenticated too (`--authenticate update,download,list`): the simple
    /// index and the files answer 401 without the user.
    pub fn start_with_authenticated_reads() -> anyhow::Result<PypiServer> {
        PypiServer::start_with("update,download,list")
    }

    /// Starts pypiserver authenticating the actions in `authenticate` (`update`, `download`, `list`,
    /// comma-separated, as `--authenticate` takes them).
    pub fn start_with(authenticate: &str) -> anyhow::Result<PypiServer> {
        PypiServer::start_configured(authenticate, None)
    }

    /// Starts pypiserver as it runs by default, sending the names it does not hold elsewhere (its
    /// fallback): to `fallback`, which the tests keep on a closed loopback port.
    pub fn start_with_fallback(fallback: &str) -> anyhow::Result<PypiServer> {
        PypiServer::start_configured("update", Some(fallback))
    }

    fn start_configured(authenticate: &str, fallback: Option<&str>) -> anyhow::Result<PypiServer> {
        let dir = tempfile::tempdir()?;
        let packages = dir.path().join("packages");
        fs_err::create_dir_all(&packages)?;
        let username = "slipway".to_owned();
        let password = format!("pw-{:016x}", random_u64());
        let htpasswd = dir.path().join("htpasswd");
        let status = Command::new("python3")
            .args([
                "-c",
                "import sys; from passlib.apache import HtpasswdFile; \
                 h = HtpasswdFile(sys.argv[1], new=True, default_scheme='bcrypt'); \
                 h.set_password(sys.argv[2], sys.argv[3]); h.save()",
            ])
            .arg(&htpasswd)
            .args([&username, &password])
            .status()
            .context("cannot run python3 to write an htpasswd file (is passlib installed?)")?;
        if !status.success() {
            bail!(
                "python3 with passlib could not write an htpasswd file: pip install passlib 'bcrypt<4.1'"
            );
        }
        let port = free_port()?;
        let log = dir.path().join("pypiserver.log");
        let child = Command::new("pypi-server")
            // `-v` logs every request, so tests can count uploads ("POST / HTTP/1.1").
            .args([
                "run",
                "-v",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .arg("--passwords")
            .arg(&htpasswd)
            .args(["--authenticate", authenticate])
            .args(match fallback {
                Some(url) => vec!["--fallback-url", url],
                None => vec!["--disable-fallback"],
            })
            .arg(&packages)
            .stdin(Stdio::null())
            .stdout(fs_err::File::create(&log)?.into_parts().0)
            .stderr(
                fs_err::OpenOptions::new()
                    .append(true)
                    .open(&log)?
                    .into_parts()
                    .0,
            )
            .spawn()
            .context("cannot start pypi-server: pip install pypiserver passlib 'bcrypt<4.1'")?;
        let mut server = PypiServer {
            child,
            port,
            username,
            password,
            packages,
            log,
            _dir: dir,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("pypi-server exited with {status}: {}", self.log_text());
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                stream.set_read_timeout(Some(Duration::from_secs(5)))?;
                let request = format!(
                    "GET /health HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
                    self.port
                );
                let mut answer = String::new();
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_string(&mut answer).is_ok()
                    && answer.starts_with("HTTP/1.")
                {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "pypi-server did not answer within 30 s: {}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's log so far (for failure messages).
    pub fn log_text(&self) -> String {
        fs_err::read_to_string(&self.log).unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT/`, the upload URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// `http://127.0.0.1:PORT/simple/`.
    pub fn simple_url(&self) -> String {
        format!("http://127.0.0.1:{}/simple/", self.port)
    }

    /// The simple index URL with the user in it, as pip's `--index-url` takes it.
    pub fn simple_url_with_auth(&self) -> String {
        format!(
            "http://{}:{}@127.0.0.1:{}/simple/",
            self.username, self.password, self.port
        )
    }

    /// The user allowed to upload.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Its password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Where the server keeps the files.
    pub fn packages_dir(&self) -> &Path {
        &self.packages
    }
}

impl Drop for PypiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn random_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

/// The hex sha256 of a file.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// `name` as wheel and sdist file names spell it (PEP 427 / PEP 625): lowercase, runs of `-_.` as `_`.
pub fn file_name_part(name: &str) -> String {
    let mut out = String::new();
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('_');
            }
            last_sep = true;
        } else {
            out.extend(c.to_lowercase());
            last_sep = false;
        }
    }
    out
}

fn metadata_text(name: &str, version: &str) -> String {
    format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: slipway test package\n\
         Classifier: Programming Language :: Python :: 3\nClassifier: Private :: Do Not Upload\n\
         Requires-Python: >=3.8\nDescription-Content-Type: text/markdown\n\n# {name}\n\nBuilt by slipway's tests.\n"
    )
}

/// Writes `{name}-{version}-py3-none-any.whl` into `dir` with a module holding `payload`; returns its path.
pub fn build_wheel(
    dir: &Path,
    name: &str,
    version: &str,
    payload: &str,
) -> anyhow::Result<PathBuf> {
    let stem = file_name_part(name);
    let path = dir.join(format!("{stem}-{version}-py3-none-any.whl"));
    let dist_info = format!("{stem}-{version}.dist-info");
    let files: Vec<(String, Vec<u8>)> = vec![
        (format!("{stem}/__init__.py"), format!("PAYLOAD = {payload:?}\n").into_bytes()),
        (format!("{dist_info}/METADATA"), metadata_text(name, version).into_bytes()),
        (
            format!("{dist_info}/WHEEL"),
            b"Wheel-Version: 1.0\nGenerator: slipway-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec(),
        ),
    ];
    let mut record = String::new();
    let file = fs_err::File::create(&path)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (member, bytes) in &files {
        let digest =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(bytes));
        writeln!(record, "{member},sha256={digest},{}", bytes.len())?;
        zip.start_file(member.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    writeln!(record, "{dist_info}/RECORD,,")?;
    zip.start_file(format!("{dist_info}/RECORD"), options)?;
    zip.write_all(record.as_bytes())?;
    zip.finish()?;
    Ok(path)
}

/// Writes `{name}-{version}.tar.gz` into `dir` (PKG-INFO, setup.py, a module holding `payload`); returns its path.
pub fn build_sdist(
    dir: &Path,
    name: &str,
    version: &str,
    payload: &str,
) -> anyhow::Result<PathBuf> {
    let stem = file_name_part(name);
    let top = format!("{stem}-{version}");
    let path = dir.join(format!("{top}.tar.gz"));
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            format!("{top}/PKG-INFO"),
            metadata_text(name, version).into_bytes(),
        ),
        (
            format!("{top}/pyproject.toml"),
            b"[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n"
                .to_vec(),
        ),
        (
            format!("{top}/backend.py"),
            backend(&stem, version).into_bytes(),
        ),
        (
            format!("{top}/{stem}/__init__.py"),
            format!("PAYLOAD = {payload:?}\n").into_bytes(),
        ),
    ];
    let file = fs_err::File::create(&path)?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (member, bytes) in &files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        tar.append_data(&mut header, member, bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?;
    Ok(path)
}

/// An in-tree PEP 517 backend that needs nothing installed: it can prepare metadata (all `pip download`
/// needs) from PKG-INFO, and builds nothing.
fn backend(stem: &str, version: &str) -> String {
    format!(
        r#"import os

HERE = os.path.dirname(os.path.abspath(__file__))


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name = "{stem}-{version}.dist-info"
    os.makedirs(os.path.join(metadata_directory, name))
    with open(os.path.join(HERE, "PKG-INFO")) as source:
        text = source.read()
    with open(os.path.join(metadata_directory, name, "METADATA"), "w") as target:
        target.write(text)
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("slipway's test sdists are for uploading, not for building")
"#
    )
}

/// Writes a wheel of about `size` bytes of incompressible data, stored uncompressed and streamed to disk
/// (for benchmarks); returns its path.
pub fn build_large_wheel(
    dir: &Path,
    name: &str,
    version: &str,
    size: u64,
) -> anyhow::Result<PathBuf> {
    let stem = file_name_part(name);
    let path = dir.join(format!("{stem}-{version}-py3-none-any.whl"));
    let dist_info = format!("{stem}-{version}.dist-info");
    let file = std::io::BufWriter::new(fs_err::File::create(&path)?);
    let mut zip = zip::ZipWriter::new(file);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(size > u64::from(u32::MAX) / 2);
    zip.start_file(format!("{stem}/blob.bin"), stored)?;
    let mut state = random_u64() | 1;
    let mut block = vec![0_u8; 1 << 20];
    let mut written = 0;
    while written < size {
        for chunk in block.chunks_exact_mut(8) {
            // xorshift64: fast, incompressible enough for a benchmark.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let n = (size - written).min(block.len() as u64) as usize;
        zip.write_all(&block[..n])?;
        written += n as u64;
    }
    zip.start_file(format!("{dist_info}/METADATA"), stored)?;
    zip.write_all(metadata_text(name, version).as_bytes())?;
    zip.start_file(format!("{dist_info}/WHEEL"), stored)?;
    zip.write_all(
        b"Wheel-Version: 1.0\nGenerator: slipway-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    )?;
    zip.start_file(format!("{dist_info}/RECORD"), stored)?;
    zip.write_all(format!("{dist_info}/RECORD,,\n").as_bytes())?;
    zip.finish()?;
    Ok(path)
}
