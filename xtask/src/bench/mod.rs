//! Benchmarks. Each reports its figures as ratios to a reference measured in the same run (the `git
//! log` floor, `twine`, `skopeo`), because the machines they run on are noisy.
//!
//! A benchmark is a module with `pub(crate) fn run() -> anyhow::Result<()>` and one row in [`BENCHES`].

use anyhow::bail;

mod changelog;
mod oci;
mod pypi;

type Bench = fn() -> anyhow::Result<()>;

/// Every benchmark, by the name `cargo xtask bench NAME` takes.
const BENCHES: &[(&str, Bench)] = &[
    ("changelog", changelog::run),
    ("oci", oci::run),
    ("pypi", pypi::run),
];

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let names: Vec<&str> = BENCHES.iter().map(|(name, _)| *name).collect();
    let selected: Vec<&(&str, Bench)> = match args.first() {
        None => BENCHES.iter().collect(),
        Some(wanted) => match BENCHES.iter().find(|(name, _)| name == wanted) {
            Some(bench) => vec![bench],
            None => bail!("unknown benchmark {wanted:?}: expected one of {names:?}"),
        },
    };
    for (name, bench) in selected {
        eprintln!("== bench {name}");
        bench()?;
    }
    Ok(())
}
