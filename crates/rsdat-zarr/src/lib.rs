//! Zarr v2/v3 stores that xarray opens unchanged: a dataset writer, a chunk-streaming
//! converter and a reader.
//!
//! This crate replaces `xarray.Dataset.to_zarr` (with zarr-python 3) and the store side of
//! `xarray.open_zarr` for rsdat. It writes what xarray writes: one directory per group,
//! dimension names (`dimension_names` in v3, `_ARRAY_DIMENSIONS` in v2), attributes,
//! `_FillValue` where xarray reads it back, strings as variable-length UTF-8, a CF
//! grid-mapping variable for the CRS, and consolidated metadata. Zarr v3 is the default
//! ([`ZarrFormat`]), as in xarray 2025 with zarr-python 3.
//!
//! - [`StoreWriter`] stages a store (or new groups of an existing one) in a temporary
//!   directory and publishes it by rename on [`StoreWriter::commit`]; [`GroupWriter`]
//!   creates arrays; [`ArrayWriter::write_chunk`] encodes one whole chunk, so tasks that own
//!   different chunks can write in parallel (two tasks must never write the same chunk).
//! - [`convert`] streams any [`rsdat_model::Source`] into a store with bounded memory
//!   ([`ConvertPlan::peak_bytes`], [`write_peak_bytes`]).
//! - [`ZarrSource`] reads a group back as a [`rsdat_model::Source`].
//!
//! Chunk I/O and codecs are [zarrs](https://docs.rs/zarrs); the metadata documents are
//! written here, member for member as xarray writes them.
//!
//! Memory: a convert holds at most four chunk-sized buffers per task in flight (the block
//! read, an edge chunk's padded copy, the serialized and the compressed bytes) plus codec
//! state; [`write_peak_bytes`] gives the bound the planner can check before a run.
//!
//! ```
//! use ndarray::{ArrayD, IxDyn};
//! use rsdat_model::{DType, Source, Values, Variable};
//! use rsdat_zarr::{StoreOptions, StoreWriter, ZarrSource};
//!
//! let dir = tempfile::tempdir().expect("temp dir");
//! let path = dir.path().join("tiny.zarr");
//!
//! let mut store = StoreWriter::create(&path, StoreOptions::default())?;
//! let group = store.group("1980", &Default::default())?;
//! let mut x = Variable::new("x", DType::F64, vec![("x".into(), 3)]);
//! x.attrs.insert("units", "m");
//! group
//!     .create_array(&x, &[3])?
//!     .write_all(&Values::F64(ArrayD::from_shape_vec(IxDyn(&[3]), vec![0.0, 1.0, 2.0]).expect("shape")))?;
//! let t = Variable::new("tmax", DType::F32, vec![("x".into(), 3)]);
//! let tmax = group.create_array(&t, &[2])?;
//! tmax.write_chunk(&[0], &Values::F32(ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.5, f32::NAN]).expect("shape")))?;
//! tmax.write_chunk(&[1], &Values::F32(ArrayD::from_shape_vec(IxDyn(&[1]), vec![3.5]).expect("shape")))?;
//! store.commit()?;
//!
//! let source = ZarrSource::open(&path, Some("1980"))?;
//! let values = source.read("tmax", &[1], &[2])?;
//! assert!(values.to_f64()[0].is_nan());
//! assert_eq!(values.to_f64()[1], 3.5);
//! assert_eq!(source.dataset().variable("x")?.attrs.get_str("units"), Some("m"));
//! # Ok::<(), rsdat_zarr::Error>(())
//! ```

mod attrs;
mod blosc;
mod chunk_store;
mod consolidated;
mod convert;
mod crs;
mod error;
mod fill;
mod format;
mod fsutil;
mod json;
mod metadata;
mod reader;
mod store;
mod writer;

pub use convert::{
    convert, parse_chunks, write_peak_bytes, ArrayPlan, ConvertOptions, ConvertPlan, ConvertReport,
    TASK_OVERHEAD_BYTES,
};
pub use error::{Error, Result};
pub use format::{Compression, ZarrFormat};
pub use reader::{list_groups, ZarrSource};
pub use store::{GroupWriter, StoreOptions, StoreWriter};
pub use writer::ArrayWriter;
