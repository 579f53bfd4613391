//! Where an index lives and what it lists: the upload URL, the simple index (PEP 691 JSON or PEP 503 HTML)
//! and, on Warehouse (PyPI's software), the JSON API and the web pages.

use secrecy::SecretString;
use serde::Deserialize;

use super::error::IndexError;
use crate::redact::RedactedUrl;

/// The URLs of one package index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUrls {
    /// The legacy upload endpoint (`https://upload.pypi.org/legacy/`; pypiserver's root `http://host:port/`).
    pub upload: String,
    /// The simple index root, ending in `/` (`https://pypi.org/simple/`).
    pub simple: String,
    /// Warehouse's JSON API root (`https://pypi.org/pypi/`), when the index is Warehouse.
    pub json_api: Option<String>,
    /// Warehouse's web root (`https://pypi.org/`), for trusted publishing and management pages.
    pub web: Option<String>,
}

impl IndexUrls {
    /// PyPI.
    pub fn pypi() -> IndexUrls {
        IndexUrls::from_upload_url("https://upload.pypi.org/legacy/")
            .expect("the PyPI URL is valid")
    }

    /// Derives the other URLs from an upload URL.
    ///
    /// `upload.pypi.org` maps to `pypi.org`.
    /// An upload URL whose path ends in `/legacy/` is taken to be Warehouse (PyPI, TestPyPI, or a Warehouse
    /// instance): its simple index, JSON API and web pages sit at the same origin.
    /// Anything else (pypiserver, devpi, Artifactory, ...) gets `simple/` next to the upload path and no JSON
    /// API; use the struct fields to say otherwise.
    pub fn from_upload_url(upload: &str) -> Result<IndexUrls, IndexError> {
        let bad = |reason: &str| IndexError::BadResponse {
            url: RedactedUrl::new(upload).to_string(),
            source: reason.into(),
        };
        let mut url = url::Url::parse(upload).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(bad("an index URL must be http or https with a host"));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        let upload = url.to_string();
        let mut base = url.clone();
        base.set_query(None);
        if base.host_str() == Some("upload.pypi.org") {
            let _ = base.set_host(Some("pypi.org"));
        }
        let warehouse = base.path().ends_with("/legacy/");
        let path = base.path().trim_end_matches("legacy/").to_owned();
        base.set_path(&path);
        let join = |suffix: &str| format!("{base}{suffix}");
        Ok(IndexUrls {
            upload,
            simple: join("simple/"),
            json_api: warehouse.then(|| join("pypi/")),
            web: warehouse.then(|| base.to_string()),
        })
    }

    /// Whether this index is Warehouse (has no delete API, only web pages).
    pub fn is_warehouse(&self) -> bool {
        self.web.is_some()
    }

    /// The page where a maintainer yanks or deletes a release on Warehouse.
    pub fn manage_release_url(&self, project: &str, version: &str) -> Option<String> {
        self.web.as_ref().map(|web| {
            format!(
                "{web}manage/project/{}/release/{version}/",
                super::artifact::normalize_name(project)
            )
        })
    }
}

/// Credentials for an index: a user name and a password or token.
#[derive(Clone)]
pub struct Credentials {
    pub(crate) username: String,
    pub(crate) password: SecretString,
}

impl Credentials {
    /// An API token (user `__token__`, as PyPI wants it).
    pub fn token(token: SecretString) -> Credentials {
        Credentials {
            username: "__token__".to_owned(),
            password: token,
        }
    }

    /// A user name and password (private indexes, or `TWINE_USERNAME`/`TWINE_PASSWORD`).
    pub fn basic(username: impl Into<String>, password: SecretString) -> Credentials {
        Credentials {
            username: username.into(),
            password,
        }
    }

    /// The user name (never secret).
    pub fn username(&self) -> &str {
        &self.username
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"****")
            .finish()
    }
}

/// A file the index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    /// The file name.
    pub filename: String,
    /// Its download URL (absolute).
    pub url: String,
    /// Its sha256 as the index states it, lowercase hex, when the index states one.
    pub sha256: Option<String>,
    /// Whether the file is yanked (PEP 592).
    pub yanked: bool,
}

