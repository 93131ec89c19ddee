//! Image File Directories: the chain of IFDs and typed access to their entries.

use std::collections::HashSet;

use crate::header::{Flavor, TiffBytes};
use crate::Result;

/// Most IFDs the chain may hold (loops and runaway chains stop here).
const MAX_IFDS: usize = 4096;
/// Most entries one IFD may hold.
const MAX_ENTRIES: u64 = 4096;
/// Largest tag value read, in bytes (an offset array of 32 M tiles).
const MAX_VALUE_BYTES: u64 = 256 << 20;

/// One IFD entry: tag, field type, count and where the value lives.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Tag number.
    pub(crate) tag: u16,
    /// TIFF field type (3 = SHORT, 4 = LONG, 12 = DOUBLE, 16 = LONG8, ...).
    pub(crate) typ: u16,
    /// Number of values.
    pub(crate) count: u64,
    /// The value bytes when they fit in the entry, else `None`.
    inline: Option<Vec<u8>>,
    /// Offset of the value when it does not fit.
    offset: u64,
}

/// Size in bytes of one value of TIFF field type `typ`; `None` for unknown types.
fn type_size(typ: u16) -> Option<u64> {
    Some(match typ {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 | 16 | 17 | 18 => 8,
        _ => return None,
    })
}

/// One IFD: its position and entries sorted by tag.
#[derive(Debug, Clone)]
pub(crate) struct Ifd {
    /// Index in the chain (0 = first).
    pub(crate) index: usize,
    entries: Vec<Entry>,
}

impl Ifd {
    /// The entry for `tag`.
    pub(crate) fn entry(&self, tag: u16) -> Option<&Entry> {
        self.entries
            .binary_search_by_key(&tag, |e| e.tag)
            .ok()
            .map(|i| &self.entries[i])
    }
}

/// Reads the whole IFD chain starting at the header's first IFD.
pub(crate) fn read_chain(file: &TiffBytes) -> Result<Vec<Ifd>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut next = file.first_ifd;
    while next != 0 {
        if !seen.insert(next) {
            return Err(file.invalid(format!("the IFD chain loops back to byte {next}")));
        }
        if out.len() >= MAX_IFDS {
            return Err(file.invalid(format!("more than {MAX_IFDS} IFDs")));
        }
        let (ifd, following) = read_ifd(file, next, out.len())?;
        out.push(ifd);
        next = following;
    }
    if out.is_empty() {
        return Err(file.invalid("the file has no IFD"));
    }
    Ok(out)
}

/// Reads the IFD at `offset`; returns it and the offset of the next one (0 = none).
fn read_ifd(file: &TiffBytes, offset: u64, index: usize) -> Result<(Ifd, u64)> {
    let what = || format!("IFD {index} at byte {offset}");
    let (count_bytes, entry_bytes) = match file.flavor {
        Flavor::Classic => (2u64, 12u64),
        Flavor::Big => (8, 20),
    };
    let head = file.bytes(offset, count_bytes, &what)?;
    let n = match file.flavor {
        Flavor::Classic => u64::from(file.u16_at(&head)),
        Flavor::Big => file.u64_at(&head),
    };
    if n > MAX_ENTRIES {
        return Err(file.invalid(format!("{} claims {n} entries", what())));
    }
    let off_bytes = file.flavor.offset_bytes();
    let body_len = n * entry_bytes + off_bytes as u64;
    let body = file.bytes(offset + count_bytes, body_len, &what)?;
    let mut entries = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for raw in body.chunks_exact(usize::try_from(entry_bytes).unwrap_or(12)) {
        let tag = file.u16_at(&raw[0..2]);
        let typ = file.u16_at(&raw[2..4]);
        let (count, value) = match file.flavor {
            Flavor::Classic => (u64::from(file.u32_at(&raw[4..8])), &raw[8..12]),
            Flavor::Big => (file.u64_at(&raw[4..12]), &raw[12..20]),
        };
        let Some(size) = type_size(typ) else {
            tracing::debug!(tag, typ, "skipping an IFD entry of unknown type");
            continue;
        };
        let total = count.saturating_mul(size);
        let (inline, offset) = if total <= value.len() as u64 {
            (
                Some(value[..usize::try_from(total).unwrap_or(0)].to_vec()),
                0,
            )
        } else {
            (None, file.offset_at(value))
        };
        entries.push(Entry {
            tag,
            typ,
            count,
            inline,
            offset,
        });
    }
    entries.sort_by_key(|e| e.tag);
    entries.dedup_by_key(|e| e.tag);
    let tail = &body[body.len() - off_bytes..];
    let next = file.offset_at(tail);
    Ok((Ifd { index, entries }, next))
}

