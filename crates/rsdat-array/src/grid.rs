//! Regular chunk grids and the regions (hyper-rectangles) of their chunks.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A hyper-rectangle of element indices, one half-open range per dimension.
pub type Region = Vec<Range<usize>>;

/// Number of elements of `region`.
pub(crate) fn region_len(region: &[Range<usize>]) -> usize {
    region.iter().map(ExactSizeIterator::len).product()
}

/// Shape of `region`.
pub(crate) fn region_shape(region: &[Range<usize>]) -> Vec<usize> {
    region.iter().map(ExactSizeIterator::len).collect()
}

/// A regular chunk grid: `shape` cut into chunks of `chunks` elements, edges cut short.
///
/// Chunks are numbered row-major, last dimension fastest, as [`rsdat_model::chunk_grid`]
/// lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkGrid {
    shape: Vec<usize>,
    chunks: Vec<usize>,
    counts: Vec<usize>,
}

impl ChunkGrid {
    /// A grid over `shape` with chunk shape `chunks` (each at least 1).
    #[must_use]
    pub fn new(shape: &[usize], chunks: &[usize]) -> Self {
        let chunks: Vec<usize> = chunks
            .iter()
            .zip(shape)
            .map(|(&c, &n)| c.clamp(1, n.max(1)))
            .collect();
        let counts = shape
            .iter()
            .zip(&chunks)
            .map(|(&n, &c)| n.div_ceil(c))
            .collect();
        Self {
            shape: shape.to_vec(),
            chunks,
            counts,
        }
    }

    /// The array shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The chunk shape.
    #[must_use]
    pub fn chunks(&self) -> &[usize] {
        &self.chunks
    }

    /// Number of chunks along each dimension.
    #[must_use]
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// Number of chunks.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.counts.iter().map(|&c| c as u64).product()
    }

    /// True when the grid has no chunks (a dimension of length 0).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Elements of the largest (first) chunk.
    #[must_use]
    pub fn chunk_len(&self) -> usize {
        self.chunks.iter().product()
    }

    /// Chunk coordinates of flat chunk index `i`.
    #[must_use]
    pub fn unravel(&self, mut i: u64) -> Vec<usize> {
        let mut out = vec![0; self.counts.len()];
        for d in (0..self.counts.len()).rev() {
            let c = self.counts[d] as u64;
            out[d] = usize::try_from(i % c).expect("chunk coordinate fits usize");
            i /= c;
        }
        out
    }

    /// Flat index of chunk coordinates `c`.
    #[must_use]
    pub fn ravel(&self, c: &[usize]) -> u64 {
        c.iter()
            .zip(&self.counts)
            .fold(0u64, |acc, (&x, &n)| acc * n as u64 + x as u64)
    }

    /// The element region of chunk `i`.
    #[must_use]
    pub fn region(&self, i: u64) -> Region {
        self.unravel(i)
            .iter()
            .enumerate()
            .map(|(d, &c)| {
                let s = c * self.chunks[d];
                s..(s + self.chunks[d]).min(self.shape[d])
            })
            .collect()
    }

    /// Flat indices of the chunks overlapping `region`, row-major.
    #[must_use]
    pub fn overlapping(&self, region: &[Range<usize>]) -> Vec<u64> {
        if region.iter().any(|r| r.is_empty()) {
            return Vec::new();
        }
        let lo: Vec<usize> = region
            .iter()
            .zip(&self.chunks)
            .map(|(r, &c)| r.start / c)
            .collect();
        let hi: Vec<usize> = region
            .iter()
            .zip(&self.chunks)
            .map(|(r, &c)| (r.end - 1) / c)
            .collect();
        let mut out = Vec::new();
        let mut cur = lo.clone();
        loop {
            out.push(self.ravel(&cur));
            let mut d = cur.len();
            loop {
                if d == 0 {
                    return out;
                }
                d -= 1;
                if cur[d] < hi[d] {
                    cur[d] += 1;
                    break;
                }
                cur[d] = lo[d];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_model_chunk_grid() {
        let g = ChunkGrid::new(&[5, 7], &[2, 3]);
        let model = rsdat_model::chunk_grid(&[5, 7], &[2, 3]);
        assert_eq!(g.len() as usize, model.len());
        for (i, (start, count)) in model.iter().enumerate() {
            let r = g.region(i as u64);
            assert_eq!(r.iter().map(|r| r.start).collect::<Vec<_>>(), *start);
            assert_eq!(region_shape(&r), *count);
            assert_eq!(g.ravel(&g.unravel(i as u64)), i as u64);
        }
    }

    #[test]
    fn overlap_lists_touched_chunks() {
        let g = ChunkGrid::new(&[10, 10], &[4, 4]);
        assert_eq!(g.overlapping(&[3..5, 0..4]), vec![0, 3]);
        assert_eq!(g.overlapping(&[0..10, 9..10]), vec![2, 5, 8]);
        let scalar = ChunkGrid::new(&[], &[]);
        assert_eq!(scalar.len(), 1);
        assert_eq!(scalar.overlapping(&[]), vec![0]);
    }
}
