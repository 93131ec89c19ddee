/// Errors of static-catalog work; each names the file, URL or template it failed on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file or URL could not be read.
    #[error("cannot read STAC file `{href}`")]
    Read {
        /// Path or URL.
        href: String,
        /// The storage error.
        #[source]
        source: rsdat_storage::Error,
    },
    /// A link points at a file that cannot be read.
    #[error("`{from}` links to `{href}` (rel `{rel}`), which cannot be read; fix the link or restore the file")]
    BrokenLink {
        /// The file holding the link.
        from: String,
        /// The link's `rel`.
        rel: String,
        /// The absolute target.
        href: String,
        /// Why it could not be read.
        #[source]
        source: Box<Error>,
    },
    /// The bytes are not JSON.
    #[error("`{href}` is not valid JSON: {source}")]
    Json {
        /// Path or URL.
        href: String,
        /// The parser's error (line and column).
        source: serde_json::Error,
    },
    /// JSON that is not a STAC object rsdat can use.
    #[error("`{href}` is not a valid STAC {kind}: {reason}")]
    Invalid {
        /// Path or URL.
        href: String,
        /// What it claims to be.
        kind: String,
        /// What is wrong.
        reason: String,
    },
    /// A STAC object of the wrong type where a link expects another.
    #[error("`{href}` is a {found}, but {expected} was expected there{context}")]
    WrongType {
        /// Path or URL.
        href: String,
        /// The object's type (`Catalog`, `Collection`, `Feature`, or what the file says).
        found: String,
        /// What the context needs.
        expected: &'static str,
        /// Where it was linked from, when it was.
        context: String,
    },
    /// A layout template that cannot be used.
    #[error("bad template `{template}`: {reason}")]
    Template {
        /// The template.
        template: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Writing a catalog file failed.
    #[error("cannot write `{path}`")]
    Write {
        /// The file or directory.
        path: String,
        /// The storage error.
        #[source]
        source: rsdat_storage::Error,
    },
    /// A catalog that cannot be saved where asked.
    #[error("cannot save to `{href}`: {reason}")]
    Save {
        /// The target HREF.
        href: String,
        /// Why.
        reason: String,
    },
    /// An object has no asset with the key asked for.
    #[error("`{object}` has no asset `{key}` (has: {found})")]
    NoAsset {
        /// The item or collection (self HREF, else id).
        object: String,
        /// The asset key asked for.
        key: String,
        /// The keys it has, comma-separated.
        found: String,
    },
    /// The items could not be put in a file format's columns.
    #[error("cannot write the items to `{path}` as {format}")]
    Encode {
        /// The file (or `stdout`).
        path: String,
        /// The format (`stac-geoparquet`, `ItemCollection JSON`).
        format: &'static str,
        /// The encoder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A file that cannot be read as the set of items its name or content says it is.
    #[error("`{href}` is not a readable {format} file{hint}")]
    Decode {
        /// Path or URL.
        href: String,
        /// The format (`stac-geoparquet`).
        format: &'static str,
        /// What to do about it.
        hint: &'static str,
        /// The decoder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Nothing to write in a format whose columns come from the items.
    #[error(
        "no items to write to `{path}`: {format} needs at least one item (its columns come \
         from the items' fields), so nothing was written; widen the search, or write a \
         `.json` file for an empty ItemCollection"
    )]
    NoItems {
        /// The file asked for.
        path: String,
        /// The format.
        format: &'static str,
    },
    /// A file format that this build leaves out.
    #[error(
        "`{path}`: {format} files are not built into this program; rebuild it with the cargo \
         feature `{feature}` (on by default in the rsdat binary) or use a `.json` file"
    )]
    FormatNotBuilt {
        /// The file asked for.
        path: String,
        /// The format.
        format: &'static str,
        /// The cargo feature that brings it.
        feature: &'static str,
    },
    /// A file name whose extension names no format of item sets.
    #[error(
        "unknown file type `{path}`: a set of items is a `.json` file (an ItemCollection) or a \
         `.parquet` file (stac-geoparquet)"
    )]
    UnknownFormat {
        /// The file name.
        path: String,
    },
    /// Invalid options (ranges, lists, names).
    #[error("{0}")]
    Input(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
