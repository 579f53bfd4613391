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

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use git2::Oid;

/// Sentinel of `CDAT` for "no parent".
const NO_PARENT: u32 = 0x7000_0000;
/// High bit of the second parent: the rest indexes the `EDGE` list (an octopus merge).
const OCTOPUS: u32 = 0x8000_0000;
/// Length of a SHA-1 object id; the reader refuses SHA-256 graphs (libgit2 reads SHA-1 only).
const HASH: usize = 20;
/// What is kept of a commit's `CDAT` row: its two parent positions and its time (not its tree).
const ROW: usize = 16;
/// `CDAT` rows read at a time.
const READ_ROWS: usize = 4096;

/// One layer: what a read needs of a commit-graph file's tables.
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
        let row = layer.commits + index * ROW;
        let first = layer.u32_at(row);
        let second = layer.u32_at(row + 4);
        let time_high = u64::from(layer.u32_at(row + 8) & 0b11);
        let time_low = u64::from(layer.u32_at(row + 12));
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

    /// The commit's position in the graph (global across a chain of layers), when it covers it.
    pub(crate) fn position(&self, oid: Oid) -> Option<usize> {
        self.layers
            .iter()
            .rev()
            .find_map(|layer| layer.find(oid).map(|index| layer.base + index))
    }

    /// How many commits the graph covers (positions are below this).
    pub(crate) fn len(&self) -> usize {
        self.layers
            .last()
            .map_or(0, |layer| layer.base + layer.count)
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
        let mut file = std::fs::File::open(path).ok()?;
        let length = usize::try_from(file.metadata().ok()?.len()).ok()?;
        Layer::parse(&mut file, length, base)
    }

    /// Reads what a read needs of a commit-graph file of `length` bytes: the fan-out, the ids,
    /// each commit's parents and time (not its tree id, a third of the file) and the octopus
    /// edges, piece by piece (the whole file is never held).
    fn parse(source: &mut (impl Read + Seek), length: usize, base: usize) -> Option<Layer> {
        let mut at = |offset: usize, buffer: &mut [u8]| -> Option<()> {
            if offset.checked_add(buffer.len())? > length {
                return None;
            }
            source.seek(SeekFrom::Start(offset as u64)).ok()?;
            source.read_exact(buffer).ok()
        };
        // Header: "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count.
        let mut header = [0; 8];
        at(0, &mut header)?;
        if &header[..4] != b"CGPH" || header[4] != 1 || header[5] != 1 {
            return None;
        }
        let chunks = usize::from(header[6]);
        let mut table = vec![0; (chunks + 1) * 12];
        at(8, &mut table)?;
        let (mut fanout, mut oids, mut commits, mut edges) = (None, None, None, None);
        let mut ends = Vec::with_capacity(chunks + 1);
        for entry in table.chunks_exact(12) {
            let offset = usize::try_from(u64::from_be_bytes(entry[4..12].try_into().ok()?)).ok()?;
            if offset > length {
                return None;
            }
            ends.push(offset);
            match &entry[..4] {
                b"OIDF" => fanout = Some(offset),
                b"OIDL" => oids = Some(offset),
                b"CDAT" => commits = Some(offset),
                b"EDGE" => edges = Some(offset),
                _ => {}
            }
        }
        let mut fan = [0; 256 * 4];
        at(fanout?, &mut fan)?;
        let count = u32::from_be_bytes(fan[255 * 4..].try_into().ok()?) as usize;
        let (oids, commits) = (oids?, commits?);
        if oids + count * HASH > length || commits + count * (HASH + 16) > length {
            return None;
        }
        let edges = edges.map(|start| {
            let end = ends
                .iter()
                .copied()
                .filter(|&end| end > start)
                .min()
                .unwrap_or(length);
            (start, end)
        });
        let mut kept = Vec::with_capacity(
            fan.len() + count * (HASH + ROW) + edges.map_or(0, |(start, end)| end - start),
        );
        kept.extend_from_slice(&fan);
        kept.resize(fan.len() + count * HASH, 0);
        at(oids, &mut kept[fan.len()..])?;
        let mut block = vec![0; READ_ROWS * (HASH + 16)];
        for first in (0..count).step_by(READ_ROWS) {
            let rows = (count - first).min(READ_ROWS);
            let block = &mut block[..rows * (HASH + 16)];
            at(commits + first * (HASH + 16), block)?;
            for row in block.chunks_exact(HASH + 16) {
                kept.extend_from_slice(&row[HASH..]);
            }
        }
        let kept_edges = match edges {
            Some((start, end)) => {
                let from = kept.len();
                kept.resize(from + (end - start), 0);
                at(start, &mut kept[from..])?;
                Some(from)
            }
            None => None,
        };
        Some(Layer {
            data: kept,
            fanout: 0,
            oids: fan.len(),
            commits: fan.len() + count * HASH,
            edges: kept_edges,
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
        let parse = |bytes: &[u8]| Layer::parse(&mut std::io::Cursor::new(bytes), bytes.len(), 0);
        assert!(parse(b"not a graph at all").is_none());
        assert!(parse(b"CGPH\x01\x01\x03\x00").is_none());
    }
}
