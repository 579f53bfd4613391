//! Distribution files: what a wheel or an sdist says about itself, in its name and in its core metadata.
//!
//! A wheel's metadata is `{name}-{version}.dist-info/METADATA` in its zip; an sdist's is
//! `{name}-{version}/PKG-INFO` in its tar.gz.
//! Both are read without unpacking anything else (a wheel's zip directory is read, an sdist is streamed
//! until `PKG-INFO` is found).
//! Names are compared after PEP 503 normalisation, versions after PEP 440 normalisation, so
//! `Foo.Bar-1.0-py3-none-any.whl` with `Name: foo-bar` and `Version: 1.0.0` is consistent.
//! Deliberately not checked: wheel tags against the running platform, the RECORD file, signatures.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use versioning::pep440::Pep440Version;

use super::error::ArtifactError;

/// What kind of distribution a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArtifactKind {
    /// A source distribution (`.tar.gz`).
    Sdist,
    /// A wheel (`.whl`) with its python tag (e.g. `py3`, `cp312`).
    Wheel {
        /// The python tag from the file name, sent to the index as `pyversion`.
        python_tag: String,
    },
}

impl ArtifactKind {
    /// The upload API's `filetype`.
    pub fn filetype(&self) -> &'static str {
        match self {
            ArtifactKind::Sdist => "sdist",
            ArtifactKind::Wheel { .. } => "bdist_wheel",
        }
    }

    /// The upload API's `pyversion`.
    pub fn pyversion(&self) -> &str {
        match self {
            ArtifactKind::Sdist => "source",
            ArtifactKind::Wheel { python_tag } => python_tag,
        }
    }
}

/// A distribution file, checked: its name agrees with its metadata.
#[derive(Debug, Clone)]
pub struct Artifact {
    path: PathBuf,
    filename: String,
    size: u64,
    kind: ArtifactKind,
    metadata: CoreMetadata,
    version: Pep440Version,
}

