//! Which commits of a settled range are listed, decided from a few facts per commit: merge
//! ownership, revert cancelling and cherry-pick deduplication.
//!
//! The facts are all these steps read of a commit, so that a range can be decided without
//! holding its commits: a streamed changelog keeps a [`Fact`] and the rendered lines of each
//! commit, about a tenth of the commit, until its release is complete (see
//! [`crate::Stream`]). [`crate::Generator::build`] decides from the same facts, so both say
//! the same.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::input::Commit;
use crate::parse::{Kind, Origin, ParsedMessage};

/// A commit id as the selection holds it: for a lower-case hex id of 40 digits (SHA-1) or 64
/// (SHA-256), its first 8 bytes; for any other text, a 64-bit hash of it.
///
/// Eight bytes are 64 bits of a uniformly distributed hash: two different commits of one
/// history share them with a chance of about `n² / 2^65` (1 in 10^9 for 200,000 commits), and a
/// cherry-pick line naming a commit outside the history is mistaken for one of `n` ids held
/// with a chance of about `n / 2^64`, where git's own short ids take 7 to 12 hex digits. A
/// whole history's ids take 1.6 MB for 200,000 commits, where their text took 12 MB.
pub(crate) type Key = u64;

/// The [`Key`] of an id.
pub(crate) fn key(id: &str) -> Key {
    hex_prefix(id).unwrap_or_else(|| {
        let mut hasher = std::hash::DefaultHasher::new();
        id.hash(&mut hasher);
        hasher.finish()
    })
}

/// The first 8 bytes of a 40- or 64-digit lower-case hex id; `None` for any other text.
///
/// Two keys a commit, so a table lookup a digit and no branch: checking each digit with a
/// `match` took a twentieth of rendering a large history.
fn hex_prefix(id: &str) -> Option<u64> {
    let hex = id.as_bytes();
    if hex.len() != 40 && hex.len() != 64 {
        return None;
    }
    let digit = |byte: u8| HEX[usize::from(byte)];
    // Any byte that is not a lower-case hex digit sets the high bits of `invalid`.
    let mut invalid = 0_u8;
    let mut value = 0_u64;
    for (index, pair) in hex[..16].chunks_exact(2).enumerate() {
        let (high, low) = (digit(pair[0]), digit(pair[1]));
        invalid |= high | low;
        value |= u64::from((high << 4) | (low & 0x0f)) << (8 * index);
    }
    for &byte in &hex[16..] {
        invalid |= digit(byte);
    }
    (invalid & 0xf0 == 0).then_some(value)
}

/// Each byte's value as a lower-case hex digit, `0xff` for any other byte.
const HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut digit = 0;
    while digit < 16 {
        let byte = if digit < 10 {
            b'0' + digit
        } else {
            b'a' + digit - 10
        };
        table[byte as usize] = digit;
        digit += 1;
    }
    table
};

/// Whether the id of `key` starts with the abbreviated lower-case hex id `prefix` (as far as
/// the key's 16 digits tell).
fn starts_with(key: Key, prefix: &str) -> bool {
    if prefix.is_empty() {
        return false;
    }
    let mut value = 0_u64;
    let mut mask = 0_u64;
    for (index, byte) in prefix.bytes().take(16).enumerate() {
        let digit = HEX[usize::from(byte)];
        if digit > 0x0f {
            return false;
        }
        // The digit's place in the key: byte `index / 2` (as `hex_prefix` reads them), its
        // high nibble first.
        let shift = 8 * (index / 2) + if index % 2 == 0 { 4 } else { 0 };
        value |= u64::from(digit) << shift;
        mask |= 0x0f << shift;
    }
    key & mask == value
}

/// A hasher for keys, which are already uniformly distributed: their bytes, mixed. Also for
/// ids as text: their bytes, eight at a time, mixed.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.write(&value.to_le_bytes());
    }

    // The array's length, the same for every id, adds nothing.
    fn write_usize(&mut self, _: usize) {}
}

/// Keys hashed with [`IdHasher`].
pub(crate) type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<IdHasher>>;
type KeySet = HashSet<Key, BuildHasherDefault<IdHasher>>;

