//! Whole objects read out of pack files with positioned reads (`pread`) into a few small windows
//! per thread, instead of through a memory map of the pack.
//!
//! Why: every page of a memory-mapped pack that a read touches counts towards the process's
//! resident memory until the map is dropped, and a whole-history read touches every page that
//! holds a commit. `git log` pays that too; on the benchmark histories it was most of the
//! changelog's peak (the 50,000-commit pack's commits are 8 MiB of it, the 200,000-commit pack's
//! 80 MiB), so reading into windows that are reused takes the changelog's peak under git's. The
//! reads cost no more time than the page faults they replace: a history read goes through a pack
//! in runs (commits near each other in history are near each other in the pack, as git writes
//! packs), so a window is 64 KiB while the reads come in runs and one read serves a few hundred
//! commits, and 16 KiB while they do not (the tags of a release listing, one object per place).
//! Delta chains are read along with a small cache of their objects, as git's delta base cache.
//!
//! Only objects in a pack that has its `.idx` are read here, whole or as a chain of deltas within
//! the pack (`git gc` stores some commits as deltas of others). Anything else (a loose object, a
//! pack listed only by a multi-pack-index, an alternate, a pack that appeared after the read
//! began, a stream that does not inflate cleanly to the size its header declares, a delta that
//! does not apply exactly) is answered `None`, and the caller reads it with `gix-odb`, which
//! covers all of those and reports what is damaged.
//!
//! The pack index is still memory-mapped (`gix-pack` reads it), once per repository and shared
//! by every thread, as git maps it.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::Path;

/// Bytes a window holds, aligned to this size (plus [`SLACK`]), while reads come in runs.
const WINDOW: u64 = 64 * 1024;

/// Bytes a window holds while they do not (the tags of a release listing are spread over the
/// pack, one object per place): reading 64 KiB for each cost more than the objects' inflating.
/// A read is taken for part of a run when it misses the windows within [`WINDOW`] of where the
/// last miss was.
const SMALL_WINDOW: u64 = 16 * 1024;

/// Bytes a window reads past its aligned end, so that an object starting near the end is usually
/// whole in it.
const SLACK: u64 = 4 * 1024;

/// Windows a thread keeps, replaced in turn: history reads move through a pack in runs, and a
/// walk that switches between runs (a merged branch, a release's tag, the bases of delta chains
/// spread over a pack that a server wrote for a clone) keeps them.
const WINDOWS: usize = 8;

/// Deltas a chain may have before its base: past git's own limit (`pack.depth` is at most 4095),
/// so that a damaged pack whose deltas loop is left to `gix-odb`.
const MAX_CHAIN: usize = 4096;

/// The largest entry header: a type and size of up to 64 bits (10 bytes), then for a delta its
/// base (an offset of up to 10 bytes, or an id of 20).
const MAX_HEADER: u64 = 32;

/// The packs of one object database: each pack with its index, opened once and shared by the
/// threads of a read.
pub(crate) struct Packs {
    packs: Vec<Pack>,
}

struct Pack {
    index: gix_pack::index::File,
    file: File,
    len: u64,
}

