//! Undoing TIFF predictors: horizontal differencing (2) and floating point (3).

use crate::sample::Sample;

/// A TIFF predictor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Predictor {
    /// 1: none.
    None,
    /// 2: each sample stored as the difference from the one `stride` samples before.
    Horizontal,
    /// 3: bytes of each row split by significance, then byte-wise differenced.
    FloatingPoint,
}

impl Predictor {
    /// The predictor for TIFF code `code`, or a description of the unsupported one.
    pub(crate) fn from_code(code: u64) -> Result<Self, String> {
        match code {
            1 => Ok(Self::None),
            2 => Ok(Self::Horizontal),
            3 => Ok(Self::FloatingPoint),
            other => Err(format!("predictor {other}")),
        }
    }
}

/// Turns decompressed chunk bytes into samples, undoing the predictor.
///
/// `row_samples` is the number of samples in one row of the chunk (`width * stride`),
/// `stride` the samples per pixel inside the chunk.
#[cfg(test)]
pub(crate) fn to_samples<T: Sample>(
    bytes: &mut [u8],
    big_endian: bool,
    predictor: Predictor,
    row_samples: usize,
    stride: usize,
) -> Vec<T> {
    let mut out = Vec::new();
    to_samples_into(bytes, big_endian, predictor, row_samples, stride, &mut out);
    out
}

/// As [`to_samples`], into `out` (cleared first; its allocation is reused from chunk to
/// chunk).
pub(crate) fn to_samples_into<T: Sample>(
    bytes: &mut [u8],
    big_endian: bool,
    predictor: Predictor,
    row_samples: usize,
    stride: usize,
    out: &mut Vec<T>,
) {
    out.clear();
    let row_bytes = row_samples * T::SIZE;
    match predictor {
        Predictor::None => out.extend(
            bytes
                .chunks_exact(T::SIZE)
                .map(|b| T::from_bytes(b, big_endian)),
        ),
        Predictor::Horizontal => {
            out.extend(
                bytes
                    .chunks_exact(T::SIZE)
                    .map(|b| T::from_bytes(b, big_endian)),
            );
            for row in out.chunks_exact_mut(row_samples.max(1)) {
                if stride == 1 {
                    // one sample per pixel: a running sum, without index arithmetic
                    let mut acc = row[0];
                    for v in &mut row[1..] {
                        acc = acc.wrapping_add(*v);
                        *v = acc;
                    }
                } else {
                    for i in stride..row.len() {
                        row[i] = row[i].wrapping_add(row[i - stride]);
                    }
                }
            }
        }
        Predictor::FloatingPoint => {
            out.reserve(bytes.len() / T::SIZE);
            let mut be = vec![0u8; T::SIZE];
            for row in bytes.chunks_exact_mut(row_bytes.max(1)) {
                for i in stride..row.len() {
                    row[i] = row[i].wrapping_add(row[i - stride]);
                }
                // Byte k (most significant first) of sample i sits at row[k * n + i].
                for i in 0..row_samples {
                    for (k, b) in be.iter_mut().enumerate() {
                        *b = row[k * row_samples + i];
                    }
                    out.push(T::from_bytes(&be, true));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizontal_two_samples_per_pixel() {
        // Pixels (1,10) (2,20) (4,40) stored as differences per sample.
        let mut bytes: Vec<u8> = [1u16, 10, 1, 10, 2, 20]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let v: Vec<u16> = to_samples(&mut bytes, false, Predictor::Horizontal, 6, 2);
        assert_eq!(v, [1, 10, 2, 20, 4, 40]);
    }

    #[test]
    fn floating_point_row() {
        // Encode as libtiff does: split bytes MSB-first, then difference byte-wise.
        let vals = [1.5f32, -2.25, 1e10];
        let n = vals.len();
        let mut split = vec![0u8; n * 4];
        for (i, v) in vals.iter().enumerate() {
            for (k, b) in v.to_be_bytes().iter().enumerate() {
                split[k * n + i] = *b;
            }
        }
        for i in (1..split.len()).rev() {
            split[i] = split[i].wrapping_sub(split[i - 1]);
        }
        let v: Vec<f32> = to_samples(&mut split, false, Predictor::FloatingPoint, n, 1);
        assert_eq!(v, vals);
    }
}
