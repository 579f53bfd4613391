//! Reading commit and tag objects fast, for the reads that read every commit of a history or
//! every release tag (history reads, tag listings, the release state's walk).
//!
//! Why not libgit2 here: a whole-history changelog is almost all reading commit objects, and
//! libgit2 spends that time inflating with the system's zlib (1.2.13 on Debian), looking each
//! object up in the pack under a mutex that every thread reading the same pack shares (two
//! reading threads spent a fifth of their time waiting on it), and allocating a parsed
//! `git_commit` per object. gitoxide's object database (`gix-odb`) reads the same packs, loose
//! objects and alternates with zlib-rs built in, with no lock between threads, into a buffer
//! reused from one object to the next; the objects of packs are read first by
//! [`crate::packs`], which reads a pack into small windows rather than through a memory map. On the 200,000-commit benchmark history, reading every
//! commit took 0.44 s on one thread with `gix-odb` where `git log --format=%H%x00%s%x00%b`
//! takes 0.85 s (numbers and the choice in ARCHITECTURE.md).
//!
//! Only the bytes come from gitoxide: the commit is parsed here as libgit2's `commit_parse` and
//! `git_signature__parse` parse it (same trimming, same `encoding` header, the message cut at
//! a NUL byte as libgit2's copy of it is), so a history read gives the same [`Commit`] either
//! way. Whatever that parse does not cover exactly (a malformed header or time, a tag or tree
//! where a commit should be, an object gitoxide cannot find) is answered `None`, and the caller
//! reads that commit with libgit2, which gives its usual answer or error. Everything else git
//! does in slipway (references, writes, diffs, mailmaps) stays with libgit2, and no gitoxide
//! type leaves this module.

use std::path::Path;
use std::sync::Arc;

use gix_object::Find as _;

use crate::packs::{Packs, Windows};
use crate::{Commit, CommitId, Person, Time};

/// A repository's object database, opened once per [`crate::Repository`] and shared by the
/// threads of its reads (each takes a [`CommitReader`]).
pub(crate) struct Objects {
    store: Arc<gix_odb::Store>,
    /// The packs read without a memory map (see [`crate::packs`]); what they do not cover is
    /// read through `store`.
    packs: Arc<Packs>,
    dir: Arc<Path>,
}

impl Objects {
    /// The object database under `objects_dir` (the repository's common `objects`), or `None`
    /// when gitoxide cannot open it (the caller then reads with libgit2).
    pub(crate) fn open(objects_dir: &Path) -> Option<Objects> {
        // No replacement objects: libgit2 does not apply `refs/replace/`, and the commits read
        // here must be those libgit2 lists.
        match gix_odb::Store::at_opts(
            objects_dir.to_owned(),
            gix_hash::Kind::Sha1,
            &mut std::iter::empty(),
            gix_odb::store::init::Options::default(),
        ) {
            Ok(store) => Some(Objects {
                store: Arc::new(store),
                packs: Arc::new(Packs::open(objects_dir)),
                dir: Arc::from(objects_dir),
            }),
            Err(error) => {
                tracing::debug!(%error, dir = %objects_dir.display(), "gix-odb cannot open the objects; reading with libgit2");
                None
            }
        }
    }

    /// A reader for one thread.
    pub(crate) fn reader(&self) -> CommitReader {
        CommitReader {
            handle: self.store.to_cache_arc(),
            packs: Arc::clone(&self.packs),
            windows: Windows::default(),
            objects_dir: Arc::clone(&self.dir),
            buffer: Vec::new(),
            parents: Vec::new(),
            damaged: None,
        }
    }
}

/// Reads commits on one thread (a handle and buffers of its own).
pub(crate) struct CommitReader {
    handle: gix_odb::HandleArc,
    packs: Arc<Packs>,
    windows: Windows,
    objects_dir: Arc<Path>,
    buffer: Vec<u8>,
    parents: Vec<git2::Oid>,
    /// The last object found damaged, until [`CommitReader::damaged`] takes it.
    damaged: Option<(git2::Oid, String)>,
}

impl CommitReader {
    /// The commit `oid` (see [`CommitReader::read`]), when its parents are not wanted apart.
    pub(crate) fn read_alone(
        &mut self,
        oid: git2::Oid,
        mailmap: Option<&git2::Mailmap>,
    ) -> Option<Commit> {
        let mut parents = std::mem::take(&mut self.parents);
        parents.clear();
        let commit = self.read(oid, mailmap, &mut parents);
        self.parents = parents;
        commit
    }

    /// The commit `oid`, parsed as libgit2 parses it, with its parents; `None` when gitoxide
    /// cannot read it or the parse here does not cover it exactly (see the module docs).
    ///
    /// With a `mailmap`, the author is mapped as libgit2 maps a signature.
    pub(crate) fn read(
        &mut self,
        oid: git2::Oid,
        mailmap: Option<&git2::Mailmap>,
        parents: &mut Vec<git2::Oid>,
    ) -> Option<Commit> {
        let data = self.commit_bytes(oid)?;
        commit_from(oid, data, mailmap, parents)
    }

    /// The commit `oid`'s committer time and where its bytes are kept in `kept`, with its parents
    /// pushed onto `parents`, for [`RawCommits::commit`] to make the [`Commit`] later, on another
    /// thread; `None` as for [`CommitReader::read`] (nothing is pushed then).
    ///
    /// Only what the listing needs is parsed here (the parents and the committer's time, as
    /// the full parse reads them); the rest is parsed where the commit is made.
    pub(crate) fn read_raw(
        &mut self,
        oid: git2::Oid,
        parents: &mut Vec<git2::Oid>,
        kept: &mut RawCommits,
    ) -> Option<(Time, RawCommit)> {
        let data = self.commit_bytes(oid)?;
        let start = parents.len();
        let Some((time, raw)) =
            parse_listing(data, parents).and_then(|time| Some((time, kept.keep(data)?)))
        else {
            parents.truncate(start);
            return None;
        };
        Some((time, raw))
    }