impl Packs {
    /// The packs under `objects_dir/pack` whose index and data open and agree (same number of
    /// objects, a version 2 or 3 data file), newest first as git searches them. A pack left out
    /// here is still read, through `gix-odb`.
    pub(crate) fn open(objects_dir: &Path) -> Packs {
        let mut found: Vec<(std::time::SystemTime, Pack)> = Vec::new();
        let Ok(entries) = std::fs::read_dir(objects_dir.join("pack")) else {
            return Packs { packs: Vec::new() };
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|extension| extension != "idx") {
                continue;
            }
            match Pack::open(&path) {
                Ok((modified, pack)) => found.push((modified, pack)),
                Err(error) => {
                    tracing::debug!(%error, index = %path.display(), "pack left to gix-odb");
                }
            }
        }
        found.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        Packs {
            packs: found.into_iter().map(|(_, pack)| pack).collect(),
        }
    }

    /// The object `id` into `out`, with its kind, when a pack here has it (stored whole, or as
    /// a chain of deltas within that pack); `None` otherwise (see the module docs), `out` then
    /// holding nothing of use.
    pub(crate) fn read(
        &self,
        windows: &mut Windows,
        id: &gix_hash::oid,
        out: &mut Vec<u8>,
    ) -> Option<gix_object::Kind> {
        // The pack the thread found its last object in first: a history is mostly in one pack.
        let first = windows.last_pack.min(self.packs.len().checked_sub(1)?);
        let order = std::iter::once(first).chain((0..self.packs.len()).filter(|&i| i != first));
        for number in order {
            let pack = &self.packs[number];
            if let Some(entry) = pack.index.lookup(id) {
                windows.last_pack = number;
                let offset = pack.index.pack_offset_at_index(entry);
                return windows.read(number, pack, offset, out);
            }
        }
        None
    }
}

impl Pack {
    fn open(index_path: &Path) -> Result<(std::time::SystemTime, Pack), String> {
        let index = gix_pack::index::File::at(index_path, gix_hash::Kind::Sha1)
            .map_err(|error| error.to_string())?;
        let data_path = index_path.with_extension("pack");
        let file = File::open(&data_path).map_err(|error| error.to_string())?;
        let metadata = file.metadata().map_err(|error| error.to_string())?;
        let mut header = [0_u8; 12];
        file.read_exact_at(&mut header, 0)
            .map_err(|error| error.to_string())?;
        let (_, objects) =
            gix_pack::data::header::decode(&header).map_err(|error| error.to_string())?;
        if objects != index.num_objects() {
            return Err(format!(
                "the index lists {} objects, the pack {objects}",
                index.num_objects()
            ));
        }
        let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
        Ok((
            modified,
            Pack {
                index,
                file,
                len: metadata.len(),
            },
        ))
    }
}

/// One thread's windows onto the packs, and its inflater.
#[derive(Default)]
pub(crate) struct Windows {
    held: Vec<Window>,
    /// Where the last read that no window held was: its pack and offset.
    last_miss: Option<(usize, u64)>,
    /// The window replaced next, once all [`WINDOWS`] are in use.
    next: usize,
    /// The pack of the last object found.
    last_pack: usize,
    /// An object too large for a window, read whole here.
    large: Vec<u8>,
    /// A delta's instructions, inflated.
    delta: Vec<u8>,
    /// The object a delta applies to, while it is applied.
    base: Vec<u8>,
    /// Objects of delta chains read lately.
    recent: Recent,
    inflate: gix_zlib::Inflate,
}

struct Window {
    pack: usize,
    start: u64,
    bytes: Vec<u8>,
}

