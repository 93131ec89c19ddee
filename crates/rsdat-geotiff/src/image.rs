//! One raster image (an IFD): size, sample type, compression and chunk layout.

use rsdat_model::DType;

use crate::compression::Compression;
use crate::header::TiffBytes;
use crate::ifd::Ifd;
use crate::predictor::Predictor;
use crate::tags;
use crate::{Error, Result};

/// Largest decoded chunk accepted (a whole-image strip of 16k x 16k float32 fits).
const MAX_CHUNK_BYTES: u64 = 1 << 30;

/// One resolution level of the raster: the full image or an overview.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Index of the IFD in the file.
    pub(crate) ifd: usize,
    /// Columns.
    pub(crate) width: usize,
    /// Rows.
    pub(crate) height: usize,
    /// Samples per pixel (bands).
    pub(crate) bands: usize,
    /// Sample type.
    pub(crate) dtype: DType,
    /// Compression scheme.
    pub(crate) compression: Compression,
    /// Predictor.
    pub(crate) predictor: Predictor,
    /// `PlanarConfiguration` 2: each band in its own chunks.
    pub(crate) separate: bool,
    /// Tiles (true) or strips.
    pub(crate) tiled: bool,
    /// Chunk width (tile width, or the image width for strips).
    pub(crate) chunk_w: usize,
    /// Chunk height (tile height or rows per strip).
    pub(crate) chunk_h: usize,
    /// Chunks per row of chunks.
    pub(crate) across: usize,
    /// Rows of chunks.
    pub(crate) down: usize,
    /// Byte offset of each chunk, band-major when `separate`.
    pub(crate) offsets: Vec<u64>,
    /// Byte count of each chunk.
    pub(crate) byte_counts: Vec<u64>,
}

/// The numpy type of samples with `SampleFormat` `format` and `bits` bits.
fn dtype_of(format: u64, bits: u64) -> Option<DType> {
    Some(match (format, bits) {
        (1 | 4, 8) => DType::U8,
        (1 | 4, 16) => DType::U16,
        (1 | 4, 32) => DType::U32,
        (1 | 4, 64) => DType::U64,
        (2, 8) => DType::I8,
        (2, 16) => DType::I16,
        (2, 32) => DType::I32,
        (2, 64) => DType::I64,
        (3, 32) => DType::F32,
        (3, 64) => DType::F64,
        _ => return None,
    })
}

fn to_usize(file: &TiffBytes, x: u64, what: &str) -> Result<usize> {
    usize::try_from(x).map_err(|_| file.invalid(format!("{what} {x} is too large")))
}

