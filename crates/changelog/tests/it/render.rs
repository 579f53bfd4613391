//! Every rendering of one fixture history, as insta snapshots.

use std::fmt::Write as _;

use changelog::{
    Announcement, Changelog, Config, FilterAction, FilterConfig, FilterField, Generator, History,
    Remote, announcement_string, json_string, markdown_string, release_notes_string,
    render_template,
};

use crate::{by, commit, generator, id, release};

/// A small project: a first release, a release candidate folded into 1.0.0, and unreleased work
/// with every kind of commit the parser recognises.
pub(crate) fn fixture() -> History {
    let mut merge = commit(20, "Merge branch 'feature/streams'");
    merge.parent_count = 2;
    History {
        unreleased: vec![
            merge,
            by(
                commit(
                    19,
                    "feat(api): add a streaming API (#45)\n\nCloses #40\nCo-authored-by: Carol <carol@example.com>",
                ),
                "Bob",
            ),
            commit(18, "Update README"),
            commit(17, "fixup! feat(api): add a streaming API"),
            commit(
                16,
                &format!(
                    "Revert \"feat: experimental cache\"\n\nThis reverts commit {}.",
                    id(15)
                ),
            ),
            commit(15, "feat: experimental cache"),
            commit(14, "refactor(core): split the tokeniser"),
            commit(13, "chore(deps): bump serde"),
            commit(
                12,
                "perf!: drop the slow path\n\nBREAKING CHANGE: `--slow` is gone;\nuse `--safe` instead",
            ),
        ],
        releases: vec![
            release(
                "1.0.0",
                "2026-11-21",
                vec![
                    commit(11, "docs: usage guide"),
                    by(
                        commit(10, "perf(parser): faster number parsing\n\nRefs: #30"),
                        "Bob",
                    ),
                ],
            ),
            release(
                "1.0.0-rc.1",
                "2026-11-14",
                vec![
                    commit(
                        9,
                        "feat(cli)!: new flag syntax\n\nBREAKING CHANGE: `--out` is now `-o`",
                    ),
                    commit(8, "fix(parser): handle CRLF line endings (#12)"),
                    commit(7, "chore!: require Rust 1.85"),
                    commit(6, "ci: cache the target directory"),
                ],
            ),
            release(
                "0.1.0",
                "2026-10-01",
                vec![
                    commit(2, "feat: initial parser"),
                    commit(1, "chore: initial commit"),
                ],
            ),
        ],
    }
}

fn build<'a>(history: &'a History, url: Option<&str>) -> Changelog<'a> {
    let remote = url.and_then(Remote::parse);
    generator().build(history, remote.as_ref())
}

#[test]
fn markdown_with_github_links() {
    let history = fixture();
    insta::assert_snapshot!(markdown_string(
        &build(&history, Some("git@github.com:o/r.git")),
        None
    ));
}

#[test]
fn markdown_without_a_remote_has_no_links() {
    let history = fixture();
    let markdown = markdown_string(&build(&history, None), Some("# Changelog\n"));
    assert!(!markdown.contains("https://"));
    insta::assert_snapshot!(markdown);
}

