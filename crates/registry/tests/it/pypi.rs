//! Reading wheels and sdists: names, metadata, the release check.

use slipway_registry as registry;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use registry::pypi::{Artifact, ArtifactError, ArtifactKind, upload_order};
use versioning::pep440::Pep440Version;

pub(crate) fn metadata(name: &str, version: &str) -> String {
    format!(
        "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\nClassifier: A\nClassifier: B\n\nLong description.\n"
    )
}

/// Writes a wheel named `file_name` whose metadata sits in `dist_info` and says `name` `version`.
pub(crate) fn wheel(
    dir: &Path,
    file_name: &str,
    dist_info: &str,
    name: &str,
    version: &str,
) -> PathBuf {
    let path = dir.join(file_name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("pkg/__init__.py", options).unwrap();
    zip.write_all(b"X = 1\n").unwrap();
    zip.start_file(format!("{dist_info}/METADATA"), options)
        .unwrap();
    zip.write_all(metadata(name, version).as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

/// Writes an sdist named `file_name` with `PKG-INFO` in directory `top`.
pub(crate) fn sdist(dir: &Path, file_name: &str, top: &str, name: &str, version: &str) -> PathBuf {
    let path = dir.join(file_name);
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for (member, text) in [
        (format!("{top}/setup.py"), "print()\n".to_owned()),
        (format!("{top}/PKG-INFO"), metadata(name, version)),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, member, text.as_bytes())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    path
}

fn pep440(v: &str) -> Pep440Version {
    Pep440Version::parse(v).unwrap()
}

#[test]
fn a_wheel_reads_its_metadata_and_python_tag() {
    let dir = tempfile::tempdir().unwrap();
    let path = wheel(
        dir.path(),
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0.dist-info",
        "demo-pkg",
        "1.0",
    );
    let artifact = Artifact::read(&path).unwrap();
    assert_eq!(artifact.project(), "demo-pkg");
    assert_eq!(artifact.version().to_string(), "1.0");
    assert_eq!(
        artifact.kind(),
        &ArtifactKind::Wheel {
            python_tag: "py3".into()
        }
    );
    assert_eq!(artifact.kind().filetype(), "bdist_wheel");
    assert_eq!(artifact.kind().pyversion(), "py3");
    let fields = artifact.metadata().upload_fields();
    assert!(fields.contains(&("classifiers".into(), "B".into())));
    assert!(fields.contains(&("description".into(), "Long description.".into())));
}

#[test]
fn an_sdist_reads_pkg_info_and_is_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = sdist(
        dir.path(),
        "demo_pkg-1.0.tar.gz",
        "demo_pkg-1.0",
        "Demo.Pkg",
        "1.0",
    );
    let artifact = Artifact::read(&path).unwrap();
    assert_eq!(artifact.kind(), &ArtifactKind::Sdist);
    assert_eq!(artifact.kind().pyversion(), "source");
    assert_eq!(artifact.size(), std::fs::metadata(&path).unwrap().len());
}

#[test]
fn names_and_versions_compare_after_normalisation() {
    let dir = tempfile::tempdir().unwrap();
    // PEP 503 names and PEP 440 versions: Foo.Bar == foo-bar, 1.0.0 == 1.0.
    let path = wheel(
        dir.path(),
        "Foo.Bar-1.0-py3-none-any.whl",
        "Foo.Bar-1.0.dist-info",
        "foo_bar",
        "1.0.0",
    );
    let artifact = Artifact::read(&path).unwrap();
    artifact.check_release(&pep440("1.0")).unwrap();
}

#[test]
fn a_file_named_for_another_project_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let path = wheel(
        dir.path(),
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.dist-info",
        "other",
        "1.0",
    );
    // The METADATA sits under the file name's dist-info, so the mismatch is found in the metadata.
    let error = Artifact::read(&path).unwrap_err();
    assert!(
        matches!(
            error,
            ArtifactError::NameMismatch {
                field: "project",
                ..
            }
        ),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("`demo` but its metadata says `other`"),
        "{error}"
    );
}

#[test]
fn a_file_named_for_another_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = sdist(dir.path(), "demo-1.0.tar.gz", "demo-1.0", "demo", "1.0rc1");
    let error = Artifact::read(&path).unwrap_err();
    assert!(
        matches!(
            error,
            ArtifactError::NameMismatch {
                field: "version",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn an_rc_build_is_refused_for_the_final_release_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = wheel(
        dir.path(),
        "demo-1.1.0rc1-py3-none-any.whl",
        "demo-1.1.0rc1.dist-info",
        "demo",
        "1.1.0rc1",
    );
    let artifact = Artifact::read(&path).unwrap();
    let error = artifact.check_release(&pep440("1.1.0")).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("is version 1.1.0rc1, not the release being published (1.1.0)"),
        "{message}"
    );
    artifact.check_release(&pep440("1.1.0-rc.1")).unwrap();
}

#[test]
fn malformed_names_and_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bad_wheel = wheel(
        dir.path(),
        "demo-1.0.whl",
        "demo-1.0.dist-info",
        "demo",
        "1.0",
    );
    assert!(matches!(
        Artifact::read(&bad_wheel),
        Err(ArtifactError::BadFileName { .. })
    ));
    let zip_sdist = dir.path().join("demo-1.0.zip");
    std::fs::write(&zip_sdist, b"PK").unwrap();
    assert!(matches!(
        Artifact::read(&zip_sdist),
        Err(ArtifactError::BadFileName { .. })
    ));
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"hello").unwrap();
    assert!(matches!(
        Artifact::read(&text),
        Err(ArtifactError::UnknownKind { .. })
    ));
    let not_zip = dir.path().join("demo-1.0-py3-none-any.whl");
    std::fs::write(&not_zip, b"not a zip").unwrap();
    assert!(matches!(
        Artifact::read(&not_zip),
        Err(ArtifactError::Archive { format: "zip", .. })
    ));
    let no_metadata = wheel(
        dir.path(),
        "demo-2.0-py3-none-any.whl",
        "elsewhere-2.0.dist-info",
        "demo",
        "2.0",
    );
    assert!(matches!(
        Artifact::read(&no_metadata),
        Err(ArtifactError::MissingMetadata { .. })
    ));
    let missing = dir.path().join("demo-3.0.tar.gz");
    assert!(matches!(
        Artifact::read(&missing),
        Err(ArtifactError::Read { .. })
    ));
}

