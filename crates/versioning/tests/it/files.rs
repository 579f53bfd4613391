//! Version-file editors on realistic files: what they read, what they change, and that nothing
//! else changes.

use std::fmt::Write as _;

use versioning::files::{
    self, Edit, FileKind, Found, Scheme, TextPattern, VersionSource, check, check_tag,
    read_version, read_versions, set_version,
};
use versioning::{FileError, Version};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/data/files/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn version(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn workspace_crates() -> FileKind {
    FileKind::cargo([
        "acme-core",
        "acme-cli",
        "acme-macros",
        "acme-test-support",
        "acme-unix",
    ])
}

/// What an editor read and changed, and the changed lines as a diff; the snapshot of an editor.
fn report(kind: &FileKind, text: &str, new_version: &str) -> String {
    let mut out = String::new();
    writeln!(out, "read:").unwrap();
    for Found {
        version,
        line,
        place,
    } in read_versions(kind, text).unwrap()
    {
        writeln!(out, "  {line}: {place} = {version}").unwrap();
    }
    let edit = set_version(kind, text, &version(new_version)).unwrap();
    assert_only_versions_changed(text, &edit);
    writeln!(out, "set {new_version}:").unwrap();
    for change in &edit.changes {
        writeln!(
            out,
            "  {}: {} {} -> {}",
            change.line, change.place, change.old, change.new
        )
        .unwrap();
    }
    writeln!(out, "diff:").unwrap();
    for (number, (old, new)) in text.lines().zip(edit.text.lines()).enumerate() {
        if old != new {
            writeln!(out, "  {:>3} - {old}", number + 1).unwrap();
            writeln!(out, "  {:>3} + {new}", number + 1).unwrap();
        }
    }
    out
}

/// Every byte outside the changed versions is the same: putting the old versions back gives the
/// input exactly, and the line count and line endings are unchanged.
#[track_caller]
fn assert_only_versions_changed(original: &str, edit: &Edit) {
    assert_eq!(original.lines().count(), edit.text.lines().count());
    assert_eq!(
        original.matches("\r\n").count(),
        edit.text.matches("\r\n").count()
    );
    let mut restored = edit.text.clone();
    // Versions are restored from the last change backwards, at the same lines.
    for change in edit.changes.iter().rev() {
        let start = line_start(&restored, change.line);
        let end = restored[start..]
            .find('\n')
            .map_or(restored.len(), |i| start + i);
        let line = restored[start..end].replacen(&change.new, &change.old, 1);
        restored.replace_range(start..end, &line);
    }
    assert_eq!(
        restored, original,
        "restoring the old versions must give the input back"
    );
}

fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum()
}

#[test]
fn poetry_pyproject_with_comments() {
    let text = fixture("poetry-pyproject.toml");
    insta::assert_snapshot!(report(&FileKind::Pyproject, &text, "1.3.0-rc.1"));
}

#[test]
fn cargo_workspace_with_internal_path_dependencies_and_an_external_one_of_the_same_version() {
    let text = fixture("workspace-Cargo.toml");
    insta::assert_snapshot!(report(&workspace_crates(), &text, "0.5.0"));
}

#[test]
fn cargo_member_that_inherits_the_workspace_version() {
    let text = fixture("member-Cargo.toml");
    insta::assert_snapshot!(report(&workspace_crates(), &text, "0.5.0"));
    let error = read_version(&workspace_crates(), &text).unwrap_err();
    assert_eq!(
        error,
        FileError::VersionElsewhere {
            location: VersionSource::CargoWorkspace
        }
    );
}

#[test]
fn dockerfile_with_several_labels() {
    let text = fixture("Dockerfile");
    insta::assert_snapshot!(report(&FileKind::Dockerfile, &text, "1.3.0-rc.1"));
}

#[test]
fn setup_py() {
    let text = fixture("setup.py");
    insta::assert_snapshot!(report(&FileKind::SetupPy, &text, "1.3.0-rc.1"));
}

#[test]
fn setup_cfg() {
    let text = fixture("setup.cfg");
    insta::assert_snapshot!(report(&FileKind::SetupCfg, &text, "1.3.0-beta.2"));
}

#[test]
fn python_init_with_single_quotes() {
    let text = fixture("__init__.py");
    insta::assert_snapshot!(report(&FileKind::PythonSource, &text, "1.3.0-dev.4"));
}