impl Windows {
    /// The object whose entry starts at `offset` of pack `number`, into `out`: inflated, and
    /// when it is a delta, applied to its base (itself perhaps a delta, and so on).
    fn read(
        &mut self,
        number: usize,
        pack: &Pack,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<gix_object::Kind> {
        // The chain from the object down to its base (or to an object of the chain read lately),
        // as the offsets of the deltas' entries.
        let mut deltas: Vec<u64> = Vec::new();
        let mut at = offset;
        let kind = loop {
            if let Some((kind, bytes)) = self.recent.get(number, at) {
                out.clear();
                out.extend_from_slice(bytes);
                break kind;
            }
            let entry = self.entry(number, pack, at)?;
            match entry.header {
                gix_pack::data::entry::Header::OfsDelta { base_distance } => {
                    deltas.push(at);
                    at = entry.checked_base_pack_offset(base_distance)?;
                }
                gix_pack::data::entry::Header::RefDelta { base_id } => {
                    deltas.push(at);
                    at = pack.index.pack_offset_at_index(pack.index.lookup(base_id)?);
                }
                header => {
                    let kind = header.as_kind()?;
                    self.inflate_entry(number, pack, at, out)?;
                    if !deltas.is_empty() {
                        self.recent.remember(number, at, kind, out);
                    }
                    break kind;
                }
            }
            if deltas.len() > MAX_CHAIN {
                return None;
            }
        };
        if deltas.is_empty() {
            return Some(kind);
        }
        let mut base = std::mem::take(&mut self.base);
        let mut delta = std::mem::take(&mut self.delta);
        let mut applied = Some(());
        for &offset in deltas.iter().rev() {
            std::mem::swap(&mut base, out);
            applied = self
                .inflate_entry(number, pack, offset, &mut delta)
                .and_then(|()| apply_delta(&base, &delta, out));
            if applied.is_none() {
                break;
            }
            self.recent.remember(number, offset, kind, out);
        }
        self.base = base;
        self.delta = delta;
        applied.map(|()| kind)
    }

    /// The header of the entry at `offset` of pack `number`.
    fn entry(&mut self, number: usize, pack: &Pack, offset: u64) -> Option<gix_pack::data::Entry> {
        let window = self.window(number, pack, offset)?;
        let at = usize::try_from(offset - self.held[window].start).ok()?;
        gix_pack::data::Entry::from_bytes(
            self.held[window].bytes.get(at..)?,
            offset,
            gix_hash::Kind::Sha1,
        )
        .ok()
    }

    /// The data of the entry at `offset` of pack `number` (an object, or a delta's
    /// instructions), inflated into `out`.
    fn inflate_entry(
        &mut self,
        number: usize,
        pack: &Pack,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<()> {
        let window = self.window(number, pack, offset)?;
        let bytes = &self.held[window].bytes;
        let at = usize::try_from(offset - self.held[window].start).ok()?;
        let entry =
            gix_pack::data::Entry::from_bytes(bytes.get(at..)?, offset, gix_hash::Kind::Sha1)
                .ok()?;
        let size = usize::try_from(entry.decompressed_size).ok()?;
        let data = at.checked_add(entry.header_size())?;
        out.clear();
        out.resize(size, 0);
        if let Some(input) = bytes.get(data..)
            && inflate(&mut self.inflate, input, out).is_some()
        {
            return Some(());
        }
        if self.held[window].start + bytes.len() as u64 >= pack.len {
            // The window held the rest of the pack: the stream is damaged, not cut off.
            return None;
        }
        // Longer than the rest of the window: read the entry alone, as long as its stream can be
        // (deflate's worst case is a few bytes per 16 KiB over the size, plus the zlib header
        // and checksum).
        let start = entry.data_offset;
        let bound = (entry.decompressed_size + (entry.decompressed_size >> 12) + 64)
            .min(pack.len.checked_sub(start)?);
        self.large.clear();
        self.large.resize(usize::try_from(bound).ok()?, 0);
        pack.file.read_exact_at(&mut self.large, start).ok()?;
        inflate(&mut self.inflate, &self.large, out)
    }

    /// The window of pack `number` that holds `offset` and the largest entry header after it,
    /// read now if none does.
    fn window(&mut self, number: usize, pack: &Pack, offset: u64) -> Option<usize> {
        let held = self.held.iter().position(|window| {
            window.pack == number
                && window.start <= offset
                && offset + MAX_HEADER <= window.start + window.bytes.len() as u64
        });
        if held.is_some() {
            return held;
        }
        let run = self
            .last_miss
            .is_some_and(|(pack, last)| pack == number && last.abs_diff(offset) < WINDOW);
        self.last_miss = Some((number, offset));
        let size = if run { WINDOW } else { SMALL_WINDOW };
        let start = offset - offset % size;
        let len = (size + SLACK).min(pack.len.checked_sub(start)?);
        let slot = if self.held.len() < WINDOWS {
            self.held.push(Window {
                pack: number,
                start,
                bytes: Vec::new(),
            });
            self.held.len() - 1
        } else {
            let slot = self.next;
            self.next = (self.next + 1) % WINDOWS;
            slot
        };
        let window = &mut self.held[slot];
        window.pack = number;
        window.start = start;
        window.bytes.clear();
        window.bytes.resize(usize::try_from(len).ok()?, 0);
        if pack.file.read_exact_at(&mut window.bytes, start).is_err() {
            window.bytes.clear();
            return None;
        }
        Some(slot)
    }
}

/// The objects of delta chains a thread read lately (their bases and what the deltas made), by
/// pack and entry offset, up to [`RECENT_BYTES`]: git's delta base cache, small.
///
/// git stores an older version of an object as a delta of a newer one, in chains (up to 50 deep
/// after `git gc`, 250 after `git gc --aggressive`), and a history is read along them: without
/// this, each commit of a chain applied every delta from the chain's base again.
#[derive(Default)]
struct Recent {
    objects: HashMap<(usize, u64), (gix_object::Kind, Vec<u8>)>,
    order: std::collections::VecDeque<(usize, u64)>,
    bytes: usize,
}

/// Bytes [`Recent`] holds at most: a few hundred commits.
const RECENT_BYTES: usize = 1024 * 1024;

/// Objects larger than this are not kept in [`Recent`].
const RECENT_LARGEST: usize = 16 * 1024;

impl Recent {
    fn get(&self, pack: usize, offset: u64) -> Option<(gix_object::Kind, &[u8])> {
        self.objects
            .get(&(pack, offset))
            .map(|(kind, bytes)| (*kind, bytes.as_slice()))
    }

    fn remember(&mut self, pack: usize, offset: u64, kind: gix_object::Kind, bytes: &[u8]) {
        if bytes.len() > RECENT_LARGEST || self.objects.contains_key(&(pack, offset)) {
            return;
        }
        self.objects.insert((pack, offset), (kind, bytes.to_vec()));
        self.order.push_back((pack, offset));
        self.bytes += bytes.len();
        while self.bytes > RECENT_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, bytes)) = self.objects.remove(&oldest) {
                self.bytes -= bytes.len();
            }
        }
    }
}

