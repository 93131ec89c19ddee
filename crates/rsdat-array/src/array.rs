//! Lazy labelled arrays: dims, coords, attrs and CRS travel with an expression graph.

use std::collections::BTreeMap;
use std::sync::Arc;

use ndarray::ArrayD;
use rsdat_model::{Attributes, Crs, DType, Source};

use crate::expr::{Node, Op, Runtime};
use crate::{Error, Result};

/// A lazy, chunked, labelled n-d array, as an `xarray.DataArray` backed by dask.
///
/// Building one does no work; [`LazyArray::compute`] (or an executor) runs its plan.
/// Values are computed in `f64`; `dtype` says what they represent (`float32` data are
/// rounded to `f32` precision where they enter).
#[derive(Debug, Clone)]
pub struct LazyArray {
    pub(crate) name: String,
    pub(crate) dims: Vec<String>,
    /// Index coordinates by dimension name.
    pub(crate) coords: BTreeMap<String, Vec<f64>>,
    pub(crate) attrs: Attributes,
    pub(crate) crs: Option<Crs>,
    pub(crate) dtype: DType,
    pub(crate) node: Arc<Node>,
}

impl LazyArray {
    pub(crate) fn from_node(name: &str, dims: Vec<String>, node: Node) -> Self {
        Self {
            name: name.to_owned(),
            dims,
            coords: BTreeMap::new(),
            attrs: Attributes::new(),
            crs: None,
            dtype: DType::F64,
            node: Arc::new(node),
        }
    }

    /// Same labels, new graph node.
    pub(crate) fn derive(&self, dims: Vec<String>, node: Node) -> Self {
        let coords = self
            .coords
            .iter()
            .filter(|(k, _)| dims.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Self {
            name: self.name.clone(),
            dims,
            coords,
            attrs: self.attrs.clone(),
            crs: self.crs.clone(),
            dtype: self.dtype,
            node: Arc::new(node),
        }
    }

    fn check_dims(name: &str, dims: &[(&str, usize)], chunks: &[usize]) -> Result<()> {
        if chunks.len() != dims.len() {
            return Err(Error::invalid(
                name,
                format!("{} chunk sizes for {} dimensions", chunks.len(), dims.len()),
            ));
        }
        for (i, (d, _)) in dims.iter().enumerate() {
            if dims[..i].iter().any(|(e, _)| e == d) {
                return Err(Error::invalid(
                    name,
                    format!("dimension `{d}` appears twice"),
                ));
            }
        }
        Ok(())
    }

    fn leaf(name: &str, dims: &[(&str, usize)], chunks: &[usize], op: Op) -> Result<Self> {
        Self::check_dims(name, dims, chunks)?;
        let shape: Vec<usize> = dims.iter().map(|d| d.1).collect();
        let chunks = chunks
            .iter()
            .zip(&shape)
            .map(|(&c, &n)| c.clamp(1, n.max(1)))
            .collect();
        let node = Node::leaf(op, shape, chunks, name.to_owned());
        Ok(Self::from_node(
            name,
            dims.iter().map(|d| d.0.to_owned()).collect(),
            node,
        ))
    }

    /// Uniform random values in `[0, 1)`, as `dask.array.random.random`; element `i`
    /// depends only on `seed` and `i`, so the chunking never changes the values.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `chunks` does not match `dims`.
    pub fn random(name: &str, dims: &[(&str, usize)], chunks: &[usize], seed: u64) -> Result<Self> {
        Self::leaf(name, dims, chunks, Op::Random { seed })
    }

    /// A constant array.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `chunks` does not match `dims`.
    pub fn full(name: &str, dims: &[(&str, usize)], chunks: &[usize], value: f64) -> Result<Self> {
        Self::leaf(name, dims, chunks, Op::Full { value })
    }

    /// An in-memory array with dimension names `dims`, cut into `chunks`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `dims` or `chunks` do not match the array.
    pub fn from_array(
        name: &str,
        dims: &[&str],
        data: &ArrayD<f64>,
        chunks: &[usize],
    ) -> Result<Self> {
        if dims.len() != data.ndim() {
            return Err(Error::invalid(
                name,
                format!(
                    "{} dimension names for a {}-d array",
                    dims.len(),
                    data.ndim()
                ),
            ));
        }
        let d: Vec<(&str, usize)> = dims
            .iter()
            .copied()
            .zip(data.shape().iter().copied())
            .collect();
        let values = data.as_standard_layout().iter().copied().collect();
        Self::leaf(name, &d, chunks, Op::Memory { data: values })
    }

    /// Variable `var` of an open dataset, CF-decoded (fill values to NaN, scale/offset),
    /// chunked as stored. `urls` are what a worker process reopens (as `rsdat_io::open`
    /// or `open_merged`); coordinates of 1-D coordinate variables are read now.
    ///
    /// # Errors
    /// [`Error::Read`] when the variable is missing or its coordinates cannot be read.
    pub fn from_source(source: Arc<dyn Source>, urls: &[String], var: &str) -> Result<Self> {
        let ds = source.dataset();
        let read_err = |e| Error::Read {
            var: var.to_owned(),
            location: source.location().to_owned(),
            source: Box::new(e),
        };
        let v = ds.variable(var).map_err(read_err)?.clone();
        if v.dtype == DType::Text {
            return Err(Error::invalid(var, "text variables cannot be computed on"));
        }
        let f32 = v.dtype == DType::F32
            || (v.dtype.size_bytes() <= 2
                && v.attrs
                    .get_f64("scale_factor")
                    .is_none_or(|s| s.fract() != 0.0));
        let mut node = Node::leaf(
            Op::Source {
                urls: urls.to_vec(),
                var: var.to_owned(),
                f32,
            },
            v.shape.clone(),
            v.chunk_shape(),
            var.to_owned(),
        );
        node.runtime = Runtime::Source(source.clone());
        let mut a = Self::from_node(var, v.dims.clone(), node);
        a.dtype = if f32 { DType::F32 } else { DType::F64 };
        a.attrs = v.attrs.clone();
        a.crs = ds.crs.clone();
        for d in &v.dims {
            if let Ok(c) = ds.variable(d) {
                if rsdat_model::Dataset::is_coordinate(c) && c.dtype != DType::Text {
                    let vals = source.read(d, &[0], &c.shape).map_err(read_err)?;
                    a.coords.insert(
                        d.clone(),
                        rsdat_model::decode_f64(c, &vals).iter().copied().collect(),
                    );
                }
            }
        }
        Ok(a)
    }

    /// Opens `url` with the installed opener (see [`crate::set_opener`]) and takes
    /// variable `var`, as `xarray.open_dataset(url, chunks={})[var]`.
    ///
    /// # Errors
    /// [`Error::Open`] or as [`LazyArray::from_source`].
    pub fn open(url: &str, var: &str) -> Result<Self> {
        let urls = [url.to_owned()];
        let src = crate::spec::open_urls(&urls)?;
        Self::from_source(src, &urls, var)
    }

    /// Name (for messages and plans).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renamed.
    #[must_use]
    pub fn with_name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    /// Dimension names.
    #[must_use]
    pub fn dims(&self) -> &[String] {
        &self.dims
    }

    /// Length along each dimension.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.node.shape
    }