#[test]
fn markdown_links_for_gitlab_bitbucket_and_gitea() {
    let history = fixture();
    let mut out = String::new();
    for url in [
        "https://gitlab.com/g/r.git",
        "git@bitbucket.org:o/r.git",
        "https://codeberg.org/o/r",
    ] {
        let markdown = markdown_string(&build(&history, Some(url)), Some(""));
        // The links at the bottom and one entry line show every URL shape.
        let _ = writeln!(out, "{url}");
        for line in markdown
            .lines()
            .filter(|line| line.starts_with('[') || line.contains("streaming API"))
        {
            let _ = writeln!(out, "  {line}");
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn json_has_the_documented_schema() {
    let history = fixture();
    let changelog = build(&history, Some("https://github.com/o/r"));
    let json = json_string(&changelog);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema_version"], 1);
    insta::assert_snapshot!(json);
}

#[test]
fn templates_receive_the_same_data_as_the_json() {
    let history = fixture();
    let changelog = build(&history, Some("https://github.com/o/r"));
    let template = "\
{%- for release in releases %}
{{ release.version }} ({{ release.date }}){% if release.folded %} folds {{ release.folded | join(', ') }}{% endif %}
{%- for section in release.sections %}
  {{ section.title }}:{% for entry in section.entries %} [{{ entry.type }}{% if entry.scope %}/{{ entry.scope }}{% endif %}] {{ entry.description }};{% endfor %}
{%- endfor %}
{%- endfor %}
unreleased breaking: {{ unreleased.breaking | map(attribute='breaking_description') | join(' | ') }}
schema {{ schema_version }} on {{ remote.forge }}
";
    let mut out = String::new();
    render_template(&mut out, "summary.j2", template, &changelog).unwrap();
    insta::assert_snapshot!(out);

    // Every JSON path is reachable from a template: render the JSON back through `tojson`.
    let mut round_trip = String::new();
    render_template(
        &mut round_trip,
        "json.j2",
        "{{ releases | tojson }}",
        &changelog,
    )
    .unwrap();
    let from_template: serde_json::Value = serde_json::from_str(&round_trip).unwrap();
    let from_json: serde_json::Value = serde_json::from_str(&json_string(&changelog)).unwrap();
    assert_eq!(from_template, from_json["releases"]);
}

#[test]
fn template_errors_name_the_template() {
    let history = fixture();
    let changelog = build(&history, None);
    let error = render_template(
        &mut String::new(),
        "broken.j2",
        "{% for x in %}",
        &changelog,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "changelog template `broken.j2` failed; check it against the JSON schema in the crate docs"
    );
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn release_notes_for_one_version_have_no_version_heading() {
    let history = fixture();
    let changelog = build(&history, Some("https://github.com/o/r"));
    let notes = release_notes_string(&changelog, changelog.release("1.0.0").unwrap());
    assert!(!notes.contains("## ["));
    insta::assert_snapshot!(notes);
}

#[test]
fn announcement_in_the_runbook_style() {
    let history = fixture();
    let changelog = build(&history, Some("https://github.com/mockloop/mockloop-mcp"));
    let announcement = Announcement {
        project: "MockLoop MCP",
        install: Some("pip install --upgrade mockloop-mcp==1.0.0"),
        documentation_url: Some("https://mockloop.github.io/mockloop-mcp/"),
        migration_guide_url: Some("docs/migration/v1.0.0.md"),
    };
    insta::assert_snapshot!(announcement_string(
        &changelog,
        changelog.release("1.0.0").unwrap(),
        &announcement
    ));
}

#[test]
fn announcement_with_only_a_project_name() {
    let history = fixture();
    let changelog = build(&history, None);
    let announcement = Announcement {
        project: "slipway",
        ..Announcement::default()
    };
    insta::assert_snapshot!(announcement_string(
        &changelog,
        changelog.release("0.1.0").unwrap(),
        &announcement
    ));
}

#[test]
fn filters_and_a_custom_section_map() {
    let history = fixture();
    let config = Config {
        sections: vec![
            changelog::SectionConfig {
                title: "Features".into(),
                types: vec!["feat".into()],
            },
            changelog::SectionConfig {
                title: "Internal".into(),
                types: vec!["chore".into(), "ci".into(), "refactor".into()],
            },
        ],
        hidden: vec![],
        other: None,
        filters: vec![FilterConfig {
            field: FilterField::Scope,
            pattern: "^deps$".into(),
            action: FilterAction::Exclude,
        }],
        ..Config::default()
    };
    let changelog = Generator::new(config).unwrap().build(&history, None);
    insta::assert_snapshot!(markdown_string(&changelog, Some("# Changes\n")));
}

#[test]
fn include_filters_keep_only_matching_commits() {
    let history = fixture();
    let config = Config {
        filters: vec![FilterConfig {
            field: FilterField::Scope,
            pattern: "parser".into(),
            action: FilterAction::Include,
        }],
        ..Config::default()
    };
    let listed = crate::listed(&history, config, Some("1.0.0"));
    assert_eq!(
        listed,
        [
            "Fixed: handle CRLF line endings (#12)",
            "Performance: faster number parsing"
        ]
    );
}

#[test]
fn an_invalid_filter_pattern_is_a_configuration_error() {
    let config = Config {
        filters: vec![FilterConfig {
            field: FilterField::Subject,
            pattern: "(".into(),
            action: FilterAction::Exclude,
        }],
        ..Config::default()
    };
    let error = Generator::new(config).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid changelog filter pattern `(` for the subject; fix it in the changelog configuration"
    );
}

#[test]
fn path_filters_keep_commits_touching_the_package() {
    let mut history = fixture();
    for (index, commit) in history.releases[0].commits.iter_mut().enumerate() {
        commit.paths = Some(vec![if index == 0 {
            "docs/guide.md".into()
        } else {
            "crates/parser/src/lib.rs".into()
        }]);
    }
    let config = Config {
        include_paths: vec!["crates/parser".into()],
        ..Config::default()
    };
    assert_eq!(
        crate::listed(&history, config, Some("0.1.0")),
        ["Added: initial parser"],
        "unknown paths are kept"
    );
    let config = Config {
        include_paths: vec!["crates/parser".into()],
        fold_prereleases: false,
        ..Config::default()
    };
    assert_eq!(
        crate::listed(&history, config, Some("1.0.0")),
        ["Performance: faster number parsing"]
    );
}

#[test]
fn config_deserialises_from_kebab_case_keys() {
    let config: Config = serde_json::from_str(
        r#"{"fold-prereleases": false, "other": null, "bump": {"minor": ["feat", "feature"]}}"#,
    )
    .unwrap();
    assert!(!config.fold_prereleases);
    assert_eq!(config.other, None);
    assert_eq!(config.bump.patch, ["fix", "perf"]);
    assert_eq!(config.sections, Config::default().sections);
}
