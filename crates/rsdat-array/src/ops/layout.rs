//! Operations that move, add, pad, window or regroup elements.

use crate::expr::{Node, Op, Runtime};
use crate::{Error, LazyArray, Result};

impl LazyArray {
    /// Reorders the axes: output axis `d` is input axis `perm[d]`.
    pub(crate) fn transpose_axes(&self, perm: &[usize]) -> Self {
        let dims = perm.iter().map(|&p| self.dims[p].clone()).collect();
        let shape = perm.iter().map(|&p| self.shape()[p]).collect();
        let chunks = perm.iter().map(|&p| self.chunks()[p]).collect();
        let node = Node::same_axes(
            Op::Transpose {
                perm: perm.to_vec(),
            },
            vec![self.node.clone()],
            shape,
            chunks,
            self.name.clone(),
        );
        self.derive(dims, node)
    }

    /// Reorders the dimensions to `dims`, as `DataArray.transpose(*dims)`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::Invalid`] when `dims` is not a permutation.
    pub fn transpose(&self, dims: &[&str]) -> Result<Self> {
        let perm: Vec<usize> = dims.iter().map(|d| self.axis(d)).collect::<Result<_>>()?;
        let mut sorted = perm.clone();
        sorted.sort_unstable();
        if sorted != (0..self.dims.len()).collect::<Vec<_>>() {
            return Err(Error::invalid(
                &self.name,
                format!(
                    "transpose needs every dimension once, got [{}] for [{}]",
                    dims.join(", "),
                    self.dims.join(", ")
                ),
            ));
        }
        Ok(self.transpose_axes(&perm))
    }

    /// The dimensions reversed (`x.T`).
    #[must_use]
    pub fn t(&self) -> Self {
        let perm: Vec<usize> = (0..self.dims.len()).rev().collect();
        self.transpose_axes(&perm)
    }

