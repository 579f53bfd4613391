//! A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) started on 127.0.0.1 with a
//! free port and its own config (filesystem storage in a temp dir), killed on drop.
//!
//! Three flavours: open, htpasswd Basic (bcrypt entries, hashed by python3's `bcrypt`), and token auth
//! against a [`TokenIssuer`]. The registry's access log is kept, so a test can count the requests that
//! really reached it (for example: a retag sends no blob upload).
//! The Debian package's own service listens on :5000 and is never used.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::token_issuer::{ISSUER, SERVICE, TokenIssuer};

/// Where Debian installs distribution.
pub const REGISTRY_BINARY: &str = "/usr/bin/docker-registry";

/// How the registry authenticates.
#[derive(Debug, Clone)]
pub enum RegistryAuth {
    /// Anyone may push and pull.
    Open,
    /// Basic auth against an htpasswd file with one bcrypt entry.
    Htpasswd {
        /// The user.
        username: String,
        /// Their password.
        password: String,
    },
    /// Bearer tokens from a token service.
    Token {
        /// The realm (`http://127.0.0.1:PORT/token`).
        realm: String,
        /// The issuer's certificate.
        certificate: PathBuf,
    },
}

impl RegistryAuth {
    /// Token auth against `issuer`.
    pub fn token(issuer: &TokenIssuer) -> RegistryAuth {
        RegistryAuth::Token {
            realm: issuer.realm(),
            certificate: issuer.certificate(),
        }
    }
}

/// A running registry.
pub struct OciRegistry {
    child: Child,
    port: u16,
    directory: tempfile::TempDir,
}

impl OciRegistry {
    /// Starts an open registry with deletes enabled.
    pub fn start() -> anyhow::Result<OciRegistry> {
        OciRegistry::start_with(&RegistryAuth::Open, true)
    }

    /// Whether `docker-registry` is installed (the tests fail with a clear message when it is not).
    pub fn available() -> bool {
        Path::new(REGISTRY_BINARY).exists()
    }

    /// Starts a registry with `auth`; `delete` sets `storage.delete.enabled`.
    pub fn start_with(auth: &RegistryAuth, delete: bool) -> anyhow::Result<OciRegistry> {
        if !OciRegistry::available() {
            bail!(
                "{REGISTRY_BINARY} is missing: install Debian's `docker-registry` package (cargo xtask test does)"
            );
        }
        let directory = tempfile::tempdir()?;
        let storage = directory.path().join("storage");
        std::fs::create_dir(&storage)?;
        let port = free_port()?;
        let auth_yaml = match auth {
            RegistryAuth::Open => String::new(),
            RegistryAuth::Htpasswd { username, password } => {
                let file = directory.path().join("htpasswd");
                std::fs::write(&file, format!("{username}:{}\n", bcrypt(password)?))?;
                format!(
                    "auth:\n  htpasswd:\n    realm: slipway-test\n    path: {}\n",
                    file.display()
                )
            }
            RegistryAuth::Token { realm, certificate } => format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
                certificate.display()
            ),
        };
        let config = format!(
            "version: 0.1\n\
             log:\n  level: warn\n  accesslog:\n    disabled: false\n\
             storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: {delete}\n  maintenance:\n    uploadpurging:\n      enabled: false\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: slipway-test-secret\n\
             {auth_yaml}",
            storage = storage.display(),
        );
        let config_path = directory.path().join("config.yml");
        std::fs::write(&config_path, config)?;
        let log = std::fs::File::create(directory.path().join("registry.log"))?;
        let child = Command::new(REGISTRY_BINARY)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {REGISTRY_BINARY}"))?;
        let mut registry = OciRegistry {
            child,
            port,
            directory,
        };
        registry.wait_ready()?;
        Ok(registry)
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("docker-registry exited with {status}:\n{}", self.log());
            }
            if let Ok(status) = http_status(self.port, "/v2/") {
                if status == 200 || status == 401 {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "docker-registry did not answer /v2/ within 20 s:\n{}",
            self.log()
        )
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything the registry logged (access log and errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.directory.path().join("registry.log")).unwrap_or_default()
    }

    /// The request lines of the access log (`PUT /v2/demo/manifests/1.0 HTTP/1.1" 201`), in order.
    pub fn requests(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|line| {
                let start = line.find('"')? + 1;
                let rest = &line[start..];
                let end = rest.find("\" ")?;
                let status = rest[end + 2..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default();
                Some(format!("{} {status}", &rest[..end]))
            })
            .filter(|request| request.contains(" /v2/"))
            .collect()
    }

    /// How many request lines so far; pass to [`OciRegistry::requests_since`].
    pub fn mark(&self) -> usize {
        self.requests().len()
    }

    /// The request lines after `mark`.
    pub fn requests_since(&self, mark: usize) -> Vec<String> {
        self.requests().into_iter().skip(mark).collect()
    }
}

