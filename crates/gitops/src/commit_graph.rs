//! Git's commit-graph file, read directly: each commit's parents and committer time without
//! inflating the commit object.
//!
//! `git commit-graph write` (and `git gc`, `git fetch` with `fetch.writeCommitGraph`) stores, for
//! every commit it covers, the parents and the committer time in a memory-friendly table
//! (`Documentation/gitformat-commit-graph.txt`). A history read lists the commits from it first,
//! then inflates the commit objects in parallel (see [`crate::history`]). libgit2 reads the file
//! too, but only inside its revision walk, which hands out ids and not parents.
//!
//! Both layouts are read: one file (`objects/info/commit-graph`) and a chain of split files
//! (`objects/info/commit-graphs/commit-graph-chain`). A commit the file does not cover (written
//! after it) is simply not found, and the caller reads that commit's object instead. Anything
//! malformed makes the whole graph unusable (`None`), never an error: the object database is the
//! truth and the graph only a shortcut. As git does, the graph is ignored when `core.commitGraph`
//! is false.

use std::path::Path;

use git2::Oid;

/// Sentinel of `CDAT` for "no parent".
const NO_PARENT: u32 = 0x7000_0000;
/// High bit of the second parent: the rest indexes the `EDGE` list (an octopus merge).
const OCTOPUS: u32 = 0x8000_0000;
/// Length of a SHA-1 object id; the reader refuses SHA-256 graphs (libgit2 reads SHA-1 only).
const HASH: usize = 20;

/// One layer: a commit-graph file's tables.
struct Layer {
    data: Vec<u8>,
    fanout: usize,
    oids: usize,
    commits: usize,
    edges: Option<usize>,
    count: usize,
    /// Commits in the layers below this one (positions are global across a chain).
    base: usize,
}

/// The parents and committer time of the commits a commit-graph covers.
pub(crate) struct CommitGraph {
    /// Base layer first.
    layers: Vec<Layer>,
}

/// What the graph says about one commit.
pub(crate) struct GraphCommit {
    /// Committer time, seconds since the epoch.
    pub(crate) time: i64,
}

impl CommitGraph {
    /// The repository's commit-graph, when it has a readable one.
    pub(crate) fn open(repository: &git2::Repository) -> Option<CommitGraph> {
        if let Ok(config) = repository.config()
            && config.get_bool("core.commitGraph") == Ok(false)
        {
            return None;
        }
        let info = common_dir(repository).join("objects/info");
        let graph = if let Ok(chain) =
            std::fs::read_to_string(info.join("commit-graphs/commit-graph-chain"))
        {
            let mut layers = Vec::new();
            let mut base = 0;
            for hash in chain.lines().map(str::trim).filter(|line| !line.is_empty()) {
                let path = info.join(format!("commit-graphs/graph-{hash}.graph"));
                let layer = Layer::read(&path, base)?;
                base += layer.count;
                layers.push(layer);
            }
            (!layers.is_empty()).then_some(CommitGraph { layers })
        } else {
            Layer::read(&info.join("commit-graph"), 0).map(|layer| CommitGraph {
                layers: vec![layer],
            })
        };
        tracing::debug!(found = graph.is_some(), "commit-graph");
        graph
    }

    /// The commit's time, with its parents appended to `parents`; `None` when the graph does not
    /// cover it (nothing is appended then).
    pub(crate) fn lookup(&self, oid: Oid, parents: &mut Vec<Oid>) -> Option<GraphCommit> {
        let (layer, index) = self
            .layers
            .iter()
            .rev()
            .find_map(|layer| layer.find(oid).map(|index| (layer, index)))?;
        let start = parents.len();
        let row = layer.commits + index * (HASH + 16);
        let first = layer.u32_at(row + HASH);
        let second = layer.u32_at(row + HASH + 4);
        let time_high = u64::from(layer.u32_at(row + HASH + 8) & 0b11);
        let time_low = u64::from(layer.u32_at(row + HASH + 12));
        let complete = (|| {
            if first != NO_PARENT {
                parents.push(self.oid_at(first as usize)?);
            }
            if second & OCTOPUS != 0 {
                let edges = layer.edges?;
                let mut edge = (second & !OCTOPUS) as usize;
                loop {
                    let value = layer.u32_at_checked(edges + edge * 4)?;
                    parents.push(self.oid_at((value & !OCTOPUS) as usize)?);
                    if value & OCTOPUS != 0 {
                        break;
                    }
                    edge += 1;
                }
            } else if second != NO_PARENT {
                parents.push(self.oid_at(second as usize)?);
            }
            Some(())
        })();
        if complete.is_none() {
            parents.truncate(start);
            return None;
        }
        Some(GraphCommit {
            // 34 bits: always within i64.
            time: i64::try_from((time_high << 32) | time_low).ok()?,
        })
    }

