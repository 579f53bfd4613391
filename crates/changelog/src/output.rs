//! JSON and user templates: both see the same [`Changelog`] value.

use std::fmt::Write;

use minijinja::{AutoEscape, Environment, Value};

use crate::error::Error;
use crate::model::Changelog;

/// Writes the changelog as pretty-printed JSON (the schema is in the crate docs), ending with a newline.
pub fn write_json(out: &mut impl Write, changelog: &Changelog<'_>) -> Result<(), Error> {
    out.write_str(&json_string(changelog))
        .map_err(Error::Write)?;
    out.write_char('\n').map_err(Error::Write)
}

/// The changelog as pretty-printed JSON, without a trailing newline.
pub fn json_string(changelog: &Changelog<'_>) -> String {
    serde_json::to_string_pretty(changelog).expect("the changelog model serialises without errors")
}

/// Renders a user's minijinja template. Its variables are the top-level fields of the JSON
/// document (`schema_version`, `remote`, `unreleased`, `releases`).
///
/// `name` appears in error messages (use the file name). Nothing is escaped, and a trailing
/// newline in the template is kept.
///
/// ```
/// use changelog::{Commit, Config, Generator, History, render_template};
/// let history = History { unreleased: vec![Commit::new("a1b2c3d4", "feat: tabs")], releases: vec![] };
/// let changelog = Generator::new(Config::default()).unwrap().build(&history, None);
/// let mut out = String::new();
/// let template = "{% for s in unreleased.sections %}{{ s.title }}: {{ s.entries | length }}\n{% endfor %}";
/// render_template(&mut out, "t.j2", template, &changelog).unwrap();
/// assert_eq!(out, "Added: 1\n");
/// ```
pub fn render_template(
    out: &mut impl Write,
    name: &str,
    source: &str,
    changelog: &Changelog<'_>,
) -> Result<(), Error> {
    render(out, name, source, Value::from_serialize(changelog))
}

/// [`render_template`] with an `announcement` variable besides the JSON document's fields: the
/// project, its install lines and its links ([`Announcement`](crate::Announcement)), for a
/// template that replaces the built-in announcement.
///
/// ```
/// use changelog::{Announcement, Commit, Config, Generator, History, render_template_with};
/// let history = History { unreleased: vec![Commit::new("a1b2c3d4", "feat: tabs")], releases: vec![] };
/// let changelog = Generator::new(Config::default()).unwrap().build(&history, None);
/// let announcement = Announcement { project: "Widget", install: Some("pip install widget"), ..Announcement::default() };
/// let mut out = String::new();
/// render_template_with(&mut out, "t.j2", "{{ announcement.project }}: {{ announcement.install }}", &changelog, &announcement).unwrap();
/// assert_eq!(out, "Widget: pip install widget");
/// ```
pub fn render_template_with(
    out: &mut impl Write,
    name: &str,
    source: &str,
    changelog: &Changelog<'_>,
    announcement: &crate::Announcement<'_>,
) -> Result<(), Error> {
    let mut context = serde_json::to_value(changelog).unwrap_or_default();
    if let Some(fields) = context.as_object_mut() {
        fields.insert(
            "announcement".to_owned(),
            serde_json::to_value(announcement).unwrap_or_default(),
        );
    }
    render(out, name, source, Value::from_serialize(&context))
}

fn render(out: &mut impl Write, name: &str, source: &str, context: Value) -> Result<(), Error> {
    let template_error = |source| Error::Template {
        name: name.to_owned(),
        source,
    };
    let mut environment = Environment::new();
    environment.set_keep_trailing_newline(true);
    environment.set_auto_escape_callback(|_| AutoEscape::None);
    let template = environment
        .template_from_named_str(name, source)
        .map_err(template_error)?;
    let rendered = template.render(context).map_err(template_error)?;
    out.write_str(&rendered).map_err(Error::Write)
}
