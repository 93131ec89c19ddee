use std::fmt;
use std::str::FromStr;

/// The Zarr format version of a store.
///
/// The default is [`ZarrFormat::V3`]: xarray 2025.x with zarr-python 3 writes Zarr v3 unless
/// `zarr_format=2` is passed to `to_zarr`, and reads both. Pick [`ZarrFormat::V2`] for readers
/// stuck on zarr-python 2 (or other v2-only tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ZarrFormat {
    /// Zarr v2: `.zgroup`, `.zarray`, `.zattrs`, `_ARRAY_DIMENSIONS`, `.zmetadata`.
    V2,
    /// Zarr v3: `zarr.json` with `dimension_names` and inline consolidated metadata.
    #[default]
    V3,
}

impl ZarrFormat {
    /// The number in `zarr_format` (2 or 3).
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            Self::V2 => 2,
            Self::V3 => 3,
        }
    }
}

impl fmt::Display for ZarrFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.number())
    }
}

impl FromStr for ZarrFormat {
    type Err = String;

    /// Parses `2`, `3`, `v2` or `v3`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().trim_start_matches(['v', 'V']) {
            "2" => Ok(Self::V2),
            "3" => Ok(Self::V3),
            _ => Err(format!("unknown Zarr format `{s}` (use 2 or 3)")),
        }
    }
}

/// How chunks are compressed.
///
/// The default, zstd level 3, is what zarr-python 3 writes for v3 (its `level: 0` means
/// libzstd's default, 3) and reads for v2 through numcodecs. Blosc needs the `blosc` cargo
/// feature (on by default; it compiles the C library).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// No compressor.
    None,
    /// Zstandard at `level` (1..=22; 0 means the library default).
    Zstd {
        /// Compression level.
        level: i32,
    },
    /// gzip at `level` (0..=9).
    Gzip {
        /// Compression level.
        level: u32,
    },
    /// Blosc with the zstd codec and byte shuffle at `level` (0..=9).
    BloscZstd {
        /// Compression level.
        level: u8,
    },
    /// A zlib stream at `level` (0..=9), after a byte shuffle of whole elements when
    /// `shuffle`, i.e. HDF5's shuffle + deflate: numcodecs' `shuffle` and `zlib` codecs in
    /// Zarr v2, the core `blosc` codec with `cname: "zlib"` in Zarr v3 (a one-block Blosc
    /// chunk holds the same zlib stream). [`Compression::Keep`] picks it for NetCDF-4
    /// variables stored that way.
    Zlib {
        /// Compression level.
        level: u32,
        /// Byte shuffle before compressing.
        shuffle: bool,
    },
    /// Copy the source's stored chunks as they are, without decoding and re-encoding them,
    /// for every array whose source offers them in an encoding Zarr has codecs for
    /// ([`rsdat_model::Source::stored_encoding`]: NetCDF-4 deflate with or without shuffle
    /// becomes [`Compression::Zlib`]) and whose output chunks equal the source's. Other
    /// arrays are written with the default, zstd level 3.
    Keep,
}

impl Compression {
    /// The compressor an array is actually written with: [`Compression::Keep`], a policy,
    /// stands for the default.
    #[must_use]
    pub(crate) fn concrete(self) -> Self {
        match self {
            Self::Keep => Self::default(),
            other => other,
        }
    }
}

impl Default for Compression {
    fn default() -> Self {
        Self::Zstd { level: 3 }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Zstd { level } => write!(f, "zstd:{level}"),
            Self::Gzip { level } => write!(f, "gzip:{level}"),
            Self::BloscZstd { level } => write!(f, "blosc-zstd:{level}"),
            Self::Zlib { level, shuffle } => {
                write!(f, "{}zlib:{level}", if *shuffle { "shuffle-" } else { "" })
            }
            Self::Keep => f.write_str("keep"),
        }
    }
}

impl FromStr for Compression {
    type Err = String;

    /// Parses `none`, `zstd[:LEVEL]`, `gzip[:LEVEL]`, `blosc[-zstd][:LEVEL]`,
    /// `shuffle-zlib[:LEVEL]` or `keep`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, level) = match s.split_once(':') {
            Some((n, l)) => (n, Some(l)),
            None => (s, None),
        };
        let bad = || {
            format!(
                "invalid compression `{s}` (use none, zstd[:1-22], gzip[:0-9], blosc-zstd[:0-9], shuffle-zlib[:0-9] or keep)"
            )
        };
        let num = |default: i64, max: i64| -> Result<i64, String> {
            match level {
                None => Ok(default),
                Some(l) => l
                    .parse::<i64>()
                    .ok()
                    .filter(|&v| (0..=max).contains(&v))
                    .ok_or_else(bad),
            }
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "none" | "raw" if level.is_none() => Ok(Self::None),
            "keep" if level.is_none() => Ok(Self::Keep),
            "shuffle-zlib" => Ok(Self::Zlib {
                level: u32::try_from(num(4, 9)?).map_err(|_| bad())?,
                shuffle: true,
            }),
            "zstd" => Ok(Self::Zstd {
                level: i32::try_from(num(3, 22)?).map_err(|_| bad())?,
            }),
            "gzip" | "zlib" => Ok(Self::Gzip {
                level: u32::try_from(num(5, 9)?).map_err(|_| bad())?,
            }),
            "blosc" | "blosc-zstd" => Ok(Self::BloscZstd {
                level: u8::try_from(num(5, 9)?).map_err(|_| bad())?,
            }),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats_and_compressions() {
        assert_eq!("2".parse(), Ok(ZarrFormat::V2));
        assert_eq!("v3".parse(), Ok(ZarrFormat::V3));
        assert!("4".parse::<ZarrFormat>().is_err());
        assert_eq!(ZarrFormat::default(), ZarrFormat::V3);
        assert_eq!("zstd".parse(), Ok(Compression::Zstd { level: 3 }));
        assert_eq!("gzip:9".parse(), Ok(Compression::Gzip { level: 9 }));
        assert_eq!("blosc".parse(), Ok(Compression::BloscZstd { level: 5 }));
        assert_eq!("none".parse(), Ok(Compression::None));
        assert!("gzip:10".parse::<Compression>().is_err());
        assert!("lz4".parse::<Compression>().is_err());
        assert_eq!("keep".parse(), Ok(Compression::Keep));
        assert!("keep:1".parse::<Compression>().is_err());
        let z = Compression::Zlib {
            level: 4,
            shuffle: true,
        };
        assert_eq!("shuffle-zlib".parse(), Ok(z));
        assert_eq!(z.to_string().parse(), Ok(z));
        assert_eq!(Compression::Keep.concrete(), Compression::default());
        assert_eq!(Compression::Gzip { level: 4 }.to_string(), "gzip:4");
    }
}
