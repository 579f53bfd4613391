//! The values the caller builds from git: commits, releases and the history they form.
//!
//! Nothing here reads git. The caller (the `slipway` CLI, through `gitops`) walks the
//! repository and converts what it finds into these plain values.

use std::fmt;

use serde::Serialize;
use versioning::Version;

/// One commit, as the caller read it from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The full object id in hex (40 characters for SHA-1, 64 for SHA-256).
    pub id: String,
    /// The whole commit message: summary line, blank line, body and trailers.
    pub message: String,
    /// Who wrote the change.
    pub author: Signature,
    /// When the change was written (the author time).
    pub time: Time,
    /// How many parents the commit has; more than one makes it a merge commit.
    pub parent_count: usize,
    /// The parents' full ids, first parent first, when the caller knows them (empty: unknown).
    ///
    /// They tell which commits a merge brought in, so that a merge listed by its pull request's
    /// title does not also list its branch's non-conventional commits.
    pub parents: Vec<String>,
    /// `git patch-id --stable` of the commit's diff, when the caller computed it.
    ///
    /// Two commits with the same patch id are the same change (a cherry-pick).
    pub patch_id: Option<String>,
    /// The paths the commit touched, when the caller computed them.
    ///
    /// `None` means "unknown": path filters then keep the commit.
    pub paths: Option<Vec<String>>,
}

impl Commit {
    /// A commit with the given id and message, authored by nobody at the epoch, with one parent.
    ///
    /// Handy for tests and for callers that only know messages.
    pub fn new(id: impl Into<String>, message: impl Into<String>) -> Commit {
        Commit {
            id: id.into(),
            message: message.into(),
            author: Signature::default(),
            time: Time::default(),
            parent_count: 1,
            parents: Vec::new(),
            patch_id: None,
            paths: None,
        }
    }

    /// The first line of the message.
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }

    /// The first seven characters of the id, as git abbreviates it.
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }
}

pub(crate) fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// A name and an e-mail address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signature {
    /// The display name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
}

/// A point in time as git stores it: seconds since the Unix epoch and the writer's UTC offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Time {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// The offset from UTC in minutes (`+0100` is 60).
    pub offset_minutes: i32,
}

impl Time {
    /// The civil date at this time in the writer's time zone.
    pub fn date(self) -> Date {
        Date::from_unix(self.seconds, self.offset_minutes)
    }
}

/// A civil (proleptic Gregorian) date, displayed as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, e.g. 2026.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
}

impl Date {
    /// The date of a Unix timestamp shifted by a UTC offset in minutes.
    ///
    /// ```
    /// use changelog::Date;
    /// assert_eq!(Date::from_unix(1_795_219_200, 0).to_string(), "2026-11-21");
    /// // One minute before midnight UTC is already the next day at +01:00.
    /// assert_eq!(Date::from_unix(1_795_219_200 - 60, 60).to_string(), "2026-11-21");
    /// assert_eq!(Date::from_unix(1_795_219_200 - 60, 0).to_string(), "2026-11-20");
    /// ```
    pub fn from_unix(seconds: i64, offset_minutes: i32) -> Date {
        let local = seconds.saturating_add(i64::from(offset_minutes) * 60);
        let days = local.div_euclid(86_400);
        civil_from_days(days)
    }
}

/// Howard Hinnant's `civil_from_days`: exact for every day in the `i64` range we accept.
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date {
        year: year.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        month: u8::try_from(month).expect("a month is 1 to 12"),
        day: u8::try_from(day).expect("a day is 1 to 31"),
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A tag the caller found, with the commits it adds over the previous tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version the tag names, or `None` when the tag is not a release tag
    /// (it did not match the tag pattern or did not parse as a version).
    ///
    /// Releases without a version are not shown: their commits belong to the next newer release.
    pub version: Option<Version>,
    /// The tag name, e.g. `v1.2.0`; used in compare links.
    pub tag: String,
    /// The id of the commit the tag points to (peeled), used to recognise several tags on one commit.
    pub target: String,
    /// The release date, usually the tagger date or the tagged commit's date.
    pub date: Date,
    /// The commits in `previous tag..this tag`, newest first.
    pub commits: Vec<Commit>,
}

/// The whole input: the commits since the newest tag, and every tag with its commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The commits after the newest release tag, newest first.
    pub unreleased: Vec<Commit>,
    /// The releases, newest first (by version precedence or by topology; see the crate docs).
    pub releases: Vec<Release>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_around_the_epoch_leap_days_and_offsets() {
        let check = |seconds: i64, offset: i32, expected: &str| {
            assert_eq!(
                Date::from_unix(seconds, offset).to_string(),
                expected,
                "{seconds} {offset}"
            );
        };
        check(0, 0, "1970-01-01");
        check(-1, 0, "1969-12-31");
        check(951_782_400, 0, "2000-02-29");
        check(951_782_400 - 1, 0, "2000-02-28");
        check(4_107_542_400, 0, "2100-03-01");
        check(1_795_219_200, -60, "2026-11-20");
        check(1_795_219_200 + 86_399, 0, "2026-11-21");
    }
}
