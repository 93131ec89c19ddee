//! Blosc framing of a zlib stream: a chunk that HDF5 stored as (shuffle +) deflate becomes a
//! valid Blosc chunk, so Zarr v3 stores can copy NetCDF-4 chunks without decoding them and
//! still use only core codecs (`blosc` with `cname: "zlib"`).
//!
//! A Blosc (format version 2) chunk is a 16-byte header, one start offset per block, and per
//! block a 4-byte length before each compressed stream. With one block as large as the chunk
//! and the "don't split" flag, that block holds exactly one stream: the zlib stream of the
//! whole (shuffled) chunk, which is what HDF5's shuffle and deflate filters store.

/// Blosc's format version (c-blosc 1.x writes and reads 2).
const VERSION: u8 = 2;
/// The zlib codec's format version inside Blosc.
const ZLIB_VERSION: u8 = 1;
/// Header flags: byte shuffle.
const SHUFFLE: u8 = 0x01;
/// Header flags: blocks hold one stream each, not one per byte of the element.
const DONT_SPLIT: u8 = 0x10;
/// Header flags: the compressor (bits 5-7), zlib.
const ZLIB: u8 = 3 << 5;
/// Header, one block start and one stream length.
const OVERHEAD: usize = 16 + 4 + 4;
/// The largest block c-blosc accepts.
const MAX_BLOCK: usize = (i32::MAX as usize - 255 * 4) / 3;

/// `stream`, the zlib stream of a chunk of `nbytes` bytes of `typesize`-byte elements
/// (byte-shuffled first when `shuffle`), framed as a one-block Blosc chunk. `None` when Blosc
/// cannot hold it: a chunk larger than its largest block, an element wider than 255 bytes,
/// or a stream exactly as long as the chunk (which Blosc would take for stored bytes).
pub(crate) fn frame_zlib(
    stream: &[u8],
    nbytes: usize,
    typesize: usize,
    shuffle: bool,
) -> Option<Vec<u8>> {
    let typesize = u8::try_from(typesize).ok().filter(|&t| t > 0)?;
    if nbytes == 0 || nbytes > MAX_BLOCK || stream.len() == nbytes {
        return None;
    }
    let total = i32::try_from(OVERHEAD + stream.len()).ok()?;
    let size = i32::try_from(nbytes).ok()?;
    let stream_len = i32::try_from(stream.len()).ok()?;
    let shuffle = if shuffle && typesize > 1 { SHUFFLE } else { 0 };
    let mut out = Vec::with_capacity(OVERHEAD + stream.len());
    out.extend_from_slice(&[VERSION, ZLIB_VERSION, ZLIB | DONT_SPLIT | shuffle, typesize]);
    out.extend_from_slice(&size.to_le_bytes()); // uncompressed bytes
    out.extend_from_slice(&size.to_le_bytes()); // block size: one block
    out.extend_from_slice(&total.to_le_bytes()); // compressed bytes, header included
    out.extend_from_slice(&20_i32.to_le_bytes()); // where block 0 starts
    out.extend_from_slice(&stream_len.to_le_bytes());
    out.extend_from_slice(stream);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_blosc_headers() {
        let f = frame_zlib(&[7; 10], 400, 4, true).expect("framed");
        let word = |i: usize| i32::from_le_bytes([f[i], f[i + 1], f[i + 2], f[i + 3]]);
        assert_eq!(&f[..4], &[2, 1, 0x71, 4]);
        assert_eq!(
            [word(4), word(8), word(12), word(16), word(20)],
            [400, 400, 34, 20, 10]
        );
        assert_eq!(&f[24..], &[7; 10]);
        assert_eq!(frame_zlib(&[7; 10], 400, 1, true).expect("framed")[2], 0x70);
    }

    #[test]
    fn refuses_what_blosc_cannot_hold() {
        assert!(frame_zlib(&[0; 8], 8, 4, false).is_none());
        assert!(frame_zlib(&[0; 8], 0, 4, false).is_none());
        assert!(frame_zlib(&[0; 8], 64, 256, false).is_none());
        assert!(frame_zlib(&[0; 8], MAX_BLOCK + 1, 4, false).is_none());
    }
}
