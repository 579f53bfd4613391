//! Files that hold a version and nothing else (`VERSION`), and Helm charts (`Chart.yaml`'s
//! top-level `version:` and `appVersion:`). Only what reads as a SemVer version is a site: a
//! `VERSION` file that says `dev`, or an `appVersion: latest`, is left alone.

use super::{Site, Sites};

/// The version of a `VERSION` file: its only line, without the spaces around it. A file with
/// more than one non-empty line holds something else, and is not read.
pub(super) fn version_file(text: &str) -> Sites {
    let mut found = Sites::default();
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return found;
    };
    let trimmed = line.trim().trim_start_matches('v');
    if crate::Version::parse(trimmed).is_err() {
        return found;
    }
    let start = line.as_ptr() as usize - text.as_ptr() as usize + line.find(trimmed).unwrap_or(0);
    found
        .sites
        .push(Site::version(start..start + trimmed.len(), "VERSION"));
    found
}

/// The top-level `version:` (the chart's) and `appVersion:` (the application's) of a Helm
/// `Chart.yaml`, quoted or not; indented keys belong to other maps (dependencies) and are left
/// alone. A chart whose version differs from its appVersion is versioned on its own: only the
/// appVersion is a site then.
pub(super) fn helm_chart(text: &str) -> Sites {
    let mut found = Sites::default();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        for key in ["version", "appVersion"] {
            let Some(rest) = body
                .strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(':'))
            else {
                continue;
            };
            let value = rest.split(" #").next().unwrap_or(rest).trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|value| value.strip_suffix('"'))
                .or_else(|| {
                    value
                        .strip_prefix('\'')
                        .and_then(|value| value.strip_suffix('\''))
                })
                .unwrap_or(value);
            // An appVersion may name anything (`latest`, a commit): only a version follows.
            if crate::Version::parse(unquoted).is_err() {
                continue;
            }
            let at = offset + key.len() + 1 + rest.find(unquoted).unwrap_or(0);
            found
                .sites
                .push(Site::version(at..at + unquoted.len(), key.to_owned()));
        }
        offset += line.len();
    }
    // A chart versioned on its own (`version: 0.5.0`, `appVersion: "1.2.0"`) keeps its version:
    // only the application's follows the release.
    if let [chart, app] = found.sites.as_slice() {
        if chart.place == "version" && text[chart.range.clone()] != text[app.range.clone()] {
            found.sites.remove(0);
        }
    }
    found
}