#[test]
fn package_json_with_nested_version_keys() {
    let text = fixture("package.json");
    insta::assert_snapshot!(report(&FileKind::PackageJson, &text, "1.3.0-rc.1"));
}

#[test]
fn readme_with_a_user_pattern() {
    let text = fixture("README.md");
    let pattern = TextPattern::template("pip install mcp-hangar=={version}")
        .unwrap()
        .with_scheme(Scheme::Pep440);
    insta::assert_snapshot!(report(&FileKind::Text(pattern), &text, "1.3.0-rc.1"));
}

#[test]
fn detection_picks_the_editor_of_every_fixture() {
    for (name, kind) in [
        ("pyproject.toml", FileKind::Pyproject),
        ("Dockerfile", FileKind::Dockerfile),
        ("setup.py", FileKind::SetupPy),
        ("setup.cfg", FileKind::SetupCfg),
        ("src/mockloop_mcp/__init__.py", FileKind::PythonSource),
        ("package.json", FileKind::PackageJson),
    ] {
        assert_eq!(files::detect(name), Some(kind), "{name}");
    }
}

#[test]
fn crlf_line_endings_and_comments_survive_byte_for_byte() {
    for (kind, name) in [
        (FileKind::Pyproject, "poetry-pyproject.toml"),
        (workspace_crates(), "workspace-Cargo.toml"),
        (FileKind::Dockerfile, "Dockerfile"),
        (FileKind::SetupPy, "setup.py"),
        (FileKind::SetupCfg, "setup.cfg"),
        (FileKind::PythonSource, "__init__.py"),
        (FileKind::PackageJson, "package.json"),
    ] {
        let unix = fixture(name);
        let crlf = unix.replace('\n', "\r\n");
        let unix_edit = set_version(&kind, &unix, &version("9.8.7")).unwrap();
        let crlf_edit = set_version(&kind, &crlf, &version("9.8.7")).unwrap();
        assert!(unix_edit.is_changed(), "{name}");
        assert_eq!(
            crlf_edit.text,
            unix_edit.text.replace('\n', "\r\n"),
            "{name}"
        );
        assert_only_versions_changed(&crlf, &crlf_edit);
        // Setting the old version back gives the original bytes.
        let old = read_version(&kind, &crlf).unwrap().version;
        let old = match kind.scheme() {
            Scheme::SemVer => version(&old),
            Scheme::Pep440 => versioning::from_pep440(&old.parse().unwrap()).unwrap(),
        };
        let restored = set_version(&kind, &crlf_edit.text, &old).unwrap();
        assert_eq!(restored.text, crlf, "{name}");
    }
}

#[test]
fn every_editor_reads_the_version_with_its_line() {
    #[track_caller]
    fn check_read(kind: &FileKind, text: &str, expected: (&str, usize)) {
        let found = read_version(kind, text).unwrap();
        assert_eq!((found.version.as_str(), found.line), expected);
    }
    check_read(
        &FileKind::Pyproject,
        &fixture("poetry-pyproject.toml"),
        ("1.2.0", 4),
    );
    check_read(
        &workspace_crates(),
        &fixture("workspace-Cargo.toml"),
        ("0.4.1", 6),
    );
    check_read(&FileKind::Dockerfile, &fixture("Dockerfile"), ("1.2.0", 3));
    check_read(&FileKind::SetupPy, &fixture("setup.py"), ("1.2.0", 8));
    check_read(&FileKind::SetupCfg, &fixture("setup.cfg"), ("1.2.0", 3));
    check_read(
        &FileKind::PythonSource,
        &fixture("__init__.py"),
        ("1.2.0", 6),
    );
    check_read(
        &FileKind::PackageJson,
        &fixture("package.json"),
        ("1.2.0", 3),
    );
}

#[track_caller]
fn check_python(text: &str, expected: &str) {
    let edit = set_version(&FileKind::PythonSource, text, &version("2.0.0-rc.1")).unwrap();
    assert_eq!(edit.text, expected);
}

