//! Labelled dataset metadata and in-memory values shared by every rsdat reader and writer.
//!
//! This is the common language of rsdat's formats, the role that xarray's `Dataset` and
//! `Variable` (without the data) play for netCDF4-python, rioxarray and zarr-python: names
//! of dimensions, coordinate variables, attributes, data types, chunking, CRS and affine
//! transform. A reader implements [`Source`]; a writer consumes a [`Dataset`] plus
//! [`Values`] read window by window.
//!
//! ```
//! use rsdat_model::{AttrValue, Dataset, Dimension, DType, Variable};
//!
//! let mut ds = Dataset::default();
//! ds.dims.push(Dimension::new("x", 4));
//! let mut v = Variable::new("tmax", DType::F32, vec![("x".into(), 4)]);
//! v.attrs.insert("_FillValue", AttrValue::Float(vec![-9999.0]));
//! ds.variables.push(v);
//! assert_eq!(ds.variable("tmax")?.fill_value(), Some(-9999.0));
//! # Ok::<(), rsdat_model::Error>(())
//! ```

mod attrs;
mod cf;
mod dataset;
mod dtype;
mod error;
mod georef;
mod reproject;
mod source;
mod time;
mod values;

pub use attrs::{AttrValue, Attributes};
pub use cf::{decode_f32, decode_f32_as_f64, decode_f64, CfEncoding};
pub use dataset::{Dataset, Dimension, Variable};
pub use dtype::DType;
pub use error::{Error, Result};
pub use georef::{Crs, GeoTransform};
pub use source::{check_window, chunk_grid, Source, StoredEncoding, StoredFilter};
pub use time::{Calendar, TimeUnits};
pub use values::{window_slice, Values};
