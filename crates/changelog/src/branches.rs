//! Which merge brought each commit of a range in, from the parent ids the caller gave.
//!
//! A commit on a first-parent line from the range's tips (the mainline) was brought in by
//! nobody; any other commit belongs to the merge that made it reachable from the mainline
//! first (the oldest one), or, inside a merged branch, to the nearest merge on that branch.
//! Each commit is visited once: linear in the range's size whatever the number of merges.

use crate::select::{Fact, KeyMap};

/// For each commit of `commits` (by index), the index of the merge that brought it in, or
/// `None` for the mainline, for commits whose parents are unknown, and when nothing is merged.
pub(crate) fn owners(commits: &[&Fact]) -> Vec<Option<usize>> {
    let mut owners = vec![None; commits.len()];
    if !commits.iter().any(|commit| !commit.merged().is_empty()) {
        return owners;
    }
    let index: KeyMap<usize> = commits
        .iter()
        .enumerate()
        .map(|(position, commit)| (commit.id, position))
        .collect();
    let mut is_parent = vec![false; commits.len()];
    for commit in commits {
        for parent in commit.parents() {
            if let Some(&position) = index.get(&parent) {
                is_parent[position] = true;
            }
        }
    }
    let mut assigned = vec![false; commits.len()];
    // (where a first-parent line starts, the merge that owns that line), popped last first.
    let mut stack: Vec<(usize, Option<usize>)> = (0..commits.len())
        .rev()
        .filter(|&position| !is_parent[position])
        .map(|tip| (tip, None))
        .collect();
    let mut merges = Vec::new();
    while let Some((start, owner)) = stack.pop() {
        // Walk the line, then push its merges' other parents newest first, so that the oldest
        // merge's branch is walked first and keeps what later merges of the same branch reach.
        merges.clear();
        let mut next = Some(start);
        while let Some(position) = next.filter(|&position| !assigned[position]) {
            assigned[position] = true;
            owners[position] = owner;
            let commit = commits[position];
            if !commit.merged().is_empty() {
                merges.push(position);
            }
            next = commit
                .first_parent()
                .and_then(|parent| index.get(&parent).copied());
        }
        for &merge in &merges {
            for parent in commits[merge].merged().iter().rev() {
                if let Some(&position) = index.get(parent) {
                    stack.push((position, Some(merge)));
                }
            }
        }
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::input::Commit;
    use crate::parse::parse_commit;

    fn commit(id: &str, parents: &[&str]) -> Commit {
        let mut commit = Commit::new(id, id);
        commit.parents = parents.iter().map(|&parent| parent.to_owned()).collect();
        commit.parent_count = parents.len();
        commit
    }

    fn facts(commits: &[Commit]) -> Vec<Fact> {
        commits
            .iter()
            .map(|commit| Fact::new(commit, &parse_commit(commit), true, true))
            .collect()
    }

    /// `history` is newest first; `expected` names each commit's owning merge (`-` for none).
    fn check(history: &[(&str, &[&str])], expected: &[&str]) {
        let commits: Vec<Commit> = history
            .iter()
            .map(|(id, parents)| commit(id, parents))
            .collect();
        let facts = facts(&commits);
        let refs: Vec<&Fact> = facts.iter().collect();
        let owners: Vec<&str> = owners(&refs)
            .into_iter()
            .map(|owner| owner.map_or("-", |position| commits[position].id.as_str()))
            .collect();
        assert_eq!(owners, expected);
    }

    #[test]
    fn a_branch_belongs_to_its_merge_and_the_mainline_to_nobody() {
        // m1 merges b2-b1 (forked at a) into main after c.
        check(
            &[
                ("m1", &["c", "b2"]),
                ("b2", &["b1"]),
                ("b1", &["a"]),
                ("c", &["a"]),
                ("a", &["root"]),
            ],
            &["-", "m1", "m1", "-", "-"],
        );
    }

    #[test]
    fn a_branch_merged_twice_keeps_its_old_commits_with_the_first_merge() {
        check(
            &[
                ("m2", &["m1", "b3"]),
                ("b3", &["b2"]),
                ("m1", &["a", "b2"]),
                ("b2", &["b1"]),
                ("b1", &["a"]),
                ("a", &[]),
            ],
            &["-", "m2", "-", "m1", "m1", "-"],
        );
    }

    #[test]
    fn a_merge_inside_a_branch_owns_its_own_branch() {
        // The feature branch merged a sub-branch (s1) at f2, then was merged at m.
        check(
            &[
                ("m", &["a", "f2"]),
                ("f2", &["f1", "s1"]),
                ("s1", &["a"]),
                ("f1", &["a"]),
                ("a", &[]),
            ],
            &["-", "m", "f2", "m", "-"],
        );
    }

    #[test]
    fn unknown_parents_mean_no_owner() {
        let mut merge = Commit::new("m", "Merge branch 'x'");
        merge.parent_count = 2;
        let facts = facts(&[merge, Commit::new("b", "b")]);
        let refs: Vec<&Fact> = facts.iter().collect();
        assert_eq!(owners(&refs), [None, None]);
    }
}