#[test]
fn python_version_assignments_in_any_quote_style() {
    check_python("__version__ = '1.0.0'\n", "__version__ = '2.0.0rc1'\n");
    check_python("__version__ = \"1.0.0\"\n", "__version__ = \"2.0.0rc1\"\n");
    check_python(
        "__version__ = '''1.0.0'''\n",
        "__version__ = '''2.0.0rc1'''\n",
    );
    check_python(
        "__version__ = \"\"\"1.0.0\"\"\"\n",
        "__version__ = \"\"\"2.0.0rc1\"\"\"\n",
    );
    check_python(
        "__version__: str = \"1.0.0\"  # x\n",
        "__version__: str = \"2.0.0rc1\"  # x\n",
    );
    check_python("__version__='1.0.0'", "__version__='2.0.0rc1'");
    check_python(
        "try:\n    __version__ = '1.0'\nexcept ImportError:\n    __version__ = '1.0'\n",
        "try:\n    __version__ = '2.0.0rc1'\nexcept ImportError:\n    __version__ = '2.0.0rc1'\n",
    );
    // Neither another name nor a comparison is a version assignment.
    check_python(
        "__version__ = '1.0'\nmy__version__ = '1.0'\nassert __version__ == '1.0'\n",
        "__version__ = '2.0.0rc1'\nmy__version__ = '1.0'\nassert __version__ == '1.0'\n",
    );
}

