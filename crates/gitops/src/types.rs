//! The values this crate hands out: commit ids, times, people, commits and outcomes.
//!
//! They own their data and carry no `git2` type, so callers never depend on libgit2.

use std::fmt;

/// A commit id as lowercase hexadecimal (40 characters for SHA-1 repositories).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(String);

impl CommitId {
    /// Wrap a hexadecimal id; returns `None` unless it is 4 to 64 hex digits.
    ///
    /// Short ids are accepted so callers can keep what a user typed; operations resolve
    /// them against the repository.
    pub fn new(hex: impl Into<String>) -> Option<CommitId> {
        let hex = hex.into().to_ascii_lowercase();
        let valid = (4..=64).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then_some(CommitId(hex))
    }

    pub(crate) fn from_oid(oid: git2::Oid) -> CommitId {
        CommitId(hex(oid.as_bytes()))
    }

    pub(crate) fn to_oid(&self) -> git2::Oid {
        git2::Oid::from_str(&self.0).expect("a CommitId holds hexadecimal")
    }

    /// The full hexadecimal id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full hexadecimal id, taken out of the value.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The first seven hex digits, as `git log --oneline` shows them.
    pub fn short(&self) -> &str {
        &self.0[..self.0.len().min(7)]
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommitId({})", self.short())
    }
}

impl AsRef<str> for CommitId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A patch id: the hash of a commit's diff with line numbers and whitespace ignored, as
/// `git patch-id --stable` computes it. Equal patch ids mean the same change (a
/// cherry-pick).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PatchId(String);

impl PatchId {
    pub(crate) fn from_oid(oid: git2::Oid) -> PatchId {
        PatchId(hex(oid.as_bytes()))
    }

    /// The hexadecimal patch id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
    out
}

/// A point in time as git records it: seconds since the Unix epoch and the author's
/// UTC offset in minutes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Time {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// The UTC offset of the recorded time zone, in minutes (`+0200` is 120).
    pub offset_minutes: i32,
}

impl Time {
    /// A time in UTC.
    pub fn utc(seconds: i64) -> Time {
        Time {
            seconds,
            offset_minutes: 0,
        }
    }

    pub(crate) fn from_git(time: git2::Time) -> Time {
        Time {
            seconds: time.seconds(),
            offset_minutes: time.offset_minutes(),
        }
    }

    pub(crate) fn to_git(self) -> git2::Time {
        git2::Time::new(self.seconds, self.offset_minutes)
    }
}

/// A person as git records them (author, committer, tagger).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Person {
    /// The name.
    pub name: String,
    /// The email address, without angle brackets.
    pub email: String,
    /// When they acted.
    pub time: Time,
}

impl Person {
    /// A commit's author or committer, in the encoding the commit's `encoding` header names.
    pub(crate) fn from_git_encoded(
        signature: &git2::Signature<'_>,
        encoding: Option<&str>,
    ) -> Person {
        let what = || "a name".to_owned();
        Person {
            name: crate::text::decode(signature.name_bytes(), encoding, &what).into_owned(),
            email: crate::text::decode(signature.email_bytes(), encoding, &what).into_owned(),
            time: Time::from_git(signature.when()),
        }
    }
}

/// One commit, with what a changelog and a cherry-pick need.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Commit {
    /// The commit id.
    pub id: CommitId,
    /// The full message, decoded from the encoding its `encoding` header names (ISO-8859-1
    /// and Windows-1252; anything else, or invalid UTF-8, with the bad bytes replaced).
    pub message: String,
    /// The author, with the author time.
    pub author: Person,
    /// The committer time (when the commit was made, as opposed to written).
    pub committer_time: Time,
    /// How many parents: 0 for a root commit, 2 or more for a merge.
    pub parent_count: usize,
    /// The parents, first parent first (`parents.len() == parent_count`).
    pub parents: Vec<CommitId>,
    /// The patch id, only when asked for (it costs a diff per commit); `None` for merges.
    pub patch_id: Option<PatchId>,
}

impl Commit {
    /// The first line of the message, trimmed.
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }

    /// The message after the summary line and the blank lines that follow it, trimmed.
    pub fn body(&self) -> &str {
        match self.message.split_once('\n') {
            Some((_, rest)) => rest.trim(),
            None => "",
        }
    }

    /// Whether this is a merge commit (two or more parents).
    pub fn is_merge(&self) -> bool {
        self.parent_count > 1
    }
}

/// The outcome of an idempotent write: whether it changed the repository or found the
/// result already in place (a resumed release).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome<T> {
    /// The write was made.
    Applied(T),
    /// The result was already there; nothing was changed.
    Unchanged(T),
}

impl<T> Outcome<T> {
    /// Whether the repository was changed.
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied(_))
    }

    /// The value, whichever way it was obtained.
    pub fn into_inner(self) -> T {
        match self {
            Outcome::Applied(value) | Outcome::Unchanged(value) => value,
        }
    }

    /// A reference to the value.
    pub fn value(&self) -> &T {
        match self {
            Outcome::Applied(value) | Outcome::Unchanged(value) => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(message: &str) -> Commit {
        Commit {
            id: CommitId::new("abcdef0").unwrap(),
            message: message.to_owned(),
            author: Person {
                name: "A".into(),
                email: "a@example.com".into(),
                time: Time::utc(0),
            },
            committer_time: Time::utc(0),
            parent_count: 1,
            parents: vec![CommitId::new("abcdef1").unwrap()],
            patch_id: None,
        }
    }

    #[test]
    fn summary_and_body_split_at_the_first_line() {
        let check = |message: &str, summary: &str, body: &str| {
            let commit = commit(message);
            assert_eq!(
                (commit.summary(), commit.body()),
                (summary, body),
                "{message:?}"
            );
        };
        check("feat: x", "feat: x", "");
        check("feat: x\n", "feat: x", "");
        check(
            "feat: x\n\nbody\n\nRefs: #1\n",
            "feat: x",
            "body\n\nRefs: #1",
        );
        check("", "", "");
    }

    #[test]
    fn commit_ids_are_validated_hex() {
        assert_eq!(CommitId::new("ABCDEF1").unwrap().as_str(), "abcdef1");
        assert!(CommitId::new("xyz1234").is_none());
        assert!(CommitId::new("abc").is_none());
        let id = CommitId::from_oid(
            git2::Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap(),
        );
        assert_eq!(id.as_str(), "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(id.short(), "0123456");
    }
}