/// Typed reads of entry values.
impl TiffBytes {
    /// The raw bytes of `entry`'s value.
    fn value_bytes(&self, ifd: &Ifd, entry: &Entry) -> Result<Vec<u8>> {
        if let Some(b) = &entry.inline {
            return Ok(b.clone());
        }
        let size = type_size(entry.typ).unwrap_or(1);
        let what = || format!("tag {} of IFD {}", entry.tag, ifd.index);
        let total = entry
            .count
            .checked_mul(size)
            .filter(|&t| t <= MAX_VALUE_BYTES && t <= self.len())
            .ok_or_else(|| self.invalid(format!("{} claims {} values", what(), entry.count)))?;
        Ok(self.bytes(entry.offset, total, &what)?.into_owned())
    }

    /// The values of an integer tag (BYTE, SHORT, LONG, LONG8, IFD and signed variants).
    pub(crate) fn uints(&self, ifd: &Ifd, tag: u16) -> Result<Option<Vec<u64>>> {
        let Some(e) = ifd.entry(tag) else {
            return Ok(None);
        };
        let b = self.value_bytes(ifd, e)?;
        #[allow(clippy::cast_sign_loss)]
        let v = match e.typ {
            1 | 7 => b.iter().map(|&x| u64::from(x)).collect(),
            6 => b.iter().map(|&x| x as i8 as u64).collect(),
            3 => b
                .chunks_exact(2)
                .map(|c| u64::from(self.u16_at(c)))
                .collect(),
            8 => b
                .chunks_exact(2)
                .map(|c| self.u16_at(c) as i16 as u64)
                .collect(),
            4 | 13 => b
                .chunks_exact(4)
                .map(|c| u64::from(self.u32_at(c)))
                .collect(),
            9 => b
                .chunks_exact(4)
                .map(|c| self.u32_at(c) as i32 as u64)
                .collect(),
            16..=18 => b.chunks_exact(8).map(|c| self.u64_at(c)).collect(),
            t => {
                return Err(self.invalid(format!(
                    "tag {tag} of IFD {} has type {t}, expected an integer type",
                    ifd.index
                )))
            }
        };
        Ok(Some(v))
    }

    /// The first value of an integer tag.
    pub(crate) fn uint(&self, ifd: &Ifd, tag: u16) -> Result<Option<u64>> {
        Ok(self.uints(ifd, tag)?.and_then(|v| v.first().copied()))
    }

    /// The values of a numeric tag as `f64` (DOUBLE, FLOAT, RATIONAL or integers).
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
    pub(crate) fn floats(&self, ifd: &Ifd, tag: u16) -> Result<Option<Vec<f64>>> {
        let Some(e) = ifd.entry(tag) else {
            return Ok(None);
        };
        let b = self.value_bytes(ifd, e)?;
        let v = match e.typ {
            12 => b
                .chunks_exact(8)
                .map(|c| f64::from_bits(self.u64_at(c)))
                .collect(),
            11 => b
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_bits(self.u32_at(c))))
                .collect(),
            5 => b
                .chunks_exact(8)
                .map(|c| f64::from(self.u32_at(&c[..4])) / f64::from(self.u32_at(&c[4..])))
                .collect(),
            10 => b
                .chunks_exact(8)
                .map(|c| {
                    f64::from(self.u32_at(&c[..4]) as i32) / f64::from(self.u32_at(&c[4..]) as i32)
                })
                .collect(),
            17 => b
                .chunks_exact(8)
                .map(|c| self.u64_at(c) as i64 as f64)
                .collect(),
            _ => self
                .uints(ifd, tag)?
                .unwrap_or_default()
                .into_iter()
                .map(|x| x as f64)
                .collect(),
        };
        Ok(Some(v))
    }

    /// The text of an ASCII tag, up to the first NUL.
    pub(crate) fn ascii(&self, ifd: &Ifd, tag: u16) -> Result<Option<String>> {
        let Some(e) = ifd.entry(tag) else {
            return Ok(None);
        };
        let b = self.value_bytes(ifd, e)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        Ok(Some(String::from_utf8_lossy(&b[..end]).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_sizes() {
        assert_eq!(type_size(3), Some(2));
        assert_eq!(type_size(16), Some(8));
        assert_eq!(type_size(99), None);
    }
}
