//! Chunk decompression: none, deflate, LZW, zstd and PackBits.

/// A supported TIFF compression scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// 1: stored as is.
    None,
    /// 5: LZW, MSB-first codes with the TIFF early code-size switch.
    Lzw,
    /// 8 (Adobe) and 32946 (old): zlib-wrapped deflate.
    Deflate,
    /// 32773: Macintosh PackBits run lengths.
    PackBits,
    /// 50000: Zstandard.
    Zstd,
}

/// Name of a TIFF compression code, for messages.
fn code_name(code: u64) -> &'static str {
    match code {
        2 => "CCITT RLE",
        3 => "CCITT Group 3",
        4 => "CCITT Group 4",
        6 => "old-style JPEG",
        7 => "JPEG",
        34661 => "JBIG",
        34676 | 34677 => "SGI LogLuv",
        34712 => "JPEG 2000",
        34887 => "LERC",
        34925 => "LZMA",
        50001 => "WebP",
        50002 | 52546 => "JPEG XL",
        _ => "unknown",
    }
}

impl Compression {
    /// The scheme for TIFF code `code`, or a description of the unsupported one.
    pub(crate) fn from_code(code: u64) -> Result<Self, String> {
        Ok(match code {
            1 => Self::None,
            5 => Self::Lzw,
            8 | 32946 => Self::Deflate,
            32773 => Self::PackBits,
            50000 => Self::Zstd,
            other => return Err(format!("compression {other} ({})", code_name(other))),
        })
    }

    /// Short name as rasterio's profile shows it; `None` when uncompressed.
    pub(crate) fn name(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Lzw => Some("lzw"),
            Self::Deflate => Some("deflate"),
            Self::PackBits => Some("packbits"),
            Self::Zstd => Some("zstd"),
        }
    }

    /// Decompresses `data` into exactly `want` bytes (a chunk's decoded size).
    ///
    /// Output past `want` is ignored; a stream that ends short is an error.
    #[cfg(test)]
    pub(crate) fn decode(self, data: &[u8], want: usize) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        self.decode_into(data, want, &mut out)?;
        Ok(out)
    }

    /// As [`Compression::decode`], into `out` (cleared first; its allocation is reused).
    pub(crate) fn decode_into(
        self,
        data: &[u8],
        want: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        out.clear();
        out.reserve(want);
        match self {
            Self::None => out.extend_from_slice(data.get(..want).unwrap_or_default()),
            Self::Deflate => inflate(data, want, out)?,
            Self::Lzw => lzw(data, want, out)?,
            Self::PackBits => packbits(data, want, out),
            Self::Zstd => zstd_decode(data, want, out)?,
        }
        if out.len() < want {
            return Err(format!("decoded {} bytes, expected {want}", out.len()));
        }
        out.truncate(want);
        Ok(())
    }
}

/// Inflates a zlib stream into exactly `want` bytes with libdeflate (whole-buffer, about a
/// third faster than a streaming inflate); a stream that holds more than `want` bytes (some
/// writers pad the last strip) goes through the streaming decoder, which stops at `want`.
fn inflate(data: &[u8], want: usize, out: &mut Vec<u8>) -> Result<(), String> {
    thread_local! {
        static DECOMPRESSOR: std::cell::RefCell<libdeflater::Decompressor> =
            std::cell::RefCell::new(libdeflater::Decompressor::new());
    }
    out.resize(want, 0);
    let r = DECOMPRESSOR.with_borrow_mut(|d| d.zlib_decompress(data, out));
    match r {
        Ok(n) => {
            out.truncate(n);
            Ok(())
        }
        Err(libdeflater::DecompressionError::InsufficientSpace) => {
            out.clear();
            inflate_stream(data, want, out)
        }
        Err(e) => Err(format!("deflate: {e}")),
    }
}

fn inflate_stream(data: &[u8], want: usize, out: &mut Vec<u8>) -> Result<(), String> {
    let mut d = flate2::Decompress::new(true);
    loop {
        let consumed = usize::try_from(d.total_in()).unwrap_or(usize::MAX);
        let input = data.get(consumed..).unwrap_or_default();
        let before = (d.total_in(), d.total_out());
        let status = d
            .decompress_vec(input, out, flate2::FlushDecompress::Finish)
            .map_err(|e| format!("deflate: {e}"))?;
        if status == flate2::Status::StreamEnd || out.len() >= want {
            break;
        }
        if (d.total_in(), d.total_out()) == before {
            break; // no progress: truncated stream, reported by the length check
        }
    }
    Ok(())
}

