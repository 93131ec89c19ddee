//! Reductions (tree-reduced over chunks) and the cumulative sum.

use crate::expr::{Node, Op, ReduceOp};
use crate::{Error, LazyArray, Result};

impl LazyArray {
    /// Reduces over `dims` (all dims when empty) with `op`; `skipna` ignores NaN as
    /// xarray's default for floats does. The reduced dims are dropped.
    ///
    /// # Errors
    /// [`Error::UnknownDim`] or [`Error::Invalid`] for a repeated dim.
    pub fn reduce(&self, op: ReduceOp, dims: &[&str], skipna: bool) -> Result<Self> {
        let mut axes: Vec<usize> = if dims.is_empty() {
            (0..self.dims.len()).collect()
        } else {
            dims.iter().map(|d| self.axis(d)).collect::<Result<_>>()?
        };
        axes.sort_unstable();
        if axes.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::invalid(
                &self.name,
                format!("dims [{}] repeat", dims.join(", ")),
            ));
        }
        let keep: Vec<usize> = (0..self.dims.len()).filter(|d| !axes.contains(d)).collect();
        let dims_out = keep.iter().map(|&d| self.dims[d].clone()).collect();
        let node = Node::same_axes(
            Op::Reduce { op, axes, skipna },
            vec![self.node.clone()],
            keep.iter().map(|&d| self.shape()[d]).collect(),
            keep.iter().map(|&d| self.chunks()[d]).collect(),
            self.name.clone(),
        );
        let mut out = self.derive(dims_out, node);
        out.dtype = rsdat_model::DType::F64;
        Ok(out)
    }

    /// NaN-skipping sum over `dims` (all when empty).
    ///
    /// # Errors
    /// As [`LazyArray::reduce`].
    pub fn sum(&self, dims: &[&str]) -> Result<Self> {
        self.reduce(ReduceOp::Sum, dims, true)
    }

    /// NaN-skipping mean over `dims` (all when empty).
    ///
    /// # Errors
    /// As [`LazyArray::reduce`].
    pub fn mean(&self, dims: &[&str]) -> Result<Self> {
        self.reduce(ReduceOp::Mean, dims, true)
    }

    /// NaN-skipping maximum over `dims` (all when empty).
    ///
    /// # Errors
    /// As [`LazyArray::reduce`].
    pub fn max(&self, dims: &[&str]) -> Result<Self> {
        self.reduce(ReduceOp::Max, dims, true)
    }

    /// NaN-skipping minimum over `dims` (all when empty).
    ///
    /// # Errors
    /// As [`LazyArray::reduce`].
    pub fn min(&self, dims: &[&str]) -> Result<Self> {
        self.reduce(ReduceOp::Min, dims, true)
    }

    /// Position of the NaN-skipping maximum along `dim` (flat over all dims when `None`);
    /// NaN where every value is NaN.
    ///
    /// # Errors
    /// As [`LazyArray::reduce`].
    pub fn argmax(&self, dim: Option<&str>) -> Result<Self> {
        let dims: Vec<&str> = dim.into_iter().collect();
        self.reduce(ReduceOp::Argmax, &dims, true)
    }

    /// Running sum along `dim`, as `DataArray.cumsum(dim, skipna=...)`: with `skipna`,
    /// NaN counts as 0.
    ///
    /// # Errors
    /// [`Error::UnknownDim`].
    pub fn cumsum(&self, dim: &str, skipna: bool) -> Result<Self> {
        let axis = self.axis(dim)?;
        let node = Node::same_axes(
            Op::Cumsum { axis, skipna },
            vec![self.node.clone()],
            self.shape().to_vec(),
            self.chunks().to_vec(),
            self.name.clone(),
        );
        Ok(self.derive(self.dims.clone(), node))
    }
}