/// What the selection reads of one commit: 40 bytes, as a streamed changelog keeps one for
/// each commit of a release until the release is complete.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "five independent yes-or-no facts, which fit in the padding of the keys"
)]
pub(crate) struct Fact {
    pub(crate) id: Key,
    /// The first parent, when `has_parent`.
    first_parent: Key,
    /// See [`Fact::subject`]; when `conventional`.
    subject: u64,
    /// What few commits have: other parents, a revert's target, a cherry-pick's source, a
    /// patch id.
    rare: Option<Box<Rare>>,
    has_parent: bool,
    conventional: bool,
    /// Whether the commit can be listed at all: not outside the paths, not a release commit,
    /// not a merge without a conventional title or a fixup (unless configured).
    pub(crate) listable: bool,
    /// Whether it reads as a merge's conventional title ([`Origin::Merge`]): what covers the
    /// merged branch's commits that say the same.
    pub(crate) title: bool,
    /// Whether it would be listed as a change of its own: conventional, a revert, or a squash
    /// with conventional lines (when they are split).
    pub(crate) says_something: bool,
}

/// The facts few commits have (see [`Fact::rare`]).
#[derive(Debug, Clone)]
struct Rare {
    /// The other parents of a merge.
    merged: Box<[Key]>,
    /// The id a revert names.
    reverts: Option<Box<str>>,
    /// The commit a cherry-pick names as its source.
    cherry_picked_from: Option<Key>,
    patch_id: Option<Box<str>>,
}

impl Fact {
    /// The facts of `commit`, whose message is `parsed`; `listable` and `says_something` as the
    /// generator decides.
    pub(crate) fn new(
        commit: &Commit,
        parsed: &ParsedMessage<'_>,
        listable: bool,
        says_something: bool,
    ) -> Fact {
        let mut parents = commit.parents.iter().map(|parent| key(parent));
        let first_parent = parents.next();
        let reverts = parsed.reverts.filter(|_| is_revert(parsed));
        let rare = (commit.parents.len() > 1
            || reverts.is_some()
            || parsed.cherry_picked_from.is_some()
            || commit.patch_id.is_some())
        .then(|| {
            Box::new(Rare {
                merged: parents.collect(),
                reverts: reverts.map(Box::from),
                cherry_picked_from: parsed.cherry_picked_from.map(key),
                patch_id: commit.patch_id.as_deref().map(Box::from),
            })
        });
        let conventional = parsed.kind == Kind::Conventional;
        Fact {
            id: key(&commit.id),
            first_parent: first_parent.unwrap_or_default(),
            subject: if conventional {
                subject_hash(parsed)
            } else {
                0
            },
            rare,
            has_parent: first_parent.is_some(),
            conventional,
            listable,
            title: parsed.origin == Origin::Merge,
            says_something,
        }
    }

    /// The first parent, when the caller gave the parents.
    pub(crate) fn first_parent(&self) -> Option<Key> {
        self.has_parent.then_some(self.first_parent)
    }

    /// The other parents of a merge (none for any other commit).
    pub(crate) fn merged(&self) -> &[Key] {
        self.rare.as_deref().map_or(&[], |rare| &rare.merged)
    }

    pub(crate) fn parents(&self) -> impl Iterator<Item = Key> + '_ {
        self.first_parent()
            .into_iter()
            .chain(self.merged().iter().copied())
    }

    /// A hash of its conventional type, scope and description, ignoring ASCII case,
    /// surrounding whitespace and `(#5)` references; `None` when it is not conventional.
    fn subject(&self) -> Option<u64> {
        self.conventional.then_some(self.subject)
    }

    /// The id a revert names, when the commit is a revert.
    fn reverts(&self) -> Option<&str> {
        self.rare
            .as_deref()
            .and_then(|rare| rare.reverts.as_deref())
    }

    fn cherry_picked_from(&self) -> Option<Key> {
        self.rare
            .as_deref()
            .and_then(|rare| rare.cherry_picked_from)
    }

    fn patch_id(&self) -> Option<&str> {
        self.rare
            .as_deref()
            .and_then(|rare| rare.patch_id.as_deref())
    }
}