    /// The bytes of the commit object `oid`, in this reader's buffer.
    fn commit_bytes(&mut self, oid: git2::Oid) -> Option<&[u8]> {
        match self.find(oid) {
            Ok(Some((gix_object::Kind::Commit, span))) => self.buffer.get(span),
            Ok(_) => None,
            Err(error) => {
                tracing::debug!(%error, %oid, "gix-odb cannot read the commit; reading with libgit2");
                self.note_failure(oid, error);
                None
            }
        }
    }

    /// The object `oid` read into this reader's buffer: its kind and where its bytes are in the
    /// buffer. `Ok(None)` when no object has that id (or gitoxide hands back bytes that are not
    /// in the buffer); `Err` with gitoxide's reason when it cannot read the object.
    fn find(
        &mut self,
        oid: git2::Oid,
    ) -> Result<Option<(gix_object::Kind, std::ops::Range<usize>)>, String> {
        let id = gix_hash::ObjectId::try_from(oid.as_bytes()).map_err(|error| error.to_string())?;
        if let Some(kind) = self.packs.read(&mut self.windows, &id, &mut self.buffer) {
            return Ok(Some((kind, 0..self.buffer.len())));
        }
        let (kind, address, len) = match self.handle.try_find(&id, &mut self.buffer) {
            Ok(Some(data)) => (data.kind, data.data.as_ptr() as usize, data.data.len()),
            Ok(None) => return Ok(None),
            Err(error) => return Err(error.to_string()),
        };
        let span = address
            .checked_sub(self.buffer.as_ptr() as usize)
            .map(|start| start..start + len);
        Ok(span
            .filter(|span| span.end <= self.buffer.len())
            .map(|span| (kind, span)))
    }

    /// Remembers a failed read of `oid` as damage when `oid` is a loose object: libgit2, the
    /// fallback, loops forever on a loose object cut short, so the caller reports it instead.
    fn note_failure(&mut self, oid: git2::Oid, error: String) {
        let hex = oid.to_string();
        if self.objects_dir.join(&hex[..2]).join(&hex[2..]).is_file() {
            self.damaged = Some((oid, error));
        }
    }

    /// The damaged object the last read declined on, if it declined for that reason (see
    /// [`CommitReader::note_failure`]): the caller returns it rather than read with libgit2.
    pub(crate) fn damaged(&mut self) -> Option<crate::Error> {
        self.damaged
            .take()
            .map(|(oid, reason)| crate::Error::DamagedObject {
                id: oid.to_string(),
                reason,
            })
    }
}

/// Where [`RawCommits`] keeps one commit object's bytes, read by [`CommitReader::read_raw`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawCommit {
    chunk: u32,
    start: u32,
    end: u32,
}

/// The bytes of the commit objects a listing read, kept one after another in a few buffers
/// that grow from 16 KiB to 256 KiB each.
///
/// Without a commit-graph the listing thread inflates every commit, and is the longest chain of
/// work of a history read. A buffer of its own for each commit cost it a `malloc` per commit,
/// and a slow one: the reading threads free those buffers, and glibc's allocator then sorts
/// them back into the listing thread's arena on its next calls.
///
/// Each buffer is shared: the reading threads get [`RawCommits::view`]s holding just the
/// buffers of the commits they make, so that a buffer is freed once its commits are made, not
/// once the whole batch is (a history without tags is one batch, whose bytes were all held).
#[derive(Clone, Debug, Default)]
pub(crate) struct RawCommits {
    chunks: Vec<std::sync::Arc<Vec<u8>>>,
}

impl RawCommits {
    const FIRST: usize = 16 << 10;
    const LARGEST: usize = 256 << 10;

    /// Keeps `bytes`; `None` past 4 GiB in one buffer or 2^32 buffers (the caller then reads
    /// the commit later, from the object database).
    fn keep(&mut self, bytes: &[u8]) -> Option<RawCommit> {
        // Only the last buffer grows, and only before the batch is shared out.
        let fits = self.chunks.last_mut().is_some_and(|chunk| {
            std::sync::Arc::get_mut(chunk)
                .is_some_and(|chunk| chunk.capacity() - chunk.len() >= bytes.len())
        });
        if !fits {
            let size = self
                .chunks
                .last()
                .map_or(Self::FIRST, |last| (last.capacity() * 2).min(Self::LARGEST));
            self.chunks.push(std::sync::Arc::new(Vec::with_capacity(
                size.max(bytes.len()),
            )));
        }
        let chunk = u32::try_from(self.chunks.len() - 1).ok()?;
        let buffer = std::sync::Arc::get_mut(self.chunks.last_mut()?)?;
        let start = u32::try_from(buffer.len()).ok()?;
        let end = u32::try_from(buffer.len() + bytes.len()).ok()?;
        buffer.extend_from_slice(bytes);
        Some(RawCommit { chunk, start, end })
    }