impl IndexFile {
    /// The version part of the file name (`demo-1.0-py3-none-any.whl` → `1.0`), if it has the shape of a
    /// wheel or an sdist.
    pub fn version_in_name(&self) -> Option<&str> {
        if let Some(stem) = self.filename.strip_suffix(".whl") {
            return stem.split('-').nth(1);
        }
        [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .find_map(|ext| self.filename.strip_suffix(ext))
            .and_then(|stem| stem.rsplit_once('-'))
            .map(|(_, version)| version)
    }

    /// The project's name as the file name spells it (`demo_pkg` in `demo_pkg-1.0.tar.gz`).
    pub fn name_in_name(&self) -> Option<&str> {
        if let Some(stem) = self.filename.strip_suffix(".whl") {
            return stem.split('-').next();
        }
        [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .find_map(|ext| self.filename.strip_suffix(ext))
            .and_then(|stem| stem.rsplit_once('-'))
            .map(|(name, _)| name)
    }

    /// Whether the file belongs to `version` (PEP 440 equality).
    pub fn is_version(&self, version: &versioning::pep440::Pep440Version) -> bool {
        self.version_in_name()
            .and_then(|v| versioning::pep440::Pep440Version::parse(v).ok())
            .is_some_and(|v| v == *version)
    }
}

/// PEP 691: `{"files": [{"filename", "url", "hashes": {"sha256"}, "yanked": bool|str}]}`.
#[derive(Deserialize)]
struct SimpleJson {
    files: Vec<SimpleJsonFile>,
}

#[derive(Deserialize)]
struct SimpleJsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::HashMap<String, String>,
    #[serde(default)]
    yanked: serde_json::Value,
}

/// Warehouse's `/pypi/<project>/json`: `{"releases": {"1.0": [{"filename", "url", "digests": {"sha256"}, "yanked"}]}}`.
#[derive(Deserialize)]
struct WarehouseJson {
    releases: std::collections::HashMap<String, Vec<WarehouseFile>>,
}

#[derive(Deserialize)]
struct WarehouseFile {
    filename: String,
    url: String,
    #[serde(default)]
    digests: std::collections::HashMap<String, String>,
    #[serde(default)]
    yanked: bool,
}

pub(crate) fn parse_simple_json(body: &str, base: &url::Url) -> serde_json::Result<Vec<IndexFile>> {
    let page: SimpleJson = serde_json::from_str(body)?;
    Ok(page
        .files
        .into_iter()
        .map(|file| IndexFile {
            url: base.join(&file.url).map_or(file.url, |u| u.to_string()),
            sha256: file.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
            yanked: match file.yanked {
                serde_json::Value::Bool(b) => b,
                serde_json::Value::String(_) => true,
                _ => false,
            },
            filename: file.filename,
        })
        .collect())
}

pub(crate) fn parse_warehouse_json(body: &str) -> serde_json::Result<Vec<IndexFile>> {
    let page: WarehouseJson = serde_json::from_str(body)?;
    let mut files: Vec<IndexFile> = page
        .releases
        .into_values()
        .flatten()
        .map(|file| IndexFile {
            filename: file.filename,
            url: file.url,
            sha256: file.digests.get("sha256").map(|h| h.to_ascii_lowercase()),
            yanked: file.yanked,
        })
        .collect();
    files.sort_by(|a, b| a.filename.cmp(&b.filename));
    Ok(files)
}

/// PEP 503 HTML: one `<a href="…#sha256=…">filename</a>` per file, `data-yanked` when yanked.
pub(crate) fn parse_simple_html(body: &str, base: &url::Url) -> Vec<IndexFile> {
    static ANCHOR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?is)<a\s([^>]*)>(.*?)</a\s*>").expect("valid regex")
    });
    static HREF: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?is)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("valid regex")
    });
    ANCHOR
        .captures_iter(body)
        .filter_map(|anchor| {
            let attributes = &anchor[1];
            let href = HREF.captures(attributes)?;
            let href = unescape_html(href.get(1).or_else(|| href.get(2))?.as_str());
            let url = base.join(&href).ok()?;
            let sha256 = url
                .fragment()
                .and_then(|f| f.strip_prefix("sha256="))
                .map(str::to_ascii_lowercase);
            let text = unescape_html(anchor[2].trim());
            let filename = if text.is_empty() {
                url.path_segments()?.next_back()?.to_owned()
            } else {
                text
            };
            let mut url = url.clone();
            url.set_fragment(None);
            Some(IndexFile {
                filename,
                url: url.to_string(),
                sha256,
                yanked: attributes.to_ascii_lowercase().contains("data-yanked"),
            })
        })
        .collect()
}

fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_urls_map_to_their_indexes() {
        let pypi = IndexUrls::pypi();
        assert_eq!(pypi.simple, "https://pypi.org/simple/");
        assert_eq!(pypi.json_api.as_deref(), Some("https://pypi.org/pypi/"));
        assert_eq!(
            pypi.manage_release_url("Foo_Bar", "1.0").as_deref(),
            Some("https://pypi.org/manage/project/foo-bar/release/1.0/")
        );
        let test = IndexUrls::from_upload_url("https://test.pypi.org/legacy").unwrap();
        assert_eq!(test.upload, "https://test.pypi.org/legacy/");
        assert_eq!(test.simple, "https://test.pypi.org/simple/");
        assert!(test.is_warehouse());
        let private = IndexUrls::from_upload_url("http://127.0.0.1:8080").unwrap();
        assert_eq!(private.upload, "http://127.0.0.1:8080/");
        assert_eq!(private.simple, "http://127.0.0.1:8080/simple/");
        assert!(!private.is_warehouse());
        assert!(IndexUrls::from_upload_url("ftp://x/").is_err());
        assert!(IndexUrls::from_upload_url("not a url").is_err());
    }

    #[test]
    fn html_pages_yield_files_with_hashes_and_yanks() {
        let base = url::Url::parse("http://127.0.0.1:1/simple/demo/").unwrap();
        let page = r#"<html><body>
            <a href="../../packages/demo-1.0.tar.gz#sha256=ABCD">demo-1.0.tar.gz</a><br>
            <a data-yanked="" href='https://files/demo-0.9-py3-none-any.whl'>demo-0.9-py3-none-any.whl</a>
            <a href="/x/demo-1.1.tar.gz"></a>
        </body></html>"#;
        let files = parse_simple_html(page, &base);
        assert_eq!(
            files,
            vec![
                IndexFile {
                    filename: "demo-1.0.tar.gz".into(),
                    url: "http://127.0.0.1:1/packages/demo-1.0.tar.gz".into(),
                    sha256: Some("abcd".into()),
                    yanked: false
                },
                IndexFile {
                    filename: "demo-0.9-py3-none-any.whl".into(),
                    url: "https://files/demo-0.9-py3-none-any.whl".into(),
                    sha256: None,
                    yanked: true
                },
                IndexFile {
                    filename: "demo-1.1.tar.gz".into(),
                    url: "http://127.0.0.1:1/x/demo-1.1.tar.gz".into(),
                    sha256: None,
                    yanked: false
                },
            ]
        );
    }

    #[test]
    fn pep_691_json_pages_yield_files() {
        let base = url::Url::parse("https://pypi.org/simple/demo/").unwrap();
        let page = r#"{"meta":{"api-version":"1.1"},"name":"demo","files":[
            {"filename":"demo-1.0.tar.gz","url":"https://files.example/demo-1.0.tar.gz","hashes":{"sha256":"aa"},"yanked":false},
            {"filename":"demo-0.1.tar.gz","url":"../demo-0.1.tar.gz","hashes":{},"yanked":"broken"}]}"#;
        let files = parse_simple_json(page, &base).unwrap();
        assert_eq!(files[0].sha256.as_deref(), Some("aa"));
        assert!(!files[0].yanked);
        assert_eq!(files[1].url, "https://pypi.org/simple/demo-0.1.tar.gz");
        assert!(files[1].yanked);
    }

    #[test]
    fn versions_are_read_from_file_names() {
        let file = |name: &str| IndexFile {
            filename: name.into(),
            url: String::new(),
            sha256: None,
            yanked: false,
        };
        assert_eq!(
            file("demo-1.0rc1-py3-none-any.whl").version_in_name(),
            Some("1.0rc1")
        );
        assert_eq!(file("my-demo-2.0.tar.gz").version_in_name(), Some("2.0"));
        assert_eq!(file("README").version_in_name(), None);
        let v = versioning::pep440::Pep440Version::parse("1.0.0").unwrap();
        assert!(file("demo-1.0-py3-none-any.whl").is_version(&v));
        assert!(!file("demo-1.0rc1.tar.gz").is_version(&v));
    }
}