    /// Chunk shape.
    #[must_use]
    pub fn chunks(&self) -> &[usize] {
        &self.node.chunks
    }

    /// What the values represent.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Attributes.
    #[must_use]
    pub fn attrs(&self) -> &Attributes {
        &self.attrs
    }

    /// CRS, if known.
    #[must_use]
    pub fn crs(&self) -> Option<&Crs> {
        self.crs.as_ref()
    }

    /// Index coordinate of `dim`, if any.
    #[must_use]
    pub fn coord(&self, dim: &str) -> Option<&[f64]> {
        self.coords.get(dim).map(Vec::as_slice)
    }

    /// Sets the index coordinate of `dim`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`], or [`Error::Invalid`] for a wrong length.
    pub fn with_coord(mut self, dim: &str, values: Vec<f64>) -> Result<Self> {
        let a = self.axis(dim)?;
        if values.len() != self.shape()[a] {
            return Err(Error::invalid(
                &self.name,
                format!(
                    "coordinate `{dim}` has {} values for length {}",
                    values.len(),
                    self.shape()[a]
                ),
            ));
        }
        self.coords.insert(dim.to_owned(), values);
        Ok(self)
    }

    /// Position of dimension `dim`.
    ///
    /// # Errors
    /// [`Error::UnknownDim`] naming the array and its dims.
    pub fn axis(&self, dim: &str) -> Result<usize> {
        self.dims
            .iter()
            .position(|d| d == dim)
            .ok_or_else(|| Error::UnknownDim {
                array: self.name.clone(),
                dim: dim.to_owned(),
                found: self.dims.join(", "),
            })
    }

    /// Computes the array with the default executor (threads).
    ///
    /// # Errors
    /// As [`crate::compute`].
    pub fn compute(&self) -> Result<ArrayD<f64>> {
        let mut out = crate::compute(&[self], &crate::ComputeOptions::default())?;
        Ok(out.swap_remove(0))
    }
}