    /// The buffers that hold `raws`, shared: a view in which those commits read as here (any
    /// other is `None`).
    pub(crate) fn view(&self, raws: impl Iterator<Item = RawCommit>) -> RawCommits {
        let mut needed = vec![false; self.chunks.len()];
        for raw in raws {
            if let Some(needed) = needed.get_mut(raw.chunk as usize) {
                *needed = true;
            }
        }
        let none = std::sync::Arc::new(Vec::new());
        RawCommits {
            chunks: self
                .chunks
                .iter()
                .zip(needed)
                .map(|(chunk, needed)| std::sync::Arc::clone(if needed { chunk } else { &none }))
                .collect(),
        }
    }

    /// The commit `oid` whose bytes `raw` are, as [`CommitReader::read`] gives it; `None` as
    /// there (the caller then reads the commit with libgit2).
    pub(crate) fn commit(
        &self,
        raw: RawCommit,
        oid: git2::Oid,
        mailmap: Option<&git2::Mailmap>,
        parents: &mut Vec<git2::Oid>,
    ) -> Option<Commit> {
        let data = self
            .chunks
            .get(raw.chunk as usize)?
            .get(raw.start as usize..raw.end as usize)?;
        parents.clear();
        commit_from(oid, data, mailmap, parents)
    }
}

/// The commit `oid` from its bytes `data`, its parents pushed onto `parents` (nothing pushed
/// when `None`).
fn commit_from(
    oid: git2::Oid,
    data: &[u8],
    mailmap: Option<&git2::Mailmap>,
    parents: &mut Vec<git2::Oid>,
) -> Option<Commit> {
    let start = parents.len();
    let Some(parsed) = parse_commit(data, parents) else {
        parents.truncate(start);
        return None;
    };
    let encoding = parsed
        .encoding
        .and_then(|encoding| std::str::from_utf8(encoding).ok());
    let author = match mailmap {
        None => parsed.author.person(encoding),
        Some(mailmap) => {
            let Some(author) = parsed.author.mapped(mailmap, encoding) else {
                parents.truncate(start);
                return None;
            };
            author
        }
    };
    let message = message_text(parsed.message, encoding, oid);
    Some(Commit {
        id: CommitId::from_oid(oid),
        message,
        author,
        committer_time: parsed.committer.time,
        parent_count: parents.len() - start,
        parents: parents[start..]
            .iter()
            .map(|&parent| CommitId::from_oid(parent))
            .collect(),
        patch_id: None,
    })
}

impl CommitReader {
    /// The committer time of the commit `oid`, with its parents pushed onto `parents`; `None`
    /// as for [`CommitReader::read`] (nothing is pushed then).
    pub(crate) fn time_and_parents(
        &mut self,
        oid: git2::Oid,
        parents: &mut Vec<git2::Oid>,
    ) -> Option<Time> {
        let data = self.commit_bytes(oid)?;
        let start = parents.len();
        let time = parse_commit(data, parents).map(|parsed| parsed.committer.time);
        if time.is_none() {
            parents.truncate(start);
        }
        time
    }
}

/// What a tag ref leads to, read as libgit2's `git_tag` parse and `git_object_peel` read it.
pub(crate) struct Peeled {
    /// Whether the ref points at a tag object.
    pub(crate) annotated: bool,
    /// That tag object's message (cut at a NUL byte, as libgit2's copy is).
    pub(crate) message: Option<Vec<u8>>,
    /// That tag object's tagger time.
    pub(crate) tagger_time: Option<Time>,
    /// The commit at the end of the chain of tags, and its committer time; `None` when the
    /// chain ends at a tree or a blob.
    pub(crate) commit: Option<(git2::Oid, Time)>,
}

/// Tags pointing at tags further than this are libgit2's to peel.
const MAX_TAG_CHAIN: usize = 16;

impl CommitReader {
    /// The object a tag ref points at (`oid`), peeled to a commit; `None` when gitoxide cannot
    /// read a link of the chain or the parse here does not cover it exactly (see the module
    /// docs), and the caller reads the tag with libgit2.
    pub(crate) fn peel_tag(&mut self, oid: git2::Oid) -> Option<Peeled> {
        let mut peeled = Peeled {
            annotated: false,
            message: None,
            tagger_time: None,
            commit: None,
        };
        let mut next = oid;
        let mut declared = None;
        for link in 0..MAX_TAG_CHAIN {
            let (kind, span) = match self.find(next) {
                Ok(found) => found?,
                Err(error) => {
                    self.note_failure(next, error);
                    return None;
                }
            };
            let data = self.buffer.get(span)?;
            // libgit2 looks a tag's target up with the type its `type` header declares.
            if declared.is_some_and(|declared| declared != kind) {
                return None;
            }
            match kind {
                gix_object::Kind::Commit => {
                    let mut parents = std::mem::take(&mut self.parents);
                    let commit =
                        parse_commit(data, &mut parents).map(|parsed| parsed.committer.time);
                    parents.clear();
                    self.parents = parents;
                    peeled.commit = Some((next, commit?));
                    return Some(peeled);
                }
                gix_object::Kind::Tag => {
                    let tag = parse_tag(data)?;
                    if link == 0 {
                        peeled.annotated = true;
                        peeled.message = tag.message.map(<[u8]>::to_vec);
                        peeled.tagger_time = tag.tagger.map(|tagger| tagger.time);
                    }
                    next = tag.target;
                    declared = Some(tag.kind);
                }
                gix_object::Kind::Tree | gix_object::Kind::Blob => return Some(peeled),
            }
        }
        None
    }
}

/// A tag object's fields, borrowed from its bytes.
struct ParsedTag<'a> {
    target: git2::Oid,
    kind: gix_object::Kind,
    tagger: Option<Signature<'a>>,
    message: Option<&'a [u8]>,
}

