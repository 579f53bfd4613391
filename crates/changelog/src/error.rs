//! Errors: a configuration that does not compile, and a user template that fails.

/// What can go wrong in this crate. Building and rendering the built-in formats cannot fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filter pattern in the configuration is not a valid regular expression.
    #[error(
        "invalid changelog filter pattern `{pattern}` for the {field}; fix it in the changelog configuration"
    )]
    InvalidFilter {
        /// The field the filter applies to (`subject`, `type`, `scope`).
        field: &'static str,
        /// The pattern as written.
        pattern: String,
        /// Why it does not compile.
        #[source]
        source: regex::Error,
    },
    /// A path glob in the configuration cannot be translated.
    #[error("invalid changelog path glob `{glob}`; fix it in the changelog configuration")]
    InvalidPathGlob {
        /// The glob as written.
        glob: String,
        /// Why it does not compile.
        #[source]
        source: regex::Error,
    },
    /// A user template does not parse or fails while rendering.
    #[error(
        "changelog template `{name}` failed; check it against the JSON schema in the crate docs"
    )]
    Template {
        /// The template's name (usually its file name).
        name: String,
        /// The template engine's error, with line information.
        #[source]
        source: minijinja::Error,
    },
    /// Writing the output failed (the writer returned an error).
    #[error("writing the changelog failed")]
    Write(#[source] std::fmt::Error),
}

/// Why an existing changelog cannot be merged into. The caller names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unmergeable {
    /// A NUL byte: the file is binary.
    #[error(
        "it is a binary file (a NUL byte at offset {offset}), not Markdown: point the changelog setting at a text file"
    )]
    Binary {
        /// The byte offset of the first NUL.
        offset: usize,
    },
    /// Bytes that are not UTF-8.
    #[error(
        "it is not UTF-8 (line {line} has a byte that is not): convert it, e.g. `iconv -f latin1 -t utf-8`"
    )]
    NotUtf8 {
        /// The 1-based line of the first invalid byte.
        line: usize,
    },
    /// Conflict markers of an unresolved merge.
    #[error(
        "it has git conflict markers (line {line}: {text:?}): resolve the conflict and commit the file first"
    )]
    ConflictMarkers {
        /// The 1-based line of the first marker.
        line: usize,
        /// That line.
        text: String,
    },
}