#[test]
fn sdists_upload_before_wheels() {
    let dir = tempfile::tempdir().unwrap();
    let mut artifacts = vec![
        Artifact::read(&wheel(
            dir.path(),
            "demo-1.0-py3-none-any.whl",
            "demo-1.0.dist-info",
            "demo",
            "1.0",
        ))
        .unwrap(),
        Artifact::read(&wheel(
            dir.path(),
            "demo-1.0-cp312-cp312-linux_x86_64.whl",
            "demo-1.0.dist-info",
            "demo",
            "1.0",
        ))
        .unwrap(),
        Artifact::read(&sdist(
            dir.path(),
            "demo-1.0.tar.gz",
            "demo-1.0",
            "demo",
            "1.0",
        ))
        .unwrap(),
    ];
    upload_order(&mut artifacts);
    let names: Vec<&str> = artifacts.iter().map(Artifact::filename).collect();
    assert_eq!(
        names,
        [
            "demo-1.0.tar.gz",
            "demo-1.0-cp312-cp312-linux_x86_64.whl",
            "demo-1.0-py3-none-any.whl"
        ]
    );
}

#[test]
fn digests_match_known_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("abc");
    std::fs::write(&path, b"abc").unwrap();
    let digests = registry::pypi::digests(&path).unwrap();
    assert_eq!(
        digests.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        digests.blake2_256,
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
    );
}
