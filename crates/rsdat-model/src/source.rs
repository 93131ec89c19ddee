use ndarray::ArrayD;

use crate::{Dataset, Result, Values};

/// A readable dataset: metadata plus window reads of stored values.
///
/// Implemented by the NetCDF, GeoTIFF and Zarr readers; everything above the format layer
/// reads through this trait. Implementations are shared across threads.
pub trait Source: Send + Sync {
    /// The dataset's metadata.
    fn dataset(&self) -> &Dataset;

    /// Where the data comes from (path or URL), for messages.
    fn location(&self) -> &str;

    /// Reads the hyperslab `start..start+count` of `var` in its stored type (no CF decoding).
    /// Touches only the storage chunks the window overlaps.
    ///
    /// # Errors
    /// [`crate::Error::UnknownVariable`], [`crate::Error::Window`] or [`crate::Error::Read`].
    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Values>;

    /// Reads the hyperslab `start..start+count` of a text variable ([`crate::DType::Text`],
    /// e.g. string coordinates such as plant names) as strings.
    ///
    /// The default serves no text: formats that store strings override it.
    ///
    /// # Errors
    /// [`crate::Error::UnknownVariable`] or [`crate::Error::Window`]; the default
    /// implementation returns [`crate::Error::Invalid`] for every valid window.
    fn read_text(&self, var: &str, start: &[usize], count: &[usize]) -> Result<ArrayD<String>> {
        check_window(self.dataset(), self.location(), var, start, count)?;
        Err(crate::Error::Invalid(format!(
            "`{}` cannot serve text variable `{var}`: this format reader has no string support",
            self.location()
        )))
    }

    /// How the storage chunks of `var` are encoded, when a writer can copy them as they are
    /// (no decoding, no re-encoding): the chunk shape and the byte filters, in the order they
    /// were applied. `None` (the default) when the format does not offer its chunks, or
    /// when their encoding is not one of [`StoredFilter`]'s.
    fn stored_encoding(&self, var: &str) -> Option<StoredEncoding> {
        let _ = var;
        None
    }

    /// The stored bytes of the chunk of `var` whose first element is at `start`, encoded as
    /// [`Source::stored_encoding`] says. `Ok(None)` when that chunk cannot be copied as it
    /// is (never written, or stored with a filter skipped): read it with [`Source::read`].
    ///
    /// # Errors
    /// [`crate::Error::Read`] when the bytes cannot be fetched.
    fn stored_chunk(&self, var: &str, start: &[usize]) -> Result<Option<Vec<u8>>> {
        let _ = (var, start);
        Ok(None)
    }
}

/// A byte filter of stored chunks that Zarr has a codec for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredFilter {
    /// Byte shuffle of elements of this many bytes (HDF5 shuffle, numcodecs `shuffle`).
    Shuffle {
        /// Element size in bytes.
        element_size: usize,
    },
    /// A zlib stream (HDF5 deflate, numcodecs `zlib`) written at this level.
    Zlib {
        /// Compression level (0..=9).
        level: u32,
    },
}

/// The encoding of a variable's stored chunks ([`Source::stored_encoding`]): little-endian
/// elements in C order, in chunks of shape `chunks` (edge chunks stored whole), then
/// `filters` applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEncoding {
    /// Chunk shape.
    pub chunks: Vec<usize>,
    /// Byte filters in the order they were applied.
    pub filters: Vec<StoredFilter>,
}

/// The windows `(start, count)` of a regular chunk grid over `shape`, row-major,
/// with edge chunks cut to the shape.
#[must_use]
pub fn chunk_grid(shape: &[usize], chunks: &[usize]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let counts: Vec<usize> = shape
        .iter()
        .zip(chunks)
        .map(|(&n, &c)| n.div_ceil(c.max(1)))
        .collect();
    let total: usize = counts.iter().product();
    let mut out = Vec::with_capacity(total);
    for mut flat in 0..total {
        let mut start = vec![0; shape.len()];
        let mut count = vec![0; shape.len()];
        for d in (0..shape.len()).rev() {
            let i = flat % counts[d];
            flat /= counts[d];
            start[d] = i * chunks[d];
            count[d] = chunks[d].min(shape[d] - start[d]);
        }
        out.push((start, count));
    }
    out
}

/// Checks a window against `dataset`'s variable `var`.
///
/// # Errors
/// [`crate::Error::UnknownVariable`] or [`crate::Error::Window`], naming `location`.
pub fn check_window(
    dataset: &Dataset,
    location: &str,
    var: &str,
    start: &[usize],
    count: &[usize],
) -> Result<()> {
    let v = dataset.variable(var).map_err(|e| match e {
        crate::Error::UnknownVariable { var, found, .. } => crate::Error::UnknownVariable {
            location: location.to_owned(),
            var,
            found,
        },
        other => other,
    })?;
    let fits = start.len() == v.shape.len()
        && count.len() == v.shape.len()
        && start
            .iter()
            .zip(count)
            .zip(&v.shape)
            .all(|((&s, &c), &n)| s.checked_add(c).is_some_and(|e| e <= n));
    if fits {
        Ok(())
    } else {
        Err(crate::Error::Window {
            location: location.to_owned(),
            var: var.to_owned(),
            start: start.to_vec(),
            count: count.to_vec(),
            shape: v.shape.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_cuts_edges() {
        let g = chunk_grid(&[5, 3], &[2, 3]);
        assert_eq!(g.len(), 3);
        assert_eq!(g[2], (vec![4, 0], vec![1, 3]));
    }
}
