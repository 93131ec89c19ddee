//! The TIFF header and byte access through a prefetched head of the file.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use rsdat_storage::ReadStore;

use crate::{Error, Result};

/// Bytes fetched at open: the header and, in a COG, every IFD and tag array
/// (GDAL fetches the same amount from `/vsicurl/`).
pub(crate) const HEAD_BYTES: u64 = 16 * 1024;

/// Classic TIFF (32-bit offsets) or BigTIFF (64-bit offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Classic,
    Big,
}

impl Flavor {
    /// Bytes of an offset field.
    pub(crate) fn offset_bytes(self) -> usize {
        match self {
            Self::Classic => 4,
            Self::Big => 8,
        }
    }
}

/// A TIFF file reached through a [`ReadStore`], with its first bytes cached.
#[derive(Debug)]
pub(crate) struct TiffBytes {
    store: Arc<dyn ReadStore>,
    len: u64,
    head: Vec<u8>,
    /// True for `MM` (big-endian) files.
    pub(crate) big_endian: bool,
    /// Classic or BigTIFF.
    pub(crate) flavor: Flavor,
    /// Offset of the first IFD.
    pub(crate) first_ifd: u64,
}

impl TiffBytes {
    /// Reads and checks the header.
    pub(crate) fn open(store: Arc<dyn ReadStore>) -> Result<Self> {
        let location = store.location().to_owned();
        let len = store
            .len()
            .map_err(|e| Error::storage(&location, "the file size", e))?;
        let head = store
            .get_range(0..len.min(HEAD_BYTES))
            .map_err(|e| Error::storage(&location, "the header", e))?;
        let magic: Vec<u8> = head.iter().take(4).copied().collect();
        let not_tiff = || Error::NotTiff {
            location: location.clone(),
            magic: magic.clone(),
        };
        let big_endian = match head.get(0..2) {
            Some(b"II") => false,
            Some(b"MM") => true,
            _ => return Err(not_tiff()),
        };
        let mut me = Self {
            store,
            len,
            head,
            big_endian,
            flavor: Flavor::Classic,
            first_ifd: 0,
        };
        let magic = me
            .head
            .get(2..4)
            .map(|b| me.u16_at(b))
            .ok_or_else(not_tiff)?;
        (me.flavor, me.first_ifd) = match magic {
            42 => {
                let b = me.head.get(4..8).ok_or_else(|| me.short_header())?;
                (Flavor::Classic, u64::from(me.u32_at(b)))
            }
            43 => {
                let b = me.head.get(4..16).ok_or_else(|| me.short_header())?;
                if me.u16_at(&b[0..2]) != 8 || me.u16_at(&b[2..4]) != 0 {
                    return Err(me.invalid("BigTIFF header with offset size other than 8"));
                }
                (Flavor::Big, me.u64_at(&b[4..12]))
            }
            _ => return Err(not_tiff()),
        };
        Ok(me)
    }

    fn short_header(&self) -> Error {
        self.invalid("the header is shorter than 8 bytes")
    }

    /// Where the bytes come from.
    pub(crate) fn location(&self) -> &str {
        self.store.location()
    }

    /// File size in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// An [`Error::Invalid`] naming this file.
    pub(crate) fn invalid(&self, what: impl Into<String>) -> Error {
        Error::Invalid {
            location: self.location().to_owned(),
            what: what.into(),
        }
    }

    /// The bytes `start..start+n`, from the cached head when it holds them.
    /// `what` names the structure for error messages.
    pub(crate) fn bytes(
        &self,
        start: u64,
        n: u64,
        what: &dyn Fn() -> String,
    ) -> Result<Cow<'_, [u8]>> {
        let end = start
            .checked_add(n)
            .ok_or_else(|| self.invalid(format!("{} has an impossible offset", what())))?;
        if end <= self.head.len() as u64 {
            // Both fit in the head, whose length is a usize.
            let r = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
            return Ok(Cow::Borrowed(&self.head[r]));
        }
        self.fetch(start..end, what).map(Cow::Owned)
    }

    /// The bytes in `range`, always from the store.
    fn fetch(&self, range: Range<u64>, what: &dyn Fn() -> String) -> Result<Vec<u8>> {
        self.store
            .get_range(range)
            .map_err(|e| Error::storage(self.location(), what(), e))
    }

    /// A `u16` in the file's byte order.
    pub(crate) fn u16_at(&self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }

    /// A `u32` in the file's byte order.
    pub(crate) fn u32_at(&self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }

    /// A `u64` in the file's byte order.
    pub(crate) fn u64_at(&self, b: &[u8]) -> u64 {
        let a = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
        if self.big_endian {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        }
    }

    /// An offset field (4 or 8 bytes, by flavor).
    pub(crate) fn offset_at(&self, b: &[u8]) -> u64 {
        match self.flavor {
            Flavor::Classic => u64::from(self.u32_at(b)),
            Flavor::Big => self.u64_at(b),
        }
    }
}
