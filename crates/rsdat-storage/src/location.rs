use std::path::PathBuf;

use crate::{Error, Result};

/// A parsed storage location: which backend serves it, and its address there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A local file (plain path or `file://`).
    Path(PathBuf),
    /// An `http://` or `https://` URL, served by range requests.
    Http(String),
    /// A `webdav://` or `webdavs://` URL (a WebDAV door); served by [`crate::WebDav`].
    WebDav(String),
    /// A `dcache://` URL; served by [`crate::WebDav`].
    Dcache(String),
}

impl Location {
    /// Parses a path or URL. Scheme names are case-insensitive; anything without
    /// `scheme://` is a local path.
    ///
    /// # Errors
    /// [`Error::UnsupportedScheme`] for an unknown `scheme://`, [`Error::InvalidUrl`] for a
    /// URL without a host.
    pub fn parse(url: &str) -> Result<Self> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Ok(Self::Path(PathBuf::from(url)));
        };
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            // `a/b://c` or `://x` is a strange file name, not a URL.
            return Ok(Self::Path(PathBuf::from(url)));
        }
        let scheme = scheme.to_ascii_lowercase();
        if scheme == "file" {
            // `file:///abs/path` and `file://localhost/abs/path`.
            let path = rest
                .strip_prefix("localhost")
                .filter(|p| p.starts_with('/'))
                .unwrap_or(rest);
            return Ok(Self::Path(PathBuf::from(path)));
        }
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let remote = |make: fn(String) -> Self| {
            if host.is_empty() {
                Err(Error::InvalidUrl {
                    url: url.to_owned(),
                    reason: "no host after `://`",
                })
            } else {
                Ok(make(url.to_owned()))
            }
        };
        match scheme.as_str() {
            "http" | "https" => remote(Self::Http),
            "webdav" | "webdavs" => remote(Self::WebDav),
            "dcache" => remote(Self::Dcache),
            _ => Err(Error::UnsupportedScheme {
                url: url.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn paths_and_file_urls() {
        let p = |s: &str| Location::Path(PathBuf::from(s));
        assert_eq!(Location::parse("a/b.nc").unwrap(), p("a/b.nc"));
        assert_eq!(Location::parse("/x/y.tif").unwrap(), p("/x/y.tif"));
        assert_eq!(Location::parse("file:///x/y.tif").unwrap(), p("/x/y.tif"));
        assert_eq!(
            Location::parse("file://localhost/x/y.tif").unwrap(),
            p("/x/y.tif")
        );
        assert_eq!(Location::parse("FILE:///x").unwrap(), p("/x"));
    }

    #[test]
    fn http_urls() {
        for url in ["http://h/x.nc", "https://h:8080/a?b=c", "HTTPS://h"] {
            assert_eq!(
                Location::parse(url).unwrap(),
                Location::Http(url.to_owned())
            );
        }
        let err = Location::parse("http:///x").unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{err}");
        assert!(err.to_string().contains("`http:///x`"), "{err}");
    }

    #[test]
    fn webdav_and_dcache() {
        assert_eq!(
            Location::parse("webdavs://door:2880/pnfs/x").unwrap(),
            Location::WebDav("webdavs://door:2880/pnfs/x".into())
        );
        assert_eq!(
            Location::parse("dcache://pnfs/x").unwrap(),
            Location::Dcache("dcache://pnfs/x".into())
        );
    }

    #[test]
    fn unknown_scheme() {
        let err = Location::parse("gopher://h/x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported URL scheme in `gopher://h/x`; use a local path, file://, http(s)://, webdav(s):// or dcache://"
        );
    }
}