/// The tag object `data`, parsed as libgit2's `tag_parse` does; `None` for anything libgit2
/// would reject or read differently from the plain case handled here.
fn parse_tag(data: &[u8]) -> Option<ParsedTag<'_>> {
    let mut rest = data;
    let target = oid_value(field(next_line(&mut rest)?, b"object ")?)?;
    let kind = match field(next_line(&mut rest)?, b"type ")? {
        b"commit" => gix_object::Kind::Commit,
        b"tree" => gix_object::Kind::Tree,
        b"blob" => gix_object::Kind::Blob,
        b"tag" => gix_object::Kind::Tag,
        _ => return None,
    };
    field(next_line(&mut rest)?, b"tag ")?;
    let tagger = match rest.first() {
        None | Some(b'\n') => None,
        Some(_) => Some(signature(field(next_line(&mut rest)?, b"tagger ")?)?),
    };
    // libgit2 skips any other header up to the empty line; with no empty line after them, it
    // fails ("tag contains no message").
    let message = if rest.is_empty() {
        None
    } else {
        if rest[0] != b'\n' {
            let end = rest.windows(2).position(|pair| pair == b"\n\n")?;
            rest = &rest[end + 1..];
        }
        Some(until_nul(&rest[1..]))
    };
    Some(ParsedTag {
        target,
        kind,
        tagger,
        message,
    })
}

/// A commit's message as [`crate::history::message_of`] gives it: leading newlines dropped,
/// decoded from its encoding.
fn message_text(raw: &[u8], encoding: Option<&str>, oid: git2::Oid) -> String {
    let start = raw
        .iter()
        .position(|&byte| byte != b'\n')
        .unwrap_or(raw.len());
    crate::text::decode(&raw[start..], encoding, &|| format!("commit {oid}")).into_owned()
}

/// A commit object's fields, borrowed from its bytes.
struct Parsed<'a> {
    author: Signature<'a>,
    committer: Signature<'a>,
    encoding: Option<&'a [u8]>,
    message: &'a [u8],
}

/// A signature line's fields, as libgit2 extracts them.
struct Signature<'a> {
    name: &'a [u8],
    email: &'a [u8],
    time: Time,
}

impl Signature<'_> {
    fn person(&self, encoding: Option<&str>) -> Person {
        let what = || "a name".to_owned();
        Person {
            name: crate::text::decode(self.name, encoding, &what).into_owned(),
            email: crate::text::decode(self.email, encoding, &what).into_owned(),
            time: self.time,
        }
    }

    /// The person `mailmap` maps this signature to; `None` where libgit2 would have to build
    /// the signature from bytes a `git2::Signature` cannot hold.
    fn mapped(&self, mailmap: &git2::Mailmap, encoding: Option<&str>) -> Option<Person> {
        let name = std::str::from_utf8(self.name).ok()?;
        let email = std::str::from_utf8(self.email).ok()?;
        let signature = git2::Signature::new(name, email, &self.time.to_git()).ok()?;
        // `Signature::new` trims and checks; it must hold exactly what the commit does.
        if signature.name_bytes() != self.name || signature.email_bytes() != self.email {
            return None;
        }
        let mapped = mailmap.resolve_signature(&signature).ok()?;
        Some(Person::from_git_encoded(&mapped, encoding))
    }
}

/// `line` (without its newline) without `prefix`, when it starts with it.
fn field<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)
}

/// Splits off the line at the start of `rest` (without its `\n`); `None` when no `\n` ends it.
fn next_line<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = rest.iter().position(|&byte| byte == b'\n')?;
    let line = &rest[..end];
    *rest = &rest[end + 1..];
    Some(line)
}

/// An object id header's value (`tree <hex>`, `parent <hex>`): exactly 40 hex digits.
fn oid_value(value: &[u8]) -> Option<git2::Oid> {
    // Decoded here, by table: through `Oid::from_str` it cost 2% of a whole-history read, and
    // digit by digit with a `match` 6% of a `next-version`.
    let value: &[u8; 40] = value.try_into().ok()?;
    let mut bytes = [0; 20];
    let mut invalid = 0;
    for (byte, pair) in bytes.iter_mut().zip(value.chunks_exact(2)) {
        let (high, low) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
        invalid |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    if invalid & 0xf0 != 0 {
        return None;
    }
    git2::Oid::from_bytes(&bytes).ok()
}

/// Each byte's value as a hexadecimal digit; `0xff` for a byte that is not one.
const HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut digit = 0;
    while digit < 10 {
        table[b'0' as usize + digit] = digit as u8;
        digit += 1;
    }
    let mut letter = 0;
    while letter < 6 {
        table[b'a' as usize + letter] = 10 + letter as u8;
        table[b'A' as usize + letter] = 10 + letter as u8;
        letter += 1;
    }
    table
};

/// What a listing needs of the commit object `data`: its parents, pushed onto `parents`, and its
/// committer's time, read as [`parse_commit`] reads them. The author lines are checked as there
/// (not kept): a commit libgit2 cannot read must be declined here, where the listing reaches it,
/// so that libgit2 reports the same commit first as when it lists alone.
fn parse_listing(data: &[u8], parents: &mut Vec<git2::Oid>) -> Option<Time> {
    let mut rest = data;
    let (_, committer) = parse_people(&mut rest, parents)?;
    Some(committer.time)
}