fn lzw(data: &[u8], want: usize, out: &mut Vec<u8>) -> Result<(), String> {
    if data.starts_with(&[0, 1]) {
        return Err("old-style (LSB-first) LZW is not supported".into());
    }
    let mut d = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    out.resize(want, 0);
    let (mut i, mut o) = (0, 0);
    while o < want {
        let r = d.decode_bytes(&data[i..], &mut out[o..]);
        i += r.consumed_in;
        o += r.consumed_out;
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in + r.consumed_out > 0 => {}
            Ok(_) => break,
            Err(e) => return Err(format!("LZW: {e}")),
        }
    }
    out.truncate(o);
    Ok(())
}

fn zstd_decode(data: &[u8], want: usize, out: &mut Vec<u8>) -> Result<(), String> {
    zstd::stream::copy_decode(data, LimitedWriter(out, want))
        .or_else(|e| if out.len() >= want { Ok(()) } else { Err(e) })
        .map_err(|e| format!("zstd: {e}"))?;
    Ok(())
}

/// A writer that keeps the first `limit` bytes and then refuses more.
struct LimitedWriter<'a>(&'a mut Vec<u8>, usize);

impl std::io::Write for LimitedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.1 - self.0.len();
        if room == 0 && !buf.is_empty() {
            return Err(std::io::Error::other(
                "chunk decodes to more bytes than expected",
            ));
        }
        let n = buf.len().min(room);
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn packbits(data: &[u8], want: usize, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < data.len() && out.len() < want {
        #[allow(clippy::cast_possible_wrap)]
        let n = data[i] as i8;
        i += 1;
        if n >= 0 {
            let len = usize::from(n.unsigned_abs()) + 1;
            let end = (i + len).min(data.len());
            out.extend_from_slice(&data[i..end]);
            i = end;
        } else if n != -128 {
            let len = usize::from(n.unsigned_abs()) + 1;
            if let Some(&b) = data.get(i) {
                out.extend(std::iter::repeat_n(b, len));
            }
            i += 1;
        }
    }
    out.truncate(want);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unsupported_codes() {
        assert_eq!(
            Compression::from_code(7).expect_err("JPEG"),
            "compression 7 (JPEG)"
        );
        assert_eq!(Compression::from_code(32946), Ok(Compression::Deflate));
        assert_eq!(Compression::from_code(8), Ok(Compression::Deflate));
    }

    #[test]
    fn packbits_apple_example() {
        // The example from Apple's Technical Note TN1023.
        let packed = [
            0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7,
            0xAA,
        ];
        let want = [
            0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22,
            0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA,
        ];
        assert_eq!(
            Compression::PackBits.decode(&packed, want.len()),
            Ok(want.to_vec())
        );
        assert!(Compression::PackBits.decode(&packed, 30).is_err());
    }

    #[test]
    fn deflate_round_trip_and_truncation() {
        use std::io::Write;
        let raw: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&raw).expect("in memory");
        let packed = z.finish().expect("in memory");
        assert_eq!(
            Compression::Deflate.decode(&packed, raw.len()),
            Ok(raw.clone())
        );
        assert!(Compression::Deflate
            .decode(&packed[..packed.len() / 2], raw.len())
            .is_err());
    }

    #[test]
    fn zstd_round_trip_and_limit() {
        let raw: Vec<u8> = (0..10_000u32).map(|i| (i % 7) as u8).collect();
        let packed = zstd::bulk::compress(&raw, 3).expect("in memory");
        assert_eq!(
            Compression::Zstd.decode(&packed, raw.len()),
            Ok(raw.clone())
        );
        // Asking for fewer bytes keeps the first ones.
        assert_eq!(
            Compression::Zstd.decode(&packed, 100),
            Ok(raw[..100].to_vec())
        );
        assert!(Compression::Zstd.decode(&packed[..10], raw.len()).is_err());
    }

    #[test]
    fn lzw_round_trip() {
        let raw: Vec<u8> = (0..5_000u32).map(|i| (i / 3 % 256) as u8).collect();
        let packed = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(&raw)
            .expect("in memory");
        assert_eq!(Compression::Lzw.decode(&packed, raw.len()), Ok(raw));
    }
}
