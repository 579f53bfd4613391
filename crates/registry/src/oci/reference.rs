//! Names: digests, repositories and image references (`registry/name[:tag][@digest]`).
//!
//! Parsing is delegated to `oci-client`'s `Reference` (the distribution grammar, with Docker Hub's defaults);
//! the result is converted into our own types so that no `oci-client` type reaches the public API.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

use super::error::OciError;

/// A content digest, `sha256:` followed by 64 lowercase hex digits (the only algorithm slipway verifies).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(String);

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// Parses `sha256:<64 hex>`.
    pub fn parse(input: &str) -> Result<Digest, OciError> {
        let invalid = |reason: &str| OciError::InvalidReference {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let Some(hex) = input.strip_prefix("sha256:") else {
            return Err(invalid(
                "a digest starts with `sha256:` (other algorithms are not supported)",
            ));
        };
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid("a sha256 digest has 64 lowercase hex digits"));
        }
        Ok(Digest(input.to_owned()))
    }

    pub(crate) fn from_hasher(hasher: Sha256) -> Digest {
        Digest(format!("sha256:{}", hex::encode(hasher.finalize())))
    }

    /// The hex part, which names the blob file in a layout (`blobs/sha256/<hex>`).
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// The whole digest, `sha256:…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Digest {
    type Err = OciError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

/// A repository in a registry: `ghcr.io/acme/hangar`, `127.0.0.1:5000/demo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repository {
    registry: String,
    name: String,
}

impl Repository {
    /// Parses `registry/name`; a name without a registry host means Docker Hub, as with `docker`.
    /// A tag or digest is refused.
    pub fn parse(input: &str) -> Result<Repository, OciError> {
        let image = ImageRef::parse(input)?;
        if image.tag.is_some() || image.digest.is_some() {
            return Err(OciError::InvalidReference {
                input: input.to_owned(),
                reason: "expected a repository without a tag or digest".to_owned(),
            });
        }
        Ok(image.repository)
    }

    /// The registry host with its port, e.g. `127.0.0.1:5000` (Docker Hub is `docker.io`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository name inside its registry, e.g. `acme/hangar`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// This repository at `tag`.
    pub fn tag(&self, tag: &str) -> ImageRef {
        ImageRef {
            repository: self.clone(),
            tag: Some(tag.to_owned()),
            digest: None,
        }
    }

    /// This repository at `digest`.
    pub fn digest(&self, digest: &Digest) -> ImageRef {
        ImageRef {
            repository: self.clone(),
            tag: None,
            digest: Some(digest.clone()),
        }
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.name)
    }
}

impl FromStr for Repository {
    type Err = OciError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Repository::parse(s)
    }
}

/// An image in a repository, by tag, by digest, or both (the digest wins).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    repository: Repository,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl ImageRef {
    /// Parses `registry/name[:tag][@sha256:…]`.
    pub fn parse(input: &str) -> Result<ImageRef, OciError> {
        let parsed =
            oci_client::Reference::from_str(input).map_err(|error| OciError::InvalidReference {
                input: input.to_owned(),
                reason: error.to_string(),
            })?;
        let digest = parsed.digest().map(Digest::parse).transpose()?;
        let registry = match parsed.registry() {
            // `oci-client` names Docker Hub by its API host; users write docker.io.
            "index.docker.io" | "registry-1.docker.io" => "docker.io",
            other => other,
        };
        Ok(ImageRef {
            repository: Repository {
                registry: registry.to_owned(),
                name: parsed.repository().to_owned(),
            },
            // `oci-client` fills in `latest` when no tag is written; a repository has none.
            tag: parsed
                .tag()
                .filter(|_| has_explicit_tag(input))
                .map(str::to_owned),
            digest,
        })
    }

    /// The repository.
    pub fn repository(&self) -> &Repository {
        &self.repository
    }

    /// The tag, if the reference names one.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if the reference names one.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// What a manifest URL ends with: the digest if there is one, else the tag, else `latest`.
    pub fn target(&self) -> &str {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.as_str(),
            (None, Some(tag)) => tag,
            (None, None) => "latest",
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = OciError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// Whether `name[:tag][@digest]` writes a tag: a `:` in the last path segment, before any `@`.
fn has_explicit_tag(input: &str) -> bool {
    let without_digest = input.split('@').next().unwrap_or_default();
    without_digest
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .contains(':')
}

/// Whether `tag` is a valid tag name (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`).
pub fn is_valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}
