use std::path::PathBuf;

use crate::{Error, Result};

/// A parsed storage location.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A local file (plain path or `file://`).
    Path(PathBuf),
}

impl Location {
    /// Parses a path or URL.
    ///
    /// # Errors
    /// [`Error::UnsupportedScheme`] for an unknown `scheme://`.
    pub fn parse(url: &str) -> Result<Self> {
        if let Some(rest) = url.strip_prefix("file://") {
            return Ok(Self::Path(PathBuf::from(rest)));
        }
        match url.split_once("://") {
            Some((scheme, _))
                if scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+') =>
            {
                Err(Error::UnsupportedScheme {
                    url: url.to_owned(),
                })
            }
            _ => Ok(Self::Path(PathBuf::from(url))),
        }
    }
}
