use crate::{Attributes, Crs, DType, Error, GeoTransform, Result};

/// A named dimension and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    /// Name (`time`, `y`, `x`, ...).
    pub name: String,
    /// Number of elements.
    pub len: usize,
}

impl Dimension {
    /// A dimension called `name` with `len` elements.
    #[must_use]
    pub fn new(name: impl Into<String>, len: usize) -> Self {
        Self {
            name: name.into(),
            len,
        }
    }
}

/// A variable's metadata: dims, shape, dtype, storage chunking and attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name.
    pub name: String,
    /// Dimension names, outermost first.
    pub dims: Vec<String>,
    /// Length along each dimension.
    pub shape: Vec<usize>,
    /// Element type as stored (before CF decoding).
    pub dtype: DType,
    /// Storage chunk shape; `None` for contiguous storage.
    pub chunks: Option<Vec<usize>>,
    /// Compression as a short human description (`deflate(4)+shuffle`, `zstd`, ...).
    pub compression: Option<String>,
    /// Attributes, CF encoding attributes (`_FillValue`, `scale_factor`, ...) included.
    pub attrs: Attributes,
}

impl Variable {
    /// A variable with the given `(dim, len)` pairs, no chunking and no attributes.
    #[must_use]
    pub fn new(name: impl Into<String>, dtype: DType, dims: Vec<(String, usize)>) -> Self {
        let (dims, shape) = dims.into_iter().unzip();
        Self {
            name: name.into(),
            dims,
            shape,
            dtype,
            chunks: None,
            compression: None,
            attrs: Attributes::new(),
        }
    }

    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the variable holds no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `_FillValue`, else `missing_value`, as stored.
    #[must_use]
    pub fn fill_value(&self) -> Option<f64> {
        self.attrs
            .get_f64("_FillValue")
            .or_else(|| self.attrs.get_f64("missing_value"))
    }

    /// Position of dimension `dim`.
    #[must_use]
    pub fn axis(&self, dim: &str) -> Option<usize> {
        self.dims.iter().position(|d| d == dim)
    }

    /// Chunk shape to iterate with: the storage chunks, or the whole shape when contiguous.
    #[must_use]
    pub fn chunk_shape(&self) -> Vec<usize> {
        self.chunks
            .clone()
            .unwrap_or_else(|| self.shape.iter().map(|&n| n.max(1)).collect())
    }
}

/// A dataset's metadata: dimensions, variables (coordinates included), attributes,
/// and where known the CRS and affine transform of its grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Dimensions in file order.
    pub dims: Vec<Dimension>,
    /// Variables in file order, coordinate variables included.
    pub variables: Vec<Variable>,
    /// Global attributes.
    pub attrs: Attributes,
    /// CRS of the grid, from `grid_mapping` or GeoKeys.
    pub crs: Option<Crs>,
    /// Pixel-to-CRS affine transform, when the grid is regular.
    pub transform: Option<GeoTransform>,
}

impl Dataset {
    /// The variable `name`.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`] naming the variables that exist.
    pub fn variable(&self, name: &str) -> Result<&Variable> {
        self.variables
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| Error::UnknownVariable {
                location: String::new(),
                var: name.to_owned(),
                found: self.variable_names().join(", "),
            })
    }

    /// Names of all variables in order.
    #[must_use]
    pub fn variable_names(&self) -> Vec<&str> {
        self.variables.iter().map(|v| v.name.as_str()).collect()
    }

    /// Length of dimension `name`.
    #[must_use]
    pub fn dim_len(&self, name: &str) -> Option<usize> {
        self.dims.iter().find(|d| d.name == name).map(|d| d.len)
    }

    /// True when `var` is a coordinate variable (1-D, named after its dimension).
    #[must_use]
    pub fn is_coordinate(var: &Variable) -> bool {
        var.dims.len() == 1 && var.dims[0] == var.name
    }

    /// Data variables: those that are not coordinate variables.
    pub fn data_variables(&self) -> impl Iterator<Item = &Variable> {
        self.variables.iter().filter(|v| !Self::is_coordinate(v))
    }
}