#[track_caller]
fn check_elsewhere(kind: &FileKind, text: &str, expected: &str) {
    let error = set_version(kind, text, &version("1.0.0")).unwrap_err();
    assert!(
        matches!(error, FileError::VersionElsewhere { .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), expected);
    assert_eq!(read_version(kind, text).unwrap_err(), error);
}

#[test]
fn a_version_that_lives_elsewhere_is_reported_with_where() {
    check_elsewhere(
        &FileKind::Pyproject,
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\npath = \"src/x/__about__.py\"\n",
        "the version is not written in this file: it is read by hatch from src/x/__about__.py: configure that file instead",
    );
    check_elsewhere(
        &FileKind::Pyproject,
        "[build-system]\nrequires = [\"setuptools>=64\", \"setuptools_scm>=8\"]\n\n[project]\nname = \"x\"\ndynamic = [\"version\", \"readme\"]\n",
        "the version is not written in this file: it is derived from git tags by setuptools-scm: the release tag sets it",
    );
    check_elsewhere(
        &FileKind::Pyproject,
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
        "the version is not written in this file: it is derived from git tags by hatch-vcs: the release tag sets it",
    );
    check_elsewhere(
        &FileKind::Pyproject,
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = { attr = \"x.__version__\" }\n",
        "the version is not written in this file: it is read by setuptools from x.__version__: configure the module that defines it instead",
    );
    check_elsewhere(
        &FileKind::Pyproject,
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"file\"\npath = \"src/x/_v.py\"\n",
        "the version is not written in this file: it is read by pdm-backend from src/x/_v.py: configure that file instead",
    );
    check_elsewhere(
        &FileKind::Pyproject,
        "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n[project]\nname = \"my-pkg\"\ndynamic = [\"version\", \"description\"]\n",
        "the version is not written in this file: it is read by flit from my_pkg.__version__: configure the module that defines it instead",
    );
    check_elsewhere(
        &FileKind::Pyproject,
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n",
        "the version is not written in this file: it is declared dynamic, but no known build tool says where it lives: configure the file that holds it",
    );
    check_elsewhere(
        &FileKind::PythonSource,
        "from importlib.metadata import version\n__version__ = version(\"x\")\n",
        "the version is not written in this file: it is computed from `version(\"x\")`: configure where that value comes from instead",
    );
    check_elsewhere(
        &FileKind::SetupCfg,
        "[metadata]\nname = x\nversion = attr: x.__version__\n",
        "the version is not written in this file: it is read by setuptools from x.__version__: configure the module that defines it instead",
    );
    check_elsewhere(
        &FileKind::Dockerfile,
        "FROM scratch\nARG VERSION\nLABEL org.opencontainers.image.version=$VERSION\n",
        "the version is not written in this file: it is computed from `$VERSION`: configure where that value comes from instead",
    );
    check_elsewhere(
        &FileKind::cargo(["a"]),
        "[package]\nname = \"a\"\nversion = { workspace = true }\n",
        "the version is not written in this file: it is inherited from the workspace (version.workspace = true): set it in the root Cargo.toml's [workspace.package]",
    );
}

#[test]
fn poetry_with_a_dynamic_project_version_edits_tool_poetry() {
    let text =
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n\n[tool.poetry]\nversion = \"1.0.0\"\n";
    let edit = set_version(&FileKind::Pyproject, text, &version("1.1.0")).unwrap();
    assert_eq!(edit.text, text.replace("1.0.0", "1.1.0"));
}

#[test]
fn pyproject_with_both_tables_edits_both() {
    let text = "[project]\nversion = \"1.0.0\"\n\n[tool.poetry]\nversion = '1.0.0'\n";
    let edit = set_version(&FileKind::Pyproject, text, &version("1.1.0-alpha.1")).unwrap();
    assert_eq!(
        edit.text,
        "[project]\nversion = \"1.1.0a1\"\n\n[tool.poetry]\nversion = '1.1.0a1'\n"
    );
}

#[test]
fn missing_versions_say_where_the_editor_looked() {
    let error = |kind: &FileKind, text: &str| read_version(kind, text).unwrap_err().to_string();
    assert_eq!(
        error(&FileKind::Pyproject, "[project]\nname = \"x\"\n"),
        "no version found: pyproject.toml has neither [project].version nor [tool.poetry].version"
    );
    assert_eq!(
        error(
            &FileKind::PackageJson,
            "{\"engines\": {\"version\": \"1.0.0\"}}"
        ),
        "no version found: no top-level \"version\" string"
    );
    assert_eq!(
        error(&FileKind::Pyproject, "[project\n"),
        "not valid TOML: line 1: unclosed table, expected `]`"
    );
    assert!(error(&FileKind::PackageJson, "{").starts_with("not valid JSON: "));
}

#[test]
fn cargo_requirements_on_internal_crates_that_are_not_a_single_version_are_refused() {
    let text = "[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n[dependencies]\nb = { path = \"../b\", version = \">=1.0, <2\" }\n";
    let error = set_version(&FileKind::cargo(["b"]), text, &version("1.1.0")).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"line 6: the requirement ">=1.0, <2" on b is not a single version: write it as "X.Y.Z" or "=X.Y.Z" so it can follow the workspace version"#
    );
    // Without the crate in the internal set the requirement is not ours to touch.
    let edit = set_version(&FileKind::cargo(["c"]), text, &version("1.1.0")).unwrap();
    assert_eq!(edit.changes.len(), 1);
}

#[test]
fn cargo_requirements_drop_build_metadata() {
    let text = "[package]\nversion = \"1.0.0\"\n[dependencies]\nb = { path = \"../b\", version = \"=1.0.0\" }\n";
    let edit = set_version(&FileKind::cargo(["b"]), text, &version("1.1.0+git.1")).unwrap();
    assert_eq!(
        edit.text,
        "[package]\nversion = \"1.1.0+git.1\"\n[dependencies]\nb = { path = \"../b\", version = \"=1.1.0\" }\n"
    );
}

#[test]
fn python_files_need_a_pep440_rendering() {
    let error = set_version(
        &FileKind::Pyproject,
        "[project]\nversion = \"1.0.0\"\n",
        &version("1.1.0-foo.1"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot write the version into a Python file"
    );
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert_eq!(
        source,
        r#"1.1.0-foo.1 has pre-release "foo.1", which has no PEP 440 equivalent: use alpha.N, beta.N, rc.N or dev.N"#
    );
}

#[test]
fn a_pattern_that_matches_more_places_than_configured_is_refused() {
    let text = fixture("README.md");
    let loose = TextPattern::template("{version}").unwrap();
    let error = set_version(&FileKind::Text(loose.clone()), &text, &version("1.3.0")).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"the pattern "{version}" matches 2 places (lines 5, 7), more than the 1 configured: make the pattern more specific or raise the limit"#
    );
    // `1.2.0.1` is not a version of ours, so only two places match, and two are allowed here.
    let edit = set_version(
        &FileKind::Text(loose.with_max_matches(2)),
        &text,
        &version("1.3.0"),
    )
    .unwrap();
    assert_eq!(
        edit.changes
            .iter()
            .map(|change| change.line)
            .collect::<Vec<_>>(),
        [5, 7]
    );
    assert!(edit.text.contains("1.2.0.1"));
}

#[test]
fn a_regex_pattern_needs_a_version_group() {
    let pattern = TextPattern::regex(r"image: ghcr.io/acme/web:(?P<version>\S+)").unwrap();
    let edit = set_version(
        &FileKind::Text(pattern),
        "image: ghcr.io/acme/web:1.0.0\n",
        &version("1.1.0"),
    )
    .unwrap();
    assert_eq!(edit.text, "image: ghcr.io/acme/web:1.1.0\n");
    assert_eq!(
        TextPattern::regex(r"v(\d+)").unwrap_err().to_string(),
        r#""v(\\d+)" is not a usable version pattern: it has no named group `version`: write (?P<version>...)"#
    );
    assert_eq!(
        TextPattern::template("version").unwrap_err().to_string(),
        r#""version" is not a usable version pattern: it has no {version} placeholder"#
    );
}

#[test]
fn the_consistency_check_reports_each_disagreeing_place() {
    let text =
        fixture("workspace-Cargo.toml").replace("version = \"=0.4.1\"", "version = \"=0.4.0\"");
    let mismatches = check("Cargo.toml", &workspace_crates(), &text, &version("0.4.1")).unwrap();
    let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["Cargo.toml:13: found 0.4.0, expected 0.4.1"]);

    let text = fixture("poetry-pyproject.toml");
    assert!(
        check(
            "pyproject.toml",
            &FileKind::Pyproject,
            &text,
            &version("1.2.0")
        )
        .unwrap()
        .is_empty()
    );
    let mismatches = check(
        "pyproject.toml",
        &FileKind::Pyproject,
        &text,
        &version("1.3.0-rc.1"),
    )
    .unwrap();
    assert_eq!(
        mismatches[0].to_string(),
        "pyproject.toml:4: found 1.2.0, expected 1.3.0rc1"
    );
    // PEP 440 files are compared as PEP 440: `1.2` is `1.2.0`.
    let text = "__version__ = '1.2'\n";
    assert!(
        check(
            "__init__.py",
            &FileKind::PythonSource,
            text,
            &version("1.2.0")
        )
        .unwrap()
        .is_empty()
    );
    // Partial requirements agree with the version they pad to.
    let text =
        "[package]\nversion = \"0.4.0\"\n[dependencies]\nb = { path = \"b\", version = \"0.4\" }\n";
    assert!(
        check(
            "Cargo.toml",
            &FileKind::cargo(["b"]),
            text,
            &version("0.4.0")
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn the_tag_check_fails_like_the_runbook() {
    let text = "[project]\nname = \"mcp-hangar\"\nversion = \"1.2.3\"\n";
    let mismatch = check_tag(
        "pyproject.toml",
        &FileKind::Pyproject,
        text,
        &version("1.2.4"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        mismatch.to_string(),
        "Version mismatch! pyproject.toml: 1.2.3, Git tag: 1.2.4"
    );
    let mismatch = check_tag(
        "backend/pyproject.toml",
        &FileKind::Pyproject,
        text,
        &version("1.2.3-rc.1"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        mismatch.to_string(),
        "Version mismatch! backend/pyproject.toml: 1.2.3, Git tag: 1.2.3-rc.1"
    );
    assert!(
        check_tag(
            "pyproject.toml",
            &FileKind::Pyproject,
            text,
            &version("1.2.3")
        )
        .unwrap()
        .is_none()
    );
    let text = "{\"version\": \"1.2.3+build\"}";
    assert!(
        check_tag(
            "package.json",
            &FileKind::PackageJson,
            text,
            &version("1.2.3")
        )
        .unwrap()
        .is_some()
    );
}

#[test]
fn dockerfile_label_forms() {
    #[track_caller]
    fn check_docker(text: &str, expected: &str) {
        let edit = set_version(&FileKind::Dockerfile, text, &version("2.0.0")).unwrap();
        assert_eq!(edit.text, expected);
    }
    check_docker("LABEL version 1.0.0\n", "LABEL version 2.0.0\n");
    check_docker(
        "label \"version\"=\"1.0.0\"\n",
        "label \"version\"=\"2.0.0\"\n",
    );
    check_docker("LABEL Version='1.0.0' a=b\n", "LABEL Version='2.0.0' a=b\n");
    check_docker(
        "LABEL a=\"x y\" \\\n\n  version=1.0.0\n",
        "LABEL a=\"x y\" \\\n\n  version=2.0.0\n",
    );
    // Not labels: an environment variable, a comment, a label of another name.
    let text =
        "ENV version=1.0.0\n# LABEL version=1.0.0\nLABEL app.version=1.0.0\nLABEL version=1.0.0\n";
    check_docker(
        text,
        "ENV version=1.0.0\n# LABEL version=1.0.0\nLABEL app.version=1.0.0\nLABEL version=2.0.0\n",
    );
}

#[test]
fn setup_py_ignores_comments_comparisons_and_other_names() {
    let text = "# version='0.1'\nif sys.version == '3':\n    pass\nsetup(python_version='3', version='1.0.0', target_version='x')\n";
    let edit = set_version(&FileKind::SetupPy, text, &version("1.1.0")).unwrap();
    assert_eq!(
        edit.text,
        text.replace("version='1.0.0'", "version='1.1.0'")
    );
}

fn fixtures() -> Vec<(FileKind, String)> {
    vec![
        (FileKind::Pyproject, fixture("poetry-pyproject.toml")),
        (workspace_crates(), fixture("workspace-Cargo.toml")),
        (workspace_crates(), fixture("member-Cargo.toml")),
        (FileKind::Dockerfile, fixture("Dockerfile")),
        (FileKind::SetupPy, fixture("setup.py")),
        (FileKind::SetupCfg, fixture("setup.cfg")),
        (FileKind::PythonSource, fixture("__init__.py")),
        (FileKind::PackageJson, fixture("package.json")),
        (
            FileKind::Text(
                TextPattern::template("{version}")
                    .unwrap()
                    .with_max_matches(5),
            ),
            fixture("README.md"),
        ),
    ]
}

proptest::proptest! {
    #[test]
    fn editors_never_panic_on_mangled_files(
        which in 0..9usize,
        cut in 0..2000usize,
        length in 0..40usize,
        insert in "\\PC{0,12}",
    ) {
        let (kind, text) = fixtures().swap_remove(which);
        let mut start = cut.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + length).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mangled = format!("{}{insert}{}", &text[..start], &text[end..]);
        let _ = read_versions(&kind, &mangled);
        if let Ok(edit) = set_version(&kind, &mangled, &version("3.2.1")) {
            // Whatever was found is replaced and nothing else changes.
            assert_only_versions_changed(&mangled, &edit);
        }
    }
}

#[test]
fn a_helm_chart_carries_the_chart_version_and_the_app_version_dependencies_stay() {
    let chart = "apiVersion: v2\nname: operator\n# the chart\nversion: 1.2.0\nappVersion: \"1.2.0\"\ndependencies:\n  - name: redis\n    version: 17.3.7\n    repository: https://charts.example.com\n";
    let kind = files::detect("charts/operator/Chart.yaml").unwrap();
    assert_eq!(kind, FileKind::HelmChart);
    assert_eq!(read_version(&kind, chart).unwrap().version, "1.2.0");
    let edit = set_version(&kind, chart, &version("1.3.0-rc.1")).unwrap();
    assert_eq!(
        edit.text,
        chart
            .replace("version: 1.2.0", "version: 1.3.0-rc.1")
            .replace("appVersion: \"1.2.0\"", "appVersion: \"1.3.0-rc.1\"")
    );
    assert!(edit.text.contains("    version: 17.3.7\n"));
    // A chart versioned on its own keeps its version; the application's follows.
    let own = "apiVersion: v2\nname: op\nversion: 0.5.0\nappVersion: \"1.0.0\"\n";
    assert_eq!(read_version(&kind, own).unwrap().version, "1.0.0");
    assert_eq!(
        set_version(&kind, own, &version("1.0.1")).unwrap().text,
        "apiVersion: v2\nname: op\nversion: 0.5.0\nappVersion: \"1.0.1\"\n"
    );
    // An appVersion that names no version is not the release's to change.
    let latest = "apiVersion: v2\nname: web\nversion: 0.4.0\nappVersion: latest\n";
    let edit = set_version(&kind, latest, &version("0.5.0")).unwrap();
    assert_eq!(edit.text, latest.replace("0.4.0", "0.5.0"));
}

#[test]
fn a_version_file_is_its_one_line() {
    let kind = files::detect("operator/VERSION").unwrap();
    assert_eq!(kind, FileKind::VersionFile);
    let edit = set_version(&kind, "v1.4.2\n", &version("1.5.0")).unwrap();
    assert_eq!(edit.text, "v1.5.0\n");
    assert_eq!(
        set_version(&kind, "1.4.2", &version("1.5.0")).unwrap().text,
        "1.5.0"
    );
    // Anything else is no version file: found nothing, so a detected one is passed over.
    for text in ["dev\n", "1.0.0\n2.0.0\n", ""] {
        assert!(
            matches!(
                read_version(&kind, text),
                Err(versioning::FileError::NotFound { .. })
            ),
            "{text:?}"
        );
    }
}