fn is_revert(parsed: &ParsedMessage<'_>) -> bool {
    parsed.kind == Kind::Revert
        || parsed
            .r#type
            .is_some_and(|ty| ty.eq_ignore_ascii_case("revert"))
}

/// See [`Fact::subject`]: two messages say the same when their hashes are equal (a chance of
/// about `2^-64` that two different ones do).
///
/// Hashed a word at a time with [`IdHasher`]'s mixing and a final avalanche, not `SipHash`:
/// this runs for every conventional commit of a history, and `SipHash` was a tenth of
/// collecting a commit. What the hash guards is whether a merged branch's commit repeats its
/// merge's title, not anything an attacker gains by a collision.
fn subject_hash(parsed: &ParsedMessage<'_>) -> u64 {
    fn lower(hasher: &mut IdHasher, text: &str) {
        for piece in text.as_bytes().chunks(8) {
            let mut word = [0_u8; 8];
            word[..piece.len()].copy_from_slice(piece);
            word.make_ascii_lowercase();
            hasher.write_u64(u64::from_le_bytes(word));
        }
        // The length ends each part, so that `ab` + `c` differs from `a` + `bc`.
        hasher.write_u64(text.len() as u64 | 1 << 63);
    }
    let mut hasher = IdHasher::default();
    for part in [parsed.r#type, parsed.scope] {
        match part {
            Some(text) => lower(&mut hasher, text),
            None => hasher.write_u64(u64::MAX),
        }
    }
    lower(&mut hasher, without_references(parsed.description));
    // The mixing above leaves the last word's high bits poorly spread: murmur3's finaliser.
    let mut hash = hasher.finish();
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// A description without the `(#5)` references at its end.
fn without_references(mut text: &str) -> &str {
    loop {
        text = text.trim_end();
        let Some(open) = text.rfind("(#") else {
            return text;
        };
        let inside = &text[open + 2..];
        match inside.strip_suffix(')') {
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                text = &text[..open];
            }
            _ => return text,
        }
    }
}

/// Which commits of a range (newest first) are listed, before cherry-pick deduplication: the
/// listable ones not covered by a merge's title (see [`covered`]), without the reverts that
/// cancel a commit of the range and the commits they cancel (when `cancel_reverts`).
pub(crate) fn listed(facts: &[&Fact], cancel_reverts: bool) -> Vec<bool> {
    let owners = crate::branches::owners(facts);
    let mut listed: Vec<bool> = facts
        .iter()
        .enumerate()
        .map(|(position, fact)| fact.listable && !covered(fact, owners[position], &owners, facts))
        .collect();
    if cancel_reverts {
        cancel(facts, &mut listed);
    }
    listed
}

/// Whether a merged branch's commit is already said by a merge listed by its conventional
/// title (a merge between the commit and the mainline, see [`crate::branches`]).
///
/// A commit that would not be listed as a change of its own (not conventional, no squash
/// lines: `wip`, `address review`, `Merge branch 'main' into login`) is covered; so is a
/// conventional commit with the title's type, scope and description (a one-commit pull
/// request), so that no subject is listed twice. Other conventional commits of the branch
/// are listed as well as the merge, as git-cliff and release-please list every commit.
fn covered(fact: &Fact, mut owner: Option<usize>, owners: &[Option<usize>], all: &[&Fact]) -> bool {
    while let Some(merge) = owner {
        let title = all[merge];
        if title.title
            && (!fact.says_something
                || (fact.subject().is_some() && fact.subject() == title.subject()))
        {
            return true;
        }
        owner = owners[merge];
    }
    false
}

