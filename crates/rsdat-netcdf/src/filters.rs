//! Faster HDF5 filter implementations registered in place of the reader's built-ins.

use std::cell::Cell;

use hdf5_reader::messages::filter_pipeline::FilterDescription;
use hdf5_reader::FilterRegistry;
use libdeflater::{DecompressionError, Decompressor};

/// HDF5 filter id of deflate (zlib).
const DEFLATE: u16 = 1;
/// HDF5 filter id of shuffle.
const SHUFFLE: u16 = 2;

/// Largest inflated chunk accepted: the reader's own default chunk limit
/// (`hdf5_reader::DEFAULT_MAX_CHUNK_BYTES`), which it checks again on the output.
const MAX_INFLATED_BYTES: usize = hdf5_reader::DEFAULT_MAX_CHUNK_BYTES + 1;

/// The reader's filters with rsdat's inflate and unshuffle. Daymet stores float32 with
/// shuffle + deflate, and these two are the whole cost of a read: libdeflate inflates about
/// 25 % faster than `flate2` with zlib-rs, and the unshuffle here is several times faster
/// than the built-in one on 4- and 8-byte elements.
pub(crate) fn registry() -> FilterRegistry {
    let mut r = FilterRegistry::new();
    r.register(
        DEFLATE,
        Box::new(|_: &FilterDescription, data: &[u8], _: usize| {
            inflate(data).map_err(|reason| {
                hdf5_reader::error::Error::DecompressionError(format!("DEFLATE: {reason}"))
            })
        }),
    );
    r.register(
        SHUFFLE,
        Box::new(|_: &FilterDescription, data: &[u8], size: usize| Ok(unshuffle(data, size))),
    );
    r
}

thread_local! {
    /// Inflated size of the last chunk on this thread: chunks of one variable have one size,
    /// so it is the right first guess for the next output buffer.
    static LAST_INFLATED: Cell<usize> = const { Cell::new(0) };
}

/// Inflates a zlib stream with libdeflate (whole-buffer: the output buffer must be big
/// enough, so it starts at the last chunk's size and doubles until the stream fits).
///
/// # Errors
/// libdeflate's message for a damaged stream, or when the output would pass the limit.
pub(crate) fn inflate(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut d = Decompressor::new();
    let mut cap = LAST_INFLATED
        .with(Cell::get)
        .max(data.len().saturating_mul(4))
        .max(4096);
    loop {
        let mut out = vec![0_u8; cap];
        match d.zlib_decompress(data, &mut out) {
            Ok(n) => {
                out.truncate(n);
                LAST_INFLATED.with(|c| c.set(n));
                return Ok(out);
            }
            Err(DecompressionError::InsufficientSpace) if cap < MAX_INFLATED_BYTES => {
                cap = cap.saturating_mul(2).min(MAX_INFLATED_BYTES);
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Reverses the HDF5 shuffle: byte planes (all first bytes, then all second bytes, ...)
/// back to whole elements. Trailing bytes that form no element are copied as they are.
pub(crate) fn unshuffle(data: &[u8], size: usize) -> Vec<u8> {
    let n = data.len().checked_div(size).unwrap_or(0);
    if size <= 1 || n == 0 {
        return data.to_vec();
    }
    let mut out = vec![0_u8; data.len()];
    let whole = n * size;
    match size {
        4 => {
            let (p0, rest) = data.split_at(n);
            let (p1, rest) = rest.split_at(n);
            let (p2, p3) = rest.split_at(n);
            for ((((o, &a), &b), &c), &d) in out[..whole]
                .chunks_exact_mut(4)
                .zip(p0)
                .zip(p1)
                .zip(p2)
                .zip(&p3[..n])
            {
                o.copy_from_slice(&[a, b, c, d]);
            }
        }
        8 => {
            let planes: Vec<&[u8]> = data[..whole].chunks_exact(n).collect();
            for (i, o) in out[..whole].chunks_exact_mut(8).enumerate() {
                for (k, plane) in planes.iter().enumerate() {
                    o[k] = plane[i];
                }
            }
        }
        _ => {
            for (k, plane) in data[..whole].chunks_exact(n).enumerate() {
                for (o, &b) in out[k..whole].iter_mut().step_by(size).zip(plane) {
                    *o = b;
                }
            }
        }
    }
    out[whole..].copy_from_slice(&data[whole..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shuffle(data: &[u8], size: usize) -> Vec<u8> {
        let n = data.len() / size;
        let mut out = Vec::with_capacity(data.len());
        for k in 0..size {
            out.extend((0..n).map(|i| data[i * size + k]));
        }
        out.extend_from_slice(&data[n * size..]);
        out
    }

    #[test]
    fn inflate_matches_flate2() {
        use std::io::Write;
        let data: Vec<u8> = (0..200_000_u32)
            .flat_map(|i| (i / 7).to_le_bytes())
            .collect();
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(4));
        enc.write_all(&data).expect("compress");
        let z = enc.finish().expect("finish");
        assert_eq!(inflate(&z).expect("inflate"), data);
        // A smaller chunk after a bigger one, then a bigger one again (buffer grows).
        assert!(inflate(&z[..0]).is_err(), "empty stream");
        let small = &data[..1000];
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(4));
        enc.write_all(small).expect("compress");
        assert_eq!(
            inflate(&enc.finish().expect("finish")).expect("inflate"),
            small
        );
        assert_eq!(inflate(&z).expect("inflate"), data);
        assert!(inflate(&z[..z.len() / 2]).is_err(), "truncated stream");
    }

    proptest! {
        #[test]
        fn unshuffle_inverts_shuffle(data in proptest::collection::vec(any::<u8>(), 0..300), size in 1usize..10) {
            prop_assert_eq!(unshuffle(&shuffle(&data, size), size), data);
        }
    }
}
