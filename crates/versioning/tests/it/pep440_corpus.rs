//! Python's `packaging` library and our PEP 440 parsing agree on validity, normalisation and
//! order for every version in `tests/data/pep440_corpus.txt`.
//!
//! The test runs `python3`; without Python 3 or `packaging` it fails and says how to fix it
//! (`cargo xtask test` installs `packaging`), it never passes silently.

use std::io::Write;
use std::process::{Command, Stdio};

use versioning::pep440::Pep440Version;

const CORPUS: &str = include_str!("../data/pep440_corpus.txt");

/// Reads a JSON list of strings on stdin; writes `{"normalised": [str|null], "order": [index]}`:
/// the normalised form of each (null when invalid) and the indices of the valid ones, stably
/// sorted by version.
const SCRIPT: &str = r#"
import json, sys
try:
    from packaging.version import Version, InvalidVersion
except ImportError as error:
    sys.stderr.write(f"cannot import packaging: {error}\n")
    sys.exit(3)
items = json.load(sys.stdin)
parsed = []
for text in items:
    try:
        parsed.append(Version(text))
    except InvalidVersion:
        parsed.append(None)
order = sorted((i for i, v in enumerate(parsed) if v is not None), key=lambda i: parsed[i])
json.dump({"normalised": [None if v is None else str(v) for v in parsed], "order": order}, sys.stdout)
"#;

fn corpus() -> Vec<&'static str> {
    CORPUS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
}

#[derive(serde::Deserialize)]
struct PythonAnswer {
    normalised: Vec<Option<String>>,
    order: Vec<usize>,
}

fn ask_packaging(items: &[&str]) -> PythonAnswer {
    let mut child = match Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => panic!(
            "this test needs python3 with the `packaging` library, but python3 could not be started ({error}): \
             install Python 3 and run `python3 -m pip install packaging`, or run `cargo xtask test`"
        ),
    };
    let input = serde_json::to_vec(items).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() != Some(3),
        "this test needs the Python `packaging` library, which python3 cannot import ({}): \
         run `python3 -m pip install packaging`, or run `cargo xtask test`",
        stderr.trim()
    );
    assert!(output.status.success(), "python3 failed: {stderr}");
    serde_json::from_slice(&output.stdout).expect("python3 printed the expected JSON")
}

#[test]
fn the_corpus_is_large_and_varied() {
    let items = corpus();
    let valid: Vec<Pep440Version> = items
        .iter()
        .filter_map(|text| Pep440Version::parse(text).ok())
        .collect();
    assert!(valid.len() >= 300, "only {} valid versions", valid.len());
    assert!(valid.iter().any(|v| v.epoch() != 0));
    assert!(valid.iter().any(|v| v.pre().is_some()));
    assert!(valid.iter().any(|v| v.post().is_some()));
    assert!(valid.iter().any(|v| v.dev().is_some()));
    assert!(valid.iter().any(|v| !v.local().is_empty()));
    for spelling in ["1.0-RC1", "v1.0", "1.0.post", "1.0a.1"] {
        assert!(items.contains(&spelling), "{spelling} is missing");
    }
}

#[test]
fn packaging_agrees_with_our_validity_and_normalisation() {
    let items = corpus();
    let answer = ask_packaging(&items);
    assert_eq!(answer.normalised.len(), items.len());
    let disagreements: Vec<String> = items
        .iter()
        .zip(&answer.normalised)
        .filter_map(|(text, theirs)| {
            let ours = Pep440Version::parse(text).ok().map(|v| v.to_string());
            (ours != *theirs).then(|| format!("{text:?}: ours {ours:?}, packaging {theirs:?}"))
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} of {} disagree:\n{}",
        disagreements.len(),
        items.len(),
        disagreements.join("\n")
    );
}

#[test]
fn packaging_agrees_with_our_order() {
    let items = corpus();
    let answer = ask_packaging(&items);
    let mut ours: Vec<(usize, Pep440Version)> = items
        .iter()
        .enumerate()
        .filter_map(|(index, text)| Some((index, Pep440Version::parse(text).ok()?)))
        .collect();
    // Both sorts are stable over the same input order, so equal versions (`1.0`, `1.0.0`) keep
    // their relative order and the index lists match only if equality agrees too.
    ours.sort_by(|a, b| a.1.cmp(&b.1));
    let ours: Vec<usize> = ours.into_iter().map(|(index, _)| index).collect();
    if ours != answer.order {
        let first = ours
            .iter()
            .zip(&answer.order)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(answer.order.len()));
        panic!(
            "orders differ from position {first}: ours {:?}, packaging {:?}",
            ours[first..]
                .iter()
                .take(5)
                .map(|&i| items[i])
                .collect::<Vec<_>>(),
            answer.order[first..]
                .iter()
                .take(5)
                .map(|&i| items[i])
                .collect::<Vec<_>>(),
        );
    }
    assert!(ours.len() >= 300);
}