/// The head of the commit object `rest` up to its committer line, as libgit2's `commit_parse`
/// reads it: the tree, the parents (pushed onto `parents`), the author (the first of its lines;
/// some tools write several, and the others must parse) and the committer. `rest` is left after
/// the committer line.
fn parse_people<'a>(
    rest: &mut &'a [u8],
    parents: &mut Vec<git2::Oid>,
) -> Option<(Signature<'a>, Signature<'a>)> {
    oid_value(field(next_line(rest)?, b"tree ")?)?;
    let mut line = next_line(rest)?;
    while let Some(parent) = field(line, b"parent ") {
        parents.push(oid_value(parent)?);
        line = next_line(rest)?;
    }
    let author = signature(field(line, b"author ")?)?;
    line = next_line(rest)?;
    while let Some(extra) = field(line, b"author ") {
        signature(extra)?;
        line = next_line(rest)?;
    }
    let committer = signature(field(line, b"committer ")?)?;
    Some((author, committer))
}

/// The commit object `data`, parsed as libgit2's `commit_parse` does; its parents are pushed
/// onto `parents`. `None` for anything libgit2 would reject or read differently from the
/// plain case handled here.
fn parse_commit<'a>(data: &'a [u8], parents: &mut Vec<git2::Oid>) -> Option<Parsed<'a>> {
    let mut rest = data;
    let (author, committer) = parse_people(&mut rest, parents)?;
    // The other headers, up to the empty line; libgit2 keeps the last `encoding`. A header
    // block that the object's end cuts short is libgit2's to read.
    let mut encoding = None;
    loop {
        let line = next_line(&mut rest)?;
        if line.is_empty() {
            break;
        }
        if let Some(value) = field(line, b"encoding ") {
            encoding = Some(until_nul(value));
        }
    }
    Some(Parsed {
        author,
        committer,
        encoding,
        message: until_nul(rest),
    })
}

/// `bytes` up to its first NUL: libgit2 copies header values and the message with `strndup`.
fn until_nul(bytes: &[u8]) -> &[u8] {
    bytes
        .iter()
        .position(|&byte| byte == 0)
        .map_or(bytes, |end| &bytes[..end])
}

/// A signature (`Name <email> 1700000000 +0100`) as `git_signature__parse` reads it: the
/// email between the last `<` and the last `>`, name and email trimmed of whitespace. Only
/// the plain time (digits, a space, a sign and four digits) is read here; any other is
/// libgit2's to read.
fn signature(value: &[u8]) -> Option<Signature<'_>> {
    let email_start = value.iter().rposition(|&byte| byte == b'<')?;
    let email_end = value.iter().rposition(|&byte| byte == b'>')?;
    if email_end <= email_start {
        return None;
    }
    // libgit2 copies the trimmed bytes, and git2 reads them back as C strings.
    let name = until_nul(trim(&value[..email_start]));
    let email = until_nul(trim(&value[email_start + 1..email_end]));
    let when = value.get(email_end + 1..)?;
    let when = when.strip_prefix(b" ")?;
    let (seconds, zone) = split_once(when, b' ')?;
    if seconds.is_empty() || seconds.len() > 18 || !seconds.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let seconds: i64 = std::str::from_utf8(seconds).ok()?.parse().ok()?;
    let (&sign, digits) = zone.split_first()?;
    if !matches!(sign, b'+' | b'-') || digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let offset: i32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    let (hours, minutes) = (offset / 100, offset % 100);
    // libgit2 keeps a zone only when it is a real one, and reads 0 otherwise.
    let offset_minutes = if hours <= 14 && minutes <= 59 {
        let offset = hours * 60 + minutes;
        if sign == b'-' { -offset } else { offset }
    } else {
        0
    };
    Some(Signature {
        name,
        email,
        time: Time {
            seconds,
            offset_minutes,
        },
    })
}

fn split_once(bytes: &[u8], separator: u8) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&byte| byte == separator)?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