/// Inflates the zlib stream at the start of `input` into `out`, which it must fill exactly.
fn inflate(inflater: &mut gix_zlib::Inflate, input: &[u8], out: &mut [u8]) -> Option<()> {
    inflater.reset();
    let (status, _, written) = inflater.once(input, out).ok()?;
    (status == gix_zlib::Status::StreamEnd && written == out.len()).then_some(())
}

/// Applies the delta `delta` (git's format: the base's size, the result's size, then copy and
/// insert instructions) to `base`, the result in `out`; `None` unless it applies exactly.
///
/// Written here because `gix-pack` keeps its own `apply` to itself; this is git's
/// `patch_delta`.
fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut rest = delta;
    if delta_size(&mut rest)? != base.len() as u64 {
        return None;
    }
    let size = usize::try_from(delta_size(&mut rest)?).ok()?;
    out.clear();
    out.reserve(size);
    while let Some((&command, after)) = rest.split_first() {
        rest = after;
        if command & 0x80 != 0 {
            // Copy from the base: the bits say which of the offset's four bytes and the size's
            // three follow.
            let mut field = |bit: u8, shift: u32| -> Option<usize> {
                if command & bit == 0 {
                    return Some(0);
                }
                let (&byte, after) = rest.split_first()?;
                rest = after;
                Some(usize::from(byte) << shift)
            };
            let start = field(0x01, 0)? | field(0x02, 8)? | field(0x04, 16)? | field(0x08, 24)?;
            let mut len = field(0x10, 0)? | field(0x20, 8)? | field(0x40, 16)?;
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(start..start.checked_add(len)?)?);
        } else if command != 0 {
            // Insert the next `command` bytes.
            let (bytes, after) = rest.split_at_checked(usize::from(command))?;
            rest = after;
            out.extend_from_slice(bytes);
        } else {
            return None;
        }
        if out.len() > size {
            return None;
        }
    }
    (out.len() == size).then_some(())
}