impl Image {
    /// Reads the layout of `ifd`, checking every size against the file.
    pub(crate) fn from_ifd(file: &TiffBytes, ifd: &Ifd) -> Result<Self> {
        let n = ifd.index;
        let unsupported = |what: String| Error::Unsupported {
            location: file.location().to_owned(),
            ifd: n,
            what,
        };
        let required = |tag: u16, name: &str| -> Result<u64> {
            file.uint(ifd, tag)?
                .ok_or_else(|| file.invalid(format!("IFD {n} has no {name} tag")))
        };
        let width = required(tags::IMAGE_WIDTH, "ImageWidth")?;
        let height = required(tags::IMAGE_LENGTH, "ImageLength")?;
        if width == 0 || height == 0 {
            return Err(file.invalid(format!("IFD {n} is {width}x{height} pixels")));
        }
        let bands = file.uint(ifd, tags::SAMPLES_PER_PIXEL)?.unwrap_or(1);
        if bands == 0 || bands > 65_535 {
            return Err(file.invalid(format!("IFD {n} has {bands} samples per pixel")));
        }
        let bits = file
            .uints(ifd, tags::BITS_PER_SAMPLE)?
            .unwrap_or_else(|| vec![1]);
        let b0 = bits.first().copied().unwrap_or(1);
        if bits.iter().any(|&b| b != b0) {
            return Err(unsupported(format!(
                "bands of different bit depths {bits:?}"
            )));
        }
        let formats = file
            .uints(ifd, tags::SAMPLE_FORMAT)?
            .unwrap_or_else(|| vec![1]);
        let f0 = formats.first().copied().unwrap_or(1);
        if formats.iter().any(|&f| f != f0) {
            return Err(unsupported(format!(
                "bands of different sample formats {formats:?}"
            )));
        }
        let dtype = dtype_of(f0, b0)
            .ok_or_else(|| unsupported(format!("{b0}-bit samples of SampleFormat {f0}")))?;
        let compression = Compression::from_code(file.uint(ifd, tags::COMPRESSION)?.unwrap_or(1))
            .map_err(unsupported)?;
        let predictor = Predictor::from_code(file.uint(ifd, tags::PREDICTOR)?.unwrap_or(1))
            .map_err(unsupported)?;
        if predictor == Predictor::FloatingPoint && !dtype.is_float() {
            return Err(unsupported(format!(
                "floating-point predictor on {dtype} samples"
            )));
        }
        let separate = match file.uint(ifd, tags::PLANAR_CONFIGURATION)?.unwrap_or(1) {
            1 => false,
            2 => bands > 1,
            p => return Err(unsupported(format!("PlanarConfiguration {p}"))),
        };
        let tiled = ifd.entry(tags::TILE_WIDTH).is_some();
        let (chunk_w, chunk_h, offsets_tag, counts_tag) = if tiled {
            let tw = required(tags::TILE_WIDTH, "TileWidth")?;
            let th = required(tags::TILE_LENGTH, "TileLength")?;
            (tw, th, tags::TILE_OFFSETS, tags::TILE_BYTE_COUNTS)
        } else {
            let rps = file.uint(ifd, tags::ROWS_PER_STRIP)?.unwrap_or(height);
            let rps = if rps == 0 { height } else { rps.min(height) };
            (width, rps, tags::STRIP_OFFSETS, tags::STRIP_BYTE_COUNTS)
        };
        if chunk_w == 0 || chunk_h == 0 {
            return Err(file.invalid(format!("IFD {n} has {chunk_w}x{chunk_h} tiles")));
        }
        let spp_chunk = if separate { 1 } else { bands };
        let chunk_bytes = chunk_w
            .checked_mul(chunk_h)
            .and_then(|x| x.checked_mul(spp_chunk))
            .and_then(|x| x.checked_mul(dtype.size_bytes() as u64));
        if chunk_bytes.is_none_or(|b| b > MAX_CHUNK_BYTES) {
            return Err(unsupported(format!(
                "chunks of {chunk_w}x{chunk_h} pixels x {spp_chunk} samples (over 1 GiB decoded)"
            )));
        }
        let across = width.div_ceil(chunk_w);
        let down = height.div_ceil(chunk_h);
        let planes = if separate { bands } else { 1 };
        let needed = across
            .checked_mul(down)
            .and_then(|x| x.checked_mul(planes))
            .filter(|&x| x <= file.len())
            .ok_or_else(|| {
                file.invalid(format!(
                    "IFD {n} claims more chunks than the file has bytes"
                ))
            })?;
        let offsets = file.uints(ifd, offsets_tag)?.unwrap_or_default();
        let byte_counts = file.uints(ifd, counts_tag)?.unwrap_or_default();
        if (offsets.len() as u64) < needed || (byte_counts.len() as u64) < needed {
            return Err(file.invalid(format!(
                "IFD {n} needs {needed} chunk offsets and byte counts, has {} and {}",
                offsets.len(),
                byte_counts.len()
            )));
        }
        Ok(Self {
            ifd: n,
            width: to_usize(file, width, "width")?,
            height: to_usize(file, height, "height")?,
            bands: to_usize(file, bands, "bands")?,
            dtype,
            compression,
            predictor,
            separate,
            tiled,
            chunk_w: to_usize(file, chunk_w, "chunk width")?,
            chunk_h: to_usize(file, chunk_h, "chunk height")?,
            across: to_usize(file, across, "chunks across")?,
            down: to_usize(file, down, "chunks down")?,
            offsets,
            byte_counts,
        })
    }

    /// Samples per pixel inside one chunk.
    pub(crate) fn chunk_spp(&self) -> usize {
        if self.separate {
            1
        } else {
            self.bands
        }
    }

    /// Rows stored in chunk row `r`: tiles are padded to full height, the last strip is not.
    pub(crate) fn chunk_rows(&self, r: usize) -> usize {
        if self.tiled {
            self.chunk_h
        } else {
            self.chunk_h.min(self.height - r * self.chunk_h)
        }
    }

    /// Index of the chunk of `plane` at chunk row `r`, column `c`.
    pub(crate) fn chunk_index(&self, plane: usize, r: usize, c: usize) -> usize {
        (plane * self.down + r) * self.across + c
    }

    /// `tile 3 of IFD 0`, for messages.
    pub(crate) fn chunk_name(&self, index: usize) -> String {
        let kind = if self.tiled { "tile" } else { "strip" };
        format!("{kind} {index} of IFD {}", self.ifd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtypes() {
        assert_eq!(dtype_of(1, 16), Some(DType::U16));
        assert_eq!(dtype_of(3, 64), Some(DType::F64));
        assert_eq!(dtype_of(3, 16), None);
        assert_eq!(dtype_of(1, 1), None);
    }
}