    /// The id at a global position.
    fn oid_at(&self, position: usize) -> Option<Oid> {
        let layer = self
            .layers
            .iter()
            .find(|layer| (layer.base..layer.base + layer.count).contains(&position))?;
        let at = layer.oids + (position - layer.base) * HASH;
        Oid::from_bytes(&layer.data[at..at + HASH]).ok()
    }
}

impl Layer {
    fn read(path: &Path, base: usize) -> Option<Layer> {
        let data = std::fs::read(path).ok()?;
        Layer::parse(data, base)
    }

    fn parse(data: Vec<u8>, base: usize) -> Option<Layer> {
        // Header: "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count.
        if data.len() < 8 || &data[..4] != b"CGPH" || data[4] != 1 || data[5] != 1 {
            return None;
        }
        let chunks = usize::from(data[6]);
        let (mut fanout, mut oids, mut commits, mut edges) = (None, None, None, None);
        let mut ends = Vec::with_capacity(chunks + 1);
        for entry in 0..=chunks {
            let at = 8 + entry * 12;
            let id = data.get(at..at + 4)?;
            let offset = usize::try_from(u64::from_be_bytes(
                data.get(at + 4..at + 12)?.try_into().ok()?,
            ))
            .ok()?;
            if offset > data.len() {
                return None;
            }
            ends.push(offset);
            match id {
                b"OIDF" => fanout = Some(offset),
                b"OIDL" => oids = Some(offset),
                b"CDAT" => commits = Some(offset),
                b"EDGE" => edges = Some(offset),
                _ => {}
            }
        }
        let fanout = fanout?;
        let count = u32::from_be_bytes(
            data.get(fanout + 255 * 4..fanout + 256 * 4)?
                .try_into()
                .ok()?,
        ) as usize;
        let oids = oids?;
        let commits = commits?;
        if oids + count * HASH > data.len() || commits + count * (HASH + 16) > data.len() {
            return None;
        }
        Some(Layer {
            data,
            fanout,
            oids,
            commits,
            edges,
            count,
            base,
        })
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_be_bytes(self.data[at..at + 4].try_into().expect("four bytes"))
    }

    fn u32_at_checked(&self, at: usize) -> Option<u32> {
        Some(u32::from_be_bytes(
            self.data.get(at..at + 4)?.try_into().ok()?,
        ))
    }

    /// The index of `oid` in this layer, by the fan-out table and a binary search.
    fn find(&self, oid: Oid) -> Option<usize> {
        let first = usize::from(oid.as_bytes()[0]);
        let low = if first == 0 {
            0
        } else {
            self.u32_at(self.fanout + (first - 1) * 4) as usize
        };
        let high = (self.u32_at(self.fanout + first * 4) as usize).min(self.count);
        let wanted = oid.as_bytes();
        let (mut low, mut high) = (low, high);
        while low < high {
            let middle = low + (high - low) / 2;
            let at = self.oids + middle * HASH;
            match self.data[at..at + HASH].cmp(wanted) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }
}

/// The directory holding `objects/` (the main repository's for a linked work tree).
fn common_dir(repository: &git2::Repository) -> std::path::PathBuf {
    let git_dir = repository.path();
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(common) => git_dir.join(common.trim()),
        Err(_) => git_dir.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::Layer;

    #[test]
    fn a_file_that_is_not_a_commit_graph_is_ignored() {
        assert!(Layer::parse(b"not a graph at all".to_vec(), 0).is_none());
        assert!(Layer::parse(b"CGPH\x01\x01\x03\x00".to_vec(), 0).is_none());
    }
}