impl Artifact {
    /// Reads `path`, checks its file name against its core metadata and returns it.
    pub fn read(path: &Path) -> Result<Artifact, ArtifactError> {
        let filename = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| ArtifactError::UnknownKind {
                path: path.to_owned(),
            })?
            .to_owned();
        let size = fs_err::metadata(path)
            .map_err(|source| ArtifactError::Read {
                path: path.to_owned(),
                source,
            })?
            .len();
        let bad_name = |reason: String| ArtifactError::BadFileName {
            path: path.to_owned(),
            reason,
        };
        let (name_in_file, version_in_file, kind, text) = if let Some(stem) =
            filename.strip_suffix(".whl")
        {
            let parts: Vec<&str> = stem.split('-').collect();
            if parts.len() != 5 && parts.len() != 6 {
                return Err(bad_name(format!(
                    "a wheel is name-version[-build]-python-abi-platform.whl (PEP 427), found {} dash-separated parts",
                    parts.len()
                )));
            }
            let python_tag = parts[parts.len() - 3].to_owned();
            let text = read_wheel_metadata(path, parts[0], parts[1])?;
            (parts[0], parts[1], ArtifactKind::Wheel { python_tag }, text)
        } else if let Some(stem) = filename.strip_suffix(".tar.gz") {
            let Some((name, version)) = stem.rsplit_once('-') else {
                return Err(bad_name(
                    "an sdist is name-version.tar.gz (PEP 625)".to_owned(),
                ));
            };
            let text = read_sdist_metadata(path)?;
            (name, version, ArtifactKind::Sdist, text)
        } else if Path::new(&filename)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("zip") || ext.eq_ignore_ascii_case("egg"))
        {
            return Err(bad_name(
                "PyPI accepts only .tar.gz source distributions and .whl wheels (PEP 625, PEP 715)"
                    .to_owned(),
            ));
        } else {
            return Err(ArtifactError::UnknownKind {
                path: path.to_owned(),
            });
        };
        if name_in_file.is_empty() || version_in_file.is_empty() {
            return Err(bad_name("empty name or version".to_owned()));
        }
        let metadata = CoreMetadata::parse(&text).map_err(|reason| ArtifactError::BadMetadata {
            path: path.to_owned(),
            reason,
        })?;
        if normalize_name(name_in_file) != normalize_name(metadata.name()) {
            return Err(ArtifactError::NameMismatch {
                path: path.to_owned(),
                field: "project",
                in_name: name_in_file.to_owned(),
                in_metadata: metadata.name().to_owned(),
            });
        }
        let version = Pep440Version::parse(metadata.version()).map_err(|error| {
            ArtifactError::BadMetadata {
                path: path.to_owned(),
                reason: format!("Version `{}` is not PEP 440: {error}", metadata.version()),
            }
        })?;
        let same_version = Pep440Version::parse(version_in_file).is_ok_and(|v| v == version);
        if !same_version {
            return Err(ArtifactError::NameMismatch {
                path: path.to_owned(),
                field: "version",
                in_name: version_in_file.to_owned(),
                in_metadata: metadata.version().to_owned(),
            });
        }
        Ok(Artifact {
            path: path.to_owned(),
            filename,
            size,
            kind,
            metadata,
            version,
        })
    }

    /// Refuses the file unless it is of `release` (PEP 440 equality: `1.0 == 1.0.0`, `1.0rc1 != 1.0`).
    pub fn check_release(&self, release: &Pep440Version) -> Result<(), ArtifactError> {
        if self.version == *release {
            Ok(())
        } else {
            Err(ArtifactError::WrongRelease {
                path: self.path.clone(),
                found: self.version.to_string(),
                expected: release.to_string(),
            })
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file name, as uploaded.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The size in bytes, when it was read.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Wheel or sdist.
    pub fn kind(&self) -> &ArtifactKind {
        &self.kind
    }

    /// The project name as its metadata spells it.
    pub fn project(&self) -> &str {
        self.metadata.name()
    }

    /// The version from its metadata.
    pub fn version(&self) -> &Pep440Version {
        &self.version
    }

    /// The core metadata.
    pub fn metadata(&self) -> &CoreMetadata {
        &self.metadata
    }
}

/// Sorts artifacts into upload order: sdists first, then wheels, each by file name.
///
/// Uploading the sdist first means a project never has wheels without source on the index.
pub fn upload_order(artifacts: &mut [Artifact]) {
    artifacts.sort_by(|a, b| {
        let rank = |x: &Artifact| u8::from(matches!(x.kind, ArtifactKind::Wheel { .. }));
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.filename.cmp(&b.filename))
    });
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

fn read_wheel_metadata(path: &Path, name: &str, version: &str) -> Result<String, ArtifactError> {
    let archive_error = |source: zip::result::ZipError| ArtifactError::Archive {
        path: path.to_owned(),
        format: "zip",
        source: Box::new(source),
    };
    let file = fs_err::File::open(path).map_err(|source| ArtifactError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(file).map_err(archive_error)?;
    // The spec names the directory `{name}-{version}.dist-info` with the file name's spelling; older
    // tools wrote other spellings, so any top-level `*.dist-info/METADATA` whose name matches is accepted.
    let wanted = normalize_name(name);
    let member = archive
        .file_names()
        .filter(|member| {
            member
                .strip_suffix(".dist-info/METADATA")
                .filter(|dir| !dir.contains('/'))
                .and_then(|dir| dir.rsplit_once('-'))
                .is_some_and(|(n, v)| {
                    normalize_name(n) == wanted
                        && Pep440Version::parse(v).ok() == Pep440Version::parse(version).ok()
                })
        })
        .map(str::to_owned)
        .next()
        .ok_or_else(|| ArtifactError::MissingMetadata {
            path: path.to_owned(),
            expected: "{name}-{version}.dist-info/METADATA",
        })?;
    let mut entry = archive.by_name(&member).map_err(archive_error)?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|source| ArtifactError::BadMetadata {
            path: path.to_owned(),
            reason: format!("{member} is not UTF-8 text: {source}"),
        })?;
    Ok(text)
}

fn read_sdist_metadata(path: &Path) -> Result<String, ArtifactError> {
    let archive_error = |source: std::io::Error| ArtifactError::Archive {
        path: path.to_owned(),
        format: "tar.gz",
        source: Box::new(source),
    };
    let file = fs_err::File::open(path).map_err(|source| ArtifactError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut archive =
        tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    for entry in archive.entries().map_err(archive_error)? {
        let mut entry = entry.map_err(archive_error)?;
        let entry_path = entry.path().map_err(archive_error)?.into_owned();
        let components: Vec<_> = entry_path.components().collect();
        if components.len() == 2 && components[1].as_os_str() == "PKG-INFO" {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|source| ArtifactError::BadMetadata {
                    path: path.to_owned(),
                    reason: format!("PKG-INFO is not UTF-8 text: {source}"),
                })?;
            return Ok(text);
        }
    }
    Err(ArtifactError::MissingMetadata {
        path: path.to_owned(),
        expected: "{name}-{version}/PKG-INFO",
    })
}

/// Core metadata (the `METADATA` / `PKG-INFO` email-header format): fields in file order, and the body
/// (the long description) if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    fields: Vec<(String, String)>,
    body: Option<String>,
}