/// Unlists each revert together with the commit it reverts when both are listed (`facts`
/// newest first).
///
/// Walks oldest to newest so that a revert only cancels a commit made before it; a revert of a
/// revert cancels that revert only if it is still listed.
fn cancel(facts: &[&Fact], listed: &mut [bool]) {
    if !facts.iter().any(|fact| fact.reverts().is_some()) {
        return;
    }
    let mut live: KeyMap<usize> = KeyMap::default();
    for (index, fact) in facts.iter().enumerate().rev() {
        if !listed[index] {
            continue;
        }
        if let Some(target) = fact.reverts() {
            let found = live.get(&key(target)).copied().or_else(|| {
                // An abbreviated id: rare enough for a scan.
                (target.len() < 40)
                    .then(|| {
                        live.iter()
                            .find(|(id, _)| starts_with(**id, target))
                            .map(|(_, &i)| i)
                    })
                    .flatten()
            });
            if let Some(reverted) = found {
                listed[reverted] = false;
                listed[index] = false;
                live.remove(&facts[reverted].id);
                continue;
            }
        }
        live.insert(fact.id, index);
    }
}

/// What [`Dedupe::range`] has seen listed so far, to keep the oldest listing of each change.
#[derive(Debug, Default)]
pub(crate) struct Dedupe {
    patch_ids: HashSet<Box<str>>,
    ids: KeySet,
    /// The commits that cherry-picked commits name as their source.
    picked_sources: KeySet,
}

impl Dedupe {
    /// Unlists from one range (newest first) the changes an older range, or an older commit of
    /// this range, already lists. Ranges are given oldest first.
    pub(crate) fn range(&mut self, facts: &[&Fact], listed: &mut [bool]) {
        for (index, fact) in facts.iter().enumerate().rev() {
            if !listed[index] {
                continue;
            }
            let duplicate = fact
                .patch_id()
                .is_some_and(|patch_id| self.patch_ids.contains(patch_id))
                || fact
                    .cherry_picked_from()
                    .is_some_and(|source| self.ids.contains(&source))
                || (!self.picked_sources.is_empty() && self.picked_sources.contains(&fact.id));
            if duplicate {
                listed[index] = false;
                continue;
            }
            if let Some(patch_id) = fact.patch_id() {
                self.patch_ids.insert(patch_id.into());
            }
            if let Some(source) = fact.cherry_picked_from() {
                self.picked_sources.insert(source);
            }
            self.ids.insert(fact.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_is_small() {
        // A streamed changelog keeps one for each commit of a release until it is complete.
        assert!(
            std::mem::size_of::<Fact>() <= 40,
            "{}",
            std::mem::size_of::<Fact>()
        );
    }

    #[test]
    fn a_full_hex_id_is_its_first_eight_bytes() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            key(id),
            u64::from_le_bytes([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef])
        );
        let sha256 = format!("{id}{}", "0".repeat(24));
        assert_eq!(key(&sha256), key(id));
        // Anything else is hashed: upper case, other lengths, other text.
        for other in [&id.to_uppercase(), &id[..39], "m1", "0123456789abcdef"] {
            assert_ne!(key(other), key(id), "{other}");
        }
    }

    #[test]
    fn an_abbreviated_id_is_matched_by_its_digits() {
        let full = key("0123456789abcdef0123456789abcdef01234567");
        for prefix in [
            "0",
            "01",
            "012",
            "0123456",
            "0123456789abcdef",
            "0123456789abcdef0123",
        ] {
            assert!(starts_with(full, prefix), "{prefix}");
        }
        for prefix in ["", "1", "0124", "0123456789abcdee", "0123456789ABCDEF", "g"] {
            assert!(!starts_with(full, prefix), "{prefix}");
        }
    }

    #[test]
    fn subjects_match_ignoring_case_spacing_and_references() {
        let hash = |message: &str| {
            let parsed = crate::parse::parse_message(message, 1);
            subject_hash(&parsed)
        };
        assert_eq!(
            hash("feat(Auth): Login page (#5)"),
            hash("FEAT(auth): login page")
        );
        assert_ne!(hash("feat(auth): login page"), hash("feat: login page"));
        assert_ne!(
            hash("feat(auth): login page"),
            hash("fix(auth): login page")
        );
        assert_ne!(hash("feat(ab): c"), hash("feat(a): bc"));
    }
}