/// A size at the start of a delta (seven bits a byte, least significant first).
fn delta_size(rest: &mut &[u8]) -> Option<u64> {
    let mut size = 0_u64;
    for shift in (0..64).step_by(7) {
        let (&byte, after) = rest.split_first()?;
        *rest = after;
        size |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(size);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    //! Every object of packs as git writes them (whole, as deltas of deltas, larger than a
    //! window, across windows' edges) is read here and by `gix-odb`, and must be the same; what
    //! is damaged must be declined, never read wrong.

    use std::path::Path;
    use std::process::Command;

    use gix_object::Find as _;

    use super::{Packs, Windows, apply_delta};

    fn git(dir: &Path, args: &[&str]) -> String {
        git_with_input(dir, args, None)
    }

    fn git_with_input(dir: &Path, args: &[&str], input: Option<&[u8]>) -> String {
        use std::io::Write as _;
        let mut child = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("running git");
        let mut stdin = child.stdin.take().expect("git's input");
        stdin
            .write_all(input.unwrap_or_default())
            .expect("writing to git");
        drop(stdin);
        let output = child.wait_with_output().expect("running git");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).expect("git prints UTF-8")
    }

    /// A repository of 300 commits whose messages repeat a long paragraph (so that `git repack`
    /// stores many of them as deltas, in chains), some of them longer than a window, with
    /// annotated tags, repacked into one pack.
    fn packed_repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path();
        git(path, &["init", "-q", "-b", "main"]);
        import(path, 0..300);
        git(path, &["repack", "-adf", "-q", "--window=50", "--depth=50"]);
        dir
    }

    /// Commits `numbers` on `main` (after what it has), with `git fast-import`.
    fn import(path: &Path, numbers: std::ops::Range<usize>) {
        use std::fmt::Write as _;
        let paragraph =
            "This change keeps the release notes of every version in order. ".repeat(40);
        let mut stream = String::new();
        for n in numbers.clone() {
            let message = match n % 100 {
                7 => format!("feat: a long one {n}\n\n{}\n", "x".repeat(200 * 1024)),
                8 => format!("fix: near a window {n}\n\n{}\n", "y".repeat(60 * 1024 + n)),
                _ => format!("fix: change {n}\n\n{paragraph}\nItem {n}.\n"),
            };
            let content = format!("{n}\n");
            let time = 1_700_000_000 + n * 60;
            let from = match n {
                0 => String::new(),
                _ if n == numbers.start => "from refs/heads/main^0\n".to_owned(),
                _ => format!("from :{n}\n"),
            };
            write!(
                stream,
                "commit refs/heads/main\nmark :{}\n\
                 author A <a@example.com> {time} +0000\ncommitter C <c@example.com> {time} +0000\n\
                 data {}\n{message}\n{from}M 100644 inline file\ndata {}\n{content}\n",
                n + 1,
                message.len(),
                content.len(),
            )
            .expect("writing to a string");
            if n % 50 == 0 {
                let text = format!("release {n}\n");
                write!(
                    stream,
                    "tag v0.{n}.0\nfrom :{}\ntagger T <t@example.com> {time} +0000\ndata {}\n{text}\n",
                    n + 1,
                    text.len()
                )
                .expect("writing to a string");
            }
        }
        git_with_input(path, &["fast-import", "--quiet"], Some(stream.as_bytes()));
    }

    /// Reads every object of every pack here and with `gix-odb`, which must agree; how many of
    /// the entries are deltas naming their base by id.
    fn read_every_packed_object(objects: &Path) -> usize {
        let packs = Packs::open(objects);
        let store = gix_odb::at(objects, gix_hash::Kind::Sha1).expect("gix-odb opens the objects");
        let mut windows = Windows::default();
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let mut ref_deltas = 0;
        for (number, pack) in packs.packs.iter().enumerate() {
            for entry in pack.index.iter() {
                let kind = packs
                    .read(&mut windows, &entry.oid, &mut ours)
                    .unwrap_or_else(|| panic!("{} is read from the pack", entry.oid));
                let data = store
                    .try_find(&entry.oid, &mut theirs)
                    .expect("gix-odb reads it")
                    .expect("gix-odb finds it");
                assert_eq!(kind, data.kind, "{}", entry.oid);
                assert!(ours == data.data, "{}: the bytes differ", entry.oid);
                let header = windows
                    .entry(number, pack, entry.pack_offset)
                    .expect("an entry header")
                    .header;
                if matches!(header, gix_pack::data::entry::Header::RefDelta { .. }) {
                    ref_deltas += 1;
                }
            }
        }
        ref_deltas
    }

    #[test]
    fn every_object_of_a_pack_is_read_as_gix_odb_reads_it() {
        let dir = packed_repository();
        let objects = dir.path().join(".git/objects");
        let verify = git(dir.path(), &["verify-pack", "-v", &pack_index(&objects)]);
        let delta_commits = verify
            .lines()
            .filter(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields.get(1) == Some(&"commit") && fields.len() == 7
            })
            .count();
        assert!(
            delta_commits > 10,
            "the fixture must store commits as deltas:\n{verify}"
        );

        let packs = Packs::open(&objects);
        assert_eq!(packs.packs.len(), 1);
        assert!(packs.packs[0].index.num_objects() > 900);
        assert_eq!(read_every_packed_object(&objects), 0);
    }

    #[test]
    fn deltas_by_id_several_packs_and_loose_objects_are_read_or_left_to_gix_odb() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path();
        git(path, &["init", "-q", "-b", "main"]);
        import(path, 0..200);
        // Deltas that name their base by id (`REF_DELTA`), as older git and some servers send.
        git(
            path,
            &[
                "-c",
                "repack.useDeltaBaseOffset=false",
                "repack",
                "-adf",
                "-q",
                "--window=50",
            ],
        );
        import(path, 200..260);
        // A second pack of the new objects only, as after a fetch.
        git(path, &["repack", "-d", "-q"]);
        import(path, 260..263);
        let objects = path.join(".git/objects");
        let packs = Packs::open(&objects);
        assert_eq!(packs.packs.len(), 2);
        assert!(read_every_packed_object(&objects) > 10);

        // The newest commits are loose: not in any pack, so gix-odb reads them.
        let head = git(path, &["rev-parse", "HEAD"]);
        let head = gix_hash::ObjectId::from_hex(head.trim().as_bytes()).expect("an id");
        assert_eq!(
            packs.read(&mut Windows::default(), &head, &mut Vec::new()),
            None
        );
    }

    #[test]
    fn a_damaged_entry_is_declined_and_the_others_still_read() {
        let dir = packed_repository();
        let objects = dir.path().join(".git/objects");
        let index_path = pack_index(&objects);
        let head_hex = git(dir.path(), &["rev-parse", "HEAD"]);
        let head_hex = head_hex.trim();
        let head = gix_hash::ObjectId::from_hex(head_hex.as_bytes()).expect("an id");
        // A commit stored whole, which needs nothing of HEAD's entry.
        let verify = git(dir.path(), &["verify-pack", "-v", &index_path]);
        let whole = verify
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .find(|fields| fields.len() == 5 && fields[1] == "commit" && fields[0] != head_hex)
            .map(|fields| gix_hash::ObjectId::from_hex(fields[0].as_bytes()).expect("an id"))
            .expect("a commit stored whole");
        let index = gix_pack::index::File::at(&index_path, gix_hash::Kind::Sha1).expect("idx");
        let offset = index.pack_offset_at_index(index.lookup(head).expect("HEAD is packed"));

        // Flip bytes in the middle of HEAD's compressed data.
        let pack_path = Path::new(&index_path).with_extension("pack");
        let mut permissions = std::fs::metadata(&pack_path).expect("pack").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&pack_path, permissions).expect("making the pack writable");
        let mut bytes = std::fs::read(&pack_path).expect("reading the pack");
        let at = usize::try_from(offset).expect("a small pack") + 8;
        for byte in &mut bytes[at..at + 4] {
            *byte ^= 0x5a;
        }
        std::fs::write(&pack_path, bytes).expect("writing the damaged pack");

        let packs = Packs::open(&objects);
        let mut windows = Windows::default();
        let mut out = Vec::new();
        assert_eq!(packs.read(&mut windows, &head, &mut out), None);
        assert_eq!(
            packs.read(&mut windows, &whole, &mut out),
            Some(gix_object::Kind::Commit)
        );
    }

    #[test]
    fn a_pack_whose_index_does_not_match_is_left_out() {
        let dir = packed_repository();
        let objects = dir.path().join(".git/objects");
        let index_path = pack_index(&objects);
        let copy = Path::new(&index_path)
            .with_file_name("pack-0000000000000000000000000000000000000000.idx");
        std::fs::copy(&index_path, &copy).expect("copying the index");
        std::fs::write(copy.with_extension("pack"), b"PACK\0\0\0\x02\0\0\0\x01").expect("a pack");
        std::fs::write(objects.join("pack/garbage.idx"), b"not an index").expect("garbage");
        let packs = Packs::open(&objects);
        assert_eq!(packs.packs.len(), 1, "only the real pack is read here");
    }

    #[test]
    fn the_recent_objects_of_delta_chains_are_bounded() {
        let mut recent = super::Recent::default();
        let commit = vec![b'c'; 1000];
        for offset in 0..2000 {
            recent.remember(0, offset, gix_object::Kind::Commit, &commit);
            assert!(recent.bytes <= super::RECENT_BYTES);
        }
        assert!(recent.get(0, 0).is_none(), "the oldest are dropped first");
        assert_eq!(
            recent.get(0, 1999),
            Some((gix_object::Kind::Commit, &commit[..]))
        );
        assert!(recent.get(1, 1999).is_none(), "by pack and offset");
        recent.remember(
            0,
            5000,
            gix_object::Kind::Blob,
            &vec![0; super::RECENT_LARGEST + 1],
        );
        assert!(recent.get(0, 5000).is_none(), "large objects are not kept");
    }

    #[test]
    fn deltas_apply_exactly_or_not_at_all() {
        let base = b"0123456789abcdef";
        let mut out = Vec::new();
        // Base size 16, result size 9: copy 4 bytes from offset 2, insert "XYZ", copy 2 from 14.
        let delta = [16, 9, 0x91, 2, 4, 3, b'X', b'Y', b'Z', 0x91, 14, 2];
        assert_eq!(apply_delta(base, &delta, &mut out), Some(()));
        assert_eq!(out, b"2345XYZef");
        // A copy of size 0 means 65536 bytes, more than this base has.
        assert_eq!(apply_delta(base, &[16, 1, 0x81, 0], &mut out), None);
        // The base's size must be the one declared.
        assert_eq!(apply_delta(base, &[15, 1, 1, b'a'], &mut out), None);
        // Fewer or more bytes than declared, a copy past the base, command 0, a cut insert.
        for delta in [
            &[16, 2, 1, b'a'][..],
            &[16, 1, 2, b'a', b'b'],
            &[16, 4, 0x91, 14, 4],
            &[16, 1, 0],
            &[16, 3, 3, b'a'],
            &[16],
        ] {
            assert_eq!(apply_delta(base, delta, &mut out), None, "{delta:?}");
        }
    }

    fn pack_index(objects: &Path) -> String {
        std::fs::read_dir(objects.join("pack"))
            .expect("a pack directory")
            .flatten()
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|extension| extension == "idx"))
            .expect("a pack index")
            .to_string_lossy()
            .into_owned()
    }
}