/// `bytes` without what libgit2's `extract_trimmed` cuts from both ends ("crud": control
/// characters, spaces and `,:;<>"\'`).
fn trim(bytes: &[u8]) -> &[u8] {
    let space = |byte: &u8| *byte <= b' ' || b",:;<>\"\\'".contains(byte);
    let start = bytes
        .iter()
        .position(|byte| !space(byte))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|byte| !space(byte))
        .map_or(start, |end| end + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    //! Every object below is written as raw bytes and read both ways: gitoxide's read must give
    //! exactly what libgit2's gives, or decline (`None`) so that libgit2 reads it. The plain
    //! shapes git writes must not be declined, or the fast path would never run.

    use super::{CommitReader, Objects, RawCommit, RawCommits};
    use crate::history::read_with_libgit2;

    const TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    struct Fixture {
        _dir: tempfile::TempDir,
        git: git2::Repository,
        reader: CommitReader,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let git = git2::Repository::init(dir.path()).expect("git init");
        let empty_tree = git
            .odb()
            .and_then(|odb| odb.write(git2::ObjectType::Tree, b""))
            .expect("the empty tree");
        assert_eq!(empty_tree.to_string(), TREE);
        let reader = Objects::open(&git.path().join("objects"))
            .expect("gix-odb opens a fresh repository")
            .reader();
        Fixture {
            _dir: dir,
            git,
            reader,
        }
    }

    impl Fixture {
        fn write(&self, kind: git2::ObjectType, data: &[u8]) -> git2::Oid {
            self.git
                .odb()
                .and_then(|odb| odb.write(kind, data))
                .expect("writing a raw object")
        }

        fn commit(&self, text: &str) -> git2::Oid {
            self.write(git2::ObjectType::Commit, text.as_bytes())
        }

        /// Reads `oid` both ways; whether gitoxide's read answered (it then equals libgit2's).
        fn read_both(&mut self, oid: git2::Oid, mailmap: Option<&git2::Mailmap>) -> bool {
            let mut parents = Vec::new();
            let fast = self.reader.read(oid, mailmap, &mut parents);
            let slow = read_with_libgit2(&self.git, mailmap, oid);
            let Some(fast) = fast else {
                assert!(parents.is_empty(), "a declined read leaves no parents");
                // The listing may take what the full parse declines (it stops at the committer line), but
                // the commit is then not made from its bytes: libgit2 reads it; and what the
                // listing read is what libgit2 reads.
                let mut kept = RawCommits::default();
                if let Some((time, raw)) = self.reader.read_raw(oid, &mut parents, &mut kept) {
                    assert!(kept.commit(raw, oid, mailmap, &mut Vec::new()).is_none());
                    if let Ok(slow) = &slow {
                        assert_eq!(time, slow.committer_time);
                        let ids: Vec<String> = parents.iter().map(ToString::to_string).collect();
                        let expected: Vec<&str> =
                            slow.parents.iter().map(crate::CommitId::as_str).collect();
                        assert_eq!(ids, expected);
                    }
                }
                return false;
            };
            let slow = slow.expect("libgit2 reads what gitoxide's parse accepts");
            assert_eq!(fast, slow, "commit {oid}");
            // The same commit made later from the bytes the listing keeps.
            let mut raw_parents = Vec::new();
            let mut kept = RawCommits::default();
            let (time, raw) = self
                .reader
                .read_raw(oid, &mut raw_parents, &mut kept)
                .expect("what read reads, read_raw reads");
            assert_eq!(time, slow.committer_time);
            assert_eq!(raw_parents, parents);
            assert_eq!(
                kept.commit(raw, oid, mailmap, &mut Vec::new()).as_ref(),
                Some(&slow)
            );
            let ids: Vec<String> = parents.iter().map(ToString::to_string).collect();
            let expected: Vec<&str> = slow.parents.iter().map(crate::CommitId::as_str).collect();
            assert_eq!(ids, expected);
            true
        }
    }

    #[test]
    fn kept_commit_bytes_read_back_whole_across_buffers() {
        let mut kept = RawCommits::default();
        // Small objects fill several buffers; one larger than the largest buffer gets its own.
        let objects: Vec<Vec<u8>> = (0..3_000usize)
            .map(|n| {
                let len = if n == 1_500 {
                    RawCommits::LARGEST + 1
                } else {
                    100 + n % 300
                };
                (0..len).map(|at| ((n + at) % 251) as u8).collect()
            })
            .collect();
        let spans: Vec<RawCommit> = objects
            .iter()
            .map(|bytes| kept.keep(bytes).expect("kept"))
            .collect();
        assert!(kept.chunks.len() > 2, "{} buffers", kept.chunks.len());
        let read = |kept: &RawCommits, span: RawCommit| {
            let chunk = &kept.chunks[span.chunk as usize];
            chunk
                .get(span.start as usize..span.end as usize)
                .map(<[u8]>::to_vec)
        };
        for (bytes, &span) in objects.iter().zip(&spans) {
            assert_eq!(read(&kept, span).as_deref(), Some(&bytes[..]));
        }
        // A view of the first hundred commits reads them as the whole does, and shares (not
        // copies) just their buffers: the others are freed with the whole.
        let view = kept.view(spans[..100].iter().copied());
        for (bytes, &span) in objects.iter().zip(&spans[..100]) {
            assert_eq!(read(&view, span).as_deref(), Some(&bytes[..]));
        }
        let last = *spans.last().unwrap();
        assert_eq!(read(&view, last), None);
        let shared = |kept: &RawCommits| {
            kept.chunks
                .iter()
                .filter(|chunk| std::sync::Arc::strong_count(chunk) > 1)
                .count()
        };
        let held = view.chunks.iter().filter(|chunk| !chunk.is_empty()).count();
        assert_eq!(shared(&kept), held);
        assert!(held < kept.chunks.len());
        drop(kept);
        assert_eq!(read(&view, spans[0]).as_deref(), Some(&objects[0][..]));
    }

    #[test]
    fn commits_as_git_writes_them_are_read_as_libgit2_reads_them() {
        let mut fixture = fixture();
        let root = fixture.commit(&format!(
            "tree {TREE}\nauthor Ada Lovelace <ada@example.com> 1700000000 +0100\n\
             committer C <c@example.com> 1700000100 -0130\n\nfeat: first\n\nbody\n"
        ));
        let second = fixture.commit(&format!(
            "tree {TREE}\nparent {root}\nauthor  Spaced \t Name  < spaced@example.com > 1700000200 +0000\n\
             committer C <c@example.com> 1700000300 +0000\n\n\n\nfix: leading blank lines\n"
        ));
        let merge = fixture.commit(&format!(
            "tree {TREE}\nparent {second}\nparent {root}\nparent {root}\n\
             author A <a@example.com> 1700000400 +1400\ncommitter C <c@example.com> 1700000500 +0000\n\
             mergetag object {root}\n type commit\n tag v1\n\
             gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\n\
             Merge branch 'x'\n"
        ));
        let latin1 = fixture.write(
            git2::ObjectType::Commit,
            &[
                format!("tree {TREE}\nauthor Jos").as_bytes(),
                &[0xe9],
                b" <jose@example.com> 1700000600 +0200\ncommitter C <c@example.com> 1700000600 +0200\n\
                  encoding ISO-8859-1\n\nfeat: caf",
                &[0xe9],
                b"\n",
            ]
            .concat(),
        );
        let two_authors = fixture.commit(&format!(
            "tree {TREE}\nauthor First <first@example.com> 1700000700 +0000\n\
             author Second <second@example.com> 1700000800 +0000\n\
             committer C <c@example.com> 1700000900 +0000\n\nchore: two authors\n"
        ));
        let no_message = fixture.commit(&format!(
            "tree {TREE}\nauthor A <a@example.com> 1700001000 +0000\ncommitter C <c@example.com> 1700001000 +0000\n\n"
        ));
        let odd_zone = fixture.commit(&format!(
            "tree {TREE}\nauthor A <a@example.com> 1700001100 +9999\ncommitter C <c@example.com> 1700001100 -0061\n\nfix: zones out of range read as UTC\n"
        ));
        let nul = fixture.write(
            git2::ObjectType::Commit,
            format!(
                "tree {TREE}\nauthor A <a@example.com> 1700001200 +0000\ncommitter C <c@example.com> 1700001200 +0000\n\nfeat: cut\0 here\n"
            )
            .as_bytes(),
        );
        let brackets = fixture.commit(&format!(
            "tree {TREE}\nauthor Name <with> <brackets@example.com> 1700001300 +0000\ncommitter C <c@example.com> 1700001300 +0000\n\nfix: the last angle brackets hold the email\n"
        ));
        let crud = fixture.commit(&format!(
            "tree {TREE}\nauthor 'Quoted, Name;' <:mail@example.com;> 1700001400 +0000\ncommitter C <c@example.com> 1700001400 +0000\n\nfix: quotes and punctuation are trimmed\n"
        ));
        for oid in [
            crud,
            root,
            second,
            merge,
            latin1,
            two_authors,
            no_message,
            odd_zone,
            nul,
            brackets,
        ] {
            assert!(fixture.read_both(oid, None), "gitoxide declined {oid}");
        }
    }

    #[test]
    fn object_ids_are_read_as_libgit2_reads_them() {
        let id = "4B825dc642cb6eb9a060e54bf8d69288fbee4904";
        assert_eq!(
            super::oid_value(id.as_bytes()),
            Some(git2::Oid::from_str(id).expect("an id"))
        );
        for bad in [
            &id[..39],
            "4b825dc642cb6eb9a060e54bf8d69288fbee490g",
            "4b825dc642cb6eb9a060e54bf8d69288fbee49 4",
        ] {
            assert_eq!(super::oid_value(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn malformed_commits_are_left_to_libgit2() {
        let mut fixture = fixture();
        let cases = [
            // No time, a time that is not a number, a zone without its sign.
            format!(
                "tree {TREE}\nauthor A <a@example.com>\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
            format!(
                "tree {TREE}\nauthor A <a@example.com> soon +0000\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
            format!(
                "tree {TREE}\nauthor A <a@example.com> 1 0100\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
            // No email brackets; no committer; a short parent id; no empty line before the end.
            format!(
                "tree {TREE}\nauthor A a@example.com 1 +0000\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
            format!("tree {TREE}\nauthor A <a@example.com> 1 +0000\n\nx\n"),
            format!(
                "tree {TREE}\nparent 1234\nauthor A <a@example.com> 1 +0000\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
            format!(
                "tree {TREE}\nauthor A <a@example.com> 1 +0000\ncommitter C <c@example.com> 1 +0000"
            ),
            // A second author line that does not parse.
            format!(
                "tree {TREE}\nauthor A <a@example.com> 1 +0000\nauthor broken\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
            // A negative time.
            format!(
                "tree {TREE}\nauthor A <a@example.com> -5 +0000\ncommitter C <c@example.com> 1 +0000\n\nx\n"
            ),
        ];
        for case in cases {
            let oid = fixture.commit(&case);
            assert!(!fixture.read_both(oid, None), "gitoxide read {case:?}");
        }
        // A tree where a commit should be.
        let tree: git2::Oid = TREE.parse().expect("an id");
        assert!(!fixture.read_both(tree, None));
    }

    #[test]
    fn a_loose_object_cut_short_is_reported_damaged_not_handed_to_libgit2() {
        let mut fixture = fixture();
        let oid = fixture.commit(&format!(
            "tree {TREE}\nauthor A <a@example.com> 1700000000 +0000\ncommitter C <c@example.com> 1700000000 +0000\n\nfeat: soon cut short\n"
        ));
        let hex = oid.to_string();
        let path = fixture
            .git
            .path()
            .join("objects")
            .join(&hex[..2])
            .join(&hex[2..]);
        let bytes = std::fs::read(&path).expect("the loose object");
        let mut permissions = std::fs::metadata(&path).expect("metadata").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&path, permissions).expect("writable");
        std::fs::write(&path, &bytes[..bytes.len() - 10]).expect("cut short");
        let mut parents = Vec::new();
        assert!(fixture.reader.read(oid, None, &mut parents).is_none());
        let damaged = fixture.reader.damaged().expect("reported as damaged");
        assert!(
            damaged.to_string().contains(&hex) && damaged.to_string().contains("git fsck --full"),
            "{damaged}"
        );
        // Taken once; an object that is simply absent is not damage.
        assert!(fixture.reader.damaged().is_none());
        let absent: git2::Oid = "1111111111111111111111111111111111111111"
            .parse()
            .expect("an id");
        assert!(fixture.reader.read(absent, None, &mut parents).is_none());
        assert!(fixture.reader.damaged().is_none());
        assert!(fixture.reader.peel_tag(oid).is_none());
        assert!(fixture.reader.damaged().is_some());
    }

    #[test]
    fn of_two_unreadable_commits_the_newest_is_reported_as_libgit2_reports_it() {
        // Found by trying the reader on odd histories: the listing skipped the author lines, so
        // an older commit without a committer was reported before a newer one whose author
        // libgit2 cannot read.
        let fixture = fixture();
        let base = fixture.commit(&format!(
            "tree {TREE}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\nfeat: base\n"
        ));
        let no_committer = fixture.commit(&format!(
            "tree {TREE}\nparent {base}\nauthor A <a@example.com> 1700000100 +0000\n\nfix: no committer line\n"
        ));
        let unclosed = fixture.commit(&format!(
            "tree {TREE}\nparent {no_committer}\nauthor A <a@example.com 1700000200 +0000\ncommitter A <a@example.com> 1700000200 +0000\n\nfix: unclosed email\n"
        ));
        let tip = fixture.commit(&format!(
            "tree {TREE}\nparent {unclosed}\nauthor A <a@example.com> 1700000300 +0000\ncommitter A <a@example.com> 1700000300 +0000\n\nfix: tip\n"
        ));
        fixture
            .git
            .reference("refs/heads/main", tip, true, "test")
            .expect("a branch");
        fixture.git.set_head("refs/heads/main").expect("HEAD");
        let repository = crate::Repository::open(fixture.git.path()).expect("open");
        let error = repository
            .commits(&crate::Range::head(), &crate::HistoryOptions::default())
            .expect_err("two commits cannot be read");
        assert!(error.to_string().contains(&unclosed.to_string()), "{error}");
    }

    #[test]
    fn a_mailmap_maps_the_author_as_libgit2_maps_it() {
        let mut fixture = fixture();
        let oid = fixture.commit(&format!(
            "tree {TREE}\nauthor old name <old@example.com> 1700000000 +0000\n\
             committer C <c@example.com> 1700000000 +0000\n\nfeat: mapped\n"
        ));
        let mut mailmap = git2::Mailmap::new().expect("a mailmap");
        mailmap
            .add_entry(
                Some("New Name"),
                Some("new@example.com"),
                None,
                "old@example.com",
            )
            .expect("an entry");
        assert!(fixture.read_both(oid, Some(&mailmap)));
        let mut parents = Vec::new();
        let read = fixture.reader.read(oid, Some(&mailmap), &mut parents);
        assert_eq!(read.expect("read").author.name, "New Name");
    }

    #[test]
    fn tags_are_peeled_as_libgit2_peels_them() {
        let mut fixture = fixture();
        let commit = fixture.commit(&format!(
            "tree {TREE}\nauthor A <a@example.com> 1700000000 +0000\ncommitter C <c@example.com> 1700000100 +0200\n\nfeat: tagged\n"
        ));
        let tag =
            |fixture: &Fixture, text: &str| fixture.write(git2::ObjectType::Tag, text.as_bytes());
        let annotated = tag(
            &fixture,
            &format!(
                "object {commit}\ntype commit\ntag v1.0.0\ntagger T <t@example.com> 1700000200 +0100\n\nRelease 1.0.0\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"
            ),
        );
        let no_tagger = tag(
            &fixture,
            &format!("object {commit}\ntype commit\ntag v1.0.1\n\nno tagger\n"),
        );
        let no_message = tag(
            &fixture,
            &format!(
                "object {commit}\ntype commit\ntag v1.0.2\ntagger T <t@example.com> 1700000300 +0000\n"
            ),
        );
        let extra_header = tag(
            &fixture,
            &format!(
                "object {commit}\ntype commit\ntag v1.0.3\ntagger T <t@example.com> 1700000400 +0000\nx-extra value\n\nafter an extra header\n"
            ),
        );
        let of_tag = tag(
            &fixture,
            &format!(
                "object {annotated}\ntype tag\ntag v1.0.4\ntagger T <t@example.com> 1700000500 +0000\n\na tag of a tag\n"
            ),
        );
        let of_tree = tag(
            &fixture,
            &format!("object {TREE}\ntype tree\ntag tree\n\na tree\n"),
        );
        let mistyped = tag(
            &fixture,
            &format!("object {TREE}\ntype commit\ntag liar\n\nsays commit\n"),
        );
        let no_empty_line = tag(
            &fixture,
            &format!(
                "object {commit}\ntype commit\ntag v9\ntagger T <t@example.com> 1 +0000\nmessage\n"
            ),
        );
        let repository = crate::Repository::open(fixture.git.path()).expect("open");
        let read = |fixture: &mut Fixture, oid| {
            (
                fixture.reader.peel_tag(oid).is_some(),
                repository.describe_tag(Some(&mut fixture.reader), "t", oid),
                repository.describe_tag(None, "t", oid),
            )
        };
        for (oid, answered) in [
            (commit, true),
            (annotated, true),
            (no_tagger, true),
            (no_message, true),
            (extra_header, true),
            (of_tag, true),
            (of_tree, true),
            (mistyped, false),
            (no_empty_line, false),
        ] {
            let (fast_answered, fast, slow) = read(&mut fixture, oid);
            assert_eq!(fast_answered, answered, "tag {oid}");
            match (fast, slow) {
                (Ok(fast), Ok(slow)) => assert_eq!(fast, slow, "tag {oid}"),
                (Err(_), Err(_)) => {}
                (fast, slow) => panic!("tag {oid}: {fast:?} against {slow:?}"),
            }
        }
    }
}