impl Drop for OciRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A bcrypt hash of `password` (cost 5: tests need speed, not strength).
fn bcrypt(password: &str) -> anyhow::Result<String> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(5)).decode())",
            password,
        ])
        .output()
        .context("running python3 to hash the htpasswd entry (install python3-bcrypt)")?;
    if !output.status.success() {
        bail!(
            "python3 bcrypt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

/// The status of `GET path` on 127.0.0.1:port, over a plain socket.
fn http_status(port: u16, path: &str) -> anyhow::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0_u8; 12];
    stream.read_exact(&mut head)?;
    let text = String::from_utf8_lossy(&head);
    Ok(text.split_whitespace().nth(1).unwrap_or_default().parse()?)
}

/// Builds OCI image layouts for tests: tiny layers, one image per platform, an index over them.
pub mod layouts {
    use std::path::Path;

    use sha2::{Digest as _, Sha256};

    /// A blob written to a layout: its descriptor fields.
    #[derive(Debug, Clone)]
    pub struct Written {
        /// `sha256:…`.
        pub digest: String,
        /// Its size.
        pub size: u64,
        /// Its media type.
        pub media_type: String,
    }

    impl Written {
        /// The descriptor JSON.
        pub fn descriptor(&self) -> serde_json::Value {
            serde_json::json!({"mediaType": self.media_type, "digest": self.digest, "size": self.size})
        }
    }

    /// Writes `bytes` under `blobs/sha256/` of the layout at `root`.
    pub fn write_blob(root: &Path, bytes: &[u8], media_type: &str) -> anyhow::Result<Written> {
        let hex = hex::encode(Sha256::digest(bytes));
        let directory = root.join("blobs/sha256");
        std::fs::create_dir_all(&directory)?;
        std::fs::write(directory.join(&hex), bytes)?;
        Ok(Written {
            digest: format!("sha256:{hex}"),
            size: bytes.len() as u64,
            media_type: media_type.to_owned(),
        })
    }

    /// Writes one image (config + one layer with `content`) for `os/arch`; returns its manifest.
    pub fn write_image(
        root: &Path,
        os: &str,
        architecture: &str,
        content: &[u8],
    ) -> anyhow::Result<Written> {
        let layer = write_blob(root, content, "application/vnd.oci.image.layer.v1.tar")?;
        let config = serde_json::json!({
            "architecture": architecture,
            "os": os,
            "rootfs": {"type": "layers", "diff_ids": [layer.digest]},
            "config": {},
        });
        let config = write_blob(
            root,
            config.to_string().as_bytes(),
            "application/vnd.oci.image.config.v1+json",
        )?;
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config.descriptor(),
            "layers": [layer.descriptor()],
        });
        write_blob(
            root,
            manifest.to_string().as_bytes(),
            "application/vnd.oci.image.manifest.v1+json",
        )
    }

    /// Writes `oci-layout` and an `index.json` naming `top` (as `ref_name`).
    pub fn finish(root: &Path, top: &Written, ref_name: &str) -> anyhow::Result<()> {
        std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
        let mut entry = top.descriptor();
        entry["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": ref_name});
        let index = serde_json::json!({"schemaVersion": 2, "manifests": [entry]});
        std::fs::write(root.join("index.json"), index.to_string())?;
        Ok(())
    }

    /// A multi-arch layout at `root`: linux/amd64 and linux/arm64 images (layers made from `seed`) under an
    /// OCI index; returns the index.
    pub fn multi_arch(root: &Path, seed: &str) -> anyhow::Result<Written> {
        let mut entries = Vec::new();
        for (architecture, variant) in [("amd64", None), ("arm64", Some("v8"))] {
            let content = format!("{seed} layer for linux/{architecture}\n").repeat(64);
            let manifest = write_image(root, "linux", architecture, content.as_bytes())?;
            let mut entry = manifest.descriptor();
            let mut platform = serde_json::json!({"os": "linux", "architecture": architecture});
            if let Some(variant) = variant {
                platform["variant"] = variant.into();
            }
            entry["platform"] = platform;
            entries.push(entry);
        }
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
            "annotations": {"org.opencontainers.image.version": seed},
        });
        let index = write_blob(
            root,
            index.to_string().as_bytes(),
            "application/vnd.oci.image.index.v1+json",
        )?;
        finish(root, &index, seed)?;
        Ok(index)
    }

    /// A single-platform layout at `root` whose layer is `content`; returns the manifest.
    pub fn single(root: &Path, content: &[u8]) -> anyhow::Result<Written> {
        let manifest = write_image(root, "linux", "amd64", content)?;
        finish(root, &manifest, "latest")?;
        Ok(manifest)
    }
}