    /// The same array with dimensions renamed, in order (positional, as dask.array sees
    /// them: `x.t().rename_dims(&["y", "x"])` is numpy's `x.T` added position by position).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a wrong count or a repeated name.
    pub fn rename_dims(&self, names: &[&str]) -> Result<Self> {
        if names.len() != self.dims.len() {
            return Err(Error::invalid(
                &self.name,
                format!(
                    "{} names for {} dimensions [{}]",
                    names.len(),
                    self.dims.len(),
                    self.dims.join(", ")
                ),
            ));
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(Error::invalid(
                    &self.name,
                    format!("dimension name `{n}` repeats"),
                ));
            }
        }
        let mut out = self.clone();
        out.coords = self
            .dims
            .iter()
            .zip(names)
            .filter_map(|(old, new)| self.coords.get(old).map(|c| ((*new).to_owned(), c.clone())))
            .collect();
        out.dims = names.iter().map(|&n| n.to_owned()).collect();
        Ok(out)
    }

    /// A new leading dimension `dim` of length 1, as `DataArray.expand_dims(dim)`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `dim` exists already.
    pub fn expand_dims(&self, dim: &str) -> Result<Self> {
        if self.dims.iter().any(|d| d == dim) {
            return Err(Error::invalid(
                &self.name,
                format!("dimension `{dim}` exists already"),
            ));
        }
        let mut dims = vec![dim.to_owned()];
        dims.extend(self.dims.iter().cloned());
        let mut shape = vec![1];
        shape.extend_from_slice(self.shape());
        let mut chunks = vec![1];
        chunks.extend_from_slice(self.chunks());
        let node = Node {
            op: Op::ExpandDims { axis: 0 },
            inputs: vec![self.node.clone()],
            align: vec![(1..=self.dims.len()).collect()],
            shape,
            chunks,
            label: self.name.clone(),
            runtime: Runtime::None,
        };
        Ok(self.derive(dims, node))
    }

    /// Pads `dim` by repeating the edge values, as `DataArray.pad(mode="edge")`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::Invalid`] for an empty dimension.
    pub fn pad_edge(&self, dim: &str, before: usize, after: usize) -> Result<Self> {
        let a = self.axis(dim)?;
        if self.shape()[a] == 0 {
            return Err(Error::invalid(
                &self.name,
                format!("cannot edge-pad empty dimension `{dim}`"),
            ));
        }
        let mut shape = self.shape().to_vec();
        shape[a] += before + after;
        let node = Node::same_axes(
            Op::PadEdge { axis: a, before },
            vec![self.node.clone()],
            shape,
            self.chunks().to_vec(),
            self.name.clone(),
        );
        let mut out = self.derive(self.dims.clone(), node);
        out.coords.remove(dim);
        Ok(out)
    }

    /// Block means over windows of `factors` (NaN-skipping), the ragged end trimmed, as
    /// `DataArray.coarsen({dim: f}, boundary="trim").mean()`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::Invalid`] for a factor of 0.
    pub fn coarsen_mean(&self, factors: &[(&str, usize)]) -> Result<Self> {
        let mut f = vec![1; self.dims.len()];
        for &(d, k) in factors {
            if k == 0 {
                return Err(Error::invalid(
                    &self.name,
                    format!("coarsen factor 0 for `{d}`"),
                ));
            }
            f[self.axis(d)?] = k;
        }
        let shape: Vec<usize> = self.shape().iter().zip(&f).map(|(&n, &k)| n / k).collect();
        let chunks = self
            .chunks()
            .iter()
            .zip(&f)
            .map(|(&c, &k)| (c / k).max(1))
            .collect();
        let node = Node::same_axes(
            Op::Coarsen { factors: f.clone() },
            vec![self.node.clone()],
            shape.clone(),
            chunks,
            self.name.clone(),
        );
        let mut out = self.derive(self.dims.clone(), node);
        for (d, &k) in self.dims.iter().zip(&f) {
            if k > 1 {
                if let Some(c) = out.coords.get_mut(d) {
                    *c = c
                        .chunks_exact(k)
                        .map(|w| w.iter().sum::<f64>() / w.len() as f64)
                        .collect();
                }
            }
        }
        Ok(out)
    }

    /// Trailing window sums of `window` along `dim`, NaN until the window is full or when
    /// it holds a NaN, as `DataArray.rolling({dim: window}).sum()`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::Invalid`] for a window of 0.
    pub fn rolling_sum(&self, dim: &str, window: usize) -> Result<Self> {
        let a = self.axis(dim)?;
        if window == 0 {
            return Err(Error::invalid(
                &self.name,
                format!("rolling window 0 along `{dim}`"),
            ));
        }
        let node = Node::same_axes(
            Op::RollingSum { axis: a, window },
            vec![self.node.clone()],
            self.shape().to_vec(),
            self.chunks().to_vec(),
            self.name.clone(),
        );
        Ok(self.derive(self.dims.clone(), node))
    }

    /// Joins `arrays` along existing dimension `dim`, as `xarray.concat`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for no arrays or different dims; [`Error::DimMismatch`] when
    /// another dimension differs in length.
    pub fn concat(arrays: &[&Self], dim: &str) -> Result<Self> {
        let first = arrays
            .first()
            .ok_or_else(|| Error::invalid("concat", "no arrays to concatenate"))?;
        let a = first.axis(dim)?;
        let mut shape = first.shape().to_vec();
        shape[a] = 0;
        for x in arrays {
            if x.dims != first.dims {
                return Err(Error::invalid(
                    &x.name,
                    format!(
                        "dims [{}] differ from `{}`'s [{}]",
                        x.dims.join(", "),
                        first.name,
                        first.dims.join(", ")
                    ),
                ));
            }
            for (d, (&n, &m)) in x.shape().iter().zip(first.shape()).enumerate() {
                if d != a && n != m {
                    return Err(Error::DimMismatch {
                        a: first.name.clone(),
                        b: x.name.clone(),
                        dim: x.dims[d].clone(),
                        len_a: m,
                        len_b: n,
                    });
                }
            }
            shape[a] += x.shape()[a];
        }
        let node = Node::same_axes(
            Op::Concat { axis: a },
            arrays.iter().map(|x| x.node.clone()).collect(),
            shape,
            first.chunks().to_vec(),
            first.name.clone(),
        );
        let mut out = first.derive(first.dims.clone(), node);
        let joined: Option<Vec<f64>> = arrays
            .iter()
            .map(|x| x.coords.get(dim).cloned())
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat());
        match joined {
            Some(c) => {
                out.coords.insert(dim.to_owned(), c);
            }
            None => {
                out.coords.remove(dim);
            }
        }
        Ok(out)
    }

    /// Same values in new chunks: `(dim, size)` pairs; unnamed dims keep theirs.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::Invalid`] for a chunk size of 0.
    pub fn rechunk(&self, chunks: &[(&str, usize)]) -> Result<Self> {
        let mut c = self.chunks().to_vec();
        for &(d, n) in chunks {
            if n == 0 {
                return Err(Error::invalid(
                    &self.name,
                    format!("chunk size 0 for `{d}`"),
                ));
            }
            let a = self.axis(d)?;
            c[a] = n.min(self.shape()[a].max(1));
        }
        let node = Node::same_axes(
            Op::Rechunk,
            vec![self.node.clone()],
            self.shape().to_vec(),
            c,
            self.name.clone(),
        );
        Ok(self.derive(self.dims.clone(), node))
    }

    /// Matrix product of two 2-D arrays (`x.dot(x.T)` of dask.array): contracts `self`'s
    /// last dimension with `other`'s first. A repeated output name gets a `_2` suffix.
    ///
    /// # Errors
    /// [`Error::Invalid`] unless both are 2-D; [`Error::DimMismatch`] when the contracted
    /// lengths differ.
    pub fn dot(&self, other: &Self) -> Result<Self> {
        if self.dims.len() != 2 || other.dims.len() != 2 {
            return Err(Error::invalid(
                &self.name,
                format!(
                    "dot needs two 2-d arrays, got {}-d and {}-d `{}`",
                    self.dims.len(),
                    other.dims.len(),
                    other.name
                ),
            ));
        }
        if self.shape()[1] != other.shape()[0] {
            return Err(Error::DimMismatch {
                a: self.name.clone(),
                b: other.name.clone(),
                dim: format!("{}/{}", self.dims[1], other.dims[0]),
                len_a: self.shape()[1],
                len_b: other.shape()[0],
            });
        }
        let d0 = self.dims[0].clone();
        let mut d1 = other.dims[1].clone();
        if d1 == d0 {
            d1.push_str("_2");
        }
        let node = Node {
            op: Op::Dot,
            inputs: vec![self.node.clone(), other.node.clone()],
            align: vec![vec![0, 1], vec![0, 1]],
            shape: vec![self.shape()[0], other.shape()[1]],
            chunks: vec![self.chunks()[0], other.chunks()[1]],
            label: self.name.clone(),
            runtime: Runtime::None,
        };
        let mut out = self.derive(vec![d0.clone(), d1.clone()], node);
        out.coords.retain(|k, _| *k == d0);
        if let Some(c) = other.coords.get(&other.dims[1]) {
            out.coords.insert(d1, c.clone());
        }
        Ok(out)
    }
}