impl CoreMetadata {
    /// Parses the header format; `Metadata-Version`, `Name` and `Version` are required.
    pub fn parse(text: &str) -> Result<CoreMetadata, String> {
        let text = text.replace("\r\n", "\n");
        let (headers, body) = match text.split_once("\n\n") {
            Some((headers, body)) => (headers, Some(body)),
            None => (text.as_str(), None),
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in headers.lines() {
            if line.starts_with([' ', '\t']) {
                // A folded continuation line; old `Description:` fields use `        |` prefixes.
                let Some((_, value)) = fields.last_mut() else {
                    return Err("a continuation line before any field".to_owned());
                };
                value.push('\n');
                let trimmed = line.trim_start();
                value.push_str(trimmed.strip_prefix('|').unwrap_or(trimmed));
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(format!("line `{line}` is not `Field: value`"));
            };
            fields.push((key.trim().to_owned(), value.trim().to_owned()));
        }
        let body = body
            .map(|b| b.trim_end_matches('\n').to_owned())
            .filter(|b| !b.is_empty());
        let metadata = CoreMetadata { fields, body };
        for required in ["Metadata-Version", "Name", "Version"] {
            if metadata.get(required).is_none_or(str::is_empty) {
                return Err(format!("the required field `{required}` is missing"));
            }
        }
        Ok(metadata)
    }

    /// The first value of a field (field names compare case-insensitively).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a field, in file order.
    pub fn get_all<'s>(&'s self, field: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.fields
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_str())
    }

    /// `Name`.
    pub fn name(&self) -> &str {
        self.get("Name").unwrap_or_default()
    }

    /// `Version`, as written.
    pub fn version(&self) -> &str {
        self.get("Version").unwrap_or_default()
    }

    /// `Metadata-Version`.
    pub fn metadata_version(&self) -> &str {
        self.get("Metadata-Version").unwrap_or_default()
    }

    /// The fields as the legacy upload API wants them: lowercase, `-` as `_`, `Classifier` as
    /// `classifiers` and `Project-URL` as `project_urls` (as twine sends them), multi-valued fields
    /// repeated, and the long description (body or `Description` field) as `description`.
    pub fn upload_fields(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .fields
            .iter()
            .map(|(key, value)| {
                let key = key.to_ascii_lowercase().replace('-', "_");
                let key = match key.as_str() {
                    "classifier" => "classifiers".to_owned(),
                    "project_url" => "project_urls".to_owned(),
                    _ => key,
                };
                (key, value.clone())
            })
            .collect();
        if let Some(body) = &self.body {
            out.retain(|(key, _)| key != "description");
            out.push(("description".to_owned(), body.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_pep_503_says() {
        for (input, expected) in [
            ("Foo.Bar", "foo-bar"),
            ("foo__bar", "foo-bar"),
            ("FOO-_-bar", "foo-bar"),
            ("slipway_demo", "slipway-demo"),
            ("a", "a"),
        ] {
            assert_eq!(normalize_name(input), expected, "{input}");
        }
    }

    #[test]
    fn metadata_keeps_repeated_fields_and_the_body_as_description() {
        let metadata = CoreMetadata::parse(
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nClassifier: A\nClassifier: B\nProject-URL: Home, https://x\nRequires-Dist: attrs\n\n# Demo\n\nLong text.\n",
        )
        .unwrap();
        assert_eq!(
            metadata.get_all("classifier").collect::<Vec<_>>(),
            ["A", "B"]
        );
        let fields = metadata.upload_fields();
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "metadata_version",
                "name",
                "version",
                "classifiers",
                "classifiers",
                "project_urls",
                "requires_dist",
                "description"
            ]
        );
        assert_eq!(fields.last().unwrap().1, "# Demo\n\nLong text.");
    }

    #[test]
    fn metadata_folds_continuation_lines() {
        let metadata = CoreMetadata::parse(
            "Metadata-Version: 1.1\nName: old\nVersion: 0.1\nDescription: first\n        |second\n",
        )
        .unwrap();
        assert_eq!(metadata.get("description"), Some("first\nsecond"));
    }

    #[test]
    fn metadata_without_required_fields_is_refused() {
        assert_eq!(
            CoreMetadata::parse("Metadata-Version: 2.1\nName: x\n").unwrap_err(),
            "the required field `Version` is missing"
        );
        assert!(CoreMetadata::parse("garbage").is_err());
    }
}
